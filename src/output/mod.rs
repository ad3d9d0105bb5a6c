//! Stage 5, report: renderers over the same findings and problems, one module per format, all
//! fed from the same [`Outcome`]. Only `human` uses miette.

pub mod concise;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::check::Outcome;
use crate::finding::{Finding, Place};
use crate::rule::Severity;
use crate::source::{Pos, SourceFile};
use crate::units::format_date;

/// The output formats of `agentgate check --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Junit,
    Github,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Markdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `--format NAME[=FILE]`: a format and where it goes (stdout without a file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub file: Option<PathBuf>,
}

impl FromStr for Output {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, file) = match text.split_once('=') {
            Some((name, "")) => {
                return Err(format!(
                    "`{name}=` names no file; write {name}=FILE, or {name} for stdout"
                ))
            }
            Some((name, file)) => (name, Some(PathBuf::from(file))),
            None => (text, None),
        };
        let format = Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!("unknown format {name:?}; use one of {}", names.join(", "))
            })?;
        Ok(Output { format, file })
    }
}

/// What renderers need about the run itself rather than its findings (JUnit's timestamp and
/// hostname). Kept apart from [`Outcome`] so that renderers stay pure functions.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// When the run started, UTC, as `YYYY-MM-DDTHH:MM:SS`.
    pub timestamp: String,
    pub hostname: String,
}

impl RunInfo {
    pub fn now() -> RunInfo {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let days = i64::try_from(seconds / 86_400).unwrap_or_default();
        let time = seconds % 86_400;
        let timestamp = format!(
            "{}T{:02}:{:02}:{:02}",
            format_date(days),
            time / 3600,
            time / 60 % 60,
            time % 60
        );
        RunInfo {
            timestamp,
            hostname: hostname(),
        }
    }
}

/// The machine's name as JUnit wants it, or `localhost` when it cannot be told.
fn hostname() -> String {
    let from_env = ["HOSTNAME", "COMPUTERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok());
    let from_kernel = || std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    from_env
        .or_else(from_kernel)
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// One format's text for an outcome.
pub fn render(format: Format, outcome: &Outcome, color: bool, info: &RunInfo) -> String {
    match format {
        Format::Human => human::render(outcome, color),
        Format::Concise => concise::render(outcome),
        Format::Json => json::render(outcome),
        Format::Sarif => sarif::render(outcome),
        Format::Junit => junit::render(outcome, info),
        Format::Github => github::render(outcome),
        Format::Markdown => markdown::render(outcome),
    }
}

/// Refuses outputs that would overwrite each other: two formats written to the same file.
pub fn check_outputs(outputs: &[Output]) -> Result<(), String> {
    for (i, output) in outputs.iter().enumerate() {
        let Some(file) = &output.file else { continue };
        if let Some(other) = outputs[..i].iter().find(|o| o.file.as_ref() == Some(file)) {
            return Err(format!(
                "--format {} and --format {} both write to {}; give each its own file",
                other.format,
                output.format,
                file.display()
            ));
        }
    }
    Ok(())
}

/// `--color`: whether the human output on stdout is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal, unless `NO_COLOR` is set; `FORCE_COLOR` or
    /// `CLICOLOR_FORCE` colour a pipe too (a CI log that renders colours).
    #[default]
    Auto,
    Always,
    Never,
}

/// How the text formats on stdout look: coloured or not, and `--quiet` (the summary line and
/// what agentgate could not check, no findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    pub color: ColorChoice,
    pub quiet: bool,
}

/// Writes every output (files relative to the working directory, their folders created as
/// needed; the rest to stdout, in the order given) and, when `github` is among them and `GITHUB_STEP_SUMMARY` names a file, appends
/// the Markdown summary to it. Returns what could not be written; the caller exits 2 for it.
pub fn emit(outcome: &Outcome, outputs: &[Output], info: &RunInfo) -> Vec<String> {
    emit_styled(outcome, outputs, info, Style::default())
}

/// [`emit`] with a [`Style`] for stdout; files are always written whole and without colour.
pub fn emit_styled(
    outcome: &Outcome,
    outputs: &[Output],
    info: &RunInfo,
    style: Style,
) -> Vec<String> {
    let mut errors = Vec::new();
    let color = use_color_with(style.color, &|name| std::env::var_os(name), &|| {
        std::io::stdout().is_terminal()
    });
    for output in outputs {
        match &output.file {
            None if style.quiet && matches!(output.format, Format::Human | Format::Concise) => {
                print(&quiet(outcome))
            }
            Some(path) => {
                let text = render(output.format, outcome, false, info);
                let written = write_report(path, text.as_bytes());
                if let Err(e) = written {
                    errors.push(format!(
                        "cannot write the {} report to {}: {e}",
                        output.format,
                        path.display()
                    ));
                }
            }
            None => print(&render(output.format, outcome, color, info)),
        }
    }
    let summary = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty());
    if let Some(path) = summary.filter(|_| outputs.iter().any(|o| o.format == Format::Github)) {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(markdown::render(outcome).as_bytes()));
        if let Err(e) = appended {
            errors.push(format!(
                "cannot append the job summary to GITHUB_STEP_SUMMARY ({}): {e}",
                PathBuf::from(path).display()
            ));
        }
    }
    errors
}

/// Writes a report file without following a symlink at its path: the text goes to a new
/// temporary file in the same folder (created exclusively, so never through a link), which is
/// then renamed over the path. A committed `agentgate.sarif -> /elsewhere` is replaced by the
/// report, and what it pointed to is left alone. Folders are created as needed.
fn write_report(path: &std::path::Path, text: &[u8]) -> std::io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(parent)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".agentgate-report-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As `std::fs::write` creates files: 0666 less the umask, not tempfile's 0600.
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut file = builder.tempfile_in(parent)?;
    file.write_all(text)?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (agentgate check | head) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Where the token a place underlines ends: the line and column just after its last character,
/// when it has one. Renderers that show a range (SARIF, GitHub) use it as the region's end.
pub fn end_of(place: &Place) -> Option<Pos> {
    (place.label.end > place.label.start).then(|| place.source.pos(place.label.end))
}

use crate::units::count as plural;

/// `2 errors, 1 warning in 2 of 3 agents; 1 problem (…)`: the last line of human output and the
/// headline of the Markdown summary.
pub fn summary_line(outcome: &Outcome) -> String {
    let mut line = format!(
        "{}, {} in {} of {}",
        plural(outcome.count(Severity::Error), "error"),
        plural(outcome.count(Severity::Warning), "warning"),
        outcome.agents_with_findings(),
        plural(outcome.agents, "agent"),
    );
    let others = outcome.other_files_with_findings();
    if others > 0 {
        line.push_str(&format!(
            " and {} outside manifests",
            plural(others, "file")
        ));
    }
    let nothing_exists =
        outcome.inventory == 0 && outcome.footprints == 0 && outcome.waived.is_empty();
    if outcome.agents == 0 && others == 0 && outcome.problems.is_empty() && !nothing_exists {
        // There are agents, but this run reports none of them: say so, not "none found".
        if outcome.inventory > 0 {
            line = format!(
                "{}, {}: this run reports none of the repository's {} (the change or the paths given reach none)",
                plural(outcome.count(Severity::Error), "error"),
                plural(outcome.count(Severity::Warning), "warning"),
                plural(outcome.inventory, "agent"),
            );
        }
    } else if outcome.agents == 0 && others == 0 && outcome.problems.is_empty() {
        line = if outcome.discovered {
            "no agents found: no manifests and no agent footprints".to_string()
        } else {
            "no agents found: no manifests (discovery off, footprints not looked for)".to_string()
        };
        if outcome.count(Severity::Error) + outcome.count(Severity::Warning) > 0 {
            line.push_str(&format!(
                "; {}, {}",
                plural(outcome.count(Severity::Error), "error"),
                plural(outcome.count(Severity::Warning), "warning"),
            ));
        }
    }
    if outcome.other_tools > 0 {
        line.push_str(&format!(
            "; {} of other tools in manifest places",
            plural(outcome.other_tools, "file")
        ));
    }
    if !outcome.waived.is_empty() {
        line.push_str(&format!("; {} waived", outcome.waived.len()));
    }
    if !outcome.problems.is_empty() {
        line.push_str(&format!(
            "; {} (files, configuration or policies agentgate could not check)",
            plural(outcome.problems.len(), "problem")
        ));
    }
    line
}

/// Whether to colour output by default (`--color auto`): see [`use_color_with`].
pub fn use_color() -> bool {
    use_color_with(ColorChoice::Auto, &|name| std::env::var_os(name), &|| {
        std::io::stdout().is_terminal()
    })
}

/// Whether to colour: `--color always` or `never` decide; otherwise a non-empty `NO_COLOR`
/// turns colour off (it wins over the others, as no-color.org asks), a `FORCE_COLOR` or
/// `CLICOLOR_FORCE` other than empty or `0` turns it on, and else a terminal gets colour.
pub fn use_color_with(
    choice: ColorChoice,
    env: &dyn Fn(&str) -> Option<std::ffi::OsString>,
    terminal: &dyn Fn() -> bool,
) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty() && v != "0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if env("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorChoice::Auto if set("FORCE_COLOR") || set("CLICOLOR_FORCE") => true,
        ColorChoice::Auto => terminal(),
    }
}

/// `--quiet`: what agentgate could not check (it fails the run and must say why), the notes,
/// and the summary line; no findings.
pub fn quiet(outcome: &Outcome) -> String {
    let mut out = crate::finding::problems_text(&outcome.problems);
    for note in &outcome.notes {
        out.push_str(&format!(
            "note: {}\n",
            crate::escape::visible_controls(note, false)
        ));
    }
    out.push_str(&summary_line(outcome));
    out.push('\n');
    crate::escape::without_workflow_commands(&out)
}

pub use crate::redact::redacted;

/// Every value a rule flagged as a secret in a run (AG025, AG101 and any rule whose finding
/// says `redact`), waived or not: what no output of any command may show. Renderers of the
/// inventory, the report and `diff` pass their text through [`Secrets::scrub`] before escaping
/// it for their format, so the one redacted form ([`redacted`]) is all that is ever printed.
#[derive(Debug, Clone, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// The secrets of an outcome: the flagged token as written in its file (quotes removed)
    /// and, for a manifest, the value at the finding's path.
    pub fn of(outcome: &Outcome) -> Secrets {
        let mut secrets = Secrets::default();
        let flagged = outcome
            .findings
            .iter()
            .chain(outcome.waived.iter().map(|w| &w.finding))
            .filter(|f| f.redact);
        for f in flagged {
            let text = &f.place.source.text;
            let token: String = text
                .chars()
                .skip(f.place.label.start)
                .take(f.place.label.end.saturating_sub(f.place.label.start))
                .collect();
            let token = token.trim();
            let unquoted = token
                .strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .or_else(|| token.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
                .unwrap_or(token);
            secrets.add(unquoted);
            let value = outcome
                .checked
                .iter()
                .filter(|c| c.file == f.file && c.agent == f.agent)
                .find_map(|c| c.document.pointer(&f.path));
            if let Some(value) = value {
                match value {
                    serde_json::Value::String(s) => secrets.add(s),
                    other => secrets.add_strings(other),
                }
            }
        }
        secrets
    }

    /// Adds one secret (too short a text is no secret and would redact ordinary words).
    pub fn add(&mut self, secret: &str) {
        let secret = secret.trim();
        if secret.chars().count() >= 8 && !self.0.iter().any(|s| s == secret) {
            self.0.push(secret.to_string());
            // Longest first, so that a secret inside another is not replaced first.
            self.0.sort_by_key(|s| std::cmp::Reverse(s.len()));
        }
    }

    /// Every string in `value` that the secret detector recognises (for `diff`, which runs no
    /// rule: the same detectors as AG025 and AG101).
    pub fn add_detected(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) if crate::footprints::detect(s).is_some() => self.add(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| self.add_detected(v)),
            serde_json::Value::Object(map) => map.values().for_each(|v| self.add_detected(v)),
            _ => {}
        }
    }

    fn add_strings(&mut self, value: &serde_json::Value) {
        match value {
            serde_json::Value::String(s) => self.add(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| self.add_strings(v)),
            serde_json::Value::Object(map) => map.values().for_each(|v| self.add_strings(v)),
            _ => {}
        }
    }

    /// `text` with every secret replaced by its redacted form: the run's flagged secrets, then
    /// anything else a secret detector recognises (a part of a flagged value that a message
    /// builder cut out, say, which the whole value does not match).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.0 {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &redacted(secret));
            }
        }
        let detected: Vec<String> =
            crate::secret_patterns::find_all(&out, crate::secret_patterns::Set::Committed)
                .into_iter()
                .map(|(_, found)| found.to_string())
                .collect();
        for found in detected {
            out = out.replace(found.as_str(), &redacted(&found));
        }
        out
    }

    /// Every string in `value` scrubbed.
    pub fn scrub_value(&self, value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(s) => *s = self.scrub(s),
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| self.scrub_value(v)),
            serde_json::Value::Object(map) => map.values_mut().for_each(|v| self.scrub_value(v)),
            _ => {}
        }
    }

    /// A serialisable value with every string in it scrubbed.
    pub fn scrub_serde<T: serde::Serialize + serde::de::DeserializeOwned>(&self, item: T) -> T {
        if self.0.is_empty() {
            return item;
        }
        let Ok(mut value) = serde_json::to_value(&item) else {
            return item;
        };
        self.scrub_value(&mut value);
        serde_json::from_value(value).unwrap_or(item)
    }
}

/// Every finding's message and help with the run's flagged secrets redacted: the one net under
/// every message builder, so that a value a rule flagged as secret (an API key in an MCP URL's
/// host, say) is not printed by another finding that quotes the same text without knowing it is
/// one. The commands call it once, before any output is rendered.
pub fn redact_messages(outcome: &mut Outcome) {
    let secrets = Secrets::of(outcome);
    let waived = outcome.waived.iter_mut().map(|w| &mut w.finding);
    for finding in outcome.findings.iter_mut().chain(waived) {
        finding.message = secrets.scrub(&finding.message);
        finding.help = secrets.scrub(&finding.help);
        // A place named by a key (`/mcpServers/sk-…`, `/provider/sk-…`): its pointer too.
        finding.path = secrets.scrub(&finding.path);
    }
    for note in &mut outcome.notes {
        *note = secrets.scrub(note);
    }
}

/// The text of a finding's file with every secret that `findings` flag in it masked, keeping
/// each character's position so line and column stay right.
pub fn masked_text(source: &SourceFile, findings: &[&Finding]) -> String {
    let mut text = String::with_capacity(source.text.len());
    let secrets: Vec<&Place> = findings
        .iter()
        .filter(|f| f.redact)
        .map(|f| &f.place)
        .collect();
    for (i, ch) in source.text.chars().enumerate() {
        let secret = secrets
            .iter()
            .any(|p| p.label.start + 4 <= i && i < p.label.end);
        text.push(if secret && !ch.is_whitespace() {
            '*'
        } else {
            ch
        });
    }
    text
}
