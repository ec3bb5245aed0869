//! The command-line interface: the only code that prints or chooses an exit code.

pub mod args;
mod cmd;
mod exit;
mod output;
mod progress;

pub use exit::Exit;

use args::{Cli, Command};
use clap::CommandFactory;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Exit {
    let out = output::Out::new(&cli.global);
    init_logging(&cli.global);
    let interrupt = Arc::new(AtomicBool::new(false));
    {
        let flag = interrupt.clone();
        // First Ctrl-C: stop cleanly (temporary files are removed as the run unwinds);
        // second: leave at once.
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }
    let result = match &cli.command {
        Command::Export(a) => cmd::export::run(a, &out, &interrupt),
        Command::Verify(a) => cmd::verify::run(a, &out, &interrupt),
        Command::Inspect(a) => cmd::inspect::run(a, &out),
        Command::Import(a) => cmd::import::run_import(a, &out, &interrupt),
        Command::Convert(a) => cmd::import::run_convert(a, &out, &interrupt),
        Command::Snapshot(a) => cmd::snapshot::run_snapshot(a, &out, &interrupt),
        Command::Log(a) => cmd::snapshot::run_log(a, &out),
        Command::Diff(a) => cmd::snapshot::run_diff(a, &out),
        Command::Restore(a) => cmd::snapshot::run_restore(a, &out, &interrupt),
        Command::Mappings => cmd::import::run_mappings(&out),
        Command::Completions(a) => {
            clap_complete::generate(a.shell, &mut Cli::command(), "carton", &mut std::io::stdout());
            Ok(Exit::Ok)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            if interrupt.load(Ordering::SeqCst)
                || e.downcast_ref::<carton::Error>()
                    .is_some_and(|e| matches!(e, carton::Error::Interrupted))
            {
                eprintln!("carton: interrupted");
                return Exit::Interrupted;
            }
            if is_broken_pipe(&e) {
                return Exit::Ok;
            }
            eprintln!("error: {e:#}");
            Exit::Failure
        }
    }
}

/// A closed stdout (`carton inspect | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().and_then(serde_json::Error::io_error_kind)
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(g: &args::Global) {
    let level = match (g.quiet, g.verbose) {
        (q, _) if q > 0 => log::LevelFilter::Error,
        (_, 0) => log::LevelFilter::Warn,
        (_, 1) => log::LevelFilter::Info,
        _ => log::LevelFilter::Debug,
    };
    let mut b = env_logger::Builder::new();
    b.filter_level(level).format_timestamp(None).format_target(false);
    if let Ok(spec) = std::env::var("RUST_LOG") {
        b.parse_filters(&spec);
    }
    let _ = b.try_init();
}
