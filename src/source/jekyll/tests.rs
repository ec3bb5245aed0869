//! Tests of the Jekyll reader: configuration, which files Jekyll publishes, and the URL it
//! gives each one, checked against Jekyll's documented rules.

use super::*;

fn config(yaml: &str) -> Config {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("_config.yml"), yaml).unwrap();
    load_config(dir.path(), Path::new("_config.yml"), &[]).unwrap()
}

fn url(c: &Config, rel: &str, kind: &Kind, fm: &str) -> String {
    let data: Map<String, Value> =
        if fm.is_empty() { Map::new() } else { serde_yaml::from_str(fm).unwrap() };
    page_url(c, rel, kind, &data, None).unwrap().0
}

fn post() -> Kind {
    Kind::Post { draft: false, categories: Vec::new() }
}

#[test]
fn slugs_follow_jekylls_default_and_pretty_modes() {
    assert_eq!(slugify("Hello, World!", false, false), "hello-world");
    assert_eq!(slugify("Hello, World!", true, true), "Hello,-World!");
    assert_eq!(slugify("Élève à l'école", false, false), "élève-à-l-école");
    assert_eq!(slugify("pourquoi-devenir-EIG", true, true), "pourquoi-devenir-EIG");
    assert_eq!(slugify("--a  b--", false, false), "a-b");
}

#[test]
fn two_digit_years_are_completed_as_ruby_does() {
    assert_eq!(full_year("18"), Some(2018));
    assert_eq!(full_year("68"), Some(2068));
    assert_eq!(full_year("69"), Some(1969));
    assert_eq!(full_year("2019"), Some(2019));
    assert_eq!(full_year("201"), None);
    assert_eq!(
        When::from_name("18-02-27-bootcamp.md").map(|w| w.text()).as_deref(),
        Some("2018-02-27")
    );
    assert_eq!(When::from_name("2019-02-30-nope.md"), None);
    assert_eq!(When::from_name("notes.md"), None);
}

#[test]
fn post_urls_follow_the_permalink_style() {
    let rel = "_posts/2019-04-12-Hello-World.md";
    let c = config("title: x\n");
    assert_eq!(url(&c, rel, &post(), ""), "/2019/04/12/Hello-World.html");
    let cats = Kind::Post { draft: false, categories: vec!["en".into()] };
    assert_eq!(
        url(&c, "en/_posts/2019-04-12-hi.md", &cats, "categories: News Tech\n"),
        "/en/news/tech/2019/04/12/hi.html"
    );
    let c = config("permalink: pretty\n");
    assert_eq!(url(&c, rel, &post(), ""), "/2019/04/12/Hello-World/");
    let c = config("permalink: /blog/:year/:month/:day/:title.html\n");
    assert_eq!(
        url(&c, "_posts/18-02-27-bootcamp.md", &post(), ""),
        "/blog/2018/02/27/bootcamp.html"
    );
    // The front matter date wins over the file name's; `slug` names the page.
    assert_eq!(
        url(&c, rel, &post(), "date: 2020-01-02 10:00:00 +0100\nslug: autre\n"),
        "/blog/2020/01/02/autre.html"
    );
    // A front matter permalink with placeholders.
    assert_eq!(url(&c, rel, &post(), "permalink: /en/:year/:title/\n"), "/en/2019/Hello-World/");
    let c = config("permalink: /:categories/:short_year/:i_month/:i_day/:slug:output_ext\n");
    assert_eq!(url(&c, rel, &post(), ""), "/19/4/12/hello-world.html");
}

#[test]
fn page_urls_follow_jekylls_templates() {
    let c = config("permalink: /blog/:year/:title.html\n");
    // A custom style that ends neither in `/` nor `:output_ext`: no extension.
    assert_eq!(url(&c, "about.html", &Kind::Page, ""), "/about");
    assert_eq!(url(&c, "blog/index.html", &Kind::Page, ""), "/blog/");
    assert_eq!(url(&c, "feed.xml", &Kind::Page, ""), "/feed.xml");
    assert_eq!(url(&c, "css/site.scss", &Kind::Page, ""), "/css/site.css");
    let c = config("title: x\n");
    assert_eq!(url(&c, "docs/guide.md", &Kind::Page, ""), "/docs/guide.html");
    let c = config("permalink: pretty\n");
    assert_eq!(url(&c, "docs/guide.md", &Kind::Page, ""), "/docs/guide/");
    assert_eq!(url(&c, "docs/guide.md", &Kind::Page, "permalink: /guide/\n"), "/guide/");
    // Unicode is percent-encoded, as Jekyll writes URLs.
    assert_eq!(url(&c, "défis.md", &Kind::Page, ""), "/d%C3%A9fis/");
}

#[test]
fn collection_documents_use_their_collection_permalink() {
    let c = config(
        "collections:\n  defis:\n    output: true\n    permalink: /defis/:year/:title.html\n  notes:\n    output: true\n",
    );
    let defi = Kind::Document { label: "defis".into() };
    assert_eq!(
        url(&c, "_defis/2017-01-01-afd-geodata.md", &defi, ""),
        "/defis/2017/afd-geodata.html"
    );
    let note = Kind::Document { label: "notes".into() };
    assert_eq!(url(&c, "_notes/sub/a.md", &note, ""), "/notes/sub/a.html");
    let c = config("collections: [notes]\npermalink: pretty\n");
    assert_eq!(url(&c, "_notes/a.md", &note, ""), "/notes/a/");
}

#[test]
fn unknown_placeholders_are_reported_not_guessed() {
    let c = config("permalink: /:nope/:title.html\n");
    let err = page_url(&c, "_posts/2019-01-01-a.md", &post(), &Map::new(), None).unwrap_err();
    assert!(err.contains(":nope"), "{err}");
}

#[test]
fn files_are_published_as_jekylls_reader_decides() {
    let c = config(
        "collections:\n  defis:\n    output: true\ninclude: [_redirects]\nexclude: [docs/private, '*.sh']\n",
    );
    let k = |rel: &str, fm: bool| classify(&c, rel, fm);
    assert_eq!(k("index.html", true), Kind::Page);
    assert_eq!(k("img/a.png", false), Kind::Static);
    assert_eq!(k("_redirects", false), Kind::Static);
    assert!(matches!(k("_data/defis.yml", false), Kind::Input(_)));
    assert!(matches!(k("_layouts/default.html", true), Kind::Input(_)));
    assert!(matches!(k(".github/workflows/ci.yml", false), Kind::Input(_)));
    assert!(matches!(k("docs/private/x.pdf", false), Kind::Input(_)));
    assert!(matches!(k("build.sh", false), Kind::Input(_)));
    assert!(matches!(k("Gemfile", false), Kind::Input(_)));
    assert!(matches!(k("Dockerfile", false), Kind::Input(_)));
    assert!(matches!(k("Makefile", false), Kind::Input(_)));
    assert!(matches!(k("site.gemspec", false), Kind::Input(_)));
    assert_eq!(k("docs/Makefile", false), Kind::Static);
    assert!(matches!(k("notes.md~", false), Kind::Input(_)));
    assert_eq!(k("_defis/2017-01-01-a.md", true), Kind::Document { label: "defis".into() });
    assert_eq!(k("_defis/a.pdf", false), Kind::Static);
    assert_eq!(k("_posts/2019-01-01-a.md", false), post());
    assert_eq!(
        k("en/_posts/18-05-23-a.md", true),
        Kind::Post { draft: false, categories: vec!["en".into()] }
    );
    assert_eq!(k("_drafts/idea.md", true), Kind::Post { draft: true, categories: vec![] });
    assert!(matches!(k("_posts/_18-02-13-exemple.md", true), Kind::Input(_)));
    assert!(matches!(k("_posts/notes.md", true), Kind::Input(_)));
    assert!(matches!(k("_private/posts.md", true), Kind::Input(_)));
}

#[test]
fn globs_match_within_one_folder() {
    assert!(glob_match("*.sh", "build.sh"));
    assert!(!glob_match("*.sh", "a/build.sh"));
    assert!(glob_match("a/*/c", "a/b/c"));
    assert!(glob_match("a?c", "abc"));
    assert!(!glob_match("a?c", "a/c"));
    assert!(matches_entry("vendor/bundle/x.rb", "vendor/bundle/"));
    assert!(!matches_entry("vendorx", "vendor"));
}

#[test]
fn front_matter_defaults_apply_by_path_and_type_under_the_page_s_own() {
    let c = config(
        "defaults:\n  - scope: {path: ''}\n    values: {layout: page, locale: fr}\n  - scope: {path: en}\n    values: {locale: en}\n  - scope: {path: '', type: posts}\n    values: {layout: post}\n",
    );
    let own: Map<String, Value> = serde_yaml::from_str("title: T\n").unwrap();
    let e = effective(&c, "en/_posts/2019-01-01-a.md", "posts", &own);
    assert_eq!((e["layout"].as_str(), e["locale"].as_str()), (Some("post"), Some("en")));
    let own: Map<String, Value> = serde_yaml::from_str("layout: home\n").unwrap();
    let e = effective(&c, "index.html", "pages", &own);
    assert_eq!((e["layout"].as_str(), e["locale"].as_str()), (Some("home"), Some("fr")));
}

#[test]
fn future_posts_are_reported_when_the_site_holds_them_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("_posts")).unwrap();
    std::fs::write(dir.path().join("_config.yml"), "title: x\n").unwrap();
    std::fs::write(dir.path().join("_posts/2999-01-01-later.md"), "---\ntitle: Later\n---\n")
        .unwrap();
    std::fs::write(dir.path().join("_posts/2001-01-01-past.md"), "---\ntitle: Past\n---\n")
        .unwrap();
    let read = |config: &str| {
        std::fs::write(dir.path().join("_config.yml"), config).unwrap();
        let site = read(dir.path(), &ReadOptions::default(), Path::new("_config.yml")).unwrap();
        site.model
            .problems
            .iter()
            .filter(|p| p.code == "future")
            .map(|p| p.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(read("title: x\n"), ["_posts/2999-01-01-later.md"]);
    assert!(read("future: true\n").is_empty());
}
