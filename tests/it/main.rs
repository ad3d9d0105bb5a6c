//! agentgate's integration tests: one test binary (as zizmor has), so that cargo links and runs
//! one executable instead of one per file.
//!
//! - Each module is one area of the product, tested end to end through the real binary
//!   (`env!("CARGO_BIN_EXE_agentgate")`, run by `common::agentgate`) and, where a test needs
//!   it, the library.
//! - `common` holds the shared helpers: running the binary, copying fixtures, real git
//!   repositories, signing reviews with the test-only key of `testdata/keys`; `common::signing`
//!   drives real OpenSSH (`ssh-keygen`).
//! - `rules` runs every rule's fixtures (`testdata/rules/AGnnn/{fail,pass}`) through the
//!   product's own checker of `# expect:` lines, `agentgate test --fixtures`, and snapshots each
//!   failing fixture's human output beside it (`testdata/rules/AGnnn/AGnnn.snap`, with
//!   `insta::glob!`): adding a rule touches no file under `tests/`.
//! - Fixture reviews that carry `signature: SIGN-AT-TEST-TIME` are signed with the test-only key
//!   on the temporary copy a test checks (`common::copy_fixture`, `common::read_fixture`), so a
//!   fixture is never signed by hand.
//!
//! Run one area with `cargo test --test it rules::`, one test by its name.

mod common;

mod action;
mod adversary;
mod at;
mod attack_discovery;
mod attack_gate;
mod attack_reader;
mod attack_reviews;
mod attack_trust;
mod attack_walker;
mod cache;
mod cache_parsed;
mod cache_reads;
mod cache_signatures;
mod changes;
mod cli;
mod cli_habits;
mod compliance;
mod controls;
mod diff;
mod digest_reading;
mod discover;
mod discovery_corpus;
mod discovery_readers;
mod docs;
mod drift;
mod engines;
mod first_hour;
mod formats;
mod honest_discover;
mod honest_evidence;
mod honest_partial;
mod honest_small;
mod init;
mod inventory;
mod messages;
mod owners;
mod packs;
mod packtest;
mod precommit;
mod precommit_mirror;
mod readme_examples;
mod registry;
mod report_browser;
mod review;
mod rules;
mod waive;
mod waivers;
