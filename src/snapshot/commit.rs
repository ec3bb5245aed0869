//! Making a new version visible, safely. A version is built in a staging folder inside the
//! storage root, `extensions/carton-staging/<object folder name>/`, whose `tree/` mirrors the
//! storage hierarchy. Once everything is written, a marker `commit.json` is written: before
//! it, the staging is thrown away by the next run (nothing was visible); after it, the next
//! run finishes the publication. Publishing is a few renames, each idempotent:
//!
//! - new object: one rename of the highest folder of its path that does not exist yet, so the
//!   whole object (declaration, inventory, sidecar, `v1/`) appears at once;
//! - new version: `vN/` into the object root, then `inventory.json`, then
//!   `inventory.json.sha512`, each replacing by rename.
//!
//! See archive/SNAPSHOTS.md, "Crash safety", for what a validator sees at each point.

use super::layout::EXTENSIONS;
use super::ocfl::{INVENTORY, OBJECT_NAMASTE, SIDECAR, sha512_hex, sidecar_for, version_name};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The staging extension folder, under the storage root's `extensions/`.
pub(crate) const STAGING: &str = "carton-staging";
const MARKER: &str = "commit.json";

/// A point of the commit after which a test can make the run stop dead, as if killed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// Content, inventory and sidecar staged; no marker yet.
    Staged,
    /// Marker written; nothing published.
    Marked,
    /// The new object, or the new version folder, moved into place.
    VersionMoved,
    /// The root inventory replaced; its sidecar not yet.
    InventoryMoved,
    /// Everything published; the staging not yet removed.
    Published,
}

/// The error a simulated kill returns: nothing is cleaned up after it.
fn killed(at: Step, crash: Option<Step>) -> Result<()> {
    if crash == Some(at) { Err(Error::Interrupted) } else { Ok(()) }
}

/// `commit.json`: what to publish.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Marker {
    object_id: String,
    object_path: String,
    version: String,
    new_object: bool,
    inventory_sha512: String,
}

/// A version being staged.
pub(crate) struct Txn {
    root: PathBuf,
    dir: PathBuf,
    object_path: String,
    version: u32,
    new_object: bool,
}

impl Txn {
    /// Starts staging version `version` of the object at `object_path` (relative to `root`).
    /// Nothing is created until something is staged: a snapshot that finds nothing changed
    /// writes nothing.
    pub fn begin(root: &Path, object_path: &str, version: u32, new_object: bool) -> Result<Txn> {
        let name = object_path.rsplit('/').next().unwrap_or(object_path);
        let dir = root.join(EXTENSIONS).join(STAGING).join(name);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| Error::Write(e, dir.clone()))?;
        }
        Ok(Txn { root: root.into(), dir, object_path: object_path.into(), version, new_object })
    }

    /// The staged object root.
    fn object_dir(&self) -> PathBuf {
        self.dir.join("tree").join(&self.object_path)
    }

    /// The staged version folder.
    pub fn version_dir(&self) -> PathBuf {
        self.object_dir().join(version_name(self.version))
    }

    /// Gives up: removes everything staged.
    pub fn abort(self) {
        if self.dir.exists() {
            let _ = fs::remove_dir_all(&self.dir);
            remove_staging_if_empty(&self.root);
        }
    }

    /// Writes the inventory and its sidecar (and, when `copy_in_version`, their copies in the
    /// version folder), writes the marker, publishes. `crash` stops dead after that step (tests).
    pub fn commit(
        self,
        id: &str,
        inventory: &[u8],
        copy_in_version: bool,
        crash: Option<Step>,
    ) -> Result<()> {
        let obj = self.object_dir();
        fs::create_dir_all(&obj).map_err(|e| Error::Write(e, obj.clone()))?;
        let sidecar = sidecar_for(inventory);
        write_synced(&obj.join(INVENTORY), inventory)?;
        write_synced(&obj.join(SIDECAR), sidecar.as_bytes())?;
        if self.new_object {
            write_synced(&obj.join(OBJECT_NAMASTE.0), OBJECT_NAMASTE.1.as_bytes())?;
        }
        if copy_in_version {
            let v = self.version_dir();
            fs::create_dir_all(&v).map_err(|e| Error::Write(e, v.clone()))?;
            write_synced(&v.join(INVENTORY), inventory)?;
            write_synced(&v.join(SIDECAR), sidecar.as_bytes())?;
        }
        killed(Step::Staged, crash)?;
        let marker = Marker {
            object_id: id.into(),
            object_path: self.object_path.clone(),
            version: version_name(self.version),
            new_object: self.new_object,
            inventory_sha512: sha512_hex(inventory),
        };
        let bytes =
            serde_json::to_vec_pretty(&marker).map_err(|e| Error::Json(e, MARKER.into()))?;
        let partial = self.dir.join(format!("{MARKER}.partial"));
        write_synced(&partial, &bytes)?;
        let path = self.dir.join(MARKER);
        fs::rename(&partial, &path).map_err(|e| Error::Write(e, path))?;
        killed(Step::Marked, crash)?;
        publish(&self.root, &self.dir, &marker, crash)?;
        killed(Step::Published, crash)?;
        fs::remove_dir_all(&self.dir).map_err(|e| Error::Write(e, self.dir.clone()))?;
        remove_staging_if_empty(&self.root);
        Ok(())
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = File::create(path).map_err(|e| Error::Write(e, path.to_path_buf()))?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| Error::Write(e, path.to_path_buf()))
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).map_err(|e| Error::Write(e, to.to_path_buf()))
}

/// Publishes what `dir` staged. Every step checks whether it was already done, so running it
/// again after a kill at any point finishes the job.
fn publish(root: &Path, dir: &Path, m: &Marker, crash: Option<Step>) -> Result<()> {
    let staged = dir.join("tree").join(&m.object_path);
    let obj = root.join(&m.object_path);
    let bad = |msg: String| Error::BadInventory { path: staged.join(INVENTORY), msg };
    if let Ok(bytes) = fs::read(staged.join(INVENTORY))
        && sha512_hex(&bytes) != m.inventory_sha512
    {
        return Err(bad("the staged inventory does not match its commit marker".into()));
    }
    if m.new_object {
        if staged.exists() {
            // The highest missing folder on the object's path is moved, with everything under
            // it: the object appears whole, and no empty folder is ever left in the hierarchy.
            let parts: Vec<&str> = m.object_path.split('/').collect();
            let missing = (1..=parts.len())
                .map(|n| parts[..n].join("/"))
                .find(|p| !root.join(p).exists())
                .ok_or_else(|| bad(format!("{} already exists", obj.display())))?;
            rename(&dir.join("tree").join(&missing), &root.join(&missing))?;
        }
        return killed(Step::VersionMoved, crash);
    }
    let version = staged.join(&m.version);
    if version.exists() {
        if obj.join(&m.version).exists() {
            return Err(bad(format!("{} already exists", obj.join(&m.version).display())));
        }
        rename(&version, &obj.join(&m.version))?;
    }
    killed(Step::VersionMoved, crash)?;
    if staged.join(INVENTORY).exists() {
        rename(&staged.join(INVENTORY), &obj.join(INVENTORY))?;
    }
    killed(Step::InventoryMoved, crash)?;
    if staged.join(SIDECAR).exists() {
        rename(&staged.join(SIDECAR), &obj.join(SIDECAR))?;
    }
    Ok(())
}

fn remove_staging_if_empty(root: &Path) {
    // Fails, harmlessly, while another staging is there.
    let _ = fs::remove_dir(root.join(EXTENSIONS).join(STAGING));
}

/// What [`recover`] did with one interrupted snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Recovered {
    /// It had not reached its marker: its staging was removed, nothing had been visible.
    RolledBack(String),
    /// It had: its publication was finished (object id, version).
    Completed(String, String),
}

/// Finishes or removes every interrupted snapshot. Called with the lock held.
///
/// # Errors
/// When the staging cannot be read or a rename fails; the staging is then left for the next
/// run.
pub(crate) fn recover(root: &Path) -> Result<Vec<Recovered>> {
    let staging = root.join(EXTENSIONS).join(STAGING);
    let entries = match fs::read_dir(&staging) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Read(e, staging)),
    };
    let mut done = Vec::new();
    for entry in entries {
        let dir = entry.map_err(|e| Error::Read(e, staging.clone()))?.path();
        let marker =
            fs::read(dir.join(MARKER)).ok().and_then(|b| serde_json::from_slice::<Marker>(&b).ok());
        match marker {
            Some(m) => {
                publish(root, &dir, &m, None)?;
                done.push(Recovered::Completed(m.object_id, m.version));
            }
            None => done.push(Recovered::RolledBack(
                dir.file_name().unwrap_or_default().to_string_lossy().into(),
            )),
        }
        fs::remove_dir_all(&dir).map_err(|e| Error::Write(e, dir.clone()))?;
    }
    remove_staging_if_empty(root);
    Ok(done)
}

/// Whether an interrupted snapshot waits in the staging (for verify to report when it could
/// not be finished: the store was locked or read-only).
pub(crate) fn pending(root: &Path) -> Vec<String> {
    let staging = root.join(EXTENSIONS).join(STAGING);
    let mut out: Vec<String> = fs::read_dir(&staging)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| format!("{EXTENSIONS}/{STAGING}/{}", e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}
