//! Other people's tools read carton's archives: the Library of Congress BagIt validator and
//! rocrate-validator, on unpacked copies (neither reads a zip with one top-level folder).

use crate::common::*;
use carton::archive::Format;
use std::process::Command;

fn bagit_validates(bag: &std::path::Path) {
    let Some(bagit) = tool("bagit.py") else { return };
    let out = Command::new(bagit).arg("--validate").arg(bag).output().unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && log.contains("is valid"), "bagit.py --validate failed:\n{log}");
}

fn rocrate_validates(crate_dir: &std::path::Path) {
    let Some(validator) = tool("rocrate-validator") else { return };
    let cache = tempfile::tempdir().unwrap();
    let cache_path = cache.path().join("rocv");
    let seed = root().join("../shared/tools/rocrate-offline/seed-cache.py");
    let s = Command::new("python3").arg(&seed).arg(&cache_path).output().unwrap();
    assert!(
        s.status.success(),
        "seeding the context cache failed: {}",
        String::from_utf8_lossy(&s.stderr)
    );
    let out = Command::new(validator)
        .args(["-y", "validate", "--offline", "--no-paging", "--cache-path"])
        .arg(&cache_path)
        .args(["-l", "required", "-f", "json"])
        .arg(crate_dir)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("rocrate-validator gave no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr))
    });
    let issues = report["issues"].as_array().cloned().unwrap_or_default();
    let messages: Vec<String> =
        issues.iter().map(|i| format!("{}: {}", i["violatingEntity"], i["message"])).collect();
    assert!(
        out.status.success() && report["passed"] == true && issues.is_empty(),
        "rocrate-validator: {messages:#?}"
    );
}

#[test]
fn demo_archive_passes_bagit_and_rocrate_validators() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("demo.zip");
    export(&demo_site(), &zip, Format::Zip);
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/demo");
    bagit_validates(&bag);
    rocrate_validates(&bag.join("data"));
}

#[test]
fn corpus_archive_passes_bagit_and_rocrate_validators() {
    let Some(site) = corpus("eig-hugo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("eig.zip");
    export(&site, &zip, Format::Zip);
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/eig");
    bagit_validates(&bag);
    rocrate_validates(&bag.join("data"));
}

#[test]
fn jekyll_corpus_archive_passes_bagit_and_rocrate_validators() {
    let Some(site) = corpus("eig-jekyll") else { return };
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("eig-jekyll.zip");
    export(&site, &zip, Format::Zip);
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/eig-jekyll");
    bagit_validates(&bag);
    rocrate_validates(&bag.join("data"));
}

#[test]
fn bagit_fast_mode_misses_what_carton_finds() {
    // bagit.py --fast only compares Payload-Oxum; carton hashes every byte.
    let Some(bagit) = tool("bagit.py") else { return };
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("demo");
    export(&demo_site(), &bag, Format::Dir);
    let f = bag.join("data/site/static/robots.txt");
    let mut bytes = std::fs::read(&f).unwrap();
    bytes[0] ^= 0x01;
    std::fs::write(&f, bytes).unwrap();
    let fast = Command::new(&bagit).args(["--validate", "--fast"]).arg(&bag).output().unwrap();
    assert!(fast.status.success(), "bagit.py --fast reports the damaged bag as valid");
    assert!(!verify(&bag).valid);
    carton().arg("verify").arg(&bag).assert().code(3);
}

/// The records `--fetch` adds (copies as Files with their provenance, the run as a
/// CreateAction, thumbnails of videos) keep the crate valid.
#[test]
fn an_archive_with_fetched_copies_passes_both_validators() {
    use crate::http::{Route, Server};
    let body = |ct: &str, b: &[u8]| Route::Body {
        status: 200,
        headers: vec![("Content-Type".into(), ct.into())],
        body: b.to_vec(),
    };
    let s = Server::start(vec![
        ("/guide.pdf", body("application/pdf", b"%PDF-1.4\nguide\n")),
        ("/thumb.jpg", body("image/jpeg", b"\xFF\xD8\xFF\xE0thumb")),
    ]);
    let answer = format!(
        r#"{{"type":"video","version":"1.0","title":"T","thumbnail_url":"{}","duration":62}}"#,
        s.url("/thumb.jpg")
    );
    s.set("/oembed", body("application/json", answer.as_bytes()));
    let page = format!(
        "---\ntitle: P\n---\n[guide]({}) [gone]({})\n\n{{{{< youtube dQw4w9WgXcQ >}}}}\n",
        s.url("/guide.pdf"),
        s.url("/gone.pdf")
    );
    let site = site(&[
        ("hugo.toml", b"baseURL = \"https://example.org/\"\ntitle = \"T\"\n"),
        ("content/p.md", page.as_bytes()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("f.zip");
    carton_direct()
        .arg("export")
        .arg(site.path())
        .arg("-o")
        .arg(&zip)
        .args(["--fetch", "--fetch-retry-delay", "20", "--oembed"])
        .arg(format!("youtube={}", s.url("/oembed")))
        .assert()
        .success();
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/f");
    let remote: Vec<String> = list_files(&bag.join("data/remote"));
    assert_eq!(remote.len(), 2, "the PDF and the thumbnail: {remote:?}");
    bagit_validates(&bag);
    rocrate_validates(&bag.join("data"));
}

/// Each snapshot version describes itself: restored with its metadata, the tree is an
/// attached RO-Crate whose files all exist with the digests it states.
#[test]
fn a_restored_snapshot_version_is_an_ro_crate() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let out = carton()
        .arg("snapshot")
        .arg(demo_site())
        .arg("--repo")
        .arg(&store)
        .args(["--id", "demo", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = dir.path().join("v1");
    let out = carton()
        .args(["restore", "--with-metadata", "--version", "v1", "--repo"])
        .arg(&store)
        .arg("-o")
        .arg(&restored)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(restored.join("ro-crate-metadata.json")).unwrap();
    let crate_json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let files: Vec<&serde_json::Value> = crate_json["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["@type"] == "File"
                || e["@type"].as_array().is_some_and(|t| t.contains(&"File".into()))
        })
        .collect();
    // Every site file, plus carton.json and its schema.
    let site_files = list_files(&demo_site());
    assert_eq!(files.len(), site_files.len() + 2);
    for f in files {
        let id = f["@id"].as_str().unwrap();
        let path = percent_encoding::percent_decode_str(id).decode_utf8().unwrap();
        let bytes = std::fs::read(restored.join(path.as_ref()))
            .unwrap_or_else(|e| panic!("{id} is in the crate but not in the tree: {e}"));
        assert_eq!(
            f["sha256"],
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            "{id}"
        );
    }
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(restored.join(".carton/carton.json")).unwrap())
            .unwrap();
    assert!(carton::archive::validate_model(&model).is_empty());
    rocrate_validates(&restored);
}

#[test]
fn wordpress_archive_passes_bagit_and_rocrate_validators() {
    let Some(wxr) = corpus("wxr") else { return };
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("theme.zip");
    export(&wxr.join("theme-unit-test-data.xml"), &zip, Format::Zip);
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/theme");
    bagit_validates(&bag);
    rocrate_validates(&bag.join("data"));
}
