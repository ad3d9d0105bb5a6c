//! agentgate: a policy-as-code gate for AI-agent identity manifests.
//!
//! The pipeline runs one way, each stage a module: [`discover`] (which files are manifests) →
//! [`yaml`] (parse, with positions) → [`validate`] (JSON Schema) → [`evaluate`] (Rego) →
//! [`output`] (the formats). [`check`] drives it in a [`context::RunContext`] prepared once, and
//! its sink applies the configuration's rule settings and waivers once. Leaf modules everything
//! may use: [`fs`] (reading and showing files), [`rule`] (severities, rule metadata, the rules
//! computed in Rust), [`source`], [`units`]. The commands that read the repository build on
//! `check`: [`footprints`] (`discover`), [`inventory`], [`report`], [`diff`], [`init`],
//! [`review`], [`packtest`] (`test`), [`owners`] (offboarding, AG114/AG115) and [`drift`]
//! (audit logs against the manifests: observations as facts for the drift rules, AG113).
//! [`cache`] keeps `check`'s results per manifest, [`parse_cache`] each file's parse (by its
//! text), [`program_cache`] the compiled packs and [`signature_cache`] the review signatures
//! found to verify; [`reads`] verifies the read set a custom
//! pack declares, which lets the cache keep that pack's results too. The command line itself
//! lives in the binary (`src/cli/`).
//! A unit test below keeps the module graph free of cycles.

pub mod cache;
pub mod changes;
pub mod check;
pub mod commands;
pub mod config;
pub mod context;
pub mod controls;
pub mod diff;
pub mod digest;
pub mod discover;
pub mod drift;
pub mod escape;
pub mod evaluate;
pub mod facts;
pub mod finding;
pub mod footprints;
pub mod fs;
pub mod init;
pub mod inventory;
pub mod output;
pub mod owners;
pub mod pack_source;
pub mod packtest;
pub mod parse_cache;
pub mod program_cache;
pub mod reads;
pub mod redact;
pub mod registry;
pub mod report;
pub mod review;
pub mod revision;
pub mod rule;
pub mod secret_patterns;
pub mod signature_cache;
pub mod source;
pub mod units;
pub mod validate;
pub mod waive;
pub mod waiver;
pub mod yaml;

/// The module graph stays one-way: a test reads every `crate::` path in `src/` and fails on a
/// cycle between top-level modules, naming it.
#[cfg(test)]
mod module_graph {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The top-level module each `src/` file belongs to, with the modules its code names.
    fn edges() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut stack = vec![src.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/ is readable").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let relative = path.strip_prefix(&src).expect("under src/");
                let first = relative.components().next().expect("a file name");
                let module = first.as_os_str().to_string_lossy();
                let module = module.trim_end_matches(".rs").to_string();
                if matches!(module.as_str(), "lib" | "main")
                    || path.extension() != Some("rs".as_ref())
                {
                    continue;
                }
                let text = std::fs::read_to_string(&path).expect("a source file");
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let named = graph.entry(module.clone()).or_default();
                for (i, _) in code.match_indices("crate::") {
                    named.extend(
                        first_segments(&code[i + "crate::".len()..])
                            .into_iter()
                            .filter(|t| !t.is_empty() && *t != module),
                    );
                }
            }
        }
        graph
    }

    /// The modules a path after `crate::` names: one, or each item of a `{…}` group (which
    /// rustfmt may spread over lines, and which may nest).
    fn first_segments(rest: &str) -> Vec<String> {
        let ident = |s: &str| {
            s.trim_start()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .next()
                .unwrap_or_default()
                .to_string()
        };
        let Some(group) = rest.strip_prefix('{') else {
            return vec![ident(rest)];
        };
        let (mut depth, mut items, mut start) = (0, Vec::new(), 0);
        for (i, c) in group.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => {
                    items.push(ident(&group[start..i]));
                    break;
                }
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(ident(&group[start..i]));
                    start = i + 1;
                }
                _ => {}
            }
        }
        items.retain(|item| !item.is_empty());
        items
    }

    fn cycle_from(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|n| n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = cycle_from(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }

    #[test]
    fn src_modules_import_each_other_one_way_only() {
        let graph = edges();
        assert!(graph.len() > 10, "the walk found the modules: {graph:?}");
        let mut done = BTreeSet::new();
        for module in graph.keys() {
            if let Some(cycle) = cycle_from(module, &graph, &mut Vec::new(), &mut done) {
                panic!("import cycle between modules: {}", cycle.join(" → "));
            }
        }
    }

    #[test]
    fn groups_spread_over_lines_are_read() {
        assert_eq!(
            first_segments("{\n    config::Config,\n    fs::{a, b},\n    yaml,\n};"),
            ["config", "fs", "yaml"]
        );
        assert_eq!(first_segments("units::today_utc()"), ["units"]);
    }

    #[test]
    fn a_cycle_is_found() {
        let graph: BTreeMap<String, BTreeSet<String>> =
            [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec!["a"])]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.into_iter().map(str::to_string).collect()))
                .collect();
        let cycle = cycle_from("a", &graph, &mut Vec::new(), &mut BTreeSet::new());
        assert_eq!(cycle.unwrap().join(" → "), "a → b → c → a");
    }
}
