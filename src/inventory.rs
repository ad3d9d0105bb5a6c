//! `agentgate inventory`: one row per agent (what it can reach, who is accountable, when its
//! access expires, its review and its open findings), for auditors, in a terminal table, CSV,
//! JSON or Markdown, with the filters auditors use.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::check::{self, CheckOptions, Discovery, Outcome};
use crate::config::Config;
use crate::context::{ContextOptions, RunContext, DEFAULT_MAX_FILE_SIZE};
use crate::finding::{problems_text, Problem};
use crate::rule::Severity;
use crate::units::{format_date, parse_date, SECONDS_PER_DAY};

/// How `inventory` renders its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InventoryFormat {
    Table,
    Csv,
    Json,
    Markdown,
}

/// A credential as the inventory shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub ttl: String,
    pub rotation: String,
    pub shared: String,
}

/// A high-consequence action (one not in `lowConsequenceActions`) and the approval it needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consequential {
    pub action: String,
    pub resource: String,
    pub approval: String,
}

/// One agent's inventory entry. Absent fields are empty strings (or `null` for booleans and
/// numbers), so that CSV and JSON hold the same data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub name: String,
    pub file: String,
    pub purpose: String,
    pub owner: String,
    pub owner_email: String,
    pub backup_owner: String,
    pub backup_owner_email: String,
    pub team: String,
    pub status: String,
    pub expires: String,
    /// Days from today to the expiry date (negative when expired).
    pub expires_in_days: Option<i64>,
    pub identity_type: String,
    pub identity_id: String,
    pub resources: Vec<String>,
    pub actions: Vec<String>,
    pub high_consequence: Vec<Consequential>,
    pub credentials: Vec<Credential>,
    pub data_classes: Vec<String>,
    pub worst_case: String,
    pub reversible: Option<bool>,
    pub external_reach: Option<bool>,
    pub delegates_to: Vec<String>,
    pub delegated_by: Vec<String>,
    pub reviewer: String,
    pub review_date: String,
    pub review_age_days: Option<i64>,
    /// No review, a review older than `maxReviewAge` or dated after today.
    pub review_stale: bool,
    /// `valid`, `stale` (it verifies, but the check reports AG042: it covers an earlier version
    /// or is superseded), `invalid` or `absent` (no signature); empty without a review.
    pub review_signature: String,
    pub review_signature_reason: String,
    /// The review rules (AG040 to AG044) that the check reported for this agent, waived or
    /// not: the check's own verdict on the review, which `reviewStale` and `--unreviewed`
    /// follow.
    #[serde(default)]
    pub review_findings: Vec<String>,
    pub errors: usize,
    pub warnings: usize,
}

/// Which of an agent's owners `--owner` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OwnerRole {
    /// `spec.owner` only.
    Owner,
    /// `spec.backupOwner` only.
    Backup,
    /// Either (the default: offboarding asks about both).
    #[default]
    Any,
}

/// Filters, all of which must hold for a row to be listed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Owner (or backup owner, as `role` says) email or name, case-insensitive.
    pub owner: Option<String>,
    pub role: OwnerRole,
    pub team: Option<String>,
    pub status: Option<String>,
    /// Expiring within this many days of today (or already expired, or without an expiry).
    pub expiring_within_days: Option<i64>,
    /// Only agents without a current review (missing, stale or not validly signed when signed).
    pub unreviewed: bool,
}

impl Filters {
    pub fn keep(&self, row: &Row) -> bool {
        let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b.trim());
        if let Some(owner) = &self.owner {
            let is_owner = || same(&row.owner_email, owner) || same(&row.owner, owner);
            let is_backup =
                || same(&row.backup_owner_email, owner) || same(&row.backup_owner, owner);
            let matched = match self.role {
                OwnerRole::Owner => is_owner(),
                OwnerRole::Backup => is_backup(),
                OwnerRole::Any => is_owner() || is_backup(),
            };
            if !matched {
                return false;
            }
        }
        if self.team.as_deref().is_some_and(|t| !same(&row.team, t)) {
            return false;
        }
        if self
            .status
            .as_deref()
            .is_some_and(|s| !same(&row.status, s))
        {
            return false;
        }
        if let Some(days) = self.expiring_within_days {
            if row.expires_in_days.is_some_and(|d| d > days) {
                return false;
            }
        }
        if self.unreviewed && !row.unreviewed() {
            return false;
        }
        true
    }
}

impl Row {
    /// No review, a stale one, a signature that does not verify, or any review finding of
    /// the check (AG040 to AG044).
    pub fn unreviewed(&self) -> bool {
        self.review_stale || self.review_signature == "invalid" || !self.review_findings.is_empty()
    }

    /// The row as CSV cells, in [`Row::HEADERS`] order: lists are joined with `; `.
    pub fn cells(&self) -> Vec<String> {
        let join = |items: &[String]| items.join("; ");
        let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        vec![
            self.name.clone(),
            self.file.clone(),
            self.purpose.clone(),
            self.owner.clone(),
            self.owner_email.clone(),
            self.backup_owner.clone(),
            self.backup_owner_email.clone(),
            self.team.clone(),
            self.status.clone(),
            self.expires.clone(),
            number(self.expires_in_days),
            self.identity_type.clone(),
            self.identity_id.clone(),
            join(&self.resources),
            join(&self.actions),
            self.high_consequence
                .iter()
                .map(|h| format!("{} on {} (approval: {})", h.action, h.resource, h.approval))
                .collect::<Vec<_>>()
                .join("; "),
            self.credentials
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}, ttl {}, rotation {}, shared {})",
                        c.name, c.kind, c.ttl, c.rotation, c.shared
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            join(&self.data_classes),
            self.worst_case.clone(),
            flag(self.reversible),
            flag(self.external_reach),
            join(&self.delegates_to),
            join(&self.delegated_by),
            self.reviewer.clone(),
            self.review_date.clone(),
            number(self.review_age_days),
            self.review_stale.to_string(),
            self.review_signature.clone(),
            self.review_signature_reason.clone(),
            self.errors.to_string(),
            self.warnings.to_string(),
            join(&self.review_findings),
        ]
    }

    pub const HEADERS: [&'static str; 32] = [
        "name",
        "file",
        "purpose",
        "owner",
        "ownerEmail",
        "backupOwner",
        "backupOwnerEmail",
        "team",
        "status",
        "expires",
        "expiresInDays",
        "identityType",
        "identityId",
        "resources",
        "actions",
        "highConsequence",
        "credentials",
        "dataClasses",
        "worstCase",
        "reversible",
        "externalReach",
        "delegatesTo",
        "delegatedBy",
        "reviewer",
        "reviewDate",
        "reviewAgeDays",
        "reviewStale",
        "reviewSignature",
        "reviewSignatureReason",
        "errors",
        "warnings",
        "reviewFindings",
    ];
}

/// What `agentgate inventory` (and `report`) need to build rows.
#[derive(Debug, Clone)]
pub struct InventoryOptions {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub today: Option<i64>,
    pub cwd: PathBuf,
    pub packs: Vec<PathBuf>,
    /// The commit the files were read from (`--at`); HEAD's when absent.
    pub commit: Option<String>,
    /// The `--at` past_tree that `cwd` lies in: held so that its files live as long as these
    /// options (dropping the past_tree deletes them).
    pub past_tree: Option<std::sync::Arc<crate::revision::PastTree>>,
}

/// The check outcome and one row per checked agent, in path order.
pub struct Inventory {
    pub outcome: Outcome,
    pub rows: Vec<Row>,
    /// `maxReviewAge` in whole days, as the rows' `reviewStale` judged it.
    pub max_review_age_days: i64,
}

impl InventoryOptions {
    /// The check an inventory is built from: the whole selection, no change filter.
    fn check_options(&self) -> CheckOptions {
        CheckOptions {
            paths: self.paths.clone(),
            config: self.config.clone(),
            fail_on: None,
            today: self.today,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            cwd: self.cwd.clone(),
            changes: None,
            packs: self.packs.clone(),
        }
    }

    pub fn context(&self) -> ContextOptions {
        self.check_options().context()
    }
}

/// Checks the repository and builds the inventory. `Err` carries the run's problems (exit 2).
pub fn build(options: &InventoryOptions) -> Result<Inventory, Vec<Problem>> {
    build_in(&RunContext::prepare(&options.context())?, options)
}

/// [`build`] in a prepared context. The rows read what the check computed (documents and
/// facts), so no manifest is read, parsed or verified twice.
pub fn build_in(ctx: &RunContext, options: &InventoryOptions) -> Result<Inventory, Vec<Problem>> {
    // The same check as `check` without flags, discovery included as it is there.
    let outcome = check::run_in(ctx, &options.check_options(), Discovery::default());
    if !outcome.problems.is_empty() {
        return Err(outcome.problems);
    }
    let mut delegated_by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for checked in &outcome.checked {
        for target in list(&checked.document, "/spec/delegation/delegatesTo") {
            delegated_by
                .entry(target)
                .or_default()
                .push(text(&checked.document, "/metadata/name"));
        }
    }
    // Rows quote the manifests: a value a rule flagged as a secret is shown redacted.
    let secrets = crate::output::Secrets::of(&outcome);
    let rows = outcome
        .checked
        .iter()
        .map(|checked| {
            let mut row = row_of(
                &checked.file,
                &checked.document,
                &checked.facts,
                &ctx.config,
            );
            row.delegated_by = delegated_by.get(&row.name).cloned().unwrap_or_default();
            row.delegated_by.sort();
            row.delegated_by.dedup();
            let own = |f: &&crate::finding::Finding| {
                f.file == checked.file && f.agent.as_deref() == Some(row.name.as_str())
            };
            for f in outcome.findings.iter().filter(own) {
                match f.severity {
                    Severity::Error => row.errors += 1,
                    Severity::Warning => row.warnings += 1,
                }
            }
            // The review columns are the check's verdicts: a review the check calls stale
            // (AG042: the manifest changed since it was signed) or expired (AG043) is stale.
            let waived = outcome.waived.iter().map(|w| &w.finding);
            for f in outcome.findings.iter().chain(waived).filter(own) {
                if REVIEW_RULES.contains(&f.rule.as_str()) {
                    push_unique(&mut row.review_findings, f.rule.clone());
                }
            }
            row.review_findings.sort();
            if row
                .review_findings
                .iter()
                .any(|r| r == "AG042" || r == "AG043")
            {
                row.review_stale = true;
            }
            // A signature that verifies over an earlier version of the manifest, or a review
            // superseded by the base's, is no evidence for the manifest as it is now.
            if row.review_signature == "valid" && row.review_findings.iter().any(|r| r == "AG042")
            {
                row.review_signature = "stale".into();
                row.review_signature_reason =
                    "the signature verifies, but over an earlier version of the manifest or a superseded review (AG042)".into();
            }
            secrets.scrub_serde(row)
        })
        .collect();
    Ok(Inventory {
        outcome,
        rows,
        max_review_age_days: max_review_age_days(&ctx.config),
    })
}

/// The rules that judge an agent's review.
const REVIEW_RULES: [&str; 5] = ["AG040", "AG041", "AG042", "AG043", "AG044"];

/// The value at `pointer` as text: a string without trailing whitespace, another scalar as JSON,
/// nothing when absent or null.
pub(crate) fn text(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(s)) => s.trim_end().to_string(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn list(value: &Value, pointer: &str) -> Vec<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn push_unique(items: &mut Vec<String>, item: String) {
    if !items.contains(&item) {
        items.push(item);
    }
}

fn max_review_age_days(config: &Config) -> i64 {
    i64::try_from(config.settings.max_review_age).unwrap_or(i64::MAX) / SECONDS_PER_DAY
}

/// One agent's row from its manifest and the facts the check computed for it.
fn row_of(file: &str, m: &Value, facts: &Value, config: &Config) -> Row {
    let low = &config.settings.low_consequence_actions;
    let mut resources = Vec::new();
    let mut actions = Vec::new();
    let mut high_consequence = Vec::new();
    let mut data_classes = Vec::new();
    for p in m
        .pointer("/spec/permissions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let resource = text(p, "/resource");
        push_unique(&mut resources, resource.clone());
        for action in list(p, "/actions") {
            push_unique(&mut actions, action.clone());
            if !low.iter().any(|l| l.eq_ignore_ascii_case(&action)) {
                let approval = text(p, "/approval");
                high_consequence.push(Consequential {
                    action,
                    resource: resource.clone(),
                    approval: if approval.is_empty() {
                        "none".into()
                    } else {
                        approval
                    },
                });
            }
        }
        for class in list(p, "/dataClasses") {
            push_unique(&mut data_classes, class);
        }
    }
    for class in list(m, "/spec/blastRadius/dataClasses") {
        push_unique(&mut data_classes, class);
    }
    let credentials = m
        .pointer("/spec/credentials")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| Credential {
            name: text(c, "/name"),
            kind: text(c, "/type"),
            ttl: text(c, "/ttl"),
            rotation: text(c, "/rotation"),
            shared: text(c, "/shared"),
        })
        .collect();
    let day = |pointer: &str| parse_date(&text(m, pointer));
    let days = |fact: &str| facts[fact].as_i64().map(|s| s.div_euclid(SECONDS_PER_DAY));
    let expires_in_days = days("expiresInSeconds");
    let review_age_days = days("reviewAgeSeconds");
    let max_age_days = max_review_age_days(config);
    let review_stale = review_age_days.is_none_or(|age| age > max_age_days || age < 0);
    let review = |key: &str| {
        facts["review"][key]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let boolean = |pointer: &str| m.pointer(pointer).and_then(Value::as_bool);
    Row {
        name: text(m, "/metadata/name"),
        file: file.to_string(),
        purpose: text(m, "/spec/purpose"),
        owner: text(m, "/spec/owner/name"),
        owner_email: text(m, "/spec/owner/email"),
        backup_owner: text(m, "/spec/backupOwner/name"),
        backup_owner_email: text(m, "/spec/backupOwner/email"),
        team: text(m, "/spec/owner/team"),
        status: text(m, "/spec/lifecycle/status"),
        expires: day("/spec/lifecycle/expires")
            .map(format_date)
            .unwrap_or_else(|| text(m, "/spec/lifecycle/expires")),
        expires_in_days,
        identity_type: text(m, "/spec/identity/type"),
        identity_id: text(m, "/spec/identity/id"),
        resources,
        actions,
        high_consequence,
        credentials,
        data_classes,
        worst_case: text(m, "/spec/blastRadius/worstCase"),
        reversible: boolean("/spec/blastRadius/reversible"),
        external_reach: boolean("/spec/blastRadius/externalReach"),
        delegates_to: list(m, "/spec/delegation/delegatesTo"),
        delegated_by: Vec::new(),
        reviewer: text(m, "/spec/review/reviewer"),
        review_date: text(m, "/spec/review/date"),
        review_age_days,
        review_stale,
        review_signature: review("signature"),
        review_signature_reason: review("reason"),
        review_findings: Vec::new(),
        errors: 0,
        warnings: 0,
    }
}

/// One CSV field, quoted as RFC 4180 asks when it holds a comma, quote or line break. A field
/// that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) and is not a number
/// is prefixed with `'`, so that a manifest value cannot run a formula in an auditor's sheet.
pub fn csv_field(text: &str) -> String {
    let number = text.parse::<i64>().is_ok();
    let guarded = if !number && text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

pub fn render_csv(rows: &[Row]) -> String {
    let mut out = Row::HEADERS.join(",");
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row.cells().iter().map(|c| csv_field(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn render_json(rows: &[Row]) -> String {
    let mut out =
        serde_json::to_string_pretty(&serde_json::json!({"agents": rows})).expect("rows serialise");
    out.push('\n');
    out
}

fn review_cell(row: &Row) -> String {
    if row.reviewer.is_empty() && row.review_date.is_empty() {
        return match row.review_findings.is_empty() {
            true => "none".into(),
            false => format!("none ({})", row.review_findings.join(", ")),
        };
    }
    let mut cell = format!("{} {}", row.reviewer, row.review_date);
    if row.review_stale {
        cell.push_str(" (stale)");
    }
    if !row.review_signature.is_empty() {
        let _ = write!(cell, " signature {}", row.review_signature);
    }
    if !row.review_findings.is_empty() {
        let _ = write!(cell, " ({})", row.review_findings.join(", "));
    }
    cell
}

fn findings_cell(row: &Row) -> String {
    format!(
        "{}, {}",
        crate::units::count(row.errors, "error"),
        crate::units::count(row.warnings, "warning")
    )
}

pub fn render_markdown(rows: &[Row]) -> String {
    use crate::output::markdown::escape;
    let mut out = format!(
        "### agentgate inventory: {}\n\n",
        crate::units::count(rows.len(), "agent")
    );
    out.push_str("| agent | file | purpose | owner | team | status | expires | identity | resources | high-consequence actions | credentials | data classes | worst case | delegates to | review | findings |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for row in rows {
        let cells = row.cells();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&row.name),
            escape(&row.file),
            escape(&row.purpose),
            escape(&format!("{} <{}>", row.owner, row.owner_email)),
            escape(&row.team),
            escape(&row.status),
            escape(&row.expires),
            escape(&format!("{} {}", row.identity_type, row.identity_id)),
            escape(&cells[13]),
            escape(&cells[15]),
            escape(&cells[16]),
            escape(&cells[17]),
            escape(&row.worst_case),
            escape(&cells[21]),
            escape(&review_cell(row)),
            escape(&findings_cell(row)),
        );
    }
    out
}

/// A terminal table: columns padded to their widest cell, control characters dropped (the
/// cells quote manifests). `inventory` and `owners` print theirs with it.
pub(crate) fn table(header: &[&str], lines: &[Vec<String>]) -> String {
    let clean = |s: &str| s.chars().filter(|c| !c.is_control()).collect::<String>();
    let lines: Vec<Vec<String>> = lines
        .iter()
        .map(|l| l.iter().map(|c| clean(c)).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for line in &lines {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut emit = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(padded.join("  ").trim_end());
        out.push('\n');
    };
    emit(&header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for line in &lines {
        emit(line);
    }
    out
}

/// The terminal table: the columns an auditor scans first; `--format json` has everything.
pub fn render_table(rows: &[Row]) -> String {
    let header = [
        "AGENT",
        "OWNER",
        "TEAM",
        "STATUS",
        "EXPIRES",
        "RESOURCES",
        "REVIEW",
        "FINDINGS",
    ];
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            vec![
                row.name.clone(),
                row.owner_email.clone(),
                row.team.clone(),
                row.status.clone(),
                row.expires.clone(),
                row.resources.len().to_string(),
                review_cell(row),
                findings_cell(row),
            ]
        })
        .collect();
    let mut out = table(&header, &lines);
    let _ = writeln!(out, "{}", crate::units::count(rows.len(), "agent"));
    // Cells quote the manifests: nothing in them may run a CI workflow command.
    crate::escape::without_workflow_commands(&out)
}

pub fn render(format: InventoryFormat, rows: &[Row]) -> String {
    match format {
        InventoryFormat::Table => render_table(rows),
        InventoryFormat::Csv => render_csv(rows),
        InventoryFormat::Json => render_json(rows),
        InventoryFormat::Markdown => render_markdown(rows),
    }
}

/// What `agentgate inventory` was asked for: the rows of which source, filtered, sorted and
/// rendered how.
#[derive(Debug)]
pub struct InventoryCommand {
    pub source: Source,
    pub format: InventoryFormat,
    pub filters: Filters,
    pub sort: SortKey,
}

/// What `inventory` and `report` read: which manifests, with which configuration and packs
/// (relative to the working folder), as of which date and commit.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// Folders or manifest files to include; the current folder when empty.
    pub paths: Vec<PathBuf>,
    /// Configuration file; `.agentgate.yaml` at the repository root when absent.
    pub config: Option<PathBuf>,
    /// Rule pack folders beside the built-in and configured ones, read from the working tree.
    pub packs: Vec<PathBuf>,
    /// Days since 1970-01-01 to evaluate as of; today (UTC) when absent.
    pub today: Option<i64>,
    /// A git revision to read the repository at, straight from git objects.
    pub at: Option<String>,
}

impl Source {
    /// The options to build an inventory with; with `--at`, over a past_tree of that commit.
    pub fn options(self, cwd: &Path) -> Result<InventoryOptions, String> {
        let past_tree = match &self.at {
            Some(rev) => Some(
                crate::revision::at(cwd, rev, DEFAULT_MAX_FILE_SIZE)
                    .map_err(|e| format!("error: {e}\n"))?,
            ),
            None => None,
        };
        Ok(InventoryOptions {
            paths: self.paths,
            config: self.config,
            today: self.today,
            cwd: past_tree
                .as_ref()
                .map_or_else(|| cwd.to_path_buf(), |s| s.cwd.clone()),
            packs: self.packs.iter().map(|p| cwd.join(p)).collect(),
            commit: past_tree.as_ref().map(|s| s.commit.clone()),
            past_tree: past_tree.map(std::sync::Arc::new),
        })
    }
}

/// How `inventory --sort` orders rows. Every order ends with file and name, so it is total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    File,
    Name,
    Owner,
    Team,
    Status,
    /// Soonest expiry first; no readable expiry date sorts first of all (it is the worst).
    Expires,
    /// Oldest review first; no review sorts first of all.
    Review,
    /// Most errors first, then most warnings.
    Findings,
}

impl SortKey {
    pub fn sort(self, rows: &mut [Row]) {
        let lower = |text: &str| text.to_lowercase();
        rows.sort_by(|a, b| {
            let first = match self {
                SortKey::File => std::cmp::Ordering::Equal,
                SortKey::Name => a.name.cmp(&b.name),
                SortKey::Owner => lower(&a.owner).cmp(&lower(&b.owner)),
                SortKey::Team => lower(&a.team).cmp(&lower(&b.team)),
                SortKey::Status => a.status.cmp(&b.status),
                SortKey::Expires => a.expires_in_days.cmp(&b.expires_in_days),
                SortKey::Review => {
                    let age = |r: &Row| r.review_age_days.map(std::cmp::Reverse);
                    age(a).cmp(&age(b))
                }
                SortKey::Findings => (b.errors, b.warnings).cmp(&(a.errors, a.warnings)),
            };
            first
                .then_with(|| a.file.cmp(&b.file))
                .then_with(|| a.name.cmp(&b.name))
        });
    }
}

/// Runs `agentgate inventory`: the text for stdout, or the problems for stderr and exit 2.
pub fn command(command: InventoryCommand, cwd: &Path) -> Result<String, String> {
    let options = command.source.options(cwd)?;
    let inventory = build(&options).map_err(|problems| problems_text(&problems))?;
    let mut rows: Vec<Row> = inventory
        .rows
        .into_iter()
        .filter(|r| command.filters.keep(r))
        .collect();
    command.sort.sort(&mut rows);
    Ok(render(command.format, &rows))
}
