//! One file per command.

pub mod export;
pub mod import;
pub mod inspect;
pub mod snapshot;
pub mod verify;
