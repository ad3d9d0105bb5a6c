//! `--format github`: GitHub Actions workflow commands, so that findings appear as annotations
//! on the pull request's changed lines. The Markdown job summary that goes with them is written
//! by [`super::emit`] when `GITHUB_STEP_SUMMARY` is set.
//!
//! ```text
//! ::error file=agents/support.agent.yaml,line=14,col=23,endLine=14,endColumn=26,title=AG011 wildcard-grant::action "*" on …
//! ```
//!
//! `endColumn` is the column just after the token, as in SARIF. GitHub accepts columns only
//! when the annotation starts and ends on the same line, so a token spanning lines (a block
//! scalar) gets `line` and `endLine` alone.

use std::fmt::Write as _;

use crate::check::Outcome;
use crate::finding::{Finding, Problem};
use crate::rule::Severity;

/// A command's message, escaped as the runner unescapes it: `%`, CR and LF. Other control
/// characters (ESC, which the log viewer would obey, say) become their visible pictures first.
pub fn escape_data(text: &str) -> String {
    crate::escape::visible_controls(text, true)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: like the message, and `:` and `,` too, which would otherwise
/// end the property list or the property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(finding: &Finding) -> String {
    let name = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    annotation(name, finding, "")
}

/// A waived finding: a `notice`, with the waiver after the message.
fn waived_command(waived: &crate::waiver::Waived) -> String {
    let w = &waived.waiver;
    let note = format!(
        "\nwaived until {} by {}: {}",
        w.expires, w.approved_by, w.reason
    );
    annotation("notice", &waived.finding, &note)
}

fn annotation(name: &str, finding: &Finding, note: &str) -> String {
    let mut properties = format!(
        "file={},line={}",
        escape_property(&finding.file),
        finding.line
    );
    match super::end_of(&finding.place) {
        Some(end) if end.line == finding.line => {
            let _ = write!(
                properties,
                ",col={},endLine={},endColumn={}",
                finding.column, end.line, end.column
            );
        }
        Some(end) => {
            let _ = write!(properties, ",endLine={}", end.line);
        }
        None => {
            let _ = write!(properties, ",col={}", finding.column);
        }
    }
    let _ = write!(
        properties,
        ",title={}",
        escape_property(&format!(
            "{} {}{}",
            finding.rule,
            finding.slug,
            if note.is_empty() { "" } else { " (waived)" }
        ))
    );
    let message = format!("{}{note}\nhelp: {}", finding.message, finding.help);
    format!("::{name} {properties}::{}", escape_data(&message))
}

fn problem_command(problem: &Problem) -> String {
    let mut properties = format!(
        "file={},line={}",
        escape_property(&problem.file),
        problem.line
    );
    if problem.place.is_some() {
        let _ = write!(properties, ",col={}", problem.column);
    }
    format!("::error {properties}::{}", escape_data(&problem.message))
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for line in outcome
        .findings
        .iter()
        .map(command)
        .chain(outcome.waived.iter().map(waived_command))
        .chain(outcome.problems.iter().map(problem_command))
    {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_unescapes() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(escape_data("a\u{1b}[2J\rb"), "a\u{241b}[2J\u{240d}b");
    }
}
