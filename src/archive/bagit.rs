//! BagIt 1.0 (RFC 8493) tag files: writing and strictly parsing `bagit.txt`, `bag-info.txt`
//! and the manifests.

use super::digest::Algorithm;
use std::collections::BTreeMap;

/// The `bagit.txt` carton writes (RFC 8493 §2.1.1).
pub const BAGIT_TXT: &str = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";

/// Identifier of carton's BagIt profile (`archive/bagit-profile.json`).
pub const PROFILE_ID: &str = "urn:carton:bagit-profile:1.0";

/// Encodes a path for a manifest line: `%`, CR and LF are percent-encoded (RFC 8493 §2.1.3).
pub fn encode_path(path: &str) -> String {
    path.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Decodes a manifest path (the inverse of [`encode_path`]; other `%XX` stay as written).
pub fn decode_path(path: &str) -> String {
    path.replace("%0A", "\n")
        .replace("%0a", "\n")
        .replace("%0D", "\r")
        .replace("%0d", "\r")
        .replace("%25", "%")
}

/// Writes a manifest: one `digest path` line per file, sorted by path.
pub fn manifest(entries: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    for (path, digest) in entries {
        out.push_str(digest);
        out.push_str("  ");
        out.push_str(&encode_path(path));
        out.push('\n');
    }
    out
}

/// One line of a manifest that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed manifest: path → digest, with the lines that are malformed.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    /// Entries by decoded path, digests as written.
    pub entries: BTreeMap<String, String>,
    /// Problems, by line.
    pub errors: Vec<LineError>,
}

/// Parses a manifest strictly: each line `HEX<whitespace>PATH`, hex of the algorithm's
/// length, lower-case (carton writes lower-case; RFC 8493 allows either, but a changed case
/// is a changed byte, and carton never calls a changed file intact).
pub fn parse_manifest(text: &str, alg: Algorithm) -> Manifest {
    let mut m = Manifest::default();
    for (i, line) in text.split_terminator('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let Some((digest, path)) = line.split_once([' ', '\t']) else {
            m.errors.push(LineError {
                line: n,
                message: format!("expected `digest path`, found `{}`", printable(line)),
            });
            continue;
        };
        let path = path.trim_start_matches([' ', '\t']);
        if digest.len() != alg.hex_len() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
            m.errors.push(LineError {
                line: n,
                message: format!(
                    "`{}` is not a {alg} digest ({} hex digits)",
                    printable(digest),
                    alg.hex_len()
                ),
            });
            continue;
        }
        if digest.bytes().any(|b| b.is_ascii_uppercase()) {
            m.errors.push(LineError {
                line: n,
                message: format!("digest `{digest}` is not lower-case as carton writes it"),
            });
        }
        if path.is_empty() {
            m.errors.push(LineError { line: n, message: "no path after the digest".into() });
            continue;
        }
        let decoded = decode_path(path);
        if m.entries.insert(decoded.clone(), digest.to_ascii_lowercase()).is_some() {
            m.errors.push(LineError {
                line: n,
                message: format!("`{}` is listed twice", printable(&decoded)),
            });
        }
    }
    m
}

/// Parses `bag-info.txt` / `bagit.txt` style `Label: value` lines (continuations start with
/// white space). Labels may repeat, so values are lists.
pub fn parse_tags(text: &str) -> (BTreeMap<String, Vec<String>>, Vec<LineError>) {
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut last: Option<String> = None;
    for (i, line) in text.split_terminator('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.starts_with([' ', '\t']) {
            match last.as_ref().and_then(|l| tags.get_mut(l)).and_then(|v| v.last_mut()) {
                Some(v) => {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                None => errors.push(LineError {
                    line: i + 1,
                    message: "continuation line with no label before it".into(),
                }),
            }
            continue;
        }
        match line.split_once(':') {
            Some((label, value)) if !label.is_empty() && !label.contains(char::is_whitespace) => {
                tags.entry(label.to_string()).or_default().push(value.trim().to_string());
                last = Some(label.to_string());
            }
            _ => errors.push(LineError {
                line: i + 1,
                message: format!("expected `Label: value`, found `{}`", printable(line)),
            }),
        }
    }
    (tags, errors)
}

/// Bag metadata carton writes into `bag-info.txt`.
#[derive(Debug, Clone)]
pub struct BagInfo {
    /// `YYYY-MM-DD`.
    pub bagging_date: String,
    /// Total payload bytes.
    pub payload_bytes: u64,
    /// Payload file count.
    pub payload_files: u64,
    /// Describes the bag.
    pub description: String,
    /// `urn:uuid:...`, derived from the content.
    pub identifier: String,
}

/// Writes `bag-info.txt`; labels in a fixed order so the file is deterministic.
pub fn bag_info(info: &BagInfo) -> String {
    let lines = [
        ("Bag-Software-Agent", concat!("carton ", env!("CARGO_PKG_VERSION")).to_string()),
        ("BagIt-Profile-Identifier", PROFILE_ID.to_string()),
        ("Bagging-Date", info.bagging_date.clone()),
        ("Carton-Format-Version", crate::model::FORMAT_VERSION.to_string()),
        ("External-Description", info.description.replace(['\n', '\r'], " ")),
        ("External-Identifier", info.identifier.clone()),
        ("Payload-Oxum", format!("{}.{}", info.payload_bytes, info.payload_files)),
    ];
    lines.iter().map(|(k, v)| format!("{k}: {v}\n")).collect()
}

/// Site text shown in reports may hold control characters: show them escaped.
pub fn printable(s: &str) -> String {
    let cut: String = s.chars().take(200).collect();
    cut.chars()
        .flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trip_with_awkward_names() {
        let mut e = BTreeMap::new();
        e.insert("data/a%b\nc.txt".to_string(), "a".repeat(64));
        e.insert("data/é f.md".to_string(), "b".repeat(64));
        let text = manifest(&e);
        assert!(text.contains("data/a%25b%0Ac.txt"));
        let m = parse_manifest(&text, Algorithm::Sha256);
        assert!(m.errors.is_empty(), "{:?}", m.errors);
        assert_eq!(m.entries, e);
    }

    #[test]
    fn malformed_manifest_lines_are_reported() {
        let text = format!(
            "{}  data/x\nzz  data/y\n{}  data/x\nnopath\n{}  data/u\n",
            "a".repeat(64),
            "b".repeat(64),
            "C".repeat(64)
        );
        let m = parse_manifest(&text, Algorithm::Sha256);
        let lines: Vec<usize> = m.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4, 5]);
    }

    #[test]
    fn tags_with_continuations() {
        let (tags, errors) = parse_tags("A: 1\nB: x\n  y\nA: 2\nbad line\n");
        assert_eq!(tags["A"], ["1", "2"]);
        assert_eq!(tags["B"], ["x y"]);
        assert_eq!(errors.len(), 1);
    }
}
