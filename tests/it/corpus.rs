//! The real corpus: the EIG Hugo site (../shared/corpus/eig-hugo). Every expected figure here
//! was counted independently (grep over the corpus, see the comments) and reviewed.

use crate::common::*;
use carton::archive::Format;
use carton::model::{FileRole, Model, PageKind, RefSource, Target};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

pub struct Exported {
    pub _dir: tempfile::TempDir,
    pub zip: PathBuf,
    pub site: PathBuf,
    pub model: Model,
}

/// One export of the corpus, shared by the tests of this module.
pub fn eig() -> Option<&'static Exported> {
    static CELL: OnceLock<Option<Exported>> = OnceLock::new();
    CELL.get_or_init(|| {
        let site = corpus("eig-hugo")?;
        let dir = tempfile::tempdir().unwrap();
        let zip = dir.path().join("eig.zip");
        let model = export(&site, &zip, Format::Zip);
        Some(Exported { _dir: dir, zip, site, model })
    })
    .as_ref()
}

#[test]
fn every_file_of_the_corpus_is_accounted_for() {
    let Some(e) = eig() else { return };
    let on_disk = list_files(&e.site);
    let stored: Vec<String> = e.model.files.iter().map(|f| f.path.clone()).collect();
    assert_eq!(stored, on_disk);
    let s = &e.model.summary;
    assert_eq!(s.files, on_disk.len());
    assert_eq!(s.files, s.pages + s.resources + s.static_files + s.config_files + s.other_files);
    assert!(s.skipped.is_empty());
    // `find content -name '*.md' | wc -l` = 545; the two notebooks and content/.keep are resources.
    assert_eq!(s.pages, 545);
    let resources: Vec<&str> = e
        .model
        .files
        .iter()
        .filter(|f| f.role == FileRole::Resource)
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        resources,
        [
            "content/.keep",
            "content/personnes/ecriture_automatique_profile.ipynb",
            "content/personnes/ecriture_automatique_profile_porteur_porteuse_sponsor.ipynb"
        ]
    );
}

#[test]
fn the_104_challenge_pages_and_their_section() {
    let Some(e) = eig() else { return };
    let defis: Vec<_> = e.model.pages.iter().filter(|p| p.section == "defis").collect();
    assert_eq!(defis.iter().filter(|p| p.kind == PageKind::Page).count(), 104);
    let index = e.model.page("content/defis/_index.md").unwrap();
    assert_eq!(index.kind, PageKind::Section);
    let section = e.model.sections.iter().find(|s| s.path == "defis").unwrap();
    assert_eq!(section.index.as_deref(), Some("content/defis/_index.md"));
    assert_eq!(section.pages.len(), 104);
    let adex = e.model.page("content/defis/adex.md").unwrap();
    assert_eq!(adex.url, "/defis/adex/");
    assert_eq!(adex.title.as_deref(), Some("ADEX"));
    assert_eq!(adex.taxonomies["promos"], ["Promotion 4"]);
    assert_eq!(adex.front_matter.as_ref().unwrap().fields["who"], "Haute Autorité de Santé");
}

#[test]
fn all_73_dailymotion_shortcodes_become_video_references() {
    let Some(e) = eig() else { return };
    // `grep -rhoE '\{\{[<%][^}]*' content | awk '{print $2}'` counts 72 `dailymotion` plus
    // the `{{< dailymotion"Vidéo de présentation du défi LABEL">}}` of defis/label.md.
    let calls: Vec<_> = e
        .model
        .pages
        .iter()
        .flat_map(|p| p.shortcodes.iter().map(move |s| (p, s)))
        .filter(|(_, s)| s.name == "dailymotion")
        .collect();
    assert_eq!(calls.len(), 73);
    let refs: Vec<_> = e
        .model
        .pages
        .iter()
        .flat_map(|p| p.references.iter().map(move |r| (p, r)))
        .filter(|(_, r)| {
            r.source == RefSource::Shortcode && r.field.as_deref() == Some("dailymotion")
        })
        .collect();
    assert_eq!(refs.len(), 73);
    let valid = refs.iter().filter(|(_, r)| matches!(r.target, Target::Video { .. })).count();
    assert_eq!(valid, 72);
    let (page, bad) =
        refs.iter().find(|(_, r)| matches!(r.target, Target::InvalidVideo { .. })).unwrap();
    assert_eq!((page.path.as_str(), bad.span.line), ("content/defis/label.md", 17));
    assert!(
        e.model.problems.iter().any(|p| p.code == "invalid-video"
            && p.path == "content/defis/label.md"
            && p.line == 17)
    );
    let adex = e.model.page("content/defis/adex.md").unwrap();
    let dm = adex.references.iter().find(|r| r.source == RefSource::Shortcode).unwrap();
    assert_eq!(dm.target, Target::Video { key: "dailymotion:x82dxrq".into() });
    let video = e.model.videos.iter().find(|v| v.key == "dailymotion:x82dxrq").unwrap();
    assert_eq!(video.title.as_deref(), Some("Vidéo ADEX"));
    assert_eq!(video.url, "https://www.dailymotion.com/video/x82dxrq");
}

#[test]
fn video_iframes_and_urls_are_video_references() {
    let Some(e) = eig() else { return };
    // From `grep -rnoE '<iframe[^>]*src=...'` and a grep of provider URLs over content/.
    let expected = [
        ("content/_index.md", 44, "dailymotion:x8mglor"),
        (
            "content/blog/5-leviers-pour-innover-et-entreprendre-dans-la-fonction-publique.md",
            19,
            "dailymotion:x8cj8uo",
        ),
        (
            "content/blog/5-leviers-pour-innover-et-entreprendre-dans-la-fonction-publique.md",
            23,
            "dailymotion:x8cj8uo",
        ),
        ("content/blog/apprendre-et-progresser.md", 59, "youtube:PsgBtOVzHKI"),
        ("content/blog/apprendre-et-progresser.md", 68, "youtube:34_L7t7fD_U"),
        ("content/blog/apprendre-et-progresser.md", 70, "youtube:f84n5oFoZBc"),
        ("content/blog/bilan-eig3-2021.md", 17, "dailymotion:x7xtj58"),
        ("content/blog/demonstrations-accessibilite-numerique.md", 61, "dailymotion:x7h7en4"),
        ("content/blog/etre-eig.md", 70, "dailymotion:playlist:x6bp3l"),
        ("content/blog/etre-eig.md", 70, "dailymotion:x64z28u"),
        ("content/blog/etre-eig.md", 70, "dailymotion:x7u6rsq"),
        (
            "content/blog/plus-dun-an-apras-que-deviennent-les-defis-de-la-promotion-3.md",
            18,
            "dailymotion:x7xtj58",
        ),
        ("content/blog/restitution-dig-environnement-biodiversite.md", 23, "dailymotion:x7xtjdr"),
        ("content/blog/restitution-eig2.md", 35, "dailymotion:playlist:x65owi"),
        ("content/blog/video-presentation-eig-3.md", 18, "dailymotion:x75h2pz"),
        ("content/defis/twincity.md", 40, "youtube:VtDNRBaCIC4"),
    ];
    let found: BTreeSet<(String, usize, String)> = e
        .model
        .pages
        .iter()
        .flat_map(|p| p.references.iter().map(move |r| (p, r)))
        .filter(|(_, r)| r.source != RefSource::Shortcode)
        .filter_map(|(p, r)| match &r.target {
            Target::Video { key } => Some((p.path.clone(), r.span.line, key.clone())),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<(String, usize, String)> =
        expected.iter().map(|(p, l, k)| (p.to_string(), *l, k.to_string())).collect();
    assert_eq!(found, expected);
    let iframes = e
        .model
        .pages
        .iter()
        .flat_map(|p| &p.references)
        .filter(|r| r.source == RefSource::Iframe && matches!(r.target, Target::Video { .. }))
        .count();
    assert_eq!(iframes, 4, "three dailymotion video iframes and one playlist iframe");
}

#[test]
fn every_local_pdf_link_resolves_to_its_file() {
    let Some(e) = eig() else { return };
    let mut resolved = BTreeSet::new();
    let mut missing = BTreeSet::new();
    for p in &e.model.pages {
        for r in p.references.iter().filter(|r| r.document) {
            match &r.target {
                Target::File { path } => {
                    assert!(e.site.join(path).is_file(), "{path}");
                    resolved.insert(path.clone());
                }
                Target::Missing { expected, .. } => {
                    missing.insert(expected.clone());
                }
                Target::Remote { .. } => {}
                other => panic!("{}: document link {} resolved to {other:?}", p.path, r.raw),
            }
        }
    }
    // The corpus README: restitution-atlas-culture-202106-1-.pdf was too large for the copy.
    assert_eq!(
        missing,
        BTreeSet::from(["static/img/restitution-atlas-culture-202106-1-.pdf".to_string()])
    );
    assert!(resolved.len() >= 15, "{resolved:?}");
    assert!(resolved.contains("static/img/mini-guide-logiciel-libre.pdf"));
    assert!(resolved.contains("static/img/Rapport-analyse-EIG-VF.pdf"));
    let remote: Vec<&str> =
        e.model.documents.iter().filter(|d| !d.local).map(|d| d.target.as_str()).collect();
    assert!(
        remote.contains(&"https://www.cnil.fr/sites/default/files/atoms/files/guide_open_data.pdf")
    );
    assert!(
        remote.contains(&"https://www.insee.fr/fr/statistiques/fichier/2114265/lm_ind_02_C-7.pdf")
    );
}

#[test]
fn dangling_references_are_reported_with_their_place_and_near_match() {
    let Some(e) = eig() else { return };
    let find = |path: &str, needle: &str| {
        e.model
            .problems
            .iter()
            .find(|p| p.path == path && p.message.contains(needle))
            .unwrap_or_else(|| panic!("no problem for {needle} in {path}"))
    };
    // Files missing from the copy (corpus README).
    let p = find("content/personnes/benoit-david.md", "photobenoitdavid.png");
    assert_eq!((p.code.as_str(), p.line), ("missing-file", 9));
    let p = find("content/defis/atlas-culture.md", "restitution-atlas-culture-202106-1-.pdf");
    assert_eq!(p.line, 66);
    // Dangling on the live site too, with the near match by case.
    let p = find("content/blog/Chiffres-EIG.md", "/img/promo.PNG");
    assert_eq!(p.line, 23);
    assert!(p.message.contains("`static/img/promo.png` differs only by case"), "{}", p.message);
    let p = find("content/blog/construire-une-feuille-de-route-partagee.md", "LLL-1-canvas.jpg");
    assert!(p.message.contains("`static/img/lll-1-canvas.jpg`"), "{}", p.message);
}

#[test]
fn no_reference_that_resolves_is_reported_missing() {
    let Some(e) = eig() else { return };
    let files: BTreeSet<&str> = e.model.files.iter().map(|f| f.path.as_str()).collect();
    for p in &e.model.pages {
        for r in &p.references {
            if let Target::Missing { expected, near_match } = &r.target {
                assert!(
                    !files.contains(expected.as_str()),
                    "{}:{} `{}` reported missing but {expected} exists",
                    p.path,
                    r.span.line,
                    r.raw
                );
                assert!(!e.site.join(expected.trim_start_matches('/')).is_file());
                if let Some(m) = near_match {
                    assert_ne!(m, expected);
                }
            }
        }
    }
}

#[test]
fn decap_schema_and_relations() {
    let Some(e) = eig() else { return };
    let schema = e.model.schema.as_ref().expect("static/admin/config.yml read");
    assert_eq!(schema.source, "static/admin/config.yml");
    let names: Vec<&str> = schema.collections.iter().map(|c| c.name.as_str()).collect();
    for c in
        ["defis", "articles", "personnes", "themes", "expertises", "promos", "categories", "pages"]
    {
        assert!(names.contains(&c), "{c} in {names:?}");
    }
    let defis = schema.collections.iter().find(|c| c.name == "defis").unwrap();
    assert_eq!(
        defis.folder.as_deref(),
        Some("content/defis"),
        "the repository's site/ prefix is removed"
    );
    assert!(
        defis.fields.iter().any(|f| f.name == "themes" && f.widget == "relation" && f.multiple)
    );
    // A person's `defis` relation reaches a challenge page.
    let person_links = e
        .model
        .pages
        .iter()
        .filter(|p| p.section == "personnes")
        .flat_map(|p| &p.relations)
        .filter(|r| {
            r.field == "defis" && r.page.as_deref().is_some_and(|t| t.starts_with("content/defis/"))
        })
        .count();
    assert!(person_links > 100, "{person_links}");
    // A challenge's promos reach the promos pages or term pages.
    let adex = e.model.page("content/defis/adex.md").unwrap();
    let promo = adex.relations.iter().find(|r| r.field == "promos").unwrap();
    assert_eq!(promo.value, "Promotion 4");
    assert!(promo.page.is_some() || promo.term_url.is_some());
}

#[test]
fn the_corpus_archive_verifies() {
    let Some(e) = eig() else { return };
    let r = verify(&e.zip);
    assert!(r.valid, "{:?}", r.findings);
    assert_eq!(r.files as usize, e.model.files.len() + 3 + 4);
}
