//! Rule packs: Rego modules plus the `# METADATA` blocks that make each rule a registry entry.
//! regorus does not read METADATA, so it is parsed here, once, and every consumer (`rules`,
//! `explain`, the diagnostics) reads the rule's id, severity, fix and controls from it.

use rayon::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::pack_source::{self, PackSource};
use crate::reads::{self, PackReads, Reference};
use crate::rule::{BuiltinRule, RuleMeta, Severity};
use crate::source::SourceFile;
use crate::yaml::{self, Limits};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));
}

pub const RULES_PREFIX: &str = "agentgate.rules.";

#[derive(Debug, Clone)]
pub struct Module {
    pub path: String,
    pub source: String,
    pub package: String,
    pub is_test: bool,
    /// The pack-level `custom.reads` this module declares (a `scope: subpackages` METADATA
    /// block above its `package` line): the block's first line and the entries.
    pub reads: Option<(usize, Vec<Reference>)>,
}

#[derive(Debug, Clone)]
pub struct PackError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl PackError {
    fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        PackError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}

/// One loaded pack and its digest, so that a report can name exactly the rules it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedPack {
    /// Where it came from; `None` for the built-in pack embedded in this agentgate.
    pub source: Option<PackSource>,
    /// [`pack_source::digest`] over a custom pack's `.rego` files; the built-in pack's is computed
    /// when asked for, so that `check` does not hash the embedded pack on every run.
    custom_digest: Option<String>,
    pub files: usize,
    /// Whether `check` may cache the pack's verdicts ([`crate::reads`]).
    pub reads: PackReads,
}

impl LoadedPack {
    /// [`pack_source::digest`] over the pack's `.rego` files.
    pub fn digest(&self) -> String {
        self.custom_digest
            .clone()
            .unwrap_or_else(|| pack_source::digest(builtin_files()))
    }
}

/// The loaded rule packs: their modules and the registry of rules by id.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub modules: Vec<Module>,
    pub rules: BTreeMap<String, Arc<RuleMeta>>,
    by_package: BTreeMap<String, Arc<RuleMeta>>,
    /// The packs loaded, built-in first, in configuration order; empty for [`Registry::from_files`].
    pub packs: Vec<LoadedPack>,
}

/// The built-in pack's files, as (path inside `policies/`, source).
fn builtin_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::BUILTIN_POLICIES
        .iter()
        .map(|(p, s)| (p.strip_prefix("policies/").unwrap_or(p), *s))
}

fn builtin_pack() -> LoadedPack {
    LoadedPack {
        source: None,
        custom_digest: None,
        files: embedded::BUILTIN_POLICIES.len(),
        reads: PackReads::Builtin,
    }
}

impl Registry {
    pub fn builtin() -> Result<Registry, Vec<PackError>> {
        Registry::load(&[])
    }

    /// The built-in pack plus the given packs, validated as one registry (a rule id defined
    /// twice, in any two packs, is an error naming both files).
    pub fn load(sources: &[PackSource]) -> Result<Registry, Vec<PackError>> {
        let mut files: Vec<(String, String)> = embedded::BUILTIN_POLICIES
            .iter()
            .map(|(p, s)| (p.to_string(), s.to_string()))
            .collect();
        let mut errors = Vec::new();
        let mut loaded = vec![builtin_pack()];
        let mut packs: Vec<Vec<(String, String)>> = vec![files.clone()];
        for source in sources {
            match pack_source::load_files(source) {
                Ok(found) => {
                    packs.push(
                        found
                            .iter()
                            .map(|f| (f.shown.clone(), f.source.clone()))
                            .collect(),
                    );
                    loaded.push(LoadedPack {
                        source: Some(source.clone()),
                        custom_digest: Some(pack_source::digest(
                            found
                                .iter()
                                .map(|f| (f.relative.as_str(), f.source.as_str())),
                        )),
                        files: found.len(),
                        reads: PackReads::Undeclared,
                    });
                    files.extend(found.into_iter().map(|f| (f.shown, f.source)));
                }
                Err(message) => errors.push(PackError::new(&source.describe(), 0, message)),
            }
        }
        errors.extend(packages_declared_twice(&packs));
        if errors.is_empty() {
            let mut registry = Registry::from_files(files)?;
            let sizes: Vec<usize> = packs.iter().map(Vec::len).collect();
            for (pack, verdict) in registry.pack_reads(&sizes)?.into_iter().enumerate() {
                if let Some(loaded) = loaded.get_mut(pack) {
                    loaded.reads = verdict;
                }
            }
            registry.packs = loaded;
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    /// Each pack's [`PackReads`]; `sizes` are the packs' file counts, in loading order (the
    /// modules are in that order). Two declarations in one pack are an error naming both.
    fn pack_reads(&self, sizes: &[usize]) -> Result<Vec<PackReads>, Vec<PackError>> {
        let mut owner = Vec::with_capacity(self.modules.len());
        for (pack, &size) in sizes.iter().enumerate() {
            owner.extend(std::iter::repeat_n(pack, size));
        }
        let mut declared: Vec<Option<(String, usize, Vec<Reference>)>> = vec![None; sizes.len()];
        let mut errors = Vec::new();
        for (module, &pack) in self.modules.iter().zip(&owner) {
            let Some((line, entries)) = &module.reads else {
                continue;
            };
            match &declared[pack] {
                Some((file, first, _)) if pack > 0 => errors.push(PackError::new(
                    &module.path,
                    *line,
                    format!("custom.reads is declared twice in one pack (also at {file}:{first}): declare the pack's read set once"),
                )),
                _ => declared[pack] = Some((module.path.clone(), *line, entries.clone())),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Scanning costs a lexing of every module: only when some custom pack declares reads.
        if declared.iter().skip(1).all(Option::is_none) {
            return Ok((0..sizes.len())
                .map(|p| {
                    if p == 0 {
                        PackReads::Builtin
                    } else {
                        PackReads::Undeclared
                    }
                })
                .collect());
        }
        let scanned: Vec<reads::ScannedModule<'_>> = self
            .modules
            .iter()
            .zip(&owner)
            .filter(|(m, _)| !m.is_test)
            .map(|(m, &pack)| reads::ScannedModule {
                pack,
                path: &m.path,
                package: &m.package,
                references: reads::scan(&m.path, &m.source),
            })
            .collect();
        Ok(reads::verify(&scanned, &declared))
    }

    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Registry, Vec<PackError>> {
        // Each module's METADATA is read in parallel (YAML, about a third of a one-file
        // check's start before the packs can compile); the registry is built in file order.
        let files: Vec<(String, String)> = files.into_iter().collect();
        let read: Vec<Result<ReadModule, PackError>> = files
            .into_par_iter()
            .map(|(path, source)| read_module(path, source))
            .collect();
        let mut registry = Registry::default();
        let mut errors = Vec::new();
        for module in read {
            if let Err(e) = module.and_then(|m| registry.add(m)) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            Ok(registry)
        } else {
            Err(errors)
        }
    }

    fn add(&mut self, read: ReadModule) -> Result<(), PackError> {
        let ReadModule {
            module,
            meta,
            package_line,
        } = read;
        if let Some(meta) = meta {
            if let Some(existing) = self.rules.get(&meta.id) {
                return Err(PackError::new(
                    &module.path,
                    package_line,
                    format!(
                        "rule id {} is already defined in {}",
                        meta.id, existing.file
                    ),
                ));
            }
            let meta = Arc::new(meta);
            self.rules.insert(meta.id.clone(), meta.clone());
            self.by_package.insert(module.package.clone(), meta);
        }
        self.modules.push(module);
        Ok(())
    }

    /// A built-in rule computed in Rust; `None` only if its metadata package was not loaded.
    pub fn builtin_rule(&self, rule: BuiltinRule) -> Option<&Arc<RuleMeta>> {
        self.rules.get(rule.id())
    }

    pub fn rule_for_package(&self, package: &str) -> Option<&Arc<RuleMeta>> {
        self.by_package.get(package)
    }

    /// Packages whose `deny` sets the evaluator collects.
    pub fn rule_packages(&self) -> impl Iterator<Item = &str> {
        self.by_package.keys().map(String::as_str)
    }

    /// The rule packages worth evaluating: all but the built-in ones whose rule agentgate
    /// computes in Rust (their packages only carry metadata, yet each would cost the
    /// interpreter about 10 µs per manifest).
    pub fn evaluated_packages(&self) -> impl Iterator<Item = &str> {
        self.by_package
            .iter()
            .filter(|(_, rule)| BuiltinRule::from_id(&rule.id).is_none())
            .map(|(package, _)| package.as_str())
    }

    /// Whether a module takes part in evaluation: not a test, not a metadata-only package.
    pub fn is_evaluated(&self, module: &Module) -> bool {
        !module.is_test
            && self
                .by_package
                .get(&module.package)
                .is_none_or(|rule| BuiltinRule::from_id(&rule.id).is_none())
    }
}

/// A package declared in two loaded packs: Rego merges the files of one package, so a pack
/// re-declaring another's (a body-less `package agentgate.rules.ag011_wildcard_grant` with its
/// own METADATA, or `package agentgate.lib` with a rule of its own) would take over or change
/// that pack's rule. Within one pack, a rule and its `*_test.rego` share the package. Each
/// group is one pack's files, as (shown path, source).
pub fn packages_declared_twice(packs: &[Vec<(String, String)>]) -> Vec<PackError> {
    let mut owner: BTreeMap<String, (usize, String)> = BTreeMap::new();
    let mut errors = Vec::new();
    for (pack, files) in packs.iter().enumerate() {
        for (path, source) in files {
            let Some((package, line)) = package_of(source) else {
                continue;
            };
            match owner.get(&package) {
                Some((other, file)) if *other != pack => errors.push(PackError::new(
                    path,
                    line,
                    format!(
                        "package {package} is already declared by {file}, in another loaded pack; a pack may not add to or override another pack's package: rename the package (a team namespaces its own, agentgate.rules.acme.…)"
                    ),
                )),
                Some(_) => {}
                None => {
                    owner.insert(package, (pack, path.clone()));
                }
            }
        }
    }
    errors
}

/// The `package` line: its name and 1-based line number.
fn package_of(source: &str) -> Option<(String, usize)> {
    source.lines().enumerate().find_map(|(i, line)| {
        let name = line.trim().strip_prefix("package ")?;
        Some((name.trim().to_string(), i + 1))
    })
}

/// The `# METADATA` blocks of the comment run right above the `package` line (OPA attaches a
/// `scope: package` and a `scope: subpackages` block there), each as its first line and text.
fn metadata_blocks(source: &str, package_line: usize) -> Vec<(usize, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut start = package_line - 1;
    while start > 0 && lines[start - 1].trim_start().starts_with('#') {
        start -= 1;
    }
    let run = &lines[start..package_line - 1];
    let markers: Vec<usize> = run
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim() == "# METADATA")
        .map(|(i, _)| i)
        .collect();
    markers
        .iter()
        .enumerate()
        .map(|(k, &marker)| {
            let end = markers.get(k + 1).copied().unwrap_or(run.len());
            let text = run[marker + 1..end]
                .iter()
                .map(|l| {
                    let l = l.trim_start().trim_start_matches('#');
                    l.strip_prefix(' ').unwrap_or(l)
                })
                .collect::<Vec<_>>()
                .join("\n");
            (start + marker + 2, text)
        })
        .collect()
}

fn parse_block(path: &str, first_line: usize, text: &str) -> Result<Value, PackError> {
    let yaml_source = SourceFile::new(path.into(), path.into(), text.to_string());
    Ok(yaml::parse(&yaml_source, Limits::default())
        .map_err(|e| {
            PackError::new(
                path,
                first_line + yaml_source.pos(e.offset).line - 1,
                format!("METADATA: {}", e.message),
            )
        })?
        .pop()
        .map(|d| d.value)
        .unwrap_or(Value::Null))
}

/// Whether a block declares `scope: subpackages`, read without parsing every block of every
/// module (a rule's own block is parsed once, by [`parse_metadata`]).
fn is_subpackages_block(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("scope:")
            .is_some_and(|v| v.trim().trim_matches(['"', '\'']) == "subpackages")
    })
}

/// The pack-level `custom.reads` of a module: from its `scope: subpackages` METADATA block. A
/// malformed list is an error naming the entry's line.
fn pack_level_reads(
    path: &str,
    blocks: &[(usize, String)],
) -> Result<Option<(usize, Vec<Reference>)>, PackError> {
    let mut found = None;
    for (first_line, text) in blocks.iter().filter(|(_, t)| is_subpackages_block(t)) {
        let value = parse_block(path, *first_line, text)?;
        let Some(entries) = value.pointer("/custom/reads") else {
            continue;
        };
        // The entry's own line in a block list; the `reads` line otherwise.
        let line_of = |needle: &str| {
            let entry = |l: &str| {
                l.trim()
                    .trim_start_matches('-')
                    .trim()
                    .trim_matches(['"', '\''])
                    == needle
            };
            let key = |l: &str| l.trim_start().starts_with("reads:");
            let lines: Vec<&str> = text.lines().collect();
            lines
                .iter()
                .position(|l| entry(l))
                .or_else(|| lines.iter().position(|l| key(l)))
                .map_or(*first_line, |i| first_line + i)
        };
        let Value::Array(entries) = entries else {
            return Err(PackError::new(
                path,
                line_of("reads"),
                format!("custom.reads must be a list of data paths, such as [data.agentgate.settings, {}]", reads::OWN_FACTS),
            ));
        };
        let mut parsed = Vec::new();
        for entry in entries {
            let Some(text) = entry.as_str() else {
                return Err(PackError::new(
                    path,
                    line_of("reads"),
                    format!("custom.reads entry {entry} is not a string"),
                ));
            };
            parsed.push(
                reads::parse_declared(text)
                    .map_err(|message| PackError::new(path, line_of(text), message))?,
            );
        }
        if found.is_some() {
            return Err(PackError::new(
                path,
                *first_line,
                "custom.reads is declared twice in one file: declare the pack's read set once",
            ));
        }
        found = Some((*first_line, parsed));
    }
    Ok(found)
}

fn parse_metadata(
    path: &str,
    blocks: &[(usize, String)],
    package_line: usize,
    package: &str,
) -> Result<RuleMeta, PackError> {
    let (first_line, text) = blocks
        .iter()
        .find(|(_, t)| !is_subpackages_block(t))
        .ok_or_else(|| {
            PackError::new(
                path,
                package_line,
                format!("rule package {package} has no package-scope `# METADATA` block"),
            )
        })?;
    let first_line = *first_line;
    let value = parse_block(path, first_line, text)?;
    if value.pointer("/custom/reads").is_some() {
        return Err(PackError::new(
            path,
            first_line,
            "custom.reads belongs to the whole pack: put it in a `scope: subpackages` METADATA block (see docs/rule-packs.md), not in a rule's package block",
        ));
    }
    let text_at = |pointer: &str| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(|s| s.trim().to_string())
    };
    let required = |pointer: &str| {
        text_at(pointer).filter(|s| !s.is_empty()).ok_or_else(|| {
            PackError::new(
                path,
                first_line,
                format!("METADATA lacks `{}`", pointer[1..].replace('/', ".")),
            )
        })
    };
    let id = required("/custom/id")?;
    if !valid_id(&id) {
        return Err(PackError::new(
            path,
            first_line,
            format!("rule id {id:?} must look like AG011 or ACME001"),
        ));
    }
    let severity_text = required("/custom/severity")?;
    let severity = Severity::parse(&severity_text).ok_or_else(|| {
        PackError::new(
            path,
            first_line,
            format!("severity {severity_text:?} must be error or warning"),
        )
    })?;
    let controls = match value.pointer("/custom/controls") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|c| c.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                PackError::new(
                    path,
                    first_line,
                    "custom.controls must be a list of strings",
                )
            })?,
        Some(_) => {
            return Err(PackError::new(
                path,
                first_line,
                "custom.controls must be a list of strings",
            ))
        }
    };
    let family = match value.pointer("/custom/family") {
        None => None,
        Some(Value::String(family)) if !family.trim().is_empty() => Some(family.trim().to_string()),
        Some(_) => {
            return Err(PackError::new(
                path,
                first_line,
                "custom.family must be a non-empty string",
            ))
        }
    };
    let summary = required("/custom/summary")?;
    Ok(RuleMeta {
        slug: required("/custom/slug")?,
        severity,
        title: text_at("/title").unwrap_or_else(|| summary.clone()),
        description: text_at("/description").unwrap_or_default(),
        fix: required("/custom/fix")?,
        example: text_at("/custom/example"),
        summary,
        controls,
        family,
        package: package.to_string(),
        file: path.to_string(),
        id,
    })
}

fn valid_id(id: &str) -> bool {
    let letters = id.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let digits = id.chars().rev().take_while(|c| c.is_ascii_digit()).count();
    letters > 0
        && digits > 0
        && id
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// A module with what its METADATA says (a rule's, for a module of a rule package).
struct ReadModule {
    module: Module,
    meta: Option<RuleMeta>,
    package_line: usize,
}

fn read_module(path: String, source: String) -> Result<ReadModule, PackError> {
    let (package, package_line) =
        package_of(&source).ok_or_else(|| PackError::new(&path, 1, "no `package` declaration"))?;
    let is_test = path.ends_with("_test.rego");
    let blocks = metadata_blocks(&source, package_line);
    let mut reads = None;
    let mut meta = None;
    if !is_test {
        reads = pack_level_reads(&path, &blocks)?;
        if package.starts_with(RULES_PREFIX) {
            meta = Some(parse_metadata(&path, &blocks, package_line, &package)?);
        }
    }
    Ok(ReadModule {
        module: Module {
            path,
            source,
            package,
            is_test,
            reads,
        },
        meta,
        package_line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "# METADATA\n# title: T\n# custom:\n#   id: ACME001\n#   slug: s\n#   severity: warning\n#   summary: S\n#   fix: F\n#   controls: [soc2:CC6.1]\npackage agentgate.rules.acme.one\n\ndeny contains {\"msg\": \"m\", \"path\": \"\"} if false\n";

    #[test]
    fn every_builtin_rule_declares_its_family() {
        let registry = Registry::builtin().unwrap();
        for rule in registry.rules.values() {
            assert!(rule.family.is_some(), "{} has no custom.family", rule.id);
        }
        // A pack rule may leave it out; it is a string when given.
        let rule = RULE.replace("#   slug: s\n", "#   slug: s\n#   family: [a]\n");
        let error = Registry::from_files([("a.rego".to_string(), rule)]).unwrap_err();
        assert!(error[0].message.contains("custom.family"), "{error:?}");
    }

    #[test]
    fn reads_package_scope_metadata() {
        let registry = Registry::from_files([("a.rego".to_string(), RULE.to_string())]).unwrap();
        let rule = &registry.rules["ACME001"];
        assert_eq!(rule.severity, Severity::Warning);
        assert_eq!(rule.controls, vec!["soc2:CC6.1"]);
        assert_eq!(rule.package, "agentgate.rules.acme.one");
    }

    #[test]
    fn duplicate_ids_name_both_files() {
        let errors = Registry::from_files([
            ("a.rego".to_string(), RULE.to_string()),
            ("b.rego".to_string(), RULE.replace("acme.one", "acme.two")),
        ])
        .unwrap_err();
        assert!(errors[0].message.contains("a.rego") && errors[0].file == "b.rego");
    }

    #[test]
    fn missing_metadata_is_an_error_with_a_line() {
        let errors = Registry::from_files([(
            "c.rego".to_string(),
            "package agentgate.rules.x\n".to_string(),
        )])
        .unwrap_err();
        assert_eq!(errors[0].line, 1);
        let bad = RULE.replace("severity: warning", "severity: fatal");
        let errors = Registry::from_files([("d.rego".to_string(), bad)]).unwrap_err();
        assert!(errors[0].message.contains("fatal"));
    }

    const PACK_READS: &str = "# METADATA\n# scope: subpackages\n# custom:\n#   reads:\n#     - data.agentgate.settings\n#     - data.agentgate.facts[input.metadata.name]\n#     - data.agentgate.lib\n";

    /// A pack folder with `files`, loaded beside the built-in pack: its [`PackReads`].
    fn pack_reads(files: &[(&str, String)]) -> Result<PackReads, Vec<PackError>> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let registry = Registry::load(&[PackSource::Dir(dir.path().to_path_buf())])?;
        Ok(registry.packs[1].reads.clone())
    }

    fn rule_reading(body: &str) -> String {
        RULE.replace(
            "deny contains {\"msg\": \"m\", \"path\": \"\"} if false\n",
            body,
        )
    }

    #[test]
    fn custom_reads_is_read_from_a_subpackages_block_and_verified() {
        let body = "import data.agentgate.lib\n\ndeny contains {\"msg\": \"m\", \"path\": \"\"} if {\n\tlib.facts.review.signature != \"valid\"\n\tdata.agentgate.settings.maxTtl > 1\n}\n";
        // In a file of its own, or as a second block above a rule's package line.
        let own_file = pack_reads(&[
            ("pack.rego", format!("{PACK_READS}package acme.pack\n")),
            ("one.rego", rule_reading(body)),
        ]);
        assert_eq!(own_file.unwrap(), PackReads::Verified);
        let beside_rule =
            pack_reads(&[("one.rego", format!("{PACK_READS}{}", rule_reading(body)))]);
        assert_eq!(beside_rule.unwrap(), PackReads::Verified);
        // Undeclared: silently uncached.
        let undeclared = pack_reads(&[("one.rego", rule_reading(body))]);
        assert_eq!(undeclared.unwrap(), PackReads::Undeclared);
        // A reference outside the declared list, or one that can never be declared.
        let narrow = PACK_READS.replace("#     - data.agentgate.settings\n", "");
        let refused = pack_reads(&[("one.rego", format!("{narrow}{}", rule_reading(body)))]);
        let PackReads::Refused { why, line, .. } = refused.unwrap() else {
            panic!("not refused")
        };
        assert_eq!(
            (line, why.as_str()),
            (
                22,
                "reads data.agentgate.settings.maxTtl, not declared in custom.reads"
            )
        );
        let inventory = body.replace(
            "data.agentgate.settings.maxTtl > 1",
            "count(data.agentgate.inventory) > 1",
        );
        let refused = pack_reads(&[(
            "one.rego",
            format!("{PACK_READS}{}", rule_reading(&inventory)),
        )]);
        let PackReads::Refused { why, .. } = refused.unwrap() else {
            panic!("not refused")
        };
        assert!(why.contains("reads data.agentgate.inventory, which holds every agent and which custom.reads cannot declare"), "{why}");
        // A built-in rule package that reads the inventory (AG071) is not a clean package.
        let builtin_rule = body.replace(
            "data.agentgate.settings.maxTtl > 1",
            "count(data.agentgate.rules.ag071_delegation_escalates.deny) > 0",
        );
        let declared = PACK_READS.replace(
            "data.agentgate.lib\n",
            "data.agentgate.lib\n#     - data.agentgate.rules.ag071_delegation_escalates\n",
        );
        let refused = pack_reads(&[(
            "one.rego",
            format!("{declared}{}", rule_reading(&builtin_rule)),
        )]);
        let PackReads::Refused { why, .. } = refused.unwrap() else {
            panic!("not refused")
        };
        assert!(
            why.contains("package agentgate.rules.ag071_delegation_escalates reads data outside"),
            "{why}"
        );
    }

    #[test]
    fn a_pack_may_read_its_own_packages_undeclared_but_not_a_dirty_one() {
        let helper = "package acme.helpers\n\nimport rego.v1\n\nowner := data.agentgate.facts[input.metadata.name].file\n";
        let body = "import data.acme.helpers\n\ndeny contains {\"msg\": \"m\", \"path\": \"\"} if helpers.owner == \"\"\n";
        let verified = pack_reads(&[
            ("pack.rego", format!("{PACK_READS}package acme.pack\n")),
            ("helpers.rego", helper.to_string()),
            ("one.rego", rule_reading(body)),
        ]);
        assert_eq!(verified.unwrap(), PackReads::Verified);
        // The helper reading the inventory makes the rule that reads it uncacheable too (the
        // helper's own line is the first reason found, in file order).
        let dirty = helper.replace(
            "owner := data.agentgate.facts[input.metadata.name].file",
            "owner := data.agentgate.inventory.x.spec.owner",
        );
        let refused = pack_reads(&[
            ("pack.rego", format!("{PACK_READS}package acme.pack\n")),
            ("helpers.rego", dirty),
            ("one.rego", rule_reading(body)),
        ]);
        assert!(matches!(
            refused.unwrap(),
            PackReads::Refused { line: 5, .. }
        ));
    }

    #[test]
    fn a_malformed_custom_reads_is_a_load_error_with_its_line() {
        for (reads, line, says) in [
            ("#   reads: data.agentgate.settings\n", 4, "must be a list"),
            (
                "#   reads:\n#     - data.agentgate.settings\n#     - agentgate.settings\n",
                6,
                "not a data path",
            ),
            ("#   reads:\n#     - data.x[y]\n", 5, "not a data path"),
            ("#   reads: [1]\n", 4, "not a string"),
        ] {
            let block =
                format!("# METADATA\n# scope: subpackages\n# custom:\n{reads}package acme.pack\n");
            let errors = pack_reads(&[("pack.rego", block)]).unwrap_err();
            assert_eq!(
                (errors[0].line, errors[0].file.ends_with("pack.rego")),
                (line, true),
                "{errors:?}"
            );
            assert!(errors[0].message.contains(says), "{errors:?}");
        }
        // In a rule's own block it would read as the rule's: refused, pointing at the right place.
        let in_rule = RULE.replace(
            "#   fix: F\n",
            "#   fix: F\n#   reads: [data.agentgate.settings]\n",
        );
        let errors = pack_reads(&[("one.rego", in_rule)]).unwrap_err();
        assert!(
            errors[0].message.contains("scope: subpackages"),
            "{errors:?}"
        );
        // Twice in one pack.
        let errors = pack_reads(&[
            ("a.rego", format!("{PACK_READS}package acme.a\n")),
            ("b.rego", format!("{PACK_READS}package acme.b\n")),
        ])
        .unwrap_err();
        assert!(errors[0].message.contains("declared twice"), "{errors:?}");
    }

    #[test]
    fn builtin_pack_loads() {
        let registry = Registry::builtin().expect("the built-in pack is valid");
        assert!(registry.modules.iter().all(|m| !m.source.is_empty()));
    }
}
