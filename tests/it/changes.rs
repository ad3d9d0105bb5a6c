//! `--changed-since` and `--staged` on a real git repository made with git2.

use std::path::Path;

use crate::common::*;

fn manifest(name: &str, grants: &[(&str, &str)], delegates: &[&str]) -> String {
    let mut permissions = String::new();
    for (resource, action) in grants {
        let approval = if *action == "read" {
            ""
        } else {
            "\n      approval: human"
        };
        permissions.push_str(&format!(
            "    - resource: {resource}\n      actions: [{action}]\n      justification: Needed for the job{approval}\n"
        ));
    }
    let delegation = if delegates.is_empty() {
        String::new()
    } else {
        format!(
            "  delegation:\n    delegatesTo: [{}]\n",
            delegates.join(", ")
        )
    };
    // Each version of a manifest is reviewed and signed (by the test-only key), within
    // settings.maxReviewBackdate (7d) of TODAY: a review the change adds or alters may not be
    // dated earlier (AG041 backdated).
    signed(&format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n  name: {name}\n  description: Test agent {name}\nspec:\n  purpose: Does the work of {name}.\n  owner: {{name: Jane Doe, email: jane.doe@example.com}}\n  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}\n  lifecycle: {{status: active, expires: 2027-05-31}}\n  identity: {{type: workload, id: \"spiffe://example.org/{name}\"}}\n  permissions:\n{permissions}  credentials: []\n  blastRadius: {{worstCase: Reads some rows, dataClasses: [], reversible: true, externalReach: false}}\n  baseline: {{maxActionsPerHour: 10}}\n  audit: {{logSink: \"siem://splunk/agents\"}}\n  review: {{reviewer: sec-review@example.com, date: 2026-11-20}}\n{delegation}"
    ))
}

fn stage(repo: &git2::Repository, relative: &str) {
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(relative)).unwrap();
    index.write().unwrap();
}

fn reported(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["agent"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn changed_since_and_staged_report_exactly_the_changes_and_their_delegators() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trust_test_key(dir);
    let db = "postgres://db/public.t";
    write(
        dir,
        "agents/alpha.agent.yaml",
        manifest("alpha", &[(db, "read")], &["beta"]),
    );
    write(
        dir,
        "agents/beta.agent.yaml",
        manifest("beta", &[(db, "read")], &[]),
    );
    write(
        dir,
        "agents/gamma.agent.yaml",
        manifest("gamma", &[(db, "read")], &[]),
    );
    write(
        dir,
        "agents/delta.agent.yaml",
        manifest("delta", &[(db, "read")], &[]),
    );
    let repo = git_commit_all(dir, "base");
    let base = repo.head().unwrap().target().unwrap().to_string();

    // Another branch moves on from the base: a wildcard in delta that HEAD never had.
    write(
        dir,
        "agents/delta.agent.yaml",
        manifest("delta", &[("\"*\"", "read")], &[]),
    );
    stage(&repo, "agents/delta.agent.yaml");
    let tree = repo
        .find_tree(repo.index().unwrap().write_tree().unwrap())
        .unwrap();
    let parent = repo
        .find_commit(repo.head().unwrap().target().unwrap())
        .unwrap();
    let sig = git2::Signature::now("Test", "test@example.com").unwrap();
    repo.commit(
        Some("refs/heads/ahead"),
        &sig,
        &sig,
        "ahead",
        &tree,
        &[&parent],
    )
    .unwrap();
    repo.checkout_head(Some(git2::build::CheckoutBuilder::new().force()))
        .unwrap();
    repo.reset(parent.as_object(), git2::ResetType::Mixed, None)
        .unwrap();

    // On this branch: beta (unstaged) gains a grant alpha lacks, which breaks alpha, which is
    // unchanged; gamma gets a wildcard and is staged; epsilon is new and untracked.
    write(
        dir,
        "agents/beta.agent.yaml",
        manifest("beta", &[(db, "read"), (db, "delete")], &[]),
    );
    write(
        dir,
        "agents/gamma.agent.yaml",
        manifest("gamma", &[("\"*\"", "read")], &[]),
    );
    stage(&repo, "agents/gamma.agent.yaml");
    write(
        dir,
        "agents/epsilon.agent.yaml",
        manifest("epsilon", &[("s3://*", "read")], &[]),
    );

    let args = |extra: &[&str]| {
        let mut all = vec!["check", "--format", "json", "--today", TODAY];
        all.extend_from_slice(extra);
        all.into_iter().map(String::from).collect::<Vec<_>>()
    };
    let run_with = |extra: &[&str]| {
        let owned = args(extra);
        let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
        agentgate(dir, &refs)
    };

    let all = run_with(&[]).json();
    assert_eq!(all["summary"]["agents"], 5, "{all}");

    let since = run_with(&["--changed-since", &base]).json();
    assert_eq!(
        reported(&since),
        vec![
            ("alpha".to_string(), "AG071".to_string()),
            ("epsilon".to_string(), "AG011".to_string()),
            ("gamma".to_string(), "AG011".to_string()),
        ]
    );
    assert_eq!(
        since["summary"]["files"], 4,
        "alpha, beta, gamma, epsilon; not delta"
    );

    // Compared from the merge base, delta (changed only on the other branch) is not reported.
    let ahead = run_with(&["--changed-since", "ahead"]).json();
    assert_eq!(reported(&ahead), reported(&since));
    assert_eq!(ahead["summary"]["files"], 4);

    let staged = run_with(&["--staged"]).json();
    assert_eq!(
        reported(&staged),
        vec![("gamma".to_string(), "AG011".to_string())]
    );
    assert_eq!(staged["summary"]["files"], 1);

    // Paths still narrow what is reported.
    let narrowed = run_with(&["--changed-since", &base, "agents/gamma.agent.yaml"]).json();
    assert_eq!(
        reported(&narrowed),
        vec![("gamma".to_string(), "AG011".to_string())]
    );

    // A removed delegate breaks its delegator (AG070), which is reported though unchanged.
    std::fs::remove_file(dir.join("agents/beta.agent.yaml")).unwrap();
    let removed = run_with(&["--changed-since", &base]).json();
    assert!(
        reported(&removed).contains(&("alpha".to_string(), "AG070".to_string())),
        "{removed}"
    );
}

#[test]
fn change_flags_outside_git_are_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\n",
    );
    for flags in [vec!["--staged"], vec!["--changed-since", "HEAD"]] {
        let mut args = vec!["check", "--format", "json", "--today", TODAY];
        args.extend(flags.iter());
        let run = agentgate(tmp.path(), &args);
        assert_eq!(run.code, 2);
        let message = run.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains("needs a git repository"), "{message}");
    }
    let repo = tempfile::tempdir().unwrap();
    write(repo.path(), "agent.yaml", "x: 1\n");
    git_commit_all(repo.path(), "one");
    let run = agentgate(
        repo.path(),
        &[
            "check",
            "--changed-since",
            "no-such-rev",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(run.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("not a commit"));
}
