//! A WordPress site, read from its WXR export file: every post, page and custom-type item
//! becomes a page of the content model.
//!
//! The export file is stored as given. Beside it, each page item is written out as one
//! file, `content/<type>/<slug>.html`: YAML front matter with the item's fields (title,
//! dates local and GMT, status, author, terms, slug, parent, menu order, sticky, meta,
//! comments) and, as the body, `content:encoded` byte for byte. Those files are what
//! carton's page model points into (spans, shortcodes, references), as for Hugo and Jekyll
//! pages; the export file stays the source of truth. Items that are not pages (attachments,
//! menu items, revisions...) are listed with the reason, and attachments that are documents
//! become remote documents that `--fetch` archives.

use super::wordpress::{self, EmbedSource};
use super::wxr::{self, Item, Wxr};
use super::{SiteRead, SourceFile, media, resolve};
use crate::error::{Error, Location, Result};
use crate::model::{
    BundleKind, Document, FileRole, FrontMatter, Model, Page, PageKind, Problem, RefSource,
    Reference, Section, Severity, ShortcodeCall, ShortcodeParam, SiteInfo, Skipped, Target,
    Taxonomy, Term,
};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;

/// Whether `path` is a file that looks like a WordPress export (read from its first bytes).
pub fn looks_like_wxr(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut f) = std::fs::File::open(path) else { return false };
    let mut head = vec![0; 8192];
    let n = f.read(&mut head).unwrap_or(0);
    let head = String::from_utf8_lossy(&head[..n]);
    head.contains("<rss") && head.contains("wordpress.org/export/")
}

/// Post types that are not content pages, with why they are left out of the pages.
fn not_a_page(post_type: &str) -> Option<&'static str> {
    Some(match post_type {
        "attachment" => "an attachment, a file on the WordPress server",
        "nav_menu_item" => "a menu item: menus are site structure, kept in the export file",
        "revision" => "a revision: an earlier state of another item",
        "custom_css" | "customize_changeset" | "wp_global_styles" => {
            "theme settings, kept in the export file"
        }
        "wp_template" | "wp_template_part" | "wp_navigation" | "wp_font_family"
        | "wp_font_face" => "a block theme's template or setting, kept in the export file",
        "oembed_cache" => "a cached embed answer",
        "user_request" => "a personal-data request, not content",
        "wp_block" => "a reusable block (synced pattern), kept in the export file",
        _ => return None,
    })
}

/// The folder of a post type's pages under `content/`.
fn type_dir(post_type: &str) -> String {
    match post_type {
        "post" => "posts".into(),
        "page" => "pages".into(),
        other => safe_segment(other),
    }
}

/// A path segment safe on every file system, from a slug (which WordPress may store
/// percent-encoded for non-ASCII titles).
fn safe_segment(s: &str) -> String {
    let decoded = percent_encoding::percent_decode_str(s).decode_utf8_lossy();
    let out: String = decoded
        .chars()
        .map(|c| if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' })
        .collect();
    let out = out.trim_matches(['-', '.']).to_string();
    if out.is_empty() { "item".into() } else { out }
}

/// `YYYY-MM-DD HH:MM:SS` as ISO 8601, with the offset from its GMT twin when both are real.
fn iso_date(local: &str, gmt: &str) -> Option<String> {
    let l = wxr::parse_date(local)?;
    let base = l.format(&time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]"
    ));
    let base = base.ok()?;
    match wxr::parse_date(gmt) {
        Some(g) => {
            let minutes = (l - g).whole_minutes();
            let sign = if minutes < 0 { '-' } else { '+' };
            let m = minutes.abs();
            Some(format!("{base}{sign}{:02}:{:02}", m / 60, m % 60))
        }
        None => Some(base),
    }
}

fn gmt_date(gmt: &str) -> Option<String> {
    let g = wxr::parse_date(gmt)?;
    g.format(&time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
        .ok()
}

/// The path part of `url` relative to the site's base, decoded, or `None` for another host.
fn site_path(url: &str, base: Option<&url::Url>) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    let base = base?;
    if u.host_str()? != base.host_str()? {
        return None;
    }
    let base_path = base.path().trim_end_matches('/');
    let path = u.path().strip_prefix(base_path).unwrap_or(u.path());
    // Decoded, as pages' URLs are everywhere in the model (`/greek/επίπεδο-2/`).
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut out = format!("/{}", path.trim_start_matches('/'));
    if let Some(q) = u.query() {
        out.push('?');
        out.push_str(q);
    }
    Some(out)
}

/// A meta value for front matter: the decoded PHP value when there is one, else the text.
fn meta_value(m: &wxr::Meta) -> Value {
    m.decoded.clone().unwrap_or_else(|| Value::String(m.value.clone()))
}

/// Reads the WordPress site exported in `path`.
///
/// # Errors
/// When the file cannot be read, or is not a WXR file carton can read (the error gives the
/// line and column).
pub fn read(path: &Path) -> Result<SiteRead> {
    let bytes = std::fs::read(path).map_err(|e| Error::Read(e, path.to_path_buf()))?;
    let doc = wxr::parse(&bytes).map_err(|e| Error::Config {
        location: Location { path: path.to_path_buf(), line: e.line, column: e.column },
        msg: format!("not a WordPress export carton can read: {}", e.message),
    })?;
    let xml_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.xml".into());
    let mut model = Model::new();
    for p in &doc.problems {
        let severity = match p.code {
            "bad-item" | "unclosed-item" => Severity::Error,
            "duplicate-post-id" | "no-wxr-version" | "bad-wxr-version" => Severity::Warning,
            _ => Severity::Info,
        };
        let message = match p.code {
            "bad-item" | "unclosed-item" => {
                format!("{}; fix the export file or export the site again", p.message)
            }
            _ => p.message.clone(),
        };
        model.problems.push(Problem {
            code: format!("wxr-{}", p.code),
            severity,
            path: xml_name.clone(),
            line: p.line,
            column: p.column,
            message,
        });
    }
    // The blog's own URL: on a multisite network, `base_site_url` is the network's.
    let base_text = [&doc.channel.base_blog_url, &doc.channel.link, &doc.channel.base_site_url]
        .into_iter()
        .map(|u| u.trim())
        .find(|u| !u.is_empty())
        .unwrap_or_default()
        .to_string();
    let base = url::Url::parse(&format!("{}/", base_text.trim_end_matches('/'))).ok();
    let authors: HashMap<&str, &wxr::Author> =
        doc.channel.authors.iter().map(|a| (a.login.as_str(), a)).collect();

    let mut files = vec![SourceFile {
        rel: xml_name.clone(),
        abs: path.to_path_buf(),
        size: bytes.len() as u64,
        role: FileRole::Config,
        bytes: Some(Arc::from(bytes.as_slice())),
    }];
    let mut skipped = Vec::new();
    let mut attachments = Vec::new();
    let mut taken = BTreeSet::new();
    let mut pages = Vec::new();
    let mut texts = Vec::new();
    let mut path_of_id: HashMap<u64, String> = HashMap::new();
    let mut page_items = Vec::new();
    for item in &doc.items {
        let id = item.post_id.raw.trim();
        let place = format!("{xml_name}#{}-{id}", item.post_type);
        if let Some(why) = not_a_page(&item.post_type) {
            let mut reason = format!("item {id} (line {}): {why}", item.line);
            if item.post_type == "attachment" {
                attachments.push(item);
                if let Some(url) = item.attachment_url.as_deref() {
                    reason.push_str(&format!(
                        " ({}; uploads are not in an export file: documents among them are archived with --fetch)",
                        url.trim()
                    ));
                }
            }
            skipped.push(Skipped { path: place, reason });
            continue;
        }
        if item.status == "auto-draft" {
            skipped.push(Skipped {
                path: place,
                reason: format!("item {id} (line {}): an auto-draft, never edited", item.line),
            });
            continue;
        }
        let stem = if item.post_name.trim().is_empty() {
            if id.is_empty() { format!("item-{}", item.index + 1) } else { id.to_string() }
        } else {
            safe_segment(&item.post_name)
        };
        let dir = type_dir(&item.post_type);
        let mut rel = format!("content/{dir}/{stem}.html");
        if !taken.insert(rel.clone()) {
            rel = format!("content/{dir}/{stem}-{}.html", if id.is_empty() { "x" } else { id });
            taken.insert(rel.clone());
        }
        if let Some(n) = item.post_id.value {
            path_of_id.insert(n, rel.clone());
        }
        page_items.push((item, rel));
    }
    for (item, rel) in &page_items {
        let fields = front_matter(item, &authors);
        let yaml = serde_yaml::to_string(&fields).map_err(|e| Error::Config {
            location: Location { path: path.to_path_buf(), line: item.line, column: 1 },
            msg: format!("cannot write the item's fields as YAML: {e}"),
        })?;
        let mut text = format!("---\n{yaml}---\n");
        text.push_str(&item.content.value);
        let arc: Arc<[u8]> = Arc::from(text.into_bytes());
        let parsed = super::hugo::parse_page(arc.clone());
        let url = site_path(&item.link, base.as_ref())
            .or_else(|| site_path(&item.guid, base.as_ref()))
            .unwrap_or_else(|| format!("/?p={}", item.post_id.raw.trim()));
        let page = Page {
            path: rel.clone(),
            content_path: rel.trim_start_matches("content/").to_string(),
            kind: PageKind::Page,
            bundle: None::<BundleKind>,
            section: rel.split('/').nth(1).unwrap_or_default().to_string(),
            url,
            aliases: Vec::new(),
            title: Some(item.title.clone()).filter(|t| !t.is_empty()),
            date: fields.get("date").and_then(Value::as_str).map(str::to_string),
            draft: item.status != "publish",
            collection: None,
            front_matter: parsed.front_matter.clone().map(|fm| FrontMatter { ..fm }),
            body: crate::model::LineIndex::new(&parsed.text)
                .span(parsed.body_start..parsed.text.len(), 0),
            text: parsed.text_info.clone(),
            shortcodes: Vec::new(),
            references: Vec::new(),
            resources: Vec::new(),
            taxonomies: taxonomies_of(item),
            relations: Vec::new(),
        };
        files.push(SourceFile {
            rel: rel.clone(),
            abs: path.to_path_buf(),
            size: arc.len() as u64,
            role: FileRole::Page,
            bytes: Some(arc),
        });
        texts.push((parsed.text, parsed.body_start));
        pages.push(page);
    }

    model.site = SiteInfo {
        generator: "wordpress".into(),
        root: "site".into(),
        title: Some(doc.channel.title.clone()).filter(|t| !t.is_empty()),
        base_url: base.as_ref().map(|u| u.to_string()).unwrap_or_default(),
        language: Some(doc.channel.language.clone()).filter(|l| !l.is_empty()),
        config_files: vec![xml_name.clone()],
        content_dir: "content".into(),
        static_dirs: Vec::new(),
        mounts: Vec::new(),
        config: channel_config(&doc),
    };
    model.sections = sections(&pages);
    model.taxonomies = taxonomy_list(&doc, &pages);

    let ctx = resolve::Context::new(&model, &pages, &files, BTreeSet::new(), &[]);
    for (page, (text, body_start)) in pages.iter_mut().zip(&texts) {
        let refs = page_refs(&ctx, page, text, *body_start, base.as_ref());
        page.shortcodes = refs.shortcodes;
        page.references = refs.references;
        model.problems.extend(refs.problems);
    }
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    model.pages = pages;
    resolve::collect_videos_and_documents(&mut model);
    add_attachment_documents(&mut model, &attachments, &path_of_id);

    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    let mut read = super::finish(model, files);
    // Left-out items are expected, not faults: listed, and reported as information.
    for s in &skipped {
        read.model.problems.push(Problem {
            code: "not-a-page".into(),
            severity: Severity::Info,
            path: s.path.clone(),
            line: 0,
            column: 0,
            message: s.reason.clone(),
        });
    }
    read.model.summary.skipped.extend(skipped);
    read.model.problems.sort();
    Ok(read)
}

/// An own-site URL, made absolute with the site's base (`/wp-content/x.pdf`).
fn absolute(raw: &str, base: Option<&url::Url>) -> Option<String> {
    let base = base?;
    let u = base.join(raw.trim()).ok()?;
    (u.host_str() == base.host_str()).then(|| u.to_string())
}

/// The item's fields as front matter, WordPress's names kept where a generator has no
/// equivalent. The password itself is never written: only that there is one.
fn front_matter(item: &Item, authors: &HashMap<&str, &wxr::Author>) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("title".into(), json!(item.title));
    if let Some(d) = iso_date(&item.post_date, &item.post_date_gmt) {
        m.insert("date".into(), json!(d));
    }
    if let Some(d) = gmt_date(&item.post_date_gmt) {
        m.insert("date_gmt".into(), json!(d));
    }
    if let Some(d) = iso_date(&item.post_modified, &item.post_modified_gmt) {
        m.insert("lastmod".into(), json!(d));
    }
    if !item.post_name.is_empty() {
        m.insert("slug".into(), json!(item.post_name));
    }
    m.insert("status".into(), json!(item.status));
    m.insert("type".into(), json!(item.post_type));
    if !item.creator.is_empty() {
        m.insert("author".into(), json!(item.creator));
        if let Some(a) = authors.get(item.creator.as_str())
            && !a.display_name.is_empty()
        {
            m.insert("author_name".into(), json!(a.display_name));
        }
    }
    for (tax, names) in taxonomies_of(item) {
        m.insert(tax, json!(names));
    }
    if let Some(id) = item.post_id.value {
        m.insert("wp_id".into(), json!(id));
    }
    if let Some(parent) = item.post_parent.value.filter(|p| *p != 0) {
        m.insert("wp_parent".into(), json!(parent));
    }
    if let Some(order) = item.menu_order.value.filter(|o| *o != 0) {
        m.insert("menu_order".into(), json!(order));
    }
    if item.is_sticky {
        m.insert("sticky".into(), json!(true));
    }
    if !item.post_password.is_empty() {
        m.insert("password_protected".into(), json!(true));
    }
    if !item.excerpt.value.trim().is_empty() {
        m.insert("excerpt".into(), json!(item.excerpt.value));
    }
    m.insert("comment_status".into(), json!(item.comment_status));
    m.insert("ping_status".into(), json!(item.ping_status));
    if !item.link.trim().is_empty() {
        m.insert("wp_link".into(), json!(item.link.trim()));
    }
    if !item.guid.is_empty() {
        m.insert("guid".into(), json!(item.guid));
    }
    if !item.postmeta.is_empty() {
        let meta: Map<String, Value> =
            item.postmeta.iter().map(|pm| (pm.key.clone(), meta_value(pm))).collect();
        m.insert("meta".into(), Value::Object(meta));
    }
    if !item.comments.is_empty() {
        // Commenters' e-mail and IP addresses stay in the export file only.
        let comments: Vec<Value> = item
            .comments
            .iter()
            .map(|c| {
                json!({
                    "id": c.id.value,
                    "author": c.author,
                    "author_url": c.author_url,
                    "date": iso_date(&c.date, &c.date_gmt),
                    "content": c.content.value,
                    "approved": c.approved,
                    "type": c.comment_type,
                    "parent": c.parent.value.filter(|p| *p != 0),
                })
            })
            .collect();
        m.insert("comments".into(), Value::Array(comments));
    }
    m
}

/// The item's terms by taxonomy (names as written), under the names generators use for the
/// two built-in ones: `categories`, `tags`.
fn taxonomies_of(item: &Item) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &item.terms {
        // WXR 1.0 writes each term twice, once without nicename.
        if t.nicename.is_none()
            && item
                .terms
                .iter()
                .any(|o| o.nicename.is_some() && o.name == t.name && o.domain == t.domain)
        {
            continue;
        }
        let key = match t.domain.as_str() {
            "category" => "categories".to_string(),
            "post_tag" => "tags".to_string(),
            other => other.to_string(),
        };
        let names = out.entry(key).or_default();
        if !names.contains(&t.name) {
            names.push(t.name.clone());
        }
    }
    out
}

fn channel_config(doc: &Wxr) -> Value {
    let c = &doc.channel;
    json!({
        "title": c.title,
        "link": c.link,
        "description": c.description,
        "language": c.language,
        "base_site_url": c.base_site_url,
        "base_blog_url": c.base_blog_url,
        "wxr_version": doc.version,
        "generator": c.generator,
        "authors": c.authors.iter().map(|a| json!({
            "login": a.login, "display_name": a.display_name,
            "first_name": a.first_name, "last_name": a.last_name,
        })).collect::<Vec<_>>(),
        "categories": c.categories.iter().map(|t| json!({
            "slug": t.nicename, "name": t.name, "parent": t.parent, "description": t.description,
        })).collect::<Vec<_>>(),
        "tags": c.tags.iter().map(|t| json!({
            "slug": t.slug, "name": t.name, "description": t.description,
        })).collect::<Vec<_>>(),
        "terms": c.terms.iter().map(|t| json!({
            "taxonomy": t.taxonomy, "slug": t.slug, "name": t.name, "parent": t.parent,
            "description": t.description,
        })).collect::<Vec<_>>(),
    })
}

fn sections(pages: &[Page]) -> Vec<Section> {
    let mut by: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for p in pages {
        by.entry(p.section.as_str()).or_default().push(p.path.clone());
    }
    by.into_iter()
        .map(|(s, mut pages)| {
            pages.sort();
            Section { path: s.to_string(), index: None, url: format!("/{s}/"), pages }
        })
        .collect()
}

/// Every taxonomy with its declared terms (the channel's categories, tags and terms) and the
/// terms pages use. URLs are WordPress's defaults (`/category/slug/`, `/tag/slug/`).
fn taxonomy_list(doc: &Wxr, pages: &[Page]) -> Vec<Taxonomy> {
    let mut terms: BTreeMap<String, BTreeMap<String, Term>> = BTreeMap::new();
    let mut add =
        |tax: &str, name: &str, url: String| {
            terms.entry(tax.to_string()).or_default().entry(name.to_string()).or_insert_with(
                || Term { name: name.to_string(), url, page: None, pages: Vec::new() },
            );
        };
    for c in &doc.channel.categories {
        add("categories", &c.name, format!("/category/{}/", c.nicename));
    }
    for t in &doc.channel.tags {
        add("tags", &t.name, format!("/tag/{}/", t.slug));
    }
    for t in doc.channel.terms.iter().filter(|t| t.taxonomy != "nav_menu") {
        add(&t.taxonomy, &t.name, format!("/{}/{}/", t.taxonomy, t.slug));
    }
    for p in pages {
        for (tax, names) in &p.taxonomies {
            for n in names {
                let t =
                    terms.entry(tax.clone()).or_default().entry(n.clone()).or_insert_with(|| {
                        Term { name: n.clone(), url: String::new(), page: None, pages: Vec::new() }
                    });
                t.pages.push(p.path.clone());
            }
        }
    }
    terms
        .into_iter()
        .map(|(name, terms)| Taxonomy {
            singular: match name.as_str() {
                "categories" => "category".into(),
                "tags" => "tag".into(),
                other => other.to_string(),
            },
            name,
            index: None,
            terms: terms.into_values().collect(),
        })
        .collect()
}

/// Blocks, shortcodes and embeds of a post body, and its links.
fn page_refs(
    ctx: &resolve::Context,
    page: &Page,
    text: &str,
    body_start: usize,
    base: Option<&url::Url>,
) -> resolve::PageRefs {
    let index = crate::model::LineIndex::new(text);
    let body = &text[body_start..];
    let span = |r: std::ops::Range<usize>| index.span(r, body_start);
    let parsed = wordpress::parse(body);
    let mut out =
        resolve::PageRefs { shortcodes: Vec::new(), references: Vec::new(), problems: Vec::new() };
    for e in &parsed.errors {
        let s = span(e.offset..e.offset);
        out.problems.push(Problem {
            code: "wordpress-syntax".into(),
            severity: Severity::Warning,
            path: page.path.clone(),
            line: s.line,
            column: s.column,
            message: e.message.clone(),
        });
    }
    let mut masked = Vec::new();
    // Blocks first, then shortcodes; a call's parent index is within its own kind.
    let block_base = out.shortcodes.len();
    for b in &parsed.blocks {
        masked.push(b.open.clone());
        if let Some(c) = &b.close {
            masked.push(c.clone());
        }
        out.shortcodes.push(ShortcodeCall {
            name: b.name.clone(),
            notation: "wp-block".into(),
            params: b
                .attrs_span
                .iter()
                .map(|s| ShortcodeParam {
                    name: None,
                    value: body[s.clone()].to_string(),
                    quote: "json".into(),
                    span: span(s.clone()),
                })
                .collect(),
            span: span(b.span.clone()),
            open: span(b.open.clone()),
            close: b.close.clone().map(&span),
            inner: b.inner.clone().map(&span),
            self_closing: b.self_closing,
            parent: b.parent.map(|p| p + block_base),
            known: true,
        });
    }
    let sc_base = out.shortcodes.len();
    for sc in &parsed.shortcodes {
        masked.push(sc.open.clone());
        if let Some(c) = &sc.close {
            masked.push(c.clone());
        }
        out.shortcodes.push(ShortcodeCall {
            name: sc.name.clone(),
            notation: "wp-shortcode".into(),
            params: sc
                .params
                .iter()
                .map(|p| ShortcodeParam {
                    name: p.name.clone(),
                    value: p.value.clone(),
                    quote: match p.quote {
                        wordpress::Quote::Double => "double",
                        wordpress::Quote::Single => "single",
                        wordpress::Quote::Bare => "bare",
                    }
                    .into(),
                    span: span(p.span.clone()),
                })
                .collect(),
            span: span(sc.span.clone()),
            open: span(sc.open.clone()),
            close: sc.close.clone().map(&span),
            inner: sc.inner.clone().map(&span),
            self_closing: sc.self_closing,
            parent: sc.parent.map(|p| p + sc_base),
            known: sc.known,
        });
        if !sc.known {
            let s = span(sc.open.clone());
            out.problems.push(Problem {
                code: "unknown-shortcode".into(),
                severity: Severity::Info,
                path: page.path.clone(),
                line: s.line,
                column: s.column,
                message: format!(
                    "shortcode `{}` is not one of WordPress's own: a plugin's, kept as written",
                    sc.name
                ),
            });
        }
    }
    for e in &parsed.embeds {
        let (source, field) = match e.source {
            EmbedSource::Block { index } => {
                (RefSource::Shortcode, Some(parsed.blocks[index].name.clone()))
            }
            EmbedSource::Shortcode { index } => {
                (RefSource::Shortcode, Some(parsed.shortcodes[index].name.clone()))
            }
            EmbedSource::Iframe => (RefSource::Iframe, None),
            _ => (RefSource::BareUrl, None),
        };
        let target = match &e.video {
            Some(v) => Target::Video { key: v.key() },
            None => Target::Remote { url: e.url.clone() },
        };
        out.references.push(Reference {
            source,
            field,
            raw: e.url.clone(),
            text: None,
            span: span(e.span.clone()),
            document: media::is_document(&e.url),
            target,
        });
        masked.push(e.span.clone());
    }
    masked.sort_by_key(|r| r.start);
    let mut refs = ctx.refs_in(page, body, &masked, &span, &mut out.problems);
    // An embed's URL was recorded above; the extractor may see it again as a link.
    refs.retain(|r| !out.references.iter().any(|e| e.span == r.span));
    // Uploads live on the WordPress server, not in the export: a link to one is remote.
    for r in &mut refs {
        if let Target::Missing { .. } = r.target
            && let Some(abs) = absolute(&r.raw, base)
        {
            r.target = Target::Remote { url: abs };
        }
    }
    out.references.extend(refs);
    ctx.finish_page_refs(
        page,
        text,
        &index,
        out,
        &["meta", "comments", "excerpt", "guid", "wp_link"],
    )
}

/// Attachments that are documents (PDF, office files) become remote documents, linked from
/// the item they are attached to, so that `--fetch` archives them.
fn add_attachment_documents(
    model: &mut Model,
    attachments: &[&Item],
    path_of_id: &HashMap<u64, String>,
) {
    for a in attachments {
        let Some(url) = a.attachment_url.as_deref().map(str::trim).filter(|u| !u.is_empty()) else {
            continue;
        };
        if !media::is_document(url) {
            continue;
        }
        let parent = a.post_parent.value.and_then(|p| path_of_id.get(&p)).cloned();
        match model.documents.iter_mut().find(|d| d.target == url) {
            Some(d) => {
                if let Some(p) = parent
                    && !d.pages.contains(&p)
                {
                    d.pages.push(p);
                }
            }
            None => model.documents.push(Document {
                target: url.to_string(),
                local: false,
                missing: false,
                media_type: media::media_type(url).into(),
                pages: parent.into_iter().collect(),
                fetch: None,
            }),
        }
    }
    model.documents.sort_by(|a, b| a.target.cmp(&b.target));
}
