//! A draft as manifest YAML, with the comments a person needs to fill it in. Written by hand
//! rather than by a serializer because the comments are half the value of the file.

use std::fmt::Write;

use super::{Draft, Owner, LIFETIME_DAYS};
use crate::units;

pub fn manifest(draft: &Draft, owner: &Owner, today: i64) -> String {
    let mut out = String::new();
    header(&mut out, draft, today);
    out.push_str("apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n");
    field(&mut out, 2, "name", &draft.name);
    field(
        &mut out,
        2,
        "description",
        &or_todo(&draft.description, "one line on what the agent is"),
    );
    if let Some(origin) = &draft.origin {
        out.push_str("  annotations:\n");
        field(&mut out, 4, "agentgate.dev/drafted-from", origin);
    }
    out.push_str("spec:\n");
    field(
        &mut out,
        2,
        "purpose",
        &or_todo(
            &draft.purpose,
            "what it does, for whom, and why it needs to exist",
        ),
    );
    people(&mut out, draft, owner);
    lifecycle(&mut out, today);
    if let Some(platform) = &draft.platform {
        out.push_str("  runtime:\n");
        field(&mut out, 4, "platform", platform);
    }
    identity(&mut out, draft);
    if draft.tools.is_empty() {
        out.push_str(
            "  # Least privilege from zero: this grants nothing. Add each grant the agent needs as\n  \
             # {resource, actions, justification, dataClasses}; actions beyond reading need\n  \
             # approval: human.\n  permissions: []\n",
        );
    } else {
        out.push_str(
            "  # One entry per tool the code defines: name the system each reaches and the fewest\n  \
             # actions it needs, or delete the entry; actions beyond reading need approval: human.\n  \
             permissions:\n",
        );
        for tool in &draft.tools {
            let _ = writeln!(
                out,
                "    - resource: {}\n      actions: [TODO]\n      justification: {}",
                scalar(&format!("TODO the system the tool {tool} reaches")),
                scalar(&format!("TODO why the agent needs {tool}"))
            );
        }
    }
    credentials(&mut out, draft);
    out.push_str(concat!(
        "  blastRadius:\n",
        "    worstCase: TODO the worst it could do if hijacked or manipulated\n",
        "    dataClasses: []  # every data class a permission touches\n",
        "    reversible: true  # revisit as you add permissions: can the worst case be undone?\n",
        "    externalReach: false  # revisit: can it send data or messages outside the organisation?\n",
        "  baseline:\n",
        "    schedule: TODO when it runs (a cron expression, on demand, on an event)\n",
        "    systems: []\n",
        "  audit:\n",
        "    logSink: TODO where its actions are logged, e.g. siem://splunk/agents\n",
    ));
    if !draft.sources.is_empty() {
        out.push_str(
            "  # The code and configuration this manifest governs (agentgate discover).\n",
        );
        out.push_str("  sources:\n");
        for source in &draft.sources {
            let _ = writeln!(out, "    - {}", scalar(source));
        }
    }
    out
}

fn header(out: &mut String, draft: &Draft, today: i64) {
    let _ = write!(
        out,
        "# Drafted by `agentgate init` on {}",
        units::format_date(today)
    );
    match &draft.origin {
        Some(origin) => {
            let _ = writeln!(out, " from {}.", comment(origin));
        }
        None => out.push_str(".\n"),
    }
    out.push_str(
        "# Replace every TODO (`agentgate check` reports each one left, AG007), then have it\n\
         # reviewed and signed (`agentgate review sign`) before its status becomes active.\n",
    );
    for note in &draft.notes {
        let _ = writeln!(out, "# Note: {}", comment(note));
    }
}

fn people(out: &mut String, draft: &Draft, owner: &Owner) {
    let hint = draft
        .owner_hint
        .as_ref()
        .map_or_else(String::new, |h| format!(" ({h})"));
    out.push_str("  owner:  # the accountable person, not a team alias\n");
    field(
        out,
        4,
        "name",
        &or_todo(
            &owner.name,
            &format!("the accountable person's full name{hint}"),
        ),
    );
    field(
        out,
        4,
        "email",
        owner.email.as_deref().unwrap_or("TODO@example.invalid"),
    );
    if let Some(team) = &owner.team {
        field(out, 4, "team", team);
    }
    out.push_str(concat!(
        "  backupOwner:  # who takes over when the owner leaves\n",
        "    name: TODO the backup owner's full name\n",
        "    email: TODO-backup@example.invalid\n",
    ));
}

fn lifecycle(out: &mut String, today: i64) {
    let _ = write!(
        out,
        "  lifecycle:\n    status: proposed  # proposed | active | deprecated | retired\n    \
         expires: {}  # {LIFETIME_DAYS} days: re-certify the agent before then\n",
        units::format_date(today + LIFETIME_DAYS)
    );
}

fn identity(out: &mut String, draft: &Draft) {
    let hint = draft
        .identity_hint
        .as_ref()
        .map_or_else(String::new, |h| format!(" ({h})"));
    let _ = writeln!(
        out,
        "  identity:\n    type: {}  # workload | service_account | oauth_client | user_delegated",
        draft.identity_type
    );
    field(
        out,
        4,
        "id",
        &format!(
            "TODO the identity it runs under: a SPIFFE id, service account or OAuth client id{hint}"
        ),
    );
}

fn credentials(out: &mut String, draft: &Draft) {
    if draft.credentials.is_empty() {
        out.push_str("  credentials: []  # none of its own; add each one it holds\n");
        return;
    }
    out.push_str("  credentials:\n");
    for credential in &draft.credentials {
        let static_kind = matches!(credential.kind, "api_key" | "password" | "certificate");
        let _ = writeln!(out, "    # From {}.", comment(&credential.origin));
        field(out, 4, "- name", &credential.name);
        let _ = writeln!(
            out,
            "      type: {}  # federated | oauth_client_credentials | short_lived_token | api_key | password | certificate",
            credential.kind
        );
        field(
            out,
            6,
            "ttl",
            if static_kind {
                "TODO lifetime of one issued credential: as short as it can be, at most 90d"
            } else {
                "TODO lifetime of one issued token: short, e.g. 1h, at most 24h"
            },
        );
        if static_kind {
            field(
                out,
                6,
                "rotation",
                "TODO automatic, or a period such as 30d",
            );
        }
        out.push_str("      shared: false  # set true if any other agent or person uses it\n");
        field(out, 6, "source", &credential.source);
    }
}

/// Text for a `#` comment: names from the source file may hold line breaks or other control
/// characters, which would end the comment and inject YAML of their own.
fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{85}') {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn or_todo(value: &Option<String>, what: &str) -> String {
    value.clone().unwrap_or_else(|| format!("TODO {what}"))
}

fn field(out: &mut String, indent: usize, key: &str, value: &str) {
    let _ = writeln!(out, "{:indent$}{key}: {}", "", scalar(value));
}

/// A plain scalar when YAML 1.2 reads it back as this very string, else a JSON string (which
/// YAML reads as a double-quoted scalar).
fn scalar(text: &str) -> String {
    let plain_chars = text.chars().all(|c| {
        c.is_alphanumeric() || c == ' ' || ".,_/@()+=;".contains(c) || c == '-' || c == ':'
    });
    let first = text.chars().next();
    let reserved = matches!(
        text.to_ascii_lowercase().as_str(),
        "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
    ) || text.parse::<f64>().is_ok()
        || text.starts_with("0x")
        || text.starts_with("0o");
    let plain = plain_chars
        && first.is_some_and(|c| c.is_alphanumeric() || c == '/')
        && !text.ends_with(' ')
        && !text.ends_with(':')
        && !text.contains(": ")
        && !reserved;
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn comments_cannot_end_early() {
        assert_eq!(
            super::comment("a\nkind: Agent\r\u{2028}x"),
            "a\u{fffd}kind: Agent\u{fffd}\u{fffd}x"
        );
    }

    #[test]
    fn scalars_read_back_as_strings() {
        assert_eq!(scalar("github"), "github");
        assert_eq!(
            scalar("TODO the owner: a person"),
            "\"TODO the owner: a person\""
        );
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("1.5"), "\"1.5\"");
        assert_eq!(scalar("- x"), "\"- x\"");
        assert_eq!(scalar("a # b"), "\"a # b\"");
        assert_eq!(scalar("${input:token}"), "\"${input:token}\"");
        assert_eq!(scalar(""), "\"\"");
    }
}
