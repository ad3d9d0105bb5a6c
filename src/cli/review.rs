//! `agentgate review digest|sign|verify`: signed security reviews.

use std::path::PathBuf;

use clap::Subcommand;

use agentgate::check::DEFAULT_MAX_FILE_SIZE;
use agentgate::review::commands as review;
use agentgate::units;

use super::{cwd, print, ExitStatus};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ReviewCommand,
}

#[derive(Subcommand)]
enum ReviewCommand {
    /// Print the review digest of each document in FILE, one line per document.
    Digest { file: PathBuf },
    /// Set the reviewer and date, sign the digest with `ssh-keygen -Y sign -n agentgate-review`
    /// and write spec.review, leaving the rest of FILE byte for byte as it was.
    Sign {
        file: PathBuf,
        /// The reviewer's email, as allowed_signers lists it (not the owner or backup owner).
        #[arg(long)]
        reviewer: String,
        /// The key for `ssh-keygen -f`: a private key, or a public key whose private half
        /// ssh-agent holds (default: the first of ~/.ssh/id_ed25519, id_ecdsa, id_ed25519_sk,
        /// id_ecdsa_sk, id_rsa).
        #[arg(long)]
        key: Option<PathBuf>,
        /// The review date (YYYY-MM-DD) instead of today (UTC).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
        /// Which document of a multi-document file to sign, counting from 1.
        #[arg(long, value_name = "N")]
        document: Option<usize>,
    },
    /// Verify the reviews in FILE…: valid, stale or invalid (with the reason) for each manifest.
    Verify {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Configuration file naming allowedSigners (default: .agentgate.yaml at the repository root).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Judge key validity as of this date when a review has no date (YYYY-MM-DD).
        #[arg(long, value_parser = units::parse_date_arg)]
        today: Option<i64>,
    },
}

pub fn run(args: Args) -> ExitStatus {
    let cwd = cwd();
    let output = match args.command {
        ReviewCommand::Digest { file } => {
            review::digest_command(&file, &cwd, DEFAULT_MAX_FILE_SIZE)
        }
        ReviewCommand::Sign {
            file,
            reviewer,
            key,
            today,
            document,
        } => review::sign_command(&review::SignOptions {
            file,
            reviewer,
            key,
            today: today.unwrap_or_else(units::today_utc),
            document,
            cwd,
            home: std::env::var_os("HOME").map(PathBuf::from),
            max_bytes: DEFAULT_MAX_FILE_SIZE,
        }),
        ReviewCommand::Verify {
            files,
            config,
            today,
        } => review::verify_command(&review::VerifyOptions {
            files,
            config,
            today: today.unwrap_or_else(units::today_utc),
            cwd,
            max_bytes: DEFAULT_MAX_FILE_SIZE,
        }),
    };
    print(&output.stdout);
    super::eprint_safe(&output.stderr);
    ExitStatus::from_code(i32::from(output.code))
}
