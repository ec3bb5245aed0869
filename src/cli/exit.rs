//! Exit codes, documented in `carton --help`.

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Could not finish.
    Failure = 1,
    /// Usage error (clap reports those itself).
    #[allow(dead_code)]
    Usage = 2,
    /// Finished, but found problems.
    Problems = 3,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}
