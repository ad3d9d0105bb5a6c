//! `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other SARIF readers.
//!
//! One run. `tool.driver.rules[]` holds every rule the run evaluated, from the pack metadata,
//! with the severity the configuration gives it. Each finding is a result pointing at the
//! token at fault (columns in Unicode code points, as `columnKind` says), with a
//! `partialFingerprints` entry that survives unrelated edits. Problems (parse, configuration,
//! policy errors) are tool execution notifications, and they make `executionSuccessful` false.
//!
//! The types below are the part of the SARIF object model agentgate writes, serialised with
//! serde; a test validates real output against the OASIS schema.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{json, Value};

use crate::check::Outcome;
use crate::finding::{Finding, Place, Problem};
use crate::rule::RuleMeta;
use crate::rule::Severity;
use crate::waiver::Waived;

pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
pub const INFORMATION_URI: &str = "https://agentgate.dev";
/// The key of agentgate's own entry in `partialFingerprints`; the version changes only if the
/// recipe does.
pub const FINGERPRINT_KEY: &str = "agentgateFinding/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<OwnedText>,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: Vec<&'a str>,
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text<'a>,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: Value,
}

/// A waiver, as SARIF says a result was accepted by someone outside the tool.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    properties: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

/// SARIF `level` of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// GitHub's `security-severity` (a CVSS-like score it ranks alerts by: 7.0–8.9 is "high",
/// 4.0–6.9 "medium"). Every agentgate error is an identity or access control gap a gate should
/// stop, so "high" (8.0); a warning is a weakness worth fixing that does not block by default,
/// so "medium" (5.0). The score follows the severity the configuration gives the rule.
pub fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
    }
}

/// A stable identity for a finding, for `partialFingerprints`: FNV-1a (64-bit) over the rule
/// id, the file, the agent and the JSON pointer of the field at fault, never line or column, so
/// that editing other lines of the manifest does not make code scanning see a new alert.
/// FNV-1a is written out here because its output is fixed by its definition, unlike std's
/// `DefaultHasher`, whose algorithm may change between Rust releases.
pub fn fingerprint(finding: &Finding) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let fields = [
        finding.rule.as_str(),
        finding.file.as_str(),
        finding.agent.as_deref().unwrap_or_default(),
        finding.path.as_str(),
    ];
    let mut hash = OFFSET;
    for (i, field) in fields.iter().enumerate() {
        // A separator byte that no field contains keeps ("ab", "c") apart from ("a", "bc");
        // the agent's presence is marked so that no name and an empty name differ.
        let marker: &[u8] = if i == 2 && finding.agent.is_none() {
            &[0xff]
        } else {
            &[0x00]
        };
        for byte in field.bytes().chain(marker.iter().copied()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

/// A file path as a relative URI reference: every byte outside the unreserved set and `/`
/// percent-encoded (so spaces, `#`, `?`, `%` and a `:` that would read as a scheme are safe).
pub fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn region(line: usize, column: usize, place: Option<&Place>) -> Region {
    let end = place.and_then(super::end_of);
    Region {
        start_line: line,
        start_column: column,
        end_line: end.map(|p| p.line),
        end_column: end.map(|p| p.column),
    }
}

fn location(file: &str, region: Region) -> [Location; 1] {
    [Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(file) },
            region,
        },
    }]
}

/// Prose written hard-wrapped in the pack's METADATA, as paragraphs of one line each: SARIF
/// viewers wrap text themselves.
fn unwrap(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The rule's help as Markdown: the fix, an example, the controls and where to read more.
fn help_markdown(rule: &RuleMeta) -> String {
    let mut out = rule.fix.clone();
    if let Some(example) = &rule.example {
        let _ = write!(
            out,
            "\n\n**Example**\n\n```yaml\n{}\n```",
            example.trim_end()
        );
    }
    if !rule.controls.is_empty() {
        let controls: Vec<String> = rule.controls.iter().map(|c| format!("`{c}`")).collect();
        let _ = write!(out, "\n\n**Controls:** {}", controls.join(", "));
    }
    let _ = write!(
        out,
        "\n\n`agentgate explain {}` tells what the rule checks and why it matters.",
        rule.id
    );
    out
}

fn rule(rule: &RuleMeta) -> Rule<'_> {
    Rule {
        id: &rule.id,
        name: &rule.slug,
        short_description: Text {
            text: &rule.summary,
        },
        full_description: (!rule.description.is_empty()).then(|| OwnedText {
            text: unwrap(&rule.description),
        }),
        help: Help {
            text: &rule.fix,
            markdown: help_markdown(rule),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
        },
        properties: RuleProperties {
            // "security" is how code scanning tells security rules from quality ones.
            tags: std::iter::once("security")
                .chain(rule.controls.iter().map(String::as_str))
                .collect(),
            security_severity: security_severity(rule.severity),
        },
    }
}

/// A waived finding is the same result plus a `suppressions` entry carrying the waiver.
fn waived_result<'a>(waived: &'a Waived, rule_index: Option<usize>) -> SarifResult<'a> {
    let waiver = &waived.waiver;
    SarifResult {
        suppressions: vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: format!(
                "{} (approved by {}, expires {})",
                waiver.reason, waiver.approved_by, waiver.expires
            ),
            // The waiver's own scope, so an auditor can tell a one-place exception from a
            // whole-file glob without opening the configuration.
            properties: json!({
                "approvedBy": waiver.approved_by,
                "expires": waiver.expires,
                "waiver": waiver.pointer,
                "rule": waiver.rule,
                "agent": waiver.agent,
                "path": waiver.path,
                "file": waiver.file,
            }),
        }],
        ..result(&waived.finding, rule_index)
    }
}

fn result(finding: &Finding, rule_index: Option<usize>) -> SarifResult<'_> {
    SarifResult {
        rule_id: &finding.rule,
        rule_index,
        level: level(finding.severity),
        message: Text {
            text: &finding.message,
        },
        locations: location(
            &finding.file,
            region(finding.line, finding.column, Some(&finding.place)),
        ),
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY, fingerprint(finding))]),
        suppressions: Vec::new(),
        properties: json!({"agent": finding.agent, "path": finding.path}),
    }
}

fn notification(problem: &Problem) -> Notification<'_> {
    Notification {
        level: "error",
        message: Text {
            text: &problem.message,
        },
        locations: location(
            &problem.file,
            region(problem.line, problem.column, problem.place.as_ref()),
        ),
    }
}

pub fn render(outcome: &Outcome) -> String {
    let index: BTreeMap<&str, usize> = outcome
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.as_str(), i))
        .collect();
    let results = outcome
        .findings
        .iter()
        .map(|f| result(f, index.get(f.rule.as_str()).copied()))
        .chain(
            outcome
                .waived
                .iter()
                .map(|w| waived_result(w, index.get(w.finding.rule.as_str()).copied())),
        )
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "agentgate",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: outcome.rules.iter().map(|r| rule(r)).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: outcome.problems.is_empty(),
                tool_execution_notifications: outcome.problems.iter().map(notification).collect(),
            }],
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_percent_encoded_relative_references() {
        assert_eq!(uri("agents/a b.agent.yaml"), "agents/a%20b.agent.yaml");
        assert_eq!(uri("c:x/é#?.yaml"), "c%3Ax/%C3%A9%23%3F.yaml");
        assert_eq!(uri("../up/agent.yaml"), "../up/agent.yaml");
    }

    #[test]
    fn severities_map_to_code_scanning_bands() {
        assert_eq!(security_severity(Severity::Error), "8.0");
        assert_eq!(security_severity(Severity::Warning), "5.0");
    }
}
