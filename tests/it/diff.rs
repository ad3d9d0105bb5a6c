//! `agentgate diff --base REV` on a real git history made with git2.

use crate::common::*;

const BEFORE: &str = r#"apiVersion: agentgate/v1
kind: Agent
metadata: {name: billing, description: Reconciles payouts}
spec:
  owner: {name: Jane Doe, email: jane.doe@example.com}
  permissions:
    - resource: postgres://ledger/public.payouts
      actions: [read]
      justification: Reads payouts
      dataClasses: [financial]
    - resource: s3://reports
      actions: [read]
      justification: Reads reports
  credentials:
    - {name: ledger-db, type: federated, ttl: 1h, shared: false}
"#;

fn after() -> String {
    BEFORE
        .replace("      actions: [read]\n      justification: Reads payouts", "      actions: [read, write]\n      justification: Reads payouts\n      approval: human")
        .replace("    - resource: s3://reports\n      actions: [read]\n      justification: Reads reports\n", "    - resource: jira://FIN\n      actions: [create]\n      justification: Opens tickets\n")
        .replace("ttl: 1h, shared: false", "ttl: 12h, shared: true")
        + "  delegation:\n    delegatesTo: [ticket-writer]\n"
}

#[test]
fn diff_labels_escalations_and_reductions() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "agents/billing.agent.yaml", BEFORE);
    write(
        dir,
        "agents/retired.agent.yaml",
        BEFORE.replace("name: billing", "name: old-bot"),
    );
    let repo = git_commit_all(dir, "base");
    let base = repo.head().unwrap().target().unwrap().to_string();
    write(dir, "agents/billing.agent.yaml", after());
    std::fs::remove_file(dir.join("agents/retired.agent.yaml")).unwrap();

    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    let agents = json["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 2);
    let billing = &agents[0];
    assert_eq!(
        (billing["agent"].as_str(), billing["status"].as_str()),
        (Some("billing"), Some("changed"))
    );
    let mut changes: Vec<(String, String)> = billing["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["direction"].as_str().unwrap().to_string(),
                c["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    changes.sort();
    let expected = [
        ("escalation", "+create on jira://FIN (approval: none)"),
        ("escalation", "+delegation to ticket-writer"),
        (
            "escalation",
            "+write on postgres://ledger/public.payouts (approval: human)",
        ),
        ("escalation", "credential ledger-db shared: false → true"),
        ("escalation", "credential ledger-db ttl: 1h → 12h"),
        ("reduction", "-read on s3://reports"),
        (
            "reduction",
            "approval for read on postgres://ledger/public.payouts: none → human",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(d, t)| (d.to_string(), t.to_string()))
        .collect();
    assert_eq!(changes, expected);
    assert_eq!(
        (agents[1]["agent"].as_str(), agents[1]["status"].as_str()),
        (Some("old-bot"), Some("removed"))
    );
    assert!(agents[1]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["direction"] == "reduction"));

    let markdown = agentgate(dir, &["diff", "--base", &base, "--format", "markdown"]).stdout;
    assert!(
        markdown.contains("- This PR widens **billing**: +create on jira://FIN (approval: none), +delegation to ticket-writer, +write on postgres://ledger/public.payouts (approval: human)"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- This PR removes **old-bot**"),
        "{markdown}"
    );
    let human = agentgate(dir, &["diff", "--base", &base]).stdout;
    assert!(
        human.contains("billing (changed)")
            && human.contains("▲ escalation   credential ledger-db ttl: 1h → 12h"),
        "{human}"
    );

    // Nothing changed since HEAD once committed.
    git_commit_all(dir, "after");
    let run = agentgate(dir, &["diff", "--base", "HEAD"]);
    assert_eq!(run.stdout, "no agent changed\n");
    assert_eq!(agentgate(dir, &["diff", "--base", "nope"]).code, 2);
}
