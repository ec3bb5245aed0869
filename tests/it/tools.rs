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
