//! The first hour of a new user: agentgate installed from its wheel with no Rust toolchain, and
//! the release workflow that builds the wheels.
//!
//! The wheel tests need a built wheel: `.ci/run` builds it once with maturin (from the same
//! release build as everything else) and passes its path in `AGENTGATE_WHEEL`, with
//! `AGENTGATE_REQUIRE_WHEEL=1` so that a missing wheel fails them. Elsewhere they skip with a
//! note on the terminal (`common::skip`).
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::{self, agentgate, copy_dir, crate_dir, read_yaml, TODAY};

/// The wheel `.ci/run` built, or `None` after saying why the test is skipped. Panics when
/// `AGENTGATE_REQUIRE_WHEEL=1` and there is none: CI must not pass a test it did not run.
pub(crate) fn built_wheel() -> Option<PathBuf> {
    let wheel = std::env::var_os("AGENTGATE_WHEEL")
        .map(PathBuf::from)
        .filter(|p| p.is_file());
    if wheel.is_none() {
        assert!(
            std::env::var("AGENTGATE_REQUIRE_WHEEL").as_deref() != Ok("1"),
            "AGENTGATE_REQUIRE_WHEEL=1 but AGENTGATE_WHEEL ({:?}) names no wheel file",
            std::env::var_os("AGENTGATE_WHEEL")
        );
        common::skip(
            "no wheel: the wheel tests did not run (set AGENTGATE_WHEEL to a wheel built with \
             `maturin build --release`; .ci/run does)",
        );
    }
    wheel
}

/// The version of Cargo.toml's `[package]` (the first `version = "…"` line).
fn cargo_version() -> String {
    let manifest = std::fs::read_to_string(crate_dir().join("Cargo.toml")).expect("Cargo.toml");
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .expect("a package version")
        .to_string()
}

/// A folder holding only links to `programs` (found on the current PATH): with it alone on
/// PATH, nothing else (cargo, rustc) can be run by name.
pub(crate) fn bin_dir_with_only(dir: &Path, programs: &[&str]) -> PathBuf {
    let bin = dir.join("only-bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    for program in programs {
        let found = common::find_on_path(program)
            .unwrap_or_else(|| panic!("{program} is needed on PATH for this test"));
        std::os::unix::fs::symlink(found, bin.join(program)).expect("link");
    }
    bin
}

/// A fresh virtual environment at `dir/venv` with `wheel` installed from the file alone (no
/// index), and the PATH to run it with: the environment's scripts, then only `extra` programs.
pub(crate) fn venv_with_wheel(dir: &Path, wheel: &Path, extra: &[&str]) -> (PathBuf, String) {
    let venv = dir.join("venv");
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 runs");
    assert!(status.success(), "python3 -m venv failed");
    let output = Command::new(venv.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--only-binary",
            ":all:",
        ])
        .arg(wheel)
        .output()
        .expect("pip runs");
    assert!(
        output.status.success(),
        "pip install of the wheel failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let only = bin_dir_with_only(dir, extra);
    let path = format!("{}:{}", venv.join("bin").display(), only.display());
    (venv, path)
}

/// Whether `program` can be found on `path` (a PATH value).
fn on_path(path: &str, program: &str) -> bool {
    std::env::split_paths(path).any(|dir| dir.join(program).exists())
}

#[test]
fn the_wheel_installs_and_checks_the_examples_without_a_rust_toolchain() {
    let Some(wheel) = built_wheel() else { return };
    let name = wheel
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a wheel name");
    // The distribution name and Cargo.toml's version.
    assert!(
        name.starts_with(&format!("agentgate_cli-{}-", cargo_version())),
        "{name}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let (_venv, path) = venv_with_wheel(dir.path(), &wheel, &["git"]);
    for hidden in ["cargo", "rustc", "rustup"] {
        assert!(!on_path(&path, hidden), "{hidden} is on {path}");
    }
    let run = |cwd: &Path, args: &[&str]| {
        let output = Command::new("agentgate")
            .args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", &path)
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("the installed agentgate runs");
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stdout, _) = run(dir.path(), &["--version"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.trim(), format!("agentgate {}", cargo_version()));

    // The README's first command, on a copy of the example repository made a git repository.
    let repo = dir.path().join("repo");
    copy_dir(&crate_dir().join("examples"), &repo);
    common::git(&repo, &["init", "-q"]);
    common::git(&repo, &["add", "-A"]);
    common::git(&repo, &["commit", "-q", "-m", "examples"]);
    let (code, stdout, stderr) = run(&repo, &["check", "--today", TODAY, "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    let mut rules: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    rules.sort_unstable();
    rules.dedup();
    assert_eq!(
        rules,
        ["AG003", "AG011", "AG013", "AG021", "AG022", "AG023", "AG024", "AG052", "AG071"]
    );
    // Exactly what the binary under test reports on the same copy.
    let ours = agentgate(&repo, &["check", "--today", TODAY, "--format", "json"]);
    assert_eq!(
        common::findings(&json),
        common::findings(&ours.json()),
        "the wheel's binary and the one under test disagree"
    );
}

/// SchemaStore's workflow schema, as vendored by check-jsonschema (testdata/schemas/README.md).
fn workflow_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(crate_dir().join("testdata/schemas/github-workflow.json"))
        .expect("the vendored workflow schema");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

fn release_workflow() -> Value {
    read_yaml(&crate_dir().join(".github/workflows/release.yml"))
}

#[test]
fn the_release_workflow_is_a_valid_github_workflow() {
    let validator = workflow_schema();
    let workflow = release_workflow();
    let errors: Vec<String> = validator
        .iter_errors(&workflow)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to notice a mistake: an unknown key in a job is refused.
    let mut broken = workflow.clone();
    broken["jobs"]["linux"]["runs_on"] = Value::from("ubuntu-latest");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn the_release_workflow_builds_every_platform_with_pinned_actions() {
    let text = std::fs::read_to_string(crate_dir().join(".github/workflows/release.yml"))
        .expect("release.yml");
    let workflow = release_workflow();
    for target in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(text.contains(&format!("target: {target}")), "{target}");
    }
    // Every `uses:` names a full commit, with its tag beside it.
    let mut uses = 0;
    for line in text.lines() {
        let Some(rest) = line
            .trim_start()
            .trim_start_matches("- ")
            .strip_prefix("uses: ")
        else {
            continue;
        };
        uses += 1;
        let (action, comment) = rest.split_once(" # ").expect("a tag comment");
        let (_, sha) = action.split_once('@').expect("a ref");
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{line}"
        );
        assert!(comment.starts_with('v'), "{line}");
    }
    assert!(uses >= 10, "{uses}");
    assert!(text.contains("PyO3/maturin-action@"));
    // No script splices an expression: values reach `run:` through `env:`.
    for (name, job) in workflow["jobs"].as_object().expect("jobs") {
        for step in job["steps"].as_array().expect("steps") {
            if let Some(run) = step["run"].as_str() {
                assert!(!run.contains("${{"), "{name}: {run}");
            }
        }
    }
    // Publishing needs the tag and nothing but the OIDC token.
    let publish = &workflow["jobs"]["publish"];
    assert_eq!(publish["permissions"]["id-token"], "write");
    assert_eq!(workflow["permissions"]["contents"], "read");
}

/// pyproject.toml makes a binary wheel named `agentgate-cli` whose version is Cargo.toml's.
#[test]
fn pyproject_builds_the_binary_under_a_free_name_with_cargos_version() {
    let text = std::fs::read_to_string(crate_dir().join("pyproject.toml")).expect("pyproject");
    // Read with Python's own TOML reader (tomllib, Python 3.11+), not by pattern.
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, sys, tomllib; print(json.dumps(tomllib.load(open(sys.argv[1], 'rb'))))",
        ])
        .arg(crate_dir().join("pyproject.toml"))
        .output()
        .expect("python3 runs");
    if !output.status.success() {
        common::skip("python3 without tomllib (3.11+): pyproject.toml was not read");
        assert!(text.contains("bindings = \"bin\""));
        return;
    }
    let project: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(project["project"]["name"], "agentgate-cli");
    assert_eq!(
        project["project"]["dynamic"],
        serde_json::json!(["version"])
    );
    assert!(project["project"].get("version").is_none());
    assert_eq!(project["tool"]["maturin"]["bindings"], "bin");
    assert_eq!(project["build-system"]["build-backend"], "maturin");
}

/// Runs the action's wheel step (`action.yml`, id `wheel`) as the runner would, with its
/// digests read from `index` (a folder laid out as PyPI's JSON API, read through `file://`)
/// and pip pointed at the wheel's folder instead of PyPI. Returns (exit code, outputs, log).
fn run_wheel_step(dir: &Path, index: &Path, wheel: &Path) -> (i32, String, String) {
    let action = read_yaml(&crate_dir().join("action.yml"));
    let step = action["runs"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == "wheel")
        .expect("the wheel step")
        .clone();
    let script = dir.join("wheel.sh");
    std::fs::write(&script, step["run"].as_str().expect("run")).expect("script");
    let outputs = dir.join("outputs");
    std::fs::write(&outputs, "").expect("GITHUB_OUTPUT");
    let temp = dir.join("runner-temp");
    std::fs::create_dir_all(&temp).expect("RUNNER_TEMP");
    let output = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script)
        .current_dir(dir)
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", &temp)
        .env("AGENTGATE_VERSION", env!("CARGO_PKG_VERSION"))
        .env("AGENTGATE_ROOT", dir.join("root"))
        .env("AGENTGATE_PYPI", format!("file://{}", index.display()))
        .env("PIP_NO_INDEX", "1")
        .env(
            "PIP_FIND_LINKS",
            wheel.parent().expect("the wheel's folder"),
        )
        .output()
        .expect("bash runs");
    (
        output.status.code().unwrap_or(-1),
        std::fs::read_to_string(&outputs).expect("outputs"),
        format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    )
}

/// A fake PyPI JSON API listing one wheel digest for this version.
fn fake_index(dir: &Path, digest: &str) -> PathBuf {
    let index = dir.join("index");
    let release = serde_json::json!({"urls": [
        {"packagetype": "sdist", "digests": {"sha256": "0".repeat(64)}},
        {"packagetype": "bdist_wheel", "digests": {"sha256": digest}},
    ]});
    common::write(
        &index,
        &format!("agentgate-cli/{}/json", env!("CARGO_PKG_VERSION")),
        release.to_string(),
    );
    index
}

#[test]
fn the_action_installs_the_published_wheel_only_when_its_digest_matches() {
    use sha2::Digest;
    let Some(wheel) = built_wheel() else { return };
    let digest = format!(
        "{:x}",
        sha2::Sha256::digest(std::fs::read(&wheel).expect("read the wheel"))
    );

    // Published, digest as listed: installed, and the binary runs at the pinned version.
    let dir = tempfile::tempdir().expect("tempdir");
    let index = fake_index(dir.path(), &digest);
    let (code, outputs, log) = run_wheel_step(dir.path(), &index, &wheel);
    assert_eq!(code, 0, "{log}");
    assert!(outputs.contains("installed=true"), "{outputs}\n{log}");
    let version = Command::new(dir.path().join("root/bin/agentgate"))
        .arg("--version")
        .output()
        .expect("the installed binary runs");
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("agentgate {}", env!("CARGO_PKG_VERSION"))
    );

    // A wheel whose digest PyPI does not list fails the job: no fallback on tampering.
    let dir = tempfile::tempdir().expect("tempdir");
    let index = fake_index(dir.path(), &"ab".repeat(32));
    let (code, outputs, log) = run_wheel_step(dir.path(), &index, &wheel);
    assert_ne!(code, 0, "{log}");
    assert!(!outputs.contains("installed=true"), "{outputs}");
    assert!(log.contains("hash") || log.contains("HASH"), "{log}");
    assert!(!dir.path().join("root/bin/agentgate").exists());

    // Not published: the step says so and leaves the build from source to the next step.
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, outputs, log) = run_wheel_step(dir.path(), &dir.path().join("empty"), &wheel);
    assert_eq!(code, 0, "{log}");
    assert!(outputs.contains("installed=false"), "{outputs}");
    assert!(
        log.contains("::notice title=agentgate::no agentgate-cli"),
        "{log}"
    );
}
