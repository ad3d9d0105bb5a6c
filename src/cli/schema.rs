//! `agentgate schema`: the JSON Schemas agentgate validates with.

use clap::ValueEnum;

use agentgate::validate;

use super::{print, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    #[arg(value_enum, default_value = "manifest")]
    kind: Kind,
}

#[derive(Clone, Copy, ValueEnum)]
enum Kind {
    Manifest,
    Config,
    Data,
}

pub fn run(args: Args) -> ExitStatus {
    print(match args.kind {
        Kind::Manifest => validate::MANIFEST_SCHEMA,
        Kind::Config => validate::CONFIG_SCHEMA,
        Kind::Data => validate::DATA_SCHEMA,
    });
    ExitStatus::Success
}
