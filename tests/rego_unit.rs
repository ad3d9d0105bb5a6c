//! Runs every `test_*` rule of the built-in pack through regorus, as `opa test` would.

use std::path::Path;

fn rego_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("policies/ is readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rego_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
}

fn test_rule_names(source: &str) -> (String, Vec<String>) {
    let package = source
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .expect("every file has a package")
        .trim()
        .to_string();
    let mut names: Vec<String> = source
        .lines()
        .filter_map(|l| {
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            name.starts_with("test_").then_some(name)
        })
        .collect();
    names.dedup();
    (package, names)
}

const DEFAULT_DATA: &str = r#"{"agentgate": {
  "settings": {"today": "2026-11-23", "maxTtl": 86400, "maxStaticTtl": 7776000,
    "maxReviewAge": 15552000, "maxLifetime": 31536000,
    "lowConsequenceActions": ["read", "list", "get", "query", "describe", "view", "search"],
    "nonPersonEmails": ["team-*", "*-team", "noreply", "no-reply", "admin", "security", "ops", "devops", "root", "*-bot", "bot-*", "svc-*"],
    "directory": null, "allowedSigners": null},
  "inventory": {}, "facts": {}}}"#;

#[test]
fn builtin_pack_rego_tests_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut files = Vec::new();
    rego_files(&root, &mut files);
    files.sort();
    let mut engine = regorus::Engine::new();
    engine.set_strict_builtin_errors(true);
    let mut tests = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).expect("readable policy");
        engine
            .add_policy(file.display().to_string(), source.clone())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if file.to_string_lossy().ends_with("_test.rego") {
            let (package, names) = test_rule_names(&source);
            tests.extend(names.into_iter().map(|n| format!("data.{package}.{n}")));
        }
    }
    engine
        .add_data(regorus::Value::from_json_str(DEFAULT_DATA).expect("default data"))
        .expect("data");
    assert!(!tests.is_empty(), "the built-in pack has Rego tests");
    let mut failures = Vec::new();
    for test in &tests {
        match engine.eval_rule(test.clone()) {
            Ok(regorus::Value::Bool(true)) => {}
            Ok(other) => failures.push(format!("{test}: {other}")),
            Err(e) => failures.push(format!("{test}: error: {e}")),
        }
    }
    println!("{} Rego tests, {} failed", tests.len(), failures.len());
    assert!(
        failures.is_empty(),
        "failing Rego tests:\n{}",
        failures.join("\n")
    );
}
