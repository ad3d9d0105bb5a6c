//! `agentgate waive --all`: one waiver per current finding, appended to the configuration, for
//! adopting agentgate in a repository that already has findings.

use std::path::PathBuf;

use agentgate::check::{self, CheckOptions};
use agentgate::config::Config;
use agentgate::units;
use agentgate::waive::{self, WaiveOptions};

use super::{cwd, eprint_error, eprint_safe, print, CommonArgs, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Waive every current finding that can be waived (required: there is no other mode yet).
    #[arg(long, required = true)]
    all: bool,
    /// Why the exceptions are acceptable (a ticket, say); written into every waiver.
    #[arg(long)]
    reason: String,
    /// Who approved the exceptions (an email address).
    #[arg(long, value_name = "EMAIL")]
    approved_by: String,
    /// Last day the waivers apply (YYYY-MM-DD, inclusive); after it, each is AG090.
    #[arg(long, value_name = "DATE")]
    expires: String,
    /// Only findings of this rule.
    #[arg(long, value_name = "ID")]
    rule: Option<String>,
    /// Only findings in files this glob matches (relative to the configuration's folder).
    #[arg(long, value_name = "GLOB")]
    file: Option<String>,
    #[command(flatten)]
    common: CommonArgs,
    /// Check manifests only, without looking for unregistered agents (discovery is on by
    /// default, as in `check`).
    #[arg(long)]
    no_discover: bool,
}

pub fn run(args: Args) -> ExitStatus {
    let cwd = cwd();
    let Some(expires) = units::parse_date(&args.expires) else {
        eprint_error(&format!(
            "--expires {:?} is not a date (YYYY-MM-DD)",
            args.expires
        ));
        return ExitStatus::Error;
    };
    let today = args.common.today.unwrap_or_else(units::today_utc);
    if expires < today {
        eprint_error(&format!(
            "--expires {} is in the past: the waivers would be expired (AG090) at once",
            args.expires
        ));
        return ExitStatus::Error;
    }
    let root = agentgate::discover::repository_root(&cwd, &[], args.common.config.as_deref());
    // The whole repository, wherever it is run from: the waivers are for `check` at the root.
    let options = CheckOptions {
        paths: vec![root.clone()],
        config: args.common.config.clone(),
        fail_on: None,
        today: args.common.today,
        max_file_size: args.common.max_file_size,
        changes: None,
        packs: args.common.packs,
        cwd: cwd.clone(),
    };
    let discovery = if args.no_discover {
        check::Discovery::Off
    } else {
        check::Discovery::Configured
    };
    let path = Config::path_for(&cwd, &root, args.common.config.as_deref())
        .unwrap_or_else(|| root.join(agentgate::config::FILE_NAME));
    let display = agentgate::fs::display_path(&path, &cwd);
    let outcome = check::run_with(&options, discovery);
    if outcome.findings.is_empty() && !outcome.problems.is_empty() && outcome.checked.is_empty() {
        // The run itself failed (configuration, packs): nothing to waive.
        eprint_safe(&agentgate::finding::problems_text(&outcome.problems));
        return ExitStatus::Error;
    }
    let waive_options = WaiveOptions {
        reason: args.reason,
        approved_by: args.approved_by,
        expires: args.expires,
        rule: args.rule,
        file: args.file,
    };
    let dir = path.parent().map(PathBuf::from).unwrap_or_default();
    let plan = match waive::plan(&outcome, &dir, &waive_options) {
        Ok(plan) => plan,
        Err(message) => {
            eprint_error(&message);
            return ExitStatus::Error;
        }
    };
    let mut text = String::new();
    if plan.entries.is_empty() {
        text.push_str(&format!(
            "wrote no waivers to {display}: no finding to waive\n"
        ));
    } else {
        match waive::write(
            &path,
            &display,
            &plan,
            &waive_options,
            args.common.max_file_size,
        ) {
            Ok(written) => text.push_str(&format!(
                "wrote {} waiver{} to {display}{} (expiring {}), covering {} finding{}\n",
                plan.entries.len(),
                plural(plan.entries.len()),
                if written.created { " (created)" } else { "" },
                waive_options.expires,
                plan.covered.len(),
                plural(plan.covered.len()),
            )),
            Err(problems) => {
                eprint_safe(&agentgate::finding::problems_text(&problems));
                eprint_error(&format!(
                    "refused to write {display}: the result would not be a valid configuration"
                ));
                return ExitStatus::Error;
            }
        }
    }
    let skipped: usize = plan.skipped.values().sum();
    text.push_str(&format!("skipped {skipped}\n"));
    for (why, count) in &plan.skipped {
        text.push_str(&format!("  {count} {why}\n"));
    }
    print(&agentgate::escape::without_workflow_commands(&text));
    ExitStatus::Success
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
