//! A small element tree built from quick-xml events, with absolute byte offsets and
//! namespaces resolved to the few WXR knows.
//!
//! The channel header is read as the file minus its items (fed to the builder piece by
//! piece), and each item on its own, starting from the namespaces in scope where it sits.
//! Namespaces are resolved here rather than by quick-xml's `NsReader` because an item
//! read on its own would not see the declarations on `<rss>`.

use super::text::{Lines, unescape};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::ops::Range;

/// Deepest element nesting accepted; WXR needs 5. Bounds the recursive `Drop` of `Node`.
const MAX_DEPTH: usize = 256;

/// A problem at an absolute byte offset: `(offset, code, message)`.
pub(super) type Issue = (usize, &'static str, String);

/// What stops reading the piece (the whole file, or one item).
#[derive(Debug)]
pub(super) struct Fatal {
    pub offset: usize,
    pub message: String,
}

/// The namespaces WXR uses, as resolved for an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Ns {
    /// No prefix: RSS.
    None,
    /// `http(s)://wordpress.org/export/1.N/`, or the prefix `wp` bound elsewhere (the
    /// importer looks `wp` up by prefix).
    Wp,
    /// `http(s)://wordpress.org/export/1.N/excerpt/`, or the prefix `excerpt`.
    Excerpt,
    /// `http://purl.org/rss/1.0/modules/content/`.
    Content,
    /// `http://purl.org/dc/elements/1.1/`.
    Dc,
    /// Anything else.
    Other,
}

/// One element.
#[derive(Debug)]
pub(super) struct Node<'a> {
    /// The name as written, prefix included.
    pub qname: &'a str,
    pub ns: Ns,
    /// The name without prefix.
    pub local: &'a str,
    /// Attributes other than namespace declarations: name as written, decoded value.
    pub attrs: Vec<(String, String)>,
    /// Offset of the start tag's `<`.
    pub start: usize,
    /// Between the start and end tags (empty for `<x/>`).
    pub content: Range<usize>,
    /// Offset just past the end tag.
    pub end: usize,
    pub children: Vec<Node<'a>>,
}

/// A tree and the problems met while building it.
pub(super) struct Tree<'a> {
    pub root: Node<'a>,
    pub issues: Vec<Issue>,
}

/// The channel header and, per item chunk, the namespaces in scope there (`None` when
/// the chunk is not a child of `<rss><channel>`).
pub(super) struct Header<'a> {
    pub root: Node<'a>,
    pub issues: Vec<Issue>,
    pub item_scopes: Vec<Option<Scope>>,
}

/// Namespace bindings in scope, innermost last: `(prefix, uri)`.
pub(super) type Scope = Vec<(String, String)>;

/// Builds the tree of the whole file with the item `chunks` (sorted, disjoint) cut out.
pub(super) fn build_header<'a>(
    text: &'a str,
    lines: &Lines,
    start: usize,
    chunks: &[Range<usize>],
) -> Result<Header<'a>, Fatal> {
    let mut b = Builder::new(text, lines, "rss", Scope::new());
    let mut item_scopes = Vec::with_capacity(chunks.len());
    let mut pos = start;
    for chunk in chunks {
        b.feed(pos..chunk.start)?;
        let in_channel = matches!(b.open.as_slice(), [rss, ch] if rss.node.qname == "rss" && ch.node.qname == "channel");
        item_scopes.push(in_channel.then(|| b.scope.clone()));
        pos = chunk.end;
    }
    b.feed(pos..text.len())?;
    let tree = b.finish("the file looks truncated; export it again")?;
    Ok(Header { root: tree.root, issues: tree.issues, item_scopes })
}

/// Builds the tree of one `<item>…</item>`, with `scope` in effect around it.
pub(super) fn build_item<'a>(
    text: &'a str,
    lines: &Lines,
    chunk: Range<usize>,
    scope: &Scope,
) -> Result<Tree<'a>, Fatal> {
    let mut b = Builder::new(text, lines, "item", scope.clone());
    b.feed(chunk)?;
    b.finish("")
}

struct Open<'a> {
    node: Node<'a>,
    /// `scope.len()` before this element's declarations.
    mark: usize,
}

struct Builder<'a, 'l> {
    text: &'a str,
    lines: &'l Lines<'l>,
    root_name: &'static str,
    scope: Scope,
    open: Vec<Open<'a>>,
    root: Option<Node<'a>>,
    issues: Vec<Issue>,
}

impl<'a, 'l> Builder<'a, 'l> {
    fn new(text: &'a str, lines: &'l Lines<'l>, root_name: &'static str, scope: Scope) -> Self {
        Builder { text, lines, root_name, scope, open: Vec::new(), root: None, issues: Vec::new() }
    }

    fn feed(&mut self, range: Range<usize>) -> Result<(), Fatal> {
        let base = range.start;
        let mut reader = Reader::from_str(&self.text[range]);
        let config = reader.config_mut();
        // Tags are matched here, across pieces; text is decoded by `text::decode`.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        loop {
            let before = base + to_usize(reader.buffer_position());
            let event = reader.read_event().map_err(|e| Fatal {
                offset: base + to_usize(reader.error_position()),
                message: format!("not well-formed XML: {e}"),
            })?;
            let after = base + to_usize(reader.buffer_position());
            match event {
                Event::Start(e) => self.start(&e, before, after, false)?,
                Event::Empty(e) => self.start(&e, before, after, true)?,
                Event::End(e) => self.end(e.name().as_ref().len(), before, after)?,
                Event::DocType(_) => {
                    return Err(Fatal {
                        offset: before,
                        message: "the file has a DOCTYPE, which the WordPress importer \
                                  refuses: remove the `<!DOCTYPE …>` declaration"
                            .into(),
                    });
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn start(
        &mut self,
        e: &BytesStart,
        before: usize,
        after: usize,
        empty: bool,
    ) -> Result<(), Fatal> {
        let qname =
            self.text.get(before + 1..before + 1 + e.name().as_ref().len()).unwrap_or_default();
        if self.open.is_empty() {
            if self.root.is_some() {
                return Err(self.fatal(before, format!("`<{qname}>` after the root element")));
            }
            if qname != self.root_name {
                let msg = format!(
                    "the root element is `<{qname}>`, not `<rss>`: this is not a WordPress \
                     export (WXR) file"
                );
                return Err(self.fatal(before, msg));
            }
        }
        if self.open.len() >= MAX_DEPTH {
            let msg = format!("elements nested deeper than {MAX_DEPTH}");
            return Err(self.fatal(before, msg));
        }
        let mark = self.scope.len();
        let mut attrs = Vec::new();
        for attr in e.attributes() {
            let attr = match attr {
                Ok(a) => a,
                Err(err) => {
                    let msg = format!("bad attribute in `<{qname}>` ({err}): the rest are ignored");
                    self.issues.push((before, "bad-attribute", msg));
                    break;
                }
            };
            let key = attr.key.as_ref().to_owned();
            let value = unescape(&attr.value, before, &mut self.issues);
            if let Some(prefix) = key.strip_prefix("xmlns:") {
                self.scope.push((prefix.to_owned(), value));
            } else if key != "xmlns" {
                attrs.push((key, value));
            }
        }
        let (ns, local) = self.resolve(qname, before);
        let node = Node {
            qname,
            ns,
            local,
            attrs,
            start: before,
            content: after..after,
            end: after,
            children: Vec::new(),
        };
        if empty {
            self.scope.truncate(mark);
            self.add(node);
        } else {
            self.open.push(Open { node, mark });
        }
        Ok(())
    }

    fn end(&mut self, name_len: usize, before: usize, after: usize) -> Result<(), Fatal> {
        let qname = self.text.get(before + 2..before + 2 + name_len).unwrap_or_default();
        let Some(mut open) = self.open.pop() else {
            return Err(self.fatal(before, format!("`</{qname}>` closes nothing")));
        };
        if open.node.qname != qname {
            let msg = format!(
                "`</{qname}>` found where `</{}>` should come first (`<{}>` opened at line {} \
                 is not closed)",
                open.node.qname,
                open.node.qname,
                self.lines.line(open.node.start)
            );
            return Err(self.fatal(before, msg));
        }
        open.node.content.end = before;
        open.node.end = after;
        self.scope.truncate(open.mark);
        self.add(open.node);
        Ok(())
    }

    fn add(&mut self, node: Node<'a>) {
        match self.open.last_mut() {
            Some(parent) => parent.node.children.push(node),
            None => self.root = Some(node),
        }
    }

    fn finish(mut self, hint: &str) -> Result<Tree<'a>, Fatal> {
        // Report the outermost unclosed element below the root: the truncated one.
        if let Some(open) = self.open.get(1).or(self.open.first()) {
            let mut msg = format!("`<{}>` is never closed", open.node.qname);
            if !hint.is_empty() {
                msg = format!("{msg}: {hint}");
            }
            return Err(self.fatal(open.node.start, msg));
        }
        match self.root.take() {
            Some(root) => Ok(Tree { root, issues: self.issues }),
            None => Err(Fatal {
                offset: 0,
                message: format!(
                    "no `<{}>` element: this is not a WordPress export (WXR) file",
                    self.root_name
                ),
            }),
        }
    }

    fn fatal(&self, offset: usize, message: String) -> Fatal {
        Fatal { offset, message }
    }

    /// The namespace of `qname`: by URI when its prefix is declared, by the usual
    /// prefixes otherwise (files in the wild omit declarations).
    fn resolve(&mut self, qname: &'a str, offset: usize) -> (Ns, &'a str) {
        let Some((prefix, local)) = qname.split_once(':') else {
            return (Ns::None, qname);
        };
        let by_prefix = match prefix {
            "wp" => Ns::Wp,
            "excerpt" => Ns::Excerpt,
            "content" => Ns::Content,
            "dc" => Ns::Dc,
            _ => Ns::Other,
        };
        let bound = self.scope.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str());
        let ns = match bound {
            Some(uri) => match by_uri(uri) {
                Ns::Other if matches!(by_prefix, Ns::Wp | Ns::Excerpt) => by_prefix,
                ns => ns,
            },
            None => {
                if by_prefix != Ns::Other {
                    let msg = format!(
                        "the namespace prefix `{prefix}` is not declared: read as the usual \
                         WXR namespace; add `xmlns:{prefix}=\"…\"` to `<rss>`"
                    );
                    self.issues.push((offset, "undeclared-prefix", msg));
                }
                by_prefix
            }
        };
        (ns, local)
    }
}

/// The WXR namespace named by `uri`.
fn by_uri(uri: &str) -> Ns {
    match uri {
        "http://purl.org/rss/1.0/modules/content/" => return Ns::Content,
        "http://purl.org/dc/elements/1.1/" => return Ns::Dc,
        _ => {}
    }
    let rest = uri.strip_prefix("http://").or_else(|| uri.strip_prefix("https://"));
    let Some(rest) = rest.and_then(|r| r.strip_prefix("wordpress.org/export/")) else {
        return Ns::Other;
    };
    let Some((version, tail)) = rest.split_once('/') else {
        return Ns::Other;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let versioned = version.split_once('.').is_some_and(|(a, b)| digits(a) && digits(b));
    match (versioned, tail) {
        (true, "") => Ns::Wp,
        (true, "excerpt/") => Ns::Excerpt,
        _ => Ns::Other,
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}
