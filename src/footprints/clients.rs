//! MCP client configurations, each read as its client reads it: which file names and folders
//! a client reads, under which key its servers sit, and how one server is written there. Every
//! server becomes the common shape (`command`, `args`, `env`, `url`, `headers`) with the JSON
//! pointer of each part in the real file, so that secrets and broad servers are judged once.

use serde_json::{Map, Value};

/// Who reads a file, and under which key its servers are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    /// `.mcp.json`, `claude_desktop_config.json`, `.cursor/mcp.json`, Windsurf's
    /// `mcp_config.json`, `.gemini/settings.json`, `.roo/mcp.json`, `.kilocode/mcp.json`,
    /// `cline_mcp_settings.json`, LibreChat's `librechat.yaml`: a `mcpServers` map.
    McpServers(&'static str),
    /// VS Code `.vscode/mcp.json`: a `servers` map.
    VsCode,
    /// VS Code `.vscode/settings.json`: `mcp.servers`.
    VsCodeSettings,
    /// opencode `opencode.json(c)`: `mcp`, each `type: local` (a `command` array) or `remote`.
    Opencode,
    /// Zed `.zed/settings.json`: `context_servers`.
    Zed,
    /// Continue `.continue/mcpServers/*.yaml|json` and `.continue/config.yaml`: `mcpServers`
    /// as a list of named servers (or a map, as copied from another client).
    Continue,
    /// Goose `config.yaml`: `extensions`.
    Goose,
    /// Codex `.codex/config.toml`: `[mcp_servers.NAME]`.
    Codex,
}

impl Client {
    pub fn name(self) -> &'static str {
        match self {
            Client::McpServers(name) => name,
            Client::VsCode | Client::VsCodeSettings => "VS Code",
            Client::Opencode => "opencode",
            Client::Zed => "Zed",
            Client::Continue => "Continue",
            Client::Goose => "Goose",
            Client::Codex => "Codex",
        }
    }

    /// The key (a JSON pointer) its servers sit under.
    pub fn key(self) -> &'static str {
        match self {
            Client::McpServers(_) | Client::Continue => "/mcpServers",
            Client::VsCode => "/servers",
            Client::VsCodeSettings => "/mcp/servers",
            Client::Opencode => "/mcp",
            Client::Zed => "/context_servers",
            Client::Goose => "/extensions",
            Client::Codex => "/mcp_servers",
        }
    }
}

/// The last `n` segments of a `/`-separated path, lowercased (clients on macOS and Windows
/// read `.Cursor/MCP.json` as `.cursor/mcp.json`).
fn tail(rel: &str, n: usize) -> String {
    let segments: Vec<&str> = rel.rsplit('/').take(n).collect();
    segments
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

/// The client whose configuration a file is by its place alone (a known name in the client's
/// folder), if any.
pub fn by_place(rel: &str) -> Option<Client> {
    let name = tail(rel, 1);
    let two = tail(rel, 2);
    let folder = two.split('/').next().filter(|_| two.contains('/'));
    Some(match (folder, name.as_str()) {
        (_, ".mcp.json") => Client::McpServers("Claude Code"),
        (_, "claude_desktop_config.json") => Client::McpServers("Claude Desktop"),
        (_, "cline_mcp_settings.json") => Client::McpServers("Cline"),
        (_, "mcp_settings.json") if rel.to_ascii_lowercase().contains("roo") => {
            Client::McpServers("Roo Code")
        }
        (Some(".cursor"), "mcp.json") => Client::McpServers("Cursor"),
        (Some(".roo"), "mcp.json") => Client::McpServers("Roo Code"),
        (Some(".kilocode"), "mcp.json") => Client::McpServers("Kilo Code"),
        (Some("settings"), "mcp.json") if rel.to_ascii_lowercase().contains(".kiro/settings/") => {
            Client::McpServers("Kiro")
        }
        (Some(".vscode"), "mcp.json") => Client::VsCode,
        (Some(".vscode"), "settings.json") => Client::VsCodeSettings,
        (Some(".gemini"), "settings.json") => Client::McpServers("Gemini CLI"),
        (Some(".qwen"), "settings.json") => Client::McpServers("Qwen Code"),
        (Some(".zed"), "settings.json") => Client::Zed,
        (Some("windsurf"), "mcp_config.json") => Client::McpServers("Windsurf"),
        (_, "mcp_config.json") => Client::McpServers("Windsurf or Antigravity"),
        (Some(".codex"), "config.toml") => Client::Codex,
        (_, "opencode.json" | "opencode.jsonc") => Client::Opencode,
        (Some("mcpservers"), n)
            if rel.to_ascii_lowercase().contains(".continue/")
                && [".yaml", ".yml", ".json"].iter().any(|e| n.ends_with(e)) =>
        {
            Client::Continue
        }
        (Some(".continue"), "config.yaml" | "config.yml") => Client::Continue,
        (Some("goose"), "config.yaml" | "config.yml") => Client::Goose,
        (_, "librechat.yaml" | "librechat.yml") => Client::McpServers("LibreChat"),
        (None, "mcp.json") => Client::McpServers("MCP"),
        _ => return None,
    })
}

/// A file name many tools use (`settings.json`, `config.yaml`): a client's configuration only
/// in its folder or with its key.
pub fn generic_name(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "settings.json" | "config.yaml" | "config.yml" | "config.json" | "config.toml"
    )
}

/// The client whose configuration a parsed file is: by its place, or, for a file with a
/// generic name elsewhere, by the client's key holding servers of the client's shape.
pub fn of(rel: &str, top: &Map<String, Value>) -> Option<(Client, bool)> {
    if let Some(client) = by_place(rel) {
        return Some((client, true));
    }
    let name = tail(rel, 1);
    let shaped = |client: Client| {
        pointer(top, client.key())
            .and_then(Value::as_object)
            .is_some_and(|servers| {
                servers
                    .values()
                    .any(|s| normalise(client, s).is_some_and(|n| n.strict))
            })
    };
    if (name == "config.yaml" || name == "config.yml") && shaped(Client::Goose) {
        return Some((Client::Goose, false));
    }
    if name == "settings.json" && shaped(Client::Zed) {
        return Some((Client::Zed, false));
    }
    if name == "settings.json" && shaped(Client::VsCodeSettings) {
        return Some((Client::VsCodeSettings, false));
    }
    None
}

fn pointer<'a>(top: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    let mut segments = key.trim_start_matches('/').split('/');
    let first = top.get(segments.next()?)?;
    segments.try_fold(first, |value, segment| value.get(segment))
}

/// One server in the common shape, with where each part is in the file.
#[derive(Debug, Clone)]
pub struct Normalised {
    /// `{command, args, env, url, headers}` as strings, a list and maps.
    pub config: Value,
    /// The pointer (relative to the server's own) of `command`, of `args` (each argument `i`
    /// lies at `args_at/(i + args_offset)`), of `env`, `headers` and `url`.
    pub command_at: String,
    pub args_at: String,
    pub args_offset: usize,
    pub env_at: String,
    pub headers_at: String,
    pub url_at: String,
    /// The client's own switch says the server is off (`enabled: false`, `disabled: true`).
    pub disabled: bool,
    /// Unmistakably a server of this client (not a look-alike in another tool's file).
    pub strict: bool,
}

fn text(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_string)
}

/// A server of `client`, as that client writes one, in the common shape.
pub fn normalise(client: Client, server: &Value) -> Option<Normalised> {
    let map = server.as_object()?;
    let disabled = map.get("enabled").and_then(Value::as_bool) == Some(false)
        || map.get("disabled").and_then(Value::as_bool) == Some(true);
    let base = |config: Value, strict: bool| Normalised {
        config,
        command_at: "/command".into(),
        args_at: "/args".into(),
        args_offset: 0,
        env_at: "/env".into(),
        headers_at: "/headers".into(),
        url_at: "/url".into(),
        disabled,
        strict,
    };
    match client {
        Client::Opencode => {
            let kind = map.get("type").and_then(Value::as_str);
            let command = map.get("command");
            if let Some(Value::Array(parts)) = command {
                let words: Vec<Value> = parts.clone();
                let mut n = base(
                    serde_json::json!({
                        "command": words.first().cloned().unwrap_or(Value::Null),
                        "args": Value::Array(words.iter().skip(1).cloned().collect()),
                        "env": map.get("environment").cloned().unwrap_or(Value::Null),
                    }),
                    kind == Some("local"),
                );
                n.command_at = "/command/0".into();
                n.args_at = "/command".into();
                n.args_offset = 1;
                n.env_at = "/environment".into();
                return Some(n);
            }
            let url = text(map.get("url"))?;
            Some(base(
                serde_json::json!({"url": url, "headers": map.get("headers").cloned().unwrap_or(Value::Null)}),
                kind == Some("remote"),
            ))
        }
        Client::Zed => {
            match map.get("command") {
                Some(Value::Object(command)) => {
                    let mut n = base(
                        serde_json::json!({
                            "command": command.get("path").cloned().unwrap_or(Value::Null),
                            "args": command.get("args").cloned().unwrap_or(Value::Null),
                            "env": command.get("env").cloned().unwrap_or(Value::Null),
                        }),
                        true,
                    );
                    n.command_at = "/command/path".into();
                    n.args_at = "/command/args".into();
                    n.env_at = "/command/env".into();
                    Some(n)
                }
                Some(Value::String(_)) => Some(base(server.clone(), true)),
                _ if map.get("url").is_some_and(Value::is_string) => {
                    Some(base(server.clone(), true))
                }
                // A server an extension provides: configured by its settings only.
                _ if map.get("source").and_then(Value::as_str) == Some("extension")
                    || map.contains_key("settings") =>
                {
                    Some(base(serde_json::json!({"extension": true}), false))
                }
                _ => None,
            }
        }
        Client::Goose => {
            let kind = map.get("type").and_then(Value::as_str)?;
            let strict = matches!(
                kind,
                "stdio" | "sse" | "streamable_http" | "builtin" | "platform" | "frontend"
            ) && (map.contains_key("cmd")
                || map.contains_key("uri")
                || map.contains_key("name")
                || kind == "builtin");
            let mut n = base(
                serde_json::json!({
                    "command": map.get("cmd").cloned().unwrap_or(Value::Null),
                    "args": map.get("args").cloned().unwrap_or(Value::Null),
                    "env": map.get("envs").cloned().unwrap_or(Value::Null),
                    "url": map.get("uri").cloned().unwrap_or(Value::Null),
                    "headers": map.get("headers").cloned().unwrap_or(Value::Null),
                    "builtin": kind == "builtin" || kind == "platform",
                }),
                strict,
            );
            n.command_at = "/cmd".into();
            n.env_at = "/envs".into();
            n.url_at = "/uri".into();
            Some(n)
        }
        Client::Codex => {
            let mut config = server.clone();
            // `bearer_token` is a literal token, `http_headers` literal headers.
            if let (Some(obj), Some(token)) =
                (config.as_object_mut(), text(map.get("bearer_token")))
            {
                obj.insert(
                    "headers".into(),
                    serde_json::json!({"Authorization": format!("Bearer {token}")}),
                );
            }
            let mut n = base(
                config,
                map.contains_key("command") || map.contains_key("url"),
            );
            if map.contains_key("bearer_token") {
                n.headers_at = String::new();
            } else if map.contains_key("http_headers") {
                if let Some(obj) = n.config.as_object_mut() {
                    obj.insert("headers".into(), map["http_headers"].clone());
                }
                n.headers_at = "/http_headers".into();
            }
            (map.contains_key("command") || map.contains_key("url")).then_some(n)
        }
        _ => {
            let command = map.get("command").is_some_and(Value::is_string);
            let url = map
                .get("url")
                .or_else(|| map.get("serverUrl"))
                .or_else(|| map.get("httpUrl"))
                .is_some_and(Value::is_string);
            if !command && !url {
                return None;
            }
            let mut config = server.clone();
            let mut n_url_at = "/url".to_string();
            if !map.contains_key("url") {
                for key in ["serverUrl", "httpUrl"] {
                    if let (Some(obj), Some(u)) = (config.as_object_mut(), map.get(key).cloned()) {
                        obj.insert("url".into(), u);
                        n_url_at = format!("/{key}");
                        break;
                    }
                }
            }
            let typed = map.get("type").and_then(Value::as_str).is_some_and(|t| {
                matches!(
                    t,
                    "stdio"
                        | "http"
                        | "sse"
                        | "streamable-http"
                        | "streamableHttp"
                        | "streamable_http"
                        | "websocket"
                )
            });
            let strict = (command
                && (map.contains_key("args") || map.contains_key("env") || typed))
                || (url && (typed || map.contains_key("headers")));
            let mut n = base(config, strict);
            n.url_at = n_url_at;
            Some(n)
        }
    }
}

/// The servers a file defines, or the shape that could not be read.
pub struct Servers {
    pub client: Client,
    /// Each server: its name, its pointer in the file and its common shape.
    pub servers: Vec<(String, String, Normalised)>,
    /// The client's key is there, but not as a map of servers (a list, a string): the pointer
    /// and what it is instead.
    pub unreadable: Option<(String, &'static str)>,
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn what(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "a list",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "empty",
        Value::Object(_) => "a map",
    }
}

/// The servers of a client configuration (`known`: the file is in the client's place).
pub fn servers(client: Client, known: bool, top: &Map<String, Value>) -> Servers {
    let key = client.key();
    let mut out = Servers {
        client,
        servers: Vec::new(),
        unreadable: None,
    };
    let Some(found) = pointer(top, key) else {
        return out;
    };
    match (client, found) {
        (_, Value::Object(map)) => {
            for (name, server) in map {
                let Some(n) = normalise(client, server) else {
                    continue;
                };
                // In a generic file only what is unmistakably a server counts.
                if !known && !n.strict {
                    continue;
                }
                out.servers
                    .push((name.clone(), format!("{key}/{}", escape(name)), n));
            }
        }
        // Continue's own form: a list of servers, each with its `name`.
        (Client::Continue, Value::Array(items)) => {
            for (i, server) in items.iter().enumerate() {
                let name = server
                    .get("name")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("server-{}", i + 1), str::to_string);
                if let Some(n) = normalise(client, server) {
                    out.servers.push((name, format!("{key}/{i}"), n));
                }
            }
        }
        (_, Value::Null) => {}
        (_, other) if known => out.unreadable = Some((key.to_string(), what(other))),
        _ => {}
    }
    out
}

/// Every client whose key a file holds: by place first, then the generic `mcpServers` map
/// any tool may hold (read leniently only in a known place).
pub fn all(rel: &str, top: &Map<String, Value>) -> Vec<Servers> {
    let mut found = Vec::new();
    let own = of(rel, top);
    if let Some((client, known)) = own {
        found.push(servers(client, known, top));
    }
    // Any JSON/YAML with a top-level `mcpServers` map (or MCP-shaped `servers`) defines servers,
    // whoever reads it.
    // A top-level `mcpServers` is the key of most clients: its entries are read leniently and
    // a list or string there is unreadable (AG105); `servers` is too common a word for that.
    for (generic, key, lenient) in [
        (Client::McpServers("MCP"), "/mcpServers", true),
        (Client::VsCode, "/servers", false),
    ] {
        if own.is_some_and(|(c, _)| c.key() == key) {
            continue;
        }
        let mut s = servers(generic, lenient, top);
        if generic == Client::VsCode && !s.servers.is_empty() {
            s.client = Client::McpServers("MCP");
        }
        if !s.servers.is_empty() || s.unreadable.is_some() {
            found.push(s);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn places() {
        assert_eq!(
            by_place(".cursor/mcp.json"),
            Some(Client::McpServers("Cursor"))
        );
        assert_eq!(
            by_place("app/.Cursor/MCP.json"),
            Some(Client::McpServers("Cursor"))
        );
        assert_eq!(by_place(".codex/config.toml"), Some(Client::Codex));
        assert_eq!(by_place("config.yaml"), None);
        assert_eq!(
            by_place("x/.continue/mcpServers/db.yaml"),
            Some(Client::Continue)
        );
        assert_eq!(by_place("settings.json"), None);
        assert_eq!(by_place("docs/mcp.json"), None);
    }

    #[test]
    fn opencode_local_and_remote() {
        let top = json!({"mcp": {
            "a": {"type": "local", "command": ["npx", "-y", "srv"], "environment": {"K": "v"}, "enabled": false},
            "b": {"type": "remote", "url": "https://x"}}});
        let s = servers(Client::Opencode, true, top.as_object().unwrap());
        assert_eq!(s.servers.len(), 2);
        assert!(s.servers[0].2.disabled);
        assert_eq!(s.servers[0].2.config["command"], "npx");
        assert_eq!(s.servers[0].2.config["args"], json!(["-y", "srv"]));
    }

    #[test]
    fn a_list_where_a_map_belongs_is_unreadable() {
        let top = json!({"mcpServers": [{"command": "x"}]});
        let s = servers(Client::McpServers("Cursor"), true, top.as_object().unwrap());
        assert_eq!(s.unreadable, Some(("/mcpServers".into(), "a list")));
        let s = servers(Client::Continue, true, top.as_object().unwrap());
        assert_eq!(s.servers.len(), 1);
    }
}
