//! The pre-commit hook (`.pre-commit-hooks.yaml`), end to end with the real `pre-commit` tool in
//! a temporary git repository. The published hook is `language: rust` (pre-commit would build
//! agentgate from source); the test runs the same hook as a `repo: local`, `language: system`
//! hook whose entry is the binary under test, with `files`, `require_serial`, `pass_filenames`
//! and the entry's arguments read from `.pre-commit-hooks.yaml`, so the two cannot drift.
//!
//! Without `pre-commit` on PATH these tests skip with a message, unless
//! `AGENTGATE_REQUIRE_PRE_COMMIT` is set (as `.ci/run` does), when they fail instead.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};

use crate::common::*;

/// Every file agentgate reads: manifests (all `.yaml`/`.yml`), JSON and YAML that may configure
/// an MCP server or hold an agent card, agent code and `.env` files (discovery and AG101).
const FILES: &str = r"(?i)\.(json|ya?ml|py|[cm]?[jt]sx?|go)$|(^|/)\.env(\.[^/]*)?$";

pub(crate) fn published_hook() -> Value {
    let hooks = read_yaml(&crate_dir().join(".pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().expect("a list of hooks");
    assert_eq!(hooks.len(), 1, "one hook");
    hooks[0].clone()
}

#[test]
fn the_published_hook_builds_agentgate_and_runs_it_on_manifests_and_footprints() {
    let hook = published_hook();
    assert_eq!(hook["id"], "agentgate-rust");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["entry"], "agentgate check");
    assert_eq!(hook["files"], FILES);
    assert_eq!(hook["require_serial"], true);
    assert_eq!(hook["pass_filenames"], true);
}

pub(crate) fn pre_commit() -> Option<PathBuf> {
    if let Some(found) = find_on_path("pre-commit") {
        return Some(found);
    }
    assert!(
        std::env::var_os("AGENTGATE_REQUIRE_PRE_COMMIT").is_none(),
        "AGENTGATE_REQUIRE_PRE_COMMIT is set but pre-commit is not on PATH"
    );
    crate::common::skip(
        "pre-commit missing: the pre-commit hook tests did not run (`pip install pre-commit`; \
         .ci/run installs it)",
    );
    None
}

fn shell_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The published hook as a local hook running the binary under test.
pub(crate) fn local_hook(extra: Value) -> Value {
    let published = published_hook();
    let entry = published["entry"].as_str().expect("entry");
    let arguments = entry
        .strip_prefix("agentgate")
        .expect("the entry runs agentgate");
    let mut hook = json!({
        "id": "agentgate",
        "name": "agentgate",
        "language": "system",
        "entry": format!(
            "{}{arguments}",
            shell_quote(Path::new(env!("CARGO_BIN_EXE_agentgate")))
        ),
        "files": published["files"],
        "require_serial": published["require_serial"],
        "pass_filenames": published["pass_filenames"],
        "args": ["--today", TODAY],
    });
    for (key, value) in extra.as_object().expect("object") {
        hook[key] = value.clone();
    }
    hook
}

/// A temporary git repository with pre-commit configured and a private HOME.
pub(crate) struct Repo {
    dir: tempfile::TempDir,
    pre_commit: PathBuf,
}

impl Repo {
    pub(crate) fn new(pre_commit: PathBuf, hooks: Vec<Value>) -> Repo {
        Repo::with_repos(pre_commit, json!([{"repo": "local", "hooks": hooks}]))
    }

    /// A repository whose `.pre-commit-config.yaml` lists `repos` (a JSON array).
    pub(crate) fn with_repos(pre_commit: PathBuf, repos: Value) -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home")).expect("home");
        std::fs::create_dir_all(dir.path().join("repo")).expect("repo");
        let repo = Repo { dir, pre_commit };
        repo.ok(repo.git(&["init", "-q", "-b", "main"]));
        // YAML is a superset of JSON.
        let config = json!({ "repos": repos });
        write(
            &repo.root(),
            ".pre-commit-config.yaml",
            serde_json::to_string_pretty(&config).expect("config"),
        );
        // The manifests' reviews are signed by the test-only key; the repository trusts it.
        trust_test_key(&repo.root());
        repo.ok(repo.git(&[
            "add",
            ".pre-commit-config.yaml",
            ".agentgate.yaml",
            "allowed_signers",
        ]));
        repo.ok(repo.git(&["commit", "-q", "-m", "pre-commit configuration"]));
        repo
    }

    pub(crate) fn root(&self) -> PathBuf {
        self.dir.path().join("repo")
    }

    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(self.root())
            .env("HOME", self.dir.path().join("home"))
            .env("PRE_COMMIT_HOME", self.dir.path().join("pre-commit-cache"))
            .env("XDG_CACHE_HOME", self.dir.path().join("cache"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("NO_COLOR", "1")
            .env("PRE_COMMIT_COLOR", "never")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .env_remove("GIT_INDEX_FILE")
            .env_remove("GITHUB_STEP_SUMMARY");
        command
    }

    pub(crate) fn git(&self, args: &[&str]) -> Output {
        self.command(Path::new("git"))
            .args(args)
            .output()
            .expect("git runs")
    }

    pub(crate) fn pre_commit(&self, args: &[&str]) -> Output {
        self.pre_commit_with_env(args, &[])
    }

    /// pre-commit with extra environment variables (pip's, say).
    pub(crate) fn pre_commit_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.command(&self.pre_commit.clone())
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("pre-commit runs")
    }

    /// The folder holding the repository, its private HOME and pre-commit's cache.
    pub(crate) fn base(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn ok(&self, output: Output) -> String {
        let text = text(&output);
        assert!(output.status.success(), "command failed:\n{text}");
        text
    }

    fn commits(&self) -> usize {
        self.ok(self.git(&["rev-list", "--count", "HEAD"]))
            .trim()
            .parse()
            .expect("a count")
    }

    pub(crate) fn stage(&self, relative: &str, content: &str) {
        write(&self.root(), relative, content);
        self.ok(self.git(&["add", "--", relative]));
    }

    /// `git commit`, which runs the installed hook.
    pub(crate) fn commit(&self, message: &str) -> (bool, String) {
        let output = self.git(&["commit", "-m", message]);
        (output.status.success(), text(&output))
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_hook_blocks_a_bad_manifest_passes_good_ones_and_takes_two_at_once() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let repo = Repo::new(pre_commit, vec![local_hook(json!({}))]);
    repo.ok(repo.pre_commit(&["install"]));
    assert_eq!(repo.commits(), 1);

    // A good manifest passes.
    repo.stage(
        "agents/billing.agent.yaml",
        &compliant_manifest("billing-reconciler", today()),
    );
    let (committed, out) = repo.commit("billing agent");
    assert!(committed, "a good manifest is committed:\n{out}");
    assert!(out.contains("agentgate") && out.contains("Passed"), "{out}");
    assert_eq!(repo.commits(), 2);

    // A bad manifest blocks the commit.
    repo.stage(
        "services/payments/agent.yaml",
        &wildcard_manifest("payout-fixer", today()),
    );
    let (committed, out) = repo.commit("payments agent");
    assert!(!committed, "a bad manifest blocks the commit:\n{out}");
    assert!(out.contains("Failed"), "{out}");
    assert!(out.contains("AG011"), "{out}");
    assert!(out.contains("services/payments/agent.yaml"), "{out}");
    assert_eq!(repo.commits(), 2);

    // Two bad manifests at once: both are passed to one run and both are reported.
    repo.stage(
        ".agents/reporter.yaml",
        &wildcard_manifest("nightly-reporter", today()),
    );
    let (committed, out) = repo.commit("two agents");
    assert!(!committed, "{out}");
    assert!(out.contains("services/payments/agent.yaml"), "{out}");
    assert!(out.contains(".agents/reporter.yaml"), "{out}");
    assert_eq!(repo.commits(), 2);

    // Both fixed: the two manifests are committed together.
    repo.stage(
        "services/payments/agent.yaml",
        &compliant_manifest("payout-fixer", today()),
    );
    repo.stage(
        ".agents/reporter.yaml",
        &compliant_manifest("nightly-reporter", today()),
    );
    let (committed, out) = repo.commit("two agents");
    assert!(
        committed,
        "two good manifests are committed together:\n{out}"
    );
    assert_eq!(repo.commits(), 3);
    let files = repo.ok(repo.git(&["show", "--name-only", "--format=", "HEAD"]));
    assert_eq!(
        files.lines().collect::<Vec<_>>(),
        [".agents/reporter.yaml", "services/payments/agent.yaml"]
    );

    // A commit without manifests skips the hook.
    repo.stage("README.md", "# agents\n");
    let (committed, out) = repo.commit("readme");
    assert!(committed, "{out}");
    assert!(out.contains("(no files to check)Skipped"), "{out}");
    assert_eq!(repo.commits(), 4);

    // Only the staged file is reported, but the inventory is the whole repository: a staged
    // manifest reusing a committed agent's name is a duplicate.
    repo.stage(
        "agents/zz-copy.agent.yaml",
        &compliant_manifest("billing-reconciler", today()),
    );
    let (committed, out) = repo.commit("copy");
    assert!(!committed, "{out}");
    assert!(out.contains("AG080"), "{out}");
    assert!(out.contains("agents/zz-copy.agent.yaml"), "{out}");
    assert_eq!(repo.commits(), 4);
}

#[test]
fn the_files_pattern_selects_manifest_places_and_every_file_discovery_reads() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    // A probe hook with the published `files` and `pass_filenames` that prints what it is given.
    let published = published_hook();
    let probe = json!({
        "id": "probe",
        "name": "probe",
        "language": "system",
        "entry": "echo",
        "files": published["files"],
        "pass_filenames": published["pass_filenames"],
        "require_serial": published["require_serial"],
        "verbose": true,
    });
    let repo = Repo::new(pre_commit, vec![probe]);
    let places = [
        "agent.yaml",
        "agent.yml",
        "services/billing/agent.yaml",
        "x.agent.yaml",
        "deep/er/y.agent.yml",
        ".agents/one.yaml",
        ".agents/deep/two.yml",
        "services/.agents/three.yaml",
        // Names match in any case, as on macOS and Windows checkouts.
        "svc/AGENT.yml",
        "z.Agent.yaml",
        ".agents/five.YAML",
        ".Agents/six.yml",
    ];
    // Not manifest places, but files discovery reads for footprints and secrets: the hook
    // passes them too (the run checks them for AG100 and AG101, not as manifests).
    let footprints = [
        "agents.yaml",
        "my-agent.yaml",
        "superagent.yaml",
        "x.agent.json",
        "agents/plain.yaml",
        "my.agents/four.yaml",
        "x.agent.JSON",
        ".mcp.json",
        "services/bot/main.py",
        "web/src/index.TS",
        "web/src/chat.mjs",
        "cmd/bot/main.go",
        ".env",
        "services/bot/.ENV.local",
    ];
    let elsewhere = [
        "agent.yaml.bak",
        ".agents/notes.md",
        "README.md",
        "services/bot/.envrc.example.txt",
    ];
    for (i, file) in places.iter().enumerate() {
        repo.stage(file, &compliant_manifest(&format!("agent-{i}"), today()));
    }
    for file in footprints.iter().chain(elsewhere.iter()) {
        repo.stage(file, "{}\n");
    }
    let output = repo.pre_commit(&["run", "--all-files"]);
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    let given: Vec<&str> = out.split_whitespace().collect();
    for file in places {
        assert!(given.contains(&file), "{file} is a manifest place:\n{out}");
    }
    for file in footprints {
        assert!(given.contains(&file), "{file} may hold a footprint:\n{out}");
    }
    for file in elsewhere {
        assert!(
            !given.contains(&file),
            "{file} is not a file agentgate reads:\n{out}"
        );
    }

    // agentgate's own discovery agrees.
    let run = agentgate(
        &repo.root(),
        &["check", "--today", TODAY, "--format", "json"],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.json()["summary"]["files"],
        places.len(),
        "{}",
        run.stdout
    );
}
