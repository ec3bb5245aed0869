//! Hugo shortcodes in a page body.
//!
//! This module owns finding Hugo shortcode calls (`{{< name … >}}` and
//! `{{% name … %}}`) in a Markdown/HTML body, reading their names and
//! parameters with exact byte spans, and pairing opening and closing tags into
//! a tree. It renders nothing and never fails: malformed calls are skipped and
//! reported in [`Parsed::errors`].
//!
//! The grammar follows Hugo's lexer (`parser/pageparser/pagelexer_shortcode.go`)
//! but is more lenient where Hugo would abort the whole page, so that one bad
//! call does not hide the others.

use std::ops::Range;

/// Deepest nesting of open paired shortcodes. Deeper openers become standalone
/// so that the derived recursive impls (`Drop`, `Clone`, `Debug`, `PartialEq`)
/// never recurse deeply enough to overflow the stack.
const MAX_DEPTH: usize = 256;

/// The delimiters a shortcode tag is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Notation {
    /// `{{< name >}}`: Hugo passes the inner content through as is.
    Angle,
    /// `{{% name %}}`: Hugo renders the inner content as Markdown.
    Percent,
}

impl Notation {
    fn delims(self) -> (&'static str, &'static str) {
        match self {
            Notation::Angle => ("{{<", ">}}"),
            Notation::Percent => ("{{%", "%}}"),
        }
    }
}

/// How a parameter value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Quote {
    /// `"…"`, with `\"` and `\\` escapes; cannot span lines (as in Hugo).
    Double,
    /// `` `…` ``, raw: no escapes, may span lines.
    Backtick,
    /// Unquoted: runs to the next whitespace or the end of the tag.
    Bare,
}

/// One parameter of a shortcode call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The key of a named `key=value` parameter; `None` for a positional one.
    pub name: Option<String>,
    /// The value with quotes removed and escapes resolved.
    pub value: String,
    /// How the value was written.
    pub quote: Quote,
    /// Byte span of the value as written, quotes included (the key is not).
    pub span: Range<usize>,
}

/// One shortcode call, with the shortcodes nested inside it when paired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortcode {
    /// The name, namespaces included (`my/video`).
    pub name: String,
    /// The delimiters of the opening tag.
    pub notation: Notation,
    /// The parameters in source order.
    pub params: Vec<Param>,
    /// The whole opening tag, `{{<` to `>}}` inclusive.
    pub open: Range<usize>,
    /// The whole closing tag when paired. Its notation may differ from the
    /// opener's (Hugo accepts that); read it from the source at this span.
    pub close: Option<Range<usize>>,
    /// The content between the tags when paired: `open.end..close.start`.
    pub inner: Option<Range<usize>>,
    /// Whether the opening tag ends with `/>}}` (or `/%}}`).
    pub self_closing: bool,
    /// The shortcodes inside `inner`, in source order.
    pub children: Vec<Shortcode>,
}

impl Shortcode {
    /// The byte span of the whole call: the opening tag through the closing
    /// tag when paired, the opening tag alone otherwise.
    pub fn span(&self) -> Range<usize> {
        let end = self.close.as_ref().map_or(self.open.end, |close| close.end);
        self.open.start..end
    }

    /// The value of the `i`-th positional parameter (0-based).
    pub fn positional(&self, i: usize) -> Option<&str> {
        self.params.iter().filter(|p| p.name.is_none()).nth(i).map(|p| p.value.as_str())
    }

    /// The value of the named parameter `key`; the last one wins when repeated,
    /// as in Hugo's parameter map.
    pub fn named(&self, key: &str) -> Option<&str> {
        self.params.iter().rev().find(|p| p.name.as_deref() == Some(key)).map(|p| p.value.as_str())
    }

    /// This shortcode then all its descendants, pre-order (source order).
    pub fn walk(&self) -> impl Iterator<Item = &Shortcode> {
        preorder(vec![self])
    }
}

/// Iterative pre-order traversal; `stack` holds the roots in reverse order.
fn preorder(mut stack: Vec<&Shortcode>) -> impl Iterator<Item = &Shortcode> {
    std::iter::from_fn(move || {
        let next = stack.pop()?;
        stack.extend(next.children.iter().rev());
        Some(next)
    })
}

/// A problem found while parsing; the offending text is left unparsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcodeError {
    /// Byte offset in the body where the problem is.
    pub offset: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// The result of [`parse`]: the shortcode tree and the problems found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Top-level shortcodes in source order; nested ones are in `children`.
    pub shortcodes: Vec<Shortcode>,
    /// Problems, sorted by offset.
    pub errors: Vec<ShortcodeError>,
}

impl Parsed {
    /// Every shortcode, nested ones included, in source order.
    pub fn all(&self) -> impl Iterator<Item = &Shortcode> {
        preorder(self.shortcodes.iter().rev().collect())
    }
}

/// Parses every shortcode of a page body. Never fails: problems are collected in `errors`.
pub fn parse(src: &str) -> Parsed {
    let mut scanner = Scanner { src, no_comment_end: [false; 2] };
    let mut tree = Tree::default();
    let mut pos = 0;
    while let Some(found) = src.get(pos..).and_then(|rest| rest.find("{{")) {
        let start = pos + found;
        let notation = match src.as_bytes().get(start + 2) {
            Some(b'<') => Notation::Angle,
            Some(b'%') => Notation::Percent,
            _ => {
                pos = start + 1;
                continue;
            }
        };
        pos = match scanner.scan(start, notation) {
            Ok(Scanned::Comment { end }) => end,
            Ok(Scanned::Tag(tag)) => {
                let end = tag.span.end;
                tree.add(tag);
                end
            }
            // Leave the text alone and look for the next call right after
            // `{{<`, so a broken call never hides the ones after it.
            Err(error) => {
                tree.errors.push(error);
                start + 3
            }
        };
    }
    tree.finish()
}

/// One tag as written, before pairing.
struct Tag {
    name: String,
    notation: Notation,
    params: Vec<Param>,
    span: Range<usize>,
    closing: bool,
    self_closing: bool,
}

enum Scanned {
    /// A `{{</* … */>}}` escape: literal text for Hugo, not a shortcode.
    Comment {
        end: usize,
    },
    Tag(Tag),
}

struct Scanner<'a> {
    src: &'a str,
    /// Per notation: a comment terminator search already failed, so every
    /// later one fails too; remembering it keeps parsing linear.
    no_comment_end: [bool; 2],
}

impl<'a> Scanner<'a> {
    /// Reads the tag whose `{{<` or `{{%` is at `start`.
    fn scan(&mut self, start: usize, notation: Notation) -> Result<Scanned, ShortcodeError> {
        let src = self.src;
        let b = src.as_bytes();
        let (open, close) = notation.delims();
        let mut pos = skip_ws(b, start + open.len());

        // Whitespace around the comment markers is tolerated although Hugo
        // wants `{{</*` and `*/>}}` verbatim: the intent is unambiguous.
        if starts_at(src, pos, "/*") {
            let idx = notation as usize;
            let end =
                if self.no_comment_end[idx] { None } else { comment_end(src, pos + 2, close) };
            return match end {
                Some(end) => Ok(Scanned::Comment { end }),
                None => {
                    self.no_comment_end[idx] = true;
                    Err(ShortcodeError {
                        offset: start,
                        message: format!(
                            "unterminated shortcode comment `{open}/*`: no closing `*/{close}`"
                        ),
                    })
                }
            };
        }

        let mut call = Call { src, start, notation, closing: false, name: "" };
        if b.get(pos) == Some(&b'/') {
            call.closing = true;
            pos = skip_ws(b, pos + 1);
        }
        let name_end = call.name_end(pos);
        call.name = src.get(pos..name_end).unwrap_or("");
        pos = name_end;
        if pos >= b.len() || call.opener_at(pos) {
            return Err(call.unterminated());
        }
        if call.name.is_empty() {
            return Err(ShortcodeError {
                offset: pos,
                message: format!(
                    "shortcode tag `{open}` has no name: write `{open} name {close}`, \
                     or `{open}/* … */{close}` for literal text"
                ),
            });
        }
        // A name may end at whitespace, a quote (`{{< x"v">}}` is real input)
        // or the end of the tag; anything else is a typo in the name.
        let next = b[pos];
        if !(next.is_ascii_whitespace()
            || next == b'"'
            || next == b'`'
            || call.at(pos, close)
            || call.self_close_end(pos).is_some())
        {
            let c = src.get(pos..).and_then(|s| s.chars().next()).unwrap_or('?');
            return Err(ShortcodeError {
                offset: pos,
                message: format!(
                    "invalid character `{c}` in shortcode name `{}`: names use letters, \
                     digits, `_`, `-`, `.` and `/`",
                    call.label()
                ),
            });
        }

        let mut params = Vec::new();
        let mut self_closing = false;
        let end = loop {
            pos = skip_ws(b, pos);
            // Another opener before our `>}}` means this one was never closed.
            if pos >= b.len() || call.opener_at(pos) {
                return Err(call.unterminated());
            }
            if call.at(pos, close) {
                break pos + close.len();
            }
            if let Some(end) = call.self_close_end(pos) {
                self_closing = true;
                break end;
            }
            let (param, next) = call.param(pos)?;
            params.push(param);
            pos = next;
        };
        Ok(Scanned::Tag(Tag {
            name: call.name.to_string(),
            notation,
            params,
            span: start..end,
            closing: call.closing,
            self_closing,
        }))
    }
}

/// The tag being read, for the lexing helpers and error messages.
struct Call<'a> {
    src: &'a str,
    start: usize,
    notation: Notation,
    closing: bool,
    name: &'a str,
}

impl Call<'_> {
    fn close(&self) -> &'static str {
        self.notation.delims().1
    }

    fn at(&self, pos: usize, pat: &str) -> bool {
        starts_at(self.src, pos, pat)
    }

    fn opener_at(&self, pos: usize) -> bool {
        self.at(pos, "{{<") || self.at(pos, "{{%")
    }

    /// End of a `/>}}` (whitespace allowed after `/`) starting at `pos`.
    fn self_close_end(&self, pos: usize) -> Option<usize> {
        if self.src.as_bytes().get(pos) != Some(&b'/') {
            return None;
        }
        let after = skip_ws(self.src.as_bytes(), pos + 1);
        self.at(after, self.close()).then(|| after + self.close().len())
    }

    /// Where a bare word or the tag ends. Only ever true at an ASCII byte or
    /// the end of input, so byte-wise scanning stays on char boundaries.
    fn word_end(&self, pos: usize) -> bool {
        match self.src.as_bytes().get(pos) {
            None => true,
            Some(c) if c.is_ascii_whitespace() => true,
            Some(_) => {
                self.at(pos, self.close())
                    || self.self_close_end(pos).is_some()
                    || self.opener_at(pos)
            }
        }
    }

    fn name_end(&self, pos: usize) -> usize {
        let rest = self.src.get(pos..).unwrap_or("");
        for (i, c) in rest.char_indices() {
            // `/` is a namespace separator unless it starts `/>}}`.
            let in_name = is_name_char(c) && !(c == '/' && self.self_close_end(pos + i).is_some());
            if !in_name {
                return pos + i;
            }
        }
        self.src.len()
    }

    /// Reads one parameter at `pos` (not at whitespace or the end of the tag)
    /// and returns it with the offset just after it.
    fn param(&self, pos: usize) -> Result<(Param, usize), ShortcodeError> {
        let src = self.src;
        let b = src.as_bytes();
        let rest = src.get(pos..).unwrap_or("");
        let key_end =
            rest.char_indices().find(|&(_, c)| !is_key_char(c)).map_or(src.len(), |(i, _)| pos + i);
        // Hugo wants `key=value` with no spaces around `=`.
        let (name, start) = if key_end > pos && b.get(key_end) == Some(&b'=') {
            (src.get(pos..key_end).map(str::to_string), key_end + 1)
        } else {
            (None, pos)
        };
        let (value, quote, end) = match b.get(start) {
            Some(b'"') => {
                let (value, end) = self.double_quoted(start)?;
                (value, Quote::Double, end)
            }
            Some(b'`') => {
                let (value, end) = self.raw(start)?;
                (value, Quote::Backtick, end)
            }
            _ => {
                let mut end = start;
                while !self.word_end(end) {
                    end += 1;
                }
                let value = src.get(start..end).unwrap_or("").to_string();
                (value, Quote::Bare, end)
            }
        };
        let param = Param { name, value, quote, span: start..end };
        Ok((param, end))
    }

    /// `"…"` at `quote`: resolves `\"` and `\\`, keeps other backslashes.
    fn double_quoted(&self, quote: usize) -> Result<(String, usize), ShortcodeError> {
        let src = self.src;
        let b = src.as_bytes();
        let mut value = String::new();
        // Copy runs between escapes; every cut is at an ASCII byte.
        let mut run = quote + 1;
        let mut i = quote + 1;
        while let Some(&c) = b.get(i) {
            match c {
                b'"' => {
                    value.push_str(src.get(run..i).unwrap_or(""));
                    return Ok((value, i + 1));
                }
                b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                    value.push_str(src.get(run..i).unwrap_or(""));
                    run = i + 1;
                    i += 2;
                }
                // Hugo ends a quoted value at the end of the line.
                b'\n' => break,
                _ => i += 1,
            }
        }
        Err(ShortcodeError {
            offset: quote,
            message: format!(
                "unterminated quoted value in shortcode `{}`: add the closing `\"` on the same line",
                self.label()
            ),
        })
    }

    /// `` `…` `` at `quote`: taken verbatim.
    fn raw(&self, quote: usize) -> Result<(String, usize), ShortcodeError> {
        let body = quote + 1;
        match self.src.get(body..).and_then(|rest| rest.find('`')) {
            Some(len) => {
                let value = self.src.get(body..body + len).unwrap_or("").to_string();
                Ok((value, body + len + 1))
            }
            None => Err(ShortcodeError {
                offset: quote,
                message: format!(
                    "unterminated raw string in shortcode `{}`: add the closing backtick",
                    self.label()
                ),
            }),
        }
    }

    /// The tag as far as it is known, e.g. `{{< /note`.
    fn label(&self) -> String {
        let open = self.notation.delims().0;
        let slash = if self.closing { "/" } else { "" };
        if self.name.is_empty() && !self.closing {
            open.to_string()
        } else {
            format!("{open} {slash}{}", self.name)
        }
    }

    fn unterminated(&self) -> ShortcodeError {
        ShortcodeError {
            offset: self.start,
            message: format!(
                "unterminated shortcode `{}`: no closing `{}`",
                self.label(),
                self.close()
            ),
        }
    }
}

/// Pairs tags into a tree with an explicit stack (no recursion).
#[derive(Default)]
struct Tree {
    /// Top-level shortcodes and still-open openers in source order. The items
    /// after an open opener are its would-be children, so giving up on an
    /// opener (it becomes standalone, its children move up to its parent
    /// right after it) costs nothing, which keeps pairing linear.
    pending: Vec<Shortcode>,
    /// Indices in `pending` of the openers still waiting for a closing tag,
    /// outermost first.
    open: Vec<usize>,
    errors: Vec<ShortcodeError>,
}

impl Tree {
    fn add(&mut self, tag: Tag) {
        if tag.closing {
            self.close(tag);
            return;
        }
        if let Some(first) = tag.params.first() {
            let named = first.name.is_some();
            if let Some(odd) = tag.params.iter().find(|p| p.name.is_some() != named) {
                self.errors.push(ShortcodeError {
                    offset: param_start(odd),
                    message: format!(
                        "shortcode `{}` mixes named and positional parameters (Hugo rejects this)",
                        tag.name
                    ),
                });
            }
        }
        let shortcode = Shortcode {
            name: tag.name,
            notation: tag.notation,
            params: tag.params,
            open: tag.span,
            close: None,
            inner: None,
            self_closing: tag.self_closing,
            children: Vec::new(),
        };
        if !shortcode.self_closing {
            if self.open.len() < MAX_DEPTH {
                self.open.push(self.pending.len());
            } else {
                self.errors.push(ShortcodeError {
                    offset: shortcode.open.start,
                    message: format!(
                        "shortcode `{}` is nested more than {MAX_DEPTH} levels deep: \
                         treated as standalone; flatten the nesting",
                        shortcode.name
                    ),
                });
            }
        }
        self.pending.push(shortcode);
    }

    fn close(&mut self, tag: Tag) {
        let (open, close) = tag.notation.delims();
        let written = format!("{open} /{} {close}", tag.name);
        if let Some(param) = tag.params.first() {
            self.errors.push(ShortcodeError {
                offset: param_start(param),
                message: format!("closing tag `{written}` takes no parameters: remove them"),
            });
        }
        // Either notation closes: Hugo only matches the name.
        let pending = &self.pending;
        let matched =
            self.open.iter().rposition(|&i| pending.get(i).is_some_and(|sc| sc.name == tag.name));
        let Some(at) = matched else {
            self.errors.push(ShortcodeError {
                offset: tag.span.start,
                message: format!("closing tag `{written}` has no opening tag"),
            });
            return;
        };
        let index = self.open[at];
        // Openers above the match were never closed: without templates we
        // can only conclude they take no inner content. Dropping them from
        // `open` leaves them standalone among their former children.
        self.open.truncate(at);
        if index < self.pending.len() {
            let children = self.pending.split_off(index + 1);
            if let Some(paired) = self.pending.get_mut(index) {
                paired.inner = Some(paired.open.end..tag.span.start);
                paired.close = Some(tag.span);
                paired.children = children;
            }
        }
    }

    fn finish(mut self) -> Parsed {
        // Openers still open are standalone, already in place.
        self.errors.sort_by_key(|e| e.offset);
        Parsed { shortcodes: self.pending, errors: self.errors }
    }
}

/// Where a parameter begins as written: its key for a named one.
fn param_start(param: &Param) -> usize {
    let key = param.name.as_ref().map_or(0, |name| name.len() + 1);
    param.span.start.saturating_sub(key)
}

/// End of the `*/ >}}` that terminates a comment whose body starts at `from`.
fn comment_end(src: &str, from: usize, close: &str) -> Option<usize> {
    let mut pos = from;
    loop {
        let marker = pos + src.get(pos..)?.find("*/")?;
        let after = skip_ws(src.as_bytes(), marker + 2);
        if starts_at(src, after, close) {
            return Some(after + close.len());
        }
        pos = marker + 2;
    }
}

fn starts_at(src: &str, pos: usize, pat: &str) -> bool {
    src.as_bytes().get(pos..).is_some_and(|rest| rest.starts_with(pat.as_bytes()))
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

/// Hugo: letters, digits, `_`, `-`, plus `.` (inline shortcodes) and `/`
/// (namespaces).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
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
            [
                pos(None, "x82dxrq", Quote::Bare, 16..23),
                pos(None, "Vidéo ADEX", Quote::Double, 24..37),
            ]
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
        let deep = p.errors.iter().filter(|e| e.message.contains("nested more than 256")).count();
        assert_eq!(deep, n - MAX_DEPTH);
        // Closers left over once the 256 open ones are matched are stray.
        let stray = p.errors.iter().filter(|e| e.message.contains("no opening")).count();
        assert_eq!(stray, n - MAX_DEPTH);
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
}
