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
    /// List the mappings shipped with carton.
    Mappings,
    /// Print a shell completion script.
    Completions(CompletionsArgs),
}

/// `carton export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The site's root folder (where hugo.toml or config.toml is).
    pub site: PathBuf,
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
    pub archive: PathBuf,
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
}

/// What `import` and `convert` share.
#[derive(Debug, Args)]
pub struct ImportFlags {
    /// The generator to write.
    #[arg(long, value_enum)]
    pub to: TargetArg,
    /// The site folder to write.
    #[arg(short, long)]
    pub output: PathBuf,
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
}

/// `carton completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}
