//! `agentgate owners`: one person's agents (`--person`), the people directory check
//! (`--check`, AG114 and AG115), or the ownership map of everyone.

use std::path::PathBuf;

use clap::ValueEnum;

use agentgate::finding::problems_text;
use agentgate::output;
use agentgate::owners::{self, ListFormat, MapSort, OwnersOptions};
use agentgate::rule::Severity;

use super::{cwd, eprint_error, eprint_safe, print, CommonArgs, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Folders or manifest files to include (default: the current folder).
    paths: Vec<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Every agent this person (email, any case) owns or backs up, with the other owner,
    /// permissions, credentials, status, expiry, file and line.
    #[arg(long, value_name = "EMAIL", conflicts_with = "check")]
    person: Option<String>,
    /// Compare every owner and backup owner with the people directory (settings.directory):
    /// AG114 (orphaned) and AG115 (half-covered), exit codes as `check`.
    #[arg(long)]
    check: bool,
    /// Output format. With --check: human, json, sarif, junit, github or markdown, to stdout
    /// or as `NAME=FILE` (repeatable; default human). Otherwise: table (default), json,
    /// markdown or csv.
    #[arg(long, value_name = "FORMAT")]
    format: Vec<String>,
    /// With --person: exit 1 when the person owns or backs up any agent (for scripts).
    #[arg(long, requires = "person")]
    fail_if_any: bool,
    /// The ownership map's order: by email (default) or most agents first.
    #[arg(long, value_enum, default_value = "email", conflicts_with_all = ["person", "check"])]
    sort: Sort,
    /// With --check: lowest severity that fails the run (overrides failOn).
    #[arg(long, value_enum, requires = "check")]
    fail_on: Option<Level>,
    /// With --check: report findings but exit 0 unless agentgate itself failed.
    #[arg(long, requires = "check")]
    no_fail: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Sort {
    Email,
    Agents,
}

#[derive(Clone, Copy, ValueEnum)]
enum Level {
    Error,
    Warning,
}

fn list_format(formats: &[String]) -> Result<ListFormat, String> {
    match formats {
        [] => Ok(ListFormat::Table),
        [one] => match one.as_str() {
            "table" => Ok(ListFormat::Table),
            "json" => Ok(ListFormat::Json),
            "markdown" => Ok(ListFormat::Markdown),
            "csv" => Ok(ListFormat::Csv),
            other => Err(format!(
                "unknown format {other:?}; use one of table, json, markdown, csv (the formats of `check` go with --check)"
            )),
        },
        _ => Err("give one --format without --check".into()),
    }
}

pub fn run(args: Args) -> ExitStatus {
    let options = OwnersOptions {
        paths: args.paths,
        config: args.common.config,
        packs: args.common.packs,
        today: args.common.today,
        max_file_size: args.common.max_file_size,
        cwd: cwd(),
    };
    if args.check {
        return run_check(&options, &args.format, args.fail_on, args.no_fail);
    }
    let format = match list_format(&args.format) {
        Ok(format) => format,
        Err(message) => {
            eprint_error(&message);
            return ExitStatus::Error;
        }
    };
    let (ctx, outcome) = match owners::read(&options) {
        Ok(read) => read,
        Err(problems) => {
            eprint_safe(&problems_text(&problems));
            return ExitStatus::Error;
        }
    };
    match args.person {
        Some(email) => {
            let rows = owners::person(&outcome, &email);
            print(&owners::render_person(&email, &rows, format));
            if args.fail_if_any && !rows.is_empty() {
                ExitStatus::Failure
            } else {
                ExitStatus::Success
            }
        }
        None => {
            let sort = match args.sort {
                Sort::Email => MapSort::Email,
                Sort::Agents => MapSort::Agents,
            };
            let holders = owners::map(&outcome, ctx.people.as_deref(), sort);
            print(&owners::render_map(&holders, format));
            ExitStatus::Success
        }
    }
}

fn run_check(
    options: &OwnersOptions,
    formats: &[String],
    fail_on: Option<Level>,
    no_fail: bool,
) -> ExitStatus {
    let mut outputs = Vec::new();
    for text in formats {
        match text.parse::<output::Output>() {
            Ok(output) => outputs.push(output),
            Err(message) => {
                eprint_error(&message);
                return ExitStatus::Error;
            }
        }
    }
    if outputs.is_empty() {
        outputs.push(output::Output {
            format: output::Format::Human,
            file: None,
        });
    }
    if let Err(message) = output::check_outputs(&outputs) {
        eprint_error(&message);
        return ExitStatus::Error;
    }
    let fail_on = fail_on.map(|l| match l {
        Level::Error => Severity::Error,
        Level::Warning => Severity::Warning,
    });
    let mut outcome = match owners::check(options, fail_on) {
        Ok(outcome) => outcome,
        Err(problems) => {
            eprint_safe(&problems_text(&problems));
            return ExitStatus::Error;
        }
    };
    output::redact_messages(&mut outcome);
    let failed = output::emit(&outcome, &outputs, &output::RunInfo::now());
    for message in &failed {
        eprint_error(message);
    }
    if failed.is_empty() {
        ExitStatus::from_code(outcome.exit_code(no_fail))
    } else {
        ExitStatus::Error
    }
}
