//! Zola target (0.22). Front matter becomes TOML: Zola's own keys at the top, the taxonomies
//! under `[taxonomies]` and every other field under `[extra]` (Zola drops unknown page keys
//! without a word and refuses unknown section keys). Every page keeps its URL through `path`,
//! every section gets an `_index.md`, taxonomies are declared in `config.toml`, bundle
//! resources stay beside their page (Zola's colocation), static files stay in `static/`.
//!
//! Where Zola cannot publish a page at its old URL (a URL with a file extension, a section
//! whose folder is not its URL, a taxonomy term whose slug Zola writes differently), the old
//! URL becomes an alias or a redirect file, and the report says so.

use super::body::{self, Flavour};
use super::report::{Action, Note, Report};
use super::urls::{self, SiteUrls};
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles, copy, ext, generated, stem};
use crate::error::{Error, Result};
use crate::mapping::Mapping;
use crate::model::{BundleKind, FileRole, Model, Page, PageKind};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use toml::Table;
use toml::value::Datetime;

/// Keys Zola reads in a section's `_index.md` (any other key fails the build).
const SECTION_KEYS: &[&str] = &[
    "title",
    "description",
    "draft",
    "sort_by",
    "weight",
    "template",
    "page_template",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "insert_anchor_links",
    "in_search_index",
    "render",
    "redirect_to",
    "transparent",
    "aliases",
    "generate_feeds",
    "extra",
];

/// Keys Zola reads in a page's front matter (any other key is dropped by Zola).
const PAGE_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "render",
    "slug",
    "path",
    "aliases",
    "authors",
    "in_search_index",
    "template",
    "taxonomies",
    "extra",
];

/// Markdown extensions carton rewrites as Zola pages (Zola reads `.md` only).
const MARKDOWN: &[&str] = &["md", "markdown", "mdown"];

/// How a content file lands in Zola.
struct Placed {
    /// Output path (`content/...`).
    out: String,
    /// Its URL in Zola (decoded, `/`-delimited).
    url: String,
    /// Whether it is a section (`_index.md`).
    section: bool,
    /// Old URLs that must lead to it.
    aliases: Vec<String>,
    /// Zola renders it (`false`: a taxonomy's page shows its content instead).
    render: bool,
}

/// Zola's URL of a term: the taxonomy's and the term's slugs, as Zola makes them by default.
fn term_url(taxonomy: &str, term: &str) -> String {
    format!("/{}/{}/", slug::slugify(taxonomy), slug::slugify(term))
}

/// A URL as a Zola `path` and the alias that keeps the old URL when Zola cannot publish at
/// it: Zola writes every page as `<path>/index.html`, so `/a.html` becomes `a` plus an alias.
fn page_path(url: &str) -> (String, Option<String>) {
    let u = urls::decode(url);
    let trimmed = u.trim_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or("");
    if !u.ends_with('/')
        && let Some((base, _)) = last.rsplit_once('.')
        && !base.is_empty()
    {
        let dir = trimmed.rsplit_once('/').map_or("", |(d, _)| d);
        let path = if dir.is_empty() { base.to_string() } else { format!("{dir}/{base}") };
        return (path, Some(u.clone()));
    }
    (trimmed.to_string(), None)
}

/// Where a content file goes under `content/`, relative to it.
fn content_out(page: &Page) -> String {
    let rel = page.content_path.as_str();
    match page.kind {
        PageKind::Home => "_index.md".into(),
        PageKind::Section | PageKind::Taxonomy | PageKind::Term => {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            if dir.is_empty() { "_index.md".into() } else { format!("{dir}/_index.md") }
        }
        PageKind::Page => {
            let dir = rel.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
            format!("{dir}{}.md", stem(rel))
        }
    }
}

/// The content folder of a section of the model: Hugo's folder, or for a Jekyll
/// collection the section the mapping names (`posts` unless renamed).
fn section_dir(model: &Model, mapping: Option<&Mapping>, path: &str) -> String {
    let path = if model.site.generator == "jekyll" {
        super::hugo_jekyll::section_of(mapping, path)
    } else {
        path.to_string()
    };
    if path.is_empty() { "content".into() } else { format!("content/{path}") }
}

/// The folder of an output path (`content/a/b.md` -> `content/a`).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mapping = opts.mapping.as_ref();
    let mut plan = Plan::new("zola", mapping, model);
    let urls = SiteUrls::new(model);
    let taxonomy_urls: BTreeSet<String> =
        model.taxonomies.iter().map(|t| format!("/{}/", slug::slugify(&t.name))).collect();
    let term_pages: HashMap<&str, (&str, &str)> = model
        .taxonomies
        .iter()
        .flat_map(|t| {
            t.terms
                .iter()
                .filter_map(move |term| term.page.as_deref().map(|p| (p, (&*t.name, &*term.name))))
        })
        .collect();

    let jekyll = model.site.generator == "jekyll";
    // Files Zola cannot use are kept under this folder, which it does not read.
    let keep = if jekyll { "_jekyll" } else { "_hugo" };
    let mut taken = BTreeSet::new();
    // Content files: where each goes, its URL, its aliases.
    let mut placed: HashMap<&str, Placed> = HashMap::new();
    let mut raw_pages: Vec<(&Page, String)> = Vec::new();
    for page in &model.pages {
        let e = ext(&page.content_path).to_ascii_lowercase();
        let readable = MARKDOWN.contains(&e.as_str()) || e == "html" || e == "htm";
        if !readable || !page.text.utf8 {
            let why = if page.text.utf8 {
                format!("a .{e} page: Zola reads Markdown only; kept under {keep}/")
            } else {
                format!("not UTF-8 text: Zola cannot read it; kept under {keep}/")
            };
            raw_pages.push((page, why));
            continue;
        }
        let out = if jekyll {
            format!("content/{}", super::hugo_jekyll::content_rel(page, mapping, &mut taken))
        } else {
            format!("content/{}", content_out(page))
        };
        let mut aliases: Vec<String> = page
            .aliases
            .iter()
            .map(|a| {
                urls::browser_resolve(&urls::decode(&page.url), a, &model.site.base_url)
                    .unwrap_or_else(|| a.clone())
            })
            .collect();
        let (url, section) = if !out.ends_with("_index.md") {
            // Jekyll served `/about` from about.html: that file's URL is the old one too.
            let old =
                if jekyll { super::hugo_jekyll::hugo_url(&page.url) } else { page.url.clone() };
            let (path, alias) = page_path(&old);
            aliases.extend(alias);
            (format!("/{path}/").replace("//", "/"), false)
        } else {
            let dir = dir_of(&out).strip_prefix("content").unwrap_or("");
            let url = format!("{dir}/");
            let old = urls::decode(&page.url);
            if !old.is_empty() && !urls::same_resource(&old, &url) {
                aliases.push(old);
            }
            (url, true)
        };
        aliases.retain(|a| !urls::same_resource(a, &url));
        aliases.sort();
        aliases.dedup();
        let render = !(term_pages.contains_key(page.path.as_str())
            || matches!(page.kind, PageKind::Taxonomy | PageKind::Term)
            || (section && taxonomy_urls.contains(&url)));
        placed.insert(&page.path, Placed { out, url, section, aliases, render });
    }

    // Resources stay beside their page where Zola copies them (a leaf bundle's folder and
    // below it, a section's own folder); everything else published goes into static/.
    let mut owner: HashMap<&str, &Page> = HashMap::new();
    for p in &model.pages {
        for r in &p.resources {
            owner.insert(r.as_str(), p);
        }
    }
    let other = |path: &str| {
        if jekyll {
            super::hugo_jekyll::other_file(model, path).0
        } else {
            super::other_file(path, "data")
        }
    };
    let mut out_of: HashMap<&str, String> = HashMap::new();
    let mut new_url: HashMap<String, String> = HashMap::new();
    for (path, pl) in &placed {
        new_url.insert((*path).to_string(), pl.url.clone());
    }
    for f in &model.files {
        if placed.contains_key(f.path.as_str()) || model.pages.iter().any(|p| p.path == f.path) {
            continue;
        }
        let colocated = (f.role == FileRole::Resource)
            .then(|| owner.get(f.path.as_str()))
            .flatten()
            .and_then(|page| colocate(page, &f.path, placed.get(page.path.as_str())?));
        let (out, url) = match (colocated, f.role) {
            (Some((out, url)), _) => (out, Some(url)),
            (None, FileRole::Static | FileRole::Resource) => match urls.of(&f.path) {
                Some(u) => (format!("static{u}"), Some(u.to_string())),
                None => (other(&f.path), None),
            },
            (None, FileRole::Config) => continue,
            (None, _) => (other(&f.path), None),
        };
        let out = mapping.map_or_else(|| out.clone(), |m| m.apply_paths(&out));
        let url = match url {
            Some(_) if out.starts_with("static/") => Some(out["static".len()..].to_string()),
            u => u,
        };
        if let Some(u) = url {
            new_url.insert(f.path.clone(), u);
        }
        out_of.insert(f.path.as_str(), out);
    }
    super::localize_remote(model, opts, "static/", &mut plan, &mut new_url);

    let zola_dated: HashMap<&str, bool> =
        model.pages.iter().map(|p| (p.path.as_str(), zola_date_of(p).is_some())).collect();
    let sort_by = sort_orders(model, mapping, &placed, &zola_dated, &mut plan.report);
    let taxonomies: BTreeSet<&str> = model.taxonomies.iter().map(|t| t.name.as_str()).collect();
    let ctx = PageCtx { model, mapping, new_url: &new_url, taxonomies: &taxonomies };

    let pages: HashMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    for f in &model.files {
        if let Some(pl) = placed.get(f.path.as_str()) {
            let page = pages[f.path.as_str()];
            let bytes = files.read(&f.path)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let sort = sort_by.get(dir_of(&pl.out)).copied().flatten();
            let (out, raw_fm) = convert_page(&ctx, page, &text, pl, sort, &mut plan.report)?;
            plan.files
                .push(OutFile { path: pl.out.clone(), content: Content::Bytes(out.into_bytes()) });
            let e = ext(&page.content_path).to_ascii_lowercase();
            let reason = if raw_fm {
                Some("its front matter does not parse: kept as text in [extra] hugo_front_matter_raw".into())
            } else if e == "html" || e == "htm" {
                Some(
                    "an HTML page: Zola reads it as Markdown, where raw HTML passes through".into(),
                )
            } else {
                None
            };
            let action = if raw_fm { Action::Raw } else { Action::Converted };
            plan.report.file(&f.path, action, Some(&pl.out), reason);
            for a in &pl.aliases {
                plan.report.redirects.push(Note {
                    path: a.clone(),
                    line: 0,
                    subject: "alias".into(),
                    message: format!("redirects to {} (Zola alias of {})", pl.url, pl.out),
                });
            }
            continue;
        }
        if let Some((_, why)) = raw_pages.iter().find(|(p, _)| p.path == f.path) {
            let out = format!("{keep}/{}", f.path);
            plan.files.push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
            plan.report.file(&f.path, Action::Raw, Some(&out), Some(why.clone()));
            continue;
        }
        match (f.role, out_of.get(f.path.as_str())) {
            (FileRole::Config, _) => plan.report.file(
                &f.path,
                Action::Merged,
                None,
                Some("read into config.toml".into()),
            ),
            (_, Some(out)) if out.starts_with(&format!("{keep}/")) => {
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                let why = if jekyll {
                    super::hugo_jekyll::other_file(model, &f.path)
                        .1
                        .unwrap_or("kept under _jekyll/")
                } else if f.role == FileRole::Resource {
                    "a resource that belongs to no page: kept under _hugo/"
                } else {
                    "a Hugo template or build input: Zola cannot use it; kept under _hugo/ (which Zola does not read)"
                };
                plan.report.file(&f.path, Action::Raw, Some(out), Some(why.into()));
            }
            (_, Some(out)) => copy(&mut plan, &f.path, out),
            (_, None) => {
                let out = format!("{keep}/{}", f.path);
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(
                    &f.path,
                    Action::Raw,
                    Some(&out),
                    Some(format!(
                        "published nowhere by {}: kept under {keep}/",
                        model.site.generator
                    )),
                );
            }
        }
    }

    missing_sections(model, mapping, &placed, &sort_by, &mut plan)?;
    let term_sources = term_redirects(model, &placed, &mut plan);
    config(model, &term_sources, &mut plan)?;
    if let Some(m) = mapping {
        for (path, text) in &m.files {
            generated(&mut plan, path, text.clone().into_bytes(), "file given by the mapping");
        }
    }
    if opts.layouts {
        for (name, text, purpose) in TEMPLATES {
            generated(&mut plan, &format!("templates/{name}"), text.as_bytes().to_vec(), purpose);
        }
    }
    let mut at_url: Vec<(String, String)> = Vec::new();
    for (path, pl) in &placed {
        if pl.render {
            at_url.push((pl.url.clone(), (*path).to_string()));
        }
        for a in &pl.aliases {
            at_url.push((a.clone(), format!("{path} (alias)")));
        }
    }
    super::check_urls(&mut at_url)?;
    Ok(plan)
}

/// Where a bundle resource lands when Zola can copy it beside its page: (output path, URL).
fn colocate(page: &Page, file: &str, pl: &Placed) -> Option<(String, String)> {
    if ext(file).eq_ignore_ascii_case("md") || !pl.render {
        return None;
    }
    let src_dir = dir_of(&page.path);
    let rel = file.strip_prefix(src_dir)?.strip_prefix('/')?;
    let leaf = !pl.section && page.bundle == Some(BundleKind::Leaf);
    // A section copies only the files of its own folder; a leaf bundle, its whole tree.
    if !(leaf || (pl.section && !rel.contains('/'))) {
        return None;
    }
    Some((format!("{}/{rel}", dir_of(&pl.out)), format!("{}{rel}", pl.url)))
}

/// What a page's conversion needs from the site.
struct PageCtx<'a> {
    model: &'a Model,
    mapping: Option<&'a Mapping>,
    new_url: &'a HashMap<String, String>,
    taxonomies: &'a BTreeSet<&'a str>,
}

/// A Hugo date as a TOML datetime Zola reads: `2019-04-12`, RFC 3339, or with a space for
/// `T`, seconds or offset left out, an offset without its colon.
pub fn zola_date(s: &str) -> Option<Datetime> {
    crate::mapping::dates::read(s)?;
    crate::mapping::dates::normalize(s)?.parse().ok()
}

/// The date Zola gets for a page: its front matter `date`, else the date Hugo gave it.
fn zola_date_of(page: &Page) -> Option<Datetime> {
    let fm = page.front_matter.as_ref().and_then(|f| f.fields.get("date")).and_then(Value::as_str);
    fm.and_then(zola_date).or_else(|| page.date.as_deref().and_then(zola_date))
}

/// Per section folder (`content/...`), the order Zola sorts its pages by: by weight when
/// every page has one, by date when every page has one, else none (Zola would leave out the
/// pages that miss the key).
fn sort_orders(
    model: &Model,
    mapping: Option<&Mapping>,
    placed: &HashMap<&str, Placed>,
    dated: &HashMap<&str, bool>,
    report: &mut Report,
) -> HashMap<String, Option<&'static str>> {
    let weight_of = |p: &str| {
        model
            .pages
            .iter()
            .find(|x| x.path == p)
            .and_then(|x| x.front_matter.as_ref())
            .and_then(|f| f.fields.get("weight"))
            .is_some_and(|w| w.as_u64().is_some())
    };
    let mut out = HashMap::new();
    for s in &model.sections {
        let dir = section_dir(model, mapping, &s.path);
        let rendered: Vec<&String> =
            s.pages.iter().filter(|p| placed.get(p.as_str()).is_some_and(|pl| pl.render)).collect();
        let order = if rendered.is_empty() {
            None
        } else if rendered.iter().all(|p| weight_of(p)) {
            Some("weight")
        } else if rendered.iter().all(|p| dated.get(p.as_str()).copied().unwrap_or(false)) {
            Some("date")
        } else {
            let undated = rendered
                .iter()
                .filter(|p| !dated.get(p.as_str()).copied().unwrap_or(false))
                .count();
            if undated < rendered.len() {
                report.notes.push(Note {
                    path: format!("{dir}/_index.md"),
                    line: 0,
                    subject: "sort_by".into(),
                    message: format!(
                        "not sorted by date: {undated} of its {} pages have no date Zola reads, and Zola leaves undated pages out of a date-sorted section",
                        rendered.len()
                    ),
                });
            }
            None
        };
        out.insert(dir, order);
    }
    out
}

/// A JSON value as TOML. TOML has no null: null fields and list items are left out, each
/// one noted.
fn to_toml(v: &Value, at: &str, notes: &mut Vec<String>) -> Option<toml::Value> {
    Some(match v {
        Value::Null => {
            notes.push(at.to_string());
            return None;
        }
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => toml::Value::Integer(i),
            (None, Some(f)) => toml::Value::Float(f),
            _ => toml::Value::String(n.to_string()),
        },
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| to_toml(x, &format!("{at}[{i}]"), notes))
                .collect(),
        ),
        Value::Object(m) => toml::Value::Table(
            m.iter()
                .filter_map(|(k, x)| Some((k.clone(), to_toml(x, &format!("{at}.{k}"), notes)?)))
                .collect(),
        ),
    })
}

/// A list of strings, if the value is one (a single string counts as a list of one).
fn strings(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// Taxonomy terms as Zola takes them: trimmed, none empty.
fn toml_terms(list: &[String]) -> Vec<toml::Value> {
    list.iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| toml::Value::String(t.to_string()))
        .collect()
}

/// Whether Hugo's build options say the page is not rendered (`build: {render: never}`,
/// `_build: {render: false}`, `headless: true`).
fn hugo_not_rendered(fields: &Map<String, Value>) -> bool {
    let build = fields.get("build").or_else(|| fields.get("_build"));
    let render = build.and_then(|b| b.get("render"));
    matches!(render, Some(Value::Bool(false)))
        || render.is_some_and(|r| r == "never")
        || fields.get("headless") == Some(&Value::Bool(true))
}

/// Converts one page: TOML front matter, body rewritten. Returns the text and whether the
/// source front matter could not be parsed (kept raw under `[extra]`).
fn convert_page(
    ctx: &PageCtx,
    page: &Page,
    text: &str,
    pl: &Placed,
    sort_by: Option<&str>,
    report: &mut Report,
) -> Result<(String, bool)> {
    let (mut fields, raw_fm, line) =
        super::fields::page_fields(page, text, ctx.mapping.map(|m| &m.fields), report);
    let mut top = Table::new();
    let mut taxonomies = Table::new();
    let mut extra = Table::new();
    let mut nulls = Vec::new();
    let mut note = |subject: &str, message: String| {
        report.notes.push(Note { path: page.path.clone(), line, subject: subject.into(), message });
    };

    // Keys carton sets itself from the page's place in the site.
    for k in ["url", "aliases"] {
        if let Some(v) = fields.remove(k) {
            let moved = to_toml(&v, k, &mut nulls);
            if let Some(v) = moved {
                extra.insert(format!("hugo_{k}"), v);
            }
        }
    }
    let not_rendered = hugo_not_rendered(&fields);
    if let Some(v) = fields.remove("title") {
        match v {
            Value::String(s) => {
                top.insert("title".into(), toml::Value::String(s));
            }
            v => {
                extra.extend(to_toml(&v, "title", &mut nulls).map(|v| ("title".to_string(), v)));
            }
        }
    }
    if let Some(v) = fields.remove("description") {
        match v {
            Value::String(s) => {
                top.insert("description".into(), toml::Value::String(s));
            }
            v => {
                extra.extend(
                    to_toml(&v, "description", &mut nulls).map(|v| ("description".to_string(), v)),
                );
            }
        }
    }
    if !pl.section {
        let fm_date = fields.remove("date");
        let date = fm_date
            .as_ref()
            .and_then(Value::as_str)
            .and_then(zola_date)
            .or_else(|| page.date.as_deref().and_then(zola_date));
        match (&fm_date, date) {
            (Some(v), None) => {
                note(
                    "date",
                    format!(
                        "{v} is not a date Zola reads (it fails the build): kept in [extra] as `date`"
                    ),
                );
                extra.extend(to_toml(v, "date", &mut nulls).map(|v| ("date".to_string(), v)));
            }
            (Some(v), Some(d)) if v.as_str().and_then(zola_date) != Some(d) => {
                extra.extend(to_toml(v, "date", &mut nulls).map(|v| ("date".to_string(), v)));
                top.insert("date".into(), toml::Value::Datetime(d));
            }
            (_, Some(d)) => {
                top.insert("date".into(), toml::Value::Datetime(d));
            }
            (None, None) => {}
        }
        let updated = fields.remove("updated").or_else(|| fields.remove("lastmod"));
        if let Some(v) = updated {
            match v.as_str().and_then(zola_date) {
                Some(d) => {
                    top.insert("updated".into(), toml::Value::Datetime(d));
                }
                None => {
                    note(
                        "updated",
                        format!("{v} is not a date Zola reads: kept in [extra] as `updated`"),
                    );
                    extra.extend(
                        to_toml(&v, "updated", &mut nulls).map(|v| ("updated".to_string(), v)),
                    );
                }
            }
        }
    }
    if let Some(v) = fields.remove("weight") {
        match v.as_u64() {
            Some(w) => {
                top.insert(
                    "weight".into(),
                    toml::Value::Integer(i64::try_from(w).unwrap_or(i64::MAX)),
                );
            }
            None => {
                note(
                    "weight",
                    format!(
                        "{v} is not a weight Zola reads (a whole number from 0): kept in [extra]"
                    ),
                );
                extra.extend(to_toml(&v, "weight", &mut nulls).map(|v| ("weight".to_string(), v)));
            }
        }
    }
    if let Some(v) = fields.remove("draft") {
        match v {
            Value::Bool(b) => {
                top.insert("draft".into(), toml::Value::Boolean(b));
            }
            Value::String(s) if s == "true" || s == "false" => {
                top.insert("draft".into(), toml::Value::Boolean(s == "true"));
            }
            v => {
                note("draft", format!("{v} is not true or false: kept in [extra]"));
                extra.extend(to_toml(&v, "draft", &mut nulls).map(|v| ("draft".to_string(), v)));
            }
        }
    } else if page.draft {
        top.insert("draft".into(), toml::Value::Boolean(true));
    }
    if let Some(order) = sort_by.filter(|_| pl.section) {
        top.insert("sort_by".into(), toml::Value::String(order.into()));
    }
    if !pl.render || not_rendered {
        top.insert("render".into(), toml::Value::Boolean(false));
    }
    if !pl.section {
        top.insert("path".into(), toml::Value::String(pl.url.trim_matches('/').to_string()));
    }
    if !pl.aliases.is_empty() {
        top.insert(
            "aliases".into(),
            toml::Value::Array(pl.aliases.iter().map(|a| toml::Value::String(a.clone())).collect()),
        );
    }
    if !pl.section
        && !ctx.taxonomies.contains("authors")
        && let Some(v) = fields.remove("authors")
    {
        match strings(&v) {
            Some(list) => {
                top.insert(
                    "authors".into(),
                    toml::Value::Array(list.into_iter().map(toml::Value::String).collect()),
                );
            }
            None => {
                extra
                    .extend(to_toml(&v, "authors", &mut nulls).map(|v| ("authors".to_string(), v)));
            }
        }
    }
    for (k, v) in fields {
        if !pl.section && ctx.taxonomies.contains(k.as_str()) {
            // The terms as the model read them (Jekyll splits a string of tags on spaces).
            let read = page.taxonomies.get(&k).cloned().or_else(|| strings(&v));
            match read {
                Some(list) => {
                    let terms = toml_terms(&list);
                    if terms.len() != list.len() || list.iter().any(|t| t.trim() != t) {
                        note(&k, "terms trimmed of surrounding spaces, empty ones left out (Zola refuses empty terms)".into());
                    }
                    if !terms.is_empty() {
                        taxonomies.insert(k, toml::Value::Array(terms));
                    }
                    continue;
                }
                None => note(
                    &k,
                    format!("{} is not a list of terms: kept in [extra]", super::fields::short(&v)),
                ),
            }
        }
        // Any other key, Zola's own ones included (`slug`, `template`: Hugo gave them
        // another meaning), goes under [extra], where templates read it unchanged.
        if let Some(v) = to_toml(&v, &k, &mut nulls) {
            match (k.as_str(), v) {
                ("extra", toml::Value::Table(t)) => {
                    for (ek, ev) in t {
                        extra.insert(ek, ev);
                    }
                }
                (_, v) => {
                    extra.insert(k, v);
                }
            }
        }
    }
    // Terms the page has without a field: Jekyll's categories from a post's folders.
    if !pl.section {
        for (name, terms) in &page.taxonomies {
            if ctx.taxonomies.contains(name.as_str()) && !taxonomies.contains_key(name) {
                let terms = toml_terms(terms);
                if !terms.is_empty() {
                    taxonomies.insert(name.clone(), toml::Value::Array(terms));
                }
            }
        }
    }
    if let Some(raw) = &raw_fm {
        extra.insert("hugo_front_matter_raw".into(), toml::Value::String(raw.clone()));
    }
    for at in nulls {
        report.fields_dropped.push(Note {
            path: page.path.clone(),
            line,
            subject: at,
            message: "empty (null): TOML has no null, so it is left out".into(),
        });
    }
    let keys = if pl.section { SECTION_KEYS } else { PAGE_KEYS };
    debug_assert!(top.keys().all(|k| keys.contains(&k.as_str())), "only Zola keys at the top");
    if !taxonomies.is_empty() {
        top.insert("taxonomies".into(), toml::Value::Table(taxonomies));
    }
    if !extra.is_empty() {
        top.insert("extra".into(), toml::Value::Table(extra));
    }
    let toml = toml::to_string(&top)
        .map_err(|e| Error::Import(format!("{}: cannot be written as TOML: {e}", page.path)))?;

    let body_start = page.body.start.min(text.len());
    let bctx = body::Ctx {
        rules: ctx.mapping.map(|m| &m.shortcodes),
        flavour: Flavour::Zola,
        new_url: ctx.new_url,
        base_url: &ctx.model.site.base_url,
        videos: &ctx.model.videos,
    };
    let b = body::rewrite(text, body_start..text.len(), page, &bctx);
    report.not_converted.extend(b.not_converted);
    super::unresolved(page, report);
    let body = b.text.strip_prefix('\u{feff}').unwrap_or(&b.text);
    Ok((format!("+++\n{toml}+++\n{body}"), raw_fm.is_some()))
}

/// `_index.md` files Zola needs and Hugo did not have: one per Hugo section without one,
/// and a transparent, unrendered one for each folder that holds pages between sections
/// (Hugo lists those pages in the section above; so does Zola with `transparent`).
fn missing_sections(
    model: &Model,
    mapping: Option<&Mapping>,
    placed: &HashMap<&str, Placed>,
    sort_by: &HashMap<String, Option<&'static str>>,
    plan: &mut Plan,
) -> Result<()> {
    let have: BTreeSet<String> =
        placed.values().filter(|p| p.section).map(|p| dir_of(&p.out).to_string()).collect();
    let bundles: BTreeSet<String> = placed
        .values()
        .filter(|p| !p.section && p.out.ends_with("/index.md"))
        .map(|p| dir_of(&p.out).to_string())
        .collect();
    let taxonomy_urls: BTreeSet<String> =
        model.taxonomies.iter().map(|t| format!("/{}/", slug::slugify(&t.name))).collect();
    let mut want: BTreeMap<String, (Table, &'static str)> = BTreeMap::new();
    for s in model.sections.iter().filter(|s| s.index.is_none()) {
        let dir = section_dir(model, mapping, &s.path);
        if have.contains(&dir) {
            continue;
        }
        let mut t = Table::new();
        let name = s.path.rsplit('/').next().unwrap_or(&s.path);
        let mut title: Vec<char> = name.chars().collect();
        if let Some(c) = title.first_mut() {
            *c = c.to_uppercase().next().unwrap_or(*c);
        }
        t.insert("title".into(), toml::Value::String(title.into_iter().collect()));
        if let Some(order) = sort_by.get(&dir).copied().flatten() {
            t.insert("sort_by".into(), toml::Value::String(order.into()));
        }
        let url = format!("{}/", dir.strip_prefix("content").unwrap_or(""));
        let old = urls::decode(&s.url);
        if taxonomy_urls.contains(&url) {
            t.insert("render".into(), toml::Value::Boolean(false));
        } else if !old.is_empty() && !urls::same_resource(&old, &url) {
            t.insert("aliases".into(), toml::Value::Array(vec![toml::Value::String(old)]));
        }
        want.insert(dir, (t, "section index Zola needs (Hugo had none)"));
    }
    for pl in placed.values().filter(|p| !p.section) {
        let mut dir = dir_of(&pl.out);
        if bundles.contains(dir) {
            dir = dir_of(dir);
        }
        while dir.len() > "content".len() {
            if !have.contains(dir) && !want.contains_key(dir) && !bundles.contains(dir) {
                let mut t = Table::new();
                t.insert("transparent".into(), toml::Value::Boolean(true));
                t.insert("render".into(), toml::Value::Boolean(false));
                want.insert(
                    dir.to_string(),
                    (t, "a folder of pages: transparent, so they list in the section above, as in Hugo"),
                );
            }
            dir = dir_of(dir);
        }
    }
    for (dir, (t, purpose)) in want {
        let path = format!("{dir}/_index.md");
        let toml = toml::to_string(&t)
            .map_err(|e| Error::Import(format!("{path}: cannot be written as TOML: {e}")))?;
        generated(plan, &path, format!("+++\n{toml}+++\n").into_bytes(), purpose);
    }
    Ok(())
}

/// Redirect files from Hugo's term URLs that Zola writes otherwise, and the map of term ->
/// content file that the taxonomy templates show (`taxonomy/slug` -> path under content/).
fn term_redirects(
    model: &Model,
    placed: &HashMap<&str, Placed>,
    plan: &mut Plan,
) -> BTreeMap<String, String> {
    let mut sources = BTreeMap::new();
    for t in &model.taxonomies {
        if let Some(index) = t.index.as_deref().and_then(|p| placed.get(p)) {
            sources.insert(t.name.clone(), index.out["content/".len()..].to_string());
        }
        for term in &t.terms {
            let name = term.name.trim();
            if name.is_empty() {
                continue;
            }
            let zola = term_url(&t.name, name);
            if let Some(pl) = term.page.as_deref().and_then(|p| placed.get(p)) {
                let key = format!("{}/{}", t.name, slug::slugify(name));
                sources.insert(key, pl.out["content/".len()..].to_string());
            }
            let old = urls::decode(&term.url);
            // Jekyll has no term pages: nothing to keep.
            if old.is_empty() || urls::same_resource(&old, &zola) {
                continue;
            }
            let dir = old.trim_matches('/');
            let path = format!("static/{dir}/index.html");
            if plan.files.iter().any(|f| f.path == path) {
                continue;
            }
            generated(
                plan,
                &path,
                redirect_html(&zola).into_bytes(),
                "redirect from a Hugo term URL to Zola's",
            );
            plan.report.redirects.push(Note {
                path: old,
                line: 0,
                subject: format!("term {name:?}"),
                message: format!("redirects to {zola} (Zola slugifies terms)"),
            });
        }
    }
    sources
}

/// A static page that sends browsers (and search engines, by its canonical link) on.
fn redirect_html(to: &str) -> String {
    let to = crate::mapping::Filter::Html.apply(&urls::encode(to));
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>Redirecting</title>\n<link rel=\"canonical\" href=\"{to}\">\n<meta http-equiv=\"refresh\" content=\"0; url={to}\">\n</head>\n<body><p>This page has moved to <a href=\"{to}\">{to}</a>.</p></body>\n</html>\n"
    )
}

fn config(model: &Model, term_sources: &BTreeMap<String, String>, plan: &mut Plan) -> Result<()> {
    let mut c = Table::new();
    let base = model.site.base_url.trim_end_matches('/');
    c.insert(
        "base_url".into(),
        toml::Value::String(if base.is_empty() { "/".into() } else { base.into() }),
    );
    if let Some(t) = &model.site.title {
        c.insert("title".into(), toml::Value::String(t.clone()));
    }
    let params = model.site.config.get("params");
    if let Some(d) = params.and_then(|p| p.get("description")).and_then(Value::as_str) {
        c.insert("description".into(), toml::Value::String(d.into()));
    }
    if let Some(lang) = &model.site.language {
        c.insert("default_language".into(), toml::Value::String(lang.clone()));
    }
    c.insert("compile_sass".into(), toml::Value::Boolean(false));
    c.insert("build_search_index".into(), toml::Value::Boolean(false));
    c.insert("generate_feeds".into(), toml::Value::Boolean(false));
    let taxonomies: Vec<toml::Value> = model
        .taxonomies
        .iter()
        .map(|t| {
            let mut e = Table::new();
            e.insert("name".into(), toml::Value::String(t.name.clone()));
            toml::Value::Table(e)
        })
        .collect();
    c.insert("taxonomies".into(), toml::Value::Array(taxonomies));
    let mut extra = Table::new();
    extra.insert(
        "carton_term_pages".into(),
        toml::Value::Table(
            term_sources.iter().map(|(k, v)| (k.clone(), toml::Value::String(v.clone()))).collect(),
        ),
    );
    let mut nulls = Vec::new();
    if let Some(p) = params.filter(|p| p.is_object()).and_then(|p| to_toml(p, "params", &mut nulls))
    {
        extra.insert("hugo_params".into(), p);
    }
    let menu = model.site.config.get("menu").or_else(|| model.site.config.get("menus"));
    if let Some(m) = menu.and_then(|m| to_toml(m, "menu", &mut nulls)) {
        extra.insert("hugo_menus".into(), m);
    }
    for at in nulls {
        plan.report.fields_dropped.push(Note {
            path: model.site.config_files.join(", "),
            line: 0,
            subject: at,
            message: "empty (null): TOML has no null, so it is left out of config.toml".into(),
        });
    }
    c.insert("extra".into(), toml::Value::Table(extra));
    let text = toml::to_string(&c).map_err(|e| Error::Import(format!("config.toml: {e}")))?;
    let text = format!(
        "# Written by carton from the Hugo configuration ({}).\n{text}",
        model.site.config_files.join(", ")
    );
    generated(plan, "config.toml", text.into_bytes(), "Zola configuration, from the Hugo one");
    Ok(())
}

/// Minimal templates, written in Tera without Zola-only syntax beyond `get_page` and
/// `get_section`, so the site builds and every page shows its content.
const TEMPLATES: &[(&str, &str, &str)] = &[
    ("base.html", BASE, "minimal template: the page frame"),
    ("page.html", PAGE, "minimal template: a page"),
    ("section.html", SECTION, "minimal template: a section and its pages"),
    ("index.html", INDEX, "minimal template: the home page"),
    ("taxonomy_list.html", TAXONOMY_LIST, "minimal template: a taxonomy's terms"),
    ("taxonomy_single.html", TAXONOMY_SINGLE, "minimal template: a term's pages"),
];

const BASE: &str = r#"<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
</head>
<body>
<main>
{% block content %}{% endblock content %}
</main>
</body>
</html>
"#;

const PAGE: &str = r#"{% extends "base.html" %}
{% block title %}{% if page.title %}{{ page.title }}{% else %}{{ config.title }}{% endif %}{% endblock title %}
{% block content %}
<h1>{{ page.title }}</h1>
{{ page.content | safe }}
{% endblock content %}
"#;

const SECTION: &str = r#"{% extends "base.html" %}
{% block title %}{% if section.title %}{{ section.title }}{% else %}{{ config.title }}{% endif %}{% endblock title %}
{% block content %}
<h1>{{ section.title }}</h1>
{{ section.content | safe }}
<ul>
{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}{% if sub.title %}<li><a href="{{ sub.permalink | safe }}">{{ sub.title }}</a></li>{% endif %}
{% endfor %}{% for p in section.pages %}<li><a href="{{ p.permalink | safe }}">{% if p.title %}{{ p.title }}{% else %}{{ p.slug }}{% endif %}</a></li>
{% endfor %}</ul>
{% endblock content %}
"#;

const INDEX: &str = r#"{% extends "section.html" %}
"#;

const TAXONOMY_LIST: &str = r#"{% extends "base.html" %}
{% block content %}
<h1>{{ taxonomy.name }}</h1>
<ul>
{% for t in terms %}<li><a href="{{ t.permalink | safe }}">{{ t.name }}</a> ({{ t.pages | length }})</li>
{% endfor %}</ul>
{% endblock content %}
"#;

const TAXONOMY_SINGLE: &str = r#"{% extends "base.html" %}
{% block title %}{{ term.name }}{% endblock title %}
{% block content %}
{% set source = config.extra.carton_term_pages | get(key=taxonomy.name ~ "/" ~ term.slug, default="") %}
{% if source %}{% set tp = get_page(path=source) %}<h1>{{ tp.title }}</h1>
{{ tp.content | safe }}{% else %}<h1>{{ term.name }}</h1>{% endif %}
<ul>
{% for p in term.pages %}<li><a href="{{ p.permalink | safe }}">{% if p.title %}{{ p.title }}{% else %}{{ p.slug }}{% endif %}</a></li>
{% endfor %}</ul>
{% endblock content %}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_dates_become_toml_datetimes_zola_reads() {
        let d = |s: &str| zola_date(s).map(|d| d.to_string());
        assert_eq!(d("2019-04-12").as_deref(), Some("2019-04-12"));
        assert_eq!(d("2019-04-12T00:00:00.500Z").as_deref(), Some("2019-04-12T00:00:00.5Z"));
        assert_eq!(d("2019-04-12 10:30").as_deref(), Some("2019-04-12T10:30:00"));
        assert_eq!(d("2019-04-12 10:30:05 +0100").as_deref(), Some("2019-04-12T10:30:05+01:00"));
        assert_eq!(d("2022"), None);
        assert_eq!(d("12/04/2019"), None);
        assert_eq!(d("2019-13-40"), None);
    }

    #[test]
    fn urls_with_an_extension_become_a_path_and_an_alias() {
        assert_eq!(page_path("/defis/ada/"), ("defis/ada".into(), None));
        assert_eq!(page_path("/a/b.html"), ("a/b".into(), Some("/a/b.html".into())));
        assert_eq!(page_path("/caf%C3%A9/"), ("café".into(), None));
        assert_eq!(page_path("/v1.2/"), ("v1.2".into(), None));
    }

    #[test]
    fn term_urls_follow_zolas_slugs() {
        assert_eq!(term_url("promos", "Promotion 3 - DIG"), "/promos/promotion-3-dig/");
        assert_eq!(term_url("themes", "Citoyenneté"), "/themes/citoyennete/");
    }

    /// The templates with Zola's context as its documentation describes it, and stand-ins
    /// for `get_page` and `get_section`.
    fn render(name: &str, ctx: serde_json::Value) -> String {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(TEMPLATES.iter().map(|(n, t, _)| (*n, *t)))
            .expect("every template parses");
        let found = |title: &str| {
            let v =
                serde_json::json!({"title": title, "content": "<p>body</p>", "permalink": "/x/"});
            move |_: &HashMap<String, serde_json::Value>| Ok(v.clone())
        };
        tera.register_function("get_page", found("Term page"));
        tera.register_function("get_section", found("Sub"));
        let ctx = tera::Context::from_value(ctx).expect("an object");
        tera.render(name, &ctx).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    #[test]
    fn templates_render_with_zolas_context() {
        let config = serde_json::json!({"title": null, "extra": {"carton_term_pages": {"tags/a": "tags/a.md"}}});
        let page = render(
            "page.html",
            serde_json::json!({"lang": "fr", "config": config, "page": {"title": null, "content": "<p>Hi</p>"}}),
        );
        assert!(page.contains("<p>Hi</p>"), "{page}");
        let section = render(
            "index.html",
            serde_json::json!({"lang": "fr", "config": config, "section": {
                "title": "Home", "content": "", "subsections": ["blog/_index.md"],
                "pages": [{"title": null, "slug": "p", "permalink": "/p/"}]}}),
        );
        assert!(
            section.contains(r#"<a href="/x/">Sub</a>"#)
                && section.contains(r#"<a href="/p/">p</a>"#),
            "{section}"
        );
        let term = |slug: &str| {
            render(
                "taxonomy_single.html",
                serde_json::json!({"lang": "fr", "config": config, "taxonomy": {"name": "tags"},
                    "term": {"name": "A", "slug": slug, "pages": [{"title": "P", "permalink": "/p/"}]}}),
            )
        };
        assert!(term("a").contains("<h1>Term page</h1>\n<p>body</p>"), "{}", term("a"));
        assert!(term("b").contains("<h1>A</h1>"), "{}", term("b"));
        let list = render(
            "taxonomy_list.html",
            serde_json::json!({"lang": "fr", "config": config, "taxonomy": {"name": "tags"},
                "terms": [{"name": "A", "permalink": "/tags/a/", "pages": [1, 2]}]}),
        );
        assert!(list.contains(r#"<a href="/tags/a/">A</a> (2)"#), "{list}");
    }
}
