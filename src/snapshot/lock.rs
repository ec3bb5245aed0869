//! The store's write lock: `carton.lock` in the storage root, held with an exclusive
//! advisory lock (`flock` on Unix, `LockFileEx` on Windows) for as long as a snapshot or a
//! repair writes. The operating system releases it when its holder exits, killed or not, so
//! a lock is never left stale; the file's text only names the holder for the message the
//! next writer prints. A second writer fails at once rather than waiting: snapshots run from
//! schedulers, where a queue of waiting runs is worse than one clear failure.

use crate::error::{Error, Result};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file, in the storage root. OCFL validators ignore files in the storage root
/// (OCFL 1.1 E087), so it may stay there between runs.
pub(crate) const LOCK_FILE: &str = "carton.lock";

/// A held lock, released on drop.
#[derive(Debug)]
pub(crate) struct Lock {
    file: File,
}

impl Lock {
    /// Takes the lock, or fails at once naming who holds it. `purpose` is written for that
    /// message (`carton snapshot of eig`).
    ///
    /// # Errors
    /// [`Error::StoreLocked`] when another process (or another `Repo` in this one) holds it;
    /// [`Error::Write`] when the lock file cannot be created.
    pub fn acquire(root: &Path, purpose: &str) -> Result<Lock> {
        let path = root.join(LOCK_FILE);
        let mut file = open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let holder = if holder.is_empty() { "another carton process" } else { holder };
                return Err(Error::StoreLocked { path: root.to_path_buf(), holder: holder.into() });
            }
            Err(TryLockError::Error(e)) => return Err(Error::Write(e, path)),
        }
        let since = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        let text = format!("{purpose} (pid {} on {}, since {since})\n", std::process::id(), host());
        // The lock is held from here: what follows only names the holder.
        let _ = file
            .set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| file.write_all(text.as_bytes()));
        Ok(Lock { file })
    }

    /// Takes the lock if it is free; `None` when another process holds it or the store cannot
    /// be written (a read-only copy can still be read and verified).
    pub fn try_acquire(root: &Path, purpose: &str) -> Option<Lock> {
        Lock::acquire(root, purpose).ok()
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Clear the holder's name before the lock goes, so the file never names a finished run.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// Whether some process holds the lock now (readers use it to tell a commit in progress from
/// a damaged store).
pub(crate) fn is_held(root: &Path) -> bool {
    let Ok(file) = File::open(root.join(LOCK_FILE)) else { return false };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}

fn open(path: &PathBuf) -> Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::Write(e, path.clone()))
}

/// This machine's name, for the holder's message.
fn host() -> String {
    let from_file = fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    from_file
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .unwrap_or_else(|| "this host".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_writer_fails_naming_the_first() {
        let tmp = tempfile::tempdir().unwrap();
        let first = Lock::acquire(tmp.path(), "carton snapshot of eig").unwrap();
        assert!(is_held(tmp.path()));
        let err = Lock::acquire(tmp.path(), "carton snapshot of other").unwrap_err().to_string();
        assert!(err.contains("is locked by carton snapshot of eig (pid "), "{err}");
        assert!(err.contains(&format!("pid {} on", std::process::id())), "{err}");
        assert!(Lock::try_acquire(tmp.path(), "x").is_none());
        drop(first);
        assert!(!is_held(tmp.path()));
        let again = Lock::acquire(tmp.path(), "carton snapshot of other").unwrap();
        drop(again);
        assert_eq!(fs::read_to_string(tmp.path().join(LOCK_FILE)).unwrap(), "");
    }
}
