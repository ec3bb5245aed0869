//! Finds every reference in a Markdown page body: Markdown links, images,
//! autolinks and link definitions, URLs in raw HTML attributes (`href`,
//! `src`, `srcset`, ...) and bare `http(s)://` URLs in text. Each reference
//! carries the byte span of its target in the original source, so callers can
//! report positions or rewrite targets in place.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use regex::Regex;

/// What kind of construct a reference was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// Markdown link `[text](dest)`, or a reference-style link `[text][ref]`.
    Link,
    /// Markdown image `![alt](src)`, inline or reference-style.
    Image,
    /// Autolink `<https://…>` or `<user@example.org>`.
    Autolink,
    /// Link reference definition `[ref]: dest`.
    LinkDefinition,
    /// `href` attribute of a raw HTML tag (`<a>`, `<link>`).
    HtmlHref,
    /// `src`, `srcset`, `data` or `poster` attribute of a raw HTML tag other than `<iframe src>`.
    HtmlSrc,
    /// `src` attribute of a raw HTML `<iframe>`.
    Iframe,
    /// Bare `http://` or `https://` URL in running text.
    BareUrl,
}

/// One reference found in a page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRef {
    /// Construct the reference was found in.
    pub kind: RefKind,
    /// Destination as the author meant it: Markdown escapes resolved, HTML
    /// entities decoded, surrounding whitespace trimmed. Percent-encoding is
    /// kept as written.
    pub target: String,
    /// Byte span in the source of the target as written (without `<>` or
    /// quotes). Reference-style links point at their definition's URL. When
    /// the target cannot be located exactly, the span of the whole construct.
    pub span: Range<usize>,
    /// Link text, image alt, or the `title` (`alt` for `<img>`, inner text as
    /// a fallback for `<a>`) of an HTML tag, when present.
    pub text: Option<String>,
}

/// Extracts every reference from a Markdown page body (front matter already
/// stripped), sorted by span start.
///
/// `masked`: byte ranges (on char boundaries, sorted, non-overlapping) that
/// must be treated as blank text, e.g. shortcode tags handled elsewhere.
/// Out-of-range or misaligned ranges are clamped, never a panic.
///
/// Several `Link`/`Image` refs may share the span of one `LinkDefinition`
/// (reference-style links); a rewriter must apply each span once.
pub fn extract(src: &str, masked: &[Range<usize>]) -> Vec<RawRef> {
    let text = mask(src, masked);
    let mut out = Walker::new(&text).run();
    out.sort_by_key(|r| (r.span.start, r.span.end, r.kind));
    out
}

/// Byte written over the first masked byte when blanks alone would turn the
/// rest of the line into an indented code block.
const FILLER: u8 = 0x1A;

/// Copies `src` with masked bytes overwritten by spaces, so offsets still
/// match `src`.
fn mask(src: &str, masked: &[Range<usize>]) -> String {
    if masked.is_empty() {
        return src.to_owned();
    }
    let mut bytes = src.as_bytes().to_vec();
    let clamped: Vec<Range<usize>> = masked
        .iter()
        .map(|r| floor_boundary(src, r.start)..ceil_boundary(src, r.end))
        .filter(|r| r.start < r.end)
        .collect();
    for r in &clamped {
        bytes[r.clone()].fill(b' ');
    }
    // An inline shortcode opening a line, e.g. `{{< icon >}} [Guide](/g.pdf)`,
    // would leave the link indented by 4+ blanks, which Markdown reads as code.
    // A non-blank byte keeps it a paragraph; lines that are blank after
    // masking stay blank so block structure is unchanged.
    for r in &clamped {
        if only_indent_before(&bytes, r.start) && content_after(&bytes, r.end) {
            bytes[r.start] = FILLER;
        }
    }
    // Whole chars were overwritten with ASCII, so this cannot fail.
    String::from_utf8(bytes).unwrap_or_else(|_| src.to_owned())
}

fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// True when only blanks and container markers (`>`, list bullets and
/// numbers) precede `pos` on its line.
fn only_indent_before(bytes: &[u8], pos: usize) -> bool {
    bytes[..pos]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|b| b" \t>*+-.)0123456789".contains(b))
}

/// True when non-blank text follows `pos` on its line.
fn content_after(bytes: &[u8], pos: usize) -> bool {
    bytes[pos..].iter().take_while(|&&b| b != b'\n' && b != b'\r').any(|&b| b != b' ' && b != b'\t')
}

/// An open Markdown link or image whose text is still being gathered.
struct Frame {
    idx: usize,
    range: Range<usize>,
    link_type: LinkType,
    /// End of the last event inside the link text; the destination follows it.
    inner_end: usize,
    text: String,
}

/// An inline `<a href>` without a title, waiting for its `</a>`.
struct HtmlAnchor {
    idx: usize,
    text: String,
}

struct Walker<'a> {
    text: &'a str,
    out: Vec<RawRef>,
    frames: Vec<Frame>,
    anchor: Option<HtmlAnchor>,
    in_code_block: bool,
    /// Contiguous Text events, scanned for bare URLs as one run so escapes
    /// (which split Text events) do not cut a URL.
    run: Option<Range<usize>>,
    /// End of the raw HTML already scanned, so no attribute is seen twice.
    html_done: usize,
}

impl<'a> Walker<'a> {
    fn new(text: &'a str) -> Self {
        Walker {
            text,
            out: Vec::new(),
            frames: Vec::new(),
            anchor: None,
            in_code_block: false,
            run: None,
            html_done: 0,
        }
    }

    fn run(mut self) -> Vec<RawRef> {
        let text = self.text;
        let parser = Parser::new_ext(
            text,
            Options::ENABLE_TABLES
                | Options::ENABLE_FOOTNOTES
                | Options::ENABLE_STRIKETHROUGH
                | Options::ENABLE_TASKLISTS,
        );
        // Definitions are complete after the first pass, before any event.
        let mut def_spans: HashMap<usize, Range<usize>> = HashMap::new();
        for (_, def) in parser.reference_definitions().iter() {
            let span = locate_def_dest(text, &def.span, &def.dest);
            def_spans.insert(def.span.start, span.clone());
            self.out.push(RawRef {
                kind: RefKind::LinkDefinition,
                target: def.dest.to_string(),
                span,
                text: None,
            });
        }

        let mut iter = parser.into_offset_iter();
        while let Some((event, range)) = iter.next() {
            if !matches!(event, Event::Text(_)) {
                self.flush_run();
            }
            let image = matches!(event, Event::Start(Tag::Image { .. }));
            match event {
                Event::Start(Tag::Link { link_type, dest_url, id, .. })
                | Event::Start(Tag::Image { link_type, dest_url, id, .. }) => {
                    let kind = match (image, link_type) {
                        (true, _) => RefKind::Image,
                        (false, LinkType::Autolink | LinkType::Email) => RefKind::Autolink,
                        (false, _) => RefKind::Link,
                    };
                    // Reference-style: the destination is written in the definition.
                    let def_span = iter
                        .reference_definitions()
                        .get(&id)
                        .and_then(|d| def_spans.get(&d.span.start))
                        .cloned();
                    let span = match link_type {
                        LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut => {
                            def_span.unwrap_or_else(|| range.clone())
                        }
                        // Inline spans are located at the End, once the text's end is known.
                        _ => range.clone(),
                    };
                    if let Some(parent) = self.frames.last_mut() {
                        parent.inner_end = parent.inner_end.max(range.end);
                    }
                    self.out.push(RawRef { kind, target: dest_url.to_string(), span, text: None });
                    self.frames.push(Frame {
                        idx: self.out.len() - 1,
                        inner_end: range.start + 1,
                        range,
                        link_type,
                        text: String::new(),
                    });
                }
                Event::End(TagEnd::Link | TagEnd::Image) => self.close_frame(),
                Event::Text(t) => {
                    self.add_text(&t, &range);
                    if self.frames.is_empty() && self.anchor.is_none() && !self.in_code_block {
                        self.extend_run(range);
                    } else {
                        self.flush_run();
                    }
                }
                Event::Code(t) => self.add_text(&t, &range),
                Event::SoftBreak | Event::HardBreak => self.add_text(" ", &range),
                Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
                Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
                // Scan the whole block at once: its events are per line and
                // a tag may span lines.
                Event::Start(Tag::HtmlBlock) => self.scan_html(range, true),
                Event::Html(_) => self.scan_html(range, true),
                Event::InlineHtml(_) => {
                    self.close_anchor_if_end_tag(&range);
                    self.scan_html(range.clone(), false);
                    if let Some(parent) = self.frames.last_mut() {
                        parent.inner_end = parent.inner_end.max(range.end);
                    }
                }
                Event::End(
                    TagEnd::Emphasis
                    | TagEnd::Strong
                    | TagEnd::Strikethrough
                    | TagEnd::Superscript
                    | TagEnd::Subscript,
                ) => self.note_inner(&range),
                // An inline `<a>` never outlives its block.
                Event::End(_) => self.anchor = None,
                _ => self.note_inner(&range),
            }
        }
        self.flush_run();
        while !self.frames.is_empty() {
            self.close_frame();
        }
        self.out
    }

    fn note_inner(&mut self, range: &Range<usize>) {
        if let Some(f) = self.frames.last_mut() {
            f.inner_end = f.inner_end.max(range.end);
        }
    }

    fn add_text(&mut self, t: &str, range: &Range<usize>) {
        if let Some(f) = self.frames.last_mut() {
            f.inner_end = f.inner_end.max(range.end);
            f.text.push_str(t);
        }
        if let Some(a) = &mut self.anchor {
            a.text.push_str(t);
        }
    }

    fn close_frame(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        if let Some(parent) = self.frames.last_mut() {
            // An image's alt is part of the enclosing link's text.
            parent.text.push_str(&frame.text);
            parent.inner_end = parent.inner_end.max(frame.range.end);
        }
        let text = self.text;
        let Some(r) = self.out.get_mut(frame.idx) else {
            return;
        };
        r.text = clean_text(&frame.text);
        match frame.link_type {
            LinkType::Inline => {
                // The destination follows the `](` after the link text.
                let from = frame.inner_end.max(frame.range.start + 1);
                if let Some(open) = text.get(from..frame.range.end).and_then(|s| s.find("](")) {
                    let from = from + open + 2;
                    if let Some(span) = locate_dest(text, from, frame.range.end, &r.target) {
                        r.span = span;
                    }
                }
            }
            LinkType::Autolink | LinkType::Email => {
                if let Some(span) =
                    locate_dest(text, frame.range.start + 1, frame.range.end, &r.target)
                {
                    r.span = span;
                }
            }
            _ => {}
        }
    }

    fn extend_run(&mut self, range: Range<usize>) {
        match &mut self.run {
            // A one-byte gap is the backslash of an escape, still the same text.
            Some(run) if range.start <= run.end + 1 => run.end = range.end,
            _ => {
                self.flush_run();
                self.run = Some(range);
            }
        }
    }

    fn flush_run(&mut self) {
        if let Some(run) = self.run.take() {
            find_bare_urls(self.text, run, &mut self.out);
        }
    }

    fn close_anchor_if_end_tag(&mut self, range: &Range<usize>) {
        let Some(tag) = self.text.get(range.clone()) else {
            return;
        };
        let b = tag.trim_start().as_bytes();
        let closes_a = b.len() >= 4
            && b[..3].eq_ignore_ascii_case(b"</a")
            && (b[3] == b'>' || b[3].is_ascii_whitespace());
        if !closes_a {
            return;
        }
        if let Some(a) = self.anchor.take()
            && let Some(r) = self.out.get_mut(a.idx)
            && r.text.is_none()
        {
            r.text = clean_text(&a.text);
        }
    }

    fn scan_html(&mut self, range: Range<usize>, block: bool) {
        if range.start < self.html_done {
            return;
        }
        self.html_done = range.end;
        let Some(html) = self.text.get(range.clone()) else {
            return;
        };
        if let Some(idx) = scan_html(html, range.start, block, &mut self.out) {
            self.anchor = Some(HtmlAnchor { idx, text: String::new() });
        }
    }
}

/// Trims link text and drops the mask filler; `None` when nothing is left.
fn clean_text(t: &str) -> Option<String> {
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    let filler = char::from(FILLER);
    Some(if t.contains(filler) { t.replace(filler, "").trim().to_owned() } else { t.to_owned() })
        .filter(|t| !t.is_empty())
}

/// Locates `dest` as written at `from` (after blanks and an optional `<`),
/// else its first literal occurrence before `end`.
fn locate_dest(text: &str, from: usize, end: usize, dest: &str) -> Option<Range<usize>> {
    let slice = text.get(from..end)?;
    let start = from + (slice.len() - slice.trim_start().len());
    let rest = text.get(start..end)?;
    if rest.starts_with(dest) {
        return Some(start..start + dest.len());
    }
    if let Some(inner) = rest.strip_prefix('<')
        && inner.starts_with(dest)
    {
        return Some(start + 1..start + 1 + dest.len());
    }
    // Escapes or entities were resolved: the written form differs.
    if dest.is_empty() {
        return None;
    }
    slice.find(dest).map(|i| from + i..from + i + dest.len())
}

/// Locates a definition's URL: it follows the label's closing `]:`.
fn locate_def_dest(text: &str, span: &Range<usize>, dest: &str) -> Range<usize> {
    let Some(def) = text.get(span.clone()) else {
        return span.clone();
    };
    let b = def.as_bytes();
    let mut i = 1;
    while i < b.len() && b[i] != b']' {
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    locate_dest(text, span.start + i + 2, span.end, dest).unwrap_or_else(|| span.clone())
}

static BARE_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bhttps?://[^\s<>"\x00-\x1F\x7F]+"#).expect("valid bare URL regex")
});

/// Reports each `http(s)://` URL in `text[run]` as a [`RefKind::BareUrl`].
fn find_bare_urls(text: &str, run: Range<usize>, out: &mut Vec<RawRef>) {
    let Some(slice) = text.get(run.clone()) else {
        return;
    };
    for m in BARE_URL.find_iter(slice) {
        let url = trim_url_end(m.as_str());
        let Some(rest) = url.find("://").and_then(|i| url.get(i + 3..)) else {
            continue;
        };
        if rest.is_empty() {
            continue;
        }
        let start = run.start + m.start();
        out.push(RawRef {
            kind: RefKind::BareUrl,
            target: decode_entities(&unescape_markdown(url)).into_owned(),
            span: start..start + url.len(),
            text: None,
        });
    }
}

/// Drops sentence punctuation after a URL; a closing bracket stays only when
/// the URL opened it, as in `https://fr.wikipedia.org/wiki/Foo_(bar)`.
fn trim_url_end(url: &str) -> &str {
    let count = |c: u8| url.bytes().filter(|&b| b == c).count();
    let (mut open_paren, mut close_paren) = (count(b'('), count(b')'));
    let (open_bracket, mut close_bracket) = (count(b'['), count(b']'));
    let mut end = url.len();
    while let Some(&last) = url.as_bytes()[..end].last() {
        let drop = match last {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' | b'_' | b'~' => true,
            b')' if close_paren > open_paren => {
                close_paren -= 1;
                true
            }
            b']' if close_bracket > open_bracket => {
                close_bracket -= 1;
                true
            }
            _ => false,
        };
        if !drop {
            break;
        }
        if last == b'(' {
            open_paren -= 1;
        }
        end -= 1;
    }
    // Only ASCII bytes were dropped, so `end` is a char boundary.
    url.get(..end).unwrap_or(url)
}

/// Resolves Markdown backslash escapes of ASCII punctuation.
fn unescape_markdown(s: &str) -> Cow<'_, str> {
    if !s.contains('\\') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            chars.next();
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Decodes the HTML entities found in URLs: `&amp; &lt; &gt; &quot; &apos;`
/// and numeric ones. Unknown entities are left as written.
fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match entity(after) {
            Some((c, used)) => {
                out.push(c);
                rest = after.get(used..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Parses an entity body (after `&`), returning the char and bytes used.
fn entity(s: &str) -> Option<(char, usize)> {
    let semi = s.bytes().take(10).position(|b| b == b';')?;
    let name = s.get(..semi)?;
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code).filter(|&c| c != '\0')?
        }
    };
    Some((c, semi + 1))
}

/// Tags whose URL attributes are references.
const URL_TAGS: &[&str] = &[
    "a", "img", "iframe", "source", "video", "audio", "embed", "link", "script", "object", "track",
];

/// How far past `<a ...>` to look for `</a>` in an HTML block.
const ANCHOR_TEXT_WINDOW: usize = 2048;

/// Scans raw HTML at byte offset `base` for URL attributes. In a `block`,
/// `<a>` text is read up to `</a>`; inline, the index of a titleless `<a href>`
/// is returned so the caller can gather its text from the following events.
fn scan_html(html: &str, base: usize, block: bool, out: &mut Vec<RawRef>) -> Option<usize> {
    let b = html.as_bytes();
    let mut open_anchor = None;
    let mut i = 0;
    while let Some(off) = html.get(i..).and_then(|s| s.find('<')) {
        let lt = i + off;
        if b[lt..].starts_with(b"<!--") {
            i = match html[lt + 4..].find("-->") {
                Some(e) => lt + 4 + e + 3,
                None => html.len(),
            };
            continue;
        }
        let name_start = lt + 1;
        let mut name_end = name_start;
        while name_end < b.len()
            && (b[name_end].is_ascii_alphanumeric()
                || (name_end > name_start && b[name_end] == b'-'))
        {
            name_end += 1;
        }
        if name_end == name_start || !b[name_start].is_ascii_alphabetic() {
            i = lt + 1;
            continue;
        }
        let name = html[name_start..name_end].to_ascii_lowercase();
        let (attrs, tag_end) = parse_attrs(html, name_end);
        i = tag_end;
        if URL_TAGS.contains(&name.as_str()) {
            let anchor = emit_attrs(html, base, &name, &attrs, out);
            if let Some(idx) = anchor {
                if block {
                    if let Some(r) = out.get_mut(idx) {
                        r.text = anchor_text(html, tag_end);
                    }
                } else {
                    open_anchor = Some(idx);
                }
            }
        }
        // Script and style bodies are not markup.
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = find_ci(html, tag_end, &close).unwrap_or(html.len());
        }
    }
    open_anchor
}

struct Attr {
    name: Range<usize>,
    value: Range<usize>,
}

/// Parses attributes from `from` to the tag's `>`; returns those with a
/// value and the offset after the tag.
fn parse_attrs(html: &str, from: usize) -> (Vec<Attr>, usize) {
    let b = html.as_bytes();
    let mut attrs = Vec::new();
    let mut p = from;
    let skip_ws = |p: &mut usize| {
        while *p < b.len() && b[*p].is_ascii_whitespace() {
            *p += 1;
        }
    };
    loop {
        skip_ws(&mut p);
        while p < b.len() && b[p] == b'/' {
            p += 1;
            skip_ws(&mut p);
        }
        match b.get(p) {
            None => return (attrs, p),
            Some(b'>') => return (attrs, p + 1),
            // A new tag starts: this one was malformed.
            Some(b'<') => return (attrs, p),
            _ => {}
        }
        let name_start = p;
        while p < b.len() && !b[p].is_ascii_whitespace() && !b"=>/<".contains(&b[p]) {
            p += 1;
        }
        if p == name_start {
            // A stray `=`: skip it.
            p += 1;
            continue;
        }
        let name = name_start..p;
        skip_ws(&mut p);
        if b.get(p) != Some(&b'=') {
            continue;
        }
        p += 1;
        skip_ws(&mut p);
        let value = match b.get(p) {
            Some(&q) if q == b'"' || q == b'\'' => {
                let start = p + 1;
                match b[start..].iter().position(|&c| c == q) {
                    Some(len) => {
                        p = start + len + 1;
                        start..start + len
                    }
                    None => {
                        p = b.len();
                        start..b.len()
                    }
                }
            }
            _ => {
                let start = p;
                while p < b.len() && !b[p].is_ascii_whitespace() && b[p] != b'>' {
                    p += 1;
                }
                start..p
            }
        };
        attrs.push(Attr { name, value });
    }
}

/// Emits the URL attributes of one tag; returns the index of an `<a href>`
/// ref that still needs its text.
fn emit_attrs(
    html: &str,
    base: usize,
    tag: &str,
    attrs: &[Attr],
    out: &mut Vec<RawRef>,
) -> Option<usize> {
    let attr = |wanted: &str| {
        attrs
            .iter()
            .find(|a| html[a.name.clone()].eq_ignore_ascii_case(wanted))
            .map(|a| decode_entities(html[a.value.clone()].trim()).into_owned())
            .filter(|v| !v.is_empty())
    };
    let text = if tag == "img" { attr("alt").or_else(|| attr("title")) } else { attr("title") };
    let mut anchor = None;
    for a in attrs {
        let name = &html[a.name.clone()];
        let kind = if name.eq_ignore_ascii_case("href") {
            RefKind::HtmlHref
        } else if name.eq_ignore_ascii_case("src") {
            if tag == "iframe" { RefKind::Iframe } else { RefKind::HtmlSrc }
        } else if name.eq_ignore_ascii_case("data") || name.eq_ignore_ascii_case("poster") {
            RefKind::HtmlSrc
        } else if name.eq_ignore_ascii_case("srcset") {
            let value = &html[a.value.clone()];
            for url in srcset_urls(value) {
                let raw = &value[url.clone()];
                let start = base + a.value.start + url.start;
                out.push(RawRef {
                    kind: RefKind::HtmlSrc,
                    target: decode_entities(raw).into_owned(),
                    span: start..start + raw.len(),
                    text: text.clone(),
                });
            }
            continue;
        } else {
            continue;
        };
        let raw = &html[a.value.clone()];
        let trimmed = raw.trim();
        let start = base + a.value.start + (raw.len() - raw.trim_start().len());
        out.push(RawRef {
            kind,
            target: decode_entities(trimmed).trim().to_owned(),
            span: start..start + trimmed.len(),
            text: text.clone(),
        });
        if tag == "a" && kind == RefKind::HtmlHref && text.is_none() {
            anchor = Some(out.len() - 1);
        }
    }
    anchor
}

/// Splits a `srcset` value into the ranges of its URLs (descriptors dropped).
fn srcset_urls(v: &str) -> Vec<Range<usize>> {
    let b = v.as_bytes();
    let mut urls = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b',') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut end = i;
        if end > start && b[end - 1] == b',' {
            // `url,` has no descriptors.
            while end > start && b[end - 1] == b',' {
                end -= 1;
            }
            if end > start {
                urls.push(start..end);
            }
            continue;
        }
        if end > start {
            urls.push(start..end);
        }
        // Skip descriptors up to the next comma outside parentheses.
        let mut depth = 0usize;
        while i < b.len() {
            match b[i] {
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b',' if depth == 0 => {
                    i += 1;
                    break;
                }
                _ => {}
            }
            i += 1;
        }
    }
    urls
}

/// Text of an `<a>` in an HTML block: tags stripped, entities decoded,
/// whitespace collapsed. Looks no further than [`ANCHOR_TEXT_WINDOW`] bytes.
fn anchor_text(html: &str, from: usize) -> Option<String> {
    let limit = ceil_boundary(html, from.saturating_add(ANCHOR_TEXT_WINDOW));
    let window = html.get(from..limit)?;
    let end = find_ci(window, 0, "</a")?;
    let mut plain = String::new();
    let mut in_tag = false;
    for c in window[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let decoded = decode_entities(&plain);
    let words: Vec<&str> = decoded.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// ASCII-case-insensitive search for `needle` (which starts with `<`) from `from`.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let b = hay.as_bytes();
    let n = needle.as_bytes();
    let mut i = from;
    while let Some(off) = hay.get(i..).and_then(|s| s.find('<')) {
        let at = i + off;
        if b.len() - at >= n.len() && b[at..at + n.len()].eq_ignore_ascii_case(n) {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
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
        assert_eq!(
            r.target,
            "https://www.cnil.fr/sites/default/files/atoms/files/guide_open_data.pdf"
        );
        assert_eq!(written(src, &r), r.target);
        assert_eq!(r.text.as_deref(), Some("guide"));
    }

    #[test]
    fn percent_encoding_kept() {
        let src = "[Questionnaire](https://github.com/x/blob/master/docs/Questionnaire%20-%20EIG%203.pdf)";
        let r = one(src);
        assert_eq!(
            r.target,
            "https://github.com/x/blob/master/docs/Questionnaire%20-%20EIG%203.pdf"
        );
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
        let got: Vec<_> =
            out.iter().map(|r| (r.kind, r.target.as_str(), written(src, r))).collect();
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
        let src = "Para [a](/a.pdf)\r\nhttps://x.fr/b\r\n\r\n[r]: /r.pdf\r\n\r\n<img\r\n src=\"/i.png\">\r\n";
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
        let got: Vec<_> =
            out.iter().map(|r| (r.kind, r.target.as_str(), r.text.as_deref())).collect();
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
}
