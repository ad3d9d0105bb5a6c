//! The allowed_signers reader (`agentgate::review::signers::AllowedSigners::parse`) and the
//! OpenSSH pattern-list and timestamp helpers it uses. Invariants: no panic; a parsed signer
//! names the line it came from; an error names a line of the text.
#![no_main]

use agentgate::review::signers::{match_pattern_list, parse_timestamp, AllowedSigners};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines = text.split('\n').count();
    match AllowedSigners::parse(text) {
        Ok(signers) => {
            for signer in &signers.signers {
                assert!(
                    signer.line >= 1 && signer.line <= lines,
                    "signer on line {}",
                    signer.line
                );
                signer.matches_principal("reviewer@example.com");
                signer.allows_namespace("agentgate-review");
                signer.valid_at(0);
                signer.valid_at(i64::MAX);
                signer.valid_at(i64::MIN);
            }
        }
        Err(errors) => {
            for error in &errors {
                assert!(
                    error.line >= 1 && error.line <= lines,
                    "error on line {}",
                    error.line
                );
            }
        }
    }
    // The helpers on arbitrary text: the first line as a list, the rest as what it matches.
    let (list, rest) = text.split_once('\n').unwrap_or((text, ""));
    match_pattern_list(rest, list);
    parse_timestamp(list);
});
