//! pre-commit without a Rust toolchain: the mirror hook repository (`pre-commit-mirror/`, as
//! ruff-pre-commit is for ruff) whose package depends on the `agentgate-cli` wheel, run by the
//! real pre-commit from a freshly generated mirror, with pip pointed at the wheel `.ci/run`
//! built (`PIP_FIND_LINKS`) and forbidden to build agentgate from source; and this repository's
//! own `agentgate-rust` hook (`language: rust`) by local path, whose cargo install reuses the
//! same release build.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{json, Value};

use crate::common::{self, compliant_manifest, crate_dir, read_yaml, today, wildcard_manifest};
use crate::first_hour::built_wheel;
use crate::precommit::{pre_commit, published_hook, Repo};

/// The mirror's hook definition (the template).
fn mirror_hook() -> Value {
    let hooks = read_yaml(&crate_dir().join("pre-commit-mirror/.pre-commit-hooks.yaml"));
    let hooks = hooks.as_array().expect("a list of hooks");
    assert_eq!(hooks.len(), 1, "one hook");
    hooks[0].clone()
}

/// The mirror runs exactly what this repository's hook runs, installed from the wheel.
#[test]
fn the_mirror_hook_is_the_rust_hook_installed_from_the_wheel() {
    let mirror = mirror_hook();
    let rust = published_hook();
    assert_eq!(mirror["id"], "agentgate");
    assert_eq!(mirror["language"], "python");
    for key in ["entry", "files", "require_serial", "pass_filenames"] {
        assert_eq!(mirror[key], rust[key], "{key}");
    }
    let template = std::fs::read_to_string(crate_dir().join("pre-commit-mirror/pyproject.toml"))
        .expect("the mirror's pyproject.toml");
    assert!(
        template.contains(r#"dependencies = ["agentgate-cli==@VERSION@"]"#),
        "{template}"
    );
}

/// Generates the mirror for Cargo.toml's version into `out` (a git repository tagged
/// vVERSION), with the template's own script.
fn generate_mirror(out: &Path) -> String {
    let output = Command::new(crate_dir().join("pre-commit-mirror/generate.sh"))
        .arg(out)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("generate.sh runs");
    assert!(
        output.status.success(),
        "generate.sh failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pyproject = std::fs::read_to_string(out.join("pyproject.toml")).expect("generated");
    assert!(!pyproject.contains("@VERSION@"), "{pyproject}");
    common::git(out, &["describe", "--tags"]).trim().to_string()
}

/// Runs `pre-commit run --all-files` with a good repository, then a bad one; returns the
/// output of each.
fn good_then_bad(repo: &Repo, env: &[(&str, &str)]) -> (String, String) {
    common::write(
        &repo.root(),
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    repo.ok(repo.git(&["add", "-A"]));
    let started = Instant::now();
    let good = repo.pre_commit_with_env(&["run", "--all-files"], env);
    let first_run = started.elapsed();
    let good_text = format!(
        "{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(
        good.status.success(),
        "a good repository passes:\n{good_text}"
    );
    // Printed, not asserted: speed targets belong in benchmarks, not in timed tests.
    let mut stderr = std::io::stderr().lock();
    let _ = std::io::Write::write_all(
        &mut stderr,
        format!(
            "note: first `pre-commit run --all-files`, hook install included: {:.1}s\n",
            first_run.as_secs_f64()
        )
        .as_bytes(),
    );
    drop(stderr);

    common::write(
        &repo.root(),
        "agents/wild.agent.yaml",
        wildcard_manifest("wild", today()),
    );
    repo.ok(repo.git(&["add", "-A"]));
    let bad = repo.pre_commit_with_env(&["run", "--all-files"], env);
    let bad_text = format!(
        "{}{}",
        String::from_utf8_lossy(&bad.stdout),
        String::from_utf8_lossy(&bad.stderr)
    );
    assert_eq!(
        bad.status.code(),
        Some(1),
        "a bad repository fails:\n{bad_text}"
    );
    assert!(bad_text.contains("AG011"), "{bad_text}");
    (good_text, bad_text)
}

#[test]
fn the_python_hook_installs_the_wheel_and_gates_without_building() {
    let Some(wheel) = built_wheel() else { return };
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let mirror = tempfile::tempdir().expect("tempdir");
    let tag = generate_mirror(mirror.path());
    let repo = Repo::with_repos(
        pre_commit,
        json!([{
            "repo": mirror.path().display().to_string(),
            "rev": tag,
            "hooks": [{"id": "agentgate", "args": ["--today", common::TODAY]}],
        }]),
    );
    let wheels = wheel
        .parent()
        .expect("the wheel's folder")
        .display()
        .to_string();
    // pip finds agentgate-cli in the wheel's folder and may not build it from source: the hook
    // gets the binary in the wheel or fails.
    let env = [
        ("PIP_FIND_LINKS", wheels.as_str()),
        ("PIP_ONLY_BINARY", "agentgate-cli"),
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    ];
    let (good, _) = good_then_bad(&repo, &env);
    assert!(
        good.contains("agentgate") && good.contains("Passed"),
        "{good}"
    );
    // The hook's environment holds the wheel's agentgate, at Cargo.toml's version.
    let installed = installed_agentgate(repo.base());
    let version = Command::new(&installed)
        .arg("--version")
        .output()
        .expect("the hook's agentgate runs");
    let version = String::from_utf8_lossy(&version.stdout);
    assert_eq!(
        version.trim(),
        format!("agentgate {}", env!("CARGO_PKG_VERSION"))
    );
}

/// The `agentgate` executable in pre-commit's environment for the hook (under PRE_COMMIT_HOME).
fn installed_agentgate(base: &Path) -> std::path::PathBuf {
    let found: Vec<_> = common::walk(&base.join("pre-commit-cache"))
        .into_iter()
        .filter(|p| {
            p.file_name().is_some_and(|n| n == "agentgate")
                && p.parent().is_some_and(|d| d.ends_with("bin"))
        })
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].clone()
}

/// This repository by local path, as `agentgate-rust` users configure it: pre-commit clones it
/// and builds agentgate with `cargo install`. It runs where the wheel was built (`.ci/run`),
/// whose release build in the same CARGO_TARGET_DIR makes the install recompile only agentgate.
#[test]
fn the_rust_hook_builds_this_repository_by_local_path_and_gates() {
    if built_wheel().is_none() {
        return;
    }
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    // pre-commit clones a commit: the committed state of this repository.
    let head = common::head(&crate_dir());
    let repo = Repo::with_repos(
        pre_commit,
        json!([{
            "repo": crate_dir().display().to_string(),
            "rev": head,
            "hooks": [{"id": "agentgate-rust", "args": ["--today", common::TODAY]}],
        }]),
    );
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| crate_dir().join("target").display().to_string());
    let cargo_home = std::env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", std::env::var("HOME").unwrap_or_default()));
    let rustup_home = std::env::var("RUSTUP_HOME")
        .unwrap_or_else(|_| format!("{}/.rustup", std::env::var("HOME").unwrap_or_default()));
    let env = [
        ("CARGO_TARGET_DIR", target.as_str()),
        // The test's private HOME must hide neither the toolchain nor the registry cache.
        ("CARGO_HOME", cargo_home.as_str()),
        ("RUSTUP_HOME", rustup_home.as_str()),
        // pre-commit runs `cargo install` without --locked, which resolves the dependencies
        // anew; offline, it can pick only what the release build already fetched.
        ("CARGO_NET_OFFLINE", "true"),
    ];
    let (good, _) = good_then_bad(&repo, &env);
    assert!(good.contains("Passed"), "{good}");
}

/// The hook configurations the README and docs/ci.md show name the mirror's hook and this
/// version's tag, so that a release that forgets them fails here.
#[test]
fn the_documented_hook_configs_name_this_version() {
    let tag = format!("rev: v{}", env!("CARGO_PKG_VERSION"));
    for page in ["README.md", "docs/ci.md"] {
        let text = std::fs::read_to_string(crate_dir().join(page)).expect("the page");
        assert!(
            text.contains("repo: https://github.com/OWNER/agentgate-pre-commit"),
            "{page}"
        );
        let revs: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("rev: "))
            .collect();
        assert!(!revs.is_empty(), "{page}");
        for rev in revs {
            assert!(rev.starts_with(&tag), "{page}: {rev}");
        }
    }
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README");
    assert!(
        readme.contains("      - id: agentgate\n"),
        "the mirror's hook id"
    );
}
