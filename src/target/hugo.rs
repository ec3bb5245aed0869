//! A site into its own generator: Hugo to Hugo, Jekyll to Jekyll. With no mapping, or one
//! without rules, the archive's site is given back byte for byte. With rules, only the spans
//! they touch change: front matter keys and values (edited in place, so key order, quoting
//! and comments stay), shortcode calls and Liquid tags with a rule, and links whose target
//! moved.

use super::body::{self, Flavour};
use super::report::{Action, Note};
use super::urls::{self, SiteUrls};
use super::{Content, ImportOptions, OutFile, Plan, SiteFiles, copy, generated};
use crate::error::Result;
use crate::mapping::Mapping;
use crate::model::{FileRole, FrontMatterFormat, Model, Page};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashMap};

fn has_rules(m: &Mapping) -> bool {
    let f = &m.fields;
    let none = f.drop.is_empty()
        && f.rename.is_empty()
        && f.values.is_empty()
        && f.defaults.is_empty()
        && f.dates.is_empty()
        && m.shortcodes.is_empty()
        && m.paths.is_empty()
        && m.files.is_empty();
    !none
}

pub(super) fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    let mut plan = Plan::new(&model.site.generator, opts.mapping.as_ref(), model);
    // Links to localize need the rewriting path even without rules.
    let empty;
    let mapping = match &opts.mapping {
        Some(m) if has_rules(m) => m,
        Some(m) if opts.localize_remote => m,
        None if opts.localize_remote => {
            let g = &model.site.generator;
            let text = format!("carton-mapping: 1\nfrom: {g}\nto: {g}\n");
            empty = Mapping::parse(&text, std::path::Path::new("(no mapping)"))?;
            &empty
        }
        // The identity: the source tree, byte for byte.
        _ => {
            for f in &model.files {
                copy(&mut plan, &f.path, &f.path);
            }
            return Ok(plan);
        }
    };
    let moved = |p: &str| mapping.apply_paths(p);
    let urls = SiteUrls::new(model);
    // New URL of a site path: a static file that a path rule moves changes URL with it.
    let mut new_url: HashMap<String, String> = HashMap::new();
    for f in &model.files {
        let out = moved(&f.path);
        let url = if out != f.path && f.role == FileRole::Static {
            urls::static_url(model, &out)
        } else {
            urls.of(&f.path).map(str::to_string)
        };
        if let Some(u) = url {
            new_url.insert(f.path.clone(), u);
        }
    }
    // Into its own generator: Jekyll publishes the site root as is, Hugo its static folder.
    let published = match model.site.generator.as_str() {
        "jekyll" => String::new(),
        _ => format!("{}/", model.site.static_dirs.first().map_or("static", String::as_str)),
    };
    super::localize_remote(model, opts, &published, &mut plan, &mut new_url);
    let pages: HashMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    for f in &model.files {
        let out = moved(&f.path);
        let Some(page) = pages.get(f.path.as_str()) else {
            copy(&mut plan, &f.path, &out);
            continue;
        };
        if !page.text.utf8 {
            plan.files.push(OutFile { path: out.clone(), content: Content::Copy(f.path.clone()) });
            plan.report.file(
                &f.path,
                Action::Raw,
                Some(&out),
                Some("not UTF-8 text: copied as is, no rule applied".into()),
            );
            continue;
        }
        let bytes = files.read(&f.path)?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let converted = convert_page(model, page, &text, mapping, &new_url, &mut plan.report);
        if converted == text {
            copy(&mut plan, &f.path, &out);
        } else {
            plan.files.push(OutFile {
                path: out.clone(),
                content: Content::Bytes(converted.into_bytes()),
            });
            plan.report.file(&f.path, Action::Converted, Some(&out), None);
        }
    }
    for (path, text) in &mapping.files {
        if plan.files.iter().any(|f| f.path == *path) {
            plan.report.notes.push(Note {
                path: path.clone(),
                line: 0,
                subject: "file".into(),
                message: "the site has its own; the mapping's was not written".into(),
            });
            continue;
        }
        generated(&mut plan, path, text.clone().into_bytes(), "file given by the mapping");
    }
    // A Jekyll site keeps its own layouts (Jekyll builds without them, warning).
    if opts.layouts && model.site.generator == "hugo" {
        layouts(model, &mut plan);
    }
    Ok(plan)
}

fn convert_page(
    model: &Model,
    page: &Page,
    text: &str,
    mapping: &Mapping,
    new_url: &HashMap<String, String>,
    report: &mut super::report::Report,
) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let body_start = page.body.start.min(text.len());
    match &page.front_matter {
        Some(fm) if fm.fields.is_object() => {
            let block = &text[fm.span.range()];
            let head = &text[..fm.span.start];
            out.push_str(head);
            let fields = fm.fields.as_object().cloned().unwrap_or_default();
            let mut notes = super::fields::FieldNotes::default();
            super::fields::apply(&fields, Some(&mapping.fields), &page.path, &mut notes);
            for mut n in notes.dropped {
                n.line = fm.span.line;
                report.fields_dropped.push(n);
            }
            for mut n in notes.kept {
                n.line = fm.span.line;
                report.notes.push(n);
            }
            out.push_str(&edit_front_matter(block, fm.format, &fields, mapping, page, report));
            out.push_str(&text[fm.span.end..body_start]);
        }
        _ => out.push_str(&text[..body_start]),
    }
    let ctx = body::Ctx {
        rules: Some(&mapping.shortcodes),
        flavour: Flavour::Same,
        new_url,
        base_url: &model.site.base_url,
        videos: &model.videos,
    };
    let b = body::rewrite(text, body_start..text.len(), page, &ctx);
    report.not_converted.extend(b.not_converted);
    super::unresolved(page, report);
    out.push_str(&b.text);
    out
}

/// The front matter block with the rules applied in place, or written afresh in the same
/// syntax when it cannot be edited in place.
fn edit_front_matter(
    block: &str,
    format: FrontMatterFormat,
    fields: &Map<String, Value>,
    mapping: &Mapping,
    page: &Page,
    report: &mut super::report::Report,
) -> String {
    if format != FrontMatterFormat::Json {
        let inner_start = block.find('\n').map_or(block.len(), |i| i + 1);
        let trimmed = block.trim_end_matches(['\n', '\r']);
        let inner_end = trimmed.rfind('\n').map_or(inner_start, |i| i + 1).max(inner_start);
        let inner = &block[inner_start..inner_end];
        if let Some(edited) = super::fields::edit_in_place(inner, format, fields, &mapping.fields) {
            return format!("{}{edited}{}", &block[..inner_start], &block[inner_end..]);
        }
    }
    // What the rules left out or could not convert is reported by the caller.
    let mapped = super::fields::apply(
        fields,
        Some(&mapping.fields),
        &page.path,
        &mut super::fields::FieldNotes::default(),
    );
    let v = Value::Object(mapped);
    let written = match format {
        FrontMatterFormat::Yaml => {
            serde_yaml::to_string(&v).map(|t| format!("---\n{t}---\n")).map_err(|e| e.to_string())
        }
        FrontMatterFormat::Toml => {
            toml::to_string(&v).map(|t| format!("+++\n{t}+++\n")).map_err(|e| e.to_string())
        }
        FrontMatterFormat::Json => {
            serde_json::to_string_pretty(&v).map(|t| format!("{t}\n")).map_err(|e| e.to_string())
        }
    };
    let line = page.front_matter.as_ref().map_or(1, |f| f.span.line);
    match written {
        Ok(s) => {
            report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: "front matter".into(),
                message: "written afresh (its text could not be edited in place): same fields, formatting may differ".into(),
            });
            if block.contains("\r\n") { s.replace('\n', "\r\n") } else { s }
        }
        // Nothing is lost: the block stays as written, and the report says the rules were not applied.
        Err(e) => {
            report.notes.push(Note {
                path: page.path.clone(),
                line,
                subject: "front matter".into(),
                message: format!("kept as written, the mapping's field rules NOT applied: it can be neither edited in place nor written afresh ({e})"),
            });
            block.to_string()
        }
    }
}

/// Minimal layouts when the site has none (its templates were not part of it, or it used a
/// theme that is not in the archive): a page, a list, and a template for every shortcode the
/// pages call that has none (Hugo refuses to build without one).
pub(super) fn layouts(model: &Model, plan: &mut Plan) {
    let has = |prefix: &str| model.files.iter().any(|f| f.path.starts_with(prefix));
    let output_has = |plan: &Plan, p: &str| plan.files.iter().any(|f| f.path == p);
    if !has("layouts/") && !has("themes/") {
        generated(
            plan,
            "layouts/_default/baseof.html",
            // The language is written in, not read through a site variable: the variable
            // changed name in Hugo 0.158 and one layout must build with old and new Hugo.
            BASEOF
                .replace(
                    "{lang}",
                    &crate::mapping::Filter::Html
                        .apply(model.site.language.as_deref().unwrap_or("en")),
                )
                .into_bytes(),
            "minimal layout: page skeleton",
        );
        generated(
            plan,
            "layouts/_default/single.html",
            SINGLE.as_bytes().to_vec(),
            "minimal layout: a page",
        );
        generated(
            plan,
            "layouts/_default/list.html",
            LIST.as_bytes().to_vec(),
            "minimal layout: a list page",
        );
    }
    let embedded = [
        "youtube",
        "vimeo",
        "figure",
        "highlight",
        "ref",
        "relref",
        "param",
        "details",
        "qr",
        "x",
        "instagram",
        "comment",
        "vimeo_simple",
        "x_simple",
        "instagram_simple",
    ];
    let mut names: BTreeSet<&str> = BTreeSet::new();
    for p in &model.pages {
        // Hugo calls only: a Jekyll site's Liquid is converted, or carried as text.
        for c in p.shortcodes.iter().filter(|c| c.notation == "<" || c.notation == "%") {
            names.insert(c.name.as_str());
        }
    }
    for name in names {
        if embedded.contains(&name) {
            continue;
        }
        let legacy = format!("layouts/shortcodes/{name}.html");
        let current = format!("layouts/_shortcodes/{name}.html");
        if has(&legacy) || has(&current) || output_has(plan, &legacy) || output_has(plan, &current)
        {
            continue;
        }
        generated(
            plan,
            &legacy,
            PLACEHOLDER.as_bytes().to_vec(),
            "placeholder template for a shortcode the site calls but does not define: renders its inner content",
        );
        plan.report.notes.push(Note {
            path: legacy.clone(),
            line: 0,
            subject: name.to_string(),
            message: "the site calls this shortcode but has no template for it: carton wrote a placeholder that renders only the inner content".into(),
        });
    }
}

const BASEOF: &str = "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n<body>\n<main>\n{{ block \"main\" . }}{{ end }}\n</main>\n</body>\n</html>\n";
const SINGLE: &str = "{{ define \"main\" }}\n<h1>{{ .Title }}</h1>\n{{ .Content }}\n{{ end }}\n";
const LIST: &str = "{{ define \"main\" }}\n<h1>{{ .Title }}</h1>\n{{ .Content }}\n<ul>\n{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>\n{{ end }}</ul>\n{{ end }}\n";
const PLACEHOLDER: &str = "{{ with .Inner }}{{ . }}{{ end }}";
