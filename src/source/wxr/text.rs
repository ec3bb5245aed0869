//! Byte offsets to line/column, and the text content of one element: CDATA sections,
//! entity and character references, with the span of the original bytes when the value
//! is a plain slice of the file.

use std::ops::Range;

const CDATA_OPEN: &str = "<![CDATA[";
const CDATA_CLOSE: &str = "]]>";

/// Line starts of a text, to turn byte offsets into 1-based line and column.
pub(super) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based line and column (in characters) of byte `offset`, clamped to the text.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        // `offset` may fall inside a character (never from our callers); count whole ones.
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line, column + 1)
    }

    /// 1-based line of byte `offset`; cheaper than [`Self::position`] on long lines.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset.min(self.text.len()))
    }
}

/// The decoded content of one element.
#[derive(Debug, Default)]
pub(super) struct Decoded {
    pub value: String,
    /// See [`super::Text::span`].
    pub span: Option<Range<usize>>,
    /// Problems at absolute byte offsets: `(offset, code, message)`.
    pub issues: Vec<(usize, &'static str, String)>,
}

/// Decodes the character data of `text[range]`, an element's content without child
/// elements: CDATA sections are taken as is, references in plain text are resolved,
/// comments and processing instructions are dropped.
pub(super) fn decode(text: &str, range: Range<usize>) -> Decoded {
    let raw = &text[range.clone()];
    let base = range.start;
    let mut out = Decoded::default();
    // Parts of the value: a slice of `text`, or decoded text.
    let mut slices: Vec<Range<usize>> = Vec::new();
    let mut owned = false;
    let mut stray_cdata_end = false;
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        if let Some(body) = rest.strip_prefix(CDATA_OPEN) {
            // The XML reader has already checked that every section is closed.
            let n = body.find(CDATA_CLOSE).unwrap_or(body.len());
            let start = i + CDATA_OPEN.len();
            slices.push(base + start..base + start + n);
            out.value.push_str(&body[..n]);
            i = (start + n + CDATA_CLOSE.len()).min(raw.len());
        } else if rest.starts_with("<!--") || rest.starts_with("<?") {
            let close = if rest.starts_with("<!--") { "-->" } else { "?>" };
            i = rest.find(close).map_or(raw.len(), |n| i + n + close.len());
            owned = true;
        } else {
            // Up to the next markup; a stray '<' (not XML) is kept as text.
            let from = usize::from(rest.starts_with('<'));
            let n = rest[from..].find('<').map_or(rest.len(), |n| n + from);
            let run = &rest[..n];
            stray_cdata_end |= run.contains(CDATA_CLOSE);
            if run.contains('&') {
                owned = true;
                out.value.push_str(&unescape(run, base + i, &mut out.issues));
            } else {
                slices.push(base + i..base + i + n);
                out.value.push_str(run);
            }
            i += n;
        }
    }
    if stray_cdata_end
        && raw.len() >= CDATA_OPEN.len() + CDATA_CLOSE.len()
        && raw.starts_with(CDATA_OPEN)
        && raw.ends_with(CDATA_CLOSE)
    {
        return lenient_cdata(raw, base);
    }
    if stray_cdata_end {
        out.issues.push((
            base,
            "cdata-end-in-text",
            "`]]>` in text is not valid XML: kept as written; escape it as `]]&gt;`".into(),
        ));
    }
    out.span = match (owned, slices.as_slice()) {
        (false, []) => Some(range.start..range.start),
        (false, [one]) => Some(one.clone()),
        _ => None,
    };
    out
}

/// A field that starts with `<![CDATA[` and ends with `]]>` but holds a bare `]]>`
/// inside: not XML, yet the WordPress importer's regex parser reads everything between
/// the outer markers (its test `crazy-cdata.xml` expects that), so we do the same.
fn lenient_cdata(raw: &str, base: usize) -> Decoded {
    let start = CDATA_OPEN.len();
    let inner = &raw[start..raw.len() - CDATA_CLOSE.len()];
    let split = "]]]]><![CDATA[>";
    let (value, span) = if inner.contains(split) {
        (inner.replace(split, CDATA_CLOSE), None)
    } else {
        (inner.to_owned(), Some(base + start..base + start + inner.len()))
    };
    let issue = (
        base,
        "cdata-end-in-cdata",
        "`]]>` inside a CDATA section is not valid XML (WordPress writes it as \
         `]]]]><![CDATA[>`): read from the first `<![CDATA[` to the last `]]>`, as the \
         WordPress importer's fallback parser does"
            .to_owned(),
    );
    Decoded { value, span, issues: vec![issue] }
}

/// Resolves the predefined entities and character references of `run` (at absolute
/// offset `base`). A reference that is unknown, malformed or names a character XML
/// forbids is kept as written and reported.
pub(super) fn unescape(
    run: &str,
    base: usize,
    issues: &mut Vec<(usize, &'static str, String)>,
) -> String {
    let mut out = String::with_capacity(run.len());
    let mut rest = run;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let offset = base + (run.len() - rest.len()) + amp;
        // Entity names are short; a ';' far away is not ours.
        let semi = after.find(';').filter(|&n| n <= 32);
        let resolved = semi.and_then(|n| resolve(&after[..n]));
        match (semi, resolved) {
            (Some(n), Some(c)) => {
                out.push(c);
                rest = &after[n + 1..];
            }
            (semi, _) => {
                let what = match semi {
                    Some(n) => format!("`&{};` is not an XML reference", &after[..n]),
                    None => "a bare `&`".to_owned(),
                };
                issues.push((
                    offset,
                    "bad-reference",
                    format!("{what}: kept as written; write `&amp;` or wrap the text in CDATA"),
                ));
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn resolve(name: &str) -> Option<char> {
    let code = match name {
        "amp" => return Some('&'),
        "lt" => return Some('<'),
        "gt" => return Some('>'),
        "quot" => return Some('"'),
        "apos" => return Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            match num.strip_prefix('x') {
                Some(hex)
                    if (1..=8).contains(&hex.len())
                        && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
                {
                    u32::from_str_radix(hex, 16).ok()?
                }
                None if (1..=10).contains(&num.len())
                    && num.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    num.parse().ok()?
                }
                _ => return None,
            }
        }
    };
    // XML 1.0 `Char`: no NUL, no C0 controls but tab/LF/CR, no surrogates, no U+FFFE/F.
    let ok = matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF);
    if ok { char::from_u32(code) } else { None }
}
