//! Hostile sites ("Hostile input: nothing lost, nothing written where it must not be"): links
//! out of the site and in loops, broken front matter, broken and deeply nested shortcodes and
//! Liquid tags, a 50 MB page, odd encodings and file names, unreadable files, and files that
//! vanish or change between listing and reading. Every site is generated here. Each case runs
//! `export --json`, `verify` of the result, `snapshot` and `verify --repo` in a fresh sandbox
//! whose whole tree is listed before and after: only the named output may appear. Every page
//! must be in the archive and in the store byte for byte, every problem reported with its file
//! and line. A watchdog turns a hang into a failure.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// A command still running after this has hung.
const WATCHDOG: Duration = Duration::from_secs(60);

const HUGO_CONFIG: &[u8] = b"baseURL = \"https://example.org/\"\ntitle = \"hostile\"\n";
const JEKYLL_CONFIG: &[u8] = b"title: hostile\nurl: \"https://example.org\"\n";

/// A fresh folder holding the site (`site/`), a folder beside it that must stay unread
/// (`secret/`) and the working folder (`work/`), where `-o x.zip` and `--repo store` go.
struct Sandbox {
    _dir: tempfile::TempDir,
    root: PathBuf,
    site: PathBuf,
    cwd: PathBuf,
    /// Run carton as `nobody` (through `setpriv`): root reads files whatever their mode.
    nobody: Option<PathBuf>,
}

/// What a run printed and returned.
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

/// An export: its `--json` report, its `carton.json` and its entries (path in the bag ->
/// bytes).
struct Exported {
    report: Value,
    model: Value,
    entries: BTreeMap<String, Vec<u8>>,
}

/// The secret beside the site that links try to reach.
const SECRET: &[u8] = b"carton-hostile-secret: must never be archived\n";

impl Sandbox {
    fn new(files: &[(&str, &[u8])]) -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let (site, cwd) = (root.join("site"), root.join("work"));
        for (rel, bytes) in files {
            let p = site.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        std::fs::create_dir_all(&cwd).unwrap();
        std::fs::create_dir_all(root.join("secret")).unwrap();
        std::fs::write(root.join("secret/passwd"), SECRET).unwrap();
        Sandbox { _dir: dir, root, site, cwd, nobody: None }
    }

    fn hugo(files: &[(&str, &[u8])]) -> Sandbox {
        let s = Sandbox::new(files);
        std::fs::write(s.site.join("hugo.toml"), HUGO_CONFIG).unwrap();
        s
    }

    fn jekyll(files: &[(&str, &[u8])]) -> Sandbox {
        let s = Sandbox::new(files);
        std::fs::write(s.site.join("_config.yml"), JEKYLL_CONFIG).unwrap();
        s
    }

    /// Every entry of the sandbox: path, kind, size or link target.
    fn tree(&self) -> BTreeMap<String, String> {
        sandbox_tree(&self.root)
    }

    /// Runs carton in `work/` under the watchdog. Only `allowed` (a path below `work/`) and
    /// what is below it may appear; nothing may change or vanish.
    fn run(&self, args: &[&str], allowed: &str) -> Outcome {
        let before = self.tree();
        let mut cmd = carton();
        if let Some(setpriv) = &self.nobody {
            let bin = assert_cmd::cargo::cargo_bin("carton");
            cmd = assert_cmd::Command::new(setpriv);
            cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]).arg(bin);
            cmd.env("SOURCE_DATE_EPOCH", "1700000000").env_remove("RUST_LOG").env("NO_COLOR", "1");
        }
        let output = cmd
            .current_dir(&self.cwd)
            .args(
                args.iter().map(|a| if *a == "SITE" { self.site.as_os_str() } else { a.as_ref() }),
            )
            .timeout(WATCHDOG)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        let Some(code) = output.status.code() else {
            panic!(
                "carton {args:?} did not finish within {WATCHDOG:?} (hung or crashed): {stderr}"
            );
        };
        assert!(!stderr.contains("panicked"), "carton {args:?} panicked: {stderr}");
        let after = self.tree();
        let allowed = format!("work/{allowed}");
        let changed = sandbox_changes(&before, &after, &|p| {
            p == allowed || p.starts_with(&format!("{allowed}/"))
        });
        assert!(
            changed.is_empty(),
            "carton {args:?} (exit {code}) touched the sandbox: {changed:#?}\n{stderr}"
        );
        Outcome { code, stdout: String::from_utf8_lossy(&output.stdout).into_owned(), stderr }
    }

    /// `carton --json export SITE -o x.zip [extra]`: exit 0, then `carton verify` says the
    /// archive is intact.
    fn export(&self, extra: &[&str]) -> Exported {
        let zip = self.cwd.join("x.zip");
        let _ = std::fs::remove_file(&zip);
        let mut args = vec!["--json", "export", "SITE", "-o", "x.zip"];
        args.extend(extra);
        let o = self.run(&args, "x.zip");
        assert_eq!(o.code, 0, "export {extra:?}: exit code; stderr:\n{}", o.stderr);
        let report: Value = serde_json::from_str(&o.stdout).expect("one JSON document");
        let v = self.run(&["verify", "x.zip"], "");
        assert_eq!(v.code, 0, "verify: {}{}", v.stdout, v.stderr);
        assert!(v.stdout.contains("is intact"), "verify: {}", v.stdout);
        let mut z = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap()).unwrap();
        let mut entries = BTreeMap::new();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            let name = e.name().unwrap().strip_prefix("x/").expect("one top folder").to_string();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            entries.insert(name, bytes);
        }
        let model = serde_json::from_slice(&entries["data/carton.json"]).unwrap();
        assert!(
            entries.values().all(|b| !b.windows(SECRET.len()).any(|w| w == SECRET)),
            "the secret outside the site was archived"
        );
        Exported { report, model, entries }
    }

    /// `carton snapshot SITE --repo store --id x`: exit 0, `verify --repo` valid. Returns the
    /// stored content: logical path -> bytes.
    fn snapshot(&self, extra: &[&str]) -> BTreeMap<String, Vec<u8>> {
        let store = self.cwd.join("store");
        let _ = std::fs::remove_dir_all(&store);
        let mut args = vec!["snapshot", "SITE", "--repo", "store", "--id", "x"];
        args.extend(extra);
        let o = self.run(&args, "store");
        assert_eq!(o.code, 0, "snapshot {extra:?}: exit code; stderr:\n{}", o.stderr);
        let v = self.run(&["verify", "--repo", "store"], "");
        assert_eq!(v.code, 0, "verify --repo: {}{}", v.stdout, v.stderr);
        assert!(v.stdout.starts_with("valid:"), "verify --repo: {}", v.stdout);
        // The head version's state, through the object's inventory: logical path -> bytes.
        let mut content = BTreeMap::new();
        for e in walkdir::WalkDir::new(&store).into_iter().map(Result::unwrap) {
            if e.file_name() != "inventory.json" || !e.path().parent().unwrap().join("v1").is_dir()
            {
                continue;
            }
            let object = e.path().parent().unwrap();
            let inv: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            let head = inv["head"].as_str().unwrap();
            for (digest, logicals) in inv["versions"][head]["state"].as_object().unwrap() {
                let stored = inv["manifest"][digest][0].as_str().unwrap();
                let bytes = std::fs::read(object.join(stored)).unwrap();
                for l in logicals.as_array().unwrap() {
                    content.insert(l.as_str().unwrap().to_string(), bytes.clone());
                }
            }
        }
        assert!(!content.is_empty(), "no object in the store");
        content
    }
}

impl Exported {
    /// The site file `rel` is in the archive with exactly `bytes`, listed in `files`.
    fn stored(&self, rel: &str, bytes: &[u8]) -> &Self {
        let got = self.entries.get(&format!("data/site/{rel}"));
        assert!(got.is_some(), "{rel:?} is not in the archive");
        assert!(got.unwrap() == bytes, "{rel:?} is not stored byte for byte");
        assert!(
            self.model["files"].as_array().unwrap().iter().any(|f| f["path"] == rel),
            "{rel:?} is not listed in carton.json files"
        );
        self
    }

    /// `rel` is a page of the model (not dropped).
    fn page(&self, rel: &str) -> &Value {
        let pages = self.model["pages"].as_array().unwrap();
        pages.iter().find(|p| p["path"] == rel).unwrap_or_else(|| panic!("{rel:?} is no page"))
    }

    /// The problems `code` at `path` in `carton.json`.
    fn problems(&self, path: &str, code: &str) -> Vec<&Value> {
        let problems = self.model["problems"].as_array().unwrap();
        problems.iter().filter(|p| p["path"] == path && p["code"] == code).collect()
    }

    /// `rel` is not in the archive.
    fn absent(&self, rel: &str) -> &Self {
        assert!(!self.entries.contains_key(&format!("data/site/{rel}")), "{rel:?} was archived");
        self
    }

    /// A problem `code` at `path`:`line` (any line when `None`) with a message containing
    /// `says`, in both the `--json` report and `carton.json`.
    fn problem(&self, path: &str, code: &str, line: Option<u64>, says: &str) -> &Self {
        for (what, doc) in [("--json report", &self.report), ("carton.json", &self.model)] {
            let problems = doc["problems"].as_array().unwrap();
            let found = problems.iter().any(|p| {
                p["path"] == path
                    && p["code"] == code
                    && line.is_none_or(|l| p["line"] == l)
                    && p["message"].as_str().unwrap().contains(says)
            });
            let here: Vec<&Value> = problems.iter().filter(|p| p["path"] == path).collect();
            assert!(
                found,
                "{what}: no `{code}` problem at {path}:{line:?} saying `{says}`; at {path}: {here:#?}"
            );
        }
        self
    }
}

fn symlink(target: &str, link: &Path) {
    #[cfg(unix)]
    std::os::unix::fs::symlink(target, link).unwrap();
    #[cfg(not(unix))]
    let _ = (target, link);
}

/// Makes a named pipe with the system's `mkfifo`, or `None` with a visible message.
fn mkfifo(path: &Path) -> Option<()> {
    let tool = tool("mkfifo")?;
    let ok = std::process::Command::new(tool).arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {}", path.display());
    Some(())
}

#[cfg(unix)]
#[test]
fn links_out_of_the_site_are_not_followed_and_loops_do_not_hang() {
    let page = b"---\ntitle: inside\n---\nbody\n".as_slice();
    let s = Sandbox::hugo(&[("content/inside.md", page)]);
    let c = s.site.join("content");
    symlink("../../secret/passwd", &c.join("out.md"));
    symlink(&s.root.join("secret").to_string_lossy(), &c.join("out-dir"));
    symlink("loop-b.md", &c.join("loop-a.md"));
    symlink("loop-a.md", &c.join("loop-b.md"));
    symlink("self.md", &c.join("self.md"));
    // A folder loop: followed, it would list the site forever.
    symlink("..", &c.join("up"));
    symlink("inside.md", &c.join("alias.md"));
    let loop_says = "broken symbolic link";
    for follow in [false, true] {
        let extra: &[&str] = if follow { &["--follow-links"] } else { &[] };
        let e = s.export(extra);
        e.stored("content/inside.md", page)
            .problem("content/out.md", "skipped", None, "outside the site")
            .problem("content/out-dir", "skipped", None, "outside the site")
            .problem("content/loop-a.md", "skipped", None, loop_says)
            .problem("content/loop-b.md", "skipped", None, loop_says)
            .problem("content/self.md", "skipped", None, loop_says)
            .absent("content/out.md")
            .absent("content/up/inside.md");
        if follow {
            e.problem("content/up", "skipped", None, "link to a folder: not followed");
            e.stored("content/alias.md", page);
        } else {
            e.problem("content/alias.md", "skipped", None, "not followed")
                .absent("content/alias.md");
        }
        let stored = s.snapshot(extra);
        assert_eq!(stored.get("content/inside.md").map(Vec::as_slice), Some(page));
        assert!(stored.values().all(|b| b != SECRET), "the secret was stored");
        assert!(!stored.contains_key("content/up/inside.md"));
    }
}

#[test]
fn broken_front_matter_is_carried_raw_with_its_line() {
    let bomb = {
        let mut y =
            String::from("---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (i, c) in ('b'..='j').enumerate() {
            let prev = (b'a' + i as u8) as char;
            y += &format!("{c}: &{c} [{}]\n", vec![format!("*{prev}"); 9].join(","));
        }
        y + "---\nbody\n"
    };
    // (page, bytes, line of the problem, what the message says)
    let cases: &[(&str, &[u8], u64, &str)] = &[
        ("content/unclosed.md", b"---\ntitle: x\nbody\n", 1, "never closed"),
        ("content/unclosed-toml.md", b"+++\ntitle = \"x\"\n", 1, "never closed"),
        ("content/bad-yaml.md", b"---\ntitle: ok\ntags: [open\n---\nbody\n", 4, "YAML"),
        ("content/bad-toml.md", b"+++\ntitle = \"a\"\ndate = \n+++\nbody\n", 3, "TOML"),
        ("content/bad-json.md", b"{\n  \"title\": \"a\",\n  \"x\": ,\n}\nbody\n", 3, "JSON"),
        ("content/bomb.md", bomb.as_bytes(), 2, "YAML"),
        ("content/dup-yaml.md", b"---\ntitle: a\ntitle: b\n---\nbody\n", 3, "duplicate"),
        ("content/dup-toml.md", b"+++\ntitle = \"a\"\ntitle = \"b\"\n+++\nbody\n", 3, "TOML"),
        // serde_json alone keeps the last of two equal keys.
        (
            "content/dup-json.md",
            b"{\n  \"title\": \"a\",\n  \"p\": {\"k\": 1},\n  \"title\": \"b\"\n}\nbody\n",
            4,
            "duplicate entry with key \"title\"",
        ),
        ("content/dup-json-nested.md", b"{\"p\": {\"k\": 1,\n\"k\": 2}}\nbody\n", 2, "duplicate"),
        ("content/not-a-map.md", b"---\n- a\n- b\n---\nbody\n", 2, "mapping"),
    ];
    let files: Vec<(&str, &[u8])> = cases.iter().map(|(p, b, _, _)| (*p, *b)).collect();
    let s = Sandbox::hugo(&files);
    let e = s.export(&[]);
    for (path, bytes, line, says) in cases {
        e.stored(path, bytes).problem(path, "front-matter", Some(*line), says);
        e.page(path);
    }
    // As for YAML: the page is carried raw, its fields not parsed.
    for path in ["content/dup-json.md", "content/dup-yaml.md"] {
        assert_eq!(e.page(path)["front_matter"]["fields"], Value::Null, "{path}");
    }
    assert_eq!(e.model["summary"]["raw_pages"], cases.len(), "every broken page is counted raw");
    let stored = s.snapshot(&[]);
    for (path, bytes, _, _) in cases {
        assert_eq!(stored.get(*path).map(Vec::as_slice), Some(*bytes), "{path} in the store");
    }
}

#[test]
fn broken_and_deeply_nested_shortcodes_are_reported_in_place() {
    let deep = format!(
        "---\ntitle: deep\n---\n{}mid{}\n",
        "{{< x >}}".repeat(10_000),
        "{{< /x >}}".repeat(10_000)
    );
    let deep_md =
        format!("text\n{}{}", "{{% y %}}\n".repeat(10_000), "{{% /y %}}\n".repeat(10_000));
    let cases: &[(&str, &[u8], u64, &str)] = &[
        ("content/unterminated.md", b"a\nb {{< foo \nc\n", 2, "unterminated"),
        ("content/mismatched.md", b"a\n\nx {{< a >}} y {{< /b >}}\n", 3, "no opening"),
        ("content/unclosed-comment.md", b"a {{</* foo */>}}\n{{< bar \n", 2, "unterminated"),
        ("content/deep.md", deep.as_bytes(), 4, "nested more than"),
        ("content/deep-md.md", deep_md.as_bytes(), 258, "nested more than"),
    ];
    let files: Vec<(&str, &[u8])> = cases.iter().map(|(p, b, _, _)| (*p, *b)).collect();
    let s = Sandbox::hugo(&files);
    let e = s.export(&[]);
    for (path, bytes, line, says) in cases {
        e.stored(path, bytes).problem(path, "shortcode-syntax", Some(*line), says);
        e.page(path);
    }
    // One problem stands for a whole too-deep nest: the closing tags of the shortcodes past
    // the limit are not reported as strays.
    for path in ["content/deep.md", "content/deep-md.md"] {
        let found = e.problems(path, "shortcode-syntax");
        assert_eq!(found.len(), 1, "{path}: {:#?}", &found[..3.min(found.len())]);
    }
    let stored = s.snapshot(&[]);
    assert_eq!(stored.get("content/deep.md").map(Vec::as_slice), Some(deep.as_bytes()));
}

#[test]
fn broken_front_matter_and_liquid_in_jekyll() {
    let deep = format!(
        "---\ntitle: deep\n---\n{}mid{}\n",
        "{% if a %}".repeat(10_000),
        "{% endif %}".repeat(10_000)
    );
    let cases: &[(&str, &[u8], &str, u64, &str)] = &[
        (
            "_posts/2020-01-01-unclosed.md",
            b"---\ntitle: a\nbody\n",
            "front-matter",
            1,
            "never closed",
        ),
        (
            "_posts/2020-01-02-dup.md",
            b"---\ntitle: a\ntitle: b\n---\nx\n",
            "front-matter",
            3,
            "duplicate",
        ),
        (
            "_posts/2020-01-03-if.md",
            b"---\ntitle: a\n---\n{% if x %}\nopen\n",
            "liquid-syntax",
            4,
            "no `{% endif %}`",
        ),
        (
            "_posts/2020-01-04-for.md",
            b"---\ntitle: a\n---\n{% for x in y %}\n{% endif %}\n",
            "liquid-syntax",
            5,
            "no opening",
        ),
        (
            "_posts/2020-01-05-output.md",
            b"---\ntitle: a\n---\n\n{{ open\n",
            "liquid-syntax",
            5,
            "unterminated",
        ),
        (
            "_posts/2020-01-06-tag.md",
            b"---\ntitle: a\n---\n{% include x.html\n",
            "liquid-syntax",
            4,
            "",
        ),
    ];
    let deep_unclosed = format!("---\ntitle: deep\n---\n{}", "{% if x %}\n".repeat(10_000));
    let mut files: Vec<(&str, &[u8])> = cases.iter().map(|(p, b, ..)| (*p, *b)).collect();
    files.push(("_posts/2020-01-07-deep.md", deep.as_bytes()));
    files.push(("_posts/2020-01-08-deep-unclosed.md", deep_unclosed.as_bytes()));
    let s = Sandbox::jekyll(&files);
    let e = s.export(&[]);
    for (path, bytes, code, line, says) in cases {
        e.stored(path, bytes).problem(path, code, Some(*line), says);
        e.page(path);
    }
    // 10,000 nested `{% if %}`, balanced or not: carried, the run completes, and one problem
    // at the 101st, where Liquid stops with "Nesting too deep".
    for (path, bytes, line) in [
        ("_posts/2020-01-07-deep.md", &deep, 4),
        ("_posts/2020-01-08-deep-unclosed.md", &deep_unclosed, 104),
    ] {
        e.stored(path, bytes.as_bytes()).page(path);
        e.problem(path, "liquid-syntax", Some(line), "nested more than 100 deep");
        e.problem(path, "liquid-syntax", Some(line), "not parsed further");
        let found = e.problems(path, "liquid-syntax");
        assert_eq!(found.len(), 1, "{path}: {:#?}", &found[..3.min(found.len())]);
    }
    let stored = s.snapshot(&[]);
    assert_eq!(stored.get("_posts/2020-01-07-deep.md").map(Vec::as_slice), Some(deep.as_bytes()));
}

/// Hugo's lexer takes any leading `{` for JSON front matter, so a page that opens with a
/// shortcode does not build there; carton carries it raw, with its shortcodes and links.
#[test]
fn a_page_starting_with_a_shortcode_is_carried_raw_with_its_shortcodes() {
    let notice = b"{{% notice %}}\nSee [the guide](/guide.pdf).\n{{% /notice %}}\n".as_slice();
    let video = b"\n{{< youtube dQw4w9WgXcQ >}}\n".as_slice();
    let s = Sandbox::hugo(&[
        ("content/notice.md", notice),
        ("content/video.md", video),
        ("static/guide.pdf", b"%PDF-1.4\n"),
    ]);
    let e = s.export(&[]);
    for (path, bytes, line) in [("content/notice.md", notice, 1), ("content/video.md", video, 2)] {
        e.stored(path, bytes).problem(
            path,
            "front-matter",
            Some(line),
            "starts with the shortcode",
        );
        let page = e.page(path);
        assert_eq!(page["front_matter"], Value::Null, "{path}: no front matter");
        assert_eq!(page["body"]["start"], 0, "{path}: the body is the whole file");
    }
    let notice = e.page("content/notice.md");
    assert_eq!(notice["shortcodes"][0]["name"], "notice");
    assert_ne!(notice["shortcodes"][0]["close"], Value::Null, "paired");
    let refs = notice["references"].as_array().unwrap();
    assert!(
        refs.iter().any(|r| r["raw"] == "/guide.pdf" && r["target"]["path"] == "static/guide.pdf")
    );
    let video = e.page("content/video.md");
    assert_eq!(video["shortcodes"][0]["name"], "youtube");
    assert_eq!(video["references"][0]["target"]["type"], "video", "{:#}", video["references"]);
    assert_eq!(e.model["summary"]["raw_pages"], 2);
}

/// 10,000 broken tags in one page: the first 100 problems of that code are listed, then one
/// counts the rest, at the line of the 101st.
#[test]
fn problems_of_one_kind_are_capped_per_page() {
    let raws = format!("---\ntitle: raw\n---\n{}", "{% raw %}\n".repeat(10_000));
    let few = format!("---\ntitle: few\n---\n{}", "{% raw %}\n".repeat(100));
    let s = Sandbox::jekyll(&[
        ("_posts/2020-01-01-raws.md", raws.as_bytes()),
        ("_posts/2020-01-02-few.md", few.as_bytes()),
    ]);
    let e = s.export(&[]);
    let path = "_posts/2020-01-01-raws.md";
    e.stored(path, raws.as_bytes()).page(path);
    let found = e.problems(path, "liquid-syntax");
    assert_eq!(found.len(), 101);
    e.problem(path, "liquid-syntax", Some(103), "no `{% endraw %}`");
    e.problem(
        path,
        "liquid-syntax",
        Some(104),
        "… and 9900 more `liquid-syntax` problems in this file, not listed",
    );
    assert_eq!(
        e.report["problems"].as_array().unwrap().len(),
        e.model["problems"].as_array().unwrap().len()
    );
    assert_eq!(e.problems("_posts/2020-01-02-few.md", "liquid-syntax").len(), 100);
}

/// A page of 150,000 links: the first 100,000 are read, one problem says where reading
/// stopped, the page is stored whole (each reference costs memory in the model, its report
/// and carton.json; a 50 MB page holds millions).
#[test]
fn a_page_with_too_many_links_is_read_up_to_the_limit() {
    let links = format!("---\ntitle: links\n---\n{}", "[a](b.pdf)\n".repeat(150_000));
    let s = Sandbox::hugo(&[("content/links.md", links.as_bytes())]);
    let e = s.export(&[]);
    let path = "content/links.md";
    e.stored(path, links.as_bytes());
    assert_eq!(e.page(path)["references"].as_array().unwrap().len(), 100_000);
    // The 100,001st link is on line 4 + 100,000.
    e.problem(path, "too-many-references", Some(100_004), "more than 100000 references");
    e.problem(path, "missing-file", Some(104), "… and 99900 more `missing-file` problems");
    assert_eq!(e.problems(path, "missing-file").len(), 101);
}

#[test]
fn a_50_mb_page_is_stored_whole() {
    // Numbered paragraphs with varied words: text that deflates as text does (a few times),
    // not the thousandfold of one repeated line.
    use std::io::Write;
    let mut big = b"---\ntitle: big\n---\n".to_vec();
    let mut x: u64 = 1;
    while big.len() < 50 << 20 {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        writeln!(big, "Paragraph {x:x} with *some* words, {}.\n", x >> 52).unwrap();
    }
    let s = Sandbox::hugo(&[("content/big.md", &big)]);
    let e = s.export(&[]);
    e.stored("content/big.md", &big);
    assert_eq!(e.page("content/big.md")["title"], "big");
}

/// One line repeated for 20 MB deflates about 160 times: far more than text, far less than
/// a zip bomb. The archive carton writes must pass its own verification (it once did not).
#[test]
fn a_page_of_one_repeated_line_is_stored_and_verifies() {
    let mut big = b"---\ntitle: same\n---\n".to_vec();
    let line = b"The same line, again and again, as a generator might write it.\n";
    while big.len() < 20 << 20 {
        big.extend_from_slice(line);
    }
    let s = Sandbox::hugo(&[("content/same.md", &big)]);
    let e = s.export(&[]);
    e.stored("content/same.md", &big);
}

#[test]
fn encodings_and_line_endings_are_kept() {
    let cases: &[(&str, &[u8])] = &[
        ("content/latin1.md", b"---\ntitle: caf\xe9\n---\nna\xefve \xff\xfe\n"),
        ("content/bom.md", b"\xef\xbb\xbf---\ntitle: bom\n---\nbody\n"),
        ("content/crlf.md", b"---\r\ntitle: crlf\r\n---\r\nbody\r\n"),
        ("content/bom-crlf.md", b"\xef\xbb\xbf+++\r\ntitle = \"bom-crlf\"\r\n+++\r\nbody\r\n"),
        ("content/mixed.md", b"---\ntitle: mixed\r\n---\nbody\r\nmore\n"),
        ("content/nul.md", b"---\ntitle: nul\n---\nbo\0dy\n"),
    ];
    let s = Sandbox::hugo(cases);
    let e = s.export(&[]);
    for (path, bytes) in cases {
        e.stored(path, bytes);
    }
    e.problem("content/latin1.md", "not-utf8", None, "not valid UTF-8");
    assert_eq!(e.page("content/latin1.md")["text"]["utf8"], false);
    for (path, title, bom, endings) in [
        ("content/bom.md", "bom", true, "lf"),
        ("content/crlf.md", "crlf", false, "crlf"),
        ("content/bom-crlf.md", "bom-crlf", true, "crlf"),
        ("content/mixed.md", "mixed", false, "mixed"),
    ] {
        let p = e.page(path);
        assert_eq!(p["title"], title, "{path}: front matter parsed");
        assert_eq!((&p["text"]["bom"], &p["text"]["line_endings"]), (&bom.into(), &endings.into()));
    }
    let stored = s.snapshot(&[]);
    for (path, bytes) in cases {
        assert_eq!(stored.get(*path).map(Vec::as_slice), Some(*bytes), "{path} in the store");
    }
}

#[test]
fn odd_file_names_are_kept() {
    let names = [
        "content/with space.md",
        "content/accent-\u{e9}t\u{e9}.md",
        "content/decomposed-e\u{301}.md",
        "content/quote\"s 'and' `ticks`.md",
        "content/new\nline.md",
        "content/carriage\rreturn.md",
        "content/per%25cent #hash ?.md",
        "content/-leading-dash.md",
        "content/\u{202e}dm.evil.md",
        "static/with space/file name.txt",
    ];
    let refused =
        ["content/tab\t.md", "content/esc\x1b[2J.md", "content/back\\slash.md", "C:drive.md"];
    let files: Vec<(&str, Vec<u8>)> =
        names.iter().map(|n| (*n, format!("---\ntitle: t\n---\n{n:?}\n").into_bytes())).collect();
    let mut refs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    refs.extend(refused.iter().map(|n| (*n, b"refused".as_slice())));
    let s = Sandbox::hugo(&refs);
    let e = s.export(&[]);
    for (name, bytes) in &files {
        e.stored(name, bytes);
    }
    // Names `carton verify` refuses would make an archive that fails its own check: left
    // out and reported, as names that are not UTF-8 are.
    for name in refused {
        e.absent(name).problem(name, "skipped", None, "the file name cannot be stored");
    }
    let manifest = String::from_utf8(e.entries["manifest-sha256.txt"].clone()).unwrap();
    assert!(manifest.contains("new%0Aline.md") && manifest.contains("carriage%0Dreturn.md"));
    assert!(manifest.contains("per%2525cent"));
    let stored = s.snapshot(&[]);
    for (name, bytes) in &files {
        assert_eq!(stored.get(*name), Some(bytes), "{name:?} in the store");
    }
    assert!(refused.iter().all(|n| !stored.contains_key(*n)));
}

/// Whether this process can read a file whose permissions forbid it (root can).
#[cfg(unix)]
fn permissions_bind() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("probe");
    std::fs::write(&p, "x").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::read(&p).is_err()
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_reported_and_the_rest_stored() {
    use std::os::unix::fs::PermissionsExt;
    let page = b"---\ntitle: ok\n---\nbody\n".as_slice();
    let mut s = Sandbox::hugo(&[
        ("content/ok.md", page),
        ("content/locked.md", b"---\ntitle: locked\n---\n"),
        ("static/locked.txt", b"locked static"),
        ("content/folder.md/index.txt", b"a folder named like a page"),
    ]);
    let locked = ["content/locked.md", "static/locked.txt"];
    for rel in locked {
        std::fs::set_permissions(s.site.join(rel), std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    let fifo = mkfifo(&s.site.join("content/pipe.md")).is_some();
    if fifo {
        // Followed (--follow-links), a link to a pipe must not be read: that would wait
        // forever for a writer.
        symlink("pipe.md", &s.site.join("content/to-pipe.md"));
        mkfifo(&s.site.join("static/pipe.txt"));
        symlink("pipe.txt", &s.site.join("static/to-pipe.txt"));
    }
    let mut binds = permissions_bind();
    if !binds {
        // Root reads whatever the mode: run carton as `nobody`, who can enter the sandbox
        // and write only in work/.
        if let Some(setpriv) = tool("setpriv") {
            use std::fs::{Permissions, set_permissions};
            set_permissions(&s.root, Permissions::from_mode(0o755)).unwrap();
            set_permissions(&s.cwd, Permissions::from_mode(0o777)).unwrap();
            s.nobody = Some(setpriv);
            binds = true;
        } else {
            eprintln!(
                "NOT TESTED: chmod 000 does not stop this process (root) from reading and \
                 setpriv is missing: the locked files are read and must be stored; run the \
                 tests as another user, or install setpriv, to test unreadable files"
            );
        }
    }
    for extra in [&[][..], &["--follow-links"][..]] {
        let e = s.export(extra);
        e.stored("content/ok.md", page)
            .stored("content/folder.md/index.txt", b"a folder named like a page");
        for rel in locked {
            if binds {
                e.problem(rel, "unreadable", None, "").absent(rel);
            } else {
                e.stored(rel, &std::fs::read(s.site.join(rel)).unwrap());
            }
        }
        if fifo {
            e.problem("content/pipe.md", "skipped", None, "not a regular file")
                .absent("content/pipe.md")
                .absent("content/to-pipe.md")
                .absent("static/to-pipe.txt");
            if extra.is_empty() {
                e.problem("content/to-pipe.md", "skipped", None, "not followed");
            } else {
                e.problem("content/to-pipe.md", "skipped", None, "not a regular file");
                e.problem("static/to-pipe.txt", "skipped", None, "not a regular file");
            }
        }
        if binds {
            // A snapshot cannot hold a file it cannot read: it refuses, naming the file,
            // and the store is left as it was.
            let store = s.cwd.join("store");
            let _ = std::fs::remove_dir_all(&store);
            let mut args = vec!["snapshot", "SITE", "--repo", "store", "--id", "x"];
            args.extend(extra);
            let o = s.run(&args, "store");
            assert_eq!(o.code, 1, "{}", o.stderr);
            assert!(o.stderr.contains("locked"), "{}", o.stderr);
        } else {
            let stored = s.snapshot(extra);
            assert_eq!(stored.get("content/ok.md").map(Vec::as_slice), Some(page));
            assert!(!stored.contains_key("content/pipe.md"));
        }
    }
    for rel in locked {
        std::fs::set_permissions(s.site.join(rel), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// Files listed by the reader that vanish or change before the writer reads them: the
/// archive holds and checksums what it read, and says what happened. Driven through the
/// library, which is the only way to act between listing and reading deterministically.
#[test]
fn files_that_vanish_or_change_after_listing_are_reported_and_checksummed_as_stored() {
    let page = b"---\ntitle: p\n---\nbody\n".as_slice();
    let big: Vec<u8> = (0..6u32 << 20).map(|i| (i % 251) as u8).collect();
    let s = Sandbox::hugo(&[
        ("content/page.md", page),
        ("static/gone.txt", b"gone"),
        ("static/big-gone.bin", &big),
        ("static/grows.txt", b"short"),
        ("static/shrinks.bin", &big),
        ("static/becomes-dir.txt", b"file"),
    ]);
    let read = carton::source::read_site(&s.site, &Default::default()).unwrap();
    // The page was read and parsed: what is stored is what was parsed.
    std::fs::write(s.site.join("content/page.md"), "changed").unwrap();
    std::fs::remove_file(s.site.join("static/gone.txt")).unwrap();
    std::fs::remove_file(s.site.join("static/big-gone.bin")).unwrap();
    std::fs::write(s.site.join("static/grows.txt"), "much longer than it was").unwrap();
    std::fs::write(s.site.join("static/shrinks.bin"), &big[..1000]).unwrap();
    std::fs::remove_file(s.site.join("static/becomes-dir.txt")).unwrap();
    std::fs::create_dir(s.site.join("static/becomes-dir.txt")).unwrap();
    let out = s.cwd.join("x.zip");
    let opts = carton::archive::WriteOptions {
        format: carton::archive::Format::Zip,
        force: false,
        source_date_epoch: Some(1_700_000_000),
    };
    let (model, _) =
        carton::archive::write(read, &s.site, &out, &opts, &|_| {}, &AtomicBool::new(false))
            .expect("the archive is written");
    let report = verify(&out);
    assert!(report.valid, "{:#?}", report.findings);
    let has =
        |path: &str, code: &str| model.problems.iter().any(|p| p.path == path && p.code == code);
    for gone in ["static/gone.txt", "static/big-gone.bin", "static/becomes-dir.txt"] {
        assert!(has(gone, "unreadable"), "{gone}: {:#?}", model.problems);
        assert!(model.files.iter().all(|f| f.path != gone));
    }
    for changed in ["static/grows.txt", "static/shrinks.bin"] {
        assert!(has(changed, "changed-while-reading"), "{changed}: {:#?}", model.problems);
    }
    let dir = tempfile::tempdir().unwrap();
    unzip(&out, dir.path());
    let bag = dir.path().join("x/data/site");
    assert_eq!(std::fs::read(bag.join("content/page.md")).unwrap(), page);
    assert_eq!(std::fs::read(bag.join("static/grows.txt")).unwrap(), b"much longer than it was");
    assert_eq!(std::fs::read(bag.join("static/shrinks.bin")).unwrap(), &big[..1000]);
    assert!(!bag.join("static/gone.txt").exists());
}
