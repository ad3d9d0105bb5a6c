//! agentgate: a policy-as-code gate for AI-agent identity manifests.
//!
//! The pipeline runs one way: [`discover`] → [`yaml`] (parse) → [`validate`] → [`evaluate`] → [`report`].

pub mod source;
pub mod yaml;
pub mod units;
pub mod finding;
pub mod config;
pub mod discover;
pub mod validate;
pub mod pack;
pub mod facts;
pub mod evaluate;
pub mod check;
pub mod report;
pub mod commands;
