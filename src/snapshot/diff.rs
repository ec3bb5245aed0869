//! What changed between two versions of a site: files by content, pages by front matter
//! field and body lines (from each version's own `carton.json`), videos and documents.

use super::{CARTON_JSON, RESERVED_PREFIX, Repo};
use crate::error::{Error, Result};
use crate::model::Model;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The changes from version `from` to version `to`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diff {
    /// The older version.
    pub from: String,
    /// The newer version.
    pub to: String,
    /// Site files only in `to`.
    pub files_added: Vec<String>,
    /// Site files only in `from`.
    pub files_removed: Vec<String>,
    /// Site files in both whose bytes differ.
    pub files_changed: Vec<String>,
    /// Pages only in `to`, with their title.
    pub pages_added: Vec<PageRef>,
    /// Pages only in `from`, with their title.
    pub pages_removed: Vec<PageRef>,
    /// Pages in both whose bytes differ: what changed in them.
    pub pages_changed: Vec<PageChange>,
    /// Videos (keys) referenced only in `to`.
    pub videos_added: Vec<String>,
    /// Videos referenced only in `from`.
    pub videos_removed: Vec<String>,
    /// Documents (paths or URLs) referenced only in `to`.
    pub documents_added: Vec<String>,
    /// Documents referenced only in `from`.
    pub documents_removed: Vec<String>,
}

/// A page, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageRef {
    /// Path relative to the site root.
    pub path: String,
    /// Its title, when it has one.
    pub title: Option<String>,
}

/// How one page changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PageChange {
    /// Path relative to the site root.
    pub path: String,
    /// Its title in `to`.
    pub title: Option<String>,
    /// Front matter fields that changed, were added (`old` absent) or removed (`new` absent).
    pub fields: Vec<FieldChange>,
    /// Body lines added and removed.
    pub lines_added: usize,
    /// Body lines removed.
    pub lines_removed: usize,
}

/// One front matter field's change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The key.
    pub field: String,
    /// Its value in `from`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// Its value in `to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

impl Repo {
    /// What changed in site `id` from version `from` to version `to`.
    ///
    /// # Errors
    /// When the site or a version is unknown, or a stored file cannot be read.
    pub fn diff(&self, id: &str, from: &str, to: &str) -> Result<Diff> {
        let state = |v: &str| -> Result<BTreeMap<String, String>> {
            Ok(self
                .state(id, v)?
                .into_iter()
                .filter(|e| !e.logical.starts_with(RESERVED_PREFIX))
                .map(|e| (e.logical, e.sha512))
                .collect())
        };
        let (a, b) = (state(from)?, state(to)?);
        let mut d = Diff { from: from.into(), to: to.into(), ..Default::default() };
        for (path, digest) in &b {
            match a.get(path) {
                None => d.files_added.push(path.clone()),
                Some(old) if old != digest => d.files_changed.push(path.clone()),
                Some(_) => {}
            }
        }
        d.files_removed = a.keys().filter(|p| !b.contains_key(*p)).cloned().collect();

        let (ma, mb) = (self.model(id, from)?, self.model(id, to)?);
        let pages = |m: &Model| -> BTreeMap<String, PageRef> {
            m.pages
                .iter()
                .map(|p| (p.path.clone(), PageRef { path: p.path.clone(), title: p.title.clone() }))
                .collect()
        };
        let (pa, pb) = (pages(&ma), pages(&mb));
        d.pages_added = pb.values().filter(|p| !pa.contains_key(&p.path)).cloned().collect();
        d.pages_removed = pa.values().filter(|p| !pb.contains_key(&p.path)).cloned().collect();
        let changed: BTreeSet<&String> = d.files_changed.iter().collect();
        for page in mb.pages.iter().filter(|p| changed.contains(&p.path)) {
            let Some(old) = ma.page(&page.path) else { continue };
            let fields = field_changes(
                old.front_matter.as_ref().map(|f| &f.fields),
                page.front_matter.as_ref().map(|f| &f.fields),
            );
            let body = |v: &str, span: crate::model::Span| -> Result<String> {
                let bytes = self.read(id, v, &page.path)?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                Ok(text.get(span.start.min(text.len())..).unwrap_or("").to_string())
            };
            let (old_body, new_body) = (body(from, old.body)?, body(to, page.body)?);
            let (mut added, mut removed) = (0, 0);
            for op in similar::TextDiff::from_lines(&old_body, &new_body).iter_all_changes() {
                match op.tag() {
                    similar::ChangeTag::Insert => added += 1,
                    similar::ChangeTag::Delete => removed += 1,
                    similar::ChangeTag::Equal => {}
                }
            }
            d.pages_changed.push(PageChange {
                path: page.path.clone(),
                title: page.title.clone(),
                fields,
                lines_added: added,
                lines_removed: removed,
            });
        }
        let keys =
            |m: &Model| -> BTreeSet<String> { m.videos.iter().map(|v| v.key.clone()).collect() };
        let docs = |m: &Model| -> BTreeSet<String> {
            m.documents.iter().map(|v| v.target.clone()).collect()
        };
        (d.videos_added, d.videos_removed) = added_removed(&keys(&ma), &keys(&mb));
        (d.documents_added, d.documents_removed) = added_removed(&docs(&ma), &docs(&mb));
        Ok(d)
    }

    /// A version's own content model.
    fn model(&self, id: &str, version: &str) -> Result<Model> {
        let bytes = super::describe::gunzip(
            &self.read(id, version, CARTON_JSON)?,
            &format!("{version}/{CARTON_JSON}"),
        )?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Json(e, format!("{version}/{CARTON_JSON}")))
    }
}

fn added_removed(a: &BTreeSet<String>, b: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (b.difference(a).cloned().collect(), a.difference(b).cloned().collect())
}

/// Field-level changes between two front matter blocks (objects; anything else counts as
/// no fields).
fn field_changes(old: Option<&Value>, new: Option<&Value>) -> Vec<FieldChange> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        old.and_then(Value::as_object).unwrap_or(&empty),
        new.and_then(Value::as_object).unwrap_or(&empty),
    );
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| FieldChange { field: k.clone(), old: a.get(k).cloned(), new: b.get(k).cloned() })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_added_removed_and_changed() {
        let a = json!({"title": "A", "tags": ["x"], "draft": true});
        let b = json!({"title": "B", "tags": ["x"], "date": "2025-01-24"});
        let c = field_changes(Some(&a), Some(&b));
        let names: Vec<&str> = c.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["date", "draft", "title"]);
        assert_eq!(
            c[0],
            FieldChange { field: "date".into(), old: None, new: Some(json!("2025-01-24")) }
        );
        assert_eq!(c[1].new, None);
        assert_eq!((c[2].old.clone(), c[2].new.clone()), (Some(json!("A")), Some(json!("B"))));
    }
}
