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

/// The values `--format` accepts, as the binary lists them when given one it does not know.
fn format_values(command: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![command, "--format", "no-such-format"];
    if command == "diff" {
        args.extend(["--base", "HEAD"]);
    }
    let run = agentgate(dir.path(), &args);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let list = run
        .stderr
        .split_once("[possible values: ")
        .map(|(_, rest)| rest.split(']').next().unwrap_or_default())
        .or_else(|| {
            run.stderr
                .split_once("use one of ")
                .map(|(_, rest)| rest.lines().next().unwrap_or_default())
        })
        .unwrap_or_else(|| panic!("no list of formats:\n{}", run.stderr));
    list.split(',').map(|v| v.trim().to_string()).collect()
}

/// Each command's help (its description and its `--format` option) names every format the
/// command writes: `report` writes HTML too, `diff` Markdown.
#[test]
fn help_names_every_format_of_each_command() {
    let dir = tempfile::tempdir().unwrap();
    let overview = agentgate(dir.path(), &["--help"]).stdout.to_lowercase();
    for command in ["check", "discover", "diff", "inventory", "report"] {
        let help = agentgate(dir.path(), &[command, "--help"]).stdout;
        // The help without clap's own lists: what its authors wrote.
        let mut prose = help.to_lowercase();
        for list in ["[possible values:", "[default:"] {
            while let Some(start) = prose.find(list) {
                let end = prose[start..]
                    .find(']')
                    .map_or(prose.len(), |e| start + e + 1);
                prose.replace_range(start..end, "");
            }
        }
        let line = overview
            .lines()
            .find(|l| l.trim_start().starts_with(command))
            .unwrap_or_default();
        for value in format_values(command) {
            let shown = if value == "table" { "a table" } else { &value };
            assert!(
                prose.contains(shown),
                "`{command} --help` does not name {value}:\n{help}"
            );
            if ["inventory", "report"].contains(&command) {
                assert!(
                    line.contains(shown),
                    "`agentgate --help` does not name {value} for {command}: {line}"
                );
            }
        }
    }
}

/// Discovery's rules, as the help names them, are the ones it reports and the README names.
#[test]
fn help_names_the_discovery_rules() {
    let dir = tempfile::tempdir().unwrap();
    let overview = agentgate(dir.path(), &["--help"]).stdout;
    let check = agentgate(dir.path(), &["check", "--help"]).stdout;
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).unwrap();
    for (what, text) in [
        ("agentgate --help", &overview),
        ("check --help", &check),
        ("README.md", &readme),
    ] {
        let unified = text.replace('–', " to ");
        assert!(
            unified.contains("AG100 to AG104"),
            "{what} does not name AG100 to AG104"
        );
        for stale in ["AG100 to AG102)", "AG100 to AG103)"] {
            assert!(!unified.contains(stale), "{what} still says {stale}");
        }
    }
}

/// A delegation cycle through a name two manifests share is not reported twice: the name is no
/// agent of the inventory (AG080 on both files), so the cycle through it is none; without the
/// copy, the cycle is reported once. (This already held when the test was written: duplicated
/// names have been left out of the inventory since 7a51fc6.)
#[test]
fn a_cycle_through_a_duplicated_name_is_not_reported_twice() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let manifest = |name: &str, to: &str| {
        format!(
            "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {{name: {name}}}\nspec:\n  delegation:\n    delegatesTo: [{to}]\n"
        )
    };
    write(dir, "agents/a.agent.yaml", manifest("a", "b"));
    write(dir, "agents/b.agent.yaml", manifest("b", "a"));
    let count = |rule: &str| {
        let run = agentgate(dir, &["check", "--no-discover", "--format", "json"]);
        findings(&run.json())
            .iter()
            .filter(|(r, _, _)| r == rule)
            .count()
    };
    assert_eq!(count("AG072"), 1);
    write(dir, "agents/a-copy.agent.yaml", manifest("a", "b"));
    assert_eq!(count("AG072"), 0);
    assert_eq!(count("AG080"), 2);
}

/// A rule that fails while it runs (a builtin given a value of the wrong type) is a problem at
/// its own file and line, not at a `file` that holds the whole engine message.
#[test]
fn a_runtime_policy_error_names_the_rule_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        "agents/billing.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: billing}\n",
    );
    let rule = r#"# METADATA
# title: Bad type
# description: Calls a builtin with a value of the wrong type.
# custom:
#   id: ACME001
#   slug: bad-type
#   severity: error
#   summary: A builtin given the wrong type
#   fix: Nothing to fix in the manifest.
#   controls: [soc2:CC6.1]
package agentgate.rules.acme.bad

import rego.v1

deny contains {"msg": msg, "path": "/metadata/name"} if {
	msg := upper(count(input.metadata.name))
}
"#;
    write(dir, "policies/acme/bad.rego", rule);
    let run = agentgate(
        dir,
        &[
            "check",
            "--no-discover",
            "--pack",
            "policies/acme",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let json = run.json();
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error["file"], "policies/acme/bad.rego", "{error}");
    assert_eq!(error["line"], 16, "{error}");
    assert_eq!(error["column"], 23, "{error}");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("`upper` expects string argument"),
        "{message}"
    );
    assert!(!message.contains("-->"), "{message}");
}

/// rules-v1 renamed AG101's slug to `committed-secret`: findings use the new slug, and
/// `explain` still accepts the old one (and any rule's slug, and ids in any case).
#[test]
fn ag101_is_committed_secret_and_explain_accepts_the_old_slug() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["AG101", "ag101", "committed-secret", "mcp-inline-secret"] {
        let run = agentgate(dir.path(), &["explain", name]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(
            run.stdout.starts_with("AG101 committed-secret"),
            "{name}: {}",
            run.stdout
        );
    }
    let run = agentgate(dir.path(), &["explain", "no-such-rule"]);
    assert_eq!(run.code, 2);
}

/// `diff` applies manifest-v1's claim rule as `check` does: another tool's `agent.yaml` (here a
/// Kubernetes Deployment with `metadata.name`) is no agent that changed, and a manifest that
/// lost its header is an error, not an agent removed.
#[test]
fn diff_applies_the_claim_rule() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: grafana-agent}\nspec:\n  replicas: 1\n";
    write(dir, "deploy/agent.yaml", DEPLOYMENT);
    write(dir, "agents/billing.agent.yaml", BILLING);
    let repo = git_commit_all(dir, "base");
    let base = repo.head().unwrap().target().unwrap().to_string();
    write(
        dir,
        "deploy/agent.yaml",
        DEPLOYMENT.replace("replicas: 1", "replicas: 3"),
    );
    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("grafana-agent"), "{}", run.stdout);

    // The header removed: check calls it an error, and so does diff.
    write(
        dir,
        "agents/billing.agent.yaml",
        BILLING.replace("apiVersion: agentgate/v1\nkind: Agent\n", ""),
    );
    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("removed"), "{}", run.stdout);
    assert!(
        run.stderr.contains("agents/billing.agent.yaml"),
        "{}",
        run.stderr
    );
}
