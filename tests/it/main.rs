//! Integration tests: one binary (see Cargo.toml), one module per concern.

mod common;
mod corpus;
mod export;
mod import;
mod jekyll;
mod tools;
mod verify;
mod zola;
