//! Turning element trees into the public structs, field by field, with the importer's
//! rules: the first of repeated fields wins, the rest are kept as unknown and reported.

use super::text::{Lines, decode};
use super::tree::{Issue, Node, Ns};
use super::{
    Author, Category, Channel, Comment, Item, ItemTerm, Meta, Num, Tag, Term, Text, WxrProblem, php,
};
use std::collections::HashSet;
use std::ops::Range;
use std::str::FromStr;

/// Turns element trees into the public structs, collecting problems.
pub(super) struct Ctx<'a> {
    pub text: &'a str,
    pub lines: &'a Lines<'a>,
    pub problems: Vec<WxrProblem>,
    /// The item being read, for problems.
    pub item: Option<usize>,
    pub post_id: Option<String>,
}

/// Keys of single-valued fields already read in one element.
type Seen<'n> = HashSet<(Ns, &'n str)>;

impl<'a> Ctx<'a> {
    pub(super) fn problem(&mut self, offset: usize, code: &'static str, message: String) {
        let (line, column) = self.lines.position(offset);
        let (item, post_id) = (self.item, self.post_id.clone());
        self.problems.push(WxrProblem { line, column, item, post_id, code, message });
    }

    pub(super) fn issues(&mut self, issues: Vec<Issue>) {
        for (offset, code, message) in issues {
            self.problem(offset, code, message);
        }
    }

    /// The content of a field element.
    fn text(&mut self, node: &Node) -> Text {
        if !node.children.is_empty() {
            let msg = format!(
                "`<{}>` holds elements: kept as raw markup; the exporter should have \
                 wrapped it in CDATA",
                node.qname
            );
            self.problem(node.start, "markup-in-field", msg);
            let range = node.content.clone();
            return Text { value: self.text[range.clone()].to_owned(), span: Some(range) };
        }
        let d = decode(self.text, node.content.clone());
        self.issues(d.issues);
        Text { value: d.value, span: d.span }
    }

    fn string(&mut self, node: &Node) -> String {
        self.text(node).value
    }

    fn num<T: FromStr>(&mut self, node: &Node) -> Num<T> {
        let raw = self.string(node);
        let trimmed = raw.trim();
        let value = if trimmed.is_empty() { None } else { trimmed.parse().ok() };
        if value.is_none() && !trimmed.is_empty() {
            let msg = format!("`<{}>` is {raw:?}, not a whole number: kept as text", node.qname);
            self.problem(node.start, "not-a-number", msg);
        }
        Num { raw, value }
    }

    /// An element not modelled: its text when it is a plain leaf, else its whole markup
    /// as written (so attributes and children survive). A repeated modelled field ends
    /// up here too, reported.
    fn unknown(&mut self, node: &Node, seen: &Seen) -> (String, String) {
        if seen.contains(&(node.ns, node.local)) {
            let msg =
                format!("a second `<{}>`: the first is used, this one kept as unknown", node.qname);
            self.problem(node.start, "duplicate-field", msg);
        }
        let value = if node.children.is_empty() && node.attrs.is_empty() {
            self.string(node)
        } else {
            self.text[node.start..node.end].to_owned()
        };
        (node.qname.to_owned(), value)
    }

    /// Reads `<channel>` into `out`; returns `wp:wxr_version`.
    pub(super) fn channel(&mut self, node: &Node, out: &mut Channel) -> Option<String> {
        let mut version = None;
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "author") => out.authors.push(self.author(c)),
                (Ns::Wp, "category") => out.categories.push(self.category(c)),
                (Ns::Wp, "tag") => out.tags.push(self.tag(c)),
                (Ns::Wp, "term") => out.terms.push(self.term(c)),
                (Ns::None, "title") if seen.insert(key) => out.title = self.string(c),
                (Ns::None, "link") if seen.insert(key) => out.link = self.string(c),
                (Ns::None, "description") if seen.insert(key) => {
                    out.description = self.string(c);
                }
                (Ns::None, "pubDate") if seen.insert(key) => out.pub_date = self.string(c),
                (Ns::None, "language") if seen.insert(key) => out.language = self.string(c),
                (Ns::None, "generator") if seen.insert(key) => out.generator = self.string(c),
                (Ns::Wp, "wxr_version") if seen.insert(key) => {
                    version = Some(self.string(c).trim().to_owned());
                }
                (Ns::Wp, "base_site_url") if seen.insert(key) => {
                    out.base_site_url = self.string(c).trim().to_owned();
                }
                (Ns::Wp, "base_blog_url") if seen.insert(key) => {
                    out.base_blog_url = self.string(c).trim().to_owned();
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    out.unknown.push(u);
                }
            }
        }
        match &version {
            None => self.problem(
                node.start,
                "no-wxr-version",
                "no `wp:wxr_version` in `<channel>`: the WordPress importer refuses such a \
                 file (\"This does not appear to be a WXR file\"); read anyway"
                    .into(),
            ),
            Some(v) if !is_version(v) => self.problem(
                node.start,
                "bad-wxr-version",
                format!(
                    "`wp:wxr_version` is {v:?}, not a version like `1.2`: the WordPress \
                     importer refuses such a file; read anyway"
                ),
            ),
            Some(_) => {}
        }
        version
    }

    fn author(&mut self, node: &Node) -> Author {
        let mut a = Author { line: self.lines.line(node.start), ..Author::default() };
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "author_id") if seen.insert(key) => a.id = self.num(c),
                (Ns::Wp, "author_login") if seen.insert(key) => a.login = self.string(c),
                (Ns::Wp, "author_email") if seen.insert(key) => a.email = self.string(c),
                (Ns::Wp, "author_display_name") if seen.insert(key) => {
                    a.display_name = self.string(c);
                }
                (Ns::Wp, "author_first_name") if seen.insert(key) => {
                    a.first_name = self.string(c);
                }
                (Ns::Wp, "author_last_name") if seen.insert(key) => {
                    a.last_name = self.string(c);
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    a.unknown.push(u);
                }
            }
        }
        a
    }

    fn category(&mut self, node: &Node) -> Category {
        let mut t = Category { line: self.lines.line(node.start), ..Category::default() };
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "termmeta") => t.meta.push(self.meta(c)),
                (Ns::Wp, "term_id") if seen.insert(key) => t.term_id = self.num(c),
                (Ns::Wp, "category_nicename") if seen.insert(key) => {
                    t.nicename = self.string(c);
                }
                (Ns::Wp, "category_parent") if seen.insert(key) => t.parent = self.string(c),
                (Ns::Wp, "cat_name") if seen.insert(key) => t.name = self.string(c),
                (Ns::Wp, "category_description") if seen.insert(key) => {
                    t.description = self.string(c);
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    t.unknown.push(u);
                }
            }
        }
        t
    }

    fn tag(&mut self, node: &Node) -> Tag {
        let mut t = Tag { line: self.lines.line(node.start), ..Tag::default() };
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "termmeta") => t.meta.push(self.meta(c)),
                (Ns::Wp, "term_id") if seen.insert(key) => t.term_id = self.num(c),
                (Ns::Wp, "tag_slug") if seen.insert(key) => t.slug = self.string(c),
                (Ns::Wp, "tag_name") if seen.insert(key) => t.name = self.string(c),
                (Ns::Wp, "tag_description") if seen.insert(key) => {
                    t.description = self.string(c);
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    t.unknown.push(u);
                }
            }
        }
        t
    }

    fn term(&mut self, node: &Node) -> Term {
        let mut t = Term { line: self.lines.line(node.start), ..Term::default() };
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "termmeta") => t.meta.push(self.meta(c)),
                (Ns::Wp, "term_id") if seen.insert(key) => t.term_id = self.num(c),
                (Ns::Wp, "term_taxonomy") if seen.insert(key) => t.taxonomy = self.string(c),
                (Ns::Wp, "term_slug") if seen.insert(key) => t.slug = self.string(c),
                (Ns::Wp, "term_parent") if seen.insert(key) => t.parent = self.string(c),
                (Ns::Wp, "term_name") if seen.insert(key) => t.name = self.string(c),
                (Ns::Wp, "term_description") if seen.insert(key) => {
                    t.description = self.string(c);
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    t.unknown.push(u);
                }
            }
        }
        t
    }

    fn meta(&mut self, node: &Node) -> Meta {
        let mut m = Meta::default();
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "meta_key") if seen.insert(key) => m.key = self.string(c),
                (Ns::Wp, "meta_value") if seen.insert(key) => m.value = self.string(c),
                _ => {
                    let msg = format!("`<{}>` in `<{}>` is ignored", c.qname, node.qname);
                    self.problem(c.start, "unknown-in-meta", msg);
                }
            }
        }
        m.decoded = php::unserialize(&m.value);
        m
    }

    fn comment(&mut self, node: &Node) -> Comment {
        let mut m = Comment { line: self.lines.line(node.start), ..Comment::default() };
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::Wp, "commentmeta") => m.meta.push(self.meta(c)),
                (Ns::Wp, "comment_id") if seen.insert(key) => m.id = self.num(c),
                (Ns::Wp, "comment_author") if seen.insert(key) => m.author = self.string(c),
                (Ns::Wp, "comment_author_email") if seen.insert(key) => {
                    m.author_email = self.string(c);
                }
                (Ns::Wp, "comment_author_url") if seen.insert(key) => {
                    m.author_url = self.string(c);
                }
                (Ns::Wp, "comment_author_IP") if seen.insert(key) => {
                    m.author_ip = self.string(c);
                }
                (Ns::Wp, "comment_date") if seen.insert(key) => m.date = self.string(c),
                (Ns::Wp, "comment_date_gmt") if seen.insert(key) => m.date_gmt = self.string(c),
                (Ns::Wp, "comment_content") if seen.insert(key) => m.content = self.text(c),
                (Ns::Wp, "comment_approved") if seen.insert(key) => m.approved = self.string(c),
                (Ns::Wp, "comment_type") if seen.insert(key) => m.comment_type = self.string(c),
                (Ns::Wp, "comment_parent") if seen.insert(key) => m.parent = self.num(c),
                (Ns::Wp, "comment_user_id") if seen.insert(key) => m.user_id = self.num(c),
                _ => {
                    let u = self.unknown(c, &seen);
                    m.unknown.push(u);
                }
            }
        }
        m
    }

    fn item_term(&mut self, node: &Node) -> ItemTerm {
        let attr = |name: &str| node.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let domain_raw = attr("domain");
        let domain = match domain_raw.as_deref() {
            // WXR 1.0 wrote post tags as `tag`; the importer maps them.
            Some("tag") => "post_tag".to_owned(),
            other => other.unwrap_or_default().to_owned(),
        };
        ItemTerm { domain, domain_raw, nicename: attr("nicename"), name: self.string(node) }
    }

    pub(super) fn item(&mut self, index: usize, span: Range<usize>, node: &Node) -> Item {
        let mut it = Item { index, line: self.lines.line(span.start), span, ..Item::default() };
        it.guid_is_permalink = true;
        let mut seen = Seen::new();
        for c in &node.children {
            let key = (c.ns, c.local);
            match key {
                (Ns::None, "category") => it.terms.push(self.item_term(c)),
                (Ns::Wp, "postmeta") => it.postmeta.push(self.meta(c)),
                (Ns::Wp, "comment") => it.comments.push(self.comment(c)),
                (Ns::None, "title") if seen.insert(key) => it.title = self.string(c),
                (Ns::None, "link") if seen.insert(key) => it.link = self.string(c),
                (Ns::None, "pubDate") if seen.insert(key) => it.pub_date = self.string(c),
                (Ns::Dc, "creator") if seen.insert(key) => it.creator = self.string(c),
                (Ns::None, "guid") if seen.insert(key) => {
                    it.guid = self.string(c);
                    it.guid_is_permalink =
                        !c.attrs.iter().any(|(k, v)| k == "isPermaLink" && v.trim() == "false");
                }
                (Ns::None, "description") if seen.insert(key) => it.description = self.string(c),
                (Ns::Content, "encoded") if seen.insert(key) => it.content = self.text(c),
                (Ns::Excerpt, "encoded") if seen.insert(key) => it.excerpt = self.text(c),
                (Ns::Wp, "post_id") if seen.insert(key) => it.post_id = self.num(c),
                (Ns::Wp, "post_date") if seen.insert(key) => it.post_date = self.string(c),
                (Ns::Wp, "post_date_gmt") if seen.insert(key) => {
                    it.post_date_gmt = self.string(c);
                }
                (Ns::Wp, "post_modified") if seen.insert(key) => {
                    it.post_modified = self.string(c);
                }
                (Ns::Wp, "post_modified_gmt") if seen.insert(key) => {
                    it.post_modified_gmt = self.string(c);
                }
                (Ns::Wp, "comment_status") if seen.insert(key) => {
                    it.comment_status = self.string(c);
                }
                (Ns::Wp, "ping_status") if seen.insert(key) => it.ping_status = self.string(c),
                (Ns::Wp, "post_name") if seen.insert(key) => it.post_name = self.string(c),
                (Ns::Wp, "status") if seen.insert(key) => it.status = self.string(c),
                (Ns::Wp, "post_parent") if seen.insert(key) => it.post_parent = self.num(c),
                (Ns::Wp, "menu_order") if seen.insert(key) => it.menu_order = self.num(c),
                (Ns::Wp, "post_type") if seen.insert(key) => it.post_type = self.string(c),
                (Ns::Wp, "post_password") if seen.insert(key) => {
                    it.post_password = self.string(c);
                }
                (Ns::Wp, "is_sticky") if seen.insert(key) => {
                    let n: Num<i64> = self.num(c);
                    it.is_sticky = n.value.is_some_and(|v| v != 0);
                }
                (Ns::Wp, "attachment_url") if seen.insert(key) => {
                    it.attachment_url = Some(self.string(c));
                }
                _ => {
                    let u = self.unknown(c, &seen);
                    it.unknown.push(u);
                }
            }
        }
        it
    }
}

/// `^\d+\.\d+$`, the importer's check of `wp:wxr_version`.
fn is_version(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    v.split_once('.').is_some_and(|(a, b)| digits(a) && digits(b))
}
