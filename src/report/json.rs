//! `--format json`, exactly as rules-v1 specifies it.

use serde_json::{json, Value};

use crate::check::Outcome;
use crate::finding::{Finding, Severity};

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "slug": f.slug,
        "severity": f.severity,
        "file": f.file,
        "line": f.line,
        "column": f.column,
        "agent": f.agent,
        "path": f.path,
        "message": f.message,
        "help": f.help,
        "controls": f.controls,
    })
}

pub fn render(outcome: &Outcome) -> String {
    let report = json!({
        "version": 1,
        "findings": outcome.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "waived": [],
        "errors": outcome.problems.iter().map(|p| json!({
            "file": p.file, "line": p.line, "column": p.column, "message": p.message,
        })).collect::<Vec<_>>(),
        "summary": {
            "files": outcome.files,
            "agents": outcome.agents,
            "errors": outcome.count(Severity::Error),
            "warnings": outcome.count(Severity::Warning),
            "waived": 0,
            "problems": outcome.problems.len(),
        },
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
