//! Snapshots: a site's history kept in an OCFL 1.1 storage root (<https://ocfl.io/1.1/spec/>),
//! one object per site, one version per snapshot, every distinct file stored once.
//!
//! The store's format (layout, reserved paths, stat cache, lock, crash recovery, the size of
//! its metadata) is specified in `archive/SNAPSHOTS.md`, a copy of which is written into every
//! storage root carton creates.
//!
//! | file | owns |
//! |---|---|
//! | `mod.rs` | the public API: [`Repo`], opening a store, taking a snapshot |
//! | `history.rs` | log, state of a version, footprint |
//! | `diff.rs` | what changed between two versions: files, pages field by field, videos, documents |
//! | `ocfl.rs` | inventory types, their JSON, sidecars, path rules |
//! | `layout.rs` | the storage root and the 0004 hashed n-tuple layout |
//! | `ingest.rs` | reading the site: stat cache, hashing while copying, deduplication |
//! | `statcache.rs` | the stat cache file |
//! | `commit.rs` | staging, publishing by renames, recovery after a kill |
//! | `lock.rs` | the write lock |
//! | `restore.rs` | restore and read, digest-checked |
//! | `verify.rs` | fixity and structure of the whole store |

mod commit;
mod describe;
mod diff;
mod export;
mod history;
mod ingest;
mod layout;
mod lock;
mod ocfl;
mod restore;
mod statcache;
mod verify;

pub use describe::describe_version;
pub use diff::{Diff, FieldChange, PageChange, PageRef};
pub use history::{Footprint, StateEntry, VersionInfo};
pub use ocfl::User;
pub use restore::{RestoreOptions, RestoreReport};
pub use verify::{RepoFinding, StoreReport};

use crate::error::{Error, Result};
use crate::source::SourceFile;
use commit::{Recovered, Step, Txn};
use ocfl::{INVENTORY, Inventory, SIDECAR, Version, parse_sidecar, sha512_hex, version_name};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};
use time::OffsetDateTime;

/// The logical folder of the files carton generates for each version (its `carton.json` and
/// RO-Crate), beside the site's own files. A site file under it is refused.
pub const RESERVED_PREFIX: &str = ".carton/";
/// The logical path of a version's content model (`carton.json`, gzip-compressed: it is
/// written again in every version).
pub const CARTON_JSON: &str = ".carton/carton.json.gz";
/// The logical path of the JSON Schema of the content model (the same bytes in every
/// version, so stored once).
pub const CARTON_SCHEMA_JSON: &str = ".carton/carton.schema.json";
/// The logical path of a version's RO-Crate metadata (gzip-compressed, as [`CARTON_JSON`]);
/// its identifiers are relative to the version's root, where restoring with the metadata puts
/// it.
pub const RO_CRATE: &str = ".carton/ro-crate-metadata.json.gz";

/// One site file to put in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFile {
    /// Path relative to the site root, `/`-separated: its logical path in the version.
    pub rel: String,
    /// Where to read it.
    pub abs: PathBuf,
    /// Size when listed.
    pub size: u64,
    /// Modification time when listed; `None` makes the file be read every time.
    pub mtime: Option<SystemTime>,
}

impl SnapshotFile {
    /// A site file as listed by [`crate::source::read_site`], with its modification time.
    pub fn from_source(f: &SourceFile) -> SnapshotFile {
        let meta = fs::metadata(&f.abs).ok();
        SnapshotFile {
            rel: f.rel.clone(),
            abs: f.abs.clone(),
            size: meta.as_ref().map_or(f.size, |m| m.len()),
            mtime: meta.and_then(|m| m.modified().ok()),
        }
    }
}

/// Every regular file under `root` (symbolic links, version-control folders and carton's
/// record of an output left out, as the site reader does), sorted by path: for stores of
/// plain folders, tests and benchmarks.
///
/// # Errors
/// When a folder cannot be read or a name is not UTF-8.
pub fn list_files(root: &Path) -> Result<Vec<SnapshotFile>> {
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(root).sort_by_file_name().into_iter().filter_entry(|e| {
        !(e.file_type().is_dir() && [".git", ".hg", ".svn"].iter().any(|d| e.file_name() == *d))
    });
    for entry in walker {
        let entry = entry.map_err(|e| Error::Read(e.into(), root.to_path_buf()))?;
        if !entry.file_type().is_file()
            || (entry.depth() == 1 && entry.file_name() == crate::output::RECORD)
        {
            continue;
        }
        let rel = entry.path().strip_prefix(root).ok().and_then(Path::to_str).ok_or_else(|| {
            Error::BadLogicalPath {
                path: entry.path().to_string_lossy().into(),
                msg: "the file name is not valid UTF-8: rename it".into(),
            }
        })?;
        let meta =
            entry.metadata().map_err(|e| Error::Read(e.into(), entry.path().to_path_buf()))?;
        out.push(SnapshotFile {
            rel: rel.replace(std::path::MAIN_SEPARATOR, "/"),
            abs: entry.path().to_path_buf(),
            size: meta.len(),
            mtime: meta.modified().ok(),
        });
    }
    Ok(out)
}

/// How to take a snapshot.
#[derive(Debug, Clone, Default)]
pub struct SnapshotOptions {
    /// Why this version was made (OCFL `message`). Validators warn (W007) when it is absent.
    pub message: Option<String>,
    /// Who made it (OCFL `user`). Validators warn (W007) when absent, (W008) without address.
    pub user: Option<User>,
    /// When; now when `None`. Written to the second, with its offset.
    pub created: Option<OffsetDateTime>,
    /// Read and hash every file instead of trusting size and modification time.
    pub rehash: bool,
    /// Add a version even when no site file changed.
    pub allow_empty: bool,
}

/// What a snapshot did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SnapshotOutcome {
    /// A version was added.
    Created {
        /// Its name (`v3`).
        version: String,
        /// Files in it: the site's plus the reserved `.carton/` ones.
        files: usize,
        /// Files stored by it: content no earlier version holds (once per distinct content).
        new_files: usize,
        /// Their bytes.
        new_bytes: u64,
        /// Files whose content an earlier version already stored.
        reused_files: usize,
    },
    /// No site file changed since the head version: nothing was added to the object.
    Unchanged {
        /// The head version.
        head: String,
    },
}

/// An OCFL storage root holding snapshots.
#[derive(Debug)]
pub struct Repo {
    root: PathBuf,
    layout: layout::Layout,
    recovered: Vec<String>,
}

impl Repo {
    /// Opens the storage root at `root`, creating it when the folder is absent or empty.
    ///
    /// # Errors
    /// When `root` exists, is not empty and is not an OCFL 1.1 storage root with the 0004
    /// layout ([`Error::NotAStore`]), or cannot be read or created.
    pub fn open_or_create(root: &Path) -> Result<Repo> {
        if !root.exists()
            || (!layout::is_storage_root(root) && layout::is_empty_or_unfinished(root)?)
        {
            layout::create(root)?;
        }
        Repo::open(root)
    }

    /// Opens an existing storage root. When no other process holds the lock and the store can
    /// be written, an interrupted snapshot is finished (or its staging removed) first.
    ///
    /// # Errors
    /// When `root` is not an OCFL 1.1 storage root with the 0004 layout, or finishing an
    /// interrupted snapshot fails.
    pub fn open(root: &Path) -> Result<Repo> {
        let layout = layout::open(root)?;
        let mut repo = Repo { root: root.to_path_buf(), layout, recovered: Vec::new() };
        if !commit::pending(root).is_empty()
            && let Some(_lock) =
                lock::Lock::try_acquire(root, "carton (finishing an interrupted snapshot)")
        {
            repo.recover()?;
        }
        Ok(repo)
    }

    /// The storage root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// What opening the store repaired, one line each (for the log).
    pub fn recovered(&self) -> &[String] {
        &self.recovered
    }

    fn recover(&mut self) -> Result<()> {
        for r in commit::recover(&self.root)? {
            let line = match r {
                Recovered::Completed(id, v) => {
                    format!("finished the interrupted snapshot {v} of {id}")
                }
                Recovered::RolledBack(dir) => {
                    format!("removed the staging of an interrupted snapshot ({dir})")
                }
            };
            log::info!("{}: {line}", self.root.display());
            self.recovered.push(line);
        }
        Ok(())
    }

    /// The ids of every object in the store, sorted.
    ///
    /// # Errors
    /// When the hierarchy or an inventory cannot be read.
    pub fn objects(&self) -> Result<Vec<String>> {
        let mut ids = Vec::new();
        for rel in layout::walk(&self.root)?.objects {
            ids.push(read_inventory(&self.root, &self.root.join(rel))?.id);
        }
        ids.sort();
        Ok(ids)
    }

    /// Adds a version of object `id` whose state is exactly `files` plus `extra` (generated
    /// files, each under [`RESERVED_PREFIX`], such as [`CARTON_JSON`] and [`RO_CRATE`]).
    /// Content the object already holds, from any version, is not stored again. A file whose
    /// size and modification time are those cached for the head version is not read, unless
    /// `opts.rehash`. When the site's files are those of the head version (the reserved ones
    /// are not compared) and not `opts.allow_empty`, nothing is added.
    ///
    /// `progress` receives bytes as they are read; `interrupt` stops the run, leaving the
    /// store as it was.
    ///
    /// # Errors
    /// When another process holds the store's lock ([`Error::StoreLocked`]), a path cannot be
    /// stored ([`Error::BadLogicalPath`]), a file cannot be read, the store cannot be written,
    /// or on interrupt. The store is unchanged after any error, and a killed run is finished
    /// or undone by the next one.
    pub fn snapshot(
        &self,
        id: &str,
        files: &[SnapshotFile],
        extra: &[(String, Vec<u8>)],
        opts: &SnapshotOptions,
        progress: &(dyn Fn(u64) + Sync),
        interrupt: &AtomicBool,
    ) -> Result<SnapshotOutcome> {
        // Known up front: checked before any file is read.
        check_inputs(id, files, extra)?;
        self.snapshot_with(id, files, &|_| Ok(extra.to_vec()), opts, progress, interrupt, None)
    }

    /// As [`Repo::snapshot`], with the generated files made by `describe` once the site's
    /// files are digested: it is given each site file's SHA-256 and size (read now, or vouched
    /// for by the stat cache and the object's fixity), so a version's `carton.json` can list
    /// them without reading any file twice. It is not called when nothing changed.
    ///
    /// # Errors
    /// As [`Repo::snapshot`], and what `describe` returns.
    pub fn snapshot_described(
        &self,
        id: &str,
        files: &[SnapshotFile],
        describe: Describe,
        opts: &SnapshotOptions,
        progress: &(dyn Fn(u64) + Sync),
        interrupt: &AtomicBool,
    ) -> Result<SnapshotOutcome> {
        self.snapshot_with(id, files, describe, opts, progress, interrupt, None)
    }

    /// [`Repo::snapshot`], stopping dead after `crash` (tests of crash safety).
    #[allow(clippy::too_many_arguments)]
    fn snapshot_with(
        &self,
        id: &str,
        files: &[SnapshotFile],
        describe: Describe,
        opts: &SnapshotOptions,
        progress: &(dyn Fn(u64) + Sync),
        interrupt: &AtomicBool,
        crash: Option<Step>,
    ) -> Result<SnapshotOutcome> {
        check_inputs(id, files, &[])?;
        let _lock = lock::Lock::acquire(&self.root, &format!("carton snapshot of {id}"))?;
        commit::recover(&self.root)?;
        let object_path = self.layout.object_path(id);
        let obj = self.root.join(&object_path);
        let head = if obj.exists() { Some(self.load(id)?.1) } else { None };
        let head_version = head.as_ref().and_then(|h| h.versions.0.values().next_back());
        let known = ingest::Known {
            head_state: head_version.map(|v| invert(&v.state)).unwrap_or_default(),
            manifest: head.as_ref().map_or(&EMPTY, |h| &h.manifest),
        };
        let head_name = head.as_ref().map(|h| h.head.clone());
        let cache = statcache::load(&self.root, id).filter(|c| Some(&c.head) == head_name.as_ref());
        let number = head.as_ref().map_or(1, |h| h.head_num() + 1);
        let txn = Txn::begin(&self.root, &object_path, number, head.is_none())?;
        let content_dir = txn
            .version_dir()
            .join(head.as_ref().map_or(ocfl::DEFAULT_CONTENT_DIR, |h| h.content_dir()));
        let ingested = match ingest::ingest(
            files,
            &[],
            &known,
            cache.as_ref(),
            opts.rehash,
            &content_dir,
            progress,
            interrupt,
        ) {
            Ok(i) => i,
            Err(e) => {
                txn.abort();
                return Err(e);
            }
        };
        if let (Some(head_name), Some(v)) = (&head_name, head_version)
            && !opts.allow_empty
            && site_state(&ingested.state) == site_state(&invert(&v.state))
        {
            txn.abort();
            self.save_cache(id, head_name, ingested.cache);
            return Ok(SnapshotOutcome::Unchanged { head: head_name.clone() });
        }
        // The generated files, made from the site's digests, then staged like the others.
        let mut ingested = ingested;
        let extra = match digests_of(&ingested, head.as_ref(), &obj).and_then(|d| describe(&d)) {
            Ok(extra) => extra,
            Err(e) => {
                txn.abort();
                return Err(e);
            }
        };
        let staged = check_inputs(id, &[], &extra).and_then(|()| {
            ingest::ingest(&[], &extra, &known, None, false, &content_dir, progress, interrupt)
        });
        match staged {
            Ok(more) => {
                ingested.state.extend(more.state);
                for (digest, c) in more.new_content {
                    ingested.new_content.entry(digest).or_insert(c);
                }
                ingested.reused_files += more.reused_files;
            }
            Err(e) => {
                txn.abort();
                return Err(e);
            }
        }
        if interrupt.load(std::sync::atomic::Ordering::Relaxed) {
            txn.abort();
            return Err(Error::Interrupted);
        }
        let inventory = next_inventory(id, head, number, &ingested, opts)?;
        let bytes = inventory.to_bytes();
        // A version that stores no new content would be an empty folder, which OCFL forbids
        // (E073): it holds the inventory copy instead (see archive/SNAPSHOTS.md, "W010").
        let copy_in_version = ingested.new_content.is_empty();
        txn.commit(id, &bytes, copy_in_version, crash)?;
        let version = version_name(number);
        self.save_cache(id, &version, ingested.cache);
        Ok(SnapshotOutcome::Created {
            version,
            files: ingested.state.len(),
            new_files: ingested.new_content.len(),
            new_bytes: ingested.new_content.values().map(|c| c.size).sum(),
            reused_files: ingested.reused_files,
        })
    }

    /// Records the stat cache for `head`. The version is committed by then: failing to
    /// record the cache only costs the next run a full read, so it is logged, not returned.
    fn save_cache(&self, id: &str, head: &str, mut cache: statcache::ObjectCache) {
        cache.head = head.into();
        if let Err(e) = statcache::save(&self.root, id, cache) {
            log::warn!("{e}: the next snapshot will read every file");
        }
    }

    /// The directory and inventory of object `id`.
    fn load(&self, id: &str) -> Result<(PathBuf, Inventory)> {
        let obj = self.root.join(self.layout.object_path(id));
        if !obj.exists() {
            return Err(Error::UnknownObject { root: self.root.clone(), id: id.into() });
        }
        let inv = read_inventory(&self.root, &obj)?;
        if inv.id != id {
            return Err(Error::BadInventory {
                path: obj.join(INVENTORY),
                msg: format!("the object at the path of id {id:?} has id {:?}", inv.id),
            });
        }
        Ok((obj, inv))
    }
}

static EMPTY: BTreeMap<String, Vec<String>> = BTreeMap::new();

/// A site file's digest and size, as given to a [`Describe`] callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    /// SHA-256, lower-case hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
}

/// Makes a version's generated files (`.carton/...`) from its site files' digests, by
/// logical path.
pub type Describe<'a> = &'a dyn Fn(&BTreeMap<String, FileDigest>) -> Result<Vec<(String, Vec<u8>)>>;

/// The SHA-256 and size of every site file of the version being made: from this run's reads
/// for new content, from the object (fixity, and the stored file's size) for the rest.
fn digests_of(
    ingested: &ingest::Ingested,
    head: Option<&Inventory>,
    obj: &Path,
) -> Result<BTreeMap<String, FileDigest>> {
    let by_path = head.map(Inventory::sha256_by_path).unwrap_or_default();
    let mut out = BTreeMap::new();
    for (logical, sha512) in &ingested.state {
        let d = match ingested.new_content.get(sha512) {
            Some(c) => FileDigest { sha256: c.sha256.clone().unwrap_or_default(), size: c.size },
            None => {
                let inv = head.ok_or_else(|| Error::BadInventory {
                    path: obj.join(INVENTORY),
                    msg: format!("{logical}: content neither new nor in the object"),
                })?;
                let path = inv.content_path(sha512).unwrap_or_default();
                let file = obj.join(path);
                let size = fs::metadata(&file).map_err(|e| Error::Read(e, file.clone()))?.len();
                let sha256 = by_path.get(path).map(|s| s.to_string()).unwrap_or_default();
                FileDigest { sha256, size }
            }
        };
        out.insert(logical.clone(), d);
    }
    Ok(out)
}

/// Reads the inventory of the object in `obj` and checks it against its sidecar. A mismatch
/// while another process holds the lock is a commit between its two renames: read again.
fn read_inventory(root: &Path, obj: &Path) -> Result<Inventory> {
    let path = obj.join(INVENTORY);
    let mut attempts = 0;
    loop {
        let bytes = fs::read(&path).map_err(|e| Error::Read(e, path.clone()))?;
        let sidecar = obj.join(SIDECAR);
        let text = fs::read_to_string(&sidecar).map_err(|e| Error::Read(e, sidecar.clone()))?;
        let stated = parse_sidecar(&text).ok_or_else(|| Error::BadInventory {
            path: sidecar.clone(),
            msg: "not \"DIGEST inventory.json\"".into(),
        })?;
        if stated == sha512_hex(&bytes) {
            return Inventory::from_bytes(&bytes, &path);
        }
        attempts += 1;
        if attempts > 50 || !lock::is_held(root) {
            return Err(Error::BadInventory {
                path,
                msg: format!(
                    "does not match {SIDECAR}: it was changed or damaged (run carton verify)"
                ),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Checks the id and every path before anything is written.
fn check_inputs(id: &str, files: &[SnapshotFile], extra: &[(String, Vec<u8>)]) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::BadLogicalPath {
            path: "(site id)".into(),
            msg: "empty: give the site an id (its baseURL, or --id)".into(),
        });
    }
    for f in files {
        ocfl::check_logical_path(&f.rel)?;
        if f.rel.starts_with(RESERVED_PREFIX) || f.rel == RESERVED_PREFIX.trim_end_matches('/') {
            return Err(Error::BadLogicalPath {
                path: f.rel.clone(),
                msg: format!(
                    "{RESERVED_PREFIX} is reserved for carton's files in a snapshot: rename it"
                ),
            });
        }
    }
    for (p, _) in extra {
        ocfl::check_logical_path(p)?;
        if !p.starts_with(RESERVED_PREFIX) {
            return Err(Error::BadLogicalPath {
                path: p.clone(),
                msg: format!("generated files go under {RESERVED_PREFIX}"),
            });
        }
    }
    ocfl::check_conflicts(
        files.iter().map(|f| f.rel.as_str()).chain(extra.iter().map(|(p, _)| p.as_str())),
    )
}

/// logical path → digest.
fn invert(state: &BTreeMap<String, Vec<String>>) -> HashMap<&str, &str> {
    state
        .iter()
        .flat_map(|(d, paths)| paths.iter().map(move |p| (p.as_str(), d.as_str())))
        .collect()
}

/// The site's part of a state, sorted.
fn site_state<'a, K: AsRef<str> + 'a, V: AsRef<str> + 'a>(
    state: impl IntoIterator<Item = (K, V)>,
) -> BTreeMap<String, String> {
    state
        .into_iter()
        .filter(|(k, _)| !k.as_ref().starts_with(RESERVED_PREFIX))
        .map(|(k, v)| (k.as_ref().to_string(), v.as_ref().to_string()))
        .collect()
}

/// The inventory with version `number` added.
fn next_inventory(
    id: &str,
    head: Option<Inventory>,
    number: u32,
    ingested: &ingest::Ingested,
    opts: &SnapshotOptions,
) -> Result<Inventory> {
    let mut inv = head.unwrap_or_else(|| Inventory::new(id));
    let content_dir = inv.content_dir().to_string();
    for (digest, c) in &ingested.new_content {
        let path = format!("v{number}/{content_dir}/{}", c.logical);
        inv.manifest.entry(digest.clone()).or_default().push(path.clone());
        if let Some(sha256) = &c.sha256 {
            inv.fixity
                .entry("sha256".into())
                .or_default()
                .entry(sha256.clone())
                .or_default()
                .push(path);
        }
    }
    let mut state: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (logical, digest) in &ingested.state {
        state.entry(digest.clone()).or_default().push(logical.clone());
    }
    let created = opts.created.unwrap_or_else(OffsetDateTime::now_utc);
    let created = created.replace_nanosecond(0).unwrap_or(created);
    let created = created
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| Error::Json(serde::ser::Error::custom(e), "created".into()))?;
    inv.versions.0.insert(
        number,
        Version { created, message: opts.message.clone(), state, user: opts.user.clone() },
    );
    inv.head = version_name(number);
    Ok(inv)
}

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;
