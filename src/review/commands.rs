//! `agentgate review digest | sign | verify`: what each command does and prints. The binary only
//! parses arguments and hands over here.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::edit::{write_review, ReviewBlock};
use super::sign::{default_key, ssh_keygen_sign};
use super::verify::{self, Trust};
use super::{TrustStore, NAMESPACE};
use crate::config::Config;
use crate::digest::digest;
use crate::fs::{display_path, normalize, read_text};
use crate::source::SourceFile;
use crate::units::format_date;
use crate::yaml::{self, Document, Limits};

/// What a command prints and how it exits.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Output {
    fn fail(message: impl Into<String>) -> Output {
        Output {
            stderr: format!("error: {}\n", message.into()),
            code: 2,
            ..Output::default()
        }
    }
}

fn read_documents(
    path: &Path,
    cwd: &Path,
    max_bytes: u64,
) -> Result<(SourceFile, Vec<Document>), String> {
    let display = display_path(&normalize(&cwd.join(path)), cwd);
    let text =
        read_text(&cwd.join(path), max_bytes).map_err(|e| format!("{display}: {}", e.message))?;
    let source = SourceFile::new(cwd.join(path), display.clone(), text);
    let documents = yaml::parse(&source, Limits::default()).map_err(|e| {
        let pos = source.pos(e.offset);
        format!("{display}:{}:{}: {}", pos.line, pos.column, e.message)
    })?;
    if documents.is_empty() {
        return Err(format!("{display}: the file holds no document"));
    }
    Ok((source, documents))
}

/// `agentgate review digest FILE`: one digest per document, in order.
pub fn digest_command(file: &Path, cwd: &Path, max_bytes: u64) -> Output {
    match read_documents(file, cwd, max_bytes) {
        Ok((_, documents)) => Output {
            stdout: documents
                .iter()
                .map(|d| format!("{}\n", digest(&d.value)))
                .collect(),
            ..Output::default()
        },
        Err(message) => Output::fail(message),
    }
}

#[derive(Debug, Clone)]
pub struct SignOptions {
    pub file: PathBuf,
    pub reviewer: String,
    /// The key for `ssh-keygen -f`; the first of ~/.ssh/id_* when absent.
    pub key: Option<PathBuf>,
    /// Days since 1970-01-01: the review date.
    pub today: i64,
    /// 1-based document number in a multi-document file.
    pub document: Option<usize>,
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
    pub max_bytes: u64,
}

fn email_key(value: Option<&Value>) -> Option<String> {
    value
        .and_then(Value::as_str)
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())
}

/// `agentgate review sign FILE --reviewer EMAIL`: sets the reviewer and date, signs the digest
/// with ssh-keygen and writes the review block, leaving the rest of the file as it was.
pub fn sign_command(options: &SignOptions) -> Output {
    match sign(options) {
        Ok(message) => Output {
            stdout: message,
            ..Output::default()
        },
        Err(message) => Output::fail(message),
    }
}

fn sign(options: &SignOptions) -> Result<String, String> {
    let (source, documents) = read_documents(&options.file, &options.cwd, options.max_bytes)?;
    let display = source.display.clone();
    let index = match options.document {
        Some(0) => return Err("--document counts from 1".into()),
        Some(n) if n > documents.len() => {
            return Err(format!(
                "{display} holds {} document(s); there is no document {n}",
                documents.len()
            ))
        }
        Some(n) => n - 1,
        None if documents.len() == 1 => 0,
        None => {
            return Err(format!(
                "{display} holds {} documents; choose the one to sign with --document N",
                documents.len()
            ))
        }
    };
    let document = &documents[index];
    let name = document
        .value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("the agent")
        .to_string();
    let reviewer = options.reviewer.trim().to_string();
    if !reviewer.contains('@') {
        return Err(format!(
            "--reviewer {reviewer:?} is not an email; the reviewer is named by the email in allowed_signers"
        ));
    }
    let spec = document
        .value
        .get("spec")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            format!("{display}: the document has no `spec` mapping; is it an agent manifest?")
        })?;
    let key = reviewer.to_lowercase();
    for (field, role) in [("owner", "owner"), ("backupOwner", "backup owner")] {
        if email_key(spec.get(field).and_then(|o| o.get("email"))).as_deref() == Some(key.as_str())
        {
            return Err(format!(
                "{reviewer} is the {role} of {name}: a review needs someone independent (separation of duties, AG044); nothing was signed"
            ));
        }
    }
    let date = format_date(options.today);
    let extra: Vec<(String, Value)> = spec
        .get("review")
        .and_then(Value::as_object)
        .map(|review| {
            review
                .iter()
                .filter(|(k, _)| !["reviewer", "date", "digest", "signature"].contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let mut block = ReviewBlock {
        reviewer: reviewer.clone(),
        date: date.clone(),
        digest: String::new(),
        signature: String::new(),
        extra,
    };
    let mut signed = document.value.clone();
    if let Some(spec) = signed.get_mut("spec").and_then(Value::as_object_mut) {
        spec.insert("review".into(), block.value());
    }
    block.digest = digest(&signed);
    // Find out now whether the block can be written, before asking for a passphrase or a touch.
    block.signature = "-----BEGIN SSH SIGNATURE-----\n-----END SSH SIGNATURE-----\n".into();
    write_review(&source, index, &block).map_err(|e| format!("{display}: {e}"))?;

    let key_path = match &options.key {
        Some(key) => options.cwd.join(key),
        None => default_key(options.home.as_deref())?,
    };
    let signature = ssh_keygen_sign(&key_path, &block.digest)?;
    let sig = ssh_key::SshSig::from_pem(signature.trim()).map_err(|e| {
        format!("ssh-keygen wrote a signature agentgate cannot read ({e}); nothing was written")
    })?;
    ssh_key::PublicKey::from(sig.public_key().clone())
        .verify(NAMESPACE, block.digest.as_bytes(), &sig)
        .map_err(|e| {
            format!("the signature ssh-keygen made does not verify ({e}); nothing was written")
        })?;
    block.signature = signature;
    let text = write_review(&source, index, &block).map_err(|e| format!("{display}: {e}"))?;
    std::fs::write(&source.path, text).map_err(|e| format!("cannot write {display}: {e}"))?;
    let fingerprint = sig.public_key().fingerprint(ssh_key::HashAlg::Sha256);
    let mut signed_with_signature = signed;
    if let Some(spec) = signed_with_signature
        .get_mut("spec")
        .and_then(Value::as_object_mut)
    {
        spec.insert("review".into(), block.value());
    }
    let public = ssh_key::PublicKey::from(sig.public_key().clone());
    let note = untrusted_key_note(options, &signed_with_signature, &reviewer, &public);
    Ok(format!(
        "signed {name} in {display} as {reviewer} on {date} with {} key {fingerprint}\n  digest {}\n{note}",
        sig.public_key().algorithm().as_str(),
        block.digest
    ))
}

/// When the repository does not trust the key that just signed (no allowed_signers configured,
/// or a file without this reviewer and key), what to add: the `allowed_signers` line, for the
/// security team, since `check` will fail AG041 until it is there. Empty when the review
/// verifies, or when the configuration cannot be read (`check` then says why).
fn untrusted_key_note(
    options: &SignOptions,
    document: &Value,
    reviewer: &str,
    key: &ssh_key::PublicKey,
) -> String {
    let root =
        crate::discover::repository_root(&options.cwd, std::slice::from_ref(&options.file), None);
    let Ok(config) = Config::load_for(&options.cwd, &root, None, options.max_bytes) else {
        return String::new();
    };
    let Ok(store) = TrustStore::load(&config, &options.cwd) else {
        return String::new();
    };
    let Some(verdict) = verify::verify_review(document, store.trust(), options.today) else {
        return String::new();
    };
    if verdict.is_valid() {
        return String::new();
    }
    let Ok(public) = key.to_openssh() else {
        return String::new();
    };
    // The key's own comment is left out: it may name a laptop, and a line needs none.
    let public = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let line = format!("{reviewer} namespaces=\"{NAMESPACE}\" {public}");
    let whom = if store.signers.is_some() {
        format!("{} does not trust this key for {reviewer}", store.display)
    } else {
        "no allowed_signers file is configured (settings.allowedSigners in .agentgate.yaml)".into()
    };
    format!(
        "note: {whom}, so `agentgate check` fails this review (AG041) until the security team adds this line to the allowed_signers file:\n  {line}\n"
    )
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub files: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub today: i64,
    pub cwd: PathBuf,
    pub max_bytes: u64,
}

/// `agentgate review verify FILE…`: a verdict per manifest (valid, stale or invalid), exit 1
/// when any is not valid.
pub fn verify_command(options: &VerifyOptions) -> Output {
    // The same root as `check`: never a folder that merely holds a `.agentgate.yaml`.
    let root =
        crate::discover::repository_root(&options.cwd, &options.files, options.config.as_deref());
    let config = match Config::load_for(
        &options.cwd,
        &root,
        options.config.as_deref(),
        options.max_bytes,
    ) {
        Ok(config) => config,
        Err(problems) => return problems_output(&problems),
    };
    let store = match TrustStore::load(&config, &options.cwd) {
        Ok(store) => store,
        Err(problems) => return problems_output(&problems),
    };
    let mut out = Output::default();
    let mut failed = false;
    for file in &options.files {
        let (source, documents) = match read_documents(file, &options.cwd, options.max_bytes) {
            Ok(read) => read,
            Err(message) => {
                out.stderr.push_str(&format!("error: {message}\n"));
                out.code = 2;
                continue;
            }
        };
        for (i, document) in documents.iter().enumerate() {
            let label = match document
                .value
                .pointer("/metadata/name")
                .and_then(Value::as_str)
            {
                Some(name) => format!("{} {name}", source.display),
                None if documents.len() > 1 => format!("{} (document {})", source.display, i + 1),
                None => source.display.clone(),
            };
            let (valid, line) = verdict_line(&document.value, store.trust(), options.today);
            failed |= !valid;
            out.stdout.push_str(&format!("{label}: {line}\n"));
        }
    }
    if out.code == 0 && failed {
        out.code = 1;
    }
    out
}

/// `valid: …`, `stale: …` or `invalid: REASON: …`, and whether it is valid.
pub fn verdict_line(document: &Value, trust: Trust<'_>, today: i64) -> (bool, String) {
    let current = digest(document);
    let Some(verdict) = verify::verify_review(document, trust, today) else {
        return (
            false,
            "invalid: no review: spec.review is missing; have it reviewed and run `agentgate review sign`".into(),
        );
    };
    let stored = document
        .pointer("/spec/review/digest")
        .and_then(Value::as_str);
    let stale = match stored {
        Some(stored) if stored == current => None,
        Some(stored) => Some(format!(
            "the manifest changed after it was signed (signed {stored}, now {current})"
        )),
        // Without a digest there is nothing to be stale: the signature verdict says it all.
        None => None,
    };
    match (verdict.is_valid(), stale) {
        (true, None) => (true, format!("valid: {}", verdict.detail)),
        (true, Some(stale)) => (
            false,
            format!("stale: {stale}; review it again and re-sign"),
        ),
        (false, stale) => (
            false,
            format!(
                "invalid: {}: {}{}",
                verdict.reason.as_str(),
                verdict.detail,
                stale.map_or(String::new(), |s| format!("; also stale: {s}"))
            ),
        ),
    }
}

fn problems_output(problems: &[crate::finding::Problem]) -> Output {
    Output {
        stderr: problems
            .iter()
            .map(|p| format!("error: {}:{}: {}\n", p.file, p.line, p.message))
            .collect(),
        code: 2,
        ..Output::default()
    }
}
