//! WordPress export files (WXR) as sites: `carton export site.xml` on WordPress's own theme
//! test data, checked item by item against the XML read here with plain regular expressions,
//! independently of carton's reader.

use crate::common::*;
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;

/// One `<item>` of a WXR file, as the test reads it.
struct XmlItem {
    fields: BTreeMap<String, String>,
    /// `(domain, name)` of each `<category>` with a nicename, in order.
    terms: Vec<(String, String)>,
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&amp;", "&")
}

fn xml_items(xml: &str) -> Vec<XmlItem> {
    let item = Regex::new(r"(?s)<item>(.*?)</item>").unwrap();
    let field = Regex::new(
        r"(?s)<((?:wp:|dc:)?[a-z_]+)(?: [^>]*)?>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</(?:wp:|dc:)?[a-z_]+>",
    )
    .unwrap();
    let empty = Regex::new(r"<((?:wp:|dc:)?[a-z_]+)/>").unwrap();
    let category = Regex::new(
        r#"<category domain="([^"]*)" nicename="[^"]*">(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</category>"#,
    )
    .unwrap();
    item.captures_iter(xml)
        .map(|c| {
            let body = c.get(1).unwrap().as_str();
            // Leave out the bodies (they may hold tags) and nested comments.
            let head = Regex::new(r"(?s)<content:encoded>.*?</content:encoded>|<wp:comment>.*?</wp:comment>|<wp:postmeta>.*?</wp:postmeta>")
                .unwrap()
                .replace_all(body, "");
            let mut fields = BTreeMap::new();
            for f in field.captures_iter(&head) {
                let value = f.get(2).or(f.get(3)).map_or("", |m| m.as_str());
                let value = if f.get(2).is_some() { value.to_string() } else { decode(value) };
                fields.entry(f[1].to_string()).or_insert(value);
            }
            for e in empty.captures_iter(&head) {
                fields.entry(e[1].to_string()).or_insert_with(String::new);
            }
            let terms = category
                .captures_iter(&head)
                .map(|t| {
                    let name = t.get(2).map_or_else(|| decode(&t[3]), |m| m.as_str().to_string());
                    (t[1].to_string(), name)
                })
                .collect();
            XmlItem { fields, terms }
        })
        .collect()
}

/// The categories and tags of `fields` are the item's, by name, in order, each once.
fn assert_terms(item: &XmlItem, fields: &serde_json::Value, what: &str) {
    for (domain, key) in [("category", "categories"), ("post_tag", "tags")] {
        let mut expected: Vec<&str> = Vec::new();
        for (d, name) in &item.terms {
            if d == domain && !expected.contains(&name.as_str()) {
                expected.push(name);
            }
        }
        let found: Vec<&str> = fields[key]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap()).collect())
            .unwrap_or_default();
        assert_eq!(found, expected, "{key} of {what}");
    }
}

fn model_of(zip: &Path) -> serde_json::Value {
    let dir = zip.with_extension("unpacked");
    unzip(zip, &dir);
    let bag = dir.join(zip.file_stem().unwrap());
    serde_json::from_slice(&std::fs::read(bag.join("data/carton.json")).unwrap()).unwrap()
}

#[test]
fn theme_unit_test_data_every_item_accounted_for_and_its_fields_kept() {
    let Some(wxr) = corpus("wxr") else { return };
    let xml_path = wxr.join("theme-unit-test-data.xml");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let items = xml_items(&xml);
    assert_eq!(items.len(), 186, "the corpus README counts 186 items");

    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("theme.zip");
    carton().arg("export").arg(&xml_path).arg("-o").arg(&zip).arg("-q").assert().success();
    assert!(verify(&zip).valid);
    let model = model_of(&zip);
    assert_eq!(model["site"]["generator"], "wordpress");
    assert_eq!(model["site"]["base_url"], "https://wpthemetestdata.wordpress.com/");
    let pages = model["pages"].as_array().unwrap();
    let skipped = model["summary"]["skipped"].as_array().unwrap();
    // Every item is either a page or listed with the reason it is not one.
    assert_eq!(pages.len() + skipped.len(), items.len());
    let by_type = |t: &str| items.iter().filter(|i| i.fields["wp:post_type"] == t).count();
    let pages_expected = by_type("post") + by_type("page");
    assert_eq!(pages.len(), pages_expected);
    for (t, why) in [("attachment", "an attachment"), ("nav_menu_item", "a menu item")] {
        let listed = skipped
            .iter()
            .filter(|s| s["path"].as_str().unwrap().contains(&format!("#{t}-")))
            .filter(|s| s["reason"].as_str().unwrap().contains(why))
            .count();
        assert_eq!(listed, by_type(t), "{t}");
    }

    // Item by item: status, dates, author, slug, type, terms and stickiness survive.
    let mut checked = 0;
    for item in
        items.iter().filter(|i| matches!(i.fields["wp:post_type"].as_str(), "post" | "page"))
    {
        let f = &item.fields;
        let id: u64 = f["wp:post_id"].trim().parse().unwrap();
        let page = pages
            .iter()
            .find(|p| p["front_matter"]["fields"]["wp_id"] == id)
            .unwrap_or_else(|| panic!("no page for item {id}"));
        let fm = &page["front_matter"]["fields"];
        assert_eq!(fm["status"], f["wp:status"].as_str(), "status of {id}");
        assert_eq!(fm["type"], f["wp:post_type"].as_str(), "type of {id}");
        assert_eq!(fm["author"], f["dc:creator"].as_str(), "author of {id}");
        assert_eq!(fm["title"], f["title"].as_str(), "title of {id}");
        let slug = &f["wp:post_name"];
        if !slug.is_empty() {
            assert_eq!(fm["slug"], slug.as_str(), "slug of {id}");
        }
        let date = f["wp:post_date"].replace(' ', "T");
        assert!(
            fm["date"].as_str().unwrap().starts_with(&date),
            "date of {id}: {} vs {date}",
            fm["date"]
        );
        if f["wp:post_date_gmt"] != "0000-00-00 00:00:00" {
            let gmt = format!("{}Z", f["wp:post_date_gmt"].replace(' ', "T"));
            assert_eq!(fm["date_gmt"], gmt.as_str(), "GMT date of {id}");
        }
        assert_eq!(page["draft"], f["wp:status"] != "publish", "draft of {id}");
        assert_eq!(fm["sticky"] == true, f["wp:is_sticky"] == "1", "sticky of {id}");
        assert_terms(item, fm, &format!("item {id}"));
        // The password never leaves the export file.
        if !f["wp:post_password"].is_empty() {
            assert_eq!(fm["password_protected"], true);
            assert!(!page.to_string().contains(&format!("\"{}\"", f["wp:post_password"])));
        }
        checked += 1;
    }
    assert_eq!(checked, pages_expected);
    // Statuses as exported: the theme data has drafts, scheduled and private items.
    let statuses: std::collections::BTreeSet<&str> =
        pages.iter().map(|p| p["front_matter"]["fields"]["status"].as_str().unwrap()).collect();
    let expected: std::collections::BTreeSet<&str> = items
        .iter()
        .filter(|i| matches!(i.fields["wp:post_type"].as_str(), "post" | "page"))
        .map(|i| i.fields["wp:status"].as_str())
        .collect();
    assert_eq!(statuses, expected);

    // The YouTube embed of "Post Format: Video (YouTube)" is a video of the site.
    let videos: Vec<&str> =
        model["videos"].as_array().unwrap().iter().map(|v| v["key"].as_str().unwrap()).collect();
    assert!(videos.contains(&"youtube:SQEQr7c0-dw"), "{videos:?}");
    // Blocks and shortcodes are recorded with their notation.
    let calls: Vec<(&str, &str)> = pages
        .iter()
        .flat_map(|p| p["shortcodes"].as_array().unwrap())
        .map(|c| (c["notation"].as_str().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    let captions = calls.iter().filter(|c| **c == ("wp-shortcode", "caption")).count();
    assert_eq!(captions, xml.matches("[caption ").count());
    assert!(calls.contains(&("wp-block", "core/paragraph")));
}

#[test]
fn a_malformed_item_is_reported_and_the_others_are_kept() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Small</title>
<link>https://example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_blog_url>https://example.org</wp:base_blog_url>
<item>
<title>Good one</title>
<link>https://example.org/good-one/</link>
<dc:creator>admin</dc:creator>
<content:encoded><![CDATA[<p>See <a href="https://example.org/wp-content/uploads/2024/01/report.pdf">the report</a>.</p>]]></content:encoded>
<wp:post_id>1</wp:post_id>
<wp:post_date>2024-01-02 10:00:00</wp:post_date>
<wp:post_date_gmt>2024-01-02 09:00:00</wp:post_date_gmt>
<wp:post_name>good-one</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
</item>
<item>
<title>Broken</title>
<wp:post_id>2</wp:post_id>
<wp:status>publish<wp:status>
<wp:post_type>post</wp:post_type>
</item>
<item>
<title>Good two</title>
<link>https://example.org/?page_id=3</link>
<dc:creator>admin</dc:creator>
<content:encoded><![CDATA[Text

https://www.youtube.com/watch?v=SQEQr7c0-dw

]]></content:encoded>
<wp:post_id>3</wp:post_id>
<wp:post_date>2024-01-03 10:00:00</wp:post_date>
<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>
<wp:status>draft</wp:status>
<wp:post_type>page</wp:post_type>
</item>
</channel>
</rss>
"#;
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("small.xml");
    std::fs::write(&src, xml).unwrap();
    let zip = dir.path().join("small.zip");
    let out = carton().arg("export").arg(&src).arg("-o").arg(&zip).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    // The bad item, at its place in the file.
    assert!(err.contains("small.xml:25:1"), "{err}");
    assert!(err.contains("`<wp:status>` opened at line 23 is not closed"), "{err}");
    assert!(err.contains("wxr-bad-item"), "{err}");
    let model = model_of(&zip);
    let paths: Vec<&str> =
        model["pages"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["content/pages/3.html", "content/posts/good-one.html"]);
    let draft = &model["pages"][0];
    assert_eq!(draft["draft"], true);
    assert_eq!(draft["url"], "/?page_id=3");
    assert_eq!(draft["front_matter"]["fields"]["date"], "2024-01-03T10:00:00");
    assert!(draft["front_matter"]["fields"].get("date_gmt").is_none());
    assert_eq!(model["pages"][1]["front_matter"]["fields"]["date"], "2024-01-02T10:00:00+01:00");
    // A bare URL on its own line is an embed; an upload is a remote document.
    assert_eq!(model["videos"][0]["key"], "youtube:SQEQr7c0-dw");
    assert_eq!(
        model["documents"][0]["target"],
        "https://example.org/wp-content/uploads/2024/01/report.pdf"
    );
    assert_eq!(model["documents"][0]["local"], false);
    // The export file itself is stored byte for byte.
    let bag = zip.with_extension("unpacked").join("small");
    assert_eq!(std::fs::read(bag.join("data/site/small.xml")).unwrap(), xml.as_bytes());
}

#[test]
fn a_file_that_is_not_wxr_at_all_is_refused_with_its_place() {
    let Some(wxr) = corpus("wxr") else { return };
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("m.zip");
    let out = carton()
        .arg("export")
        .arg(wxr.join("malformed-simple.xml"))
        .arg("-o")
        .arg(&zip)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("malformed-simple.xml:9:1"), "{err}");
    assert!(!zip.exists());
}

/// The front matter of an output file.
fn output_fields(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    let fm = text.strip_prefix("---\n").and_then(|t| t.split_once("\n---\n")).unwrap().0;
    serde_yaml::from_str(fm).unwrap()
}

/// Every output page file of a converted site (Hugo `content/`, Jekyll posts and pages).
fn output_pages(out: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .filter(|e| {
            let rel = e.path().strip_prefix(out).unwrap().to_string_lossy().into_owned();
            ["content/", "_posts/", "_drafts/", "pages/"].iter().any(|p| rel.starts_with(p))
        })
        .map(|e| e.path().to_path_buf())
        .collect()
}

/// `carton convert` of WordPress's theme test data into Hugo and into Jekyll: the sites build
/// with the real tools, every published item answers at its old address, and the status,
/// date, author, terms and slug of every post and page survive, compared with the XML.
#[test]
fn theme_unit_test_data_converts_to_hugo_and_jekyll_that_build_with_every_item_kept() {
    let Some(wxr) = corpus("wxr") else { return };
    let xml_path = wxr.join("theme-unit-test-data.xml");
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let items: Vec<XmlItem> = xml_items(&xml)
        .into_iter()
        .filter(|i| matches!(i.fields["wp:post_type"].as_str(), "post" | "page"))
        .collect();
    let base = "https://wpthemetestdata.wordpress.com";
    let dir = tempfile::tempdir().unwrap();
    for to in ["hugo", "jekyll"] {
        let out = dir.path().join(to);
        carton()
            .arg("convert")
            .arg(&xml_path)
            .args(["--to", to, "-q", "-o"])
            .arg(&out)
            .assert()
            .success();
        // Every item, page or not, is in the report.
        let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
        for i in xml_items(&xml) {
            let id = i.fields["wp:post_id"].trim().to_string();
            let t = &i.fields["wp:post_type"];
            if matches!(t.as_str(), "post" | "page") {
                continue;
            }
            assert!(
                report.contains(&format!("#{t}-{id}")),
                "{to}: item {id} ({t}) not in the report"
            );
        }
        let files = output_pages(&out);
        assert_eq!(files.len(), items.len(), "{to}: one file per post and page");
        let by_id: BTreeMap<u64, serde_json::Value> = files
            .iter()
            .map(|f| {
                let v = output_fields(f);
                (v["wp_id"].as_u64().unwrap(), v)
            })
            .collect();
        for item in &items {
            let f = &item.fields;
            let id: u64 = f["wp:post_id"].trim().parse().unwrap();
            let fm = &by_id[&id];
            assert_eq!(fm["status"], f["wp:status"].as_str(), "{to}: status of {id}");
            assert_eq!(fm["author"], f["dc:creator"].as_str(), "{to}: author of {id}");
            if !f["wp:post_name"].is_empty() {
                assert_eq!(fm["slug"], f["wp:post_name"].as_str(), "{to}: slug of {id}");
            }
            let date = f["wp:post_date"].replace(' ', "T");
            assert!(fm["date"].as_str().unwrap().starts_with(&date), "{to}: date of {id}");
            let published = f["wp:status"] == "publish";
            match to {
                "hugo" => assert_eq!(fm["draft"] == true, !published, "{to}: draft of {id}"),
                _ => assert_eq!(fm["published"] == false, !published, "{to}: published of {id}"),
            }
            assert_terms(item, fm, &format!("{to}: item {id}"));
        }
        // The sites build, and every published item answers at its address on the old site.
        let public = dir.path().join(format!("{to}-public"));
        match to {
            "hugo" => {
                let Some(hugo) = tool("hugo") else { continue };
                crate::import::hugo_build(&hugo, &out, &public);
            }
            _ => {
                let Some(jekyll) = tool("jekyll") else { continue };
                crate::import::jekyll_build(&jekyll, &out, &public);
            }
        }
        let mut served = 0;
        for item in items.iter().filter(|i| i.fields["wp:status"] == "publish") {
            let link = item.fields["link"].trim();
            let path = link.strip_prefix(base).unwrap_or(link);
            if path.contains('?') {
                continue;
            }
            let decoded = percent_encoding::percent_decode_str(path.trim_matches('/'))
                .decode_utf8_lossy()
                .into_owned();
            let file = public.join(&decoded).join("index.html");
            assert!(file.is_file(), "{to}: {link} is not served ({})", file.display());
            served += 1;
        }
        assert!(served > 60, "{to}: only {served} items checked");
        // The YouTube embed plays in both.
        let video =
            std::fs::read_to_string(public.join("2010/06/02/post-format-video-youtube/index.html"))
                .unwrap();
        assert!(video.contains("SQEQr7c0-dw") && video.contains("<iframe"), "{to}: {video}");
    }
}

/// Attachments are files on the WordPress server: an attachment that is a document is
/// archived by `--fetch` even when no body links it, recorded as linked from its parent item.
#[test]
fn a_document_attachment_is_fetched_into_the_archive() {
    use crate::http::{Route, Server};
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n".to_vec();
    let server = Server::start(vec![(
        "/wp-content/uploads/2024/01/annual-report.pdf",
        Route::Body {
            status: 200,
            headers: vec![("Content-Type".into(), "application/pdf".into())],
            body: pdf.clone(),
        },
    )]);
    let url = server.url("/wp-content/uploads/2024/01/annual-report.pdf");
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Reports</title>
<link>https://example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
<item>
<title>Annual report</title>
<link>https://example.org/annual-report/</link>
<dc:creator>admin</dc:creator>
<content:encoded><![CDATA[The report is attached.]]></content:encoded>
<wp:post_id>10</wp:post_id>
<wp:post_date>2024-01-05 10:00:00</wp:post_date>
<wp:post_date_gmt>2024-01-05 09:00:00</wp:post_date_gmt>
<wp:post_name>annual-report</wp:post_name>
<wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type>
</item>
<item>
<title>annual-report</title>
<wp:post_id>11</wp:post_id>
<wp:post_parent>10</wp:post_parent>
<wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type>
<wp:attachment_url>{url}</wp:attachment_url>
</item>
</channel>
</rss>
"#
    );
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("reports.xml");
    std::fs::write(&src, xml).unwrap();
    let zip = dir.path().join("reports.zip");
    carton_direct()
        .timeout(std::time::Duration::from_secs(60))
        .arg("export")
        .arg(&src)
        .args(["--fetch=documents", "-q", "-o"])
        .arg(&zip)
        .assert()
        .success();
    assert_eq!(server.downloads("/wp-content/uploads/2024/01/annual-report.pdf"), 1);
    let model = model_of(&zip);
    let doc = &model["documents"][0];
    assert_eq!(doc["target"], url.as_str());
    assert_eq!(doc["pages"], serde_json::json!(["content/posts/annual-report.html"]));
    let stored = doc["fetch"]["path"].as_str().expect("the attachment is archived");
    let bag = zip.with_extension("unpacked").join("reports");
    assert_eq!(std::fs::read(bag.join("data").join(stored)).unwrap(), pdf);
    assert!(verify(&zip).valid);
}
