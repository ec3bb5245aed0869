//! Hostile archives ("Hostile input: nothing lost, nothing written where it must not be"):
//! names that escape, links, duplicates, lying manifests, zip bombs, broken files and broken
//! models. Every archive is generated here from the demo site's real bag; nothing binary is
//! committed. Each case runs `verify`, `inspect` and `import` in a fresh sandbox whose whole
//! tree is listed before and after: a failed command leaves it exactly as it was, a
//! successful import adds only the `-o` folder. A watchdog turns a hang into a failure.

use crate::common::*;
use sha2::Digest;
use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;
use zip::write::SimpleFileOptions;

/// A command still running after this has hung.
const WATCHDOG: Duration = Duration::from_secs(60);

/// A bag's files, by path inside the bag.
type Bag = BTreeMap<String, Vec<u8>>;

/// The demo site's bag, exported once through the library.
fn demo() -> Bag {
    static BAG: OnceLock<Bag> = OnceLock::new();
    BAG.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("demo");
        export(&demo_site(), &out, carton::archive::Format::Dir);
        list_files(&out)
            .into_iter()
            .map(|r| (r.clone(), std::fs::read(out.join(r)).unwrap()))
            .collect()
    })
    .clone()
}

fn hex_digest(alg: &str, bytes: &[u8]) -> String {
    match alg {
        "sha256" => hex::encode(sha2::Sha256::digest(bytes)),
        _ => hex::encode(sha2::Sha512::digest(bytes)),
    }
}

/// Rewrites the payload manifests and Payload-Oxum for the bag's current payload, then the
/// tag manifests: the bag is consistent again except for what a case broke on purpose.
fn reseal(bag: &mut Bag) {
    let payload: Vec<(String, Vec<u8>)> = bag
        .iter()
        .filter(|(p, _)| p.starts_with("data/"))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect();
    for alg in ["sha256", "sha512"] {
        let text: String =
            payload.iter().map(|(p, b)| format!("{}  {p}\n", hex_digest(alg, b))).collect();
        bag.insert(format!("manifest-{alg}.txt"), text.into_bytes());
    }
    let bytes: usize = payload.iter().map(|(_, b)| b.len()).sum();
    let info = String::from_utf8(bag["bag-info.txt"].clone()).unwrap();
    let info: String = info
        .lines()
        .map(|l| {
            if l.starts_with("Payload-Oxum:") {
                format!("Payload-Oxum: {bytes}.{}\n", payload.len())
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    bag.insert("bag-info.txt".into(), info.into_bytes());
    reseal_tags(bag);
}

/// Rewrites the tag manifests for the bag's current tag files.
fn reseal_tags(bag: &mut Bag) {
    for alg in ["sha256", "sha512"] {
        let text: String = bag
            .iter()
            .filter(|(p, _)| !p.starts_with("data/") && !p.starts_with("tagmanifest-"))
            .map(|(p, b)| format!("{}  {p}\n", hex_digest(alg, b)))
            .collect();
        bag.insert(format!("tagmanifest-{alg}.txt"), text.into_bytes());
    }
}

/// One zip entry, named as it will be in the zip.
enum E {
    File(String, Vec<u8>),
    Link(String, String),
}

fn file(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> E {
    E::File(name.into(), bytes.into())
}

/// The bag's files as entries of a zip with the top folder `demo/`, as carton writes it.
fn entries(bag: &Bag) -> Vec<E> {
    bag.iter().map(|(p, b)| file(format!("demo/{p}"), b.clone())).collect()
}

fn zip_of(entries: &[E]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for e in entries {
        match e {
            E::File(name, bytes) => {
                w.start_file(name.as_str(), SimpleFileOptions::default()).unwrap();
                w.write_all(bytes).unwrap();
            }
            E::Link(name, target) => {
                w.add_symlink(name.as_str(), target.as_str(), SimpleFileOptions::default())
                    .unwrap();
            }
        }
    }
    w.finish().unwrap().into_inner()
}

/// Replaces every occurrence of `from` by `to` (same length): how names the zip writer would
/// refuse (duplicates, NUL) are made.
fn patch(zip: &mut [u8], from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let at: Vec<usize> =
        zip.windows(from.len()).enumerate().filter(|(_, w)| *w == from).map(|(i, _)| i).collect();
    assert_eq!(at.len(), 2, "the name is in the local header and the central directory");
    for i in at {
        zip[i..i + to.len()].copy_from_slice(to);
    }
}

/// Sets the sizes an entry declares, in its local header and its central directory record.
fn declare_sizes(zip: &mut [u8], name: &str, compressed: Option<u32>, uncompressed: Option<u32>) {
    let name = name.as_bytes();
    let le16 = |z: &[u8], i: usize| u16::from_le_bytes([z[i], z[i + 1]]) as usize;
    let mut found = 0;
    for i in 0..zip.len() - 46 {
        // (signature, offset of the name length, of the name, of the compressed size)
        let (len_at, name_at, sizes_at) = match &zip[i..i + 4] {
            b"PK\x03\x04" => (26, 30, 18),
            b"PK\x01\x02" => (28, 46, 20),
            _ => continue,
        };
        if le16(zip, i + len_at) != name.len()
            || zip.get(i + name_at..i + name_at + name.len()) != Some(name)
        {
            continue;
        }
        if let Some(c) = compressed {
            zip[i + sizes_at..i + sizes_at + 4].copy_from_slice(&c.to_le_bytes());
        }
        if let Some(u) = uncompressed {
            zip[i + sizes_at + 4..i + sizes_at + 8].copy_from_slice(&u.to_le_bytes());
        }
        found += 1;
    }
    assert_eq!(found, 2, "{} found in both headers", String::from_utf8_lossy(name));
}

/// A fresh folder holding the archive (`in/`) and the working folder (`a/b/`, where `-o out`
/// is created): a `../` that escapes `out` still lands inside the listed tree.
struct Sandbox {
    _dir: tempfile::TempDir,
    root: PathBuf,
    archive: PathBuf,
    cwd: PathBuf,
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Sandbox {
    fn empty() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let cwd = root.join("a/b");
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::create_dir_all(root.join("in")).unwrap();
        Sandbox { archive: root.join("in/hostile.zip"), _dir: dir, root, cwd }
    }

    fn zip(bytes: &[u8]) -> Sandbox {
        let s = Sandbox::empty();
        std::fs::write(&s.archive, bytes).unwrap();
        s
    }

    fn out(&self) -> PathBuf {
        self.cwd.join("out")
    }

    /// Every entry of the sandbox: path, kind, size or link target.
    fn tree(&self) -> BTreeMap<String, String> {
        sandbox_tree(&self.root)
    }

    /// Runs carton in `a/b/` under the watchdog. A failed run must leave the tree as it was;
    /// a successful one may add only `out/`. Nothing may appear at `probes` (absolute paths
    /// outside the sandbox that an entry names).
    fn run(&self, args: &[&str], probes: &[&str]) -> Outcome {
        let before = self.tree();
        let output = carton()
            .current_dir(&self.cwd)
            .args(
                args.iter()
                    .map(|a| if *a == "ARCHIVE" { self.archive.as_os_str() } else { a.as_ref() }),
            )
            .timeout(WATCHDOG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let Some(code) = output.status.code() else {
            panic!("carton {args:?} did not finish within {WATCHDOG:?} (hung?): {stderr}");
        };
        assert!(!stderr.contains("panicked"), "carton {args:?} panicked: {stderr}");
        let after = self.tree();
        let changed = sandbox_changes(&before, &after, &|p| {
            code == 0 && (p == "a/b/out" || p.starts_with("a/b/out/"))
        });
        assert!(
            changed.is_empty(),
            "carton {args:?} (exit {code}) touched the sandbox: {changed:#?}\n{stderr}"
        );
        for p in probes {
            assert!(!Path::new(p).exists(), "carton {args:?} wrote {p}");
        }
        Outcome { code, stdout: String::from_utf8_lossy(&output.stdout).into_owned(), stderr }
    }

    fn verify(&self, probes: &[&str]) -> Outcome {
        self.run(&["verify", "ARCHIVE"], probes)
    }

    fn inspect(&self, probes: &[&str]) -> Outcome {
        self.run(&["inspect", "ARCHIVE"], probes)
    }

    fn import(&self, to: &str, no_verify: bool, probes: &[&str]) -> Outcome {
        let mut args = vec!["import", "ARCHIVE", "--to", to, "-o", "out"];
        if no_verify {
            args.push("--no-verify");
        }
        let o = self.run(&args, probes);
        if o.code != 0 {
            assert!(!self.out().exists(), "a failed import left {}", self.out().display());
        }
        o
    }
}

impl Outcome {
    /// Asserts the exit code and that `text` (stdout for verify, stderr otherwise) says each
    /// of `needles`.
    fn expect(&self, code: i32, on_stdout: bool, needles: &[&str]) -> &Self {
        let text = if on_stdout { &self.stdout } else { &self.stderr };
        assert_eq!(
            self.code, code,
            "exit code; stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        for n in needles {
            assert!(text.contains(n), "expected `{n}` in:\n{text}");
        }
        self
    }
}

/// verify: exit 3 and each needle in its report. import (verified): exit 1, the finding on
/// stderr, nothing written. Returns the sandbox for further runs.
fn refused(zip: &[u8], needles: &[&str], probes: &[&str]) -> Sandbox {
    let s = Sandbox::zip(zip);
    s.verify(probes).expect(3, true, needles).expect(3, true, &["invalid:"]);
    for to in ["hugo", "jekyll", "zola"] {
        s.import(to, false, probes).expect(1, false, needles).expect(
            1,
            false,
            &["nothing was imported"],
        );
    }
    s
}

#[test]
fn the_untouched_bag_passes_so_the_harness_can_tell() {
    let mut bag = demo();
    reseal(&mut bag);
    assert_eq!(bag, demo(), "resealing an intact bag changes nothing");
    let s = Sandbox::zip(&zip_of(&entries(&bag)));
    s.verify(&[]).expect(0, true, &["is intact"]);
    s.inspect(&[]).expect(0, true, &["pages 6"]);
    s.import("hugo", false, &[]).expect(0, true, &["wrote out"]);
    assert!(s.out().join("hugo.toml").is_file());
}

#[test]
fn entry_names_that_could_escape_are_refused_and_nothing_escapes() {
    let s = Sandbox::empty();
    let inside = format!("{}/absolute.txt", s.root.display());
    // The absolute name inside this sandbox is probed too: each case runs in its own.
    let probes = ["/etc/carton-hostile-test", "/carton-hostile-test", inside.as_str()];
    // (name in the zip, how the report shows it, reason)
    let cases: Vec<(String, String, &str)> = vec![
        (
            "demo/../../../escaped.txt".into(),
            "demo/../../../escaped.txt".into(),
            "`.` or `..` path component",
        ),
        (
            "../../../escaped.txt".into(),
            "../../../escaped.txt".into(),
            "`.` or `..` path component",
        ),
        (
            "demo/data/site/./x.txt".into(),
            "demo/data/site/./x.txt".into(),
            "`.` or `..` path component",
        ),
        (inside.clone(), inside.clone(), "absolute path"),
        (probes[0].into(), probes[0].into(), "absolute path"),
        ("C:\\carton-hostile.txt".into(), "C:\\carton-hostile.txt".into(), "drive letter"),
        ("C:/carton-hostile.txt".into(), "C:/carton-hostile.txt".into(), "drive letter"),
        (
            "demo\\..\\..\\escaped.txt".into(),
            "demo\\..\\..\\escaped.txt".into(),
            "backslash in name",
        ),
        ("demo/data/site/a\\b.txt".into(), "demo/data/site/a\\b.txt".into(), "backslash in name"),
        (
            "demo/data/site/esc\x1b[2J.txt".into(),
            "demo/data/site/esc\\u{1b}[2J.txt".into(),
            "control character in name",
        ),
    ];
    for (name, shown, reason) in &cases {
        let mut e = entries(&demo());
        e.push(file(name.as_str(), "escaped"));
        let s = refused(
            &zip_of(&e),
            &[&format!("{shown}: [unsafe-entry] entry refused: {reason}")],
            &probes,
        );
        // Inspect reads carton.json only; it reports the site, unharmed.
        s.inspect(&probes).expect(0, true, &["pages 6"]);
        // Without verification, the refused entry is not part of the bag: the import writes
        // the site, under out/ only.
        s.import("hugo", true, &probes).expect(0, true, &["wrote out"]);
        assert!(!s.out().join("escaped.txt").exists());
    }
    // NUL cannot go through the zip writer: written as `#`, then patched.
    let mut e = entries(&demo());
    e.push(file("demo/data/site/nul#.txt", "escaped"));
    let mut zip = zip_of(&e);
    patch(&mut zip, b"demo/data/site/nul#.txt", b"demo/data/site/nul\0.txt");
    refused(
        &zip,
        &["demo/data/site/nul\\u{0}.txt: [unsafe-entry] entry refused: control character in name"],
        &probes,
    );
}

#[test]
fn symbolic_links_and_duplicates_are_refused() {
    let s = Sandbox::empty();
    let target = s.root.to_string_lossy().into_owned();
    let mut e = entries(&demo());
    e.push(E::Link("demo/data/site/static/link".into(), target));
    e.push(E::Link("demo/data/site/static/up".into(), "../../../../../..".into()));
    e.push(file("demo/data/site/static/link/escaped.txt", "through the link"));
    let s = refused(
        &zip_of(&e),
        &[
            "demo/data/site/static/link: [unsafe-entry] entry refused: symbolic link entry",
            "demo/data/site/static/up: [unsafe-entry] entry refused: symbolic link entry",
        ],
        &[],
    );
    s.import("hugo", true, &[]).expect(0, true, &["wrote out"]);
    assert!(!s.out().join("static/link").is_symlink());

    // Two entries with one name: which one is the file? Refused, whichever a reader keeps.
    for first_is_real in [true, false] {
        let bag = demo();
        let real = bag["data/site/static/robots.txt"].clone();
        let mut e = entries(&bag);
        let twin = file("demo/data/site/static/robots.txX", "User-agent: *\nDisallow: /\n");
        if first_is_real {
            e.push(twin)
        } else {
            e.insert(0, twin)
        };
        let mut zip = zip_of(&e);
        patch(&mut zip, b"demo/data/site/static/robots.txX", b"demo/data/site/static/robots.txt");
        assert_ne!(real, b"User-agent: *\nDisallow: /\n");
        refused(
            &zip,
            &["demo/data/site/static/robots.txt: [unsafe-entry] entry refused: duplicate entry"],
            &[],
        );
    }
}

#[test]
fn names_differing_only_by_case_or_normalisation_are_all_kept() {
    let nfc = "static/caf\u{e9}.txt";
    let nfd = "static/cafe\u{301}.txt";
    let site = site(&[
        ("hugo.toml", b"title = 't'\n"),
        ("content/_index.md", b"# home\n"),
        ("static/Readme.txt", b"mixed case\n"),
        ("static/README.txt", b"upper case\n"),
        (nfc, b"composed\n"),
        (nfd, b"decomposed\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("s.zip");
    export(site.path(), &zip, carton::archive::Format::Zip);
    let s = Sandbox::zip(&std::fs::read(&zip).unwrap());
    s.verify(&[]).expect(0, true, &["is intact"]);
    s.inspect(&[]).expect(0, true, &["files 6"]);
    s.import("hugo", false, &[]).expect(0, true, &["wrote out"]);
    for (name, bytes) in [
        ("static/Readme.txt", "mixed case\n"),
        ("static/README.txt", "upper case\n"),
        (nfc, "composed\n"),
        (nfd, "decomposed\n"),
    ] {
        assert_eq!(std::fs::read_to_string(s.out().join(name)).unwrap(), bytes, "{name}");
    }
    let report = std::fs::read_to_string(s.out().join("carton-report.md")).unwrap();
    assert!(report.contains("only by case"), "{report}");
}

#[test]
fn lying_and_malformed_manifests_are_named() {
    let base = demo();
    let line_of = |bag: &Bag, m: &str, path: &str| -> String {
        let text = String::from_utf8(bag[m].clone()).unwrap();
        text.lines().find(|l| l.ends_with(&format!("  {path}"))).unwrap().to_string()
    };
    let edit = |bag: &mut Bag, m: &str, f: &dyn Fn(String) -> String| {
        let text = String::from_utf8(bag[m].clone()).unwrap();
        bag.insert(m.into(), f(text).into_bytes());
    };
    let robots = "data/site/static/robots.txt";
    let digest = hex_digest("sha256", &base[robots]);

    // Paths outside data/ in a payload manifest.
    let mut bag = base.clone();
    edit(&mut bag, "manifest-sha256.txt", &|t| {
        format!(
            "{t}{digest}  ../escaped.txt\n{digest}  /etc/passwd\n{digest}  data/../../escaped.txt\n"
        )
    });
    reseal_tags(&mut bag);
    let s = refused(
        &zip_of(&entries(&bag)),
        &[
            "../escaped.txt: [manifest-outside-payload]",
            "/etc/passwd: [manifest-outside-payload]",
            "data/../../escaped.txt: [manifest-outside-payload]",
        ],
        &[],
    );
    s.inspect(&[]).expect(0, true, &["pages 6"]);

    // Bad hex, wrong lengths.
    let mut bag = base.clone();
    let bad = "z".repeat(64);
    let short = &digest[..63];
    let long512 = format!("{}0", hex_digest("sha512", &base[robots]));
    edit(&mut bag, "manifest-sha256.txt", &|t| {
        t.replace(&line_of(&base, "manifest-sha256.txt", robots), &format!("{bad}  {robots}"))
            .replace(
                &line_of(&base, "manifest-sha256.txt", "data/carton.json"),
                &format!("{short}  data/carton.json"),
            )
    });
    edit(&mut bag, "manifest-sha512.txt", &|t| {
        t.replace(&line_of(&base, "manifest-sha512.txt", robots), &format!("{long512}  {robots}"))
    });
    reseal_tags(&mut bag);
    refused(
        &zip_of(&entries(&bag)),
        &[
            "manifest-sha256.txt: [bad-manifest] line",
            &format!("`{bad}` is not a sha256 digest (64 hex digits)"),
            &format!("`{short}` is not a sha256 digest (64 hex digits)"),
            &format!("`{long512}` is not a sha512 digest (128 hex digits)"),
        ],
        &[],
    );

    // An algorithm carton does not know.
    let mut bag = base.clone();
    bag.insert("manifest-md7.txt".into(), format!("abc  {robots}\n").into_bytes());
    reseal_tags(&mut bag);
    refused(
        &zip_of(&entries(&bag)),
        &["manifest-md7.txt: [unknown-algorithm] carton cannot check `md7` digests"],
        &[],
    );

    // No bagit.txt.
    let mut bag = base.clone();
    bag.remove("bagit.txt");
    reseal_tags(&mut bag);
    refused(&zip_of(&entries(&bag)), &["bagit.txt: [missing-bagit-txt]"], &[]);

    // A BagIt version carton does not read.
    let mut bag = base.clone();
    bag.insert(
        "bagit.txt".into(),
        b"BagIt-Version: 2.0\nTag-File-Character-Encoding: UTF-8\n".to_vec(),
    );
    reseal_tags(&mut bag);
    refused(
        &zip_of(&entries(&bag)),
        &["bagit.txt: [bad-bagit-txt] unsupported BagIt version"],
        &[],
    )
    .verify(&[])
    .expect(3, true, &["unsupported BagIt version. Expected: 1.0; Found: 2.0"]);

    // A tag manifest that disagrees with the file it lists.
    let mut bag = base.clone();
    let right = hex_digest("sha512", &base["bag-info.txt"]);
    let wrong = hex_digest("sha512", b"something else");
    edit(&mut bag, "tagmanifest-sha512.txt", &|t| t.replace(&right, &wrong));
    refused(
        &zip_of(&entries(&bag)),
        &["bag-info.txt: [checksum-mismatch] sha512 digest differs from tagmanifest-sha512.txt"],
        &[],
    )
    .verify(&[])
    .expect(3, true, &[&format!("tagmanifest-sha512.txt. Expected: {wrong}; Found: {right}")]);
}

/// Streams `len` zeros into a deflated entry: the archive holds about a thousandth of it.
fn zeros_entry(w: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, len: usize) {
    w.start_file(name, SimpleFileOptions::default().compression_level(Some(9))).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        w.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
}

fn with_extra(extra: impl FnOnce(&mut zip::ZipWriter<Cursor<Vec<u8>>>), bag: &Bag) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (p, b) in bag {
        w.start_file(format!("demo/{p}"), SimpleFileOptions::default()).unwrap();
        w.write_all(b).unwrap();
    }
    extra(&mut w);
    w.finish().unwrap().into_inner()
}

#[test]
fn a_compression_bomb_is_stopped_by_the_ratio_limit() {
    // 1 GiB of zeros, about 1 MiB in the zip: refused from the central directory, unread.
    let zip = with_extra(|w| zeros_entry(w, "demo/data/site/static/zeros.bin", 1 << 30), &demo());
    assert!(zip.len() < 8 << 20, "{} bytes", zip.len());
    let s = refused(
        &zip,
        &[
            "demo/data/site/static/zeros.bin: [unsafe-entry] entry refused: compression ratio",
            "limit",
        ],
        &[],
    );
    s.inspect(&[]).expect(0, true, &["pages 6"]);
    s.import("hugo", true, &[]).expect(0, true, &["wrote out"]);
    assert!(!s.out().join("static/zeros.bin").exists());

    // The content model itself as a bomb: 256 MiB of spaces before the JSON is still JSON.
    let mut bag = demo();
    let model = bag.remove("data/carton.json").unwrap();
    let zip = with_extra(
        |w| {
            w.start_file("demo/data/carton.json", SimpleFileOptions::default()).unwrap();
            let spaces = vec![b' '; 1 << 20];
            for _ in 0..256 {
                w.write_all(&spaces).unwrap();
            }
            w.write_all(&model).unwrap();
        },
        &bag,
    );
    let s = refused(
        &zip,
        &["demo/data/carton.json: [unsafe-entry] entry refused: compression ratio"],
        &[],
    );
    s.inspect(&[]).expect(1, false, &["data/carton.json", "compression ratio"]);
    s.import("hugo", true, &[]).expect(1, false, &["data/carton.json", "compression ratio"]);

    // Entries that share their data: 300 central directory records pointing at one entry's
    // 1 MiB of zeros declare 300 MiB from a zip of about 1 KiB of data. Each is an honest
    // deflate stream; the total to the zip's size stops them.
    let zip = shared_data_bomb(300);
    let s = refused(
        &zip,
        &["[unreadable-archive] its entries declare", "over the limit of 1000 times the zip's"],
        &[],
    );
    s.inspect(&[]).expect(1, false, &["hostile.zip", "over the limit of 1000 times"]);
}

/// The demo bag plus `copies` central directory records (names `z0.bin`...) that all point at
/// the local header and data of one entry of 1 MiB of zeros.
fn shared_data_bomb(copies: usize) -> Vec<u8> {
    let mut zip = with_extra(|w| zeros_entry(w, "demo/data/site/static/z0.bin", 1 << 20), &demo());
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).rposition(|w| w == needle);
    let eocd = find(&zip, b"PK\x05\x06").expect("end of central directory");
    let cd_size = u32::from_le_bytes(zip[eocd + 12..eocd + 16].try_into().unwrap()) as usize;
    let cd_start = u32::from_le_bytes(zip[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let name = b"demo/data/site/static/z0.bin";
    // The record of z0.bin in the central directory.
    let mut at = cd_start;
    let record = loop {
        let n = u16::from_le_bytes([zip[at + 28], zip[at + 29]]) as usize;
        let m = u16::from_le_bytes([zip[at + 30], zip[at + 31]]) as usize;
        let k = u16::from_le_bytes([zip[at + 32], zip[at + 33]]) as usize;
        let end = at + 46 + n + m + k;
        if &zip[at + 46..at + 46 + n] == name {
            break zip[at..end].to_vec();
        }
        at = end;
    };
    let mut extra_records = Vec::new();
    for i in 1..copies {
        let mut r = record.clone();
        let new_name = format!("demo/data/site/static/z{i:03}");
        // Same length as `z0.bin` keeps every offset in the record valid.
        let new_name = format!("{new_name:.<width$}", width = name.len());
        r[46..46 + name.len()].copy_from_slice(&new_name.as_bytes()[..name.len()]);
        extra_records.extend(r);
    }
    let tail = zip.split_off(cd_start + cd_size);
    zip.extend(&extra_records);
    let mut tail = tail;
    let entries = u16::from_le_bytes([tail[10], tail[11]]) as usize + copies - 1;
    tail[8..10].copy_from_slice(&(entries as u16).to_le_bytes());
    tail[10..12].copy_from_slice(&(entries as u16).to_le_bytes());
    let size = (cd_size + extra_records.len()) as u32;
    tail[12..16].copy_from_slice(&size.to_le_bytes());
    zip.extend(tail);
    zip
}

#[test]
fn declared_sizes_that_lie_are_caught() {
    // Huge declared size: the ratio to the stored bytes gives it away before any read.
    let mut e = entries(&demo());
    e.push(file("demo/data/site/static/huge.bin", vec![7u8; 100]));
    let mut zip = zip_of(&e);
    declare_sizes(&mut zip, "demo/data/site/static/huge.bin", None, Some(0xFFFF_FFF0));
    refused(&zip, &["demo/data/site/static/huge.bin: [unsafe-entry] entry refused", "limit"], &[]);

    // Compressed size larger than the whole archive.
    let mut e = entries(&demo());
    e.push(file("demo/data/site/static/long.bin", vec![7u8; 100]));
    let mut zip = zip_of(&e);
    declare_sizes(&mut zip, "demo/data/site/static/long.bin", Some(0xFFFF_FFF0), Some(0xFFFF_FFF0));
    let s = Sandbox::zip(&zip);
    let o = s.verify(&[]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(
        o.stdout.contains("long.bin") || o.stdout.contains("not a readable zip"),
        "{}",
        o.stdout
    );
    s.import("hugo", false, &[]).expect(1, false, &["nothing was imported"]);
    s.inspect(&[]);

    // Declared smaller than it inflates to: reading stops at the declared size.
    let bag = demo();
    let mut zip = with_extra(|w| zeros_entry(w, "demo/data/site/static/liar.bin", 4 << 20), &bag);
    declare_sizes(&mut zip, "demo/data/site/static/liar.bin", None, Some(1000));
    refused(
        &zip,
        &[
            "data/site/static/liar.bin: [unreadable-entry]",
            "larger than its declared uncompressed size",
        ],
        &[],
    );
}

#[test]
fn too_many_entries_are_refused_before_reading() {
    let bag = demo();
    let zip = with_extra(
        |w| {
            let opts =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
            for i in 0..200_000 {
                w.start_file(format!("demo/data/site/many/{i}"), opts).unwrap();
            }
        },
        &bag,
    );
    let count = format!("the zip holds {} entries, over the limit of 100000", bag.len() + 200_000);
    let s = refused(&zip, &[&count], &[]);
    s.inspect(&[]).expect(1, false, &["hostile.zip", &count]);
}

#[test]
fn deep_nesting_is_refused() {
    let deep = format!("demo/data/site/{}deep.txt", "d/".repeat(2000));
    let mut e = entries(&demo());
    e.push(file(deep.as_str(), "deep"));
    let s = refused(&zip_of(&e), &["d/d/d/", "entry refused: 2003 folders deep", "limit"], &[]);
    s.inspect(&[]).expect(0, true, &["pages 6"]);
}

#[test]
fn broken_files_are_reported_not_panicked_on() {
    let whole = zip_of(&entries(&demo()));
    for (_what, bytes) in [
        ("truncated", &whole[..whole.len() / 2]),
        ("cut in the end record", &whole[..whole.len() - 10]),
        ("zero-length", &[][..]),
        ("text", &b"this is not a zip archive\n"[..]),
    ] {
        let s = Sandbox::zip(bytes);
        s.verify(&[]).expect(3, true, &["[unreadable-archive] not a readable zip"]);
        s.inspect(&[]).expect(1, false, &["hostile.zip", "not a readable zip"]);
        for no_verify in [false, true] {
            let o = s.import("jekyll", no_verify, &[]);
            o.expect(1, false, &["hostile.zip", "not a readable zip"]);
        }
    }
}

#[test]
fn broken_content_models_are_refused() {
    let model = |bag: &Bag| -> serde_json::Value {
        serde_json::from_slice(&bag["data/carton.json"]).unwrap()
    };
    let with_model = |v: &serde_json::Value| -> Bag {
        let mut bag = demo();
        bag.insert("data/carton.json".into(), serde_json::to_vec_pretty(v).unwrap());
        reseal(&mut bag);
        bag
    };

    // A format version this carton does not read.
    let mut v = model(&demo());
    v["format_version"] = "2.0".into();
    let s = refused(
        &zip_of(&entries(&with_model(&v))),
        &["data/carton.json: [schema] format version `2.0` is not one this carton reads"],
        &[],
    );
    s.inspect(&[]).expect(1, false, &["data/carton.json has format version `2.0`"]);
    // Without verification too, the import refuses a model of another major version.
    s.import("hugo", true, &[]).expect(
        1,
        false,
        &["version `2.0`: this carton reads carton 1.x models"],
    );

    // Not the schema's shape.
    let mut v = model(&demo());
    v["pages"] = "not a list".into();
    let s = refused(&zip_of(&entries(&with_model(&v))), &["data/carton.json: [schema]"], &[]);
    s.inspect(&[]).expect(1, false, &["data/carton.json does not match the content model"]);
    s.import("hugo", true, &[]).expect(
        1,
        false,
        &["data/carton.json", "not a carton content model"],
    );

    // Files the payload does not hold, one of them outside the site.
    let mut v = model(&demo());
    let files = v["files"].as_array_mut().unwrap();
    for path in ["static/ghost.txt", "../../../escaped.txt"] {
        let mut ghost = files[0].clone();
        ghost["path"] = path.into();
        ghost["role"] = "static".into();
        files.push(ghost);
    }
    let bag = with_model(&v);
    let s = refused(
        &zip_of(&entries(&bag)),
        &[
            "data/site/static/ghost.txt: [missing-file] listed in carton.json but not in the archive",
            "data/site/../../../escaped.txt: [missing-file]",
        ],
        &[],
    );
    s.inspect(&[]).expect(0, true, &["pages 6"]);
    s.import("hugo", true, &[]).expect(1, false, &["../../../escaped.txt"]);
    // Only the missing one: its copy fails and nothing is left behind.
    let mut v = model(&demo());
    let mut ghost = v["files"][0].clone();
    ghost["path"] = "static/ghost.txt".into();
    ghost["role"] = "static".into();
    v["files"].as_array_mut().unwrap().push(ghost);
    let s = Sandbox::zip(&zip_of(&entries(&with_model(&v))));
    s.import("hugo", true, &[]).expect(1, false, &["static/ghost.txt"]);
}

#[cfg(unix)]
#[test]
fn a_bag_folder_with_links_is_not_read_through_them() {
    let s = Sandbox::empty();
    let secret = s.root.join("secret.txt");
    std::fs::write(&secret, "secret outside the bag\n").unwrap();
    let bag = s.root.join("in/bag");
    for (p, b) in demo() {
        let dest = bag.join(&p);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, b).unwrap();
    }
    let robots = bag.join("data/site/static/robots.txt");
    std::fs::remove_file(&robots).unwrap();
    std::os::unix::fs::symlink(&secret, &robots).unwrap();
    let s = Sandbox { archive: bag, ..s };
    s.verify(&[]).expect(
        3,
        true,
        &["data/site/static/robots.txt: [unsafe-entry] entry refused: symbolic link"],
    );
    s.import("hugo", false, &[]).expect(
        1,
        false,
        &["data/site/static/robots.txt", "symbolic link"],
    );
    // Even unverified, the link is not followed: the secret never reaches the output.
    let o = s.import("hugo", true, &[]);
    o.expect(1, false, &["data/site/static/robots.txt", "symbolic link"]);
}
