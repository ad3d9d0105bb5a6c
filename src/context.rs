//! The run context: everything a command that reads the repository prepares once — the root,
//! the configuration, the rule packs (and their compilation), the trust store, the people
//! directory, the date and the `exclude` globs — and every stage then takes by reference.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use globset::GlobSet;

use crate::cache::ResultCache;
use crate::config::{Config, FILE_NAME};
use crate::discover;
use crate::evaluate::{Compiled, EngineChoice, PolicyError};
use crate::finding::Problem;
use crate::fs::{display_path, normalize, read_text};
use crate::pack_source::PackSource;
use crate::program_cache::ProgramCache;
use crate::registry::Registry;
use crate::review::TrustStore;
use crate::rule::{BuiltinRule, Severity};
use crate::units::today_utc;

pub use crate::discover::repository_root;

pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

/// What a command says about where and how to run: the options shared by `check`, `discover`,
/// `inventory` and `report`.
#[derive(Debug, Clone)]
pub struct ContextOptions {
    pub cwd: PathBuf,
    /// The paths the command was given: the first one decides the repository.
    pub paths: Vec<PathBuf>,
    /// Configuration file (default: `.agentgate.yaml` at the repository root).
    pub config: Option<PathBuf>,
    /// Rule pack folders given on the command line, beside the configured ones.
    pub packs: Vec<PathBuf>,
    /// Days since 1970-01-01; today's UTC date when absent.
    pub today: Option<i64>,
    pub max_file_size: u64,
    /// The repository root, when the caller knows it (`agentgate test --fixtures`: each fixture
    /// folder is a repository of its own); otherwise [`repository_root`] decides.
    pub root: Option<PathBuf>,
}

/// A prepared run. The pack compiles on its own thread while the manifests are read:
/// [`RunContext::compiled`] waits for it.
#[derive(Debug)]
pub struct RunContext {
    pub cwd: PathBuf,
    pub root: PathBuf,
    pub config: Config,
    pub registry: Registry,
    pub trust: TrustStore,
    /// The people directory (`settings.directory`), lower-cased and sorted, when configured.
    pub people: Option<Vec<String>>,
    pub today: i64,
    pub exclude: GlobSet,
    pub max_file_size: u64,
    compiling: Mutex<Option<JoinHandle<Result<Compiled, PolicyError>>>>,
    /// The engine `check` evaluates on (`AGENTGATE_ENGINE`).
    pub engine: EngineChoice,
    programs: Option<ProgramCache>,
    /// The result cache `check` reads and writes; none unless the caller sets one (the CLI's
    /// `check` does, without `--no-cache`).
    pub results: Option<ResultCache>,
}

impl RunContext {
    /// Loads the configuration and packs and checks them; every problem found is returned,
    /// not only the first, so one run shows all that is wrong with the setup.
    pub fn prepare(options: &ContextOptions) -> Result<RunContext, Vec<Problem>> {
        RunContext::prepare_cached(options, None)
    }

    /// [`RunContext::prepare`] with the result cache `check` reads and writes (and the program
    /// cache beside it, which the compilation uses).
    pub fn prepare_cached(
        options: &ContextOptions,
        results: Option<ResultCache>,
    ) -> Result<RunContext, Vec<Problem>> {
        let root = options.root.clone().unwrap_or_else(|| {
            repository_root(&options.cwd, &options.paths, options.config.as_deref())
        });
        let config = load_config(options, &root)?;
        let registry = registry_for(&config, &options.cwd, &options.packs)?;
        // Parsing the pack's Rego does not depend on the manifests: it runs while they are read.
        let mut problems = check_overrides(&config, &registry);
        let engine = EngineChoice::from_env().unwrap_or_else(|message| {
            problems.push(Problem::whole("AGENTGATE_ENGINE", message));
            EngineChoice::Interpreter
        });
        let programs = results.as_ref().map(ResultCache::programs);
        let compiling = {
            let registry = registry.clone();
            let programs = programs.clone();
            std::thread::Builder::new()
                .spawn(move || Compiled::with_cache(&registry, engine, programs.as_ref()))
                .ok()
        };
        let people = match read_directory(&config) {
            Ok(people) => people,
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let mut trust = match TrustStore::load(&config, &options.cwd) {
            Ok(trust) => trust,
            Err(found) => {
                problems.extend(found);
                TrustStore::default()
            }
        };
        trust.known = results.as_ref().map(|cache| {
            std::sync::Arc::new(crate::review::KnownSignatures::new(cache.signatures()))
        });
        let exclude = match discover::exclude_set(&config.exclude) {
            Ok(set) => set,
            Err(message) => {
                problems.push(config.problem("/exclude", message));
                return Err(problems);
            }
        };
        problems.extend(nested_configurations(
            &root,
            &config,
            &exclude,
            &options.cwd,
        ));
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(RunContext {
            cwd: options.cwd.clone(),
            root,
            config,
            registry,
            trust,
            people,
            today: options.today.unwrap_or_else(today_utc),
            exclude,
            max_file_size: options.max_file_size,
            compiling: Mutex::new(compiling),
            engine,
            programs,
            results,
        })
    }

    /// The compiled pack: the background compilation's result the first time, a compilation
    /// in place after that (or when no thread could be spawned).
    pub fn compiled(&self) -> Result<Compiled, PolicyError> {
        let thread = self
            .compiling
            .lock()
            .map(|mut slot| slot.take())
            .unwrap_or_default();
        match thread {
            Some(thread) => thread.join().unwrap_or_else(|_| {
                Err(PolicyError::whole(
                    "policies",
                    "the rule packs could not be compiled",
                ))
            }),
            None => Compiled::with_cache(&self.registry, self.engine, self.programs.as_ref()),
        }
    }

    /// Whether every loaded pack reads only what the result cache's key covers: the built-in
    /// pack, and custom packs whose declared `custom.reads` was verified ([`crate::reads`]).
    /// Their rules read only the judged agent's facts, so other agents need none.
    pub fn packs_cacheable(&self) -> bool {
        !self.registry.packs.is_empty() && self.registry.packs.iter().all(|p| p.reads.cacheable())
    }

    /// Why each custom pack that declares `custom.reads` is not cached, as run notes.
    pub fn uncached_pack_notes(&self) -> Vec<String> {
        self.registry
            .packs
            .iter()
            .filter_map(|pack| match (&pack.reads, &pack.source) {
                (crate::reads::PackReads::Refused { file, line, why }, Some(source)) => {
                    let (name, file) = match source {
                        PackSource::Dir(path) => (
                            display_path(path, &self.cwd),
                            display_path(Path::new(file), &self.cwd),
                        ),
                        other => (other.describe(), file.clone()),
                    };
                    Some(format!("pack {name}: not cached: {file}:{line}: {why}"))
                }
                _ => None,
            })
            .collect()
    }
}

/// Every `.agentgate.yaml` under the root other than the configuration in use: refused (exit 2),
/// never read. Whoever writes a pull request controls them, so one beside the manifests must
/// not switch rules off or trust another key when the paths given lie below it. Paths the
/// trusted configuration's `exclude` removes, and untracked ignored files, are left alone (a
/// project keeps its example and fixture repositories under an excluded path).
fn nested_configurations(
    root: &Path,
    config: &Config,
    exclude: &GlobSet,
    cwd: &Path,
) -> Vec<Problem> {
    let in_use = config
        .file
        .as_ref()
        .map(|(source, _)| normalize(&source.path));
    let mut found: std::collections::BTreeSet<PathBuf> = discover::all_files(root, exclude)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == FILE_NAME))
        .collect();
    // Tracked files count even when a `.gitignore` (also the author's) hides them.
    found.extend(
        discover::tracked_files_named(root, FILE_NAME)
            .into_iter()
            .filter(|p| !exclude.is_match(p.strip_prefix(root).unwrap_or(p)) && p.is_file()),
    );
    found
        .into_iter()
        .filter(|p| Some(normalize(p)) != in_use && *p != root.join(FILE_NAME))
        .map(|p| {
            Problem::whole(
                display_path(&p, cwd),
                format!(
                    "a configuration below the repository root ({}) is refused, never used: the configuration is the root's {FILE_NAME} or --config; delete this file, or add its folder to the root configuration's `exclude` if it belongs to an example or fixture repository",
                    display_path(root, cwd)
                ),
            )
        })
        .collect()
}

/// The registry a run in `cwd` would use: the built-in pack, the configured packs and `packs`,
/// for the commands that read rules but no manifest (`rules`, `explain`).
pub fn load_registry(
    cwd: &Path,
    paths: &[PathBuf],
    config: Option<&Path>,
    packs: &[PathBuf],
) -> Result<Registry, Vec<Problem>> {
    let options = ContextOptions {
        cwd: cwd.to_path_buf(),
        paths: paths.to_vec(),
        config: config.map(Path::to_path_buf),
        packs: packs.to_vec(),
        today: None,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        root: None,
    };
    let root = repository_root(cwd, paths, config);
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

fn load_config(options: &ContextOptions, root: &Path) -> Result<Config, Vec<Problem>> {
    Config::load_for(
        &options.cwd,
        root,
        options.config.as_deref(),
        options.max_file_size,
    )
}

/// Waivers and rule settings that name unknown rules, or would switch the gate itself off.
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
