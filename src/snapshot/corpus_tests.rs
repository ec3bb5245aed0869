//! Runs over the shared corpus, ignored by default (they read 170 MB and print figures):
//!
//! - `corpus_store`: builds stores under `$CARTON_SNAPSHOT_SCRATCH` for the OCFL validators
//!   (`rocfl -r DIR validate`, `ocfl-validate.py OBJECT`), including one left by a crash at
//!   each step of a commit, and prints the time of a first and an unchanged snapshot of
//!   eig-hugo (run with `--release` for meaningful times);
//! - `a_year_of_snapshots`: the store metadata after 43 versions of a site of eig-hugo's
//!   1,301 paths, against the site's 165 MB (archive/SNAPSHOTS.md, "Size").
//!
//! `cargo test --release --lib snapshot::corpus_tests -- --ignored --nocapture`

use super::*;
use std::time::Instant;

static STOP: AtomicBool = AtomicBool::new(false);

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus").join(name)
}

fn opts(message: &str) -> SnapshotOptions {
    SnapshotOptions {
        message: Some(message.into()),
        user: Some(User {
            name: "carton tests".into(),
            address: Some("mailto:carton@example.org".into()),
        }),
        ..SnapshotOptions::default()
    }
}

/// eig-hugo as of 2025-01-24: that day's content/ and config.toml, with today's static/ (the
/// corpus kept no older media). Listed from both folders, nothing copied.
fn old_site() -> Vec<SnapshotFile> {
    let mut files = list_files(&corpus("eig-hugo-2025-01-24")).unwrap();
    let stat = list_files(&corpus("eig-hugo"))
        .unwrap()
        .into_iter()
        .filter(|f| f.rel.starts_with("static/"));
    files.extend(stat);
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

fn reserved(tag: &str) -> Vec<(String, Vec<u8>)> {
    vec![(CARTON_JSON.into(), format!("{{\"snapshot\":\"{tag}\"}}\n").into_bytes())]
}

#[test]
#[ignore = "reads the corpus; writes under $CARTON_SNAPSHOT_SCRATCH"]
fn corpus_store() {
    let Some(scratch) = std::env::var_os("CARTON_SNAPSHOT_SCRATCH").map(PathBuf::from) else {
        eprintln!("set CARTON_SNAPSHOT_SCRATCH to a folder to build the stores in");
        return;
    };
    let _ = fs::remove_dir_all(&scratch);
    let root = scratch.join("store");
    let repo = Repo::open_or_create(&root).unwrap();

    let t = Instant::now();
    let new = list_files(&corpus("eig-hugo")).unwrap();
    let listing = t.elapsed();
    let t = Instant::now();
    let out =
        repo.snapshot("eig-today", &new, &reserved("1"), &opts("first"), &|_| {}, &STOP).unwrap();
    println!(
        "eig-hugo, first snapshot: {:.3} s (listing {:.3} s): {out:?}",
        t.elapsed().as_secs_f64(),
        listing.as_secs_f64()
    );
    let t = Instant::now();
    let new = list_files(&corpus("eig-hugo")).unwrap();
    let out =
        repo.snapshot("eig-today", &new, &reserved("2"), &opts("again"), &|_| {}, &STOP).unwrap();
    println!(
        "eig-hugo, unchanged snapshot, listing included: {:.3} s: {out:?}",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let o = SnapshotOptions { rehash: true, ..opts("rehash") };
    let out = repo.snapshot("eig-today", &new, &reserved("2"), &o, &|_| {}, &STOP).unwrap();
    println!("eig-hugo, unchanged snapshot --rehash: {:.3} s: {out:?}", t.elapsed().as_secs_f64());

    let out = repo
        .snapshot("eig", &old_site(), &reserved("2025-01-24"), &opts("2025-01-24"), &|_| {}, &STOP)
        .unwrap();
    println!("eig v1 (2025-01-24 + static/): {out:?}");
    let out = repo
        .snapshot("eig", &new, &reserved("2026-04-14"), &opts("2026-04-14"), &|_| {}, &STOP)
        .unwrap();
    println!("eig v2 (2026-04-14): {out:?}");
    for v in ["v1", "v2"] {
        let dest = scratch.join(format!("restored-{v}"));
        let t = Instant::now();
        let r = repo.restore("eig", v, &dest, &RestoreOptions::default(), &|_| {}, &STOP).unwrap();
        println!(
            "restore {v}: {:.3} s, {} files, {} bytes",
            t.elapsed().as_secs_f64(),
            r.files,
            r.bytes
        );
    }
    let t = Instant::now();
    let report = repo.verify(&|_| {}, &STOP).unwrap();
    println!(
        "verify: {:.3} s, {} objects, {} files, {} bytes, valid {}",
        t.elapsed().as_secs_f64(),
        report.objects,
        report.files,
        report.bytes,
        report.valid
    );
    assert!(report.valid, "{:#?}", report.findings);
    println!("footprint of eig: {:?}", repo.footprint("eig").unwrap());
    for id in repo.objects().unwrap() {
        println!("object {id}: {}", root.join(repo.layout.object_path(&id)).display());
    }

    // Stores left as a kill -9 would leave them, for the validators, before any repair. The
    // older state here is today's site without its blog: rocfl 1.7 cannot parse an inventory
    // holding a path with a '"' (it borrows JSON strings, which fails on any escape), and the
    // 2025-01-24 copy has such paths.
    let older: Vec<SnapshotFile> =
        new.iter().filter(|f| !f.rel.starts_with("content/blog/")).cloned().collect();
    use commit::Step::*;
    for (id, step) in ["urn:carton:v1", "urn:carton:v2"]
        .into_iter()
        .flat_map(|id| [Staged, Marked, VersionMoved, InventoryMoved, Published].map(|s| (id, s)))
    {
        if id.ends_with("v1") && step == InventoryMoved {
            continue; // a new object has no such step
        }
        let root = scratch.join(format!("crash-{}-{step:?}", &id[11..]));
        let repo = Repo::open_or_create(&root).unwrap();
        let files = if id.ends_with("v2") {
            repo.snapshot(id, &older, &reserved("1"), &opts("v1"), &|_| {}, &STOP).unwrap();
            &new
        } else {
            &older
        };
        let err = repo.snapshot_with(
            id,
            files,
            &|_| Ok(reserved("2")),
            &opts("crash"),
            &|_| {},
            &STOP,
            Some(step),
        );
        assert!(matches!(err, Err(Error::Interrupted)));
    }
    let root = scratch.join("empty-version");
    let repo = Repo::open_or_create(&root).unwrap();
    let id = "urn:carton:empty";
    repo.snapshot(id, &older, &reserved("1"), &opts("v1"), &|_| {}, &STOP).unwrap();
    let o = SnapshotOptions { allow_empty: true, ..opts("forced") };
    repo.snapshot(id, &older, &reserved("1"), &o, &|_| {}, &STOP).unwrap();
    repo.snapshot(id, &new, &reserved("3"), &opts("v3"), &|_| {}, &STOP).unwrap();
    // The head version stores nothing new: its folder holds the inventory copy.
    repo.snapshot(id, &older, &reserved("1"), &opts("v4, back to v1"), &|_| {}, &STOP).unwrap();
}

#[test]
#[ignore = "writes 43 versions of 1,301 files; prints figures"]
fn a_year_of_snapshots() {
    const SITE_BYTES: u64 = 165_000_000;
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    // The real paths (their length drives the inventory's size), with small contents.
    let paths: Vec<String> = match list_files(&corpus("eig-hugo")) {
        Ok(files) if !files.is_empty() => files.into_iter().map(|f| f.rel).collect(),
        _ => {
            (0..1301).map(|i| format!("content/section-{}/page-number-{i:04}.md", i % 20)).collect()
        }
    };
    let write = |p: &str, body: &str| {
        let path = site.join(p);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, body).unwrap();
    };
    for p in &paths {
        write(p, &format!("{p}\n"));
    }
    let repo = Repo::open_or_create(&tmp.path().join("store")).unwrap();
    let mut added = 0;
    println!("version, site files, inventory bytes, metadata bytes, % of 165 MB");
    for week in 1..=43u32 {
        // A week of the EIG team: a few pages edited, one added now and then.
        for k in 0..4 {
            let p = &paths[(week as usize * 37 + k * 101) % paths.len()];
            write(p, &format!("{p}\nedited in week {week}\n"));
        }
        if week % 3 == 0 {
            added += 1;
            write(&format!("content/blog/new-post-number-{added:03}.md"), "new\n");
        }
        let files = list_files(&site).unwrap();
        let extra = [(CARTON_JSON.to_string(), format!("{{\"week\":{week}}}").into_bytes())];
        repo.snapshot("eig", &files, &extra, &opts(&format!("week {week}")), &|_| {}, &STOP)
            .unwrap();
        let fp = repo.footprint("eig").unwrap();
        let inv = fs::metadata(repo.root().join(repo.layout.object_path("eig")).join(INVENTORY))
            .unwrap()
            .len();
        if week % 6 == 1 || week == 43 {
            let pct = 100.0 * fp.metadata_bytes as f64 / SITE_BYTES as f64;
            println!("v{week}, {}, {inv}, {}, {pct:.2}%", files.len(), fp.metadata_bytes);
        }
        if week == 43 {
            assert!(fp.metadata_bytes < SITE_BYTES / 10, "{fp:?}");
        }
    }
}
