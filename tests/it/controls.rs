//! The control catalogue: every control a rule names exists in it, and every built-in rule but
//! the meta rules maps to at least one control.

use agentgate::controls::Catalogue;
use agentgate::registry::Registry;

const META_RULES: [&str; 3] = ["AG000", "AG090", "AG091"];

#[test]
fn every_control_a_rule_names_is_in_the_catalogue() {
    let catalogue = Catalogue::builtin();
    let registry = Registry::builtin().expect("the built-in pack loads");
    let mut unknown = Vec::new();
    for rule in registry.rules.values() {
        for control in &rule.controls {
            if catalogue.get(control).is_none() {
                unknown.push(format!("{} names {control}", rule.id));
            }
        }
    }
    assert_eq!(
        unknown,
        Vec::<String>::new(),
        "add them to policies/controls.yaml or fix the rule"
    );
}

#[test]
fn every_rule_but_the_meta_rules_maps_to_a_control() {
    let registry = Registry::builtin().expect("the built-in pack loads");
    let unmapped: Vec<&str> = registry
        .rules
        .values()
        .filter(|r| r.controls.is_empty() && !META_RULES.contains(&r.id.as_str()))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(unmapped, Vec::<&str>::new());
}

#[test]
fn the_catalogue_covers_the_controls_the_issue_names_with_titles_and_sources() {
    let catalogue = Catalogue::builtin();
    let required = [
        "soc2:CC1.3 soc2:CC6.1 soc2:CC6.2 soc2:CC6.3 soc2:CC7.2 soc2:CC8.1",
        "iso27001:A.5.9 iso27001:A.5.15 iso27001:A.5.16 iso27001:A.5.17 iso27001:A.5.18 iso27001:A.8.2 iso27001:A.8.5 iso27001:A.8.15 iso27001:A.8.16 iso27001:A.8.32",
        "nist-800-53:AC-2 nist-800-53:AC-3(2) nist-800-53:AC-5 nist-800-53:AC-6 nist-800-53:IA-4 nist-800-53:IA-5 nist-800-53:IA-5(7) nist-800-53:AU-2 nist-800-53:AU-12 nist-800-53:CA-6 nist-800-53:CA-7 nist-800-53:CM-3 nist-800-53:CM-8 nist-800-53:RA-3 nist-800-53:SI-4",
        "nist-ai-rmf:GOVERN-1.6 nist-ai-rmf:GOVERN-1.7 nist-ai-rmf:GOVERN-2.1 nist-ai-rmf:MAP-1.1 nist-ai-rmf:MAP-3.5 nist-ai-rmf:MAP-5.1 nist-ai-rmf:MEASURE-2.4 nist-ai-rmf:MANAGE-1.1 nist-ai-rmf:MANAGE-2.4",
        "eu-ai-act:Art.9 eu-ai-act:Art.12 eu-ai-act:Art.14 eu-ai-act:Art.15 eu-ai-act:Art.26",
        "cis:5.1 cis:5.5 cis:6.1 cis:6.2",
        "owasp-nhi:NHI1 owasp-nhi:NHI2 owasp-nhi:NHI4 owasp-nhi:NHI5 owasp-nhi:NHI7 owasp-nhi:NHI9",
        "owasp-llm:LLM06 owasp-asi:ASI03",
        // The draft mapping (controls-draft.md) beyond the list above.
        "iso27001:A.5.2 iso27001:A.5.12 iso27001:A.8.25 nist-800-53:AC-3 nist-800-53:AC-6(7) nist-800-53:IA-9 nist-800-53:RA-9 nist-800-53:CM-4 nist-800-53:AC-2(3) nist-800-53:AC-2(12) nist-ai-rmf:GOVERN-3.2 nist-ai-rmf:MEASURE-2.7 nist-ai-rmf:MANAGE-4.1 cis:3.7 cis:5.3 cis:6.8",
    ];
    for id in required.iter().flat_map(|line| line.split_whitespace()) {
        let (_, control) = catalogue
            .get(id)
            .unwrap_or_else(|| panic!("{id} is missing from policies/controls.yaml"));
        assert!(!control.title.trim().is_empty(), "{id} has a title");
        assert!(
            !control.source.trim().is_empty(),
            "{id} says where it was checked"
        );
    }
    assert_eq!(catalogue.frameworks["eu-ai-act"].label, "supports");
    assert_eq!(catalogue.frameworks["soc2"].label, "evidences");
}
