//! Every rule has a failing and a passing fixture under testdata/rules/<ID>/; the failing one
//! declares its findings (`# expect: RULE at POINTER`) and has a snapshot of what users see,
//! beside it (testdata/rules/<ID>/<ID>.snap), so adding a rule touches no file under `tests/`.
//!
//! That each fixture's findings are exactly its `# expect:` lines, and that no fixture has errors,
//! is checked by the product itself: `agentgate test --fixtures` (src/packtest.rs). The tests
//! here check what that does not: every rule has both fixtures, the failing one finds its own
//! rule, the passing one finds nothing, the exit codes, and the human output.

use std::path::PathBuf;

use crate::common::*;

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

/// The fixtures are checked with `check`; the rules only `drift` and `owners --check` report
/// (rules-v1) are tested end to end in tests/it/drift.rs and tests/it/owners.rs instead.
#[test]
fn every_registered_rule_has_fixtures() {
    use agentgate::rule::Command;
    let registry = agentgate::registry::Registry::builtin().expect("built-in pack loads");
    for (id, rule) in &registry.rules {
        if Command::of(rule) != Command::Check {
            continue;
        }
        let dir = crate_dir().join("testdata/rules").join(id);
        assert!(
            dir.join("fail").is_dir() && dir.join("pass").is_dir(),
            "{id} needs testdata/rules/{id}/pass and fail"
        );
    }
}

/// `agentgate test --fixtures`: the findings of every fixture, failing and passing, are exactly
/// its `# expect:` lines (a passing fixture has none), and no fixture has errors. Every mismatch
/// is reported, not only the first.
#[test]
fn fixtures_produce_exactly_their_declared_findings() {
    let fixtures = RuleFixtures::new();
    let run = fixtures.test();
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("rules/") && l.contains(": fixture "))
        .collect();
    let wanted: Vec<String> = rule_ids()
        .iter()
        .flat_map(|id| [format!("rules/{id}/fail"), format!("rules/{id}/pass")])
        .collect();
    let found: Vec<&str> = lines
        .iter()
        .map(|l| l.split(": fixture ").next().unwrap_or_default())
        .collect();
    assert_eq!(
        found, wanted,
        "one fixture per fail and pass folder:\n{}",
        run.stdout
    );
    assert!(
        run.code == 0 && lines.iter().all(|l| l.ends_with(" PASS")),
        "findings differ from the fixtures' `# expect:` lines (exit {}):\n{}{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

#[test]
fn failing_fixtures_find_their_own_rule_and_exit_1_exactly_on_errors() {
    let fixtures = RuleFixtures::new();
    for id in rule_ids() {
        // Exactly the declared findings, and no errors: fixtures_produce_exactly_their_declared_findings.
        // So finding the rule itself means the fixture declares it.
        let run = fixtures.check(&format!("{id}/fail"), "json");
        let json = run.json();
        let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
        assert!(
            rules.contains(&id),
            "{id}: the failing fixture does not find {id}: {rules:?}"
        );
        let has_error = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["severity"] == "error");
        assert_eq!(
            run.code,
            i32::from(has_error),
            "{id}: exit 1 exactly when an error-severity finding is reported"
        );
    }
}

#[test]
fn passing_fixtures_are_clean() {
    let fixtures = RuleFixtures::new();
    for id in rule_ids() {
        let run = fixtures.check(&format!("{id}/pass"), "json");
        let json = run.json();
        assert_eq!(
            findings(&json),
            vec![],
            "{id}: the passing fixture has findings"
        );
        assert_eq!(
            json["errors"].as_array().map(Vec::len),
            Some(0),
            "{id}: {}",
            json["errors"]
        );
        assert_eq!(run.code, 0, "{id}");
    }
}

/// The human output of each failing fixture, snapshotted beside it
/// (`testdata/rules/<ID>/<ID>.snap`); `insta::glob!` reports every mismatch, not only the first.
#[test]
fn human_diagnostics_of_failing_fixtures() {
    let fixtures = RuleFixtures::new();
    insta::glob!("../../testdata/rules", "*/fail", |fail| {
        let dir: PathBuf = fail.parent().expect("testdata/rules/<ID>").to_path_buf();
        let id = dir
            .file_name()
            .expect("<ID>")
            .to_string_lossy()
            .into_owned();
        let run = fixtures.check(&format!("{id}/fail"), "human");
        let mut settings = insta::Settings::clone_current();
        settings.remove_snapshot_suffix();
        settings.set_snapshot_path(&dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.bind(|| insta::assert_snapshot!(id, run.stdout));
    });
}
