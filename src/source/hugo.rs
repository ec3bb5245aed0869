//! Reads a Hugo site: its configuration (`hugo.*`, `config.*`, `config/_default/`), the
//! content folder (pages, bundles, resources), the static folders, and the URL Hugo gives
//! each page.

use super::mounts::Mounts;
use super::walk::{self, SourceFile};
use super::{ReadOptions, SiteRead, decap, resolve, split};
use crate::error::{Error, Location, Result};
use crate::model::Mount;
use crate::model::{
    BundleKind, FileRole, FrontMatter, FrontMatterFormat, LineIndex, Model, Page, PageKind,
    Problem, Section, Severity, SiteInfo, Taxonomy, Term, TextInfo,
};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Names of a site's main configuration file, in Hugo's order of precedence.
const CONFIG_NAMES: &[&str] = &[
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
];

/// Extensions Hugo reads as content pages.
const PAGE_EXTENSIONS: &[&str] =
    &["md", "markdown", "mdown", "html", "htm", "org", "adoc", "pdc", "rst"];

/// Shortcodes built into Hugo (0.111 to 0.168), known without a template in the site.
const BUILTIN_SHORTCODES: &[&str] = &[
    "comment",
    "details",
    "figure",
    "gist",
    "highlight",
    "instagram",
    "param",
    "qr",
    "ref",
    "relref",
    "tweet",
    "twitter",
    "vimeo",
    "vimeo_simple",
    "x",
    "youtube",
];

/// The configuration files of the site at `root`, main file first; `None` when there is none.
pub fn find_config(root: &Path) -> Option<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> =
        CONFIG_NAMES.iter().map(|n| root.join(n)).filter(|p| p.is_file()).take(1).collect();
    let dir = root.join("config").join("_default");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut extra: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && format_of(p).is_some())
            .collect();
        extra.sort();
        found.extend(extra);
    }
    (!found.is_empty()).then_some(found)
}

fn format_of(path: &Path) -> Option<FrontMatterFormat> {
    match path.extension()?.to_str()? {
        "toml" => Some(FrontMatterFormat::Toml),
        "yaml" | "yml" => Some(FrontMatterFormat::Yaml),
        "json" => Some(FrontMatterFormat::Json),
        _ => None,
    }
}

/// The settings carton needs from a Hugo configuration.
#[derive(Debug, Clone)]
struct Config {
    value: Value,
    base_url: String,
    mounts: Vec<Mount>,
    /// (singular, plural)
    taxonomies: Vec<(String, String)>,
    path_to_lower: bool,
    remove_accents: bool,
    ugly_urls: bool,
    permalinks: BTreeMap<String, String>,
}

/// Hugo's configuration keys are case-insensitive.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn get_str(v: &Value, key: &str) -> Option<String> {
    get(v, key).and_then(Value::as_str).map(str::to_string)
}

fn get_bool(v: &Value, key: &str) -> bool {
    get(v, key).and_then(Value::as_bool).unwrap_or(false)
}

fn load_config(root: &Path, files: &[PathBuf]) -> Result<(Config, Vec<String>)> {
    let mut merged = Map::new();
    let mut names = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Read(e, path.clone()))?;
        let format = format_of(path).unwrap_or(FrontMatterFormat::Toml);
        let value = split::parse_config(&text, format).map_err(|e| Error::Config {
            location: Location { path: path.clone(), line: e.line, column: e.column },
            msg: e.message,
        })?;
        let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let in_dir = rel.starts_with("config/");
        match value {
            Value::Object(map) if !in_dir || stem == "hugo" || stem == "config" => {
                merged.extend(map)
            }
            other => {
                merged.insert(stem.to_string(), other);
            }
        }
        names.push(rel);
    }
    let value = Value::Object(merged);
    let static_dirs = match get(&value, "staticDir") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec!["static".into()],
    };
    let taxonomies = match get(&value, "taxonomies") {
        Some(Value::Object(m)) => {
            m.iter().filter_map(|(k, v)| v.as_str().map(|p| (k.clone(), p.to_string()))).collect()
        }
        _ => vec![("category".into(), "categories".into()), ("tag".into(), "tags".into())],
    };
    let mut permalinks = BTreeMap::new();
    if let Some(Value::Object(m)) = get(&value, "permalinks") {
        for (k, v) in m {
            match v {
                Value::String(s) => {
                    permalinks.insert(k.clone(), s.clone());
                }
                // Newer configs nest by page kind: `[permalinks.page] posts = ...`.
                Value::Object(inner) if k == "page" => {
                    for (k, v) in inner {
                        if let Some(s) = v.as_str() {
                            permalinks.insert(k.clone(), s.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let config = Config {
        base_url: get_str(&value, "baseURL").unwrap_or_default(),
        mounts: mounts(&value, &static_dirs),
        taxonomies,
        path_to_lower: !get_bool(&value, "disablePathToLower"),
        remove_accents: get_bool(&value, "removePathAccents"),
        ugly_urls: get_bool(&value, "uglyURLs"),
        permalinks,
        value,
    };
    Ok((config, names))
}

/// Content and static mounts: `[[module.mounts]]` when the site declares some for a target
/// (Hugo then drops that target's default), else `contentDir` (and each language's) and
/// `staticDir`.
fn mounts(value: &Value, static_dirs: &[String]) -> Vec<Mount> {
    let declared: Vec<Mount> = get(value, "module")
        .and_then(|m| get(m, "mounts"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let source = trim_dir(get(m, "source")?.as_str()?);
            let target = trim_dir(get(m, "target")?.as_str()?);
            let root = target.split('/').next().unwrap_or("");
            matches!(root, "content" | "static" | "assets").then_some(Mount { source, target })
        })
        .collect();
    let has = |root: &str| declared.iter().any(|m| m.target.split('/').next() == Some(root));
    let mut out = declared.clone();
    if !has("content") {
        let mut dirs = vec![get_str(value, "contentDir").unwrap_or_else(|| "content".into())];
        if let Some(Value::Object(langs)) = get(value, "languages") {
            dirs.extend(langs.values().filter_map(|l| get_str(l, "contentDir")));
        }
        for d in dirs {
            let m = Mount { source: trim_dir(&d), target: "content".into() };
            if !out.contains(&m) {
                out.push(m);
            }
        }
    }
    if !has("static") {
        out.extend(
            static_dirs.iter().map(|d| Mount { source: trim_dir(d), target: "static".into() }),
        );
    }
    if !has("assets") {
        let dir = get_str(value, "assetDir").unwrap_or_else(|| "assets".into());
        out.push(Mount { source: trim_dir(&dir), target: "assets".into() });
    }
    out
}

fn trim_dir(d: &str) -> String {
    d.trim_start_matches("./").trim_matches('/').to_string()
}

/// One page file, read and parsed.
pub(super) struct Parsed {
    pub(super) bytes: Arc<[u8]>,
    pub(super) text: String,
    pub(super) front_matter: Option<FrontMatter>,
    pub(super) fm_error: Option<split::SplitError>,
    pub(super) body_start: usize,
    pub(super) text_info: TextInfo,
}

pub(super) fn parse_page(bytes: Arc<[u8]>) -> Parsed {
    let (text, utf8) = match std::str::from_utf8(&bytes) {
        Ok(t) => (t.to_string(), true),
        Err(_) => (String::from_utf8_lossy(&bytes).into_owned(), false),
    };
    let text_info = TextInfo {
        bom: text.starts_with('\u{feff}'),
        line_endings: line_endings(&text).into(),
        utf8,
    };
    let index = LineIndex::new(&text);
    let (front_matter, fm_error, body_start) = match split::split(&text) {
        Ok(None) => (None, None, if text_info.bom { 3 } else { 0 }),
        Ok(Some(raw)) => {
            let (fields, err) = match split::parse(&text, &raw) {
                Ok(v) => (v, None),
                Err(e) => (Value::Null, Some(e)),
            };
            let span = index.span(raw.block.clone(), 0);
            (Some(FrontMatter { format: raw.format, span, fields }), err, raw.block.end)
        }
        // An unclosed fence, or a shortcode where Hugo looks for front matter: the whole
        // file is the body, carried raw.
        Err(e) => (None, Some(e), 0),
    };
    Parsed { bytes, text, front_matter, fm_error, body_start, text_info }
}

fn line_endings(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count();
    match (crlf, lf) {
        (0, 0) => "none",
        (0, _) => "lf",
        (c, l) if c == l => "crlf",
        _ => "mixed",
    }
}

/// Reads a Hugo site.
pub fn read(root: &Path, opts: &ReadOptions) -> Result<SiteRead> {
    let config_files = find_config(root).unwrap_or_default();
    let (config, config_names) = load_config(root, &config_files)?;
    let (mut files, skipped) = walk::list(root, opts.follow_links);
    let mut model = Model::new();
    model.summary.skipped = skipped;

    let mounts = Mounts::new(&config.mounts);
    let config_set: BTreeSet<&str> = config_names.iter().map(String::as_str).collect();

    // Leaf bundle folders: everything below them but index.* is a resource.
    let leaf_dirs: BTreeSet<String> = files
        .iter()
        .filter_map(|f| mounts.content_path(&f.rel))
        .filter(|r| is_page_file(r) && file_stem(r) == "index")
        .map(|r| parent(&r).to_string())
        .collect();
    for f in &mut files {
        f.role = if config_set.contains(f.rel.as_str()) {
            FileRole::Config
        } else if let Some(r) = mounts.content_path(&f.rel) {
            let in_leaf = ancestors(&r).any(|d| leaf_dirs.contains(d)) && file_stem(&r) != "index";
            if is_page_file(&r) && !in_leaf { FileRole::Page } else { FileRole::Resource }
        } else if mounts.is_static(&f.rel) {
            FileRole::Static
        } else {
            FileRole::Other
        };
    }

    let mut pages = Vec::new();
    let mut texts = Vec::new();
    for (i, p) in super::read_pages(&mut files, &mut model) {
        let file = &files[i];
        let content_path = mounts.content_path(&file.rel).unwrap_or_default();
        let page = new_page(&config, &file.rel, &content_path, &p);
        texts.push((p.text, p.body_start));
        pages.push(page);
    }

    assign_urls(&config, &mut pages);
    let shortcode_templates = shortcode_templates(&files);
    let (sections, taxonomies) = sections_and_taxonomies(&config, &mut pages, &files, &mounts);

    model.site = SiteInfo {
        generator: "hugo".into(),
        root: "site".into(),
        title: get_str(&config.value, "title"),
        base_url: config.base_url.clone(),
        language: get_str(&config.value, "languageCode")
            .or_else(|| get_str(&config.value, "defaultContentLanguage")),
        config_files: config_names,
        content_dir: mounts.first_content().to_string(),
        static_dirs: config
            .mounts
            .iter()
            .filter(|m| m.target == "static")
            .map(|m| m.source.clone())
            .collect(),
        mounts: config.mounts.clone(),
        config: config.value.clone(),
    };
    model.sections = sections;
    model.taxonomies = taxonomies;

    let ctx =
        resolve::Context::new(&model, &pages, &files, shortcode_templates, BUILTIN_SHORTCODES);
    let results: Vec<resolve::PageRefs> = pages
        .par_iter()
        .zip(texts.par_iter())
        .map(|(page, (text, body))| ctx.page_refs(page, text, *body))
        .collect();
    for (page, refs) in pages.iter_mut().zip(results) {
        page.shortcodes = refs.shortcodes;
        page.references = refs.references;
        model.problems.extend(refs.problems);
    }
    model.pages = pages;
    resolve::collect_videos_and_documents(&mut model);

    model.schema = decap::read(root, &files, &mut model);

    Ok(super::finish(model, files))
}

pub(super) fn problem(
    code: &str,
    severity: Severity,
    path: &str,
    line: usize,
    column: usize,
    message: String,
) -> Problem {
    Problem { code: code.into(), severity, path: path.into(), line, column, message }
}

fn is_page_file(rel: &str) -> bool {
    let ext = super::media::extension(rel);
    PAGE_EXTENSIONS.contains(&ext.as_str())
}

fn file_stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

/// `a/b/c.md` → `a/b`, `a`, `` (the content root).
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(parent(rel));
    std::iter::from_fn(move || {
        let d = cur?;
        cur = if d.is_empty() { None } else { Some(parent(d)) };
        Some(d)
    })
}

fn new_page(config: &Config, rel: &str, content_path: &str, p: &Parsed) -> Page {
    let fields = p.front_matter.as_ref().map(|f| &f.fields).filter(|v| v.is_object());
    let field_str = |k: &str| fields.and_then(|f| f.get(k)).and_then(scalar_text);
    let stem = file_stem(content_path);
    let dir = parent(content_path);
    let depth = if dir.is_empty() { 0 } else { dir.split('/').count() };
    let first = dir.split('/').next().unwrap_or("");
    let is_taxonomy = config.taxonomies.iter().any(|(_, plural)| plural == first);
    let (kind, bundle) = match stem {
        "_index" if depth == 0 => (PageKind::Home, Some(BundleKind::Branch)),
        "_index" if is_taxonomy && depth == 1 => (PageKind::Taxonomy, Some(BundleKind::Branch)),
        "_index" if is_taxonomy && depth == 2 => (PageKind::Term, Some(BundleKind::Branch)),
        "_index" => (PageKind::Section, Some(BundleKind::Branch)),
        "index" => (PageKind::Page, Some(BundleKind::Leaf)),
        _ => (PageKind::Page, None),
    };
    let body_len = p.text.len();
    let body = LineIndex::new(&p.text).span(p.body_start..body_len, 0);
    let mut taxonomies = BTreeMap::new();
    if let Some(f) = fields {
        for (_, plural) in &config.taxonomies {
            let terms: Vec<String> = match f.get(plural) {
                Some(Value::Array(a)) => a.iter().filter_map(scalar_text).collect(),
                Some(v) => scalar_text(v).into_iter().collect(),
                None => continue,
            };
            if !terms.is_empty() {
                taxonomies.insert(plural.clone(), terms);
            }
        }
    }
    Page {
        path: rel.to_string(),
        content_path: content_path.to_string(),
        kind,
        bundle,
        section: if depth == 0 && stem != "_index" { String::new() } else { first.to_string() },
        url: String::new(),
        aliases: fields
            .and_then(|f| f.get("aliases"))
            .map(|a| match a {
                Value::Array(a) => a.iter().filter_map(scalar_text).collect(),
                v => scalar_text(v).into_iter().collect(),
            })
            .unwrap_or_default(),
        title: field_str("title"),
        date: field_str("date"),
        draft: fields.and_then(|f| f.get("draft")).and_then(Value::as_bool).unwrap_or(false),
        collection: None,
        front_matter: p.front_matter.clone(),
        body,
        text: p.text_info.clone(),
        shortcodes: Vec::new(),
        references: Vec::new(),
        resources: Vec::new(),
        taxonomies,
        relations: Vec::new(),
    }
}

/// A scalar as text (numbers and booleans too), `None` for lists, maps and null.
pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Gives each page the URL Hugo would, and resolves its aliases to absolute paths.
fn assign_urls(config: &Config, pages: &mut [Page]) {
    for page in pages.iter_mut() {
        let fields = page.front_matter.as_ref().map(|f| f.fields.clone()).unwrap_or(Value::Null);
        let dir = parent(&page.content_path).to_string();
        let url = if let Some(u) = fields.get("url").and_then(Value::as_str) {
            let u = if u.starts_with('/') { u.to_string() } else { format!("/{u}") };
            u.replace("\\:", ":")
        } else {
            match page.kind {
                PageKind::Home => "/".to_string(),
                PageKind::Section | PageKind::Taxonomy | PageKind::Term => {
                    format!("/{}/", urlize_path(config, &dir))
                }
                PageKind::Page => {
                    let slug = fields.get("slug").and_then(Value::as_str).map(str::to_string);
                    let (base_dir, name) = match page.bundle {
                        Some(BundleKind::Leaf) => (
                            parent(&dir).to_string(),
                            dir.rsplit('/').next().unwrap_or("").to_string(),
                        ),
                        _ => (dir.clone(), file_stem(&page.content_path).to_string()),
                    };
                    let section = page.section.clone();
                    match config.permalinks.get(&section).filter(|_| !section.is_empty()) {
                        Some(pattern) => {
                            expand_permalink(config, pattern, page, &fields, &name, slug.as_deref())
                        }
                        None => {
                            let last = slug.unwrap_or(name);
                            let path = if base_dir.is_empty() {
                                last
                            } else {
                                format!("{base_dir}/{last}")
                            };
                            let path = urlize_path(config, &path);
                            if config.ugly_urls {
                                format!("/{path}.html")
                            } else {
                                format!("/{path}/")
                            }
                        }
                    }
                }
            }
        };
        page.url = url;
        let base = page.url.clone();
        page.aliases = page
            .aliases
            .iter()
            .map(|a| if a.starts_with('/') { a.clone() } else { join_url(&parent_url(&base), a) })
            .collect();
    }
}

fn parent_url(url: &str) -> String {
    let trimmed = url.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(i) => trimmed[..=i].to_string(),
        None => "/".into(),
    }
}

/// Joins a relative URL path onto a base folder URL, resolving `.` and `..`.
pub(super) fn join_url(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').filter(|s| !s.is_empty()).collect();
    let trailing = rel.ends_with('/')
        || rel.ends_with("/.")
        || rel.ends_with("/..")
        || rel == "."
        || rel == "..";
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let mut out = format!("/{}", parts.join("/"));
    if trailing && !out.ends_with('/') {
        out.push('/');
    }
    out
}

fn expand_permalink(
    config: &Config,
    pattern: &str,
    page: &Page,
    fields: &Value,
    name: &str,
    slug: Option<&str>,
) -> String {
    let date = page.date.clone().unwrap_or_default();
    let (year, month, day) =
        (date.get(0..4).unwrap_or(""), date.get(5..7).unwrap_or(""), date.get(8..10).unwrap_or(""));
    let title = fields.get("title").and_then(Value::as_str).unwrap_or(name);
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(i) = rest.find(':') {
        out.push_str(&rest[..i]);
        let token_end = rest[i + 1..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .map_or(rest.len(), |j| i + 1 + j);
        let token = &rest[i + 1..token_end];
        let value = match token {
            "year" => year.to_string(),
            "month" => month.to_string(),
            "day" => day.to_string(),
            "title" => urlize(config, title),
            "slug" | "slugorfilename" | "slugorcontentbasename" => {
                urlize(config, slug.unwrap_or(name))
            }
            "filename" | "contentbasename" => urlize(config, name),
            "section" => page.section.clone(),
            "sections" => parent(&page.content_path).to_string(),
            _ => format!(":{token}"),
        };
        out.push_str(&value);
        rest = &rest[token_end..];
    }
    out.push_str(rest);
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

fn urlize_path(config: &Config, path: &str) -> String {
    path.split('/').map(|s| urlize(config, s)).collect::<Vec<_>>().join("/")
}

/// Hugo's path sanitising: keep letters, digits, marks and `._~-@+#`, spaces become `-`,
/// lower-case unless disabled, accents removed when asked.
pub(super) fn urlize_with(s: &str, lower: bool, remove_accents: bool) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    let base: String = if remove_accents {
        s.nfd().filter(|c| !is_combining_mark(*c)).collect()
    } else {
        s.to_string()
    };
    let mut out = String::with_capacity(base.len());
    let mut prev_dash = false;
    for c in base.chars() {
        if c.is_whitespace() {
            if !prev_dash {
                out.push('-');
            }
            prev_dash = true;
            continue;
        }
        if c.is_alphanumeric() || is_combining_mark(c) || "._~-@+#%".contains(c) {
            out.push(c);
            prev_dash = c == '-';
        }
    }
    let out: String = if remove_accents { out } else { out.nfc().collect() };
    if lower { out.to_lowercase() } else { out }
}

fn urlize(config: &Config, s: &str) -> String {
    urlize_with(s, config.path_to_lower, config.remove_accents)
}

/// Names of the shortcode templates the site (or its themes) defines.
fn shortcode_templates(files: &[SourceFile]) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|f| {
            let (dir, name) = f.rel.rsplit_once('/')?;
            let is_sc_dir =
                dir.ends_with("layouts/shortcodes") || dir.ends_with("layouts/_shortcodes");
            is_sc_dir.then(|| name.split('.').next().unwrap_or(name).to_string())
        })
        .collect()
}

fn sections_and_taxonomies(
    config: &Config,
    pages: &mut [Page],
    files: &[SourceFile],
    mounts: &Mounts,
) -> (Vec<Section>, Vec<Taxonomy>) {
    // Sections: top-level folders, and deeper folders that have an `_index` page.
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    for page in pages.iter() {
        let dir = parent(&page.content_path);
        if page.bundle == Some(BundleKind::Branch) || (!dir.is_empty() && !dir.contains('/')) {
            let path = dir.to_string();
            let entry = sections.entry(path.clone()).or_insert_with(|| Section {
                url: if path.is_empty() {
                    "/".into()
                } else {
                    format!("/{}/", urlize_path(config, &path))
                },
                path,
                ..Default::default()
            });
            if page.bundle == Some(BundleKind::Branch) {
                entry.index = Some(page.path.clone());
                entry.url = page.url.clone();
            }
        }
    }
    for page in pages.iter() {
        if page.bundle == Some(BundleKind::Branch) {
            continue;
        }
        let dir = match page.bundle {
            Some(BundleKind::Leaf) => parent(parent(&page.content_path)),
            _ => parent(&page.content_path),
        };
        let owner = std::iter::once(dir).chain(ancestors(dir)).find(|d| sections.contains_key(*d));
        if let Some(owner) = owner
            && let Some(s) = sections.get_mut(owner)
        {
            s.pages.push(page.path.clone());
        }
    }

    // Resources: files of a leaf bundle's folder tree, or files beside a branch bundle's index.
    let page_dirs: BTreeMap<String, usize> = pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.bundle.is_some())
        .map(|(i, p)| (parent(&p.content_path).to_string(), i))
        .collect();
    for f in files.iter().filter(|f| f.role == FileRole::Resource) {
        let Some(r) = mounts.content_path(&f.rel) else { continue };
        let r = r.as_str();
        let owner = ancestors(r).find_map(|d| {
            let i = *page_dirs.get(d)?;
            let leaf = pages[i].bundle == Some(BundleKind::Leaf);
            (leaf || d == parent(r)).then_some(i)
        });
        if let Some(i) = owner {
            pages[i].resources.push(f.rel.clone());
        }
    }

    let mut taxonomies = Vec::new();
    for (singular, plural) in &config.taxonomies {
        let mut terms: BTreeMap<String, Term> = BTreeMap::new();
        let mut index = None;
        for page in pages.iter() {
            if let Some(names) = page.taxonomies.get(plural) {
                for name in names {
                    let t = terms.entry(name.clone()).or_insert_with(|| Term {
                        name: name.clone(),
                        url: format!("/{}/{}/", urlize(config, plural), urlize(config, name)),
                        ..Default::default()
                    });
                    t.pages.push(page.path.clone());
                }
            }
            if parent(&page.content_path).split('/').next() != Some(plural.as_str()) {
                continue;
            }
            match page.kind {
                PageKind::Taxonomy => index = Some(page.path.clone()),
                PageKind::Term => {
                    // A term page names its term by its title, or else by its folder.
                    let folder = parent(&page.content_path).rsplit('/').next().unwrap_or("");
                    let by_url = terms.values().find(|t| t.url == page.url).map(|t| t.name.clone());
                    let name =
                        by_url.or_else(|| page.title.clone()).unwrap_or_else(|| folder.to_string());
                    let t = terms.entry(name.clone()).or_insert_with(|| Term {
                        name,
                        url: page.url.clone(),
                        ..Default::default()
                    });
                    t.page = Some(page.path.clone());
                }
                _ => {}
            }
        }
        // A regular page at a term's URL (`content/themes/culture.md`) is that term's page.
        for t in terms.values_mut().filter(|t| t.page.is_none()) {
            t.page = pages.iter().find(|p| p.url == t.url).map(|p| p.path.clone());
        }
        taxonomies.push(Taxonomy {
            name: plural.clone(),
            singular: singular.clone(),
            index,
            terms: terms.into_values().collect(),
        });
    }
    (sections.into_values().collect(), taxonomies)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlize_follows_hugo() {
        assert_eq!(urlize_with("Promotion 4", true, false), "promotion-4");
        assert_eq!(urlize_with("Santé", true, true), "sante");
        assert_eq!(urlize_with("Santé", true, false), "santé");
        assert_eq!(urlize_with("Chiffres-EIG", true, false), "chiffres-eig");
        assert_eq!(urlize_with("a  b?c", false, false), "a-bc");
    }

    #[test]
    fn join_url_resolves_dots() {
        assert_eq!(join_url("/defis/adex/", "img/x.pdf"), "/defis/adex/img/x.pdf");
        assert_eq!(join_url("/defis/adex/", "../autre/"), "/defis/autre/");
        assert_eq!(join_url("/a/", "../../.."), "/");
    }

    #[test]
    fn ancestors_walk_up_to_the_root() {
        assert_eq!(ancestors("a/b/c.md").collect::<Vec<_>>(), ["a/b", "a", ""]);
        assert_eq!(ancestors("c.md").collect::<Vec<_>>(), [""]);
    }
}
