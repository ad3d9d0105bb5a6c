//! `agentgate check`: runs the stages in order and gathers what they found.
//! Data flows one way: discover → parse → validate → evaluate → findings for the reporters.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::changes::{self, ChangeFilter};
use crate::config::Config;
use crate::discover;
use crate::evaluate::{Compiled, PolicyError};
use crate::finding::{Finding, Problem};
use crate::fs::{display_path, normalize, read_text};
use crate::pack_source::PackSource;
use crate::registry::Registry;
use crate::review::TrustStore;
use crate::rule::Severity;
use crate::rule::{BuiltinRule, RuleMeta};
use crate::source::SourceFile;
use crate::units::today_utc;
use crate::waiver::Waived;
use crate::yaml::{self, locate, Limits, Node};

mod findings;

pub use findings::settings_data;
use findings::{apply_overrides, apply_waivers, evaluate};

pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub fail_on: Option<Severity>,
    /// Days since 1970-01-01; today's UTC date when absent.
    pub today: Option<i64>,
    pub max_file_size: u64,
    pub cwd: PathBuf,
    /// Report only manifests changed since a revision or staged in the index.
    pub changes: Option<ChangeFilter>,
    /// Rule pack folders given on the command line, beside the configured ones.
    pub packs: Vec<PathBuf>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// Manifest files and agents reported on.
    pub files: usize,
    pub agents: usize,
    pub fail_on: Option<Severity>,
    /// The rules this run evaluated: enabled ones only, with the configured severity.
    pub rules: Vec<Arc<RuleMeta>>,
    /// Every agent reported on, in path order (a file that could not be parsed has none).
    pub checked: Vec<CheckedAgent>,
    /// Findings an active waiver covers: reported, but not counted against `failOn`.
    pub waived: Vec<Waived>,
}

/// An agent that was checked: its manifest file, `metadata.name` and the document itself (for
/// the inventory, which would otherwise read and parse every manifest a second time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedAgent {
    pub file: String,
    pub agent: Option<String>,
    pub document: Arc<Value>,
}

impl Outcome {
    fn failed(problems: Vec<Problem>) -> Outcome {
        Outcome {
            problems,
            ..Outcome::default()
        }
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Agents with at least one finding.
    pub fn agents_with_findings(&self) -> usize {
        let manifests = self.manifest_files();
        self.counted_findings()
            .filter(|f| manifests.contains(f.file.as_str()))
            .map(|f| (&f.file, &f.agent))
            .collect::<BTreeSet<_>>()
            .len()
    }

    /// Files other than manifests with findings: the footprints that `discover` reports (MCP
    /// configurations, agent cards, code, `.env` files).
    pub fn other_files_with_findings(&self) -> usize {
        let manifests = self.manifest_files();
        self.counted_findings()
            .filter(|f| !manifests.contains(f.file.as_str()))
            .map(|f| &f.file)
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn manifest_files(&self) -> BTreeSet<&str> {
        self.checked.iter().map(|c| c.file.as_str()).collect()
    }

    /// Findings about agents and files; waiver findings are about the configuration.
    fn counted_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| !BuiltinRule::from_id(&f.rule).is_some_and(BuiltinRule::is_about_waivers))
    }

    /// 2 for problems, 1 for findings at or above the failing severity, else 0.
    pub fn exit_code(&self, no_fail: bool) -> i32 {
        if !self.problems.is_empty() {
            return 2;
        }
        let threshold = self.fail_on.unwrap_or(Severity::Error);
        let failing = self.findings.iter().any(|f| f.severity >= threshold);
        i32::from(failing && !no_fail)
    }
}

/// One manifest document, parsed, with where it came from.
type FileResult = (PathBuf, Result<Vec<Manifest>, Vec<Problem>>);

struct Manifest {
    source: Arc<SourceFile>,
    value: Arc<Value>,
    root: Node,
    name: Option<String>,
    selected: bool,
}

/// Whether a run also looks for agent footprints that no manifest governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Only when the configuration says `discover: true`.
    Configured,
    /// `check --discover`: manifests and footprints in one pass.
    Also,
    /// `agentgate discover`: footprints only (AG100 to AG103); paths need not hold manifests.
    Only,
}

/// The repository a run belongs to, found from its first path (or the working directory).
pub fn repository_root(cwd: &Path, paths: &[PathBuf]) -> PathBuf {
    let start = paths
        .first()
        .map_or_else(|| cwd.to_path_buf(), |p| normalize(&cwd.join(p)));
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        start
    };
    discover::find_root(&start)
}

pub fn run(options: &CheckOptions) -> Outcome {
    run_with(options, Discovery::Configured)
}

pub fn run_with(options: &CheckOptions, discovery: Discovery) -> Outcome {
    let root = repository_root(&options.cwd, &options.paths);
    let config = match load_config(options, &root) {
        Ok(config) => config,
        Err(problems) => return Outcome::failed(problems),
    };
    let registry = match registry_for(&config, &options.cwd, &options.packs) {
        Ok(registry) => registry,
        Err(problems) => return Outcome::failed(problems),
    };
    // Parsing the pack's Rego does not depend on the manifests: it runs while they are read.
    let compiling = {
        let registry = registry.clone();
        std::thread::Builder::new().spawn(move || Compiled::new(&registry))
    };
    let mut problems = check_overrides(&config, &registry);
    let people = match read_directory(&config) {
        Ok(people) => people,
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let trust = match TrustStore::load(&config, &options.cwd) {
        Ok(trust) => trust,
        Err(found) => {
            problems.extend(found);
            TrustStore::default()
        }
    };
    let exclude = match discover::exclude_set(&config.exclude) {
        Ok(set) => set,
        Err(message) => {
            problems.push(config.problem("/exclude", message));
            return Outcome::failed(problems);
        }
    };
    if !problems.is_empty() {
        return Outcome::failed(problems);
    }

    let mut inventory_files = discover::walk(&root, &exclude);
    let arguments: Vec<PathBuf> = if options.paths.is_empty() {
        vec![options.cwd.clone()]
    } else {
        options
            .paths
            .iter()
            .map(|p| normalize(&options.cwd.join(p)))
            .collect()
    };
    for explicit in arguments.iter().filter(|p| p.is_file()) {
        if !inventory_files.contains(explicit) {
            inventory_files.push(explicit.clone());
        }
    }
    inventory_files.sort();
    let selection = discover::select(&arguments, &inventory_files);
    // Only a path the user named must match something; an empty repository checked by
    // default has simply nothing to report.
    let named = if options.paths.is_empty() || discovery == Discovery::Only {
        &[][..]
    } else {
        &selection.unmatched[..]
    };
    problems.extend(named.iter().map(|path| {
        Problem::whole(
            display_path(Path::new(path), &options.cwd),
            "matches no agent manifest (agent.yaml, *.agent.yaml, or .agents/*.yaml); nothing would be checked",
        )
    }));

    let changes = match &options.changes {
        Some(filter) => match changes::changed_files(&root, filter) {
            Ok(changes) => Some(changes),
            Err(message) => {
                problems.push(Problem::whole(display_path(&root, &options.cwd), message));
                return Outcome::failed(problems);
            }
        },
        None => None,
    };
    let parsed: Vec<FileResult> = inventory_files
        .par_iter()
        .map(|path| {
            let display = display_path(path, &options.cwd);
            (
                path.clone(),
                read_manifests(path, display, options.max_file_size),
            )
        })
        .collect();
    let mut manifests = Vec::new();
    let mut file_problems = BTreeMap::new();
    for (path, result) in parsed {
        match result {
            Ok(found) => manifests.extend(found),
            Err(found) => {
                file_problems.insert(path, found);
            }
        }
    }
    let reported = match &changes {
        Some(changes) => narrow_to_changes(&selection.files, changes, &manifests),
        None => selection.files.clone(),
    };
    for manifest in &mut manifests {
        manifest.selected = reported.contains(&manifest.source.path);
    }
    for (path, found) in file_problems {
        if reported.contains(&path) {
            problems.extend(found);
        }
    }
    let files = reported.len();

    let today = options.today.unwrap_or_else(today_utc);
    let compiled = match compiling {
        Ok(thread) => thread.join().unwrap_or_else(|_| {
            Err(PolicyError {
                file: "policies".into(),
                message: "the rule packs could not be compiled".into(),
            })
        }),
        // No thread to spare: compile here, as before the manifests were read.
        Err(_) => Compiled::new(&registry),
    };
    let mut outcome = evaluate(
        &manifests,
        (&registry, compiled),
        &config,
        today,
        people,
        &trust,
    );
    let governors: Vec<crate::footprints::Governor> = manifests
        .iter()
        .map(|m| {
            let name = m.name.as_deref();
            crate::footprints::Governor::new(&m.source, &m.root, &m.value, name, m.selected)
        })
        .collect();
    let footprints = discovery != Discovery::Configured || config.discover;
    let (footprint_findings, unreadable) = crate::footprints::run(
        &root,
        &options.cwd,
        &exclude,
        &governors,
        &registry,
        options.max_file_size,
        footprints.then_some(&arguments[..]),
    );
    outcome.findings.extend(
        footprint_findings
            .into_iter()
            .filter_map(|f| apply_overrides(f, &config)),
    );
    problems.extend(unreadable);
    if discovery == Discovery::Only {
        outcome
            .findings
            .retain(|f| BuiltinRule::from_id(&f.rule).is_some_and(BuiltinRule::is_footprint));
    }
    outcome.problems.extend(problems);
    outcome.files = files;
    outcome.agents = manifests.iter().filter(|m| m.selected).count();
    outcome.fail_on = Some(options.fail_on.unwrap_or(config.fail_on));
    outcome
        .findings
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .findings
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    // AG091 needs every manifest: a run narrowed to some of them cannot tell a waiver is unused.
    let partial = options.changes.is_some() || selection.files.len() < inventory_files.len();
    apply_waivers(&mut outcome, &config, &registry, today, partial);
    outcome
        .problems
        .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    outcome
        .problems
        .dedup_by(|a, b| a.sort_key() == b.sort_key());
    outcome
}

/// The registry a run in `cwd` would use: the built-in pack, the configured packs and `packs`.
pub fn load_registry(
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
    packs: &[PathBuf],
) -> Result<Registry, Vec<Problem>> {
    let root = repository_root(cwd, paths);
    let options = CheckOptions {
        paths: paths.to_vec(),
        config: config.map(Path::to_path_buf),
        fail_on: None,
        today: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        cwd: cwd.to_path_buf(),
        changes: None,
        packs: packs.to_vec(),
    };
    registry_for(&load_config(&options, &root)?, cwd, packs)
}

fn registry_for(config: &Config, cwd: &Path, packs: &[PathBuf]) -> Result<Registry, Vec<Problem>> {
    let mut sources = config.packs.clone();
    sources.extend(
        packs
            .iter()
            .map(|p| PackSource::Dir(normalize(&cwd.join(p)))),
    );
    Registry::load(&sources).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| Problem {
                line: e.line.max(1),
                ..Problem::whole(e.file, e.message)
            })
            .collect()
    })
}

fn load_config(options: &CheckOptions, root: &Path) -> Result<Config, Vec<Problem>> {
    Config::load_for(
        &options.cwd,
        root,
        options.config.as_deref(),
        options.max_file_size,
    )
}

fn check_overrides(config: &Config, registry: &Registry) -> Vec<Problem> {
    let mut problems = Vec::new();
    for waiver in &config.waivers {
        if !registry.rules.contains_key(&waiver.rule) {
            problems.push(config.problem(
                &format!("{}/rule", waiver.pointer),
                format!(
                    "the waiver names an unknown rule id {}; `agentgate rules` lists them",
                    waiver.rule
                ),
            ));
        } else if BuiltinRule::from_id(&waiver.rule).is_some_and(BuiltinRule::is_unwaivable) {
            problems.push(config.problem(
                &format!("{}/rule", waiver.pointer),
                format!(
                    "{} cannot be waived: a waiver must not switch the gate itself off",
                    waiver.rule
                ),
            ));
        }
    }
    for (id, rule) in &config.rules {
        if !registry.rules.contains_key(id) {
            problems.push(config.problem(
                &rule.pointer,
                format!("unknown rule id {id}; `agentgate rules` lists them"),
            ));
        } else if id == BuiltinRule::Schema.id()
            && (rule.enabled == Some(false) || rule.severity == Some(Severity::Warning))
        {
            problems.push(config.problem(
                &rule.pointer,
                "AG000 (schema) cannot be disabled or downgraded: otherwise a typo could switch rules off",
            ));
        }
    }
    problems
}

fn read_directory(config: &Config) -> Result<Option<Vec<String>>, Problem> {
    let Some(path) = &config.settings.directory else {
        return Ok(None);
    };
    let text = read_text(path, 64 * 1024 * 1024).map_err(|e| {
        config.problem(
            "/settings/directory",
            format!("cannot read the people directory {}: {e}", path.display()),
        )
    })?;
    let mut people: Vec<String> = text
        .lines()
        .map(|l| {
            l.split('#')
                .next()
                .unwrap_or_default()
                .trim()
                .to_lowercase()
        })
        .filter(|l| !l.is_empty())
        .collect();
    people.sort();
    people.dedup();
    Ok(Some(people))
}

fn read_manifests(
    path: &Path,
    display: String,
    max_bytes: u64,
) -> Result<Vec<Manifest>, Vec<Problem>> {
    let text = read_text(path, max_bytes).map_err(|e| {
        vec![Problem {
            line: e.line,
            column: e.column,
            ..Problem::whole(display.clone(), e.message)
        }]
    })?;
    let source = Arc::new(SourceFile::new(path.to_path_buf(), display.clone(), text));
    let documents = yaml::parse(&source, Limits::default())
        .map_err(|e| vec![Problem::at(&source, e.offset, e.span, e.message)])?;
    if documents.is_empty() {
        return Err(vec![Problem::whole(display, "the file is empty; an agent manifest starts with `apiVersion: agentgate/v1` and `kind: Agent`")]);
    }
    let mut manifests = Vec::new();
    let mut problems = Vec::new();
    for document in documents {
        match manifest_kind_problem(&document.value) {
            Some(message) => {
                let (at, label) = locate(&document.root, "/apiVersion");
                problems.push(Problem::at(&source, at, label, message));
            }
            None => manifests.push(Manifest {
                name: document
                    .value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                source: source.clone(),
                value: Arc::new(document.value),
                root: document.root,
                selected: false,
            }),
        }
    }
    if problems.is_empty() {
        Ok(manifests)
    } else {
        Err(problems)
    }
}

/// Why a document in a manifest place is not an `agentgate/v1` `Agent`, if it is not.
/// The manifests to report on when only changes count: the changed ones, and every manifest
/// whose delegation reaches a changed or removed agent (a changed delegate can break an
/// unchanged delegator), within what the paths selected.
fn narrow_to_changes(
    selected: &BTreeSet<PathBuf>,
    changes: &changes::Changes,
    manifests: &[Manifest],
) -> BTreeSet<PathBuf> {
    let mut affected: BTreeSet<String> = manifests
        .iter()
        .filter(|m| changes.present.contains(&m.source.path))
        .filter_map(|m| m.name.clone())
        .collect();
    for (path, text) in &changes.removed {
        let source = SourceFile::new(path.clone(), String::new(), text.as_str());
        for document in yaml::parse(&source, Limits::default()).unwrap_or_default() {
            if let Some(name) = document
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
            {
                affected.insert(name.to_string());
            }
        }
    }
    let mut reported: BTreeSet<PathBuf> = changes.present.intersection(selected).cloned().collect();
    loop {
        let before = affected.len();
        for manifest in manifests {
            let delegates = manifest
                .value
                .pointer("/spec/delegation/delegatesTo")
                .and_then(Value::as_array);
            let reaches = delegates.is_some_and(|d| {
                d.iter()
                    .filter_map(Value::as_str)
                    .any(|n| affected.contains(n))
            });
            if reaches {
                if selected.contains(&manifest.source.path) {
                    reported.insert(manifest.source.path.clone());
                }
                affected.extend(manifest.name.clone());
            }
        }
        if affected.len() == before {
            return reported;
        }
    }
}

fn manifest_kind_problem(value: &Value) -> Option<String> {
    let Value::Object(map) = value else {
        return Some("expected an agent manifest (a mapping with `apiVersion: agentgate/v1` and `kind: Agent`)".into());
    };
    match (map.get("apiVersion"), map.get("kind")) {
        (Some(Value::String(v)), Some(Value::String(k))) if v == "agentgate/v1" && k == "Agent" => None,
        (Some(Value::String(v)), _) if v != "agentgate/v1" => Some(format!(
            "unknown apiVersion {v:?}: this agentgate reads `agentgate/v1`; upgrade agentgate or fix the version"
        )),
        (Some(Value::String(_)), kind) => Some(format!(
            "kind must be `Agent` for apiVersion agentgate/v1, found {}",
            kind.map_or("nothing".to_string(), Value::to_string)
        )),
        _ => Some("missing `apiVersion: agentgate/v1`: every file in a manifest place must be an agent manifest".into()),
    }
}
