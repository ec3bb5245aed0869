//! `import --localize-remote`: the copies `export --fetch` archived go into the target site
//! and the links point at them; the sites still build.

use crate::common::{carton, carton_direct, site, tool};
use crate::http::{Route, Server};
use crate::import::{hugo_build, jekyll_build};
use std::path::Path;

const PDF: &[u8] = b"%PDF-1.4\nthe guide\n%%EOF\n";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00thumbnail";

fn server() -> Server {
    let pdf = Route::Body {
        status: 200,
        headers: vec![("Content-Type".into(), "application/pdf".into())],
        body: PDF.to_vec(),
    };
    let thumb = Route::Body {
        status: 200,
        headers: vec![("Content-Type".into(), "image/jpeg".into())],
        body: JPEG.to_vec(),
    };
    let s = Server::start(vec![("/docs/guide.pdf", pdf), ("/thumb.jpg", thumb)]);
    let answer = format!(
        r#"{{"type":"video","version":"1.0","title":"A talk","provider_name":"Vimeo","thumbnail_url":"{}","duration":62}}"#,
        s.url("/thumb.jpg")
    );
    s.set(
        "/oembed",
        Route::Body {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: answer.into_bytes(),
        },
    );
    s
}

/// A Hugo site whose page links the server's PDF and embeds a Vimeo video; exported with
/// `--fetch`. Returns the archive.
fn fetched_archive(s: &Server, dir: &Path) -> std::path::PathBuf {
    let page = format!(
        "---\ntitle: Report\ndate: 2024-05-01\n---\nRead [the guide]({}) first.\n\n{{{{< vimeo 76979871 >}}}}\n",
        s.url("/docs/guide.pdf")
    );
    let site = site(&[
        ("hugo.toml", b"baseURL = \"https://example.org/\"\ntitle = \"T\"\n"),
        ("content/blog/report.md", page.as_bytes()),
    ]);
    let zip = dir.join("site.zip");
    carton_direct()
        .arg("export")
        .arg(site.path())
        .arg("-o")
        .arg(&zip)
        .args(["--fetch", "--fetch-retry-delay", "50", "--oembed"])
        .arg(format!("vimeo={}", s.url("/oembed")))
        .assert()
        .success();
    zip
}

fn import(zip: &Path, to: &str, out: &Path, extra: &[&str]) {
    carton()
        .arg("import")
        .arg(zip)
        .args(["--to", to, "-o"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// The copy's path in the target, found by name (its folder is the content's hash).
fn find(root: &Path, name: &str) -> String {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == name)
        .map(|e| e.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|| panic!("{name} not in {}", root.display()))
}

#[test]
fn jekyll_links_point_at_the_archived_copy_and_the_site_builds() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let zip = fetched_archive(&s, dir.path());
    let out = dir.path().join("jekyll");
    import(&zip, "jekyll", &out, &["--localize-remote"]);
    let copy = find(&out, "guide.pdf");
    assert!(copy.starts_with("remote/") && copy.split('/').nth(1).unwrap().len() == 16, "{copy}");
    assert_eq!(std::fs::read(out.join(&copy)).unwrap(), PDF);
    let page = std::fs::read_to_string(
        out.join("_posts").read_dir().unwrap().next().unwrap().unwrap().path(),
    )
    .unwrap();
    assert!(page.contains(&format!("[the guide](/{copy})")), "{page}");
    assert!(!page.contains("127.0.0.1"), "a link still points at the old host: {page}");
    let Some(jekyll) = tool("jekyll") else { return };
    let public = dir.path().join("public");
    jekyll_build(&jekyll, &out, &public);
    assert_eq!(std::fs::read(public.join(&copy)).unwrap(), PDF, "the copy is published at its URL");
}

#[test]
fn hugo_without_a_mapping_changes_only_the_links() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let zip = fetched_archive(&s, dir.path());
    let out = dir.path().join("hugo");
    import(&zip, "hugo", &out, &["--localize-remote"]);
    let copy = find(&out, "guide.pdf");
    assert!(copy.starts_with("static/remote/"), "{copy}");
    let page = std::fs::read_to_string(out.join("content/blog/report.md")).unwrap();
    let url = copy.trim_start_matches("static");
    assert_eq!(
        page,
        format!(
            "---\ntitle: Report\ndate: 2024-05-01\n---\nRead [the guide]({url}) first.\n\n{{{{< vimeo 76979871 >}}}}\n"
        ),
        "only the link changes: Hugo embeds the video itself"
    );
    let Some(hugo) = tool("hugo") else { return };
    let public = dir.path().join("public");
    hugo_build(&hugo, &out, &public);
    assert_eq!(std::fs::read(public.join(url.trim_start_matches('/'))).unwrap(), PDF);
    let html = std::fs::read_to_string(public.join("blog/report/index.html")).unwrap();
    assert!(html.contains(&format!("href=\"{url}\"")), "{html}");
}

#[test]
fn a_video_the_target_cannot_embed_becomes_its_archived_thumbnail() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let zip = fetched_archive(&s, dir.path());
    // A mapping with no rule for `vimeo`: Jekyll cannot run the Hugo call.
    let mapping = dir.path().join("bare.yaml");
    std::fs::write(
        &mapping,
        "carton-mapping: 1\nfrom: hugo\nto: jekyll\nsections:\n  blog: posts\n",
    )
    .unwrap();
    let out = dir.path().join("jekyll");
    import(&zip, "jekyll", &out, &["--localize-remote", "--mapping", mapping.to_str().unwrap()]);
    let thumb = find(&out, "thumb.jpg");
    assert_eq!(std::fs::read(out.join(&thumb)).unwrap(), JPEG);
    let page = std::fs::read_to_string(
        out.join("_posts").read_dir().unwrap().next().unwrap().unwrap().path(),
    )
    .unwrap();
    assert!(page.contains(&format!("[![A talk](/{thumb})](https://vimeo.com/76979871)")), "{page}");
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("replaced by its archived thumbnail"), "{report}");
    // Without the option, the call is carried verbatim and nothing is copied.
    let plain = dir.path().join("plain");
    import(&zip, "jekyll", &plain, &["--mapping", mapping.to_str().unwrap()]);
    assert!(!plain.join("remote").exists());
    let page = std::fs::read_to_string(
        plain.join("_posts").read_dir().unwrap().next().unwrap().unwrap().path(),
    )
    .unwrap();
    assert!(page.contains("vimeo 76979871") && page.contains(&s.url("/docs/guide.pdf")), "{page}");
}

/// `convert` fetches and localizes in one step; Zola publishes `static/` at the root.
#[test]
fn convert_to_zola_fetches_and_localizes_in_one_step() {
    let s = server();
    let page =
        format!("---\ntitle: Report\n---\nRead [the guide]({}).\n", s.url("/docs/guide.pdf"));
    let site = site(&[
        ("hugo.toml", b"baseURL = \"https://example.org/\"\ntitle = \"T\"\n"),
        ("content/report.md", page.as_bytes()),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("zola");
    carton_direct()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "zola", "-o"])
        .arg(&out)
        .args(["--fetch=documents", "--localize-remote"])
        .assert()
        .success();
    let copy = find(&out, "guide.pdf");
    assert!(copy.starts_with("static/remote/"), "{copy}");
    assert_eq!(std::fs::read(out.join(&copy)).unwrap(), PDF);
    let page = std::fs::read_to_string(out.join("content/report.md")).unwrap();
    assert!(
        page.contains(&format!("[the guide]({})", copy.trim_start_matches("static"))),
        "{page}"
    );
    // Nothing but the output was written beside it: the downloads' scratch folder is gone.
    let beside: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(beside, ["zola"], "{beside:?}");
}
