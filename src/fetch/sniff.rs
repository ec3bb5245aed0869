//! What a response is: a document, an image, a web page; told from its `Content-Type` and
//! its first bytes, since servers often send PDFs as `application/octet-stream` and error
//! pages as `200 OK`.

use crate::source::{extension, media_type, target_path};

/// Media types of documents, as servers send them (lower case, without parameters).
const DOCUMENT_TYPES: &[&str] = &[
    "application/epub+zip",
    "application/msword",
    "application/pdf",
    "application/rtf",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.oasis.opendocument.graphics",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/x-pdf",
    "text/csv",
    "text/rtf",
];

/// How many leading bytes the checks below need.
pub const SNIFF_LEN: usize = 512;

/// The media type without parameters, lower case (`text/html; charset=utf-8` → `text/html`).
pub fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

/// The body starts like an HTML document (after a BOM and white space).
pub fn looks_like_html(head: &[u8]) -> bool {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    let text =
        String::from_utf8_lossy(&head[start..head.len().min(start + 64)]).to_ascii_lowercase();
    ["<!doctype html", "<html", "<head", "<body", "<!--", "<meta", "<title", "<script"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// The document type the first bytes announce, when they announce one. Zip containers
/// (OOXML, OpenDocument, EPUB) are only taken for a document when the URL's extension or
/// the `Content-Type` says which: a zip alone could be anything.
fn magic(head: &[u8], hint: Option<&str>) -> Option<String> {
    let hinted = || hint.filter(|t| DOCUMENT_TYPES.contains(t)).map(str::to_string);
    if head.starts_with(b"%PDF-") {
        return Some("application/pdf".into());
    }
    if head.starts_with(b"{\\rtf") {
        return Some("application/rtf".into());
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // The OLE2 container of legacy Office files.
        return Some(hinted().unwrap_or_else(|| "application/x-ole-storage".into()));
    }
    if head.starts_with(b"PK\x03\x04") {
        return hinted();
    }
    None
}

/// Decides whether a response is a document; returns its media type. `linked` is the URL
/// as linked (its extension is a hint), `content_type` the header as sent, `head` the first
/// bytes of the body. The bytes win over the header: a PDF sent as `text/html` is a PDF,
/// an HTML page sent as `application/pdf` is not.
pub fn document_type(linked: &str, content_type: Option<&str>, head: &[u8]) -> Option<String> {
    let ct = content_type.map(essence);
    let by_ext = {
        let path = target_path(linked);
        let t = media_type(path);
        (!extension(path).is_empty() && DOCUMENT_TYPES.contains(&t)).then_some(t)
    };
    let hint = ct.as_deref().filter(|t| DOCUMENT_TYPES.contains(t)).or(by_ext);
    if let Some(t) = magic(head, hint) {
        return Some(t);
    }
    if looks_like_html(head) {
        return None;
    }
    match ct.as_deref() {
        Some(t) if DOCUMENT_TYPES.contains(&t) => {
            Some(if t == "application/x-pdf" { "application/pdf".into() } else { t.to_string() })
        }
        // A server that does not know what it sends: trust the linked extension, unless the
        // bytes say otherwise (checked above).
        None
        | Some("application/octet-stream" | "binary/octet-stream" | "application/download") => {
            by_ext.map(str::to_string)
        }
        _ => None,
    }
}

/// Whether the body is an image (for thumbnails): `image/*`, or image magic bytes.
pub fn image_type(content_type: Option<&str>, head: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\xFF\xD8\xFF", "image/jpeg"),
        (b"\x89PNG\r\n\x1A\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
    ];
    if let Some((_, t)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some((*t).to_string());
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return Some("image/webp".into());
    }
    let ct = content_type.map(essence)?;
    (ct.starts_with("image/") && !looks_like_html(head)).then_some(ct)
}

/// What the type of a body is, in words, for a failure's reason.
pub fn describe(content_type: Option<&str>, head: &[u8]) -> String {
    if looks_like_html(head) {
        return "an HTML page".into();
    }
    match content_type.map(essence) {
        Some(t) if !t.is_empty() => format!("`{t}`"),
        _ => "content of unknown type".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_win_over_the_header() {
        let pdf = b"%PDF-1.7\n...";
        assert_eq!(
            document_type("https://a/x", Some("text/html"), pdf).as_deref(),
            Some("application/pdf")
        );
        let html = b"\xEF\xBB\xBF  <!DOCTYPE html><html>";
        assert_eq!(document_type("https://a/x.pdf", Some("application/pdf"), html), None);
    }

    #[test]
    fn octet_stream_trusts_the_extension_only() {
        assert_eq!(
            document_type(
                "https://a/r.docx?dl=1",
                Some("application/octet-stream"),
                b"PK\x03\x04.."
            )
            .as_deref(),
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        );
        // A zip behind an extension-less URL is not taken for a document.
        assert_eq!(
            document_type("https://a/get", Some("application/octet-stream"), b"PK\x03\x04"),
            None
        );
        assert_eq!(
            document_type("https://a/page", Some("text/html; charset=utf-8"), b"hello"),
            None
        );
        assert_eq!(
            document_type("https://a/fichier/2114265", Some("application/pdf"), b"%PDF-1.4")
                .as_deref(),
            Some("application/pdf")
        );
        assert_eq!(
            document_type(
                "https://a/doc",
                Some("application/vnd.ms-excel"),
                b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
            )
            .as_deref(),
            Some("application/vnd.ms-excel")
        );
    }

    #[test]
    fn images() {
        assert_eq!(image_type(None, b"\xFF\xD8\xFF\xE0").as_deref(), Some("image/jpeg"));
        assert_eq!(image_type(Some("image/svg+xml"), b"<svg").as_deref(), Some("image/svg+xml"));
        assert_eq!(image_type(Some("image/jpeg"), b"<html>"), None);
        assert_eq!(describe(Some("text/plain"), b"x"), "`text/plain`");
    }
}
