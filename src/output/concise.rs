//! `--format concise`: one line per finding, `file:line:col: AG011 message`, as compilers and
//! ruff print them (editors and terminals make the place a link), then the problems, the
//! waived findings, the notes and the summary line.

use crate::check::Outcome;
use crate::escape::visible_controls;
use crate::rule::Severity;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        // A warning says so; an error is the default and needs no word.
        let level = match f.severity {
            Severity::Error => "",
            Severity::Warning => "warning: ",
        };
        out.push_str(&format!(
            "{}:{}:{}: {} {level}{}\n",
            visible_controls(&f.file, false),
            f.line,
            f.column,
            f.rule,
            visible_controls(&f.message, false)
        ));
    }
    out.push_str(&crate::finding::problems_text(&outcome.problems));
    for waived in &outcome.waived {
        let (f, w) = (&waived.finding, &waived.waiver);
        out.push_str(&format!(
            "{}:{}:{}: {} waived until {} by {}: {}\n",
            visible_controls(&f.file, false),
            f.line,
            f.column,
            f.rule,
            w.expires,
            visible_controls(&w.approved_by, false),
            visible_controls(&f.message, false)
        ));
    }
    for note in &outcome.notes {
        out.push_str(&format!("note: {}\n", visible_controls(note, false)));
    }
    out.push_str(&super::summary_line(outcome));
    out.push('\n');
    crate::escape::without_workflow_commands(&out)
}
