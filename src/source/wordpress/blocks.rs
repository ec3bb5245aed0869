//! Gutenberg block delimiters and their pairing into a tree.
//!
//! The delimiter grammar is the one of `WP_Block_Parser::next_token`:
//! `<!--\s+(/)?wp:(namespace/)?name\s+({…}\s+)?(/)?-->`, names
//! `[a-z][a-z0-9_-]*`, attributes running to the first `}` followed by
//! whitespace and `-->` (or `/-->`). WordPress closes the innermost open block
//! at any closer whatever its name; this parser pairs a closer with the
//! innermost open block of the same name and reports the blocks it skips.

use std::collections::HashMap;
use std::ops::Range;

use super::{Block, MAX_DEPTH, ParseError, find, is_space, starts_at};

/// One delimiter as written.
struct Delimiter {
    span: Range<usize>,
    closer: bool,
    name: String,
    written_name: String,
    attrs_span: Option<Range<usize>>,
    void: bool,
}

/// Reads every block of `src`, in source order.
pub(super) fn parse(src: &str, errors: &mut Vec<ParseError>) -> Vec<Block> {
    let b = src.as_bytes();
    let mut lexer = Lexer { b, attrs_end: None };
    let mut tree = Tree::default();
    let mut pos = 0;
    while let Some(i) = find(b, b"<!--", pos) {
        pos = match lexer.delimiter(src, i) {
            Ok(Some(d)) => {
                let end = d.span.end;
                tree.add(d, src, errors);
                end
            }
            Ok(None) => i + 4,
            Err(e) => {
                errors.push(e);
                i + 4
            }
        };
    }
    tree.finish(errors)
}

struct Lexer<'a> {
    b: &'a [u8],
    /// The last search for the end of attributes: where it started and what it
    /// found. Every later search from a position in between finds the same,
    /// which keeps lexing linear on input full of unterminated attributes.
    attrs_end: Option<(usize, Option<usize>)>,
}

impl Lexer<'_> {
    /// The delimiter whose `<!--` is at `start`: `None` for any other comment,
    /// an error for a comment that starts like a delimiter but is not one.
    fn delimiter(&mut self, src: &str, start: usize) -> Result<Option<Delimiter>, ParseError> {
        let b = self.b;
        let mut pos = start + 4;
        if !b.get(pos).copied().is_some_and(is_space) {
            return Ok(None);
        }
        pos = skip_space(b, pos);
        let closer = b.get(pos) == Some(&b'/');
        if closer {
            pos += 1;
        }
        if !starts_at(b, pos, b"wp:") {
            return Ok(None);
        }
        let malformed = |why: &str| ParseError {
            offset: start,
            message: format!(
                "malformed block delimiter: {why}; WordPress reads it as an HTML comment"
            ),
        };
        let name_start = pos + 3;
        let mut name_end = segment_end(b, name_start)
            .ok_or_else(|| malformed("the block name must start with a letter a-z"))?;
        if b.get(name_end) == Some(&b'/') {
            name_end = segment_end(b, name_end + 1).ok_or_else(|| {
                malformed("the name after the namespace must start with a letter a-z")
            })?;
        }
        if !b.get(name_end).copied().is_some_and(is_space) {
            return Err(malformed(
                "the block name must be followed by whitespace and may only hold a-z, 0-9, `_`, `-`",
            ));
        }
        pos = skip_space(b, name_end);
        let mut attrs_span = None;
        if b.get(pos) == Some(&b'{') {
            let end = self
                .attrs_end(pos)
                .ok_or_else(|| malformed("the attributes have no closing `}` before `-->`"))?;
            attrs_span = Some(pos..end + 1);
            pos = skip_space(b, end + 1);
        }
        let void = b.get(pos) == Some(&b'/');
        if void {
            pos += 1;
        }
        if !starts_at(b, pos, b"-->") {
            return Err(malformed("expected `-->` or `/-->` after the name and attributes"));
        }
        let written_name = src[name_start..name_end].to_string();
        let name = if written_name.contains('/') {
            written_name.clone()
        } else {
            format!("core/{written_name}")
        };
        Ok(Some(Delimiter { span: start..pos + 3, closer, name, written_name, attrs_span, void }))
    }

    /// The `}` ending attributes that open at `from`: the first one followed by
    /// whitespace, an optional `/` and `-->`.
    fn attrs_end(&mut self, from: usize) -> Option<usize> {
        if let Some((start, found)) = self.attrs_end
            && start <= from
            && found.is_none_or(|end| from <= end)
        {
            return found;
        }
        let b = self.b;
        let mut pos = from;
        let found = loop {
            let Some(i) = super::find_byte(b, b'}', pos) else { break None };
            if b.get(i + 1).copied().is_some_and(is_space) {
                let mut after = skip_space(b, i + 1);
                if b.get(after) == Some(&b'/') {
                    after += 1;
                }
                if starts_at(b, after, b"-->") {
                    break Some(i);
                }
            }
            pos = i + 1;
        };
        self.attrs_end = Some((from, found));
        found
    }
}

/// End of a name segment `[a-z][a-z0-9_-]*` starting at `pos`.
fn segment_end(b: &[u8], pos: usize) -> Option<usize> {
    if !b.get(pos).is_some_and(u8::is_ascii_lowercase) {
        return None;
    }
    let len = b[pos..]
        .iter()
        .position(|&c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-'))
        .unwrap_or(b.len() - pos);
    Some(pos + len)
}

fn skip_space(b: &[u8], mut pos: usize) -> usize {
    while b.get(pos).copied().is_some_and(is_space) {
        pos += 1;
    }
    pos
}

/// Pairs delimiters with an explicit stack (no recursion).
#[derive(Default)]
struct Tree {
    blocks: Vec<Block>,
    /// Open blocks, outermost first, as indexes in `blocks`. Those past
    /// `MAX_DEPTH` are only kept to pair their closers and stay unpaired.
    stack: Vec<usize>,
    /// Per normalised name, the positions in `stack` holding it, so that
    /// finding the block a closer closes takes constant time.
    by_name: HashMap<String, Vec<usize>>,
}

impl Tree {
    fn add(&mut self, d: Delimiter, src: &str, errors: &mut Vec<ParseError>) {
        if d.closer {
            self.close(d, errors);
            return;
        }
        let index = self.blocks.len();
        let attrs = d.attrs_span.as_ref().and_then(|span| {
            serde_json::from_str(&src[span.clone()])
                .map_err(|e| {
                    errors.push(ParseError {
                        offset: span.start,
                        message: format!(
                            "block `{}`: the attributes are not valid JSON ({e}); they are ignored",
                            d.written_name
                        ),
                    });
                })
                .ok()
        });
        let parent = self.stack.get(self.stack.len().min(MAX_DEPTH).wrapping_sub(1)).copied();
        self.blocks.push(Block {
            name: d.name.clone(),
            written_name: d.written_name,
            attrs,
            attrs_span: d.attrs_span,
            span: d.span.clone(),
            open: d.span.clone(),
            close: None,
            inner: None,
            self_closing: d.void,
            parent,
        });
        if d.void {
            return;
        }
        if self.stack.len() == MAX_DEPTH {
            errors.push(ParseError {
                offset: d.span.start,
                message: format!(
                    "blocks are nested more than {MAX_DEPTH} deep: this one and those inside \
                     it are kept unpaired; flatten the nesting"
                ),
            });
        }
        self.by_name.entry(d.name).or_default().push(self.stack.len());
        self.stack.push(index);
    }

    fn close(&mut self, d: Delimiter, errors: &mut Vec<ParseError>) {
        let Some(&at) = self.by_name.get(&d.name).and_then(|v| v.last()) else {
            errors.push(ParseError {
                offset: d.span.start,
                message: format!(
                    "closing delimiter `<!-- /wp:{} -->` has no opening one; kept as text",
                    d.written_name
                ),
            });
            return;
        };
        // Blocks opened after the matching one were never closed.
        while self.stack.len() > at + 1 {
            let open = self.pop();
            if self.stack.len() < MAX_DEPTH {
                let block = &self.blocks[open];
                errors.push(ParseError {
                    offset: block.open.start,
                    message: format!(
                        "block `{}` is not closed before `<!-- /wp:{} -->` at byte {}: \
                         kept unpaired",
                        block.written_name, d.written_name, d.span.start
                    ),
                });
            }
        }
        let index = self.pop();
        if self.stack.len() < MAX_DEPTH {
            let block = &mut self.blocks[index];
            block.inner = Some(block.open.end..d.span.start);
            block.span = block.open.start..d.span.end;
            block.close = Some(d.span);
        }
    }

    fn pop(&mut self) -> usize {
        let index = self.stack.pop().unwrap_or_default();
        if let Some(positions) = self.by_name.get_mut(&self.blocks[index].name) {
            positions.pop();
        }
        index
    }

    fn finish(mut self, errors: &mut Vec<ParseError>) -> Vec<Block> {
        for &index in self.stack.iter().take(MAX_DEPTH) {
            let block = &self.blocks[index];
            errors.push(ParseError {
                offset: block.open.start,
                message: format!(
                    "block `{}` is never closed (no `<!-- /wp:{} -->`): kept unpaired",
                    block.written_name, block.written_name
                ),
            });
        }
        // A block inside one that stayed unpaired belongs to that one's parent.
        // Parents come first, so theirs are already final.
        for i in 0..self.blocks.len() {
            if let Some(p) = self.blocks[i].parent
                && self.blocks[p].close.is_none()
            {
                self.blocks[i].parent = self.blocks[p].parent;
            }
        }
        self.blocks
    }
}
