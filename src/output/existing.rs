//! Writing a site into a folder that already exists (`--force`): carton replaces only what
//! it wrote there itself.
//!
//! Every site folder carton writes holds [`RECORD`]: the SHA-256 of each file carton wrote,
//! in the format of `sha256sum`, so `sha256sum -c` checks it. A later run surveys the folder
//! against it ([`Existing::survey`]): files the record lists, unchanged, are carton's and
//! may go; anything else (files added by hand, a `.git`, edited pages) is the user's. The
//! new site is built beside the folder; [`Existing::place`] then links every file of the
//! user's into it (hard links: nothing is copied, nothing lost if the run stops) and swaps
//! the two folders in one rename, so the folder is always either the old one or the new.

use crate::error::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The record of the files carton wrote into a site folder, at its root.
pub const RECORD: &str = ".carton-written.sha256";

/// What a folder already held, and what becomes of it. Paths are relative to the folder.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Existing {
    /// Whether the folder held no record: nothing in it is taken as carton's.
    pub no_record: bool,
    /// Files carton did not write, or changed since it wrote them: kept.
    pub kept: Vec<String>,
    /// Files carton did not write, or changed since, at a path the new output writes: replaced.
    pub replaced: Vec<String>,
    /// Files an earlier run of carton wrote, unchanged, that the new output no longer has.
    pub removed: Vec<String>,
    #[serde(skip)]
    keep: Vec<PathBuf>,
    #[serde(skip)]
    empty_dirs: Vec<PathBuf>,
    /// The output is a file (or a link), not a folder: `--force` replaces it.
    #[serde(skip)]
    not_a_folder: bool,
}

/// Parses a record: `HEX  PATH` lines, with `sha256sum`'s escapes (a line starting with `\`
/// has `\\`, `\n` and `\r` in its path). Lines that do not parse are ignored: their files
/// are then not taken as carton's, which keeps them.
fn parse_record(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let (escaped, line) = match line.strip_prefix('\\') {
            Some(rest) => (true, rest),
            None => (false, line),
        };
        let Some((hex, path)) = line.split_once("  ") else { continue };
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let path = if escaped { unescape(path) } else { Some(path.to_string()) };
        if let Some(p) = path {
            out.insert(p, hex.to_ascii_lowercase());
        }
    }
    out
}

fn unescape(s: &str) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            _ => return None,
        }
    }
    Some(out)
}

/// The record of `files` (path, SHA-256 in hex), sorted by path.
pub fn record(files: &BTreeMap<String, String>) -> String {
    let mut s = String::new();
    for (path, hex) in files {
        if path.contains(['\\', '\n', '\r']) {
            let p = path.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r");
            s.push_str(&format!("\\{hex}  {p}\n"));
        } else {
            s.push_str(&format!("{hex}  {path}\n"));
        }
    }
    s
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut f = crate::source::open_regular(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(hex::encode(h.finalize()));
        }
        h.update(&buf[..n]);
    }
}

/// The folders every path of `new` needs.
fn folders_of<'a>(new: &HashSet<&'a str>) -> HashSet<&'a str> {
    let mut dirs = HashSet::new();
    for p in new {
        let mut at = *p;
        while let Some((parent, _)) = at.rsplit_once('/') {
            if !dirs.insert(parent) {
                break;
            }
            at = parent;
        }
    }
    dirs
}

impl Existing {
    /// Surveys `output` before a run writes the paths `new` into it. `None` when it does not
    /// exist. An empty folder is written into without `force`.
    ///
    /// # Errors
    /// When the output exists and is not empty without `force`; when a file of the user's
    /// would have to go to make room for the new output (a file where the new output needs a
    /// folder, or inside a folder the new output replaces by a file); when it cannot be read.
    pub fn survey(output: &Path, force: bool, new: &HashSet<&str>) -> Result<Option<Existing>> {
        let meta = match fs::symlink_metadata(output) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Read(e, output.to_path_buf())),
        };
        if !meta.is_dir() {
            if !force {
                return Err(Error::OutputExists(output.to_path_buf()));
            }
            let name = output.file_name().map(|n| n.to_string_lossy().into_owned());
            return Ok(Some(Existing {
                no_record: true,
                replaced: name.into_iter().collect(),
                not_a_folder: true,
                ..Existing::default()
            }));
        }
        let empty = fs::read_dir(output)
            .map_err(|e| Error::Read(e, output.to_path_buf()))?
            .next()
            .is_none();
        if !empty && !force {
            return Err(Error::OutputExists(output.to_path_buf()));
        }
        let recorded = match fs::read(output.join(RECORD)) {
            Ok(b) => Some(parse_record(&String::from_utf8_lossy(&b))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::Read(e, output.join(RECORD))),
        };
        let mut ex = Existing { no_record: recorded.is_none(), ..Existing::default() };
        let recorded = recorded.unwrap_or_default();
        let new_dirs = folders_of(new);
        let ours = |rel: &str, abs: &Path, is_file: bool| -> bool {
            is_file
                && recorded
                    .get(rel)
                    .is_some_and(|hex| sha256_of(abs).is_ok_and(|found| &found == hex))
        };
        for entry in
            walkdir::WalkDir::new(output).min_depth(1).follow_links(false).sort_by_file_name()
        {
            let entry = entry.map_err(|e| {
                let path = e.path().unwrap_or(output).to_path_buf();
                Error::Read(e.into(), path)
            })?;
            let abs = entry.path();
            let Ok(rel) = abs.strip_prefix(output) else { continue };
            // A name that is not UTF-8 was not written by carton and is not in `new`.
            let rel_str = rel.to_str().map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"));
            let shown = || rel.to_string_lossy().into_owned();
            let ft = entry.file_type();
            if ft.is_dir() {
                let empty = fs::read_dir(abs).map_err(|e| Error::Read(e, abs.to_path_buf()))?;
                if empty.into_iter().next().is_none() {
                    match rel_str.as_deref() {
                        Some(r) if new.contains(r) => {}
                        _ => ex.empty_dirs.push(rel.to_path_buf()),
                    }
                }
                continue;
            }
            let Some(r) = rel_str.as_deref() else {
                ex.keep.push(rel.to_path_buf());
                ex.kept.push(shown());
                continue;
            };
            if r == RECORD {
                continue;
            }
            let is_ours = ours(r, abs, ft.is_file());
            if new.contains(r) {
                if !is_ours {
                    ex.replaced.push(shown());
                }
            } else if is_ours {
                ex.removed.push(shown());
            } else {
                ex.keep.push(rel.to_path_buf());
                ex.kept.push(shown());
            }
        }
        // The user's files must keep their place: none may be where the new output puts a
        // folder, nor under a path where it puts a file.
        for (rel, shown) in ex.keep.iter().zip(&ex.kept) {
            let Some(r) = rel.to_str() else { continue };
            let r = r.replace(std::path::MAIN_SEPARATOR, "/");
            let clash = if new_dirs.contains(r.as_str()) {
                Some(r.clone())
            } else {
                let mut at = r.as_str();
                let mut hit = None;
                while let Some((parent, _)) = at.rsplit_once('/') {
                    if new.contains(parent) {
                        hit = Some(parent.to_string());
                        break;
                    }
                    at = parent;
                }
                hit
            };
            if let Some(c) = clash {
                return Err(Error::Import(format!(
                    "{} holds `{shown}`, which carton did not write, and the new output needs `{c}` for itself: move it away and run again; nothing was changed",
                    output.display()
                )));
            }
        }
        Ok(Some(ex))
    }

    /// Whether the run changes nothing of the user's: no file replaced.
    pub fn is_quiet(&self) -> bool {
        self.replaced.is_empty()
    }

    /// Links the files and empty folders the survey keeps from the folder `old` into the
    /// complete new folder `new`, which takes the permissions of `old`.
    ///
    /// # Errors
    /// When a kept file cannot be linked or copied.
    pub fn carry_over(&self, old: &Path, new: &Path) -> Result<()> {
        for rel in &self.empty_dirs {
            make_dirs(old, new, rel)?;
        }
        for rel in &self.keep {
            if let Some(parent) = rel.parent() {
                make_dirs(old, new, parent)?;
            }
            carry(&old.join(rel), &new.join(rel))?;
        }
        if let Ok(m) = fs::metadata(old) {
            let _ = fs::set_permissions(new, m.permissions());
        }
        Ok(())
    }

    /// Moves the complete folder `staged` (built beside `output`) into place, carrying into
    /// it the files and empty folders the survey keeps. On failure the folder is as it was.
    ///
    /// # Errors
    /// When a kept file cannot be linked or copied, or a rename fails.
    pub fn place(&self, staged: tempfile::TempDir, output: &Path) -> Result<()> {
        if self.not_a_folder {
            return super::place_dir(staged, output, true);
        }
        let to = staged.path();
        self.carry_over(output, to)?;
        if exchange(to, output).is_ok() {
            // `staged` now holds the old folder, whose remaining files are carton's: its drop
            // removes them, and the links to the user's files that were carried over.
            drop(staged);
            return Ok(());
        }
        super::place_dir(staged, output, true)
    }
}

/// Creates the folders of `rel` under `to` that do not exist, with the permissions of
/// their counterparts under `from`.
fn make_dirs(from: &Path, to: &Path, rel: &Path) -> Result<()> {
    let mut at = PathBuf::new();
    for c in rel.components() {
        at.push(c);
        let dest = to.join(&at);
        if fs::symlink_metadata(&dest).is_ok() {
            continue;
        }
        fs::create_dir(&dest).map_err(|e| Error::Write(e, dest.clone()))?;
        if let Ok(m) = fs::metadata(from.join(&at)) {
            let _ = fs::set_permissions(&dest, m.permissions());
        }
    }
    Ok(())
}

/// Carries one file of the user's into the new folder: a hard link, or where the file
/// system refuses one, a copy (of a link, the link itself).
fn carry(from: &Path, to: &Path) -> Result<()> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    let meta = fs::symlink_metadata(from).map_err(|e| Error::Read(e, from.to_path_buf()))?;
    let copied = if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(|e| Error::Read(e, from.to_path_buf()))?;
        symlink(&target, to)
    } else if meta.is_file() {
        fs::copy(from, to).map(|_| ())
    } else {
        Err(std::io::Error::other(
            "a special file that cannot be linked here: move it out of the folder and run again",
        ))
    };
    copied.map_err(|e| Error::Write(e, to.to_path_buf()))
}

#[cfg(unix)]
fn symlink(target: &Path, at: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, at)
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _at: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("links are not carried over on this system"))
}

/// Swaps two folders in one step, where the system can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::other("no atomic exchange"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back_with_odd_names() {
        let mut files = BTreeMap::new();
        files.insert("content/a.md".to_string(), "a".repeat(64));
        files.insert("odd\\name\nwith lines\r.md".to_string(), "b".repeat(64));
        let text = record(&files);
        assert!(text.contains(&format!("{}  content/a.md\n", "a".repeat(64))));
        assert!(text.contains(&format!("\\{}  odd\\\\name\\nwith lines\\r.md\n", "b".repeat(64))));
        assert_eq!(parse_record(&text), files);
    }

    #[test]
    fn lines_that_do_not_parse_are_not_taken_as_carton_s() {
        let text = format!("xyz  a.md\n{}  b.md\n\\{}  bad\\q\n", "c".repeat(64), "d".repeat(64));
        let parsed = parse_record(&text);
        assert_eq!(parsed.keys().collect::<Vec<_>>(), ["b.md"]);
    }

    #[test]
    fn folders_of_lists_every_ancestor() {
        let new: HashSet<&str> = ["a/b/c.md", "a/d.md", "e.md"].into_iter().collect();
        let mut dirs: Vec<_> = folders_of(&new).into_iter().collect();
        dirs.sort_unstable();
        assert_eq!(dirs, ["a", "a/b"]);
    }
}
