//! `agentgate owners`: a leaver who owns two agents and backs up a third, with a people
//! directory they are no longer in. Every format is parsed back; `--check` goes through the
//! sink (severities, waivers) and the output formats of `check`.

use std::path::Path;

use serde_json::Value;

use crate::common::{agentgate, findings, git_commit_all, write, TODAY};

const LEAVER: &str = "leaver@example.com";

fn manifest(name: &str, owner: &str, backup: Option<&str>) -> String {
    let backup = backup
        .map(|b| format!("  backupOwner: {{name: Backup Person, email: {b}}}\n"))
        .unwrap_or_default();
    format!(
        r#"apiVersion: agentgate/v1
kind: Agent
metadata:
  name: {name}
  description: test agent {name}
spec:
  purpose: test
  owner: {{name: Owner Person, email: {owner}}}
{backup}  lifecycle: {{status: active, expires: 2027-03-01}}
  identity: {{type: workload, id: "spiffe://example.org/{name}"}}
  permissions:
    - {{resource: "postgres://ledger/{name}", actions: [read, write], justification: x, approval: human}}
  credentials:
    - {{name: {name}-db, type: federated, ttl: 1h, shared: false}}
"#
    )
}

/// The leaver owns `billing` (backup raj remains) and `reports` (no backup), and backs up
/// `triage` (written in another case); `other` does not involve them.
fn repository(directory: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "agents/billing.agent.yaml",
        manifest("billing", LEAVER, Some("raj@example.com")),
    );
    write(
        dir,
        "agents/reports.agent.yaml",
        manifest("reports", LEAVER, None),
    );
    write(
        dir,
        "agents/triage.agent.yaml",
        manifest("triage", "mei@example.com", Some("Leaver@Example.COM")),
    );
    write(
        dir,
        "agents/other.agent.yaml",
        manifest("other", "raj@example.com", Some("mei@example.com")),
    );
    write(
        dir,
        ".agentgate/people.txt",
        "# active people\nraj@example.com\nMEI@example.com\n",
    );
    let settings = if directory {
        "settings:\n  directory: .agentgate/people.txt\n"
    } else {
        ""
    };
    write(dir, ".agentgate.yaml", format!("version: 1\n{settings}"));
    git_commit_all(dir, "init");
    tmp
}

fn run(dir: &Path, args: &[&str]) -> crate::common::Run {
    let mut all = vec!["owners", "--today", TODAY];
    all.extend_from_slice(args);
    agentgate(dir, &all)
}

#[test]
fn person_lists_owned_and_backed_up_agents_in_every_format() {
    let tmp = repository(true);
    let run_json = run(
        tmp.path(),
        &["--person", "LEAVER@example.com", "--format", "json"],
    );
    assert_eq!(run_json.code, 0, "{}", run_json.stderr);
    let json = run_json.json();
    let agents = json["agents"].as_array().expect("agents");
    let summary: Vec<(String, String, Value)> = agents
        .iter()
        .map(|a| {
            (
                a["agent"].as_str().unwrap().to_string(),
                a["role"].as_str().unwrap().to_string(),
                a["otherOwner"]["email"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("billing".into(), "owner".into(), "raj@example.com".into()),
            ("reports".into(), "owner".into(), Value::Null),
            ("triage".into(), "backup".into(), "mei@example.com".into()),
        ]
    );
    let billing = &agents[0];
    assert_eq!(billing["file"], "agents/billing.agent.yaml");
    assert_eq!(billing["line"], 8, "the line of the owner's email");
    assert_eq!(agents[2]["line"], 9, "the line of the backup owner's email");
    assert_eq!(billing["status"], "active");
    assert_eq!(billing["expires"], "2027-03-01");
    assert_eq!(
        billing["permissions"][0]["resource"],
        "postgres://ledger/billing"
    );
    assert_eq!(billing["permissions"][0]["actions"][1], "write");
    assert_eq!(billing["credentials"][0]["type"], "federated");
    assert_eq!(billing["credentials"][0]["ttl"], "1h");
    assert_eq!(billing["credentials"][0]["shared"], "false");

    let csv = run(tmp.path(), &["--person", LEAVER, "--format", "csv"]);
    assert_eq!(csv.code, 0, "{}", csv.stderr);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let headers = reader.headers().expect("a header row").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("a record")).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(&records[1][column("agent")], "reports");
    assert_eq!(
        &records[1][column("otherOwner")],
        "none: orphaned if this person leaves"
    );
    assert_eq!(&records[2][column("role")], "backup");
    assert_eq!(
        &records[0][column("permissions")],
        "postgres://ledger/billing read/write"
    );
    assert_eq!(&records[0][column("line")], "8");

    let markdown = run(tmp.path(), &["--person", LEAVER, "--format", "markdown"]);
    let rows: Vec<Vec<String>> = markdown
        .stdout
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| agent "))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    assert_eq!(rows.len(), 3, "{}", markdown.stdout);
    assert_eq!(rows[0][0], "billing");
    // Markdown escaping puts `<…>` in a code span, so no HTML tag is made of an address.
    assert_eq!(rows[0][2], "Backup Person `<raj@example.com>`");
    assert_eq!(rows[1][2], "none: orphaned if this person leaves");
    assert_eq!(rows[2][1], "backup");
    assert_eq!(rows[2][7], "agents/triage.agent.yaml:9");

    let table = run(tmp.path(), &["--person", LEAVER]);
    assert_eq!(table.code, 0);
    assert!(
        table
            .stdout
            .contains("3 agents owned or backed up by leaver@example.com"),
        "{}",
        table.stdout
    );
    assert!(table
        .stdout
        .contains("none: orphaned if this person leaves"));
}

#[test]
fn person_exit_codes() {
    let tmp = repository(true);
    let nobody = run(
        tmp.path(),
        &["--person", "nobody@example.com", "--format", "json"],
    );
    assert_eq!(nobody.code, 0, "an empty list is not a failure");
    assert_eq!(nobody.json()["agents"], serde_json::json!([]));
    let scripted = run(
        tmp.path(),
        &["--person", "nobody@example.com", "--fail-if-any"],
    );
    assert_eq!(scripted.code, 0);
    let scripted = run(tmp.path(), &["--person", LEAVER, "--fail-if-any"]);
    assert_eq!(scripted.code, 1, "{}", scripted.stdout);
}

#[test]
fn check_reports_orphaned_and_half_covered_agents_per_former_owner() {
    let tmp = repository(true);
    let json = run(tmp.path(), &["--check", "--format", "json"]);
    assert_eq!(json.code, 1, "{}{}", json.stdout, json.stderr);
    let report = json.json();
    assert_eq!(
        findings(&report),
        vec![
            (
                "AG114".into(),
                "agents/reports.agent.yaml".into(),
                "/spec/owner/email".into()
            ),
            (
                "AG115".into(),
                "agents/billing.agent.yaml".into(),
                "/spec/owner/email".into()
            ),
            (
                "AG115".into(),
                "agents/triage.agent.yaml".into(),
                "/spec/backupOwner/email".into()
            ),
        ]
    );
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["warning", "error", "warning"]);
    assert!(report["findings"][1]["message"]
        .as_str()
        .unwrap()
        .contains("orphaned"));

    // Grouped by former owner in the human output.
    let human = run(tmp.path(), &["--check"]);
    assert_eq!(human.code, 1);
    assert!(
        human.stdout.contains("leaver@example.com left: orphans reports (agents/reports.agent.yaml:8); half-covers billing (agents/billing.agent.yaml:8), triage (agents/triage.agent.yaml:9)"),
        "{}",
        human.stdout
    );

    // Other formats of `check` apply: SARIF and JUnit parse and carry the rules.
    let sarif = run(tmp.path(), &["--check", "--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 3);
    let junit = run(tmp.path(), &["--check", "--format", "junit"]);
    assert!(junit.stdout.contains("AG114") && junit.stdout.starts_with("<?xml"));

    // Warnings alone do not fail; --fail-on warning makes them.
    let only_warnings = run(
        tmp.path(),
        &[
            "--check",
            "--format",
            "json",
            "--fail-on",
            "warning",
            "--no-fail",
        ],
    );
    assert_eq!(only_warnings.code, 0);
}

#[test]
fn check_applies_waivers_and_severities_and_check_leaves_owners_rules_alone() {
    let tmp = repository(true);
    write(
        tmp.path(),
        ".agentgate.yaml",
        "version: 1\nsettings:\n  directory: .agentgate/people.txt\nrules:\n  AG115: {severity: error}\nwaivers:\n  - rule: AG114\n    agent: reports\n    reason: Being handed over, ticket OPS-1\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    let json = run(tmp.path(), &["--check", "--format", "json"]);
    let report = json.json();
    assert_eq!(json.code, 1);
    assert_eq!(report["waived"].as_array().unwrap().len(), 1);
    assert_eq!(report["waived"][0]["rule"], "AG114");
    let severities: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["error", "error"], "AG115 raised to error");

    // `check` does not report AG114/AG115 and does not call their waiver unused (AG091).
    let check = agentgate(
        tmp.path(),
        &["check", "--today", TODAY, "--format", "json", "--no-fail"],
    );
    let rules: Vec<String> = findings(&check.json())
        .into_iter()
        .map(|(rule, _, _)| rule)
        .collect();
    for absent in ["AG114", "AG115", "AG091"] {
        assert!(
            !rules.contains(&absent.to_string()),
            "{absent} in {rules:?}"
        );
    }
    // AG003, `check`'s own rule on the owner, still fires.
    assert!(rules.contains(&"AG003".to_string()), "{rules:?}");

    // An unused owners waiver is judged by `owners --check`.
    write(
        tmp.path(),
        "agents/reports.agent.yaml",
        manifest("reports", "raj@example.com", Some("mei@example.com")),
    );
    let json = run(tmp.path(), &["--check", "--format", "json"]);
    let rules: Vec<String> = findings(&json.json())
        .into_iter()
        .map(|(rule, _, _)| rule)
        .collect();
    assert!(rules.contains(&"AG091".to_string()), "{rules:?}");
}

#[test]
fn check_without_a_directory_says_how_to_configure_one() {
    let tmp = repository(false);
    let run = run(tmp.path(), &["--check"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("settings.directory") && run.stderr.contains("none is configured"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_map_lists_every_person_sortable_by_number_of_agents() {
    let tmp = repository(true);
    let json = run(tmp.path(), &["--format", "json", "--sort", "agents"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    let people = json.json()["people"].clone();
    let first = &people[0];
    assert_eq!(first["email"], "leaver@example.com");
    assert_eq!(first["owns"], serde_json::json!(["billing", "reports"]));
    assert_eq!(first["backs"], serde_json::json!(["triage"]));
    assert_eq!(first["active"], false);
    let emails: Vec<&str> = people
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["leaver@example.com", "mei@example.com", "raj@example.com"]
    );
    let csv = run(tmp.path(), &["--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(&records[0][0], "leaver@example.com");
    assert_eq!(&records[0][2], "3");
    assert_eq!(&records[0][5], "no");
    let markdown = run(tmp.path(), &["--format", "markdown"]);
    assert!(
        markdown.stdout.contains(
            "| Owner Person `<leaver@example.com>` | 3 | billing, reports | triage | no |"
        ),
        "{}",
        markdown.stdout
    );
}

#[test]
fn inventory_owner_matches_backup_owners_by_role() {
    let tmp = repository(true);
    let names = |extra: &[&str]| -> Vec<String> {
        let mut args = vec!["inventory", "--today", TODAY, "--format", "json", "--owner"];
        args.extend_from_slice(extra);
        let run = agentgate(tmp.path(), &args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["agents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&[LEAVER]), ["billing", "reports", "triage"]);
    assert_eq!(names(&[LEAVER, "--role", "owner"]), ["billing", "reports"]);
    assert_eq!(
        names(&["LEAVER@EXAMPLE.COM", "--role", "backup"]),
        ["triage"]
    );
    assert_eq!(
        names(&[LEAVER, "--role", "any"]),
        ["billing", "reports", "triage"]
    );
}
