//! What each version says about itself, beside the site's files: its content model
//! (`.carton/carton.json`, with the digests the store holds), that model's JSON Schema, and
//! an RO-Crate 1.2 description of the version (`.carton/ro-crate-metadata.json`).
//!
//! The RO-Crate's identifiers are relative to the version's root, where the site's files are:
//! `carton restore --with-metadata` puts it there, which makes the restored tree an attached
//! RO-Crate that other people's tools read.

use super::{CARTON_JSON, CARTON_SCHEMA_JSON, FileDigest, RO_CRATE};
use crate::archive::{Algorithm, CARTON_SCHEMA, digest_bytes};
use crate::error::{Error, Result};
use crate::model::{FileEntry, FileRole};
use crate::source::{SiteRead, is_document, media_type};
use std::collections::BTreeMap;

/// The generated files of a version of `site`, by logical path: `digests` gives each site
/// file's SHA-256 and size as stored (files without one, unreadable when listed, are left
/// out of the model, as an export leaves them out of its archive). `date` is the version's
/// date (`YYYY-MM-DD`).
///
/// # Errors
/// When the model cannot be serialised.
pub fn describe_version(
    site: &SiteRead,
    digests: &BTreeMap<String, FileDigest>,
    date: &str,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut model = site.model.clone();
    // In a version, the site's files are at its root.
    model.site.root = String::new();
    model.files = site
        .files
        .iter()
        .filter_map(|f| {
            let d = digests.get(&f.rel)?;
            Some(FileEntry {
                path: f.rel.clone(),
                size: d.size,
                sha256: d.sha256.clone(),
                media_type: media_type(&f.rel).into(),
                role: f.role,
                document: is_document(&f.rel),
            })
        })
        .collect();
    // Compact: a version's carton.json is stored again whenever a page changes, and
    // indentation would make it 60% larger.
    let json = serde_json::to_vec(&model).map_err(|e| Error::Json(e, CARTON_JSON.into()))?;
    let entry = |path: &str, bytes: &[u8], media_type: &str| {
        let d = digest_bytes(bytes, &[Algorithm::Sha256]);
        FileEntry {
            path: path.into(),
            size: d.size,
            sha256: d.sha256.unwrap_or_default(),
            media_type: media_type.into(),
            role: FileRole::Other,
            document: false,
        }
    };
    let extra = [
        entry(CARTON_JSON, &json, "application/json"),
        entry(CARTON_SCHEMA_JSON, CARTON_SCHEMA.as_bytes(), "application/schema+json"),
    ];
    let ro_crate = crate::archive::build_ro_crate(&model, "", date, &extra);
    let ro_crate =
        serde_json::to_vec_pretty(&ro_crate).map_err(|e| Error::Json(e, RO_CRATE.into()))?;
    Ok(vec![
        (CARTON_JSON.to_string(), json),
        (CARTON_SCHEMA_JSON.to_string(), CARTON_SCHEMA.as_bytes().to_vec()),
        (RO_CRATE.to_string(), ro_crate),
    ])
}
