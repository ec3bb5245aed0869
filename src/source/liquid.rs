//! Liquid in a Jekyll page body.
//!
//! This module owns finding the Liquid tags (`{% name … %}`) and outputs
//! (`{{ expression | filter: args }}`) of a page body, with their byte spans,
//! parameters and nesting. They come out as the same [`ShortcodeCall`] values
//! the Hugo reader builds from [`super::shortcode`], so references and
//! rewrites treat both alike. It renders nothing and never fails: problems are
//! collected in [`Parsed::problems`].
//!
//! Tokens are cut as Jekyll 4 cuts them (it runs Liquid 4): a tag runs from
//! `{%` to the first `%}`, quotes or not, and an output from `{{` to the first
//! `}` (with a second `}` right after it). So `{% include a.html t="a %} b" %}`
//! ends inside its quotes in Jekyll, and here too, and the stray quote is
//! reported. Where Liquid would stop the build, the problem is recorded and
//! parsing goes on, so one bad tag does not hide the others.

use std::collections::HashMap;
use std::ops::Range;

use crate::model::{ShortcodeCall, ShortcodeParam, Span};

mod link;
mod locate;
mod params;

pub use link::{LinkKind, LinkTarget, link_target};
use locate::Locator;

type Param = ShortcodeParam;

/// [`ShortcodeCall::notation`] of a `{% … %}` tag.
pub const TAG: &str = "liquid-tag";
/// [`ShortcodeCall::notation`] of a `{{ … }}` output.
pub const OUTPUT: &str = "liquid-output";

/// Block tags of Liquid 4 and Jekyll whose body runs to `end<name>` and is
/// parsed as Liquid. `raw` and `comment` are blocks too, read apart.
///
/// `highlight` belongs here: Jekyll's `HighlightBlock` is a `Liquid::Block`
/// and renders its body (`super` in `render`) before highlighting it, so
/// `{{ x }}` inside a highlight is replaced. Only `raw` keeps braces literal.
const BLOCKS: &[&str] =
    &["if", "unless", "case", "for", "tablerow", "capture", "ifchanged", "highlight"];

/// Liquid's `Block::MAX_DEPTH`: opening a block inside 100 open ones stops the build with
/// "Nesting too deep" (Liquid 4 and 5, `lib/liquid/block.rb`, `parse_body`).
pub const MAX_DEPTH: usize = 100;

/// Tags built into Liquid 4 or Jekyll; any other name comes from a plugin.
const KNOWN: &[&str] = &[
    "assign",
    "break",
    "capture",
    "case",
    "comment",
    "continue",
    "cycle",
    "decrement",
    "else",
    "elsif",
    "for",
    "highlight",
    "if",
    "ifchanged",
    "include",
    "include_relative",
    "increment",
    "link",
    "post_url",
    "raw",
    "tablerow",
    "unless",
    "when",
];

/// A problem found while parsing; the offending text is left unparsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiquidProblem {
    /// Where: the offending tag or delimiter, in the page text.
    pub span: Span,
    /// What is wrong and how to fix it.
    pub message: String,
}

/// What Liquid in one page body holds.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// Tags and outputs in source order. A block tag carries `close` and
    /// `inner`; what it holds points back with `parent`. End tags are not
    /// calls of their own. The name is the tag name, or for an output the
    /// expression as written (`site.baseurl`, `page["x"]`), or `literal` for a
    /// quoted string, which is then the first, positional, parameter. Each
    /// filter of an output is a named parameter: filter name → its arguments
    /// as written (`bare`).
    pub calls: Vec<ShortcodeCall>,
    /// Problems, sorted by position.
    pub problems: Vec<LiquidProblem>,
}

/// Parses the Liquid of the page body at `body` in `text`. Spans are offsets
/// in `text`, with lines and columns counted from its start. A `body` out of
/// range is clamped. Never fails: problems are collected in `problems`.
pub fn parse(text: &str, body: Range<usize>) -> Parsed {
    let end = floor_boundary(text, body.end);
    let start = floor_boundary(text, body.start.min(end));
    let src = &text[start..end];
    let tokens = tokenize(src);
    let mut parser = Parser {
        src,
        base: start,
        index: Locator::new(text),
        ends: end_tags(src, &tokens),
        out: Parsed::default(),
        open: Vec::new(),
        no_endraw: false,
        too_deep: false,
    };
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        i = match token.kind {
            Kind::Output => {
                parser.output(token);
                i + 1
            }
            Kind::Tag => parser.tag(&tokens, i),
        };
    }
    parser.finish()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tag,
    Output,
}

/// One `{% … %}` or `{{ … }}` token as Liquid 4 cuts it; text between tokens
/// is not kept.
#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// Offsets in the body. A delimiter never closed is a two-byte token.
    range: Range<usize>,
    /// Ends with `%}` (tag) or `}}` (output).
    closed: bool,
}

/// Cuts the body into tokens in one pass.
fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut tokens = Vec::new();
    // Once a search for a closing delimiter fails, every later one fails
    // too: remembering it keeps tokenizing linear.
    let (mut no_tag_end, mut no_brace) = (false, false);
    let mut pos = 0;
    while let Some(found) = src.get(pos..).and_then(|rest| rest.find('{')) {
        let start = pos + found;
        let kind = match b.get(start + 1) {
            Some(b'%') => Kind::Tag,
            Some(b'{') => Kind::Output,
            _ => {
                pos = start + 1;
                continue;
            }
        };
        let from = start + 2;
        let end = match kind {
            Kind::Tag if !no_tag_end => src[from..].find("%}").map(|i| from + i + 2),
            Kind::Output if !no_brace => src[from..].find('}').map(|i| {
                let brace = from + i;
                if b.get(brace + 1) == Some(&b'}') { brace + 2 } else { brace + 1 }
            }),
            _ => None,
        };
        let token = match end {
            Some(end) => Token {
                kind,
                range: start..end,
                closed: kind == Kind::Tag || (end - start >= 4 && src[..end].ends_with("}}")),
            },
            None => {
                match kind {
                    Kind::Tag => no_tag_end = true,
                    Kind::Output => no_brace = true,
                }
                Token { kind, range: start..from, closed: false }
            }
        };
        pos = token.range.end;
        tokens.push(token);
    }
    tokens
}

/// A tag's name and markup, body offsets.
struct Head {
    name: Range<usize>,
    /// Trimmed; whitespace control dashes left out.
    markup: Range<usize>,
}

/// Reads `{%-? name markup -?%}` as Liquid 4 does; `None` without a name.
fn head(src: &str, token: &Range<usize>) -> Option<Head> {
    let (start, end) = inside(src, token);
    let b = src.as_bytes();
    let name_start = skip_ws(b, start);
    let mut name_end = name_start;
    while name_end < end && is_word(b[name_end]) {
        name_end += 1;
    }
    if name_end == name_start {
        return None;
    }
    let markup_start = skip_ws(b, name_end).min(end);
    let markup_end = markup_start + src[markup_start..end].trim_end().len();
    Some(Head { name: name_start..name_end, markup: markup_start..markup_end })
}

/// The text between a closed token's delimiters and whitespace-control dashes.
fn inside(src: &str, token: &Range<usize>) -> (usize, usize) {
    let b = src.as_bytes();
    let mut start = token.start + 2;
    let mut end = token.end.saturating_sub(2).max(start);
    if b.get(start) == Some(&b'-') && start < end {
        start += 1;
    }
    if end > start && b[end - 1] == b'-' {
        end -= 1;
    }
    (start, end)
}

/// For each name `x`, the index of the last `{% endx %}` token.
fn end_tags<'a>(src: &'a str, tokens: &[Token]) -> HashMap<&'a str, usize> {
    let mut ends = HashMap::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.kind == Kind::Tag
            && token.closed
            && let Some(h) = head(src, &token.range)
            && let Some(name) = src[h.name].strip_prefix("end").filter(|n| !n.is_empty())
        {
            ends.insert(name, i);
        }
    }
    ends
}

/// The `{% name` inside a token that ends a `raw` block, as Liquid reads it:
/// the last `{%` followed by a word, anywhere in a token ending with `%}`.
/// Returns where that `{%` starts, the name, and whether a `-` follows `{%`.
fn end_of_raw<'a>(src: &'a str, token: &Range<usize>) -> Option<(usize, &'a str, bool)> {
    let text = &src[token.clone()];
    if !text.ends_with("%}") {
        return None;
    }
    let b = src.as_bytes();
    let mut before = text.len();
    while let Some(at) = text[..before].rfind("{%") {
        let open = token.start + at;
        let dash = b.get(open + 2) == Some(&b'-');
        let name_start = skip_ws(b, open + 2 + usize::from(dash));
        let mut name_end = name_start;
        while name_end < token.end && is_word(b[name_end]) {
            name_end += 1;
        }
        if name_end > name_start {
            return Some((open, &src[name_start..name_end], dash));
        }
        before = at;
    }
    None
}

struct Parser<'a> {
    src: &'a str,
    /// Offset of the body in the page text.
    base: usize,
    index: Locator<'a>,
    /// See [`end_tags`]: a tag unknown to Jekyll is a block when its end tag
    /// follows, since only plugins define such tags.
    ends: HashMap<&'a str, usize>,
    out: Parsed,
    /// Indices in `out.calls` of the blocks still open, outermost first.
    open: Vec<usize>,
    /// A search for `{% endraw %}` already failed, so every later one fails
    /// too: remembering it keeps parsing linear.
    no_endraw: bool,
    /// A block was opened deeper than [`MAX_DEPTH`]: parsing stopped there.
    too_deep: bool,
}

impl Parser<'_> {
    fn span(&self, range: Range<usize>) -> Span {
        self.index.span(range, self.base)
    }

    fn problem(&mut self, range: Range<usize>, message: String) {
        let span = self.span(range);
        self.out.problems.push(LiquidProblem { span, message });
    }

    fn text(&self, range: &Range<usize>) -> &str {
        self.src.get(range.clone()).unwrap_or("")
    }

    /// A parameter at body offsets `range`.
    fn param(&self, name: Option<&str>, value: &str, quote: &str, range: Range<usize>) -> Param {
        ShortcodeParam {
            name: name.map(str::to_string),
            value: value.to_string(),
            quote: quote.to_string(),
            span: self.span(range),
        }
    }

    /// Adds a call opened by `token`, inside the innermost open block.
    fn push(&mut self, name: &str, notation: &str, params: Vec<Param>, token: &Token) -> usize {
        let open = self.span(token.range.clone());
        self.out.calls.push(ShortcodeCall {
            name: name.to_string(),
            notation: notation.to_string(),
            params,
            span: open,
            open,
            close: None,
            inner: None,
            self_closing: false,
            parent: self.open.last().copied(),
            known: notation == OUTPUT || KNOWN.contains(&name),
        });
        self.out.calls.len() - 1
    }

    /// Pairs the call at `idx` with its end tag at body offsets `close`.
    fn close(&mut self, idx: usize, close: Range<usize>) {
        let close = self.span(close);
        if let Some(call) = self.out.calls.get_mut(idx) {
            let inner_end = close.start.max(call.open.end);
            call.inner = Some(self.index.span(call.open.end..inner_end, 0));
            call.close = Some(close);
            call.span.end = close.end;
        }
    }

    fn unterminated(&mut self, token: &Token) {
        let found = self.text(&token.range).to_string();
        let message = match token.kind {
            Kind::Tag => "unterminated `{%`: no `%}` after it; close the tag, or wrap literal \
                          braces in `{% raw %}…{% endraw %}`"
                .to_string(),
            Kind::Output if token.range.len() == 2 => "unterminated `{{`: no `}` after it; \
                 close the output with `}}`, or wrap literal braces in `{% raw %}…{% endraw %}`"
                .to_string(),
            Kind::Output => format!(
                "output `{}` ends at the first `}}`, not at `}}}}` (Jekyll stops with a syntax \
                 error): close it with `}}}}`, or wrap literal braces in `{{% raw %}}…{{% endraw %}}`",
                clip(&found)
            ),
        };
        self.problem(token.range.clone(), message);
    }

    fn output(&mut self, token: &Token) {
        if !token.closed {
            self.unterminated(token);
            return;
        }
        let (start, end) = inside(self.src, &token.range);
        let parts = split_filters(self.src, start..end);
        let head = trim(self.src, parts[0].clone());
        let head_text = self.text(&head).to_string();
        let mut params = Vec::new();
        let name = match quoted(&head_text) {
            Some((value, quote)) => {
                params.push(self.param(None, value, quote, head.clone()));
                "literal".to_string()
            }
            None => head_text.clone(),
        };
        if head_text.starts_with(['<', '%']) {
            self.problem(
                token.range.clone(),
                format!(
                    "`{}` is a Hugo shortcode: Jekyll renders it as nothing; convert it, or wrap \
                     it in `{{% raw %}}…{{% endraw %}}` to keep it as text",
                    clip(self.text(&token.range))
                ),
            );
        }
        for part in &parts[1..] {
            let part = trim(self.src, part.clone());
            let b = self.src.as_bytes();
            let mut name_end = part.start;
            while name_end < part.end && (is_word(b[name_end]) || b[name_end] == b'-') {
                name_end += 1;
            }
            if name_end == part.start {
                continue;
            }
            let mut args = skip_ws(b, name_end).min(part.end);
            if b.get(args) == Some(&b':') {
                args = skip_ws(b, args + 1).min(part.end);
            }
            let args = if args == part.end { name_end..name_end } else { args..part.end };
            let filter = self.text(&(part.start..name_end)).to_string();
            let value = self.text(&args).to_string();
            params.push(self.param(Some(&filter), &value, "bare", args));
        }
        self.push(&name, OUTPUT, params, token);
    }

    /// Handles the tag at `tokens[i]`; returns the index of the next token.
    fn tag(&mut self, tokens: &[Token], i: usize) -> usize {
        let token = &tokens[i];
        if !token.closed {
            self.unterminated(token);
            return i + 1;
        }
        let Some(head) = head(self.src, &token.range) else {
            let found = clip(self.text(&token.range)).to_string();
            self.problem(
                token.range.clone(),
                format!(
                    "tag `{found}` has no name (Jekyll stops with a syntax error): write \
                     `{{% name … %}}`, or wrap literal braces in `{{% raw %}}…{{% endraw %}}`"
                ),
            );
            return i + 1;
        };
        let name = &self.src[head.name.clone()];
        if let Some(opened) = name.strip_prefix("end").filter(|n| !n.is_empty()) {
            self.end_tag(opened, token);
            return i + 1;
        }
        match name {
            "raw" => return self.raw(tokens, i, &head),
            "comment" => return self.comment(tokens, i),
            _ => {}
        }
        let markup = head.markup.clone();
        let params = match name {
            "include" | "include_relative" => self.include_params(name, markup),
            "highlight" => self.highlight_params(markup),
            "link" | "post_url" if markup.is_empty() => {
                let message = format!("`{{% {name} %}}` needs a path: `{{% {name} path %}}`");
                self.problem(token.range.clone(), message);
                Vec::new()
            }
            _ if markup.is_empty() => Vec::new(),
            _ => vec![self.param(None, self.text(&markup), "bare", markup)],
        };
        self.check_branch(name, token);
        let block = BLOCKS.contains(&name)
            || (!KNOWN.contains(&name) && self.ends.get(name).is_some_and(|&last| last > i));
        if block && self.open.len() >= MAX_DEPTH {
            // Liquid stops the build here. Going on would pair the end tags of the deeper
            // blocks with the outer ones and report thousands of mismatches; one problem says
            // it all, and the page is carried as written.
            let message = format!(
                "`{{% {name} %}}` opens a block nested more than {MAX_DEPTH} deep (Jekyll stops \
                 with \"Nesting too deep\"): Liquid from here on is not parsed further; \
                 flatten the nesting"
            );
            self.problem(token.range.clone(), message);
            self.too_deep = true;
            return tokens.len();
        }
        let idx = self.push(name, TAG, params, token);
        if block {
            self.open.push(idx);
        }
        i + 1
    }

    /// `else`, `elsif` and `when` belong to the innermost open block.
    fn check_branch(&mut self, name: &str, token: &Token) {
        let owners: &[&str] = match name {
            "else" => &["if", "unless", "case", "for"],
            "elsif" => &["if", "unless"],
            "when" => &["case"],
            _ => return,
        };
        let innermost = self.open.last().and_then(|&i| self.out.calls.get(i));
        if innermost.is_some_and(|call| owners.contains(&call.name.as_str())) {
            return;
        }
        let owners = owners.iter().map(|o| format!("`{{% {o} %}}`")).collect::<Vec<_>>();
        let message = format!(
            "`{{% {name} %}}` is not directly inside {} (Jekyll stops with a syntax error): \
             move it there or remove it",
            owners.join(" or ")
        );
        self.problem(token.range.clone(), message);
    }

    fn end_tag(&mut self, opened: &str, token: &Token) {
        let calls = &self.out.calls;
        let matched =
            self.open.iter().rposition(|&i| calls.get(i).is_some_and(|c| c.name == opened));
        let Some(at) = matched else {
            let message = format!(
                "`{{% end{opened} %}}` has no opening `{{% {opened} %}}` before it (Jekyll stops \
                 with a syntax error): remove it, or add the opening tag"
            );
            self.problem(token.range.clone(), message);
            return;
        };
        // Blocks opened inside the matched one and never closed: Liquid
        // stops at this end tag; here they become standalone tags.
        for idx in self.open.split_off(at + 1) {
            self.unclosed(idx, Some(opened));
        }
        if let Some(idx) = self.open.pop() {
            self.close(idx, token.range.clone());
        }
    }

    /// Reports the block at `idx` as never closed (before `end<by>` if given).
    fn unclosed(&mut self, idx: usize, by: Option<&str>) {
        let Some(call) = self.out.calls.get(idx) else { return };
        let name = &call.name;
        let place = match by {
            Some(by) => format!(" before `{{% end{by} %}}`"),
            None => String::new(),
        };
        let message = format!(
            "`{{% {name} %}}` has no `{{% end{name} %}}` (Jekyll stops with a syntax error): \
             add it{place}"
        );
        let span = call.open;
        self.out.problems.push(LiquidProblem { span, message });
    }

    /// `{% raw %}`: everything up to `{% endraw %}` is text.
    fn raw(&mut self, tokens: &[Token], i: usize, head: &Head) -> usize {
        let token = &tokens[i];
        if !head.markup.is_empty() {
            let message = format!(
                "`{{% raw %}}` takes no parameters (Jekyll stops with a syntax error): remove `{}`",
                clip(self.text(&head.markup))
            );
            self.problem(head.markup.clone(), message);
        }
        let idx = self.push("raw", TAG, Vec::new(), token);
        match self.find_endraw(tokens, i + 1) {
            Some(j) => {
                if let Some((start, _, dash)) = end_of_raw(self.src, &tokens[j].range) {
                    if dash {
                        self.problem(
                            start..tokens[j].range.end,
                            "Jekyll 4 (Liquid 4) does not end `raw` at `{%- endraw`: write \
                             `{% endraw %}` (a `-` before `%}` is fine)"
                                .to_string(),
                        );
                    }
                    self.close(idx, start..tokens[j].range.end);
                }
                j + 1
            }
            None => {
                self.unclosed(idx, None);
                i + 1
            }
        }
    }

    /// The index of the token ending a `raw` block whose body starts at
    /// `tokens[from]`.
    fn find_endraw(&mut self, tokens: &[Token], from: usize) -> Option<usize> {
        if self.no_endraw {
            return None;
        }
        let found = (from..tokens.len()).find(|&j| {
            end_of_raw(self.src, &tokens[j].range).is_some_and(|(_, name, _)| name == "endraw")
        });
        self.no_endraw = found.is_none();
        found
    }

    /// `{% comment %}`: nothing inside is a call. Liquid 4 still reads the
    /// tags inside, so nested `comment` and `raw` blocks pair up and broken
    /// delimiters are reported; other tags inside are ignored.
    fn comment(&mut self, tokens: &[Token], i: usize) -> usize {
        let idx = self.push("comment", TAG, Vec::new(), &tokens[i]);
        let mut depth = 1_usize;
        let mut j = i + 1;
        while let Some(token) = tokens.get(j) {
            j += 1;
            if !token.closed {
                self.unterminated(token);
                continue;
            }
            if token.kind == Kind::Output {
                continue;
            }
            let Some(head) = head(self.src, &token.range) else { continue };
            match &self.src[head.name] {
                "comment" => depth += 1,
                "raw" => match self.find_endraw(tokens, j) {
                    Some(end) => j = end + 1,
                    None => break,
                },
                "endcomment" => {
                    depth -= 1;
                    if depth == 0 {
                        self.close(idx, token.range.clone());
                        return j;
                    }
                }
                _ => {}
            }
        }
        // Never closed: the rest of the body is commented out, as far as
        // anything can be said about it.
        self.unclosed(idx, None);
        tokens.len()
    }

    fn finish(mut self) -> Parsed {
        for idx in std::mem::take(&mut self.open) {
            // Past the depth limit, their end tags were never read.
            if !self.too_deep {
                self.unclosed(idx, None);
            }
        }
        // What sat in a block never closed belongs to the enclosing block.
        // Parents come first, so one step per call suffices.
        for i in 0..self.out.calls.len() {
            if let Some(p) = self.out.calls[i].parent
                && self.out.calls[p].close.is_none()
            {
                self.out.calls[i].parent = self.out.calls[p].parent;
            }
        }
        self.out.problems.sort_by_key(|p| p.span.start);
        self.out
    }
}

/// Splits an output's expression at each `|` outside quotes.
fn split_filters(src: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let b = src.as_bytes();
    let mut parts = Vec::new();
    let mut start = range.start;
    let mut quote = None;
    for i in range.clone() {
        match (quote, b[i]) {
            (None, b'\'' | b'"') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'|') => {
                parts.push(start..i);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(start..range.end);
    parts
}

/// `'…'` or `"…"` alone: the value (Liquid strings have no escapes) and the
/// quote kind.
fn quoted(s: &str) -> Option<(&str, &'static str)> {
    let (quote, kind) = match s.chars().next()? {
        '"' => ('"', "double"),
        '\'' => ('\'', "single"),
        _ => return None,
    };
    let value = s.strip_prefix(quote)?.strip_suffix(quote)?;
    (!value.contains(quote)).then_some((value, kind))
}

fn trim(src: &str, range: Range<usize>) -> Range<usize> {
    let text = &src[range.clone()];
    let start = range.start + (text.len() - text.trim_start().len());
    start..start + text.trim().len()
}

/// At most 60 characters of `s`, for messages.
fn clip(s: &str) -> &str {
    s.char_indices().nth(60).map_or(s, |(i, _)| &s[..i])
}

fn floor_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

/// End of the run of word characters from `pos`, at most `end`.
fn word_end(b: &[u8], pos: usize, end: usize) -> usize {
    (pos..end).find(|&i| !is_word(b[i])).unwrap_or(end)
}

/// Ruby's `\w`: ASCII letters, digits and `_`.
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

#[cfg(test)]
mod tests;
