//! Decoding PHP `serialize()` output, as WordPress stores array-valued post, comment and
//! term meta, into JSON values.
//!
//! Only plain data is decoded: `N;`, `b:`, `i:`, `d:`, `s:` and `a:`. Objects (`O:`, `C:`),
//! enums (`E:`) and references (`r:`, `R:`) make the whole value undecodable: decoding
//! objects is how PHP object injection works, so we leave them raw rather than try.
//! Anything that is not exactly one well-formed value gives `None`; nothing here panics,
//! and nesting and input size are bounded.

use serde_json::{Map, Number, Value};

/// Deepest nesting of arrays decoded; deeper input gives `None` (WordPress meta rarely
/// goes past 5).
pub const MAX_DEPTH: usize = 64;

/// Largest input decoded, in bytes; longer values are left raw.
pub const MAX_INPUT: usize = 16 * 1024 * 1024;

/// Decodes a PHP-serialized value, surrounding whitespace ignored (as WordPress's
/// `maybe_unserialize` trims). `None` when `src` is not serialized data, is malformed
/// (a string length that does not match its bytes, as left by a database search-replace,
/// truncated input, trailing bytes) or holds something we do not decode (objects,
/// references, non-finite floats, nesting deeper than [`MAX_DEPTH`]).
pub fn unserialize(src: &str) -> Option<Value> {
    let src = src.trim();
    if src.len() > MAX_INPUT {
        return None;
    }
    let mut parser = Parser { src: src.as_bytes(), pos: 0 };
    let value = parser.value(0)?;
    (parser.pos == src.len()).then_some(value)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
}

/// An array key: PHP keeps integer and string keys apart.
enum Key {
    Int(i64),
    Str(String),
}

impl Parser<'_> {
    fn value(&mut self, depth: usize) -> Option<Value> {
        let tag = *self.src.get(self.pos)?;
        if tag == b'N' {
            self.expect(b"N;")?;
            return Some(Value::Null);
        }
        self.pos += 1;
        self.expect(b":")?;
        match tag {
            b'b' => {
                let v = match self.until(b';')? {
                    b"0" => false,
                    b"1" => true,
                    _ => return None,
                };
                Some(Value::Bool(v))
            }
            b'i' => Some(Value::from(self.int(b';')?)),
            b'd' => {
                let text = std::str::from_utf8(self.until(b';')?).ok()?;
                // Rust also reads "inf" and "NaN"; JSON cannot hold them, so give up.
                let v: f64 = text.parse().ok()?;
                Number::from_f64(v).map(Value::Number)
            }
            b's' => self.string().map(Value::String),
            b'a' => self.array(depth),
            // O: C: E: r: R: S: and anything unknown.
            _ => None,
        }
    }

    /// `len:"bytes";` after `s:`; `len` counts UTF-8 bytes.
    fn string(&mut self) -> Option<String> {
        let len = self.len(b':')?;
        self.expect(b"\"")?;
        let end = self.pos.checked_add(len)?;
        let bytes = self.src.get(self.pos..end)?;
        let text = std::str::from_utf8(bytes).ok()?.to_owned();
        self.pos = end;
        self.expect(b"\";")?;
        Some(text)
    }

    /// `n:{key;value;…}` after `a:`.
    fn array(&mut self, depth: usize) -> Option<Value> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let count = self.len(b':')?;
        self.expect(b"{")?;
        // No preallocation from `count`: it is untrusted. Each entry needs at least four
        // bytes (`i:0;N;` is six), so a lying count runs out of input quickly.
        let mut entries = Vec::new();
        for _ in 0..count {
            let key = match self.src.get(self.pos)? {
                b'i' => {
                    self.expect(b"i:")?;
                    Key::Int(self.int(b';')?)
                }
                b's' => {
                    self.expect(b"s:")?;
                    Key::Str(self.string()?)
                }
                _ => return None,
            };
            let value = self.value(depth + 1)?;
            entries.push((key, value));
        }
        self.expect(b"}")?;
        let is_list = entries.iter().enumerate().all(|(i, (k, _))| match k {
            Key::Int(n) => usize::try_from(*n).is_ok_and(|n| n == i),
            Key::Str(_) => false,
        });
        if is_list {
            return Some(Value::Array(entries.into_iter().map(|(_, v)| v).collect()));
        }
        let mut map = Map::new();
        for (key, value) in entries {
            let key = match key {
                Key::Int(n) => n.to_string(),
                Key::Str(s) => s,
            };
            // A repeated key overwrites in place, as in PHP.
            map.insert(key, value);
        }
        Some(Value::Object(map))
    }

    fn expect(&mut self, lit: &[u8]) -> Option<()> {
        let end = self.pos.checked_add(lit.len())?;
        (self.src.get(self.pos..end)? == lit).then(|| self.pos = end)
    }

    /// The bytes up to `stop`, consuming `stop`.
    fn until(&mut self, stop: u8) -> Option<&[u8]> {
        let rest = self.src.get(self.pos..)?;
        let n = rest.iter().position(|&b| b == stop)?;
        self.pos += n + 1;
        Some(&rest[..n])
    }

    fn int(&mut self, stop: u8) -> Option<i64> {
        let text = std::str::from_utf8(self.until(stop)?).ok()?;
        // PHP accepts a leading '+'; `parse` does too. Overflowing values fail.
        text.parse().ok()
    }

    /// A non-negative decimal count (string length, array size).
    fn len(&mut self, stop: u8) -> Option<usize> {
        let text = self.until(stop)?;
        if text.is_empty() || !text.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(text).ok()?.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars() {
        assert_eq!(unserialize("N;"), Some(Value::Null));
        assert_eq!(unserialize("b:1;"), Some(json!(true)));
        assert_eq!(unserialize("b:0;"), Some(json!(false)));
        assert_eq!(unserialize("i:-42;"), Some(json!(-42)));
        assert_eq!(unserialize("d:0.5;"), Some(json!(0.5)));
        assert_eq!(unserialize("d:1.0E+25;"), Some(json!(1.0e25)));
        assert_eq!(unserialize("s:5:\"hello\";"), Some(json!("hello")));
        assert_eq!(unserialize("s:0:\"\";"), Some(json!("")));
        assert_eq!(unserialize("  s:1:\"x\";\n"), Some(json!("x")));
    }

    #[test]
    fn string_length_counts_utf8_bytes() {
        // "é" is two bytes, "🚀" four.
        assert_eq!(unserialize("s:2:\"é\";"), Some(json!("é")));
        assert_eq!(unserialize("s:5:\"a🚀\";"), Some(json!("a🚀")));
        // A character count instead of a byte count is wrong.
        assert_eq!(unserialize("s:1:\"é\";"), None);
        // The string may hold quotes and semicolons: only the length delimits it.
        assert_eq!(unserialize("s:4:\"a\";b\";"), Some(json!("a\";b")));
    }

    #[test]
    fn wrong_length_after_search_replace() {
        // http://old.example → https://new.example.org without fixing the length.
        let s = "a:1:{s:3:\"url\";s:18:\"https://new.example.org\";}";
        assert_eq!(unserialize(s), None);
    }

    #[test]
    fn arrays() {
        let list = "a:2:{i:0;s:1:\"a\";i:1;s:1:\"b\";}";
        assert_eq!(unserialize(list), Some(json!(["a", "b"])));
        let map = "a:2:{s:5:\"width\";i:640;s:5:\"sizes\";a:0:{}}";
        assert_eq!(unserialize(map), Some(json!({"width": 640, "sizes": []})));
        // Integer keys not 0..n in order make an object with string keys.
        let sparse = "a:2:{i:1;s:1:\"a\";i:0;s:1:\"b\";}";
        assert_eq!(unserialize(sparse), Some(json!({"1": "a", "0": "b"})));
        let nested = "a:1:{i:0;a:1:{s:1:\"k\";b:1;}}";
        assert_eq!(unserialize(nested), Some(json!([{"k": true}])));
    }

    #[test]
    fn objects_and_references_are_never_decoded() {
        assert_eq!(unserialize("O:8:\"stdClass\":1:{s:1:\"a\";i:1;}"), None);
        assert_eq!(unserialize("a:1:{i:0;O:8:\"stdClass\":0:{}}"), None);
        assert_eq!(unserialize("C:11:\"ArrayObject\":21:{x:i:0;a:0:{};m:a:0:{}}"), None);
        assert_eq!(unserialize("a:2:{i:0;i:1;i:1;r:2;}"), None);
        assert_eq!(unserialize("a:2:{i:0;i:1;i:1;R:2;}"), None);
        assert_eq!(unserialize("E:7:\"Foo:Bar\";"), None);
    }

    #[test]
    fn not_serialized() {
        for s in ["", "hello", "42", "a:", "s:5:\"hello\"", "i:1;i:2;", "b:2;", "d:INF;", "d:NAN;"]
        {
            assert_eq!(unserialize(s), None, "{s:?}");
        }
    }

    #[test]
    fn hostile_inputs_give_none() {
        // Deep nesting: one level past the cap, then far past it.
        let deep = |n: usize| format!("{}N;{}", "a:1:{i:0;".repeat(n), "}".repeat(n));
        assert!(unserialize(&deep(MAX_DEPTH)).is_some());
        assert_eq!(unserialize(&deep(MAX_DEPTH + 1)), None);
        assert_eq!(unserialize(&deep(100_000)), None);
        // Declared lengths far beyond the input, or beyond usize.
        assert_eq!(unserialize("s:18446744073709551615:\"x\";"), None);
        assert_eq!(unserialize("s:99999999999999999999999:\"x\";"), None);
        assert_eq!(unserialize("a:4294967295:{i:0;N;}"), None);
        assert_eq!(unserialize("s:-1:\"\";"), None);
        assert_eq!(unserialize("i:99999999999999999999;"), None);
        // Truncated at every byte.
        let full = "a:2:{s:1:\"k\";a:1:{i:0;d:1.5;}i:7;s:3:\"a🚀\";}";
        assert!(unserialize(full).is_none(), "length 3 does not cover the rocket");
        let ok = "a:2:{s:1:\"k\";a:1:{i:0;d:1.5;}i:7;s:5:\"a🚀\";}";
        assert_eq!(unserialize(ok), Some(json!({"k": [1.5], "7": "a🚀"})));
        for cut in 0..ok.len() {
            if let Some(prefix) = ok.get(..cut) {
                assert_eq!(unserialize(prefix), None, "{prefix:?}");
            }
        }
        // Too large to look at.
        let huge = format!("s:{}:\"{}\";", MAX_INPUT, "x".repeat(MAX_INPUT));
        assert_eq!(unserialize(&huge), None);
    }
}
