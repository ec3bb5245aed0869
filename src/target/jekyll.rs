//! Jekyll target (4.x). Hugo sections become collections (`_<name>/`, `output: true`), or
//! `_posts/` for the sections the mapping names `posts`; every page keeps its URL through
//! `permalink`; aliases become redirect pages; `draft: true` becomes `published: false`;
//! static files move to the site root, bundle resources beside their page's URL, so that
//! `/img/x.pdf` links resolve as before. Text Liquid would read is protected with
//! `{% raw %}`.

use super::body::{self, Flavour};
use super::report::{Action, Note, Report};
use super::urls::{self, SiteUrls};
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles, copy, ext, generated, stem};
use crate::error::Result;
use crate::mapping::Mapping;
use crate::model::{FileRole, Model, Page, PageKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Collection names Jekyll uses for itself.
const RESERVED: &[&str] =
    &["posts", "drafts", "data", "includes", "layouts", "site", "sass", "config", "plugins"];

/// Front matter keys Jekyll reads with a meaning of its own: source fields with these
/// names are renamed `hugo_<name>` (and reported) unless carton sets them itself.
pub(super) const JEKYLL_KEYS: &[&str] = &[
    "layout",
    "permalink",
    "published",
    "path",
    "collection",
    "excerpt_separator",
    "output",
    "relative_path",
    "content",
    "next",
    "previous",
];

/// Where a page goes and what list it heads.
struct Placed {
    out: String,
    permalink: String,
    list: Option<String>,
}

fn permalink(url: &str) -> String {
    let u = urls::decode(url);
    let u = if u.starts_with('/') { u } else { format!("/{u}") };
    let last = u.rsplit('/').next().unwrap_or("");
    if u.ends_with('/') || last.contains('.') { u } else { format!("{u}/") }
}

fn collection_name(mapping: Option<&Mapping>, section: &str) -> String {
    let name = mapping
        .and_then(|m| m.sections.get(section))
        .cloned()
        .unwrap_or_else(|| section.to_string());
    let name: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .collect();
    if name != "posts" && RESERVED.contains(&name.as_str()) {
        format!("{name}_pages")
    } else {
        name
    }
}

/// A Jekyll post date (`YYYY-MM-DD`) from a front matter date.
fn post_date(date: &str) -> Option<String> {
    let d = date.get(..10)?;
    let b = d.as_bytes();
    (b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars().filter(char::is_ascii_digit).count() == 8)
        .then(|| d.to_string())
}

fn place(
    page: &Page,
    mapping: Option<&Mapping>,
    collections: &mut BTreeSet<String>,
    posts: &mut BTreeSet<String>,
) -> Placed {
    let rel = page.content_path.as_str();
    let link = permalink(&page.url);
    let e = ext(rel);
    match page.kind {
        PageKind::Home => Placed { out: format!("index.{e}"), permalink: link, list: None },
        PageKind::Section | PageKind::Taxonomy | PageKind::Term => {
            let dir = rel.rsplit_once('/').map_or("", |(d, _)| d);
            let out =
                if dir.is_empty() { format!("index.{e}") } else { format!("{dir}/index.{e}") };
            let list = (!page.section.is_empty() && page.kind == PageKind::Section)
                .then(|| collection_name(mapping, &page.section));
            Placed { out, permalink: link, list }
        }
        PageKind::Page if page.section.is_empty() => {
            Placed { out: rel.to_string(), permalink: link, list: None }
        }
        PageKind::Page => {
            let c = collection_name(mapping, &page.section);
            let under = rel.strip_prefix(&format!("{}/", page.section)).unwrap_or(rel);
            if c == "posts"
                && let Some(d) = page.date.as_deref().and_then(post_date)
            {
                let slug = if page.bundle.is_some() {
                    rel.rsplit('/').nth(1).unwrap_or("post").to_string()
                } else {
                    stem(rel).to_string()
                };
                let mut name = format!("_posts/{d}-{slug}.{e}");
                let mut n = 2;
                while !posts.insert(name.to_lowercase()) {
                    name = format!("_posts/{d}-{slug}-{n}.{e}");
                    n += 1;
                }
                return Placed { out: name, permalink: link, list: None };
            }
            let c = if c == "posts" { format!("{}_pages", page.section) } else { c };
            collections.insert(c.clone());
            Placed { out: format!("_{c}/{under}"), permalink: link, list: None }
        }
    }
}

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mapping = opts.mapping.as_ref();
    let mut plan = Plan::new("jekyll", mapping, model);
    let urls = SiteUrls::new(model);
    let mut collections = BTreeSet::new();
    let mut posts = BTreeSet::new();
    let mut has_posts = false;
    let placed: HashMap<&str, Placed> = model
        .pages
        .iter()
        .map(|p| {
            let pl = place(p, mapping, &mut collections, &mut posts);
            has_posts |= pl.out.starts_with("_posts/");
            (p.path.as_str(), pl)
        })
        .collect();

    // Where each non-page file goes, and its URL there.
    let mut include: BTreeSet<String> = BTreeSet::new();
    let mut out_of: HashMap<&str, String> = HashMap::new();
    let mut new_url: HashMap<String, String> = HashMap::new();
    for f in &model.files {
        if let Some(pl) = placed.get(f.path.as_str()) {
            new_url.insert(f.path.clone(), pl.permalink.clone());
            continue;
        }
        let out = match f.role {
            FileRole::Static | FileRole::Resource => {
                urls.of(&f.path).map(|u| u.trim_start_matches('/').to_string())
            }
            FileRole::Config => None,
            _ => Some(super::other_file(&f.path, "_data")),
        };
        let Some(out) = out else { continue };
        let out = mapping.map_or_else(|| out.clone(), |m| m.apply_paths(&out));
        if matches!(f.role, FileRole::Static | FileRole::Resource) {
            new_url.insert(f.path.clone(), format!("/{out}"));
            let top = out.split('/').next().unwrap_or("");
            if top.starts_with(['_', '.']) {
                include.insert(top.to_string());
            }
        }
        out_of.insert(f.path.as_str(), out);
    }
    super::localize_remote(model, opts, "", &mut plan, &mut new_url);

    let pages: HashMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut redirects: BTreeMap<String, String> = BTreeMap::new();
    for f in &model.files {
        if let Some(page) = pages.get(f.path.as_str()) {
            let pl = &placed[f.path.as_str()];
            for a in &page.aliases {
                let from = urls::browser_resolve(&urls::decode(&page.url), a, &model.site.base_url)
                    .unwrap_or_else(|| a.clone());
                let from = permalink(&from);
                if from != pl.permalink {
                    redirects.insert(from, pl.permalink.clone());
                }
            }
            if !page.text.utf8 {
                plan.files
                    .push(OutFile { path: pl.out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(
                    &f.path,
                    Action::Raw,
                    Some(&pl.out),
                    Some("not UTF-8 text: copied as is".into()),
                );
                continue;
            }
            let bytes = files.read(&f.path)?;
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let (out, raw_fm) =
                convert_page(model, page, &text, pl, mapping, &new_url, &mut plan.report)?;
            plan.files
                .push(OutFile { path: pl.out.clone(), content: Content::Bytes(out.into_bytes()) });
            if raw_fm {
                let why =
                    "its front matter does not parse: kept as text in `hugo_front_matter_raw`";
                plan.report.file(&f.path, Action::Raw, Some(&pl.out), Some(why.into()));
            } else {
                plan.report.file(&f.path, Action::Converted, Some(&pl.out), None);
            }
            continue;
        }
        match (f.role, out_of.get(f.path.as_str())) {
            (FileRole::Config, _) => plan.report.file(
                &f.path,
                Action::Merged,
                None,
                Some("read into _config.yml".into()),
            ),
            (FileRole::Static | FileRole::Resource, Some(out)) => copy(&mut plan, &f.path, out),
            (_, Some(out)) if out.starts_with("_hugo/") => {
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(&f.path, Action::Raw, Some(out), Some("a Hugo template or build input: Jekyll cannot use it; kept under _hugo/ (which Jekyll does not publish)".into()));
            }
            (_, Some(out)) => copy(&mut plan, &f.path, out),
            (_, None) => {
                let out = format!("_hugo/{}", f.path);
                plan.files
                    .push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
                plan.report.file(
                    &f.path,
                    Action::Raw,
                    Some(&out),
                    Some("a resource that belongs to no page: kept under _hugo/".into()),
                );
            }
        }
    }

    // Redirect pages for every old URL that is not a page's URL any more.
    for (i, (from, to)) in redirects.iter().enumerate() {
        let text = format!(
            "---\nlayout: redirect\npermalink: {}\nredirect_to: {}\nsitemap: false\n---\n",
            yaml_str(from),
            yaml_str(to)
        );
        generated(
            &mut plan,
            &format!("carton-redirects/{i}.html"),
            text.into_bytes(),
            "redirect from an old URL (a Hugo alias)",
        );
        plan.report.redirects.push(Note {
            path: from.clone(),
            line: 0,
            subject: "alias".into(),
            message: format!("redirects to {to}"),
        });
    }
    let mut at_url: Vec<(String, String)> =
        placed.iter().map(|(path, pl)| (pl.permalink.clone(), (*path).to_string())).collect();
    at_url.extend(redirects.iter().map(|(from, to)| (from.clone(), format!("a redirect to {to}"))));
    super::check_urls(&mut at_url)?;
    list_pages(model, &placed, mapping, &mut plan)?;
    config(model, &collections, has_posts, &include, &mut plan)?;
    if let Some(m) = mapping {
        for (path, text) in &m.files {
            generated(&mut plan, path, text.clone().into_bytes(), "file given by the mapping");
        }
    }
    if opts.layouts {
        layouts(&mut plan);
    }
    Ok(plan)
}

/// Minimal layouts, so that the site builds and shows its pages.
pub(super) fn layouts(plan: &mut Plan) {
    generated(
        plan,
        "_layouts/default.html",
        DEFAULT_LAYOUT.as_bytes().to_vec(),
        "minimal layout: a page",
    );
    generated(
        plan,
        "_layouts/list.html",
        LIST_LAYOUT.as_bytes().to_vec(),
        "minimal layout: a section's list page",
    );
    generated(plan, "_layouts/redirect.html", REDIRECT_LAYOUT.as_bytes().to_vec(), "redirect page");
}

/// YAML text of a value; `what` names the file in an error.
fn yaml(v: &Value, what: &str) -> Result<String> {
    serde_yaml::to_string(v)
        .map_err(|e| crate::error::Error::Import(format!("{what}: cannot be written as YAML: {e}")))
}

fn yaml_str(s: &str) -> String {
    Value::String(s.into()).to_string()
}

fn convert_page(
    model: &Model,
    page: &Page,
    text: &str,
    pl: &Placed,
    mapping: Option<&Mapping>,
    new_url: &HashMap<String, String>,
    report: &mut Report,
) -> Result<(String, bool)> {
    let body_start = page.body.start.min(text.len());
    let (mut fm, raw_fm, line) =
        super::fields::page_fields(page, text, mapping.map(|m| &m.fields), report);
    let mut out = Map::new();
    let taxonomies: BTreeSet<&str> = model.taxonomies.iter().map(|t| t.name.as_str()).collect();
    let draft = fm.remove("draft").is_some_and(|v| v == Value::Bool(true) || v == "true");
    fm.remove("url");
    fm.remove("aliases");
    for (k, v) in fm {
        let key = if JEKYLL_KEYS.contains(&k.as_str()) {
            let new = format!("hugo_{k}");
            report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: k.clone(),
                message: format!("Jekyll gives `{k}` a meaning of its own: renamed `{new}`"),
            });
            new
        } else {
            k
        };
        // Jekyll splits a string of tags on white space: lists stay lists, one term stays one.
        let v = match v {
            Value::String(s)
                if taxonomies.contains(key.as_str()) || key == "tags" || key == "categories" =>
            {
                json!([s])
            }
            v => v,
        };
        if key == "date" && !v.as_str().is_some_and(jekyll_date_ok) {
            report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: "date".into(),
                message: format!(
                    "{v} is not a date Jekyll reads (it refuses to build): kept as `hugo_date`"
                ),
            });
            out.insert("hugo_date".into(), v);
            continue;
        }
        out.insert(key, v);
    }
    if draft {
        out.insert("published".into(), Value::Bool(false));
    }
    if let Some(raw) = &raw_fm {
        out.insert("hugo_front_matter_raw".into(), Value::String(raw.clone()));
    }
    out.insert("permalink".into(), Value::String(pl.permalink.clone()));
    if let Some(list) = &pl.list {
        out.insert("layout".into(), Value::String("list".into()));
        out.insert("carton_list".into(), Value::String(list.clone()));
    }
    let yaml = yaml(&Value::Object(out), &page.path)?;
    let ctx = body::Ctx {
        rules: mapping.map(|m| &m.shortcodes),
        flavour: Flavour::Jekyll,
        new_url,
        base_url: &model.site.base_url,
        videos: &model.videos,
    };
    let b = body::rewrite(text, body_start..text.len(), page, &ctx);
    report.not_converted.extend(b.not_converted);
    super::unresolved(page, report);
    let body = b.text.strip_prefix('\u{feff}').unwrap_or(&b.text);
    Ok((format!("---\n{yaml}---\n{body}"), raw_fm.is_some()))
}

/// Whether Jekyll reads a front matter date (YAML timestamps and what Ruby's Time.parse takes
/// from them): `YYYY-MM-DD`, optionally a time and an offset.
fn jekyll_date_ok(d: &str) -> bool {
    static RE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^\d{4}-\d{1,2}-\d{1,2}([Tt ]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$",
        )
        .expect("valid date regex")
    });
    RE.is_match(d.trim())
}

/// A list page carton writes: its URL, title, the collection its layout lists (if any),
/// the (title, URL) of its entries, and why it is written.
struct ListPage {
    url: String,
    title: String,
    list: Option<String>,
    items: Vec<(String, String)>,
    purpose: &'static str,
}

/// List pages Hugo made without a content file: a section's list, a taxonomy's list of terms,
/// a term's list of pages. Each keeps its old URL.
fn list_pages(
    model: &Model,
    placed: &HashMap<&str, Placed>,
    mapping: Option<&Mapping>,
    plan: &mut Plan,
) -> Result<()> {
    let by_path: HashMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let page_urls: BTreeSet<String> = placed.values().map(|pl| pl.permalink.clone()).collect();
    let title_of = |path: &String| -> (String, String) {
        let title = by_path.get(path.as_str()).and_then(|p| p.title.clone());
        let url = placed.get(path.as_str()).map_or_else(String::new, |pl| pl.permalink.clone());
        (title.unwrap_or_else(|| stem(path).to_string()), url)
    };
    let mut lists: Vec<ListPage> = Vec::new();
    for s in &model.sections {
        if s.index.is_none() && !s.path.is_empty() {
            let items = s.pages.iter().map(title_of).collect();
            let list = Some(collection_name(mapping, &s.path));
            let purpose = "list page of a section that had no _index file";
            lists.push(ListPage {
                url: s.url.clone(),
                title: s.path.clone(),
                list,
                items,
                purpose,
            });
        }
    }
    for t in &model.taxonomies {
        let url = format!("/{}/", t.name);
        if t.index.is_none() && !page_urls.contains(&url) {
            let items = t.terms.iter().map(|term| (term.name.clone(), term.url.clone())).collect();
            let purpose = "list of a taxonomy's terms";
            lists.push(ListPage { url, title: t.name.clone(), list: None, items, purpose });
        }
        for term in t.terms.iter().filter(|term| term.page.is_none()) {
            let items = term.pages.iter().map(title_of).collect();
            let (url, title) = (term.url.clone(), term.name.clone());
            let purpose = "list of a term's pages";
            lists.push(ListPage { url, title, list: None, items, purpose });
        }
    }
    for (n, ListPage { url, title, list, items, purpose }) in lists.into_iter().enumerate() {
        let mut fm = Map::new();
        fm.insert("title".into(), Value::String(title));
        fm.insert("permalink".into(), Value::String(permalink(&url)));
        if let Some(l) = list {
            fm.insert("layout".into(), Value::String("list".into()));
            fm.insert("carton_list".into(), Value::String(l));
        }
        let mut body = String::new();
        for (t, u) in items {
            let text = crate::mapping::Filter::MdText.apply(&t);
            body.push_str(&format!("- [{text}]({})\n", urls::encode(&u)));
        }
        let path = format!("carton-lists/{n}.md");
        let text =
            format!("---\n{}---\n{}", yaml(&Value::Object(fm), &path)?, body::liquid_raw(&body));
        generated(plan, &path, text.into_bytes(), purpose);
    }
    Ok(())
}

fn config(
    model: &Model,
    collections: &BTreeSet<String>,
    has_posts: bool,
    include: &BTreeSet<String>,
    plan: &mut Plan,
) -> Result<()> {
    let base = url::Url::parse(&model.site.base_url).ok();
    let origin = base
        .as_ref()
        .map(|u| u.origin().ascii_serialization())
        .filter(|o| o != "null")
        .unwrap_or_default();
    let baseurl =
        base.as_ref().map(|u| u.path().trim_end_matches('/').to_string()).unwrap_or_default();
    let mut c = Map::new();
    c.insert("title".into(), json!(model.site.title.clone().unwrap_or_default()));
    c.insert("url".into(), json!(origin));
    c.insert("baseurl".into(), json!(baseurl));
    if let Some(lang) = &model.site.language {
        c.insert("lang".into(), json!(lang));
    }
    if let Some(tz) = model.site.config.get("timeZone").and_then(Value::as_str) {
        c.insert("timezone".into(), json!(tz));
    }
    c.insert("markdown".into(), json!("kramdown"));
    c.insert("kramdown".into(), json!({"input": "GFM", "hard_wrap": false}));
    // Hugo publishes future-dated pages' URLs only when asked; keep every page reachable.
    c.insert("future".into(), json!(true));
    let mut cols = Map::new();
    for name in collections {
        cols.insert(name.clone(), json!({"output": true, "permalink": "/:collection/:path/"}));
    }
    c.insert("collections".into(), Value::Object(cols));
    if has_posts {
        c.insert("permalink".into(), json!("/:categories/:year/:month/:day/:title/"));
    }
    c.insert("defaults".into(), json!([{"scope": {"path": ""}, "values": {"layout": "default"}}]));
    if !include.is_empty() {
        c.insert("include".into(), json!(include.iter().collect::<Vec<_>>()));
    }
    c.insert(
        "exclude".into(),
        json!([
            "carton-report.md",
            "carton-report.json",
            "_hugo/",
            ".sass-cache/",
            ".jekyll-cache/",
            "gemfiles/",
            "Gemfile",
            "Gemfile.lock",
            "node_modules/",
            "vendor/bundle/",
            "vendor/cache/",
            "vendor/gems/",
            "vendor/ruby/"
        ]),
    );
    if let Some(params) = model.site.config.get("params").filter(|p| p.is_object()) {
        c.insert("hugo_params".into(), params.clone());
    }
    if let Some(menu) = model.site.config.get("menu").or_else(|| model.site.config.get("menus")) {
        c.insert("hugo_menus".into(), menu.clone());
    }
    let text = format!(
        "# Written by carton from the Hugo configuration ({}).\n{}",
        model.site.config_files.join(", "),
        yaml(&Value::Object(c), "_config.yml")?
    );
    generated(plan, "_config.yml", text.into_bytes(), "Jekyll configuration, from the Hugo one");
    Ok(())
}

const DEFAULT_LAYOUT: &str = r#"<!DOCTYPE html>
<html lang="{{ site.lang | default: 'en' }}">
<head>
<meta charset="utf-8">
<title>{{ page.title | default: site.title | escape }}</title>
</head>
<body>
<main>
<h1>{{ page.title | escape }}</h1>
{{ content }}
</main>
</body>
</html>
"#;

const LIST_LAYOUT: &str = r#"---
layout: default
---
{{ content }}
{% if page.carton_list == "posts" %}{% assign docs = site.posts %}{% else %}{% assign docs = site[page.carton_list] %}{% endif %}
<ul>
{% for doc in docs %}<li><a href="{{ doc.url | relative_url }}">{{ doc.title | escape }}</a></li>
{% endfor %}</ul>
"#;

const REDIRECT_LAYOUT: &str = r#"<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>Redirecting</title>
<link rel="canonical" href="{{ page.redirect_to | relative_url }}">
<meta http-equiv="refresh" content="0; url={{ page.redirect_to | relative_url }}">
</head>
<body><p>This page has moved to <a href="{{ page.redirect_to | relative_url }}">{{ page.redirect_to | relative_url }}</a>.</p></body>
</html>
"#;
