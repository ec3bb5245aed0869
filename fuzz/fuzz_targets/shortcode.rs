//! The Hugo shortcode parser: `carton::source::shortcode::parse`.

#![no_main]

use carton::source::shortcode::{self, Notation};
use carton_fuzz::{check_range, check_sorted, check_within};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = shortcode::parse(text);
    for sc in parsed.all() {
        check_range(text, &sc.open, "open");
        let open = &text[sc.open.clone()];
        let delims = match sc.notation {
            Notation::Angle => "{{<",
            Notation::Percent => "{{%",
        };
        assert!(open.starts_with(delims) && open.ends_with("}}"), "open tag {open:?}");
        let span = sc.span();
        check_range(text, &span, "span");
        match (&sc.close, &sc.inner) {
            (Some(close), Some(inner)) => {
                check_range(text, close, "close");
                assert_eq!(*inner, sc.open.end..close.start, "inner");
            }
            (None, None) => {}
            _ => panic!("close {:?} and inner {:?} disagree", sc.close, sc.inner),
        }
        for p in &sc.params {
            check_range(text, &p.span, "param");
            check_within(&sc.open, &p.span, "param");
        }
        check_sorted(sc.children.iter().map(|c| c.open.start), "children");
        for child in &sc.children {
            let inner = sc.inner.as_ref().expect("children of an unpaired shortcode");
            check_within(inner, &child.span(), "child");
        }
    }
    check_sorted(parsed.all().map(|s| s.open.start), "shortcodes");
    check_sorted(parsed.errors.iter().map(|e| e.offset), "errors");
    assert!(parsed.errors.iter().all(|e| e.offset <= text.len()), "error offset past the end");
});
