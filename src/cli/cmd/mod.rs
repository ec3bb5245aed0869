//! One file per command.

pub mod export;
pub mod import;
pub mod inspect;
pub mod snapshot;
pub mod verify;

/// Tells what became of the files an output folder already held (see
/// [`carton::output::Existing`]): a count line (not with `--json`), a warning for each file of
/// the user's replaced, and, when the folder was swapped under carton's own current folder
/// (the shell's, inherited), how to see the new one.
fn report_existing(
    out: &crate::cli::output::Out,
    dest: &std::path::Path,
    existing: Option<&carton::output::Existing>,
    dry_run: bool,
) {
    let Some(e) = existing else { return };
    let would =
        |done: &str, planned: &str| if dry_run { planned.to_string() } else { done.to_string() };
    if !out.json && (!e.kept.is_empty() || !e.replaced.is_empty() || !e.removed.is_empty()) {
        let mut parts = vec![format!(
            "{} {} file(s) carton did not write",
            would("kept", "would keep"),
            e.kept.len()
        )];
        if !e.replaced.is_empty() {
            parts.push(format!(
                "{} {} such file(s)",
                would("replaced", "would replace"),
                e.replaced.len()
            ));
        }
        if !e.removed.is_empty() {
            parts.push(format!(
                "{} {} left from an earlier run",
                would("removed", "would remove"),
                e.removed.len()
            ));
        }
        out.line(format!("  {} already held files: {}", dest.display(), parts.join(", ")));
    }
    for p in &e.replaced {
        out.warn(format!(
            "{} {}, which carton did not write",
            would("replaced", "would replace"),
            crate::cli::output::sanitize(p)
        ));
    }
    // An output folder that existed is replaced by a new one in a single rename: a shell
    // whose current folder was in it is left in the old one, now removed.
    if !dry_run && std::env::current_dir().is_err() {
        out.warn(
            "the output folder was replaced by a new one, and the current folder was in it: `cd \"$PWD\"` to see the new one",
        );
    }
}
