//! Mappings: YAML files that drive an import (front matter fields, sections, paths and
//! shortcode rewrites). The format is documented in `mappings/README.md`; the mappings
//! carton ships are compiled in and listed by `carton mappings`.

pub mod dates;
pub mod template;

use crate::error::{Error, Location, Result};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
pub use template::{Filter, Key, Params, Template};

/// The version of the mapping format this carton reads.
pub const MAPPING_VERSION: u32 = 1;

/// The mappings shipped with carton: (file name, text).
pub const SHIPPED: &[(&str, &str)] = &[
    ("hugo-to-hugo.yaml", include_str!("../../mappings/hugo-to-hugo.yaml")),
    ("hugo-to-jekyll.yaml", include_str!("../../mappings/hugo-to-jekyll.yaml")),
    ("hugo-to-zola.yaml", include_str!("../../mappings/hugo-to-zola.yaml")),
    ("jekyll-to-hugo.yaml", include_str!("../../mappings/jekyll-to-hugo.yaml")),
    ("jekyll-to-jekyll.yaml", include_str!("../../mappings/jekyll-to-jekyll.yaml")),
    ("jekyll-to-zola.yaml", include_str!("../../mappings/jekyll-to-zola.yaml")),
    ("eig-jekyll-to-hugo.yaml", include_str!("../../mappings/eig-jekyll-to-hugo.yaml")),
    ("wxr-to-hugo.yaml", include_str!("../../mappings/wxr-to-hugo.yaml")),
    ("wxr-to-jekyll.yaml", include_str!("../../mappings/wxr-to-jekyll.yaml")),
    ("hugo-to-wxr.yaml", include_str!("../../mappings/hugo-to-wxr.yaml")),
];

/// A site format carton reads or writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Hugo.
    Hugo,
    /// Jekyll.
    Jekyll,
    /// Zola.
    Zola,
    /// WordPress, through its export files (WXR): read as a source (a model's generator
    /// `wordpress`), written as a target (`--to wxr`).
    Wxr,
}

impl Format {
    /// The format of a lower-case name (`hugo`, `wxr`) or of a model's `generator`
    /// (`wordpress`).
    pub fn from_name(name: &str) -> Option<Format> {
        if name == "wordpress" {
            return Some(Format::Wxr);
        }
        [Format::Hugo, Format::Jekyll, Format::Zola, Format::Wxr]
            .into_iter()
            .find(|f| f.name() == name)
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Hugo => "hugo",
            Format::Jekyll => "jekyll",
            Format::Zola => "zola",
            Format::Wxr => "wxr",
        }
    }
}

/// A mapping file, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Raw {
    carton_mapping: u32,
    #[serde(default)]
    description: Option<String>,
    from: Format,
    to: Format,
    #[serde(default)]
    fields: Fields,
    #[serde(default)]
    sections: IndexMap<String, String>,
    #[serde(default)]
    joins: Vec<Join>,
    #[serde(default)]
    paths: Vec<PathRule>,
    #[serde(default)]
    shortcodes: IndexMap<String, RawShortcode>,
    #[serde(default)]
    files: IndexMap<String, String>,
    #[serde(default)]
    hierarchical: Vec<String>,
    #[serde(default)]
    media_base_url: Option<String>,
}

/// Front matter rules, applied in this order: drop, rename, values, dates, defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// Fields left out of the output (each one reported).
    #[serde(default)]
    pub drop: Vec<String>,
    /// Old name -> new name.
    #[serde(default)]
    pub rename: IndexMap<String, String>,
    /// Field (new name) -> old value -> new value; applied to each element of a list.
    #[serde(default)]
    pub values: IndexMap<String, IndexMap<String, Value>>,
    /// Field -> value, set where a page does not have the field.
    #[serde(default)]
    pub defaults: IndexMap<String, Value>,
    /// Field (new name) -> the format its dates are written in.
    #[serde(default)]
    pub dates: IndexMap<String, dates::DateFormat>,
}

/// Records of a data file of the site joined into the pages they describe: each record
/// whose `key` field equals the page's `on` value gives the page its fields (the page's own
/// win). Joined fields then go through the field rules like the page's own.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// The data file (`_data/defis.yml`): a map of records (the key is `_key`) or a list.
    pub data: String,
    /// What of the page is matched: `url`, `title`, `slug` (the file name without date and
    /// extension), `path`, or `field:NAME` (a front matter field).
    pub on: String,
    /// The record's field holding that value, or `_key` for its key in a map.
    pub key: String,
    /// Only the pages of this section (Hugo) or collection (Jekyll).
    #[serde(default)]
    pub section: Option<String>,
    /// The record fields joined (every one when empty).
    #[serde(default)]
    pub fields: Vec<String>,
}

/// Moves files whose output path starts with `from` to start with `to`; links follow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathRule {
    /// Prefix of the output path, as the target would place the file (`static/img/`).
    pub from: String,
    /// Replacement prefix (`assets/img/`).
    pub to: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShortcode {
    emit: String,
    #[serde(default)]
    when: IndexMap<String, String>,
}

/// How one shortcode is rewritten.
#[derive(Debug, Clone)]
pub struct ShortcodeRule {
    /// What replaces the call.
    pub emit: Template,
    /// Parameter -> pattern the value must match for the call to be converted.
    pub when: Vec<(Vec<Key>, regex::Regex)>,
    /// Line of the rule in the mapping file.
    pub line: usize,
}

/// A loaded, checked mapping.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// Where it came from (a path, or `mappings/NAME` for a shipped one).
    pub origin: PathBuf,
    /// The YAML text, to locate rules by line.
    text: String,
    /// What it says it does.
    pub description: Option<String>,
    /// Source format.
    pub from: Format,
    /// Target format.
    pub to: Format,
    /// Front matter rules.
    pub fields: Fields,
    /// Source section -> target section or collection (`posts` for Jekyll's `_posts`).
    pub sections: IndexMap<String, String>,
    /// Data joins, applied in order before the field rules.
    pub joins: Vec<Join>,
    /// Output path rules.
    pub paths: Vec<PathRule>,
    /// Shortcode name -> rule.
    pub shortcodes: IndexMap<String, ShortcodeRule>,
    /// Extra files written into the output (templates of includes and shortcodes).
    pub files: IndexMap<String, String>,
    /// `to: wxr`: custom post types (named in `sections:`) that are hierarchical, so that a
    /// section's index page is the parent of its pages (`page` always is).
    pub hierarchical: Vec<String>,
    /// `to: wxr`: the URL the attachments will be downloaded from at import time
    /// (`--media-base-url` overrides it).
    pub media_base_url: Option<String>,
}

fn mapping_error(origin: &Path, line: usize, column: usize, msg: impl Into<String>) -> Error {
    Error::Config {
        location: Location { path: origin.to_path_buf(), line, column },
        msg: msg.into(),
    }
}

/// The 1-based line where `key:` is first written at or after line `from`, for errors about
/// a rule (serde_yaml keeps no positions for values).
fn line_of(text: &str, key: &str, from: usize) -> usize {
    let quoted =
        [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':"), format!("- {key}")];
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            quoted.iter().any(|q| t.starts_with(q.as_str())) || t == key
        })
        .map_or(from.max(1), |(i, _)| i + 1)
}

/// The line of a join's entry: the line that names its data file.
fn join_line(text: &str, data: &str) -> usize {
    let from = line_of(text, "joins", 1);
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| l.contains("data:") && l.contains(data))
        .map_or(from, |(i, _)| i + 1)
}

impl Mapping {
    /// Parses and checks a mapping. `origin` names it in errors.
    ///
    /// # Errors
    /// YAML syntax, an unknown key, a wrong version, a bad template or pattern, a path rule
    /// or extra file that would leave the output: each with the mapping's file and line.
    pub fn parse(text: &str, origin: &Path) -> Result<Mapping> {
        let raw: Raw = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
            mapping_error(origin, line, column, format!("not a carton mapping: {e}"))
        })?;
        if raw.carton_mapping != MAPPING_VERSION {
            return Err(mapping_error(
                origin,
                line_of(text, "carton-mapping", 1),
                1,
                format!(
                    "mapping format version {} is not one this carton reads (it reads {MAPPING_VERSION})",
                    raw.carton_mapping
                ),
            ));
        }
        if raw.to == Format::Wxr {
            check_wxr(&raw)
                .map_err(|(key, msg)| mapping_error(origin, line_of(text, &key, 1), 1, msg))?;
        } else if let Some(key) = [
            (!raw.hierarchical.is_empty()).then_some("hierarchical"),
            raw.media_base_url.is_some().then_some("media-base-url"),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            return Err(mapping_error(
                origin,
                line_of(text, key, 1),
                1,
                format!("`{key}` is only read with `to: wxr`"),
            ));
        }
        let section_line = line_of(text, "shortcodes", 1);
        let mut shortcodes = IndexMap::new();
        for (name, rule) in raw.shortcodes {
            let line = line_of(text, &name, section_line);
            let emit = Template::parse(&rule.emit).map_err(|e| {
                mapping_error(
                    origin,
                    line,
                    1,
                    format!("shortcode `{name}`: bad template at byte {}: {}", e.offset, e.message),
                )
            })?;
            let mut when = Vec::new();
            for (param, pattern) in rule.when {
                let keys: Vec<Key> = match Template::parse(&format!("${{{param}}}")) {
                    Ok(t) => t.keys().cloned().collect(),
                    Err(_) => Vec::new(),
                };
                if keys.is_empty() {
                    return Err(mapping_error(
                        origin,
                        line,
                        1,
                        format!(
                            "shortcode `{name}`: `when` names `{param}`, which is not a parameter name"
                        ),
                    ));
                }
                let re = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                    mapping_error(
                        origin,
                        line,
                        1,
                        format!("shortcode `{name}`: bad pattern for `{param}`: {e}"),
                    )
                })?;
                when.push((keys, re));
            }
            if raw.to == Format::Zola {
                check_zola_calls(&rule.emit, &raw.files).map_err(|msg| {
                    mapping_error(origin, line, 1, format!("shortcode `{name}`: {msg}"))
                })?;
            }
            shortcodes.insert(name, ShortcodeRule { emit, when, line });
        }
        for join in &raw.joins {
            let line = join_line(text, &join.data);
            let on_ok = matches!(join.on.as_str(), "url" | "title" | "slug" | "path")
                || join.on.strip_prefix("field:").is_some_and(|f| !f.is_empty());
            if !on_ok {
                return Err(mapping_error(
                    origin,
                    line,
                    1,
                    format!(
                        "join `{}`: `on: {}` is not url, title, slug, path or field:NAME",
                        join.data, join.on
                    ),
                ));
            }
            if let Some(why) = unsafe_output_path(&join.data) {
                return Err(mapping_error(origin, line, 1, format!("join `{}`: {why}", join.data)));
            }
        }
        for rule in &raw.paths {
            for p in [&rule.from, &rule.to] {
                if let Some(why) = unsafe_output_path(p) {
                    return Err(mapping_error(
                        origin,
                        line_of(text, "paths", 1),
                        1,
                        format!("path rule `{}` -> `{}`: {why}", rule.from, rule.to),
                    ));
                }
            }
        }
        for name in raw.files.keys() {
            if let Some(why) = unsafe_output_path(name)
                .or((name.is_empty() || name.ends_with('/')).then_some("not a file name"))
            {
                return Err(mapping_error(
                    origin,
                    line_of(text, name, line_of(text, "files", 1)),
                    1,
                    format!("extra file `{name}`: {why}"),
                ));
            }
        }
        Ok(Mapping {
            origin: origin.to_path_buf(),
            text: text.to_string(),
            description: raw.description,
            from: raw.from,
            to: raw.to,
            fields: raw.fields,
            sections: raw.sections,
            joins: raw.joins,
            paths: raw.paths,
            shortcodes,
            files: raw.files,
            hierarchical: raw.hierarchical,
            media_base_url: raw.media_base_url,
        })
    }

    /// Reads and checks a mapping file.
    ///
    /// # Errors
    /// As [`Mapping::parse`], and when the file cannot be read.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Read(e, path.to_path_buf()))?;
        Mapping::parse(&text, path)
    }

    /// The shipped mapping for a direction, if any.
    pub fn shipped(from: Format, to: Format) -> Option<Mapping> {
        let name = format!("{}-to-{}.yaml", from.name(), to.name());
        SHIPPED.iter().find(|(n, _)| *n == name).and_then(|(n, text)| {
            // Shipped mappings are checked by the tests: a failure here is a bug in carton.
            Mapping::parse(text, &Path::new("mappings").join(n)).ok()
        })
    }

    /// Checks the mapping against a site: every field it names must exist in some page's
    /// front matter (or be declared by the site's CMS schema).
    ///
    /// # Errors
    /// The first field rule that names a field no page has, with its line.
    pub fn check_fields(&self, known: &dyn Fn(&str) -> bool) -> Result<()> {
        let fields_line = line_of(&self.text, "fields", 1);
        let renamed: Vec<&String> = self.fields.rename.values().collect();
        let names = self
            .fields
            .drop
            .iter()
            .chain(self.fields.rename.keys())
            .chain(self.fields.values.keys().filter(|k| !renamed.contains(k)))
            .chain(self.fields.dates.keys().filter(|k| !renamed.contains(k)));
        for name in names {
            if !known(name) {
                return Err(mapping_error(
                    &self.origin,
                    line_of(&self.text, name, fields_line),
                    1,
                    format!(
                        "field `{name}` is in no page's front matter: check its spelling, or remove the rule"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// An output path after the mapping's path rules (the first rule whose prefix matches).
    pub fn apply_paths(&self, p: &str) -> String {
        for rule in &self.paths {
            if let Some(rest) = p.strip_prefix(rule.from.as_str()) {
                return format!("{}{rest}", rule.to);
            }
        }
        p.to_string()
    }

    /// Where the join of data file `data` is written.
    pub fn join_line(&self, data: &str) -> usize {
        join_line(&self.text, data)
    }

    /// Where a rule about `key` is written, for reports.
    pub fn line_of(&self, key: &str) -> usize {
        line_of(&self.text, key, 1)
    }
}

/// Checks what a `to: wxr` mapping names: post types WordPress accepts (`sections:` values
/// and `hierarchical:`), an http(s) `media-base-url`, and no `paths:` or `files:` (a WXR
/// file has no output tree). Errors are (key to locate, message).
fn check_wxr(raw: &Raw) -> std::result::Result<(), (String, String)> {
    // register_post_type(): at most 20 characters, lower-case letters, digits, `_`, `-`.
    let bad_type = |t: &str| {
        t.is_empty()
            || t.len() > 20
            || !t
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    for (section, t) in &raw.sections {
        if bad_type(t) {
            return Err((
                section.clone(),
                format!(
                    "section `{section}`: `{t}` is not a WordPress post type name (1 to 20 lower-case letters, digits, `_`, `-`)"
                ),
            ));
        }
        if t == "attachment" {
            return Err((
                section.clone(),
                format!("section `{section}`: pages cannot be attachments"),
            ));
        }
    }
    for t in &raw.hierarchical {
        if bad_type(t) || t == "post" || t == "attachment" {
            return Err((
                "hierarchical".into(),
                format!("`{t}` cannot be a hierarchical post type"),
            ));
        }
    }
    if let Some(u) = &raw.media_base_url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(("media-base-url".into(), format!("`{u}` is not an http(s) URL")));
    }
    if !raw.paths.is_empty() {
        return Err((
            "paths".into(),
            "`paths:` has no meaning with `to: wxr`: a WXR file has no folders".into(),
        ));
    }
    if !raw.files.is_empty() {
        return Err((
            "files".into(),
            "`files:` has no meaning with `to: wxr`: a WXR file has no folders".into(),
        ));
    }
    Ok(())
}

/// Checks the Zola shortcode calls a rule emits: Zola prints a call whose name holds a
/// hyphen as text, and fails the build on a call that has no template.
fn check_zola_calls(
    emit: &str,
    files: &IndexMap<String, String>,
) -> std::result::Result<(), String> {
    static CALL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\{[{%]\s*([A-Za-z0-9_-]+)\s*\(").expect("valid call regex")
    });
    for c in CALL.captures_iter(emit) {
        let name = &c[1];
        if name.contains('-') || name.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(format!(
                "`{name}` is not a name Zola reads (letters, digits and `_`, not starting with a digit): Zola would print the call as text"
            ));
        }
        let template = ["html", "md"]
            .iter()
            .any(|e| files.contains_key(&format!("templates/shortcodes/{name}.{e}")));
        if !template {
            return Err(format!(
                "emits a Zola call to `{name}`, but `files:` has no templates/shortcodes/{name}.html: Zola has no built-in shortcodes and fails the build"
            ));
        }
    }
    Ok(())
}

/// Why a relative output path could leave the output folder, if it could.
pub fn unsafe_output_path(p: &str) -> Option<&'static str> {
    if p.starts_with('/') || p.starts_with('\\') || p.contains('\\') {
        return Some("must be a relative path with `/` separators");
    }
    if p.split('/').any(|c| c == "..") {
        return Some("must not contain `..`");
    }
    if p.contains(['\0', ':']) {
        return Some("must not contain NUL or `:`");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_mapping_loads() {
        for (name, text) in SHIPPED {
            let m = Mapping::parse(text, Path::new(name));
            assert!(m.is_ok(), "{name}: {}", m.err().map(|e| e.to_string()).unwrap_or_default());
        }
    }

    #[test]
    fn unknown_keys_and_bad_templates_are_located() {
        let text = "carton-mapping: 1\nfrom: hugo\nto: jekyll\nshortcodez: {}\n";
        let e = Mapping::parse(text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:4:"), "{e}");
        assert!(e.contains("shortcodez"), "{e}");
        let text = "carton-mapping: 1\nfrom: hugo\nto: jekyll\nshortcodes:\n  youtube:\n    emit: '${0|loud}'\n";
        let e = Mapping::parse(text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:5:"), "{e}");
        assert!(e.contains("unknown filter `loud`"), "{e}");
        let text = "carton-mapping: 2\nfrom: hugo\nto: jekyll\n";
        let e = Mapping::parse(text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:1:") && e.contains("version 2"), "{e}");
        let text =
            "carton-mapping: 1\nfrom: hugo\nto: jekyll\npaths:\n  - {from: static/, to: ../x/}\n";
        let e = Mapping::parse(text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:4:") && e.contains(".."), "{e}");
        let text = "carton-mapping: 1\nfrom: hugo\nto: jekyll\nfiles:\n  /etc/passwd: x\n";
        assert!(Mapping::parse(text, Path::new("m.yaml")).is_err());
    }

    #[test]
    fn zola_calls_need_a_valid_name_and_a_template() {
        let head = "carton-mapping: 1\nfrom: hugo\nto: zola\nshortcodes:\n";
        let text =
            format!("{head}  arrow-link:\n    emit: '{{{{ arrow-link(url=${{0|zola}}) }}}}'\n");
        let e = Mapping::parse(&text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:5:") && e.contains("not a name Zola reads"), "{e}");
        let text = format!("{head}  note:\n    emit: '{{% note() %}}${{inner}}{{% end %}}'\n");
        let e = Mapping::parse(&text, Path::new("m.yaml")).unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:5:") && e.contains("templates/shortcodes/note.html"), "{e}");
        let with = format!(
            "{text}files:\n  templates/shortcodes/note.html: '<aside>{{{{ body }}}}</aside>'\n"
        );
        assert!(Mapping::parse(&with, Path::new("m.yaml")).is_ok());
        // Other targets have their own syntax: no such check.
        let jekyll = text.replace("to: zola", "to: jekyll");
        assert!(Mapping::parse(&jekyll, Path::new("m.yaml")).is_ok());
    }

    #[test]
    fn a_field_no_page_has_is_an_error_at_its_line() {
        let text = "carton-mapping: 1\nfrom: hugo\nto: hugo\nfields:\n  rename:\n    who: administration\n    tonw: city\n";
        let m = Mapping::parse(text, Path::new("m.yaml")).unwrap();
        let e = m.check_fields(&|f| f == "who").unwrap_err().to_string();
        assert!(e.starts_with("m.yaml:7:") && e.contains("`tonw`"), "{e}");
        assert!(m.check_fields(&|f| f == "who" || f == "tonw").is_ok());
    }
}
