//! WordPress target: a WXR 1.2 export file for the WordPress importer, made from a Hugo or
//! Jekyll archive (`carton import ARCHIVE --to wxr -o site.xml`).
//!
//! `-o site.xml` names the file; beside it go `site-media/` (each file the pages use, laid
//! out as the attachment URLs name them, to be served at `--media-base-url`),
//! `site-redirects.nginx.map` and `site-redirects.txt` (former URLs to WordPress
//! permalinks) and `site-report.md`. The plan names them with the stem `site`; [`import`]
//! renames them after the XML's stem, builds them in a staging folder beside the XML and
//! moves each into place, the XML last.
//!
//! Items: each page becomes a `page`, `post` or custom type item by the mapping's
//! `sections:`; each local file a page uses becomes an `attachment` whose URL the content
//! names exactly (the importer rewrites only exact matches). Permalinks are computed for
//! WordPress's "Post name" structure (`/%postname%/`; pages by their parents' slugs).

mod items;
mod media;
mod names;
mod place;
mod redirects;
mod xml;

use super::body::{self, Flavour};
use super::report::{Action, Note};
use super::urls;
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles};
use crate::error::{Error, Result};
use crate::mapping::Mapping;
use crate::model::{FileRole, Model, PageKind, Target};
use std::collections::{BTreeMap, HashMap};

pub use place::{WxrOptions, import};

/// The stem the plan names its outputs with; [`import`] renames them after the XML's.
pub const PLAN_STEM: &str = "site";

/// The outputs beside `site.xml`, by stem: the XML, the media folder, the two redirect
/// files and the report.
pub fn outputs(stem: &str) -> [String; 5] {
    [
        format!("{stem}.xml"),
        format!("{stem}-media"),
        format!("{stem}-redirects.nginx.map"),
        format!("{stem}-redirects.txt"),
        format!("{stem}-report.md"),
    ]
}

/// Where the attachments will be downloaded from: the mapping's `media-base-url`
/// (`--media-base-url`), else the site's base URL and `/wp-content/uploads`.
fn media_base(model: &Model, mapping: Option<&Mapping>) -> Result<String> {
    if let Some(u) = mapping.and_then(|m| m.media_base_url.as_deref()) {
        return Ok(u.trim_end_matches('/').to_string());
    }
    let base = model.site.base_url.trim().trim_end_matches('/');
    if base.starts_with("http://") || base.starts_with("https://") {
        return Ok(format!("{base}/wp-content/uploads"));
    }
    Err(Error::Import(
        "the site has no base URL, so carton cannot tell where WordPress will download the attachments from: give --media-base-url URL (where the media folder written beside the XML will be served)".into(),
    ))
}

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mapping = opts.mapping.as_ref();
    let mut plan = Plan::new("wxr", mapping, model);
    let media_base = media_base(model, mapping)?;
    let [xml_name, media_dir, nginx_name, netlify_name, _] = outputs(PLAN_STEM);
    let base = model.site.base_url.trim().trim_end_matches('/').to_string();
    let placed = items::place(model, mapping);
    let page_dates: Vec<Option<xml::Dates>> =
        model.pages.iter().map(|p| p.date.as_deref().and_then(items::dates)).collect();
    let index_of: HashMap<&str, usize> =
        model.pages.iter().enumerate().map(|(i, p)| (p.path.as_str(), i)).collect();
    let month_of = |path: &str| -> Option<(i32, u8)> {
        let d = page_dates[*index_of.get(path)?].as_ref()?;
        Some((d.local.get(..4)?.parse().ok()?, d.local.get(5..7)?.parse().ok()?))
    };
    let attachments = media::collect(model, &media_base, &month_of);
    let first_attachment = model.pages.len() as u64 + 1;

    // Where links lead now: pages to their permalinks, files to their attachment URLs.
    let mut new_url: HashMap<String, String> = HashMap::new();
    for (p, pl) in model.pages.iter().zip(&placed) {
        new_url.insert(p.path.clone(), pl.permalink.clone());
    }
    let mut documents: HashMap<String, u64> = HashMap::new();
    let mut attachment_of: HashMap<&str, u64> = HashMap::new();
    for (k, a) in attachments.iter().enumerate() {
        let id = first_attachment + k as u64;
        new_url.insert(a.source.clone(), a.url.clone());
        attachment_of.insert(a.source.as_str(), id);
        if !a.media_type.starts_with("image/") {
            documents.insert(a.url.clone(), id);
        }
    }
    let ctx = body::Ctx {
        rules: mapping.map(|m| &m.shortcodes),
        flavour: Flavour::Wxr,
        new_url: &new_url,
        base_url: &base,
        videos: &model.videos,
    };
    let taxonomies: Vec<String> = model.taxonomies.iter().map(|t| t.name.clone()).collect();
    let term_urls: HashMap<(&str, &str), &str> = model
        .taxonomies
        .iter()
        .flat_map(|t| {
            t.terms.iter().map(move |x| ((t.name.as_str(), x.name.as_str()), x.url.as_str()))
        })
        .collect();
    let term_slug = |tax: &str, name: &str| -> String {
        let from_url = term_urls.get(&(tax, name)).map(|u| urls::decode(u));
        let last = from_url.as_deref().and_then(|u| u.trim_end_matches('/').rsplit('/').next());
        names::slug(last.unwrap_or(name), &names::slug(name, "term"))
    };

    let mut posts = Vec::new();
    let mut authors: BTreeMap<String, String> = BTreeMap::new();
    let mut redirects: Vec<(String, String)> = Vec::new();
    for (i, page) in model.pages.iter().enumerate() {
        let pl = &placed[i];
        let bytes = files.read(&page.path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (fields, raw_fm, line) =
            super::fields::page_fields(page, &text, mapping.map(|m| &m.fields), &mut plan.report);
        if raw_fm.is_some() {
            plan.report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: "front matter".into(),
                message: "does not parse: the item has no fields from it".into(),
            });
        }
        let out = body::rewrite(&text, page.body.range(), page, &ctx);
        plan.report.not_converted.extend(out.not_converted);
        let html = items::video_iframes(&items::render(&out.text));
        let html = items::file_blocks(&html, &documents);
        let f = items::fields(&fields, &taxonomies, &term_slug);
        if let Some(d) = page.date.as_deref().filter(|_| page_dates[i].is_none()) {
            plan.report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: "date".into(),
                message: format!("`{d}` is not a date carton reads: the item has none (WordPress gives it the import time)"),
            });
        }
        let (login, display) = f.author.unwrap_or_else(|| ("admin".into(), "admin".into()));
        authors.entry(login.clone()).or_insert(display);
        let old = urls::decode(&page.url);
        let mut meta = vec![
            ("_carton_old_url".to_string(), format!("{base}{}", urls::encode(&old))),
            ("_carton_source".to_string(), page.path.clone()),
        ];
        let videos: Vec<&str> = page
            .references
            .iter()
            .filter_map(|r| match &r.target {
                Target::Video { key } => Some(key.as_str()),
                _ => None,
            })
            .collect();
        if !videos.is_empty() {
            meta.push(("_carton_videos".into(), serde_json::json!(videos).to_string()));
        }
        // The page's picture (`image` and the like in its front matter): its featured image.
        let thumb = page.references.iter().find_map(|r| match &r.target {
            Target::File { path }
                if r.source == crate::model::RefSource::FrontMatter
                    && r.field.as_deref().is_some_and(|f| {
                        matches!(f, "image" | "images" | "featured_image" | "thumbnail" | "cover")
                    }) =>
            {
                attachment_of.get(path.as_str())
            }
            _ => None,
        });
        if let Some(id) = thumb {
            meta.push(("_thumbnail_id".into(), id.to_string()));
        }
        meta.extend(f.meta);
        posts.push(xml::Post {
            id: pl.id,
            title: page.title.clone().unwrap_or_default(),
            link: format!("{base}{}", urls::encode(&old)),
            guid: format!("{base}{}", urls::encode(&old)),
            creator: login,
            content: html,
            excerpt: f.excerpt,
            date: page_dates[i].clone(),
            modified: f.modified,
            name: pl.slug.clone(),
            status: if page.draft { "draft" } else { "publish" },
            parent: pl.parent.map_or(0, |j| placed[j].id),
            menu_order: f.menu_order,
            post_type: pl.post_type.clone(),
            attachment_url: None,
            terms: f.terms,
            meta,
        });
        plan.report.file(&page.path, Action::Converted, Some(&xml_name), None);
        super::unresolved(page, &mut plan.report);
        // Former URLs: the page's own (the home page stays WordPress's front page) and its
        // aliases.
        let mut from = Vec::new();
        if page.kind != PageKind::Home {
            from.push(old.clone());
        }
        for a in &page.aliases {
            from.extend(urls::browser_resolve(&old, a, &base));
        }
        for f in from {
            if !urls::same_resource(&f, &pl.permalink) && !redirects.iter().any(|(o, _)| *o == f) {
                plan.report.redirects.push(Note {
                    path: page.path.clone(),
                    line: 0,
                    subject: f.clone(),
                    message: format!("redirected to {}", pl.permalink),
                });
                redirects.push((f, pl.permalink.clone()));
            }
        }
    }
    let pages_of: HashMap<&str, usize> = index_of;
    for (k, a) in attachments.iter().enumerate() {
        let parent = pages_of[a.parent.as_str()];
        let name = a.rel.rsplit('/').next().unwrap_or(&a.rel);
        let title = name.rsplit_once('.').map_or(name, |(s, _)| s).to_string();
        let out = format!("{media_dir}/{}", a.rel);
        posts.push(xml::Post {
            id: first_attachment + k as u64,
            link: a.url.clone(),
            guid: a.url.clone(),
            creator: posts[parent].creator.clone(),
            content: String::new(),
            excerpt: String::new(),
            date: page_dates[parent].clone(),
            modified: None,
            name: String::new(),
            status: "inherit",
            parent: placed[parent].id,
            menu_order: 0,
            post_type: "attachment".into(),
            attachment_url: Some(a.url.clone()),
            terms: Vec::new(),
            meta: vec![
                ("_wp_attached_file".into(), a.rel.clone()),
                ("_carton_old_url".into(), format!("{base}{}", urls::encode(&a.old_url))),
                ("_carton_source".into(), a.source.clone()),
            ],
            title,
        });
        plan.files.push(OutFile { path: out.clone(), content: Content::Copy(a.source.clone()) });
        plan.report.file(&a.source, Action::Copied, Some(&out), None);
    }
    // Attachment slugs: unique among attachments, from their titles.
    let mut unique = names::Unique::new();
    for p in posts.iter_mut().filter(|p| p.post_type == "attachment") {
        p.name = unique.take(&names::slug(&p.title, "file"));
    }
    // Every other file of the site: the configuration is read into the channel; the rest
    // has no place in WordPress.
    let written: std::collections::HashSet<&str> =
        plan.report.files.iter().map(|o| o.source.as_str()).collect();
    let mut rest = Vec::new();
    for f in model.files.iter().filter(|f| !written.contains(f.path.as_str())) {
        let (action, why) = match f.role {
            FileRole::Config => (
                Action::Merged,
                "site configuration: title, base URL and language read into the channel",
            ),
            FileRole::Static | FileRole::Resource => {
                (Action::Omitted, "no page uses it: not an attachment")
            }
            FileRole::Page => (Action::Omitted, "not a page carton read"),
            FileRole::Other => {
                (Action::Omitted, "a build file of the generator: WordPress has no place for it")
            }
        };
        rest.push((f.path.clone(), action, why));
    }
    for (path, action, why) in rest {
        plan.report.file(&path, action, None, Some(why.into()));
    }

    let mut terms: Vec<xml::TermDecl> = Vec::new();
    for p in &posts {
        for (tax, slug, name) in &p.terms {
            if !terms.iter().any(|t| t.taxonomy == *tax && t.slug == *slug) {
                let id = terms.len() as u64 + 1;
                terms.push(xml::TermDecl {
                    id,
                    taxonomy: tax.clone(),
                    slug: slug.clone(),
                    name: name.clone(),
                });
            }
        }
    }
    let custom: std::collections::BTreeSet<&str> = terms
        .iter()
        .map(|t| t.taxonomy.as_str())
        .chain(placed.iter().map(|p| p.post_type.as_str()))
        .filter(|t| !matches!(*t, "category" | "post_tag" | "page" | "post"))
        .collect();
    if !custom.is_empty() {
        plan.report.notes.push(Note {
            path: String::new(),
            line: 0,
            subject: "custom types and taxonomies".into(),
            message: format!(
                "register {} on the WordPress site before importing: the importer skips items of an unknown post type and terms of an unknown taxonomy",
                custom.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let newest = posts.iter().filter_map(|p| p.date.as_ref()).max_by(|a, b| a.gmt.cmp(&b.gmt));
    let channel = xml::Channel {
        title: model.site.title.clone().unwrap_or_default(),
        link: base.clone(),
        language: model.site.language.clone().unwrap_or_default(),
        pub_date: newest.map(|d| d.rfc2822.clone()).unwrap_or_default(),
        authors: authors
            .into_iter()
            .map(|(login, display)| xml::Author { login, display })
            .collect(),
        terms,
    };
    plan.files.push(OutFile {
        path: xml_name,
        content: Content::Bytes(xml::write(&channel, &posts).into_bytes()),
    });
    redirects.sort();
    super::generated(
        &mut plan,
        &nginx_name,
        redirects::nginx(&redirects).into_bytes(),
        "former URLs to WordPress permalinks, as an nginx map include",
    );
    super::generated(
        &mut plan,
        &netlify_name,
        redirects::netlify(&redirects).into_bytes(),
        "former URLs to WordPress permalinks, as a Netlify _redirects file",
    );
    plan.report.notes.push(Note {
        path: String::new(),
        line: 0,
        subject: "attachments".into(),
        message: format!(
            "{} file(s) in {media_dir}/ must be served at {media_base}/ when importing, with \"Download and import file attachments\" ticked; permalinks assume the \"Post name\" structure",
            attachments.len()
        ),
    });
    Ok(plan)
}
