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
use crate::discover::display_path;
use crate::finding::Problem;
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
