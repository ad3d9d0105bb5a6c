//! Where every finding of a run goes: the one place that applies the configuration's rule
//! settings (disabled rules, severity overrides) and then its waivers.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::finding::{Finding, Place};
use crate::registry::Registry;
use crate::rule::BuiltinRule;
use crate::waiver::{self, Waived, Waiver};
use crate::yaml::locate;

/// Findings as the stages produce them, with each rule's own severity.
pub struct Sink<'a> {
    config: &'a Config,
    findings: Vec<Finding>,
    /// Agent names more than one manifest uses: their findings match no waiver (a decoy must not
    /// inherit the real agent's exceptions).
    duplicates: BTreeSet<String>,
}

/// What stands after the configuration had its say.
pub struct Settled {
    /// Sorted, without repeats.
    pub findings: Vec<Finding>,
    /// Findings an active waiver covers: reported, but not counted against `failOn`.
    pub waived: Vec<Waived>,
}

impl<'a> Sink<'a> {
    pub fn new(config: &'a Config) -> Self {
        Sink {
            config,
            findings: Vec::new(),
            duplicates: BTreeSet::new(),
        }
    }

    /// The duplicated agent names, whose findings no waiver covers.
    pub fn refuse_waivers_for(&mut self, names: BTreeSet<String>) {
        self.duplicates = names;
    }

    /// Takes a finding, unless its rule is disabled; an overridden severity replaces the rule's.
    pub fn push(&mut self, mut finding: Finding) {
        if let Some(rule) = self.config.rules.get(&finding.rule) {
            if rule.enabled == Some(false) {
                return;
            }
            if let Some(severity) = rule.severity {
                finding.severity = severity;
            }
        }
        self.findings.push(finding);
    }

    pub fn extend(&mut self, findings: impl IntoIterator<Item = Finding>) {
        for finding in findings {
            self.push(finding);
        }
    }

    /// Keeps only the findings of rules that `keep` accepts (before waivers are applied).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.findings.retain(|f| keep(&f.rule));
    }

    /// Applies the waivers: waived findings move aside; expired waivers (AG090) and, in a full
    /// run, waivers that matched nothing or name a disabled rule (AG091) become findings in
    /// the configuration file. `partial`: the run saw only some manifests, so it cannot tell
    /// that a waiver is unused; `discovered`: the run looked for footprints, so a waiver of
    /// AG100 to AG102 that matched nothing is unused (without discovery it was not judged).
    pub fn settle(
        mut self,
        registry: &Registry,
        today: i64,
        partial: bool,
        discovered: bool,
    ) -> Settled {
        sort_unique(&mut self.findings);
        let config = self.config;
        let (refused, waivable): (Vec<Finding>, Vec<Finding>) = std::mem::take(&mut self.findings)
            .into_iter()
            .partition(|f| {
                f.agent
                    .as_ref()
                    .is_some_and(|a| self.duplicates.contains(a))
            });
        // A waiver that would have matched a refused finding is not unused: it is for the agent
        // whose name is now shared, and applies again once the name is unique.
        let claimed: BTreeSet<&str> = config
            .waivers
            .iter()
            .filter(|w| refused.iter().any(|f| w.matches(f)))
            .map(|w| w.pointer.as_str())
            .collect();
        let mut applied = waiver::apply(waivable, &config.waivers, today);
        applied
            .unused
            .retain(|w| !claimed.contains(w.pointer.as_str()));
        self.findings = applied.findings;
        self.findings.extend(refused);
        let disabled = |w: &Waiver| {
            config
                .rules
                .get(&w.rule)
                .is_some_and(|r| r.enabled == Some(false))
        };
        let mut meta = Vec::new();
        for waiver in &applied.expired {
            let message = format!(
                "the waiver of {} approved by {} expired on {}: it no longer applies; renew it with a new approval or fix the findings",
                waiver.rule, waiver.approved_by, waiver.expires
            );
            meta.push((BuiltinRule::WaiverExpired, waiver, message));
        }
        for waiver in config.waivers.iter().filter(|w| !w.is_expired(today)) {
            let unused = applied.unused.iter().any(|u| u.pointer == waiver.pointer);
            let message = if disabled(waiver) {
                format!(
                    "the waiver of {} names a disabled rule; remove it",
                    waiver.rule
                )
            } else if unused && !partial && (discovered || !is_discovery_rule(&waiver.rule)) {
                format!(
                    "the waiver of {} matched no finding; remove it, the exception is no longer needed",
                    waiver.rule
                )
            } else {
                continue;
            };
            meta.push((BuiltinRule::WaiverUnused, waiver, message));
        }
        if let Some((source, root)) = &config.file {
            for (rule, waiver, message) in meta {
                let Some(rule) = registry.builtin_rule(rule) else {
                    continue;
                };
                let (at, label) = locate(root, &waiver.pointer);
                let place = Place {
                    source: source.clone(),
                    at,
                    label,
                };
                self.push(Finding::of_rule(
                    rule,
                    place,
                    None,
                    waiver.pointer.clone(),
                    message,
                    false,
                ));
            }
        }
        sort_unique(&mut self.findings);
        Settled {
            findings: self.findings,
            waived: applied.waived,
        }
    }
}

fn sort_unique(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    findings.dedup_by(|a, b| a.sort_key() == b.sort_key());
}

/// The rules only discovery reports (AG100 to AG102): not evaluated by `check --no-discover`.
fn is_discovery_rule(id: &str) -> bool {
    matches!(
        BuiltinRule::from_id(id),
        Some(
            BuiltinRule::UnregisteredAgent
                | BuiltinRule::McpInlineSecret
                | BuiltinRule::McpBroadServer
        )
    )
}
