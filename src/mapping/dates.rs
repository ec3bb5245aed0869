//! Date rules of a mapping: a front matter date written again in the format the target or the
//! site's templates want (`fields: dates: {date: "[year]-[month]-[day]"}`).
//!
//! Dates are read in the forms generators write: `2019-04-12`, RFC 3339 (`2019-04-12T10:00:00Z`,
//! with an offset or none), a space for the `T`, seconds left out, an offset without its
//! colon (`+0100`, as Jekyll writes it). The format is a `time` crate format description
//! (version 2: `[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]`),
//! or `rfc3339`.

use serde::Deserialize;
use std::sync::LazyLock;
use time::format_description::OwnedFormatItem;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// A date as a page holds it: a day, a local time, or a time with its offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// `2019-04-12`.
    Day(Date),
    /// `2019-04-12T10:00:00`: no offset (the generator's time zone applies).
    Local(PrimitiveDateTime),
    /// `2019-04-12T10:00:00+02:00`.
    Zoned(OffsetDateTime),
}

static DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"^(\d{4}-\d{2}-\d{2})(?:[Tt ]+(\d{2}:\d{2})(:\d{2}(?:\.\d+)?)?\s*(Z|z|[+-]\d{2}:?\d{2})?)?$",
    )
    .expect("valid date regex")
});

/// A date in the RFC 3339 form (day only when it has no time; no offset when it has none),
/// from any form [`read`] accepts.
pub fn normalize(s: &str) -> Option<String> {
    let c = DATE.captures(s.trim())?;
    let mut out = c[1].to_string();
    if let Some(hm) = c.get(2) {
        out.push('T');
        out.push_str(hm.as_str());
        out.push_str(c.get(3).map_or(":00", |m| m.as_str()));
        match c.get(4).map(|m| m.as_str()) {
            Some("z" | "Z") => out.push('Z'),
            Some(off) if !off.contains(':') => {
                out.push_str(&off[..3]);
                out.push(':');
                out.push_str(&off[3..]);
            }
            Some(off) => out.push_str(off),
            None => {}
        }
    }
    Some(out)
}

/// Reads a date, or `None` when the text is not one (or names a day that does not exist).
pub fn read(s: &str) -> Option<When> {
    let n = normalize(s)?;
    if n.len() == 10 {
        let f = time::macros::format_description!("[year]-[month]-[day]");
        return Date::parse(&n, f).ok().map(When::Day);
    }
    if let Ok(t) = OffsetDateTime::parse(&n, &Rfc3339) {
        return Some(When::Zoned(t));
    }
    let f = time::macros::format_description!(
        version = 2,
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(&n, f).ok().map(When::Local)
}

/// How a date rule writes dates.
#[derive(Debug, Clone)]
pub struct DateFormat {
    /// As written in the mapping.
    pub text: String,
    item: Option<OwnedFormatItem>,
}

/// The byte offset of a `[` that opens a nested description where the enclosing one is not
/// `optional` or `first`. The `time` crate's parser (0.3.55) trips a debug assertion on some
/// of these (`[o[[t]`, found by fuzzing) instead of returning its error.
fn misplaced_bracket(text: &str) -> Option<usize> {
    // Brackets alternate: text is a description, `[` in a description opens a component,
    // `[` in a component (after `optional` or `first`) opens a nested description.
    let mut opened: Vec<(usize, bool)> = Vec::new();
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '[' => {
                let component = match opened.last() {
                    Some(&(start, true)) => {
                        let head = text[start + 1..i].trim_start();
                        let name = head.split(char::is_whitespace).next().unwrap_or("");
                        if !(matches!(name, "optional" | "first") && head.len() > name.len()) {
                            return Some(i);
                        }
                        false
                    }
                    _ => true,
                };
                opened.push((i, component));
            }
            ']' => {
                opened.pop();
            }
            _ => {}
        }
    }
    None
}

impl DateFormat {
    /// Parses a format: `rfc3339`, or a `time` format description (version 2).
    ///
    /// # Errors
    /// When the description is not valid, with what is wrong.
    pub fn parse(text: &str) -> Result<DateFormat, String> {
        if text == "rfc3339" {
            return Ok(DateFormat { text: text.into(), item: None });
        }
        if let Some(at) = misplaced_bracket(text) {
            return Err(format!(
                "bad date format `{text}`: `[` at byte {at} opens a description inside a component's name; only `optional` and `first` take nested descriptions (`[optional [hour]]`)"
            ));
        }
        let item = time::format_description::parse_owned::<2>(text)
            .map_err(|e| format!("bad date format `{text}`: {e}"))?;
        Ok(DateFormat { text: text.into(), item: Some(item) })
    }

    /// A date written in this format.
    ///
    /// # Errors
    /// When `s` is not a date, or the format asks for a part the date lacks (a time of a
    /// day, an offset of a local time): the reason, for the report.
    pub fn apply(&self, s: &str) -> Result<String, String> {
        let when = read(s).ok_or_else(|| format!("`{s}` is not a date carton reads"))?;
        let lacks = |e: time::error::Format| {
            format!("`{s}` lacks what the format `{}` writes ({e})", self.text)
        };
        match (&self.item, when) {
            (None, When::Zoned(t)) => t.format(&Rfc3339).map_err(lacks),
            (None, _) => Err(format!(
                "`{s}` has no time or no offset, which `rfc3339` needs: kept as written"
            )),
            (Some(f), When::Day(d)) => d.format(f).map_err(lacks),
            (Some(f), When::Local(t)) => t.format(f).map_err(lacks),
            (Some(f), When::Zoned(t)) => t.format(f).map_err(lacks),
        }
    }
}

impl<'de> Deserialize<'de> for DateFormat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        DateFormat::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_forms_generators_write() {
        assert!(matches!(read("2019-04-12"), Some(When::Day(_))));
        assert!(matches!(read("2019-04-12T00:00:00.000Z"), Some(When::Zoned(_))));
        assert!(matches!(read("2019-04-12 10:30:00 +0100"), Some(When::Zoned(_))));
        assert!(matches!(read("2019-04-12 10:30"), Some(When::Local(_))));
        assert_eq!(read("2022"), None);
        assert_eq!(read("2019-02-30"), None);
        assert_eq!(
            normalize("2019-04-12 10:30 +0100").as_deref(),
            Some("2019-04-12T10:30:00+01:00")
        );
    }

    #[test]
    fn a_format_writes_what_the_date_has_and_refuses_what_it_lacks() {
        let day = DateFormat::parse("[day]/[month]/[year]").unwrap();
        assert_eq!(day.apply("2019-04-12T10:00:00Z").as_deref(), Ok("12/04/2019"));
        assert_eq!(day.apply("2019-04-12").as_deref(), Ok("12/04/2019"));
        let jekyll = DateFormat::parse(
            "[year]-[month]-[day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute]",
        )
        .unwrap();
        assert_eq!(
            jekyll.apply("2021-10-26T14:17:50.048Z").as_deref(),
            Ok("2021-10-26 14:17:50 +0000")
        );
        assert!(jekyll.apply("2019-04-12").unwrap_err().contains("lacks"));
        assert!(day.apply("2022").unwrap_err().contains("not a date"));
        let rfc = DateFormat::parse("rfc3339").unwrap();
        assert_eq!(
            rfc.apply("2019-04-12 10:30:00 +0100").as_deref(),
            Ok("2019-04-12T10:30:00+01:00")
        );
        assert!(DateFormat::parse("[yeer]").is_err());
    }

    /// Found by fuzzing (`fuzz/`, target mapping): the `time` crate's parser panicked in
    /// debug builds on a `[` inside a component's name instead of returning its error.
    #[test]
    fn a_bracket_inside_a_component_name_is_an_error_not_a_panic() {
        for bad in ["[o[[t]", "[year]-[mo[${?ti~", "[year[month]]"] {
            let e = DateFormat::parse(bad).err().unwrap_or_default();
            assert!(e.contains("bad date format"), "{bad}: {e}");
        }
        assert!(DateFormat::parse("[year][optional [ [hour]:[minute]]]").is_ok());
        assert!(DateFormat::parse("[first [[day]/[month]] [[month]-[day]]]").is_ok());
        assert!(DateFormat::parse("\\[[year]\\]").is_ok());
    }
}
