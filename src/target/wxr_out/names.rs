//! Names WordPress accepts: slugs (`post_name`, term `nicename`), author logins and upload
//! file names, all lower-case ASCII where WordPress would make them so.

use std::collections::HashSet;

/// Latin letters with diacritics, folded to ASCII as WordPress's `remove_accents()` does for
/// the common ones.
const FOLD: &[(&str, &str)] = &[
    ("àáâãäåāăą", "a"),
    ("çćĉċč", "c"),
    ("ďđ", "d"),
    ("èéêëēĕėęě", "e"),
    ("ĝğġģ", "g"),
    ("ĥħ", "h"),
    ("ìíîïĩīĭįı", "i"),
    ("ĵ", "j"),
    ("ķ", "k"),
    ("ĺļľŀł", "l"),
    ("ñńņňŉ", "n"),
    ("òóôõöøōŏő", "o"),
    ("ŕŗř", "r"),
    ("śŝşš", "s"),
    ("ţťŧ", "t"),
    ("ùúûüũūŭůűų", "u"),
    ("ŵ", "w"),
    ("ýÿŷ", "y"),
    ("źżž", "z"),
    ("æ", "ae"),
    ("œ", "oe"),
    ("ß", "ss"),
    ("þ", "th"),
    ("ð", "d"),
];

fn fold(c: char) -> Option<&'static str> {
    FOLD.iter().find(|(from, _)| from.contains(c)).map(|(_, to)| *to)
}

/// Lower-case ASCII letters and digits, other runs of characters as one `-` (or `keep`
/// characters kept), accents folded.
fn ascii(s: &str, keep: &[char]) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() || keep.contains(&c) {
            out.push(c);
        } else if let Some(f) = fold(c) {
            out.push_str(f);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out
}

/// A slug: lower-case ASCII letters, digits and single `-`, at most 190 bytes (WordPress's
/// `post_name` column holds 200); `fallback` when nothing is left.
pub fn slug(s: &str, fallback: &str) -> String {
    let mut out = ascii(s, &[]);
    out.truncate(190);
    let out = out.trim_matches('-');
    if out.is_empty() { fallback.to_string() } else { out.to_string() }
}

/// An author login (`sanitize_user` strict: letters, digits, `_`, `.`, `-`, `@`).
pub fn login(s: &str) -> String {
    let out = ascii(s, &['_', '.', '@']);
    let out = out.trim_matches('-');
    if out.is_empty() { "admin".into() } else { out.to_string() }
}

/// A file name the importer keeps as it is (`sanitize_file_name`): letters, digits, `-`,
/// `_`, `.`; case is kept.
pub fn file_name(name: &str) -> String {
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() => (s, Some(e)),
        _ => (name, None),
    };
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' {
            out.push(c);
        } else if let Some(f) = fold(c.to_lowercase().next().unwrap_or(c)) {
            if c.is_uppercase() {
                out.push_str(&f.to_uppercase());
            } else {
                out.push_str(f);
            }
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let stem = out.trim_matches(['-', '.']);
    let stem = if stem.is_empty() { "file" } else { stem };
    match ext.map(|e| slug(e, "")) {
        Some(e) if !e.is_empty() => format!("{stem}.{e}"),
        _ => stem.to_string(),
    }
}

/// Makes names unique in a set: `name`, `name-2`, `name-3`... (compared without case; a
/// file name keeps its extension last).
pub struct Unique(HashSet<String>);

impl Unique {
    /// An empty set.
    pub fn new() -> Unique {
        Unique(HashSet::new())
    }

    /// `name`, or the first free variant of it, now taken.
    pub fn take(&mut self, name: &str) -> String {
        let (stem, ext) = match name.rsplit_once('.') {
            Some((s, e)) if !s.is_empty() && !s.ends_with('/') && !e.contains('/') => {
                (s, format!(".{e}"))
            }
            _ => (name, String::new()),
        };
        let mut n = 1;
        loop {
            let candidate = if n == 1 { name.to_string() } else { format!("{stem}-{n}{ext}") };
            if self.0.insert(candidate.to_lowercase()) {
                return candidate;
            }
            n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_case_ascii() {
        assert_eq!(slug("Numérique public", "x"), "numerique-public");
        assert_eq!(slug("Œuvres d'Été — 2019!", "x"), "oeuvres-d-ete-2019");
        assert_eq!(slug("日本", "page"), "page");
        assert_eq!(login("Jeanne Dupont"), "jeanne-dupont");
    }

    #[test]
    fn file_names_keep_case_and_extension() {
        assert_eq!(file_name("Rapport analyse été.PDF"), "Rapport-analyse-ete.pdf");
        assert_eq!(file_name("a b(1).pdf"), "a-b-1.pdf");
        assert_eq!(file_name(".htaccess"), "htaccess");
    }

    #[test]
    fn unique_names_get_a_number_before_the_extension() {
        let mut u = Unique::new();
        assert_eq!(u.take("2019/04/x.pdf"), "2019/04/x.pdf");
        assert_eq!(u.take("2019/04/X.pdf"), "2019/04/X-2.pdf");
        assert_eq!(u.take("gobelins"), "gobelins");
        assert_eq!(u.take("gobelins"), "gobelins-2");
    }
}
