//! The front matter splitter and parser: `split_front_matter` then `parse_front_matter`.

#![no_main]

use carton::source::{parse_front_matter, split_front_matter};
use carton_fuzz::{check_range, check_within};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.matches('\n').count() + 1;
    let fm = match split_front_matter(text) {
        Ok(Some(fm)) => fm,
        Ok(None) => return,
        Err(e) => {
            assert!((1..=lines).contains(&e.line), "split error on line {} of {lines}", e.line);
            return;
        }
    };
    check_range(text, &fm.block, "block");
    check_range(text, &fm.data, "data");
    check_within(&fm.block, &fm.data, "data");
    if let Err(e) = parse_front_matter(text, &fm) {
        assert!((1..=lines).contains(&e.line), "parse error on line {} of {lines}", e.line);
    }
});
