//! Integration tests: one binary (see Cargo.toml), one module per concern.

mod common;
mod corpus;
mod disk_full;
mod existing;
mod export;
mod fetch;
mod hostile_archive;
mod hostile_site;
mod http;
mod import;
mod interrupt;
mod jekyll;
mod localize;
mod snapshot;
mod tools;
mod verify;
mod wxr;
mod wxr_out;
mod zola;
