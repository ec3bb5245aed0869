//! Tests of the WordPress body parser.

use super::*;

/// Parses `src`, checks the structural invariants and returns the result.
fn parsed(src: &str) -> Parsed {
    let p = parse(src);
    check_invariants(src, &p);
    p
}

fn text<'a>(src: &'a str, span: &Range<usize>) -> &'a str {
    &src[span.clone()]
}

fn opt_text<'a>(src: &'a str, span: &Option<Range<usize>>) -> Option<&'a str> {
    span.as_ref().map(|s| &src[s.clone()])
}

fn errors_at(p: &Parsed) -> Vec<usize> {
    p.errors.iter().map(|e| e.offset).collect()
}

fn check_invariants(src: &str, p: &Parsed) {
    let ok = |r: &Range<usize>| {
        r.start <= r.end
            && r.end <= src.len()
            && src.is_char_boundary(r.start)
            && src.is_char_boundary(r.end)
    };
    for (i, b) in p.blocks.iter().enumerate() {
        assert!(ok(&b.span) && ok(&b.open), "{b:?}");
        assert!(text(src, &b.open).starts_with("<!--") && text(src, &b.open).ends_with("-->"));
        if i > 0 {
            assert!(p.blocks[i - 1].open.start < b.open.start, "source order");
        }
        match (&b.close, &b.inner) {
            (Some(close), Some(inner)) => {
                assert!(ok(close) && ok(inner) && !b.self_closing);
                assert_eq!(*inner, b.open.end..close.start);
                assert_eq!(b.span, b.open.start..close.end);
                assert!(text(src, close).starts_with("<!--"));
            }
            (None, None) => assert_eq!(b.span, b.open),
            _ => panic!("close and inner disagree: {b:?}"),
        }
        if let Some(attrs) = &b.attrs_span {
            assert!(ok(attrs) && b.open.start < attrs.start && attrs.end < b.open.end);
            assert!(text(src, attrs).starts_with('{') && text(src, attrs).ends_with('}'));
        }
        if let Some(parent) = b.parent {
            assert!(parent < i);
            let inner = p.blocks[parent].inner.clone().expect("parents are paired");
            assert!(inner.start <= b.span.start && b.span.end <= inner.end, "{b:?}");
        }
    }
    for (i, s) in p.shortcodes.iter().enumerate() {
        assert!(ok(&s.span) && ok(&s.open), "{s:?}");
        let open = text(src, &s.open);
        assert!(open.starts_with(&format!("[{}", s.name)) && open.ends_with(']'), "{open:?}");
        assert_eq!(s.known, KNOWN_SHORTCODES.contains(&s.name.as_str()));
        if i > 0 {
            assert!(p.shortcodes[i - 1].open.start < s.open.start, "source order");
        }
        match (&s.close, &s.inner) {
            (Some(close), Some(inner)) => {
                assert!(ok(close) && ok(inner) && !s.self_closing);
                assert_eq!(*inner, s.open.end..close.start);
                assert_eq!(s.span, s.open.start..close.end);
                assert_eq!(text(src, close), format!("[/{}]", s.name));
            }
            (None, None) => assert_eq!(s.span, s.open),
            _ => panic!("close and inner disagree: {s:?}"),
        }
        for param in &s.params {
            assert!(
                ok(&param.span) && s.open.start < param.span.start && param.span.end < s.open.end
            );
        }
        if let Some(parent) = s.parent {
            assert!(parent < i);
            let inner = p.shortcodes[parent].inner.clone().expect("parents are paired");
            assert!(inner.start <= s.span.start && s.span.end <= inner.end, "{s:?}");
        }
    }
    for r in &p.escaped {
        assert!(ok(r) && text(src, r).starts_with("[[") && text(src, r).ends_with("]]"));
    }
    for (i, e) in p.embeds.iter().enumerate() {
        assert!(ok(&e.span) && !e.url.is_empty(), "{e:?}");
        if i > 0 {
            assert!(p.embeds[i - 1].span.start < e.span.start, "sorted, one per span");
        }
        assert_eq!(e.video, crate::source::parse_video_url(&e.url));
    }
    for e in &p.errors {
        assert!(e.offset <= src.len() && src.is_char_boundary(e.offset) && !e.message.is_empty());
    }
    assert!(p.errors.windows(2).all(|w| w[0].offset <= w[1].offset));
}

// ---- Blocks ----

#[test]
fn nested_and_self_closing_blocks() {
    let src = concat!(
        "<!-- wp:group {\"layout\":{\"type\":\"flex\"}} -->\n<div class=\"g\">",
        "<!-- wp:paragraph -->\n<p>Hi</p>\n<!-- /wp:paragraph -->",
        "<!-- wp:spacer {\"height\":\"20px\"} /--></div>\n<!-- /wp:group -->\n",
        "<!-- wp:my-plugin/thing /-->"
    );
    let p = parsed(src);
    assert_eq!(p.errors, []);
    let names: Vec<(&str, &str)> =
        p.blocks.iter().map(|b| (b.name.as_str(), b.written_name.as_str())).collect();
    assert_eq!(
        names,
        [
            ("core/group", "group"),
            ("core/paragraph", "paragraph"),
            ("core/spacer", "spacer"),
            ("my-plugin/thing", "my-plugin/thing")
        ]
    );
    let parents: Vec<Option<usize>> = p.blocks.iter().map(|b| b.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(0), None]);
    let [group, para, spacer, thing] = &p.blocks[..] else { panic!() };
    assert_eq!(text(src, &group.open), r#"<!-- wp:group {"layout":{"type":"flex"}} -->"#);
    assert_eq!(opt_text(src, &group.attrs_span), Some(r#"{"layout":{"type":"flex"}}"#));
    assert_eq!(group.attrs, Some(serde_json::json!({"layout": {"type": "flex"}})));
    assert_eq!(opt_text(src, &group.close), Some("<!-- /wp:group -->"));
    assert!(
        text(src, &group.span).starts_with("<!-- wp:group") && group.span.end == src.len() - 29
    );
    assert_eq!(opt_text(src, &para.inner), Some("\n<p>Hi</p>\n"));
    assert_eq!((para.attrs.clone(), para.attrs_span.clone()), (None, None));
    assert!(spacer.self_closing && spacer.close.is_none());
    assert_eq!(text(src, &spacer.span), r#"<!-- wp:spacer {"height":"20px"} /-->"#);
    assert_eq!(spacer.attr_str("height"), Some("20px"));
    assert!(thing.self_closing);
    assert_eq!(text(src, &thing.span), "<!-- wp:my-plugin/thing /-->");
}

#[test]
fn bad_json_keeps_the_block() {
    let src = "<!-- wp:image {\"id\":12,} -->\n<figure></figure>\n<!-- /wp:image -->";
    let p = parsed(src);
    assert_eq!(p.blocks.len(), 1);
    let b = &p.blocks[0];
    assert_eq!(b.attrs, None);
    assert_eq!(opt_text(src, &b.attrs_span), Some("{\"id\":12,}"));
    assert_eq!(b.span, 0..src.len());
    assert_eq!(errors_at(&p), [14]);
    assert!(p.errors[0].message.contains("not valid JSON"), "{:?}", p.errors);
}

#[test]
fn unclosed_stray_and_mismatched_delimiters() {
    let src = "<!-- wp:quote --><p>x</p>";
    let p = parsed(src);
    assert_eq!((p.blocks.len(), p.blocks[0].close.clone()), (1, None));
    assert_eq!(p.blocks[0].span, 0..17);
    assert_eq!(errors_at(&p), [0]);
    assert!(p.errors[0].message.contains("never closed"));

    let src = "<p>x</p><!-- /wp:quote -->";
    let p = parsed(src);
    assert!(p.blocks.is_empty());
    assert_eq!(errors_at(&p), [8]);
    assert!(p.errors[0].message.contains("has no opening"));

    // The closer pairs with the open block of its name; the one between stays
    // unpaired and its parent is the paired block.
    let src = "<!-- wp:group --><!-- wp:column -->x<!-- /wp:group -->";
    let p = parsed(src);
    assert_eq!(p.blocks.len(), 2);
    assert_eq!(opt_text(src, &p.blocks[0].inner), Some("<!-- wp:column -->x"));
    assert_eq!((p.blocks[1].close.clone(), p.blocks[1].parent), (None, Some(0)));
    assert_eq!(errors_at(&p), [17]);

    // An unpaired block's children move up to its parent.
    let src = "<!-- wp:a --><!-- wp:b --><!-- wp:c /--><!-- /wp:a -->";
    let p = parsed(src);
    let parents: Vec<Option<usize>> = p.blocks.iter().map(|b| b.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(0)]);
    assert_eq!(p.blocks[0].name, "core/a");
}

#[test]
fn what_is_not_a_delimiter() {
    // No space after `<!--` or after the name: a comment for WordPress too.
    let p = parsed("<!--wp:paragraph --><!-- wp:paragraph--><!-- a comment --><!-- wp :x -->");
    assert!(p.blocks.is_empty());
    assert_eq!(errors_at(&p), [20], "{:?}", p.errors);
    // Attributes run to the first `}` followed by whitespace and `-->`, even
    // across other comments, as in WordPress.
    let src = "<!-- wp:Paragraph -->x<!-- wp:p {\"a\":1}--> <!-- wp:x {\"a\":1} -->";
    let p = parsed(src);
    assert_eq!(p.blocks.len(), 1);
    assert_eq!(p.blocks[0].name, "core/p");
    assert_eq!(opt_text(src, &p.blocks[0].attrs_span), Some("{\"a\":1}--> <!-- wp:x {\"a\":1}"));
    // Bad name, unclosed block, bad JSON.
    assert_eq!(errors_at(&p), [0, 22, 32]);
    assert!(p.errors[1].message.contains("never closed") && p.errors[2].message.contains("JSON"));
}

#[test]
fn ten_thousand_nested_blocks() {
    let n = 10_000;
    let src = format!("{}x{}", "<!-- wp:group -->".repeat(n), "<!-- /wp:group -->".repeat(n));
    let p = parsed(&src);
    assert_eq!(p.blocks.len(), n);
    assert_eq!(errors_at(&p), [MAX_DEPTH * 17]);
    assert!(p.errors[0].message.contains("nested more than"));
    assert!(p.blocks[..MAX_DEPTH].iter().all(|b| b.close.is_some()));
    assert!(p.blocks[MAX_DEPTH..].iter().all(|b| b.close.is_none()));
    assert_eq!(p.blocks[n - 1].parent, Some(MAX_DEPTH - 1));
    assert_eq!(p.blocks[0].span, 0..src.len());
}

// ---- Shortcodes ----

#[test]
fn every_attribute_form() {
    let src = r#"x [gallery ids="1,2" columns='3' size=large "pos one" 'pos two' bare Link = "y" t="it\'s"] z"#;
    let p = parsed(src);
    assert_eq!(p.errors, []);
    let [s] = &p.shortcodes[..] else { panic!("{p:?}") };
    assert_eq!((s.name.as_str(), s.known, s.self_closing), ("gallery", true, false));
    assert_eq!(text(src, &s.open), &src[2..src.len() - 2]);
    let got: Vec<(Option<&str>, &str, Quote, &str)> = s
        .params
        .iter()
        .map(|p| (p.name.as_deref(), p.value.as_str(), p.quote, text(src, &p.span)))
        .collect();
    assert_eq!(
        got,
        [
            (Some("ids"), "1,2", Quote::Double, r#""1,2""#),
            (Some("columns"), "3", Quote::Single, "'3'"),
            (Some("size"), "large", Quote::Bare, "large"),
            (None, "pos one", Quote::Double, r#""pos one""#),
            (None, "pos two", Quote::Single, "'pos two'"),
            (None, "bare", Quote::Bare, "bare"),
            (Some("link"), "y", Quote::Double, r#""y""#),
            (Some("t"), "it's", Quote::Double, r#""it\'s""#),
        ]
    );
    assert_eq!(
        (s.named("size"), s.positional(1), s.positional(3)),
        (Some("large"), Some("pos two"), None)
    );
}

#[test]
fn values_with_html_and_special_spaces() {
    // `<y" c="z>` is an HTML tag for WordPress too, so the `]` stays visible.
    let src = "[x a=\"<b>ok</b>\" b=\"<y\" c=\"z>\" d=\"1\u{a0}\u{a0}2\"\u{a0}e=4]";
    let p = parsed(src);
    let s = &p.shortcodes[0];
    let values: Vec<(&str, &str)> =
        s.params.iter().map(|p| (p.name.as_deref().unwrap(), p.value.as_str())).collect();
    // An unclosed tag empties the value; no-break spaces are spaces.
    assert_eq!(values, [("a", "<b>ok</b>"), ("b", ""), ("c", "z>"), ("d", "1 2"), ("e", "4")]);
    // An unclosed `<` hides the rest from WordPress, up to the next `>`.
    assert!(parsed("[x a=\"<b\"] text").shortcodes.is_empty());
}

#[test]
fn escaped_shortcodes_are_not_calls() {
    let src = "a [[gallery]] b [[caption]x[/caption]] c [[[video]]]";
    let p = parsed(src);
    assert!(p.shortcodes.is_empty(), "{:?}", p.shortcodes);
    let escaped: Vec<&str> = p.escaped.iter().map(|r| text(src, r)).collect();
    assert_eq!(escaped, ["[[gallery]]", "[[caption]x[/caption]]", "[[video]]"]);
    assert_eq!(p.errors, []);
    // Only a `]` right after the call escapes it.
    let p = parsed("[[gallery] x");
    assert_eq!((p.shortcodes[0].open.clone(), p.escaped.len()), (1..10, 0));
}

#[test]
fn names_as_wordpress_reads_them() {
    let src = "[1.5] […] [ gallery] [foo.bar] [a\"b\"] [simple boat] [gallery/] [x=1] [Foo_Bar-9]";
    let p = parsed(src);
    let got: Vec<(&str, bool, &str)> = p
        .shortcodes
        .iter()
        .map(|s| (s.name.as_str(), s.self_closing, text(src, &s.open)))
        .collect();
    assert_eq!(
        got,
        [
            ("simple", false, "[simple boat]"),
            ("gallery", true, "[gallery/]"),
            ("x", false, "[x=1]"),
            ("Foo_Bar-9", false, "[Foo_Bar-9]")
        ]
    );
    assert!(!p.shortcodes[0].known && p.shortcodes[1].known);
    assert_eq!(p.shortcodes[0].positional(0), Some("boat"));
    // The attributes run to the first `]`, quotes or not, and `/]` closes.
    let src = r#"[video src="a]b"] [embed src=https://x.org/v/]"#;
    let p = parsed(src);
    let opens: Vec<&str> = p.shortcodes.iter().map(|s| text(src, &s.open)).collect();
    assert_eq!(opens, [r#"[video src="a]"#, "[embed src=https://x.org/v/]"]);
    assert!(p.shortcodes[1].self_closing);
    assert_eq!(p.shortcodes[1].named("src"), Some("https://x.org/v"));
}

#[test]
fn pairing_takes_the_first_closer_of_the_name() {
    let src = "[a]one[/a] [a] two [a]three[/a] [b x=1 /]y[/b] [c]";
    let p = parsed(src);
    let got: Vec<(&str, Option<&str>, Option<usize>)> = p
        .shortcodes
        .iter()
        .map(|s| (text(src, &s.open), opt_text(src, &s.inner), s.parent))
        .collect();
    assert_eq!(
        got,
        [
            ("[a]", Some("one"), None),
            ("[a]", Some(" two [a]three"), None),
            ("[a]", None, Some(1)),
            ("[b x=1 /]", None, None),
            ("[c]", None, None),
        ]
    );
    assert!(p.shortcodes[3].self_closing);
    // `[/b]` closes nothing after a self-closing `[b /]`.
    assert_eq!(errors_at(&p), [src.find("[/b]").unwrap()]);
}

#[test]
fn caption_with_an_image_and_a_shortcode_in_an_attribute() {
    let src = concat!(
        r#"[caption id="attachment_6" align="alignnone" width="300"]"#,
        r#"<a href="https://x.org/a.jpg"><img class="size-medium" src="https://x.org/a-300x200.jpg" alt="[site] photo" width="300" height="200" /></a>"#,
        " A <em>caption</em>[/caption]"
    );
    let p = parsed(src);
    assert_eq!(p.errors, []);
    let [caption, site] = &p.shortcodes[..] else { panic!("{:?}", p.shortcodes) };
    assert_eq!((caption.name.as_str(), caption.known), ("caption", true));
    assert_eq!(caption.span, 0..src.len());
    let inner = opt_text(src, &caption.inner).unwrap();
    assert!(inner.starts_with("<a href=") && inner.ends_with("A <em>caption</em>"));
    assert_eq!(caption.named("width"), Some("300"));
    assert_eq!((text(src, &site.open), site.parent, site.known), ("[site]", Some(0), false));
}

#[test]
fn shortcode_inside_block_inner_html() {
    let src = "<!-- wp:shortcode -->\n[gallery columns=2 ids=\"770,771\"]\n<!-- /wp:shortcode -->";
    let p = parsed(src);
    assert_eq!((p.blocks.len(), p.shortcodes.len()), (1, 1));
    let s = &p.shortcodes[0];
    assert_eq!(text(src, &s.open), r#"[gallery columns=2 ids="770,771"]"#);
    assert_eq!((s.named("columns"), s.named("ids")), (Some("2"), Some("770,771")));
    let inner = p.blocks[0].inner.clone().unwrap();
    assert!(inner.start < s.span.start && s.span.end < inner.end);
}

#[test]
fn no_shortcodes_in_comments_scripts_styles_or_tags() {
    let src = concat!(
        "<!-- [gallery] --><!-- wp:paragraph {\"c\":\"[video]\"} -->",
        "<script>var a = \"[audio]\";</script><style>a[href]{}</style>",
        "<p data-x=[y]z class=a[b]>[caption]x<!-- [/caption] -->y[/caption]</p>",
        "<!-- /wp:paragraph -->"
    );
    let p = parsed(src);
    let got: Vec<(&str, Option<&str>)> =
        p.shortcodes.iter().map(|s| (text(src, &s.open), opt_text(src, &s.inner))).collect();
    // Attribute values are read on their own, quoted or not, as in WordPress.
    assert_eq!(got, [("[y]", None), ("[b]", None), ("[caption]", Some("x<!-- [/caption] -->y"))]);
    assert_eq!(p.errors, []);
}

#[test]
fn ten_thousand_nested_shortcodes() {
    let n = 10_000;
    let open: String = (0..n).map(|i| format!("[s{i}]")).collect();
    let close: String = (0..n).rev().map(|i| format!("[/s{i}]")).collect();
    let src = format!("{open}x{close}");
    let p = parsed(&src);
    assert_eq!(p.shortcodes.len(), MAX_DEPTH);
    assert_eq!(p.shortcodes[MAX_DEPTH - 1].parent, Some(MAX_DEPTH - 2));
    assert_eq!(p.errors.len(), 1);
    assert!(p.errors[0].message.contains("nested more than"));
    // Same name: WordPress pairs the first opener with the first closer.
    let src = format!("{}{}", "[a]".repeat(n), "[/a]".repeat(n));
    let p = parsed(&src);
    assert_eq!(p.shortcodes.len(), n);
    assert_eq!(p.shortcodes[0].close, Some(3 * n..3 * n + 4));
    assert!(p.shortcodes[1..].iter().all(|s| s.parent == Some(0) && s.close.is_none()));
    assert_eq!(p.errors.len(), n - 1);
}

// ---- Embeds ----

fn embeds(src: &str) -> Vec<(String, &str, EmbedSource, Option<String>)> {
    let p = parsed(src);
    p.embeds
        .iter()
        .map(|e| (e.url.clone(), text(src, &e.span), e.source, e.video.as_ref().map(|v| v.key())))
        .collect()
}

#[test]
fn embed_shortcodes() {
    let src = concat!(
        "[embed width=\"640\"] https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=3 [/embed]\n",
        "[embed src=\"https://vimeo.com/76979871\" /]\n",
        "[video mp4=\"https://x.org/a.mp4\" webm='https://x.org/a.webm' poster=\"https://x.org/p.jpg\"]\n",
        "[audio https://x.org/s.mp3]\n[embed][/embed]"
    );
    use EmbedSource::Shortcode as S;
    assert_eq!(
        embeds(src),
        [
            (
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=3".into(),
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;t=3",
                S { index: 0 },
                Some("youtube:dQw4w9WgXcQ".into())
            ),
            (
                "https://vimeo.com/76979871".into(),
                "https://vimeo.com/76979871",
                S { index: 1 },
                Some("vimeo:76979871".into())
            ),
            ("https://x.org/a.mp4".into(), "https://x.org/a.mp4", S { index: 2 }, None),
            ("https://x.org/a.webm".into(), "https://x.org/a.webm", S { index: 2 }, None),
            ("https://x.org/s.mp3".into(), "https://x.org/s.mp3", S { index: 3 }, None),
        ]
    );
    let p = parse(src);
    assert_eq!(errors_at(&p), [src.find("[embed][/embed]").unwrap()]);
}

#[test]
fn embed_without_slash_pairs_with_a_later_closer() {
    // As in WordPress, `[embed src=…]` takes the next `[/embed]` as its closer,
    // so the second call is inside the first and has no URL of its own.
    let src = "[embed src=\"https://vimeo.com/1\"] and [embed]https://youtu.be/dQw4w9WgXcQ[/embed]";
    let p = parsed(src);
    assert_eq!(p.shortcodes.len(), 2);
    assert_eq!(p.shortcodes[0].span, 0..src.len());
    assert_eq!((p.shortcodes[1].parent, p.shortcodes[1].close.clone()), (Some(0), None));
    assert_eq!(
        embeds(src),
        [(
            "https://vimeo.com/1".into(),
            "https://vimeo.com/1",
            EmbedSource::Shortcode { index: 0 },
            Some("vimeo:1".into())
        )]
    );
    assert_eq!(errors_at(&p), [src.rfind("[embed]").unwrap()]);
}

#[test]
fn auto_embeds_on_their_own_line_or_paragraph() {
    let src = concat!(
        "Intro\n  https://youtu.be/dQw4w9WgXcQ  \n",
        "See https://vimeo.com/1 here\n",
        "<a\nhref=\"x\">\nhttps://www.dailymotion.com/video/x7tgplay\n</a>\n",
        "<p class=\"x\">https://vimeo.com/76979871</p>\n",
        "<p>https://example.org/a?b=1&amp;c=2 </p>\n",
        "<div\ntitle=\"\nhttps://vimeo.com/2\n\"></div>\n",
        "<!--\nhttps://vimeo.com/3\n-->\n",
        "<p>Text https://vimeo.com/4</p>"
    );
    assert_eq!(
        embeds(src),
        [
            (
                "https://youtu.be/dQw4w9WgXcQ".into(),
                "https://youtu.be/dQw4w9WgXcQ",
                EmbedSource::AutoLine,
                Some("youtube:dQw4w9WgXcQ".into())
            ),
            (
                "https://www.dailymotion.com/video/x7tgplay".into(),
                "https://www.dailymotion.com/video/x7tgplay",
                EmbedSource::AutoLine,
                Some("dailymotion:x7tgplay".into())
            ),
            (
                "https://vimeo.com/76979871".into(),
                "https://vimeo.com/76979871",
                EmbedSource::AutoParagraph,
                Some("vimeo:76979871".into())
            ),
            (
                "https://example.org/a?b=1&c=2".into(),
                "https://example.org/a?b=1&amp;c=2",
                EmbedSource::AutoParagraph,
                None
            ),
        ]
    );
}

#[test]
fn embed_block_is_one_embed() {
    let src = concat!(
        "<!-- wp:embed {\"url\":\"https://www.dailymotion.com/video/x7tgplay\",\"type\":\"video\",",
        "\"providerNameSlug\":\"dailymotion\"} -->\n",
        "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\n",
        "https://www.dailymotion.com/video/x7tgplay\n</div></figure>\n<!-- /wp:embed -->\n",
        "<!-- wp:core-embed/vimeo {\"url\":\"https://vimeo.com/76979871\"} /-->\n",
        "<!-- wp:paragraph -->\n<p>https://vimeo.com/5</p>\n<!-- /wp:paragraph -->\n",
        "<!-- wp:html -->\nhttps://vimeo.com/6\n<!-- /wp:html -->\n",
        "<!-- wp:embed {\"type\":\"video\"} -->\n<figure></figure>\n<!-- /wp:embed -->"
    );
    let p = parsed(src);
    assert_eq!(
        embeds(src),
        [
            (
                "https://www.dailymotion.com/video/x7tgplay".into(),
                "https://www.dailymotion.com/video/x7tgplay",
                EmbedSource::Block { index: 0 },
                Some("dailymotion:x7tgplay".into())
            ),
            (
                "https://vimeo.com/76979871".into(),
                "https://vimeo.com/76979871",
                EmbedSource::Block { index: 1 },
                Some("vimeo:76979871".into())
            ),
        ]
    );
    // The wrapper's URL is the one given; the self-closing block's is in its attributes.
    assert!(p.embeds[0].span.start > p.blocks[0].open.end);
    let attrs = p.blocks[1].attrs_span.clone().unwrap();
    assert!(attrs.start < p.embeds[1].span.start && p.embeds[1].span.end < attrs.end);
    assert_eq!(errors_at(&p), [src.rfind("<!-- wp:embed").unwrap()]);
}

#[test]
fn provider_iframes() {
    let src = concat!(
        "<iframe width=\"560\" src=\"https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;x=1\"></iframe>",
        "<iframe src='https://maps.example.org/x'></iframe>",
        "<!-- <iframe src=\"https://player.vimeo.com/video/1\"></iframe> -->"
    );
    assert_eq!(
        embeds(src),
        [(
            "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&x=1".into(),
            "https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;x=1",
            EmbedSource::Iframe,
            Some("youtube:dQw4w9WgXcQ".into())
        )]
    );
}

#[test]
fn token_soup_never_panics_and_keeps_invariants() {
    const TOKENS: [&str; 30] = [
        "[",
        "]",
        "[[",
        "]]",
        "/",
        "[/a]",
        "[a ",
        "[embed]",
        "[/embed]",
        "[video src=",
        "\"",
        "'",
        "<!-- wp:a ",
        "<!-- /wp:a -->",
        "-->",
        "/-->",
        "{\"url\":\"https://youtu.be/dQw4w9WgXcQ\"} ",
        "{",
        "}",
        "<p>",
        "</p>",
        "<",
        ">",
        "\n",
        " ",
        "é",
        "\u{a0}",
        "https://vimeo.com/1",
        "<iframe src=\"https://youtu.be/dQw4w9WgXcQ\">",
        "<!-- wp:embed ",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut src = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            src.push_str(TOKENS[(seed % TOKENS.len() as u64) as usize]);
        }
        seed = seed.wrapping_add(1);
        parsed(&src);
    }
}

// ---- Corpus: the WordPress theme unit test data ----

/// The `content:encoded` bodies of a WXR file of the corpus, or `None` (with a
/// visible message) when the corpus is absent.
fn corpus(name: &str) -> Option<Vec<String>> {
    let path = format!("{}/../shared/corpus/wxr/{name}", env!("CARGO_MANIFEST_DIR"));
    let Ok(xml) = std::fs::read_to_string(&path) else {
        eprintln!("SKIPPED: corpus file not found at {path}");
        return None;
    };
    let re =
        regex::Regex::new(r"(?s)<content:encoded>\s*<!\[CDATA\[(.*?)\]\]>\s*</content:encoded>")
            .expect("valid regex");
    Some(re.captures_iter(&xml).map(|c| c[1].to_string()).collect())
}

#[test]
fn every_corpus_body_parses_cleanly() {
    for file in ["theme-unit-test-data.xml", "a11y-unit-test-data.xml"] {
        let Some(bodies) = corpus(file) else { return };
        // `grep -c '<content:encoded>'` gives 186 and 153.
        assert!(bodies.len() > 150, "{file}: {}", bodies.len());
        for body in &bodies {
            let p = parsed(body);
            assert_eq!(p.errors, [], "{file}");
        }
    }
}

#[test]
fn theme_unit_test_counts() {
    let Some(bodies) = corpus("theme-unit-test-data.xml") else { return };
    let all: Vec<(String, Parsed)> = bodies.into_iter().map(|b| (b.clone(), parse(&b))).collect();
    let blocks =
        |name: &str| all.iter().flat_map(|(_, p)| &p.blocks).filter(|b| b.name == name).count();
    let calls =
        |name: &str| all.iter().flat_map(|(_, p)| &p.shortcodes).filter(|s| s.name == name).count();
    // Block counts: `grep -o '<!-- wp:gallery' theme-unit-test-data.xml | wc -l` is 10,
    // `'<!-- wp:paragraph'` 259, `'<!-- wp:core-embed/'` 5 (one each of twitter,
    // youtube, facebook, instagram, wordpress-tv). `'<!-- wp:'` gives 609 delimiters
    // opening a block, `'/-->'` 86 of them self-closing, and `'<!-- /wp:'` 523 closers.
    assert_eq!(blocks("core/gallery"), 10);
    assert_eq!(blocks("core/paragraph"), 259);
    assert_eq!(all.iter().flat_map(|(_, p)| &p.blocks).filter(|b| b.is_embed()).count(), 5);
    assert_eq!(all.iter().map(|(_, p)| p.blocks.len()).sum::<usize>(), 609);
    let self_closing = all.iter().flat_map(|(_, p)| &p.blocks).filter(|b| b.self_closing).count();
    assert_eq!(self_closing, 86);
    // Shortcodes, counted on the extracted bodies (the raw file also matches
    // `[CDATA[gallery]]` tag names): `grep -o '\[caption'` 12 and `'\[/caption\]'` 12,
    // `'\[gallery'` 12, `'\[audio'` 1, `'\[embed'` 0; plus `[simple boat]` in prose.
    assert_eq!(calls("caption"), 12);
    let paired = all.iter().flat_map(|(_, p)| &p.shortcodes).filter(|s| s.name == "caption");
    assert!(paired.clone().all(|s| s.close.is_some()));
    assert_eq!(calls("gallery"), 12);
    assert_eq!((calls("audio"), calls("embed"), calls("simple")), (1, 0, 1));
    assert_eq!(all.iter().map(|(_, p)| p.shortcodes.len()).sum::<usize>(), 26);

    // "Block category: Embeds" (post 1738): five legacy embed blocks, each URL
    // also on its own line in the block's wrapper div (one embed each).
    let (body, p) =
        all.iter().find(|(b, _)| b.contains("This post tests various embed blocks")).unwrap();
    let urls: Vec<(&str, &str)> =
        p.embeds.iter().map(|e| (e.url.as_str(), text(body, &e.span))).collect();
    assert_eq!(
        urls,
        [
            (
                "https://twitter.com/WordPress/status/1057136472321613824",
                "https://twitter.com/WordPress/status/1057136472321613824"
            ),
            ("https://youtu.be/ex8fMxXJDJw", "https://youtu.be/ex8fMxXJDJw"),
            (
                "https://www.facebook.com/6427302910/posts/10156380423617911/",
                "https://www.facebook.com/6427302910/posts/10156380423617911/"
            ),
            (
                "https://www.instagram.com/p/BpmueLLgEn_/?utm_source=ig_share_sheet&igshid=1hcxphic7p9e2",
                "https://www.instagram.com/p/BpmueLLgEn_/?utm_source=ig_share_sheet&amp;igshid=1hcxphic7p9e2"
            ),
            (
                "https://wordpress.tv/2018/10/14/kjell-reigstad-allan-cole-how-we-made-our-first-gutenberg-powered-theme/",
                "https://wordpress.tv/2018/10/14/kjell-reigstad-allan-cole-how-we-made-our-first-gutenberg-powered-theme/"
            ),
        ]
    );
    assert!(p.embeds.iter().all(|e| matches!(e.source, EmbedSource::Block { .. })));
    let videos: Vec<String> =
        p.embeds.iter().filter_map(|e| Some(e.video.as_ref()?.key())).collect();
    assert_eq!(videos, ["youtube:ex8fMxXJDJw"]);

    // "Post Format: Video (YouTube)" (post 582) starts with the URL on its own line.
    let (_, p) = all
        .iter()
        .find(|(b, _)| b.starts_with("https://www.youtube.com/watch?v=SQEQr7c0-dw\n"))
        .unwrap();
    assert_eq!(p.embeds.len(), 1);
    assert_eq!((p.embeds[0].source, p.embeds[0].span.clone()), (EmbedSource::AutoLine, 0..43));
    assert_eq!(p.embeds[0].video.as_ref().map(|v| v.key()), Some("youtube:SQEQr7c0-dw".into()));
}
