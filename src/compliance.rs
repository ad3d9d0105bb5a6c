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
    Html,
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
    let commit = options.commit.clone().or_else(|| {
        let repo = git2::Repository::discover(&root).ok()?;
        let head = repo.head().ok()?.peel_to_commit().ok()?;
        Some(head.id().to_string())
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
    /// Report on the repository as it was at this git revision, read straight from git objects
    /// (the working tree is not touched). Pair it with --today for the date of that point in time.
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
}

fn parse_today(text: &str) -> Result<i64, String> {
    crate::units::parse_date(text)
        .ok_or_else(|| format!("{text:?} is not a date; write YYYY-MM-DD"))
}

/// Runs `agentgate report`: the text for stdout, or the problems for stderr and exit 2.
pub fn command(args: ReportArgs, cwd: &Path) -> Result<String, String> {
    let snapshot = match &args.at {
        Some(rev) => Some(
            crate::snapshot::at(cwd, rev, crate::check::DEFAULT_MAX_FILE_SIZE)
                .map_err(|e| format!("error: {e}\n"))?,
        ),
        None => None,
    };
    let options = InventoryOptions {
        paths: args.paths,
        config: args.config,
        today: args.today,
        cwd: snapshot
            .as_ref()
            .map_or_else(|| cwd.to_path_buf(), |s| s.cwd.clone()),
        packs: Vec::new(),
        commit: snapshot.as_ref().map(|s| s.commit.clone()),
    };
    let report = build(&options, args.framework)?;
    Ok(match args.format {
        ReportFormat::Markdown => render_markdown(&report),
        ReportFormat::Json => render_json(&report),
        ReportFormat::Html => render_html(&report),
    })
}

/// Text as HTML shows it: the five characters that could start markup or break an attribute.
fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1b1b1b;line-height:1.4}\
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\
th{background:#eee}td.fail{color:#a40000;font-weight:600}td.pass{color:#1f6b1f}code{font-size:.85rem;word-break:break-all}\
h2{border-bottom:2px solid #333;padding-bottom:.2rem;margin-top:2rem}section.control{break-inside:avoid}\
@media print{body{margin:0}a{color:inherit;text-decoration:none}h2{break-after:avoid}tr{break-inside:avoid}}";

/// Findings by rule family (AG00x identity and ownership, AG01x permissions, …) as an inline SVG
/// bar chart: readable without JavaScript, and in print.
fn family_chart(report: &Report) -> String {
    let families = [
        ("AG00", "ownership, identity"),
        ("AG01", "permissions"),
        ("AG02", "credentials"),
        ("AG03", "blast radius"),
        ("AG04", "review"),
        ("AG05", "lifecycle"),
        ("AG06", "audit, baseline"),
        ("AG07", "delegation"),
        ("AG08", "inventory"),
        ("AG10", "discovery"),
    ];
    let mut seen = BTreeSet::new();
    let mut counts = vec![0usize; families.len()];
    for c in &report.controls {
        for a in &c.failing {
            for f in &a.findings {
                if seen.insert((f.rule.clone(), f.file.clone(), f.line, f.message.clone())) {
                    if let Some(i) = families.iter().position(|(p, _)| f.rule.starts_with(p)) {
                        counts[i] += 1;
                    }
                }
            }
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let row = 22;
    let height = families.len() * row + 10;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Findings by rule family\" width=\"560\" height=\"{height}\" viewBox=\"0 0 560 {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, ((prefix, name), count)) in families.iter().zip(&counts).enumerate() {
        let y = i * row + 5;
        let width = count * 300 / max;
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{prefix}x {name}</text><rect x=\"190\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"#a40000\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{count}</text>",
            y + 13,
            195 + width,
            y + 13
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One self-contained HTML file: no scripts, fonts, images or links to fetch; styled for print.
pub fn render_html(report: &Report) -> String {
    let h = &report.header;
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>agentgate compliance report</title>");
    let _ = write!(out, "<style>{STYLE}</style></head><body>");
    out.push_str("<h1>agentgate compliance report</h1><table class=\"header\">");
    let config = match (&h.config_file, &h.config_digest) {
        (Some(file), Some(digest)) => format!("{} <code>{}</code>", html(file), html(digest)),
        _ => "defaults (no configuration file)".into(),
    };
    for (key, value) in [
        ("repository", html(&h.repository)),
        (
            "commit",
            html(h.commit.as_deref().unwrap_or("(not a git repository)")),
        ),
        ("date", html(&h.date)),
        ("agentgate", html(&h.agentgate_version)),
        (
            "rule pack digest",
            format!(
                "<code>{}</code> ({} Rego files)",
                html(&h.pack_digest),
                h.rule_files
            ),
        ),
        ("configuration", config),
        ("framework", html(&h.framework)),
    ] {
        let _ = write!(out, "<tr><th>{key}</th><td>{value}</td></tr>");
    }
    out.push_str("</table><h2>Findings by rule family</h2>");
    out.push_str(&family_chart(report));
    out.push_str("<h2>Controls</h2><table id=\"controls\"><thead><tr><th>control</th><th>title</th><th>rules</th><th>agents passing</th><th>agents failing</th></tr></thead><tbody>");
    for c in &report.controls {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td class=\"pass\">{}</td><td class=\"{}\">{}</td></tr>",
            html(&c.id),
            html(&c.title),
            if c.label == "supports" { " <em>(supports)</em>" } else { "" },
            html(&c.rules.join(", ")),
            c.agents_passing,
            if c.agents_failing > 0 { "fail" } else { "pass" },
            c.agents_failing
        );
    }
    out.push_str("</tbody></table>");
    for c in report
        .controls
        .iter()
        .filter(|c| !c.failing.is_empty() || !c.waivers.is_empty())
    {
        let _ = write!(
            out,
            "<section class=\"control\"><h3>{} {}</h3><ul>",
            html(&c.id),
            html(&c.title)
        );
        for a in &c.failing {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({})<ul>",
                html(&a.agent),
                html(&a.file)
            );
            for f in &a.findings {
                let _ = write!(
                    out,
                    "<li>{} at {}:{}: {}</li>",
                    html(&f.rule),
                    html(&f.file),
                    f.line,
                    html(&f.message)
                );
            }
            out.push_str("</ul></li>");
        }
        for w in &c.waivers {
            let _ = write!(
                out,
                "<li>waiver of {} for {} at {}: {} (approved by {}, expires {})</li>",
                html(&w.rule),
                html(&w.agent),
                html(&w.path),
                html(&w.reason),
                html(&w.approved_by),
                html(&w.expires)
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("<h2>Agents</h2><table id=\"agents\"><thead><tr><th>agent</th><th>file</th><th>owner</th><th>team</th><th>status</th><th>expires</th><th>resources</th><th>review</th><th>findings</th></tr></thead><tbody>");
    for r in &report.agents {
        let review = if r.reviewer.is_empty() {
            "none".to_string()
        } else {
            format!(
                "{} {}{}",
                r.reviewer,
                r.review_date,
                if r.review_stale { " (stale)" } else { "" }
            )
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} errors, {} warnings</td></tr>",
            html(&r.name),
            html(&r.file),
            html(&r.owner_email),
            html(&r.team),
            html(&r.status),
            html(&r.expires),
            html(&r.resources.join("; ")),
            html(&review),
            r.errors,
            r.warnings
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
