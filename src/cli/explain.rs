//! `agentgate explain RULE`: one rule's page.

use agentgate::commands;

use super::{print, ExitStatus, PackArgs};

#[derive(clap::Args)]
pub struct Args {
    /// The rule: its id (AG011) or its slug (wildcard-grant).
    rule: String,
    #[command(flatten)]
    packs: PackArgs,
}

pub fn run(args: Args) -> ExitStatus {
    let registry = match args.packs.registry() {
        Ok(registry) => registry,
        Err(status) => return status,
    };
    match commands::explain(&registry, &args.rule) {
        Some(text) => {
            print(&text);
            ExitStatus::Success
        }
        None => {
            eprintln!(
                "error: unknown rule {:?}; `agentgate rules` lists them",
                args.rule
            );
            ExitStatus::Error
        }
    }
}
