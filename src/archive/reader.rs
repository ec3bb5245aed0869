//! Reads a bag, whether zipped (one top-level folder) or unpacked, through one interface.
//! Entry names are checked before anything is read: names that could escape a folder
//! (`..`, absolute paths, backslashes, control characters), links and duplicates are
//! reported and never opened.

use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Tag files and manifests are read whole; larger ones are refused.
pub const MAX_TAG_FILE: u64 = 64 << 20;

// Limits when reading an archive (archive/SPEC.md, "Limits when reading an archive"): an
// archive from elsewhere may be built to exhaust memory, disk or time. Each is checked from
// the central directory, before a byte of an entry is inflated.

/// Most entries a zip may hold. The zip library keeps every central directory record in
/// memory (a few hundred bytes each); the largest site carton was tested with has 1,301 files.
pub const MAX_ENTRIES: usize = 100_000;

/// Deepest folder nesting of an entry name. A site's files are rarely 20 folders deep; a
/// deeper tree is a trap for the tools that unpack or walk it.
pub const MAX_DEPTH: usize = 256;

/// Largest ratio of an entry's declared size to the bytes it takes in the zip (for entries
/// over [`RATIO_FLOOR`]), and of all entries' declared sizes to the zip's size. Deflate never
/// does better than about 1,032:1, reached only by long runs of one byte (what a zip bomb is
/// made of); text deflates 3 to 20 times, and a 50 MB page of one repeated line 158 times.
/// Declaring more than deflate can produce, or entries that share their data, is a bomb. The
/// zip library stops inflating at the declared size, so this bounds what an archive expands to.
pub const MAX_RATIO: u64 = 1000;

/// Entries up to this declared size are not held to [`MAX_RATIO`] on their own.
pub const RATIO_FLOOR: u64 = 1 << 20;

/// One file of the bag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Path inside the bag (`data/site/config.toml`, `bagit.txt`), `/`-separated.
    pub name: String,
    /// Size in bytes (declared, for zips).
    pub size: u64,
}

/// An entry that is not safe or not a regular file, found while listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadEntry {
    /// The name as found.
    pub name: String,
    /// What is wrong with it.
    pub reason: String,
}

enum Backend {
    Zip { zip: zip::ZipArchive<BufReader<File>>, top: String, index: HashMap<String, usize> },
    Dir { root: PathBuf },
}

/// An opened bag.
pub struct Archive {
    path: PathBuf,
    backend: Backend,
    entries: Vec<Entry>,
    bad: Vec<BadEntry>,
    /// Read buffer, kept between entries: zeroing a fresh one per entry costs more than
    /// hashing small files.
    buf: Vec<u8>,
}

/// Why a name may not be used to read or write a file.
pub fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("absolute path");
    }
    if name.len() >= 2 && name.as_bytes()[1] == b':' && name.as_bytes()[0].is_ascii_alphabetic() {
        return Some("drive letter");
    }
    if name.contains('\\') {
        return Some("backslash in name");
    }
    // CR and LF are legal in file names and BagIt percent-encodes them in manifests; every
    // other control character (NUL, escape sequences) is refused.
    if name.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        return Some("control character in name");
    }
    if name.split('/').any(|c| c == ".." || c == ".") {
        return Some("`.` or `..` path component");
    }
    None
}

impl Archive {
    /// Deepest folder nesting of an entry name that is read (archive/SPEC.md, "Limits when
    /// reading an archive"). The site readers leave out the folders of a site nested deeper
    /// than an archive may hold them.
    pub const MAX_DEPTH: usize = MAX_DEPTH;

    /// Opens a zip file or a bag folder.
    ///
    /// # Errors
    /// When the path cannot be read, or is a file that is not a readable zip.
    pub fn open(path: &Path) -> Result<Archive> {
        let meta = std::fs::metadata(path).map_err(|e| Error::Read(e, path.to_path_buf()))?;
        if meta.is_dir() { Self::open_dir(path) } else { Self::open_zip(path) }
    }

    fn open_zip(path: &Path) -> Result<Archive> {
        let f = File::open(path).map_err(|e| Error::Read(e, path.to_path_buf()))?;
        let zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| Error::BadArchive {
            path: path.to_path_buf(),
            msg: format!(
                "not a readable zip archive ({e}); it may be truncated or not a zip at all"
            ),
        })?;
        let archive_len = zip_len(path)?;
        if zip.len() > MAX_ENTRIES {
            return Err(Error::BadArchive {
                path: path.to_path_buf(),
                msg: format!(
                    "the zip holds {} entries, over the limit of {MAX_ENTRIES} carton reads in one archive; it was not read further",
                    zip.len()
                ),
            });
        }
        let mut bad = Vec::new();
        let mut entries = Vec::new();
        let mut index = HashMap::new();
        let mut declared = 0u64;
        // The zip library keeps one entry per name and drops the others without a word: which
        // copy is the file is then anyone's guess, so every entry of a shared name is refused.
        let duplicates =
            if zip.has_duplicate_names() { duplicate_names(path, &zip) } else { HashSet::new() };
        // carton writes one top-level folder; other tools zip the bag's contents directly.
        let flat = zip.index_for_name("bagit.txt").is_some();
        let mut top: Option<String> = flat.then(String::new);
        for i in 0..zip.len() {
            let name = match zip.name_for_index(i) {
                Some(Ok(n)) => n.to_string(),
                Some(Err(e)) => {
                    bad.push(BadEntry {
                        name: format!("entry #{i}"),
                        reason: format!("unreadable name: {e}"),
                    });
                    continue;
                }
                None => continue,
            };
            if let Some(reason) = unsafe_name(name.trim_end_matches('/')) {
                bad.push(BadEntry { name, reason: reason.into() });
                continue;
            }
            if let Some(reason) = too_deep(name.trim_end_matches('/')) {
                bad.push(BadEntry { name, reason });
                continue;
            }
            if zip.by_index_data(i).is_ok_and(|d| duplicates.contains(d.name_raw())) {
                bad.push(BadEntry {
                    name,
                    reason: "duplicate entry (several entries have this name)".into(),
                });
                continue;
            }
            let (first, rest) = if flat {
                ("", name.as_str())
            } else {
                name.split_once('/').unwrap_or((name.as_str(), ""))
            };
            match &top {
                None => top = Some(first.to_string()),
                Some(t) if t != first => {
                    bad.push(BadEntry {
                        name: name.clone(),
                        reason: format!("outside the bag's top folder `{t}`"),
                    });
                    continue;
                }
                _ => {}
            }
            if rest.is_empty() || name.ends_with('/') {
                continue;
            }
            // From the central directory alone: no seek to each local header.
            let meta = zip
                .by_index_data(i)
                .ok()
                .map(|f| (f.is_symlink(), f.size(), f.is_file(), f.compressed_size()));
            match meta {
                Some((true, ..)) => {
                    bad.push(BadEntry { name, reason: "symbolic link entry".into() });
                    continue;
                }
                Some((false, size, true, compressed)) => {
                    if let Some(reason) = size_limits(size, compressed, archive_len) {
                        bad.push(BadEntry { name, reason });
                        continue;
                    }
                    declared = declared.saturating_add(size);
                    // Names that differ only by case are legal in a bag (and in the corpus);
                    // only an exact duplicate is ambiguous.
                    if index.contains_key(rest) {
                        bad.push(BadEntry { name, reason: "duplicate entry".into() });
                        continue;
                    }
                    index.insert(rest.to_string(), i);
                    entries.push(Entry { name: rest.to_string(), size });
                }
                _ => bad.push(BadEntry { name, reason: "not a regular file".into() }),
            }
        }
        // Zip bombs spread over many entries, or whose entries share their data: what the
        // accepted entries declare in all must fit the ratio to the zip's own size too.
        if declared > archive_len.saturating_mul(MAX_RATIO).max(RATIO_FLOOR) {
            return Err(Error::BadArchive {
                path: path.to_path_buf(),
                msg: format!(
                    "its entries declare {declared} bytes in all, over the limit of {MAX_RATIO} times the zip's {archive_len} bytes (a zip bomb?); it was not read further"
                ),
            });
        }
        let Some(top) = top else {
            return Err(Error::BadArchive {
                path: path.to_path_buf(),
                msg: "the zip archive is empty".into(),
            });
        };
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Archive {
            path: path.to_path_buf(),
            backend: Backend::Zip { zip, top, index },
            entries,
            bad,
            buf: Vec::new(),
        })
    }

    fn open_dir(root: &Path) -> Result<Archive> {
        let mut entries = Vec::new();
        let mut bad = Vec::new();
        for e in walkdir::WalkDir::new(root).follow_links(false).sort_by_file_name() {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    let name = err
                        .path()
                        .and_then(|p| p.strip_prefix(root).ok())
                        .map(|p| p.to_string_lossy().into_owned());
                    bad.push(BadEntry {
                        name: name.unwrap_or_default(),
                        reason: format!("cannot be read: {err}"),
                    });
                    continue;
                }
            };
            let Ok(rel) = e.path().strip_prefix(root) else { continue };
            let Some(name) = rel.to_str().map(|s| s.replace(std::path::MAIN_SEPARATOR, "/")) else {
                bad.push(BadEntry {
                    name: rel.to_string_lossy().into_owned(),
                    reason: "name is not valid UTF-8".into(),
                });
                continue;
            };
            if name.is_empty() || e.file_type().is_dir() {
                continue;
            }
            if let Some(reason) = too_deep(&name) {
                bad.push(BadEntry { name, reason });
            } else if e.file_type().is_symlink() {
                bad.push(BadEntry { name, reason: "symbolic link".into() });
            } else if e.file_type().is_file() {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                entries.push(Entry { name, size });
            } else {
                bad.push(BadEntry { name, reason: "not a regular file".into() });
            }
        }
        entries.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Archive {
            path: root.to_path_buf(),
            backend: Backend::Dir { root: root.to_path_buf() },
            entries,
            bad,
            buf: Vec::new(),
        })
    }

    /// Opens the same archive again (for reading on another thread).
    ///
    /// # Errors
    /// As [`Archive::open`].
    pub fn reopen(&self) -> Result<Archive> {
        Archive::open(&self.path)
    }

    /// The archive's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The bag's top folder name inside a zip (empty for a zip of the bag's contents, `None`
    /// for a folder).
    pub fn top(&self) -> Option<&str> {
        match &self.backend {
            Backend::Zip { top, .. } => Some(top),
            Backend::Dir { .. } => None,
        }
    }

    /// Every regular file, sorted by name.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Entries that were refused, with the reason.
    pub fn bad_entries(&self) -> &[BadEntry] {
        &self.bad
    }

    /// Whether a file is present.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.binary_search_by(|e| e.name.as_str().cmp(name)).is_ok()
    }

    /// Streams an entry through `f`, chunk by chunk; returns the bytes read.
    ///
    /// # Errors
    /// When the entry is missing, cannot be decompressed (corrupt data, CRC mismatch) or read.
    pub fn stream(&mut self, name: &str, f: &mut dyn FnMut(&[u8])) -> Result<u64> {
        // Only entries found while listing are read: in a folder, the path of a link or of a
        // file below a linked folder would otherwise be opened through the link.
        if !self.contains(name) {
            return Err(self.not_found(name));
        }
        let path = self.path.clone();
        let mut reader: Box<dyn Read + '_> = match &mut self.backend {
            Backend::Zip { zip, index, .. } => {
                let i = *index.get(name).ok_or_else(|| not_found(&path, name))?;
                let stored = zip.by_index_data(i).is_ok_and(|d| {
                    d.compression() == zip::CompressionMethod::Stored && !d.encrypted()
                });
                // A stored entry is read as is: the SHA digests computed over it make the
                // zip's CRC-32 redundant. Deflated entries are inflated (and CRC-checked).
                let entry = if stored { zip.by_index_raw(i) } else { zip.by_index(i) };
                Box::new(entry.map_err(|e| Error::Zip(e, path.join(name)))?)
            }
            Backend::Dir { root } => {
                let p = root.join(name);
                Box::new(File::open(&p).map_err(|e| Error::Read(e, p.clone()))?)
            }
        };
        let mut buf = std::mem::take(&mut self.buf);
        buf.resize(1 << 20, 0);
        let mut total = 0u64;
        loop {
            match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => {
                    total += n as u64;
                    f(&buf[..n]);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::Read(e, path.join(name))),
            }
        }
        drop(reader);
        self.buf = buf;
        Ok(total)
    }

    /// The error for a name that is not a readable entry; for one refused while listing, why.
    fn not_found(&self, name: &str) -> Error {
        let full = match &self.backend {
            Backend::Zip { top, .. } if !top.is_empty() => format!("{top}/{name}"),
            _ => name.to_string(),
        };
        match self.bad.iter().find(|b| b.name == full) {
            Some(b) => Error::BadArchive {
                path: self.path.join(name),
                msg: format!("entry refused: {}", b.reason),
            },
            None => not_found(&self.path, name),
        }
    }

    /// Reads a whole entry, refusing one larger than `limit` bytes.
    ///
    /// # Errors
    /// As [`Archive::stream`], and when the entry is larger than `limit`.
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut over = false;
        self.stream(name, &mut |c| {
            if out.len() as u64 + c.len() as u64 > limit {
                over = true;
            } else {
                out.extend_from_slice(c);
            }
        })?;
        if over {
            return Err(Error::BadArchive {
                path: self.path.join(name),
                msg: format!("larger than the {} MiB carton reads for this file", limit >> 20),
            });
        }
        Ok(out)
    }
}

/// The zip's size in bytes, which bounds what its entries may honestly declare.
fn zip_len(path: &Path) -> Result<u64> {
    std::fs::metadata(path).map(|m| m.len()).map_err(|e| Error::Read(e, path.to_path_buf()))
}

/// Why an entry name is nested deeper than [`MAX_DEPTH`] folders.
fn too_deep(name: &str) -> Option<String> {
    let folders = name.matches('/').count();
    (folders > MAX_DEPTH)
        .then(|| format!("{folders} folders deep, over the limit of {MAX_DEPTH} carton reads"))
}

/// Why an entry's declared sizes cannot be honest, or are those of a zip bomb.
fn size_limits(size: u64, compressed: u64, archive_len: u64) -> Option<String> {
    if compressed > archive_len {
        return Some(format!(
            "declares {compressed} compressed bytes in a zip of {archive_len} bytes"
        ));
    }
    if size > RATIO_FLOOR && size > compressed.saturating_mul(MAX_RATIO) {
        return Some(format!(
            "compression ratio over the limit of {MAX_RATIO}:1 ({size} bytes declared, {compressed} in the zip: a zip bomb?); it was not inflated"
        ));
    }
    None
}

/// The names shared by several central directory records. The zip library keeps only one
/// record per name, so the records are read again here, from the central directory's start.
fn duplicate_names(path: &Path, zip: &zip::ZipArchive<BufReader<File>>) -> HashSet<Vec<u8>> {
    let mut seen = HashSet::new();
    let mut twice = HashSet::new();
    let Ok(f) = File::open(path) else { return twice };
    let mut r = BufReader::new(f);
    if r.seek(SeekFrom::Start(zip.central_directory_start())).is_err() {
        return twice;
    }
    // Each record: signature, 42 bytes of fields, then name, extra field and comment.
    let mut head = [0u8; 46];
    while r.read_exact(&mut head).is_ok() && head[..4] == *b"PK\x01\x02" {
        let len = |at: usize| u16::from_le_bytes([head[at], head[at + 1]]) as usize;
        let mut name = vec![0u8; len(28)];
        let skip = (len(30) + len(32)) as i64;
        if r.read_exact(&mut name).is_err() || r.seek_relative(skip).is_err() {
            break;
        }
        if !seen.insert(name.clone()) {
            twice.insert(name);
        }
    }
    twice
}

fn not_found(path: &Path, name: &str) -> Error {
    Error::Read(std::io::Error::new(std::io::ErrorKind::NotFound, "no such entry"), path.join(name))
}
