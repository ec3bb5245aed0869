//! The redirect files written beside the XML: each former URL of the site to the WordPress
//! permalink of what was there, as an nginx `map` include and as a Netlify-style
//! `_redirects` file.

use super::super::urls;
use std::fmt::Write as _;

/// An nginx string, quoted.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"").replace(['\n', '\r'], ""))
}

/// Lines of a `map` block (decoded paths, as nginx's `$uri` holds them).
pub fn nginx(redirects: &[(String, String)]) -> String {
    let mut s = String::from(concat!(
        "# Former URLs of the site -> their WordPress permalinks, written by carton.\n",
        "# In `http {}`:   map $uri $carton_redirect { default \"\"; include THIS_FILE; }\n",
        "# In `server {}`: if ($carton_redirect) { return 301 $carton_redirect; }\n",
    ));
    for (from, to) in redirects {
        let _ = writeln!(s, "{} {};", quoted(from), quoted(&urls::encode(to)));
    }
    s
}

/// A Netlify-style `_redirects` file (encoded paths, `301`).
pub fn netlify(redirects: &[(String, String)]) -> String {
    let mut s = String::from(
        "# Former URLs of the site -> their WordPress permalinks, written by carton.\n",
    );
    for (from, to) in redirects {
        let _ = writeln!(s, "{} {} 301", urls::encode(from), urls::encode(to));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_name_each_redirect_once() {
        let r = vec![
            ("/défis/a b/".to_string(), "/a-b/".to_string()),
            ("/x\"y/".to_string(), "/b/".to_string()),
        ];
        let n = nginx(&r);
        assert!(n.contains("\"/défis/a b/\" \"/a-b/\";\n"), "{n}");
        assert!(n.contains("\"/x\\\"y/\" \"/b/\";\n"), "{n}");
        let t = netlify(&r);
        assert!(t.contains("/d%C3%A9fis/a%20b/ /a-b/ 301\n"), "{t}");
        assert_eq!(t.lines().filter(|l| !l.starts_with('#')).count(), 2);
    }
}
