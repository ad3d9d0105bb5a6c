//! `agentgate report`: the per-control report in JSON and Markdown, its reproducibility header
//! and the waivers in force.

mod common;

use common::{agentgate, copy_dir, crate_dir, git_commit_all, TODAY};
use sha2::{Digest, Sha256};

fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&crate_dir().join("examples"), tmp.path());
    let config = tmp.path().join(".agentgate.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "waivers:\n  - rule: AG023\n    agent: support-bot\n    reason: Zendesk offers no federated tokens yet\n    approvedBy: ciso@example.com\n    expires: 2026-12-31\n",
    );
    std::fs::write(&config, text).unwrap();
    tmp
}

#[test]
fn json_report_counts_agents_per_control_and_lists_failures_and_waivers() {
    let tmp = fixture();
    let repo = git_commit_all(tmp.path(), "agents");
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let run = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let header = &report["header"];
    assert_eq!(header["commit"], head.as_str());
    assert_eq!(header["date"], TODAY);
    assert_eq!(header["agentgateVersion"], env!("CARGO_PKG_VERSION"));
    assert_eq!(header["framework"], "all");
    assert!(header["packDigest"]
        .as_str()
        .unwrap()
        .starts_with("sha256:"));
    let config_bytes = std::fs::read(tmp.path().join(".agentgate.yaml")).unwrap();
    let digest: String = Sha256::digest(&config_bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(header["configDigest"], format!("sha256:{digest}"));

    let agents = report["agents"].as_array().unwrap().len();
    assert_eq!(agents, 7);
    let controls = report["controls"].as_array().unwrap();
    let control = |id: &str| {
        controls
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id} in the report"))
    };
    for c in controls {
        let passing = c["agentsPassing"].as_u64().unwrap();
        let failing = c["agentsFailing"].as_u64().unwrap();
        assert_eq!(passing + failing, agents as u64, "{}", c["id"]);
        assert_eq!(c["failing"].as_array().unwrap().len() as u64, failing);
        assert!(!c["title"]
            .as_str()
            .unwrap()
            .contains("not in the control catalogue"));
    }
    let wildcard = control("nist-800-53:AC-6");
    assert!(wildcard["rules"]
        .as_array()
        .unwrap()
        .contains(&"AG011".into()));
    let support = wildcard["failing"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["agent"] == "support-bot")
        .expect("support-bot fails least privilege");
    assert_eq!(support["file"], "agents/support-bot.agent.yaml");
    assert!(support["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "AG011" && f["line"].as_u64().unwrap() > 0));
    let waived = control("owasp-nhi:NHI4");
    assert_eq!(waived["waivers"][0]["rule"], "AG023");
    assert_eq!(waived["waivers"][0]["approvedBy"], "ciso@example.com");
    assert_eq!(waived["waivers"][0]["expires"], "2026-12-31");
    assert_eq!(control("eu-ai-act:Art.14")["label"], "supports");
    assert_eq!(control("soc2:CC6.1")["label"], "evidences");
}

#[test]
fn one_framework_and_markdown() {
    let tmp = fixture();
    let run = agentgate(
        tmp.path(),
        &[
            "report",
            "--today",
            TODAY,
            "--framework",
            "soc2",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["header"]["framework"], "soc2");
    assert_eq!(report["header"]["commit"], serde_json::Value::Null);
    let ids: Vec<&str> = report["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with("soc2:")), "{ids:?}");
    assert!(ids.contains(&"soc2:CC6.1"));

    let owasp = agentgate(
        tmp.path(),
        &[
            "report",
            "--today",
            TODAY,
            "--framework",
            "owasp",
            "--format",
            "json",
        ],
    );
    let owasp = owasp.json();
    let ids: Vec<&str> = owasp["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"owasp-nhi:NHI5")
            && ids.contains(&"owasp-llm:LLM06")
            && ids.contains(&"owasp-asi:ASI03")
    );

    let md = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--framework", "soc2"],
    );
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.starts_with("# agentgate compliance report\n"));
    assert!(md.stdout.contains("| date | 2026-11-23 |"));
    assert!(md
        .stdout
        .contains("| control | title | rules | agents passing | agents failing |"));
    assert!(md.stdout.contains("| soc2:CC6.3 | The entity authorizes"));
    assert!(md
        .stdout
        .contains("- **support-bot** (agents/support-bot.agent.yaml)"));
    assert!(md.stdout.contains("waiver of AG023 for support-bot"));
    assert!(md.stdout.contains("## Agents"));
    // Manifest text is escaped: the wildcard resource cannot start emphasis.
    assert!(md.stdout.contains(r"zendesk://example/\*"));
}

#[test]
fn html_is_one_self_contained_file_with_the_control_table_and_a_chart() {
    let tmp = fixture();
    common::write(
        tmp.path(),
        "agents/odd.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: \"<img src=x onerror=alert(1)>\"}\nspec:\n  purpose: odd\n",
    );
    let run = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = &run.stdout;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("<table id=\"controls\">"));
    assert!(page.contains("<svg role=\"img\" aria-label=\"Findings by rule family\""));
    assert!(page.contains("@media print"));
    for external in [
        "<script", "<img", "<link", "<iframe", "src=\"", "href=", "@import", "url(",
    ] {
        assert!(
            !page.contains(external),
            "the page loads nothing: {external}"
        );
    }
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(page.contains("waiver of AG023 for support-bot"));
}
