//! Parameters of the tags Jekyll reads itself: `include`, `include_relative`
//! and `highlight`, with the checks Jekyll makes on them.

use super::{Param, Parser, clip, is_word, skip_ws, word_end};
use std::ops::Range;

impl Parser<'_> {
    /// `{% include file k="v" k2='w' k3=var %}`: the file as the first,
    /// positional, parameter, then the named ones.
    pub(super) fn include_params(&mut self, tag: &str, markup: Range<usize>) -> Vec<Param> {
        let src = self.src;
        let b = src.as_bytes();
        let file_end = variable_file_end(src, markup.clone()).unwrap_or_else(|| {
            (markup.start..markup.end).find(|&i| b[i].is_ascii_whitespace()).unwrap_or(markup.end)
        });
        if file_end == markup.start {
            let message = format!("`{{% {tag} %}}` needs a file: `{{% {tag} file.html %}}`");
            self.problem(markup, message);
            return Vec::new();
        }
        let file = markup.start..file_end;
        let file_text = self.text(&file).to_string();
        let mut params = vec![self.param(None, &file_text, "bare", file.clone())];
        if let Some(message) = file_name_problem(tag, &file_text) {
            self.problem(file, message);
        }
        let mut pos = file_end;
        loop {
            pos = skip_ws(b, pos).min(markup.end);
            if pos == markup.end {
                break;
            }
            match include_param(src, pos, markup.end) {
                Some((key, value, quote, range)) => {
                    let key = self.text(&key).to_string();
                    params.push(self.param(Some(&key), &value, quote, range.clone()));
                    pos = range.end;
                    if range.end < markup.end && !b[range.end].is_ascii_whitespace() {
                        self.bad_include_param(tag, range.end..markup.end);
                        break;
                    }
                }
                None => {
                    self.bad_include_param(tag, pos..markup.end);
                    break;
                }
            }
        }
        params
    }

    fn bad_include_param(&mut self, tag: &str, rest: Range<usize>) {
        let message = format!(
            "`{tag}` parameters read `key=\"value\"`, `key='value'` or `key=variable`, \
             separated by blanks (Jekyll stops with an error); `{}` is not one; a value with \
             `{{{{ }}}}` must be set with `capture` first",
            clip(self.text(&rest))
        );
        self.problem(rest, message);
    }

    /// `{% highlight lang linenos mark_lines="1 2" %}`: the language, then
    /// each option, `key=value` as a named parameter, a flag as a positional.
    pub(super) fn highlight_params(&mut self, markup: Range<usize>) -> Vec<Param> {
        let b = self.src.as_bytes();
        let lang_end =
            (markup.start..markup.end).find(|&i| b[i].is_ascii_whitespace()).unwrap_or(markup.end);
        if lang_end == markup.start {
            self.problem(
                markup,
                "`{% highlight %}` needs a language: `{% highlight ruby %}`".to_string(),
            );
            return Vec::new();
        }
        let lang = markup.start..lang_end;
        let lang_text = self.text(&lang);
        if !lang_text.bytes().all(|c| is_word(c) || b".+#-".contains(&c)) {
            let message = format!(
                "`highlight` language `{}` has characters Jekyll refuses (it takes letters, \
                 digits and `.+#_-`, then options separated by blanks)",
                clip(lang_text)
            );
            self.problem(lang.clone(), message);
        }
        let mut params = vec![self.param(None, self.text(&lang), "bare", lang)];
        let mut pos = lang_end;
        loop {
            pos = skip_ws(b, pos).min(markup.end);
            if pos == markup.end {
                break;
            }
            let key_end = word_end(b, pos, markup.end);
            let valued = key_end > pos && b.get(key_end) == Some(&b'=') && key_end < markup.end;
            let option = if !valued {
                (key_end > pos).then_some((None, pos..key_end, "bare", key_end))
            } else if b[key_end + 1] == b'"' {
                let close = self.src[key_end + 2..markup.end].find('"').map(|i| key_end + 2 + i);
                close.map(|close| (Some(pos..key_end), key_end + 2..close, "double", close + 1))
            } else {
                let end = word_end(b, key_end + 1, markup.end);
                (end > key_end + 1).then(|| (Some(pos..key_end), key_end + 1..end, "bare", end))
            };
            let Some((key, value, quote, end)) = option
                .filter(|o| o.3 == markup.end || b.get(o.3).is_some_and(u8::is_ascii_whitespace))
            else {
                let message = format!(
                    "`highlight` options read `linenos` or `mark_lines=\"1 2\"` (Jekyll stops \
                     with a syntax error); `{}` is not one",
                    clip(self.text(&(pos..markup.end)))
                );
                self.problem(pos..markup.end, message);
                break;
            };
            let key = key.map(|k| self.text(&k).to_string());
            let written = if quote == "double" { value.start - 1..end } else { value.clone() };
            params.push(self.param(key.as_deref(), self.text(&value), quote, written));
            pos = end;
        }
        params
    }
}

/// What Jekyll will refuse in an include's file name when rendering, checked
/// on the text outside `{{ … }}`.
fn file_name_problem(tag: &str, file: &str) -> Option<String> {
    // The pieces written out; what a variable gives is unknown.
    let mut pieces = Vec::new();
    let mut rest = file;
    while let Some(open) = rest.find("{{") {
        pieces.push(&rest[..open]);
        rest = rest[open..].find("}}").map_or("", |close| &rest[open + close + 2..]);
    }
    pieces.push(rest);
    let valid = |c: char| c.is_ascii_alphanumeric() || "_/.-()+~#@".contains(c);
    let message = if pieces.iter().any(|p| p.contains(|c: char| c.is_ascii_whitespace())) {
        format!(
            "Jekyll reads `{}` as the file name of `{tag}`, since a parameter holds `{{{{ }}}}`: \
             set that value with `{{% capture %}}` first",
            clip(file)
        )
    } else if pieces
        .iter()
        .any(|p| !p.chars().all(valid) || ["..", "//", "./", "/."].iter().any(|s| p.contains(s)))
    {
        format!(
            "`{tag}` file `{}` has characters or sequences Jekyll refuses (`..`, `//`, `./`, \
             quotes, non-ASCII): rename the file",
            clip(file)
        )
    } else {
        return None;
    };
    Some(message)
}

/// One `key=value` include parameter at `pos`: the key, the value with
/// escapes resolved, its quote kind, and the value as written.
fn include_param(
    src: &str,
    pos: usize,
    end: usize,
) -> Option<(Range<usize>, String, &'static str, Range<usize>)> {
    let b = src.as_bytes();
    let key_end = (pos..end).find(|&i| !(is_word(b[i]) || b[i] == b'-')).unwrap_or(end);
    if key_end == pos {
        return None;
    }
    let eq = skip_ws(b, key_end).min(end);
    if b.get(eq) != Some(&b'=') || eq == end {
        return None;
    }
    let start = skip_ws(b, eq + 1).min(end);
    let quote = *b.get(start).filter(|_| start < end)?;
    if quote == b'"' || quote == b'\'' {
        // A backslash escapes any character; only `\"` (or `\'`) is
        // unescaped, as Jekyll does.
        let mut i = start + 1;
        while i < end && b[i] != quote {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        if i >= end {
            return None;
        }
        let (escaped, plain) = if quote == b'"' { ("\\\"", "\"") } else { ("\\'", "'") };
        let value = src[start + 1..i].replace(escaped, plain);
        let kind = if quote == b'"' { "double" } else { "single" };
        Some((pos..key_end, value, kind, start..i + 1))
    } else {
        let value_end =
            (start..end).find(|&i| !(is_word(b[i]) || b[i] == b'.' || b[i] == b'-')).unwrap_or(end);
        (value_end > start)
            .then(|| (pos..key_end, src[start..value_end].to_string(), "bare", start..value_end))
    }
}

/// Where an include's file ends when it is built from outputs
/// (`{{ page.file }}`, `dir/{{ name }}.html`), as Jekyll reads it: text
/// without `{`, then one or more `{{ variable }}` or `{{ variable | filters }}`
/// with the non-blank characters glued after each.
fn variable_file_end(src: &str, markup: Range<usize>) -> Option<usize> {
    let b = src.as_bytes();
    let m = &src[markup.clone()];
    let first = markup.start + m.find("{{")?;
    if src[markup.start..first].contains('{') {
        return None;
    }
    let mut pos = first;
    let mut end = None;
    while src[pos..markup.end].starts_with("{{") {
        let name = skip_ws(b, pos + 2).min(markup.end);
        let name_end = (name..markup.end)
            .find(|&i| !(is_word(b[i]) || b[i] == b'.' || b[i] == b'-'))
            .unwrap_or(markup.end);
        if name_end == name {
            break;
        }
        let after = skip_ws(b, name_end).min(markup.end);
        let close = if b.get(after) == Some(&b'|') {
            // Filters run to the last `}}`.
            match src[after..markup.end].rfind("}}") {
                Some(i) => after + i,
                None => break,
            }
        } else if src[after..markup.end].starts_with("}}") {
            after
        } else {
            break;
        };
        let mut glued = close + 2;
        while glued < markup.end && !b[glued].is_ascii_whitespace() && !b"{}".contains(&b[glued]) {
            glued += 1;
        }
        end = Some(glued);
        pos = glued;
    }
    end
}
