//! The real corpus, `../shared/corpus/wxr/`, read in place. Expected figures were taken
//! from the files with grep (commands in the comments), not from this parser.

use super::codes;
use crate::source::wxr::{Item, Wxr, parse};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/wxr").join(name)
}

fn read(name: &str) -> (String, Wxr) {
    let bytes = std::fs::read(corpus(name)).unwrap();
    let w = parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    (String::from_utf8(bytes).unwrap(), w)
}

fn by_id(w: &Wxr, id: u64) -> &Item {
    w.items.iter().find(|i| i.post_id.value == Some(id)).unwrap()
}

fn tally<'a>(values: impl Iterator<Item = &'a str>) -> BTreeMap<&'a str, usize> {
    let mut m = BTreeMap::new();
    for v in values {
        *m.entry(v).or_default() += 1;
    }
    m
}

#[test]
fn theme_unit_test_data_counts() {
    let (_, w) = read("theme-unit-test-data.xml");
    // `grep -c '<item>'`, and `grep -o '<wp:post_type>…' | sort | uniq -c` (same for status).
    assert_eq!(w.items.len(), 186);
    let types = tally(w.items.iter().map(|i| i.post_type.as_str()));
    let expected = [("attachment", 37), ("nav_menu_item", 70), ("page", 21), ("post", 58)];
    assert_eq!(types, expected.into_iter().collect());
    let status = tally(w.items.iter().map(|i| i.status.as_str()));
    let expected = [("draft", 1), ("future", 1), ("inherit", 37), ("publish", 147)];
    assert_eq!(status, expected.into_iter().collect());
    assert_eq!(w.items.iter().filter(|i| i.is_sticky).count(), 1);
    assert_eq!(w.items.iter().map(|i| i.comments.len()).sum::<usize>(), 33);
    // 18 nav menu items are exported twice with the same post_id (`uniq -d`): the only
    // problems in the file.
    assert_eq!(codes(&w), ["duplicate-post-id"; 18]);
    assert_eq!(w.problems[0].line, 6794);
    assert_eq!(w.problems[0].post_id.as_deref(), Some("1643"));
    assert_eq!((w.items[0].line, w.items[1].line), (1095, 1160));
}

#[test]
fn theme_unit_test_data_channel() {
    let (_, w) = read("theme-unit-test-data.xml");
    let ch = &w.channel;
    assert_eq!(ch.title, "Theme Unit Test Data");
    assert_eq!(ch.base_site_url, "https://wordpress.com/");
    assert_eq!(ch.base_blog_url, "https://wpthemetestdata.wordpress.com");
    let authors: Vec<_> =
        ch.authors.iter().map(|a| (a.login.as_str(), a.display_name.as_str())).collect();
    assert_eq!(authors, [("themedemos", "Theme Buster"), ("themereviewteam", "Theme Reviewer")]);
    assert_eq!(
        (ch.authors[1].first_name.as_str(), ch.authors[1].last_name.as_str()),
        ("Theme", "Review")
    );
    assert_eq!((ch.categories.len(), ch.tags.len(), ch.terms.len()), (68, 110, 7));
    let sub = ch.categories.iter().find(|c| c.nicename == "sub").unwrap();
    assert_eq!(
        (sub.term_id.value, sub.parent.as_str(), sub.name.as_str()),
        (Some(30849), "aciform", "sub")
    );
    assert_eq!(sub.line, 340);
    let child2 = ch.categories.iter().find(|c| c.nicename == "child-2").unwrap();
    assert_eq!((child2.term_id.value, child2.parent.as_str()), (Some(1043329), "child-1"));
    // The RSS <image> is not modelled: kept as markup.
    assert_eq!(ch.unknown.len(), 1);
    assert!(ch.unknown[0].1.contains("<url>https://s2.wp.com/i/buttonw-com.png</url>"));
}

#[test]
fn theme_unit_test_data_sticky_post() {
    let (_, w) = read("theme-unit-test-data.xml");
    let it = by_id(&w, 1241);
    assert!(it.is_sticky);
    assert_eq!(it.title, "Template: Sticky");
    assert_eq!(it.post_name, "template-sticky");
    assert_eq!(
        (it.post_date.as_str(), it.post_date_gmt.as_str()),
        ("2012-01-07 07:07:21", "2012-01-07 14:07:21")
    );
    assert_eq!(it.creator, "themedemos");
    let terms: Vec<_> = it
        .terms
        .iter()
        .map(|t| (t.domain.as_str(), t.nicename.as_deref().unwrap(), t.name.as_str()))
        .collect();
    assert_eq!(
        terms,
        [
            ("category", "classic", "Classic"),
            ("post_tag", "sticky-2", "sticky"),
            ("post_tag", "template", "template"),
            ("category", "uncategorized", "Uncategorized"),
        ]
    );
}

#[test]
fn theme_unit_test_data_attachments_meta_and_password() {
    let (text, w) = read("theme-unit-test-data.xml");
    let a = by_id(&w, 611);
    assert_eq!(
        (a.post_type.as_str(), a.status.as_str(), a.post_parent.value),
        ("attachment", "inherit", Some(555))
    );
    let url = "https://wpthemetestdata.files.wordpress.com/2008/06/canola2.jpg";
    assert_eq!(a.attachment_url.as_deref(), Some(url));
    assert_eq!(a.meta("_wp_attachment_image_alt").unwrap().value, "canola");
    assert_eq!(a.meta("_attachment_original_parent_id").unwrap().value, "555");
    // Written with the closing tag on the next line: kept as written (the importer does
    // not trim it either).
    let b = by_id(&w, 616);
    let url = "https://wpthemetestdata.files.wordpress.com/2008/06/dsc20050727_091048_222.jpg";
    assert_eq!(b.attachment_url.as_deref(), Some(format!("{url}\n            ").as_str()));
    // The menu item "Menu CSS Class" (line 4891: `a:1:{i:0;s:21:"custom-menu-css-class";}`).
    let m = by_id(&w, 1144).meta("_menu_item_classes").unwrap();
    assert_eq!(m.decoded, Some(json!(["custom-menu-css-class"])));
    let p = by_id(&w, 1168);
    assert_eq!(p.post_password, "enter");
    // Whitespace before the CDATA section belongs to the value, so no span.
    let body = "This content, comments, pingbacks, and trackbacks should not be visible until \
                the password is entered.";
    assert_eq!(p.content.value, format!("\n                {body}"));
    assert_eq!(p.content.span, None);
    assert_eq!(&text[p.span.clone()][..6], "<item>");
}

#[test]
fn theme_unit_test_data_threaded_comments() {
    let (_, w) = read("theme-unit-test-data.xml");
    let it = by_id(&w, 1148);
    assert_eq!((it.title.as_str(), it.line), ("Template: Comments", 9183));
    // `grep -o '<wp:comment_id>…'` and `comment_parent` between lines 9183 and 9709.
    let pairs: Vec<_> =
        it.comments.iter().map(|c| (c.id.value.unwrap(), c.parent.value.unwrap())).collect();
    let expected = [
        (881, 0),
        (899, 0),
        (900, 0),
        (901, 0),
        (903, 0),
        (904, 0),
        (905, 904),
        (906, 905),
        (907, 906),
        (910, 907),
        (911, 910),
        (912, 911),
        (913, 912),
        (914, 913),
        (915, 914),
        (917, 0),
        (918, 0),
        (919, 0),
        (920, 0),
        (1015, 0),
    ];
    assert_eq!(pairs, expected);
    let greek = it.comments.iter().find(|c| c.id.value == Some(901)).unwrap();
    assert_eq!(greek.author, "John Γιανης Doe Κάποιος");
}

#[test]
fn every_corpus_file_parses() {
    let expect = [
        ("a11y-unit-test-data.xml", 154),
        ("cdata-edge.xml", 1),
        ("crazy-cdata.xml", 1),
        ("missing-version-tag.xml", 0),
        ("small-export.xml", 11),
        ("term-meta.xml", 0),
        ("theme-unit-test-data.xml", 186),
        ("valid-wxr-1.0.xml", 6),
        ("valid-wxr-1.1.xml", 2),
        ("wxr-comprehensive.xml", 2),
        ("wxr-utf-8-challenges.xml", 1),
    ];
    for (name, items) in expect {
        let (text, w) = read(name);
        assert_eq!(w.items.len(), items, "{name}");
        for it in &w.items {
            assert!(
                text[it.span.clone()].starts_with("<item")
                    && text[it.span.clone()].ends_with("</item>")
            );
            let texts = [&it.content, &it.excerpt]
                .into_iter()
                .chain(it.comments.iter().map(|c| &c.content));
            for t in texts {
                if let Some(span) = &t.span {
                    assert_eq!(&text[span.clone()], t.value, "{name} item {}", it.line);
                }
            }
        }
    }
    let dir = std::fs::read_dir(corpus("")).unwrap();
    assert_eq!(dir.count(), expect.len() + 1, "a corpus file is not covered");
}

#[test]
fn malformed_simple_fails_at_the_unclosed_item() {
    let bytes = std::fs::read(corpus("malformed-simple.xml")).unwrap();
    let e = parse(&bytes).unwrap_err();
    // `<item>` is on line 9, column 1; the file ends after line 13 without `</item>`.
    assert_eq!((e.line, e.column), (9, 1));
    assert!(e.message.contains("never closed"), "{e}");
}

#[test]
fn utf8_challenges_survive_byte_exact() {
    let (text, w) = read("wxr-utf-8-challenges.xml");
    // References decoded, literal characters untouched.
    assert_eq!(w.channel.title, "My WordPress Website 🚀 \u{202E}\u{202D}مرحبا");
    assert_eq!(w.channel.authors[0].login, "admin\u{200C}\u{200B}\u{200D}\u{200E}");
    // Inside CDATA, `&#x1F1FA;` is text.
    assert_eq!(w.channel.authors[0].last_name, "&#x1F1FA;&#x1F1F8;𝕌𝕟𝕚𝕔𝕠𝕕𝕖");
    let it = &w.items[0];
    let between = |open: &str, close: &str| {
        let start = text.find(open).unwrap() + open.len();
        &text[start..start + text[start..].find(close).unwrap()]
    };
    assert_eq!(it.content.value, between("<content:encoded><![CDATA[", "]]></content:encoded>"));
    assert_eq!(it.excerpt.value, between("<excerpt:encoded><![CDATA[", "]]></excerpt:encoded>"));
    assert!(it.content.value.contains("&#xD800;&#xDC00;"));
    assert_eq!(it.post_name, "hello-w\u{202E}orld\u{202C}-utf8-💫-test");
    assert_eq!(
        it.guid,
        "https://playground.internal/path/🚀/\u{202E}tsop\u{202C}/?p=1&test=💫\u{200C}\u{200B}\u{200D}\u{200E}"
    );
    assert_eq!(it.terms[0].nicename.as_deref(), Some("uncat\u{202E}egorized\u{202C}"));
    assert_eq!(
        it.meta("_special_chars").unwrap().value,
        "&#x202E;&#x202D;&#x200B;&#x200C;&#x200D;&#x2060;&#xFEFF;&#xFFFD;"
    );
    assert_eq!(it.postmeta.len(), 5);
    assert!(w.problems.is_empty(), "{:?}", w.problems);
}

#[test]
fn cdata_edge_cases_give_the_exact_text() {
    let (_, w) = read("cdata-edge.xml");
    assert_eq!(w.items[0].content.value, "ends with sequence ]] >");
    assert!(w.problems.is_empty());
    // Unescaped `]]>` inside CDATA: read as the importer's test expects
    // (wordpress-importer tests, `test_unescaped_cdata_closing_sequence`).
    let (text, w) = read("crazy-cdata.xml");
    let it = &w.items[0];
    assert_eq!(it.content.value, "Content with nested <![CDATA[ tags ]]> :)");
    assert_eq!(&text[it.content.span.clone().unwrap()], it.content.value);
    let meta: Vec<_> = it.postmeta.iter().map(|m| (m.key.as_str(), m.value.as_str())).collect();
    assert_eq!(
        meta,
        [
            ("Plain string", "Foo"),
            ("Closing CDATA", "]]>"),
            (
                "Alot of CDATA",
                "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"
            ),
        ]
    );
    assert_eq!(codes(&w), ["cdata-end-in-cdata"; 3]);
}

#[test]
fn wxr_1_0_and_1_1_files() {
    let (_, w) = read("valid-wxr-1.0.xml");
    assert_eq!(w.version.as_deref(), Some("1.0"));
    // `grep -c '<category domain="tag"'`: 8, of which 4 carry a nicename.
    let tags: Vec<_> = w
        .items
        .iter()
        .flat_map(|i| &i.terms)
        .filter(|t| t.domain_raw.as_deref() == Some("tag"))
        .collect();
    assert_eq!(tags.len(), 8);
    assert!(tags.iter().all(|t| t.domain == "post_tag"));
    assert_eq!(tags.iter().filter(|t| t.nicename.is_some()).count(), 4);
    let child = w.channel.categories.iter().find(|c| c.nicename == "child").unwrap();
    assert_eq!((child.parent.as_str(), child.term_id.value), ("parent", None));
    let (_, w) = read("valid-wxr-1.1.xml");
    assert_eq!(w.channel.terms[0].taxonomy, "post_tax");
    assert_eq!(w.channel.tags[0].description, "The Clippable post_tag");
    let hello = by_id(&w, 1);
    assert_eq!(hello.comments[0].author, "Mr WordPress");
    assert!(hello.comments[0].content.value.contains("post&#039;s comments"));
}

#[test]
fn missing_version_and_term_meta_files() {
    let (_, w) = read("missing-version-tag.xml");
    assert_eq!(w.version, None);
    assert_eq!(codes(&w), ["no-wxr-version"]);
    assert_eq!(w.problems[0].line, 27);
    assert_eq!(w.channel.authors[0].login, "john");
    let (_, w) = read("term-meta.xml");
    let t = &w.channel.terms[0];
    assert_eq!(
        (t.term_id.value, t.taxonomy.as_str(), t.slug.as_str()),
        (Some(100), "category", "news")
    );
    assert_eq!((t.meta[0].key.as_str(), t.meta[0].value.as_str()), ("legacy_id", "42"));
}

#[test]
fn comprehensive_file() {
    let (_, w) = read("wxr-comprehensive.xml");
    let post = by_id(&w, 1000);
    assert_eq!(post.excerpt.value, "An excerpt for comprehensive post");
    assert_eq!(post.terms.len(), 4);
    let c = &post.comments[0];
    assert_eq!((c.id.value, c.author_email.as_str()), (Some(5000), "commenter@example.com"));
    let meta: Vec<_> = c.meta.iter().map(|m| (m.key.as_str(), m.value.as_str())).collect();
    assert_eq!(meta, [("rating", "5"), ("note", "vip")]);
    let updates = &w.channel.categories[1];
    assert_eq!((updates.nicename.as_str(), updates.parent.as_str()), ("updates", "news"));
    assert_eq!(by_id(&w, 2000).comment_status, "closed");
}
