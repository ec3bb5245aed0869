//! Tests of the shortcode module.

use super::*;

/// Parses `src`, checks the structural invariants and returns the result.
fn parsed(src: &str) -> Parsed {
    let p = parse(src);
    check_invariants(src, &p);
    p
}

/// Exactly one top-level shortcode and no error.
fn one(src: &str) -> Shortcode {
    let p = parsed(src);
    assert_eq!(p.errors, [], "{src}");
    assert_eq!(p.shortcodes.len(), 1, "{src}");
    p.shortcodes.into_iter().next().unwrap()
}

fn text(src: &str, span: &Option<Range<usize>>) -> String {
    src[span.clone().unwrap()].to_string()
}

fn names(p: &Parsed) -> Vec<&str> {
    p.all().map(|s| s.name.as_str()).collect()
}

fn pos(name: Option<&str>, value: &str, quote: Quote, span: Range<usize>) -> Param {
    Param { name: name.map(str::to_string), value: value.to_string(), quote, span }
}

fn check_invariants(src: &str, p: &Parsed) {
    let ok = |r: &Range<usize>| {
        r.start <= r.end
            && r.end <= src.len()
            && src.is_char_boundary(r.start)
            && src.is_char_boundary(r.end)
    };
    let mut last_start = None;
    for sc in p.all() {
        assert!(ok(&sc.open), "{src:?}");
        let tag = &src[sc.open.clone()];
        assert!(tag.starts_with("{{") && tag.ends_with("}}"), "{tag:?}");
        assert!(last_start < Some(sc.open.start), "source order: {src:?}");
        last_start = Some(sc.open.start);
        match (&sc.close, &sc.inner) {
            (Some(close), Some(inner)) => {
                assert!(ok(close) && ok(inner));
                assert_eq!(*inner, sc.open.end..close.start);
                assert!(!sc.self_closing);
                for child in &sc.children {
                    assert!(inner.start <= child.open.start && child.span().end <= inner.end);
                }
            }
            (None, None) => assert!(sc.children.is_empty(), "{src:?}"),
            _ => panic!("close and inner disagree: {src:?}"),
        }
        for param in &sc.params {
            assert!(ok(&param.span), "{src:?}");
            assert!(sc.open.start < param.span.start && param.span.end < sc.open.end);
        }
    }
    for e in &p.errors {
        assert!(e.offset <= src.len() && src.is_char_boundary(e.offset));
        assert!(!e.message.is_empty());
    }
    assert!(p.errors.windows(2).all(|w| w[0].offset <= w[1].offset));
}

#[test]
fn positional_bare_and_quoted_with_spans() {
    let src = r#"Voir {{< gist spf13 7896402 "img.html" >}}."#;
    let sc = one(src);
    assert_eq!(sc.name, "gist");
    assert_eq!(sc.notation, Notation::Angle);
    assert_eq!(&src[sc.open.clone()], r#"{{< gist spf13 7896402 "img.html" >}}"#);
    assert_eq!(sc.span(), sc.open);
    assert_eq!((sc.close.clone(), sc.inner.clone()), (None, None));
    assert!(!sc.self_closing);
    let spans: Vec<&str> = sc.params.iter().map(|p| &src[p.span.clone()]).collect();
    assert_eq!(spans, ["spf13", "7896402", r#""img.html""#]);
    let quotes: Vec<Quote> = sc.params.iter().map(|p| p.quote).collect();
    assert_eq!(quotes, [Quote::Bare, Quote::Bare, Quote::Double]);
    assert_eq!(sc.positional(0), Some("spf13"));
    assert_eq!(sc.positional(1), Some("7896402"));
    assert_eq!(sc.positional(2), Some("img.html"));
    assert_eq!(sc.positional(3), None);
    assert_eq!(sc.named("spf13"), None);
}

#[test]
fn dailymotion_without_space_before_close() {
    let src = r#"{{< dailymotion x82dxrq "Vidéo ADEX">}}"#;
    let sc = one(src);
    assert_eq!(sc.name, "dailymotion");
    assert_eq!(sc.open, 0..src.len());
    assert_eq!(
        sc.params,
        [pos(None, "x82dxrq", Quote::Bare, 16..23), pos(None, "Vidéo ADEX", Quote::Double, 24..37),]
    );
    assert_eq!(&src[24..37], r#""Vidéo ADEX""#);
}

#[test]
fn name_ending_at_a_quote() {
    let src = r#"x {{< dailymotion"Vidéo de présentation du défi LABEL">}} y"#;
    let sc = one(src);
    assert_eq!(sc.name, "dailymotion");
    assert_eq!(sc.params.len(), 1);
    assert_eq!(sc.positional(0), Some("Vidéo de présentation du défi LABEL"));
    assert_eq!(sc.params[0].quote, Quote::Double);
    assert_eq!(&src[sc.params[0].span.clone()], r#""Vidéo de présentation du défi LABEL""#);
    assert_eq!(&src[sc.open.clone()], &src[2..src.len() - 2]);
}

#[test]
fn named_params_with_escapes() {
    let src = r#"{{< arrow-link url="https://x.fr/a b" title="Le \"titre\"" target="true" >}}"#;
    let sc = one(src);
    assert_eq!(sc.name, "arrow-link");
    assert_eq!(sc.named("url"), Some("https://x.fr/a b"));
    assert_eq!(sc.named("title"), Some(r#"Le "titre""#));
    assert_eq!(sc.named("target"), Some("true"));
    assert_eq!(sc.named("missing"), None);
    assert_eq!(sc.positional(0), None);
    let spans: Vec<&str> = sc.params.iter().map(|p| &src[p.span.clone()]).collect();
    assert_eq!(spans, [r#""https://x.fr/a b""#, r#""Le \"titre\"""#, r#""true""#]);
    let keys: Vec<_> = sc.params.iter().map(|p| p.name.as_deref()).collect();
    assert_eq!(keys, [Some("url"), Some("title"), Some("target")]);
}

#[test]
fn double_quote_escapes() {
    let src = r#"{{< x "a\\b\"c\d\n" >}}"#;
    assert_eq!(one(src).positional(0), Some(r#"a\b"c\d\n"#));
}

#[test]
fn bare_named_values_and_repeated_keys() {
    let src = "{{< img src=a/b.png w= alt=été/>}}";
    let sc = one(src);
    assert!(sc.self_closing);
    assert_eq!(sc.named("src"), Some("a/b.png"));
    assert_eq!(sc.named("w"), Some(""));
    assert_eq!(sc.named("alt"), Some("été"));
    assert_eq!(&src[sc.params[2].span.clone()], "été");
    assert!(sc.params.iter().all(|p| p.quote == Quote::Bare));
    // A bare value with `=` whose prefix is not a key stays positional.
    let sc = one("{{< link https://a.fr/?q=1&r=2 >}}");
    assert_eq!(sc.positional(0), Some("https://a.fr/?q=1&r=2"));
    assert_eq!(one("{{< x k=1 k=2 >}}").named("k"), Some("2"));
}

#[test]
fn backtick_values_span_lines_without_escapes() {
    let src = "{{< code lang=`rust` body=`fn main() {\n  \"x\\n\" >}}\n}` >}}";
    let sc = one(src);
    assert_eq!(sc.named("lang"), Some("rust"));
    assert_eq!(sc.named("body"), Some("fn main() {\n  \"x\\n\" >}}\n}"));
    assert_eq!(sc.params[1].quote, Quote::Backtick);
    assert_eq!(&src[sc.params[1].span.clone()], "`fn main() {\n  \"x\\n\" >}}\n}`");
    // Hugo's "two raw string params" case: no space needed between them.
    let sc = one("{{< sc1`Hello World``Second Param` >}}");
    assert_eq!(sc.positional(0), Some("Hello World"));
    assert_eq!(sc.positional(1), Some("Second Param"));
}

#[test]
fn multi_line_call() {
    let src = "{{<\n  figure\n  src=\"a.png\"\n  caption=\"b\"\n>}}";
    let sc = one(src);
    assert_eq!(sc.name, "figure");
    assert_eq!(sc.named("caption"), Some("b"));
    assert_eq!(sc.open, 0..src.len());
}

#[test]
fn name_forms() {
    for (src, name) in [
        ("{{<name>}}", "name"),
        ("{{<   spaced\t>}}", "spaced"),
        ("{{< my/video >}}", "my/video"),
        ("{{< foo.inline />}}", "foo.inline"),
        ("{{< snake_case-9 >}}", "snake_case-9"),
        ("{{<x/>}}", "x"),
        ("{{% café %}}", "café"),
    ] {
        assert_eq!(one(src).name, name, "{src}");
    }
}

#[test]
fn percent_notation_paired() {
    let src = "{{% note \"Attention\" %}}**gras**{{% /note %}}";
    let sc = one(src);
    assert_eq!(sc.notation, Notation::Percent);
    assert_eq!(sc.positional(0), Some("Attention"));
    assert_eq!(text(src, &sc.inner), "**gras**");
    assert_eq!(text(src, &sc.close), "{{% /note %}}");
    assert_eq!(sc.span(), 0..src.len());
}

#[test]
fn self_closing() {
    for (src, params) in [
        ("{{< figure src=\"a.png\" />}}", 1),
        ("{{< br/>}}", 0),
        ("{{% x /%}}", 0),
        ("{{< x a / >}}", 1),
    ] {
        let sc = one(src);
        assert!(sc.self_closing, "{src}");
        assert_eq!(sc.params.len(), params, "{src}");
        assert_eq!(sc.open, 0..src.len());
    }
    // A self-closing tag never takes a closing tag.
    let p = parsed("{{< x />}}a{{< /x >}}");
    assert_eq!(p.shortcodes.len(), 1);
    assert!(p.shortcodes[0].close.is_none());
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].offset, 11);
}

#[test]
fn paired_with_nested_children() {
    let src = "A{{< tabs >}}\n{{< tab \"Un\" >}}un{{< /tab >}}\n\
               {{< tab \"Deux\" >}}deux{{< /tab >}}\n{{< /tabs >}}B";
    let p = parsed(src);
    assert_eq!(p.errors, []);
    assert_eq!(p.shortcodes.len(), 1);
    let tabs = &p.shortcodes[0];
    assert_eq!(tabs.open, 1..13);
    assert_eq!(text(src, &tabs.close), "{{< /tabs >}}");
    assert_eq!(tabs.span(), 1..src.len() - 1);
    assert!(text(src, &tabs.inner).starts_with("\n{{< tab \"Un\" >}}"));
    assert_eq!(tabs.children.len(), 2);
    let inner: Vec<String> = tabs.children.iter().map(|c| text(src, &c.inner)).collect();
    assert_eq!(inner, ["un", "deux"]);
    assert_eq!(tabs.children[1].positional(0), Some("Deux"));
    assert_eq!(text(src, &tabs.children[0].close), "{{< /tab >}}");
    assert_eq!(names(&p), ["tabs", "tab", "tab"]);
    let walked: Vec<&str> = tabs.walk().map(|s| s.name.as_str()).collect();
    assert_eq!(walked, ["tabs", "tab", "tab"]);
}

#[test]
fn same_name_nesting() {
    let src = "{{< a >}}{{< a >}}x{{< /a >}}{{< /a >}}";
    let sc = one(src);
    assert_eq!(sc.open, 0..9);
    assert_eq!(sc.close, Some(29..39));
    assert_eq!(sc.children.len(), 1);
    let inner = &sc.children[0];
    assert_eq!(inner.open, 9..18);
    assert_eq!(text(src, &inner.inner), "x");
    assert_eq!(inner.close, Some(19..29));
}

#[test]
fn unclosed_opener_inside_paired_one() {
    let src = "{{< box >}}{{< wrap >}}{{< em >}}y{{< /em >}}z{{< /box >}}";
    let box_ = one(src);
    assert_eq!(text(src, &box_.close), "{{< /box >}}");
    let kids: Vec<(&str, bool)> =
        box_.children.iter().map(|c| (c.name.as_str(), c.close.is_some())).collect();
    assert_eq!(kids, [("wrap", false), ("em", true)]);
    assert!(box_.children[0].children.is_empty());
    assert_eq!(text(src, &box_.children[1].inner), "y");
}

#[test]
fn unclosed_openers_at_end_are_standalone_in_order() {
    let src = "{{< a >}}{{< b >}}{{< c />}}";
    let p = parsed(src);
    assert_eq!(p.errors, []);
    let top: Vec<&str> = p.shortcodes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(top, ["a", "b", "c"]);
    assert!(p.shortcodes.iter().all(|s| s.close.is_none()));
}

#[test]
fn closing_tag_in_other_notation_pairs() {
    let src = "{{< a >}}x{{% /a %}}";
    let sc = one(src);
    assert_eq!(sc.notation, Notation::Angle);
    assert_eq!(text(src, &sc.close), "{{% /a %}}");
    assert_eq!(one("{{< a >}}{{< / a >}}").close, Some(9..20));
}

#[test]
fn stray_closing_tag() {
    let src = "text {{< /note >}} more {{% /x %}}";
    let p = parsed(src);
    assert!(p.shortcodes.is_empty());
    assert_eq!(
        p.errors,
        [
            ShortcodeError {
                offset: 5,
                message: "closing tag `{{< /note >}}` has no opening tag".into()
            },
            ShortcodeError {
                offset: 24,
                message: "closing tag `{{% /x %}}` has no opening tag".into()
            },
        ]
    );
    // Crossed tags: `/a` demotes `b`, so `/b` is stray.
    let p = parsed("{{< a >}}{{< b >}}{{< /a >}}{{< /b >}}");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].offset, 28);
    assert_eq!(names(&p), ["a", "b"]);
}

#[test]
fn closing_tag_with_params_still_closes() {
    let p = parsed("{{< a >}}{{< /a x >}}");
    assert_eq!(p.shortcodes[0].close, Some(9..21));
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].offset, 16);
    assert!(p.errors[0].message.contains("takes no parameters"));
}

#[test]
fn unterminated_call() {
    let src = "a {{< dailymotion x82 \"é\"";
    let p = parsed(src);
    assert!(p.shortcodes.is_empty());
    assert_eq!(
        p.errors,
        [ShortcodeError {
            offset: 2,
            message: "unterminated shortcode `{{< dailymotion`: no closing `>}}`".into()
        }]
    );
    // Parsing resumes after `{{<`: the next call is still found.
    let src = "{{< a x\n{{% b %}}";
    let p = parsed(src);
    assert_eq!(names(&p), ["b"]);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].offset, 0);
    let p = parsed("x {{%");
    assert_eq!(p.errors[0].offset, 2);
    assert_eq!(p.errors[0].message, "unterminated shortcode `{{%`: no closing `%}}`");
}

#[test]
fn unterminated_quotes_skip_the_call() {
    let src = "{{< x \"abc >}}\n{{< y >}}";
    let p = parsed(src);
    assert_eq!(names(&p), ["y"]);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.errors[0].offset, 6);
    assert!(p.errors[0].message.starts_with("unterminated quoted value in shortcode `{{< x`"));

    let src = "{{< x a=`abc >}}";
    let p = parsed(src);
    assert!(p.shortcodes.is_empty());
    assert_eq!(p.errors[0].offset, 8);
    assert!(p.errors[0].message.contains("raw string"));
}

#[test]
fn bad_names() {
    for (src, offset, needle) in [
        ("{{< >}}", 4, "has no name"),
        ("{{< \"q\" >}}", 4, "has no name"),
        ("{{< x:y >}}", 5, "invalid character `:`"),
        ("{{< /x,y >}}", 6, "invalid character `,`"),
    ] {
        let p = parsed(src);
        assert!(p.shortcodes.is_empty(), "{src}");
        assert_eq!(p.errors.len(), 1, "{src}");
        assert_eq!(p.errors[0].offset, offset, "{src}");
        assert!(p.errors[0].message.contains(needle), "{src}: {:?}", p.errors);
    }
}

#[test]
fn comment_escapes_are_skipped() {
    for src in [
        "{{</* figure src=\"x\" */>}}",
        "{{%/* note */%}}",
        "{{</* x \">}}\" {{< y >}} */>}}",
        "{{%/* a %}} b >}} */%}}",
        "```\n{{</* tabs >}}\n{{< tab */>}}\n```",
        "{{< /* spaced */ >}}",
        "{{</* a */ b */>}}",
    ] {
        let p = parsed(src);
        assert_eq!(p, Parsed::default(), "{src}");
    }
    let src = "{{</* a */>}} {{< real >}} {{%/* b */%}}";
    assert_eq!(names(&parsed(src)), ["real"]);
    let p = parsed("{{</* never closed {{< x >}}");
    assert_eq!(names(&p), ["x"]);
    assert_eq!(p.errors.len(), 1);
    assert!(p.errors[0].message.contains("comment"));
}

#[test]
fn shortcodes_inside_code_fences_are_parsed() {
    let src = "```go\n{{< highlight go >}}x{{< /highlight >}}\n```";
    assert_eq!(names(&parsed(src)), ["highlight"]);
}

#[test]
fn mixed_params_error_keeps_params() {
    let src = "{{< x a b=c \"d\" >}}";
    let p = parsed(src);
    assert_eq!(
        p.errors,
        [ShortcodeError {
            offset: 8,
            message: "shortcode `x` mixes named and positional parameters (Hugo rejects this)"
                .into()
        }]
    );
    let sc = &p.shortcodes[0];
    assert_eq!(sc.params.len(), 3);
    assert_eq!(sc.positional(1), Some("d"));
    assert_eq!(sc.named("b"), Some("c"));
}

#[test]
fn multi_byte_utf8_spans() {
    let src = "Été 🎉 {{< café \"😀 ok\" naïve >}}ça {{% émoji titre=\"Été ☀️\" %}}🎉{{% /émoji %}}{{< /café >}}";
    let p = parsed(src);
    assert_eq!(p.errors, []);
    let cafe = &p.shortcodes[0];
    assert_eq!(cafe.open.start, "Été 🎉 ".len());
    assert_eq!(&src[cafe.params[0].span.clone()], "\"😀 ok\"");
    assert_eq!(&src[cafe.params[1].span.clone()], "naïve");
    assert_eq!(cafe.positional(0), Some("😀 ok"));
    assert_eq!(text(src, &cafe.close), "{{< /café >}}");
    let emoji = &cafe.children[0];
    assert_eq!(emoji.named("titre"), Some("Été ☀️"));
    assert_eq!(&src[emoji.params[0].span.clone()], "\"Été ☀️\"");
    assert_eq!(text(src, &emoji.inner), "🎉");
    assert!(text(src, &cafe.inner).starts_with("ça {{% émoji"));
}

#[test]
fn deep_nesting_is_capped_and_fast() {
    let n = 10_000;
    let src = format!("{}{}", "{{< a >}}".repeat(n), "{{< /a >}}".repeat(n));
    let started = std::time::Instant::now();
    let p = parse(&src);
    assert!(started.elapsed().as_secs() < 5, "too slow");
    assert_eq!(p.all().count(), n);
    // One problem, at the first opener past the limit, stands for the whole nest: the
    // closers of the deeper openers are skipped, the 256 outer ones paired.
    assert_eq!(p.errors.len(), 1, "{:?}", &p.errors[..3.min(p.errors.len())]);
    assert!(p.errors[0].message.contains("nested more than 256"));
    assert_eq!(p.errors[0].offset, MAX_DEPTH * "{{< a >}}".len());
    assert_eq!(p.shortcodes.len(), 1);
    assert_eq!(text(&src, &p.shortcodes[0].close), "{{< /a >}}");
    assert_eq!(p.shortcodes[0].close.as_ref().unwrap().end, src.len());
    // Measure depth iteratively.
    let mut max = 0;
    let mut stack: Vec<(&Shortcode, usize)> = p.shortcodes.iter().map(|s| (s, 1)).collect();
    while let Some((sc, d)) = stack.pop() {
        max = max.max(d);
        stack.extend(sc.children.iter().map(|c| (c, d + 1)));
    }
    assert_eq!(max, MAX_DEPTH + 1);
    check_invariants(&src, &p);
    let copy = p.clone();
    assert_eq!(copy, p);
}

#[test]
fn deep_unclosed_and_unterminated_inputs_are_fast() {
    let n = 20_000;
    let started = std::time::Instant::now();
    for src in [
        "{{< a >}}".repeat(n),
        "{{</*".repeat(n),
        "{{< a ".repeat(n),
        "{{< `".repeat(n),
        "{{< \"".repeat(n),
        "{{{{{{<".repeat(n),
    ] {
        let p = parse(&src);
        check_invariants(&src, &p);
    }
    assert!(started.elapsed().as_secs() < 10, "too slow");
}

const TRICKY: &str = "é{{< a \"x\\\"é\" k=`b\n🎉` >}}{{% b/c\"ü\"/%}}{{</* c >}} */>}}\
                      {{< /a >}}{{< d k=v é=\"\\\\\" />}}{{%/* %}} */%}}{{< e x{{< f\t\"";

#[test]
fn no_panic_on_prefixes_and_suffixes() {
    let full = parsed(TRICKY);
    assert!(full.all().count() >= 3);
    for (i, _) in TRICKY.char_indices() {
        parsed(&TRICKY[..i]);
        parsed(&TRICKY[i..]);
    }
}

#[test]
fn no_panic_on_random_token_soup() {
    const TOKENS: [&str; 20] = [
        "{{<", ">}}", "{{%", "%}}", "/", "\"", "`", "\\", " ", "\n", "a", "é", "=", "/*", "*/",
        "😀", "{", "}", "b/c", "/>}}",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut src = String::new();
        for _ in 0..(seed % 40) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            src.push_str(TOKENS[(seed % TOKENS.len() as u64) as usize]);
        }
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        parsed(&src);
    }
}
