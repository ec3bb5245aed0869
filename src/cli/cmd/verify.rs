//! `carton verify ARCHIVE`: check every byte, list every problem.

use crate::cli::args::VerifyArgs;
use crate::cli::exit::Exit;
use crate::cli::output::{Out, human_bytes, sanitize};
use crate::cli::progress::Progress;
use anyhow::Context;
use carton::archive;
use std::sync::atomic::AtomicBool;

pub fn run(args: &VerifyArgs, out: &Out, interrupt: &AtomicBool) -> anyhow::Result<Exit> {
    let archive = match (&args.archive, &args.repo) {
        (_, Some(repo)) => return super::snapshot::run_verify(repo, out, interrupt),
        (Some(a), None) => a,
        // clap requires one of them.
        (None, None) => anyhow::bail!("name an archive, or a store with --repo"),
    };
    let total = archive_size(archive);
    let bar = Progress::bytes(out.progress, total, "verifying");
    let result = archive::verify(archive, &|n| bar.inc(n), interrupt);
    bar.finish();
    let report = result.with_context(|| format!("cannot verify {}", archive.display()))?;
    if out.json {
        out.json_doc("verify", &report)?;
    } else if report.valid {
        out.line(format!(
            "{}: {} is intact ({} files, {} hashed with {})",
            out.bold("valid"),
            archive.display(),
            report.files,
            human_bytes(report.bytes),
            report.algorithms.join(" and ")
        ));
    } else {
        for f in &report.findings {
            // A finding about the whole archive has no entry path: it names the archive.
            let place =
                if f.path.is_empty() { archive.display().to_string() } else { sanitize(&f.path) };
            let mut line = format!("{place}: [{}] {}", f.code, sanitize(&f.message));
            if let (Some(e), Some(found)) = (&f.expected, &f.found) {
                line.push_str(&format!(". Expected: {}; Found: {}", sanitize(e), sanitize(found)));
            }
            out.line(line);
        }
        out.line(format!(
            "{}: {} has {} problem(s) ({} files hashed)",
            out.bold("invalid"),
            archive.display(),
            report.findings.len(),
            report.files
        ));
    }
    Ok(if report.valid { Exit::Ok } else { Exit::Problems })
}

/// Bytes to hash, for the progress bar: the zip's size or the folder's total.
pub fn archive_size(path: &std::path::Path) -> u64 {
    if path.is_dir() {
        walkdir::WalkDir::new(path)
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    } else {
        std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    }
}
