//! The whole `check` (`agentgate::check::run`) over a temporary repository whose one file is
//! the input, as `agents/fuzz.agent.yaml`, rendered in every format. Every `@@` in the input
//! becomes a GitHub token that AG025 detects.
//!
//! Invariants: no panic; the exit code agrees with the outcome (2 with problems, else 1 with a
//! finding at or above `failOn`, else 0; `--no-fail` leaves only 0 or 2), and a file that claims
//! to be a manifest and cannot be read never passes; the JSON and SARIF outputs are JSON, and the
//! JSON's summary counts what the outcome holds; when the token sits in a string value of the manifest (never
//! in a key, where it is part of a pointer) no output shows it, the human one included.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use agentgate::check::{self, CheckOptions, DEFAULT_MAX_FILE_SIZE};
use agentgate::output::{self, Format, RunInfo};
use agentgate::rule::Severity;
use agentgate::source::SourceFile;
use agentgate::yaml::{self, Limits};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const PLACEHOLDER: &str = "@@";
/// `ghp_` and 36 letters and digits: a GitHub token to the AG025 detectors.
const TOKEN: &str = "ghp_FuzzFuzzFuzz0123456789abcdefghijklmn";

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    manifest: PathBuf,
}

fn repo() -> &'static Repo {
    static REPO: OnceLock<Repo> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().canonicalize().expect("a real path");
        // The repository root is where `.git` is: the run never looks above the folder.
        std::fs::create_dir_all(root.join(".git")).expect(".git");
        std::fs::create_dir_all(root.join("agents")).expect("agents/");
        let manifest = root.join("agents/fuzz.agent.yaml");
        Repo {
            _dir: dir,
            root,
            manifest,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.replace(PLACEHOLDER, TOKEN);
    let repo = repo();
    std::fs::write(&repo.manifest, &text).expect("the manifest is written");
    let options = CheckOptions {
        paths: Vec::new(),
        config: None,
        fail_on: None,
        today: Some(20_000),
        max_file_size: DEFAULT_MAX_FILE_SIZE,
        cwd: repo.root.clone(),
        changes: None,
        packs: Vec::new(),
    };
    let outcome = check::run(&options);

    // The exit code.
    let threshold = outcome.fail_on.unwrap_or(Severity::Error);
    let failing = outcome.findings.iter().any(|f| f.severity >= threshold);
    let expected = if !outcome.problems.is_empty() {
        2
    } else {
        i32::from(failing)
    };
    assert_eq!(outcome.exit_code(false), expected, "exit code: {outcome:?}");
    assert_eq!(
        outcome.exit_code(true),
        if expected == 2 { 2 } else { 0 },
        "exit code with --no-fail"
    );
    let source = SourceFile::new(
        repo.manifest.clone(),
        "fuzz.agent.yaml".into(),
        text.as_str(),
    );
    let parsed = yaml::parse(&source, Limits::default());
    // A file that claims to be a manifest (here: its first line says so) and cannot be read
    // never passes; one that claims nothing is another tool's file (manifest-v1) and may.
    let claims = text.starts_with("apiVersion: agentgate/v1\n");
    if claims && !matches!(&parsed, Ok(documents) if !documents.is_empty()) {
        assert_eq!(expected, 2, "an unreadable manifest passed: {parsed:?}");
    }

    // Every format.
    let info = RunInfo {
        timestamp: "2024-10-04T12:00:00".into(),
        hostname: "fuzz".into(),
    };
    let rendered: Vec<(Format, String)> = Format::ALL
        .into_iter()
        .map(|format| (format, output::render(format, &outcome, false, &info)))
        .collect();
    for (format, text) in &rendered {
        if matches!(format, Format::Json | Format::Sarif) {
            let value: Value = serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("{format} output is not JSON ({e}):\n{text}"));
            if *format == Format::Json {
                let count = |key: &str| value["summary"][key].as_u64();
                assert_eq!(count("problems"), Some(outcome.problems.len() as u64));
                assert_eq!(
                    value["findings"].as_array().map(Vec::len),
                    Some(outcome.findings.len())
                );
            }
        }
    }

    // The token, when it is a value's (and only values'), is never shown, in any format.
    if text.contains(TOKEN) {
        if let Ok(documents) = &parsed {
            let (mut in_value, mut in_key) = (false, false);
            for document in documents {
                scan(&document.value, &mut in_value, &mut in_key);
            }
            if in_value && !in_key {
                let leaks: Vec<&(Format, String)> = rendered
                    .iter()
                    .filter(|(_, output)| output.contains(TOKEN))
                    .collect();
                if let Some((_, output)) = leaks.first() {
                    let names: Vec<&str> = leaks.iter().map(|(f, _)| f.name()).collect();
                    panic!("outputs show the secret: {names:?}; the first:\n{output}");
                }
            }
        }
    }
});

/// Whether the token occurs in a string value, and whether in a key.
fn scan(value: &Value, in_value: &mut bool, in_key: &mut bool) {
    match value {
        Value::String(s) => *in_value |= s.contains(TOKEN),
        Value::Array(items) => items.iter().for_each(|v| scan(v, in_value, in_key)),
        Value::Object(map) => {
            for (key, v) in map {
                *in_key |= key.contains(TOKEN);
                scan(v, in_value, in_key);
            }
        }
        _ => {}
    }
}
