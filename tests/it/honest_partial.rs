//! Partial runs (`--changed-since`, `--staged`, paths) never pass what the full run fails
//! because of the change (issue 13, items 3 and 5), each reproduced end to end on the real
//! binary in a real git repository: a change to the trusted configuration makes the run a full
//! run; discovery findings are narrowed to what the change reaches; `exclude` applies to files
//! named on the command line; a manifest cannot leave the inventory by losing its header; and
//! AG091 judges only what the run could judge.

use std::path::Path;

use crate::common::*;

/// A signed manifest for `name` (one read grant), reviewed three days before [`TODAY`] (within
/// `maxReviewBackdate`, so a change may add it), with `extra` lines added to its `spec`.
fn agent(name: &str, extra: &str) -> String {
    agent_reviewed(name, extra, "2026-11-20")
}

fn agent_reviewed(name: &str, extra: &str, reviewed: &str) -> String {
    signed(&format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n  name: {name}\n  description: Test agent {name}\nspec:\n  purpose: Does the work of {name}.\n  owner: {{name: Jane Doe, email: jane.doe@example.com}}\n  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}\n  lifecycle: {{status: active, expires: 2027-05-31}}\n  identity: {{type: workload, id: \"spiffe://example.org/{name}\"}}\n  permissions:\n    - resource: postgres://db/public.t\n      actions: [read]\n      justification: Needed for the job\n  credentials: []\n  blastRadius: {{worstCase: Reads some rows, dataClasses: [], reversible: true, externalReach: false}}\n  baseline: {{maxActionsPerHour: 10}}\n  audit: {{logSink: \"siem://splunk/agents\"}}\n{extra}  review: {{reviewer: sec-review@example.com, date: {reviewed}}}\n"
    ))
}

fn human(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--today", TODAY];
    args.extend_from_slice(extra);
    agentgate(dir, &args)
}

fn pair(rule: &str, file: &str) -> (String, String) {
    (rule.to_string(), file.to_string())
}

fn head(repo: &git2::Repository) -> String {
    repo.head().unwrap().target().unwrap().to_string()
}

const PACK_RULE: &str = r#"# METADATA
# title: Watched agents
# description: ACME watches some agents.
# custom:
#   id: ACME001
#   slug: watched
#   severity: error
#   summary: A watched agent
#   fix: Stop it.
#   controls: [soc2:CC6.1]
package agentgate.rules.acme.watched

import rego.v1

deny contains {"msg": "this agent is watched by ACME", "path": "/metadata/name"} if {
	input.metadata.name == "NAME"
}
"#;

/// The repository of item 3 (a): a configuration with a waiver, a rule pack, trusted signers
/// and a people directory, all clean at the base.
fn trusted_repo(dir: &Path) -> String {
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\npacks:\n  - path: policies/acme\nsettings:\n  directory: people.txt\nwaivers:\n  - rule: AG011\n    agent: wild\n    reason: Being narrowed, SEC-1\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    trust_test_key(dir);
    write(
        dir,
        "people.txt",
        "jane.doe@example.com\nraj.patel@example.com\n",
    );
    write(
        dir,
        "policies/acme/watched.rego",
        PACK_RULE.replace("NAME", "nobody"),
    );
    write(dir, "agents/calm.agent.yaml", agent("calm", ""));
    write(
        dir,
        "agents/wild.agent.yaml",
        signed(&agent("wild", "").replace("resource: postgres://db/public.t", "resource: \"*\"")),
    );
    let repo = git_commit_all(dir, "base");
    head(&repo)
}

/// Item 3 (a): a change to `.agentgate.yaml`, a rule pack, `allowed_signers` or the people
/// directory reported nothing under `--changed-since` (no manifest changed), though the full run
/// fails because of it. Such a change makes the run a full run, and says so.
#[test]
fn a_change_to_the_trusted_configuration_makes_a_full_run() {
    type Edit = fn(&Path);
    let edits: [(&str, Edit, &str, &str); 4] = [
        (
            ".agentgate.yaml",
            |dir| {
                let config = std::fs::read_to_string(dir.join(".agentgate.yaml")).unwrap();
                let without = config.split("waivers:").next().unwrap().to_string();
                write(dir, ".agentgate.yaml", without);
            },
            "AG011",
            "agents/wild.agent.yaml",
        ),
        (
            "policies/acme/watched.rego",
            |dir| {
                write(
                    dir,
                    "policies/acme/watched.rego",
                    PACK_RULE.replace("NAME", "calm"),
                )
            },
            "ACME001",
            "agents/calm.agent.yaml",
        ),
        (
            "allowed_signers",
            |dir| write(dir, "allowed_signers", "# nobody is trusted any more\n"),
            "AG041",
            "agents/calm.agent.yaml",
        ),
        (
            "people.txt",
            |dir| write(dir, "people.txt", "raj.patel@example.com\n"),
            "AG003",
            "agents/calm.agent.yaml",
        ),
    ];
    for (changed, edit, rule, file) in edits {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let base = trusted_repo(dir);
        let clean = check(dir, &["--changed-since", &base]);
        assert_eq!(clean.code, 0, "{}", clean.stdout);

        edit(dir);
        let full = check(dir, &[]);
        assert_eq!(full.code, 1, "{changed}: {}", full.stdout);
        assert!(
            rule_file_pairs(&full.json()).contains(&pair(rule, file)),
            "{changed}: {}",
            full.stdout
        );
        for flags in [vec!["--changed-since", base.as_str()], vec!["--staged"]] {
            if flags[0] == "--staged" {
                let repo = git2::Repository::open(dir).unwrap();
                let mut index = repo.index().unwrap();
                index.add_path(Path::new(changed)).unwrap();
                index.write().unwrap();
            }
            let partial = check(dir, &flags);
            assert_eq!(
                partial.code, 1,
                "{changed} {flags:?} must fail as the full run does: {}",
                partial.stdout
            );
            assert_eq!(
                rule_file_pairs(&partial.json()),
                rule_file_pairs(&full.json()),
                "{changed} {flags:?}"
            );
            let text = human(dir, &flags);
            assert!(
                text.stdout.contains("note: ")
                    && text.stdout.contains(changed)
                    && text.stdout.contains("full run"),
                "{changed} {flags:?}: the human output says it is a full run:\n{}",
                text.stdout
            );
        }
    }
}

/// Item 3 (a), continued: the full run that a trusted change forces keeps the base revision, so
/// a review the same change adds is still held to `maxReviewBackdate` (AG041 backdated), which
/// a plain full run (no base) cannot judge.
#[test]
fn a_full_run_forced_by_a_trusted_change_keeps_the_base_review_facts() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = trusted_repo(dir);
    write(
        dir,
        "people.txt",
        "jane.doe@example.com\nraj.patel@example.com\n# new hire soon\n",
    );
    write(
        dir,
        "agents/late.agent.yaml",
        agent_reviewed("late", "", "2026-10-01"),
    );
    let since = check(dir, &["--changed-since", &base]);
    let json = since.json();
    let backdated = json["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == "AG041"
            && f["file"] == "agents/late.agent.yaml"
            && f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("backdated")
    });
    assert!(backdated, "{json}");
    assert_eq!(since.code, 1);
    assert_eq!(
        json["summary"]["files"], 3,
        "every manifest is reported: {json}"
    );
    let text = human(dir, &["--changed-since", &base]);
    assert!(text.stdout.contains("full run"), "{}", text.stdout);
}

const OLD_MCP: &str = r#"{
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-github"],
      "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_R8x2Lq9ZkT4mWv7NcY3bHs6PdJf1Ga5Ue0Qo"}
    }
  }
}
"#;

const GOV_MCP: &str = r#"{
  "mcpServers": {
    "ledger": {"command": "npx", "args": ["-y", "ledger-mcp"]}
  }
}
"#;

/// The repository of item 3 (b): an old unregistered footprint with a committed secret
/// (`services/old`), a footprint that a reviewed manifest governs (`services/gov`), and an
/// unrelated manifest.
fn footprint_repo(dir: &Path) -> String {
    write(dir, ".agentgate.yaml", "version: 1\ndiscover: true\n");
    trust_test_key(dir);
    write(dir, "services/old/.mcp.json", OLD_MCP);
    write(dir, "services/gov/.mcp.json", GOV_MCP);
    write(
        dir,
        "agents/gov.agent.yaml",
        agent("gov", "  sources: [\"services/gov/**\"]\n"),
    );
    write(dir, "agents/other.agent.yaml", agent("other", ""));
    let repo = git_commit_all(dir, "base");
    head(&repo)
}

/// Item 3 (b): discovery findings were not narrowed in partial runs, so every old footprint
/// failed every pull request. Now an AG100 footprint is reported when its file changed or its
/// governing manifest changed or was deleted, and AG101 secrets in changed files.
#[test]
fn discovery_findings_are_narrowed_to_what_the_change_reaches() {
    let old = "services/old/.mcp.json";
    let gov = "services/gov/.mcp.json";

    // The full run at the base fails on the old footprint and its secret.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = footprint_repo(dir);
    let full = check(dir, &[]).json();
    assert!(
        rule_file_pairs(&full).contains(&pair("AG100", old)),
        "{full}"
    );
    assert!(
        rule_file_pairs(&full).contains(&pair("AG101", old)),
        "{full}"
    );
    assert!(
        !rule_file_pairs(&full).contains(&pair("AG100", gov)),
        "{full}"
    );

    // An unrelated manifest changes: nothing about the old footprint is the change's doing.
    write(
        dir,
        "agents/other.agent.yaml",
        signed(&agent("other", "").replace("Test agent other", "Test agent other, renamed")),
    );
    let since = check(dir, &["--changed-since", &base]);
    assert_eq!(rule_file_pairs(&since.json()), vec![], "{}", since.stdout);
    assert_eq!(since.code, 0);

    // The footprint's own file changes: its AG100 and AG101 are reported.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = footprint_repo(dir);
    write(
        dir,
        old,
        OLD_MCP.replace("server-github", "server-github@1"),
    );
    let since = check(dir, &["--changed-since", &base]).json();
    assert_eq!(
        rule_file_pairs(&since),
        vec![pair("AG100", old), pair("AG101", old)],
        "{since}"
    );

    // The governing manifest is deleted: the footprint it governed is unregistered now.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = footprint_repo(dir);
    std::fs::remove_file(dir.join("agents/gov.agent.yaml")).unwrap();
    let since = check(dir, &["--changed-since", &base]).json();
    assert_eq!(rule_file_pairs(&since), vec![pair("AG100", gov)], "{since}");

    // The governing manifest changes so that it no longer covers the footprint.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = footprint_repo(dir);
    write(
        dir,
        "agents/gov.agent.yaml",
        agent("gov", "  sources: [\"services/gov/.mcp.json#other\"]\n"),
    );
    let since = check(dir, &["--changed-since", &base]).json();
    assert!(
        rule_file_pairs(&since).contains(&pair("AG100", gov)),
        "{since}"
    );
    assert!(
        !rule_file_pairs(&since).contains(&pair("AG100", old)),
        "{since}"
    );

    // Staged the same way: a new secret in a staged file is reported, the old one is not.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    footprint_repo(dir);
    write(
        dir,
        "services/new/.env",
        "ANTHROPIC_API_KEY=sk-ant-api03-Xy7Qm2Lp9Rt4Kv8Nw3Bz6Hc1Jd5Fg0Sa2Ue7Wo4Ti9\n",
    );
    let repo = git2::Repository::open(dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("services/new/.env")).unwrap();
    index.write().unwrap();
    let staged = check(dir, &["--staged"]).json();
    assert!(
        rule_file_pairs(&staged).contains(&pair("AG101", "services/new/.env")),
        "{staged}"
    );
    assert!(
        !rule_file_pairs(&staged).contains(&pair("AG101", old)),
        "{staged}"
    );
    assert!(
        !rule_file_pairs(&staged).contains(&pair("AG100", old)),
        "{staged}"
    );
}

/// Item 3 (c): `exclude` did not apply to files named on the command line (the pre-commit hook
/// passes names), and its globs are relative to the configuration file's folder, not to the
/// folder agentgate runs in.
#[test]
fn exclude_applies_to_files_named_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nexclude: [\"legacy/**\"]\n",
    );
    trust_test_key(dir);
    write(
        dir,
        "legacy/old.agent.yaml",
        "apiVersion: agentgate/v0\nkind: Agent\n",
    );
    write(dir, "agents/calm.agent.yaml", agent("calm", ""));
    git_commit_all(dir, "base");

    let whole = check(dir, &[]);
    assert_eq!(whole.code, 0, "{}", whole.stdout);
    let named = check(dir, &["legacy/old.agent.yaml"]);
    assert_eq!(
        named.code, 0,
        "an excluded file named is passed over: {}",
        named.stdout
    );
    let both = check(dir, &["legacy/old.agent.yaml", "agents/calm.agent.yaml"]);
    assert_eq!(both.code, 0, "{}", both.stdout);
    assert_eq!(both.json()["summary"]["files"], 1, "{}", both.stdout);
    // From a subfolder, the glob is still relative to the configuration's folder.
    let inside = check(&dir.join("legacy"), &["old.agent.yaml"]);
    assert_eq!(inside.code, 0, "{}", inside.stdout);
    // What is not excluded is still checked when named.
    write(
        dir,
        "agents/broken.agent.yaml",
        "apiVersion: agentgate/v0\nkind: Agent\n",
    );
    let broken = check(dir, &["agents/broken.agent.yaml"]);
    assert_eq!(broken.code, 2, "{}", broken.stdout);
}

/// Item 3 (d): in a partial run, a file that was a manifest at the base revision and no longer
/// claims to be one (its `apiVersion` and `kind` deleted) is an error that says so: an agent
/// cannot leave the inventory by deleting two lines.
#[test]
fn a_manifest_cannot_leave_the_inventory_by_losing_its_header() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    trust_test_key(dir);
    write(dir, "agents/calm.agent.yaml", agent("calm", ""));
    write(
        dir,
        "agents/wild.agent.yaml",
        signed(&agent("wild", "").replace("resource: postgres://db/public.t", "resource: \"*\"")),
    );
    let repo = git_commit_all(dir, "base");
    let base = head(&repo);
    let text = std::fs::read_to_string(dir.join("agents/wild.agent.yaml")).unwrap();
    let headless: String = text
        .lines()
        .filter(|l| !l.starts_with("apiVersion:") && !l.starts_with("kind:"))
        .map(|l| format!("{l}\n"))
        .collect();
    write(dir, "agents/wild.agent.yaml", &headless);
    let mut index = repo.index().unwrap();
    index.add_path(Path::new("agents/wild.agent.yaml")).unwrap();
    index.write().unwrap();
    for flags in [vec!["--changed-since", base.as_str()], vec!["--staged"]] {
        let run = check(dir, &flags);
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stdout);
        let json = run.json();
        let said = json["errors"].as_array().unwrap().iter().any(|e| {
            e["file"] == "agents/wild.agent.yaml"
                && e["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("was an agent manifest at the base revision")
        });
        assert!(said, "{flags:?}: {json}");
    }
}

/// Item 5 (part): AG091's disabled-rule variant was reported in partial runs, which cannot judge
/// waivers; and `check` without discovery called AG100 waivers unused (it never evaluates
/// AG100), as `discover` did the manifest rules' waivers.
#[test]
fn waivers_are_judged_only_by_runs_that_can_judge_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nrules:\n  AG061: {enabled: false}\nwaivers:\n  - rule: AG061\n    reason: Baselines later, SEC-2\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n  - rule: AG100\n    reason: Manifest in progress, SEC-3\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n  - rule: AG011\n    agent: calm\n    reason: Narrowing, SEC-4\n    approvedBy: ciso@example.com\n    expires: 2027-01-31\n",
    );
    trust_test_key(dir);
    write(dir, "agents/calm.agent.yaml", agent("calm", ""));
    write(dir, "agents/other.agent.yaml", agent("other", ""));
    let repo = git_commit_all(dir, "base");
    let base = head(&repo);
    let unused = |json: &serde_json::Value| -> Vec<String> {
        let mut out: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "AG091")
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        out.sort();
        out
    };

    // A full check without discovery judges the waivers of the rules it evaluated: the disabled
    // AG061 and the AG011 waiver that matched nothing; not the AG100 one.
    let full = check(dir, &["--no-discover"]).json();
    assert_eq!(unused(&full), vec!["/waivers/0", "/waivers/2"], "{full}");
    // With discovery (the default), the AG100 waiver is judged too.
    let discovering = check(dir, &[]).json();
    assert_eq!(
        unused(&discovering),
        vec!["/waivers/0", "/waivers/1", "/waivers/2"],
        "{discovering}"
    );
    // `discover` judges only the footprint rules' waivers.
    let discover = agentgate(dir, &["discover", "--format", "json", "--today", TODAY]).json();
    assert_eq!(unused(&discover), vec!["/waivers/1"], "{discover}");

    // A partial run judges none, the disabled-rule one included.
    write(
        dir,
        "agents/other.agent.yaml",
        signed(&agent("other", "").replace("Does the work", "Does all the work")),
    );
    let since = check(dir, &["--changed-since", &base]).json();
    assert_eq!(unused(&since), Vec::<String>::new(), "{since}");
    let named = check(dir, &["agents/calm.agent.yaml"]).json();
    assert_eq!(unused(&named), Vec::<String>::new(), "{named}");
}

/// A small deterministic generator (64-bit LCG, fixed seed): the same repositories and changes
/// on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One generated agent: its grants (resources read), delegates and governed service folders.
#[derive(Clone)]
struct Spec {
    name: String,
    grants: Vec<&'static str>,
    delegates: Vec<String>,
    sources: Vec<String>,
}

const RESOURCES: [&str; 3] = ["postgres://db/a", "postgres://db/b", "\"*\""];

impl Spec {
    fn random(rng: &mut Lcg, name: String, names: &[String], services: usize) -> Spec {
        let mut grants: Vec<&str> = RESOURCES
            .iter()
            .copied()
            .filter(|_| rng.chance(45))
            .collect();
        if grants.is_empty() {
            grants.push(RESOURCES[0]);
        }
        let delegates = names
            .iter()
            .filter(|n| **n != name && rng.chance(30))
            .cloned()
            .collect();
        let sources = (0..services)
            .filter(|_| rng.chance(25))
            .map(|k| format!("services/s{k}/**"))
            .collect();
        Spec {
            name,
            grants,
            delegates,
            sources,
        }
    }

    fn text(&self) -> String {
        let mut permissions = String::new();
        for resource in &self.grants {
            permissions.push_str(&format!(
                "    - resource: {resource}\n      actions: [read]\n      justification: Needed for the job\n"
            ));
        }
        let mut extra = String::new();
        if !self.delegates.is_empty() {
            extra.push_str(&format!(
                "  delegation:\n    delegatesTo: [{}]\n",
                self.delegates.join(", ")
            ));
        }
        if !self.sources.is_empty() {
            let quoted: Vec<String> = self.sources.iter().map(|s| format!("{s:?}")).collect();
            extra.push_str(&format!("  sources: [{}]\n", quoted.join(", ")));
        }
        signed(&agent(&self.name, &extra).replace(
            "    - resource: postgres://db/public.t\n      actions: [read]\n      justification: Needed for the job\n",
            &permissions,
        ))
    }
}

fn mcp(server: &str, secret: bool) -> String {
    let env = if secret {
        ", \"env\": {\"GITHUB_PERSONAL_ACCESS_TOKEN\": \"ghp_R8x2Lq9ZkT4mWv7NcY3bHs6PdJf1Ga5Ue0Qo\"}"
    } else {
        ""
    };
    format!("{{\"mcpServers\": {{\"{server}\": {{\"command\": \"npx\", \"args\": [\"-y\", \"{server}-mcp\"]{env}}}}}}}\n")
}

/// Agent code of one of three kinds: an LLM SDK, an agent framework, or none (a plain script,
/// so a rewrite can also make a footprint disappear).
fn code(kind: usize) -> String {
    match kind {
        0 => "import openai\n\nclient = openai.OpenAI()\n".into(),
        1 => "from langchain.agents import create_react_agent\n\nagent = create_react_agent()\n"
            .into(),
        _ => "import json\n\nprint(json.dumps({}))\n".into(),
    }
}

/// Every file of a generated repository, by relative path.
type Tree = std::collections::BTreeMap<String, String>;

fn materialise(dir: &Path, before: &Tree, after: &Tree) {
    for path in before.keys().filter(|p| !after.contains_key(*p)) {
        std::fs::remove_file(dir.join(path)).unwrap();
    }
    for (path, text) in after {
        if before.get(path) != Some(text) {
            write(dir, path, text);
        }
    }
}

/// The manifests of a tree: file → (name, delegates, sources), read back with the product's
/// YAML reader.
fn manifests_of(tree: &Tree) -> Vec<(String, String, Vec<String>, Vec<String>)> {
    tree.iter()
        .filter(|(p, _)| p.ends_with(".agent.yaml"))
        .map(|(p, text)| {
            let source = agentgate::source::SourceFile::new(p.into(), p.clone(), text.as_str());
            let value = agentgate::yaml::parse(&source, agentgate::yaml::Limits::default())
                .unwrap()
                .remove(0)
                .value;
            let list = |pointer: &str| -> Vec<String> {
                value
                    .pointer(pointer)
                    .and_then(|v| v.as_array())
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            (
                p.clone(),
                value["metadata"]["name"].as_str().unwrap().to_string(),
                list("/spec/delegation/delegatesTo"),
                list("/spec/sources"),
            )
        })
        .collect()
}

/// The property over generated repositories and random change sets: the findings of
/// `--changed-since` are exactly the full run's findings that the partial-run rule selects
/// (a changed file; a delegator of a changed or deleted agent; both files of a duplicate name
/// when either is reported; AG103 and AG104 of a manifest whose sources cover a changed file;
/// an AG100 footprint, of config or of code, in a changed file or whose
/// governing manifest changed or was deleted; AG101 and AG102 in changed files),
/// AG091 left out of both, so it never fails fewer files than the change makes fail. Reviews
/// are all dated alike within `maxReviewBackdate`, so the base revision changes no review
/// verdict and the full run (without a base) is comparable.
#[test]
fn changed_since_reports_exactly_what_the_partial_run_rule_selects() {
    let mut rng = Lcg(0x5eed_a9e7_1313);
    for case in 0..30 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        write(dir, ".agentgate.yaml", "version: 1\ndiscover: true\n");
        trust_test_key(dir);
        let fixed: Tree = ["allowed_signers", ".agentgate.yaml"]
            .iter()
            .map(|p| (p.to_string(), std::fs::read_to_string(dir.join(p)).unwrap()))
            .collect();

        let services = 2 + rng.below(3);
        let count = 2 + rng.below(4);
        let names: Vec<String> = (0..count).map(|i| format!("agent-{i}")).collect();
        let mut base = fixed.clone();
        for name in &names {
            let spec = Spec::random(&mut rng, name.clone(), &names, services);
            base.insert(format!("agents/{name}.agent.yaml"), spec.text());
        }
        for k in 0..services {
            if rng.chance(80) {
                base.insert(
                    format!("services/s{k}/.mcp.json"),
                    mcp(&format!("srv{k}"), rng.chance(40)),
                );
            }
            if rng.chance(50) {
                base.insert(format!("services/s{k}/agent.py"), code(rng.below(3)));
            }
        }
        if rng.chance(25) {
            // A name two manifests share already on the base.
            let name = names[rng.below(names.len())].clone();
            let spec = Spec::random(&mut rng, name, &names, services);
            base.insert("agents/dup-base.agent.yaml".into(), spec.text());
        }
        materialise(dir, &fixed, &base);
        let repo = git_commit_all(dir, "base");
        let base_rev = head(&repo);

        let mut after = base.clone();
        let mut all_names = names.clone();
        for _ in 0..1 + rng.below(3) {
            let manifests: Vec<String> = after
                .keys()
                .filter(|p| p.ends_with(".agent.yaml"))
                .cloned()
                .collect();
            let footprints: Vec<String> = after
                .keys()
                .filter(|p| p.ends_with(".mcp.json"))
                .cloned()
                .collect();
            let code_files: Vec<String> = after
                .keys()
                .filter(|p| p.ends_with("agent.py"))
                .cloned()
                .collect();
            match rng.below(10) {
                7 => {
                    // Another manifest takes an existing agent's name (AG080 on both files).
                    let name = all_names[rng.below(all_names.len())].clone();
                    let spec = Spec::random(&mut rng, name, &all_names, services);
                    after.insert(
                        format!("agents/dup-{}.agent.yaml", rng.below(3)),
                        spec.text(),
                    );
                }
                8 => {
                    let k = rng.below(services + 1);
                    after.insert(format!("services/s{k}/agent.py"), code(rng.below(3)));
                }
                9 if !code_files.is_empty() => {
                    after.remove(&code_files[rng.below(code_files.len())]);
                }
                0 | 1 if !manifests.is_empty() => {
                    // Rewrite an agent: new grants, delegates, sources; sometimes a new name.
                    let file = &manifests[rng.below(manifests.len())];
                    let old = file
                        .trim_start_matches("agents/")
                        .trim_end_matches(".agent.yaml")
                        .to_string();
                    let name = if rng.chance(20) {
                        all_names.push(format!("agent-{}", all_names.len()));
                        all_names.last().unwrap().clone()
                    } else {
                        old
                    };
                    let spec = Spec::random(&mut rng, name, &all_names, services);
                    after.insert(file.clone(), spec.text());
                }
                2 if !manifests.is_empty() => {
                    after.remove(&manifests[rng.below(manifests.len())]);
                }
                3 => {
                    let name = format!("agent-{}", all_names.len());
                    all_names.push(name.clone());
                    let spec = Spec::random(&mut rng, name.clone(), &all_names, services);
                    after.insert(format!("agents/{name}.agent.yaml"), spec.text());
                }
                4 if !footprints.is_empty() => {
                    let file = footprints[rng.below(footprints.len())].clone();
                    let server = format!("srv{}", rng.below(100));
                    after.insert(file, mcp(&server, rng.chance(50)));
                }
                5 if !footprints.is_empty() => {
                    after.remove(&footprints[rng.below(footprints.len())]);
                }
                _ => {
                    let k = rng.below(services + 1);
                    after.insert(
                        format!("services/s{k}/.mcp.json"),
                        mcp(&format!("new{k}"), rng.chance(50)),
                    );
                }
            }
        }
        materialise(dir, &base, &after);

        // The partial-run rule, computed from the trees alone.
        let changed: std::collections::BTreeSet<String> = base
            .keys()
            .chain(after.keys())
            .filter(|p| base.get(*p) != after.get(*p))
            .cloned()
            .collect();
        let (now, was) = (manifests_of(&after), manifests_of(&base));
        let mut affected: std::collections::BTreeSet<String> = now
            .iter()
            .chain(&was)
            .filter(|(file, ..)| changed.contains(file))
            .map(|(_, name, ..)| name.clone())
            .collect();
        let mut selected: std::collections::BTreeSet<String> = now
            .iter()
            .filter(|(file, ..)| changed.contains(file))
            .map(|(file, ..)| file.clone())
            .collect();
        loop {
            let before = (affected.len(), selected.len());
            // Both files of a duplicate name when either is reported (changed, or a delegator
            // of a changed agent): each file's AG080 names the other.
            for (file, name, ..) in &now {
                if now.iter().any(|(other, same, ..)| {
                    other != file && same == name && selected.contains(other)
                }) {
                    selected.insert(file.clone());
                }
            }
            for (file, name, delegates, _) in &now {
                if delegates.iter().any(|d| affected.contains(d)) {
                    selected.insert(file.clone());
                    affected.insert(name.clone());
                }
            }
            if (affected.len(), selected.len()) == before {
                break;
            }
        }
        let governed_by_touched = |file: &str| {
            now.iter().chain(&was).any(|(m, _, _, sources)| {
                changed.contains(m)
                    && sources
                        .iter()
                        .any(|s| file.starts_with(s.trim_end_matches("**")))
            })
        };
        let keep = |(rule, file, _): &(String, String, String)| match rule.as_str() {
            "AG091" => false,
            "AG100" => changed.contains(file) || governed_by_touched(file),
            "AG101" | "AG102" => changed.contains(file),
            // The source rules judge which files exist: also for a manifest whose sources
            // cover a changed file.
            "AG103" | "AG104" => {
                selected.contains(file)
                    || now.iter().any(|(m, _, _, sources)| {
                        m == file
                            && changed.iter().any(|c| {
                                sources
                                    .iter()
                                    .any(|s| c.starts_with(s.trim_end_matches("**")))
                            })
                    })
            }
            _ => selected.contains(file),
        };

        let full = check(dir, &[]).json();
        let partial = check(dir, &["--changed-since", &base_rev]);
        let expected: Vec<_> = findings(&full).into_iter().filter(keep).collect();
        let got: Vec<_> = findings(&partial.json())
            .into_iter()
            .filter(|(rule, ..)| rule != "AG091")
            .collect();
        assert_eq!(
            got, expected,
            "case {case}: changed {changed:?}\nfull: {full}\npartial: {}",
            partial.stdout
        );
        let fails = expected.iter().any(|(rule, file, path)| {
            full["findings"].as_array().unwrap().iter().any(|f| {
                f["rule"] == rule.as_str()
                    && f["file"] == file.as_str()
                    && f["path"] == path.as_str()
                    && f["severity"] == "error"
            })
        });
        assert_eq!(
            partial.code,
            i32::from(fails),
            "case {case}: {}",
            partial.stdout
        );
    }
}

/// A manifest that is a symlink, deleted by the change: its base content is the file it pointed
/// to, not the link's text, so the agents that delegated to it are reported (AG070), under
/// `--changed-since` and `--staged` alike.
#[cfg(unix)]
#[test]
fn a_deleted_symlinked_manifest_still_reaches_its_delegators() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(dir, ".agentgate.yaml", "version: 1\n");
    trust_test_key(dir);
    write(dir, "shared/x.yaml.txt", agent("x", ""));
    std::fs::create_dir_all(dir.join("agents")).unwrap();
    std::os::unix::fs::symlink("../shared/x.yaml.txt", dir.join("agents/x.agent.yaml")).unwrap();
    write(
        dir,
        "agents/y.agent.yaml",
        agent("y", "  delegation:\n    delegatesTo: [x]\n"),
    );
    let repo = git_commit_all(dir, "base");
    let base = head(&repo);
    assert_eq!(check(dir, &[]).code, 0, "{}", check(dir, &[]).stdout);
    std::fs::remove_file(dir.join("agents/x.agent.yaml")).unwrap();
    let full = check(dir, &[]).json();
    assert!(
        rule_file_pairs(&full).contains(&pair("AG070", "agents/y.agent.yaml")),
        "{full}"
    );
    let since = check(dir, &["--changed-since", &base]);
    assert!(
        rule_file_pairs(&since.json()).contains(&pair("AG070", "agents/y.agent.yaml")),
        "{}",
        since.stdout
    );
    assert_eq!(since.code, 1);
    let mut index = repo.index().unwrap();
    index.remove_path(Path::new("agents/x.agent.yaml")).unwrap();
    index.write().unwrap();
    let staged = check(dir, &["--staged"]);
    assert!(
        rule_file_pairs(&staged.json()).contains(&pair("AG070", "agents/y.agent.yaml")),
        "{}",
        staged.stdout
    );
}
