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

/// From a subfolder of the repository, the configuration at its root is shown relative to the
/// working directory (`../.agentgate.yaml`), as a manifest outside the working directory is.
#[test]
fn files_outside_the_working_directory_are_shown_relative_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\nbogus: 1\n");
    write(
        dir,
        "agents/billing.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: billing}\n",
    );
    write(dir, "sub/readme.txt", "a subfolder\n");
    git_commit_all(dir, "base");
    let sub = dir.join("sub");

    let run = agentgate(&sub, &["check"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let shown = format!("{}{}", run.stdout, run.stderr);
    assert!(shown.contains("../.agentgate.yaml:2:"), "{shown}");
    assert!(!shown.contains(&*dir.to_string_lossy()), "{shown}");

    write(dir, ".agentgate.yaml", "version: 1\n");
    let run = agentgate(&sub, &["check", "..", "--format", "json"]);
    let files: Vec<String> = findings(&run.json())
        .into_iter()
        .map(|(_, file, _)| file)
        .collect();
    assert!(
        files.contains(&"../agents/billing.agent.yaml".to_string()),
        "{files:?}"
    );
}
