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
    /// Indices in `pending` of the openers past [`MAX_DEPTH`], ascending: made
    /// standalone, their closing tags are skipped, so that one problem (the
    /// first of them) stands for the whole too-deep nest instead of one per
    /// opener and one per stray closer.
    too_deep: Vec<usize>,
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
                if self.too_deep.is_empty() {
                    self.errors.push(ShortcodeError {
                        offset: shortcode.open.start,
                        message: format!(
                            "shortcode `{}` is nested more than {MAX_DEPTH} levels deep: it and \
                             the shortcodes opened inside it are not paired further (treated as \
                             standalone); flatten the nesting",
                            shortcode.name
                        ),
                    });
                }
                self.too_deep.push(self.pending.len());
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
        // The closing tag of the innermost opener past the depth limit, already reported.
        if let Some(&deep) = self.too_deep.last()
            && pending.get(deep).is_some_and(|sc| sc.name == tag.name)
            && matched.is_none_or(|at| deep > self.open[at])
        {
            self.too_deep.pop();
            return;
        }
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
        self.too_deep.truncate(self.too_deep.partition_point(|&i| i < index));
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
mod tests;
