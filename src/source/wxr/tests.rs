//! Tests of the WXR reader: hand-written fixtures for each rule here, the real corpus in
//! `corpus.rs`.

use super::*;
use serde_json::json;

mod corpus;

const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Site</title>
<wp:wxr_version>1.2</wp:wxr_version>
<wp:base_site_url> https://old.example.org </wp:base_site_url>
"#;
const TAIL: &str = "</channel>\n</rss>\n";

fn doc(items: &str) -> String {
    format!("{HEAD}{items}{TAIL}")
}

fn ok(xml: &str) -> Wxr {
    parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
}

fn item(id: u64, body: &str) -> String {
    format!("<item><wp:post_id>{id}</wp:post_id>{body}</item>\n")
}

/// 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not found"));
    text[..at].matches('\n').count() + 1
}

fn codes(w: &Wxr) -> Vec<&'static str> {
    w.problems.iter().map(|p| p.code).collect()
}

#[test]
fn channel_header() {
    let w = ok(&doc(""));
    assert_eq!(w.version.as_deref(), Some("1.2"));
    assert_eq!(w.channel.title, "Site");
    // The importer trims the base URL.
    assert_eq!(w.channel.base_site_url, "https://old.example.org");
    assert!(w.items.is_empty() && w.problems.is_empty(), "{:?}", w.problems);
}

#[test]
fn bad_item_among_good_ones_is_left_out_and_reported() {
    let xml = doc(&[
        item(1, "<title>One</title>"),
        item(2, "<title>Two\n<wp:status>publish</wp:status>"),
        item(3, "<title>Three</title>"),
    ]
    .concat());
    let w = ok(&xml);
    let ids: Vec<_> = w.items.iter().map(|i| i.post_id.value).collect();
    assert_eq!(ids, [Some(1), Some(3)]);
    assert_eq!(w.items[1].index, 2);
    assert_eq!(w.items[1].title, "Three");
    let [p] = w.problems.as_slice() else { panic!("{:?}", w.problems) };
    assert_eq!((p.code, p.item, p.post_id.as_deref()), ("bad-item", Some(1), Some("2")));
    // Reported at the `</item>` that comes before `</title>`, in file coordinates.
    let end = xml.find("publish</wp:status></item>").unwrap() + "publish</wp:status>".len();
    assert_eq!(p.line, line_of(&xml, "<title>Two") + 1);
    assert_eq!(p.line, line_of(&xml, "publish</wp:status></item>"));
    let line_start = xml[..end].rfind('\n').unwrap() + 1;
    assert_eq!(p.column, end - line_start + 1);
    assert!(p.message.contains("`<title>`"), "{}", p.message);
}

#[test]
fn unclosed_item_before_the_next_one() {
    let xml = doc(&format!("<item><wp:post_id>1</wp:post_id>\n{}", item(2, "")));
    let w = ok(&xml);
    assert_eq!(w.items.len(), 1);
    assert_eq!(w.items[0].post_id.value, Some(2));
    assert_eq!(codes(&w), ["unclosed-item"]);
    assert_eq!((w.problems[0].line, w.problems[0].column), (line_of(&xml, "<item>"), 1));
}

#[test]
fn item_inside_cdata_or_comment_is_not_an_item() {
    let body = "<content:encoded><![CDATA[a </item><item> b]]></content:encoded>\
                <!-- <item> -->";
    let w = ok(&doc(&item(1, body)));
    assert_eq!(w.items.len(), 1);
    assert_eq!(w.items[0].content.value, "a </item><item> b");
}

#[test]
fn span_and_line_of_an_item() {
    let xml = doc(&format!("{}{}", item(1, ""), item(2, "<title>é</title>")));
    let w = ok(&xml);
    let second = &w.items[1];
    assert_eq!(&xml[second.span.clone()], item(2, "<title>é</title>").trim_end());
    assert_eq!(second.line, line_of(&xml, "<item><wp:post_id>2"));
}

#[test]
fn unknown_children_are_kept() {
    let body = "<wfw:commentRss>https://x.test/feed/</wfw:commentRss>\
                <enclosure url=\"https://x.test/a.mp3\" length=\"1\" type=\"audio/mpeg\"/>\
                <wp:new_field>v</wp:new_field>";
    let w = ok(&doc(&item(1, body)));
    assert_eq!(
        w.items[0].unknown,
        [
            ("wfw:commentRss".to_owned(), "https://x.test/feed/".to_owned()),
            (
                "enclosure".to_owned(),
                "<enclosure url=\"https://x.test/a.mp3\" length=\"1\" type=\"audio/mpeg\"/>"
                    .to_owned()
            ),
            ("wp:new_field".to_owned(), "v".to_owned()),
        ]
    );
}

#[test]
fn cdata_content_has_a_span_into_the_file() {
    let xml = doc(&item(1, "<content:encoded><![CDATA[<p>Hi & bye</p>]]></content:encoded>"));
    let w = ok(&xml);
    let c = &w.items[0].content;
    assert_eq!(c.value, "<p>Hi & bye</p>");
    assert_eq!(&xml[c.span.clone().unwrap()], c.value);
}

#[test]
fn plain_text_has_a_span_and_entities_do_not() {
    let xml = doc(&item(
        1,
        "<excerpt:encoded>plain</excerpt:encoded>\
         <content:encoded>&lt;p&gt;Hi &amp; bye&#x21;&#33;&lt;/p&gt;</content:encoded>",
    ));
    let w = ok(&xml);
    let it = &w.items[0];
    assert_eq!(it.content.value, "<p>Hi & bye!!</p>");
    assert_eq!(it.content.span, None);
    assert_eq!(&xml[it.excerpt.span.clone().unwrap()], "plain");
}

#[test]
fn split_cdata_is_joined() {
    // What WordPress writes for a body holding `]]>`.
    let xml = doc(&item(1, "<content:encoded><![CDATA[a ]]]]><![CDATA[> b]]></content:encoded>"));
    let w = ok(&xml);
    assert_eq!(w.items[0].content.value, "a ]]> b");
    assert_eq!(w.items[0].content.span, None);
    assert!(w.problems.is_empty(), "{:?}", w.problems);
}

#[test]
fn empty_and_absent_text() {
    let xml = doc(&item(1, "<content:encoded><![CDATA[]]></content:encoded><description/>"));
    let w = ok(&xml);
    let it = &w.items[0];
    assert_eq!(it.content.value, "");
    assert_eq!(it.content.span.as_ref().map(|s| s.len()), Some(0));
    assert_eq!(it.excerpt, Text::default());
    assert_eq!(it.attachment_url, None);
}

#[test]
fn bad_references_are_kept_and_reported() {
    let w = ok(&doc(&item(1, "<title>Tom &amp; Jerry &nbsp; &#0; & co</title>")));
    assert_eq!(w.items[0].title, "Tom & Jerry &nbsp; &#0; & co");
    assert_eq!(codes(&w), ["bad-reference"; 3]);
}

#[test]
fn wxr_1_0_tag_domain_and_terms_without_nicename() {
    let body = "<category><![CDATA[Uncategorized]]></category>\
                <category domain=\"tag\" nicename=\"news\"><![CDATA[News]]></category>\
                <category domain=\"genre\" nicename=\"sf\">SF</category>";
    let w = ok(&doc(&item(1, body)));
    let terms = &w.items[0].terms;
    assert_eq!(terms.len(), 3);
    assert_eq!((terms[0].domain.as_str(), terms[0].nicename.as_deref()), ("", None));
    assert_eq!(terms[0].name, "Uncategorized");
    assert_eq!(terms[1].domain, "post_tag");
    assert_eq!(terms[1].domain_raw.as_deref(), Some("tag"));
    assert_eq!((terms[1].nicename.as_deref(), terms[1].name.as_str()), (Some("news"), "News"));
    assert_eq!((terms[2].domain.as_str(), terms[2].name.as_str()), ("genre", "SF"));
}

#[test]
fn missing_wxr_version_is_a_problem_not_an_error() {
    let xml = doc("").replace("<wp:wxr_version>1.2</wp:wxr_version>\n", "");
    let w = ok(&xml);
    assert_eq!(w.version, None);
    assert_eq!(codes(&w), ["no-wxr-version"]);
    assert_eq!(w.problems[0].line, line_of(&xml, "<channel>"));
    let bad = ok(&doc("").replace(">1.2<", "> 1.2 beta <"));
    assert_eq!(bad.version.as_deref(), Some("1.2 beta"));
    assert_eq!(codes(&bad), ["bad-wxr-version"]);
}

#[test]
fn draft_with_zero_gmt_date() {
    let body = "<wp:post_date><![CDATA[2024-06-05 18:04:48]]></wp:post_date>\
                <wp:post_date_gmt><![CDATA[0000-00-00 00:00:00]]></wp:post_date_gmt>\
                <wp:status><![CDATA[draft]]></wp:status>";
    let w = ok(&doc(&item(1, body)));
    let it = &w.items[0];
    assert_eq!(it.post_date_gmt, "0000-00-00 00:00:00");
    assert_eq!(parse_date(&it.post_date_gmt), None);
    let local = parse_date(&it.post_date).unwrap();
    assert_eq!((local.year(), local.hour(), local.second()), (2024, 18, 48));
    assert!(w.problems.is_empty());
}

#[test]
fn password_protected_post() {
    let body = "<wp:post_password><![CDATA[s3cret]]></wp:post_password>\
                <wp:is_sticky>1</wp:is_sticky>";
    let it = &ok(&doc(&item(1, body))).items[0];
    assert_eq!(it.post_password, "s3cret");
    assert!(it.is_sticky);
}

#[test]
fn serialized_postmeta() {
    let meta = |k: &str, v: &str| {
        format!(
            "<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value><![CDATA[{v}]]></wp:meta_value></wp:postmeta>"
        )
    };
    let body = [
        meta("_wp_attached_file", "2024/06/spec.pdf"),
        meta("sizes", r#"a:2:{s:5:"width";i:640;s:4:"file";s:8:"a-é.jpg";}"#),
        meta("object", r#"O:8:"stdClass":1:{s:1:"a";i:1;}"#),
        meta("replaced", r#"a:1:{i:0;s:18:"https://new.example.org";}"#),
    ]
    .concat();
    let w = ok(&doc(&item(1, &body)));
    let it = &w.items[0];
    assert_eq!(it.meta("_wp_attached_file").unwrap().value, "2024/06/spec.pdf");
    assert_eq!(it.meta("_wp_attached_file").unwrap().decoded, None);
    assert_eq!(it.meta("sizes").unwrap().decoded, Some(json!({"width": 640, "file": "a-é.jpg"})));
    let object = it.meta("object").unwrap();
    assert_eq!(
        (object.value.as_str(), &object.decoded),
        (r#"O:8:"stdClass":1:{s:1:"a";i:1;}"#, &None)
    );
    assert_eq!(it.meta("replaced").unwrap().decoded, None);
}

#[test]
fn comments_with_meta_and_parent() {
    let body = "<wp:comment><wp:comment_id>7</wp:comment_id>\
                <wp:comment_author><![CDATA[Ann]]></wp:comment_author>\
                <wp:comment_author_IP>127.0.0.1</wp:comment_author_IP>\
                <wp:comment_content><![CDATA[Hi]]></wp:comment_content>\
                <wp:comment_approved>1</wp:comment_approved>\
                <wp:comment_parent>3</wp:comment_parent>\
                <wp:comment_user_id>0</wp:comment_user_id>\
                <wp:commentmeta><wp:meta_key>rating</wp:meta_key><wp:meta_value>5</wp:meta_value></wp:commentmeta>\
                </wp:comment>";
    let it = &ok(&doc(&item(1, body))).items[0];
    let [c] = it.comments.as_slice() else { panic!() };
    assert_eq!((c.id.value, c.parent.value, c.user_id.value), (Some(7), Some(3), Some(0)));
    assert_eq!((c.author.as_str(), c.author_ip.as_str()), ("Ann", "127.0.0.1"));
    assert_eq!((c.content.value.as_str(), c.approved.as_str()), ("Hi", "1"));
    assert_eq!((c.meta[0].key.as_str(), c.meta[0].value.as_str()), ("rating", "5"));
}

#[test]
fn numbers_keep_the_text() {
    let body = "<wp:post_parent> 12 </wp:post_parent><wp:menu_order>-3</wp:menu_order>\
                <wp:comment_status>open</wp:comment_status>";
    let mut xml = doc(&item(1, body));
    xml = xml.replace("<wp:post_id>1<", "<wp:post_id>x1<");
    let w = ok(&xml);
    let it = &w.items[0];
    assert_eq!((it.post_id.raw.as_str(), it.post_id.value), ("x1", None));
    assert_eq!((it.post_parent.raw.as_str(), it.post_parent.value), (" 12 ", Some(12)));
    assert_eq!(it.menu_order.value, Some(-3));
    assert_eq!(codes(&w), ["not-a-number"]);
}

#[test]
fn first_of_repeated_fields_wins() {
    let w = ok(&doc(&item(1, "<title>A</title><title>B</title>")));
    assert_eq!(w.items[0].title, "A");
    assert_eq!(w.items[0].unknown, [("title".to_owned(), "B".to_owned())]);
    assert_eq!(codes(&w), ["duplicate-field"]);
}

#[test]
fn namespaces_by_uri_and_by_prefix() {
    // Another prefix for the wp URI (https, as theme-unit-test-data.xml writes it).
    let xml = r#"<rss xmlns:w="https://wordpress.org/export/1.1/"><channel>
<w:wxr_version>1.1</w:wxr_version>
<item><w:post_id>5</w:post_id><dc:creator>ann</dc:creator><content:encoded>x</content:encoded></item>
</channel></rss>"#;
    let w = ok(xml);
    assert_eq!(w.version.as_deref(), Some("1.1"));
    let it = &w.items[0];
    assert_eq!(
        (it.post_id.value, it.creator.as_str(), it.content.value.as_str()),
        (Some(5), "ann", "x")
    );
    // dc and content are undeclared: read by prefix, reported once each.
    assert_eq!(codes(&w), ["undeclared-prefix", "undeclared-prefix"]);
    // A prefix bound to an unrelated URI is not WordPress's.
    let other = ok(&doc(&item(1, "<x:post_name xmlns:x=\"urn:other\">n</x:post_name>")));
    assert_eq!(other.items[0].post_name, "");
    assert_eq!(other.items[0].unknown[0].0, "x:post_name");
}

#[test]
fn markup_in_a_field_is_kept_raw() {
    let xml = doc(&item(1, "<content:encoded><p>Hi <b>there</b></p></content:encoded>"));
    let w = ok(&xml);
    assert_eq!(w.items[0].content.value, "<p>Hi <b>there</b></p>");
    assert_eq!(&xml[w.items[0].content.span.clone().unwrap()], w.items[0].content.value);
    assert_eq!(codes(&w), ["markup-in-field"]);
}

#[test]
fn whole_file_errors() {
    let err = |xml: &[u8]| parse(xml).expect_err("should fail");
    let e =
        err(b"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [<!ENTITY x \"y\">]>\n<rss><channel/></rss>");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("DOCTYPE"), "{e}");
    let e = err(b"<?xml version=\"1.0\"?>\n<feed><entry/></feed>");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("not a WordPress export"), "{e}");
    let e = err(b"<rss><title>no channel</title></rss>");
    assert!(e.message.contains("no `<channel>`"), "{e}");
    // Invalid UTF-8 after two-byte characters: the column counts characters (16 + 2).
    let e = err(b"<rss>\n<channel><title>\xC3\xA9\xC3\xA9\xFF</title></channel></rss>");
    assert_eq!((e.line, e.column), (2, 19));
    let e = err(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss>\xE9</rss>");
    assert!(e.message.contains("ISO-8859-1"), "{e}");
    let e = err(b"\xFF\xFE<\0r\0");
    assert!(e.message.contains("UTF-16"), "{e}");
    // Broken outside the items.
    let e = err(doc("<wp:author><wp:author_login>a</wp:author></wp:author>").as_bytes());
    assert!(e.message.contains("`</wp:author>` found where `</wp:author_login>`"), "{e}");
    let e = err(b"<rss><channel><title><![CDATA[x</title></channel></rss>");
    assert!(e.message.contains("CDATA section is never closed"), "{e}");
    let e = err(b"");
    assert_eq!((e.line, e.column), (1, 1));
    // A BOM is fine.
    assert!(parse(format!("\u{feff}{}", doc("")).as_bytes()).is_ok());
}

#[test]
fn hostile_nesting_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let e = parse(doc(&item(1, &deep)).as_bytes()).unwrap();
    assert_eq!(codes(&e), ["bad-item"]);
    assert!(parse(format!("<rss>{deep}</rss>").as_bytes()).is_err());
}

#[test]
fn stray_end_and_item_outside_channel() {
    let xml = doc(&format!("{}</item>\n{}", item(1, ""), item(2, "")))
        .replace("</channel>", "</channel>\n<item><wp:post_id>3</wp:post_id></item>");
    let w = ok(&xml);
    let found: Vec<_> = w.items.iter().map(|i| (i.index, i.post_id.value)).collect();
    assert_eq!(found, [(0, Some(1)), (1, Some(2))]);
    assert_eq!(codes(&w), ["stray-end-tag", "item-outside-channel"]);
    assert_eq!(w.problems[1].item, Some(2));
}

#[test]
fn no_panic_on_any_prefix_or_mangled_byte() {
    let xml = doc(&[
        item(1, "<title>A &amp; B</title><content:encoded><![CDATA[x]]]]><![CDATA[>y]]></content:encoded>"),
        item(2, "<category domain=\"tag\" nicename=\"n\">N</category><wp:postmeta><wp:meta_key>k</wp:meta_key><wp:meta_value>a:1:{i:0;s:1:\"é\";}</wp:meta_value></wp:postmeta>"),
    ]
    .concat());
    let bytes = xml.as_bytes();
    for cut in 0..bytes.len() {
        let _ = parse(&bytes[..cut]);
    }
    for at in 0..bytes.len() {
        for b in [b'<', b'>', b'&', b'"', b'/', 0xFF] {
            let mut m = bytes.to_vec();
            m[at] = b;
            let _ = parse(&m);
        }
    }
}
