//! Waivers: time-boxed, approved exceptions from `.agentgate.yaml`. A waived finding stops
//! counting against `failOn` but is still reported, in its own section. An expired waiver no
//! longer applies and is itself a finding (AG090); so is one that matched nothing (AG091),
//! because a stale exception is a risk of its own.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::finding::Finding;
use crate::rule::BuiltinRule;
use crate::units::parse_date;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiver {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: String,
    /// Where the waiver sits in the configuration (`/waivers/3`).
    #[serde(skip)]
    pub pointer: String,
}

impl Waiver {
    /// Waivers from a configuration already validated against its schema.
    pub fn list(config: &Value) -> Vec<Arc<Waiver>> {
        let text = |w: &Value, key: &str| w.get(key).and_then(Value::as_str).map(str::to_string);
        config
            .get("waivers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, w)| {
                Arc::new(Waiver {
                    rule: text(w, "rule").unwrap_or_default(),
                    agent: text(w, "agent"),
                    path: text(w, "path"),
                    reason: text(w, "reason").unwrap_or_default(),
                    approved_by: text(w, "approvedBy").unwrap_or_default(),
                    expires: text(w, "expires").unwrap_or_default(),
                    pointer: format!("/waivers/{i}"),
                })
            })
            .collect()
    }

    /// Inclusive: a waiver expiring today still applies today.
    pub fn is_expired(&self, today: i64) -> bool {
        parse_date(&self.expires).is_none_or(|day| day < today)
    }

    pub fn matches(&self, finding: &Finding) -> bool {
        self.rule == finding.rule
            && self
                .agent
                .as_ref()
                .is_none_or(|a| finding.agent.as_ref() == Some(a))
            && self.path.as_ref().is_none_or(|p| {
                finding.path == *p
                    || finding
                        .path
                        .strip_prefix(p.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

#[derive(Debug, Clone)]
pub struct Waived {
    pub finding: Finding,
    pub waiver: Arc<Waiver>,
}

/// Splits findings into those that stand and those an active waiver covers, and says which
/// waivers are expired and which matched nothing.
pub struct Applied {
    pub findings: Vec<Finding>,
    pub waived: Vec<Waived>,
    pub expired: Vec<Arc<Waiver>>,
    pub unused: Vec<Arc<Waiver>>,
}

pub fn apply(findings: Vec<Finding>, waivers: &[Arc<Waiver>], today: i64) -> Applied {
    let (expired, active): (Vec<_>, Vec<_>) =
        waivers.iter().cloned().partition(|w| w.is_expired(today));
    let mut used = BTreeSet::new();
    let mut kept = Vec::new();
    let mut waived = Vec::new();
    for finding in findings {
        let waiver = (!BuiltinRule::from_id(&finding.rule).is_some_and(BuiltinRule::is_unwaivable))
            .then(|| active.iter().find(|w| w.matches(&finding)))
            .flatten();
        match waiver {
            Some(waiver) => {
                used.insert(waiver.pointer.clone());
                waived.push(Waived {
                    finding,
                    waiver: waiver.clone(),
                });
            }
            None => kept.push(finding),
        }
    }
    let unused = active
        .into_iter()
        .filter(|w| !used.contains(&w.pointer))
        .collect();
    Applied {
        findings: kept,
        waived,
        expired,
        unused,
    }
}
