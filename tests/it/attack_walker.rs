//! Attacks on which files the walk reads (issue 12): ignore files that hide tracked manifests,
//! symlinks in manifest places, manifests inside submodules, and manifest names in another case.
//! Each test builds a real git history (git2, or the git CLI where git2 cannot: `add -f`,
//! submodules) and runs the real binary as CI would: a full `check`, `check --changed-since`,
//! and `diff --base`.

use std::path::Path;

use crate::common::*;

/// (rule, file) of every finding, sorted.
fn rule_files(run: &Run) -> Vec<(String, String)> {
    findings(&run.json())
        .into_iter()
        .map(|(rule, file, _)| (rule, file))
        .collect()
}

fn has(run: &Run, rule: &str, file: &str) -> bool {
    rule_files(run).contains(&(rule.to_string(), file.to_string()))
}

fn error_messages(run: &Run) -> Vec<String> {
    run.json()["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| format!("{}: {}", e["file"].as_str().unwrap_or(""), e["message"]))
        .collect()
}

#[test]
fn ignore_files_do_not_hide_tracked_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\nexclude: [vendor/**]\n");
    trust_test_key(dir);
    write(
        dir,
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = head(dir);

    // The pull request: a wildcard manifest that a committed `.ignore` names, another that
    // `.gitignore` names and `git add -f` tracks all the same, and a tracked one under an
    // excluded folder (the trusted configuration's `exclude` still applies).
    write(dir, "agents/.ignore", "evil.agent.yaml\n");
    write(
        dir,
        "agents/evil.agent.yaml",
        wildcard_manifest("evil", today()),
    );
    write(dir, ".gitignore", "forced.agent.yaml\nscratch.agent.yaml\n");
    write(
        dir,
        "agents/forced.agent.yaml",
        wildcard_manifest("forced", today()),
    );
    write(
        dir,
        "vendor/lib/agent.yaml",
        wildcard_manifest("vendored", today()),
    );
    git(dir, &["add", "-A"]);
    git(dir, &["add", "-f", "agents/forced.agent.yaml"]);
    git(dir, &["commit", "-q", "-m", "pull request"]);
    // Untracked: `.gitignore` hides this one; `.ignore` is not a convention of agentgate's.
    write(
        dir,
        "agents/scratch.agent.yaml",
        wildcard_manifest("scratch", today()),
    );
    write(dir, "agents/.ignore", "evil.agent.yaml\nfresh.agent.yaml\n");
    write(
        dir,
        "agents/fresh.agent.yaml",
        wildcard_manifest("fresh", today()),
    );
    write(dir, ".rgignore", "agents/\n");

    for (label, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
    ] {
        assert_eq!(run.code, 1, "{label}: {}{}", run.stdout, run.stderr);
        for file in [
            "agents/evil.agent.yaml",
            "agents/forced.agent.yaml",
            "agents/fresh.agent.yaml",
        ] {
            assert!(has(&run, "AG011", file), "{label}: {file}\n{}", run.stdout);
        }
        let files: Vec<String> = rule_files(&run).into_iter().map(|(_, f)| f).collect();
        assert!(
            !files
                .iter()
                .any(|f| f.contains("scratch") || f.contains("vendor")),
            "{label}: an untracked ignored file and an excluded one are not checked: {files:?}"
        );
    }

    let diff = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(diff.code, 0, "{}{}", diff.stdout, diff.stderr);
    let agents: Vec<String> = diff.json()["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["agent"].as_str().unwrap().to_string())
        .collect();
    for agent in ["evil", "forced", "fresh"] {
        assert!(agents.contains(&agent.to_string()), "{agent}: {agents:?}");
    }
    assert!(!agents.contains(&"scratch".to_string()), "{agents:?}");
}

#[cfg(unix)]
#[test]
fn symlinks_in_manifest_places_are_followed_inside_the_repository() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trust_test_key(dir);
    write(
        dir,
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    write(dir, "docs/evil.txt", compliant_manifest("evil", today()));
    write(
        dir,
        "real/hidden.yaml",
        wildcard_manifest("hidden", today()),
    );
    std::fs::create_dir_all(dir.join("agents")).unwrap();
    symlink("../docs/evil.txt", dir.join("agents/x.agent.yaml")).unwrap();
    symlink("real", dir.join(".agents")).unwrap();
    // A link to a manifest that is also walked directly: read once, no AG080 against itself.
    symlink("good.agent.yaml", dir.join("agents/alias.agent.yaml")).unwrap();
    // A gitignored virtual environment's interpreter leads outside: not a manifest place.
    write(dir, ".gitignore", ".venv/\n");
    std::fs::create_dir_all(dir.join(".venv/bin")).unwrap();
    symlink("/usr/bin/python3", dir.join(".venv/bin/python")).unwrap();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = head(dir);

    let full = check(dir, &[]);
    assert_eq!(full.code, 1, "{}{}", full.stdout, full.stderr);
    assert_eq!(
        rule_files(&full)
            .into_iter()
            .filter(|(rule, _)| rule != "AG013")
            .collect::<Vec<_>>(),
        vec![("AG011".to_string(), ".agents/hidden.yaml".to_string())],
        "{}",
        full.stdout
    );
    let json = full.json();
    assert_eq!(
        json["summary"]["agents"], 3,
        "good (once), evil through agents/x.agent.yaml, hidden through .agents: {json}"
    );

    // The pre-commit hook names the link: it is the file it leads to, not a second agent.
    let named = check(dir, &["agents/alias.agent.yaml"]);
    assert_eq!(named.code, 0, "{}{}", named.stdout, named.stderr);

    // The pull request changes only the link's target: the link is selected.
    write(dir, "docs/evil.txt", wildcard_manifest("evil", today()));
    git(dir, &["commit", "-q", "-am", "edit the target"]);
    let since = check(dir, &["--changed-since", &base]);
    assert_eq!(since.code, 1, "{}{}", since.stdout, since.stderr);
    assert!(
        has(&since, "AG011", "agents/x.agent.yaml"),
        "{}",
        since.stdout
    );
    assert!(
        !has(&since, "AG011", ".agents/hidden.yaml"),
        "{}",
        since.stdout
    );

    // `diff` reads the links at the base revision too: evil changed; nothing was added.
    assert_eq!(
        diff_statuses(dir, &base),
        vec![("evil".to_string(), "changed".to_string())]
    );
}

/// (agent, status) of each agent that `diff --base` lists.
fn diff_statuses(dir: &Path, base: &str) -> Vec<(String, String)> {
    let run = agentgate(dir, &["diff", "--base", base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run.json()["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["agent"].as_str().unwrap().to_string(),
                a["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn a_symlink_leading_outside_the_repository_is_an_error() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "elsewhere.yaml",
        compliant_manifest("elsewhere", today()),
    );
    write(outside.path(), "mcp.json", r#"{"mcpServers": {}}"#);
    for (link, target) in [
        ("agents/out.agent.yaml", "elsewhere.yaml"),
        (".agents", "."),
        (".mcp.json", "mcp.json"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        trust_test_key(dir);
        write(
            dir,
            "agents/good.agent.yaml",
            compliant_manifest("good", today()),
        );
        let path = dir.join(link);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        symlink(outside.path().join(target), &path).unwrap();
        git(dir, &["init", "-q", "-b", "main"]);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "base"]);
        // Discovery reads MCP configurations (here with `--discover`; by default where it is
        // configured to run).
        let run = check(dir, &["--discover"]);
        assert_eq!(run.code, 2, "{link}: {}{}", run.stdout, run.stderr);
        let errors = error_messages(&run);
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("{link}:")) && e.contains("outside the repository")),
            "{link}: {errors:?}"
        );
    }
}

#[test]
fn submodule_manifests_are_checked_and_a_changed_gitlink_selects_them() {
    let tmp = tempfile::tempdir().unwrap();
    let upstream = tmp.path().join("upstream");
    let dir = tmp.path().join("repo");
    write(
        &upstream,
        "agents/sub.agent.yaml",
        compliant_manifest("sub", today()),
    );
    git(&upstream, &["init", "-q", "-b", "main"]);
    git(&upstream, &["add", "-A"]);
    git(&upstream, &["commit", "-q", "-m", "sub"]);

    std::fs::create_dir_all(&dir).unwrap();
    trust_test_key(&dir);
    write(
        &dir,
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    git(&dir, &["init", "-q", "-b", "main"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "base"]);
    let upstream_url = upstream.display().to_string();
    git(
        &dir,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            &upstream_url,
            "vendored",
        ],
    );
    git(&dir, &["commit", "-q", "-m", "add the submodule"]);
    let base = head(&dir);

    let full = check(&dir, &[]);
    assert_eq!(full.code, 0, "{}{}", full.stdout, full.stderr);
    assert_eq!(full.json()["summary"]["agents"], 2, "{}", full.stdout);

    // Upstream widens its agent; the pull request only moves the gitlink.
    write(
        &upstream,
        "agents/sub.agent.yaml",
        wildcard_manifest("sub", today()),
    );
    git(&upstream, &["commit", "-q", "-am", "widen"]);
    let sub = dir.join("vendored");
    git(&sub, &["-c", "protocol.file.allow=always", "pull", "-q"]);
    git(&dir, &["add", "vendored"]);
    git(&dir, &["commit", "-q", "-m", "bump the submodule"]);

    let full = check(&dir, &[]);
    assert_eq!(full.code, 1, "{}{}", full.stdout, full.stderr);
    assert!(has(&full, "AG011", "vendored/agents/sub.agent.yaml"));
    let since = check(&dir, &["--changed-since", &base]);
    assert_eq!(since.code, 1, "{}{}", since.stdout, since.stderr);
    assert!(
        has(&since, "AG011", "vendored/agents/sub.agent.yaml"),
        "{}",
        since.stdout
    );
    assert!(!has(&since, "AG011", "agents/good.agent.yaml"));
    assert_eq!(
        diff_statuses(&dir, &base),
        vec![("sub".to_string(), "changed".to_string())]
    );
}

#[test]
fn manifest_names_match_in_any_case() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trust_test_key(dir);
    write(
        dir,
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "base"]);
    let base = head(dir);
    let places = [
        "agents/x.Agent.yaml",
        ".agents/y.YAML",
        "svc/AGENT.yml",
        ".Agents/z.yml",
        "deep/w.AGENT.YML",
    ];
    for (i, place) in places.iter().enumerate() {
        write(
            dir,
            place,
            wildcard_manifest(&format!("agent-{i}"), today()),
        );
    }
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "pull request"]);
    for (label, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
    ] {
        assert_eq!(run.code, 1, "{label}: {}{}", run.stdout, run.stderr);
        for place in places {
            assert!(
                has(&run, "AG011", place),
                "{label}: {place}\n{}",
                run.stdout
            );
        }
    }
    let diff = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(
        diff.json()["agents"].as_array().unwrap().len(),
        places.len()
    );
}
