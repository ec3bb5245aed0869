//! Front matter rules of a mapping (drop, rename, values, defaults), on parsed fields, and
//! as span edits of the front matter text for targets that keep the source's syntax (Hugo).

use super::report::Note;
use crate::mapping::Fields;
use crate::model::FrontMatterFormat;
use serde_json::{Map, Value};

/// What applying the rules to a page's fields has to say.
#[derive(Debug, Default)]
pub struct FieldNotes {
    /// Fields left out by a `drop` rule.
    pub dropped: Vec<Note>,
    /// Values a rule could not convert (kept as written).
    pub kept: Vec<Note>,
}

/// Applies the rules to parsed fields; each dropped field, and each value a date rule could
/// not rewrite, is noted.
pub fn apply(
    fields: &Map<String, Value>,
    rules: Option<&Fields>,
    path: &str,
    notes: &mut FieldNotes,
) -> Map<String, Value> {
    let Some(rules) = rules else { return fields.clone() };
    let mut out = Map::new();
    for (k, v) in fields {
        if rules.drop.iter().any(|d| d == k) {
            notes.dropped.push(Note {
                path: path.into(),
                line: 0,
                subject: k.clone(),
                message: format!("dropped by the mapping (value: {})", short(v)),
            });
            continue;
        }
        let name = rules.rename.get(k).cloned().unwrap_or_else(|| k.clone());
        let mut value = match rules.values.get(&name) {
            Some(map) => map_value(v, map),
            None => v.clone(),
        };
        if let Some(format) = rules.dates.get(&name) {
            match value.as_str().map(|s| format.apply(s)) {
                Some(Ok(s)) => value = Value::String(s),
                Some(Err(why)) => notes.kept.push(Note {
                    path: path.into(),
                    line: 0,
                    subject: name.clone(),
                    message: format!("date rule not applied: {why}; kept as written"),
                }),
                None => notes.kept.push(Note {
                    path: path.into(),
                    line: 0,
                    subject: name.clone(),
                    message: format!(
                        "date rule not applied: {} is not a date; kept as written",
                        short(v)
                    ),
                }),
            }
        }
        out.insert(name, value);
    }
    for (k, v) in &rules.defaults {
        if !out.contains_key(k) {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

fn map_value(v: &Value, map: &indexmap::IndexMap<String, Value>) -> Value {
    match v {
        Value::String(s) => map.get(s).cloned().unwrap_or_else(|| v.clone()),
        // Numbers and booleans are matched by how they are written (`promotion: 4`).
        Value::Number(_) | Value::Bool(_) => {
            map.get(&v.to_string()).cloned().unwrap_or_else(|| v.clone())
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| map_value(i, map)).collect()),
        _ => v.clone(),
    }
}

/// A page's front matter as a target starts from it: its fields with the rules applied
/// (what they drop or cannot convert reported at the front matter's line), the front
/// matter's text when it does not parse (to carry it raw), and that line.
pub fn page_fields(
    page: &crate::model::Page,
    text: &str,
    rules: Option<&Fields>,
    report: &mut super::report::Report,
) -> (Map<String, Value>, Option<String>, usize) {
    let fm = page.front_matter.as_ref();
    let line = fm.map_or(1, |f| f.span.line);
    let raw = fm
        .filter(|f| !f.fields.is_object())
        .map(|f| text.get(f.span.range()).unwrap_or_default().to_string());
    let own = fm.and_then(|f| f.fields.as_object()).cloned().unwrap_or_default();
    let mut notes = FieldNotes::default();
    let fields = apply(&own, rules, &page.path, &mut notes);
    for n in notes.dropped.iter_mut().chain(&mut notes.kept) {
        n.line = line;
    }
    report.fields_dropped.extend(notes.dropped);
    report.notes.extend(notes.kept);
    (fields, raw, line)
}

/// A value, shortened for a report.
pub fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s
    }
}

/// Edits the front matter text (`fm`, between and without its fences) so that only what the
/// rules touch changes: renamed keys, mapped values, dropped keys, added defaults. Returns
/// `None` when the text cannot be edited in place (JSON front matter, a key written in a form
/// this editor does not follow); the caller then writes the fields afresh.
pub fn edit_in_place(
    fm: &str,
    format: FrontMatterFormat,
    fields: &Map<String, Value>,
    rules: &Fields,
) -> Option<String> {
    if format == FrontMatterFormat::Json {
        return None;
    }
    let (keys, tail) = top_level_keys(fm, format);
    // Every key the parser saw must be found, or the text is not understood well enough.
    // TOML tables (`[params]`, `[[menu.main]]`) are keys too, kept in the tail as written.
    let tables: Vec<&str> = fm[tail..]
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('['))
        .map(|l| {
            l.trim_start_matches('[')
                .split([']', '.'])
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"')
        })
        .collect();
    if fields.keys().any(|k| !keys.iter().any(|e| e.key == *k) && !tables.contains(&k.as_str())) {
        return None;
    }
    let mut out = String::with_capacity(fm.len() + 64);
    for e in &keys {
        let text = &fm[e.start..e.end];
        if rules.drop.contains(&e.key) {
            continue;
        }
        let new_name = rules.rename.get(&e.key);
        let name = new_name.unwrap_or(&e.key);
        let mut text = match new_name {
            Some(n) => {
                format!("{}{}{}", &text[..e.key_start - e.start], n, &text[e.key_end - e.start..])
            }
            None => text.to_string(),
        };
        if let Some(map) = rules.values.get(name) {
            text = map_scalars(&text, map, format);
        }
        if let Some(date) = rules.dates.get(name)
            && let Some(Ok(new)) = fields.get(&e.key).and_then(Value::as_str).map(|d| date.apply(d))
        {
            text = replace_scalar(&text, e.key_end - e.start, &new, format)?;
        }
        out.push_str(&text);
    }
    // Text before the first key (comments) stays first.
    let head_end = keys.first().map_or(fm.len(), |e| e.start);
    let mut out = format!("{}{out}", &fm[..head_end]);
    for (k, v) in &rules.defaults {
        // The key as it stands after the rules: kept (maybe renamed), not dropped.
        let present = keys.iter().any(|e| {
            rules.rename.get(&e.key).unwrap_or(&e.key) == k && !rules.drop.contains(&e.key)
        });
        if !present {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&match format {
                FrontMatterFormat::Toml => format!("{k} = {}\n", toml_scalar(v)?),
                _ => format!("{k}: {}\n", serde_json::to_string(v).ok()?),
            });
        }
    }
    // TOML tables (and what follows them) stay after the top-level keys.
    out.push_str(&fm[tail..]);
    Some(out)
}

/// A one-line key's value (the text after the key, at `key_end`) replaced by `new`; `None`
/// when the value spans lines.
fn replace_scalar(
    text: &str,
    key_end: usize,
    new: &str,
    format: FrontMatterFormat,
) -> Option<String> {
    let body = text.trim_end_matches(['\n', '\r']);
    if body.contains('\n') {
        return None;
    }
    let eol = &text[body.len()..];
    let sep = if format == FrontMatterFormat::Toml { '=' } else { ':' };
    let at = key_end + body[key_end..].find(sep)? + 1;
    let value = match format {
        // A TOML datetime is written bare; anything else is a string.
        FrontMatterFormat::Toml if new.parse::<toml::value::Datetime>().is_ok() => new.to_string(),
        FrontMatterFormat::Toml => Value::String(new.into()).to_string(),
        _ => yaml_plain(new),
    };
    // The old value was a date (the rule read it), so a ` #` after it starts a comment.
    let comment = body[at..].find(" #").map_or("", |i| &body[at + i..]);
    Some(format!("{} {value}{comment}{eol}", &body[..at]))
}

fn toml_scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(_) | Value::Bool(_) | Value::Number(_) => Some(v.to_string()),
        Value::Array(items) => {
            let parts: Option<Vec<String>> = items.iter().map(toml_scalar).collect();
            Some(format!("[{}]", parts?.join(", ")))
        }
        _ => None,
    }
}

/// Replaces scalar values in a key's text (`key: old`, `- old`, `key = "old"`, list items).
fn map_scalars(
    text: &str,
    map: &indexmap::IndexMap<String, Value>,
    format: FrontMatterFormat,
) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let eol = &line[body.len()..];
        let mut replaced = None;
        for (old, new) in map {
            let new_s = match new {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            for q in ["", "\"", "'"] {
                let token = format!("{q}{old}{q}");
                let quoted_new = if q.is_empty() && format == FrontMatterFormat::Toml {
                    format!("\"{new_s}\"")
                } else if q.is_empty() {
                    yaml_plain(&new_s)
                } else {
                    format!("{q}{new_s}{q}")
                };
                let trimmed = body.trim_end();
                // An item alone on its line (of a multi-line array).
                let lead = body.len() - body.trim_start().len();
                if let Some(after) = trimmed[lead..].strip_prefix(token.as_str())
                    && !q.is_empty()
                    && (after.is_empty() || after.starts_with([',', ']']))
                {
                    let end = lead + token.len();
                    replaced = Some(format!("{}{}{}", &body[..lead], quoted_new, &body[end..]));
                    break;
                }
                // `- old`, `key: old`, `key = old`, or an item of a flow list.
                for sep in ["- ", ": ", "= ", "[", ", "] {
                    if let Some(i) = trimmed.find(&format!("{sep}{token}")) {
                        let start = i + sep.len();
                        let end = start + token.len();
                        let after = &trimmed[end..];
                        if after.is_empty() || after.starts_with([',', ']', ' ', '#']) {
                            replaced =
                                Some(format!("{}{}{}", &body[..start], quoted_new, &body[end..]));
                            break;
                        }
                    }
                }
                if replaced.is_some() {
                    break;
                }
            }
            if replaced.is_some() {
                break;
            }
        }
        out.push_str(replaced.as_deref().unwrap_or(body));
        out.push_str(eol);
    }
    out
}

/// A YAML plain scalar, quoted when plain would change its meaning.
fn yaml_plain(s: &str) -> String {
    let needs = s.is_empty()
        || s.starts_with([
            ' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"',
            '%', '@', '`',
        ])
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(' ')
        || matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "null" | "~" | "on" | "off"
        )
        || s.parse::<f64>().is_ok();
    if needs { serde_json::Value::String(s.into()).to_string() } else { s.to_string() }
}

struct KeyExtent {
    key: String,
    start: usize,
    key_start: usize,
    key_end: usize,
    end: usize,
}

/// The top-level keys of YAML or TOML front matter, each with the extent of its text (its
/// line and the continuation lines under it), and where the text after them starts (the
/// first TOML table; the end for YAML).
fn top_level_keys(fm: &str, format: FrontMatterFormat) -> (Vec<KeyExtent>, usize) {
    let mut keys: Vec<KeyExtent> = Vec::new();
    let mut tail = fm.len();
    let mut offset = 0;
    let mut in_table = false;
    for line in fm.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let found = match format {
            FrontMatterFormat::Toml => {
                let t = line.trim_start();
                if t.starts_with('[')
                    && !in_table
                    && !keys.last().is_some_and(|k| open_bracket(&fm[k.start..start]))
                {
                    in_table = true;
                    tail = start;
                }
                if in_table { None } else { toml_key(line) }
            }
            _ => yaml_key(line),
        };
        if let Some((k, ks, ke)) = found
            && !(format == FrontMatterFormat::Toml
                && keys.last().is_some_and(|k| open_bracket(&fm[k.start..start])))
        {
            if let Some(last) = keys.last_mut() {
                last.end = start;
            }
            keys.push(KeyExtent {
                key: k,
                start,
                key_start: start + ks,
                key_end: start + ke,
                end: offset,
            });
        } else if let Some(last) = keys.last_mut()
            && !in_table
        {
            last.end = offset;
        }
    }
    if let Some(last) = keys.last_mut()
        && !in_table
    {
        last.end = last.end.max(last.start);
    }
    (keys, tail)
}

/// Whether a TOML key's text so far leaves a bracket open (a multi-line array).
fn open_bracket(text: &str) -> bool {
    let mut depth = 0i32;
    let mut in_str = None;
    for c in text.chars() {
        match (in_str, c) {
            (Some(q), c) if c == q => in_str = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => in_str = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '#') => break,
            _ => {}
        }
    }
    depth > 0
}

fn yaml_key(line: &str) -> Option<(String, usize, usize)> {
    if line.starts_with([' ', '\t', '-', '#', '\n', '\r']) || line.starts_with("...") {
        return None;
    }
    let (key, ks, ke) = quoted_or_bare(line, ':')?;
    let after = &line[ke..];
    let after = after.trim_start_matches([' ', '\t']);
    after.starts_with(':').then_some((key, ks, ke))
}

fn toml_key(line: &str) -> Option<(String, usize, usize)> {
    let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
    let t = &line[lead..];
    if t.starts_with(['#', '\n', '\r', '[']) || t.is_empty() {
        return None;
    }
    let (key, ks, ke) = quoted_or_bare(t, '=')?;
    let after = t[ke..].trim_start_matches([' ', '\t']);
    after.starts_with('=').then_some((key, lead + ks, lead + ke))
}

fn quoted_or_bare(s: &str, sep: char) -> Option<(String, usize, usize)> {
    if let Some(q) = s.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let end = s[1..].find(q)? + 1;
        return Some((s[1..end].to_string(), 0, end + 1));
    }
    let end = s.find(sep)?;
    let key = s[..end].trim_end();
    if key.is_empty() || key.contains(['#', '{', '[']) {
        return None;
    }
    Some((key.to_string(), 0, key.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn rules() -> Fields {
        let mut f = Fields::default();
        f.rename.insert("who".into(), "administration".into());
        f.drop.push("isSET".into());
        let mut vm = IndexMap::new();
        vm.insert("Développement".into(), Value::String("Dev".into()));
        f.values.insert("expertises".into(), vm);
        f.defaults.insert("layout".into(), Value::String("defi".into()));
        f
    }

    fn parse_yaml(s: &str) -> Map<String, Value> {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn yaml_edits_touch_only_what_the_rules_name() {
        let fm = "# comment\ntitle: 'A: b'\nwho: Cour de Cassation\nexpertises:\n  - Développement\n  - Design\nisSET: true\ndesc: >+\n  long\n\n";
        let out = edit_in_place(fm, FrontMatterFormat::Yaml, &parse_yaml(fm), &rules()).unwrap();
        assert_eq!(
            out,
            "# comment\ntitle: 'A: b'\nadministration: Cour de Cassation\nexpertises:\n  - Dev\n  - Design\ndesc: >+\n  long\n\nlayout: \"defi\"\n"
        );
        let reparsed = parse_yaml(&out);
        assert_eq!(reparsed["desc"], "long\n\n");
    }

    #[test]
    fn toml_edits_keep_tables_and_multiline_arrays() {
        let fm = "title = \"x\"\nwho = \"Cour\"\nexpertises = [\n  \"Développement\",\n]\n[params]\nwho = \"inner\"\n";
        let fields: Map<String, Value> = toml::from_str::<toml::Value>(fm)
            .map(|v| serde_json::to_value(v).unwrap())
            .unwrap()
            .as_object()
            .unwrap()
            .clone();
        let out = edit_in_place(fm, FrontMatterFormat::Toml, &fields, &rules()).unwrap();
        assert!(
            out.starts_with(
                "title = \"x\"\nadministration = \"Cour\"\nexpertises = [\n  \"Dev\",\n]\n"
            ),
            "{out}"
        );
        assert!(out.contains("[params]\nwho = \"inner\"\n"), "{out}");
    }

    #[test]
    fn parsed_fields_follow_the_same_rules() {
        let fields = parse_yaml("who: A\nisSET: true\nexpertises: [Développement]\n");
        let mut notes = FieldNotes::default();
        let out = apply(&fields, Some(&rules()), "p.md", &mut notes);
        assert_eq!(
            serde_json::to_string(&out).unwrap(),
            r#"{"administration":"A","expertises":["Dev"],"layout":"defi"}"#
        );
        assert_eq!(notes.dropped.len(), 1);
        assert_eq!(notes.dropped[0].subject, "isSET");
    }

    #[test]
    fn date_rules_rewrite_the_value_in_place_and_keep_what_they_cannot_read() {
        let mut rules = Fields::default();
        let day = crate::mapping::dates::DateFormat::parse("[year]-[month]-[day]").unwrap();
        rules.dates.insert("date".into(), day.clone());
        rules.dates.insert("lastmod".into(), day);
        let fm = "date: 2021-10-26T14:17:50.048Z # published\nlastmod: soon\n";
        let fields = parse_yaml(fm);
        let out = edit_in_place(fm, FrontMatterFormat::Yaml, &fields, &rules).unwrap();
        assert_eq!(out, "date: 2021-10-26 # published\nlastmod: soon\n");
        let mut notes = FieldNotes::default();
        let mapped = apply(&fields, Some(&rules), "p.md", &mut notes);
        assert_eq!(mapped["date"], "2021-10-26");
        assert_eq!(mapped["lastmod"], "soon");
        assert_eq!((notes.kept.len(), notes.kept[0].subject.as_str()), (1, "lastmod"));
        // TOML: a date is written bare, as a TOML date; other formats as strings.
        let fm = "title = \"x\"\ndate = 2021-10-26T14:17:50Z\n";
        let mut fields = Map::new();
        fields.insert("title".into(), Value::String("x".into()));
        fields.insert("date".into(), Value::String("2021-10-26T14:17:50Z".into()));
        let out = edit_in_place(fm, FrontMatterFormat::Toml, &fields, &rules).unwrap();
        assert_eq!(out, "title = \"x\"\ndate = 2021-10-26\n");
        rules.dates.insert(
            "date".into(),
            crate::mapping::dates::DateFormat::parse("[day]/[month]/[year]").unwrap(),
        );
        let out = edit_in_place(fm, FrontMatterFormat::Toml, &fields, &rules).unwrap();
        assert_eq!(out, "title = \"x\"\ndate = \"26/10/2021\"\n");
    }
}
