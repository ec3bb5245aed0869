//! WordPress post bodies: Gutenberg blocks, shortcodes and video embeds.
//!
//! This module owns reading the body of a WordPress post (the `content:encoded`
//! of a WXR export: classic HTML with shortcodes, Gutenberg block comments, or
//! both) into calls with exact byte spans. It renders nothing and never fails:
//! malformed input is kept as text and reported in [`Parsed::errors`].
//!
//! - Blocks follow the grammar of WordPress's block parser
//!   (`wp-includes/class-wp-block-parser.php`): `<!-- wp:name {json} -->`,
//!   `<!-- /wp:name -->` and `<!-- wp:name {json} /-->`.
//! - Shortcodes follow `get_shortcode_regex()` and `shortcode_parse_atts()`
//!   (`wp-includes/shortcodes.php`). The registered shortcodes of the site are
//!   unknown, so every syntactically valid call is returned and
//!   [`Shortcode::known`] marks the ones WordPress core registers.
//! - Embeds are the video (and audio) references a later stage turns into
//!   videos: embed blocks, `[embed]`, `[video]`, `[audio]`, auto-embedded URLs
//!   (`WP_Embed::autoembed` in `wp-includes/class-wp-embed.php`) and iframes
//!   of a recognised provider.
//!
//! Like WordPress (`do_shortcodes_in_html_tags`), shortcodes are not looked
//! for inside HTML comments (block delimiters included) and CDATA, nor across
//! HTML tags; a shortcode inside one attribute value is found. Unlike
//! WordPress, `<script>` and `<style>` contents are skipped too.

mod blocks;
mod embeds;
mod shortcodes;

use std::ops::Range;

use crate::source::VideoId;

/// Deepest nesting of paired blocks, and of paired shortcodes, that is read.
/// Deeper blocks are kept unpaired and the inside of deeper shortcodes is not
/// searched, so that consumers walking the tree never recurse too deep.
pub const MAX_DEPTH: usize = 256;

/// Shortcodes registered by WordPress core (`wp-includes/media.php`,
/// `class-wp-embed.php`).
pub const KNOWN_SHORTCODES: [&str; 7] =
    ["caption", "wp_caption", "gallery", "embed", "audio", "video", "playlist"];

/// One Gutenberg block, from its opening delimiter to its closing one.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// The name with its namespace, `core/` when none is written: `core/embed`,
    /// `core-embed/youtube`.
    pub name: String,
    /// The name as written in the opening delimiter: `embed`, `core-embed/youtube`.
    pub written_name: String,
    /// The attributes, when written and valid JSON.
    pub attrs: Option<serde_json::Value>,
    /// The attributes as written, braces included (also when they are not valid JSON).
    pub attrs_span: Option<Range<usize>>,
    /// The whole block: the opening delimiter through the closing one when
    /// paired, the opening delimiter alone otherwise.
    pub span: Range<usize>,
    /// The opening (or self-closing) delimiter, `<!--` to `-->` inclusive.
    pub open: Range<usize>,
    /// The closing delimiter when paired.
    pub close: Option<Range<usize>>,
    /// The inner HTML when paired: `open.end..close.start`.
    pub inner: Option<Range<usize>>,
    /// Whether the delimiter is self-closing (`/-->`).
    pub self_closing: bool,
    /// Index in [`Parsed::blocks`] of the innermost paired block holding this one.
    pub parent: Option<usize>,
}

impl Block {
    /// Whether this is an embed block: `core/embed`, or a legacy `core-embed/*`
    /// one (WordPress before 5.6).
    pub fn is_embed(&self) -> bool {
        self.name == "core/embed" || self.name.starts_with("core-embed/")
    }

    /// The string attribute `key`, if any.
    pub fn attr_str(&self, key: &str) -> Option<&str> {
        self.attrs.as_ref()?.get(key)?.as_str()
    }
}

/// How a shortcode attribute value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    /// `"…"`.
    Double,
    /// `'…'`.
    Single,
    /// Unquoted: runs to the next whitespace.
    Bare,
}

/// One attribute of a shortcode call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The key of a `key=value` attribute, lowercased as WordPress does; `None`
    /// for a positional one.
    pub name: Option<String>,
    /// The value with quotes removed and backslash escapes resolved
    /// (`stripcslashes`). WordPress empties a value holding an unclosed HTML
    /// tag; so does this.
    pub value: String,
    /// How the value was written.
    pub quote: Quote,
    /// The value as written, quotes included (the key is not).
    pub span: Range<usize>,
}

/// One shortcode call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode {
    /// The name as written (WordPress names are case-sensitive).
    pub name: String,
    /// The attributes in source order.
    pub params: Vec<Param>,
    /// The whole call: the opening tag through the closing tag when paired.
    pub span: Range<usize>,
    /// The opening tag, `[` to `]` inclusive.
    pub open: Range<usize>,
    /// The closing tag `[/name]` when paired.
    pub close: Option<Range<usize>>,
    /// The content between the tags when paired: `open.end..close.start`.
    pub inner: Option<Range<usize>>,
    /// Whether the opening tag ends with `/]`.
    pub self_closing: bool,
    /// Index in [`Parsed::shortcodes`] of the paired shortcode whose content holds this one.
    pub parent: Option<usize>,
    /// Whether WordPress core registers this name ([`KNOWN_SHORTCODES`]).
    pub known: bool,
}

impl Shortcode {
    /// The value of the `i`-th positional attribute (0-based).
    pub fn positional(&self, i: usize) -> Option<&str> {
        self.params.iter().filter(|p| p.name.is_none()).nth(i).map(|p| p.value.as_str())
    }

    /// The value of the attribute `key` (lowercase); the last one wins when
    /// repeated, as in WordPress.
    pub fn named(&self, key: &str) -> Option<&str> {
        self.named_param(key).map(|p| p.value.as_str())
    }

    fn named_param(&self, key: &str) -> Option<&Param> {
        self.params.iter().rev().find(|p| p.name.as_deref() == Some(key))
    }
}

/// Where an [`Embed`] was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmbedSource {
    /// An embed block (`core/embed`, `core-embed/*`): index in [`Parsed::blocks`].
    Block {
        /// Index of the block.
        index: usize,
    },
    /// An `[embed]`, `[video]` or `[audio]` shortcode: index in [`Parsed::shortcodes`].
    Shortcode {
        /// Index of the shortcode.
        index: usize,
    },
    /// A URL alone on its line, auto-embedded by WordPress.
    AutoLine,
    /// A URL alone in a `<p>` element, auto-embedded by WordPress.
    AutoParagraph,
    /// The `src` of an `<iframe>` of a recognised video provider.
    Iframe,
}

/// A reference to an embedded video or media file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embed {
    /// The URL, with `&amp;` (and `&#038;`) decoded.
    pub url: String,
    /// The URL as written. For a block, the URL in its inner HTML when there,
    /// else the `url` string of its attributes.
    pub span: Range<usize>,
    /// Where it was found.
    pub source: EmbedSource,
    /// The video, when the URL is one of a recognised provider.
    pub video: Option<VideoId>,
}

/// A problem found while parsing; the text it concerns is kept as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ParseError {
    /// Byte offset in the body where the problem is.
    pub offset: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The result of [`parse`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    /// Every block, nested ones included, in source order.
    pub blocks: Vec<Block>,
    /// Every shortcode call, nested ones included, in source order.
    pub shortcodes: Vec<Shortcode>,
    /// Escaped shortcodes (`[[name]]`, `[[name]…[/name]]`): text for WordPress,
    /// which prints them without the outer brackets. Whole spans, in source order.
    pub escaped: Vec<Range<usize>>,
    /// Embeds in source order of their URLs.
    pub embeds: Vec<Embed>,
    /// Problems, sorted by offset.
    pub errors: Vec<ParseError>,
}

/// Parses the blocks, shortcodes and embeds of a post body. Never fails:
/// problems are collected in [`Parsed::errors`].
pub fn parse(body: &str) -> Parsed {
    let mut errors = Vec::new();
    let html = Html::scan(body);
    let blocks = blocks::parse(body, &mut errors);
    let (shortcodes, escaped) = shortcodes::parse(body, &html, &mut errors);
    let embeds = embeds::find(body, &html, &blocks, &shortcodes, &mut errors);
    errors.sort();
    errors.dedup();
    Parsed { blocks, shortcodes, escaped, embeds, errors }
}

/// An HTML element as WordPress splits content (`wp_html_split`): any `<` up
/// to the next `>`, or a comment or CDATA section.
struct Element {
    span: Range<usize>,
    /// The lowercased tag name; empty for comments, CDATA, closing tags and
    /// anything that is not a tag.
    tag: String,
    /// Attributes: lowercased name and value as written, quotes excluded.
    attrs: Vec<(String, Range<usize>)>,
}

/// Where shortcodes and auto-embeds cannot be.
struct Html {
    /// Elements in source order; `<script>` and `<style>` span their content
    /// and closing tag too.
    elements: Vec<Element>,
}

impl Html {
    fn scan(src: &str) -> Html {
        let b = src.as_bytes();
        let mut elements = Vec::new();
        let mut pos = 0;
        while let Some(i) = find_byte(b, b'<', pos) {
            // `wp_html_split`: comments end at the first `-->` after `<!`, and
            // run to the end of the input when there is none.
            let end = if starts_at(b, i, b"<!--") {
                find(b, b"-->", i + 2).map_or(b.len(), |j| j + 3)
            } else if starts_at(b, i, b"<![CDATA[") {
                find(b, b"]]>", i + 9).map_or(b.len(), |j| j + 3)
            } else {
                find_byte(b, b'>', i + 1).map_or(b.len(), |j| j + 1)
            };
            let mut element = Element { span: i..end, tag: String::new(), attrs: Vec::new() };
            let name_end = b[i + 1..end]
                .iter()
                .position(|c| !c.is_ascii_alphanumeric())
                .map_or(end, |n| i + 1 + n);
            if b.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
                element.tag = src[i + 1..name_end].to_ascii_lowercase();
                let inner_end = if b[end - 1] == b'>' { end - 1 } else { end };
                element.attrs = tag_attrs(src, name_end.min(inner_end), inner_end);
                if matches!(element.tag.as_str(), "script" | "style") {
                    let close = format!("</{}", element.tag);
                    let stop = find_ci(b, close.as_bytes(), end)
                        .map_or(b.len(), |j| find_byte(b, b'>', j).map_or(b.len(), |k| k + 1));
                    element.span.end = stop;
                }
            }
            pos = element.span.end;
            elements.push(element);
        }
        Html { elements }
    }

    /// The element holding byte `pos`, if any.
    fn element_at(&self, pos: usize) -> Option<&Element> {
        let i = self.elements.partition_point(|e| e.span.start <= pos);
        i.checked_sub(1).map(|i| &self.elements[i]).filter(|e| pos < e.span.end)
    }
}

/// The attributes of a tag whose name ends at `from`, up to its end `to`.
fn tag_attrs(src: &str, from: usize, to: usize) -> Vec<(String, Range<usize>)> {
    let b = src.as_bytes();
    let mut attrs = Vec::new();
    let mut pos = from;
    while pos < to {
        while pos < to && (is_space(b[pos]) || b[pos] == b'/') {
            pos += 1;
        }
        let start = pos;
        while pos < to && !is_space(b[pos]) && !matches!(b[pos], b'=' | b'>' | b'/') {
            pos += 1;
        }
        if pos == start {
            pos += 1;
            continue;
        }
        let name = src[start..pos].to_ascii_lowercase();
        let mut eq = pos;
        while eq < to && is_space(b[eq]) {
            eq += 1;
        }
        if b.get(eq) != Some(&b'=') || eq >= to {
            continue;
        }
        let mut v = eq + 1;
        while v < to && is_space(b[v]) {
            v += 1;
        }
        let value = match b.get(v) {
            Some(&q @ (b'"' | b'\'')) if v < to => {
                let close = find_byte(b, q, v + 1).filter(|&j| j < to).unwrap_or(to);
                pos = (close + 1).min(to);
                v + 1..close
            }
            _ => {
                let mut e = v;
                while e < to && !is_space(b[e]) && b[e] != b'>' {
                    e += 1;
                }
                pos = e;
                v..e
            }
        };
        attrs.push((name, value));
    }
    attrs
}

/// `\s` of PCRE as WordPress uses it: ASCII space, tab, line feed, vertical
/// tab, form feed, carriage return.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn starts_at(b: &[u8], pos: usize, pat: &[u8]) -> bool {
    b.get(pos..).is_some_and(|rest| rest.starts_with(pat))
}

fn find_byte(b: &[u8], c: u8, from: usize) -> Option<usize> {
    b.get(from..)?.iter().position(|&x| x == c).map(|i| from + i)
}

fn find(b: &[u8], pat: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?.windows(pat.len()).position(|w| w == pat).map(|i| from + i)
}

/// `find`, ASCII case-insensitive.
fn find_ci(b: &[u8], pat: &[u8], from: usize) -> Option<usize> {
    b.get(from..)?.windows(pat.len()).position(|w| w.eq_ignore_ascii_case(pat)).map(|i| from + i)
}

/// Decodes the ampersand entities WordPress writes in URLs (`&amp;`, and the
/// `&#038;` of `esc_url`); `WP_Embed` itself decodes `&amp;` only.
fn decode_amp(url: &str) -> String {
    let mut out = url.to_string();
    for entity in ["&amp;", "&#038;", "&#38;", "&#x26;"] {
        if out.contains(entity) {
            out = out.replace(entity, "&");
        }
    }
    out
}

#[cfg(test)]
mod tests;
