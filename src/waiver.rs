//! Waivers: time-boxed, approved exceptions from `.agentgate.yaml`. A waived finding stops
//! counting against `failOn` but is still reported, in its own section. An expired waiver no
//! longer applies and is itself a finding (AG090); so is one that matched nothing (AG091),
//! because a stale exception is a risk of its own.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};

use serde::Serialize;
use serde_json::Value;

use crate::finding::Finding;
use crate::rule::BuiltinRule;
use crate::units::parse_date;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Waiver {
    pub rule: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A glob on the finding's file, relative to the configuration's folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub expires: String,
    /// Where the waiver sits in the configuration (`/waivers/3`).
    #[serde(skip)]
    pub pointer: String,
    /// `file`, compiled, and the folder it is relative to.
    #[serde(skip)]
    file_matcher: Option<(GlobMatcher, PathBuf)>,
}

/// The glob of a waiver's `file`: `*`, `?` and `[...]` stay within one folder, `**` crosses
/// folders, `\` escapes.
pub fn file_glob(glob: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| format!("`file`: {glob:?} is not a glob: {e}"))
}

/// A glob that matches exactly this `/`-separated path (for `waive --all`).
pub fn glob_literal(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | '!') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `path` relative to `dir`, `/`-separated, when it lies below it.
pub fn relative_file(path: &Path, dir: &Path) -> Option<String> {
    let rest = path.strip_prefix(dir).ok()?;
    let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

impl Waiver {
    /// Waivers from a configuration already validated against its schema.
    /// `dir`: the folder of the configuration, which `file` globs are relative to.
    pub fn list(config: &Value, dir: &Path) -> Vec<Arc<Waiver>> {
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
                    file: text(w, "file"),
                    reason: text(w, "reason").unwrap_or_default(),
                    approved_by: text(w, "approvedBy").unwrap_or_default(),
                    expires: text(w, "expires").unwrap_or_default(),
                    pointer: format!("/waivers/{i}"),
                    file_matcher: text(w, "file")
                        .and_then(|g| file_glob(&g).ok())
                        .map(|m| (m, dir.to_path_buf())),
                })
            })
            .collect()
    }

    /// Inclusive: a waiver expiring today still applies today.
    pub fn is_expired(&self, today: i64) -> bool {
        parse_date(&self.expires).is_none_or(|day| day < today)
    }

    /// What the waiver covers, in words: `AG100 in files services/**`, `AG013 of agent pay at
    /// /spec/permissions/1`.
    pub fn scope(&self) -> String {
        let mut scope = self.rule.clone();
        if let Some(agent) = &self.agent {
            scope.push_str(&format!(" of agent {agent}"));
        }
        if let Some(file) = &self.file {
            scope.push_str(&format!(" in files {file}"));
        }
        match self.path.as_deref() {
            Some(path) if !path.is_empty() => scope.push_str(&format!(" at {path}")),
            _ => {}
        }
        scope
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
            && self.file.as_ref().is_none_or(|_| {
                self.file_matcher.as_ref().is_some_and(|(glob, dir)| {
                    relative_file(&finding.place.source.path, dir)
                        .is_some_and(|file| glob.is_match(file))
                })
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
