//! The rule registry as users see it: `rules`, `explain`, `schema`, and the README's table.

use crate::common::*;

fn registry() -> agentgate::pack::Registry {
    agentgate::pack::Registry::builtin().expect("the built-in pack loads")
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

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README.md");
    let start = readme
        .find("<!-- rules:start -->")
        .expect("README has a rules:start marker");
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README has a rules:end marker");
    let expected = agentgate::commands::rules_markdown(&registry());
    assert_eq!(
        readme[start + "<!-- rules:start -->".len()..end].trim(),
        expected.trim(),
        "the README rule table is out of date; paste the output of `agentgate rules --format markdown`"
    );
}

#[test]
fn data_contract_example_matches_what_agentgate_hands_to_rego() {
    let validator =
        jsonschema::validator_for(&serde_json::from_str(agentgate::validate::DATA_SCHEMA).unwrap())
            .unwrap();
    let example = serde_json::json!({
        "settings": {"today": "2026-11-23", "maxTtl": 86400, "maxStaticTtl": 7776000, "maxReviewAge": 15552000,
            "maxLifetime": 31536000, "lowConsequenceActions": ["read"], "nonPersonEmails": ["team-*"],
            "directory": null, "allowedSigners": null},
        "inventory": {"a": {"apiVersion": "agentgate/v1", "kind": "Agent"}},
        "facts": {"a": {"file": "a.agent.yaml", "credentials": [{"ttlSeconds": 3600, "rotationSeconds": null}],
            "expiresInSeconds": null, "reviewAgeSeconds": 86400, "delegationCycle": ["a"],
            "digest": "sha256:c5e3e349ac6b0083cf4877baa0a1026617476009828a4e532c6ea9427d569b4c",
            "review": {"signature": "invalid", "reason": "unknown principal",
                "detail": "auditor@contractor.example.net is not a principal in allowed_signers"}}}
    });
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}
