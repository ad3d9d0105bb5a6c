//! `agentgate check`: runs the stages in order and gathers what they found.
//! Data flows one way: discover → parse → validate → evaluate → findings for the reporters.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use crate::changes::{self, ChangeFilter};
use crate::context::{ContextOptions, RunContext};
use crate::discover;
use crate::finding::{Finding, Problem};
use crate::footprints::{self, Governor};
use crate::fs::{display_path, normalize, read_text};
use crate::parse_cache;
use crate::review::ReviewBase;
use crate::rule::{BuiltinRule, Command, RuleMeta, Severity};
use crate::source::SourceFile;
use crate::validate::{manifest_validator, violations_redacting, Violation};
use crate::waiver::Waived;
use crate::yaml::{self, locate, Limits, SpanTree};

mod findings;
mod sink;

pub use crate::context::DEFAULT_MAX_FILE_SIZE;
use findings::evaluate;
pub use findings::settings_data;
pub use sink::{Settled, Sink};

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

impl CheckOptions {
    /// The part of the options that prepares the run context.
    pub fn context(&self) -> ContextOptions {
        ContextOptions {
            cwd: self.cwd.clone(),
            paths: self.paths.clone(),
            config: self.config.clone(),
            packs: self.packs.clone(),
            today: self.today,
            max_file_size: self.max_file_size,
            root: None,
        }
    }
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
    /// What the run says about itself in human output (a partial run made a full run, say).
    pub notes: Vec<String>,
    /// What the run no longer needs but would spend time freeing (the parsed manifests, the
    /// evaluation's data): the CLI leaves without freeing it once its output is written.
    pub retained: Retained,
    /// Whether the run looked for agent footprints (discovery), not only at manifests.
    pub discovered: bool,
    /// Files in manifest places, among those reported on, that do not claim to be manifests
    /// (other tools' files): passed over as manifests, read by discovery.
    pub other_tools: usize,
    /// Manifests in the repository's inventory, reported on or not (a partial run reports
    /// some), and the unregistered-agent footprints discovery found before a partial run
    /// narrowed them: "no agents found" is said only when both are none.
    pub inventory: usize,
    pub footprints: usize,
}

/// An agent that was checked: its manifest file, `metadata.name`, the document itself and its
/// facts (for the inventory, which would otherwise read, parse and verify every manifest a
/// second time), and where its values sit in the file (for the commands that report their own
/// findings on manifests: `owners`, `drift`).
#[derive(Debug, Clone)]
pub struct CheckedAgent {
    pub file: String,
    pub agent: Option<String>,
    pub document: Arc<Value>,
    /// `data.agentgate.facts` of this agent as its rules saw them (digest, review verdict,
    /// durations).
    pub facts: Arc<Value>,
    pub source: Arc<SourceFile>,
    pub root: Arc<SpanTree>,
}

impl CheckedAgent {
    /// The place of the value at `pointer` (its nearest existing ancestor when absent).
    pub fn place(&self, pointer: &str) -> crate::finding::Place {
        let (at, label) = locate(&self.root, pointer);
        crate::finding::Place {
            source: self.source.clone(),
            at,
            label,
        }
    }

    /// 1-based line of the value at `pointer` (its nearest existing ancestor when absent).
    pub fn line(&self, pointer: &str) -> usize {
        self.place(pointer).line_column().0
    }
}

/// What another command than `check` adds to the run (`drift`): facts for each agent's
/// `data.agentgate.facts[name]` and findings of its own, computed from every manifest document
/// of the inventory; and which command's rules the run then reports and judges waivers of.
pub struct Extra<'a> {
    pub command: Command,
    /// Given the inventory's documents: one entry of facts per document, in the same order
    /// (`None`: nothing to add), and the command's own findings.
    pub observe: &'a mut Observe<'a>,
}

/// See [`Extra::observe`].
pub type Observe<'a> =
    dyn FnMut(&[&Value]) -> (Vec<Option<serde_json::Map<String, Value>>>, Vec<Finding>) + 'a;

/// Values kept alive only to be dropped (or, by the CLI, not dropped: at 10,000 manifests freeing
/// them takes about 0.2 s after the report is written).
#[derive(Default)]
pub struct Retained(Vec<Box<dyn std::any::Any + Send>>);

impl Retained {
    pub(crate) fn keep(&mut self, value: impl std::any::Any + Send) {
        self.0.push(Box::new(value));
    }
}

impl std::fmt::Debug for Retained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Retained({} values)", self.0.len())
    }
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

/// One file in a manifest place, read: its manifests (none for another tool's file), or why
/// it cannot be checked.
type FileResult = (PathBuf, Result<Read, Vec<Problem>>);

/// What a file in a manifest place turned out to be.
enum Read {
    /// It claims to be a manifest: its documents.
    Manifests(Vec<Manifest>),
    /// It does not claim to be one: another tool's file (manifest-v1).
    OtherTool,
}

struct Manifest {
    source: Arc<SourceFile>,
    value: Arc<Value>,
    root: Arc<SpanTree>,
    /// Its schema violations (AG000) when the parse cache gave them or they were computed to
    /// be stored there; otherwise computed when the manifest is judged.
    violations: Option<Arc<Vec<Violation>>>,
    /// The parse cache's key of its file's text and its index among the text's documents (what
    /// its value is a function of); `None` when the run has no cache.
    text: Option<crate::cache::Source>,
    name: Option<String>,
    selected: bool,
    /// Not selected, but its `spec.sources` cover a file the change touched: its source rules
    /// (AG103, AG104, computed by discovery) judge which files exist, so their findings follow
    /// from the change and a partial run reports them (and no other finding of it).
    sources_touched: bool,
}

/// Whether a run also looks for agent footprints that no manifest governs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Unless the configuration says `discover: false` (discovery is on by default).
    Configured,
    /// `check --discover`: manifests and footprints in one pass, whatever the configuration.
    Also,
    /// `check --no-discover`: manifests only, for one run.
    Off,
    /// `agentgate discover`: footprints only (AG100 to AG103); paths need not hold manifests.
    Only,
}

/// What `check` does without `--discover`: `inventory` and `report` run the same check, so
/// their evidence follows it.
impl Default for Discovery {
    fn default() -> Discovery {
        Discovery::Configured
    }
}

pub fn run(options: &CheckOptions) -> Outcome {
    run_with(options, Discovery::default())
}

pub fn run_with(options: &CheckOptions, discovery: Discovery) -> Outcome {
    run_cached(options, discovery, None)
}

/// [`run_with`], reading and writing the result cache when one is given.
pub fn run_cached(
    options: &CheckOptions,
    discovery: Discovery,
    cache: Option<crate::cache::ResultCache>,
) -> Outcome {
    match RunContext::prepare_cached(&options.context(), cache) {
        Ok(ctx) => {
            let mut outcome = run_in(&ctx, options, discovery);
            // Freed with the outcome (the CLI exits without freeing either: the parsed packs
            // took a tenth of a one-file check to free).
            outcome.retained.keep(ctx);
            outcome
        }
        Err(problems) => Outcome::failed(problems),
    }
}

/// The check in a prepared context: select, parse, evaluate, look for footprints, settle.
pub fn run_in(ctx: &RunContext, options: &CheckOptions, discovery: Discovery) -> Outcome {
    run_in_with(ctx, options, discovery, None)
}

/// [`run_in`] with facts of another command added to the agents' facts before evaluation
/// (`drift`'s observations). Without them, rules that need them find nothing: `check` never
/// reports the rules of `drift` or `owners` (rules-v1), and leaves them out of the rules it
/// says it evaluated, so that a report does not count them as passed.
pub fn run_in_with(
    ctx: &RunContext,
    options: &CheckOptions,
    discovery: Discovery,
    extra: Option<Extra>,
) -> Outcome {
    let command = extra.as_ref().map_or(Command::Check, |e| e.command);
    let mut problems = Vec::new();
    let files = select_files(ctx, &options.paths, &mut problems);
    let changes = match &options.changes {
        Some(filter) => match changes::changed_files(&ctx.root, filter) {
            Ok(changes) => Some(changes),
            Err(message) => {
                problems.push(Problem::whole(display_path(&ctx.root, &ctx.cwd), message));
                return Outcome::failed(problems);
            }
        },
        None => None,
    };
    // A change to what the gate trusts (the configuration, a rule pack, the signers, the
    // people directory) can fail any manifest: such a run is a full run, with the base revision
    // kept for the review facts that need it.
    let mut notes = Vec::new();
    if ctx.results.is_some() {
        notes.extend(ctx.uncached_pack_notes());
    }
    if !files.excluded.is_empty() {
        let shown: Vec<String> = files
            .excluded
            .iter()
            .map(|p| display_path(p, &ctx.cwd))
            .collect();
        notes.push(format!(
            "passed over {} named on the command line that `exclude` removes: {}",
            crate::units::count(shown.len(), "file"),
            shown.join(", ")
        ));
    }
    let trusted = changes
        .as_ref()
        .and_then(|c| trusted_change(ctx, options, c));
    if let Some(changed) = &trusted {
        notes.push(format!(
            "{changed} changed since the base revision: what the gate trusts changed, so this is a full run (every manifest is reported)"
        ));
    }
    let narrowing = changes.as_ref().filter(|_| trusted.is_none());
    let headless = match &changes {
        Some(changes) => lost_headers(ctx, &files, changes),
        None => BTreeMap::new(),
    };
    let (manifests, reported, other_tools, storing) =
        read_all(ctx, &files, narrowing, &headless, &mut problems);
    problems.extend(headless.into_values());

    let bases = changes.as_ref().map(|c| review_bases(c, &manifests));
    let (observed, own_findings) = match extra {
        Some(extra) => (extra.observe)(&manifests.iter().map(|m| &*m.value).collect::<Vec<_>>()),
        None => (Vec::new(), Vec::new()),
    };
    let mut sink = Sink::new(&ctx.config);
    let mut evaluated = evaluate(
        &manifests,
        ctx,
        bases.as_deref().unwrap_or_default(),
        &observed,
        &mut sink,
    );
    sink.extend(own_findings);
    // Each command reports its own rules only: `check` never those of `drift` or `owners`, and
    // `drift` only its own.
    let of_command = |rule: &str| {
        ctx.registry
            .rules
            .get(rule)
            .map_or(command == Command::Check, |meta| {
                Command::of(meta) == command
            })
    };
    sink.retain(of_command);
    evaluated.rules.retain(|meta| Command::of(meta) == command);
    problems.extend(evaluated.problems);
    notes.extend(evaluated.notes);
    sink.refuse_waivers_for(evaluated.duplicates);
    // A manifest's sources govern footprints only when it passes the review rules: a new,
    // unreviewed manifest claiming `**` must not silence discovery.
    let governors: Vec<Governor> = manifests
        .iter()
        .enumerate()
        .map(|(i, m)| {
            // The source rules (AG103, AG104) judge a manifest whose sources cover a changed
            // file too: which files exist is what they judge.
            let mut governor = Governor::new(
                &m.source,
                &m.root,
                &m.value,
                m.name.as_deref(),
                m.selected || m.sources_touched,
            );
            governor.governs = !evaluated.unreviewed.contains(&i);
            governor
        })
        .collect();
    let footprints = match discovery {
        Discovery::Configured => ctx.config.discover,
        Discovery::Also | Discovery::Only => true,
        Discovery::Off => false,
    };
    let (footprint_findings, unreadable) = footprints::run(
        &ctx.root,
        &ctx.cwd,
        &files.listing,
        &governors,
        &ctx.registry,
        ctx.max_file_size,
        footprints::Scope {
            footprints: footprints.then_some(&files.arguments[..]),
            other_tools: &other_tools,
        },
    );
    let unregistered = footprint_findings
        .iter()
        .filter(|f| BuiltinRule::from_id(&f.rule) == Some(BuiltinRule::UnregisteredAgent))
        .count();
    let footprint_findings = match narrowing {
        Some(changes) => narrow_footprints(ctx, changes, &manifests, footprint_findings),
        None => footprint_findings,
    };
    sink.extend(footprint_findings);
    problems.extend(unreadable);
    if command != Command::Check {
        sink.retain(of_command);
    }
    if discovery == Discovery::Only {
        sink.retain(|rule| BuiltinRule::from_id(rule).is_some_and(BuiltinRule::is_footprint));
    }
    // AG091 needs every manifest: a run narrowed to some of them cannot tell a waiver is unused.
    let partial = narrowing.is_some() || files.selected.len() < files.inventory.len();
    // A waiver is judged only by a command that evaluated its rule.
    let judged = |rule: &str| {
        let builtin = BuiltinRule::from_id(rule);
        let rule_command = ctx
            .registry
            .rules
            .get(rule)
            .map_or(Command::Check, |meta| Command::of(meta));
        if rule_command != command {
            return false;
        }
        if command != Command::Check {
            return true;
        }
        match discovery {
            Discovery::Only => builtin.is_some_and(BuiltinRule::is_footprint),
            _ if footprints => true,
            _ => !matches!(
                builtin,
                Some(
                    BuiltinRule::UnregisteredAgent
                        | BuiltinRule::McpInlineSecret
                        | BuiltinRule::McpBroadServer
                )
            ),
        }
    };
    let settled = sink.settle(&ctx.registry, ctx.today, partial, judged);
    let agents = manifests.iter().filter(|m| m.selected).count();
    let manifests_len = manifests.len();
    if let Some(storing) = storing {
        let _ = storing.join();
    }
    if let Some(known) = &ctx.trust.known {
        known.store();
    }
    let mut retained = evaluated.retained;
    retained.keep(manifests);
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    problems.dedup_by(|a, b| a.sort_key() == b.sort_key());
    Outcome {
        findings: settled.findings,
        waived: settled.waived,
        problems,
        files: reported,
        agents,
        inventory: manifests_len,
        footprints: unregistered,
        discovered: footprints,
        other_tools: other_tools
            .iter()
            .filter(|p| files.selected.contains(*p))
            .count(),
        fail_on: Some(options.fail_on.unwrap_or(ctx.config.fail_on)),
        rules: evaluated.rules,
        checked: evaluated.checked,
        notes,
        retained,
    }
}

/// The first file of the trusted configuration that the change touched (added, modified,
/// deleted or renamed), as shown to the user: the configuration file (the root's
/// `.agentgate.yaml` even when the change added or deleted it), a local rule pack folder (from
/// the configuration or `--pack`), the `allowed_signers` file or the people directory.
fn trusted_change(
    ctx: &RunContext,
    options: &CheckOptions,
    changes: &changes::Changes,
) -> Option<String> {
    let mut trusted: Vec<PathBuf> = vec![ctx.root.join(crate::config::FILE_NAME)];
    trusted.extend(ctx.config.file.as_ref().map(|(s, _)| s.path.clone()));
    trusted.extend(ctx.config.packs.iter().filter_map(|p| match p {
        crate::pack_source::PackSource::Dir(dir) => Some(dir.clone()),
        crate::pack_source::PackSource::Git { .. } => None,
    }));
    trusted.extend(options.packs.iter().map(|p| normalize(&ctx.cwd.join(p))));
    trusted.extend(ctx.config.settings.allowed_signers.clone());
    trusted.extend(ctx.config.settings.directory.clone());
    let trusted: Vec<PathBuf> = trusted.iter().map(|p| real_path(&normalize(p))).collect();
    changes
        .present
        .iter()
        .chain(changes.removed.iter().map(|(path, _)| path))
        .find(|changed| {
            let changed = real_path(changed);
            trusted.iter().any(|t| changed.starts_with(t))
        })
        .map(|changed| display_path(changed, &ctx.cwd))
}

/// A path with its folder's symlinks resolved (the file itself may be gone), so that paths
/// from git and from the configuration compare.
fn real_path(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => real_path(parent).join(name),
        _ => path.to_path_buf(),
    }
}

/// The manifest files of a run: the repository's (for cross-agent rules), the ones the
/// command line selected, and what to search for footprints.
struct Files {
    /// Every manifest of the repository, and explicitly named files, sorted.
    inventory: Vec<PathBuf>,
    /// The manifests the arguments selected.
    selected: BTreeSet<PathBuf>,
    /// The arguments, absolute (the working directory when none was given).
    arguments: Vec<PathBuf>,
    /// Files named on the command line that `exclude` removes: passed over.
    excluded: Vec<PathBuf>,
    /// The repository's files, listed once per run: discovery reads the same listing.
    listing: discover::Listing,
}

fn select_files(ctx: &RunContext, paths: &[PathBuf], problems: &mut Vec<Problem>) -> Files {
    let listing = discover::listing(&ctx.root, &ctx.exclude);
    let mut inventory = listing.manifests();
    // A symlink that agentgate does not follow must not hide a manifest.
    let refused = |link: &discover::RefusedLink| {
        Problem::whole(display_path(&link.link, &ctx.cwd), link.message())
    };
    problems.extend(
        listing
            .refused
            .iter()
            .filter(|link| link.hides_manifests(&ctx.root))
            .map(refused),
    );
    // Nor may a path the listing could not read (not UTF-8, a submodule not checked out).
    problems.extend(
        listing
            .unread
            .iter()
            .map(|unread| Problem::whole(display_path(&unread.path, &ctx.cwd), &unread.message)),
    );
    let arguments: Vec<PathBuf> = if paths.is_empty() {
        vec![ctx.cwd.clone()]
    } else {
        paths.iter().map(|p| normalize(&ctx.cwd.join(p))).collect()
    };
    // `exclude` holds for a file named on the command line too (the pre-commit hook names the
    // staged files), its globs relative to the configuration's folder, as everywhere.
    let config_dir = real_path(&ctx.config.dir);
    let (excluded, arguments): (Vec<PathBuf>, Vec<PathBuf>) =
        arguments.into_iter().partition(|p| {
            p.is_file()
                && listing.listed_as(p).is_none()
                && real_path(p)
                    .strip_prefix(&config_dir)
                    .is_ok_and(|rel| ctx.exclude.is_match(rel))
        });
    // A file named on the command line that the walk lists under another path (a symlink to a
    // manifest) is that manifest, read once.
    let arguments: Vec<PathBuf> = arguments
        .into_iter()
        .map(|p| match listing.listed_as(&p) {
            Some(listed) if p.is_file() => listed.clone(),
            _ => p,
        })
        .collect();
    let real_root = ctx.root.canonicalize().unwrap_or_else(|_| ctx.root.clone());
    for explicit in arguments.iter().filter(|p| p.is_file()) {
        if let Ok(target) = explicit.canonicalize() {
            if explicit.starts_with(&ctx.root) && !target.starts_with(&real_root) {
                let dir = target.is_dir();
                problems.push(refused(&discover::RefusedLink {
                    link: explicit.clone(),
                    target,
                    dir,
                    outside: true,
                }));
                continue;
            }
        }
        if !inventory.contains(explicit) {
            inventory.push(explicit.clone());
        }
    }
    inventory.sort();
    let selection = discover::select(&arguments, &inventory);
    // A path the user named must exist: a typo must not pass as a clean run. An existing
    // folder or file with no manifest is looked at by discovery, and may hold no agent at all.
    problems.extend(
        arguments
            .iter()
            .filter(|path| std::fs::symlink_metadata(path).is_err())
            .map(|path| {
                Problem::whole(
                    display_path(path, &ctx.cwd),
                    "no such file or folder: nothing there can be checked (check the path's spelling, or name an existing file or folder)",
                )
            }),
    );
    Files {
        inventory,
        selected: selection.files,
        arguments,
        excluded,
        listing,
    }
}

/// Parses every manifest in parallel and marks the ones to report on (all selected ones, or
/// with `changes` those the change reaches); problems count only for reported files. Returns
/// the manifests, the number of files reported on, other tools' files, and the thread storing
/// new parse cache entries (joined before the run ends).
fn read_all(
    ctx: &RunContext,
    files: &Files,
    changes: Option<&changes::Changes>,
    headless: &BTreeMap<PathBuf, Problem>,
    problems: &mut Vec<Problem>,
) -> (
    Vec<Manifest>,
    usize,
    BTreeSet<PathBuf>,
    Option<std::thread::JoinHandle<()>>,
) {
    // Unchanged files are not parsed again: their documents come from the parse cache, found
    // by a hash of the text just read (src/parse_cache.rs).
    let parse_cache = ctx.results.as_ref().map(crate::cache::ResultCache::parsed);
    let texts: Vec<Text> = files
        .inventory
        .par_iter()
        .map(|path| {
            let display = display_path(path, &ctx.cwd);
            let text = read_text(path, ctx.max_file_size).map_err(|e| {
                vec![Problem {
                    line: e.line,
                    column: e.column,
                    ..Problem::whole(display.clone(), e.message)
                }]
            });
            let key = match (&parse_cache, &text) {
                (Some(_), Ok(text)) => Some(parse_cache::text_key(text)),
                _ => None,
            };
            Text { display, text, key }
        })
        .collect();
    let mut hits = match &parse_cache {
        Some(cache) => cache.lookup(&texts.iter().filter_map(|t| t.key).collect::<Vec<_>>()),
        None => Default::default(),
    };
    let cached: Vec<Option<Vec<parse_cache::Parsed>>> = texts
        .iter()
        .map(|t| t.key.and_then(|key| hits.remove(&key)))
        .collect();
    let (parsed, entries): (Vec<FileResult>, Vec<Option<parse_cache::Entry>>) = files
        .inventory
        .par_iter()
        .zip(texts)
        .zip(cached)
        .map(|((path, text), cached)| {
            let (read, entry) = read_manifests(path, text, cached);
            ((path.clone(), read), entry)
        })
        .unzip();
    // Written while the run goes on: in a one-file check the writes (a shard per file) would
    // otherwise add to the time the run waits for its compiled pack.
    let entries: Vec<parse_cache::Entry> = entries.into_iter().flatten().collect();
    let storing = match parse_cache {
        Some(cache) if !entries.is_empty() => std::thread::Builder::new()
            .spawn(move || cache.store(entries))
            .ok(),
        _ => None,
    };
    let mut manifests = Vec::new();
    let mut file_problems = BTreeMap::new();
    let mut other_tools = BTreeSet::new();
    for (path, result) in parsed {
        match result {
            Ok(Read::Manifests(found)) => manifests.extend(found),
            Ok(Read::OtherTool) => {
                other_tools.insert(path);
            }
            Err(found) => {
                file_problems.insert(path, found);
            }
        }
    }
    let mut reported = match changes {
        Some(changes) => narrow_to_changes(&files.selected, changes, &manifests),
        None => files.selected.clone(),
    };
    reported.retain(|path| !other_tools.contains(path));
    // Both (all) files of a duplicated name, whenever one of them is reported: a decoy named
    // alone must not hide the AG080 of the manifest it shadows, nor the other way round.
    let names: BTreeSet<&str> = manifests
        .iter()
        .filter(|m| reported.contains(&m.source.path))
        .filter_map(|m| m.name.as_deref())
        .collect();
    for manifest in &manifests {
        if manifest.name.as_deref().is_some_and(|n| names.contains(n)) {
            reported.insert(manifest.source.path.clone());
        }
    }
    for manifest in &mut manifests {
        manifest.selected = reported.contains(&manifest.source.path);
    }
    if let Some(changes) = changes {
        let touched: Vec<String> = changes
            .present
            .iter()
            .chain(changes.removed.iter().map(|(path, _)| path))
            .map(|path| {
                path.strip_prefix(&ctx.root)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        for manifest in manifests.iter_mut().filter(|m| !m.selected) {
            let sources: Vec<String> = manifest
                .value
                .pointer("/spec/sources")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            manifest.sources_touched = !sources.is_empty()
                && touched
                    .iter()
                    .any(|rel| footprints::sources_cover(&sources, rel));
        }
    }
    for (path, found) in file_problems {
        if reported.contains(&path) && !headless.contains_key(&path) {
            problems.extend(found);
        }
    }
    (manifests, reported.len(), other_tools, storing)
}

/// The selected files in a manifest place that were an `agentgate/v1` `Agent` manifest at the
/// base revision (modified in place, or renamed here) and now claim to be none (no
/// `apiVersion` starting with `agentgate`, nor `kind: Agent` without one), each with its
/// problem: an agent cannot leave the inventory by deleting two lines.
fn lost_headers(
    ctx: &RunContext,
    files: &Files,
    changes: &changes::Changes,
) -> BTreeMap<PathBuf, Problem> {
    let mut lost = BTreeMap::new();
    for (path, base) in &changes.modified {
        if !files.selected.contains(path) {
            continue;
        }
        let was_manifest = {
            let source = SourceFile::new(path.clone(), String::new(), base.as_str());
            yaml::parse(&source, Limits::default())
                .unwrap_or_default()
                .iter()
                .any(|d| matches!(claim(&d.value), Claim::Manifest))
        };
        if !was_manifest {
            continue;
        }
        let Ok(text) = read_text(path, ctx.max_file_size) else {
            continue; // reading it fails the run already
        };
        let source = SourceFile::new(path.clone(), String::new(), text);
        let Ok(documents) = yaml::parse(&source, Limits::default()) else {
            continue; // a parse error, reported already
        };
        if documents.is_empty()
            || documents
                .iter()
                .any(|d| matches!(claim(&d.value), Claim::Manifest | Claim::Wrong { .. }))
        {
            continue;
        }
        lost.insert(
            path.clone(),
            Problem::whole(
                display_path(path, &ctx.cwd),
                "was an agent manifest at the base revision and no longer claims to be one (its `apiVersion: agentgate/v1` and `kind: Agent` are gone): an agent cannot leave the inventory by deleting its header; restore them, or delete the file to retire the agent",
            ),
        );
    }
    lost
}

/// A manifest place's file as read: its text, and the key of that text in the parse cache when
/// there is one.
struct Text {
    display: String,
    text: Result<String, Vec<Problem>>,
    key: Option<parse_cache::TextKey>,
}

/// What a file in a manifest place is, from its text (its documents parsed, or `cached`), and
/// the parse cache entry to store when it was parsed here.
fn read_manifests(
    path: &Path,
    text: Text,
    cached: Option<Vec<parse_cache::Parsed>>,
) -> (Result<Read, Vec<Problem>>, Option<parse_cache::Entry>) {
    let Text { display, text, key } = text;
    let text = match text {
        Ok(text) => text,
        Err(problems) => return (Err(problems), None),
    };
    let source = Arc::new(SourceFile::new(path.to_path_buf(), display, text));
    let fresh = cached.is_none();
    let parsed = match cached {
        Some(parsed) => parsed,
        None => match yaml::parse(&source, Limits::default()) {
            Ok(documents) => documents
                .into_iter()
                .map(|document| parse_cache::Parsed {
                    value: document.value,
                    root: SpanTree::built(document.root),
                    violations: None,
                })
                .collect(),
            // A file that cannot be read as YAML is a manifest's problem when its text claims
            // to be one (or looks like a manifest that lost its header); otherwise another
            // tool's.
            Err(_) if !text_claims(&source.text) => return (Ok(Read::OtherTool), None),
            Err(e) => {
                return (
                    Err(vec![Problem::at(&source, e.offset, e.span, e.message)]),
                    None,
                )
            }
        },
    };
    let claims: Vec<Claim> = parsed.iter().map(|p| claim(&p.value)).collect();
    // A file is a manifest when one of its documents claims to be one (then every document
    // must be an `agentgate/v1` `Agent`), or looks like a manifest that lost its header.
    // Another tool's file is parsed again every time: it may hold what a manifest would not
    // (its secrets are not agentgate's to keep).
    if claims.iter().all(|c| matches!(c, Claim::None)) {
        return (Ok(Read::OtherTool), None);
    }
    // A manifest's schema violations are a function of its value: when the parse is to be
    // stored, they are computed here, in the parsing thread, and kept with it. Without a cache
    // they wait until the manifest is judged (a one-file check judges one of a hundred).
    let storing = key.filter(|_| fresh);
    let parsed: Vec<parse_cache::Parsed> = match storing {
        Some(_) => parsed
            .into_iter()
            .zip(&claims)
            .map(|(mut p, claim)| {
                if matches!(claim, Claim::Manifest) {
                    // Placed now, while the tree is at hand: a manifest read from the cache is
                    // then reported without building its tree.
                    let mut found = schema_violations(&p.value);
                    for v in &mut found {
                        v.place = Some(locate(&p.root, &v.pointer));
                    }
                    p.violations = Some(found);
                }
                p
            })
            .collect(),
        None => parsed,
    };
    let entry = storing.and_then(|key| parse_cache::entry(key, &source.text, &parsed));
    (claimed_manifests(&source, key, parsed, claims), entry)
}

/// A manifest's schema violations (AG000), the secrets in them redacted.
pub(super) fn schema_violations(value: &Value) -> Vec<Violation> {
    violations_redacting(manifest_validator(), value, &|s| {
        footprints::detect(s).is_some()
    })
}

/// The manifests of a file's documents, or the problems of documents that claim to be one
/// wrongly.
fn claimed_manifests(
    source: &Arc<SourceFile>,
    key: Option<parse_cache::TextKey>,
    parsed: Vec<parse_cache::Parsed>,
    claims: Vec<Claim>,
) -> Result<Read, Vec<Problem>> {
    let mut manifests = Vec::new();
    let mut problems = Vec::new();
    for (index, (parsed, claim)) in parsed.into_iter().zip(claims).enumerate() {
        let parse_cache::Parsed {
            value,
            root,
            violations,
        } = parsed;
        match claim.problem() {
            Some(message) => {
                // The caret goes on the key at fault: `kind` when only the kind is wrong.
                let at = match &claim {
                    Claim::Wrong { at, .. } => *at,
                    _ => "/apiVersion",
                };
                let (at, label) = locate(&root, at);
                problems.push(Problem::at(source, at, label, message));
            }
            None => manifests.push(Manifest {
                name: value
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                violations: violations.map(Arc::new),
                text: key.map(|key| (key, index)),
                source: source.clone(),
                value: Arc::new(value),
                root: Arc::new(root),
                selected: false,
                sources_touched: false,
            }),
        }
    }
    if problems.is_empty() {
        Ok(Read::Manifests(manifests))
    } else {
        Err(problems)
    }
}

/// What a document in a manifest place says it is (manifest-v1, "Where manifests live").
pub(crate) enum Claim {
    /// `apiVersion: agentgate/v1`, `kind: Agent`.
    Manifest,
    /// It claims to be a manifest (an `apiVersion` starting with `agentgate`, any case, or no
    /// `apiVersion` and `kind: Agent`) and is not exactly one. `other_tool`: nothing else in it
    /// looks like a manifest (no `metadata`, no `spec`).
    Wrong {
        message: String,
        other_tool: bool,
        /// The pointer of the field at fault (`/apiVersion` or `/kind`).
        at: &'static str,
    },
    /// No claim, but top-level `metadata` and `spec`: a manifest that lost its header.
    Headless,
    /// No claim: another tool's document.
    None,
}

impl Claim {
    pub(crate) fn problem(&self) -> Option<String> {
        match self {
            Claim::Manifest => None,
            Claim::Wrong {
                message,
                other_tool: true,
                ..
            } => Some(format!(
                "{message}; if this file belongs to another tool, add it to `exclude` in .agentgate.yaml"
            )),
            Claim::Wrong { message, .. } => Some(message.clone()),
            Claim::Headless => Some(
                "a manifest without its header: it has `metadata` and `spec` but no `apiVersion: agentgate/v1` and `kind: Agent`; add them (a file in a manifest place that looks like a manifest is never skipped)"
                    .into(),
            ),
            Claim::None => Some(
                "not an agent manifest (no `apiVersion: agentgate/v1`, no `kind: Agent`), in a file whose other documents are; every document of a manifest file must be a manifest"
                    .into(),
            ),
        }
    }
}

pub(crate) fn claim(value: &Value) -> Claim {
    let Value::Object(map) = value else {
        return Claim::None;
    };
    let api = map.get("apiVersion");
    let kind = map.get("kind");
    let claimed = match api {
        Some(Value::String(v)) => v.to_ascii_lowercase().starts_with("agentgate"),
        None => kind
            .and_then(Value::as_str)
            .is_some_and(|k| k.eq_ignore_ascii_case("agent")),
        Some(_) => false,
    };
    let looks_like_manifest = map.contains_key("metadata") || map.contains_key("spec");
    if !claimed {
        let headless = !matches!(api, Some(Value::String(_)))
            && map.contains_key("metadata")
            && map.contains_key("spec");
        return if headless {
            Claim::Headless
        } else {
            Claim::None
        };
    }
    let (message, at) = match (api, kind) {
        (Some(Value::String(v)), Some(Value::String(k))) if v == "agentgate/v1" && k == "Agent" => {
            return Claim::Manifest
        }
        (Some(Value::String(v)), _) if v != "agentgate/v1" => (format!(
            "unknown apiVersion {v:?}: this agentgate reads `agentgate/v1`; upgrade agentgate or fix the version"
        ), "/apiVersion"),
        (Some(_), Some(kind)) => (
            format!("kind must be `Agent` (capital A) for apiVersion agentgate/v1, found {kind}"),
            "/kind",
        ),
        (Some(_), None) => (
            "`kind: Agent` is missing: an `agentgate/v1` manifest needs `kind: Agent` under its `apiVersion`".to_string(),
            "/apiVersion",
        ),
        (None, _) => (
            "`kind: Agent` without `apiVersion: agentgate/v1`: a manifest needs both".to_string(),
            "/kind",
        ),
    };
    Claim::Wrong {
        message,
        other_tool: !looks_like_manifest,
        at,
    }
}

/// Whether the text of a file that is not valid YAML claims to be a manifest, or looks like
/// one: a top-level `apiVersion` line naming agentgate, a `kind: Agent` line, or both a
/// `metadata:` and a `spec:` line. Such a file's parse error is reported (fail closed).
pub(crate) fn text_claims(text: &str) -> bool {
    let lines: Vec<String> = text
        .lines()
        .map(|l| {
            l.trim_start_matches('\u{feff}')
                .to_ascii_lowercase()
                .replace(['"', '\''], "")
        })
        .collect();
    let key = |name: &str| {
        lines.iter().any(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
    };
    let value = |name: &str, prefix: &str| {
        lines.iter().any(|l| {
            l.strip_prefix(name)
                .and_then(|rest| rest.trim_start().strip_prefix(':'))
                .is_some_and(|v| v.trim_start().starts_with(prefix))
        })
    };
    value("apiversion", "agentgate")
        || value("kind", "agent")
        || lines.iter().any(|l| l.contains("agentgate/"))
        || (key("metadata") && key("spec"))
}

/// The manifests to report on when only changes count: the changed ones, and every manifest
/// whose delegation reaches a changed, renamed or removed agent (a changed delegate can break an
/// unchanged delegator), within what the paths selected.
fn narrow_to_changes(
    selected: &BTreeSet<PathBuf>,
    changes: &changes::Changes,
    manifests: &[Manifest],
) -> BTreeSet<PathBuf> {
    let changed = changed_paths(selected, changes, manifests);
    let mut affected: BTreeSet<String> = manifests
        .iter()
        .filter(|m| changed.contains(&m.source.path))
        .filter_map(|m| m.name.clone())
        .collect();
    // The base names of the agents in changed and removed files: a manifest renamed to another
    // agent leaves its old name's delegators with an unknown delegate.
    for (path, text) in changes.removed.iter().chain(&changes.modified) {
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
    let mut reported: BTreeSet<PathBuf> = changed.intersection(selected).cloned().collect();
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

/// How the change touched each manifest's review (index-aligned with `manifests`): the base
/// version of every agent in a changed file is read from the base revision's blobs (files
/// modified in place, deleted or renamed away), and each review is compared with the base's
/// review of the agent of the same name.
fn review_bases(changes: &changes::Changes, manifests: &[Manifest]) -> Vec<ReviewBase> {
    let mut base: BTreeMap<String, Value> = BTreeMap::new();
    for (path, text) in changes.modified.iter().chain(&changes.removed) {
        let source = SourceFile::new(path.clone(), String::new(), text.as_str());
        for document in yaml::parse(&source, Limits::default()).unwrap_or_default() {
            let value = document.value;
            if !matches!(claim(&value), Claim::Manifest) {
                continue;
            }
            if let Some(name) = value.pointer("/metadata/name").and_then(Value::as_str) {
                base.entry(name.to_string())
                    .or_insert_with(|| value.clone());
            }
        }
    }
    // Reached as `--changed-since` selects: also below a moved gitlink or a changed symlink
    // target, where no base text is at hand (such a review is then judged as added: today).
    let reached = changed_paths(&BTreeSet::new(), changes, manifests);
    manifests
        .iter()
        .map(|m| {
            let changed = reached.contains(&m.source.path);
            ReviewBase::of(&m.value, changed, Some(&base))
        })
        .collect()
}

/// The manifest files (selected, or in the inventory) that the change reaches (see
/// [`Reach`]).
fn changed_paths(
    selected: &BTreeSet<PathBuf>,
    changes: &changes::Changes,
    manifests: &[Manifest],
) -> BTreeSet<PathBuf> {
    let reach = Reach::of(changes);
    selected
        .iter()
        .chain(manifests.iter().map(|m| &m.source.path))
        .filter(|path| reach.reaches(path))
        .cloned()
        .collect()
}

/// Which files a change reaches: a file that changed itself; a file below a changed path (a
/// symlinked folder, or a submodule whose gitlink moved: the diff shows only the gitlink); a
/// symlink whose target changed.
struct Reach<'a> {
    present: &'a BTreeSet<PathBuf>,
    real: BTreeSet<PathBuf>,
}

impl<'a> Reach<'a> {
    fn of(changes: &'a changes::Changes) -> Self {
        Reach {
            present: &changes.present,
            real: changes
                .present
                .iter()
                .filter_map(|p| p.canonicalize().ok())
                .collect(),
        }
    }

    fn reaches(&self, path: &Path) -> bool {
        path.ancestors().any(|a| self.present.contains(a))
            || path
                .canonicalize()
                .is_ok_and(|real| real.ancestors().any(|a| self.real.contains(a)))
    }
}

/// The discovery findings a partial run reports: a footprint (AG100), a committed secret
/// (AG101) or a broad MCP server (AG102) in a file the change reaches; and an AG100 footprint
/// that a manifest the change touched governs, or governed at the base (the manifest changed,
/// was deleted or renamed away: the footprint may have lost its governor). Findings on
/// manifests (AG103, AG104) follow the manifests' own selection.
fn narrow_footprints(
    ctx: &RunContext,
    changes: &changes::Changes,
    manifests: &[Manifest],
    findings: Vec<Finding>,
) -> Vec<Finding> {
    let reach = Reach::of(changes);
    let sources_of = |value: &Value| -> Vec<String> {
        value
            .pointer("/spec/sources")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut touched: Vec<Vec<String>> = manifests
        .iter()
        .filter(|m| reach.reaches(&m.source.path))
        .map(|m| sources_of(&m.value))
        .collect();
    for (path, text) in changes.modified.iter().chain(&changes.removed) {
        let rel = path.strip_prefix(&ctx.root).unwrap_or(path);
        if !discover::is_manifest_place(rel) {
            continue;
        }
        let source = SourceFile::new(path.clone(), String::new(), text.as_str());
        for document in yaml::parse(&source, Limits::default()).unwrap_or_default() {
            touched.push(sources_of(&document.value));
        }
    }
    touched.retain(|sources| !sources.is_empty());
    findings
        .into_iter()
        .filter(|f| {
            let rule = BuiltinRule::from_id(&f.rule);
            let discovered = matches!(
                rule,
                Some(
                    BuiltinRule::UnregisteredAgent
                        | BuiltinRule::McpInlineSecret
                        | BuiltinRule::McpBroadServer
                )
            );
            if !discovered
                || reach.reaches(&f.place.source.path)
                || f.also.iter().any(|p| reach.reaches(p))
            {
                return true;
            }
            let rel = f
                .place
                .source
                .path
                .strip_prefix(&ctx.root)
                .unwrap_or(&f.place.source.path)
                .to_string_lossy()
                .replace('\\', "/");
            rule == Some(BuiltinRule::UnregisteredAgent)
                && touched
                    .iter()
                    .any(|sources| footprints::sources_cover(sources, &rel))
        })
        .collect()
}
