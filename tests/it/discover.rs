//! `agentgate discover` and `check --discover` on whole repositories, with the real binary:
//! a realistic mix of agents (only the unregistered ones reported) and an ordinary web app
//! (nothing reported).

use std::path::Path;

use crate::common::*;

/// A copy of testdata/discover/NAME as a repository of its own. Its reviews are signed and
/// trusted: a manifest's sources govern only while its review is valid (AG040 to AG044).
fn repository(name: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tempdir");
    copy_fixture(
        &crate_dir().join("testdata/discover").join(name),
        work.path(),
    );
    trust_test_key(work.path());
    std::fs::create_dir_all(work.path().join(".git")).expect("mark the repository root");
    work
}

fn rows(json: &serde_json::Value) -> Vec<(String, String, u64, String)> {
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// `agentgate discover` on the whole repository, as JSON.
fn discover_json(dir: &Path) -> Run {
    agentgate(dir, &["discover", "--format", "json", "--today", TODAY])
}

fn row(rule: &str, file: &str, line: u64, path: &str) -> (String, String, u64, String) {
    (rule.into(), file.into(), line, path.into())
}

#[test]
fn discover_reports_exactly_the_unregistered_agents() {
    let repo = repository("mixed");
    let run = discover_json(repo.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]));
    assert_eq!(
        rows(&json),
        vec![
            row("AG100", ".mcp.json", 3, "/mcpServers/github"),
            row("AG100", ".mcp.json", 10, "/mcpServers/docs"),
            row("AG100", ".well-known/agent-card.json", 3, ""),
            row("AG100", "services/support-bot/agent.py", 4, ""),
            row("AG100", "services/web-agent/src/index.ts", 1, ""),
            row("AG101", ".env", 2, "/ANTHROPIC_API_KEY"),
            row(
                "AG101",
                ".mcp.json",
                7,
                "/mcpServers/github/env/GITHUB_PERSONAL_ACCESS_TOKEN"
            ),
        ]
    );
    // The governed agent (services/billing, covered by agents/billing.agent.yaml) is not there.
    assert!(!run.stdout.contains("services/billing"), "{}", run.stdout);
    // Secrets never reach the output, only their prefix and length.
    assert!(!run.stdout.contains("ghp_R8x2Lq9Z"), "{}", run.stdout);
    assert!(!run.stdout.contains("sk-ant-api03-Xy7Q"), "{}", run.stdout);
    assert!(
        run.stdout.contains("ghp_… (40 characters, redacted)"),
        "{}",
        run.stdout
    );
    let messages: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert!(messages
        .iter()
        .any(|m| m.contains("services/support-bot") && m.contains("langchain")));
    assert!(messages
        .iter()
        .any(|m| m.contains("services/web-agent") && m.contains("ai")));
}

#[test]
fn discover_human_output_shows_file_line_and_masks_secrets() {
    let repo = repository("mixed");
    let run = agentgate(repo.path(), &["discover", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    for place in [
        "[.mcp.json:3:5]",
        "[.mcp.json:10:5]",
        "[.mcp.json:7:41]",
        "[.well-known/agent-card.json:3:11]",
        "[services/support-bot/agent.py:4:1]",
        "[services/web-agent/src/index.ts:1:1]",
        "[.env:2:19]",
    ] {
        assert!(
            run.stdout.contains(place),
            "{place} missing:\n{}",
            run.stdout
        );
    }
    assert!(run.stdout.contains("AG100 unregistered-agent"));
    assert!(run.stdout.contains("AG101 committed-secret"));
    assert!(!run.stdout.contains("services/billing"), "{}", run.stdout);
    assert!(!run.stdout.contains("R8x2Lq9Z"), "{}", run.stdout);
    assert!(!run.stdout.contains("Xy7Qm2Lp"), "{}", run.stdout);
}

#[test]
fn an_ordinary_web_app_has_no_findings() {
    let repo = repository("clean");
    for args in [
        &["discover", "--format", "json", "--today", TODAY][..],
        &["check", "--discover", "--format", "json", "--today", TODAY][..],
    ] {
        let run = agentgate(repo.path(), args);
        let json = run.json();
        assert_eq!(json["findings"], serde_json::json!([]), "{args:?}");
        assert_eq!(json["errors"], serde_json::json!([]), "{args:?}");
        assert_eq!(run.code, 0, "{args:?}");
    }
}

#[test]
fn check_runs_both_in_one_pass_and_no_discover_does_not_discover() {
    let repo = repository("mixed");
    let today = agentgate::units::parse_date(TODAY).expect("a date");
    write(
        repo.path(),
        "agents/payout.agent.yaml",
        wildcard_manifest("payout-exporter", today),
    );
    let both = agentgate(
        repo.path(),
        &["check", "--discover", "--format", "json", "--today", TODAY],
    );
    let json = both.json();
    let found = rows(&json);
    assert!(found.iter().any(|r| r.0 == "AG100"), "{found:?}");
    assert!(found.iter().any(|r| r.0 == "AG101"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|r| r.1 == "agents/payout.agent.yaml" && r.0 == "AG011"),
        "manifest findings come in the same run: {found:?}"
    );
    // Discovery is on by default: plain `check` is the same run as `check --discover`.
    let plain = agentgate(
        repo.path(),
        &["check", "--format", "json", "--today", TODAY],
    );
    assert_eq!(rows(&plain.json()), found, "plain check discovers too");
    let manifests_only = agentgate(
        repo.path(),
        &[
            "check",
            "--no-discover",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    let manifests_only = rows(&manifests_only.json());
    assert!(
        manifests_only.iter().all(|r| !r.0.starts_with("AG10")),
        "{manifests_only:?}"
    );
    assert!(
        manifests_only.iter().any(|r| r.0 == "AG011"),
        "{manifests_only:?}"
    );
}

#[test]
fn discovery_findings_are_waived_and_come_out_as_sarif() {
    let repo = repository("mixed");
    write(
        repo.path(),
        ".agentgate.yaml",
        "version: 1\nwaivers:\n  - rule: AG100\n    path: \"\"\n    reason: Inventory in progress\n    approvedBy: ciso@example.com\n    expires: 2026-12-31\n",
    );
    trust_test_key(repo.path());
    let run = discover_json(repo.path());
    let json = run.json();
    assert!(rows(&json).iter().all(|r| r.0 != "AG100"), "{}", run.stdout);
    assert_eq!(json["waived"].as_array().map(Vec::len), Some(5));
    let sarif = agentgate(
        repo.path(),
        &["discover", "--format", "sarif", "--today", TODAY],
    );
    let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"AG101"), "{rules:?}");
    assert!(!sarif.to_string().contains("R8x2Lq9Z"));
}

#[test]
fn discover_a_folder_of_a_repository() {
    let repo = repository("mixed");
    let run = agentgate(
        repo.path(),
        &["discover", "services", "--format", "json", "--today", TODAY],
    );
    let found = rows(&run.json());
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|r| r.1.starts_with("services/")),
        "{found:?}"
    );
    let github = agentgate(Path::new(repo.path()), &["discover", "--format", "github"]);
    assert!(
        github
            .stdout
            .contains("::error file=.mcp.json,line=3,col=5"),
        "{}",
        github.stdout
    );
}

/// An MCP configuration that cannot be read fails the run (exit 2, naming the file): the agents
/// it declares must not pass unseen. JSON's surrogate-pair escapes are read, and an unreadable
/// JSON file that is not an MCP configuration or agent card is not agentgate's business.
#[test]
fn an_unreadable_mcp_configuration_fails_closed() {
    let repo = repository("clean");
    write(
        repo.path(),
        "tools/.mcp.json",
        r#"{"mcpServers": {"bot": {"command": "npx", "args": ["bot-mcp", "\ud83e\udd16"]}}}"#,
    );
    write(repo.path(), "fixtures/broken.json", "{\"a\": [}\n");
    let run = discover_json(repo.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        rows(&run.json()),
        vec![row("AG100", "tools/.mcp.json", 1, "/mcpServers/bot")]
    );

    write(
        repo.path(),
        "tools/.mcp.json",
        "{\"mcpServers\": {\"bot\": [}\n",
    );
    let run = discover_json(repo.path());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let errors = run.json()["errors"].clone();
    assert_eq!(errors.as_array().unwrap().len(), 1, "{errors}");
    assert_eq!(errors[0]["file"], "tools/.mcp.json");
    assert_eq!(errors[0]["line"], 1);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("cannot read this MCP configuration"));
}

/// VS Code writes `mcp.json` as JSONC: its comments and trailing commas are read as VS Code
/// reads them, so the server is found under its own name; and a backslash before a non-ASCII
/// character (a Windows path) is read, not a crash.
#[test]
fn jsonc_configurations_and_windows_paths_are_read() {
    let repo = repository("clean");
    write(
        repo.path(),
        ".vscode/mcp.json",
        "{\n  // GitHub's hosted server\n  \"servers\": {\n    \"github\": {\"type\": \"http\", \"url\": \"https://api.example.com/mcp/\"}, /* more later */\n  },\n}\n",
    );
    write(
        repo.path(),
        ".mcp.json",
        "{\"mcpServers\": {\"local\": {\"command\": \"node\", \"args\": [\"C:\\\\Users\\\\Jos\u{e9}\\\\server.js\"]}}}\n",
    );
    write(
        repo.path(),
        "settings.yaml",
        "path: C:\\Users\\\u{c4}rger\\x\n",
    );
    let run = discover_json(repo.path());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        rows(&run.json()),
        vec![
            row("AG100", ".mcp.json", 1, "/mcpServers/local"),
            row("AG100", ".vscode/mcp.json", 4, "/servers/github"),
        ]
    );
}
