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
    /// The offending value (or unknown field name) looks like a secret: the message names it
    /// only by its first characters and length, and renderers mask it in snippets.
    pub secret: bool,
}

/// Whether a string looks like a secret (the footprints' detectors; passed in, as this module
/// sits below them).
pub type IsSecret<'a> = &'a dyn Fn(&str) -> bool;

/// Every string in `value` (keys included) that the detector flags.
fn secrets_in(value: &Value, is_secret: IsSecret, out: &mut Vec<String>) {
    match value {
        Value::String(s) if is_secret(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| secrets_in(v, is_secret, out)),
        Value::Object(map) => {
            for (k, v) in map {
                if is_secret(k) {
                    out.push(k.clone());
                }
                secrets_in(v, is_secret, out);
            }
        }
        _ => {}
    }
}

/// A secret as schema messages may name it: its first characters and its length, as AG025
/// shows it.
fn redacted(secret: &str) -> String {
    format!("[{}]", crate::redact::redacted(secret))
}

/// `message` (which quotes `instance`, as jsonschema's messages do) with every secret in the
/// instance replaced by its redacted form; when a secret could still be in it (quoted with
/// escapes, say), a message that quotes nothing.
fn without_secrets(
    message: String,
    instance: &Value,
    field: Option<&str>,
    is_secret: IsSecret,
) -> (String, bool) {
    let mut secrets = Vec::new();
    secrets_in(instance, is_secret, &mut secrets);
    if secrets.is_empty() && !is_secret(&message) {
        return (message, false);
    }
    // Longest first, so that a secret inside another is not half replaced.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = message;
    for secret in &secrets {
        let quoted = Value::String(secret.clone()).to_string();
        out = out.replace(&quoted, &redacted(secret));
        out = out.replace(secret.as_str(), &redacted(secret));
    }
    if is_secret(&out) || secrets.iter().any(|s| out.contains(s.as_str())) {
        out = match field {
            Some(field) => format!(
                "`{field}`: the value breaks the schema (it is not shown: it looks like a secret)"
            ),
            None => {
                "the value breaks the schema (it is not shown: it looks like a secret)".to_string()
            }
        };
    }
    (out, true)
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
    violations_redacting(validator, value, &|_| false)
}

/// [`violations`], with every value or field name that `is_secret` flags named only by its
/// first characters and length (jsonschema's messages quote the value at fault).
pub fn violations_redacting(
    validator: &Validator,
    value: &Value,
    is_secret: IsSecret,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for error in validator.iter_errors(value) {
        let at = error.instance_path().to_string();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(Violation {
                    pointer: child(&at, name),
                    message: format!("required field `{name}` is missing"),
                    secret: false,
                });
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                out.extend(unexpected.iter().map(|name| {
                    let secret = is_secret(name);
                    let shown = if secret { redacted(name) } else { name.clone() };
                    Violation {
                        pointer: child(&at, name),
                        message: format!(
                            "unknown field `{shown}`: check its spelling (an unknown field could hide a setting from the rules); custom fields start with `x-`"
                        ),
                        secret,
                    }
                }));
            }
            _ => {
                let field = at.rsplit('/').next().filter(|s| !s.is_empty());
                let message = match field {
                    Some(field) => format!("`{field}`: {error}"),
                    None => error.to_string(),
                };
                let (message, secret) =
                    without_secrets(message, error.instance(), field, is_secret);
                out.push(Violation {
                    pointer: at,
                    message,
                    secret,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
