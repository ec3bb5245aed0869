//! Scenarios over a whole store: snapshots, deduplication, restore, verify, crashes at every
//! step of a commit, the lock. Sites are small trees written in temporary folders.

use super::*;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::UNIX_EPOCH;

type Tree = BTreeMap<String, Vec<u8>>;

fn tree(files: &[(&str, &str)]) -> Tree {
    files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect()
}

/// Writes `t` as the only content of `dir`, every file dated `age` seconds ago (old enough for
/// the stat cache to trust).
fn write_site(dir: &Path, t: &Tree) {
    if dir.exists() {
        fs::remove_dir_all(dir).unwrap();
    }
    for (p, c) in t {
        let path = dir.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, c).unwrap();
        set_mtime(&path, 1_000_000);
    }
}

fn set_mtime(path: &Path, secs: u64) {
    let f = fs::File::options().write(true).open(path).unwrap();
    f.set_modified(UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
}

fn read_tree(dir: &Path) -> Tree {
    list_files(dir).unwrap().into_iter().map(|f| (f.rel, fs::read(f.abs).unwrap())).collect()
}

fn opts(message: &str) -> SnapshotOptions {
    SnapshotOptions {
        message: Some(message.into()),
        user: Some(User { name: "Test".into(), address: Some("mailto:test@example.org".into()) }),
        created: Some(time::macros::datetime!(2025-01-24 10:00 UTC)),
        ..SnapshotOptions::default()
    }
}

fn extra(tag: &str) -> Vec<(String, Vec<u8>)> {
    vec![
        (CARTON_JSON.into(), super::describe::gzip(format!("{{\"run\":\"{tag}\"}}").as_bytes())),
        (
            RO_CRATE.into(),
            super::describe::gzip(b"{\"@context\":\"https://w3id.org/ro/crate/1.2/context\"}"),
        ),
    ]
}

struct Fixture {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    site: PathBuf,
    repo: Repo,
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("store");
    let site = tmp.path().join("site");
    let repo = Repo::open_or_create(&root).unwrap();
    Fixture { root, site, repo, _tmp: tmp }
}

static STOP: AtomicBool = AtomicBool::new(false);

impl Fixture {
    fn snap(&self, t: &Tree, o: &SnapshotOptions, run: &str) -> SnapshotOutcome {
        write_site(&self.site, t);
        self.snap_as_is(o, run).unwrap()
    }

    fn snap_as_is(&self, o: &SnapshotOptions, run: &str) -> Result<SnapshotOutcome> {
        let files = list_files(&self.site).unwrap();
        self.repo.snapshot("site", &files, &extra(run), o, &|_| {}, &STOP)
    }

    fn restored(&self, version: &str) -> Tree {
        let dest = self.site.with_file_name(format!("restored-{version}"));
        let r = self
            .repo
            .restore("site", version, &dest, &RestoreOptions::default(), &|_| {}, &STOP)
            .unwrap();
        let t = read_tree(&dest);
        assert_eq!(r.files, t.len());
        fs::remove_dir_all(&dest).unwrap();
        t
    }

    fn assert_clean(&self) {
        let report = Repo::open(&self.root).unwrap().verify(&|_| {}, &STOP).unwrap();
        assert!(report.valid, "{:#?}", report.findings);
    }

    fn object(&self) -> PathBuf {
        self.root.join(self.repo.layout.object_path("site"))
    }
}

fn v1_site() -> Tree {
    tree(&[
        ("config.toml", "baseURL = ''\n"),
        ("content/a.md", "---\ntitle: A\n---\nbody a\n"),
        ("content/b.md", "---\ntitle: B\n---\nbody b\n"),
        ("content/copy-of-a.md", "---\ntitle: A\n---\nbody a\n"),
        ("static/img/\"odd\" name é.png", "\u{1}\u{2}png"),
        ("static/empty.txt", ""),
    ])
}

fn v2_site() -> Tree {
    let mut t = v1_site();
    t.insert("content/a.md".into(), b"---\ntitle: A, edited\n---\nbody a\n".to_vec());
    t.insert("content/c.md".into(), b"---\ntitle: C\n---\nnew page\n".to_vec());
    t.remove("content/b.md");
    t
}

#[test]
fn first_snapshot_then_unchanged() {
    let f = fixture();
    let out = f.snap(&v1_site(), &opts("first"), "1");
    // 6 site files + 2 reserved; a.md and copy-of-a.md share one stored file.
    let distinct: std::collections::BTreeSet<Vec<u8>> =
        v1_site().into_values().chain(extra("1").into_iter().map(|(_, b)| b)).collect();
    let new_bytes = distinct.iter().map(|b| b.len() as u64).sum();
    let expected = SnapshotOutcome::Created {
        version: "v1".into(),
        files: 8,
        new_files: 7,
        new_bytes,
        reused_files: 0,
    };
    assert_eq!(out, expected);
    assert_eq!(
        f.snap(&v1_site(), &opts("again"), "2"),
        SnapshotOutcome::Unchanged { head: "v1".into() }
    );
    assert_eq!(f.restored("v1"), v1_site());
    assert!(!f.root.join("extensions/carton-staging").exists());
    let obj = f.object();
    assert_eq!(fs::read_to_string(obj.join("0=ocfl_object_1.1")).unwrap(), "ocfl_object_1.1\n");
    // W010 by choice: no inventory copy in a version folder that stores content.
    assert!(!obj.join("v1/inventory.json").exists());
    let inv = fs::read_to_string(obj.join("inventory.json")).unwrap();
    assert!(inv.contains("\"type\":\"https://ocfl.io/1.1/spec/#inventory\""), "{inv}");
    assert!(inv.contains("\"created\":\"2025-01-24T10:00:00Z\""), "{inv}");
    let sidecar = fs::read_to_string(obj.join("inventory.json.sha512")).unwrap();
    assert_eq!(sidecar, format!("{}  inventory.json\n", sha512_hex(inv.as_bytes())));
    f.assert_clean();
}

#[test]
fn second_version_stores_only_what_changed_and_reuses_reverted_content() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    let out = f.snap(&v2_site(), &opts("v2"), "2");
    // 6 site files + 2 reserved. New: a.md (edited), c.md, carton.json. Reused: config,
    // copy-of-a.md (a.md's v1 bytes), the image, the empty file, the RO-Crate.
    let SnapshotOutcome::Created { version, files, new_files, reused_files, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!((version.as_str(), files, new_files, reused_files), ("v2", 8, 3, 5));
    // a.md back to its v1 bytes: nothing of the site is stored again.
    let mut v3 = v2_site();
    v3.insert("content/a.md".into(), v1_site()["content/a.md"].clone());
    let out = f.snap(&v3, &opts("v3"), "3");
    let SnapshotOutcome::Created { new_files, .. } = out else { panic!("{out:?}") };
    assert_eq!(new_files, 1, "only the new carton.json");
    let stored: Vec<String> =
        list_files(&f.object().join("v3/content")).unwrap().into_iter().map(|f| f.rel).collect();
    assert_eq!(stored, [CARTON_JSON]);
    assert_eq!(f.restored("v1"), v1_site());
    assert_eq!(f.restored("v2"), v2_site());
    assert_eq!(f.restored("v3"), v3);

    let log = f.repo.log("site").unwrap();
    assert_eq!(log.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(), ["v1", "v2", "v3"]);
    assert_eq!((log[1].new_files, log[1].message.as_deref()), (3, Some("v2")));
    let state = f.repo.state("site", "v3").unwrap();
    let a = state.iter().find(|e| e.logical == "content/a.md").unwrap();
    assert_eq!(a.content_path, "v1/content/content/a.md");
    assert_eq!(a.size, v1_site()["content/a.md"].len() as u64);
    assert_eq!(
        a.sha256.as_deref(),
        ingest::hash_bytes(&v1_site()["content/a.md"]).sha256.as_deref()
    );
    assert_eq!(f.repo.read("site", "v2", "content/c.md").unwrap(), v2_site()["content/c.md"]);
    let stored = f.repo.read("site", "v1", CARTON_JSON).unwrap();
    assert_eq!(super::describe::gunzip(&stored, "x").unwrap(), b"{\"run\":\"1\"}");
    assert!(matches!(f.repo.read("site", "v9", "x"), Err(Error::UnknownVersion { .. })));
    assert!(matches!(f.repo.log("other"), Err(Error::UnknownObject { .. })));
    assert_eq!(f.repo.objects().unwrap(), ["site"]);
    f.assert_clean();
}

#[test]
fn restore_with_reserved_files_and_refusing_an_existing_destination() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    let dest = f.root.with_file_name("out");
    fs::create_dir_all(&dest).unwrap();
    fs::write(dest.join("mine.txt"), "mine").unwrap();
    let o = RestoreOptions { force: false, with_reserved: true };
    let err = f.repo.restore("site", "v1", &dest, &o, &|_| {}, &STOP).unwrap_err();
    assert!(matches!(err, Error::OutputExists(_)), "{err}");
    let o = RestoreOptions { force: true, with_reserved: true };
    let r = f.repo.restore("site", "v1", &dest, &o, &|_| {}, &STOP).unwrap();
    assert_eq!(r.files, 8);
    // The file carton did not write is kept; the next restore replaces only carton's files.
    assert_eq!(r.existing.as_ref().unwrap().kept, ["mine.txt"]);
    assert_eq!(fs::read(dest.join("mine.txt")).unwrap(), b"mine");
    let again = f.repo.restore("site", "v1", &dest, &o, &|_| {}, &STOP).unwrap();
    let again = again.existing.unwrap();
    assert!(!again.no_record && again.replaced.is_empty() && again.removed.is_empty());
    assert_eq!(again.kept, ["mine.txt"]);
    // Generated files are written decompressed, the RO-Crate at the root.
    assert_eq!(fs::read(dest.join(".carton/carton.json")).unwrap(), b"{\"run\":\"1\"}");
    assert_eq!(
        fs::read(dest.join("ro-crate-metadata.json")).unwrap(),
        b"{\"@context\":\"https://w3id.org/ro/crate/1.2/context\"}"
    );
    assert!(!dest.join(CARTON_JSON).exists() && !dest.join(RO_CRATE).exists());
}

#[test]
fn stat_cache_spares_unchanged_files_and_rehash_reads_everything() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    // Same size, same modification time, other bytes: trusted as unchanged, as backup tools do.
    let b = f.site.join("content/b.md");
    fs::write(&b, b"---\ntitle: X\n---\nbody x\n").unwrap();
    set_mtime(&b, 1_000_000);
    let read = std::sync::atomic::AtomicU64::new(0);
    let files = list_files(&f.site).unwrap();
    let count = |n: u64| {
        read.fetch_add(n, Ordering::Relaxed);
    };
    let out = f.repo.snapshot("site", &files, &extra("2"), &opts("v2"), &count, &STOP).unwrap();
    assert_eq!(out, SnapshotOutcome::Unchanged { head: "v1".into() });
    assert_eq!(read.load(Ordering::Relaxed), 0, "nothing read");
    let rehash = SnapshotOptions { rehash: true, ..opts("v2") };
    let out = f.repo.snapshot("site", &files, &extra("2"), &rehash, &count, &STOP).unwrap();
    assert!(matches!(out, SnapshotOutcome::Created { new_files: 2, .. }), "{out:?}");
    assert_eq!(f.restored("v2"), read_tree(&f.site));
    // A touched file is read again; when its bytes are the same, nothing is added.
    set_mtime(&b, 2_000_000);
    assert!(matches!(f.snap_as_is(&opts("v3"), "3").unwrap(), SnapshotOutcome::Unchanged { .. }));
    f.assert_clean();
}

#[test]
fn allow_empty_adds_a_version_holding_its_inventory() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "same");
    let o = SnapshotOptions { allow_empty: true, ..opts("forced") };
    let out = f.snap(&v1_site(), &o, "same");
    assert!(matches!(out, SnapshotOutcome::Created { new_files: 0, .. }), "{out:?}");
    // No new content: the version folder holds the inventory copy, so it is not empty (E073).
    let v2 = f.object().join("v2");
    assert_eq!(
        fs::read(v2.join("inventory.json")).unwrap(),
        fs::read(f.object().join("inventory.json")).unwrap()
    );
    assert!(!v2.join("content").exists());
    f.snap(&v2_site(), &opts("v3"), "3");
    f.assert_clean();
    assert_eq!(f.restored("v2"), v1_site());
}

#[test]
fn verify_names_damaged_missing_and_extra_files_with_their_versions() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    f.snap(&v2_site(), &opts("v2"), "2");
    let obj = f.object();
    let rel = f.repo.layout.object_path("site");
    // A flipped byte in a file both versions hold.
    let png = obj.join("v1/content/static/img/\"odd\" name é.png");
    let mut bytes = fs::read(&png).unwrap();
    bytes[0] ^= 0x20;
    fs::write(&png, bytes).unwrap();
    fs::remove_file(obj.join("v2/content/content/c.md")).unwrap();
    fs::write(obj.join("v2/content/stray.txt"), "x").unwrap();
    let report = f.repo.verify(&|_| {}, &STOP).unwrap();
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["digest-mismatch", "extra-file", "fixity-mismatch", "missing-file"]);
    let flipped = &report.findings[0];
    assert_eq!(flipped.path, format!("{rel}/v1/content/static/img/\"odd\" name é.png"));
    assert_eq!(flipped.versions, ["v1", "v2"]);
    assert_eq!(flipped.logical, ["static/img/\"odd\" name é.png"]);
    assert_eq!(flipped.object.as_deref(), Some("site"));
    assert!(flipped.message.contains("held by v1, v2"), "{}", flipped.message);
    assert_eq!(report.findings[3].versions, ["v2"]);
    // Restoring a version that holds the damaged file fails naming it; verify goes on.
    let err = f.repo.restore(
        "site",
        "v1",
        &f.site.with_file_name("r"),
        &RestoreOptions::default(),
        &|_| {},
        &STOP,
    );
    assert!(matches!(err, Err(Error::StoredFileDamaged { .. })), "{err:?}");
    assert!(!f.site.with_file_name("r").exists());

    // A tampered inventory: found by verify; refused by everything that reads it.
    let inv = obj.join("inventory.json");
    let text =
        fs::read_to_string(&inv).unwrap().replace("\"message\":\"v2\"", "\"message\":\"v2!\"");
    fs::write(&inv, text).unwrap();
    let report = f.repo.verify(&|_| {}, &STOP).unwrap();
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.code == "inventory-digest-mismatch" && f.path.ends_with("/inventory.json"))
    );
    let err = f.repo.log("site").unwrap_err().to_string();
    assert!(err.contains("does not match inventory.json.sha512"), "{err}");
}

#[test]
fn a_crash_at_any_step_leaves_a_valid_store_and_the_next_run_completes() {
    use commit::Step::*;
    for (first, step) in [(true, Staged), (true, Marked), (true, VersionMoved), (true, Published)]
        .into_iter()
        .chain([Staged, Marked, VersionMoved, InventoryMoved, Published].map(|s| (false, s)))
    {
        let f = fixture();
        if !first {
            f.snap(&v1_site(), &opts("v1"), "1");
        }
        let site = if first { v1_site() } else { v2_site() };
        write_site(&f.site, &site);
        let files = list_files(&f.site).unwrap();
        let err = f.repo.snapshot_with(
            "site",
            &files,
            &|_| Ok(extra("x")),
            &opts("crash"),
            &|_| {},
            &STOP,
            Some(step),
        );
        assert!(matches!(err, Err(Error::Interrupted)), "{step:?}: {err:?}");
        assert!(
            f.root.join("extensions/carton-staging").exists(),
            "{step:?}: the staging is left, as by kill -9"
        );
        // The marker decides: before it, the attempt is undone; after it, finished.
        let committed = !matches!(step, Staged);
        let repo = Repo::open(&f.root).unwrap();
        assert_eq!(repo.recovered().len(), 1, "{step:?}");
        assert!(!f.root.join("extensions/carton-staging").exists(), "{step:?}");
        f.assert_clean();
        let versions = match repo.log("site") {
            Ok(log) => log.len(),
            Err(Error::UnknownObject { .. }) => 0,
            Err(e) => panic!("{step:?}: {e}"),
        };
        let before = usize::from(!first);
        assert_eq!(versions, before + usize::from(committed), "{step:?}");
        if committed {
            assert_eq!(f.restored(if first { "v1" } else { "v2" }), site, "{step:?}");
        }
        // The next run: nothing to add when the crashed version was finished.
        let out = f.snap_as_is(&opts("next"), "y").unwrap();
        assert_eq!(
            matches!(out, SnapshotOutcome::Unchanged { .. }),
            committed,
            "{step:?}: {out:?}"
        );
        f.assert_clean();
    }
}

#[test]
fn the_next_snapshot_also_recovers_without_an_open() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    write_site(&f.site, &v2_site());
    let files = list_files(&f.site).unwrap();
    let _ = f.repo.snapshot_with(
        "site",
        &files,
        &|_| Ok(extra("2")),
        &opts("v2"),
        &|_| {},
        &STOP,
        Some(Step::InventoryMoved),
    );
    // Between the two renames the root inventory and its sidecar disagree; readers that find
    // no writer holding the lock say so.
    assert!(f.repo.log("site").is_err());
    let out = f.snap_as_is(&opts("v3"), "3").unwrap();
    assert_eq!(out, SnapshotOutcome::Unchanged { head: "v2".into() });
    f.assert_clean();
}

#[test]
fn a_held_lock_makes_a_second_snapshot_fail_naming_the_holder() {
    let f = fixture();
    write_site(&f.site, &v1_site());
    let held = lock::Lock::acquire(&f.root, "carton snapshot of site").unwrap();
    let err = f.snap_as_is(&opts("v1"), "1").unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::StoreLocked { .. }), "{text}");
    assert!(
        text.contains(&format!("locked by carton snapshot of site (pid {}", std::process::id())),
        "{text}"
    );
    drop(held);
    assert!(f.snap_as_is(&opts("v1"), "1").is_ok());
}

#[test]
fn an_interrupted_snapshot_leaves_nothing() {
    let f = fixture();
    write_site(&f.site, &v1_site());
    let files = list_files(&f.site).unwrap();
    let stop = AtomicBool::new(true);
    let err =
        f.repo.snapshot("site", &files, &extra("1"), &opts("v1"), &|_| {}, &stop).unwrap_err();
    assert!(matches!(err, Error::Interrupted));
    assert!(!f.root.join("extensions/carton-staging").exists());
    assert!(f.repo.objects().unwrap().is_empty());
}

#[test]
fn bad_inputs_are_refused_before_anything_is_written() {
    let f = fixture();
    let file =
        |rel: &str| SnapshotFile { rel: rel.into(), abs: f.site.join(rel), size: 0, mtime: None };
    for (files, extra, what) in [
        (vec![file(".carton/x")], vec![], "reserved"),
        (vec![file("a/../b")], vec![], "'..'"),
        (vec![file("a")], vec![("b".to_string(), vec![])], "generated files go under"),
        (vec![file("a"), file("a/b")], vec![], "both a file and a folder"),
    ] {
        let err = f.repo.snapshot("site", &files, &extra, &opts("x"), &|_| {}, &STOP).unwrap_err();
        assert!(
            matches!(err, Error::BadLogicalPath { .. }) && err.to_string().contains(what),
            "{err}"
        );
    }
    assert_eq!(fs::read_dir(&f.root).unwrap().count(), 4, "declaration, layout, extensions, doc");
}

#[test]
fn only_empty_folders_or_storage_roots_are_opened() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("site.zip"), "x").unwrap();
    let err = Repo::open_or_create(tmp.path()).unwrap_err().to_string();
    assert!(err.contains("not an OCFL storage root"), "{err}");
    let err = Repo::open(&tmp.path().join("absent")).unwrap_err();
    assert!(matches!(err, Error::NotAStore { .. }), "{err}");
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    Repo::open_or_create(&empty).unwrap();
    Repo::open(&empty).unwrap();
}

#[test]
fn a_damaged_object_is_reported_not_taken_for_a_new_site() {
    let f = fixture();
    f.snap(&v1_site(), &opts("v1"), "1");
    fs::remove_file(f.object().join("inventory.json")).unwrap();
    let err = f.snap_as_is(&opts("v2"), "2").unwrap_err();
    assert!(matches!(&err, Error::Read(_, p) if p.ends_with("inventory.json")), "{err}");
    let report = f.repo.verify(&|_| {}, &STOP).unwrap();
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["missing-inventory"]);
}

#[test]
fn verify_reports_an_interrupted_snapshot_it_cannot_finish() {
    let f = fixture();
    write_site(&f.site, &v1_site());
    let files = list_files(&f.site).unwrap();
    let o = opts("v1");
    let _ = f.repo.snapshot_with(
        "site",
        &files,
        &|_| Ok(extra("1")),
        &o,
        &|_| {},
        &STOP,
        Some(Step::Marked),
    );
    // Another process writes: opening cannot finish the snapshot, verify says it waits.
    let held = lock::Lock::acquire(&f.root, "carton snapshot of other").unwrap();
    let repo = Repo::open(&f.root).unwrap();
    assert!(repo.recovered().is_empty());
    let report = repo.verify(&|_| {}, &STOP).unwrap();
    let codes: Vec<&str> = report.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["pending-commit"]);
    drop(held);
    let repo = Repo::open(&f.root).unwrap();
    assert_eq!(repo.recovered(), ["finished the interrupted snapshot v1 of site"]);
    f.assert_clean();
}

/// `describe` is given every site file's SHA-256 and size, for new content (read now) and for
/// content the object already holds (from its fixity), and what it makes is stored.
#[test]
fn described_versions_get_the_digests_of_every_site_file() {
    use sha2::Digest;
    let f = fixture();
    let sha = |b: &str| hex::encode(sha2::Sha256::digest(b.as_bytes()));
    let seen = std::sync::Mutex::new(Vec::new());
    let describe = |d: &BTreeMap<String, FileDigest>| {
        seen.lock().unwrap().push(d.clone());
        let listing: Vec<String> = d.iter().map(|(p, x)| format!("{p} {}", x.sha256)).collect();
        Ok(vec![(CARTON_JSON.to_string(), listing.join("\n").into_bytes())])
    };
    for (run, t) in [
        ("1", tree(&[("a.md", "alpha"), ("b.md", "beta")])),
        ("2", tree(&[("a.md", "alpha"), ("b.md", "beta 2")])),
    ] {
        write_site(&f.site, &t);
        let files = list_files(&f.site).unwrap();
        f.repo.snapshot_described("site", &files, &describe, &opts(run), &|_| {}, &STOP).unwrap();
    }
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 2);
    // v2: a.md is reused content, b.md new; both digests are right.
    assert_eq!(seen[1]["a.md"], FileDigest { sha256: sha("alpha"), size: 5 });
    assert_eq!(seen[1]["b.md"], FileDigest { sha256: sha("beta 2"), size: 6 });
    assert!(!seen[1].contains_key(CARTON_JSON), "generated files are not described");
    let stored = f.repo.read("site", "v2", CARTON_JSON).unwrap();
    assert_eq!(
        String::from_utf8(stored).unwrap(),
        format!("a.md {}\nb.md {}", sha("alpha"), sha("beta 2"))
    );
}
