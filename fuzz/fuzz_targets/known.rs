//! Failures the targets found that are reported but not fixed yet (docs/fuzzing.md). CI skips
//! them so that it stays green and keeps looking for new ones; `AGENTGATE_FUZZ_STRICT=1` checks
//! them too. When one is fixed, delete its exception here.

#![allow(dead_code)] // each target uses what it needs

use std::sync::OnceLock;

/// `AGENTGATE_FUZZ_STRICT=1`: the known failures count as failures.
pub fn strict() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("AGENTGATE_FUZZ_STRICT").is_some_and(|v| v == "1"))
}

/// A reserved directive (a `%` line other than `%YAML` and `%TAG`) holding a non-ASCII
/// character: the YAML parser counts such a character as its UTF-8 length, so every offset
/// after that line is too large (`%ñ\n--- x` puts `x` at 5..6 in a text of 5 characters).
pub fn directive_drift(text: &str) -> bool {
    !strict()
        && text.lines().any(|line| {
            line.starts_with('%')
                && !line.starts_with("%YAML")
                && !line.starts_with("%TAG")
                && !line.is_ascii()
        })
}
