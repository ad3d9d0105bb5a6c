//! Open attacks found by the adversary pass: each test is what the gate should do, and fails on
//! the current binary (so it is `#[ignore]`d with the reason until the product is fixed). Each
//! builds a real git repository and runs the real binary as CI does.

use std::path::Path;

use crate::common::*;

/// A repository that trusts the test key, with one compliant, signed agent, committed.
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
    head(dir)
}

/// A wildcard-granting, unreviewed agent: AG011, AG013 and AG040 at least.
fn escalated(name: &str) -> String {
    unsigned_compliant_manifest(name, today())
        .replace("actions: [read]", r#"actions: ["*"]"#)
        .lines()
        .filter(|l| !l.trim_start().starts_with("review:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A manifest whose file name is not UTF-8 (`ev\xffil.agent.yaml`: a legal name on Linux and
/// in git, and a manifest place by the documented rule `*.agent.yaml`) is dropped by the walk
/// (`is_manifest_place` gives up when the name is not UTF-8), so a wildcard-granting,
/// unreviewed agent passes the full run, `--changed-since` and the inventory.
#[test]
#[cfg(unix)]
fn a_manifest_with_a_non_utf8_file_name_is_not_skipped() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, "version: 1\n");
    assert_eq!(check(dir, &[]).code, 0);

    let name = std::ffi::OsStr::from_bytes(b"ev\xffil.agent.yaml");
    std::fs::write(dir.join("agents").join(name), escalated("evil")).unwrap();
    let dotted = std::ffi::OsStr::from_bytes(b"\xfe.yaml");
    std::fs::create_dir_all(dir.join(".agents")).unwrap();
    std::fs::write(dir.join(".agents").join(dotted), escalated("evil2")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "pr"]);

    for (what, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
    ] {
        // Either the agents are checked (exit 1: AG011, AG040) or the files are refused (exit
        // 2); never a pass.
        assert_ne!(run.code, 0, "{what}: {}", run.stdout);
    }
    let run = agentgate(dir, &["inventory", "--format", "json", "--today", TODAY]);
    assert!(
        run.stdout.contains("evil") || run.code == 2,
        "the inventory lists the agent: {}",
        run.stdout
    );
}

const MCP: &str = r#"{"mcpServers": {"shell": {"command": "npx", "args": ["-y", "shell-mcp"]}}}"#;

/// An MCP configuration that is a symlink inside the repository (`services/bot/.mcp.json ->
/// mcp-settings.txt`, which MCP clients follow) is never read by discovery: the listing keeps
/// one path per real file and prefers the target's own path, which is no agent-config place, so
/// the unregistered MCP server (AG100) disappears. The same file committed as a regular
/// `.mcp.json` fails the gate.
#[test]
#[cfg(unix)]
fn a_symlinked_mcp_configuration_is_still_discovered() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, "version: 1\ndiscover: true\n");
    write(dir, "services/bot/package.json", "{}\n");
    write(dir, "services/bot/.mcp.json", MCP);
    let plain = check(dir, &[]);
    assert_eq!(plain.code, 1, "{}", plain.stdout);
    assert!(plain.stdout.contains("AG100"), "{}", plain.stdout);

    std::fs::remove_file(dir.join("services/bot/.mcp.json")).unwrap();
    write(dir, "services/bot/mcp-settings.txt", MCP);
    std::os::unix::fs::symlink("mcp-settings.txt", dir.join("services/bot/.mcp.json")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "pr"]);
    for (what, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
        (
            "discover",
            agentgate(dir, &["discover", "--format", "json", "--today", TODAY]),
        ),
    ] {
        assert_ne!(run.code, 0, "{what}: {}", run.stdout);
        assert!(run.stdout.contains("AG100"), "{what}: {}", run.stdout);
    }
}

/// A report path that the pull request commits as a symlink (`agentgate.sarif ->
/// /anywhere/the/runner/can/write`) is written through: agentgate overwrites a file outside
/// the repository that the author chose (a shell profile, a cached tool, another report). It
/// should refuse a symlink at the output path (or replace the link, never follow it).
#[test]
#[cfg(unix)]
fn a_report_path_symlinked_out_of_the_repository_is_not_written_through() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "ORIGINAL\n").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    base_repo(dir, "version: 1\n");
    std::os::unix::fs::symlink(&victim, dir.join("agentgate.sarif")).unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("agentgate-junit.xml")).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "pr"]);
    let run = agentgate(
        dir,
        &[
            "check",
            "--today",
            TODAY,
            "--format",
            "human",
            "--format",
            "sarif=agentgate.sarif",
            "--format",
            "junit=agentgate-junit.xml",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "ORIGINAL\n",
        "exit {}: the file outside the repository was overwritten",
        run.code
    );
    // The reports replace the links, as regular files.
    for report in ["agentgate.sarif", "agentgate-junit.xml"] {
        let path = dir.join(report);
        let meta = std::fs::symlink_metadata(&path).unwrap();
        assert!(meta.is_file(), "{report} is still a symlink");
        assert!(!std::fs::read_to_string(&path).unwrap().is_empty());
    }
}

/// A submodule that the CI checkout did not initialise (`actions/checkout` does not fetch
/// submodules unless told to; `git clone` without `--recurse-submodules`) is skipped silently:
/// the wildcard-granting, unreviewed agent the pull request adds inside it passes the full run
/// and `--changed-since`. The gate passes what it did not read; it should fail closed (exit 2,
/// naming the gitlink) when a tracked submodule is not checked out.
#[test]
fn a_submodule_that_is_not_checked_out_fails_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let sub = tmp.path().join("sub");
    write(&sub, "agents/evil.agent.yaml", escalated("evil"));
    git(&sub, &["init", "-q"]);
    git(&sub, &["add", "-A"]);
    git(&sub, &["commit", "-qm", "agents"]);

    let origin = tmp.path().join("origin");
    let base = base_repo(&origin, "version: 1\n");
    git(
        &origin,
        &[
            "-c",
            "protocol.file.allow=always",
            "submodule",
            "add",
            "-q",
            sub.to_str().unwrap(),
            "vendor-agents",
        ],
    );
    git(&origin, &["commit", "-qm", "pr: add a submodule of agents"]);
    // Checked out with the submodule, the agent is read and fails the gate.
    assert_eq!(check(&origin, &[]).code, 1);

    // CI's clone: the pull request's commit, submodules not initialised.
    let ci = tmp.path().join("ci");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            ci.to_str().unwrap(),
        ],
    );
    assert!(ci.join("vendor-agents").is_dir());
    for (what, run) in [
        ("full", check(&ci, &[])),
        ("changed-since", check(&ci, &["--changed-since", &base])),
    ] {
        let text = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{what}: {text}");
        assert!(text.contains("vendor-agents"), "{what}: {text}");
        assert!(text.contains("submodules: recursive"), "{what}: {text}");
    }
    // A submodule the configuration excludes is no loss.
    let config = std::fs::read_to_string(ci.join(".agentgate.yaml")).unwrap();
    write(
        &ci,
        ".agentgate.yaml",
        format!("{config}exclude: [\"vendor-agents/**\"]\n"),
    );
    let run = check(&ci, &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// rules-v1: "Discovery runs by default in `check` (`discover: false` in the configuration
/// turns it off; `--no-discover` for one run), so a repository with agent footprints and no
/// manifests fails the gate". The binary used to discover only with `discover: true` or
/// `--discover`: an MCP server and Anthropic SDK code with no manifest passed `agentgate check`,
/// with and without a configuration (fixed in issue 13).
#[test]
fn check_discovers_by_default_as_rules_v1_says() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, "services/bot/package.json", "{}\n");
    write(
        dir,
        "services/bot/index.ts",
        "import Anthropic from \"@anthropic-ai/sdk\";\nconst client = new Anthropic();\n",
    );
    write(dir, ".mcp.json", MCP);
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "an agent with no manifest"]);
    let run = check(dir, &[]);
    assert_eq!(run.code, 1, "no configuration: {}", run.stdout);
    assert!(run.stdout.contains("AG100"), "{}", run.stdout);
    write(dir, ".agentgate.yaml", "version: 1\n");
    let run = check(dir, &[]);
    assert_eq!(run.code, 1, "version: 1 only: {}", run.stdout);
}

/// "Values that look like secrets are redacted in every format" (threat model): `check`
/// redacts a token written into a grant's resource (AG025), but `diff` (human, JSON, and the
/// Markdown meant for a pull-request comment) and `inventory` (Markdown, JSON, CSV) print it in
/// full: the pull request's author gets a live token posted into the CI log, the PR comment and
/// the inventory artifact.
#[test]
fn diff_and_inventory_redact_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, "version: 1\n");
    let token = "ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let leaky = signed(&unsigned_compliant_manifest("pay", today()).replace(
        "postgres://ledger/public.payouts",
        &format!("postgres://svc:{token}@db/ledger"),
    ));
    write(dir, "agents/pay.agent.yaml", leaky);
    git(dir, &["commit", "-qam", "pr"]);
    let run = check(dir, &["--changed-since", &base]);
    assert!(run.stdout.contains("AG025"), "{}", run.stdout);
    assert!(!run.stdout.contains(token), "check redacts: {}", run.stdout);
    // The token's body, as it shows also when Markdown escapes its `_`.
    let body = &token[4..];
    let mut leaks = Vec::new();
    for format in ["human", "json", "markdown"] {
        let run = agentgate(dir, &["diff", "--base", &base, "--format", format]);
        if run.stdout.contains(body) || run.stderr.contains(body) {
            leaks.push(format!("diff --format {format}"));
        }
    }
    for format in ["human", "json", "markdown", "csv"] {
        let run = agentgate(dir, &["inventory", "--format", format, "--today", TODAY]);
        if run.stdout.contains(body) || run.stderr.contains(body) {
            leaks.push(format!("inventory --format {format}"));
        }
    }
    assert!(leaks.is_empty(), "the token is printed by: {leaks:?}");
}

/// Discovery skips files over `--max-file-size` (1 MiB) silently unless they have one of the
/// known MCP configuration names: an MCP configuration with a top-level `mcpServers` under any
/// other name (`mcp-config.json`, handed to a client with `--mcp-config`) and agent SDK code are
/// found when small, and vanish (exit 0, no problem reported) once padded with a megabyte of
/// whitespace or a comment. A file that could hold a footprint and was not read should be a
/// problem (exit 2), as it is for `.mcp.json`.
#[test]
fn padding_past_the_size_limit_does_not_hide_a_footprint() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, "version: 1\ndiscover: true\n");
    write(dir, "services/bot/package.json", "{}\n");
    write(dir, "services/bot/mcp-config.json", format!("{MCP}\n"));
    let code = "import Anthropic from \"@anthropic-ai/sdk\";\nconst client = new Anthropic();\n";
    write(dir, "services/chat/package.json", "{}\n");
    write(dir, "services/chat/index.ts", code);
    let small = check(dir, &[]);
    assert_eq!(small.code, 1, "{}", small.stdout);
    assert!(small.stdout.contains("services/bot/mcp-config.json"));
    assert!(small.stdout.contains("services/chat/index.ts"));

    let pad = " ".repeat(1 << 20);
    write(dir, "services/bot/mcp-config.json", format!("{MCP}{pad}\n"));
    write(dir, "services/chat/index.ts", format!("{code}//{pad}x\n"));
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "pr"]);
    for (what, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
    ] {
        let text = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{what}: {text}");
        for file in ["services/bot/mcp-config.json", "services/chat/index.ts"] {
            assert!(text.contains(file), "{what}: {file}: {text}");
        }
        assert!(text.contains("--max-file-size"), "{what}: {text}");
    }
    // Raising the limit reads them: the footprints are found.
    let run = check(dir, &["--max-file-size", "4194304"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("services/bot/mcp-config.json"));
}
