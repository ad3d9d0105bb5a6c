//! agentgate: a policy-as-code gate for AI-agent identity manifests.
//!
//! The pipeline runs one way: [`discover`] → [`yaml`] (parse) → [`validate`] → [`evaluate`] → [`report`].

pub mod changes;
pub mod check;
pub mod commands;
pub mod compliance;
pub mod config;
pub mod controls;
pub mod diff;
pub mod digest;
pub mod discover;
pub mod discovery;
pub mod evaluate;
pub mod facts;
pub mod finding;
pub mod init;
pub mod inventory;
pub mod pack;
pub mod packs;
pub mod packtest;
pub mod report;
pub mod review;
pub mod snapshot;
pub mod source;
pub mod units;
pub mod validate;
pub mod waiver;
pub mod yaml;
