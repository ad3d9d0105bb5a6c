//! Smaller statements the product made that were not true (issue 13, item 5), each checked on
//! the real binary.

use crate::common::*;

const BILLING: &str = r#"apiVersion: agentgate/v1
kind: Agent
metadata: {name: billing, description: Reconciles payouts}
spec:
  owner: {name: Jane Doe, email: jane.doe@example.com}
  permissions:
    - resource: s3://reports
      actions: [read]
      justification: Reads reports
"#;

/// A manifest that no longer parses is not an agent that was removed: `diff` cannot say what
/// changed, and says so (exit 2) with the file and the place.
#[test]
fn diff_reports_an_unparseable_manifest_as_an_error_not_a_removal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "agents/billing.agent.yaml", BILLING);
    let repo = git_commit_all(dir, "base");
    let base = repo.head().unwrap().target().unwrap().to_string();
    write(
        dir,
        "agents/billing.agent.yaml",
        BILLING.replace("actions: [read]", "actions: [read"),
    );

    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("removed"), "{}", run.stdout);
    assert!(
        run.stderr.contains("agents/billing.agent.yaml:"),
        "{}",
        run.stderr
    );
}
