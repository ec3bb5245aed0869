//! `carton snapshot`, `log`, `restore` and `verify --repo`: a site's history in a snapshot
//! store (an OCFL 1.1 storage root, see archive/SNAPSHOTS.md).

use crate::cli::args::{DiffArgs, LogArgs, RestoreArgs, SnapshotArgs, StoreSite};
use crate::cli::exit::Exit;
use crate::cli::output::{Out, human_bytes, sanitize};
use crate::cli::progress::Progress;
use anyhow::{Context, bail};
use carton::snapshot::{
    FileDigest, Repo, RestoreOptions, SnapshotFile, SnapshotOptions, SnapshotOutcome, User,
    describe_version,
};
use carton::source::{self, ReadOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::AtomicBool;

pub fn run_snapshot(
    args: &SnapshotArgs,
    out: &Out,
    interrupt: &AtomicBool,
) -> anyhow::Result<Exit> {
    let ropts =
        ReadOptions { follow_links: args.follow_links, jekyll_configs: args.config.clone() };
    let read = || {
        let started = std::time::Instant::now();
        let site = source::read_site(&args.site, &ropts);
        log::info!("read the site in {} ms", started.elapsed().as_millis());
        site
    };
    // The site is read (every page parsed) only when its model is needed: for its baseURL
    // when no --id is given, and for the new version's carton.json. An unchanged site named
    // with --id is only listed and checked against the stat cache.
    let site = std::cell::OnceCell::new();
    let id = match &args.id {
        Some(id) => id.clone(),
        None => {
            let s =
                read().with_context(|| format!("cannot read the site {}", args.site.display()))?;
            let base = s.model.site.base_url.trim().to_string();
            if base.is_empty() {
                bail!(
                    "{} has no baseURL to name it in the store: give it an id with --id",
                    args.site.display()
                );
            }
            let _ = site.set(s);
            base
        }
    };
    let repo = Repo::open_or_create(&args.repo)
        .with_context(|| format!("cannot open the snapshot store {}", args.repo.display()))?;
    for line in repo.recovered() {
        out.warn(line.clone());
    }
    let files: Vec<SnapshotFile> = match site.get() {
        Some(s) => s.files.iter().map(SnapshotFile::from_source).collect(),
        None => source::list_files(&args.site, args.follow_links)
            .0
            .iter()
            .map(SnapshotFile::from_source)
            .collect(),
    };
    log::info!("{} files listed", files.len());
    // Each version describes itself: its carton.json lists the files with the digests the
    // store computed (or already held), so nothing is read twice.
    let date = time::OffsetDateTime::now_utc().date().to_string();
    let describe =
        |digests: &BTreeMap<String, FileDigest>| -> carton::Result<Vec<(String, Vec<u8>)>> {
            let site = match site.get() {
                Some(s) => s,
                None => {
                    let s = read()?;
                    site.get_or_init(|| s)
                }
            };
            describe_version(site, digests, &date)
        };
    // OCFL records who made each version (W007): the account running carton.
    let user = args
        .user
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .filter(|u| !u.trim().is_empty())
        .map(|name| User { name, address: args.user_address.clone() });
    let sopts = SnapshotOptions {
        message: args.message.clone(),
        user,
        rehash: args.rehash,
        allow_empty: args.allow_empty,
        ..Default::default()
    };
    let total: u64 = files.iter().map(|f| f.size).sum();
    let bar = Progress::bytes(out.progress, total, "snapshot");
    let started = std::time::Instant::now();
    let result =
        repo.snapshot_described(&id, &files, &describe, &sopts, &|n| bar.inc(n), interrupt);
    bar.finish();
    let outcome = result.with_context(|| format!("cannot snapshot {}", args.site.display()))?;
    log::info!("snapshot done in {} ms", started.elapsed().as_millis());
    if out.json {
        out.json_doc(
            "snapshot",
            &serde_json::json!({ "repo": args.repo.display().to_string(), "id": id, "result": outcome }),
        )?;
        return Ok(Exit::Ok);
    }
    match outcome {
        SnapshotOutcome::Created { version, files, new_files, new_bytes, reused_files } => {
            out.line(format!(
                "{} {version} of {} in {}: {files} files, {new_files} stored ({}), {reused_files} already in the store",
                out.bold("snapshot"),
                sanitize(&id),
                args.repo.display(),
                human_bytes(new_bytes)
            ));
        }
        SnapshotOutcome::Unchanged { head } => {
            out.line(format!(
                "{}: {} is as in {head}; no version added (--allow-empty adds one)",
                out.bold("no change"),
                sanitize(&id)
            ));
        }
    }
    Ok(Exit::Ok)
}

/// The store named and the site a command is about in it.
pub(crate) fn open_site(store: &StoreSite) -> anyhow::Result<(Repo, String)> {
    let repo = open(&store.repo)?;
    let id = site_id(&repo, store)?;
    Ok((repo, id))
}

/// The newest version of a site.
pub(crate) fn latest_version(repo: &Repo, id: &str) -> anyhow::Result<String> {
    repo.log(id)?.last().map(|v| v.version.clone()).with_context(|| format!("{id} has no version"))
}

/// The site a command is about: the one named, or the store's only one.
fn site_id(repo: &Repo, store: &StoreSite) -> anyhow::Result<String> {
    if let Some(id) = &store.id {
        return Ok(id.clone());
    }
    let ids = repo.objects()?;
    match ids.as_slice() {
        [one] => Ok(one.clone()),
        [] => bail!("{} holds no site yet: take a snapshot first", store.repo.display()),
        many => bail!(
            "{} holds {} sites: name one with --id ({})",
            store.repo.display(),
            many.len(),
            many.iter().map(|s| sanitize(s)).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn open(path: &Path) -> anyhow::Result<Repo> {
    Repo::open(path).with_context(|| format!("cannot open the snapshot store {}", path.display()))
}

pub fn run_log(args: &LogArgs, out: &Out) -> anyhow::Result<Exit> {
    let repo = open(&args.store.repo)?;
    let id = site_id(&repo, &args.store)?;
    let log = repo.log(&id)?;
    if out.json {
        out.json_doc("log", &serde_json::json!({ "id": id, "versions": log }))?;
        return Ok(Exit::Ok);
    }
    out.line(format!("{} {} ({} versions)", out.bold("site"), sanitize(&id), log.len()));
    for v in &log {
        out.line(format!(
            "{:<5} {}  {} files ({}), {} stored ({}){}",
            v.version,
            v.created,
            v.files,
            human_bytes(v.bytes),
            v.new_files,
            human_bytes(v.new_bytes),
            v.message.as_deref().map(|m| format!("  {}", sanitize(m))).unwrap_or_default()
        ));
    }
    Ok(Exit::Ok)
}

pub fn run_restore(args: &RestoreArgs, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let repo = open(&args.store.repo)?;
    let id = site_id(&repo, &args.store)?;
    let version = match &args.version {
        Some(v) => v.clone(),
        None => latest_version(&repo, &id)?,
    };
    let bar = Progress::bytes(out.progress, 0, "restoring");
    let opts = RestoreOptions { force: args.force, with_reserved: args.with_metadata };
    let result = repo.restore(&id, &version, &args.output, &opts, &|n| bar.inc(n), interrupt);
    bar.finish();
    let report = result.with_context(|| format!("cannot restore {version} of {id}"))?;
    if out.json {
        out.json_doc("restore", &report)?;
    } else {
        out.line(format!(
            "{} {} of {} -> {} ({} files, {})",
            out.bold("restored"),
            report.version,
            sanitize(&id),
            report.dest.display(),
            report.files,
            human_bytes(report.bytes)
        ));
    }
    super::report_existing(out, &report.dest, report.existing.as_ref(), false);
    Ok(Exit::Ok)
}

pub fn run_verify(path: &Path, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let repo = open(path)?;
    let bar = Progress::bytes(out.progress, 0, "verifying");
    let result = repo.verify(&|n| bar.inc(n), interrupt);
    bar.finish();
    let report = result.with_context(|| format!("cannot verify {}", path.display()))?;
    if out.json {
        out.json_doc("verify", &report)?;
    } else {
        for f in &report.findings {
            let mut line = format!("{}: [{}] {}", sanitize(&f.path), f.code, sanitize(&f.message));
            if !f.versions.is_empty() {
                line.push_str(&format!(" (in {})", f.versions.join(", ")));
            }
            if let (Some(e), Some(found)) = (&f.expected, &f.found) {
                line.push_str(&format!(". Expected: {}; Found: {}", sanitize(e), sanitize(found)));
            }
            out.line(line);
        }
        out.line(format!(
            "{}: {} ({} sites, {} versions, {} stored files, {} hashed){}",
            out.bold(if report.valid { "valid" } else { "invalid" }),
            path.display(),
            report.objects,
            report.versions,
            report.files,
            human_bytes(report.bytes),
            if report.valid {
                String::new()
            } else {
                format!("; {} problem(s)", report.findings.len())
            }
        ));
    }
    Ok(if report.valid { Exit::Ok } else { Exit::Problems })
}

pub fn run_diff(args: &DiffArgs, out: &Out) -> anyhow::Result<Exit> {
    let repo = open(&args.store.repo)?;
    let id = site_id(&repo, &args.store)?;
    let d = repo
        .diff(&id, &args.from, &args.to)
        .with_context(|| format!("cannot compare {} and {} of {id}", args.from, args.to))?;
    if out.json {
        out.json_doc("diff", &d)?;
        return Ok(Exit::Ok);
    }
    let title = |t: &Option<String>| {
        t.as_deref().map(|t| format!(" \u{ab}{}\u{bb}", sanitize(t))).unwrap_or_default()
    };
    out.line(format!(
        "{} {} -> {} of {}: pages {} added, {} removed, {} changed; files {} added, {} removed, {} changed",
        out.bold("diff"),
        d.from,
        d.to,
        sanitize(&id),
        d.pages_added.len(),
        d.pages_removed.len(),
        d.pages_changed.len(),
        d.files_added.len(),
        d.files_removed.len(),
        d.files_changed.len()
    ));
    for p in &d.pages_added {
        out.line(format!("  + {}{}", sanitize(&p.path), title(&p.title)));
    }
    for p in &d.pages_removed {
        out.line(format!("  - {}{}", sanitize(&p.path), title(&p.title)));
    }
    for p in &d.pages_changed {
        out.line(format!(
            "  ~ {}{} (body +{} -{} lines)",
            sanitize(&p.path),
            title(&p.title),
            p.lines_added,
            p.lines_removed
        ));
        for f in &p.fields {
            // Long values are cut here; --json gives them whole.
            let show = |v: &Option<serde_json::Value>| {
                let Some(v) = v else { return "(none)".to_string() };
                let text = sanitize(&v.to_string());
                match text.char_indices().nth(100) {
                    Some((i, _)) => format!("{}… ({} chars)", &text[..i], text.chars().count()),
                    None => text,
                }
            };
            out.detail(format!(
                "      {}: {} -> {}",
                sanitize(&f.field),
                show(&f.old),
                show(&f.new)
            ));
        }
    }
    let pages: std::collections::BTreeSet<&str> = d
        .pages_added
        .iter()
        .chain(&d.pages_removed)
        .map(|p| p.path.as_str())
        .chain(d.pages_changed.iter().map(|p| p.path.as_str()))
        .collect();
    for (mark, list) in [("+", &d.files_added), ("-", &d.files_removed), ("~", &d.files_changed)] {
        for f in list.iter().filter(|f| !pages.contains(f.as_str())) {
            out.detail(format!("  {mark} {}", sanitize(f)));
        }
    }
    for (what, added, removed) in [
        ("videos", &d.videos_added, &d.videos_removed),
        ("documents", &d.documents_added, &d.documents_removed),
    ] {
        if !added.is_empty() || !removed.is_empty() {
            out.line(format!("  {what}: {} added, {} removed", added.len(), removed.len()));
            for v in added {
                out.detail(format!("    + {}", sanitize(v)));
            }
            for v in removed {
                out.detail(format!("    - {}", sanitize(v)));
            }
        }
    }
    Ok(Exit::Ok)
}
