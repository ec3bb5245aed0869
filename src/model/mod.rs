//! The neutral content model: what carton knows about a site, independent of the generator
//! it came from. It is serialised as `data/carton.json` in every archive (schema:
//! `archive/carton.schema.json`) and is what importers read.

mod span;

pub use span::{LineIndex, Span};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The version of the carton.json format this build writes and reads.
pub const FORMAT_VERSION: &str = "1.2";

/// The whole content model of one site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Model {
    /// Always `carton`: lets a reader recognise the file.
    pub format: String,
    /// [`FORMAT_VERSION`] at the time of writing.
    pub format_version: String,
    /// The program that wrote it (`carton 0.1.0`).
    pub generator: String,
    /// Site-wide facts.
    pub site: SiteInfo,
    /// Content sections (top-level folders of the content directory, and nested branch bundles).
    pub sections: Vec<Section>,
    /// Taxonomies and their terms.
    pub taxonomies: Vec<Taxonomy>,
    /// The editing schema (Decap CMS collections), when the site has one.
    pub schema: Option<ContentSchema>,
    /// Every page, sorted by path.
    pub pages: Vec<Page>,
    /// Every file of the site (pages included), sorted by path.
    pub files: Vec<FileEntry>,
    /// Every distinct video referenced by a page, sorted by key.
    pub videos: Vec<Video>,
    /// Every distinct document (PDF, office file) referenced by a page, local or remote.
    pub documents: Vec<Document>,
    /// Remote links checked by `--fetch` that are not documents (or could not be reached to
    /// tell), sorted by URL. Absent when nothing was fetched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<RemoteLink>,
    /// The `--fetch` run that filled `documents[].fetch`, `videos[].oembed` and `links`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<FetchRun>,
    /// Everything that was found wrong, with its place.
    pub problems: Vec<Problem>,
    /// Counts of what was read and where it went.
    pub summary: Summary,
}

/// Site-wide facts read from the generator's configuration.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SiteInfo {
    /// The generator the site was written for (`hugo`, `jekyll`, ...).
    pub generator: String,
    /// Where the site's files are in the archive's payload, relative to `data/`.
    pub root: String,
    /// Site title.
    pub title: Option<String>,
    /// Base URL as configured (may be empty).
    pub base_url: String,
    /// Language code.
    pub language: Option<String>,
    /// Configuration files, relative to the site root.
    pub config_files: Vec<String>,
    /// The content folder, relative to the site root.
    pub content_dir: String,
    /// The static folders, relative to the site root.
    pub static_dirs: Vec<String>,
    /// Where content and static files are mounted from (Hugo's module mounts, or the
    /// defaults): `target` is `content`, `static` or `assets`, with an optional sub-path.
    pub mounts: Vec<Mount>,
    /// The whole configuration as parsed (merged when split over files).
    pub config: Value,
}

/// A folder of the site mounted into the generator's content or published tree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    /// Folder relative to the site root.
    pub source: String,
    /// `content`, `static`, `assets`, or a path below one of them.
    pub target: String,
}

/// A content section: a folder of pages with an optional index page.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Section {
    /// Path of the section under the content folder (`defis`, `blog/2024`); empty for home.
    pub path: String,
    /// The section's own page (`_index.md`), when there is one.
    pub index: Option<String>,
    /// URL of the section.
    pub url: String,
    /// The pages directly in this section.
    pub pages: Vec<String>,
}

/// A taxonomy (`themes`, `tags`) and its terms.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Taxonomy {
    /// Plural name, the front matter key (`themes`).
    pub name: String,
    /// Singular name (`theme`).
    pub singular: String,
    /// The taxonomy's own page, when the site has one.
    pub index: Option<String>,
    /// Every term used by a page or having a page of its own, sorted by name.
    pub terms: Vec<Term>,
}

/// One term of a taxonomy.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Term {
    /// The term as written in front matter (`Santé`).
    pub name: String,
    /// URL of the term's list page.
    pub url: String,
    /// The term's own page (`content/themes/sante/_index.md`), when there is one.
    pub page: Option<String>,
    /// Pages carrying the term.
    pub pages: Vec<String>,
}

/// What kind of page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    /// The home page.
    Home,
    /// A section's list page.
    Section,
    /// A regular page.
    Page,
    /// A taxonomy's list page.
    Taxonomy,
    /// A term's list page.
    Term,
}

/// Whether a page is a bundle, and which kind (Hugo's page bundles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BundleKind {
    /// `index.md`: a page with its resources, no descendants.
    Leaf,
    /// `_index.md`: a list page with its resources.
    Branch,
}

/// The syntax of a front matter block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FrontMatterFormat {
    /// `---` fences.
    Yaml,
    /// `+++` fences.
    Toml,
    /// A JSON object at the start of the file.
    Json,
}

/// A page's front matter.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrontMatter {
    /// Its syntax.
    pub format: FrontMatterFormat,
    /// The whole block, fences included.
    pub span: Span,
    /// The parsed fields, in source order; `null` when the block could not be parsed.
    pub fields: Value,
}

/// How the bytes of a text file are laid out; kept so a target can write them back alike.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextInfo {
    /// The file starts with a UTF-8 byte order mark.
    pub bom: bool,
    /// `lf`, `crlf`, `mixed` or `none`.
    pub line_endings: String,
    /// The file is valid UTF-8 (when not, it was parsed after lossy decoding).
    pub utf8: bool,
}

/// One page of the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page {
    /// Path relative to the site root (`content/defis/adex.md`).
    pub path: String,
    /// Path relative to the content folder (`defis/adex.md`).
    pub content_path: String,
    /// What kind of page.
    pub kind: PageKind,
    /// Set when the page is a bundle.
    pub bundle: Option<BundleKind>,
    /// The section the page belongs to (`defis`), empty for root pages.
    pub section: String,
    /// The URL path the generator gives the page (`/defis/adex/`), without the base URL.
    pub url: String,
    /// Other URLs the page answers (aliases, redirects).
    pub aliases: Vec<String>,
    /// Title from front matter.
    pub title: Option<String>,
    /// Date as written in front matter.
    pub date: Option<String>,
    /// Draft flag.
    pub draft: bool,
    /// Editing collection (Decap) the page belongs to.
    pub collection: Option<String>,
    /// Front matter, when the page has some.
    pub front_matter: Option<FrontMatter>,
    /// The body (everything after the front matter), byte span in the file.
    pub body: Span,
    /// Text layout of the file.
    pub text: TextInfo,
    /// Every shortcode call, nested ones included, in source order.
    pub shortcodes: Vec<ShortcodeCall>,
    /// Every reference the page makes, in source order.
    pub references: Vec<Reference>,
    /// Files of the page's bundle.
    pub resources: Vec<String>,
    /// Taxonomy terms of the page, by taxonomy.
    pub taxonomies: BTreeMap<String, Vec<String>>,
    /// Relations to other pages declared by the editing schema.
    pub relations: Vec<Relation>,
}

/// One shortcode call in a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShortcodeCall {
    /// Shortcode name.
    pub name: String,
    /// Hugo: `<` for `{{< >}}`, `%` for `{{% %}}`. Jekyll: `liquid-tag` for `{% %}`,
    /// `liquid-output` for `{{ }}`.
    pub notation: String,
    /// Parameters in the order written.
    pub params: Vec<ShortcodeParam>,
    /// The whole call, closing tag included.
    pub span: Span,
    /// The opening tag.
    pub open: Span,
    /// The closing tag, when paired.
    pub close: Option<Span>,
    /// The inner content, when paired.
    pub inner: Option<Span>,
    /// Written `/>}}`.
    pub self_closing: bool,
    /// Index (in this list) of the enclosing call.
    pub parent: Option<usize>,
    /// A shortcode built into Hugo or with a template in the site; a Liquid tag of Liquid or
    /// Jekyll, or any output.
    pub known: bool,
}

/// One parameter of a shortcode call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShortcodeParam {
    /// Name for a named parameter, absent for a positional one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    /// The value, unquoted and unescaped.
    pub value: String,
    /// `double`, `single` (Liquid), `backtick` or `bare`.
    pub quote: String,
    /// The value as written, quotes included.
    pub span: Span,
}

/// Where a reference was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefSource {
    /// Markdown link `[text](target)`.
    Link,
    /// Markdown image `![alt](target)`.
    Image,
    /// Markdown autolink `<https://...>`.
    Autolink,
    /// Markdown link reference definition `[ref]: target`.
    LinkDefinition,
    /// HTML `href` attribute.
    HtmlHref,
    /// HTML `src` (and similar) attribute.
    HtmlSrc,
    /// HTML `<iframe src>`.
    Iframe,
    /// A URL in running text.
    BareUrl,
    /// A shortcode parameter.
    Shortcode,
    /// A front matter field.
    FrontMatter,
}

/// What a reference points at, once resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Target {
    /// A file of the site.
    File {
        /// Its path relative to the site root.
        path: String,
    },
    /// Another page of the site.
    Page {
        /// Its path relative to the site root.
        path: String,
    },
    /// A video (see `videos`).
    Video {
        /// Its key in `videos`.
        key: String,
    },
    /// A URL on another host.
    Remote {
        /// The URL.
        url: String,
    },
    /// A video shortcode or embed whose ID is missing or malformed.
    InvalidVideo {
        /// The provider the shortcode or URL names.
        provider: String,
    },
    /// A fragment of the page itself.
    Anchor,
    /// Another scheme (`mailto:`, `tel:`, ...), not followed.
    Other,
    /// A local target that matches no file and no page.
    Missing {
        /// The file path it was expected at.
        expected: String,
        /// A file or page that differs only by case or Unicode normalisation.
        #[serde(skip_serializing_if = "Option::is_none", default)]
        near_match: Option<String>,
    },
}

/// One reference from a page to a file, a page, a video or a URL.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reference {
    /// How it was written.
    pub source: RefSource,
    /// Front matter field or shortcode name, when relevant.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub field: Option<String>,
    /// The target as written.
    pub raw: String,
    /// Link text, image alt text or title given with the reference.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
    /// Where it was written.
    pub span: Span,
    /// What it resolves to.
    pub target: Target,
    /// The target is a document (PDF, office file).
    pub document: bool,
}

/// A relation field of the editing schema, resolved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    /// The field (`themes`).
    pub field: String,
    /// The collection it points into.
    pub collection: String,
    /// The stored value.
    pub value: String,
    /// The page it reaches, when one matches.
    pub page: Option<String>,
    /// The taxonomy term list page it reaches when no page matches but the collection holds
    /// a taxonomy's terms (the generator builds a page for every term used).
    pub term_url: Option<String>,
}

/// What role a file plays in the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    /// A page (Markdown or HTML with front matter).
    Page,
    /// A non-page file under the content folder (page or bundle resource).
    Resource,
    /// A file under a static folder.
    Static,
    /// Site configuration.
    Config,
    /// Anything else (layouts, data, licence...).
    Other,
}

/// One file of the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Path relative to the site root, `/`-separated.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the bytes stored, lower-case hex.
    pub sha256: String,
    /// Media type guessed from the extension.
    pub media_type: String,
    /// Role in the site.
    pub role: FileRole,
    /// A document (PDF, office file).
    pub document: bool,
}

/// One video referenced by the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Video {
    /// `provider:id` (`dailymotion:x82dxrq`, `dailymotion:playlist:x65owi`).
    pub key: String,
    /// `dailymotion`, `youtube` or `vimeo`.
    pub provider: String,
    /// `video` or `playlist`.
    pub kind: String,
    /// The provider's ID.
    pub id: String,
    /// The canonical page URL.
    pub url: String,
    /// The embeddable player URL.
    pub embed_url: String,
    /// A title, when the source gives one.
    pub title: Option<String>,
    /// The pages that reference it.
    pub pages: Vec<String>,
    /// What the provider's oEmbed endpoint said of it (`--fetch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oembed: Option<OEmbed>,
}

/// One document (PDF, office file) referenced by the site.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    /// Path of the local file, or the URL of a remote one.
    pub target: String,
    /// `true` for a file of the site, `false` for a URL on another host.
    pub local: bool,
    /// The local file is missing.
    pub missing: bool,
    /// Media type from the extension.
    pub media_type: String,
    /// The pages that reference it.
    pub pages: Vec<String>,
    /// The remote document's retrieval (`--fetch`): where its copy is in the archive, or why
    /// there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetch: Option<Retrieval>,
}

/// How a retrieval ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The body is stored in the archive (`path`).
    Stored,
    /// The URL answered, with something that is not a document (a web page): not stored.
    NotADocument,
    /// Nothing usable came back (`error` says why).
    Failed,
}

/// One HTTP retrieval: what was asked, what came back, and where the bytes are. The proof of
/// where and when an archived copy came from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Retrieval {
    /// The URL as linked.
    pub url: String,
    /// How it ended; absent only in a default value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Why it failed: a stable code (`http-404`, `timeout`, `dns`, `tls`, `connect`, `reset`,
    /// `redirect-loop`, `too-many-redirects`, `too-large`, `html-instead-of-document`, ...;
    /// listed in `archive/SPEC.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What happened, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The URL that answered last, after redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// The redirects followed, in order: each URL that answered with a redirect.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    /// HTTP status of the last answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `Content-Type` as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// `Content-Length` as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_length: Option<u64>,
    /// `Last-Modified` as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// `ETag` as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// When the bytes stored were received (RFC 3339, UTC).
    pub retrieved: String,
    /// When a cached copy was confirmed unchanged by the server (a `304 Not Modified`
    /// answer to a conditional request); `retrieved` is then the original download.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revalidated: Option<String>,
    /// Requests sent, retries included.
    pub attempts: u32,
    /// Where the copy is in the bag, relative to `data/` (`remote/<sha256 prefix>/<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Media type of the stored bytes (from `Content-Type`, or sniffed from the bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// SHA-256 of the stored bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Size of the stored bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// A remote link checked by `--fetch` that is not (or could not be shown to be) a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteLink {
    /// The URL.
    pub url: String,
    /// The pages that link to it.
    pub pages: Vec<String>,
    /// The check.
    pub fetch: Retrieval,
}

/// A video's oEmbed metadata, as the provider gave it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OEmbed {
    /// The request: endpoint URL with the video's URL as parameter, status, time.
    pub request: Retrieval,
    /// The video is gone or private (the endpoint answered 404, 401 or 403).
    pub unavailable: bool,
    /// `title` of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `author_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_name: Option<String>,
    /// `author_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    /// `provider_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    /// `thumbnail_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    /// Duration in seconds, where the provider gives one (`duration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// The thumbnail image, fetched into the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<Retrieval>,
    /// The answer as received (a JSON object), unknown keys included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Value>,
}

/// The `--fetch` run: when, how, and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FetchRun {
    /// What was fetched: `documents`, `videos`.
    pub kinds: Vec<String>,
    /// The `User-Agent` sent.
    pub user_agent: String,
    /// Start and end (RFC 3339, UTC).
    pub started: String,
    /// End of the run.
    pub finished: String,
    /// Remote documents stored in the archive.
    pub documents_stored: usize,
    /// Remote documents that could not be stored.
    pub documents_failed: usize,
    /// Stored documents whose cached copy the server confirmed unchanged.
    pub not_modified: usize,
    /// Other remote links checked, and how many of them failed.
    pub links_checked: usize,
    /// Links that failed.
    pub links_failed: usize,
    /// Videos whose oEmbed metadata was read, and those the provider says are gone.
    pub videos_described: usize,
    /// Videos unavailable or failed.
    pub videos_unavailable: usize,
    /// HTTP requests sent.
    pub requests: usize,
    /// Bytes downloaded (not counting cached copies).
    pub bytes_downloaded: u64,
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Something was lost or could not be read; `--strict` fails on it.
    Error,
    /// Something likely broken in the site (a dangling link); `--strict` fails on it.
    Warning,
    /// Worth knowing.
    Info,
}

/// Something found wrong in the site, with its place.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Problem {
    /// Stable code (`missing-file`, `front-matter`, ...; listed in `archive/SPEC.md`).
    pub code: String,
    /// How serious.
    pub severity: Severity,
    /// File relative to the site root.
    pub path: String,
    /// 1-based line, 0 when the problem is about the whole file.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub column: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

/// Counts of what was read and where it went: `files == pages + resources + static_files +
/// config_files + other_files`, and skipped entries are listed apart.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Files read and stored.
    pub files: usize,
    /// Bytes stored.
    pub bytes: u64,
    /// Files read as pages.
    pub pages: usize,
    /// Non-page files under the content folder.
    pub resources: usize,
    /// Files under static folders.
    pub static_files: usize,
    /// Configuration files.
    pub config_files: usize,
    /// Everything else.
    pub other_files: usize,
    /// Pages carried raw because their front matter could not be parsed.
    pub raw_pages: usize,
    /// Entries not stored, with the reason.
    pub skipped: Vec<Skipped>,
}

/// An entry of the site folder that was not stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Skipped {
    /// Path relative to the site root.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// The editing schema of a site: Decap CMS collections and their fields.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContentSchema {
    /// Where it was read from (`static/admin/config.yml`).
    pub source: String,
    /// `decap`.
    pub kind: String,
    /// Upload folder, relative to the site root when it lies in it.
    pub media_folder: Option<String>,
    /// URL prefix of uploads as written into fields.
    pub public_folder: Option<String>,
    /// The collections.
    pub collections: Vec<Collection>,
}

/// One collection of the editing schema.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Collection {
    /// Name.
    pub name: String,
    /// Label shown to editors.
    pub label: Option<String>,
    /// Folder of a folder collection, relative to the site root.
    pub folder: Option<String>,
    /// Files of a files collection: entry name and path relative to the site root.
    pub files: Vec<CollectionFile>,
    /// Filter on a field's value (`visible: true`).
    pub filter: Option<Value>,
    /// Fields, in order.
    pub fields: Vec<Field>,
    /// Pages that belong to the collection.
    pub pages: Vec<String>,
}

/// One file of a files collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CollectionFile {
    /// Entry name.
    pub name: String,
    /// Path relative to the site root.
    pub file: String,
    /// Fields of that file.
    pub fields: Vec<Field>,
}

/// One field of a collection.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Field {
    /// Key in front matter (`body` is the page body).
    pub name: String,
    /// Label shown to editors.
    pub label: Option<String>,
    /// Widget (`string`, `relation`, `image`, ...).
    pub widget: String,
    /// Required (Decap's default is true).
    pub required: bool,
    /// Several values.
    pub multiple: bool,
    /// Default value.
    pub default: Option<Value>,
    /// For relations: the collection pointed into.
    pub collection: Option<String>,
    /// For relations: the field of the target entry that the stored value matches.
    pub value_field: Option<String>,
    /// Nested fields (`object`, `list`).
    pub fields: Vec<Field>,
}

impl Model {
    /// An empty model stamped with this build's format version.
    pub fn new() -> Self {
        Model {
            format: "carton".into(),
            format_version: FORMAT_VERSION.into(),
            generator: concat!("carton ", env!("CARGO_PKG_VERSION")).into(),
            ..Default::default()
        }
    }

    /// The page at a site-relative path.
    pub fn page(&self, path: &str) -> Option<&Page> {
        self.pages.binary_search_by(|p| p.path.as_str().cmp(path)).ok().map(|i| &self.pages[i])
    }

    /// Every retrieval of `--fetch` that failed, with what it was for (`document`, `link`,
    /// `video`, `thumbnail`): the dead links of the site.
    pub fn failed_retrievals(&self) -> Vec<(&'static str, &Retrieval)> {
        let mut out: Vec<(&'static str, &Retrieval)> = Vec::new();
        out.extend(self.documents.iter().filter_map(|d| Some(("document", d.fetch.as_ref()?))));
        out.extend(self.links.iter().map(|l| ("link", &l.fetch)));
        for o in self.videos.iter().filter_map(|v| v.oembed.as_ref()) {
            out.push(("video", &o.request));
            out.extend(o.thumbnail.as_ref().map(|t| ("thumbnail", t)));
        }
        out.retain(|(_, r)| r.outcome == Some(Outcome::Failed));
        out
    }

    /// Problems at or above a severity.
    pub fn count_problems(&self, at_least: Severity) -> usize {
        self.problems.iter().filter(|p| p.severity <= at_least).count()
    }
}
