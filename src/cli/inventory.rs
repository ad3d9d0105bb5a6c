//! `agentgate inventory`: one row per agent, filtered and sorted, as a table, CSV, JSON or
//! Markdown.

use clap::ValueEnum;

use agentgate::inventory::{self, Filters, InventoryCommand, InventoryFormat, OwnerRole, SortKey};
use agentgate::units::{self, SECONDS_PER_DAY};

use super::{cwd, text_command, ExitStatus, SourceArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Only agents whose owner or backup owner (as --role says) has this email or name,
    /// compared case-insensitively.
    #[arg(long)]
    owner: Option<String>,
    /// Which role --owner matches: owner, backup (owner) or any.
    #[arg(long, value_enum, default_value = "any", requires = "owner")]
    role: Role,
    /// Only agents whose owner's team is this one.
    #[arg(long)]
    team: Option<String>,
    /// Only agents with this lifecycle status.
    #[arg(long)]
    status: Option<String>,
    /// Only agents expiring within this duration of today (30d, 12w, P90D), already expired,
    /// or without a readable expiry date.
    #[arg(long, value_name = "DURATION", value_parser = parse_days)]
    expiring_within: Option<i64>,
    /// Only agents without a current review: none, older than maxReviewAge, dated after
    /// today, or with a signature that does not verify.
    #[arg(long)]
    unreviewed: bool,
    /// Order of the rows (default: file, the order of the manifests in the repository).
    #[arg(long, value_enum, default_value = "file")]
    sort: Sort,
}

/// `--role`: [`OwnerRole`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Role {
    Owner,
    Backup,
    Any,
}

/// `--format`: [`InventoryFormat`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

impl From<Format> for InventoryFormat {
    fn from(format: Format) -> InventoryFormat {
        match format {
            Format::Table => InventoryFormat::Table,
            Format::Csv => InventoryFormat::Csv,
            Format::Json => InventoryFormat::Json,
            Format::Markdown => InventoryFormat::Markdown,
        }
    }
}

/// `--sort`: [`SortKey`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Sort {
    File,
    Name,
    Owner,
    Team,
    Status,
    /// Soonest expiry first; no readable expiry date sorts first of all (it is the worst).
    Expires,
    /// Oldest review first; no review sorts first of all.
    Review,
    /// Most errors first, then most warnings.
    Findings,
}

impl From<Sort> for SortKey {
    fn from(sort: Sort) -> SortKey {
        match sort {
            Sort::File => SortKey::File,
            Sort::Name => SortKey::Name,
            Sort::Owner => SortKey::Owner,
            Sort::Team => SortKey::Team,
            Sort::Status => SortKey::Status,
            Sort::Expires => SortKey::Expires,
            Sort::Review => SortKey::Review,
            Sort::Findings => SortKey::Findings,
        }
    }
}

pub fn run(args: Args) -> ExitStatus {
    let command = InventoryCommand {
        source: args.source.into(),
        format: args.format.into(),
        filters: Filters {
            owner: args.owner,
            role: match args.role {
                Role::Owner => OwnerRole::Owner,
                Role::Backup => OwnerRole::Backup,
                Role::Any => OwnerRole::Any,
            },
            team: args.team,
            status: args.status,
            expiring_within_days: args.expiring_within,
            unreviewed: args.unreviewed,
        },
        sort: args.sort.into(),
    };
    text_command(inventory::command(command, &cwd()))
}

fn parse_days(text: &str) -> Result<i64, String> {
    units::parse_duration(text)
        .and_then(|s| i64::try_from(s).ok())
        .map(|s| s / SECONDS_PER_DAY)
        .ok_or_else(|| format!("{text:?} is not a duration; write 30d, 12w or P90D"))
}
