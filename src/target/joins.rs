//! Data joins of a mapping: records of a data file (`_data/defis.yml`) given to the pages
//! they describe, matched on a key (the page's URL, title, file name, or a field). A page's
//! own fields win over a record's; records that match no page are reported.

use super::SiteFiles;
use super::report::Note;
use crate::error::{Error, Location, Result};
use crate::mapping::Mapping;
use crate::model::{FrontMatter, FrontMatterFormat, Model, Page, Span};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A URL or path as a key: decoded, without `index.html`, `.html` or a trailing slash, so
/// that `/defis/2020/adex.html`, `/defis/2020/adex` and `/defis/2020/adex/` meet.
fn url_key(u: &str) -> String {
    let u = super::urls::decode(u.trim());
    let u = u.strip_suffix("index.html").unwrap_or(&u);
    let u = u.strip_suffix(".html").unwrap_or(u);
    u.trim_end_matches('/').to_string()
}

/// The page's value that a join matches.
fn page_value(page: &Page, on: &str) -> Option<String> {
    match on {
        "url" => Some(url_key(&page.url)),
        "title" => page.title.as_ref().map(|t| t.trim().to_string()),
        "path" => Some(page.path.clone()),
        "slug" => {
            let name = page.path.rsplit('/').next().unwrap_or(&page.path);
            let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
            let parts: Vec<&str> = stem.splitn(4, '-').collect();
            let dated = parts.len() == 4
                && parts[..3].iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
            Some(if dated { parts[3].to_string() } else { stem.to_string() })
        }
        _ => {
            let field = on.strip_prefix("field:")?;
            let fm = page.front_matter.as_ref()?.fields.get(field)?;
            text(fm).map(|s| s.trim().to_string())
        }
    }
}

/// A scalar as text (numbers and booleans as written).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    }
}

/// The records of a data file: (key in the map or index in the list, record).
fn records(value: Value) -> Vec<(String, Map<String, Value>)> {
    match value {
        Value::Object(m) => m
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::Object(mut r) => {
                    r.entry("_key").or_insert_with(|| Value::String(k.clone()));
                    Some((k, r))
                }
                _ => None,
            })
            .collect(),
        Value::Array(a) => a
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| match v {
                Value::Object(r) => Some((format!("#{}", i + 1), r)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The model with each join's records merged into the pages they match, and notes on
/// what matched; `None` when the mapping has no joins.
///
/// # Errors
/// When a join names a data file the site does not have, or one that does not parse.
pub fn apply(
    model: &Model,
    files: &mut dyn SiteFiles,
    mapping: &Mapping,
    notes: &mut Vec<Note>,
) -> Result<Option<Model>> {
    if mapping.joins.is_empty() {
        return Ok(None);
    }
    let mut model = model.clone();
    for join in &mapping.joins {
        let located = |msg: String| Error::Config {
            location: Location {
                path: mapping.origin.clone(),
                line: mapping.join_line(&join.data),
                column: 1,
            },
            msg,
        };
        if !model.files.iter().any(|f| f.path == join.data) {
            return Err(located(format!("join: the site has no data file `{}`", join.data)));
        }
        let bytes = files.read(&join.data)?;
        let content = String::from_utf8_lossy(&bytes);
        let parsed = match crate::source::data::parse(&join.data, &content) {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                return Err(located(format!(
                    "join: `{}` does not parse (line {}: {})",
                    join.data, e.line, e.message
                )));
            }
            None => {
                return Err(located(format!(
                    "join: `{}` is not a data file carton reads (YAML, JSON, CSV, TSV)",
                    join.data
                )));
            }
        };
        let records = records(parsed);
        // Record key -> record index; case-folded keys as a fallback.
        let mut exact: HashMap<String, usize> = HashMap::new();
        let mut folded: HashMap<String, usize> = HashMap::new();
        for (i, (_, r)) in records.iter().enumerate() {
            let Some(k) = r.get(&join.key).and_then(text) else { continue };
            let k = if join.on == "url" { url_key(&k) } else { k.trim().to_string() };
            folded.entry(k.to_lowercase()).or_insert(i);
            exact.entry(k).or_insert(i);
        }
        let mut used = vec![false; records.len()];
        let mut joined = 0;
        for page in &mut model.pages {
            if join.section.as_ref().is_some_and(|s| &page.section != s) {
                continue;
            }
            let Some(v) = page_value(page, &join.on) else { continue };
            let Some(&i) = exact.get(&v).or_else(|| folded.get(&v.to_lowercase())) else {
                continue;
            };
            used[i] = true;
            joined += 1;
            merge(page, &records[i].1, &join.fields);
        }
        let unmatched: Vec<&str> =
            records.iter().zip(&used).filter(|(_, u)| !**u).map(|((k, _), _)| k.as_str()).collect();
        notes.push(Note {
            path: join.data.clone(),
            line: 0,
            subject: "join".into(),
            message: format!(
                "{joined} page(s) joined with {} of its {} records on `{}` = page {}",
                records.len() - unmatched.len(),
                records.len(),
                join.key,
                join.on
            ),
        });
        for k in unmatched {
            notes.push(Note {
                path: join.data.clone(),
                line: 0,
                subject: k.to_string(),
                message: format!("this record matches no page on `{}`: not joined", join.key),
            });
        }
    }
    Ok(Some(model))
}

fn merge(page: &mut Page, record: &Map<String, Value>, only: &[String]) {
    let fm = page.front_matter.get_or_insert_with(|| FrontMatter {
        format: FrontMatterFormat::Yaml,
        span: Span { start: 0, end: 0, line: 1, column: 1 },
        fields: Value::Object(Map::new()),
    });
    let Some(fields) = fm.fields.as_object_mut() else { return };
    for (k, v) in record {
        if k == "_key" || (!only.is_empty() && !only.contains(k)) {
            continue;
        }
        fields.entry(k.clone()).or_insert_with(|| v.clone());
    }
}
