//! Pages as WordPress items: their post type (by the mapping's `sections:`), slug, parent,
//! permalink, dates, status, terms and post meta, and their body rendered to HTML.

use super::names::{Unique, slug};
use super::xml::Dates;
use crate::mapping::Mapping;
use crate::mapping::dates::{When, read};
use crate::model::{BundleKind, Model, Page, PageKind};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::LazyLock;

/// Where a page goes in WordPress.
#[derive(Debug, Clone)]
pub struct Placed {
    /// `wp:post_id`.
    pub id: u64,
    /// `wp:post_type`.
    pub post_type: String,
    /// `wp:post_name`.
    pub slug: String,
    /// The parent page (index into the model's pages).
    pub parent: Option<usize>,
    /// Its permalink (path), with the `/%postname%/` permalink structure.
    pub permalink: String,
}

fn hierarchical(t: &str, mapping: Option<&Mapping>) -> bool {
    t == "page" || mapping.is_some_and(|m| m.hierarchical.iter().any(|h| h == t))
}

/// The post type of a page: the mapping's rule for its section (or the section's top
/// folder, or its Jekyll collection); `page` without one, `post` for Jekyll's posts.
/// A section's list page takes its section's type only when that type is hierarchical.
fn type_of(page: &Page, mapping: Option<&Mapping>) -> String {
    let rule = |s: &str| mapping.and_then(|m| m.sections.get(s)).cloned();
    let section = if page.section.is_empty() {
        page.collection.as_deref().unwrap_or("")
    } else {
        page.section.as_str()
    };
    let top = section.split('/').next().unwrap_or("");
    let t = rule(section)
        .or_else(|| rule(top))
        .or_else(|| (mapping.is_none() && section == "posts").then(|| "post".to_string()));
    match page.kind {
        PageKind::Page => t.unwrap_or_else(|| "page".into()),
        PageKind::Section => {
            t.filter(|t| hierarchical(t, mapping)).unwrap_or_else(|| "page".into())
        }
        _ => "page".into(),
    }
}

/// The last segment of a page's URL, without `.html`.
fn url_name(url: &str) -> String {
    let u = super::super::urls::decode(url);
    let last = u.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    last.strip_suffix(".html").map_or(last.clone(), str::to_string)
}

/// The list page of the nearest folder at or above `dir` that has one (not the home page).
fn nearest(mut dir: &str, section_index: &HashMap<&str, usize>) -> Option<usize> {
    while !dir.is_empty() {
        if let Some(&j) = section_index.get(dir) {
            return Some(j);
        }
        dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
    }
    None
}

/// Places every page: ids from 1 in model order, slugs unique per post type, section list
/// pages as parents where the type is hierarchical, permalinks.
pub fn place(model: &Model, mapping: Option<&Mapping>) -> Vec<Placed> {
    let index_of: HashMap<&str, usize> =
        model.pages.iter().enumerate().map(|(i, p)| (p.path.as_str(), i)).collect();
    let section_index: HashMap<&str, usize> = model
        .sections
        .iter()
        .filter_map(|s| Some((s.path.as_str(), *index_of.get(s.index.as_deref()?)?)))
        .collect();
    let types: Vec<String> = model.pages.iter().map(|p| type_of(p, mapping)).collect();
    let mut unique: HashMap<String, Unique> = HashMap::new();
    let mut placed: Vec<Placed> = Vec::with_capacity(model.pages.len());
    for (i, page) in model.pages.iter().enumerate() {
        let t = &types[i];
        // The section a page is in is the nearest folder above it that has a list page
        // (a leaf bundle's folder is the page itself); a list page's parent is the next one up.
        let mut dir = page.content_path.rsplit_once('/').map_or("", |(d, _)| d);
        if page.bundle == Some(BundleKind::Leaf) || page.kind == PageKind::Section {
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
        let parent = match page.kind {
            PageKind::Page | PageKind::Section => nearest(dir, &section_index),
            _ => None,
        }
        .filter(|&j| j != i && types[j] == *t && hierarchical(t, mapping));
        let wanted = match page.kind {
            PageKind::Home => slug(page.title.as_deref().unwrap_or(""), "home"),
            _ => slug(&url_name(&page.url), &slug(page.title.as_deref().unwrap_or(""), "page")),
        };
        let name = unique.entry(t.clone()).or_insert_with(Unique::new).take(&wanted);
        placed.push(Placed {
            id: i as u64 + 1,
            post_type: t.clone(),
            slug: name,
            parent,
            permalink: String::new(),
        });
    }
    for i in 0..placed.len() {
        let mut chain = vec![placed[i].slug.clone()];
        let mut at = placed[i].parent;
        // Parents are section pages, whose parents are sections higher up: no cycle, but
        // bounded all the same.
        while let Some(j) = at.filter(|_| chain.len() < 64) {
            chain.push(placed[j].slug.clone());
            at = placed[j].parent;
        }
        chain.reverse();
        let p = &mut placed[i];
        p.permalink = match p.post_type.as_str() {
            "page" => format!("/{}/", chain.join("/")),
            "post" => format!("/{}/", p.slug),
            t => format!("/{t}/{}/", chain.join("/")),
        };
    }
    placed
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

fn sql(t: time::PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// A front matter date as WordPress stores it: the wall-clock time as written (site-local)
/// and UTC. A date without an offset is read as UTC (Hugo's default time zone).
pub fn dates(s: &str) -> Option<Dates> {
    let (local, utc) = match read(s)? {
        When::Day(d) => {
            let t = d.midnight();
            (t, t)
        }
        When::Local(t) => (t, t),
        When::Zoned(t) => {
            let u = t.to_offset(time::UtcOffset::UTC);
            (
                time::PrimitiveDateTime::new(t.date(), t.time()),
                time::PrimitiveDateTime::new(u.date(), u.time()),
            )
        }
    };
    let rfc2822 = format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        WEEKDAYS[utc.weekday().number_days_from_monday() as usize],
        utc.day(),
        MONTHS[u8::from(utc.month()) as usize - 1],
        utc.year(),
        utc.hour(),
        utc.minute(),
        utc.second()
    );
    Some(Dates { local: sql(local), gmt: sql(utc), rfc2822 })
}

/// Front matter keys that have a WordPress home (not kept as post meta).
const HOMED: &[&str] = &[
    "title",
    "date",
    "publishDate",
    "lastmod",
    "draft",
    "slug",
    "url",
    "aliases",
    "weight",
    "description",
    "summary",
    "author",
    "authors",
];

/// A post meta value: strings as they are, other scalars as written, lists and maps as
/// JSON text.
pub fn meta_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        _ => v.to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(strings).collect(),
        Value::String(s) if !s.trim().is_empty() => vec![s.trim().to_string()],
        Value::Number(_) | Value::Bool(_) => vec![v.to_string()],
        _ => Vec::new(),
    }
}

/// The WordPress taxonomy of a Hugo one: the built-in `category` and `post_tag`, or the
/// same name (a custom taxonomy, to register before importing).
pub fn domain(taxonomy: &str) -> String {
    match taxonomy {
        "categories" | "category" => "category".into(),
        "tags" | "tag" => "post_tag".into(),
        t => t.into(),
    }
}

/// What a page's front matter gives its item.
pub struct Fields {
    /// Author (login, display name).
    pub author: Option<(String, String)>,
    /// Excerpt.
    pub excerpt: String,
    /// Modification date.
    pub modified: Option<Dates>,
    /// Menu order (`weight`).
    pub menu_order: i64,
    /// Terms: (taxonomy, slug, name).
    pub terms: Vec<(String, String, String)>,
    /// Post meta.
    pub meta: Vec<(String, String)>,
}

/// Reads the item's fields from a page's front matter (after the mapping's field rules):
/// `term_slug` gives the slug of a term (taxonomy, name).
pub fn fields(
    fields: &Map<String, Value>,
    taxonomies: &[String],
    term_slug: &dyn Fn(&str, &str) -> String,
) -> Fields {
    let text = |k: &str| fields.get(k).and_then(Value::as_str).unwrap_or("").trim().to_string();
    let author = strings(fields.get("author").or(fields.get("authors")).unwrap_or(&Value::Null))
        .into_iter()
        .next()
        .map(|a| (super::names::login(&a), a));
    let excerpt =
        if text("description").is_empty() { text("summary") } else { text("description") };
    let modified = fields.get("lastmod").and_then(Value::as_str).and_then(dates);
    let menu_order = fields.get("weight").and_then(Value::as_i64).unwrap_or(0);
    let mut terms = Vec::new();
    for t in taxonomies {
        let Some(v) = fields.get(t) else { continue };
        for name in strings(v) {
            let term = (domain(t), term_slug(t, &name), name);
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
    }
    let meta = fields
        .iter()
        .filter(|(k, _)| !HOMED.contains(&k.as_str()) && !taxonomies.contains(k))
        .map(|(k, v)| (k.clone(), meta_value(v)))
        .collect();
    Fields { author, excerpt, modified, menu_order, terms, meta }
}

/// Renders a Markdown body to HTML as Hugo's Goldmark would (tables, strikethrough, task
/// lists, footnotes, definition lists; raw HTML passed through).
pub fn render(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let opts = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST;
    let mut out = String::with_capacity(markdown.len() * 5 / 4);
    html::push_html(&mut out, Parser::new_ext(markdown, opts));
    out
}

static VIDEO_IFRAME: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r#"(?m)^<iframe\b[^>]*\bsrc="(?:https?:)?//(?:www\.)?(dailymotion\.com/embed/video/([A-Za-z0-9]+)|youtube(?:-nocookie)?\.com/embed/([A-Za-z0-9_-]{6,})|player\.vimeo\.com/video/([0-9]+))[^"]*"[^>]*>\s*</iframe>[ \t]*$"#,
    )
    .expect("valid iframe regex")
});

/// The Gutenberg embed block of a video (FORMATS: `core/embed`, its URL alone on its line
/// so that the server-side auto-embed fires).
pub fn embed_block(provider: &str, url: &str) -> String {
    let attrs = serde_json::json!({
        "url": url, "type": "video", "providerNameSlug": provider, "responsive": true,
        "className": "wp-embed-aspect-16-9 wp-has-aspect-ratio",
    });
    // `--` would end the block comment early.
    let attrs = attrs.to_string().replace("--", "\\u002d\\u002d");
    format!(
        "<!-- wp:embed {attrs} -->\n<figure class=\"wp-block-embed is-type-video is-provider-{provider} wp-block-embed-{provider} wp-embed-aspect-16-9 wp-has-aspect-ratio\"><div class=\"wp-block-embed__wrapper\">\n{url}\n</div></figure>\n<!-- /wp:embed -->"
    )
}

/// A video player written as an `<iframe>` block of its own (Dailymotion, YouTube, Vimeo)
/// becomes an embed block with the video's canonical URL.
pub fn video_iframes(html: &str) -> String {
    VIDEO_IFRAME
        .replace_all(html, |c: &regex::Captures| {
            let (provider, url) = if let Some(id) = c.get(2) {
                ("dailymotion", format!("https://www.dailymotion.com/video/{}", id.as_str()))
            } else if let Some(id) = c.get(3) {
                ("youtube", format!("https://www.youtube.com/watch?v={}", id.as_str()))
            } else {
                ("vimeo", format!("https://vimeo.com/{}", c.get(4).map_or("", |m| m.as_str())))
            };
            embed_block(provider, &url)
        })
        .into_owned()
}

static LONE_LINK: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"(?m)^<p><a href="([^"]+)">(.*?)</a></p>$"#).expect("valid link regex")
});

/// A paragraph that holds only a link to a document attachment becomes a `wp:file` block
/// (its URL kept exactly: the importer rewrites it). `files` maps attachment URLs to their
/// ids, for documents only.
pub fn file_blocks(html: &str, files: &HashMap<String, u64>) -> String {
    LONE_LINK
        .replace_all(html, |c: &regex::Captures| {
            let (href, text) = (&c[1], &c[2]);
            let url = href.replace("&amp;", "&");
            match files.get(&url) {
                Some(id) if !text.contains("<a ") => {
                    let attrs = serde_json::json!({ "id": id, "href": url, "showDownloadButton": true });
                    format!(
                        "<!-- wp:file {attrs} -->\n<div class=\"wp-block-file\"><a href=\"{href}\">{text}</a><a href=\"{href}\" class=\"wp-block-file__button wp-element-button\" download>Download</a></div>\n<!-- /wp:file -->"
                    )
                }
                _ => c[0].to_string(),
            }
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_local_and_gmt() {
        let d = dates("2019-04-12T10:30:00+02:00").unwrap();
        assert_eq!(
            (d.local.as_str(), d.gmt.as_str()),
            ("2019-04-12 10:30:00", "2019-04-12 08:30:00")
        );
        assert_eq!(d.rfc2822, "Fri, 12 Apr 2019 08:30:00 +0000");
        let d = dates("2021-10-26T14:17:50.048Z").unwrap();
        assert_eq!(
            (d.local.as_str(), d.gmt.as_str()),
            ("2021-10-26 14:17:50", "2021-10-26 14:17:50")
        );
        assert_eq!(dates("2019-04-12").unwrap().gmt, "2019-04-12 00:00:00");
        assert!(dates("soon").is_none());
    }

    #[test]
    fn fields_without_a_home_become_meta() {
        let f: Map<String, Value> = serde_json::from_str(
            r#"{"title":"T","themes":["Culture","Numérique public"],"town":"Paris","visible":true,"skills":["a","b"],"weight":3,"author":"Jeanne Dupont","description":"D"}"#,
        )
        .unwrap();
        let out = fields(&f, &["themes".into()], &|_, n| slug(n, "t"));
        assert_eq!(
            out.terms[1],
            ("themes".into(), "numerique-public".into(), "Numérique public".into())
        );
        assert!(out.meta.contains(&("town".into(), "Paris".into())));
        assert!(out.meta.contains(&("visible".into(), "true".into())));
        assert!(out.meta.contains(&("skills".into(), r#"["a","b"]"#.into())));
        assert!(!out.meta.iter().any(|(k, _)| k == "title" || k == "themes" || k == "weight"));
        assert_eq!(out.menu_order, 3);
        assert_eq!(out.author, Some(("jeanne-dupont".into(), "Jeanne Dupont".into())));
        assert_eq!(out.excerpt, "D");
    }

    #[test]
    fn video_iframes_on_their_own_become_embed_blocks() {
        let html = render(
            "Intro\n\n<iframe frameborder=\"0\" src=\"https://www.dailymotion.com/embed/video/x7h7en4\" allowfullscreen></iframe>\n\nText <iframe src=\"https://www.youtube.com/embed/abcdefg\"></iframe> inline\n",
        );
        let out = video_iframes(&html);
        assert!(out.contains("<!-- wp:embed {\"url\":\"https://www.dailymotion.com/video/x7h7en4\",\"type\":\"video\",\"providerNameSlug\":\"dailymotion\""), "{out}");
        assert!(
            out.contains("wrapper\">\nhttps://www.dailymotion.com/video/x7h7en4\n</div>"),
            "{out}"
        );
        // Inside a paragraph it stays as it was.
        assert!(
            out.contains("<iframe src=\"https://www.youtube.com/embed/abcdefg\"></iframe>"),
            "{out}"
        );
        assert!(
            embed_block("youtube", "https://www.youtube.com/watch?v=a--b")
                .contains(r#"v=a\u002d\u002db""#)
        );
    }

    #[test]
    fn a_lone_document_link_becomes_a_file_block() {
        let url = "https://media.example.org/2019/04/a.pdf";
        let html = render(&format!("Intro\n\n[Le guide]({url})\n\nSee [it]({url}) inline.\n"));
        let files = HashMap::from([(url.to_string(), 7)]);
        let out = file_blocks(&html, &files);
        assert!(out.contains(r#"<!-- wp:file {"id":7,"href":"https://media.example.org/2019/04/a.pdf","showDownloadButton":true} -->"#), "{out}");
        assert_eq!(out.matches("<!-- wp:file").count(), 1, "{out}");
        assert!(out.contains(&format!("See <a href=\"{url}\">it</a> inline.")), "{out}");
    }
}
