//! Drafts from what already exists: one per server of an MCP client configuration, or one from
//! an A2A Agent Card. Nothing that looks like a secret is ever copied: credentials keep only
//! the name of the variable or scheme and, for a reference such as `${input:token}`, the
//! reference itself.

use serde_json::{Map, Value};

use super::{CredentialDraft, Draft};
use crate::footprints;

/// The drafts a parsed file yields, or why it yields none.
pub fn drafts(rel: &str, value: &Value) -> Result<Vec<Draft>, String> {
    let Value::Object(top) = value else {
        return Err(not_recognised(rel));
    };
    let mcp = mcp_drafts(rel, top);
    if !mcp.is_empty() {
        return Ok(mcp);
    }
    if footprints::is_agent_card(rel, top) {
        return Ok(vec![card_draft(rel, top)]);
    }
    Err(not_recognised(rel))
}

fn not_recognised(rel: &str) -> String {
    format!(
        "{rel} is neither an MCP client configuration (a top-level mcpServers or servers map of \
         MCP servers) nor an A2A Agent Card (name, url, skills); give one of those to --from"
    )
}

pub use crate::footprints::slug;

/// A glob that matches exactly this path: `spec.sources` entries are globs, and a file name
/// may hold `*`, `?`, `[`, `]`, `{`, `}` or `\`.
pub(super) fn glob_literal(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        // `#` too: in `spec.sources` a bare `#` starts the `#NAME` of one server.
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\' | '#') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

/// Text taken from the source file, unless it looks like a secret.
fn safe(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty() && footprints::detect(text).is_none()).then(|| text.to_string())
}

fn mcp_drafts(rel: &str, top: &Map<String, Value>) -> Vec<Draft> {
    footprints::mcp_servers(rel, &Value::Object(top.clone()))
        .into_iter()
        .map(|(server, pointer, client, config)| {
            server_draft(rel, &pointer, client, &server, &config)
        })
        .collect()
}

fn server_draft(rel: &str, pointer: &str, client: &str, server: &str, config: &Value) -> Draft {
    let mut credentials = Vec::new();
    for section in ["env", "headers"] {
        let Some(Value::Object(entries)) = config.get(section) else {
            continue;
        };
        for (variable, v) in entries {
            let Some(text) = v.as_str() else { continue };
            if let Some(credential) = server_credential(rel, section, variable, text) {
                credentials.push(credential);
            }
        }
    }
    let transport = if config.get("command").is_some() {
        "stdio"
    } else {
        "http"
    };
    Draft {
        name: slug(server),
        description: Some(format!(
            "MCP server {server} ({}{})",
            if client == "MCP" {
                String::new()
            } else {
                format!("{client}, ")
            },
            footprints::describe_server(config)
        )),
        purpose: None,
        owner_hint: None,
        identity_type: "workload",
        identity_hint: None,
        origin: Some(format!("{rel}#{pointer}")),
        platform: Some(format!("mcp-{transport}")),
        // `#NAME`: this server only, not the whole file (AG104 asks for it when the file
        // defines several).
        sources: vec![format!("{}#{server}", glob_literal(rel))],
        credentials,
        tools: Vec::new(),
        notes: Vec::new(),
    }
}

/// A credential for an `env`/`headers` entry that holds one (by its name or its value).
fn server_credential(
    rel: &str,
    section: &str,
    variable: &str,
    text: &str,
) -> Option<CredentialDraft> {
    let literal = footprints::literal_secret(variable, text).is_some();
    if !literal && !footprints::secret_name(variable) {
        return None;
    }
    let upper = variable.to_ascii_uppercase();
    let kind = if upper.contains("PASSWORD") || upper.contains("PASSWD") {
        "password"
    } else {
        "api_key"
    };
    let origin = format!("{section}.{variable} in {rel}");
    let parts = footprints::parts(text);
    // Names only, never the text around them: a `${NAME:-default}` default is written there.
    let references: Vec<&str> = parts
        .references
        .iter()
        .map(String::as_str)
        .filter(|name| safe(name).is_some())
        .collect();
    let source = if literal {
        format!(
            "TODO {origin} holds a literal secret: revoke it, store the new one in a secret \
             store, reference it from {rel}, and name that store here"
        )
    } else if references.is_empty() {
        format!("TODO where the value of {origin} is stored")
    } else {
        let shown: Vec<String> = references.iter().map(|r| format!("${{{r}}}")).collect();
        format!("TODO the secret store behind {}", shown.join(" "))
    };
    // A reference names the secret better than the variable or header that carries it,
    // unless the value is (also) a literal.
    let short = references
        .first()
        .and_then(|r| r.rsplit(':').next())
        .filter(|r| !r.is_empty() && !literal);
    Some(CredentialDraft {
        name: slug(short.unwrap_or(variable)),
        kind,
        origin,
        source,
    })
}

fn card_draft(rel: &str, card: &Map<String, Value>) -> Draft {
    let text = |key: &str| card.get(key).and_then(Value::as_str).and_then(safe);
    let name = text("name").unwrap_or_else(|| "agent".into());
    let description = text("description");
    let skills: Vec<String> = card
        .get("skills")
        .and_then(Value::as_array)
        .map(|skills| skills.iter().filter_map(skill_text).collect())
        .unwrap_or_default();
    let purpose = match (&description, skills.is_empty()) {
        (Some(d), true) => Some(d.clone()),
        (Some(d), false) => Some(format!(
            "{}{} Skills: {}.",
            d,
            if d.ends_with(['.', '!', '?']) {
                ""
            } else {
                "."
            },
            skills.join("; ")
        )),
        (None, false) => Some(format!(
            "TODO what it is for. Skills: {}.",
            skills.join("; ")
        )),
        (None, true) => None,
    };
    let provider = card.get("provider").and_then(Value::as_object);
    let organisation = provider
        .and_then(|p| p.get("organization"))
        .and_then(Value::as_str)
        .and_then(safe);
    let (credentials, notes) = card_credentials(rel, card.get("securitySchemes"));
    let client_credentials = credentials
        .iter()
        .any(|c| c.kind == "oauth_client_credentials");
    Draft {
        name: slug(&name),
        description: Some(match description.as_deref().map(first_sentence) {
            Some(line) => line,
            None => format!("A2A agent {name}"),
        }),
        purpose,
        owner_hint: organisation.map(|o| format!("the card names the provider {o}")),
        identity_type: if client_credentials {
            "oauth_client"
        } else {
            "workload"
        },
        identity_hint: footprints::card_url(card)
            .and_then(|url| safe(&url))
            .map(|url| format!("the card serves {}", footprints::clean_url(&url))),
        origin: Some(rel.to_string()),
        platform: Some("a2a".into()),
        sources: vec![glob_literal(rel)],
        credentials,
        tools: Vec::new(),
        notes,
    }
}

fn skill_text(skill: &Value) -> Option<String> {
    let name = skill
        .get("name")
        .or_else(|| skill.get("id"))
        .and_then(Value::as_str)
        .and_then(safe)?;
    Some(
        match skill
            .get("description")
            .and_then(Value::as_str)
            .and_then(safe)
        {
            Some(d) => format!("{name} ({})", d.trim_end_matches('.')),
            None => name,
        },
    )
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let sentence = match line.find(". ") {
        Some(end) => &line[..=end],
        None => line,
    };
    let mut chars = sentence.chars();
    let short: String = chars.by_ref().take(120).collect();
    if chars.next().is_some() {
        format!("{}…", short.trim_end())
    } else {
        short
    }
}

/// Credentials from an Agent Card's `securitySchemes`: the OpenAPI shape of A2A 0.x
/// (`{"type": "apiKey"}`) and the wrapped shape of A2A 1.0 (`{"apiKeySecurityScheme": {}}`).
fn card_credentials(rel: &str, schemes: Option<&Value>) -> (Vec<CredentialDraft>, Vec<String>) {
    let mut credentials = Vec::new();
    let mut notes = Vec::new();
    let Some(Value::Object(schemes)) = schemes else {
        return (credentials, notes);
    };
    for (scheme_name, scheme) in schemes {
        let origin = format!("securitySchemes.{scheme_name} in {rel}");
        match scheme_kind(scheme) {
            Some(kind) => credentials.push(CredentialDraft {
                name: slug(scheme_name),
                kind,
                source: format!("TODO where the agent's {kind} for {scheme_name} is stored"),
                origin,
            }),
            None => notes.push(format!(
                "{origin} is a scheme agentgate does not map: declare its credential by hand"
            )),
        }
    }
    (credentials, notes)
}

fn scheme_kind(scheme: &Value) -> Option<&'static str> {
    let Value::Object(map) = scheme else {
        return None;
    };
    let (kind, body) = match map.get("type").and_then(Value::as_str) {
        Some(kind) => (kind.to_string(), scheme),
        None => {
            let (wrapper, body) = map.iter().next()?;
            (wrapper.trim_end_matches("SecurityScheme").to_string(), body)
        }
    };
    let http_scheme = body
        .get("scheme")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    match kind.as_str() {
        "apiKey" => Some("api_key"),
        "mutualTLS" | "mtls" => Some("certificate"),
        "openIdConnect" => Some("federated"),
        "oauth2" => Some(
            if body
                .get("flows")
                .and_then(|f| f.get("clientCredentials"))
                .is_some()
            {
                "oauth_client_credentials"
            } else {
                "short_lived_token"
            },
        ),
        "http" | "httpAuth" => match http_scheme.as_deref() {
            Some("basic") => Some("password"),
            _ => Some("short_lived_token"),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn slugs_are_dns_labels() {
        assert_eq!(slug("GitHub Server"), "github-server");
        assert_eq!(slug("__x__"), "x");
        assert_eq!(slug("日本"), "agent");
        assert_eq!(slug(&"a".repeat(80)).len(), 63);
    }

    #[test]
    fn sources_match_the_file_literally() {
        assert_eq!(
            glob_literal("cfg/mcp [prod].json"),
            "cfg/mcp [[]prod[]].json"
        );
        assert_eq!(glob_literal(".mcp.json"), ".mcp.json");
        let glob = globset::Glob::new(&glob_literal("a*{b}?.json"))
            .unwrap()
            .compile_matcher();
        assert!(glob.is_match("a*{b}?.json"));
        assert!(!glob.is_match("axx{b}c.json"));
    }

    #[test]
    fn security_schemes_of_both_card_shapes() {
        assert_eq!(scheme_kind(&json!({"type": "apiKey"})), Some("api_key"));
        assert_eq!(
            scheme_kind(&json!({"type": "oauth2", "flows": {"clientCredentials": {}}})),
            Some("oauth_client_credentials")
        );
        assert_eq!(
            scheme_kind(&json!({"mtlsSecurityScheme": {}})),
            Some("certificate")
        );
        assert_eq!(
            scheme_kind(&json!({"httpAuthSecurityScheme": {"scheme": "Basic"}})),
            Some("password")
        );
        assert_eq!(scheme_kind(&json!({"type": "carrier-pigeon"})), None);
    }

    #[test]
    fn literal_secrets_are_never_copied() {
        let token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
        let credential = server_credential(".mcp.json", "env", "GITHUB_TOKEN", token).unwrap();
        assert!(!credential.source.contains(token));
        assert!(credential.source.starts_with("TODO"));
        assert_eq!(safe(token), None);
    }

    #[test]
    fn credentials_are_named_after_their_reference_and_keep_no_default() {
        let drafted =
            |text: &str| server_credential(".mcp.json", "env", "API_TOKEN", text).unwrap();
        let docs = drafted("Bearer ${input:docs-token}");
        assert_eq!(docs.name, "docs-token");
        assert_eq!(
            docs.source,
            "TODO the secret store behind ${input:docs-token}"
        );
        assert_eq!(drafted("${GITHUB_TOKEN}").name, "github-token");
        let defaulted = drafted("${API_TOKEN:-DefaultTok9876543}");
        assert_eq!(defaulted.name, "api-token");
        assert!(!format!("{defaulted:?}").contains("DefaultTok9876543"));
        assert!(defaulted.source.contains("holds a literal secret"));
        assert!(!format!("{:?}", drafted("${USER}:MIXEDSECRET123")).contains("MIXEDSECRET"));
    }
}
