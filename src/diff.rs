//! `agentgate diff --base REV`: what each agent gained or lost between a git revision and the
//! working tree. This is what a reviewer reads before re-signing: every grant, approval,
//! credential, data class, delegation edge, owner, identity, lifecycle status and expiry, blast
//! radius, source and review that changed, marked as an escalation, a reduction or a change.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};
use serde::Serialize;
use serde_json::Value;

use crate::check::Claim;
use crate::discover::{self, is_manifest_place};
use crate::source::SourceFile;
use crate::units::parse_duration;
use crate::yaml::{self, Limits};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Escalation,
    Reduction,
    Change,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub direction: Direction,
    /// What changed, for people: "+write on postgres://ledger/public.payouts (approval: human)".
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AgentDiff {
    pub agent: String,
    /// `added`, `removed`, `changed`, or `duplicated` (several manifests use the name).
    pub status: &'static str,
    pub changes: Vec<Change>,
}

impl AgentDiff {
    pub fn widens(&self) -> bool {
        self.changes
            .iter()
            .any(|c| c.direction == Direction::Escalation)
    }
}

/// Every agent whose manifest differs between the merge base of `rev` and HEAD, and the
/// working tree under `root`.
pub fn diff(root: &Path, rev: &str, max_bytes: u64) -> Result<Vec<AgentDiff>, String> {
    let before = manifests_at(root, rev)?;
    let mut after = BTreeMap::new();
    for path in discover::walk(root, &globset::GlobSet::empty()) {
        if let Ok(text) = crate::fs::read_text(&path, max_bytes) {
            let shown = path.strip_prefix(root).unwrap_or(&path);
            let shown = shown.display().to_string();
            // A manifest of the working tree that cannot be read is no agent removed: what
            // changed is unknown, and `diff` says so rather than list the agent as gone.
            let source = SourceFile::new(path.clone(), shown.clone(), text.as_str());
            if let Err(e) = yaml::parse(&source, Limits::default()) {
                if crate::check::text_claims(&text) {
                    let at = source.pos(e.offset);
                    return Err(format!(
                        "{}:{}:{}: cannot read this manifest ({}), so what changed in it is unknown; fix it and run diff again",
                        shown,
                        at.line,
                        at.column,
                        e.message
                    ));
                }
            }
            collect_documents(&shown, &source, &mut after, Side::WorkingTree)?;
        }
    }
    // `diff` runs no rule: every value the secret detectors (AG025's and AG101's) recognise,
    // on either side, is shown redacted.
    let mut secrets = crate::output::Secrets::default();
    for (_, document) in before.values().chain(after.values()).flatten() {
        secrets.add_detected(document);
    }
    let names: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let diffs: Vec<AgentDiff> = names
        .into_iter()
        .filter_map(|name| {
            let (old, new) = (before.get(name), after.get(name));
            match new {
                Some(files) if files.len() > 1 => Some(duplicated(name, files)),
                // A name that was duplicated is no one agent to compare with: everything it
                // now holds is shown as new.
                _ => compare(
                    name,
                    old.filter(|f| f.len() == 1).map(|f| &f[0].1),
                    new.map(|f| &f[0].1),
                ),
            }
        })
        .collect();
    Ok(diffs
        .into_iter()
        .map(|mut d| {
            d.agent = secrets.scrub(&d.agent);
            for change in &mut d.changes {
                change.text = secrets.scrub(&change.text);
            }
            d
        })
        .collect())
}

/// A name that several manifests use: which one is the agent is unknown (`check` reports AG080
/// on each, and neither counts), so no grant is shown as kept or lost; the reviewer compares
/// the files.
fn duplicated(name: &str, files: &[(String, Value)]) -> AgentDiff {
    let mut shown: Vec<&str> = files.iter().map(|(path, _)| path.as_str()).collect();
    shown.dedup();
    AgentDiff {
        agent: name.to_string(),
        status: "duplicated",
        changes: vec![Change {
            direction: Direction::Escalation,
            text: format!(
                "{} manifests use this name ({}): none of them is the agent until the name is unique (AG080); review each file",
                files.len(),
                shown.join(", ")
            ),
        }],
    }
}

/// Manifests by name: every (file, document) that uses the name.
type ByName = BTreeMap<String, Vec<(String, Value)>>;

fn manifests_at(root: &Path, rev: &str) -> Result<ByName, String> {
    let repo = Repository::discover(root).map_err(|_| {
        format!(
            "diff needs a git repository, and {} is not inside one",
            root.display()
        )
    })?;
    let target = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            format!(
                "--base {rev}: not a commit in this repository ({})",
                e.message()
            )
        })?;
    let base = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .and_then(|head| repo.merge_base(head.id(), target.id()))
        .and_then(|id| repo.find_commit(id))
        .unwrap_or(target);
    let tree = base.tree().map_err(|e| e.message().to_string())?;
    let workdir = repo.workdir().map(Path::to_path_buf).unwrap_or_default();
    let prefix = root
        .strip_prefix(&workdir)
        .unwrap_or(Path::new(""))
        .to_path_buf();
    // Every blob of the base revision, with the submodules' files at their recorded commits,
    // so that the base is read as `check` reads the working tree: symlinks inside the
    // repository followed, submodules included.
    let mut repos = vec![reopen(&repo)?];
    let mut entries = BTreeMap::new();
    tree_entries(&mut repos, 0, &tree, &workdir, Path::new(""), &mut entries)?;
    let mut found = BTreeMap::new();
    let mut read = BTreeSet::new();
    for (shown, real) in shown_entries(&repos, &entries) {
        let Ok(relative) = shown.strip_prefix(&prefix) else {
            continue;
        };
        if !is_manifest_place(relative) || !read.insert(real.clone()) {
            continue;
        }
        let entry = &entries[&real];
        let blob = repos[entry.repo]
            .find_blob(entry.id)
            .map_err(|e| e.message().to_string())?;
        let shown = shown.display().to_string();
        let text = String::from_utf8_lossy(blob.content());
        let source = SourceFile::new(shown.clone().into(), shown.clone(), text.as_ref());
        collect_documents(&shown, &source, &mut found, Side::Base)?;
    }
    Ok(found)
}

/// A blob of the base revision: in which repository (the superproject or a submodule), its id,
/// and whether it is a symlink (whose content is its target).
struct Entry {
    repo: usize,
    id: git2::Oid,
    link: bool,
}

/// A second handle on a repository (a tree borrows the handle it was read from).
fn reopen(repo: &Repository) -> Result<Repository, String> {
    Repository::open(repo.path()).map_err(|e| e.message().to_string())
}

const MAX_DEPTH: usize = 16;

fn tree_entries(
    repos: &mut Vec<Repository>,
    repo: usize,
    tree: &git2::Tree<'_>,
    workdir: &Path,
    base: &Path,
    out: &mut BTreeMap<PathBuf, Entry>,
) -> Result<(), String> {
    let mut submodules = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let path = base.join(dir).join(entry.name().unwrap_or_default());
        match entry.kind() {
            Some(ObjectType::Blob) => {
                out.insert(
                    path,
                    Entry {
                        repo,
                        id: entry.id(),
                        link: entry.filemode() == 0o120000,
                    },
                );
            }
            Some(ObjectType::Commit) => submodules.push((path, entry.id())),
            _ => {}
        }
        TreeWalkResult::Ok
    })
    .map_err(|e| e.message().to_string())?;
    for (path, commit) in submodules {
        // A submodule that is not checked out, or lacks the commit, has nothing to read.
        let Ok(submodule) = Repository::open(workdir.join(&path)) else {
            continue;
        };
        if repos.len() > MAX_DEPTH * 64 {
            break;
        }
        let Some(tree) = submodule
            .find_commit(commit)
            .ok()
            .and_then(|c| c.tree().ok())
            .map(|t| t.id())
        else {
            continue;
        };
        repos.push(submodule);
        let index = repos.len() - 1;
        let handle = reopen(&repos[index])?;
        let tree = handle
            .find_tree(tree)
            .map_err(|e| e.message().to_string())?;
        tree_entries(repos, index, &tree, &workdir.join(&path), &path, out)?;
    }
    Ok(())
}

/// Each blob as the walk of a working tree lists it: (where it is shown, the blob's own path).
/// A symlink to a blob shows that blob; a symlink to a folder shows the folder's blobs below it.
fn shown_entries(
    repos: &[Repository],
    entries: &BTreeMap<PathBuf, Entry>,
) -> Vec<(PathBuf, PathBuf)> {
    let mut shown = Vec::new();
    for (path, entry) in entries {
        if !entry.link {
            shown.push((path.clone(), path.clone()));
            continue;
        }
        match resolve(repos, entries, path, 0) {
            Some(Resolved::File(real)) => shown.push((path.clone(), real)),
            Some(Resolved::Folder(folder)) => {
                for inner in entries.keys().filter(|e| e.starts_with(&folder)) {
                    let suffix = inner.strip_prefix(&folder).unwrap_or(inner);
                    if let Some(Resolved::File(real)) = resolve(repos, entries, inner, 0) {
                        shown.push((path.join(suffix), real));
                    }
                }
            }
            None => {}
        }
    }
    shown
}

enum Resolved {
    File(PathBuf),
    Folder(PathBuf),
}

/// Where a blob leads: itself, or (a symlink) the blob or folder of the revision that its
/// target names, when that stays inside the repository.
fn resolve(
    repos: &[Repository],
    entries: &BTreeMap<PathBuf, Entry>,
    path: &Path,
    hops: usize,
) -> Option<Resolved> {
    let entry = entries.get(path)?;
    if !entry.link {
        return Some(Resolved::File(path.to_path_buf()));
    }
    if hops >= MAX_DEPTH {
        return None;
    }
    let blob = repos[entry.repo].find_blob(entry.id).ok()?;
    let target = Path::new(std::str::from_utf8(blob.content()).ok()?);
    if target.is_absolute() {
        return None;
    }
    let mut joined = PathBuf::new();
    for component in path.parent()?.join(target).components() {
        match component {
            std::path::Component::Normal(part) => joined.push(part),
            std::path::Component::ParentDir => {
                if !joined.pop() {
                    return None;
                }
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    if entries.contains_key(&joined) {
        return resolve(repos, entries, &joined, hops + 1);
    }
    let folder = entries
        .keys()
        .any(|e| e.starts_with(&joined) && *e != joined);
    folder.then_some(Resolved::Folder(joined))
}

/// Manifests by name; a file that cannot be read contributes nothing (`check` reports it).
/// Which revision a file is read from: the claim rule is applied to both, but only the working
/// tree's broken claims stop the diff (the base's were `check`'s to report when they landed).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Base,
    WorkingTree,
}

/// The agents of one file, by manifest-v1's claim rule as `check` applies it: another tool's
/// document (no claim) is no agent; in the working tree a document that claims to be a
/// manifest and is not one, or a manifest that lost its header, is an error, since what
/// changed in it is unknown.
fn collect_documents(
    path: &str,
    source: &SourceFile,
    out: &mut ByName,
    side: Side,
) -> Result<(), String> {
    for document in yaml::parse(source, Limits::default()).unwrap_or_default() {
        let claim = crate::check::claim(&document.value);
        match (&claim, side) {
            (Claim::None, _) => continue,
            (Claim::Manifest, _) | (_, Side::Base) => {}
            (_, Side::WorkingTree) => {
                let at = source.pos(document.root.span.start);
                return Err(format!(
                    "{path}:{}:{}: {}; so what changed in it is unknown: fix it and run diff again",
                    at.line,
                    at.column,
                    claim.problem().unwrap_or_default()
                ));
            }
        }
        if let Some(name) = document
            .value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
        {
            out.entry(name.to_string())
                .or_default()
                .push((path.to_string(), document.value));
        }
    }
    Ok(())
}

fn compare(name: &str, before: Option<&Value>, after: Option<&Value>) -> Option<AgentDiff> {
    let empty = Value::Null;
    let (status, old, new) = match (before, after) {
        (None, Some(new)) => ("added", &empty, new),
        (Some(old), None) => ("removed", old, &empty),
        (Some(old), Some(new)) if old != new => ("changed", old, new),
        _ => return None,
    };
    let mut changes = Vec::new();
    grants(old, new, &mut changes);
    credentials(old, new, &mut changes);
    sets(
        "data class",
        data_classes(old),
        data_classes(new),
        &mut changes,
    );
    sets(
        "delegation to",
        delegates(old),
        delegates(new),
        &mut changes,
    );
    owners(old, new, &mut changes);
    if status == "changed" {
        identity(old, new, &mut changes);
        lifecycle(old, new, &mut changes);
        blast_radius(old, new, &mut changes);
        review(old, new, &mut changes);
    }
    sets("source", sources(old), sources(new), &mut changes);
    if changes.is_empty() && status == "changed" {
        changes.push(Change {
            direction: Direction::Change,
            text: "no change to access (description or metadata only)".into(),
        });
    }
    changes.sort();
    Some(AgentDiff {
        agent: name.to_string(),
        status,
        changes,
    })
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// (resource, action) → approval.
fn grant_map(manifest: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for permission in manifest
        .pointer("/spec/permissions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let resource = permission
            .get("resource")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_string();
        let approval = permission
            .get("approval")
            .and_then(Value::as_str)
            .unwrap_or("none")
            .to_string();
        for action in strings(permission.get("actions")) {
            out.insert((resource.clone(), action), approval.clone());
        }
    }
    out
}

fn grants(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let (before, after) = (grant_map(old), grant_map(new));
    for ((resource, action), approval) in &after {
        match before.get(&(resource.clone(), action.clone())) {
            None => changes.push(Change {
                direction: Direction::Escalation,
                text: format!("+{action} on {resource} (approval: {approval})"),
            }),
            Some(was) if was != approval => changes.push(Change {
                direction: if approval == "human" {
                    Direction::Reduction
                } else {
                    Direction::Escalation
                },
                text: format!("approval for {action} on {resource}: {was} → {approval}"),
            }),
            Some(_) => {}
        }
    }
    for (resource, action) in before.keys().filter(|k| !after.contains_key(*k)) {
        changes.push(Change {
            direction: Direction::Reduction,
            text: format!("-{action} on {resource}"),
        });
    }
}

fn credential_map(manifest: &Value) -> BTreeMap<String, Value> {
    manifest
        .pointer("/spec/credentials")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c.get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                c.clone(),
            )
        })
        .collect()
}

const STATIC_TYPES: [&str; 3] = ["api_key", "password", "certificate"];

fn credentials(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let (before, after) = (credential_map(old), credential_map(new));
    let text = |c: &Value, key: &str| {
        c.get(key).map_or("absent".to_string(), |v| {
            v.as_str().map_or(v.to_string(), str::to_string)
        })
    };
    for (name, credential) in &after {
        let Some(was) = before.get(name) else {
            changes.push(Change {
                direction: Direction::Escalation,
                text: format!(
                    "+credential {name} ({}, ttl {})",
                    text(credential, "type"),
                    text(credential, "ttl")
                ),
            });
            continue;
        };
        let (old_type, new_type) = (text(was, "type"), text(credential, "type"));
        if old_type != new_type {
            let riskier = STATIC_TYPES.contains(&new_type.as_str())
                && !STATIC_TYPES.contains(&old_type.as_str());
            changes.push(Change {
                direction: if riskier {
                    Direction::Escalation
                } else {
                    Direction::Change
                },
                text: format!("credential {name} type: {old_type} → {new_type}"),
            });
        }
        let ttl = |c: &Value| {
            c.get("ttl")
                .and_then(Value::as_str)
                .and_then(parse_duration)
        };
        if text(was, "ttl") != text(credential, "ttl") {
            let longer = match (ttl(was), ttl(credential)) {
                (Some(a), Some(b)) => b > a,
                (_, None) => true,
                (None, Some(_)) => false,
            };
            changes.push(Change {
                direction: if longer {
                    Direction::Escalation
                } else {
                    Direction::Reduction
                },
                text: format!(
                    "credential {name} ttl: {} → {}",
                    text(was, "ttl"),
                    text(credential, "ttl")
                ),
            });
        }
        let shared = |c: &Value| c.get("shared").and_then(Value::as_bool);
        if shared(was) != shared(credential) {
            let now_shared = shared(credential) != Some(false);
            changes.push(Change {
                direction: if now_shared {
                    Direction::Escalation
                } else {
                    Direction::Reduction
                },
                text: format!(
                    "credential {name} shared: {} → {}",
                    text(was, "shared"),
                    text(credential, "shared")
                ),
            });
        }
    }
    for name in before.keys().filter(|k| !after.contains_key(*k)) {
        changes.push(Change {
            direction: Direction::Reduction,
            text: format!("-credential {name}"),
        });
    }
}

fn data_classes(manifest: &Value) -> BTreeSet<String> {
    let mut classes: BTreeSet<String> = strings(manifest.pointer("/spec/blastRadius/dataClasses"))
        .into_iter()
        .collect();
    for permission in manifest
        .pointer("/spec/permissions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        classes.extend(strings(permission.get("dataClasses")));
    }
    classes
}

fn delegates(manifest: &Value) -> BTreeSet<String> {
    strings(manifest.pointer("/spec/delegation/delegatesTo"))
        .into_iter()
        .collect()
}

fn sets(what: &str, before: BTreeSet<String>, after: BTreeSet<String>, changes: &mut Vec<Change>) {
    for added in after.difference(&before) {
        changes.push(Change {
            direction: Direction::Escalation,
            text: format!("+{what} {added}"),
        });
    }
    for removed in before.difference(&after) {
        changes.push(Change {
            direction: Direction::Reduction,
            text: format!("-{what} {removed}"),
        });
    }
}

fn owners(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    for (pointer, what) in [
        ("/spec/owner/email", "owner"),
        ("/spec/backupOwner/email", "backup owner"),
    ] {
        let (a, b) = (
            old.pointer(pointer).and_then(Value::as_str),
            new.pointer(pointer).and_then(Value::as_str),
        );
        if a != b && !(old.is_null() || new.is_null()) {
            changes.push(Change {
                direction: Direction::Change,
                text: format!("{what}: {} → {}", a.unwrap_or("none"), b.unwrap_or("none")),
            });
        }
    }
}

/// A field as text for a change line: strings as they are, other values as JSON, "none" when
/// absent.
fn field_text(manifest: &Value, pointer: &str) -> String {
    match manifest.pointer(pointer) {
        None | Some(Value::Null) => "none".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn changed(old: &Value, new: &Value, pointer: &str) -> Option<(String, String)> {
    let (a, b) = (field_text(old, pointer), field_text(new, pointer));
    (a != b).then_some((a, b))
}

/// The identity an agent runs under: any change is an escalation, since the new identity may
/// hold more than the manifest says (a cluster-admin service account, say).
fn identity(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    for (pointer, what) in [
        ("/spec/identity/type", "identity type"),
        ("/spec/identity/id", "identity id"),
    ] {
        if let Some((a, b)) = changed(old, new, pointer) {
            changes.push(Change {
                direction: Direction::Escalation,
                text: format!("{what}: {a} → {b}"),
            });
        }
    }
}

/// Lifecycle status (back from retired or into active widens; into retired narrows) and expiry
/// (later or removed widens).
fn lifecycle(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    if let Some((a, b)) = changed(old, new, "/spec/lifecycle/status") {
        let direction = if b == "retired" {
            Direction::Reduction
        } else if a == "retired" || b == "active" {
            Direction::Escalation
        } else {
            Direction::Change
        };
        changes.push(Change {
            direction,
            text: format!("lifecycle status: {a} → {b}"),
        });
    }
    if let Some((a, b)) = changed(old, new, "/spec/lifecycle/expires") {
        let direction = match (crate::units::parse_date(&a), crate::units::parse_date(&b)) {
            (Some(was), Some(now)) if now < was => Direction::Reduction,
            (None, Some(_)) => Direction::Reduction,
            _ => Direction::Escalation,
        };
        changes.push(Change {
            direction,
            text: format!("lifecycle expires: {a} → {b}"),
        });
    }
}

/// The documented worst case: losing reversibility or gaining external reach widens it.
fn blast_radius(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    for (field, risky) in [("reversible", "false"), ("externalReach", "true")] {
        if let Some((a, b)) = changed(old, new, &format!("/spec/blastRadius/{field}")) {
            let direction = if b == risky || b == "none" {
                Direction::Escalation
            } else if a == risky {
                Direction::Reduction
            } else {
                Direction::Change
            };
            changes.push(Change {
                direction,
                text: format!("blast radius {field}: {a} → {b}"),
            });
        }
    }
    if changed(old, new, "/spec/blastRadius/worstCase").is_some() {
        changes.push(Change {
            direction: Direction::Change,
            text: "blast radius worstCase rewritten".into(),
        });
    }
}

/// The review: removed (the agent loses its sign-off), dated before the base's (a superseded
/// review restored), or re-signed.
fn review(old: &Value, new: &Value, changes: &mut Vec<Change>) {
    let (before, after) = (old.pointer("/spec/review"), new.pointer("/spec/review"));
    if before == after {
        return;
    }
    let who = |v: &Value| {
        format!(
            "{} on {}",
            field_text(v, "/spec/review/reviewer"),
            field_text(v, "/spec/review/date")
        )
    };
    let (direction, text) = match (before, after) {
        (Some(_), None) => (
            Direction::Escalation,
            format!("review removed (was {})", who(old)),
        ),
        (None, Some(_)) => (Direction::Change, format!("review added: {}", who(new))),
        _ => {
            let date = |v: &Value| {
                v.pointer("/spec/review/date")
                    .and_then(Value::as_str)
                    .and_then(crate::units::parse_date)
            };
            match (date(old), date(new)) {
                (Some(was), Some(now)) if now < was => (
                    Direction::Escalation,
                    format!(
                        "review superseded: {} is older than the base's review, {}",
                        who(new),
                        who(old)
                    ),
                ),
                _ => (
                    Direction::Change,
                    format!("review: {} → {}", who(old), who(new)),
                ),
            }
        }
    };
    changes.push(Change { direction, text });
}

/// `spec.sources`: code and configuration the manifest claims to govern.
fn sources(manifest: &Value) -> BTreeSet<String> {
    strings(manifest.pointer("/spec/sources"))
        .into_iter()
        .collect()
}

fn marker(direction: Direction) -> &'static str {
    match direction {
        Direction::Escalation => "▲ escalation",
        Direction::Reduction => "▼ reduction",
        Direction::Change => "• change",
    }
}

pub fn render_human(diffs: &[AgentDiff]) -> String {
    if diffs.is_empty() {
        return "no agent changed\n".into();
    }
    // Names and change texts quote the manifests: escaped for a terminal and a CI log.
    let shown = |text: &str| crate::escape::visible_controls(text, false);
    let mut out = String::new();
    for agent in diffs {
        out.push_str(&format!("{} ({})\n", shown(&agent.agent), agent.status));
        for change in &agent.changes {
            out.push_str(&format!(
                "  {:14} {}\n",
                marker(change.direction),
                shown(&change.text)
            ));
        }
    }
    crate::escape::without_workflow_commands(&out)
}

pub fn render_json(diffs: &[AgentDiff]) -> String {
    serde_json::to_string_pretty(&serde_json::json!({"version": 1, "agents": diffs}))
        .unwrap_or_default()
        + "\n"
}

/// For a pull-request comment: one line per agent saying whether the change widens it.
pub fn render_markdown(diffs: &[AgentDiff]) -> String {
    use crate::output::markdown::escape;
    if diffs.is_empty() {
        return "### agentgate: no agent's access changed\n".into();
    }
    let mut out = String::from("### agentgate: agent access changes\n\n");
    for agent in diffs {
        let verb = match (agent.status, agent.widens()) {
            ("added", _) => "adds",
            ("removed", _) => "removes",
            (_, true) => "widens",
            _ => "changes",
        };
        let escalations: Vec<String> = agent
            .changes
            .iter()
            .filter(|c| c.direction == Direction::Escalation)
            .map(|c| escape(&c.text))
            .collect();
        let summary = if escalations.is_empty() {
            String::new()
        } else {
            format!(": {}", escalations.join(", "))
        };
        out.push_str(&format!(
            "- This PR {verb} **{}**{summary}\n",
            escape(&agent.agent)
        ));
        for change in agent
            .changes
            .iter()
            .filter(|c| c.direction != Direction::Escalation)
        {
            out.push_str(&format!(
                "  - {} {}\n",
                marker(change.direction),
                escape(&change.text)
            ));
        }
    }
    out
}
