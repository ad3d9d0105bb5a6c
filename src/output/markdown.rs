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
/// with a backslash, and line breaks become spaces (a table row is one line). A word that GitHub
/// would turn into a link by itself (an `http://`, `https://` or `ftp://` URL, `www.`, an email
/// address, `mailto:` or `xmpp:`) goes in a code span instead: escapes do not stop autolinks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for ch in text.chars() {
        // `|` ends a word too: a code span cannot carry a table's cell separator.
        if ch.is_whitespace() || ch == '|' {
            push_word(&mut out, &word);
            word.clear();
            match ch {
                '\r' | '\n' => out.push(' '),
                '|' => out.push_str("\\|"),
                _ => out.push(ch),
            }
        } else {
            word.push(ch);
        }
    }
    push_word(&mut out, &word);
    out
}

fn push_word(out: &mut String, word: &str) {
    if autolinks(word) {
        out.push_str(&code_span(word));
        return;
    }
    for ch in word.chars() {
        if matches!(
            ch,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '~' | '&' | '@' | '$'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
}

/// Whether GitHub would link this word by itself (its extended autolinks).
fn autolinks(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["http://", "https://", "ftp://", "www.", "mailto:", "xmpp:"]
        .iter()
        .any(|p| lower.contains(p))
        || lower
            .split_once('@')
            .is_some_and(|(_, domain)| domain.contains('.'))
}

/// `text` (one line, no `|`) as a code span: fenced by more backticks than any run inside it,
/// padded with a space when it starts or ends with a backtick.
pub fn code_span(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// The rule, severity, place, agent and message cells of a finding's table row.
fn finding_cells(f: &crate::finding::Finding) -> String {
    format!(
        "{} {} | {} | {}:{}:{} | {} | {}",
        f.rule,
        escape(&f.slug),
        f.severity,
        escape(&f.file),
        f.line,
        f.column,
        escape(f.agent.as_deref().unwrap_or("")),
        escape(&f.message)
    )
}

pub fn render(outcome: &Outcome) -> String {
    let mut out = format!("### agentgate: {}\n\n", super::summary_line(outcome));
    if outcome.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else {
        out.push_str("| rule | severity | file | agent | message |\n|---|---|---|---|---|\n");
        for f in outcome.findings.iter().take(MAX_FINDINGS) {
            let _ = writeln!(out, "| {} |", finding_cells(f));
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
    if !outcome.waived.is_empty() {
        // Every waived finding, with its waiver: an exception is evidence too.
        out.push_str("**Waived** (not counted against failOn)\n\n| rule | severity | file | agent | message | waiver |\n|---|---|---|---|---|---|\n");
        for w in &outcome.waived {
            let (f, waiver) = (&w.finding, &w.waiver);
            let _ = writeln!(
                out,
                "| {} | {} (approved by {}, expires {}) |",
                finding_cells(f),
                escape(&waiver.reason),
                escape(&waiver.approved_by),
                escape(&waiver.expires)
            );
        }
        out.push('\n');
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
            "`![x](https://e.example/p.png)` \\| \\<b\\> next"
        );
    }

    #[test]
    fn urls_go_in_code_spans_that_backticks_cannot_end() {
        assert_eq!(
            escape("on https://e.example/a`b` and www.e.example|x jane@e.example"),
            "on `` https://e.example/a`b` `` and `www.e.example`\\|x `jane@e.example`"
        );
        assert_eq!(
            escape("zendesk://example/t *x*"),
            "zendesk://example/t \\*x\\*"
        );
    }
}
