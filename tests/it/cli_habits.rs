//! The command-line habits of ruff and zizmor: `--color auto|always|never` with `NO_COLOR`,
//! `FORCE_COLOR` and `CLICOLOR_FORCE`; `--quiet`; `--format concise`; `explain` by slug;
//! counts with the right plural.

use std::path::Path;
use std::process::Command;

use crate::common::{
    agentgate, compliant_manifest, signed, today, trust_test_key, unsigned_compliant_manifest,
    wildcard_manifest, write, TODAY,
};

/// A repository with one compliant agent and one with a wildcard grant (AG011, AG013).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "agents/good.agent.yaml",
        compliant_manifest("good", today()),
    );
    write(
        dir.path(),
        "agents/wild.agent.yaml",
        wildcard_manifest("wild", today()),
    );
    trust_test_key(dir.path());
    dir
}

/// The binary with exactly the colour variables given (the rest of the environment kept, the
/// colour variables of the test's own environment removed); stdout is a pipe.
fn run_with_color_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_agentgate"));
    command.args(args).current_dir(dir);
    for name in [
        "NO_COLOR",
        "FORCE_COLOR",
        "CLICOLOR_FORCE",
        "GITHUB_STEP_SUMMARY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command.output().expect("agentgate runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

const ESC: &str = "\u{1b}[";

/// One colour case: the flags, the environment, and whether the output is coloured.
type ColorCase<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], bool);

#[test]
fn color_follows_the_flag_then_no_color_then_force_color_then_the_terminal() {
    let dir = repo();
    let check = ["check", "--no-discover", "--today", TODAY];
    let cases: &[ColorCase] = &[
        // A pipe, nothing set: plain.
        (&[], &[], false),
        (&["--color", "auto"], &[], false),
        // FORCE_COLOR or CLICOLOR_FORCE colour a pipe (a CI log that renders colour).
        (&[], &[("FORCE_COLOR", "1")], true),
        (&[], &[("CLICOLOR_FORCE", "1")], true),
        // ... but not when set to 0 or empty.
        (&[], &[("FORCE_COLOR", "0")], false),
        (&[], &[("CLICOLOR_FORCE", "")], false),
        // NO_COLOR wins over both.
        (&[], &[("NO_COLOR", "1"), ("FORCE_COLOR", "1")], false),
        (&[], &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], false),
        // An empty NO_COLOR is not set (no-color.org).
        (&[], &[("NO_COLOR", ""), ("FORCE_COLOR", "1")], true),
        // The flag is the user's explicit word: it wins over the environment.
        (&["--color", "always"], &[("NO_COLOR", "1")], true),
        (&["--color", "never"], &[("FORCE_COLOR", "1")], false),
    ];
    for (flags, env, colored) in cases {
        // The flag is global: before or after the subcommand.
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(check);
        let (code, stdout) = run_with_color_env(dir.path(), &args, env);
        assert_eq!(code, 1, "{args:?} {env:?}:\n{stdout}");
        assert_eq!(
            stdout.contains(ESC),
            *colored,
            "{args:?} {env:?}:\n{stdout}"
        );
        let mut after: Vec<&str> = check.to_vec();
        after.extend(flags.iter());
        let (_, stdout) = run_with_color_env(dir.path(), &after, env);
        assert_eq!(stdout.contains(ESC), *colored, "{after:?} {env:?}");
    }
    // Only the terminal text is coloured: a report file never is.
    let (_, _) = run_with_color_env(
        dir.path(),
        &[
            "--color",
            "always",
            "check",
            "--no-discover",
            "--today",
            TODAY,
            "--format",
            "human=out.txt",
        ],
        &[],
    );
    let file = std::fs::read_to_string(dir.path().join("out.txt")).expect("report written");
    assert!(!file.contains(ESC), "{file}");
    assert!(file.contains("AG011"), "{file}");
}

#[test]
fn an_unknown_color_value_is_a_usage_error() {
    let dir = repo();
    let run = agentgate(dir.path(), &["--color", "sometimes", "check"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("always"), "{}", run.stderr);
}

#[test]
fn quiet_prints_only_the_summary_and_keeps_the_exit_code_and_the_files() {
    let dir = repo();
    let run = agentgate(
        dir.path(),
        &[
            "check",
            "--no-discover",
            "--today",
            TODAY,
            "--quiet",
            "--format",
            "human",
            "--format",
            "json=out.json",
        ],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "2 errors, 0 warnings in 1 of 2 agents\n");
    // The report file is whole.
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out.json")).expect("out.json"),
    )
    .expect("JSON");
    assert_eq!(json["findings"].as_array().map(Vec::len), Some(2));
    // -q is the same; a clean run says so in one line and exits 0.
    let run = agentgate(
        dir.path(),
        &[
            "check",
            "-q",
            "--no-discover",
            "--today",
            TODAY,
            "agents/good.agent.yaml",
        ],
    );
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "0 errors, 0 warnings in 0 of 1 agent\n");
}

/// What the run could not check fails it (exit 2), and `--quiet` still says what it was: a
/// silent exit 2 would leave the user nothing to fix.
#[test]
fn quiet_still_names_what_could_not_be_checked() {
    let dir = repo();
    write(
        dir.path(),
        "agents/broken.agent.yaml",
        "apiVersion: agentgate/v1\nkind: [\n",
    );
    let run = agentgate(
        dir.path(),
        &["check", "-q", "--no-discover", "--today", TODAY],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.starts_with("error: agents/broken.agent.yaml:"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .trim_end()
        .ends_with("; 1 problem (files, configuration or policies agentgate could not check)"));
}

#[test]
fn concise_prints_one_line_per_finding() {
    let dir = repo();
    let run = agentgate(
        dir.path(),
        &[
            "check",
            "--no-discover",
            "--today",
            TODAY,
            "--format",
            "concise",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("concise", run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "two findings and the summary:\n{}",
        run.stdout
    );
    for line in &lines[..2] {
        let (place, rest) = line.split_once(": ").expect("file:line:col: ...");
        let parts: Vec<&str> = place.split(':').collect();
        assert_eq!(parts.len(), 3, "{line}");
        assert!(parts[1].parse::<usize>().is_ok() && parts[2].parse::<usize>().is_ok());
        assert!(rest.starts_with("AG0"), "{line}");
    }
    // A warning says so.
    write(
        dir.path(),
        "agents/wild.agent.yaml",
        crate::common::warning_only_manifest("wild", today()),
    );
    let run = agentgate(
        dir.path(),
        &[
            "check",
            "--no-discover",
            "--today",
            TODAY,
            "--format",
            "concise",
        ],
    );
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains(": AG061 warning: "), "{}", run.stdout);
    assert!(run
        .stdout
        .ends_with("0 errors, 1 warning in 1 of 2 agents\n"));
}

#[test]
fn counts_have_the_right_plural() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A wildcard on the grant that already needs human approval: AG011 alone.
    let one_error = signed(
        &unsigned_compliant_manifest("wild", today())
            .replace("actions: [create]", "actions: [create, \"*\"]"),
    );
    write(dir.path(), "agents/wild.agent.yaml", one_error);
    trust_test_key(dir.path());
    let run = agentgate(dir.path(), &["check", "--no-discover", "--today", TODAY]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with("1 error, 0 warnings in 1 of 1 agent\n"),
        "{}",
        run.stdout
    );
    // The inventory counts the same way.
    let run = agentgate(
        dir.path(),
        &["inventory", "--format", "markdown", "--today", TODAY],
    );
    assert!(
        run.stdout.contains("### agentgate inventory: 1 agent\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("1 error, 0 warnings"), "{}", run.stdout);
    assert!(!run.stdout.contains("1 errors"), "{}", run.stdout);
}

#[test]
fn explain_takes_a_slug_as_well_as_an_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let by_id = agentgate(dir.path(), &["explain", "AG011"]);
    let by_slug = agentgate(dir.path(), &["explain", "wildcard-grant"]);
    assert_eq!(by_id.code, 0);
    assert_eq!(by_slug.code, 0);
    assert_eq!(by_id.stdout, by_slug.stdout);
    let unknown = agentgate(dir.path(), &["explain", "wildcard-grnt"]);
    assert_eq!(unknown.code, 2);
}

/// The attacker's file names and values reach the one-line formats too: no line of `concise`
/// or `--quiet` output may be taken by a CI runner as a workflow command, and no control
/// character reaches the log.
#[test]
fn concise_and_quiet_cannot_inject_workflow_commands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = unsigned_compliant_manifest("evil", today()).replace(
        "resource: postgres://ledger/public.payouts",
        "resource: \"db\\n::warning file=x::forged\\r\\n##[error]legacy \\e[2J\"",
    );
    assert!(hostile.contains("forged"));
    write(
        dir.path(),
        "agents/evil\n::stop-commands::tok\n##[error]x.agent.yaml",
        hostile,
    );
    write(
        dir.path(),
        "agents/broken\n::error::forged.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\na: [\n",
    );
    for args in [
        &["check", "--today", TODAY, "--format", "concise"][..],
        &["check", "--today", TODAY, "--quiet"][..],
    ] {
        let run = agentgate(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stdout.contains("forged"), "{args:?}: {}", run.stdout);
        let commands: Vec<&str> = run
            .stdout
            .lines()
            .filter(|l| {
                l.trim_start().starts_with("::") || l.contains("##[") || l.contains("##vso[")
            })
            .collect();
        assert!(
            commands.is_empty(),
            "{args:?}: {commands:?}\n{}",
            run.stdout
        );
        assert!(
            !run.stdout.contains(['\u{1b}', '\r']),
            "{args:?}: {:?}",
            run.stdout
        );
    }
}
