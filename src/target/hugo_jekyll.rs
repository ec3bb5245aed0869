//! Hugo target for a Jekyll site. Posts go to `content/<section>/` (`posts` unless the
//! mapping names another), collection documents to `content/<collection>/`, pages to
//! `content/` at their path, each with `url` set to the file Jekyll wrote, so every old
//! address answers; `redirect_from` and the `_redirects` lines become `aliases`. Front
//! matter is rewritten for Hugo (`published: false` becomes `draft: true`, `permalink` and
//! `layout` are kept under other names). Static files go to `static/`, data files that
//! Hugo reads to `data/`, Jekyll's templates and anything else Hugo cannot use under
//! `_jekyll/`, raw and reported.

use super::body::{self, Flavour};
use super::report::{Action, Note, Report};
use super::urls::{self, SiteUrls};
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles, copy, generated};
use crate::error::Result;
use crate::mapping::Mapping;
use crate::model::{FileRole, Model, Page, PageKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};

/// Jekyll front matter keys Hugo reads with another meaning: kept as `jekyll_<name>`.
const RENAMED: &[&str] = &["layout", "permalink", "type", "url", "published"];

/// Where a page goes, and the URL it keeps.
struct Placed {
    out: String,
    url: String,
}

/// The URL Hugo writes the page at: the file Jekyll wrote (`/about` was `about.html`).
pub(super) fn hugo_url(jekyll_url: &str) -> String {
    let u = urls::decode(jekyll_url);
    let last = u.rsplit('/').next().unwrap_or("");
    if u.ends_with('/') || last.contains('.') { u } else { format!("{u}.html") }
}

/// The target section of a Jekyll collection.
pub(super) fn section_of(mapping: Option<&Mapping>, section: &str) -> String {
    let name = mapping
        .and_then(|m| m.sections.get(section))
        .cloned()
        .unwrap_or_else(|| section.to_string());
    name.chars()
        .map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect()
}

/// A document's name without Jekyll's date prefix and extension.
fn slug(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    static DATED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^\d{2,4}-\d{1,2}-\d{1,2}-(.+)$").expect("valid regex")
    });
    DATED.captures(stem).map_or_else(|| stem.to_string(), |c| c[1].to_string())
}

/// Where a Jekyll page goes under a content folder: the home page as `_index.md`, a
/// folder's `index.html` as that folder's `_index.md`, a page at its path, a post or
/// document in its section (`posts`, or what the mapping names) by its name without date.
/// Two documents with one name (two years of one title) get a suffix; their URLs, set
/// explicitly, do not change.
pub(super) fn content_rel(
    page: &Page,
    mapping: Option<&Mapping>,
    taken: &mut BTreeSet<String>,
) -> String {
    let out = if page.kind == PageKind::Home {
        "_index.md".to_string()
    } else if page.section.is_empty() {
        let stem = page.path.rsplit_once('.').map_or(page.path.as_str(), |(s, _)| s);
        match stem.strip_suffix("/index") {
            Some(dir) => format!("{dir}/_index.md"),
            None => format!("{stem}.md"),
        }
    } else {
        let section = section_of(mapping, &page.section);
        let sub =
            page.path.split('/').skip_while(|s| !s.starts_with('_')).skip(1).collect::<Vec<_>>();
        let dir = if sub.len() > 1 {
            format!("/{}", sub[..sub.len() - 1].join("/"))
        } else {
            String::new()
        };
        format!("{section}{dir}/{}.md", slug(&page.path))
    };
    let mut candidate = out.clone();
    let mut n = 2;
    while !taken.insert(candidate.to_lowercase()) {
        candidate = format!("{}-{n}.md", out.trim_end_matches(".md"));
        n += 1;
    }
    candidate
}

fn place(page: &Page, mapping: Option<&Mapping>, taken: &mut BTreeSet<String>) -> Placed {
    Placed {
        out: format!("content/{}", content_rel(page, mapping, taken)),
        url: hugo_url(&page.url),
    }
}

/// Where a Jekyll file that is neither page nor static file goes: data files the target
/// reads into `data/`, anything else (templates, includes, a data file that does not
/// parse, unpublished files) under `_jekyll/`, with why it is kept raw.
pub(super) fn other_file(model: &Model, path: &str) -> (String, Option<&'static str>) {
    let data_dir = model.site.config.get("data_dir").and_then(Value::as_str).unwrap_or("_data");
    let broken = model.problems.iter().any(|p| p.code == "data-file" && p.path == path);
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match path.strip_prefix(&format!("{data_dir}/")) {
        // Hugo and Zola read YAML, JSON and TOML data (CSV only through functions).
        Some(rest) if matches!(ext.as_str(), "yml" | "yaml" | "json" | "toml") && !broken => {
            (format!("data/{rest}"), None)
        }
        Some(_) => (
            format!("_jekyll/{path}"),
            Some(
                "a data file the target cannot read (a format it does not take, or it does not parse): kept under _jekyll/",
            ),
        ),
        None => (
            format!("_jekyll/{path}"),
            Some(
                "a Jekyll template, include or unpublished file: kept under _jekyll/, which the target does not read",
            ),
        ),
    }
}

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mapping = opts.mapping.as_ref();
    let mut plan = Plan::new("hugo", mapping, model);
    let site_urls = SiteUrls::new(model);
    let mut taken = BTreeSet::new();
    let placed: HashMap<&str, Placed> =
        model.pages.iter().map(|p| (p.path.as_str(), place(p, mapping, &mut taken))).collect();

    let mut new_url: HashMap<String, String> = HashMap::new();
    let mut out_of: HashMap<&str, (String, Option<&'static str>)> = HashMap::new();
    for f in &model.files {
        if let Some(pl) = placed.get(f.path.as_str()) {
            new_url.insert(f.path.clone(), pl.url.clone());
            continue;
        }
        let (out, raw) = match f.role {
            FileRole::Static => match site_urls.of(&f.path) {
                Some(u) => (format!("static{u}"), None),
                None => (format!("static/{}", f.path), None),
            },
            FileRole::Config => continue,
            _ => other_file(model, &f.path),
        };
        let out = mapping.map_or_else(|| out.clone(), |m| m.apply_paths(&out));
        if f.role == FileRole::Static && out.starts_with("static/") {
            new_url.insert(f.path.clone(), out["static".len()..].to_string());
        }
        out_of.insert(&f.path, (out, raw));
    }
    super::localize_remote(model, opts, "static/", &mut plan, &mut new_url);

    let pages: HashMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    for f in &model.files {
        if let Some(pl) = placed.get(f.path.as_str()) {
            let page = pages[f.path.as_str()];
            if !page.text.utf8 {
                let out = format!("_jekyll/{}", f.path);
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(
                    &f.path,
                    Action::Raw,
                    Some(&out),
                    Some("not UTF-8 text: kept under _jekyll/".into()),
                );
                continue;
            }
            let bytes = files.read(&f.path)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (out, raw_fm) =
                convert_page(model, page, &text, mapping, &new_url, &mut plan.report)?;
            plan.files
                .push(OutFile { path: pl.out.clone(), content: Content::Bytes(out.into_bytes()) });
            if raw_fm {
                let why =
                    "its front matter does not parse: kept as text in `jekyll_front_matter_raw`";
                plan.report.file(&f.path, Action::Raw, Some(&pl.out), Some(why.into()));
            } else {
                plan.report.file(&f.path, Action::Converted, Some(&pl.out), None);
            }
            continue;
        }
        match out_of.get(f.path.as_str()) {
            None => {
                plan.report.file(&f.path, Action::Merged, None, Some("read into hugo.toml".into()))
            }
            Some((out, Some(why))) => {
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(&f.path, Action::Raw, Some(out), Some((*why).into()));
            }
            Some((out, None)) => copy(&mut plan, &f.path, out),
        }
    }
    let mut at_url: Vec<(String, String)> = placed
        .iter()
        .filter(|(p, _)| pages.get(*p).is_some_and(|p| !p.draft))
        .map(|(p, pl)| (pl.url.clone(), (*p).to_string()))
        .collect();
    for p in model.pages.iter().filter(|p| !p.draft) {
        for a in &p.aliases {
            at_url.push((a.clone(), format!("{} (alias)", p.path)));
            plan.report.redirects.push(Note {
                path: a.clone(),
                line: 0,
                subject: "alias".into(),
                message: format!(
                    "redirects to {} (a Hugo alias of {})",
                    placed[p.path.as_str()].url,
                    p.path
                ),
            });
        }
    }
    super::check_urls(&mut at_url)?;
    config(model, &mut plan)?;
    if let Some(m) = mapping {
        for (path, text) in &m.files {
            generated(&mut plan, path, text.clone().into_bytes(), "file given by the mapping");
        }
    }
    if opts.layouts {
        super::hugo::layouts(model, &mut plan);
    }
    Ok(plan)
}

fn convert_page(
    model: &Model,
    page: &Page,
    text: &str,
    mapping: Option<&Mapping>,
    new_url: &HashMap<String, String>,
    report: &mut Report,
) -> Result<(String, bool)> {
    let (mut fields, raw_fm, _) =
        super::fields::page_fields(page, text, mapping.map(|m| &m.fields), report);
    let mut out = Map::new();
    let draft = page.draft;
    let aliases: Vec<String> = page.aliases.clone();
    fields.remove("redirect_from");
    for k in RENAMED {
        if let Some(v) = fields.remove(*k) {
            if *k == "published" {
                continue;
            }
            fields.insert(format!("jekyll_{k}"), v);
        }
    }
    // Jekyll splits a string of categories or tags on white space; Hugo wants lists.
    for key in ["categories", "tags"] {
        if let Some(terms) = page.taxonomies.get(key) {
            fields.insert(key.into(), json!(terms));
        }
    }
    fields.remove("category");
    fields.remove("tag");
    if !fields.contains_key("title")
        && let Some(t) = &page.title
    {
        out.insert("title".into(), json!(t));
    }
    if !fields.contains_key("date")
        && let Some(d) = &page.date
    {
        out.insert("date".into(), json!(d));
    }
    for (k, v) in fields {
        out.insert(k, v);
    }
    if draft {
        out.insert("draft".into(), json!(true));
    }
    out.insert("url".into(), json!(urls::encode(&hugo_url(&page.url))));
    if !aliases.is_empty() {
        out.insert("aliases".into(), json!(aliases));
    }
    if let Some(raw) = &raw_fm {
        out.insert("jekyll_front_matter_raw".into(), json!(raw));
    }
    let yaml = serde_yaml::to_string(&Value::Object(out)).map_err(|e| {
        crate::error::Error::Import(format!("{}: cannot be written as YAML: {e}", page.path))
    })?;
    let ctx = body::Ctx {
        rules: mapping.map(|m| &m.shortcodes),
        flavour: Flavour::Hugo,
        new_url,
        base_url: &model.site.base_url,
        videos: &model.videos,
    };
    let body_start = page.body.start.min(text.len());
    let b = body::rewrite(text, body_start..text.len(), page, &ctx);
    report.not_converted.extend(b.not_converted);
    super::unresolved(page, report);
    let body = b.text.strip_prefix('\u{feff}').unwrap_or(&b.text);
    if page.path.ends_with(".html") || page.path.ends_with(".htm") {
        report.notes.push(Note {
            path: page.path.clone(),
            line: 0,
            subject: "html".into(),
            message: "an HTML page: written as Markdown (its HTML passes through, as `unsafe = true` in hugo.toml allows)".into(),
        });
    }
    Ok((format!("---\n{yaml}---\n{body}"), raw_fm.is_some()))
}

fn config(model: &Model, plan: &mut Plan) -> Result<()> {
    let c = &model.site.config;
    let get = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
    let mut t = toml::Table::new();
    let base = model.site.base_url.clone();
    t.insert(
        "baseURL".into(),
        toml::Value::String(if base.is_empty() { "/".into() } else { base }),
    );
    if let Some(title) = &model.site.title {
        t.insert("title".into(), toml::Value::String(title.clone()));
    }
    if let Some(lang) = &model.site.language {
        t.insert("languageCode".into(), toml::Value::String(lang.clone()));
    }
    let mut taxonomies = toml::Table::new();
    taxonomies.insert("category".into(), toml::Value::String("categories".into()));
    taxonomies.insert("tag".into(), toml::Value::String("tags".into()));
    t.insert("taxonomies".into(), toml::Value::Table(taxonomies));
    let mut renderer = toml::Table::new();
    renderer.insert("unsafe".into(), toml::Value::Boolean(true));
    let mut goldmark = toml::Table::new();
    goldmark.insert("renderer".into(), toml::Value::Table(renderer));
    let mut markup = toml::Table::new();
    markup.insert("goldmark".into(), toml::Value::Table(goldmark));
    t.insert("markup".into(), toml::Value::Table(markup));
    // Jekyll's site variables, for templates (`site.description` -> `.Site.Params.description`).
    let mut params = toml::Table::new();
    for k in ["description", "email", "author", "twitter_username", "github_username"] {
        if let Some(v) = get(k) {
            params.insert(k.into(), toml::Value::String(v));
        }
    }
    if let Ok(toml::Value::Table(all)) = toml::Value::try_from(strip_nulls(c)) {
        params.insert("jekyll".into(), toml::Value::Table(all));
    }
    t.insert("params".into(), toml::Value::Table(params));
    let text =
        toml::to_string(&t).map_err(|e| crate::error::Error::Import(format!("hugo.toml: {e}")))?;
    let text = format!(
        "# Written by carton from the Jekyll configuration ({}).\n{text}",
        model.site.config_files.join(", ")
    );
    generated(plan, "hugo.toml", text.into_bytes(), "Hugo configuration, from the Jekyll one");
    Ok(())
}

/// A value without its nulls (TOML has none).
fn strip_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| (k.clone(), strip_nulls(x)))
                .collect(),
        ),
        Value::Array(a) => {
            Value::Array(a.iter().filter(|x| !x.is_null()).map(strip_nulls).collect())
        }
        x => x.clone(),
    }
}
