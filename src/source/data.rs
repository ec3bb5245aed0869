//! Data files as generators read them (Jekyll's `_data/`, Hugo's `data/`): YAML, JSON, and
//! CSV or TSV with a header row, which become a list of records, as Jekyll reads them.

use serde_json::{Map, Value};

/// Why a data file does not parse: 1-based line and column (0 when unknown), and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataError {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Whether carton reads this file name as data (by its extension).
pub fn is_data(path: &str) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(ext.as_str(), "yml" | "yaml" | "json" | "csv" | "tsv")
}

/// Parses a data file by its extension. `None` for a file that is not data.
pub fn parse(path: &str, text: &str) -> Option<Result<Value, DataError>> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    Some(match ext.as_str() {
        // Read once as YAML's own value, which refuses duplicate keys (a JSON map would keep
        // the last silently), then as the value carton works with.
        "yml" | "yaml" => serde_yaml::from_str::<serde_yaml::Value>(text)
            .and_then(|_| serde_yaml::from_str::<Value>(text))
            .map_err(|e| {
                let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
                DataError { line, column, message: e.to_string() }
            }),
        "json" => serde_json::from_str::<Value>(text).map_err(|e| DataError {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }),
        "csv" => table(text, ','),
        "tsv" => table(text, '\t'),
        _ => return None,
    })
}

/// A CSV (RFC 4180: quoted fields, `""` for a quote, line breaks inside quotes) or TSV text
/// with a header row, as a list of records keyed by the header's names.
fn table(text: &str, sep: char) -> Result<Value, DataError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1;
    let mut row_line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            '\n' if quoted => {
                line += 1;
                field.push('\n');
            }
            c if c == sep && !quoted => row.push(std::mem::take(&mut field)),
            '\r' if !quoted && chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push((row_line, std::mem::take(&mut row)));
                line += 1;
                row_line = line;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(DataError {
            line: row_line,
            column: 0,
            message: "a quoted field is not closed".into(),
        });
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push((row_line, row));
    }
    rows.retain(|(_, r)| !(r.len() == 1 && r[0].is_empty()));
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else { return Ok(Value::Array(Vec::new())) };
    let mut out = Vec::new();
    for (n, r) in rows {
        if r.len() > header.len() {
            return Err(DataError {
                line: n,
                column: 0,
                message: format!("{} fields, but the header names {}", r.len(), header.len()),
            });
        }
        let record: Map<String, Value> = header
            .iter()
            .zip(r.into_iter().map(Value::String).chain(std::iter::repeat(Value::Null)))
            .map(|(k, v)| (k.clone(), v))
            .collect();
        out.push(Value::Object(record));
    }
    Ok(Value::Array(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_and_tsv_become_records_as_jekyll_reads_them() {
        let v = parse(
            "_data/p.csv",
            "name,role\nada,\"engineer, \"\"lead\"\"\"\nbob,\"multi\nline\"\n",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"name": "ada", "role": "engineer, \"lead\""},
                {"name": "bob", "role": "multi\nline"}
            ])
        );
        let v = parse("p.tsv", "a\tb\r\n1\t2\r\n3\n").unwrap().unwrap();
        assert_eq!(v, serde_json::json!([{"a": "1", "b": "2"}, {"a": "3", "b": null}]));
        let e = parse("p.csv", "a,b\n1,2\n1,2,3\n").unwrap().unwrap_err();
        assert_eq!(e.line, 3);
        let e = parse("p.csv", "a\n\"open\n").unwrap().unwrap_err();
        assert!(e.message.contains("not closed"));
        assert!(parse("p.png", "").is_none());
        let e = parse("d.yml", "a: 1\nb: 2\na: 3\n").unwrap().unwrap_err();
        assert!(e.message.contains("duplicate"), "{e:?}");
        assert!(is_data("x/Y.YML") && !is_data("x.md"));
    }
}
