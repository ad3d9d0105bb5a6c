//! The `agentgate` command line: the parser, one module per subcommand (its arguments and its
//! `run`), and the one [`ExitStatus`] every command ends with. The library has no clap; the
//! modules here turn arguments into its plain option structs and its results into output.

mod check;
mod diff;
mod discover;
mod drift;
mod explain;
mod init;
mod inventory;
mod owners;
mod report;
mod review;
mod rules;
mod schema;
mod test;
mod waive;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use agentgate::check::DEFAULT_MAX_FILE_SIZE;
use agentgate::registry::Registry;
use agentgate::units;

#[derive(Parser)]
#[command(
    name = "agentgate",
    version,
    about = "Policy-as-code gate for AI-agent identity manifests"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour the human output: auto (a terminal, unless NO_COLOR is set; FORCE_COLOR or
    /// CLICOLOR_FORCE colour a pipe too), always or never.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    color: Color,
}

/// `--color`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl From<Color> for agentgate::output::ColorChoice {
    fn from(color: Color) -> Self {
        match color {
            Color::Auto => agentgate::output::ColorChoice::Auto,
            Color::Always => agentgate::output::ColorChoice::Always,
            Color::Never => agentgate::output::ColorChoice::Never,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Check agent manifests against the schema and the rule packs.
    Check(check::Args),
    /// Find agent footprints that no manifest governs: MCP configurations, A2A agent cards,
    /// agent framework and LLM SDK imports, committed LLM provider keys, and `spec.sources` that match nothing or too much (AG100 to AG104).
    Discover(discover::Args),
    /// List every rule of the loaded packs.
    Rules(rules::Args),
    /// Explain one rule: what it checks, why, how to fix it, and the controls it evidences.
    Explain(explain::Args),
    /// Print a JSON Schema: the manifest (default), the configuration, or `data.agentgate`.
    Schema(schema::Args),
    /// What each agent gained or lost since a git revision (from the merge base): grants,
    /// approvals, credentials, data classes, delegation, owners.
    Diff(diff::Args),
    /// The agent inventory for auditors: one row per agent (access, owner, expiry, review,
    /// findings) as a table, CSV, JSON or Markdown.
    Inventory(inventory::Args),
    /// Declared against observed access: audit logs (JSON Lines, CloudTrail, Okta) compared
    /// with each manifest's grants and baseline (AG110 to AG113).
    Drift(drift::Args),
    /// Offboarding: the agents a person owns or backs up (--person EMAIL), owners and backup
    /// owners missing from the people directory (--check: AG114, AG115), or everyone's agents.
    Owners(owners::Args),
    /// A compliance report per control (rules, passing and failing agents, waivers) with a
    /// header that makes it reproducible, as Markdown, JSON or HTML.
    Report(report::Args),
    /// Start a manifest from zero privileges, or draft one per MCP server or A2A Agent Card
    /// (--from); what agentgate cannot know is left as TODO, which `check` reports (AG007).
    Init(init::Args),
    /// Run the `test_*` rules of rule packs (default: the built-in pack), as `opa test` does.
    Test(test::Args),
    /// Signed security reviews: print a manifest's digest, sign its review with ssh-keygen,
    /// verify reviews against allowed_signers.
    Review(review::Args),
    /// Adopt agentgate in a repository with findings: `waive --all` appends one expiring
    /// waiver per current finding to the configuration (the rest of the file is left as it is).
    Waive(waive::Args),
}

/// The command line of this process (clap exits on `--help`, `--version` and usage errors).
pub fn parse() -> Cli {
    Cli::parse()
}

/// Runs the command the command line names.
pub fn run(cli: Cli) -> ExitStatus {
    tune_allocator();
    let color = cli.color.into();
    match cli.command {
        Command::Check(args) => check::run(args, color),
        Command::Discover(args) => discover::run(args, color),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Schema(args) => schema::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Owners(args) => owners::run(args),
        Command::Drift(args) => drift::run(args),
        Command::Report(args) => report::run(args),
        Command::Init(args) => init::run(args),
        Command::Test(args) => test::run(args),
        Command::Review(args) => review::run(args),
        Command::Waive(args) => waive::run(args),
    }
}

/// How a command ended, the one thing every `run` returns; `main` turns it into the process's
/// exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what it was asked and found nothing that fails the run (exit 0).
    Success,
    /// The command ran and found what fails the run: findings, failing tests, invalid reviews
    /// (exit 1).
    Failure,
    /// agentgate itself could not do what it was asked: bad input, configuration, packs or
    /// files (exit 2).
    Error,
}

impl ExitStatus {
    /// The status of a library result that is a numeric exit code: 0, 1, or 2 for anything else.
    fn from_code(code: i32) -> ExitStatus {
        match code {
            0 => ExitStatus::Success,
            1 => ExitStatus::Failure,
            _ => ExitStatus::Error,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// The options of commands that check a repository with all the packs: which configuration,
/// as of which date, how large a file may be, and which extra packs.
#[derive(clap::Args)]
pub struct CommonArgs {
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = units::parse_date_arg)]
    pub today: Option<i64>,
    /// Largest file agentgate will read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// A rule pack folder to load beside the built-in and configured ones (repeatable).
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
}

/// Which rule packs a registry command reads: the configured ones and `--pack` folders.
#[derive(clap::Args)]
pub struct PackArgs {
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A rule pack folder to load beside the built-in and configured ones (repeatable).
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
}

impl PackArgs {
    /// The registry of these packs, or the problems printed to stderr and [`ExitStatus::Error`].
    fn registry(&self) -> Result<Registry, ExitStatus> {
        agentgate::context::load_registry(&cwd(), &[], self.config.as_deref(), &self.packs).map_err(
            |problems| {
                eprint_safe(&agentgate::finding::problems_text(&problems));
                ExitStatus::Error
            },
        )
    }
}

/// What `inventory` and `report` read: which manifests, with which configuration and packs,
/// as of which date and commit.
#[derive(clap::Args)]
pub struct SourceArgs {
    /// Folders or manifest files to include (default: the current folder).
    pub paths: Vec<PathBuf>,
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// A rule pack folder to load beside the built-in and configured ones (repeatable; read
    /// from the working tree, also with --at).
    #[arg(long = "pack", value_name = "DIR")]
    pub packs: Vec<PathBuf>,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
    #[arg(long, value_parser = units::parse_date_arg)]
    pub today: Option<i64>,
    /// Read the repository as it was at this git revision, straight from git objects (the
    /// working tree is not touched). Pair it with --today for the date of that point in time.
    #[arg(long, value_name = "REV")]
    pub at: Option<String>,
}

impl From<SourceArgs> for agentgate::inventory::Source {
    fn from(args: SourceArgs) -> Self {
        agentgate::inventory::Source {
            paths: args.paths,
            config: args.config,
            packs: args.packs,
            today: args.today,
            at: args.at,
        }
    }
}

/// Writes text to stdout. A closed pipe (agentgate check | head) is not an error worth a panic.
fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

/// A command that produces text for stdout, or an error message for stderr and exit code 2.
fn text_command(result: Result<String, String>) -> ExitStatus {
    match result {
        Ok(text) => {
            print(&text);
            ExitStatus::Success
        }
        Err(text) => {
            eprint_safe(&text);
            ExitStatus::Error
        }
    }
}

/// glibc's allocator grows its heap as it needs, a system call each time, and each one holds
/// up the other threads' page faults: growing it 256 MiB (of address space, not memory) at a
/// time made a warm check of 10,000 manifests a tenth faster (docs/speed.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    // SAFETY: mallopt only sets a tunable of the allocator; it is called before any thread
    // starts, and a value it refuses leaves the default in place.
    unsafe {
        libc::mallopt(libc::M_TOP_PAD, 256 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}

/// Text for stderr that may quote the repository (file names, values): no line of it may be
/// taken by a CI runner as a workflow command.
fn eprint_safe(text: &str) {
    eprint!("{}", agentgate::escape::without_workflow_commands(text));
}

/// `error: MESSAGE` on stderr, the message escaped as one line.
fn eprint_error(message: &str) {
    eprint_safe(&format!(
        "error: {}\n",
        agentgate::escape::visible_controls(message, false)
    ));
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    /// clap stays in the command line: no library module (nor main.rs) names it.
    #[test]
    fn only_the_cli_uses_clap() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![src.clone()];
        let mut named = Vec::new();
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("src/ is readable").flatten() {
                let path = entry.path();
                if path == src.join("cli") {
                    continue;
                }
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read_to_string(&path).is_ok_and(|t| t.contains("clap")) {
                    named.push(path.display().to_string());
                }
            }
        }
        assert!(named.is_empty(), "clap outside src/cli/: {named:?}");
    }

    #[test]
    fn exit_statuses_are_the_documented_codes() {
        assert_eq!(ExitStatus::from_code(0), ExitStatus::Success);
        assert_eq!(ExitStatus::from_code(1), ExitStatus::Failure);
        assert_eq!(ExitStatus::from_code(2), ExitStatus::Error);
        assert_eq!(ExitStatus::from_code(-1), ExitStatus::Error);
    }
}
