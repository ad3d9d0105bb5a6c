//! Adoption without a second exception mechanism: the waiver `file` glob for findings without an
//! agent (footprints, secrets), and `agentgate waive --all`, which writes one waiver per current
//! finding into the configuration, leaving the rest of the file as it was.

use std::path::Path;

use crate::common::*;

/// testdata/discover/mixed (footprints and secrets without an agent) with one manifest finding
/// (AG013 on billing-reconciler) beside it, as a repository of its own.
fn repository() -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tempdir");
    copy_fixture(&crate_dir().join("testdata/discover/mixed"), work.path());
    let manifest = crate_dir().join("testdata/rules/AG013/fail/no-approval.agent.yaml");
    let text = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace("name: billing-reconciler", "name: ticket-filer");
    write(
        work.path(),
        "agents/ticketing.agent.yaml",
        sign_placeholders(&text),
    );
    trust_test_key(work.path());
    std::fs::create_dir_all(work.path().join(".git")).expect("mark the repository root");
    work
}

fn check_json(dir: &Path, today: &str) -> (i32, serde_json::Value) {
    let run = agentgate(dir, &["check", "--format", "json", "--today", today]);
    (run.code, run.json())
}

fn rules_and_files(list: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<_> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn append_config(dir: &Path, text: &str) {
    let path = dir.join(".agentgate.yaml");
    let mut config = std::fs::read_to_string(&path).unwrap_or_default();
    config.push_str(text);
    std::fs::write(path, config).unwrap();
}

#[test]
fn a_file_waiver_covers_the_findings_in_the_files_its_glob_matches() {
    let repo = repository();
    let (code, before) = check_json(repo.path(), TODAY);
    assert_eq!(code, 1, "{before}");
    let all = rules_and_files(&before["findings"]);
    assert!(all.contains(&("AG100".into(), "services/support-bot/agent.py".into())));
    append_config(
        repo.path(),
        "waivers:\n  - rule: AG100\n    file: services/support-bot/**\n    reason: Manifest in progress, ticket SEC-142\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    let (_, after) = check_json(repo.path(), TODAY);
    assert_eq!(after["errors"], serde_json::json!([]), "{after}");
    assert_eq!(
        rules_and_files(&after["waived"]),
        vec![("AG100".into(), "services/support-bot/agent.py".into())]
    );
    assert_eq!(
        after["waived"][0]["waiver"]["file"],
        "services/support-bot/**"
    );
    let mut rest = all.clone();
    rest.retain(|f| f.1 != "services/support-bot/agent.py");
    assert_eq!(rules_and_files(&after["findings"]), rest);
    // The machine formats say which waiver, and how wide it is, not only who approved it.
    let sarif = agentgate(
        repo.path(),
        &["check", "--format", "sarif", "--today", TODAY],
    )
    .json();
    let suppressed: Vec<_> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suppressions"].is_array())
        .collect();
    assert_eq!(suppressed.len(), 1, "{sarif}");
    let bag = &suppressed[0]["suppressions"][0]["properties"];
    assert_eq!(bag["file"], "services/support-bot/**", "{bag}");
    assert!(
        bag["waiver"].as_str().unwrap().starts_with("/waivers/"),
        "{bag}"
    );
    let junit = agentgate(
        repo.path(),
        &["check", "--format", "junit", "--today", TODAY],
    );
    assert!(
        junit
            .stdout
            .contains("AG100 in files services/support-bot/**"),
        "{}",
        junit.stdout
    );
}

#[test]
fn a_file_glob_is_relative_to_the_configuration_and_star_stays_in_one_folder() {
    let repo = repository();
    append_config(
        repo.path(),
        "waivers:\n  - rule: AG100\n    file: services/*.py\n    reason: r\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    let (_, json) = check_json(repo.path(), TODAY);
    assert_eq!(json["waived"], serde_json::json!([]), "{json}");
    // Unused (AG091) and reported at the waiver.
    assert!(
        rules_and_files(&json["findings"]).contains(&("AG091".into(), ".agentgate.yaml".into())),
        "{json}"
    );
    // Named from a subfolder, the file is still matched relative to the configuration.
    std::fs::write(
        repo.path().join(".agentgate.yaml"),
        std::fs::read_to_string(repo.path().join(".agentgate.yaml"))
            .unwrap()
            .replace("services/*.py", "services/*/agent.py"),
    )
    .unwrap();
    let run = agentgate(
        &repo.path().join("services"),
        &["check", "--format", "json", "--today", TODAY, "support-bot"],
    );
    let json = run.json();
    assert_eq!(
        rules_and_files(&json["waived"]),
        vec![("AG100".into(), "support-bot/agent.py".into())],
        "{json}"
    );
}

#[test]
fn a_bad_file_glob_is_a_configuration_error() {
    let repo = repository();
    append_config(
        repo.path(),
        "waivers:\n  - rule: AG100\n    file: \"services/[\"\n    reason: r\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    let run = agentgate(repo.path(), &["check", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("\"services/[\" is not a glob")
            && run.stdout.contains(".agentgate.yaml:"),
        "{}",
        run.stdout
    );
}

fn waive(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "waive",
        "--all",
        "--reason",
        "Adoption, ticket SEC-200",
        "--approved-by",
        "ciso@example.com",
        "--expires",
        "2027-03-31",
        "--today",
        TODAY,
    ];
    args.extend_from_slice(extra);
    agentgate(dir, &args)
}

const COMMENTED: &str = "# Our gate.\nversion: 1   # keep\nwaivers:\n    # Existing, indented by four.\n    - rule: AG101\n      file: .env\n      reason: \"Rotating, SEC-9\"\n      approvedBy: ciso@example.com\n      expires: 2027-01-31\n\n# Trailing words.\nsettings:\n  allowedSigners: allowed_signers   # test key\n";

#[test]
fn waive_all_makes_check_pass_and_keeps_the_configuration_text() {
    let repo = repository();
    std::fs::write(repo.path().join(".agentgate.yaml"), COMMENTED).unwrap();
    let (code, before) = check_json(repo.path(), TODAY);
    assert_eq!(code, 1, "{before}");
    let all = rules_and_files(&before["findings"]);
    assert!(all.iter().any(|f| f.0 == "AG013"), "{all:?}");
    let run = waive(repo.path(), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("wrote "), "{}", run.stdout);
    let text = std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap();
    // The old text is all there, in order: the new waivers are inserted after the old one.
    let cut = COMMENTED.find("2027-01-31\n").unwrap() + "2027-01-31\n".len();
    assert!(text.starts_with(&COMMENTED[..cut]), "{text}");
    assert!(text.ends_with(&COMMENTED[cut..]), "{text}");
    assert!(
        text.contains("    - rule: \"AG013\"\n      agent: \"ticket-filer\"\n"),
        "{text}"
    );
    assert!(
        text.contains("      file: \"services/support-bot/agent.py\"\n"),
        "{text}"
    );
    // A document-level finding's waiver has no `path` (the empty pointer would cover the whole
    // document anyway).
    assert!(!text.contains("path: \"\""), "{text}");
    let (code, after) = check_json(repo.path(), TODAY);
    assert_eq!(code, 0, "{after}");
    assert_eq!(after["findings"], serde_json::json!([]), "{after}");
    let mut waived = rules_and_files(&after["waived"]);
    waived.dedup();
    // Every finding of before, and the one the existing waiver already covered.
    let mut expected = all.clone();
    expected.push(("AG101".into(), ".env".into()));
    expected.sort();
    expected.dedup();
    assert_eq!(waived, expected);
    // The debt keeps its date: after it, every waiver is AG090 and the run fails.
    let (code, later) = check_json(repo.path(), "2027-04-01");
    assert_eq!(code, 1, "{later}");
    assert!(rules_and_files(&later["findings"])
        .iter()
        .any(|f| f.0 == "AG090"));
    // Running it again finds nothing left to waive and leaves the file alone.
    let again = waive(repo.path(), &[]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap(),
        text
    );
}

#[test]
fn waive_all_creates_the_configuration_or_adds_the_waivers_key() {
    let repo = repository();
    // The trusted key's configuration, without waivers: the key is added at the end.
    let before = std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap();
    let run = waive(repo.path(), &["--rule", "AG100"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap();
    assert!(
        text.starts_with(&format!("{before}waivers:\n  - rule: \"AG100\"\n")),
        "{text}"
    );
    assert!(!text.contains("AG101"), "{text}");
    let (_, after) = check_json(repo.path(), TODAY);
    assert!(rules_and_files(&after["waived"])
        .iter()
        .all(|f| f.0 == "AG100"));
    assert!(!rules_and_files(&after["findings"])
        .iter()
        .any(|f| f.0 == "AG100"));

    // No configuration at all: created at the root; the run passes afterwards.
    let bare = tempfile::tempdir().unwrap();
    copy_fixture(&crate_dir().join("testdata/discover/mixed"), bare.path());
    std::fs::create_dir_all(bare.path().join(".git")).unwrap();
    std::fs::create_dir_all(bare.path().join("services")).unwrap();
    let run = waive(&bare.path().join("services"), &["--file", "**"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let text = std::fs::read_to_string(bare.path().join(".agentgate.yaml")).unwrap();
    assert!(
        text.starts_with("version: 1\nwaivers:\n  - rule: "),
        "{text}"
    );
    let (code, after) = check_json(bare.path(), TODAY);
    assert_eq!(code, 0, "{after}");
}

#[test]
fn waive_all_skips_what_cannot_be_waived_and_refuses_a_bad_result() {
    let repo = repository();
    // An expired waiver (AG090) cannot be waived; it is skipped and said so.
    append_config(
        repo.path(),
        "waivers:\n  - rule: AG013\n    agent: nobody\n    reason: r\n    approvedBy: ciso@example.com\n    expires: 2020-01-01\n",
    );
    let run = waive(repo.path(), &[]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("skipped 1\n"), "{}", run.stdout);
    assert!(run.stdout.contains("1 cannot be waived"), "{}", run.stdout);
    // An approver that is not an email address makes an invalid configuration: nothing written.
    let repo = repository();
    let before = std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap();
    let run = agentgate(
        repo.path(),
        &[
            "waive",
            "--all",
            "--reason",
            "r",
            "--approved-by",
            "not an email",
            "--expires",
            "2027-01-01",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.path().join(".agentgate.yaml")).unwrap(),
        before
    );
    let leftovers: Vec<_> = std::fs::read_dir(repo.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("waive-"))
        .collect();
    assert!(leftovers.is_empty());
    // An expiry in the past is refused outright.
    let run = agentgate(
        repo.path(),
        &[
            "waive",
            "--all",
            "--reason",
            "r",
            "--approved-by",
            "ciso@example.com",
            "--expires",
            "2020-01-01",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 2);
}

/// Per-server governance: a waiver's `path` on a footprint names one server of a config file
/// (and what lies below it, such as its secret), never its neighbours.
#[test]
fn a_waiver_path_on_a_footprint_names_one_server() {
    let repo = repository();
    append_config(
        repo.path(),
        "waivers:\n  - rule: AG100\n    file: .mcp.json\n    path: /mcpServers/github\n    reason: Manifest in progress, ticket SEC-143\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    let (_, after) = check_json(repo.path(), TODAY);
    let waived: Vec<_> = after["waived"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert_eq!(waived, [("AG100", "/mcpServers/github")], "{after}");
    let standing: Vec<_> = after["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["file"] == ".mcp.json")
        .map(|f| (f["rule"].as_str().unwrap(), f["path"].as_str().unwrap()))
        .collect();
    assert!(standing.contains(&("AG100", "/mcpServers/docs")), "{after}");
    // The rule is part of the scope: the server's committed token is not waived by it.
    assert!(
        standing.contains(&(
            "AG101",
            "/mcpServers/github/env/GITHUB_PERSONAL_ACCESS_TOKEN"
        )),
        "{after}"
    );
}
