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
use crate::units::{parse_date, SECONDS_PER_DAY};
use signers::AllowedSigners;
pub use verify::KnownSignatures;
use verify::{verify_review_judged, Judged, Reason, Status, Trust, Verdict};

/// The SSHSIG namespace of review signatures (`ssh-keygen -Y sign -n agentgate-review`).
pub const NAMESPACE: &str = "agentgate-review";

/// The configured allowed_signers file, read: `None` when the configuration names none.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    pub signers: Option<AllowedSigners>,
    /// The file as messages name it.
    pub display: String,
    /// Signatures known to verify, when the run has a cache.
    pub known: Option<std::sync::Arc<verify::KnownSignatures>>,
}

impl TrustStore {
    pub fn trust(&self) -> Trust<'_> {
        Trust {
            signers: self.signers.as_ref(),
            source: &self.display,
            known: self.known.as_deref(),
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
                known: None,
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

/// What the change under check did to a manifest's review, compared with the review of the
/// agent of the same name at the base revision (`--changed-since`, `--staged`).
#[derive(Debug, Clone, PartialEq)]
pub enum ReviewBase {
    /// No base revision (a full run, or paths only), or no review mapping to judge.
    NoBase,
    /// The review is the base's: judged as it was on the base, at its own date.
    Unchanged,
    /// The base has no review of this agent (or no such agent): a new review.
    Added,
    /// The base's review of this agent (held here) differs from this one.
    Altered(Value),
}

impl ReviewBase {
    /// How the change touches `document`'s review: `file_changed` says whether its file is
    /// among the changes, `base` holds the base version of every agent in a changed file, by
    /// name (`None` when the run has no base revision).
    pub fn of(
        document: &Value,
        file_changed: bool,
        base: Option<&std::collections::BTreeMap<String, Value>>,
    ) -> ReviewBase {
        let Some(base) = base else {
            return ReviewBase::NoBase;
        };
        let Some(review) = document.pointer("/spec/review").filter(|r| r.is_object()) else {
            return ReviewBase::NoBase;
        };
        if !file_changed {
            return ReviewBase::Unchanged;
        }
        let name = document.pointer("/metadata/name").and_then(Value::as_str);
        match name
            .and_then(|n| base.get(n))
            .and_then(|b| b.pointer("/spec/review"))
            .filter(|r| r.is_object())
        {
            None => ReviewBase::Added,
            Some(was) if was == review => ReviewBase::Unchanged,
            Some(was) => ReviewBase::Altered(was.clone()),
        }
    }

    fn judged(&self) -> Judged {
        match self {
            ReviewBase::Added | ReviewBase::Altered(_) => Judged::Today,
            ReviewBase::NoBase | ReviewBase::Unchanged => Judged::OnReviewDate,
        }
    }

    fn fact(&self) -> Value {
        match self {
            ReviewBase::NoBase => Value::Null,
            ReviewBase::Unchanged => "unchanged".into(),
            ReviewBase::Added => "added".into(),
            ReviewBase::Altered(_) => "altered".into(),
        }
    }
}

/// The review facts of one manifest for `data.agentgate.facts[name]`: `digest` (the current
/// digest) and `review` (the signature verdict, or null when there is no review mapping), for a
/// run without a base revision.
pub fn facts(document: &Value, trust: Trust<'_>, today: i64) -> Map<String, Value> {
    facts_against_base(document, trust, today, &ReviewBase::NoBase, 0)
}

/// [`facts`] in a run with a base revision: a review that the change adds or alters is
/// verified with the key's validity judged today, and is `backdated` when dated more than
/// `max_backdate` seconds before today; `reviewChange` and `baseReview` say how the change
/// touched it.
pub fn facts_against_base(
    document: &Value,
    trust: Trust<'_>,
    today: i64,
    base: &ReviewBase,
    max_backdate: u64,
) -> Map<String, Value> {
    let mut facts = Map::new();
    facts.insert(
        "digest".into(),
        Value::String(crate::digest::digest(document)),
    );
    facts.extend(facts_but_digest(document, trust, today, base, max_backdate));
    facts
}

/// [`facts_against_base`] without `digest`: a function of the document alone, which a caller
/// holding the document (the result cache's key) need not compute until it evaluates.
pub fn facts_but_digest(
    document: &Value,
    trust: Trust<'_>,
    today: i64,
    base: &ReviewBase,
    max_backdate: u64,
) -> Map<String, Value> {
    let mut facts = Map::new();
    let verdict = verify_review_judged(document, trust, today, base.judged())
        .map(|v| backdated(v, document, today, base, max_backdate));
    facts.insert(
        "review".into(),
        verdict.as_ref().map_or(Value::Null, Verdict::fact),
    );
    facts.insert(
        "reviewChange".into(),
        if verdict.is_some() {
            base.fact()
        } else {
            Value::Null
        },
    );
    let base_review = match base {
        ReviewBase::Altered(was) => {
            let date = was.get("date").and_then(Value::as_str);
            serde_json::json!({
                "reviewer": was.get("reviewer").and_then(Value::as_str),
                "date": date,
                "ageSeconds": date.and_then(parse_date).map(|d| (today - d) * SECONDS_PER_DAY),
            })
        }
        _ => Value::Null,
    };
    facts.insert("baseReview".into(), base_review);
    facts
}

/// A valid verdict on a review the change adds or alters, turned `backdated` when the review
/// is dated more than `max_backdate` seconds before today.
fn backdated(
    verdict: Verdict,
    document: &Value,
    today: i64,
    base: &ReviewBase,
    max_backdate: u64,
) -> Verdict {
    if base.judged() != Judged::Today || !verdict.is_valid() {
        return verdict;
    }
    let Some(date) = document
        .pointer("/spec/review/date")
        .and_then(Value::as_str)
        .and_then(parse_date)
    else {
        return verdict;
    };
    let age = (today - date) * SECONDS_PER_DAY;
    if age <= i64::try_from(max_backdate).unwrap_or(i64::MAX) {
        return verdict;
    }
    let what = if matches!(base, ReviewBase::Added) {
        "adds"
    } else {
        "alters"
    };
    Verdict {
        status: Status::Invalid,
        reason: Reason::Backdated,
        detail: format!(
            "the change under check {what} this review, dated {} ({} days before today, {}); a new or re-signed review may be dated at most {} before today (settings.maxReviewBackdate): sign it again with today's date",
            crate::units::format_date(date),
            today - date,
            crate::units::format_date(today),
            backdate_text(max_backdate),
        ),
        principals: verdict.principals,
    }
}

fn backdate_text(seconds: u64) -> String {
    let day = u64::try_from(SECONDS_PER_DAY).unwrap_or(86_400);
    if seconds % day == 0 {
        format!("{}d", seconds / day)
    } else {
        format!("{seconds}s")
    }
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
