//! Byte spans and their 1-based line/column positions.

use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A byte range in a file, with the 1-based line and column of its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    /// First byte (offset from the start of the file).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// 1-based line of `start`.
    pub line: usize,
    /// 1-based column of `start`, in characters.
    pub column: usize,
}

impl Span {
    /// The byte range.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Maps byte offsets of a text to lines and columns. Built once per file, queried per span.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes `text`.
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr_newlines(text.as_bytes()));
        LineIndex { text, starts }
    }

    /// The 1-based (line, column) of a byte offset; offsets past the end map to the end.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, column)
    }

    /// The span of a byte range of a part of the text that starts at `base` (e.g. the body
    /// after the front matter): offsets are shifted to be offsets in the whole text.
    pub fn span(&self, range: Range<usize>, base: usize) -> Span {
        let (start, end) = (range.start + base, range.end + base);
        let (line, column) = self.locate(start);
        Span { start, end, line, column }
    }
}

fn memchr_newlines(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let text = "ab\nçé x\n\nlast";
        let idx = LineIndex::new(text);
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(3), (2, 1));
        // "çé " is 5 bytes, 3 characters: `x` is column 4.
        assert_eq!(idx.locate(8), (2, 4));
        assert_eq!(idx.locate(11), (4, 1));
        assert_eq!(idx.locate(999), (4, 5));
    }
}
