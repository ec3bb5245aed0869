//! A scriptable HTTP/1.1 server for fetch tests, built on std alone.
//!
//! It scripts faults a mock library can't: TCP resets, headers that arrive before a stalled
//! body, and huge generated bodies. One detached thread per connection, timeouts on every
//! socket, and `Connection: close` on every answer: a test never waits on the server.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// Read and write timeout on every server socket: a stuck client frees its thread after this.
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// After answering, how long to wait for the client to close (see `Conn::finish`).
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
/// Longest request head (request line and headers) accepted.
const MAX_HEAD: usize = 16 * 1024;
/// Generated bodies are produced and written in pieces of this size.
const CHUNK: usize = 64 * 1024;
/// Filler of `Route::Generated` after its prefix.
const PATTERN: &[u8] = b"carton generated body 0123456789\n";

/// A running server; dropping it stops accepting connections.
pub struct Server {
    port: u16,
    shared: Arc<Shared>,
}

/// What the server answers for one path.
#[derive(Debug, Clone)]
pub enum Route {
    /// A response: status, extra headers, body. Content-Length is always sent (a Content-Length
    /// in `headers` replaces the true one, to script a truncated body).
    /// Conditional requests: when `headers` contain an `ETag` and the request's If-None-Match
    /// equals it, or they contain `Last-Modified` and the request's If-Modified-Since equals it
    /// byte for byte, answer 304 with no body (and the same ETag/Last-Modified headers). As in
    /// RFC 9110 §13.2.2, If-Modified-Since is ignored when If-None-Match can decide.
    Body { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// A redirect: status (301, 302, 303, 307, 308) with `Location: location` (sent as given:
    /// relative or absolute).
    Redirect { status: u16, location: String },
    /// The n-th request to this path gets the n-th route; the last one repeats. Counting
    /// restarts when `Server::set` replaces the route.
    Sequence(Vec<Route>),
    /// Sends the status line and headers of `then` (Content-Length included) at once, then waits
    /// `delay` before sending the body.
    SlowBody { delay: Duration, then: Box<Route> },
    /// Waits `delay` before sending anything at all.
    SlowHeaders { delay: Duration, then: Box<Route> },
    /// Reads nothing of the request, waits until request bytes are available
    /// (`TcpStream::peek`), then drops the socket so that the kernel answers with a TCP reset
    /// (unread data in the receive buffer makes close() send RST on Linux).
    Reset,
    /// 200 with `Content-Type: content_type` and a body of `size` bytes: `prefix`, then a
    /// repeating pattern. Streamed in 64 KiB chunks so a large size never sits in memory, and
    /// stopped at the first write error so a client that gives up frees the thread.
    /// `chunked: true` uses Transfer-Encoding: chunked and no Content-Length.
    Generated { content_type: String, prefix: Vec<u8>, size: u64, chunked: bool },
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// With its query string.
    pub path: String,
    /// Names lower-cased, in the order received.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first header of that name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

impl Server {
    /// Binds 127.0.0.1:0 and serves `routes` (path without query -> route) from a thread per
    /// connection.
    pub fn start(routes: Vec<(&str, Route)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("listener address").port();
        let shared = Arc::new(Shared::default());
        for (path, route) in routes {
            lock(&shared.routes).insert(path.to_owned(), Entry { route, served: 0 });
        }
        let accepting = Arc::clone(&shared);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.stop.load(Ordering::SeqCst) {
                    break;
                }
                match stream {
                    Ok(stream) => {
                        let shared = Arc::clone(&accepting);
                        thread::spawn(move || handle(stream, &shared));
                    }
                    // E.g. out of file descriptors: don't spin while it lasts.
                    Err(_) => thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Server { port, shared }
    }

    /// Adds or replaces a route while running (tests change a document between two runs).
    pub fn set(&self, path: &str, route: Route) {
        lock(&self.shared.routes).insert(path.to_owned(), Entry { route, served: 0 });
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT{path}` (path starts with '/').
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Same URL with `localhost` as host name — a second "host" for per-host limits. The server
    /// listens on IPv4 only; a client that tries ::1 first falls back to 127.0.0.1.
    pub fn url_localhost(&self, path: &str) -> String {
        format!("http://localhost:{}{path}", self.port)
    }

    /// Every request received for a path (query ignored when matching), in order.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        let key = without_query(path);
        lock(&self.shared.log).iter().filter(|(k, _)| k == key).map(|(_, r)| r.clone()).collect()
    }

    /// How many requests that path received.
    pub fn hits(&self, path: &str) -> usize {
        let key = without_query(path);
        lock(&self.shared.log).iter().filter(|(k, _)| k == key).count()
    }

    /// How many responses to that path carried a non-empty body with status 200 (a download
    /// happened). Counted before the response is written, so the count is already right when
    /// the client has its answer.
    pub fn downloads(&self, path: &str) -> usize {
        lock(&self.shared.downloads).get(without_query(path)).copied().unwrap_or(0)
    }

    /// Total requests.
    pub fn total(&self) -> usize {
        lock(&self.shared.log).len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // accept() only returns on a connection: make one so the loop sees the flag and drops
        // the listener.
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let _ = TcpStream::connect_timeout(&addr, Duration::from_secs(1));
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Entry>>,
    /// (path without query, request), in arrival order.
    log: Mutex<Vec<(String, Request)>>,
    downloads: Mutex<HashMap<String, usize>>,
    stop: AtomicBool,
}

struct Entry {
    route: Route,
    /// Requests answered since the route was set: the index into a `Sequence`.
    served: usize,
}

/// A panicking connection thread must not take the test's assertions down with it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn without_query(path: &str) -> &str {
    path.split_once('?').map_or(path, |(p, _)| p)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn not_found() -> Route {
    Route::Body {
        status: 404,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: b"<!doctype html><title>404 Not Found</title><p>Not Found</p>\n".to_vec(),
    }
}

fn handle(stream: TcpStream, shared: &Shared) {
    let ready = stream.set_read_timeout(Some(IO_TIMEOUT)).is_ok()
        && stream.set_write_timeout(Some(IO_TIMEOUT)).is_ok()
        // Head and body go out in separate writes: don't let Nagle hold the second one back.
        && stream.set_nodelay(true).is_ok();
    if !ready {
        return;
    }
    let Some((head_len, request)) = peek_request(&stream) else { return };
    let key = without_query(&request.path).to_owned();
    lock(&shared.log).push((key.clone(), request.clone()));
    let (route, n) = match lock(&shared.routes).get_mut(&key) {
        Some(entry) => {
            entry.served += 1;
            (entry.route.clone(), entry.served - 1)
        }
        None => (not_found(), 0),
    };
    let mut conn = Conn { stream, head_len, consumed: false, request, key, shared };
    conn.respond(&route, n, None);
    // A `Reset` never consumed the head: dropping the socket with it unread sends the RST.
    if conn.consumed {
        conn.finish();
    }
}

/// Waits for a whole request head without consuming it, so that `Route::Reset` can leave it
/// unread. Returns the head's length (blank line included) and the parsed request.
fn peek_request(stream: &TcpStream) -> Option<(usize, Request)> {
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut buf = vec![0; MAX_HEAD];
    loop {
        // Blocks until data arrives (or the read timeout).
        let n = stream.peek(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        if let Some(end) = buf[..n].windows(4).position(|w| w == b"\r\n\r\n") {
            return Some((end + 4, parse_request(&buf[..end])?));
        }
        if n == buf.len() || Instant::now() > deadline {
            return None;
        }
        // With part of a head buffered, peek returns at once: poll rather than spin.
        thread::sleep(Duration::from_millis(1));
    }
}

fn parse_request(head: &[u8]) -> Option<Request> {
    let text = String::from_utf8_lossy(head);
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Some(Request { method, path, headers })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        408 => "Request Timeout",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        // HTTP/1.1 allows an empty reason phrase.
        _ => "",
    }
}

/// One connection being answered.
struct Conn<'a> {
    stream: TcpStream,
    head_len: usize,
    consumed: bool,
    request: Request,
    key: String,
    shared: &'a Shared,
}

impl Conn<'_> {
    /// Answers with `route`, `n` being the request's index for `Sequence`. `body_delay` comes
    /// from enclosing `SlowBody`s. Every write failure means the client is gone: stop quietly.
    fn respond(&mut self, route: &Route, n: usize, body_delay: Option<Duration>) {
        match route {
            Route::Sequence(routes) => match routes.get(n).or(routes.last()) {
                Some(route) => self.respond(route, n, body_delay),
                None => self.respond(&not_found(), n, body_delay),
            },
            Route::SlowHeaders { delay, then } => {
                thread::sleep(*delay);
                self.respond(then, n, body_delay);
            }
            Route::SlowBody { delay, then } => {
                let delay = body_delay.map_or(*delay, |d| d + *delay);
                self.respond(then, n, Some(delay));
            }
            Route::Reset => {}
            Route::Body { status, headers, body } => self.body(*status, headers, body, body_delay),
            Route::Redirect { status, location } => {
                let headers = [("Location", location.as_str()), ("Content-Length", "0")];
                self.send_head(*status, &headers);
            }
            Route::Generated { content_type, prefix, size, chunked } => {
                self.generated(content_type, prefix, *size, *chunked, body_delay)
            }
        }
    }

    fn body(
        &mut self,
        status: u16,
        headers: &[(String, String)],
        body: &[u8],
        delay: Option<Duration>,
    ) {
        let etag = header(headers, "etag");
        let modified = header(headers, "last-modified");
        let fresh = match (etag, self.request.header("if-none-match")) {
            (Some(etag), Some(tags)) => tags.split(',').any(|t| t.trim() == etag),
            _ => modified.is_some() && modified == self.request.header("if-modified-since"),
        };
        if fresh {
            let validators: Vec<_> = headers
                .iter()
                .filter(|(k, _)| {
                    k.eq_ignore_ascii_case("etag") || k.eq_ignore_ascii_case("last-modified")
                })
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            self.send_head(304, &validators);
            return;
        }
        let length = body.len().to_string();
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        if header(headers, "content-length").is_none() {
            all.push(("Content-Length", &length));
        }
        all.extend(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let download = status == 200 && !body.is_empty();
        if self.send_head_counted(status, &all, download) {
            self.pause(delay);
            self.write(body);
        }
    }

    fn generated(
        &mut self,
        content_type: &str,
        prefix: &[u8],
        size: u64,
        chunked: bool,
        delay: Option<Duration>,
    ) {
        let length = size.to_string();
        let framing =
            if chunked { ("Transfer-Encoding", "chunked") } else { ("Content-Length", &*length) };
        let headers = [("Content-Type", content_type), framing];
        if !self.send_head_counted(200, &headers, size > 0) {
            return;
        }
        self.pause(delay);
        // The pattern repeated past a chunk's length, so any phase of it can be sliced out.
        let filler: Vec<u8> = PATTERN.iter().copied().cycle().take(CHUNK + PATTERN.len()).collect();
        let mut frame = Vec::with_capacity(CHUNK + 16);
        let mut offset = 0u64;
        while offset < size {
            let len = usize::try_from(size - offset).map_or(CHUNK, |rest| rest.min(CHUNK));
            let phase = (offset % PATTERN.len() as u64) as usize;
            frame.clear();
            if chunked {
                frame.extend_from_slice(format!("{len:x}\r\n").as_bytes());
            }
            let start = frame.len();
            frame.extend_from_slice(&filler[phase..phase + len]);
            if let Some(rest) = usize::try_from(offset).ok().and_then(|o| prefix.get(o..)) {
                let k = rest.len().min(len);
                frame[start..start + k].copy_from_slice(&rest[..k]);
            }
            if chunked {
                frame.extend_from_slice(b"\r\n");
            }
            if !self.write(&frame) {
                return;
            }
            offset += len as u64;
        }
        if chunked {
            self.write(b"0\r\n\r\n");
        }
    }

    fn send_head(&mut self, status: u16, headers: &[(&str, &str)]) -> bool {
        self.send_head_counted(status, headers, false)
    }

    /// Writes the status line and headers; true when a body should follow (not a HEAD
    /// request, client still there). `download` counts the response for `Server::downloads`.
    fn send_head_counted(&mut self, status: u16, headers: &[(&str, &str)], download: bool) -> bool {
        if !self.consume_head() {
            return false;
        }
        let head_only = self.request.method.eq_ignore_ascii_case("HEAD");
        if download && !head_only {
            *lock(&self.shared.downloads).entry(self.key.clone()).or_default() += 1;
        }
        let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("Connection: close\r\n\r\n");
        self.write(head.as_bytes()) && !head_only
    }

    /// Reads the request head that `peek_request` left in the socket; the body, if any, is
    /// drained by `finish`.
    fn consume_head(&mut self) -> bool {
        if !self.consumed {
            let mut head = vec![0; self.head_len];
            if self.stream.read_exact(&mut head).is_err() {
                return false;
            }
            self.consumed = true;
        }
        true
    }

    fn pause(&self, delay: Option<Duration>) {
        if let Some(delay) = delay {
            thread::sleep(delay);
        }
    }

    /// Errors (broken pipe, reset, timeout) all mean the client is gone; false tells the
    /// caller to stop writing.
    fn write(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Sends FIN, then reads whatever the client still sends until it closes. Closing with
    /// unread request bytes (a body we ignored) would send RST, and an RST can make the
    /// client's kernel discard response bytes it has not read yet.
    fn finish(&mut self) {
        let _ = self.stream.flush();
        let _ = self.stream.shutdown(Shutdown::Write);
        let _ = self.stream.set_read_timeout(Some(DRAIN_TIMEOUT));
        let mut sink = [0; 4096];
        while matches!(self.stream.read(&mut sink), Ok(n) if n > 0) {}
    }
}

// Checks of the server itself, with a raw std client.

/// A response as a raw client reads it.
struct Reply {
    status: u16,
    /// Names lower-cased.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

fn connect(server: &Server, read_timeout: Duration) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
    stream.set_read_timeout(Some(read_timeout)).unwrap();
    stream.set_write_timeout(Some(Duration::from_secs(2))).unwrap();
    stream
}

fn send(server: &Server, method: &str, path: &str, extra: &[(&str, &str)]) -> Reply {
    let mut stream = connect(server, Duration::from_secs(2));
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (k, v) in extra {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("whole response before the server closes");
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("end of head");
    let head = String::from_utf8(raw[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|l| l.split_once(':').unwrap())
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply { status, headers, body: raw[end + 4..].to_vec() }
}

fn get(server: &Server, path: &str) -> Reply {
    send(server, "GET", path, &[])
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = raw.windows(2).position(|w| w == b"\r\n").expect("chunk size line");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line]).unwrap(), 16).unwrap();
        raw = &raw[line + 2..];
        if size == 0 {
            assert_eq!(raw, b"\r\n", "last chunk ends the body");
            return out;
        }
        out.extend_from_slice(&raw[..size]);
        assert_eq!(&raw[size..size + 2], b"\r\n");
        raw = &raw[size + 2..];
    }
}

fn body(status: u16, headers: &[(&str, &str)], body: &str) -> Route {
    Route::Body {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn body_route_sends_its_headers() {
    let server = Server::start(vec![("/a", body(200, &[("Content-Type", "text/plain")], "hi"))]);
    let reply = get(&server, "/a?x=1");
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/plain"));
    assert_eq!(reply.header("content-length"), Some("2"));
    assert_eq!(reply.header("connection"), Some("close"));
    assert_eq!(reply.body, b"hi");
    let requests = server.requests("/a");
    assert_eq!(requests.len(), 1);
    assert_eq!((requests[0].method.as_str(), requests[0].path.as_str()), ("GET", "/a?x=1"));
    assert_eq!(requests[0].header("HOST"), Some("127.0.0.1"));
}

#[test]
fn etag_and_last_modified_answer_304() {
    let date = "Tue, 14 Nov 2023 22:13:20 GMT";
    let route = body(200, &[("ETag", "\"v1\""), ("Last-Modified", date)], "doc");
    let server = Server::start(vec![("/doc", route)]);
    let reply = send(&server, "GET", "/doc", &[("If-None-Match", "\"v1\"")]);
    assert_eq!((reply.status, reply.body.len()), (304, 0));
    assert_eq!(reply.header("etag"), Some("\"v1\""));
    assert_eq!(reply.header("last-modified"), Some(date));
    assert_eq!(send(&server, "GET", "/doc", &[("If-Modified-Since", date)]).status, 304);
    // A changed ETag wins over an unchanged date.
    let both = [("If-None-Match", "\"v0\""), ("If-Modified-Since", date)];
    assert_eq!(send(&server, "GET", "/doc", &both).status, 200);
    assert_eq!((server.hits("/doc"), server.downloads("/doc")), (3, 1));
}

#[test]
fn sequence_then_set_restarts_it() {
    let server = Server::start(vec![(
        "/s",
        Route::Sequence(vec![body(500, &[], "no"), body(200, &[], "ok")]),
    )]);
    let statuses: Vec<_> = (0..3).map(|_| get(&server, "/s").status).collect();
    assert_eq!(statuses, [500, 200, 200]);
    server.set(
        "/s",
        Route::Sequence(vec![body(503, &[("Retry-After", "1")], ""), body(200, &[], "ok")]),
    );
    let reply = get(&server, "/s");
    assert_eq!((reply.status, reply.header("retry-after")), (503, Some("1")));
}

#[test]
fn redirect_sends_location_as_given() {
    let server = Server::start(vec![(
        "/old",
        Route::Redirect { status: 308, location: "../new?a=b".into() },
    )]);
    let reply = get(&server, "/old");
    assert_eq!((reply.status, reply.header("location")), (308, Some("../new?a=b")));
    assert!(reply.body.is_empty());
    assert_eq!(server.url("/x"), format!("http://127.0.0.1:{}/x", server.port()));
    assert_eq!(server.url_localhost("/x"), format!("http://localhost:{}/x", server.port()));
}

#[test]
fn hits_and_downloads_count_per_path() {
    let server = Server::start(vec![("/p", body(200, &[], "pdf")), ("/e", body(200, &[], ""))]);
    get(&server, "/p");
    get(&server, "/p?again");
    let head = send(&server, "HEAD", "/p", &[]);
    assert_eq!((head.header("content-length"), head.body.len()), (Some("3"), 0));
    get(&server, "/e");
    let missing = get(&server, "/missing");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!((server.hits("/p"), server.downloads("/p")), (3, 2));
    assert_eq!((server.hits("/e"), server.downloads("/e")), (1, 0));
    assert_eq!((server.hits("/missing"), server.downloads("/missing")), (1, 0));
    assert_eq!(server.total(), 5);
}

#[test]
fn reset_fails_the_read() {
    let server = Server::start(vec![("/r", Route::Reset)]);
    let mut stream = connect(&server, Duration::from_secs(2));
    stream.write_all(b"GET /r HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    match stream.read(&mut [0; 64]) {
        Ok(0) => {}
        Err(e) if !matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {}
        other => panic!("expected a reset or EOF, got {other:?}"),
    }
    assert_eq!(server.hits("/r"), 1);
}

#[test]
fn slow_headers_time_the_client_out() {
    let slow = Route::SlowHeaders {
        delay: Duration::from_millis(600),
        then: Box::new(body(200, &[], "late")),
    };
    let server = Server::start(vec![("/slow", slow)]);
    let mut stream = connect(&server, Duration::from_millis(100));
    stream.write_all(b"GET /slow HTTP/1.1\r\n\r\n").unwrap();
    let started = Instant::now();
    let err = stream.read(&mut [0; 64]).expect_err("nothing before the delay");
    assert!(matches!(err.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn slow_body_sends_the_head_first() {
    let slow = Route::SlowBody {
        delay: Duration::from_millis(150),
        then: Box::new(body(200, &[], "late")),
    };
    let server = Server::start(vec![("/slow", slow)]);
    let mut stream = connect(&server, Duration::from_secs(2));
    stream.write_all(b"GET /slow HTTP/1.1\r\n\r\n").unwrap();
    let started = Instant::now();
    let mut first = [0; 1024];
    let n = stream.read(&mut first).unwrap();
    assert!(first[..n].ends_with(b"Content-Length: 4\r\nConnection: close\r\n\r\n"));
    assert!(started.elapsed() < Duration::from_millis(100));
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"late");
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn generated_bodies_have_the_right_size() {
    let size = 3 * CHUNK as u64 + 7;
    let generated = |chunked| Route::Generated {
        content_type: "application/pdf".into(),
        prefix: b"%PDF-1.7\n".to_vec(),
        size,
        chunked,
    };
    let server = Server::start(vec![("/c", generated(true)), ("/l", generated(false))]);
    let chunked = get(&server, "/c");
    assert_eq!(chunked.header("transfer-encoding"), Some("chunked"));
    assert_eq!(chunked.header("content-length"), None);
    let decoded = dechunk(&chunked.body);
    assert_eq!(decoded.len() as u64, size);
    // The prefix overwrites the start of the pattern.
    assert_eq!(&decoded[..9], b"%PDF-1.7\n");
    assert_eq!(&decoded[9..PATTERN.len() + 1], &[&PATTERN[9..], &PATTERN[..1]].concat());
    let plain = get(&server, "/l");
    assert_eq!(plain.header("content-length"), Some(size.to_string().as_str()));
    assert_eq!(plain.header("content-type"), Some("application/pdf"));
    assert_eq!(plain.body, decoded);
    assert_eq!(server.downloads("/c") + server.downloads("/l"), 2);
}

#[test]
fn drop_stops_accepting() {
    let server = Server::start(vec![]);
    let addr = SocketAddr::from(([127, 0, 0, 1], server.port()));
    drop(server);
    // The accept thread needs a moment to see the flag and close the listener.
    let deadline = Instant::now() + Duration::from_secs(1);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after drop");
        thread::sleep(Duration::from_millis(5));
    }
}
