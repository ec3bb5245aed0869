//! Lists every entry of a site folder: files to store, and what is left out with the reason
//! (version-control folders, symbolic links leaving the site, unreadable entries).

use crate::model::{FileRole, Skipped};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One file of the site, to be stored in the archive.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated.
    pub rel: String,
    /// Where to read it.
    pub abs: PathBuf,
    /// Size when listed.
    pub size: u64,
    /// Role in the site.
    pub role: FileRole,
    /// The bytes already read (pages): stored as they were parsed, never read twice.
    pub bytes: Option<Arc<[u8]>>,
}

/// Why a version-control folder is left out (expected, so reported as information only).
pub const VCS_REASON: &str = "version-control metadata";

/// Why carton's record of the files it wrote into a folder is left out (expected, so
/// reported as information only): it describes an output, not the site.
pub const RECORD_REASON: &str =
    "carton's record of the files it wrote into this folder, not site content";

/// Folders that hold version-control metadata, not site content.
const VCS_DIRS: &[&str] = &[".git", ".hg", ".svn", ".bzr"];

/// Deepest folder of the site whose files can be stored. In a zip, a site file is nested in
/// three more folders (the bag's top folder, `data/` and `site/`), and `carton verify`
/// refuses entries nested more than [`crate::archive::Archive::MAX_DEPTH`] folders deep.
const MAX_SITE_DEPTH: usize = crate::archive::Archive::MAX_DEPTH - 3;

/// Every file under `root`, sorted by relative path, and every entry left out.
pub fn list(root: &Path, follow_links: bool) -> (Vec<SourceFile>, Vec<Skipped>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            !(e.file_type().is_dir() && VCS_DIRS.iter().any(|d| e.file_name() == *d))
        });
    while let Some(entry) = walker.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| rel_path(root, p)).unwrap_or_default();
                skipped.push(Skipped { path, reason: format!("cannot be read: {e}") });
                continue;
            }
        };
        let rel = match entry.path().strip_prefix(root).ok().and_then(|p| p.to_str()) {
            Some("") => continue,
            Some(r) => r.replace(std::path::MAIN_SEPARATOR, "/"),
            None => {
                skipped.push(Skipped {
                    path: rel_path(root, entry.path()),
                    reason: "the file name is not valid UTF-8: rename it".into(),
                });
                continue;
            }
        };
        // A name that `carton verify` refuses (a tab, an escape sequence, a backslash) would
        // make an archive that fails its own verification: reported like a non-UTF-8 name.
        if let Some(why) = crate::archive::unsafe_name(&rel) {
            skipped.push(Skipped {
                path: rel,
                reason: format!("the file name cannot be stored ({why}): rename it"),
            });
            continue;
        }
        let ft = entry.file_type();
        if rel == crate::output::RECORD && ft.is_file() {
            skipped.push(Skipped { path: rel, reason: RECORD_REASON.into() });
            continue;
        }
        // Left out whole, and reported once: its files would make an archive that fails its
        // own verification.
        if ft.is_dir() && entry.depth() > MAX_SITE_DEPTH {
            walker.skip_current_dir();
            if std::fs::read_dir(entry.path()).is_ok_and(|mut d| d.next().is_some()) {
                skipped.push(Skipped {
                    path: rel,
                    reason: format!(
                        "the folder is {} folders deep: what it holds would be nested deeper than the {} folders `carton verify` reads in an archive, so it is not stored; move it higher",
                        entry.depth(),
                        crate::archive::Archive::MAX_DEPTH
                    ),
                });
            }
            continue;
        }
        if ft.is_symlink() {
            match symlink_target(&canonical_root, entry.path()) {
                Ok(target) if follow_links => {
                    if target.is_dir() {
                        skipped.push(Skipped {
                            path: rel,
                            reason: "symbolic link to a folder: not followed".into(),
                        });
                    } else if !target.is_file() {
                        // Reading a pipe waits for a writer that never comes.
                        skipped.push(Skipped {
                            path: rel,
                            reason: "symbolic link to what is not a regular file (device, \
                                     socket or pipe): not followed"
                                .into(),
                        });
                    } else {
                        let size = std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
                        files.push(SourceFile {
                            rel,
                            abs: target,
                            size,
                            role: FileRole::Other,
                            bytes: None,
                        });
                    }
                }
                Ok(_) => skipped.push(Skipped {
                    path: rel,
                    reason: "symbolic link: not followed (pass --follow-links to store its target)"
                        .into(),
                }),
                Err(reason) => skipped.push(Skipped { path: rel, reason }),
            }
            continue;
        }
        if ft.is_dir() {
            continue;
        }
        if !ft.is_file() {
            skipped.push(Skipped {
                path: rel,
                reason: "not a regular file (device, socket or pipe)".into(),
            });
            continue;
        }
        let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
        files.push(SourceFile {
            rel,
            abs: entry.path().to_path_buf(),
            size,
            role: FileRole::Other,
            bytes: None,
        });
    }
    for entry in VCS_DIRS {
        if root.join(entry).is_dir() {
            skipped.push(Skipped { path: (*entry).into(), reason: VCS_REASON.into() });
        }
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    skipped.sort_by(|a, b| a.path.cmp(&b.path));
    (files, skipped)
}

/// Opens a listed file for reading, refusing what is no longer a regular file: a file
/// replaced by a pipe between listing and reading would block the read forever, and a
/// folder cannot be read. On Unix the file is opened non-blocking (which changes nothing
/// for a regular file) and checked once open, so a swap at any moment is caught.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let not_regular = || std::io::Error::other("no longer a regular file (folder, pipe or device)");
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    #[cfg(not(unix))]
    if !std::fs::metadata(path)?.is_file() {
        return Err(not_regular());
    }
    let f = options.open(path)?;
    if !f.metadata()?.is_file() {
        return Err(not_regular());
    }
    Ok(f)
}

/// Reads a listed file whole, as [`open_regular`] opens it.
pub(crate) fn read_regular(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_regular(path)?;
    let mut bytes = Vec::with_capacity(f.metadata().map_or(0, |m| m.len() as usize));
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The resolved target of a link, when it stays inside the site.
fn symlink_target(root: &Path, link: &Path) -> Result<PathBuf, String> {
    match link.canonicalize() {
        Ok(t) if t.starts_with(root) => Ok(t),
        Ok(_) => Err("symbolic link pointing outside the site: not followed".into()),
        Err(e) => Err(format!("broken symbolic link ({e})")),
    }
}

fn rel_path(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace(std::path::MAIN_SEPARATOR, "/")
}
