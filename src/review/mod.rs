//! Signed security reviews: the reviewer signs the manifest's digest ([`crate::digest`]) with
//! their own SSH key through `ssh-keygen`, agentgate writes the `spec.review` block, and anyone
//! re-verifies it, in-process here or with stock `ssh-keygen -Y verify`, against an OpenSSH
//! `allowed_signers` file.

pub mod commands;
pub mod edit;
pub mod sign;
pub mod signers;
pub mod verify;

use std::path::Path;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::finding::Problem;
use crate::fs::display_path;
use signers::AllowedSigners;
use verify::{verify_review, Trust};

/// The SSHSIG namespace of review signatures (`ssh-keygen -Y sign -n agentgate-review`).
pub const NAMESPACE: &str = "agentgate-review";

/// The configured allowed_signers file, read: `None` when the configuration names none.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub signers: Option<AllowedSigners>,
    /// The file as messages name it.
    pub display: String,
}

impl TrustStore {
    pub fn trust(&self) -> Trust<'_> {
        Trust {
            signers: self.signers.as_ref(),
            source: &self.display,
        }
    }

    /// Reads `settings.allowedSigners`; a file that cannot be read or holds a bad line is a
    /// problem (exit 2), reported at its line.
    pub fn load(config: &Config, cwd: &Path) -> Result<TrustStore, Vec<Problem>> {
        let Some(path) = &config.settings.allowed_signers else {
            return Ok(TrustStore::default());
        };
        let display = display_path(path, cwd);
        if !path.is_file() {
            return Err(vec![config.problem(
                "/settings/allowedSigners",
                format!("the allowed_signers file {display} does not exist"),
            )]);
        }
        match AllowedSigners::load(path) {
            Ok(signers) => Ok(TrustStore {
                signers: Some(signers),
                display,
            }),
            Err(errors) => Err(errors
                .into_iter()
                .map(|e| Problem {
                    line: e.line,
                    ..Problem::whole(
                        display.clone(),
                        format!("allowed_signers line {}: {}", e.line, e.message),
                    )
                })
                .collect()),
        }
    }
}

/// The review facts of one manifest for `data.agentgate.facts[name]`: `digest` (the current
/// digest) and `review` (the signature verdict, or null when there is no review mapping).
pub fn facts(document: &Value, trust: Trust<'_>, today: i64) -> Map<String, Value> {
    let mut facts = Map::new();
    facts.insert(
        "digest".into(),
        Value::String(crate::digest::digest(document)),
    );
    facts.insert(
        "review".into(),
        verify_review(document, trust, today).map_or(Value::Null, |v| v.fact()),
    );
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn facts_schema_errors(facts: &Map<String, Value>) -> Vec<String> {
        let mut schema: Value = serde_json::from_str(crate::validate::DATA_SCHEMA).unwrap();
        let defs = schema["$defs"].take();
        let validator =
            jsonschema::validator_for(&json!({"$defs": defs, "$ref": "#/$defs/facts"})).unwrap();
        let mut all = crate::facts::manifest_facts(&json!({}), "a.agent.yaml", 0);
        all.extend(facts.clone());
        validator
            .iter_errors(&Value::Object(all))
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn facts_carry_the_digest_and_the_verdict_as_the_data_schema_says() {
        let unreviewed = json!({"spec": {}});
        let f = facts(&unreviewed, TrustStore::default().trust(), 0);
        assert_eq!(f["digest"], json!(crate::digest::digest(&unreviewed)));
        assert_eq!(f["review"], Value::Null);
        assert_eq!(facts_schema_errors(&f), Vec::<String>::new());

        let unsigned =
            json!({"spec": {"review": {"reviewer": "a@example.com", "date": "2026-11-02"}}});
        let f = facts(&unsigned, TrustStore::default().trust(), 0);
        assert_eq!(f["review"]["signature"], "absent");
        assert_eq!(f["review"]["reason"], "no signature");
        assert_eq!(facts_schema_errors(&f), Vec::<String>::new());

        let garbled = json!({"spec": {"review": {"reviewer": "a@example.com", "date": "2026-11-02",
            "digest": crate::digest::digest(&unsigned), "signature": "not a signature"}}});
        let f = facts(&garbled, TrustStore::default().trust(), 0);
        assert_eq!(f["review"]["signature"], "invalid");
        assert_eq!(f["review"]["reason"], "malformed signature");
        assert_eq!(facts_schema_errors(&f), Vec::<String>::new());
    }
}
