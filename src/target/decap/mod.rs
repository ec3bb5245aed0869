//! Decap CMS: translates the source site's `admin/config.yml` for the target, so that editors
//! keep their CMS. Only what the target needs changes: collection folders and files, the
//! media folder, the field names the mapping renames or drops (and the relations, filters
//! and templates that name them), Jekyll's dated post file names, Zola's TOML front matter
//! and its `extra` and `taxonomies` tables.
//!
//! The text is edited in place, so comments, key order, quoting and flow style stay as the
//! authors wrote them. Every edit is checked: the edited text must parse to exactly the
//! translated configuration, or the configuration is written afresh (and a note says so).

use super::jekyll::JEKYLL_KEYS;
use super::report::Note;
use crate::error::{Error, Location, Result};
use crate::mapping::{Fields, Format};
use serde_yaml::{Mapping, Value};
use std::path::PathBuf;

/// What the target makes of the source site, for [`translate`].
pub struct Translate<'a> {
    /// The target generator.
    pub to: Format,
    /// A site-relative source folder (`content/defis`, `static/img`) -> its site-relative
    /// folder in the target (Jekyll: `_defis`, `img`; Zola: `content/defis`, `static/img`).
    /// `None` when the source site has no such folder or the target writes none: the
    /// config's repository paths (`site/content/defis`) are tried without their leading
    /// folders until one answers, so a repository path must answer `None`.
    pub folder: &'a dyn Fn(&str) -> Option<String>,
    /// A site-relative source file (`content/_index.md`) -> where the import writes it
    /// (Jekyll: `index.md`); `None` as for `folder`.
    pub file: &'a dyn Fn(&str) -> Option<String>,
    /// The mapping's front matter rules, if any.
    pub fields: Option<&'a Fields>,
    /// Zola only: the taxonomies (front matter keys that go under `taxonomies`).
    pub taxonomies: &'a [String],
}

/// Translates a Decap CMS configuration (`text`, read from `config_path`) for the target.
/// Returns the new text (the input itself when nothing changes, e.g. Hugo without field
/// rules) and notes for the report: fields removed, filters dropped, templates that name a
/// field the target lacks, and a config that had to be written afresh.
///
/// # Errors
/// When the configuration is not YAML, or not a mapping (with the file and line).
pub fn translate(text: &str, config_path: &str, t: &Translate) -> Result<(String, Vec<Note>)> {
    let config_error = |line, column, msg: String| Error::Config {
        location: Location { path: PathBuf::from(config_path), line, column },
        msg,
    };
    let doc: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        config_error(line, column, format!("not a Decap CMS configuration: {e}"))
    })?;
    if !doc.is_mapping() {
        return Err(config_error(
            1,
            1,
            "not a Decap CMS configuration: its top level is not a mapping".into(),
        ));
    }
    let tree = parse(text);
    let mut d = Decide {
        t,
        doc: &doc,
        text,
        tree: tree.as_ref(),
        path: config_path,
        ops: Vec::new(),
        notes: Vec::new(),
    };
    d.run();
    let Decide { ops, mut notes, .. } = d;
    if ops.is_empty() {
        return Ok((text.to_string(), notes));
    }
    let mut expected = doc.clone();
    apply(&mut expected, &ops).ok_or_else(|| {
        Error::Import(format!("{config_path}: the Decap CMS configuration could not be translated"))
    })?;
    if let Some(root) = &tree
        && let Some(edited) = edit(text, root, &ops)
        && serde_yaml::from_str::<Value>(&edited).is_ok_and(|v| v == expected)
    {
        return Ok((edited, notes));
    }
    let written = serde_yaml::to_string(&expected).map_err(|e| {
        Error::Import(format!(
            "{config_path}: the translated Decap CMS configuration cannot be written as YAML: {e}"
        ))
    })?;
    let written = if text.contains("\r\n") { written.replace('\n', "\r\n") } else { written };
    notes.push(Note {
        path: config_path.into(),
        line: 0,
        subject: "Decap CMS configuration".into(),
        message: "written afresh (its text could not be edited in place): same settings, but its comments and formatting are gone".into(),
    });
    Ok((written, notes))
}

/// The front matter keys the Zola target keeps at the top of a page (and Decap's `body`):
/// every other field goes under `extra` or `taxonomies`. `slug` and `path` are not here: the
/// Zola target sets `path` itself and keeps Hugo's `slug` under `extra` (zola.rs).
const ZOLA_PAGE_KEYS: &[&str] =
    &["title", "description", "date", "updated", "weight", "draft", "authors", "body"];

/// The same for a Zola section (`_index.md`), which has no taxonomies.
const ZOLA_SECTION_KEYS: &[&str] = &["title", "description", "weight", "draft", "body"];

/// Decap template tags that are not fields (`{{slug}}`, `{{year}}`, ...).
const TEMPLATE_TAGS: &[&str] = &[
    "slug",
    "year",
    "month",
    "day",
    "hour",
    "minute",
    "second",
    "dirname",
    "filename",
    "extension",
    "commit_date",
    "commit_author",
    "uuid",
    "uuid_short",
    "uuid_head",
    "media_folder",
    "public_folder",
    "locale",
];

/// Jekyll reads a post's date from its file name (`_posts/YYYY-MM-DD-title.md`).
const POST_SLUG_DATE: &str = "{{year}}-{{month}}-{{day}}-";

// ---------------------------------------------------------------------------------------
// What changes: operations on the configuration, found on its parsed value.

/// One step of a path into the configuration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Seg {
    Key(String),
    Index(usize),
}

type Path = Vec<Seg>;

fn at(path: &[Seg], seg: impl Into<Seg>) -> Path {
    let mut p = path.to_vec();
    p.push(seg.into());
    p
}

impl From<&str> for Seg {
    fn from(k: &str) -> Seg {
        Seg::Key(k.into())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Seg {
        Seg::Index(i)
    }
}

#[derive(Debug)]
enum Op {
    /// The string at a path gets a new value.
    Set(Path, String),
    /// A key is added to the mapping at a path, after the first of `after` it has (or last).
    Add { map: Path, key: &'static str, value: String, after: &'static [&'static str] },
    /// A mapping entry or a sequence item is removed.
    Remove(Path),
    /// Zola: the fields list at a path is regrouped (dropped fields are in no slot).
    Group(Path, Vec<Slot>),
}

#[derive(Debug)]
enum Slot {
    Keep(usize),
    Object { name: &'static str, label: &'static str, optional: bool, items: Vec<usize> },
}

/// Where a source front matter key lives in the target.
enum Place {
    /// Under this name, or dotted path (`extra.who`).
    At(String),
    /// Nowhere, for this reason.
    Gone(String),
}

struct Decide<'a> {
    t: &'a Translate<'a>,
    doc: &'a Value,
    text: &'a str,
    tree: Option<&'a Node>,
    path: &'a str,
    ops: Vec<Op>,
    notes: Vec<Note>,
}

fn str_at<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// Whether entries with this extension and format are Markdown with front matter (not data
/// files, whose keys the front matter rules do not touch).
fn markdown(extension: Option<&str>, format: Option<&str>) -> bool {
    matches!(extension, None | Some("md" | "markdown" | "html"))
        && !matches!(format, Some("yml" | "yaml" | "toml" | "json"))
}

fn extension(file: &str) -> Option<&str> {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.rsplit_once('.').map(|(_, e)| e)
}

/// A repository path of the config (`site/content/defis`) in the target, with the
/// repository prefix it had (`site/`), and the site-relative target path.
fn repo_path(p: &str, map: &dyn Fn(&str) -> Option<String>) -> Option<(String, String)> {
    let lead = if p.starts_with('/') { "/" } else { "" };
    let trail = if p.len() > 1 && p.ends_with('/') { "/" } else { "" };
    let inner = p.trim_matches('/');
    let mut rest = inner;
    loop {
        if let Some(out) = map(rest) {
            let prefix = &inner[..inner.len() - rest.len()];
            let joined = format!("{prefix}{out}");
            let joined = joined.trim_end_matches('/');
            return Some((format!("{lead}{joined}{trail}"), out));
        }
        rest = rest.split_once('/')?.1;
    }
}

impl Decide<'_> {
    fn note(&mut self, path: &[Seg], subject: &str, message: String) {
        let line = self.tree.map_or(0, |root| {
            let start = deepest(root, path).start;
            self.text.as_bytes()[..start].iter().filter(|&&b| b == b'\n').count() + 1
        });
        self.notes.push(Note { path: self.path.into(), line, subject: subject.into(), message });
    }

    fn set(&mut self, path: Path, old: &str, new: String) {
        if old != new {
            self.ops.push(Op::Set(path, new));
        }
    }

    fn run(&mut self) {
        let doc = self.doc;
        if let Some(m) = str_at(doc, "media_folder") {
            self.repo_option(&[], "media_folder", m, self.t.folder, "the media folder");
        }
        let Some(collections) = doc.get("collections").and_then(Value::as_sequence) else {
            return;
        };
        for (i, c) in collections.iter().enumerate() {
            self.collection(&at(&[], "collections"), i, c);
        }
    }

    /// Maps the path option `key` (of the config, a collection or a file at `path`);
    /// returns the site-relative target path.
    fn repo_option(
        &mut self,
        path: &[Seg],
        key: &str,
        value: &str,
        map: &dyn Fn(&str) -> Option<String>,
        what: &str,
    ) -> Option<String> {
        match repo_path(value, map) {
            Some((full, out)) => {
                self.set(at(path, key), value, full);
                Some(out)
            }
            None => {
                self.note(
                    &at(path, key),
                    key,
                    format!("{what}: `{value}` is no path of the site that the target writes: left as written"),
                );
                None
            }
        }
    }

    fn collection(&mut self, collections: &[Seg], ci: usize, c: &Value) {
        let path = at(collections, ci);
        let name = str_at(c, "name").unwrap_or_default().to_string();
        let what = format!("collection `{name}`");
        if let Some(folder) = str_at(c, "folder") {
            let out = self.repo_option(&path, "folder", folder, self.t.folder, &what);
            let posts = self.t.to == Format::Jekyll
                && out.as_deref().is_some_and(|o| o == "_posts" || o.ends_with("/_posts"));
            let md = markdown(str_at(c, "extension"), str_at(c, "format"));
            if md {
                self.format(c, &path, &name);
                self.fields(c.get("fields"), &at(&path, "fields"), &name, false);
                self.collection_refs(c, &path, &name, posts);
            }
            self.relations_of(c.get("fields"), &at(&path, "fields"), md);
        } else if let Some(files) = c.get("files").and_then(Value::as_sequence) {
            // (A collection has a folder or files, never both: Decap refuses that.)
            let mut all_markdown = !files.is_empty();
            for (fi, f) in files.iter().enumerate() {
                let fpath = at(&at(&path, "files"), fi);
                let Some(file) = str_at(f, "file") else { continue };
                let out = self.repo_option(&fpath, "file", file, self.t.file, &what);
                let target = out.as_deref().unwrap_or(file);
                let section = target.rsplit('/').next().is_some_and(|n| n.starts_with("_index."));
                let md = markdown(extension(file), str_at(c, "format"));
                all_markdown &= md;
                if md {
                    self.fields(f.get("fields"), &at(&fpath, "fields"), &name, section);
                }
                self.relations_of(f.get("fields"), &at(&fpath, "fields"), md);
            }
            if all_markdown {
                self.format(c, &path, &name);
            }
        }
        if let Some(m) = str_at(c, "media_folder").filter(|m| m.starts_with('/')) {
            self.repo_option(&path, "media_folder", m, self.t.folder, &what);
        }
    }

    fn place(&self, name: &str, section: bool) -> Place {
        let rules = self.t.fields;
        if rules.is_some_and(|r| r.drop.iter().any(|d| d == name)) {
            return Place::Gone("dropped by the mapping".into());
        }
        let n = rules.and_then(|r| r.rename.get(name)).map_or(name, String::as_str);
        match self.t.to {
            // WordPress export files are never written (refused by the CLI and in mappings).
            Format::Hugo | Format::Wxr => Place::At(n.into()),
            Format::Jekyll => match n {
                "url" => Place::Gone("Jekyll pages keep their address in `permalink`, which carton writes: a `url` would do nothing".into()),
                "aliases" => Place::Gone("carton turns aliases into redirect pages: Jekyll does not read `aliases`".into()),
                n if JEKYLL_KEYS.contains(&n) => Place::At(format!("hugo_{n}")),
                n => Place::At(n.into()),
            },
            Format::Zola => {
                let n = if n == "lastmod" { "updated" } else { n };
                let keys = if section { ZOLA_SECTION_KEYS } else { ZOLA_PAGE_KEYS };
                if !section && self.t.taxonomies.iter().any(|t| t == n) {
                    Place::At(format!("taxonomies.{n}"))
                } else if keys.contains(&n) {
                    Place::At(n.into())
                } else if matches!(n, "url" | "aliases") {
                    // The Zola target sets `path` and `aliases` itself and keeps Hugo's.
                    Place::At(format!("extra.hugo_{n}"))
                } else {
                    Place::At(format!("extra.{n}"))
                }
            }
        }
    }

    /// The top-level fields of a collection (or of one file of a files collection).
    fn fields(&mut self, fields: Option<&Value>, path: &[Seg], coll: &str, section: bool) {
        let Some(items) = fields.and_then(Value::as_sequence) else { return };
        let mut slots: Vec<Slot> = Vec::new();
        let mut gone = Vec::new();
        let mut moved = false;
        for (i, f) in items.iter().enumerate() {
            let fpath = at(path, i);
            let Some(name) = str_at(f, "name") else {
                slots.push(Slot::Keep(i));
                continue;
            };
            let leaf = match self.place(name, section) {
                Place::Gone(why) => {
                    self.note(
                        &fpath,
                        name,
                        format!("collection `{coll}`: {why}: field removed from the CMS"),
                    );
                    gone.push(i);
                    continue;
                }
                Place::At(p) => p,
            };
            let (object, leaf) = match leaf.split_once('.') {
                Some(("taxonomies", l)) => (Some(("taxonomies", "Taxonomies")), l.to_string()),
                Some((_, l)) => (Some(("extra", "Extra")), l.to_string()),
                None => (None, leaf.clone()),
            };
            if self.t.to == Format::Jekyll && leaf != name && leaf.starts_with("hugo_") {
                self.note(&fpath, name, format!("collection `{coll}`: renamed `{leaf}`, as in the pages (Jekyll gives `{name}` a meaning of its own)"));
            }
            if self.t.to == Format::Jekyll && leaf == "draft" {
                self.note(&fpath, name, format!("collection `{coll}`: Jekyll does not read `draft` (carton wrote `published: false` for drafts): an entry saved with `draft: true` is published"));
            }
            self.set(at(&fpath, "name"), name, leaf);
            self.field_values(f, &fpath, name);
            match object {
                None => slots.push(Slot::Keep(i)),
                Some((obj, label)) => {
                    moved = true;
                    let optional = f.get("required") == Some(&Value::Bool(false));
                    let slot = slots
                        .iter_mut()
                        .find(|s| matches!(s, Slot::Object { name, .. } if *name == obj));
                    match slot {
                        Some(Slot::Object { items, optional: all, .. }) => {
                            items.push(i);
                            *all &= optional;
                        }
                        _ => {
                            slots.push(Slot::Object { name: obj, label, optional, items: vec![i] })
                        }
                    }
                }
            }
        }
        if !moved {
            self.ops.extend(gone.into_iter().map(|i| Op::Remove(at(path, i))));
        } else {
            self.ops.push(Op::Group(path.to_vec(), slots));
        }
    }

    /// A `select` field's options and a field's default follow the mapping's value rules.
    fn field_values(&mut self, f: &Value, path: &[Seg], name: &str) {
        let Some(rules) = self.t.fields else { return };
        let renamed = rules.rename.get(name).map_or(name, String::as_str);
        let Some(map) = rules.values.get(renamed) else { return };
        let new = |s: &str| map.get(s).and_then(serde_json::Value::as_str).map(str::to_string);
        let mut sets = Vec::new();
        for (k, o) in
            f.get("options").and_then(Value::as_sequence).into_iter().flatten().enumerate()
        {
            let opath = at(&at(path, "options"), k);
            match o {
                Value::String(s) => sets.push((opath, new(s))),
                Value::Mapping(_) => {
                    sets.push((at(&opath, "value"), str_at(o, "value").and_then(new)));
                }
                _ => {}
            }
        }
        match f.get("default") {
            Some(Value::String(s)) => sets.push((at(path, "default"), new(s))),
            Some(Value::Sequence(items)) => {
                for (k, v) in items.iter().enumerate() {
                    sets.push((at(&at(path, "default"), k), v.as_str().and_then(new)));
                }
            }
            _ => {}
        }
        self.ops.extend(sets.into_iter().filter_map(|(p, v)| Some(Op::Set(p, v?))));
    }

    /// The options of a folder collection that name its fields, and Jekyll's post names.
    fn collection_refs(&mut self, c: &Value, path: &[Seg], coll: &str, posts: bool) {
        for key in
            ["identifier_field", "summary", "path", "preview_path", "preview_path_date_field"]
        {
            if let Some(s) = str_at(c, key) {
                let new = self.rewritten(
                    &at(path, key),
                    s,
                    false,
                    &format!("`{key}` of collection `{coll}`"),
                );
                self.set(at(path, key), s, new);
            }
        }
        // Decap names new entries after `title`, or the field `identifier_field` names.
        let has_title = c
            .get("fields")
            .and_then(Value::as_sequence)
            .is_some_and(|f| f.iter().any(|f| str_at(f, "name") == Some("title")));
        if has_title && c.get("identifier_field").is_none() {
            match self.place("title", false) {
                Place::At(p) if p != "title" => self.ops.push(Op::Add {
                    map: path.to_vec(),
                    key: "identifier_field",
                    value: p,
                    after: &["folder"],
                }),
                Place::At(_) => {}
                Place::Gone(why) => self.note(path, "title", format!("collection `{coll}`: `title` is gone ({why}), and Decap needs it (or `identifier_field`) to create entries")),
            }
        }
        let slug = str_at(c, "slug");
        let mut new_slug = slug.map(|s| {
            self.rewritten(&at(path, "slug"), s, false, &format!("`slug` of collection `{coll}`"))
        });
        if posts && !new_slug.as_deref().is_some_and(|s| s.starts_with(POST_SLUG_DATE)) {
            let s = format!("{POST_SLUG_DATE}{}", new_slug.as_deref().unwrap_or("{{slug}}"));
            let msg = format!(
                "collection `{coll}`: its entries are Jekyll posts, whose file names must start with their date: `slug` is now `{s}`"
            );
            self.note(&at(path, "slug"), "slug", msg);
            new_slug = Some(s);
        }
        match (slug, new_slug) {
            (Some(old), Some(new)) => self.set(at(path, "slug"), old, new),
            (None, Some(new)) => self.ops.push(Op::Add {
                map: path.to_vec(),
                key: "slug",
                value: new,
                after: &["folder"],
            }),
            _ => {}
        }
        for key in ["sortable_fields", "view_filters", "view_groups"] {
            let items = c.get(key).and_then(Value::as_sequence).into_iter().flatten();
            for (k, v) in items.enumerate() {
                let (p, s) = match v {
                    Value::String(s) => (at(&at(path, key), k), s.as_str()),
                    _ => match str_at(v, "field") {
                        Some(s) => (at(&at(&at(path, key), k), "field"), s),
                        None => continue,
                    },
                };
                let new = self.rewritten(&p, s, false, &format!("`{key}` of collection `{coll}`"));
                self.set(p, s, new);
            }
        }
        let filter = c.get("filter");
        if let Some(field) = filter.and_then(|f| str_at(f, "field")) {
            let fpath = at(path, "filter");
            let why = match self.place(field, false) {
                Place::Gone(why) => why,
                // Decap reads the filter's field at the top level of the front matter only.
                Place::At(p) if p.contains('.') => format!(
                    "the target keeps it under `{}`, where a Decap filter cannot see it",
                    p.rsplit_once('.').map_or("", |(o, _)| o)
                ),
                Place::At(p) => {
                    let value = filter.and_then(|f| str_at(f, "value"));
                    let mapped = self.t.fields.and_then(|r| r.values.get(&p)).and_then(|m| {
                        value.and_then(|v| m.get(v)).and_then(serde_json::Value::as_str)
                    });
                    if let (Some(old), Some(new)) = (value, mapped) {
                        self.set(at(&fpath, "value"), old, new.to_string());
                    }
                    self.set(at(&fpath, "field"), field, p);
                    return;
                }
            };
            self.note(&fpath, "filter", format!("collection `{coll}`: its filter on `{field}` is removed ({why}): the CMS lists every entry of the folder"));
            self.ops.push(Op::Remove(fpath));
        }
    }

    /// Zola: new entries must be TOML front matter; Jekyll: YAML.
    fn format(&mut self, c: &Value, path: &[Seg], coll: &str) {
        let format = str_at(c, "format");
        let (want, delimiter) = match self.t.to {
            Format::Hugo | Format::Wxr => return,
            Format::Zola => ("toml-frontmatter", "+++"),
            Format::Jekyll => ("yaml-frontmatter", "---"),
        };
        match (self.t.to, format) {
            (Format::Zola, None) => self.ops.push(Op::Add {
                map: path.to_vec(),
                key: "format",
                value: want.into(),
                after: &["folder", "label_singular", "label", "name"],
            }),
            (Format::Zola, Some(f @ ("frontmatter" | "yaml-frontmatter" | "json-frontmatter")))
            | (Format::Jekyll, Some(f @ ("toml-frontmatter" | "json-frontmatter"))) => {
                self.set(at(path, "format"), f, want.into());
                if self.t.to == Format::Jekyll {
                    self.note(&at(path, "format"), "format", format!("collection `{coll}`: Jekyll reads YAML front matter only: `{f}` is now `{want}`"));
                }
            }
            _ => {}
        }
        let same = |v: &Value| v.as_str() == Some(delimiter);
        match c.get("frontmatter_delimiter") {
            None => {}
            Some(Value::Sequence(d)) if d.iter().all(same) => {}
            Some(v) if same(v) => {}
            Some(_) => {
                self.note(&at(path, "frontmatter_delimiter"), "frontmatter_delimiter", format!("collection `{coll}`: the target reads front matter between `{delimiter}` lines only: the delimiter option is removed"));
                self.ops.push(Op::Remove(at(path, "frontmatter_delimiter")));
            }
        }
    }

    /// The relation widgets in a fields list (and below it): the fields they name in their
    /// collection follow that collection's renames and moves. `skip_gone`: leave out the
    /// top-level fields the target drops (they are removed with whatever they hold).
    fn relations_of(&mut self, fields: Option<&Value>, path: &[Seg], skip_gone: bool) {
        let Some(items) = fields.and_then(Value::as_sequence) else { return };
        for (i, f) in items.iter().enumerate() {
            let gone =
                str_at(f, "name").is_some_and(|n| matches!(self.place(n, false), Place::Gone(_)));
            if !(skip_gone && gone) {
                self.relation(f, &at(path, i));
            }
        }
    }

    fn relation(&mut self, f: &Value, path: &[Seg]) {
        if str_at(f, "widget") == Some("relation") {
            let target = str_at(f, "collection").unwrap_or_default();
            if let Some(section) = self.target_section(target, str_at(f, "file")) {
                let name = str_at(f, "name").unwrap_or_default();
                for key in ["value_field", "search_fields", "display_fields"] {
                    let what = format!("`{key}` of relation `{name}` (to collection `{target}`)");
                    match f.get(key) {
                        Some(Value::String(s)) => {
                            let new = self.rewritten(&at(path, key), s, section, &what);
                            self.set(at(path, key), s, new);
                        }
                        Some(Value::Sequence(items)) => {
                            for (k, v) in items.iter().enumerate() {
                                let Some(s) = v.as_str() else { continue };
                                let p = at(&at(path, key), k);
                                let new = self.rewritten(&p, s, section, &what);
                                self.set(p, s, new);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        for (i, sub) in
            f.get("fields").and_then(Value::as_sequence).into_iter().flatten().enumerate()
        {
            self.relation(sub, &at(&at(path, "fields"), i));
        }
        if let Some(single) = f.get("field").filter(|v| v.is_mapping()) {
            self.relation(single, &at(path, "field"));
        }
        for (k, ty) in f.get("types").and_then(Value::as_sequence).into_iter().flatten().enumerate()
        {
            self.relations_of(ty.get("fields"), &at(&at(&at(path, "types"), k), "fields"), false);
        }
    }

    /// Whether the entries a relation points to are Zola sections (`Some(false)`: pages),
    /// or `None` when they are data files, whose keys no rule touches.
    fn target_section(&self, collection: &str, file: Option<&str>) -> Option<bool> {
        let all = self.doc.get("collections").and_then(Value::as_sequence);
        let Some(c) = all.into_iter().flatten().find(|c| str_at(c, "name") == Some(collection))
        else {
            return Some(false);
        };
        if str_at(c, "folder").is_some() {
            return markdown(str_at(c, "extension"), str_at(c, "format")).then_some(false);
        }
        let mut files = c.get("files").and_then(Value::as_sequence).into_iter().flatten();
        let entry = files.find(|f| file.is_none_or(|n| str_at(f, "name") == Some(n)))?;
        let path = str_at(entry, "file")?;
        let out = repo_path(path, self.t.file).map_or_else(|| path.to_string(), |(_, o)| o);
        markdown(extension(path), str_at(c, "format"))
            .then(|| out.rsplit('/').next().is_some_and(|n| n.starts_with("_index.")))
    }

    /// A field reference (`who`, `who.first`, or a template `{{fields.who}} {{slug}}`) as
    /// it reads in the target; each field the target no longer has is noted.
    fn rewritten(&mut self, path: &[Seg], s: &str, section: bool, what: &str) -> String {
        let mut gone = Vec::new();
        let new = if s.contains("{{") {
            let mut out = String::with_capacity(s.len());
            let mut rest = s;
            while let Some(i) = rest.find("{{") {
                let Some(j) = rest[i + 2..].find("}}") else { break };
                out.push_str(&rest[..i + 2]);
                out.push_str(&self.rewrite_tag(&rest[i + 2..i + 2 + j], section, &mut gone));
                out.push_str("}}");
                rest = &rest[i + 4 + j..];
            }
            out.push_str(rest);
            out
        } else {
            self.rewrite_path(s, section, &mut gone)
        };
        for g in gone {
            self.note(path, &g, format!("{what} names `{g}`, which the target no longer has: left as written, fix it by hand"));
        }
        new
    }

    fn rewrite_tag(&self, tag: &str, section: bool, gone: &mut Vec<String>) -> String {
        let (expr, filter) = tag.split_once('|').map_or((tag, None), |(e, f)| (e, Some(f)));
        let key = expr.trim();
        let (prefix, field) = match key.strip_prefix("fields.") {
            Some(f) => ("fields.", f),
            None if key.is_empty() || TEMPLATE_TAGS.contains(&key) => return tag.to_string(),
            None => ("", key),
        };
        let lead = &expr[..expr.len() - expr.trim_start().len()];
        let trail = &expr[expr.trim_end().len()..];
        let new = self.rewrite_path(field, section, gone);
        let filter = filter.map(|f| format!("|{f}")).unwrap_or_default();
        format!("{lead}{prefix}{new}{trail}{filter}")
    }

    fn rewrite_path(&self, p: &str, section: bool, gone: &mut Vec<String>) -> String {
        let (first, rest) = p.split_once('.').map_or((p, None), |(f, r)| (f, Some(r)));
        if first.is_empty() || first == "*" {
            return p.to_string();
        }
        match (self.place(first, section), rest) {
            (Place::Gone(_), _) => {
                gone.push(first.to_string());
                p.to_string()
            }
            (Place::At(n), None) => n,
            (Place::At(n), Some(r)) => format!("{n}.{r}"),
        }
    }
}

/// Applies the operations to the parsed configuration: sets, additions, regroupings, then
/// removals (last first, so that indexes hold).
fn apply(doc: &mut Value, ops: &[Op]) -> Option<()> {
    fn get_mut<'v>(mut v: &'v mut Value, path: &[Seg]) -> Option<&'v mut Value> {
        for s in path {
            v = match s {
                Seg::Key(k) => v.get_mut(k.as_str())?,
                Seg::Index(i) => v.get_mut(*i)?,
            };
        }
        Some(v)
    }
    for op in ops {
        if let Op::Set(p, value) = op {
            *get_mut(doc, p)? = Value::String(value.clone());
        }
    }
    for op in ops {
        if let Op::Add { map, key, value, .. } = op {
            get_mut(doc, map)?.as_mapping_mut()?.insert((*key).into(), value.as_str().into());
        }
    }
    for op in ops {
        if let Op::Group(p, slots) = op {
            let seq = get_mut(doc, p)?.as_sequence_mut()?;
            let old = std::mem::take(seq);
            for s in slots {
                seq.push(match s {
                    Slot::Keep(i) => old.get(*i)?.clone(),
                    Slot::Object { name, label, optional, items } => {
                        let mut m = Mapping::new();
                        m.insert("label".into(), (*label).into());
                        m.insert("name".into(), (*name).into());
                        m.insert("widget".into(), "object".into());
                        if *optional {
                            m.insert("required".into(), false.into());
                        }
                        let members: Option<Vec<Value>> =
                            items.iter().map(|i| old.get(*i).cloned()).collect();
                        m.insert("fields".into(), Value::Sequence(members?));
                        Value::Mapping(m)
                    }
                });
            }
        }
    }
    let mut removes: Vec<&Path> =
        ops.iter().filter_map(|o| if let Op::Remove(p) = o { Some(p) } else { None }).collect();
    removes.sort();
    for p in removes.into_iter().rev() {
        let (last, parent) = p.split_last()?;
        match (get_mut(doc, parent)?, last) {
            (Value::Mapping(m), Seg::Key(k)) => {
                m.shift_remove(k.as_str());
            }
            (Value::Sequence(s), Seg::Index(i)) if *i < s.len() => {
                s.remove(*i);
            }
            _ => return None,
        }
    }
    Some(())
}

mod edit;
#[cfg(test)]
mod tests;
mod yaml;

use edit::*;
use yaml::*;
