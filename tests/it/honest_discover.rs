//! Issue 13: a gate that passes a repository full of agents, and one that fails on other tools'
//! files. Discovery runs by default in `check`, the GitHub Action and the pre-commit hook
//! (rules-v1), and a file in a manifest place is a manifest only when it claims to be one
//! (manifest-v1). Every test runs the real binary on a real git repository.
#![cfg(unix)]

use std::path::Path;

use serde_json::json;

use crate::common::*;

/// A GitHub token as one is committed by mistake: 36 characters after `ghp_`, no placeholder.
const TOKEN: &str = "ghp_R8x2Kq9LmZ4vT7nB3wY6pD1sF5hJ0cA8eG2u";

fn mcp_with_token() -> String {
    format!(
        r#"{{
  "mcpServers": {{
    "github": {{
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {{"GITHUB_PERSONAL_ACCESS_TOKEN": "{TOKEN}"}}
    }}
  }}
}}
"#
    )
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--today", TODAY];
    args.extend_from_slice(extra);
    agentgate(dir, &args)
}

fn out(run: &Run) -> String {
    format!("exit {}\n{}{}", run.code, run.stdout, run.stderr)
}

/// `.mcp.json` with a literal GitHub token and no manifest: `check` and `check .` fail on the
/// unregistered server (AG100) and the committed secret (AG101), with and without a
/// configuration; the secret itself is never printed.
#[test]
fn a_committed_token_in_mcp_json_fails_check_and_check_dot_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".mcp.json", mcp_with_token());
    git_commit_all(dir, "an MCP server with a token");
    for config in [None, Some("version: 1\n")] {
        if let Some(config) = config {
            write(dir, ".agentgate.yaml", config);
        }
        for extra in [&[][..], &["."][..], &["--discover"][..]] {
            let run = check(dir, extra);
            let what = format!("config {config:?}, args {extra:?}: {}", out(&run));
            assert_eq!(run.code, 1, "{what}");
            assert!(run.stdout.contains("AG100"), "{what}");
            assert!(run.stdout.contains("AG101"), "{what}");
            assert!(!run.stdout.contains(TOKEN), "{what}");
            assert!(!run.stdout.contains("0 errors"), "{what}");
        }
    }
    // Turned off for one run, or in the configuration: the manifests alone, and it says so.
    let run = check(dir, &["--no-discover"]);
    assert_eq!(run.code, 0, "{}", out(&run));
    assert!(run.stdout.contains("no agents found"), "{}", out(&run));
    assert!(run.stdout.contains("discovery off"), "{}", out(&run));
    write(dir, ".agentgate.yaml", "version: 1\ndiscover: false\n");
    let run = check(dir, &[]);
    assert_eq!(run.code, 0, "{}", out(&run));
    assert!(run.stdout.contains("discovery off"), "{}", out(&run));
    let run = check(dir, &["--discover"]);
    assert_eq!(run.code, 1, "--discover still wins: {}", out(&run));
}

/// With neither manifests nor footprints the run passes and says so, named or not; only an
/// explicit path that does not exist is an error, and the message names it.
#[test]
fn an_empty_repository_passes_and_a_missing_path_is_the_only_error() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "README.md", "# nothing here\n");
    write(dir, "docs/guide.md", "# guide\n");
    git_commit_all(dir, "no agents");
    for extra in [&[][..], &["."][..], &["docs"][..], &["README.md"][..]] {
        let run = check(dir, extra);
        assert_eq!(run.code, 0, "{extra:?}: {}", out(&run));
        assert!(
            run.stdout.contains("no agents found"),
            "{extra:?}: {}",
            out(&run)
        );
    }
    let run = check(dir, &["services/missing"]);
    assert_eq!(run.code, 2, "{}", out(&run));
    assert!(
        run.stderr.contains("services/missing") || run.stdout.contains("services/missing"),
        "{}",
        out(&run)
    );
    assert!(
        run.stdout.contains("no such file or folder")
            || run.stderr.contains("no such file or folder"),
        "{}",
        out(&run)
    );
}

/// The Action runs discovery by default, and its `discover` input turns it off.
#[test]
fn the_action_fails_a_repository_with_an_unregistered_mcp_server() {
    let runner = crate::action::Runner::new();
    write(&runner.workspace, ".mcp.json", mcp_with_token());
    git_commit_all(&runner.workspace, "an MCP server with a token");
    let run = runner.run(&[]);
    let d = run.describe();
    assert_eq!(run.check().outputs["exit-code"], "1", "{d}");
    assert!(run.check().stdout.contains("AG101"), "{d}");
    assert!(!run.check().stdout.contains(TOKEN), "{d}");
    let run = runner.run(&[("discover", "false")]);
    let d = run.describe();
    assert_eq!(run.check().outputs["exit-code"], "0", "{d}");
}

/// The pre-commit hook sees staged footprints and secrets: a staged `.mcp.json` with a token,
/// or a staged `.env` with a provider key, blocks the commit.
#[test]
fn the_pre_commit_hook_blocks_a_staged_secret_and_an_unregistered_server() {
    use crate::precommit::{local_hook, pre_commit, Repo};
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = Repo::new(pre_commit, vec![local_hook(json!({}))]);
    repo.ok(repo.pre_commit(&["install"]));
    repo.stage(".mcp.json", &mcp_with_token());
    let (committed, text) = repo.commit("an MCP server");
    assert!(!committed, "{text}");
    assert!(text.contains("AG100"), "{text}");
    assert!(text.contains("AG101"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    std::fs::remove_file(repo.root().join(".mcp.json")).unwrap();
    repo.ok(repo.git(&["reset", "-q"]));
    repo.stage(
        "services/bot/.ENV.local",
        "OPENAI_API_KEY=sk-proj-Xq7R2mN9vB4kL8tW3zY6pD1sF5hJ0cA8eG2u\n",
    );
    let (committed, text) = repo.commit("a key");
    assert!(!committed, "{text}");
    assert!(text.contains("AG101"), "{text}");
}

/// A manifest that claims to be one in a place where an unrelated file sits beside it.
fn good_repo(dir: &Path) {
    trust_test_key(dir);
    write(
        dir,
        "agents/pay.agent.yaml",
        compliant_manifest("pay", today()),
    );
}

const CODEX_SKILL: &str = r##"interface:
  display_name: "PDF tools"
  short_description: "Fill, merge and split PDF files"
  icon_small: "./assets/pdf-small.svg"
  brand_color: "#D93025"
  default_prompt: "Use $pdf-tools to merge the attached files"
policy:
  allow_implicit_invocation: true
"##;

const FOUNDRY_AGENT: &str = r#"# Azure AI Foundry prompt agent
type: foundry_agent
name: support-triage
description: Triages incoming support tickets
model:
  id: gpt-4o
  options:
    temperature: 0.2
instructions: |
  You triage support tickets. Label each one and route it to the right queue.
tools:
  - type: file_search
  - type: code_interpreter
"#;

const GRAFANA_AGENT: &str = r#"server:
  log_level: info
metrics:
  global:
    scrape_interval: 1m
  configs:
    - name: default
      scrape_configs:
        - job_name: node
          static_configs:
            - targets: ["localhost:9100"]
      remote_write:
        - url: https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push
logs:
  configs:
    - name: default
      positions:
        filename: /tmp/positions.yaml
      scrape_configs:
        - job_name: varlogs
          static_configs:
            - targets: [localhost]
              labels:
                job: varlogs
                __path__: /var/log/*.log
"#;

/// Codex skills, an Azure AI Foundry agent and a Grafana Agent configuration are not manifests:
/// they never fail the run (no exit 2), the summary counts them, and discovery looks at them:
/// the Foundry agent defines an agent (a model plus instructions and tools), so AG100.
#[test]
fn other_tools_files_in_manifest_places_do_not_fail_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    good_repo(dir);
    write(
        dir,
        ".agents/skills/pdf-tools/agents/openai.yaml",
        CODEX_SKILL,
    );
    write(dir, "monitoring/agent.yaml", GRAFANA_AGENT);
    git_commit_all(dir, "other tools");
    let run = check(dir, &[]);
    assert_eq!(run.code, 0, "{}", out(&run));
    assert!(
        run.stdout
            .contains("2 files of other tools in manifest places"),
        "{}",
        out(&run)
    );
    let run = check(dir, &["--format", "json"]);
    assert_eq!(run.json()["summary"]["files"], 1, "{}", out(&run));
    assert_eq!(run.json()["summary"]["agents"], 1, "{}", out(&run));
    // Named on the command line (as the pre-commit hook names staged files), the same.
    let run = check(
        dir,
        &[
            ".agents/skills/pdf-tools/agents/openai.yaml",
            "monitoring/agent.yaml",
        ],
    );
    assert_eq!(run.code, 0, "{}", out(&run));

    write(dir, "services/triage/agent.yaml", FOUNDRY_AGENT);
    git_commit_all(dir, "a Foundry agent");
    let run = check(dir, &["--format", "json"]);
    assert_eq!(run.code, 1, "{}", out(&run));
    let found = findings(&run.json());
    assert!(
        found
            .iter()
            .any(|(rule, file, _)| rule == "AG100" && file == "services/triage/agent.yaml"),
        "{found:?}"
    );
    let run = check(dir, &[]);
    assert!(
        run.stdout
            .contains("3 files of other tools in manifest places"),
        "{}",
        out(&run)
    );
}

/// A file that claims to be a manifest must be exactly `agentgate/v1` `Agent`; a document with
/// `metadata` and `spec` but no header is a manifest that lost it. Both are errors (exit 2), and
/// only a file that looks like another tool's is pointed at `exclude`.
#[test]
fn claimed_but_wrong_and_headless_manifests_are_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    good_repo(dir);
    git_commit_all(dir, "base");
    let good = compliant_manifest("lost", today());
    let cases = [
        (
            "v2",
            good.replace("apiVersion: agentgate/v1", "apiVersion: agentgate/v2"),
        ),
        (
            "typo",
            good.replace("apiVersion: agentgate/v1", "apiVersion: AgentGate.io/v1"),
        ),
        ("no-kind", good.replace("kind: Agent\n", "")),
        (
            "headless",
            good.replace("apiVersion: agentgate/v1\n", "")
                .replace("kind: Agent\n", ""),
        ),
        (
            "kind-only",
            "kind: Agent\nname: helper\nmodel: gpt-4o\n".to_string(),
        ),
    ];
    for (name, text) in &cases {
        let file = format!("agents/{name}.agent.yaml");
        write(dir, &file, text);
        let run = check(dir, &[]);
        let what = format!("{name}: {}", out(&run));
        assert_eq!(run.code, 2, "{what}");
        assert!(what.contains(&file), "{what}");
        let suggests_exclude = what.contains("exclude");
        assert_eq!(suggests_exclude, *name == "kind-only", "{what}");
        std::fs::remove_file(dir.join(&file)).unwrap();
    }
}
