//! `agentgate test`: a rule pack's own tests, run as `opa test` runs them.
//!
//! Rego tests are the `test_*` rules of the pack's `*_test.rego` files. Every module of the pack
//! (rules, helpers, tests) is loaded into one engine with the default `data.agentgate` (the
//! checker's default settings, an empty inventory and no facts); a test passes when it evaluates
//! to `true`. An external pack is tested beside the built-in rules and helpers, as `check` runs
//! it. Line coverage comes from regorus's coverage report.
//!
//! Fixture tests need no Rego: each folder of manifests under `--fixtures DIR` is checked by the
//! real checker, and the findings must equal exactly the `# expect: RULE at /json/pointer`
//! comments of its files.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use regorus::unstable::{Expr, Literal, Module, Query, Rule, RuleHead};
use serde_json::json;

use crate::check::{self, settings_data, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use crate::config::{Config, FILE_NAME};
use crate::context::{ContextOptions, RunContext};
use crate::discover::is_manifest_place;
use crate::evaluate::{self, rego_error, Evaluator};
use crate::fs::{display_path, normalize, read_text};
use crate::pack_source::{self, PackSource};
use crate::registry::Registry;
use crate::units::today_utc;

#[derive(Debug, Clone)]
pub struct TestOptions {
    /// Pack folders under test; the built-in pack when empty.
    pub packs: Vec<PathBuf>,
    /// Print per-file line coverage.
    pub coverage: bool,
    /// Fail when total line coverage is below this percentage (implies `coverage`).
    pub coverage_min: Option<f64>,
    /// Folder of fixture folders to check with the pack(s) under test.
    pub fixtures: Option<PathBuf>,
    /// The configuration for fixture folders without a `.agentgate.yaml` of their own.
    pub config: Option<PathBuf>,
    /// Days since 1970-01-01 for `data.agentgate.settings.today`; today's UTC date when absent.
    pub today: Option<i64>,
    pub cwd: PathBuf,
}

/// One `test_*` rule: where it is defined (its first definition) and the path to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegoTest {
    pub file: String,
    pub line: u32,
    pub name: String,
    /// `data.<package>.<name>`.
    pub rule: String,
}

/// Line coverage of one policy file under test (test files are not counted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCoverage {
    pub file: String,
    pub covered: usize,
    pub total: usize,
}

/// What one test produced: `None` when it passed, else why it failed.
type Failure = Option<String>;

/// The pack under test, loaded into an engine that holds every module, tests included.
pub struct Suite {
    engine: regorus::Engine,
    pub tests: Vec<RegoTest>,
    /// Policy files under test that are not tests, with the lines coverage counts in each.
    policy_lines: Vec<(String, BTreeSet<u32>)>,
}

impl Suite {
    /// Loads the pack(s) of `options`; an error is a load error (exit 2), with file and line.
    pub fn load(options: &TestOptions) -> Result<Suite, Vec<String>> {
        let (registry, under_test) = load_registry(options)?;
        let today = options.today.unwrap_or_else(today_utc);
        let data = json!({"agentgate": {
            "settings": settings_data(&Config::defaults(options.cwd.clone()), today, None),
            "inventory": {},
            "facts": {},
        }});
        // The pack must load as `check` loads it: rules and helpers only, with the trial run
        // that catches unknown builtins and findings that break the rule contract.
        Evaluator::new(&registry, data.clone(), &json!({}))
            .map_err(|e| vec![rego_error(&e.message)])?;

        let mut engine = evaluate::engine();
        engine.set_gather_prints(true);
        let mut errors = Vec::new();
        for module in &registry.modules {
            if let Err(e) = engine.add_policy(module.path.clone(), module.source.clone()) {
                errors.push(rego_error(&e.to_string()));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        engine
            .add_data(regorus::Value::from(data))
            .map_err(|e| vec![rego_error(&e.to_string())])?;
        // Compiles every module (tests included) before any test runs, so that a broken test
        // file is a load error rather than a failing test.
        engine
            .eval_query("true".to_string(), false)
            .map_err(|e| vec![rego_error(&e.to_string())])?;

        let mut tests = Vec::new();
        let mut policy_lines = Vec::new();
        for module in engine.get_modules().iter() {
            let file = module.package.refr.span().source.file().clone();
            if !under_test.contains(&file) {
                continue;
            }
            if is_test_file(&file) {
                tests.extend(tests_of(module, &file).map_err(|e| vec![format!("{file}: {e}")])?);
            } else {
                policy_lines.push((file, coverable_lines(module)));
            }
        }
        tests.sort();
        // A rule defined by several bodies is one test, at its first definition.
        let mut seen = BTreeSet::new();
        tests.retain(|t| seen.insert(t.rule.clone()));
        policy_lines.sort();
        Ok(Suite {
            engine,
            tests,
            policy_lines,
        })
    }

    /// Runs one test; what its `print` calls wrote is returned with the verdict.
    pub fn run(&mut self, test: &RegoTest) -> (Failure, Vec<String>) {
        let result = self.engine.eval_rule(test.rule.clone());
        let prints = self.engine.take_prints().unwrap_or_default();
        let verdict = match result {
            Ok(regorus::Value::Bool(true)) => None,
            Ok(regorus::Value::Undefined) => {
                Some("got: undefined (the test's body did not hold)".to_string())
            }
            Ok(value @ regorus::Value::Set(_)) => Some(format!("got: the set {value}, not true")),
            Ok(value) => Some(format!("got: {value}, not true")),
            Err(e) => Some(format!("error: {}", rego_error(&e.to_string()))),
        };
        (verdict, prints)
    }

    pub fn enable_coverage(&mut self) {
        self.engine.set_enable_coverage(true);
    }

    /// Per-file line coverage of the policy files under test, from regorus's report. A file no
    /// test reached is missing from that report; it counts as wholly uncovered.
    pub fn coverage(&self) -> Result<Vec<FileCoverage>, String> {
        let report = self
            .engine
            .get_coverage_report()
            .map_err(|e| e.to_string())?;
        Ok(self
            .policy_lines
            .iter()
            .map(
                |(file, lines)| match report.files.iter().find(|f| &f.path == file) {
                    Some(found) => FileCoverage {
                        file: file.clone(),
                        covered: found.covered.len(),
                        total: found.covered.union(&found.not_covered).count(),
                    },
                    None => FileCoverage {
                        file: file.clone(),
                        covered: 0,
                        total: lines.len(),
                    },
                },
            )
            .collect())
    }
}

fn is_test_file(path: &str) -> bool {
    path.ends_with("_test.rego")
}

/// The built-in pack, or the given pack folders beside the built-in rules and helpers (not its
/// tests); and the module paths under test.
fn load_registry(options: &TestOptions) -> Result<(Registry, BTreeSet<String>), Vec<String>> {
    let builtin = Registry::builtin().map_err(pack_errors)?;
    if options.packs.is_empty() {
        let under_test = builtin.modules.iter().map(|m| m.path.clone()).collect();
        return Ok((builtin, under_test));
    }
    let mut files: Vec<(String, String)> = builtin
        .modules
        .iter()
        .filter(|m| !m.is_test)
        .map(|m| (m.path.clone(), m.source.clone()))
        .collect();
    // One group per pack, to refuse a package that two of them declare.
    let mut packs = vec![files.clone()];
    let mut under_test = BTreeSet::new();
    let mut errors = Vec::new();
    let mut folders = BTreeSet::new();
    for pack in &options.packs {
        let folder = normalize(&options.cwd.join(pack));
        if !folders.insert(folder.clone()) {
            continue;
        }
        match pack_source::load_files(&PackSource::Dir(folder)) {
            Ok(found) => {
                // Shown, and reported, relative to the working folder.
                let found = found.into_iter().map(|file| {
                    (
                        display_path(Path::new(&file.shown), &options.cwd),
                        file.source,
                    )
                });
                let mut pack = Vec::new();
                for (path, source) in found {
                    under_test.insert(path.clone());
                    pack.push((path.clone(), source.clone()));
                    files.push((path, source));
                }
                packs.push(pack);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let twice = crate::registry::packages_declared_twice(&packs);
    if !twice.is_empty() {
        return Err(pack_errors(twice));
    }
    let registry = Registry::from_files(files).map_err(pack_errors)?;
    Ok((registry, under_test))
}

fn pack_errors(errors: Vec<crate::registry::PackError>) -> Vec<String> {
    errors
        .into_iter()
        .map(|e| format!("{}:{}: {}", e.file, e.line, e.message))
        .collect()
}

/// The `test_*` rules a module defines (`test_x if …`, `test_x := …`, `test_x contains …`);
/// functions and rules with a reference head (`test_x.y := …`) are not tests.
fn tests_of(module: &Module, file: &str) -> Result<Vec<RegoTest>, String> {
    let package = regorus::utils::get_path_string(&module.package.refr, Some("data"))
        .map_err(|e| e.to_string())?;
    let mut tests = Vec::new();
    for rule in &module.policy {
        let Rule::Spec { span, head, .. } = rule.as_ref() else {
            continue;
        };
        let (RuleHead::Compr { refr, .. } | RuleHead::Set { refr, .. }) = head else {
            continue;
        };
        if let Expr::Var { span: name, .. } = refr.as_ref() {
            let name = name.text();
            if name.starts_with("test_") {
                tests.push(RegoTest {
                    file: file.to_string(),
                    line: span.line,
                    name: name.to_string(),
                    rule: format!("{package}.{name}"),
                });
            }
        }
    }
    Ok(tests)
}

/// The lines regorus's coverage report counts in a module (covered or not): those of every
/// expression in rule heads' values and in rule bodies, comprehension terms excepted. Mirrors
/// `get_coverage_report`, which leaves out the files no test reached.
fn coverable_lines(module: &Module) -> BTreeSet<u32> {
    let mut lines = BTreeSet::new();
    for rule in &module.policy {
        match rule.as_ref() {
            Rule::Spec { head, bodies, .. } => {
                match head {
                    RuleHead::Compr { assign, .. } | RuleHead::Func { assign, .. } => {
                        if let Some(assign) = assign {
                            expr_lines(&assign.value, &mut lines);
                        }
                    }
                    RuleHead::Set { key, .. } => {
                        if let Some(key) = key {
                            expr_lines(key, &mut lines);
                        }
                    }
                }
                for body in bodies {
                    query_lines(&body.query, &mut lines);
                }
            }
            Rule::Default { value, .. } => expr_lines(value, &mut lines),
        }
    }
    lines
}

fn query_lines(query: &Query, lines: &mut BTreeSet<u32>) {
    for statement in &query.stmts {
        match &statement.literal {
            Literal::SomeVars { .. } => {}
            Literal::SomeIn {
                value, collection, ..
            } => {
                expr_lines(value, lines);
                expr_lines(collection, lines);
            }
            Literal::Expr { expr, .. } | Literal::NotExpr { expr, .. } => expr_lines(expr, lines),
            Literal::Every { domain, query, .. } => {
                expr_lines(domain, lines);
                query_lines(query, lines);
            }
        }
    }
}

fn expr_lines(expr: &Expr, lines: &mut BTreeSet<u32>) {
    match expr {
        Expr::ArrayCompr { query, .. }
        | Expr::SetCompr { query, .. }
        | Expr::ObjectCompr { query, .. } => return query_lines(query, lines),
        _ => {
            lines.insert(expr.span().line);
        }
    }
    match expr {
        Expr::Array { items, .. } | Expr::Set { items, .. } => {
            items.iter().for_each(|item| expr_lines(item, lines));
        }
        Expr::Object { fields, .. } => {
            for (_, key, value) in fields {
                expr_lines(key, lines);
                expr_lines(value, lines);
            }
        }
        Expr::Call { params, .. } => params.iter().for_each(|p| expr_lines(p, lines)),
        Expr::UnaryExpr { expr, .. } | Expr::RefDot { refr: expr, .. } => expr_lines(expr, lines),
        Expr::RefBrack { refr, index, .. } => {
            expr_lines(refr, lines);
            expr_lines(index, lines);
        }
        Expr::BinExpr { lhs, rhs, .. }
        | Expr::BoolExpr { lhs, rhs, .. }
        | Expr::ArithExpr { lhs, rhs, .. }
        | Expr::AssignExpr { lhs, rhs, .. } => {
            expr_lines(lhs, lines);
            expr_lines(rhs, lines);
        }
        Expr::Membership {
            key,
            value,
            collection,
            ..
        } => {
            if let Some(key) = key {
                expr_lines(key, lines);
            }
            expr_lines(value, lines);
            expr_lines(collection, lines);
        }
        _ => {}
    }
}

/// The folders under `dir` that are fixtures: a folder that directly holds a manifest (a file
/// named like one, or a `.agents/` folder) or a `.agentgate.yaml` is one repository, and
/// everything beneath it belongs to it. `dir` itself may be one.
pub fn fixture_folders(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries: Vec<(PathBuf, bool)> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| (e.path(), e.path().is_dir())))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    let is_fixture = entries.iter().any(|(path, is_dir)| {
        let name = path.file_name().unwrap_or_default();
        if *is_dir {
            name == ".agents"
        } else {
            name == FILE_NAME || is_manifest_place(Path::new(name))
        }
    });
    if is_fixture {
        return Ok(vec![dir.to_path_buf()]);
    }
    let mut found = Vec::new();
    for (path, is_dir) in entries {
        if is_dir && path.file_name().is_some_and(|n| n != ".git") {
            found.extend(fixture_folders(&path)?);
        }
    }
    Ok(found)
}

/// A `# expect: RULE at /json/pointer` line: the finding a fixture must produce.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    file: String,
    rule: String,
    pointer: String,
    line: usize,
}

/// The expectations of every YAML file under `root` (manifests and the configuration), with
/// the lines that do not read as one.
fn expectations(root: &Path, dir: &Path, out: &mut Vec<Expectation>, bad: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            expectations(root, &path, out, bad);
            continue;
        }
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let Ok(text) = read_text(&path, DEFAULT_MAX_FILE_SIZE) else {
            continue;
        };
        let file = display_path(&path, root);
        for (i, line) in text.lines().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix("# expect:") else {
                continue;
            };
            match rest.trim().split_once(" at ") {
                Some((rule, pointer))
                    if !rule.trim().is_empty() && !rule.trim().contains(' ') =>
                {
                    let pointer = pointer.trim();
                    out.push(Expectation {
                        file: file.clone(),
                        rule: rule.trim().to_string(),
                        pointer: if pointer == "\"\"" { "" } else { pointer }.to_string(),
                        line: i + 1,
                    });
                }
                _ => bad.push(format!(
                    "{file}:{}: cannot read this expectation; write `# expect: RULE at /json/pointer`",
                    i + 1
                )),
            }
        }
    }
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()))?;
        } else {
            std::fs::copy(&path, to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Checks one fixture folder as a repository of its own, with the packs under test; returns
/// why it failed (nothing when it passed).
fn run_fixture(
    folder: &Path,
    shown: &str,
    options: &TestOptions,
    packs: &[PathBuf],
) -> Vec<String> {
    // A copy, so that the repository is the folder itself: its inventory holds its own
    // manifests, whatever surrounds the original.
    let copy = match tempfile::Builder::new()
        .prefix("agentgate-fixture-")
        .tempdir()
    {
        Ok(copy) => copy,
        Err(e) => return vec![format!("cannot make a temporary folder: {e}")],
    };
    let root = copy.path().join("repo");
    if let Err(e) = copy_tree(folder, &root).and_then(|()| std::fs::create_dir(root.join(".git"))) {
        return vec![format!("cannot copy the fixture: {e}")];
    }
    let config = match &options.config {
        Some(config) if !root.join(FILE_NAME).is_file() => {
            Some(normalize(&options.cwd.join(config)))
        }
        _ => None,
    };
    let check_options = CheckOptions {
        paths: Vec::new(),
        config,
        fail_on: None,
        today: options.today,
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        cwd: root.clone(),
        changes: None,
        packs: packs.to_vec(),
    };
    // The fixture folder is the repository, even with a configuration from elsewhere.
    let context = ContextOptions {
        root: Some(root.clone()),
        ..check_options.context()
    };
    let outcome = match RunContext::prepare(&context) {
        Ok(ctx) => check::run_in(&ctx, &check_options, check::Discovery::Configured),
        Err(problems) => check::Outcome {
            problems,
            ..check::Outcome::default()
        },
    };
    let mut expected = Vec::new();
    let mut failures = Vec::new();
    expectations(&root, &root, &mut expected, &mut failures);
    let at = |file: &str| {
        if file.starts_with('/') {
            file.to_string()
        } else {
            format!("{shown}/{file}")
        }
    };
    for problem in &outcome.problems {
        failures.push(format!(
            "error       {}:{}: {}",
            at(&problem.file),
            problem.line,
            problem.message.lines().next().unwrap_or_default()
        ));
    }
    let mut missing = expected;
    let mut unexpected = Vec::new();
    for finding in &outcome.findings {
        let wanted = missing.iter().position(|e| {
            e.file == finding.file && e.rule == finding.rule && e.pointer == finding.path
        });
        match wanted {
            Some(i) => {
                missing.remove(i);
            }
            None => unexpected.push(finding),
        }
    }
    for e in &missing {
        failures.push(format!(
            "missing     {} at {} (expected by {}:{})",
            e.rule,
            e.pointer,
            at(&e.file),
            e.line
        ));
    }
    for f in unexpected {
        failures.push(format!(
            "unexpected  {} at {} ({}:{}: {})",
            f.rule,
            f.path,
            at(&f.file),
            f.line,
            f.message
        ));
    }
    failures
}

fn percent(covered: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        covered as f64 * 100.0 / total as f64
    }
}

/// Tallies results and writes one line per test.
struct Tally<'a> {
    out: &'a mut dyn Write,
    passed: usize,
    failed: usize,
}

impl Tally<'_> {
    fn record(&mut self, name: &str, failure: &[String]) {
        if failure.is_empty() {
            self.passed += 1;
            let _ = writeln!(self.out, "{name} PASS");
        } else {
            self.failed += 1;
            let _ = writeln!(self.out, "{name} FAIL");
            for line in failure.iter().flat_map(|f| f.lines()) {
                let _ = writeln!(self.out, "    {line}");
            }
        }
    }
}

/// Runs `agentgate test`: results on `out`, load errors on `err`; the exit code (0 all passed,
/// 1 a test failed or coverage is below the minimum, 2 the pack or the fixtures could not be
/// loaded).
pub fn run(options: &TestOptions, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Some(config) = &options.config {
        if !options.cwd.join(config).is_file() {
            let _ = writeln!(
                err,
                "error: {}: no such configuration file",
                config.display()
            );
            return 2;
        }
    }
    let fixtures = match &options.fixtures {
        None => Vec::new(),
        Some(dir) => {
            let dir = normalize(&options.cwd.join(dir));
            let shown = display_path(&dir, &options.cwd);
            match fixture_folders(&dir) {
                Ok(found) if found.is_empty() => {
                    let _ = writeln!(
                        err,
                        "error: {shown}: no fixture folder (a folder holding agent manifests) beneath it"
                    );
                    return 2;
                }
                Ok(found) => found,
                Err(e) => {
                    let _ = writeln!(err, "error: {shown}: {e}");
                    return 2;
                }
            }
        }
    };
    let mut suite = match Suite::load(options) {
        Ok(suite) => suite,
        Err(errors) => {
            for e in errors {
                let _ = writeln!(err, "error: {e}");
            }
            return 2;
        }
    };
    let coverage = options.coverage || options.coverage_min.is_some();
    if coverage {
        suite.enable_coverage();
    }
    let mut tally = Tally {
        out,
        passed: 0,
        failed: 0,
    };
    let tests = suite.tests.clone();
    for test in &tests {
        let (verdict, prints) = suite.run(test);
        // What the test printed helps only when it failed.
        let failure: Vec<String> = match verdict {
            Some(why) => std::iter::once(why).chain(prints).collect(),
            None => Vec::new(),
        };
        let name = format!("{}:{}: {}", test.file, test.line, test.name);
        tally.record(&name, &failure);
    }
    let packs: Vec<PathBuf> = options
        .packs
        .iter()
        .map(|p| normalize(&options.cwd.join(p)))
        .collect();
    for folder in &fixtures {
        let shown = display_path(folder, &options.cwd);
        let failure = run_fixture(folder, &shown, options, &packs);
        tally.record(&format!("{shown}: fixture"), &failure);
    }
    let (passed, failed) = (tally.passed, tally.failed);
    let mut below_minimum = false;
    if coverage {
        let files = match suite.coverage() {
            Ok(files) => files,
            Err(e) => {
                let _ = writeln!(err, "error: cannot compute coverage: {e}");
                return 2;
            }
        };
        let figures: Vec<String> = files
            .iter()
            .map(|f| format!("{}/{}", f.covered, f.total))
            .collect();
        let covered: usize = files.iter().map(|f| f.covered).sum();
        let total: usize = files.iter().map(|f| f.total).sum();
        let overall = percent(covered, total);
        let all = format!("{covered}/{total}");
        let width = files.iter().map(|f| f.file.len()).max().unwrap_or(0).max(5);
        let numbers = figures
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(0)
            .max(all.len());
        let _ = writeln!(
            out,
            "\ncoverage (lines evaluated by the Rego tests; test files not counted):"
        );
        for (f, figure) in files.iter().zip(&figures) {
            let share = percent(f.covered, f.total);
            let _ = writeln!(out, "{:width$} {figure:>numbers$} {share:5.1}%", f.file);
        }
        let _ = writeln!(out, "{:width$} {all:>numbers$} {overall:5.1}%", "total");
        if let Some(minimum) = options.coverage_min {
            if overall < minimum {
                below_minimum = true;
                let _ = writeln!(
                    out,
                    "coverage {overall:.1}% is below the minimum of {minimum}%"
                );
            }
        }
    }
    if passed + failed == 0 {
        let _ = writeln!(
            err,
            "error: no test found: a pack's tests are `test_*` rules in `*_test.rego` files (or fixtures with --fixtures)"
        );
        let _ = writeln!(out, "0 passed, 0 failed");
        return 1;
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    i32::from(failed > 0 || below_minimum)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin_options() -> TestOptions {
        TestOptions {
            packs: Vec::new(),
            coverage: true,
            coverage_min: None,
            fixtures: None,
            config: None,
            today: crate::units::parse_date("2026-11-23"),
            cwd: PathBuf::from("."),
        }
    }

    #[test]
    fn coverable_lines_are_the_lines_regorus_reports() {
        let mut suite = Suite::load(&builtin_options()).expect("the built-in pack loads");
        suite.enable_coverage();
        for test in suite.tests.clone() {
            assert_eq!(suite.run(&test).0, None, "{}", test.rule);
        }
        let report = suite.engine.get_coverage_report().expect("coverage report");
        assert!(!suite.policy_lines.is_empty());
        for (file, lines) in &suite.policy_lines {
            let reported = report
                .files
                .iter()
                .find(|f| &f.path == file)
                .unwrap_or_else(|| panic!("{file} is reached by the built-in tests"));
            let counted: BTreeSet<u32> = reported
                .covered
                .union(&reported.not_covered)
                .copied()
                .collect();
            assert_eq!(&counted, lines, "{file}");
        }
    }

    #[test]
    fn finds_tests_of_every_rule_form() {
        let source = "package t_test\n\ntest_a if {\n\ttrue\n}\n\ntest_b := true\n\ntest_c contains 1\n\ntest_a if false\n\ntest_f(x) := x\n\nhelper := 1\n";
        let mut engine = evaluate::engine();
        engine
            .add_policy("t_test.rego".into(), source.into())
            .expect("parses");
        let module = engine.get_modules()[0].clone();
        let tests = tests_of(&module, "t_test.rego").expect("tests");
        let found: Vec<(String, u32)> = tests.iter().map(|t| (t.name.clone(), t.line)).collect();
        assert_eq!(
            found,
            vec![
                ("test_a".to_string(), 3),
                ("test_b".to_string(), 7),
                ("test_c".to_string(), 9),
                ("test_a".to_string(), 11),
            ]
        );
        assert_eq!(tests[0].rule, "data.t_test.test_a");
    }

    #[test]
    fn rego_errors_lead_with_file_line_and_column() {
        let message = "\n--> p/x.rego:5:1\n  |\n5 | }\n  | ^\nerror: expecting expression";
        assert_eq!(
            rego_error(message),
            "p/x.rego:5:1: expecting expression\n      |\n    5 | }\n      | ^"
        );
        assert_eq!(rego_error("plain"), "plain");
    }

    #[test]
    fn fixture_folders_are_the_topmost_folders_with_manifests() {
        let dir = tempfile::tempdir().expect("tempdir");
        let touch = |relative: &str| {
            let path = dir.path().join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        };
        touch("a/fail/x.agent.yaml");
        touch("a/fail/nested/y.agent.yaml");
        touch("a/pass/agent.yml");
        touch("b/.agents/z.yaml");
        touch("c/.agentgate.yaml");
        touch("c/agents/w.agent.yaml");
        touch("d/notes.yaml");
        let found: Vec<String> = fixture_folders(dir.path())
            .unwrap()
            .iter()
            .map(|p| display_path(p, dir.path()))
            .collect();
        assert_eq!(found, vec!["a/fail", "a/pass", "b", "c"]);
    }
}
