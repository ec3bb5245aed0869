//! The entry point: checking the encoding, cutting the file into the channel header and
//! one chunk per `<item>` at the byte level, then reading each piece on its own.

use super::map::Ctx;
use super::text::Lines;
use super::tree::{Fatal, Ns, build_header, build_item};
use super::{Wxr, WxrError};
use std::collections::HashSet;
use std::ops::Range;

/// Parses a WXR file.
///
/// Items that are not well-formed are left out and reported in [`Wxr::problems`], as is
/// everything else that is wrong but readable.
///
/// # Errors
/// When the file as a whole cannot be read as WXR: it is not UTF-8 (or declares another
/// encoding), has a DOCTYPE, is not well-formed XML outside the items, is not an
/// `<rss>` with a `<channel>`, or ends inside an element (truncated).
pub fn parse(bytes: &[u8]) -> Result<Wxr, WxrError> {
    let text = check_encoding(bytes)?;
    let lines = Lines::new(text);
    let fatal = |f: Fatal| {
        let (line, column) = lines.position(f.offset);
        WxrError { line, column, message: f.message }
    };
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let chunks = scan(text, start).map_err(fatal)?;
    if let Some(last) =
        chunks.last().filter(|c| c.kind == Chunk::Unclosed && c.span.end == text.len())
    {
        return Err(fatal(Fatal {
            offset: last.span.start,
            message: "this `<item>` is never closed: the file ends inside it, so it looks \
                      truncated; export it again"
                .into(),
        }));
    }
    let spans: Vec<Range<usize>> = chunks.iter().map(|c| c.span.clone()).collect();
    let header = build_header(text, &lines, start, &spans).map_err(fatal)?;

    let mut ctx = Ctx { text, lines: &lines, problems: Vec::new(), item: None, post_id: None };
    ctx.issues(header.issues);
    let rss = &header.root;
    let Some(channel) = rss.children.iter().find(|c| c.ns == Ns::None && c.local == "channel")
    else {
        return Err(fatal(Fatal {
            offset: rss.start,
            message: "`<rss>` has no `<channel>`: this is not a WordPress export (WXR) file".into(),
        }));
    };
    let mut wxr = Wxr::default();
    for other in rss.children.iter().filter(|c| !std::ptr::eq(*c, channel)) {
        let msg = format!("`<{}>` outside `<channel>` is ignored", other.qname);
        ctx.problem(other.start, "outside-channel", msg);
    }
    wxr.version = ctx.channel(channel, &mut wxr.channel);

    let mut seen_ids = HashSet::new();
    // Counts `<item>`s only, dropped ones included, not stray `</item>`s.
    let mut next_index = 0;
    for (i, chunk) in chunks.iter().enumerate() {
        let index = next_index;
        if chunk.kind != Chunk::Stray {
            next_index += 1;
        }
        ctx.item = Some(index);
        ctx.post_id = guess_post_id(&text[chunk.span.clone()]);
        let at = chunk.span.start;
        let scope = match (&chunk.kind, header.item_scopes.get(i)) {
            (Chunk::Stray, _) => {
                (ctx.item, ctx.post_id) = (None, None);
                ctx.problem(at, "stray-end-tag", "`</item>` without `<item>`: ignored".into());
                continue;
            }
            (Chunk::Unclosed, _) => {
                let msg = "this `<item>` is never closed (another `<item>` or `</channel>` \
                           comes first): left out; fix the export"
                    .into();
                ctx.problem(at, "unclosed-item", msg);
                continue;
            }
            (Chunk::Item, Some(Some(scope))) => scope,
            (Chunk::Item, _) => {
                let msg = "`<item>` outside `<channel>`: left out (the WordPress importer \
                           reads only `/rss/channel/item`)"
                    .into();
                ctx.problem(at, "item-outside-channel", msg);
                continue;
            }
        };
        match build_item(text, &lines, chunk.span.clone(), scope) {
            Ok(tree) => {
                ctx.issues(tree.issues);
                let item = ctx.item(index, chunk.span.clone(), &tree.root);
                if let Some(id) = item.post_id.value
                    && !seen_ids.insert(id)
                {
                    let msg = format!("a second item with post_id {id}: both kept");
                    ctx.problem(at, "duplicate-post-id", msg);
                }
                wxr.items.push(item);
            }
            Err(f) => {
                let msg = format!("{}; the item is left out", f.message);
                ctx.problem(f.offset, "bad-item", msg);
            }
        }
    }
    ctx.problems.sort_by_key(|p| (p.line, p.column));
    let mut reported = HashSet::new();
    // Repeated namespace warnings say nothing new.
    ctx.problems.retain(|p| p.code != "undeclared-prefix" || reported.insert(p.message.clone()));
    wxr.problems = ctx.problems;
    Ok(wxr)
}

/// Checks the byte order mark, the declared encoding and UTF-8 validity.
fn check_encoding(bytes: &[u8]) -> Result<&str, WxrError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(WxrError {
            line: 1,
            column: 1,
            message: "the file is UTF-16: WordPress writes WXR in UTF-8; convert it \
                      (`iconv -f UTF-16 -t UTF-8`) and change the XML declaration"
                .into(),
        });
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let declared = declared_encoding(body);
    if let Some(enc) = &declared
        && !matches!(enc.to_ascii_lowercase().as_str(), "utf-8" | "utf8")
        && !(enc.eq_ignore_ascii_case("us-ascii") && bytes.is_ascii())
    {
        return Err(WxrError {
            line: 1,
            column: 1,
            message: format!(
                "the file declares encoding {enc:?}; carton reads WXR as UTF-8 (what WordPress \
                 writes): convert it (`iconv -f {enc} -t UTF-8`) and declare encoding=\"UTF-8\""
            ),
        });
    }
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by definition.
        let prefix = std::str::from_utf8(valid).unwrap_or_default();
        let (line, column) = Lines::new(prefix).position(prefix.len());
        WxrError {
            line,
            column,
            message: format!(
                "invalid UTF-8 (byte 0x{:02X}) in a file read as UTF-8: re-export it, or \
                 convert it from its real encoding with iconv",
                bytes[e.valid_up_to()]
            ),
        }
    })
}

/// The `encoding` of the XML declaration, if any.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let decl = body.strip_prefix(b"<?xml")?;
    let end = decl.windows(2).position(|w| w == b"?>")?;
    let decl = String::from_utf8_lossy(&decl[..end]);
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let value = &rest[1..];
    Some(value[..value.find(quote)?].to_owned())
}

/// What the byte-level scan found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    /// `<item …>…</item>` or `<item/>`.
    Item,
    /// `<item>` with no `</item>` before the next `<item>`, `</channel>` or the end.
    Unclosed,
    /// `</item>` with no `<item>`.
    Stray,
}

#[derive(Debug)]
struct Scanned {
    kind: Chunk,
    span: Range<usize>,
}

/// Finds every `<item>` at the byte level, skipping comments, CDATA sections and
/// processing instructions, so that one malformed item cannot hide the others.
fn scan(text: &str, from: usize) -> Result<Vec<Scanned>, Fatal> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let mut i = from;
    let skip = |p: usize, close: &str, what: &str| {
        text[p..].find(close).map(|n| p + n + close.len()).ok_or_else(|| Fatal {
            offset: p,
            message: format!("this {what} is never closed: the file looks truncated"),
        })
    };
    while let Some(n) = text[i..].find('<') {
        let p = i + n;
        let rest = &text[p..];
        if rest.starts_with("<!--") {
            i = skip(p + 4, "-->", "comment")?;
        } else if rest.starts_with("<![CDATA[") {
            i = skip(p + 9, "]]>", "CDATA section")?;
        } else if rest.starts_with("<?") {
            i = skip(p + 2, "?>", "processing instruction")?;
        } else if rest.starts_with("<!DOCTYPE") {
            return Err(Fatal {
                offset: p,
                message: "the file has a DOCTYPE, which the WordPress importer refuses (it \
                          can smuggle in entities): remove the `<!DOCTYPE …>` declaration"
                    .into(),
            });
        } else if is_tag(rest, "<item") {
            let end = tag_end(text, p).ok_or_else(|| Fatal {
                offset: p,
                message: "this `<item` tag is never closed with `>`".into(),
            })?;
            if let Some(s) = open.take() {
                out.push(Scanned { kind: Chunk::Unclosed, span: s..p });
            }
            if text[..end].ends_with("/>") {
                out.push(Scanned { kind: Chunk::Item, span: p..end });
            } else {
                open = Some(p);
            }
            i = end;
        } else if is_tag(rest, "</item") {
            let end = tag_end(text, p).unwrap_or(text.len());
            match open.take() {
                Some(s) => out.push(Scanned { kind: Chunk::Item, span: s..end }),
                None => out.push(Scanned { kind: Chunk::Stray, span: p..end }),
            }
            i = end;
        } else {
            if (is_tag(rest, "</channel") || is_tag(rest, "</rss"))
                && let Some(s) = open.take()
            {
                out.push(Scanned { kind: Chunk::Unclosed, span: s..p });
            }
            i = p + 1;
        }
    }
    if let Some(s) = open {
        out.push(Scanned { kind: Chunk::Unclosed, span: s..text.len() });
    }
    Ok(out)
}

/// Whether `rest` starts with the tag `name` (`<item`, `</item`) followed by the end of
/// the name.
fn is_tag(rest: &str, name: &str) -> bool {
    rest.strip_prefix(name)
        .and_then(|r| r.bytes().next())
        .is_some_and(|b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
}

/// The offset just past the `>` ending the tag at `p`, quoted attribute values skipped.
fn tag_end(text: &str, p: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in text.bytes().enumerate().skip(p) {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The `wp:post_id` of an item that may not parse, to name it in problems.
fn guess_post_id(chunk: &str) -> Option<String> {
    let at = chunk.find(":post_id>")? + ":post_id>".len();
    let rest = chunk[at..].trim_start().trim_start_matches("<![CDATA[");
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (!digits.is_empty()).then_some(digits)
}
