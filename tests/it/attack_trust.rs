//! Attacks on what the gate trusts (issue 12), each reproduced end to end on the real binary:
//! a duplicate-name decoy (item 3), duplicate names at scale (item 16), a nested configuration
//! taking over (item 4), catch-all `spec.sources` (item 10) and a pack re-declaring a built-in
//! rule's package (item 12).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

fn today() -> i64 {
    agentgate::units::parse_date(TODAY).expect("a date")
}

/// A signed manifest for `name` with the given (resource, action) grants and delegates.
fn agent(name: &str, grants: &[(&str, &str)], delegates: &[&str], baseline: bool) -> String {
    let mut permissions = String::new();
    for (resource, action) in grants {
        permissions.push_str(&format!(
            "    - resource: {resource}\n      actions: [{action}]\n      justification: Needed for the job\n"
        ));
    }
    let delegation = if delegates.is_empty() {
        String::new()
    } else {
        format!(
            "  delegation:\n    delegatesTo: [{}]\n",
            delegates.join(", ")
        )
    };
    let baseline = if baseline {
        "  baseline: {maxActionsPerHour: 10}\n"
    } else {
        ""
    };
    signed(&format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n  name: {name}\n  description: Test agent {name}\nspec:\n  purpose: Does the work of {name}.\n  owner: {{name: Jane Doe, email: jane.doe@example.com}}\n  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}\n  lifecycle: {{status: active, expires: 2027-05-31}}\n  identity: {{type: workload, id: \"spiffe://example.org/{name}\"}}\n  permissions:\n{permissions}  credentials: []\n  blastRadius: {{worstCase: Writes some rows, dataClasses: [], reversible: true, externalReach: false}}\n{baseline}  audit: {{logSink: \"siem://splunk/agents\"}}\n  review: {{reviewer: sec-review@example.com, date: 2026-11-02}}\n{delegation}"
    ))
}

/// A zero-access, proposed manifest: it needs no review, so it breaks no error rule.
fn decoy(name: &str, sources: &[&str]) -> String {
    let sources = if sources.is_empty() {
        String::new()
    } else {
        format!(
            "  sources: [{}]\n",
            sources
                .iter()
                .map(|s| format!("{s:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n  name: {name}\n  description: Placeholder\nspec:\n  purpose: Nothing yet.\n  owner: {{name: Jane Doe, email: jane.doe@example.com}}\n  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}\n  lifecycle: {{status: proposed, expires: 2027-05-31}}\n  identity: {{type: workload, id: \"spiffe://example.org/{name}\"}}\n  permissions: []\n  credentials: []\n  blastRadius: {{worstCase: Nothing, dataClasses: [], reversible: true, externalReach: false}}\n  audit: {{logSink: \"siem://splunk/agents\"}}\n{sources}"
    )
}

/// (file, rule) of every finding.
fn reported(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn has(json: &serde_json::Value, file: &str, rule: &str) -> bool {
    reported(json).contains(&(file.to_string(), rule.to_string()))
}

const REAL: &str = "agents/payments-writer.agent.yaml";
const DECOY: &str = ".agents/payments-writer.yaml";
const ORCHESTRATOR: &str = "agents/orchestrator.agent.yaml";

/// Item 3: a new `.agents/payments-writer.yaml` (sorting before the real one) with no access
/// takes the real agent's place in the inventory. Before the fix, `--changed-since` passed: the
/// orchestrator's new delegation to the real writer (an escalation, AG071) was judged against
/// the decoy, the real file's AG080 was not reported because it did not change, the decoy
/// inherited the real agent's waivers, and `diff` showed the real agent losing its grants.
#[test]
fn a_duplicate_name_decoy_hides_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nwaivers:\n  - {rule: AG013, agent: payments-writer, reason: Writes are reviewed in bulk, approvedBy: ciso@example.com, expires: 2027-01-31}\n  - {rule: AG061, agent: payments-writer, reason: Baseline in progress, approvedBy: ciso@example.com, expires: 2027-01-31}\n",
    );
    trust_test_key(dir);
    let db = "postgres://db/public.payments";
    write(
        dir,
        REAL,
        agent(
            "payments-writer",
            &[(db, "read"), (db, "write")],
            &[],
            false,
        ),
    );
    write(
        dir,
        ORCHESTRATOR,
        agent("orchestrator", &[(db, "read")], &[], true),
    );
    let repo = git_commit_all(dir, "base");
    let base = repo.head().unwrap().target().unwrap().to_string();
    let clean = check(dir, &[]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);

    // The pull request: the orchestrator now delegates to the writer (it lacks `write`), and a
    // decoy of the writer's name appears.
    write(
        dir,
        ORCHESTRATOR,
        agent("orchestrator", &[(db, "read")], &["payments-writer"], true),
    );
    write(dir, DECOY, decoy("payments-writer", &[]));

    for (what, run) in [
        ("full", check(dir, &[])),
        ("changed-since", check(dir, &["--changed-since", &base])),
        // The pre-commit hook passes the file names it was given.
        ("paths", check(dir, &[DECOY, ORCHESTRATOR])),
        ("the decoy alone", check(dir, &[DECOY])),
    ] {
        let json = run.json();
        assert_eq!(run.code, 1, "{what}: {json}");
        // Both files of the name, each naming the other.
        assert!(has(&json, REAL, "AG080"), "{what}: {json}");
        assert!(has(&json, DECOY, "AG080"), "{what}: {json}");
        for f in json["findings"].as_array().unwrap() {
            if f["rule"] == "AG080" {
                let other = if f["file"] == REAL { DECOY } else { REAL };
                assert!(
                    f["message"].as_str().unwrap().contains(other),
                    "{what}: {f}"
                );
            }
        }
        // A duplicated name matches no waiver.
        assert!(
            json["waived"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| w["finding"]["agent"] != "payments-writer"
                    && w["agent"] != "payments-writer"),
            "{what}: {json}"
        );
        if what != "the decoy alone" {
            // Delegation to a duplicated name is AG070, never judged against the decoy.
            assert!(has(&json, ORCHESTRATOR, "AG070"), "{what}: {json}");
        }
    }

    // `diff` does not show the real agent losing its grants to the decoy.
    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let writer = json["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == "payments-writer")
        .unwrap_or_else(|| panic!("payments-writer is in the diff: {json}"))
        .clone();
    let changes = writer["changes"].as_array().unwrap();
    assert!(
        changes.iter().all(|c| c["direction"] != "reduction"),
        "{writer}"
    );
    assert!(
        changes
            .iter()
            .any(|c| c["direction"] == "escalation" && c["text"].as_str().unwrap().contains(DECOY)),
        "{writer}"
    );
}

/// How long `check` takes on a repository of `documents` decoy manifests in four files (each
/// under the 1 MiB limit), named `agent-0`, `agent-1`, …: with `pairs`, each name is used twice.
/// In a child process, killed after `limit`; returns the time and the number of AG080 findings.
fn timed_check(documents: usize, pairs: bool, limit: Duration) -> (Duration, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join(".git")).unwrap();
    let one = decoy("placeholder", &[]);
    let per_file = documents / 4;
    for file in 0..4 {
        let text: Vec<String> = (0..per_file)
            .map(|i| {
                let n = if pairs {
                    (file % 2) * per_file + i
                } else {
                    file * per_file + i
                };
                one.replace("placeholder", &format!("agent-{n}"))
            })
            .collect();
        write(dir, &format!("{file}.agent.yaml"), text.join("---\n"));
    }
    let started = Instant::now();
    let cache = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args(["check", "--format", "json", "--today", TODAY])
        .current_dir(dir)
        .env("AGENTGATE_CACHE", cache.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut out).unwrap();
        out
    });
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let elapsed = started.elapsed();
            let json: serde_json::Value = serde_json::from_str(&reader.join().unwrap()).unwrap();
            assert_eq!(status.code(), Some(i32::from(pairs)), "{}", json["summary"]);
            let duplicates = json["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "AG080")
                .count();
            return (elapsed, duplicates);
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{documents} documents (pairs: {pairs}) took more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Item 16: documents sharing names pairwise. Before the fix each duplicate cloned the whole
/// `data` document and prepared the engine again (quadratic: 4,000 documents took minutes); a
/// duplicate now costs what any manifest costs. Measured against the same number of
/// uniquely named documents, so that a slow (debug, shared) machine does not make it flaky:
/// before the fix, 1,000 documents took 58 s in pairs against 12 s unique (debug build).
#[test]
fn duplicate_names_are_checked_in_linear_time() {
    let limit = Duration::from_secs(300);
    let (unique, none) = timed_check(1000, false, limit);
    assert_eq!(none, 0);
    let (paired, found) = timed_check(1000, true, limit);
    assert_eq!(found, 1000, "AG080 on every document");
    assert!(
        paired < unique * 2 + Duration::from_secs(5),
        "1,000 documents in pairs took {paired:?}, unique ones {unique:?}"
    );
}

/// Item 4: `agents/.agentgate.yaml` (the author's) disables the rules when the paths given are
/// below it (the Action's `paths`, the pre-commit hook's file names). Before the fix it became
/// the configuration and the run passed.
#[test]
fn a_nested_configuration_is_refused_never_used() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nexclude: [fixtures/**]\n",
    );
    trust_test_key(dir);
    write(dir, ".gitignore", "scratch/\n");
    write(
        dir,
        "agents/billing.agent.yaml",
        wildcard_manifest("billing", today()),
    );
    git_commit_all(dir, "base");
    // Every rule it can reach switched off, and reviews trusted to the author's key (here the
    // test key, so that the run would pass).
    let nested = "version: 1\nrules:\n  AG011: {enabled: false}\n  AG013: {enabled: false}\nsettings:\n  allowedSigners: ../allowed_signers\n";
    // An excluded fixture repository and an untracked ignored scratch file are not refused.
    write(dir, "fixtures/one/.agentgate.yaml", "version: 1\n");
    write(dir, "scratch/.agentgate.yaml", nested);
    let run = check(dir, &["agents/billing.agent.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(has(&run.json(), "agents/billing.agent.yaml", "AG011"));

    // The author's configuration beside the manifests.
    write(dir, "agents/.agentgate.yaml", nested);
    for paths in [vec!["agents/billing.agent.yaml"], vec!["agents"], vec![]] {
        let run = check(dir, &paths);
        assert_eq!(run.code, 2, "{paths:?}: {}", run.stdout);
        let errors = run.json()["errors"].to_string();
        assert!(errors.contains("agents/.agentgate.yaml"), "{errors}");
        assert!(!errors.contains("fixtures/one"), "{errors}");
        assert!(!errors.contains("scratch"), "{errors}");
    }
    // From inside the folder too: the root is the git top level.
    let run = check(&dir.join("agents"), &["billing.agent.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains(".agentgate.yaml"), "{}", run.stdout);

    // `--config FILE` makes that file's folder the root: a repository of its own.
    let run = check(
        dir,
        &["--config", "fixtures/one/.agentgate.yaml", "fixtures/one"],
    );
    // It holds no manifest and no footprint: a clean run, and nothing refused.
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.json()["errors"],
        serde_json::json!([]),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("refused"), "{}", run.stdout);
}

const TWO_SERVERS: &str = r#"{"mcpServers": {"ledger": {"command": "npx", "args": ["ledger-mcp"]}, "payouts": {"command": "npx", "args": ["payouts-mcp"]}}}"#;

/// Item 10: a new, unreviewed manifest with `sources: ["**"]` governed every footprint, so AG100
/// was silent for the whole repository. Sources now govern only when the manifest passes the
/// review rules, a too-broad source is AG104, and `#NAME` narrows a file to one server.
#[test]
fn catch_all_sources_do_not_silence_discovery() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\ndiscover: true\n");
    trust_test_key(dir);
    std::fs::create_dir(dir.join(".git")).unwrap();
    write(dir, "services/payments/package.json", "{}\n");
    write(
        dir,
        "services/payments/index.ts",
        "import Anthropic from \"@anthropic-ai/sdk\";\nconst client = new Anthropic();\n",
    );
    write(
        dir,
        "services/ledger/pyproject.toml",
        "[project]\nname = \"x\"\n",
    );
    write(dir, "services/ledger/.mcp.json", TWO_SERVERS);

    // An unreviewed manifest that holds access (AG040) and claims everything.
    let unreviewed = agent("shadow", &[("postgres://db/t", "read")], &[], true)
        .split("  review:")
        .next()
        .unwrap()
        .to_string()
        + "  sources: [\"**\"]\n";
    write(dir, "agents/shadow.agent.yaml", &unreviewed);
    let run = check(dir, &[]);
    let json = run.json();
    assert!(has(&json, "agents/shadow.agent.yaml", "AG040"), "{json}");
    assert!(has(&json, "agents/shadow.agent.yaml", "AG104"), "{json}");
    assert!(has(&json, "services/payments/index.ts", "AG100"), "{json}");
    assert!(has(&json, "services/ledger/.mcp.json", "AG100"), "{json}");

    // A reviewed manifest naming a whole config file of two servers: AG104, and it governs.
    let reviewed = |sources: &str| {
        signed(
            &agent("ledger", &[("postgres://db/t", "read")], &[], true)
                .replace("  review:", &format!("  sources: [{sources}]\n  review:")),
        )
    };
    std::fs::remove_file(dir.join("agents/shadow.agent.yaml")).unwrap();
    write(
        dir,
        "agents/ledger.agent.yaml",
        reviewed("\"services/ledger/.mcp.json\""),
    );
    let json = check(dir, &[]).json();
    assert!(has(&json, "agents/ledger.agent.yaml", "AG104"), "{json}");
    assert!(!has(&json, "services/ledger/.mcp.json", "AG100"), "{json}");
    assert!(!has(&json, "agents/ledger.agent.yaml", "AG040"), "{json}");

    // `#NAME` narrows it to one server: the other one is unregistered.
    write(
        dir,
        "agents/ledger.agent.yaml",
        reviewed("\"services/ledger/.mcp.json#ledger\""),
    );
    let json = check(dir, &[]).json();
    assert!(!has(&json, "agents/ledger.agent.yaml", "AG104"), "{json}");
    assert!(!has(&json, "agents/ledger.agent.yaml", "AG103"), "{json}");
    let unregistered: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "AG100" && f["file"] == "services/ledger/.mcp.json")
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(unregistered, vec!["/mcpServers/payouts"], "{json}");
    // A name that is not there governs nothing (AG103).
    write(
        dir,
        "agents/ledger.agent.yaml",
        reviewed("\"services/ledger/.mcp.json#nobody\""),
    );
    let json = check(dir, &[]).json();
    assert!(has(&json, "agents/ledger.agent.yaml", "AG103"), "{json}");
}

/// Item 12: a pack file re-declaring a built-in rule's package (no body, its own METADATA with
/// `severity: warning`) took the package over: AG011 findings came out as the pack's warning.
#[test]
fn a_pack_cannot_redeclare_a_loaded_package() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir(dir.join(".git")).unwrap();
    trust_test_key(dir);
    write(
        dir,
        "agents/billing.agent.yaml",
        wildcard_manifest("billing", today()),
    );
    write(
        dir,
        "evil/override.rego",
        "# METADATA\n# title: Wildcards\n# custom:\n#   id: EVIL011\n#   slug: wildcard-ok\n#   severity: warning\n#   summary: S\n#   fix: F\npackage agentgate.rules.ag011_wildcard_grant\n",
    );
    let run = check(dir, &["--pack", "evil"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let errors = run.json()["errors"].to_string();
    assert!(errors.contains("override.rego"), "{errors}");
    assert!(errors.contains("ag011_wildcard_grant.rego"), "{errors}");

    // A helper package too: `agentgate.lib` re-declared could redefine what rules rely on.
    std::fs::remove_file(dir.join("evil/override.rego")).unwrap();
    write(
        dir,
        "evil/lib.rego",
        "package agentgate.lib\n\nimport rego.v1\n\nextra := true\n",
    );
    let run = check(dir, &["--pack", "evil"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.contains("lib.rego"), "{}", run.stdout);
    // And `agentgate test` loads the same way.
    let run = agentgate(dir, &["test", "--pack", "evil"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}
