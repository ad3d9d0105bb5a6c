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
    /// Where its finding points (offset and label), when known before the finding is made: the
    /// parse cache keeps it, so that a manifest read from the cache need not build its span
    /// tree to be reported.
    pub place: Option<(usize, crate::source::Span)>,
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

/// The schema documents, parsed once, for what jsonschema's errors do not carry: the field
/// names an object allows (for "did you mean"), the definition a keyword belongs to.
fn schema_document(validator: &Validator) -> Option<&'static Value> {
    static MANIFEST: OnceLock<Value> = OnceLock::new();
    static CONFIG: OnceLock<Value> = OnceLock::new();
    let parse = |text: &str| serde_json::from_str(text).unwrap_or(Value::Null);
    if std::ptr::eq(validator, manifest_validator()) {
        Some(MANIFEST.get_or_init(|| parse(MANIFEST_SCHEMA)))
    } else if std::ptr::eq(validator, config_validator()) {
        Some(CONFIG.get_or_init(|| parse(CONFIG_SCHEMA)))
    } else {
        None
    }
}

/// The schema object holding the keyword at `keyword_path` (jsonschema's canonical keyword
/// location, `$ref`s already resolved to where the keyword is written).
fn schema_object<'s>(schema: &'s Value, keyword_path: &str) -> Option<&'s Value> {
    let parent = keyword_path
        .rsplit_once('/')
        .map_or("", |(parent, _)| parent);
    schema.pointer(parent)
}

/// The known field closest to an unknown one, when it is close enough to be a typo: at most
/// a third of its letters differ (at least one), compared without case.
fn closest_field<'a>(unknown: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let lower = unknown.to_ascii_lowercase();
    let limit = (unknown.chars().count() / 3).max(1);
    known
        .map(|k| (strsim::levenshtein(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, k)| k)
}

/// Patterns of the schemas said in words: a regular expression teaches nobody.
fn pattern_in_words(pattern: &str) -> Option<&'static str> {
    match pattern {
        "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$" => Some(
            "use lowercase letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters (such as `payout-reconciler`)",
        ),
        "^sha256:[0-9a-f]{64}$" => Some(
            "a review digest is `sha256:` and 64 lowercase hexadecimal digits; `agentgate review sign` writes it",
        ),
        "^(/.*)?$" => Some("a JSON pointer is empty or starts with `/`, such as `/spec/permissions/0`"),
        _ => None,
    }
}

/// How a duration is written (the schema's `#/$defs/duration`).
const DURATION_HELP: &str =
    "a duration is a number and a unit, such as `30s`, `15m`, `1h`, `30d`, `12w`, or ISO-8601 such as `PT1H`; a bare number has no unit";

/// A value as a message quotes it: JSON, as jsonschema's own messages do.
fn quoted(value: &Value) -> String {
    value.to_string()
}

/// The message for a violation jsonschema's own words do not teach, if it is one of those.
fn teaching_message(error: &jsonschema::ValidationError, field: Option<&str>) -> Option<String> {
    let prefix = field.map_or(String::new(), |f| format!("`{f}`: "));
    let instance = error.instance();
    let keyword_path = error.schema_path().to_string();
    let text = match error.kind() {
        ValidationErrorKind::Enum { options } => {
            let allowed: Vec<String> = options
                .as_array()?
                .iter()
                .map(|o| match o {
                    Value::String(s) => format!("`{s}`"),
                    other => format!("`{other}`"),
                })
                .collect();
            format!(
                "{} is not an allowed value; use one of {}",
                quoted(instance),
                allowed.join(", ")
            )
        }
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::Type { .. }
            if keyword_path.starts_with("/$defs/duration/") =>
        {
            format!("{} is not a duration: {DURATION_HELP}", quoted(instance))
        }
        ValidationErrorKind::Format { format } if format == "date" => {
            let shaped = instance.as_str().is_some_and(|s| {
                s.len() == 10
                    && s.char_indices().all(|(i, c)| match i {
                        4 | 7 => c == '-',
                        _ => c.is_ascii_digit(),
                    })
            });
            if shaped {
                format!(
                    "{} is not a date: there is no such day in the calendar",
                    quoted(instance)
                )
            } else {
                format!(
                    "{} is not a date: write it as YYYY-MM-DD, such as 2027-03-31",
                    quoted(instance)
                )
            }
        }
        ValidationErrorKind::Format { format } if format == "email" => format!(
            "{} is not an email address: write it as name@example.com",
            quoted(instance)
        ),
        ValidationErrorKind::Pattern { pattern } => {
            format!(
                "{} is not allowed here: {}",
                quoted(instance),
                pattern_in_words(pattern)?
            )
        }
        _ => return None,
    };
    Some(format!("{prefix}{text}"))
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
    let schema = schema_document(validator);
    for error in validator.iter_errors(value) {
        let at = error.instance_path().to_string();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                out.push(Violation {
                    pointer: child(&at, name),
                    message: format!("required field `{name}` is missing"),
                    secret: false,
                    place: None,
                });
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let keyword_path = error.schema_path().to_string();
                let known = schema
                    .and_then(|s| schema_object(s, &keyword_path))
                    .and_then(|o| o.get("properties"))
                    .and_then(Value::as_object);
                out.extend(unexpected.iter().map(|name| {
                    let secret = is_secret(name);
                    let shown = if secret { redacted(name) } else { name.clone() };
                    // A secret is never compared: the suggestion would not leak it, but a
                    // value that long is no typo.
                    let suggestion = known
                        .filter(|_| !secret)
                        .and_then(|k| closest_field(name, k.keys().map(String::as_str)));
                    let message = match suggestion {
                        Some(field) => format!(
                            "unknown field `{shown}`: did you mean `{field}`? (an unknown field could hide a setting from the rules; custom fields start with `x-`)"
                        ),
                        None => format!(
                            "unknown field `{shown}`: check its spelling (an unknown field could hide a setting from the rules); custom fields start with `x-`"
                        ),
                    };
                    Violation {
                        pointer: child(&at, name),
                        message,
                        secret,
                        place: None,
                    }
                }));
            }
            _ => {
                let field = at.rsplit('/').next().filter(|s| !s.is_empty());
                let message = teaching_message(&error, field).unwrap_or_else(|| match field {
                    Some(field) => format!("`{field}`: {error}"),
                    None => error.to_string(),
                });
                let (message, secret) =
                    without_secrets(message, error.instance(), field, is_secret);
                out.push(Violation {
                    pointer: at,
                    message,
                    secret,
                    place: None,
                });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}
