//! Site readers (Hugo, Jekyll): find what kind of site a folder holds, list every file of it, and build the
//! content model. One submodule per generator, plus the parsers they share.

pub mod data;
mod decap;
mod hugo;
mod jekyll;
pub mod liquid;
mod media;
mod mounts;
pub mod refs;
mod resolve;
pub mod shortcode;
mod split;
pub mod video;
mod walk;
pub mod wordpress;
pub mod wxr;
mod wxr_site;

pub(crate) use walk::{open_regular, read_regular};

/// Every file of a site folder as the readers list it (version-control folders, symbolic
/// links out of the site and names that are not UTF-8 left out), without reading any.
pub use walk::list as list_files;

pub use media::{
    extension, extension_for, is_compressed, is_document, is_file_like, media_type, target_path,
};
pub use split::{
    RawFrontMatter, SplitError, parse as parse_front_matter, split as split_front_matter,
};
pub use video::{Provider, VideoId, VideoKind, parse_video_url};
pub use walk::SourceFile;

use crate::error::{Error, Result};
use crate::model::Model;
use std::path::Path;

/// Options for reading a site.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Follow symbolic links that stay inside the site (links out of it are never followed).
    pub follow_links: bool,
    /// Jekyll: configuration files read after `_config.yml`, each overriding the ones before
    /// (`--config`), relative to the site or absolute.
    pub jekyll_configs: Vec<std::path::PathBuf>,
}

/// A site read from disk: the content model (file digests not yet filled in) and the files
/// to store, in archive order.
#[derive(Debug)]
pub struct SiteRead {
    /// The content model.
    pub model: Model,
    /// Every file to store, sorted by path.
    pub files: Vec<SourceFile>,
    /// Copies of remote files (`--fetch`), stored under `data/remote/`.
    pub remote: Vec<crate::fetch::RemoteFile>,
}

/// Reads the site at `root`: detects its generator and builds the model.
///
/// # Errors
/// When `root` is not a readable folder or holds no site carton recognises, or its main
/// configuration cannot be parsed.
pub fn read_site(root: &Path, opts: &ReadOptions) -> Result<SiteRead> {
    let meta = std::fs::metadata(root).map_err(|e| Error::Read(e, root.to_path_buf()))?;
    if meta.is_file() && wxr_site::looks_like_wxr(root) {
        return wxr_site::read(root);
    }
    if !meta.is_dir() {
        return Err(Error::NotASite {
            path: root.to_path_buf(),
            msg: "not a folder: give the root folder of a Hugo or Jekyll site, or a WordPress export file (WXR)".into(),
        });
    }
    if hugo::find_config(root).is_some() {
        return hugo::read(root, opts);
    }
    match jekyll::find_config(root) {
        Some(config) => jekyll::read(root, opts, &config),
        None => Err(Error::NotASite {
            path: root.to_path_buf(),
            msg: "no site configuration found (Hugo: hugo.toml, config.toml, config/_default/; \
                  Jekyll: _config.yml): give the root folder of a Hugo or Jekyll site"
                .into(),
        }),
    }
}

/// Reads and parses every page file in parallel, keeping its bytes for the archive. Pages
/// that cannot be read, are not UTF-8 or have front matter that does not parse are
/// reported; each readable one is returned with its index in `files`.
fn read_pages(files: &mut [SourceFile], model: &mut Model) -> Vec<(usize, hugo::Parsed)> {
    use crate::model::{FileRole, Severity};
    use rayon::prelude::*;
    let parsed: Vec<(usize, std::io::Result<hugo::Parsed>)> = files
        .par_iter()
        .enumerate()
        .filter(|(_, f)| f.role == FileRole::Page)
        .map(|(i, f)| {
            (i, walk::read_regular(&f.abs).map(|b| hugo::parse_page(std::sync::Arc::from(b))))
        })
        .collect();
    let mut out = Vec::with_capacity(parsed.len());
    for (i, result) in parsed {
        let file = &mut files[i];
        let p = match result {
            Ok(p) => p,
            Err(e) => {
                let msg = format!("cannot read the page: {e}");
                model.problems.push(hugo::problem(
                    "unreadable",
                    Severity::Error,
                    &file.rel,
                    0,
                    0,
                    msg,
                ));
                continue;
            }
        };
        file.bytes = Some(p.bytes.clone());
        file.size = p.bytes.len() as u64;
        if !p.text_info.utf8 {
            model.problems.push(hugo::problem(
                "not-utf8",
                Severity::Warning,
                &file.rel,
                0,
                0,
                "the page is not valid UTF-8: stored byte for byte, parsed with invalid bytes replaced; \
                 re-save it as UTF-8"
                    .into(),
            ));
        }
        if let Some(e) = &p.fm_error {
            model.problems.push(hugo::problem(
                "front-matter",
                Severity::Error,
                &file.rel,
                e.line,
                e.column,
                format!("{}; the page is carried raw", e.message),
            ));
            model.summary.raw_pages += 1;
        }
        out.push((i, p));
    }
    out
}

/// Counts every file by role and reports the skipped ones: the last step of every reader.
fn finish(mut model: Model, files: Vec<SourceFile>) -> SiteRead {
    use crate::model::{FileRole, Severity};
    for f in &files {
        match f.role {
            FileRole::Page => model.summary.pages += 1,
            FileRole::Resource => model.summary.resources += 1,
            FileRole::Static => model.summary.static_files += 1,
            FileRole::Config => model.summary.config_files += 1,
            FileRole::Other => model.summary.other_files += 1,
        }
        model.summary.files += 1;
        model.summary.bytes += f.size;
    }
    let skipped: Vec<_> = model.summary.skipped.clone();
    for s in skipped {
        let severity = if s.reason == walk::VCS_REASON || s.reason == walk::RECORD_REASON {
            Severity::Info
        } else {
            Severity::Warning
        };
        model.problems.push(hugo::problem("skipped", severity, &s.path, 0, 0, s.reason));
    }
    model.problems.sort();
    model.problems.dedup();
    cap_problems(&mut model.problems);
    SiteRead { model, files, remote: Vec::new() }
}

/// Problems of one code listed for one file; past them, one problem counts the rest.
const MAX_PROBLEMS_PER_CODE: usize = 100;

/// Keeps the first [`MAX_PROBLEMS_PER_CODE`] problems of each code in each file (in the
/// order of `problems`, sorted) and puts one in place of the next that says how many more
/// there are: 10,000 unclosed tags in a page are one fix, not 10,000 lines of report.
/// Every reader's problems pass here, in [`finish`].
fn cap_problems(problems: &mut Vec<crate::model::Problem>) {
    use std::collections::HashMap;
    // Each problem's rank among those of its code and file, then their number.
    let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
    let ranks: Vec<usize> = problems
        .iter()
        .map(|p| {
            let n = counts.entry((&p.code, &p.path)).or_default();
            *n += 1;
            *n
        })
        .collect();
    if counts.values().all(|&n| n <= MAX_PROBLEMS_PER_CODE) {
        return;
    }
    let totals: Vec<usize> =
        problems.iter().map(|p| counts[&(p.code.as_str(), p.path.as_str())]).collect();
    let mut i = 0;
    problems.retain_mut(|p| {
        let (rank, total) = (ranks[i], totals[i]);
        i += 1;
        if rank == MAX_PROBLEMS_PER_CODE + 1 {
            let more = total - MAX_PROBLEMS_PER_CODE;
            p.message = format!("… and {more} more `{}` problems in this file, not listed", p.code);
        }
        rank <= MAX_PROBLEMS_PER_CODE + 1
    });
    problems.sort();
    problems.shrink_to_fit();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Problem, Severity};

    fn problem(code: &str, path: &str, line: usize) -> Problem {
        hugo::problem(code, Severity::Warning, path, line, 1, format!("at {line}"))
    }

    #[test]
    fn problems_of_one_code_in_one_file_are_capped_with_a_count() {
        let mut problems: Vec<Problem> = (1..=10_000)
            .map(|l| problem("liquid-syntax", "a.md", l))
            .chain((1..=100).map(|l| problem("liquid-syntax", "b.md", l)))
            .chain((1..=150).map(|l| problem("missing-file", "a.md", l)))
            .collect();
        problems.sort();
        cap_problems(&mut problems);
        let of = |code: &str, path: &str| -> Vec<&Problem> {
            problems.iter().filter(|p| p.code == code && p.path == path).collect()
        };
        let a = of("liquid-syntax", "a.md");
        assert_eq!(a.len(), 101);
        assert_eq!(a[99].line, 100);
        assert_eq!((a[100].line, a[100].column), (101, 1), "at the 101st");
        assert_eq!(
            a[100].message,
            "… and 9900 more `liquid-syntax` problems in this file, not listed"
        );
        assert_eq!(of("liquid-syntax", "b.md").len(), 100, "100 are all listed");
        let m = of("missing-file", "a.md");
        assert_eq!(m.len(), 101);
        assert!(m[100].message.contains("and 50 more `missing-file`"));
        assert!(problems.is_sorted());
    }
}
