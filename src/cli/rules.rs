//! `agentgate rules`: every rule of the loaded packs.

use clap::ValueEnum;

use agentgate::commands;

use super::{print, ExitStatus, PackArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    packs: PackArgs,
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
    let registry = match args.packs.registry() {
        Ok(registry) => registry,
        Err(status) => return status,
    };
    print(&match args.format {
        Format::Human => commands::rules_table(&registry),
        Format::Json => commands::rules_json(&registry),
        Format::Markdown => commands::rules_markdown(&registry),
    });
    ExitStatus::Success
}
