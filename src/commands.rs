//! The registry commands (`rules`, `explain`, `schema`); `check` lives in [`crate::check`].

use std::fmt::Write;
use std::path::Path;

use crate::registry::Registry;
use crate::rule::RuleMeta;

pub fn rules_table(registry: &Registry) -> String {
    let rules: Vec<&RuleMeta> = registry.rules.values().map(AsRef::as_ref).collect();
    let slug_width = rules.iter().map(|r| r.slug.len()).max().unwrap_or(4).max(4);
    let id_width = rules.iter().map(|r| r.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!(
        "{:id_width$}  {:slug_width$}  {:8}  SUMMARY\n",
        "ID", "SLUG", "SEVERITY"
    );
    for rule in rules {
        let _ = writeln!(
            out,
            "{:id_width$}  {:slug_width$}  {:8}  {}",
            rule.id,
            rule.slug,
            rule.severity.as_str(),
            rule.summary
        );
    }
    out
}

/// The rule table as Markdown (`agentgate rules --format markdown`).
pub fn rules_markdown(registry: &Registry) -> String {
    rules_markdown_table(registry, |rule| rule.id.clone())
}

fn rules_markdown_table(registry: &Registry, id_cell: impl Fn(&RuleMeta) -> String) -> String {
    let mut out = String::from("| id | slug | severity | summary |\n|---|---|---|---|\n");
    for rule in registry.rules.values() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            id_cell(rule),
            rule.slug,
            rule.severity,
            rule.summary.replace('|', "\\|")
        );
    }
    out
}

/// The name of a rule's page in the rule-page folder.
pub fn rule_page_name(rule: &RuleMeta) -> String {
    format!("{}.md", rule.id)
}

/// Markdown prose from METADATA: the characters that would turn plain text into emphasis or
/// HTML (`*`, `<`, and `_` outside a word) are escaped; backticks and line breaks are kept.
fn markdown_text(text: &str) -> String {
    let chars: Vec<char> = text.trim_end().chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let in_word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        let escape = match c {
            '*' | '<' => true,
            '_' => !(in_word(i.checked_sub(1)) && in_word(Some(i + 1))),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One rule's page, as `rules --format markdown --out DIR` writes it: what `explain` prints,
/// in Markdown. Deterministic: the same registry gives the same bytes.
pub fn rule_page(rule: &RuleMeta) -> String {
    let mut out = format!(
        "# {} {}: {}\n\n",
        rule.id,
        rule.slug,
        markdown_text(&rule.title)
    );
    let _ = writeln!(out, "**Summary:** {}\n", markdown_text(&rule.summary));
    let _ = writeln!(out, "**Severity:** {}\n", rule.severity);
    if let Some(family) = &rule.family {
        let _ = writeln!(out, "**Family:** {}\n", markdown_text(family));
    }
    if !rule.description.is_empty() {
        let _ = writeln!(
            out,
            "## What it checks and why it matters\n\n{}\n",
            markdown_text(&rule.description)
        );
    }
    let _ = writeln!(out, "## How to fix\n\n{}\n", markdown_text(&rule.fix));
    if let Some(example) = &rule.example {
        let _ = writeln!(
            out,
            "## Example\n\nA compliant fragment:\n\n```yaml\n{}\n```\n",
            example.trim_end()
        );
    }
    let _ = writeln!(out, "## Controls\n");
    if rule.controls.is_empty() {
        let _ = writeln!(out, "None: a meta rule.\n");
    } else {
        for control in &rule.controls {
            let _ = writeln!(out, "- `{control}`");
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Where it is defined\n\n`{}`, package `{}`. `agentgate explain {}` prints the same \
         in the terminal.\n",
        rule.file, rule.package, rule.id
    );
    let _ = writeln!(out, "[All rules](README.md)");
    out
}

/// The index of the rule pages: the `rules --format markdown` table, each id linking to its
/// page.
pub fn rule_pages_index(registry: &Registry) -> String {
    let mut out = String::from(
        "# Rules\n\n\
         One page per rule, generated from the rules' METADATA by\n\
         `agentgate rules --format markdown --out docs/rules` (with `--pack DIR`, a pack's rules\n\
         too). Edit the METADATA in the `.rego` file, not these pages, then run the command again.\n\n",
    );
    out.push_str(&rules_markdown_table(registry, |rule| {
        format!("[{}]({})", rule.id, rule_page_name(rule))
    }));
    out
}

/// Every file of the rule-page folder, by file name: `README.md` (the index) and one page
/// per rule.
pub fn rule_pages(registry: &Registry) -> Vec<(String, String)> {
    let mut pages = vec![("README.md".to_string(), rule_pages_index(registry))];
    for rule in registry.rules.values() {
        pages.push((rule_page_name(rule), rule_page(rule)));
    }
    pages
}

/// Writes [`rule_pages`] into `dir` (created if needed) and returns the Markdown files
/// already there that it did not write (stale pages, for a warning; never deleted).
pub fn write_rule_pages(registry: &Registry, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let pages = rule_pages(registry);
    for (name, text) in &pages {
        std::fs::write(dir.join(name), text)?;
    }
    let mut others: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") && !pages.iter().any(|(p, _)| p == n))
        .collect();
    others.sort();
    Ok(others)
}

pub fn rules_json(registry: &Registry) -> String {
    let rules: Vec<&RuleMeta> = registry.rules.values().map(AsRef::as_ref).collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Slugs a rule had before (rules-v1 renamed them): `explain` still accepts them.
const FORMER_SLUGS: [(&str, &str); 1] = [("mcp-inline-secret", "AG101")];

/// The rule an `explain` argument names: its id (any case), its slug, or a former slug.
fn named_rule<'a>(registry: &'a Registry, name: &str) -> Option<&'a RuleMeta> {
    let lower = name.to_ascii_lowercase();
    registry
        .rules
        .get(&name.to_ascii_uppercase())
        .or_else(|| registry.rules.values().find(|r| r.slug == lower))
        .or_else(|| {
            let (_, id) = FORMER_SLUGS.iter().find(|(slug, _)| *slug == lower)?;
            registry.rules.get(*id)
        })
        .map(AsRef::as_ref)
}

pub fn explain(registry: &Registry, id: &str) -> Option<String> {
    let rule = named_rule(registry, id)?;
    let mut out = format!(
        "{} {} ({})\n{}\n\n",
        rule.id, rule.slug, rule.severity, rule.title
    );
    let _ = writeln!(out, "What it checks\n{}\n", indent(&rule.summary));
    if !rule.description.is_empty() {
        let _ = writeln!(out, "Why it matters\n{}\n", indent(&rule.description));
    }
    let _ = writeln!(out, "How to fix\n{}\n", indent(&rule.fix));
    if let Some(example) = &rule.example {
        let _ = writeln!(out, "Example\n{}\n", indent(example));
    }
    let controls = if rule.controls.is_empty() {
        "(none: a meta rule)".to_string()
    } else {
        rule.controls.join("\n")
    };
    let _ = writeln!(out, "Controls\n{}\n", indent(&controls));
    let _ = writeln!(out, "Defined in {} (package {})", rule.file, rule.package);
    Some(out)
}
