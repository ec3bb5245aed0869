//! `carton import ARCHIVE --to X -o DIR`, `carton convert SITE --to X -o DIR` and
//! `carton mappings`.

use crate::cli::args::{ConvertArgs, ImportArgs, ImportFlags, TargetArg};
use crate::cli::exit::Exit;
use crate::cli::output::{Out, sanitize};
use crate::cli::progress::Progress;
use anyhow::{Context, bail};
use carton::archive;
use carton::mapping::{Format, Mapping, SHIPPED};
use carton::target::{self, ImportOptions, Plan};
use std::path::Path;
use std::sync::atomic::AtomicBool;

fn format_of(t: TargetArg) -> Format {
    match t {
        TargetArg::Hugo => Format::Hugo,
        TargetArg::Jekyll => Format::Jekyll,
        TargetArg::Zola => Format::Zola,
        TargetArg::Wxr => Format::Wxr,
    }
}

/// The mapping given; without one, the import takes the shipped one for the archive's
/// generator and the target.
fn mapping(flags: &ImportFlags) -> anyhow::Result<Option<Mapping>> {
    Ok(match &flags.mapping {
        Some(p) => Some(Mapping::load(p)?),
        None => None,
    })
}

fn options(flags: &ImportFlags) -> anyhow::Result<ImportOptions> {
    if flags.media_base_url.is_some() && flags.to != TargetArg::Wxr {
        bail!("--media-base-url is only meaningful with --to wxr");
    }
    Ok(ImportOptions {
        to: format_of(flags.to),
        mapping: mapping(flags)?,
        layouts: !flags.no_layouts,
        localize_remote: flags.localize_remote,
    })
}

fn report_name(flags: &ImportFlags) -> anyhow::Result<Option<&str>> {
    if flags.report == "-" {
        return Ok(None);
    }
    if let Some(why) = carton::mapping::unsafe_output_path(&flags.report) {
        bail!("--report {}: {why} (it names a file inside the output folder)", flags.report);
    }
    Ok(Some(flags.report.as_str()))
}

/// `--to wxr`: `-o` names the XML file, written with its siblings beside it.
fn import_wxr(
    archive: &Path,
    flags: &ImportFlags,
    opts: &ImportOptions,
    interrupt: &AtomicBool,
) -> carton::Result<Plan> {
    let wxr = target::wxr_out::WxrOptions {
        media_base_url: flags.media_base_url.clone(),
        report: flags.report != "-",
        force: flags.force,
        dry_run: flags.dry_run,
    };
    target::wxr_out::import(archive, &flags.output, opts, &wxr, interrupt)
}

/// Fails early, before any work, when the output is taken and `--force` was not given.
fn check_output(flags: &ImportFlags) -> carton::Result<()> {
    let taken = if flags.to == TargetArg::Wxr {
        flags.output.exists()
    } else {
        carton::output::occupied(&flags.output)
    };
    if taken && !flags.force && !flags.dry_run {
        return Err(carton::Error::OutputExists(flags.output.clone()));
    }
    Ok(())
}

pub fn run_import(args: &ImportArgs, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let flags = &args.import;
    let opts = options(flags)?;
    let report = report_name(flags)?;
    check_output(flags)?;
    if args.no_verify {
        out.warn("--no-verify: the archive is imported without checking its checksums");
    } else {
        let bar =
            Progress::bytes(out.progress, super::verify::archive_size(&args.archive), "verifying");
        let check = archive::verify(&args.archive, &|n| bar.inc(n), interrupt);
        bar.finish();
        let check = check.with_context(|| format!("cannot verify {}", args.archive.display()))?;
        if !check.valid {
            for f in check.findings.iter().take(20) {
                out.warn(format!("{}: [{}] {}", sanitize(&f.path), f.code, sanitize(&f.message)));
            }
            bail!(
                "{} is damaged ({} problem(s), `carton verify` lists them): nothing was imported; --no-verify imports it anyway",
                args.archive.display(),
                check.findings.len()
            );
        }
    }
    let plan = if flags.to == TargetArg::Wxr {
        import_wxr(&args.archive, flags, &opts, interrupt)
    } else {
        target::import(
            &args.archive,
            &flags.output,
            &opts,
            flags.force,
            flags.dry_run,
            report,
            interrupt,
        )
    }
    .with_context(|| format!("cannot import {}", args.archive.display()))?;
    finish(&plan, flags, out)
}

pub fn run_convert(args: &ConvertArgs, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let flags = &args.import;
    let opts = options(flags)?;
    let report = report_name(flags)?;
    check_output(flags)?;
    let mut site = carton::source::read_site(
        &args.site,
        &carton::source::ReadOptions {
            follow_links: args.follow_links,
            jekyll_configs: args.config.clone(),
        },
    )
    .with_context(|| format!("cannot read the site {}", args.site.display()))?;
    // Kept alive until the intermediate archive is written: it holds the downloads.
    let fetched = match args.fetch.options() {
        Some(fopts) => {
            let f = super::export::fetch(&mut site, &fopts, &flags.output, out, interrupt)?;
            site.remote = f.files.clone();
            Some(f)
        }
        None => None,
    };
    // The archive is an intermediate: a bag folder in a temporary folder beside the output,
    // removed when done.
    let parent = carton::output::parent_of(&flags.output);
    let work = tempfile::Builder::new()
        .prefix(".carton-convert.")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot write in {}", parent.display()))?;
    let bag = work.path().join("bag");
    let wopts = archive::WriteOptions {
        format: archive::Format::Dir,
        force: false,
        source_date_epoch: None,
    };
    let total: u64 = site.files.iter().map(|f| f.size).sum();
    let bar = Progress::bytes(out.progress, total, "reading");
    let written = archive::write(site, &args.site, &bag, &wopts, &|n| bar.inc(n), interrupt);
    bar.finish();
    written.with_context(|| format!("cannot read the site {}", args.site.display()))?;
    drop(fetched);
    let plan = if flags.to == TargetArg::Wxr {
        import_wxr(&bag, flags, &opts, interrupt)
    } else {
        target::import(&bag, &flags.output, &opts, flags.force, flags.dry_run, report, interrupt)
    }
    .with_context(|| format!("cannot convert {}", args.site.display()))?;
    finish(&plan, flags, out)
}

fn finish(plan: &Plan, flags: &ImportFlags, out: &Out) -> anyhow::Result<Exit> {
    let r = &plan.report;
    if out.json {
        super::report_existing(out, &flags.output, r.existing.as_ref(), flags.dry_run);
        out.json_doc("import", r)?;
        return Ok(Exit::Ok);
    }
    if flags.dry_run {
        let source_of: std::collections::HashMap<&str, &str> = r
            .files
            .iter()
            .filter_map(|x| Some((x.output.as_deref()?, x.source.as_str())))
            .collect();
        for f in &plan.files {
            let from = match (&f.content, source_of.get(f.path.as_str())) {
                (target::Content::Copy(p), _) => sanitize(p),
                (target::Content::Payload(p), _) => format!("data/{} of the archive", sanitize(p)),
                (target::Content::Bytes(_), Some(src)) => format!("{} (converted)", sanitize(src)),
                (target::Content::Bytes(_), None) => "(generated)".into(),
            };
            out.detail(format!("{} <- {from}", sanitize(&f.path)));
        }
    }
    for n in &r.not_converted {
        out.detail(format!(
            "{}:{}: not converted: {} ({})",
            sanitize(&n.path),
            n.line,
            sanitize(&n.subject),
            sanitize(&n.message)
        ));
    }
    let counts = r.counts();
    let summary: Vec<String> = counts.iter().map(|(a, n)| format!("{n} {}", a.name())).collect();
    out.line(format!(
        "{} {} {} files ({}), {} generated; {} shortcode(s) not converted, {} field(s) dropped, {} redirect(s){}",
        if flags.dry_run { "would write" } else { "wrote" },
        flags.output.display(),
        plan.files.len(),
        summary.join(", "),
        r.generated.len(),
        r.not_converted.len(),
        r.fields_dropped.len(),
        r.redirects.len(),
        match (flags.dry_run, flags.report.as_str()) {
            (true, _) | (_, "-") => String::new(),
            (false, _) if flags.to == TargetArg::Wxr => {
                let stem = flags.output.file_stem().unwrap_or_default().to_string_lossy();
                let at = carton::output::parent_of(&flags.output).join(format!("{stem}-report.md"));
                format!("; report in {}", at.display())
            }
            (false, name) => format!("; report in {}", Path::new(&flags.output).join(name).display()),
        }
    ));
    super::report_existing(out, &flags.output, r.existing.as_ref(), flags.dry_run);
    Ok(Exit::Ok)
}

pub fn run_mappings(out: &Out) -> anyhow::Result<Exit> {
    let mut list = Vec::new();
    for (name, text) in SHIPPED {
        let m = Mapping::parse(text, Path::new(name))?;
        list.push(serde_json::json!({
            "name": name,
            "from": m.from.name(),
            "to": m.to.name(),
            "description": m.description,
            "shortcodes": m.shortcodes.keys().collect::<Vec<_>>(),
        }));
        out.line(format!(
            "mappings/{name:<22} {} -> {}  {}",
            m.from.name(),
            m.to.name(),
            m.description.as_deref().unwrap_or("")
        ));
    }
    if out.json {
        out.json_doc("mappings", &serde_json::json!({ "mappings": list }))?;
    }
    Ok(Exit::Ok)
}
