//! Attachments: each local file the pages use (a PDF, an image) becomes an `attachment`
//! item whose `wp:attachment_url` is where the WordPress importer downloads it from, laid
//! out in the media folder written beside the XML so that the folder can be served at that
//! URL as it is.

use super::names::{Unique, file_name};
use crate::model::{FileRole, Model, Target};
use std::collections::HashMap;

/// One attachment.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// The site file.
    pub source: String,
    /// Its path below the media folder and the base URL (`2019/04/name.pdf`).
    pub rel: String,
    /// `wp:attachment_url`: the base URL and `rel`.
    pub url: String,
    /// The first page (site path) that uses it: its parent.
    pub parent: String,
    /// Its media type.
    pub media_type: String,
    /// Its URL path in the source site.
    pub old_url: String,
}

/// The attachments of a site, in the order the pages (in model order) first use them.
/// `month_of` gives the year and month of a page (its upload folder, as WordPress files
/// uploads by month); a file first used by an undated page keeps its own URL path.
pub fn collect(
    model: &Model,
    base_url: &str,
    month_of: &dyn Fn(&str) -> Option<(i32, u8)>,
) -> Vec<Attachment> {
    let files: HashMap<&str, &crate::model::FileEntry> =
        model.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let pages: std::collections::HashSet<&str> =
        model.pages.iter().map(|p| p.path.as_str()).collect();
    let urls = super::super::urls::SiteUrls::new(model);
    let base = base_url.trim_end_matches('/');
    let mut seen = std::collections::HashSet::new();
    let mut names = Unique::new();
    let mut out = Vec::new();
    for page in &model.pages {
        for r in &page.references {
            let Target::File { path } = &r.target else { continue };
            let Some(f) = files.get(path.as_str()) else { continue };
            if !matches!(f.role, FileRole::Static | FileRole::Resource)
                || pages.contains(path.as_str())
                || !seen.insert(path.as_str())
            {
                continue;
            }
            let url_path = urls.of(path).map_or_else(|| format!("/{path}"), str::to_string);
            let (dir, name) = url_path.rsplit_once('/').unwrap_or(("", &url_path));
            let folder = match month_of(&page.path) {
                Some((y, m)) => format!("{y:04}/{m:02}"),
                None => dir
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(file_name)
                    .collect::<Vec<_>>()
                    .join("/"),
            };
            let name = file_name(name);
            let rel =
                names.take(&if folder.is_empty() { name } else { format!("{folder}/{name}") });
            out.push(Attachment {
                source: path.clone(),
                url: format!("{base}/{rel}"),
                rel,
                parent: page.path.clone(),
                media_type: f.media_type.clone(),
                old_url: url_path.clone(),
            });
        }
    }
    out
}
