//! Network fetch (`--fetch`): the remote documents the pages link to, the other remote
//! links whose URL cannot tell what they are, and each video's oEmbed metadata and
//! thumbnail. What comes back is recorded with its provenance in the model; the bytes are
//! handed to the archive writer, which stores them under `data/remote/`.
//!
//! carton never touches the network unless this module is called, and it is only called
//! when the user asks.

mod client;
mod oembed;
mod sniff;
mod store;

pub use oembed::ENDPOINTS as OEMBED_ENDPOINTS;
pub use store::Store;

use crate::error::{Error, Result};
use crate::model::{
    Document, FetchRun, Model, OEmbed, Outcome, Problem, RefSource, RemoteLink, Retrieval,
    Severity, Target,
};
use crate::source::{is_file_like, media_type, target_path};
use client::{Body, Client, Validators, Want};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Where fetched files go inside `data/`.
pub const REMOTE_ROOT: &str = "remote";

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Remote documents (and links whose type the URL cannot tell).
    pub documents: bool,
    /// Videos' oEmbed metadata and thumbnails.
    pub videos: bool,
    /// A cache kept across runs.
    pub cache: Option<PathBuf>,
    /// Largest body stored, in bytes.
    pub max_size: u64,
    /// Connect timeout, and the longest wait for the next bytes of an answer.
    pub timeout: Duration,
    /// The longest a whole request may take, body included.
    pub total_timeout: Duration,
    /// Requests in flight at once.
    pub jobs: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Retries after a first failed attempt (408, 429, 5xx, connection reset).
    pub retries: u32,
    /// The first backoff delay; doubled at each retry.
    pub retry_delay: Duration,
    /// oEmbed endpoints by provider, replacing the published ones.
    pub oembed: BTreeMap<String, String>,
    /// The `User-Agent` header.
    pub user_agent: String,
}

/// The `User-Agent` carton sends.
pub const USER_AGENT: &str = concat!("carton/", env!("CARGO_PKG_VERSION"));
/// Largest body stored by default (200 MB).
pub const DEFAULT_MAX_SIZE: u64 = 200_000_000;
/// Connect timeout, and longest silence while reading an answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest a whole request may take, body included.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(600);
/// Requests in flight at once.
pub const DEFAULT_JOBS: usize = 16;
/// Requests in flight at once to one host: what a browser opens is 6; a link checker should
/// ask less of small public servers.
pub const DEFAULT_PER_HOST: usize = 4;
/// Retries after a failed attempt.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// First backoff delay.
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_millis(500);

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            documents: true,
            videos: true,
            cache: None,
            max_size: DEFAULT_MAX_SIZE,
            timeout: DEFAULT_TIMEOUT,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            jobs: DEFAULT_JOBS,
            per_host: DEFAULT_PER_HOST,
            retries: DEFAULT_MAX_RETRIES,
            retry_delay: DEFAULT_RETRY_DELAY,
            oembed: BTreeMap::new(),
            user_agent: USER_AGENT.into(),
        }
    }
}

/// A fetched file to store in the archive.
#[derive(Debug, Clone)]
pub struct RemoteFile {
    /// Path in the bag, relative to `data/` (`remote/<sha256 prefix>/<name>`).
    pub path: String,
    /// Where the bytes are now.
    pub source: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 the bytes had when downloaded; the writer checks it again.
    pub sha256: String,
    /// Media type.
    pub media_type: String,
}

/// What a fetch produced: the files to store. The downloads live in `store` (a temporary
/// folder unless a cache was named) until this is dropped.
pub struct Fetched {
    /// Files to store, sorted by path, each once.
    pub files: Vec<RemoteFile>,
    /// Keeps scratch downloads alive until the archive is written.
    pub store: Arc<Store>,
    /// How long the network part took.
    pub elapsed: Duration,
}

/// Progress: the number of URLs to fetch, then each one done.
pub enum Event<'a> {
    /// Everything is queued.
    Queued(usize),
    /// One URL is done.
    Done(&'a str),
}

/// A downloaded body.
#[derive(Debug, Clone)]
struct Blob {
    sha256: String,
    size: u64,
    path: PathBuf,
}

enum Job {
    Document(usize),
    Probe(String),
    Video(usize),
}

enum Done {
    Document(usize, Retrieval, Option<Blob>),
    Probe(String, Retrieval, Option<Blob>),
    Video(usize, Box<OEmbed>, Option<Blob>),
}

/// Reference sources that can point at a document; images and embeds cannot.
fn may_link_document(source: RefSource) -> bool {
    !matches!(source, RefSource::Image | RefSource::HtmlSrc | RefSource::Iframe)
}

/// Extensions of pages made by a program, which may serve a document
/// (`download.php?id=3`): checked like extension-less URLs.
const DYNAMIC: &[&str] = &["asp", "aspx", "cfm", "cgi", "do", "jsp", "php", "pl"];

/// A remote link whose URL does not say what it points at.
fn worth_probing(url: &str) -> bool {
    let Ok(u) = url::Url::parse(url) else { return false };
    if !matches!(u.scheme(), "http" | "https") {
        return false;
    }
    let path = target_path(u.path());
    let ext = crate::source::extension(path);
    !is_file_like(path) || DYNAMIC.contains(&ext.as_str())
}

/// Fetches what `opts` asks for and records it in `model`. `scratch` is the folder for
/// temporary downloads when no cache is named (the output's folder: nothing is written
/// elsewhere). Returns the files to store.
///
/// # Errors
/// When the cache or scratch folder cannot be written, or `interrupt` is set. Network
/// failures are not errors: they are recorded and reported as problems.
pub fn fetch(
    model: &mut Model,
    opts: &FetchOptions,
    scratch: &Path,
    progress: &(dyn Fn(Event) + Sync),
    interrupt: &AtomicBool,
) -> Result<Fetched> {
    let started = now_rfc3339();
    let clock = std::time::Instant::now();
    let store = Arc::new(match &opts.cache {
        Some(dir) => Store::cache(dir)?,
        None => Store::scratch(scratch, ".carton-fetch-")?,
    });
    let client = Arc::new(Client::new(opts)?);

    let mut jobs: Vec<Job> = Vec::new();
    let mut probes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if opts.documents {
        let documents: BTreeSet<&str> =
            model.documents.iter().filter(|d| !d.local).map(|d| d.target.as_str()).collect();
        jobs.extend(
            model
                .documents
                .iter()
                .enumerate()
                .filter(|(_, d)| !d.local)
                .map(|(i, _)| Job::Document(i)),
        );
        for page in &model.pages {
            for r in &page.references {
                if let Target::Remote { url } = &r.target
                    && !r.document
                    && may_link_document(r.source)
                    && !documents.contains(url.as_str())
                    && worth_probing(url)
                {
                    let pages = probes.entry(url.clone()).or_default();
                    if pages.last() != Some(&page.path) {
                        pages.push(page.path.clone());
                    }
                }
            }
        }
        jobs.extend(probes.keys().map(|u| Job::Probe(u.clone())));
    }
    if opts.videos {
        jobs.extend(
            model
                .videos
                .iter()
                .enumerate()
                .filter(|(_, v)| {
                    !v.url.is_empty() && oembed::endpoint(&v.provider, &opts.oembed).is_some()
                })
                .map(|(i, _)| Job::Video(i)),
        );
    }
    progress(Event::Queued(jobs.len()));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Fetch(format!("cannot start the network runtime: {e}")))?;
    let done: Vec<Done> = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for job in jobs {
            let (client, store) = (client.clone(), store.clone());
            let task: std::pin::Pin<Box<dyn std::future::Future<Output = Done> + Send>> = match job {
                Job::Document(i) => {
                    let url = model.documents[i].target.clone();
                    Box::pin(async move {
                        let (rec, blob) = retrieve(&client, &store, &url, Want::Document).await;
                        Done::Document(i, rec, blob)
                    })
                }
                Job::Probe(url) => Box::pin(async move {
                    let (rec, blob) = retrieve(&client, &store, &url, Want::Probe).await;
                    Done::Probe(url, rec, blob)
                }),
                Job::Video(i) => {
                    let video = model.videos[i].clone();
                    let endpoint = oembed::endpoint(&video.provider, &opts.oembed).unwrap_or_default().to_string();
                    Box::pin(async move {
                        let (o, blob) = describe_video(&client, &store, &endpoint, &video).await;
                        Done::Video(i, Box::new(o), blob)
                    })
                }
            };
            set.spawn(task);
        }
        let mut done = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        loop {
            tokio::select! {
                next = set.join_next() => match next {
                    None => break,
                    Some(Ok(d)) => {
                        progress(Event::Done(match &d {
                            Done::Document(_, r, _) | Done::Probe(_, r, _) => &r.url,
                            Done::Video(_, o, _) => &o.request.url,
                        }));
                        done.push(d);
                    }
                    Some(Err(e)) => return Err(Error::Fetch(format!("a download task failed: {e}"))),
                },
                _ = tick.tick() => if interrupt.load(Ordering::Relaxed) {
                    set.abort_all();
                    return Err(Error::Interrupted);
                },
            }
        }
        Ok(done)
    })?;
    // Downloads in flight are gone with the runtime; their temporary files with them.
    drop(runtime);

    let mut run = FetchRun {
        kinds: [("documents", opts.documents), ("videos", opts.videos)]
            .iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| (*k).to_string())
            .collect(),
        user_agent: opts.user_agent.clone(),
        started,
        requests: client.requests.load(Ordering::Relaxed),
        bytes_downloaded: client.bytes.load(Ordering::Relaxed),
        ..Default::default()
    };
    let files = apply(model, done, &probes, &mut run);
    run.finished = now_rfc3339();
    model.fetch = Some(run);
    Ok(Fetched { files, store, elapsed: clock.elapsed() })
}

/// Downloads `url` (revalidating a cached copy when there is one) into the store.
async fn retrieve(
    client: &Client,
    store: &Store,
    url: &str,
    want: Want,
) -> (Retrieval, Option<Blob>) {
    let cached = store.lookup(url);
    let validators = cached.as_ref().and_then(|c| {
        (c.etag.is_some() || c.last_modified.is_some())
            .then(|| Validators { etag: c.etag.clone(), last_modified: c.last_modified.clone() })
    });
    let (rec, body) = client.get(url, want, validators.as_ref(), &store.spool()).await;
    match body {
        Body::File { file, sha256, size } => match store.keep(file, &sha256) {
            Ok(path) => {
                store.record(&rec);
                (rec, Some(Blob { sha256, size, path }))
            }
            Err(e) => failed(rec, "spool", format!("cannot keep the download: {e}")),
        },
        Body::None if rec.outcome == Some(Outcome::Stored) => {
            // 304 Not Modified: the cached copy is the current one.
            let Some(mut kept) = cached else {
                return failed(rec, "cache", "no cached copy".into());
            };
            kept.revalidated = Some(rec.retrieved.clone());
            kept.status = rec.status;
            kept.attempts = rec.attempts;
            let (Some(sha256), Some(size)) = (kept.sha256.clone(), kept.size) else {
                return failed(rec, "cache", "the cached record lacks its digest".into());
            };
            let path = store.blob(&sha256);
            (kept, Some(Blob { sha256, size, path }))
        }
        Body::Bytes(_) | Body::None => (rec, None),
    }
}

fn failed(mut rec: Retrieval, code: &str, reason: String) -> (Retrieval, Option<Blob>) {
    rec.outcome = Some(Outcome::Failed);
    rec.error = Some(code.into());
    rec.reason = Some(reason);
    (rec, None)
}

/// Asks the provider's oEmbed endpoint about a video, then fetches its thumbnail.
async fn describe_video(
    client: &Client,
    store: &Store,
    endpoint: &str,
    video: &crate::model::Video,
) -> (OEmbed, Option<Blob>) {
    let url = oembed::request_url(endpoint, video);
    let (mut rec, body) = client.get(&url, Want::Json, None, &store.spool()).await;
    let gone =
        matches!(rec.status, Some(401 | 403 | 404 | 410)) && rec.outcome == Some(Outcome::Failed);
    let Body::Bytes(bytes) = body else {
        return (OEmbed { request: rec, unavailable: gone, ..Default::default() }, None);
    };
    rec.size = Some(bytes.len() as u64);
    let Some(mut o) = oembed::parse(rec.clone(), &bytes) else {
        rec.outcome = Some(Outcome::Failed);
        rec.error = Some("bad-oembed".into());
        rec.reason = Some("the answer is not a JSON object".into());
        return (OEmbed { request: rec, ..Default::default() }, None);
    };
    let mut blob = None;
    if let Some(thumb) = o.thumbnail_url.clone() {
        let (t, b) = retrieve(client, store, &thumb, Want::Image).await;
        o.thumbnail = Some(t);
        blob = b;
    }
    (o, blob)
}

/// A safe file name for a fetched copy: the last segment of the URL, percent-decoded,
/// reduced to letters, digits, `.`, `-` and `_`, with the extension of its media type.
fn file_name(url: &str, media_type: &str) -> String {
    let segment = url::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments().and_then(|mut s| s.rfind(|p| !p.is_empty()).map(str::to_string))
        })
        .unwrap_or_default();
    let decoded = percent_encoding::percent_decode_str(&segment).decode_utf8_lossy().to_string();
    let mut name = String::new();
    for c in unicode_normalization::UnicodeNormalization::nfkd(decoded.as_str()) {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            name.push(c);
        } else if !unicode_normalization::char::is_combining_mark(c) && !name.ends_with('-') {
            // Runs of anything else, hyphens included, become one hyphen.
            name.push('-');
        }
    }
    let mut name = name.trim_matches(['-', '.']).chars().take(80).collect::<String>();
    if name.is_empty() {
        name = "file".into();
    }
    if let Some(ext) = crate::source::extension_for(media_type)
        && crate::source::extension(&name) != ext
        && !(ext == "jpg" && crate::source::extension(&name) == "jpeg")
    {
        name = format!("{name}.{ext}");
    }
    name
}

/// Records every result in the model, names the copies in the bag (each distinct content
/// once), and reports failures as problems. Returns the files to store.
fn apply(
    model: &mut Model,
    done: Vec<Done>,
    probes: &BTreeMap<String, Vec<String>>,
    run: &mut FetchRun,
) -> Vec<RemoteFile> {
    // Name each distinct content after the first URL (in sorted order) that brought it.
    let mut by_sha: BTreeMap<String, (String, Blob, String)> = BTreeMap::new();
    let mut note = |rec: &Retrieval, blob: &Option<Blob>| {
        if let Some(b) = blob {
            let url = rec.final_url.clone().unwrap_or_else(|| rec.url.clone());
            let mt = rec.media_type.clone().unwrap_or_else(|| "application/octet-stream".into());
            let e = by_sha
                .entry(b.sha256.clone())
                .or_insert_with(|| (url.clone(), b.clone(), mt.clone()));
            if url < e.0 {
                *e = (url, b.clone(), mt);
            }
        }
    };
    for d in &done {
        match d {
            Done::Document(_, r, b) | Done::Probe(_, r, b) => note(r, b),
            Done::Video(_, o, b) => {
                if let Some(t) = &o.thumbnail {
                    note(t, b);
                }
            }
        }
    }
    let mut paths: BTreeMap<String, String> = BTreeMap::new();
    let mut prefixes: BTreeMap<String, String> = BTreeMap::new();
    let mut files = Vec::new();
    for (sha, (url, blob, mt)) in &by_sha {
        // 16 hex digits (64 bits) keep paths short; two contents sharing them would take the
        // whole digest.
        let short = &sha[..16];
        let dir = match prefixes.get(short) {
            Some(other) if other != sha => sha.clone(),
            _ => {
                prefixes.insert(short.to_string(), sha.clone());
                short.to_string()
            }
        };
        let path = format!("{REMOTE_ROOT}/{dir}/{}", file_name(url, mt));
        paths.insert(sha.clone(), path.clone());
        files.push(RemoteFile {
            path,
            source: blob.path.clone(),
            size: blob.size,
            sha256: sha.clone(),
            media_type: mt.clone(),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let place = |rec: &mut Retrieval| {
        if let Some(sha) = &rec.sha256 {
            rec.path = paths.get(sha).cloned();
        }
    };

    let mut problems = Vec::new();
    let mut new_documents = Vec::new();
    let mut links = Vec::new();
    let mut documented: BTreeSet<String> = BTreeSet::new();
    for d in done {
        match d {
            Done::Document(i, mut rec, _) => {
                place(&mut rec);
                let doc = &mut model.documents[i];
                match rec.outcome {
                    Some(Outcome::Stored) => {
                        run.documents_stored += 1;
                        if rec.revalidated.is_some() {
                            run.not_modified += 1;
                        }
                    }
                    _ => {
                        run.documents_failed += 1;
                        for page in &doc.pages {
                            problems.push(fetch_problem(
                                remote_ref(&model.pages, page, &doc.target),
                                page,
                                "remote-document",
                                &rec,
                            ));
                        }
                    }
                }
                model.documents[i].fetch = Some(rec);
            }
            Done::Probe(url, mut rec, _) => {
                place(&mut rec);
                let pages = probes.get(&url).cloned().unwrap_or_default();
                if rec.outcome == Some(Outcome::Stored) {
                    // A document the URL did not announce: it joins the documents.
                    run.documents_stored += 1;
                    if rec.revalidated.is_some() {
                        run.not_modified += 1;
                    }
                    documented.insert(url.clone());
                    new_documents.push(Document {
                        target: url.clone(),
                        local: false,
                        missing: false,
                        media_type: rec
                            .media_type
                            .clone()
                            .unwrap_or_else(|| media_type(target_path(&url)).into()),
                        pages,
                        fetch: Some(rec),
                    });
                } else {
                    run.links_checked += 1;
                    if rec.outcome == Some(Outcome::Failed) {
                        run.links_failed += 1;
                        for page in &pages {
                            problems.push(fetch_problem(
                                remote_ref(&model.pages, page, &url),
                                page,
                                "dead-link",
                                &rec,
                            ));
                        }
                    }
                    links.push(RemoteLink { url, pages, fetch: rec });
                }
            }
            Done::Video(i, mut o, _) => {
                if let Some(t) = &mut o.thumbnail {
                    place(t);
                }
                let v = &model.videos[i];
                if o.request.outcome == Some(Outcome::Stored) {
                    run.videos_described += 1;
                } else {
                    run.videos_unavailable += 1;
                    let code = if o.unavailable { "video-unavailable" } else { "oembed-failed" };
                    for page in &v.pages {
                        let place = video_ref(&model.pages, page, &v.key);
                        let mut p = fetch_problem(place, page, code, &o.request);
                        p.message = if o.unavailable {
                            format!(
                                "{} video {} is gone or private: its oEmbed endpoint answered {}",
                                v.provider,
                                v.id,
                                o.request.reason.as_deref().unwrap_or("an error")
                            )
                        } else {
                            format!(
                                "no oEmbed metadata for {} video {}: {}",
                                v.provider,
                                v.id,
                                o.request.reason.as_deref().unwrap_or("unknown error")
                            )
                        };
                        problems.push(p);
                    }
                }
                model.videos[i].oembed = Some(*o);
            }
        }
    }
    for page in &mut model.pages {
        for r in &mut page.references {
            if let Target::Remote { url } = &r.target
                && documented.contains(url)
                && may_link_document(r.source)
            {
                r.document = true;
            }
        }
    }
    model.documents.extend(new_documents);
    model.documents.sort_by(|a, b| a.target.cmp(&b.target));
    links.sort_by(|a, b| a.url.cmp(&b.url));
    model.links = links;
    model.problems.extend(problems);
    model.problems.sort();
    files
}

/// Line and column of the first reference of a page whose target matches.
fn first_ref(
    pages: &[crate::model::Page],
    page: &str,
    hit: impl Fn(&Target) -> bool,
) -> (usize, usize) {
    pages
        .binary_search_by(|p| p.path.as_str().cmp(page))
        .ok()
        .and_then(|i| pages[i].references.iter().find(|r| hit(&r.target)))
        .map_or((0, 0), |r| (r.span.line, r.span.column))
}

fn remote_ref(pages: &[crate::model::Page], page: &str, url: &str) -> (usize, usize) {
    first_ref(pages, page, |t| matches!(t, Target::Remote { url: u } if u == url))
}

fn video_ref(pages: &[crate::model::Page], page: &str, key: &str) -> (usize, usize) {
    first_ref(pages, page, |t| matches!(t, Target::Video { key: k } if k == key))
}

fn fetch_problem(place: (usize, usize), page: &str, code: &str, rec: &Retrieval) -> Problem {
    let reason = rec.reason.as_deref().unwrap_or("it could not be fetched");
    let message = match rec.outcome {
        Some(Outcome::NotADocument) => format!("<{}> is not a document", rec.url),
        _ if code == "remote-document" => {
            format!("<{}> could not be archived: {reason}; the link is kept as written", rec.url)
        }
        _ => format!("<{}> is unreachable: {reason}", rec.url),
    };
    Problem {
        code: code.into(),
        severity: Severity::Warning,
        path: page.into(),
        line: place.0,
        column: place.1,
        message,
    }
}

/// The current time, RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    now.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_and_typed() {
        assert_eq!(
            file_name(
                "https://www.cnil.fr/sites/default/files/atoms/files/guide_open_data.pdf",
                "application/pdf"
            ),
            "guide_open_data.pdf"
        );
        assert_eq!(
            file_name("https://www.insee.fr/fr/statistiques/fichier/2114265", "application/pdf"),
            "2114265.pdf"
        );
        assert_eq!(
            file_name(
                "https://a.org/docs/Questionnaire%20-%20EIG%203%C3%A9.pdf",
                "application/pdf"
            ),
            "Questionnaire-EIG-3e.pdf"
        );
        assert_eq!(file_name("https://a.org/", "application/pdf"), "file.pdf");
        assert_eq!(file_name("https://a.org/../..%2F..%2Fetc", "image/jpeg"), "etc.jpg");
        assert_eq!(
            file_name("https://i.ytimg.com/vi/x/hqdefault.jpeg", "image/jpeg"),
            "hqdefault.jpeg"
        );
    }

    #[test]
    fn which_links_are_probed() {
        assert!(worth_probing("https://www.insee.fr/fr/statistiques/fichier/2114265"));
        assert!(worth_probing("https://a.fr/download.php?id=3"));
        assert!(worth_probing("https://www.etalab.gouv.fr"));
        assert!(!worth_probing("https://a.fr/page.html"));
        assert!(!worth_probing("https://a.fr/logo.png"));
        assert!(!worth_probing("ftp://a.fr/x"));
    }
}
