//! The `agentgate` command line. Parsing, the subcommands and their exit statuses live in
//! [`cli`]; the library (`agentgate::…`) has no command-line types.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(cli::run(cli::parse()))
}
