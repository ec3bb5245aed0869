//! `carton export` of a Jekyll site: the real EIG Jekyll site (`../shared/corpus/eig-jekyll`),
//! each file accounted for with the URL Jekyll gives it.

use crate::common::*;
use carton::model::{FileRole, Model, PageKind, Target};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub(crate) struct Exported {
    _dir: tempfile::TempDir,
    pub(crate) site: std::path::PathBuf,
    pub(crate) zip: std::path::PathBuf,
    pub(crate) model: Model,
}

pub(crate) fn eig_jekyll() -> Option<&'static Exported> {
    static CELL: OnceLock<Option<Exported>> = OnceLock::new();
    CELL.get_or_init(|| {
        let site = corpus("eig-jekyll")?;
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("eig-jekyll.zip");
        let model = export(&site, &zip, carton::archive::Format::Zip);
        Some(Exported { _dir: dir, site, zip, model })
    })
    .as_ref()
}

/// Whether a file starts with a YAML front matter fence, as Jekyll tests it.
fn has_front_matter(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
    String::from_utf8_lossy(first).trim_end() == "---"
}

#[test]
fn every_file_of_the_jekyll_corpus_is_accounted_for_with_its_role() {
    let Some(e) = eig_jekyll() else { return };
    let on_disk = list_files(&e.site);
    let stored: Vec<&str> = e.model.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(stored, on_disk);
    assert_eq!(e.model.site.generator, "jekyll");
    let s = &e.model.summary;
    assert_eq!(s.files, s.pages + s.resources + s.static_files + s.config_files + s.other_files);
    // Counted from the tree, independently of carton: files in a `_posts` folder (66, of
    // which 5 start with `_` and Jekyll skips them), in `_defis` (71), in `_communaute`
    // (259), pages (files with front matter outside `_` folders), `_data` files (13).
    let by_section = |name: &str| e.model.pages.iter().filter(|p| p.section == name).count();
    let in_posts: Vec<&String> = on_disk.iter().filter(|f| f.contains("_posts/")).collect();
    assert_eq!(in_posts.len(), 66);
    let skipped: Vec<&&String> =
        in_posts.iter().filter(|f| f.rsplit('/').next().unwrap().starts_with('_')).collect();
    assert_eq!(skipped.len(), 5);
    assert_eq!(by_section("posts"), 61);
    for f in &skipped {
        let file = e.model.files.iter().find(|x| &&x.path == *f).unwrap();
        assert_eq!(file.role, FileRole::Other, "{f}");
        assert!(
            e.model.problems.iter().any(|p| &&p.path == *f && p.code == "not-published"),
            "{f} is reported"
        );
    }
    assert_eq!(by_section("defis"), 71);
    assert_eq!(by_section("communaute"), 259);
    let pages_on_disk = on_disk
        .iter()
        .filter(|f| !f.split('/').any(|s| s.starts_with(['_', '.'])))
        .filter(|f| has_front_matter(&e.site.join(f)))
        .count();
    assert_eq!(by_section(""), pages_on_disk);
    assert!(pages_on_disk > 40, "{pages_on_disk}");
    let data: Vec<_> = e.model.files.iter().filter(|f| f.path.starts_with("_data/")).collect();
    assert_eq!(data.len(), 13);
    assert!(data.iter().all(|f| f.role == FileRole::Other));
    // Everything else is published as it is: images, PDFs, the `_redirects` it includes.
    let statics = e.model.files.iter().filter(|f| f.role == FileRole::Static).count();
    assert_eq!(statics + 61 + 71 + 259 + pages_on_disk + 13 + 5 + 1, on_disk.len());
    assert_eq!(
        e.model.files.iter().find(|f| f.path == "_redirects").map(|f| f.role),
        Some(FileRole::Static)
    );
}

#[test]
fn every_page_has_the_url_jekyll_gives_it() {
    let Some(e) = eig_jekyll() else { return };
    let url = |path: &str| e.model.page(path).map(|p| p.url.clone()).unwrap_or_default();
    // `permalink: /blog/:year/:month/:day/:title.html`; 2-digit years as Jekyll reads them.
    assert_eq!(
        url("_posts/18-02-27-bootcamp-comment-souder-un-collectif-de-talents.md"),
        "/blog/2018/02/27/bootcamp-comment-souder-un-collectif-de-talents.html"
    );
    // A post's own permalink, case kept by `:title`.
    assert_eq!(
        url("en/_posts/18-05-29-pourquoi-devenir-EIG.md"),
        "/en/blog/2018/05/29/pourquoi-devenir-EIG.html"
    );
    // Collections: `permalink: /defis/:year/:title.html`, the year from the file name.
    assert_eq!(url("_defis/2017-01-01-afd-geodata.md"), "/defis/2017/afd-geodata.html");
    assert_eq!(
        url("_communaute/2017-01-01-etienne-david.md"),
        "/communaute/2017/etienne-david.html"
    );
    // Pages: the custom style ends in neither `/` nor `:output_ext`, so no extension.
    assert_eq!(url("accessibilite.html"), "/accessibilite");
    assert_eq!(url("blog/index.html"), "/blog/");
    assert_eq!(e.model.page("index.html").unwrap().kind, PageKind::Home);
    // No two published pages share a URL.
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for p in e.model.pages.iter().filter(|p| !p.draft) {
        if let Some(other) = seen.insert(&p.url, &p.path) {
            panic!("{} and {} share {}", other, p.path, p.url);
        }
    }
    // Dates as Jekyll reads them: from the file name, 2-digit years completed.
    let p = e.model.page("_posts/18-02-27-bootcamp-comment-souder-un-collectif-de-talents.md");
    assert_eq!(p.unwrap().date.as_deref(), Some("2018-02-27"));
}

#[test]
fn netlify_redirects_become_aliases_and_links_resolve_to_pages() {
    let Some(e) = eig_jekyll() else { return };
    // `_redirects`: `/defi/2017/09/26/balisenav/ /defis/2018/balisenav.html 301!`.
    let balisenav = e.model.page("_defis/2018-01-01-balisenav.md").unwrap();
    assert_eq!(balisenav.url, "/defis/2018/balisenav.html");
    assert!(balisenav.aliases.contains(&"/defi/2017/09/26/balisenav/".to_string()));
    // The redirect to a challenge the site does not have is reported at its line.
    assert!(e.model.problems.iter().any(|p| p.path == "_redirects"
        && p.line == 5
        && p.message.contains("/defis/2018/archemse.html")));
    // A post linking a challenge by the site's own absolute URL reaches its page.
    let post = e.model.page("_posts/19-05-20-session-perennisation-defis-eig-3.md").unwrap();
    let link = "https://entrepreneur-interet-general.etalab.gouv.fr/defis/2018/signauxfaibles.html";
    let r = post.references.iter().find(|r| r.raw == link).unwrap();
    assert_eq!(r.target, Target::Page { path: "_defis/2018-01-01-signauxfaibles.md".into() });
    // Local PDFs in `docs/` are documents of the site.
    assert!(e.model.documents.iter().filter(|d| d.local).count() >= 10);
}

#[test]
fn the_jekyll_archive_verifies() {
    let Some(e) = eig_jekyll() else { return };
    let report = verify(&e.zip);
    assert!(report.valid, "{:?}", report.findings);
}

#[test]
fn links_and_embeds_written_in_liquid_resolve_to_what_jekyll_renders() {
    let site = site(&[
        ("_config.yml", b"title: T\nbaseurl: /sub\nurl: https://example.org\npermalink: pretty\n"),
        ("about.md", b"---\ntitle: About\n---\nAbout\n"),
        ("docs/a.pdf", b"%PDF-1.4\n"),
        ("_posts/2019-01-01-first.md", b"---\ntitle: First\n---\nFirst\n"),
        (
            "_posts/2019-02-01-second.md",
            b"---\ntitle: Second\nimage: /img/none.png\n---\n[a]({{ site.baseurl }}/docs/a.pdf)\n[b]({% link about.md %})\n[c]({% post_url 2019-01-01-first %})\n[d]({{ '/docs/a.pdf' | relative_url }})\n[e]({{ page.image }})\n{% include youtube.html id=\"dQw4w9WgXcQ\" %}\n{% comment %}[x](/gone.pdf){% endcomment %}\n{% raw %}[y](/docs/a.pdf){% endraw %}\n",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let model = export(site.path(), &dir.path().join("s.zip"), carton::archive::Format::Zip);
    let second = model.page("_posts/2019-02-01-second.md").unwrap();
    assert_eq!(second.url, "/2019/02/01/second/");
    let targets: Vec<(&str, &Target)> =
        second.references.iter().map(|r| (r.raw.as_str(), &r.target)).collect();
    let pdf = Target::File { path: "docs/a.pdf".into() };
    let about = Target::Page { path: "about.md".into() };
    let first = Target::Page { path: "_posts/2019-01-01-first.md".into() };
    let body: Vec<(&str, &Target)> =
        targets.iter().filter(|(raw, _)| !raw.starts_with("/img")).cloned().collect();
    assert_eq!(body[0], ("{{ site.baseurl }}/docs/a.pdf", &pdf));
    assert_eq!(body[1], ("{% link about.md %}", &about));
    assert_eq!(body[2], ("{% post_url 2019-01-01-first %}", &first));
    assert_eq!(body[3], ("{{ '/docs/a.pdf' | relative_url }}", &pdf));
    assert!(matches!(body[4].1, Target::Video { .. }), "{body:?}");
    // Raw text is text: its link is a link. A comment's is not; `{{ page.image }}` is data.
    assert_eq!(body[5], ("/docs/a.pdf", &pdf));
    assert_eq!(body.len(), 6, "{body:?}");
    assert!(second.shortcodes.iter().any(|c| c.name == "include"));
    assert_eq!(model.videos.len(), 1);
}

/// The file a built site serves a URL from (`/a/` from `a/index.html`, `/a` from `a.html`).
fn served(public: &Path, url: &str) -> bool {
    let u = percent_encoding::percent_decode_str(url).decode_utf8_lossy().into_owned();
    let u = u.trim_start_matches('/');
    let last = u.rsplit('/').next().unwrap_or("");
    let file = if u.is_empty() || u.ends_with('/') {
        format!("{u}index.html")
    } else if last.contains('.') {
        u.to_string()
    } else {
        format!("{u}.html")
    };
    public.join(file).is_file()
}

#[test]
fn eig_jekyll_converts_to_hugo_and_every_old_url_answers() {
    let Some(e) = eig_jekyll() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eig-hugo");
    let run =
        carton().arg("import").arg(&e.zip).args(["--to", "hugo", "-o"]).arg(&out).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // Every source file once in the report; posts, challenges and people are Hugo pages
    // with the address Jekyll wrote them at.
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("704 in the archive, 704 accounted for"), "{report}");
    let post = std::fs::read_to_string(
        out.join("content/posts/bootcamp-comment-souder-un-collectif-de-talents.md"),
    )
    .unwrap();
    assert!(
        post.contains(
            "\nurl: /blog/2018/02/27/bootcamp-comment-souder-un-collectif-de-talents.html\n"
        ),
        "{post}"
    );
    assert!(post.contains("\ndate: 2018-02-27\n") && post.contains("\njekyll_layout: post\n"));
    let files = list_files(&out);
    assert_eq!(files.iter().filter(|f| f.starts_with("content/defis/")).count(), 71);
    assert_eq!(files.iter().filter(|f| f.starts_with("content/communaute/")).count(), 259);
    assert_eq!(files.iter().filter(|f| f.starts_with("content/posts/")).count(), 61);
    // The data file with a duplicate key, which Hugo refuses, is kept raw and reported.
    assert!(files.contains(&"_jekyll/_data/personnes.yml".to_string()));
    assert!(files.contains(&"data/defis.yml".to_string()));
    assert!(files.contains(&"static/_redirects".to_string()));
    // Built by Debian's Hugo and the current one, every old URL and alias answers.
    hugo_serves_every_old_url(&out, dir.path(), &e.model);
}

/// Builds a Hugo site with each Hugo there is (Debian's, and the current one in CI) and
/// checks that every URL and alias of the source's published pages is served.
fn hugo_serves_every_old_url(out: &Path, work: &Path, model: &Model) {
    let hugos: Vec<std::path::PathBuf> = tool("hugo").into_iter().chain(hugo_new()).collect();
    for (n, hugo) in hugos.iter().enumerate() {
        let public = work.join(format!("public-{n}"));
        let run = std::process::Command::new(hugo)
            .arg("--source")
            .arg(out)
            .arg("--destination")
            .arg(&public)
            .arg("--quiet")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}: {}",
            hugo.display(),
            String::from_utf8_lossy(&run.stderr)
        );
        let mut lost = Vec::new();
        for p in model.pages.iter().filter(|p| !p.draft) {
            for u in std::iter::once(&p.url).chain(&p.aliases) {
                if !served(&public, u) {
                    lost.push(format!("{} ({})", u, p.path));
                }
            }
        }
        assert!(lost.is_empty(), "{}: old URLs that lead nowhere: {lost:?}", hugo.display());
    }
}

#[test]
fn liquid_becomes_hugo_or_is_carried_verbatim_and_reported() {
    let site = site(&[
        ("_config.yml", b"title: T\nbaseurl: /sub\nurl: https://example.org\n"),
        ("docs/a.pdf", b"%PDF-1.4\n"),
        ("_drafts/idea.md", b"---\ntitle: Idea\n---\nSoon\n"),
        (
            "_posts/2019-02-01-second.md",
            b"---\ntitle: Second\npublished: false\ntags: a b\nredirect_from: /old/second/\n---\n[a]({{ site.baseurl }}/docs/a.pdf)\n{% include youtube.html id=\"dQw4w9WgXcQ\" %}\n{% raw %}{{ kept }}{% endraw %}\n{% highlight ruby %}\nputs 1\n{% endhighlight %}\n{% comment %}note{% endcomment %}\n{% for x in site.posts %}{{ x.title }}{% endfor %}\n",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hugo");
    let run = carton()
        .arg("convert")
        .arg(site.path())
        .args(["--to", "hugo", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page = std::fs::read_to_string(out.join("content/posts/second.md")).unwrap();
    for expected in [
        "draft: true\n",
        "tags:\n- a\n- b\n",
        "url: /2019/02/01/second.html\n",
        "aliases:\n- /old/second/\n",
        "[a](/docs/a.pdf)\n",
        "{{< youtube dQw4w9WgXcQ >}}\n",
        "{{ kept }}\n",
        "```ruby\nputs 1\n```\n",
        "<!--note-->\n",
        "{% for x in site.posts %}{{ x.title }}{% endfor %}\n",
    ] {
        assert!(page.contains(expected), "{expected:?} not in:\n{page}");
    }
    assert!(!page.contains("published"), "{page}");
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("`_posts/2019-02-01-second.md:14` for: Liquid"), "{report}");
    // The draft stays a draft.
    let idea = std::fs::read_to_string(out.join("content/posts/idea.md")).unwrap();
    assert!(idea.contains("draft: true\n"), "{idea}");
}

/// Front matter of a Markdown file, parsed.
fn front_matter(path: &Path) -> serde_yaml::Mapping {
    let text = std::fs::read_to_string(path).unwrap();
    let Some(rest) = text.strip_prefix("---\n") else { return serde_yaml::Mapping::new() };
    let Some(end) = rest.find("\n---\n") else { return serde_yaml::Mapping::new() };
    serde_yaml::from_str(&rest[..=end]).unwrap_or_default()
}

fn trimmed(v: Option<&serde_yaml::Value>) -> Option<&str> {
    v.and_then(|v| v.as_str()).map(str::trim)
}

#[test]
fn the_eig_mapping_redoes_the_teams_migration_of_the_challenge_pages() {
    let Some(e) = eig_jekyll() else { return };
    let Some(hugo_site) = corpus("eig-hugo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("eig-hugo");
    let mapping = root().join("mappings/eig-jekyll-to-hugo.yaml");
    let run = carton()
        .arg("import")
        .arg(&e.zip)
        .args(["--to", "hugo", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("71 page(s) joined with 71 of its 71 records"), "{report}");
    // The team's pages and carton's, matched by title.
    let by_title = |dir: &Path| -> BTreeMap<String, serde_yaml::Mapping> {
        list_files(dir)
            .iter()
            .filter(|f| f.ends_with(".md") && !f.ends_with("_index.md"))
            .map(|f| front_matter(&dir.join(f)))
            .filter_map(|fm| {
                let t = fm.get("title")?.as_str()?.trim().to_lowercase();
                Some((t, fm))
            })
            .collect()
    };
    let ours = by_title(&out.join("content/defis"));
    let theirs = by_title(&hugo_site.join("content/defis"));
    assert_eq!(ours.len(), 71);
    let common: Vec<&String> = ours.keys().filter(|t| theirs.contains_key(*t)).collect();
    let set = |v: Option<&serde_yaml::Value>| -> Option<std::collections::BTreeSet<String>> {
        v?.as_sequence()
            .map(|s| s.iter().filter_map(|x| x.as_str().map(|x| x.trim().to_string())).collect())
    };
    let mut shares = BTreeMap::new();
    for field in ["description", "who", "promos", "expertises"] {
        let key = serde_yaml::Value::from(field);
        let equal = common.iter().filter(|t| ours[**t].get(&key) == theirs[**t].get(&key)).count();
        let as_sets = common
            .iter()
            .filter(|t| match (set(ours[**t].get(&key)), set(theirs[**t].get(&key))) {
                (Some(a), Some(b)) => a == b,
                _ => trimmed(ours[**t].get(&key)) == trimmed(theirs[**t].get(&key)),
            })
            .count();
        eprintln!(
            "{field}: {equal} of {} equal ({}%), {as_sets} ({}%) ignoring order and surrounding spaces",
            common.len(),
            100 * equal / common.len(),
            100 * as_sets / common.len()
        );
        shares.insert(field, 100 * as_sets / common.len());
    }
    // Measured on the corpus (54 challenges share a title): description 100%, who 96%
    // once spaces are ignored, promos 100%, expertises 70% as sets; the rest are the
    // team's own edits (an administration renamed, expertises changed by hand).
    assert!(common.len() >= 50, "{} challenges matched by title", common.len());
    assert!(shares["description"] >= 95 && shares["promos"] >= 95, "{shares:?}");
    assert!(shares["who"] >= 90 && shares["expertises"] >= 60, "{shares:?}");
    // And the site builds, every old URL of a post, challenge or person answering.
    assert!(out.join("content/blog").is_dir() && out.join("content/personnes").is_dir());
    hugo_serves_every_old_url(&out, dir.path(), &e.model);
}

#[test]
fn joins_bring_records_into_pages_and_report_what_matched_nothing() {
    let site = site(&[
        ("_config.yml", b"title: T\ncollections:\n  team:\n    output: true\n"),
        ("_team/ada.md", b"---\ntitle: Ada\nrole: own\n---\nAda\n"),
        ("_team/bob.md", b"---\ntitle: Bob\n---\nBob\n"),
        ("_data/people.yml", b"- {name: ada, role: engineer, level: 4}\n- {name: Bob, role: designer, level: 2}\n- {name: eve, role: spy, level: 9}\n"),
        ("_data/teams.csv", b"who,team\nAda,\"core, web\"\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("s.zip");
    export(site.path(), &zip, carton::archive::Format::Zip);
    let mapping = dir.path().join("m.yaml");
    std::fs::write(
        &mapping,
        "carton-mapping: 1\nfrom: jekyll\nto: hugo\njoins:\n  - data: _data/people.yml\n    on: title\n    key: name\n  - data: _data/teams.csv\n    on: title\n    key: who\nfields:\n  rename:\n    level: grade\n  values:\n    grade:\n      \"4\": senior\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let run = carton()
        .arg("import")
        .arg(&zip)
        .args(["--to", "hugo", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let ada = std::fs::read_to_string(out.join("content/team/ada.md")).unwrap();
    // Matched without regard to case; the page's own `role` wins; joined fields go through
    // the rules (renamed, value mapped).
    assert!(ada.contains("role: own\n") && ada.contains("grade: senior\n"), "{ada}");
    // A CSV data file, read as Jekyll reads it (a header row, then records).
    assert!(ada.contains("team: core, web\n"), "{ada}");
    let bob = std::fs::read_to_string(out.join("content/team/bob.md")).unwrap();
    assert!(bob.contains("role: designer\n") && bob.contains("grade: 2\n"), "{bob}");
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("2 page(s) joined with 2 of its 3 records"), "{report}");
    assert!(report.contains("`_data/people.yml` #3: this record matches no page"), "{report}");
    // A join on a data file the site does not have is an error at its line; nothing written.
    std::fs::write(&mapping, "carton-mapping: 1\nfrom: jekyll\nto: hugo\njoins:\n  - data: _data/nope.yml\n    on: title\n    key: name\n").unwrap();
    let out2 = dir.path().join("out2");
    let run = carton()
        .arg("import")
        .arg(&zip)
        .args(["--to", "hugo", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&out2)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(
        !run.status.success() && err.contains("m.yaml:5") && err.contains("_data/nope.yml"),
        "{err}"
    );
    assert!(!out2.exists());
    // `on` must be something of the page.
    std::fs::write(&mapping, "carton-mapping: 1\nfrom: jekyll\nto: hugo\njoins:\n  - data: _data/people.yml\n    on: colour\n    key: name\n").unwrap();
    let run = carton()
        .arg("import")
        .arg(&zip)
        .args(["--to", "hugo", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&out2)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success() && err.contains("m.yaml:5") && err.contains("colour"), "{err}");
}

#[test]
fn a_jekyll_archive_comes_back_as_the_same_tree_and_a_mapping_edits_only_its_spans() {
    let Some(e) = eig_jekyll() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("same");
    let run = carton()
        .arg("import")
        .arg(&e.zip)
        .args(["--to", "jekyll", "--report", "-", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // `diff -r`: every file, byte for byte.
    let files = written_files(&out);
    assert_eq!(files, list_files(&e.site));
    for f in &files {
        assert!(
            std::fs::read(out.join(f)).unwrap() == std::fs::read(e.site.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // A renaming mapping changes the spans it names and nothing else.
    let mapping = dir.path().join("m.yaml");
    std::fs::write(
        &mapping,
        "carton-mapping: 1\nfrom: jekyll\nto: jekyll\nfields:\n  rename:\n    author: auteur\n",
    )
    .unwrap();
    let renamed = dir.path().join("renamed");
    let run = carton()
        .arg("import")
        .arg(&e.zip)
        .args(["--to", "jekyll", "--report", "-", "--mapping"])
        .arg(&mapping)
        .arg("-o")
        .arg(&renamed)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let f = "_posts/18-02-27-bootcamp-comment-souder-un-collectif-de-talents.md";
    let before = std::fs::read_to_string(e.site.join(f)).unwrap();
    let after = std::fs::read_to_string(renamed.join(f)).unwrap();
    assert!(before.contains("\nauthor: "));
    assert_eq!(after, before.replacen("\nauthor: ", "\nauteur: ", 1));
    let unchanged = "_defis/2017-01-01-afd-geodata.md";
    assert_eq!(
        std::fs::read(renamed.join(unchanged)).unwrap(),
        std::fs::read(e.site.join(unchanged)).unwrap()
    );
}

#[test]
fn a_jekyll_site_s_cms_config_comes_back_unchanged_into_jekyll_and_translated_into_zola() {
    let config = b"media_folder: img/uploads # uploads\npublic_folder: /img/uploads\ncollections:\n  - name: posts\n    folder: _posts\n    create: true\n    fields:\n      - { name: title, widget: string }\n      - { name: layout, widget: hidden, default: post }\n      - { name: tags, widget: list }\n      - { name: body, widget: markdown }\n";
    let site = site(&[
        ("_config.yml", b"title: T\n"),
        ("admin/config.yml", config),
        ("img/uploads/a.png", b"png"),
        ("_posts/2019-01-01-a.md", b"---\ntitle: A\nlayout: post\ntags: [x]\n---\nA\n"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("s.zip");
    let model = export(site.path(), &zip, carton::archive::Format::Zip);
    assert!(model.schema.is_some(), "the Decap config is read");
    let same = dir.path().join("same");
    let run = carton()
        .arg("import")
        .arg(&zip)
        .args(["--to", "jekyll", "-o"])
        .arg(&same)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(std::fs::read(same.join("admin/config.yml")).unwrap(), config);
    let zola = dir.path().join("zola");
    let run =
        carton().arg("import").arg(&zip).args(["--to", "zola", "-o"]).arg(&zola).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(zola.join("static/admin/config.yml")).unwrap();
    assert!(text.contains("folder: content/posts") && text.contains("toml-frontmatter"), "{text}");
    assert!(text.contains("media_folder: static/img/uploads # uploads"), "{text}");
}
