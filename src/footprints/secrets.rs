//! What counts as a secret in an MCP configuration, a command line, a URL or a `.env` file,
//! and how to show such places without it.

use serde_json::Value;

use crate::source::Span;

/// The command line or URL of an MCP server, for messages and drafted manifests, with what
/// could be a credential replaced by `[redacted]` (see [`redact_arguments`], [`clean_url`]).
pub(crate) fn describe_server(config: &Value) -> String {
    if let Some(command) = config.get("command").and_then(Value::as_str) {
        let args: Vec<&str> = config
            .get("args")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let shown = redact_arguments(&args[..args.len().min(4)]);
        // The command string itself can carry a credential (`TOKEN=ghp_… npx`): its words are
        // redacted as arguments are.
        let words: Vec<&str> = command.split_whitespace().collect();
        let mut text = format!("command: {}", redact_arguments(&words).join(" "));
        for arg in &shown {
            text.push(' ');
            text.push_str(arg);
        }
        if args.len() > 4 {
            text.push_str(" …");
        }
        text
    } else {
        let url = config
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        format!("url: {}", clean_url(url))
    }
}

/// Command-line arguments with every one that is or carries a credential redacted: the value
/// after a flag named like a secret (`--api-key X`, `--auth X`) or after `--header`/`-H`, a
/// `NAME=value` or `Name: value` whose name is a secret's, an authorization scheme and its
/// token, and anything a secret detector recognises. URLs lose their user information, query
/// and any path segment that looks like a secret.
pub(crate) fn redact_arguments(args: &[&str]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut after_secret_flag = false;
    for arg in args {
        let (flag_name, attached) = match arg.split_once('=') {
            Some((name, value)) if arg.starts_with('-') => (name, Some(value)),
            _ => (*arg, None),
        };
        let url = arg.contains("://") && !arg.contains(char::is_whitespace);
        let secret = after_secret_flag
            || (!url && carries_secret(arg))
            || attached.is_some_and(|v| is_secret_flag(flag_name) || carries_secret(v));
        after_secret_flag = attached.is_none() && arg.starts_with('-') && is_secret_flag(arg);
        out.push(if secret {
            "[redacted]".to_string()
        } else if url {
            clean_url(arg)
        } else {
            arg.to_string()
        });
    }
    out
}

/// A flag whose value is a credential or a header that may hold one.
pub(super) fn is_secret_flag(flag: &str) -> bool {
    let name = flag.trim_start_matches('-').replace('-', "_");
    secret_name(&name)
        || name.to_ascii_uppercase().contains("AUTH")
        || matches!(
            flag,
            "--header" | "-H" | "--headers" | "-u" | "--user" | "--key" | "--pass"
        )
}

/// `NAME=value`, `Name: value` with a secret's name, a scheme and token, or a detected secret.
pub(super) fn carries_secret(text: &str) -> bool {
    let named = [text.split_once('='), text.split_once(':')]
        .into_iter()
        .flatten()
        .any(|(name, value)| {
            !value.starts_with("//") && secret_name(name.trim()) && !value.trim().is_empty()
        });
    let token = without_scheme(text);
    let scheme = token != text.trim() && !token.is_empty();
    // `${TOKEN:-value}` and the other shell defaults write the value itself.
    let found = parts(text);
    let defaulted = found.references.iter().any(|r| secret_name(r))
        && !without_scheme(&found.literal).is_empty();
    named || scheme || defaulted || detect(text).is_some()
}

/// A URL without what could be a credential: user information, query, fragment, and path
/// segments that a secret detector recognises (a webhook's token, say).
pub(crate) fn clean_url(url: &str) -> String {
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let Some((scheme, rest)) = url.split_once("://") else {
        // Its `://` sat in the query or fragment: no URL whose parts are known, so nothing
        // of it is shown (`sk-ant-…#x://host` once showed the key before the `#`).
        return "[redacted]".to_string();
    };
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, None), |(a, p)| (a, Some(p)));
    let (user, host) = match authority.rsplit_once('@') {
        Some((_, host)) => ("[redacted]@", host),
        None => ("", authority),
    };
    // A key can sit in a host label too (`https://sk-proj-….mcp.example.com`).
    let host = host
        .split('.')
        .map(|label| {
            if detect(label).is_some() {
                "[redacted]"
            } else {
                label
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    let host = format!("{user}{host}");
    // Even the scheme: a key followed by `://` (`sk-ant-…://localhost`) reads as one.
    let scheme = if detect(scheme).is_some() {
        "[redacted]"
    } else {
        scheme
    };
    let mut out = format!("{scheme}://{host}");
    if let Some(path) = path {
        for segment in path.split('/') {
            out.push('/');
            out.push_str(if detect(segment).is_some() {
                "[redacted]"
            } else {
                segment
            });
        }
    }
    // The net under the part-by-part rules above: what still looks like a secret is not shown.
    if detect(&out).is_some() {
        return "[redacted]".to_string();
    }
    out
}

/// The credential a URL carries, if any: a literal password in its user information, a query
/// or fragment parameter named like a secret (`?api_key=…`, `&token=…`) with a literal value,
/// or any part a secret detector recognises. Returns what kind of secret it is.
pub(crate) fn url_secret(url: &str) -> Option<&'static str> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some((user_info, _)) = authority.rsplit_once('@') {
        let (user, password) = user_info.split_once(':').unwrap_or((user_info, ""));
        // A password (`postgresql://app:s3cret@db`, `redis://:s3cret@cache`) counts whatever
        // its length, unless it is a reference, a placeholder or a well-known default.
        let found = parts(password);
        let literal = found.literal.trim();
        if !literal.is_empty()
            && found.references.is_empty()
            && !is_placeholder_text(literal)
            && !is_default_password(literal, user)
        {
            return Some("password");
        }
        // A user name alone that is a token (`https://ghp_…@github.com`).
        let found = parts(user);
        let literal = without_scheme(&found.literal);
        if let Some(kind) = detect_secret(user) {
            return Some(kind);
        }
        if password.is_empty()
            && literal.chars().count() >= 20
            && !is_placeholder(literal)
            && found.references.is_empty()
        {
            return Some("credential");
        }
    }
    let params = rest.split_once(['?', '#']).map_or("", |(_, q)| q);
    for param in params.split(['&', '#', ';']) {
        let (name, value) = param.split_once('=').unwrap_or(("", param));
        if let Some(kind) = literal_secret(name, value) {
            return Some(kind);
        }
    }
    rest.split('/').find_map(detect_secret)
}

/// Whether an argument that [`redact_arguments`] hides holds a literal value, not only a
/// reference (`--api-key ${input:key}`) or a placeholder.
pub(crate) fn literal_argument(arg: &str) -> bool {
    let value = [arg.split_once('='), arg.split_once(':')]
        .into_iter()
        .flatten()
        .map(|(_, v)| v)
        .next()
        .unwrap_or(arg);
    let found = parts(value);
    let literal = without_scheme(&found.literal);
    detect_secret(arg).is_some() || (!literal.trim().is_empty() && !is_placeholder(literal.trim()))
}

/// A `.env` value that points elsewhere (`$VAR`, `${VAR}`, `%VAR%`, `{{ var }}`): shells and
/// dotenv loaders expand all of these.
pub(super) fn is_env_reference(text: &str) -> bool {
    text.contains("${") || text.starts_with('$') || text.starts_with("{{") || text.starts_with('%')
}

/// An MCP configuration value taken apart: the references in it (`${NAME}`, `${input:name}`,
/// `${env:NAME}`, `{{name}}`) and the literal text around them. The default of
/// `${NAME:-default}` is literal text: it is written in the file.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Parts {
    /// The referenced names without their defaults, as written (`input:docs-token`).
    pub references: Vec<String>,
    pub literal: String,
}

pub(crate) fn parts(text: &str) -> Parts {
    let mut parts = Parts::default();
    let mut rest = text;
    loop {
        let (open, double) = match (rest.find("${"), rest.find("{{")) {
            (Some(a), Some(b)) if b < a => (b, true),
            (Some(a), _) => (a, false),
            (None, Some(b)) => (b, true),
            (None, None) => break,
        };
        let inner_start = open + 2;
        let closed = if double {
            rest[inner_start..].find("}}").map(|l| (l, 2))
        } else {
            closing_brace(&rest[inner_start..]).map(|l| (l, 1))
        };
        let Some((length, close)) = closed else {
            break;
        };
        parts.literal.push_str(&rest[..open]);
        let inner = &rest[inner_start..inner_start + length];
        if double {
            reference_or_literal(&mut parts, inner.trim(), "");
        } else {
            let name_end = reference_name_len(inner);
            reference_or_literal(&mut parts, &inner[..name_end], &inner[name_end..]);
        }
        rest = &rest[inner_start + length + close..];
    }
    parts.literal.push_str(rest);
    parts
}

/// Where the `}` that closes a `${` lies, counting nested `${…}` (defaults may hold them).
fn closing_brace(text: &str) -> Option<usize> {
    let mut depth = 1usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The length of the variable name that starts a `${…}`: `input:name` and `env:NAME` (VS
/// Code; `-` and `.` allowed) or a shell name (`[A-Za-z_][A-Za-z0-9_]*`, which ends at an
/// operator such as `:-`, `-`, `=` or `?`).
fn reference_name_len(inner: &str) -> usize {
    let (prefix, body) = match inner.split_once(':') {
        Some((p @ ("input" | "env" | "config" | "command"), body)) => (p.len() + 1, body),
        _ => (0, inner),
    };
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || c == '_' || (prefix > 0 && (c == '-' || c == '.'));
    let first_ok = body
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok {
        return 0;
    }
    prefix + body.find(|c: char| !allowed(c)).unwrap_or(body.len())
}

/// A reference named `name` followed by `tail`: an operator and its default (`:-v`, `-v`,
/// `:=v`, `=v`, `:?msg`, `?msg`, `:+v`, `+v`), whose text is literal and may hold references
/// of its own. Anything else is literal text as a whole.
fn reference_or_literal(parts: &mut Parts, name: &str, tail: &str) {
    let operator = ["-", "=", "?", "+"]
        .iter()
        .find_map(|op| tail.strip_prefix(':').unwrap_or(tail).strip_prefix(op));
    let name_ok = !name.is_empty() && name.split(':').next_back().is_some_and(|n| !n.is_empty());
    match (name_ok, tail.is_empty(), operator) {
        (true, true, _) => parts.references.push(name.to_string()),
        (true, false, Some(default)) => {
            parts.references.push(name.to_string());
            let inner = self::parts(default);
            parts.references.extend(inner.references);
            if !inner.literal.is_empty() {
                parts.literal.push(' ');
                parts.literal.push_str(&inner.literal);
            }
        }
        _ => {
            parts.literal.push(' ');
            parts.literal.push_str(name);
            parts.literal.push_str(tail);
        }
    }
}

/// The literal text of a value without an authorization scheme word (`Bearer`, `Basic`,
/// `Token`), which is not a secret itself.
pub(super) fn without_scheme(literal: &str) -> &str {
    let literal = literal.trim();
    for scheme in ["bearer", "basic", "token"] {
        let head = literal.get(..scheme.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(scheme)) {
            let rest = &literal[scheme.len()..];
            if rest.is_empty() || rest.starts_with(char::is_whitespace) {
                return rest.trim();
            }
        }
    }
    literal
}

/// A value that stands in for a secret, or too short or too wordy to be one (a flag, a
/// sentence): not reported when only its name says it is a secret.
pub(crate) fn is_placeholder(text: &str) -> bool {
    let text = text.trim();
    text.chars().count() < 8
        || text.contains(char::is_whitespace)
        || is_placeholder_text(text)
        || is_number(text)
}

/// A number (`512`, `0.7`, `-1`): a setting such as `MAX_NEW_TOKENS`, never a credential.
fn is_number(text: &str) -> bool {
    let digits = text.trim_start_matches(['-', '+']);
    !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == '_')
        && digits.chars().any(|c| c.is_ascii_digit())
}

/// Text that says it is not the real value: `YOUR_…`, `<…>`, `…_here`, `changeme`,
/// `changethis`, `xxx…`, `[REDACTED…]`, `${…}` left unexpanded, `TODO`, `example`, `dummy`.
/// Applies to what a detector found too (`sk-xxxxxxxx…`), whatever its length.
pub(crate) fn is_placeholder_text(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    if lower.is_empty() {
        return true;
    }
    let wrapped = |open: char, close: char| lower.starts_with(open) && lower.ends_with(close);
    wrapped('<', '>')
        || wrapped('[', ']')
        || wrapped('{', '}')
        || lower.starts_with("${")
        || lower.starts_with("{{")
        || lower.ends_with("here")
        || lower.trim_end_matches(['.', '…']).is_empty()
        // A variable's name where its value belongs (`OPENAI_API_KEY=OPENAI_API_KEY`).
        || (text.contains('_')
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        || [
            "<",
            "your",
            "xxx",
            "***",
            "changeme",
            "change-me",
            "change_me",
            "changethis",
            "change-this",
            "change_this",
            "example",
            "placeholder",
            "...",
            "…",
            "todo",
            "replace",
            "redacted",
            "dummy",
            "insert",
            "fill-in",
            "fill_in",
            "sample",
            // LibreChat's word for "each user enters their own key".
            "user_provided",
            "user-provided",
        ]
        .iter()
        .any(|p| lower.contains(p))
        || lower
            .chars()
            .all(|c| c == lower.chars().next().unwrap_or('x') || c == '-' || c == '_')
}

/// A password that tutorials, compose files and local databases use as their default
/// (`postgres://postgres:postgres@localhost`): not a leaked secret.
pub(crate) fn is_default_password(password: &str, user: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    lower == user.to_ascii_lowercase()
        || [
            "password",
            "passwd",
            "pass",
            "secret",
            "admin",
            "root",
            "test",
            "postgres",
            "mysql",
            "redis",
            "guest",
            "user",
            "dev",
            "devpass",
            "local",
            "example",
            "changeme",
            "pw",
            "1234",
            "12345",
            "123456",
            "mongo",
            "rabbitmq",
            "minio",
            "minioadmin",
            "neo4j",
            "sa",
            "oracle",
        ]
        .contains(&lower.as_str())
}

pub(crate) fn secret_name(variable: &str) -> bool {
    // Header names spell with hyphens what variables spell with underscores (X-Goog-Api-Key).
    let mut upper = variable.to_ascii_uppercase().replace('-', "_");
    // Settings about tokens, not tokens: MAX_NEW_TOKENS, TOKENIZER, TOKEN_LIMIT, TOKEN_URL.
    for setting in [
        "TOKENS",
        "TOKENIZER",
        "TOKENIZE",
        "TOKEN_LIMIT",
        "TOKEN_COUNT",
        "TOKEN_URL",
        "TOKEN_ENDPOINT",
        "TOKEN_TYPE",
        "TOKEN_TTL",
        "TOKEN_EXPIR",
        "TOKEN_LIFETIME",
        "TOKEN_BUDGET",
        "TOKEN_USAGE",
        "_KEYS",
        "KEY_PATH",
        "KEY_FILE",
        "KEY_ID",
        "KEYFILE",
        "PASSWORD_FILE",
        "SECRET_NAME",
        "SECRET_ARN",
        "SECRET_PATH",
        "SECRET_FILE",
    ] {
        upper = upper.replace(setting, "_");
    }
    [
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "ACCESS_KEY",
        "PRIVATE_KEY",
        "AUTHORIZATION",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w))
        || upper.ends_with("_KEY")
        || upper == "X-API-KEY"
}

/// The kind of literal secret in an MCP `env`/`headers` value, if it is one.
pub(crate) fn literal_secret(variable: &str, text: &str) -> Option<&'static str> {
    if let Some(kind) = detect_secret(text) {
        return Some(kind);
    }
    if !secret_name(variable) {
        return None;
    }
    let parts = parts(text);
    let literal = without_scheme(&parts.literal);
    (!literal.is_empty() && !is_placeholder(literal)).then_some("credential")
}

/// The provider whose key a `.env` variable holds, by its name.
pub(super) fn llm_key_name(variable: &str) -> bool {
    let upper = variable.to_ascii_uppercase();
    let providers = [
        "OPENAI",
        "ANTHROPIC",
        "CLAUDE",
        "GEMINI",
        "GOOGLE_API",
        "GOOGLE_GENERATIVE",
        "MISTRAL",
        "COHERE",
        "GROQ",
        "TOGETHER",
        "REPLICATE",
        "DEEPSEEK",
        "XAI",
        "PERPLEXITY",
        "HUGGINGFACE",
        "HF_TOKEN",
        "OPENROUTER",
        "FIREWORKS",
        "LANGCHAIN",
        "LANGSMITH",
        "AZURE_OPENAI",
        "VOYAGE",
        "PINECONE",
    ];
    providers.iter().any(|p| upper.contains(p))
        && ["KEY", "TOKEN", "SECRET"].iter().any(|w| upper.contains(w))
}

/// LLM provider keys (and any secret the AG025 detectors find) assigned in a `.env` file:
/// the variable, the span of its value and the message.
pub(super) fn env_secrets(text: &str, template: bool) -> Vec<(String, Span, String)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_number = index + 1;
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            continue;
        }
        let body = trimmed.strip_prefix("export ").unwrap_or(trimmed);
        let Some((variable, value)) = body.split_once('=') else {
            continue;
        };
        let variable = variable.trim();
        if !is_env_name(variable) {
            // Not `NAME=value`: the text before `=` is no name to quote (it may hold a key
            // itself). Every word that looks like a secret is one, wherever it sits.
            found.extend(secret_words(line, start, line_number));
            continue;
        }
        let value_raw = value.trim_end();
        let value_trim = value_raw.trim_start();
        let unquoted = value_trim
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| {
                value_trim
                    .strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
            })
            .unwrap_or(value_trim);
        let unquoted = if unquoted.len() == value_trim.len() {
            unquoted.split(" #").next().unwrap_or(unquoted).trim_end()
        } else {
            unquoted
        };
        if unquoted.is_empty() {
            continue;
        }
        let url = unquoted.contains("://") && !unquoted.contains(char::is_whitespace);
        let kind = detect_secret(unquoted)
            .or_else(|| url.then(|| url_secret(unquoted)).flatten())
            .or_else(|| {
                let literal = !is_env_reference(unquoted) && !is_placeholder(unquoted);
                // A template (`.env.example`) holds names with sample values: only a key of a
                // known shape, a URL's password or an LLM provider key counts there.
                let named = llm_key_name(variable) || (!template && secret_name(variable));
                (literal && named && !url).then_some(if llm_key_name(variable) {
                    "LLM provider key"
                } else {
                    "credential"
                })
            });
        let Some(kind) = kind else { continue };
        let prefix_chars = line.chars().count() - value_trim.chars().count();
        let value_start = start
            + prefix_chars
            + usize::from(
                unquoted.len() != value_trim.len()
                    && (value_trim.starts_with('"') || value_trim.starts_with('\'')),
            );
        let span = Span {
            start: value_start,
            end: value_start + unquoted.chars().count(),
        };
        found.push((
            variable.to_string(),
            span,
            format!(
                "{} holds a literal {kind} ({}) committed to the repository; keep it in a secret store and rotate it",
                shown_name(variable),
                if url { clean_url(unquoted) } else { redacted(unquoted) }
            ),
        ));
    }
    found
}

/// Literal secrets in agent source code: a string literal assigned to a key-like name
/// (`api_key = "…"`, `apiKey: '…'`, `token := "…"`, `api_key="…"` as an argument), and any
/// string of a known key shape anywhere. Each with the name (or `line N`), the span of the
/// value and the message; the secret itself is never in the message.
pub(super) fn source_secrets(text: &str, test: bool) -> Vec<(String, Span, String)> {
    static ASSIGNED: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let assigned = ASSIGNED.get_or_init(|| {
        regex::Regex::new(
            r#"([A-Za-z_][A-Za-z0-9_]*)["']?\s*(?::=|=|:)\s*[rbuf]?(["'`])([^"'`\r\n]*)["'`]"#,
        )
        .ok()
    });
    let mut found = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.chars().count();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with("//") || trimmed.starts_with('*') {
            continue;
        }
        let mut reported = Vec::new();
        if let Some(re) = assigned {
            for captures in re.captures_iter(line) {
                let (Some(name), Some(value)) = (captures.get(1), captures.get(3)) else {
                    continue;
                };
                let text = value.as_str();
                // `"Authorization": "Bearer <token>"`: the token after the scheme is judged,
                // under whatever name the header sits.
                let scheme_token = auth_scheme_token(text);
                let judged = scheme_token.unwrap_or(text);
                let kind = detect_secret(text).or_else(|| {
                    (!test
                        && (strict_secret_name(name.as_str()) || scheme_token.is_some())
                        && !is_placeholder(judged)
                        && parts(judged).references.is_empty()
                        && !judged.contains("://")
                        && !looks_like_code(judged)
                        && !made_up_words(judged)
                        // An f-string or template fills it in (`f"Bearer {token}"`), even
                        // when the capture stops at an inner quote (`f'{creds["t"]}'`).
                        && !text.contains('{'))
                    .then_some("credential")
                });
                if let Some(kind) = kind {
                    let at = start + line[..value.start()].chars().count();
                    reported.push(value.start());
                    found.push((
                        name.as_str().to_string(),
                        Span {
                            start: at,
                            end: at + text.chars().count(),
                        },
                        format!(
                            "{} is assigned a literal {kind} ({}) in agent code; read it from the environment or a secret store, and rotate it",
                            shown_name(name.as_str()),
                            redacted(text)
                        ),
                    ));
                }
            }
        }
        for (kind, secret) in
            crate::secret_patterns::find_all(line, crate::secret_patterns::Set::Committed)
        {
            if is_placeholder_text(secret) {
                continue;
            }
            let Some(byte) = line.find(secret) else {
                continue;
            };
            if reported
                .iter()
                .any(|&r| r <= byte && byte < r + secret.len().max(1) + 64)
            {
                continue;
            }
            reported.push(byte);
            found.push(shaped_at(
                (kind, secret),
                (line, start, index + 1, byte),
                "in agent code; read it from the environment or a secret store, and rotate it",
            ));
        }
    }
    found
}

/// A name that says its value is a secret, without the bare `…_KEY` ending that code uses for
/// cache keys, dictionary keys and sort keys (`prompt_cache_key`).
/// The token of an HTTP authorization value written out (`Bearer 6744…`, `Token …`, `Basic …`):
/// one word of at least 16 characters after the scheme.
fn auth_scheme_token(text: &str) -> Option<&str> {
    let (scheme, token) = text.trim().split_once(char::is_whitespace)?;
    let known = ["bearer", "token", "basic", "bot"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    let token = token.trim();
    (known && token.chars().count() >= 16 && !token.contains(char::is_whitespace)).then_some(token)
}

fn strict_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace('-', "_");
    secret_name(name)
        && ([
            "TOKEN",
            "SECRET",
            "PASSWORD",
            "PASSWD",
            "API_KEY",
            "APIKEY",
            "ACCESS_KEY",
            "PRIVATE_KEY",
            "CREDENTIAL",
            "AUTH",
        ]
        .iter()
        .any(|w| upper.contains(w)))
}

/// Lowercase words joined by `-` or `_` (`test-key`, `my-secret-token`): what examples and
/// tests write where a secret would go; a real key or password mixes case or has digits.
fn made_up_words(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "test", "fake", "mock", "dummy", "sample", "secret", "password", "token", "key",
    ]
    .iter()
    .any(|w| lower.contains(w))
        || text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_' || c == '.')
}

/// A value that names something rather than holding a secret: an identifier path
/// (`settings.api_key`), a file name, an environment variable's own name.
fn looks_like_code(text: &str) -> bool {
    let upper_name = text
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let path = text.contains('/') || text.contains('\\');
    let dotted_words = text.contains('.')
        && text
            .split('.')
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphabetic() || c == '_'));
    upper_name || path || dotted_words
}

/// Literal secrets in a configuration file beside agent code (`settings.yaml`,
/// `config.json`): a key-like name with a literal value, a URL carrying a credential, or a
/// value of a known key shape. Each with its JSON pointer and message.
pub(super) fn config_secrets(value: &Value, test: bool, place: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk_config(value, String::new(), None, place, &mut found);
    // Test fixtures hold made-up values under secret names: there only a key of a known shape
    // or a URL's password counts.
    if test {
        found.retain(|(_, message)| !message.contains("literal credential"));
    }
    found
}

/// Names (object keys) that are keys of a known shape: a server, provider or variable named by
/// the secret itself (`"mcpServers": {"sk-…": …}`). Each with its pointer and the message.
pub(super) fn secret_names(value: &Value, pointer: &str, found: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                if let Some(kind) = detect_secret(k) {
                    found.push((
                        child.clone(),
                        format!(
                            "a name in this file is a literal {kind} ({}); rename it, and rotate the secret",
                            redacted(k)
                        ),
                    ));
                }
                secret_names(v, &child, found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                secret_names(v, &format!("{pointer}/{i}"), found);
            }
        }
        _ => {}
    }
}

fn walk_config(
    value: &Value,
    pointer: String,
    key: Option<&str>,
    place: &str,
    found: &mut Vec<(String, String)>,
) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let child = format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1"));
                walk_config(v, child, Some(k), place, found);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk_config(v, format!("{pointer}/{i}"), key, place, found);
            }
        }
        Value::String(text) => {
            let name = key.unwrap_or_default();
            let url = text.contains("://") && !text.contains(char::is_whitespace);
            let kind = if url {
                url_secret(text)
            } else {
                literal_secret(name, text).filter(|kind| {
                    *kind != "credential" || (!looks_like_code(text) && !made_up_words(text))
                })
            };
            if let Some(kind) = kind {
                let shown = if url { clean_url(text) } else { redacted(text) };
                found.push((
                    pointer,
                    format!(
                        "{} holds a literal {kind} ({shown}) in {place}; reference it from the environment or a secret store, and rotate it",
                        shown_name(name)
                    ),
                ));
            }
        }
        _ => {}
    }
}

/// A name (a variable, a key) as a message may show it: redacted when it looks like a secret
/// itself, so that no message quotes one.
pub(super) fn shown_name(name: &str) -> String {
    if detect(name).is_some() {
        redacted(name)
    } else {
        name.to_string()
    }
}

/// A `.env` file that is a template for others to copy (`.env.example`, `.env.sample`):
/// its values are samples.
pub(super) fn is_env_template(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["example", "sample", "template", "tmpl", "dist", "defaults"]
        .iter()
        .any(|word| lower.contains(word))
}

/// A shell variable name: what a `.env` line assigns to.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A key of a known shape found at `byte` of a line (`start`: the line's offset in characters;
/// `number`: its line number): `line N`, its span, and the message ending in `tail`.
fn shaped_at(
    (kind, secret): (&str, &str),
    (line, start, number, byte): (&str, usize, usize, usize),
    tail: &str,
) -> (String, Span, String) {
    let at = start + line[..byte].chars().count();
    (
        format!("line {number}"),
        Span {
            start: at,
            end: at + secret.chars().count(),
        },
        format!(
            "line {number} holds a literal {kind} ({}) {tail}",
            redacted(secret)
        ),
    )
}

/// Keys of a known shape anywhere in a file agentgate could not parse (a client's settings with
/// a duplicate key, YAML nested too deep): its client may read it all the same, so what is
/// plainly a key is still a secret. Each with `line N`, its span and the message.
pub(super) fn shaped_secrets(text: &str) -> Vec<(String, Span, String)> {
    let mut found = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.chars().count();
        let mut from = 0;
        for (kind, secret) in
            crate::secret_patterns::find_all(raw, crate::secret_patterns::Set::Committed)
        {
            if is_placeholder_text(secret) {
                continue;
            }
            let Some(byte) = raw[from..].find(secret).map(|b| b + from) else {
                continue;
            };
            from = byte + secret.len();
            found.push(shaped_at(
                (kind, secret),
                (raw, start, index + 1, byte),
                "in a file agentgate could not parse (its client may read it all the same); keep it in a secret store and rotate it",
            ));
        }
    }
    found
}

/// The words of a line (split at whitespace and `=`) that look like secrets, each with its span
/// (`start` is the line's offset in characters), named by the line number.
fn secret_words(line: &str, start: usize, line_number: usize) -> Vec<(String, Span, String)> {
    let mut found = Vec::new();
    let mut word = String::new();
    let mut word_start = start;
    for (at, c) in (start..).zip(line.chars().chain(std::iter::once(' '))) {
        if c.is_whitespace() || c == '=' {
            if let Some(kind) = (!word.is_empty()).then(|| detect_secret(&word)).flatten() {
                found.push((
                    format!("line {line_number}"),
                    Span {
                        start: word_start,
                        end: word_start + word.chars().count(),
                    },
                    format!(
                        "line {line_number} holds a literal {kind} ({}) committed to the repository; keep it in a secret store and rotate it",
                        redacted(&word)
                    ),
                ));
            }
            word.clear();
            word_start = at + 1;
        } else {
            word.push(c);
        }
    }
    found
}

/// A secret shown safely: its first characters and its length ([`crate::redact::redacted`],
/// the one form every output uses).
pub use crate::redact::redacted;

/// Whether text holds something of a secret's shape (any detector of
/// [`crate::secret_patterns`], placeholders included): what every output masks. Returns the kind.
pub fn detect(text: &str) -> Option<&'static str> {
    crate::secret_patterns::find(text, crate::secret_patterns::Set::Committed).map(|(kind, _)| kind)
}

/// The kind of the first secret in text that is not a placeholder (`sk-xxxx…`,
/// `sk-your-key-here…`): what AG101 reports.
pub(crate) fn detect_secret(text: &str) -> Option<&'static str> {
    crate::secret_patterns::find_all(text, crate::secret_patterns::Set::Committed)
        .into_iter()
        .find(|(_, secret)| !is_placeholder_text(secret))
        .map(|(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `discovery` fuzz target: a `.env` value that is a key followed by `://`
    /// was quoted whole, its scheme being the key.
    #[test]
    fn a_key_in_a_url_scheme_is_not_quoted() {
        let text = "DEBUG=false\nANTHROPIC_API_KEY=sk-ant-api04-Xy7Qm2Lp9Rt4Kv8Nw3Bz6Hc1Js://localhost/app\n";
        let found = env_secrets(text, false);
        assert!(!found.is_empty(), "the key is still found");
        for (_, _, message) in found {
            assert!(!message.contains("Xy7Qm2Lp9Rt4Kv8Nw3Bz6Hc1Js"), "{message}");
        }
    }

    /// Found by the `discovery` fuzz target in CI: the key, NUL bytes, then `#…://host`; the
    /// URL's `://` sat in its fragment and everything before the `#` was quoted.
    #[test]
    fn a_key_before_a_fragment_holding_the_scheme_is_not_quoted() {
        let text = "DEBUG=false\nANTHROPIC_API_KEY=sk-ant-api04-Xy7Qm2Lp9Rt4Kv8\0\0\0\0\0\0\0#1Js://localhost/aPp\n";
        let found = env_secrets(text, false);
        assert!(!found.is_empty(), "the key is still found");
        for (_, _, message) in found {
            assert!(!message.contains("Xy7Qm2Lp9Rt4Kv8"), "{message}");
            assert_eq!(detect(&message), None, "{message}");
        }
        assert_eq!(
            clean_url("sk-ant-api04-Xy7Qm2Lp9Rt4Kv8#x://h"),
            "[redacted]"
        );
        assert_eq!(
            clean_url("https://example.com/a?token=x"),
            "https://example.com/a"
        );
    }

    #[test]
    fn secrets_and_references() {
        assert_eq!(
            literal_secret("GITHUB_TOKEN", "ghp_abcdefghijklmnopqrstuvwxyz0123"),
            Some("GitHub token")
        );
        assert_eq!(
            literal_secret("GITHUB_TOKEN", "${input:github-token}"),
            None
        );
        assert_eq!(literal_secret("GITHUB_TOKEN", "${GITHUB_TOKEN}"), None);
        assert_eq!(literal_secret("API_KEY", "<your-api-key>"), None);
        assert_eq!(
            literal_secret("Authorization", "Bearer s3cr3tvalue123456"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Bearer ${input:token}"),
            None
        );
        assert_eq!(literal_secret("LOG_LEVEL", "debug-verbose"), None);
        // A default is written in the file; a `$` or `%` alone does not make a reference.
        assert_eq!(
            literal_secret("DB_PASSWORD", "${DB_PASSWORD:-Hunter2Hunter2Pw}"),
            Some("credential")
        );
        assert_eq!(literal_secret("DB_PASSWORD", "${DB_PASSWORD:-}"), None);
        assert_eq!(
            literal_secret("DB_PASSWORD", "$Up3rS3cretPw!"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("PGPASSWORD", "%PERCENTSECRET"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("API_TOKEN", "${USER}:MIXEDSECRET123"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Token s3cr3tvalue123456"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Authorization", "Basic dXNlcjpwYXNzd29yZA=="),
            Some("credential")
        );
        assert_eq!(literal_secret("Authorization", "Token ${input:t}"), None);
        // A multi-byte character where a scheme word would end is no scheme, and no panic.
        assert_eq!(without_scheme("abcdeéfgh"), "abcdeéfgh");
        assert_eq!(without_scheme("bearé x"), "bearé x");
        assert_eq!(
            literal_secret("X-Goog-Api-Key", "AIzaSyA-1234567890abcdefgh"),
            Some("credential")
        );
        assert_eq!(
            literal_secret("Ocp-Apim-Subscription-Key", "0123456789abcdef0123"),
            Some("credential")
        );
        assert_eq!(
            parts("Bearer ${API_TOKEN:-abc} {{ other }}"),
            Parts {
                references: vec!["API_TOKEN".into(), "other".into()],
                literal: "Bearer  abc ".into(),
            }
        );
        // Every shell default operator; a default is literal text, and may nest references.
        for text in [
            "${ACCESS_TOKEN-verysecretvalue123}",
            "${ACCESS_TOKEN:=verysecretvalue123}",
            "${ACCESS_TOKEN=verysecretvalue123}",
            "${ACCESS_TOKEN:+verysecretvalue123}",
        ] {
            let found = parts(text);
            assert_eq!(found.references, ["ACCESS_TOKEN"], "{text}");
            assert_eq!(found.literal.trim(), "verysecretvalue123", "{text}");
            assert_eq!(literal_secret("ACCESS_TOKEN", text), Some("credential"));
        }
        let nested = parts("${API_TOKEN:-${FALLBACK_API_TOKEN}}");
        assert_eq!(nested.references, ["API_TOKEN", "FALLBACK_API_TOKEN"]);
        assert_eq!(nested.literal, "");
        assert_eq!(
            literal_secret("API_TOKEN", "${API_TOKEN:-${FALLBACK_API_TOKEN}}"),
            None
        );
        assert_eq!(
            parts("${input:docs-token}").references,
            ["input:docs-token"]
        );
        // Not a name at all: literal.
        assert_eq!(parts("${9abc}").references, Vec::<String>::new());
        assert_eq!(redacted("sk-abcdef"), "sk-a… (9 characters, redacted)");
    }

    #[test]
    fn server_descriptions_leave_secrets_out() {
        let described = |config: Value| describe_server(&config);
        assert_eq!(
            described(serde_json::json!({"url": "https://bot:s3cret@mcp.example.com/v1?key=abc"})),
            "url: https://[redacted]@mcp.example.com/v1"
        );
        assert_eq!(
            described(serde_json::json!({"url": "https://mcp.example.com"})),
            "url: https://mcp.example.com"
        );
        assert_eq!(
            described(
                serde_json::json!({"command": "npx", "args": ["-y", "server", "--api-key", "abcdef123456", "TOKEN=xyz"]})
            ),
            "command: npx -y server --api-key [redacted] …"
        );
        assert_eq!(
            described(
                serde_json::json!({"command": "run", "args": ["API_TOKEN=xyz", "ghp_0123456789abcdefghijABCDEFGHIJ012345"]})
            ),
            "command: run [redacted] [redacted]"
        );
        assert_eq!(
            redact_arguments(&[
                "mcp-remote",
                "https://x.example.com/sse?k=v",
                "--header",
                "Authorization: Bearer s3cr3tAbCdEf123456",
                "--header=Authorization: Bearer s3cr3t",
                "--auth",
                "hunter2",
                "Bearer abc",
                "--verbose",
                "https://hooks.slack.com/services/T000/B000/xoxb-1234567890-abcdefghij",
                "${TOKEN-verysecretvalue123}",
                "${HOME}/projects",
                "-u",
                "admin:hunter2hunter2",
            ]),
            [
                "mcp-remote",
                "https://x.example.com/sse",
                "--header",
                "[redacted]",
                "[redacted]",
                "--auth",
                "[redacted]",
                "[redacted]",
                "--verbose",
                "https://hooks.slack.com/services/T000/B000/[redacted]",
                "[redacted]",
                "${HOME}/projects",
                "-u",
                "[redacted]",
            ]
        );
    }

    #[test]
    fn env_files() {
        let found = env_secrets(
            "# comment\nDEBUG=true\nOPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz\nDATABASE_URL=postgres://localhost/app\nANTHROPIC_API_KEY=\n",
            false,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "OPENAI_API_KEY");
        assert_eq!(
            found[0].1.start,
            "# comment\nDEBUG=true\nOPENAI_API_KEY=".len()
        );
    }

    #[test]
    fn no_message_quotes_a_secret_even_as_a_name() {
        let token = "ghp_R8x2Kq9LmZ4vT7nB3wY6pD1sF5hJ0cA8eG2u";
        let found = env_secrets(
            &format!("{token}=sk-proj-Zq8Lm2Xv9Rt4Kw7Nb3Hy6Pd1Sf5Jg0Ca8Eu2Qo\n"),
            false,
        );
        assert_eq!(found.len(), 1);
        assert!(!found[0].2.contains(token), "{}", found[0].2);
        let found = source_secrets(
            &format!("{token} = \"Zq8Lm2Xv9Rt4Kw7Nb3Hy6Pd\"\nx = \"{token}\"\n"),
            false,
        );
        assert!(
            found.iter().all(|(_, _, m)| !m.contains(token)),
            "{found:?}"
        );
    }

    #[test]
    fn placeholders_are_not_secrets() {
        for text in [
            "YOUR_OPENAI_API_KEY",
            "<your-key>",
            "your_token_here",
            "changeme",
            "changethis",
            "xxxxxxxxxxxxxxxx",
            "[REDACTED]",
            "${TOKEN}",
            "",
            "{env:TOKEN}",
            "OPENAI_API_KEY",
        ] {
            assert!(is_placeholder(text), "{text}");
        }
        assert_eq!(detect_secret("sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxx"), None);
        assert_eq!(detect_secret("sk-your-openai-key-goes-here-123"), None);
        assert!(
            detect("sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxx").is_some(),
            "still masked"
        );
        assert_eq!(literal_secret("MAX_NEW_TOKENS", "1000000000"), None);
        assert!(!secret_name("MAX_NEW_TOKENS"));
        assert!(!secret_name("TOKENIZER_NAME"));
        assert!(secret_name("GITHUB_TOKEN"));
        assert_eq!(
            url_secret("postgresql://postgres:postgres@localhost/app"),
            None
        );
        assert_eq!(
            url_secret("postgresql://app:s3cr3t@db/app"),
            Some("password")
        );
        assert_eq!(
            url_secret("redis://:Rd5sPw9931@cache:6379"),
            Some("password")
        );
        assert_eq!(url_secret("https://x.example.com/mcp?api_key=${KEY}"), None);
    }
}
