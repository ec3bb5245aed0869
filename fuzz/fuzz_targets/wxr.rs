//! The WordPress export reader: `carton::source::wxr::parse(&[u8])` (WXR XML, and the PHP
//! unserializer it runs on meta values). Spans must point at exactly the text they claim.

#![no_main]

use carton::model::LineIndex;
use carton::source::wxr::{self, Text};
use carton_fuzz::{check_range, check_sorted};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(wxr) = wxr::parse(data) else { return };
    let text = std::str::from_utf8(data).expect("a file read as WXR is UTF-8");
    let index = LineIndex::new(text);
    let lines = text.matches('\n').count() + 1;
    for item in &wxr.items {
        check_range(text, &item.span, "item");
        let whole = &text[item.span.clone()];
        assert!(whole.starts_with('<') && whole.ends_with('>'), "item span {whole:?}");
        assert_eq!(item.line, index.locate(item.span.start).0, "line of item {}", item.index);
        check_text(text, &item.content, "content:encoded");
        check_text(text, &item.excerpt, "excerpt:encoded");
        for c in &item.comments {
            assert!((1..=lines).contains(&c.line), "comment on line {} of {lines}", c.line);
        }
    }
    check_sorted(wxr.items.iter().map(|i| i.span.start), "items");
    let indices: Vec<usize> = wxr.items.iter().map(|i| i.index).collect();
    assert!(indices.windows(2).all(|w| w[0] < w[1]), "item indices {indices:?}");
    for p in &wxr.problems {
        assert!((1..=lines).contains(&p.line) && p.column >= 1, "problem at {p}");
    }
});

/// A text's span, when set, holds exactly its value.
fn check_text(text: &str, t: &Text, what: &str) {
    if let Some(span) = &t.span {
        check_range(text, span, what);
        assert_eq!(&text[span.clone()], t.value, "{what}: span and value differ");
    }
}
