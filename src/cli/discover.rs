//! `agentgate discover`: the check run with discovery only.

use std::path::PathBuf;

use agentgate::check::{self, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use agentgate::{output, units};

use super::{check::run_check, cwd, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to search (default: the current folder); manifests anywhere in the
    /// repository count as governing.
    paths: Vec<PathBuf>,
    /// Configuration file (default: .agentgate.yaml at the repository root).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output format, repeatable: human, concise, json, sarif, junit, github or markdown, to
    /// stdout or, as `NAME=FILE`, to a file (default: human).
    #[arg(long, value_name = "FORMAT[=FILE]")]
    format: Vec<output::Output>,
    /// Print only the summary line (and what could not be checked) instead of the findings.
    #[arg(long, short)]
    quiet: bool,
    /// Report findings but exit 0 unless agentgate itself failed.
    #[arg(long)]
    no_fail: bool,
    /// Evaluate as of this date (YYYY-MM-DD) instead of today (UTC), for waivers.
    #[arg(long, value_parser = units::parse_date_arg)]
    today: Option<i64>,
    /// Largest file agentgate will read, in bytes.
    #[arg(long, default_value_t = DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,
}

pub fn run(args: Args, color: output::ColorChoice) -> ExitStatus {
    run_check(
        CheckOptions {
            paths: args.paths,
            config: args.config,
            fail_on: None,
            today: args.today,
            max_file_size: args.max_file_size,
            changes: None,
            packs: Vec::new(),
            cwd: cwd(),
        },
        check::Discovery::Only,
        args.format,
        args.no_fail,
        output::Style {
            color,
            quiet: args.quiet,
        },
    )
}
