//! Reads a Decap CMS (ex-Netlify CMS) `admin/config.yml`: its collections, their fields and
//! widgets. Relation fields are resolved into links between pages; values that match no
//! entry, and required fields a page lacks, are reported.

use super::hugo::{problem, scalar_text};
use super::split;
use super::walk::SourceFile;
use crate::model::{
    Collection, CollectionFile, ContentSchema, Field, FileRole, FrontMatterFormat, LineIndex,
    Model, Page, Relation, Severity,
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Reads the site's Decap configuration, if it has one, and resolves relations in `model`.
pub fn read(root: &Path, files: &[SourceFile], model: &mut Model) -> Option<ContentSchema> {
    let config = files.iter().find(|f| {
        (f.rel.ends_with("/admin/config.yml")
            || f.rel.ends_with("/admin/config.yaml")
            || f.rel == "admin/config.yml")
            && model.site.static_dirs.iter().any(|d| {
                f.rel.starts_with(&format!("{d}/"))
                    || !f.rel.contains('/')
                    || f.rel.starts_with("admin/")
            })
    })?;
    let path = config.rel.clone();
    let text = match std::fs::read_to_string(root.join(&path)) {
        Ok(t) => t,
        Err(e) => {
            model.problems.push(problem(
                "decap-config",
                Severity::Warning,
                &path,
                0,
                0,
                format!("cannot read the Decap CMS configuration: {e}"),
            ));
            return None;
        }
    };
    let value = match split::parse_config(&text, FrontMatterFormat::Yaml) {
        Ok(v) => v,
        Err(e) => {
            model.problems.push(problem(
                "decap-config",
                Severity::Warning,
                &path,
                e.line,
                e.column,
                format!("{}; the editing schema is left out of the model", e.message),
            ));
            return None;
        }
    };
    let dirs: BTreeSet<&str> = files.iter().flat_map(|f| ancestors(&f.rel)).collect();
    let file_set: BTreeSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    // Decap paths are relative to the repository, which may hold the site in a sub-folder.
    let to_site = |p: &str, is_dir: bool| -> Option<String> {
        let p = p.trim_matches('/');
        let mut rest = p;
        loop {
            let hit = if is_dir { dirs.contains(rest) } else { file_set.contains(rest) };
            if hit {
                return Some(rest.to_string());
            }
            rest = rest.split_once('/')?.1;
        }
    };
    let mut schema = ContentSchema {
        source: path.clone(),
        kind: "decap".into(),
        media_folder: value
            .get("media_folder")
            .and_then(Value::as_str)
            .map(|m| to_site(m, true).unwrap_or_else(|| m.to_string())),
        public_folder: value.get("public_folder").and_then(Value::as_str).map(str::to_string),
        collections: Vec::new(),
    };
    for c in value.get("collections").and_then(Value::as_array).into_iter().flatten() {
        let name = c.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
        let mut col = Collection {
            name: name.clone(),
            label: c.get("label").and_then(Value::as_str).map(str::to_string),
            folder: c
                .get("folder")
                .and_then(Value::as_str)
                .map(|f| to_site(f, true).unwrap_or_else(|| f.to_string())),
            filter: c.get("filter").cloned(),
            fields: fields(c.get("fields")),
            ..Default::default()
        };
        for f in c.get("files").and_then(Value::as_array).into_iter().flatten() {
            let file = f.get("file").and_then(Value::as_str).unwrap_or_default();
            col.files.push(CollectionFile {
                name: f.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
                file: to_site(file, false).unwrap_or_else(|| file.to_string()),
                fields: fields(f.get("fields")),
            });
        }
        let nested = c.get("nested").is_some()
            || c.get("path").and_then(Value::as_str).is_some_and(|p| p.contains('/'));
        for page in &model.pages {
            let in_folder = col.folder.as_ref().is_some_and(|folder| {
                page.path
                    .strip_prefix(&format!("{folder}/"))
                    .is_some_and(|r| nested || !r.contains('/'))
            });
            let in_files = col.files.iter().any(|f| f.file == page.path);
            if (in_folder && matches_filter(page, col.filter.as_ref())) || in_files {
                col.pages.push(page.path.clone());
            }
        }
        schema.collections.push(col);
    }
    resolve_relations(&schema, files, model);
    Some(schema)
}

fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    rel.match_indices('/').map(move |(i, _)| &rel[..i])
}

fn fields(v: Option<&Value>) -> Vec<Field> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|f| {
            let get = |k: &str| f.get(k).and_then(Value::as_str).map(str::to_string);
            let nested = f
                .get("fields")
                .or_else(|| f.get("field").map(|_| f.get("field").unwrap_or(&Value::Null)));
            let nested = match nested {
                Some(Value::Object(_)) => {
                    fields(Some(&Value::Array(vec![nested.cloned().unwrap_or(Value::Null)])))
                }
                other => fields(other),
            };
            Field {
                name: get("name").unwrap_or_default(),
                label: get("label"),
                widget: get("widget").unwrap_or_else(|| "string".into()),
                required: f.get("required").and_then(Value::as_bool).unwrap_or(true),
                multiple: f.get("multiple").and_then(Value::as_bool).unwrap_or(false),
                default: f.get("default").cloned(),
                collection: get("collection"),
                value_field: get("value_field"),
                fields: nested,
            }
        })
        .collect()
}

fn matches_filter(page: &Page, filter: Option<&Value>) -> bool {
    let Some(filter) = filter else { return true };
    let (Some(field), Some(value)) =
        (filter.get("field").and_then(Value::as_str), filter.get("value"))
    else {
        return true;
    };
    let fm = page.front_matter.as_ref().map(|f| &f.fields);
    fm.and_then(|f| f.get(field)) == Some(value)
}

/// The value of `value_field` for an entry: `{{slug}}`, a template of fields, or a dotted path.
fn entry_value(page: &Page, folder: Option<&str>, value_field: &str) -> Option<String> {
    let fm = page.front_matter.as_ref().map(|f| &f.fields)?;
    if value_field.contains("{{") {
        let mut out = String::new();
        let mut rest = value_field;
        while let Some(i) = rest.find("{{") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find("}}").map(|j| i + j)?;
            let key = rest[i + 2..end].trim();
            let v = match key {
                "slug" => {
                    let rel = folder
                        .and_then(|f| page.path.strip_prefix(&format!("{f}/")))
                        .unwrap_or(&page.path);
                    rel.rsplit_once('.').map_or(rel, |(s, _)| s).to_string()
                }
                k => lookup(fm, k.strip_prefix("fields.").unwrap_or(k)).and_then(scalar_text)?,
            };
            out.push_str(&v);
            rest = &rest[end + 2..];
        }
        out.push_str(rest);
        return Some(out);
    }
    lookup(fm, value_field).and_then(scalar_text)
}

fn lookup<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, k| v.get(k))
}

fn resolve_relations(schema: &ContentSchema, files: &[SourceFile], model: &mut Model) {
    // value_field value → page, per (collection, value_field).
    let mut indexes: BTreeMap<(String, String), BTreeMap<String, String>> = BTreeMap::new();
    let page_index: BTreeMap<String, usize> =
        model.pages.iter().enumerate().map(|(i, p)| (p.path.clone(), i)).collect();
    let mut wanted = Vec::new();
    for col in &schema.collections {
        for f in col.fields.iter().chain(col.files.iter().flat_map(|f| f.fields.iter())) {
            collect_relations(f, &mut wanted);
        }
    }
    for (collection, value_field) in wanted {
        let Some(target) = schema.collections.iter().find(|c| c.name == collection) else {
            continue;
        };
        let map = indexes.entry((collection.clone(), value_field.clone())).or_default();
        for p in &target.pages {
            if let Some(&i) = page_index.get(p.as_str())
                && let Some(v) =
                    entry_value(&model.pages[i], target.folder.as_deref(), &value_field)
            {
                map.entry(v).or_insert_with(|| p.clone());
            }
        }
    }
    let taxonomies = model.taxonomies.clone();
    let model_taxonomies = taxonomies.as_slice();
    let bytes: BTreeMap<&str, &[u8]> = files
        .iter()
        .filter(|f| f.role == FileRole::Page)
        .filter_map(|f| Some((f.rel.as_str(), f.bytes.as_deref()?)))
        .collect();
    let mut problems = Vec::new();
    for col in &schema.collections {
        for path in &col.pages {
            let Some(&i) = page_index.get(path.as_str()) else { continue };
            let page_fields: Vec<&Field> = match col.files.iter().find(|f| &f.file == path) {
                Some(f) => f.fields.iter().collect(),
                None => col.fields.iter().collect(),
            };
            let Some(fm) = model.pages[i]
                .front_matter
                .as_ref()
                .map(|f| f.fields.clone())
                .filter(Value::is_object)
            else {
                continue;
            };
            let text = bytes
                .get(path.as_str())
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            let index = LineIndex::new(&text);
            let fm_end = model.pages[i].front_matter.as_ref().map_or(0, |f| f.span.end);
            let locate = |needle: &str| -> (usize, usize) {
                text.get(..fm_end).and_then(|t| t.find(needle)).map_or((1, 1), |o| index.locate(o))
            };
            let mut relations = Vec::new();
            for field in page_fields {
                if field.required
                    && field.name != "body"
                    && !matches!(field.widget.as_str(), "hidden" | "boolean")
                    && fm.get(&field.name).is_none_or(Value::is_null)
                {
                    problems.push(problem(
                        "missing-field",
                        Severity::Info,
                        path,
                        1,
                        1,
                        format!(
                            "required field `{}` of collection `{}` is missing",
                            field.name, col.name
                        ),
                    ));
                }
                walk_relations(field, fm.get(&field.name), &field.name, &mut |f, key, value| {
                    let collection = f.collection.clone().unwrap_or_default();
                    let vf = f.value_field.clone().unwrap_or_default();
                    let index = indexes.get(&(collection.clone(), vf));
                    let page = index.and_then(|m| m.get(value)).cloned();
                    let term_url = page
                        .is_none()
                        .then(|| term_url(schema, &collection, value, model_taxonomies))
                        .flatten();
                    if page.is_none() && term_url.is_none() {
                        let (line, column) = locate(value);
                        let near = index.and_then(|m| {
                            let want = fold(value);
                            m.keys().find(|k| fold(k) == want)
                        });
                        let hint = match near {
                            Some(n) => format!(
                                "; `{n}` differs only by case, spaces or Unicode normalisation"
                            ),
                            None => String::new(),
                        };
                        problems.push(problem(
                            "unresolved-relation",
                            Severity::Warning,
                            path,
                            line,
                            column,
                            format!("`{key}: {value}` matches no entry of collection `{collection}`{hint}: fix the value or add the entry"),
                        ));
                    }
                    relations.push(Relation {
                        field: key.to_string(),
                        collection,
                        value: value.to_string(),
                        page,
                        term_url,
                    });
                });
            }
            let page = &mut model.pages[i];
            page.collection = Some(col.name.clone());
            page.relations = relations;
        }
    }
    model.problems.extend(problems);
}

fn fold(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.trim().nfc().collect::<String>().to_lowercase()
}

/// When a relation points into a collection whose folder is a taxonomy's (Hugo's
/// `content/themes/` for taxonomy `themes`), a value with no entry still reaches the term's
/// list page, which Hugo builds for every term used.
fn term_url(
    schema: &ContentSchema,
    collection: &str,
    value: &str,
    taxonomies: &[crate::model::Taxonomy],
) -> Option<String> {
    let folder = schema.collections.iter().find(|c| c.name == collection)?.folder.as_deref()?;
    let last = folder.rsplit('/').next()?;
    let tax = taxonomies.iter().find(|t| t.name == last)?;
    tax.terms.iter().find(|t| t.name == value).map(|t| t.url.clone())
}

fn collect_relations(f: &Field, out: &mut Vec<(String, String)>) {
    if f.widget == "relation"
        && let (Some(c), Some(v)) = (&f.collection, &f.value_field)
    {
        out.push((c.clone(), v.clone()));
    }
    for sub in &f.fields {
        collect_relations(sub, out);
    }
}

/// Calls `found(field, key path, value)` for every relation value stored under `field`.
fn walk_relations(
    field: &Field,
    value: Option<&Value>,
    key: &str,
    found: &mut dyn FnMut(&Field, &str, &str),
) {
    let Some(value) = value else { return };
    if field.widget == "relation" {
        match value {
            Value::Array(items) => {
                for v in items.iter().filter_map(scalar_text) {
                    found(field, key, &v);
                }
            }
            v => {
                if let Some(v) = scalar_text(v) {
                    found(field, key, &v);
                }
            }
        }
        return;
    }
    for sub in &field.fields {
        match value {
            Value::Array(items) => {
                for item in items {
                    let v = if field.widget == "list"
                        && field.fields.len() == 1
                        && item.get(&sub.name).is_none()
                    {
                        Some(item)
                    } else {
                        item.get(&sub.name)
                    };
                    walk_relations(sub, v, &format!("{key}.{}", sub.name), found);
                }
            }
            Value::Object(_) => {
                walk_relations(sub, value.get(&sub.name), &format!("{key}.{}", sub.name), found)
            }
            _ => {}
        }
    }
}
