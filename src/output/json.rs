//! `--format json`, exactly as rules-v1 specifies it (fields in the documented order).

use serde::Serialize;

use crate::check::Outcome;
use crate::finding::{Finding, Problem};
use crate::rule::Severity;
use crate::waiver::Waiver;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<FindingJson<'a>>,
    waived: Vec<FindingJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    slug: &'a str,
    severity: Severity,
    file: &'a str,
    line: usize,
    column: usize,
    agent: Option<&'a str>,
    path: &'a str,
    message: &'a str,
    help: &'a str,
    controls: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<&'a Waiver>,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    agents: usize,
    errors: usize,
    warnings: usize,
    waived: usize,
    problems: usize,
}

fn finding_json(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        rule: &f.rule,
        slug: &f.slug,
        severity: f.severity,
        file: &f.file,
        line: f.line,
        column: f.column,
        agent: f.agent.as_deref(),
        path: &f.path,
        message: &f.message,
        help: &f.help,
        controls: &f.controls,
        waiver: None,
    }
}

fn error_json(p: &Problem) -> ErrorJson<'_> {
    ErrorJson {
        file: &p.file,
        line: p.line,
        column: p.column,
        message: &p.message,
    }
}

pub fn render(outcome: &Outcome) -> String {
    let report = Report {
        version: 1,
        findings: outcome.findings.iter().map(finding_json).collect(),
        waived: outcome
            .waived
            .iter()
            .map(|w| FindingJson {
                waiver: Some(&w.waiver),
                ..finding_json(&w.finding)
            })
            .collect(),
        errors: outcome.problems.iter().map(error_json).collect(),
        summary: Summary {
            files: outcome.files,
            agents: outcome.agents,
            errors: outcome.count(Severity::Error),
            warnings: outcome.count(Severity::Warning),
            waived: outcome.waived.len(),
            problems: outcome.problems.len(),
        },
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
