//! Reads a Jekyll site (4.x): `_config.yml` (and overrides), pages, posts in any `_posts/`
//! folder (`en/_posts/` too) with dates from their file names as Jekyll reads them (2- or
//! 4-digit years), drafts, collection documents, data files, static files, and the URL
//! Jekyll gives each page (permalink styles and placeholders, collection permalinks, front
//! matter defaults). `redirect_from` and a Netlify `_redirects` file give aliases.
//!
//! Which files Jekyll publishes follows its reader: names starting with `_`, `.` or `#`, or
//! ending with `~`, and excluded paths are not published unless `include` names them; a file
//! with front matter is a page, any other a static file.

use super::hugo::{Parsed, problem, scalar_text};
use super::walk::{self, SourceFile};
use super::{ReadOptions, SiteRead};
use crate::error::{Error, Result};
use crate::model::{
    FileRole, LineIndex, Model, Mount, Page, PageKind, Section, Severity, SiteInfo, Taxonomy, Term,
};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// Configuration files Jekyll reads by default, in its order of preference.
const CONFIG_NAMES: &[&str] = &["_config.yml", "_config.yaml", "_config.toml"];

/// What Jekyll excludes when the configuration does not say otherwise.
const DEFAULT_EXCLUDE: &[&str] = &[
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
];

/// Files at a site's root that build or deploy it and are not part of what it publishes
/// (Jekyll would copy them unless excluded; no one means them to be served).
const BUILD_FILES: &[&str] = &[
    "Dockerfile",
    "Makefile",
    "Rakefile",
    "Procfile",
    "Vagrantfile",
    "docker-compose.yml",
    "docker-compose.yaml",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "netlify.toml",
    "vercel.json",
    "Gemfile",
    "Gemfile.lock",
];

/// Extensions Jekyll converts from Markdown (its `markdown_ext` default).
const MARKDOWN_EXT: &[&str] = &["markdown", "mkdown", "mkdn", "mkd", "md"];

/// Jekyll's file name of a dated document: `2019-04-12-title.md`, `18-02-27-title.md`.
static DATED: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^(\d{2,4})-(\d{1,2})-(\d{1,2})-([^/]*)(\.[^./]+)$").expect("valid regex")
});

/// The site configuration's main file (relative to the root), if the folder holds a
/// Jekyll site.
pub fn find_config(root: &Path) -> Option<PathBuf> {
    CONFIG_NAMES.iter().map(PathBuf::from).find(|n| root.join(n).is_file())
}

/// A collection as configured.
#[derive(Debug, Clone)]
struct CollectionCfg {
    label: String,
    output: bool,
    permalink: Option<String>,
}

/// One `defaults` entry: values for the files its scope covers.
#[derive(Debug, Clone)]
struct FrontMatterDefault {
    path: String,
    kind: Option<String>,
    values: Map<String, Value>,
}

/// The configuration, as Jekyll reads it.
#[derive(Debug)]
struct Config {
    value: Value,
    files: Vec<String>,
    collections: Vec<CollectionCfg>,
    collections_dir: String,
    /// The posts' permalink template (from the `permalink` style).
    posts_permalink: String,
    /// The `permalink` setting as written (a style name or a template).
    style: String,
    include: Vec<String>,
    exclude: Vec<String>,
    defaults: Vec<FrontMatterDefault>,
    special_dirs: Vec<String>,
    markdown_ext: Vec<String>,
}

fn get_str(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(scalar_text)
}

fn list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(scalar_text).collect(),
        Some(v) => scalar_text(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Merges `over` into `base`, maps key by key (Jekyll's deep merge).
fn deep_merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        deep_merge(existing, v)
                    }
                    _ => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// The permalink template of a style name (`date`, `pretty`, ...), or the template itself.
fn style_template(style: &str) -> String {
    match style {
        "date" => "/:categories/:year/:month/:day/:title:output_ext".into(),
        "pretty" => "/:categories/:year/:month/:day/:title/".into(),
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext".into(),
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext".into(),
        "none" => "/:categories/:title:output_ext".into(),
        other => other.into(),
    }
}

/// Jekyll's `add_permalink_suffix`: what a template without a file name part ends with.
fn permalink_suffix(template: &str, style: &str) -> String {
    let mut t = template.to_string();
    match style {
        "pretty" => t.push('/'),
        "date" | "ordinal" | "none" | "weekdate" => t.push_str(":output_ext"),
        s => {
            if s.ends_with('/') {
                t.push('/');
            }
            if s.ends_with(":output_ext") {
                t.push_str(":output_ext");
            }
        }
    }
    t
}

fn load_config(root: &Path, main: &Path, extra: &[PathBuf]) -> Result<Config> {
    let mut value = Value::Object(Map::new());
    let mut files = Vec::new();
    for path in std::iter::once(main.to_path_buf()).chain(extra.iter().cloned()) {
        let abs = if path.is_absolute() { path.clone() } else { root.join(&path) };
        let text = std::fs::read_to_string(&abs).map_err(|e| Error::Read(e, abs.clone()))?;
        let format = if abs.extension().is_some_and(|e| e == "toml") {
            crate::model::FrontMatterFormat::Toml
        } else {
            crate::model::FrontMatterFormat::Yaml
        };
        let v = super::split::parse_config(&text, format).map_err(|e| Error::Config {
            location: crate::error::Location { path: abs.clone(), line: e.line, column: e.column },
            msg: e.message,
        })?;
        if !v.is_null() {
            deep_merge(&mut value, v);
        }
        let rel = abs
            .strip_prefix(root)
            .map_or_else(|_| abs.display().to_string(), |r| r.to_string_lossy().replace('\\', "/"));
        files.push(rel);
    }
    let collections_dir =
        get_str(&value, "collections_dir").unwrap_or_default().trim_matches('/').to_string();
    let style = get_str(&value, "permalink").unwrap_or_else(|| "date".into());
    let mut collections = Vec::new();
    match value.get("collections") {
        Some(Value::Object(m)) => {
            for (label, meta) in m {
                collections.push(CollectionCfg {
                    label: label.clone(),
                    output: meta.get("output").and_then(Value::as_bool).unwrap_or(false),
                    permalink: get_str(meta, "permalink"),
                });
            }
        }
        Some(Value::Array(a)) => {
            for label in a.iter().filter_map(scalar_text) {
                collections.push(CollectionCfg { label, output: false, permalink: None });
            }
        }
        _ => {}
    }
    // Posts are a collection too, always written, with the site's permalink style.
    let posts_permalink = match collections.iter().find(|c| c.label == "posts") {
        Some(c) => {
            c.permalink.clone().map_or_else(|| style_template(&style), |p| style_template(&p))
        }
        None => style_template(&style),
    };
    collections.retain(|c| c.label != "posts");
    let mut exclude: Vec<String> = DEFAULT_EXCLUDE.iter().map(|s| s.to_string()).collect();
    exclude.extend(list(value.get("exclude")));
    let mut include = vec![".htaccess".to_string()];
    include.extend(list(value.get("include")));
    let mut defaults = Vec::new();
    for d in value.get("defaults").and_then(Value::as_array).into_iter().flatten() {
        let scope = d.get("scope");
        defaults.push(FrontMatterDefault {
            path: scope.and_then(|s| get_str(s, "path")).unwrap_or_default(),
            kind: scope.and_then(|s| get_str(s, "type")),
            values: d.get("values").and_then(Value::as_object).cloned().unwrap_or_default(),
        });
    }
    let dir = |key: &str, default: &str| {
        get_str(&value, key).unwrap_or_else(|| default.into()).trim_matches('/').to_string()
    };
    let special_dirs = vec![
        dir("layouts_dir", "_layouts"),
        dir("includes_dir", "_includes"),
        dir("data_dir", "_data"),
        dir("plugins_dir", "_plugins"),
        "_sass".to_string(),
    ];
    let markdown_ext = get_str(&value, "markdown_ext").map_or_else(
        || MARKDOWN_EXT.iter().map(|s| s.to_string()).collect(),
        |s| s.split(',').map(|e| e.trim().to_ascii_lowercase()).collect(),
    );
    Ok(Config {
        value,
        files,
        collections,
        collections_dir,
        posts_permalink,
        style,
        include,
        exclude,
        defaults,
        special_dirs,
        markdown_ext,
    })
}

/// Whether `path` matches an `include`/`exclude` entry: the entry names it or a folder
/// above it, or matches it as a glob.
fn matches_entry(path: &str, entry: &str) -> bool {
    let entry = entry.trim_start_matches("./").trim_start_matches('/');
    let e = entry.trim_end_matches('/');
    if e.is_empty() {
        return false;
    }
    if path == e || path.starts_with(&format!("{e}/")) {
        return true;
    }
    // A bare name matches at the top only, as in Jekyll (relative to the source).
    if e.contains(['*', '?', '[']) {
        return glob_match(e, path)
            || path.match_indices('/').any(|(i, _)| glob_match(e, &path[..i]));
    }
    false
}

/// A shell glob (`*`, `?`; neither crosses `/`), as Ruby's `File.fnmatch` with
/// `FNM_PATHNAME`.
fn glob_match(pattern: &str, s: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    // Where to resume after the last `*`: (pattern index after it, text index it covers to).
    let mut back: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == '*' {
            back = Some((pi + 1, ti));
            pi += 1;
        } else if pi < p.len() && (p[pi] == t[ti] || (p[pi] == '?' && t[ti] != '/')) {
            pi += 1;
            ti += 1;
        } else {
            match back {
                Some((bp, bt)) if t[bt] != '/' => {
                    pi = bp;
                    ti = bt + 1;
                    back = Some((bp, bt + 1));
                }
                _ => return false,
            }
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// A name Jekyll's reader leaves out unless `include` names it.
fn special(name: &str) -> bool {
    name.starts_with(['_', '.', '#']) || name.ends_with('~')
}

/// What a file is to Jekyll.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// A page (front matter, outside collections).
    Page,
    /// A post (`_posts/`) or draft (`_drafts/`): collection `posts`.
    Post { draft: bool, categories: Vec<String> },
    /// A document of a collection.
    Document { label: String },
    /// Published as it is, at its path (or its collection's).
    Static,
    /// Read by the build, not published: why.
    Input(&'static str),
}

fn has_front_matter(abs: &Path) -> bool {
    use std::io::Read;
    let mut buf = [0u8; 8];
    let n = super::walk::open_regular(abs).and_then(|mut f| f.read(&mut buf)).unwrap_or(0);
    let head = &buf[..n];
    let head = head.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(head);
    head.starts_with(b"---") && {
        let rest = &head[3..];
        let ws = rest.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
        matches!(rest.get(ws), Some(b'\n') | Some(b'\r'))
    }
}

fn classify(config: &Config, rel: &str, fm: bool) -> Kind {
    let included = |p: &str| config.include.iter().any(|e| matches_entry(p, e));
    let excluded = |p: &str| config.exclude.iter().any(|e| matches_entry(p, e)) && !included(p);
    if excluded(rel) {
        return Kind::Input("excluded by the configuration");
    }
    let segs: Vec<&str> = rel.split('/').collect();
    let name = segs.last().copied().unwrap_or(rel);
    // Posts and drafts: `_posts/` or `_drafts/` below any published folder.
    if let Some(i) = segs.iter().position(|s| *s == "_posts" || *s == "_drafts") {
        let above = &segs[..i];
        let above_ok = above.iter().enumerate().all(|(j, s)| {
            !special(s)
                || included(&segs[..=j].join("/"))
                || (j == 0 && config.collections_dir == *s)
        });
        if above_ok {
            let draft = segs[i] == "_drafts";
            if special(name) && !included(rel) {
                return Kind::Input("a file Jekyll skips (its name starts with `_`, `.` or `#`)");
            }
            if !draft && !DATED.is_match(name) {
                return Kind::Input(
                    "in _posts/ without a date in its name (YYYY-MM-DD-title): Jekyll skips it",
                );
            }
            let categories = above
                .iter()
                .filter(|s| **s != config.collections_dir)
                .map(|s| s.to_string())
                .collect();
            return Kind::Post { draft, categories };
        }
    }
    let col_root = if config.collections_dir.is_empty() {
        String::new()
    } else {
        format!("{}/", config.collections_dir)
    };
    for c in &config.collections {
        if let Some(rest) = rel.strip_prefix(&format!("{col_root}_{}/", c.label)) {
            if rest.split('/').any(special) && !included(rel) {
                return Kind::Input("a file Jekyll skips (its name starts with `_`, `.` or `#`)");
            }
            if fm {
                return Kind::Document { label: c.label.clone() };
            }
            return if c.output {
                Kind::Static
            } else {
                Kind::Input("a file of a collection that is not written (output: false)")
            };
        }
    }
    if config.special_dirs.iter().any(|d| rel.starts_with(&format!("{d}/"))) {
        return Kind::Input("a template, include, data or plugin file: read by the build");
    }
    for j in 0..segs.len() {
        if special(segs[j]) && !included(&segs[..=j].join("/")) {
            return Kind::Input(
                "a file Jekyll skips (its name or folder starts with `_`, `.` or `#`)",
            );
        }
    }
    if !fm && !rel.contains('/') && (BUILD_FILES.contains(&rel) || rel.ends_with(".gemspec")) {
        return Kind::Input("a file that builds or deploys the site: kept, not published");
    }
    if fm { Kind::Page } else { Kind::Static }
}

/// The year of a 2-digit file name year, as Ruby's date parser completes it.
fn full_year(y: &str) -> Option<i32> {
    let n: i32 = y.parse().ok()?;
    Some(match y.len() {
        2 if n >= 69 => 1900 + n,
        2 => 2000 + n,
        4 => n,
        _ => return None,
    })
}

/// A date's parts as Jekyll's URL placeholders use them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct When {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

impl When {
    fn from_name(name: &str) -> Option<When> {
        let c = DATED.captures(name)?;
        let year = full_year(&c[1])?;
        let month: u8 = c[2].parse().ok()?;
        let day: u8 = c[3].parse().ok()?;
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
        Some(When { year, month, day, hour: 0, minute: 0, second: 0 })
    }

    /// A front matter date, in the time zone it is written in.
    fn from_text(s: &str) -> Option<When> {
        use crate::mapping::dates::{When as W, read};
        Some(match read(s)? {
            W::Day(d) => When {
                year: d.year(),
                month: d.month() as u8,
                day: d.day(),
                hour: 0,
                minute: 0,
                second: 0,
            },
            W::Local(t) => When::of(t.date(), t.time()),
            W::Zoned(t) => When::of(t.date(), t.time()),
        })
    }

    fn of(d: time::Date, t: time::Time) -> When {
        When {
            year: d.year(),
            month: d.month() as u8,
            day: d.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
        }
    }

    fn date(&self) -> Option<time::Date> {
        time::Date::from_calendar_date(self.year, time::Month::try_from(self.month).ok()?, self.day)
            .ok()
    }

    fn text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Jekyll's `slugify` in its `default` and `pretty` modes.
fn slugify(s: &str, pretty: bool, cased: bool) -> String {
    static DEFAULT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"[^\p{M}\p{L}\p{Nd}]+").expect("valid regex"));
    static PRETTY: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"[^\p{M}\p{L}\p{Nd}._~!$&'()+,;=@]+").expect("valid regex")
    });
    let re = if pretty { &PRETTY } else { &DEFAULT };
    let s = re.replace_all(s, "-");
    let s = s.strip_prefix('-').unwrap_or(&s);
    let s = s.strip_suffix('-').unwrap_or(s);
    if cased { s.to_string() } else { s.to_lowercase() }
}

/// Characters Jekyll's URL escaping leaves as they are (Addressable's path characters).
const PATH_KEEP: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@')
    .remove(b'/');

fn escape_path(s: &str) -> String {
    utf8_percent_encode(s, PATH_KEEP).to_string()
}

/// Expands a permalink template with placeholders; `:name` without a value is an error
/// message for the report.
fn expand(template: &str, values: &HashMap<&str, String>) -> std::result::Result<String, String> {
    static PLACEHOLDER: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r":([a-z_]+)").expect("valid regex"));
    let mut missing = None;
    let out = PLACEHOLDER.replace_all(template, |c: &regex::Captures| {
        let name = &c[1];
        let pool = [name, name.trim_end_matches('_')];
        match pool.iter().find_map(|k| values.get(k).map(|v| (*k, v))) {
            Some((k, v)) => {
                let rest = &name[k.len()..];
                format!("{}{rest}", escape_path(v))
            }
            None => {
                missing.get_or_insert_with(|| name.to_string());
                c[0].to_string()
            }
        }
    });
    if let Some(m) = missing {
        return Err(format!(
            "the permalink `{template}` has a placeholder `:{m}` Jekyll does not know"
        ));
    }
    Ok(sanitize(&out))
}

/// Jekyll's `sanitize_url`: one leading slash, no `..`, no `./`, no doubled slashes.
fn sanitize(s: &str) -> String {
    let s = format!("/{s}").replace("..", "/").replace("./", "");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// The extension a page is written with.
fn output_ext(config: &Config, ext: &str) -> String {
    let e = ext.trim_start_matches('.').to_ascii_lowercase();
    if config.markdown_ext.contains(&e) {
        ".html".into()
    } else if e == "scss" || e == "sass" {
        ".css".into()
    } else if e == "coffee" {
        ".js".into()
    } else if e.is_empty() {
        ".html".into()
    } else {
        format!(".{e}")
    }
}

/// Front matter defaults that apply to a file, merged under its own front matter.
fn effective(
    config: &Config,
    rel: &str,
    kind: &str,
    own: &Map<String, Value>,
) -> Map<String, Value> {
    let mut scoped: Vec<&FrontMatterDefault> = config
        .defaults
        .iter()
        .filter(|d| {
            let p = d.path.trim_matches('/');
            let path_ok = p.is_empty()
                || if p.contains('*') {
                    glob_match(p, rel)
                        || rel.match_indices('/').any(|(i, _)| glob_match(p, &rel[..i]))
                } else {
                    rel == p || rel.starts_with(&format!("{p}/"))
                };
            path_ok && d.kind.as_deref().is_none_or(|k| k == kind)
        })
        .collect();
    // More specific scopes win: longer paths, then those with a type.
    scoped.sort_by_key(|d| (d.path.trim_matches('/').len(), d.kind.is_some()));
    let mut out = Map::new();
    for d in scoped {
        let mut v = Value::Object(out);
        deep_merge(&mut v, Value::Object(d.values.clone()));
        out = match v {
            Value::Object(m) => m,
            _ => Map::new(),
        };
    }
    for (k, v) in own {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// A page's URL as Jekyll computes it, and its date (for posts and documents).
fn page_url(
    config: &Config,
    rel: &str,
    kind: &Kind,
    data: &Map<String, Value>,
    mtime_year: Option<When>,
) -> std::result::Result<(String, Option<When>), String> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, format!(".{e}")),
        _ => (name, String::new()),
    };
    let out_ext = output_ext(config, &ext);
    let permalink = data.get("permalink").and_then(Value::as_str).map(str::to_string);
    match kind {
        Kind::Page => {
            let dir = rel.rsplit_once('/').map_or("/".to_string(), |(d, _)| format!("/{d}/"));
            let basename = stem.trim_end_matches('.');
            let index = basename == "index";
            let template = if out_ext != ".html" {
                "/:path/:basename:output_ext".to_string()
            } else if index {
                "/:path/".to_string()
            } else {
                permalink_suffix("/:path/:basename", &config.style)
            };
            let mut values = HashMap::new();
            values.insert("path", dir.clone());
            values.insert("basename", basename.to_string());
            values.insert("output_ext", out_ext.clone());
            let url = expand(permalink.as_deref().unwrap_or(&template), &values)?;
            Ok((url, None))
        }
        Kind::Post { .. } | Kind::Document { .. } => {
            let (label, template) = match kind {
                Kind::Document { label } => {
                    let c = config.collections.iter().find(|c| &c.label == label);
                    let t = c.and_then(|c| c.permalink.clone()).map_or_else(
                        || permalink_suffix("/:collection/:path", &config.style),
                        |p| style_template(&p),
                    );
                    (label.clone(), t)
                }
                _ => ("posts".to_string(), config.posts_permalink.clone()),
            };
            let dated = DATED.captures(name);
            let slug_from_name = match &dated {
                Some(c) => c[4].to_string(),
                None => stem.to_string(),
            };
            let slug_from_name = slug_from_name.trim_end_matches('.').to_string();
            let when = data
                .get("date")
                .and_then(scalar_text)
                .and_then(|d| When::from_text(&d))
                .or_else(|| When::from_name(name))
                .or(mtime_year);
            let slug_field = data.get("slug").and_then(scalar_text);
            let basis = slug_field.clone().unwrap_or_else(|| slug_from_name.clone());
            let mut values: HashMap<&str, String> = HashMap::new();
            values.insert("collection", label.clone());
            let col_dir = match kind {
                Kind::Document { label } => format!("_{label}"),
                _ => String::new(),
            };
            let rel_no_ext = rel.strip_suffix(&ext).unwrap_or(rel);
            let cleaned = match kind {
                Kind::Document { .. } => {
                    let root = if config.collections_dir.is_empty() {
                        col_dir.clone()
                    } else {
                        format!("{}/{col_dir}", config.collections_dir)
                    };
                    rel_no_ext.strip_prefix(&root).unwrap_or(rel_no_ext).to_string()
                }
                _ => rel_no_ext.to_string(),
            };
            values.insert("path", cleaned.trim_end_matches('.').to_string());
            values.insert("name", slugify(stem, false, false));
            values.insert("title", slugify(&basis, true, true));
            values.insert("slug", slugify(&basis, false, false));
            values.insert("output_ext", out_ext.clone());
            let categories: Vec<String> = match kind {
                Kind::Post { categories, .. } => {
                    let mut all: Vec<String> = categories.clone();
                    for c in
                        list(data.get("categories")).into_iter().chain(list(data.get("category")))
                    {
                        for part in c.split_whitespace() {
                            if !all.contains(&part.to_string()) {
                                all.push(part.to_string());
                            }
                        }
                    }
                    all
                }
                _ => Vec::new(),
            };
            let cats: Vec<String> = categories.iter().map(|c| c.to_lowercase()).collect();
            values.insert("categories", cats.join("/"));
            values.insert(
                "slugified_categories",
                categories.iter().map(|c| slugify(c, false, false)).collect::<Vec<_>>().join("/"),
            );
            if let Some(w) = when {
                let d = w.date();
                values.insert("year", format!("{:04}", w.year));
                values.insert("month", format!("{:02}", w.month));
                values.insert("day", format!("{:02}", w.day));
                values.insert("hour", format!("{:02}", w.hour));
                values.insert("minute", format!("{:02}", w.minute));
                values.insert("second", format!("{:02}", w.second));
                values.insert("i_day", w.day.to_string());
                values.insert("i_month", w.month.to_string());
                values.insert("short_year", format!("{:02}", w.year.rem_euclid(100)));
                if let Some(d) = d {
                    const MONTHS: [&str; 12] = [
                        "January",
                        "February",
                        "March",
                        "April",
                        "May",
                        "June",
                        "July",
                        "August",
                        "September",
                        "October",
                        "November",
                        "December",
                    ];
                    const DAYS: [&str; 7] = [
                        "Monday",
                        "Tuesday",
                        "Wednesday",
                        "Thursday",
                        "Friday",
                        "Saturday",
                        "Sunday",
                    ];
                    let month = MONTHS[usize::from(w.month) - 1];
                    let weekday = DAYS[usize::from(d.weekday().number_days_from_monday())];
                    values.insert("short_month", month[..3].to_string());
                    values.insert("long_month", month.to_string());
                    values.insert("short_day", weekday[..3].to_string());
                    values.insert("long_day", weekday.to_string());
                    values.insert("y_day", format!("{:03}", d.ordinal()));
                    let (wy, week, _) = d.to_iso_week_date();
                    values.insert("w_year", wy.to_string());
                    values.insert("week", format!("{week:02}"));
                    values.insert("w_day", (d.weekday().number_days_from_monday() + 1).to_string());
                }
            }
            // `/:categories` with no category goes away entirely, as in Jekyll.
            let template = permalink.clone().unwrap_or(template);
            let template = if values["categories"].is_empty() {
                template.replace("/:categories", "")
            } else {
                template
            };
            let url = expand(&template, &values)?;
            Ok((url, when))
        }
        _ => Ok((format!("/{rel}"), None)),
    }
}

/// Reads a Jekyll site.
pub fn read(root: &Path, opts: &ReadOptions, main_config: &Path) -> Result<SiteRead> {
    let config = load_config(root, main_config, &opts.jekyll_configs)?;
    let (mut files, skipped) = walk::list(root, opts.follow_links);
    let mut model = Model::new();
    model.summary.skipped = skipped;
    let config_set: BTreeSet<&str> = config.files.iter().map(String::as_str).collect();

    let kinds: Vec<Option<Kind>> = files
        .par_iter()
        .map(|f| {
            if config_set.contains(f.rel.as_str()) {
                return None;
            }
            let fm = has_front_matter(&f.abs);
            Some(classify(&config, &f.rel, fm))
        })
        .collect();
    for (f, k) in files.iter_mut().zip(&kinds) {
        f.role = match k {
            None => FileRole::Config,
            Some(Kind::Page | Kind::Post { .. } | Kind::Document { .. }) => FileRole::Page,
            Some(Kind::Static) => FileRole::Static,
            Some(Kind::Input(_)) => FileRole::Other,
        };
    }
    for (f, k) in files.iter().zip(&kinds) {
        // Posts Jekyll skips and build files are worth a line; templates and data are not.
        if let Some(Kind::Input(why)) = k
            && (f.rel.split('/').any(|s| s == "_posts" || s == "_drafts")
                || why.starts_with("a file that builds"))
        {
            model.problems.push(problem(
                "not-published",
                Severity::Info,
                &f.rel,
                0,
                0,
                format!("not published: {why}"),
            ));
        }
    }

    let mut pages = Vec::new();
    let mut texts = Vec::new();
    for (i, p) in super::read_pages(&mut files, &mut model) {
        let kind = kinds[i].clone().unwrap_or(Kind::Page);
        let file = &files[i];
        let mtime = std::fs::metadata(&file.abs).and_then(|m| m.modified()).ok().map(|t| {
            let t = time::OffsetDateTime::from(t);
            When::of(t.date(), t.time())
        });
        let page = new_page(&config, &file.rel, &kind, &p, mtime, &mut model);
        texts.push((p.text, p.body_start));
        pages.push(page);
    }
    redirects(root, &files, &mut pages, &mut model);

    let base = format!(
        "{}{}",
        get_str(&config.value, "url").unwrap_or_default().trim_end_matches('/'),
        get_str(&config.value, "baseurl").unwrap_or_default().trim_end_matches('/')
    );
    let mut mounts = vec![Mount { source: String::new(), target: "static".into() }];
    for c in config.collections.iter().filter(|c| c.output) {
        let dir = if config.collections_dir.is_empty() {
            format!("_{}", c.label)
        } else {
            format!("{}/_{}", config.collections_dir, c.label)
        };
        mounts.push(Mount { source: dir, target: format!("static/{}", c.label) });
    }
    model.site = SiteInfo {
        generator: "jekyll".into(),
        root: "site".into(),
        title: get_str(&config.value, "title"),
        base_url: if base.is_empty() { String::new() } else { format!("{base}/") },
        language: get_str(&config.value, "lang").or_else(|| get_str(&config.value, "locale")),
        config_files: config.files.clone(),
        content_dir: String::new(),
        static_dirs: vec![String::new()],
        mounts,
        config: config.value.clone(),
    };
    let (sections, taxonomies) = sections_and_taxonomies(&config, &pages);
    model.sections = sections;
    model.taxonomies = taxonomies;

    let ctx = super::resolve::Context::new(&model, &pages, &files, BTreeSet::new(), &[]);
    let results: Vec<super::resolve::PageRefs> = pages
        .par_iter()
        .zip(texts.par_iter())
        .map(|(page, (text, body))| ctx.page_refs_liquid(page, text, *body))
        .collect();
    for (page, refs) in pages.iter_mut().zip(results) {
        page.shortcodes = refs.shortcodes;
        page.references = refs.references;
        model.problems.extend(refs.problems);
    }
    model.pages = pages;
    super::resolve::collect_videos_and_documents(&mut model);
    model.schema = super::decap::read(root, &files, &mut model);
    data_files(&config, &files, &mut model);

    Ok(super::finish(model, files))
}

fn new_page(
    config: &Config,
    rel: &str,
    kind: &Kind,
    p: &Parsed,
    mtime: Option<When>,
    model: &mut Model,
) -> Page {
    let own =
        p.front_matter.as_ref().and_then(|f| f.fields.as_object()).cloned().unwrap_or_default();
    let type_name = match kind {
        Kind::Post { draft: true, .. } => "drafts",
        Kind::Post { .. } => "posts",
        Kind::Document { label } => label.as_str(),
        _ => "pages",
    };
    let data = effective(config, rel, type_name, &own);
    // Drafts are dated by their file's modification time, as Jekyll does.
    let draft_time = matches!(kind, Kind::Post { draft: true, .. }).then_some(mtime).flatten();
    let (url, when) = match page_url(config, rel, kind, &data, draft_time) {
        Ok(u) => u,
        Err(msg) => {
            model.problems.push(problem(
                "permalink",
                Severity::Warning,
                rel,
                p.front_matter.as_ref().map_or(0, |f| f.span.line),
                0,
                format!("{msg}: the page's URL is its path"),
            ));
            (format!("/{rel}"), None)
        }
    };
    if matches!(kind, Kind::Document { .. } | Kind::Post { .. })
        && when.is_none()
        && config_uses_date(config, kind, &data)
    {
        model.problems.push(problem("undated", Severity::Warning, rel, 0, 0, "its permalink uses the date, which Jekyll takes from the build time when a document has none: give it a `date`".into()));
    }
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let slug = DATED.captures(name).map_or_else(
        || name.rsplit_once('.').map_or(name, |(s, _)| s).to_string(),
        |c| c[4].to_string(),
    );
    let title = data.get("title").and_then(scalar_text).or_else(|| {
        matches!(kind, Kind::Post { .. } | Kind::Document { .. })
            .then(|| slug.split('-').map(capitalize).collect::<Vec<_>>().join(" "))
    });
    let published = data.get("published").map(|v| v != &Value::Bool(false) && v != "false");
    let draft = matches!(kind, Kind::Post { draft: true, .. }) || published == Some(false);
    // `future: false` (Jekyll's default) holds back posts dated after the build: reported,
    // not marked, so that an archive does not depend on the day it was made.
    let future = config.value.get("future").and_then(Value::as_bool).unwrap_or(false);
    if !future
        && matches!(kind, Kind::Post { draft: false, .. })
        && let Some(d) = when.and_then(|w| w.date())
        && d > time::OffsetDateTime::now_utc().date()
    {
        model.problems.push(problem(
            "future",
            Severity::Info,
            rel,
            0,
            0,
            format!("dated {d}, after today, and the site has `future: false`: Jekyll publishes it only from that day"),
        ));
    }
    let mut taxonomies = BTreeMap::new();
    let mut categories: Vec<String> = match kind {
        Kind::Post { categories, .. } => categories.clone(),
        _ => Vec::new(),
    };
    for c in list(data.get("categories")).into_iter().chain(list(data.get("category"))) {
        // A string of categories is split on white space, as Jekyll does.
        for part in c.split_whitespace() {
            if !categories.iter().any(|x| x == part) {
                categories.push(part.to_string());
            }
        }
    }
    if !categories.is_empty() {
        taxonomies.insert("categories".to_string(), categories);
    }
    let mut tags: Vec<String> = Vec::new();
    for t in list(data.get("tags")) {
        tags.extend(t.split_whitespace().map(str::to_string));
    }
    tags.extend(list(data.get("tag")));
    if !tags.is_empty() {
        tags.dedup();
        taxonomies.insert("tags".to_string(), tags);
    }
    let aliases = list(data.get("redirect_from"));
    let section = match kind {
        Kind::Post { .. } => "posts".to_string(),
        Kind::Document { label } => label.clone(),
        _ => String::new(),
    };
    let body = LineIndex::new(&p.text).span(p.body_start..p.text.len(), 0);
    Page {
        path: rel.to_string(),
        content_path: rel.to_string(),
        kind: if matches!(kind, Kind::Page) && (rel == "index.html" || rel == "index.md") {
            PageKind::Home
        } else {
            PageKind::Page
        },
        bundle: None,
        section,
        url,
        aliases,
        title,
        date: when.map(|w| {
            data.get("date")
                .and_then(scalar_text)
                .filter(|d| When::from_text(d).is_some())
                .unwrap_or_else(|| w.text())
        }),
        draft,
        collection: Some(type_name.to_string()),
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

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

fn config_uses_date(config: &Config, kind: &Kind, data: &Map<String, Value>) -> bool {
    let t = match (data.get("permalink").and_then(Value::as_str), kind) {
        (Some(p), _) => p.to_string(),
        (None, Kind::Document { label }) => config
            .collections
            .iter()
            .find(|c| &c.label == label)
            .and_then(|c| c.permalink.clone())
            .unwrap_or_default(),
        (None, _) => config.posts_permalink.clone(),
    };
    [":year", ":month", ":day", ":y_day", ":week", ":short_year"].iter().any(|p| t.contains(p))
}

/// A Netlify `_redirects` file at the site root: each `from to` line whose target is a page
/// of the site becomes an alias of that page; other lines are reported.
fn redirects(root: &Path, files: &[SourceFile], pages: &mut [Page], model: &mut Model) {
    let Some(f) = files.iter().find(|f| f.rel == "_redirects") else { return };
    let Ok(text) = std::fs::read_to_string(root.join(&f.rel)) else { return };
    // `/a/`, `/a/index.html`, `/a.html` and `/a` are one page on the hosts Jekyll sites use.
    let key = |u: &str| {
        let u = percent_encoding::percent_decode_str(u).decode_utf8_lossy().into_owned();
        let u = u.strip_suffix("index.html").unwrap_or(&u);
        let u = u.strip_suffix(".html").unwrap_or(u);
        u.trim_end_matches('/').to_string()
    };
    let by_url: HashMap<String, usize> =
        pages.iter().enumerate().map(|(i, p)| (key(&p.url), i)).collect();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = l.split_whitespace().collect();
        let (Some(from), Some(to)) = (parts.first(), parts.get(1)) else { continue };
        let local = |u: &str| u.starts_with('/') && !u.contains([':', '*']);
        if !local(from) || !local(to) {
            model.problems.push(problem("redirect", Severity::Info, &f.rel, n + 1, 1, format!("`{from} -> {to}` is not a redirect between two paths of the site (a host, a splat or a placeholder): kept in the file, not as an alias")));
            continue;
        }
        match by_url.get(&key(to)) {
            Some(&i) => {
                if !pages[i].aliases.iter().any(|a| a == from) {
                    pages[i].aliases.push((*from).to_string());
                }
            }
            None => model.problems.push(problem(
                "redirect",
                Severity::Warning,
                &f.rel,
                n + 1,
                1,
                format!("`{from}` redirects to `{to}`, which is no page of the site"),
            )),
        }
    }
}

/// Data files (`_data/`): YAML, JSON, CSV and TSV files that do not parse are reported.
fn data_files(config: &Config, files: &[SourceFile], model: &mut Model) {
    let dir = &config.special_dirs[2];
    for f in files.iter().filter(|f| f.rel.starts_with(&format!("{dir}/"))) {
        let Ok(text) = std::fs::read_to_string(&f.abs) else { continue };
        let err = match super::data::parse(&f.rel, &text) {
            Some(Err(e)) => Some((e.line, e.column, e.message)),
            _ => None,
        };
        if let Some((line, column, msg)) = err {
            // Jekyll's YAML parser keeps the last of two equal keys; stricter readers refuse.
            let message = if msg.contains("duplicate entry") {
                format!(
                    "{msg}: Jekyll keeps the last value, other tools refuse the file; remove the duplicate"
                )
            } else {
                format!("this data file does not parse ({msg}): Jekyll fails the build on it")
            };
            model.problems.push(problem(
                "data-file",
                Severity::Warning,
                &f.rel,
                line,
                column,
                message,
            ));
        }
    }
}

/// One section per collection (and `posts`), and the `tags` and `categories` taxonomies
/// (Jekyll has no pages for them: terms have no URL).
fn sections_and_taxonomies(config: &Config, pages: &[Page]) -> (Vec<Section>, Vec<Taxonomy>) {
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    for p in pages.iter().filter(|p| !p.section.is_empty()) {
        let s = sections.entry(p.section.clone()).or_insert_with(|| Section {
            path: p.section.clone(),
            index: None,
            url: String::new(),
            pages: Vec::new(),
        });
        s.pages.push(p.path.clone());
    }
    let _ = config;
    let mut taxonomies = Vec::new();
    for (name, singular) in [("categories", "category"), ("tags", "tag")] {
        let mut terms: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in pages {
            for t in p.taxonomies.get(name).into_iter().flatten() {
                terms.entry(t.clone()).or_default().push(p.path.clone());
            }
        }
        if terms.is_empty() {
            continue;
        }
        taxonomies.push(Taxonomy {
            name: name.into(),
            singular: singular.into(),
            index: None,
            terms: terms
                .into_iter()
                .map(|(name, pages)| Term { name, url: String::new(), page: None, pages })
                .collect(),
        });
    }
    (sections.into_values().collect(), taxonomies)
}

#[cfg(test)]
mod tests;
