//! Targets: turn an archive's content model and site files into another generator's site
//! (Hugo, Jekyll, Zola), driven by a mapping. A target makes a [`Plan`] (every output file,
//! from a source file or generated, and the report); [`write_plan`] writes it atomically.
//!
//! Every target keeps each page's URL: where the target cannot express it at the same
//! address, a redirect is written and reported.

pub mod body;
pub mod decap;
pub mod fields;
mod hugo;
mod hugo_jekyll;
mod joins;

mod jekyll;
pub mod report;
mod urls;
mod wordpress;
pub mod wxr_out;
mod zola;

use crate::error::{Error, Result};
use crate::mapping::{Format, Mapping};
use crate::model::Model;
use report::{Action, Report};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// What an output file holds.
#[derive(Debug, Clone)]
pub enum Content {
    /// Bytes made by carton.
    Bytes(Vec<u8>),
    /// A site file of the archive, copied as is (path relative to the site root).
    Copy(String),
    /// Another payload file of the archive (a fetched copy), path relative to `data/`.
    Payload(String),
}

/// One file of the output.
#[derive(Debug, Clone)]
pub struct OutFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    /// Its content.
    pub content: Content,
}

/// Everything an import will write, and its report.
#[derive(Debug)]
pub struct Plan {
    /// Output files, sorted by path.
    pub files: Vec<OutFile>,
    /// The report.
    pub report: Report,
}

impl Plan {
    /// An empty plan for `target`, its report naming the mapping and counting the model's
    /// files.
    fn new(target: &str, mapping: Option<&Mapping>, model: &Model) -> Plan {
        let name = mapping.map(|m| m.origin.display().to_string());
        Plan { files: Vec::new(), report: Report::new(target, name, model.files.len()) }
    }
}

/// Reads site files (paths relative to the site root) from wherever they are: an archive, or
/// a site folder.
pub trait SiteFiles {
    /// The bytes of a site file.
    ///
    /// # Errors
    /// When it cannot be read.
    fn read(&mut self, path: &str) -> Result<Vec<u8>>;
    /// Streams a site file into `out`; returns the bytes copied.
    ///
    /// # Errors
    /// When it cannot be read or written.
    fn copy_to(&mut self, path: &str, out: &mut dyn Write) -> Result<u64>;
    /// Streams a payload file outside the site (path relative to `data/`) into `out`.
    ///
    /// # Errors
    /// When it cannot be read or written, or the files have no payload beside the site.
    fn copy_payload_to(&mut self, path: &str, out: &mut dyn Write) -> Result<u64>;
}

/// Site files inside an archive (`data/site/...`).
pub struct ArchiveFiles<'a> {
    /// The archive.
    pub archive: &'a mut crate::archive::Archive,
    /// The site's folder in `data/`.
    pub root: String,
}

/// Largest page carton reads into memory to convert.
const MAX_PAGE: u64 = 256 << 20;

impl SiteFiles for ArchiveFiles<'_> {
    fn read(&mut self, path: &str) -> Result<Vec<u8>> {
        self.archive.read(&format!("data/{}/{path}", self.root), MAX_PAGE)
    }
    fn copy_to(&mut self, path: &str, out: &mut dyn Write) -> Result<u64> {
        self.copy_payload_to(&format!("{}/{path}", self.root), out)
    }
    fn copy_payload_to(&mut self, path: &str, out: &mut dyn Write) -> Result<u64> {
        let mut err = None;
        let n = self.archive.stream(&format!("data/{path}"), &mut |c| {
            if err.is_none()
                && let Err(e) = out.write_all(c)
            {
                err = Some(e);
            }
        })?;
        match err {
            Some(e) => Err(Error::Write(e, PathBuf::from(path))),
            None => Ok(n),
        }
    }
}

/// Options of an import.
pub struct ImportOptions {
    /// The target generator.
    pub to: Format,
    /// The mapping (`None`: the shipped one for the archive's generator and the target).
    pub mapping: Option<Mapping>,
    /// Write minimal layouts so that the site builds.
    pub layouts: bool,
    /// Copy the archived copies of remote documents into the site and point the links at
    /// them (`--localize-remote`).
    pub localize_remote: bool,
}

/// Makes the plan of an import.
///
/// # Errors
/// When the mapping does not fit the archive (wrong source format, a field no page has), when
/// two outputs would land on one path or URL, or when a page cannot be read.
pub fn plan(model: &Model, files: &mut dyn SiteFiles, opts: &ImportOptions) -> Result<Plan> {
    // Without a mapping, the shipped one for this source and target.
    let shipped;
    let opts = match (&opts.mapping, Format::from_name(&model.site.generator)) {
        (None, Some(from)) => {
            shipped = ImportOptions {
                to: opts.to,
                mapping: Mapping::shipped(from, opts.to),
                layouts: opts.layouts,
                localize_remote: opts.localize_remote,
            };
            &shipped
        }
        _ => opts,
    };
    if let Some(m) = &opts.mapping {
        if Format::from_name(&model.site.generator) != Some(m.from) {
            return Err(Error::Config {
                location: crate::error::Location {
                    path: m.origin.clone(),
                    line: m.line_of("from"),
                    column: 1,
                },
                msg: format!(
                    "this mapping reads {} sites, but the archive holds a {} site",
                    m.from.name(),
                    model.site.generator
                ),
            });
        }
        if m.to != opts.to {
            return Err(Error::Config {
                location: crate::error::Location {
                    path: m.origin.clone(),
                    line: m.line_of("to"),
                    column: 1,
                },
                msg: format!(
                    "this mapping writes {}, but --to asks for {}",
                    m.to.name(),
                    opts.to.name()
                ),
            });
        }
    }
    // Data joins first: the field rules may name the fields they bring.
    let mut join_notes = Vec::new();
    let joined = match &opts.mapping {
        Some(m) => joins::apply(model, files, m, &mut join_notes)?,
        None => None,
    };
    let model = joined.as_ref().unwrap_or(model);
    if let Some(m) = &opts.mapping {
        let known = known_fields(model);
        m.check_fields(&|f| known.contains(f))?;
    }
    if !matches!(model.site.generator.as_str(), "hugo" | "jekyll" | "wordpress") {
        return Err(Error::NotASite {
            path: PathBuf::from("data/carton.json"),
            msg: format!(
                "importing a {} site is not supported: carton imports Hugo, Jekyll and WordPress archives",
                model.site.generator
            ),
        });
    }
    let mut plan = match opts.to {
        Format::Hugo | Format::Jekyll if model.site.generator == "wordpress" => {
            wordpress::plan(model, files, opts)?
        }
        Format::Zola | Format::Wxr if model.site.generator == "wordpress" => {
            return Err(Error::NotASite {
                path: PathBuf::from("data/carton.json"),
                msg: "a WordPress site is imported into Hugo or Jekyll (--to hugo, --to jekyll)"
                    .into(),
            });
        }
        Format::Hugo if model.site.generator == "jekyll" => hugo_jekyll::plan(model, files, opts)?,
        Format::Hugo => hugo::plan(model, files, opts)?,
        // Into its own generator: the same tree, with only what the rules name changed.
        Format::Jekyll if model.site.generator == "jekyll" => hugo::plan(model, files, opts)?,
        Format::Jekyll => jekyll::plan(model, files, opts)?,
        Format::Zola => zola::plan(model, files, opts)?,
        Format::Wxr => wxr_out::plan(model, files, opts)?,
    };
    plan.report.notes.extend(join_notes);
    decap_config(model, files, opts, &mut plan)?;
    drop_record(&mut plan);
    check_collisions(&mut plan)?;
    plan.files.sort_by(|a, b| a.path.cmp(&b.path));
    plan.report.sort();
    Ok(plan)
}

/// Translates the site's Decap CMS configuration, where the plan copies it, for the target:
/// folders where the target put each folder's pages and files, fields as the mapping
/// renames them. A configuration that cannot be translated is kept as it was, and reported.
fn decap_config(
    model: &Model,
    files: &mut dyn SiteFiles,
    opts: &ImportOptions,
    plan: &mut Plan,
) -> Result<()> {
    let Some(schema) = &model.schema else { return Ok(()) };
    let source = schema.source.as_str();
    let Some(i) =
        plan.files.iter().position(|f| matches!(&f.content, Content::Copy(p) if p == source))
    else {
        return Ok(());
    };
    // Where the target put each source folder: the folder most of its pages, or of its
    // files kept under their name, went to.
    let pages: HashMap<&str, &crate::model::Page> =
        model.pages.iter().map(|p| (p.path.as_str(), p)).collect();
    let mut outputs: HashMap<String, String> = HashMap::new();
    let mut votes: HashMap<&str, BTreeMap<&str, usize>> = HashMap::new();
    let dir = |p: &str| p.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let mut dirs: Vec<(String, String)> = Vec::new();
    for o in &plan.report.files {
        let Some(out) = o.output.as_deref() else { continue };
        outputs.insert(o.source.clone(), out.to_string());
        let counts = match pages.get(o.source.as_str()) {
            Some(p) => p.kind == crate::model::PageKind::Page,
            None => name(&o.source) == name(out),
        };
        if counts {
            dirs.push((dir(&o.source), dir(out)));
        }
    }
    for (from, to) in &dirs {
        *votes.entry(from).or_default().entry(to).or_default() += 1;
    }
    let folders: HashMap<&str, &str> = votes
        .iter()
        .filter(|(from, _)| !from.is_empty())
        .filter_map(|(from, to)| Some((*from, *to.iter().max_by_key(|(_, n)| **n)?.0)))
        .collect();
    let folder = |p: &str| -> Option<String> {
        let p = p.trim_end_matches('/');
        if let Some(to) = folders.get(p) {
            return Some((*to).to_string());
        }
        // A folder with no file yet (an upload folder): below the nearest one that has.
        let mut at = p;
        while let Some((up, _)) = at.rsplit_once('/') {
            if let Some(to) = folders.get(up) {
                let rest = &p[up.len() + 1..];
                return Some(if to.is_empty() { rest.to_string() } else { format!("{to}/{rest}") });
            }
            at = up;
        }
        None
    };
    let file = |p: &str| -> Option<String> {
        outputs.get(p).cloned().or_else(|| {
            let (d, n) = p.rsplit_once('/')?;
            let to = folder(d)?;
            Some(if to.is_empty() { n.to_string() } else { format!("{to}/{n}") })
        })
    };
    let taxonomies: Vec<String> = model.taxonomies.iter().map(|t| t.name.clone()).collect();
    // Into its own generator, the CMS keeps its front matter and folders: only the field
    // rules apply, which is what the translation does for Hugo.
    let same = model.site.generator == opts.to.name();
    let t = decap::Translate {
        to: if same { Format::Hugo } else { opts.to },
        folder: &folder,
        file: &file,
        fields: opts.mapping.as_ref().map(|m| &m.fields),
        taxonomies: &taxonomies,
    };
    let bytes = files.read(source)?;
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            let why = "the Decap CMS configuration is not UTF-8: copied as it was";
            plan.report.reclassify(source, Action::Raw, why.into());
            return Ok(());
        }
    };
    let translated = decap::translate(&text, source, &t);
    match translated {
        Ok((new, notes)) => {
            plan.report.notes.extend(notes);
            if new != text {
                plan.files[i].content = Content::Bytes(new.into_bytes());
                let why = format!(
                    "Decap CMS configuration: folders and fields translated for {}",
                    opts.to.name()
                );
                plan.report.reclassify(source, Action::Converted, why);
            }
        }
        Err(e) => {
            let why =
                format!("the Decap CMS configuration cannot be translated ({e}): copied as it was");
            plan.report.reclassify(source, Action::Raw, why);
        }
    }
    Ok(())
}

/// Every front matter key any page has, and every field the site's CMS schema declares.
fn known_fields(model: &Model) -> std::collections::HashSet<String> {
    let mut known = std::collections::HashSet::new();
    for p in &model.pages {
        if let Some(obj) = p.front_matter.as_ref().and_then(|f| f.fields.as_object()) {
            known.extend(obj.keys().cloned());
        }
    }
    if let Some(schema) = &model.schema {
        for c in &schema.collections {
            known.extend(c.fields.iter().map(|f| f.name.clone()));
            for f in &c.files {
                known.extend(f.fields.iter().map(|f| f.name.clone()));
            }
        }
    }
    known
}

fn check_collisions(plan: &mut Plan) -> Result<()> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut folded: BTreeMap<String, usize> = BTreeMap::new();
    let mut notes = Vec::new();
    for (i, f) in plan.files.iter().enumerate() {
        if let Some(why) = crate::mapping::unsafe_output_path(&f.path) {
            return Err(Error::Import(format!("output path `{}` {why}", f.path)));
        }
        if let Some(&j) = seen.get(f.path.as_str()) {
            return Err(Error::Import(format!(
                "two outputs would be written at one path, `{}`: {} and {}; nothing was written",
                f.path,
                describe(&plan.files[j].content),
                describe(&f.content)
            )));
        }
        seen.insert(&f.path, i);
        // Names that differ only by case are two files here, one on case-insensitive file
        // systems (macOS, Windows): worth a note, not a refusal.
        if let Some(&j) = folded.get(&f.path.to_lowercase()) {
            notes.push(report::Note {
                path: f.path.clone(),
                line: 0,
                subject: "file name".into(),
                message: format!(
                    "differs from `{}` only by case: one file on case-insensitive file systems",
                    plan.files[j].path
                ),
            });
        }
        folded.insert(f.path.to_lowercase(), i);
    }
    plan.report.notes.extend(notes);
    Ok(())
}

/// Refuses two pages (or a page and an alias) that would be published at one URL: the
/// target would keep one of them without a word. Entries are (URL, what is there).
fn check_urls(entries: &mut [(String, String)]) -> Result<()> {
    let key = |u: &str| {
        let u = urls::decode(u);
        u.strip_suffix("index.html").unwrap_or(&u).trim_end_matches('/').to_string()
    };
    entries.sort_by_cached_key(|(u, _)| key(u));
    for w in entries.windows(2) {
        if key(&w[0].0) == key(&w[1].0) {
            return Err(Error::Import(format!(
                "two pages would be published at one URL, {}: {} and {}; nothing was written",
                w[0].0, w[0].1, w[1].1
            )));
        }
    }
    Ok(())
}

fn describe(c: &Content) -> String {
    match c {
        Content::Bytes(_) => "a generated file".into(),
        Content::Copy(p) => format!("a copy of {p}"),
        Content::Payload(p) => format!("a copy of data/{p} of the archive"),
    }
}

/// A site folder's record of an earlier import ([`crate::output::RECORD`]) is not site
/// content: the plan leaves it out, since every run writes its own.
fn drop_record(plan: &mut Plan) {
    let record = crate::output::RECORD;
    let Some(i) = plan.files.iter().position(|f| f.path == record) else { return };
    plan.files.remove(i);
    for o in &mut plan.report.files {
        if o.output.as_deref() == Some(record) {
            o.action = Action::Omitted;
            o.output = None;
            o.reason =
                Some("carton's record of an earlier import; this import writes its own".into());
        }
    }
}

/// Writes a plan into `output`: built in a temporary folder beside it and moved into place
/// when complete, so an interrupted import never leaves a partial site under the final name.
/// With `record`, the folder gets [`crate::output::RECORD`], the SHA-256 of every file
/// written. `existing` is the survey of the folder already there ([`crate::output::Existing`]):
/// the files it keeps are carried over, and nothing else of the old folder remains. Returns
/// the SHA-256 (hex) of every file written, by path.
///
/// # Errors
/// When the output exists and `existing` was not surveyed, or a file cannot be read or written.
pub fn write_plan(
    plan: &Plan,
    files: &mut dyn SiteFiles,
    output: &Path,
    existing: Option<&crate::output::Existing>,
    extra: &[(&str, Vec<u8>)],
    record: bool,
    interrupt: &AtomicBool,
) -> Result<BTreeMap<String, String>> {
    if existing.is_none() && fs::symlink_metadata(output).is_ok() {
        return Err(Error::OutputExists(output.to_path_buf()));
    }
    let parent = crate::output::parent_of(output);
    let name = output.file_name().and_then(|n| n.to_str()).unwrap_or("carton");
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempdir_in(&parent)
        .map_err(|e| Error::Write(e, parent.clone()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = fs::set_permissions(temp.path(), fs::Permissions::from_mode(0o755));
    }
    let root = temp.path();
    let all = plan
        .files
        .iter()
        .map(|f| (f.path.as_str(), Some(&f.content), None))
        .chain(extra.iter().map(|(p, b)| (*p, None, Some(b.as_slice()))));
    let mut written = BTreeMap::new();
    for (path, content, bytes) in all {
        if interrupt.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        let dest = root.join(path);
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(|e| Error::Write(e, dir.to_path_buf()))?;
        }
        // Every output path is distinct (check_collisions), yet on a case-insensitive or
        // normalising file system (macOS, Windows) `A.md` and `a.md`, or NFC and NFD `é`, are
        // one file: never open an existing file, so the second cannot silently replace the first.
        let f = fs::OpenOptions::new().write(true).create_new(true).open(&dest).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists && !dest.is_dir() {
                Error::Import(format!(
                    "`{path}` is the same file as another output on this file system (names that differ only by case or Unicode normalisation); nothing was imported: import on a case-sensitive file system"
                ))
            } else {
                Error::Write(e, dest.clone())
            }
        })?;
        let mut w =
            Hashing { inner: std::io::BufWriter::with_capacity(1 << 20, f), hash: Sha256::new() };
        match (content, bytes) {
            (Some(Content::Bytes(b)), _) => {
                w.write_all(b).map_err(|e| Error::Write(e, dest.clone()))?;
            }
            (None, Some(b)) => w.write_all(b).map_err(|e| Error::Write(e, dest.clone()))?,
            (Some(Content::Copy(src)), _) => {
                files.copy_to(src, &mut w)?;
            }
            (Some(Content::Payload(src)), _) => {
                files.copy_payload_to(src, &mut w)?;
            }
            (None, None) => {}
        }
        w.inner.into_inner().map_err(|e| Error::Write(e.into_error(), dest.clone()))?;
        written.insert(path.to_string(), hex::encode(w.hash.finalize()));
    }
    if record {
        let dest = root.join(crate::output::RECORD);
        fs::write(&dest, crate::output::record(&written)).map_err(|e| Error::Write(e, dest))?;
    }
    match existing {
        Some(e) => e.place(temp, output)?,
        None => crate::output::place_dir(temp, output, false)?,
    }
    Ok(written)
}

/// A writer that hashes what goes through it, for the record of what was written.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `--localize-remote`: the archived copies of remote documents are written under
/// `{published}remote/` (the folder the target publishes as is: `static/` for Hugo and
/// Zola, the site root for Jekyll), and `new_url` maps each document's URL to its copy, so
/// the body rewriter points the links there. Without the option, nothing changes.
fn localize_remote(
    model: &Model,
    opts: &ImportOptions,
    published: &str,
    plan: &mut Plan,
    new_url: &mut HashMap<String, String>,
) {
    if !opts.localize_remote {
        return;
    }
    // Each copy is written once, however many URLs lead to it.
    let mut written = BTreeSet::new();
    let mut place = |plan: &mut Plan,
                     new_url: &mut HashMap<String, String>,
                     url: &str,
                     path: &str,
                     purpose: String| {
        new_url.insert(url.to_string(), format!("/{path}"));
        if written.insert(path.to_string()) {
            let out = format!("{published}{path}");
            plan.files.push(OutFile { path: out.clone(), content: Content::Payload(path.into()) });
            plan.report.generated.push(report::Generated { output: out, purpose });
        }
    };
    let mut copies = 0;
    for d in model.documents.iter().filter(|d| !d.local) {
        let Some(rec) = d.fetch.as_ref() else { continue };
        let Some(path) = rec.path.as_deref() else { continue };
        let purpose = format!("archived copy of <{}>, downloaded {}", d.target, rec.retrieved);
        place(plan, new_url, &d.target, path, purpose);
        copies += 1;
    }
    // Video thumbnails, for the calls a target cannot embed (see body.rs).
    for v in &model.videos {
        let Some(o) = v.oembed.as_ref() else { continue };
        let (Some(url), Some(rec)) = (o.thumbnail_url.as_ref(), o.thumbnail.as_ref()) else {
            continue;
        };
        let Some(path) = rec.path.as_deref() else { continue };
        let purpose = format!("archived thumbnail of {} video {}", v.provider, v.id);
        place(plan, new_url, url, path, purpose);
    }
    let missing = model
        .documents
        .iter()
        .filter(|d| !d.local && d.fetch.as_ref().is_none_or(|r| r.path.is_none()))
        .count();
    plan.report.notes.push(report::Note {
        path: String::new(),
        line: 0,
        subject: "--localize-remote".into(),
        message: format!(
            "links to {copies} remote document(s) point at their archived copies under /remote/; {missing} remote document(s) have no archived copy (export with --fetch) and keep their links"
        ),
    });
}

/// Reports the references of a page that did not resolve in the source: they cannot resolve
/// in the target either.
fn unresolved(page: &crate::model::Page, report: &mut Report) {
    for r in &page.references {
        if let crate::model::Target::Missing { expected, near_match } = &r.target {
            report.unresolved_links.push(report::Note {
                path: page.path.clone(),
                line: r.span.line,
                subject: r.raw.clone(),
                message: match near_match {
                    Some(n) => format!("did not resolve in the source either (no {expected}; {n} differs only by case or accents)"),
                    None => format!("did not resolve in the source either (no {expected})"),
                },
            });
        }
    }
}

/// Top-level folders of a Hugo site that hold templates and build inputs, not content.
const HUGO_BUILD_DIRS: &[&str] = &[
    "layouts",
    "themes",
    "archetypes",
    "assets",
    "i18n",
    "resources",
    "data",
    "public",
    "node_modules",
];

/// Where a Hugo file that is neither page, static file nor resource goes in another
/// generator's site: data files into `data_dir`, Hugo's build folders under `_hugo/` (kept,
/// not published), anything else where it was.
fn other_file(path: &str, data_dir: &str) -> String {
    let top = path.split('/').next().unwrap_or("");
    if top == "data" {
        let e = ext(path).to_ascii_lowercase();
        if matches!(e.as_str(), "yml" | "yaml" | "json" | "csv" | "tsv") {
            return format!("{data_dir}/{}", &path["data/".len()..]);
        }
    }
    if HUGO_BUILD_DIRS.contains(&top) && path.contains('/') {
        return format!("_hugo/{path}");
    }
    path.to_string()
}

/// A file name without its folder and extension.
fn stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// A file name's extension (`md` when it has none).
fn ext(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or("md", |(_, e)| e)
}

/// Records a plain copy in the plan and the report.
fn copy(plan: &mut Plan, source: &str, output: &str) {
    plan.files.push(OutFile { path: output.into(), content: Content::Copy(source.into()) });
    plan.report.file(source, Action::Copied, Some(output), None);
}

/// Records a file generated by carton.
fn generated(plan: &mut Plan, output: &str, bytes: Vec<u8>, purpose: &str) {
    plan.files.push(OutFile { path: output.into(), content: Content::Bytes(bytes) });
    plan.report
        .generated
        .push(report::Generated { output: output.into(), purpose: purpose.into() });
}

/// Reads the content model of an archive.
///
/// # Errors
/// When `data/carton.json` is missing, too large, not JSON, or not a model this carton reads.
pub fn load_model(archive: &mut crate::archive::Archive, path: &Path) -> Result<Model> {
    let bytes = archive.read("data/carton.json", 1 << 30)?;
    let model: Model = serde_json::from_slice(&bytes).map_err(|e| Error::BadArchive {
        path: path.join("data/carton.json"),
        msg: format!("not a carton content model this version reads: {e}"),
    })?;
    // A later major version may mean other things by the same members (archive/SPEC.md §6).
    if model.format != "carton" || !model.format_version.starts_with("1.") {
        return Err(Error::BadArchive {
            path: path.join("data/carton.json"),
            msg: format!(
                "format `{}` version `{}`: this carton reads carton 1.x models; use a carton that matches it",
                model.format, model.format_version
            ),
        });
    }
    Ok(model)
}

/// Imports an archive: plans the target site from the archive's model and files and, unless
/// `dry_run`, writes it to `output` with the report as `report_name` inside it (when given).
/// The archive is not verified here: callers verify first (`carton import` does).
///
/// # Errors
/// As [`plan`] and [`write_plan`], and when the archive cannot be read.
pub fn import(
    archive_path: &Path,
    output: &Path,
    opts: &ImportOptions,
    force: bool,
    dry_run: bool,
    report_name: Option<&str>,
    interrupt: &AtomicBool,
) -> Result<Plan> {
    let output = &crate::output::named(output);
    let mut archive = crate::archive::Archive::open(archive_path)?;
    let model = load_model(&mut archive, archive_path)?;
    let root = model.site.root.clone();
    let mut files = ArchiveFiles { archive: &mut archive, root };
    let mut plan = plan(&model, &mut files, opts)?;
    if let Some(name) = report_name
        && (plan.files.iter().any(|f| f.path == name) || name == crate::output::RECORD)
    {
        return Err(Error::Import(format!(
            "the site has a file named {name}: name another report file with --report"
        )));
    }
    // What the folder already holds: a dry run says what a forced run would do with it.
    let mut new: HashSet<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    new.extend(report_name);
    new.insert(crate::output::RECORD);
    let existing = crate::output::Existing::survey(output, force || dry_run, &new)?;
    plan.report.existing = existing.clone();
    if !dry_run {
        let extra: Vec<(&str, Vec<u8>)> =
            report_name.map(|n| (n, plan.report.to_markdown().into_bytes())).into_iter().collect();
        write_plan(&plan, &mut files, output, existing.as_ref(), &extra, true, interrupt)?;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_from_the_source_site_is_left_out_of_the_plan_and_reported() {
        let record = crate::output::RECORD;
        let mut plan = Plan { files: Vec::new(), report: Report::new("hugo", None, 2) };
        copy(&mut plan, record, record);
        copy(&mut plan, "content/a.md", "content/a.md");
        drop_record(&mut plan);
        assert_eq!(plan.files.len(), 1);
        assert_eq!(plan.files[0].path, "content/a.md");
        let o = plan.report.files.iter().find(|o| o.source == record).unwrap();
        assert_eq!((o.action, o.output.as_deref()), (Action::Omitted, None));
        assert!(o.reason.as_deref().unwrap().contains("writes its own"));
    }
}
