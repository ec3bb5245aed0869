//! The Markdown reference extractor: `carton::source::refs::extract(src, masked)`, once
//! with the shortcode tags masked (as the Hugo reader calls it), once with masks that may
//! be misaligned or out of range (documented as clamped).

#![no_main]

use carton::source::{refs, shortcode};
use carton_fuzz::{check_range, check_sorted};
use libfuzzer_sys::fuzz_target;
use std::ops::Range;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = shortcode::parse(text);
    let mut masked: Vec<Range<usize>> =
        parsed.all().flat_map(|s| std::iter::once(s.open.clone()).chain(s.close.clone())).collect();
    masked.sort_by_key(|r| r.start);
    check(text, &masked);

    // Up to three sorted, disjoint ranges at arbitrary byte offsets, the last possibly past
    // the end.
    let mut points: Vec<usize> =
        data.iter().take(6).map(|&b| usize::from(b) * (text.len() + 4) / 255).collect();
    points.sort_unstable();
    let masked: Vec<Range<usize>> = points.chunks_exact(2).map(|p| p[0]..p[1]).collect();
    check(text, &masked);
});

fn check(text: &str, masked: &[Range<usize>]) {
    let found = refs::extract(text, masked);
    for r in &found {
        check_range(text, &r.span, &r.target);
    }
    check_sorted(found.iter().map(|r| r.span.start), "refs");
}
