//! `agentgate check`, and the run that `discover` shares with it.

use std::path::PathBuf;

use clap::ValueEnum;

use agentgate::cache::ResultCache;
use agentgate::changes::ChangeFilter;
use agentgate::check::{self, CheckOptions};
use agentgate::output;
use agentgate::rule::Severity;

use super::{cwd, CommonArgs, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Files or folders to report on (default: the current folder). The inventory that
    /// cross-agent rules see is always the whole repository.
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Output format, repeatable: human, concise, json, sarif, junit, github or markdown, to
    /// stdout or, as `NAME=FILE`, to a file (default: human).
    #[arg(long, value_name = "FORMAT[=FILE]")]
    format: Vec<output::Output>,
    /// Print only the summary line (and what could not be checked) instead of the findings;
    /// the exit code is the same. Reports written to files stay whole.
    #[arg(long, short)]
    quiet: bool,
    /// Lowest severity that fails the run (overrides failOn).
    #[arg(long, value_enum)]
    fail_on: Option<Level>,
    /// Report findings but exit 0 unless agentgate itself failed.
    #[arg(long)]
    no_fail: bool,
    /// Report only manifests changed since this git revision (compared from the merge
    /// base), and the unchanged ones whose delegation reaches a changed agent; a change to the
    /// configuration, a rule pack, allowed_signers or the people directory makes a full run.
    #[arg(long, value_name = "REV", conflicts_with = "staged")]
    changed_since: Option<String>,
    /// Report only manifests staged in the git index (as a pre-commit hook sees them).
    #[arg(long)]
    staged: bool,
    /// Look for agents that no manifest governs (AG100 to AG104) in the same pass, even when
    /// the configuration says `discover: false` (discovery is on by default).
    #[arg(long, conflicts_with = "no_discover")]
    discover: bool,
    /// Check manifests only, without looking for unregistered agents, for this run.
    #[arg(long)]
    no_discover: bool,
    /// Evaluate every manifest, neither reading nor writing the result cache
    /// ($AGENTGATE_CACHE, else $XDG_CACHE_HOME/agentgate; see docs/speed.md).
    #[arg(long)]
    no_cache: bool,
}

/// `--fail-on`: the severities a run can fail on.
#[derive(Clone, Copy, ValueEnum)]
enum Level {
    Error,
    Warning,
}

impl From<Level> for Severity {
    fn from(level: Level) -> Severity {
        match level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        }
    }
}

pub fn run(args: Args, color: output::ColorChoice) -> ExitStatus {
    let options = CheckOptions {
        paths: args.paths,
        config: args.common.config,
        fail_on: args.fail_on.map(Severity::from),
        today: args.common.today,
        max_file_size: args.common.max_file_size,
        changes: match (args.changed_since, args.staged) {
            (Some(rev), _) => Some(ChangeFilter::Since(rev)),
            (None, true) => Some(ChangeFilter::Staged),
            (None, false) => None,
        },
        packs: args.common.packs,
        cwd: cwd(),
    };
    let discovery = if args.discover {
        check::Discovery::Also
    } else if args.no_discover {
        check::Discovery::Off
    } else {
        check::Discovery::Configured
    };
    let style = output::Style {
        color,
        quiet: args.quiet,
    };
    let cache = match args.no_cache {
        true => None,
        false => ResultCache::default_location()
            .map_err(|why| {
                super::eprint_safe(&format!(
                    "warning: not using the cache: {}; set AGENTGATE_CACHE to a folder of your own, or pass --no-cache\n",
                    agentgate::escape::visible_controls(&why, false)
                ))
            })
            .ok(),
    };
    run_check_with(options, discovery, args.format, args.no_fail, style, cache)
}

/// `check` and `discover`: one run, its reports written, and the exit status.
pub(super) fn run_check(
    options: CheckOptions,
    discovery: check::Discovery,
    format: Vec<output::Output>,
    no_fail: bool,
    style: output::Style,
) -> ExitStatus {
    run_check_with(options, discovery, format, no_fail, style, None)
}

/// [`run_check`] with the result cache, when given.
fn run_check_with(
    options: CheckOptions,
    discovery: check::Discovery,
    format: Vec<output::Output>,
    no_fail: bool,
    style: output::Style,
    cache: Option<ResultCache>,
) -> ExitStatus {
    let outputs = if format.is_empty() {
        vec![output::Output {
            format: output::Format::Human,
            file: None,
        }]
    } else {
        format
    };
    if let Err(message) = output::check_outputs(&outputs) {
        super::eprint_error(&message);
        return ExitStatus::Error;
    }
    let info = output::RunInfo::now();
    let mut outcome = check::run_cached(&options, discovery, cache);
    output::redact_messages(&mut outcome);
    let failed_writes = output::emit_styled(&outcome, &outputs, &info, style);
    for message in &failed_writes {
        super::eprint_error(message);
    }
    let status = if failed_writes.is_empty() {
        ExitStatus::from_code(outcome.exit_code(no_fail))
    } else {
        ExitStatus::Error
    };
    // The output is written and the process ends now: freeing every manifest, finding and
    // the evaluation's data would only delay the exit (about 0.2 s at 10,000 manifests).
    std::mem::forget(outcome);
    status
}
