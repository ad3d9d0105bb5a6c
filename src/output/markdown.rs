//! `--format markdown`: a summary for a pull-request comment or a GitHub job summary: the counts,
//! a table of findings, the worst agents and the problems, in a fixed order.
//!
//! Everything taken from a manifest (messages, names, paths) is escaped, so that a crafted
//! value cannot add links, images, HTML or table cells to the comment.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::check::Outcome;
use crate::rule::Severity;

/// Findings listed in the table; the rest are counted below it (a comment has a size limit).
pub const MAX_FINDINGS: usize = 100;
/// Agents listed under "Worst agents".
pub const MAX_AGENTS: usize = 10;

/// Text that Markdown shows as it is: the punctuation that could start emphasis, code, a link
/// or image (`[`), HTML, an entity, a table cell, strikethrough, maths or a mention is escaped
/// with a backslash, and line breaks become spaces (a table row is one line).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\r' | '\n' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '@' | '$' => {
                out.push('\\');
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = format!("### agentgate: {}\n\n", super::summary_line(outcome));
    if outcome.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| rule | severity | file | agent | message |\n|---|---|---|---|---|\n");
        for f in outcome.findings.iter().take(MAX_FINDINGS) {
            let _ = writeln!(
                out,
                "| {} {} | {} | {}:{}:{} | {} | {} |",
                f.rule,
                escape(&f.slug),
                f.severity,
                escape(&f.file),
                f.line,
                f.column,
                escape(f.agent.as_deref().unwrap_or("")),
                escape(&f.message)
            );
        }
        let more = outcome.findings.len().saturating_sub(MAX_FINDINGS);
        if more > 0 {
            let _ = writeln!(
                out,
                "\n… and {more} more; the SARIF, JUnit or JSON report lists every finding."
            );
        }
        out.push('\n');
        worst_agents(outcome, &mut out);
    }
    if !outcome.problems.is_empty() {
        out.push_str(
            "**Problems** (files, configuration or policies agentgate could not check)\n\n",
        );
        for p in &outcome.problems {
            let _ = writeln!(
                out,
                "- {}:{}:{}: {}",
                escape(&p.file),
                p.line,
                p.column,
                escape(&p.message)
            );
        }
        out.push('\n');
    }
    out
}

/// The agents with the most errors (then warnings), at most [`MAX_AGENTS`] of them.
fn worst_agents(outcome: &Outcome, out: &mut String) {
    let mut counts: BTreeMap<(&str, Option<&str>), (usize, usize)> = BTreeMap::new();
    for f in &outcome.findings {
        let entry = counts
            .entry((f.file.as_str(), f.agent.as_deref()))
            .or_default();
        match f.severity {
            Severity::Error => entry.0 += 1,
            Severity::Warning => entry.1 += 1,
        }
    }
    let mut ranked: Vec<_> = counts.into_iter().collect();
    // Stable sort over the (file, agent) order: ties stay in path order.
    ranked.sort_by(|(_, a), (_, b)| b.cmp(a));
    out.push_str("**Worst agents**\n\n| agent | file | errors | warnings |\n|---|---|---|---|\n");
    for ((file, agent), (errors, warnings)) in ranked.iter().take(MAX_AGENTS) {
        let _ = writeln!(
            out,
            "| {} | {} | {errors} | {warnings} |",
            escape(agent.unwrap_or("")),
            escape(file)
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_text_cannot_add_markup() {
        assert_eq!(
            escape("![x](https://e.example/p.png) | <b>\nnext"),
            "!\\[x\\](https://e.example/p.png) \\| \\<b\\> next"
        );
    }
}
