//! Writes the WXR 1.2 XML: the channel (site, authors, terms) and the items, in the order
//! WordPress's own exporter writes them, every string in CDATA.

use std::fmt::Write as _;

/// The WXR version written (`WXR_VERSION` of WordPress's exporter).
pub const WXR_VERSION: &str = "1.2";

/// A declared author (`wp:author`).
pub struct Author {
    /// `wp:author_login`: what items' `dc:creator` names.
    pub login: String,
    /// `wp:author_display_name`.
    pub display: String,
}

/// A declared term (`wp:category`, `wp:tag` or `wp:term`).
pub struct TermDecl {
    /// `wp:term_id`.
    pub id: u64,
    /// The taxonomy (`category`, `post_tag`, or a custom one).
    pub taxonomy: String,
    /// Its slug (`nicename`).
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// The channel header.
pub struct Channel {
    /// Site title.
    pub title: String,
    /// The old site's URL (empty when it had none).
    pub link: String,
    /// Site language (`fr-fr`).
    pub language: String,
    /// RFC 2822 date of the newest item, for `pubDate`.
    pub pub_date: String,
    /// Authors.
    pub authors: Vec<Author>,
    /// Terms.
    pub terms: Vec<TermDecl>,
}

/// A date as WordPress stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dates {
    /// Site-local `YYYY-MM-DD HH:MM:SS`.
    pub local: String,
    /// UTC `YYYY-MM-DD HH:MM:SS`.
    pub gmt: String,
    /// RFC 2822, UTC.
    pub rfc2822: String,
}

/// One item.
pub struct Post {
    /// `wp:post_id`.
    pub id: u64,
    /// Title.
    pub title: String,
    /// `<link>`: the item's former URL.
    pub link: String,
    /// `<guid isPermaLink="false">`.
    pub guid: String,
    /// `dc:creator`: an author's login.
    pub creator: String,
    /// `content:encoded`: HTML.
    pub content: String,
    /// `excerpt:encoded`.
    pub excerpt: String,
    /// `wp:post_date`, `wp:post_date_gmt`, `pubDate` (`None`: the importer's time).
    pub date: Option<Dates>,
    /// `wp:post_modified` and its GMT form.
    pub modified: Option<Dates>,
    /// `wp:post_name`: the slug.
    pub name: String,
    /// `wp:status`.
    pub status: &'static str,
    /// `wp:post_parent`.
    pub parent: u64,
    /// `wp:menu_order`.
    pub menu_order: i64,
    /// `wp:post_type`.
    pub post_type: String,
    /// `wp:attachment_url`, for attachments.
    pub attachment_url: Option<String>,
    /// Terms: (taxonomy, slug, name).
    pub terms: Vec<(String, String, String)>,
    /// `wp:postmeta`: (key, value).
    pub meta: Vec<(String, String)>,
}

/// Characters XML 1.0 does not allow anywhere, not even in CDATA, removed.
fn clean(s: &str) -> std::borrow::Cow<'_, str> {
    let ok = |c: char| {
        matches!(c, '\t' | '\n' | '\r')
            || ('\u{20}'..='\u{D7FF}').contains(&c)
            || ('\u{E000}'..='\u{FFFD}').contains(&c)
            || c >= '\u{10000}'
    };
    if s.chars().all(ok) {
        s.into()
    } else {
        s.chars().filter(|&c| ok(c)).collect::<String>().into()
    }
}

/// A string as WordPress's `wxr_cdata()` writes it: one CDATA section, each `]]>` split
/// across two.
pub fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", clean(s).replace("]]>", "]]]]><![CDATA[>"))
}

/// Text escaped for an element or attribute outside CDATA.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in clean(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole file.
pub fn write(channel: &Channel, posts: &[Post]) -> String {
    let mut s = String::with_capacity(1 << 20);
    s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n");
    s.push_str("<!-- A WordPress export (WXR) written by carton: import it with Tools > Import > WordPress, and tick \"Download and import file attachments\". -->\n");
    s.push_str(concat!(
        "<rss version=\"2.0\"\n",
        "\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n",
        "\txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n",
        "\txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n",
        "\txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n",
        "\txmlns:wp=\"http://wordpress.org/export/1.2/\"\n",
        ">\n\n<channel>\n"
    ));
    let link = escape(&channel.link);
    let _ = writeln!(s, "\t<title>{}</title>", escape(&channel.title));
    let _ = writeln!(s, "\t<link>{link}</link>");
    s.push_str("\t<description></description>\n");
    let _ = writeln!(s, "\t<pubDate>{}</pubDate>", escape(&channel.pub_date));
    let _ = writeln!(s, "\t<language>{}</language>", escape(&channel.language));
    let _ = writeln!(s, "\t<wp:wxr_version>{WXR_VERSION}</wp:wxr_version>");
    let _ = writeln!(s, "\t<wp:base_site_url>{link}</wp:base_site_url>");
    let _ = writeln!(s, "\t<wp:base_blog_url>{link}</wp:base_blog_url>\n");
    for (i, a) in channel.authors.iter().enumerate() {
        let _ = writeln!(
            s,
            "\t<wp:author><wp:author_id>{}</wp:author_id><wp:author_login>{}</wp:author_login><wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name><wp:author_first_name>{}</wp:author_first_name><wp:author_last_name>{}</wp:author_last_name></wp:author>",
            i + 1,
            cdata(&a.login),
            cdata(""),
            cdata(&a.display),
            cdata(""),
            cdata("")
        );
    }
    s.push('\n');
    for t in &channel.terms {
        let (id, slug, name) = (t.id, cdata(&t.slug), cdata(&t.name));
        let _ = match t.taxonomy.as_str() {
            "category" => writeln!(
                s,
                "\t<wp:category><wp:term_id>{id}</wp:term_id><wp:category_nicename>{slug}</wp:category_nicename><wp:category_parent>{}</wp:category_parent><wp:cat_name>{name}</wp:cat_name></wp:category>",
                cdata("")
            ),
            "post_tag" => writeln!(
                s,
                "\t<wp:tag><wp:term_id>{id}</wp:term_id><wp:tag_slug>{slug}</wp:tag_slug><wp:tag_name>{name}</wp:tag_name></wp:tag>"
            ),
            tax => writeln!(
                s,
                "\t<wp:term><wp:term_id>{id}</wp:term_id><wp:term_taxonomy>{}</wp:term_taxonomy><wp:term_slug>{slug}</wp:term_slug><wp:term_parent>{}</wp:term_parent><wp:term_name>{name}</wp:term_name></wp:term>",
                cdata(tax),
                cdata("")
            ),
        };
    }
    s.push_str("\n\t<generator>carton</generator>\n\n");
    for p in posts {
        item(&mut s, p);
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

fn item(s: &mut String, p: &Post) {
    let none = Dates { local: String::new(), gmt: String::new(), rfc2822: String::new() };
    let date = p.date.as_ref().unwrap_or(&none);
    let modified = p.modified.as_ref().or(p.date.as_ref()).unwrap_or(&none);
    s.push_str("\t<item>\n");
    let _ = writeln!(s, "\t\t<title>{}</title>", cdata(&p.title));
    let _ = writeln!(s, "\t\t<link>{}</link>", escape(&p.link));
    let _ = writeln!(s, "\t\t<pubDate>{}</pubDate>", escape(&date.rfc2822));
    let _ = writeln!(s, "\t\t<dc:creator>{}</dc:creator>", cdata(&p.creator));
    let _ = writeln!(s, "\t\t<guid isPermaLink=\"false\">{}</guid>", escape(&p.guid));
    s.push_str("\t\t<description></description>\n");
    let _ = writeln!(s, "\t\t<content:encoded>{}</content:encoded>", cdata(&p.content));
    let _ = writeln!(s, "\t\t<excerpt:encoded>{}</excerpt:encoded>", cdata(&p.excerpt));
    let _ = writeln!(s, "\t\t<wp:post_id>{}</wp:post_id>", p.id);
    let _ = writeln!(s, "\t\t<wp:post_date>{}</wp:post_date>", cdata(&date.local));
    let _ = writeln!(s, "\t\t<wp:post_date_gmt>{}</wp:post_date_gmt>", cdata(&date.gmt));
    let _ = writeln!(s, "\t\t<wp:post_modified>{}</wp:post_modified>", cdata(&modified.local));
    let _ =
        writeln!(s, "\t\t<wp:post_modified_gmt>{}</wp:post_modified_gmt>", cdata(&modified.gmt));
    // A static site has no comments, and pings of the old pages make no sense.
    let _ = writeln!(s, "\t\t<wp:comment_status>{}</wp:comment_status>", cdata("closed"));
    let _ = writeln!(s, "\t\t<wp:ping_status>{}</wp:ping_status>", cdata("closed"));
    let _ = writeln!(s, "\t\t<wp:post_name>{}</wp:post_name>", cdata(&p.name));
    let _ = writeln!(s, "\t\t<wp:status>{}</wp:status>", cdata(p.status));
    let _ = writeln!(s, "\t\t<wp:post_parent>{}</wp:post_parent>", p.parent);
    let _ = writeln!(s, "\t\t<wp:menu_order>{}</wp:menu_order>", p.menu_order);
    let _ = writeln!(s, "\t\t<wp:post_type>{}</wp:post_type>", cdata(&p.post_type));
    let _ = writeln!(s, "\t\t<wp:post_password>{}</wp:post_password>", cdata(""));
    s.push_str("\t\t<wp:is_sticky>0</wp:is_sticky>\n");
    if let Some(u) = &p.attachment_url {
        let _ = writeln!(s, "\t\t<wp:attachment_url>{}</wp:attachment_url>", cdata(u));
    }
    for (tax, slug, name) in &p.terms {
        let _ = writeln!(
            s,
            "\t\t<category domain=\"{}\" nicename=\"{}\">{}</category>",
            escape(tax),
            escape(slug),
            cdata(name)
        );
    }
    for (k, v) in &p.meta {
        let _ = writeln!(
            s,
            "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t</wp:postmeta>",
            cdata(k),
            cdata(v)
        );
    }
    s.push_str("\t</item>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_splits_its_end_marker_as_wordpress_does() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(cdata("]]>]]>"), "<![CDATA[]]]]><![CDATA[>]]]]><![CDATA[>]]>");
        assert_eq!(cdata("x\u{1}y\u{FFFE}"), "<![CDATA[xy]]>");
    }

    #[test]
    fn escape_covers_markup_and_attribute_quotes() {
        assert_eq!(escape("a<b>&\"c\""), "a&lt;b&gt;&amp;&quot;c&quot;");
    }
}
