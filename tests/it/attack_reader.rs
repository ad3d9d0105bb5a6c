//! Attacks on the reader and the renderers (issue 12): readers that disagree, memory bombs,
//! quadratic inputs, workflow-command injection, secrets in schema messages, autolinks.
//!
//! Each test reproduces one attack of issue 12 on the real binary. Inputs that were dangerous
//! before the fix (memory bombs, quadratic lines) run in a child under `prlimit` (address space
//! and CPU time) and a wall-clock timeout, and must be refused quickly.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A manifest with no finding of its own beyond the missing review; `extra` is spliced into
/// `spec` (two-space indented lines).
fn manifest(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: agentgate/v1
kind: Agent
metadata:
  name: {name}
  description: Reconciles payouts against the ledger every night
spec:
  purpose: Compares nightly payout files with ledger entries.
  owner: {{name: Jane Doe, email: jane.doe@example.com}}
  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}
  lifecycle: {{status: active, expires: 2027-05-31}}
  identity: {{type: workload, id: \"spiffe://example.org/ns/finance/sa/{name}\"}}
  blastRadius:
    worstCase: Could read every payout row
    dataClasses: [financial]
    reversible: true
    externalReach: false
  audit: {{logSink: \"siem://splunk/agents\"}}
  baseline: {{maxActionsPerHour: 10}}
{extra}"
    )
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".agentgate.yaml", "version: 1\n");
    dir
}

/// The binary in a child limited to 2 GiB of address space and `cpu` seconds of CPU, killed
/// after `wall`: returns the exit code (None when killed by a signal), the output and the time.
fn limited(dir: &Path, args: &[&str], cpu: u32, wall: Duration) -> (Option<i32>, String, Duration) {
    let started = Instant::now();
    // Output goes to files: a pipe nobody drains would stall a child that writes a lot.
    let out = tempfile::tempfile().expect("temporary file");
    let err = tempfile::tempfile().expect("temporary file");
    let cache = tempfile::tempdir().expect("a cache folder");
    let mut child = Command::new("prlimit")
        .arg(format!("--as={}", 2u64 << 30))
        .arg(format!("--cpu={cpu}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AGENTGATE_CACHE", cache.path())
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(err.try_clone().unwrap()))
        .spawn()
        .expect("prlimit runs (util-linux)");
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > wall {
            let _ = child.kill();
            let _ = child.wait();
            return (None, format!("killed after {wall:?}"), started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |mut file: std::fs::File| {
        use std::io::{Read, Seek};
        let mut bytes = Vec::new();
        file.seek(std::io::SeekFrom::Start(0)).unwrap();
        file.read_to_end(&mut bytes).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let text = format!("{}{}", read(out), read(err));
    (status.code(), text, started.elapsed())
}

// Item 6: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks to YAML 1.1 readers.

#[test]
fn raw_nel_ls_ps_are_refused_at_their_line_and_column() {
    for (name, ch) in [("nel", '\u{85}'), ("ls", '\u{2028}'), ("ps", '\u{2029}')] {
        for (place, line, text) in [
            // In a comment: a YAML 1.1 reader ends the comment there and sees a second key.
            (
                "comment",
                19,
                format!("  permissions: [] # note{ch}  permissions: [{{resource: x, actions: ['*']}}]\n  credentials: []\n"),
            ),
            ("quoted", 21, format!("  permissions: []\n  credentials: []\n  x-note: \"a{ch}b\"\n")),
            ("plain", 21, format!("  permissions: []\n  credentials: []\n  x-note: a{ch}b\n")),
        ] {
            let dir = repo();
            write(dir.path(), "a.agent.yaml", manifest("billing", &text));
            let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", "json"]);
            assert_eq!(run.code, 2, "{name} in {place}: {}{}", run.stdout, run.stderr);
            let errors = &run.json()["errors"];
            let error = &errors[0];
            assert!(
                error["message"].as_str().unwrap().contains("line break"),
                "{name} in {place}: {errors}"
            );
            assert_eq!(error["line"], line, "{name} in {place}: {errors}");
            assert!(error["column"].as_u64().unwrap() > 1, "{errors}");
        }
    }
}

#[test]
fn escaped_line_separators_and_other_unicode_stay_allowed() {
    let dir = repo();
    let text = "  permissions: []\n  credentials: []\n  x-note: \"a\\u2028b\\N\\L\\P é ✓\"\n";
    write(dir.path(), "a.agent.yaml", manifest("billing", text));
    let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", "json"]);
    assert!(
        run.json()["errors"].as_array().unwrap().is_empty(),
        "{}",
        run.stdout
    );
}

#[test]
fn a_yaml_1_1_directive_is_refused() {
    let dir = repo();
    let text = format!(
        "%YAML 1.1\n---\n{}",
        manifest("billing", "  permissions: []\n  credentials: []\n")
    );
    write(dir.path(), "a.agent.yaml", text);
    let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", "json"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let errors = run.json()["errors"].to_string();
    assert!(errors.contains("%YAML 1.1"), "{errors}");
    // A 1.2 directive is what the reader reads anyway.
    let text = format!(
        "%YAML 1.2\n---\n{}",
        manifest("billing", "  permissions: []\n  credentials: []\n")
    );
    write(dir.path(), "a.agent.yaml", text);
    let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", "json"]);
    assert!(
        run.json()["errors"].as_array().unwrap().is_empty(),
        "{}",
        run.stdout
    );
}

/// Shows the disagreement itself when PyYAML is at hand: it sees two `permissions` keys' worth
/// of grants where agentgate refuses the file.
#[test]
fn pyyaml_reads_a_hidden_key_that_agentgate_refuses() {
    let has_pyyaml = Command::new("python3")
        .args(["-c", "import yaml"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pyyaml {
        crate::common::skip("python3 with PyYAML missing: the PyYAML comparison did not run");
        return;
    }
    let dir = repo();
    let text = manifest(
        "billing",
        "  credentials: []\n  permissions: [] # reviewed\u{85}  x-hidden: [{resource: prod, actions: ['*']}]\n",
    );
    write(dir.path(), "a.agent.yaml", &text);
    let py = Command::new("python3")
        .args([
            "-c",
            "import sys, yaml; d = yaml.safe_load(open(sys.argv[1], encoding='utf-8')); print(sorted(d['spec']))",
        ])
        .arg(dir.path().join("a.agent.yaml"))
        .output()
        .unwrap();
    let seen = String::from_utf8_lossy(&py.stdout);
    assert!(seen.contains("x-hidden"), "PyYAML sees: {seen}");
    let run = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}", run.stdout);
}

// Item 13: an alias bomb that stays under the value budget but not under a byte budget.

fn string_bomb() -> String {
    let mut text = String::with_capacity(1_000_000);
    text.push_str("a: &a \"");
    text.push_str(&"x".repeat(500_000));
    text.push_str("\"\nb: [");
    text.push_str(&"*a,".repeat(150_000));
    text.push_str("*a]\n");
    text
}

#[test]
fn a_string_alias_bomb_in_a_manifest_is_refused_quickly() {
    let dir = repo();
    write(
        dir.path(),
        "bomb.agent.yaml",
        format!("apiVersion: agentgate/v1\nkind: Agent\n{}", string_bomb()),
    );
    let (code, out, took) = limited(
        dir.path(),
        &["check", "--today", TODAY],
        20,
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2), "{out} ({took:?})");
    assert!(out.contains("expands to more than"), "{out}");
}

#[test]
fn a_string_alias_bomb_in_a_discovered_file_is_refused_quickly() {
    let dir = repo();
    write(
        dir.path(),
        ".vscode/mcp.yaml",
        format!("mcpServers:\n  x: {{command: npx}}\n{}", string_bomb()),
    );
    let (code, out, took) = limited(
        dir.path(),
        &["discover", "--today", TODAY],
        20,
        Duration::from_secs(30),
    );
    assert!(code.is_some_and(|c| c <= 2), "{out} ({took:?})");
    assert!(!out.contains("memory allocation"), "{out}");
}

#[test]
fn a_string_alias_bomb_in_the_configuration_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        ".agentgate.yaml",
        format!(
            "version: 1\nx-bomb:\n  {}",
            string_bomb().replace('\n', "\n  ")
        ),
    );
    let (code, out, took) = limited(
        dir.path(),
        &["check", "--today", TODAY],
        20,
        Duration::from_secs(30),
    );
    assert_eq!(code, Some(2), "{out} ({took:?})");
    assert!(out.contains("expands to more than"), "{out}");
}

// Item 16 (first half): one long line of flow collections must read in linear time.

#[test]
fn one_long_line_of_flow_collections_reads_in_linear_time() {
    let dir = repo();
    let mut text = String::from("apiVersion: agentgate/v1\nkind: Agent\nx: [");
    text.push_str(&"[],".repeat(320_000));
    text.push_str("[]]\n");
    write(dir.path(), "long.agent.yaml", text);
    let (code, out, took) = limited(
        dir.path(),
        &["check", "--today", TODAY, "--format", "json"],
        30,
        Duration::from_secs(20),
    );
    assert!(code.is_some(), "{out} ({took:?})");
    assert!(took < Duration::from_secs(20), "{took:?}");
}

// Item 14: workflow-command injection through the human output, which CI writes to the log
// the Actions runner parses.

/// Lines the runner would take as a command: `::` at the start after leading whitespace, or
/// a legacy `##[` (and Azure's `##vso[`) anywhere.
fn command_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.trim_start().starts_with("::") || l.contains("##[") || l.contains("##vso["))
        .collect()
}

#[test]
fn human_output_cannot_inject_workflow_commands() {
    let dir = repo();
    let extra = "  permissions:\n    - resource: \"db\\n::warning file=x::forged\\r\\n##[error]legacy \\e[2J\"\n      actions: ['*']\n      justification: x\n  credentials: []\n  \"bad##[error]forged\\u001b[2J\": 1\n";
    write(
        dir.path(),
        "agents/evil\n::stop-commands::tok\n##[error]x.agent.yaml",
        manifest("billing", extra),
    );
    write(
        dir.path(),
        "agents/broken\n::error::forged.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\na: [\n",
    );
    let run = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("AG011"), "{}", run.stdout);
    assert!(run.stdout.contains("forged"), "{}", run.stdout);
    assert_eq!(
        command_lines(&run.stdout),
        Vec::<&str>::new(),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains(['\u{1b}', '\r']),
        "a control character reached the log: {:?}",
        run.stdout
    );
    // The `github` format: one command per line, whatever the file names and values hold.
    let run = agentgate(
        dir.path(),
        &["check", "--today", TODAY, "--format", "github"],
    );
    for line in run.stdout.lines() {
        assert!(
            line.starts_with("::error file=") || line.starts_with("::warning file="),
            "{line:?}"
        );
        assert!(!line.contains(['\u{1b}', '\r']), "{line:?}");
    }
}

// Item 15: a secret in a value with a schema error.

#[test]
fn a_secret_in_a_schema_error_is_redacted_in_every_format_and_ag025_kept() {
    let token = format!("ghp_{}", "A1b2C3d4E5".repeat(4));
    let dir = repo();
    let extra = format!(
        "  permissions: []\n  credentials:\n    - {{name: db, type: federated, ttl: 1h, rotation: automatic, shared: {token}}}\n  x-note: {{owner: 1}}\n"
    );
    write(dir.path(), "a.agent.yaml", manifest("billing", &extra));
    let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", "json"]);
    let found = findings(&run.json());
    let at = |rule: &str| {
        found
            .iter()
            .any(|(r, _, p)| r == rule && p == "/spec/credentials/0/shared")
    };
    assert!(at("AG000") && at("AG025"), "{found:?}");
    for format in [
        "human", "concise", "json", "sarif", "junit", "github", "markdown",
    ] {
        let run = agentgate(dir.path(), &["check", "--today", TODAY, "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        assert!(
            !run.stdout.contains(&token) && !run.stdout.contains(&token[..12]),
            "{format} shows the secret:\n{}",
            run.stdout
        );
    }
}

// Item 17: Markdown must not autolink URLs taken from manifests.

/// Every occurrence of `needle` in `markdown` sits inside a code span (a run of backticks up to
/// the next run of the same length, as CommonMark reads them).
fn only_in_code_spans(markdown: &str, needle: &str) -> Result<(), String> {
    for line in markdown.lines() {
        let bytes = line.as_bytes();
        let mut code = vec![false; bytes.len()];
        let run_at = |i: usize| bytes[i..].iter().take_while(|b| **b == b'`').count();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' {
                i += 2;
                continue;
            }
            if bytes[i] != b'`' {
                i += 1;
                continue;
            }
            let n = run_at(i);
            let mut j = i + n;
            let close = loop {
                if j >= bytes.len() {
                    break None;
                }
                if bytes[j] == b'`' {
                    let m = run_at(j);
                    if m == n {
                        break Some(j);
                    }
                    j += m;
                } else {
                    j += 1;
                }
            };
            match close {
                Some(j) => {
                    code[i..j + n].iter_mut().for_each(|c| *c = true);
                    i = j + n;
                }
                None => i += n,
            }
        }
        for (at, _) in line.match_indices(needle) {
            if !code[at] {
                return Err(format!("{needle:?} outside a code span in {line:?}"));
            }
        }
    }
    Ok(())
}

#[test]
fn markdown_does_not_autolink_urls_from_manifests() {
    let dir = repo();
    let extra = "  permissions:\n    - resource: https://evil.example/login?next=`x`\n      actions: ['*']\n      justification: x\n    - resource: www.evil.example/a\n      actions: ['*']\n      justification: x\n  credentials: []\n";
    write(dir.path(), "a.agent.yaml", manifest("billing", extra));
    let run = agentgate(
        dir.path(),
        &["check", "--today", TODAY, "--format", "markdown"],
    );
    assert!(run.stdout.contains("evil.example"), "{}", run.stdout);
    only_in_code_spans(&run.stdout, "evil.example")
        .unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    // A backtick in the URL does not end the code span early.
    assert!(
        run.stdout
            .contains("`` https://evil.example/login?next=`x` ``"),
        "{}",
        run.stdout
    );

    let run = agentgate(
        dir.path(),
        &["inventory", "--today", TODAY, "--format", "markdown"],
    );
    only_in_code_spans(&run.stdout, "evil.example")
        .unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    assert!(
        run.stdout.contains("spiffe://example.org"),
        "{}",
        run.stdout
    );
}

#[test]
fn diff_markdown_does_not_autolink_or_format_manifest_text() {
    let dir = repo();
    write(
        dir.path(),
        "a.agent.yaml",
        manifest("billing", "  permissions: []\n  credentials: []\n"),
    );
    git_commit_all(dir.path(), "base");
    let base = git2::Repository::open(dir.path())
        .unwrap()
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let extra = "  permissions:\n    - resource: https://evil.example/**[click](https://evil.example)**\n      actions: [read]\n      justification: x\n  credentials: []\n";
    write(dir.path(), "a.agent.yaml", manifest("billing", extra));
    let run = agentgate(
        dir.path(),
        &["diff", "--base", &base, "--format", "markdown"],
    );
    assert!(
        run.stdout.contains("evil.example"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    only_in_code_spans(&run.stdout, "evil.example")
        .unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
}

/// Item 14 beyond `check`: `diff`'s human output, the inventory table and the problems other
/// commands print to stderr quote the repository too, and reach the same CI log.
#[test]
fn other_commands_cannot_inject_workflow_commands() {
    let dir = repo();
    write(
        dir.path(),
        "a.agent.yaml",
        manifest("billing", "  permissions: []\n  credentials: []\n"),
    );
    git_commit_all(dir.path(), "base");
    let extra = "  permissions:\n    - resource: \"db\\n::error::forged\\n##[error]legacy \\e[2J\"\n      actions: [read]\n      justification: x\n  credentials: []\n";
    write(dir.path(), "a.agent.yaml", manifest("billing", extra));
    let run = agentgate(dir.path(), &["diff", "--base", "HEAD"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("forged"), "{}", run.stdout);
    assert_eq!(
        command_lines(&run.stdout),
        Vec::<&str>::new(),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);

    // The inventory table, and the problems `inventory` prints when a file cannot be read.
    write(
        dir.path(),
        "b.agent.yaml",
        manifest("team-##[error]x", "  permissions: []\n  credentials: []\n"),
    );
    let run = agentgate(dir.path(), &["inventory", "--today", TODAY]);
    assert_eq!(
        command_lines(&run.stdout),
        Vec::<&str>::new(),
        "{}",
        run.stdout
    );
    write(
        dir.path(),
        "agents/broken\n::error::forged\n##[error]x.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\na: [\n",
    );
    let run = agentgate(dir.path(), &["inventory", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("forged"), "{}", run.stderr);
    assert_eq!(
        command_lines(&run.stderr),
        Vec::<&str>::new(),
        "{}",
        run.stderr
    );
}

/// Found by fuzzing: a `.env` line whose left side is no variable name (`token sk-… NAME=sk-…`)
/// was read as one variable, and AG101's message quoted that "name", key and all.
#[test]
fn an_env_line_that_is_no_assignment_quotes_no_key() {
    let dir = repo();
    let first = "sk-abcdefghijklmnopqrstuvwxyz";
    let second = "sk-abcdefghijklmnopqrstuvwxyz0123";
    write(
        dir.path(),
        ".env",
        format!("token {first} OPENAI_API_KEY={second}\n"),
    );
    for format in [
        "human", "concise", "json", "sarif", "markdown", "github", "junit",
    ] {
        let run = agentgate(
            dir.path(),
            &["discover", "--format", format, "--today", TODAY],
        );
        assert_eq!(run.code, 1, "{format}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("AG101"), "{format}: {}", run.stdout);
        for secret in [first, second] {
            assert!(!run.stdout.contains(secret), "{format}: {}", run.stdout);
        }
    }
    let json = agentgate(
        dir.path(),
        &["discover", "--format", "json", "--today", TODAY],
    )
    .json();
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(2), "{json}");
}
