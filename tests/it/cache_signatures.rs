//! The signature cache (src/signature_cache.rs): a review signature an earlier run verified is
//! not verified again; only that public-key operation is skipped, never what the trust store
//! decides (who may sign, for which reviewer, when).
//!
//! To see whether a run used the cache, a test stores the key of a signature that does not
//! verify (sealed, as a run would store it): a run that then accepts the signature skipped the
//! check. Whoever can write the cache folder can do that, as with the other caches
//! (docs/speed.md, "What it does not protect against").

use std::path::Path;

use agentgate::signature_cache::{key, SignatureCache};

use crate::common::*;

const A: &str = "agents/a.agent.yaml";

fn check(dir: &Path, cache: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json", "--today", TODAY];
    args.extend_from_slice(extra);
    agentgate_with_env(dir, &args, &[("AGENTGATE_CACHE", cache)])
}

fn rules(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str().map(str::to_string))
        .collect()
}

/// The review's signature and the digest it signs, as the manifest at `A` holds them.
fn review(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(dir.join(A)).expect("the manifest");
    let document = read_documents(&text).remove(0);
    let field = |name: &str| {
        document["spec"]["review"][name]
            .as_str()
            .expect("a signed review")
            .to_string()
    };
    (field("signature"), field("digest"))
}

fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), A, compliant_manifest("a", today()));
    trust_test_key(dir.path());
    dir
}

#[test]
fn a_verified_signature_is_remembered_but_the_trust_store_decides_every_time() {
    let dir = repo();
    let cache = tempfile::tempdir().expect("tempdir");
    let first = check(dir.path(), cache.path(), &[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    let (signature, digest) = review(dir.path());
    let known = SignatureCache::at(cache.path()).load();
    assert!(
        known.contains(&key(&signature, &digest)),
        "the run remembered the signature it verified"
    );
    assert_eq!(known.len(), 1);
    // The key is no longer trusted for the reviewer: the remembered signature is refused.
    let signers = std::fs::read_to_string(dir.path().join("allowed_signers")).unwrap();
    std::fs::write(
        dir.path().join("allowed_signers"),
        signers.replace("*@example.com", "someone@elsewhere.test"),
    )
    .unwrap();
    let distrusted = check(dir.path(), cache.path(), &[]);
    assert_eq!(distrusted.code, 1, "{}", distrusted.stdout);
    assert!(
        rules(&distrusted).contains(&"AG041".to_string()),
        "{}",
        distrusted.stdout
    );
    // --no-cache neither reads nor writes it.
    let other = tempfile::tempdir().expect("tempdir");
    let uncached = check(dir.path(), other.path(), &["--no-cache"]);
    assert_eq!(uncached.code, 1);
    assert!(SignatureCache::at(other.path()).load().is_empty());
    assert!(!other.path().join("signatures").exists());
}

#[test]
fn a_remembered_signature_is_not_verified_again_and_an_altered_file_is_ignored() {
    let dir = repo();
    let cache = tempfile::tempdir().expect("tempdir");
    // The review now claims another digest: its signature does not verify over it (AG041),
    // and the digest is not the manifest's (AG042).
    let (signature, digest) = review(dir.path());
    let other = format!("sha256:{}", "0".repeat(64));
    let text = std::fs::read_to_string(dir.path().join(A)).unwrap();
    write(dir.path(), A, text.replace(&digest, &other));
    let refused = check(dir.path(), cache.path(), &[]);
    let found = rules(&refused);
    assert!(found.contains(&"AG041".to_string()), "{}", refused.stdout);
    assert!(found.contains(&"AG042".to_string()), "{}", refused.stdout);
    assert!(
        SignatureCache::at(cache.path()).load().is_empty(),
        "a failure is not remembered"
    );
    // Remembered as verified (a forged entry): the run skips the check, and only the check.
    SignatureCache::at(cache.path()).store(&[key(&signature, &other)]);
    let served = check(dir.path(), cache.path(), &[]);
    let found = rules(&served);
    assert!(!found.contains(&"AG041".to_string()), "{}", served.stdout);
    assert!(found.contains(&"AG042".to_string()), "{}", served.stdout);
    // An altered file is ignored: the signature is checked again, and refused.
    let file = cache.path().join("signatures/v1/verified.bin");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[3] ^= 1;
    std::fs::write(&file, &bytes).unwrap();
    let checked = check(dir.path(), cache.path(), &[]);
    assert!(
        rules(&checked).contains(&"AG041".to_string()),
        "{}",
        checked.stdout
    );
}
