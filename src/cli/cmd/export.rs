//! `carton export SITE -o OUT`: read a site, write its archive, print a summary.

use crate::cli::args::{ExportArgs, FormatArg, StoreSite};
use crate::cli::cmd::snapshot::{latest_version, open_site};
use crate::cli::exit::Exit;
use crate::cli::output::{Out, human_bytes, sanitize};
use crate::cli::progress::Progress;
use anyhow::Context;
use carton::archive::{self, Format, WriteOptions};
use carton::model::{Model, Severity, Target};
use carton::source::{self, ReadOptions};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;

#[derive(Serialize)]
struct Report<'a> {
    output: String,
    identifier: &'a str,
    payload_files: u64,
    payload_bytes: u64,
    output_bytes: u64,
    summary: &'a carton::model::Summary,
    counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    fetch: Option<FetchReport<'a>>,
    problems: &'a [carton::model::Problem],
}

#[derive(Serialize)]
struct FetchReport<'a> {
    #[serde(flatten)]
    run: &'a carton::model::FetchRun,
    elapsed_ms: u64,
    /// URLs that could not be fetched, with the reason.
    dead: Vec<Dead<'a>>,
}

#[derive(Serialize)]
struct Dead<'a> {
    url: &'a str,
    what: &'static str,
    error: &'a str,
    reason: &'a str,
}

/// Everything `--fetch` could not get: documents, links, videos.
fn dead_links(m: &Model) -> Vec<Dead<'_>> {
    m.failed_retrievals()
        .into_iter()
        .map(|(what, r)| Dead {
            url: &r.url,
            what,
            error: r.error.as_deref().unwrap_or(""),
            reason: r.reason.as_deref().unwrap_or(""),
        })
        .collect()
}

#[derive(Serialize)]
struct Counts {
    pages: usize,
    sections: BTreeMap<String, usize>,
    shortcodes: BTreeMap<String, usize>,
    references: usize,
    videos: usize,
    documents_local: usize,
    documents_remote: usize,
    missing: usize,
    errors: usize,
    warnings: usize,
    info: usize,
}

fn counts(m: &Model) -> Counts {
    let mut sections = BTreeMap::new();
    let mut shortcodes = BTreeMap::new();
    for p in &m.pages {
        *sections
            .entry(if p.section.is_empty() { "(root)".to_string() } else { p.section.clone() })
            .or_insert(0) += 1;
        for s in &p.shortcodes {
            *shortcodes.entry(s.name.clone()).or_insert(0) += 1;
        }
    }
    let by = |s: Severity| m.problems.iter().filter(|p| p.severity == s).count();
    Counts {
        pages: m.pages.len(),
        sections,
        shortcodes,
        references: m.pages.iter().map(|p| p.references.len()).sum(),
        videos: m.videos.len(),
        documents_local: m.documents.iter().filter(|d| d.local).count(),
        documents_remote: m.documents.iter().filter(|d| !d.local).count(),
        missing: m
            .pages
            .iter()
            .flat_map(|p| &p.references)
            .filter(|r| matches!(r.target, Target::Missing { .. }))
            .count(),
        errors: by(Severity::Error),
        warnings: by(Severity::Warning),
        info: by(Severity::Info),
    }
}

/// Problems that make `--strict` fail.
fn strict_failures(m: &Model) -> usize {
    m.count_problems(Severity::Warning)
}

pub fn run(args: &ExportArgs, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let (mut site, source_root, label) = match (&args.site, &args.repo) {
        (Some(root), _) => {
            let opts = ReadOptions {
                follow_links: args.follow_links,
                jekyll_configs: args.config.clone(),
            };
            archive::check_output(root, &args.output, args.force)?;
            log::info!("reading {}", root.display());
            let started = std::time::Instant::now();
            let site = source::read_site(root, &opts)
                .with_context(|| format!("cannot read the site {}", root.display()))?;
            log::info!("read {} files in {} ms", site.files.len(), started.elapsed().as_millis());
            (site, root.clone(), root.display().to_string())
        }
        (None, Some(repo)) => {
            archive::check_output(repo, &args.output, args.force)?;
            let store = StoreSite { repo: repo.clone(), id: args.id.clone() };
            let (repo, id) = open_site(&store)?;
            let version = match &args.version {
                Some(v) => v.clone(),
                None => latest_version(&repo, &id)?,
            };
            let site = repo.site_read(&id, &version).with_context(|| {
                format!("cannot read {version} of {id} in {}", store.repo.display())
            })?;
            let label = format!("{version} of {} in {}", sanitize(&id), store.repo.display());
            (site, store.repo, label)
        }
        (None, None) => anyhow::bail!("give a site folder, or a snapshot store with --repo"),
    };
    // Kept alive until the archive is written: it holds the downloads.
    let fetched = match args.fetch.options() {
        Some(fopts) => {
            let f = fetch(&mut site, &fopts, &args.output, out, interrupt)?;
            site.remote = f.files.clone();
            Some(f)
        }
        None => None,
    };
    if args.strict && strict_failures(&site.model) > 0 {
        print_problems(&site.model, out, true);
        out.warn(format!(
            "--strict: {} problems in the site (listed above); no archive written",
            strict_failures(&site.model)
        ));
        return Ok(Exit::Problems);
    }
    let total: u64 = site.files.iter().map(|f| f.size).sum();
    let bar = Progress::bytes(out.progress, total, "exporting");
    let epoch = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) => match s.trim().parse::<i64>() {
            Ok(n) => Some(n),
            Err(_) => {
                out.warn(format!(
                    "SOURCE_DATE_EPOCH=`{}` is not a number of seconds: using today's date",
                    sanitize(&s)
                ));
                None
            }
        },
        Err(_) => None,
    };
    let wopts = WriteOptions {
        format: match args.format {
            FormatArg::Zip => Format::Zip,
            FormatArg::Dir => Format::Dir,
        },
        force: args.force,
        source_date_epoch: epoch,
    };
    let started = std::time::Instant::now();
    let result =
        archive::write(site, &source_root, &args.output, &wopts, &|n| bar.inc(n), interrupt);
    bar.finish();
    log::info!("wrote the archive in {} ms", started.elapsed().as_millis());
    let (model, report) =
        result.with_context(|| format!("cannot write the archive {}", args.output.display()))?;
    let fetch_elapsed = fetched.as_ref().map(|f| f.elapsed.as_millis() as u64);
    drop(fetched);
    if args.strict && strict_failures(&model) > 0 {
        let _ = if args.output.is_dir() {
            std::fs::remove_dir_all(&args.output)
        } else {
            std::fs::remove_file(&args.output)
        };
        print_problems(&model, out, true);
        out.warn("--strict: files changed or became unreadable during the export; archive removed");
        return Ok(Exit::Problems);
    }
    let c = counts(&model);
    if out.json {
        out.json_doc(
            "export",
            &Report {
                output: report.path.display().to_string(),
                identifier: &report.identifier,
                payload_files: report.payload_files,
                payload_bytes: report.payload_bytes,
                output_bytes: report.output_bytes,
                summary: &model.summary,
                counts: c,
                fetch: model.fetch.as_ref().map(|run| FetchReport {
                    run,
                    elapsed_ms: fetch_elapsed.unwrap_or(0),
                    dead: dead_links(&model),
                }),
                problems: &model.problems,
            },
        )?;
        return Ok(Exit::Ok);
    }
    let s = &model.summary;
    out.line(format!(
        "{} {} -> {} ({}, {} payload files)",
        out.bold("exported"),
        label,
        report.path.display(),
        human_bytes(report.output_bytes),
        report.payload_files
    ));
    out.detail(format!(
        "  read {} files ({}): {} pages, {} resources, {} static, {} config, {} other; {} left out",
        s.files,
        human_bytes(s.bytes),
        s.pages,
        s.resources,
        s.static_files,
        s.config_files,
        s.other_files,
        s.skipped.len()
    ));
    let sections: Vec<String> =
        c.sections.iter().map(|(k, v)| format!("{} {v}", sanitize(k))).collect();
    out.detail(format!("  pages by section: {}", sections.join(", ")));
    let shortcodes: Vec<String> =
        c.shortcodes.iter().map(|(k, v)| format!("{} {v}", sanitize(k))).collect();
    if !shortcodes.is_empty() {
        out.detail(format!("  shortcodes: {}", shortcodes.join(", ")));
    }
    out.detail(format!(
        "  {} references; {} videos; documents: {} local, {} remote; {} dangling",
        c.references, c.videos, c.documents_local, c.documents_remote, c.missing
    ));
    if let Some(run) = &model.fetch {
        out.detail(format!(
            "  fetched in {:.1} s: {} remote documents stored ({} unchanged in the cache), {} failed; {} other links checked, {} dead; {} videos described, {} unavailable; {} requests, {}",
            fetch_elapsed.unwrap_or(0) as f64 / 1000.0,
            run.documents_stored,
            run.not_modified,
            run.documents_failed,
            run.links_checked,
            run.links_failed,
            run.videos_described,
            run.videos_unavailable,
            run.requests,
            human_bytes(run.bytes_downloaded)
        ));
    }
    print_problems(&model, out, false);
    out.line(format!(
        "  problems: {} errors, {} warnings, {} info (`carton inspect` lists them all)",
        c.errors, c.warnings, c.info
    ));
    Ok(Exit::Ok)
}

/// Runs `--fetch` with a progress bar; temporary downloads go beside the output.
pub fn fetch(
    site: &mut source::SiteRead,
    opts: &carton::fetch::FetchOptions,
    output: &std::path::Path,
    out: &Out,
    interrupt: &AtomicBool,
) -> anyhow::Result<carton::fetch::Fetched> {
    log::info!("fetching remote documents and video metadata");
    let bar = Progress::count(out.progress, 0, "fetching");
    let scratch = carton::output::parent_of(output);
    let result = carton::fetch::fetch(
        &mut site.model,
        opts,
        &scratch,
        &|e| match e {
            carton::fetch::Event::Queued(n) => bar.set_total(n as u64),
            carton::fetch::Event::Done(url) => {
                log::debug!("fetched {url}");
                bar.inc(1);
            }
        },
        interrupt,
    );
    bar.finish();
    Ok(result?)
}

/// Errors and warnings with their place; all of them with -v or when `all`.
fn print_problems(m: &Model, out: &Out, all: bool) {
    let shown: Vec<_> = m.problems.iter().filter(|p| p.severity <= Severity::Warning).collect();
    let limit = if all || out.verbose > 0 { usize::MAX } else { 20 };
    for p in shown.iter().take(limit) {
        let place =
            if p.line > 0 { format!("{}:{}:{}", p.path, p.line, p.column) } else { p.path.clone() };
        out.warn(format!("{}: [{}] {}", sanitize(&place), p.code, sanitize(&p.message)));
    }
    if shown.len() > limit {
        out.warn(format!("... and {} more (-v shows all)", shown.len() - limit));
    }
}
