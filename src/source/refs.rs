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

/// The most references a page is read for by [`extract_at_most`] callers: each one costs
/// a few hundred bytes in the content model, its report and `carton.json`, and a 50 MB page
/// of links holds millions.
pub const MAX_REFS: usize = 100_000;

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
    extract_at_most(src, masked, usize::MAX).refs
}

/// What [`extract_at_most`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    /// The first references of the body, at most the maximum asked, sorted by span start.
    pub refs: Vec<RawRef>,
    /// Where the first reference left out starts, when the body holds more: extraction
    /// stopped there.
    pub cut: Option<usize>,
}

/// [`extract`], stopping once more than `max` references are found: the first `max` are
/// kept, the rest of the body is not read.
///
/// pulldown-cmark builds the tree of the whole text, a few hundred bytes per line, before
/// its first event, and a paragraph's links all at once: a 50 MB paragraph of links took
/// 2 GB. So a long text is read by growing prefixes, each ending at a line end, until one
/// holds more than `max` references or the whole text is read. Blocks before the last
/// one of a prefix parse as in the whole text; only reference-style links whose definition
/// lies past the prefix are missed, and only in a page already cut short.
pub fn extract_at_most(src: &str, masked: &[Range<usize>], max: usize) -> Extracted {
    let text = mask(src, masked);
    let mut len = if max == usize::MAX { text.len() } else { FIRST_PREFIX };
    let mut refs = loop {
        let end =
            text.get(len..).and_then(|rest| rest.find('\n')).map_or(text.len(), |i| len + i + 1);
        let refs = Walker::new(&text[..end], max).run();
        if refs.len() > max || end == text.len() {
            break refs;
        }
        len = len.saturating_mul(4);
    };
    refs.sort_by_key(|r| (r.span.start, r.span.end, r.kind));
    let cut = refs.get(max).map(|r| r.span.start);
    refs.truncate(max);
    refs.shrink_to_fit();
    Extracted { refs, cut }
}

/// The first prefix [`extract_at_most`] reads: pages shorter than this are read whole at once.
const FIRST_PREFIX: usize = 4 << 20;

/// Byte written over the first masked byte when blanks alone would turn the
/// rest of the line into an indented code block.
const FILLER: u8 = 0x1A;

/// Copies `src` with masked bytes overwritten by spaces, so offsets still
/// match `src`; `src` itself when nothing is masked.
fn mask<'a>(src: &'a str, masked: &[Range<usize>]) -> Cow<'a, str> {
    if masked.is_empty() {
        return Cow::Borrowed(src);
    }
    let mut bytes = src.as_bytes().to_vec();
    let mut clamped: Vec<Range<usize>> = masked
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
    //
    // One sweep in order of position: rescanning the line for each range was
    // quadratic, and 20,000 shortcodes on one line (10,000 nested levels) took
    // minutes ("Hostile input: nothing lost, nothing written where it must not be").
    clamped.sort_by_key(|r| r.start);
    // `bytes[line_start..scanned]` holds only indent bytes when `indent_only`.
    let (mut scanned, mut indent_only) = (0, true);
    // From here to the end of its line, the text is blank.
    let mut blank_from: Option<Range<usize>> = None;
    for r in &clamped {
        for &b in &bytes[scanned..r.start] {
            if b == b'\n' {
                indent_only = true;
            } else if !INDENT.contains(&b) {
                indent_only = false;
            }
        }
        scanned = r.start;
        if !indent_only || blank_from.as_ref().is_some_and(|blank| blank.contains(&r.end)) {
            continue;
        }
        match content_after(&bytes, r.end) {
            Ok(()) => bytes[r.start] = FILLER,
            Err(eol) => blank_from = Some(r.end..eol + 1),
        }
    }
    // Whole chars were overwritten with ASCII, so this cannot fail.
    Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| src.to_owned()))
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

/// Blanks and container markers (`>`, list bullets and numbers): what may
/// precede a shortcode that opens a line.
const INDENT: &[u8] = b" \t>*+-.)0123456789";

/// `Ok` when non-blank text follows `pos` on its line; otherwise `Err` with
/// where the line ends (its CR or LF, or the end of the text).
fn content_after(bytes: &[u8], pos: usize) -> Result<(), usize> {
    for (i, &b) in bytes[pos..].iter().enumerate() {
        match b {
            b'\n' | b'\r' => return Err(pos + i),
            b' ' | b'\t' => {}
            _ => return Ok(()),
        }
    }
    Err(bytes.len())
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
    /// Once `out` holds more than this, the walk stops.
    max: usize,
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
    fn new(text: &'a str, max: usize) -> Self {
        Walker {
            text,
            out: Vec::new(),
            max,
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
            if self.out.len() > self.max {
                break;
            }
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
            find_bare_urls(self.text, run, self.max, &mut self.out);
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
        if let Some(idx) = scan_html(html, range.start, block, self.max, &mut self.out) {
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

/// Reports each `http(s)://` URL in `text[run]` as a [`RefKind::BareUrl`], until `out`
/// holds more than `max`.
fn find_bare_urls(text: &str, run: Range<usize>, max: usize, out: &mut Vec<RawRef>) {
    let Some(slice) = text.get(run.clone()) else {
        return;
    };
    for m in BARE_URL.find_iter(slice) {
        if out.len() > max {
            return;
        }
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

/// Scans raw HTML at byte offset `base` for URL attributes, until `out` holds more than
/// `max`. In a `block`, `<a>` text is read up to `</a>`; inline, the index of a titleless
/// `<a href>` is returned so the caller can gather its text from the following events.
fn scan_html(
    html: &str,
    base: usize,
    block: bool,
    max: usize,
    out: &mut Vec<RawRef>,
) -> Option<usize> {
    let b = html.as_bytes();
    let mut open_anchor = None;
    let mut i = 0;
    while let Some(off) = html.get(i..).and_then(|s| s.find('<')) {
        if out.len() > max {
            break;
        }
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
mod tests;
