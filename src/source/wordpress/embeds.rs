//! Video and media references: embed blocks, `[embed]`, `[video]` and
//! `[audio]` shortcodes, auto-embedded URLs and provider iframes.
//!
//! Auto-embeds follow `WP_Embed::autoembed`: a URL alone on its line
//! (`|^(\s*)(https?://[^\s<>"]+)(\s*)$|im`, line breaks inside HTML tags and
//! comments not counting), or alone in a paragraph
//! (`|(<p(?: [^>]*)?>\s*)(https?://[^\s<>"]+)(\s*<\/p>)|i`). Only URLs outside
//! any block are taken, or inside an embed block, where the URL is the block's
//! own and not a second embed; those inside an `[embed]` call are the call's.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{
    Block, Embed, EmbedSource, Html, Param, ParseError, Quote, Shortcode, decode_amp, find_byte,
    is_space,
};
use crate::source::parse_video_url;

/// The paragraph auto-embed regex of `WP_Embed::autoembed`, PCRE `\s` being ASCII.
static PARAGRAPH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<p(?: [^>]*)?>[\t\n\x0B\x0C\r ]*(https?://[^\t\n\x0B\x0C\r <>"]+)[\t\n\x0B\x0C\r ]*</p>"#,
    )
    .expect("valid paragraph embed regex")
});

/// Attributes of `[video]` and `[audio]` naming a file (`wp_get_video_extensions`,
/// `wp_get_audio_extensions`).
const VIDEO_SOURCES: [&str; 6] = ["src", "mp4", "m4v", "webm", "ogv", "flv"];
const AUDIO_SOURCES: [&str; 6] = ["src", "mp3", "ogg", "flac", "m4a", "wav"];

/// Finds every embed, in source order of the URLs.
pub(super) fn find(
    src: &str,
    html: &Html,
    blocks: &[Block],
    shortcodes: &[Shortcode],
    errors: &mut Vec<ParseError>,
) -> Vec<Embed> {
    let mut embeds = Vec::new();
    // URL written in the inner HTML of each embed block, if any.
    let mut block_urls: Vec<Option<Range<usize>>> = vec![None; blocks.len()];
    let embed_calls: Vec<Range<usize>> =
        shortcodes.iter().filter(|s| s.name == "embed").map(|s| s.span.clone()).collect();
    let candidates = alone_on_line(src, html)
        .map(|span| (span, EmbedSource::AutoLine))
        .chain(alone_in_paragraph(src, html).map(|span| (span, EmbedSource::AutoParagraph)));
    for (span, source) in candidates {
        match innermost_block(blocks, span.start) {
            Some(i) if blocks[i].is_embed() => {
                block_urls[i].get_or_insert(span);
            }
            Some(_) => {}
            None => {
                if !embed_calls.iter().any(|call| call.start <= span.start && span.end <= call.end)
                {
                    embeds.push(embed(decode_amp(&src[span.clone()]), span, source));
                }
            }
        }
    }
    for (index, block) in blocks.iter().enumerate().filter(|(_, b)| b.is_embed()) {
        if let Some(found) = block_embed(src, block, block_urls[index].take()) {
            let (url, span) = found;
            embeds.push(embed(url, span, EmbedSource::Block { index }));
        } else {
            errors.push(ParseError {
                offset: block.open.start,
                message: format!("embed block `{}` has no URL", block.written_name),
            });
        }
    }
    for (index, call) in shortcodes.iter().enumerate() {
        for (span, url) in shortcode_urls(src, call) {
            embeds.push(embed(url, span, EmbedSource::Shortcode { index }));
        }
        if call.name == "embed"
            && !embeds.iter().any(|e| e.source == (EmbedSource::Shortcode { index }))
        {
            errors.push(ParseError {
                offset: call.open.start,
                message:
                    "`[embed]` has no URL: write `[embed]URL[/embed]` or `[embed src=\"URL\"]`"
                        .into(),
            });
        }
    }
    for element in html.elements.iter().filter(|e| e.tag == "iframe") {
        if let Some((_, value)) = element.attrs.iter().find(|(name, _)| name == "src") {
            let url = decode_amp(src[value.clone()].trim());
            if parse_video_url(&url).is_some() {
                embeds.push(embed(url, value.clone(), EmbedSource::Iframe));
            }
        }
    }
    // One embed per URL as written; an embed block or a shortcode wins over an
    // auto-embed of the same text.
    embeds.sort_by_key(|e| (e.span.start, priority(e.source)));
    embeds.dedup_by(|later, first| later.span == first.span);
    embeds
}

fn embed(url: String, span: Range<usize>, source: EmbedSource) -> Embed {
    let video = parse_video_url(&url);
    Embed { url, span, source, video }
}

fn priority(source: EmbedSource) -> u8 {
    match source {
        EmbedSource::Block { .. } => 0,
        EmbedSource::Shortcode { .. } => 1,
        EmbedSource::AutoLine => 2,
        EmbedSource::AutoParagraph => 3,
        EmbedSource::Iframe => 4,
    }
}

/// Spans of URLs alone on their line, outside HTML tags and comments.
fn alone_on_line<'a>(src: &'a str, html: &'a Html) -> impl Iterator<Item = Range<usize>> + 'a {
    let b = src.as_bytes();
    let mut start = 0;
    let mut pos = 0;
    std::iter::from_fn(move || {
        while start <= b.len() {
            // Line breaks inside elements do not end the line: WordPress
            // replaces them with placeholders first.
            let end = loop {
                match find_byte(b, b'\n', pos) {
                    Some(nl) => match html.element_at(nl) {
                        Some(element) => pos = element.span.end,
                        None => break nl,
                    },
                    None => break b.len(),
                }
            };
            let line = start..end;
            start = end + 1;
            pos = start;
            if let Some(url) = lone_url(b, line) {
                return Some(url);
            }
        }
        None
    })
}

/// The URL when the line (or paragraph) `range` is one surrounded by whitespace.
fn lone_url(b: &[u8], mut range: Range<usize>) -> Option<Range<usize>> {
    while range.start < range.end && is_space(b[range.start]) {
        range.start += 1;
    }
    while range.start < range.end && is_space(b[range.end - 1]) {
        range.end -= 1;
    }
    let text = &b[range.clone()];
    let scheme = if text.len() > 8 && text[..8].eq_ignore_ascii_case(b"https://") {
        8
    } else if text.len() > 7 && text[..7].eq_ignore_ascii_case(b"http://") {
        7
    } else {
        return None;
    };
    text[scheme..]
        .iter()
        .all(|&c| !is_space(c) && !matches!(c, b'<' | b'>' | b'"'))
        .then_some(range)
}

/// Spans of URLs alone in a `<p>` element.
fn alone_in_paragraph<'a>(src: &'a str, html: &'a Html) -> impl Iterator<Item = Range<usize>> + 'a {
    PARAGRAPH.captures_iter(src).filter_map(|caps| {
        let whole = caps.get(0)?;
        let url = caps.get(1)?;
        // The `<p>` must be a real tag, on one line: WordPress puts a
        // placeholder in the line breaks of tags before matching.
        let tag = html.element_at(whole.start()).filter(|e| e.span.start == whole.start())?;
        let one_line = !src[tag.span.clone()].contains('\n');
        (one_line && html.element_at(url.start()).is_none()).then(|| url.range())
    })
}

/// The innermost paired block whose inner HTML holds `pos`.
fn innermost_block(blocks: &[Block], pos: usize) -> Option<usize> {
    let after = blocks.partition_point(|b| b.open.start < pos);
    (0..after)
        .rev()
        .find(|&i| blocks[i].inner.as_ref().is_some_and(|r| r.start <= pos && pos < r.end))
}

/// The URL of an embed block and its span: the URL of its inner HTML when it
/// is the one of the attributes (or there are none), else the `url` attribute.
fn block_embed(
    src: &str,
    block: &Block,
    inner: Option<Range<usize>>,
) -> Option<(String, Range<usize>)> {
    let inner = inner.map(|span| (decode_amp(&src[span.clone()]), span));
    let Some(url) = block.attr_str("url").filter(|u| !u.is_empty()) else {
        return inner;
    };
    if let Some((inner_url, span)) = inner
        && inner_url == url
    {
        return Some((inner_url, span));
    }
    let attrs = block.attrs_span.clone()?;
    let span = json_string_span(src, attrs.clone(), "url", url).unwrap_or(attrs);
    Some((url.to_string(), span))
}

/// The span, quotes excluded, of the first string value of `key` in the JSON
/// text at `attrs` that decodes to `value`.
fn json_string_span(
    src: &str,
    attrs: Range<usize>,
    key: &str,
    value: &str,
) -> Option<Range<usize>> {
    let b = src.as_bytes();
    let needle = format!("\"{key}\"");
    let mut pos = attrs.start;
    while let Some(at) = super::find(b, needle.as_bytes(), pos).filter(|&at| at < attrs.end) {
        pos = at + needle.len();
        let mut i = pos;
        while i < attrs.end && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b':') {
            continue;
        }
        i += 1;
        while i < attrs.end && is_space(b[i]) {
            i += 1;
        }
        if b.get(i) != Some(&b'"') {
            continue;
        }
        let open = i;
        i += 1;
        while i < attrs.end && b[i] != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        if i >= attrs.end {
            return None;
        }
        if serde_json::from_str::<String>(&src[open..=i]).is_ok_and(|s| s == value) {
            return Some(open + 1..i);
        }
    }
    None
}

/// The URLs of an `[embed]`, `[video]` or `[audio]` call and their spans,
/// quotes excluded and, for `[embed]URL[/embed]`, whitespace trimmed.
fn shortcode_urls(src: &str, call: &Shortcode) -> Vec<(Range<usize>, String)> {
    let value = |p: &Param| {
        let quoted = usize::from(p.quote != Quote::Bare);
        (p.span.start + quoted..p.span.end - quoted, decode_amp(p.value.trim()))
    };
    let sources: &[&str] = match call.name.as_str() {
        "embed" => {
            if let Some(inner) = &call.inner {
                let text = &src[inner.clone()];
                let trimmed = text.trim_start();
                let start = inner.start + text.len() - trimmed.len();
                let end = start + trimmed.trim_end().len();
                // WordPress takes any content as the URL; content that cannot
                // be one (an `[embed src=…]` paired with a later `[/embed]`)
                // falls back to `src`.
                if start < end && !src[start..end].bytes().any(|c| is_space(c) || c == b'<') {
                    return vec![(start..end, decode_amp(&src[start..end]))];
                }
            }
            // The last of a repeated attribute wins in WordPress.
            let param = call.named_param("src").filter(|p| !p.value.trim().is_empty());
            return param.map(value).into_iter().collect();
        }
        "video" => &VIDEO_SOURCES,
        "audio" => &AUDIO_SOURCES,
        _ => return Vec::new(),
    };
    let is_url = |v: &str| {
        let lower = v.to_ascii_lowercase();
        lower.starts_with("http://") || lower.starts_with("https://")
    };
    call.params
        .iter()
        .filter(|p| !p.value.trim().is_empty())
        .filter(|p| match &p.name {
            Some(name) => sources.contains(&name.as_str()),
            // `[audio https://…]`, as WordPress.com writes it.
            None => is_url(&p.value),
        })
        .map(value)
        .collect()
}
