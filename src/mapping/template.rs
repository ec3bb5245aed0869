//! Rewrite templates of mappings: the text emitted in place of a shortcode call.
//!
//! A template is plain text with placeholders, written `${...}` so that it never collides with
//! the target's own syntax (`{{ }}`, `{% %}`):
//!
//! - `${0}`, `${1}`: positional parameters; `${url}`: a named parameter; `${inner}`: the
//!   content between the opening and closing tags, already converted;
//! - `${0,id}`: the first of several parameters the call gives (positional or named form);
//! - `${1?}`: optional (empty when the call does not give it); without `?` a call that lacks
//!   the parameter is not converted: it is carried as written and reported;
//! - `${title|liquid}`: filters, applied left to right (see [`Filter`]);
//! - `$$` is a literal `$`.

use std::fmt;

/// A way to write a parameter's value into the target's syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// A quoted Liquid string literal (`"..."`, or `'...'` when the value holds `"`).
    Liquid,
    /// A quoted Zola shortcode string literal.
    Zola,
    /// Escaped for an HTML attribute or text (`&`, `<`, `>`, `"`, `'`).
    Html,
    /// Markdown link text: `[`, `]`, `\`, `*`, `_` and `` ` `` escaped.
    MdText,
    /// A Markdown link destination: wrapped in `<...>` when it holds spaces or parentheses.
    MdUrl,
    /// A JSON string literal.
    Json,
    /// Leading and trailing white space removed.
    Trim,
}

impl Filter {
    /// Every filter, by name.
    pub const ALL: [(&'static str, Filter); 7] = [
        ("liquid", Filter::Liquid),
        ("zola", Filter::Zola),
        ("html", Filter::Html),
        ("md_text", Filter::MdText),
        ("md_url", Filter::MdUrl),
        ("json", Filter::Json),
        ("trim", Filter::Trim),
    ];

    fn from_name(name: &str) -> Option<Filter> {
        Self::ALL.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }

    /// Applies the filter.
    pub fn apply(self, s: &str) -> String {
        match self {
            Filter::Liquid | Filter::Zola => quote_string(s),
            Filter::Html => html_escape(s),
            Filter::MdText => {
                let mut out = String::with_capacity(s.len());
                for c in s.chars() {
                    if matches!(c, '[' | ']' | '\\' | '*' | '_' | '`') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out
            }
            Filter::MdUrl => {
                if s.contains([' ', '(', ')', '<', '>']) {
                    format!("<{}>", s.replace('<', "%3C").replace('>', "%3E"))
                } else {
                    s.to_string()
                }
            }
            Filter::Json => serde_json::Value::String(s.into()).to_string(),
            Filter::Trim => s.trim().to_string(),
        }
    }
}

/// A string literal for Liquid tag parameters and Zola shortcode arguments: both accept
/// `"..."` and `'...'` with no escapes, so the quote the value does not contain is chosen;
/// a value holding both has its double quotes written as `&quot;` (HTML reads them back).
fn quote_string(s: &str) -> String {
    if !s.contains('"') {
        format!("\"{s}\"")
    } else if !s.contains('\'') {
        format!("'{s}'")
    } else {
        format!("\"{}\"", s.replace('"', "&quot;"))
    }
}

/// Escapes text for HTML attributes and text.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What a placeholder reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A positional parameter.
    Position(usize),
    /// A named parameter.
    Name(String),
    /// The converted inner content of a paired call.
    Inner,
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Position(i) => write!(f, "{i}"),
            Key::Name(n) => f.write_str(n),
            Key::Inner => f.write_str("inner"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value { keys: Vec<Key>, optional: bool, filters: Vec<Filter> },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Where a template is wrong: byte offset in the template and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError {
    /// Byte offset in the template text.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Values for one call.
pub trait Params {
    /// The value of a placeholder, if the call has it.
    fn get(&self, key: &Key) -> Option<String>;
}

impl Template {
    /// Parses a template.
    ///
    /// # Errors
    /// An unclosed `${`, an empty or malformed key, or an unknown filter.
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        let mut offset = 0;
        while let Some(i) = rest.find('$') {
            lit.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            if let Some(r) = after.strip_prefix('$') {
                lit.push('$');
                offset += i + 2;
                rest = r;
                continue;
            }
            let Some(body) = after.strip_prefix('{') else {
                lit.push('$');
                offset += i + 1;
                rest = after;
                continue;
            };
            let start = offset + i;
            let Some(end) = body.find('}') else {
                return Err(TemplateError {
                    offset: start,
                    message: "`${` is never closed by `}`".into(),
                });
            };
            let inside = &body[..end];
            let mut pieces = inside.split('|');
            let head = pieces.next().unwrap_or("").trim();
            let (name, optional) = match head.strip_suffix('?') {
                Some(n) => (n.trim(), true),
                None => (head, false),
            };
            let mut keys = Vec::new();
            for name in name.split(',').map(str::trim) {
                keys.push(if name.is_empty() {
                    return Err(TemplateError {
                        offset: start,
                        message: "empty placeholder: write ${0}, ${name} or ${inner}".into(),
                    });
                } else if let Ok(i) = name.parse::<usize>() {
                    Key::Position(i)
                } else if name == "inner" {
                    Key::Inner
                } else if name.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
                {
                    Key::Name(name.to_string())
                } else {
                    return Err(TemplateError {
                        offset: start,
                        message: format!(
                            "`{name}` is not a parameter name (letters, digits, `_`, `-`, `.`)"
                        ),
                    });
                });
            }
            let mut filters = Vec::new();
            for f in pieces {
                let f = f.trim();
                match Filter::from_name(f) {
                    Some(filter) => filters.push(filter),
                    None => {
                        let known: Vec<&str> = Filter::ALL.iter().map(|(n, _)| *n).collect();
                        return Err(TemplateError {
                            offset: start,
                            message: format!(
                                "unknown filter `{f}`: use one of {}",
                                known.join(", ")
                            ),
                        });
                    }
                }
            }
            if !lit.is_empty() {
                parts.push(Part::Text(std::mem::take(&mut lit)));
            }
            parts.push(Part::Value { keys, optional, filters });
            let consumed = i + 2 + end + 1;
            offset += consumed;
            rest = &rest[consumed..];
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            parts.push(Part::Text(lit));
        }
        Ok(Template { parts })
    }

    /// The placeholders the template reads.
    pub fn keys(&self) -> impl Iterator<Item = &Key> {
        self.parts.iter().flat_map(|p| match p {
            Part::Value { keys, .. } => keys.as_slice(),
            Part::Text(_) => &[],
        })
    }

    /// Renders the template, or names the first required parameter the call lacks.
    ///
    /// # Errors
    /// The key of a required placeholder that `params` does not have.
    pub fn render(&self, params: &dyn Params) -> Result<String, Key> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Value { keys, optional, filters } => {
                    let value = match keys.iter().find_map(|k| params.get(k)) {
                        Some(v) => v,
                        None if *optional => String::new(),
                        None => return Err(keys[0].clone()),
                    };
                    out.push_str(&filters.iter().fold(value, |v, f| f.apply(&v)));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct P(HashMap<String, String>);
    impl Params for P {
        fn get(&self, key: &Key) -> Option<String> {
            self.0.get(&key.to_string()).cloned()
        }
    }
    fn params(pairs: &[(&str, &str)]) -> P {
        P(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn renders_positional_named_inner_and_filters() {
        let t = Template::parse(r#"{% include dm.html id="${0}" title=${1?|liquid} %}${inner?}"#)
            .unwrap();
        let out = t.render(&params(&[("0", "x7tgplay"), ("1", "Vidéo \"A\"")])).unwrap();
        assert_eq!(out, r#"{% include dm.html id="x7tgplay" title='Vidéo "A"' %}"#);
        let t = Template::parse("[${title|md_text}](${url|md_url})").unwrap();
        let out = t.render(&params(&[("title", "a [b]"), ("url", "https://x.org/a (b)")])).unwrap();
        assert_eq!(out, r"[a \[b\]](<https://x.org/a (b)>)");
    }

    #[test]
    fn alternatives_take_the_first_parameter_given() {
        let t = Template::parse("${0,id}").unwrap();
        assert_eq!(t.render(&params(&[("id", "b")])).unwrap(), "b");
        assert_eq!(t.render(&params(&[("0", "a"), ("id", "b")])).unwrap(), "a");
        assert_eq!(t.render(&params(&[])), Err(Key::Position(0)));
    }

    #[test]
    fn a_missing_required_parameter_is_named_and_optional_ones_are_empty() {
        let t = Template::parse("${0} ${1?}").unwrap();
        assert_eq!(t.render(&params(&[("0", "a")])).unwrap(), "a ");
        assert_eq!(t.render(&params(&[("1", "b")])), Err(Key::Position(0)));
    }

    #[test]
    fn dollars_and_braces_of_the_target_syntax_pass_through() {
        let t = Template::parse("{{ dm(id=${0|zola}) }} costs $$5 or $ 6").unwrap();
        assert_eq!(
            t.render(&params(&[("0", "x1")])).unwrap(),
            r#"{{ dm(id="x1") }} costs $5 or $ 6"#
        );
    }

    #[test]
    fn quotes_are_chosen_so_that_the_literal_stays_valid() {
        assert_eq!(Filter::Liquid.apply("it's"), r#""it's""#);
        assert_eq!(Filter::Liquid.apply(r#"say "hi""#), r#"'say "hi"'"#);
        assert_eq!(Filter::Zola.apply(r#"it's "x""#), r#""it's &quot;x&quot;""#);
        assert_eq!(Filter::Html.apply("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
    }

    #[test]
    fn malformed_templates_are_refused_with_the_offset() {
        let e = Template::parse("ab ${0").unwrap_err();
        assert_eq!(e.offset, 3);
        assert!(Template::parse("${}").unwrap_err().message.contains("empty"));
        let e = Template::parse("x ${0|shout}").unwrap_err();
        assert!(e.message.contains("unknown filter `shout`"), "{}", e.message);
        assert!(Template::parse("${a b}").is_err());
    }
}
