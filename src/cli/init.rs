//! `agentgate init`: a new manifest from zero privileges, or drafts from `--from FILE`.

use std::path::PathBuf;

use agentgate::init::{self, InitCommand};
use agentgate::units;

use super::{cwd, text_command, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    /// Name of the new agent (a lowercase DNS label). Asked for on a terminal when missing;
    /// with --from, it renames the one agent the file describes.
    name: Option<String>,
    /// Pre-fill from an MCP client configuration (one manifest per server) or an A2A Agent Card.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// Agent code this manifest governs (a file or folder; repeatable): drafts spec.sources, the
    /// LLM providers the code imports as credential TODOs and its tools as permission TODOs.
    #[arg(long = "source", value_name = "PATH")]
    sources: Vec<PathBuf>,
    /// Folder to write NAME.yaml into; manifests under a `.agents` folder are found by `check`.
    #[arg(long, value_name = "DIR", default_value = ".agents")]
    dir: PathBuf,
    /// Print the manifests instead of writing files.
    #[arg(long)]
    stdout: bool,
    /// Overwrite existing files.
    #[arg(long)]
    force: bool,
    /// The accountable person's full name.
    #[arg(long, value_name = "NAME")]
    owner_name: Option<String>,
    /// The accountable person's own email address (not a group alias).
    #[arg(long, value_name = "EMAIL")]
    owner_email: Option<String>,
    /// The owner's team.
    #[arg(long)]
    team: Option<String>,
    /// What the agent does, for whom, and why it exists.
    #[arg(long)]
    purpose: Option<String>,
    /// One line on what the agent is.
    #[arg(long)]
    description: Option<String>,
    /// Never ask; what is not given stays a TODO.
    #[arg(long)]
    no_input: bool,
    /// Date the new manifest starts from (YYYY-MM-DD), instead of today (UTC).
    #[arg(long, value_parser = units::parse_date_arg)]
    today: Option<i64>,
}

pub fn run(args: Args) -> ExitStatus {
    let command = InitCommand {
        name: args.name,
        from: args.from,
        sources: args.sources,
        dir: args.dir,
        stdout: args.stdout,
        force: args.force,
        owner_name: args.owner_name,
        owner_email: args.owner_email,
        team: args.team,
        purpose: args.purpose,
        description: args.description,
        no_input: args.no_input,
        today: args.today,
    };
    text_command(init::command(command, &cwd()))
}
