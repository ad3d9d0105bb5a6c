//! The registry commands (`rules`, `explain`, `schema`); `check` lives in [`crate::check`].

use std::fmt::Write;

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

/// The rule table as Markdown, for the README (a test keeps the two in step).
pub fn rules_markdown(registry: &Registry) -> String {
    let mut out = String::from("| id | slug | severity | summary |\n|---|---|---|---|\n");
    for rule in registry.rules.values() {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            rule.id,
            rule.slug,
            rule.severity,
            rule.summary.replace('|', "\\|")
        );
    }
    out
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

pub fn explain(registry: &Registry, id: &str) -> Option<String> {
    let rule = registry.rules.get(&id.to_ascii_uppercase())?;
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
