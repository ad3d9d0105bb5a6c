//! Stage 4, evaluate: every loaded rule package over every manifest, in-process with regorus.
//!
//! The pack is compiled once, run once on a trial input (so a broken pack fails at load time
//! and the engine is prepared), then cloned per worker thread. One generated collector rule
//! gathers the `deny` sets of all loaded rule packages, however deeply nested.

use std::num::NonZeroU32;
use std::time::Duration;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rayon::prelude::*;
use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::program::{DeserializationResult, Program};
use regorus::rvm::RegoVM;
use regorus::utils::limits::ExecutionTimerConfig;

use serde_json::Value;

use crate::program_cache::{self, ProgramCache};
use crate::registry::Registry;

const COLLECTOR: &str = "data.agentgate.collect.findings";
/// The packages the rvm evaluates.
const RVM_COLLECTOR: &str = "data.agentgate.collect.fast";
/// The packages the rvm could not compile, evaluated by the interpreter beside it.
const FALLBACK_COLLECTOR: &str = "data.agentgate.collect.fallback";

/// Wall-clock budget for one manifest's evaluation: a runaway rule is a policy error, not a pass.
const EVALUATION_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawFinding {
    pub package: String,
    pub message: String,
    pub path: String,
    pub redact: bool,
    /// Where it points in its manifest (offset and label): found once, after evaluation, and
    /// kept with the result in the cache, whose key holds the manifest's text, so that a
    /// finding served from the cache needs no span tree.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<(usize, crate::source::Span)>,
}

/// A policy that could not be loaded or evaluated; the run fails closed.
#[derive(Debug, Clone)]
pub struct PolicyError {
    pub file: String,
    /// Where in `file` (1-based), when the engine said; else 1 and 1.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl PolicyError {
    /// An error of a whole file (or package): no line is known.
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> Self {
        PolicyError {
            file: file.into(),
            line: 1,
            column: 1,
            message: message.into(),
        }
    }
}

/// Which engine evaluates a pack for `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineChoice {
    /// regorus's bytecode VM (rvm) when the linked regorus is agentgate's patched copy (see
    /// vendor/regorus/README.md), with the interpreter for what the rvm cannot compile; the
    /// interpreter alone otherwise.
    #[default]
    Auto,
    /// The tree-walking interpreter alone: the reference the differential test compares with.
    Interpreter,
}

impl EngineChoice {
    /// `AGENTGATE_ENGINE`: unset, empty or `auto` is [`EngineChoice::Auto`]; `interpreter` is
    /// the reference engine. Anything else is refused rather than guessed at.
    pub fn from_env() -> Result<EngineChoice, String> {
        match std::env::var("AGENTGATE_ENGINE") {
            Err(_) => Ok(EngineChoice::Auto),
            Ok(v) if v.is_empty() || v == "auto" => Ok(EngineChoice::Auto),
            Ok(v) if v == "interpreter" => Ok(EngineChoice::Interpreter),
            Ok(v) => Err(format!(
                "AGENTGATE_ENGINE is {v:?}: set it to `interpreter` (the reference engine) or `auto`, or unset it"
            )),
        }
    }
}

/// The fallback of [`rvm_is_fail_closed`]: upstream regorus exports no such constant. (Unused
/// while the patched copy shadows it.)
#[allow(dead_code)]
const AGENTGATE_FAIL_CLOSED_RVM: bool = false;

/// Whether the linked regorus is agentgate's patched copy, whose rvm fails closed (an undefined
/// `:=` fails the body; a builtin's runtime error is an error). Upstream regorus 0.14.1's rvm
/// does neither, so a build against it (a `[patch]`, a swapped dependency) evaluates on the
/// interpreter instead.
pub fn rvm_is_fail_closed() -> bool {
    // A glob import in a block shadows the module's items: the patched copy's constant wins
    // when it exists, the fallback above is used when it does not.
    #[allow(unused_imports)]
    use regorus::*;
    AGENTGATE_FAIL_CLOSED_RVM
}

fn collector_module(packages: &[&str], fallback: &BTreeSet<&str>) -> String {
    // `findings` collects every package (the interpreter alone evaluates it); `fast` those the
    // rvm evaluates and `fallback` those it could not compile. The never-true entries keep each
    // defined when it has no package.
    let mut rego = String::from("package agentgate.collect\n\nimport rego.v1\n\n");
    for rule in ["findings", "fast", "fallback"] {
        rego.push_str(&format!("{rule} contains [\"\", {{}}] if false\n\n"));
    }
    for package in packages {
        let second = if fallback.contains(package) {
            "fallback"
        } else {
            "fast"
        };
        for rule in ["findings", second] {
            rego.push_str(&format!(
                "{rule} contains [{package:?}, f] if {{\n\tsome f in data.{package}.deny\n}}\n\n"
            ));
        }
    }
    rego
}

/// An empty engine configured as every evaluation of a pack is: unknown builtins and builtin
/// errors fail instead of being undefined, and an evaluation stops after [`EVALUATION_LIMIT`].
pub fn engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(timer());
    engine
}

fn timer() -> ExecutionTimerConfig {
    ExecutionTimerConfig {
        limit: EVALUATION_LIMIT,
        check_interval: NonZeroU32::new(1_000).unwrap_or(NonZeroU32::MIN),
    }
}

/// `entry` of `engine`'s modules compiled for the rvm, serialised (each worker deserialises a
/// copy of its own: with the `arc` feature, workers sharing one program's reference counts
/// cost more than the copy).
fn compile_rvm(engine: &regorus::Engine, entry: &str) -> Result<Vec<u8>, String> {
    let mut engine = engine.clone();
    let policy = engine
        .compile_with_entrypoint(&regorus::Rc::from(entry))
        .map_err(|e| rego_error(&e.to_string()))?;
    let program = Compiler::compile_from_policy(&policy, &[entry]).map_err(|e| e.to_string())?;
    program.serialize_binary()
}

/// The file name of the generated module that collects every package's findings.
const COLLECTOR_FILE: &str = "agentgate/collector.rego";

/// An interpreter engine holding `modules`.
fn interpreter(modules: &[(String, String)]) -> Result<regorus::Engine, PolicyError> {
    let mut base = engine();
    for (path, source) in modules {
        base.add_policy(path.clone(), source.clone())
            .map_err(engine_error)?;
    }
    Ok(base)
}

/// The interpreter's engine of a compiled pack: built, or its modules (collector included) to
/// build it from when an evaluation needs it.
enum Interpreter {
    Built(Box<regorus::Engine>),
    Deferred(Vec<(String, String)>),
}

/// The interpreter's engine with the data, built at most once, by the first thread that needs
/// it, from `recipe` when it was not built at load.
struct LazyEngine {
    built: std::sync::OnceLock<Result<regorus::Engine, PolicyError>>,
    recipe: Option<(Vec<(String, String)>, regorus::Value)>,
}

impl LazyEngine {
    fn get(&self) -> Result<&regorus::Engine, PolicyError> {
        self.built
            .get_or_init(|| {
                let Some((modules, data)) = &self.recipe else {
                    return Err(PolicyError::whole("policies", "no interpreter engine"));
                };
                let mut engine = interpreter(modules)?;
                engine.add_data(data.clone()).map_err(engine_error)?;
                Ok(engine)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// The rvm's part of a pack.
struct RvmPack {
    program: Vec<u8>,
    /// Whether some packages are left to the interpreter (the `fallback` collector).
    fallback: bool,
}

/// A pack's modules parsed into an engine (and compiled for the rvm), before any data: the
/// part of loading that does not depend on the manifests, so `check` does it while it reads
/// them.
pub struct Compiled {
    engine: Interpreter,
    rvm: Option<Arc<RvmPack>>,
    /// What the run should say about its engines (a package left to the interpreter).
    pub notes: Vec<String>,
}

impl Compiled {
    pub fn new(registry: &Registry, choice: EngineChoice) -> Result<Compiled, PolicyError> {
        Compiled::with_cache(registry, choice, None)
    }

    /// [`Compiled::new`], taking the rvm program from `programs` when it holds one compiled
    /// from the same modules (and storing it there when it did not).
    pub fn with_cache(
        registry: &Registry,
        choice: EngineChoice,
        programs: Option<&ProgramCache>,
    ) -> Result<Compiled, PolicyError> {
        let modules: Vec<(String, String)> = registry
            .modules
            .iter()
            .filter(|m| registry.is_evaluated(m))
            .map(|m| (m.path.clone(), m.source.clone()))
            .collect();
        let base = || interpreter(&modules);
        let packages: Vec<&str> = registry.evaluated_packages().collect();
        let with_collector = |mut engine: regorus::Engine, fallback: &BTreeSet<&str>| {
            engine
                .add_policy(COLLECTOR_FILE.into(), collector_module(&packages, fallback))
                .map_err(engine_error)?;
            Ok::<_, PolicyError>(engine)
        };
        let mut notes = Vec::new();
        // The rvm program's key in the program cache, when the rvm evaluates.
        let rvm_key = (choice == EngineChoice::Auto && rvm_is_fail_closed()).then(|| {
            let collector = collector_module(&packages, &BTreeSet::new());
            let key = program_cache::key(
                RVM_COLLECTOR,
                modules
                    .iter()
                    .map(|(path, source)| (path.as_str(), source.as_str()))
                    .chain([(COLLECTOR_FILE, collector.as_str())]),
            );
            (key, collector)
        });
        // With the rvm program in the cache, the interpreter's engine is built only if an
        // evaluation asks for it (a package left to it, an error to place): parsing every
        // module was a seventh of a one-file check served from the cache.
        if let Some((key, collector)) = &rvm_key {
            if let Some(program) = programs.and_then(|c| c.get(key)) {
                let mut modules = modules;
                modules.push((COLLECTOR_FILE.into(), collector.clone()));
                return Ok(Compiled {
                    engine: Interpreter::Deferred(modules),
                    rvm: Some(Arc::new(RvmPack {
                        program,
                        fallback: false,
                    })),
                    notes,
                });
            }
        }
        // The modules are parsed once on the usual path; the engine without the collector is
        // built again only when the rvm refuses the pack (a copy kept for that case cost a
        // tenth of a one-file check to make and free).
        let mut engine = with_collector(base()?, &BTreeSet::new())?;
        let mut rvm = None;
        if let Some((key, _)) = &rvm_key {
            let compiled = compile_rvm(&engine, RVM_COLLECTOR).inspect(|program| {
                if let Some(cache) = programs {
                    cache.put(key, program);
                }
            });
            match compiled {
                Ok(program) => {
                    rvm = Some(RvmPack {
                        program,
                        fallback: false,
                    })
                }
                Err(whole) => {
                    // Which packages the rvm refuses: those go to the interpreter, the others
                    // stay on the rvm.
                    let base = base()?;
                    let refused: BTreeMap<&str, String> = packages
                        .iter()
                        .filter_map(|&p| {
                            compile_rvm(&base, &format!("data.{p}.deny"))
                                .err()
                                .map(|e| (p, e))
                        })
                        .collect();
                    let compiled = if refused.is_empty() || refused.len() == packages.len() {
                        Err(whole)
                    } else {
                        engine = with_collector(base, &refused.keys().copied().collect())?;
                        compile_rvm(&engine, RVM_COLLECTOR)
                    };
                    match compiled {
                        Ok(program) => {
                            rvm = Some(RvmPack {
                                program,
                                fallback: true,
                            });
                            for (package, error) in &refused {
                                let file = registry
                                    .rule_for_package(package)
                                    .map_or_else(|| package.to_string(), |r| r.file.clone());
                                notes.push(format!(
                                    "{file}: evaluated by regorus's interpreter, not its bytecode VM, which cannot compile it ({})",
                                    first_line(error)
                                ));
                            }
                        }
                        Err(error) => notes.push(format!(
                            "the rule packs are evaluated by regorus's interpreter, not its bytecode VM, which cannot compile them ({})",
                            first_line(&error)
                        )),
                    }
                }
            }
        }
        Ok(Compiled {
            engine: Interpreter::Built(Box::new(engine)),
            rvm: rvm.map(Arc::new),
            notes,
        })
    }

    /// Adds `data` and runs the pack once on `trial_input` (so a broken pack fails now and the
    /// engine is prepared before it is cloned), returning the trial's findings too.
    pub fn prepare(
        self,
        registry: &Registry,
        data: regorus::Value,
        trial_input: regorus::Value,
    ) -> Result<(Evaluator, Vec<RawFinding>), PolicyError> {
        let engine = match self.engine {
            Interpreter::Built(mut engine) => {
                engine.add_data(data.clone()).map_err(engine_error)?;
                LazyEngine {
                    built: std::sync::OnceLock::from(Ok(*engine)),
                    recipe: None,
                }
            }
            Interpreter::Deferred(modules) => LazyEngine {
                built: std::sync::OnceLock::new(),
                recipe: Some((modules, data.clone())),
            },
        };
        let mut evaluator = Evaluator {
            engine: Arc::new(engine),
            data,
            rvm: self.rvm,
        };
        let result = evaluator.worker().run(trial_input);
        match result {
            Ok(findings) => Ok((evaluator, findings)),
            Err(error) => Err(evaluator.blame(registry, error)),
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// A prepared pack: the interpreter's engine with the data and, when the rvm evaluates, its
/// program. Cheap to clone; each evaluating thread makes a [`Worker`] of its own.
#[derive(Clone)]
pub struct Evaluator {
    engine: Arc<LazyEngine>,
    data: regorus::Value,
    rvm: Option<Arc<RvmPack>>,
}

/// One thread's evaluation state: its own rvm (program and top of the data copied, so that no
/// reference count is shared between threads) and, when needed, its own interpreter.
struct Worker<'a> {
    shared: &'a Evaluator,
    engine: Option<regorus::Engine>,
    vm: Option<RegoVM>,
}

impl Worker<'_> {
    fn engine(&mut self) -> Result<&mut regorus::Engine, PolicyError> {
        if self.engine.is_none() {
            self.engine = Some(self.shared.engine.get()?.clone());
        }
        self.engine
            .as_mut()
            .ok_or_else(|| PolicyError::whole("policies", "no interpreter engine"))
    }

    fn vm(&mut self) -> Result<&mut RegoVM, PolicyError> {
        if self.vm.is_none() {
            let Some(rvm) = &self.shared.rvm else {
                return Err(PolicyError::whole("policies", "no rvm program"));
            };
            let program = match Program::deserialize_binary(&rvm.program) {
                Ok(DeserializationResult::Complete(program)) => program,
                _ => {
                    return Err(PolicyError::whole(
                        "policies",
                        "the compiled rule packs could not be copied for an evaluation thread",
                    ))
                }
            };
            let mut vm = RegoVM::new();
            vm.load_program(Arc::new(program));
            vm.set_strict_builtin_errors(true);
            vm.set_execution_timer_config(Some(timer()));
            // The time limit bounds an evaluation; the default instruction limit (25,000)
            // would fail a large manifest instead.
            vm.set_max_instructions(usize::MAX);
            vm.set_data(own_copy(&self.shared.data, 0))
                .map_err(|e| PolicyError::whole("policies", e.to_string()))?;
            self.vm = Some(vm);
        }
        self.vm
            .as_mut()
            .ok_or_else(|| PolicyError::whole("policies", "no rvm"))
    }

    /// The interpreter's `rule` on `input`, with `data.agentgate.facts` replaced by `facts`
    /// when given (a `with` modifier: no data is copied and the engine is not prepared again).
    fn interpret(
        &mut self,
        input: regorus::Value,
        rule: &str,
        facts: Option<&Value>,
    ) -> Result<Vec<RawFinding>, PolicyError> {
        let engine = self.engine()?;
        engine.set_input(input);
        let result = match facts {
            None => engine.eval_rule(rule.to_string()).map_err(engine_error)?,
            Some(facts) => {
                let query = format!("{rule} with data.agentgate.facts as {facts}");
                let results = engine.eval_query(query, false).map_err(engine_error)?;
                results
                    .result
                    .into_iter()
                    .next()
                    .and_then(|r| r.expressions.into_iter().next())
                    .map_or(regorus::Value::Undefined, |e| e.value)
            }
        };
        collected(result)
    }

    fn run(&mut self, input: regorus::Value) -> Result<Vec<RawFinding>, PolicyError> {
        self.run_with(input, None)
    }

    /// Runs the pack on `input`, with `data.agentgate.facts` replaced by `facts` when given.
    fn run_with(
        &mut self,
        input: regorus::Value,
        facts: Option<&Value>,
    ) -> Result<Vec<RawFinding>, PolicyError> {
        let Some(rvm) = self.shared.rvm.clone() else {
            return self.interpret(input, COLLECTOR, facts);
        };
        // On the rvm, the facts are swapped in the data: its top two objects are rebuilt,
        // nothing below them is copied. (Such a worker only ever evaluates with facts.)
        let data = facts.map(|facts| with_facts(&self.shared.data, to_rego(facts)));
        let vm = self.vm()?;
        if let Some(data) = data {
            vm.set_data(data)
                .map_err(|e| PolicyError::whole("policies", e.to_string()))?;
        }
        vm.set_input(input.clone());
        let result = match vm.execute() {
            Ok(result) => result,
            Err(error) => return Err(self.located(input, facts, &error.to_string())),
        };
        let mut found = collected(result)?;
        if rvm.fallback {
            found.extend(self.interpret(input, FALLBACK_COLLECTOR, facts)?);
            // As one set would hold them: the two parts never share a package.
            found.sort_by(|a, b| a.package.cmp(&b.package));
        }
        Ok(found)
    }

    /// An rvm error placed at its rule file and line, which the interpreter names: the rvm's
    /// own errors do not. The interpreter agreeing that there is no error is itself an error.
    fn located(
        &mut self,
        input: regorus::Value,
        facts: Option<&Value>,
        error: &str,
    ) -> PolicyError {
        match self.interpret(input, COLLECTOR, facts) {
            Err(e) => e,
            Ok(_) => PolicyError::whole(
                "policies",
                format!("regorus's bytecode VM failed where its interpreter did not: {error}"),
            ),
        }
    }
}

impl Evaluator {
    /// Compiles the pack with `data` and runs it once on `trial_input`, returning the trial's
    /// findings too.
    pub fn new(
        registry: &Registry,
        data: Value,
        trial_input: &Value,
    ) -> Result<(Evaluator, Vec<RawFinding>), PolicyError> {
        Evaluator::with_engine(registry, data, trial_input, EngineChoice::Auto)
    }

    /// [`Evaluator::new`] on the given engine.
    pub fn with_engine(
        registry: &Registry,
        data: Value,
        trial_input: &Value,
        choice: EngineChoice,
    ) -> Result<(Evaluator, Vec<RawFinding>), PolicyError> {
        Compiled::new(registry, choice)?.prepare(registry, to_rego(&data), to_rego(trial_input))
    }

    /// Whether the rvm evaluates (some of) the pack.
    pub fn uses_rvm(&self) -> bool {
        self.rvm.is_some()
    }

    fn worker(&self) -> Worker<'_> {
        Worker {
            shared: self,
            engine: None,
            vm: None,
        }
    }

    /// An error that does not name its policy file (a time limit, say) is traced to the first
    /// rule package that fails on its own, so the message names the file to fix.
    fn blame(&mut self, registry: &Registry, error: PolicyError) -> PolicyError {
        if error.file.ends_with(".rego") {
            return error;
        }
        let Ok(engine) = self.engine.get() else {
            return error;
        };
        let mut engine = engine.clone();
        for package in registry.evaluated_packages() {
            if engine.eval_rule(format!("data.{package}.deny")).is_err() {
                let file = registry
                    .rule_for_package(package)
                    .map_or_else(|| package.to_string(), |r| r.file.clone());
                return PolicyError::whole(file.clone(), format!("{file}: {}", error.message));
            }
        }
        error
    }

    /// Evaluates each input in parallel; results keep the order of `inputs`.
    pub fn evaluate_all(
        &self,
        inputs: &[regorus::Value],
    ) -> Vec<Result<Vec<RawFinding>, PolicyError>> {
        // Each rayon job makes its worker once per chunk, not once per manifest.
        inputs
            .par_iter()
            .with_min_len(64)
            .map_init(|| self.worker(), |worker, input| worker.run(input.clone()))
            .collect()
    }

    /// Evaluates each input with its own `data.agentgate.facts` (manifests whose name another
    /// manifest shares: their facts cannot be stored under the name). In parallel, in linear
    /// time: nothing below the top of the shared data is copied per input.
    pub fn evaluate_with_facts(
        &self,
        inputs: &[(regorus::Value, Value)],
    ) -> Vec<Result<Vec<RawFinding>, PolicyError>> {
        inputs
            .par_iter()
            .with_min_len(64)
            .map_init(
                || self.worker(),
                |worker, (input, facts)| worker.run_with(input.clone(), Some(facts)),
            )
            .collect()
    }
}

/// A JSON value as regorus holds it, converted without copying the JSON first: node by node,
/// as regorus's own deserializer builds it (integers as integers, floats as floats), without
/// serde's visitor in between (which was a twelfth of a cold run). Unlike that deserializer,
/// an object whose only key is `$serde_json::private::Number` stays an object: a manifest
/// cannot pass a string off as a number.
pub fn to_rego(value: &Value) -> regorus::Value {
    use regorus::Value as V;
    match value {
        Value::Null => V::Null,
        Value::Bool(b) => V::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => V::from(u),
            (None, Some(i), _) => V::from(i),
            (None, None, Some(f)) if f.is_finite() => V::from(f),
            _ => V::Undefined,
        },
        Value::String(s) => V::from(s.as_str()),
        Value::Array(items) => V::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        Value::Object(fields) => V::from(
            fields
                .iter()
                .map(|(k, v)| (V::from(k.as_str()), to_rego(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// `data` with `data.agentgate.facts` replaced: the two objects above it rebuilt, all else
/// shared.
fn with_facts(data: &regorus::Value, facts: regorus::Value) -> regorus::Value {
    let mut data = data.clone();
    if let Ok(top) = data.as_object_mut() {
        let key = regorus::Value::from("agentgate");
        let mut agentgate = top
            .get(&key)
            .cloned()
            .unwrap_or_else(regorus::Value::new_object);
        if let Ok(object) = agentgate.as_object_mut() {
            object.insert(regorus::Value::from("facts"), facts);
        }
        top.insert(key, agentgate);
    }
    data
}

/// A copy of `data` for one thread: every container rebuilt except the entries of the per-agent
/// maps (`inventory`, `facts`), which only the evaluation of their own agent (mostly) reads.
/// `depth` is how deep `value` sits in `data`.
fn own_copy(value: &regorus::Value, depth: usize) -> regorus::Value {
    use regorus::Value as V;
    match value {
        V::String(s) => V::from(s.as_ref()),
        V::Array(items) => V::from(
            items
                .iter()
                .map(|v| own_copy(v, depth + 1))
                .collect::<Vec<_>>(),
        ),
        V::Set(items) => V::from(
            items
                .iter()
                .map(|v| own_copy(v, depth + 1))
                .collect::<BTreeSet<_>>(),
        ),
        V::Object(fields) => V::from(
            fields
                .iter()
                .map(|(k, v)| {
                    let per_agent = depth == 1
                        && matches!(k, V::String(s) if &**s == "inventory" || &**s == "facts");
                    let copied = if per_agent {
                        shallow_copy(v)
                    } else {
                        own_copy(v, depth + 1)
                    };
                    (own_copy(k, depth + 1), copied)
                })
                .collect::<BTreeMap<_, _>>(),
        ),
        other => other.clone(),
    }
}

/// An object rebuilt with its keys copied and its values shared.
fn shallow_copy(value: &regorus::Value) -> regorus::Value {
    match value {
        regorus::Value::Object(fields) => regorus::Value::from(
            fields
                .iter()
                .map(|(k, v)| (own_copy(k, 0), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        ),
        other => own_copy(other, 0),
    }
}

fn engine_error(error: impl std::fmt::Display) -> PolicyError {
    let message = error.to_string();
    // regorus places an error as `--> FILE:LINE:COLUMN`, a snippet, then `error: MESSAGE`:
    // the rule file and its line go where a problem's place goes, the rest is the message.
    let located = message.lines().find_map(|l| {
        let mut parts = l.trim().strip_prefix("--> ")?.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let file = parts.next().filter(|f| f.ends_with(".rego"))?;
        Some((file.to_string(), line, column))
    });
    if let Some((file, line, column)) = located {
        let text = rego_error(&message);
        let text = text
            .strip_prefix(&format!("{file}:{line}:{column}: "))
            .unwrap_or(&text)
            .to_string();
        return PolicyError {
            file,
            line,
            column,
            message: text,
        };
    }
    let file = message
        .split(':')
        .next()
        .filter(|f| f.ends_with(".rego"))
        .unwrap_or("policies")
        .to_string();
    PolicyError::whole(file, message)
}

/// The collector's set as findings.
fn collected(result: regorus::Value) -> Result<Vec<RawFinding>, PolicyError> {
    if result == regorus::Value::Undefined {
        return Ok(Vec::new());
    }
    let set = result.as_set().map_err(engine_error)?;
    set.iter().map(raw_finding).collect()
}

fn raw_finding(entry: &regorus::Value) -> Result<RawFinding, PolicyError> {
    let pair = entry.as_array().map_err(engine_error)?;
    let package = pair
        .first()
        .and_then(|p| p.as_string().ok())
        .map(|s| s.to_string())
        .unwrap_or_default();
    let object = pair.get(1).cloned().unwrap_or(regorus::Value::Undefined);
    let field = |name: &str| {
        object
            .as_object()
            .ok()
            .and_then(|o| o.get(&regorus::Value::from(name)).cloned())
    };
    let text = |name: &str| field(name).and_then(|v| v.as_string().ok().map(|s| s.to_string()));
    let contract = |what: &str| {
        PolicyError::whole(
            package.clone(),
            format!(
                "{package}: every `deny` entry must be an object with {what} (the rule contract); got {object}"
            ),
        )
    };
    let message = text("msg").ok_or_else(|| contract("a string `msg`"))?;
    let path = text("path")
        .filter(|p| p.is_empty() || p.starts_with('/'))
        .ok_or_else(|| contract("a JSON-pointer string `path`"))?;
    let redact = field("redact").is_some_and(|v| v == regorus::Value::from(true));
    Ok(RawFinding {
        package,
        message,
        path,
        redact,
        place: None,
    })
}

/// regorus writes a Rego error as `--> file:line:col`, the source line with a caret, then
/// `error: message`; this puts `file:line:col: message` first and keeps the snippet below it.
pub fn rego_error(message: &str) -> String {
    let lines: Vec<&str> = message.trim_matches('\n').lines().collect();
    let Some(at) = lines.iter().position(|l| l.starts_with("--> ")) else {
        return message.trim().to_string();
    };
    let location = lines[at].trim_start_matches("--> ");
    let last = lines.len() - 1;
    let text = if last > at {
        lines[last]
            .strip_prefix("error: ")
            .unwrap_or(lines[last])
            .to_string()
    } else {
        String::new()
    };
    let mut out = format!("{location}: {text}");
    for line in &lines[at + 1..last.max(at + 1)] {
        out.push_str("\n    ");
        out.push_str(line);
    }
    let prefix = lines[..at].join(" ");
    if !prefix.trim().is_empty() {
        out.push_str("\n    (");
        out.push_str(prefix.trim());
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_convert_as_regorus_deserializes_them() {
        use serde::Deserialize;
        let value = serde_json::json!({
            "null": null, "t": true, "f": false, "u": u64::MAX, "i": i64::MIN, "neg": -1,
            "zero": 0, "float": 0.1, "whole float": 2.0, "tiny": 5e-324, "s": "héllo ✓ 𝄞",
            "empty": {}, "none": [], "nested": [{"a": [1, [2, {"b": null}]]}, "x"],
            "": "empty key", "Z": 1, "a": 2, "é": 3
        });
        let reference = regorus::Value::deserialize(&value).unwrap();
        assert_eq!(to_rego(&value), reference);
        assert_eq!(
            serde_json::to_string(&to_rego(&value)).unwrap(),
            serde_json::to_string(&reference).unwrap()
        );
        let number = serde_json::json!({"$serde_json::private::Number": "5"});
        assert!(
            to_rego(&number).as_object().is_ok(),
            "a string is no number"
        );
    }

    fn rule(body: &str) -> (String, String) {
        let source = format!(
            "# METADATA\n# custom:\n#   id: T001\n#   slug: t\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.t\n\nimport rego.v1\n\n{body}\n"
        );
        ("policies/t.rego".to_string(), source)
    }

    fn evaluator(body: &str) -> Result<Evaluator, PolicyError> {
        let registry = Registry::from_files([rule(body)]).expect("metadata is valid");
        Evaluator::new(
            &registry,
            serde_json::json!({}),
            &serde_json::json!({"a": 1}),
        )
        .map(|(evaluator, _)| evaluator)
    }

    #[test]
    fn collects_findings_of_nested_packages() {
        let registry = Registry::from_files([
            rule("deny contains {\"msg\": \"m\", \"path\": \"/a\"} if input.a == 1"),
            (
                "acme/x.rego".to_string(),
                rule("deny contains {\"msg\": \"n\", \"path\": \"\"} if true")
                    .1
                    .replace("id: T001\n#   slug: t", "id: ACME1\n#   slug: x")
                    .replace("agentgate.rules.t", "agentgate.rules.acme.deep.x"),
            ),
        ])
        .unwrap();
        let (evaluator, _) =
            Evaluator::new(&registry, serde_json::json!({}), &serde_json::json!({})).unwrap();
        let input = to_rego(&serde_json::json!({"a": 1}));
        let found = evaluator.evaluate_all(&[input]).remove(0).unwrap();
        let packages: Vec<&str> = found.iter().map(|f| f.package.as_str()).collect();
        assert_eq!(
            packages,
            vec!["agentgate.rules.acme.deep.x", "agentgate.rules.t"]
        );
    }

    #[test]
    fn an_unknown_builtin_fails_at_load_time_naming_the_file() {
        let error =
            evaluator("deny contains {\"msg\": no_such_builtin(1), \"path\": \"\"} if true")
                .err()
                .expect("refused");
        // The rule file and line are the error's place, not part of its message.
        assert_eq!((error.file.as_str(), error.line), ("policies/t.rego", 12));
        assert!(!error.message.contains("-->"), "{}", error.message);
    }

    #[test]
    fn a_runtime_error_fails_closed() {
        let error = evaluator(
            "deny contains {\"msg\": sprintf(\"%d\", [input.a / 0]), \"path\": \"\"} if true",
        )
        .err()
        .expect("refused");
        // The rule file and line are the error's place, not part of its message.
        assert_eq!((error.file.as_str(), error.line), ("policies/t.rego", 12));
        assert!(!error.message.contains("-->"), "{}", error.message);
    }

    #[test]
    fn the_patched_rvm_is_linked_and_evaluates() {
        assert!(rvm_is_fail_closed(), "vendor/regorus exports the marker");
        let evaluator =
            evaluator("deny contains {\"msg\": \"m\", \"path\": \"\"} if false").expect("loads");
        assert!(evaluator.uses_rvm());
    }

    #[test]
    fn a_recursive_rule_fails_closed_on_the_rvm_naming_its_file() {
        // Upstream's rvm recursed until the stack overflowed (an abort, no message).
        let error = evaluator(
            "deny contains {\"msg\": x, \"path\": \"\"} if {\n\tsome x in b\n}\n\nb contains x if {\n\tsome x in deny\n}",
        )
        .err()
        .expect("refused");
        assert_eq!(error.file, "policies/t.rego");
        assert!(error.message.contains("recursion"), "{}", error.message);
    }

    #[test]
    fn findings_must_follow_the_contract() {
        let error = evaluator("deny contains {\"message\": \"m\"} if true")
            .err()
            .expect("refused");
        assert!(error.message.contains("string `msg`"), "{}", error.message);
        let error = evaluator("deny contains {\"msg\": \"m\", \"path\": \"spec\"} if true")
            .err()
            .expect("refused");
        assert!(error.message.contains("JSON-pointer"), "{}", error.message);
    }
}
