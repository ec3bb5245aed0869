//! The OCFL storage root (<https://ocfl.io/1.1/spec/#storage-root>): creating one, recognising
//! one, the 0004 hashed n-tuple layout that maps an object id to its folder
//! (<https://ocfl.github.io/extensions/0004-hashed-n-tuple-storage-layout.html>), and finding
//! every object under the root.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};
use std::fs;
use std::path::{Path, PathBuf};

/// The root declaration file and its exact content (NAMASTE).
pub(crate) const ROOT_NAMASTE: (&str, &str) = ("0=ocfl_1.1", "ocfl_1.1\n");
pub(crate) const LAYOUT_FILE: &str = "ocfl_layout.json";
pub(crate) const EXTENSIONS: &str = "extensions";
pub(crate) const LAYOUT_EXTENSION: &str = "0004-hashed-n-tuple-storage-layout";
/// The plain-text description of carton's local conventions kept in every storage root it
/// creates (OCFL 4.5, "Documenting Local Extensions").
pub(crate) const STORE_DOC: (&str, &str) =
    ("carton-snapshots.md", include_str!("../../archive/SNAPSHOTS.md"));

/// `ocfl_layout.json`.
#[derive(Serialize, Deserialize)]
struct LayoutDecl {
    extension: String,
    description: String,
}

/// `extensions/0004-hashed-n-tuple-storage-layout/config.json`. Absent fields take the
/// extension's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Layout {
    extension_name: String,
    #[serde(default = "default_digest")]
    digest_algorithm: String,
    #[serde(default = "default_three")]
    tuple_size: usize,
    #[serde(default = "default_three")]
    number_of_tuples: usize,
    #[serde(default)]
    short_object_root: bool,
}

fn default_digest() -> String {
    "sha256".into()
}

fn default_three() -> usize {
    3
}

impl Default for Layout {
    fn default() -> Self {
        Layout {
            extension_name: LAYOUT_EXTENSION.into(),
            digest_algorithm: default_digest(),
            tuple_size: 3,
            number_of_tuples: 3,
            short_object_root: false,
        }
    }
}

impl Layout {
    /// The object root of `id`, relative to the storage root, `/`-separated.
    pub fn object_path(&self, id: &str) -> String {
        let digest = match self.digest_algorithm.as_str() {
            "sha512" => hex::encode(Sha512::digest(id.as_bytes())),
            _ => hex::encode(Sha256::digest(id.as_bytes())),
        };
        let used = self.tuple_size * self.number_of_tuples;
        let mut parts: Vec<&str> = (0..self.number_of_tuples)
            .map(|i| &digest[i * self.tuple_size..(i + 1) * self.tuple_size])
            .collect();
        parts.push(if self.short_object_root { &digest[used..] } else { &digest });
        parts.join("/")
    }

    fn check(&self, path: &Path) -> Result<()> {
        let hex_len = match self.digest_algorithm.as_str() {
            "sha256" => 64,
            "sha512" => 128,
            other => {
                return Err(not_a_store(
                    path,
                    &format!("layout digest {other:?} is not supported (sha256, sha512)"),
                ));
            }
        };
        let used = self.tuple_size * self.number_of_tuples;
        let zero_mismatch = (self.tuple_size == 0) != (self.number_of_tuples == 0);
        if self.extension_name != LAYOUT_EXTENSION
            || zero_mismatch
            || self.tuple_size > 32
            || self.number_of_tuples > 32
            || used > hex_len
            || (used == hex_len && self.short_object_root)
        {
            return Err(not_a_store(
                path,
                "the layout configuration is not a valid 0004 configuration",
            ));
        }
        Ok(())
    }
}

fn not_a_store(path: &Path, msg: &str) -> Error {
    Error::NotAStore { path: path.to_path_buf(), msg: msg.into() }
}

/// Whether `root` holds the root declaration.
pub(crate) fn is_storage_root(root: &Path) -> bool {
    root.join(ROOT_NAMASTE.0).is_file()
}

/// Creates a storage root at `root`, which must be absent or empty. When absent, it is built
/// beside and renamed into place, so that a storage root is never seen half made; in an empty
/// folder the declaration is written last, for the same reason.
pub(crate) fn create(root: &Path) -> Result<()> {
    if root.exists() {
        return write_root_files(root);
    }
    let parent = crate::output::parent_of(root);
    fs::create_dir_all(&parent).map_err(|e| Error::Write(e, parent.clone()))?;
    let staged = tempfile::Builder::new()
        .prefix(".carton-new-store.")
        .tempdir_in(&parent)
        .map_err(|e| Error::Write(e, parent.clone()))?;
    write_root_files(staged.path())?;
    crate::output::place_dir(staged, root, false)
}

fn write_root_files(dir: &Path) -> Result<()> {
    let write = |rel: &str, bytes: &[u8]| {
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::Write(e, parent.to_path_buf()))?;
        }
        fs::write(&p, bytes).map_err(|e| Error::Write(e, p))
    };
    let mut config = serde_json::to_vec_pretty(&Layout::default()).expect("layout serialises");
    config.push(b'\n');
    write(&format!("{EXTENSIONS}/{LAYOUT_EXTENSION}/config.json"), &config)?;
    let decl = LayoutDecl {
        extension: LAYOUT_EXTENSION.into(),
        description: "OCFL object identifiers are hashed with sha256 and split into three \
                      3-character tuples, e.g. 3c0/ff4/240/<full digest>"
            .into(),
    };
    let mut decl = serde_json::to_vec_pretty(&decl).expect("layout declaration serialises");
    decl.push(b'\n');
    write(LAYOUT_FILE, &decl)?;
    write(STORE_DOC.0, STORE_DOC.1.as_bytes())?;
    write(ROOT_NAMASTE.0, ROOT_NAMASTE.1.as_bytes())
}

/// Whether an existing folder may become a storage root: it is empty, or holds only what an
/// interrupted [`create`] in place writes before the declaration.
pub(crate) fn is_empty_or_unfinished(root: &Path) -> Result<bool> {
    let entries = fs::read_dir(root).map_err(|e| Error::Read(e, root.to_path_buf()))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::Read(e, root.to_path_buf()))?;
        let name = entry.file_name();
        let ours = [EXTENSIONS, LAYOUT_FILE, STORE_DOC.0].iter().any(|n| name == *n);
        if !ours {
            return Ok(false);
        }
        if name == EXTENSIONS {
            let ext = root.join(EXTENSIONS);
            let only_layout = fs::read_dir(&ext)
                .map_err(|e| Error::Read(e, ext.clone()))?
                .flatten()
                .all(|e| e.file_name() == LAYOUT_EXTENSION);
            if !only_layout {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// Reads the storage root's declaration and layout.
///
/// # Errors
/// When `root` is not an OCFL 1.1 storage root with the 0004 layout.
pub(crate) fn open(root: &Path) -> Result<Layout> {
    let namaste = root.join(ROOT_NAMASTE.0);
    match fs::read(&namaste) {
        Ok(b) if b == ROOT_NAMASTE.1.as_bytes() => {}
        Ok(_) => {
            return Err(not_a_store(&namaste, "the declaration must hold exactly \"ocfl_1.1\\n\""));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let msg = if root.join("0=ocfl_1.0").exists() {
                "an OCFL 1.0 storage root: carton writes OCFL 1.1 (upgrade it with an OCFL tool first)"
            } else {
                "not an OCFL storage root (no 0=ocfl_1.1 file): give a storage root, or a new or empty folder"
            };
            return Err(not_a_store(root, msg));
        }
        Err(e) => return Err(Error::Read(e, namaste)),
    }
    let decl_path = root.join(LAYOUT_FILE);
    let bytes = fs::read(&decl_path).map_err(|e| Error::Read(e, decl_path.clone()))?;
    let decl: LayoutDecl = serde_json::from_slice(&bytes)
        .map_err(|e| not_a_store(&decl_path, &format!("not a layout declaration: {e}")))?;
    if decl.extension != LAYOUT_EXTENSION {
        return Err(not_a_store(
            &decl_path,
            &format!(
                "layout {:?}: carton reads the {LAYOUT_EXTENSION} layout only",
                decl.extension
            ),
        ));
    }
    let config_path = root.join(EXTENSIONS).join(LAYOUT_EXTENSION).join("config.json");
    let layout = match fs::read(&config_path) {
        Ok(bytes) => serde_json::from_slice::<Layout>(&bytes)
            .map_err(|e| not_a_store(&config_path, &format!("not a 0004 configuration: {e}")))?,
        // The extension's defaults apply when it has no configuration file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Layout::default(),
        Err(e) => return Err(Error::Read(e, config_path)),
    };
    layout.check(&config_path)?;
    Ok(layout)
}

/// What lies under the storage root, outside `extensions/`.
#[derive(Debug, Default)]
pub(crate) struct Hierarchy {
    /// Object roots, relative to the storage root, sorted.
    pub objects: Vec<String>,
    /// Files that belong to no object (OCFL E072), relative to the storage root.
    pub stray_files: Vec<String>,
    /// Empty folders (OCFL E073).
    pub empty_dirs: Vec<String>,
}

/// Walks the storage hierarchy. Files directly in the root are allowed (OCFL E087) and
/// skipped; an object root is recognised by its `0=ocfl_object_…` file and not descended into.
pub(crate) fn walk(root: &Path) -> Result<Hierarchy> {
    let mut out = Hierarchy::default();
    let mut stack: Vec<(PathBuf, String)> = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let mut files = Vec::new();
        let mut dirs = Vec::new();
        for entry in fs::read_dir(&dir).map_err(|e| Error::Read(e, dir.clone()))? {
            let entry = entry.map_err(|e| Error::Read(e, dir.clone()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            match entry.file_type() {
                Ok(t) if t.is_dir() => dirs.push((entry.path(), child, name)),
                _ => files.push((child, name)),
            }
        }
        if rel.is_empty() {
            for (path, child, name) in dirs {
                if name != EXTENSIONS {
                    stack.push((path, child));
                }
            }
            continue;
        }
        if files.iter().any(|(_, n)| n.starts_with("0=ocfl_object_")) {
            out.objects.push(rel);
        } else if files.is_empty() && dirs.is_empty() {
            out.empty_dirs.push(rel);
        } else {
            out.stray_files.extend(files.into_iter().map(|(c, _)| c));
            stack.extend(dirs.into_iter().map(|(p, c, _)| (p, c)));
        }
    }
    out.objects.sort();
    out.stray_files.sort();
    out.empty_dirs.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_examples() {
        // The mappings given in the 0004 extension's text, example 1 (defaults) and 3.
        let l = Layout::default();
        assert_eq!(
            l.object_path("object-01"),
            "3c0/ff4/240/3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4"
        );
        assert_eq!(
            l.object_path("..hor/rib:le-$id"),
            "487/326/d8c/487326d8c2a3c0b885e23da1469b4d6671fd4e76978924b4443e9e3c316cda6d"
        );
        let flat = Layout { tuple_size: 0, number_of_tuples: 0, ..Layout::default() };
        assert_eq!(
            flat.object_path("object-01"),
            "3c0ff4240c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4"
        );
        let short = Layout { short_object_root: true, ..Layout::default() };
        assert_eq!(
            short.object_path("object-01"),
            "3c0/ff4/240/c1e116dba14c7627f2319b58aa3d77606d0d90dfc6161608ac987d4"
        );
    }

    #[test]
    fn create_then_open() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("store");
        create(&root).unwrap();
        assert_eq!(fs::read_to_string(root.join("0=ocfl_1.1")).unwrap(), "ocfl_1.1\n");
        assert_eq!(open(&root).unwrap(), Layout::default());
        let config = fs::read_to_string(
            root.join("extensions/0004-hashed-n-tuple-storage-layout/config.json"),
        )
        .unwrap();
        assert!(
            config.contains("\"extensionName\": \"0004-hashed-n-tuple-storage-layout\""),
            "{config}"
        );
        // No staging folder is left beside the new root.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn other_folders_are_refused_with_the_reason() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("notes.txt"), "x").unwrap();
        let err = open(tmp.path()).unwrap_err().to_string();
        assert!(err.contains("not an OCFL storage root"), "{err}");
        assert!(!is_empty_or_unfinished(tmp.path()).unwrap());
        fs::remove_file(tmp.path().join("notes.txt")).unwrap();
        fs::write(tmp.path().join(LAYOUT_FILE), "{}").unwrap();
        assert!(is_empty_or_unfinished(tmp.path()).unwrap());
    }

    #[test]
    fn walk_finds_objects_and_strays() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        create(root).unwrap();
        fs::create_dir_all(root.join("aaa/bbb/obj/v1")).unwrap();
        fs::write(root.join("aaa/bbb/obj/0=ocfl_object_1.1"), "").unwrap();
        fs::create_dir_all(root.join("ccc/empty")).unwrap();
        fs::write(root.join("ccc/stray.txt"), "").unwrap();
        let h = walk(root).unwrap();
        assert_eq!(h.objects, ["aaa/bbb/obj"]);
        assert_eq!(h.stray_files, ["ccc/stray.txt"]);
        assert_eq!(h.empty_dirs, ["ccc/empty"]);
    }
}
