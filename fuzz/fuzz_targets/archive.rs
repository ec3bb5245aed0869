//! The archive reader: `Archive::open` on the input written to a file, every entry read,
//! then `carton::archive::verify` on the same file, as `carton verify` runs it.

#![no_main]

use carton::archive::{Archive, verify};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::LazyLock;
use std::sync::atomic::AtomicBool;

/// Entries read whole are cut at this size; verify streams them all the same.
const READ_LIMIT: u64 = 1 << 20;

/// One file per fuzzing process, rewritten for each input.
static PATH: LazyLock<PathBuf> =
    LazyLock::new(|| std::env::temp_dir().join(format!("carton-fuzz-{}.zip", std::process::id())));

fuzz_target!(|data: &[u8]| {
    std::fs::write(&*PATH, data).expect("write the input to a temporary file");
    if let Ok(mut archive) = Archive::open(&PATH) {
        let names: Vec<String> = archive.entries().iter().map(|e| e.name.clone()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]), "entries not sorted or not unique");
        for name in &names {
            assert!(!escapes(name), "entry name {name:?} that leaves its folder listed");
            assert!(archive.contains(name), "listed entry {name:?} not found");
            let _ = archive.read(name, READ_LIMIT);
        }
    }
    let report = verify(&PATH, &|_| {}, &AtomicBool::new(false)).expect("verify a file");
    assert!(!report.valid || report.findings.is_empty(), "valid with findings");
});

/// Whether a name could point outside the bag's folder once joined to it.
fn escapes(name: &str) -> bool {
    name.starts_with('/') || name.contains('\\') || name.split('/').any(|c| c == "..")
}
