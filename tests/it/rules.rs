//! Every rule has a failing and a passing fixture under testdata/rules/<ID>/; the failing one
//! declares its findings (`# expect: RULE at POINTER`) and has a snapshot of what users see.

use std::path::Path;

use crate::common::*;

/// Runs `agentgate check` on a copy of a fixture. Fixture reviews are signed with the test-only
/// key (testdata/keys); a fixture without a configuration of its own runs with that key trusted,
/// as `testdata/keys/allowed_signers` says. A fixture with a configuration is self-contained.
fn run_fixture(dir: &Path, format: &str) -> Run {
    let work = tempfile::tempdir().expect("tempdir");
    copy_dir(dir, work.path());
    if !work.path().join(".agentgate.yaml").exists() {
        std::fs::copy(
            crate_dir().join("testdata/keys/allowed_signers"),
            work.path().join("allowed_signers"),
        )
        .expect("copy allowed_signers");
        write(
            work.path(),
            ".agentgate.yaml",
            "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
        );
    }
    let mut args = vec!["check", ".", "--format", format, "--today", TODAY];
    if work.path().join(".agentgate.yaml").exists() {
        args.extend(["--config", ".agentgate.yaml"]);
    }
    agentgate(work.path(), &args)
}

fn rule_dirs() -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(crate_dir().join("testdata/rules"))
        .expect("testdata/rules exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_registered_rule_has_fixtures() {
    let registry = agentgate::pack::Registry::builtin().expect("built-in pack loads");
    for id in registry.rules.keys() {
        let dir = crate_dir().join("testdata/rules").join(id);
        assert!(
            dir.join("fail").is_dir() && dir.join("pass").is_dir(),
            "{id} needs testdata/rules/{id}/pass and fail"
        );
    }
}

#[test]
fn failing_fixtures_produce_exactly_their_declared_findings() {
    let mut mismatches: Vec<String> = Vec::new();
    for dir in rule_dirs() {
        let id = dir.file_name().unwrap().to_string_lossy().to_string();
        let fail = dir.join("fail");
        let expected = expectations(&fail);
        assert!(
            !expected.is_empty(),
            "{id}: the failing fixture declares no `# expect:` line"
        );
        assert!(
            expected.iter().any(|(rule, _, _)| *rule == id),
            "{id}: the failing fixture does not expect {id}"
        );
        let run = run_fixture(&fail, "json");
        let json = run.json();
        assert_eq!(
            json["errors"].as_array().map(Vec::len),
            Some(0),
            "{id}: unexpected errors: {}",
            json["errors"]
        );
        if findings(&json) != expected {
            mismatches.push(format!(
                "{id}:\n  found    {:?}\n  expected {expected:?}",
                findings(&json)
            ));
            continue;
        }
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
    assert!(
        mismatches.is_empty(),
        "findings differ from the fixtures' `# expect:` lines:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn passing_fixtures_are_clean() {
    for dir in rule_dirs() {
        let id = dir.file_name().unwrap().to_string_lossy().to_string();
        let run = run_fixture(&dir.join("pass"), "json");
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

#[test]
fn human_diagnostics_of_failing_fixtures() {
    for dir in rule_dirs() {
        let id = dir.file_name().unwrap().to_string_lossy().to_string();
        let run = run_fixture(&dir.join("fail"), "human");
        insta::assert_snapshot!(id, run.stdout);
    }
}
