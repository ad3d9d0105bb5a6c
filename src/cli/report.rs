//! `agentgate report`: the compliance report per control, as Markdown, JSON or HTML.

use clap::ValueEnum;

use agentgate::report::{self, FrameworkChoice, ReportCommand, ReportFormat};

use super::{cwd, text_command, ExitStatus, SourceArgs};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    #[arg(long, value_enum, default_value = "markdown")]
    format: Format,
    /// One framework (all when absent); `owasp` covers the NHI, LLM and agentic lists.
    #[arg(long, value_enum)]
    framework: Option<Framework>,
}

/// `--format`: [`ReportFormat`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Markdown,
    Json,
    Html,
}

impl From<Format> for ReportFormat {
    fn from(format: Format) -> ReportFormat {
        match format {
            Format::Markdown => ReportFormat::Markdown,
            Format::Json => ReportFormat::Json,
            Format::Html => ReportFormat::Html,
        }
    }
}

/// `--framework`: [`FrameworkChoice`] on the command line, by the names it reports under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Framework {
    Soc2,
    Iso27001,
    #[value(name = "nist-800-53")]
    Nist80053,
    #[value(name = "nist-ai-rmf")]
    NistAiRmf,
    #[value(name = "eu-ai-act")]
    EuAiAct,
    Cis,
    Owasp,
}

impl From<Framework> for FrameworkChoice {
    fn from(framework: Framework) -> FrameworkChoice {
        match framework {
            Framework::Soc2 => FrameworkChoice::Soc2,
            Framework::Iso27001 => FrameworkChoice::Iso27001,
            Framework::Nist80053 => FrameworkChoice::Nist80053,
            Framework::NistAiRmf => FrameworkChoice::NistAiRmf,
            Framework::EuAiAct => FrameworkChoice::EuAiAct,
            Framework::Cis => FrameworkChoice::Cis,
            Framework::Owasp => FrameworkChoice::Owasp,
        }
    }
}

pub fn run(args: Args) -> ExitStatus {
    let command = ReportCommand {
        source: args.source.into(),
        format: args.format.into(),
        framework: args.framework.map(FrameworkChoice::from),
    };
    text_command(report::command(command, &cwd()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's header names the framework as `--framework` spells it.
    #[test]
    fn framework_values_are_the_names_the_report_uses() {
        for framework in Framework::value_variants() {
            let value = framework.to_possible_value().expect("not skipped");
            assert_eq!(value.get_name(), FrameworkChoice::from(*framework).name());
        }
    }
}
