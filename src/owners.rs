//! `agentgate owners`: who owns and backs up which agent, for offboarding. Three views of the
//! same check run: one person's agents (`--person`), the ownership map of everyone, and the
//! comparison with the people directory (`--check`: AG114 and AG115, through the same sink,
//! severities, waivers and output formats as `check`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{self, CheckOptions, CheckedAgent, Discovery, Outcome, Sink};
use crate::context::RunContext;
use crate::finding::{Finding, Problem};
use crate::inventory::{csv_field, table, text};
use crate::output::Secrets;
use crate::rule::{BuiltinRule, Command};
use crate::units::{format_date, parse_date};

/// How `owners --person` and the ownership map render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
    Csv,
}

/// What a person is to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Backup,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Backup => "backup",
        }
    }
}

/// A person as a manifest names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// A credential as the offboarding list shows it (never its source: where it is stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub ttl: String,
    pub shared: String,
}

/// A grant: a resource and its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub resource: String,
    pub actions: Vec<String>,
}

/// One agent that a person owns or backs up, with what it can reach and who else answers for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Held {
    pub agent: String,
    pub role: Role,
    /// The other owner (the backup owner of an owner, the owner of a backup); `None` when
    /// there is none, or it is this same person: then the agent is orphaned when they leave.
    pub other_owner: Option<Person>,
    pub permissions: Vec<Grant>,
    pub credentials: Vec<Credential>,
    pub status: String,
    pub expires: String,
    pub file: String,
    /// The line of this person's email in the manifest.
    pub line: usize,
}

impl Held {
    /// The other owner as a cell: `Name <email>`, or what leaving means without one.
    pub fn other_owner_cell(&self) -> String {
        match &self.other_owner {
            Some(p) => person_cell(p),
            None => "none: orphaned if this person leaves".into(),
        }
    }

    pub fn permissions_cell(&self) -> String {
        self.permissions
            .iter()
            .map(|g| format!("{} {}", g.resource, g.actions.join("/")))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub fn credentials_cell(&self) -> String {
        self.credentials
            .iter()
            .map(|c| {
                format!(
                    "{} ({}, ttl {}, shared {})",
                    c.name, c.kind, c.ttl, c.shared
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

fn person_cell(p: &Person) -> String {
    match (p.name.is_empty(), p.email.is_empty()) {
        (false, false) => format!("{} <{}>", p.name, p.email),
        (true, _) => p.email.clone(),
        (false, true) => p.name.clone(),
    }
}

/// One person of the ownership map: the agents they own and back up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Holder {
    /// Lower-cased: emails compare case-insensitively.
    pub email: String,
    /// The name the first manifest (in path order) gives them.
    pub name: String,
    pub owns: Vec<String>,
    pub backs: Vec<String>,
    /// Whether the people directory lists them; `None` without a directory.
    pub active: Option<bool>,
}

impl Holder {
    pub fn agents(&self) -> usize {
        self.owns.len() + self.backs.len()
    }
}

/// How the ownership map is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSort {
    Email,
    /// Most agents first (then by email).
    Agents,
}

fn person_at(document: &Value, pointer: &str) -> Option<Person> {
    let person = Person {
        name: text(document, &format!("{pointer}/name")),
        email: text(document, &format!("{pointer}/email")),
    };
    (!person.email.is_empty()).then_some(person)
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The agents a checked run holds, each with its owner and backup owner.
struct Agent<'a> {
    checked: &'a CheckedAgent,
    name: String,
    owner: Option<Person>,
    backup: Option<Person>,
}

fn agents(outcome: &Outcome) -> Vec<Agent<'_>> {
    outcome
        .checked
        .iter()
        .map(|checked| Agent {
            checked,
            name: text(&checked.document, "/metadata/name"),
            owner: person_at(&checked.document, "/spec/owner"),
            backup: person_at(&checked.document, "/spec/backupOwner"),
        })
        .collect()
}

fn held(agent: &Agent, role: Role) -> Held {
    let m = &agent.checked.document;
    let (own, other, pointer) = match role {
        Role::Owner => (&agent.owner, &agent.backup, "/spec/owner/email"),
        Role::Backup => (&agent.backup, &agent.owner, "/spec/backupOwner/email"),
    };
    let same = |a: &Option<Person>, b: &Option<Person>| match (a, b) {
        (Some(a), Some(b)) => key(&a.email) == key(&b.email),
        _ => false,
    };
    let array = |v: &Value, p: &str| -> Vec<Value> {
        v.pointer(p)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let permissions = array(m, "/spec/permissions")
        .iter()
        .map(|p| Grant {
            resource: text(p, "/resource"),
            actions: array(p, "/actions")
                .iter()
                .map(|a| a.as_str().map_or_else(|| a.to_string(), str::to_string))
                .collect(),
        })
        .collect();
    let credentials = array(m, "/spec/credentials")
        .iter()
        .map(|c| Credential {
            name: text(c, "/name"),
            kind: text(c, "/type"),
            ttl: text(c, "/ttl"),
            shared: text(c, "/shared"),
        })
        .collect();
    let expires = text(m, "/spec/lifecycle/expires");
    Held {
        agent: agent.name.clone(),
        role,
        other_owner: if same(own, other) {
            None
        } else {
            other.clone()
        },
        permissions,
        credentials,
        status: text(m, "/spec/lifecycle/status"),
        expires: parse_date(&expires).map(format_date).unwrap_or(expires),
        file: agent.checked.file.clone(),
        line: agent.checked.line(pointer),
    }
}

/// Every agent `email` owns or backs up (case-insensitive), in path order; an agent whose
/// owner and backup owner are both this person is listed once, as owner.
pub fn person(outcome: &Outcome, email: &str) -> Vec<Held> {
    let wanted = key(email);
    let is = |p: &Option<Person>| p.as_ref().is_some_and(|p| key(&p.email) == wanted);
    let secrets = Secrets::of(outcome);
    let mut out = Vec::new();
    for agent in agents(outcome) {
        if is(&agent.owner) {
            out.push(held(&agent, Role::Owner));
        } else if is(&agent.backup) {
            out.push(held(&agent, Role::Backup));
        }
    }
    out.into_iter().map(|h| secrets.scrub_serde(h)).collect()
}

/// Every person named as owner or backup owner, with their agents.
pub fn map(outcome: &Outcome, people: Option<&[String]>, sort: MapSort) -> Vec<Holder> {
    let mut holders: BTreeMap<String, Holder> = BTreeMap::new();
    for agent in agents(outcome) {
        for (person, role) in [(&agent.owner, Role::Owner), (&agent.backup, Role::Backup)] {
            let Some(person) = person else { continue };
            let email = key(&person.email);
            let holder = holders.entry(email.clone()).or_insert_with(|| Holder {
                active: people.map(|p| p.binary_search(&email).is_ok()),
                email,
                name: person.name.clone(),
                owns: Vec::new(),
                backs: Vec::new(),
            });
            // Owner and backup owner at once: owner only (AG004 reports the manifest).
            if role == Role::Backup && holder.owns.contains(&agent.name) {
                continue;
            }
            match role {
                Role::Owner => holder.owns.push(agent.name.clone()),
                Role::Backup => holder.backs.push(agent.name.clone()),
            }
        }
    }
    let secrets = Secrets::of(outcome);
    let mut out: Vec<Holder> = holders
        .into_values()
        .map(|h| secrets.scrub_serde(h))
        .collect();
    if sort == MapSort::Agents {
        out.sort_by(|a, b| b.agents().cmp(&a.agents()).then(a.email.cmp(&b.email)));
    }
    out
}

/// AG114 and AG115 for every departed owner and backup owner, one finding per departed
/// person at their email, so that the list groups by former owner.
pub fn departures(outcome: &Outcome, ctx: &RunContext, people: &[String]) -> Vec<Finding> {
    let gone = |p: &Option<Person>| {
        p.as_ref()
            .is_some_and(|p| people.binary_search(&key(&p.email)).is_err())
    };
    let remains = |p: &Option<Person>| p.is_some() && !gone(p);
    let mut out = Vec::new();
    for agent in agents(outcome) {
        let same = match (&agent.owner, &agent.backup) {
            (Some(a), Some(b)) => key(&a.email) == key(&b.email),
            _ => false,
        };
        let sides = [
            (&agent.owner, &agent.backup, "owner", "/spec/owner/email"),
            (
                &agent.backup,
                &agent.owner,
                "backup owner",
                "/spec/backupOwner/email",
            ),
        ];
        for (index, (this, other, role, pointer)) in sides.into_iter().enumerate() {
            if !gone(this) || (same && index == 1) {
                continue;
            }
            let email = this.as_ref().map(|p| p.email.clone()).unwrap_or_default();
            let (rule, message) = if remains(other) && !same {
                let other = other.as_ref().map(person_cell).unwrap_or_default();
                (
                    BuiltinRule::OwnerHalfDeparted,
                    format!(
                        "former {role} {email} is not in the people directory: agent {} is half-covered, only {other} remains; hand the role over",
                        agent.name
                    ),
                )
            } else {
                let why = match other {
                    _ if same => "the backup owner is the same person".to_string(),
                    Some(o) => format!("the other owner, {}, has left too", o.email),
                    None => "there is no other owner".to_string(),
                };
                (
                    BuiltinRule::OwnerDeparted,
                    format!(
                        "former {role} {email} is not in the people directory and {why}: agent {} is orphaned",
                        agent.name
                    ),
                )
            };
            let Some(meta) = ctx.registry.builtin_rule(rule) else {
                continue;
            };
            out.push(Finding::of_rule(
                meta,
                agent.checked.place(pointer),
                Some(agent.name.clone()),
                pointer.to_string(),
                message,
                false,
            ));
        }
    }
    out
}

/// What `owners` reads: which manifests, with which configuration and packs, as of which date.
#[derive(Debug, Clone)]
pub struct OwnersOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub packs: Vec<PathBuf>,
    pub today: Option<i64>,
    pub max_file_size: u64,
    pub cwd: PathBuf,
}

impl OwnersOptions {
    fn check_options(&self) -> CheckOptions {
        CheckOptions {
            paths: self.paths.clone(),
            config: self.config.clone(),
            fail_on: None,
            today: self.today,
            max_file_size: self.max_file_size,
            cwd: self.cwd.clone(),
            changes: None,
            packs: self.packs.clone(),
        }
    }
}

/// The check every view of `owners` reads, and its context; `Err` carries the problems (exit
/// 2): an unreadable manifest may name a person, so no list is made without it.
pub fn read(options: &OwnersOptions) -> Result<(RunContext, Outcome), Vec<Problem>> {
    let ctx = RunContext::prepare(&options.check_options().context())?;
    let outcome = check::run_in(&ctx, &options.check_options(), Discovery::Off);
    if !outcome.problems.is_empty() {
        return Err(outcome.problems);
    }
    Ok((ctx, outcome))
}

/// How to configure the people directory, for `owners --check` without one.
pub const NO_DIRECTORY: &str = "owners --check compares owners with the people directory, and none is configured: set `settings.directory` in .agentgate.yaml to a file of the active people's emails, one a line ('#' starts a comment), e.g. `settings: {directory: .agentgate/people.txt}`, exported from your HR system or identity provider (see docs/configuration.md)";

/// `owners --check`: the outcome of AG114 and AG115 as `check` reports findings (the
/// configuration's severities and waivers applied; AG091 judges only these rules' waivers).
/// `Err`: the problems, or that no directory is configured.
pub fn check(
    options: &OwnersOptions,
    fail_on: Option<crate::rule::Severity>,
) -> Result<Outcome, Vec<Problem>> {
    let (ctx, outcome) = read(options)?;
    let Some(people) = ctx.people.clone() else {
        return Err(vec![Problem::whole(
            ctx.config.file.as_ref().map_or_else(
                || crate::config::FILE_NAME.to_string(),
                |(s, _)| s.display.clone(),
            ),
            NO_DIRECTORY,
        )]);
    };
    let mut sink = Sink::new(&ctx.config);
    let names: Vec<&str> = outcome
        .checked
        .iter()
        .filter_map(|c| c.agent.as_deref())
        .collect();
    let duplicates: BTreeSet<String> = names
        .iter()
        .filter(|n| names.iter().filter(|m| m == n).count() > 1)
        .map(|n| n.to_string())
        .collect();
    sink.refuse_waivers_for(duplicates);
    sink.extend(departures(&outcome, &ctx, &people));
    let owners_rule = |rule: &str| {
        ctx.registry
            .rules
            .get(rule)
            .is_some_and(|meta| Command::of(meta) == Command::Owners)
    };
    let settled = sink.settle(&ctx.registry, ctx.today, false, owners_rule);
    let rules = outcome
        .rules
        .iter()
        .cloned()
        .chain(
            [BuiltinRule::OwnerDeparted, BuiltinRule::OwnerHalfDeparted]
                .into_iter()
                .filter_map(|r| ctx.registry.builtin_rule(r))
                .filter(|meta| {
                    ctx.config
                        .rules
                        .get(&meta.id)
                        .is_none_or(|o| o.enabled != Some(false))
                })
                .map(
                    |meta| match ctx.config.rules.get(&meta.id).and_then(|o| o.severity) {
                        Some(severity) => Arc::new(crate::rule::RuleMeta {
                            severity,
                            ..crate::rule::RuleMeta::clone(meta)
                        }),
                        None => meta.clone(),
                    },
                ),
        )
        .filter(|meta| Command::of(meta) == Command::Owners)
        .collect();
    let notes = by_former_owner(&settled.findings, &outcome.checked);
    Ok(Outcome {
        findings: settled.findings,
        waived: settled.waived,
        problems: Vec::new(),
        files: outcome.files,
        agents: outcome.agents,
        fail_on: Some(fail_on.unwrap_or(ctx.config.fail_on)),
        rules,
        checked: outcome.checked,
        notes,
        discovered: false,
        other_tools: outcome.other_tools,
        inventory: outcome.inventory,
        footprints: 0,
        retained: Default::default(),
    })
}

/// One line per former owner: the agents they leave orphaned (AG114) or half-covered (AG115).
fn by_former_owner(findings: &[Finding], checked: &[CheckedAgent]) -> Vec<String> {
    let mut groups: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for f in findings {
        let rule = BuiltinRule::from_id(&f.rule);
        if !matches!(
            rule,
            Some(BuiltinRule::OwnerDeparted | BuiltinRule::OwnerHalfDeparted)
        ) {
            continue;
        }
        // The departed person is the email the finding points at.
        let Some(email) = checked
            .iter()
            .filter(|c| c.file == f.file && c.agent == f.agent)
            .find_map(|c| c.document.pointer(&f.path).and_then(Value::as_str))
        else {
            continue;
        };
        let entry = groups.entry(key(email)).or_default();
        let agent = format!(
            "{} ({}:{})",
            f.agent.clone().unwrap_or_default(),
            f.file,
            f.line
        );
        match rule {
            Some(BuiltinRule::OwnerDeparted) => entry.0.push(agent),
            _ => entry.1.push(agent),
        }
    }
    groups
        .into_iter()
        .map(|(email, (orphaned, half))| {
            let mut line = format!("{email} left:");
            if !orphaned.is_empty() {
                let _ = write!(line, " orphans {}", orphaned.join(", "));
            }
            if !half.is_empty() {
                if !orphaned.is_empty() {
                    line.push(';');
                }
                let _ = write!(line, " half-covers {}", half.join(", "));
            }
            line
        })
        .collect()
}

/// `owners --person` rendered.
pub fn render_person(email: &str, rows: &[Held], format: ListFormat) -> String {
    match format {
        ListFormat::Json => {
            let mut out = serde_json::to_string_pretty(
                &serde_json::json!({"person": email.trim(), "agents": rows}),
            )
            .unwrap_or_default();
            out.push('\n');
            out
        }
        ListFormat::Csv => {
            let mut out = String::from(
                "agent,role,otherOwner,permissions,credentials,status,expires,file,line\r\n",
            );
            for h in rows {
                let cells = [
                    h.agent.clone(),
                    h.role.as_str().to_string(),
                    h.other_owner_cell(),
                    h.permissions_cell(),
                    h.credentials_cell(),
                    h.status.clone(),
                    h.expires.clone(),
                    h.file.clone(),
                    h.line.to_string(),
                ];
                let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
                out.push_str(&cells.join(","));
                out.push_str("\r\n");
            }
            out
        }
        ListFormat::Markdown => {
            use crate::output::markdown::escape;
            let mut out = format!(
                "### agents {} owns or backs up: {}\n\n",
                escape(email.trim()),
                rows.len()
            );
            out.push_str("| agent | role | other owner | permissions | credentials | status | expires | file |\n|---|---|---|---|---|---|---|---|\n");
            for h in rows {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} | {} | {} | {} |",
                    escape(&h.agent),
                    h.role.as_str(),
                    escape(&h.other_owner_cell()),
                    escape(&h.permissions_cell()),
                    escape(&h.credentials_cell()),
                    escape(&h.status),
                    escape(&h.expires),
                    escape(&format!("{}:{}", h.file, h.line)),
                );
            }
            out
        }
        ListFormat::Table => {
            let header = ["AGENT", "ROLE", "OTHER OWNER", "STATUS", "EXPIRES", "FILE"];
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|h| {
                    vec![
                        h.agent.clone(),
                        h.role.as_str().to_string(),
                        h.other_owner_cell(),
                        h.status.clone(),
                        h.expires.clone(),
                        format!("{}:{}", h.file, h.line),
                    ]
                })
                .collect();
            let mut out = table(&header, &lines);
            let _ = writeln!(
                out,
                "{} agents owned or backed up by {}",
                rows.len(),
                email.trim()
            );
            for h in rows {
                if !h.permissions.is_empty() || !h.credentials.is_empty() {
                    let _ = writeln!(
                        out,
                        "  {}: permissions {}; credentials {}",
                        h.agent,
                        or_none(&h.permissions_cell()),
                        or_none(&h.credentials_cell())
                    );
                }
            }
            crate::escape::without_workflow_commands(&out)
        }
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "none"
    } else {
        text
    }
}

/// The ownership map rendered.
pub fn render_map(holders: &[Holder], format: ListFormat) -> String {
    let active = |h: &Holder| match h.active {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    match format {
        ListFormat::Json => {
            let mut out = serde_json::to_string_pretty(&serde_json::json!({"people": holders}))
                .unwrap_or_default();
            out.push('\n');
            out
        }
        ListFormat::Csv => {
            let mut out = String::from("email,name,agents,owns,backs,active\r\n");
            for h in holders {
                let cells = [
                    h.email.clone(),
                    h.name.clone(),
                    h.agents().to_string(),
                    h.owns.join("; "),
                    h.backs.join("; "),
                    active(h).to_string(),
                ];
                let cells: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
                out.push_str(&cells.join(","));
                out.push_str("\r\n");
            }
            out
        }
        ListFormat::Markdown => {
            use crate::output::markdown::escape;
            let mut out = format!("### agentgate owners: {} people\n\n", holders.len());
            out.push_str(
                "| person | agents | owns | backs up | in directory |\n|---|---|---|---|---|\n",
            );
            for h in holders {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} | {} |",
                    escape(&person_cell(&Person {
                        name: h.name.clone(),
                        email: h.email.clone()
                    })),
                    h.agents(),
                    escape(&h.owns.join(", ")),
                    escape(&h.backs.join(", ")),
                    active(h),
                );
            }
            out
        }
        ListFormat::Table => {
            let header = ["PERSON", "AGENTS", "OWNS", "BACKS UP", "IN DIRECTORY"];
            let lines: Vec<Vec<String>> = holders
                .iter()
                .map(|h| {
                    vec![
                        h.email.clone(),
                        h.agents().to_string(),
                        h.owns.join(", "),
                        h.backs.join(", "),
                        active(h).to_string(),
                    ]
                })
                .collect();
            let mut out = table(&header, &lines);
            let _ = writeln!(out, "{} people", holders.len());
            crate::escape::without_workflow_commands(&out)
        }
    }
}
