//! The OCFL 1.1 inventory (<https://ocfl.io/1.1/spec/#inventory>): its types, how carton writes
//! it (sorted, one entry per line), its digest sidecar, version names and the rules every
//! logical path must follow.

use crate::error::{Error, Result};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha512};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::io;
use std::path::Path;

/// The inventory `type` of OCFL 1.1.
pub(crate) const INVENTORY_TYPE: &str = "https://ocfl.io/1.1/spec/#inventory";
/// The object declaration file and its exact content (NAMASTE).
pub(crate) const OBJECT_NAMASTE: (&str, &str) = ("0=ocfl_object_1.1", "ocfl_object_1.1\n");
pub(crate) const INVENTORY: &str = "inventory.json";
pub(crate) const SIDECAR: &str = "inventory.json.sha512";
/// The content directory when the inventory does not name one.
pub(crate) const DEFAULT_CONTENT_DIR: &str = "content";

/// digest → paths, sorted both ways so that the same object always serialises to the same bytes.
pub(crate) type DigestMap = BTreeMap<String, Vec<String>>;

/// An OCFL inventory. Fields are declared in alphabetical order, which is the order they are
/// written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Inventory {
    #[serde(rename = "contentDirectory", default, skip_serializing_if = "Option::is_none")]
    pub content_directory: Option<String>,
    #[serde(rename = "digestAlgorithm")]
    pub digest_algorithm: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fixity: BTreeMap<String, DigestMap>,
    pub head: String,
    pub id: String,
    pub manifest: DigestMap,
    #[serde(rename = "type")]
    pub kind: String,
    pub versions: Versions,
}

/// One version block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Version {
    pub created: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    pub state: DigestMap,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
}

/// The agent that made a version (OCFL `user`): a name, and an address that SHOULD be a URI
/// (`mailto:` or an ORCID iD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// A URI for the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Any readable name.
    pub name: String,
}

/// The `versions` block, keyed by version number so that `v10` comes after `v9`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Versions(pub BTreeMap<u32, Version>);

impl Serialize for Versions {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (n, v) in &self.0 {
            map.serialize_entry(&version_name(*n), v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Versions {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Versions;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of versions v1, v2, ...")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut m: A,
            ) -> std::result::Result<Versions, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((name, v)) = m.next_entry::<String, Version>()? {
                    let n = parse_version(&name).ok_or_else(|| {
                        de::Error::custom(format!(
                            "version name {name:?}: carton reads v1, v2, ... (no zero padding)"
                        ))
                    })?;
                    out.insert(n, v);
                }
                Ok(Versions(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `v3` for 3. Version names are never zero-padded (OCFL W001).
pub(crate) fn version_name(n: u32) -> String {
    format!("v{n}")
}

/// 3 for `v3`; `None` for anything else, zero-padded names included.
pub(crate) fn parse_version(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('v')?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

impl Inventory {
    /// A new object with no version yet.
    pub fn new(id: &str) -> Self {
        Inventory {
            content_directory: None,
            digest_algorithm: "sha512".into(),
            fixity: BTreeMap::new(),
            head: String::new(),
            id: id.into(),
            manifest: BTreeMap::new(),
            kind: INVENTORY_TYPE.into(),
            versions: Versions::default(),
        }
    }

    /// The number of the head version (0 when there is none yet).
    pub fn head_num(&self) -> u32 {
        self.versions.0.keys().next_back().copied().unwrap_or(0)
    }

    pub fn content_dir(&self) -> &str {
        self.content_directory.as_deref().unwrap_or(DEFAULT_CONTENT_DIR)
    }

    /// A version by name (`v2`).
    pub fn version(&self, name: &str) -> Option<(u32, &Version)> {
        let n = parse_version(name)?;
        self.versions.0.get(&n).map(|v| (n, v))
    }

    /// The first content path holding each digest.
    pub fn content_path(&self, digest: &str) -> Option<&str> {
        self.manifest.get(digest).and_then(|paths| paths.first()).map(String::as_str)
    }

    /// content path → sha256, from the fixity block.
    pub fn sha256_by_path(&self) -> BTreeMap<&str, &str> {
        let mut out = BTreeMap::new();
        if let Some(block) = self.fixity.get("sha256") {
            for (digest, paths) in block {
                for p in paths {
                    out.insert(p.as_str(), digest.as_str());
                }
            }
        }
        out
    }

    /// Checks what carton relies on when reading an object written by anyone; the full rules are
    /// the validators' business. Digests are made lower-case (OCFL digests are case-insensitive).
    pub fn check(&mut self, path: &Path) -> Result<()> {
        let bad = |msg: String| Error::BadInventory { path: path.to_path_buf(), msg };
        if self.kind != INVENTORY_TYPE {
            return Err(bad(format!(
                "type is {:?}: carton reads OCFL 1.1 objects ({INVENTORY_TYPE})",
                self.kind
            )));
        }
        if self.digest_algorithm != "sha512" {
            return Err(bad(format!(
                "digestAlgorithm is {:?}: carton reads objects addressed by sha512",
                self.digest_algorithm
            )));
        }
        let n = self.versions.0.len() as u32;
        if n == 0 || self.versions.0.keys().copied().ne(1..=n) {
            return Err(bad("versions must be v1, v2, ... without a gap".into()));
        }
        if self.head != version_name(n) {
            return Err(bad(format!("head is {:?} but the last version is v{n}", self.head)));
        }
        self.manifest = lower_keys(std::mem::take(&mut self.manifest));
        for block in self.fixity.values_mut() {
            *block = lower_keys(std::mem::take(block));
        }
        for (num, v) in self.versions.0.iter_mut() {
            v.state = lower_keys(std::mem::take(&mut v.state));
            if let Some(d) = v.state.keys().find(|d| !self.manifest.contains_key(*d)) {
                return Err(bad(format!("v{num}: state digest {d} is not in the manifest")));
            }
        }
        // Paths are joined to folders on disk when restoring: one that could leave its folder is
        // refused here, once, for every reader.
        for (digest, paths) in &self.manifest {
            if paths.is_empty() {
                return Err(bad(format!("manifest digest {digest} has no content path")));
            }
            for p in paths {
                let in_version = p
                    .split_once('/')
                    .and_then(|(v, rest)| parse_version(v).zip(rest.split_once('/')))
                    .is_some_and(|(v, (dir, _))| v <= n && dir == self.content_dir());
                if !in_version || check_logical_path(p).is_err() {
                    return Err(bad(format!(
                        "content path {p:?} is not vN/{}/...",
                        self.content_dir()
                    )));
                }
            }
        }
        for (num, v) in &self.versions.0 {
            for p in v.state.values().flatten() {
                check_logical_path(p).map_err(|e| bad(format!("v{num}: logical path: {e}")))?;
            }
        }
        Ok(())
    }

    /// The inventory as written: UTF-8 JSON, keys sorted, one member per line, arrays inline.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * 1024);
        let mut ser = serde_json::Serializer::with_formatter(&mut out, LineFormatter::default());
        // Serialising these types to memory cannot fail: every key is a string.
        self.serialize(&mut ser).expect("inventory serialises");
        out.push(b'\n');
        out
    }

    /// Parses and checks an inventory read from `path`.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Self> {
        let mut inv: Inventory =
            serde_json::from_slice(bytes).map_err(|e| Error::BadInventory {
                path: path.to_path_buf(),
                msg: format!("not an OCFL inventory: {e}"),
            })?;
        inv.check(path)?;
        Ok(inv)
    }
}

fn lower_keys(map: DigestMap) -> DigestMap {
    if map.keys().all(|k| !k.bytes().any(|b| b.is_ascii_uppercase())) {
        return map;
    }
    let mut out = DigestMap::new();
    for (k, mut v) in map {
        out.entry(k.to_ascii_lowercase()).or_default().append(&mut v);
    }
    out
}

/// Writes objects one member per line (indented one space per level) and arrays inline:
/// readable with `less` and `grep`, diffable line by line, and only about 3% larger than
/// compact JSON, where serde_json's pretty printer (one array item per line, two-space indent)
/// adds about 15% (see archive/SNAPSHOTS.md, "Inventory").
#[derive(Default)]
struct LineFormatter {
    depth: usize,
    has_value: bool,
}

impl LineFormatter {
    fn newline<W: ?Sized + io::Write>(&self, w: &mut W) -> io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b" ")?;
        }
        Ok(())
    }
}

impl serde_json::ser::Formatter for LineFormatter {
    fn begin_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(w)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.newline(w)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b":")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// The sha512 of bytes, lower-case hex.
pub(crate) fn sha512_hex(bytes: &[u8]) -> String {
    hex::encode(Sha512::digest(bytes))
}

/// The sidecar of an inventory: `DIGEST  inventory.json` (OCFL 3.6; two spaces, as
/// `sha512sum` writes, so `sha512sum -c inventory.json.sha512` checks it).
pub(crate) fn sidecar_for(inventory: &[u8]) -> String {
    format!("{}  {INVENTORY}\n", sha512_hex(inventory))
}

/// The digest a sidecar states, lower-case; `None` when it is not `DIGEST<whitespace>inventory.json`.
pub(crate) fn parse_sidecar(text: &str) -> Option<String> {
    let mut parts = text.split_whitespace();
    let (digest, name) = (parts.next()?, parts.next()?);
    (name == INVENTORY && parts.next().is_none() && digest.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| digest.to_ascii_lowercase())
}

/// Checks one logical path against OCFL 3.5.3.1 (E051–E053): `/`-separated, no empty, `.` or
/// `..` element, no leading or trailing `/`. NUL is refused too: no filesystem can hold it.
pub(crate) fn check_logical_path(path: &str) -> Result<()> {
    let bad = |msg: &str| Error::BadLogicalPath { path: path.into(), msg: msg.into() };
    if path.is_empty() {
        return Err(bad("empty path"));
    }
    if path.contains('\0') {
        return Err(bad("the path holds a NUL character"));
    }
    if path.split('/').any(|e| e.is_empty() || e == "." || e == "..") {
        return Err(bad(
            "paths are '/'-separated, relative, with no empty, '.' or '..' element (OCFL E052)",
        ));
    }
    Ok(())
}

/// Checks that no path is given twice and that none is a folder of another (OCFL E095).
pub(crate) fn check_conflicts<'a>(paths: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for p in paths {
        if !seen.insert(p) {
            return Err(Error::BadLogicalPath { path: p.into(), msg: "given twice".into() });
        }
    }
    for p in &seen {
        for (i, _) in p.match_indices('/') {
            if seen.contains(&p[..i]) {
                return Err(Error::BadLogicalPath {
                    path: p.to_string(),
                    msg: format!("{} is both a file and a folder", &p[..i]),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Inventory {
        let mut inv = Inventory::new("urn:example:site");
        let d = "a".repeat(128);
        inv.manifest.insert(d.clone(), vec!["v1/content/index.md".into()]);
        inv.fixity
            .entry("sha256".into())
            .or_default()
            .insert("b".repeat(64), vec!["v1/content/index.md".into()]);
        for n in [1, 2, 10] {
            let mut state = DigestMap::new();
            state.insert(d.clone(), vec!["index.md".into()]);
            let v = Version {
                created: "2025-01-24T10:00:00Z".into(),
                message: Some("weekly".into()),
                state,
                user: Some(User {
                    name: "Alice".into(),
                    address: Some("mailto:a@example.org".into()),
                }),
            };
            inv.versions.0.insert(n, v);
        }
        inv.head = "v10".into();
        inv
    }

    #[test]
    fn versions_are_written_in_numeric_order() {
        let text = String::from_utf8(sample().to_bytes()).unwrap();
        let (v2, v10) = (text.find("\"v2\":{").unwrap(), text.find("\"v10\":{").unwrap());
        assert!(v2 < v10, "{text}");
        // One member per line, arrays inline, keys in alphabetical order.
        assert!(text.starts_with("{\n \"digestAlgorithm\":\"sha512\",\n \"fixity\":{"), "{text}");
        assert!(text.contains(&format!("\n    \"{}\":[\"index.md\"]", "a".repeat(128))), "{text}");
        assert!(text.ends_with("}\n"));
    }

    #[test]
    fn round_trip_is_byte_identical() {
        let mut inv = sample();
        // Checking needs v1..vN without a gap.
        let v = inv.versions.0.remove(&10).unwrap();
        inv.versions.0.insert(3, v);
        inv.head = "v3".into();
        let bytes = inv.to_bytes();
        let back = Inventory::from_bytes(&bytes, Path::new("inventory.json")).unwrap();
        assert_eq!(back, inv);
        assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn bad_inventories_are_refused_with_the_reason() {
        let mut inv = sample(); // v1, v2, v10: a gap
        let err = inv.check(Path::new("i.json")).unwrap_err().to_string();
        assert!(err.contains("without a gap"), "{err}");
        let text = String::from_utf8(sample().to_bytes()).unwrap().replace("\"v2\"", "\"v02\"");
        let err = Inventory::from_bytes(text.as_bytes(), Path::new("i.json")).unwrap_err();
        assert!(err.to_string().contains("zero padding"), "{err}");
        let text = String::from_utf8(sample().to_bytes())
            .unwrap()
            .replace("\"head\"", "\"extra\":1,\"head\"");
        assert!(Inventory::from_bytes(text.as_bytes(), Path::new("i.json")).is_err());
    }

    #[test]
    fn version_names() {
        assert_eq!(parse_version("v1"), Some(1));
        assert_eq!(parse_version("v42"), Some(42));
        for bad in ["v0", "v01", "1", "v", "v1a", "V1"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        assert_eq!(version_name(7), "v7");
    }

    #[test]
    fn sidecars() {
        let s = sidecar_for(b"{}");
        assert!(s.ends_with("  inventory.json\n"));
        assert_eq!(parse_sidecar(&s).unwrap(), sha512_hex(b"{}"));
        assert_eq!(parse_sidecar("ABC\tinventory.json").unwrap(), "abc");
        assert_eq!(parse_sidecar("abc inventory.txt"), None);
        assert_eq!(parse_sidecar("abc"), None);
    }

    #[test]
    fn logical_paths() {
        assert!(check_logical_path("content/a b/\"x\".md").is_ok());
        for bad in ["", "/a", "a/", "a//b", "./a", "a/../b", "a\0b"] {
            assert!(check_logical_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_conflicts(["a/b", "a/c", "ab"]).is_ok());
        assert!(
            check_conflicts(["a", "a/b"])
                .unwrap_err()
                .to_string()
                .contains("both a file and a folder")
        );
        assert!(check_conflicts(["a", "a"]).is_err());
    }
}
