//! `kill -9` at spread-out moments of `export`, `import` (into a new folder, and forced over
//! one holding the user's files), `convert` and `snapshot` on the EIG site: no partial result
//! is ever left under the final name, the user's files are always there, a snapshot store
//! stays valid, and running the command again succeeds.

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Interruptions per command: four commands make at least 100.
const KILLS: u64 = 26;

/// Moments spread over a run of `full_ms`, each nudged by a fixed pseudo-random amount so
/// that they do not fall on the same phase boundaries from one command to the next.
fn moments(full_ms: u64, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..KILLS)
        .map(|k| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let slot = full_ms / KILLS;
            slot * k + x % slot.max(1)
        })
        .collect()
}

/// Starts `args` as carton with no output, kills it after `ms`, and says whether it had
/// finished on its own.
fn kill_after(args: &[&std::ffi::OsStr], ms: u64) -> bool {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("carton"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let done = child.try_wait().unwrap().is_some();
    let _ = child.kill();
    let _ = child.wait();
    done
}

/// The duration of an uninterrupted run, in ms.
fn timed(args: &[&std::ffi::OsStr]) -> u64 {
    let started = Instant::now();
    let out = Command::new(assert_cmd::cargo::cargo_bin("carton"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    started.elapsed().as_millis() as u64
}

fn os(args: &[&str]) -> Vec<std::ffi::OsString> {
    args.iter().map(Into::into).collect()
}

/// Every file under `dir` with its bytes.
fn snapshot_of(dir: &Path) -> Vec<(String, Vec<u8>)> {
    list_files(dir).into_iter().map(|p| (p.clone(), std::fs::read(dir.join(&p)).unwrap())).collect()
}

#[test]
fn kill_9_at_any_moment_leaves_no_partial_result_and_the_rerun_succeeds() {
    let Some(site) = corpus("eig-hugo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let site = site.to_str().unwrap().to_string();
    let mut interrupted = 0;
    let mut checked = 0;

    // export: the archive appears whole or not at all.
    let zip = work.join("eig.zip");
    let export = os(&["export", &site, "-o", zip.to_str().unwrap(), "-q", "--force"]);
    let export: Vec<&std::ffi::OsStr> = export.iter().map(|s| s.as_os_str()).collect();
    let full = timed(&export);
    let reference = std::fs::read(&zip).unwrap();
    for ms in moments(full, 0x9e37_79b9) {
        std::fs::remove_file(&zip).ok();
        if !kill_after(&export, ms) {
            interrupted += 1;
        }
        if zip.exists() {
            assert_eq!(std::fs::read(&zip).unwrap(), reference, "export killed at {ms} ms");
        }
        checked += 1;
    }
    // Import and convert: the output folder appears whole or not at all.
    let reference_out = work.join("reference-jekyll");
    let import_to = |out: &PathBuf| {
        os(&[
            "import",
            zip.to_str().unwrap(),
            "--to",
            "jekyll",
            "-o",
            out.to_str().unwrap(),
            "-q",
            "--force",
        ])
    };
    let out = work.join("site-jekyll");
    let import = import_to(&out);
    let import: Vec<&std::ffi::OsStr> = import.iter().map(|s| s.as_os_str()).collect();
    std::fs::write(&zip, &reference).unwrap();
    let full = timed(&import);
    std::fs::rename(&out, &reference_out).unwrap();
    let expected = snapshot_of(&reference_out);
    for ms in moments(full, 0x85eb_ca6b) {
        std::fs::remove_dir_all(&out).ok();
        if !kill_after(&import, ms) {
            interrupted += 1;
        }
        if out.exists() {
            assert!(snapshot_of(&out) == expected, "import killed at {ms} ms left a partial site");
        }
        checked += 1;
    }
    // A forced import over a folder that holds the user's files and an edited page: at any
    // moment the folder is whole, the old one or the new, so the user's files are in it.
    let pristine = work.join("pristine");
    copy_tree(&reference_out, &pristine);
    std::fs::write(pristine.join("notes.txt"), b"mine").unwrap();
    std::fs::create_dir_all(pristine.join(".git/refs/tags")).unwrap();
    std::fs::write(pristine.join(".git/HEAD"), b"ref: refs/heads/main\n").unwrap();
    let page = expected.iter().find(|(p, _)| p.ends_with(".md")).unwrap().0.clone();
    let mut edited = std::fs::read(pristine.join(&page)).unwrap();
    edited.extend_from_slice(b"\nedited by hand\n");
    std::fs::write(pristine.join(&page), edited).unwrap();
    let links_of = |to: &Path| {
        std::fs::remove_dir_all(to).ok();
        let cp = Command::new("cp").arg("-al").arg(&pristine).arg(to).status().unwrap();
        assert!(cp.success());
    };
    let old = snapshot_of(&pristine);
    links_of(&out);
    let full = timed(&import);
    let new = snapshot_of(&out);
    assert!(new.iter().any(|(p, _)| p == "notes.txt") && new.iter().any(|(p, _)| p == ".git/HEAD"));
    assert!(old != new, "the forced import replaced the edited page");
    for ms in moments(full, 0x1656_67b1).into_iter().step_by(2) {
        links_of(&out);
        if !kill_after(&import, ms) {
            interrupted += 1;
        }
        let now = snapshot_of(&out);
        assert!(
            now == old || now == new,
            "a forced import killed at {ms} ms left a folder that is neither the old one nor the new"
        );
        assert!(out.join(".git/refs/tags").is_dir());
        checked += 1;
    }
    assert_eq!(
        snapshot_of(&pristine),
        old,
        "the files linked into the folder were never written to"
    );
    let conv_out = work.join("site-zola");
    let convert =
        os(&["convert", &site, "--to", "zola", "-o", conv_out.to_str().unwrap(), "-q", "--force"]);
    let convert: Vec<&std::ffi::OsStr> = convert.iter().map(|s| s.as_os_str()).collect();
    let full = timed(&convert);
    let expected = snapshot_of(&conv_out);
    for ms in moments(full, 0xc2b2_ae35) {
        std::fs::remove_dir_all(&conv_out).ok();
        if !kill_after(&convert, ms) {
            interrupted += 1;
        }
        if conv_out.exists() {
            assert!(
                snapshot_of(&conv_out) == expected,
                "convert killed at {ms} ms left a partial site"
            );
        }
        checked += 1;
    }
    // snapshot: the store verifies after every kill, and the next run completes v1.
    let store = work.join("store");
    let snap = os(&["snapshot", &site, "--repo", store.to_str().unwrap(), "--id", "eig", "-q"]);
    let snap: Vec<&std::ffi::OsStr> = snap.iter().map(|s| s.as_os_str()).collect();
    let full = timed(&snap);
    for ms in moments(full, 0x27d4_eb2f) {
        std::fs::remove_dir_all(&store).ok();
        if !kill_after(&snap, ms) {
            interrupted += 1;
        }
        if store.exists() {
            let v = carton().args(["verify", "--repo"]).arg(&store).output().unwrap();
            let text = String::from_utf8_lossy(&v.stdout);
            assert!(
                v.status.success() || text.contains("holds no site"),
                "store after a kill at {ms} ms: {text}{}",
                String::from_utf8_lossy(&v.stderr)
            );
        }
        let again =
            Command::new(assert_cmd::cargo::cargo_bin("carton")).args(&snap).output().unwrap();
        assert!(
            again.status.success(),
            "rerun after a kill at {ms} ms: {}",
            String::from_utf8_lossy(&again.stderr)
        );
        carton().args(["verify", "--repo"]).arg(&store).assert().success();
        checked += 1;
    }
    // Each rerun succeeded; none left a partial result.
    for (args, what) in [(&export, "export"), (&import, "import"), (&convert, "convert")] {
        let out = Command::new(assert_cmd::cargo::cargo_bin("carton")).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{what} after the kills: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    eprintln!(
        "{checked} runs killed at spread-out moments, {interrupted} of them before they finished; no partial result"
    );
    assert!(checked >= 100);
    assert!(interrupted * 2 >= checked, "only {interrupted} of {checked} kills interrupted a run");
}

/// Sends SIGINT (Ctrl-C) to a run of `args` after `ms`; returns its exit code.
fn ctrl_c_after(args: &[&std::ffi::OsStr], ms: u64) -> Option<i32> {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("carton"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(ms));
    let sent = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    child.wait().unwrap().code()
}

/// Sends Ctrl-C halfway through a run of `args` (`full_ms` long when uninterrupted) and
/// returns its exit code. On a loaded machine the run may finish before the signal, or the
/// signal may come before carton has started listening for it; each is retried, earlier or
/// later, so that the test checks what carton does with a Ctrl-C it receives.
fn ctrl_c_midway(args: &[&std::ffi::OsStr], full_ms: u64, clean: &dyn Fn()) -> Option<i32> {
    let mut ms = full_ms / 2;
    let mut code = None;
    for _ in 0..5 {
        clean();
        code = ctrl_c_after(args, ms);
        match code {
            Some(0) => ms /= 2,
            None => ms = ms * 3 / 2 + 50,
            _ => return code,
        }
    }
    code
}

/// The first Ctrl-C stops a run cleanly: exit code 130, no output, and no temporary file
/// left beside where the output would have gone.
#[test]
fn ctrl_c_stops_cleanly_with_exit_130_and_removes_temporary_files() {
    let Some(site) = corpus("eig-hugo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let zip = out_dir.join("eig.zip");
    let site = site.to_str().unwrap().to_string();
    let export = os(&["export", &site, "-o", zip.to_str().unwrap(), "-q"]);
    let export: Vec<&std::ffi::OsStr> = export.iter().map(|s| s.as_os_str()).collect();
    let full = timed(&export);
    let clean = || {
        let _ = std::fs::remove_file(&zip);
    };
    assert_eq!(ctrl_c_midway(&export, full, &clean), Some(130));
    assert!(list_files(&out_dir).is_empty(), "left behind: {:?}", list_files(&out_dir));

    let store = out_dir.join("store");
    let snap = os(&["snapshot", &site, "--repo", store.to_str().unwrap(), "--id", "eig", "-q"]);
    let snap: Vec<&std::ffi::OsStr> = snap.iter().map(|s| s.as_os_str()).collect();
    let full = timed(&snap);
    // Interrupted while it stores the files: the store holds no version and no staging.
    let clean = || {
        let _ = std::fs::remove_dir_all(&store);
    };
    assert_eq!(ctrl_c_midway(&snap, full, &clean), Some(130));
    let left: Vec<String> = list_files(&store)
        .into_iter()
        .filter(|p| p.contains("staging") || p.contains("/v1/"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    carton().args(["verify", "--repo"]).arg(&store).assert().success();
}
