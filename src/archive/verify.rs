//! Verifies a bag (zip or folder): structure, every checksum of every manifest and tag
//! manifest, Payload-Oxum, missing and extra files, `carton.json` against its schema and
//! against the manifests. Every byte of every file is hashed before "valid" is said; every
//! problem is collected, none stops the check.

use super::bagit::{self, Manifest};
use super::digest::{Algorithm, Digests, MultiHasher};
use super::reader::{Archive, MAX_TAG_FILE, unsafe_name};
use super::schema::validate_model;
use crate::error::{Error, Result};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// One problem found in an archive. Codes are stable (listed in `archive/SPEC.md`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// Stable code: `checksum-mismatch`, `missing-file`, `extra-file`, ...
    pub code: String,
    /// The file concerned, inside the bag.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What the manifest or the format says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// The outcome of a verification.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The archive checked.
    pub archive: String,
    /// No finding at all.
    pub valid: bool,
    /// Files hashed.
    pub files: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Manifest algorithms checked.
    pub algorithms: Vec<String>,
    /// Everything found wrong.
    pub findings: Vec<Finding>,
    /// The bag's `bag-info.txt`.
    pub bag_info: BTreeMap<String, Vec<String>>,
}

fn finding(code: &str, path: &str, message: impl Into<String>) -> Finding {
    Finding {
        code: code.into(),
        path: path.into(),
        message: message.into(),
        expected: None,
        found: None,
    }
}

fn mismatch(
    code: &str,
    path: &str,
    message: impl Into<String>,
    expected: &str,
    found: &str,
) -> Finding {
    Finding {
        code: code.into(),
        path: path.into(),
        message: message.into(),
        expected: Some(expected.into()),
        found: Some(found.into()),
    }
}

/// Verifies the bag at `path` (a zip or a folder). `progress` receives bytes as they are hashed.
///
/// # Errors
/// Only when verification cannot run: the path cannot be read, or the run was interrupted.
/// A damaged archive is not an error: it is a report with findings.
pub fn verify(
    path: &Path,
    progress: &(dyn Fn(u64) + Sync),
    interrupt: &AtomicBool,
) -> Result<VerifyReport> {
    let mut report = VerifyReport {
        archive: path.display().to_string(),
        valid: false,
        files: 0,
        bytes: 0,
        algorithms: Vec::new(),
        findings: Vec::new(),
        bag_info: BTreeMap::new(),
    };
    let started = std::time::Instant::now();
    let mut archive = match Archive::open(path) {
        Ok(a) => a,
        Err(Error::BadArchive { msg, .. }) => {
            report.findings.push(finding("unreadable-archive", "", msg));
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    let findings = &mut report.findings;
    for b in archive.bad_entries() {
        findings.push(finding("unsafe-entry", &b.name, format!("entry refused: {}", b.reason)));
    }

    // bagit.txt
    match read_tag(&mut archive, "bagit.txt", findings) {
        Some(text) => {
            let (tags, errors) = bagit::parse_tags(&text);
            for e in errors {
                findings.push(finding(
                    "bad-tag-file",
                    "bagit.txt",
                    format!("line {}: {}", e.line, e.message),
                ));
            }
            let version = tags.get("BagIt-Version").and_then(|v| v.first()).map(String::as_str);
            if !matches!(version, Some("1.0" | "0.97")) {
                findings.push(mismatch(
                    "bad-bagit-txt",
                    "bagit.txt",
                    "unsupported BagIt version",
                    "1.0",
                    version.unwrap_or("none"),
                ));
            }
            let enc =
                tags.get("Tag-File-Character-Encoding").and_then(|v| v.first()).map(String::as_str);
            if enc.map(str::to_ascii_uppercase).as_deref() != Some("UTF-8") {
                findings.push(mismatch(
                    "bad-bagit-txt",
                    "bagit.txt",
                    "tag files must be UTF-8",
                    "UTF-8",
                    enc.unwrap_or("none"),
                ));
            }
        }
        None => findings.push(finding(
            "missing-bagit-txt",
            "bagit.txt",
            "bagit.txt is missing: this is not a BagIt bag",
        )),
    }
    if let Some(text) = read_tag(&mut archive, "bag-info.txt", findings) {
        let (tags, errors) = bagit::parse_tags(&text);
        for e in errors {
            findings.push(finding(
                "bad-tag-file",
                "bag-info.txt",
                format!("line {}: {}", e.line, e.message),
            ));
        }
        report.bag_info = tags;
    }

    // Manifests: which algorithms, and what they list.
    let mut payload_manifests: BTreeMap<Algorithm, Manifest> = BTreeMap::new();
    let mut tag_manifests: BTreeMap<Algorithm, Manifest> = BTreeMap::new();
    let names: Vec<String> =
        archive.entries().iter().map(|e| e.name.clone()).filter(|n| !n.contains('/')).collect();
    for name in &names {
        let (tag, alg_name) = if let Some(a) =
            name.strip_prefix("tagmanifest-").and_then(|n| n.strip_suffix(".txt"))
        {
            (true, a)
        } else if let Some(a) = name.strip_prefix("manifest-").and_then(|n| n.strip_suffix(".txt"))
        {
            (false, a)
        } else {
            continue;
        };
        let Some(alg) = Algorithm::from_name(alg_name) else {
            findings.push(finding(
                "unknown-algorithm",
                name,
                format!("carton cannot check `{alg_name}` digests: only sha256 and sha512"),
            ));
            continue;
        };
        let Some(text) = read_tag(&mut archive, name, findings) else { continue };
        let m = bagit::parse_manifest(&text, alg);
        for e in &m.errors {
            findings.push(finding("bad-manifest", name, format!("line {}: {}", e.line, e.message)));
        }
        if tag {
            tag_manifests.insert(alg, m)
        } else {
            payload_manifests.insert(alg, m)
        };
    }
    for alg in Algorithm::ALL {
        if !payload_manifests.contains_key(&alg) {
            findings.push(finding(
                "missing-manifest",
                &format!("manifest-{alg}.txt"),
                "carton archives carry a payload manifest for sha256 and sha512",
            ));
        }
        if !tag_manifests.contains_key(&alg) {
            findings.push(finding(
                "missing-manifest",
                &format!("tagmanifest-{alg}.txt"),
                "carton archives carry a tag manifest for sha256 and sha512",
            ));
        }
    }
    report.algorithms = payload_manifests.keys().map(|a| a.name().to_string()).collect();

    // Hash every file once, with every algorithm that lists it, on all cores.
    let payload_algs: Vec<Algorithm> = payload_manifests.keys().copied().collect();
    let tag_algs: Vec<Algorithm> = tag_manifests.keys().copied().collect();
    let work: Vec<(String, Vec<Algorithm>)> = archive
        .entries()
        .iter()
        .filter(|e| !e.name.starts_with("tagmanifest-"))
        .map(|e| {
            let algs =
                if e.name.starts_with("data/") { payload_algs.clone() } else { tag_algs.clone() };
            (e.name.clone(), algs)
        })
        .collect();
    // Each worker reads through its own handle; handles are pooled, as opening a zip
    // parses its whole central directory.
    let pool: std::sync::Mutex<Vec<Archive>> = std::sync::Mutex::new(Vec::new());
    let hash_all = || -> Vec<(String, Result<Digests>)> {
        work.par_iter()
            .map(|(name, algs)| {
                if interrupt.load(Ordering::Relaxed) {
                    return (name.clone(), Err(Error::Interrupted));
                }
                let handle = pool.lock().ok().and_then(|mut p| p.pop());
                let mut handle = match handle.map_or_else(|| Archive::open(path), Ok) {
                    Ok(h) => h,
                    Err(e) => return (name.clone(), Err(e)),
                };
                let mut h = MultiHasher::new(algs);
                let r = handle.stream(name, &mut |c| {
                    h.update(c);
                    progress(c.len() as u64);
                });
                if let Ok(mut p) = pool.lock() {
                    p.push(handle);
                }
                (name.clone(), r.map(|_| h.finish()))
            })
            .collect()
    };
    // The content model and the RO-Crate are parsed and schema-checked while files are hashed.
    let (hashed, loaded) =
        rayon::join(hash_all, || rayon::join(|| load_carton_json(path), || load_ro_crate(path)));
    if interrupt.load(Ordering::Relaxed) {
        return Err(Error::Interrupted);
    }
    log::debug!("hashed in {} ms", started.elapsed().as_millis());
    let mut digests: BTreeMap<String, Digests> = BTreeMap::new();
    for (name, r) in hashed {
        match r {
            Ok(d) => {
                report.files += 1;
                report.bytes += d.size;
                digests.insert(name, d);
            }
            Err(e) => findings.push(finding(
                "unreadable-entry",
                &name,
                format!("cannot be read back: {}", error_chain(&e)),
            )),
        }
    }

    // Payload manifests against the payload.
    let payload: BTreeSet<&str> = archive
        .entries()
        .iter()
        .map(|e| e.name.as_str())
        .filter(|n| n.starts_with("data/"))
        .collect();
    // Looked up once per payload file: scanning the findings for each made an archive of
    // 200,000 unlisted files take minutes (quadratic).
    let unreadable: BTreeSet<String> =
        findings.iter().filter(|f| f.code == "unreadable-entry").map(|f| f.path.clone()).collect();
    for (alg, m) in &payload_manifests {
        let mname = format!("manifest-{alg}.txt");
        check_manifest(&mname, *alg, m, &digests, &archive, findings, true);
        for p in &payload {
            if !m.entries.contains_key(*p) && !unreadable.contains(*p) {
                findings.push(finding(
                    "extra-file",
                    p,
                    format!("payload file not listed in {mname}"),
                ));
            }
        }
    }
    for (alg, m) in &tag_manifests {
        let mname = format!("tagmanifest-{alg}.txt");
        check_manifest(&mname, *alg, m, &digests, &archive, findings, false);
        for e in archive.entries() {
            let n = e.name.as_str();
            if !n.starts_with("data/")
                && !n.starts_with("tagmanifest-")
                && !m.entries.contains_key(n)
            {
                findings.push(finding("extra-file", n, format!("tag file not listed in {mname}")));
            }
        }
    }

    // Payload-Oxum.
    if let Some(oxum) = report.bag_info.get("Payload-Oxum").and_then(|v| v.first()).cloned() {
        let bytes: u64 = payload.iter().filter_map(|p| digests.get(*p)).map(|d| d.size).sum();
        let actual = format!("{bytes}.{}", payload.len());
        if oxum != actual {
            findings.push(mismatch(
                "payload-oxum",
                "bag-info.txt",
                "Payload-Oxum does not match the payload",
                &oxum,
                &actual,
            ));
        }
    } else if archive.contains("bag-info.txt") {
        findings.push(finding("payload-oxum", "bag-info.txt", "no Payload-Oxum in bag-info.txt"));
    }

    let ((model, model_findings), (ro_crate, crate_findings)) = loaded;
    findings.extend(model_findings);
    findings.extend(crate_findings);
    if let Some(v) = &model {
        check_carton_json(v, &archive, &digests, findings);
    }
    if let Some(v) = &ro_crate {
        check_ro_crate(v, &digests, findings);
    }
    log::debug!("checked at {} ms", started.elapsed().as_millis());

    findings.sort();
    findings.dedup();
    report.valid = report.findings.is_empty();
    Ok(report)
}

fn error_chain(e: &Error) -> String {
    let mut s = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

fn check_manifest(
    mname: &str,
    alg: Algorithm,
    m: &Manifest,
    digests: &BTreeMap<String, Digests>,
    archive: &Archive,
    findings: &mut Vec<Finding>,
    payload: bool,
) {
    for (path, expected) in &m.entries {
        if payload && !path.starts_with("data/") {
            findings.push(finding(
                "manifest-outside-payload",
                path,
                format!("{mname} lists a path outside data/"),
            ));
            continue;
        }
        // `data/../x` starts with `data/` but leads out of it.
        if let Some(why) = unsafe_name(path) {
            let code = if payload { "manifest-outside-payload" } else { "bad-manifest" };
            findings.push(finding(code, path, format!("{mname} lists an unsafe path ({why})")));
            continue;
        }
        if !payload && (path.starts_with("data/") || path.starts_with("tagmanifest-")) {
            findings.push(finding(
                "bad-manifest",
                path,
                format!("{mname} lists a file that is not a tag file"),
            ));
            continue;
        }
        match digests.get(path).and_then(|d| d.get(alg)) {
            Some(found) if found == expected => {}
            Some(found) => findings.push(mismatch(
                "checksum-mismatch",
                path,
                format!("{alg} digest differs from {mname}"),
                expected,
                found,
            )),
            None if archive.contains(path) => {}
            None => findings.push(finding(
                "missing-file",
                path,
                format!("listed in {mname} but not in the archive"),
            )),
        }
    }
}

fn read_tag(archive: &mut Archive, name: &str, findings: &mut Vec<Finding>) -> Option<String> {
    if !archive.contains(name) {
        return None;
    }
    match archive.read(name, MAX_TAG_FILE) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(s) => Some(s),
            Err(_) => {
                findings.push(finding("bad-tag-file", name, "not valid UTF-8"));
                None
            }
        },
        Err(e) => {
            findings.push(finding("unreadable-entry", name, error_chain(&e)));
            None
        }
    }
}

/// carton.json: valid JSON, valid against the schema, and its file list agrees with the payload.
/// Reads carton.json through its own handle and checks it against its schema; runs while
/// the files are hashed.
fn load_carton_json(path: &Path) -> (Option<serde_json::Value>, Vec<Finding>) {
    const NAME: &str = "data/carton.json";
    let (archive, value, mut findings) =
        load_json(path, NAME, "carton.json (the content model) is missing", "bad-carton-json");
    let (Some(mut archive), Some(value)) = (archive, value) else { return (None, findings) };
    // 1.0 is checked against the schema carton was built with; a newer 1.x against the
    // schema the archive carries (readers of 1.0 ignore what they do not know).
    let version = value.get("format_version").and_then(|v| v.as_str()).unwrap_or("");
    let errors = if version == crate::model::FORMAT_VERSION {
        validate_model(&value)
    } else if version.starts_with("1.") && archive.contains("data/carton.schema.json") {
        match archive
            .read("data/carton.schema.json", MAX_TAG_FILE)
            .map(|b| serde_json::from_slice::<serde_json::Value>(&b))
        {
            Ok(Ok(schema)) => super::schema::validate_with(&schema, &value),
            _ => vec!["data/carton.schema.json is not readable JSON".to_string()],
        }
    } else {
        vec![format!("format version `{version}` is not one this carton reads (1.x)")]
    };
    for e in errors {
        findings.push(finding("schema", NAME, e));
    }
    (Some(value), findings)
}

/// carton.json's file list agrees with the payload and its digests.
fn check_carton_json(
    value: &serde_json::Value,
    archive: &Archive,
    digests: &BTreeMap<String, Digests>,
    findings: &mut Vec<Finding>,
) {
    let root = value.pointer("/site/root").and_then(|v| v.as_str()).unwrap_or("site");
    let files = value.get("files").and_then(|f| f.as_array()).cloned().unwrap_or_default();
    let mut listed = BTreeSet::new();
    for f in &files {
        let (Some(path), Some(sha)) =
            (f.get("path").and_then(|v| v.as_str()), f.get("sha256").and_then(|v| v.as_str()))
        else {
            continue;
        };
        let name = format!("data/{root}/{path}");
        match digests.get(&name).and_then(|d| d.sha256.as_deref()) {
            Some(found) if found == sha => {}
            Some(found) => findings.push(mismatch(
                "model-mismatch",
                &name,
                "carton.json's sha256 differs from the file",
                sha,
                found,
            )),
            None if archive.contains(&name) => {}
            None => findings.push(finding(
                "missing-file",
                &name,
                "listed in carton.json but not in the archive",
            )),
        }
        listed.insert(name);
    }
    let prefix = format!("data/{root}/");
    for e in archive.entries() {
        if e.name.starts_with(&prefix) && !listed.contains(&e.name) {
            findings.push(finding("extra-file", &e.name, "site file not listed in carton.json"));
        }
    }
    // Fetched copies (`--fetch`) are described by their retrieval records.
    let mut fetched: BTreeMap<String, String> = BTreeMap::new();
    let records = value
        .get("documents")
        .and_then(|d| d.as_array())
        .into_iter()
        .flatten()
        .filter_map(|d| d.get("fetch"))
        .chain(
            value
                .get("videos")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .filter_map(|v| v.pointer("/oembed/thumbnail")),
        );
    for rec in records {
        if let (Some(path), Some(sha)) =
            (rec.get("path").and_then(|v| v.as_str()), rec.get("sha256").and_then(|v| v.as_str()))
        {
            fetched.insert(format!("data/{path}"), sha.to_string());
        }
    }
    for (name, sha) in &fetched {
        match digests.get(name).and_then(|d| d.sha256.as_deref()) {
            Some(found) if found == sha => {}
            Some(found) => findings.push(mismatch(
                "model-mismatch",
                name,
                "carton.json's sha256 of this fetched copy differs from the file",
                sha,
                found,
            )),
            None if archive.contains(name) => {}
            None => findings.push(finding(
                "missing-file",
                name,
                "a fetched copy recorded in carton.json is not in the archive",
            )),
        }
    }
    let remote = format!("data/{}/", crate::fetch::REMOTE_ROOT);
    for e in archive.entries() {
        if e.name.starts_with(&remote) && !fetched.contains_key(&e.name) {
            findings.push(finding(
                "extra-file",
                &e.name,
                "fetched file not recorded in carton.json",
            ));
        }
    }
}

/// Reads ro-crate-metadata.json through its own handle; runs while the files are hashed.
fn load_ro_crate(path: &Path) -> (Option<serde_json::Value>, Vec<Finding>) {
    let (_, value, findings) = load_json(
        path,
        "data/ro-crate-metadata.json",
        "the RO-Crate metadata is missing",
        "bad-ro-crate",
    );
    (value, findings)
}

/// Opens the archive on its own handle and parses one JSON entry of it.
fn load_json(
    path: &Path,
    name: &str,
    missing: &str,
    bad_code: &str,
) -> (Option<Archive>, Option<serde_json::Value>, Vec<Finding>) {
    let mut findings = Vec::new();
    let Ok(mut archive) = Archive::open(path) else { return (None, None, findings) };
    if !archive.contains(name) {
        findings.push(finding("missing-file", name, missing));
        return (Some(archive), None, findings);
    }
    let value = match archive.read(name, 1 << 30) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                findings.push(finding(bad_code, name, format!("not valid JSON: {e}")));
                None
            }
        },
        Err(e) => {
            findings.push(finding("unreadable-entry", name, error_chain(&e)));
            None
        }
    };
    (Some(archive), value, findings)
}

/// ro-crate-metadata.json: valid JSON-LD shape, and its `sha256` values agree with the files.
fn check_ro_crate(
    value: &serde_json::Value,
    digests: &BTreeMap<String, Digests>,
    findings: &mut Vec<Finding>,
) {
    const NAME: &str = "data/ro-crate-metadata.json";
    let Some(graph) = value.get("@graph").and_then(|g| g.as_array()) else {
        findings.push(finding("bad-ro-crate", NAME, "no @graph"));
        return;
    };
    if !graph
        .iter()
        .any(|e| e.get("@id").and_then(|i| i.as_str()) == Some("ro-crate-metadata.json"))
    {
        findings.push(finding("bad-ro-crate", NAME, "no metadata descriptor entity"));
    }
    for e in graph {
        let (Some(id), Some(sha)) =
            (e.get("@id").and_then(|v| v.as_str()), e.get("sha256").and_then(|v| v.as_str()))
        else {
            continue;
        };
        let path = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
        let name = format!("data/{path}");
        match digests.get(&name).and_then(|d| d.sha256.as_deref()) {
            Some(found) if found == sha => {}
            Some(found) => findings.push(mismatch(
                "crate-mismatch",
                &name,
                "RO-Crate sha256 differs from the file",
                sha,
                found,
            )),
            None => findings.push(finding(
                "missing-file",
                &name,
                "described in the RO-Crate but not in the archive",
            )),
        }
    }
}
