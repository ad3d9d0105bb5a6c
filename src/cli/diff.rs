//! `agentgate diff --base REV`: what each agent gained or lost.

use clap::ValueEnum;

use agentgate::context::{repository_root, DEFAULT_MAX_FILE_SIZE};
use agentgate::diff;

use super::{cwd, print, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// The revision to compare the working tree with, e.g. origin/main.
    #[arg(long, value_name = "REV")]
    base: String,
    /// Output format: human, json or markdown (a pull-request comment).
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

pub fn run(args: Args) -> ExitStatus {
    // The root as every command finds it. `diff` compares manifests only: it loads no
    // configuration or pack, so a broken one does not stop it (and `exclude` does not apply).
    let root = repository_root(&cwd(), &[], None);
    match diff::diff(&root, &args.base, DEFAULT_MAX_FILE_SIZE) {
        Ok(diffs) => {
            print(&match args.format {
                Format::Human => diff::render_human(&diffs),
                Format::Json => diff::render_json(&diffs),
                Format::Markdown => diff::render_markdown(&diffs),
            });
            ExitStatus::Success
        }
        Err(message) => {
            super::eprint_error(&message);
            ExitStatus::Error
        }
    }
}
