//! Verifying a review's signature in-process, as `ssh-keygen -Y verify` would:
//!
//! ```sh
//! printf %s "$DIGEST" | ssh-keygen -Y verify -n agentgate-review -f allowed_signers \
//!     -I "$REVIEWER" -s review.sig -Overify-time=YYYYMMDDZ   # the review date
//! ```
//!
//! The signed message is the digest stored in the review (so a valid signature over an outdated
//! digest is a stale review, AG042, not a forged one), the principal is the review's `reviewer`
//! and key validity windows are judged at 00:00 UTC on the review's `date` (today when the date is
//! missing or not a date). A review that the change under check adds or alters is judged at
//! today instead ([`Judged::Today`]): its author chose its date, so a retired key could otherwise
//! sign a new review by dating it before the key's `valid-before`.

use serde_json::{json, Value};
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, PublicKey, SshSig};

use super::signers::{AllowedSigners, Signer};
use super::NAMESPACE;
use crate::units::{parse_date, SECONDS_PER_DAY};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    Invalid,
    Absent,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Absent => "absent",
        }
    }
}

/// Why a signature is not valid: the fixed phrases of rules-v1 (AG041), which rules may match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Verified,
    NoSignature,
    NoAllowedSigners,
    UnknownPrincipal,
    WrongNamespace,
    BadSignature,
    OutsideValidity,
    UnsupportedKeyType,
    MalformedSignature,
    /// A review that the change under check adds or alters is dated more than
    /// `settings.maxReviewBackdate` before today.
    Backdated,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Verified => "verified",
            Reason::NoSignature => "no signature",
            Reason::NoAllowedSigners => "no allowed_signers configured",
            Reason::UnknownPrincipal => "unknown principal",
            Reason::WrongNamespace => "wrong namespace",
            Reason::BadSignature => "bad signature",
            Reason::OutsideValidity => "key outside its validity window",
            Reason::UnsupportedKeyType => "unsupported key type",
            Reason::MalformedSignature => "malformed signature",
            Reason::Backdated => "backdated",
        }
    }
}

/// The verdict on one review's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub status: Status,
    pub reason: Reason,
    /// One sentence for people: what exactly is wrong (or who signed).
    pub detail: String,
    /// Every principal allowed_signers lists for the signing key (the reviewer's aliases), when
    /// the signature verified with a listed key; empty otherwise.
    pub principals: Vec<String>,
}

impl Verdict {
    pub fn invalid(reason: Reason, detail: impl Into<String>) -> Verdict {
        Verdict {
            status: Status::Invalid,
            reason,
            detail: detail.into(),
            principals: Vec::new(),
        }
    }

    pub fn is_valid(&self) -> bool {
        self.status == Status::Valid
    }

    /// The `review` fact handed to Rego.
    pub fn fact(&self) -> Value {
        json!({"signature": self.status.as_str(), "reason": self.reason.as_str(), "detail": self.detail, "principals": self.principals})
    }
}

/// Where trusted keys come from: a parsed file, or nothing configured.
#[derive(Debug, Clone, Copy)]
pub struct Trust<'a> {
    pub signers: Option<&'a AllowedSigners>,
    /// How the file is named in messages.
    pub source: &'a str,
    /// Signatures an earlier run found to verify over their messages (src/signature_cache.rs).
    pub known: Option<&'a KnownSignatures>,
}

/// Signatures known to verify over what they sign, read from the signature cache, and those
/// this run verified (to store when it ends). Only the public-key operation is skipped for a
/// known one: the trust store judges it as any other.
#[derive(Debug)]
pub struct KnownSignatures {
    cache: crate::signature_cache::SignatureCache,
    /// Read when the first signature is verified (a run of unsigned manifests never reads it).
    known: std::sync::OnceLock<std::collections::HashSet<crate::signature_cache::SignatureKey>>,
    learnt: std::sync::Mutex<Vec<crate::signature_cache::SignatureKey>>,
}

impl KnownSignatures {
    pub fn new(cache: crate::signature_cache::SignatureCache) -> Self {
        KnownSignatures {
            cache,
            known: std::sync::OnceLock::new(),
            learnt: Default::default(),
        }
    }

    fn knows(&self, key: &crate::signature_cache::SignatureKey) -> bool {
        self.known.get_or_init(|| self.cache.load()).contains(key)
    }

    /// Stores what this run verified that was not known.
    pub fn store(&self) {
        self.cache.store(&self.learnt());
    }

    /// The signatures this run verified that were not known.
    pub fn learnt(&self) -> Vec<crate::signature_cache::SignatureKey> {
        self.learnt.lock().map(|l| l.clone()).unwrap_or_default()
    }

    fn learn(&self, key: crate::signature_cache::SignatureKey) {
        if let Ok(mut learnt) = self.learnt.lock() {
            learnt.push(key);
        }
    }
}

/// When a key's validity window is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judged {
    /// At the review's date: a review already on the base revision, or a full run.
    OnReviewDate,
    /// At today: a review that the change under check adds or alters.
    Today,
}

/// The verdict on `document`'s review, or `None` when it has no `spec.review` mapping; key
/// validity is judged on the review date.
pub fn verify_review(document: &Value, trust: Trust<'_>, today: i64) -> Option<Verdict> {
    verify_review_judged(document, trust, today, Judged::OnReviewDate)
}

/// [`verify_review`], with key validity judged as `judged` says.
pub fn verify_review_judged(
    document: &Value,
    trust: Trust<'_>,
    today: i64,
    judged: Judged,
) -> Option<Verdict> {
    let review = document.pointer("/spec/review")?.as_object()?;
    let Some(signature) = review.get("signature") else {
        return Some(Verdict {
            status: Status::Absent,
            reason: Reason::NoSignature,
            detail: "the review is not signed: run `agentgate review sign` as the reviewer".into(),
            principals: Vec::new(),
        });
    };
    let Some(signature) = signature.as_str() else {
        return Some(Verdict::invalid(
            Reason::MalformedSignature,
            "review.signature is not text: it must hold an OpenSSH signature (-----BEGIN SSH SIGNATURE-----)",
        ));
    };
    let Some(digest) = review.get("digest").and_then(Value::as_str) else {
        return Some(Verdict::invalid(
            Reason::MalformedSignature,
            "the review has a signature but no digest, so there is nothing it could have signed",
        ));
    };
    let reviewer = review.get("reviewer").and_then(Value::as_str);
    let date = review
        .get("date")
        .and_then(Value::as_str)
        .and_then(parse_date);
    let time = match judged {
        Judged::OnReviewDate => date.unwrap_or(today),
        Judged::Today => today,
    } * SECONDS_PER_DAY;
    let mut verdict = verify(signature, digest, reviewer, trust, time);
    if judged == Judged::Today && verdict.reason == Reason::OutsideValidity {
        verdict.detail.push_str(
            " (the change under check adds or alters this review, so the key must be valid today, whatever date the review states)",
        );
    }
    Some(verdict)
}

/// Verifies `signature` (armored SSHSIG) over `message` for `principal` at `time` (seconds since
/// 1970-01-01 UTC).
pub fn verify(
    signature: &str,
    message: &str,
    principal: Option<&str>,
    trust: Trust<'_>,
    time: i64,
) -> Verdict {
    let sig = match SshSig::from_pem(signature.trim_start()) {
        Ok(sig) => sig,
        Err(e) => {
            return Verdict::invalid(
                Reason::MalformedSignature,
                format!("review.signature is not an OpenSSH signature ({e})"),
            )
        }
    };
    let key = PublicKey::from(sig.public_key().clone());
    let fingerprint = key.fingerprint(HashAlg::Sha256);
    let algorithm = sig.public_key().algorithm();
    let key_name = format!("{} key {fingerprint}", algorithm.as_str());
    if !supported(&algorithm) {
        return Verdict::invalid(
            Reason::UnsupportedKeyType,
            format!("the review is signed with a key of type {}, which agentgate cannot verify (use Ed25519, ECDSA P-256, RSA or their FIDO sk- forms)", algorithm.as_str()),
        );
    }
    if sig.namespace() != NAMESPACE {
        return Verdict::invalid(
            Reason::WrongNamespace,
            format!(
                "the signature was made for namespace {:?}, not {NAMESPACE:?} (sign with `ssh-keygen -Y sign -n {NAMESPACE}`)",
                sig.namespace()
            ),
        );
    }
    let memo = trust
        .known
        .map(|known| (known, crate::signature_cache::key(signature, message)));
    if !memo.is_some_and(|(known, k)| known.knows(&k)) {
        if let Err(e) = key.verify(NAMESPACE, message.as_bytes(), &sig) {
            return Verdict::invalid(
                Reason::BadSignature,
                format!("the signature by {key_name} does not verify over the review's digest {message} ({e})"),
            );
        }
        if let Some((known, k)) = memo {
            known.learn(k);
        }
    }
    let Some(signers) = trust.signers else {
        return Verdict::invalid(
            Reason::NoAllowedSigners,
            format!("the signature by {key_name} cannot be checked against trusted keys: set settings.allowedSigners in .agentgate.yaml"),
        );
    };
    let Some(principal) = principal else {
        return Verdict::invalid(
            Reason::UnknownPrincipal,
            "the review names no reviewer to look up in allowed_signers",
        );
    };
    let listed: Vec<&Signer> = signers
        .signers
        .iter()
        .filter(|s| s.matches_principal(principal))
        .collect();
    if listed.is_empty() {
        return Verdict::invalid(
            Reason::UnknownPrincipal,
            format!("{principal} is not a principal in {}", trust.source),
        );
    }
    let blob = key.to_bytes().unwrap_or_default();
    let candidates: Vec<&&Signer> = listed.iter().filter(|s| s.key_blob == blob).collect();
    let Some(first) = candidates.first() else {
        return Verdict::invalid(
            Reason::UnknownPrincipal,
            format!(
                "{key_name} is not trusted for {principal} in {} (lines {})",
                trust.source,
                lines(&listed)
            ),
        );
    };
    if let Some(signer) = candidates
        .iter()
        .find(|s| s.allows_namespace(NAMESPACE) && s.valid_at(time))
    {
        return Verdict {
            status: Status::Valid,
            reason: Reason::Verified,
            detail: format!(
                "signed by {principal} with {key_name} ({}:{})",
                trust.source, signer.line
            ),
            principals: key_principals(signers, &blob),
        };
    }
    if candidates.iter().all(|s| !s.allows_namespace(NAMESPACE)) {
        return Verdict::invalid(
            Reason::WrongNamespace,
            format!(
                "{}:{} does not allow {key_name} to sign namespace {NAMESPACE:?} (namespaces=\"{}\")",
                trust.source,
                first.line,
                first.namespaces.as_deref().unwrap_or_default()
            ),
        );
    }
    let window = candidates
        .iter()
        .find(|s| s.allows_namespace(NAMESPACE))
        .unwrap_or(first);
    Verdict::invalid(
        Reason::OutsideValidity,
        format!(
            "{key_name} is not valid on the review date {} ({}:{}: {})",
            crate::units::format_date(time.div_euclid(SECONDS_PER_DAY)),
            trust.source,
            window.line,
            validity_text(window)
        ),
    )
}

/// Every principal that `signers` lists for the key `blob`, on any line, as written: the
/// comma-separated patterns split, negated ones (`!…`) left out, wildcards not expanded; in
/// file order, without repeats.
fn key_principals(signers: &AllowedSigners, blob: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for signer in signers.signers.iter().filter(|s| s.key_blob == blob) {
        for principal in signer.principals.split(',') {
            let principal = principal.trim();
            if !principal.is_empty()
                && !principal.starts_with('!')
                && !out.iter().any(|p| p == principal)
            {
                out.push(principal.to_string());
            }
        }
    }
    out
}

fn supported(algorithm: &Algorithm) -> bool {
    matches!(
        algorithm,
        Algorithm::Ed25519
            | Algorithm::SkEd25519
            | Algorithm::SkEcdsaSha2NistP256
            | Algorithm::Rsa { .. }
            | Algorithm::Ecdsa {
                curve: EcdsaCurve::NistP256
            }
    )
}

fn lines(signers: &[&Signer]) -> String {
    signers
        .iter()
        .map(|s| s.line.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn validity_text(signer: &Signer) -> String {
    let stamp = |t: i64| {
        let day = crate::units::format_date(t.div_euclid(SECONDS_PER_DAY));
        let rest = t.rem_euclid(SECONDS_PER_DAY);
        if rest == 0 {
            day
        } else {
            format!(
                "{day}T{:02}:{:02}:{:02}Z",
                rest / 3600,
                rest % 3600 / 60,
                rest % 60
            )
        }
    };
    match (signer.valid_after, signer.valid_before) {
        (Some(a), Some(b)) => format!("valid from {} to {}", stamp(a), stamp(b)),
        (Some(a), None) => format!("valid from {}", stamp(a)),
        (None, Some(b)) => format!("valid until {}", stamp(b)),
        (None, None) => "no validity window".into(),
    }
}
