//! carton: a toolkit for content migration and archival of static sites.
//!
//! # Architecture
//!
//! | module | owns |
//! |---|---|
//! | [`source`] | site readers: detect the generator, list every file, parse front matter, shortcodes and references, resolve them |
//! | [`model`] | the neutral content model, serialised as `carton.json` |
//! | [`archive`] | writing BagIt bags with RO-Crate metadata (zip or folder), reading and verifying them |
//! | [`fetch`] | `--fetch`: remote documents, link checks, oEmbed metadata and thumbnails, with their provenance |
//! | [`mapping`] | mappings: the YAML rules that drive an import |
//! | [`target`] | targets: writing an archive's site for Hugo or Jekyll |
//! | [`snapshot`] | snapshots: a site's history in an OCFL storage root, deduplicated, restorable, verifiable |
//! | [`output`] | writing outputs atomically (staged beside, moved into place) |
//! | [`error`] | the library's error type |
//! | `cli` (binary only) | argument parsing, progress, output formats, exit codes |
//!
//! The library never prints and never exits: it returns models, reports and errors.
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//! use std::sync::atomic::AtomicBool;
//! let site = carton::source::read_site(Path::new("my-site"), &Default::default())?;
//! let opts = carton::archive::WriteOptions {
//!     format: carton::archive::Format::Zip,
//!     force: false,
//!     source_date_epoch: None,
//! };
//! let stop = AtomicBool::new(false);
//! let (model, report) =
//!     carton::archive::write(site, Path::new("my-site"), Path::new("site.zip"), &opts, &|_| {}, &stop)?;
//! let check = carton::archive::verify(&report.path, &|_| {}, &stop)?;
//! assert!(check.valid);
//! # Ok::<(), carton::error::Error>(())
//! ```
#![deny(missing_docs)]

pub mod archive;
pub mod error;
pub mod fetch;
pub mod mapping;
pub mod model;
pub mod output;
pub mod snapshot;
pub mod source;
pub mod target;

pub use error::{Error, Result};
