//! `carton import --to zola` on the real corpus. No Zola binary can be installed here, so
//! these tests hold the output to Zola 0.22's rules as its documentation and source state
//! them (../shared/reference/FORMATS.md, section 1.3 and 2.3): front matter keys and types,
//! the file layout, shortcode syntax and templates. They also publish the site the way Zola
//! lays it out (static files, page paths, colocated assets, aliases, taxonomy pages) and
//! check every old URL and every PDF link against that.

use crate::common::*;
use crate::corpus::eig;
use crate::import::{check_decap, import, link_target, page_file};
use carton::mapping::{Format, Mapping};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Keys Zola 0.22 reads in a page (`PageFrontMatter`).
const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "render",
    "slug",
    "path",
    "aliases",
    "authors",
    "in_search_index",
    "template",
    "taxonomies",
    "extra",
];

/// Keys Zola 0.22 accepts in a section (`SectionFrontMatter`, deny_unknown_fields).
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "draft",
    "sort_by",
    "weight",
    "template",
    "page_template",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "insert_anchor_links",
    "in_search_index",
    "render",
    "redirect_to",
    "transparent",
    "aliases",
    "generate_feeds",
    "extra",
];

/// A content file: its front matter and body.
struct Doc {
    fm: toml::Table,
    body: String,
}

/// Splits and parses a `+++` TOML front matter, as Zola requires one in every `.md`.
fn read_doc(path: &Path) -> Doc {
    let text = std::fs::read_to_string(path).unwrap();
    let rest = text.strip_prefix("+++\n").unwrap_or_else(|| panic!("{path:?}: no +++ fence"));
    let end = rest.find("\n+++\n").unwrap_or_else(|| panic!("{path:?}: unclosed front matter"));
    let fm: toml::Table =
        rest[..=end].parse().unwrap_or_else(|e| panic!("{path:?}: front matter is not TOML: {e}"));
    Doc { fm, body: rest[end + 5..].to_string() }
}

fn strings(v: &toml::Value) -> Option<Vec<&str>> {
    v.as_array()?.iter().map(toml::Value::as_str).collect()
}

/// Every content file of a Zola site, read and checked against Zola's rules.
fn read_content(
    out: &Path,
    files: &[String],
    taxonomies: &BTreeSet<String>,
) -> BTreeMap<String, Doc> {
    let mut docs = BTreeMap::new();
    for f in files.iter().filter(|f| f.starts_with("content/") && f.ends_with(".md")) {
        let doc = read_doc(&out.join(f));
        check_front_matter(f, &doc.fm, f.ends_with("/_index.md"), taxonomies);
        docs.insert(f.clone(), doc);
    }
    docs
}

/// The written config.toml, and the taxonomies it declares.
fn zola_config(out: &Path) -> (toml::Table, BTreeSet<String>) {
    let config: toml::Table =
        std::fs::read_to_string(out.join("config.toml")).unwrap().parse().unwrap();
    let taxonomies = config["taxonomies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    (config, taxonomies)
}

/// Checks one front matter against Zola's keys and types.
fn check_front_matter(path: &str, fm: &toml::Table, section: bool, taxonomies: &BTreeSet<String>) {
    let keys = if section { SECTION_KEYS } else { PAGE_KEYS };
    for (k, v) in fm {
        assert!(keys.contains(&k.as_str()), "{path}: `{k}` is not a Zola key here");
        match k.as_str() {
            "title" | "description" | "sort_by" => assert!(v.is_str(), "{path}: {k} = {v}"),
            "path" => {
                let p = v.as_str().unwrap();
                assert!(!p.is_empty() && !p.starts_with('/'), "{path}: path {p:?}");
            }
            "date" | "updated" => assert!(v.is_datetime(), "{path}: {k} = {v} is not a datetime"),
            "weight" => assert!(v.as_integer().is_some_and(|w| w >= 0), "{path}: weight {v}"),
            "draft" | "render" | "transparent" => assert!(v.is_bool(), "{path}: {k} = {v}"),
            "aliases" | "authors" => assert!(strings(v).is_some(), "{path}: {k} = {v}"),
            "taxonomies" => {
                for (name, terms) in v.as_table().unwrap() {
                    assert!(taxonomies.contains(name), "{path}: taxonomy {name} not declared");
                    let terms = strings(terms).unwrap_or_else(|| panic!("{path}: {name}"));
                    assert!(terms.iter().all(|t| !t.trim().is_empty()), "{path}: empty term");
                }
            }
            "extra" => assert!(v.is_table(), "{path}: extra is not a table"),
            _ => {}
        }
    }
    if let Some(order) = fm.get("sort_by").and_then(toml::Value::as_str) {
        let ok = ["date", "update_date", "title", "title_bytes", "weight", "slug", "none"];
        assert!(ok.contains(&order), "{path}: sort_by {order}");
    }
}

/// The files `zola build` would write: static files at the root, each rendered page at its
/// path with its colocated assets, sections at their folder, aliases, taxonomy pages.
fn publish(
    site: &Path,
    docs: &BTreeMap<String, Doc>,
    taxonomies: &BTreeSet<String>,
) -> BTreeSet<String> {
    let all = list_files(site);
    let mut out: BTreeSet<String> = BTreeSet::new();
    for f in all.iter().filter_map(|f| f.strip_prefix("static/")) {
        out.insert(f.to_string());
    }
    let mut terms: BTreeSet<String> = BTreeSet::new();
    for (path, doc) in docs {
        let rendered = doc.fm.get("render").and_then(toml::Value::as_bool) != Some(false);
        let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
        let section = path.ends_with("/_index.md");
        let url = if section {
            format!("{}/", dir.strip_prefix("content").unwrap_or(""))
        } else {
            format!("/{}/", doc.fm["path"].as_str().unwrap())
        };
        if rendered {
            out.insert(page_file(&url));
            // Zola copies a leaf page's whole folder, a section's own files.
            let colocated = section || path.ends_with("/index.md");
            for f in all.iter().filter(|f| colocated && !f.ends_with(".md")) {
                if let Some(rel) = f.strip_prefix(&format!("{dir}/"))
                    && (!section || !rel.contains('/'))
                {
                    out.insert(format!("{}{rel}", url.trim_start_matches('/')));
                }
            }
        }
        for a in doc.fm.get("aliases").and_then(strings).unwrap_or_default() {
            out.insert(if a.ends_with(".html") {
                a.trim_start_matches('/').to_string()
            } else {
                page_file(a)
            });
        }
        if let Some(t) = doc.fm.get("taxonomies").and_then(toml::Value::as_table) {
            for (name, list) in t {
                for term in strings(list).unwrap() {
                    terms.insert(format!(
                        "{}/{}/index.html",
                        slug::slugify(name),
                        slug::slugify(term)
                    ));
                }
            }
        }
    }
    for t in taxonomies {
        out.insert(format!("{}/index.html", slug::slugify(t)));
    }
    out.extend(terms);
    out
}

#[test]
fn zola_import_follows_zolas_rules_and_keeps_every_url_video_and_pdf_link() {
    let Some(e) = eig() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eig-zola");
    let plan = import(&e.zip, &out, Format::Zola, Mapping::shipped(Format::Hugo, Format::Zola));
    let r = &plan.report;
    assert_eq!(r.files.len(), e.model.files.len(), "every source file has one outcome");
    assert_eq!(r.counts().values().sum::<usize>(), 1301);

    let (config, taxonomies) = zola_config(&out);
    assert!(config["base_url"].is_str());
    assert_eq!(
        taxonomies,
        ["categories", "expertises", "promos", "themes"].map(String::from).into()
    );

    let files = list_files(&out);
    let docs = read_content(&out, &files, &taxonomies);
    // Layout: a section index in every folder of pages, never `index.md` beside `_index.md`.
    let dirs: BTreeSet<&str> = docs.keys().map(|p| p.rsplit_once('/').unwrap().0).collect();
    for d in &dirs {
        let has_section = docs.contains_key(&format!("{d}/_index.md"));
        let has_leaf = docs.contains_key(&format!("{d}/index.md"));
        assert!(!(has_section && has_leaf), "{d}: index.md beside _index.md");
        if !has_leaf {
            assert!(has_section, "{d}: pages without a section index");
        }
    }
    assert_eq!(
        docs.keys()
            .filter(|p| p.starts_with("content/defis/") && !p.ends_with("_index.md"))
            .count(),
        104
    );
    // A date-sorted section leaves undated pages out: every page there has a date.
    for (p, doc) in docs.iter().filter(|(p, _)| p.ends_with("/_index.md")) {
        if doc.fm.get("sort_by").and_then(toml::Value::as_str) == Some("date") {
            let d = p.trim_end_matches("_index.md");
            for (q, page) in
                docs.iter().filter(|(q, _)| q.starts_with(d) && !q.ends_with("_index.md"))
            {
                assert!(page.fm.contains_key("date"), "{q} has no date in date-sorted {p}");
            }
        }
    }

    // Shortcodes: Zola calls only, each with a template; nothing of Hugo's left but the
    // one call the mapping refuses (reported at its line).
    let call = regex::Regex::new(r"\{\{\s*([A-Za-z0-9_-]+)\((.*?)\)\s*\}\}").unwrap();
    let arg = regex::Regex::new(
        r#"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*("[^"]*"|'[^']*'|true|false|-?[0-9.]+)\s*$"#,
    )
    .unwrap();
    let mut dailymotion = 0;
    let mut hugo_left = Vec::new();
    for (p, doc) in &docs {
        for c in call.captures_iter(&doc.body) {
            let name = &c[1];
            assert!(!name.contains('-'), "{p}: Zola cannot call {name}");
            assert!(
                files.contains(&format!("templates/shortcodes/{name}.html")),
                "{p}: no template for {name}"
            );
            let args = split_args(&c[2]);
            assert!(args.iter().all(|a| arg.is_match(a)), "{p}: arguments of {}", &c[0]);
            dailymotion += usize::from(name == "dailymotion");
        }
        if doc.body.contains("{{<") || doc.body.contains("{{%") {
            hugo_left.push(p.as_str());
        }
    }
    assert_eq!(dailymotion, 72, "72 valid Dailymotion shortcodes became Zola calls");
    assert_eq!(hugo_left, vec!["content/defis/label.md"]);
    assert_eq!(r.not_converted.len(), 1);
    assert_eq!(
        (r.not_converted[0].path.as_str(), r.not_converted[0].line),
        ("content/defis/label.md", 17)
    );

    // Editors keep their CMS: TOML front matter, fields where the pages have them.
    let decap = check_decap(&out, "static/admin/config.yml");
    let defis = &decap["collections"][0];
    assert_eq!(defis["format"].as_str(), Some("toml-frontmatter"));
    let top: Vec<&str> =
        defis["fields"].as_sequence().unwrap().iter().filter_map(|f| f["name"].as_str()).collect();
    assert!(top.iter().all(|f| PAGE_KEYS.contains(f) || *f == "body"), "{top:?}");

    // Every template parses as Tera (Zola's template engine).
    let mut tera = tera::Tera::default();
    let templates: Vec<(String, String)> = files
        .iter()
        .filter(|f| f.starts_with("templates/"))
        .map(|f| {
            (f["templates/".len()..].to_string(), std::fs::read_to_string(out.join(f)).unwrap())
        })
        .collect();
    assert!(templates.len() >= 9, "{templates:?}");
    tera.add_raw_templates(templates).expect("templates parse as Tera");

    // Published as Zola lays it out, every old URL of a page or a term answers (a page, an
    // alias or a redirect).
    let published = publish(&out, &docs, &taxonomies);
    let lost: Vec<&str> = e
        .model
        .pages
        .iter()
        .map(|p| p.url.as_str())
        .chain(e.model.taxonomies.iter().flat_map(|t| t.terms.iter().map(|t| t.url.as_str())))
        .filter(|u| !published.contains(&page_file(u)))
        .collect();
    assert!(lost.is_empty(), "old URLs that lead nowhere: {lost:?}");
    // And every local PDF link leads to a file, but the one missing from the corpus.
    let link = regex::Regex::new(r#"\]\(\s*<?([^)\s>]+)|(?:href|src)="([^"]*)""#).unwrap();
    let mut pdfs = 0;
    let mut bad = BTreeSet::new();
    for (p, doc) in docs.iter().filter(|(p, _)| !p.ends_with("_index.md")) {
        let here = page_file(&format!("/{}/", doc.fm["path"].as_str().unwrap()));
        for c in link.captures_iter(&doc.body) {
            let href = c.get(1).or_else(|| c.get(2)).unwrap().as_str();
            let Some(t) = link_target(&here, href) else { continue };
            if t.to_lowercase().ends_with(".pdf") {
                pdfs += 1;
                if !published.contains(&t) {
                    bad.insert(format!("{t} ({p})"));
                }
            }
        }
    }
    assert!(pdfs >= 17, "{pdfs} local PDF links");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert!(bad.iter().next().unwrap().starts_with("img/restitution-atlas-culture-202106-1-.pdf"));
}

/// Splits `a="x, y", b=2` on the commas between arguments.
fn split_args(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    for ch in s.chars() {
        match (quote, ch) {
            (None, '"' | '\'' | '`') => {
                quote = Some(ch);
                cur.push(ch);
            }
            (Some(q), c) if c == q => {
                quote = None;
                cur.push(ch);
            }
            (None, ',') => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn zola_front_matter_keeps_every_field_and_reports_what_toml_cannot_hold() {
    let site = site(&[
        ("config.toml", b"baseURL = 'https://example.org/'\ntitle = 'T'\n[taxonomies]\ntag = 'tags'\n"),
        ("content/_index.md", b"---\ntitle: Home\ndate: 2020-01-01\ncascade: {x: 1}\n---\nHi\n"),
        (
            "content/posts/a.md",
            b"---\ntitle: A\ndate: 2020-01-02 10:00:00 +0100\nlastmod: 2021-01-01\ntags: [x, ' y ']\nimage: ~\nslug: other\nlayout: wide\nweight: -1\nurl: /old/a.html\n---\n{{ f(a=1) }} and {% end %}\n",
        ),
        ("content/posts/b/index.md", b"+++\ntitle = 'B'\ndate = 2020-01-03\n+++\n[doc](doc.pdf)\n"),
        ("content/posts/b/doc.pdf", b"%PDF-1.4\n"),
        ("content/notes/deep/c.md", b"---\ntitle: C\n---\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("s.zip");
    export(site.path(), &zip, carton::archive::Format::Zip);
    let out = dir.path().join("z");
    let plan = import(&zip, &out, Format::Zola, None);
    let a = read_doc(&out.join("content/posts/a.md"));
    // Zola's keys at the top, converted; everything else under [extra], nothing lost.
    assert_eq!(a.fm["title"].as_str(), Some("A"));
    assert_eq!(a.fm["date"].to_string(), "2020-01-02T10:00:00+01:00");
    assert_eq!(a.fm["updated"].to_string(), "2021-01-01");
    assert_eq!(a.fm["path"].as_str(), Some("old/a"));
    assert_eq!(strings(&a.fm["aliases"]), Some(vec!["/old/a.html"]));
    assert_eq!(strings(&a.fm["taxonomies"]["tags"]), Some(vec!["x", "y"]));
    let extra = a.fm["extra"].as_table().unwrap();
    assert_eq!(extra["slug"].as_str(), Some("other"));
    assert_eq!(extra["layout"].as_str(), Some("wide"));
    assert_eq!(extra["weight"].as_integer(), Some(-1));
    assert_eq!(extra["hugo_url"].as_str(), Some("/old/a.html"));
    assert!(!extra.contains_key("image"));
    assert!(
        plan.report
            .fields_dropped
            .iter()
            .any(|n| n.path == "content/posts/a.md" && n.subject == "image")
    );
    assert!(plan.report.notes.iter().any(|n| n.subject == "weight"));
    // Text Zola would run as a shortcode is escaped.
    assert!(a.body.contains("{{/* f(a=1) */}} and {%/* end */%}"), "{}", a.body);
    // A section keeps section keys only.
    let home = read_doc(&out.join("content/_index.md"));
    check_front_matter("content/_index.md", &home.fm, true, &["tags".to_string()].into());
    assert!(home.fm["extra"]["date"].is_str() || home.fm["extra"]["date"].is_datetime());
    // Sections Hugo had without an index get one; a folder of pages below a section is
    // transparent; a bundle's file stays beside its page.
    let posts = read_doc(&out.join("content/posts/_index.md"));
    assert_eq!(posts.fm["sort_by"].as_str(), Some("date"));
    let deep = read_doc(&out.join("content/notes/deep/_index.md"));
    assert_eq!(deep.fm["transparent"].as_bool(), Some(true));
    assert!(out.join("content/posts/b/doc.pdf").is_file());
    let b = read_doc(&out.join("content/posts/b/index.md"));
    assert!(b.body.contains("[doc](doc.pdf)"));
    let config: toml::Table =
        std::fs::read_to_string(out.join("config.toml")).unwrap().parse().unwrap();
    assert_eq!(config["base_url"].as_str(), Some("https://example.org"));
    assert_eq!(config["taxonomies"][0]["name"].as_str(), Some("tags"));
}

#[test]
fn json_report_accounts_for_every_file_and_matches_the_written_report() {
    let Some(e) = eig() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eig-zola");
    let run = carton()
        .arg("import")
        .arg(&e.zip)
        .args(["--to", "zola", "--json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let r: serde_json::Value = serde_json::from_slice(&run.stdout).expect("one JSON document");
    assert_eq!((r["type"].as_str(), r["target"].as_str()), (Some("import"), Some("zola")));
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 1301);
    assert_eq!(r["files_in"].as_u64(), Some(1301));
    // Every source file once, each with an action; every output it names was written.
    let sources: BTreeSet<&str> = files.iter().map(|f| f["source"].as_str().unwrap()).collect();
    assert_eq!(sources.len(), 1301);
    for f in files {
        let action = f["action"].as_str().unwrap();
        assert!(["converted", "copied", "raw", "merged"].contains(&action), "{f}");
        match f["output"].as_str() {
            Some(o) => assert!(out.join(o).is_file(), "{o} was not written"),
            None => assert_eq!(action, "merged", "{f}"),
        }
        if action == "raw" {
            assert!(f["reason"].is_string(), "a raw file says why: {f}");
        }
    }
    for g in r["generated"].as_array().unwrap() {
        assert!(out.join(g["output"].as_str().unwrap()).is_file(), "{g}");
    }
    let nc = &r["not_converted"][0];
    assert_eq!(
        (nc["path"].as_str(), nc["line"].as_u64()),
        (Some("content/defis/label.md"), Some(17))
    );
    // The Markdown report beside the site says the same.
    let md = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(md.contains("`content/defis/label.md:17` dailymotion"), "{md}");
    assert!(md.contains(&format!(
        "unresolved links: {}",
        r["unresolved_links"].as_array().unwrap().len()
    )));
}

#[test]
fn a_jekyll_site_converts_to_zola_by_zolas_rules_with_every_old_url() {
    let Some(e) = crate::jekyll::eig_jekyll() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eig-zola");
    let plan = import(&e.zip, &out, Format::Zola, None);
    assert_eq!(plan.report.files.len(), e.model.files.len());
    let (_, taxonomies) = zola_config(&out);
    let files = list_files(&out);
    let docs = read_content(&out, &files, &taxonomies);
    assert_eq!(
        docs.keys()
            .filter(|p| p.starts_with("content/posts/") && !p.ends_with("_index.md"))
            .count(),
        61
    );
    assert_eq!(
        docs.keys()
            .filter(|p| p.starts_with("content/defis/") && !p.ends_with("_index.md"))
            .count(),
        71
    );
    let dirs: BTreeSet<&str> = docs.keys().map(|p| p.rsplit_once('/').unwrap().0).collect();
    for d in &dirs {
        assert!(docs.contains_key(&format!("{d}/_index.md")), "{d}: pages without a section index");
    }
    // Liquid that Zola cannot run is kept as text Zola prints, and reported.
    assert!(!plan.report.not_converted.is_empty());
    let published = publish(&out, &docs, &taxonomies);
    let mut lost = Vec::new();
    for p in e.model.pages.iter().filter(|p| !p.draft) {
        for u in std::iter::once(&p.url).chain(&p.aliases) {
            // Jekyll wrote `/about` as about.html: either answers.
            let html = format!("{u}.html");
            if !published.contains(&page_file(u)) && !published.contains(&page_file(&html)) {
                lost.push(format!("{u} ({})", p.path));
            }
        }
    }
    assert!(lost.is_empty(), "old URLs that lead nowhere: {lost:?}");
    // Static files keep their URLs.
    assert!(published.contains("docs/mini-guide-logiciel-libre.pdf"));
}
