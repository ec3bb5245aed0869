//! Command-line arguments (clap derive). Doc comments are the help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// carton: export static sites into checksummed, self-describing archives (BagIt + RO-Crate),
/// verify them, and inspect them.
#[derive(Debug, Parser)]
#[command(name = "carton", version, about, long_about = None, after_help = EXIT_STATUS)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
    /// Global flags.
    #[command(flatten)]
    pub global: Global,
}

/// Shown after the help text, like a man page's EXIT STATUS.
pub const EXIT_STATUS: &str = "Exit status:\n  0    success (verify: the archive is intact)\n  1    could not finish (I/O, configuration, bad input)\n  2    usage error\n  3    finished, but found problems (verify: damaged archive; export --strict: problems in the site)\n  130  interrupted (Ctrl-C)";

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// More output on stderr (-v: each step; -vv: debug).
    #[arg(short, long, action = clap::ArgAction::Count, global = true, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Less output: -q hides the summary's details, -qq everything but errors.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub quiet: u8,
    /// Print results as JSON on stdout, for machines.
    #[arg(long, global = true)]
    pub json: bool,
    /// Never draw a progress bar.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// When to use colours on stderr.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colours when stderr is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export a site into a checksummed archive (a zip holding a BagIt bag with RO-Crate metadata).
    Export(ExportArgs),
    /// Verify an archive (zip or bag folder): structure, every checksum, missing and extra files.
    Verify(VerifyArgs),
    /// Summarise an archive: pages by section, files, documents, videos, problems.
    Inspect(InspectArgs),
    /// Import an archive into a site for another generator (hugo, jekyll), driven by a mapping.
    Import(ImportArgs),
    /// Export a site and import it for another generator in one step.
    Convert(ConvertArgs),
    /// Add a version of a site to a snapshot store (OCFL 1.1): only what changed is stored.
    Snapshot(SnapshotArgs),
    /// List the versions of a site in a snapshot store.
    Log(LogArgs),
    /// Write the exact tree of a stored version into a new folder.
    Restore(RestoreArgs),
    /// What changed between two versions: pages (front matter field by field, body lines),
    /// files, videos, documents.
    Diff(DiffArgs),
    /// List the mappings shipped with carton.
    Mappings,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `carton export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The site's root folder (where hugo.toml, config.toml or _config.yml is).
    #[arg(required_unless_present = "repo")]
    pub site: Option<PathBuf>,
    /// Export a version of a snapshot store (`carton snapshot`) instead of a site folder.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["site", "follow_links", "config", "fetch"])]
    pub repo: Option<PathBuf>,
    /// With --repo: the site's id (needed when the store holds several sites).
    #[arg(long, requires = "repo")]
    pub id: Option<String>,
    /// With --repo: the version (`v1`, `v2`, ...; default: the latest).
    #[arg(long, requires = "repo")]
    pub version: Option<String>,
    /// The archive to write (`site.zip`, or a folder with --format dir).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Write a zip (default) or the bag as a folder.
    #[arg(long, value_enum, default_value_t = FormatArg::Zip)]
    pub format: FormatArg,
    /// Replace the output if it exists.
    #[arg(long)]
    pub force: bool,
    /// Fail (exit 3, no archive written) when the site has problems: dangling references,
    /// unreadable front matter, unreadable files.
    #[arg(long)]
    pub strict: bool,
    /// Store the targets of symbolic links that stay inside the site (links out of it are never followed).
    #[arg(long)]
    pub follow_links: bool,
    /// Jekyll: configuration files read after `_config.yml`, each overriding the ones before
    /// (as `jekyll build --config`), comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    pub config: Vec<PathBuf>,
    /// Network options.
    #[command(flatten)]
    pub fetch: FetchFlags,
}

/// What `--fetch` gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FetchWhat {
    /// Documents and videos.
    All,
    /// Remote documents (PDF, office files), and the other remote links whose URL does not
    /// tell what they are (checked, stored when they turn out to be documents).
    Documents,
    /// Each video's oEmbed metadata (title, author, thumbnail, duration) and thumbnail.
    Videos,
}

/// `--fetch` and its settings. Without `--fetch`, carton never touches the network.
#[derive(Debug, Args)]
#[command(next_help_heading = "Network (only with --fetch)")]
pub struct FetchFlags {
    /// Fetch what the pages point at on other hosts into the archive, with where and when
    /// it came from: `--fetch` (everything) or `--fetch=documents,videos`.
    #[arg(long, value_enum, value_delimiter = ',', num_args = 0..=1, require_equals = true,
          default_missing_value = "all", value_name = "WHAT")]
    pub fetch: Vec<FetchWhat>,
    /// Keep downloads in DIR across runs; the next run asks the servers whether they
    /// changed (If-None-Match, If-Modified-Since) and downloads only what did.
    #[arg(long, value_name = "DIR", requires = "fetch")]
    pub fetch_cache: Option<PathBuf>,
    /// Largest document stored (bytes, or with K, M, G: 200M).
    #[arg(long, value_name = "SIZE", default_value = "200M", value_parser = parse_size)]
    pub fetch_max_size: u64,
    /// Seconds to wait for a connection, or for the next bytes of an answer.
    #[arg(long, value_name = "SECS", default_value_t = carton::fetch::DEFAULT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub fetch_timeout: u64,
    /// Seconds a whole request may take, body included (raise it for very large documents
    /// on slow links).
    #[arg(long, value_name = "SECS", default_value_t = carton::fetch::DEFAULT_TOTAL_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub fetch_total_timeout: u64,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = carton::fetch::DEFAULT_JOBS as u64, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub fetch_jobs: u64,
    /// Requests in flight at once to one host (be polite to small servers).
    #[arg(long, value_name = "N", default_value_t = carton::fetch::DEFAULT_PER_HOST as u64, value_parser = clap::value_parser!(u64).range(1..=64))]
    pub fetch_per_host: u64,
    /// Retries of a request that failed with 408, 429, 5xx, a timeout or a reset connection, with
    /// exponential backoff (Retry-After is honoured up to 120 s).
    #[arg(long, value_name = "N", default_value_t = carton::fetch::DEFAULT_MAX_RETRIES)]
    pub fetch_retries: u32,
    /// First backoff delay, in milliseconds; doubled at each retry.
    #[arg(long, value_name = "MS", default_value_t = carton::fetch::DEFAULT_RETRY_DELAY.as_millis() as u64)]
    pub fetch_retry_delay: u64,
    /// An oEmbed endpoint to use for a provider instead of its published one (a mirror, a
    /// test server, or Dailymotion's endpoint with `?player=ID`): `dailymotion=URL`. Repeatable.
    #[arg(long, value_name = "PROVIDER=URL", value_parser = parse_endpoint, requires = "fetch")]
    pub oembed: Vec<(String, String)>,
}

/// `200M` → 200 000 000 (decimal units, as download sizes are shown).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => {
            let unit = t[i..].to_ascii_uppercase();
            let mult = match unit.trim_end_matches('B') {
                "" => 1,
                "K" => 1_000,
                "M" => 1_000_000,
                "G" => 1_000_000_000,
                _ => return Err(format!("unknown unit `{}`: use K, M or G", &t[i..])),
            };
            (&t[..i], mult)
        }
        None => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size: write a number of bytes, or 200M, 2G"))
}

fn parse_endpoint(s: &str) -> Result<(String, String), String> {
    let (provider, url) = s.split_once('=').ok_or_else(|| format!("`{s}`: write PROVIDER=URL"))?;
    let provider = provider.trim().to_ascii_lowercase();
    if !matches!(provider.as_str(), "dailymotion" | "youtube" | "vimeo") {
        return Err(format!("`{provider}`: the providers are dailymotion, youtube and vimeo"));
    }
    url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| format!("`{url}` is not an http(s) URL"))?;
    Ok((provider, url.to_string()))
}

impl FetchFlags {
    /// The library's options, or `None` without `--fetch`.
    pub fn options(&self) -> Option<carton::fetch::FetchOptions> {
        if self.fetch.is_empty() {
            return None;
        }
        let all = self.fetch.contains(&FetchWhat::All);
        Some(carton::fetch::FetchOptions {
            documents: all || self.fetch.contains(&FetchWhat::Documents),
            videos: all || self.fetch.contains(&FetchWhat::Videos),
            cache: self.fetch_cache.clone(),
            max_size: self.fetch_max_size,
            timeout: std::time::Duration::from_secs(self.fetch_timeout),
            total_timeout: std::time::Duration::from_secs(self.fetch_total_timeout),
            jobs: self.fetch_jobs as usize,
            per_host: self.fetch_per_host as usize,
            retries: self.fetch_retries,
            retry_delay: std::time::Duration::from_millis(self.fetch_retry_delay),
            oembed: self.oembed.iter().cloned().collect(),
            ..Default::default()
        })
    }
}

/// Archive layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A zip holding one top-level folder, the bag.
    Zip,
    /// The bag as a folder.
    Dir,
}

/// `carton verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The archive: a zip, or an unpacked bag folder.
    #[arg(required_unless_present = "repo", conflicts_with = "repo")]
    pub archive: Option<PathBuf>,
    /// Verify a snapshot store instead: every stored file of every version, and the
    /// inventories.
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
}

/// `carton snapshot`.
#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// The site's root folder.
    pub site: PathBuf,
    /// The snapshot store (an OCFL storage root; created when absent or empty).
    #[arg(long, value_name = "DIR")]
    pub repo: PathBuf,
    /// The site's id in the store (default: its baseURL).
    #[arg(long)]
    pub id: Option<String>,
    /// A message recorded with the version.
    #[arg(long, short)]
    pub message: Option<String>,
    /// Read and hash every file, instead of trusting size and modification time.
    #[arg(long)]
    pub rehash: bool,
    /// Add a version even when nothing changed.
    #[arg(long)]
    pub allow_empty: bool,
    /// Who takes the snapshot, recorded in the version (default: the account's name).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// A URI for that person (`mailto:archives@example.org`), recorded with the name.
    #[arg(long, value_name = "URI")]
    pub user_address: Option<String>,
    /// Store the targets of symbolic links that stay inside the site.
    #[arg(long)]
    pub follow_links: bool,
    /// Jekyll: configuration files read after `_config.yml` (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    pub config: Vec<PathBuf>,
}

/// Which site of a store: given, or the only one.
#[derive(Debug, Args)]
pub struct StoreSite {
    /// The snapshot store.
    #[arg(long, value_name = "DIR")]
    pub repo: PathBuf,
    /// The site's id (needed when the store holds several sites).
    #[arg(long)]
    pub id: Option<String>,
}

/// `carton log`.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The store and site.
    #[command(flatten)]
    pub store: StoreSite,
}

/// `carton diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The store and site.
    #[command(flatten)]
    pub store: StoreSite,
    /// The older version (`v1`).
    pub from: String,
    /// The newer version (`v2`).
    pub to: String,
}

/// `carton restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The store and site.
    #[command(flatten)]
    pub store: StoreSite,
    /// The version (`v1`, `v2`, ...; default: the latest).
    #[arg(long)]
    pub version: Option<String>,
    /// The folder to write (must not exist, unless --force).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Also write the version's description: `.carton/carton.json` (its content model),
    /// its schema, and `ro-crate-metadata.json` at the root (the tree is then an RO-Crate).
    #[arg(long)]
    pub with_metadata: bool,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `carton inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The archive: a zip, or an unpacked bag folder.
    pub archive: PathBuf,
}

/// Site generators carton writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Hugo.
    Hugo,
    /// Jekyll 4.
    Jekyll,
    /// Zola 0.22.
    Zola,
    /// WordPress: a WXR 1.2 export file for its importer. `-o` names the XML file
    /// (`site.xml`); beside it go `site-media/` (the attachments, to serve at
    /// `--media-base-url`), `site-redirects.nginx.map`, `site-redirects.txt` and
    /// `site-report.md`.
    Wxr,
}

/// What `import` and `convert` share.
#[derive(Debug, Args)]
pub struct ImportFlags {
    /// The generator to write.
    #[arg(long, value_enum)]
    pub to: TargetArg,
    /// The site folder to write (with `--to wxr`: the XML file).
    #[arg(short, long)]
    pub output: PathBuf,
    /// With `--to wxr`: the URL where the media folder written beside the XML will be
    /// served when WordPress imports it (attachment URLs are this URL, then `YYYY/MM/name`).
    /// Default: the site's base URL and `/wp-content/uploads`.
    #[arg(long, value_name = "URL")]
    pub media_base_url: Option<String>,
    /// A mapping file (see mappings/README.md); default: the shipped one for this direction
    /// (none for Hugo to Hugo, which gives the source back byte for byte).
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Print what would be written where, and what cannot be converted; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace the output folder if it exists.
    #[arg(long)]
    pub force: bool,
    /// Do not write the minimal layouts that make the site build.
    #[arg(long)]
    pub no_layouts: bool,
    /// Copy the archive's copies of remote documents (made by `export --fetch`) into the
    /// site, under remote/, and point the links at them.
    #[arg(long)]
    pub localize_remote: bool,
    /// Where to write the report: a name inside the output folder (default
    /// carton-report.md), or `-` for none.
    #[arg(long, default_value = "carton-report.md")]
    pub report: String,
}

/// `carton import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The archive: a zip, or an unpacked bag folder.
    pub archive: PathBuf,
    /// Import without verifying the archive first (a warning is printed).
    #[arg(long)]
    pub no_verify: bool,
    /// Import options.
    #[command(flatten)]
    pub import: ImportFlags,
}

/// `carton convert`.
#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The site's root folder.
    pub site: PathBuf,
    /// Store the targets of symbolic links that stay inside the site.
    #[arg(long)]
    pub follow_links: bool,
    /// Jekyll: configuration files read after `_config.yml` (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "FILES")]
    pub config: Vec<PathBuf>,
    /// Import options.
    #[command(flatten)]
    pub import: ImportFlags,
    /// Network options (last: they open their own help section).
    #[command(flatten)]
    pub fetch: FetchFlags,
}

/// `carton completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
