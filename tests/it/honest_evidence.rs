//! Evidence that does not lie (issue 13, item 4): every output an auditor reads as evidence
//! (inventory rows, report controls, JUnit cases, Markdown and GitHub summaries) must say what
//! the check found: no secret a rule flagged, no "valid" review the check calls stale, no
//! waived finding that vanishes, no test case for a rule that never ran, no passing control on
//! a repository with unregistered agents. Each test runs the real binary on a real repository.

use std::path::Path;

use crate::common::*;

/// A repository that trusts the test key, with one compliant, signed agent, committed; returns
/// the commit.
fn base_repo(dir: &Path, config: &str) -> String {
    write(dir, ".agentgate.yaml", config);
    trust_test_key(dir);
    write(
        dir,
        "agents/pay.agent.yaml",
        compliant_manifest("pay", today()),
    );
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "base"]);
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

// The secrets of the fixture, each as a rule flags it. Their bodies (past the first 4
// characters, which the redacted form keeps) must appear in no output.
const GITHUB_TOKEN: &str = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const OPENAI_KEY: &str = "sk-proj0123456789abcdefghijKLMNOPqrst";
const ENV_KEY: &str = "sk-ant-api03-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210";
const QUERY_KEY: &str = "sk-live9f8e7d6c5b4a39281706ffeeddccbbaa";

fn secret_repo(dir: &Path) -> String {
    let base = base_repo(dir, "version: 1\ndiscover: true\n");
    let leaky = signed(
        &unsigned_compliant_manifest("pay", today())
            .replace(
                "postgres://ledger/public.payouts",
                &format!("postgres://svc:{GITHUB_TOKEN}@db/ledger"),
            )
            .replace(
                "worstCase: Could read every payout row",
                &format!("worstCase: Could read every payout row with {OPENAI_KEY}"),
            ),
    );
    write(dir, "agents/pay.agent.yaml", leaky);
    write(dir, ".env", format!("ANTHROPIC_API_KEY={ENV_KEY}\n"));
    write(
        dir,
        ".mcp.json",
        format!(
            r#"{{"mcpServers": {{"search": {{"url": "https://mcp.example.com/v1?api_key={QUERY_KEY}"}}}}}}
"#
        ),
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "pr"]);
    base
}

/// Every command and format over a repository full of secrets: none prints one.
#[test]
fn no_output_of_any_command_holds_a_flagged_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = secret_repo(dir);
    // The rules flag every one of them (else the test would prove nothing).
    let run = agentgate(dir, &["check", "--format", "json", "--today", TODAY]);
    let flagged: Vec<(String, String, String)> = findings(&run.json());
    for (rule, file) in [
        ("AG025", "agents/pay.agent.yaml"),
        ("AG101", ".env"),
        ("AG101", ".mcp.json"),
    ] {
        assert!(
            flagged.iter().any(|(r, f, _)| r == rule && f == file),
            "{rule} in {file}: {flagged:?}"
        );
    }

    let mut runs: Vec<(String, Run)> = Vec::new();
    for format in [
        "human", "concise", "json", "sarif", "junit", "github", "markdown",
    ] {
        for command in ["check", "discover"] {
            runs.push((
                format!("{command} --format {format}"),
                agentgate(dir, &[command, "--format", format, "--today", TODAY]),
            ));
        }
    }
    for format in ["table", "csv", "json", "markdown"] {
        runs.push((
            format!("inventory --format {format}"),
            agentgate(dir, &["inventory", "--format", format, "--today", TODAY]),
        ));
    }
    for format in ["markdown", "json", "html"] {
        runs.push((
            format!("report --format {format}"),
            agentgate(dir, &["report", "--format", format, "--today", TODAY]),
        ));
    }
    for format in ["human", "json", "markdown"] {
        runs.push((
            format!("diff --format {format}"),
            agentgate(dir, &["diff", "--base", &base, "--format", format]),
        ));
    }
    let mut leaks = Vec::new();
    for (what, run) in &runs {
        for secret in [GITHUB_TOKEN, OPENAI_KEY, ENV_KEY, QUERY_KEY] {
            let body = &secret[4..];
            // Markdown escapes `_` and `-` may be escaped: compare without backslashes.
            let text = format!("{}{}", run.stdout, run.stderr).replace('\\', "");
            if text.contains(body) {
                leaks.push(format!("{what} prints {secret}"));
            }
        }
        assert!(run.code != 2, "{what} failed: {}{}", run.stdout, run.stderr);
    }
    assert!(leaks.is_empty(), "secrets printed:\n{}", leaks.join("\n"));
}

/// A manifest edited after its review (AG042) and an unsigned review (AG041): the inventory
/// says so, and `--unreviewed` lists both.
#[test]
fn inventory_review_columns_are_the_checks_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    base_repo(dir, "version: 1\n");
    // Edited after signing: the stored digest no longer matches.
    let stale = compliant_manifest("stale", today()).replace(
        "Opens a ticket for each mismatch",
        "Opens a ticket for each mismatch and closes it",
    );
    write(dir, "agents/stale.agent.yaml", stale);
    // Reviewed, never signed.
    write(
        dir,
        "agents/unsigned.agent.yaml",
        unsigned_compliant_manifest("unsigned", today()),
    );
    let check = agentgate(dir, &["check", "--format", "json", "--today", TODAY]);
    let found = findings(&check.json());
    assert!(
        found
            .iter()
            .any(|(r, f, _)| r == "AG042" && f == "agents/stale.agent.yaml"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(r, f, _)| r == "AG041" && f == "agents/unsigned.agent.yaml"),
        "{found:?}"
    );

    let inventory = agentgate(dir, &["inventory", "--format", "json", "--today", TODAY]);
    let agents = inventory.json()["agents"].as_array().unwrap().clone();
    let row = |name: &str| {
        agents
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name}: {agents:?}"))
            .clone()
    };
    assert_eq!(row("stale")["reviewStale"], true, "{}", row("stale"));
    assert_eq!(row("pay")["reviewStale"], false, "{}", row("pay"));
    assert_eq!(row("pay")["reviewSignature"], "valid");
    // The signature verifies, but over the manifest as it was: the column must not say "valid".
    assert_eq!(row("stale")["reviewSignature"], "stale", "{}", row("stale"));
    assert!(
        row("stale")["reviewSignatureReason"]
            .as_str()
            .is_some_and(|r| r.contains("AG042")),
        "{}",
        row("stale")
    );
    assert_ne!(
        row("unsigned")["reviewSignature"],
        "valid",
        "{}",
        row("unsigned")
    );
    assert_eq!(row("stale")["reviewFindings"], serde_json::json!(["AG042"]));
    assert_eq!(
        row("unsigned")["reviewFindings"],
        serde_json::json!(["AG041"])
    );

    let unreviewed = agentgate(
        dir,
        &[
            "inventory",
            "--unreviewed",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    let names: Vec<String> = unreviewed.json()["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["stale", "unsigned"], "{}", unreviewed.stdout);
    let table = agentgate(dir, &["inventory", "--today", TODAY]);
    let line = table
        .stdout
        .lines()
        .find(|l| l.starts_with("stale"))
        .unwrap();
    assert!(line.contains("stale"), "{line}");
    assert!(line.contains("AG042"), "{line}");
}

/// A waived finding shows, with its waiver, in every format: Markdown lists it, GitHub
/// annotates it as a notice, JUnit marks its case `skipped` with the reason.
#[test]
fn every_format_shows_each_waived_finding_with_its_waiver() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nwaivers:\n  - rule: AG061\n    agent: pay\n    reason: Baseline measured in SEC-77\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    trust_test_key(dir);
    write(
        dir,
        "agents/pay.agent.yaml",
        warning_only_manifest("pay", today()),
    );
    let run = |format: &str| agentgate(dir, &["check", "--format", format, "--today", TODAY]);
    let json = run("json");
    assert_eq!(json.json()["waived"].as_array().unwrap().len(), 1);

    let markdown = run("markdown").stdout;
    assert!(markdown.contains("AG061"), "{markdown}");
    assert!(
        markdown.contains("Baseline measured in SEC-77"),
        "{markdown}"
    );
    assert!(markdown.contains("ciso@example.com"), "{markdown}");

    let github = run("github").stdout;
    let notice = github
        .lines()
        .find(|l| l.starts_with("::notice "))
        .unwrap_or_else(|| panic!("no notice annotation:\n{github}"));
    assert!(notice.contains("file=agents/pay.agent.yaml"), "{notice}");
    assert!(notice.contains("AG061"), "{notice}");
    assert!(notice.contains("Baseline measured in SEC-77"), "{notice}");

    let junit = run("junit").stdout;
    let case = junit
        .split("<testcase ")
        .find(|c| c.contains("name=\"AG061"))
        .unwrap_or_else(|| panic!("no AG061 case:\n{junit}"));
    let case = case.split("</testcase>").next().unwrap();
    assert!(case.contains("<skipped"), "a waived case passed: {case}");
    assert!(case.contains("Baseline measured in SEC-77"), "{case}");
    assert!(junit.contains("skipped=\"1\""), "{junit}");
}

/// JUnit: a file that only discovery read has test cases for the footprint rules that found
/// something in it, never the manifest rules; a manifest has no case for a discovery rule.
#[test]
fn junit_lists_only_rules_that_ran_on_each_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    base_repo(dir, "version: 1\ndiscover: true\n");
    write(dir, ".env", format!("ANTHROPIC_API_KEY={ENV_KEY}\n"));
    write(dir, "app/requirements.txt", "anthropic\n");
    write(
        dir,
        "app/bot.py",
        "import anthropic\nclient = anthropic.Anthropic()\n",
    );
    let junit = agentgate(dir, &["check", "--format", "junit", "--today", TODAY]).stdout;
    let suite = |file: &str| -> Vec<String> {
        let start = junit
            .find(&format!("<testsuite name=\"{file}\""))
            .unwrap_or_else(|| panic!("no suite for {file}:\n{junit}"));
        let body = &junit[start..];
        let body = &body[..body.find("</testsuite>").unwrap()];
        body.split("<testcase name=\"")
            .skip(1)
            .map(|c| c[..c.find('"').unwrap()].to_string())
            .collect()
    };
    assert_eq!(suite(".env"), ["AG101 committed-secret"], "{junit}");
    assert_eq!(suite("app/bot.py"), ["AG100 unregistered-agent"], "{junit}");
    let manifest = suite("agents/pay.agent.yaml");
    assert!(
        manifest.iter().any(|c| c.starts_with("AG001")),
        "{manifest:?}"
    );
    for rule in ["AG100", "AG101", "AG102", "AG105", "AG090", "AG091"] {
        assert!(
            !manifest.iter().any(|c| c.starts_with(rule)),
            "{rule} did not run on the manifest: {manifest:?}"
        );
    }
}

/// `report` counts footprints and committed secrets against their controls, per file: a
/// repository with an unregistered agent does not pass CM-8, nor one with a committed key
/// IA-5(7) and CIS 16.4.
#[test]
fn report_counts_footprints_and_secrets_against_their_controls() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    base_repo(dir, "version: 1\ndiscover: true\n");
    write(dir, ".env", format!("ANTHROPIC_API_KEY={ENV_KEY}\n"));
    write(dir, "app/requirements.txt", "anthropic\n");
    write(
        dir,
        "app/bot.py",
        "import anthropic\nclient = anthropic.Anthropic()\n",
    );
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "agents without manifests"]);
    let report = agentgate(dir, &["report", "--format", "json", "--today", TODAY]);
    assert_eq!(report.code, 0, "{}", report.stderr);
    let json = report.json();
    let control = |id: &str| {
        json["controls"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no control {id}"))
            .clone()
    };
    for (id, file, rule) in [
        ("nist-800-53:CM-8", "app/bot.py", "AG100"),
        ("nist-800-53:IA-5(7)", ".env", "AG101"),
        ("cis:16.4", ".env", "AG101"),
    ] {
        let c = control(id);
        assert_ne!(c["filesFailing"], 0, "{id} passes: {c}");
        let files = c["failingFiles"].as_array().unwrap();
        assert!(
            files
                .iter()
                .any(|f| f["file"] == file && f["findings"][0]["rule"] == rule),
            "{id}: {c}"
        );
    }
    let markdown = agentgate(dir, &["report", "--format", "markdown", "--today", TODAY]).stdout;
    let section = markdown
        .split("\n### ")
        .find(|s| s.starts_with("nist-800-53:CM-8"))
        .unwrap_or_else(|| panic!("no CM-8 section:\n{markdown}"));
    assert!(section.contains("app/bot.py"), "{section}");
    let html = agentgate(dir, &["report", "--format", "html", "--today", TODAY]).stdout;
    assert!(
        html.contains("app/bot.py"),
        "the HTML report omits the footprint"
    );
}
