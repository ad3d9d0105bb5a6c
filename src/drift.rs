//! `agentgate drift`: what each agent was declared to do, against what audit logs say it did.
//!
//! Logs are read as a stream ([`logs`]): native JSON Lines (gzip too), AWS CloudTrail record
//! files and the Okta System Log export. Each event in the window is attributed to every
//! manifest that declares its identity (`metadata.name` or `identity.id`) and matched against
//! that manifest's grants; the state kept is per agent and grant (counts, first and last time,
//! events per UTC clock hour, a capped list of undeclared and of observed resources), never per
//! event. The observations become `data.agentgate.facts[name].observed`, which the drift rules
//! (AG110 to AG112, Rego, `custom.family: drift`) judge through the ordinary evaluation; AG113
//! (events of an identity no manifest declares) has no manifest to judge and is computed here.

pub mod logs;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::check::{self, CheckOptions, Discovery, Extra, Outcome};
use crate::config::ResourceMapping;
use crate::context::RunContext;
use crate::finding::{Finding, Place, Problem};
use crate::rule::{BuiltinRule, Command, Severity};
use crate::source::{SourceFile, Span};
use crate::units::format_date;

pub use logs::{Event, Outcome as EventOutcome};

/// Undeclared (resource, action) pairs and observed resources listed per agent; beyond it, only
/// counted (`undeclaredOverflow`, `resourcesOverflow`), so the facts stay bounded.
pub const LIST_CAP: usize = 100;

/// Identities without a manifest tracked for AG113; further ones are counted in a note.
pub const UNKNOWN_CAP: usize = 1000;

const SECONDS_PER_HOUR: i64 = 3600;

/// What `drift` reads and when.
#[derive(Debug, Clone)]
pub struct DriftOptions {
    pub logs: Vec<PathBuf>,
    /// First day of the window (days since 1970-01-01), inclusive; 30 days before today when
    /// absent.
    pub since: Option<i64>,
    /// Last day of the window, inclusive; the day before today when absent.
    pub until: Option<i64>,
    pub check: CheckOptions,
}

/// `since`..`until` as seconds: [start, end).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub since: i64,
    pub until: i64,
}

impl Window {
    pub fn of(since: Option<i64>, until: Option<i64>, today: i64) -> Window {
        let until = until.unwrap_or(today - 1);
        let since = since.unwrap_or(today - 30);
        Window { since, until }
    }

    fn start(&self) -> i64 {
        self.since * 86_400
    }

    fn end(&self) -> i64 {
        (self.until + 1) * 86_400
    }

    pub fn contains(&self, time: i64) -> bool {
        time >= self.start() && time < self.end()
    }
}

/// RFC 3339 UTC of seconds since 1970.
pub fn format_time(seconds: i64) -> String {
    let day = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        format_date(day),
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Whether a grant's resource covers an event's: equal, or a prefix ending at a URI path
/// boundary (`db://prod` covers `db://prod/users`, never `db://production`). Unlike AG071's
/// exact comparison of grants, a grant here covers what lies below it.
pub fn covers(grant: &str, resource: &str) -> bool {
    match resource.strip_prefix(grant) {
        Some("") => true,
        Some(rest) => rest.starts_with('/') || grant.ends_with('/'),
        None => false,
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    allowed: u64,
    denied: u64,
    first: Option<i64>,
    last: Option<i64>,
}

impl Counts {
    fn add(&mut self, event: &Event) {
        match event.outcome {
            EventOutcome::Allowed => self.allowed += 1,
            EventOutcome::Denied => self.denied += 1,
        }
        self.first = Some(self.first.map_or(event.time, |f| f.min(event.time)));
        self.last = Some(self.last.map_or(event.time, |l| l.max(event.time)));
    }

    fn json(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("allowed".into(), json!(self.allowed));
        map.insert("denied".into(), json!(self.denied));
        map.insert("first".into(), json!(self.first.map(format_time)));
        map.insert("last".into(), json!(self.last.map(format_time)));
        map
    }
}

/// One declared (resource, action) of a manifest.
struct Grant {
    permission: usize,
    resource: String,
    action: String,
    /// Lower-cased, for matching.
    key: String,
    counts: Counts,
}

/// Everything observed of one manifest: bounded by its grants, the hours of the window and the
/// list caps.
struct Agent {
    grants: Vec<Grant>,
    events: u64,
    hours: BTreeMap<i64, u64>,
    /// Resource → lower-cased action → counts (nested, so that a lookup allocates nothing).
    undeclared: HashMap<String, HashMap<String, Counts>>,
    undeclared_pairs: usize,
    undeclared_overflow: u64,
    resources: HashMap<String, Counts>,
    resources_overflow: u64,
}

impl Agent {
    fn of(document: &Value) -> Agent {
        let mut grants = Vec::new();
        let permissions = document
            .pointer("/spec/permissions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, p) in permissions.enumerate() {
            let Some(resource) = p.get("resource").and_then(Value::as_str) else {
                continue;
            };
            let actions = p
                .get("actions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for action in actions.filter_map(Value::as_str) {
                grants.push(Grant {
                    permission: i,
                    resource: resource.to_string(),
                    action: action.to_string(),
                    key: action.to_lowercase(),
                    counts: Counts::default(),
                });
            }
        }
        Agent {
            grants,
            events: 0,
            hours: BTreeMap::new(),
            undeclared: HashMap::new(),
            undeclared_pairs: 0,
            undeclared_overflow: 0,
            resources: HashMap::new(),
            resources_overflow: 0,
        }
    }

    fn record(&mut self, event: &Event) {
        self.events += 1;
        *self
            .hours
            .entry(event.time.div_euclid(SECONDS_PER_HOUR))
            .or_default() += 1;
        // Lower-cased without an allocation when it is already (the common case).
        let action: std::borrow::Cow<str> = if event
            .action
            .chars()
            .any(|c| c.is_uppercase() || !c.is_ascii())
        {
            std::borrow::Cow::Owned(event.action.to_lowercase())
        } else {
            std::borrow::Cow::Borrowed(event.action.as_ref())
        };
        let mut granted = false;
        for grant in &mut self.grants {
            if grant.key == action && covers(&grant.resource, &event.resource) {
                grant.counts.add(event);
                granted = true;
            }
        }
        if !granted {
            let known = self
                .undeclared
                .get_mut(event.resource.as_ref())
                .and_then(|actions| actions.get_mut(action.as_ref()));
            if let Some(counts) = known {
                counts.add(event);
            } else if self.undeclared_pairs < LIST_CAP {
                self.undeclared_pairs += 1;
                self.undeclared
                    .entry(event.resource.to_string())
                    .or_default()
                    .entry(action.into_owned())
                    .or_default()
                    .add(event);
            } else {
                self.undeclared_overflow += 1;
            }
        }
        if let Some(counts) = self.resources.get_mut(event.resource.as_ref()) {
            counts.add(event);
        } else if self.resources.len() < LIST_CAP {
            self.resources
                .entry(event.resource.to_string())
                .or_default()
                .add(event);
        } else {
            self.resources_overflow += 1;
        }
    }

    /// `data.agentgate.facts[name].observed` (documented in the data schema).
    fn facts(&self, window: Window) -> Value {
        let grants: Vec<Value> = self
            .grants
            .iter()
            .map(|g| {
                let mut map = g.counts.json();
                map.insert("permission".into(), json!(g.permission));
                map.insert("resource".into(), json!(g.resource));
                map.insert("action".into(), json!(g.action));
                Value::Object(map)
            })
            .collect();
        let busiest = self
            .hours
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)));
        let mut undeclared: Vec<(&String, &String, &Counts)> = self
            .undeclared
            .iter()
            .flat_map(|(r, actions)| actions.iter().map(move |(a, c)| (r, a, c)))
            .collect();
        undeclared.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let undeclared: Vec<Value> = undeclared
            .into_iter()
            .map(|(resource, action, counts)| {
                let mut map = counts.json();
                map.insert("resource".into(), json!(resource));
                map.insert("action".into(), json!(action));
                Value::Object(map)
            })
            .collect();
        let mut resources: Vec<(&String, &Counts)> = self.resources.iter().collect();
        resources.sort_by(|a, b| a.0.cmp(b.0));
        let resources: Vec<Value> = resources
            .into_iter()
            .map(|(resource, counts)| {
                let mut map = counts.json();
                map.insert("resource".into(), json!(resource));
                Value::Object(map)
            })
            .collect();
        json!({
            "since": format_date(window.since),
            "until": format_date(window.until),
            "events": self.events,
            "grants": grants,
            "maxPerHour": {
                "count": busiest.map_or(0, |(_, n)| *n),
                "hour": busiest.map(|(h, _)| format_time(h * SECONDS_PER_HOUR)),
            },
            "undeclared": undeclared,
            "undeclaredOverflow": self.undeclared_overflow,
            "resources": resources,
            "resourcesOverflow": self.resources_overflow,
        })
    }
}

/// Events of an identity that no manifest declares (AG113), from their first one on.
struct Unknown {
    counts: Counts,
    /// The log file (index into the files read) and line of the first event, and its text.
    file: usize,
    line: usize,
    text: String,
}

/// The state of one drift run over all its logs.
struct Observer<'a> {
    window: Window,
    mappings: &'a [ResourceMapping],
    /// Identity (`metadata.name` or `identity.id`) → every manifest that declares it.
    claims: HashMap<String, Vec<usize>>,
    agents: Vec<Agent>,
    unknown: BTreeMap<String, Unknown>,
    unknown_overflow: u64,
    outside_window: u64,
}

impl<'a> Observer<'a> {
    fn new(documents: &[&Value], window: Window, mappings: &'a [ResourceMapping]) -> Self {
        let mut claims: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, document) in documents.iter().enumerate() {
            for pointer in ["/metadata/name", "/spec/identity/id"] {
                if let Some(id) = document.pointer(pointer).and_then(Value::as_str) {
                    let claimants = claims.entry(id.to_string()).or_default();
                    if !claimants.contains(&i) {
                        claimants.push(i);
                    }
                }
            }
        }
        Observer {
            window,
            mappings,
            claims,
            agents: documents.iter().map(|d| Agent::of(d)).collect(),
            unknown: BTreeMap::new(),
            unknown_overflow: 0,
            outside_window: 0,
        }
    }

    /// One event: attributed to every manifest that declares one of its identities (a decoy
    /// manifest claiming another agent's identity takes nothing away from that agent: both are
    /// judged on the events), or to an unknown identity.
    fn observe(&mut self, mut event: Event<'_>, file: usize, text: impl FnOnce() -> String) {
        if !self.window.contains(event.time) {
            self.outside_window += 1;
            return;
        }
        if let Some(raw) = event.raw_resource.as_deref() {
            if let Some(m) = self.mappings.iter().find(|m| m.pattern.is_match(raw)) {
                event.resource = std::borrow::Cow::Owned(m.resource.clone());
            }
        }
        let mut claimed = false;
        let mut seen: Vec<usize> = Vec::new();
        for id in event.identities() {
            for &i in self.claims.get(id).into_iter().flatten() {
                if !seen.contains(&i) {
                    seen.push(i);
                    self.agents[i].record(&event);
                }
                claimed = true;
            }
        }
        if claimed {
            return;
        }
        let id = event.identity.as_ref();
        if let Some(unknown) = self.unknown.get_mut(id) {
            unknown.counts.add(&event);
        } else if self.unknown.len() < UNKNOWN_CAP {
            let mut counts = Counts::default();
            counts.add(&event);
            self.unknown.insert(
                id.to_string(),
                Unknown {
                    counts,
                    file,
                    line: event.line,
                    text: text(),
                },
            );
        } else {
            self.unknown_overflow += 1;
        }
    }
}

/// The log files read, as shown, and the AG113 findings in them.
fn unknown_findings(
    observer: &Observer,
    files: &[String],
    paths: &[PathBuf],
    ctx: &RunContext,
) -> Vec<Finding> {
    let Some(rule) = ctx.registry.builtin_rule(BuiltinRule::IdentityUndeclared) else {
        return Vec::new();
    };
    // One sparse copy of each log file holding only the first-event lines, at their line
    // numbers, so that every output format points at the right line without keeping the log.
    let mut by_file: BTreeMap<usize, Vec<(usize, &str)>> = BTreeMap::new();
    for unknown in observer.unknown.values() {
        by_file
            .entry(unknown.file)
            .or_default()
            .push((unknown.line, unknown.text.as_str()));
    }
    let mut sources: BTreeMap<usize, (Arc<SourceFile>, BTreeMap<usize, usize>)> = BTreeMap::new();
    for (file, mut lines) in by_file {
        lines.sort();
        lines.dedup_by_key(|(line, _)| *line);
        let mut text = String::new();
        let mut offsets = BTreeMap::new();
        let mut current = 1;
        for (line, content) in lines {
            while current < line {
                text.push('\n');
                current += 1;
            }
            offsets.insert(line, text.chars().count());
            text.push_str(content);
        }
        text.push('\n');
        let source = SourceFile::new(paths[file].clone(), files[file].clone(), text);
        sources.insert(file, (Arc::new(source), offsets));
    }
    let mut out = Vec::new();
    for (id, unknown) in &observer.unknown {
        let Some((source, offsets)) = sources.get(&unknown.file) else {
            continue;
        };
        let at = offsets.get(&unknown.line).copied().unwrap_or_default();
        let place = Place {
            source: source.clone(),
            at,
            label: Span {
                start: at,
                end: at + unknown.text.chars().count(),
            },
        };
        let c = &unknown.counts;
        let message = format!(
            "events from identity {id:?}, which no manifest declares (as metadata.name or identity.id): {} allowed, {} denied, first {}, last {}",
            c.allowed,
            c.denied,
            c.first.map(format_time).unwrap_or_default(),
            c.last.map(format_time).unwrap_or_default()
        );
        out.push(Finding::of_rule(
            rule,
            place,
            None,
            String::new(),
            message,
            false,
        ));
    }
    out
}

/// Runs `drift`: the outcome to render as `check`'s is, or the problems (exit 2).
pub fn run(options: &DriftOptions) -> Outcome {
    let ctx = match RunContext::prepare(&options.check.context()) {
        Ok(ctx) => ctx,
        Err(problems) => {
            return Outcome {
                problems,
                ..Outcome::default()
            }
        }
    };
    run_in(&ctx, options)
}

pub fn run_in(ctx: &RunContext, options: &DriftOptions) -> Outcome {
    let window = Window::of(options.since, options.until, ctx.today);
    if window.since > window.until {
        return Outcome {
            problems: vec![Problem::whole(
                "(command line)",
                format!(
                    "the window is empty: --since {} is after --until {}",
                    format_date(window.since),
                    format_date(window.until)
                ),
            )],
            ..Outcome::default()
        };
    }
    let shown: Vec<String> = options
        .logs
        .iter()
        .map(|p| crate::fs::display_path(&options.check.cwd.join(p), &ctx.cwd))
        .collect();
    let paths: Vec<PathBuf> = options
        .logs
        .iter()
        .map(|p| options.check.cwd.join(p))
        .collect();
    let mut log_problems: Vec<Problem> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let mut observe = |documents: &[&Value]| {
        let mut observer = Observer::new(documents, window, &ctx.config.drift_resources);
        for (index, path) in paths.iter().enumerate() {
            let result = logs::read(path, &shown[index], &mut |event, text| {
                // The snippet of an AG113 finding: enough of the event to recognise it.
                observer.observe(event, index, || {
                    String::from_utf8_lossy(text).chars().take(2000).collect()
                });
            });
            if let Err(problem) = result {
                log_problems.push(problem);
            }
        }
        if observer.unknown_overflow > 0 {
            notes.push(format!(
                "{} events of further identities that no manifest declares are not listed (AG113 lists the first {UNKNOWN_CAP} identities)",
                observer.unknown_overflow
            ));
        }
        if observer.outside_window > 0 {
            notes.push(format!(
                "{} events outside the window {} to {} were not counted",
                observer.outside_window,
                format_date(window.since),
                format_date(window.until)
            ));
        }
        let facts = observer
            .agents
            .iter()
            .map(|a| {
                let mut map = Map::new();
                map.insert("observed".into(), a.facts(window));
                Some(map)
            })
            .collect();
        (facts, unknown_findings(&observer, &shown, &paths, ctx))
    };
    let mut outcome = check::run_in_with(
        ctx,
        &options.check,
        Discovery::Off,
        Some(Extra {
            command: Command::Drift,
            observe: &mut observe,
        }),
    );
    if !log_problems.is_empty() {
        // Observations of logs read in part are not evidence: no finding is made of them.
        outcome.findings.clear();
        outcome.waived.clear();
        notes.push(
            "no drift finding is reported: a log could not be read completely, so what was observed is incomplete".into(),
        );
    }
    outcome.problems.extend(log_problems);
    outcome.notes.extend(notes);
    outcome.notes.push(format!(
        "drift window {} to {} (UTC, inclusive), logs: {}",
        format_date(window.since),
        format_date(window.until),
        shown.join(", ")
    ));
    outcome.discovered = false;
    if outcome.fail_on.is_none() {
        outcome.fail_on = Some(Severity::Error);
    }
    outcome
}
