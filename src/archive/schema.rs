//! The JSON Schema of `carton.json` (`archive/carton.schema.json`), embedded so that every
//! archive written or verified is checked against the same schema that is published.

use serde_json::Value;
use std::sync::LazyLock;

/// The schema text, as shipped in `archive/carton.schema.json`.
pub const CARTON_SCHEMA: &str = include_str!("../../archive/carton.schema.json");

static VALIDATOR: LazyLock<Result<jsonschema::Validator, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(CARTON_SCHEMA)
        .map_err(|e| format!("the embedded schema is not JSON: {e}"))?;
    jsonschema::validator_for(&schema).map_err(|e| format!("the embedded schema is invalid: {e}"))
});

/// Validates a `carton.json` value; returns one message per violation (empty when valid).
pub fn validate_model(value: &Value) -> Vec<String> {
    match &*VALIDATOR {
        Ok(v) => v
            .iter_errors(value)
            .map(|e| format!("{} (at {})", e, e.instance_path()))
            .take(100)
            .collect(),
        Err(e) => vec![e.clone()],
    }
}

/// Validates `value` against another schema (the one an archive of a newer 1.x carries).
pub fn validate_with(schema: &Value, value: &Value) -> Vec<String> {
    match jsonschema::validator_for(schema) {
        Ok(v) => v
            .iter_errors(value)
            .map(|e| format!("{} (at {})", e, e.instance_path()))
            .take(100)
            .collect(),
        Err(e) => vec![format!("the archive's schema is invalid: {e}")],
    }
}
