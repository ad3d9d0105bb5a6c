//! `check` evaluates on regorus's bytecode VM (rvm), from agentgate's patched copy
//! (vendor/regorus): the differential tests here run the interpreter (the reference,
//! `AGENTGATE_ENGINE=interpreter`) and the rvm on every rule fixture, the examples, generated
//! manifests and mutated inputs, and fail on any difference. The fail-closed tests are the
//! attacks upstream's rvm lets through: each passes an upstream build by producing no finding
//! where it must produce one, or no error where it must stop.

use std::collections::BTreeSet;
use std::path::Path;

use agentgate::evaluate::{to_rego, EngineChoice, Evaluator, PolicyError, RawFinding};
use agentgate::pack_source::PackSource;
use agentgate::registry::Registry;
use serde_json::{json, Map, Value};

use crate::common::*;

#[path = "../../benches/corpus/mod.rs"]
#[allow(dead_code)]
mod corpus;

fn interpreter(dir: &Path, args: &[&str]) -> Run {
    agentgate_with_env(dir, args, &[("AGENTGATE_ENGINE", Path::new("interpreter"))])
}

fn rule_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(crate_dir().join("testdata/rules"))
        .expect("testdata/rules exists")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids
}

/// Both engines' whole output (every format field, in order) and exit code.
fn assert_same(what: &str, rvm: &Run, reference: &Run) {
    assert_eq!(
        (rvm.code, &rvm.stdout),
        (reference.code, &reference.stdout),
        "{what}: the rvm (left) and the interpreter (right) differ\n{}\n{}",
        rvm.stderr,
        reference.stderr
    );
}

#[test]
fn every_rule_fixture_is_judged_alike_by_both_engines() {
    let fixtures = RuleFixtures::new();
    for id in rule_ids() {
        for side in ["fail", "pass"] {
            let fixture = format!("{id}/{side}");
            let rvm = fixtures.check(&fixture, "json");
            let dir = fixtures.rules().join(&fixture);
            let reference =
                interpreter(&dir, &["check", ".", "--format", "json", "--today", TODAY]);
            assert_same(&fixture, &rvm, &reference);
        }
    }
    // `agentgate test --fixtures` runs on the engine `check` runs on: both agree there too.
    let config = fixtures.config().display().to_string();
    let args = [
        "test",
        "--fixtures",
        "rules",
        "--config",
        &config,
        "--today",
        TODAY,
    ];
    let rvm = agentgate(fixtures.dir.path(), &args);
    let reference = interpreter(fixtures.dir.path(), &args);
    assert_same("agentgate test --fixtures", &rvm, &reference);
}

#[test]
fn the_examples_are_judged_alike_by_both_engines() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_fixture(&crate_dir().join("examples"), dir.path());
    for format in ["json", "sarif"] {
        let args = ["check", ".", "--format", format, "--today", TODAY];
        assert_same(
            &format!("examples, {format}"),
            &agentgate(dir.path(), &args),
            &interpreter(dir.path(), &args),
        );
    }
    // The example pack's fixtures break its rule on purpose.
    let fixtures = dir.path().join("packs/acme/fixtures");
    for side in ["fail", "pass"] {
        let args = [
            "check", ".", "--pack", "../..", "--format", "json", "--today", TODAY,
        ];
        let at = fixtures.join(side);
        assert_same(
            &format!("example pack, {side}"),
            &agentgate(&at, &args),
            &interpreter(&at, &args),
        );
    }
}

#[test]
fn generated_manifests_are_judged_alike_by_both_engines() {
    let dir = tempfile::tempdir().expect("tempdir");
    corpus::generate(dir.path(), 1_500);
    let args = ["check", ".", "--format", "json", "--today", TODAY];
    let rvm = agentgate(dir.path(), &args);
    let reference = interpreter(dir.path(), &args);
    assert!(
        !findings(&rvm.json()).is_empty(),
        "the corpus has findings to agree on"
    );
    assert_same("1,500 generated manifests", &rvm, &reference);
}

/// `data.agentgate` for `manifests`, as `check` builds it (facts without review verdicts).
fn data_for(manifests: &[Value]) -> Value {
    let mut facts = Map::new();
    let mut inventory = Map::new();
    for m in manifests {
        let Some(name) = m.pointer("/metadata/name").and_then(Value::as_str) else {
            continue;
        };
        let own = agentgate::facts::manifest_facts(m, "a.agent.yaml", today());
        facts.insert(name.to_string(), Value::Object(own));
        inventory.insert(name.to_string(), m.clone());
    }
    let config = agentgate::config::Config::defaults(".".into());
    let settings = agentgate::check::settings_data(&config, today(), None);
    json!({"agentgate": {"settings": settings, "inventory": inventory, "duplicates": [], "facts": facts}})
}

/// Every place in `value`, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(fields) => {
            for (k, v) in fields {
                let next = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(next.clone());
                pointers(v, next, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let next = format!("{at}/{i}");
                out.push(next.clone());
                pointers(v, next, out);
            }
        }
        _ => {}
    }
}

/// `value` with the place at `pointer` replaced by `with` (removed when `None`).
fn mutated(value: &Value, pointer: &str, with: Option<&Value>) -> Value {
    let mut copy = value.clone();
    let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let key = last.replace("~1", "/").replace("~0", "~");
    match copy.pointer_mut(parent) {
        Some(Value::Object(fields)) => match with {
            Some(v) => {
                fields.insert(key, v.clone());
            }
            None => {
                fields.remove(&key);
            }
        },
        Some(Value::Array(items)) => {
            if let Ok(i) = key.parse::<usize>() {
                match with {
                    Some(v) if i < items.len() => items[i] = v.clone(),
                    None if i < items.len() => {
                        items.remove(i);
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    copy
}

/// The manifests of every rule fixture, as parsed by `check`.
fn fixture_manifests() -> Vec<Value> {
    let mut manifests = Vec::new();
    for id in rule_ids() {
        for side in ["fail", "pass"] {
            for file in walk(&crate_dir().join("testdata/rules").join(&id).join(side)) {
                let name = file.to_string_lossy();
                if !(name.ends_with(".yaml") || name.ends_with(".yml"))
                    || name.ends_with(".agentgate.yaml")
                {
                    continue;
                }
                let text = read_fixture(&file);
                let source =
                    agentgate::source::SourceFile::new(file.clone(), name.to_string(), text);
                if let Ok(documents) = agentgate::yaml::parse(&source, Default::default()) {
                    manifests.extend(documents.into_iter().map(|d| d.value));
                }
            }
        }
    }
    manifests
}

type Outcome = Result<Vec<RawFinding>, (String, usize, String)>;

fn outcomes(evaluator: &Evaluator, inputs: &[regorus::Value]) -> Vec<Outcome> {
    evaluator
        .evaluate_all(inputs)
        .into_iter()
        .map(|r| r.map_err(|e: PolicyError| (e.file, e.line, e.message)))
        .collect()
}

/// Mutated fixture manifests (every place removed, or made null, a number, a string, a list, an
/// object, a boolean...) through both engines, with the built-in pack and the example pack.
#[test]
fn mutated_inputs_are_judged_alike_by_both_engines() {
    let manifests = fixture_manifests();
    assert!(
        manifests.len() > 50,
        "{} fixture manifests",
        manifests.len()
    );
    let replacements: Vec<Option<Value>> = vec![
        None,
        Some(Value::Null),
        Some(json!(5)),
        Some(json!(-1.5)),
        Some(json!("x")),
        Some(json!("")),
        Some(json!([])),
        Some(json!({})),
        Some(json!(true)),
        Some(json!([5, "*"])),
        Some(json!({"a": 5})),
        Some(json!("2026-11-23")),
        Some(json!("*")),
    ];
    let mut inputs = Vec::new();
    let mut seen = BTreeSet::new();
    for (m, manifest) in manifests.iter().enumerate() {
        let mut places = Vec::new();
        pointers(manifest, String::new(), &mut places);
        for (p, place) in places.iter().enumerate() {
            // Every place of every manifest, with a few of the replacements each (rotating, so
            // that each replacement meets every kind of place across the fixtures).
            for r in 0..3 {
                let with = &replacements[(m + p * 3 + r) % replacements.len()];
                let input = mutated(manifest, place, with.as_ref());
                if seen.insert(input.to_string()) {
                    inputs.push(input);
                }
            }
        }
    }
    assert!(inputs.len() > 3_000, "{} mutated inputs", inputs.len());
    let data = data_for(&manifests);
    let rego_inputs: Vec<regorus::Value> = inputs.iter().map(to_rego).collect();
    let example_pack = PackSource::Dir(crate_dir().join("examples/packs/acme"));
    for registry in [
        Registry::builtin().expect("the built-in pack loads"),
        Registry::load(&[example_pack]).expect("the example pack loads"),
    ] {
        let (rvm, _) =
            Evaluator::with_engine(&registry, data.clone(), &json!({}), EngineChoice::Auto)
                .expect("the pack loads on the rvm");
        assert!(rvm.uses_rvm(), "the patched rvm evaluates the pack");
        let (reference, _) = Evaluator::with_engine(
            &registry,
            data.clone(),
            &json!({}),
            EngineChoice::Interpreter,
        )
        .expect("the pack loads on the interpreter");
        assert!(!reference.uses_rvm());
        let left = outcomes(&rvm, &rego_inputs);
        let right = outcomes(&reference, &rego_inputs);
        let differences: Vec<String> = left
            .iter()
            .zip(&right)
            .zip(&inputs)
            .filter(|((l, r), _)| l != r)
            .take(5)
            .map(|((l, r), input)| format!("input {input}\n  rvm: {l:?}\n  interpreter: {r:?}"))
            .collect();
        assert!(
            differences.is_empty(),
            "{} of {} inputs differ; the first:\n{}",
            left.iter().zip(&right).filter(|(l, r)| l != r).count(),
            inputs.len(),
            differences.join("\n")
        );
        // Not vacuous: the mutations reach findings and errors.
        assert!(left.iter().any(|o| matches!(o, Ok(f) if !f.is_empty())));
    }
}

const META: &str = "# METADATA\n# custom:\n#   id: ACME900\n#   slug: engine-probe\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.acme.engine_probe\n\nimport rego.v1\n\n";

/// A repository of one compliant manifest and a pack of one rule, `body`.
fn probe(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "agents/billing.agent.yaml",
        compliant_manifest("billing-reconciler", today()),
    );
    write(dir.path(), "pack/probe.rego", format!("{META}{body}\n"));
    trust_test_key(dir.path());
    dir
}

fn check_with_pack(dir: &Path) -> Run {
    check(dir, &["--pack", "pack"])
}

/// Upstream's rvm lets `x := <undefined>` through: `allowed` became true with nothing to
/// assign, and `deny if not allowed` found nothing.
#[test]
fn an_undefined_assignment_fails_the_rule_body_on_the_rvm() {
    let dir = probe(
        "allowed if {\n\tx := input.spec.no_such_field\n}\n\ndeny contains {\"msg\": \"not allowed\", \"path\": \"\"} if not allowed",
    );
    for run in [
        check_with_pack(dir.path()),
        interpreter(
            dir.path(),
            &[
                "check", "--format", "json", "--today", TODAY, "--pack", "pack",
            ],
        ),
    ] {
        let rules: Vec<String> = findings(&run.json())
            .into_iter()
            .map(|(r, _, _)| r)
            .collect();
        assert_eq!(
            (run.code, rules),
            (1, vec!["ACME900".to_string()]),
            "{}",
            run.stderr
        );
    }
}

/// Upstream's rvm turned a builtin's runtime error inside a rule into "no finding".
#[test]
fn a_builtin_error_in_a_rule_stops_check_on_the_rvm() {
    for body in [
        "deny contains {\"msg\": sprintf(\"%d\", [count(input.metadata.name) / 0]), \"path\": \"\"} if true",
        "deny contains {\"msg\": \"m\", \"path\": \"\"} if count(5) > 0",
        "deny contains {\"msg\": \"m\", \"path\": \"\"} if regex.match(\"(\", input.metadata.name)",
        // Iterating a scalar with `some .. in`: an error on the interpreter, and on the patched
        // rvm (upstream's iterated nothing).
        "deny contains {\"msg\": \"m\", \"path\": \"\"} if {\n\tsome x in input.metadata.name\n\tx == \"b\"\n}",
    ] {
        let dir = probe(body);
        for run in [check_with_pack(dir.path()), interpreter(dir.path(), &["check", "--format", "json", "--today", TODAY, "--pack", "pack"])] {
            assert_eq!(run.code, 2, "{body}\n{}{}", run.stdout, run.stderr);
            let problems = run.json()["errors"].to_string();
            assert!(
                problems.contains("probe.rego") && problems.contains("policy error"),
                "the error names the rule file: {problems}"
            );
        }
    }
}

/// A pack the rvm cannot compile is evaluated by the interpreter, with a note; the result is
/// the interpreter's.
#[test]
fn a_package_the_rvm_cannot_compile_falls_back_to_the_interpreter() {
    // `with` is not supported by the rvm compiler.
    let dir = probe(
        "flag(x) := x.metadata.name\n\ndeny contains {\"msg\": \"probed\", \"path\": \"\"} if {\n\tflag(input) == \"other\" with input.metadata.name as \"other\"\n}",
    );
    let run = agentgate(dir.path(), &["check", "--today", TODAY, "--pack", "pack"]);
    let reference = interpreter(dir.path(), &["check", "--today", TODAY, "--pack", "pack"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ACME900"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("pack/probe.rego: evaluated by regorus's interpreter"),
        "{}",
        run.stdout
    );
    assert!(!reference
        .stdout
        .contains("evaluated by regorus's interpreter"));
}

#[test]
fn an_unknown_engine_is_refused() {
    let dir = probe("deny contains {\"msg\": \"m\", \"path\": \"\"} if false");
    let run = agentgate_with_env(
        dir.path(),
        &["check", "--today", TODAY],
        &[("AGENTGATE_ENGINE", Path::new("fast"))],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        format!("{}{}", run.stdout, run.stderr).contains("AGENTGATE_ENGINE"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}
