//! `agentgate test`: the `test_*` rules of rule packs, and fixture folders.

use std::path::PathBuf;

use agentgate::{packtest, units};

use super::{cwd, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
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
}

pub fn run(args: Args) -> ExitStatus {
    let options = packtest::TestOptions {
        packs: args.packs,
        coverage: args.coverage,
        coverage_min: args.coverage_min,
        fixtures: args.fixtures,
        config: args.config,
        today: args.today,
        cwd: cwd(),
    };
    let code = packtest::run(
        &options,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    ExitStatus::from_code(code)
}

fn parse_percent(text: &str) -> Result<f64, String> {
    text.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("{text:?} is not a percentage between 0 and 100"))
}
