//! WordPress WXR export files (WXR 1.0, 1.1 and 1.2), read into typed structs.
//!
//! This module owns reading one export file: the channel header (site, authors,
//! categories, tags, custom terms) and every `<item>` (posts, pages, attachments, menu
//! items…) with its terms, meta and comments. It does not build carton's content model.
//!
//! Values are kept as written, trimmed only where the WordPress importer trims
//! (`wxr_version`, `base_site_url`, `base_blog_url`). The reader follows the importer's
//! rules (`wordpress-importer`, `class-wxr-parser-simplexml.php`): a DOCTYPE is refused,
//! the first of repeated fields wins, `<category>` terms without `nicename` are kept but
//! flagged, domain `tag` means `post_tag` (WXR 1.0).
//!
//! One bad item does not stop the reading: every `<item>…</item>` is located first at the
//! byte level, then parsed on its own, and an item that is not well-formed is left out
//! and reported in [`Wxr::problems`]. Only a file that cannot be read as WXR at all (not
//! XML, not `<rss><channel>`, not UTF-8, truncated) gives a [`WxrError`].

mod map;
mod parse;
pub mod php;
mod text;
mod tree;

#[cfg(test)]
mod tests;

use std::fmt;
use std::ops::Range;

pub use parse::parse;

/// The whole file could not be read as WXR. Positions are 1-based; `column` counts
/// characters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct WxrError {
    /// Line of the problem.
    pub line: usize,
    /// Column of the problem, in characters.
    pub column: usize,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// Something wrong or unusual in a file that was read anyway. Positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WxrProblem {
    /// Line of the problem.
    pub line: usize,
    /// Column of the problem, in characters.
    pub column: usize,
    /// Index of the `<item>` (0-based, in file order, dropped ones counted) when the
    /// problem is in one.
    pub item: Option<usize>,
    /// The item's `wp:post_id` as written, when known.
    pub post_id: Option<String>,
    /// Stable code: `bad-item` and `unclosed-item` mean the item was left out; the
    /// others describe data that was kept (see the message).
    pub code: &'static str,
    /// What is wrong and what to do about it.
    pub message: String,
}

impl fmt::Display for WxrProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if let Some(i) = self.item {
            write!(f, "item {}", i + 1)?;
            if let Some(id) = &self.post_id {
                write!(f, " (post {id})")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// A parsed WXR file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wxr {
    /// `wp:wxr_version`, trimmed; `None` (with a problem) when missing, which the
    /// WordPress importer refuses.
    pub version: Option<String>,
    /// The site and its declared authors and terms.
    pub channel: Channel,
    /// The items that could be read, in file order.
    pub items: Vec<Item>,
    /// Everything reported while reading, in file order.
    pub problems: Vec<WxrProblem>,
}

/// The `<channel>` header: everything but the items.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Channel {
    /// `<title>`.
    pub title: String,
    /// `<link>`.
    pub link: String,
    /// `<description>`.
    pub description: String,
    /// `<pubDate>` (RFC 822).
    pub pub_date: String,
    /// `<language>`.
    pub language: String,
    /// `<generator>`.
    pub generator: String,
    /// `wp:base_site_url`, trimmed.
    pub base_site_url: String,
    /// `wp:base_blog_url`, trimmed.
    pub base_blog_url: String,
    /// `wp:author` entries.
    pub authors: Vec<Author>,
    /// `wp:category` entries.
    pub categories: Vec<Category>,
    /// `wp:tag` entries.
    pub tags: Vec<Tag>,
    /// `wp:term` entries (custom taxonomies, nav menus…).
    pub terms: Vec<Term>,
    /// Children of `<channel>` not modelled here: qualified name as written, and text
    /// (decoded) or inner markup (as written).
    pub unknown: Vec<(String, String)>,
}

/// A number field: the text as written and, when it is a number, its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Num<T> {
    /// The text as written (empty when the element is absent).
    pub raw: String,
    /// The value, when `raw` (trimmed) is a decimal number.
    pub value: Option<T>,
}

/// A `wp:author`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// 1-based line of `<wp:author>`.
    pub line: usize,
    /// `wp:author_id` (absent before WXR 1.1).
    pub id: Num<u64>,
    /// `wp:author_login`: what items' `dc:creator` refers to.
    pub login: String,
    /// `wp:author_email`.
    pub email: String,
    /// `wp:author_display_name`.
    pub display_name: String,
    /// `wp:author_first_name`.
    pub first_name: String,
    /// `wp:author_last_name`.
    pub last_name: String,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

/// A `wp:category`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    /// 1-based line of `<wp:category>`.
    pub line: usize,
    /// `wp:term_id` (absent in WXR 1.0).
    pub term_id: Num<u64>,
    /// `wp:category_nicename` (the slug).
    pub nicename: String,
    /// `wp:category_parent`: the parent's nicename, empty at the top.
    pub parent: String,
    /// `wp:cat_name`.
    pub name: String,
    /// `wp:category_description`.
    pub description: String,
    /// `wp:termmeta` entries.
    pub meta: Vec<Meta>,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

/// A `wp:tag`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tag {
    /// 1-based line of `<wp:tag>`.
    pub line: usize,
    /// `wp:term_id` (absent in WXR 1.0).
    pub term_id: Num<u64>,
    /// `wp:tag_slug`.
    pub slug: String,
    /// `wp:tag_name`.
    pub name: String,
    /// `wp:tag_description`.
    pub description: String,
    /// `wp:termmeta` entries.
    pub meta: Vec<Meta>,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

/// A `wp:term` of any taxonomy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    /// 1-based line of `<wp:term>`.
    pub line: usize,
    /// `wp:term_id`.
    pub term_id: Num<u64>,
    /// `wp:term_taxonomy`.
    pub taxonomy: String,
    /// `wp:term_slug`.
    pub slug: String,
    /// `wp:term_parent`: the parent's slug, empty at the top.
    pub parent: String,
    /// `wp:term_name`.
    pub name: String,
    /// `wp:term_description`.
    pub description: String,
    /// `wp:termmeta` entries.
    pub meta: Vec<Meta>,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

/// Text that may be pointed at in the original file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    /// The decoded text.
    pub value: String,
    /// The byte range of the file whose bytes are exactly `value`: set when the
    /// element held one CDATA section or plain text without references; `None` when
    /// the text had to be decoded (entities, a split `]]]]><![CDATA[>`, several parts)
    /// or the element is absent.
    pub span: Option<Range<usize>>,
}

/// A `<category>` of an item: one term of any taxonomy.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// The taxonomy: the `domain` attribute with WXR 1.0's `tag` read as `post_tag`;
    /// empty when there is no `domain`.
    pub domain: String,
    /// The `domain` attribute as written, when present.
    pub domain_raw: Option<String>,
    /// The `nicename` attribute (the term's slug). The WordPress importer ignores
    /// terms without one (WXR 1.0 writes each term twice, once without).
    pub nicename: Option<String>,
    /// The term's name (the element's text).
    pub name: String,
}

/// A meta entry (`wp:postmeta`, `wp:commentmeta`, `wp:termmeta`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// `wp:meta_key`.
    pub key: String,
    /// `wp:meta_value` as written.
    pub value: String,
    /// The value decoded with [`php::unserialize`] when it is PHP-serialized plain
    /// data; `None` otherwise (objects and references are never decoded).
    pub decoded: Option<serde_json::Value>,
}

/// A `wp:comment` of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line of `<wp:comment>`.
    pub line: usize,
    /// `wp:comment_id`.
    pub id: Num<u64>,
    /// `wp:comment_author`.
    pub author: String,
    /// `wp:comment_author_email`.
    pub author_email: String,
    /// `wp:comment_author_url`.
    pub author_url: String,
    /// `wp:comment_author_IP`.
    pub author_ip: String,
    /// `wp:comment_date` (site-local time).
    pub date: String,
    /// `wp:comment_date_gmt`.
    pub date_gmt: String,
    /// `wp:comment_content`.
    pub content: Text,
    /// `wp:comment_approved`: `1`, `0`, `spam`, `trash`…
    pub approved: String,
    /// `wp:comment_type`: empty (or `comment`) for comments, `pingback`, `trackback`…
    pub comment_type: String,
    /// `wp:comment_parent`: the `id` of the comment replied to, `0` for none.
    pub parent: Num<u64>,
    /// `wp:comment_user_id`: the commenter's user id, `0` for visitors.
    pub user_id: Num<u64>,
    /// `wp:commentmeta` entries.
    pub meta: Vec<Meta>,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

/// An `<item>`: a post, page, attachment, menu item or any other post type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// Index among the file's `<item>`s (0-based, items left out counted).
    pub index: usize,
    /// 1-based line of `<item>`.
    pub line: usize,
    /// Byte span of the whole `<item>…</item>` in the file.
    pub span: Range<usize>,
    /// `<title>`.
    pub title: String,
    /// `<link>`.
    pub link: String,
    /// `<pubDate>` (RFC 822).
    pub pub_date: String,
    /// `dc:creator`: an author's login.
    pub creator: String,
    /// `<guid>`.
    pub guid: String,
    /// The `isPermaLink` attribute of `<guid>` (RSS: true unless `"false"`).
    pub guid_is_permalink: bool,
    /// `<description>`.
    pub description: String,
    /// `content:encoded`: the body.
    pub content: Text,
    /// `excerpt:encoded`.
    pub excerpt: Text,
    /// `wp:post_id`.
    pub post_id: Num<u64>,
    /// `wp:post_date` (site-local time, `YYYY-MM-DD HH:MM:SS`).
    pub post_date: String,
    /// `wp:post_date_gmt`; `0000-00-00 00:00:00` for drafts never scheduled.
    pub post_date_gmt: String,
    /// `wp:post_modified` (since WordPress 5.7).
    pub post_modified: String,
    /// `wp:post_modified_gmt` (since WordPress 5.7).
    pub post_modified_gmt: String,
    /// `wp:comment_status`: `open` or `closed`.
    pub comment_status: String,
    /// `wp:ping_status`: `open` or `closed`.
    pub ping_status: String,
    /// `wp:post_name`: the slug.
    pub post_name: String,
    /// `wp:status`: `publish`, `draft`, `pending`, `private`, `future`, `inherit`, `trash`…
    pub status: String,
    /// `wp:post_parent`: the parent's `post_id`, `0` for none.
    pub post_parent: Num<u64>,
    /// `wp:menu_order`.
    pub menu_order: Num<i64>,
    /// `wp:post_type`: `post`, `page`, `attachment`, `nav_menu_item`…
    pub post_type: String,
    /// `wp:post_password`: empty unless the post is password-protected.
    pub post_password: String,
    /// `wp:is_sticky` is a non-zero number.
    pub is_sticky: bool,
    /// `wp:attachment_url`, for attachments.
    pub attachment_url: Option<String>,
    /// `<category>` entries: terms of every taxonomy.
    pub terms: Vec<ItemTerm>,
    /// `wp:postmeta` entries.
    pub postmeta: Vec<Meta>,
    /// `wp:comment` entries.
    pub comments: Vec<Comment>,
    /// Children not modelled here (see [`Channel::unknown`]).
    pub unknown: Vec<(String, String)>,
}

impl Item {
    /// The first value of the post meta `key`.
    pub fn meta(&self, key: &str) -> Option<&Meta> {
        self.postmeta.iter().find(|m| m.key == key)
    }
}

/// Reads a WordPress date (`YYYY-MM-DD HH:MM:SS`, as in `wp:post_date`). `None` for the
/// zero date `0000-00-00 00:00:00` WordPress writes for unscheduled drafts, and for
/// anything that is not a valid date.
pub fn parse_date(s: &str) -> Option<time::PrimitiveDateTime> {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::PrimitiveDateTime::parse(s.trim(), &format).ok()
}
