//! `agentgate test` end to end: the built-in pack's Rego tests, its coverage and its rule
//! fixtures, and small temporary packs that fail in each way a pack author meets.

use std::path::Path;

use crate::common::*;

const RULE: &str = r#"# METADATA
# title: External reach with personal data
# custom:
#   id: ACME001
#   slug: external-pii
#   severity: error
#   summary: An agent that reaches outside the company holds pii
#   fix: Drop the pii grant or the external reach
package agentgate.rules.acme.external_pii

deny contains {"msg": "an agent with externalReach holds pii", "path": "/spec/blastRadius/externalReach"} if {
	input.spec.blastRadius.externalReach == true
	"pii" in input.spec.blastRadius.dataClasses
}
"#;

const PASSING_TEST: &str = r#"package agentgate.rules.acme.external_pii_test

import data.agentgate.rules.acme.external_pii

test_fires if {
	count(external_pii.deny) == 1 with input as {"spec": {"blastRadius": {"externalReach": true, "dataClasses": ["pii"]}}}
}
"#;

fn summary(stdout: &str) -> (usize, usize) {
    let line = stdout.lines().last().unwrap_or_default();
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("a count"))
        .collect();
    assert!(
        line.ends_with(" failed") && line.contains(" passed, ") && numbers.len() == 2,
        "the last line is `N passed, M failed`: {line:?}"
    );
    (numbers[0], numbers[1])
}

/// A coverage line: file, covered lines, coverable lines.
type FileCoverage = (String, usize, usize);

/// `file covered/total percent%` lines of the coverage report, and the total.
fn coverage(stdout: &str) -> (Vec<FileCoverage>, (usize, usize)) {
    let mut files = Vec::new();
    let mut total = None;
    let rows = stdout.lines().skip_while(|l| !l.starts_with("coverage ("));
    for line in rows.skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [file, figure, share] = fields[..] else {
            break;
        };
        let Some((covered, all)) = figure.split_once('/') else {
            break;
        };
        let (covered, all): (usize, usize) = (covered.parse().unwrap(), all.parse().unwrap());
        let share: f64 = share.trim_end_matches('%').parse().unwrap();
        let expected = if all == 0 {
            100.0
        } else {
            covered as f64 * 100.0 / all as f64
        };
        assert!((share - expected).abs() < 0.06, "{line}");
        if file == "total" {
            total = Some((covered, all));
        } else {
            files.push((file.to_string(), covered, all));
        }
    }
    (files, total.expect("a total line"))
}

fn today() -> i64 {
    agentgate::units::parse_date(TODAY).expect("a date")
}

fn pack(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        write(dir, path, text);
    }
}

#[test]
fn builtin_pack_tests_pass() {
    let run = agentgate(&crate_dir(), &["test", "--today", TODAY]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (passed, failed) = summary(&run.stdout);
    assert_eq!(failed, 0);
    assert!(passed >= 150, "{passed} tests");
    let results: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.ends_with(" PASS"))
        .collect();
    assert_eq!(results.len(), passed);
    assert!(
        run.stdout
            .contains("policies/ag011_wildcard_grant_test.rego:"),
        "{}",
        run.stdout
    );
    for line in results {
        let (place, rest) = line.split_once(": ").expect("file:line: name PASS");
        let (file, number) = place.rsplit_once(':').expect("file:line");
        assert!(
            file.starts_with("policies/") && file.ends_with("_test.rego"),
            "{line}"
        );
        assert!(number.parse::<usize>().is_ok_and(|n| n > 0), "{line}");
        assert!(rest.starts_with("test_"), "{line}");
    }
    // Every rule of the pack has tests.
    let registry = agentgate::registry::Registry::builtin().expect("built-in pack");
    for rule in registry.rules.values() {
        let test_file = rule.file.replace(".rego", "_test.rego");
        assert!(
            run.stdout.contains(&format!("{test_file}:")),
            "{} has no test in {test_file}",
            rule.id
        );
    }
}

#[test]
fn builtin_pack_tests_do_not_depend_on_the_date() {
    for today in ["2020-01-01", "2040-06-30"] {
        let run = agentgate(&crate_dir(), &["test", "--today", today]);
        assert_eq!(run.code, 0, "--today {today}:\n{}", run.stdout);
    }
}

#[test]
fn builtin_pack_coverage_is_reported_per_file_and_meets_80_percent() {
    let run = agentgate(
        &crate_dir(),
        &[
            "test",
            "--coverage",
            "--coverage-min",
            "80",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let (files, (covered, total)) = coverage(&run.stdout);
    let registry = agentgate::registry::Registry::builtin().expect("built-in pack");
    let policies: Vec<&str> = registry
        .modules
        .iter()
        .filter(|m| !m.is_test)
        .map(|m| m.path.as_str())
        .collect();
    let reported: Vec<&str> = files.iter().map(|(f, _, _)| f.as_str()).collect();
    assert_eq!(reported, policies, "one line per rule and helper file");
    assert!(files.iter().all(|(_, c, t)| c <= t));
    assert!(files
        .iter()
        .any(|(f, c, t)| f == "policies/lib/secrets.rego" && *c > 20 && *t >= *c));
    assert_eq!(covered, files.iter().map(|(_, c, _)| c).sum::<usize>());
    assert_eq!(total, files.iter().map(|(_, _, t)| t).sum::<usize>());
    assert!(covered * 100 >= total * 80, "{covered}/{total}");
    // The summary stays the last line.
    summary(&run.stdout);
}

#[test]
fn builtin_rule_fixtures_produce_exactly_their_expectations() {
    // As the rule tests run them (common::RuleFixtures): a copy with the placeholder reviews
    // signed by the test-only key, which a fixture without a configuration of its own trusts.
    let run = RuleFixtures::new().test();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let fixtures: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains(": fixture "))
        .collect();
    let rules = std::fs::read_dir(crate_dir().join("testdata/rules"))
        .expect("testdata/rules")
        .count();
    assert_eq!(
        fixtures.len(),
        2 * rules,
        "a fail and a pass folder per rule"
    );
    assert!(fixtures.iter().all(|l| l.ends_with(" PASS")));
    assert!(fixtures.contains(&"rules/AG011/fail: fixture PASS"));
}

#[test]
fn an_external_pack_is_tested_with_coverage_and_fixtures() {
    let dir = tempfile::tempdir().expect("tempdir");
    pack(
        dir.path(),
        &[
            ("acme/external_pii.rego", RULE),
            ("acme/external_pii_test.rego", PASSING_TEST),
            // A helper no test reaches: it counts as wholly uncovered.
            (
                "acme/lib/unused.rego",
                "package agentgate.lib.acme\n\ndouble(x) := y if {\n\ty := x * 2\n}\n",
            ),
        ],
    );
    let manifest = signed(
        &unsigned_compliant_manifest("billing", today())
            .replace("externalReach: false", "externalReach: true")
            .replace("dataClasses: [financial]", "dataClasses: [financial, pii]"),
    );
    write(
        dir.path(),
        "fixtures/reach/billing.agent.yaml",
        format!("# expect: ACME001 at /spec/blastRadius/externalReach\n{manifest}"),
    );
    write(
        dir.path(),
        "fixtures/clean/billing.agent.yaml",
        compliant_manifest("billing", today()),
    );
    // The manifests' reviews are signed by the test-only key; each fixture folder trusts it.
    trust_test_key(&dir.path().join("fixtures/reach"));
    trust_test_key(&dir.path().join("fixtures/clean"));
    let run = agentgate(
        dir.path(),
        &[
            "test",
            "acme",
            "--fixtures",
            "fixtures",
            "--coverage",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run
        .stdout
        .contains("acme/external_pii_test.rego:5: test_fires PASS"));
    assert!(run.stdout.contains("fixtures/reach: fixture PASS"));
    assert!(run.stdout.contains("fixtures/clean: fixture PASS"));
    assert_eq!(summary(&run.stdout), (3, 0));
    let (files, total) = coverage(&run.stdout);
    assert_eq!(
        files,
        vec![
            ("acme/external_pii.rego".to_string(), 3, 3),
            ("acme/lib/unused.rego".to_string(), 0, 2),
        ],
        "{}",
        run.stdout
    );
    assert_eq!(total, (3, 5));
    // The built-in pack's files are not under test here.
    assert!(!run.stdout.contains("policies/"));

    let run = agentgate(dir.path(), &["test", "acme", "--coverage-min", "90"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("coverage 60.0% is below the minimum of 90%"),
        "{}",
        run.stdout
    );
    assert_eq!(summary(&run.stdout), (1, 0));
}

#[test]
fn a_failing_test_shows_its_file_line_and_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    pack(
        dir.path(),
        &[
            ("acme/external_pii.rego", RULE),
            (
                "acme/external_pii_test.rego",
                &format!(
                    "{PASSING_TEST}\ntest_counts := n if {{\n\tn := count(external_pii.deny) with input as {{}}\n}}\n\ntest_undefined if {{\n\tprint(\"deny:\", external_pii.deny)\n\tcount(external_pii.deny) == 1\n}}\n\ntest_error if {{\n\tx := 1 / 0\n\tx == 1\n}}\n"
                ),
            ),
        ],
    );
    let run = agentgate(dir.path(), &["test", "acme"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = [
        "acme/external_pii_test.rego:5: test_fires PASS",
        "acme/external_pii_test.rego:9: test_counts FAIL",
        "    got: 0, not true",
        "acme/external_pii_test.rego:13: test_undefined FAIL",
        "    got: undefined (the test's body did not hold)",
        "    acme/external_pii_test.rego:14: deny: {}",
        "acme/external_pii_test.rego:18: test_error FAIL",
        "    error: acme/external_pii_test.rego:19:12: divide by zero",
    ];
    for line in expected {
        assert!(
            run.stdout.lines().any(|l| l == line),
            "missing {line:?} in:\n{}",
            run.stdout
        );
    }
    assert_eq!(summary(&run.stdout), (1, 3));
}

#[test]
fn a_rego_syntax_error_is_a_load_error_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    pack(
        dir.path(),
        &[
            ("acme/external_pii.rego", RULE),
            (
                "acme/external_pii_test.rego",
                "package agentgate.rules.acme.external_pii_test\n\ntest_x if {\n\t1 ==\n}\n",
            ),
        ],
    );
    let run = agentgate(dir.path(), &["test", "acme"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("error: acme/external_pii_test.rego:5:1: expecting expression"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("passed"),
        "no test runs: {}",
        run.stdout
    );
}

#[test]
fn a_metadata_error_is_a_load_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    pack(
        dir.path(),
        &[
            (
                "acme/external_pii.rego",
                &RULE.replace("#   severity: error\n", ""),
            ),
            ("acme/external_pii_test.rego", PASSING_TEST),
        ],
    );
    let run = agentgate(dir.path(), &["test", "acme"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr
            .contains("acme/external_pii.rego:2: METADATA lacks `custom.severity`"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fixture_whose_expectation_is_wrong_fails_naming_both_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let manifest = wildcard_manifest("billing", today());
    let line = manifest
        .lines()
        .position(|l| l.contains(r#""*""#))
        .expect("the wildcard line")
        + 2;
    write(
        dir.path(),
        "fixtures/star/billing.agent.yaml",
        // The wildcard is the second action, and it also needs approval (AG013).
        format!("# expect: AG011 at /spec/permissions/0/actions/0\n{manifest}"),
    );
    let run = agentgate(
        dir.path(),
        &["test", "--fixtures", "fixtures", "--today", TODAY],
    );
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let report: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("fixtures/star: fixture"))
        .take(4)
        .collect();
    assert_eq!(report[0], "fixtures/star: fixture FAIL", "{}", run.stdout);
    assert_eq!(
        report[1],
        "    missing     AG011 at /spec/permissions/0/actions/0 (expected by fixtures/star/billing.agent.yaml:1)"
    );
    assert!(
        report[2..].iter().any(|l| l.starts_with(&format!(
            "    unexpected  AG011 at /spec/permissions/0/actions/1 (fixtures/star/billing.agent.yaml:{line}: "
        ))),
        "{report:#?}"
    );
    assert!(
        report[2..]
            .iter()
            .any(|l| l.starts_with("    unexpected  AG013 at /spec/permissions/0")),
        "{report:#?}"
    );
    let (passed, failed) = summary(&run.stdout);
    assert!(passed > 150 && failed == 1);
}

#[test]
fn fixtures_need_a_folder_of_manifests() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "fixtures/readme.md", "nothing here");
    let run = agentgate(dir.path(), &["test", "--fixtures", "fixtures"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no fixture folder"), "{}", run.stderr);
    let run = agentgate(
        dir.path(),
        &["test", "--fixtures", "fixtures", "--config", "none.yaml"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("none.yaml"), "{}", run.stderr);
    let run = agentgate(dir.path(), &["test", "missing-pack"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing-pack"), "{}", run.stderr);
}
