//! Verification finds every kind of damage: flipped bytes in any file, removed and added
//! entries, truncation, bad manifests; and says "valid" only for an intact archive.

use crate::common::*;
use carton::archive::Format;
use predicates::prelude::*;
use std::io::Write;
use std::path::Path;

fn demo_bag(format: Format) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join(if format == Format::Zip { "demo.zip" } else { "demo" });
    export(&demo_site(), &out, format);
    (dir, out)
}

fn codes(r: &carton::archive::VerifyReport) -> Vec<String> {
    r.findings.iter().map(|f| format!("{} {}", f.code, f.path)).collect()
}

#[test]
fn an_intact_archive_is_valid_zip_and_folder() {
    for format in [Format::Zip, Format::Dir] {
        let (_d, out) = demo_bag(format);
        let r = verify(&out);
        assert!(r.valid, "{:?}", codes(&r));
        assert_eq!(r.files, 17 + 4, "17 payload files and the 4 tag files the tag manifests list");
        assert_eq!(r.algorithms, ["sha256", "sha512"]);
        carton()
            .arg("verify")
            .arg(&out)
            .assert()
            .success()
            .stdout(predicate::str::contains("is intact"));
    }
}

#[test]
fn a_flipped_byte_in_any_file_of_a_bag_is_found() {
    let (_d, bag) = demo_bag(Format::Dir);
    let files = list_files(&bag);
    let mut checked = 0;
    for rel in &files {
        let path = bag.join(rel);
        let original = std::fs::read(&path).unwrap();
        let len = original.len();
        // Every byte of the small tag files; a spread of positions in the others.
        let positions: Vec<usize> = if !rel.starts_with("data/") && len < 4096 {
            (0..len).collect()
        } else {
            let mut p: Vec<usize> = (0..16).map(|i| i * len / 16).collect();
            p.push(len - 1);
            p.dedup();
            p
        };
        for pos in positions {
            for mask in [0x01u8, 0x20] {
                let mut damaged = original.clone();
                damaged[pos] ^= mask;
                std::fs::write(&path, &damaged).unwrap();
                let r = verify(&bag);
                assert!(!r.valid, "flipping byte {pos} of {rel} with {mask:#x} went unnoticed");
                checked += 1;
            }
        }
        std::fs::write(&path, &original).unwrap();
    }
    assert!(verify(&bag).valid);
    assert!(checked > 1000, "{checked} flips checked");
}

/// Byte range of an entry's stored data in a zip.
fn data_range(zip: &Path, name: &str) -> std::ops::Range<usize> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let f = z.by_name(name).unwrap();
    let start = f.data_start().unwrap() as usize;
    start..start + f.compressed_size() as usize
}

#[test]
fn a_flipped_byte_inside_the_zip_is_found() {
    let (_d, zip) = demo_bag(Format::Zip);
    let original = std::fs::read(&zip).unwrap();
    for entry in [
        "demo/data/site/static/img/report.pdf",
        "demo/data/site/hugo.toml",
        "demo/manifest-sha512.txt",
        "demo/bag-info.txt",
        "demo/data/carton.json",
    ] {
        let range = data_range(&zip, entry);
        for pos in [range.start, range.start + range.len() / 2, range.end - 1] {
            let mut damaged = original.clone();
            damaged[pos] ^= 0x01;
            std::fs::write(&zip, &damaged).unwrap();
            let r = verify(&zip);
            assert!(!r.valid, "flip at {pos} in {entry} unnoticed");
            carton().arg("verify").arg(&zip).assert().code(3);
        }
    }
    std::fs::write(&zip, &original).unwrap();
    assert!(verify(&zip).valid);
}

/// Rewrites a zip keeping only the entries `keep` accepts, and appending `extra`.
fn rewrite(
    zip: &Path,
    keep: impl Fn(&str) -> bool,
    extra: Option<(&str, &[u8])>,
) -> tempfile::NamedTempFile {
    let mut src = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let out = tempfile::Builder::new().suffix(".zip").tempfile().unwrap();
    let mut w = zip::ZipWriter::new(std::fs::File::create(out.path()).unwrap());
    for i in 0..src.len() {
        let f = src.by_index_raw(i).unwrap();
        if keep(&f.name().unwrap()) {
            w.raw_copy_file(f).unwrap();
        }
    }
    if let Some((name, bytes)) = extra {
        w.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
    out
}

#[test]
fn removed_and_extra_entries_are_found() {
    let (_d, zip) = demo_bag(Format::Zip);
    let removed = rewrite(&zip, |n| n != "demo/data/site/static/robots.txt", None);
    let r = verify(removed.path());
    assert!(
        codes(&r).contains(&"missing-file data/site/static/robots.txt".to_string()),
        "{:?}",
        codes(&r)
    );
    assert!(codes(&r).iter().any(|c| c.starts_with("payload-oxum")));

    let extra = rewrite(&zip, |_| true, Some(("demo/data/site/intruder.txt", b"hello")));
    let r = verify(extra.path());
    assert!(
        codes(&r).contains(&"extra-file data/site/intruder.txt".to_string()),
        "{:?}",
        codes(&r)
    );

    let extra_tag = rewrite(&zip, |_| true, Some(("demo/notes.txt", b"hello")));
    assert!(codes(&verify(extra_tag.path())).contains(&"extra-file notes.txt".to_string()));

    let no_bagit = rewrite(&zip, |n| n != "demo/bagit.txt", None);
    assert!(codes(&verify(no_bagit.path())).iter().any(|c| c.starts_with("missing-bagit-txt")));

    let outside = rewrite(&zip, |_| true, Some(("other/x.txt", b"x")));
    assert!(
        codes(&verify(outside.path())).iter().any(|c| c.starts_with("unsafe-entry other/x.txt"))
    );
}

#[test]
fn truncated_empty_and_non_zip_files_are_reported_not_panicked_on() {
    let (d, zip) = demo_bag(Format::Zip);
    let bytes = std::fs::read(&zip).unwrap();
    for (name, content) in [
        ("truncated.zip", &bytes[..bytes.len() / 2]),
        ("empty.zip", &[][..]),
        ("text.zip", b"not a zip at all"),
    ] {
        let p = d.path().join(name);
        std::fs::write(&p, content).unwrap();
        let r = verify(&p);
        assert!(!r.valid);
        assert_eq!(r.findings[0].code, "unreadable-archive");
        carton()
            .arg("verify")
            .arg(&p)
            .assert()
            .code(3)
            .stdout(predicate::str::contains("not a readable zip"));
    }
    // Cut inside the central directory's end record: still reported.
    let p = d.path().join("cut.zip");
    std::fs::write(&p, &bytes[..bytes.len() - 10]).unwrap();
    assert!(!verify(&p).valid);
    carton().arg("verify").arg(d.path().join("absent.zip")).assert().code(1);
}

#[test]
fn manifest_damage_is_named_with_expected_and_found() {
    let (_d, bag) = demo_bag(Format::Dir);
    let m = bag.join("manifest-sha256.txt");
    let text = std::fs::read_to_string(&m).unwrap();
    let line = text.lines().find(|l| l.ends_with("data/site/hugo.toml")).unwrap();
    let digest = line.split_whitespace().next().unwrap();
    let wrong = format!("{}{}", &digest[..63], if digest.ends_with('0') { "1" } else { "0" });
    std::fs::write(&m, text.replace(digest, &wrong)).unwrap();
    let r = verify(&bag);
    let f = r
        .findings
        .iter()
        .find(|f| f.code == "checksum-mismatch" && f.path == "data/site/hugo.toml")
        .unwrap();
    assert_eq!(f.expected.as_deref(), Some(wrong.as_str()));
    assert_eq!(f.found.as_deref(), Some(digest));
    // The tag manifest catches the edited manifest too.
    assert!(
        r.findings.iter().any(|f| f.code == "checksum-mismatch" && f.path == "manifest-sha256.txt")
    );
    carton()
        .arg("verify")
        .arg(&bag)
        .assert()
        .code(3)
        .stdout(predicate::str::contains(format!("Expected: {wrong}; Found: {digest}")));
}

#[test]
fn json_report_lists_findings() {
    let (_d, bag) = demo_bag(Format::Dir);
    std::fs::remove_file(bag.join("data/site/static/robots.txt")).unwrap();
    let out = carton().arg("verify").arg(&bag).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "missing-file" && f["path"] == "data/site/static/robots.txt")
    );
}

#[test]
fn inspect_summarises_an_archive() {
    let (_d, zip) = demo_bag(Format::Zip);
    carton().arg("inspect").arg(&zip).assert().success().stdout(
        predicate::str::contains("pages 6")
            .and(predicate::str::contains("dailymotion:x7tgplay"))
            .and(predicate::str::contains("static/img/Minutes-2019.pdf MISSING")),
    );
    let out = carton().arg("inspect").arg(&zip).arg("--json").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["pages_by_section"]["posts"], 3);
    assert_eq!(v["videos"].as_array().unwrap().len(), 4);
}

#[cfg(unix)]
#[test]
fn awkward_file_names_survive_export_and_verify() {
    let site = site(&[
        ("hugo.toml", b"title = 't'\n"),
        ("content/a b é.md", b"# spaces and accents\n"),
        ("static/100%.txt", b"percent\n"),
        ("static/quote\"d'.txt", b"quotes\n"),
        ("static/new\nline.txt", b"newline\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::Zip, Format::Dir] {
        let out = dir.path().join(if format == Format::Zip { "s.zip" } else { "s" });
        let model = export(site.path(), &out, format);
        assert_eq!(model.files.len(), 5);
        let r = verify(&out);
        assert!(r.valid, "{:?}", codes(&r));
    }
    let manifest = std::fs::read_to_string(dir.path().join("s/manifest-sha256.txt")).unwrap();
    assert!(manifest.contains("data/site/static/new%0Aline.txt"));
    assert!(manifest.contains("data/site/static/100%25.txt"));
}

#[test]
fn a_bag_zipped_without_a_top_folder_is_read_too() {
    let (d, bag) = demo_bag(Format::Dir);
    let flat = d.path().join("flat.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&flat).unwrap());
    for rel in list_files(&bag) {
        w.start_file(rel.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(&std::fs::read(bag.join(&rel)).unwrap()).unwrap();
    }
    w.finish().unwrap();
    let r = verify(&flat);
    assert!(r.valid, "{:?}", codes(&r));
    assert_eq!(r.files, 21);
}
