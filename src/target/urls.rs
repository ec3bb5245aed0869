//! URLs of the source site's files and pages, and how a browser resolves a link: to decide
//! which links keep working as written in the target and which must be rewritten.

use crate::model::{FileRole, Model};
use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use std::collections::HashMap;

/// Characters percent-encoded when carton writes a URL path into a link.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'#')
    .add(b'?')
    .add(b'{')
    .add(b'}')
    .add(b'(')
    .add(b')');

/// The site's URL for every page and file, as the source generator published it.
pub struct SiteUrls {
    /// Site path -> URL path (decoded, starting with `/`).
    by_path: HashMap<String, String>,
}

impl SiteUrls {
    /// Computes every URL of the source site.
    pub fn new(model: &Model) -> SiteUrls {
        let mut by_path = HashMap::new();
        // Resource -> (its page's URL, its path below the bundle's folder).
        let mut bundle_of: HashMap<&str, (&str, &str)> = HashMap::new();
        for p in &model.pages {
            by_path.insert(p.path.clone(), decode(&p.url));
            let dir = p.path.rsplit_once('/').map_or("", |(d, _)| d);
            for r in &p.resources {
                let rel = r
                    .strip_prefix(dir)
                    .and_then(|r| r.strip_prefix('/'))
                    .unwrap_or_else(|| r.rsplit('/').next().unwrap_or(r));
                bundle_of.insert(r.as_str(), (p.url.as_str(), rel));
            }
        }
        for f in &model.files {
            if by_path.contains_key(&f.path) {
                continue;
            }
            let url = match f.role {
                FileRole::Static => static_url(model, &f.path),
                // Hugo publishes a bundle's resources below its page's URL, subfolders kept.
                FileRole::Resource => bundle_of
                    .get(f.path.as_str())
                    .map(|(u, rel)| format!("{}{rel}", folder_of(&decode(u)))),
                _ => None,
            };
            if let Some(u) = url {
                by_path.insert(f.path.clone(), u);
            }
        }
        SiteUrls { by_path }
    }

    /// The URL path of a site file or page.
    pub fn of(&self, path: &str) -> Option<&str> {
        self.by_path.get(path).map(String::as_str)
    }
}

/// The folder a page's URL serves from: `/a/` and `/a` give `/a/`, `/a.html` gives `/`.
pub fn folder_of(url: &str) -> String {
    if url.ends_with('/') {
        return url.to_string();
    }
    match url.rsplit_once('/') {
        Some((dir, last)) if last.contains('.') => format!("{dir}/"),
        _ => format!("{url}/"),
    }
}

/// The URL of a static file: its path under the static folder it comes from.
pub fn static_url(model: &Model, path: &str) -> Option<String> {
    for m in &model.site.mounts {
        if m.target == "static" || m.target.starts_with("static/") {
            let sub = m.target.strip_prefix("static").unwrap_or("").trim_start_matches('/');
            let source = m.source.trim_end_matches('/');
            // A site whose root is published (Jekyll) mounts the empty folder.
            let rest = if source.is_empty() {
                Some(path)
            } else {
                path.strip_prefix(&format!("{source}/"))
            };
            if let Some(rest) = rest {
                let rel = if sub.is_empty() { rest.to_string() } else { format!("{sub}/{rest}") };
                return Some(format!("/{rel}"));
            }
        }
    }
    for d in &model.site.static_dirs {
        if let Some(rest) = path.strip_prefix(&format!("{}/", d.trim_end_matches('/'))) {
            return Some(format!("/{rest}"));
        }
    }
    None
}

/// Percent-decodes a URL path (invalid UTF-8 kept as written).
pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8().map_or_else(|_| s.to_string(), |c| c.into_owned())
}

/// Encodes a decoded URL path for writing into a link.
pub fn encode(path: &str) -> String {
    utf8_percent_encode(path, PATH).to_string()
}

/// Where a browser goes for link `raw` on the page at `page_url` (both paths, no host):
/// the decoded path, or `None` for links that leave the site or are not paths.
pub fn browser_resolve(page_url: &str, raw: &str, base_url: &str) -> Option<String> {
    let raw = raw.trim();
    let no_frag = raw.split(['#', '?']).next().unwrap_or("");
    if no_frag.is_empty() {
        return None;
    }
    let lower = no_frag.to_ascii_lowercase();
    let site_prefix = base_url.trim_end_matches('/').to_ascii_lowercase();
    let path =
        if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("//")
        {
            if site_prefix.is_empty() || !lower.starts_with(&site_prefix) {
                return None;
            }
            let rest = &no_frag[site_prefix.len()..];
            if rest.is_empty() { "/".to_string() } else { rest.to_string() }
        } else if no_frag.split('/').next().is_some_and(|s| s.contains(':')) {
            // A scheme (`mailto:`, `tel:`, ...): not a path of the site.
            return None;
        } else if no_frag.starts_with('/') {
            no_frag.to_string()
        } else {
            let dir = match page_url.rfind('/') {
                Some(i) => &page_url[..=i],
                None => "/",
            };
            format!("{dir}{no_frag}")
        };
    Some(normalize(&decode(&path)))
}

/// Removes `.` and `..` segments.
fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = format!("/{}", out.join("/"));
    if trailing && s.len() > 1 {
        s.push('/');
    }
    s
}

/// Whether two URL paths name the same resource on a static host: `/a/` serves
/// `/a/index.html`.
pub fn same_resource(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        let s = s.strip_suffix("index.html").unwrap_or(s);
        let s = s.trim_end_matches('/');
        s.to_string()
    };
    norm(a) == norm(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_as_a_browser_would() {
        assert_eq!(
            browser_resolve("/blog/post/", "img/x.pdf", "").as_deref(),
            Some("/blog/post/img/x.pdf")
        );
        assert_eq!(browser_resolve("/blog/post/", "/img/x.pdf", "").as_deref(), Some("/img/x.pdf"));
        assert_eq!(
            browser_resolve("/blog/post/", "../other/", "").as_deref(),
            Some("/blog/other/")
        );
        assert_eq!(browser_resolve("/a/", "caf%C3%A9.pdf#p2", "").as_deref(), Some("/a/café.pdf"));
        assert_eq!(
            browser_resolve("/a/", "https://site.org/img/x.pdf", "https://site.org/").as_deref(),
            Some("/img/x.pdf")
        );
        assert_eq!(browser_resolve("/a/", "https://other.org/x.pdf", "https://site.org/"), None);
        assert_eq!(browser_resolve("/a/", "mailto:x@y.org", ""), None);
        assert_eq!(browser_resolve("/a/", "#top", ""), None);
    }

    #[test]
    fn a_folder_url_is_its_index_page() {
        assert!(same_resource("/defis/", "/defis/index.html"));
        assert!(same_resource("/defis", "/defis/"));
        assert!(!same_resource("/defis/", "/defi/"));
    }

    #[test]
    fn encoding_keeps_unicode_readable_paths_valid() {
        assert_eq!(encode("/img/a b(1).pdf"), "/img/a%20b%281%29.pdf");
        assert_eq!(encode("/img/é.pdf"), "/img/%C3%A9.pdf");
    }
}
