//! What a store holds: the versions of a site (`carton log`), the files of one version (for
//! diff and export), and what a site costs in the store.

use super::ocfl::{Inventory, version_name};
use super::{Repo, User, restore, statcache};
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// One version, for `carton log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    /// `v1`, `v2`, ...
    pub version: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// Why.
    pub message: Option<String>,
    /// Who.
    pub user: Option<User>,
    /// Files in it, reserved `.carton/` files included.
    pub files: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Files first stored by this version.
    pub new_files: usize,
    /// Their bytes.
    pub new_bytes: u64,
}

/// One file of a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateEntry {
    /// Its path in the site (or under [`RESERVED_PREFIX`](super::RESERVED_PREFIX)).
    pub logical: String,
    /// SHA-512, lower-case hex.
    pub sha512: String,
    /// SHA-256 from the inventory's fixity block, when recorded.
    pub sha256: Option<String>,
    /// Bytes.
    pub size: u64,
    /// Where its content is stored, relative to the object root (`v1/content/...`).
    pub content_path: String,
}

/// What the store spends on one object: content, and the metadata that describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Footprint {
    /// Versions.
    pub versions: usize,
    /// Stored content files.
    pub content_files: usize,
    /// Their bytes.
    pub content_bytes: u64,
    /// Everything else in the object (declaration, inventories, sidecars) plus the object's
    /// share of the stat cache.
    pub metadata_bytes: u64,
}

impl Repo {
    /// Every version of object `id`, oldest first.
    ///
    /// # Errors
    /// When the object does not exist, or its inventory or a stored file cannot be read.
    pub fn log(&self, id: &str) -> Result<Vec<VersionInfo>> {
        let (obj, inv) = self.load(id)?;
        let sizes = content_sizes(&obj, &inv)?;
        let size_of = |digest: &str| {
            inv.content_path(digest).and_then(|p| sizes.get(p)).copied().unwrap_or(0)
        };
        let mut out = Vec::new();
        for (n, v) in &inv.versions.0 {
            let prefix = format!("v{n}/");
            let new: Vec<u64> =
                sizes.iter().filter(|(p, _)| p.starts_with(&prefix)).map(|(_, s)| *s).collect();
            out.push(VersionInfo {
                version: version_name(*n),
                created: v.created.clone(),
                message: v.message.clone(),
                user: v.user.clone(),
                files: v.state.values().map(Vec::len).sum(),
                bytes: v.state.iter().map(|(d, p)| size_of(d) * p.len() as u64).sum(),
                new_files: new.len(),
                new_bytes: new.iter().sum(),
            });
        }
        Ok(out)
    }

    /// Every file of `version` of object `id`, sorted by logical path.
    ///
    /// # Errors
    /// When the object or version does not exist, or a stored file cannot be read.
    pub fn state(&self, id: &str, version: &str) -> Result<Vec<StateEntry>> {
        let (obj, inv) = self.load(id)?;
        let (_, v) = inv.version(version).ok_or_else(|| restore::unknown_version(&inv, version))?;
        let sha256 = inv.sha256_by_path();
        let mut out = Vec::new();
        for (digest, paths) in &v.state {
            let content = restore::content_file(&obj, &inv, digest)?;
            let size = fs::metadata(&content).map_err(|e| Error::Read(e, content.clone()))?.len();
            let content_path = inv.content_path(digest).unwrap_or_default().to_string();
            for p in paths {
                out.push(StateEntry {
                    logical: p.clone(),
                    sha512: digest.clone(),
                    sha256: sha256.get(content_path.as_str()).map(|s| s.to_string()),
                    size,
                    content_path: content_path.clone(),
                });
            }
        }
        out.sort_by(|a, b| a.logical.cmp(&b.logical));
        Ok(out)
    }

    /// What object `id` costs in the store (see archive/SNAPSHOTS.md, "Size").
    ///
    /// # Errors
    /// When the object does not exist or cannot be read.
    pub fn footprint(&self, id: &str) -> Result<Footprint> {
        let (obj, inv) = self.load(id)?;
        let sizes = content_sizes(&obj, &inv)?;
        let content_bytes: u64 = sizes.values().sum();
        let mut total = 0;
        for entry in walkdir::WalkDir::new(&obj) {
            let entry = entry.map_err(|e| Error::Read(e.into(), obj.clone()))?;
            if entry.file_type().is_file() {
                total += entry
                    .metadata()
                    .map_err(|e| Error::Read(e.into(), entry.path().to_path_buf()))?
                    .len();
            }
        }
        let cache = statcache::load(&self.root, id).map_or(0, |c| statcache::size(&c));
        Ok(Footprint {
            versions: inv.versions.0.len(),
            content_files: sizes.len(),
            content_bytes,
            metadata_bytes: total - content_bytes + cache,
        })
    }
}

/// The size of every stored file, by content path.
fn content_sizes(obj: &Path, inv: &Inventory) -> Result<BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for p in inv.manifest.values().flatten() {
        let path = obj.join(p);
        let len = fs::metadata(&path).map_err(|e| Error::Read(e, path.clone()))?.len();
        out.insert(p.clone(), len);
    }
    Ok(out)
}
