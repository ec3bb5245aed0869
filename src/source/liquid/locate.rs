//! Lines and columns of byte offsets for the Liquid parser.

use crate::model::Span;
use std::ops::Range;

/// Bytes between two saved character counts in [`Locator`].
const STRIDE: usize = 256;

/// Lines and columns of byte offsets, as [`crate::model::LineIndex`] gives
/// them, in bounded time per offset: `LineIndex` counts characters from the
/// start of the line each time, which is quadratic over a long line holding
/// thousands of tags (minified HTML).
pub(super) struct Locator<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
    /// The number of characters before each multiple of [`STRIDE`].
    chars: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut lines = vec![0];
        lines.extend(newlines(b).map(|i| i + 1));
        let mut chars = Vec::with_capacity(b.len() / STRIDE + 1);
        let mut count = 0;
        for block in b.chunks(STRIDE) {
            chars.push(count);
            count += char_starts(block);
        }
        chars.push(count);
        Locator { text, lines, chars }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, offset: usize) -> usize {
        let block = offset / STRIDE;
        let counted = self.chars.get(block).copied().unwrap_or(0);
        counted + char_starts(&self.text.as_bytes()[block * STRIDE..offset])
    }

    /// The span of body offsets `range`, the body starting at `base`.
    pub(super) fn span(&self, range: Range<usize>, base: usize) -> Span {
        let len = self.text.len();
        let (start, end) = ((range.start + base).min(len), (range.end + base).min(len));
        let line = self.lines.partition_point(|&s| s <= start);
        let line_start = self.lines[line - 1];
        let column = self.chars_before(start) - self.chars_before(line_start) + 1;
        Span { start, end, line, column }
    }
}

fn newlines(b: &[u8]) -> impl Iterator<Item = usize> + '_ {
    b.iter().enumerate().filter(|&(_, &c)| c == b'\n').map(|(i, _)| i)
}

/// UTF-8 bytes that start a character.
fn char_starts(b: &[u8]) -> usize {
    b.iter().filter(|&&c| c & 0xC0 != 0x80).count()
}
