//! Stage 4, evaluate: every loaded rule package over every manifest, in-process with regorus.
//!
//! The pack is compiled once, run once on a trial input (so a broken pack fails at load time
//! and the engine is prepared), then cloned per worker thread. One generated collector rule
//! gathers the `deny` sets of all loaded rule packages, however deeply nested.

use std::num::NonZeroU32;
use std::time::Duration;

use rayon::prelude::*;
use regorus::utils::limits::ExecutionTimerConfig;
use serde_json::Value;

use crate::registry::Registry;

const COLLECTOR: &str = "data.agentgate.collect.findings";

/// Wall-clock budget for one manifest's evaluation: a runaway rule is a policy error, not a pass.
const EVALUATION_LIMIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFinding {
    pub package: String,
    pub message: String,
    pub path: String,
    pub redact: bool,
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

#[derive(Clone)]
pub struct Evaluator {
    engine: regorus::Engine,
}

fn collector_module(registry: &Registry) -> String {
    // The never-true entry keeps `findings` defined when no rule package is loaded.
    let mut rego = String::from(
        "package agentgate.collect\n\nimport rego.v1\n\nfindings contains [\"\", {}] if false\n\n",
    );
    for package in registry.evaluated_packages() {
        rego.push_str(&format!(
            "findings contains [{package:?}, f] if {{\n\tsome f in data.{package}.deny\n}}\n\n"
        ));
    }
    rego
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

/// An empty engine configured as every evaluation of a pack is: unknown builtins and builtin
/// errors fail instead of being undefined, and an evaluation stops after [`EVALUATION_LIMIT`].
pub fn engine() -> regorus::Engine {
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    engine.set_execution_timer_config(ExecutionTimerConfig {
        limit: EVALUATION_LIMIT,
        check_interval: NonZeroU32::new(1_000).unwrap_or(NonZeroU32::MIN),
    });
    engine
}

/// A pack's modules parsed into an engine, before any data: the part of loading that does not
/// depend on the manifests, so `check` does it while it reads them.
pub struct Compiled {
    engine: regorus::Engine,
}

impl Compiled {
    pub fn new(registry: &Registry) -> Result<Compiled, PolicyError> {
        let mut engine = engine();
        for module in registry.modules.iter().filter(|m| registry.is_evaluated(m)) {
            engine
                .add_policy(module.path.clone(), module.source.clone())
                .map_err(engine_error)?;
        }
        engine
            .add_policy(
                "agentgate/collector.rego".into(),
                collector_module(registry),
            )
            .map_err(engine_error)?;
        Ok(Compiled { engine })
    }

    /// Adds `data` and runs the pack once on `trial_input` (so a broken pack fails now and the
    /// engine is prepared before it is cloned), returning the trial's findings too.
    pub fn prepare(
        self,
        registry: &Registry,
        data: Value,
        trial_input: &Value,
    ) -> Result<(Evaluator, Vec<RawFinding>), PolicyError> {
        let mut engine = self.engine;
        engine
            .add_data(regorus::Value::from(data))
            .map_err(engine_error)?;
        let mut evaluator = Evaluator { engine };
        match evaluator.run(trial_input.clone()) {
            Ok(findings) => Ok((evaluator, findings)),
            Err(error) => Err(evaluator.blame(registry, error)),
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
        Compiled::new(registry)?.prepare(registry, data, trial_input)
    }
    /// An error that does not name its policy file (a time limit, say) is traced to the first
    /// rule package that fails on its own, so the message names the file to fix.
    fn blame(&mut self, registry: &Registry, error: PolicyError) -> PolicyError {
        if error.file.ends_with(".rego") {
            return error;
        }
        for package in registry.evaluated_packages() {
            if self
                .engine
                .eval_rule(format!("data.{package}.deny"))
                .is_err()
            {
                let file = registry
                    .rule_for_package(package)
                    .map_or_else(|| package.to_string(), |r| r.file.clone());
                return PolicyError::whole(file.clone(), format!("{file}: {}", error.message));
            }
        }
        error
    }

    fn run(&mut self, input: Value) -> Result<Vec<RawFinding>, PolicyError> {
        self.engine.set_input(regorus::Value::from(input));
        let result = self
            .engine
            .eval_rule(COLLECTOR.to_string())
            .map_err(engine_error)?;
        collected(result)
    }

    /// Runs the pack on `input` with `data.agentgate.facts` replaced by `facts` for this one
    /// evaluation (a `with` modifier): no data is copied and the engine is not prepared again.
    fn run_with_facts(
        &mut self,
        input: Value,
        facts: &Value,
    ) -> Result<Vec<RawFinding>, PolicyError> {
        self.engine.set_input(regorus::Value::from(input));
        let query = format!("{COLLECTOR} with data.agentgate.facts as {facts}");
        let results = self.engine.eval_query(query, false).map_err(engine_error)?;
        let result = results
            .result
            .into_iter()
            .next()
            .and_then(|r| r.expressions.into_iter().next())
            .map_or(regorus::Value::Undefined, |e| e.value);
        collected(result)
    }

    /// Evaluates each input in parallel; results keep the order of `inputs`.
    pub fn evaluate_all(&self, inputs: &[&Value]) -> Vec<Result<Vec<RawFinding>, PolicyError>> {
        // Each worker clones the prepared engine once per chunk, not once per manifest.
        inputs
            .par_iter()
            .with_min_len(64)
            .map_init(
                || self.clone(),
                |evaluator, input| evaluator.run((*input).clone()),
            )
            .collect()
    }

    /// Evaluates each input with its own `data.agentgate.facts` (manifests whose name another
    /// manifest shares: their facts cannot be stored under the name). In parallel, one engine
    /// per chunk, in linear time: nothing of the shared data is copied per input.
    pub fn evaluate_with_facts(
        &self,
        inputs: &[(&Value, Value)],
    ) -> Vec<Result<Vec<RawFinding>, PolicyError>> {
        inputs
            .par_iter()
            .with_min_len(64)
            .map_init(
                || self.clone(),
                |evaluator, (input, facts)| evaluator.run_with_facts((*input).clone(), facts),
            )
            .collect()
    }
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
        let input = serde_json::json!({"a": 1});
        let found = evaluator.evaluate_all(&[&input]).remove(0).unwrap();
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
