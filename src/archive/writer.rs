//! Writes a site into a BagIt bag, as a zip or a folder: every site file under
//! `data/site/`, then `carton.json` and `ro-crate-metadata.json`, then the tag files.
//! Each file is read once and hashed (SHA-256 and SHA-512) while it is written. The output
//! is built under a temporary name beside the final one and renamed only when complete.

use super::bagit::{self, BagInfo};
use super::digest::{Algorithm, Digests, MultiHasher, digest_bytes};
use super::reader::{MAX_DEPTH, MAX_ENTRIES, MAX_RATIO, RATIO_FLOOR};
use super::rocrate;
use crate::error::{Error, Result};
use crate::model::{FileEntry, Model, Problem, Severity, Skipped};
use crate::source::{SiteRead, SourceFile, is_compressed, is_document, media_type};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the site's files go inside `data/`.
pub const SITE_ROOT: &str = "site";

/// How the bag is laid out on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One zip file holding one top-level folder, the bag.
    Zip,
    /// The bag as a folder.
    Dir,
}

/// Options for writing an archive.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    /// Zip or folder.
    pub format: Format,
    /// Replace an existing output.
    pub force: bool,
    /// Seconds since the epoch for Bagging-Date and zip timestamps (`SOURCE_DATE_EPOCH`);
    /// `None` uses today's date and the zip epoch (1980-01-01) for entries.
    pub source_date_epoch: Option<i64>,
}

/// What the writer did.
#[derive(Debug, Clone)]
pub struct WriteReport {
    /// The final output.
    pub path: PathBuf,
    /// Payload files (site files plus carton.json and ro-crate-metadata.json).
    pub payload_files: u64,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// Size of the zip, or of the bag folder.
    pub output_bytes: u64,
    /// `urn:uuid:` identifier written to bag-info.txt.
    pub identifier: String,
}

/// Reports bytes as they are stored, for a progress bar.
pub type ProgressFn<'a> = &'a (dyn Fn(u64) + Sync);

/// Deflate level for text entries. Text is about 1% of a typical site's bytes; level 2 costs
/// a third of the CPU time of the default (6) for about 10% more compressed text.
const DEFLATE_LEVEL: i64 = 2;

/// Chunk size for streaming files into the archive.
const CHUNK: usize = 1 << 20;

/// Highest ratio of an entry's size to its deflated size the writer keeps: an entry over
/// [`RATIO_FLOOR`] that deflates further is stored instead, since the reader refuses entries
/// over [`MAX_RATIO`] (archive/SPEC.md, "Limits when reading an archive"). Half the reader's
/// limit: a margin, and the bytes the deflater still holds when the ratio is measured only
/// lower the final ratio.
const WRITE_RATIO: u64 = MAX_RATIO / 2;

/// How an entry ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// It is in the output.
    Written,
    /// It deflated beyond [`WRITE_RATIO`] and was taken back out: write it again, not
    /// compressed.
    TakenBack,
}

/// Destination of the bag's files.
trait Sink: Send {
    fn start(&mut self, name: &str, size: u64, compress: bool) -> Result<()>;
    fn write(&mut self, buf: &[u8]) -> Result<()>;
    fn end(&mut self) -> Result<Ended>;
    /// Writes what is left (the zip's central directory) and flushes: an error here (a full
    /// disk) must fail the export, never leave a truncated archive to be put in place.
    fn close(&mut self) -> Result<()>;
}

/// The zip's file, which stops writing at its first error: the zip library finishes an
/// abandoned archive when dropped and reports a failure to stderr, which on an error path
/// (a full disk) would only repeat the error carton reports. Once failed, writes are
/// discarded (positions still tracked, as the library expects) and the error is kept for
/// [`ZipSink::close`].
struct Guarded {
    inner: BufWriter<File>,
    failed: Option<std::io::ErrorKind>,
    /// Current position, and the furthest one reached.
    pos: u64,
    end: u64,
}

impl Guarded {
    fn new(inner: BufWriter<File>) -> Guarded {
        Guarded { inner, failed: None, pos: 0, end: 0 }
    }

    fn moved(&mut self, pos: u64) -> u64 {
        self.pos = pos;
        self.end = self.end.max(pos);
        pos
    }
}

impl Write for Guarded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.failed.is_some() {
            buf.len()
        } else {
            match self.inner.write(buf) {
                Ok(n) => n,
                Err(e) => {
                    self.failed = Some(e.kind());
                    return Err(e);
                }
            }
        };
        self.moved(self.pos + n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        if self.failed.is_some() {
            return Ok(());
        }
        self.inner.flush().inspect_err(|e| self.failed = Some(e.kind()))
    }
}

impl std::io::Seek for Guarded {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        if self.failed.is_none() {
            return match self.inner.seek(to) {
                Ok(p) => Ok(self.moved(p)),
                Err(e) => {
                    self.failed = Some(e.kind());
                    Err(e)
                }
            };
        }
        let base = match to {
            std::io::SeekFrom::Start(n) => return Ok(self.moved(n)),
            std::io::SeekFrom::Current(d) => (self.pos, d),
            std::io::SeekFrom::End(d) => (self.end, d),
        };
        Ok(self.moved(base.0.saturating_add_signed(base.1)))
    }
}

struct ZipSink {
    /// `None` once closed.
    zip: Option<zip::ZipWriter<Guarded>>,
    top: String,
    time: zip::DateTime,
    path: PathBuf,
    /// The entry being written, when it is deflated.
    deflating: Option<Deflating>,
}

/// A deflated entry being written: where its data starts in the zip, and its size so far.
struct Deflating {
    data_start: u64,
    size: u64,
}

impl ZipSink {
    fn zip(&mut self) -> Result<&mut zip::ZipWriter<Guarded>> {
        let path = self.path.clone();
        self.zip.as_mut().ok_or_else(|| Error::Write(std::io::Error::other("archive closed"), path))
    }

    /// Bytes written to the zip's file so far.
    fn position(&mut self) -> Result<u64> {
        Ok(self.zip()?.get_ref().map_or(0, |g| g.pos))
    }
}

impl Sink for ZipSink {
    fn start(&mut self, name: &str, size: u64, compress: bool) -> Result<()> {
        let method = if compress {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .compression_level(compress.then_some(DEFLATE_LEVEL))
            .last_modified_time(self.time)
            .unix_permissions(0o644)
            .large_file(size >= u64::from(u32::MAX));
        let entry = format!("{}/{name}", self.top);
        let path = self.path.clone();
        self.zip()?.start_file(entry, options).map_err(|e| Error::Zip(e, path))?;
        self.deflating =
            if compress { Some(Deflating { data_start: self.position()?, size: 0 }) } else { None };
        Ok(())
    }
    fn write(&mut self, buf: &[u8]) -> Result<()> {
        let path = self.path.clone();
        self.zip()?.write_all(buf).map_err(|e| Error::Write(e, path))?;
        if let Some(d) = &mut self.deflating {
            d.size += buf.len() as u64;
        }
        Ok(())
    }
    // An entry's deflated size is known only once it is deflated, so the ratio is measured
    // after its data is written: the deflater is flushed, the bytes written since the entry's
    // header counted, and an entry over the ratio is taken back (`abort_file` rewinds the zip
    // to its header) and written again, stored. Deflating into memory first would hold whole
    // large files (and need a deflater of our own), and guessing from the data (runs of one
    // byte) misses other repeated patterns; this way only the entries that deflate that well
    // (blank images, sparse files) are written twice.
    //
    // The reader also holds the whole zip to `MAX_RATIO` (all declared sizes ÷ the zip's
    // size). Entries over `RATIO_FLOOR` are kept under `WRITE_RATIO`; one of at most 1 MiB
    // deflates to at least 1,016 bytes (deflate spends at least 2 bits on each match of at
    // most 258 bytes) and its two headers take at least 98 bytes more (76, and its name of at
    // least 11 bytes twice), so no entry, and no zip, is over about 940:1.
    fn end(&mut self) -> Result<Ended> {
        let Some(entry) = self.deflating.take() else { return Ok(Ended::Written) };
        if entry.size <= RATIO_FLOOR {
            return Ok(Ended::Written);
        }
        let path = self.path.clone();
        // Flushing ends a deflate block: the bytes written since the header are then all the
        // entry has but its last few, which only make the final ratio lower.
        self.zip()?.flush().map_err(|e| Error::Write(e, path.clone()))?;
        let deflated = self.position()?.saturating_sub(entry.data_start);
        if entry.size <= deflated.saturating_mul(WRITE_RATIO) {
            return Ok(Ended::Written);
        }
        self.zip()?.abort_file().map_err(|e| Error::Zip(e, path))?;
        Ok(Ended::TakenBack)
    }
    fn close(&mut self) -> Result<()> {
        let Some(z) = self.zip.take() else { return Ok(()) };
        let mut w = z.finish().map_err(|e| Error::Zip(e, self.path.clone()))?;
        w.flush().map_err(|e| Error::Write(e, self.path.clone()))?;
        match w.failed {
            Some(kind) => Err(Error::Write(kind.into(), self.path.clone())),
            None => Ok(()),
        }
    }
}

struct DirSink {
    root: PathBuf,
    current: Option<(BufWriter<File>, PathBuf)>,
}

impl Sink for DirSink {
    fn start(&mut self, name: &str, _size: u64, _compress: bool) -> Result<()> {
        // Names come from the site walk; refuse anything that could leave the bag anyway.
        if name.split('/').any(|c| c == ".." || c.is_empty()) || name.starts_with('/') {
            return Err(Error::Write(
                std::io::Error::other("unsafe path in bag"),
                self.root.join(name),
            ));
        }
        let path = self.root.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::Write(e, parent.to_path_buf()))?;
        }
        let f = File::create(&path).map_err(|e| Error::Write(e, path.clone()))?;
        self.current = Some((BufWriter::with_capacity(CHUNK, f), path));
        Ok(())
    }
    fn write(&mut self, buf: &[u8]) -> Result<()> {
        match &mut self.current {
            Some((w, p)) => w.write_all(buf).map_err(|e| Error::Write(e, p.clone())),
            None => Ok(()),
        }
    }
    fn end(&mut self) -> Result<Ended> {
        if let Some((w, p)) = self.current.take() {
            w.into_inner().map_err(|e| Error::Write(e.into_error(), p.clone()))?;
        }
        Ok(Ended::Written)
    }
    fn close(&mut self) -> Result<()> {
        self.end().map(drop)
    }
}

/// Writes `bytes` as one entry (stored instead when they deflate beyond [`WRITE_RATIO`]).
fn put(sink: &mut dyn Sink, name: &str, bytes: &[u8], compress: bool) -> Result<()> {
    sink.start(name, bytes.len() as u64, compress)?;
    sink.write(bytes)?;
    if sink.end()? == Ended::TakenBack {
        sink.start(name, bytes.len() as u64, false)?;
        sink.write(bytes)?;
        sink.end()?;
    }
    Ok(())
}

/// Writes `bytes` as one entry and returns its digests, hashed while the entry is written.
fn put_bytes(sink: &mut dyn Sink, name: &str, bytes: &[u8], compress: bool) -> Result<Digests> {
    let (stored, digests) =
        rayon::join(|| put(sink, name, bytes, compress), || digest_bytes(bytes, &Algorithm::ALL));
    stored.map(|()| digests)
}

/// Files up to this size are read whole and hashed by the worker threads, ahead of the
/// writer; larger ones are streamed by the writer in chunks.
const WHOLE_FILE: u64 = 4 << 20;
/// Bytes read ahead per batch of small files.
const BATCH_BYTES: u64 = 16 << 20;
/// Bytes read and hashed but not yet written: bounds the memory the pipeline holds, while
/// letting the hashing threads run a batch or two ahead of the writer.
const AHEAD_BYTES: u64 = 40 << 20;

/// Counts bytes handed to the writer and not yet written; the reader waits on it.
struct Budget {
    pending: std::sync::Mutex<u64>,
    freed: std::sync::Condvar,
}

impl Budget {
    fn take(&self, n: u64) {
        if let Ok(mut p) = self.pending.lock() {
            *p += n;
        }
    }
    fn give(&self, n: u64) {
        if let Ok(mut p) = self.pending.lock() {
            *p = p.saturating_sub(n);
            self.freed.notify_all();
        }
    }
    /// Waits until at most `limit` bytes are pending (or the writer is gone).
    fn wait_below(&self, limit: u64, writer_done: &AtomicBool) {
        let Ok(mut p) = self.pending.lock() else { return };
        while *p > limit && !writer_done.load(Ordering::Relaxed) {
            match self.freed.wait_timeout(p, std::time::Duration::from_millis(50)) {
                Ok((guard, _)) => p = guard,
                Err(_) => return,
            }
        }
    }
}

/// A file's bytes: shared with the page parser, or read here (owned, so no copy is made
/// to share them).
enum Buf {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Buf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Buf::Shared(b) => b,
            Buf::Owned(b) => b,
        }
    }
}

/// A site file made ready for the writer.
enum Prepared {
    /// Read and hashed.
    Bytes(Buf, Digests),
    /// Too large to hold: the writer streams it.
    Stream,
    /// Could not be opened or read.
    Unreadable,
}

fn prepare(file: &SourceFile) -> Prepared {
    let bytes = match &file.bytes {
        Some(b) => Buf::Shared(b.clone()),
        None if file.size > WHOLE_FILE => return Prepared::Stream,
        None => match crate::source::read_regular(&file.abs) {
            Ok(b) if b.len() as u64 > WHOLE_FILE => return Prepared::Stream,
            Ok(b) => Buf::Owned(b),
            Err(_) => return Prepared::Unreadable,
        },
    };
    let d = digest_bytes(&bytes, &Algorithm::ALL);
    Prepared::Bytes(bytes, d)
}

/// Stores every site file in order. Small files are read and hashed in parallel batches
/// while a writer thread stores the previous ones, so hashing (SHA-512 above all) and
/// writing overlap; each file is read once (twice when it must be stored again, not
/// compressed: see [`stream_file`]). Returns how each file was stored (`None`: unreadable).
fn store_site_files(
    sink: &mut dyn Sink,
    files: &[SourceFile],
    progress: ProgressFn,
    interrupt: &AtomicBool,
) -> Result<Vec<Option<Stored>>> {
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Prepared)>();
    let budget = Budget { pending: std::sync::Mutex::new(0), freed: std::sync::Condvar::new() };
    let writer_done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (budget, writer_done) = (&budget, &writer_done);
        let writer = scope.spawn(move || -> Result<Vec<Option<Stored>>> {
            let mut out = Vec::with_capacity(files.len());
            let result = (|| {
                for (i, prepared) in rx {
                    let file: &SourceFile = &files[i];
                    let name = format!("data/{SITE_ROOT}/{}", file.rel);
                    out.push(match prepared {
                        Prepared::Bytes(bytes, d) => {
                            put(sink, &name, &bytes, !is_compressed(&file.rel))?;
                            progress(bytes.len() as u64);
                            budget.give(bytes.len() as u64);
                            Some(Stored { digests: d, reread_differs: false })
                        }
                        Prepared::Stream => stream_file(
                            sink,
                            &name,
                            &file.abs,
                            file.size,
                            !is_compressed(&file.rel),
                            progress,
                        )?,
                        Prepared::Unreadable => None,
                    });
                }
                Ok(())
            })();
            writer_done.store(true, Ordering::Relaxed);
            budget.give(u64::MAX);
            result.map(|()| out)
        });
        let mut start = 0;
        'batches: while start < files.len() {
            if interrupt.load(Ordering::Relaxed) || writer_done.load(Ordering::Relaxed) {
                break;
            }
            budget.wait_below(AHEAD_BYTES - BATCH_BYTES, writer_done);
            let mut end = start;
            let mut bytes = 0;
            while end < files.len()
                && (end == start || bytes + files[end].size.min(WHOLE_FILE) <= BATCH_BYTES)
            {
                bytes += files[end].size.min(WHOLE_FILE);
                end += 1;
            }
            let batch: Vec<Prepared> = files[start..end].par_iter().map(prepare).collect();
            for (k, p) in batch.into_iter().enumerate() {
                if let Prepared::Bytes(b, _) = &p {
                    budget.take(b.len() as u64);
                }
                if tx.send((start + k, p)).is_err() {
                    // The writer stopped on an error: it is returned below.
                    break 'batches;
                }
            }
            start = end;
        }
        drop(tx);
        let result = writer.join().unwrap_or_else(|_| {
            Err(Error::Write(std::io::Error::other("the writer thread panicked"), PathBuf::new()))
        });
        if interrupt.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        // Every listed file must have its outcome: a short list would drop files silently.
        result.and_then(|out| {
            if out.len() == files.len() {
                Ok(out)
            } else {
                Err(Error::Write(
                    std::io::Error::other(format!(
                        "{} of {} site files were stored",
                        out.len(),
                        files.len()
                    )),
                    PathBuf::new(),
                ))
            }
        })
    })
}

/// A site file as it was stored.
#[derive(Debug)]
struct Stored {
    digests: Digests,
    /// The file was read twice, to be stored again not compressed, and the reads differ:
    /// `digests` are the second read's, which is what the archive holds.
    reread_differs: bool,
}

/// Streams one large file into the sink, hashing it on the way; `None` when it cannot be
/// opened. A file that deflates beyond [`WRITE_RATIO`] is read again and stored.
fn stream_file(
    sink: &mut dyn Sink,
    name: &str,
    abs: &Path,
    size: u64,
    compress: bool,
    progress: ProgressFn,
) -> Result<Option<Stored>> {
    let Some((digests, ended)) = stream_once(sink, name, abs, size, compress, progress)? else {
        return Ok(None);
    };
    if ended == Ended::Written {
        return Ok(Some(Stored { digests, reread_differs: false }));
    }
    // The bytes were counted for the progress bar on the first read.
    let Some((again, _)) = stream_once(sink, name, abs, size, false, &|_| {})? else {
        return Ok(None);
    };
    Ok(Some(Stored { reread_differs: again != digests, digests: again }))
}

/// One read of [`stream_file`].
fn stream_once(
    sink: &mut dyn Sink,
    name: &str,
    abs: &Path,
    size: u64,
    compress: bool,
    progress: ProgressFn,
) -> Result<Option<(Digests, Ended)>> {
    let mut f = match crate::source::open_regular(abs) {
        Ok(f) => f,
        Err(_) => return Ok(None),
    };
    sink.start(name, size, compress)?;
    let mut hasher = MultiHasher::new(&Algorithm::ALL);
    let mut buf = vec![0u8; CHUNK.min(size as usize + 1).max(8192)];
    loop {
        let n = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Read(e, abs.to_path_buf())),
        };
        let chunk = &buf[..n];
        sink.write(chunk)?;
        hasher.update(chunk);
        progress(n as u64);
    }
    let ended = sink.end()?;
    Ok(Some((hasher.finish(), ended)))
}

/// Stores the copies of remote files (`--fetch`) under `data/`. Each is hashed again as it
/// is stored: a copy that changed since it was downloaded stops the export rather than
/// be recorded with a checksum it does not have.
fn store_remote_files(
    sink: &mut dyn Sink,
    remote: &[crate::fetch::RemoteFile],
    manifest: &mut BTreeMap<String, Digests>,
    progress: ProgressFn,
) -> Result<()> {
    for f in remote {
        let name = format!("data/{}", f.path);
        let d = stream_file(sink, &name, &f.source, f.size, !is_compressed(&f.path), progress)?
            .ok_or_else(|| {
                Error::Read(std::io::Error::other("the downloaded copy is gone"), f.source.clone())
            })?
            .digests;
        if d.sha256.as_deref() != Some(f.sha256.as_str()) {
            return Err(Error::Read(
                std::io::Error::other(format!(
                    "the downloaded copy of {} changed on disk since it was fetched",
                    f.path
                )),
                f.source.clone(),
            ));
        }
        manifest.insert(name, d);
    }
    Ok(())
}

/// Entries of a zip besides the payload's files: `carton.json`, its schema and the RO-Crate,
/// `bagit.txt`, `bag-info.txt`, and a manifest and a tag manifest per algorithm. Folders have
/// no entries of their own.
const OWN_ENTRIES: usize = 5 + 2 * Algorithm::ALL.len();

/// Why the archive of these files would be refused by its own reader: a zip of more than
/// [`MAX_ENTRIES`] entries, or a file nested more than [`MAX_DEPTH`] folders deep. Checked
/// before anything is written. The site readers leave out, and report, files nested too deep
/// for a zip; this also covers the files of other sources (a snapshot store).
fn check_limits(
    files: &[SourceFile],
    remote: &[crate::fetch::RemoteFile],
    format: Format,
) -> std::result::Result<(), String> {
    let payload = files.len() + remote.len();
    if format == Format::Zip && payload + OWN_ENTRIES > MAX_ENTRIES {
        let fetched = match remote.len() {
            0 => String::new(),
            n => format!(" ({n} of them fetched copies)"),
        };
        return Err(format!(
            "the archive would hold {payload} files{fetched}, and with the {OWN_ENTRIES} carton adds (carton.json, manifests...) {} entries: more than the {MAX_ENTRIES} `carton verify` reads in one zip; export it as a folder (--format dir), which has no such limit, or archive the site in parts",
            payload + OWN_ENTRIES
        ));
    }
    // The names the reader checks: a zip's start with its top folder.
    let base = match format {
        Format::Zip => 2,
        Format::Dir => 1,
    };
    let site = files.iter().map(|f| (f.rel.as_str(), base + 1));
    let fetched = remote.iter().map(|f| (f.path.as_str(), base));
    for (rel, above) in site.chain(fetched) {
        let folders = rel.matches('/').count() + above;
        if folders > MAX_DEPTH {
            return Err(format!(
                "{rel} would be nested {folders} folders deep in the archive, more than the {MAX_DEPTH} `carton verify` reads: move it higher in the site"
            ));
        }
    }
    Ok(())
}

/// Checks that `output` can be written: not existing (unless `force`), not inside the site,
/// and its folder exists.
pub fn check_output(site_root: &Path, output: &Path, force: bool) -> Result<()> {
    if output.exists() && !force {
        return Err(Error::OutputExists(output.to_path_buf()));
    }
    let site = site_root.canonicalize().map_err(|e| Error::Read(e, site_root.to_path_buf()))?;
    let parent = crate::output::parent_of(output);
    let parent_c = parent.canonicalize().map_err(|e| Error::Write(e, parent.clone()))?;
    let out = parent_c.join(output.file_name().unwrap_or_default());
    if out.starts_with(&site) || site.starts_with(&out) {
        return Err(Error::OutputOverlapsInput {
            input: site_root.to_path_buf(),
            output: output.to_path_buf(),
        });
    }
    Ok(())
}

/// `--force --format dir` replaces a folder whole, so only one that holds nothing but a
/// bag's own files, intact (what `carton verify` checks: every file in a manifest, every
/// checksum right), or nothing at all: a folder of other files is never deleted.
fn check_replaceable_bag(output: &Path, interrupt: &AtomicBool) -> Result<()> {
    match fs::symlink_metadata(output) {
        Ok(m) if m.is_dir() && crate::output::occupied(output) => {}
        _ => return Ok(()),
    }
    let report = super::verify(output, &|_| {}, interrupt)?;
    if report.valid {
        return Ok(());
    }
    let first = report.findings.first().map_or_else(String::new, |f| {
        let at = if f.path.is_empty() { String::new() } else { format!("{}: ", f.path) };
        format!(" (first: {at}{})", f.message)
    });
    Err(Error::OutputNotCartons {
        path: output.to_path_buf(),
        msg: format!(
            "not an intact bag ({} problem(s){first}): --force replaces a bag folder only when every file in it is the bag's own, so nothing else is deleted; move the folder away or choose another output",
            report.findings.len()
        ),
    })
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(path, fs::Permissions::from_mode(mode));
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) {}

/// The name of the bag's top folder in a zip: the output's file name without `.zip`.
pub fn bag_name(output: &Path) -> String {
    let name = output.file_name().and_then(|n| n.to_str()).unwrap_or("archive");
    let stem = name.strip_suffix(".zip").unwrap_or(name);
    if stem.is_empty() { "archive".into() } else { stem.to_string() }
}

/// Writes the archive of a site read by [`crate::source::read_site`]. Returns the final
/// model (file digests filled in) and what was written.
///
/// # Errors
/// When the output exists (without `force`), overlaps the site, or cannot be written; when a
/// file that was listed cannot be read to its end; when `interrupt` is set.
pub fn write(
    site: SiteRead,
    site_root: &Path,
    output: &Path,
    opts: &WriteOptions,
    progress: ProgressFn,
    interrupt: &AtomicBool,
) -> Result<(Model, WriteReport)> {
    check_output(site_root, output, opts.force)?;
    if opts.format == Format::Dir && opts.force {
        check_replaceable_bag(output, interrupt)?;
    }
    let SiteRead { mut model, files, remote } = site;
    check_limits(&files, &remote, opts.format)
        .map_err(|msg| Error::Write(std::io::Error::other(msg), output.to_path_buf()))?;
    let parent = crate::output::parent_of(output);
    let (date, zip_time) = dates(opts.source_date_epoch);

    enum Temp {
        File(tempfile::NamedTempFile),
        Dir(tempfile::TempDir),
    }
    let prefix = format!(".{}.", output.file_name().and_then(|n| n.to_str()).unwrap_or("carton"));
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix(&prefix).suffix(".partial");
        b
    };
    let (temp, mut sink): (Temp, Box<dyn Sink>) = match opts.format {
        Format::Zip => {
            let t = builder().tempfile_in(&parent).map_err(|e| Error::Write(e, parent.clone()))?;
            // Temporary files are private (0600); the archive gets ordinary permissions.
            set_mode(t.path(), 0o644);
            let f = t.reopen().map_err(|e| Error::Write(e, t.path().to_path_buf()))?;
            let file = Guarded::new(BufWriter::with_capacity(CHUNK, f));
            let zip = zip::ZipWriter::new(file);
            let sink = ZipSink {
                zip: Some(zip),
                top: bag_name(output),
                time: zip_time,
                path: output.to_path_buf(),
                deflating: None,
            };
            (Temp::File(t), Box::new(sink))
        }
        Format::Dir => {
            let t = builder().tempdir_in(&parent).map_err(|e| Error::Write(e, parent.clone()))?;
            set_mode(t.path(), 0o755);
            let sink = DirSink { root: t.path().to_path_buf(), current: None };
            (Temp::Dir(t), Box::new(sink))
        }
    };

    // A model read back from a snapshot already lists each file's SHA-256: what is stored
    // must be those bytes.
    let known: BTreeMap<String, String> = std::mem::take(&mut model.files)
        .into_iter()
        .filter(|f| !f.sha256.is_empty())
        .map(|f| (f.path, f.sha256))
        .collect();
    let mut manifest: BTreeMap<String, Digests> = BTreeMap::new();
    let mut entries = Vec::with_capacity(files.len());
    let started = std::time::Instant::now();
    let stored = store_site_files(sink.as_mut(), &files, progress, interrupt)?;
    log::debug!("stored {} site files in {} ms", files.len(), started.elapsed().as_millis());
    for (file, stored) in files.iter().zip(stored) {
        let name = format!("data/{SITE_ROOT}/{}", file.rel);
        match stored {
            Some(Stored { digests: d, reread_differs }) => {
                let found = d.sha256.as_deref().unwrap_or_default();
                if let Some(expected) = known.get(&file.rel)
                    && expected != found
                {
                    return Err(Error::StoredFileDamaged {
                        path: file.abs.clone(),
                        expected: format!("sha256 {expected}"),
                        found: format!("sha256 {found}"),
                    });
                }
                let changed = if d.size != file.size {
                    Some(format!("listed {} bytes, stored {}", file.size, d.size))
                } else {
                    reread_differs.then(|| {
                        "read a second time to be stored uncompressed, it had other bytes".into()
                    })
                };
                if let Some(how) = changed {
                    model.problems.push(Problem {
                        code: "changed-while-reading".into(),
                        severity: Severity::Warning,
                        path: file.rel.clone(),
                        line: 0,
                        column: 0,
                        message: format!(
                            "the file changed while it was archived ({how}); the archive holds and checksums what was read"
                        ),
                    });
                }
                entries.push(FileEntry {
                    path: file.rel.clone(),
                    size: d.size,
                    sha256: d.sha256.clone().unwrap_or_default(),
                    media_type: media_type(&file.rel).into(),
                    role: file.role,
                    document: is_document(&file.rel),
                });
                manifest.insert(name, d);
            }
            None => {
                model.summary.skipped.push(Skipped {
                    path: file.rel.clone(),
                    reason: "cannot be opened for reading".into(),
                });
                // A page the reader could not read is reported already, with the cause.
                if model.problems.iter().any(|p| p.path == file.rel && p.code == "unreadable") {
                    continue;
                }
                model.problems.push(Problem {
                    code: "unreadable".into(),
                    severity: Severity::Error,
                    path: file.rel.clone(),
                    line: 0,
                    column: 0,
                    message: "the file cannot be opened for reading (permissions?): it is not in the archive".into(),
                });
            }
        }
    }
    recount(&mut model, &entries);
    model.files = entries;
    store_remote_files(sink.as_mut(), &remote, &mut manifest, progress)?;

    // Start writing back what is stored so far while the metadata is built: the final sync
    // then has little left to wait for.
    if let Temp::File(t) = &temp
        && let Ok(f) = t.as_file().try_clone()
    {
        std::thread::spawn(move || f.sync_data());
    }
    // The schema travels with the archive, so it can be read without carton.
    let schema = super::schema::CARTON_SCHEMA.as_bytes();
    let schema_digests = digest_bytes(schema, &Algorithm::ALL);
    let json_entry = |path: &str, d: &Digests, media_type: &str| FileEntry {
        path: path.into(),
        size: d.size,
        sha256: d.sha256.clone().unwrap_or_default(),
        media_type: media_type.into(),
        role: crate::model::FileRole::Other,
        document: false,
    };
    // carton.json is serialised, hashed and stored while the RO-Crate is built from the same
    // model; the crate's entity for carton.json gets its digest afterwards.
    let unknown = Digests::default();
    let extra = [
        json_entry("carton.json", &unknown, "application/json"),
        json_entry("carton.schema.json", &schema_digests, "application/schema+json"),
    ];
    let sink_ref: &mut dyn Sink = sink.as_mut();
    let (stored, mut ro_crate) = rayon::join(
        || -> Result<Digests> {
            let carton_json = serde_json::to_vec_pretty(&model)
                .map_err(|e| Error::Json(e, "carton.json".into()))?;
            // Every test's export checks the model against the schema the archive ships;
            // release builds leave it to `carton verify`.
            #[cfg(debug_assertions)]
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&carton_json) {
                let errors = super::schema::validate_model(&v);
                debug_assert!(
                    errors.is_empty(),
                    "carton.json does not match its schema: {errors:?}"
                );
            }
            let (digests, stored) = rayon::join(
                || digest_bytes(&carton_json, &Algorithm::ALL),
                || -> Result<()> {
                    put(sink_ref, "data/carton.json", &carton_json, true)?;
                    put(sink_ref, "data/carton.schema.json", schema, true)
                },
            );
            stored.map(|()| digests)
        },
        || rocrate::build(&model, SITE_ROOT, &date, &extra),
    );
    let carton_digests = stored?;
    rocrate::set_file_digest(
        &mut ro_crate,
        "carton.json",
        carton_digests.size,
        carton_digests.sha256.as_deref().unwrap_or_default(),
    );
    manifest.insert("data/carton.json".into(), carton_digests);
    manifest.insert("data/carton.schema.json".into(), schema_digests);
    let crate_bytes = serde_json::to_vec_pretty(&ro_crate)
        .map_err(|e| Error::Json(e, "ro-crate-metadata.json".into()))?;
    let d = put_bytes(sink.as_mut(), "data/ro-crate-metadata.json", &crate_bytes, true)?;
    manifest.insert("data/ro-crate-metadata.json".into(), d);

    log::debug!("carton.json and RO-Crate written at {} ms", started.elapsed().as_millis());
    // Tag files.
    let payload_bytes: u64 = manifest.values().map(|d| d.size).sum();
    let payload_files = manifest.len() as u64;
    let manifests: Vec<(Algorithm, String)> = Algorithm::ALL
        .iter()
        .map(|&alg| {
            let m: BTreeMap<String, String> = manifest
                .iter()
                .map(|(k, d)| (k.clone(), d.get(alg).unwrap_or_default().to_string()))
                .collect();
            (alg, bagit::manifest(&m))
        })
        .collect();
    let identifier = format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            format!("carton:bag:{}", digest_sha256(&manifests[0].1)).as_bytes()
        )
    );
    let info = bagit::bag_info(&BagInfo {
        bagging_date: date.clone(),
        payload_bytes,
        payload_files,
        description: format!(
            "{} site {} archived by carton: site files under data/{SITE_ROOT}/, content model in data/carton.json, RO-Crate in data/ro-crate-metadata.json",
            model.site.generator,
            model.site.title.as_deref().unwrap_or("(untitled)")
        ),
        identifier: identifier.clone(),
    });
    let mut tags: BTreeMap<String, Digests> = BTreeMap::new();
    tags.insert(
        "bagit.txt".into(),
        put_bytes(sink.as_mut(), "bagit.txt", bagit::BAGIT_TXT.as_bytes(), true)?,
    );
    tags.insert(
        "bag-info.txt".into(),
        put_bytes(sink.as_mut(), "bag-info.txt", info.as_bytes(), true)?,
    );
    for (alg, text) in &manifests {
        let name = format!("manifest-{alg}.txt");
        tags.insert(name.clone(), put_bytes(sink.as_mut(), &name, text.as_bytes(), true)?);
    }
    for alg in Algorithm::ALL {
        let m: BTreeMap<String, String> = tags
            .iter()
            .map(|(k, d)| (k.clone(), d.get(alg).unwrap_or_default().to_string()))
            .collect();
        put_bytes(
            sink.as_mut(),
            &format!("tagmanifest-{alg}.txt"),
            bagit::manifest(&m).as_bytes(),
            true,
        )?;
    }

    // Finish, sync and move into place.
    let output_bytes;
    match temp {
        Temp::File(t) => {
            sink.close()?;
            drop(sink);
            let f = t.as_file();
            log::debug!("tag files written at {} ms", started.elapsed().as_millis());
            f.sync_all().map_err(|e| Error::Write(e, t.path().to_path_buf()))?;
            log::debug!("synced at {} ms", started.elapsed().as_millis());
            output_bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
            if opts.force {
                t.persist(output).map_err(|e| Error::Write(e.error, output.to_path_buf()))?;
            } else {
                t.persist_noclobber(output).map_err(|e| match e.error.kind() {
                    std::io::ErrorKind::AlreadyExists => Error::OutputExists(output.to_path_buf()),
                    _ => Error::Write(e.error, output.to_path_buf()),
                })?;
            }
        }
        Temp::Dir(t) => {
            sink.close()?;
            drop(sink);
            output_bytes = payload_bytes;
            crate::output::place_dir(t, output, opts.force)?;
        }
    }
    model.problems.sort();
    Ok((
        model,
        WriteReport {
            path: output.to_path_buf(),
            payload_files,
            payload_bytes,
            output_bytes,
            identifier,
        },
    ))
}

fn digest_sha256(text: &str) -> String {
    digest_bytes(text.as_bytes(), &[Algorithm::Sha256]).sha256.unwrap_or_default()
}

/// Recounts the summary after files that could not be read were left out.
fn recount(model: &mut Model, entries: &[FileEntry]) {
    use crate::model::FileRole;
    let s = &mut model.summary;
    (s.files, s.bytes, s.pages, s.resources, s.static_files, s.config_files, s.other_files) =
        (0, 0, 0, 0, 0, 0, 0);
    for e in entries {
        s.files += 1;
        s.bytes += e.size;
        match e.role {
            FileRole::Page => s.pages += 1,
            FileRole::Resource => s.resources += 1,
            FileRole::Static => s.static_files += 1,
            FileRole::Config => s.config_files += 1,
            FileRole::Other => s.other_files += 1,
        }
    }
    s.skipped.sort_by(|a, b| a.path.cmp(&b.path));
}

/// Bagging-Date and zip entry time, from `SOURCE_DATE_EPOCH` when given.
fn dates(epoch: Option<i64>) -> (String, zip::DateTime) {
    let now = match epoch {
        Some(s) => {
            time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        }
        None => time::OffsetDateTime::now_utc(),
    };
    let date = format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day());
    let zip_time = epoch
        .and_then(|_| {
            zip::DateTime::from_date_and_time(
                now.year().clamp(1980, 2107) as u16,
                u8::from(now.month()),
                now.day(),
                now.hour(),
                now.minute(),
                now.second(),
            )
            .ok()
        })
        .unwrap_or_default();
    (date, zip_time)
}

#[cfg(test)]
mod tests {
    use super::super::reader::Archive;
    use super::*;
    use crate::model::FileRole;

    fn source(rel: String) -> SourceFile {
        SourceFile { rel, abs: PathBuf::new(), size: 0, role: FileRole::Other, bytes: None }
    }

    fn zip_sink(path: &Path) -> ZipSink {
        let f = File::create(path).unwrap();
        ZipSink {
            zip: Some(zip::ZipWriter::new(Guarded::new(BufWriter::new(f)))),
            top: "t".into(),
            time: zip::DateTime::default(),
            path: path.to_path_buf(),
            deflating: None,
        }
    }

    /// Bytes that deflate about 2:1: 16 letters, drawn by a fixed xorshift.
    fn text(len: usize) -> Vec<u8> {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                b'a' + (x % 16) as u8
            })
            .collect()
    }

    #[test]
    fn entries_that_deflate_beyond_the_readers_ratio_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.zip");
        let zeros = vec![0u8; (RATIO_FLOOR * 2) as usize];
        let at_floor = vec![0u8; RATIO_FLOOR as usize];
        let words = text(RATIO_FLOOR as usize * 2);
        let mut sink = zip_sink(&out);
        put(&mut sink, "zeros", &zeros, true).unwrap();
        put(&mut sink, "at-floor", &at_floor, true).unwrap();
        put(&mut sink, "words", &words, true).unwrap();
        put(&mut sink, "after", b"after", true).unwrap();
        sink.close().unwrap();

        let mut z = zip::ZipArchive::new(File::open(&out).unwrap()).unwrap();
        assert_eq!(z.len(), 4, "the entry taken back is not left in the zip");
        for (name, bytes, method) in [
            ("t/zeros", &zeros[..], zip::CompressionMethod::Stored),
            ("t/at-floor", &at_floor[..], zip::CompressionMethod::Deflated),
            ("t/words", &words[..], zip::CompressionMethod::Deflated),
            ("t/after", b"after", zip::CompressionMethod::Deflated),
        ] {
            let mut e = z.by_name(name).unwrap();
            assert_eq!(e.compression(), method, "{name}");
            let mut back = Vec::new();
            e.read_to_end(&mut back).unwrap();
            assert!(back == bytes, "{name} does not read back");
        }
        let a = Archive::open(&out).unwrap();
        assert!(a.bad_entries().is_empty(), "{:?}", a.bad_entries());
    }

    /// Takes the first entry back, as an over-ratio entry is, and changes the file before
    /// it is read again.
    struct TakeBackOnce {
        file: PathBuf,
        ended: Vec<(String, bool, u64)>,
        current: Option<(String, bool, u64)>,
    }

    impl Sink for TakeBackOnce {
        fn start(&mut self, name: &str, _size: u64, compress: bool) -> Result<()> {
            self.current = Some((name.into(), compress, 0));
            Ok(())
        }
        fn write(&mut self, buf: &[u8]) -> Result<()> {
            if let Some(c) = &mut self.current {
                c.2 += buf.len() as u64;
            }
            Ok(())
        }
        fn end(&mut self) -> Result<Ended> {
            let c = self.current.take().unwrap();
            let first = self.ended.is_empty();
            self.ended.push(c);
            if first {
                std::fs::write(&self.file, b"changed in between").unwrap();
                return Ok(Ended::TakenBack);
            }
            Ok(Ended::Written)
        }
        fn close(&mut self) -> Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_file_read_again_to_be_stored_must_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.bin");
        std::fs::write(&file, b"first read").unwrap();
        let mut sink = TakeBackOnce { file: file.clone(), ended: Vec::new(), current: None };
        let s = stream_file(&mut sink, "f", &file, 10, true, &|_| {}).unwrap().unwrap();
        assert_eq!(sink.ended, [("f".into(), true, 10), ("f".into(), false, 18)]);
        assert!(s.reread_differs);
        assert_eq!(s.digests, digest_bytes(b"changed in between", &Algorithm::ALL));

        // Unchanged between the reads: the same digests, nothing to report.
        std::fs::write(&file, b"first read").unwrap();
        let mut sink = TakeBackOnce { file: file.clone(), ended: Vec::new(), current: None };
        sink.file = dir.path().join("elsewhere");
        let s = stream_file(&mut sink, "f", &file, 10, true, &|_| {}).unwrap().unwrap();
        assert!(!s.reread_differs);
        assert_eq!(s.digests, digest_bytes(b"first read", &Algorithm::ALL));
    }

    #[test]
    fn more_files_than_a_zip_may_hold_are_refused_before_writing() {
        let fits: Vec<SourceFile> =
            (0..MAX_ENTRIES - OWN_ENTRIES).map(|i| source(format!("f{i}"))).collect();
        assert_eq!(check_limits(&fits, &[], Format::Zip), Ok(()));
        let mut over = fits;
        over.push(source("one-more".into()));
        let msg = check_limits(&over, &[], Format::Zip).unwrap_err();
        for says in ["99992 files", "100001 entries", "100000", "--format dir"] {
            assert!(msg.contains(says), "{says:?} not in {msg:?}");
        }
        // A bag folder has no such limit.
        assert_eq!(check_limits(&over, &[], Format::Dir), Ok(()));
    }

    #[test]
    fn files_nested_deeper_than_the_reader_reads_are_refused() {
        // In a zip, `top/data/site/` adds three folders.
        let at_limit = format!("{}f", "d/".repeat(MAX_DEPTH - 3));
        let over = format!("d/{at_limit}");
        assert_eq!(check_limits(&[source(at_limit.clone())], &[], Format::Zip), Ok(()));
        let msg = check_limits(&[source(over.clone())], &[], Format::Zip).unwrap_err();
        assert!(msg.contains("257 folders deep") && msg.contains("256"), "{msg}");
        // A bag folder's names start at `data/`.
        assert_eq!(check_limits(&[source(over)], &[], Format::Dir), Ok(()));
    }

    #[test]
    fn own_entries_counts_what_the_writer_adds() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(site.join("hugo.toml"), "title = 't'\n").unwrap();
        std::fs::write(site.join("content/a.md"), "---\ntitle: a\n---\nhi\n").unwrap();
        let read = crate::source::read_site(&site, &Default::default()).unwrap();
        let files = read.files.len();
        let out = dir.path().join("t.zip");
        let opts = WriteOptions { format: Format::Zip, force: false, source_date_epoch: Some(0) };
        write(read, &site, &out, &opts, &|_| {}, &AtomicBool::new(false)).unwrap();
        let z = zip::ZipArchive::new(File::open(&out).unwrap()).unwrap();
        assert_eq!(z.len(), files + OWN_ENTRIES);
    }
}
