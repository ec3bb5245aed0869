//! One file per command.

pub mod export;
pub mod import;
pub mod inspect;
pub mod snapshot;
pub mod verify;

/// An output folder that existed is replaced by a new one in a single rename: a shell whose
/// current folder was in it is left in the old one, now removed. Says so when carton's own
/// current folder (the shell's, inherited) is gone.
fn moved_cwd_hint(out: &crate::cli::output::Out) {
    if std::env::current_dir().is_err() {
        out.warn(
            "the output folder was replaced by a new one, and the current folder was in it: `cd \"$PWD\"` to see the new one",
        );
    }
}
