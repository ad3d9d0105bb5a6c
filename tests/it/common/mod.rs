//! Shared helpers: run the real binary, make real git repositories, copy fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

pub mod results;
pub mod signing;

pub const TODAY: &str = "2026-11-23";

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", self.stdout, self.stderr))
    }
}

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn agentgate(dir: &Path, args: &[&str]) -> Run {
    agentgate_with_env(dir, args, &[])
}

/// The binary with extra environment variables (a pack cache of the test's own, say).
pub fn agentgate_with_env(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Run {
    // A cache of this run's own (the result cache, the pack cache), never the user's: a test
    // that means to share one passes AGENTGATE_CACHE itself.
    let cache = tempfile::tempdir().expect("a cache folder");
    let output = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("AGENTGATE_CACHE", cache.path())
        .env_remove("AGENTGATE_ENGINE")
        .env_remove("GITHUB_STEP_SUMMARY")
        .envs(env.iter().copied())
        .output()
        .expect("the agentgate binary runs");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "agentgate panicked:\n{}",
        run.stderr
    );
    run
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy fixture");
        }
    }
}

pub fn write(dir: &Path, relative: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().expect("has parent")).expect("mkdir");
    std::fs::write(path, content).expect("write file");
}

/// A real git repository with everything in `dir` committed.
pub fn git_commit_all(dir: &Path, message: &str) -> git2::Repository {
    let repo = git2::Repository::open(dir)
        .or_else(|_| git2::Repository::init(dir))
        .expect("git init");
    {
        let mut index = repo.index().expect("index");
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .expect("git add");
        index.write().expect("write index");
        let tree_id = index.write_tree().expect("tree");
        let tree = repo.find_tree(tree_id).expect("find tree");
        let signature = git2::Signature::now("Test", "test@example.com").expect("signature");
        let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(
            Some("HEAD"),
            &signature,
            &signature,
            message,
            &tree,
            &parents,
        )
        .expect("commit");
    }
    repo
}

pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// (rule, file) of every finding of a JSON report, sorted.
pub fn rule_file_pairs(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = findings(json)
        .into_iter()
        .map(|(rule, file, _)| (rule, file))
        .collect();
    out.sort();
    out
}

pub fn findings(json: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = json["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["file"].as_str().unwrap_or_default().to_string(),
                f["path"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A YAML file of one document (the action, the hook definitions), read with agentgate's own
/// YAML 1.2 reader, as JSON.
pub fn read_yaml(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let source =
        agentgate::source::SourceFile::new(path.to_path_buf(), path.display().to_string(), text);
    let mut documents = agentgate::yaml::parse(&source, agentgate::yaml::Limits::default())
        .unwrap_or_else(|e| panic!("{} is not valid YAML: {e:?}", path.display()));
    assert_eq!(documents.len(), 1, "{} holds one document", path.display());
    documents.remove(0).value
}

/// The test-only reviewer key of `testdata/keys` (its private half is committed on purpose).
pub fn test_signing_key() -> ssh_key::PrivateKey {
    let text = std::fs::read_to_string(crate_dir().join("testdata/keys/test-reviewer"))
        .expect("testdata/keys/test-reviewer");
    ssh_key::PrivateKey::from_openssh(text).expect("the test key reads")
}

/// The placeholder a fixture's review carries instead of a signature (`signature:
/// SIGN-AT-TEST-TIME`, and no digest): the tests sign it with the test-only key on a copy
/// ([`copy_fixture`], [`read_fixture`]), so that editing a fixture never means signing it again.
pub const SIGN_AT_TEST_TIME: &str = "SIGN-AT-TEST-TIME";

/// `text` with the review of each of its manifest documents signed by the test-only key, as
/// `agentgate review sign` writes it, keeping the reviewer and date it has. Sign the final text:
/// any later edit makes the review stale (AG042).
pub fn signed(text: &str) -> String {
    sign_reviews(text, false)
}

/// `text` with each review that carries `signature: SIGN-AT-TEST-TIME` signed by the test-only
/// key (reviewer, date and any other fields kept); everything else byte for byte as it was.
pub fn sign_placeholders(text: &str) -> String {
    if !text.contains(SIGN_AT_TEST_TIME) {
        return text.to_string();
    }
    sign_reviews(text, true)
}

/// A fixture file's text with its placeholder reviews signed ([`sign_placeholders`]).
pub fn read_fixture(path: &Path) -> String {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    sign_placeholders(&text)
}

/// [`copy_dir`], then the placeholder reviews of the copied YAML files signed
/// ([`sign_in_place`]).
pub fn copy_fixture(from: &Path, to: &Path) {
    copy_dir(from, to);
    for file in walk(to) {
        sign_in_place(&file);
    }
}

/// Signs the placeholder reviews of a copied YAML file where it is ([`sign_placeholders`]);
/// any other file (not YAML, not UTF-8, no placeholder) is left as it is.
pub fn sign_in_place(file: &Path) {
    let name = file.to_string_lossy();
    if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
        return;
    }
    let Ok(text) = std::fs::read_to_string(file) else {
        return;
    };
    if text.contains(SIGN_AT_TEST_TIME) {
        std::fs::write(file, sign_placeholders(&text)).expect("write the signed fixture");
    }
}

/// Signs the reviews of `text`: every review with a reviewer and a date, or (`placeholders_only`)
/// those whose signature is [`SIGN_AT_TEST_TIME`], which must have both.
fn sign_reviews(text: &str, placeholders_only: bool) -> String {
    use agentgate::review::edit::{write_review, ReviewBlock};
    use serde_json::Value;
    let key = test_signing_key();
    let mut text = text.to_string();
    let count = read_documents(&text).len();
    for index in 0..count {
        let mut document = read_documents(&text).remove(index);
        let Some(review) = document
            .pointer("/spec/review")
            .and_then(Value::as_object)
            .cloned()
        else {
            continue;
        };
        let field = |name: &str| review.get(name).and_then(Value::as_str).map(str::to_string);
        let placeholder = field("signature").as_deref() == Some(SIGN_AT_TEST_TIME);
        if placeholders_only && !placeholder {
            continue;
        }
        let (Some(reviewer), Some(date)) = (field("reviewer"), field("date")) else {
            assert!(
                !placeholder,
                "a review with `signature: {SIGN_AT_TEST_TIME}` needs a reviewer and a date:\n{text}"
            );
            continue;
        };
        let extra: Vec<(String, Value)> = review
            .iter()
            .filter(|(k, _)| !["reviewer", "date", "digest", "signature"].contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let mut block = ReviewBlock {
            reviewer,
            date,
            digest: String::new(),
            signature: String::new(),
            extra,
        };
        document["spec"]["review"] = block.value();
        block.digest = agentgate::digest::digest(&document);
        block.signature = key
            .sign(
                agentgate::review::NAMESPACE,
                ssh_key::HashAlg::Sha512,
                block.digest.as_bytes(),
            )
            .and_then(|sig| sig.to_pem(ssh_key::LineEnding::LF))
            .expect("the test key signs");
        let source = agentgate::source::SourceFile::new("m".into(), "m".into(), text.as_str());
        text = write_review(&source, index, &block).expect("the review block is written");
    }
    text
}

pub fn read_documents(text: &str) -> Vec<serde_json::Value> {
    let source = agentgate::source::SourceFile::new("m".into(), "m".into(), text);
    agentgate::yaml::parse(&source, agentgate::yaml::Limits::default())
        .map(|documents| documents.into_iter().map(|d| d.value).collect())
        .unwrap_or_default()
}

/// Makes `dir` trust the test-only key for every `@example.com` reviewer: writes
/// `allowed_signers` and points `settings.allowedSigners` in `.agentgate.yaml` at it (creating
/// the configuration when there is none; call it after writing your own; calling it again does
/// nothing).
pub fn trust_test_key(dir: &Path) {
    std::fs::copy(
        crate_dir().join("testdata/keys/allowed_signers"),
        dir.join("allowed_signers"),
    )
    .expect("copy allowed_signers");
    let config = dir.join(".agentgate.yaml");
    let text = std::fs::read_to_string(&config).unwrap_or_else(|_| "version: 1\n".into());
    if text.contains("\n  allowedSigners: allowed_signers\n") {
        return;
    }
    let text = if text.lines().any(|l| l == "settings:") {
        text.replacen(
            "\nsettings:\n",
            "\nsettings:\n  allowedSigners: allowed_signers\n",
            1,
        )
    } else {
        format!(
            "{}settings:\n  allowedSigners: allowed_signers\n",
            if text.ends_with('\n') {
                text.clone()
            } else {
                format!("{text}\n")
            }
        )
    };
    std::fs::write(config, text).expect("write .agentgate.yaml");
}

/// A manifest for agent `name` that breaks no rule on day `today` (days since 1970-01-01): it was
/// reviewed 21 days before and expires 189 days after. Its review is signed by the test-only
/// key: check it in a repository that trusts it ([`trust_test_key`]).
pub fn compliant_manifest(name: &str, today: i64) -> String {
    signed(&unsigned_compliant_manifest(name, today))
}

/// The compliant manifest before its review is signed.
pub fn unsigned_compliant_manifest(name: &str, today: i64) -> String {
    let reviewed = agentgate::units::format_date(today - 21);
    let expires = agentgate::units::format_date(today + 189);
    format!(
        r#"apiVersion: agentgate/v1
kind: Agent
metadata:
  name: {name}
  description: Reconciles payouts against the ledger every night
spec:
  purpose: Compares nightly payout files with ledger entries and opens a ticket on mismatch.
  owner: {{name: Jane Doe, email: jane.doe@example.com, team: finance-eng}}
  backupOwner: {{name: Raj Patel, email: raj.patel@example.com}}
  lifecycle: {{status: active, expires: {expires}}}
  identity: {{type: workload, id: "spiffe://example.org/ns/finance/sa/{name}"}}
  permissions:
    - resource: postgres://ledger/public.payouts
      actions: [read]
      justification: Reads payout rows to compare with the ledger
      dataClasses: [financial]
    - resource: jira://FIN
      actions: [create]
      justification: Opens a ticket for each mismatch
      approval: human
  credentials:
    - {{name: ledger-db, type: federated, ttl: 1h, rotation: automatic, shared: false}}
  blastRadius:
    worstCase: Could read every payout row; cannot write to the ledger or move money
    dataClasses: [financial]
    reversible: true
    externalReach: false
  baseline: {{schedule: "0 2 * * *", maxActionsPerHour: 500}}
  audit: {{logSink: "siem://splunk/agents"}}
  review: {{reviewer: sec-review@example.com, date: {reviewed}}}
"#
    )
}

/// The same manifest with a wildcard action: AG011 wildcard-grant (and AG013 approval-missing)
/// at line 14.
pub fn wildcard_manifest(name: &str, today: i64) -> String {
    signed(
        &unsigned_compliant_manifest(name, today)
            .replace("actions: [read]", r#"actions: [read, "*"]"#),
    )
}

/// The same manifest without `spec.baseline`: only the warning AG061 baseline-missing.
pub fn warning_only_manifest(name: &str, today: i64) -> String {
    signed(
        &unsigned_compliant_manifest(name, today)
            .lines()
            .filter(|line| !line.trim_start().starts_with("baseline:"))
            .map(|line| format!("{line}\n"))
            .collect::<String>(),
    )
}

/// Says that a test (or part of one) was skipped, and why: `SKIPPED: REASON` written to the
/// process's stderr itself, not through `eprintln!`, which the test harness captures and shows
/// only for failing tests; so the note reaches the terminal of `cargo test` (and a CI log) even
/// when the test passes. Tests call it only where CI (`.ci/run`) would make them fail instead.
pub fn skip(reason: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "SKIPPED: {reason}");
    let _ = stderr.flush();
}

/// Where `program` is on PATH, if it is.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// `testdata/rules` copied to `rules/` of a temporary folder, placeholder reviews signed
/// ([`copy_fixture`]), with `config/.agentgate.yaml` beside it: the configuration for the fixtures
/// that have none of their own, trusting the test-only key as `testdata/keys/allowed_signers`
/// says. A fixture with a configuration of its own is self-contained.
pub struct RuleFixtures {
    pub dir: tempfile::TempDir,
}

impl RuleFixtures {
    pub fn new() -> RuleFixtures {
        let dir = tempfile::tempdir().expect("tempdir");
        copy_fixture(
            &crate_dir().join("testdata/rules"),
            &dir.path().join("rules"),
        );
        let signers = crate_dir().join("testdata/keys/allowed_signers");
        write(
            dir.path(),
            "config/.agentgate.yaml",
            format!(
                "version: 1\nsettings:\n  allowedSigners: {}\n",
                serde_json::to_string(&signers.display().to_string()).expect("a path")
            ),
        );
        RuleFixtures { dir }
    }

    /// The copy of `testdata/rules`.
    pub fn rules(&self) -> PathBuf {
        self.dir.path().join("rules")
    }

    /// The configuration for fixtures without one of their own.
    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config/.agentgate.yaml")
    }

    /// `agentgate test --fixtures rules --config … --today TODAY`, run in the temporary folder:
    /// the product's own check that each fixture's findings are exactly its `# expect:` lines.
    pub fn test(&self) -> Run {
        let config = self.config().display().to_string();
        agentgate(
            self.dir.path(),
            &[
                "test",
                "--fixtures",
                "rules",
                "--config",
                &config,
                "--today",
                TODAY,
            ],
        )
    }

    /// `agentgate check` on one fixture folder (`AG011/fail`) in `format`, with the fixture's
    /// configuration, or else the one that trusts the test-only key.
    ///
    /// The fixture folder is the repository: `--config FILE` would make the configuration's
    /// folder the root, so a fixture without a configuration of its own gets a copy of the
    /// shared one (its `allowedSigners` is an absolute path).
    pub fn check(&self, fixture: &str, format: &str) -> Run {
        let dir = self.rules().join(fixture);
        let own = dir.join(".agentgate.yaml");
        if !own.is_file() {
            std::fs::copy(self.config(), &own).expect("copy the shared configuration");
        }
        agentgate(&dir, &["check", ".", "--format", format, "--today", TODAY])
    }
}

/// Days since 1970-01-01 of [`TODAY`].
pub fn today() -> i64 {
    agentgate::units::parse_date(TODAY).expect("TODAY is a date")
}

/// The git CLI in `dir`, with an identity and no system or global configuration.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .args(["-c", "user.name=Test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .output()
        .expect("git runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "git {args:?} failed:\n{text}");
    text
}

pub fn head(dir: &Path) -> String {
    git(dir, &["rev-parse", "HEAD"]).trim().to_string()
}

pub fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--format", "json", "--today", TODAY];
    args.extend_from_slice(extra);
    agentgate(dir, &args)
}
