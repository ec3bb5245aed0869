//! The Liquid parser: `carton::source::liquid::parse(text, body)`, once with the body a
//! Jekyll page has (after its front matter), once with a range that may be misaligned or
//! out of range (documented as clamped).

#![no_main]

use carton::model::LineIndex;
use carton::source::{liquid, split_front_matter};
use carton_fuzz::{check_sorted, check_span, check_within};
use libfuzzer_sys::fuzz_target;
use std::ops::Range;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let body_start = split_front_matter(text).ok().flatten().map_or(0, |fm| fm.block.end);
    check(text, body_start..text.len());
    if let (Some(&a), Some(&b)) = (data.first(), data.last()) {
        let start = usize::from(a) * text.len() / 256;
        let end = (text.len() + 8).saturating_sub(usize::from(b) * text.len() / 128);
        check(text, start..end);
    }
});

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn check(text: &str, body: Range<usize>) {
    let end = floor(text, body.end);
    let body = floor(text, body.start.min(end))..end;
    let parsed = liquid::parse(text, body.clone());
    let index = LineIndex::new(text);
    for (i, call) in parsed.calls.iter().enumerate() {
        let name = &call.name;
        check_span(&index, text, &call.span, name);
        check_within(&body, &call.span.range(), name);
        check_span(&index, text, &call.open, name);
        check_within(&call.span.range(), &call.open.range(), name);
        if let Some(close) = &call.close {
            check_span(&index, text, close, name);
            check_within(&call.span.range(), &close.range(), name);
            assert!(call.open.end <= close.start, "{name}: close before open");
        }
        if let Some(inner) = &call.inner {
            check_span(&index, text, inner, name);
            check_within(&call.span.range(), &inner.range(), name);
        }
        for p in &call.params {
            check_span(&index, text, &p.span, name);
            check_within(&body, &p.span.range(), name);
        }
        if let Some(parent) = call.parent {
            assert!(parent < i, "{name}: parent {parent} is not before call {i}");
            let outer = &parsed.calls[parent];
            check_within(&outer.span.range(), &call.span.range(), name);
        }
    }
    check_sorted(parsed.calls.iter().map(|c| c.span.start), "calls");
    for p in &parsed.problems {
        check_span(&index, text, &p.span, &p.message);
    }
    check_sorted(parsed.problems.iter().map(|p| p.span.start), "problems");
}
