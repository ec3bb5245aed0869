//! Tests of the Decap CMS translation, on small configurations and on the corpus's.

use super::*;

const CORPUS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus/eig-hugo/static/admin/config.yml");

/// The corpus config, or `None` (with a visible message) when the corpus is absent.
fn corpus() -> Option<String> {
    let text = std::fs::read_to_string(CORPUS).ok();
    if text.is_none() {
        eprintln!("SKIPPED: corpus config not found at ../shared/corpus/eig-hugo");
    }
    text
}

/// Jekyll as the target places the corpus: sections become collections, `blog` the
/// posts, static files the site root; home and section pages `index.md`.
fn jekyll_folder(p: &str) -> Option<String> {
    match p {
        "content/blog" => Some("_posts".into()),
        "content" => Some(String::new()),
        _ => p
            .strip_prefix("content/")
            .map(|s| format!("_{s}"))
            .or_else(|| p.strip_prefix("static/").map(str::to_string)),
    }
}

fn jekyll_file(p: &str) -> Option<String> {
    let rel = p.strip_prefix("content/")?;
    Some(match rel.rsplit_once('/') {
        _ if rel == "_index.md" => "index.md".into(),
        Some((dir, "_index.md")) => format!("{dir}/index.md"),
        Some(_) => format!("_{rel}"),
        None => rel.into(),
    })
}

/// Zola keeps Hugo's `content/`, `static/` and `data/`.
fn same(p: &str) -> Option<String> {
    ["content", "static", "data"].iter().any(|d| p.starts_with(d)).then(|| p.to_string())
}

type PathMap = dyn Fn(&str) -> Option<String>;

/// The `folder` and `file` answers of a target, for the corpus.
fn maps(to: Format) -> (&'static PathMap, &'static PathMap) {
    match to {
        Format::Jekyll => (&jekyll_folder, &jekyll_file),
        _ => (&same, &same),
    }
}

fn run(text: &str, to: Format, fields: Option<&Fields>, tax: &[&str]) -> (String, Vec<Note>) {
    let taxonomies: Vec<String> = tax.iter().map(|s| s.to_string()).collect();
    let (folder, file) = maps(to);
    let t = Translate { to, folder, file, fields, taxonomies: &taxonomies };
    translate(text, "static/admin/config.yml", &t).unwrap()
}

fn parsed(text: &str) -> Value {
    serde_yaml::from_str(text).expect("the output is YAML")
}

/// The `name`s of a fields list.
fn names(fields: &Value) -> Vec<&str> {
    fields.as_sequence().unwrap().iter().map(|f| str_at(f, "name").unwrap()).collect()
}

fn field<'v>(fields: &'v Value, name: &str) -> &'v Value {
    let all = fields.as_sequence().unwrap();
    all.iter().find(|f| str_at(f, "name") == Some(name)).unwrap()
}

fn collection<'v>(doc: &'v Value, name: &str) -> &'v Value {
    let all = doc["collections"].as_sequence().unwrap();
    all.iter().find(|c| str_at(c, "name") == Some(name)).unwrap()
}

fn rules(rename: &[(&str, &str)], drop: &[&str]) -> Fields {
    let mut f = Fields::default();
    for (a, b) in rename {
        f.rename.insert((*a).into(), (*b).into());
    }
    f.drop = drop.iter().map(|d| d.to_string()).collect();
    f
}

const TAXONOMIES: &[&str] = &["themes", "promos", "expertises", "categories"];

const SMALL: &str = r#"# The CMS of the site
media_folder: "site/static/img" # uploads
public_folder: "img"
collections:
  - name: "defis" # routes
    label: "Défis"
    folder: "site/content/defis"
    filter: { field: "isSET", value: false }
    summary: "{{title}} ({{ fields.who | upper }}, {{slug}})"
    sortable_fields: ["who", { field: "date", default_sort: desc }]
    fields:
      - { label: "Titre", name: "title", widget: "string" }
      # who runs it
      - { label: "Administration", name: "who", widget: "string" }
      - label: "Startup d'état"
        name: isSET
        widget: boolean
      - {label: Thèmes, name: themes, widget: relation, collection: themes, value_field: title, search_fields: [title]}
      - { label: "Contenu", name: "body", widget: "markdown" }
  - name: "personnes"
    label: 'Personnes'
    folder: "site/content/personnes"
    fields:
      - { label: "Nom", name: "title", widget: "string" }
      - label: Défis
        name: defis
        widget: relation
        collection: defis
        value_field: "{{fields.who}}-{{slug}}"
        search_fields: ["who", "title"]
        display_fields: ['who']
"#;

#[test]
fn hugo_without_rules_is_the_identity() {
    let (out, notes) = run(SMALL, Format::Hugo, None, &[]);
    assert_eq!(out, SMALL);
    assert!(notes.is_empty(), "{notes:?}");
    let Some(text) = corpus() else { return };
    let (out, notes) = run(&text, Format::Hugo, None, &[]);
    assert_eq!(out, text);
    assert!(notes.is_empty(), "{notes:?}");
    // Rules that touch no field of this config change nothing either.
    let (out, _) = run(&text, Format::Hugo, Some(&rules(&[("nope", "x")], &["gone"])), &[]);
    assert_eq!(out, text);
}

#[test]
fn hugo_renames_and_drops_follow_every_reference() {
    let r = rules(&[("who", "administration")], &["isSET"]);
    let (out, notes) = run(SMALL, Format::Hugo, Some(&r), &[]);
    let expected = SMALL
        .replace(r#"name: "who""#, r#"name: "administration""#)
        .replace("fields.who |", "fields.administration |")
        .replace(r#"["who", { field"#, r#"["administration", { field"#)
        .replace("{{fields.who}}", "{{fields.administration}}")
        .replace(r#"["who", "title"]"#, r#"["administration", "title"]"#)
        .replace("['who']", "['administration']")
        .replace("    filter: { field: \"isSET\", value: false }\n", "")
        .replace(
            "      - label: \"Startup d'état\"\n        name: isSET\n        widget: boolean\n",
            "",
        );
    assert_eq!(out, expected);
    let subjects: Vec<&str> = notes.iter().map(|n| n.subject.as_str()).collect();
    assert_eq!(subjects, ["isSET", "filter"], "{notes:#?}");
    assert_eq!((notes[0].line, notes[1].line), (15, 8), "{notes:#?}");
    assert!(notes[1].message.contains("dropped by the mapping"), "{}", notes[1].message);
}

#[test]
fn jekyll_gets_its_folders_and_dated_posts_on_the_corpus() {
    let Some(text) = corpus() else { return };
    let (out, notes) = run(&text, Format::Jekyll, None, &[]);
    let doc = parsed(&out);
    assert_eq!(doc["media_folder"], "site/img");
    assert_eq!(doc["public_folder"], "img");
    assert_eq!(collection(&doc, "defis")["folder"], "site/_defis");
    assert_eq!(collection(&doc, "personnes")["folder"], "site/_personnes");
    let articles = collection(&doc, "articles");
    assert_eq!(articles["folder"], "site/_posts");
    assert_eq!(articles["slug"], "{{year}}-{{month}}-{{day}}-{{slug}}");
    assert!(collection(&doc, "defis").get("slug").is_none());
    let files = collection(&doc, "pages")["files"].as_sequence().unwrap();
    let file_of = |name: &str| {
        files.iter().find(|f| str_at(f, "name") == Some(name)).and_then(|f| str_at(f, "file"))
    };
    assert_eq!(file_of("home"), Some("site/index.md"));
    assert_eq!(file_of("impact"), Some("site/defis/index.md"));
    assert_eq!(file_of("cgu"), Some("site/cgu.md"));
    assert_eq!(file_of("proposer"), Some("site/_participer/administrations/proposer.md"));
    // Front matter stays YAML: no format is set.
    assert!(out.lines().all(|l| !l.trim_start().starts_with("format:")));
    // Every other line is as written: one slug line added, path lines changed in place.
    let added = "      slug: \"{{year}}-{{month}}-{{day}}-{{slug}}\"";
    let lines: Vec<&str> = out.lines().filter(|l| *l != added).collect();
    assert_eq!(lines.len(), text.lines().count());
    for (a, b) in text.lines().zip(&lines) {
        if a != *b {
            let key = a.split(':').next().unwrap();
            assert!(["media_folder", "      folder", "          - file"].contains(&key), "{a}");
            assert!(b.starts_with(&format!("{key}: \"site/")), "{b}");
            assert_eq!(a.split_once(" # ").map(|c| c.1), b.split_once(" # ").map(|c| c.1));
        }
    }
    // The media folder, 7 folders and 20 files (grep -c 'folder: "site\|file: "site').
    assert_eq!(text.lines().zip(&lines).filter(|(a, b)| a != *b).count(), 28);
    let slug_note = notes.iter().find(|n| n.subject == "slug").expect("slug noted");
    // The slug it lacked is noted at its collection.
    assert_eq!(slug_note.line, 73);
}

#[test]
fn jekyll_posts_reserved_keys_and_front_matter_format() {
    let text = "collections:\r\n  - name: blog\r\n    folder: content/blog\r\n    format: toml-frontmatter\r\n    slug: '{{slug}}'\r\n    fields:\r\n      - {name: title, widget: string}\r\n      - {name: layout, widget: hidden, default: post}\r\n      - {name: url, widget: string}\r\n      - {name: draft, widget: boolean}\r\n";
    let (out, notes) = run(text, Format::Jekyll, None, &[]);
    assert_eq!(
        out,
        "collections:\r\n  - name: blog\r\n    folder: _posts\r\n    format: yaml-frontmatter\r\n    slug: '{{year}}-{{month}}-{{day}}-{{slug}}'\r\n    fields:\r\n      - {name: title, widget: string}\r\n      - {name: hugo_layout, widget: hidden, default: post}\r\n      - {name: draft, widget: boolean}\r\n"
    );
    let subjects: Vec<&str> = notes.iter().map(|n| n.subject.as_str()).collect();
    assert_eq!(subjects, ["format", "layout", "url", "draft", "slug"], "{notes:#?}");
}

#[test]
fn zola_gets_toml_and_extra_and_taxonomies_on_the_corpus() {
    let Some(text) = corpus() else { return };
    let (out, notes) = run(&text, Format::Zola, None, TAXONOMIES);
    let doc = parsed(&out);
    let source = parsed(&text);
    for c in doc["collections"].as_sequence().unwrap() {
        assert_eq!(c["format"], "toml-frontmatter", "{c:?}");
    }
    // Folders and files stay where they were: Zola keeps content/ and static/.
    assert_eq!(doc["media_folder"], "site/static/img");
    assert_eq!(collection(&doc, "defis")["folder"], "site/content/defis");
    let defis = &collection(&doc, "defis")["fields"];
    assert_eq!(names(defis), ["title", "description", "extra", "taxonomies", "date", "body"]);
    assert_eq!(
        names(&field(defis, "extra")["fields"]),
        ["who", "place", "town", "image", "ogImage", "visible", "isSET", "urlSET"]
    );
    assert_eq!(names(&field(defis, "taxonomies")["fields"]), ["themes", "promos", "expertises"]);
    assert_eq!(field(defis, "extra")["widget"], "object");
    // The moved fields are the source's, unchanged.
    let src = &collection(&source, "defis")["fields"];
    assert_eq!(field(&field(defis, "taxonomies")["fields"], "themes"), field(src, "themes"));
    let articles = &collection(&doc, "articles")["fields"];
    assert_eq!(names(articles), ["title", "extra", "date", "description", "taxonomies", "body"]);
    assert_eq!(names(&field(articles, "taxonomies")["fields"]), ["categories"]);
    // Decap filters on top-level keys only: `visible` is under `extra` now.
    assert!(collection(&doc, "defis").get("filter").is_none());
    let filters: Vec<usize> =
        notes.iter().filter(|n| n.subject == "filter").map(|n| n.line).collect();
    assert_eq!(filters, [17, 78]);
    assert_eq!(notes.len(), 2, "{notes:#?}");
    // Sections keep their section keys only, and have no taxonomies.
    let files = collection(&doc, "pages")["files"].as_sequence().unwrap();
    let fields_of =
        |name: &str| &files.iter().find(|f| str_at(f, "name") == Some(name)).unwrap()["fields"];
    assert_eq!(names(fields_of("impact")), ["title", "extra"]);
    assert_eq!(names(&field(fields_of("impact"), "extra")["fields"]), ["desc"]);
    assert_eq!(names(fields_of("home")), ["extra"]);
    assert_eq!(names(fields_of("cgu")), ["title", "body"]);
    // Comments are kept, each as often as it was written.
    for comment in text.lines().filter_map(|l| l.split_once(" # ").map(|c| c.1)) {
        assert_eq!(out.matches(comment).count(), text.matches(comment).count(), "{comment}");
    }
    assert!(notes.iter().all(|n| n.subject != "Decap CMS configuration"));
}

#[test]
fn zola_moves_fields_in_flow_lists_and_follows_them_in_references() {
    let text = "collections:\n  - {name: posts, label: Posts, folder: content/posts, format: yaml-frontmatter, frontmatter_delimiter: '---', summary: '{{fields.who}}: {{title}}', fields: [{name: title}, {name: who, required: false}, {name: lastmod, widget: datetime}, {name: url}, {name: tags, widget: list}, {name: slug}]}\n  - name: people\n    folder: content/people\n    fields:\n      - {name: title}\n      - {name: posts, widget: relation, collection: posts, value_field: who, search_fields: [who, title, tags]}\n  - name: data\n    files:\n      - {name: menu, file: data/menu.yml, fields: [{name: who}]}\n";
    let (out, notes) = run(text, Format::Zola, None, &["tags"]);
    let doc = parsed(&out);
    let posts = collection(&doc, "posts");
    assert_eq!(posts["format"], "toml-frontmatter");
    assert!(posts.get("frontmatter_delimiter").is_none());
    assert_eq!(posts["summary"], "{{fields.extra.who}}: {{title}}");
    assert_eq!(names(&posts["fields"]), ["title", "extra", "updated", "taxonomies"]);
    let extra = field(&posts["fields"], "extra");
    assert_eq!(names(&extra["fields"]), ["who", "hugo_url", "slug"]);
    assert!(extra.get("required").is_none(), "`url` and `slug` are required");
    let people = collection(&doc, "people");
    assert_eq!(people["format"], "toml-frontmatter");
    assert_eq!(names(&people["fields"]), ["title", "extra"]);
    let rel = field(&field(&people["fields"], "extra")["fields"], "posts");
    assert_eq!(rel["value_field"], "extra.who");
    assert_eq!(rel["search_fields"], parsed("[extra.who, title, taxonomies.tags]"), "{out}");
    // A data file is no front matter: left alone, and no format.
    let data = collection(&doc, "data");
    assert!(data.get("format").is_none());
    assert_eq!(names(&data["files"][0]["fields"]), ["who"]);
    // The flow list stays a flow list, on its line.
    assert!(out.lines().nth(1).unwrap().contains("fields: [{name: title}, {label: Extra, name: extra, widget: object, fields: [{name: who, required: false}, {name: hugo_url}, {name: slug}]}"), "{out}");
    assert_eq!(
        notes.iter().map(|n| n.subject.as_str()).collect::<Vec<_>>(),
        ["frontmatter_delimiter"]
    );
}

#[test]
fn field_rules_on_the_corpus_are_edited_in_place_for_every_target() {
    let Some(text) = corpus() else { return };
    let r = rules(&[("who", "administration"), ("title", "name")], &["isSET"]);
    for to in [Format::Hugo, Format::Jekyll, Format::Zola] {
        let (out, notes) = run(&text, to, Some(&r), TAXONOMIES);
        assert!(notes.iter().all(|n| n.subject != "Decap CMS configuration"), "{notes:#?}");
        let doc = parsed(&out);
        let defis = collection(&doc, "defis");
        let (extra, name) = match to {
            Format::Zola => ("extra.", "extra.name"),
            _ => ("", "name"),
        };
        // Decap names new entries after `title`: it must be told where it went.
        assert_eq!(defis["identifier_field"], name, "{to:?}");
        assert!(!out.contains("isSET"), "{to:?}");
        let fields = match to {
            Format::Zola => &field(&defis["fields"], "extra")["fields"],
            _ => &defis["fields"],
        };
        assert!(names(fields).contains(&"administration"), "{to:?}");
        // Every relation to a collection whose `title` moved follows it.
        let personnes = &collection(&doc, "personnes")["fields"];
        let rel = match to {
            Format::Zola => field(&field(personnes, "extra")["fields"], "defis"),
            _ => field(personnes, "defis"),
        };
        assert_eq!(rel["value_field"], format!("{extra}name"), "{to:?}");
        assert_eq!(rel["search_fields"][0], format!("{extra}name"), "{to:?}");
        assert_eq!(text.matches("value_field").count(), out.matches("value_field").count());
        assert!(!out.contains("value_field: \"title\""), "{to:?}");
    }
}

#[test]
fn value_rules_follow_select_options_and_defaults() {
    let mut r = rules(&[("kind", "type")], &[]);
    let mut m = indexmap::IndexMap::new();
    m.insert("Développement".to_string(), serde_json::Value::String("Dev".into()));
    r.values.insert("type".into(), m);
    let text = "collections:\n  - name: a\n    folder: content/a\n    fields:\n      - name: kind\n        widget: select\n        default: \"Développement\"\n        options: [Design, \"Développement\", {label: D, value: 'Développement'}]\n";
    let (out, _) = run(text, Format::Hugo, Some(&r), &[]);
    assert_eq!(
        out,
        "collections:\n  - name: a\n    folder: content/a\n    fields:\n      - name: type\n        widget: select\n        default: \"Dev\"\n        options: [Design, \"Dev\", {label: D, value: 'Dev'}]\n"
    );
}

#[test]
fn what_cannot_be_edited_in_place_is_written_afresh() {
    // An alias stands where a field would be renamed.
    let text = "common: &common\n  - {name: who}\ncollections:\n  - name: a\n    folder: content/a\n    fields: *common\n";
    let (out, notes) = run(text, Format::Hugo, Some(&rules(&[("who", "by")], &[])), &[]);
    let doc = parsed(&out);
    assert_eq!(names(&collection(&doc, "a")["fields"]), ["by"]);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].message.contains("written afresh"), "{notes:?}");
}

#[test]
fn a_config_that_is_not_yaml_is_an_error_at_its_line() {
    let text = "collections:\n  - name: a\n    fields: [\n  - b\n";
    let t =
        Translate { to: Format::Zola, folder: &same, file: &same, fields: None, taxonomies: &[] };
    let e = translate(text, "static/admin/config.yml", &t).unwrap_err().to_string();
    assert!(e.starts_with("static/admin/config.yml:4:3:"), "{e}");
    let e = translate("- a\n", "c.yml", &t).unwrap_err().to_string();
    assert!(e.starts_with("c.yml:1:1:") && e.contains("not a mapping"), "{e}");
}

#[test]
fn repository_prefixes_are_kept_and_unknown_paths_noted() {
    let map = |p: &str| (p == "content/x").then(|| "_x".to_string());
    assert_eq!(repo_path("site/content/x/", &map), Some(("site/_x/".into(), "_x".into())));
    assert_eq!(repo_path("/content/x", &map), Some(("/_x".into(), "_x".into())));
    assert_eq!(repo_path("site/content/y", &map), None);
    let text = "collections:\n  - name: a\n    folder: elsewhere/a\n    fields: []\n";
    let (out, notes) = run(text, Format::Jekyll, None, &[]);
    assert_eq!(out, text);
    assert_eq!((notes[0].subject.as_str(), notes[0].line), ("folder", 3));
}

/// Every key and scalar the reader finds reads back as serde_yaml reads the text.
fn check_spans(text: &str, node: &Node, value: &Value) {
    let raw = &text[node.start..node.end];
    match (&node.kind, value) {
        (Kind::Map(children), Value::Mapping(m)) => {
            let keys: Vec<&str> = m.keys().filter_map(Value::as_str).collect();
            let found: Vec<&str> = children.iter().filter_map(|c| c.key.as_deref()).collect();
            assert_eq!(found, keys, "{raw}");
            for (c, v) in children.iter().zip(m.values()) {
                check_spans(text, &c.value, v);
            }
        }
        (Kind::Seq(children), Value::Sequence(s)) => {
            assert_eq!(children.len(), s.len(), "{raw}");
            for (c, v) in children.iter().zip(s) {
                check_spans(text, &c.value, v);
            }
        }
        // A block scalar's span ends with its last character, before its line break.
        (Kind::Scalar, v) if raw.starts_with(['|', '>']) => {
            assert_eq!(&serde_yaml::from_str::<Value>(&format!("{raw}\n")).unwrap(), v);
        }
        (Kind::Scalar, v) if !raw.starts_with('*') => {
            assert_eq!(&serde_yaml::from_str::<Value>(raw).unwrap(), v, "{raw}");
        }
        (Kind::Scalar, _) => {}
        (_, v) => panic!("{raw:?} read as {:?}, serde_yaml reads {v:?}", node.kind),
    }
}

#[test]
fn the_reader_finds_every_node_where_serde_yaml_does() {
    let text = "# head\n---\na: plain # c\nb: \"dq \\\" x\"\nc: 'sq '' x'\nd: |\n  block\n   more\n\ne: >-\n  folded\nf:\n  - x\n  - y: 1\n    z: [1, 2, {k: v}]\n  -\n    nested: true\ng: multi line\n  plain scalar\nh: {a: 1,\n    b: [x,\n        y]}   # comment\ni:\n- indentless\n- items\n\"quoted key\": 1\nj: &anc\n  k: v\nl: *anc\nm: ~\nn:\no: [a: b]\n";
    let without_o = text.replace("o: [a: b]\n", "");
    let root = parse(&without_o).expect("read");
    check_spans(&without_o, &root, &parsed(&without_o));
    // A single-pair mapping inside a flow list is not followed: no tree, no guess.
    assert!(parse(text).is_none());
    let Some(corpus) = corpus() else { return };
    check_spans(&corpus, &parse(&corpus).expect("read"), &parsed(&corpus));
}

#[test]
fn no_text_makes_it_panic() {
    let Some(text) = corpus() else { return };
    let r = rules(&[("who", "administration"), ("title", "name")], &["isSET", "image"]);
    // Every fifth line end, and cuts inside lines (a test of all of them takes 20 s).
    let ends: Vec<usize> = text
        .match_indices('\n')
        .step_by(5)
        .map(|(i, _)| i + 1)
        .chain((0..text.len()).step_by(397).filter(|i| text.is_char_boundary(*i)))
        .collect();
    for end in ends {
        for to in [Format::Hugo, Format::Jekyll, Format::Zola] {
            let (folder, file) = maps(to);
            let taxonomies: Vec<String> = TAXONOMIES.iter().map(|s| s.to_string()).collect();
            let t = Translate { to, folder, file, fields: Some(&r), taxonomies: &taxonomies };
            if let Ok((out, _)) = translate(&text[..end], "c.yml", &t) {
                assert!(serde_yaml::from_str::<Value>(&out).is_ok(), "{end}: {out}");
            }
        }
    }
}
