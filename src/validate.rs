//! Stage 3, validate: JSON Schema (draft 2020-12) structure checks, turned into violations that
//! point at the property at fault rather than at its parent object.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde_json::Value;

pub const MANIFEST_SCHEMA: &str = include_str!("../schemas/agent-manifest.v1.schema.json");
pub const CONFIG_SCHEMA: &str = include_str!("../schemas/agentgate-config.v1.schema.json");
pub const DATA_SCHEMA: &str = include_str!("../schemas/agentgate-data.v1.schema.json");

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// JSON pointer of the offending property itself (for a missing one, where it should be).
    pub pointer: String,
    pub message: String,
}

fn compile(schema_text: &str) -> Validator {
    // The schemas are compiled into the binary and checked by the test suite, so a failure
    // here is a build defect, not an input error.
    let schema: Value = serde_json::from_str(schema_text).expect("embedded schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("embedded schema compiles")
}

pub fn manifest_validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| compile(MANIFEST_SCHEMA))
}

pub fn config_validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| compile(CONFIG_SCHEMA))
}

fn child(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// Every schema violation of `value`, sorted, one per offending property.
pub fn violations(validator: &Validator, value: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        let at = error.instance_path().to_string();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(Violation {
                    pointer: child(&at, name),
                    message: format!("required field `{name}` is missing"),
                });
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                out.extend(unexpected.iter().map(|name| Violation {
                    pointer: child(&at, name),
                    message: format!(
                        "unknown field `{name}`: check its spelling (an unknown field could hide a setting from the rules); custom fields start with `x-`"
                    ),
                }));
            }
            _ => {
                let field = at.rsplit('/').next().filter(|s| !s.is_empty());
                let message = match field {
                    Some(field) => format!("`{field}`: {error}"),
                    None => error.to_string(),
                };
                out.push(Violation {
                    pointer: at,
                    message,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
