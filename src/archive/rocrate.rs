//! The RO-Crate 1.2 description of an archive (`data/ro-crate-metadata.json`): the site as
//! the root dataset, every file with its size, format and SHA-256, pages with their front
//! matter mapped to schema.org, what each page references, and videos as contextual
//! `VideoObject` entities.

use crate::model::{FileEntry, Model, Page, Retrieval, Target};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The RO-Crate 1.2 context; it defines `sha256`.
pub const CONTEXT: &str = "https://w3id.org/ro/crate/1.2/context";
/// The RO-Crate 1.2 specification, which the metadata descriptor conforms to.
pub const SPEC: &str = "https://w3id.org/ro/crate/1.2";
/// Identifier of the JSON Schema of `carton.json`.
pub const CARTON_SCHEMA_ID: &str = "urn:carton:schema:carton.json:1.2";

/// Everything but unreserved characters and `/` is percent-encoded in `@id` paths.
const PATH: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'/').remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The `@id` of a payload file, relative to the crate root (`data/`).
pub fn file_id(path_in_data: &str) -> String {
    utf8_percent_encode(path_in_data, PATH).to_string()
}

/// Front matter keys mapped to schema.org properties; the rest is kept by name as
/// `PropertyValue` entities.
const MAPPED: &[(&str, &str)] = &[
    ("title", "name"),
    ("description", "description"),
    ("date", "datePublished"),
    ("lastmod", "dateModified"),
    ("keywords", "keywords"),
    ("author", "author"),
    ("summary", "abstract"),
];

/// Builds the crate. `root` is the folder of the site inside the crate root (`site` in an
/// archive's `data/`, empty in a snapshot version); `date` is the bagging date; `extra_files`
/// are files outside the site (`carton.json`, `carton.schema.json`, possibly in a folder).
pub fn build(model: &Model, root: &str, date: &str, extra_files: &[FileEntry]) -> Value {
    let mut graph: Vec<Value> = Vec::new();
    let site_id = |p: &str| {
        if root.is_empty() { file_id(p) } else { file_id(&format!("{root}/{p}")) }
    };
    graph.push(json!({
        "@id": "ro-crate-metadata.json",
        "@type": "CreativeWork",
        "conformsTo": {"@id": SPEC},
        "about": {"@id": "./"}
    }));

    let mut has_part: Vec<Value> =
        extra_files.iter().map(|f| json!({"@id": file_id(&f.path)})).collect();
    has_part.extend(model.files.iter().map(|f| json!({"@id": site_id(&f.path)})));
    let fetched = fetched_files(model);
    has_part.extend(fetched.keys().map(|p| json!({"@id": file_id(p)})));
    let title = model.site.title.clone().unwrap_or_else(|| "Untitled site".into());
    let mut extra_entities: Vec<Value> = Vec::new();
    let mut root_entity = json!({
        "@id": "./",
        "@type": "Dataset",
        "name": title,
        "description": format!(
            "Archive of the {} site \u{ab}{}\u{bb}: {} pages, {} files, {} videos, {} documents, made by carton.",
            model.site.generator, title, model.pages.len(), model.files.len(), model.videos.len(), model.documents.len()
        ),
        "datePublished": date,
        "hasPart": has_part,
    });
    let license_file = model.files.iter().find(|f| {
        let name = f.path.to_ascii_lowercase();
        let stem = name.split('.').next().unwrap_or("");
        !name.contains('/') && matches!(stem, "license" | "licence" | "copying" | "unlicense")
    });
    // RO-Crate requires a licence on the root. When the site states none, say so plainly
    // rather than invent one.
    let copyright = model
        .site
        .config
        .as_object()
        .and_then(|c| c.iter().find(|(k, _)| k.eq_ignore_ascii_case("copyright")))
        .and_then(|(_, v)| v.as_str());
    match license_file {
        Some(lic) => root_entity["license"] = json!({"@id": site_id(&lic.path)}),
        None => {
            root_entity["license"] = json!({"@id": "#license"});
            let mut description =
                "The site states no licence in a LICENSE file: rights stay with their holders."
                    .to_string();
            if let Some(c) = copyright {
                description
                    .push_str(&format!(" Copyright notice in the site's configuration: {c}"));
            }
            extra_entities.push(json!({
                "@id": "#license",
                "@type": "CreativeWork",
                "name": "No licence stated",
                "description": description,
            }));
        }
    }
    if !model.site.base_url.is_empty() {
        root_entity["url"] = json!(model.site.base_url);
    }
    if let Some(lang) = &model.site.language {
        root_entity["inLanguage"] = json!(lang);
    }
    graph.push(root_entity);
    graph.extend(extra_entities);

    for f in extra_files {
        let (dir, name) = match f.path.rsplit_once('/') {
            Some((dir, name)) => (format!("{dir}/"), name),
            None => (String::new(), f.path.as_str()),
        };
        let mut e = file_entity(&file_id(&f.path), f, name);
        match name {
            "carton.json" => {
                e["conformsTo"] = json!({"@id": file_id(&format!("{dir}carton.schema.json"))});
                e["description"] = json!(
                    "carton's content model of the site (pages, files, references, videos, problems)."
                );
            }
            "carton.schema.json" => {
                e["identifier"] = json!(CARTON_SCHEMA_ID);
                e["description"] = json!("JSON Schema (draft 2020-12) of carton.json.");
            }
            _ => {}
        }
        graph.push(e);
    }

    let pages: BTreeMap<&str, &Page> = model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut remote_docs: BTreeSet<String> = BTreeSet::new();
    let mut properties = Vec::new();
    for f in &model.files {
        let id = site_id(&f.path);
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        let mut e = file_entity(&id, f, name);
        if let Some(page) = pages.get(f.path.as_str()) {
            page_properties(&mut e, page, &id, &site_id, model, &mut remote_docs, &mut properties);
        }
        graph.push(e);
    }
    graph.extend(properties);
    for (path, (rec, encodes)) in &fetched {
        let name = path.rsplit('/').next().unwrap_or(path);
        let mut e = json!({
            "@id": file_id(path),
            "@type": "File",
            "name": name,
            "contentSize": rec.size.unwrap_or(0).to_string(),
            "encodingFormat": rec.media_type.clone().unwrap_or_else(|| "application/octet-stream".into()),
            "sha256": rec.sha256.clone().unwrap_or_default(),
            "url": rec.final_url.clone().unwrap_or_else(|| rec.url.clone()),
            "sdDatePublished": rec.retrieved,
            "description": provenance(rec),
        });
        if let Some(modified) = rec.last_modified.as_deref().and_then(http_date_to_iso) {
            e["dateModified"] = json!(modified);
        }
        if let Some(work) = encodes {
            e["encodesCreativeWork"] = json!({"@id": work});
        }
        graph.push(e);
    }
    if let Some(run) = &model.fetch {
        graph.push(json!({
            "@id": "#fetch",
            "@type": "CreateAction",
            "name": format!("Fetch of the site's remote {}", run.kinds.join(" and ")),
            "description": format!(
                "By {}: {} documents stored, {} failed ({} unchanged since a cached copy); {} other links checked, {} failed; {} videos described, {} unavailable; {} requests as `{}`.",
                model.generator,
                run.documents_stored, run.documents_failed, run.not_modified, run.links_checked, run.links_failed,
                run.videos_described, run.videos_unavailable, run.requests, run.user_agent
            ),
            "startTime": run.started,
            "endTime": run.finished,
            "result": fetched.keys().map(|p| json!({"@id": file_id(p)})).collect::<Vec<_>>(),
        }));
    }
    let stored_docs: BTreeMap<&str, &str> = model
        .documents
        .iter()
        .filter_map(|d| Some((d.target.as_str(), d.fetch.as_ref()?.path.as_deref()?)))
        .collect();
    for v in &model.videos {
        let mut e = json!({
            "@id": v.url,
            "@type": "VideoObject",
            "name": v.title.clone().unwrap_or_else(|| format!("{} video {}", v.provider, v.id)),
            "url": v.url,
            "embedUrl": v.embed_url,
            "identifier": v.key,
        });
        if v.kind == "playlist" {
            e["description"] = json!(format!("{} playlist {}", v.provider, v.id));
        }
        if let Some(o) = &v.oembed {
            if v.title.is_none()
                && let Some(t) = &o.title
            {
                e["name"] = json!(t);
            }
            if let Some(d) = o.duration {
                e["duration"] = json!(format!("PT{}S", d.round() as u64));
            }
            if let Some(p) = o.thumbnail.as_ref().and_then(|t| t.path.as_deref()) {
                e["thumbnail"] = json!({"@id": file_id(p)});
            }
            if o.unavailable {
                e["description"] = json!(format!(
                    "No longer available: the provider's oEmbed endpoint answered {} on {}.",
                    o.request.reason.as_deref().unwrap_or("an error"),
                    o.request.retrieved
                ));
            }
        }
        graph.push(e);
    }
    for url in remote_docs {
        let mut e = json!({
            "@id": url,
            "@type": "CreativeWork",
            "name": url.rsplit('/').next().filter(|s| !s.is_empty()).unwrap_or(&url),
            "url": url,
            "encodingFormat": crate::source::media_type(url.split(['?', '#']).next().unwrap_or(&url)),
        });
        if let Some(path) = stored_docs.get(url.as_str()) {
            e["encoding"] = json!({"@id": file_id(path)});
        } else if let Some(rec) =
            model.documents.iter().find(|d| d.target == url).and_then(|d| d.fetch.as_ref())
        {
            e["description"] = json!(format!(
                "Not archived: {} ({}).",
                rec.reason.as_deref().unwrap_or("it could not be fetched"),
                rec.retrieved
            ));
        }
        graph.push(e);
    }
    json!({"@context": CONTEXT, "@graph": graph})
}

/// Every fetched copy in the bag (path relative to `data/`), with the retrieval that brought
/// it and, for documents, the URL entity it is a copy of. Each path once.
fn fetched_files(model: &Model) -> BTreeMap<String, (Retrieval, Option<String>)> {
    let mut out = BTreeMap::new();
    for d in &model.documents {
        if let Some(rec) = &d.fetch
            && let Some(p) = &rec.path
        {
            out.entry(p.clone()).or_insert_with(|| (rec.clone(), Some(d.target.clone())));
        }
    }
    for v in &model.videos {
        if let Some(rec) = v.oembed.as_ref().and_then(|o| o.thumbnail.as_ref())
            && let Some(p) = &rec.path
        {
            out.entry(p.clone()).or_insert_with(|| (rec.clone(), None));
        }
    }
    out
}

/// Where and when a copy came from, in words.
fn provenance(rec: &Retrieval) -> String {
    let mut s = format!("Copy of <{}>", rec.url);
    if let Some(f) = rec.final_url.as_deref().filter(|f| *f != rec.url) {
        s.push_str(&format!(", answered at <{f}>"));
    }
    s.push_str(&format!(", downloaded {}", rec.retrieved));
    if let Some(r) = &rec.revalidated {
        s.push_str(&format!(", confirmed unchanged {r}"));
    }
    if let Some(etag) = &rec.etag {
        s.push_str(&format!(", ETag {etag}"));
    }
    s.push('.');
    s
}

/// An HTTP date (`Last-Modified`) as ISO 8601, for schema.org.
fn http_date_to_iso(value: &str) -> Option<String> {
    let t = httpdate::parse_http_date(value).ok()?;
    let secs = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    let dt = time::OffsetDateTime::from_unix_timestamp(secs as i64).ok()?;
    dt.format(&time::format_description::well_known::Rfc3339).ok()
}

/// Sets the size and SHA-256 of the file entity `id`: lets the crate be built while that
/// file (carton.json) is still being serialised.
pub fn set_file_digest(ro_crate: &mut Value, id: &str, size: u64, sha256: &str) {
    let Some(graph) = ro_crate.get_mut("@graph").and_then(Value::as_array_mut) else { return };
    if let Some(e) = graph.iter_mut().find(|e| e["@id"] == id) {
        e["contentSize"] = json!(size.to_string());
        e["sha256"] = json!(sha256);
    }
}

fn file_entity(id: &str, f: &FileEntry, name: &str) -> Value {
    json!({
        "@id": id,
        "@type": "File",
        "name": name,
        "contentSize": f.size.to_string(),
        "encodingFormat": f.media_type,
        "sha256": f.sha256,
    })
}

fn page_properties(
    e: &mut Value,
    page: &Page,
    id: &str,
    site_id: &dyn Fn(&str) -> String,
    model: &Model,
    remote_docs: &mut BTreeSet<String>,
    properties: &mut Vec<Value>,
) {
    e["@type"] = json!(["File", "WebPage"]);
    let base = model.site.base_url.trim_end_matches('/');
    e["url"] = json!(format!("{base}{}", page.url));
    if let Some(fields) = page.front_matter.as_ref().and_then(|f| f.fields.as_object()) {
        let mut extra: Vec<(&String, &Value)> = Vec::new();
        for (k, v) in fields {
            match MAPPED.iter().find(|(fm, _)| fm == k) {
                Some((_, prop)) if v.is_string() || (v.is_array() && *prop == "keywords") => {
                    e[*prop] = v.clone();
                }
                _ => extra.push((k, v)),
            }
        }
        let mut refs = Vec::new();
        for (k, v) in extra {
            let pid = format!("{id}#{}", file_id(k));
            properties.push(json!({
                "@id": pid,
                "@type": "PropertyValue",
                "name": k,
                "value": match v {
                    Value::String(s) => Value::String(s.clone()),
                    other => Value::String(other.to_string()),
                },
            }));
            refs.push(json!({"@id": pid}));
        }
        if !refs.is_empty() {
            e["additionalProperty"] = Value::Array(refs);
        }
    }
    if !page.taxonomies.is_empty() {
        let terms: Vec<&String> = page.taxonomies.values().flatten().collect();
        e["keywords"] = json!(terms);
    }
    let mut mentions: BTreeSet<String> = BTreeSet::new();
    for r in &page.references {
        match &r.target {
            Target::File { path } | Target::Page { path } => {
                mentions.insert(site_id(path));
            }
            Target::Video { key } => {
                if let Some(v) = model.videos.iter().find(|v| &v.key == key) {
                    mentions.insert(v.url.clone());
                }
            }
            Target::Remote { url } if r.document => {
                remote_docs.insert(url.clone());
                mentions.insert(url.clone());
            }
            _ => {}
        }
    }
    let about: BTreeSet<String> =
        page.relations.iter().filter_map(|r| r.page.as_deref()).map(site_id).collect();
    mentions.retain(|m| m != id);
    if !mentions.is_empty() {
        e["mentions"] = Value::Array(mentions.into_iter().map(|m| json!({"@id": m})).collect());
    }
    if !about.is_empty() {
        e["about"] = Value::Array(about.into_iter().map(|m| json!({"@id": m})).collect());
    }
}
