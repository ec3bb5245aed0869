//! One HTTP client for the whole run: bounded concurrency (a global limit and one per
//! host), timeouts, redirects followed by hand (so every hop is recorded and loops are
//! caught), retries with exponential backoff that honour `Retry-After`, and bodies streamed
//! to disk while hashed, under a size cap.

use super::sniff::{self, SNIFF_LEN};
use super::{FetchOptions, now_rfc3339};
use crate::model::{Outcome, Retrieval};
use reqwest::StatusCode;
use reqwest::header::{self, HeaderMap};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Redirects followed before giving up (browsers allow about 20; 10 is what curl and most
/// link checkers use).
const DEFAULT_MAX_REDIRECTS: usize = 10;
/// The longest `Retry-After` carton waits for; a server asking for more is recorded as
/// failing rather than stalling the export.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);
/// The longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// oEmbed answers are small; anything bigger is not one.
const MAX_JSON: u64 = 1 << 20;

/// What the caller expects at the URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A document (the link's extension says so): anything else is a failure.
    Document,
    /// Perhaps a document (the URL cannot tell): a web page is read no further.
    Probe,
    /// An image (a thumbnail).
    Image,
    /// A JSON answer, kept in memory.
    Json,
}

/// Validators of a cached copy, for a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    /// `ETag` of the cached copy.
    pub etag: Option<String>,
    /// `Last-Modified` of the cached copy.
    pub last_modified: Option<String>,
}

/// The body of a successful retrieval.
pub enum Body {
    /// Nothing kept (failures, web pages, `304 Not Modified`).
    None,
    /// Streamed to a temporary file in the spool, with its SHA-256.
    File {
        /// The file; deleted when dropped unless persisted.
        file: tempfile::NamedTempFile,
        /// SHA-256, lower-case hex.
        sha256: String,
        /// Bytes.
        size: u64,
    },
    /// Held in memory (JSON).
    Bytes(Vec<u8>),
}

/// The HTTP client and its limits.
pub struct Client {
    http: reqwest::Client,
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Hosts whose name did not resolve, with the error: a link checker must not ask the
    /// resolver again for each of a dead site's hundred links.
    unresolved: Mutex<HashMap<String, String>>,
    retries: u32,
    retry_delay: Duration,
    max_size: u64,
    /// Requests sent.
    pub requests: AtomicUsize,
    /// Body bytes received.
    pub bytes: AtomicU64,
}

/// A request's failure, classified.
struct Failure {
    code: String,
    reason: String,
    retry: bool,
}

impl Client {
    /// Builds the client. Proxies come from the usual environment variables (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    pub fn new(opts: &FetchOptions) -> crate::Result<Client> {
        let http = reqwest::Client::builder()
            .user_agent(opts.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(opts.timeout)
            .read_timeout(opts.timeout)
            .timeout(opts.total_timeout)
            .gzip(true)
            .build()
            .map_err(|e| {
                crate::Error::Fetch(format!("cannot set up the HTTP client: {}", chain(&e)))
            })?;
        Ok(Client {
            http,
            global: Arc::new(Semaphore::new(opts.jobs.max(1))),
            per_host: opts.per_host.max(1),
            hosts: Mutex::new(HashMap::new()),
            unresolved: Mutex::new(HashMap::new()),
            retries: opts.retries,
            retry_delay: opts.retry_delay,
            max_size: opts.max_size,
            requests: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
        })
    }

    /// Takes a slot of the global limit and one of the URL's host.
    async fn permits(&self, url: &reqwest::Url) -> (OwnedSemaphorePermit, OwnedSemaphorePermit) {
        let host = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let sem = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|e| e.into_inner());
            hosts.entry(host).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))).clone()
        };
        // The host slot first: a request waiting on a busy host must not hold a global
        // slot that another host could use. Semaphores are never closed, so these succeed.
        let host_permit = sem.acquire_owned().await.expect("semaphore never closed");
        let global = self.global.clone().acquire_owned().await.expect("semaphore never closed");
        (global, host_permit)
    }

    /// GETs `url`, following redirects and retrying transient failures. `spool` is where a
    /// body is streamed to. Never fails: every outcome is in the returned record.
    pub async fn get(
        &self,
        url: &str,
        want: Want,
        validators: Option<&Validators>,
        spool: &Path,
    ) -> (Retrieval, Body) {
        let mut rec = Retrieval { url: url.to_string(), ..Default::default() };
        let parsed = match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
            Ok(u) => {
                return fail(
                    rec,
                    "unsupported-url",
                    format!("`{}` URLs are not fetched", u.scheme()),
                );
            }
            Err(e) => return fail(rec, "invalid-url", format!("not a valid URL: {e}")),
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            rec.attempts = attempt;
            rec.redirects.clear();
            let (outcome, body, wait) =
                self.follow(&parsed, want, validators, spool, &mut rec).await;
            match outcome {
                Ok(()) => return (rec, body),
                Err(f) if f.retry && attempt <= self.retries => {
                    let delay = wait.unwrap_or_else(|| self.backoff(attempt));
                    if delay > MAX_RETRY_AFTER {
                        return fail(
                            rec,
                            &f.code,
                            format!(
                                "{}; the server asks to retry in {} s, longer than carton waits ({} s)",
                                f.reason,
                                delay.as_secs(),
                                MAX_RETRY_AFTER.as_secs()
                            ),
                        );
                    }
                    log::debug!(
                        "{url}: {} ({}); retry {attempt} in {} ms",
                        f.code,
                        f.reason,
                        delay.as_millis()
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(f) => {
                    let reason = if attempt > 1 {
                        format!("{} (after {attempt} attempts)", f.reason)
                    } else {
                        f.reason
                    };
                    return fail(rec, &f.code, reason);
                }
            }
        }
    }

    /// Exponential backoff with jitter: `retry_delay * 2^(n-1)`, plus up to a quarter more,
    /// so that parallel retries do not arrive together.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self.retry_delay.saturating_mul(1 << (attempt - 1).min(16));
        let jitter = base.as_millis() as u64 / 4;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()));
        let extra = if jitter > 0 { nanos % jitter } else { 0 };
        (base + Duration::from_millis(extra)).min(MAX_BACKOFF)
    }

    /// One attempt: the request and its redirects. Returns the outcome, the body, and the
    /// server's `Retry-After` when it gave one.
    async fn follow(
        &self,
        start: &reqwest::Url,
        want: Want,
        validators: Option<&Validators>,
        spool: &Path,
        rec: &mut Retrieval,
    ) -> (Result<(), Failure>, Body, Option<Duration>) {
        let mut url = start.clone();
        let mut seen: HashSet<reqwest::Url> = HashSet::new();
        loop {
            seen.insert(url.clone());
            let host = url.host_str().unwrap_or_default().to_string();
            let permits = self.permits(&url).await;
            if let Some(reason) =
                self.unresolved.lock().unwrap_or_else(|e| e.into_inner()).get(&host)
            {
                return (
                    Err(terminal("dns", format!("{reason} (asked once for the whole run)"))),
                    Body::None,
                    None,
                );
            }
            let mut req = self.http.get(url.clone());
            if let Some(v) = validators {
                if let Some(etag) = &v.etag {
                    req = req.header(header::IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &v.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, lm);
                }
            }
            self.requests.fetch_add(1, Ordering::Relaxed);
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let f = classify(&e);
                    if f.code == "dns" {
                        self.unresolved
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .insert(host, f.reason.clone());
                    }
                    return (Err(f), Body::None, None);
                }
            };
            rec.retrieved = now_rfc3339();
            rec.final_url = Some(url.to_string());
            record_headers(rec, resp.status(), resp.headers());
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(location) =
                    resp.headers().get(header::LOCATION).and_then(|l| l.to_str().ok())
                else {
                    return (
                        Err(terminal(
                            "http-redirect-without-location",
                            format!("{} without a Location header", status_text(status)),
                        )),
                        Body::None,
                        None,
                    );
                };
                let next = match url.join(location) {
                    Ok(n) => n,
                    Err(e) => {
                        return (
                            Err(terminal(
                                "invalid-url",
                                format!("redirect to `{location}`, not a valid URL: {e}"),
                            )),
                            Body::None,
                            None,
                        );
                    }
                };
                rec.redirects.push(url.to_string());
                drop(permits);
                if seen.contains(&next) {
                    return (
                        Err(terminal(
                            "redirect-loop",
                            format!("redirect loop: {} leads back to {next}", url),
                        )),
                        Body::None,
                        None,
                    );
                }
                if rec.redirects.len() > DEFAULT_MAX_REDIRECTS {
                    return (
                        Err(terminal(
                            "too-many-redirects",
                            format!("more than {DEFAULT_MAX_REDIRECTS} redirects"),
                        )),
                        Body::None,
                        None,
                    );
                }
                url = next;
                continue;
            }
            if status == StatusCode::NOT_MODIFIED {
                if validators.is_some() {
                    rec.outcome = Some(Outcome::Stored);
                    return (Ok(()), Body::None, None);
                }
                return (
                    Err(terminal(
                        "http-304",
                        "304 Not Modified to a request that was not conditional".into(),
                    )),
                    Body::None,
                    None,
                );
            }
            if !status.is_success() {
                let retry = matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504);
                let wait = retry_after(resp.headers());
                let failure = Failure {
                    code: format!("http-{}", status.as_u16()),
                    reason: status_text(status),
                    retry,
                };
                return (Err(failure), Body::None, wait);
            }
            let result = self.read_body(resp, want, spool, rec).await;
            drop(permits);
            return match result {
                Ok(body) => (Ok(()), body, None),
                Err(f) => (Err(f), Body::None, None),
            };
        }
    }

    /// Reads a 2xx body as `want` says.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        want: Want,
        spool: &Path,
        rec: &mut Retrieval,
    ) -> Result<Body, Failure> {
        let cap = if want == Want::Json { MAX_JSON } else { self.max_size };
        let too_large = |len: u64| {
            terminal(
                "too-large",
                format!("{len} bytes announced, more than the limit of {cap} (--fetch-max-size)"),
            )
        };
        // A probed link may be a large web page, which is never read: its size only matters
        // once it turns out to be a document.
        if let Some(len) = rec.content_length.filter(|&l| l > cap && want != Want::Probe) {
            return Err(too_large(len));
        }
        // Enough of the body to tell what it is.
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF_LEN);
        let mut pending: Vec<Vec<u8>> = Vec::new();
        let mut done = false;
        while head.len() < SNIFF_LEN {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    head.extend_from_slice(&c[..c.len().min(SNIFF_LEN - head.len())]);
                    pending.push(c.to_vec());
                }
                Ok(None) => {
                    done = true;
                    break;
                }
                Err(e) => return Err(classify(&e)),
            }
        }
        let content_type = rec.content_type.clone();
        let media_type = match want {
            Want::Json => None,
            Want::Image => match sniff::image_type(content_type.as_deref(), &head) {
                Some(t) => Some(t),
                None => {
                    return Err(terminal(
                        "not-an-image",
                        format!(
                            "{} instead of an image",
                            sniff::describe(content_type.as_deref(), &head)
                        ),
                    ));
                }
            },
            Want::Document | Want::Probe => {
                match sniff::document_type(&rec.url, content_type.as_deref(), &head) {
                    Some(t) => Some(t),
                    None if want == Want::Probe => {
                        rec.outcome = Some(Outcome::NotADocument);
                        rec.media_type = content_type.as_deref().map(sniff::essence);
                        return Ok(Body::None);
                    }
                    None => {
                        let what = sniff::describe(content_type.as_deref(), &head);
                        let code = if sniff::looks_like_html(&head)
                            || content_type.as_deref().map(sniff::essence).as_deref()
                                == Some("text/html")
                        {
                            "html-instead-of-document"
                        } else {
                            "not-a-document"
                        };
                        return Err(terminal(code, format!("{what} where a document was linked")));
                    }
                }
            }
        };
        rec.media_type = media_type;
        if let Some(len) = rec.content_length.filter(|&l| l > cap) {
            return Err(too_large(len));
        }
        if want == Want::Json {
            let mut bytes: Vec<u8> = pending.iter().flat_map(|c| c.iter().copied()).collect();
            while !done {
                match resp.chunk().await {
                    Ok(Some(c)) => {
                        if (bytes.len() + c.len()) as u64 > cap {
                            return Err(terminal("too-large", format!("more than {cap} bytes")));
                        }
                        bytes.extend_from_slice(&c);
                    }
                    Ok(None) => done = true,
                    Err(e) => return Err(classify(&e)),
                }
            }
            self.bytes.fetch_add(bytes.len() as u64, Ordering::Relaxed);
            rec.size = Some(bytes.len() as u64);
            rec.outcome = Some(Outcome::Stored);
            return Ok(Body::Bytes(bytes));
        }
        // Stream to the spool, hashing on the way: memory stays at one chunk whatever the size.
        let mut file =
            tempfile::Builder::new().prefix(".download-").tempfile_in(spool).map_err(|e| {
                terminal("spool", format!("cannot create a file in {}: {e}", spool.display()))
            })?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut write = |c: &[u8], size: &mut u64| -> Result<(), Failure> {
            *size += c.len() as u64;
            if *size > cap {
                return Err(terminal(
                    "too-large",
                    format!("more than {cap} bytes (--fetch-max-size); download stopped"),
                ));
            }
            hasher.update(c);
            file.write_all(c)
                .map_err(|e| terminal("spool", format!("cannot write the download: {e}")))
        };
        for c in &pending {
            write(c, &mut size)?;
        }
        while !done {
            match resp.chunk().await {
                Ok(Some(c)) => write(&c, &mut size)?,
                Ok(None) => done = true,
                Err(e) => return Err(classify(&e)),
            }
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
        let sha256 = hex::encode(hasher.finalize());
        // Not synced: a cached copy is checked (size and SHA-256) before it is reused, and the
        // archive writer hashes every copy again as it stores it.
        rec.sha256 = Some(sha256.clone());
        rec.size = Some(size);
        rec.outcome = Some(Outcome::Stored);
        Ok(Body::File { file, sha256, size })
    }
}

/// Copies the headers that make the provenance record.
fn record_headers(rec: &mut Retrieval, status: StatusCode, headers: &HeaderMap) {
    let text = |name: header::HeaderName| {
        headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    };
    rec.status = Some(status.as_u16());
    rec.content_type = text(header::CONTENT_TYPE);
    rec.content_length = text(header::CONTENT_LENGTH).and_then(|l| l.trim().parse().ok());
    rec.last_modified = text(header::LAST_MODIFIED);
    rec.etag = text(header::ETAG);
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(std::time::SystemTime::now()).unwrap_or(Duration::ZERO))
}

fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(r) => format!("{} {r}", status.as_u16()),
        None => format!("HTTP {}", status.as_u16()),
    }
}

fn terminal(code: &str, reason: String) -> Failure {
    Failure { code: code.into(), reason, retry: false }
}

fn fail(mut rec: Retrieval, code: &str, reason: String) -> (Retrieval, Body) {
    rec.outcome = Some(Outcome::Failed);
    rec.error = Some(code.into());
    rec.reason = Some(reason);
    rec.sha256 = None;
    rec.size = None;
    if rec.retrieved.is_empty() {
        rec.retrieved = now_rfc3339();
    }
    (rec, Body::None)
}

/// The error and its causes, joined: reqwest's own message is often just "error sending
/// request"; the cause says DNS, TLS or reset.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Sorts a transport error into a stable code; resets are worth a retry.
fn classify(e: &reqwest::Error) -> Failure {
    let reason = chain(e);
    let lower = reason.to_ascii_lowercase();
    let mut io_kind = None;
    let mut tls = false;
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        tls |= s.is::<rustls::Error>();
        if let Some(mut io) = s.downcast_ref::<std::io::Error>() {
            io_kind = Some(io.kind());
            // An io::Error's source() skips the error it wraps, which may be another
            // io::Error around the TLS error: look inside directly.
            while let Some(inner) = io.get_ref() {
                tls |= inner.is::<rustls::Error>();
                match inner.downcast_ref::<std::io::Error>() {
                    Some(i) => io = i,
                    None => break,
                }
            }
        }
        source = s.source();
    }
    use std::io::ErrorKind as K;
    // Timeouts and resets may pass; DNS, TLS and refused connections will not.
    let (code, retry) = if e.is_timeout() || matches!(io_kind, Some(K::TimedOut)) {
        ("timeout", true)
    } else if matches!(
        io_kind,
        Some(K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe | K::UnexpectedEof)
    ) || lower.contains("connection reset")
        || lower.contains("connection closed before message completed")
        || lower.contains("incomplete message")
    {
        ("reset", true)
    } else if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
    {
        ("dns", false)
    } else if tls || lower.contains("certificate") || lower.contains("handshake") {
        ("tls", false)
    } else if matches!(io_kind, Some(K::ConnectionRefused)) || e.is_connect() {
        ("connect", false)
    } else {
        ("network", false)
    };
    Failure { code: code.into(), reason, retry }
}
