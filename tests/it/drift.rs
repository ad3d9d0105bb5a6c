//! `agentgate drift`: generated JSON Lines (an unused grant, an undeclared action allowed and
//! denied, a burst over maxActionsPerHour, an unknown identity), gzip, the CloudTrail and Okta
//! samples of testdata/drift (written from their documentation's examples), the attacks a
//! manifest author could try (a prefix without a path boundary, a decoy claiming another
//! agent's identity), and that `check` never reports the drift rules.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::common::{agentgate, crate_dir, findings, git_commit_all, write, TODAY};

const INVOICE: &str = r#"apiVersion: agentgate/v1
kind: Agent
metadata:
  name: invoice-agent
  description: Reads invoices
spec:
  purpose: test
  owner: {name: Jane Doe, email: jane@example.com}
  lifecycle: {status: active, expires: 2027-03-01}
  identity: {type: workload, id: "spiffe://example.org/invoice-agent"}
  permissions:
    - {resource: "db://prod", actions: [read], justification: reads rows}
    - {resource: "s3://invoices", actions: [read, delete], justification: x, approval: human}
  credentials: []
  baseline:
    maxActionsPerHour: 5
    systems: ["db://prod", "s3://invoices"]
"#;

fn event(time: &str, agent: &str, resource: &str, action: &str, outcome: &str) -> String {
    format!(
        "{{\"time\": \"{time}\", \"agent\": \"{agent}\", \"resource\": \"{resource}\", \"action\": \"{action}\", \"outcome\": \"{outcome}\", \"extra\": {{\"ignored\": true}}}}\n"
    )
}

/// The generated log: every case once. Returns the text and the line of the unknown identity.
fn generated_log() -> (String, usize) {
    let id = "spiffe://example.org/invoice-agent";
    let mut log = String::new();
    // Read under the db://prod grant, by name and by identity id.
    log += &event(
        "2026-11-02T10:00:00Z",
        "invoice-agent",
        "db://prod/users",
        "read",
        "allowed",
    );
    log += &event("2026-11-03T10:00:00Z", id, "db://prod", "read", "allowed");
    // A prefix without a path boundary: db://prod must not cover db://production.
    log += &event(
        "2026-11-04T10:00:00Z",
        id,
        "db://production",
        "read",
        "allowed",
    );
    // An undeclared action, denied: an attempt still counts.
    log += &event(
        "2026-11-05T10:00:00Z",
        id,
        "db://prod/users",
        "write",
        "denied",
    );
    // The action compared case-insensitively: READ is the declared read.
    log += &event(
        "2026-11-06T10:00:00Z",
        id,
        "s3://invoices/2026/a.pdf",
        "READ",
        "allowed",
    );
    log += "\n"; // a blank line is no event
                 // A burst: six events in the UTC hour from 03:00 (maxActionsPerHour 5).
    for minute in 0..6 {
        log += &event(
            &format!("2026-11-10T03:{:02}:00Z", minute * 9),
            id,
            "db://prod/orders",
            "read",
            "allowed",
        );
    }
    // Outside the window (the 30 days before 2026-11-23): not counted, not even delete.
    log += &event(
        "2026-09-01T00:00:00Z",
        id,
        "s3://invoices/x",
        "delete",
        "allowed",
    );
    let ghost_line = log.lines().count() + 1;
    log += &event(
        "2026-11-07T10:00:00Z",
        "spiffe://example.org/ghost",
        "db://prod",
        "read",
        "allowed",
    );
    log += &event(
        "2026-11-08T10:00:00Z",
        "spiffe://example.org/ghost",
        "db://prod",
        "read",
        "denied",
    );
    (log, ghost_line)
}

fn repository() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "agents/invoice.agent.yaml", INVOICE);
    write(tmp.path(), ".agentgate.yaml", "version: 1\n");
    git_commit_all(tmp.path(), "init");
    tmp
}

fn drift(dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["drift", "--today", TODAY];
    all.extend_from_slice(args);
    agentgate(dir, &all)
}

fn messages(json: &Value, rule: &str) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn generated_jsonl_finds_each_kind_of_drift() {
    let tmp = repository();
    let (log, ghost_line) = generated_log();
    write(tmp.path(), "logs/audit.jsonl", &log);
    let run = drift(
        tmp.path(),
        &["--logs", "logs/audit.jsonl", "--format", "json"],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let manifest = "agents/invoice.agent.yaml".to_string();
    assert_eq!(
        findings(&json),
        vec![
            (
                "AG110".into(),
                manifest.clone(),
                "/spec/permissions/1".into()
            ),
            ("AG111".into(), manifest.clone(), "/spec/permissions".into()),
            ("AG111".into(), manifest.clone(), "/spec/permissions".into()),
            (
                "AG112".into(),
                manifest.clone(),
                "/spec/baseline/maxActionsPerHour".into()
            ),
            (
                "AG112".into(),
                manifest.clone(),
                "/spec/baseline/systems".into()
            ),
            ("AG113".into(), "logs/audit.jsonl".into(), "".into()),
        ],
        "{json:#}"
    );
    let unused = messages(&json, "AG110");
    assert!(
        unused[0].contains("\"delete\" on \"s3://invoices\""),
        "{unused:?}"
    );
    let undeclared = messages(&json, "AG111");
    assert!(
        undeclared
            .iter()
            .any(|m| m.contains("\"read\" on \"db://production\"")
                && m.contains("1 allowed, 0 denied, first 2026-11-04T10:00:00Z")),
        "{undeclared:?}"
    );
    assert!(
        undeclared
            .iter()
            .any(|m| m.contains("\"write\" on \"db://prod/users\"")
                && m.contains("0 allowed, 1 denied")),
        "a denied attempt is still AG111: {undeclared:?}"
    );
    let baseline = messages(&json, "AG112");
    assert!(
        baseline
            .iter()
            .any(|m| m.contains("6 events in the UTC hour from 2026-11-10T03:00:00Z")),
        "{baseline:?}"
    );
    assert!(
        baseline.iter().any(|m| m.contains("db://production")),
        "{baseline:?}"
    );
    let ghost = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG113")
        .unwrap();
    assert_eq!(ghost["line"], ghost_line, "AG113 at the first event's line");
    assert!(ghost["message"]
        .as_str()
        .unwrap()
        .contains("\"spiffe://example.org/ghost\", which no manifest declares (as metadata.name or identity.id): 1 allowed, 1 denied, first 2026-11-07T10:00:00Z, last 2026-11-08T10:00:00Z"));
    // Only drift's rules: the manifest's review (AG040) and others are `check`'s.
    assert!(findings(&json)
        .iter()
        .all(|(rule, _, _)| rule.starts_with("AG11")));

    // The human output shows the log line of AG113 and the window.
    let human = drift(tmp.path(), &["--logs", "logs/audit.jsonl"]);
    assert!(
        human
            .stdout
            .contains(&format!("logs/audit.jsonl:{ghost_line}:1")),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("drift window 2026-10-24 to 2026-11-22"),
        "{}",
        human.stdout
    );

    // SARIF of the same run parses and points AG113 at the log line.
    let sarif = drift(
        tmp.path(),
        &["--logs", "logs/audit.jsonl", "--format", "sarif"],
    );
    let sarif: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let ag113 = results.iter().find(|r| r["ruleId"] == "AG113").unwrap();
    assert_eq!(
        ag113["locations"][0]["physicalLocation"]["region"]["startLine"],
        ghost_line
    );

    // `check` never reports the drift rules.
    let check = agentgate(
        tmp.path(),
        &["check", "--today", TODAY, "--format", "json", "--no-fail"],
    );
    assert!(
        findings(&check.json())
            .iter()
            .all(|(rule, _, _)| !rule.starts_with("AG11")),
        "{}",
        check.stdout
    );
}

#[test]
fn a_wider_window_counts_the_old_delete_and_gzip_reads_the_same() {
    let tmp = repository();
    let (log, _) = generated_log();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.as_bytes()).unwrap();
    write(tmp.path(), "logs/audit.jsonl.gz", gz.finish().unwrap());
    let run = drift(
        tmp.path(),
        &[
            "--logs",
            "logs/audit.jsonl.gz",
            "--since",
            "2026-08-01",
            "--format",
            "json",
        ],
    );
    let json = run.json();
    let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
    assert!(
        !rules.contains(&"AG110".to_string()),
        "the delete of 2026-09-01 is in the window: {rules:?}"
    );
    assert_eq!(rules.iter().filter(|r| *r == "AG111").count(), 2);
}

#[test]
fn waivers_and_severities_apply_and_check_does_not_judge_drift_waivers() {
    let tmp = repository();
    let (log, _) = generated_log();
    write(tmp.path(), "logs/audit.jsonl", &log);
    write(
        tmp.path(),
        ".agentgate.yaml",
        "version: 1\nrules:\n  AG113: {severity: warning}\n  AG112: {enabled: false}\nwaivers:\n  - rule: AG111\n    agent: invoice-agent\n    reason: Investigating, ticket SEC-9\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    git_commit_all(tmp.path(), "config");
    let run = drift(
        tmp.path(),
        &["--logs", "logs/audit.jsonl", "--format", "json"],
    );
    let json = run.json();
    let rules: Vec<String> = findings(&json).into_iter().map(|(r, _, _)| r).collect();
    assert_eq!(rules, ["AG110", "AG113"], "{json:#}");
    assert_eq!(json["waived"].as_array().unwrap().len(), 2);
    assert_eq!(run.code, 0, "only warnings are left");

    let check = agentgate(
        tmp.path(),
        &["check", "--today", TODAY, "--format", "json", "--no-fail"],
    );
    let rules: Vec<String> = findings(&check.json())
        .into_iter()
        .map(|(r, _, _)| r)
        .collect();
    assert!(
        !rules.contains(&"AG091".to_string()),
        "check must not call a drift waiver unused: {rules:?}"
    );
}

#[test]
fn a_decoy_claiming_another_agents_identity_takes_nothing_away() {
    let tmp = repository();
    // The decoy claims invoice-agent's identity and grants itself everything the agent did.
    let decoy = INVOICE
        .replace("name: invoice-agent", "name: decoy")
        .replace(
            "actions: [read], justification: reads rows",
            "actions: [read, write], justification: reads rows",
        );
    write(tmp.path(), "agents/decoy.agent.yaml", decoy);
    let (log, _) = generated_log();
    write(tmp.path(), "logs/audit.jsonl", &log);
    let run = drift(
        tmp.path(),
        &["--logs", "logs/audit.jsonl", "--format", "json"],
    );
    let json = run.json();
    let invoice: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["agent"] == "invoice-agent" && f["rule"] == "AG111")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        invoice
            .iter()
            .any(|m| m.contains("\"write\" on \"db://prod/users\"")),
        "the real agent is still judged on its events: {invoice:?}"
    );
}

#[test]
fn a_bad_line_is_an_error_naming_file_and_line() {
    let tmp = repository();
    let (log, _) = generated_log();
    let mut lines: Vec<&str> = log.lines().collect();
    lines[2] = "{\"time\": \"2026-11-04\", \"agent\": \"x\", \"resource\": \"y\", \"action\": \"z\", \"outcome\": \"allowed\"}";
    write(tmp.path(), "logs/bad.jsonl", lines.join("\n"));
    let run = drift(
        tmp.path(),
        &["--logs", "logs/bad.jsonl", "--format", "json"],
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    let errors = &run.json()["errors"];
    assert_eq!(errors[0]["file"], "logs/bad.jsonl");
    assert_eq!(errors[0]["line"], 3);
    assert!(errors[0]["message"].as_str().unwrap().contains("RFC 3339"));

    write(
        tmp.path(),
        "logs/missing-field.jsonl",
        "{\"time\": \"2026-11-04T00:00:00Z\", \"agent\": \"x\"}\n",
    );
    let run = drift(tmp.path(), &["--logs", "logs/missing-field.jsonl"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout
            .contains("logs/missing-field.jsonl: line 1: expected a JSON Lines event"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("AG110"),
        "no finding is made of logs read in part: {}",
        run.stdout
    );

    // A line too long to be an event is refused, not held in memory whole.
    let (log, _) = generated_log();
    let long = format!("{log}{{\"time\": \"{}\"}}\n", "x".repeat(1_100_000));
    write(tmp.path(), "logs/long.jsonl", long);
    let run = drift(
        tmp.path(),
        &["--logs", "logs/long.jsonl", "--format", "json"],
    );
    assert_eq!(run.code, 2);
    let errors = &run.json()["errors"];
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("longer than 1 MiB"),
        "{errors}"
    );
    assert_eq!(errors[0]["line"], log.lines().count() + 1);

    let run = drift(tmp.path(), &["--logs", "logs/none.jsonl"]);
    assert_eq!(run.code, 2, "a missing log is an error");
}

#[test]
fn cloudtrail_sample_maps_arns_and_error_codes() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "agents/invoice.agent.yaml",
        INVOICE
            .replace(
                "spiffe://example.org/invoice-agent",
                "arn:aws:sts::123456789012:assumed-role/invoice-agent/invoice-session",
            )
            .replace("s3://invoices", "s3://amzn-s3-demo-bucket")
            .replace("maxActionsPerHour: 5", "maxActionsPerHour: 50"),
    );
    write(
        tmp.path(),
        ".agentgate.yaml",
        "version: 1\ndrift:\n  resources:\n    - {match: \"arn:aws:s3:::amzn-s3-demo-bucket*\", resource: \"s3://amzn-s3-demo-bucket\"}\n",
    );
    git_commit_all(tmp.path(), "init");
    std::fs::copy(
        crate_dir().join("testdata/drift/cloudtrail.json"),
        tmp.path().join("cloudtrail.json"),
    )
    .unwrap();
    let run = drift(
        tmp.path(),
        &[
            "--logs",
            "cloudtrail.json",
            "--since",
            "2023-07-01",
            "--until",
            "2023-07-31",
            "--format",
            "json",
        ],
    );
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]), "{json:#}");
    // GetObject is no declared action (the manifest says read): undeclared; DeleteObject was
    // denied (errorCode) and is undeclared too; Mateo is no agent of this repository (AG113,
    // at the line of his record); db://prod read was never used (AG110).
    let undeclared = messages(&json, "AG111");
    assert!(
        undeclared.iter().any(
            |m| m.contains("\"getobject\" on \"s3://amzn-s3-demo-bucket\"")
                && m.contains("1 allowed")
        ),
        "{undeclared:?}"
    );
    assert!(
        undeclared
            .iter()
            .any(|m| m.contains("\"deleteobject\"") && m.contains("0 allowed, 1 denied")),
        "{undeclared:?}"
    );
    let ghost = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG113")
        .expect("AG113 for Mateo");
    assert_eq!(ghost["line"], 2, "the line where Mateo's record starts");
    assert!(ghost["message"]
        .as_str()
        .unwrap()
        .contains("arn:aws:iam::123456789012:user/Mateo"));
    let unused = messages(&json, "AG110");
    assert!(unused.iter().any(|m| m.contains("db://prod")), "{unused:?}");
    // Without the mapping, the resource is aws://s3/ARN, which the manifest's grant does not cover.
    write(tmp.path(), ".agentgate.yaml", "version: 1\n");
    let run = drift(
        tmp.path(),
        &[
            "--logs",
            "cloudtrail.json",
            "--since",
            "2023-07-01",
            "--until",
            "2023-07-31",
            "--format",
            "json",
        ],
    );
    let undeclared = messages(&run.json(), "AG111");
    assert!(
        undeclared
            .iter()
            .any(|m| m.contains("aws://s3/arn:aws:s3:::amzn-s3-demo-bucket/invoices/2023/07.pdf")),
        "{undeclared:?}"
    );
}

#[test]
fn okta_sample_reads_actors_targets_and_outcomes() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "agents/provisioner.agent.yaml",
        INVOICE
            .replace("name: invoice-agent", "name: provisioning-agent")
            .replace("spiffe://example.org/invoice-agent", "0oabcdefgh1234567890")
            .replace("db://prod", "okta://UserGroup/Engineering"),
    );
    write(tmp.path(), ".agentgate.yaml", "version: 1\n");
    git_commit_all(tmp.path(), "init");
    std::fs::copy(
        crate_dir().join("testdata/drift/okta.json"),
        tmp.path().join("okta.json"),
    )
    .unwrap();
    let run = drift(
        tmp.path(),
        &[
            "--logs",
            "okta.json",
            "--since",
            "2017-09-01",
            "--until",
            "2017-09-30",
            "--format",
            "json",
        ],
    );
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]), "{json:#}");
    let undeclared = messages(&json, "AG111");
    assert!(
        undeclared.iter().any(|m| m
            .contains("\"group.user_membership.add\" on \"okta://UserGroup/Finance admins\"")
            && m.contains("0 allowed, 1 denied")),
        "{undeclared:?}"
    );
    let ghost = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG113")
        .expect("AG113 for the admin");
    assert!(ghost["message"]
        .as_str()
        .unwrap()
        .contains("admin@tc1-trexcloud.com"));
    assert_eq!(ghost["line"], 2);
}

#[test]
fn a_pack_writes_its_own_drift_rule_against_the_facts() {
    let tmp = repository();
    write(
        tmp.path(),
        "policies/acme/busy.rego",
        r#"# METADATA
# title: Busy agent
# custom:
#   id: ACME110
#   slug: busy-agent
#   family: drift
#   severity: error
#   summary: More than ten events in the window
#   fix: Look at what it does.
package agentgate.rules.acme.busy

import rego.v1

import data.agentgate.lib.drift

deny contains {"msg": sprintf("%d events", [drift.observed.events]), "path": "/spec"} if {
	drift.observed.events > 10
}
"#,
    );
    write(
        tmp.path(),
        ".agentgate.yaml",
        "version: 1\npacks:\n  - path: policies/acme\n",
    );
    git_commit_all(tmp.path(), "pack");
    let (log, _) = generated_log();
    write(tmp.path(), "logs/audit.jsonl", &log);
    let run = drift(
        tmp.path(),
        &["--logs", "logs/audit.jsonl", "--format", "json"],
    );
    let busy = messages(&run.json(), "ACME110");
    assert_eq!(busy, ["11 events"], "{}", run.stdout);
    let check = agentgate(
        tmp.path(),
        &["check", "--today", TODAY, "--format", "json", "--no-fail"],
    );
    assert!(
        findings(&check.json())
            .iter()
            .all(|(rule, _, _)| rule != "ACME110"),
        "{}",
        check.stdout
    );
}
