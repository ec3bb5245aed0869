//! A full disk: each command runs with its output on a small tmpfs, mounted in a private
//! mount namespace (`unshare -r -m`, no privileges needed where user namespaces are allowed).
//! It must end with a clear error and leave no partial output.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Output};

/// Runs carton with `args` after mounting a tmpfs of `size` on `mount_point`, in a mount
/// namespace of its own; lists what is left on the tmpfs. `None` (with a visible message)
/// where this machine does not allow it.
fn on_small_disk(mount_point: &Path, size: &str, args: &[&str]) -> Option<(Output, Vec<String>)> {
    let bin = assert_cmd::cargo::cargo_bin("carton");
    let quoted: Vec<String> =
        args.iter().map(|a| format!("'{}'", a.replace('\'', "'\\''"))).collect();
    let script = format!(
        "mount -t tmpfs -o size={size} tmpfs '{mp}' || exit 99; '{bin}' {args}; code=$?; find '{mp}' -mindepth 1 -type f > '{mp}.left'; exit $code",
        mp = mount_point.display(),
        bin = bin.display(),
        args = quoted.join(" ")
    );
    let out = Command::new("unshare").args(["-r", "-m", "sh", "-c", &script]).output();
    match out {
        Ok(o)
            if o.status.code() != Some(99)
                && !String::from_utf8_lossy(&o.stderr).contains("unshare:") =>
        {
            let left = std::fs::read_to_string(mount_point.with_extension("left"))
                .unwrap_or_default()
                .lines()
                .map(str::to_string)
                .collect();
            Some((o, left))
        }
        _ => {
            eprintln!("SKIPPED: cannot mount a tmpfs in a user namespace here (unshare -r -m)");
            None
        }
    }
}

#[test]
fn a_full_disk_ends_with_a_clear_error_and_no_partial_output() {
    let Some(site) = corpus("eig-hugo") else { return };
    let dir = tempfile::tempdir().unwrap();
    let mp = dir.path().join("small");
    std::fs::create_dir(&mp).unwrap();
    let site = site.to_str().unwrap();
    let zip = mp.join("eig.zip");

    // export: 170 MB of site into 20 MB.
    let Some((out, left)) =
        on_small_disk(&mp, "20m", &["export", site, "-o", zip.to_str().unwrap(), "-q"])
    else {
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device") && err.contains("eig.zip"), "{err}");
    assert!(!err.contains("ZipWriter"), "a library's own message leaked: {err}");
    assert!(left.is_empty(), "left on the disk: {left:?}");

    // import: the demo archive into a disk too small for the site it holds.
    let demo = dir.path().join("demo.zip");
    export(&demo_site(), &demo, carton::archive::Format::Zip);
    let site_out = mp.join("site");
    let (out, left) = on_small_disk(
        &mp,
        "40k",
        &["import", demo.to_str().unwrap(), "--to", "jekyll", "-o", site_out.to_str().unwrap()],
    )
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(left.is_empty(), "left on the disk: {left:?}");

    // snapshot: the store is left as it was (here: no version), and says why.
    let store = mp.join("store");
    let (out, left) = on_small_disk(
        &mp,
        "20m",
        &["snapshot", site, "--repo", store.to_str().unwrap(), "--id", "eig", "-q"],
    )
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("No space left on device"), "{err}");
    let versions: Vec<&String> = left.iter().filter(|p| p.contains("/v1/")).collect();
    assert!(versions.is_empty(), "a partial version is visible: {versions:?}");
}
