//! Splits a page into front matter and body, and parses the front matter (YAML, TOML or
//! JSON) into JSON values. Split first, parse second: a page whose front matter does not
//! parse still has a body, and is carried raw with the parser's message and position.

use crate::model::{FrontMatterFormat, LineIndex};
use serde_json::{Map, Value};
use std::ops::Range;

/// A front matter block found at the start of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFrontMatter {
    /// The syntax, from the opening fence.
    pub format: FrontMatterFormat,
    /// The whole block, fences and the newline after the closing fence included.
    pub block: Range<usize>,
    /// The data between the fences (for JSON, the object itself).
    pub data: Range<usize>,
}

/// A front matter that could not be read, with its position in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    /// 1-based line in the file.
    pub line: usize,
    /// 1-based column in the file (0 when unknown).
    pub column: usize,
    /// The parser's message.
    pub message: String,
}

/// Finds the front matter at the start of `text` (after an optional BOM and blank lines).
/// Returns `Ok(None)` for a page without front matter, `Err` for an opening fence that is
/// never closed and for a page that starts with a Hugo shortcode (`{{<` or `{{%`: Hugo takes
/// its `{` for JSON front matter and stops the build).
pub fn split(text: &str) -> Result<Option<RawFrontMatter>, SplitError> {
    let start = text.strip_prefix('\u{feff}').map_or(0, |_| 3);
    let rest = &text[start..];
    let lead = rest.len() - rest.trim_start().len();
    let open = start + lead;
    let first = text.as_bytes().get(open).copied();
    match first {
        Some(b'-') => fenced(text, open, "---", FrontMatterFormat::Yaml),
        Some(b'+') => fenced(text, open, "+++", FrontMatterFormat::Toml),
        Some(b'{') if text[open..].starts_with("{{<") || text[open..].starts_with("{{%") => {
            Err(shortcode_first(text, open))
        }
        Some(b'{') => json_object(text, open),
        _ => Ok(None),
    }
}

/// A page whose first character is the `{` of a shortcode (`{{<` or `{{%`). Hugo's page
/// lexer (`parser/pageparser/pagelexer_intro.go`, `lexIntroSection`) takes any leading `{`
/// for JSON front matter, brace-matches it, and the build stops ("unmarshal failed: invalid
/// character '{' looking for beginning of object key string", Hugo 0.111 and 0.168). No
/// JSON object starts with `{{`, so the page has no front matter: it is carried raw, its
/// whole text the body, with its shortcodes parsed as usual, and reported.
fn shortcode_first(text: &str, open: usize) -> SplitError {
    let (line, column) = LineIndex::new(text).locate(open);
    let delim = &text[open..open + 3];
    SplitError {
        line,
        column,
        message: format!(
            "the page starts with the shortcode `{delim}`: Hugo reads a leading `{{` as JSON \
             front matter and stops the build; add front matter before it (`---` and `---` \
             lines, even empty)"
        ),
    }
}

/// A block between two fence lines (`---` or `+++`), the closing one alone on its line.
fn fenced(
    text: &str,
    open: usize,
    fence: &str,
    format: FrontMatterFormat,
) -> Result<Option<RawFrontMatter>, SplitError> {
    let after_fence = &text[open..];
    let Some(first_line_end) = after_fence.find('\n') else {
        // A lone `---` with nothing after it: a thematic break, not front matter.
        return Ok(None);
    };
    if after_fence[..first_line_end].trim_end() != fence {
        return Ok(None);
    }
    let data_start = open + first_line_end + 1;
    let mut pos = data_start;
    while pos <= text.len() {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = text[pos..line_end].trim_end_matches('\r');
        if line.trim_end() == fence {
            let block_end = (line_end + 1).min(text.len());
            return Ok(Some(RawFrontMatter {
                format,
                block: open..block_end,
                data: data_start..pos,
            }));
        }
        if line_end == text.len() {
            break;
        }
        pos = line_end + 1;
    }
    let (line, column) = LineIndex::new(text).locate(open);
    Err(SplitError {
        line,
        column,
        message: format!(
            "front matter opened with `{fence}` is never closed: add a `{fence}` line after the last field"
        ),
    })
}

/// A JSON object at the start of the page: brace-matched, strings respected.
fn json_object(text: &str, open: usize) -> Result<Option<RawFrontMatter>, SplitError> {
    let bytes = text.as_bytes();
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    let mut end = i + 1;
                    // The body starts on the line after the closing brace.
                    if let Some(nl) = text[end..].find('\n')
                        && text[end..end + nl].trim().is_empty()
                    {
                        end += nl + 1;
                    }
                    return Ok(Some(RawFrontMatter {
                        format: FrontMatterFormat::Json,
                        block: open..end,
                        data: open..i + 1,
                    }));
                }
            }
            _ => {}
        }
    }
    let (line, column) = LineIndex::new(text).locate(open);
    Err(SplitError {
        line,
        column,
        message: "JSON front matter opened with `{` is never closed: check its braces and quotes"
            .into(),
    })
}

/// Parses the data of a front matter block into a JSON object, keys in source order.
/// Errors carry the line and column in the whole file.
pub fn parse(text: &str, fm: &RawFrontMatter) -> Result<Value, SplitError> {
    let data = &text[fm.data.clone()];
    let index = LineIndex::new(text);
    let (base_line, _) = index.locate(fm.data.start);
    let at_offset = |offset: usize, message: String| {
        let (line, column) = index.locate(fm.data.start + offset);
        SplitError { line, column, message }
    };
    let value = match fm.format {
        FrontMatterFormat::Yaml => {
            if data.trim().is_empty() {
                return Ok(Value::Object(Map::new()));
            }
            serde_yaml::from_str::<serde_yaml::Value>(data)
                .map_err(|e| {
                    let message = strip_position(&e.to_string());
                    // From the byte index, not serde_yaml's line: YAML also breaks lines
                    // at a lone CR, NEL, U+2028 and U+2029, which no editor's line
                    // number (nor `LineIndex`) counts.
                    let (line, column) = duplicate_key_line(data, &message)
                        .map(|l| (base_line + l - 1, 1))
                        .or_else(|| {
                            e.location()
                                .map(|l| index.locate(fm.data.start + l.index().min(data.len())))
                        })
                        .unwrap_or((base_line, 0));
                    SplitError { line, column, message: format!("YAML front matter: {message}") }
                })
                .and_then(|v| {
                    yaml_to_json(v).map_err(|m| SplitError {
                        line: base_line,
                        column: 0,
                        message: m,
                    })
                })?
        }
        FrontMatterFormat::Toml => toml::from_str::<toml::Table>(data)
            .map(|t| toml_to_json(toml::Value::Table(t)))
            .map_err(|e| {
                let offset = e.span().map_or(0, |s| s.start);
                at_offset(offset, format!("TOML front matter: {}", e.message()))
            })?,
        FrontMatterFormat::Json => {
            let json_error = |e: serde_json::Error| SplitError {
                line: base_line + e.line().saturating_sub(1),
                column: e.column(),
                message: format!("JSON front matter: {}", strip_position(&e.to_string())),
            };
            let value = serde_json::from_str::<Value>(data).map_err(json_error)?;
            // serde_json keeps the last of two equal keys; YAML refuses them, and so do we.
            if let Err(e) = no_duplicate_keys(data) {
                let mut e = json_error(e);
                e.column = key_column(data, e.line + 1 - base_line, e.column);
                return Err(e);
            }
            value
        }
    };
    match value {
        Value::Object(_) => Ok(value),
        Value::Null => Ok(Value::Object(Map::new())),
        other => Err(SplitError {
            line: base_line,
            column: 1,
            message: format!(
                "front matter must be a mapping of fields, found {}: write `key: value` lines",
                kind_name(&other)
            ),
        }),
    }
}

/// serde_yaml places a duplicate key at the start of its mapping; the second occurrence of
/// the key is where the author has to look.
fn duplicate_key_line(data: &str, message: &str) -> Option<usize> {
    let key = message.strip_prefix("duplicate entry with key \"")?.split('"').next()?;
    let mut seen = 0;
    for (i, line) in data.lines().enumerate() {
        let t = line.trim_start();
        let is_key = t.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))
            || t.strip_prefix(&format!("\"{key}\""))
                .is_some_and(|r| r.trim_start().starts_with(':'));
        if is_key {
            seen += 1;
            if seen == 2 {
                return Some(i + 1);
            }
        }
    }
    None
}

/// Reads the JSON `data` again (it parsed already), failing at the first key repeated in
/// one object with serde's "duplicate entry with key" message, at the line and column of
/// the second occurrence.
fn no_duplicate_keys(data: &str) -> Result<(), serde_json::Error> {
    use serde::Deserialize;
    let mut de = serde_json::Deserializer::from_str(data);
    UniqueKeys::deserialize(&mut de)?;
    de.end()
}

/// Any JSON value whose objects hold each key once.
struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate entry with key {key:?}"
                )));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(self)
    }
}

/// serde_json places an error found after a key at its closing quote (`column`, 1-based, in
/// bytes, on line `line` of `data`); the key's opening quote is where to look.
fn key_column(data: &str, line: usize, column: usize) -> usize {
    let Some(text) = data.lines().nth(line.saturating_sub(1)) else { return column };
    let (mut in_string, mut escaped, mut key_start) = (false, false, None);
    // serde_json counts bytes; columns in problems count characters.
    for (i, (byte, c)) in text.char_indices().enumerate() {
        if byte + 1 >= column {
            break;
        }
        match (in_string, escaped, c) {
            (true, true, _) => escaped = false,
            (true, false, '\\') => escaped = true,
            (true, false, '"') => in_string = false,
            (false, _, '"') => {
                in_string = true;
                key_start = Some(i + 1);
            }
            _ => {}
        }
    }
    key_start.unwrap_or(column)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// Parsers append "at line X column Y" to their message; we print our own position.
fn strip_position(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// YAML to JSON: scalar keys become strings; tags are dropped, keeping the value.
fn yaml_to_json(v: serde_yaml::Value) -> Result<Value, String> {
    use serde_yaml::Value as Y;
    Ok(match v {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or_else(|| Value::String(n.to_string()), Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(seq) => {
            Value::Array(seq.into_iter().map(yaml_to_json).collect::<Result<_, _>>()?)
        }
        Y::Mapping(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Bool(b) => b.to_string(),
                    Y::Number(n) => n.to_string(),
                    Y::Null => "null".into(),
                    other => {
                        return Err(format!(
                            "YAML front matter: unsupported key {other:?}: use plain text keys"
                        ));
                    }
                };
                out.insert(key, yaml_to_json(v)?);
            }
            Value::Object(out)
        }
        Y::Tagged(t) => yaml_to_json(t.value)?,
    })
}

/// TOML to JSON: datetimes become their RFC 3339 text.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Parses a whole configuration file (TOML, YAML or JSON) into JSON, with its position on error.
pub fn parse_config(text: &str, format: FrontMatterFormat) -> Result<Value, SplitError> {
    let fm = RawFrontMatter { format, block: 0..text.len(), data: 0..text.len() };
    parse(text, &fm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> (FrontMatterFormat, &str, &str) {
        let f = split(text).unwrap().unwrap();
        (f.format, &text[f.data.clone()], &text[f.block.end..])
    }

    #[test]
    fn splits_the_three_syntaxes() {
        assert_eq!(fm("---\ntitle: a\n---\nbody"), (FrontMatterFormat::Yaml, "title: a\n", "body"));
        assert_eq!(
            fm("+++\ntitle = 'a'\n+++\nbody"),
            (FrontMatterFormat::Toml, "title = 'a'\n", "body")
        );
        assert_eq!(
            fm("{\"title\": \"}\"}\nbody"),
            (FrontMatterFormat::Json, "{\"title\": \"}\"}", "body")
        );
    }

    #[test]
    fn handles_bom_crlf_and_leading_blank_lines() {
        let text = "\u{feff}\r\n---\r\ntitle: a\r\n---\r\nbody";
        let (format, data, body) = fm(text);
        assert_eq!(format, FrontMatterFormat::Yaml);
        assert_eq!(data, "title: a\r\n");
        assert_eq!(body, "body");
    }

    #[test]
    fn no_front_matter_and_thematic_breaks() {
        assert_eq!(split("# Title\n---\n").unwrap(), None);
        assert_eq!(split("---").unwrap(), None);
        assert_eq!(split("----\nx\n----\n").unwrap(), None);
        assert_eq!(split("").unwrap(), None);
    }

    #[test]
    fn unclosed_fence_is_an_error_at_the_fence() {
        let e = split("\n---\ntitle: a\nbody").unwrap_err();
        assert_eq!((e.line, e.column), (2, 1));
        assert!(e.message.contains("never closed"), "{}", e.message);
        assert!(split("{\"a\": 1").is_err());
    }

    #[test]
    fn parse_errors_carry_the_line_in_the_file() {
        let text = "---\ntitle: a\ntags: [x\n---\n";
        let f = split(text).unwrap().unwrap();
        let e = parse(text, &f).unwrap_err();
        assert!(e.line >= 3, "line {}", e.line);
        let text = "+++\ntitle = 'a'\nbad = \n+++\n";
        let e = parse(text, &split(text).unwrap().unwrap()).unwrap_err();
        assert_eq!(e.line, 3);
        let text = "---\na: 1\nb: [x]\na: 2\n---\n";
        let e = parse(text, &split(text).unwrap().unwrap()).unwrap_err();
        assert!(e.message.contains("duplicate"), "{}", e.message);
        assert_eq!(e.line, 4, "the second `a:` is on line 4 of the file");
    }

    #[test]
    fn json_duplicate_keys_are_an_error_at_the_second() {
        let text = "{\n  \"title\": \"a\",\n  \"tags\": [1],\n  \"title\": \"b\"\n}\nbody";
        let e = parse(text, &split(text).unwrap().unwrap()).unwrap_err();
        assert!(e.message.contains("duplicate entry with key \"title\""), "{}", e.message);
        assert_eq!((e.line, e.column), (4, 3), "the second `\"title\"` is at 4:3");
        // In a nested object too, after a key with a non-ASCII name and an escaped quote.
        let text = "\n{\"a\": {\"q\\\"\": 1,\n \"é\": 2, \"é\": 3}}\n";
        let e = parse(text, &split(text).unwrap().unwrap()).unwrap_err();
        assert!(e.message.contains("\"é\""), "{}", e.message);
        assert_eq!((e.line, e.column), (3, 10));
        // Equal keys in different objects, and equal values, are fine.
        let text = "{\"a\": {\"k\": 1}, \"b\": {\"k\": 1}, \"c\": [{\"k\": 1}, {\"k\": 1}]}";
        assert!(parse(text, &split(text).unwrap().unwrap()).is_ok());
    }

    #[test]
    fn a_page_starting_with_a_shortcode_has_no_json_front_matter() {
        for text in ["{{% notice %}}\nhi\n{{% /notice %}}\n", "\u{feff}\n {{< youtube abc >}}\n"] {
            let e = split(text).unwrap_err();
            assert!(e.message.contains("starts with the shortcode"), "{}", e.message);
            assert_eq!(e.line, if text.starts_with('{') { 1 } else { 2 });
        }
        // `{ {` and `{"a": "{{<"}` are no shortcode.
        assert!(split("{ {\"a\": 1}}\n").unwrap().is_some());
        assert!(split("{\"a\": \"{{<\"}\nx").unwrap().is_some());
    }

    /// Found by fuzzing (`fuzz/`, target front_matter): YAML counts each lone CR as a line
    /// break, so serde_yaml's line was past the end of this 6-line file.
    #[test]
    fn yaml_error_line_ignores_lone_carriage_returns() {
        let text = format!("---\na: 1\n2:6t{}i&: 1\n2:6t: 4\n---\n", "\r".repeat(100));
        let e = parse(&text, &split(&text).unwrap().unwrap()).unwrap_err();
        assert!((2..=5).contains(&e.line), "line {} of a 6-line file", e.line);
    }

    #[test]
    fn values_keep_source_order_and_toml_dates_become_text() {
        let text = "+++\nz = 1\na = 2024-02-02T04:14:54-08:00\n+++\n";
        let v = parse(text, &split(text).unwrap().unwrap()).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["z", "a"]);
        assert_eq!(v["a"], "2024-02-02T04:14:54-08:00");
    }

    #[test]
    fn scalar_front_matter_is_rejected() {
        let text = "---\njust text\n---\n";
        assert!(parse(text, &split(text).unwrap().unwrap()).is_err());
        let text = "---\n---\nbody";
        assert_eq!(parse(text, &split(text).unwrap().unwrap()).unwrap(), serde_json::json!({}));
    }
}
