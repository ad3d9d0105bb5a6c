//! End to end: the real binary on a real git repository.

use crate::common::*;

const GOOD: &str = r#"apiVersion: agentgate/v1
kind: Agent
metadata:
  name: billing-reconciler
  description: Reconciles payouts against the ledger every night
spec:
  purpose: Compares nightly payout files with ledger entries and opens a ticket on mismatch.
  owner: {name: Jane Doe, email: jane.doe@example.com, team: finance-eng}
  backupOwner: {name: Raj Patel, email: raj.patel@example.com}
  lifecycle: {status: active, expires: 2027-05-31}
  identity: {type: workload, id: "spiffe://example.org/ns/finance/sa/billing-reconciler"}
  permissions:
    - resource: postgres://ledger/public.payouts
      actions: [read]
      justification: Reads payout rows to compare with the ledger
      dataClasses: [financial]
  credentials:
    - {name: ledger-db, type: federated, ttl: 1h, rotation: automatic, shared: false, source: "vault://finance/ledger-db"}
  blastRadius:
    worstCase: Could read every payout row; cannot write to the ledger or move money
    dataClasses: [financial]
    reversible: true
    externalReach: false
  baseline: {schedule: "0 2 * * *", maxActionsPerHour: 500, systems: ["postgres://ledger"]}
  audit: {logSink: "siem://splunk/agents"}
  review: {reviewer: sec-review@example.com, date: 2026-11-02}
"#;

/// GOOD with its review signed by the test-only key (check it where [`trust_test_key`] was called).
fn good() -> String {
    signed(GOOD)
}

fn wildcard() -> String {
    signed(
        &GOOD
            .replace("name: billing-reconciler", "name: support-bot")
            .replace("actions: [read]", "actions: [read, \"*\"]"),
    )
}

#[test]
fn git_repository_end_to_end() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    trust_test_key(dir);
    write(dir, "services/billing/agent.yaml", good());
    write(dir, "agents/support.agent.yaml", wildcard());
    write(
        dir,
        "agents/broken.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: [unclosed\n",
    );
    write(
        dir,
        ".agents/dup.yaml",
        GOOD.replace("name: billing-reconciler", "name: dup-agent")
            .replace("  purpose:", "  purpose: first\n  purpose:"),
    );
    write(dir, "vendor/agent.yaml", "not: [valid");
    write(dir, ".gitignore", "vendor/\n");
    write(
        dir,
        "notes/readme.yaml",
        "ignored: because the name is not a manifest name\n",
    );
    git_commit_all(dir, "fixture");

    let run = agentgate(dir, &["check", "--format", "json", "--today", TODAY]);
    assert_eq!(
        run.code, 2,
        "parse errors make the run exit 2\n{}",
        run.stdout
    );
    let json = run.json();
    let found: Vec<(String, String, u64, u64)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().into(),
                f["file"].as_str().unwrap().into(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "AG013".to_string(),
                "agents/support.agent.yaml".to_string(),
                13,
                5
            ),
            (
                "AG011".to_string(),
                "agents/support.agent.yaml".to_string(),
                14,
                23
            ),
        ]
    );
    let errors: Vec<(String, u64)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["file"].as_str().unwrap().into(),
                e["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            (".agents/dup.yaml".to_string(), 8),
            ("agents/broken.agent.yaml".to_string(), 4)
        ]
    );
    let dup = &json["errors"][0]["message"];
    assert!(
        dup.as_str().unwrap().contains("first defined on line 7"),
        "{dup}"
    );
    assert_eq!(json["summary"]["files"], 4);
    assert_eq!(json["summary"]["agents"], 2);
    assert_eq!(json["summary"]["problems"], 2);
}

#[test]
fn exit_codes_follow_the_failing_severity() {
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path();
    trust_test_key(dir);
    write(dir, "good/agent.yaml", good());
    git_commit_all(dir, "good");
    assert_eq!(agentgate(dir, &["check", "--today", TODAY]).code, 0);

    write(dir, "bad/agent.yaml", wildcard());
    let run = agentgate(dir, &["check", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("2 errors, 0 warnings in 1 of 2 agents"),
        "{}",
        run.stdout
    );
    assert_eq!(
        agentgate(dir, &["check", "--today", TODAY, "--no-fail"]).code,
        0
    );
    assert_eq!(
        agentgate(dir, &["check", "good", "--today", TODAY]).code,
        0,
        "paths choose what is reported"
    );

    // A warning fails only with --fail-on warning.
    let warn = signed(&GOOD.replace("name: billing-reconciler", "name: nobaseline").replace("  baseline: {schedule: \"0 2 * * *\", maxActionsPerHour: 500, systems: [\"postgres://ledger\"]}\n", ""));
    write(dir, "good/agent.yaml", warn);
    assert_eq!(agentgate(dir, &["check", "good", "--today", TODAY]).code, 0);
    assert_eq!(
        agentgate(
            dir,
            &["check", "good", "--today", TODAY, "--fail-on", "warning"]
        )
        .code,
        1
    );

    // Explicit paths matching nothing, and usage errors, are exit 2.
    assert_eq!(
        agentgate(dir, &["check", "nowhere", "--today", TODAY]).code,
        2
    );
    assert_eq!(agentgate(dir, &["check", "--today", "23/11/2026"]).code, 2);
    assert_eq!(agentgate(dir, &["check", "--format", "xml"]).code, 2);
}

#[test]
fn other_api_versions_are_errors_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "agent.yaml",
        GOOD.replace("agentgate/v1", "agentgate/v2"),
    );
    let run = agentgate(dir.path(), &["check", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 2);
    let message = run.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("unknown apiVersion \"agentgate/v2\""),
        "{message}"
    );
}

#[test]
fn multi_document_files_hold_several_agents() {
    let dir = tempfile::tempdir().unwrap();
    trust_test_key(dir.path());
    write(
        dir.path(),
        "team.agent.yaml",
        format!("{}---\n{}", good(), wildcard()),
    );
    let json = agentgate(dir.path(), &["check", "--format", "json", "--today", TODAY]).json();
    assert_eq!(json["summary"]["agents"], 2);
    let agents: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["agent"].as_str().unwrap())
        .collect();
    assert_eq!(agents, vec!["support-bot", "support-bot"]);
    let wildcard = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG011")
        .unwrap();
    assert_eq!(wildcard["line"], 14 + good().lines().count() as u64 + 1);
}

#[test]
fn configuration_mistakes_point_into_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "agent.yaml", good());
    for (config, line, needle) in [
        (
            "version: 1\nsettings:\n  maxTtl: forever\n",
            3,
            "not a duration",
        ),
        (
            "version: 1\nrules:\n  AG999: {enabled: false}\n",
            3,
            "unknown rule id AG999",
        ),
        (
            "version: 1\nrules:\n  AG000: {enabled: false}\n",
            3,
            "cannot be disabled",
        ),
        ("version: 1\nfailOn: fatal\n", 2, "failOn"),
        (
            "version: 1\nwaivers:\n  - rule: AG013\n",
            3,
            "required field `approvedBy` is missing",
        ),
        (
            "version: 1\npacks:\n  - git: https://example.com/rules.git\n    rev: main\n",
            4,
            "not a full 40-character commit id",
        ),
        ("version: 1\nsetings: {}\n", 2, "unknown field `setings`"),
    ] {
        write(dir.path(), ".agentgate.yaml", config);
        let run = agentgate(dir.path(), &["check", "--format", "json", "--today", TODAY]);
        assert_eq!(run.code, 2, "{config}");
        let error = &run.json()["errors"][0];
        assert_eq!(error["file"], ".agentgate.yaml", "{config}");
        assert_eq!(error["line"], line, "{config}: {error}");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{config}: {error}"
        );
    }
    write(dir.path(), ".agentgate.yaml", "version: 1\nrules:\n  AG061: {enabled: false}\n  AG004: {severity: error}\nsettings:\n  allowedSigners: .agentgate/allowed_signers\n");
    std::fs::create_dir_all(dir.path().join(".agentgate")).unwrap();
    std::fs::copy(
        crate_dir().join("testdata/keys/allowed_signers"),
        dir.path().join(".agentgate/allowed_signers"),
    )
    .unwrap();
    assert_eq!(agentgate(dir.path(), &["check", "--today", TODAY]).code, 0);
}

#[test]
fn hostile_inputs_are_refused_with_exit_2_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut bomb = String::from(
        "apiVersion: agentgate/v1\nkind: Agent\na0: &a0 [x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    let mut big = GOOD.to_string();
    big.push_str(&format!(
        "  x-padding: \"{}\"\n",
        "a".repeat(10 * 1024 * 1024)
    ));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "garbage.agent.yaml",
            (0u8..=255).cycle().take(4096).collect(),
            "UTF-8",
        ),
        (
            "latin1.agent.yaml",
            b"apiVersion: agentgate/v1\nkind: Agent\nname: Zo\xeb\n".to_vec(),
            "line 3, column 9",
        ),
        (
            "big.agent.yaml",
            big.into_bytes(),
            "larger than 1048576 bytes",
        ),
        (
            "deep.agent.yaml",
            // It claims to be a manifest (a file that does not is another tool's, manifest-v1).
            format!(
                "apiVersion: agentgate/v1\nkind: Agent\nx-deep: {}",
                "[".repeat(100_000)
            )
            .into_bytes(),
            "nesting",
        ),
        (
            "deepblock.agent.yaml",
            std::iter::once("apiVersion: agentgate/v1\n".to_string())
                .chain((0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i))))
                .collect::<String>()
                .into_bytes(),
            "nesting deeper than 64",
        ),
        ("bomb.agent.yaml", bomb.into_bytes(), "alias bomb"),
        (
            "controls.agent.yaml",
            b"apiVersion: agentgate/v1\n\x00\x01\x02\x03".to_vec(),
            "YAML syntax error",
        ),
    ];
    for (name, content, needle) in &cases {
        write(d, name, content);
        let run = agentgate(d, &["check", name, "--format", "json", "--today", TODAY]);
        assert_eq!(run.code, 2, "{name}");
        let errors = run.json()["errors"].clone();
        assert_eq!(errors.as_array().map(Vec::len), Some(1), "{name}: {errors}");
        assert_eq!(errors[0]["file"], *name);
        assert!(
            errors[0]["message"].as_str().unwrap().contains(needle),
            "{name}: {errors}"
        );
    }
    // An empty file and a lone string claim to be no manifest (manifest-v1): not checked as
    // manifests, never failing the run, counted as other tools' files.
    for (name, content) in [
        ("empty.agent.yaml", ""),
        ("scalar.agent.yaml", "just a string\n"),
    ] {
        write(d, name, content);
        let run = agentgate(d, &["check", name, "--today", TODAY]);
        assert_eq!(run.code, 0, "{name}: {}{}", run.stdout, run.stderr);
        assert!(
            run.stdout
                .contains("1 file of other tools in manifest places"),
            "{name}: {}",
            run.stdout
        );
    }
    // All at once: every file is listed, none stops the others.
    write(d, "good.agent.yaml", GOOD);
    let run = agentgate(d, &["check", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.json()["errors"].as_array().map(Vec::len),
        Some(cases.len())
    );
    assert_eq!(run.json()["summary"]["agents"], 1);
    // The larger cap is configurable.
    let run = agentgate(
        d,
        &[
            "check",
            "big.agent.yaml",
            "--max-file-size",
            "20000000",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(
        run.json()["errors"].as_array().map(Vec::len),
        Some(0),
        "{}",
        run.stdout
    );
}

/// The largest size the flag takes reads files whole: one past it once overflowed to a limit of
/// zero bytes, every manifest read as empty (another tool's file) and the run passed.
#[test]
fn the_largest_max_file_size_still_reads_every_manifest() {
    let dir = tempfile::tempdir().unwrap();
    trust_test_key(dir.path());
    write(dir.path(), "agents/support.agent.yaml", wildcard());
    let run = agentgate(
        dir.path(),
        &[
            "check",
            "--max-file-size",
            &u64::MAX.to_string(),
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["summary"]["agents"], 1, "{}", run.stdout);
}

#[test]
fn human_output_respects_no_color_and_ends_with_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    trust_test_key(dir.path());
    write(dir.path(), "agents/support.agent.yaml", wildcard());
    let run = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "no escape codes when NO_COLOR is set or stdout is a pipe"
    );
    assert!(
        run.stdout.contains("agents/support.agent.yaml:13:5"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .trim_end()
            .ends_with("2 errors, 0 warnings in 1 of 1 agent"),
        "{}",
        run.stdout
    );
}

/// testdata/parse: each hostile or broken file declares the error line it must produce
/// (`# expect-error: line N (...)`), or the findings it must produce (`# expect:`, checked by
/// `agentgate test --fixtures`, each such file a fixture folder of its own).
#[test]
fn parse_fixtures_report_their_declared_lines() {
    let dir = crate_dir().join("testdata/parse");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let declared = tempfile::tempdir().unwrap();
    let mut declared_count = 0;
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let work = tempfile::tempdir().unwrap();
        std::fs::copy(&file, work.path().join(&name)).unwrap();
        // Reviews in the fixtures that parse are signed by the test-only key, at test time.
        sign_in_place(&work.path().join(&name));
        trust_test_key(work.path());
        let run = agentgate(
            work.path(),
            &["check", &name, "--format", "json", "--today", TODAY],
        );
        let json = run.json();
        let expected_line = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("# expect-error:"))
            .map(|rest| {
                rest.trim()
                    .strip_prefix("line ")
                    .and_then(|r| r.split_whitespace().next())
                    .and_then(|n| n.parse::<u64>().ok())
            });
        match expected_line {
            Some(line) => {
                assert_eq!(run.code, 2, "{name}: {}", run.stdout);
                assert_eq!(
                    json["errors"].as_array().map(Vec::len),
                    Some(1),
                    "{name}: {}",
                    json["errors"]
                );
                if let Some(line) = line {
                    assert_eq!(
                        json["errors"][0]["line"], line,
                        "{name}: {}",
                        json["errors"][0]
                    );
                }
            }
            // Not UTF-8: it cannot be read, so whether it claims to be a manifest is unknown.
            None if name == "garbage.agent.yaml" => assert_eq!(run.code, 2, "{name}"),
            // Empty: it claims to be no manifest (manifest-v1), so it is another tool's file.
            None if name == "empty.agent.yaml" => {
                assert_eq!(run.code, 0, "{name}: {}", run.stdout);
                assert!(
                    run.stdout.contains("\"files\": 0"),
                    "{name}: {}",
                    run.stdout
                );
            }
            None => {
                let fixture = declared.path().join(name.trim_end_matches(".agent.yaml"));
                std::fs::create_dir_all(&fixture).unwrap();
                std::fs::copy(work.path().join(&name), fixture.join(&name)).unwrap();
                trust_test_key(&fixture);
                declared_count += 1;
                assert_eq!(
                    json["errors"].as_array().map(Vec::len),
                    Some(0),
                    "{name}: {}",
                    json["errors"]
                );
            }
        }
    }
    // The findings of the files that parse are exactly their `# expect:` lines.
    let run = agentgate(
        declared.path(),
        &["test", "--fixtures", ".", "--today", TODAY],
    );
    let passed: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.ends_with(": fixture PASS"))
        .collect();
    assert_eq!(
        (run.code, passed.len()),
        (0, declared_count),
        "{}{}",
        run.stdout,
        run.stderr
    );
    // Columns count characters, not bytes, and CRLF does not shift them.
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(
        dir.join("crlf.agent.yaml"),
        work.path().join("crlf.agent.yaml"),
    )
    .unwrap();
    sign_in_place(&work.path().join("crlf.agent.yaml"));
    trust_test_key(work.path());
    let json = agentgate(
        work.path(),
        &["check", "--format", "json", "--today", TODAY],
    )
    .json();
    let wildcard = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "AG011")
        .unwrap()
        .clone();
    assert_eq!(
        (wildcard["line"].as_u64(), wildcard["column"].as_u64()),
        (Some(37), Some(17))
    );
}

#[test]
fn the_example_repository_produces_its_declared_findings() {
    let examples = crate_dir().join("examples");
    // Inside this repository, whose root configuration excludes examples/: `--config` makes
    // the example's own configuration, and its folder, the root.
    let run = agentgate(
        &examples,
        &[
            "check",
            "--config",
            ".agentgate.yaml",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let json = run.json();
    assert_eq!(json["summary"]["agents"], 7);
    // Its findings are exactly its `# expect:` lines, as `agentgate test --fixtures` checks them
    // on a copy. The example rule pack's fixtures are excluded from the example repository's
    // checks (`exclude: [packs/**]`), so the copy leaves them out, expectations and all.
    let copy = tempfile::tempdir().unwrap();
    copy_dir(&examples, &copy.path().join("examples"));
    std::fs::remove_dir_all(copy.path().join("examples/packs")).unwrap();
    let run = agentgate(
        copy.path(),
        &["test", "--fixtures", "examples", "--today", TODAY],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.lines().any(|l| l == "examples: fixture PASS"),
        "{}",
        run.stdout
    );
    // From the repository root, as the README runs it.
    let run = agentgate(
        &crate_dir(),
        &[
            "check",
            "--config",
            "examples/.agentgate.yaml",
            "examples",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.json()["summary"]["agents"], 7);
    // The repository itself excludes its fixtures, so a default check there has nothing to do.
    let run = agentgate(
        &crate_dir(),
        &["check", "--format", "json", "--today", TODAY],
    );
    assert_eq!(
        (run.code, run.json()["summary"]["agents"].as_u64()),
        (0, Some(0)),
        "{}",
        run.stdout
    );
}
