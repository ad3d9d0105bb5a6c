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
    let mut child = Command::new("prlimit")
        .arg(format!("--as={}", 2u64 << 30))
        .arg(format!("--cpu={cpu}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
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
    assert!(run.json()["errors"].as_array().unwrap().is_empty(), "{}", run.stdout);
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
    assert!(run.json()["errors"].as_array().unwrap().is_empty(), "{}", run.stdout);
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
        eprintln!("skipped: python3 with PyYAML is not available");
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
    write(dir.path(), "bomb.agent.yaml", format!("apiVersion: agentgate/v1\nkind: Agent\n{}", string_bomb()));
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
    write(dir.path(), ".agentgate.yaml", format!("version: 1\nx-bomb:\n  {}", string_bomb().replace('\n', "\n  ")));
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
