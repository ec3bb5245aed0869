//! What each version says about itself, beside the site's files: its content model
//! (`.carton/carton.json.gz`, with the digests the store holds), that model's JSON Schema,
//! and an RO-Crate 1.2 description of the version (`.carton/ro-crate-metadata.json.gz`).
//!
//! The model and the RO-Crate change with every version and are stored again each time, so
//! they are gzip-compressed (3.3 MB become 0.46 MB for the EIG site). The RO-Crate describes
//! the tree `carton restore --with-metadata` writes: the site's files, `.carton/carton.json`
//! and its schema, with `ro-crate-metadata.json` at the root, which makes that tree an
//! attached RO-Crate that other people's tools read.

use super::{CARTON_JSON, CARTON_SCHEMA_JSON, FileDigest, RO_CRATE};
use crate::archive::{Algorithm, CARTON_SCHEMA, digest_bytes};
use crate::error::{Error, Result};
use crate::model::{FileEntry, FileRole};
use crate::source::{SiteRead, is_document, media_type};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::collections::BTreeMap;
use std::io::{Read, Write};

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
        entry(CARTON_JSON_PLAIN, &json, "application/json"),
        entry(CARTON_SCHEMA_JSON, CARTON_SCHEMA.as_bytes(), "application/schema+json"),
    ];
    // The RO-Crate is built and compressed while the model is compressed.
    let (model_gz, ro_crate_gz) = rayon::join(
        || gzip(&json),
        || -> Result<Vec<u8>> {
            let ro_crate = crate::archive::build_ro_crate(&model, "", date, &extra);
            let ro_crate = serde_json::to_vec_pretty(&ro_crate)
                .map_err(|e| Error::Json(e, RO_CRATE.into()))?;
            Ok(gzip(&ro_crate))
        },
    );
    Ok(vec![
        (CARTON_JSON.to_string(), model_gz),
        (CARTON_SCHEMA_JSON.to_string(), CARTON_SCHEMA.as_bytes().to_vec()),
        (RO_CRATE.to_string(), ro_crate_gz?),
    ])
}

/// Where `carton restore --with-metadata` writes the version's content model.
pub(crate) const CARTON_JSON_PLAIN: &str = ".carton/carton.json";

/// The largest generated file carton decompresses: far above any real site's model, and a
/// bound on what a damaged or hostile store can make it allocate.
const MAX_PLAIN: u64 = 1 << 30;

/// Gzip with no file name and no time in the header, so the same model gives the same bytes
/// (and is stored once). The default level: the best one is 2% smaller and 40% slower.
pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::with_capacity(bytes.len() / 6), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// The bytes of a generated file as stored, decompressed; `path` names it in errors.
pub(crate) fn gunzip(bytes: &[u8], path: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .take(MAX_PLAIN + 1)
        .read_to_end(&mut out)
        .map_err(|e| Error::Read(e, path.into()))?;
    if out.len() as u64 > MAX_PLAIN {
        return Err(Error::Read(
            std::io::Error::other(format!("decompresses to more than {} GiB", MAX_PLAIN >> 30)),
            path.into(),
        ));
    }
    Ok(out)
}
