//! Signed reviews end to end, with real OpenSSH on both sides: keys made by `ssh-keygen`,
//! reviews signed by `agentgate review sign` and checked by `ssh-keygen -Y verify`, signatures
//! made by hand with `ssh-keygen -Y sign` and checked by `agentgate review verify`.

use crate::common::signing;

use std::path::Path;

use crate::common::*;

const BODY: &str = r#"apiVersion: agentgate/v1
kind: Agent
metadata:
  name: billing-reconciler
  description: Reconciles payouts against the ledger every night
spec:
  purpose: Compares nightly payout files with ledger entries and opens a ticket on mismatch.
  owner: {name: Jane Doe, email: jane.doe@example.com, team: finance-eng}
  backupOwner: {name: Raj Patel, email: raj.patel@example.com}
  lifecycle: {status: active, expires: 2027-05-31}
  identity: {type: workload, id: "spiffe://example.org/ns/finance/sa/billing-reconciler"}
  permissions:
    - resource: postgres://ledger/public.payouts
      actions: [read]
      justification: Reads payout rows to compare with the ledger
      dataClasses: [financial]
  credentials:
    - {name: ledger-db, type: federated, ttl: 1h, rotation: automatic, shared: false}
  blastRadius:
    worstCase: Could read every payout row; cannot write to the ledger or move money
    dataClasses: [financial]
    reversible: true
    externalReach: false
  audit: {logSink: "siem://splunk/agents"}
"#;

const REVIEWER: &str = "sec-review@example.com";

fn unsigned() -> String {
    format!("{BODY}  review:\n    reviewer: {REVIEWER}\n    date: 2026-11-02\n")
}

/// A repository trusting `allowed_signers` (written as given).
fn repo(allowed_signers: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "allowed_signers", allowed_signers);
    write(
        dir.path(),
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// The first document of `text` as JSON, read by agentgate's YAML reader.
fn value(text: &str) -> serde_json::Value {
    let source = agentgate::source::SourceFile::new("m".into(), "m".into(), text);
    agentgate::yaml::parse(&source, agentgate::yaml::Limits::default())
        .unwrap()
        .remove(0)
        .value
}

fn review_field(text: &str, field: &str) -> String {
    value(text)["spec"]["review"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no review.{field} in\n{text}"))
        .to_string()
}

fn digest_of(dir: &Path, file: &str) -> String {
    let run = agentgate(dir, &["review", "digest", file]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.trim_end().to_string()
}

/// Appends a digest and a signature to the review block at the end of `text`, as a person
/// would by hand.
fn with_signature(text: &str, digest: &str, signature: &str) -> String {
    let mut out = format!("{text}    digest: {digest}\n    signature: |\n");
    for line in signature.lines() {
        out.push_str(&format!("      {line}\n"));
    }
    out
}

fn verify_line(dir: &Path, file: &str) -> (i32, String) {
    let run = agentgate(dir, &["review", "verify", file]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    (run.code, run.stdout.trim_end().to_string())
}

#[test]
fn review_digest_reproduces_the_official_vectors() {
    let vectors = crate_dir().join("testdata/digest-vectors");
    for name in ["01-block", "02-flow-reordered", "03-yaml12"] {
        let file = format!("{name}.agent.yaml");
        let expected = std::fs::read_to_string(vectors.join(format!("{name}.digest"))).unwrap();
        assert_eq!(digest_of(&vectors, &file), expected.trim_end(), "{name}");
        let canonical = std::fs::read_to_string(vectors.join(format!("{name}.json"))).unwrap();
        let document = value(&read(&vectors, &file));
        assert_eq!(
            agentgate::digest::canonical_json(&document),
            canonical.trim_end(),
            "{name}: the JCS form"
        );
    }
}

#[test]
fn review_digest_prints_one_line_per_document() {
    let dir = tempfile::tempdir().unwrap();
    let vectors = crate_dir().join("testdata/digest-vectors");
    let both = format!(
        "{}---\n{}",
        read(&vectors, "01-block.agent.yaml"),
        read(&vectors, "03-yaml12.agent.yaml")
    );
    write(dir.path(), "two.agent.yaml", both);
    let run = agentgate(dir.path(), &["review", "digest", "two.agent.yaml"]);
    let expected = format!(
        "{}\n{}\n",
        read(&vectors, "01-block.digest").trim_end(),
        read(&vectors, "03-yaml12.digest").trim_end()
    );
    assert_eq!((run.code, run.stdout), (0, expected));
    let broken = agentgate(dir.path(), &["review", "digest", "missing.yaml"]);
    assert_eq!(broken.code, 2);
    assert!(broken.stderr.contains("missing.yaml"), "{}", broken.stderr);
}

#[test]
fn reviews_signed_by_agentgate_verify_with_ssh_keygen() {
    for kind in ["ed25519", "ecdsa", "rsa"] {
        let keys = tempfile::tempdir().unwrap();
        let key = signing::keygen(keys.path(), "reviewer", kind);
        let trusted = format!("{REVIEWER} {}\n", signing::public_key(&key));
        let dir = repo(&trusted);
        let d = dir.path();
        write(d, "agent.yaml", BODY);
        let run = agentgate(
            d,
            &[
                "review",
                "sign",
                "agent.yaml",
                "--reviewer",
                REVIEWER,
                "--key",
                key.to_str().unwrap(),
                "--today",
                "2026-11-02",
            ],
        );
        assert_eq!(run.code, 0, "{kind}: {}", run.stderr);
        assert!(
            run.stdout.starts_with(
                "signed billing-reconciler in agent.yaml as sec-review@example.com on 2026-11-02"
            ),
            "{}",
            run.stdout
        );
        let text = read(d, "agent.yaml");
        let digest = review_field(&text, "digest");
        assert_eq!(review_field(&text, "date"), "2026-11-02");
        assert_eq!(
            digest,
            digest_of(d, "agent.yaml"),
            "{kind}: the stored digest is current"
        );
        let (ok, said) = signing::verify(
            d,
            &d.join("allowed_signers"),
            REVIEWER,
            &review_field(&text, "signature"),
            &digest,
            "20261102Z",
        );
        assert!(ok, "{kind}: ssh-keygen -Y verify refused it: {said}");
        let (code, line) = verify_line(d, "agent.yaml");
        assert_eq!(code, 0, "{kind}: {line}");
        assert!(
            line.starts_with(
                "agent.yaml billing-reconciler: valid: signed by sec-review@example.com"
            ),
            "{line}"
        );
    }
}

#[test]
fn signatures_made_by_hand_with_ssh_keygen_verify_in_agentgate() {
    for kind in ["ed25519", "ecdsa", "rsa"] {
        let keys = tempfile::tempdir().unwrap();
        let key = signing::keygen(keys.path(), "reviewer", kind);
        let dir = repo(&format!(
            "# the security team\n{REVIEWER} namespaces=\"agentgate-review\" {}\n",
            signing::public_key(&key)
        ));
        let d = dir.path();
        write(d, "agent.yaml", unsigned());
        let digest = digest_of(d, "agent.yaml");
        let signature = signing::sign(&key, signing::NAMESPACE, &digest);
        write(
            d,
            "agent.yaml",
            with_signature(&unsigned(), &digest, &signature),
        );
        let (code, line) = verify_line(d, "agent.yaml");
        assert_eq!(code, 0, "{kind}: {line}");
        assert!(
            line.contains(": valid: signed by sec-review@example.com"),
            "{line}"
        );
    }
}

/// A FIDO key cannot be made without hardware, so the security key's part is done here: an
/// sk-ssh-ed25519@openssh.com signature (flags and counter appended, over the hash of the
/// application and of the message, as PROTOCOL.u2f says), checked by ssh-keygen and agentgate.
#[test]
fn fido_sk_ed25519_signatures_verify_in_both() {
    use signature::Signer;
    use ssh_key::{public, Algorithm, HashAlg, LineEnding, SshSig};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "agent.yaml", unsigned());
    let digest = digest_of(d, "agent.yaml");
    let keypair = ssh_key::private::Ed25519Keypair::from_seed(&[7; 32]);
    let sk = public::SkEd25519::new(keypair.public, "ssh:");
    let key = ssh_key::PublicKey::from(public::KeyData::SkEd25519(sk));
    let inner =
        SshSig::signed_data(signing::NAMESPACE, HashAlg::Sha512, digest.as_bytes()).unwrap();
    let (flags, counter) = ([0x01u8], 42u32.to_be_bytes());
    let mut signed = Vec::new();
    signed.extend(HashAlg::Sha256.digest(b"ssh:"));
    signed.extend(flags);
    signed.extend(counter);
    signed.extend(HashAlg::Sha256.digest(&inner));
    let raw: ssh_key::Signature = keypair.try_sign(&signed).unwrap();
    let mut bytes = raw.as_bytes().to_vec();
    bytes.extend(flags);
    bytes.extend(counter);
    let sig = SshSig::new(
        key.key_data().clone(),
        signing::NAMESPACE,
        HashAlg::Sha512,
        ssh_key::Signature::new(Algorithm::SkEd25519, bytes).unwrap(),
    )
    .unwrap();
    let armored = sig.to_pem(LineEnding::LF).unwrap();
    write(
        d,
        "allowed_signers",
        format!("{REVIEWER} {}\n", key.to_openssh().unwrap()),
    );
    write(
        d,
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    let (ok, said) = signing::verify(
        d,
        &d.join("allowed_signers"),
        REVIEWER,
        &armored,
        &digest,
        "20261102Z",
    );
    assert!(ok, "ssh-keygen: {said}");
    write(
        d,
        "agent.yaml",
        with_signature(&unsigned(), &digest, &armored),
    );
    let (code, line) = verify_line(d, "agent.yaml");
    assert_eq!(code, 0, "{line}");
    assert!(
        line.contains(
            "valid: signed by sec-review@example.com with sk-ssh-ed25519@openssh.com key"
        ),
        "{line}"
    );
}

#[test]
fn every_reason_a_signature_is_not_valid() {
    let keys = tempfile::tempdir().unwrap();
    let k = keys.path();
    let key = signing::keygen(k, "reviewer", "ed25519");
    let other = signing::keygen(k, "other", "ed25519");
    let p384 = signing::keygen(k, "p384", "ecdsa384");
    let public = signing::public_key(&key);
    let trusted = format!("{REVIEWER} {public}\n");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "agent.yaml", unsigned());
    let digest = digest_of(d, "agent.yaml");
    let good = signing::sign(&key, signing::NAMESPACE, &digest);
    let zero = format!("sha256:{}", "0".repeat(64));
    let cases: Vec<(&str, String, String, Option<String>)> = vec![
        // (expected reason, allowed_signers or none, signature, review text override)
        (
            "no allowed_signers configured",
            String::new(),
            good.clone(),
            None,
        ),
        (
            "unknown principal",
            format!("someone-else@example.com {public}\n"),
            good.clone(),
            None,
        ),
        (
            "unknown principal",
            format!("{REVIEWER} {}\n", signing::public_key(&other)),
            good.clone(),
            None,
        ),
        (
            "wrong namespace",
            trusted.clone(),
            signing::sign(&key, "git", &digest),
            None,
        ),
        (
            "wrong namespace",
            format!("{REVIEWER} namespaces=\"git,file\" {public}\n"),
            good.clone(),
            None,
        ),
        (
            "bad signature",
            trusted.clone(),
            signing::sign(&key, signing::NAMESPACE, &zero),
            None,
        ),
        (
            "key outside its validity window",
            format!("{REVIEWER} valid-before=\"20261001\" {public}\n"),
            good.clone(),
            None,
        ),
        (
            "key outside its validity window",
            format!("{REVIEWER} valid-after=\"20261103Z\" {public}\n"),
            good.clone(),
            None,
        ),
        (
            "unsupported key type",
            format!("{REVIEWER} {}\n", signing::public_key(&p384)),
            signing::sign(&p384, signing::NAMESPACE, &digest),
            None,
        ),
        (
            "malformed signature",
            trusted.clone(),
            "-----BEGIN SSH SIGNATURE-----\nbm90IGEgc2lnbmF0dXJl\n-----END SSH SIGNATURE-----\n"
                .into(),
            None,
        ),
        (
            "no signature",
            trusted.clone(),
            String::new(),
            Some(unsigned()),
        ),
    ];
    for (reason, allowed, signature, text) in cases {
        let config = if allowed.is_empty() {
            "version: 1\n".to_string()
        } else {
            write(d, "allowed_signers", &allowed);
            "version: 1\nsettings:\n  allowedSigners: allowed_signers\n".to_string()
        };
        write(d, ".agentgate.yaml", config);
        write(
            d,
            "agent.yaml",
            text.unwrap_or_else(|| with_signature(&unsigned(), &digest, &signature)),
        );
        let (code, line) = verify_line(d, "agent.yaml");
        assert_eq!(code, 1, "{reason}: {line}");
        let expected = if reason == "no signature" {
            "agent.yaml billing-reconciler: invalid: no signature:".to_string()
        } else {
            format!("agent.yaml billing-reconciler: invalid: {reason}: ")
        };
        assert!(
            line.starts_with(&expected),
            "expected {reason:?}, got {line}"
        );
        assert!(!line.contains("stale"), "{line}");
        // Stock OpenSSH refuses the same signatures (it knows P-384, which agentgate does not
        // verify; and it cannot judge without a signers file or a signature).
        if !allowed.is_empty() && !signature.is_empty() && reason != "unsupported key type" {
            let (ok, said) = signing::verify(
                d,
                &d.join("allowed_signers"),
                REVIEWER,
                &signature,
                &digest,
                "20261102Z",
            );
            assert!(!ok, "{reason}: ssh-keygen accepted it: {said}");
        }
    }
}

#[test]
fn a_review_goes_stale_when_one_action_or_the_review_date_changes() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = repo(&format!("{REVIEWER} {}\n", signing::public_key(&key)));
    let d = dir.path();
    write(d, "agent.yaml", unsigned());
    let digest = digest_of(d, "agent.yaml");
    let signed = with_signature(
        &unsigned(),
        &digest,
        &signing::sign(&key, signing::NAMESPACE, &digest),
    );
    write(d, "agent.yaml", &signed);
    assert_eq!(verify_line(d, "agent.yaml").0, 0);
    for (what, changed) in [
        (
            "an action",
            signed.replace("actions: [read]", "actions: [read, list]"),
        ),
        (
            "the review date",
            signed.replace("date: 2026-11-02", "date: 2026-11-03"),
        ),
    ] {
        write(d, "agent.yaml", &changed);
        let (code, line) = verify_line(d, "agent.yaml");
        assert_eq!(code, 1, "{what}: {line}");
        assert!(
            line.starts_with(&format!("agent.yaml billing-reconciler: stale: the manifest changed after it was signed (signed {digest}, now sha256:")),
            "{what}: {line}"
        );
    }
}

#[test]
fn a_review_stays_valid_when_the_yaml_is_reformatted() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = repo(&format!("{REVIEWER} {}\n", signing::public_key(&key)));
    let d = dir.path();
    write(d, "agent.yaml", BODY);
    let key_arg = key.to_str().unwrap();
    let run = agentgate(
        d,
        &[
            "review",
            "sign",
            "agent.yaml",
            "--reviewer",
            REVIEWER,
            "--key",
            key_arg,
            "--today",
            "2026-11-02",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signed = read(d, "agent.yaml");
    let document = value(&signed);
    // The same document three other ways: as JSON (flow style everywhere, every string
    // quoted, keys sorted), with comments and keys reordered, and block style throughout.
    let as_json = format!(
        "# reformatted as JSON\n{}\n",
        serde_json::to_string_pretty(&document).unwrap()
    );
    let reordered = signed
        .replace(
            "apiVersion: agentgate/v1\nkind: Agent\n",
            "kind: \"Agent\"   # the kind\napiVersion: 'agentgate/v1'\n",
        )
        .replace(
            "  lifecycle: {status: active, expires: 2027-05-31}\n",
            "  # when it ends\n  lifecycle:\n    expires: \"2027-05-31\"\n    status: active\n",
        )
        .replace(
            "      actions: [read]\n",
            "      actions:\n        - read\n",
        );
    let block = signed.replace(
        "  owner: {name: Jane Doe, email: jane.doe@example.com, team: finance-eng}\n",
        "  owner:\n    team: finance-eng\n    email: jane.doe@example.com\n    name: >-\n      Jane\n      Doe\n",
    );
    for (how, text) in [
        ("as JSON", as_json),
        ("reordered with comments", reordered),
        ("block style", block),
    ] {
        assert_ne!(text, signed, "{how} changes the text");
        assert_eq!(value(&text), document, "{how} means the same document");
        write(d, "agent.yaml", &text);
        let (code, line) = verify_line(d, "agent.yaml");
        assert_eq!(code, 0, "{how}: {line}");
    }
}

/// Everything but the review block, with comments, odd spacing, flow and block styles, a
/// review in the middle of `spec`, blank lines and a comment after the document.
const ODD_HEAD: &str = "# billing agent: reviewed every quarter\n---\napiVersion:   agentgate/v1   # v1 contract\nkind: Agent\nmetadata: {name: billing-reconciler,   description: \"Reconciles payouts\"}\nspec:\n\n    purpose: >\n        Compares payout files\n        with the ledger.\n    owner: {name: Jane Doe, email: jane.doe@example.com}   # accountable\n    backupOwner:\n        name: 'Raj Patel'\n        email: raj.patel@example.com\n";
const ODD_REVIEW: &str = "    review:   # the last review\n        reviewer: old@example.com\n        # signed in person\n        date: 2026-01-01\n        signature: |\n            -----BEGIN SSH SIGNATURE-----\n            b2xk\n            -----END SSH SIGNATURE-----";
const ODD_TAIL: &str = "\n\n      # a comment indented deeper than the review, after a blank line, is the review's\n    # a comment at the key's indentation is not\n    permissions: [ ]\n    lifecycle: {status: active, expires: 2027-05-31}\n\n# end of the manifest\n";

#[test]
fn review_sign_changes_nothing_outside_the_review_block() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = repo(&format!("{REVIEWER} {}\n", signing::public_key(&key)));
    let d = dir.path();
    let tail_after_review = ODD_TAIL.replacen("\n\n      # a comment indented deeper than the review, after a blank line, is the review's", "", 1);
    for eol in ["\n", "\r\n"] {
        let original = format!("{ODD_HEAD}{ODD_REVIEW}{ODD_TAIL}").replace('\n', eol);
        write(d, "agent.yaml", &original);
        let run = agentgate(
            d,
            &[
                "review",
                "sign",
                "agent.yaml",
                "--reviewer",
                REVIEWER,
                "--key",
                key.to_str().unwrap(),
                "--today",
                "2026-11-20",
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let out = read(d, "agent.yaml");
        let head = ODD_HEAD.replace('\n', eol);
        let tail = tail_after_review.replace('\n', eol);
        assert!(
            out.starts_with(&head),
            "the text before the review changed:\n{out}"
        );
        assert!(
            out.ends_with(&tail),
            "the text after the review changed:\n{out}"
        );
        let block = &out[head.len()..out.len() - tail.len()];
        assert!(block.starts_with(&format!("    review:{eol}        reviewer: sec-review@example.com{eol}        date: 2026-11-20{eol}        digest: sha256:")), "{block:?}");
        assert!(block.ends_with("-----END SSH SIGNATURE-----"), "{block:?}");
        assert_eq!(
            block.matches('\r').count(),
            block.matches('\n').count() * usize::from(eol == "\r\n")
        );
        assert_eq!(verify_line(d, "agent.yaml").0, 0, "{out}");
    }
}

#[test]
fn review_sign_refuses_the_owner_and_the_backup_owner() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "agent.yaml", unsigned());
    for (reviewer, role) in [
        ("Jane.Doe@Example.com", "owner"),
        ("raj.patel@example.com", "backup owner"),
    ] {
        let run = agentgate(
            d,
            &[
                "review",
                "sign",
                "agent.yaml",
                "--reviewer",
                reviewer,
                "--key",
                key.to_str().unwrap(),
            ],
        );
        assert_eq!(run.code, 2, "{reviewer}");
        assert!(run.stderr.contains(&format!("{reviewer} is the {role} of billing-reconciler: a review needs someone independent")), "{}", run.stderr);
        assert_eq!(read(d, "agent.yaml"), unsigned(), "nothing was written");
    }
}

#[test]
fn review_sign_picks_one_document_of_several() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = repo(&format!("{REVIEWER} {}\n", signing::public_key(&key)));
    let d = dir.path();
    let second = BODY.replace("billing-reconciler", "ledger-auditor");
    let original = format!("{}---\n{second}", unsigned());
    write(d, "agents.yaml", &original);
    let key_arg = key.to_str().unwrap();
    let run = agentgate(
        d,
        &[
            "review",
            "sign",
            "agents.yaml",
            "--reviewer",
            REVIEWER,
            "--key",
            key_arg,
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("holds 2 documents; choose the one to sign with --document N"),
        "{}",
        run.stderr
    );
    let run = agentgate(
        d,
        &[
            "review",
            "sign",
            "agents.yaml",
            "--reviewer",
            REVIEWER,
            "--key",
            key_arg,
            "--document",
            "2",
            "--today",
            "2026-11-02",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = read(d, "agents.yaml");
    assert!(
        out.starts_with(&format!("{}---\n{second}  review:\n", unsigned())),
        "{out}"
    );
    let (code, lines) = verify_line(d, "agents.yaml");
    assert_eq!(code, 1);
    let lines: Vec<&str> = lines.lines().collect();
    assert!(
        lines[0].starts_with("agents.yaml billing-reconciler: invalid: no signature"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("agents.yaml ledger-auditor: valid"),
        "{lines:?}"
    );
}

#[test]
fn a_bad_allowed_signers_file_is_an_error_at_its_line() {
    let dir = repo("# ok\nsec-review@example.com valid-after=20260101 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMC1ciQwjomLgBDZGKC/3dYN8JF8VR2+bg/XTsbF6gGJ\n");
    write(dir.path(), "agent.yaml", unsigned());
    let run = agentgate(dir.path(), &["review", "verify", "agent.yaml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: allowed_signers:2: allowed_signers line 2: bad options: missing start quote (option values are written in double quotes, e.g. namespaces=\"agentgate-review\")\n"
    );
}

#[test]
fn check_refuses_a_configured_allowed_signers_file_that_is_missing_or_bad() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "agent.yaml", unsigned());
    write(
        d,
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: keys/allowed_signers\n",
    );
    let run = agentgate(d, &["check", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let error = &run.json()["errors"][0];
    assert_eq!(error["file"], ".agentgate.yaml");
    assert_eq!(error["line"], 3);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("the allowed_signers file keys/allowed_signers does not exist"),
        "{error}"
    );
    write(d, "keys/allowed_signers", format!("# reviewers\n{REVIEWER} cert-authority ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMC1ciQwjomLgBDZGKC/3dYN8JF8VR2+bg/XTsbF6gGJ\n"));
    let run = agentgate(d, &["check", "--format", "json", "--today", TODAY]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let error = &run.json()["errors"][0];
    assert_eq!(
        (error["file"].as_str(), error["line"].as_i64()),
        (Some("keys/allowed_signers"), Some(2))
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("cert-authority keys are not supported"),
        "{error}"
    );
}

/// The gate: AG041 and AG042 as `agentgate check` reports them, one finding per fact.
#[test]
fn check_reports_an_unverifiable_signature_as_ag041_and_a_changed_manifest_as_ag042_only() {
    let keys = tempfile::tempdir().unwrap();
    let key = signing::keygen(keys.path(), "reviewer", "ed25519");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "agent.yaml", BODY);
    let run = agentgate(
        d,
        &[
            "review",
            "sign",
            "agent.yaml",
            "--reviewer",
            REVIEWER,
            "--key",
            key.to_str().unwrap(),
            "--today",
            "2026-11-02",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let signed = read(d, "agent.yaml");
    let check = |d: &Path| {
        let run = agentgate(d, &["check", "--format", "json", "--today", TODAY]);
        let json = run.json();
        let found: Vec<(String, String)> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"].as_str().unwrap().starts_with("AG04"))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (run.code, found)
    };
    // No allowed_signers configured: nothing can be verified.
    let (code, found) = check(d);
    assert_eq!(code, 1);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "AG041");
    assert!(
        found[0]
            .1
            .starts_with("no allowed_signers configured: the signature by ssh-ed25519 key SHA256:"),
        "{found:?}"
    );

    write(
        d,
        "allowed_signers",
        format!("{REVIEWER} {}\n", signing::public_key(&key)),
    );
    write(
        d,
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    assert_eq!(check(d), (0, vec![]), "signed and trusted");

    let digest = review_field(&signed, "digest");
    for (what, changed) in [
        (
            "one action",
            signed.replace("actions: [read]", "actions: [read, list]"),
        ),
        (
            "the review date",
            signed.replace("date: 2026-11-02", "date: 2026-11-09"),
        ),
    ] {
        write(d, "agent.yaml", &changed);
        let (code, found) = check(d);
        assert_eq!(code, 1, "{what}");
        assert_eq!(
            found.len(),
            1,
            "{what}: the signature over the stored digest still verifies: {found:?}"
        );
        assert_eq!(found[0].0, "AG042", "{what}");
        assert!(found[0].1.starts_with(&format!("the manifest changed after the review was signed: the review covers {digest}, the manifest is now sha256:")), "{found:?}");
    }

    let reformatted = format!(
        "# reformatted\n{}\n",
        serde_json::to_string_pretty(&value(&signed)).unwrap()
    );
    write(d, "agent.yaml", reformatted);
    assert_eq!(check(d), (0, vec![]), "reformatting keeps the review valid");
}
