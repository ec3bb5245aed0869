//! Writing outputs atomically: each command builds its output under a temporary name beside
//! the final one and moves it into place only when complete.

mod existing;

pub use existing::{Existing, RECORD, record};

use crate::error::{Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The output as a path with a name of its own: `.` or `..` (which name no folder to write
/// beside) become the folder they stand for, so that `-o .` imports into the current folder.
pub fn named(output: &Path) -> PathBuf {
    match output.file_name() {
        Some(_) => output.to_path_buf(),
        None => fs::canonicalize(output).unwrap_or_else(|_| output.to_path_buf()),
    }
}

/// The folder an output is written in (`.` for a bare file name).
pub fn parent_of(output: &Path) -> PathBuf {
    match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether `output` is taken: it exists and is not an empty folder (a site is written into
/// an empty folder without `--force`).
pub fn occupied(output: &Path) -> bool {
    match fs::symlink_metadata(output) {
        Ok(m) if m.is_dir() => fs::read_dir(output).map_or(true, |mut d| d.next().is_some()),
        Ok(_) => true,
        Err(_) => false,
    }
}

/// Moves a complete folder, staged beside `output`, into place. An existing output is
/// replaced only with `force` (moved aside first, removed once the new one is in place).
/// On any failure the staged folder is removed and the existing output is left as it was.
///
/// # Errors
/// When the output exists without `force`, or a rename fails.
pub fn place_dir(staged: tempfile::TempDir, output: &Path, force: bool) -> Result<()> {
    let mut aside = None;
    if output.exists() {
        if !force {
            return Err(Error::OutputExists(output.to_path_buf()));
        }
        let parent = parent_of(output);
        let old = tempfile::Builder::new()
            .prefix(".carton-old.")
            .tempdir_in(&parent)
            .map_err(|e| Error::Write(e, parent.clone()))?;
        let to = old.path().join("old");
        fs::rename(output, &to).map_err(|e| Error::Write(e, output.to_path_buf()))?;
        aside = Some((old, to));
    }
    if let Err(e) = fs::rename(staged.path(), output) {
        if let Some((_, to)) = &aside {
            let _ = fs::rename(to, output);
        }
        return Err(Error::Write(e, output.to_path_buf()));
    }
    // The staged path is now the output: it must not be removed with the TempDir.
    let _ = staged.keep();
    Ok(())
}
