//! `carton inspect ARCHIVE`: what an archive holds, read from its carton.json.

use crate::cli::args::InspectArgs;
use crate::cli::exit::Exit;
use crate::cli::output::{Out, human_bytes, sanitize};
use anyhow::{Context, bail};
use carton::archive::Archive;
use carton::model::{FileRole, Model, Severity};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Inspection<'a> {
    archive: String,
    bag_info: BTreeMap<String, Vec<String>>,
    site: &'a carton::model::SiteInfo,
    pages_by_section: BTreeMap<String, usize>,
    files_by_role: BTreeMap<String, (usize, u64)>,
    documents: &'a [carton::model::Document],
    videos: &'a [carton::model::Video],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [carton::model::RemoteLink],
    #[serde(skip_serializing_if = "Option::is_none")]
    fetch: Option<&'a carton::model::FetchRun>,
    problems: &'a [carton::model::Problem],
    summary: &'a carton::model::Summary,
}

pub fn run(args: &InspectArgs, out: &Out) -> anyhow::Result<Exit> {
    let mut archive = Archive::open(&args.archive)?;
    let bytes = archive.read("data/carton.json", 1 << 30).with_context(|| {
        format!("{} holds no readable data/carton.json", args.archive.display())
    })?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).context("data/carton.json is not valid JSON")?;
    let version = value.get("format_version").and_then(|v| v.as_str()).unwrap_or("");
    if version.split('.').next() != Some("1") {
        bail!(
            "data/carton.json has format version `{version}`; this carton reads 1.x: use a carton that matches it"
        );
    }
    let model: Model = serde_json::from_value(value)
        .context("data/carton.json does not match the content model")?;
    let bag_info = archive
        .read("bag-info.txt", 1 << 20)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .map(|t| {
            let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
            for line in t.lines() {
                if let Some((k, v)) = line.split_once(':') {
                    map.entry(k.trim().to_string()).or_default().push(v.trim().to_string());
                }
            }
            map
        })
        .unwrap_or_default();

    let mut pages_by_section = BTreeMap::new();
    for p in &model.pages {
        let key = if p.section.is_empty() { "(root)".to_string() } else { p.section.clone() };
        *pages_by_section.entry(key).or_insert(0usize) += 1;
    }
    let mut files_by_role: BTreeMap<String, (usize, u64)> = BTreeMap::new();
    for f in &model.files {
        let role = match f.role {
            FileRole::Page => "page",
            FileRole::Resource => "resource",
            FileRole::Static => "static",
            FileRole::Config => "config",
            FileRole::Other => "other",
        };
        let e = files_by_role.entry(role.into()).or_default();
        e.0 += 1;
        e.1 += f.size;
    }
    if out.json {
        out.json_doc(
            "inspect",
            &Inspection {
                archive: args.archive.display().to_string(),
                bag_info,
                site: &model.site,
                pages_by_section,
                files_by_role,
                documents: &model.documents,
                videos: &model.videos,
                links: &model.links,
                fetch: model.fetch.as_ref(),
                problems: &model.problems,
                summary: &model.summary,
            },
        )?;
        return Ok(Exit::Ok);
    }
    let site = &model.site;
    out.line(format!(
        "{} {} ({} site{}), exported by {}",
        out.bold("site"),
        sanitize(site.title.as_deref().unwrap_or("(untitled)")),
        site.generator,
        if site.base_url.is_empty() {
            String::new()
        } else {
            format!(", {}", sanitize(&site.base_url))
        },
        model.generator
    ));
    if let Some(id) = bag_info.get("External-Identifier").and_then(|v| v.first()) {
        out.line(format!(
            "  identifier {id}, bagged {}",
            bag_info.get("Bagging-Date").and_then(|v| v.first()).map_or("?", String::as_str)
        ));
    }
    out.line(format!("{} {}", out.bold("pages"), model.pages.len()));
    for (s, n) in &pages_by_section {
        out.detail(format!("  {:<24} {n}", sanitize(s)));
    }
    out.line(format!(
        "{} {} ({})",
        out.bold("files"),
        model.files.len(),
        human_bytes(model.summary.bytes)
    ));
    for (role, (n, bytes)) in &files_by_role {
        out.detail(format!("  {role:<24} {n} ({})", human_bytes(*bytes)));
    }
    for s in &model.summary.skipped {
        out.detail(format!("  left out: {} ({})", sanitize(&s.path), sanitize(&s.reason)));
    }
    let local = model.documents.iter().filter(|d| d.local).count();
    out.line(format!(
        "{} {} ({local} local, {} remote)",
        out.bold("documents"),
        model.documents.len(),
        model.documents.len() - local
    ));
    for d in &model.documents {
        let state = match (&d.fetch, d.missing, d.local) {
            (_, true, _) => " MISSING".to_string(),
            (_, _, true) => String::new(),
            (Some(r), _, _) => match (&r.path, &r.reason) {
                (Some(p), _) => format!(" remote, archived at data/{p}"),
                (None, Some(why)) => format!(" remote, NOT ARCHIVED: {}", sanitize(why)),
                (None, None) => " remote, not archived".into(),
            },
            (None, _, _) => " remote".into(),
        };
        out.detail(format!("  {}{state} ({} page(s))", sanitize(&d.target), d.pages.len()));
    }
    out.line(format!("{} {}", out.bold("videos"), model.videos.len()));
    for v in &model.videos {
        out.detail(format!(
            "  {} {}{}",
            v.key,
            v.url,
            v.title.as_deref().map(|t| format!(" \u{ab}{}\u{bb}", sanitize(t))).unwrap_or_default()
        ));
    }
    if let Some(run) = &model.fetch {
        let dead = model.failed_retrievals();
        out.line(format!(
            "{} {} ({}): {} documents archived, {} failed; {} other links checked; {} videos described; {} dead link(s)",
            out.bold("fetched"),
            run.started,
            run.kinds.join(", "),
            run.documents_stored,
            run.documents_failed,
            run.links_checked,
            run.videos_described,
            dead.len()
        ));
        for (what, r) in dead {
            out.detail(format!(
                "  dead {what} {} [{}] {}",
                sanitize(&r.url),
                r.error.as_deref().unwrap_or(""),
                sanitize(r.reason.as_deref().unwrap_or(""))
            ));
        }
    }
    let mut by_code: BTreeMap<(&Severity, &str), usize> = BTreeMap::new();
    for p in &model.problems {
        *by_code.entry((&p.severity, p.code.as_str())).or_default() += 1;
    }
    out.line(format!("{} {}", out.bold("problems"), model.problems.len()));
    for ((sev, code), n) in &by_code {
        out.detail(format!("  {:<8} {code:<22} {n}", format!("{sev:?}").to_lowercase()));
    }
    for p in &model.problems {
        if p.severity == Severity::Info && out.verbose == 0 {
            continue;
        }
        let place =
            if p.line > 0 { format!("{}:{}:{}", p.path, p.line, p.column) } else { p.path.clone() };
        out.detail(format!("  {}: [{}] {}", sanitize(&place), p.code, sanitize(&p.message)));
    }
    Ok(Exit::Ok)
}
