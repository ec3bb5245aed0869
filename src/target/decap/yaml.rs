//! Where things are in a YAML text: the byte spans of its nodes, for edits in place.

use super::*;

/// A node of the YAML text: its byte span and, for a collection, its children.
#[derive(Debug)]
pub(super) struct Node {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Written in flow style (`{...}`, `[...]`) or inside such a collection.
    pub(super) flow: bool,
    pub(super) kind: Kind,
}

#[derive(Debug)]
pub(super) enum Kind {
    Scalar,
    Map(Vec<Child>),
    Seq(Vec<Child>),
}

/// An entry of a mapping or an item of a sequence.
#[derive(Debug)]
pub(super) struct Child {
    pub(super) key: Option<String>,
    /// Where the key (or the item's `-`, or a flow item) starts.
    pub(super) start: usize,
    /// Block style: the start of the line after its last line; flow style: its value's end.
    pub(super) end: usize,
    pub(super) value: Node,
}

impl Node {
    pub(super) fn scalar(start: usize, end: usize, flow: bool) -> Node {
        Node { start, end, flow, kind: Kind::Scalar }
    }

    pub(super) fn children(&self) -> &[Child] {
        match &self.kind {
            Kind::Map(c) | Kind::Seq(c) => c,
            Kind::Scalar => &[],
        }
    }

    pub(super) fn child(&self, seg: &Seg) -> Option<(usize, &Child)> {
        match (&self.kind, seg) {
            (Kind::Map(c), Seg::Key(k)) => {
                c.iter().enumerate().rev().find(|(_, c)| c.key.as_deref() == Some(k))
            }
            (Kind::Seq(c), Seg::Index(i)) => c.get(*i).map(|c| (*i, c)),
            _ => None,
        }
    }
}

pub(super) fn find<'n>(mut node: &'n Node, path: &[Seg]) -> Option<&'n Node> {
    for s in path {
        node = &node.child(s)?.1.value;
    }
    Some(node)
}

/// The node at `path`, or the last one found on the way.
pub(super) fn deepest<'n>(mut node: &'n Node, path: &[Seg]) -> &'n Node {
    for s in path {
        match node.child(s) {
            Some((_, c)) => node = &c.value,
            None => break,
        }
    }
    node
}

/// The node tree of a YAML text, or `None` when it uses what this reader does not follow
/// (complex keys, several documents, ...): the caller then writes the YAML afresh.
pub(super) fn parse(text: &str) -> Option<Node> {
    let p = Reader { s: text, b: text.as_bytes() };
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut i = p.first_content(bom)?;
    if p.col(i) == 0 && p.b[i..].starts_with(b"---") && p.blank(i + 3) {
        i = p.skip_inline(i + 3);
        if !p.eol(i) {
            return None;
        }
    }
    let root = p.block(p.next_content(i)?, -1)?;
    p.next_content(root.end).is_none().then_some(root)
}

pub(super) struct Reader<'a> {
    pub(super) s: &'a str,
    pub(super) b: &'a [u8],
}

impl Reader<'_> {
    /// The byte at `i`; 0 past the end.
    pub(super) fn byte(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// A line break or the end of the text.
    pub(super) fn eol(&self, i: usize) -> bool {
        i >= self.b.len() || self.b[i] == b'\n'
    }

    /// White space, or the end of the text.
    pub(super) fn blank(&self, i: usize) -> bool {
        i >= self.b.len() || matches!(self.b[i], b' ' | b'\t' | b'\r' | b'\n')
    }

    pub(super) fn line_start(&self, i: usize) -> usize {
        self.b[..i].iter().rposition(|&c| c == b'\n').map_or(0, |n| n + 1)
    }

    pub(super) fn col(&self, i: usize) -> usize {
        i - self.line_start(i)
    }

    /// The start of the next line (or the end).
    pub(super) fn next_line(&self, i: usize) -> usize {
        self.b[i.min(self.b.len())..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(self.b.len(), |n| i + n + 1)
    }

    pub(super) fn skip_spaces(&self, mut i: usize) -> usize {
        while matches!(self.byte(i), b' ' | b'\t' | b'\r') {
            i += 1;
        }
        i
    }

    /// Skips blanks and a comment on this line: a line break, the end, or something else.
    pub(super) fn skip_inline(&self, i: usize) -> usize {
        let mut i = self.skip_spaces(i);
        if self.byte(i) == b'#' {
            while !self.eol(i) {
                i += 1;
            }
        }
        i
    }

    /// The first character at or after `i` that is not blank or in a comment.
    pub(super) fn first_content(&self, i: usize) -> Option<usize> {
        let mut i = self.skip_inline(i);
        while i < self.b.len() && self.b[i] == b'\n' {
            i = self.skip_inline(i + 1);
        }
        (i < self.b.len()).then_some(i)
    }

    /// As `first_content`, but a document marker ends the content.
    pub(super) fn next_content(&self, i: usize) -> Option<usize> {
        let i = self.first_content(i)?;
        let marker = self.col(i) == 0
            && (self.b[i..].starts_with(b"---") || self.b[i..].starts_with(b"..."))
            && self.blank(i + 3);
        (!marker).then_some(i)
    }

    /// A node in block context at `i`, whose lines are indented more than `parent`.
    pub(super) fn block(&self, i: usize, parent: isize) -> Option<Node> {
        match self.byte(i) {
            b'-' if self.blank(i + 1) => self.block_seq(i),
            b'?' if self.blank(i + 1) => None,
            b'[' | b'{' => {
                let n = self.flow(i)?;
                (self.byte(self.skip_inline(n.end)) != b':').then_some(n)
            }
            b'|' | b'>' => Some(self.block_scalar(i, parent)),
            b'&' | b'!' => {
                let mut j = i;
                while !self.blank(j) {
                    j += 1;
                }
                let k = self.skip_inline(j);
                if !self.eol(k) {
                    return self.block(k, parent);
                }
                match self.next_content(k) {
                    Some(q) if self.col(q) as isize > parent => self.block(q, parent),
                    _ => Some(Node::scalar(j, j, false)),
                }
            }
            _ => {
                let end = self.scalar_end(i, false)?;
                let k = self.skip_spaces(end);
                if self.byte(k) == b':' && self.blank(k + 1) {
                    return self.block_map(i);
                }
                let end = match self.byte(i) {
                    b'"' | b'\'' | b'*' => end,
                    _ => self.plain_lines(end, parent),
                };
                Some(Node::scalar(i, end, false))
            }
        }
    }

    /// The end of a scalar at `i`: quoted, or plain up to `: `, ` #`, the line's end (and, in
    /// flow context, a flow indicator). Trailing blanks are not part of it.
    pub(super) fn scalar_end(&self, i: usize, flow: bool) -> Option<usize> {
        let len = self.b.len();
        match self.byte(i) {
            b'"' => {
                let mut j = i + 1;
                loop {
                    match self.b.get(j)? {
                        b'\\' => j += 2,
                        b'"' => return Some(j + 1),
                        _ => j += 1,
                    }
                }
            }
            b'\'' => {
                let mut j = i + 1;
                loop {
                    match self.b.get(j)? {
                        b'\'' if self.byte(j + 1) == b'\'' => j += 2,
                        b'\'' => return Some(j + 1),
                        _ => j += 1,
                    }
                }
            }
            _ => {
                let indicator = |c: u8| matches!(c, b',' | b'[' | b']' | b'{' | b'}');
                let (mut j, mut end) = (i, i);
                while j < len {
                    let c = self.b[j];
                    let stop = c == b'\n'
                        || (c == b':'
                            && (self.blank(j + 1) || (flow && indicator(self.byte(j + 1)))))
                        || (c == b'#' && j > i && matches!(self.b[j - 1], b' ' | b'\t'))
                        || (flow && indicator(c));
                    if stop {
                        break;
                    }
                    j += 1;
                    if !matches!(c, b' ' | b'\t' | b'\r') {
                        end = j;
                    }
                }
                Some(end)
            }
        }
    }

    /// A plain scalar in block context goes on over the following lines indented more than
    /// `parent` (blank lines included, comments not).
    pub(super) fn plain_lines(&self, mut end: usize, parent: isize) -> usize {
        loop {
            let k = self.skip_spaces(end);
            if k >= self.b.len() || self.b[k] != b'\n' {
                return end;
            }
            let mut m = self.skip_spaces(k + 1);
            while m < self.b.len() && self.b[m] == b'\n' {
                m = self.skip_spaces(m + 1);
            }
            if m >= self.b.len() || self.col(m) as isize <= parent || self.b[m] == b'#' {
                return end;
            }
            let Some(e) = self.scalar_end(m, false) else { return end };
            if e == m || self.byte(self.skip_spaces(e)) == b':' {
                return end;
            }
            end = e;
        }
    }

    /// A `|` or `>` scalar: its header and the lines below indented more than `parent`.
    pub(super) fn block_scalar(&self, i: usize, parent: isize) -> Node {
        let mut end = i + 1;
        while matches!(self.byte(end), b'+' | b'-' | b'0'..=b'9') {
            end += 1;
        }
        let mut l = self.next_line(i);
        while l < self.b.len() {
            let m = self.skip_spaces(l);
            if self.eol(m) {
                l = self.next_line(m);
                continue;
            }
            if (m - l) as isize <= parent {
                break;
            }
            let line_end = self.next_line(m);
            end = if line_end > m && self.byte(line_end - 1) == b'\n' {
                line_end - 1
            } else {
                line_end
            };
            if self.byte(end.saturating_sub(1)) == b'\r' {
                end -= 1;
            }
            l = line_end;
        }
        Node::scalar(i, end, false)
    }

    /// A node that starts on a following line, or an empty one at `empty`.
    pub(super) fn below(
        &self,
        v: usize,
        empty: usize,
        parent: usize,
        indentless: bool,
    ) -> Option<Node> {
        match self.next_content(v) {
            Some(q) if self.col(q) > parent => self.block(q, parent as isize),
            Some(q)
                if indentless
                    && self.col(q) == parent
                    && self.byte(q) == b'-'
                    && self.blank(q + 1) =>
            {
                self.block_seq(q)
            }
            _ => Some(Node::scalar(empty, empty, false)),
        }
    }

    pub(super) fn block_map(&self, i: usize) -> Option<Node> {
        let c = self.col(i);
        let mut children: Vec<Child> = Vec::new();
        let mut k = i;
        loop {
            let kend = self.scalar_end(k, false)?;
            let key = decode_key(&self.s[k..kend])?;
            let colon = self.skip_spaces(kend);
            if self.byte(colon) != b':' {
                return None;
            }
            let v = self.skip_inline(colon + 1);
            let value = if self.eol(v) {
                self.below(v, colon + 1, c, true)?
            } else {
                self.block(v, c as isize)?
            };
            let end = self.next_line(value.end.max(colon + 1));
            let next = self.next_content(value.end);
            children.push(Child { key: Some(key), start: k, end, value });
            match next {
                Some(q) if self.col(q) == c && !(self.byte(q) == b'-' && self.blank(q + 1)) => {
                    k = q
                }
                Some(q) if self.col(q) > c => return None,
                _ => break,
            }
        }
        let end = children.last().map_or(i, |ch| ch.value.end);
        Some(Node { start: i, end, flow: false, kind: Kind::Map(children) })
    }

    pub(super) fn block_seq(&self, i: usize) -> Option<Node> {
        let c = self.col(i);
        let mut children: Vec<Child> = Vec::new();
        let mut d = i;
        loop {
            let v = self.skip_inline(d + 1);
            let value = if self.eol(v) {
                self.below(v, d + 1, c, false)?
            } else {
                self.block(v, c as isize)?
            };
            let end = self.next_line(value.end.max(d + 1));
            let next = self.next_content(value.end);
            children.push(Child { key: None, start: d, end, value });
            match next {
                Some(q) if self.col(q) == c && self.byte(q) == b'-' && self.blank(q + 1) => d = q,
                Some(q) if self.col(q) > c => return None,
                _ => break,
            }
        }
        let end = children.last().map_or(i, |ch| ch.value.end);
        Some(Node { start: i, end, flow: false, kind: Kind::Seq(children) })
    }

    /// Skips white space, line breaks and comments inside a flow collection.
    pub(super) fn skip_flow(&self, mut i: usize) -> Option<usize> {
        loop {
            i = self.skip_inline(i);
            match self.b.get(i)? {
                b'\n' => i += 1,
                _ => return Some(i),
            }
        }
    }

    pub(super) fn flow(&self, i: usize) -> Option<Node> {
        let map = self.byte(i) == b'{';
        let close = if map { b'}' } else { b']' };
        let mut children = Vec::new();
        let mut p = self.skip_flow(i + 1)?;
        loop {
            if self.byte(p) == close {
                let kind = if map { Kind::Map(children) } else { Kind::Seq(children) };
                return Some(Node { start: i, end: p + 1, flow: true, kind });
            }
            let start = p;
            let (key, value) = if map {
                if matches!(self.byte(p), b'[' | b'{') {
                    return None;
                }
                let kend = self.scalar_end(p, true)?;
                let key = decode_key(&self.s[p..kend])?;
                let q = self.skip_flow(kend)?;
                let value = match self.byte(q) {
                    b':' => {
                        let v = self.skip_flow(q + 1)?;
                        if matches!(self.byte(v), b',' | b'}') {
                            Node::scalar(q + 1, q + 1, true)
                        } else {
                            self.flow_value(v)?
                        }
                    }
                    b',' | b'}' => Node::scalar(kend, kend, true),
                    _ => return None,
                };
                (Some(key), value)
            } else {
                let value = self.flow_value(p)?;
                if self.byte(self.skip_flow(value.end)?) == b':' {
                    return None;
                }
                (None, value)
            };
            let end = value.end;
            children.push(Child { key, start, end, value });
            p = self.skip_flow(end)?;
            match self.byte(p) {
                b',' => p = self.skip_flow(p + 1)?,
                c if c == close => {}
                _ => return None,
            }
        }
    }

    pub(super) fn flow_value(&self, p: usize) -> Option<Node> {
        match self.byte(p) {
            b'[' | b'{' => self.flow(p),
            b'&' | b'!' => {
                let mut j = p;
                while !self.blank(j) && !matches!(self.byte(j), b',' | b']' | b'}') {
                    j += 1;
                }
                self.flow_value(self.skip_flow(j)?)
            }
            b'"' | b'\'' => Some(Node::scalar(p, self.scalar_end(p, true)?, true)),
            _ => {
                let mut end = self.scalar_end(p, true)?;
                // A plain scalar goes on over the next line unless an indicator follows.
                loop {
                    let k = self.skip_spaces(end);
                    if self.byte(k) != b'\n' {
                        break;
                    }
                    let mut m = k;
                    while matches!(self.byte(m), b' ' | b'\t' | b'\r' | b'\n') {
                        m += 1;
                    }
                    if m >= self.b.len()
                        || matches!(self.b[m], b',' | b']' | b'}' | b':' | b'#' | b'[' | b'{')
                        || matches!(self.b[m], b'"' | b'\'')
                    {
                        break;
                    }
                    end = self.scalar_end(m, true)?;
                }
                Some(Node::scalar(p, end, true))
            }
        }
    }
}

/// A mapping key as text: plain, or quoted (decoded).
pub(super) fn decode_key(raw: &str) -> Option<String> {
    match raw.as_bytes().first() {
        Some(b'"' | b'\'') => serde_yaml::from_str::<String>(raw).ok(),
        Some(b'*' | b'&' | b'!') => None,
        _ => Some(raw.to_string()),
    }
}
