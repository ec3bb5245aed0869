//! Reads a bag, whether zipped (one top-level folder) or unpacked, through one interface.
//! Entry names are checked before anything is read: names that could escape a folder
//! (`..`, absolute paths, backslashes, control characters), links and duplicates are
//! reported and never opened.

use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Tag files and manifests are read whole; larger ones are refused.
pub const MAX_TAG_FILE: u64 = 64 << 20;

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
        let mut bad = Vec::new();
        let mut entries = Vec::new();
        let mut index = HashMap::new();
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
            let meta = zip.by_index_data(i).ok().map(|f| (f.is_symlink(), f.size(), f.is_file()));
            match meta {
                Some((true, _, _)) => {
                    bad.push(BadEntry { name, reason: "symbolic link entry".into() });
                    continue;
                }
                Some((false, size, true)) => {
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
            if e.file_type().is_symlink() {
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
                if unsafe_name(name).is_some() {
                    return Err(not_found(&path, name));
                }
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

fn not_found(path: &Path, name: &str) -> Error {
    Error::Read(std::io::Error::new(std::io::ErrorKind::NotFound, "no such entry"), path.join(name))
}
