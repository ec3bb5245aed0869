//! The WordPress post body parser: `carton::source::wordpress::parse` (Gutenberg blocks,
//! shortcodes, embeds). Every span lies in the body, pairs nest, indices point back.

#![no_main]

use carton::source::wordpress::{self, EmbedSource};
use carton_fuzz::{check_range, check_sorted, check_within};
use libfuzzer_sys::fuzz_target;
use std::ops::Range;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = wordpress::parse(text);
    for (i, b) in parsed.blocks.iter().enumerate() {
        let what = format!("block {i} `{}`", b.name);
        check_pair(text, &b.span, &b.open, &b.close, &b.inner, &what);
        let open = &text[b.open.clone()];
        assert!(open.starts_with("<!--") && open.ends_with("-->"), "{what}: opened by {open:?}");
        if let Some(attrs) = &b.attrs_span {
            check_range(text, attrs, &what);
            check_within(&b.open, attrs, &what);
        }
        if let Some(p) = b.parent {
            assert!(p < i, "{what}: parent {p}");
            let inner = parsed.blocks[p].inner.as_ref().expect("parent block is paired");
            check_within(inner, &b.span, &what);
        }
    }
    check_sorted(parsed.blocks.iter().map(|b| b.span.start), "blocks");
    for (i, s) in parsed.shortcodes.iter().enumerate() {
        let what = format!("shortcode {i} `{}`", s.name);
        check_pair(text, &s.span, &s.open, &s.close, &s.inner, &what);
        let open = &text[s.open.clone()];
        assert!(open.starts_with('[') && open.ends_with(']'), "{what}: opened by {open:?}");
        for p in &s.params {
            check_range(text, &p.span, &what);
            check_within(&s.open, &p.span, &what);
        }
        if let Some(p) = s.parent {
            assert!(p < i, "{what}: parent {p}");
            let inner = parsed.shortcodes[p].inner.as_ref().expect("parent shortcode is paired");
            check_within(inner, &s.span, &what);
        }
    }
    check_sorted(parsed.shortcodes.iter().map(|s| s.span.start), "shortcodes");
    for r in &parsed.escaped {
        check_range(text, r, "escaped");
    }
    check_sorted(parsed.escaped.iter().map(|r| r.start), "escaped");
    for e in &parsed.embeds {
        check_range(text, &e.span, &e.url);
        match e.source {
            EmbedSource::Block { index } => assert!(index < parsed.blocks.len(), "{}", e.url),
            EmbedSource::Shortcode { index } => {
                assert!(index < parsed.shortcodes.len(), "{}", e.url)
            }
            _ => {}
        }
    }
    check_sorted(parsed.embeds.iter().map(|e| e.span.start), "embeds");
    assert!(parsed.errors.iter().all(|e| e.offset <= text.len()), "error offset past the end");
    check_sorted(parsed.errors.iter().map(|e| e.offset), "errors");
});

/// The spans of a call that may be paired: open and close within the whole span, inner
/// between them.
fn check_pair(
    text: &str,
    span: &Range<usize>,
    open: &Range<usize>,
    close: &Option<Range<usize>>,
    inner: &Option<Range<usize>>,
    what: &str,
) {
    check_range(text, span, what);
    check_range(text, open, what);
    check_within(span, open, what);
    match (close, inner) {
        (Some(close), Some(inner)) => {
            check_range(text, close, what);
            check_within(span, close, what);
            assert_eq!(*inner, open.end..close.start, "{what}: inner");
            assert_eq!(*span, open.start..close.end, "{what}: span");
        }
        (None, None) => assert_eq!(span, open, "{what}: span of an unpaired call"),
        _ => panic!("{what}: close {close:?} and inner {inner:?} disagree"),
    }
}
