//! Getting a version back: the whole tree into a folder, or one file into memory, each byte
//! checked against the SHA-512 the inventory records as it is copied.

use super::describe::{CARTON_JSON_PLAIN, gunzip};
use super::ingest::hash_copy;
use super::ocfl::Inventory;
use super::{CARTON_JSON, RESERVED_PREFIX, RO_CRATE, Repo};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// How to restore.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Replace an existing destination.
    pub force: bool,
    /// Also write the version's description, decompressed: the reserved `.carton/` files (its
    /// `carton.json` and schema), and its RO-Crate as `ro-crate-metadata.json` at the root,
    /// which makes the tree an attached RO-Crate (under `.carton/` when the site has its own).
    pub with_reserved: bool,
}

/// What a restore wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreReport {
    /// The version restored (`v2`).
    pub version: String,
    /// Files written.
    pub files: usize,
    /// Bytes written.
    pub bytes: u64,
    /// The destination folder.
    pub dest: PathBuf,
    /// What the destination already held and what became of it (see
    /// [`crate::output::Existing`]); absent when it was new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<crate::output::Existing>,
}

impl Repo {
    /// Writes the exact tree of `version` of object `id` into `dest`: built in a folder beside
    /// it and renamed into place when complete, so `dest` is never left half written. The
    /// reserved `.carton/` files are left out unless `opts.with_reserved`. Folders that held no
    /// file are not recorded by OCFL and are not recreated.
    ///
    /// # Errors
    /// When the object or version does not exist, `dest` exists without `opts.force`, a stored
    /// file is missing or does not match its digest ([`Error::StoredFileDamaged`]), a file
    /// cannot be written, or on interrupt; `dest` is then left as it was.
    pub fn restore(
        &self,
        id: &str,
        version: &str,
        dest: &Path,
        opts: &RestoreOptions,
        progress: &(dyn Fn(u64) + Sync),
        interrupt: &AtomicBool,
    ) -> Result<RestoreReport> {
        let dest = &crate::output::named(dest);
        let (obj, inv) = self.load(id)?;
        let entries = copies(&obj, &inv, version, opts.with_reserved)?;
        // Carton's record of what it wrote goes with the tree, unless the version has a file
        // of that name (a site snapshotted by an older carton): the tree is restored exactly.
        let record = !entries.iter().any(|c| c.logical == crate::output::RECORD);
        let mut new: std::collections::HashSet<&str> =
            entries.iter().map(|c| c.logical.as_str()).collect();
        new.insert(crate::output::RECORD);
        let existing = crate::output::Existing::survey(dest, opts.force, &new)?;
        let parent = crate::output::parent_of(dest);
        fs::create_dir_all(&parent).map_err(|e| Error::Write(e, parent.clone()))?;
        let staged = tempfile::Builder::new()
            .prefix(".carton-restore.")
            .tempdir_in(&parent)
            .map_err(|e| Error::Write(e, parent.clone()))?;
        let dirs: BTreeSet<PathBuf> = entries
            .iter()
            .filter_map(|c| staged.path().join(&c.logical).parent().map(Path::to_path_buf))
            .collect();
        for d in &dirs {
            fs::create_dir_all(d).map_err(|e| Error::Write(e, d.clone()))?;
        }
        let written: Vec<(u64, String)> = entries
            .par_iter()
            .map(|c| {
                let to = staged.path().join(&c.logical);
                if c.gunzip {
                    let bytes =
                        fs::read(&c.source).map_err(|e| Error::Read(e, c.source.clone()))?;
                    check(&c.source, &c.sha512, &super::ocfl::sha512_hex(&bytes))?;
                    let plain = gunzip(&bytes, &c.source.display().to_string())?;
                    fs::write(&to, &plain).map_err(|e| Error::Write(e, to.clone()))?;
                    progress(bytes.len() as u64);
                    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&plain));
                    return Ok((plain.len() as u64, sha256));
                }
                let d = hash_copy(&c.source, Some(&to), record, progress, interrupt)?;
                check(&c.source, &c.sha512, &d.sha512)?;
                Ok((d.size, d.sha256.unwrap_or_default()))
            })
            .collect::<Result<_>>()?;
        if record {
            let listed =
                entries.iter().zip(&written).map(|(c, (_, h))| (c.logical.clone(), h.clone()));
            let at = staged.path().join(crate::output::RECORD);
            fs::write(&at, crate::output::record(&listed.collect()))
                .map_err(|e| Error::Write(e, at))?;
        }
        match &existing {
            Some(e) => e.place(staged, dest)?,
            None => crate::output::place_dir(staged, dest, false)?,
        }
        Ok(RestoreReport {
            version: version.into(),
            files: entries.len(),
            bytes: written.iter().map(|(n, _)| n).sum(),
            dest: dest.to_path_buf(),
            existing,
        })
    }

    /// The bytes of the file at `logical` in `version` of object `id`, checked against their
    /// digest.
    ///
    /// # Errors
    /// When the object, version or file does not exist, or the stored file cannot be read or
    /// is damaged.
    pub fn read(&self, id: &str, version: &str, logical: &str) -> Result<Vec<u8>> {
        let (obj, inv) = self.load(id)?;
        let (_, v) = inv.version(version).ok_or_else(|| unknown_version(&inv, version))?;
        let digest = v
            .state
            .iter()
            .find(|(_, paths)| paths.iter().any(|p| p == logical))
            .map(|(d, _)| d)
            .ok_or_else(|| Error::UnknownVersion {
                id: id.into(),
                msg: format!("{version} has no file {logical}"),
            })?;
        let source = content_file(&obj, &inv, digest)?;
        let bytes = fs::read(&source).map_err(|e| Error::Read(e, source.clone()))?;
        check(&source, digest, &super::ocfl::sha512_hex(&bytes))?;
        Ok(bytes)
    }
}

/// One file to restore.
struct Copy {
    logical: String,
    source: PathBuf,
    sha512: String,
    /// A generated file stored compressed, written plain.
    gunzip: bool,
}

/// Where an attached RO-Crate's metadata file is.
const CRATE_AT_ROOT: &str = "ro-crate-metadata.json";

fn copies(obj: &Path, inv: &Inventory, version: &str, with_reserved: bool) -> Result<Vec<Copy>> {
    let (_, v) = inv.version(version).ok_or_else(|| unknown_version(inv, version))?;
    let site_has_crate = v.state.values().flatten().any(|p| p == CRATE_AT_ROOT);
    let mut out = Vec::new();
    for (digest, paths) in &v.state {
        let source = content_file(obj, inv, digest)?;
        for p in paths {
            if !with_reserved && p.starts_with(RESERVED_PREFIX) {
                continue;
            }
            let logical = match p.as_str() {
                CARTON_JSON => CARTON_JSON_PLAIN,
                RO_CRATE if site_has_crate => ".carton/ro-crate-metadata.json",
                RO_CRATE => CRATE_AT_ROOT,
                _ => p,
            };
            out.push(Copy {
                logical: logical.to_string(),
                source: source.clone(),
                sha512: digest.clone(),
                gunzip: p == CARTON_JSON || p == RO_CRATE,
            });
        }
    }
    Ok(out)
}

/// The stored file holding `digest`.
pub(crate) fn content_file(obj: &Path, inv: &Inventory, digest: &str) -> Result<PathBuf> {
    // `Inventory::check` made sure every state digest is in the manifest.
    let rel = inv.content_path(digest).ok_or_else(|| Error::BadInventory {
        path: obj.join(super::ocfl::INVENTORY),
        msg: format!("digest {digest} is not in the manifest"),
    })?;
    Ok(obj.join(rel))
}

pub(crate) fn unknown_version(inv: &Inventory, version: &str) -> Error {
    Error::UnknownVersion {
        id: inv.id.clone(),
        msg: format!("no version {version:?} (versions are v1 to {})", inv.head),
    }
}

fn check(path: &Path, expected: &str, found: &str) -> Result<()> {
    if expected.eq_ignore_ascii_case(found) {
        Ok(())
    } else {
        Err(Error::StoredFileDamaged {
            path: path.to_path_buf(),
            expected: format!("sha512 {expected}"),
            found: format!("sha512 {found}"),
        })
    }
}
