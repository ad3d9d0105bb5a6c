//! Output formats end to end: the real binary on `testdata/formats` (errors, warnings and a parse
//! error), SARIF validated against the OASIS schema, JUnit against the Ant XSD with xmllint,
//! GitHub workflow commands and their escaping, the job summary, the Markdown summary, and
//! several formats written by one run.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use crate::common;
use crate::common::*;
use serde_json::Value;

/// A copy of the fixture repository in a temporary folder (the fixture itself sits under the
/// project's own root, whose configuration excludes it).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture(&crate_dir().join("testdata/formats"), dir.path());
    // The fixture's reviews are signed by the test-only key; the copy trusts it.
    trust_test_key(dir.path());
    dir
}

fn check(dir: &Path, formats: &[&str]) -> Run {
    let mut args = vec!["check", "--today", TODAY];
    for f in formats {
        args.extend(["--format", f]);
    }
    agentgate(dir, &args)
}

/// The binary with extra environment variables (the shared helper removes
/// `GITHUB_STEP_SUMMARY` so that a test never writes into a real job summary).
fn check_with_env(dir: &Path, formats: &[&str], env: &[(&str, &Path)]) -> Run {
    let cache = tempfile::tempdir().expect("a cache folder");
    let mut command = Command::new(env!("CARGO_BIN_EXE_agentgate"));
    command
        .args(["check", "--today", TODAY])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AGENTGATE_CACHE", cache.path())
        .env_remove("GITHUB_STEP_SUMMARY");
    for f in formats {
        command.args(["--format", f]);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("the agentgate binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn sarif_of(run: &Run) -> Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

fn assert_valid_sarif(sarif: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(crate_dir().join("testdata/schemas/sarif-schema-2.1.0.json"))
            .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let broken = serde_json::json!({"version": "2.1.0", "runs": [{"tool": {}}]});
    assert!(!validator.is_valid(&broken), "the schema is really applied");
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF breaks the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// The rules `check` evaluates: the registry's, without those only `drift` and `owners`
/// report (rules-v1).
fn rule_ids_of_the_registry() -> Vec<String> {
    let run = agentgate(&crate_dir(), &["rules", "--format", "json"]);
    let rules: Value = serde_json::from_str(&run.stdout).unwrap();
    rules
        .as_array()
        .expect("a list of rules")
        .iter()
        .filter(|r| {
            let id = r["id"].as_str().unwrap();
            agentgate::rule::Command::of_id(id, r["family"].as_str())
                == agentgate::rule::Command::Check
        })
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// (ruleId, JSON pointer) → (fingerprint, start line) of every result.
fn results_by_finding(sarif: &Value) -> BTreeMap<(String, String), (String, u64)> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    r["properties"]["path"].as_str().unwrap().to_string(),
                ),
                (
                    r["partialFingerprints"]["agentgateFinding/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn sarif_validates_and_describes_rules_results_and_problems() {
    let dir = fixture();
    let run = check(dir.path(), &["sarif"]);
    assert_eq!(run.code, 2, "a parse error is exit 2\n{}", run.stderr);
    let sarif = sarif_of(&run);
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["columnKind"], "unicodeCodePoints");

    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "agentgate");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<String> = rules
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        rule_ids_of_the_registry(),
        "every enabled rule, in id order"
    );
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    let ag011 = rule("AG011");
    assert_eq!(ag011["name"], "wildcard-grant");
    assert_eq!(
        ag011["shortDescription"]["text"],
        "A resource or action uses a wildcard or an all-powerful verb"
    );
    assert!(ag011["fullDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("A wildcard grants whatever exists"));
    assert!(ag011["help"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Replace the wildcard"));
    let markdown = ag011["help"]["markdown"].as_str().unwrap();
    assert!(markdown.contains("```yaml") && markdown.contains("`soc2:CC6.3`"));
    assert_eq!(ag011["defaultConfiguration"]["level"], "error");
    assert_eq!(ag011["properties"]["security-severity"], "8.0");
    let tags = ag011["properties"]["tags"].as_array().unwrap();
    assert!(tags.contains(&"security".into()) && tags.contains(&"nist-800-53:AC-6".into()));
    assert_eq!(rule("AG023")["defaultConfiguration"]["level"], "warning");
    assert_eq!(rule("AG023")["properties"]["security-severity"], "5.0");

    let results = run0["results"].as_array().unwrap();
    let summary: Vec<(String, String, String, u64, u64)> = results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                location["region"]["startLine"].as_u64().unwrap(),
                location["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("AG061", "warning", "agents/billing.agent.yaml", 6, 1),
        ("AG013", "error", "agents/support.agent.yaml", 13, 5),
        ("AG011", "error", "agents/support.agent.yaml", 14, 23),
        ("AG023", "warning", "agents/support.agent.yaml", 19, 13),
    ]
    .map(|(a, b, c, d, e)| (a.to_string(), b.to_string(), c.to_string(), d, e));
    assert_eq!(summary, expected);
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at the rule"
        );
    }
    let wildcard = &results[2];
    assert_eq!(
        wildcard["message"]["text"],
        "action \"*\" is a wildcard: it grants every verb on zendesk://example/tickets"
    );
    let region = &wildcard["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["endLine"].as_u64(), region["endColumn"].as_u64()),
        (Some(14), Some(26))
    );
    assert_eq!(wildcard["properties"]["agent"], "support-bot");
    assert_eq!(
        wildcard["properties"]["path"],
        "/spec/permissions/0/actions/1"
    );
    let fingerprints: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["partialFingerprints"]["agentgateFinding/v1"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        fingerprints.len(),
        results.len(),
        "one fingerprint per finding"
    );

    let invocation = &run0["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notifications = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0]["level"], "error");
    assert!(notifications[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("duplicate key \"name\""));
    let at = &notifications[0]["locations"][0]["physicalLocation"];
    assert_eq!(at["artifactLocation"]["uri"], "agents/broken.agent.yaml");
    assert_eq!(at["region"]["startLine"], 5);
    assert_eq!(at["region"]["startColumn"], 3);
}

#[test]
fn sarif_rules_follow_the_configuration() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("agents/broken.agent.yaml")).unwrap();
    write(
        dir.path(),
        ".agentgate.yaml",
        "version: 1\nrules:\n  AG023: {severity: error}\n  AG061: {enabled: false}\n",
    );
    trust_test_key(dir.path());
    let run = check(dir.path(), &["sarif"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let sarif = sarif_of(&run);
    assert_valid_sarif(&sarif);
    let run0 = &sarif["runs"][0];
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
    assert!(run0["invocations"][0]
        .get("toolExecutionNotifications")
        .is_none());
    let rules = run0["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules.iter().all(|r| r["id"] != "AG061"),
        "a disabled rule is not listed"
    );
    let ag023 = rules.iter().find(|r| r["id"] == "AG023").unwrap();
    assert_eq!(ag023["defaultConfiguration"]["level"], "error");
    assert_eq!(ag023["properties"]["security-severity"], "8.0");
    let levels: Vec<(&str, &str)> = run0["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        levels,
        [("AG013", "error"), ("AG011", "error"), ("AG023", "error")]
    );
}

#[test]
fn sarif_fingerprints_survive_unrelated_edits() {
    let dir = fixture();
    let before = results_by_finding(&sarif_of(&check(dir.path(), &["sarif"])));
    let support = dir.path().join("agents/support.agent.yaml");
    let text = std::fs::read_to_string(&support).unwrap();
    std::fs::write(
        &support,
        format!("# Reviewed by the support leads.\n{text}"),
    )
    .unwrap();
    let after = results_by_finding(&sarif_of(&check(dir.path(), &["sarif"])));
    assert_eq!(before.len(), 4);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    for (key, (fingerprint, line)) in &before {
        let (fingerprint_after, line_after) = &after[key];
        assert_eq!(
            fingerprint, fingerprint_after,
            "{key:?} keeps its fingerprint"
        );
        let shift = u64::from(key.0 != "AG061");
        assert_eq!(line + shift, *line_after, "{key:?} moved with its line");
    }
}

/// Validates a JUnit report against the Ant XSD with xmllint. Without xmllint the schema check
/// prints a note and is skipped (the rest of the test still runs), unless
/// `AGENTGATE_REQUIRE_XMLLINT=1`, as `.ci/run` sets: CI must not pass a check it did not run.
fn xmllint_validates(file: &Path) {
    if common::find_on_path("xmllint").is_none() {
        assert!(
            std::env::var("AGENTGATE_REQUIRE_XMLLINT").as_deref() != Ok("1"),
            "AGENTGATE_REQUIRE_XMLLINT=1 but xmllint is not on PATH (apt-get install libxml2-utils)"
        );
        common::skip(
            "xmllint missing: the JUnit schema check did not run (apt-get install libxml2-utils)",
        );
        return;
    }
    let output = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(crate_dir().join("testdata/schemas/junit.xsd"))
        .arg(file)
        .output()
        .expect("xmllint runs (apt-get install libxml2-utils; .ci/run installs it)");
    assert!(
        output.status.success(),
        "JUnit output breaks the Ant schema:\n{}\n{}",
        String::from_utf8_lossy(&output.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
}

/// The `<testcase>` elements of a JUnit report as (classname, name, outcome element).
fn testcases(xml: &str) -> Vec<(String, String, Option<String>)> {
    let attribute = |tag: &str, name: &str| {
        let start = tag.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        tag[start..start + tag[start..].find('"').unwrap()].to_string()
    };
    xml.split("<testcase ")
        .skip(1)
        .map(|case| {
            let tag = format!(" {}", &case[..case.find('>').unwrap()]);
            let inner = if tag.ends_with('/') {
                None
            } else {
                let body = &case[tag.len()..];
                let element = body.trim_start().trim_start_matches('<');
                Some(element[..element.find(' ').unwrap()].to_string())
            };
            (attribute(&tag, "classname"), attribute(&tag, "name"), inner)
        })
        .collect()
}

#[test]
fn junit_validates_and_has_a_test_case_per_agent_and_rule() {
    let dir = fixture();
    let run = check(dir.path(), &["junit=report.xml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(
        run.stdout, "",
        "a format written to a file leaves stdout alone"
    );
    let file = dir.path().join("report.xml");
    xmllint_validates(&file);
    let xml = std::fs::read_to_string(&file).unwrap();

    // Every rule that runs on a manifest: not discovery's rules about other files, nor the
    // waiver rules about the configuration.
    let not_on_manifests = ["AG090", "AG091", "AG100", "AG101", "AG102", "AG105"];
    let rules = rule_ids_of_the_registry()
        .iter()
        .filter(|id| !not_on_manifests.contains(&id.as_str()))
        .count();
    assert!(xml.contains(
        "<testsuite name=\"agents/support.agent.yaml\" package=\"agents/support.agent.yaml\" id=\"2\""
    ));
    assert!(xml.contains(&format!(
        "tests=\"{rules}\" failures=\"3\" errors=\"0\" skipped=\"0\" time=\"0\">"
    )));
    assert!(xml.contains("tests=\"1\" failures=\"0\" errors=\"1\""));
    let cases = testcases(&xml);
    assert_eq!(cases.len(), 2 * rules + 1);
    let failed: Vec<(&str, &str, &str)> = cases
        .iter()
        .filter_map(|(c, n, o)| o.as_deref().map(|o| (c.as_str(), n.as_str(), o)))
        .collect();
    assert_eq!(
        failed,
        [
            ("billing-reconciler", "AG061 baseline-missing", "failure"),
            ("agents/broken.agent.yaml", "problem at 5:3", "error"),
            ("support-bot", "AG011 wildcard-grant", "failure"),
            ("support-bot", "AG013 approval-missing", "failure"),
            ("support-bot", "AG023 static-credential", "failure"),
        ]
    );
    assert!(xml.contains(
        "<failure message=\"action &quot;*&quot; is a wildcard: it grants every verb on zendesk://example/tickets\" type=\"error\">agents/support.agent.yaml:14:23: error[AG011 wildcard-grant] action \"*\" is a wildcard"
    ));
    assert!(xml.contains("help: Replace the wildcard"));
    assert!(xml.contains("type=\"warning\">agents/support.agent.yaml:19:13: warning[AG023"));
}

#[test]
fn junit_escapes_manifest_text_and_splits_repeated_findings() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("agents/broken.agent.yaml")).unwrap();
    let support = std::fs::read_to_string(dir.path().join("agents/support.agent.yaml")).unwrap();
    write(
        dir.path(),
        "agents/odd.agent.yaml",
        support
            .replace("name: support-bot", "name: \"odd <bot> & 'co'\"")
            .replace(
                "resource: zendesk://example/tickets",
                "resource: \"zendesk://example/<t&\\\"*\\u0001\"",
            )
            .replace("actions: [read, \"*\"]", "actions: [\"*\", admin]"),
    );
    let run = check(dir.path(), &["junit=report.xml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let file = dir.path().join("report.xml");
    xmllint_validates(&file);
    let xml = std::fs::read_to_string(&file).unwrap();
    assert!(xml.contains("classname=\"odd &lt;bot&gt; &amp; &apos;co&apos;\""));
    let names: Vec<String> = testcases(&xml)
        .into_iter()
        .filter(|(c, n, _)| c.starts_with("odd") && n.starts_with("AG011"))
        .map(|(_, n, _)| n)
        .collect();
    assert_eq!(
        names,
        [
            "AG011 wildcard-grant at /spec/permissions/0/resource",
            "AG011 wildcard-grant at /spec/permissions/0/actions/0",
            "AG011 wildcard-grant at /spec/permissions/0/actions/1",
        ]
    );
}

#[test]
fn github_annotations_point_at_the_token() {
    let dir = fixture();
    let run = check(dir.path(), &["github"]);
    assert_eq!(run.code, 2);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{}", run.stdout);
    assert_eq!(
        lines[2],
        "::error file=agents/support.agent.yaml,line=14,col=23,endLine=14,endColumn=26,title=AG011 wildcard-grant::action \"*\" is a wildcard: it grants every verb on zendesk://example/tickets%0Ahelp: Replace the wildcard or all-powerful verb with the concrete resources and the specific actions the agent needs, one permission per resource."
    );
    assert!(lines[0].starts_with(
        "::warning file=agents/billing.agent.yaml,line=6,col=1,endLine=6,endColumn=5,title=AG061 baseline-missing::"
    ));
    assert!(lines[3].starts_with("::warning file=agents/support.agent.yaml,line=19,"));
    assert!(lines[4].starts_with(
        "::error file=agents/broken.agent.yaml,line=5,col=3::duplicate key \"name\": first defined on line 4"
    ));
}

#[test]
fn github_annotations_escape_what_would_end_a_property_or_a_command() {
    let dir = fixture();
    std::fs::remove_file(dir.path().join("agents/broken.agent.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("agents/billing.agent.yaml")).unwrap();
    // A second manifest for support-bot, in a file whose name holds what ends a property (`,`
    // and `:`), an escape (`%`) and a line break followed by a forged command. AG080 on the
    // original names this file in its message.
    let support = std::fs::read_to_string(dir.path().join("agents/support.agent.yaml")).unwrap();
    let odd = "agents/a,b:50%\r\n::warning::forged.agent.yaml";
    write(
        dir.path(),
        odd,
        support.replace(
            "resource: zendesk://example/tickets",
            "resource: zendesk://example/100%*",
        ),
    );
    let run = check(dir.path(), &["github"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let escaped_file = "agents/a%2Cb%3A50%25%0D%0A%3A%3Awarning%3A%3Aforged.agent.yaml";
    for line in run.stdout.lines() {
        assert!(
            line.starts_with(&format!("::error file={escaped_file},line="))
                || line.starts_with(&format!("::warning file={escaped_file},line="))
                || line.starts_with("::error file=agents/support.agent.yaml,line=")
                || line.starts_with("::warning file=agents/support.agent.yaml,line="),
            "every line is one whole command: {line:?}"
        );
    }
    let duplicate = run
        .stdout
        .lines()
        // Reported on both files; this one names the forged file.
        .find(|l| l.contains("title=AG080 duplicate-agent::") && l.contains("forged.agent.yaml;"))
        .expect("the duplicate name is reported");
    assert!(
        duplicate.contains("already used by agents/a,b:50%25%0D%0A::warning::forged.agent.yaml;"),
        "{duplicate}"
    );
    let resource = run
        .stdout
        .lines()
        .find(|l| l.contains("title=AG011") && l.contains("resource"))
        .expect("the wildcard resource is reported");
    assert!(resource.contains("zendesk://example/100%25*"), "{resource}");
}

#[test]
fn github_format_appends_the_job_summary() {
    let dir = fixture();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "## Earlier step\n\n").unwrap();
    let run = check_with_env(
        dir.path(),
        &["github"],
        &[("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.starts_with("::warning "));
    let written = std::fs::read_to_string(&summary).unwrap();
    let markdown = check(dir.path(), &["markdown"]).stdout;
    assert_eq!(written, format!("## Earlier step\n\n{markdown}"));

    // Only the github format writes the job summary.
    std::fs::write(&summary, "").unwrap();
    check_with_env(dir.path(), &["json"], &[("GITHUB_STEP_SUMMARY", &summary)]);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), "");

    // A summary that cannot be written is an error of agentgate's own: exit 2.
    std::fs::remove_file(dir.path().join("agents/broken.agent.yaml")).unwrap();
    let missing = dir.path().join("no/such/folder/summary.md");
    let run = check_with_env(
        dir.path(),
        &["github"],
        &[("GITHUB_STEP_SUMMARY", &missing)],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("GITHUB_STEP_SUMMARY"), "{}", run.stderr);
}

#[test]
fn markdown_summary_for_a_pull_request() {
    let dir = fixture();
    let run = check(dir.path(), &["markdown"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stdout, @r#"
    ### agentgate: 2 errors, 2 warnings in 2 of 2 agents; 1 problem (files, configuration or policies agentgate could not check)

    | rule | severity | file | agent | message |
    |---|---|---|---|---|
    | AG061 baseline-missing | warning | agents/billing.agent.yaml:6:1 | billing-reconciler | spec.baseline is missing: there is no expected behaviour to monitor the agent against |
    | AG013 approval-missing | error | agents/support.agent.yaml:13:5 | support-bot | high-consequence action "\*" on zendesk://example/tickets has no human approval (approval is absent) |
    | AG011 wildcard-grant | error | agents/support.agent.yaml:14:23 | support-bot | action "\*" is a wildcard: it grants every verb on zendesk://example/tickets |
    | AG023 static-credential | warning | agents/support.agent.yaml:19:13 | support-bot | credential "zendesk-api-token" is a static api\_key: anyone holding a copy can act as the agent |

    **Worst agents**

    | agent | file | errors | warnings |
    |---|---|---|---|
    | support-bot | agents/support.agent.yaml | 2 | 1 |
    | billing-reconciler | agents/billing.agent.yaml | 0 | 1 |

    **Problems** (files, configuration or policies agentgate could not check)

    - agents/broken.agent.yaml:5:3: duplicate key "name": first defined on line 4; a repeated key can hide a grant from a reviewer, so merge the two
    "#);
}

#[test]
fn one_run_writes_several_formats() {
    let dir = fixture();
    let run = check(
        dir.path(),
        &[
            "human",
            "sarif=out.sarif",
            "github",
            "junit=README.md/report.xml",
        ],
    );
    assert_eq!(run.code, 2, "a report that cannot be written is exit 2");
    assert!(
        run.stderr
            .contains("cannot write the junit report to README.md/report.xml"),
        "{}",
        run.stderr
    );
    assert!(
        dir.path().join("out.sarif").is_file(),
        "the other reports are still written"
    );

    std::fs::remove_file(dir.path().join("agents/broken.agent.yaml")).unwrap();
    // A report's folder is created when it does not exist yet.
    let run = check(
        dir.path(),
        &["human", "sarif=out.sarif", "github", "junit=out/report.xml"],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    let last_human_line = "2 errors, 2 warnings in 2 of 2 agents\n";
    let human_end = run
        .stdout
        .find(last_human_line)
        .expect("human output first, with its summary line")
        + last_human_line.len();
    let (human, github) = run.stdout.split_at(human_end);
    assert!(human.contains("AG011 wildcard-grant"));
    let github: Vec<&str> = github.lines().collect();
    assert_eq!(github.len(), 4);
    assert!(github.iter().all(|l| l.starts_with("::")));
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_valid_sarif(&sarif);
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 4);
    xmllint_validates(&dir.path().join("out/report.xml"));

    // Without --format the output is human, as before.
    let default = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert_eq!(default.stdout, human);
}

#[test]
fn format_mistakes_are_usage_errors() {
    let dir = fixture();
    for (formats, says) in [
        (&["xml"][..], "unknown format \"xml\""),
        (&["sarif="][..], "names no file"),
        (&["sarif=a.json", "json=a.json"][..], "both write to a.json"),
    ] {
        let run = check(dir.path(), formats);
        assert_eq!(run.code, 2, "{formats:?}");
        assert!(run.stderr.contains(says), "{formats:?}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{formats:?}: nothing is checked");
    }
    assert!(!dir.path().join("a.json").exists());
}
