//! What a Liquid call links to: `{% link %}`, `{% post_url %}`, quoted paths
//! through Jekyll's URL filters, and paths glued after `{{ site.baseurl }}`.

use super::{OUTPUT, TAG, floor_boundary};
use crate::model::{ShortcodeCall, ShortcodeParam, Span};

/// What a tag or an output points at, when it denotes a file or a URL of the
/// site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    /// What kind of target.
    pub kind: LinkKind,
    /// For [`LinkKind::File`] the source path relative to the site root (no
    /// leading `/`); for [`LinkKind::Post`] the post's name as written
    /// (`2010-07-21-name`, `/sub/2010-07-21-name`); for [`LinkKind::Url`] the
    /// URL without the site's base URL (`/img/x.pdf`, `/` for the site root).
    pub target: String,
    /// The whole link as written, Liquid included: the tag, the output, or
    /// the output and the path glued to it (`{{ site.baseurl }}/x`).
    /// Replacing this span replaces the link.
    pub span: Span,
}

/// The kinds of [`LinkTarget`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkKind {
    /// `{% link path/to/file.md %}`: a file of the site by its source path.
    File,
    /// `{% post_url 2010-07-21-name %}`: a post by its name.
    Post,
    /// `{{ '/x' | relative_url }}`, `absolute_url`, `prepend: site.baseurl`,
    /// or `{{ site.baseurl }}/x`: a URL of the site.
    Url,
}

/// What `call` (from [`super::parse`] of `text`) points at, when it is a link:
/// `{% link %}`, `{% post_url %}`, a quoted path through URL filters, or
/// `{{ site.baseurl }}` / `{{ site.url }}` followed by a path (read up to a
/// blank, a quote, a bracket, `<`, `>` or `|`). `None` for any other call and
/// for links built from variables (`{{ page.url | relative_url }}`,
/// `{{ site.url }}/{{ item.path }}`), which only rendering can resolve.
pub fn link_target(text: &str, call: &ShortcodeCall) -> Option<LinkTarget> {
    let fixed = |kind| {
        let value = call.params.first()?.value.as_str();
        let target = if kind == LinkKind::File { value.trim_start_matches('/') } else { value };
        (!target.is_empty() && !target.contains("{{")).then(|| LinkTarget {
            kind,
            target: target.to_string(),
            span: call.span,
        })
    };
    match (call.notation.as_str(), call.name.as_str()) {
        (TAG, "link") => fixed(LinkKind::File),
        (TAG, "post_url") => fixed(LinkKind::Post),
        (OUTPUT, "literal") => filtered_url(call),
        (OUTPUT, "site.baseurl" | "site.url") if call.params.is_empty() => glued_url(text, call),
        _ => None,
    }
}

/// `{{ '/x' | relative_url }}` and the like: every filter must keep the
/// literal a site URL.
fn filtered_url(call: &ShortcodeCall) -> Option<LinkTarget> {
    let (literal, filters) = call.params.split_first()?;
    let url_filter = |p: &ShortcodeParam| match p.name.as_deref() {
        Some("relative_url" | "absolute_url") => true,
        Some("prepend") => matches!(p.value.as_str(), "site.baseurl" | "site.url"),
        _ => false,
    };
    if literal.name.is_some() || filters.is_empty() || !filters.iter().all(url_filter) {
        return None;
    }
    let value = literal.value.as_str();
    // Jekyll's URL filters add the missing leading slash; URLs with a scheme
    // pass through unchanged.
    let adds_slash = filters.iter().any(|p| p.name.as_deref() != Some("prepend"));
    let target = if adds_slash && !value.starts_with('/') && !value.contains("://") {
        format!("/{value}")
    } else {
        value.to_string()
    };
    Some(LinkTarget { kind: LinkKind::Url, target, span: call.span })
}

/// `{{ site.baseurl }}/x` (and `{{ site.url }}{{ site.baseurl }}/x`): the path
/// glued after the output.
fn glued_url(text: &str, call: &ShortcodeCall) -> Option<LinkTarget> {
    let mut from = call.span.end;
    if call.name == "site.url" {
        from = after_baseurl_output(text, from).unwrap_or(from);
    } else if after_site_url_output(text, call.span.start) {
        // The `{{ site.url }}` before it gives the link.
        return None;
    }
    let rest = text.get(from..)?;
    let len =
        rest.find(|c: char| c.is_whitespace() || "\"'()[]{}<>|`".contains(c)).unwrap_or(rest.len());
    let suffix = &rest[..len];
    // A path that goes on in Liquid (`{{ site.url }}/{{ item.path }}`) is
    // only known once rendered.
    if rest[len..].starts_with('{') {
        return None;
    }
    let target = match suffix.chars().next() {
        None => "/".to_string(),
        Some('/' | '?' | '#') => suffix.to_string(),
        Some(_) => return None,
    };
    let span = Span { end: from + len, ..call.span };
    Some(LinkTarget { kind: LinkKind::Url, target, span })
}

/// The end of a `{{ site.baseurl }}` output starting at `pos`.
fn after_baseurl_output(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?.strip_prefix("{{")?;
    let close = rest.find("}}")?;
    (output_expression(&rest[..close]) == "site.baseurl").then_some(pos + 2 + close + 2)
}

/// Whether a `{{ site.url }}` output ends at `pos`.
fn after_site_url_output(text: &str, pos: usize) -> bool {
    let Some(before) = text.get(..pos).and_then(|t| t.strip_suffix("}}")) else { return false };
    // `{{ site.url }}` with room for blanks and dashes: a short look back.
    let from = floor_boundary(before, before.len().saturating_sub(40));
    before[from..]
        .rfind("{{")
        .is_some_and(|open| output_expression(&before[from + open + 2..]) == "site.url")
}

/// The expression between an output's braces, without dashes and blanks.
fn output_expression(inner: &str) -> &str {
    let inner = inner.strip_prefix('-').unwrap_or(inner);
    inner.strip_suffix('-').unwrap_or(inner).trim()
}
