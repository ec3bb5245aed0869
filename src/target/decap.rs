//! Decap CMS: translates the source site's `admin/config.yml` for the target.
