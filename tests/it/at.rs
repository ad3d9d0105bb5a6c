//! `--at REV`: `inventory` and `report` read a past commit from git objects; the working tree
//! stays as it was.

use crate::common::{agentgate, copy_dir, crate_dir, git_commit_all, TODAY};

fn fails_least_privilege(report: &serde_json::Value, agent: &str) -> bool {
    report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "nist-800-53:AC-6")
        .expect("AC-6 in the report")["failing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["agent"] == agent)
}

#[test]
fn a_past_commit_shows_the_failure_and_head_the_fix_without_touching_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    copy_dir(&crate_dir().join("examples"), dir);
    let repo = git_commit_all(dir, "support-bot with a wildcard grant");
    let broken = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let file = dir.join("agents/support-bot.agent.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let fixed = text.replace(
        "    - resource: zendesk://example/*\n      actions: [\"*\"]\n      justification: Needs to manage tickets, macros and users while we figure out what it uses\n      dataClasses: [pii]\n",
        "",
    );
    assert_ne!(fixed, text, "the fixture has the wildcard grant");
    std::fs::write(&file, &fixed).unwrap();
    let repo = git_commit_all(dir, "support-bot: drop the wildcard grant");
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();

    // An uncommitted edit in the working tree, which --at must neither see nor touch.
    let dirty = format!("{fixed}# work in progress\n");
    std::fs::write(&file, &dirty).unwrap();
    let status_before: Vec<(String, git2::Status)> = repo
        .statuses(None)
        .unwrap()
        .iter()
        .map(|s| (s.path().unwrap().to_string(), s.status()))
        .collect();

    let at = |rev: &str| {
        let run = agentgate(
            dir,
            &["report", "--at", rev, "--today", TODAY, "--format", "json"],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()
    };
    let old = at(&broken);
    assert_eq!(old["header"]["commit"], broken.as_str());
    assert!(fails_least_privilege(&old, "support-bot"));
    let new = at("HEAD");
    assert_eq!(new["header"]["commit"], head.as_str());
    assert!(!fails_least_privilege(&new, "support-bot"));

    let inventory = agentgate(
        dir,
        &[
            "inventory",
            "--at",
            &broken,
            "--today",
            TODAY,
            "--format",
            "json",
        ],
    );
    assert_eq!(inventory.code, 0, "{}", inventory.stderr);
    let rows = inventory.json();
    let support = rows["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "support-bot")
        .unwrap()
        .clone();
    assert!(support["resources"]
        .as_array()
        .unwrap()
        .contains(&"zendesk://example/*".into()));
    assert_eq!(support["file"], "agents/support-bot.agent.yaml");

    assert_eq!(std::fs::read_to_string(&file).unwrap(), dirty);
    let status_after: Vec<(String, git2::Status)> = repo
        .statuses(None)
        .unwrap()
        .iter()
        .map(|s| (s.path().unwrap().to_string(), s.status()))
        .collect();
    assert_eq!(status_before, status_after);

    let bad = agentgate(dir, &["report", "--at", "no-such-rev"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--at no-such-rev"), "{}", bad.stderr);
}
