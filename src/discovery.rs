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
use serde_json::Value;

use crate::finding::{Finding, Place, Problem};
use crate::pack::{Registry, RuleMeta};
use crate::source::{SourceFile, Span};
use crate::yaml::{self, locate, Limits};

pub const UNREGISTERED_RULE: &str = "AG100";
pub const MCP_SECRET_RULE: &str = "AG101";
pub const MCP_BROAD_RULE: &str = "AG102";
pub const SOURCE_MISSING_RULE: &str = "AG103";
/// The rules `agentgate discover` reports.
pub const RULES: [&str; 4] = [
    UNREGISTERED_RULE,
    MCP_SECRET_RULE,
    MCP_BROAD_RULE,
    SOURCE_MISSING_RULE,
];

/// A manifest as discovery sees it: its file, parsed tree, name and `spec.sources`.
pub struct Governor<'a> {
    pub source: &'a Arc<SourceFile>,
    pub root: &'a yaml::Node,
    pub name: Option<&'a str>,
    pub sources: Vec<String>,
    /// Whether findings on this manifest itself (AG103) are reported.
    pub selected: bool,
}

impl<'a> Governor<'a> {
    pub fn new(
        source: &'a Arc<SourceFile>,
        root: &'a yaml::Node,
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
        }
    }
}

/// Every file under `root` (`.gitignore` honoured, `.git` skipped, `exclude` left out), sorted.
pub fn all_files(root: &Path, exclude: &globset::GlobSet) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| !exclude.is_match(path.strip_prefix(root).unwrap_or(path)))
        .collect();
    files.sort();
    files
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
}

impl Context<'_> {
    fn governed_by(&self, rel: &str, matchers: &[(usize, Vec<GlobMatcher>)]) -> Option<usize> {
        matchers
            .iter()
            .find(|(_, globs)| globs.iter().any(|m| covers(m, rel)))
            .map(|(i, _)| *i)
    }
}

/// AG103 on the selected manifests and, when `footprints` gives the selected paths, AG100 to
/// AG102 on the files below them.
pub fn run(
    root: &Path,
    cwd: &Path,
    exclude: &globset::GlobSet,
    governors: &[Governor],
    registry: &Registry,
    max_file_size: u64,
    footprints: Option<&[PathBuf]>,
) -> (Vec<Finding>, Vec<Problem>) {
    let needs_sources = governors
        .iter()
        .any(|g| g.selected && !g.sources.is_empty());
    if footprints.is_none() && !needs_sources {
        return (Vec::new(), Vec::new());
    }
    let files = all_files(root, exclude);
    let ctx = Context {
        root,
        cwd,
        files: &files,
        governors,
        registry,
        max_file_size,
        selected: footprints.unwrap_or_default(),
    };
    let mut found = missing_sources(&ctx);
    let mut problems = Vec::new();
    if footprints.is_some() {
        let (more, unreadable) = self::footprints(&ctx);
        found.extend(more);
        problems = unreadable;
    }
    (found, problems)
}

/// AG103: each `spec.sources` glob of a selected manifest that covers no file in the repository.
pub fn missing_sources(ctx: &Context) -> Vec<Finding> {
    let Some(rule) = ctx.registry.rules.get(SOURCE_MISSING_RULE) else {
        return Vec::new();
    };
    let rels: Vec<String> = ctx.files.iter().map(|f| relative(ctx.root, f)).collect();
    let mut found = Vec::new();
    for governor in ctx.governors.iter().filter(|g| g.selected) {
        for (i, glob) in governor.sources.iter().enumerate() {
            let message = match matcher(glob) {
                None => format!("{glob:?} is not a valid glob, so it governs nothing"),
                Some(m) if !rels.iter().any(|r| covers(&m, r)) => format!(
                    "sources glob {glob:?} matches no file in the repository: the code it governed is gone or moved"
                ),
                Some(_) => continue,
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

/// A code footprint: a file importing agent or LLM libraries.
struct CodeHit {
    source: Arc<SourceFile>,
    rel: String,
    /// Character offset and span of the first import.
    at: usize,
    label: Span,
    libraries: Vec<String>,
    tools: usize,
}

/// AG100, AG101 and AG102 for every footprint in the selected files, and a problem for each
/// MCP configuration or agent card that cannot be read: an agent hidden behind a syntax error
/// must not pass as no agent at all.
pub fn footprints(ctx: &Context) -> (Vec<Finding>, Vec<Problem>) {
    let matchers: Vec<(usize, Vec<GlobMatcher>)> = ctx
        .governors
        .iter()
        .enumerate()
        .map(|(i, g)| (i, g.sources.iter().filter_map(|s| matcher(s)).collect()))
        .collect();
    let rule = |id: &str| ctx.registry.rules.get(id).cloned();
    let (unregistered, secret, broad) = (
        rule(UNREGISTERED_RULE),
        rule(MCP_SECRET_RULE),
        rule(MCP_BROAD_RULE),
    );
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let mut code: BTreeMap<String, Vec<CodeHit>> = BTreeMap::new();
    for path in ctx.files {
        if !ctx.selected.iter().any(|s| path.starts_with(s)) {
            continue;
        }
        let rel = relative(ctx.root, path);
        let name = rel.rsplit('/').next().unwrap_or_default().to_string();
        if crate::discover::is_manifest_place(Path::new(&rel)) || name == crate::config::FILE_NAME {
            continue;
        }
        let kind = FileKind::of(&rel, &name);
        if kind == FileKind::Other {
            continue;
        }
        let display = crate::discover::display_path(path, ctx.cwd);
        let known = is_known_mcp_file(&rel, &name) || is_well_known_card(&rel);
        let text = match crate::discover::read_text(path, ctx.max_file_size) {
            Ok(text) => text,
            Err(e) if known => {
                problems.push(Problem::whole(display, unreadable(&e.message)));
                continue;
            }
            Err(_) => continue,
        };
        let source = Arc::new(SourceFile::new(path.clone(), display, yaml_readable(text)));
        let governor = ctx.governed_by(&rel, &matchers);
        let agent = governor.and_then(|i| ctx.governors[i].name.map(str::to_string));
        match kind {
            FileKind::Structured => {
                let documents = match yaml::parse(&source, Limits::default()) {
                    Ok(documents) => documents,
                    Err(e) if known => {
                        problems.push(Problem::at(
                            &source,
                            e.offset,
                            e.span,
                            unreadable(&e.message),
                        ));
                        continue;
                    }
                    Err(_) => continue,
                };
                for document in documents {
                    for hit in structured(&rel, &document.value) {
                        let (at, label) = match &hit.place {
                            Some(p) => locate(&document.root, p),
                            None => locate(&document.root, &hit.pointer),
                        };
                        let rule = match hit.rule {
                            Rule::Unregistered if governor.is_none() => &unregistered,
                            Rule::Unregistered => continue,
                            Rule::Secret => &secret,
                            Rule::Broad => &broad,
                        };
                        if let Some(rule) = rule {
                            found.push(make(
                                rule,
                                &source,
                                at,
                                label,
                                agent.clone(),
                                hit.pointer,
                                hit.message,
                                hit.rule == Rule::Secret,
                            ));
                        }
                    }
                }
            }
            FileKind::Env => {
                for (variable, value_span, message) in env_secrets(&source.text) {
                    if let Some(rule) = &secret {
                        found.push(make(
                            rule,
                            &source,
                            value_span.start,
                            value_span,
                            agent.clone(),
                            format!("/{}", variable.replace('~', "~0").replace('/', "~1")),
                            message,
                            true,
                        ));
                    }
                }
            }
            FileKind::Code(language) => {
                if governor.is_some() {
                    continue;
                }
                if let Some(hit) = scan_code(&source, &rel, language) {
                    code.entry(service_folder(ctx.root, path))
                        .or_default()
                        .push(hit);
                }
            }
            FileKind::Other => {}
        }
    }
    if let Some(rule) = &unregistered {
        for (folder, hits) in code {
            let first = &hits[0];
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
            found.push(make(
                rule,
                &first.source,
                first.at,
                first.label,
                None,
                String::new(),
                message,
                false,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Structured,
    Env,
    Code(Language),
    Other,
}

impl FileKind {
    fn of(rel: &str, name: &str) -> FileKind {
        let lower = name.to_ascii_lowercase();
        if lower == ".env" || lower.starts_with(".env.") {
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
            "json" | "yaml" | "yml" => FileKind::Structured,
            "py" => FileKind::Code(Language::Python),
            "ts" | "tsx" | "js" | "jsx" | "mjs" | "cjs" | "mts" | "cts" => {
                if lower.ends_with(".d.ts") {
                    FileKind::Other
                } else {
                    FileKind::Code(Language::Script)
                }
            }
            "go" => FileKind::Code(Language::Go),
            _ => FileKind::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Unregistered,
    Secret,
    Broad,
}

struct Hit {
    rule: Rule,
    pointer: String,
    /// Where to point when not at `pointer` itself.
    place: Option<String>,
    message: String,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn is_well_known_card(rel: &str) -> bool {
    rel.ends_with(".well-known/agent-card.json") || rel.ends_with(".well-known/agent.json")
}

fn unreadable(reason: &str) -> String {
    format!(
        "cannot read this MCP configuration or agent card ({reason}), so the agents it declares cannot be checked; fix the file"
    )
}

/// JSON text as the YAML reader takes it. JSON escapes a character beyond the BMP as a UTF-16
/// surrogate pair (`\ud83d\ude00`), which YAML refuses; each pair becomes YAML's 8-digit escape
/// of the same character (`\U0001f600`). Columns after it on that line shift by two.
fn yaml_readable(text: String) -> String {
    if !text.contains("\\u") && !text.contains("\\U") {
        return text;
    }
    let surrogate = |hex: &str| u32::from_str_radix(hex, 16).ok();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let pair = (tail.len() >= 12 && (tail.is_char_boundary(12))).then(|| {
            (
                &tail[1..2],
                surrogate(&tail[2..6]),
                &tail[6..8],
                surrogate(&tail[8..12]),
            )
        });
        match pair {
            Some(("u", Some(high @ 0xd800..=0xdbff), "\\u", Some(low @ 0xdc00..=0xdfff))) => {
                let code = 0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00);
                out.push_str(&format!("\\U{code:08x}"));
                rest = &tail[12..];
            }
            _ => {
                // Any other escape, including an escaped backslash, passes through whole.
                let len = tail[1..].chars().next().map_or(1, |c| 1 + c.len_utf8());
                out.push_str(&tail[..len]);
                rest = &tail[len..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn is_known_mcp_file(rel: &str, name: &str) -> bool {
    name == ".mcp.json"
        || name == "claude_desktop_config.json"
        || rel.ends_with(".vscode/mcp.json")
        || rel.ends_with(".cursor/mcp.json")
        || rel == "mcp.json"
}

/// Whether an entry of a `servers`/`mcpServers` map is an MCP server.
pub(crate) fn is_mcp_server(value: &Value, lenient: bool) -> bool {
    let Value::Object(map) = value else {
        return false;
    };
    let command = map.get("command").is_some_and(Value::is_string);
    let url = map.get("url").is_some_and(Value::is_string);
    let typed = map.get("type").and_then(Value::as_str).is_some_and(|t| {
        matches!(
            t,
            "stdio" | "http" | "sse" | "streamable-http" | "streamableHttp" | "streamable_http"
        )
    });
    if lenient {
        command || url
    } else {
        (command && (map.contains_key("args") || map.contains_key("env") || typed))
            || (url && (typed || map.contains_key("headers")))
    }
}

/// Footprints and findings in one JSON/YAML document.
fn structured(rel: &str, value: &Value) -> Vec<Hit> {
    let mut hits = Vec::new();
    let Value::Object(top) = value else {
        return hits;
    };
    let name = rel.rsplit('/').next().unwrap_or_default();
    let known = is_known_mcp_file(rel, name);
    for key in ["mcpServers", "servers"] {
        let Some(Value::Object(servers)) = top.get(key) else {
            continue;
        };
        let lenient = known || key == "mcpServers";
        for (server, config) in servers {
            if !is_mcp_server(config, lenient) {
                continue;
            }
            let pointer = format!("/{key}/{}", escape(server));
            hits.push(Hit {
                rule: Rule::Unregistered,
                pointer: pointer.clone(),
                place: None,
                message: format!(
                    "MCP server {server:?} ({}) that no manifest governs; add a manifest whose spec.sources covers {rel}",
                    describe_server(config)
                ),
            });
            for section in ["env", "headers"] {
                let Some(Value::Object(entries)) = config.get(section) else {
                    continue;
                };
                for (variable, v) in entries {
                    let Some(text) = v.as_str() else { continue };
                    if let Some(kind) = literal_secret(variable, text) {
                        hits.push(Hit {
                            rule: Rule::Secret,
                            pointer: format!("{pointer}/{section}/{}", escape(variable)),
                            place: None,
                            message: format!(
                                "MCP server {server:?} has a literal {kind} in {section}.{variable} ({}); reference it instead, e.g. ${{input:{}}} or ${{{variable}}}",
                                match text.split_once(' ') {
                                    Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") =>
                                        format!("{scheme} {}", redacted(token.trim())),
                                    _ => redacted(text),
                                },
                                variable.to_ascii_lowercase().replace('_', "-")
                            ),
                        });
                    }
                }
            }
            if let Some((index, arg, what)) = broad_server(config) {
                let place = match index {
                    Some(i) => format!("{pointer}/args/{i}"),
                    None => format!("{pointer}/command"),
                };
                hits.push(Hit {
                    rule: Rule::Broad,
                    pointer: place,
                    place: None,
                    message: format!(
                        "MCP server {server:?} is a {what} server given {arg:?}: it can reach every file of the machine or the user; give it only the project folder it needs"
                    ),
                });
            }
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
            pointer: String::new(),
            place: Some("/name".into()),
            message: format!(
                "A2A agent card {card:?} ({skills} skill{}) that no manifest governs; add a manifest whose spec.sources covers {rel}",
                if skills == 1 { "" } else { "s" }
            ),
        });
    }
    hits
}

/// The command line or URL of an MCP server, for messages and drafted manifests, with what
/// could be a credential replaced by `[redacted]` (see [`redact_arguments`], [`clean_url`]).
pub(crate) fn describe_server(config: &Value) -> String {
    if let Some(command) = config.get("command").and_then(Value::as_str) {
        let args: Vec<&str> = config
            .get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let shown = redact_arguments(&args[..args.len().min(4)]);
        let mut text = format!("command: {command}");
        for arg in &shown {
            text.push(' ');
            text.push_str(arg);
        }
        if args.len() > 4 {
            text.push_str(" …");
        }
        text
    } else {
        let url = config
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("url: {}", clean_url(url))
    }
}

/// Command-line arguments with every one that is or carries a credential redacted: the value
/// after a flag named like a secret (`--api-key X`, `--auth X`) or after `--header`/`-H`, a
/// `NAME=value` or `Name: value` whose name is a secret's, an authorization scheme and its
/// token, and anything a secret detector recognises. URLs lose their user information, query
/// and any path segment that looks like a secret.
pub(crate) fn redact_arguments(args: &[&str]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut after_secret_flag = false;
    for arg in args {
        let (flag_name, attached) = match arg.split_once('=') {
            Some((name, value)) if arg.starts_with('-') => (name, Some(value)),
            _ => (*arg, None),
        };
        let url = arg.contains("://") && !arg.contains(char::is_whitespace);
        let secret = after_secret_flag
            || (!url && carries_secret(arg))
            || attached.is_some_and(|v| is_secret_flag(flag_name) || carries_secret(v));
        after_secret_flag = attached.is_none() && arg.starts_with('-') && is_secret_flag(arg);
        out.push(if secret {
            "[redacted]".to_string()
        } else if url {
            clean_url(arg)
        } else {
            arg.to_string()
        });
    }
    out
}

/// A flag whose value is a credential or a header that may hold one.
fn is_secret_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-').replace('-', "_");
    secret_name(&name)
        || name.to_ascii_uppercase().contains("AUTH")
        || matches!(flag, "--header" | "-H" | "--headers")
}

/// `NAME=value`, `Name: value` with a secret's name, a scheme and token, or a detected secret.
fn carries_secret(text: &str) -> bool {
    let named = [text.split_once('='), text.split_once(':')]
        .into_iter()
        .flatten()
        .any(|(name, value)| {
            !value.starts_with("//") && secret_name(name.trim()) && !value.trim().is_empty()
        });
    let token = without_scheme(text);
    let scheme = token != text.trim() && !token.is_empty();
    named || scheme || detect(text).is_some()
}

/// A URL without what could be a credential: user information, query, fragment, and path
/// segments that a secret detector recognises (a webhook's token, say).
pub(crate) fn clean_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("[redacted]@{host}"),
        None => authority.to_string(),
    };
    let mut out = format!("{scheme}://{host}");
    if let Some(path) = path {
        for segment in path.split('/') {
            out.push('/');
            out.push_str(if detect(segment).is_some() {
                "[redacted]"
            } else {
                segment
            });
        }
    }
    out
}

pub(crate) fn is_agent_card(rel: &str, top: &serde_json::Map<String, Value>) -> bool {
    let well_known =
        rel.ends_with(".well-known/agent-card.json") || rel.ends_with(".well-known/agent.json");
    let named = top.get("name").is_some_and(Value::is_string);
    let skills = top.get("skills").is_some_and(Value::is_array);
    let shaped = named
        && skills
        && (top.get("capabilities").is_some_and(Value::is_object)
            || top.contains_key("securitySchemes"))
        && (top.get("url").is_some_and(Value::is_string) || top.contains_key("protocolVersion"));
    (well_known && named) || shaped
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
    let arg = arg.trim().trim_end_matches(['/', '\\']);
    if arg.is_empty() {
        // `/` itself (or `\`).
        return true;
    }
    if matches!(
        arg,
        "~" | "$HOME" | "${HOME}" | "%USERPROFILE%" | "/root" | "/home" | "/Users"
    ) || arg.eq_ignore_ascii_case("c:")
        || arg.eq_ignore_ascii_case("c:\\users")
    {
        return true;
    }
    for prefix in ["/home/", "/Users/", "C:\\Users\\", "c:\\users\\"] {
        if let Some(rest) = arg.strip_prefix(prefix) {
            return !rest.is_empty() && !rest.contains(['/', '\\']);
        }
    }
    false
}

/// A `.env` value that points elsewhere (`$VAR`, `${VAR}`, `%VAR%`, `{{ var }}`): shells and
/// dotenv loaders expand all of these.
fn is_env_reference(text: &str) -> bool {
    text.contains("${") || text.starts_with('$') || text.starts_with("{{") || text.starts_with('%')
}

/// An MCP configuration value taken apart: the references in it (`${NAME}`, `${input:name}`,
/// `${env:NAME}`, `{{name}}`) and the literal text around them. The default of
/// `${NAME:-default}` is literal text: it is written in the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// The referenced names without their defaults, as written (`input:docs-token`).
    pub references: Vec<String>,
    pub literal: String,
}

pub(crate) fn parts(text: &str) -> Parts {
    let mut parts = Parts::default();
    let mut rest = text;
    while !rest.is_empty() {
        let (open, close) = match (rest.find("${"), rest.find("{{")) {
            (Some(a), Some(b)) if b < a => (b, "}}"),
            (Some(a), _) => (a, "}"),
            (None, Some(b)) => (b, "}}"),
            (None, None) => break,
        };
        let inner_start = open + 2;
        let Some(length) = rest[inner_start..].find(close) else {
            break;
        };
        parts.literal.push_str(&rest[..open]);
        let inner = &rest[inner_start..inner_start + length];
        let (name, default) = inner.split_once(":-").unwrap_or((inner, ""));
        parts.references.push(name.trim().to_string());
        if !default.is_empty() {
            parts.literal.push(' ');
            parts.literal.push_str(default);
        }
        rest = &rest[inner_start + length + close.len()..];
    }
    parts.literal.push_str(rest);
    parts
}

/// The literal text of a value without an authorization scheme word (`Bearer`, `Basic`,
/// `Token`), which is not a secret itself.
fn without_scheme(literal: &str) -> &str {
    let literal = literal.trim();
    for scheme in ["bearer", "basic", "token"] {
        if literal.len() >= scheme.len() && literal[..scheme.len()].eq_ignore_ascii_case(scheme) {
            let rest = &literal[scheme.len()..];
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return rest.trim();
            }
        }
    }
    literal
}

fn is_placeholder(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    text.len() < 8
        || text.contains(char::is_whitespace)
        || [
            "<",
            "your",
            "xxx",
            "changeme",
            "change-me",
            "example",
            "placeholder",
            "...",
            "todo",
            "replace",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

pub(crate) fn secret_name(variable: &str) -> bool {
    let upper = variable.to_ascii_uppercase();
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "AUTHORIZATION",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.ends_with("_KEY")
        || upper == "X-API-KEY"
}

/// The kind of literal secret in an MCP `env`/`headers` value, if it is one.
pub(crate) fn literal_secret(variable: &str, text: &str) -> Option<&'static str> {
    if let Some(kind) = detect(text) {
        return Some(kind);
    }
    if !secret_name(variable) {
        return None;
    }
    let parts = parts(text);
    let literal = without_scheme(&parts.literal);
    (!literal.is_empty() && !is_placeholder(literal)).then_some("credential")
}

/// The provider whose key a `.env` variable holds, by its name.
fn llm_key_name(variable: &str) -> bool {
    let upper = variable.to_ascii_uppercase();
    let providers = [
        "OPENAI",
        "ANTHROPIC",
        "CLAUDE",
        "GEMINI",
        "GOOGLE_API",
        "GOOGLE_GENERATIVE",
        "MISTRAL",
        "COHERE",
        "GROQ",
        "TOGETHER",
        "REPLICATE",
        "DEEPSEEK",
        "XAI",
        "PERPLEXITY",
        "HUGGINGFACE",
        "HF_TOKEN",
        "OPENROUTER",
        "FIREWORKS",
        "LANGCHAIN",
        "LANGSMITH",
        "AZURE_OPENAI",
        "VOYAGE",
        "PINECONE",
    ];
    providers.iter().any(|p| upper.contains(p))
        && ["KEY", "TOKEN", "SECRET"].iter().any(|w| upper.contains(w))
}

/// LLM provider keys (and any secret the AG025 detectors find) assigned in a `.env` file:
/// the variable, the span of its value and the message.
fn env_secrets(text: &str) -> Vec<(String, Span, String)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((variable, value)) = body.split_once('=') else {
            continue;
        };
        let variable = variable.trim();
        let value_raw = value.trim_end();
        let value_trim = value_raw.trim_start();
        let unquoted = value_trim
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| {
                value_trim
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
            })
            .unwrap_or(value_trim);
        let unquoted = if unquoted.len() == value_trim.len() {
            unquoted.split(" #").next().unwrap_or(unquoted).trim_end()
        } else {
            unquoted
        };
        if unquoted.is_empty() {
            continue;
        }
        let kind = detect(unquoted).or_else(|| {
            (llm_key_name(variable) && !is_env_reference(unquoted) && !is_placeholder(unquoted))
                .then_some("LLM provider key")
        });
        let Some(kind) = kind else { continue };
        let prefix_chars = line.chars().count() - value_trim.chars().count();
        let value_start = start
            + prefix_chars
            + usize::from(
                unquoted.len() != value_trim.len()
                    && (value_trim.starts_with('"') || value_trim.starts_with('\'')),
            );
        let span = Span {
            start: value_start,
            end: value_start + unquoted.chars().count(),
        };
        found.push((
            variable.to_string(),
            span,
            format!(
                "{variable} holds a literal {kind} ({}) committed to the repository; keep it in a secret store and rotate it",
                redacted(unquoted)
            ),
        ));
    }
    found
}

/// A secret shown safely: its first characters and its length.
pub fn redacted(secret: &str) -> String {
    let prefix: String = secret.chars().take(4).collect();
    format!("{prefix}… {} characters", secret.chars().count())
}

fn followed(text: &str, marker: &str, min: usize, class: fn(char) -> bool, boundary: bool) -> bool {
    let mut from = 0;
    while let Some(found) = text[from..].find(marker) {
        let at = from + found;
        let before_ok = !boundary
            || text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
        let run = text[at + marker.len()..]
            .chars()
            .take_while(|c| class(*c))
            .count();
        if before_ok && run >= min {
            return true;
        }
        from = at + marker.len();
    }
    false
}

/// The detectors of AG025 (policies/lib/secrets.rego) and common LLM provider key formats.
pub fn detect(text: &str) -> Option<&'static str> {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let upper_digit = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    let pat = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let slack = |c: char| c.is_ascii_alphanumeric() || c == '-';
    if text.contains("PRIVATE KEY-----") {
        return Some("private key");
    }
    if ["AKIA", "ASIA"]
        .iter()
        .any(|m| followed(text, m, 16, upper_digit, true))
    {
        return Some("AWS access key id");
    }
    if ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"]
        .iter()
        .any(|m| followed(text, m, 20, alnum, false))
        || followed(text, "github_pat_", 20, pat, false)
    {
        return Some("GitHub token");
    }
    if followed(text, "glpat-", 20, token, false) {
        return Some("GitLab token");
    }
    if ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"]
        .iter()
        .any(|m| followed(text, m, 10, slack, false))
    {
        return Some("Slack token");
    }
    if followed(text, "sk-", 20, token, true) {
        return Some("API key");
    }
    if followed(text, "AIza", 35, token, true) {
        return Some("Google API key");
    }
    if followed(text, "hf_", 30, alnum, true) {
        return Some("Hugging Face token");
    }
    if followed(text, "gsk_", 40, alnum, true) {
        return Some("Groq API key");
    }
    if followed(text, "eyJ", 10, token, false) && text.matches(".eyJ").count() > 0 {
        return Some("JWT");
    }
    None
}

/// The service folder of a code file: the nearest folder above it holding a project file, or
/// its own folder.
fn service_folder(root: &Path, path: &Path) -> String {
    const MARKERS: [&str; 8] = [
        "package.json",
        "pyproject.toml",
        "requirements.txt",
        "setup.py",
        "Pipfile",
        "go.mod",
        "Dockerfile",
        "deno.json",
    ];
    let mut dir = path.parent();
    while let Some(d) = dir {
        if !d.starts_with(root) {
            break;
        }
        if MARKERS.iter().any(|m| d.join(m).is_file()) {
            return relative(root, d);
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    relative(root, path.parent().unwrap_or(root))
}

const PYTHON_MODULES: [&str; 14] = [
    "openai",
    "anthropic",
    "langchain",
    "langgraph",
    "crewai",
    "autogen",
    "llama_index",
    "semantic_kernel",
    "mcp",
    "fastmcp",
    "pydantic_ai",
    "smolagents",
    "google.generativeai",
    "google.genai",
];

const SCRIPT_PACKAGES: [&str; 13] = [
    "openai",
    "@anthropic-ai/sdk",
    "langchain",
    "@langchain/",
    "ai",
    "@ai-sdk/",
    "@modelcontextprotocol/sdk",
    "llamaindex",
    "@mastra/",
    "@openai/agents",
    "@google/generative-ai",
    "@google/genai",
    "@anthropic-ai/claude-agent-sdk",
];

const GO_MODULES: [&str; 10] = [
    "github.com/sashabaranov/go-openai",
    "github.com/openai/openai-go",
    "github.com/anthropics/anthropic-sdk-go",
    "github.com/tmc/langchaingo",
    "github.com/mark3labs/mcp-go",
    "github.com/modelcontextprotocol/go-sdk",
    "github.com/cloudwego/eino",
    "google.golang.org/genai",
    "github.com/google/generative-ai-go",
    "github.com/firebase/genkit/go",
];

fn python_library(line: &str) -> Option<String> {
    let rest = line
        .strip_prefix("import ")
        .or_else(|| line.strip_prefix("from "))?;
    let module = rest.split(|c: char| c.is_whitespace() || c == ',').next()?;
    PYTHON_MODULES.iter().find_map(|m| {
        let matches = module == *m
            || module.starts_with(&format!("{m}."))
            || (["langchain", "autogen", "crewai", "llama_index"].contains(m)
                && module.starts_with(m)
                && module[m.len()..].starts_with('_'));
        matches.then(|| (*m).to_string())
    })
}

/// The module specifier of an import or require on a TS/JS line.
fn script_specifier(line: &str) -> Option<&str> {
    let starts = line.starts_with("import ")
        || line.starts_with("import{")
        || line.starts_with("export ")
        || line.contains("require(")
        || line.contains("import(")
        || line.starts_with("} from ")
        || line.starts_with("from ");
    if !starts {
        return None;
    }
    let key = ["from ", "require(", "import(", "import "]
        .iter()
        .filter_map(|k| line.rfind(k).map(|i| i + k.len()))
        .max()?;
    let rest = line[key..].trim_start();
    let quote = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let inner = &rest[1..];
    inner.find(quote).map(|end| &inner[..end])
}

fn script_library(line: &str) -> Option<String> {
    let specifier = script_specifier(line)?;
    SCRIPT_PACKAGES.iter().find_map(|p| {
        let matches = if p.ends_with('/') {
            specifier.starts_with(p)
        } else {
            specifier == *p || specifier.starts_with(&format!("{p}/"))
        };
        matches.then(|| {
            if p.ends_with('/') {
                specifier.split('/').take(2).collect::<Vec<_>>().join("/")
            } else {
                (*p).to_string()
            }
        })
    })
}

fn go_library(line: &str, in_block: bool) -> Option<String> {
    let rest = if let Some(r) = line.strip_prefix("import ") {
        r.trim()
    } else if in_block {
        line
    } else {
        return None;
    };
    let start = rest.find('"')?;
    let inner = &rest[start + 1..];
    let path = &inner[..inner.find('"')?];
    GO_MODULES
        .iter()
        .find(|m| path == **m || path.starts_with(&format!("{m}/")))
        .map(|m| (*m).to_string())
}

const TOOL_MARKERS: [&str; 18] = [
    "@tool",
    "@function_tool",
    ".tool(",
    "@kernel_function",
    "StructuredTool",
    "BaseTool",
    "FunctionTool",
    "Tool(",
    "tool({",
    "registerTool(",
    "DynamicStructuredTool",
    "\"type\": \"function\"",
    "type: \"function\"",
    "type: 'function'",
    "mcp.NewTool(",
    "FunctionDefinition",
    "bind_tools(",
    "@server.call_tool",
];

fn scan_code(source: &Arc<SourceFile>, rel: &str, language: Language) -> Option<CodeHit> {
    let mut first: Option<(usize, Span)> = None;
    let mut libraries: Vec<String> = Vec::new();
    let mut tools = 0;
    let mut offset = 0;
    let mut in_go_block = false;
    for raw in source.text.split_inclusive('\n') {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let library = match language {
            Language::Python => python_library(trimmed),
            Language::Script => script_library(trimmed),
            Language::Go => {
                if trimmed.starts_with("import (") {
                    in_go_block = true;
                    None
                } else if in_go_block && trimmed.starts_with(')') {
                    in_go_block = false;
                    None
                } else {
                    go_library(trimmed, in_go_block)
                }
            }
        };
        if let Some(library) = library {
            if first.is_none() {
                let indent = line.chars().count() - trimmed.chars().count();
                let at = start + indent;
                first = Some((
                    at,
                    Span {
                        start: at,
                        end: at + trimmed.chars().count(),
                    },
                ));
            }
            if !libraries.contains(&library) {
                libraries.push(library);
            }
            continue;
        }
        if first.is_some() || !libraries.is_empty() || language != Language::Go {
            tools += TOOL_MARKERS
                .iter()
                .filter(|m| trimmed.contains(**m))
                .count()
                .min(1);
        }
    }
    let (at, label) = first?;
    Some(CodeHit {
        source: source.clone(),
        rel: rel.to_string(),
        at,
        label,
        libraries,
        tools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_of_agent_libraries() {
        assert_eq!(
            python_library("from langchain.agents import AgentExecutor").as_deref(),
            Some("langchain")
        );
        assert_eq!(
            python_library("from langchain_openai import ChatOpenAI").as_deref(),
            Some("langchain")
        );
        assert_eq!(python_library("import openai").as_deref(), Some("openai"));
        assert_eq!(python_library("import requests"), None);
        assert_eq!(python_library("from openai_compat import x"), None);
        assert_eq!(
            script_library("import { generateText, tool } from \"ai\";").as_deref(),
            Some("ai")
        );
        assert_eq!(
            script_library("import { openai } from '@ai-sdk/openai';").as_deref(),
            Some("@ai-sdk/openai")
        );
        assert_eq!(script_library("import axios from 'axios';"), None);
        assert_eq!(script_library("const x = require('aim');"), None);
        assert_eq!(
            go_library("\"github.com/sashabaranov/go-openai\"", true).as_deref(),
            Some("github.com/sashabaranov/go-openai")
        );
        assert_eq!(go_library("\"net/http\"", true), None);
    }

    #[test]
    fn secrets_and_references() {
        assert_eq!(
            literal_secret("GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123"),
            Some("GitHub token")
        );
        assert_eq!(
            literal_secret("GITHUB_TOKEN", "${input:github-token}"),
            None
        );
        assert_eq!(literal_secret("GITHUB_TOKEN", "${GITHUB_TOKEN}"), None);
        assert_eq!(literal_secret("API_KEY", "<your-api-key>"), None);
        assert_eq!(
            literal_secret("Authorization", "Bearer s3cr3tvalue123456"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Bearer ${input:token}"),
            None
        );
        assert_eq!(literal_secret("LOG_LEVEL", "debug-verbose"), None);
        // A default is written in the file; a `$` or `%` alone does not make a reference.
        assert_eq!(
            literal_secret("DB_PASSWORD", "${DB_PASSWORD:-Hunter2Hunter2Pw}"),
            Some("credential")
        );
        assert_eq!(literal_secret("DB_PASSWORD", "${DB_PASSWORD:-}"), None);
        assert_eq!(
            literal_secret("DB_PASSWORD", "$Up3rS3cretPw!"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("PGPASSWORD", "%PERCENTSECRET"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("API_TOKEN", "${USER}:MIXEDSECRET123"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Token s3cr3tvalue123456"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
            Some("credential")
        );
        assert_eq!(literal_secret("Authorization", "Token ${input:t}"), None);
        assert_eq!(
            parts("Bearer ${API_TOKEN:-abc} {{ other }}"),
            Parts {
                references: vec!["API_TOKEN".into(), "other".into()],
                literal: "Bearer  abc ".into(),
            }
        );
        assert_eq!(redacted("sk-abcdef"), "sk-a… 9 characters");
    }

    #[test]
    fn server_descriptions_leave_secrets_out() {
        let described = |config: Value| describe_server(&config);
        assert_eq!(
            described(serde_json::json!({"url": "https://bot:s3cret@mcp.example.com/v1?key=abc"})),
            "url: https://[redacted]@mcp.example.com/v1"
        );
        assert_eq!(
            described(serde_json::json!({"url": "https://mcp.example.com"})),
            "url: https://mcp.example.com"
        );
        assert_eq!(
            described(
                serde_json::json!({"command": "npx", "args": ["-y", "server", "--api-key", "abcdef123456", "TOKEN=xyz"]})
            ),
            "command: npx -y server --api-key [redacted] …"
        );
        assert_eq!(
            described(
                serde_json::json!({"command": "run", "args": ["API_TOKEN=xyz", "ghp_0123456789abcdefghijABCDEFGHIJ012345"]})
            ),
            "command: run [redacted] [redacted]"
        );
        assert_eq!(
            redact_arguments(&[
                "mcp-remote",
                "https://x.example.com/sse?k=v",
                "--header",
                "Authorization: Bearer s3cr3tAbCdEf123456",
                "--header=Authorization: Bearer s3cr3t",
                "--auth",
                "hunter2",
                "Bearer abc",
                "--verbose",
                "https://hooks.slack.com/services/T000/B000/xoxb-1234567890-abcdefghij",
            ]),
            [
                "mcp-remote",
                "https://x.example.com/sse",
                "--header",
                "[redacted]",
                "[redacted]",
                "--auth",
                "[redacted]",
                "[redacted]",
                "--verbose",
                "https://hooks.slack.com/services/T000/B000/[redacted]",
            ]
        );
    }

    #[test]
    fn json_surrogate_pairs_become_yaml_escapes() {
        assert_eq!(
            yaml_readable(r#"{"a": "\ud83d\ude00 \\ud83d \u00e9 ü"}"#.into()),
            r#"{"a": "\U0001f600 \\ud83d \u00e9 ü"}"#
        );
        let text = yaml_readable(r#"{"name": "bot \ud83e\udd16"}"#.into());
        let source = SourceFile::new("a.json".into(), "a.json".into(), text);
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
        ] {
            assert!(is_broad_path(path), "{path}");
        }
        for path in ["/home/alice/project", "./data", "/srv/app", "."] {
            assert!(!is_broad_path(path), "{path}");
        }
    }

    #[test]
    fn env_files() {
        let found = env_secrets("# comment\nDEBUG=true\nOPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz\nDATABASE_URL=postgres://localhost/app\nANTHROPIC_API_KEY=\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "OPENAI_API_KEY");
        assert_eq!(
            found[0].1.start,
            "# comment\nDEBUG=true\nOPENAI_API_KEY=".len()
        );
    }
}
