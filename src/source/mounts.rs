//! Where a site's content and static files come from: Hugo's `contentDir`/`staticDir` and
//! module mounts (`[[module.mounts]] source = 'content/en' target = 'content'`), mapping site
//! paths to paths under the content root or the published root, and back.

use crate::model::Mount;

/// The content and static mounts of a site, longest source first.
#[derive(Debug, Clone, Default)]
pub struct Mounts {
    /// (source folder, path under the content root).
    content: Vec<(String, String)>,
    /// (source folder, path under the published root).
    statics: Vec<(String, String)>,
    /// (source folder, path under the assets root).
    assets: Vec<(String, String)>,
}

/// Site files a path under a tree's root may be, the most specific mount first.
fn lookup(mounts: &[(String, String)], path: &str) -> Vec<String> {
    let mut hits: Vec<(usize, String)> = mounts
        .iter()
        .filter_map(|(src, tgt)| below(path, tgt).map(|r| (tgt.len(), join(src, r))))
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.0));
    hits.into_iter().map(|(_, p)| p).collect()
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// `rest` of `path` below folder `dir` (`""` is the root and holds everything).
fn below<'a>(path: &'a str, dir: &str) -> Option<&'a str> {
    if dir.is_empty() {
        return Some(path);
    }
    path.strip_prefix(dir).and_then(|r| if r.is_empty() { Some(r) } else { r.strip_prefix('/') })
}

impl Mounts {
    /// From the model's mount list (`target` is `content[/...]` or `static[/...]`).
    pub fn new(mounts: &[Mount]) -> Self {
        let mut m = Mounts::default();
        for mount in mounts {
            let source = mount.source.trim_matches('/').to_string();
            if let Some(t) = below(&mount.target, "content") {
                m.content.push((source, t.to_string()));
            } else if let Some(t) = below(&mount.target, "static") {
                m.statics.push((source, t.to_string()));
            } else if let Some(t) = below(&mount.target, "assets") {
                m.assets.push((source, t.to_string()));
            }
        }
        m.content.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        m.statics.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        m.assets.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.cmp(b)));
        m
    }

    /// Site files that a path under the assets root may be.
    pub fn asset_files(&self, path: &str) -> Vec<String> {
        lookup(&self.assets, path.trim_start_matches('/'))
    }

    /// The path under the content root of a site file, when it is content.
    pub fn content_path(&self, rel: &str) -> Option<String> {
        self.content
            .iter()
            .find_map(|(src, tgt)| below(rel, src).filter(|r| !r.is_empty()).map(|r| join(tgt, r)))
    }

    /// Whether a site file is published as a static file.
    pub fn is_static(&self, rel: &str) -> bool {
        self.statics.iter().any(|(src, _)| below(rel, src).is_some_and(|r| !r.is_empty()))
    }

    /// Site files that a path under the content root may be.
    pub fn content_files(&self, path: &str) -> Vec<String> {
        lookup(&self.content, path.trim_matches('/'))
    }

    /// Site files that a published URL path may be served from.
    pub fn static_files(&self, url_path: &str) -> Vec<String> {
        lookup(&self.statics, url_path.trim_start_matches('/'))
    }

    /// The first static source folder (where a missing static file is expected).
    pub fn first_static(&self) -> &str {
        self.statics.last().map_or("static", |(s, _)| s.as_str())
    }

    /// The first content source folder.
    pub fn first_content(&self) -> &str {
        self.content.last().map_or("content", |(s, _)| s.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(source: &str, target: &str) -> Mount {
        Mount { source: source.into(), target: target.into() }
    }

    #[test]
    fn maps_both_ways() {
        let m = Mounts::new(&[
            mount("content/en", "content"),
            mount("docs", "content/docs"),
            mount("static", "static"),
            mount("assets/pdf", "static/pdf"),
        ]);
        assert_eq!(m.content_path("content/en/a/b.md").as_deref(), Some("a/b.md"));
        assert_eq!(m.content_path("docs/x.md").as_deref(), Some("docs/x.md"));
        assert_eq!(m.content_path("content/fr/a.md"), None);
        assert_eq!(m.content_path("content/en"), None);
        assert_eq!(m.content_files("/docs/x.md"), ["docs/x.md", "content/en/docs/x.md"]);
        assert_eq!(m.static_files("/pdf/r.pdf"), ["assets/pdf/r.pdf", "static/pdf/r.pdf"]);
        assert!(m.is_static("assets/pdf/r.pdf") && !m.is_static("assets/css/x.css"));
        assert!(!m.is_static("staticfile.txt"));
    }
}
