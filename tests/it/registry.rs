//! The rule registry as users see it: `rules`, `explain`, `schema`, and the rule pages in docs/rules.

use crate::common::*;

fn registry() -> agentgate::registry::Registry {
    agentgate::registry::Registry::builtin().expect("the built-in pack loads")
}

#[test]
fn rules_lists_every_rule_with_its_metadata() {
    let run = agentgate(&crate_dir(), &["rules"]);
    assert_eq!(run.code, 0);
    for rule in registry().rules.values() {
        let row = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{} ", rule.id)))
            .unwrap_or_else(|| panic!("{} missing", rule.id));
        assert!(
            row.contains(&rule.slug)
                && row.contains(rule.severity.as_str())
                && row.contains(&rule.summary),
            "{row}"
        );
    }
    let json: serde_json::Value =
        serde_json::from_str(&agentgate(&crate_dir(), &["rules", "--format", "json"]).stdout)
            .unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(registry().rules.len()));
}

#[test]
fn every_rule_is_explained_from_its_metadata() {
    for rule in registry().rules.values() {
        let run = agentgate(&crate_dir(), &["explain", &rule.id.to_lowercase()]);
        assert_eq!(run.code, 0, "{}", rule.id);
        for part in [&rule.slug, &rule.fix, &rule.summary] {
            assert!(
                run.stdout.contains(part.lines().next().unwrap_or_default()),
                "{}: {part}",
                rule.id
            );
        }
        for control in &rule.controls {
            assert!(
                run.stdout.contains(control.as_str()),
                "{}: {control}",
                rule.id
            );
        }
        assert!(
            !rule.description.is_empty(),
            "{}: METADATA needs a description (why it matters)",
            rule.id
        );
    }
    assert_eq!(agentgate(&crate_dir(), &["explain", "AG999"]).code, 2);
}

#[test]
fn every_rule_except_the_meta_rule_maps_to_controls() {
    for rule in registry().rules.values() {
        if !["AG000", "AG090", "AG091"].contains(&rule.id.as_str()) {
            assert!(!rule.controls.is_empty(), "{} has no controls", rule.id);
        }
        for control in &rule.controls {
            let (framework, id) = control
                .split_once(':')
                .unwrap_or_else(|| panic!("{}: {control} is not framework:id", rule.id));
            assert!(
                [
                    "soc2",
                    "iso27001",
                    "nist-800-53",
                    "nist-ai-rmf",
                    "eu-ai-act",
                    "cis",
                    "owasp-nhi",
                    "owasp-llm",
                    "owasp-asi"
                ]
                .contains(&framework)
                    && !id.is_empty(),
                "{}: unknown framework in {control}",
                rule.id
            );
        }
    }
}

#[test]
fn schemas_are_valid_json_schema() {
    for kind in ["manifest", "config", "data"] {
        let run = agentgate(&crate_dir(), &["schema", kind]);
        assert_eq!(run.code, 0);
        let schema: serde_json::Value =
            serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert!(
            jsonschema::meta::is_valid(&schema),
            "{kind} schema is not a valid JSON Schema"
        );
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}

/// How the committed rule pages are made; the failure message of the test below says it.
const REGENERATE: &str = "cargo run --locked -- rules --format markdown --out docs/rules";

/// Every file of a folder, by name, with its bytes.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.expect("entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            (name, std::fs::read(entry.path()).expect("read"))
        })
        .collect()
}

#[test]
fn docs_rules_is_what_rules_out_writes() {
    let out = tempfile::tempdir().unwrap();
    let target = out.path().join("rules");
    let run = agentgate(
        &crate_dir(),
        &[
            "rules",
            "--format",
            "markdown",
            "--out",
            target.to_str().unwrap(),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let generated = files(&target);
    let committed = files(&crate_dir().join("docs/rules"));
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        generated.keys().collect::<Vec<_>>(),
        "docs/rules does not hold exactly one page per rule and README.md: delete docs/rules, run `{REGENERATE}` and commit the result"
    );
    for (name, bytes) in &generated {
        assert!(
            committed[name] == *bytes,
            "docs/rules/{name} is out of date: run `{REGENERATE}` and commit the result"
        );
    }
    // One page per rule, and the index is the `rules --format markdown` table with links.
    assert_eq!(generated.len(), registry().rules.len() + 1);
    let index = String::from_utf8(generated["README.md"].clone()).unwrap();
    for rule in registry().rules.values() {
        assert!(
            index.contains(&format!("| [{0}]({0}.md) | {1} |", rule.id, rule.slug)),
            "{}",
            rule.id
        );
    }
}

#[test]
fn rules_markdown_prints_the_table_and_out_needs_markdown() {
    let run = agentgate(&crate_dir(), &["rules", "--format", "markdown"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, agentgate::commands::rules_markdown(&registry()));
    assert!(run
        .stdout
        .starts_with("| id | slug | severity | summary |\n"));
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "json"] {
        let target = dir.path().join(format);
        let run = agentgate(
            &crate_dir(),
            &[
                "rules",
                "--format",
                format,
                "--out",
                target.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 2, "{format}");
        assert!(run.stderr.contains("--format markdown"), "{}", run.stderr);
        assert!(!target.exists(), "{format}: nothing is written");
    }
}

#[test]
fn data_contract_example_matches_what_agentgate_hands_to_rego() {
    let validator =
        jsonschema::validator_for(&serde_json::from_str(agentgate::validate::DATA_SCHEMA).unwrap())
            .unwrap();
    let example = serde_json::json!({
        "settings": {"today": "2026-11-23", "maxTtl": 86400, "maxStaticTtl": 7776000, "maxReviewAge": 15552000,
            "maxReviewBackdate": 604800, "maxLifetime": 31536000, "lowConsequenceActions": ["read"], "nonPersonEmails": ["team-*"],
            "directory": null, "allowedSigners": null},
        "inventory": {"a": {"apiVersion": "agentgate/v1", "kind": "Agent"}},
        "facts": {"a": {"file": "a.agent.yaml", "credentials": [{"ttlSeconds": 3600, "rotationSeconds": null}],
            "expiresInSeconds": null, "reviewAgeSeconds": 86400, "delegationCycle": ["a"],
            "digest": "sha256:c5e3e349ac6b0083cf4877baa0a1026617476009828a4e532c6ea9427d569b4c",
            "review": {"signature": "invalid", "reason": "unknown principal",
                "detail": "auditor@contractor.example.net is not a principal in allowed_signers",
                "principals": []},
            "reviewChange": "altered",
            "baseReview": {"reviewer": "sec-review@example.com", "date": "2026-11-12", "ageSeconds": 950400}}}
    });
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
