//! Attacks on the review requirement, end to end on the real binary with real git history and
//! real `ssh-keygen` keys: the pull-request author controls every file of the pull request
//! (manifests, review dates), the security team controls the base's configuration and
//! allowed_signers, and CI runs `agentgate check --changed-since BASE`.

use std::path::Path;

use crate::common::signing;
use crate::common::*;

const FILE: &str = "agents/billing.agent.yaml";

fn date(offset: i64) -> String {
    agentgate::units::format_date(today() + offset)
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--today", TODAY, "--format", "json"];
    args.extend_from_slice(extra);
    agentgate(dir, &args)
}

fn rules_at(run: &Run) -> Vec<(String, String)> {
    findings(&run.json())
        .into_iter()
        .map(|(rule, _, path)| (rule, path))
        .collect()
}

fn messages(run: &Run, rule: &str) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| f["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// A repository with the compliant, signed billing manifest committed as the base; returns the
/// base commit id.
fn base_repo(dir: &Path, manifest: &str) -> String {
    write(dir, FILE, manifest);
    trust_test_key(dir);
    git_commit_all(dir, "base")
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string()
}

/// `manifest` without its `review:` line (the compliant manifest keeps it on one line).
fn without_review(manifest: &str) -> String {
    manifest
        .lines()
        .filter(|l| !l.trim_start().starts_with("review:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

const WRITE_GRANT: &str = "    - resource: postgres://ledger/public.payouts\n      actions: [write, delete]\n      justification: Corrects payout rows\n      approval: human\n      dataClasses: [financial]\n  credentials:\n";

// Item 5: a status other than `active` must not drop the review requirement.
#[test]
fn attack_deprecated_status_with_new_access_and_no_review_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, &compliant_manifest("billing", today()));
    let attack = without_review(&unsigned_compliant_manifest("billing", today()))
        .replace("status: active", "status: deprecated")
        .replace("  credentials:\n", WRITE_GRANT)
        .replace(
            "spiffe://example.org/ns/finance/sa/billing",
            "system:serviceaccount:kube-system:cluster-admin",
        );
    write(dir, FILE, &attack);

    let run = check(dir, &["--changed-since", &base]);
    assert!(
        rules_at(&run).contains(&("AG040".into(), "/spec/review".into())),
        "a deprecated agent that holds access needs a review:\n{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    // A proposed agent with access needs one too; a proposed agent with no access does not.
    write(
        dir,
        FILE,
        attack.replace("status: deprecated", "status: proposed"),
    );
    let run = check(dir, &["--changed-since", &base]);
    assert!(rules_at(&run).contains(&("AG040".into(), "/spec/review".into())));

    // The diff names every change that matters to a reviewer, not "no change to access".
    write(dir, FILE, &attack);
    let run = agentgate(dir, &["diff", "--base", &base, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let changes: Vec<(String, String)> = run.json()["agents"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["direction"].as_str().unwrap().to_string(),
                c["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |direction: &str, start: &str| {
        changes
            .iter()
            .any(|(d, t)| d == direction && t.starts_with(start))
    };
    assert!(
        has("escalation", "identity id: spiffe://example.org/ns/finance/sa/billing → system:serviceaccount:kube-system:cluster-admin"),
        "{changes:?}"
    );
    assert!(
        has("escalation", "+write on postgres://ledger/public.payouts"),
        "{changes:?}"
    );
    assert!(
        has("change", "lifecycle status: active → deprecated"),
        "{changes:?}"
    );
    assert!(has("escalation", "review removed"), "{changes:?}");
    assert!(
        !changes
            .iter()
            .any(|(_, t)| t.contains("no change to access")),
        "{changes:?}"
    );
}

#[test]
fn attack_diff_reports_expiry_blast_radius_sources_and_reactivation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let before = unsigned_compliant_manifest("billing", today())
        .replace("status: active", "status: retired")
        + "  sources: [services/billing/**]\n";
    let base = base_repo(dir, &before);
    let after = before
        .replace("status: retired", "status: active")
        .replace(
            &format!("expires: {}", date(189)),
            &format!("expires: {}", date(400)),
        )
        .replace("reversible: true", "reversible: false")
        .replace("externalReach: false", "externalReach: true")
        .replace("services/billing/**", "services/**");
    write(dir, FILE, after);
    let run = agentgate(dir, &["diff", "--base", &base]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for line in [
        "▲ escalation   lifecycle status: retired → active",
        &format!(
            "▲ escalation   lifecycle expires: {} → {}",
            date(189),
            date(400)
        ),
        "▲ escalation   blast radius reversible: true → false",
        "▲ escalation   blast radius externalReach: false → true",
        "▲ escalation   +source services/**",
        "▼ reduction    -source services/billing/**",
    ] {
        assert!(run.stdout.contains(line), "no {line:?} in\n{}", run.stdout);
    }
}

/// allowed_signers trusting the test-only key for every example.com reviewer, and `key` for
/// `principals` with `options` (written before the key).
fn trust_also(dir: &Path, principals: &str, options: &str, key: &Path) {
    trust_test_key(dir);
    let mut text = std::fs::read_to_string(dir.join("allowed_signers")).unwrap();
    text.push_str(&format!(
        "{principals} {options}{}\n",
        signing::public_key(key)
    ));
    std::fs::write(dir.join("allowed_signers"), text).unwrap();
}

fn sign_with(dir: &Path, reviewer: &str, key: &Path, on: &str) {
    let run = agentgate(
        dir,
        &[
            "review",
            "sign",
            FILE,
            "--reviewer",
            reviewer,
            "--key",
            key.to_str().unwrap(),
            "--today",
            on,
        ],
    );
    assert_eq!(run.code, 0, "review sign: {}{}", run.stdout, run.stderr);
}

// Item 8: a key past its valid-before signs an escalation by choosing an old review date.
#[test]
fn attack_backdated_review_by_a_retired_key_fails_under_changed_since() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = tempfile::tempdir().unwrap();
    let retired = signing::keygen(keys.path(), "retired", "ed25519");
    write(dir, FILE, compliant_manifest("billing", today()));
    trust_also(
        dir,
        "former-reviewer@corp.example.org",
        "valid-before=\"20260601Z\" ",
        &retired,
    );
    let base = git_commit_all(dir, "base")
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    // Widen the agent, then sign as the retired reviewer, dated before the key was retired.
    let widened =
        unsigned_compliant_manifest("billing", today()).replace("  credentials:\n", WRITE_GRANT);
    write(dir, FILE, widened);
    sign_with(
        dir,
        "former-reviewer@corp.example.org",
        &retired,
        "2026-05-30",
    );

    let run = check(dir, &["--changed-since", &base]);
    assert!(
        rules_at(&run).contains(&("AG041".into(), "/spec/review/signature".into())),
        "a review added by the change is judged at today's key validity:\n{}",
        run.stdout
    );
    assert!(
        messages(&run, "AG041")
            .iter()
            .any(|m| m.starts_with("key outside its validity window: ")),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    // `--staged` has a base too (HEAD).
    let repo = git2::Repository::open(dir).unwrap();
    let mut index = repo.index().unwrap();
    index.add_path(Path::new(FILE)).unwrap();
    index.write().unwrap();
    let run = check(dir, &["--staged"]);
    assert!(
        rules_at(&run).contains(&("AG041".into(), "/spec/review/signature".into())),
        "{}",
        run.stdout
    );
    // A full run has no base: the review is judged at its date, as before (documented).
    let run = check(dir, &[]);
    assert!(
        !rules_at(&run).iter().any(|(r, _)| r == "AG041"),
        "{}",
        run.stdout
    );
}

#[test]
fn attack_backdated_review_by_a_valid_key_is_ag041_backdated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let base = base_repo(dir, &compliant_manifest("billing", today()));
    let widened = unsigned_compliant_manifest("billing", today())
        .replace("  credentials:\n", WRITE_GRANT)
        .replace(
            &format!("date: {}", date(-21)),
            &format!("date: {}", date(-30)),
        );
    write(dir, FILE, signed(&widened));

    let run = check(dir, &["--changed-since", &base]);
    assert!(
        rules_at(&run).contains(&("AG041".into(), "/spec/review/signature".into())),
        "{}",
        run.stdout
    );
    let ag041 = messages(&run, "AG041");
    assert!(
        ag041.iter().any(|m| m.starts_with("backdated: ")),
        "{ag041:?}"
    );
    assert_eq!(run.code, 1);
    // Dated within settings.maxReviewBackdate (default 7d) of today: fine.
    write(
        dir,
        FILE,
        signed(&widened.replace(
            &format!("date: {}", date(-30)),
            &format!("date: {}", date(-7)),
        )),
    );
    let run = check(dir, &["--changed-since", &base]);
    assert_eq!(rules_at(&run), vec![], "{}", run.stdout);
    assert_eq!(run.code, 0);
    // The security team may allow more.
    write(dir, FILE, signed(&widened));
    let config = std::fs::read_to_string(dir.join(".agentgate.yaml")).unwrap();
    write(
        dir,
        ".agentgate.yaml",
        config.replace("settings:\n", "settings:\n  maxReviewBackdate: 45d\n"),
    );
    let run = check(dir, &["--changed-since", &base]);
    assert!(
        !rules_at(&run).iter().any(|(r, _)| r == "AG041"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_review_already_on_the_base_keeps_its_date_semantics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = tempfile::tempdir().unwrap();
    let retired = signing::keygen(keys.path(), "retired", "ed25519");
    // Reviewed 2026-05-30 by a key retired on 2026-06-01: valid on its date, and on the base.
    write(dir, FILE, unsigned_compliant_manifest("billing", today()));
    trust_also(
        dir,
        "former-reviewer@corp.example.org",
        "valid-before=\"20260601Z\" ",
        &retired,
    );
    sign_with(
        dir,
        "former-reviewer@corp.example.org",
        &retired,
        "2026-05-30",
    );
    let base = git_commit_all(dir, "base")
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    // The change touches only a comment: the review is the base's, judged as before.
    let text = std::fs::read_to_string(dir.join(FILE)).unwrap();
    write(dir, FILE, format!("# billing\n{text}"));
    let run = check(dir, &["--changed-since", &base]);
    assert_eq!(rules_at(&run), vec![], "{}", run.stdout);
    assert_eq!(run.code, 0);
}

// Item 9: restoring a superseded, once-signed version.
#[test]
fn attack_rollback_to_a_superseded_review_is_ag042() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let widened = unsigned_compliant_manifest("billing", today())
        .replace("  credentials:\n", WRITE_GRANT)
        .replace(
            &format!("date: {}", date(-21)),
            &format!("date: {}", date(-40)),
        );
    let v1 = signed(&widened);
    write(dir, FILE, &v1);
    trust_test_key(dir);
    git_commit_all(dir, "v1: write access, reviewed");
    // The security team narrows the agent and signs the new version.
    let v2 = compliant_manifest("billing", today());
    write(dir, FILE, &v2);
    let base = git_commit_all(dir, "v2: write access removed, reviewed")
        .head()
        .unwrap()
        .target()
        .unwrap()
        .to_string();
    // The pull request restores v1 byte for byte.
    write(dir, FILE, &v1);
    let run = check(dir, &["--changed-since", &base]);
    assert!(
        rules_at(&run).contains(&("AG042".into(), "/spec/review/date".into())),
        "{}",
        run.stdout
    );
    assert!(
        messages(&run, "AG042")
            .iter()
            .any(|m| m.contains("superseded")),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
}

// Item 11: the owner's and the reviewer's emails are two principals of one key.
#[test]
fn attack_self_approval_through_a_key_alias_is_ag044() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys = tempfile::tempdir().unwrap();
    let jane = signing::keygen(keys.path(), "jane", "ed25519");
    write(dir, FILE, unsigned_compliant_manifest("billing", today()));
    std::fs::write(
        dir.join("allowed_signers"),
        format!(
            "jane.doe@example.com,sec-review@example.com {}\n",
            signing::public_key(&jane)
        ),
    )
    .unwrap();
    write(
        dir,
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    sign_with(dir, "sec-review@example.com", &jane, &date(-21));
    let run = check(dir, &[]);
    assert!(
        rules_at(&run).contains(&("AG044".into(), "/spec/review/reviewer".into())),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1);
    // The backup owner's alias too.
    std::fs::write(
        dir.join("allowed_signers"),
        format!(
            "RAJ.PATEL@example.com,sec-review@example.com {}\n",
            signing::public_key(&jane)
        ),
    )
    .unwrap();
    let run = check(dir, &[]);
    assert!(
        messages(&run, "AG044")
            .iter()
            .any(|m| m.contains("backup owner")),
        "{}",
        run.stdout
    );
    // A key whose only principal is the reviewer is independent.
    std::fs::write(
        dir.join("allowed_signers"),
        format!("sec-review@example.com {}\n", signing::public_key(&jane)),
    )
    .unwrap();
    let run = check(dir, &[]);
    assert_eq!(rules_at(&run), vec![], "{}", run.stdout);
}
