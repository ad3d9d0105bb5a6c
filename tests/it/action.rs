//! The composite GitHub Action (`action.yml`): its structure (inputs reach the shell only through
//! `env:`, no expression inside a `run:` script, third-party actions pinned by commit, SARIF
//! uploaded before the job fails), and its shell steps run locally with bash the way the runner
//! would run them: a temporary repository, a fake event payload, `GITHUB_STEP_SUMMARY`,
//! `GITHUB_OUTPUT` and `GITHUB_PATH` files, and the binary under test first on PATH in place of
//! the `cargo install` step.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::{json, Value};

use crate::common::*;

fn action() -> Value {
    read_yaml(&crate_dir().join("action.yml"))
}

fn steps(action: &Value) -> &Vec<Value> {
    action["runs"]["steps"].as_array().expect("runs.steps")
}

fn step<'a>(action: &'a Value, id: &str) -> &'a Value {
    steps(action)
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id {id}"))
}

fn step_index(action: &Value, id: &str) -> usize {
    steps(action)
        .iter()
        .position(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id {id}"))
}

fn upload_step(action: &Value) -> &Value {
    steps(action)
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("a github/codeql-action/upload-sarif step")
}

/// Every `${{ … }}` expression in `text`, trimmed.
fn expressions(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        let after = &rest[start + 3..];
        let end = after.find("}}").expect("an expression is closed with }}");
        out.push(after[..end].trim().to_string());
        rest = &after[end + 2..];
    }
    out
}

/// Every string in `value` with the JSON pointer where it sits.
fn strings(value: &Value, pointer: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::String(s) => out.push((pointer, s.clone())),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                strings(item, format!("{pointer}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                strings(item, format!("{pointer}/{key}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_input_is_declared_used_and_reaches_the_shell_only_through_env() {
    let action = action();
    let inputs: Vec<String> = action["inputs"]
        .as_object()
        .expect("inputs")
        .keys()
        .cloned()
        .collect();
    for expected in [
        "paths",
        "config",
        "fail-on",
        "format",
        "changed-since",
        "sarif-file",
        "upload-sarif",
    ] {
        assert!(
            inputs.iter().any(|i| i == expected),
            "input {expected} is declared"
        );
    }

    let mut all = Vec::new();
    strings(&action, String::new(), &mut all);
    let mut referenced = Vec::new();
    for (pointer, text) in &all {
        for expression in expressions(text) {
            if let Some(name) = expression.strip_prefix("inputs.") {
                // An input may appear only as the whole value of a run step's env variable.
                let in_env = pointer.starts_with("/runs/steps/") && pointer.contains("/env/");
                assert!(
                    in_env && text.trim() == format!("${{{{ inputs.{name} }}}}"),
                    "inputs.{name} is used at {pointer} ({text:?}); pass inputs through env: only"
                );
                let step_pointer = pointer.split("/env/").next().expect("step pointer");
                let step = action.pointer(step_pointer).expect("step");
                assert!(step["run"].is_string(), "{pointer}: inputs go to run steps");
                assert!(
                    inputs.iter().any(|i| i == name),
                    "inputs.{name} at {pointer} is declared"
                );
                referenced.push(name.to_string());
            }
        }
    }
    for input in &inputs {
        assert!(
            referenced.contains(input),
            "input {input} is declared but never passed to a step"
        );
    }
}

#[test]
fn no_run_script_contains_an_expression_and_every_run_step_uses_bash() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    for step in steps(&action) {
        if let Some(run) = step["run"].as_str() {
            assert!(
                !run.contains("${{"),
                "step {} has an expression inside run: (script injection)",
                step["name"]
            );
            assert_eq!(
                step["shell"], "bash",
                "step {} runs with bash",
                step["name"]
            );
        }
    }
}

#[test]
fn third_party_actions_are_pinned_to_a_full_commit_with_the_tag_beside_it() {
    let action = action();
    let text = std::fs::read_to_string(crate_dir().join("action.yml")).expect("read action.yml");
    let mut pinned = 0;
    for step in steps(&action) {
        let Some(uses) = step["uses"].as_str() else {
            continue;
        };
        let (name, reference) = uses.split_once('@').expect("uses: NAME@REF");
        assert!(!name.starts_with("./"), "no local actions expected");
        assert!(
            reference.len() == 40
                && reference
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{uses} is pinned to a full 40-hex commit SHA"
        );
        let line = text
            .lines()
            .find(|l| l.contains(uses))
            .expect("the uses: line");
        let comment = line.split_once(" # ").map(|(_, c)| c.trim());
        assert!(
            comment.is_some_and(|c| c.starts_with('v')),
            "{uses}: the tag is written in a comment beside the SHA ({line:?})"
        );
        pinned += 1;
    }
    assert_eq!(
        pinned, 3,
        "actions/cache (the binary, the results) and codeql-action/upload-sarif"
    );
}

#[test]
fn installs_the_wheel_or_else_from_its_own_source_cached_by_version_and_os() {
    let action = action();
    let cache = step(&action, "cache");
    assert!(cache["uses"]
        .as_str()
        .expect("uses")
        .starts_with("actions/cache@"));
    let key = cache["with"]["key"].as_str().expect("cache key");
    for part in ["runner.os", "steps.prepare.outputs.version"] {
        assert!(
            expressions(key).iter().any(|e| e == part),
            "the cache key holds {part}: {key}"
        );
    }
    assert_eq!(
        cache["with"]["path"], "${{ steps.prepare.outputs.root }}",
        "the cache holds the installed binary"
    );
    // The wheel first; the source build only when no wheel of this version is published.
    let wheel = step(&action, "wheel");
    assert_eq!(wheel["if"], "steps.cache.outputs.cache-hit != 'true'");
    let script = wheel["run"].as_str().expect("run");
    for part in ["--only-binary :all:", "--require-hashes", "--no-deps"] {
        assert!(script.contains(part), "{part}");
    }
    let install = step(&action, "install");
    assert_eq!(
        install["if"],
        "steps.cache.outputs.cache-hit != 'true' && steps.wheel.outputs.installed != 'true'"
    );
    assert!(step_index(&action, "wheel") < step_index(&action, "install"));
    // Whatever installed it (the cache too), the version is checked before the check runs.
    assert!(step_index(&action, "install") < step_index(&action, "version"));
    assert!(step_index(&action, "version") < step_index(&action, "check"));
    assert!(step(&action, "version")["if"].is_null());
    assert!(install["run"]
        .as_str()
        .expect("run")
        .contains(r#"cargo install --locked --path "$GITHUB_ACTION_PATH""#));
    assert_eq!(
        install["env"]["AGENTGATE_ROOT"],
        "${{ steps.prepare.outputs.root }}"
    );
}

#[test]
fn sarif_is_uploaded_even_when_the_check_failed_and_the_job_fails_only_afterwards() {
    let action = action();
    let upload = upload_step(&action);
    let condition = upload["if"].as_str().expect("upload has a condition");
    assert!(
        condition.starts_with("always() && "),
        "the upload runs after a failed check too: {condition}"
    );
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.check.outputs.sarif-file }}"
    );
    let upload_at = steps(&action)
        .iter()
        .position(|s| s == upload)
        .expect("upload index");
    let check_at = step_index(&action, "check");
    let last = steps(&action).last().expect("a last step");
    assert!(check_at < upload_at && upload_at == steps(&action).len() - 2);
    assert_eq!(last["if"], "always()", "the gate runs after the upload");
    assert_eq!(
        last["env"]["AGENTGATE_EXIT_CODE"],
        "${{ steps.check.outputs.exit-code }}"
    );
    assert_eq!(
        action["outputs"]["exit-code"]["value"],
        "${{ steps.check.outputs.exit-code }}"
    );
    assert_eq!(
        action["inputs"]["changed-since"]["default"],
        "${{ github.event.pull_request.base.sha }}"
    );
    assert_eq!(action["inputs"]["sarif-file"]["default"], "agentgate.sarif");
    assert_eq!(action["inputs"]["upload-sarif"]["default"], "true");
}

// ---------------------------------------------------------------------------------------------
// Running the action locally.

/// One step as the simulated runner ran it.
#[derive(Debug)]
pub(crate) struct StepRun {
    id: String,
    /// None: skipped (its condition was false, or it is a `uses:` step, which is not run).
    code: Option<i32>,
    pub(crate) stdout: String,
    stderr: String,
    pub(crate) outputs: BTreeMap<String, String>,
}

pub(crate) struct ActionRun {
    steps: Vec<StepRun>,
    /// The job's conclusion: the exit code of the first step that failed, 0 when none did.
    job: i32,
    /// The SARIF file the upload step would have uploaded, when it would have run.
    uploaded: Option<String>,
    /// The action's outputs, as the workflow would see them.
    outputs: BTreeMap<String, String>,
    summary: String,
    github_path: String,
}

impl ActionRun {
    fn step(&self, id: &str) -> &StepRun {
        self.steps
            .iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no step {id}"))
    }

    pub(crate) fn check(&self) -> &StepRun {
        self.step("check")
    }

    /// Workflow commands (`::error …`, `::warning …`) agentgate printed.
    fn commands(&self) -> Vec<&str> {
        self.check()
            .stdout
            .lines()
            .filter(|l| l.starts_with("::"))
            .collect()
    }

    pub(crate) fn describe(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            out.push_str(&format!(
                "--- step {} exit {:?} outputs {:?}\nstdout:\n{}\nstderr:\n{}\n",
                step.id, step.code, step.outputs, step.stdout, step.stderr
            ));
        }
        out.push_str(&format!("--- job summary:\n{}\n", self.summary));
        out
    }
}

/// A temporary workspace plus the runner's own files.
pub(crate) struct Runner {
    _dir: tempfile::TempDir,
    pub(crate) workspace: PathBuf,
    temp: PathBuf,
    bin: PathBuf,
    event_path: PathBuf,
    event: Value,
    event_name: String,
}

impl Runner {
    pub(crate) fn new() -> Runner {
        let dir = tempfile::tempdir().expect("tempdir");
        let workspace = dir.path().join("workspace");
        let temp = dir.path().join("runner-temp");
        let bin = dir.path().join("bin");
        for d in [&workspace, &temp, &bin, &dir.path().join("home")] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        // The manifests' reviews are signed by the test-only key; the workspace trusts it.
        trust_test_key(&workspace);
        // The built binary first on PATH, in place of `cargo install`.
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_agentgate"), bin.join("agentgate"))
            .expect("symlink the binary");
        Runner {
            event_path: dir.path().join("event.json"),
            _dir: dir,
            workspace,
            temp,
            bin,
            event: json!({}),
            event_name: "push".to_string(),
        }
    }

    fn home(&self) -> PathBuf {
        self._dir.path().join("home")
    }

    fn pull_request(&mut self, base: &str, head: &str) {
        self.event_name = "pull_request".to_string();
        self.event = json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {"number": 7, "base": {"sha": base, "ref": "main"}, "head": {"sha": head, "ref": "feature"}}
        });
    }

    /// The value of one `${{ … }}` expression: what the runner would substitute.
    fn evaluate(
        &self,
        action: &Value,
        expression: &str,
        with: &BTreeMap<&str, &str>,
        steps: &[StepRun],
    ) -> String {
        if let Some(name) = expression.strip_prefix("inputs.") {
            if let Some(value) = with.get(name) {
                return (*value).to_string();
            }
            let default = action["inputs"][name]["default"]
                .as_str()
                .unwrap_or_default();
            return self.interpolate(action, default, with, steps);
        }
        if let Some(path) = expression.strip_prefix("github.event.") {
            let pointer = format!("/{}", path.replace('.', "/"));
            return match self.event.pointer(&pointer) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
        }
        if let Some(rest) = expression.strip_prefix("steps.") {
            let (id, output) = rest.split_once(".outputs.").expect("steps.ID.outputs.NAME");
            return steps
                .iter()
                .find(|s| s.id == id)
                .and_then(|s| s.outputs.get(output).cloned())
                .unwrap_or_default();
        }
        match expression {
            "github.action_path" => crate_dir().display().to_string(),
            "github.workspace" => self.workspace.display().to_string(),
            "runner.os" => "Linux".to_string(),
            "runner.arch" => "X64".to_string(),
            "runner.temp" => self.temp.display().to_string(),
            other => panic!("the test's expression mapping does not know `{other}`"),
        }
    }

    fn interpolate(
        &self,
        action: &Value,
        text: &str,
        with: &BTreeMap<&str, &str>,
        steps: &[StepRun],
    ) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 3..];
            let end = after.find("}}").expect("closed expression");
            out.push_str(&self.evaluate(action, after[..end].trim(), with, steps));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    /// The step conditions this action uses: `always()`, `A == 'x'`, `A != 'x'`, joined by `&&`.
    fn condition(
        &self,
        action: &Value,
        condition: Option<&str>,
        failed: bool,
        with: &BTreeMap<&str, &str>,
        steps: &[StepRun],
    ) -> bool {
        let Some(condition) = condition else {
            return !failed;
        };
        let mut status_function = false;
        let mut result = true;
        for term in condition.split("&&").map(str::trim) {
            if term == "always()" {
                status_function = true;
            } else if let Some((left, right)) = term.split_once("==") {
                result &= self.evaluate(action, left.trim(), with, steps) == literal(right);
            } else if let Some((left, right)) = term.split_once("!=") {
                result &= self.evaluate(action, left.trim(), with, steps) != literal(right);
            } else {
                panic!("the test cannot evaluate the condition term `{term}`");
            }
        }
        // Without a status function GitHub adds `success()`.
        result && (status_function || !failed)
    }

    /// Runs the action's steps in order with the given `with:` inputs.
    pub(crate) fn run(&self, with: &[(&str, &str)]) -> ActionRun {
        let action = action();
        let with: BTreeMap<&str, &str> = with.iter().copied().collect();
        for name in with.keys() {
            assert!(
                action["inputs"].get(*name).is_some(),
                "the action declares input {name}"
            );
        }
        std::fs::write(
            &self.event_path,
            serde_json::to_string_pretty(&self.event).expect("event JSON"),
        )
        .expect("write event");
        let summary_path = self.temp.join("step_summary.md");
        let github_path = self.temp.join("github_path");
        let github_env = self.temp.join("github_env");
        for file in [&summary_path, &github_path, &github_env] {
            std::fs::write(file, "").expect("create runner file");
        }

        let mut runs: Vec<StepRun> = Vec::new();
        let mut failed = false;
        let mut job = 0;
        let mut uploaded = None;
        for (index, step) in steps(&action).iter().enumerate() {
            let id = step["id"]
                .as_str()
                .map_or_else(|| format!("step-{index}"), str::to_string);
            let runs_now = self.condition(&action, step["if"].as_str(), failed, &with, &runs);
            let mut record = StepRun {
                id: id.clone(),
                code: None,
                stdout: String::new(),
                stderr: String::new(),
                outputs: BTreeMap::new(),
            };
            if let Some(uses) = step["uses"].as_str() {
                if runs_now && uses.starts_with("actions/cache@") {
                    // A cache miss: the install step's condition decides.
                    record.outputs.insert("cache-hit".into(), "false".into());
                }
                if runs_now && uses.starts_with("github/codeql-action/upload-sarif@") {
                    let file = self.interpolate(
                        &action,
                        step["with"]["sarif_file"].as_str().expect("sarif_file"),
                        &with,
                        &runs,
                    );
                    uploaded = Some(file);
                }
                runs.push(record);
                continue;
            }
            if !runs_now || id == "install" || id == "wheel" {
                // The install steps are replaced by the built binary first on PATH (the wheel
                // step has its own tests, in first_hour.rs, with a wheel and a fake index).
                runs.push(record);
                continue;
            }
            let script = self.temp.join(format!("{id}.sh"));
            std::fs::write(&script, step["run"].as_str().expect("run script")).expect("script");
            let output_file = self.temp.join(format!("{id}.output"));
            std::fs::write(&output_file, "").expect("GITHUB_OUTPUT");
            let mut command = Command::new("bash");
            // What GitHub runs for `shell: bash`.
            command
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(&script)
                .current_dir(&self.workspace)
                .env_clear()
                .env(
                    "PATH",
                    format!(
                        "{}:{}",
                        self.bin.display(),
                        std::env::var("PATH").unwrap_or_default()
                    ),
                )
                .env("HOME", self.home())
                .env("NO_COLOR", "1")
                .env("CI", "true")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GITHUB_ACTIONS", "true")
                .env("GITHUB_ACTION_PATH", crate_dir())
                .env("GITHUB_WORKSPACE", &self.workspace)
                .env("GITHUB_EVENT_NAME", &self.event_name)
                .env("GITHUB_EVENT_PATH", &self.event_path)
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("GITHUB_OUTPUT", &output_file)
                .env("GITHUB_PATH", &github_path)
                .env("GITHUB_ENV", &github_env)
                .env("RUNNER_OS", "Linux")
                .env("RUNNER_ARCH", "X64")
                .env("RUNNER_TEMP", &self.temp);
            if let Some(env) = step["env"].as_object() {
                for (name, value) in env {
                    let value = self.interpolate(
                        &action,
                        value.as_str().expect("env values are strings"),
                        &with,
                        &runs,
                    );
                    command.env(name, value);
                }
            }
            let output = command.output().expect("bash runs");
            let code = output.status.code().unwrap_or(-1);
            record.code = Some(code);
            record.stdout = String::from_utf8_lossy(&output.stdout).into_owned();
            record.stderr = String::from_utf8_lossy(&output.stderr).into_owned();
            assert!(
                !record.stderr.contains("panicked"),
                "agentgate panicked:\n{}",
                record.stderr
            );
            record.outputs =
                parse_outputs(&std::fs::read_to_string(&output_file).expect("read outputs"));
            if code != 0 && !failed {
                failed = true;
                job = code;
            }
            runs.push(record);
        }
        let outputs = action["outputs"]
            .as_object()
            .expect("outputs")
            .iter()
            .map(|(name, output)| {
                let value = output["value"].as_str().expect("output value");
                (name.clone(), self.interpolate(&action, value, &with, &runs))
            })
            .collect();
        ActionRun {
            steps: runs,
            job,
            uploaded,
            outputs,
            summary: std::fs::read_to_string(&summary_path).expect("summary"),
            github_path: std::fs::read_to_string(&github_path).expect("GITHUB_PATH"),
        }
    }
}

fn literal(text: &str) -> String {
    let text = text.trim();
    text.strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or_else(|| panic!("a quoted literal: {text}"))
        .to_string()
}

/// `name=value` lines and `name<<DELIMITER` blocks, as the runner reads `GITHUB_OUTPUT`.
fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for next in lines.by_ref() {
                if next == delimiter {
                    break;
                }
                value.push(next);
            }
            out.insert(name.to_string(), value.join("\n"));
        } else if let Some((name, value)) = line.split_once('=') {
            out.insert(name.to_string(), value.to_string());
        } else if !line.is_empty() {
            panic!("a malformed GITHUB_OUTPUT line: {line:?}");
        }
    }
    out
}

fn today() -> i64 {
    agentgate::units::today_utc()
}

fn commit_id(repo: &git2::Repository) -> String {
    repo.head()
        .expect("HEAD")
        .peel_to_commit()
        .expect("commit")
        .id()
        .to_string()
}

/// A pull request: the base holds a good manifest and a bad legacy one; the pull request adds a
/// bad manifest.
fn pull_request_runner() -> Runner {
    let mut runner = Runner::new();
    let ws = runner.workspace.clone();
    write(
        &ws,
        "agents/good.agent.yaml",
        compliant_manifest("billing-reconciler", today()),
    );
    write(
        &ws,
        "agents/legacy.agent.yaml",
        wildcard_manifest("legacy-exporter", today()),
    );
    let repo = git_commit_all(&ws, "base");
    let base = commit_id(&repo);
    write(
        &ws,
        "agents/bad.agent.yaml",
        wildcard_manifest("payout-fixer", today()),
    );
    let repo = git_commit_all(&ws, "add payout-fixer");
    let head = commit_id(&repo);
    runner.pull_request(&base, &head);
    runner
}

fn assert_prepared(run: &ActionRun, runner: &Runner) {
    let prepare = run.step("prepare");
    assert_eq!(prepare.code, Some(0), "{}", run.describe());
    assert_eq!(prepare.outputs["version"], env!("CARGO_PKG_VERSION"));
    let digest = &prepare.outputs["digest"];
    assert!(
        digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{digest}"
    );
    let root = runner.temp.join("agentgate-action");
    assert_eq!(prepare.outputs["root"], root.display().to_string());
    assert_eq!(
        run.github_path,
        format!("{}\n", root.join("bin").display()),
        "the installed binary goes on PATH"
    );
    assert_eq!(
        run.step("cache")
            .outputs
            .get("cache-hit")
            .map(String::as_str),
        Some("false")
    );
}

#[test]
fn a_pull_request_adding_a_bad_manifest_annotates_summarises_uploads_then_fails() {
    let runner = pull_request_runner();
    let run = runner.run(&[]);
    let d = run.describe();
    assert_prepared(&run, &runner);

    let check = run.check();
    assert_eq!(
        check.code,
        Some(0),
        "the check step itself never fails\n{d}"
    );
    assert_eq!(check.outputs["exit-code"], "1", "{d}");
    assert_eq!(run.outputs["exit-code"], "1", "{d}");

    // Annotations: only the changed manifest (changed-since defaults to the pull request's base).
    let commands = run.commands();
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("::error file=agents/bad.agent.yaml,")
                && c.contains("line=14")
                && c.contains("title=AG011 wildcard-grant::")),
        "an AG011 annotation on the added manifest\n{d}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("legacy.agent.yaml")),
        "the unchanged legacy manifest is not reported in a pull request\n{d}"
    );
    assert!(
        !commands.iter().any(|c| c.contains("good.agent.yaml")),
        "{d}"
    );

    // The job summary.
    assert!(run.summary.contains("AG011"), "{d}");
    assert!(run.summary.contains("bad.agent.yaml"), "{d}");
    assert!(!run.summary.contains("legacy.agent.yaml"), "{d}");

    // SARIF written, then uploaded although the check failed.
    assert_eq!(check.outputs["sarif-file"], "agentgate.sarif", "{d}");
    assert_eq!(check.outputs["upload-sarif"], "true", "{d}");
    assert_eq!(run.uploaded.as_deref(), Some("agentgate.sarif"), "{d}");
    assert_eq!(run.outputs["sarif-file"], "agentgate.sarif");
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(runner.workspace.join("agentgate.sarif")).expect("SARIF file"),
    )
    .expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.iter().any(|r| r["ruleId"] == "AG011"), "{sarif:#}");

    // The job fails in the last step, after the upload, with agentgate's exit code.
    assert_eq!(run.job, 1, "{d}");
    let gate = run.steps.last().expect("gate");
    assert_eq!(gate.code, Some(1), "{d}");
    assert!(run.steps[..run.steps.len() - 1]
        .iter()
        .all(|s| s.code.unwrap_or(0) == 0));
}

#[test]
fn a_push_with_good_manifests_passes_and_skips_the_upload_when_asked() {
    let runner = Runner::new();
    write(
        &runner.workspace,
        "agents/good.agent.yaml",
        compliant_manifest("billing-reconciler", today()),
    );
    write(
        &runner.workspace,
        "services/ledger/agent.yaml",
        compliant_manifest("ledger-auditor", today()),
    );
    git_commit_all(&runner.workspace, "good agents");
    let run = runner.run(&[("upload-sarif", "false")]);
    let d = run.describe();
    assert_prepared(&run, &runner);
    assert_eq!(run.check().outputs["exit-code"], "0", "{d}");
    assert!(
        !run.commands().iter().any(|c| c.starts_with("::error")),
        "{d}"
    );
    assert!(
        !run.commands().iter().any(|c| c.starts_with("::warning")),
        "{d}"
    );
    assert!(!run.summary.contains("AG0"), "{d}");
    assert!(
        runner.workspace.join("agentgate.sarif").is_file(),
        "SARIF is still written"
    );
    assert_eq!(run.check().outputs["upload-sarif"], "false", "{d}");
    assert_eq!(run.uploaded, None, "upload-sarif: false skips the upload");
    assert_eq!(run.job, 0, "{d}");
    assert_eq!(run.outputs["exit-code"], "0");
}

#[test]
fn paths_fail_on_and_sarif_file_inputs_reach_agentgate() {
    let runner = Runner::new();
    write(
        &runner.workspace,
        "agents/reporter.agent.yaml",
        warning_only_manifest("nightly-reporter", today()),
    );
    write(
        &runner.workspace,
        "agents/bad.agent.yaml",
        wildcard_manifest("payout-fixer", today()),
    );
    git_commit_all(&runner.workspace, "agents");

    // Only the warning manifest is reported; a warning does not fail by default.
    let run = runner.run(&[
        ("paths", "agents/reporter.agent.yaml"),
        ("sarif-file", "reports/agentgate.sarif"),
    ]);
    let d = run.describe();
    assert!(
        run.commands().iter().any(
            |c| c.starts_with("::warning file=agents/reporter.agent.yaml,")
                && c.contains("title=AG061 baseline-missing::")
        ),
        "{d}"
    );
    assert!(
        !run.commands().iter().any(|c| c.contains("bad.agent.yaml")),
        "{d}"
    );
    assert_eq!(run.check().outputs["exit-code"], "0", "{d}");
    assert_eq!(
        run.check().outputs["sarif-file"],
        "reports/agentgate.sarif",
        "{d}"
    );
    assert_eq!(run.uploaded.as_deref(), Some("reports/agentgate.sarif"));
    assert_eq!(run.job, 0);

    // fail-on: warning makes the same finding fail the job.
    let run = runner.run(&[
        ("paths", "agents/reporter.agent.yaml"),
        ("fail-on", "warning"),
    ]);
    let d = run.describe();
    assert_eq!(run.check().outputs["exit-code"], "1", "{d}");
    assert_eq!(run.job, 1, "{d}");

    // Several paths, separated by newlines and spaces.
    let run = runner.run(&[(
        "paths",
        "agents/reporter.agent.yaml\n\n  agents/bad.agent.yaml  ",
    )]);
    let d = run.describe();
    assert!(
        run.commands()
            .iter()
            .any(|c| c.starts_with("::error file=agents/bad.agent.yaml,")),
        "{d}"
    );
    assert_eq!(run.check().outputs["exit-code"], "1", "{d}");
}

#[test]
fn hostile_inputs_are_data_never_code() {
    let runner = Runner::new();
    write(
        &runner.workspace,
        "agents/good.agent.yaml",
        compliant_manifest("billing-reconciler", today()),
    );
    git_commit_all(&runner.workspace, "good agent");
    let run = runner.run(&[
        ("paths", "$(touch pwned-1) `touch pwned-2` * --no-fail"),
        ("config", "x.yaml; touch pwned-3"),
        ("changed-since", "$(touch pwned-4)\n::error::forged"),
    ]);
    let d = run.describe();
    for name in ["pwned-1", "pwned-2", "pwned-3", "pwned-4"] {
        assert!(
            !runner.workspace.join(name).exists() && !runner.temp.join(name).exists(),
            "{name} was created: an input ran as code\n{d}"
        );
    }
    // The unknown revision is named on one escaped line, never as a forged command.
    assert!(
        run.commands().iter().any(|c| c.starts_with(
            "::warning title=agentgate::changed-since: revision $(touch pwned-4)%0A::error::forged is not in this clone"
        )),
        "{d}"
    );
    assert!(!run.commands().contains(&"::error::forged"), "{d}");
    // The missing configuration and the paths that match nothing are agentgate's usage errors.
    assert_eq!(run.check().outputs["exit-code"], "2", "{d}");
    assert_eq!(run.job, 2, "{d}");
    assert_eq!(run.steps.last().expect("gate").code, Some(2));
}

#[test]
fn a_base_missing_from_a_shallow_clone_checks_everything_with_a_warning() {
    let mut runner = pull_request_runner();
    let head = runner.event["pull_request"]["head"]["sha"]
        .as_str()
        .expect("head")
        .to_string();
    runner.pull_request(&"0123456789abcdef".repeat(3)[..40], &head);
    let run = runner.run(&[]);
    let d = run.describe();
    assert!(
        run.commands().iter().any(|c| c
            .starts_with("::warning title=agentgate::changed-since: revision 0123456789abcdef")
            && c.contains("fetch-depth: 0")),
        "{d}"
    );
    for file in ["agents/bad.agent.yaml", "agents/legacy.agent.yaml"] {
        assert!(
            run.commands()
                .iter()
                .any(|c| c.starts_with(&format!("::error file={file},"))),
            "{file} is reported by the full check\n{d}"
        );
    }
    assert_eq!(run.check().outputs["exit-code"], "1", "{d}");
    assert_eq!(run.job, 1);
}

#[test]
fn an_invalid_upload_sarif_value_fails_before_agentgate_runs() {
    let runner = Runner::new();
    write(
        &runner.workspace,
        "agents/good.agent.yaml",
        compliant_manifest("billing-reconciler", today()),
    );
    git_commit_all(&runner.workspace, "good agent");
    let run = runner.run(&[("upload-sarif", "yes")]);
    let d = run.describe();
    assert_eq!(run.check().code, Some(2), "{d}");
    assert!(
        run.check()
            .stdout
            .contains("::error title=agentgate::upload-sarif must be true or false, not yes"),
        "{d}"
    );
    assert!(run.check().outputs.is_empty(), "{d}");
    assert_eq!(run.uploaded, None);
    let gate = run.steps.last().expect("gate");
    assert_eq!(gate.code, Some(2), "the gate still runs and fails\n{d}");
    assert!(gate.stdout.contains("agentgate did not run"), "{d}");
    assert_eq!(run.job, 2);
    assert_eq!(run.outputs["exit-code"], "");
}
