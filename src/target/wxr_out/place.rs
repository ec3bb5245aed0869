//! `carton import --to wxr -o site.xml`: the plan's outputs renamed after the XML's stem,
//! built in one staging folder beside the XML and moved into place one by one, the XML
//! last, so that a `site.xml` in place means its media folder and redirect files are too.
//! Nothing is written but the XML and its named siblings; none is replaced without
//! `force`, and a failed move puts back what was there.

use super::super::{ArchiveFiles, ImportOptions, Plan, load_model, write_plan};
use super::{PLAN_STEM, outputs};
use crate::error::{Error, Result};
use crate::mapping::{Format, Mapping};
use crate::output::{Existing, RECORD, record};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// Options of a WXR import beyond [`ImportOptions`].
#[derive(Debug, Default, Clone)]
pub struct WxrOptions {
    /// Where the attachments will be served (`--media-base-url`): overrides the mapping's.
    pub media_base_url: Option<String>,
    /// Write the report beside the XML as `{stem}-report.md`.
    pub report: bool,
    /// Replace existing outputs.
    pub force: bool,
    /// Plan only.
    pub dry_run: bool,
}

/// The names of the outputs beside `output`: (XML file name, stem).
fn names_of(output: &Path) -> Result<(String, String)> {
    let name = output.file_name().and_then(|n| n.to_str());
    let stem = output.file_stem().and_then(|n| n.to_str());
    match (name, stem) {
        (Some(n), Some(s)) if !s.is_empty() => Ok((n.to_string(), s.to_string())),
        _ => Err(Error::Import(format!(
            "{}: name the WXR file to write (`-o site.xml`)",
            output.display()
        ))),
    }
}

/// Renames the plan's outputs from the plan's stem to `stem` (the XML to `xml`).
fn rename(plan: &mut Plan, xml: &str, stem: &str) {
    let from = outputs(PLAN_STEM);
    let to = outputs(stem);
    let fix = |p: &str| -> String {
        if p == from[0] {
            return xml.to_string();
        }
        for (f, t) in from.iter().zip(&to).skip(1) {
            if p == f {
                return t.clone();
            }
            if let Some(rest) = p.strip_prefix(&format!("{f}/")) {
                return format!("{t}/{rest}");
            }
        }
        p.to_string()
    };
    for f in &mut plan.files {
        f.path = fix(&f.path);
    }
    for o in &mut plan.report.files {
        o.output = o.output.as_deref().map(fix);
    }
    for g in &mut plan.report.generated {
        g.output = fix(&g.output);
    }
    for n in &mut plan.report.notes {
        n.message = n.message.replace(&format!("{}/", from[1]), &format!("{}/", to[1]));
    }
}

/// Imports an archive as a WXR file `output`, with its media folder, redirect files and
/// report beside it (see the module docs). The archive is not verified here.
///
/// # Errors
/// As [`super::super::plan`]; when `--media-base-url` is not an http(s) URL, when an
/// output exists (without `force`), or when a file cannot be read or written.
pub fn import(
    archive_path: &Path,
    output: &Path,
    opts: &ImportOptions,
    wxr: &WxrOptions,
    interrupt: &AtomicBool,
) -> Result<Plan> {
    let (xml, stem) = names_of(output)?;
    let mut archive = crate::archive::Archive::open(archive_path)?;
    let model = load_model(&mut archive, archive_path)?;
    let root = model.site.root.clone();
    let mut files = ArchiveFiles { archive: &mut archive, root };
    let mut mapping = opts.mapping.clone();
    if let Some(url) = &wxr.media_base_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(Error::Import(format!("--media-base-url {url}: not an http(s) URL")));
        }
        // The URL travels in the mapping (`media-base-url:`), as if it were written there.
        if mapping.is_none()
            && let Some(from) = Format::from_name(&model.site.generator)
        {
            mapping = Mapping::shipped(from, Format::Wxr).or_else(|| {
                let text = format!("carton-mapping: 1\nfrom: {}\nto: wxr\n", from.name());
                Mapping::parse(&text, Path::new("(--media-base-url)")).ok()
            });
        }
        if let Some(m) = &mut mapping {
            m.media_base_url = Some(url.clone());
        }
    }
    let opts = ImportOptions {
        to: opts.to,
        mapping,
        layouts: opts.layouts,
        localize_remote: opts.localize_remote,
    };
    let mut plan = super::super::plan(&model, &mut files, &opts)?;
    rename(&mut plan, &xml, &stem);
    let names = outputs(&stem);
    let report_name = names[4].clone();
    if wxr.dry_run {
        return Ok(plan);
    }
    let parent = crate::output::parent_of(output);
    let mut placed: Vec<String> = [&names[1], &names[2], &names[3]]
        .into_iter()
        .filter(|n| {
            plan.files.iter().any(|f| f.path == **n || f.path.starts_with(&format!("{n}/")))
        })
        .cloned()
        .collect();
    if wxr.report {
        placed.push(report_name.clone());
    }
    placed.push(xml.clone());
    for n in &placed {
        let dest = parent.join(n);
        if !wxr.force && fs::symlink_metadata(&dest).is_ok() {
            return Err(Error::OutputExists(dest));
        }
    }
    // The media folder is a site folder: with --force, only what carton wrote there goes.
    let media = &names[1];
    let media_existing = if placed.contains(media) {
        let prefix = format!("{media}/");
        let mut new: std::collections::HashSet<&str> =
            plan.files.iter().filter_map(|f| f.path.strip_prefix(&prefix)).collect();
        new.insert(RECORD);
        Existing::survey(&parent.join(media), wxr.force, &new)?
    } else {
        None
    };
    plan.report.existing = media_existing.clone();
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{xml}."))
        .suffix(".partial")
        .tempdir_in(&parent)
        .map_err(|e| Error::Write(e, parent.clone()))?;
    let built = staging.path().join("out");
    let extra: Vec<(&str, Vec<u8>)> = if wxr.report {
        vec![(report_name.as_str(), plan.report.to_markdown().into_bytes())]
    } else {
        Vec::new()
    };
    // Only the media folder is a folder of carton's here: it alone gets a record.
    let written = write_plan(&plan, &mut files, &built, None, &extra, false, interrupt)?;
    if placed.contains(media) {
        let prefix = format!("{media}/");
        let in_media = written
            .into_iter()
            .filter_map(|(p, h)| Some((p.strip_prefix(&prefix)?.to_string(), h)))
            .collect();
        let at = built.join(media).join(RECORD);
        fs::write(&at, record(&in_media)).map_err(|e| Error::Write(e, at))?;
    }
    if let Some(e) = &media_existing {
        e.carry_over(&parent.join(media), &built.join(media))?;
    }
    move_into_place(&built, &staging.path().join("old"), &parent, &placed)?;
    Ok(plan)
}

/// Moves each of `names` from `built` to `parent`, in order; an existing one is first moved
/// aside into `aside`. On failure, what was moved is taken back and what was aside restored.
fn move_into_place(built: &Path, aside: &Path, parent: &Path, names: &[String]) -> Result<()> {
    let mut done: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
    let undo = |done: &[(PathBuf, Option<PathBuf>)]| {
        for (dest, old) in done.iter().rev() {
            let _ = if dest.is_dir() { fs::remove_dir_all(dest) } else { fs::remove_file(dest) };
            if let Some(old) = old {
                let _ = fs::rename(old, dest);
            }
        }
    };
    for n in names {
        let dest = parent.join(n);
        let mut old = None;
        if fs::symlink_metadata(&dest).is_ok() {
            let to = aside.join(n);
            let moved = fs::create_dir_all(aside).and_then(|()| fs::rename(&dest, &to));
            if let Err(e) = moved {
                undo(&done);
                return Err(Error::Write(e, dest));
            }
            old = Some(to);
        }
        if let Err(e) = fs::rename(built.join(n), &dest) {
            if let Some(o) = &old {
                let _ = fs::rename(o, &dest);
            }
            undo(&done);
            return Err(Error::Write(e, dest));
        }
        done.push((dest, old));
    }
    Ok(())
}
