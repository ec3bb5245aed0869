//! Where downloads go: content-addressed blobs (one file per distinct SHA-256), and, when
//! the user names a cache (`--fetch-cache DIR`), one record per URL so that the next run
//! can send a conditional request and reuse the copy the server confirms unchanged.
//!
//! Layout of a cache folder (`carton-fetch-1/` inside the folder named):
//! `blobs/<2 hex>/<sha256>`, `entries/<sha256 of the URL>.json` (the retrieval record of
//! the stored copy), `tmp/` (downloads in progress). Failures are never recorded.

use crate::error::{Error, Result};
use crate::model::{Outcome, Retrieval};
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The cache layout's version: a future layout gets a new folder, never a misread.
const LAYOUT: &str = "carton-fetch-1";

/// Blobs and, for a cache, the per-URL records.
pub struct Store {
    root: PathBuf,
    cache: bool,
    /// A scratch store lives in a temporary folder removed when the store is dropped.
    _temp: Option<tempfile::TempDir>,
}

impl Store {
    /// A cache in `dir` (created if needed), kept across runs.
    pub fn cache(dir: &Path) -> Result<Store> {
        let root = dir.join(LAYOUT);
        for sub in ["blobs", "entries", "tmp"] {
            let p = root.join(sub);
            fs::create_dir_all(&p).map_err(|e| Error::Write(e, p))?;
        }
        Ok(Store { root, cache: true, _temp: None })
    }

    /// A scratch store in a temporary folder inside `parent`, removed when dropped.
    pub fn scratch(parent: &Path, prefix: &str) -> Result<Store> {
        let temp = tempfile::Builder::new()
            .prefix(prefix)
            .suffix(".partial")
            .tempdir_in(parent)
            .map_err(|e| Error::Write(e, parent.to_path_buf()))?;
        let root = temp.path().to_path_buf();
        for sub in ["blobs", "tmp"] {
            let p = root.join(sub);
            fs::create_dir_all(&p).map_err(|e| Error::Write(e, p))?;
        }
        Ok(Store { root, cache: false, _temp: Some(temp) })
    }

    /// Where downloads are streamed before they are kept.
    pub fn spool(&self) -> PathBuf {
        self.root.join("tmp")
    }

    /// The path of the blob with this SHA-256.
    pub fn blob(&self, sha256: &str) -> PathBuf {
        self.root.join("blobs").join(&sha256[..2.min(sha256.len())]).join(sha256)
    }

    /// Moves a finished download to its blob path (the same bytes twice make one blob).
    pub fn keep(&self, file: tempfile::NamedTempFile, sha256: &str) -> Result<PathBuf> {
        let dest = self.blob(sha256);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::Write(e, dir.to_path_buf()))?;
        }
        file.persist(&dest).map_err(|e| Error::Write(e.error, dest.clone()))?;
        Ok(dest)
    }

    fn entry_path(&self, url: &str) -> PathBuf {
        self.root
            .join("entries")
            .join(format!("{}.json", hex::encode(Sha256::digest(url.as_bytes()))))
    }

    /// The cached record of `url`, when there is one whose blob is intact (size and
    /// SHA-256 checked: a damaged cache costs a download, never a wrong archive).
    pub fn lookup(&self, url: &str) -> Option<Retrieval> {
        if !self.cache {
            return None;
        }
        let bytes = fs::read(self.entry_path(url)).ok()?;
        let rec: Retrieval = serde_json::from_slice(&bytes).ok()?;
        if rec.url != url || rec.outcome != Some(Outcome::Stored) {
            return None;
        }
        let (sha, size) = (rec.sha256.as_deref()?, rec.size?);
        let blob = self.blob(sha);
        let ok = fs::metadata(&blob).is_ok_and(|m| m.len() == size)
            && hash_file(&blob).as_deref() == Some(sha);
        if !ok {
            log::warn!("cached copy of {url} is damaged or gone: downloading it again");
        }
        ok.then_some(rec)
    }

    /// Records a stored retrieval for the next run (written atomically).
    pub fn record(&self, rec: &Retrieval) {
        if !self.cache || rec.outcome != Some(Outcome::Stored) {
            return;
        }
        let path = self.entry_path(&rec.url);
        let Ok(json) = serde_json::to_vec_pretty(rec) else { return };
        let written = tempfile::NamedTempFile::new_in(self.spool()).and_then(|mut t| {
            std::io::Write::write_all(&mut t, &json)?;
            t.persist(&path).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = written {
            log::warn!("cannot record {} in the fetch cache: {e}", rec.url);
        }
    }
}

/// SHA-256 of a file, streamed.
pub fn hash_file(path: &Path) -> Option<String> {
    let mut f = fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match f.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => h.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(hex::encode(h.finalize()))
}
