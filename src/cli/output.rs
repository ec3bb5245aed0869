//! What goes to stdout (results) and stderr (logs, warnings), by verbosity, and escaping of
//! untrusted site text before it reaches a terminal.

use super::args::{ColorChoice, Global};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// Output settings for one run.
pub struct Out {
    /// `--json`.
    pub json: bool,
    /// `-q` count.
    pub quiet: u8,
    /// `-v` count.
    pub verbose: u8,
    /// Draw progress bars.
    pub progress: bool,
    color: bool,
}

impl Out {
    /// From the global flags.
    pub fn new(g: &Global) -> Self {
        let color = match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
        Out {
            json: g.json,
            quiet: g.quiet,
            verbose: g.verbose,
            progress: !g.json && !g.no_progress && g.quiet == 0 && g.verbose == 0,
            color,
        }
    }

    /// Prints a line of results on stdout (not in JSON mode, not with -qq).
    pub fn line(&self, s: impl AsRef<str>) {
        if !self.json && self.quiet < 2 {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", s.as_ref());
        }
    }

    /// Prints details on stdout (hidden by -q).
    pub fn detail(&self, s: impl AsRef<str>) {
        if self.quiet == 0 {
            self.line(s);
        }
    }

    /// Prints one JSON document on stdout, with `"schema": 1`.
    pub fn json_doc<T: Serialize>(&self, kind: &str, value: &T) -> anyhow::Result<()> {
        let mut v = serde_json::to_value(value)?;
        if let Some(obj) = v.as_object_mut() {
            obj.insert("schema".into(), 1.into());
            obj.insert("type".into(), kind.into());
        }
        let mut out = std::io::stdout().lock();
        serde_json::to_writer_pretty(&mut out, &v)?;
        writeln!(out)?;
        Ok(())
    }

    /// A warning on stderr.
    pub fn warn(&self, s: impl AsRef<str>) {
        if self.quiet < 2 {
            let label = if self.color { "\x1b[33mwarning\x1b[0m" } else { "warning" };
            eprintln!("{label}: {}", s.as_ref());
        }
    }

    /// Bold heading text when colours are on.
    pub fn bold(&self, s: &str) -> String {
        if self.color && std::io::stdout().is_terminal() {
            format!("\x1b[1m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// Escapes control and bidirectional-override characters of untrusted text (titles, paths).
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}');
        if c.is_control() || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `1234567` → `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS[u]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_escapes_controls_and_bidi() {
        assert_eq!(sanitize("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(sanitize("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(sanitize("Défis é"), "Défis é");
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(165_000_000), "165.0 MB");
    }
}
