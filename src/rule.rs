//! What a rule is, for every module: its severity, its metadata (read from a pack's METADATA),
//! and the built-in rules that agentgate computes in Rust rather than in Rego.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RuleMeta {
    pub id: String,
    pub slug: String,
    pub severity: Severity,
    pub title: String,
    pub summary: String,
    pub description: String,
    pub fix: String,
    pub example: Option<String>,
    pub controls: Vec<String>,
    /// The family the rule belongs to (`custom.family`: credentials, review, …), which groups
    /// findings in reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    pub package: String,
    pub file: String,
}

/// The built-in rules computed in Rust. Their Rego packages carry only METADATA (so `rules`,
/// `explain` and the docs read them like any other rule); the engine leaves them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BuiltinRule {
    /// AG000: the manifest does not match the schema.
    Schema,
    /// AG080: two manifests declare the same agent name.
    DuplicateAgent,
    /// AG090: a waiver has expired.
    WaiverExpired,
    /// AG091: a waiver matched nothing, or names a disabled rule.
    WaiverUnused,
    /// AG100: an agent footprint that no manifest governs.
    UnregisteredAgent,
    /// AG101: a secret committed in an MCP configuration or `.env` file.
    McpInlineSecret,
    /// AG102: an MCP server with broad reach.
    McpBroadServer,
    /// AG103: a manifest's `spec.sources` entry matches nothing.
    SourceMissing,
    /// AG104: a manifest's `spec.sources` entry covers several services or servers.
    SourceTooBroad,
    /// AG105: an MCP client's configuration whose servers agentgate cannot read.
    AgentConfigUnreadable,
    /// AG113: audit events from an identity that no manifest declares (`drift`).
    IdentityUndeclared,
    /// AG114: neither the owner nor the backup owner is in the people directory (`owners`).
    OwnerDeparted,
    /// AG115: one of owner and backup owner left, the other remains (`owners`).
    OwnerHalfDeparted,
}

impl BuiltinRule {
    pub const ALL: [BuiltinRule; 13] = [
        BuiltinRule::Schema,
        BuiltinRule::DuplicateAgent,
        BuiltinRule::WaiverExpired,
        BuiltinRule::WaiverUnused,
        BuiltinRule::UnregisteredAgent,
        BuiltinRule::McpInlineSecret,
        BuiltinRule::McpBroadServer,
        BuiltinRule::SourceMissing,
        BuiltinRule::SourceTooBroad,
        BuiltinRule::AgentConfigUnreadable,
        BuiltinRule::IdentityUndeclared,
        BuiltinRule::OwnerDeparted,
        BuiltinRule::OwnerHalfDeparted,
    ];

    pub const fn id(self) -> &'static str {
        match self {
            BuiltinRule::Schema => "AG000",
            BuiltinRule::DuplicateAgent => "AG080",
            BuiltinRule::WaiverExpired => "AG090",
            BuiltinRule::WaiverUnused => "AG091",
            BuiltinRule::UnregisteredAgent => "AG100",
            BuiltinRule::McpInlineSecret => "AG101",
            BuiltinRule::McpBroadServer => "AG102",
            BuiltinRule::SourceMissing => "AG103",
            BuiltinRule::SourceTooBroad => "AG104",
            BuiltinRule::AgentConfigUnreadable => "AG105",
            BuiltinRule::IdentityUndeclared => "AG113",
            BuiltinRule::OwnerDeparted => "AG114",
            BuiltinRule::OwnerHalfDeparted => "AG115",
        }
    }

    pub fn from_id(id: &str) -> Option<BuiltinRule> {
        BuiltinRule::ALL.into_iter().find(|rule| rule.id() == id)
    }

    /// The rules `agentgate discover` reports: footprints of agents in files that are not
    /// manifests.
    pub fn is_footprint(self) -> bool {
        matches!(
            self,
            BuiltinRule::UnregisteredAgent
                | BuiltinRule::McpInlineSecret
                | BuiltinRule::McpBroadServer
                | BuiltinRule::SourceMissing
                | BuiltinRule::SourceTooBroad
                | BuiltinRule::AgentConfigUnreadable
        )
    }

    /// Rules no waiver may hide: otherwise a waiver could switch the gate off.
    pub fn is_unwaivable(self) -> bool {
        matches!(
            self,
            BuiltinRule::Schema | BuiltinRule::WaiverExpired | BuiltinRule::WaiverUnused
        )
    }

    /// Findings about the configuration (its waivers), not about an agent or a file.
    pub fn is_about_waivers(self) -> bool {
        matches!(self, BuiltinRule::WaiverExpired | BuiltinRule::WaiverUnused)
    }
}

/// The command that evaluates a rule and reports its findings (rules-v1): most rules are
/// `check`'s; the drift rules need audit logs and the owners rules need the people directory
/// judged per person, so only `drift` and `owners --check` report them, and only they judge
/// their waivers (AG091).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Check,
    Drift,
    Owners,
}

/// The METADATA family of the rules that judge declared against observed access: a pack's own
/// drift rule declares `custom.family: drift` to be evaluated by `drift` alone.
pub const DRIFT_FAMILY: &str = "drift";

impl Command {
    /// Which command reports `rule`: AG114 and AG115 are `owners`'; AG113 and every rule of the
    /// drift family are `drift`'s; all others `check`'s.
    pub fn of(rule: &RuleMeta) -> Command {
        Command::of_id(&rule.id, rule.family.as_deref())
    }

    /// [`Command::of`] for a rule id and its family.
    pub fn of_id(id: &str, family: Option<&str>) -> Command {
        match BuiltinRule::from_id(id) {
            Some(BuiltinRule::OwnerDeparted | BuiltinRule::OwnerHalfDeparted) => Command::Owners,
            Some(BuiltinRule::IdentityUndeclared) => Command::Drift,
            _ if family == Some(DRIFT_FAMILY) => Command::Drift,
            _ => Command::Check,
        }
    }
}

impl fmt::Display for BuiltinRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn builtin_rule_ids_are_unique_and_read_back() {
        let ids: BTreeSet<&str> = BuiltinRule::ALL.iter().map(|r| r.id()).collect();
        assert_eq!(ids.len(), BuiltinRule::ALL.len());
        for rule in BuiltinRule::ALL {
            assert_eq!(BuiltinRule::from_id(rule.id()), Some(rule));
        }
    }
}
