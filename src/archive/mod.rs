//! The archive: a BagIt 1.0 bag (as a zip holding one top-level folder, or as a folder) with
//! the site's files, carton's content model and an RO-Crate 1.2 description; and its
//! verification.

mod bagit;
mod digest;
mod reader;
mod rocrate;
mod schema;
mod verify;
mod writer;

pub use bagit::PROFILE_ID;
pub use digest::{Algorithm, Digests};
pub(crate) use digest::{MultiHasher, digest_bytes};
pub(crate) use reader::unsafe_name;
pub use reader::{Archive, Entry};
pub use rocrate::build as build_ro_crate;
pub use schema::{CARTON_SCHEMA, validate_model};
pub use verify::{Finding, VerifyReport, verify};
pub use writer::{
    Format, ProgressFn, SITE_ROOT, WriteOptions, WriteReport, bag_name, check_output, write,
};
