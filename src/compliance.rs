//! `agentgate report`: a compliance report per control of one framework or all: the rules that
//! evidence it, how many agents pass and fail, the failing agents with their findings, the
//! waivers in force, and a header that makes the evidence reproducible.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::FILE_NAME;
use crate::controls::Catalogue;
use crate::discover::{self, normalize};
use crate::inventory::{self, InventoryOptions, Row};
use crate::report::markdown::escape;
use crate::units::{format_date, today_utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}

/// `--framework`: one catalogue, `owasp` for the three OWASP lists, or all when absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FrameworkChoice {
    Soc2,
    Iso27001,
    #[value(name = "nist-800-53")]
    Nist80053,
    #[value(name = "nist-ai-rmf")]
    NistAiRmf,
    #[value(name = "eu-ai-act")]
    EuAiAct,
    Cis,
    Owasp,
}

impl FrameworkChoice {
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
    /// The commit checked out (HEAD), or null outside git; the working tree may differ from it.
    pub commit: Option<String>,
    pub date: String,
    pub agentgate_version: String,
    /// sha256 of the rule sources the run loaded (built-in and configured packs), by file.
    pub pack_digest: String,
    pub rule_files: usize,
    /// sha256 of the configuration file, or null when the defaults were used.
    pub config_file: Option<String>,
    pub config_digest: Option<String>,
    pub framework: String,
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
    pub waivers: Vec<WaiverInForce>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub header: Header,
    pub controls: Vec<ControlReport>,
    pub agents: Vec<Row>,
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

fn sha256_hex(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut out = String::from("sha256:");
    for b in hash {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Builds the report; `Err` is the text of the run's problems (exit 2).
pub fn build(
    options: &InventoryOptions,
    framework: Option<FrameworkChoice>,
) -> Result<Report, String> {
    let problems_text = |problems: Vec<crate::finding::Problem>| {
        let mut text = String::new();
        for p in &problems {
            let _ = writeln!(
                text,
                "error: {}:{}:{}: {}",
                p.file, p.line, p.column, p.message
            );
        }
        text
    };
    let inventory = inventory::build(options).map_err(problems_text)?;
    let registry =
        crate::check::load_registry(&options.cwd, options.config.as_deref(), &options.packs)
            .map_err(problems_text)?;
    let catalogue = Catalogue::builtin();
    let outcome = &inventory.outcome;

    let start = options
        .paths
        .first()
        .map_or_else(|| options.cwd.clone(), |p| normalize(&options.cwd.join(p)));
    let root = discover::find_root(if start.is_file() {
        start.parent().unwrap_or(&start)
    } else {
        &start
    });
    let config_path: Option<PathBuf> = match &options.config {
        Some(path) => Some(normalize(&options.cwd.join(path))),
        None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
    };
    let mut modules: Vec<(&str, &str)> = registry
        .modules
        .iter()
        .map(|m| (m.path.as_str(), m.source.as_str()))
        .collect();
    modules.sort_unstable();
    let mut pack = Vec::new();
    for (path, source) in &modules {
        pack.extend_from_slice(sha256_hex(source.as_bytes()).as_bytes());
        pack.extend_from_slice(b"  ");
        pack.extend_from_slice(path.as_bytes());
        pack.push(b'\n');
    }
    let commit = git2::Repository::discover(&root).ok().and_then(|r| {
        r.head()
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| c.id().to_string())
    });
    let header = Header {
        repository: discover::display_path(&root, &options.cwd),
        commit,
        date: format_date(options.today.unwrap_or_else(today_utc)),
        agentgate_version: env!("CARGO_PKG_VERSION").to_string(),
        pack_digest: sha256_hex(&pack),
        rule_files: modules.len(),
        config_file: config_path
            .as_ref()
            .map(|p| discover::display_path(p, &options.cwd)),
        config_digest: config_path
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|bytes| sha256_hex(&bytes)),
        framework: framework.map_or("all".into(), |f| {
            clap::ValueEnum::to_possible_value(&f)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default()
        }),
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
        for f in outcome.findings.iter().filter(|f| rules.contains(&f.rule)) {
            let Some(agent) = &f.agent else { continue };
            failing
                .entry((f.file.clone(), agent.clone()))
                .or_default()
                .push(FailingFinding {
                    rule: f.rule.clone(),
                    file: f.file.clone(),
                    line: f.line,
                    message: f.message.clone(),
                });
        }
        let failing_count = agents.iter().filter(|a| failing.contains_key(a)).count();
        let waivers = outcome
            .waived
            .iter()
            .filter(|w| rules.contains(&w.finding.rule))
            .map(|w| WaiverInForce {
                rule: w.waiver.rule.clone(),
                agent: w.finding.agent.clone().unwrap_or_default(),
                path: w.finding.path.clone(),
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
            waivers,
        });
        let _ = id;
    }
    Ok(Report {
        header,
        controls,
        agents: inventory.rows,
    })
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
    let _ = writeln!(
        out,
        "| commit | {} |",
        h.commit.as_deref().unwrap_or("(not a git repository)")
    );
    let _ = writeln!(out, "| date | {} |", h.date);
    let _ = writeln!(out, "| agentgate | {} |", h.agentgate_version);
    let _ = writeln!(
        out,
        "| rule pack digest | `{}` ({} Rego files) |",
        h.pack_digest, h.rule_files
    );
    let _ = writeln!(
        out,
        "| configuration | {} |",
        match (&h.config_file, &h.config_digest) {
            (Some(file), Some(digest)) => format!("{} `{digest}`", escape(file)),
            _ => "defaults (no configuration file)".into(),
        }
    );
    let _ = writeln!(out, "| framework | {} |\n", h.framework);

    out.push_str("## Controls\n\n| control | title | rules | agents passing | agents failing |\n|---|---|---|---|---|\n");
    for c in &report.controls {
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} | {} |",
            escape(&c.id),
            escape(&c.title),
            if c.label == "supports" {
                " (supports)"
            } else {
                ""
            },
            c.rules.join(", "),
            c.agents_passing,
            c.agents_failing
        );
    }
    for c in report
        .controls
        .iter()
        .filter(|c| !c.failing.is_empty() || !c.waivers.is_empty())
    {
        let _ = writeln!(out, "\n### {} {}\n", escape(&c.id), escape(&c.title));
        for a in &c.failing {
            let _ = writeln!(out, "- **{}** ({})", escape(&a.agent), escape(&a.file));
            for f in &a.findings {
                let _ = writeln!(
                    out,
                    "  - {} at {}:{}: {}",
                    f.rule,
                    escape(&f.file),
                    f.line,
                    escape(&f.message)
                );
            }
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

/// The command line of `agentgate report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Folders or manifest files to report on (default: the current folder).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: ReportFormat,
    /// One framework (all when absent); `owasp` covers the NHI, LLM and agentic lists.
    #[arg(long, value_enum)]
    pub framework: Option<FrameworkChoice>,
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = parse_today)]
    pub today: Option<i64>,
}

fn parse_today(text: &str) -> Result<i64, String> {
    crate::units::parse_date(text)
        .ok_or_else(|| format!("{text:?} is not a date; write YYYY-MM-DD"))
}

/// Runs `agentgate report`: the text for stdout, or the problems for stderr and exit 2.
pub fn command(args: ReportArgs, cwd: &Path) -> Result<String, String> {
    let options = InventoryOptions {
        paths: args.paths,
        config: args.config,
        today: args.today,
        cwd: cwd.to_path_buf(),
        packs: Vec::new(),
    };
    let report = build(&options, args.framework)?;
    Ok(match args.format {
        ReportFormat::Markdown => render_markdown(&report),
        ReportFormat::Json => render_json(&report),
    })
}
