//! One file per command.

pub mod export;
pub mod inspect;
pub mod verify;
