//! Waivers in `.agentgate.yaml`: matching, expiry, what cannot be waived, and how waived
//! findings are reported in every machine format.

use std::path::Path;

use crate::common::*;

fn repo_with(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // One AG013 finding at /spec/permissions/1/approval, agent billing-reconciler.
    let manifest = crate_dir().join("testdata/rules/AG013/fail/no-approval.agent.yaml");
    // Its review is signed at test time (`signature: SIGN-AT-TEST-TIME`).
    std::fs::write(
        dir.path().join("billing.agent.yaml"),
        read_fixture(&manifest),
    )
    .unwrap();
    write(dir.path(), ".agentgate.yaml", config);
    // The fixture's review is signed by the test-only key; the repository trusts it.
    trust_test_key(dir.path());
    dir
}

fn waiver(extra: &str) -> String {
    format!(
        "version: 1\nwaivers:\n  - rule: AG013\n    reason: Reviewed weekly in bulk\n    approvedBy: ciso@example.com\n    expires: 2026-12-31\n{extra}"
    )
}

fn json(dir: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["check", "--format", "json", "--today", TODAY];
    args.extend_from_slice(extra);
    let run = agentgate(dir, &args);
    (run.code, run.json())
}

#[test]
fn a_matching_waiver_moves_the_finding_aside_without_failing_the_run() {
    for scope in [
        "",
        "    agent: billing-reconciler\n",
        "    path: /spec/permissions/1\n",
        "    path: /spec/permissions\n",
    ] {
        let dir = repo_with(&waiver(scope));
        let (code, json) = json(dir.path(), &[]);
        assert_eq!(code, 0, "{scope}: {json}");
        assert_eq!(
            json["findings"].as_array().map(Vec::len),
            Some(0),
            "{scope}"
        );
        assert_eq!(json["summary"]["waived"], 1);
        let waived = &json["waived"][0];
        assert_eq!(
            (waived["rule"].as_str(), waived["path"].as_str()),
            (Some("AG013"), Some("/spec/permissions/1/approval"))
        );
        assert_eq!(waived["waiver"]["approvedBy"], "ciso@example.com");
        assert_eq!(waived["waiver"]["expires"], "2026-12-31");
    }
}

#[test]
fn a_waiver_for_another_place_or_agent_does_not_apply_and_is_unused() {
    for scope in [
        "    agent: someone-else\n",
        "    path: /spec/permissions/0\n",
        "    path: /spec/permissions/1/app\n",
    ] {
        let dir = repo_with(&waiver(scope));
        let (code, json) = json(dir.path(), &[]);
        assert_eq!(code, 1, "{scope}");
        assert_eq!(
            findings(&json),
            vec![
                (
                    "AG013".into(),
                    "billing.agent.yaml".into(),
                    "/spec/permissions/1/approval".into()
                ),
                (
                    "AG091".into(),
                    ".agentgate.yaml".into(),
                    "/waivers/0".into()
                ),
            ],
            "{scope}"
        );
    }
}

#[test]
fn expiry_is_inclusive_and_an_expired_waiver_is_reported_once() {
    let dir = repo_with(&waiver(""));
    assert_eq!(json(dir.path(), &[]).0, 0);
    let run = agentgate(
        dir.path(),
        &["check", "--format", "json", "--today", "2027-01-01"],
    );
    let (code, json) = (run.code, run.json());
    assert_eq!(code, 1);
    let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
    assert!(
        rules.contains(&"AG090".to_string()) && !rules.contains(&"AG091".to_string()),
        "{rules:?}"
    );
    assert_eq!(json["summary"]["waived"], 0);
}

#[test]
fn partial_runs_do_not_report_unused_waivers() {
    let dir = repo_with(&waiver("    agent: someone-else\n"));
    write(
        dir.path(),
        "other.agent.yaml",
        read_fixture(
            &crate_dir()
                .join("testdata/rules/AG001/pass")
                .read_dir()
                .unwrap()
                .next()
                .unwrap()
                .unwrap()
                .path(),
        )
        // Another agent: a name shared with billing.agent.yaml would be reported with it (AG080).
        .replace("name: billing-reconciler", "name: other-agent"),
    );
    let (_, json) = json(dir.path(), &["billing.agent.yaml"]);
    let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(rules, vec!["AG013"]);
}

#[test]
fn what_cannot_be_waived_is_a_configuration_error() {
    for (config, needle) in [
        (
            waiver("").replace("rule: AG013", "rule: AG000"),
            "AG000 cannot be waived",
        ),
        (
            waiver("").replace("rule: AG013", "rule: AG091"),
            "AG091 cannot be waived",
        ),
        (
            waiver("").replace("rule: AG013", "rule: AG999"),
            "unknown rule id AG999",
        ),
        (
            waiver("").replace("    reason: Reviewed weekly in bulk\n", ""),
            "`reason` is missing",
        ),
        (waiver("").replace("2026-12-31", "soon"), "expires"),
    ] {
        let dir = repo_with(&config);
        let (code, json) = json(dir.path(), &[]);
        assert_eq!(code, 2, "{config}");
        let error = &json["errors"][0];
        assert_eq!(error["file"], ".agentgate.yaml");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{config}: {error}"
        );
    }
}

#[test]
fn waived_findings_are_sarif_suppressions_and_shown_to_humans() {
    let dir = repo_with(&waiver(""));
    let run = agentgate(
        dir.path(),
        &["check", "--format", "sarif", "--today", TODAY],
    );
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("testdata/schemas/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "AG013");
    assert_eq!(result["suppressions"][0]["kind"], "external");
    assert_eq!(result["suppressions"][0]["status"], "accepted");
    assert!(result["suppressions"][0]["justification"]
        .as_str()
        .unwrap()
        .contains("Reviewed weekly in bulk"));

    let human = agentgate(dir.path(), &["check", "--today", TODAY]).stdout;
    assert!(
        human.contains("waived (1): not counted against failOn"),
        "{human}"
    );
    assert!(
        human.contains("waived until 2026-12-31 by ciso@example.com: Reviewed weekly in bulk"),
        "{human}"
    );
    assert!(human.trim_end().ends_with("; 1 waived"), "{human}");
}
