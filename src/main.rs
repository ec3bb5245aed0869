//! The `carton` binary: parse arguments, run, turn the outcome into an exit code.

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::args::Cli::parse();
    cli::run(args).into()
}
