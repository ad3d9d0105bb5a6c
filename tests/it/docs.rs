//! The documentation as a reader follows it: every page in docs/ is reachable from README.md,
//! and every relative link in README.md and docs/ points at a file (and heading) that exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::common::crate_dir;

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found.sort();
    found
}

/// The lines of a Markdown file outside fenced code blocks.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut fenced = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            lines.push(line);
        }
    }
    lines
}

/// A line without its code spans (`` `…` ``), which hold no links.
fn without_code_spans(line: &str) -> String {
    line.split('`').step_by(2).collect::<Vec<_>>().join("")
}

/// The targets of the inline links `[text](target)` of a Markdown file.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let end = after.find(')').unwrap_or(after.len());
            targets.push(after[..end].to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// The anchors GitHub gives the headings of a Markdown file: lowercase, punctuation dropped,
/// spaces as dashes, `-1`, `-2` … for repeats.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    for line in prose_lines(text) {
        let Some(title) = line.strip_prefix('#') else {
            continue;
        };
        let title = title.trim_start_matches('#');
        if !title.starts_with(' ') {
            continue;
        }
        let slug: String = title
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let count = seen.entry(slug.clone()).or_insert(0);
        anchors.insert(if *count == 0 {
            slug.clone()
        } else {
            format!("{slug}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// The files a Markdown file links to (relative links only), resolved, with their anchors.
fn relative_links(file: &Path) -> Vec<(String, PathBuf, Option<String>)> {
    let text = std::fs::read_to_string(file).expect("read");
    link_targets(&text)
        .into_iter()
        .filter(|t| !t.contains("://") && !t.starts_with("mailto:"))
        .map(|target| {
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path.to_string(), Some(anchor.to_string())),
                None => (target.clone(), None),
            };
            let resolved = if path.is_empty() {
                file.to_path_buf()
            } else {
                file.parent().unwrap().join(&path)
            };
            (target, resolved, anchor)
        })
        .collect()
}

fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

#[test]
fn relative_links_point_at_files_and_headings_that_exist() {
    let root = crate_dir();
    let mut pages = vec![root.join("README.md")];
    pages.extend(files_under(&root.join("docs")));
    let mut broken = Vec::new();
    for page in &pages {
        for (target, resolved, anchor) in relative_links(page) {
            let shown = page.strip_prefix(&root).unwrap().display().to_string();
            if !resolved.exists() {
                broken.push(format!("{shown}: ({target}) is not a file"));
                continue;
            }
            if let Some(anchor) = anchor {
                let text = std::fs::read_to_string(&resolved).unwrap_or_default();
                if !anchors(&text).contains(&anchor) {
                    broken.push(format!("{shown}: ({target}) names no heading of that page"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_docs_page_is_linked_from_the_readme() {
    let root = crate_dir();
    let linked_from = |page: &Path| -> BTreeSet<PathBuf> {
        relative_links(page)
            .into_iter()
            .filter_map(|(_, resolved, _)| canonical(&resolved))
            .collect()
    };
    let from_readme = linked_from(&root.join("README.md"));
    let rules_index = root.join("docs/rules/README.md");
    let from_rules_index = linked_from(&rules_index);
    let rules_dir = canonical(&root.join("docs/rules")).unwrap();
    let mut unlinked = Vec::new();
    for file in files_under(&root.join("docs")) {
        let path = canonical(&file).unwrap();
        // A rule page is reached through the rule index; every other page from the README.
        let reached = if path.parent() == Some(rules_dir.as_path())
            && path != canonical(&rules_index).unwrap()
        {
            from_rules_index.contains(&path)
        } else {
            from_readme.contains(&path)
        };
        if !reached {
            unlinked.push(file.strip_prefix(&root).unwrap().display().to_string());
        }
    }
    assert!(
        unlinked.is_empty(),
        "not linked from README.md (rule pages: from docs/rules/README.md): {unlinked:?}"
    );
}

#[test]
fn github_anchors_are_computed_as_github_does() {
    let text = "# Configuration: `.agentgate.yaml`\n## Reviewing a change: `agentgate diff`\n\
                ```\n# not a heading\n```\n## Waivers\n## Waivers\n";
    let found = anchors(text);
    for anchor in [
        "configuration-agentgateyaml",
        "reviewing-a-change-agentgate-diff",
        "waivers",
        "waivers-1",
    ] {
        assert!(found.contains(anchor), "{anchor}: {found:?}");
    }
    assert!(!found.contains("not-a-heading"));
}
