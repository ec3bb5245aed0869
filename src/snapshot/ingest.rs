//! Reading a site into a new version: which files must be read (the stat cache spares the
//! rest), hashing them with SHA-512 and SHA-256 in one read while copying them into the
//! staged version, and keeping only content the object does not hold yet.

use super::SnapshotFile;
use super::statcache::{ObjectCache, Stat};
use crate::archive::{Algorithm, Digests, MultiHasher, digest_bytes};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

const BUF_SIZE: usize = 256 * 1024;

/// The digests of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileDigests {
    pub sha512: String,
    pub sha256: Option<String>,
    pub size: u64,
}

/// Reads `src` to its end, hashing it (SHA-512, and SHA-256 when `sha256`), and writes the same
/// bytes to `dest` when given, so what is stored is exactly what was hashed. `progress`
/// receives bytes as they are read.
pub(crate) fn hash_copy(
    src: &Path,
    dest: Option<&Path>,
    sha256: bool,
    progress: &(dyn Fn(u64) + Sync),
    interrupt: &AtomicBool,
) -> Result<FileDigests> {
    let mut input =
        crate::source::open_regular(src).map_err(|e| Error::Read(e, src.to_path_buf()))?;
    let mut output = match dest {
        Some(d) => Some(File::create(d).map_err(|e| Error::Write(e, d.to_path_buf()))?),
        None => None,
    };
    let algorithms: &[Algorithm] =
        if sha256 { &[Algorithm::Sha512, Algorithm::Sha256] } else { &[Algorithm::Sha512] };
    let mut hasher = MultiHasher::new(algorithms);
    let mut buf = vec![0u8; BUF_SIZE];
    loop {
        if interrupt.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::Read(e, src.to_path_buf())),
        };
        let chunk = &buf[..n];
        hasher.update(chunk);
        if let (Some(out), Some(d)) = (&mut output, dest) {
            out.write_all(chunk).map_err(|e| Error::Write(e, d.to_path_buf()))?;
        }
        progress(n as u64);
    }
    Ok(FileDigests::from(hasher.finish()))
}

impl From<Digests> for FileDigests {
    fn from(d: Digests) -> Self {
        FileDigests { sha512: d.sha512.unwrap_or_default(), sha256: d.sha256, size: d.size }
    }
}

/// Digests of bytes held in memory.
pub(crate) fn hash_bytes(bytes: &[u8]) -> FileDigests {
    FileDigests::from(digest_bytes(bytes, &[Algorithm::Sha512, Algorithm::Sha256]))
}

/// What the object holds before this version.
pub(crate) struct Known<'a> {
    /// logical path → sha512, in the head version.
    pub head_state: HashMap<&'a str, &'a str>,
    /// Every digest in the manifest.
    pub manifest: &'a BTreeMap<String, Vec<String>>,
}

/// The outcome of reading the site.
#[derive(Debug, Default)]
pub(crate) struct Ingested {
    /// logical path → sha512, for every file of the version.
    pub state: BTreeMap<String, String>,
    /// sha512 → the content stored for it in this version.
    pub new_content: BTreeMap<String, NewContent>,
    /// Logical files whose content the object already held.
    pub reused_files: usize,
    /// The stat cache for the new version.
    pub cache: ObjectCache,
}

/// Content stored by this version, at `vN/content/<logical>`.
#[derive(Debug, Clone)]
pub(crate) struct NewContent {
    pub logical: String,
    pub sha256: Option<String>,
    pub size: u64,
}

/// A file's digest: the head's (the stat cache vouched for the file) or read now.
enum Resolved {
    Head(String),
    Read(FileDigests),
}

impl Resolved {
    fn sha512(&self) -> &str {
        match self {
            Resolved::Head(d) => d,
            Resolved::Read(d) => &d.sha512,
        }
    }
}

enum Plan {
    /// The stat cache vouches for the head's digest.
    Cached(String),
    /// Probably unchanged (`--rehash`): hash without copying; copy afterwards if new.
    Hash,
    /// Hash while copying into the staged version.
    HashCopy(PathBuf),
}

/// Reads `files` and `extra` into the staged content folder `content` (created as needed).
///
/// # Errors
/// When a file cannot be read or staged, or on interrupt; the caller removes the staging.
#[allow(clippy::too_many_arguments)]
pub(crate) fn ingest(
    files: &[SnapshotFile],
    extra: &[(String, Vec<u8>)],
    known: &Known,
    cache: Option<&ObjectCache>,
    rehash: bool,
    content: &Path,
    progress: &(dyn Fn(u64) + Sync),
    interrupt: &AtomicBool,
) -> Result<Ingested> {
    let start = SystemTime::now();
    let plans: Vec<Plan> = files
        .iter()
        .map(|f| {
            let stat = Stat::new(f.size, f.mtime);
            let cached = stat.is_some() && cache.and_then(|c| c.files.get(&f.rel)) == stat.as_ref();
            match known.head_state.get(f.rel.as_str()) {
                Some(d) if cached && !rehash => Plan::Cached((*d).to_string()),
                Some(_) if cached => Plan::Hash,
                _ => Plan::HashCopy(content.join(&f.rel)),
            }
        })
        .collect();
    let parents: BTreeSet<&Path> = plans
        .iter()
        .filter_map(|p| match p {
            Plan::HashCopy(d) => d.parent(),
            _ => None,
        })
        .collect();
    for dir in parents {
        fs::create_dir_all(dir).map_err(|e| Error::Write(e, dir.to_path_buf()))?;
    }
    let resolved: Vec<Resolved> = files
        .par_iter()
        .zip(&plans)
        .map(|(f, plan)| match plan {
            Plan::Cached(d) => Ok(Resolved::Head(d.clone())),
            Plan::Hash => hash_copy(&f.abs, None, true, progress, interrupt).map(Resolved::Read),
            Plan::HashCopy(d) => {
                hash_copy(&f.abs, Some(d), true, progress, interrupt).map(Resolved::Read)
            }
        })
        .collect::<Result<_>>()?;

    let mut out = Ingested::default();
    // New digests, each with the files that have it, in path order.
    let mut fresh: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (f, r)) in files.iter().zip(&resolved).enumerate() {
        let read_as_listed = match r {
            Resolved::Read(d) => d.size == f.size,
            Resolved::Head(_) => true,
        };
        if let Some(s) = Stat::new(f.size, f.mtime).filter(|s| read_as_listed && !s.is_racy(start))
        {
            out.cache.files.insert(f.rel.clone(), s);
        }
        if known.manifest.contains_key(r.sha512()) {
            out.reused_files += 1;
            remove_staged(&plans[i])?;
        } else {
            fresh.entry(r.sha512()).or_default().push(i);
        }
        out.state.insert(f.rel.clone(), r.sha512().to_string());
    }
    for (sha512, idx) in fresh {
        // The first staged copy is kept, the others removed.
        let staged = idx.iter().copied().find(|&i| matches!(plans[i], Plan::HashCopy(_)));
        for &i in &idx {
            if Some(i) != staged {
                remove_staged(&plans[i])?;
            }
        }
        let (i, d) = match staged.map(|i| (i, &resolved[i])) {
            Some((i, Resolved::Read(d))) => (i, d.clone()),
            _ => {
                // Read without copying (`--rehash`) yet new: copy it now, and make sure the
                // bytes copied are the bytes hashed.
                let f = &files[idx[0]];
                let dest = content.join(&f.rel);
                create_parent(&dest)?;
                let d = hash_copy(&f.abs, Some(&dest), true, progress, interrupt)?;
                if d.sha512 != sha512 {
                    return Err(Error::SourceChanged(f.abs.clone()));
                }
                (idx[0], d)
            }
        };
        let logical = files[i].rel.clone();
        out.new_content
            .insert(sha512.to_string(), NewContent { logical, sha256: d.sha256, size: d.size });
    }
    for (logical, bytes) in extra {
        let d = hash_bytes(bytes);
        if known.manifest.contains_key(&d.sha512) {
            out.reused_files += 1;
        } else if !out.new_content.contains_key(&d.sha512) {
            let dest = content.join(logical);
            create_parent(&dest)?;
            fs::write(&dest, bytes).map_err(|e| Error::Write(e, dest.clone()))?;
            out.new_content.insert(
                d.sha512.clone(),
                NewContent { logical: logical.clone(), sha256: d.sha256, size: d.size },
            );
        }
        out.state.insert(logical.clone(), d.sha512);
    }
    prune_empty_dirs(content)?;
    Ok(out)
}

fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(dir) => fs::create_dir_all(dir).map_err(|e| Error::Write(e, dir.to_path_buf())),
        None => Ok(()),
    }
}

fn remove_staged(plan: &Plan) -> Result<()> {
    if let Plan::HashCopy(d) = plan {
        fs::remove_file(d).map_err(|e| Error::Write(e, d.clone()))?;
    }
    Ok(())
}

/// Removes the empty folders left under `dir` once duplicates are dropped (OCFL E024: no
/// empty folder in a content directory), `dir` included when it ends up empty.
fn prune_empty_dirs(dir: &Path) -> Result<bool> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(Error::Read(e, dir.to_path_buf())),
    };
    let mut empty = true;
    for entry in entries {
        let entry = entry.map_err(|e| Error::Read(e, dir.to_path_buf()))?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if !(is_dir && prune_empty_dirs(&entry.path())?) {
            empty = false;
        }
    }
    if empty {
        fs::remove_dir(dir).map_err(|e| Error::Write(e, dir.to_path_buf()))?;
    }
    Ok(empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_copy_hashes_what_it_copies() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("a");
        let big: Vec<u8> = (0..3 * 64 * 1024 + 7).map(|i| (i % 251) as u8).collect();
        fs::write(&src, &big).unwrap();
        let dest = tmp.path().join("b");
        let stop = AtomicBool::new(false);
        let d = hash_copy(&src, Some(&dest), true, &|_| {}, &stop).unwrap();
        assert_eq!(fs::read(&dest).unwrap(), big);
        assert_eq!(d, hash_bytes(&big));
        let only512 = hash_copy(&src, None, false, &|_| {}, &stop).unwrap();
        assert_eq!((only512.sha512, only512.sha256), (d.sha512, None));
        stop.store(true, Ordering::Relaxed);
        assert!(matches!(hash_copy(&src, None, true, &|_| {}, &stop), Err(Error::Interrupted)));
    }

    #[test]
    fn prune_keeps_files_and_drops_empty_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let c = tmp.path().join("content");
        fs::create_dir_all(c.join("a/b/c")).unwrap();
        fs::create_dir_all(c.join("d")).unwrap();
        fs::write(c.join("d/f"), "x").unwrap();
        assert!(!prune_empty_dirs(&c).unwrap());
        assert!(!c.join("a").exists());
        assert!(c.join("d/f").exists());
        fs::remove_file(c.join("d/f")).unwrap();
        assert!(prune_empty_dirs(&c).unwrap());
        assert!(!c.exists());
    }
}
