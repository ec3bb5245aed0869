//! Export of small sites: accounting, determinism, losslessness, outputs and errors.

use crate::common::*;
use carton::archive::Format;
use carton::model::{FileRole, FrontMatterFormat, PageKind, RefSource, Severity, Target};
use predicates::prelude::*;

#[test]
fn demo_every_file_is_accounted_for() {
    let dir = tempfile::tempdir().unwrap();
    let model = export(&demo_site(), &dir.path().join("demo.zip"), Format::Zip);
    let listed: Vec<String> = model.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(listed, list_files(&demo_site()));
    let s = &model.summary;
    assert_eq!(s.files, s.pages + s.resources + s.static_files + s.config_files + s.other_files);
    assert_eq!(
        (s.pages, s.resources, s.static_files, s.config_files, s.other_files),
        (6, 2, 4, 1, 1)
    );
    assert!(s.skipped.is_empty());
    let roles: Vec<(&str, FileRole)> =
        model.files.iter().map(|f| (f.path.as_str(), f.role)).collect();
    assert!(roles.contains(&("content/posts/bundle/spec.pdf", FileRole::Resource)));
    assert!(roles.contains(&("hugo.toml", FileRole::Config)));
    assert!(roles.contains(&("layouts/shortcodes/note.html", FileRole::Other)));
}

#[test]
fn demo_pages_urls_front_matter_and_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let model = export(&demo_site(), &dir.path().join("demo.zip"), Format::Dir);
    let page = |p: &str| model.page(p).unwrap_or_else(|| panic!("page {p}"));
    assert_eq!(page("content/_index.md").kind, PageKind::Home);
    assert_eq!(page("content/_index.md").url, "/");
    assert_eq!(page("content/posts/_index.md").kind, PageKind::Section);
    assert_eq!(page("content/posts/first-post.md").url, "/posts/first-post/");
    let bundle = page("content/posts/bundle/index.md");
    assert_eq!(bundle.url, "/posts/bundle/");
    assert_eq!(
        bundle.resources,
        ["content/posts/bundle/diagram.png", "content/posts/bundle/spec.pdf"]
    );
    assert_eq!(bundle.front_matter.as_ref().unwrap().format, FrontMatterFormat::Toml);
    assert_eq!(bundle.date.as_deref(), Some("2024-04-02"));
    let guide = page("content/docs/guide.md");
    assert_eq!(guide.front_matter.as_ref().unwrap().format, FrontMatterFormat::Json);
    assert_eq!(guide.title.as_deref(), Some("Guide"));
    assert_eq!(page("content/tags/archives/_index.md").kind, PageKind::Term);
    let tags = model.taxonomies.iter().find(|t| t.name == "tags").unwrap();
    let archives = tags.terms.iter().find(|t| t.name == "archives").unwrap();
    assert_eq!(archives.page.as_deref(), Some("content/tags/archives/_index.md"));
    assert_eq!(archives.pages, ["content/posts/bundle/index.md", "content/posts/first-post.md"]);
}

#[test]
fn demo_shortcodes_references_videos_and_documents() {
    let dir = tempfile::tempdir().unwrap();
    let model = export(&demo_site(), &dir.path().join("demo.zip"), Format::Zip);
    let post = model.page("content/posts/first-post.md").unwrap();
    let names: Vec<&str> = post.shortcodes.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["dailymotion", "youtube", "note"]);
    let dm = &post.shortcodes[0];
    assert_eq!(
        dm.params.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(),
        ["x7tgplay", "Launch video"]
    );
    assert_eq!((dm.span.line, dm.span.column), (10, 1));
    assert!(!dm.known, "no dailymotion template in the demo");
    assert!(post.shortcodes[2].known, "layouts/shortcodes/note.html exists");
    assert!(post.shortcodes[1].known, "youtube is built into Hugo");
    // The link inside the paired `note` shortcode is found and resolved to the guide page.
    assert!(post.references.iter().any(|r| r.raw == "/docs/guide/"
        && r.target == Target::Page { path: "content/docs/guide.md".into() }));
    let keys: Vec<&str> = model.videos.iter().map(|v| v.key.as_str()).collect();
    assert_eq!(
        keys,
        ["dailymotion:x75h2pz", "dailymotion:x7tgplay", "vimeo:19899678", "youtube:dQw4w9WgXcQ"]
    );
    let launch = &model.videos[1];
    assert_eq!(launch.title.as_deref(), Some("Launch video"));
    assert_eq!(launch.embed_url, "https://geo.dailymotion.com/player.html?video=x7tgplay");
    assert_eq!(model.videos[0].title.as_deref(), Some("Workshop"), "iframe title");
    let iframe = post.references.iter().find(|r| r.source == RefSource::Iframe).unwrap();
    assert_eq!(iframe.target, Target::Video { key: "dailymotion:x75h2pz".into() });
    // Front matter `image: img/cover.png` resolves against static/.
    let cover = post.references.iter().find(|r| r.source == RefSource::FrontMatter).unwrap();
    assert_eq!((cover.raw.as_str(), cover.span.line), ("img/cover.png", 6));
    assert_eq!(cover.target, Target::File { path: "static/img/cover.png".into() });
    // Bundle-relative document and the dangling one.
    let bundle = model.page("content/posts/bundle/index.md").unwrap();
    let spec = bundle.references.iter().find(|r| r.raw == "spec.pdf").unwrap();
    assert!(spec.document);
    assert_eq!(spec.target, Target::File { path: "content/posts/bundle/spec.pdf".into() });
    let missing = model.problems.iter().find(|p| p.code == "missing-file").unwrap();
    assert_eq!(
        (missing.path.as_str(), missing.line, missing.column),
        ("content/posts/bundle/index.md", 8, 47)
    );
    let docs: Vec<(&str, bool, bool)> =
        model.documents.iter().map(|d| (d.target.as_str(), d.local, d.missing)).collect();
    assert_eq!(
        docs,
        [
            ("content/posts/bundle/spec.pdf", true, false),
            ("https://www.example.gov/charter.pdf", false, false),
            ("static/img/Minutes-2019.pdf", true, true),
            ("static/img/report.pdf", true, false)
        ]
    );
}

#[test]
fn same_input_gives_a_byte_identical_zip() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
        carton()
            .args(["export"])
            .arg(demo_site())
            .arg("-o")
            .arg(dir.path().join(sub).join("demo.zip"))
            .assert()
            .success();
    }
    let a = std::fs::read(dir.path().join("a/demo.zip")).unwrap();
    let b = std::fs::read(dir.path().join("b/demo.zip")).unwrap();
    assert!(a == b, "two exports of the same site differ");
}

#[test]
fn exporting_the_payload_of_an_archive_gives_the_same_archive() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("one/demo.zip");
    std::fs::create_dir_all(first.parent().unwrap()).unwrap();
    export(&demo_site(), &first, Format::Zip);
    unzip(&first, &dir.path().join("unpacked"));
    let second = dir.path().join("two/demo.zip");
    std::fs::create_dir_all(second.parent().unwrap()).unwrap();
    export(&dir.path().join("unpacked/demo/data/site"), &second, Format::Zip);
    assert!(std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(), "re-export differs");
}

#[test]
fn zip_stores_compressed_media_and_deflates_text() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.zip");
    export(&demo_site(), &out, Format::Zip);
    let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let method =
        |z: &mut zip::ZipArchive<std::fs::File>, n: &str| z.by_name(n).unwrap().compression();
    assert_eq!(
        method(&mut z, "demo/data/site/static/img/report.pdf"),
        zip::CompressionMethod::Stored
    );
    assert_eq!(
        method(&mut z, "demo/data/site/static/img/cover.png"),
        zip::CompressionMethod::Stored
    );
    assert_eq!(method(&mut z, "demo/data/site/hugo.toml"), zip::CompressionMethod::Deflated);
    let names: Vec<String> = z.file_names().map(|n| n.unwrap().to_string()).collect();
    assert!(names.iter().all(|n| n.starts_with("demo/")), "one top-level folder");
    for tag in [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "manifest-sha512.txt",
        "tagmanifest-sha256.txt",
        "tagmanifest-sha512.txt",
        "data/carton.json",
        "data/ro-crate-metadata.json",
    ] {
        assert!(names.contains(&format!("demo/{tag}")), "{tag} missing");
    }
}

#[test]
fn bag_info_is_complete_and_identifier_is_name_based() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    export(&demo_site(), &out, Format::Dir);
    let info = std::fs::read_to_string(out.join("bag-info.txt")).unwrap();
    for label in [
        "Bag-Software-Agent: carton ",
        "BagIt-Profile-Identifier: urn:carton:bagit-profile:1.0",
        "Bagging-Date: 2023-11-14",
        "Carton-Format-Version: 1.2",
        "External-Description: ",
        "External-Identifier: urn:uuid:",
        "Payload-Oxum: ",
    ] {
        assert!(info.contains(label), "{label} not in:\n{info}");
    }
    let id_line = info.lines().find(|l| l.starts_with("External-Identifier")).unwrap();
    let uuid = uuid::Uuid::parse_str(id_line.rsplit(':').next().unwrap()).unwrap();
    assert_eq!(uuid.get_version_num(), 5);
    assert_eq!(
        std::fs::read_to_string(out.join("bagit.txt")).unwrap(),
        "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
    );
}

#[test]
fn an_existing_output_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.zip");
    std::fs::write(&out, b"precious").unwrap();
    carton().arg("export").arg(demo_site()).arg("-o").arg(&out).assert().code(1).stderr(
        predicate::str::contains("already exists").and(predicate::str::contains("--force")),
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    carton().arg("export").arg(demo_site()).arg("-o").arg(&out).arg("--force").assert().success();
    assert_ne!(std::fs::read(&out).unwrap(), b"precious");
    assert_eq!(list_files(dir.path()), ["demo.zip"], "no temporary file left behind");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o644, "the archive is not left private like a temporary file");
    }
}

#[test]
fn an_output_inside_the_site_is_refused() {
    let site = site(&[("hugo.toml", b"title = 'x'\n"), ("content/a.md", b"# a\n")]);
    carton()
        .arg("export")
        .arg(site.path())
        .arg("-o")
        .arg(site.path().join("out.zip"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("overlaps the input"));
    assert!(!site.path().join("out.zip").exists());
}

#[test]
fn a_folder_that_is_not_a_site_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    carton()
        .arg("export")
        .arg(dir.path())
        .arg("-o")
        .arg(dir.path().with_extension("zip"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no site configuration found"));
}

#[test]
fn a_broken_config_names_its_file_and_line() {
    let site = site(&[("config.toml", b"title = 'x'\nbaseURL = \n"), ("content/a.md", b"# a\n")]);
    let out = tempfile::tempdir().unwrap();
    carton()
        .arg("export")
        .arg(site.path())
        .arg("-o")
        .arg(out.path().join("x.zip"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("config.toml:2:"));
}

#[test]
fn strict_fails_on_problems_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo.zip");
    carton()
        .arg("export")
        .arg(demo_site())
        .arg("-o")
        .arg(&out)
        .arg("--strict")
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("content/posts/bundle/index.md:8:47")
                .and(predicate::str::contains("no archive written")),
        );
    assert!(!out.exists());
}

#[test]
fn broken_front_matter_is_reported_and_the_page_carried_raw() {
    let bad: &[u8] = b"---\ntitle: ok\ntags: [a, b\n---\nBody with a [link](/nowhere/).\n";
    let unclosed: &[u8] = b"---\ntitle: never closed\nbody\n";
    let site = site(&[
        ("hugo.toml", b"title = 't'\n"),
        ("content/bad.md", bad),
        ("content/unclosed.md", unclosed),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let model = export(site.path(), &out, Format::Dir);
    let p = model
        .problems
        .iter()
        .find(|p| p.code == "front-matter" && p.path == "content/bad.md")
        .unwrap();
    assert_eq!(p.severity, Severity::Error);
    assert!(p.line >= 3 && p.line <= 4, "line {}", p.line);
    let u = model
        .problems
        .iter()
        .find(|p| p.code == "front-matter" && p.path == "content/unclosed.md")
        .unwrap();
    assert_eq!(u.line, 1);
    assert!(u.message.contains("never closed"));
    assert_eq!(model.summary.raw_pages, 2);
    assert!(model.page("content/bad.md").unwrap().front_matter.as_ref().unwrap().fields.is_null());
    assert_eq!(
        std::fs::read(out.join("data/site/content/bad.md")).unwrap(),
        bad,
        "stored byte for byte"
    );
    assert_eq!(std::fs::read(out.join("data/site/content/unclosed.md")).unwrap(), unclosed);
}

#[test]
fn bom_crlf_and_invalid_utf8_pages_are_kept() {
    let bom: &[u8] = b"\xef\xbb\xbf---\r\ntitle: BOM\r\n---\r\nLine [one](/img/a.pdf)\r\n";
    let latin1: &[u8] = b"---\ntitle: caf\xe9\n---\nCaf\xe9 [two](/img/a.pdf)\n";
    let site = site(&[
        ("hugo.toml", b""),
        ("content/bom.md", bom),
        ("content/latin1.md", latin1),
        ("static/img/a.pdf", b"%PDF-1.4\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let model = export(site.path(), &out, Format::Dir);
    let p = model.page("content/bom.md").unwrap();
    assert!(p.text.bom && p.text.utf8);
    assert_eq!(p.text.line_endings, "crlf");
    assert_eq!(p.title.as_deref(), Some("BOM"));
    assert_eq!(p.references[0].target, Target::File { path: "static/img/a.pdf".into() });
    assert_eq!(p.references[0].span.line, 4);
    let l = model.page("content/latin1.md").unwrap();
    assert!(!l.text.utf8);
    assert_eq!(l.references[0].target, Target::File { path: "static/img/a.pdf".into() });
    assert!(model.problems.iter().any(|p| p.code == "not-utf8" && p.path == "content/latin1.md"));
    assert_eq!(std::fs::read(out.join("data/site/content/latin1.md")).unwrap(), latin1);
    assert_eq!(std::fs::read(out.join("data/site/content/bom.md")).unwrap(), bom);
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_and_are_reported() {
    let site = site(&[("hugo.toml", b""), ("content/a.md", b"# a\n")]);
    std::os::unix::fs::symlink("/etc/passwd", site.path().join("content/escape.md")).unwrap();
    std::os::unix::fs::symlink("a.md", site.path().join("content/inside.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let model = export(site.path(), &dir.path().join("s"), Format::Dir);
    let skipped: Vec<&str> = model.summary.skipped.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(skipped, ["content/escape.md", "content/inside.md"]);
    assert!(model.summary.skipped[0].reason.contains("outside the site"));
    assert!(!dir.path().join("s/data/site/content/escape.md").exists());
}

#[test]
fn json_output_is_one_document() {
    let dir = tempfile::tempdir().unwrap();
    let out = carton()
        .arg("export")
        .arg(demo_site())
        .arg("-o")
        .arg(dir.path().join("d.zip"))
        .arg("--json")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["type"], "export");
    assert_eq!(v["counts"]["pages"], 6);
    assert_eq!(v["counts"]["videos"], 4);
    assert_eq!(v["payload_files"], 17);
}

#[test]
fn module_mounts_and_assets_are_honoured() {
    let config: &[u8] = b"baseURL = 'https://docs.example.org/'\n[module]\n[[module.mounts]]\nsource = 'content/en'\ntarget = 'content'\n[[module.mounts]]\nsource = 'files'\ntarget = 'static/files'\n";
    let page: &[u8] = b"---\ntitle: Guide\nreturnType: template.HTML\n---\n[other](/other/) [pdf](/files/a.pdf) [self](https://docs.example.org/other/)\n{{< img src=\"images/x.png\" >}} {{< code file=\"content/example.md\" >}}\n";
    let site = site(&[
        ("hugo.toml", config),
        ("content/en/guide.md", page),
        ("content/en/other.md", b"# other\n"),
        ("files/a.pdf", b"%PDF-1.4\n"),
        ("assets/images/x.png", b"png"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let model = export(site.path(), &dir.path().join("s"), Format::Dir);
    let guide = model.page("content/en/guide.md").expect("mounted content is read as pages");
    assert_eq!(guide.url, "/guide/");
    let targets: Vec<(&str, &Target)> =
        guide.references.iter().map(|r| (r.raw.as_str(), &r.target)).collect();
    assert_eq!(
        targets,
        [
            ("/other/", &Target::Page { path: "content/en/other.md".into() }),
            ("/files/a.pdf", &Target::File { path: "files/a.pdf".into() }),
            (
                "https://docs.example.org/other/",
                &Target::Page { path: "content/en/other.md".into() }
            ),
            ("images/x.png", &Target::File { path: "assets/images/x.png".into() }),
        ],
        "`template.HTML` and `content/example.md` are plain text, not references"
    );
    assert!(model.problems.iter().all(|p| p.severity != Severity::Warning), "{:?}", model.problems);
    assert_eq!(
        model.files.iter().find(|f| f.path == "files/a.pdf").unwrap().role,
        FileRole::Static
    );
}

#[test]
fn a_git_checkout_exports_under_strict_without_its_git_folder() {
    let site = site(&[
        ("hugo.toml", b"title = 't'\n"),
        ("content/a.md", b"# a\n"),
        (".git/config", b"[core]\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s.zip");
    carton().arg("export").arg(site.path()).arg("-o").arg(&out).arg("--strict").assert().success();
    let model = export(site.path(), &dir.path().join("t"), Format::Dir);
    assert_eq!(model.summary.skipped.len(), 1);
    assert_eq!(
        (model.summary.skipped[0].path.as_str(), model.summary.skipped[0].reason.as_str()),
        (".git", "version-control metadata")
    );
    assert!(!dir.path().join("t/data/site/.git").exists());
}

/// A site whose `static/` holds files of zeros, made sparse: (name, size).
fn site_with_zeros(files: &[(&str, u64)]) -> tempfile::TempDir {
    let site =
        site(&[("hugo.toml", b"title = 't'\n"), ("content/a.md", b"---\ntitle: a\n---\nhi\n")]);
    std::fs::create_dir_all(site.path().join("static")).unwrap();
    for (name, size) in files {
        std::fs::File::create(site.path().join("static").join(name))
            .unwrap()
            .set_len(*size)
            .unwrap();
    }
    site
}

/// Blank images, logs and sparse data deflate beyond the 1000:1 `carton verify` accepts:
/// such files are stored, whether streamed (over 4 MiB) or read whole.
#[test]
fn files_that_deflate_beyond_the_readers_ratio_are_stored_and_verify() {
    let files = [("zeros.bin", 50_000_000), ("three.bin", 3_000_000), ("floor.bin", 1 << 20)];
    let site = site_with_zeros(&files);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.zip");
    carton().arg("export").arg(site.path()).arg("-o").arg(&out).assert().success();
    carton().arg("verify").arg(&out).assert().success();
    let mut z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    for (name, size) in files {
        let mut e = z.by_name(&format!("z/data/site/static/{name}")).unwrap();
        // 1 MiB is not held to the ratio on its own: it stays deflated.
        let method = if size > 1 << 20 {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        assert_eq!(e.compression(), method, "{name}");
        let mut back = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut back).unwrap();
        assert_eq!(back.len() as u64, size, "{name}");
        assert!(back.iter().all(|&b| b == 0), "{name} does not read back");
    }
    // The bag folder has nothing to compress.
    let bag = dir.path().join("z");
    export(site.path(), &bag, Format::Dir);
    assert!(verify(&bag).valid);
    assert_eq!(
        std::fs::metadata(bag.join("data/site/static/zeros.bin")).unwrap().len(),
        50_000_000
    );
}

/// Files of up to 1 MiB deflate up to about 1,030:1 and are kept deflated; each entry's
/// headers keep the zip's total under the 1000:1 `carton verify` accepts.
#[test]
fn many_files_of_zeros_stay_within_the_readers_total_ratio() {
    let names: Vec<String> = (0..100).map(|i| format!("blank-{i:03}.bin")).collect();
    let files: Vec<(&str, u64)> = names.iter().map(|n| (n.as_str(), 1 << 20)).collect();
    let site = site_with_zeros(&files);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("z.zip");
    export(site.path(), &out, Format::Zip);
    let report = verify(&out);
    assert!(report.valid, "{:#?}", report.findings);
    let z = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let declared: u64 = (0..z.len()).map(|i| z.by_index_data(i).unwrap().size()).sum();
    let ratio = declared / std::fs::metadata(&out).unwrap().len();
    assert!((700..1000).contains(&ratio), "total ratio {ratio}:1");
}

/// `carton verify` reads entries nested up to 256 folders deep, and a zip adds three (the
/// bag's folder, `data/`, `site/`): folders of the site deeper than 253 are left out and
/// reported, like names that cannot be stored.
#[test]
fn folders_too_deep_for_an_archive_are_left_out_and_reported() {
    let kept = format!("static/{}kept.txt", "d/".repeat(252));
    let left = format!("static/{}e/left-out.txt", "d/".repeat(252));
    let site = site(&[
        ("hugo.toml", b"title = 't'\n"),
        ("content/a.md", b"---\ntitle: a\n---\nhi\n"),
        (&kept, b"kept"),
        (&left, b"left out"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    for (out, format) in [("deep.zip", Format::Zip), ("deep", Format::Dir)] {
        let out = dir.path().join(out);
        let model = export(site.path(), &out, format);
        let report = verify(&out);
        assert!(report.valid, "{:#?}", report.findings);
        let paths: Vec<&str> = model.files.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.contains(&kept.as_str()) && !paths.contains(&left.as_str()), "{paths:?}");
        let folder = left.trim_end_matches("/left-out.txt");
        let p = model.problems.iter().find(|p| p.path == folder).expect("the folder is reported");
        assert_eq!((p.code.as_str(), p.severity), ("skipped", Severity::Warning));
        assert!(p.message.contains("254 folders deep"), "{}", p.message);
        assert_eq!(model.summary.skipped.len(), 1);
    }
    carton().arg("verify").arg(dir.path().join("deep.zip")).assert().success();
}

/// `--force --format dir` replaces an intact bag, and never a folder holding anything else.
#[test]
fn a_bag_folder_is_replaced_only_when_it_holds_nothing_but_the_bag() {
    let dir = tempfile::tempdir().unwrap();
    let bag = dir.path().join("bag");
    let export = |force: bool| {
        let mut c = carton();
        c.arg("export").arg(demo_site()).args(["--format", "dir", "-q", "-o"]).arg(&bag);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    assert!(export(false).status.success());
    assert_eq!(export(false).status.code(), Some(1), "not without --force");
    let again = export(true);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    assert!(verify(&bag).valid);
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["bag"], "no temporary or set-aside folder left behind");
    // A file that is not the bag's: refused, and the folder left as it was.
    std::fs::write(bag.join("data/notes.txt"), "mine").unwrap();
    let before = sandbox_tree(dir.path());
    let refused = export(true);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not an intact bag") && stderr.contains("data/notes.txt"), "{stderr}");
    assert_eq!(
        sandbox_changes(&before, &sandbox_tree(dir.path()), &|_| false),
        Vec::<String>::new()
    );
    // A folder that is no bag at all: refused too.
    std::fs::remove_dir_all(&bag).unwrap();
    std::fs::create_dir(&bag).unwrap();
    std::fs::write(bag.join("thesis.pdf"), "mine").unwrap();
    let refused = export(true);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(bag.join("thesis.pdf")).unwrap(), "mine");
}
