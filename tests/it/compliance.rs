//! `agentgate report`: the per-control report in JSON, Markdown and HTML, its reproducibility
//! header (commit, dirty tree, one digest per rule pack) and the waivers in force.

use std::path::Path;
use std::process::Command;

use crate::common;
use crate::common::{
    agentgate, agentgate_with_env, copy_dir, crate_dir, git_commit_all, Run, TODAY,
};
use sha2::{Digest, Sha256};

/// How docs/auditors.md tells an auditor to compute a pack's digest, with stock find, sort and
/// sha256sum.
const AUDITOR_COMMAND: &str =
    "find . -name '*.rego' -type f -printf '%P\\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum";

/// A pack's digest by [`AUDITOR_COMMAND`]: the test that the documented scheme is the one
/// agentgate uses.
fn sha256sum_digest(pack: &Path) -> String {
    let page = std::fs::read_to_string(crate_dir().join("docs/auditors.md")).unwrap();
    assert!(
        page.contains(AUDITOR_COMMAND),
        "docs/auditors.md shows the command"
    );
    let output = Command::new("sh")
        .arg("-c")
        .arg(AUDITOR_COMMAND)
        .current_dir(pack)
        .output()
        .expect("sh runs");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    format!("sha256:{}", &text[..64])
}

/// The binary with its own pack cache, so git packs never touch the user's.
fn agentgate_with_cache(dir: &Path, cache: &Path, args: &[&str]) -> Run {
    agentgate_with_env(dir, args, &[("AGENTGATE_CACHE", cache)])
}

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
    assert_eq!(header["dirty"], false, "everything is committed");
    // Only the built-in pack: named, versioned, and digested as docs/auditors.md says.
    let packs = header["packs"].as_array().unwrap();
    assert_eq!(packs.len(), 1, "{packs:?}");
    assert_eq!(packs[0]["source"], "builtin");
    assert_eq!(packs[0]["name"], "builtin");
    assert_eq!(packs[0]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        packs[0]["digest"],
        sha256sum_digest(&crate_dir().join("policies"))
    );
    let rego_files = common::walk(&crate_dir().join("policies"))
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rego"))
        .count();
    assert_eq!(packs[0]["files"], rego_files);
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
    assert_eq!(report["header"]["dirty"], false, "not a git repository");
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
    assert!(md.stdout.contains("| repository | . |"));
    assert!(md.stdout.contains("| commit | (not a git repository) |"));
    assert!(md.stdout.contains(&format!(
        "| rule pack | builtin (agentgate {}) `{}` ({} Rego files) |",
        env!("CARGO_PKG_VERSION"),
        report["header"]["packs"][0]["digest"].as_str().unwrap(),
        report["header"]["packs"][0]["files"]
    )));
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

#[test]
fn the_header_flags_a_working_tree_that_differs_from_the_commit() {
    let tmp = fixture();
    common::write(tmp.path(), ".gitignore", "*.log\nout/\n");
    let repo = git_commit_all(tmp.path(), "agents");
    let head = repo
        .head()
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
        .to_string();
    let header = |args: &[&str]| {
        let mut all = vec!["report", "--today", TODAY, "--format", "json"];
        all.extend_from_slice(args);
        let run = agentgate(tmp.path(), &all);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.json()["header"].clone()
    };
    let markdown = || {
        let run = agentgate(tmp.path(), &["report", "--today", TODAY]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    let flagged = format!("| commit | {head} (working tree has uncommitted changes) |");

    // Ignored files do not make the tree dirty.
    common::write(tmp.path(), "debug.log", "noise\n");
    common::write(tmp.path(), "out/report.html", "<html></html>\n");
    assert_eq!(header(&[])["dirty"], false);
    assert!(markdown().contains(&format!("| commit | {head} |")));

    // Nor does an untracked file that agentgate does not read: the report being written.
    common::write(tmp.path(), "report.html", "<html></html>\n");
    common::write(tmp.path(), "agents/notes.txt", "todo\n");
    assert_eq!(header(&[])["dirty"], false);

    // An untracked manifest, configuration or rule does: it changes what is evaluated.
    let manifest_text =
        std::fs::read_to_string(tmp.path().join("agents/support-bot.agent.yaml")).unwrap();
    for input in [
        "agents/draft.agent.yaml",
        // Under an excluded path: anywhere else below the root it is refused (exit 2).
        "packs/nested/.agentgate.yaml",
        "policies/extra/rule.rego",
    ] {
        common::write(tmp.path(), input, &manifest_text);
        assert_eq!(header(&[])["dirty"], true, "{input}");
        std::fs::remove_file(tmp.path().join(input)).unwrap();
    }
    assert_eq!(header(&[])["dirty"], false);

    // So does a modified tracked file; the Markdown and HTML headers say so.
    let manifest = tmp.path().join("agents/support-bot.agent.yaml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}# edited\n")).unwrap();
    let dirty = header(&[]);
    assert_eq!(dirty["dirty"], true);
    assert_eq!(dirty["commit"], head.as_str());
    assert!(markdown().contains(&flagged), "{}", markdown());
    let html = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert!(html.stdout.contains(&format!(
        "<span class=\"dirty\">{head} (working tree has uncommitted changes)</span>"
    )));

    // `--at` reads the commit itself: never dirty, whatever the working tree holds.
    let at = header(&["--at", "HEAD"]);
    assert_eq!(at["dirty"], false);
    assert_eq!(at["commit"], head.as_str());
    let run = agentgate(tmp.path(), &["report", "--today", TODAY, "--at", "HEAD"]);
    assert!(run.stdout.contains(&format!("| commit | {head} |")));
    assert!(!run.stdout.contains("uncommitted"));

    // A staged change is a change too.
    let mut index = repo.index().unwrap();
    index
        .add_path(Path::new("agents/support-bot.agent.yaml"))
        .unwrap();
    index.write().unwrap();
    assert_eq!(header(&[])["dirty"], true);
}

const ACME002: &str = r#"# METADATA
# title: Watched agent
# custom:
#   id: ACME002
#   slug: watched
#   severity: warning
#   summary: ACME watches this agent
#   fix: Nothing to fix.
#   controls: [soc2:CC6.1]
package agentgate.rules.acme.watched

import rego.v1

deny contains {"msg": "watched", "path": "/metadata/name"} if {
	input.metadata.name == "billing-reconciler"
}
"#;

#[test]
fn the_header_names_every_rule_pack_with_its_own_digest() {
    // A git pack (pinned commit, in a subdir) and the example folder pack, beside the built-in.
    let upstream = tempfile::tempdir().unwrap();
    common::write(upstream.path(), "rules/acme/watched.rego", ACME002);
    common::write(
        upstream.path(),
        "rules/acme/watched_test.rego",
        "package agentgate.rules.acme.watched_test\n\nimport rego.v1\n\ntest_nothing if true\n",
    );
    common::write(upstream.path(), "other/ignored.rego", "package x\n");
    let upstream_repo = git_commit_all(upstream.path(), "ACME pack");
    let rev = upstream_repo.head().unwrap().target().unwrap().to_string();
    let url = format!("file://{}", upstream.path().display());

    let tmp = fixture();
    let config = tmp.path().join(".agentgate.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!(
        "packs:\n  - path: packs/acme\n  - git: {url}\n    rev: \"{rev}\"\n    subdir: rules\n"
    ));
    std::fs::write(&config, text).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let run = agentgate_with_cache(
        tmp.path(),
        cache.path(),
        &["report", "--today", TODAY, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let packs = run.json()["header"]["packs"].clone();
    let packs = packs.as_array().unwrap();
    assert_eq!(packs.len(), 3, "{packs:?}");
    assert_eq!(packs[0]["name"], "builtin");

    assert_eq!(packs[1]["source"], "path");
    assert_eq!(packs[1]["name"], "packs/acme");
    assert_eq!(packs[1]["files"], 2);
    assert_eq!(
        packs[1]["digest"],
        sha256sum_digest(&tmp.path().join("packs/acme"))
    );
    assert!(packs[1].get("version").is_none());

    assert_eq!(packs[2]["source"], "git");
    assert_eq!(packs[2]["url"], url.as_str());
    assert_eq!(packs[2]["rev"], rev.as_str());
    assert_eq!(packs[2]["subdir"], "rules");
    assert_eq!(packs[2]["name"], format!("{url}@{rev}:rules"));
    // Paths below the subdir: the same digest as the folder an auditor checks out.
    assert_eq!(packs[2]["files"], 2);
    assert_eq!(
        packs[2]["digest"],
        sha256sum_digest(&upstream.path().join("rules"))
    );
    let digests: std::collections::BTreeSet<&str> = packs
        .iter()
        .map(|p| p["digest"].as_str().unwrap())
        .collect();
    assert_eq!(digests.len(), 3, "each pack has its own digest");

    // Run from outside the repository, naming it and its configuration (outside git the root
    // is the working directory, unless `--config` names the repository's): the same packs
    // (those the check ran with).
    let parent = tmp.path().parent().unwrap();
    let name = tmp.path().file_name().unwrap().to_str().unwrap();
    let config = format!("{name}/.agentgate.yaml");
    let outside = agentgate_with_cache(
        parent,
        cache.path(),
        &[
            "report", name, "--config", &config, "--today", TODAY, "--format", "json",
        ],
    );
    assert_eq!(outside.code, 0, "{}", outside.stderr);
    let identity = |packs: &[serde_json::Value]| -> Vec<(String, String)> {
        packs
            .iter()
            .map(|p| (p["source"].to_string(), p["digest"].to_string()))
            .collect()
    };
    let from_outside = outside.json()["header"]["packs"].clone();
    assert_eq!(
        identity(from_outside.as_array().unwrap()),
        identity(packs),
        "{}",
        outside.stdout
    );

    // Any byte of a pack changes its digest, and only its own.
    let rule = tmp.path().join("packs/acme/external_pii.rego");
    let source = std::fs::read_to_string(&rule).unwrap();
    std::fs::write(&rule, format!("{source}\n# changed\n")).unwrap();
    let again = agentgate_with_cache(
        tmp.path(),
        cache.path(),
        &["report", "--today", TODAY, "--format", "json"],
    )
    .json();
    let again = again["header"]["packs"].as_array().unwrap().clone();
    assert_eq!(again[0]["digest"], packs[0]["digest"]);
    assert_ne!(again[1]["digest"], packs[1]["digest"]);
    assert_eq!(again[2]["digest"], packs[2]["digest"]);

    let md = agentgate_with_cache(tmp.path(), cache.path(), &["report", "--today", TODAY]);
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert!(md.stdout.contains(&format!(
        "| rule pack | packs/acme `{}` (2 Rego files) |",
        again[1]["digest"].as_str().unwrap()
    )));
    assert!(md.stdout.contains(&format!(
        "@{rev}:rules `{}` (2 Rego files) |",
        packs[2]["digest"].as_str().unwrap()
    )));
    let html = agentgate_with_cache(
        tmp.path(),
        cache.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(
        html.stdout.matches("<tr><th>rule pack</th>").count(),
        3,
        "one header row per pack"
    );
    assert!(html.stdout.contains(&format!(
        "<tr><th>rule pack</th><td>packs/acme <code>{}</code> (2 Rego files)</td></tr>",
        again[1]["digest"].as_str().unwrap()
    )));
}

/// An agent without a review or an expiry, one reviewed too long ago, and one due tomorrow:
/// the timeline must show each distinctly, in text as well as shape.
fn timeline_fixture() -> tempfile::TempDir {
    let tmp = fixture();
    common::write(
        tmp.path(),
        "agents/adrift.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: adrift}\nspec:\n  purpose: nothing reviewed, nothing expires\n  lifecycle: {status: active}\n",
    );
    common::write(
        tmp.path(),
        "agents/stale.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: aaa-stale}\nspec:\n  purpose: reviewed long ago\n  lifecycle: {status: active, expires: 2027-01-10}\n  review: {reviewer: sec-review@example.com, date: 2026-03-01}\n",
    );
    tmp
}

#[test]
fn html_has_a_timeline_of_review_ages_and_expiries() {
    let tmp = timeline_fixture();
    let run = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = &run.stdout;
    let start = page
        .find("<h2>Review ages and expiries</h2>")
        .expect("the timeline section");
    let end = page[start..].find("<h2>Controls</h2>").unwrap() + start;
    let timeline = &page[start..end];
    assert!(timeline.contains("the 180 days it stays valid"));
    assert!(timeline.contains(
        "<svg class=\"timeline\" role=\"img\" aria-labelledby=\"timeline-0-title timeline-0-desc\""
    ));
    assert!(timeline.contains("<title id=\"timeline-0-title\">Review ages and expiries</title>"));
    // The window and today, as axis labels.
    for label in [
        "2026-05-27",
        "2026-11-23",
        "2027-11-23",
        ">today<",
        ">−180d<",
        ">+365d<",
    ] {
        assert!(timeline.contains(label), "{label}");
    }
    // Sorted by name: aaa-stale first, then adrift, then the example agents.
    let position = |name: &str| {
        timeline
            .find(&format!(">{name}</text>"))
            .unwrap_or_else(|| panic!("{name} has a lane"))
    };
    assert!(position("aaa-stale") < position("adrift"));
    assert!(position("adrift") < position("billing-reconciler"));
    assert!(position("support-bot") < position("ticket-writer"));
    // Every lane says what it draws.
    assert!(timeline.contains(">reviewed 267d ago (overdue)</text>"));
    assert!(timeline.contains(">expires in 48d</text>"));
    assert!(timeline.contains(">reviewed 21d ago</text>"));
    assert!(timeline.contains(">expires in 189d</text>"));
    assert!(timeline.contains(">expired 146d ago</text>"));
    assert!(timeline.contains(
        "<title>adrift (agents/adrift.agent.yaml): no security review; no expiry date.</title>"
    ));
    assert!(timeline.contains(">no review</text>") && timeline.contains(">no expiry</text>"));
    assert!(timeline.contains(
        "<title>aaa-stale (agents/stale.agent.yaml): reviewed by sec-review@example.com on 2026-03-01, 267 days ago, older than the maximum review age of 180 days; expires on 2027-01-10, in 48 days.</title>"
    ));
    // An overdue review is dashed, a valid one is not: distinct in black-and-white print.
    assert!(timeline.contains("stroke=\"#a40000\" stroke-dasharray=\"4 2\"/>"));
    // The dashed line of today at x = 220 + 180.
    assert!(timeline.contains("<line x1=\"400\" y1=\"36\" x2=\"400\""));

    // The page still loads nothing, and the same input gives the same bytes.
    for external in ["<script", "<img", "<link", "href=", "url(", "@import"] {
        assert!(!page.contains(external), "{external}");
    }
    let again = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(&again.stdout, page, "deterministic");
}

#[test]
fn the_timeline_follows_max_review_age_from_the_configuration() {
    let tmp = timeline_fixture();
    let config = tmp.path().join(".agentgate.yaml");
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("settings:\n", "settings:\n  maxReviewAge: 365d\n");
    std::fs::write(&config, text).unwrap();
    let run = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("the 365 days it stays valid"));
    assert!(
        run.stdout.contains(">reviewed 267d ago</text>"),
        "no longer overdue"
    );
    assert!(run.stdout.contains("review valid (365 days)"));
}

#[test]
fn html_prints_well() {
    let tmp = fixture();
    let page = agentgate(
        tmp.path(),
        &["report", "--today", TODAY, "--format", "html"],
    )
    .stdout;
    let style = &page[page.find("<style>").unwrap()..page.find("</style>").unwrap()];
    let print = &style[style.find("@media print").expect("a print stylesheet")..];
    for rule in [
        "thead{display:table-header-group}",
        "tr,figure.chart,svg{break-inside:avoid}",
        "h2,h3,p.lead{break-after:avoid}",
        "print-color-adjust:exact",
    ] {
        assert!(print.contains(rule), "{rule} in {print}");
    }
    // Both charts are figures that a page break cannot cut.
    assert_eq!(page.matches("<figure class=\"chart\">").count(), 2);
}
