//! Tests of the Liquid module.

use super::*;
use crate::model::LineIndex;
use std::collections::BTreeMap;
use std::path::Path;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/eig-jekyll");

/// Parses all of `text`, checks the structural invariants and returns the result.
fn parsed(text: &str) -> Parsed {
    let p = parse(text, 0..text.len());
    check_invariants(text, &p);
    p
}

/// Parses all of `text` and expects no problem.
fn clean(text: &str) -> Vec<ShortcodeCall> {
    let p = parsed(text);
    assert_eq!(p.problems, [], "{text}");
    p.calls
}

fn slice<'a>(text: &'a str, span: &Span) -> &'a str {
    &text[span.range()]
}

fn names(calls: &[ShortcodeCall]) -> Vec<&str> {
    calls.iter().map(|c| c.name.as_str()).collect()
}

/// `(name, value, quote)` of each parameter.
fn params(call: &ShortcodeCall) -> Vec<(Option<&str>, &str, &str)> {
    call.params.iter().map(|p| (p.name.as_deref(), p.value.as_str(), p.quote.as_str())).collect()
}

fn messages(p: &Parsed) -> Vec<&str> {
    p.problems.iter().map(|p| p.message.as_str()).collect()
}

/// What must hold for any input: spans on char boundaries and slicing back
/// to delimiters, calls in source order, parents enclosing their children,
/// parameters inside their tag, lines and columns matching the offsets.
fn check_invariants(text: &str, p: &Parsed) {
    let index = LineIndex::new(text);
    let located = |s: &Span| {
        assert!(s.start <= s.end && s.end <= text.len(), "{s:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{s:?}");
        assert_eq!(index.locate(s.start), (s.line, s.column), "{s:?}");
    };
    let mut last = None;
    for (i, call) in p.calls.iter().enumerate() {
        located(&call.span);
        located(&call.open);
        let open = slice(text, &call.open);
        match call.notation.as_str() {
            TAG => assert!(open.starts_with("{%") && open.ends_with("%}"), "{open}"),
            OUTPUT => assert!(open.starts_with("{{") && open.ends_with("}}"), "{open}"),
            other => panic!("notation {other}"),
        }
        assert_eq!(call.span.start, call.open.start);
        assert!(last < Some(call.open.start), "calls out of order at {i}");
        last = Some(call.open.start);
        match (&call.close, &call.inner) {
            (Some(close), Some(inner)) => {
                located(close);
                located(inner);
                assert!(slice(text, close).starts_with("{%"));
                assert!(slice(text, close).ends_with("%}"));
                assert_eq!((inner.start, inner.end), (call.open.end, close.start));
                assert_eq!(call.span.end, close.end);
            }
            (None, None) => assert_eq!(call.span.end, call.open.end),
            _ => panic!("close without inner: {call:?}"),
        }
        for param in &call.params {
            located(&param.span);
            assert!(call.open.start <= param.span.start && param.span.end <= call.open.end);
        }
        if let Some(parent) = call.parent {
            assert!(parent < i);
            let inner = p.calls[parent].inner.expect("a parent is a closed block");
            assert!(inner.start <= call.span.start && call.span.end <= inner.end);
        }
    }
    for problem in &p.problems {
        located(&problem.span);
    }
}

#[test]
fn include_reads_the_file_then_named_parameters() {
    let text = r#"a {% include dailymotion.html id="x7t\"g" title='My DM' n = page.n %} b"#;
    let calls = clean(text);
    let [call] = &calls[..] else { panic!("{calls:?}") };
    assert_eq!((call.name.as_str(), call.notation.as_str(), call.known), ("include", TAG, true));
    assert_eq!(
        params(call),
        [
            (None, "dailymotion.html", "bare"),
            (Some("id"), "x7t\"g", "double"),
            (Some("title"), "My DM", "single"),
            (Some("n"), "page.n", "bare"),
        ]
    );
    let written: Vec<&str> = call.params.iter().map(|p| slice(text, &p.span)).collect();
    assert_eq!(written, ["dailymotion.html", r#""x7t\"g""#, "'My DM'", "page.n"]);
    assert_eq!(slice(text, &call.span), &text[2..text.len() - 2]);
    assert_eq!((call.span.line, call.span.column), (1, 3));
}

#[test]
fn include_file_may_be_built_from_outputs() {
    let calls = clean(
        r#"{% include {{ page.kind }} a="1" %}{% include_relative dir/{{ x | downcase }}.html %}"#,
    );
    assert_eq!(params(&calls[0]), [(None, "{{ page.kind }}", "bare"), (Some("a"), "1", "double")]);
    assert_eq!(names(&calls), ["include", "include_relative"]);
    assert_eq!(params(&calls[1]), [(None, "dir/{{ x | downcase }}.html", "bare")]);
}

#[test]
fn include_problems_are_reported() {
    let p = parsed(r#"{% include %}{% include a.html title={{ x }} %}{% include ../a.html %}"#);
    let m = messages(&p);
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(m[0].contains("needs a file"));
    // Jekyll takes the whole `a.html title={{ x }}` as the file.
    assert!(m[1].contains("capture"), "{}", m[1]);
    assert_eq!(params(&p.calls[1]), [(None, "a.html title={{ x }}", "bare")]);
    assert!(m[2].contains("Jekyll refuses"));
    let p = parsed(r#"{% include a.html k="v"x %}{% include b.html k=%}"#);
    let m = messages(&p);
    assert!(m.len() == 2 && m.iter().all(|m| m.contains("key=\"value\"")), "{m:?}");
    // What was read is kept, so the resolver can still report a missing file.
    assert_eq!(params(&p.calls[0]), [(None, "a.html", "bare"), (Some("k"), "v", "double")]);
}

#[test]
fn a_quoted_percent_brace_ends_the_tag_as_in_jekyll() {
    let text = r#"{% include a.html t="50 %} off" %} next {{ x }}"#;
    let p = parsed(text);
    assert_eq!(names(&p.calls), ["include", "x"]);
    assert_eq!(slice(text, &p.calls[0].open), r#"{% include a.html t="50 %}"#);
    assert_eq!(p.problems.len(), 1);
    assert!(p.problems[0].message.contains("`include` parameters"), "{:?}", p.problems);
}

#[test]
fn link_and_post_url_take_the_whole_argument() {
    let calls = clean(
        "{% link _posts/2016-07-26-name.md %} {% post_url 2010-07-21-name %} \
         {% post_url /sub/2010-07-21-x %}",
    );
    assert_eq!(names(&calls), ["link", "post_url", "post_url"]);
    assert_eq!(params(&calls[0]), [(None, "_posts/2016-07-26-name.md", "bare")]);
    assert_eq!(params(&calls[2]), [(None, "/sub/2010-07-21-x", "bare")]);
    let p = parsed("{% link %}");
    assert!(p.problems[0].message.contains("needs a path"));
}

#[test]
fn raw_keeps_everything_inside_as_text() {
    let text = "{% raw %}{{< youtube x >}} {% if %} {{ {% endraw %} {{ after }}";
    let calls = clean(text);
    assert_eq!(names(&calls), ["raw", "after"]);
    assert_eq!(slice(text, &calls[0].inner.unwrap()), "{{< youtube x >}} {% if %} {{ ");
    assert_eq!(slice(text, &calls[0].close.unwrap()), "{% endraw %}");
}

#[test]
fn raw_ends_inside_an_output_token_as_liquid_reads_it() {
    // Liquid 4 cuts `{{ a {% endraw %}` as one token and still ends raw there.
    let text = "{% raw %}{{ a {% endraw %}b";
    let calls = clean(text);
    assert_eq!(slice(text, &calls[0].inner.unwrap()), "{{ a ");
}

#[test]
fn raw_problems_are_reported() {
    let p = parsed("{% raw x %}a{%- endraw -%}");
    assert_eq!(p.calls[0].close.map(|c| c.start), Some(12));
    let m = messages(&p);
    assert!(m[0].contains("takes no parameters") && m[1].contains("Liquid 4"), "{m:?}");
    let p = parsed("{% raw %}{{ x }}{% if y %}");
    assert_eq!(names(&p.calls), ["raw", "x", "if"]);
    assert!(p.problems[0].message.contains("no `{% endraw %}`"));
}

#[test]
fn comment_hides_its_content_and_nests() {
    let text = "{% comment %}{% include a.html %}{% comment %}{{ x }}{% endcomment %}\
                {% raw %}{% endcomment %}{% endraw %}{%- endcomment -%}{{ y }}";
    let calls = clean(text);
    assert_eq!(names(&calls), ["comment", "y"]);
    assert!(slice(text, &calls[0].close.unwrap()).starts_with("{%- endcomment"));
    let p = parsed("{% comment %} {{ broken } {% endcomment %}{% comment %}{{ z }}");
    assert_eq!(names(&p.calls), ["comment", "comment"]);
    let m = messages(&p);
    assert!(m[0].contains("`}}`") && m[1].contains("no `{% endcomment %}`"), "{m:?}");
}

#[test]
fn highlight_reads_language_and_options_and_parses_its_body() {
    let text =
        "{% highlight ruby linenos mark_lines=\"1 2\" hl=3 %}\nputs {{ x }}\n{% endhighlight %}";
    let calls = clean(text);
    assert_eq!(names(&calls), ["highlight", "x"]);
    assert_eq!(
        params(&calls[0]),
        [
            (None, "ruby", "bare"),
            (None, "linenos", "bare"),
            (Some("mark_lines"), "1 2", "double"),
            (Some("hl"), "3", "bare"),
        ]
    );
    assert_eq!(slice(text, &calls[0].params[2].span), "\"1 2\"");
    assert_eq!(calls[1].parent, Some(0));
    let p = parsed(
        "{% highlight %}{% endhighlight %}{% highlight c, x %}{% endhighlight %}\
         {% highlight c x=\"1 %}{% endhighlight %}",
    );
    let m = messages(&p);
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(m[0].contains("needs a language") && m[1].contains("`c,`"), "{m:?}");
    assert!(m[2].contains("options"), "{m:?}");
}

#[test]
fn outputs_name_their_expression_and_list_filters() {
    let text = r#"{{ site.baseurl }}{{ '/img/x.pdf' | relative_url }}{{ "/x" | absolute_url }}
{{ page.date | date: "%Y | %m" | append : 'a', 'b' }}{{ page["k"] }}{{ }}"#;
    let calls = clean(text);
    assert_eq!(
        names(&calls),
        ["site.baseurl", "literal", "literal", "page.date", "page[\"k\"]", ""]
    );
    assert!(calls.iter().all(|c| c.notation == OUTPUT && c.known));
    assert_eq!(
        params(&calls[1]),
        [(None, "/img/x.pdf", "single"), (Some("relative_url"), "", "bare")]
    );
    assert_eq!(params(&calls[2])[0], (None, "/x", "double"));
    assert_eq!(
        params(&calls[3]),
        [(Some("date"), r#""%Y | %m""#, "bare"), (Some("append"), "'a', 'b'", "bare")]
    );
    assert_eq!(slice(text, &calls[1].params[0].span), "'/img/x.pdf'");
    assert_eq!((calls[3].span.line, calls[3].span.column), (2, 1));
}

#[test]
fn whitespace_control_and_tags_across_lines() {
    let text = "{%- if a\n   and b -%}\n  {{- x -}}\n{%- else -%}{%- endif -%}";
    let calls = clean(text);
    assert_eq!(names(&calls), ["if", "x", "else"]);
    assert_eq!(params(&calls[0]), [(None, "a\n   and b", "bare")]);
    assert_eq!(calls[1].parent, Some(0));
    assert_eq!((calls[1].span.line, calls[1].span.column), (3, 3));
    assert_eq!(slice(text, &calls[0].close.unwrap()), "{%- endif -%}");
}

#[test]
fn blocks_nest_and_branches_point_at_their_block() {
    let text = "{% for p in site.posts %}{% case p.x %}{% when 1 %}{% if a %}{% elsif b %}\
                {% else %}{% endif %}{% endcase %}{% else %}{% endfor %}{% assign y = 1 %}";
    let calls = clean(text);
    assert_eq!(names(&calls), ["for", "case", "when", "if", "elsif", "else", "else", "assign"]);
    let parents: Vec<_> = calls.iter().map(|c| c.parent).collect();
    assert_eq!(parents, [None, Some(0), Some(1), Some(1), Some(3), Some(3), Some(0), None]);
    assert_eq!(params(&calls[7]), [(None, "y = 1", "bare")]);
}

#[test]
fn capture_holds_an_include() {
    let calls = clean("{% capture my_include %}{% include cgu.md %}{% endcapture %}");
    assert_eq!(names(&calls), ["capture", "include"]);
    assert_eq!(calls[1].parent, Some(0));
}

#[test]
fn unbalanced_blocks_are_reported() {
    let p = parsed("{% endif %}{% for x in y %}{% if a %}{% endfor %}{% unless b %}{% else %}");
    let m = messages(&p);
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(m[0].contains("`{% endif %}` has no opening"), "{}", m[0]);
    assert!(
        m[1].contains("`{% if %}` has no `{% endif %}`") && m[1].contains("before `{% endfor %}`")
    );
    assert!(m[2].contains("`{% unless %}` has no `{% endunless %}`"));
    assert_eq!(names(&p.calls), ["for", "if", "unless", "else"]);
    // The unclosed `unless` holds nothing; `else` moves up to the top.
    assert_eq!(p.calls[3].parent, None);
    assert_eq!((p.problems[0].span.line, p.problems[0].span.column), (1, 1));
}

#[test]
fn nesting_over_the_limit_is_reported_once_and_parsed_no_further() {
    let n = 10_000;
    let balanced = format!("{}mid{}", "{% if a %}\n".repeat(n), "{% endif %}".repeat(n));
    let unclosed = "{% for x in y %}\n".repeat(n);
    for text in [&balanced, &unclosed] {
        let p = parsed(text);
        assert_eq!(p.problems.len(), 1, "{:?}", &p.problems[..3.min(p.problems.len())]);
        assert!(p.problems[0].message.contains("nested more than 100 deep"));
        assert!(p.problems[0].message.contains("not parsed further"));
        // The 101st opener, on line 101.
        assert_eq!((p.problems[0].span.line, p.problems[0].span.column), (101, 1));
        assert_eq!(p.calls.len(), MAX_DEPTH);
    }
    // 100 levels, Liquid's own limit, are fine.
    let text = format!("{}{}", "{% if a %}".repeat(MAX_DEPTH), "{% endif %}".repeat(MAX_DEPTH));
    assert_eq!(clean(&text).len(), MAX_DEPTH);
}

#[test]
fn branches_outside_their_block_are_reported() {
    let p = parsed("{% else %}{% capture c %}{% when 1 %}{% endcapture %}");
    let m = messages(&p);
    assert_eq!(m.len(), 2, "{m:?}");
    assert!(m[0].contains("`{% else %}` is not directly inside"));
    assert!(m[1].contains("`{% case %}`"));
}

#[test]
fn broken_delimiters_are_reported_and_parsing_goes_on() {
    let p = parsed("{{ a } {{ b }} {% %} {% if x %}{% endif %} {{ c");
    assert_eq!(names(&p.calls), ["b", "if"]);
    let m = messages(&p);
    assert_eq!(m.len(), 3, "{m:?}");
    assert!(m[0].contains("ends at the first `}`"));
    assert!(m[1].contains("has no name"));
    assert!(m[2].contains("unterminated `{{`"));
    let p = parsed("x\n {% include a.html");
    assert!(p.problems[0].message.contains("unterminated `{%`"));
    assert_eq!((p.problems[0].span.line, p.problems[0].span.column), (2, 2));
}

#[test]
fn plugin_tags_are_blocks_only_when_their_end_tag_follows() {
    let calls = clean("{% seo %}{% note warn %}x {{ y }}{% endnote %}");
    assert_eq!(names(&calls), ["seo", "note", "y"]);
    assert!(!calls[0].known && !calls[1].known);
    assert!(calls[0].close.is_none() && calls[1].close.is_some());
    assert_eq!(calls[2].parent, Some(1));
}

#[test]
fn hugo_shortcodes_are_reported() {
    let p = parsed("{{< youtube 0RKpf3rK57I >}} {{% note %}}x{{% /note %}}");
    assert_eq!(p.problems.len(), 3);
    assert!(p.problems.iter().all(|p| p.message.contains("Hugo shortcode")));
}

#[test]
fn spans_are_offsets_in_the_page_text() {
    let text = "---\ntitle: x {{ not.body }}\n---\nline\n  {{ a }}";
    let body = text.find("line").unwrap();
    let p = parse(text, body..text.len());
    check_invariants(text, &p);
    assert_eq!(names(&p.calls), ["a"]);
    assert_eq!((p.calls[0].span.start, p.calls[0].span.line, p.calls[0].span.column), (39, 5, 3));
    // Out of range or inside a character: clamped, never a panic.
    let p = parse("é{{ a }}", 1..99);
    assert_eq!(names(&p.calls), ["a"]);
    let (start, end) = (5, 2);
    assert!(parse("abc", start..end).calls.is_empty());
}

fn link(text: &str) -> Vec<(LinkKind, String, &str)> {
    let p = parsed(text);
    p.calls
        .iter()
        .filter_map(|c| link_target(text, c))
        .map(|l| (l.kind, l.target, slice(text, &l.span)))
        .collect()
}

#[test]
fn link_targets() {
    use LinkKind::*;
    assert_eq!(
        link("[a]({% link /docs/a.pdf %}) {% post_url 2010-07-21-x %} {% link {{ p }} %}"),
        [
            (File, "docs/a.pdf".into(), "{% link /docs/a.pdf %}"),
            (Post, "2010-07-21-x".into(), "{% post_url 2010-07-21-x %}")
        ]
    );
    assert_eq!(
        link(
            r#"<a href="{{ '/img/x.pdf' | relative_url }}"> {{ "y.pdf" | absolute_url }} {{ "/z" | prepend: site.baseurl }}"#
        ),
        [
            (Url, "/img/x.pdf".into(), "{{ '/img/x.pdf' | relative_url }}"),
            (Url, "/y.pdf".into(), r#"{{ "y.pdf" | absolute_url }}"#),
            (Url, "/z".into(), r#"{{ "/z" | prepend: site.baseurl }}"#),
        ]
    );
    assert_eq!(
        link(
            r#"[x]({{ site.baseurl }}/a/b.pdf) <a href="{{site.baseurl}}">{{ site.url }}{{ site.baseurl }}/c?d#e"#
        ),
        [
            (Url, "/a/b.pdf".into(), "{{ site.baseurl }}/a/b.pdf"),
            (Url, "/".into(), "{{site.baseurl}}"),
            (Url, "/c?d#e".into(), "{{ site.url }}{{ site.baseurl }}/c?d#e"),
        ]
    );
    // Built from variables, or not a path: only rendering knows.
    assert_eq!(
        link(
            "{{ site.url }}/{{ p.path }} {{ page.url | relative_url }} {{ site.baseurl }}x {{ '/a' | upcase }}"
        ),
        []
    );
}

/// Truncated delimiters, dashes, quotes, multi-byte characters next to
/// delimiters.
const GARBAGE: &[&str] = &[
    "",
    "{",
    "{{",
    "{%",
    "{%-",
    "{{-",
    "%}",
    "}}",
    "{%}",
    "{{}",
    "{{}}",
    "{%%}",
    "{%-%}",
    "{{-}}",
    "{%- -%}",
    "{% raw",
    "{% raw %}",
    "{% raw %}{%",
    "{% raw %}{%- endraw",
    "{% comment %}{% raw %}",
    "{% include",
    "{% include a.html k",
    "{% include a.html k=",
    "{% include a.html k=\"",
    "{% include a.html k='\\",
    "{% include {{",
    "{% include {{ x | %}",
    "{% highlight r x=\" %}",
    "{% highlight r x= %}",
    "{{ 'é' | é: é }}",
    "é{%é%}é{{é}}é",
    "{{ \"a|b }}",
    "{% endé %}",
    "{% end %}",
    "{{ site.url }}é",
    "{% if %}{% if %}{% endif %}{% endif %}{% endif %}",
    "{%\n\t-\n%}",
    "{{<",
    "{{%",
];

#[test]
fn never_panics_on_garbage_or_truncated_pages() {
    for text in GARBAGE {
        let p = parsed(text);
        for call in &p.calls {
            let _ = link_target(text, call);
        }
    }
    // Every prefix of a page holding every construct, and of the corpus page
    // with the most tags (invariants checked on every 16th: they cost more
    // than parsing).
    let all = format!("---\nx: 1\n---\n{SAMPLE}\n{}", GARBAGE.join("\n"));
    let mut pages = vec![all];
    if let Some(real) = corpus_pages().into_iter().max_by_key(|(_, t, _)| t.matches("{%").count()) {
        pages.push(real.1);
    }
    for page in &pages {
        for (n, end) in (0..=page.len()).filter(|&i| page.is_char_boundary(i)).enumerate() {
            let text = &page[..end];
            let p = parse(text, 0..end);
            if n % 16 == 0 {
                check_invariants(text, &p);
            }
            for call in &p.calls {
                let _ = link_target(text, call);
            }
        }
    }
    // Pseudo-random strings over the characters that matter.
    let alphabet: Vec<char> = "{}%-'\" \n|=:é/aei".chars().collect();
    let mut seed = 0x2545_f491_u64;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 40) {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push(alphabet[(seed >> 33) as usize % alphabet.len()]);
        }
        parsed(&text);
        let cut = (seed as usize) % (text.len() + 1);
        let _ = parse(&text, cut..text.len());
    }
}

const SAMPLE: &str = r#"---
title: Sample
---
{% include dailymotion.html id="x7tgplay" title='My "DM"' %}
{% raw %}{{< youtube abc >}}{% endraw %}
{%- comment -%} params read as {{ include.id }} {%- endcomment -%}
{% highlight ruby linenos mark_lines="1 2" %}
def x = {{ page.title }}
{% endhighlight %}
[a]({{ '/img/x.pdf' | relative_url }}) [b]({{ site.baseurl }}/b.pdf) {% link docs/c.md %}
{% for p in site.posts %}{% if p.x %}{{ p.title | escape }}{% else %}-{% endif %}{% endfor %}
"#;

#[test]
fn large_bodies_parse_in_linear_time() {
    // About 1 MB with thousands of tags, then inputs that would be quadratic
    // if every opener searched to the end again.
    let big = SAMPLE.repeat(1_000_000 / SAMPLE.len());
    let p = parse(&big, 0..big.len());
    assert_eq!(p.calls.iter().filter(|c| c.name == "include").count(), big.len() / SAMPLE.len());
    for bad in ["{%", "{{", "{% raw %}", "{% comment %}", "{% if x %}", "{% endif %}", "{{ a }"] {
        // Quadratic work here would take hours, not a test run.
        let text = bad.repeat(50_000);
        let p = parse(&text, 0..text.len());
        assert!(!p.problems.is_empty(), "{bad}");
    }
}

/// Every page of the corpus: (relative path, text, body start).
fn corpus_pages() -> Vec<(String, String, usize)> {
    let root = Path::new(CORPUS);
    if !root.is_dir() {
        return Vec::new();
    }
    let mut pages = Vec::new();
    for entry in walkdir::WalkDir::new(root).sort_by_file_name().into_iter().flatten() {
        let path = entry.path();
        let page = matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "html"));
        let Ok(text) =
            std::fs::read_to_string(path).map_err(|_| ()).and_then(|t| page.then_some(t).ok_or(()))
        else {
            continue;
        };
        if let Ok(Some(fm)) = crate::source::split_front_matter(&text) {
            let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned();
            pages.push((rel, text, fm.block.end));
        }
    }
    pages
}

/// What `grep -o "{%-\? *[a-z_]*"` and `grep -o "{{"` count in a body: each
/// tag name except end tags, and outputs; a cross-check written apart from
/// the parser.
fn grep_counts(body: &str, counts: &mut BTreeMap<String, usize>) {
    for (i, _) in body.match_indices("{%") {
        let rest = body[i + 2..].trim_start_matches('-').trim_start_matches(' ');
        let name: String =
            rest.chars().take_while(|c| c.is_ascii_lowercase() || *c == '_').collect();
        if !name.starts_with("end") {
            *counts.entry(name).or_default() += 1;
        }
    }
    *counts.entry("{{ output }}".into()).or_default() += body.matches("{{").count();
}

#[test]
fn corpus_pages_parse_cleanly() {
    let pages = corpus_pages();
    if pages.is_empty() {
        eprintln!("SKIPPED: corpus not found at ../shared/corpus/eig-jekyll");
        return;
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut grepped = BTreeMap::new();
    let mut problems = Vec::new();
    for (rel, text, body) in &pages {
        let p = parse(text, *body..text.len());
        check_invariants(text, &p);
        for call in &p.calls {
            let key = if call.notation == TAG { call.name.clone() } else { "{{ output }}".into() };
            *counts.entry(key).or_default() += 1;
        }
        problems.extend(
            p.problems
                .iter()
                .map(|e| format!("{rel}:{}:{}: {}", e.span.line, e.span.column, e.message)),
        );
        grep_counts(&text[*body..], &mut grepped);
    }
    eprintln!("{} pages; calls by name: {counts:?}", pages.len());
    // The corpus has no Liquid defect: no raw or comment block either, so
    // every `{%` and `{{` written is one call.
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(counts, grepped);
    assert_eq!(counts.get("include"), Some(&9));
    assert_eq!(counts.get("highlight"), Some(&5));
    assert_eq!(counts.get("for"), Some(&48));
}
