//! `agentgate rules`: every rule of the loaded packs, as a table, JSON, Markdown, or one
//! Markdown page per rule (`--out`, how docs/rules is made).

use std::path::PathBuf;

use clap::ValueEnum;

use agentgate::commands;

use super::{print, ExitStatus, PackArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    packs: PackArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// With `--format markdown`: write one page per rule and an index (README.md) into
    /// this folder instead of printing the table (as docs/rules is made).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
}

pub fn run(args: Args) -> ExitStatus {
    if args.out.is_some() && args.format != Format::Markdown {
        eprintln!("error: --out writes Markdown pages; use it with --format markdown");
        return ExitStatus::Error;
    }
    let registry = match args.packs.registry() {
        Ok(registry) => registry,
        Err(status) => return status,
    };
    if let Some(dir) = &args.out {
        return match commands::write_rule_pages(&registry, dir) {
            Ok(others) => {
                for name in others {
                    eprintln!(
                        "note: {} is not a page of a loaded rule; remove it if it is stale",
                        dir.join(name).display()
                    );
                }
                ExitStatus::Success
            }
            Err(e) => {
                eprintln!(
                    "error: cannot write the rule pages to {}: {e}",
                    dir.display()
                );
                ExitStatus::Error
            }
        };
    }
    print(&match args.format {
        Format::Human => commands::rules_table(&registry),
        Format::Json => commands::rules_json(&registry),
        Format::Markdown => commands::rules_markdown(&registry),
    });
    ExitStatus::Success
}
