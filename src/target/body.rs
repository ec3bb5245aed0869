//! Rewrites a page's body for a target: shortcode calls through the mapping's templates,
//! links whose target moved, and the target's own escaping of text it would otherwise
//! interpret (Liquid in Jekyll). Every change is a span edit: bytes outside the edited
//! spans are copied as they are.

use super::report::Note;
use super::urls;
use crate::mapping::{Key, Params, ShortcodeRule};
use crate::model::{Page, RefSource, Reference, ShortcodeCall, Target};
use indexmap::IndexMap;
use std::collections::HashMap;
use std::ops::Range;

/// The syntax the output is read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavour {
    /// Hugo reads Hugo shortcodes: calls without a rule stay as they are.
    Hugo,
    /// Jekyll runs Liquid over Markdown: `{{`/`{%` in text must be protected.
    Jekyll,
    /// Zola: Hugo calls are inert text there.
    Zola,
    /// The source's own generator (Jekyll to Jekyll): text is copied as it is and calls
    /// without a rule stay as written.
    Same,
    /// WordPress (WXR): the text is Markdown rendered to HTML afterwards; calls without a
    /// rule are inert text there.
    Wxr,
}

/// What the body rewriter needs from the target.
pub struct Ctx<'a> {
    /// Shortcode name -> rule, from the mapping.
    pub rules: Option<&'a IndexMap<String, ShortcodeRule>>,
    /// Output syntax.
    pub flavour: Flavour,
    /// Site path of a page or file -> its URL path in the target (decoded); the URL of a
    /// remote document -> its archived copy's, with `--localize-remote`.
    pub new_url: &'a HashMap<String, String>,
    /// The source site's base URL (links written as absolute URLs of the site itself).
    pub base_url: &'a str,
    /// The site's videos: with `--localize-remote`, a video call the target cannot embed
    /// becomes its archived thumbnail linking to the video.
    pub videos: &'a [crate::model::Video],
}

impl Ctx<'_> {
    /// The URL (encoded) of a resolved reference's target in the target site.
    fn url_of(&self, r: &Reference) -> Option<String> {
        match &r.target {
            Target::File { path } | Target::Page { path } => {
                self.new_url.get(path).map(|u| urls::encode(u))
            }
            // A remote document with an archived copy in the site (`--localize-remote`).
            Target::Remote { url } if r.document => self.new_url.get(url).map(|u| urls::encode(u)),
            _ => None,
        }
    }

    /// The new text of a reference when its target's URL is not where the link, as written,
    /// leads a browser from the page (`None`: the link works as it is).
    fn link_fix(&self, page: &Page, r: &Reference) -> Option<String> {
        let target = match &r.target {
            Target::File { path } | Target::Page { path } => self.new_url.get(path)?,
            Target::Remote { url } if r.document => {
                return self.new_url.get(url).map(|u| urls::encode(u));
            }
            _ => return None,
        };
        let page_url = urls::decode(&page.url);
        if let Some(now) = urls::browser_resolve(&page_url, &r.raw, self.base_url)
            && urls::same_resource(&now, target)
        {
            return None;
        }
        let suffix = r.raw.find(['#', '?']).map_or("", |i| &r.raw[i..]);
        Some(format!("{}{suffix}", urls::encode(target)))
    }
}

/// The rewritten body.
pub struct Out {
    /// New text.
    pub text: String,
    /// Whether anything differs from the source.
    pub changed: bool,
    /// Shortcodes carried verbatim, with why.
    pub not_converted: Vec<Note>,
}

enum Item<'p> {
    Call(usize, &'p ShortcodeCall),
    Link(&'p Reference, String),
}

impl Item<'_> {
    fn span(&self) -> Range<usize> {
        match self {
            Item::Call(_, c) => c.span.range(),
            Item::Link(r, _) => r.span.range(),
        }
    }
}

struct Rewriter<'a, 'p> {
    text: &'p str,
    page: &'p Page,
    ctx: &'a Ctx<'a>,
    /// For each reference: the shortcode that holds it (innermost), if any.
    owner: Vec<Option<usize>>,
    /// Link rewrites by reference index.
    links: Vec<Option<String>>,
    notes: Vec<Note>,
}

/// Rewrites `text[range]` (a page's body) for the target.
pub fn rewrite(text: &str, range: Range<usize>, page: &Page, ctx: &Ctx) -> Out {
    let calls = &page.shortcodes;
    let mut owner = Vec::with_capacity(page.references.len());
    let mut links = Vec::with_capacity(page.references.len());
    let mut seen_spans = std::collections::HashSet::new();
    for r in &page.references {
        let inside = calls
            .iter()
            .enumerate()
            .filter(|(_, c)| c.span.start <= r.span.start && r.span.end <= c.span.end)
            .max_by_key(|(_, c)| c.span.start)
            .map(|(i, _)| i);
        owner.push(inside);
        // A reference is rewritten only where its span holds exactly what was written, and
        // once per span (reference-style links share their definition's span).
        // A quoted shortcode parameter's span holds its quotes: for WordPress, where the
        // rule's template places the value, the value alone is rewritten.
        let written = text.get(r.span.range()).map(|w| {
            if ctx.flavour == Flavour::Wxr && r.source == RefSource::Shortcode {
                w.trim_matches(['"', '\'', '`'])
            } else {
                w
            }
        });
        let fix = if r.source == RefSource::FrontMatter
            || written != Some(r.raw.as_str())
            || !seen_spans.insert(r.span.start)
        {
            None
        } else {
            ctx.link_fix(page, r)
        };
        links.push(fix);
    }
    let mut w = Rewriter { text, page, ctx, owner, links, notes: Vec::new() };
    let out = w.level(range.clone(), None);
    let changed = out != text[range];
    Out { text: out, changed, not_converted: w.notes }
}

impl<'p> Rewriter<'_, 'p> {
    /// Renders a range whose direct shortcodes have `parent` as their parent.
    fn level(&mut self, range: Range<usize>, parent: Option<usize>) -> String {
        let page: &'p Page = self.page;
        let mut items: Vec<Item<'p>> = Vec::new();
        for (i, c) in page.shortcodes.iter().enumerate() {
            if c.parent == parent && c.span.start >= range.start && c.span.end <= range.end {
                items.push(Item::Call(i, c));
            }
        }
        for (i, r) in page.references.iter().enumerate() {
            let Some(new) = &self.links[i] else { continue };
            if r.span.start < range.start || r.span.end > range.end {
                continue;
            }
            // In this level's text: not inside a call of this level (those handle their own).
            let owner = self.owner[i];
            let in_level = match owner {
                None => parent.is_none(),
                Some(o) => {
                    let c = &page.shortcodes[o];
                    Some(o) == parent
                        && c.inner.is_some_and(|s| s.start <= r.span.start && r.span.end <= s.end)
                }
            };
            if in_level {
                items.push(Item::Link(r, new.clone()));
            }
        }
        // At one start, the widest item first: a link written `{{ site.baseurl }}/a.pdf`
        // covers the Liquid output it starts with.
        items.sort_by_key(|it| (it.span().start, std::cmp::Reverse(it.span().end)));
        let mut out = String::new();
        let mut pos = range.start;
        for it in items {
            let span = it.span();
            if span.start < pos {
                continue;
            }
            out.push_str(&self.protect(&self.text[pos..span.start]));
            match it {
                Item::Link(_, new) => out.push_str(&new),
                Item::Call(i, c) => {
                    let s = self.call(i, c);
                    out.push_str(&s);
                }
            }
            pos = span.end;
        }
        out.push_str(&self.protect(&self.text[pos..range.end]));
        out
    }

    /// Text of the source as the target must read it.
    fn protect(&self, s: &str) -> String {
        match self.ctx.flavour {
            Flavour::Hugo | Flavour::Same => s.to_string(),
            Flavour::Zola => zola_escape(&unescape_hugo_comments(s)),
            Flavour::Wxr => unescape_hugo_comments(s),
            Flavour::Jekyll => liquid_raw(&unescape_hugo_comments(s)),
        }
    }

    fn note(&mut self, c: &ShortcodeCall, message: String) {
        self.notes.push(Note {
            path: self.page.path.clone(),
            line: c.span.line,
            subject: c.name.clone(),
            message,
        });
    }

    fn call(&mut self, i: usize, c: &'p ShortcodeCall) -> String {
        if c.notation.starts_with("liquid") {
            return self.liquid(i, c);
        }
        let verbatim = &self.text[c.span.range()];
        if matches!(c.name.as_str(), "ref" | "relref")
            && !matches!(self.ctx.flavour, Flavour::Hugo | Flavour::Same)
        {
            let url = self
                .page
                .references
                .iter()
                .enumerate()
                .find(|(k, _)| self.owner[*k] == Some(i))
                .and_then(|(_, r)| self.ctx.url_of(r));
            return match url {
                Some(u) => u,
                None => {
                    self.note(c, "the page it names is not in the site: kept as written".into());
                    self.protect_call(verbatim)
                }
            };
        }
        let rule = self.ctx.rules.and_then(|r| r.get(&c.name));
        let Some(rule) = rule else {
            if matches!(self.ctx.flavour, Flavour::Hugo | Flavour::Same) {
                // Hugo reads its own calls: keep the tags, convert what is inside.
                return self.keep_tags(i, c);
            }
            if let Some(fallback) = self.video_thumbnail(i) {
                self.note(c, "no rule in the mapping for this video shortcode: replaced by its archived thumbnail, linking to the video".into());
                return fallback;
            }
            self.note(c, "no rule in the mapping for this shortcode: carried verbatim".into());
            return self.protect_call(verbatim);
        };
        let params = CallParams { rw: self, call: c, index: i };
        for (keys, re) in &rule.when {
            let value = keys.iter().find_map(|k| params.get(k));
            match value {
                Some(v) if re.is_match(&v) => {}
                Some(v) => {
                    let msg = format!(
                        "parameter `{}` is `{v}`, which the mapping's rule (line {}) does not accept: carried verbatim",
                        keys[0], rule.line
                    );
                    self.note(c, msg);
                    return self.protect_call(verbatim);
                }
                None => {
                    let msg = format!("parameter `{}` is missing: carried verbatim", keys[0]);
                    self.note(c, msg);
                    return self.protect_call(verbatim);
                }
            }
        }
        let inner = c.inner.map(|s| self.level(s.range(), Some(i)));
        let params = CallParams { rw: self, call: c, index: i };
        let rendered = rule.emit.render(&Rendered { params: &params, inner: inner.as_deref() });
        match rendered {
            Ok(s) => s,
            Err(key) => {
                let msg = format!("parameter `{key}` is missing: carried verbatim");
                self.note(c, msg);
                self.protect_call(verbatim)
            }
        }
    }

    /// A linked image for a video call: the archived thumbnail (placed in the site by
    /// `--localize-remote`) linking to the video's page. `None` when the call holds no video
    /// or its thumbnail was not archived.
    fn video_thumbnail(&self, i: usize) -> Option<String> {
        let key = self.page.references.iter().enumerate().find_map(|(k, r)| match &r.target {
            Target::Video { key } if self.owner[k] == Some(i) => Some(key),
            _ => None,
        })?;
        let video = self.ctx.videos.iter().find(|v| &v.key == key)?;
        let o = video.oembed.as_ref()?;
        let thumb = self.ctx.new_url.get(o.thumbnail_url.as_deref()?)?;
        let title = video.title.as_deref().or(o.title.as_deref()).unwrap_or("video");
        let alt: String = title.chars().filter(|c| !matches!(c, '[' | ']' | '\\' | '\n')).collect();
        Some(format!("[![{alt}]({})]({})", urls::encode(thumb), video.url))
    }

    /// A Liquid tag or output of a Jekyll page: a mapping rule (includes are named
    /// `include FILE`), a link the page's references resolved, or what Liquid would leave
    /// (`raw` text, `highlight` as a fenced block, a comment as an HTML comment); any other
    /// Liquid cannot run in the target and is carried verbatim, and reported.
    fn liquid(&mut self, i: usize, c: &'p ShortcodeCall) -> String {
        let verbatim = &self.text[c.span.range()];
        let inner = |w: &Self| c.inner.map_or("", |s| &w.text[s.range()]);
        let key = match c.name.as_str() {
            "include" | "include_relative" => match c.params.first() {
                Some(file) if file.name.is_none() => format!("{} {}", c.name, file.value),
                _ => c.name.clone(),
            },
            _ => c.name.clone(),
        };
        if let Some(rule) = self.ctx.rules.and_then(|r| r.get(&key)) {
            let inner_text = c.inner.map(|s| self.level(s.range(), Some(i)));
            let params = CallParams { rw: self, call: c, index: i };
            match rule.emit.render(&Rendered { params: &params, inner: inner_text.as_deref() }) {
                Ok(s) => return s,
                Err(k) => {
                    self.note(c, format!("parameter `{k}` is missing: carried verbatim"));
                    return self.protect_call(verbatim);
                }
            }
        }
        // Jekyll reads its own Liquid: kept as written.
        if self.ctx.flavour == Flavour::Same {
            return verbatim.to_string();
        }
        // A link tag or output: what the page's reference to it resolved to.
        let owned =
            self.page.references.iter().enumerate().find(|(k, _)| self.owner[*k] == Some(i));
        if let Some((k, r)) = owned
            && let Some(new) = self.links[k].clone().or_else(|| self.ctx.url_of(r))
        {
            return new;
        }
        match c.name.as_str() {
            "raw" => inner(self).to_string(),
            "comment" => format!("<!--{}-->", inner(self).replace("--", "- -")),
            "highlight" => {
                let lang =
                    c.params.iter().find(|p| p.name.is_none()).map_or("", |p| p.value.as_str());
                format!("```{lang}\n{}\n```", inner(self).trim_matches('\n'))
            }
            _ => {
                self.note(c, "Liquid, which the target cannot run: carried verbatim".into());
                self.protect_call(verbatim)
            }
        }
    }

    /// A call kept as a call (Hugo), with its inner content rewritten.
    fn keep_tags(&mut self, i: usize, c: &'p ShortcodeCall) -> String {
        let open = self.param_fixed_open(i, c);
        match (c.inner, c.close) {
            (Some(inner), Some(close)) => {
                let mid = self.level(inner.range(), Some(i));
                format!("{open}{mid}{}", &self.text[close.range()])
            }
            _ => format!("{open}{}", &self.text[c.open.end..c.span.end]),
        }
    }

    /// The opening tag with its parameters' links rewritten.
    fn param_fixed_open(&self, i: usize, c: &ShortcodeCall) -> String {
        let mut out = String::new();
        let mut pos = c.open.start;
        let mut edits: Vec<(Range<usize>, &str)> = self
            .page
            .references
            .iter()
            .enumerate()
            .filter(|(k, r)| {
                self.owner[*k] == Some(i)
                    && c.open.start <= r.span.start
                    && r.span.end <= c.open.end
            })
            .filter_map(|(k, r)| self.links[k].as_deref().map(|n| (r.span.range(), n)))
            .collect();
        edits.sort_by_key(|(r, _)| r.start);
        for (r, new) in edits {
            if r.start < pos {
                continue;
            }
            out.push_str(&self.text[pos..r.start]);
            out.push_str(new);
            pos = r.end;
        }
        out.push_str(&self.text[pos..c.open.end]);
        out
    }

    fn protect_call(&self, verbatim: &str) -> String {
        match self.ctx.flavour {
            Flavour::Jekyll => liquid_raw(verbatim),
            _ => verbatim.to_string(),
        }
    }
}

struct CallParams<'r, 'a, 'p> {
    rw: &'r Rewriter<'a, 'p>,
    call: &'p ShortcodeCall,
    index: usize,
}

impl Params for CallParams<'_, '_, '_> {
    fn get(&self, key: &Key) -> Option<String> {
        let p = match key {
            Key::Position(n) => self.call.params.iter().filter(|p| p.name.is_none()).nth(*n),
            Key::Name(name) => self.call.params.iter().find(|p| p.name.as_deref() == Some(name)),
            Key::Inner => return None,
        }?;
        let mut value = p.value.clone();
        // A link in the parameter that moved in the target.
        for (k, r) in self.rw.page.references.iter().enumerate() {
            if self.rw.owner[k] == Some(self.index)
                && p.span.start <= r.span.start
                && r.span.end <= p.span.end
                && let Some(new) = &self.rw.links[k]
            {
                value = value.replacen(&r.raw, new, 1);
            }
        }
        Some(value)
    }
}

struct Rendered<'x> {
    params: &'x dyn Params,
    inner: Option<&'x str>,
}

impl Params for Rendered<'_> {
    fn get(&self, key: &Key) -> Option<String> {
        match key {
            Key::Inner => self.inner.map(str::to_string),
            k => self.params.get(k),
        }
    }
}

/// Hugo's escaped calls (`{{</* x */>}}`) are text that shows a call: other generators get
/// the call's text.
pub fn unescape_hugo_comments(s: &str) -> String {
    if !s.contains("/*") {
        return s.to_string();
    }
    s.replace("{{</*", "{{<")
        .replace("*/>}}", ">}}")
        .replace("{{%/*", "{{%")
        .replace("*/%}}", "%}}")
}

/// Escapes text Zola would run as a shortcode (`{{ name(k="v") }}`, `{% name() %}`,
/// `{% end %}`) with Zola's own escape (`{{/* ... */}}`), which it prints as the call's text.
/// Only what Zola's grammar reads as a call is escaped: anything else it prints as is.
pub fn zola_escape(s: &str) -> String {
    static CALL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        let scalar = r#"(?:true|false|"[^"]*"|'[^']*'|`[^`]*`|-?[0-9]+(?:\.[0-9]+)?)"#;
        let literal = format!(r"(?:{scalar}|\[\s*(?:{scalar}\s*,\s*)*(?:{scalar})?\s*\])");
        let kwarg = format!(r"[A-Za-z_][A-Za-z0-9_]*\s*=\s*{literal}");
        let def = format!(r"[A-Za-z_][A-Za-z0-9_]*\s*\(\s*(?:{kwarg}(?:\s*,?\s*{kwarg})*)?\s*\)");
        regex::Regex::new(&format!(
            r"\{{\{{(\s*{def}\s*)\}}\}}|\{{%(\s*{def}\s*)%\}}|\{{%(\s*end\s*)%\}}"
        ))
        .expect("valid Zola call regex")
    });
    if !s.contains("{{") && !s.contains("{%") {
        return s.to_string();
    }
    CALL.replace_all(s, |c: &regex::Captures| match (c.get(1), c.get(2), c.get(3)) {
        (Some(inner), _, _) => format!("{{{{/*{}*/}}}}", inner.as_str()),
        (_, Some(inner), _) | (_, _, Some(inner)) => format!("{{%/*{}*/%}}", inner.as_str()),
        _ => c[0].to_string(),
    })
    .into_owned()
}

/// Protects text from Liquid where it holds Liquid delimiters, line by line: a `{% raw %}`
/// block never spans lines, so Jekyll's excerpt (cut at a blank line) cannot split one.
pub fn liquid_raw(s: &str) -> String {
    if !s.contains("{{") && !s.contains("{%") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 32);
    for line in s.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let eol = &line[body.len()..];
        if body.contains("{{") || body.contains("{%") {
            out.push_str(&raw_line(body));
        } else {
            out.push_str(body);
        }
        out.push_str(eol);
    }
    out
}

/// One line in `{% raw %}`; a line that itself holds `endraw` has its delimiters written as
/// Liquid string outputs instead, which no text can close.
fn raw_line(s: &str) -> String {
    if !s.contains("endraw") {
        return format!("{{% raw %}}{s}{{% endraw %}}");
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut rest = s;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let r = &rest[i..];
        if let Some(after) = r.strip_prefix("{{") {
            out.push_str("{{ \"{{\" }}");
            rest = after;
        } else if let Some(after) = r.strip_prefix("{%") {
            out.push_str("{{ \"{%\" }}");
            rest = after;
        } else {
            out.push('{');
            rest = &r[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn liquid_text_is_protected_and_an_endraw_cannot_escape() {
        assert_eq!(liquid_raw("plain"), "plain");
        assert_eq!(liquid_raw("a {{ x }}"), "{% raw %}a {{ x }}{% endraw %}");
        let s = liquid_raw("{% endraw %}{{ x }}");
        assert_eq!(s, "{{ \"{%\" }} endraw %}{{ \"{{\" }} x }}");
        let s = liquid_raw("{{< a\n  x=1 >}}\n\ntext {{ y }}\n");
        assert_eq!(
            s,
            "{% raw %}{{< a{% endraw %}\n  x=1 >}}\n\n{% raw %}text {{ y }}{% endraw %}\n"
        );
    }

    #[test]
    fn text_zola_would_run_is_escaped_and_nothing_else() {
        assert_eq!(zola_escape(r#"{{ youtube(id="x") }}"#), r#"{{/* youtube(id="x") */}}"#);
        assert_eq!(
            zola_escape("{% quote(author='A', n=2, l=[1, 2]) %}\nhi\n{% end %}"),
            "{%/* quote(author='A', n=2, l=[1, 2]) */%}\nhi\n{%/* end */%}"
        );
        assert_eq!(zola_escape("{{ f() }}"), "{{/* f() */}}");
        // Not calls to Zola: printed as written, so left alone.
        for s in [
            "{{ f(1 + 2) }}",
            "{{< youtube x >}}",
            "{{ page.title }}",
            "{% if x %}",
            "{{ my-video(id=\"1\") }}",
        ] {
            assert_eq!(zola_escape(s), s);
        }
    }

    #[test]
    fn hugo_escaped_calls_become_the_call_text() {
        assert_eq!(unescape_hugo_comments("{{</* youtube x */>}}"), "{{< youtube x >}}");
        assert_eq!(unescape_hugo_comments("{{%/* note */%}}"), "{{% note %}}");
    }
}
