//! The import report: every source file and where it went, every shortcode not converted,
//! every field dropped, every link that does not resolve in the target. Written as
//! `carton-report.md` (and JSON with `--json`).

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What happened to one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Rewritten for the target (front matter, shortcodes, links).
    Converted,
    /// Copied byte for byte (possibly to another path).
    Copied,
    /// Copied as it was although the target cannot use it as such; the reason says why.
    Raw,
    /// Read into a generated file (a configuration) rather than copied.
    Merged,
    /// Not written: the target has no place for it (the reason says why).
    Omitted,
}

/// One source file's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// Path in the source site.
    pub source: String,
    /// What was done.
    pub action: Action,
    /// Path in the output (`None` when merged into another file).
    pub output: Option<String>,
    /// Why, when it was not simply converted or copied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A file carton generated (configuration, layouts, includes, redirects, list pages).
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    /// Path in the output.
    pub output: String,
    /// What it is for.
    pub purpose: String,
}

/// A note about a place in a source page.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Note {
    /// Source path.
    pub path: String,
    /// 1-based line (0: the whole file).
    pub line: usize,
    /// What it is about (shortcode name, field, link).
    pub subject: String,
    /// What happened and why.
    pub message: String,
}

/// The report of one import.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Target format.
    pub target: String,
    /// The mapping used (path or shipped name), if any.
    pub mapping: Option<String>,
    /// Files in the archive's site.
    pub files_in: usize,
    /// One entry per source file.
    pub files: Vec<FileOutcome>,
    /// Files carton wrote that have no source file.
    pub generated: Vec<Generated>,
    /// Shortcodes (and other constructs) carried verbatim.
    pub not_converted: Vec<Note>,
    /// Front matter fields left out.
    pub fields_dropped: Vec<Note>,
    /// Links that do not resolve in the target, and links that did not resolve in the source.
    pub unresolved_links: Vec<Note>,
    /// Old URLs kept through a redirect or alias rather than at the same address.
    pub redirects: Vec<Note>,
    /// Anything else worth knowing.
    pub notes: Vec<Note>,
    /// What the output folder already held and what became of it (`--force`, or an empty
    /// folder); absent when the folder was new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<crate::output::Existing>,
}

impl Report {
    /// An empty report.
    pub fn new(target: &str, mapping: Option<String>, files_in: usize) -> Report {
        Report {
            target: target.into(),
            mapping,
            files_in,
            files: Vec::new(),
            generated: Vec::new(),
            not_converted: Vec::new(),
            fields_dropped: Vec::new(),
            unresolved_links: Vec::new(),
            redirects: Vec::new(),
            notes: Vec::new(),
            existing: None,
        }
    }

    /// Records a source file's outcome.
    pub fn file(
        &mut self,
        source: &str,
        action: Action,
        output: Option<&str>,
        reason: Option<String>,
    ) {
        self.files.push(FileOutcome {
            source: source.into(),
            action,
            output: output.map(Into::into),
            reason,
        });
    }

    /// Changes what the report says was done with a source file.
    pub fn reclassify(&mut self, source: &str, action: Action, reason: String) {
        if let Some(o) = self.files.iter_mut().find(|o| o.source == source) {
            o.action = action;
            o.reason = Some(reason);
        }
    }

    /// Counts of source files by action.
    pub fn counts(&self) -> BTreeMap<Action, usize> {
        let mut c = BTreeMap::new();
        for f in &self.files {
            *c.entry(f.action).or_insert(0) += 1;
        }
        c
    }

    /// Sorts every list, so the report is deterministic.
    pub fn sort(&mut self) {
        self.files.sort_by(|a, b| a.source.cmp(&b.source));
        self.generated.sort_by(|a, b| a.output.cmp(&b.output));
        for l in [
            &mut self.not_converted,
            &mut self.fields_dropped,
            &mut self.unresolved_links,
            &mut self.redirects,
            &mut self.notes,
        ] {
            l.sort();
            l.dedup();
        }
    }

    /// The report as Markdown.
    pub fn to_markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# carton import report\n");
        let _ = writeln!(s, "- target: {}", self.target);
        let _ = writeln!(s, "- mapping: {}", self.mapping.as_deref().unwrap_or("(none)"));
        let counts = self.counts();
        let accounted: usize = counts.values().sum();
        let _ = writeln!(
            s,
            "- source files: {} in the archive, {} accounted for ({})",
            self.files_in,
            accounted,
            counts.iter().map(|(a, n)| format!("{n} {}", a.name())).collect::<Vec<_>>().join(", ")
        );
        let _ = writeln!(s, "- files generated by carton: {}", self.generated.len());
        let _ = writeln!(s, "- shortcodes not converted: {}", self.not_converted.len());
        let _ = writeln!(s, "- fields dropped: {}", self.fields_dropped.len());
        let _ = writeln!(s, "- unresolved links: {}", self.unresolved_links.len());
        let _ = writeln!(s, "- redirects: {}", self.redirects.len());
        for (title, notes) in [
            ("Not converted (carried verbatim)", &self.not_converted),
            ("Fields dropped", &self.fields_dropped),
            ("Unresolved links", &self.unresolved_links),
            ("Redirects", &self.redirects),
            ("Notes", &self.notes),
        ] {
            if notes.is_empty() {
                continue;
            }
            let _ = writeln!(s, "\n## {title}\n");
            for n in notes {
                let at = if n.line > 0 { format!("{}:{}", n.path, n.line) } else { n.path.clone() };
                // A note about the whole site has no place to name.
                if at.is_empty() {
                    let _ = writeln!(s, "- {}: {}", md_code(&n.subject), n.message);
                } else {
                    let _ =
                        writeln!(s, "- `{}` {}: {}", md_code(&at), md_code(&n.subject), n.message);
                }
            }
        }
        if let Some(e) = &self.existing {
            existing_section(&mut s, e);
        }
        let _ =
            writeln!(s, "\n## Files\n\n| source | action | output | reason |\n|---|---|---|---|");
        for f in &self.files {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                cell(&f.source),
                f.action.name(),
                f.output.as_deref().map_or_else(
                    || if f.action == Action::Omitted { "(not written)" } else { "(merged)" }
                        .to_string(),
                    cell
                ),
                f.reason.as_deref().map(cell).unwrap_or_default()
            );
        }
        if !self.generated.is_empty() {
            let _ = writeln!(s, "\n## Generated\n\n| output | purpose |\n|---|---|");
            for g in &self.generated {
                let _ = writeln!(s, "| {} | {} |", cell(&g.output), cell(&g.purpose));
            }
        }
        s
    }
}

impl Action {
    /// How the report names it.
    pub fn name(self) -> &'static str {
        match self {
            Action::Converted => "converted",
            Action::Copied => "copied",
            Action::Raw => "carried raw",
            Action::Merged => "merged",
            Action::Omitted => "left out",
        }
    }
}

fn md_code(s: &str) -> String {
    s.replace('`', "'").replace('\n', " ")
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The section on what the output folder held before.
fn existing_section(s: &mut String, e: &crate::output::Existing) {
    let _ = writeln!(s, "\n## Files already in the output folder\n");
    if e.no_record {
        let _ = writeln!(
            s,
            "The folder held no record of an earlier import ({}): every file in it is taken as yours.\n",
            crate::output::RECORD
        );
    }
    for (title, list) in [
        ("kept (carton did not write them, or they changed since)", &e.kept),
        ("replaced by this import (carton did not write them, or they changed since)", &e.replaced),
        (
            "removed (an earlier import wrote them, unchanged, and this one has no such file)",
            &e.removed,
        ),
    ] {
        let _ = writeln!(s, "- {} {title}", list.len());
        for p in list.iter().take(50) {
            let _ = writeln!(s, "  - `{}`", md_code(p));
        }
        if list.len() > 50 {
            let _ = writeln!(s, "  - … and {} more", list.len() - 50);
        }
    }
}
