//! Rule packs beside the built-in one: local folders, `--pack`, and git repositories pinned by
//! commit (fetched with git, cached, then usable offline), validated when they load.

use std::path::Path;

use crate::common::*;

const RULE: &str = r#"# METADATA
# title: External PII
# description: Agents that touch PII must not reach outside the organisation.
# custom:
#   id: ACME001
#   slug: external-pii
#   severity: error
#   summary: An agent with PII access has external reach
#   fix: Remove externalReach or the PII grant.
#   controls: [soc2:CC6.1]
package agentgate.rules.acme.privacy.external_pii

import rego.v1

deny contains {"msg": "this agent is watched by ACME", "path": "/metadata/name"} if {
	input.metadata.name == "billing-reconciler"
}
"#;

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    // Its review is signed at test time (`signature: SIGN-AT-TEST-TIME`).
    let fixture = crate_dir()
        .join("testdata/rules/AG001/pass")
        .read_dir()
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(
        dir.path().join("billing.agent.yaml"),
        read_fixture(&fixture),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    // The fixture's review is signed by the test-only key; whatever the test configured, the
    // repository trusts it.
    trust_test_key(dir);
    agentgate_with_env(dir, args, &[("AGENTGATE_CACHE", cache)])
}

fn rules_of(json: &serde_json::Value) -> Vec<String> {
    findings(json).into_iter().map(|(r, _, _)| r).collect()
}

#[test]
fn a_local_pack_joins_the_registry() {
    let dir = repo();
    write(dir.path(), "policies/acme/external_pii.rego", RULE);
    write(dir.path(), "policies/acme/external_pii_test.rego", "package agentgate.rules.acme.privacy.external_pii\n\ntest_never_loaded_by_check if false\n");
    let cache = tempfile::tempdir().unwrap();
    let check = ["check", "--format", "json", "--today", TODAY];

    assert_eq!(
        rules_of(&run(dir.path(), cache.path(), &check).json()),
        Vec::<String>::new()
    );
    let mut with_flag = check.to_vec();
    with_flag.extend(["--pack", "policies/acme"]);
    let json = run(dir.path(), cache.path(), &with_flag).json();
    assert_eq!(rules_of(&json), vec!["ACME001"]);
    assert_eq!(json["findings"][0]["slug"], "external-pii");
    assert_eq!(json["findings"][0]["controls"][0], "soc2:CC6.1");

    write(
        dir.path(),
        ".agentgate.yaml",
        "version: 1\npacks:\n  - path: policies/acme\n",
    );
    assert_eq!(
        rules_of(&run(dir.path(), cache.path(), &check).json()),
        vec!["ACME001"]
    );
    let rules = run(dir.path(), cache.path(), &["rules"]).stdout;
    assert!(rules.contains("ACME001  external-pii"), "{rules}");
    let explain = run(dir.path(), cache.path(), &["explain", "ACME001"]);
    assert_eq!(explain.code, 0);
    assert!(explain
        .stdout
        .contains("must not reach outside the organisation"));
}

#[test]
fn broken_packs_fail_closed_with_the_file() {
    let cache = tempfile::tempdir().unwrap();
    for (source, needle) in [
        (
            RULE.replace("id: ACME001", "id: AG011"),
            "AG011 is already defined in policies/ag011_wildcard_grant.rego",
        ),
        (
            RULE.replace("deny contains", "deny contains contains"),
            "external_pii.rego",
        ),
        (
            RULE.replace("input.metadata.name ==", "no_such_builtin(input) =="),
            "external_pii.rego",
        ),
        (
            RULE.replace("\"path\": \"/metadata/name\"", "\"where\": 1"),
            "JSON-pointer string `path`",
        ),
        (
            RULE.replace("severity: error", "severity: fatal"),
            "must be error or warning",
        ),
    ] {
        let dir = repo();
        write(dir.path(), "acme/external_pii.rego", &source);
        let run = run(
            dir.path(),
            cache.path(),
            &[
                "check", "--pack", "acme", "--format", "json", "--today", TODAY,
            ],
        );
        assert_eq!(run.code, 2, "{source}");
        let error = run.json()["errors"][0].clone();
        let text = format!("{} {}", error["file"], error["message"]);
        assert!(text.contains(needle), "{needle}: {text}");
    }
    let dir = repo();
    let missing = run(
        dir.path(),
        cache.path(),
        &["check", "--pack", "nowhere", "--format", "json"],
    );
    assert_eq!(missing.code, 2);
    assert!(missing.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no such folder"));
}

#[test]
fn a_git_pack_is_pinned_cached_and_works_offline() {
    let upstream = tempfile::tempdir().unwrap();
    write(upstream.path(), "rules/acme/external_pii.rego", RULE);
    write(upstream.path(), "README.md", "ACME rules\n");
    let repository = git_commit_all(upstream.path(), "ACME pack");
    let commit = repository.head().unwrap().target().unwrap().to_string();
    let url = format!("file://{}", upstream.path().display());

    let dir = repo();
    let cache = tempfile::tempdir().unwrap();
    let config =
        format!("version: 1\npacks:\n  - git: {url}\n    rev: \"{commit}\"\n    subdir: rules\n");
    write(dir.path(), ".agentgate.yaml", &config);
    let check = ["check", "--format", "json", "--today", TODAY];
    let first = run(dir.path(), cache.path(), &check);
    assert_eq!(rules_of(&first.json()), vec!["ACME001"], "{}", first.stdout);

    // The upstream is gone: the cached commit still serves, read from git objects.
    drop(repository);
    drop(upstream);
    assert_eq!(
        rules_of(&run(dir.path(), cache.path(), &check).json()),
        vec!["ACME001"]
    );

    // A branch name, a short id, or a commit that does not exist: refused.
    for (rev, needle, line) in [
        ("main", "not a full 40-character commit id", 4),
        ("0123abc", "not a full 40-character commit id", 4),
    ] {
        write(dir.path(), ".agentgate.yaml", config.replace(&commit, rev));
        let run = run(dir.path(), cache.path(), &check);
        assert_eq!(run.code, 2);
        let error = run.json()["errors"][0].clone();
        assert_eq!(error["line"], line, "{error}");
        assert!(
            error["message"].as_str().unwrap().contains(needle),
            "{error}"
        );
    }
    let absent = "0".repeat(40);
    write(
        dir.path(),
        ".agentgate.yaml",
        config.replace(&commit, &absent),
    );
    let run = run(dir.path(), cache.path(), &check);
    assert_eq!(run.code, 2);
    assert!(
        run.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("fetching commit"),
        "{}",
        run.stdout
    );
}

#[test]
fn missing_metadata_recursion_and_runaway_rules_fail_closed() {
    let cache = tempfile::tempdir().unwrap();
    let body = |rule: &str| RULE.split("deny contains").next().unwrap().to_string() + rule;
    for (source, needle) in [
        (
            RULE.split("package").nth(1).map(|rest| format!("package{rest}")).unwrap(),
            "has no package-scope `# METADATA` block",
        ),
        (
            body("deny contains {\"msg\": x, \"path\": \"\"} if {\n\tsome x in b\n}\n\nb contains x if {\n\tsome x in deny\n}\n"),
            "external_pii.rego",
        ),
        (
            body("deny contains {\"msg\": \"slow\", \"path\": \"\"} if {\n\tsome i in numbers.range(1, 200000)\n\tsome j in numbers.range(1, 200000)\n\ti == 0 - j\n}\n"),
            "external_pii.rego",
        ),
    ] {
        let dir = repo();
        write(dir.path(), "acme/external_pii.rego", &source);
        let run = run(dir.path(), cache.path(), &["check", "--pack", "acme", "--format", "json", "--today", TODAY]);
        assert_eq!(run.code, 2, "{source}\n{}", run.stdout);
        let error = run.json()["errors"][0].clone();
        let text = format!("{} {}", error["file"], error["message"]);
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn a_tampered_cache_is_detected() {
    let upstream = tempfile::tempdir().unwrap();
    write(upstream.path(), "acme/external_pii.rego", RULE);
    let repository = git_commit_all(upstream.path(), "ACME pack");
    let commit = repository.head().unwrap().target().unwrap().to_string();
    let dir = repo();
    let cache = tempfile::tempdir().unwrap();
    let config = format!(
        "version: 1\npacks:\n  - git: file://{}\n    rev: \"{commit}\"\n",
        upstream.path().display()
    );
    write(dir.path(), ".agentgate.yaml", &config);
    let check = ["check", "--format", "json", "--today", TODAY];
    assert_eq!(
        rules_of(&run(dir.path(), cache.path(), &check).json()),
        vec!["ACME001"]
    );
    drop(repository);
    drop(upstream);

    // Rewrite every stored object byte for byte with one bit flipped in its last byte.
    let mut tampered = 0;
    for file in walk(cache.path()) {
        let name = file.to_string_lossy().to_string();
        let is_object =
            name.contains("/objects/") && !name.ends_with(".idx") && !name.contains("/info/");
        if is_object && file.is_file() {
            let mut bytes = std::fs::read(&file).unwrap();
            if let Some(last) = bytes.len().checked_sub(30) {
                bytes[last] ^= 0x01;
                let mut permissions = std::fs::metadata(&file).unwrap().permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                permissions.set_readonly(false);
                std::fs::set_permissions(&file, permissions).unwrap();
                std::fs::write(&file, bytes).unwrap();
                tampered += 1;
            }
        }
    }
    assert!(tampered > 0, "the cache holds objects");
    let run = run(dir.path(), cache.path(), &check);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_ne!(rules_of(&run.json()), vec!["ACME001"]);
}

// Runs in the source tree itself, so it must not use `run`, which writes trust files.
#[test]
fn the_example_pack_passes_its_tests_and_fixtures() {
    let root = crate_dir();
    let tests = agentgate(
        &root,
        &[
            "test",
            "examples/packs/acme",
            "--coverage",
            "--coverage-min",
            "100",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(tests.code, 0, "{}", tests.stdout);
    assert!(
        tests.stdout.trim_end().ends_with("3 passed, 0 failed"),
        "{}",
        tests.stdout
    );
    let fixtures = agentgate(
        &root,
        &[
            "test",
            "examples/packs/acme",
            "--fixtures",
            "examples/packs/acme/fixtures",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(fixtures.code, 0, "{}", fixtures.stdout);
    assert!(
        fixtures
            .stdout
            .contains("examples/packs/acme/fixtures/fail: fixture PASS"),
        "{}",
        fixtures.stdout
    );
}

/// A custom rule may judge an agent by another agent's facts (here: a delegate whose review
/// does not verify), so with a custom pack every agent's facts are made, even when one file
/// is checked; the built-in rules read only their own agent's.
#[test]
fn a_custom_pack_sees_the_facts_of_agents_outside_the_check() {
    let dir = tempfile::tempdir().unwrap();
    let today = agentgate::units::parse_date(TODAY).unwrap();
    let caller = unsigned_compliant_manifest("caller", today).replace(
        "spec:\n",
        "spec:\n  delegation:\n    delegatesTo: [helper]\n",
    );
    assert!(caller.contains("delegatesTo: [helper]"));
    write(dir.path(), "agents/caller.agent.yaml", signed(&caller));
    write(
        dir.path(),
        "agents/helper.agent.yaml",
        unsigned_compliant_manifest("helper", today),
    );
    write(
        dir.path(),
        "acme/unreviewed_delegate.rego",
        r#"# METADATA
# custom:
#   id: ACME002
#   slug: unreviewed-delegate
#   severity: error
#   summary: Delegates to an agent whose review does not verify
#   fix: Have the delegate reviewed.
#   controls: [soc2:CC6.1]
package agentgate.rules.acme.unreviewed_delegate

import rego.v1

deny contains {"msg": msg, "path": "/spec/delegation/delegatesTo"} if {
	some name in input.spec.delegation.delegatesTo
	verdict := data.agentgate.facts[name].review.signature
	verdict != "valid"
	msg := sprintf("%s: %s", [name, verdict])
}
"#,
    );
    let cache = tempfile::tempdir().unwrap();
    let json = run(
        dir.path(),
        cache.path(),
        &[
            "check",
            "agents/caller.agent.yaml",
            "--pack",
            "acme",
            "--format",
            "json",
            "--today",
            TODAY,
        ],
    )
    .json();
    assert_eq!(rules_of(&json), vec!["ACME002"], "{json}");
    assert_eq!(json["findings"][0]["message"], "helper: absent");
}
