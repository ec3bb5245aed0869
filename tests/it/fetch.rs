//! `export --fetch` against a scripted server on 127.0.0.1: what each kind of answer leaves in
//! `carton.json` and in the bag, and that no failure stops the export or makes it hang.

use crate::common::*;
use crate::http::{Route, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

const HUGO_TOML: &[u8] = b"baseURL = \"https://example.org/\"\ntitle = \"T\"\n";
/// The page every test writes; its body starts on this line.
const PAGE: &str = "content/docs.md";
const BODY_LINE: u64 = 5;
const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Tue, 14 Nov 2023 22:13:20 GMT";
/// A run that takes longer than this has hung: it is killed and the test fails.
const HANG: Duration = Duration::from_secs(30);

/// A Hugo site whose one page, [`PAGE`], has `body` from line [`BODY_LINE`] on.
fn hugo_site(body: &str) -> tempfile::TempDir {
    let page = format!("---\ntitle: Docs\n---\n\n{body}");
    site(&[("hugo.toml", HUGO_TOML), (PAGE, page.as_bytes())])
}

/// carton without any proxy (so that requests reach the test server), killed if it hangs.
fn direct() -> assert_cmd::Command {
    let mut c = carton_direct();
    c.timeout(HANG);
    c
}

fn route(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Route {
    Route::Body {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_vec(),
    }
}

fn pdf(bytes: &[u8]) -> Route {
    route(200, &[("Content-Type", "application/pdf")], bytes)
}

fn html() -> Route {
    let page = b"<!DOCTYPE html>\n<html><head><title>About</title></head><body>Hi</body></html>\n";
    route(200, &[("Content-Type", "text/html; charset=utf-8")], page)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// One finished export, unpacked.
struct Export {
    /// Holds the archive and its unpacked copy.
    _dir: tempfile::TempDir,
    zip: PathBuf,
    /// The bag folder of the unpacked copy.
    bag: PathBuf,
    /// `data/carton.json`.
    model: Value,
    /// The `--json` report, when asked for.
    report: Option<Value>,
    /// Wall time of the whole carton run.
    elapsed: Duration,
}

impl Export {
    /// The remote document linked as `url`.
    fn document(&self, url: &str) -> &Value {
        let docs = self.model["documents"].as_array().expect("documents");
        docs.iter().find(|d| d["target"] == url).unwrap_or_else(|| {
            panic!("no document {url} in {}", serde_json::to_string_pretty(docs).unwrap())
        })
    }

    /// The fetch record of the remote document linked as `url`.
    fn fetched(&self, url: &str) -> &Value {
        let rec = &self.document(url)["fetch"];
        assert!(rec.is_object(), "{url} has no fetch record: {}", self.document(url));
        rec
    }

    /// Bytes of a payload file, by its path relative to `data/`.
    fn payload(&self, path: &str) -> Vec<u8> {
        std::fs::read(self.bag.join("data").join(path))
            .unwrap_or_else(|e| panic!("data/{path} is not in the bag: {e}"))
    }

    /// Payload files under `data/remote/`, relative to `data/`.
    fn remote_files(&self) -> Vec<String> {
        let data = self.bag.join("data");
        list_files(&data).into_iter().filter(|p| p.starts_with("remote/")).collect()
    }

    /// Problems with that code, as `(path, line, severity)`.
    fn problems(&self, code: &str) -> Vec<(String, u64, String)> {
        let all = self.model["problems"].as_array().expect("problems");
        all.iter()
            .filter(|p| p["code"] == code)
            .map(|p| {
                let text = |k: &str| p[k].as_str().unwrap_or_default().to_string();
                (text("path"), p["line"].as_u64().unwrap_or(0), text("severity"))
            })
            .collect()
    }
}

/// Runs `carton export SITE -o out.zip` with `args`; the export must succeed.
fn export(site: &Path, args: &[&str]) -> Export {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("out.zip");
    let started = Instant::now();
    let out = direct().arg("export").arg(site).arg("-o").arg(&zip).args(args).output().unwrap();
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "export failed:\n{}", stderr(&out));
    unzip(&zip, &dir.path().join("x"));
    let bag = dir.path().join("x/out");
    let model: Value =
        serde_json::from_slice(&std::fs::read(bag.join("data/carton.json")).unwrap()).unwrap();
    let report = args.contains(&"--json").then(|| {
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("--json printed no JSON ({e}): {}", stderr(&out)))
    });
    Export { _dir: dir, zip, bag, model, report, elapsed }
}

/// `export` with `--fetch` and the fast settings every test uses.
fn export_fetch(site: &Path, args: &[&str]) -> Export {
    let mut all = vec!["--fetch", "--fetch-retry-delay", "50"];
    if !args.contains(&"--fetch-timeout") {
        all.extend(["--fetch-timeout", "2"]);
    }
    all.extend(args);
    export(site, &all)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `remote/<first 16 hex digits of the SHA-256>/<name>`.
fn remote_path(bytes: &[u8], name: &str) -> String {
    format!("remote/{}/{name}", &sha256(bytes)[..16])
}

#[test]
fn a_pdf_is_stored_with_its_provenance() {
    let headers =
        [("Content-Type", "application/pdf"), ("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)];
    let server = Server::start(vec![("/files/report.pdf", route(200, &headers, PDF))]);
    let url = server.url("/files/report.pdf");
    let site = hugo_site(&format!("See [the report]({url}).\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    let path = remote_path(PDF, "report.pdf");
    let size = PDF.len() as u64;
    assert_eq!(rec["outcome"], "stored", "{rec}");
    assert_eq!(rec["path"], path.as_str());
    assert_eq!(rec["sha256"], sha256(PDF));
    assert_eq!(rec["size"], size);
    assert_eq!(rec["status"], 200);
    assert_eq!(rec["content_type"], "application/pdf");
    assert_eq!(rec["media_type"], "application/pdf");
    assert_eq!(rec["content_length"], size);
    assert_eq!(rec["etag"], ETAG);
    assert_eq!(rec["last_modified"], LAST_MODIFIED);
    assert_eq!(rec["attempts"], 1);
    assert_eq!(rec["final_url"], url.as_str());
    assert!(rec.get("redirects").is_none() && rec.get("error").is_none(), "{rec}");
    let retrieved = rec["retrieved"].as_str().unwrap();
    assert!(retrieved.len() == 20 && retrieved.ends_with('Z'), "retrieved: {retrieved}");
    assert_eq!(e.document(&url)["local"], false);

    assert_eq!(e.payload(&path), PDF);
    assert_eq!(e.remote_files(), [path.as_str()]);
    let manifest = std::fs::read_to_string(e.bag.join("manifest-sha256.txt")).unwrap();
    let line = format!("{}  data/{path}", sha256(PDF));
    assert!(manifest.lines().any(|l| l == line), "{line} not in:\n{manifest}");

    let run = &e.model["fetch"];
    assert_eq!(run["kinds"], json!(["documents", "videos"]));
    assert_eq!((&run["documents_stored"], &run["documents_failed"]), (&json!(1), &json!(0)));
    assert_eq!(run["requests"], 1);
    assert_eq!(run["bytes_downloaded"], size);
    assert!(run["user_agent"].as_str().unwrap().starts_with("carton/"), "{run}");
    let ua = server.requests("/files/report.pdf")[0].header("user-agent").map(str::to_owned);
    assert_eq!(ua.as_deref(), run["user_agent"].as_str());
    assert_eq!(server.hits("/files/report.pdf"), 1);

    direct().arg("verify").arg(&e.zip).assert().success();
    // The scratch downloads beside the output are gone.
    let beside: Vec<String> = std::fs::read_dir(e.zip.parent().unwrap())
        .unwrap()
        .map(|d| d.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "x")
        .collect();
    assert_eq!(beside, ["out.zip"]);
}

#[test]
fn a_redirect_chain_is_followed_and_recorded() {
    let server = Server::start(vec![
        ("/old/report.pdf", Route::Redirect { status: 301, location: "/moved".into() }),
        ("/files/report.pdf", pdf(PDF)),
    ]);
    let target = server.url("/files/report.pdf");
    // A relative Location on the first hop, an absolute one on the second.
    server.set("/moved", Route::Redirect { status: 302, location: target.clone() });
    let url = server.url("/old/report.pdf");
    let site = hugo_site(&format!("[report]({url})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "stored", "{rec}");
    assert_eq!(rec["final_url"], target.as_str());
    assert_eq!(rec["redirects"], json!([url, server.url("/moved")]));
    assert_eq!(rec["status"], 200);
    // Named after the URL that answered.
    let path = remote_path(PDF, "report.pdf");
    assert_eq!(rec["path"], path.as_str());
    assert_eq!(e.payload(&path), PDF);
    let hits = ["/old/report.pdf", "/moved", "/files/report.pdf"].map(|p| server.hits(p));
    assert_eq!(hits, [1, 1, 1]);
}

#[test]
fn a_redirect_loop_fails_without_looping() {
    let server = Server::start(vec![
        ("/loop/a.pdf", Route::Redirect { status: 302, location: "/loop/b".into() }),
        ("/loop/b", Route::Redirect { status: 302, location: "/loop/a.pdf".into() }),
    ]);
    let url = server.url("/loop/a.pdf");
    let site = hugo_site(&format!("[looping]({url})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "failed", "{rec}");
    assert_eq!(rec["error"], "redirect-loop");
    assert!(rec.get("path").is_none() && rec.get("sha256").is_none(), "{rec}");
    assert_eq!((server.hits("/loop/a.pdf"), server.hits("/loop/b")), (1, 1));
    let problem = (PAGE.to_string(), BODY_LINE, "warning".to_string());
    assert_eq!(e.problems("remote-document"), [problem]);
}

#[test]
fn a_404_is_a_warning_on_the_linking_line() {
    let server = Server::start(vec![]);
    let url = server.url("/minutes.pdf");
    let site = hugo_site(&format!("Intro.\n\nThe [minutes]({url}) of the meeting.\n"));
    let e = export_fetch(site.path(), &["--json"]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "failed", "{rec}");
    assert_eq!(rec["error"], "http-404");
    assert_eq!(rec["status"], 404);
    assert_eq!(rec["attempts"], 1, "a 404 is not retried");
    assert!(rec.get("path").is_none(), "{rec}");
    assert_eq!(server.hits("/minutes.pdf"), 1);
    let problem = (PAGE.to_string(), BODY_LINE + 2, "warning".to_string());
    assert_eq!(e.problems("remote-document"), [problem]);
    // The column of the URL in `The [minutes](URL)`.
    assert_eq!(e.model["problems"][0]["column"], 15);
    assert!(e.remote_files().is_empty());
    assert_eq!(e.model["fetch"]["documents_failed"], 1);

    let report = e.report.as_ref().unwrap();
    let fetch = &report["fetch"];
    assert_eq!(fetch["documents_failed"], 1);
    assert!(fetch["elapsed_ms"].is_u64(), "{fetch}");
    assert_eq!(
        fetch["dead"],
        json!([{"url": url, "what": "document", "error": "http-404", "reason": "404 Not Found"}])
    );
    assert!(report["problems"].as_array().unwrap().iter().any(|p| p["code"] == "remote-document"));
}

#[test]
fn a_500_is_retried_until_it_succeeds() {
    let flaky =
        Route::Sequence(vec![route(500, &[("Content-Type", "text/plain")], b"oops"), pdf(PDF)]);
    let server = Server::start(vec![("/flaky.pdf", flaky)]);
    let url = server.url("/flaky.pdf");
    let site = hugo_site(&format!("[flaky]({url})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "stored", "{rec}");
    assert_eq!((&rec["attempts"], &rec["status"]), (&json!(2), &json!(200)));
    assert_eq!(e.payload(rec["path"].as_str().unwrap()), PDF);
    assert_eq!(server.hits("/flaky.pdf"), 2);
    assert!(e.problems("remote-document").is_empty());
}

#[test]
fn a_429_waits_as_long_as_retry_after_says() {
    let busy = route(429, &[("Retry-After", "1"), ("Content-Type", "text/plain")], b"slow down");
    let server = Server::start(vec![("/busy.pdf", Route::Sequence(vec![busy, pdf(PDF)]))]);
    let url = server.url("/busy.pdf");
    let site = hugo_site(&format!("[busy]({url})\n"));
    // The backoff alone would wait 50 ms: only Retry-After makes the run last a second.
    let e = export_fetch(site.path(), &["--json"]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "stored", "{rec}");
    assert_eq!(rec["attempts"], 2);
    assert_eq!(server.hits("/busy.pdf"), 2);
    let fetch_ms = e.report.as_ref().unwrap()["fetch"]["elapsed_ms"].as_u64().unwrap();
    assert!(fetch_ms >= 1000, "retried after {fetch_ms} ms, before Retry-After's 1 s");
    assert!(e.elapsed >= Duration::from_secs(1));
}

#[test]
fn a_retry_after_longer_than_carton_waits_fails_at_once() {
    let busy = route(429, &[("Retry-After", "3600")], b"come back in an hour");
    let server = Server::start(vec![("/busy.pdf", busy)]);
    let url = server.url("/busy.pdf");
    let site = hugo_site(&format!("[busy]({url})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    assert_eq!((&rec["outcome"], &rec["error"]), (&json!("failed"), &json!("http-429")), "{rec}");
    assert_eq!(rec["attempts"], 1);
    assert_eq!(server.hits("/busy.pdf"), 1);
    assert!(e.elapsed < Duration::from_secs(10), "the export waited {:?}", e.elapsed);
}

#[test]
fn a_server_slower_than_the_timeout_fails_fast() {
    let late = |d| Duration::from_secs(d);
    let server = Server::start(vec![
        ("/silent.pdf", Route::SlowHeaders { delay: late(5), then: Box::new(pdf(PDF)) }),
        ("/stalled.pdf", Route::SlowBody { delay: late(5), then: Box::new(pdf(PDF)) }),
    ]);
    let (silent, stalled) = (server.url("/silent.pdf"), server.url("/stalled.pdf"));
    let site = hugo_site(&format!("[silent]({silent})\n\n[stalled]({stalled})\n"));
    let e = export_fetch(site.path(), &["--fetch-timeout", "1", "--fetch-retries", "1"]);

    for url in [&silent, &stalled] {
        let rec = e.fetched(url);
        assert_eq!(rec["outcome"], "failed", "{rec}");
        assert_eq!(rec["error"], "timeout", "{rec}");
        // A timeout may be a passing hiccup: it is retried like a reset.
        assert_eq!(rec["attempts"], 2, "{rec}");
    }
    // Headers came before the stall: they are on record.
    assert_eq!(e.fetched(&stalled)["status"], 200);
    assert!(e.elapsed < late(5), "the export waited {:?}", e.elapsed);
    assert_eq!(e.problems("remote-document").len(), 2);
    assert!(e.remote_files().is_empty());
}

#[test]
fn a_body_over_the_size_cap_is_not_stored_announced_or_chunked() {
    let generated = |size, chunked| Route::Generated {
        content_type: "application/pdf".into(),
        prefix: b"%PDF-1.4\n".to_vec(),
        size,
        chunked,
    };
    let server = Server::start(vec![
        ("/announced.pdf", generated(5_000_000, false)),
        ("/chunked.pdf", generated(5_000_000, true)),
        ("/exact.pdf", generated(1_000_000, true)),
    ]);
    let [announced, chunked, exact] =
        ["/announced.pdf", "/chunked.pdf", "/exact.pdf"].map(|p| server.url(p));
    let site = hugo_site(&format!("[a]({announced})\n[c]({chunked})\n[e]({exact})\n"));
    let e = export_fetch(site.path(), &["--fetch-max-size", "1M"]);

    for url in [&announced, &chunked] {
        let rec = e.fetched(url);
        assert_eq!(rec["outcome"], "failed", "{rec}");
        assert_eq!(rec["error"], "too-large", "{rec}");
        assert!(rec.get("path").is_none() && rec.get("sha256").is_none(), "{rec}");
    }
    assert_eq!(e.fetched(&announced)["content_length"], 5_000_000);
    assert!(e.fetched(&chunked).get("content_length").is_none());
    assert_eq!(e.problems("remote-document").len(), 2);
    // The cap itself is allowed: only that one is in the bag.
    let rec = e.fetched(&exact);
    assert_eq!((&rec["outcome"], &rec["size"]), (&json!("stored"), &json!(1_000_000)), "{rec}");
    assert_eq!(e.remote_files(), [rec["path"].as_str().unwrap()]);
}

#[test]
fn html_where_a_pdf_was_linked_is_refused() {
    let server = Server::start(vec![("/report.pdf", html())]);
    let url = server.url("/report.pdf");
    let site = hugo_site(&format!("[report]({url})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "failed", "{rec}");
    assert_eq!(rec["error"], "html-instead-of-document");
    assert_eq!(rec["status"], 200);
    assert!(rec.get("path").is_none(), "{rec}");
    assert!(e.remote_files().is_empty());
    assert_eq!(e.problems("remote-document").len(), 1);
}

/// A TLS failure (here: HTTPS spoken to a plain HTTP server) and a refused connection are
/// told apart, and neither is retried: they will not pass.
#[test]
fn tls_failures_and_refused_connections_are_told_apart() {
    // A plain-text server that answers anything at once, as an HTTP server answers a
    // ClientHello it cannot parse.
    let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let tls = format!("https://127.0.0.1:{}/doc.pdf", plain.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for mut conn in plain.incoming().flatten() {
            use std::io::Write;
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        }
    });
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let refused = format!("http://127.0.0.1:{closed}/doc.pdf");
    let site = hugo_site(&format!("[tls]({tls})\n[refused]({refused})\n"));
    let e = export_fetch(site.path(), &[]);
    for (url, code) in [(&tls, "tls"), (&refused, "connect")] {
        let rec = e.fetched(url);
        assert_eq!(rec["error"], code, "{rec}");
        assert_eq!(rec["attempts"], 1, "{rec}");
    }
}

#[test]
fn a_reset_connection_is_retried_then_fails() {
    let server = Server::start(vec![("/reset.pdf", Route::Reset)]);
    let url = server.url("/reset.pdf");
    let site = hugo_site(&format!("[reset]({url})\n"));
    let e = export_fetch(site.path(), &["--fetch-retries", "2"]);

    let rec = e.fetched(&url);
    assert_eq!(rec["outcome"], "failed", "{rec}");
    assert_eq!(rec["error"], "reset");
    assert_eq!(rec["attempts"], 3, "one attempt and two retries");
    assert_eq!(server.hits("/reset.pdf"), 3);
    assert_eq!(e.problems("remote-document").len(), 1);
}

/// A tiny JPEG: start of image, a JFIF header, end of image.
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xFF\xD9";
const VIDEO_URL: &str = "https://www.dailymotion.com/video/x7tgad0";
const VIDEO_PARAM: &str = "url=https%3A%2F%2Fwww%2Edailymotion%2Ecom%2Fvideo%2Fx7tgad0&format=json";

fn video_site() -> tempfile::TempDir {
    hugo_site("{{< dailymotion x7tgad0 >}}\n")
}

#[test]
fn oembed_metadata_and_thumbnail_are_archived() {
    let server =
        Server::start(vec![("/thumb.jpg", route(200, &[("Content-Type", "image/jpeg")], JPEG))]);
    let answer = json!({
        "type": "video", "version": "1.0", "title": "T", "author_name": "A",
        "provider_name": "Dailymotion", "thumbnail_url": server.url("/thumb.jpg"), "duration": 62,
    });
    let answer_bytes = serde_json::to_vec(&answer).unwrap();
    server.set("/oembed", route(200, &[("Content-Type", "application/json")], &answer_bytes));
    let site = video_site();
    // An endpoint with a query of its own gets `&url=...`.
    let endpoint = format!("dailymotion={}", server.url("/oembed?player=p1"));
    let e = export_fetch(site.path(), &["--oembed", &endpoint]);

    let videos = e.model["videos"].as_array().unwrap();
    assert_eq!(videos.len(), 1);
    assert_eq!(videos[0]["url"], VIDEO_URL);
    let o = &videos[0]["oembed"];
    assert_eq!(o["request"]["outcome"], "stored", "{o}");
    assert_eq!(o["request"]["status"], 200);
    assert_eq!(o["unavailable"], false);
    assert_eq!((&o["title"], &o["author_name"]), (&json!("T"), &json!("A")));
    assert_eq!(o["provider_name"], "Dailymotion");
    assert_eq!(o["duration"].as_f64(), Some(62.0));
    assert_eq!(o["raw"], answer);
    let requested: Vec<String> = server.requests("/oembed").into_iter().map(|r| r.path).collect();
    assert_eq!(requested, [format!("/oembed?player=p1&{VIDEO_PARAM}")]);

    let thumb = &o["thumbnail"];
    let path = remote_path(JPEG, "thumb.jpg");
    assert_eq!(thumb["outcome"], "stored", "{thumb}");
    assert_eq!(thumb["path"], path.as_str());
    assert_eq!(thumb["media_type"], "image/jpeg");
    assert_eq!(thumb["sha256"], sha256(JPEG));
    assert_eq!(e.payload(&path), JPEG);
    assert_eq!(e.model["fetch"]["videos_described"], 1);
    assert!(e.problems("video-unavailable").is_empty() && e.problems("oembed-failed").is_empty());
}

#[test]
fn a_video_the_endpoint_does_not_know_is_unavailable() {
    // No route: every path answers 404.
    let server = Server::start(vec![]);
    let site = video_site();
    let endpoint = format!("dailymotion={}", server.url("/oembed"));
    let e = export_fetch(site.path(), &["--oembed", &endpoint]);

    let o = &e.model["videos"][0]["oembed"];
    assert_eq!(o["unavailable"], true, "{o}");
    assert_eq!(o["request"]["outcome"], "failed");
    assert_eq!(o["request"]["error"], "http-404");
    assert_eq!(o["request"]["status"], 404);
    assert!(o.get("title").is_none() && o.get("thumbnail").is_none(), "{o}");
    let requested: Vec<String> = server.requests("/oembed").into_iter().map(|r| r.path).collect();
    assert_eq!(requested, [format!("/oembed?{VIDEO_PARAM}")]);
    let problem = (PAGE.to_string(), BODY_LINE, "warning".to_string());
    assert_eq!(e.problems("video-unavailable"), [problem]);
    assert_eq!(e.model["fetch"]["videos_unavailable"], 1);
}

#[test]
fn an_oembed_answer_that_is_not_json_fails() {
    let server = Server::start(vec![("/oembed", html())]);
    let site = video_site();
    let endpoint = format!("dailymotion={}", server.url("/oembed"));
    let e = export_fetch(site.path(), &["--oembed", &endpoint]);

    let o = &e.model["videos"][0]["oembed"];
    assert_eq!(o["unavailable"], false, "{o}");
    assert_eq!(o["request"]["outcome"], "failed");
    assert_eq!(o["request"]["error"], "bad-oembed");
    assert!(o.get("raw").is_none() && o.get("title").is_none(), "{o}");
    let problem = (PAGE.to_string(), BODY_LINE, "warning".to_string());
    assert_eq!(e.problems("oembed-failed"), [problem]);
    assert!(e.problems("video-unavailable").is_empty());
}

/// A probed link that is a large web page is not a document, whatever its size: only a
/// document is held to the size cap.
#[test]
fn a_large_web_page_behind_a_probed_link_is_not_too_large() {
    let big_page = Route::Generated {
        content_type: "text/html".into(),
        prefix: b"<!DOCTYPE html><html>".to_vec(),
        size: 5_000_000,
        chunked: false,
    };
    let server = Server::start(vec![("/news", big_page)]);
    let url = server.url("/news");
    let site = hugo_site(&format!("[news]({url})\n"));
    let e = export_fetch(site.path(), &["--fetch-max-size", "1M"]);
    let check = &e.model["links"][0]["fetch"];
    assert_eq!(check["outcome"], "not-a-document", "{check}");
    assert_eq!(check["content_length"], 5_000_000);
    assert_eq!(e.model["fetch"]["links_failed"], 0);
}

#[test]
fn extension_less_links_are_probed() {
    let server = Server::start(vec![("/fichier/2114265", pdf(PDF)), ("/about", html())]);
    let (doc, page) = (server.url("/fichier/2114265"), server.url("/about"));
    let site = hugo_site(&format!("[stats]({doc})\n\n[about]({page})\n"));
    let e = export_fetch(site.path(), &[]);

    let rec = e.fetched(&doc);
    let path = remote_path(PDF, "2114265.pdf");
    assert_eq!(rec["outcome"], "stored", "{rec}");
    assert_eq!(rec["path"], path.as_str());
    assert_eq!(e.document(&doc)["media_type"], "application/pdf");
    assert_eq!(e.document(&doc)["pages"], json!([PAGE]));
    assert_eq!(e.payload(&path), PDF);

    let links = e.model["links"].as_array().expect("links");
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!((&links[0]["url"], &links[0]["pages"]), (&json!(page), &json!([PAGE])));
    let check = &links[0]["fetch"];
    assert_eq!(check["outcome"], "not-a-document", "{check}");
    assert_eq!(check["status"], 200);
    assert!(check.get("path").is_none() && check.get("error").is_none(), "{check}");
    let docs = e.model["documents"].as_array().unwrap();
    assert!(docs.iter().all(|d| d["target"] != page.as_str()), "{docs:?}");
    assert_eq!(e.remote_files(), [path]);
    let all = e.model["problems"].as_array().unwrap();
    assert!(all.is_empty(), "{all:?}");
    let run = &e.model["fetch"];
    assert_eq!((&run["links_checked"], &run["links_failed"]), (&json!(1), &json!(0)));
    assert_eq!(run["documents_stored"], 1);
    // The page's reference now knows it points at a document.
    let refs = e.model["pages"][0]["references"].as_array().unwrap();
    let flags: Vec<(&Value, &Value)> = refs.iter().map(|r| (&r["raw"], &r["document"])).collect();
    assert_eq!(flags, [(&json!(doc), &json!(true)), (&json!(page), &json!(false))]);
}

#[test]
fn a_dead_extension_less_link_is_a_dead_link() {
    let server = Server::start(vec![]);
    let url = server.url("/projets/ancien");
    let site = hugo_site(&format!("[old project]({url})\n"));
    let e = export_fetch(site.path(), &["--json"]);

    let links = e.model["links"].as_array().expect("links");
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(links[0]["url"], url.as_str());
    let check = &links[0]["fetch"];
    assert_eq!((&check["outcome"], &check["error"]), (&json!("failed"), &json!("http-404")));
    assert!(e.model["documents"].as_array().unwrap().is_empty());
    let problem = (PAGE.to_string(), BODY_LINE, "warning".to_string());
    assert_eq!(e.problems("dead-link"), [problem]);
    assert!(e.problems("remote-document").is_empty());
    let run = &e.model["fetch"];
    assert_eq!((&run["links_checked"], &run["links_failed"]), (&json!(1), &json!(1)));
    let dead = &e.report.as_ref().unwrap()["fetch"]["dead"];
    assert_eq!((&dead[0]["what"], &dead[0]["error"]), (&json!("link"), &json!("http-404")));
}

#[test]
fn the_cache_revalidates_and_downloads_only_what_changed() {
    let v1 =
        [("Content-Type", "application/pdf"), ("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)];
    let server = Server::start(vec![("/cached.pdf", route(200, &v1, PDF))]);
    let (url, gone) = (server.url("/cached.pdf"), server.url("/gone.pdf"));
    let site = hugo_site(&format!("[cached]({url})\n\n[gone]({gone})\n"));
    let cache = tempfile::tempdir().unwrap();
    let cache_dir = cache.path().to_str().unwrap();
    let path = remote_path(PDF, "cached.pdf");

    let first = export_fetch(site.path(), &["--fetch-cache", cache_dir]);
    let rec1 = first.fetched(&url);
    assert_eq!((&rec1["outcome"], &rec1["path"]), (&json!("stored"), &json!(path)));
    assert!(rec1.get("revalidated").is_none(), "{rec1}");
    assert_eq!(server.requests("/cached.pdf")[0].header("if-none-match"), None);
    assert_eq!((server.downloads("/cached.pdf"), server.hits("/gone.pdf")), (1, 1));

    let second = export_fetch(site.path(), &["--fetch-cache", cache_dir]);
    let requests = server.requests("/cached.pdf");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("if-none-match"), Some(ETAG));
    assert_eq!(server.downloads("/cached.pdf"), 1, "the unchanged copy was downloaded again");
    let rec2 = second.fetched(&url);
    assert_eq!(rec2["outcome"], "stored", "{rec2}");
    assert!(rec2["revalidated"].is_string(), "{rec2}");
    assert_eq!((&rec2["sha256"], &rec2["path"]), (&json!(sha256(PDF)), &json!(path)));
    assert_eq!(rec2["retrieved"], rec1["retrieved"], "retrieved is the original download");
    assert_eq!(second.payload(&path), PDF);
    assert_eq!(second.model["fetch"]["not_modified"], 1);
    // Failures are never cached: the 404 is asked again.
    assert_eq!(server.hits("/gone.pdf"), 2);
    assert_eq!(second.fetched(&gone)["error"], "http-404");

    let changed: &[u8] = b"%PDF-1.4\n% second edition\n%%EOF\n";
    let v2 = [("Content-Type", "application/pdf"), ("ETag", "\"v2\"")];
    server.set("/cached.pdf", route(200, &v2, changed));
    let third = export_fetch(site.path(), &["--fetch-cache", cache_dir]);
    assert_eq!(server.downloads("/cached.pdf"), 2);
    let rec3 = third.fetched(&url);
    let new_path = remote_path(changed, "cached.pdf");
    assert_eq!(rec3["outcome"], "stored", "{rec3}");
    assert_eq!((&rec3["sha256"], &rec3["path"]), (&json!(sha256(changed)), &json!(new_path)));
    assert_eq!(rec3["etag"], "\"v2\"");
    assert!(rec3.get("revalidated").is_none(), "{rec3}");
    assert_eq!(third.payload(&new_path), changed);
    assert_eq!(third.remote_files(), [new_path]);
    assert_eq!(server.hits("/gone.pdf"), 3);
}

#[test]
fn the_same_bytes_at_two_urls_are_stored_once() {
    let server = Server::start(vec![("/a/same.pdf", pdf(PDF)), ("/b/copy.pdf", pdf(PDF))]);
    let (a, b) = (server.url("/a/same.pdf"), server.url("/b/copy.pdf"));
    let site = hugo_site(&format!("[a]({a})\n\n[b]({b})\n"));
    let e = export_fetch(site.path(), &[]);

    // Named after the first URL in sorted order.
    let path = remote_path(PDF, "same.pdf");
    for url in [&a, &b] {
        let rec = e.fetched(url);
        assert_eq!((&rec["outcome"], &rec["path"]), (&json!("stored"), &json!(path)), "{rec}");
    }
    assert_eq!(e.remote_files(), [path.as_str()]);
    assert_eq!(e.payload(&path), PDF);
    let manifest = std::fs::read_to_string(e.bag.join("manifest-sha256.txt")).unwrap();
    assert_eq!(manifest.lines().filter(|l| l.contains("data/remote/")).count(), 1);
}

#[test]
fn strict_fails_on_a_dead_document_and_writes_nothing() {
    let server = Server::start(vec![]);
    let url = server.url("/minutes.pdf");
    let site = hugo_site(&format!("[minutes]({url})\n"));
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("out.zip");
    let out = direct()
        .arg("export")
        .arg(site.path())
        .arg("-o")
        .arg(&zip)
        .args(["--fetch", "--fetch-retry-delay", "50", "--fetch-timeout", "2", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("[remote-document]"), "{}", stderr(&out));
    assert!(!zip.exists(), "--strict wrote an archive");
    let left: Vec<String> = list_files(dir.path());
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(server.hits("/minutes.pdf"), 1);
}

#[test]
fn without_fetch_the_network_is_never_touched() {
    let server = Server::start(vec![("/report.pdf", pdf(PDF)), ("/about", html())]);
    let (doc, page) = (server.url("/report.pdf"), server.url("/about"));
    let site = hugo_site(&format!("[report]({doc})\n\n[about]({page})\n"));
    let e = export(site.path(), &[]);

    assert_eq!(server.total(), 0);
    let model = e.model.as_object().unwrap();
    assert!(!model.contains_key("fetch") && !model.contains_key("links"), "{:?}", model.keys());
    let doc = e.document(&doc);
    assert!(doc.get("fetch").is_none(), "{doc}");
    assert!(e.remote_files().is_empty());
}

#[test]
fn fetch_videos_leaves_documents_alone() {
    let server = Server::start(vec![("/report.pdf", pdf(PDF))]);
    let doc = server.url("/report.pdf");
    let site = hugo_site(&format!("[report]({doc})\n"));
    let e = export(site.path(), &["--fetch=videos", "--fetch-retry-delay", "50"]);

    assert_eq!(server.total(), 0);
    assert_eq!(e.model["fetch"]["kinds"], json!(["videos"]));
    assert!(e.document(&doc).get("fetch").is_none());
}

#[test]
fn a_bag_with_fetched_files_passes_bagit_validation() {
    let server = Server::start(vec![
        ("/report.pdf", pdf(PDF)),
        ("/fichier/7", pdf(b"%PDF-1.7\nanother one\n%%EOF\n")),
    ]);
    let (a, b) = (server.url("/report.pdf"), server.url("/fichier/7"));
    let site = hugo_site(&format!("[a]({a}) and [b]({b})\n"));
    let e = export_fetch(site.path(), &[]);
    assert_eq!(e.remote_files().len(), 2);
    let Some(bagit) = tool("bagit.py") else { return };
    let out = std::process::Command::new(bagit).arg("--validate").arg(&e.bag).output().unwrap();
    let log = stderr(&out);
    assert!(out.status.success() && log.contains("is valid"), "bagit.py --validate failed:\n{log}");
}

/// Fetch time of 8 documents, each sent 300 ms after its headers, at `per_host` at once.
fn fetch_eight_slow(per_host: &str) -> u64 {
    let paths: Vec<String> = (1..=8).map(|i| format!("/slow/{i}.pdf")).collect();
    let slow = |i: usize| Route::SlowBody {
        delay: Duration::from_millis(300),
        then: Box::new(pdf(format!("%PDF-1.4\n% number {i}\n").as_bytes())),
    };
    let server =
        Server::start(paths.iter().enumerate().map(|(i, p)| (p.as_str(), slow(i))).collect());
    let body: String = paths.iter().map(|p| format!("[doc]({})\n\n", server.url(p))).collect();
    let site = hugo_site(&body);
    let e = export_fetch(site.path(), &["--json", "--fetch-per-host", per_host]);
    assert_eq!(e.model["fetch"]["documents_stored"], 8);
    assert_eq!(e.remote_files().len(), 8);
    e.report.as_ref().unwrap()["fetch"]["elapsed_ms"].as_u64().unwrap()
}

#[test]
fn the_per_host_limit_bounds_concurrent_requests() {
    // Two at a time: four rounds of 300 ms at least, however fast the machine.
    let two = fetch_eight_slow("2");
    assert!(two >= 4 * 300, "8 documents at 2 per host took {two} ms: more than 2 at once");
    // All at once: one round, with a wide margin for a loaded machine.
    let eight = fetch_eight_slow("8");
    assert!(eight < two && eight < 4 * 300, "8 per host took {eight} ms, 2 per host {two} ms");
}
