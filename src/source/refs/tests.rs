//! Tests of the refs module.

use super::*;
use std::time::{Duration, Instant};

/// Extracts and checks every span is a valid slice of `src`.
fn refs(src: &str) -> Vec<RawRef> {
    refs_masked(src, &[])
}

fn refs_masked(src: &str, masked: &[Range<usize>]) -> Vec<RawRef> {
    let out = extract(src, masked);
    for r in &out {
        assert!(src.get(r.span.clone()).is_some(), "bad span {r:?}");
    }
    assert!(out.windows(2).all(|w| w[0].span.start <= w[1].span.start));
    out
}

fn written(src: &str, r: &RawRef) -> String {
    src[r.span.clone()].to_owned()
}

fn one(src: &str) -> RawRef {
    let mut out = refs(src);
    assert_eq!(out.len(), 1, "{out:?}");
    out.remove(0)
}

#[test]
fn inline_link() {
    let src = "Voir [lien](/img/mini-guide-reussite-eig.pdf) ici.";
    let r = one(src);
    assert_eq!(r.kind, RefKind::Link);
    assert_eq!(r.target, "/img/mini-guide-reussite-eig.pdf");
    assert_eq!(written(src, &r), r.target);
    assert_eq!(r.text.as_deref(), Some("lien"));
}

#[test]
fn link_destination_on_next_line() {
    let src = "Le [guide\n](https://www.cnil.fr/sites/default/files/atoms/files/guide_open_data.pdf) de la CNIL";
    let r = one(src);
    assert_eq!(r.target, "https://www.cnil.fr/sites/default/files/atoms/files/guide_open_data.pdf");
    assert_eq!(written(src, &r), r.target);
    assert_eq!(r.text.as_deref(), Some("guide"));
}

#[test]
fn percent_encoding_kept() {
    let src =
        "[Questionnaire](https://github.com/x/blob/master/docs/Questionnaire%20-%20EIG%203.pdf)";
    let r = one(src);
    assert_eq!(r.target, "https://github.com/x/blob/master/docs/Questionnaire%20-%20EIG%203.pdf");
    assert_eq!(written(src, &r), r.target);
}

#[test]
fn image_without_alt() {
    let src = "![](img/eig4-adex.svg)";
    let r = one(src);
    assert_eq!(r.kind, RefKind::Image);
    assert_eq!(r.target, "img/eig4-adex.svg");
    assert_eq!(written(src, &r), r.target);
    assert_eq!(r.text, None);
}

#[test]
fn image_with_alt_and_title() {
    let src = "![Logo **EIG**](/img/logo.png \"Le logo\")";
    let r = one(src);
    assert_eq!(r.text.as_deref(), Some("Logo EIG"));
    assert_eq!(written(src, &r), "/img/logo.png");
}

#[test]
fn angle_destination_with_spaces() {
    let src = "[x](<url with spaces.pdf>)";
    let r = one(src);
    assert_eq!(r.target, "url with spaces.pdf");
    assert_eq!(written(src, &r), "url with spaces.pdf");
}

#[test]
fn destination_with_title() {
    let src = "[x](url \"title\")";
    let r = one(src);
    assert_eq!(r.target, "url");
    assert_eq!(r.span, 4..7);
}

#[test]
fn link_text_containing_destination() {
    let src = "[https://a.fr](https://a.fr)";
    let r = one(src);
    assert_eq!(r.span, 15..27);
    assert_eq!(r.text.as_deref(), Some("https://a.fr"));
}

#[test]
fn escaped_destination_falls_back_to_construct() {
    let src = "a [x](/a\\_b.pdf) b";
    let r = one(src);
    assert_eq!(r.target, "/a_b.pdf");
    assert_eq!(written(src, &r), "[x](/a\\_b.pdf)");
}

#[test]
fn reference_style_links() {
    let src = "Un [texte][Ref], un [ref] et [ref][].\n\n[ref]: /docs/a.pdf \"Titre\"\n[unused]: <https://x.fr/b c>\n";
    let out = refs(src);
    let def_span = src.find("/docs/a.pdf").map(|i| i..i + 11).unwrap();
    let links: Vec<_> = out.iter().filter(|r| r.kind == RefKind::Link).collect();
    assert_eq!(links.len(), 3);
    for l in &links {
        assert_eq!(l.span, def_span);
        assert_eq!(l.target, "/docs/a.pdf");
    }
    let texts: Vec<_> = links.iter().map(|l| l.text.as_deref().unwrap()).collect();
    assert_eq!(texts, ["texte", "ref", "ref"]);
    let defs: Vec<_> = out.iter().filter(|r| r.kind == RefKind::LinkDefinition).collect();
    assert_eq!(defs.len(), 2);
    assert_eq!(defs[0].span, def_span);
    assert_eq!(defs[1].target, "https://x.fr/b c");
    assert_eq!(written(src, defs[1]), "https://x.fr/b c");
}

#[test]
fn reference_image_and_definition_in_quote() {
    let src = "![alt][img]\n\n> [img]:\n> /img/a.png\n";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|r| written(src, r) == "/img/a.png"));
    assert_eq!(out[0].kind, RefKind::Image);
    assert_eq!(out[1].kind, RefKind::LinkDefinition);
}

#[test]
fn autolinks() {
    let src = "Écrire à <contact@x.fr> ou <https://x.fr/a>.";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|r| r.kind == RefKind::Autolink));
    assert_eq!(out[0].target, "contact@x.fr");
    assert_eq!(written(src, &out[1]), "https://x.fr/a");
}

#[test]
fn iframe_in_html_block() {
    let src = "Intro\n\n<iframe frameborder=\"0\" width=\"640\" height=\"480\" src=\"https://www.dailymotion.com/embed/video/x75h2pz\" allowfullscreen allow=\"autoplay\"></iframe>\n";
    let r = one(src);
    assert_eq!(r.kind, RefKind::Iframe);
    assert_eq!(r.target, "https://www.dailymotion.com/embed/video/x75h2pz");
    assert_eq!(written(src, &r), r.target);
}

#[test]
fn multiline_html_block_not_reported_twice() {
    let src = "<div class=\"v\">\n<iframe title=\"Vidéo\"\n  src=\"https://player.vimeo.com/video/1\">\n</iframe>\n<a href=\"/a.pdf\"><b>Le</b>\n PDF &amp; co</a>\n</div>\n";
    let out = refs(src);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(out[0].kind, RefKind::Iframe);
    assert_eq!(out[0].text.as_deref(), Some("Vidéo"));
    assert_eq!(out[1].kind, RefKind::HtmlHref);
    assert_eq!(out[1].text.as_deref(), Some("Le PDF & co"));
}

#[test]
fn inline_anchor_in_paragraph() {
    let src = "Voir <a href=\"/img/x.pdf\" target=\"_blank\">texte *gras*</a> et https://x.fr.";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].kind, RefKind::HtmlHref);
    assert_eq!(out[0].target, "/img/x.pdf");
    assert_eq!(written(src, &out[0]), "/img/x.pdf");
    assert_eq!(out[0].text.as_deref(), Some("texte gras"));
    assert_eq!(out[1].kind, RefKind::BareUrl);
    assert_eq!(out[1].target, "https://x.fr");
}

#[test]
fn img_src_and_srcset() {
    let src = "<img src='/img/a.png' srcset=\"/img/a-2x.png 2x, /img/a-3x.png 3x\" alt=\"A\">";
    let out = refs(src);
    let got: Vec<_> = out.iter().map(|r| (r.kind, r.target.as_str(), written(src, r))).collect();
    assert_eq!(
        got,
        [
            (RefKind::HtmlSrc, "/img/a.png", "/img/a.png".to_owned()),
            (RefKind::HtmlSrc, "/img/a-2x.png", "/img/a-2x.png".to_owned()),
            (RefKind::HtmlSrc, "/img/a-3x.png", "/img/a-3x.png".to_owned()),
        ]
    );
    assert!(out.iter().all(|r| r.text.as_deref() == Some("A")));
}

#[test]
fn srcset_edge_cases() {
    // As in the HTML spec, a comma inside a URL does not split it.
    let v = "a.png, b.png 2x,c(1).png 100w ,  ,d,e.png,, f.png,";
    let urls: Vec<_> = srcset_urls(v).into_iter().map(|r| &v[r]).collect();
    assert_eq!(urls, ["a.png", "b.png", "c(1).png", "d,e.png", "f.png"]);
}

#[test]
fn html_attributes_forms_and_entities() {
    let src = "<VIDEO POSTER=/p.jpg controls><SOURCE Src = \" /v.mp4 \"></VIDEO>\n<object data='/o.svg'></object>\n<link href=\"/a?x=1&amp;y=&#39;2&#x27;\">\n";
    let out = refs(src);
    let got: Vec<_> = out.iter().map(|r| (r.kind, r.target.as_str())).collect();
    assert_eq!(
        got,
        [
            (RefKind::HtmlSrc, "/p.jpg"),
            (RefKind::HtmlSrc, "/v.mp4"),
            (RefKind::HtmlSrc, "/o.svg"),
            (RefKind::HtmlHref, "/a?x=1&y='2'"),
        ]
    );
    assert_eq!(written(src, &out[1]), "/v.mp4");
    assert_eq!(written(src, &out[3]), "/a?x=1&amp;y=&#39;2&#x27;");
}

#[test]
fn html_comments_and_scripts_skipped() {
    let src = "<!-- <img src=\"/old.png\"> -->\n\nTexte <!-- <a href=\"/x\"> --> fin\n\n<script src=\"/s.js\">var s = '<img src=\"/no.png\">';</script>\n";
    let out = refs(src);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].target, "/s.js");
}

#[test]
fn other_tags_ignored() {
    let src = "<div data-src=\"/a\" href=\"/b\"><span src=\"/c\"></span></div>\n";
    assert!(refs(src).is_empty());
}

#[test]
fn bare_urls() {
    let src = "https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nRegardez https://www.youtube.com/watch?v=dQw4w9WgXcQ.\n";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    for r in &out {
        assert_eq!(r.kind, RefKind::BareUrl);
        assert_eq!(r.target, "https://www.youtube.com/watch?v=dQw4w9WgXcQ");
        assert_eq!(written(src, r), r.target);
    }
}

#[test]
fn bare_url_punctuation_and_parentheses() {
    let cases = [
        ("(voir https://x.fr/a)", "https://x.fr/a"),
        (
            "voir https://fr.wikipedia.org/wiki/Foo_(bar)).",
            "https://fr.wikipedia.org/wiki/Foo_(bar)",
        ),
        ("voir https://x.fr/a?b=1;!", "https://x.fr/a?b=1"),
        ("« https://x.fr/é »", "https://x.fr/é"),
        ("[https://x.fr/b]", "https://x.fr/b"),
        ("https://x.fr/a\\_b", "https://x.fr/a_b"),
        ("HTTP://X.FR", "HTTP://X.FR"),
    ];
    for (src, want) in cases {
        let r = one(src);
        assert_eq!(r.kind, RefKind::BareUrl, "{src}");
        assert_eq!(r.target, want, "{src}");
    }
    assert!(refs("https:// and xhttps://x.fr").is_empty());
}

#[test]
fn code_is_not_scanned() {
    let src = "`https://x.fr` and `[a](b)`\n\n```\nhttps://y.fr [c](d) <img src=\"e\">\n```\n\n    https://z.fr\n";
    assert!(refs(src).is_empty());
}

#[test]
fn links_in_tables_and_quotes() {
    let src = "| Doc | Lien |\n|---|---|\n| A | [pdf](/a.pdf) |\n\n> * les [déclarations](https://dpi.sante.gouv.fr/a)\n";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert_eq!(written(src, &out[0]), "/a.pdf");
    assert_eq!(written(src, &out[1]), "https://dpi.sante.gouv.fr/a");
    assert_eq!(out[1].text.as_deref(), Some("déclarations"));
}

#[test]
fn multibyte_text_before_link() {
    let src = "Été — «données» ✓ 日本 [lien](/é/à.pdf) puis https://x.fr/ç";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert_eq!(written(src, &out[0]), "/é/à.pdf");
    assert_eq!(written(src, &out[1]), "https://x.fr/ç");
}

#[test]
fn crlf_line_endings() {
    let src =
        "Para [a](/a.pdf)\r\nhttps://x.fr/b\r\n\r\n[r]: /r.pdf\r\n\r\n<img\r\n src=\"/i.png\">\r\n";
    let out = refs(src);
    let got: Vec<_> = out.iter().map(|r| (r.kind, written(src, r))).collect();
    assert_eq!(
        got,
        [
            (RefKind::Link, "/a.pdf".to_owned()),
            (RefKind::BareUrl, "https://x.fr/b".to_owned()),
            (RefKind::LinkDefinition, "/r.pdf".to_owned()),
            (RefKind::HtmlSrc, "/i.png".to_owned()),
        ]
    );
}

#[test]
fn masked_shortcodes() {
    let sc = "{{< arrow-link url=\"https://x.fr\" >}}";
    let src = format!("{sc}\n\nTexte {sc} et [a](/a.pdf).\n");
    let second = src.rfind(sc).unwrap();
    let masked = [0..sc.len(), second..second + sc.len()];
    let out = refs_masked(&src, &masked);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].target, "/a.pdf");
    // Unmasked, the shortcode's URL is a bare URL.
    assert_eq!(refs(&src).len(), 3);
}

#[test]
fn masked_shortcode_opening_a_line_keeps_paragraph() {
    let src = "{{< icon \"pdf\" >}} [Guide](/g.pdf) https://x.fr\n\n> {{< icon >}} [b](/b)\n";
    let first = src.find(">}}").unwrap() + 3;
    let q = src.rfind("{{<").unwrap();
    let out = refs_masked(src, &[0..first, q..q + 12]);
    let got: Vec<_> = out.iter().map(|r| (r.kind, r.target.as_str(), r.text.as_deref())).collect();
    assert_eq!(
        got,
        [
            (RefKind::Link, "/g.pdf", Some("Guide")),
            (RefKind::BareUrl, "https://x.fr", None),
            (RefKind::Link, "/b", Some("b")),
        ]
    );
}

#[test]
fn many_masked_shortcodes_on_one_line() {
    // 50,000 shortcodes on one line, the link after them: each range used to rescan its line,
    // which took minutes here (hostile-site suite, 10,000 nested shortcodes).
    let sc = "{{< x >}}";
    let src = format!("{}[a](/a.pdf)\n", sc.repeat(50_000));
    let masked: Vec<Range<usize>> =
        (0..50_000).map(|i| i * sc.len()..(i + 1) * sc.len()).rev().collect();
    let out = refs_masked(&src, &masked);
    assert_eq!(out.len(), 1);
    assert_eq!((out[0].target.as_str(), written(&src, &out[0])), ("/a.pdf", "/a.pdf".to_string()));
}

#[test]
fn bad_masks_do_not_panic() {
    let src = "é [a](/a) ü";
    let out = refs_masked(src, &[1..2, 100..200, Range { start: 5, end: 3 }, 12..usize::MAX]);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].target, "/a");
}

#[test]
fn nested_image_in_link() {
    let src = "[![Vidéo](/img/thumb.jpg)](https://youtu.be/dQw4w9WgXcQ)";
    let out = refs(src);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].kind, RefKind::Image);
    assert_eq!(written(src, &out[0]), "/img/thumb.jpg");
    assert_eq!(out[1].kind, RefKind::Link);
    assert_eq!(out[1].text.as_deref(), Some("Vidéo"));
    assert_eq!(written(src, &out[1]), "https://youtu.be/dQw4w9WgXcQ");
}

#[test]
fn entities_decoded() {
    assert_eq!(decode_entities("a&amp;b&lt;&gt;&quot;&#39;&#x41;"), "a&b<>\"'A");
    assert_eq!(decode_entities("&nope; & &#0; &#xZZ; &"), "&nope; & &#0; &#xZZ; &");
}

#[test]
fn malformed_input_never_panics() {
    let nasty = "[a](<b\n<a href=\"x\n<img src=é <iframe src='\u{1F600}\n<!-- x\n![[]](\n[r]: \n<a\nhref=\n\"é\">\n\n[x]: <\n`` ` https://é ( ) ] [\\\n<script>\n|a|\n|-|\n|[b](c\\|d)|\n";
    for end in 0..=nasty.len() {
        if let Some(s) = nasty.get(..end) {
            refs(s);
            let masks: Vec<Range<usize>> = (0..end).step_by(7).map(|i| i..i + 3).collect();
            refs_masked(s, &masks);
        }
    }
}

#[test]
fn large_body_is_fast() {
    let block = "## Titre\n\nUn [lien](/img/a.pdf) et https://x.fr/b, ![i](i.png) <a href=\"/c\">c</a>.\n\n<div><img src=\"/d.png\"></div>\n\n> [ref][r] `code https://no`\n\n[r]: /r.pdf\n\n";
    let n = 5_000_000 / block.len() + 1;
    let src = block.repeat(n);
    let start = Instant::now();
    let out = extract(&src, &[]);
    // Link, bare URL, image, anchor, img, ref link; the definition only once.
    assert_eq!(out.len(), n * 6 + 1);
    assert!(start.elapsed() < Duration::from_secs(30));
    let long_line = "x https://a.fr/( ".repeat(300_000);
    let start = Instant::now();
    assert_eq!(extract(&long_line, &[]).len(), 300_000);
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn extraction_stops_past_the_maximum() {
    let src = "[a](1.pdf)\n".repeat(10);
    let found = extract_at_most(&src, &[], 3);
    assert_eq!(found.refs.len(), 3);
    assert_eq!(found.refs, extract(&src, &[])[..3]);
    assert_eq!(found.cut, Some(3 * 11 + 4), "the 4th link's target");
    assert_eq!(extract_at_most(&src, &[], 10).cut, None, "exactly the maximum is no cut");
    // HTML and bare URLs count too, even all in one block or one line.
    let html = format!("<div>\n{}</div>\n", "<img src=\"a.png\">\n".repeat(10));
    assert_eq!(extract_at_most(&html, &[], 3).refs.len(), 3);
    let bare = "https://a.fr/x.pdf ".repeat(10);
    assert_eq!(extract_at_most(&bare, &[], 3).cut, Some(3 * 19));
}

#[test]
fn long_pages_are_read_by_growing_prefixes_to_the_end() {
    // Past the first prefix: the last link and a reference-style one defined before it.
    let mut src = "[d]: /d.pdf\n\nSome text.\n\n".repeat(FIRST_PREFIX / 20);
    src.push_str("A [late](/late.pdf) and a [defined][d] link.\n");
    assert!(src.len() > FIRST_PREFIX);
    let found = extract_at_most(&src, &[], usize::MAX - 1);
    assert_eq!(found.cut, None);
    assert_eq!(found.refs, extract(&src, &[]));
    let has = |kind, target| found.refs.iter().any(|r| r.kind == kind && r.target == target);
    assert!(has(RefKind::Link, "/late.pdf") && has(RefKind::Link, "/d.pdf"));
    // A dense page stops within the first prefix.
    let dense = "[a](b.pdf)\n".repeat(FIRST_PREFIX / 5);
    let found = extract_at_most(&dense, &[], 1000);
    assert_eq!((found.refs.len(), found.cut), (1000, Some(1000 * 11 + 4)));
}
