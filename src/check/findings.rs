//! From evaluated manifests to findings: the Rego evaluation of every selected manifest with
//! its facts, schema findings, duplicate names, severity overrides and waivers.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::{CheckedAgent, Manifest, Outcome};
use crate::config::Config;
use crate::evaluate::{Compiled, PolicyError, RawFinding};
use crate::facts::{delegation_cycles, manifest_facts};
use crate::finding::{Finding, Place, Problem};
use crate::registry::Registry;
use crate::review::{self, TrustStore};
use crate::rule::{BuiltinRule, RuleMeta};
use crate::units::format_date;
use crate::validate::{manifest_validator, violations};
use crate::waiver::{self, Waiver};
use crate::yaml::locate;

/// `data.agentgate.settings` as rules see it: durations in seconds, `today` as YYYY-MM-DD.
pub fn settings_data(config: &Config, today: i64, people: Option<Vec<String>>) -> Value {
    let s = &config.settings;
    json!({
        "today": format_date(today),
        "maxTtl": s.max_ttl,
        "maxStaticTtl": s.max_static_ttl,
        "maxReviewAge": s.max_review_age,
        "maxLifetime": s.max_lifetime,
        "lowConsequenceActions": s.low_consequence_actions,
        "nonPersonEmails": s.non_person_emails,
        "directory": people,
        "allowedSigners": s.allowed_signers.as_ref().map(|p| p.display().to_string()),
    })
}

pub(super) fn evaluate(
    manifests: &[Manifest],
    (registry, compiled): (&Registry, Result<Compiled, PolicyError>),
    config: &Config,
    today: i64,
    people: Option<Vec<String>>,
    trust: &TrustStore,
) -> Outcome {
    let mut outcome = Outcome {
        rules: enabled_rules(registry, config),
        checked: manifests
            .iter()
            .filter(|m| m.selected)
            .map(|m| CheckedAgent {
                file: m.source.display.clone(),
                agent: m.name.clone(),
                document: m.value.clone(),
            })
            .collect(),
        ..Outcome::default()
    };
    let mut first_by_name: BTreeMap<String, usize> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(name) = &m.name {
            first_by_name.entry(name.clone()).or_insert(i);
        }
    }
    let inventory_refs: BTreeMap<String, &Value> = first_by_name
        .iter()
        .map(|(n, &i)| (n.clone(), &*manifests[i].value))
        .collect();
    let cycles = delegation_cycles(&inventory_refs);
    let facts_of = |m: &Manifest| {
        let mut facts = manifest_facts(&m.value, &m.source.display, today);
        facts.extend(review::facts(&m.value, trust.trust(), today));
        if let Some(cycle) = m.name.as_ref().and_then(|n| cycles.get(n)) {
            facts.insert("delegationCycle".into(), json!(cycle));
        }
        Value::Object(facts)
    };
    // The built-in rules read only the facts of the agent they judge; a custom pack may read
    // any agent's. So a run of the built-in pack alone makes facts only for the agents it
    // reports on: a pre-commit check of one file then hashes and verifies one manifest, not
    // the whole repository. In parallel: hashing and verifying are the costliest facts.
    let builtin_only = matches!(&registry.packs[..], [pack] if pack.source.is_none());
    let facts: Map<String, Value> = first_by_name
        .par_iter()
        .filter(|(_, &i)| !builtin_only || manifests[i].selected)
        .map(|(n, &i)| (n.clone(), facts_of(&manifests[i])))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let inventory: Map<String, Value> = inventory_refs
        .iter()
        .map(|(n, v)| (n.clone(), (*v).clone()))
        .collect();
    let data = json!({"agentgate": {"settings": settings_data(config, today, people), "inventory": inventory, "facts": facts}});

    let selected: Vec<usize> = (0..manifests.len())
        .filter(|&i| manifests[i].selected)
        .collect();
    let shares_name = |i: usize| {
        manifests[i]
            .name
            .as_ref()
            .is_some_and(|n| first_by_name[n] != i)
    };
    let plain: Vec<usize> = selected
        .iter()
        .copied()
        .filter(|&i| !shares_name(i))
        .collect();
    // The load-time trial run evaluates the first manifest to check, so its result is kept:
    // for a pre-commit check of one file that halves the evaluation.
    let trial = plain
        .first()
        .map_or_else(|| json!({}), |&i| (*manifests[i].value).clone());
    let prepared = compiled.and_then(|c| c.prepare(registry, data.clone(), &trial));
    let (evaluator, trial_findings) = match prepared {
        Ok(e) => e,
        Err(e) => return Outcome::failed(vec![policy_problem(e)]),
    };
    let rest = plain.get(1..).unwrap_or_default();
    let mut results: BTreeMap<usize, Result<Vec<RawFinding>, PolicyError>> = rest
        .iter()
        .copied()
        .zip(
            evaluator.evaluate_all(
                &rest
                    .iter()
                    .map(|&i| &*manifests[i].value)
                    .collect::<Vec<_>>(),
            ),
        )
        .collect();
    if let Some(&first) = plain.first() {
        results.insert(first, Ok(trial_findings));
    }
    for i in selected.iter().copied().filter(|&i| shares_name(i)) {
        let mut own = data.clone();
        if let (Some(name), Some(slot)) = (&manifests[i].name, own.pointer_mut("/agentgate/facts"))
        {
            slot[name.as_str()] = facts_of(&manifests[i]);
        }
        results.insert(
            i,
            evaluator.evaluate_with_data(own, (*manifests[i].value).clone()),
        );
    }

    let per_manifest: Vec<Result<Vec<Finding>, Problem>> = results
        .into_par_iter()
        .map(|(i, result)| {
            let first = manifests[i]
                .name
                .as_ref()
                .map(|n| &manifests[first_by_name[n]]);
            let duplicate_of = first.filter(|_| shares_name(i));
            manifest_findings(&manifests[i], result, duplicate_of, registry, config)
        })
        .collect();
    for result in per_manifest {
        match result {
            Ok(found) => outcome.findings.extend(found),
            Err(problem) => outcome.problems.push(problem),
        }
    }
    outcome
}

/// Everything reported on one manifest: schema violations (AG000), a duplicate name (AG080)
/// and the rule findings that no schema violation already covers.
fn manifest_findings(
    manifest: &Manifest,
    result: Result<Vec<RawFinding>, PolicyError>,
    duplicate_of: Option<&Manifest>,
    registry: &Registry,
    config: &Config,
) -> Result<Vec<Finding>, Problem> {
    let raw = result.map_err(|e| Problem {
        message: format!("{}: policy error: {}", manifest.source.display, e.message),
        ..Problem::whole(e.file, String::new())
    })?;
    let mut found = Vec::new();
    let schema_rule = registry.builtin_rule(BuiltinRule::Schema);
    let violations = violations(manifest_validator(), &manifest.value);
    for v in &violations {
        if let Some(rule) = schema_rule {
            found.push(finding(
                manifest,
                rule,
                v.pointer.clone(),
                v.message.clone(),
                false,
            ));
        }
    }
    if let (Some(rule), Some(first)) = (
        registry.builtin_rule(BuiltinRule::DuplicateAgent),
        duplicate_of,
    ) {
        let name = manifest.name.as_deref().unwrap_or_default();
        let message = format!(
            "agent name {name:?} is already used by {}; names must be unique",
            first.source.display
        );
        found.push(finding(
            manifest,
            rule,
            "/metadata/name".into(),
            message,
            false,
        ));
    }
    for raw in raw {
        let Some(rule) = registry.rule_for_package(&raw.package) else {
            continue;
        };
        if violations
            .iter()
            .any(|v| is_at_or_below(&raw.path, &v.pointer))
        {
            continue;
        }
        found.push(finding(manifest, rule, raw.path, raw.message, raw.redact));
    }
    Ok(found
        .into_iter()
        .filter_map(|f| apply_overrides(f, config))
        .collect())
}

fn policy_problem(error: PolicyError) -> Problem {
    Problem::whole(error.file, format!("policy error: {}", error.message))
}

fn is_at_or_below(path: &str, ancestor: &str) -> bool {
    path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// The registry's rules as this configuration runs them: disabled ones left out, severities
/// overridden.
fn enabled_rules(registry: &Registry, config: &Config) -> Vec<Arc<RuleMeta>> {
    registry
        .rules
        .values()
        .filter_map(|rule| match config.rules.get(&rule.id) {
            Some(o) if o.enabled == Some(false) => None,
            Some(o) if o.severity.is_some_and(|s| s != rule.severity) => Some(Arc::new(RuleMeta {
                severity: o.severity.unwrap_or(rule.severity),
                ..RuleMeta::clone(rule)
            })),
            _ => Some(rule.clone()),
        })
        .collect()
}

pub(super) fn apply_overrides(mut finding: Finding, config: &Config) -> Option<Finding> {
    if let Some(rule) = config.rules.get(&finding.rule) {
        if rule.enabled == Some(false) {
            return None;
        }
        if let Some(severity) = rule.severity {
            finding.severity = severity;
        }
    }
    Some(finding)
}

fn finding(
    manifest: &Manifest,
    rule: &RuleMeta,
    path: String,
    message: String,
    redact: bool,
) -> Finding {
    let (at, label) = locate(&manifest.root, &path);
    let place = Place {
        source: manifest.source.clone(),
        at,
        label,
    };
    Finding::of_rule(rule, place, manifest.name.clone(), path, message, redact)
}

/// Moves waived findings aside, and reports expired waivers (AG090) and, in a full run,
/// waivers that matched nothing or name a disabled rule (AG091), in the configuration file.
pub(super) fn apply_waivers(
    outcome: &mut Outcome,
    config: &Config,
    registry: &Registry,
    today: i64,
    partial: bool,
) {
    let applied = waiver::apply(
        std::mem::take(&mut outcome.findings),
        &config.waivers,
        today,
    );
    outcome.findings = applied.findings;
    outcome.waived = applied.waived;
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
        } else if unused && !partial {
            format!(
                "the waiver of {} matched no finding; remove it, the exception is no longer needed",
                waiver.rule
            )
        } else {
            continue;
        };
        meta.push((BuiltinRule::WaiverUnused, waiver, message));
    }
    let Some((source, root)) = &config.file else {
        return;
    };
    for (rule_id, waiver, message) in meta {
        let Some(rule) = registry.builtin_rule(rule_id) else {
            continue;
        };
        let (at, label) = locate(root, &waiver.pointer);
        let place = Place {
            source: source.clone(),
            at,
            label,
        };
        let finding = Finding::of_rule(rule, place, None, waiver.pointer.clone(), message, false);
        if let Some(finding) = apply_overrides(finding, config) {
            outcome.findings.push(finding);
        }
    }
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}
