//! Importing into a folder that already holds files: refused without `--force`; with it,
//! carton replaces only what its record says it wrote there, unchanged, keeps everything
//! else, and says what it replaced.

use crate::common::*;
use crate::corpus::eig;
use std::collections::BTreeSet;
use std::path::Path;

/// The paths a folder's record lists.
fn recorded(out: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(out.join(carton::output::RECORD))
        .unwrap()
        .lines()
        .map(|l| l.split_once("  ").unwrap().1.to_string())
        .collect()
}

fn import_json(zip: &Path, out: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let run = carton()
        .arg("import")
        .arg(zip)
        .args(["--to", "hugo", "--json", "-o"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(run.status.success(), "{stderr}");
    (serde_json::from_slice(&run.stdout).unwrap(), stderr)
}

fn list(v: &serde_json::Value) -> BTreeSet<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// `sha256sum -c` on the record: another tool checks what carton says it wrote.
fn sha256sum_checks(out: &Path) {
    let Some(tool) = tool("sha256sum") else { return };
    let run = std::process::Command::new(tool)
        .args(["-c", "--strict", "--quiet", carton::output::RECORD])
        .current_dir(out)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
}

#[test]
fn a_forced_import_over_an_earlier_one_keeps_the_user_s_files_and_removes_only_carton_s() {
    let Some(e) = eig() else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let (first, _) = import_json(&e.zip, &out, &[]);
    assert!(first.get("existing").is_none(), "a new folder held nothing");
    let eig_files = recorded(&out);
    assert_eq!(written_files(&out).into_iter().collect::<BTreeSet<_>>(), eig_files);
    sha256sum_checks(&out);

    // The user's own files, an empty folder git needs, and two edited pages of carton's:
    // one the next import writes again, one it does not.
    let mine = ["README.local.md", ".git/HEAD", "static/mine/logo.svg"];
    for p in mine {
        std::fs::create_dir_all(out.join(p).parent().unwrap()).unwrap();
        std::fs::write(out.join(p), format!("{p}: mine")).unwrap();
    }
    std::fs::create_dir_all(out.join(".git/refs/tags")).unwrap();
    let rewritten = "content/_index.md";
    let kept_page = eig_files
        .iter()
        .find(|p| p.starts_with("content/") && p.ends_with(".md") && p.contains("defis/"))
        .unwrap()
        .clone();
    for p in [rewritten, kept_page.as_str()] {
        let mut b = std::fs::read(out.join(p)).unwrap();
        b.extend_from_slice(b"\nEdited by hand.\n");
        std::fs::write(out.join(p), b).unwrap();
    }
    let edited_kept = std::fs::read(out.join(&kept_page)).unwrap();

    // Without --force: refused, nothing changed.
    let before = sandbox_tree(dir.path());
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    let before_with_zip = sandbox_tree(dir.path());
    let refused =
        carton().arg("import").arg(&demo).args(["--to", "hugo", "-o"]).arg(&out).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("pass --force"));
    assert_eq!(sandbox_tree(dir.path()), before_with_zip);
    assert!(before.keys().all(|k| before_with_zip.contains_key(k)));

    // A dry run says what a forced run would do, and writes nothing.
    let (dry, _) = import_json(&demo, &out, &["--force", "--dry-run"]);
    assert_eq!(sandbox_tree(dir.path()), before_with_zip);

    let (second, stderr) = import_json(&demo, &out, &["--force"]);
    let existing = &second["existing"];
    assert_eq!(existing, &dry["existing"], "the dry run said what the run did");
    assert_eq!(existing["no_record"], false);
    let demo_files = recorded(&out);
    let expected_kept: BTreeSet<String> =
        mine.iter().map(|p| p.to_string()).chain([kept_page.clone()]).collect();
    assert_eq!(list(&existing["kept"]), expected_kept);
    assert_eq!(list(&existing["replaced"]), BTreeSet::from([rewritten.to_string()]));
    let expected_removed: BTreeSet<String> = eig_files
        .iter()
        .filter(|p| !demo_files.contains(*p) && **p != kept_page)
        .cloned()
        .collect();
    assert_eq!(list(&existing["removed"]), expected_removed);
    assert!(stderr.contains(&format!("replaced {rewritten}, which carton did not write")));

    // The folder: the new import, the user's files as they were, and nothing else.
    let on_disk: BTreeSet<String> = list_files(&out).into_iter().collect();
    let mut expected: BTreeSet<String> = demo_files.clone();
    expected.extend(expected_kept);
    expected.insert(carton::output::RECORD.to_string());
    assert_eq!(on_disk, expected);
    for p in mine {
        assert_eq!(std::fs::read_to_string(out.join(p)).unwrap(), format!("{p}: mine"));
    }
    assert_eq!(std::fs::read(out.join(&kept_page)).unwrap(), edited_kept);
    assert!(out.join(".git/refs/tags").is_dir(), "an empty folder of the user's is kept");
    sha256sum_checks(&out);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders left: {leftovers:?}");

    // The report inside the folder says the same.
    let report = std::fs::read_to_string(out.join("carton-report.md")).unwrap();
    assert!(report.contains("## Files already in the output folder"));
    assert!(report.contains(&format!("- {} removed", expected_removed.len())));
}

#[test]
fn a_folder_carton_never_wrote_keeps_every_file_but_those_the_import_writes() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    let out = dir.path().join("site");
    // An empty folder is written into without --force.
    std::fs::create_dir(&out).unwrap();
    let (v, _) = import_json(&demo, &out, &[]);
    assert_eq!(v["existing"]["kept"].as_array().unwrap().len(), 0);
    let demo_files = written_files(&out);

    // A folder some other tool wrote: no record, so every file in it is the user's.
    let other = dir.path().join("other");
    std::fs::create_dir_all(other.join("content")).unwrap();
    std::fs::write(other.join("hugo.toml"), "title = 'mine'\n").unwrap();
    std::fs::write(other.join("content/mine.md"), "# mine\n").unwrap();
    std::fs::write(other.join("Makefile"), "all:\n").unwrap();
    let (v, stderr) = import_json(&demo, &other, &["--force"]);
    assert_eq!(v["existing"]["no_record"], true);
    assert_eq!(
        list(&v["existing"]["kept"]),
        BTreeSet::from(["Makefile".to_string(), "content/mine.md".to_string()])
    );
    assert_eq!(list(&v["existing"]["replaced"]), BTreeSet::from(["hugo.toml".to_string()]));
    assert!(v["existing"]["removed"].as_array().unwrap().is_empty());
    assert!(stderr.contains("replaced hugo.toml, which carton did not write"));
    assert_eq!(std::fs::read_to_string(other.join("content/mine.md")).unwrap(), "# mine\n");
    assert_eq!(
        std::fs::read(other.join("hugo.toml")).unwrap(),
        std::fs::read(out.join("hugo.toml")).unwrap()
    );
    let mut expected: Vec<String> =
        demo_files.iter().cloned().chain(["Makefile".into(), "content/mine.md".into()]).collect();
    expected.push(carton::output::RECORD.into());
    expected.sort();
    assert_eq!(list_files(&other), expected);
}

#[test]
fn a_user_file_in_the_way_of_the_import_stops_it_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    for (name, in_the_way, needed) in [
        // A file where the import puts a folder.
        ("a", "content", "content"),
        // A file inside a folder where the import puts a file.
        ("b", "hugo.toml/notes.txt", "hugo.toml"),
    ] {
        let out = dir.path().join(name);
        std::fs::create_dir_all(out.join(in_the_way).parent().unwrap()).unwrap();
        std::fs::write(out.join(in_the_way), "mine").unwrap();
        let before = sandbox_tree(dir.path());
        let run = carton()
            .arg("import")
            .arg(&demo)
            .args(["--to", "hugo", "--force", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("holds `{in_the_way}`, which carton did not write"))
                && stderr.contains(&format!("needs `{needed}`"))
                && stderr.contains("nothing was changed"),
            "{stderr}"
        );
        assert_eq!(
            sandbox_changes(&before, &sandbox_tree(dir.path()), &|_| false),
            Vec::<String>::new()
        );
    }
}

#[test]
fn an_archive_of_an_imported_site_leaves_the_record_out_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    let first = dir.path().join("first");
    import_json(&demo, &first, &[]);
    // The imported site, archived: its record describes an output, not the site.
    let again = dir.path().join("again.zip");
    let model = export(&first, &again, carton::archive::Format::Zip);
    let skipped = model.summary.skipped.iter().find(|s| s.path == carton::output::RECORD);
    assert!(skipped.expect("reported").reason.contains("not site content"));
    assert!(model.files.iter().all(|f| !f.path.ends_with(carton::output::RECORD)));
    // (The first import's report is a file of that site now: this one goes elsewhere.)
    let second = dir.path().join("second");
    import_json(&again, &second, &["--report", "-"]);
    let mut expected = list_files(&first);
    expected.retain(|p| p != carton::output::RECORD);
    assert_eq!(written_files(&second), expected);
}

#[test]
fn restoring_another_version_over_a_restored_one_keeps_the_user_s_files() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_tree(&demo_site(), &site);
    let store = dir.path().join("store");
    let snap = |msg: &str| {
        carton()
            .arg("snapshot")
            .arg(&site)
            .arg("--repo")
            .arg(&store)
            .args(["--id", "demo", "-q", "-m", msg])
            .assert()
            .success();
    };
    snap("one");
    let gone = "content/docs/guide.md";
    std::fs::remove_file(site.join(gone)).unwrap();
    std::fs::write(site.join("content/new.md"), "---\ntitle: New\n---\n").unwrap();
    snap("two");
    let out = dir.path().join("out");
    let restore = |version: &str, force: bool| {
        let mut c = carton();
        c.args(["restore", "--json", "--version", version, "--repo"])
            .arg(&store)
            .arg("-o")
            .arg(&out);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    assert!(restore("v1", false).status.success());
    assert!(out.join(gone).is_file());
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let refused = restore("v2", false);
    assert_eq!(refused.status.code(), Some(1));
    let run = restore("v2", true);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let v: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(list(&v["existing"]["kept"]), BTreeSet::from(["notes.txt".to_string()]));
    assert_eq!(list(&v["existing"]["removed"]), BTreeSet::from([gone.to_string()]));
    assert!(!out.join(gone).exists());
    assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    let mut expected: Vec<String> = list_files(&site);
    expected.push("notes.txt".into());
    expected.sort();
    let mut restored: Vec<String> =
        list_files(&out).into_iter().filter(|p| p != carton::output::RECORD).collect();
    restored.sort();
    assert_eq!(restored, expected);
    sha256sum_checks(&out);
}

#[test]
fn importing_into_the_current_folder_with_dot() {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    let here = dir.path().join("new");
    std::fs::create_dir(&here).unwrap();
    let import = |force: bool| {
        let mut c = carton();
        c.current_dir(&here).arg("import").arg(&demo).args(["--to", "hugo", "-q", "-o", "."]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let run = import(false);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let files = written_files(&here);
    std::fs::write(here.join("mine.txt"), "mine").unwrap();
    assert_eq!(import(false).status.code(), Some(1), "not without --force");
    let run = import(true);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    // carton ran in the folder it replaced, as a shell would: it says how to see the new one.
    assert!(stderr.contains("`cd \"$PWD\"` to see the new one"), "{stderr}");
    assert_eq!(std::fs::read_to_string(here.join("mine.txt")).unwrap(), "mine");
    let mut expected = files;
    expected.push("mine.txt".into());
    expected.push(carton::output::RECORD.into());
    expected.sort();
    assert_eq!(list_files(&here), expected);
    let names: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "nothing left beside the folder: {names:?}");
}
