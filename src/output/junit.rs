//! `--format junit`: JUnit XML as the Apache Ant schema defines it, for CI systems that show
//! test results (GitLab, Jenkins, Azure Pipelines and others).
//!
//! One `testsuite` per file. In it, one `testcase` per checked agent and rule the run
//! evaluated on it (`classname` is the agent, `name` the rule), so passes show too; a file that
//! only discovery read (a `.env`, agent code) or the configuration has cases only for the rules
//! that found something in it. A waived finding is a `skipped` case carrying its waiver. The schema allows
//! one `failure` per test case, so when a rule finds several things in one agent each finding
//! is its own test case, its name followed by the JSON pointer of the field at fault. Each
//! problem (a file that cannot be parsed, a configuration or policy error) is a test case with
//! an `error`. agentgate does not time rules one by one: every `time` is 0.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::check::Outcome;
use crate::finding::{Finding, Problem};
use crate::waiver::Waived;

use super::RunInfo;

/// Text that is safe in XML 1.0 content and attribute values: markup escaped, and characters
/// XML cannot carry at all (most C0 controls, U+FFFE, U+FFFF) replaced with U+FFFD. In
/// attributes, line breaks and tabs are written as references so that parsers keep them.
pub fn escape(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(ch),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(ch),
        }
    }
    out
}

fn attr(text: &str) -> String {
    escape(text, true)
}

/// Rules that never run on a manifest: discovery's rules about other files, and the rules
/// about the configuration's waivers.
const NOT_ON_MANIFESTS: [&str; 6] = ["AG090", "AG091", "AG100", "AG101", "AG102", "AG105"];

/// One test case, written as XML.
struct Case {
    name: String,
    classname: String,
    outcome: Option<(&'static str, &'static str, String, String)>,
}

impl Case {
    fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"0\"",
            attr(&self.name),
            attr(&self.classname)
        );
        match &self.outcome {
            None => out.push_str("/>\n"),
            Some((element, kind, message, body)) => {
                // The schema gives `skipped` a message and no type.
                let kind = match *element {
                    "skipped" => String::new(),
                    _ => format!(" type=\"{kind}\""),
                };
                let _ = writeln!(
                    out,
                    ">\n      <{element} message=\"{}\"{kind}>{}</{element}>\n    </testcase>",
                    attr(message),
                    escape(body, false)
                );
            }
        }
    }

    fn is(&self, element: &str) -> bool {
        self.outcome.as_ref().is_some_and(|(e, ..)| *e == element)
    }
}

fn failure_body(f: &Finding) -> String {
    let mut body = format!(
        "{}:{}:{}: {}[{} {}] {}\nagent: {}\npath: {}\nhelp: {}",
        f.file,
        f.line,
        f.column,
        f.severity,
        f.rule,
        f.slug,
        f.message,
        f.agent.as_deref().unwrap_or("(no metadata.name)"),
        f.path,
        f.help
    );
    if !f.controls.is_empty() {
        let _ = write!(body, "\ncontrols: {}", f.controls.join(", "));
    }
    body
}

fn problem_case(p: &Problem) -> Case {
    Case {
        name: format!("problem at {}:{}", p.line, p.column),
        classname: p.file.clone(),
        outcome: Some((
            "error",
            "problem",
            p.message.clone(),
            format!("{}:{}:{}: {}", p.file, p.line, p.column, p.message),
        )),
    }
}

/// The test cases of one agent: one per rule, or one per finding when a rule found several. A
/// waived finding is a `skipped` case whose message is the waiver.
fn agent_cases(
    file: &str,
    agent: Option<&str>,
    rules: &[(&str, &str)],
    findings: &[&Finding],
    waived: &[&Waived],
) -> Vec<Case> {
    let classname = agent.unwrap_or(file).to_string();
    let mut cases = Vec::new();
    for &(id, slug) in rules {
        let found: Vec<&&Finding> = findings.iter().filter(|f| f.rule == id).collect();
        let exempt: Vec<&&Waived> = waived.iter().filter(|w| w.finding.rule == id).collect();
        let name = format!("{id} {slug}");
        let several = found.len() + exempt.len() > 1;
        for w in &exempt {
            let waiver = &w.waiver;
            cases.push(Case {
                name: if several {
                    format!("{name} at {}", w.finding.path)
                } else {
                    name.clone()
                },
                classname: classname.clone(),
                outcome: Some((
                    "skipped",
                    "waived",
                    format!(
                        "waived until {} by {}: {} (waiver {}: {})",
                        waiver.expires,
                        waiver.approved_by,
                        waiver.reason,
                        waiver.pointer,
                        waiver.scope()
                    ),
                    failure_body(&w.finding),
                )),
            });
        }
        if found.is_empty() && exempt.is_empty() {
            cases.push(Case {
                name: name.clone(),
                classname: classname.clone(),
                outcome: None,
            });
        }
        for f in &found {
            cases.push(Case {
                name: if several {
                    format!("{name} at {}", f.path)
                } else {
                    name.clone()
                },
                classname: classname.clone(),
                outcome: Some((
                    "failure",
                    f.severity.as_str(),
                    f.message.clone(),
                    failure_body(f),
                )),
            });
        }
    }
    cases
}

pub fn render(outcome: &Outcome, info: &RunInfo) -> String {
    // Agents by file, in the order they were checked; a finding's agent is always among them,
    // but one that is not still gets its test cases rather than vanishing.
    let mut agents: BTreeMap<&str, Vec<Option<&str>>> = BTreeMap::new();
    let keys = outcome
        .checked
        .iter()
        .map(|c| (c.file.as_str(), c.agent.as_deref()))
        .chain(
            outcome
                .findings
                .iter()
                .chain(outcome.waived.iter().map(|w| &w.finding))
                .map(|f| (f.file.as_str(), f.agent.as_deref())),
        );
    for (file, agent) in keys {
        let list = agents.entry(file).or_default();
        if !list.contains(&agent) {
            list.push(agent);
        }
    }
    let mut by_agent: BTreeMap<(&str, Option<&str>), Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        by_agent
            .entry((f.file.as_str(), f.agent.as_deref()))
            .or_default()
            .push(f);
    }
    let mut waived: BTreeMap<(&str, Option<&str>), Vec<&Waived>> = BTreeMap::new();
    for w in &outcome.waived {
        waived
            .entry((w.finding.file.as_str(), w.finding.agent.as_deref()))
            .or_default()
            .push(w);
    }
    let mut problems: BTreeMap<&str, Vec<&Problem>> = BTreeMap::new();
    for p in &outcome.problems {
        problems.entry(p.file.as_str()).or_default().push(p);
        agents.entry(p.file.as_str()).or_default();
    }
    let mut rules: Vec<(&str, &str)> = outcome
        .rules
        .iter()
        .map(|r| (r.id.as_str(), r.slug.as_str()))
        .collect();
    for f in &outcome.findings {
        if !rules.iter().any(|(id, _)| *id == f.rule) {
            rules.push((&f.rule, &f.slug));
        }
    }

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for (id, (file, file_agents)) in agents.iter().enumerate() {
        let mut cases = Vec::new();
        for agent in file_agents {
            let findings = by_agent
                .get(&(*file, *agent))
                .map_or(&[][..], Vec::as_slice);
            let exempt = waived.get(&(*file, *agent)).map_or(&[][..], Vec::as_slice);
            // A case only for a rule that ran on this file: on a manifest, the manifest
            // rules; on a file only discovery read (a `.env`, agent code), or the
            // configuration, the rules that found something in it.
            let manifest = outcome
                .checked
                .iter()
                .any(|c| c.file == *file && c.agent.as_deref() == *agent);
            let found = |id: &str| {
                findings.iter().any(|f| f.rule == id) || exempt.iter().any(|w| w.finding.rule == id)
            };
            let ran: Vec<(&str, &str)> = rules
                .iter()
                .filter(|(id, _)| found(id) || (manifest && !NOT_ON_MANIFESTS.contains(id)))
                .copied()
                .collect();
            cases.extend(agent_cases(file, *agent, &ran, findings, exempt));
        }
        cases.extend(
            problems
                .get(file)
                .into_iter()
                .flatten()
                .map(|p| problem_case(p)),
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"{name}\" package=\"{name}\" id=\"{id}\" timestamp=\"{}\" hostname=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"0\">",
            attr(&info.timestamp),
            attr(&info.hostname),
            cases.len(),
            cases.iter().filter(|c| c.is("failure")).count(),
            cases.iter().filter(|c| c.is("error")).count(),
            cases.iter().filter(|c| c.is("skipped")).count(),
            // The schema wants a non-blank suite name; a problem may concern no file.
            name = attr(if file.trim().is_empty() { "agentgate" } else { file }),
        );
        let _ = writeln!(
            out,
            "    <properties>\n      <property name=\"agentgate.version\" value=\"{}\"/>\n    </properties>",
            env!("CARGO_PKG_VERSION")
        );
        for case in &cases {
            case.write(&mut out);
        }
        out.push_str("    <system-out/>\n    <system-err/>\n  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_characters_xml_cannot_carry() {
        assert_eq!(
            escape("a<b>&\"c\"'\n", true),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;&#10;"
        );
        assert_eq!(escape("a<b>\n\"", false), "a&lt;b&gt;\n\"");
        assert_eq!(escape("x\u{1}y\u{ffff}", false), "x\u{fffd}y\u{fffd}");
    }
}
