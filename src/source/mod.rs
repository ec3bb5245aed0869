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

pub use media::{is_compressed, is_document, media_type};
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
}

/// Reads the site at `root`: detects its generator and builds the model.
///
/// # Errors
/// When `root` is not a readable folder or holds no site carton recognises, or its main
/// configuration cannot be parsed.
pub fn read_site(root: &Path, opts: &ReadOptions) -> Result<SiteRead> {
    let meta = std::fs::metadata(root).map_err(|e| Error::Read(e, root.to_path_buf()))?;
    if !meta.is_dir() {
        return Err(Error::NotASite {
            path: root.to_path_buf(),
            msg: "not a folder: give the root folder of a Hugo site".into(),
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
