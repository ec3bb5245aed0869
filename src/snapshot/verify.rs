//! Verifying a whole store: the storage hierarchy, every object's declaration, inventory and
//! sidecar, the inventory copies in version folders, and the fixity of every stored file
//! (SHA-512 against the manifest, SHA-256 against the fixity block). Every problem is
//! collected as a finding naming the file and the versions that hold it; none stops the check.

use super::Repo;
use super::commit;
use super::ingest::hash_copy;
use super::layout::{self, EXTENSIONS};
use super::ocfl::{
    INVENTORY, Inventory, OBJECT_NAMASTE, SIDECAR, parse_sidecar, parse_version, sha512_hex,
};
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// One problem found in a store. Codes are stable (listed in archive/SNAPSHOTS.md).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RepoFinding {
    /// Stable code: `digest-mismatch`, `missing-file`, `inventory-digest-mismatch`, ...
    pub code: String,
    /// The file or folder concerned, relative to the storage root.
    pub path: String,
    /// The object's id, when its inventory could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The versions whose state holds the file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The file's paths in the site, in those versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical: Vec<String>,
    /// What is wrong.
    pub message: String,
    /// What the inventory says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// The outcome of verifying a store.
#[derive(Debug, Clone, Serialize)]
pub struct StoreReport {
    /// The storage root.
    pub root: PathBuf,
    /// No finding at all.
    pub valid: bool,
    /// Objects checked.
    pub objects: usize,
    /// Versions, over all objects.
    pub versions: usize,
    /// Stored files hashed.
    pub files: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Everything found wrong, sorted by code, then path.
    pub findings: Vec<RepoFinding>,
}

fn finding(code: &str, path: String, message: impl Into<String>) -> RepoFinding {
    RepoFinding {
        code: code.into(),
        path,
        object: None,
        versions: Vec::new(),
        logical: Vec::new(),
        message: message.into(),
        expected: None,
        found: None,
    }
}

/// A stored file to hash.
struct Job {
    object: usize,
    content_path: String,
    abs: PathBuf,
    sha512: String,
    sha256: Option<String>,
}

/// One object that could be read.
struct Checked {
    rel: String,
    inv: Inventory,
}

impl Repo {
    /// Verifies every object of the store. `progress` receives bytes as they are hashed.
    ///
    /// # Errors
    /// Only when verification cannot run: the storage root cannot be read, or on interrupt.
    /// Damage is not an error: it is a report with findings.
    pub fn verify(
        &self,
        progress: &(dyn Fn(u64) + Sync),
        interrupt: &AtomicBool,
    ) -> Result<StoreReport> {
        let hierarchy = layout::walk(&self.root)?;
        let mut findings = Vec::new();
        for p in hierarchy.stray_files {
            findings.push(finding(
                "stray-file",
                p,
                "a file outside any object in the storage hierarchy (OCFL E072)",
            ));
        }
        for p in hierarchy.empty_dirs {
            findings.push(finding(
                "empty-directory",
                p,
                "an empty folder in the storage hierarchy (OCFL E073)",
            ));
        }
        for p in commit::pending(&self.root) {
            findings.push(finding(
                "pending-commit",
                p,
                "an interrupted snapshot waits here; the next snapshot (or opening the store \
                 when it is not locked and can be written) finishes or removes it",
            ));
        }
        let mut objects = Vec::new();
        let mut jobs = Vec::new();
        for rel in &hierarchy.objects {
            if let Some(inv) = self.check_object(rel, &mut findings)? {
                jobs.extend(content_jobs(&self.root, rel, &inv, objects.len(), &mut findings)?);
                objects.push(Checked { rel: rel.clone(), inv });
            }
        }
        let hashed: Vec<Result<super::ingest::FileDigests>> = jobs
            .par_iter()
            .map(|j| hash_copy(&j.abs, None, j.sha256.is_some(), progress, interrupt))
            .collect();
        let (mut files, mut bytes) = (0, 0);
        for (job, result) in jobs.iter().zip(hashed) {
            let o = &objects[job.object];
            let path = format!("{}/{}", o.rel, job.content_path);
            let d = match result {
                Ok(d) => d,
                Err(Error::Interrupted) => return Err(Error::Interrupted),
                Err(e) => {
                    findings.push(about(
                        &o.inv,
                        &job.sha512,
                        finding("unreadable-file", path, format!("{e}")),
                    ));
                    continue;
                }
            };
            files += 1;
            bytes += d.size;
            if !d.sha512.eq_ignore_ascii_case(&job.sha512) {
                let mut f = finding(
                    "digest-mismatch",
                    path.clone(),
                    "the file's SHA-512 is not the manifest's",
                );
                f.expected = Some(job.sha512.clone());
                f.found = Some(d.sha512.clone());
                findings.push(about(&o.inv, &job.sha512, f));
            }
            if let (Some(want), Some(got)) = (&job.sha256, &d.sha256)
                && !want.eq_ignore_ascii_case(got)
            {
                let mut f = finding(
                    "fixity-mismatch",
                    path,
                    "the file's SHA-256 is not the fixity block's",
                );
                f.expected = Some(want.clone());
                f.found = Some(got.clone());
                findings.push(about(&o.inv, &job.sha512, f));
            }
        }
        findings.sort();
        Ok(StoreReport {
            root: self.root.clone(),
            valid: findings.is_empty(),
            objects: objects.len(),
            versions: objects.iter().map(|o| o.inv.versions.0.len()).sum(),
            files,
            bytes,
            findings,
        })
    }

    /// Checks one object's declaration, inventories and folders; returns its inventory when
    /// it can be read at all.
    fn check_object(
        &self,
        rel: &str,
        findings: &mut Vec<RepoFinding>,
    ) -> Result<Option<Inventory>> {
        let obj = self.root.join(rel);
        let at = |name: &str| format!("{rel}/{name}");
        let names = list(&obj)?;
        let declarations: Vec<&String> = names.keys().filter(|n| n.starts_with("0=")).collect();
        let declared = fs::read(obj.join(OBJECT_NAMASTE.0)).ok();
        if declarations.len() != 1 || declared.as_deref() != Some(OBJECT_NAMASTE.1.as_bytes()) {
            findings.push(finding(
                "bad-declaration",
                at(OBJECT_NAMASTE.0),
                format!(
                    "an object holds one declaration, {} containing \"ocfl_object_1.1\\n\"",
                    OBJECT_NAMASTE.0
                ),
            ));
        }
        let Ok(bytes) = fs::read(obj.join(INVENTORY)) else {
            findings.push(finding(
                "missing-inventory",
                at(INVENTORY),
                "the object has no readable inventory",
            ));
            return Ok(None);
        };
        let mut sidecar = Vec::new();
        check_sidecar(&obj, "", &bytes, rel, &mut sidecar);
        let inv = match Inventory::from_bytes(&bytes, &obj.join(INVENTORY)) {
            Ok(inv) => inv,
            Err(e) => {
                findings.extend(sidecar);
                findings.push(finding("bad-inventory", at(INVENTORY), e.to_string()));
                return Ok(None);
            }
        };
        let mut tag = |mut f: RepoFinding| {
            f.object = Some(inv.id.clone());
            findings.push(f);
        };
        sidecar.into_iter().for_each(&mut tag);
        if self.layout.object_path(&inv.id) != rel {
            tag(finding(
                "misplaced-object",
                rel.into(),
                format!("the layout puts id {:?} at {}", inv.id, self.layout.object_path(&inv.id)),
            ));
        }
        for (name, is_dir) in &names {
            let known = match name.as_str() {
                INVENTORY | SIDECAR => !is_dir,
                "logs" | EXTENSIONS => *is_dir,
                n if n == OBJECT_NAMASTE.0 => !is_dir,
                n => *is_dir && parse_version(n).is_some_and(|v| inv.versions.0.contains_key(&v)),
            };
            if !known && !name.starts_with("0=") {
                tag(finding(
                    "unexpected-entry",
                    at(name),
                    "not part of an OCFL object, or a version the inventory does not list",
                ));
            }
        }
        for &n in inv.versions.0.keys() {
            let v = format!("v{n}");
            if !names.contains_key(&v) {
                tag(finding(
                    "missing-version",
                    at(&v),
                    "the inventory lists this version but its folder is missing",
                ));
            }
        }
        for &n in inv.versions.0.keys() {
            let vdir = obj.join(format!("v{n}"));
            let Ok(entries) = list(&vdir) else { continue };
            for (name, is_dir) in &entries {
                let ok = (name == INVENTORY || name == SIDECAR) && !is_dir
                    || (*is_dir && name == inv.content_dir());
                if !ok {
                    tag(finding(
                        "unexpected-entry",
                        format!("{rel}/v{n}/{name}"),
                        "a version folder holds its content folder and inventory only",
                    ));
                }
            }
            if let Ok(copy) = fs::read(vdir.join(INVENTORY)) {
                let mut sub = Vec::new();
                check_sidecar(&vdir, &format!("v{n}/"), &copy, rel, &mut sub);
                sub.into_iter().for_each(&mut tag);
                if let Some(msg) = copy_mismatch(&inv, n, &bytes, &copy, &vdir) {
                    tag(finding(
                        "version-inventory-mismatch",
                        format!("{rel}/v{n}/{INVENTORY}"),
                        msg,
                    ));
                }
            }
        }
        Ok(Some(inv))
    }
}

/// The names in a folder, with whether each is a folder.
fn list(dir: &Path) -> Result<BTreeMap<String, bool>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::Read(e, dir.to_path_buf()))? {
        let entry = entry.map_err(|e| Error::Read(e, dir.to_path_buf()))?;
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        out.insert(entry.file_name().to_string_lossy().into_owned(), is_dir);
    }
    Ok(out)
}

fn check_sidecar(
    dir: &Path,
    prefix: &str,
    inventory: &[u8],
    rel: &str,
    findings: &mut Vec<RepoFinding>,
) {
    let path = format!("{rel}/{prefix}{SIDECAR}");
    match fs::read_to_string(dir.join(SIDECAR)).ok().map(|t| parse_sidecar(&t)) {
        None => findings.push(finding(
            "missing-sidecar",
            path,
            "the inventory has no readable digest file",
        )),
        Some(None) => findings.push(finding(
            "bad-sidecar",
            path,
            "the digest file is not \"DIGEST inventory.json\"",
        )),
        Some(Some(want)) => {
            let got = sha512_hex(inventory);
            if want != got {
                let mut f = finding(
                    "inventory-digest-mismatch",
                    format!("{rel}/{prefix}{INVENTORY}"),
                    "the inventory does not match its digest file: it was changed or damaged",
                );
                f.expected = Some(want);
                f.found = Some(got);
                findings.push(f);
            }
        }
    }
}

/// Why the inventory copy in version `n` disagrees with the root inventory, if it does: the
/// head's copy must be identical (OCFL E064), an older one must record the same versions.
fn copy_mismatch(
    root: &Inventory,
    n: u32,
    root_bytes: &[u8],
    copy: &[u8],
    vdir: &Path,
) -> Option<String> {
    if n == root.head_num() {
        return (copy != root_bytes)
            .then(|| "the head version's inventory must be identical to the root's".into());
    }
    let older = match Inventory::from_bytes(copy, &vdir.join(INVENTORY)) {
        Ok(i) => i,
        Err(e) => return Some(e.to_string()),
    };
    if older.id != root.id || older.head_num() != n {
        return Some(format!(
            "it describes {} up to {}, not {} up to v{n}",
            older.id, older.head, root.id
        ));
    }
    older
        .versions
        .0
        .iter()
        .find(|(k, v)| root.versions.0.get(k) != Some(v))
        .map(|(k, _)| format!("its v{k} differs from the root inventory's"))
}

/// Every stored file to hash; files missing from, or extra to, the manifest become findings.
fn content_jobs(
    root: &Path,
    rel: &str,
    inv: &Inventory,
    object: usize,
    findings: &mut Vec<RepoFinding>,
) -> Result<Vec<Job>> {
    let obj = root.join(rel);
    let sha256 = inv.sha256_by_path();
    let mut on_disk = BTreeSet::new();
    for &n in inv.versions.0.keys() {
        let dir = obj.join(format!("v{n}")).join(inv.content_dir());
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).min_depth(1) {
            let entry = entry.map_err(|e| Error::Read(e.into(), dir.clone()))?;
            let path = entry.path().strip_prefix(&obj).unwrap_or(entry.path());
            let path = path.to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/");
            if entry.file_type().is_dir() {
                if fs::read_dir(entry.path()).map(|mut d| d.next().is_none()).unwrap_or(false) {
                    findings.push(finding(
                        "empty-directory",
                        format!("{rel}/{path}"),
                        "an empty folder in a content folder (OCFL E024)",
                    ));
                }
            } else {
                on_disk.insert(path);
            }
        }
    }
    let mut jobs = Vec::new();
    for (digest, paths) in &inv.manifest {
        for p in paths {
            if on_disk.remove(p) {
                jobs.push(Job {
                    object,
                    content_path: p.clone(),
                    abs: obj.join(p),
                    sha512: digest.clone(),
                    sha256: sha256.get(p.as_str()).map(|s| s.to_string()),
                });
            } else {
                let f = finding(
                    "missing-file",
                    format!("{rel}/{p}"),
                    "the manifest lists this file but it is missing",
                );
                findings.push(about(inv, digest, f));
            }
        }
    }
    for p in on_disk {
        let mut f = finding(
            "extra-file",
            format!("{rel}/{p}"),
            "a file in a content folder that the manifest does not list",
        );
        f.object = Some(inv.id.clone());
        findings.push(f);
    }
    Ok(jobs)
}

/// Adds to a finding the object, and the versions and logical paths that hold `digest`.
fn about(inv: &Inventory, digest: &str, mut f: RepoFinding) -> RepoFinding {
    let mut logical = BTreeSet::new();
    for (n, v) in &inv.versions.0 {
        if let Some(paths) = v.state.get(digest) {
            f.versions.push(format!("v{n}"));
            logical.extend(paths.iter().cloned());
        }
    }
    f.logical = logical.into_iter().collect();
    f.object = Some(inv.id.clone());
    if !f.versions.is_empty() {
        f.message = format!(
            "{} (held by {} as {})",
            f.message,
            f.versions.join(", "),
            f.logical.join(", ")
        );
    }
    f
}
