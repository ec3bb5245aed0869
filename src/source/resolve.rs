//! Finds every reference a page makes (Markdown, raw HTML, shortcodes, front matter) and
//! resolves it: to a file or page of the site, a video, a remote URL, or a reported miss
//! with the near match that differs only by case or Unicode normalisation.

use super::hugo::{join_url, problem};
use super::media::{
    is_document as is_document_path, is_file_like as is_file_like_path, media_type, target_path,
};
use super::mounts::Mounts;
use super::refs::{self, RawRef, RefKind};
use super::shortcode::{self, Quote};
use super::video::{self, Provider, VideoId};
use super::walk::SourceFile;
use crate::model::{
    Document, FileRole, LineIndex, Model, Page, Problem, RefSource, Reference, Severity,
    ShortcodeCall, ShortcodeParam, Span, Target, Video,
};
use percent_encoding::percent_decode_str;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// Shortcode parameters whose value is a link or a path, whatever it looks like.
const LINK_PARAMS: &[&str] =
    &["url", "href", "src", "link", "image", "img", "pdf", "document", "path"];

/// Front matter keys that hold paths in common themes, whatever their value looks like.
const PATH_FIELDS: &[&str] = &[
    "avatar",
    "banner",
    "cover",
    "featured_image",
    "featuredImage",
    "file",
    "image",
    "images",
    "logo",
    "ogImage",
    "og_image",
    "pdf",
    "photo",
    "thumbnail",
];

/// The site-wide indexes that resolution needs, built once.
pub struct Context {
    mounts: Mounts,
    /// The site has a Markdown link render hook.
    link_hook: bool,
    own_host: Option<(String, String)>,
    files: BTreeSet<String>,
    page_paths: BTreeSet<String>,
    pages_by_url: HashMap<String, String>,
    /// Folded (lower-case, NFC) file paths and URLs → the real one, for near matches.
    folded: HashMap<String, String>,
    templates: BTreeSet<String>,
    builtins: &'static [&'static str],
}

/// What resolution found in one page.
pub struct PageRefs {
    /// Shortcode calls, flattened.
    pub shortcodes: Vec<ShortcodeCall>,
    /// References, in source order.
    pub references: Vec<Reference>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

fn is_document(target: &str) -> bool {
    is_document_path(target_path(target))
}

fn is_file_like(target: &str) -> bool {
    is_file_like_path(target_path(target))
}

fn fold(s: &str) -> String {
    s.nfc().collect::<String>().to_lowercase()
}

/// `/a/b/` and `/a/b` reach the same page.
fn url_key(url: &str) -> String {
    let u = url.trim_end_matches('/');
    if u.is_empty() { "/".into() } else { u.to_string() }
}

impl Context {
    /// Indexes the site's files and page URLs.
    pub fn new(
        model: &Model,
        pages: &[Page],
        files: &[SourceFile],
        templates: BTreeSet<String>,
        builtins: &'static [&'static str],
    ) -> Self {
        let own_host = url::Url::parse(&model.site.base_url).ok().and_then(|u| {
            let host = u.host_str()?.to_ascii_lowercase();
            Some((host, u.path().trim_end_matches('/').to_string()))
        });
        let mut pages_by_url = HashMap::new();
        let mut folded = HashMap::new();
        for f in files {
            folded.entry(fold(&f.rel)).or_insert_with(|| f.rel.clone());
        }
        for p in pages {
            pages_by_url.insert(url_key(&p.url), p.path.clone());
            // Jekyll writes `/about` as `about.html`; hosts serve `/about.html` at both URLs.
            let last = p.url.rsplit('/').next().unwrap_or("");
            if let Some(stem) = p.url.strip_suffix(".html") {
                pages_by_url.entry(stem.to_string()).or_insert_with(|| p.path.clone());
            } else if !last.is_empty() && !last.contains('.') {
                pages_by_url.entry(format!("{}.html", p.url)).or_insert_with(|| p.path.clone());
            }
            folded.entry(fold(&url_key(&p.url))).or_insert_with(|| p.url.clone());
            for a in &p.aliases {
                pages_by_url.entry(url_key(a)).or_insert_with(|| p.path.clone());
            }
        }
        Context {
            mounts: Mounts::new(&model.site.mounts),
            link_hook: files.iter().any(|f| {
                f.rel.ends_with("_markup/render-link.html")
                    && (f.rel.starts_with("layouts/") || f.rel.starts_with("themes/"))
            }),
            own_host,
            files: files.iter().map(|f| f.rel.clone()).collect(),
            page_paths: files
                .iter()
                .filter(|f| f.role == FileRole::Page)
                .map(|f| f.rel.clone())
                .collect(),
            pages_by_url,
            folded,
            templates,
            builtins,
        }
    }

    /// Parses the shortcodes and references of one page and resolves them.
    pub fn page_refs(&self, page: &Page, text: &str, body_start: usize) -> PageRefs {
        let index = LineIndex::new(text);
        let body = &text[body_start..];
        let span = |r: Range<usize>| index.span(r, body_start);
        let mut out =
            PageRefs { shortcodes: Vec::new(), references: Vec::new(), problems: Vec::new() };

        let parsed = shortcode::parse(body);
        for e in &parsed.errors {
            let s = span(e.offset..e.offset);
            out.problems.push(problem(
                "shortcode-syntax",
                Severity::Warning,
                &page.path,
                s.line,
                s.column,
                e.message.clone(),
            ));
        }
        let mut masked = Vec::new();
        // Flatten the tree, pre-order, keeping each call's parent index.
        let mut stack: Vec<(&shortcode::Shortcode, Option<usize>)> =
            parsed.shortcodes.iter().rev().map(|s| (s, None)).collect();
        while let Some((sc, parent)) = stack.pop() {
            let idx = out.shortcodes.len();
            masked.push(sc.open.clone());
            if let Some(c) = &sc.close {
                masked.push(c.clone());
            }
            let known =
                self.builtins.contains(&sc.name.as_str()) || self.templates.contains(&sc.name);
            if !known {
                let s = span(sc.open.clone());
                out.problems.push(problem(
                    "unknown-shortcode",
                    Severity::Info,
                    &page.path,
                    s.line,
                    s.column,
                    format!("shortcode `{}` has no template in the site and is not built into Hugo: kept as written", sc.name),
                ));
            }
            out.shortcodes.push(ShortcodeCall {
                name: sc.name.clone(),
                notation: match sc.notation {
                    shortcode::Notation::Angle => "<".into(),
                    shortcode::Notation::Percent => "%".into(),
                },
                params: sc
                    .params
                    .iter()
                    .map(|p| ShortcodeParam {
                        name: p.name.clone(),
                        value: p.value.clone(),
                        quote: match p.quote {
                            Quote::Double => "double",
                            Quote::Backtick => "backtick",
                            Quote::Bare => "bare",
                        }
                        .into(),
                        span: span(p.span.clone()),
                    })
                    .collect(),
                span: span(sc.span()),
                open: span(sc.open.clone()),
                close: sc.close.clone().map(&span),
                inner: sc.inner.clone().map(&span),
                self_closing: sc.self_closing,
                parent,
                known,
            });
            self.shortcode_refs(page, sc, &span, &mut out.references);
            stack.extend(sc.children.iter().rev().map(|c| (c, Some(idx))));
        }
        masked.sort_by_key(|r| r.start);

        for raw in extract_refs(page, body, &masked, &span, &mut out.problems) {
            if let Some(r) = self.reference(page, raw, &span) {
                out.references.push(r);
            }
        }
        self.finish_refs(page, text, &index, out)
    }

    /// Parses the Liquid and the references of a Jekyll page, whose body Liquid renders
    /// before Markdown: tags are masked (a `{% comment %}` block entirely, a `{% raw %}`
    /// block's text kept); a link written with Liquid (`{{ site.baseurl }}/a.pdf`,
    /// `{{ '/a.pdf' | relative_url }}`, `{% link %}`, `{% post_url %}`) resolves to what it
    /// renders; one built from data (`{{ page.image }}`) is left out; an include named after
    /// a video provider (`{% include youtube.html id="..." %}`) is a video reference.
    pub fn page_refs_liquid(&self, page: &Page, text: &str, body_start: usize) -> PageRefs {
        use super::liquid::{self, LinkKind};
        let index = LineIndex::new(text);
        let body = &text[body_start..];
        let span = |r: Range<usize>| index.span(r, body_start);
        let parsed = liquid::parse(text, body_start..text.len());
        let mut out = PageRefs {
            shortcodes: Vec::new(),
            references: Vec::new(),
            problems: parsed
                .problems
                .iter()
                .map(|p| {
                    let message = p.message.clone();
                    problem(
                        "liquid-syntax",
                        Severity::Warning,
                        &page.path,
                        p.span.line,
                        p.span.column,
                        message,
                    )
                })
                .collect(),
        };
        // Body-relative ranges: links written with Liquid are filled with a character links
        // may hold (so that they stay links for the extractor), other Liquid is blanked.
        let rel = |s: &Span| s.start.saturating_sub(body_start)..s.end.saturating_sub(body_start);
        let links: Vec<(Range<usize>, liquid::LinkTarget)> = parsed
            .calls
            .iter()
            .filter_map(|c| liquid::link_target(text, c))
            .map(|l| (rel(&l.span), l))
            .collect();
        let in_link =
            |r: &Range<usize>| links.iter().any(|(l, _)| l.start <= r.start && r.end <= l.end);
        let mut masked = Vec::new();
        for c in &parsed.calls {
            if c.name == "comment" && c.notation == liquid::TAG {
                masked.push(rel(&c.span));
                continue;
            }
            for s in std::iter::once(&c.open).chain(c.close.as_ref()) {
                let r = rel(s);
                if !in_link(&r) {
                    masked.push(r);
                }
            }
        }
        let mut filled = body.as_bytes().to_vec();
        for (r, _) in &links {
            if let Some(bytes) = filled.get_mut(r.clone()) {
                bytes.fill(b'x');
            }
        }
        let filled = String::from_utf8(filled).unwrap_or_else(|_| body.to_string());
        for mut raw in extract_refs(page, &filled, &masked, &span, &mut out.problems) {
            let link = links.iter().find(|(l, _)| l.start < raw.span.end && raw.span.start < l.end);
            let Some((_, link)) = link else {
                if let Some(r) = self.reference(page, raw, &span) {
                    out.references.push(r);
                }
                continue;
            };
            // Recorded as written, Liquid included, so that importers rewrite all of it.
            let written = body.get(raw.span.clone()).unwrap_or_default().to_string();
            let target = match link.kind {
                LinkKind::Url => {
                    let suffix = written.find(['#', '?']).map_or("", |i| &written[i..]);
                    raw.target = format!("{}{suffix}", link.target);
                    if let Some(mut r) = self.reference(page, raw, &span) {
                        r.raw = written;
                        out.references.push(r);
                    }
                    continue;
                }
                LinkKind::File => {
                    self.local_file_or_page(&link.target).unwrap_or_else(|| Target::Missing {
                        expected: link.target.clone(),
                        near_match: self.near_match(&link.target),
                    })
                }
                LinkKind::Post => self.post(&link.target),
            };
            out.references.push(Reference {
                source: match raw.kind {
                    RefKind::Image => RefSource::Image,
                    RefKind::HtmlHref => RefSource::HtmlHref,
                    RefKind::HtmlSrc => RefSource::HtmlSrc,
                    _ => RefSource::Link,
                },
                field: None,
                raw: written,
                text: raw.text.filter(|t| !t.trim().is_empty()),
                span: span(raw.span),
                document: false,
                target,
            });
        }
        for c in &parsed.calls {
            if let Some(r) = self.liquid_video(c) {
                out.references.push(r);
            }
        }
        out.shortcodes = parsed.calls;
        self.finish_refs(page, text, &index, out)
    }

    /// `{% include youtube.html id="..." %}` and the like: an include named after a video
    /// provider, with the video's ID or URL as `id`, `video`, `url` or `src`.
    fn liquid_video(&self, call: &ShortcodeCall) -> Option<Reference> {
        if call.notation != super::liquid::TAG || !call.name.starts_with("include") {
            return None;
        }
        let file = call.params.iter().find(|p| p.name.is_none())?.value.to_ascii_lowercase();
        let provider = [Provider::Dailymotion, Provider::YouTube, Provider::Vimeo]
            .into_iter()
            .find(|p| file.contains(p.name()))?;
        let id = call.params.iter().find(|p| {
            matches!(p.name.as_deref(), Some("id" | "video" | "url" | "src" | "video_id"))
        });
        let raw = id.map(|p| p.value.trim().to_string()).unwrap_or_default();
        let video = video::parse_video_url(&raw).or_else(|| video::video_from_id(provider, &raw));
        Some(Reference {
            source: RefSource::Shortcode,
            field: Some(format!("include {file}")),
            text: call
                .params
                .iter()
                .find(|p| p.name.as_deref() == Some("title"))
                .map(|p| p.value.clone()),
            span: id.map_or(call.open, |p| p.span),
            raw,
            target: match video {
                Some(v) => Target::Video { key: v.key() },
                None => Target::InvalidVideo { provider: provider.name().into() },
            },
            document: false,
        })
    }

    /// Adds the front matter's references, sorts them, and reports those that do not
    /// resolve: the last step for any page.
    /// The references of a body's links (Markdown and HTML), outside `masked` ranges; a
    /// problem in `problems` when there are too many to read them all.
    pub fn refs_in(
        &self,
        page: &Page,
        body: &str,
        masked: &[Range<usize>],
        span: &impl Fn(Range<usize>) -> Span,
        problems: &mut Vec<Problem>,
    ) -> Vec<Reference> {
        extract_refs(page, body, masked, span, problems)
            .into_iter()
            .filter_map(|raw| self.reference(page, raw, span))
            .collect()
    }

    /// The last step of a page's references: those of its front matter but the fields
    /// `ignored` (free text such as comments, where a `/` is no path), then order, and a
    /// problem for each reference that does not resolve.
    pub fn finish_page_refs(
        &self,
        page: &Page,
        text: &str,
        index: &LineIndex,
        mut out: PageRefs,
        ignored: &[&str],
    ) -> PageRefs {
        if let Some(fm) = &page.front_matter {
            let mut fields = fm.fields.clone();
            if let Some(m) = fields.as_object_mut() {
                m.retain(|k, _| !ignored.contains(&k.as_str()));
            }
            self.front_matter_refs(page, text, fm.span, &fields, index, &mut out.references);
        }
        out.references.sort_by_key(|r| (r.span.start, r.span.end));
        // Kept in the model until the archive is written: no spare capacity.
        out.references.shrink_to_fit();
        for r in &out.references {
            if let Some(p) = self.problem_for(page, r) {
                out.problems.push(p);
            }
        }
        out
    }

    fn finish_refs(
        &self,
        page: &Page,
        text: &str,
        index: &LineIndex,
        mut out: PageRefs,
    ) -> PageRefs {
        if let Some(fm) = &page.front_matter {
            self.front_matter_refs(page, text, fm.span, &fm.fields, index, &mut out.references);
        }
        out.references.sort_by_key(|r| (r.span.start, r.span.end));
        // Kept in the model until the archive is written: no spare capacity.
        out.references.shrink_to_fit();
        for r in &out.references {
            if let Some(p) = self.problem_for(page, r) {
                out.problems.push(p);
            }
        }
        out
    }

    /// `{% post_url name %}`: the post whose file is `name` plus an extension, in any
    /// `_posts/` folder (`name` may start with a subfolder of it).
    fn post(&self, name: &str) -> Target {
        let name = name.trim_start_matches('/');
        let found = self.page_paths.iter().find(|p| {
            p.rsplit_once('.').is_some_and(|(stem, _)| {
                stem.split("_posts/").nth(1).is_some_and(|rest| rest == name)
            })
        });
        match found {
            Some(p) => Target::Page { path: p.clone() },
            None => Target::Missing { expected: format!("_posts/{name}.md"), near_match: None },
        }
    }

    fn reference(
        &self,
        page: &Page,
        raw: RawRef,
        span: &impl Fn(Range<usize>) -> Span,
    ) -> Option<Reference> {
        let source = match raw.kind {
            RefKind::Link => RefSource::Link,
            RefKind::Image => RefSource::Image,
            RefKind::Autolink => RefSource::Autolink,
            RefKind::LinkDefinition => RefSource::LinkDefinition,
            RefKind::HtmlHref => RefSource::HtmlHref,
            RefKind::HtmlSrc => RefSource::HtmlSrc,
            RefKind::Iframe => RefSource::Iframe,
            RefKind::BareUrl => RefSource::BareUrl,
        };
        let target = self.resolve(page, &raw.target)?;
        // A bare URL is only worth recording when it is a video or a document.
        if source == RefSource::BareUrl
            && !matches!(target, Target::Video { .. })
            && !is_document(&raw.target)
        {
            return None;
        }
        Some(Reference {
            source,
            field: None,
            document: is_document(&raw.target),
            raw: raw.target,
            text: raw.text.filter(|t| !t.trim().is_empty()),
            span: span(raw.span),
            target,
        })
    }

    fn shortcode_refs(
        &self,
        page: &Page,
        sc: &shortcode::Shortcode,
        span: &impl Fn(Range<usize>) -> Span,
        out: &mut Vec<Reference>,
    ) {
        let lower = sc.name.to_ascii_lowercase();
        let provider = [Provider::Dailymotion, Provider::YouTube, Provider::Vimeo]
            .into_iter()
            .find(|p| lower.contains(p.name()));
        if let Some(provider) = provider {
            let id_param = sc
                .params
                .iter()
                .find(|p| matches!(p.name.as_deref(), Some("id" | "video" | "url" | "src")))
                .or_else(|| sc.params.iter().find(|p| p.name.is_none()));
            let title = sc.named("title").or_else(|| sc.positional(1)).map(str::to_string);
            let (raw, at) = id_param
                .map_or((String::new(), sc.open.clone()), |p| (p.value.clone(), p.span.clone()));
            let video =
                video::parse_video_url(&raw).or_else(|| video::video_from_id(provider, raw.trim()));
            let target = match video {
                Some(v) => Target::Video { key: v.key() },
                None => Target::InvalidVideo { provider: provider.name().into() },
            };
            out.push(Reference {
                source: RefSource::Shortcode,
                field: Some(sc.name.clone()),
                raw,
                text: title,
                span: span(at),
                target,
                document: false,
            });
            return;
        }
        if lower == "ref" || lower == "relref" {
            if let Some(p) = sc.params.first() {
                out.push(Reference {
                    source: RefSource::Shortcode,
                    field: Some(sc.name.clone()),
                    raw: p.value.clone(),
                    text: None,
                    span: span(p.span.clone()),
                    target: self.resolve_content_path(page, &p.value),
                    document: false,
                });
            }
            return;
        }
        for p in &sc.params {
            let v = p.value.trim();
            // A parameter is a reference when it says so (a URL, a site path, a parameter
            // named like a link); any other file-like value only when it resolves: shortcodes
            // are free to take `page.Pages` or `content/example.md` as plain text.
            let named_link = p
                .name
                .as_deref()
                .is_some_and(|n| LINK_PARAMS.contains(&n.to_ascii_lowercase().as_str()));
            let explicit = v.starts_with("http://")
                || v.starts_with("https://")
                || (v.starts_with('/') && !v.contains(char::is_whitespace))
                || (named_link && !v.is_empty() && !v.contains(char::is_whitespace));
            let maybe = is_file_like(v) && !v.contains(char::is_whitespace);
            if !explicit && !maybe {
                continue;
            }
            let Some(target) = self.resolve_with_assets(page, v) else { continue };
            if !explicit && matches!(target, Target::Missing { .. }) {
                continue;
            }
            out.push(Reference {
                source: RefSource::Shortcode,
                field: Some(match &p.name {
                    Some(n) => format!("{}.{n}", sc.name),
                    None => sc.name.clone(),
                }),
                raw: v.to_string(),
                text: sc.named("title").map(str::to_string),
                span: span(p.span.clone()),
                document: is_document(v),
                target,
            });
        }
    }

    fn front_matter_refs(
        &self,
        page: &Page,
        text: &str,
        block: Span,
        fields: &Value,
        index: &LineIndex,
        out: &mut Vec<Reference>,
    ) {
        let Some(map) = fields.as_object() else { return };
        let mut stack: Vec<(String, &Value)> =
            map.iter().rev().map(|(k, v)| (k.clone(), v)).collect();
        let mut search_from = block.start;
        while let Some((key, value)) = stack.pop() {
            match value {
                Value::Array(items) => stack.extend(items.iter().rev().map(|v| (key.clone(), v))),
                Value::Object(m) => {
                    stack.extend(m.iter().rev().map(|(k, v)| (format!("{key}.{k}"), v)))
                }
                Value::String(s) => {
                    let v = s.trim();
                    let leaf = key.rsplit('.').next().unwrap_or(&key);
                    let explicit = (PATH_FIELDS.contains(&leaf) && !v.is_empty())
                        || v.starts_with("http://")
                        || v.starts_with("https://")
                        || (v.contains('/') && is_file_like(v));
                    let maybe =
                        is_file_like(v) && !v.contains(char::is_whitespace) && v.len() < 512;
                    if !explicit && !maybe {
                        continue;
                    }
                    let Some(target) = self.resolve_with_assets(page, v) else { continue };
                    // `returnType: template.HTML` is not a file: a bare dotted word counts
                    // only when it names one.
                    if !explicit && matches!(target, Target::Missing { .. }) {
                        continue;
                    }
                    // Locate the value in the block, after the previous one, to give its line.
                    let hay = text.get(search_from..block.end).unwrap_or("");
                    let start = hay.find(v).map_or(block.start, |i| search_from + i);
                    if start != block.start {
                        search_from = start + v.len();
                    }
                    let end = if start == block.start { block.start } else { start + v.len() };
                    out.push(Reference {
                        source: RefSource::FrontMatter,
                        field: Some(key.clone()),
                        raw: v.to_string(),
                        text: None,
                        span: index.span(start..end, 0),
                        document: is_document(v),
                        target,
                    });
                }
                _ => {}
            }
        }
    }

    /// As [`Context::resolve`], also trying the assets folders, where templates and
    /// shortcodes find files with `resources.Get`.
    fn resolve_with_assets(&self, page: &Page, raw: &str) -> Option<Target> {
        let target = self.resolve(page, raw)?;
        if matches!(target, Target::Missing { .. }) && !raw.contains("://") {
            let path = percent_decode_str(target_path(raw.trim())).decode_utf8_lossy().into_owned();
            if let Some(found) =
                self.mounts.asset_files(&path).into_iter().find(|c| self.files.contains(c))
            {
                return Some(Target::File { path: found });
            }
        }
        Some(target)
    }

    /// Resolves a target as written in `page`. `None` for an empty target.
    fn resolve(&self, page: &Page, raw: &str) -> Option<Target> {
        let t = raw.trim();
        if t.is_empty() {
            return None;
        }
        if t.starts_with('#') {
            return Some(Target::Anchor);
        }
        if let Some(v) = video::parse_video_url(t) {
            return Some(Target::Video { key: v.key() });
        }
        if t.starts_with("//") {
            return Some(Target::Remote { url: format!("https:{t}") });
        }
        if let Some(scheme) = scheme_of(t) {
            if scheme != "http" && scheme != "https" {
                return Some(Target::Other);
            }
            if let Some(path) = self.own_path(t) {
                return Some(self.resolve_local(page, &path));
            }
            return Some(Target::Remote { url: t.to_string() });
        }
        Some(self.resolve_local(page, t))
    }

    /// The path of a URL on the site's own host (from `baseURL`), without its base path.
    fn own_path(&self, url: &str) -> Option<String> {
        let (host, base_path) = self.own_host.as_ref()?;
        let u = url::Url::parse(url).ok()?;
        if u.host_str()?.to_ascii_lowercase() != *host {
            return None;
        }
        let path = u.path();
        let rest = path.strip_prefix(base_path.as_str()).unwrap_or(path);
        Some(format!("/{}", rest.trim_start_matches('/')))
    }

    fn resolve_local(&self, page: &Page, t: &str) -> Target {
        let path_part = t.split(['?', '#']).next().unwrap_or("");
        if path_part.is_empty() {
            return Target::Anchor;
        }
        let decoded = percent_decode_str(path_part).decode_utf8_lossy().into_owned();
        let page_dir = page.path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut urls = Vec::new();
        if decoded.starts_with('/') {
            urls.push(decoded.clone());
        } else {
            // Beside the page file (bundle resources, relative links to other content files).
            let beside = join_url(&format!("/{page_dir}/"), &decoded);
            let beside = beside.trim_start_matches('/');
            if let Some(t) = self.local_file_or_page(beside) {
                return t;
            }
            let url_dir = if page.url.ends_with('/') {
                page.url.clone()
            } else {
                page.url.rsplit_once('/').map_or("/".into(), |(d, _)| format!("{d}/"))
            };
            urls.push(join_url(&url_dir, &decoded));
            // Decap and many themes write site-root paths without the leading slash.
            urls.push(join_url("/", &decoded));
        }
        for url in &urls {
            if let Some(t) = self.site_url(url) {
                return t;
            }
        }
        // Not found: report it where a reader would look first.
        let file_like = is_file_like(&decoded);
        let url = urls.last().cloned().unwrap_or_default();
        let expected = if file_like {
            let static_dir = self.mounts.first_static();
            if !decoded.starts_with('/') && page.bundle == Some(crate::model::BundleKind::Leaf) {
                join_url(&format!("/{page_dir}/"), &decoded).trim_start_matches('/').to_string()
            } else {
                // Jekyll publishes the site root itself: no folder before the path.
                if static_dir.is_empty() {
                    url.trim_start_matches('/').to_string()
                } else {
                    format!("{static_dir}{url}")
                }
            }
        } else {
            url.clone()
        };
        let near_match = self.near_match(&expected).or_else(|| {
            urls.iter().find_map(|u| {
                self.mounts
                    .static_files(u)
                    .iter()
                    .find_map(|p| self.near_match(p))
                    .or_else(|| self.near_match(&url_key(u)))
            })
        });
        Target::Missing { expected, near_match }
    }

    /// A site-absolute URL path: a static file, a page URL or alias, or a content file.
    fn site_url(&self, url: &str) -> Option<Target> {
        for candidate in self.mounts.static_files(url) {
            // A page written at its own path (Jekyll's `about.html`) is a page.
            if self.page_paths.contains(&candidate) {
                return Some(Target::Page { path: candidate });
            }
            if self.files.contains(&candidate) {
                return Some(Target::File { path: candidate });
            }
        }
        if let Some(p) = self.pages_by_url.get(&url_key(url)) {
            return Some(Target::Page { path: p.clone() });
        }
        self.mounts.content_files(url).iter().find_map(|c| self.local_file_or_page(c))
    }

    fn local_file_or_page(&self, rel: &str) -> Option<Target> {
        let rel = rel.trim_end_matches('/');
        if self.page_paths.contains(rel) {
            return Some(Target::Page { path: rel.to_string() });
        }
        if self.files.contains(rel) {
            return Some(Target::File { path: rel.to_string() });
        }
        None
    }

    fn near_match(&self, path: &str) -> Option<String> {
        self.folded.get(&fold(path)).filter(|m| m.as_str() != path).cloned()
    }

    /// `{{< ref "x" >}}`: a path under the content folder, relative to the page or absolute.
    fn resolve_content_path(&self, page: &Page, raw: &str) -> Target {
        let path = raw.split('#').next().unwrap_or("").trim();
        if path.is_empty() {
            return Target::Anchor;
        }
        let page_dir = page.path.rsplit_once('/').map_or("", |(d, _)| d);
        let mut candidates = Vec::new();
        if !path.starts_with('/') {
            candidates
                .push(join_url(&format!("/{page_dir}/"), path).trim_start_matches('/').to_string());
        }
        candidates.extend(self.mounts.content_files(path));
        for joined in &candidates {
            let joined = joined.trim_end_matches('/');
            for suffix in ["", ".md", "/_index.md", "/index.md"] {
                if let Some(t) = self.local_file_or_page(&format!("{joined}{suffix}")) {
                    return t;
                }
            }
        }
        let expected = format!("{}/{}", self.mounts.first_content(), path.trim_start_matches('/'));
        Target::Missing { near_match: self.near_match(&expected), expected }
    }

    fn problem_for(&self, page: &Page, r: &Reference) -> Option<Problem> {
        let (code, message) = match &r.target {
            Target::Missing { expected, near_match } => {
                let what = if is_file_like(expected) { "missing-file" } else { "missing-page" };
                let mut msg = if what == "missing-file" {
                    format!("`{}` matches no file of the site (expected at {expected})", r.raw)
                } else {
                    format!("`{}` matches no page or file of the site", r.raw)
                };
                match near_match {
                    Some(m) => msg.push_str(&format!("; `{m}` differs only by case or Unicode normalisation: fix the link or rename the file")),
                    None => msg.push_str(": fix the link or add the file"),
                }
                (what, msg)
            }
            Target::InvalidVideo { provider } => (
                "invalid-video",
                format!(
                    "{provider} reference `{}` has no valid video ID: give the ID as the first parameter",
                    r.raw
                ),
            ),
            _ => return None,
        };
        // A site with a link render hook may give bare words a meaning (Hugo's docs turn
        // `[term](g)` into glossary links): such targets are noted, not flagged.
        let hooked = self.link_hook
            && code == "missing-page"
            && matches!(r.source, RefSource::Link | RefSource::LinkDefinition)
            && !r.raw.contains('/');
        if hooked {
            let message = format!("{message} (the site's link render hook may resolve it)");
            return Some(problem(
                code,
                Severity::Info,
                &page.path,
                r.span.line,
                r.span.column,
                message,
            ));
        }
        Some(problem(code, Severity::Warning, &page.path, r.span.line, r.span.column, message))
    }
}

/// The references of a body, at most [`refs::MAX_REFS`]: past them, extraction stops with
/// one problem, at the first reference left out, in `problems`.
fn extract_refs(
    page: &Page,
    body: &str,
    masked: &[Range<usize>],
    span: &impl Fn(Range<usize>) -> Span,
    problems: &mut Vec<Problem>,
) -> Vec<RawRef> {
    let found = refs::extract_at_most(body, masked, refs::MAX_REFS);
    if let Some(at) = found.cut {
        let s = span(at..at);
        problems.push(problem(
            "too-many-references",
            Severity::Warning,
            &page.path,
            s.line,
            s.column,
            format!(
                "more than {} references in this page: from here on they are not read (not \
                 listed, resolved or checked; the page is stored as written); split the page",
                refs::MAX_REFS
            ),
        ));
    }
    found.refs
}

/// The URL scheme of `t` (`https`, `mailto`), lower-cased, if it has one.
fn scheme_of(t: &str) -> Option<String> {
    let (scheme, _) = t.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && scheme.len() > 1)
        .then(|| scheme.to_ascii_lowercase())
}

/// Builds the site-wide lists of videos and documents from the pages' references.
pub fn collect_videos_and_documents(model: &mut Model) {
    let mut videos: BTreeMap<String, Video> = BTreeMap::new();
    let mut documents: BTreeMap<String, Document> = BTreeMap::new();
    for page in &model.pages {
        for r in &page.references {
            match &r.target {
                Target::Video { key } => {
                    let v = videos.entry(key.clone()).or_insert_with(|| {
                        // The raw URL keeps what the key drops (a Vimeo unlisted hash).
                        let id = video::parse_video_url(&r.raw).or_else(|| video_id_from_key(key));
                        Video {
                            key: key.clone(),
                            provider: id.as_ref().map_or("", |v| v.provider.name()).into(),
                            kind: id
                                .as_ref()
                                .map_or("video", |v| match v.kind {
                                    video::VideoKind::Video => "video",
                                    video::VideoKind::Playlist => "playlist",
                                })
                                .into(),
                            id: id.as_ref().map_or(String::new(), |v| v.id.clone()),
                            url: id.as_ref().map_or(String::new(), VideoId::canonical_url),
                            embed_url: id.as_ref().map_or(String::new(), VideoId::embed_url),
                            title: None,
                            pages: Vec::new(),
                            oembed: None,
                        }
                    });
                    if v.title.is_none() {
                        v.title = r.text.clone();
                    }
                    if v.pages.last() != Some(&page.path) {
                        v.pages.push(page.path.clone());
                    }
                }
                target if r.document => {
                    let (key, local, missing) = match target {
                        Target::File { path } | Target::Page { path } => {
                            (path.clone(), true, false)
                        }
                        Target::Missing { expected, .. } => (expected.clone(), true, true),
                        Target::Remote { url } => (url.clone(), false, false),
                        _ => continue,
                    };
                    let d = documents.entry(key.clone()).or_insert_with(|| Document {
                        media_type: media_type(target_path(&key)).into(),
                        target: key,
                        local,
                        missing,
                        pages: Vec::new(),
                        fetch: None,
                    });
                    if d.pages.last() != Some(&page.path) {
                        d.pages.push(page.path.clone());
                    }
                }
                _ => {}
            }
        }
    }
    model.videos = videos.into_values().collect();
    model.documents = documents.into_values().collect();
}

/// Rebuilds a [`VideoId`] from its key (`provider:id`, `provider:playlist:id`).
fn video_id_from_key(key: &str) -> Option<VideoId> {
    let mut parts = key.split(':');
    let provider = match parts.next()? {
        "dailymotion" => Provider::Dailymotion,
        "youtube" => Provider::YouTube,
        "vimeo" => Provider::Vimeo,
        _ => return None,
    };
    let (kind, id) = match (parts.next()?, parts.next()) {
        ("playlist", Some(id)) => (video::VideoKind::Playlist, id),
        (id, _) => (video::VideoKind::Video, id),
    };
    let hash = parts.next().map(str::to_string);
    Some(VideoId { provider, kind, id: id.to_string(), hash })
}
