//! Stage 5, report: renderers over the same findings and problems. Only `human` uses miette.

pub mod human;
pub mod json;

use std::io::IsTerminal;

use crate::finding::{Finding, Place};
use crate::source::SourceFile;

/// Whether to colour output: never with `NO_COLOR` set or when stdout is not a terminal.
pub fn use_color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
}

/// How a secret is shown: its first four characters and its length, nothing more.
pub fn redacted(secret: &str) -> String {
    let prefix: String = secret.chars().take(4).collect();
    format!(
        "{prefix}… ({} characters, redacted)",
        secret.chars().count()
    )
}

/// The text of a finding's file with every secret that `findings` flag in it masked, keeping
/// each character's position so line and column stay right.
pub fn masked_text(source: &SourceFile, findings: &[&Finding]) -> String {
    let mut text = String::with_capacity(source.text.len());
    let secrets: Vec<&Place> = findings
        .iter()
        .filter(|f| f.redact)
        .map(|f| &f.place)
        .collect();
    for (i, ch) in source.text.chars().enumerate() {
        let secret = secrets
            .iter()
            .any(|p| p.label.start + 4 <= i && i < p.label.end);
        text.push(if secret && !ch.is_whitespace() {
            '*'
        } else {
            ch
        });
    }
    text
}
