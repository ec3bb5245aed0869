//! The mapping loader: `Mapping::parse` (YAML, rules, templates, patterns), and the
//! template parser it uses, on the whole input. A loaded mapping's templates must render
//! when every parameter is given.

#![no_main]

use carton::Error;
use carton::mapping::{Key, Mapping, Params, Template};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// Every placeholder has a value.
struct All;

impl Params for All {
    fn get(&self, key: &Key) -> Option<String> {
        Some(format!("<{key}>"))
    }
}

/// No placeholder has a value.
struct Nothing;

impl Params for Nothing {
    fn get(&self, _: &Key) -> Option<String> {
        None
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.matches('\n').count() + 1;
    match Mapping::parse(text, Path::new("fuzz.yaml")) {
        Ok(m) => {
            for rule in m.shortcodes.values() {
                assert!(rule.emit.render(&All).is_ok(), "a template fails with every parameter");
                let _ = rule.emit.render(&Nothing);
                assert!((1..=lines).contains(&rule.line), "rule line {} of {lines}", rule.line);
            }
            let _ = m.check_fields(&|f: &str| f.len() % 2 == 0);
            for p in ["content/posts/a.md", "static/img/x.png", "", "/"] {
                let _ = m.apply_paths(p);
            }
            for join in &m.joins {
                let _ = m.join_line(&join.data);
            }
        }
        Err(Error::Config { location, .. }) => {
            assert!(location.line >= 1, "line {} in a mapping error", location.line);
        }
        Err(e) => panic!("a mapping error that is not Error::Config: {e}"),
    }
    match Template::parse(text) {
        Ok(t) => {
            assert!(t.render(&All).is_ok(), "a template fails with every parameter");
            let _ = t.render(&Nothing);
        }
        Err(e) => {
            assert!(e.offset <= text.len(), "template error at {} of {}", e.offset, text.len())
        }
    }
});
