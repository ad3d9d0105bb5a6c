//! Attacks on the honest gate (issue 13) found by an adversarial review after it landed, each
//! reproduced end to end on the real binary in a real git repository: a pull-request author who
//! wants an agent merged tries to make discovery, partial runs or `waive --all` pass what the
//! full run must fail, and to make the summary line say something false.

use std::path::Path;

use crate::common::*;

/// A manifest with `spec.sources`, no permission and no credential; `review` is the review
/// line (empty: none).
fn umbrella(sources: &str, review: &str) -> String {
    format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {{name: umbrella, description: Placeholder registration}}\nspec:\n  purpose: Registers the repository's agents and holds no access of its own.\n  owner: {{name: Jane Doe, email: jane.doe@example.com, team: support-eng}}\n  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}\n  lifecycle: {{status: proposed, expires: 2027-02-21}}\n  identity: {{type: workload, id: \"spiffe://example.org/ns/x/sa/umbrella\"}}\n  sources: [{sources}]\n  permissions: []\n  credentials: []\n  blastRadius: {{worstCase: Nothing, dataClasses: [], reversible: true, externalReach: false}}\n  baseline: {{schedule: \"0 * * * *\", maxActionsPerHour: 1}}\n  audit: {{logSink: \"siem://splunk/agents\"}}\n{review}"
    )
}

fn has(json: &serde_json::Value, rule: &str, file: &str) -> bool {
    rule_file_pairs(json).contains(&(rule.to_string(), file.to_string()))
}

/// Two service folders of agent code with no manifest, committed on the base.
fn legacy_code(dir: &Path) -> String {
    write(dir, ".agentgate.yaml", "version: 1\n");
    trust_test_key(dir);
    write(dir, "services/a/requirements.txt", "openai\n");
    write(dir, "services/a/x.py", "import openai\n");
    write(dir, "services/b/package.json", "{\"name\": \"b\"}\n");
    write(dir, "services/b/y.ts", "import OpenAI from \"openai\";\n");
    git_commit_all(dir, "base");
    head(dir)
}

/// A new manifest that holds no access needs no review (AG040), but its `spec.sources` must
/// not govern anything until a valid review accepts them: otherwise one unreviewed file
/// silences discovery for the whole repository, in every mode.
#[test]
fn an_unreviewed_manifest_without_access_governs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = legacy_code(dir);
    let sources = "services/a/**, services/b/**";
    write(dir, "agents/umbrella.agent.yaml", umbrella(sources, ""));
    for extra in [
        vec![],
        vec!["--changed-since", base.as_str()],
        vec!["agents/umbrella.agent.yaml", "services/a/x.py"],
    ] {
        let run = check(dir, &extra);
        assert_eq!(run.code, 1, "{extra:?}: {}{}", run.stdout, run.stderr);
        let json = run.json();
        assert!(has(&json, "AG100", "services/a/x.py"), "{extra:?}: {json}");
    }
    // A review whose signature does not verify governs nothing either.
    write(
        dir,
        "agents/umbrella.agent.yaml",
        umbrella(
            sources,
            "  review: {reviewer: sec-review@example.com, date: 2026-11-20, digest: \"sha256:00\", signature: nonsense}\n",
        ),
    );
    let run = check(dir, &[]);
    assert!(
        has(&run.json(), "AG100", "services/b/y.ts"),
        "{}",
        run.stdout
    );
    // Reviewed and signed, the same manifest governs its sources.
    write(
        dir,
        "agents/umbrella.agent.yaml",
        signed(&umbrella(
            sources,
            "  review: {reviewer: sec-review@example.com, date: 2026-11-20}\n",
        )),
    );
    let run = check(dir, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A code footprint is one per service folder, located at its first file: a change that adds
/// agent code to a folder whose footprint is old is still reported by a partial run.
#[test]
fn new_agent_code_in_a_folder_with_an_old_footprint_is_reported_by_partial_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    write(dir, "svc/requirements.txt", "openai\n");
    write(dir, "svc/a.py", "import openai\n");
    let repo = git_commit_all(dir, "legacy");
    let base = head(dir);
    write(dir, "svc/b.py", "from crewai import Agent\n");
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("svc/b.py")).unwrap();
    index.write().unwrap();
    for extra in [vec!["--staged"], vec!["--changed-since", base.as_str()]] {
        let run = check(dir, &extra);
        assert_eq!(run.code, 1, "{extra:?}: {}{}", run.stdout, run.stderr);
        assert!(
            rule_file_pairs(&run.json())
                .iter()
                .any(|(r, _)| r == "AG100"),
            "{extra:?}: {}",
            run.stdout
        );
    }
}

/// A change that adds a footprint under a manifest's source glob makes that glob cover two
/// service folders (AG104): the finding follows from the changed file, so a partial run
/// reports it as the full run does (only the source rules of that manifest: its other findings
/// do not follow from the change).
#[test]
fn a_source_rule_that_a_changed_file_triggers_is_reported_by_partial_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    trust_test_key(dir);
    write(dir, "services/bot/requirements.txt", "anthropic\n");
    write(dir, "services/bot/bot.py", "import anthropic\n");
    write(
        dir,
        "agents/umbrella.agent.yaml",
        signed(&umbrella(
            "services/bot/**",
            "  review: {reviewer: sec-review@example.com, date: 2026-11-20}\n",
        )),
    );
    git_commit_all(dir, "base");
    let base = head(dir);
    assert_eq!(check(dir, &["--fail-on", "warning"]).code, 0);
    write(dir, "services/bot/shadow/requirements.txt", "langchain\n");
    write(
        dir,
        "services/bot/shadow/agent.py",
        "from langchain.agents import AgentExecutor\n",
    );
    let full = check(dir, &["--fail-on", "warning"]);
    assert!(
        has(&full.json(), "AG104", "agents/umbrella.agent.yaml"),
        "{}",
        full.stdout
    );
    let since = check(dir, &["--fail-on", "warning", "--changed-since", &base]);
    assert_eq!(since.code, 1, "{}{}", since.stdout, since.stderr);
    assert!(
        has(&since.json(), "AG104", "agents/umbrella.agent.yaml"),
        "{}",
        since.stdout
    );
}

/// `waive --all` on a committed secret in a file a manifest governs (the finding carries the
/// agent) writes the finding's `file` too: a waiver for `/ANTHROPIC_API_KEY` of agent `bot`
/// must not cover the same variable in every other file the agent governs.
#[test]
fn waive_all_pins_a_discovery_finding_to_its_file_even_with_an_agent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    trust_test_key(dir);
    write(dir, "services/bot/bot.py", "import anthropic\n");
    write(
        dir,
        "services/bot/.env",
        "ANTHROPIC_API_KEY=sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789\n",
    );
    write(
        dir,
        "agents/umbrella.agent.yaml",
        signed(&umbrella(
            "services/bot/**",
            "  review: {reviewer: sec-review@example.com, date: 2026-11-20}\n",
        )),
    );
    git_commit_all(dir, "base");
    let before = check(dir, &[]);
    assert!(
        has(&before.json(), "AG101", "services/bot/.env"),
        "{}",
        before.stdout
    );
    let waive = agentgate(
        dir,
        &[
            "waive",
            "--all",
            "--reason",
            "Adoption SEC-1",
            "--approved-by",
            "ciso@example.com",
            "--expires",
            "2027-03-31",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(waive.code, 0, "{}{}", waive.stdout, waive.stderr);
    assert_eq!(check(dir, &[]).code, 0);
    write(
        dir,
        "services/bot/deploy/.env",
        "ANTHROPIC_API_KEY=sk-ant-api03-ANOTHERANOTHERANOTHERANOTH0123456789\n",
    );
    let after = check(dir, &[]);
    assert_eq!(after.code, 1, "{}", after.stdout);
    assert!(
        has(&after.json(), "AG101", "services/bot/deploy/.env"),
        "{}",
        after.stdout
    );
}

/// "no agents found: no manifests and no agent footprints" only when that is true: not when a
/// partial run reports nothing of a repository that has agents, nor when every footprint is
/// waived.
#[test]
fn the_summary_says_no_agents_found_only_when_there_are_none() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    trust_test_key(dir);
    write(dir, "services/bot/bot.py", "import anthropic\n");
    write(
        dir,
        "agents/umbrella.agent.yaml",
        signed(&umbrella(
            "services/bot/**",
            "  review: {reviewer: sec-review@example.com, date: 2026-11-20}\n",
        )),
    );
    write(dir, "README.md", "hello\n");
    git_commit_all(dir, "base");
    let base = head(dir);
    write(dir, "README.md", "hello again\n");
    let since = agentgate(dir, &["check", "--today", TODAY, "--changed-since", &base]);
    assert_eq!(since.code, 0, "{}{}", since.stdout, since.stderr);
    assert!(
        !since.stdout.contains("no agents found"),
        "{}",
        since.stdout
    );
    assert!(since.stdout.contains("1 agent"), "{}", since.stdout);

    // Every footprint waived, no manifest: there are agents, and the line says so.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nwaivers:\n  - rule: AG100\n    file: services/**\n    reason: Adoption SEC-2\n    approvedBy: ciso@example.com\n    expires: 2027-03-31\n",
    );
    write(dir, "services/bot/bot.py", "import anthropic\n");
    git_commit_all(dir, "base");
    let run = agentgate(dir, &["check", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("no agents found"), "{}", run.stdout);
    assert!(run.stdout.contains("1 waived"), "{}", run.stdout);
}

/// A value a rule flags as a secret never reaches an output, even where another message quotes
/// it without knowing it is one: an API key in an MCP server's URL host is AG101, and both the
/// AG101 and the AG100 message of that server used to print the URL whole.
#[test]
fn a_flagged_secret_is_redacted_in_every_message_of_every_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    write(
        dir,
        ".mcp.json",
        "{\"mcpServers\": {\"h\": {\"type\": \"http\", \"url\": \"https://sk-proj-AbCdEfGhIjKlMnOpQrStUvWx.mcp.example.com/mcp\"}}}\n",
    );
    git_commit_all(dir, "base");
    let json = check(dir, &[]).json();
    assert!(has(&json, "AG101", ".mcp.json"), "{json}");
    for format in [
        "human", "json", "sarif", "junit", "github", "markdown", "concise",
    ] {
        let run = agentgate(dir, &["check", "--format", format, "--today", TODAY]);
        let text = format!("{}{}", run.stdout, run.stderr).replace('\\', "");
        assert!(
            !text.contains("AbCdEfGhIjKlMnOpQrStUvWx"),
            "{format}: {text}"
        );
    }
    let run = agentgate(dir, &["discover", "--today", TODAY]);
    assert!(
        !run.stdout.contains("AbCdEfGhIjKlMnOpQrStUvWx"),
        "{}",
        run.stdout
    );
}
