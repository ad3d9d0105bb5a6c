//! From parsed manifests to findings: the Rego evaluation of every selected manifest with its
//! facts, schema findings (AG000) and duplicate names (AG080).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{json, Map, Value};

use super::sink::Sink;
use super::{CheckedAgent, Manifest};
use crate::config::Config;
use crate::context::RunContext;
use crate::evaluate::{to_rego, PolicyError, RawFinding};

use crate::facts::{delegation_cycles, manifest_facts};
use crate::finding::{Finding, Place, Problem};
use crate::registry::Registry;
use crate::review;
use crate::rule::{BuiltinRule, RuleMeta};
use crate::units::format_date;
use crate::yaml::locate;

/// `data.agentgate.settings` as rules see it: durations in seconds, `today` as YYYY-MM-DD.
pub fn settings_data(config: &Config, today: i64, people: Option<Vec<String>>) -> Value {
    let s = &config.settings;
    json!({
        "today": format_date(today),
        "maxTtl": s.max_ttl,
        "maxStaticTtl": s.max_static_ttl,
        "maxReviewAge": s.max_review_age,
        "maxReviewBackdate": s.max_review_backdate,
        "maxLifetime": s.max_lifetime,
        "lowConsequenceActions": s.low_consequence_actions,
        "nonPersonEmails": s.non_person_emails,
        "directory": people,
        "allowedSigners": s.allowed_signers.as_ref().map(|p| p.display().to_string()),
    })
}

/// What evaluation leaves besides findings: the rules it ran, the agents it judged (with their
/// facts) and the policy errors.
#[derive(Default)]
pub(super) struct Evaluated {
    pub rules: Vec<Arc<RuleMeta>>,
    pub checked: Vec<CheckedAgent>,
    pub problems: Vec<Problem>,
    /// Manifests (by index) whose `spec.sources` govern nothing: they fail a review rule
    /// (AG040 to AG044), have no review whose signature verifies, or could not be evaluated.
    pub unreviewed: BTreeSet<usize>,
    /// The names more than one manifest uses (AG080): in no cross-agent rule, matching no waiver.
    pub duplicates: BTreeSet<String>,
    /// What the run says about its evaluation (a rule package left to the interpreter).
    pub notes: Vec<String>,
    /// The evaluation's data, for the CLI not to free (see [`super::Retained`]).
    pub retained: super::Retained,
}

/// The review rules (AG040 to AG044): a manifest failing one governs no `spec.sources`.
fn is_review_rule(id: &str) -> bool {
    matches!(id, "AG040" | "AG041" | "AG042" | "AG043" | "AG044")
}

/// Whether a manifest claims code or configuration (`spec.sources`), which it governs only when
/// it passes the review rules.
fn has_sources(manifest: &Manifest) -> bool {
    // Asked of every manifest more than once: field by field, not by a pointer (which
    // allocates each segment).
    manifest
        .value
        .get("spec")
        .and_then(|spec| spec.get("sources"))
        .and_then(Value::as_array)
        .is_some_and(|sources| !sources.is_empty())
}

/// Evaluates every selected manifest; its findings go to `sink`. Manifests with `spec.sources`
/// are evaluated too, reported or not, for the review verdict that decides whether they govern.
/// `bases` says, index-aligned with `manifests`, how the change under check touched each
/// review (empty: no base revision).
pub(super) fn evaluate(
    manifests: &[Manifest],
    ctx: &RunContext,
    bases: &[review::ReviewBase],
    observed: &[Option<Map<String, Value>>],
    sink: &mut Sink,
) -> Evaluated {
    let (registry, config, today) = (&ctx.registry, &ctx.config, ctx.today);
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, m) in manifests.iter().enumerate() {
        if let Some(name) = &m.name {
            by_name.entry(name.as_str()).or_default().push(i);
        }
    }
    // A name used by more than one manifest belongs to none of them: neither enters the
    // inventory, so a decoy sorting first cannot stand in for the real agent.
    let duplicates: BTreeSet<String> = by_name
        .iter()
        .filter(|(_, found)| found.len() > 1)
        .map(|(name, _)| (*name).to_string())
        .collect();
    let unique: BTreeMap<String, usize> = by_name
        .iter()
        .filter(|(_, found)| found.len() == 1)
        .map(|(name, found)| ((*name).to_string(), found[0]))
        .collect();
    let inventory_refs: BTreeMap<String, &Value> = unique
        .iter()
        .map(|(n, &i)| (n.clone(), &*manifests[i].value))
        .collect();
    let cycles = delegation_cycles(&inventory_refs);
    // The result cache holds what the packs found on a manifest, keyed by all they read
    // (src/cache.rs): only when every custom pack's declared read set was verified (src/reads.rs).
    let cacheable = ctx.packs_cacheable();
    let cache = ctx.results.as_ref().filter(|_| cacheable);
    // With a cache, the review digest (a function of the manifest, which the key holds whole)
    // is computed only for the manifests evaluated: it was a sixth of a warm run.
    let facts_of = |i: usize| {
        let m = &manifests[i];
        let mut facts = manifest_facts(&m.value, &m.source.display, today);
        let base = bases.get(i).unwrap_or(&review::ReviewBase::NoBase);
        let backdate = config.settings.max_review_backdate;
        facts.extend(if cache.is_some() {
            review::facts_but_digest(&m.value, ctx.trust.trust(), today, base, backdate)
        } else {
            review::facts_against_base(&m.value, ctx.trust.trust(), today, base, backdate)
        });
        if let Some(cycle) = m.name.as_ref().and_then(|n| cycles.get(n)) {
            facts.insert("delegationCycle".into(), json!(cycle));
        }
        if let Some(Some(extra)) = observed.get(i) {
            facts.extend(extra.clone());
        }
        Value::Object(facts)
    };
    let duplicated = |i: usize| {
        manifests[i]
            .name
            .as_ref()
            .is_some_and(|n| duplicates.contains(n))
    };
    let judged = |i: usize| manifests[i].selected || has_sources(&manifests[i]);
    // The built-in rules, and verified custom packs, read only the facts of the agent they
    // judge; another custom pack may read any agent's. So a run of such packs alone makes facts
    // only for the agents it judges: a pre-commit check of one file then hashes and verifies one manifest, not the
    // whole repository. In parallel: hashing and verifying are the costliest facts.
    let mut own_facts: BTreeMap<usize, Arc<Value>> = (0..manifests.len())
        .into_par_iter()
        .filter(|&i| {
            let named_once = manifests[i].name.is_some() && !duplicated(i);
            judged(i) || (named_once && !cacheable)
        })
        .map(|i| (i, Arc::new(facts_of(i))))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let evaluated: Vec<usize> = (0..manifests.len()).filter(|&i| judged(i)).collect();
    let plain: Vec<usize> = evaluated
        .iter()
        .copied()
        .filter(|&i| !duplicated(i))
        .collect();
    // A manifest with a duplicated name has facts of its own, which no name can hold: it is
    // judged with them alone as `data.agentgate.facts`, without copying any data (linear in the
    // number of duplicates).
    let shared: Vec<usize> = evaluated
        .iter()
        .copied()
        .filter(|&i| duplicated(i))
        .collect();
    let settings = settings_data(config, today, ctx.people.clone());

    let keys: BTreeMap<usize, String> = match cache {
        None => BTreeMap::new(),
        Some(_) => {
            let packs: Vec<String> = registry.packs.iter().map(|p| p.digest()).collect();
            let engine = format!("{:?}/{}", ctx.engine, crate::evaluate::rvm_is_fail_closed());
            let run = crate::cache::Run {
                engine: &engine,
                packs: &packs,
                settings: &settings,
            };
            plain
                .par_iter()
                .filter_map(|&i| {
                    let value = &*manifests[i].value;
                    // A manifest read without a text key is not cached; nor one delegating to
                    // such a manifest.
                    let delegates: Vec<(&str, Option<crate::cache::Source>, bool)> =
                        crate::cache::delegate_names(value)?
                            .into_iter()
                            .map(|name| match unique.get(name) {
                                Some(&j) => Some((name, Some(manifests[j].text?), false)),
                                None => Some((name, None, duplicates.contains(name))),
                            })
                            .collect::<Option<_>>()?;
                    let facts = own_facts.get(&i)?;
                    Some((
                        i,
                        crate::cache::ResultCache::key(&run, manifests[i].text?, facts, &delegates),
                    ))
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect()
        }
    };
    let mut hits = cache.map_or_else(BTreeMap::new, |c| {
        c.lookup(keys.values().map(String::as_str))
    });
    // Each hit is moved to its manifest, and copied only for a key two manifests share.
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for key in keys.values() {
        *uses.entry(key.as_str()).or_default() += 1;
    }
    let mut results: BTreeMap<usize, Result<Vec<RawFinding>, PolicyError>> = keys
        .iter()
        .filter_map(|(&i, key)| {
            let left = uses.get_mut(key.as_str())?;
            *left -= 1;
            let found = if *left == 0 {
                hits.remove(key)?
            } else {
                hits.get(key)?.clone()
            };
            Some((i, Ok(found)))
        })
        .collect();
    let misses: Vec<usize> = plain
        .iter()
        .copied()
        .filter(|i| !results.contains_key(i))
        .collect();
    if cache.is_some() {
        let digests: Vec<(usize, String)> = misses
            .par_iter()
            .chain(shared.par_iter())
            .map(|&i| (i, crate::digest::digest(&manifests[i].value)))
            .collect();
        for (i, digest) in digests {
            if let Some(Value::Object(facts)) = own_facts.get_mut(&i).map(Arc::make_mut) {
                facts.insert("digest".into(), Value::String(digest));
            }
        }
    }
    let mut notes = Vec::new();
    let mut retained = super::Retained::default();
    if misses.is_empty() && shared.is_empty() && registry.packs.len() > 1 {
        // Nothing to evaluate, every result from the cache: the engine notes of a custom pack
        // (a package the rvm could not compile) are still said, as an uncached run says them.
        match ctx.compiled() {
            Ok(compiled) => notes = compiled.notes,
            Err(e) => {
                return Evaluated {
                    problems: vec![policy_problem(e, &ctx.cwd)],
                    ..Evaluated::default()
                }
            }
        }
    }
    if !misses.is_empty() || !shared.is_empty() {
        match evaluate_misses(
            manifests,
            ctx,
            &misses,
            &shared,
            &own_facts,
            &unique,
            &duplicates,
            settings,
            &judged,
        ) {
            Ok((mut found, engine_notes, kept)) => {
                notes = engine_notes;
                // Placed here, in parallel, and cached placed.
                found.par_iter_mut().for_each(|(&i, result)| {
                    for raw in result.iter_mut().flatten() {
                        raw.place = Some(locate(&manifests[i].root, &raw.path));
                    }
                });
                retained = kept;
                if let Some(cache) = cache {
                    cache.store(
                        found
                            .iter()
                            .filter_map(|(i, r)| {
                                Some((keys.get(i)?.clone(), r.as_ref().ok()?.clone()))
                            })
                            .collect(),
                    );
                }
                results.extend(found);
            }
            Err((problem, engine_notes)) => {
                return Evaluated {
                    problems: vec![problem],
                    notes: engine_notes,
                    ..Evaluated::default()
                }
            }
        }
    }

    let per_manifest: Vec<(usize, Result<Vec<Finding>, Problem>)> = results
        .into_par_iter()
        .map(|(i, result)| {
            let others: Vec<&Manifest> = manifests[i]
                .name
                .as_deref()
                .and_then(|n| by_name.get(n))
                .into_iter()
                .flatten()
                .filter(|&&j| j != i)
                .map(|&j| &manifests[j])
                .collect();
            (
                i,
                manifest_findings(&manifests[i], result, &others, registry, &ctx.cwd),
            )
        })
        .collect();
    let mut evaluated = Evaluated {
        rules: enabled_rules(registry, config),
        checked: (0..manifests.len())
            .filter(|&i| manifests[i].selected)
            .map(|i| CheckedAgent {
                file: manifests[i].source.display.clone(),
                agent: manifests[i].name.clone(),
                document: manifests[i].value.clone(),
                facts: own_facts.get(&i).cloned().unwrap_or_default(),
                source: manifests[i].source.clone(),
                root: manifests[i].root.clone(),
            })
            .collect(),
        problems: Vec::new(),
        unreviewed: BTreeSet::new(),
        duplicates: duplicates.clone(),
        notes,
        retained,
    };
    let enabled = |rule: &str| {
        config
            .rules
            .get(rule)
            .is_none_or(|o| o.enabled != Some(false))
    };
    for (i, result) in per_manifest {
        let selected = manifests[i].selected;
        match result {
            Ok(found) => {
                if found
                    .iter()
                    .any(|f| is_review_rule(&f.rule) && enabled(&f.rule))
                {
                    evaluated.unreviewed.insert(i);
                }
                if selected {
                    sink.extend(found);
                }
            }
            Err(problem) => {
                evaluated.unreviewed.insert(i);
                if selected {
                    evaluated.problems.push(problem);
                }
            }
        }
    }
    // Claiming code is itself what a review must accept: a manifest that holds no access needs
    // no review (AG040 stays silent), but its sources govern only under a review whose
    // signature verifies, or one unreviewed file could silence discovery everywhere.
    for (&i, facts) in &own_facts {
        if has_sources(&manifests[i]) {
            let signature = facts.get("review").and_then(|r| r.get("signature"));
            if signature.and_then(Value::as_str) != Some("valid") {
                evaluated.unreviewed.insert(i);
            }
        }
    }
    evaluated
}

/// What [`evaluate_misses`] leaves: each manifest's result, the engine's notes, and what the
/// CLI need not free.
type Evaluation = (
    BTreeMap<usize, Result<Vec<RawFinding>, PolicyError>>,
    Vec<String>,
    super::Retained,
);

/// Evaluates the manifests no cache entry covers: `misses` (named once, or unnamed) and
/// `shared` (a duplicated name), building `data` for them. Returns their results, the engine's
/// notes and what the CLI need not free; or the policy error that stops the run.
#[allow(clippy::too_many_arguments)]
fn evaluate_misses(
    manifests: &[Manifest],
    ctx: &RunContext,
    misses: &[usize],
    shared: &[usize],
    own_facts: &BTreeMap<usize, Arc<Value>>,
    unique: &BTreeMap<String, usize>,
    duplicates: &BTreeSet<String>,
    settings: Value,
    judged: &(dyn Fn(usize) -> bool + Sync),
) -> Result<Evaluation, (Problem, Vec<String>)> {
    // `data` is built once, in regorus's own values, with no JSON copy: each manifest is
    // converted once (in parallel), and its inventory entry is the very value it is evaluated
    // as (`input`).
    let converted: BTreeMap<usize, regorus::Value> = (0..manifests.len())
        .into_par_iter()
        .filter(|&i| {
            judged(i) || unique.get(manifests[i].name.as_deref().unwrap_or_default()) == Some(&i)
        })
        .map(|i| (i, to_rego(&manifests[i].value)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let rego_key = |s: &str| regorus::Value::from(s);
    let facts: BTreeMap<regorus::Value, regorus::Value> = unique
        .iter()
        .filter_map(|(n, i)| Some((rego_key(n), to_rego(own_facts.get(i)?))))
        .collect();
    let inventory: BTreeMap<regorus::Value, regorus::Value> = unique
        .iter()
        .filter_map(|(n, i)| Some((rego_key(n), converted.get(i)?.clone())))
        .collect();
    let agentgate: BTreeMap<regorus::Value, regorus::Value> = [
        (rego_key("settings"), to_rego(&settings)),
        (rego_key("inventory"), regorus::Value::from(inventory)),
        (rego_key("duplicates"), to_rego(&json!(duplicates))),
        (rego_key("facts"), regorus::Value::from(facts)),
    ]
    .into_iter()
    .collect();
    let data = regorus::Value::from(BTreeMap::from([(
        rego_key("agentgate"),
        regorus::Value::from(agentgate),
    )]));
    let input = |i: usize| {
        converted
            .get(&i)
            .cloned()
            .unwrap_or_else(|| to_rego(&manifests[i].value))
    };
    // The load-time trial run evaluates the first manifest to check, so its result is kept:
    // for a pre-commit check of one file that halves the evaluation.
    let trial = misses
        .first()
        .map_or_else(|| to_rego(&json!({})), |&i| input(i));
    let (prepared, notes) = match ctx.compiled() {
        Ok(compiled) => {
            let notes = compiled.notes.clone();
            (compiled.prepare(&ctx.registry, data.clone(), trial), notes)
        }
        Err(e) => (Err(e), Vec::new()),
    };
    let (evaluator, trial_result) = match prepared {
        Ok((evaluator, found)) => (evaluator, Ok(found)),
        // The trial failed on a manifest: the pack is broken only if it fails on nothing too.
        // Otherwise the error is that manifest's, as it would be in any other place (which
        // manifest comes first depends on the result cache: the verdict must not).
        Err(error) if !misses.is_empty() => {
            match ctx
                .compiled()
                .and_then(|c| c.prepare(&ctx.registry, data, to_rego(&json!({}))))
            {
                Ok((evaluator, _)) => (evaluator, Err(error)),
                Err(e) => return Err((policy_problem(e, &ctx.cwd), notes)),
            }
        }
        Err(e) => return Err((policy_problem(e, &ctx.cwd), notes)),
    };
    let rest = misses.get(1..).unwrap_or_default();
    let mut results: BTreeMap<usize, Result<Vec<RawFinding>, PolicyError>> = rest
        .iter()
        .copied()
        .zip(evaluator.evaluate_all(&rest.iter().map(|&i| input(i)).collect::<Vec<_>>()))
        .collect();
    if let Some(&first) = misses.first() {
        results.insert(first, trial_result);
    }
    let inputs: Vec<(regorus::Value, Value)> = shared
        .iter()
        .map(|&i| {
            let name = manifests[i].name.clone().unwrap_or_default();
            let own = own_facts.get(&i).map_or(Value::Null, |f| (**f).clone());
            (input(i), json!({ name: own }))
        })
        .collect();
    results.extend(
        shared
            .iter()
            .copied()
            .zip(evaluator.evaluate_with_facts(&inputs)),
    );
    let mut retained = super::Retained::default();
    retained.keep(evaluator);
    retained.keep(converted);
    Ok((results, notes, retained))
}

/// Everything reported on one manifest: schema violations (AG000), a duplicate name (AG080,
/// naming the `others` that share it) and the rule findings that no schema violation already
/// covers.
fn manifest_findings(
    manifest: &Manifest,
    result: Result<Vec<RawFinding>, PolicyError>,
    others: &[&Manifest],
    registry: &Registry,
    cwd: &std::path::Path,
) -> Result<Vec<Finding>, Problem> {
    let raw = result.map_err(|e| Problem {
        line: e.line,
        column: e.column,
        message: format!("{}: policy error: {}", manifest.source.display, e.message),
        ..Problem::whole(policy_file(&e.file, cwd), String::new())
    })?;
    let mut found = Vec::new();
    let schema_rule = registry.builtin_rule(BuiltinRule::Schema);
    let computed;
    let violations: &[crate::validate::Violation] = match &manifest.violations {
        Some(cached) => cached,
        None => {
            computed = super::schema_violations(&manifest.value);
            &computed
        }
    };
    for v in violations {
        if let Some(rule) = schema_rule {
            found.push(finding(
                manifest,
                rule,
                v.pointer.clone(),
                v.message.clone(),
                v.secret,
                v.place,
            ));
        }
    }
    if let (Some(rule), false) = (
        registry.builtin_rule(BuiltinRule::DuplicateAgent),
        others.is_empty(),
    ) {
        let name = manifest.name.as_deref().unwrap_or_default();
        let mut files: Vec<&str> = others
            .iter()
            .map(|o| {
                if o.source.path == manifest.source.path {
                    "another document of this file"
                } else {
                    o.source.display.as_str()
                }
            })
            .collect();
        files.dedup();
        let message = format!(
            "agent name {name:?} is already used by {}; names must be unique: until they are, no manifest of this name is in the inventory (a delegation to it is AG070) and no waiver applies to it",
            files.join(", ")
        );
        found.push(finding(
            manifest,
            rule,
            "/metadata/name".into(),
            message,
            false,
            None,
        ));
    }
    for raw in raw {
        let Some(rule) = registry.rule_for_package(&raw.package) else {
            continue;
        };
        // A secret is reported even where the schema already complains: AG000 says the value
        // has the wrong shape, AG025 that it leaked, and only the second says to rotate it.
        if !raw.redact
            && violations
                .iter()
                .any(|v| is_at_or_below(&raw.path, &v.pointer))
        {
            continue;
        }
        found.push(finding(
            manifest,
            rule,
            raw.path,
            raw.message,
            raw.redact,
            raw.place,
        ));
    }
    Ok(found)
}

/// A policy error at its rule file (shown as every file is, relative to the working directory)
/// and line.
fn policy_problem(error: PolicyError, cwd: &std::path::Path) -> Problem {
    Problem {
        line: error.line,
        column: error.column,
        ..Problem::whole(
            policy_file(&error.file, cwd),
            format!("policy error: {}", error.message),
        )
    }
}

fn policy_file(file: &str, cwd: &std::path::Path) -> String {
    let path = std::path::Path::new(file);
    if path.is_absolute() {
        crate::fs::display_path(path, cwd)
    } else {
        file.to_string()
    }
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

/// A finding on `manifest` at `path`; `place` is where it points when already known (else it
/// is found in the manifest's span tree).
fn finding(
    manifest: &Manifest,
    rule: &RuleMeta,
    path: String,
    message: String,
    redact: bool,
    place: Option<(usize, crate::source::Span)>,
) -> Finding {
    let (at, label) = place.unwrap_or_else(|| locate(&manifest.root, &path));
    let place = Place {
        source: manifest.source.clone(),
        at,
        label,
    };
    Finding::of_rule(rule, place, manifest.name.clone(), path, message, redact)
}
