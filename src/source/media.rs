//! Media types and document detection, by file extension.

/// Media type of a path, from its extension (`application/octet-stream` when unknown).
pub fn media_type(path: &str) -> &'static str {
    let ext = extension(path);
    MEDIA_TYPES
        .binary_search_by(|(e, _)| (*e).cmp(ext.as_str()))
        .map_or("application/octet-stream", |i| MEDIA_TYPES[i].1)
}

/// The usual extension of a media type (`application/pdf` → `pdf`), when carton knows one.
pub fn extension_for(media_type: &str) -> Option<&'static str> {
    // Where a type has several extensions, the table lists the usual one first by name
    // (`htm` < `html`, `jpeg` < `jpg`): prefer the common spelling explicitly.
    match media_type {
        "image/jpeg" => Some("jpg"),
        "text/html" => Some("html"),
        "application/yaml" => Some("yaml"),
        "image/tiff" => Some("tif"),
        "text/markdown" => Some("md"),
        _ => MEDIA_TYPES.iter().find(|(_, t)| *t == media_type).map(|(e, _)| *e),
    }
}

/// A document: PDF, office and e-book formats (what links to "a file to read" point at).
pub fn is_document(path: &str) -> bool {
    DOCUMENT_EXTENSIONS.contains(&extension(path).as_str())
}

/// Content that gains nothing from deflate (already compressed): stored as is in zips.
pub fn is_compressed(path: &str) -> bool {
    COMPRESSED_EXTENSIONS.contains(&extension(path).as_str())
}

/// A file extension of something a link may point at (media, documents, archives, data).
pub fn is_file_like(path: &str) -> bool {
    let ext = extension(path);
    !ext.is_empty() && MEDIA_TYPES.binary_search_by(|(e, _)| (*e).cmp(ext.as_str())).is_ok()
}

/// The path part of a link target: without its query and fragment.
pub fn target_path(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or(target)
}

/// Lower-case extension of a file name, without the dot (a link target must go through
/// [`target_path`] first: `#` and `?` are legal in file names).
pub fn extension(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 || name.len() > 1 => name[i + 1..].to_ascii_lowercase(),
        _ => String::new(),
    }
}

const DOCUMENT_EXTENSIONS: &[&str] = &[
    "csv", "doc", "docx", "epub", "key", "numbers", "odg", "odp", "ods", "odt", "pages", "pdf",
    "ppt", "pptx", "rtf", "xls", "xlsx",
];

const COMPRESSED_EXTENSIONS: &[&str] = &[
    "7z", "avif", "br", "bz2", "docx", "epub", "flac", "gif", "gz", "heic", "jpeg", "jpg", "m4a",
    "m4v", "mkv", "mov", "mp3", "mp4", "odg", "odp", "ods", "odt", "ogg", "ogv", "opus", "pdf",
    "png", "pptx", "rar", "webm", "webp", "woff", "woff2", "xlsx", "xz", "zip", "zst",
];

/// Sorted by extension for binary search.
const MEDIA_TYPES: &[(&str, &str)] = &[
    ("7z", "application/x-7z-compressed"),
    ("adoc", "text/asciidoc"),
    ("avif", "image/avif"),
    ("bmp", "image/bmp"),
    ("css", "text/css"),
    ("csv", "text/csv"),
    ("doc", "application/msword"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("eot", "application/vnd.ms-fontobject"),
    ("epub", "application/epub+zip"),
    ("flac", "audio/flac"),
    ("gif", "image/gif"),
    ("gz", "application/gzip"),
    ("heic", "image/heic"),
    ("htm", "text/html"),
    ("html", "text/html"),
    ("ico", "image/vnd.microsoft.icon"),
    ("ipynb", "application/x-ipynb+json"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript"),
    ("json", "application/json"),
    ("key", "application/vnd.apple.keynote"),
    ("m4a", "audio/mp4"),
    ("m4v", "video/mp4"),
    ("markdown", "text/markdown"),
    ("md", "text/markdown"),
    ("mdown", "text/markdown"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("mp4", "video/mp4"),
    ("numbers", "application/vnd.apple.numbers"),
    ("odg", "application/vnd.oasis.opendocument.graphics"),
    ("odp", "application/vnd.oasis.opendocument.presentation"),
    ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("odt", "application/vnd.oasis.opendocument.text"),
    ("ogg", "audio/ogg"),
    ("ogv", "video/ogg"),
    ("opus", "audio/opus"),
    ("org", "text/org"),
    ("otf", "font/otf"),
    ("pages", "application/vnd.apple.pages"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("ppt", "application/vnd.ms-powerpoint"),
    ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    ("rar", "application/vnd.rar"),
    ("rst", "text/x-rst"),
    ("rtf", "application/rtf"),
    ("scss", "text/x-scss"),
    ("svg", "image/svg+xml"),
    ("tif", "image/tiff"),
    ("tiff", "image/tiff"),
    ("toml", "application/toml"),
    ("ttf", "font/ttf"),
    ("txt", "text/plain"),
    ("vtt", "text/vtt"),
    ("wav", "audio/wav"),
    ("webm", "video/webm"),
    ("webmanifest", "application/manifest+json"),
    ("webp", "image/webp"),
    ("woff", "font/woff"),
    ("woff2", "font/woff2"),
    ("xls", "application/vnd.ms-excel"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("xml", "application/xml"),
    ("xz", "application/x-xz"),
    ("yaml", "application/yaml"),
    ("yml", "application/yaml"),
    ("zip", "application/zip"),
    ("zst", "application/zstd"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_binary_search() {
        assert!(MEDIA_TYPES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn types_by_extension() {
        assert_eq!(media_type("static/img/X.PDF"), "application/pdf");
        assert_eq!(media_type("a/b.tar.gz"), "application/gzip");
        assert_eq!(media_type("Makefile"), "application/octet-stream");
        assert_eq!(media_type(".keep"), "application/octet-stream");
        assert!(is_document(target_path("/img/x.pdf?download=1#page=2")));
        assert_eq!(extension("static/a#b.jpg"), "jpg");
        assert!(!is_document("/img/x.png"));
        assert!(is_compressed("a.JPG") && !is_compressed("a.md"));
        assert_eq!(extension("/a.b/c"), "");
    }
}
