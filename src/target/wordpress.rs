//! A WordPress site (an archive of its WXR export) into Hugo or Jekyll.
//!
//! Each post, page and custom-type item keeps its address: Hugo's `url`, Jekyll's
//! `permalink`, from the item's link on the old site. Unpublished items (draft, pending,
//! future, private, trash) become Hugo drafts and unpublished Jekyll pages, their status kept.
//! Bodies stay HTML: video embeds (embed blocks, `[embed]`, a URL alone on its line) become
//! what the mapping's `video PROVIDER` rule emits (an `<iframe>` of the provider's player
//! without one), shortcodes go through the mapping's rules, links to the site's own pages
//! become site paths, and a classic-editor body gets its paragraphs as WordPress's `wpautop`
//! makes them at display. The export file is kept under `_wordpress/`, which neither
//! generator reads, and every item that is not a page is listed in the report.

use super::report::{Action, Note};
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles, generated};
use crate::error::{Error, Result};
use crate::mapping::{Format, Key, Mapping, Params};
use crate::model::{FileRole, Model, Page, RefSource, Target, Video};
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mapping = opts.mapping.as_ref();
    let to = opts.to;
    let mut plan = Plan::new(to.name(), mapping, model);
    let urls: HashMap<&str, &str> =
        model.pages.iter().map(|p| (p.path.as_str(), p.url.as_str())).collect();
    let videos: HashMap<&str, &Video> = model.videos.iter().map(|v| (v.key.as_str(), v)).collect();
    let mut taken = BTreeSet::new();
    let mut field_notes = super::fields::FieldNotes::default();
    let mut collections = BTreeSet::new();
    for page in &model.pages {
        let bytes = files.read(&page.path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let empty = Map::new();
        let source_fields =
            page.front_matter.as_ref().and_then(|fm| fm.fields.as_object()).unwrap_or(&empty);
        let mut fields = super::fields::apply(
            source_fields,
            mapping.map(|m| &m.fields),
            &page.path,
            &mut field_notes,
        );
        let body =
            convert_body(page, &text, to, mapping, &urls, &videos, &mut plan.report.not_converted);
        let address = (!page.url.contains('?')).then_some(page.url.as_str());
        let out = match to {
            Format::Jekyll => {
                let (out, collection) = jekyll_path(page, &fields, &mut taken);
                collections.extend(collection);
                fields.insert("layout".into(), json!("default"));
                if let Some(a) = address {
                    fields.insert("permalink".into(), json!(a));
                }
                if page.draft {
                    fields.insert("published".into(), json!(false));
                }
                out
            }
            _ => {
                if let Some(a) = address {
                    fields.insert("url".into(), json!(a));
                }
                if page.draft {
                    fields.insert("draft".into(), json!(true));
                }
                page.path.clone()
            }
        };
        if address.is_none() && !page.draft {
            plan.report.redirects.push(Note {
                path: page.path.clone(),
                line: 0,
                subject: "url".into(),
                message: format!(
                    "its address on the old site, {}, has a query: the page gets the generator's default address",
                    page.url
                ),
            });
        }
        let yaml = serde_yaml::to_string(&Value::Object(fields))
            .map_err(|e| Error::Import(format!("{}: front matter: {e}", page.path)))?;
        plan.files.push(OutFile {
            path: out.clone(),
            content: Content::Bytes(format!("---\n{yaml}---\n{body}").into_bytes()),
        });
        plan.report.file(&page.path, Action::Converted, Some(&out), None);
    }
    plan.report.fields_dropped.extend(field_notes.dropped);
    plan.report.notes.extend(field_notes.kept);
    for f in model.files.iter().filter(|f| f.role == FileRole::Config) {
        let out = format!("_wordpress/{}", f.path);
        plan.files.push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
        plan.report.file(
            &f.path,
            Action::Raw,
            Some(&out),
            Some("the WordPress export file, kept whole under _wordpress/, which the generator does not read".into()),
        );
    }
    // Items that are not pages: each accounted for.
    for s in &model.summary.skipped {
        plan.report.notes.push(Note {
            path: s.path.clone(),
            line: 0,
            subject: "not a page".into(),
            message: s.reason.clone(),
        });
    }
    match to {
        Format::Jekyll => jekyll_config(model, &collections, &mut plan)?,
        _ => hugo_config(model, &mut plan)?,
    }
    if let Some(m) = mapping {
        for (path, text) in &m.files {
            generated(&mut plan, path, text.clone().into_bytes(), "file given by the mapping");
        }
    }
    if opts.layouts {
        match to {
            Format::Jekyll => super::jekyll::layouts(&mut plan),
            _ => super::hugo::layouts(model, &mut plan),
        }
    }
    Ok(plan)
}

/// Where a page goes in a Jekyll site: posts in `_posts/` named by date, pages at their
/// path, other post types in a collection of their own.
fn jekyll_path(
    page: &Page,
    fields: &Map<String, Value>,
    taken: &mut BTreeSet<String>,
) -> (String, Option<String>) {
    let stem = page.path.rsplit('/').next().unwrap_or(&page.path).trim_end_matches(".html");
    let day =
        fields.get("date").and_then(Value::as_str).filter(|d| d.len() >= 10).map(|d| &d[..10]);
    let (out, collection) = match (page.section.as_str(), day) {
        ("posts", Some(day)) => (format!("_posts/{day}-{stem}.html"), None),
        ("posts", None) => (format!("_drafts/{stem}.html"), None),
        ("pages", _) => (format!("pages/{stem}.html"), None),
        (other, _) => (format!("_{other}/{stem}.html"), Some(other.to_string())),
    };
    let mut unique = out.clone();
    let mut n = 2;
    while !taken.insert(unique.clone()) {
        unique = out.replace(".html", &format!("-{n}.html"));
        n += 1;
    }
    (unique, collection)
}

/// One replacement in a body.
struct Edit {
    range: Range<usize>,
    text: String,
}

/// The body of a page, for the target.
fn convert_body(
    page: &Page,
    text: &str,
    to: Format,
    mapping: Option<&Mapping>,
    urls: &HashMap<&str, &str>,
    videos: &HashMap<&str, &Video>,
    notes: &mut Vec<Note>,
) -> String {
    let body = page.body.range();
    let rules = mapping.map(|m| &m.shortcodes);
    let mut edits: Vec<Edit> = Vec::new();
    let note = |notes: &mut Vec<Note>, line: usize, subject: &str, message: String| {
        notes.push(Note { path: page.path.clone(), line, subject: subject.into(), message });
    };
    // Videos: the whole construct that embeds one (block, shortcode, or the URL on its line).
    for r in &page.references {
        let Target::Video { key } = &r.target else { continue };
        let range = match r.source {
            RefSource::Shortcode => page
                .shortcodes
                .iter()
                .filter(|c| Some(&c.name) == r.field.as_ref())
                .filter(|c| c.span.start <= r.span.start && r.span.end <= c.span.end)
                .min_by_key(|c| c.span.end - c.span.start)
                .map(|c| c.span.range()),
            RefSource::BareUrl => Some(r.span.range()),
            _ => None,
        };
        let (Some(range), Some(video)) = (range, videos.get(key.as_str())) else { continue };
        let params = VideoParams { video };
        let name = format!("video {}", video.provider);
        let rendered = match rules.and_then(|r| r.get(&name)) {
            Some(rule)
                if rule.when.iter().all(|(keys, re)| {
                    keys.iter().find_map(|k| params.get(k)).is_some_and(|v| re.is_match(&v))
                }) =>
            {
                rule.emit.render(&params).ok()
            }
            _ => None,
        };
        let text = rendered.unwrap_or_else(|| iframe(video));
        edits.push(Edit { range, text });
    }
    // Shortcodes with a rule in the mapping.
    for (i, c) in page.shortcodes.iter().enumerate() {
        if c.notation != "wp-shortcode" || edits.iter().any(|e| overlaps(&e.range, &c.span.range()))
        {
            continue;
        }
        let Some(rule) = rules.and_then(|r| r.get(&c.name)) else {
            let why = if c.known {
                "no rule in the mapping for this WordPress shortcode: carried verbatim"
            } else {
                "a plugin's shortcode, which the target cannot run: carried verbatim"
            };
            note(notes, c.span.line, &c.name, why.into());
            continue;
        };
        let params = CallParams { text, page, index: i };
        let ok = rule.when.iter().all(|(keys, re)| {
            keys.iter().find_map(|k| params.get(k)).is_some_and(|v| re.is_match(&v))
        });
        match rule.emit.render(&params).ok().filter(|_| ok) {
            Some(out) => edits.push(Edit { range: c.span.range(), text: out }),
            None => note(
                notes,
                c.span.line,
                &c.name,
                format!(
                    "the mapping's rule (line {}) does not apply to this call: carried verbatim",
                    rule.line
                ),
            ),
        }
    }
    // Links to the site's own pages, written as absolute URLs of the old site: site paths.
    for r in &page.references {
        let Target::Page { path } = &r.target else { continue };
        let Some(url) = urls.get(path.as_str()).filter(|u| !u.contains('?')) else { continue };
        let range = r.span.range();
        if !r.raw.starts_with("http") || text.get(range.clone()) != Some(r.raw.as_str()) {
            continue;
        }
        if edits.iter().any(|e| overlaps(&e.range, &range)) {
            continue;
        }
        let suffix = r.raw.find('#').map_or("", |i| &r.raw[i..]);
        edits.push(Edit { range, text: format!("{url}{suffix}") });
    }
    edits.sort_by_key(|e| e.range.start);
    let mut out = String::new();
    let mut pos = body.start;
    for e in edits {
        if e.range.start < pos || e.range.end > body.end {
            continue;
        }
        out.push_str(&text[pos..e.range.start]);
        out.push_str(&e.text);
        pos = e.range.end;
    }
    out.push_str(&text[pos..body.end]);
    // WordPress adds paragraphs to classic-editor text when it displays it; block content
    // carries its own.
    if !out.contains("<!-- wp:") {
        out = autop(&out);
    }
    match to {
        Format::Jekyll => super::body::liquid_raw(&out),
        _ => out,
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// The provider's player in an `<iframe>`: what a video embed becomes without a rule.
fn iframe(v: &Video) -> String {
    let title = crate::mapping::Filter::Html.apply(v.title.as_deref().unwrap_or("Video"));
    format!(
        "<iframe src=\"{}\" title=\"{title}\" width=\"640\" height=\"360\" frameborder=\"0\" allow=\"autoplay; fullscreen; picture-in-picture\" allowfullscreen></iframe>",
        crate::mapping::Filter::Html.apply(&v.embed_url)
    )
}

/// A video's values for a `video PROVIDER` rule: `id`, `url`, `embed_url`, `title`.
struct VideoParams<'a> {
    video: &'a Video,
}

impl Params for VideoParams<'_> {
    fn get(&self, key: &Key) -> Option<String> {
        let Key::Name(name) = key else { return None };
        match name.as_str() {
            "id" => Some(self.video.id.clone()),
            "url" => Some(self.video.url.clone()),
            "embed_url" => Some(self.video.embed_url.clone()),
            "title" => self.video.title.clone(),
            _ => None,
        }
    }
}

/// A shortcode call's values: its parameters, `inner` (its content as written), and for
/// `[caption]`, `image` (the image, possibly linked, it starts with) and `text` (the caption
/// after it).
struct CallParams<'a> {
    text: &'a str,
    page: &'a Page,
    index: usize,
}

impl Params for CallParams<'_> {
    fn get(&self, key: &Key) -> Option<String> {
        let c = &self.page.shortcodes[self.index];
        let inner = || c.inner.map(|s| self.text[s.range()].to_string());
        match key {
            Key::Position(n) => {
                c.params.iter().filter(|p| p.name.is_none()).nth(*n).map(|p| p.value.clone())
            }
            Key::Inner => inner(),
            Key::Name(name) => {
                if let Some(p) = c.params.iter().find(|p| p.name.as_deref() == Some(name)) {
                    return Some(p.value.clone());
                }
                match name.as_str() {
                    "image" | "text" => {
                        let inner = inner()?;
                        let (image, rest) = split_image(&inner);
                        Some(if name == "image" { image } else { rest.trim().to_string() })
                    }
                    _ => None,
                }
            }
        }
    }
}

/// `<a ...><img ...></a> text` or `<img ...> text`: the image and the text after it.
fn split_image(s: &str) -> (String, String) {
    let t = s.trim_start();
    let end = if t.starts_with("<a") {
        t.find("</a>").map(|i| i + 4)
    } else if t.starts_with("<img") {
        t.find('>').map(|i| i + 1)
    } else {
        None
    };
    match end {
        Some(e) => (t[..e].to_string(), t[e..].to_string()),
        None => (String::new(), t.to_string()),
    }
}

/// Block-level HTML that `autop` leaves out of paragraphs.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "audio",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "iframe",
    "li",
    "math",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "style",
    "script",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "video",
];

/// Paragraphs as WordPress's `wpautop` makes them, simplified: text separated by blank lines
/// becomes `<p>`s, single line breaks `<br />`; chunks that start with block-level HTML, an
/// HTML comment or a shortcode call of the target are left as written.
fn autop(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let mut out = String::new();
    // `<pre>` elements open across chunks: their blank lines are text.
    let mut pre_depth = 0usize;
    for chunk in s.split("\n\n") {
        let t = chunk.trim();
        if t.is_empty() {
            continue;
        }
        let lower = t.to_ascii_lowercase();
        let opens_block = lower.starts_with("<!--")
            || lower.starts_with("{{")
            || BLOCK_TAGS.iter().any(|tag| {
                lower
                    .strip_prefix('<')
                    .and_then(|r| r.strip_prefix(tag))
                    .is_some_and(|r| r.starts_with([' ', '>', '/', '\n', '\t']))
            });
        if pre_depth > 0 || opens_block {
            out.push_str(chunk.trim_matches('\n'));
        } else {
            out.push_str("<p>");
            out.push_str(&t.replace('\n', "<br />\n"));
            out.push_str("</p>");
        }
        out.push_str("\n\n");
        pre_depth = (pre_depth + lower.matches("<pre").count())
            .saturating_sub(lower.matches("</pre>").count());
    }
    out
}

fn hugo_config(model: &Model, plan: &mut Plan) -> Result<()> {
    let mut t = toml::Table::new();
    let base = &model.site.base_url;
    t.insert(
        "baseURL".into(),
        toml::Value::String(if base.is_empty() { "/".into() } else { base.clone() }),
    );
    if let Some(title) = &model.site.title {
        t.insert("title".into(), toml::Value::String(title.clone()));
    }
    if let Some(lang) = &model.site.language {
        t.insert("languageCode".into(), toml::Value::String(lang.clone()));
    }
    let mut taxonomies = toml::Table::new();
    for tax in &model.taxonomies {
        taxonomies.insert(tax.singular.clone(), toml::Value::String(tax.name.clone()));
    }
    taxonomies.entry("category").or_insert(toml::Value::String("categories".into()));
    taxonomies.entry("tag").or_insert(toml::Value::String("tags".into()));
    t.insert("taxonomies".into(), toml::Value::Table(taxonomies));
    let text = toml::to_string(&t).map_err(|e| Error::Import(format!("hugo.toml: {e}")))?;
    let text = format!(
        "# Written by carton from the WordPress export ({}).\n{text}",
        model.site.config_files.join(", ")
    );
    generated(
        plan,
        "hugo.toml",
        text.into_bytes(),
        "Hugo configuration, from the WordPress export",
    );
    Ok(())
}

fn jekyll_config(model: &Model, collections: &BTreeSet<String>, plan: &mut Plan) -> Result<()> {
    let mut c = Map::new();
    if let Some(title) = &model.site.title {
        c.insert("title".into(), json!(title));
    }
    if let Ok(u) = url::Url::parse(&model.site.base_url) {
        c.insert("url".into(), json!(u.origin().ascii_serialization()));
        let path = u.path().trim_end_matches('/');
        if !path.is_empty() {
            c.insert("baseurl".into(), json!(path));
        }
    }
    if let Some(lang) = &model.site.language {
        c.insert("lang".into(), json!(lang));
    }
    if !collections.is_empty() {
        let cols: Map<String, Value> =
            collections.iter().map(|n| (n.clone(), json!({"output": true}))).collect();
        c.insert("collections".into(), Value::Object(cols));
    }
    // Posts keep their WordPress addresses through `permalink`, future ones included.
    c.insert("future".into(), json!(true));
    let yaml = serde_yaml::to_string(&Value::Object(c))
        .map_err(|e| Error::Import(format!("_config.yml: {e}")))?;
    let text = format!(
        "# Written by carton from the WordPress export ({}).\n{yaml}",
        model.site.config_files.join(", ")
    );
    generated(
        plan,
        "_config.yml",
        text.into_bytes(),
        "Jekyll configuration, from the WordPress export",
    );
    Ok(())
}
