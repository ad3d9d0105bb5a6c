//! `agentgate report`: a compliance report per control of one framework or all: the rules that
//! evidence it, how many agents pass and fail, the failing agents with their findings, the
//! waivers in force, and a header that makes the evidence reproducible.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::config::Config;
use crate::context::RunContext;
use crate::controls::Catalogue;
use crate::finding::problems_text;
use crate::inventory::{self, InventoryOptions, Row};
use crate::output::markdown::escape;
use crate::pack_source::PackSource;
use crate::units::{format_date, today_utc};

mod html;
mod timeline;
pub use html::render_html;

/// How `report` renders the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Markdown,
    Json,
    Html,
}

/// `--framework`: one catalogue, `owasp` for the three OWASP lists, or all when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameworkChoice {
    Soc2,
    Iso27001,
    Nist80053,
    NistAiRmf,
    EuAiAct,
    Cis,
    Owasp,
}

impl FrameworkChoice {
    /// The name the report's header gives the choice (as `--framework` spells it).
    pub fn name(self) -> &'static str {
        match self {
            FrameworkChoice::Soc2 => "soc2",
            FrameworkChoice::Iso27001 => "iso27001",
            FrameworkChoice::Nist80053 => "nist-800-53",
            FrameworkChoice::NistAiRmf => "nist-ai-rmf",
            FrameworkChoice::EuAiAct => "eu-ai-act",
            FrameworkChoice::Cis => "cis",
            FrameworkChoice::Owasp => "owasp",
        }
    }

    fn covers(self, framework: &str) -> bool {
        match self {
            FrameworkChoice::Soc2 => framework == "soc2",
            FrameworkChoice::Iso27001 => framework == "iso27001",
            FrameworkChoice::Nist80053 => framework == "nist-800-53",
            FrameworkChoice::NistAiRmf => framework == "nist-ai-rmf",
            FrameworkChoice::EuAiAct => framework == "eu-ai-act",
            FrameworkChoice::Cis => framework == "cis",
            FrameworkChoice::Owasp => framework.starts_with("owasp-"),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    pub repository: String,
    /// The commit checked out (HEAD), or the one `--at` named; null outside git.
    pub commit: Option<String>,
    /// The report was read from a working tree that differs from `commit`: modified, staged,
    /// deleted or untracked files that are not ignored. Never with `--at`, which reads the
    /// commit itself.
    pub dirty: bool,
    pub date: String,
    pub agentgate_version: String,
    /// Every rule pack the run loaded, built-in first, each with its digest.
    pub packs: Vec<PackEntry>,
    /// sha256 of the configuration file, or null when the defaults were used.
    pub config_file: Option<String>,
    pub config_digest: Option<String>,
    pub framework: String,
}

/// One rule pack in the header: where it came from and the digest of its files
/// ([`crate::pack_source::digest`]), enough to fetch the same rules again and prove they are the same.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PackEntry {
    /// `builtin`, `path` or `git`.
    pub source: String,
    /// `builtin`, the folder (relative to the current folder when below it), or
    /// `URL@REV` (`URL@REV:SUBDIR`).
    pub name: String,
    /// The agentgate version whose built-in pack this is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subdir: Option<String>,
    pub digest: String,
    /// How many `.rego` files the digest covers.
    pub files: usize,
}

impl Header {
    /// The commit as the Markdown and HTML headers show it, flagged when the tree was dirty.
    pub fn commit_text(&self) -> String {
        match (&self.commit, self.dirty) {
            (None, _) => "(not a git repository)".into(),
            (Some(commit), false) => commit.clone(),
            (Some(commit), true) => format!("{commit} (working tree has uncommitted changes)"),
        }
    }
}

impl PackEntry {
    fn new(pack: &crate::registry::LoadedPack, cwd: &Path) -> PackEntry {
        let entry = |source: &str, name: String| PackEntry {
            source: source.into(),
            name,
            version: None,
            url: None,
            rev: None,
            subdir: None,
            digest: pack.digest(),
            files: pack.files,
        };
        match &pack.source {
            None => PackEntry {
                version: Some(env!("CARGO_PKG_VERSION").into()),
                ..entry("builtin", "builtin".into())
            },
            Some(PackSource::Dir(dir)) => entry("path", crate::fs::display_path(dir, cwd)),
            Some(source @ PackSource::Git { url, rev, subdir }) => PackEntry {
                url: Some(url.clone()),
                rev: Some(rev.clone()),
                subdir: subdir.clone(),
                ..entry("git", source.describe())
            },
        }
    }

    /// How the Markdown and HTML headers name the pack.
    pub fn label(&self) -> String {
        match &self.version {
            Some(version) => format!("{} (agentgate {version})", self.name),
            None => self.name.clone(),
        }
    }
}

/// Whether the working tree differs from HEAD in anything git does not ignore. A status that
/// cannot be read counts as dirty: a report must not claim a clean tree it did not see.
fn working_tree_dirty(repo: &git2::Repository) -> bool {
    let mut options = git2::StatusOptions::new();
    options
        .include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false);
    match repo.statuses(Some(&mut options)) {
        Ok(statuses) => statuses.iter().any(|entry| {
            let status = entry.status();
            if status == git2::Status::CURRENT || status.contains(git2::Status::IGNORED) {
                return false;
            }
            // Any change to a tracked file counts. An untracked file counts when agentgate
            // would read it (a manifest, a configuration, a rule): not, say, the report being
            // written by `agentgate report > report.html`.
            status != git2::Status::WT_NEW
                || entry.path().is_none_or(|path| {
                    let path = Path::new(path);
                    crate::discover::is_manifest_place(path)
                        || path.ends_with(crate::config::FILE_NAME)
                        || path.extension().is_some_and(|e| e == "rego")
                })
        }),
        Err(_) => true,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailingFinding {
    pub rule: String,
    pub file: String,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailingAgent {
    pub agent: String,
    pub file: String,
    pub findings: Vec<FailingFinding>,
}

/// A file outside any manifest with findings against a control: an unregistered agent's
/// footprint (AG100), a committed secret (AG101), a broad MCP server (AG102).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailingFile {
    pub file: String,
    pub findings: Vec<FailingFinding>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WaiverInForce {
    pub rule: String,
    pub agent: String,
    pub path: String,
    pub reason: String,
    pub approved_by: String,
    pub expires: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ControlReport {
    /// `framework:id`, as rules write it.
    pub id: String,
    pub framework: String,
    pub title: String,
    /// `evidences`, or `supports` for the EU AI Act.
    pub label: String,
    pub rules: Vec<String>,
    pub agents_passing: usize,
    pub agents_failing: usize,
    pub failing: Vec<FailingAgent>,
    /// Files outside manifests (footprints, committed secrets) with findings against the
    /// control: a control with any is not passing, whatever the agents do.
    pub files_failing: usize,
    pub failing_files: Vec<FailingFile>,
    pub waivers: Vec<WaiverInForce>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub header: Header,
    pub controls: Vec<ControlReport>,
    pub agents: Vec<Row>,
    /// Today as days since 1970-01-01, and `maxReviewAge` in days: what the HTML timeline
    /// measures against (the JSON has both already, as `date` and per agent).
    #[serde(skip)]
    pub today: i64,
    #[serde(skip)]
    pub max_review_age_days: i64,
    /// The rule families of the rules this run evaluated, each with its rules, in the order of
    /// their first rule id (METADATA `custom.family`; "other" for rules that declare none).
    #[serde(skip)]
    pub families: Vec<(String, Vec<String>)>,
}

/// Orders `cis:3.3` before `cis:16.4` and `A.5.2` before `A.5.12`: digit runs compare as numbers.
fn natural_key(text: &str) -> Vec<(String, u64)> {
    let mut key = Vec::new();
    let mut word = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut number = c.to_digit(10).map_or(0, u64::from);
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                number = number.saturating_mul(10).saturating_add(u64::from(d));
                chars.next();
            }
            key.push((std::mem::take(&mut word), number));
        } else {
            word.push(c);
        }
    }
    key.push((word, 0));
    key
}

/// Builds the report; `Err` is the text of the run's problems (exit 2).
pub fn build(
    options: &InventoryOptions,
    framework: Option<FrameworkChoice>,
) -> Result<Report, String> {
    let as_text = |problems: Vec<crate::finding::Problem>| problems_text(&problems);
    let ctx = RunContext::prepare(&options.context()).map_err(as_text)?;
    let inventory = inventory::build_in(&ctx, options).map_err(as_text)?;
    // The header names the packs of the repository the check ran in.
    let registry = &ctx.registry;
    let catalogue = Catalogue::builtin();
    let outcome = &inventory.outcome;
    // Findings quote the manifests: a flagged secret is shown redacted, as in the rows.
    let secrets = crate::output::Secrets::of(outcome);
    let root = &ctx.root;
    let config_path = Config::path_for(&options.cwd, root, options.config.as_deref());
    let repo = match options.commit {
        // `--at` reads the commit itself, so the working tree does not matter.
        Some(_) => None,
        None => git2::Repository::discover(root).ok(),
    };
    let commit = options.commit.clone().or_else(|| {
        let head = repo.as_ref()?.head().ok()?.peel_to_commit().ok()?;
        Some(head.id().to_string())
    });
    let dirty = commit.is_some() && repo.as_ref().is_some_and(working_tree_dirty);
    let today = options.today.unwrap_or_else(today_utc);
    let header = Header {
        // The root itself displays as "": name it as a shell would.
        repository: Some(crate::fs::display_path(root, &options.cwd))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into()),
        commit,
        dirty,
        date: format_date(today),
        agentgate_version: env!("CARGO_PKG_VERSION").to_string(),
        packs: registry
            .packs
            .iter()
            .map(|p| PackEntry::new(p, &options.cwd))
            .collect(),
        config_file: config_path
            .as_ref()
            .map(|p| crate::fs::display_path(p, &options.cwd)),
        config_digest: config_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|bytes| crate::digest::sha256_digest(&bytes)),
        framework: framework.map_or("all".into(), |f| f.name().to_string()),
    };

    // Controls named by the rules this run evaluated, in catalogue order.
    let mut rules_by_control: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rule in &outcome.rules {
        for control in &rule.controls {
            rules_by_control
                .entry(control.clone())
                .or_default()
                .insert(rule.id.clone());
        }
    }
    let agents: Vec<(String, String)> = inventory
        .rows
        .iter()
        .map(|r| (r.file.clone(), r.name.clone()))
        .collect();
    let mut ordered: Vec<(&String, &BTreeSet<String>)> = rules_by_control.iter().collect();
    ordered.sort_by_key(|(id, _)| natural_key(id));
    let mut controls = Vec::new();
    for (qualified, rules) in ordered {
        let (framework_key, id) = qualified.split_once(':').unwrap_or(("", qualified));
        if framework.is_some_and(|f| !f.covers(framework_key)) {
            continue;
        }
        let (title, label) = match catalogue.get(qualified) {
            Some((fw, control)) => (control.title.clone(), fw.label.clone()),
            None => ("(not in the control catalogue)".into(), "evidences".into()),
        };
        let mut failing: BTreeMap<(String, String), Vec<FailingFinding>> = BTreeMap::new();
        let mut files: BTreeMap<String, Vec<FailingFinding>> = BTreeMap::new();
        for f in outcome.findings.iter().filter(|f| rules.contains(&f.rule)) {
            let finding = FailingFinding {
                rule: f.rule.clone(),
                file: f.file.clone(),
                line: f.line,
                message: secrets.scrub(&f.message),
            };
            let agent = f
                .agent
                .clone()
                .filter(|a| agents.contains(&(f.file.clone(), a.clone())));
            match agent {
                Some(agent) => failing
                    .entry((f.file.clone(), agent))
                    .or_default()
                    .push(finding),
                // Findings without a checked agent (footprints, committed secrets) count
                // against the control per file.
                None => files.entry(f.file.clone()).or_default().push(finding),
            }
        }
        let failing_count = agents.iter().filter(|a| failing.contains_key(a)).count();
        let waivers = outcome
            .waived
            .iter()
            .filter(|w| rules.contains(&w.finding.rule))
            .map(|w| WaiverInForce {
                rule: w.waiver.rule.clone(),
                agent: w.finding.agent.clone().unwrap_or_default(),
                path: secrets.scrub(&w.finding.path),
                reason: w.waiver.reason.clone(),
                approved_by: w.waiver.approved_by.clone(),
                expires: w.waiver.expires.clone(),
            })
            .collect();
        controls.push(ControlReport {
            id: qualified.clone(),
            framework: framework_key.to_string(),
            title,
            label,
            rules: rules.iter().cloned().collect(),
            agents_passing: agents.len() - failing_count,
            agents_failing: failing_count,
            failing: failing
                .into_iter()
                .map(|((file, agent), findings)| FailingAgent {
                    agent,
                    file,
                    findings,
                })
                .collect(),
            files_failing: files.len(),
            failing_files: files
                .into_iter()
                .map(|(file, findings)| FailingFile { file, findings })
                .collect(),
            waivers,
        });
        let _ = id;
    }
    Ok(Report {
        header,
        controls,
        agents: inventory.rows,
        today,
        max_review_age_days: inventory.max_review_age_days,
        families: rule_families(&inventory.outcome.rules),
    })
}

/// Rules grouped by family, families in the order of their first rule id.
fn rule_families(rules: &[std::sync::Arc<crate::rule::RuleMeta>]) -> Vec<(String, Vec<String>)> {
    let mut sorted: Vec<_> = rules.iter().collect();
    sorted.sort_by_key(|rule| natural_key(&rule.id));
    let mut families: Vec<(String, Vec<String>)> = Vec::new();
    for rule in sorted {
        let family = rule.family.clone().unwrap_or_else(|| "other".into());
        match families.iter_mut().find(|(name, _)| *name == family) {
            Some((_, ids)) => ids.push(rule.id.clone()),
            None => families.push((family, vec![rule.id.clone()])),
        }
    }
    families
}

pub fn render_json(report: &Report) -> String {
    let mut out = serde_json::to_string_pretty(report).expect("the report serialises");
    out.push('\n');
    out
}

pub fn render_markdown(report: &Report) -> String {
    let h = &report.header;
    let mut out = String::from("# agentgate compliance report\n\n");
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| repository | {} |", escape(&h.repository));
    let _ = writeln!(out, "| commit | {} |", h.commit_text());
    let _ = writeln!(out, "| date | {} |", h.date);
    let _ = writeln!(out, "| agentgate | {} |", h.agentgate_version);
    for pack in &h.packs {
        let _ = writeln!(
            out,
            "| rule pack | {} `{}` ({} Rego files) |",
            escape(&pack.label()),
            pack.digest,
            pack.files
        );
    }
    let _ = writeln!(
        out,
        "| configuration | {} |",
        match (&h.config_file, &h.config_digest) {
            (Some(file), Some(digest)) => format!("{} `{digest}`", escape(file)),
            _ => "defaults (no configuration file)".into(),
        }
    );
    let _ = writeln!(out, "| framework | {} |\n", h.framework);

    out.push_str("## Controls\n\n| control | title | rules | agents passing | agents failing | other files failing |\n|---|---|---|---|---|---|\n");
    for c in &report.controls {
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} | {} | {} |",
            escape(&c.id),
            escape(&c.title),
            if c.label == "supports" {
                " (supports)"
            } else {
                ""
            },
            c.rules.join(", "),
            c.agents_passing,
            c.agents_failing,
            c.files_failing
        );
    }
    for c in report
        .controls
        .iter()
        .filter(|c| !c.failing.is_empty() || !c.failing_files.is_empty() || !c.waivers.is_empty())
    {
        let _ = writeln!(out, "\n### {} {}\n", escape(&c.id), escape(&c.title));
        let list = |out: &mut String, findings: &[FailingFinding]| {
            for f in findings {
                let _ = writeln!(
                    out,
                    "  - {} at {}:{}: {}",
                    f.rule,
                    escape(&f.file),
                    f.line,
                    escape(&f.message)
                );
            }
        };
        for a in &c.failing {
            let _ = writeln!(out, "- **{}** ({})", escape(&a.agent), escape(&a.file));
            list(&mut out, &a.findings);
        }
        for file in &c.failing_files {
            let _ = writeln!(out, "- file {} (no agent manifest)", escape(&file.file));
            list(&mut out, &file.findings);
        }
        for w in &c.waivers {
            let _ = writeln!(
                out,
                "- waiver of {} for {} at {}: {} (approved by {}, expires {})",
                w.rule,
                escape(&w.agent),
                escape(&w.path),
                escape(&w.reason),
                escape(&w.approved_by),
                escape(&w.expires)
            );
        }
    }
    out.push_str("\n## Agents\n\n");
    out.push_str(
        inventory::render_markdown(&report.agents)
            .split_once("\n\n")
            .map_or("", |(_, table)| table),
    );
    out
}

/// What `agentgate report` was asked for: the report of which source, for which framework,
/// rendered how.
#[derive(Debug)]
pub struct ReportCommand {
    pub source: inventory::Source,
    pub format: ReportFormat,
    /// One framework; all when absent.
    pub framework: Option<FrameworkChoice>,
}

/// Runs `agentgate report`: the text for stdout, or the problems for stderr and exit 2.
pub fn command(command: ReportCommand, cwd: &Path) -> Result<String, String> {
    let options = command.source.options(cwd)?;
    let report = build(&options, command.framework)?;
    Ok(match command.format {
        ReportFormat::Markdown => render_markdown(&report),
        ReportFormat::Json => render_json(&report),
        ReportFormat::Html => render_html(&report),
    })
}
