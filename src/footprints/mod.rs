//! Shadow agents: agent footprints in a repository (MCP client configurations, A2A agent cards,
//! agent framework and LLM SDK imports, LLM provider keys) and whether a manifest governs them.
//!
//! Findings: AG100 (a footprint no manifest's `spec.sources` covers), AG101 (a literal secret
//! in an MCP server's `env`/`headers`, or an LLM provider key committed in a `.env` or
//! configuration file), AG102 (a shell or filesystem MCP server given `/` or a home folder) and
//! AG103 (a `spec.sources` glob that matches no file).
//!
//! Where they point: in a JSON/YAML file, at the JSON pointer of the value at fault
//! (`/mcpServers/github/env/GITHUB_TOKEN`); in a `.env` file, at `/NAME` of the variable; a
//! code footprint (imports in a service folder) and an agent card as a whole have the pointer
//! `""` and the line of the first import (or of the card's `name`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use rayon::prelude::*;
use serde_json::Value;

use crate::finding::{Finding, Place, Problem};
use crate::registry::Registry;
use crate::rule::{BuiltinRule, RuleMeta};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, locate, Limits};

mod clients;
mod code;
mod secrets;

pub(crate) use secrets::{
    clean_url, describe_server, literal_argument, literal_secret, parts, redact_arguments,
    secret_name, url_secret,
};
pub use secrets::{detect, redacted};

use code::{scan_code, service_folder};
use secrets::{config_secrets, env_secrets, shaped_secrets, source_secrets};

/// A manifest as discovery sees it: its file, parsed tree, name and `spec.sources`.
pub struct Governor<'a> {
    pub source: &'a Arc<SourceFile>,
    /// Built only when a finding on the manifest needs a place.
    pub root: &'a yaml::SpanTree,
    pub name: Option<&'a str>,
    pub sources: Vec<String>,
    /// Whether findings on this manifest itself (AG103) are reported.
    pub selected: bool,
    /// Whether its sources govern footprints: only when it passes the review rules (AG040 to
    /// AG044).
    pub governs: bool,
}

impl<'a> Governor<'a> {
    pub fn new(
        source: &'a Arc<SourceFile>,
        root: &'a yaml::SpanTree,
        value: &Value,
        name: Option<&'a str>,
        selected: bool,
    ) -> Self {
        let sources = value
            .pointer("/spec/sources")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        Governor {
            source,
            root,
            name,
            sources,
            selected,
            governs: true,
        }
    }
}

/// A path relative to the repository root, `/`-separated.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// A `spec.sources` entry split into its glob and, for `FILE#NAME`, the one MCP server or agent
/// card of that file it names: everything after the first `#` (a server's name may hold any
/// character). A `#` that is part of a file name is written as the glob class `[#]`.
fn split_source(entry: &str) -> (&str, Option<&str>) {
    let separator = entry
        .char_indices()
        .find(|&(i, c)| c == '#' && !entry[..i].ends_with('['))
        .map(|(i, _)| i);
    match separator {
        Some(i) if i > 0 && i + 1 < entry.len() => (&entry[..i], Some(&entry[i + 1..])),
        _ => (entry, None),
    }
}

/// A compiled `spec.sources` entry.
struct Source {
    glob: GlobMatcher,
    /// `#NAME`: only this server or agent card of the files the glob matches.
    name: Option<String>,
}

impl Source {
    fn parse(entry: &str) -> Option<Source> {
        let (glob, name) = split_source(entry);
        Some(Source {
            glob: matcher(glob)?,
            name: name.map(str::to_string),
        })
    }

    /// Whether it governs `rel` (a repository-relative file) or, with `subject`, that server or
    /// agent card of the file. An entry with `#NAME` governs only the named one.
    fn governs(&self, rel: &str, subject: Option<&str>) -> bool {
        covers(&self.glob, rel)
            && self
                .name
                .as_deref()
                .is_none_or(|name| subject == Some(name))
    }
}

/// Whether any of a manifest's `spec.sources` entries covers a repository-relative file, by its
/// glob alone (a `#NAME` entry counts for its whole file).
pub fn sources_cover(sources: &[String], rel: &str) -> bool {
    sources
        .iter()
        .filter_map(|entry| matcher(split_source(entry).0))
        .any(|m| covers(&m, rel))
}

fn matcher(glob: &str) -> Option<GlobMatcher> {
    let glob = glob.trim_start_matches("./").trim_end_matches('/');
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Whether a glob covers a repository-relative file: it matches the file or a folder above it.
fn covers(matcher: &GlobMatcher, file: &str) -> bool {
    if matcher.is_match(file) {
        return true;
    }
    let mut dir = file;
    while let Some((parent, _)) = dir.rsplit_once('/') {
        if matcher.is_match(parent) {
            return true;
        }
        dir = parent;
    }
    false
}

/// What one run of discovery needs.
pub struct Context<'a> {
    pub root: &'a Path,
    pub cwd: &'a Path,
    pub files: &'a [PathBuf],
    pub governors: &'a [Governor<'a>],
    pub registry: &'a Registry,
    pub max_file_size: u64,
    /// Report footprints only in files below one of these (absolute) paths.
    pub selected: &'a [PathBuf],
    /// Files in manifest places that do not claim to be manifests (other tools' files):
    /// discovery reads them like any other file.
    pub other_tools: &'a std::collections::BTreeSet<PathBuf>,
}

/// What discovery looks at: footprints below these paths (none: only the manifests'
/// `spec.sources`, AG103 and AG104), and which files in manifest places are other tools'.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub footprints: Option<&'a [PathBuf]>,
    pub other_tools: &'a std::collections::BTreeSet<PathBuf>,
}

impl Context<'_> {
    /// Whether a file is an agentgate manifest (or claims to be one), which discovery leaves
    /// to `check`: in a manifest place and not another tool's file.
    fn is_manifest(&self, path: &Path, rel: &str) -> bool {
        crate::discover::is_manifest_place(Path::new(rel)) && !self.other_tools.contains(path)
    }
}

impl Context<'_> {
    /// The manifest that governs a file (`subject`: one server or agent card of it): the first
    /// whose sources cover it, among those that pass the review rules.
    fn governed_by(
        &self,
        rel: &str,
        subject: Option<&str>,
        matchers: &[(usize, Vec<Source>)],
    ) -> Option<usize> {
        matchers
            .iter()
            .filter(|(i, _)| self.governors[*i].governs)
            .find(|(_, sources)| sources.iter().any(|s| s.governs(rel, subject)))
            .map(|(i, _)| *i)
    }
}

/// AG103 on the selected manifests and, when `footprints` gives the selected paths, AG100 to
/// AG102 on the files below them.
pub fn run(
    root: &Path,
    cwd: &Path,
    listing: &crate::discover::Listing,
    governors: &[Governor],
    registry: &Registry,
    max_file_size: u64,
    scope: Scope,
) -> (Vec<Finding>, Vec<Problem>) {
    let Scope {
        footprints,
        other_tools,
    } = scope;
    let needs_sources = governors
        .iter()
        .any(|g| g.selected && !g.sources.is_empty());
    if footprints.is_none() && !needs_sources {
        return (Vec::new(), Vec::new());
    }
    // Every path a file is reached by: a symlink `.mcp.json -> mcp-settings.txt` is an MCP
    // configuration, though the listing keeps the target's own path for it.
    let files = &listing.paths;
    let ctx = Context {
        root,
        cwd,
        files,
        governors,
        registry,
        max_file_size,
        selected: footprints.unwrap_or_default(),
        other_tools,
    };
    let mut found = missing_sources(&ctx);
    found.extend(too_broad(&ctx));
    let mut problems = Vec::new();
    if footprints.is_some() {
        let (more, unreadable) = self::footprints(&ctx);
        found.extend(more);
        problems = unreadable;
        // An MCP configuration or agent card that is a symlink out of the repository (or into
        // a loop) is not read: that must not pass as no agent at all.
        for link in &listing.refused {
            let rel = relative(root, &link.link);
            let name = rel.rsplit('/').next().unwrap_or_default();
            let config = is_known_mcp_file(&rel, name) || is_well_known_card(&rel);
            if config
                && !link.hides_manifests(root)
                && ctx.selected.iter().any(|s| link.link.starts_with(s))
            {
                problems.push(Problem::whole(
                    crate::fs::display_path(&link.link, cwd),
                    link.message(),
                ));
            }
        }
    }
    (found, problems)
}

/// AG103: each `spec.sources` glob of a selected manifest that covers no file in the repository.
pub fn missing_sources(ctx: &Context) -> Vec<Finding> {
    let Some(rule) = ctx.registry.builtin_rule(BuiltinRule::SourceMissing) else {
        return Vec::new();
    };
    let rels: Vec<String> = ctx.files.iter().map(|f| relative(ctx.root, f)).collect();
    let mut found = Vec::new();
    let mut subjects = Subjects::default();
    for governor in ctx.governors.iter().filter(|g| g.selected) {
        for (i, glob) in governor.sources.iter().enumerate() {
            let (pattern, name) = split_source(glob);
            let message = match matcher(pattern) {
                None => format!("{glob:?} is not a valid glob, so it governs nothing"),
                Some(m) if !rels.iter().any(|r| covers(&m, r)) => format!(
                    "sources glob {glob:?} matches no file in the repository: the code it governed is gone or moved"
                ),
                Some(m) => match name {
                    Some(name)
                        if !ctx
                            .files
                            .iter()
                            .zip(&rels)
                            .filter(|(_, r)| covers(&m, r))
                            .any(|(f, r)| subjects.of(ctx, f, r).iter().any(|s| s == name)) =>
                    {
                        format!(
                            "{glob:?}: no MCP server or agent card named {name:?} in the files {pattern:?} matches, so it governs nothing"
                        )
                    }
                    _ => continue,
                },
            };
            let pointer = format!("/spec/sources/{i}");
            let (at, label) = locate(governor.root, &pointer);
            found.push(make(
                rule,
                governor.source,
                at,
                label,
                governor.name.map(str::to_string),
                pointer,
                message,
                false,
            ));
        }
    }
    found
}

/// The MCP servers and agent cards each structured file defines, read once per run.
#[derive(Default)]
struct Subjects(BTreeMap<String, Vec<String>>);

impl Subjects {
    fn of(&mut self, ctx: &Context, path: &Path, rel: &str) -> &[String] {
        self.0.entry(rel.to_string()).or_insert_with(|| {
            let name = rel.rsplit('/').next().unwrap_or_default();
            let kind = FileKind::of(rel, name);
            if !matches!(kind, FileKind::Structured | FileKind::Toml)
                || ctx.is_manifest(path, rel)
                || name == crate::config::FILE_NAME
            {
                return Vec::new();
            }
            let Ok(text) = crate::fs::read_text(path, ctx.max_file_size) else {
                return Vec::new();
            };
            let text = without_bom(text);
            let values: Vec<Value> = if kind == FileKind::Toml {
                toml::from_str::<Value>(&text).ok().into_iter().collect()
            } else {
                let text = if is_json_name(rel) {
                    json_for_yaml(&text)
                } else {
                    text
                };
                let source = SourceFile::new(path.to_path_buf(), rel.to_string(), text);
                yaml::parse(&source, Limits::default())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|d| d.value)
                    .collect()
            };
            let mut found: Vec<String> = values
                .iter()
                .flat_map(|value| structured(rel, value))
                .filter(|hit| hit.rule == Rule::Unregistered)
                .filter_map(|hit| hit.subject)
                .collect();
            found.sort();
            found.dedup();
            found
        })
    }
}

/// The service folder a footprint file belongs to, for AG104: the nearest folder (up to the
/// root) holding a project file, or else the top-level folder it sits in.
fn breadth_folder(root: &Path, path: &Path, rel: &str) -> String {
    let service = service_folder(root, path);
    let own = rel.rsplit_once('/').map_or("", |(dir, _)| dir);
    if service != own || code::has_project_file(&root.join(own)) {
        return service;
    }
    rel.split_once('/').map_or("", |(top, _)| top).to_string()
}

/// AG104: each `spec.sources` entry of a selected manifest that covers the footprint files of
/// more than one service folder, or a whole configuration file (no `#NAME`) that defines
/// several MCP servers or agent cards. A catch-all would otherwise govern every agent.
pub fn too_broad(ctx: &Context) -> Vec<Finding> {
    let Some(rule) = ctx.registry.builtin_rule(BuiltinRule::SourceTooBroad) else {
        return Vec::new();
    };
    let rels: Vec<String> = ctx.files.iter().map(|f| relative(ctx.root, f)).collect();
    let mut subjects = Subjects::default();
    let mut found = Vec::new();
    for governor in ctx.governors.iter().filter(|g| g.selected) {
        for (i, entry) in governor.sources.iter().enumerate() {
            let (pattern, name) = split_source(entry);
            let Some(m) = matcher(pattern).filter(|_| name.is_none()) else {
                continue;
            };
            // An entry that names files (no wildcard in its last segment, `.mcp.json`,
            // `**/mcp.json`) claims each whole; a folder glob is judged by its service folders.
            let names_files = !pattern
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .contains(['*', '?', '[', '{']);
            let mut folders = std::collections::BTreeSet::new();
            let mut shared = None;
            for (path, rel) in ctx.files.iter().zip(&rels).filter(|(_, r)| covers(&m, r)) {
                let file = rel.rsplit('/').next().unwrap_or_default();
                if ctx.is_manifest(path, rel) {
                    continue;
                }
                let defines = subjects.of(ctx, path, rel).to_vec();
                let footprint =
                    matches!(FileKind::of(rel, file), FileKind::Code(_)) || !defines.is_empty();
                if footprint {
                    folders.insert(breadth_folder(ctx.root, path, rel));
                }
                if names_files && defines.len() > 1 && shared.is_none() {
                    shared = Some((rel.clone(), defines));
                }
            }
            let message = if folders.len() > 1 {
                let listed: Vec<&str> = folders
                    .iter()
                    .map(|f| if f.is_empty() { "." } else { f.as_str() })
                    .collect();
                format!(
                    "sources entry {entry:?} covers {} service folders ({}): one manifest would govern every agent there; narrow it to this agent's own folder",
                    folders.len(),
                    listed.join(", ")
                )
            } else if let Some((rel, defines)) = shared {
                format!(
                    "sources entry {entry:?} covers the whole of {rel}, which defines {} servers or agents ({}); name this agent's with #NAME, e.g. {rel}#{}",
                    defines.len(),
                    defines.join(", "),
                    defines[0]
                )
            } else {
                continue;
            };
            let pointer = format!("/spec/sources/{i}");
            let (at, label) = locate(governor.root, &pointer);
            found.push(make(
                rule,
                governor.source,
                at,
                label,
                governor.name.map(str::to_string),
                pointer,
                message,
                false,
            ));
        }
    }
    found
}

#[allow(clippy::too_many_arguments)]
fn make(
    rule: &RuleMeta,
    source: &Arc<SourceFile>,
    at: usize,
    label: Span,
    agent: Option<String>,
    path: String,
    message: String,
    redact: bool,
) -> Finding {
    let place = Place {
        source: source.clone(),
        at,
        label,
    };
    Finding::of_rule(rule, place, agent, path, message, redact)
}

/// A secret in a configuration file, reported once agent code is known to sit beside it.
struct Pending {
    source: Arc<SourceFile>,
    at: usize,
    label: Span,
    agent: Option<String>,
    pointer: String,
    message: String,
}

/// Files of build and editor tools, whose secret-named keys are settings, not secrets.
fn is_tooling_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "package.json"
        || lower.starts_with("tsconfig")
        || lower.starts_with("jsconfig")
        || lower.ends_with(".schema.json")
        || lower == "composer.json"
        || lower.starts_with("docker-compose")
        || lower.starts_with("compose.")
        || lower == "pnpm-workspace.yaml"
}

/// A code footprint: a file importing agent or LLM libraries.
struct CodeHit {
    source: Arc<SourceFile>,
    rel: String,
    /// Character offset and span of the first import.
    at: usize,
    label: Span,
    libraries: Vec<String>,
    tools: usize,
    /// The names of the tools defined, where the code names them.
    tool_names: Vec<String>,
    /// A test (in a test folder or file, using a test framework or mocks): a footprint only
    /// beside agent code outside tests.
    test: bool,
}

/// The unit a code footprint belongs to: its service folder (the nearest folder with a
/// project file); when that is the repository root, the top-level folder that holds the code
/// (a repository of examples has one footprint per example, not one for the whole).
fn footprint_unit(root: &Path, path: &Path, rel: &str) -> String {
    let service = service_folder(root, path);
    if service.is_empty() {
        if let Some((top, _)) = rel.split_once('/') {
            return top.to_string();
        }
    }
    service
}

/// The code of a Jupyter notebook's code cells, scanned as Python; the evidence points at
/// the import's text in the notebook file.
fn notebook_hit(source: &Arc<SourceFile>, rel: &str, local_agents: bool) -> Option<CodeHit> {
    let notebook: Value = serde_json::from_str(&source.text).ok()?;
    let mut code = String::new();
    for cell in notebook.get("cells").and_then(Value::as_array)? {
        if cell.get("cell_type").and_then(Value::as_str) != Some("code") {
            continue;
        }
        match cell.get("source") {
            Some(Value::String(text)) => code.push_str(text),
            Some(Value::Array(lines)) => {
                for line in lines.iter().filter_map(Value::as_str) {
                    code.push_str(line);
                }
            }
            _ => {}
        }
        code.push('\n');
    }
    let cells = Arc::new(SourceFile::new(
        source.path.clone(),
        source.display.clone(),
        code,
    ));
    let mut hit = scan_code(&cells, rel, Language::Python, local_agents)?;
    let line: String = cells
        .text
        .chars()
        .skip(hit.at)
        .take(hit.label.end - hit.label.start)
        .collect();
    // The same text in the notebook's JSON (an import has nothing JSON escapes), else its top.
    let at = source
        .text
        .find(line.trim())
        .map_or(0, |byte| source.text[..byte].chars().count());
    hit.source = source.clone();
    hit.at = at;
    hit.label = Span {
        start: at,
        end: at
            + if at == 0 {
                0
            } else {
                line.trim().chars().count()
            },
    };
    Some(hit)
}

/// What discovery finds in one file (read, classified, scanned): the files are scanned in
/// parallel and their results merged in listing order, so output stays deterministic.
#[derive(Default)]
struct FileScan {
    found: Vec<Finding>,
    problems: Vec<Problem>,
    /// Agent code not governed by a manifest, by footprint unit.
    code: Vec<(String, CodeHit)>,
    /// The service folder, when the file is agent code.
    agent_folders: Vec<String>,
    /// Configuration-file secrets waiting to learn whether agent code sits beside them.
    pending: Vec<(String, Pending)>,
    /// The unit, when code outside tests imports from a test folder.
    test_code_used: Vec<String>,
}

impl FileScan {
    /// AG101 on each `(name, span, message)` a secret scanner found in `source`, at `/name`.
    fn secrets(
        &mut self,
        rule: &Option<Arc<RuleMeta>>,
        source: &Arc<SourceFile>,
        agent: &Option<String>,
        found: Vec<(String, Span, String)>,
    ) {
        let Some(rule) = rule else { return };
        for (name, span, message) in found {
            self.found.push(make(
                rule,
                source,
                span.start,
                span,
                agent.clone(),
                format!("/{}", escape(&name)),
                message,
                true,
            ));
        }
    }
}

/// The built-in rules discovery reports, resolved once per run.
struct DiscoveryRules {
    unregistered: Option<Arc<RuleMeta>>,
    secret: Option<Arc<RuleMeta>>,
    broad: Option<Arc<RuleMeta>>,
    unreadable_config: Option<Arc<RuleMeta>>,
}

fn scan_file(
    ctx: &Context,
    path: &Path,
    matchers: &[(usize, Vec<Source>)],
    rules: &DiscoveryRules,
) -> FileScan {
    let DiscoveryRules {
        unregistered,
        secret,
        broad,
        unreadable_config,
    } = rules;
    let mut scan = FileScan::default();
    if !ctx.selected.iter().any(|s| path.starts_with(s)) {
        return scan;
    }
    let rel = relative(ctx.root, path);
    let name = rel.rsplit('/').next().unwrap_or_default().to_string();
    if ctx.is_manifest(path, &rel) || name == crate::config::FILE_NAME {
        return scan;
    }
    let kind = FileKind::of(&rel, &name);
    if kind == FileKind::Other {
        return scan;
    }
    let display = crate::fs::display_path(path, ctx.cwd);
    let known = is_known_mcp_file(&rel, &name) || is_well_known_card(&rel);
    let text = match crate::fs::read_text(path, ctx.max_file_size) {
        Ok(text) => text,
        Err(e) if known => {
            scan.problems
                .push(Problem::whole(display, unreadable(&e.message)));
            return scan;
        }
        // Any file discovery reads could hold a footprint (padding hides none): one too big
        // to read fails closed. Other errors (not UTF-8) leave it as no JSON/YAML/code.
        Err(_) if oversized(path, ctx.max_file_size) => {
            scan.problems.push(Problem::whole(
                display,
                format!(
                    "larger than {} bytes (--max-file-size), so discovery did not read it and cannot tell whether it declares an MCP server, an agent card or agent code; raise --max-file-size, or add it to `exclude` in .agentgate.yaml if it is vendored or generated",
                    ctx.max_file_size
                ),
            ));
            return scan;
        }
        // Agent code and `.env` files that are not UTF-8 still run (Python and Node decode
        // them): read with replacement characters and scan them all the same.
        Err(_) if matches!(kind, FileKind::Code(_) | FileKind::Env) => {
            match crate::fs::read_text_lossy(path, ctx.max_file_size) {
                Ok(text) => text,
                Err(e) => {
                    scan.problems
                        .push(Problem::whole(display, unreadable(&e.message)));
                    return scan;
                }
            }
        }
        // JSON or YAML that is not UTF-8 but names a client's key may be a real client
        // configuration (a client's reader may accept it): fail closed rather than skip it.
        Err(e) => {
            let lossy = crate::fs::read_text_lossy(path, ctx.max_file_size).unwrap_or_default();
            if names_client_key(&lossy) {
                scan.problems.push(Problem::whole(
                    display,
                    format!(
                        "{}; it mentions an MCP client's key (mcpServers, servers, context_servers, mcp_servers), so agentgate cannot tell which MCP servers it declares; save it as UTF-8",
                        e.message.replace("; manifests are UTF-8 text", "")
                    ),
                ));
            }
            return scan;
        }
    };
    let text = without_bom(text);
    // Most JSON and YAML files are data: one that names no key discovery looks for and holds
    // nothing like a secret is not parsed at all (parsing with positions is what costs).
    let card_named = ["agent-card.json", "agent_card.json", "agentcard.json"]
        .iter()
        .any(|n| name.eq_ignore_ascii_case(n));
    if kind == FileKind::Structured && !known && !card_named && !worth_parsing(&text) {
        return scan;
    }
    let text = if is_json_name(&rel) {
        json_for_yaml(&text)
    } else {
        text
    };
    let source = Arc::new(SourceFile::new(path.to_path_buf(), display, text));
    // The whole file: an entry with `#NAME` governs only its server or card (below).
    let governor = ctx.governed_by(&rel, None, matchers);
    let agent = governor.and_then(|i| ctx.governors[i].name.map(str::to_string));
    match kind {
        FileKind::Structured | FileKind::Toml => {
            // Each document's hits, each with its place in the file.
            let mut located: Vec<(Hit, usize, Span)> = Vec::new();
            if kind == FileKind::Toml {
                let value = match toml::from_str::<Value>(&source.text) {
                    Ok(value) => value,
                    Err(e) => {
                        let at = e.span().map_or(0, |r| {
                            source.text.get(..r.start).map_or(0, |t| t.chars().count())
                        });
                        scan.problems.push(Problem::at(
                            &source,
                            at,
                            Span { start: at, end: at },
                            unreadable(e.message()),
                        ));
                        return scan;
                    }
                };
                let mut hits = structured(&rel, &value);
                if known || card_named {
                    let test = code::is_test_path(&rel);
                    hits.extend(client_secrets(&value, &hits, test));
                }
                for hit in hits {
                    let (at, label) = toml_locate(&source.text, &hit.pointer);
                    located.push((hit, at, label));
                }
            } else {
                let documents = match yaml::parse(&source, Limits::default()) {
                    Ok(documents) => documents,
                    // A generic name in a client's folder (`.vscode/settings.json`) is
                    // mostly other settings: one that does not parse fails closed when it
                    // holds the client's key (the client's JSON.parse may well accept what
                    // agentgate refuses: a duplicate key, a big integer, and run the server
                    // it declares), and is none of discovery's business otherwise.
                    Err(e) if known && clients::generic_name(&name) => {
                        let key = clients::by_place(&rel)
                            .map(|c| c.key().rsplit('/').next().unwrap_or_default())
                            .unwrap_or_default();
                        if !key.is_empty() && source.text.contains(key) {
                            scan.problems.push(Problem::at(
                                &source,
                                e.offset,
                                e.span,
                                format!(
                                    "{rel} mentions {key:?} but does not parse ({}), so agentgate cannot tell which MCP servers it declares; fix the file (its client may read it anyway)",
                                    e.message
                                ),
                            ));
                        }
                        // Its client may read it anyway: a key of a known shape in it is a
                        // committed secret.
                        scan.secrets(secret, &source, &agent, shaped_secrets(&source.text));
                        return scan;
                    }
                    Err(e) if known => {
                        scan.problems.push(Problem::at(
                            &source,
                            e.offset,
                            e.span,
                            unreadable(&e.message),
                        ));
                        return scan;
                    }
                    // Any other file naming a client's key that does not parse may still be
                    // read by its client (JSON.parse takes duplicate keys and big integers):
                    // fail closed rather than skip what could declare a server.
                    Err(e) if names_client_key(&source.text) => {
                        scan.problems.push(Problem::at(
                            &source,
                            e.offset,
                            e.span,
                            format!(
                                "{rel} mentions an MCP client's key (mcpServers, servers, context_servers, mcp_servers) but does not parse ({}), so agentgate cannot tell which MCP servers it declares; fix the file, or add it to `exclude` in .agentgate.yaml if it is not a configuration",
                                e.message
                            ),
                        ));
                        return scan;
                    }
                    // Not parsed, so not judged key by key; a key of a known shape in it
                    // still counts beside agent code, as its other secrets would.
                    Err(_) => {
                        if !is_tooling_file(&name) {
                            for (name, label, message) in shaped_secrets(&source.text) {
                                scan.pending.push((
                                    service_folder(ctx.root, path),
                                    Pending {
                                        source: source.clone(),
                                        at: label.start,
                                        label,
                                        agent: agent.clone(),
                                        pointer: format!("/{}", escape(&name)),
                                        message,
                                    },
                                ));
                            }
                        }
                        return scan;
                    }
                };
                for document in documents {
                    let mut hits = structured(&rel, &document.value);
                    if known || card_named {
                        let test = code::is_test_path(&rel);
                        hits.extend(client_secrets(&document.value, &hits, test));
                    }
                    // A plain configuration file (no MCP server, card or agent definition):
                    // its secrets count when agent code sits beside it (decided below).
                    if hits.is_empty() && !known && !card_named && !is_tooling_file(&name) {
                        for (pointer, message) in config_secrets(
                            &document.value,
                            code::is_test_path(&rel),
                            "a configuration file beside agent code",
                        ) {
                            let (at, label) = locate(&document.root, &pointer);
                            scan.pending.push((
                                service_folder(ctx.root, path),
                                Pending {
                                    source: source.clone(),
                                    at,
                                    label,
                                    agent: agent.clone(),
                                    pointer,
                                    message,
                                },
                            ));
                        }
                    }
                    for hit in hits {
                        let (at, label) = match &hit.place {
                            Some(p) => locate(&document.root, p),
                            None => locate(&document.root, &hit.pointer),
                        };
                        located.push((hit, at, label));
                    }
                }
            }
            for (hit, at, label) in located {
                let governor = ctx.governed_by(&rel, hit.subject.as_deref(), matchers);
                let agent = governor.and_then(|i| ctx.governors[i].name.map(str::to_string));
                let rule = match hit.rule {
                    Rule::Unregistered if governor.is_none() => &unregistered,
                    Rule::Unregistered => continue,
                    Rule::Secret => &secret,
                    Rule::Broad => &broad,
                    Rule::Unreadable => &unreadable_config,
                };
                if let Some(rule) = rule {
                    let finding = make(
                        rule,
                        &source,
                        at,
                        label,
                        agent,
                        hit.pointer,
                        hit.message,
                        hit.rule == Rule::Secret,
                    );
                    scan.found.push(if hit.rule == Rule::Unregistered {
                        let file = shell_word(&source.display);
                        with_command(finding, format!("agentgate init --from {file}"))
                    } else {
                        finding
                    });
                }
            }
        }
        FileKind::Env => {
            let found = env_secrets(&source.text, secrets::is_env_template(&name));
            scan.secrets(secret, &source, &agent, found);
        }
        FileKind::Code(language) => {
            let local_agents = matches!(language, Language::Python | Language::Notebook)
                && source.text.contains("agents")
                && code::local_agents_package(ctx.root, path);
            let scanned = if language == Language::Notebook {
                notebook_hit(&source, &rel, local_agents)
            } else {
                scan_code(&source, &rel, language, local_agents)
            };
            if !code::is_test_path(&rel) && code::imports_test_code(&source.text) {
                scan.test_code_used
                    .push(footprint_unit(ctx.root, path, &rel));
            }
            let Some(mut hit) = scanned else {
                return scan;
            };
            hit.test = code::is_test_path(&rel);
            let folder = footprint_unit(ctx.root, path, &rel);
            scan.agent_folders.push(service_folder(ctx.root, path));
            // A notebook's literals sit in JSON strings: its secrets are found by shape.
            let found = source_secrets(&source.text, code::is_test_path(&rel));
            scan.secrets(secret, &source, &agent, found);
            if governor.is_none() {
                scan.code.push((folder, hit));
            }
        }
        FileKind::Other => {}
    }
    scan
}

/// AG100, AG101 and AG102 for every footprint in the selected files, and a problem for each
/// MCP configuration or agent card that cannot be read: an agent hidden behind a syntax error
/// must not pass as no agent at all.
pub fn footprints(ctx: &Context) -> (Vec<Finding>, Vec<Problem>) {
    let matchers: Vec<(usize, Vec<Source>)> = ctx
        .governors
        .iter()
        .enumerate()
        .map(|(i, g)| {
            (
                i,
                g.sources.iter().filter_map(|s| Source::parse(s)).collect(),
            )
        })
        .collect();
    let rule = |id| ctx.registry.builtin_rule(id).cloned();
    let rules = DiscoveryRules {
        unregistered: rule(BuiltinRule::UnregisteredAgent),
        secret: rule(BuiltinRule::McpInlineSecret),
        broad: rule(BuiltinRule::McpBroadServer),
        unreadable_config: rule(BuiltinRule::AgentConfigUnreadable),
    };
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut code: BTreeMap<String, Vec<CodeHit>> = BTreeMap::new();
    // Service folders holding agent code (governed or not), and configuration-file secrets
    // waiting to learn whether agent code sits beside them.
    let mut agent_folders = std::collections::BTreeSet::new();
    let mut pending: Vec<(String, Pending)> = Vec::new();
    // Units whose code outside tests imports from a test folder: their test files are used.
    let mut test_code_used = std::collections::BTreeSet::new();
    let scans: Vec<FileScan> = ctx
        .files
        .par_iter()
        .map(|path| scan_file(ctx, path, &matchers, &rules))
        .collect();
    for scan in scans {
        found.extend(scan.found);
        problems.extend(scan.problems);
        for (folder, hit) in scan.code {
            code.entry(folder).or_default().push(hit);
        }
        agent_folders.extend(scan.agent_folders);
        pending.extend(scan.pending);
        test_code_used.extend(scan.test_code_used);
    }
    let DiscoveryRules {
        unregistered,
        secret,
        ..
    } = &rules;
    if let Some(rule) = secret {
        for (folder, p) in pending {
            if agent_folders.contains(&folder) {
                found.push(make(
                    rule, &p.source, p.at, p.label, p.agent, p.pointer, p.message, true,
                ));
            }
        }
    }
    if let Some(rule) = unregistered {
        for (folder, hits) in code {
            // Tests alone (mocks of an LLM client) are no agent; beside agent code they are
            // part of it.
            if hits.iter().all(|h| h.test) && !test_code_used.contains(&folder) {
                continue;
            }
            let first = hits.iter().find(|h| !h.test).unwrap_or(&hits[0]);
            let mut libraries: Vec<&str> = hits
                .iter()
                .flat_map(|h| h.libraries.iter().map(String::as_str))
                .collect();
            libraries.sort_unstable();
            libraries.dedup();
            let tools: usize = hits.iter().map(|h| h.tools).sum();
            let shown = if folder.is_empty() { "." } else { &folder };
            let mut message = format!(
                "agent code in {shown} that no manifest governs: imports {} in {} file{}",
                libraries.join(", "),
                hits.len(),
                if hits.len() == 1 { "" } else { "s" }
            );
            if tools > 0 {
                message.push_str(&format!(
                    " with {tools} tool definition{}",
                    if tools == 1 { "" } else { "s" }
                ));
            }
            let others: Vec<&str> = hits[1..].iter().map(|h| h.rel.as_str()).collect();
            if !others.is_empty() {
                message.push_str(&format!(" (also {})", others.join(", ")));
            }
            message.push_str("; add a manifest whose spec.sources covers it");
            let mut finding = make(
                rule,
                &first.source,
                first.at,
                first.label,
                None,
                String::new(),
                message,
                false,
            );
            // The unit's folder as the user can type it from where discover ran.
            let unit = ctx.root.join(&folder);
            let shown = crate::fs::display_path(&unit, ctx.cwd);
            let shown = if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            };
            let name = slug(
                folder
                    .rsplit('/')
                    .next()
                    .filter(|n| !n.is_empty())
                    .or_else(|| ctx.root.file_name().and_then(|n| n.to_str()))
                    .unwrap_or("agent"),
            );
            finding.also = hits[1..].iter().map(|h| h.source.path.clone()).collect();
            found.push(with_command(
                finding,
                format!("agentgate init {name} --source {}", shell_word(&shown)),
            ));
        }
    }
    (found, problems)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Language {
    Python,
    Script,
    Go,
    /// A Jupyter notebook: its code cells are Python.
    Notebook,
}

/// Text that names a key under which an MCP client lists its servers.
fn names_client_key(text: &str) -> bool {
    [
        "mcpServers",
        "\"servers\"",
        "context_servers",
        "mcp_servers",
    ]
    .iter()
    .any(|key| text.contains(key))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Structured,
    /// Codex's `config.toml`: the one TOML file discovery reads.
    Toml,
    Env,
    Code(Language),
    Other,
}

impl FileKind {
    fn of(rel: &str, name: &str) -> FileKind {
        let lower = name.to_ascii_lowercase();
        if lower == ".env"
            || lower.starts_with(".env.")
            || lower.starts_with(".env-")
            || lower.starts_with(".env_")
            || (lower.ends_with(".env") && !lower.contains(".env."))
        {
            return FileKind::Env;
        }
        if lower.ends_with("-lock.json")
            || lower.ends_with(".lock")
            || rel.contains("node_modules/")
        {
            return FileKind::Other;
        }
        let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
        match ext {
            "json" | "jsonc" | "yaml" | "yml" => FileKind::Structured,
            "toml" if clients::by_place(rel) == Some(clients::Client::Codex) => FileKind::Toml,
            "py" => FileKind::Code(Language::Python),
            "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts" => {
                if lower.ends_with(".d.ts") {
                    FileKind::Other
                } else {
                    FileKind::Code(Language::Script)
                }
            }
            "go" => FileKind::Code(Language::Go),
            "ipynb" => FileKind::Code(Language::Notebook),
            _ => FileKind::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Unregistered,
    /// AG105: a client's configuration whose servers cannot be read.
    Unreadable,
    Secret,
    Broad,
}

struct Hit {
    rule: Rule,
    /// The MCP server or agent card it belongs to (what `#NAME` in `spec.sources` names).
    subject: Option<String>,
    pointer: String,
    /// Where to point when not at `pointer` itself.
    place: Option<String>,
    message: String,
}

/// The literal secrets of an AI client's configuration outside its MCP servers (which
/// [`server_hits`] judges): its model providers' API keys (Codex `model_providers`, opencode
/// `provider`, Continue `models`, LibreChat `endpoints`). They count wherever the file is, not
/// only beside agent code: the client itself sends them.
fn client_secrets(value: &Value, hits: &[Hit], test: bool) -> Vec<Hit> {
    let judged = |pointer: &str| {
        hits.iter()
            // A server's hit covers the server, which `server_hits` judges; an agent card's
            // covers the whole document (its pointer is ""), whose other values it does not.
            .filter(|h| {
                h.rule == Rule::Secret || (h.rule == Rule::Unregistered && !h.pointer.is_empty())
            })
            .any(|h| {
                let inside = |outer: &str, inner: &str| {
                    inner == outer
                        || inner
                            .strip_prefix(outer)
                            .is_some_and(|rest| rest.starts_with('/'))
                };
                inside(&h.pointer, pointer) || inside(pointer, &h.pointer)
            })
    };
    let mut named = Vec::new();
    secrets::secret_names(value, "", &mut named);
    let secret_at = |pointer: &str| {
        hits.iter()
            .any(|h| h.rule == Rule::Secret && h.pointer == pointer)
    };
    config_secrets(value, test, "an AI client's configuration file")
        .into_iter()
        .filter(|(pointer, _)| !judged(pointer))
        // A name that is a key, wherever it is (a server's too): `server_hits` judges values.
        .chain(named.into_iter().filter(|(pointer, _)| !secret_at(pointer)))
        .map(|(pointer, message)| Hit {
            rule: Rule::Secret,
            subject: None,
            pointer,
            place: None,
            message,
        })
        .collect()
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Whether a JSON/YAML file outside the clients' places could hold a footprint or a secret:
/// a servers key of some client, an agent card's or agent definition's keys, a URL, a
/// secret-like name, or a marker of a known secret shape. Looser than what is reported, never
/// stricter: everything `structured` and `config_secrets` find needs one of these.
fn worth_parsing(text: &str) -> bool {
    const KEYS: [&str; 12] = [
        "mcp",
        "servers",
        "extensions",
        "skills",
        "model",
        "://",
        "Interfaces",
        "MCP",
        "Servers",
        "card",
        "Card",
        "agent",
    ];
    if KEYS.iter().any(|k| text.contains(k)) {
        return true;
    }
    let lower = text.to_ascii_lowercase();
    const SECRET_WORDS: [&str; 8] = [
        "token",
        "secret",
        "passw",
        "key",
        "auth",
        "credential",
        "private",
        "bearer",
    ];
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        || crate::secret_patterns::DETECTORS
            .iter()
            .flat_map(|d| d.markers.iter())
            .any(|m| text.contains(m))
}

/// A lowercase DNS label from a free-form name: what `metadata.name` requires.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.truncate(63);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "agent".into()
    } else {
        out
    }
}

/// A path as one shell word: quoted when it holds anything a shell would split or expand.
fn shell_word(path: &str) -> String {
    let plain = !path.is_empty()
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/+@%:,=".contains(c));
    if plain {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', "'\\''"))
    }
}

/// AG100's help for one footprint: the command that drafts its manifest, then the rule's own.
fn with_command(mut finding: Finding, command: String) -> Finding {
    finding.help = format!("Run `{command}` to draft its manifest. {}", finding.help);
    finding
}

/// What agent code below some paths uses, for `agentgate init NAME --source PATH`: the agent
/// and LLM libraries it imports and the tools it defines (by name where the code names them).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CodeSummary {
    pub libraries: Vec<String>,
    pub tools: Vec<String>,
    pub unnamed_tools: usize,
}

/// The [`CodeSummary`] of the code files at or below `paths` (absolute) in the repository.
pub fn code_summary(root: &Path, paths: &[PathBuf], max_file_size: u64) -> CodeSummary {
    let mut summary = CodeSummary::default();
    let exclude = globset::GlobSet::empty();
    for file in crate::discover::all_files(root, &exclude) {
        if !paths.iter().any(|p| file.starts_with(p)) {
            continue;
        }
        let rel = relative(root, &file);
        let name = rel.rsplit('/').next().unwrap_or_default();
        let FileKind::Code(language) = FileKind::of(&rel, name) else {
            continue;
        };
        let Ok(text) = crate::fs::read_text_lossy(&file, max_file_size) else {
            continue;
        };
        let source = Arc::new(SourceFile::new(
            file.clone(),
            rel.clone(),
            without_bom(text),
        ));
        let local_agents = code::local_agents_package(root, &file);
        let hit = if language == Language::Notebook {
            notebook_hit(&source, &rel, local_agents)
        } else {
            scan_code(&source, &rel, language, local_agents)
        };
        let Some(hit) = hit else { continue };
        for library in hit.libraries {
            if !summary.libraries.contains(&library) {
                summary.libraries.push(library);
            }
        }
        for tool in &hit.tool_names {
            if !summary.tools.contains(tool) {
                summary.tools.push(tool.clone());
            }
        }
        summary.unnamed_tools += hit.tools.saturating_sub(hit.tool_names.len());
    }
    summary.libraries.sort();
    summary
}

/// Text with a leading byte-order mark (which editors on Windows write, and every client
/// skips) as a space: the readers refuse or misread it, and a space keeps every position.
pub(crate) fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => format!(" {rest}"),
        None => text,
    }
}

/// A TOML file (Codex's `config.toml`), read with a TOML reader.
pub(crate) fn is_toml_config(rel: &str) -> bool {
    rel.to_ascii_lowercase().ends_with(".toml")
}

/// The MCP servers of a parsed client configuration, each as its name, its JSON pointer in
/// the file, its client and its command line or URL in the common shape (`init --from`).
pub(crate) fn mcp_servers(rel: &str, value: &Value) -> Vec<(String, String, &'static str, Value)> {
    let Value::Object(top) = value else {
        return Vec::new();
    };
    clients::all(rel, top)
        .into_iter()
        .flat_map(|found| {
            let client = found.client.name();
            found
                .servers
                .into_iter()
                .map(move |(name, pointer, n)| (name, pointer, client, n.config))
        })
        .collect()
}

/// A JSON file, read as its editors read it (JSONC: comments and trailing commas).
pub(crate) fn is_json_name(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".json") || lower.ends_with(".jsonc")
}

/// Where a JSON pointer of a Codex `config.toml` points: the line of the deepest key found,
/// within its `[table]` (`/mcp_servers/github/env/TOKEN` is `TOKEN = …` under
/// `[mcp_servers.github.env]` or `[mcp_servers.github]`).
fn toml_locate(text: &str, pointer: &str) -> (usize, Span) {
    let segments: Vec<String> = pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let bare = |s: &str| s.trim().trim_matches('"').trim_matches('\'').to_string();
    let mut best: Option<(usize, usize, usize)> = None; // (depth, char offset, line length)
    let mut table: Vec<String> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let indent = line.chars().count() - trimmed.chars().count();
        let here = (start + indent, trimmed.chars().count());
        if let Some(header) = trimmed.strip_prefix('[') {
            let header = header.trim_start_matches('[');
            let end = header.find(']').unwrap_or(header.len());
            table = header[..end].split('.').map(bare).collect();
        } else if let Some((key, _)) = trimmed.split_once('=') {
            let mut path = table.clone();
            path.extend(key.split('.').map(bare));
            let depth = path
                .iter()
                .zip(&segments)
                .take_while(|(a, b)| a == b)
                .count();
            if depth == path.len() && best.is_none_or(|b| depth > b.0) {
                best = Some((depth, here.0, here.1));
            }
            continue;
        } else {
            continue;
        }
        let depth = table
            .iter()
            .zip(&segments)
            .take_while(|(a, b)| a == b)
            .count();
        if depth == table.len() && best.is_none_or(|b| depth > b.0) {
            best = Some((depth, here.0, here.1));
        }
    }
    let (at, len) = best.map_or((0, 0), |(_, at, len)| (at, len));
    (
        at,
        Span {
            start: at,
            end: at + len,
        },
    )
}

/// Whether a file is over the size limit (so it was not read for that reason).
fn oversized(path: &Path, max_file_size: u64) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() > max_file_size)
}

fn is_well_known_card(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".well-known/agent-card.json") || lower.ends_with(".well-known/agent.json")
}

fn unreadable(reason: &str) -> String {
    format!(
        "cannot read this MCP configuration or agent card ({reason}), so the agents it declares cannot be checked; fix the file"
    )
}

/// JSON, and JSONC as VS Code writes `mcp.json`, as the YAML reader takes it, with every other
/// character kept where it was (spans count characters): comments and trailing commas become
/// spaces, which YAML would otherwise read as text or refuse, so a commented configuration is
/// read as its editor reads it. A UTF-16 surrogate-pair escape (`\ud83d\ude00`), which YAML
/// refuses, becomes YAML's 8-digit escape of the same character (`\U0001f600`); columns after
/// it on that line shift by two.
pub(crate) fn json_for_yaml(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            if c == '\\' {
                if let Some(code) = surrogate_pair(&chars[i..]) {
                    out.push_str(&format!("\\U{code:08x}"));
                    i += 12;
                    continue;
                }
                out.extend(&chars[i..(i + 2).min(chars.len())]);
                i += 2;
                continue;
            }
            in_string = c != '"';
            // JSON strings may hold raw NEL, LS and PS; the YAML reader refuses them raw (a YAML
            // 1.1 reader breaks lines there), so they go in as the escapes meaning the same.
            match c {
                '\u{85}' | '\u{2028}' | '\u{2029}' => {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                }
                _ => out.push(c),
            }
            i += 1;
            continue;
        }
        let comment = comment_len(&chars[i..]);
        if comment > 0 {
            blank(&mut out, &chars[i..i + comment]);
            i += comment;
            continue;
        }
        let trailing_comma =
            c == ',' && matches!(next_significant(&chars[i + 1..]), Some('}' | ']'));
        in_string = c == '"';
        out.push(if trailing_comma { ' ' } else { c });
        i += 1;
    }
    out
}

/// The length of a `//` or `/* */` comment starting here, or 0.
fn comment_len(chars: &[char]) -> usize {
    match chars {
        ['/', '/', rest @ ..] => 2 + rest.iter().take_while(|&&c| c != '\n').count(),
        ['/', '*', rest @ ..] => {
            let body = rest.windows(2).position(|w| w == ['*', '/']);
            body.map_or(chars.len(), |p| 2 + p + 2)
        }
        _ => 0,
    }
}

/// Comment text as spaces, line breaks kept so that lines stay where they are.
fn blank(out: &mut String, chars: &[char]) {
    out.extend(
        chars
            .iter()
            .map(|&c| if c == '\n' || c == '\r' { c } else { ' ' }),
    );
}

/// The next character that is not white space or inside a comment.
fn next_significant(chars: &[char]) -> Option<char> {
    let mut i = 0;
    while i < chars.len() {
        let comment = comment_len(&chars[i..]);
        if comment > 0 {
            i += comment;
        } else if chars[i].is_whitespace() {
            i += 1;
        } else {
            return Some(chars[i]);
        }
    }
    None
}

/// The character a `\uD8xx\uDCxx` escape pair stands for.
fn surrogate_pair(chars: &[char]) -> Option<u32> {
    let hex = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits: String = chars.get(range)?.iter().collect();
        u32::from_str_radix(&digits, 16).ok()
    };
    let escapes = chars.get(..2)? == ['\\', 'u'] && chars.get(6..8)? == ['\\', 'u'];
    match (escapes, hex(2..6)?, hex(8..12)?) {
        (true, high @ 0xd800..=0xdbff, low @ 0xdc00..=0xdfff) => {
            Some(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))
        }
        _ => None,
    }
}

/// Whether a file is an MCP client's configuration by its place (name and folder).
pub(crate) fn is_known_mcp_file(rel: &str, _name: &str) -> bool {
    clients::by_place(rel).is_some()
}

/// Footprints and findings in one JSON/YAML document.
fn structured(rel: &str, value: &Value) -> Vec<Hit> {
    let mut hits = Vec::new();
    let Value::Object(top) = value else {
        return hits;
    };
    for found in clients::all(rel, top) {
        let client = found.client.name();
        if let Some((pointer, what)) = &found.unreadable {
            hits.push(Hit {
                rule: Rule::Unreadable,
                subject: None,
                pointer: pointer.clone(),
                place: None,
                message: format!(
                    "{rel} is a {client} configuration whose {} is {what}, not the map of servers {client} reads, so agentgate cannot tell which MCP servers it declares; write it as {client} documents it",
                    pointer.trim_start_matches('/').replace('/', ".")
                ),
            });
        }
        for (server, pointer, n) in &found.servers {
            server_hits(rel, client, server, pointer, n, &mut hits);
        }
    }
    if is_agent_card(rel, top) {
        let card = top.get("name").and_then(Value::as_str).unwrap_or("?");
        let skills = top
            .get("skills")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        hits.push(Hit {
            rule: Rule::Unregistered,
            subject: Some(card.to_string()),
            pointer: String::new(),
            place: Some("/name".into()),
            message: format!(
                "A2A agent card {card:?} ({skills} skill{}) that no manifest governs; add a manifest whose spec.sources covers {rel}",
                if skills == 1 { "" } else { "s" }
            ),
        });
    }
    if let Some((model, tools)) = agent_definition(top) {
        let agent = top.get("name").and_then(Value::as_str);
        let shown = agent.map_or_else(String::new, |a| format!(" {a:?}"));
        hits.push(Hit {
            rule: Rule::Unregistered,
            subject: agent.map(str::to_string),
            pointer: String::new(),
            place: Some("/model".into()),
            message: format!(
                "agent definition{shown} (model {model:?}, {tools} tool{}) that no manifest governs; add a manifest whose spec.sources covers {rel}",
                if tools == 1 { "" } else { "s" }
            ),
        });
    }
    hits
}

/// AG100, AG101 and AG102 for one MCP server of a client configuration.
fn server_hits(
    rel: &str,
    client: &str,
    server: &str,
    pointer: &str,
    n: &clients::Normalised,
    hits: &mut Vec<Hit>,
) {
    let config = &n.config;
    // Names the file chose are shown as any other text a message quotes: redacted when they
    // look like a secret (a key name can hold a token; its lowercased form in the suggestion
    // once showed one to the output's own scrubber unrecognised).
    let shown_server = secrets::shown_name(server);
    let disabled = if n.disabled {
        " (disabled in the file, but one edit away from running)"
    } else {
        ""
    };
    let described = if config.get("extension").is_some() {
        "provided by an extension".to_string()
    } else if config.get("builtin").and_then(Value::as_bool) == Some(true) {
        "built in".to_string()
    } else {
        describe_server(config)
    };
    hits.push(Hit {
        rule: Rule::Unregistered,
        subject: Some(server.to_string()),
        pointer: pointer.to_string(),
        place: None,
        message: format!(
            "MCP server {shown_server:?} ({}{described}){disabled} that no manifest governs; add a manifest whose spec.sources covers {rel}",
            if client == "MCP" { String::new() } else { format!("{client}, ") }
        ),
    });
    for (section, at) in [("env", &n.env_at), ("headers", &n.headers_at)] {
        let Some(Value::Object(entries)) = config.get(section) else {
            continue;
        };
        for (variable, v) in entries {
            let Some(text) = v.as_str() else { continue };
            if let Some(kind) = literal_secret(variable, text) {
                let shown = secrets::shown_name(variable);
                let place = if at.is_empty() {
                    // Codex's `bearer_token`: the token is the value itself.
                    format!("{pointer}/bearer_token")
                } else {
                    format!("{pointer}{at}/{}", escape(variable))
                };
                hits.push(Hit {
                    rule: Rule::Secret,
                    subject: Some(server.to_string()),
                    pointer: place,
                    place: None,
                    message: format!(
                        "MCP server {shown_server:?} has a literal {kind} in {section}.{shown} ({}); reference it instead, e.g. ${{input:{}}} or ${{{shown}}}",
                        match text.split_once(' ') {
                            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") =>
                                format!("{scheme} {}", redacted(token.trim())),
                            _ => redacted(text),
                        },
                        shown.to_ascii_lowercase().replace('_', "-")
                    ),
                });
            }
        }
    }
    // A URL with a credential in it (user information, `?api_key=…`), and an argument that
    // is or carries one (`--api-key sk-…`).
    if let Some(url) = config.get("url").and_then(Value::as_str) {
        if let Some(kind) = url_secret(url) {
            hits.push(Hit {
                rule: Rule::Secret,
                subject: Some(server.to_string()),
                pointer: format!("{pointer}{}", n.url_at),
                place: None,
                message: format!(
                    "MCP server {shown_server:?} has a literal {kind} in its url ({}); pass it in a header that references it instead, e.g. ${{input:token}}",
                    clean_url(url)
                ),
            });
        }
    }
    if let Some(Value::Array(args)) = config.get("args") {
        let texts: Vec<&str> = args
            .iter()
            .map(|a| a.as_str().unwrap_or_default())
            .collect();
        let shown = redact_arguments(&texts);
        for (i, (arg, shown)) in texts.iter().zip(&shown).enumerate() {
            let url = arg.contains("://") && !arg.contains(char::is_whitespace);
            let secret = if url {
                url_secret(arg).is_some()
            } else {
                shown != arg && literal_argument(arg)
            };
            if secret && !arg.is_empty() {
                hits.push(Hit {
                    rule: Rule::Secret,
                    subject: Some(server.to_string()),
                    pointer: format!("{pointer}{}/{}", n.args_at, i + n.args_offset),
                    place: None,
                    message: format!(
                        "MCP server {shown_server:?} has a literal credential in args[{i}] ({}); reference it instead, e.g. ${{input:token}}",
                        if url { clean_url(arg) } else { redacted(arg) }
                    ),
                });
            }
        }
    }
    // The command string itself, split as a shell splits it (`TOKEN=ghp_… npx`): each word
    // is judged as an argument is.
    if let Some(command) = config.get("command").and_then(Value::as_str) {
        let words: Vec<&str> = command.split_whitespace().collect();
        let shown = redact_arguments(&words);
        let secret = words.iter().zip(&shown).any(|(word, shown)| {
            if word.contains("://") {
                url_secret(word).is_some()
            } else {
                shown != word && literal_argument(word)
            }
        });
        if secret {
            hits.push(Hit {
                rule: Rule::Secret,
                subject: Some(server.to_string()),
                pointer: format!("{pointer}{}", n.command_at),
                place: None,
                message: format!(
                    "MCP server {shown_server:?} has a literal credential in its command ({}); pass it in env referencing it instead, e.g. ${{input:token}}",
                    shown.join(" ")
                ),
            });
        }
    }
    if let Some((index, arg, what)) = broad_server(config) {
        let place = match index {
            Some(i) => format!("{pointer}{}/{}", n.args_at, i + n.args_offset),
            None => format!("{pointer}{}", n.command_at),
        };
        hits.push(Hit {
            rule: Rule::Broad,
            subject: Some(server.to_string()),
            pointer: place,
            place: None,
            message: format!(
                "MCP server {shown_server:?} is a {what} server given {arg:?}: it can reach every file of the machine or the user; give it only the project folder it needs"
            ),
        });
    }
}

/// A document that defines an agent the way Azure AI Foundry, the OpenAI Assistants API and
/// similar declarative formats do: a top-level `model` (a name, or a mapping with `id` or
/// `name`) plus non-empty `instructions` or `tools`. Returns the model and the tool count.
fn agent_definition(top: &serde_json::Map<String, Value>) -> Option<(String, usize)> {
    let model = match top.get("model")? {
        Value::String(name) => name.clone(),
        Value::Object(model) => ["id", "name", "deployment"]
            .iter()
            .find_map(|key| model.get(*key).and_then(Value::as_str))?
            .to_string(),
        _ => return None,
    };
    if model.trim().is_empty() {
        return None;
    }
    let instructions = top
        .get("instructions")
        .and_then(Value::as_str)
        .is_some_and(|text| !text.trim().is_empty());
    let tools = top
        .get("tools")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    (instructions || tools > 0).then_some((model, tools))
}

/// Whether a document is an A2A agent card: anything named at a well-known place
/// (`.well-known/agent-card.json`, `.well-known/agent.json`); a file named like a card
/// (`agent-card.json`, `agent_card.json`, `agentcard.json`) with a name and skills or
/// capabilities; or any JSON of the card's shape, 0.x (`url`, `protocolVersion`) or 1.0
/// (`supportedInterfaces`): a name, skills, and capabilities or security schemes.
pub(crate) fn is_agent_card(rel: &str, top: &serde_json::Map<String, Value>) -> bool {
    let lower = rel.to_ascii_lowercase();
    let well_known =
        lower.ends_with(".well-known/agent-card.json") || lower.ends_with(".well-known/agent.json");
    let file = lower.rsplit('/').next().unwrap_or_default();
    let card_name = matches!(
        file,
        "agent-card.json" | "agent_card.json" | "agentcard.json" | "agent-card.jsonc"
    );
    let named = top.get("name").is_some_and(Value::is_string);
    let skills = top.get("skills").is_some_and(Value::is_array);
    let capabilities = top.get("capabilities").is_some_and(Value::is_object);
    let interfaces = top.get("supportedInterfaces").is_some_and(Value::is_array)
        || top.get("additionalInterfaces").is_some_and(Value::is_array);
    let shaped = named
        && skills
        && (capabilities || top.contains_key("securitySchemes"))
        && (top.get("url").is_some_and(Value::is_string)
            || top.contains_key("protocolVersion")
            || interfaces);
    (well_known && named) || (card_name && named && (skills || capabilities)) || shaped
}

/// The URL an agent card serves at: `url` (A2A 0.x) or the first of `supportedInterfaces`
/// (A2A 1.0).
pub(crate) fn card_url(top: &serde_json::Map<String, Value>) -> Option<String> {
    top.get("url")
        .and_then(Value::as_str)
        .or_else(|| {
            ["supportedInterfaces", "additionalInterfaces"]
                .iter()
                .filter_map(|k| top.get(*k).and_then(Value::as_array))
                .flatten()
                .find_map(|i| i.get("url").and_then(Value::as_str))
        })
        .map(str::to_string)
}

/// A shell or filesystem MCP server and the argument that opens the root or a home folder.
fn broad_server(config: &Value) -> Option<(Option<usize>, String, &'static str)> {
    let command = config.get("command").and_then(Value::as_str)?;
    let args: Vec<&str> = config
        .get("args")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let words: Vec<String> = std::iter::once(command)
        .chain(args.iter().copied())
        .map(str::to_ascii_lowercase)
        .collect();
    let what = if words.iter().any(|w| w.contains("filesystem")) {
        "filesystem"
    } else if words.iter().any(|w| {
        w.contains("server-shell")
            || w.contains("mcp-shell")
            || w.contains("shell-server")
            || w.contains("desktop-commander")
            || w.contains("terminal")
    }) || matches!(
        command.rsplit('/').next().unwrap_or(command),
        "bash" | "sh" | "zsh" | "powershell" | "pwsh" | "cmd" | "cmd.exe"
    ) {
        "shell"
    } else {
        return None;
    };
    args.iter()
        .position(|a| is_broad_path(a))
        .map(|i| (Some(i), args[i].to_string(), what))
}

fn is_broad_path(arg: &str) -> bool {
    let arg = arg.trim();
    // Home folders written as variables (VS Code's `${userHome}`, `${env:HOME}`, Windows').
    let lower = arg.to_ascii_lowercase();
    for home in [
        "~",
        "$home",
        "${home}",
        "${userhome}",
        "${env:home}",
        "${env:userprofile}",
        "%userprofile%",
        "%homepath%",
        "$env:userprofile",
    ] {
        if let Some(rest) = lower.strip_prefix(home) {
            if normalized_path(rest).is_empty() {
                return true;
            }
        }
    }
    // The same folder however it is written: `file://`, Windows' `\\?\` prefix, either
    // separator, `//`, `.` and `..` resolved (`/home/bob/../..` is `/`).
    let path = lower
        .strip_prefix("file://")
        .unwrap_or(&lower)
        .trim_start_matches("\\\\?\\")
        .replace('\\', "/");
    let mut chars = path.chars();
    let drive = match (chars.next(), chars.next()) {
        (Some(letter), Some(':')) if letter.is_ascii_alphabetic() => Some(chars.as_str()),
        // `file:///C:/…`, and WSL's view of a Windows drive (`/mnt/c/…`).
        (Some('/'), Some(letter)) if letter.is_ascii_alphabetic() && path[2..].starts_with(':') => {
            Some(&path[3..])
        }
        _ => path
            .strip_prefix("/mnt/")
            .filter(|rest| {
                let mut c = rest.chars();
                c.next().is_some_and(|l| l.is_ascii_alphabetic())
                    && matches!(c.next(), None | Some('/'))
            })
            .map(|rest| &rest[1..]),
    };
    let parts = normalized_path(drive.unwrap_or(&path));
    if drive.is_some() {
        // A drive's root, `Users`, or one user's home.
        return parts.is_empty() || (parts[0] == "users" && parts.len() <= 2);
    }
    if !path.starts_with('/') {
        return false;
    }
    matches!(
        parts.as_slice(),
        [] | ["root" | "home" | "users"] | ["home" | "users", _]
    )
}

/// A path's folders with `.`, `..` and empty parts resolved lexically (no file system).
fn normalized_path(path: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_jsonc_are_read_as_their_editors_read_them() {
        assert_eq!(
            json_for_yaml(r#"{"a": "\ud83d\ude00 \\ud83d \u00e9 ü"}"#),
            r#"{"a": "\U0001f600 \\ud83d \u00e9 ü"}"#
        );
        // A backslash before a multi-byte character is no surrogate pair, and no panic.
        assert_eq!(
            json_for_yaml(r#"{"p": "C:\Jos\é\x"}"#),
            r#"{"p": "C:\Jos\é\x"}"#
        );
        let jsonc =
            "{ // servers\n  \"servers\": {\"a\": {\"url\": \"http://x/*y*/\"},}, /* end */\n}";
        let plain = json_for_yaml(jsonc);
        assert_eq!(plain.chars().count(), jsonc.chars().count());
        assert_eq!(plain.lines().count(), jsonc.lines().count());
        let source = SourceFile::new("a.json".into(), "a.json".into(), plain);
        let documents = yaml::parse(&source, Limits::default()).unwrap();
        assert_eq!(
            documents[0].value,
            serde_json::json!({"servers": {"a": {"url": "http://x/*y*/"}}})
        );
        let emoji = json_for_yaml(r#"{"name": "bot \ud83e\udd16"}"#);
        let source = SourceFile::new("a.json".into(), "a.json".into(), emoji);
        let documents = yaml::parse(&source, Limits::default()).unwrap();
        assert_eq!(documents[0].value["name"], "bot 🤖");
    }

    #[test]
    fn broad_paths() {
        for path in [
            "/",
            "~",
            "~/",
            "$HOME",
            "/home/alice",
            "/Users/bob/",
            "C:\\Users\\eve",
            "/root",
            "C:/Users/berka/",
            "c:/users/berka",
            "D:/",
            "D:\\",
            "e:",
            "C:\\Users",
            "/.",
            "/home/bob/../..",
            "C:/Users/bob/..",
            "C:/Users//bob",
            "\\\\?\\C:\\",
            "/mnt/c/Users/bob",
            "file:///C:/Users/bob",
            "file:///home/bob",
            "${userHome}",
            "${env:USERPROFILE}",
            "~/.",
            "/Users/bob/./",
        ] {
            assert!(is_broad_path(path), "{path}");
        }
        for path in [
            "/home/alice/project",
            "./data",
            "/srv/app",
            ".",
            "C:/Users/berka/Project/app",
            "D:\\work\\repo",
            "https://x",
            "/home/bob/project/../other",
            "${userHome}/project",
            "~/code",
            "/mnt/data/files",
            "/srv/../srv/app",
        ] {
            assert!(!is_broad_path(path), "{path}");
        }
    }
}
