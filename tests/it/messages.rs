//! Messages that teach: each common mistake in a manifest gets a message that says what is
//! wrong and how to write it, at the token at fault. Each is a snapshot of the human output of
//! the real binary (`tests/it/snapshots/`), on the compliant manifest with one mistake, signed
//! after the edit and trusted, so the mistake's finding is the only one (or says why not).

use std::path::Path;

use crate::common::{
    self, agentgate, signed, today, trust_test_key, unsigned_compliant_manifest, write, TODAY,
};

/// The human output of `check` on the compliant manifest with `edit` applied (the edit must
/// change it), and the run.
fn check_edited(edit: impl Fn(&str) -> String) -> common::Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = unsigned_compliant_manifest("payout-reconciler", today());
    let edited = edit(&original);
    assert_ne!(edited, original, "the edit changed nothing");
    write(dir.path(), "agents/payout.agent.yaml", signed(&edited));
    trust_test_key(dir.path());
    run_check(dir.path(), &["agents/payout.agent.yaml"])
}

fn run_check(dir: &Path, paths: &[&str]) -> common::Run {
    let mut args = vec!["check", "--no-discover", "--today", TODAY];
    args.extend_from_slice(paths);
    agentgate(dir, &args)
}

#[test]
fn the_compliant_manifest_passes_so_each_snapshot_shows_one_mistake() {
    let run = check_edited(|m| m.replace("Reconciles payouts", "Reconciles the payouts"));
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// A misspelled field: the closest known one is suggested, and the schema error comes before
/// the AG010 finding it causes (the field the rules look for is missing because of it).
#[test]
fn an_unknown_field_suggests_the_closest_name_and_comes_before_what_it_causes() {
    let run = check_edited(|m| m.replace("  permissions:\n", "  permisions:\n"));
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("unknown field `permisions`: did you mean `permissions`?"),
        "{}",
        run.stdout
    );
    let schema = run.stdout.find("AG000 schema").expect("AG000 reported");
    let missing = run
        .stdout
        .find("AG010 permissions-missing")
        .expect("AG010 reported");
    assert!(schema < missing, "the cause comes first:\n{}", run.stdout);
    insta::assert_snapshot!("unknown_field", run.stdout);
}

/// The same mistake in any case is a typo too; a name close to nothing gets no guess.
#[test]
fn a_suggestion_is_only_made_for_a_near_miss() {
    let run = check_edited(|m| m.replace("  audit:", "  Audit:"));
    assert!(
        run.stdout
            .contains("unknown field `Audit`: did you mean `audit`?"),
        "{}",
        run.stdout
    );
    let run = check_edited(|m| m.replace("  audit:", "  telemetry:"));
    assert!(
        run.stdout
            .contains("unknown field `telemetry`: check its spelling"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("did you mean"), "{}", run.stdout);
}

#[test]
fn an_enum_error_lists_every_allowed_value() {
    let run = check_edited(|m| m.replace("status: active", "status: live"));
    assert_eq!(run.code, 1);
    for value in ["`proposed`", "`active`", "`deprecated`", "`retired`"] {
        assert!(
            run.stdout.contains(value),
            "{value} missing:\n{}",
            run.stdout
        );
    }
    assert!(!run.stdout.contains("other candidates"), "{}", run.stdout);
    insta::assert_snapshot!("enum", run.stdout);
}

#[test]
fn a_bare_number_ttl_says_what_a_duration_looks_like() {
    let run = check_edited(|m| m.replace("ttl: 1h", "ttl: 60"));
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("anyOf"), "{}", run.stdout);
    for example in ["`1h`", "`30d`", "`PT1H`"] {
        assert!(run.stdout.contains(example), "{example}:\n{}", run.stdout);
    }
    insta::assert_snapshot!("ttl_bare_number", run.stdout);
}

#[test]
fn a_date_in_the_wrong_format_says_yyyy_mm_dd() {
    let run = check_edited(|m| {
        let reviewed = agentgate::units::format_date(today() - 21);
        let (y, rest) = reviewed.split_once('-').expect("a date");
        let (mo, d) = rest.split_once('-').expect("a date");
        m.replace(
            &format!("date: {reviewed}"),
            &format!("date: \"{mo}/{d}/{y}\""),
        )
    });
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("YYYY-MM-DD"), "{}", run.stdout);
    insta::assert_snapshot!("date_format", run.stdout);
}

#[test]
fn a_name_failing_its_pattern_says_what_is_allowed_in_words() {
    let run = check_edited(|m| m.replace("name: payout-reconciler", "name: Payout_Reconciler"));
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("lowercase letters, digits and hyphens"),
        "{}",
        run.stdout
    );
    assert!(
        !run.stdout.contains("[a-z0-9]"),
        "no regex:\n{}",
        run.stdout
    );
    insta::assert_snapshot!("name_pattern", run.stdout);
}

/// `kind: agent` is a wrong header (exit 2), shown on the `kind` line, not on `apiVersion`.
#[test]
fn a_wrong_kind_puts_the_caret_on_kind() {
    let run = check_edited(|m| m.replace("kind: Agent", "kind: agent"));
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("agents/payout.agent.yaml:2:7]"),
        "{}",
        run.stdout
    );
    insta::assert_snapshot!("kind_lowercase", run.stdout);
}

#[test]
fn a_missing_file_says_no_such_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = run_check(dir.path(), &["agents/payuot.agent.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("no such file"), "{}", run.stdout);
    insta::assert_snapshot!("missing_file", run.stdout);
}

/// `ttl: 1 hour` is still AG020 (an unparsable ttl may mean a credential that never expires),
/// and the message says it is unparsable and how to write it.
#[test]
fn an_unparsable_ttl_keeps_its_rule_and_shows_how_to_write_it() {
    let run = check_edited(|m| m.replace("ttl: 1h", "ttl: 1 hour"));
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("AG020 ttl-missing"), "{}", run.stdout);
    assert!(run.stdout.contains("unparsable"), "{}", run.stdout);
    assert!(run.stdout.contains("write it as `1h`"), "{}", run.stdout);
    insta::assert_snapshot!("ttl_unparsable", run.stdout);
    // Other units and spellings get their own suggestion.
    let run = check_edited(|m| m.replace("ttl: 1h", "ttl: 30 Minutes"));
    assert!(run.stdout.contains("write it as `30m`"), "{}", run.stdout);
    // Without a number there is nothing to convert: the general form is shown.
    let run = check_edited(|m| m.replace("ttl: 1h", "ttl: one hour"));
    assert!(
        run.stdout.contains("unparsable") && run.stdout.contains("`1h`"),
        "{}",
        run.stdout
    );
}
