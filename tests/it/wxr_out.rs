//! `carton import/convert --to wxr`: the EIG Hugo site as a WordPress export file, checked
//! element by element against what the WordPress importer reads, read back with carton's
//! own WXR reader, and the output rules (siblings of `-o`, `--force`, hostile text).

use crate::common::*;
use carton::model::{Model, RefSource, Target};
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const MEDIA: &str = "https://media.example.org/uploads";

/// A parsed element: name as written, attributes, text (text and CDATA joined), children.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    fn one<'a>(&'a self, name: &'a str) -> &'a El {
        let mut it = self.all(name);
        let first = it.next().unwrap_or_else(|| panic!("<{}> has no <{name}>", self.name));
        assert!(it.next().is_none(), "<{}> has two <{name}>", self.name);
        first
    }
    fn text_of<'a>(&'a self, name: &'a str) -> &'a str {
        &self.one(name).text
    }
    fn meta(&self, key: &str) -> Option<&str> {
        self.all("wp:postmeta")
            .find(|m| m.text_of("wp:meta_key") == key)
            .map(|m| m.text_of("wp:meta_value"))
    }
}

/// Parses a whole document strictly (end names checked), refusing a DOCTYPE.
fn parse_xml(text: &str) -> El {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![El::default()];
    let start = |e: &quick_xml::events::BytesStart| El {
        name: e.name().as_ref().to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                let v = a
                    .normalized_value(quick_xml::XmlVersion::default())
                    .expect("attribute value")
                    .into_owned();
                (a.key.as_ref().to_string(), v)
            })
            .collect(),
        ..El::default()
    };
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("not well-formed XML: {e}")) {
            Event::Start(e) => stack.push(start(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(start(&e)),
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => {
                let raw = t.xml10_content();
                assert!(!raw.contains('&'), "entity in text: {raw}");
                let s = raw.into_owned();
                stack.last_mut().unwrap().text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                let name = r.as_ref().to_string();
                let c = match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("entity &{other}; in a WXR file"),
                };
                stack.last_mut().unwrap().text.push_str(c);
            }
            Event::CData(c) => stack.last_mut().unwrap().text.push_str(&c.xml10_content()),
            Event::DocType(_) => panic!("the WordPress importer refuses a DOCTYPE"),
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

struct Converted {
    _dir: tempfile::TempDir,
    out: PathBuf,
    xml: String,
    rss: El,
}

/// One conversion of the corpus, shared by the tests below.
fn eig_wxr() -> Option<&'static Converted> {
    static CELL: OnceLock<Option<Converted>> = OnceLock::new();
    CELL.get_or_init(|| {
        let site = corpus("eig-hugo")?;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("OUT");
        std::fs::create_dir(&out).unwrap();
        carton()
            .args(["convert"])
            .arg(&site)
            .args(["--to", "wxr", "-o"])
            .arg(out.join("site.xml"))
            .args(["--media-base-url", MEDIA])
            .assert()
            .success();
        let xml = std::fs::read_to_string(out.join("site.xml")).unwrap();
        let rss = parse_xml(&xml);
        Some(Converted { _dir: dir, out, xml, rss })
    })
    .as_ref()
}

fn model() -> Option<&'static Model> {
    crate::corpus::eig().map(|e| &e.model)
}

fn items(rss: &El) -> Vec<&El> {
    rss.one("channel").all("item").collect()
}

/// Files of the corpus matching a filter, counted on disk.
fn count_files(dir: &Path, keep: &dyn Fn(&str) -> bool) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| keep(n))
        .count()
}

#[test]
fn eig_wxr_has_the_importers_structure() {
    let Some(c) = eig_wxr() else { return };
    let rss = &c.rss;
    assert_eq!(rss.name, "rss");
    assert_eq!(rss.attrs["version"], "2.0");
    for (prefix, uri) in [
        ("excerpt", "http://wordpress.org/export/1.2/excerpt/"),
        ("content", "http://purl.org/rss/1.0/modules/content/"),
        ("wfw", "http://wellformedweb.org/CommentAPI/"),
        ("dc", "http://purl.org/dc/elements/1.1/"),
        ("wp", "http://wordpress.org/export/1.2/"),
    ] {
        assert_eq!(rss.attrs.get(&format!("xmlns:{prefix}")).map(String::as_str), Some(uri));
    }
    let ch = rss.one("channel");
    assert_eq!(ch.text_of("title"), "Entrepreneur·e·s d'intérêt général");
    for name in ["link", "wp:base_site_url", "wp:base_blog_url", "description", "language"] {
        ch.one(name);
    }
    let version = ch.text_of("wp:wxr_version");
    assert!(regex::Regex::new(r"^\d+\.\d+$").unwrap().is_match(version), "{version}");
    let authors: BTreeSet<&str> =
        ch.all("wp:author").map(|a| a.text_of("wp:author_login")).collect();
    assert_eq!(authors.len(), ch.all("wp:author").count(), "each author declared once");
    let slug = regex::Regex::new(r"^[a-z0-9]+(-[a-z0-9]+)*$").unwrap();
    let mut ids = BTreeSet::new();
    let mut names: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    let all = items(rss);
    for it in &all {
        for name in [
            "title",
            "link",
            "pubDate",
            "dc:creator",
            "guid",
            "description",
            "content:encoded",
            "excerpt:encoded",
            "wp:post_id",
            "wp:post_date",
            "wp:post_date_gmt",
            "wp:comment_status",
            "wp:ping_status",
            "wp:post_name",
            "wp:status",
            "wp:post_parent",
            "wp:menu_order",
            "wp:post_type",
            "wp:post_password",
            "wp:is_sticky",
        ] {
            it.one(name);
        }
        let id: u64 = it.text_of("wp:post_id").parse().expect("numeric post id");
        assert!(ids.insert(id), "post id {id} twice");
        assert!(
            authors.contains(it.text_of("dc:creator")),
            "undeclared {}",
            it.text_of("dc:creator")
        );
        let t = it.text_of("wp:post_type");
        *by_type.entry(t).or_default() += 1;
        let n = it.text_of("wp:post_name");
        assert!(slug.is_match(n), "slug {n:?}");
        assert!(names.entry(t).or_default().insert(n), "slug {n} twice among {t} items");
        for cat in it.all("category") {
            assert!(
                !cat.attrs["domain"].is_empty() && slug.is_match(&cat.attrs["nicename"]),
                "{cat:?}"
            );
        }
        assert!(it.meta("_carton_old_url").is_some(), "every item keeps its former URL");
        let status = it.text_of("wp:status");
        if t == "attachment" {
            assert_eq!(status, "inherit");
            let url = it.text_of("wp:attachment_url");
            let file = it.meta("_wp_attached_file").expect("_wp_attached_file");
            assert_eq!(url, format!("{MEDIA}/{file}"));
            assert_ne!(it.text_of("wp:post_parent"), "0");
        } else {
            assert!(status == "publish" || status == "draft", "{status}");
        }
    }
    // Parents are items of the file.
    for it in &all {
        let p: u64 = it.text_of("wp:post_parent").parse().unwrap();
        assert!(p == 0 || ids.contains(&p), "parent {p} is no item");
    }
    let m = model().expect("corpus exported");
    let pages = m.pages.len();
    assert_eq!(by_type["page"] + by_type["post"], pages, "{by_type:?}");
    // The blog section (54 posts, `content/blog/*.md` but its `_index.md`) maps to `post`.
    let site = corpus("eig-hugo").unwrap();
    let blog = count_files(&site.join("content/blog"), &|n| n.ends_with(".md") && n != "_index.md");
    assert_eq!(by_type["post"], blog);
    assert_eq!(blog, 54);
}

#[test]
fn eig_challenges_keep_their_terms_videos_and_documents() {
    let Some(c) = eig_wxr() else { return };
    let m = model().expect("corpus exported");
    let site = corpus("eig-hugo").unwrap();
    let all = items(&c.rss);
    let by_source: HashMap<&str, &El> =
        all.iter().filter_map(|it| Some((it.meta("_carton_source")?, *it))).collect();
    // The challenge pages: content/defis/*.md but the section's _index.md (104).
    let defis =
        count_files(&site.join("content/defis"), &|n| n.ends_with(".md") && n != "_index.md");
    assert_eq!(defis, 104);
    let index = by_source["content/defis/_index.md"];
    let index_id = index.text_of("wp:post_id");
    let challenge: Vec<&El> = all
        .iter()
        .copied()
        .filter(|it| {
            it.meta("_carton_source")
                .is_some_and(|s| s.starts_with("content/defis/") && !s.ends_with("/_index.md"))
        })
        .collect();
    assert_eq!(challenge.len(), defis);
    for page in m
        .pages
        .iter()
        .filter(|p| p.path.starts_with("content/defis/") && !p.path.ends_with("_index.md"))
    {
        let it = by_source[page.path.as_str()];
        assert_eq!(it.text_of("wp:post_type"), "page");
        assert_eq!(
            it.text_of("wp:post_parent"),
            index_id,
            "{}: the section page is its parent",
            page.path
        );
        assert_eq!(it.text_of("wp:status"), if page.draft { "draft" } else { "publish" });
        let terms: BTreeSet<(String, String)> =
            it.all("category").map(|c| (c.attrs["domain"].clone(), c.text.clone())).collect();
        let expected: BTreeSet<(String, String)> = page
            .taxonomies
            .iter()
            .flat_map(|(t, names)| {
                let d = if t == "categories" { "category".to_string() } else { t.clone() };
                // WordPress trims term names.
                names.iter().map(move |n| (d.clone(), n.trim().to_string()))
            })
            .collect();
        assert_eq!(terms, expected, "{}", page.path);
        assert!(!terms.is_empty(), "{}", page.path);
    }
    // Dailymotion calls in the corpus (counted with grep: 73, one of which names no video),
    // and their embed blocks, the URL alone on its line inside the wrapper.
    let calls: usize = walk(&site.join("content"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| std::fs::read_to_string(p).unwrap().matches("{{< dailymotion").count())
        .sum();
    assert_eq!(calls, 73);
    let blocks =
        c.xml.matches("<!-- wp:embed {\"url\":\"https://www.dailymotion.com/video/").count();
    assert!(blocks >= calls, "{blocks} embed blocks for {calls} calls");
    let gobelins = by_source["content/defis/gobelins.md"].text_of("content:encoded");
    assert!(gobelins.contains(concat!(
        "<!-- wp:embed {\"url\":\"https://www.dailymotion.com/video/x6y056l\",\"type\":\"video\",\"providerNameSlug\":\"dailymotion\",\"responsive\":true,\"className\":\"wp-embed-aspect-16-9 wp-has-aspect-ratio\"} -->\n",
        "<figure class=\"wp-block-embed is-type-video is-provider-dailymotion wp-block-embed-dailymotion wp-embed-aspect-16-9 wp-has-aspect-ratio\"><div class=\"wp-block-embed__wrapper\">\n",
        "https://www.dailymotion.com/video/x6y056l\n</div></figure>\n<!-- /wp:embed -->"
    )), "{gobelins}");
    assert!(gobelins.contains("<!-- wp:buttons -->") && !gobelins.contains("{{<"), "{gobelins}");
    // Every local PDF a page links: an attachment whose URL the linking content names exactly;
    // its file in the media folder, byte for byte.
    let attachments: HashMap<&str, &El> = all
        .iter()
        .filter(|it| it.text_of("wp:post_type") == "attachment")
        .map(|it| (it.meta("_carton_source").unwrap(), *it))
        .collect();
    let mut pdfs = 0;
    for page in &m.pages {
        for r in &page.references {
            let Target::File { path } = &r.target else { continue };
            if r.source == RefSource::FrontMatter || !path.to_lowercase().ends_with(".pdf") {
                continue;
            }
            let a =
                attachments.get(path.as_str()).unwrap_or_else(|| panic!("{path}: no attachment"));
            let url = a.text_of("wp:attachment_url");
            let content = by_source[page.path.as_str()].text_of("content:encoded");
            assert!(
                content.contains(&format!("href=\"{url}\"")),
                "{}: no link to {url}",
                page.path
            );
            pdfs += 1;
        }
    }
    assert!(pdfs >= 13, "{pdfs}");
    assert!(c.xml.contains("<!-- wp:file {\"id\":"));
    for (source, a) in &attachments {
        let file = a.meta("_wp_attached_file").unwrap();
        let written = std::fs::read(c.out.join("site-media").join(file)).unwrap();
        assert!(
            written == std::fs::read(site.join(source)).unwrap(),
            "{file} differs from {source}"
        );
    }
    // Every file of the media folder is an attachment, but carton's record of them.
    let media = c.out.join("site-media");
    assert_eq!(written_files(&media).len(), attachments.len());
    assert_eq!(walk(&media).len(), attachments.len() + 1);
    // Former URLs: in both redirect files, to the WordPress permalinks.
    let nginx = std::fs::read_to_string(c.out.join("site-redirects.nginx.map")).unwrap();
    let netlify = std::fs::read_to_string(c.out.join("site-redirects.txt")).unwrap();
    assert!(nginx.contains("\"/personnes/antoine-augusti/\" \"/antoine-augusti/\";"), "{nginx}");
    assert!(netlify.contains("/blog/bilan-eig3/ /bilan-eig3/ 301\n"), "{netlify}");
    let entries = |s: &str| s.lines().filter(|l| !l.starts_with('#')).count();
    assert_eq!(entries(&nginx), entries(&netlify));
    assert!(!netlify.contains("/defis/gobelins/ "), "a page at its old URL needs no redirect");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

#[test]
fn eig_wxr_reads_back_as_the_same_site() {
    let Some(c) = eig_wxr() else { return };
    let m = model().expect("corpus exported");
    let wxr = carton::source::wxr::parse(c.xml.as_bytes()).expect("carton reads it back");
    assert!(wxr.problems.is_empty(), "{:?}", wxr.problems);
    assert_eq!(wxr.version.as_deref(), Some("1.2"));
    let by_source: HashMap<&str, &carton::source::wxr::Item> = wxr
        .items
        .iter()
        .filter_map(|i| Some((i.meta("_carton_source")?.value.as_str(), i)))
        .collect();
    let instant = |s: &str| match carton::mapping::dates::read(s).unwrap() {
        carton::mapping::dates::When::Zoned(t) => t.unix_timestamp(),
        carton::mapping::dates::When::Local(t) => t.assume_utc().unix_timestamp(),
        carton::mapping::dates::When::Day(d) => d.midnight().assume_utc().unix_timestamp(),
    };
    let mut dated = 0;
    for p in &m.pages {
        let it = by_source[p.path.as_str()];
        assert_eq!(Some(it.title.as_str()), p.title.as_deref().or(Some("")), "{}", p.path);
        match p.date.as_deref().filter(|d| carton::mapping::dates::read(d).is_some()) {
            Some(d) => {
                let gmt = it.post_date_gmt.replace(' ', "T") + "Z";
                assert_eq!(instant(&gmt), instant(d), "{}", p.path);
                dated += 1;
            }
            None => assert_eq!(it.post_date_gmt, "", "{}", p.path),
        }
        if p.path.starts_with("content/defis/") && !p.path.ends_with("_index.md") {
            let name = p.path.rsplit('/').next().unwrap().trim_end_matches(".md");
            assert_eq!(it.post_name, name, "challenge slugs are their file names");
        }
    }
    // 144 pages have a date (the people pages have none); 14 challenges give only a year
    // (`date: 2022`), which is no date: they have none, and the report says so.
    assert_eq!(dated, 144);
    let report = std::fs::read_to_string(c.out.join("site-report.md")).unwrap();
    let unread = m.pages.iter().filter(|p| p.date.is_some()).count() - dated;
    assert_eq!(unread, 14);
    assert_eq!(report.matches("is not a date carton reads").count(), unread, "{report}");
    // Through `carton export`: the same terms, videos and documents.
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("x.zip");
    carton().arg("export").arg(c.out.join("site.xml")).arg("-o").arg(&zip).assert().success();
    let mut archive = carton::archive::Archive::open(&zip).unwrap();
    let back = carton::target::load_model(&mut archive, &zip).unwrap();
    let terms = |m: &Model| -> BTreeSet<(String, String)> {
        m.taxonomies
            .iter()
            .flat_map(|t| {
                t.terms
                    .iter()
                    .filter(|x| !x.pages.is_empty())
                    .map(move |x| (t.name.clone(), x.name.trim().to_string()))
            })
            .collect()
    };
    assert_eq!(terms(&back), terms(m));
    // Videos a page body shows (front matter values and bare URLs are not players).
    let shown: BTreeSet<&str> = m
        .pages
        .iter()
        .flat_map(|p| &p.references)
        .filter(|r| !matches!(r.source, RefSource::FrontMatter | RefSource::BareUrl))
        .filter_map(|r| match &r.target {
            Target::Video { key } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    let back_videos: BTreeSet<&str> = back.videos.iter().map(|v| v.key.as_str()).collect();
    assert!(shown.len() >= 70, "{}", shown.len());
    assert!(
        shown.is_subset(&back_videos),
        "{:?}",
        shown.difference(&back_videos).collect::<Vec<_>>()
    );
    let attachment_urls: BTreeSet<&str> =
        wxr.items.iter().filter_map(|i| i.attachment_url.as_deref()).collect();
    let back_docs: BTreeSet<&str> = back.documents.iter().map(|d| d.target.as_str()).collect();
    for u in attachment_urls.iter().filter(|u| u.ends_with(".pdf")) {
        assert!(back_docs.contains(u), "{u} is no document of the read-back site");
    }
}

/// A small Hugo site with a shortcode, a PDF and hostile text.
fn hostile_site() -> tempfile::TempDir {
    site(&[
        ("config.toml", b"baseURL = \"https://old.example.org/\"\ntitle = \"T ]]> x\"\n[taxonomies]\n  tag = \"tags\"\n"),
        (
            "content/posts/a.md",
            "---\ntitle: \"Fin ]]> de CDATA <b>\"\ndate: 2020-03-04T05:06:07+02:00\ntags: [\"Été\"]\nextra: {k: [1, 2]}\n---\nBody ]]> text & <i>more</i>.\n\n<div class=\"x\">raw ]]> html</div>\n\n[Spec](/files/spec.pdf)\n\n{{< youtube dQw4w9WgXcQ >}}\n".as_bytes(),
        ),
        ("content/drafts/b.md", b"---\ntitle: B\ndraft: true\n---\nDraft.\n"),
        ("static/files/spec.pdf", b"%PDF-1.4 spec"),
    ])
}

#[test]
fn hostile_text_stays_well_formed_and_the_default_media_url_is_the_site_s() {
    let site = hostile_site();
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("blog.xml");
    carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "wxr", "-o"])
        .arg(&xml)
        .assert()
        .success();
    let text = std::fs::read_to_string(&xml).unwrap();
    assert!(text.contains("]]]]><![CDATA[>"));
    let rss = parse_xml(&text);
    let its = items(&rss);
    let a =
        its.iter().find(|i| i.text_of("wp:post_type") == "post").expect("posts section -> post");
    assert_eq!(a.text_of("title"), "Fin ]]> de CDATA <b>");
    assert!(a.text_of("content:encoded").contains("<p>Body ]]&gt; text &amp; <i>more</i>.</p>"));
    assert!(a.text_of("content:encoded").contains("<div class=\"x\">raw ]]> html</div>"));
    assert_eq!(a.text_of("wp:post_date"), "2020-03-04 05:06:07");
    assert_eq!(a.text_of("wp:post_date_gmt"), "2020-03-04 03:06:07");
    assert_eq!(a.text_of("pubDate"), "Wed, 04 Mar 2020 03:06:07 +0000");
    assert_eq!(a.meta("extra"), Some(r#"{"k":[1,2]}"#));
    let tag = a.one("category");
    assert_eq!(
        (tag.attrs["domain"].as_str(), tag.attrs["nicename"].as_str(), tag.text.as_str()),
        ("post_tag", "ete", "Été")
    );
    let url = "https://old.example.org/wp-content/uploads/2020/03/spec.pdf";
    assert!(
        a.text_of("content:encoded").contains("<!-- wp:file {\"id\":"),
        "{}",
        a.text_of("content:encoded")
    );
    assert!(a.text_of("content:encoded").contains(&format!("href=\"{url}\"")));
    assert!(
        a.text_of("content:encoded")
            .contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ\n</div>")
    );
    let att = its.iter().find(|i| i.text_of("wp:post_type") == "attachment").unwrap();
    assert_eq!(att.text_of("wp:attachment_url"), url);
    assert_eq!(att.text_of("wp:post_parent"), a.text_of("wp:post_id"));
    let b = its.iter().find(|i| i.text_of("title") == "B").unwrap();
    assert_eq!(b.text_of("wp:status"), "draft");
    assert_eq!(
        std::fs::read(dir.path().join("blog-media/2020/03/spec.pdf")).unwrap(),
        b"%PDF-1.4 spec"
    );
    assert_eq!(rss.one("channel").text_of("wp:base_site_url"), "https://old.example.org");
    assert!(dir.path().join("blog-report.md").is_file());
}

#[test]
fn without_a_base_url_the_media_url_is_required() {
    let site =
        site(&[("config.toml", b"title = \"T\"\n"), ("content/a.md", b"---\ntitle: A\n---\nA\n")]);
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("site.xml");
    carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "wxr", "-o"])
        .arg(&xml)
        .assert()
        .failure()
        .stderr(predicates::str::contains("--media-base-url"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");
    carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "hugo", "--media-base-url", MEDIA, "-o"])
        .arg(dir.path().join("h"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("only meaningful with --to wxr"));
}

#[test]
fn existing_outputs_are_replaced_only_with_force() {
    let site = hostile_site();
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("s.zip");
    export(site.path(), &zip, carton::archive::Format::Zip);
    let xml = dir.path().join("out.xml");
    let import = |force: bool| {
        let mut c = carton();
        c.arg("import").arg(&zip).args(["--to", "wxr", "-o"]).arg(&xml);
        if force {
            c.arg("--force");
        }
        c.assert()
    };
    // A sibling the import would write is in the way: refused, nothing written.
    std::fs::write(dir.path().join("out-redirects.txt"), "mine").unwrap();
    import(false).failure().stderr(predicates::str::contains("out-redirects.txt"));
    assert!(!xml.exists() && !dir.path().join("out-media").exists());
    import(true).success();
    assert_ne!(std::fs::read_to_string(dir.path().join("out-redirects.txt")).unwrap(), "mine");
    let first = std::fs::read(&xml).unwrap();
    import(false).failure().stderr(predicates::str::contains("exists"));
    let media = dir.path().join("out-media");
    let carton_s = written_files(&media);
    std::fs::write(media.join("2020/03/mine.pdf"), "x").unwrap();
    import(true).success();
    assert_eq!(std::fs::read(&xml).unwrap(), first, "the same archive gives the same file");
    // The media folder keeps the file carton did not write, and its record lists the rest.
    assert_eq!(std::fs::read_to_string(media.join("2020/03/mine.pdf")).unwrap(), "x");
    assert_eq!(
        list_files(&media),
        carton_s
            .iter()
            .cloned()
            .chain(["2020/03/mine.pdf".to_string(), carton::output::RECORD.to_string()])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    let report = std::fs::read_to_string(dir.path().join("out-report.md")).unwrap();
    assert!(report.contains("- 1 kept") && report.contains("`2020/03/mine.pdf`"), "{report}");
    // Nothing else beside the outputs: no staging folder left.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "out-media",
            "out-redirects.nginx.map",
            "out-redirects.txt",
            "out-report.md",
            "out.xml",
            "s.zip"
        ]
    );
    // --dry-run writes nothing.
    let dry = dir.path().join("dry.xml");
    carton()
        .arg("import")
        .arg(&zip)
        .args(["--to", "wxr", "--dry-run", "-o"])
        .arg(&dry)
        .assert()
        .success();
    assert!(!dry.exists() && !dir.path().join("dry-media").exists());
}

#[test]
fn the_shipped_mapping_decides_post_types_and_a_custom_one_is_checked() {
    let m = carton::mapping::Mapping::shipped(
        carton::mapping::Format::Hugo,
        carton::mapping::Format::Wxr,
    )
    .expect("hugo-to-wxr shipped");
    assert_eq!(m.sections.get("blog").map(String::as_str), Some("post"));
    assert_eq!(m.sections.get("defis").map(String::as_str), Some("page"));
    assert!(m.shortcodes.contains_key("dailymotion") && m.shortcodes.contains_key("arrow-link"));
    // A custom hierarchical type for the challenges.
    let site = site(&[
        ("config.toml", b"baseURL = \"https://old.example.org/\"\n"),
        ("content/defis/_index.md", b"---\ntitle: Defis\n---\n"),
        (
            "content/defis/x.md",
            b"---\ntitle: X\n---\n{{< arrow-link url=\"/defis/\" title=\"Tous\" >}}\n",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mapping = dir.path().join("m.yaml");
    std::fs::write(&mapping, "carton-mapping: 1\nfrom: hugo\nto: wxr\nsections:\n  defis: defi\nhierarchical: [defi]\nshortcodes:\n  arrow-link:\n    emit: '<a class=\"arrow\" href=\"${url|html}\">${title|html}</a>'\n").unwrap();
    let xml = dir.path().join("s.xml");
    carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "wxr", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&xml)
        .assert()
        .success();
    let rss = parse_xml(&std::fs::read_to_string(&xml).unwrap());
    let its = items(&rss);
    let x = its.iter().find(|i| i.text_of("title") == "X").unwrap();
    let index = its.iter().find(|i| i.text_of("title") == "Defis").unwrap();
    assert_eq!((x.text_of("wp:post_type"), index.text_of("wp:post_type")), ("defi", "defi"));
    assert_eq!(x.text_of("wp:post_parent"), index.text_of("wp:post_id"));
    // The link to the section follows it to its permalink.
    assert!(
        x.text_of("content:encoded").contains("<a class=\"arrow\" href=\"/defi/defis/\">Tous</a>"),
        "{}",
        x.text_of("content:encoded")
    );
    let redirects = std::fs::read_to_string(dir.path().join("s-redirects.txt")).unwrap();
    assert!(redirects.contains("/defis/x/ /defi/defis/x/ 301"), "{redirects}");
    // A post type WordPress cannot register is refused at its line.
    std::fs::write(&mapping, "carton-mapping: 1\nfrom: hugo\nto: wxr\nsections:\n  defis: Défis\n")
        .unwrap();
    carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "wxr", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(dir.path().join("t.xml"))
        .assert()
        .failure()
        .stderr(predicates::str::contains("m.yaml:5:"));
}
