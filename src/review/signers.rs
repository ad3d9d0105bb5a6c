//! OpenSSH `allowed_signers` files, read as `ssh-keygen -Y verify` reads them (see
//! ssh-keygen(1), "ALLOWED SIGNERS"), so that an auditor with stock OpenSSH reaches the same
//! verdict as agentgate:
//!
//! ```text
//! # comment
//! sec-review@example.com,*@security.example.com namespaces="agentgate-review,git" ssh-ed25519 AAAA… comment
//! ```
//!
//! Each line holds a principals pattern list (comma-separated, `*` and `?` wildcards, `!` to
//! negate; compared case-sensitively as OpenSSH does), optional comma-separated options
//! (`namespaces="…"`, `valid-after="…"`, `valid-before="…"`, `cert-authority`; option names are
//! case-insensitive, values are quoted and may hold commas) and a public key.
//!
//! Where agentgate is stricter than OpenSSH, it says so rather than guess: every malformed line
//! is an error naming its line (OpenSSH skips it silently), and `cert-authority` lines that could
//! apply to review signatures are refused (agentgate verifies reviews against the reviewer's own
//! key, not certificates). Timestamps without a `Z` are read as UTC (OpenSSH reads them in the
//! local time zone; CI runners run in UTC).

use std::path::Path;

use crate::units::{parse_date, SECONDS_PER_DAY};

use super::NAMESPACE;

/// Key types `ssh-keygen` writes in allowed_signers files.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
    "ssh-ed25519-cert-v01@openssh.com",
    "ssh-rsa-cert-v01@openssh.com",
    "ssh-dss-cert-v01@openssh.com",
    "ecdsa-sha2-nistp256-cert-v01@openssh.com",
    "ecdsa-sha2-nistp384-cert-v01@openssh.com",
    "ecdsa-sha2-nistp521-cert-v01@openssh.com",
    "sk-ssh-ed25519-cert-v01@openssh.com",
    "sk-ecdsa-sha2-nistp256-cert-v01@openssh.com",
];

/// One trusted key.
#[derive(Debug, Clone)]
pub struct Signer {
    /// 1-based line in the file.
    pub line: usize,
    /// The principals pattern list, as written (quotes removed).
    pub principals: String,
    /// The `namespaces` pattern list, when restricted.
    pub namespaces: Option<String>,
    /// Seconds since 1970-01-01 UTC.
    pub valid_after: Option<i64>,
    pub valid_before: Option<i64>,
    /// The key type as written, e.g. `ssh-ed25519`.
    pub key_type: String,
    /// The key in SSH wire encoding (what the signature embeds).
    pub key_blob: Vec<u8>,
}

impl Signer {
    pub fn matches_principal(&self, principal: &str) -> bool {
        match_pattern_list(principal, &self.principals)
    }

    pub fn allows_namespace(&self, namespace: &str) -> bool {
        self.namespaces
            .as_deref()
            .is_none_or(|list| match_pattern_list(namespace, list))
    }

    /// Whether the key may be used at `time` (seconds since 1970-01-01 UTC); both bounds are
    /// inclusive, as in OpenSSH.
    pub fn valid_at(&self, time: i64) -> bool {
        self.valid_after.is_none_or(|after| time >= after)
            && self.valid_before.is_none_or(|before| time <= before)
    }
}

/// A parsed allowed_signers file.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners {
    pub signers: Vec<Signer>,
}

/// A line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignersError {
    pub line: usize,
    pub message: String,
}

impl AllowedSigners {
    /// Reads a file; every bad line is reported, not just the first.
    pub fn parse(text: &str) -> Result<AllowedSigners, Vec<SignersError>> {
        let mut signers = Vec::new();
        let mut errors = Vec::new();
        for (index, raw) in text.split('\n').enumerate() {
            let line = index + 1;
            match parse_line(raw) {
                Ok(Some(signer)) => signers.push(Signer { line, ..signer }),
                Ok(None) => {}
                Err(message) => errors.push(SignersError { line, message }),
            }
        }
        if errors.is_empty() {
            Ok(AllowedSigners { signers })
        } else {
            Err(errors)
        }
    }

    pub fn load(path: &Path) -> Result<AllowedSigners, Vec<SignersError>> {
        let text = crate::fs::read_text(path, 16 * 1024 * 1024).map_err(|e| {
            vec![SignersError {
                line: e.line,
                message: format!("cannot read {}: {}", path.display(), e.message),
            }]
        })?;
        AllowedSigners::parse(&text)
    }
}

const WHITESPACE: &[char] = &[' ', '\t', '\r', '\n'];

fn parse_line(raw: &str) -> Result<Option<Signer>, String> {
    let text = raw.trim_start_matches([' ', '\t']);
    if text.is_empty() || text.starts_with('#') || text.trim_matches(WHITESPACE).is_empty() {
        return Ok(None);
    }
    let (principals, rest) = principals_field(text)?;
    if principals.is_empty() {
        return Err("invalid line: the principals field is empty".into());
    }
    let (options, key_text) = match first_word(rest) {
        word if KEY_TYPES.contains(&word) => ("", rest),
        word if ["ssh-", "ecdsa-", "sk-"]
            .iter()
            .any(|p| word.starts_with(p)) =>
        {
            return Err(format!("invalid key: unknown key type {word:?}"));
        }
        _ => split_options(rest)?,
    };
    let key_text = key_text.trim_matches(WHITESPACE);
    if key_text.is_empty() {
        return Err("missing key: a line is `principals [options] key-type base64-key`".into());
    }
    let (key_type, key_blob) = parse_key(key_text)?;
    let options = parse_options(options)?;
    if options.cert_authority
        && options
            .namespaces
            .as_deref()
            .is_none_or(|list| match_pattern_list(NAMESPACE, list))
    {
        return Err(format!(
            "cert-authority keys are not supported: agentgate verifies a review against the reviewer's own key, so list that key here (a certificate authority line meant for another use must say so with namespaces=\"…\" excluding {NAMESPACE})"
        ));
    }
    if options.cert_authority || key_type.contains("-cert-v01@") {
        // A line for certificates that never applies to review signatures.
        return Ok(None);
    }
    Ok(Some(Signer {
        line: 0,
        principals,
        namespaces: options.namespaces,
        valid_after: options.valid_after,
        valid_before: options.valid_before,
        key_type,
        key_blob,
    }))
}

/// The first whitespace-delimited field, where a double-quoted part may hold spaces (OpenSSH's
/// `strdelimw`), and what follows it with the separating whitespace skipped.
fn principals_field(text: &str) -> Result<(String, &str), String> {
    let Some(stop) = text.find(|c: char| WHITESPACE.contains(&c) || c == '"') else {
        return Err("invalid line: no key after the principals".into());
    };
    let mut field = text[..stop].to_string();
    let rest = if text[stop..].starts_with('"') {
        let quoted = &text[stop + 1..];
        let Some(end) = quoted.find('"') else {
            return Err("invalid line: unterminated quote in the principals".into());
        };
        field.push_str(&quoted[..end]);
        &quoted[end + 1..]
    } else {
        &text[stop + 1..]
    };
    Ok((field, rest.trim_start_matches(WHITESPACE)))
}

fn first_word(text: &str) -> &str {
    text.split(WHITESPACE).next().unwrap_or_default()
}

/// Splits `options key…` where the options end at the first space outside double quotes
/// (OpenSSH's `sshkey_advance_past_options`).
fn split_options(text: &str) -> Result<(&str, &str), String> {
    let mut quoted = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                chars.next();
            }
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => return Ok((&text[..i], &text[i..])),
            _ => {}
        }
    }
    if quoted {
        return Err("invalid options: unterminated quote".into());
    }
    Err(format!(
        "missing key after {text:?}: a line is `principals [options] key-type base64-key`"
    ))
}

fn parse_key(text: &str) -> Result<(String, Vec<u8>), String> {
    let mut words = text.split(WHITESPACE).filter(|w| !w.is_empty());
    let key_type = words.next().unwrap_or_default();
    if !KEY_TYPES.contains(&key_type) {
        return Err(format!("invalid key: unknown key type {key_type:?}"));
    }
    let Some(encoded) = words.next() else {
        return Err(format!("invalid key: no key data after {key_type}"));
    };
    let blob = base64_decode(encoded)
        .ok_or_else(|| format!("invalid key: the {key_type} key data is not base64"))?;
    let embedded = blob
        .get(..4)
        .map(|n| u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize)
        .and_then(|n| blob.get(4..4 + n))
        .and_then(|name| std::str::from_utf8(name).ok());
    if embedded != Some(key_type) {
        return Err(format!(
            "invalid key: the key data is not a {key_type} key{}",
            embedded.map_or(String::new(), |e| format!(" (it holds {e})"))
        ));
    }
    if !key_type.contains("-cert-v01@") {
        ssh_key::PublicKey::from_bytes(&blob)
            .map_err(|e| format!("invalid key: the {key_type} key data is malformed ({e})"))?;
    }
    Ok((key_type.to_string(), blob))
}

#[derive(Default)]
struct Options {
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
}

/// `sshsigopt_parse`: comma-separated options, names case-insensitive, values double-quoted.
fn parse_options(text: &str) -> Result<Options, String> {
    let mut options = Options::default();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = strip_prefix_ci(rest, "cert-authority") {
            options.cert_authority = true;
            rest = after;
        } else if let Some(after) = strip_prefix_ci(rest, "namespaces=") {
            if options.namespaces.is_some() {
                return Err("bad options: multiple \"namespaces\" clauses".into());
            }
            let (value, after) = dequote(after)?;
            options.namespaces = Some(value);
            rest = after;
        } else if let Some(after) = strip_prefix_ci(rest, "valid-after=") {
            if options.valid_after.is_some() {
                return Err("bad options: multiple \"valid-after\" clauses".into());
            }
            let (value, after) = dequote(after)?;
            options.valid_after = Some(
                parse_timestamp(&value)
                    .ok_or_else(|| format!("bad options: invalid \"valid-after\" time {value:?}; write YYYYMMDD[HHMM[SS]][Z]"))?,
            );
            rest = after;
        } else if let Some(after) = strip_prefix_ci(rest, "valid-before=") {
            if options.valid_before.is_some() {
                return Err("bad options: multiple \"valid-before\" clauses".into());
            }
            let (value, after) = dequote(after)?;
            options.valid_before = Some(
                parse_timestamp(&value)
                    .ok_or_else(|| format!("bad options: invalid \"valid-before\" time {value:?}; write YYYYMMDD[HHMM[SS]][Z]"))?,
            );
            rest = after;
        }
        if rest.is_empty() {
            break;
        }
        let Some(after) = rest.strip_prefix(',') else {
            let option = rest.split(',').next().unwrap_or(rest);
            return Err(format!(
                "bad options: unknown key option {option:?} (allowed: namespaces, valid-after, valid-before, cert-authority)"
            ));
        };
        if after.is_empty() {
            return Err("bad options: unexpected end of options after ','".into());
        }
        rest = after;
    }
    if let (Some(after), Some(before)) = (options.valid_after, options.valid_before) {
        if before <= after {
            return Err("bad options: \"valid-before\" time is before \"valid-after\"".into());
        }
    }
    Ok(options)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

/// OpenSSH's `opt_dequote`: a value in double quotes, where `\"` is a quote.
fn dequote(text: &str) -> Result<(String, &str), String> {
    let Some(body) = text.strip_prefix('"') else {
        return Err("bad options: missing start quote (option values are written in double quotes, e.g. namespaces=\"agentgate-review\")".into());
    };
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                chars.next();
                value.push('"');
            }
            '"' => return Ok((value, &body[i + 1..])),
            _ => value.push(c),
        }
    }
    Err("bad options: missing end quote".into())
}

/// `YYYYMMDD`, `YYYYMMDDHHMM` or `YYYYMMDDHHMMSS`, optionally followed by `Z` or `UTC`, as
/// seconds since 1970-01-01 UTC (a time without `Z` is read as UTC too).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    let suffix = |s: &str| {
        text.len()
            .checked_sub(s.len())
            .filter(|&at| at > 0)
            .and_then(|at| text.get(at..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(s))
    };
    let body = if suffix("z") {
        &text[..text.len() - 1]
    } else if suffix("utc") {
        &text[..text.len() - 3]
    } else {
        text
    };
    if !body.bytes().all(|b| b.is_ascii_digit()) || !matches!(body.len(), 8 | 12 | 14) {
        return None;
    }
    let day = parse_date(&format!("{}-{}-{}", &body[0..4], &body[4..6], &body[6..8]))?;
    let field =
        |range: std::ops::Range<usize>| body.get(range).map_or(Some(0), |s| s.parse::<i64>().ok());
    let (hours, minutes, seconds) = (field(8..10)?, field(10..12)?, field(12..14)?);
    if hours > 23 || minutes > 59 || seconds > 60 {
        return None;
    }
    let time = day * SECONDS_PER_DAY + hours * 3600 + minutes * 60 + seconds;
    // OpenSSH treats 0 as "no bound" and refuses it.
    (time > 0).then_some(time)
}

/// OpenSSH's `match_pattern_list`: comma-separated patterns with `*` and `?`; a matching
/// pattern prefixed with `!` refuses the whole list.
pub fn match_pattern_list(text: &str, list: &str) -> bool {
    let mut positive = false;
    for pattern in list.split(',') {
        let (negated, pattern) = match pattern.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, pattern),
        };
        if match_pattern(text.as_bytes(), pattern.as_bytes()) {
            if negated {
                return false;
            }
            positive = true;
        }
    }
    positive
}

fn match_pattern(text: &[u8], pattern: &[u8]) -> bool {
    // Iterative glob with backtracking to the last `*`.
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            t += 1;
            p += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let body = text.trim_end_matches('=');
    if text.len() % 4 != 0 || text.len() - body.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    for chunk in body.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Public keys only: these lines are what an allowed_signers file holds.
    const ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICnX+AQA5hCVVeZ49dvryxRtPEAFGBC8F6jh1wSAFwsT";

    fn one(line: &str) -> Signer {
        let parsed = AllowedSigners::parse(line).unwrap_or_else(|e| panic!("{line}: {e:?}"));
        assert_eq!(parsed.signers.len(), 1, "{line}");
        parsed.signers.into_iter().next().unwrap()
    }

    fn error(text: &str) -> SignersError {
        AllowedSigners::parse(text)
            .expect_err(text)
            .into_iter()
            .next()
            .unwrap()
    }

    #[test]
    fn principals_lists_wildcards_and_negation() {
        let s = one(&format!("sec-review@example.com,*@security.example.com,!mallory@security.example.com {ED25519} alice"));
        assert!(s.matches_principal("sec-review@example.com"));
        assert!(s.matches_principal("bob@security.example.com"));
        assert!(!s.matches_principal("mallory@security.example.com"));
        assert!(
            !s.matches_principal("Sec-Review@example.com"),
            "case-sensitive, as OpenSSH"
        );
        assert!(!s.matches_principal("sec-review@example.org"));
        let q = one(&format!("user?@example.com {ED25519}"));
        assert!(q.matches_principal("user1@example.com"));
        assert!(!q.matches_principal("user12@example.com"));
        let quoted = one(&format!("\"a@example.com,b@example.com\" {ED25519}"));
        assert!(quoted.matches_principal("b@example.com"));
    }

    #[test]
    fn options_with_quoted_commas_and_any_case() {
        let s = one(&format!(
            "a@example.com NameSpaces=\"git,agentgate-review\",valid-after=\"20260101\",VALID-BEFORE=\"20270101000000Z\" {ED25519}"
        ));
        assert_eq!(s.namespaces.as_deref(), Some("git,agentgate-review"));
        assert!(s.allows_namespace("agentgate-review"));
        assert!(!s.allows_namespace("file"));
        assert_eq!(s.valid_after, parse_timestamp("20260101"));
        assert!(s.valid_at(parse_timestamp("20261102").unwrap()));
        assert!(!s.valid_at(parse_timestamp("20251231").unwrap()));
        assert!(
            s.valid_at(parse_timestamp("20270101").unwrap()),
            "bounds are inclusive"
        );
        assert!(!s.valid_at(parse_timestamp("20270102").unwrap()));
        let negated = one(&format!(
            "a@example.com namespaces=\"*,!agentgate-review\" {ED25519}"
        ));
        assert!(!negated.allows_namespace("agentgate-review"));
        assert!(negated.allows_namespace("git"));
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("19700102"), Some(86_400));
        assert_eq!(parse_timestamp("19700102Z"), Some(86_400));
        assert_eq!(parse_timestamp("19700102utc"), Some(86_400));
        assert_eq!(parse_timestamp("197001020130"), Some(86_400 + 5_400));
        assert_eq!(parse_timestamp("19700102013005Z"), Some(86_400 + 5_405));
        for bad in [
            "2026-11-02",
            "2026110",
            "20261302",
            "20260230",
            "202611022500",
            "19700101",
            "",
            "2026110é",
            "é",
            "202611ü",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn comments_blank_lines_and_line_numbers() {
        let text = format!("# trusted reviewers\n\n   \r\n  # indented comment\na@example.com {ED25519}\r\nb@example.com {ED25519}\n");
        let parsed = AllowedSigners::parse(&text).unwrap();
        assert_eq!(
            parsed.signers.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert_eq!(parsed.signers[0].key_type, "ssh-ed25519");
    }

    #[test]
    fn errors_name_their_line() {
        let text = format!("# ok\na@example.com {ED25519}\nb@example.com valid-after=20260101 {ED25519}\nc@example.com\nd@example.com ssh-ed25519 !!!!\n");
        let errors = AllowedSigners::parse(&text).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(
            errors[0].message.contains("missing start quote"),
            "{}",
            errors[0].message
        );
        assert!(
            errors[1].message.contains("no key"),
            "{}",
            errors[1].message
        );
        assert!(
            errors[2].message.contains("not base64"),
            "{}",
            errors[2].message
        );
    }

    #[test]
    fn malformed_options_and_keys() {
        for (line, needle) in [
            (
                format!("a@x namespaces=\"git {ED25519}"),
                "unterminated quote",
            ),
            (
                format!("a@x foo=\"bar\" {ED25519}"),
                "unknown key option \"foo=\\\"bar\\\"\"",
            ),
            (
                format!("a@x namespaces=\"a\",namespaces=\"b\" {ED25519}"),
                "multiple \"namespaces\"",
            ),
            (
                format!("a@x namespaces=\"a\", {ED25519}"),
                "unexpected end of options",
            ),
            (
                format!("a@x valid-after=\"20270101\",valid-before=\"20260101\" {ED25519}"),
                "before \"valid-after\"",
            ),
            (
                format!("a@x valid-before=\"2026\" {ED25519}"),
                "invalid \"valid-before\" time",
            ),
            (
                "a@x ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICnX+AQA5hCVVeZ49dvryxRtPEAFGBC8F6jh1wSAFwsT"
                    .to_string(),
                "not a ssh-rsa key (it holds ssh-ed25519)",
            ),
            (
                "a@x ssh-foo AAAA".to_string(),
                "unknown key type \"ssh-foo\"",
            ),
            ("\"a@x ssh-ed25519 AAAA".to_string(), "unterminated quote"),
        ] {
            let e = error(&line);
            assert!(e.message.contains(needle), "{line}: {}", e.message);
            assert_eq!(e.line, 1);
        }
    }

    #[test]
    fn cert_authority_is_refused_unless_it_excludes_reviews() {
        let e = error(&format!("*@example.com cert-authority {ED25519}"));
        assert!(
            e.message.contains("cert-authority keys are not supported"),
            "{}",
            e.message
        );
        let e = error(&format!(
            "*@example.com cert-authority,namespaces=\"agentgate-*\" {ED25519}"
        ));
        assert!(e.message.contains("cert-authority"), "{}", e.message);
        let parsed = AllowedSigners::parse(&format!(
            "*@example.com cert-authority,namespaces=\"git\" {ED25519}\na@example.com {ED25519}\n"
        ))
        .unwrap();
        assert_eq!(
            parsed.signers.len(),
            1,
            "the git-only CA line does not apply to reviews"
        );
        assert_eq!(parsed.signers[0].line, 2);
    }

    #[test]
    fn base64() {
        assert_eq!(base64_decode("aGVsbG8="), Some(b"hello".to_vec()));
        assert_eq!(base64_decode("aGVsbG8h"), Some(b"hello!".to_vec()));
        assert_eq!(base64_decode("aGVsbA=="), Some(b"hell".to_vec()));
        assert_eq!(base64_decode("aGVsbG8"), None);
        assert_eq!(base64_decode("aGV*bG8="), None);
    }
}
