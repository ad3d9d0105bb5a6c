//! The `agentgate` command line: argument parsing and dispatch only.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use agentgate::changes::ChangeFilter;
use agentgate::check::{self, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use agentgate::registry::Registry;
use agentgate::rule::Severity;
use agentgate::{commands, output, units, validate};

#[derive(Parser)]
#[command(
    name = "agentgate",
    version,
    about = "Policy-as-code gate for AI-agent identity manifests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum TableFormat {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
    Error,
    Warning,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaKind {
    Manifest,
    Config,
    Data,
}

#[derive(Subcommand)]
enum Command {
    /// Check agent manifests against the schema and the rule packs.
    Check {
        /// Files or folders to report on (default: the current folder). The inventory that
        /// cross-agent rules see is always the whole repository.
        paths: Vec<PathBuf>,
        /// Configuration file (default: .agentgate.yaml at the repository root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Output format, repeatable: human, json, sarif, junit, github or markdown, to stdout
        /// or, as `NAME=FILE`, to a file (default: human).
        #[arg(long, value_name = "FORMAT[=FILE]")]
        format: Vec<output::Output>,
        /// Lowest severity that fails the run (overrides failOn).
        #[arg(long, value_enum)]
        fail_on: Option<Level>,
        /// Report findings but exit 0 unless agentgate itself failed.
        #[arg(long)]
        no_fail: bool,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
        /// Largest file agentgate will read, in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE)]
        max_file_size: u64,
        /// Report only manifests changed since this git revision (compared from the merge
        /// base), and the unchanged ones whose delegation reaches a changed agent.
        #[arg(long, value_name = "REV", conflicts_with = "staged")]
        changed_since: Option<String>,
        /// Report only manifests staged in the git index (as a pre-commit hook sees them).
        #[arg(long)]
        staged: bool,
        /// A rule pack folder to load beside the built-in and configured ones (repeatable).
        #[arg(long = "pack", value_name = "DIR")]
        packs: Vec<PathBuf>,
        /// Also look for agents that no manifest governs (AG100 to AG102), in the same pass.
        #[arg(long)]
        discover: bool,
    },
    /// Find agent footprints that no manifest governs: MCP configurations, A2A agent cards,
    /// agent framework and LLM SDK imports, committed LLM provider keys (AG100 to AG103).
    Discover {
        /// Files or folders to search (default: the current folder); manifests anywhere in the
        /// repository count as governing.
        paths: Vec<PathBuf>,
        /// Configuration file (default: .agentgate.yaml at the repository root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Output format, repeatable: human, json, sarif, junit, github or markdown, to stdout
        /// or, as `NAME=FILE`, to a file (default: human).
        #[arg(long, value_name = "FORMAT[=FILE]")]
        format: Vec<output::Output>,
        /// Report findings but exit 0 unless agentgate itself failed.
        #[arg(long)]
        no_fail: bool,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC), for waivers.
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
        /// Largest file agentgate will read, in bytes.
        #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE)]
        max_file_size: u64,
    },
    /// List every rule of the loaded packs.
    Rules {
        #[command(flatten)]
        packs: PackArgs,
        #[arg(long, value_enum, default_value = "human")]
        format: TableFormat,
        /// With `--format markdown`: write one page per rule and an index (README.md) into
        /// this folder instead of printing the table (as docs/rules is made).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Explain one rule: what it checks, why, how to fix it, and the controls it evidences.
    Explain {
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Print a JSON Schema: the manifest (default), the configuration, or `data.agentgate`.
    Schema {
        #[arg(value_enum, default_value = "manifest")]
        kind: SchemaKind,
    },
    /// What each agent gained or lost since a git revision (from the merge base): grants,
    /// approvals, credentials, data classes, delegation, owners.
    Diff {
        /// The revision to compare the working tree with, e.g. origin/main.
        #[arg(long, value_name = "REV")]
        base: String,
        #[arg(long, value_enum, default_value = "human")]
        format: TableFormat,
    },
    /// The agent inventory for auditors: one row per agent (access, owner, expiry, review,
    /// findings) as a table, CSV, JSON or Markdown.
    Inventory(agentgate::inventory::InventoryArgs),
    /// A compliance report per control (rules, passing and failing agents, waivers) with a
    /// header that makes it reproducible, as Markdown or JSON.
    Report(agentgate::report::ReportArgs),
    /// Start a manifest from zero privileges, or draft one per MCP server or A2A Agent Card
    /// (--from); what agentgate cannot know is left as TODO, which `check` reports (AG007).
    Init(agentgate::init::InitArgs),
    /// Run the `test_*` rules of rule packs (default: the built-in pack), as `opa test` does.
    Test {
        /// Rule pack folders to test (tests are `*_test.rego`); the built-in pack when absent.
        packs: Vec<PathBuf>,
        /// Print per-file line coverage of the pack's rules and helpers, and the total.
        #[arg(long)]
        coverage: bool,
        /// Fail when total line coverage is below this percentage (prints the coverage too).
        #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
        coverage_min: Option<f64>,
        /// Also check each folder of manifests under DIR with the pack(s); every manifest's
        /// `# expect: RULE at /json/pointer` lines must equal exactly the findings it produces.
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
        /// Configuration for fixture folders that have no `.agentgate.yaml` of their own.
        #[arg(long, requires = "fixtures")]
        config: Option<PathBuf>,
        /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
    },
    /// Signed security reviews: print a manifest's digest, sign its review with ssh-keygen,
    /// verify reviews against allowed_signers.
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Print the review digest of each document in FILE, one line per document.
    Digest { file: PathBuf },
    /// Set the reviewer and date, sign the digest with `ssh-keygen -Y sign -n agentgate-review`
    /// and write spec.review, leaving the rest of FILE byte for byte as it was.
    Sign {
        file: PathBuf,
        /// The reviewer's email, as allowed_signers lists it (not the owner or backup owner).
        #[arg(long)]
        reviewer: String,
        /// The key for `ssh-keygen -f`: a private key, or a public key whose private half
        /// ssh-agent holds (default: the first of ~/.ssh/id_ed25519, id_ecdsa, id_ed25519_sk,
        /// id_ecdsa_sk, id_rsa).
        #[arg(long)]
        key: Option<PathBuf>,
        /// The review date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
        /// Which document of a multi-document file to sign, counting from 1.
        #[arg(long, value_name = "N")]
        document: Option<usize>,
    },
    /// Verify the reviews in FILE…: valid, stale or invalid (with the reason) for each manifest.
    Verify {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Configuration file naming allowedSigners (default: .agentgate.yaml at the repository root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Judge key validity as of this date when a review has no date (YYYY-MM-DD).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
    },
}

fn run_review(command: ReviewCommand) -> ExitCode {
    use agentgate::review::commands as review;
    let cwd = cwd();
    let output = match command {
        ReviewCommand::Digest { file } => {
            review::digest_command(&file, &cwd, DEFAULT_MAX_FILE_SIZE)
        }
        ReviewCommand::Sign {
            file,
            reviewer,
            key,
            today,
            document,
        } => review::sign_command(&review::SignOptions {
            file,
            reviewer,
            key,
            today: today.unwrap_or_else(units::today_utc),
            document,
            cwd,
            home: std::env::var_os("HOME").map(PathBuf::from),
            max_bytes: DEFAULT_MAX_FILE_SIZE,
        }),
        ReviewCommand::Verify {
            files,
            config,
            today,
        } => review::verify_command(&review::VerifyOptions {
            files,
            config,
            today: today.unwrap_or_else(units::today_utc),
            cwd,
            max_bytes: DEFAULT_MAX_FILE_SIZE,
        }),
    };
    print(&output.stdout);
    eprint!("{}", output.stderr);
    ExitCode::from(output.code)
}

/// `check` and `discover`: one run, its reports written, and the exit code.
fn run_check(
    options: CheckOptions,
    discovery: check::Discovery,
    format: Vec<output::Output>,
    no_fail: bool,
) -> ExitCode {
    let outputs = if format.is_empty() {
        vec![output::Output {
            format: output::Format::Human,
            file: None,
        }]
    } else {
        format
    };
    if let Err(message) = output::check_outputs(&outputs) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let info = output::RunInfo::now();
    let outcome = check::run_with(&options, discovery);
    let failed_writes = output::emit(&outcome, &outputs, &info);
    for message in &failed_writes {
        eprintln!("error: {message}");
    }
    if failed_writes.is_empty() {
        ExitCode::from(outcome.exit_code(no_fail) as u8)
    } else {
        ExitCode::from(2)
    }
}

fn parse_percent(text: &str) -> Result<f64, String> {
    text.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("{text:?} is not a percentage between 0 and 100"))
}

fn print(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (agentgate check | head) is not an error worth a panic.
    let _ = stdout.write_all(text.as_bytes());
}

/// Which rule packs a registry command reads: the configured ones and `--pack` folders.
#[derive(clap::Args)]
struct PackArgs {
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// A rule pack folder to load beside the built-in and configured ones (repeatable).
    #[arg(long = "pack", value_name = "DIR")]
    packs: Vec<PathBuf>,
}

fn registry(args: &PackArgs) -> Result<Registry, ExitCode> {
    agentgate::context::load_registry(&cwd(), &[], args.config.as_deref(), &args.packs).map_err(
        |problems| {
            for p in problems {
                eprintln!("error: {}:{}: {}", p.file, p.line, p.message);
            }
            ExitCode::from(2)
        },
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            config,
            format,
            fail_on,
            no_fail,
            today,
            max_file_size,
            changed_since,
            staged,
            packs,
            discover,
        } => {
            let options = CheckOptions {
                paths,
                config,
                fail_on: fail_on.map(|l| match l {
                    Level::Error => Severity::Error,
                    Level::Warning => Severity::Warning,
                }),
                today,
                max_file_size,
                changes: match (changed_since, staged) {
                    (Some(rev), _) => Some(ChangeFilter::Since(rev)),
                    (None, true) => Some(ChangeFilter::Staged),
                    (None, false) => None,
                },
                packs,
                cwd: cwd(),
            };
            let discovery = if discover {
                check::Discovery::Also
            } else {
                check::Discovery::Configured
            };
            run_check(options, discovery, format, no_fail)
        }
        Command::Discover {
            paths,
            config,
            format,
            no_fail,
            today,
            max_file_size,
        } => run_check(
            CheckOptions {
                paths,
                config,
                fail_on: None,
                today,
                max_file_size,
                changes: None,
                packs: Vec::new(),
                cwd: cwd(),
            },
            check::Discovery::Only,
            format,
            no_fail,
        ),
        Command::Rules {
            format,
            out: Some(_),
            ..
        } if !matches!(format, TableFormat::Markdown) => {
            eprintln!("error: --out writes Markdown pages; use it with --format markdown");
            ExitCode::from(2)
        }
        Command::Rules {
            packs,
            out: Some(dir),
            ..
        } => match registry(&packs) {
            Ok(registry) => match commands::write_rule_pages(&registry, &dir) {
                Ok(others) => {
                    for name in others {
                        eprintln!(
                            "note: {} is not a page of a loaded rule; remove it if it is stale",
                            dir.join(name).display()
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!(
                        "error: cannot write the rule pages to {}: {e}",
                        dir.display()
                    );
                    ExitCode::from(2)
                }
            },
            Err(code) => code,
        },
        Command::Rules {
            format,
            packs,
            out: None,
        } => match registry(&packs) {
            Ok(registry) => {
                print(&match format {
                    TableFormat::Human => commands::rules_table(&registry),
                    TableFormat::Json => commands::rules_json(&registry),
                    TableFormat::Markdown => commands::rules_markdown(&registry),
                });
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Explain { rule, packs } => match registry(&packs) {
            Ok(registry) => match commands::explain(&registry, &rule) {
                Some(text) => {
                    print(&text);
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("error: unknown rule {rule:?}; `agentgate rules` lists them");
                    ExitCode::from(2)
                }
            },
            Err(code) => code,
        },
        Command::Schema { kind } => {
            print(match kind {
                SchemaKind::Manifest => validate::MANIFEST_SCHEMA,
                SchemaKind::Config => validate::CONFIG_SCHEMA,
                SchemaKind::Data => validate::DATA_SCHEMA,
            });
            ExitCode::SUCCESS
        }
        Command::Diff { base, format } => {
            let cwd = cwd();
            let root = agentgate::discover::find_root(&cwd);
            match agentgate::diff::diff(&root, &base, DEFAULT_MAX_FILE_SIZE) {
                Ok(diffs) => {
                    print(&match format {
                        TableFormat::Human => agentgate::diff::render_human(&diffs),
                        TableFormat::Json => agentgate::diff::render_json(&diffs),
                        TableFormat::Markdown => agentgate::diff::render_markdown(&diffs),
                    });
                    ExitCode::SUCCESS
                }
                Err(message) => {
                    eprintln!("error: {message}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Test {
            packs,
            coverage,
            coverage_min,
            fixtures,
            config,
            today,
        } => {
            let options = agentgate::packtest::TestOptions {
                packs,
                coverage,
                coverage_min,
                fixtures,
                config,
                today,
                cwd: cwd(),
            };
            let code = agentgate::packtest::run(
                &options,
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            );
            ExitCode::from(code as u8)
        }
        Command::Review { command } => run_review(command),
        Command::Inventory(args) => text_command(agentgate::inventory::command(args, &cwd())),
        Command::Report(args) => text_command(agentgate::report::command(args, &cwd())),
        Command::Init(args) => text_command(agentgate::init::command(args, &cwd())),
    }
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_default()
}

/// A command that produces text for stdout, or an error message for stderr and exit code 2.
fn text_command(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print(&text);
            ExitCode::SUCCESS
        }
        Err(text) => {
            eprint!("{text}");
            ExitCode::from(2)
        }
    }
}
