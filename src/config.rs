//! `.agentgate.yaml`: read with positions, so that every mistake in it is reported at its line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

use crate::finding::Problem;
use crate::pack_source::{is_full_commit_id, PackSource};
use crate::rule::Severity;
use crate::source::SourceFile;
use crate::units::parse_duration;
use crate::validate::{config_validator, violations};
use crate::waiver::Waiver;
use crate::yaml::{self, locate, Limits, Node};

pub const FILE_NAME: &str = ".agentgate.yaml";

#[derive(Debug, Clone)]
pub struct RuleOverride {
    pub severity: Option<Severity>,
    pub enabled: Option<bool>,
    /// Pointer of this override in the configuration, for diagnostics.
    pub pointer: String,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub max_ttl: u64,
    pub max_static_ttl: u64,
    pub max_review_age: u64,
    /// How long before today a review that the change under check adds or alters may be
    /// dated (AG041, reason backdated), in seconds.
    pub max_review_backdate: u64,
    pub max_lifetime: u64,
    pub low_consequence_actions: Vec<String>,
    pub non_person_emails: Vec<String>,
    pub allowed_signers: Option<PathBuf>,
    pub directory: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        let words = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Settings {
            max_ttl: 24 * 3600,
            max_static_ttl: 90 * 86_400,
            max_review_age: 180 * 86_400,
            max_review_backdate: 7 * 86_400,
            max_lifetime: 365 * 86_400,
            low_consequence_actions: words(&[
                "read", "list", "get", "query", "describe", "view", "search",
            ]),
            non_person_emails: words(&[
                "team-*", "*-team", "noreply", "no-reply", "admin", "security", "ops", "devops",
                "root", "*-bot", "bot-*", "svc-*",
            ]),
            allowed_signers: None,
            directory: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// The configuration file and its parsed tree, when there is one.
    pub file: Option<(Arc<SourceFile>, Node)>,
    /// The folder configuration paths are relative to.
    pub dir: PathBuf,
    pub fail_on: Severity,
    pub exclude: Vec<String>,
    pub rules: BTreeMap<String, RuleOverride>,
    pub settings: Settings,
    pub waivers: Vec<Arc<Waiver>>,
    /// Rule packs beside the built-in one, in the order given.
    pub packs: Vec<PackSource>,
    /// Whether `check` also looks for unregistered agents: on unless the configuration says
    /// `discover: false` (`--no-discover` turns it off for one run).
    pub discover: bool,
    /// `drift.resources`: raw resource names of audit logs mapped to manifest URIs, in order.
    pub drift_resources: Vec<ResourceMapping>,
}

/// One `drift.resources` entry: a glob over a log's raw resource name and the URI it stands for.
#[derive(Debug, Clone)]
pub struct ResourceMapping {
    pub pattern: globset::GlobMatcher,
    pub resource: String,
}

impl Config {
    pub fn defaults(dir: PathBuf) -> Self {
        Config {
            file: None,
            dir,
            fail_on: Severity::Error,
            exclude: Vec::new(),
            rules: BTreeMap::new(),
            settings: Settings::default(),
            waivers: Vec::new(),
            packs: Vec::new(),
            discover: true,
            drift_resources: Vec::new(),
        }
    }

    /// A problem at `pointer` inside the configuration file.
    pub fn problem(&self, pointer: &str, message: impl Into<String>) -> Problem {
        match &self.file {
            Some((source, root)) => {
                let (at, label) = locate(root, pointer);
                Problem::at(source, at, label, message)
            }
            None => Problem::whole("(configuration)", message),
        }
    }

    /// The configuration file a command uses: `explicit` (relative to `cwd`) when given, else
    /// `.agentgate.yaml` at the repository `root` when there is one.
    pub fn path_for(cwd: &Path, root: &Path, explicit: Option<&Path>) -> Option<PathBuf> {
        match explicit {
            Some(path) => Some(crate::fs::normalize(&cwd.join(path))),
            None => Some(root.join(FILE_NAME)).filter(|p| p.is_file()),
        }
    }

    /// The configuration of [`Config::path_for`], or the defaults when there is no file.
    pub fn load_for(
        cwd: &Path,
        root: &Path,
        explicit: Option<&Path>,
        max_bytes: u64,
    ) -> Result<Config, Vec<Problem>> {
        match Config::path_for(cwd, root, explicit) {
            Some(path) => Config::load(&path, crate::fs::display_path(&path, cwd), max_bytes),
            None => Ok(Config::defaults(root.to_path_buf())),
        }
    }

    /// Reads the configuration file; every problem found is returned, not just the first.
    pub fn load(path: &Path, display: String, max_bytes: u64) -> Result<Config, Vec<Problem>> {
        let text = crate::fs::read_text(path, max_bytes).map_err(|e| {
            vec![Problem::whole(
                display.clone(),
                format!("cannot read the configuration: {e}"),
            )]
        })?;
        let source = Arc::new(SourceFile::new(path.to_path_buf(), display.clone(), text));
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut documents = yaml::parse(&source, Limits::default())
            .map_err(|e| vec![Problem::at(&source, e.offset, e.span, e.message)])?;
        if documents.len() > 1 {
            return Err(vec![Problem::whole(
                display,
                "the configuration must be a single YAML document",
            )]);
        }
        let Some(document) = documents.pop() else {
            return Ok(Config::defaults(dir));
        };
        let mut config = Config::defaults(dir);
        config.file = Some((source, document.root));
        let value = document.value;
        let mut problems: Vec<Problem> = violations(config_validator(), &value)
            .into_iter()
            .map(|v| config.problem(&v.pointer, format!("invalid configuration: {}", v.message)))
            .collect();
        if problems.is_empty() {
            config.apply(&value, &mut problems);
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    fn apply(&mut self, value: &Value, problems: &mut Vec<Problem>) {
        self.packs = self.pack_sources(value, problems);
        self.waivers = Waiver::list(value, &self.dir);
        let waivers = value.get("waivers").and_then(Value::as_array);
        for (i, w) in waivers.into_iter().flatten().enumerate() {
            if let Some(Err(message)) = w
                .get("file")
                .and_then(Value::as_str)
                .map(crate::waiver::file_glob)
            {
                problems.push(self.problem(&format!("/waivers/{i}/file"), message));
            }
        }
        if let Some(level) = value
            .get("failOn")
            .and_then(Value::as_str)
            .and_then(Severity::parse)
        {
            self.fail_on = level;
        }
        self.exclude = strings(value.pointer("/exclude"));
        self.discover = value.get("discover").and_then(Value::as_bool) != Some(false);
        let mappings = value
            .pointer("/drift/resources")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, entry) in mappings.enumerate() {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).unwrap_or_default();
            match globset::GlobBuilder::new(text("match"))
                .literal_separator(false)
                .build()
            {
                Ok(glob) => self.drift_resources.push(ResourceMapping {
                    pattern: glob.compile_matcher(),
                    resource: text("resource").to_string(),
                }),
                Err(e) => problems.push(self.problem(
                    &format!("/drift/resources/{i}/match"),
                    format!("not a glob: {e}"),
                )),
            }
        }
        if let Some(Value::Object(rules)) = value.get("rules") {
            for (id, entry) in rules {
                let pointer = format!("/rules/{}", id.replace('~', "~0").replace('/', "~1"));
                self.rules.insert(
                    id.clone(),
                    RuleOverride {
                        severity: entry
                            .get("severity")
                            .and_then(Value::as_str)
                            .and_then(Severity::parse),
                        enabled: entry.get("enabled").and_then(Value::as_bool),
                        pointer,
                    },
                );
            }
        }
        if let Some(settings) = value.get("settings") {
            self.apply_settings(settings, problems);
        }
    }

    fn pack_sources(&self, value: &Value, problems: &mut Vec<Problem>) -> Vec<PackSource> {
        let mut sources = Vec::new();
        let entries = value
            .get("packs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten();
        for (i, entry) in entries.enumerate() {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
            if let Some(path) = text("path") {
                sources.push(PackSource::Dir(self.dir.join(path)));
            } else if let (Some(url), Some(rev)) = (text("git"), text("rev")) {
                if !is_full_commit_id(&rev) {
                    problems.push(self.problem(
                        &format!("/packs/{i}/rev"),
                        format!("`rev`: {rev:?} is not a full 40-character commit id; branches and tags can move under a gate, so pin a commit"),
                    ));
                }
                sources.push(PackSource::Git {
                    url,
                    rev,
                    subdir: text("subdir"),
                });
            }
        }
        sources
    }

    fn apply_settings(&mut self, settings: &Value, problems: &mut Vec<Problem>) {
        let durations: [(&str, &mut u64); 5] = [
            ("maxTtl", &mut self.settings.max_ttl),
            ("maxStaticTtl", &mut self.settings.max_static_ttl),
            ("maxReviewAge", &mut self.settings.max_review_age),
            ("maxReviewBackdate", &mut self.settings.max_review_backdate),
            ("maxLifetime", &mut self.settings.max_lifetime),
        ];
        let mut bad = Vec::new();
        for (key, slot) in durations {
            if let Some(text) = settings.get(key).and_then(Value::as_str) {
                match parse_duration(text) {
                    Some(seconds) => *slot = seconds,
                    None => bad.push((key, text.to_string())),
                }
            }
        }
        for (key, text) in bad {
            problems.push(self.problem(
                &format!("/settings/{key}"),
                format!("`{key}`: {text:?} is not a duration; write it like 24h, 90d or PT1H"),
            ));
        }
        if settings.get("lowConsequenceActions").is_some() {
            self.settings.low_consequence_actions = strings(settings.get("lowConsequenceActions"))
                .iter()
                .map(|s| s.to_lowercase())
                .collect();
        }
        if settings.get("nonPersonEmails").is_some() {
            self.settings.non_person_emails = strings(settings.get("nonPersonEmails"))
                .iter()
                .map(|s| s.to_lowercase())
                .collect();
        }
        let path = |key: &str| {
            settings
                .get(key)
                .and_then(Value::as_str)
                .map(|p| self.dir.join(p))
        };
        self.settings.allowed_signers = path("allowedSigners");
        self.settings.directory = path("directory");
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
