//! agentgate: a policy-as-code gate for AI-agent identity manifests.
//!
//! The pipeline runs one way: [`discover`] → [`yaml`] (parse) → [`validate`] → [`evaluate`] → [`report`].

pub mod source;
pub mod yaml;
