//! `agentgate drift`: declared access against audit logs (AG110 to AG113), in the output
//! formats of `check`.

use std::path::PathBuf;

use agentgate::check::CheckOptions;
use agentgate::drift::{self, DriftOptions};
use agentgate::output;
use agentgate::rule::Severity;
use agentgate::units;

use super::{cwd, CommonArgs, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Audit logs: JSON Lines events (gzip too), AWS CloudTrail files or Okta System Log
    /// exports (see docs/drift.md).
    #[arg(long, value_name = "FILE", num_args = 1.., required = true)]
    logs: Vec<PathBuf>,
    /// First day of the window (YYYY-MM-DD, UTC, inclusive; default: 30 days before today).
    #[arg(long, value_parser = units::parse_date_arg)]
    since: Option<i64>,
    /// Last day of the window (YYYY-MM-DD, UTC, inclusive; default: the day before today).
    #[arg(long, value_parser = units::parse_date_arg)]
    until: Option<i64>,
    /// Folders or manifest files whose agents to compare (default: the current folder).
    #[arg(long = "path", value_name = "PATH")]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Level {
    Error,
    Warning,
}

pub fn run(args: Args) -> ExitStatus {
    let mut outputs = args.format;
    if outputs.is_empty() {
        outputs.push(output::Output {
            format: output::Format::Human,
            file: None,
        });
    }
    if let Err(message) = output::check_outputs(&outputs) {
        super::eprint_error(&message);
        return ExitStatus::Error;
    }
    let options = DriftOptions {
        logs: args.logs,
        since: args.since,
        until: args.until,
        check: CheckOptions {
            paths: args.paths,
            config: args.common.config,
            fail_on: args.fail_on.map(|l| match l {
                Level::Error => Severity::Error,
                Level::Warning => Severity::Warning,
            }),
            today: args.common.today,
            max_file_size: args.common.max_file_size,
            cwd: cwd(),
            changes: None,
            packs: args.common.packs,
        },
    };
    let mut outcome = drift::run(&options);
    output::redact_messages(&mut outcome);
    let failed = output::emit(&outcome, &outputs, &output::RunInfo::now());
    for message in &failed {
        super::eprint_error(message);
    }
    if failed.is_empty() {
        ExitStatus::from_code(outcome.exit_code(args.no_fail))
    } else {
        ExitStatus::Error
    }
}
