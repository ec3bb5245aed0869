//! The stat cache: for each object, the size and modification time each site file had when
//! the head version recorded its digest, so that an unchanged file is not read again (as
//! backup tools do). It is a cache: losing it, or finding it out of date, only costs a full
//! read; it is never trusted for a head other than the one it was written for.
//!
//! It lives in one file directly in the storage root, `carton-stat-cache.json`. Files there
//! are allowed and ignored by OCFL validators (OCFL 1.1 E087), unlike anything added to an
//! object (an object may hold only what the specification lists, and an unregistered
//! extension folder draws warning W013), and the cache describes this machine's copy of the
//! site, not the preserved content: it has no place inside the object.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const CACHE_FILE: &str = "carton-stat-cache.json";
const FORMAT: &str = "carton-stat-cache";

/// Files modified this close to the start of a snapshot are not cached: a change made later
/// within the same timestamp tick, keeping the size, would otherwise go unseen (git's "racily
/// clean" entries).
const RACY_WINDOW: Duration = Duration::from_secs(2);

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: String,
    version: u32,
    objects: BTreeMap<String, ObjectCache>,
}

/// The cache of one object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectCache {
    /// The version whose state the entries agree with.
    pub head: String,
    /// Site path → what its file looked like when that version was made.
    pub files: BTreeMap<String, Stat>,
}

/// Size and modification time (seconds and nanoseconds since 1970), written `[size, s, ns]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Stat(u64, i64, u32);

impl Stat {
    /// `None` for a time before 1970 or an unknown one: such files are always read.
    pub fn new(size: u64, mtime: Option<SystemTime>) -> Option<Stat> {
        let d = mtime?.duration_since(UNIX_EPOCH).ok()?;
        Some(Stat(size, i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()))
    }

    /// Whether the file was modified too close to `start` to be trusted later.
    pub fn is_racy(&self, start: SystemTime) -> bool {
        let mtime = UNIX_EPOCH + Duration::new(self.1.max(0) as u64, self.2);
        mtime + RACY_WINDOW > start
    }
}

fn read_all(root: &Path) -> Option<CacheFile> {
    let bytes = fs::read(root.join(CACHE_FILE)).ok()?;
    let file: CacheFile = serde_json::from_slice(&bytes).ok()?;
    (file.format == FORMAT && file.version == 1).then_some(file)
}

/// The cache of object `id`, if there is a readable one.
pub(crate) fn load(root: &Path, id: &str) -> Option<ObjectCache> {
    read_all(root)?.objects.remove(id)
}

/// The bytes `cache` takes in the cache file.
pub(crate) fn size(cache: &ObjectCache) -> u64 {
    serde_json::to_vec(cache).map_or(0, |b| b.len() as u64)
}

/// Replaces the cache of object `id`: written beside and renamed, so a reader sees the old
/// cache or the new one. Called with the store's lock held.
///
/// # Errors
/// When the file cannot be written.
pub(crate) fn save(root: &Path, id: &str, cache: ObjectCache) -> Result<()> {
    let mut all = read_all(root).unwrap_or(CacheFile {
        format: FORMAT.into(),
        version: 1,
        objects: BTreeMap::new(),
    });
    if all.objects.get(id) == Some(&cache) {
        return Ok(());
    }
    all.objects.insert(id.into(), cache);
    let bytes = serde_json::to_vec(&all).map_err(|e| Error::Json(e, CACHE_FILE.into()))?;
    let tmp = root.join(format!("{CACHE_FILE}.partial"));
    fs::write(&tmp, bytes).map_err(|e| Error::Write(e, tmp.clone()))?;
    let path = root.join(CACHE_FILE);
    fs::rename(&tmp, &path).map_err(|e| Error::Write(e, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_and_loads_per_object() {
        let tmp = tempfile::tempdir().unwrap();
        let t = UNIX_EPOCH + Duration::new(1_700_000_000, 5);
        let mut c = ObjectCache { head: "v2".into(), ..Default::default() };
        c.files.insert("a.md".into(), Stat::new(3, Some(t)).unwrap());
        save(tmp.path(), "eig", c.clone()).unwrap();
        save(tmp.path(), "other", ObjectCache::default()).unwrap();
        assert_eq!(load(tmp.path(), "eig"), Some(c));
        assert_eq!(load(tmp.path(), "nope"), None);
        let text = fs::read_to_string(tmp.path().join(CACHE_FILE)).unwrap();
        assert!(text.contains("\"a.md\":[3,1700000000,5]"), "{text}");
        fs::write(tmp.path().join(CACHE_FILE), "garbage").unwrap();
        assert_eq!(load(tmp.path(), "eig"), None);
    }

    #[test]
    fn recent_files_are_racy() {
        let now = SystemTime::now();
        assert!(Stat::new(1, Some(now)).unwrap().is_racy(now));
        assert!(!Stat::new(1, Some(now - Duration::from_secs(10))).unwrap().is_racy(now));
        assert_eq!(Stat::new(1, None), None);
    }
}
