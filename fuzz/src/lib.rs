//! Invariant checks shared by the fuzz targets. A violated invariant panics, which
//! libFuzzer reports as a crash with the input that caused it.

use carton::model::{LineIndex, Span};
use std::ops::Range;

/// Panics unless `r` lies within `text` with both ends on char boundaries.
pub fn check_range(text: &str, r: &Range<usize>, what: &str) {
    assert!(r.start <= r.end && r.end <= text.len(), "{what}: {r:?} outside 0..{}", text.len());
    assert!(
        text.is_char_boundary(r.start) && text.is_char_boundary(r.end),
        "{what}: {r:?} not on char boundaries"
    );
}

/// Panics unless `inner` lies within `outer`.
pub fn check_within(outer: &Range<usize>, inner: &Range<usize>, what: &str) {
    assert!(
        outer.start <= inner.start && inner.end <= outer.end,
        "{what}: {inner:?} not within {outer:?}"
    );
}

/// Panics unless `span` lies within `text`, on char boundaries, and its line and column are
/// those of its start.
pub fn check_span(index: &LineIndex, text: &str, span: &Span, what: &str) {
    check_range(text, &span.range(), what);
    assert_eq!(
        (span.line, span.column),
        index.locate(span.start),
        "{what}: line and column of {:?}",
        span.range()
    );
}

/// Panics unless `offsets` never decrease.
pub fn check_sorted(offsets: impl IntoIterator<Item = usize>, what: &str) {
    let mut last = 0;
    for o in offsets {
        assert!(o >= last, "{what}: {o} after {last}, not in order");
        last = o;
    }
}
