//! `agentgate init`: a new manifest that starts from zero privileges. Every field the rules
//! ask for is present; what agentgate cannot know is a `TODO` placeholder, which AG007 reports
//! until someone fills it in. `--from` pre-fills drafts from an MCP client configuration or an
//! A2A Agent Card.

mod from;
mod render;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::source::SourceFile;
use crate::units;
use crate::yaml::{self, Limits};

pub use from::slug;

/// Days until a new agent must be re-certified.
pub const LIFETIME_DAYS: i64 = 90;

/// What a new manifest says before a person adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub name: String,
    pub description: Option<String>,
    pub purpose: Option<String>,
    /// Appended to the owner's TODO (e.g. the provider an agent card names).
    pub owner_hint: Option<String>,
    pub identity_type: &'static str,
    pub identity_hint: Option<String>,
    /// `file#pointer` of what the draft was made from.
    pub origin: Option<String>,
    pub platform: Option<String>,
    pub sources: Vec<String>,
    pub credentials: Vec<CredentialDraft>,
    /// Tools the code defines: each a permission TODO (`init --source`).
    pub tools: Vec<String>,
    /// Header comments: what could not be carried over.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialDraft {
    pub name: String,
    pub kind: &'static str,
    /// Where the credential was seen, for a comment.
    pub origin: String,
    /// A TODO that says where to look; never the secret.
    pub source: String,
}

/// The accountable person, as far as the user told us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    pub name: Option<String>,
    pub email: Option<String>,
    pub team: Option<String>,
}

/// What `agentgate init` was asked for.
#[derive(Debug, Clone)]
pub struct InitCommand {
    /// Name of the new agent; asked for on a terminal when missing. With `from`, it renames
    /// the one agent the file describes.
    pub name: Option<String>,
    /// An MCP client configuration (one manifest per server) or an A2A Agent Card to pre-fill
    /// from.
    pub from: Option<PathBuf>,
    /// Code this agent is (`--source`): files or folders, relative to the working folder. The
    /// draft governs them (`spec.sources`) and lists the LLM providers and tools found there.
    pub sources: Vec<PathBuf>,
    /// Folder to write `NAME.yaml` into, relative to the working folder.
    pub dir: PathBuf,
    /// Return the manifests instead of writing files.
    pub stdout: bool,
    /// Overwrite existing files.
    pub force: bool,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub team: Option<String>,
    pub purpose: Option<String>,
    pub description: Option<String>,
    /// Never ask; what is not given stays a TODO.
    pub no_input: bool,
    /// Days since 1970-01-01 the manifest starts from; today (UTC) when absent.
    pub today: Option<i64>,
}

/// What `init` printed and whether it succeeded: stdout text, or an error for stderr (exit 2).
pub fn command(mut args: InitCommand, cwd: &Path) -> Result<String, String> {
    let today = args.today.unwrap_or_else(units::today_utc);
    if units::parse_date(&units::format_date(today + LIFETIME_DAYS)).is_none() {
        return Err(format!(
            "error: {} + {LIFETIME_DAYS} days is past 9999-12-31; give an earlier --today\n",
            units::format_date(today)
        ));
    }
    let interactive = !args.no_input && !args.stdout && std::io::stdin().is_terminal();
    let mut drafts = match (&args.from, args.sources.is_empty()) {
        (Some(_), false) => {
            return Err(
                "error: give --from FILE (a configuration or agent card) or --source PATH (agent code), not both\n"
                    .into(),
            )
        }
        (Some(file), true) => drafts_from(cwd, file)?,
        (None, false) => vec![source_draft(
            name_or_ask(args.name.take(), interactive)?,
            cwd,
            &args.sources,
        )?],
        (None, true) => vec![blank(name_or_ask(args.name.take(), interactive)?)],
    };
    if let Some(name) = args.name.take() {
        if drafts.len() != 1 {
            return Err(format!(
                "error: the file describes {} agents; leave out the name to write one manifest each\n",
                drafts.len()
            ));
        }
        drafts[0].name = checked_name(&name)?;
    }
    unique_names(&mut drafts);
    if !args.force && !args.stdout {
        beside_existing(&cwd.join(&args.dir), &mut drafts);
    }
    let owner = owner(&args, interactive)?;
    for draft in &mut drafts {
        if let Some(text) = given(&args.description) {
            draft.description = Some(text);
        }
        if let Some(text) = given(&args.purpose) {
            draft.purpose = Some(text);
        } else if interactive && draft.purpose.is_none() {
            draft.purpose = ask(&format!(
                "Purpose of {}: what it does, for whom, why",
                draft.name
            ))?;
        }
    }
    let rendered: Vec<Rendered> = drafts
        .iter()
        .map(|draft| checked(&draft.name, render::manifest(draft, &owner, today)))
        .collect::<Result<_, String>>()?;
    if args.stdout {
        return Ok(rendered
            .iter()
            .map(|r| r.text.as_str())
            .collect::<Vec<_>>()
            .join("---\n"));
    }
    write_all(&cwd.join(&args.dir), &args.dir, &rendered, args.force)
}

/// A flag's value, unless it is empty: an empty answer leaves the TODO, as on a terminal.
fn given(flag: &Option<String>) -> Option<String> {
    flag.as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(String::from)
}

fn blank(name: String) -> Draft {
    Draft {
        name,
        description: None,
        purpose: None,
        owner_hint: None,
        identity_type: "workload",
        identity_hint: None,
        origin: None,
        platform: None,
        sources: Vec::new(),
        credentials: Vec::new(),
        tools: Vec::new(),
        notes: Vec::new(),
    }
}

/// A draft for agent code (`init NAME --source PATH…`): it governs the paths, and lists the
/// LLM providers the code imports as credential TODOs and the tools it defines as permission
/// TODOs.
fn source_draft(name: String, cwd: &Path, paths: &[PathBuf]) -> Result<Draft, String> {
    let root = crate::discover::find_root(cwd);
    let mut draft = blank(name);
    let mut absolute = Vec::new();
    for path in paths {
        let full = cwd.join(path);
        if !full.exists() {
            return Err(format!(
                "error: --source {}: no such file or folder\n",
                path.display()
            ));
        }
        let rel = repository_relative(cwd, &full).ok_or_else(|| {
            format!(
                "error: --source {} is outside the repository ({}); run init from that repository\n",
                path.display(),
                root.display()
            )
        })?;
        let glob = match (full.is_dir(), rel.is_empty()) {
            (true, true) => "**".to_string(),
            (true, false) => format!("{}/**", from::glob_literal(&rel)),
            (false, _) => from::glob_literal(&rel),
        };
        draft.sources.push(glob);
        absolute.push(full.canonicalize().unwrap_or(full));
    }
    let root = root.canonicalize().unwrap_or(root);
    let summary =
        crate::footprints::code_summary(&root, &absolute, crate::check::DEFAULT_MAX_FILE_SIZE);
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    draft.origin = Some(shown.join(", "));
    if !summary.libraries.is_empty() {
        draft.description = Some(format!(
            "Agent code in {} (imports {})",
            shown.join(", "),
            summary.libraries.join(", ")
        ));
    }
    let mut providers: Vec<&str> = summary
        .libraries
        .iter()
        .filter_map(|library| provider(library))
        .collect();
    providers.sort_unstable();
    providers.dedup();
    for provider in providers {
        draft.credentials.push(CredentialDraft {
            name: format!("{provider}-api-key"),
            kind: "api_key",
            origin: format!("the {provider} client in {}", shown.join(", ")),
            source: format!(
                "TODO where the agent's {provider} key is stored (a secret store, not the code)"
            ),
        });
    }
    draft.tools = summary.tools.clone();
    if summary.unnamed_tools > 0 {
        draft.notes.push(format!(
            "the code defines {} more tool{} without a name agentgate could read: add a permission for each",
            summary.unnamed_tools,
            if summary.unnamed_tools == 1 { "" } else { "s" }
        ));
    }
    Ok(draft)
}

/// The LLM provider whose key a library needs, as a credential name's stem.
fn provider(library: &str) -> Option<&'static str> {
    let lower = library.to_ascii_lowercase();
    [
        ("anthropic", "anthropic"),
        ("claude", "anthropic"),
        ("openai", "openai"),
        ("agents (openai", "openai"),
        ("genai", "google"),
        ("generative", "google"),
        ("vertexai", "google"),
        ("google.adk", "google"),
        ("@google/adk", "google"),
        ("mistral", "mistral"),
        ("cohere", "cohere"),
        ("groq", "groq"),
        ("bedrock", "aws-bedrock"),
        ("azure", "azure-ai"),
    ]
    .iter()
    .find(|(needle, _)| lower.contains(needle))
    .map(|(_, provider)| *provider)
}

/// A draft whose file already exists in `dir` for another origin (a second configuration that
/// also names its server `github`) gets a free name instead (`github-2`): re-running `init`
/// on the same file still stops at the existing one (`--force` overwrites).
fn beside_existing(dir: &Path, drafts: &mut [Draft]) {
    let taken: std::collections::BTreeSet<String> = drafts.iter().map(|d| d.name.clone()).collect();
    let mut used = taken.clone();
    for draft in drafts.iter_mut() {
        let path = dir.join(format!("{}.yaml", draft.name));
        let Ok(existing) = std::fs::read_to_string(&path) else {
            continue;
        };
        let same = draft
            .sources
            .first()
            .is_some_and(|source| existing.contains(source.as_str()))
            || draft.sources.is_empty();
        if same {
            continue;
        }
        let base = draft.name.clone();
        let mut n = 1;
        loop {
            n += 1;
            let suffix = format!("-{n}");
            let kept = base[..base.len().min(63 - suffix.len())].trim_end_matches('-');
            let name = format!("{kept}{suffix}");
            if !used.contains(&name) && !dir.join(format!("{name}.yaml")).exists() {
                used.insert(name.clone());
                draft.name = name;
                break;
            }
        }
    }
}

fn name_or_ask(name: Option<String>, interactive: bool) -> Result<String, String> {
    match name {
        Some(name) => checked_name(&name),
        None if interactive => loop {
            let name = answer("Agent name (lowercase letters, digits and -)")?;
            match checked_name(&name) {
                Ok(name) => break Ok(name),
                Err(message) => eprint!("{message}"),
            }
        },
        None => Err(
            "error: give the new agent's name (`agentgate init billing-reconciler`) or a file to start from (`--from .mcp.json`)\n"
                .into(),
        ),
    }
}

fn checked_name(name: &str) -> Result<String, String> {
    let slug = slug(name);
    if slug == name {
        Ok(slug)
    } else {
        Err(format!(
            "error: {name:?} is not a lowercase DNS label (metadata.name); try {slug:?}\n"
        ))
    }
}

/// Two MCP servers (or two credentials of one draft) whose names slug alike get `-2`, `-3`:
/// `metadata.name` must be unique, and so should a manifest's credential names.
fn unique_names(drafts: &mut [Draft]) {
    deduplicate(drafts.iter_mut().map(|d| &mut d.name));
    for draft in drafts {
        deduplicate(draft.credentials.iter_mut().map(|c| &mut c.name));
    }
}

fn deduplicate<'a>(names: impl Iterator<Item = &'a mut String>) {
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        let base = name.clone();
        let mut n = 1;
        while !seen.insert(name.clone()) {
            n += 1;
            let suffix = format!("-{n}");
            // A DNS label is at most 63 characters, suffix included.
            let kept = base[..base.len().min(63 - suffix.len())].trim_end_matches('-');
            *name = format!("{kept}{suffix}");
        }
    }
}

fn owner(args: &InitCommand, interactive: bool) -> Result<Owner, String> {
    let mut owner = Owner {
        name: given(&args.owner_name),
        email: given(&args.owner_email),
        team: given(&args.team),
    };
    if interactive {
        if owner.name.is_none() {
            owner.name = ask("Owner: the accountable person's full name")?;
        }
        while owner.email.is_none() {
            match ask("Owner: their own email address (not a group alias)")? {
                None => break,
                Some(email) => match checked_email(&email) {
                    Ok(email) => owner.email = Some(email),
                    Err(message) => eprint!("{message}"),
                },
            }
        }
    }
    if let Some(email) = &owner.email {
        checked_email(email)?;
    }
    Ok(owner)
}

/// An address the schema's `email` format accepts, checked here so that a typo is the user's
/// error message, not a drafted manifest that breaks the schema.
fn checked_email(email: &str) -> Result<String, String> {
    let value = Value::String(email.to_string());
    let probe = serde_json::json!({"apiVersion": "agentgate/v1", "kind": "Agent",
        "metadata": {"name": "x", "description": "x"}, "spec": {"owner": {"email": value}}});
    if crate::validate::violations(crate::validate::manifest_validator(), &probe).is_empty() {
        Ok(email.to_string())
    } else {
        Err(format!("error: {email:?} is not an email address\n"))
    }
}

/// One answer from the terminal; an empty answer leaves a TODO.
fn ask(prompt: &str) -> Result<Option<String>, String> {
    let text = prompt_line(&format!("{prompt} (empty: leave a TODO)"), true)?;
    Ok((!text.is_empty()).then_some(text))
}

/// One answer that may not be empty.
fn answer(prompt: &str) -> Result<String, String> {
    prompt_line(prompt, false)
}

fn prompt_line(prompt: &str, allow_empty: bool) -> Result<String, String> {
    let text: String = dialoguer::Input::new()
        .with_prompt(prompt)
        .allow_empty(allow_empty)
        .interact_text()
        .map_err(|e| format!("error: could not read the answer: {e}\n"))?;
    Ok(text.trim().to_string())
}

fn drafts_from(cwd: &Path, file: &Path) -> Result<Vec<Draft>, String> {
    let path = cwd.join(file);
    let text = crate::fs::read_text(&path, crate::check::DEFAULT_MAX_FILE_SIZE)
        .map_err(|e| format!("error: cannot read {}: {}\n", file.display(), e.message))?;
    let rel = repository_relative(cwd, &path).ok_or_else(|| {
        format!(
            "error: {} is outside the repository that the manifest is written to ({}); run init from that repository\n",
            file.display(),
            crate::discover::find_root(cwd).display()
        )
    })?;
    from::drafts(&rel, &structured(&path, file, text)?).map_err(|e| format!("error: {e}\n"))
}

/// The file's path from the root of the repository `init` runs in, which is where the drafted
/// manifest's `spec.sources` are resolved.
fn repository_relative(cwd: &Path, path: &Path) -> Option<String> {
    let root = crate::discover::find_root(cwd).canonicalize().ok()?;
    let rel = path
        .canonicalize()
        .ok()?
        .strip_prefix(root)
        .ok()?
        .to_path_buf();
    Some(rel.to_string_lossy().replace('\\', "/"))
}

/// The file's first document, read as discovery reads it (so that `init --from` takes every
/// file `discover` reports): JSON as its editors read it (JSONC comments and trailing commas,
/// surrogate-pair escapes), Codex's TOML with a TOML reader, YAML as YAML.
fn structured(path: &Path, file: &Path, text: String) -> Result<Value, String> {
    let shown = file.display().to_string();
    let text = crate::footprints::without_bom(text);
    if crate::footprints::is_toml_config(&shown) {
        return toml::from_str::<Value>(&text)
            .map_err(|e| format!("error: {}: {}\n", file.display(), e.message()));
    }
    let text = if crate::footprints::is_json_name(&shown) {
        crate::footprints::json_for_yaml(&text)
    } else {
        text
    };
    let source = SourceFile::new(path.to_path_buf(), shown, text);
    let documents = yaml::parse(&source, Limits::default()).map_err(|e| {
        let pos = source.pos(e.offset);
        format!(
            "error: {}:{}:{}: {}\n",
            file.display(),
            pos.line,
            pos.column,
            e.message
        )
    })?;
    Ok(documents
        .into_iter()
        .next()
        .map_or(Value::Null, |d| d.value))
}

/// A drafted manifest and how many placeholders it holds.
struct Rendered {
    name: String,
    text: String,
    todos: usize,
}

/// The rendered text, after making sure it reads back as a schema-valid manifest: a draft that
/// did not would be a bug here, and must not reach the user's repository.
fn checked(name: &str, text: String) -> Result<Rendered, String> {
    let source = SourceFile::new(PathBuf::from("new.yaml"), "new.yaml".into(), text.clone());
    let value = match yaml::parse(&source, Limits::default()).map(|mut d| (d.len(), d.pop())) {
        Ok((1, Some(document))) => document.value,
        _ => return Err("error: the drafted manifest does not read back as one YAML document; please report this\n".into()),
    };
    let violations = crate::validate::violations(crate::validate::manifest_validator(), &value);
    if let Some(v) = violations.first() {
        return Err(format!(
            "error: the drafted manifest breaks the schema at {}: {}; please report this\n",
            v.pointer, v.message
        ));
    }
    Ok(Rendered {
        name: name.to_string(),
        text,
        todos: placeholders(&value),
    })
}

/// String values that start with TODO, as AG007 counts them.
fn placeholders(value: &Value) -> usize {
    match value {
        Value::String(text) => {
            let rest = text.trim_start().strip_prefix("TODO");
            usize::from(rest.is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_alphanumeric())))
        }
        Value::Array(items) => items.iter().map(placeholders).sum(),
        Value::Object(map) => map.values().map(placeholders).sum(),
        _ => 0,
    }
}

fn write_all(
    dir: &Path,
    shown: &Path,
    rendered: &[Rendered],
    force: bool,
) -> Result<String, String> {
    let files: Vec<(PathBuf, PathBuf, &Rendered)> = rendered
        .iter()
        .map(|r| {
            let file = format!("{}.yaml", r.name);
            (dir.join(&file), shown.join(&file), r)
        })
        .collect();
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _, _)| path.exists())
        .map(|(_, shown, _)| shown.display().to_string())
        .collect();
    if !existing.is_empty() && !force {
        return Err(format!(
            "error: {} already exists; pass --force to overwrite\n",
            existing.join(", ")
        ));
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("error: cannot create {}: {e}\n", shown.display()))?;
    let mut out = String::new();
    for (path, shown, r) in files {
        std::fs::write(&path, &r.text)
            .map_err(|e| format!("error: cannot write {}: {e}\n", shown.display()))?;
        out.push_str(&format!(
            "wrote {} ({} TODO{} to fill in; `agentgate check {}` lists them)\n",
            shown.display(),
            r.todos,
            if r.todos == 1 { "" } else { "s" },
            shown.display()
        ));
    }
    Ok(out)
}
