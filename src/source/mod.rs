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
    SiteRead { model, files, remote: Vec::new() }
}
