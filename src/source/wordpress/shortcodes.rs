//! Shortcode calls, as `get_shortcode_regex()` and `shortcode_parse_atts()`
//! read them.
//!
//! A call is `[` + name + attributes + `]` (or `/]`), optionally followed by
//! content and the first `[/name]` after it. The name is what `do_shortcode`
//! takes as a tag name (the run of characters after `[` up to one of
//! `<>&/[]=`, a control character or a space) when it is made of
//! `[A-Za-z0-9_-]`; `[1.5]` or `[…]` are text. The attributes run to the
//! first `]`, quotes or not. Content is read the way WordPress does when a
//! shortcode handler calls `do_shortcode` on it: the same search, inside the
//! content only. `[[name]]` is an escape, not a call.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{Html, KNOWN_SHORTCODES, MAX_DEPTH, Param, ParseError, Quote, Shortcode, find_byte};

/// `get_shortcode_atts_regex()`, with PCRE's ASCII `\w`, `\s` and `\S`.
static ATTS: LazyLock<Regex> = LazyLock::new(|| {
    let s = r"[\t\n\x0B\x0C\r ]";
    let ns = r"[^\t\n\x0B\x0C\r ]";
    let w = r"[A-Za-z0-9_-]";
    let end = format!("(?:{s}|$)");
    let pattern = format!(
        r#"({w}+){s}*={s}*"([^"]*)"{end}|({w}+){s}*={s}*'([^']*)'{end}|({w}+){s}*={s}*([^\t\n\x0B\x0C\r '"]+){end}|"([^"]*)"{end}|'([^']*)'{end}|({ns}+){end}"#
    );
    Regex::new(&pattern).expect("valid shortcode attribute regex")
});

/// Reads every shortcode call outside HTML tags and comments, then those in
/// attribute values. Returns the calls in source order and the escaped spans.
pub(super) fn parse(
    src: &str,
    html: &Html,
    errors: &mut Vec<ParseError>,
) -> (Vec<Shortcode>, Vec<Range<usize>>) {
    let mut out = Out::default();
    if !src.contains('[') {
        return (Vec::new(), Vec::new());
    }
    // Brackets inside elements are invisible from the text, as WordPress
    // encodes them before looking for shortcodes.
    let mut masked = src.as_bytes().to_vec();
    for element in &html.elements {
        for c in &mut masked[element.span.clone()] {
            if matches!(*c, b'[' | b']') {
                *c = 0;
            }
        }
    }
    View::new(src, &masked, 0..src.len()).read(None, 0, &mut out, errors);
    sort(&mut out);
    // Then each attribute value on its own, as `do_shortcodes_in_html_tags` does.
    let zones: Vec<Range<usize>> = html
        .elements
        .iter()
        .filter(|e| !matches!(e.tag.as_str(), "" | "script" | "style"))
        .flat_map(|e| e.attrs.iter().map(|(_, value)| value.clone()))
        .filter(|v| src[v.clone()].contains('[') && src[v.clone()].contains(']'))
        .collect();
    if !zones.is_empty() {
        let text_calls = out.calls.len();
        for zone in zones {
            let parent = (0..text_calls).rev().find(|&i| {
                out.calls[i]
                    .inner
                    .as_ref()
                    .is_some_and(|r| r.start <= zone.start && zone.end <= r.end)
            });
            let depth = parent.map_or(0, |p| out.depths[p] + 1);
            if depth < MAX_DEPTH {
                View::new(src, src.as_bytes(), zone).read(parent, depth, &mut out, errors);
            }
        }
        sort(&mut out);
    }
    out.escaped.sort_by_key(|r| r.start);
    (out.calls, out.escaped)
}

#[derive(Default)]
struct Out {
    calls: Vec<Shortcode>,
    /// Nesting depth of each call (0 at top level).
    depths: Vec<usize>,
    escaped: Vec<Range<usize>>,
}

/// Puts the calls in source order, keeping parent indexes right.
fn sort(out: &mut Out) {
    let mut order: Vec<usize> = (0..out.calls.len()).collect();
    order.sort_by_key(|&i| out.calls[i].open.start);
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut calls: Vec<Option<Shortcode>> =
        std::mem::take(&mut out.calls).into_iter().map(Some).collect();
    let depths = std::mem::take(&mut out.depths);
    for &old in &order {
        if let Some(mut call) = calls[old].take() {
            call.parent = call.parent.map(|p| new_index[p]);
            out.calls.push(call);
            out.depths.push(depths[old]);
        }
    }
}

/// The text as one `do_shortcode` call sees it.
struct View<'a> {
    src: &'a str,
    /// `src` with the brackets that are not visible replaced.
    b: &'a [u8],
    range: Range<usize>,
    /// Visible `]`, sorted.
    brackets: Vec<usize>,
    /// Visible closing tags `[/name]` per name, sorted.
    closers: HashMap<&'a str, Vec<Range<usize>>>,
}

/// An opening tag and, when paired, its closing tag.
struct Match {
    open: Range<usize>,
    atts: Range<usize>,
    close: Option<Range<usize>>,
    self_closing: bool,
}

impl Match {
    fn end(&self) -> usize {
        self.close.as_ref().map_or(self.open.end, |c| c.end)
    }
}

impl<'a> View<'a> {
    fn new(src: &'a str, b: &'a [u8], range: Range<usize>) -> View<'a> {
        let mut brackets = Vec::new();
        let mut closers: HashMap<&str, Vec<Range<usize>>> = HashMap::new();
        for i in range.clone() {
            match b[i] {
                b']' => brackets.push(i),
                b'[' if b.get(i + 1) == Some(&b'/') => {
                    let name_end = name_end(b, i + 2, range.end);
                    if name_end > i + 2 && name_end < range.end && b[name_end] == b']' {
                        closers.entry(&src[i + 2..name_end]).or_default().push(i..name_end + 1);
                    }
                }
                _ => {}
            }
        }
        View { src, b, range, brackets, closers }
    }

    /// Reads the calls of the whole view, then of the content of each paired
    /// call, with an explicit work list (no recursion).
    fn read(
        &self,
        parent: Option<usize>,
        depth: usize,
        out: &mut Out,
        errors: &mut Vec<ParseError>,
    ) {
        let b = self.b;
        let mut work = vec![(self.range.clone(), parent, depth)];
        while let Some((range, parent, depth)) = work.pop() {
            let mut pos = range.start;
            while let Some(i) = find_byte(b, b'[', pos).filter(|&i| i < range.end) {
                pos = i + 1;
                if b.get(i + 1) == Some(&b'/') {
                    self.stray_closer(i, &range, errors);
                    continue;
                }
                // `[[name]]`: the regex takes the second `[` first.
                let escapable = b.get(i + 1) == Some(&b'[');
                let at = if escapable { i + 1 } else { i };
                let Some(m) = self.call_at(at, &range, errors) else { continue };
                let end = m.end();
                if escapable && end < range.end && b[end] == b']' {
                    out.escaped.push(i..end + 1);
                    pos = end + 1;
                    continue;
                }
                pos = end;
                let index = out.calls.len();
                let name = self.src[at + 1..m.atts.start].to_string();
                let inner = m.close.as_ref().map(|c| m.open.end..c.start);
                if let Some(inner) = &inner {
                    if depth + 1 < MAX_DEPTH {
                        work.push((inner.clone(), Some(index), depth + 1));
                    } else {
                        errors.push(ParseError {
                            offset: m.open.start,
                            message: format!(
                                "shortcode `{name}` is nested more than {MAX_DEPTH} deep: \
                                 the shortcodes inside it are not read; flatten the nesting"
                            ),
                        });
                    }
                }
                out.calls.push(Shortcode {
                    known: KNOWN_SHORTCODES.contains(&name.as_str()),
                    params: params(self.src, m.atts.clone()),
                    name,
                    span: m.open.start..end,
                    open: m.open,
                    close: m.close,
                    inner,
                    self_closing: m.self_closing,
                    parent,
                });
                out.depths.push(depth);
            }
        }
    }

    /// The call whose opening `[` is at `at`, if the text there is one.
    fn call_at(
        &self,
        at: usize,
        range: &Range<usize>,
        errors: &mut Vec<ParseError>,
    ) -> Option<Match> {
        let b = self.b;
        let name_start = at + 1;
        let name_end = name_end(b, name_start, range.end);
        if name_end == name_start || name_end >= range.end {
            return None;
        }
        let next = b[name_end];
        if !(next <= 0x20 || b"<>&/[]=".contains(&next)) {
            return None;
        }
        let k = self.brackets.partition_point(|&j| j < name_end);
        let Some(&close_bracket) = self.brackets.get(k).filter(|&&j| j < range.end) else {
            let name = &self.src[name_start..name_end];
            if KNOWN_SHORTCODES.contains(&name) {
                errors.push(ParseError {
                    offset: at,
                    message: format!("shortcode `[{name}` has no closing `]`: kept as text"),
                });
            }
            return None;
        };
        let self_closing = close_bracket > name_end && b[close_bracket - 1] == b'/';
        let atts_end = if self_closing { close_bracket - 1 } else { close_bracket };
        let open = at..close_bracket + 1;
        let close = if self_closing {
            None
        } else {
            let closers = self.closers.get(&self.src[name_start..name_end]);
            closers.and_then(|list| {
                let k = list.partition_point(|c| c.start < open.end);
                list.get(k).filter(|c| c.end <= range.end).cloned()
            })
        };
        Some(Match { open, atts: name_end..atts_end, close, self_closing })
    }

    /// Reports a `[/name]` that closes no call; WordPress prints it as text.
    fn stray_closer(&self, at: usize, range: &Range<usize>, errors: &mut Vec<ParseError>) {
        let b = self.b;
        let end = name_end(b, at + 2, range.end);
        if end > at + 2 && end < range.end && b[end] == b']' && (at == 0 || b[at - 1] != b'[') {
            errors.push(ParseError {
                offset: at,
                message: format!(
                    "closing tag `[/{}]` has no opening tag before it: kept as text",
                    &self.src[at + 2..end]
                ),
            });
        }
    }
}

/// End of the run of name characters `[A-Za-z0-9_-]` from `pos`, before `limit`.
fn name_end(b: &[u8], pos: usize, limit: usize) -> usize {
    let mut end = pos;
    while end < limit && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'_' | b'-')) {
        end += 1;
    }
    end
}

/// `shortcode_parse_atts` on the attribute text at `atts`.
fn params(src: &str, atts: Range<usize>) -> Vec<Param> {
    let text = &src[atts.clone()];
    // WordPress turns runs of no-break and zero-width spaces into a space
    // first; spaces of the same length keep the offsets.
    let spaced: String;
    let text = if text.contains(['\u{a0}', '\u{200b}']) {
        spaced = text
            .chars()
            .map(|c| match c {
                '\u{a0}' | '\u{200b}' => " ".repeat(c.len_utf8()),
                c => c.to_string(),
            })
            .collect();
        spaced.as_str()
    } else {
        text
    };
    let mut out = Vec::new();
    for caps in ATTS.captures_iter(text) {
        let group = |i: usize| caps.get(i);
        let (name, value, quote) = if let (Some(k), Some(v)) = (group(1), group(2)) {
            (Some(k), v, Quote::Double)
        } else if let (Some(k), Some(v)) = (group(3), group(4)) {
            (Some(k), v, Quote::Single)
        } else if let (Some(k), Some(v)) = (group(5), group(6)) {
            (Some(k), v, Quote::Bare)
        } else if let Some(v) = group(7) {
            (None, v, Quote::Double)
        } else if let Some(v) = group(8) {
            (None, v, Quote::Single)
        } else if let Some(v) = group(9) {
            (None, v, Quote::Bare)
        } else {
            continue;
        };
        let quoted = usize::from(quote != Quote::Bare);
        let span = atts.start + value.start() - quoted..atts.start + value.end() + quoted;
        let written = &src[atts.start + value.start()..atts.start + value.end()];
        let mut value = strip_c_slashes(&collapse_spaces(written));
        if !closed_tags(&value) {
            value.clear();
        }
        let name = name.map(|k| k.as_str().to_ascii_lowercase());
        out.push(Param { name, value, quote, span });
    }
    out
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for c in s.chars() {
        let space = matches!(c, '\u{a0}' | '\u{200b}');
        if !space {
            out.push(c);
        } else if !in_run {
            out.push(' ');
        }
        in_run = space;
    }
    out
}

/// PHP's `stripcslashes`: C escapes (`\n`, `\x41`, `\101`), any other
/// backslashed character as itself.
fn strip_c_slashes(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 == b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        i += 1;
        let c = b[i];
        i += 1;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'a' => out.push(0x07),
            b'v' => out.push(0x0b),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'x' if b.get(i).is_some_and(u8::is_ascii_hexdigit) => {
                let digits = b[i..].iter().take(2).take_while(|d| d.is_ascii_hexdigit()).count();
                let text = std::str::from_utf8(&b[i..i + digits]).unwrap_or("0");
                out.push(u8::from_str_radix(text, 16).unwrap_or(0));
                i += digits;
            }
            b'0'..=b'7' => {
                let digits =
                    1 + b[i..].iter().take(2).take_while(|d| (b'0'..=b'7').contains(d)).count();
                let text = std::str::from_utf8(&b[i - 1..i - 1 + digits]).unwrap_or("0");
                // PHP keeps the low byte of `\777`.
                out.push((u16::from_str_radix(text, 8).unwrap_or(0) & 0xff) as u8);
                i += digits - 1;
            }
            c => out.push(c),
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// WordPress empties an attribute value holding an unclosed HTML tag: every
/// `<` must have a `>` after it.
fn closed_tags(value: &str) -> bool {
    let b = value.as_bytes();
    let mut pos = 0;
    while let Some(open) = find_byte(b, b'<', pos) {
        match find_byte(b, b'>', open + 1) {
            Some(close) => pos = close + 1,
            None => return false,
        }
    }
    true
}
