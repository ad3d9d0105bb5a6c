//! `agentgate waive --all`: adoption without a second exception mechanism. One waiver per current
//! finding, appended as YAML text to the configuration's `waivers:` list (the rest of the file
//! stays byte for byte as it was), each with its expiry, so adoption debt cannot become
//! permanent: an expired waiver is AG090.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::check::Outcome;
use crate::config::Config;
use crate::finding::{Finding, Problem};
use crate::rule::BuiltinRule;
use crate::waiver::{file_glob, glob_literal, relative_file};
use crate::yaml::{Children, Node, NodeKind};

/// What every written waiver says, and which findings to waive.
#[derive(Debug, Clone)]
pub struct WaiveOptions {
    pub reason: String,
    pub approved_by: String,
    /// `YYYY-MM-DD`, inclusive.
    pub expires: String,
    /// Only findings of this rule.
    pub rule: Option<String>,
    /// Only findings in files this glob matches (relative to the configuration's folder).
    pub file: Option<String>,
}

/// One waiver to write: `agent` + `path` for a finding in a manifest, `file` + `path` for one
/// without an agent, all three for a footprint finding in a file an agent governs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub rule: String,
    pub agent: Option<String>,
    pub file: Option<String>,
    pub path: String,
}

/// The waivers to write and what was skipped, counted by why.
#[derive(Debug, Default)]
pub struct Plan {
    pub entries: Vec<Entry>,
    pub skipped: BTreeMap<&'static str, usize>,
    /// The findings the entries are for (to check that the written waivers cover them).
    pub covered: Vec<Finding>,
}

/// The waivers that cover the findings of `outcome` the options select.
pub fn plan(outcome: &Outcome, config_dir: &Path, options: &WaiveOptions) -> Result<Plan, String> {
    let only_file = options.file.as_deref().map(file_glob).transpose()?;
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for agent in outcome.checked.iter().filter_map(|c| c.agent.as_deref()) {
        *names.entry(agent).or_default() += 1;
    }
    let mut plan = Plan::default();
    if !outcome.problems.is_empty() {
        plan.skipped.insert(
            "problems (files that cannot be read or parsed, exit 2)",
            outcome.problems.len(),
        );
    }
    let mut seen = BTreeSet::new();
    for finding in &outcome.findings {
        if options.rule.as_ref().is_some_and(|r| *r != finding.rule) {
            continue;
        }
        let relative = relative_file(&finding.place.source.path, config_dir);
        if let Some(glob) = &only_file {
            if !relative.as_ref().is_some_and(|f| glob.is_match(f)) {
                continue;
            }
        }
        // A finding in a file other than the agent's manifest (a secret or a broad server in
        // a file the agent governs) is pinned to that file: `agent` + `path` alone would cover
        // the same pointer in every file the agent governs, including files added later.
        let in_other_file = finding.agent.is_none()
            || matches!(
                BuiltinRule::from_id(&finding.rule),
                Some(
                    BuiltinRule::UnregisteredAgent
                        | BuiltinRule::McpInlineSecret
                        | BuiltinRule::McpBroadServer
                )
            );
        let why = if BuiltinRule::from_id(&finding.rule).is_some_and(BuiltinRule::is_unwaivable) {
            Some("cannot be waived (AG000, AG090, AG091)")
        } else if finding
            .agent
            .as_deref()
            .is_some_and(|a| names.get(a).copied().unwrap_or(0) > 1)
        {
            Some("on an agent name more than one manifest uses")
        } else if in_other_file && relative.is_none() {
            Some("in a file outside the configuration's folder")
        } else if crate::footprints::detect(&finding.path).is_some() {
            // The waiver would write the secret into the configuration.
            Some("at a place whose name is a secret (rename it, and rotate the secret)")
        } else {
            None
        };
        if let Some(why) = why {
            *plan.skipped.entry(why).or_default() += 1;
            continue;
        }
        let entry = Entry {
            rule: finding.rule.clone(),
            agent: finding.agent.clone(),
            file: if in_other_file {
                relative.as_deref().map(glob_literal)
            } else {
                None
            },
            path: finding.path.clone(),
        };
        plan.covered.push(finding.clone());
        if seen.insert(entry.clone()) {
            plan.entries.push(entry);
        }
    }
    Ok(plan)
}

/// `text` as one double-quoted YAML scalar (JSON's quoting is valid YAML).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// The YAML text of the entries as block sequence items indented by `indent` spaces.
pub fn render(entries: &[Entry], options: &WaiveOptions, indent: usize, newline: &str) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for entry in entries {
        let mut fields = vec![("rule", entry.rule.clone())];
        if let Some(agent) = &entry.agent {
            fields.push(("agent", agent.clone()));
        }
        if let Some(file) = &entry.file {
            fields.push(("file", file.clone()));
        }
        // A document-level finding has the empty pointer, which covers the whole document
        // anyway: say so by writing no `path` rather than `path: ""`.
        if !entry.path.is_empty() {
            fields.push(("path", entry.path.clone()));
        }
        fields.push(("reason", options.reason.clone()));
        fields.push(("approvedBy", options.approved_by.clone()));
        fields.push(("expires", options.expires.clone()));
        for (i, (key, value)) in fields.iter().enumerate() {
            let lead = if i == 0 { "- " } else { "  " };
            out.push_str(&format!("{pad}{lead}{key}: {}{newline}", quoted(value)));
        }
    }
    out
}

/// The configuration text with the entries appended to its `waivers:` list (or a `waivers:`
/// key added at the end); everything else stays byte for byte as it was.
pub fn append(
    text: &str,
    root: Option<(&crate::source::SourceFile, &Node)>,
    entries: &[Entry],
    options: &WaiveOptions,
) -> Result<String, String> {
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let at_end = |mut out: String, addition: &str| {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(newline);
        }
        out.push_str(addition);
        out
    };
    let Some((source, root)) = root else {
        let start = if text.trim().is_empty() {
            format!("version: 1{newline}")
        } else {
            String::new()
        };
        let addition = format!(
            "{start}waivers:{newline}{}",
            render(entries, options, 2, newline)
        );
        return Ok(at_end(text.to_string(), &addition));
    };
    if !matches!(root.children, Children::Map(_)) || root.kind != NodeKind::BlockCollection {
        return Err("the configuration is not a block mapping; add the waivers by hand".into());
    }
    let Some(list) = root.child("waivers") else {
        let addition = format!("waivers:{newline}{}", render(entries, options, 2, newline));
        return Ok(at_end(text.to_string(), &addition));
    };
    let items = match &list.children {
        Children::Seq(items) => items,
        _ => return Err("`waivers` is not a list".into()),
    };
    match list.kind {
        NodeKind::BlockCollection => {
            let dash = items
                .first()
                .and_then(|i| i.dash)
                .ok_or("cannot find the `-` of the first waiver")?;
            let indent = source.pos(dash).column.saturating_sub(1);
            // The list's span runs on over blank and comment lines to the next key: the
            // last leaf of the last item is where the list's text ends.
            let mut last = items.last().ok_or("`waivers` is empty")?;
            loop {
                let next = match &last.children {
                    Children::Map(entries) => entries.last().map(|(_, n)| n),
                    Children::Seq(items) => items.last(),
                    Children::None => None,
                };
                match next {
                    Some(node) => last = node,
                    None => break,
                }
            }
            let end = source.byte_offset(last.span.end);
            // After the line the list ends on.
            let cut = if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\n') {
                end
            } else {
                text[end..].find('\n').map_or(text.len(), |i| end + i + 1)
            };
            let mut head = text[..cut].to_string();
            if !head.ends_with('\n') {
                head.push_str(newline);
            }
            Ok(format!(
                "{head}{}{}",
                render(entries, options, indent, newline),
                &text[cut..]
            ))
        }
        NodeKind::FlowCollection if items.is_empty() => {
            // `waivers: []`: the brackets become the block list.
            let mut range = source.byte_range(list.span);
            // The span may run on over a comment: the list ends at its `]`.
            range.end = text[range.start..]
                .find(']')
                .map_or(range.end, |i| range.start + i + 1);
            let indent = source.pos(list.key.map_or(0, |k| k.start)).column + 1;
            Ok(format!(
                "{}{newline}{}{}",
                text[..range.start].trim_end_matches([' ', '\t']),
                render(entries, options, indent, newline).trim_end_matches(['\r', '\n']),
                &text[range.end..]
            ))
        }
        _ => Err("`waivers` is a flow list; write it as a block list (`- rule: …`) first".into()),
    }
}

/// What `waive --all` did.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub created: bool,
}

/// Appends the plan's waivers to the configuration at `path` (created when absent), after
/// reading the result back with the configuration loader: it must load, hold the waivers it
/// held plus the new ones, and cover every finding of the plan; otherwise nothing is written.
pub fn write(
    path: &Path,
    display: &str,
    plan: &Plan,
    options: &WaiveOptions,
    max_bytes: u64,
) -> Result<Written, Vec<Problem>> {
    let fail = |message: String| vec![Problem::whole(display.to_string(), message)];
    let created = !path.exists();
    let (text, before) = if created {
        (String::new(), None)
    } else {
        let config = Config::load(path, display.to_string(), max_bytes)?;
        let text = config
            .file
            .as_ref()
            .map(|(source, _)| source.text.to_string())
            .unwrap_or_else(|| std::fs::read_to_string(path).unwrap_or_default());
        (text, Some(config))
    };
    let root = before
        .as_ref()
        .and_then(|c| c.file.as_ref())
        .map(|(s, n)| (s.as_ref(), n));
    let new_text = append(&text, root, &plan.entries, options).map_err(fail)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("config");
    let staging = dir.join(format!(".{name}.waive-{}", std::process::id()));
    std::fs::write(&staging, &new_text).map_err(|e| fail(format!("cannot write: {e}")))?;
    let reread = Config::load(
        &staging,
        display.to_string(),
        max_bytes.max(new_text.len() as u64),
    );
    let verdict = match reread {
        Err(problems) => Err(problems),
        Ok(after) => {
            let old = before.as_ref().map_or(0, |c| c.waivers.len());
            let added = after.waivers.get(old..).unwrap_or_default();
            let uncovered = plan
                .covered
                .iter()
                .filter(|f| !added.iter().any(|w| w.matches(f)))
                .count();
            if after.waivers.len() != old + plan.entries.len() {
                Err(fail(format!(
                    "read back, the configuration holds {} waivers, not {}; nothing written",
                    after.waivers.len(),
                    old + plan.entries.len()
                )))
            } else if uncovered > 0 {
                Err(fail(format!(
                    "read back, the new waivers leave {uncovered} findings uncovered; nothing written"
                )))
            } else {
                Ok(())
            }
        }
    };
    if let Err(problems) = verdict {
        let _ = std::fs::remove_file(&staging);
        return Err(problems);
    }
    std::fs::rename(&staging, path).map_err(|e| {
        let _ = std::fs::remove_file(&staging);
        fail(format!("cannot write: {e}"))
    })?;
    Ok(Written {
        path: path.to_path_buf(),
        created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse, Limits};

    fn options() -> WaiveOptions {
        WaiveOptions {
            reason: "r".into(),
            approved_by: "a@example.com".into(),
            expires: "2027-01-01".into(),
            rule: None,
            file: None,
        }
    }

    fn entry() -> Vec<Entry> {
        vec![Entry {
            rule: "AG100".into(),
            agent: None,
            file: Some("a\\*.json".into()),
            path: "".into(),
        }]
    }

    fn appended(text: &str) -> Result<String, String> {
        let source = SourceFile::new("c".into(), "c".into(), text);
        let docs = parse(&source, Limits::default()).expect("YAML");
        let root = docs.first().map(|d| &d.root);
        append(text, root.map(|r| (&source, r)), &entry(), &options())
    }

    fn reread(text: &str) -> serde_json::Value {
        let source = SourceFile::new("c".into(), "c".into(), text);
        parse(&source, Limits::default()).expect("YAML")[0]
            .value
            .clone()
    }

    #[test]
    fn an_empty_flow_list_becomes_a_block_list() {
        let out = appended("version: 1\nwaivers: []   # none yet\n").unwrap();
        assert!(
            out.starts_with("version: 1\nwaivers:\n  - rule: \"AG100\"\n"),
            "{out}"
        );
        assert!(out.ends_with("   # none yet\n"), "{out}");
        assert_eq!(reread(&out)["waivers"][0]["file"], "a\\*.json");
    }

    #[test]
    fn line_endings_and_a_missing_last_newline_are_kept() {
        let text = "version: 1\r\nwaivers:\r\n- rule: AG013\r\n  reason: r\r\n  approvedBy: a@example.com\r\n  expires: 2027-01-01";
        let out = appended(text).unwrap();
        assert!(out.starts_with(text), "{out:?}");
        assert!(out.contains("\r\n- rule: \"AG100\"\r\n  file: "), "{out:?}");
        assert_eq!(reread(&out)["waivers"].as_array().map(Vec::len), Some(2));
        let out = appended("version: 1").unwrap();
        assert_eq!(reread(&out)["waivers"][0]["rule"], "AG100", "{out:?}");
    }

    #[test]
    fn a_flow_mapping_or_a_non_empty_flow_list_is_refused() {
        assert!(appended("{version: 1}\n").is_err());
        assert!(appended("version: 1\nwaivers: [{rule: AG013, reason: r, approvedBy: a@example.com, expires: 2027-01-01}]\n").is_err());
    }

    #[test]
    fn glob_literal_matches_exactly_its_path() {
        for path in ["a*b?.json", "x/[y]/{z}.py", "back\\slash", "!bang"] {
            let glob = file_glob(&glob_literal(path)).unwrap();
            assert!(glob.is_match(path), "{path}");
            assert!(!glob.is_match(format!("{path}x")), "{path}");
        }
    }
}
