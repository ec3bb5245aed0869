//! A version as a site to archive: its content model, read back from its `carton.json`, and
//! its files where the store holds them, so `carton export --repo` writes the archive of any
//! version without restoring it first.

use super::restore::{content_file, unknown_version};
use super::{CARTON_JSON, RESERVED_PREFIX, Repo};
use crate::error::{Error, Result};
use crate::model::{FileRole, Model};
use crate::source::{SiteRead, SourceFile};
use std::collections::BTreeMap;

impl Repo {
    /// The site of `version` of object `id`, ready for [`crate::archive::write`]: the model of
    /// its `carton.json` (whose files keep the SHA-256 the store recorded, which the writer
    /// then checks every stored byte against) and each site file at its place in the object.
    ///
    /// # Errors
    /// When the object or version does not exist, its `carton.json` is missing, damaged or
    /// not carton's, or the store lacks a file it lists.
    pub fn site_read(&self, id: &str, version: &str) -> Result<SiteRead> {
        let (obj, inv) = self.load(id)?;
        let (_, v) = inv.version(version).ok_or_else(|| unknown_version(&inv, version))?;
        let place = || obj.join(format!("{version}:{CARTON_JSON}"));
        let json = super::describe::gunzip(
            &self.read(id, version, CARTON_JSON)?,
            &place().display().to_string(),
        )?;
        let mut model: Model = serde_json::from_slice(&json)
            .map_err(|e| Error::Json(e, place().display().to_string()))?;
        if model.format != "carton" {
            return Err(Error::BadInventory {
                path: place(),
                msg: "not a carton content model".into(),
            });
        }
        model.site.root = crate::archive::SITE_ROOT.into();
        let listed: BTreeMap<&str, (u64, FileRole)> =
            model.files.iter().map(|f| (f.path.as_str(), (f.size, f.role))).collect();
        let mut files = Vec::new();
        for (digest, paths) in &v.state {
            let abs = content_file(&obj, &inv, digest)?;
            for p in paths.iter().filter(|p| !p.starts_with(RESERVED_PREFIX)) {
                // A file the model does not list was unreadable when the snapshot was taken
                // and its model written; it is stored all the same.
                let (size, role) = match listed.get(p.as_str()) {
                    Some(&known) => known,
                    None => {
                        let size =
                            std::fs::metadata(&abs).map_err(|e| Error::Read(e, abs.clone()))?.len();
                        (size, FileRole::Other)
                    }
                };
                files.push(SourceFile {
                    rel: p.clone(),
                    abs: abs.clone(),
                    size,
                    role,
                    bytes: None,
                });
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        let stored: std::collections::BTreeSet<&str> =
            files.iter().map(|f| f.rel.as_str()).collect();
        if let Some(missing) = model.files.iter().find(|f| !stored.contains(f.path.as_str())) {
            return Err(Error::BadInventory {
                path: place(),
                msg: format!("lists {} which the version does not hold", missing.path),
            });
        }
        Ok(SiteRead { model, files, remote: Vec::new() })
    }
}
