//! `agentgate init` with the real binary: a zero-privilege manifest whose only failures are its
//! TODO placeholders, drafts from an MCP configuration and an A2A Agent Card that carry no
//! secret and pass once the TODOs are filled in, overwrite protection, and the prompts on a
//! real terminal.

use std::path::Path;

use crate::common::*;
use serde_json::Value;

/// A copy of the discovery fixture with a realistic mix of agents, as a repository.
fn mixed_repository() -> tempfile::TempDir {
    let work = tempfile::tempdir().expect("tempdir");
    copy_dir(&crate_dir().join("testdata/discover/mixed"), work.path());
    std::fs::create_dir_all(work.path().join(".git")).expect("mark the repository root");
    work
}

const GITHUB_TOKEN: &str = "ghp_R8x2Lq9ZkT4mWv7NcY3bHs6PdJf1Ga5Ue0Qo";

fn check(dir: &Path, target: &str) -> Run {
    agentgate(
        dir,
        &["check", target, "--format", "json", "--today", TODAY],
    )
}

/// Every error finding of a run, each with the value at its path in the manifest.
fn errors_with_values(dir: &Path, run: &Run) -> Vec<(String, String, Value)> {
    let json = run.json();
    assert_eq!(json["errors"], serde_json::json!([]), "{}", run.stdout);
    json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            let path = f["path"].as_str().unwrap();
            let value = read_yaml(&dir.join(file))
                .pointer(path)
                .cloned()
                .unwrap_or(Value::Null);
            (
                f["rule"].as_str().unwrap().to_string(),
                path.to_string(),
                value,
            )
        })
        .collect()
}

/// Asserts the manifest fails only where a TODO is left, and that AG007 names each TODO.
fn assert_fails_only_on_todos(dir: &Path, target: &str) {
    let run = check(dir, target);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let errors = errors_with_values(dir, &run);
    assert!(!errors.is_empty());
    for (rule, path, value) in &errors {
        // A draft that holds access also needs its security review (AG040), which no TODO
        // answers: a reviewer signs it once the TODOs are filled in.
        if (rule.as_str(), path.as_str(), value) == ("AG040", "/spec/review", &Value::Null) {
            continue;
        }
        assert!(
            value.as_str().is_some_and(|v| v.starts_with("TODO")),
            "{rule} fails at {path}, which holds {value}, not a TODO"
        );
    }
    let placeholders = errors.iter().filter(|(rule, _, _)| rule == "AG007").count();
    let todos = run.stdout.matches("still a placeholder").count();
    assert_eq!(placeholders, todos);
}

/// What a person would write in place of each TODO.
fn filled(path: &str, value: &str) -> Value {
    let text = match path.rsplit('/').next().unwrap_or_default() {
        "email" if path.contains("backup") => "raj.patel@example.com",
        "email" => "jane.doe@example.com",
        "name" if path.contains("backup") => "Raj Patel",
        "name" => "Jane Doe",
        "ttl" if value.contains("90d") => "30d",
        "ttl" => "1h",
        "rotation" => "automatic",
        "source" => "vault://agents/credential",
        "logSink" => "siem://splunk/agents",
        "schedule" => "on demand",
        "id" => "spiffe://example.org/ns/agents/sa/agent",
        _ => "Filled in by the test: a real answer in a real manifest.",
    };
    Value::String(text.into())
}

fn fill_todos(value: &mut Value, path: &str) {
    match value {
        Value::String(text) if text.starts_with("TODO") => *value = filled(path, text),
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                fill_todos(item, &format!("{path}/{i}"));
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                fill_todos(item, &format!("{path}/{key}"));
            }
        }
        _ => {}
    }
}

/// Rewrites a manifest with every TODO answered (as JSON, which YAML reads as it is); a draft
/// that holds access is then reviewed, signed by the test-only key, which the repository
/// (the parent of `.agents/`) trusts.
fn answer_todos(file: &Path) {
    let mut value = read_yaml(file);
    fill_todos(&mut value, "");
    let holds = |key: &str| value["spec"][key].as_array().is_some_and(|a| !a.is_empty());
    if holds("permissions") || holds("credentials") {
        value["spec"]["review"] =
            serde_json::json!({"reviewer": "sec-review@example.com", "date": TODAY});
        let digest = agentgate::digest::digest(&value);
        let signature = test_signing_key()
            .sign(
                agentgate::review::NAMESPACE,
                ssh_key::HashAlg::Sha512,
                digest.as_bytes(),
            )
            .and_then(|sig| sig.to_pem(ssh_key::LineEnding::LF))
            .expect("the test key signs");
        value["spec"]["review"]["digest"] = Value::String(digest);
        value["spec"]["review"]["signature"] = Value::String(signature);
        trust_test_key(
            file.parent()
                .and_then(Path::parent)
                .expect(".agents/NAME.yaml"),
        );
    }
    std::fs::write(file, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

/// Once the TODOs are answered, the manifests pass with no finding at all.
fn assert_clean(dir: &Path) {
    let run = check(dir, ".agents");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["findings"], serde_json::json!([]));
}

#[test]
fn init_starts_from_zero_and_fails_only_on_its_todos() {
    let repo = mixed_repository();
    // The fixture's own billing-reconciler would share the name with the one drafted here: a
    // duplicated name is reported on both files in every run touching either (AG080).
    std::fs::remove_file(repo.path().join("agents/billing.agent.yaml")).unwrap();
    let run = agentgate(
        repo.path(),
        &[
            "init",
            "billing-reconciler",
            "--today",
            TODAY,
            "--owner-name",
            "Jane Doe",
            "--owner-email",
            "jane.doe@example.com",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "wrote .agents/billing-reconciler.yaml (8 TODOs to fill in; `agentgate check .agents/billing-reconciler.yaml` lists them)\n"
    );
    let file = repo.path().join(".agents/billing-reconciler.yaml");
    let manifest = read_yaml(&file);
    assert_eq!(manifest["spec"]["permissions"], serde_json::json!([]));
    assert_eq!(manifest["spec"]["credentials"], serde_json::json!([]));
    assert_eq!(manifest["spec"]["lifecycle"]["status"], "proposed");
    assert_eq!(manifest["spec"]["lifecycle"]["expires"], "2027-02-21");
    assert_eq!(manifest["spec"]["owner"]["email"], "jane.doe@example.com");

    assert_fails_only_on_todos(repo.path(), ".agents");
    answer_todos(&file);
    assert_clean(repo.path());
}

#[test]
fn init_from_an_mcp_configuration_drafts_one_manifest_per_server_without_the_secret() {
    let repo = mixed_repository();
    let run = agentgate(
        repo.path(),
        &[
            "init",
            "--from",
            ".mcp.json",
            "--today",
            TODAY,
            "--no-input",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("wrote .agents/github.yaml"));
    assert!(run.stdout.contains("wrote .agents/docs.yaml"));

    let github = repo.path().join(".agents/github.yaml");
    let docs = repo.path().join(".agents/docs.yaml");
    for (file, server) in [(&github, "github"), (&docs, "docs")] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            !text.contains(GITHUB_TOKEN) && !text.contains("ghp_"),
            "{text}"
        );
        // Each draft governs its own server of the file (`#NAME`), not the whole file (AG104).
        assert_eq!(
            read_yaml(file)["spec"]["sources"],
            serde_json::json!([format!(".mcp.json#{server}")])
        );
    }
    let github_value = read_yaml(&github);
    let credential = &github_value["spec"]["credentials"][0];
    assert_eq!(credential["name"], "github-personal-access-token");
    assert_eq!(credential["type"], "api_key");
    assert!(credential["source"]
        .as_str()
        .unwrap()
        .contains("holds a literal secret: revoke it"));
    let docs_value = read_yaml(&docs);
    assert_eq!(docs_value["spec"]["credentials"][0]["name"], "docs-token");
    assert!(docs_value["spec"]["credentials"][0]["source"]
        .as_str()
        .unwrap()
        .contains("${input:docs-token}"));

    assert_fails_only_on_todos(repo.path(), ".agents");
    answer_todos(&github);
    answer_todos(&docs);
    let run = check(repo.path(), ".agents");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let json = run.json();
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // Static keys stay a warning (AG023): the draft cannot know a better credential exists.
    assert_eq!(rules, vec!["AG023", "AG023"]);

    // The servers are governed now; the literal token in .mcp.json is still an error.
    let run = agentgate(
        repo.path(),
        &["discover", "--format", "json", "--today", TODAY],
    );
    let findings = run.json()["findings"].clone();
    let at = |rule: &str, path: &str| {
        findings
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == rule && f["file"] == ".mcp.json" && f["path"] == path)
    };
    assert!(!at("AG100", "/mcpServers/github"));
    assert!(!at("AG100", "/mcpServers/docs"));
    assert!(at(
        "AG101",
        "/mcpServers/github/env/GITHUB_PERSONAL_ACCESS_TOKEN"
    ));
}

#[test]
fn init_from_an_agent_card_carries_its_purpose_skills_provider_and_schemes() {
    let repo = mixed_repository();
    let run = agentgate(
        repo.path(),
        &[
            "init",
            "--from",
            ".well-known/agent-card.json",
            "--today",
            TODAY,
            "--no-input",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = repo.path().join(".agents/travel-planner.yaml");
    let manifest = read_yaml(&file);
    assert_eq!(manifest["metadata"]["name"], "travel-planner");
    assert_eq!(
        manifest["spec"]["purpose"],
        "Plans trips and books hotels for employees. Skills: Plan a trip (Builds an itinerary); Book a hotel (Books a hotel room)."
    );
    assert!(manifest["spec"]["owner"]["name"]
        .as_str()
        .unwrap()
        .contains("Example Corp"));
    assert_eq!(manifest["spec"]["identity"]["type"], "oauth_client");
    assert_eq!(
        manifest["spec"]["credentials"][0]["type"],
        "oauth_client_credentials"
    );
    assert_eq!(
        manifest["spec"]["sources"],
        serde_json::json!([".well-known/agent-card.json"])
    );

    assert_fails_only_on_todos(repo.path(), ".agents");
    answer_todos(&file);
    assert_clean(repo.path());
}

#[test]
fn init_never_overwrites_without_force() {
    let repo = mixed_repository();
    let args = ["init", "triage-bot", "--today", TODAY, "--no-input"];
    assert_eq!(agentgate(repo.path(), &args).code, 0);
    let file = repo.path().join(".agents/triage-bot.yaml");
    std::fs::write(&file, "kept").unwrap();

    let run = agentgate(repo.path(), &args);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: .agents/triage-bot.yaml already exists; pass --force to overwrite\n"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");

    let run = agentgate(repo.path(), &[&args[..], &["--force"]].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("apiVersion: agentgate/v1"));
}

#[test]
fn init_prints_with_stdout_and_writes_nothing() {
    let repo = mixed_repository();
    let run = agentgate(
        repo.path(),
        &["init", "--from", ".mcp.json", "--stdout", "--today", TODAY],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches("apiVersion: agentgate/v1").count(), 2);
    assert!(run.stdout.contains("\n---\n"));
    assert!(!repo.path().join(".agents").exists());
}

#[test]
fn init_refuses_bad_input_with_a_message() {
    let repo = mixed_repository();
    let cases: [(&[&str], &str); 5] = [
        (
            &["init", "--no-input"],
            "error: give the new agent's name (`agentgate init billing-reconciler`) or a file to start from (`--from .mcp.json`)\n",
        ),
        (
            &["init", "Billing Bot", "--no-input"],
            "error: \"Billing Bot\" is not a lowercase DNS label (metadata.name); try \"billing-bot\"\n",
        ),
        (
            &["init", "x", "--owner-email", "jane", "--no-input"],
            "error: \"jane\" is not an email address\n",
        ),
        (
            &["init", "--from", "services/web-agent/package.json", "--no-input"],
            "error: services/web-agent/package.json is neither an MCP client configuration (a top-level mcpServers or servers map of MCP servers) nor an A2A Agent Card (name, url, skills); give one of those to --from\n",
        ),
        (
            &["init", "one", "--from", ".mcp.json", "--no-input"],
            "error: the file describes 2 agents; leave out the name to write one manifest each\n",
        ),
    ];
    for (args, message) in cases {
        let run = agentgate(repo.path(), args);
        assert_eq!((run.code, run.stderr.as_str()), (2, message), "{args:?}");
    }
    let elsewhere = tempfile::tempdir().unwrap();
    write(
        elsewhere.path(),
        ".mcp.json",
        "{\"mcpServers\": {\"a\": {\"command\": \"x\"}}}",
    );
    let outside = elsewhere.path().join(".mcp.json");
    let run = agentgate(repo.path(), &["init", "--from", outside.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is outside the repository"),
        "{}",
        run.stderr
    );
    write(repo.path(), "huge.json", vec![b' '; 2 << 20]);
    let run = agentgate(repo.path(), &["init", "--from", "huge.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("is larger than"), "{}", run.stderr);
    write(repo.path(), "broken.json", "{\"mcpServers\": {\"a\": [}\n");
    let run = agentgate(repo.path(), &["init", "--from", "broken.json"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: broken.json:1:"),
        "{}",
        run.stderr
    );
    assert!(!repo.path().join(".agents").exists());
}

/// The prompts, answered on a real terminal: `script` (util-linux, on every Debian machine)
/// gives the binary a pseudo-terminal.
#[test]
fn init_asks_for_name_owner_and_purpose_on_a_terminal() {
    let repo = mixed_repository();
    let command = format!("{} init --today {TODAY}", env!("CARGO_BIN_EXE_agentgate"));
    let mut child = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(repo.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script starts");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            b"triage-bot\nJane Doe\njane.doe@example.com\nSorts support tickets by product area.\n",
        )
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("Agent name"), "{stdout}");
    let manifest = read_yaml(&repo.path().join(".agents/triage-bot.yaml"));
    assert_eq!(manifest["spec"]["owner"]["name"], "Jane Doe");
    assert_eq!(manifest["spec"]["owner"]["email"], "jane.doe@example.com");
    assert_eq!(
        manifest["spec"]["purpose"],
        "Sorts support tickets by product area."
    );
}

/// Secrets hide in defaults, mixed values, arguments, URLs and odd names: none may reach the
/// drafted manifests, and a name with a line break must not inject YAML of its own.
#[test]
fn init_from_hostile_configurations_copies_no_secret() {
    let repo = mixed_repository();
    let secrets = [
        "Hunter2Hunter2Pw",
        "DefaultTok9876543",
        "Up3rS3cretPw",
        "MIXEDSECRET123",
        "s3cr3tAbCdEf123456",
        "URLPASSWORD42",
        "QUERYTOKEN77",
        "CARDURLPASS",
        "CARDQUERYTOKEN",
    ];
    write(
        repo.path(),
        "tools/mcp.json",
        r#"{"mcpServers": {
  "db": {"command": "db-mcp", "env": {"DB_PASSWORD": "${DB_PASSWORD:-Hunter2Hunter2Pw}", "PGPASSWORD": "$Up3rS3cretPw!"}},
  "api": {"type": "http", "url": "https://a.example.com/mcp", "headers": {"Authorization": "Bearer ${API_TOKEN:-DefaultTok9876543}", "X-Api-Key": "${USER}:MIXEDSECRET123"}},
  "remote": {"command": "npx", "args": ["mcp-remote", "https://x.example.com/sse?t=QUERYTOKEN77", "--header", "Authorization: Bearer s3cr3tAbCdEf123456"]},
  "userinfo": {"url": "https://alice:URLPASSWORD42@mcp.example.com/mcp"},
  "x\napiVersion: agentgate/v1\nkind: Agent\n---\n#": {"command": "node", "args": ["\ud83d\ude00"]}
}}"#,
    );
    write(
        repo.path(),
        "cards/agent-card.json",
        r#"{"name": "Card", "url": "https://bob:CARDURLPASS@agent.example.com/a2a?token=CARDQUERYTOKEN",
  "skills": [{"name": "x"}, 5], "capabilities": {}, "securitySchemes": {"dup": {"type": "apiKey"}, "DUP": {"type": "apiKey"}, "odd": "?"}}"#,
    );
    for file in ["tools/mcp.json", "cards/agent-card.json"] {
        let run = agentgate(
            repo.path(),
            &["init", "--from", file, "--today", TODAY, "--no-input"],
        );
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
    }
    let drafts = walk(&repo.path().join(".agents"));
    assert_eq!(drafts.len(), 6, "{drafts:?}");
    for draft in &drafts {
        let text = std::fs::read_to_string(draft).unwrap();
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{secret} in {}:\n{text}",
                draft.display()
            );
        }
        read_yaml(draft); // one document, which reads back
    }
    let card = read_yaml(&repo.path().join(".agents/card.yaml"));
    let names: Vec<&str> = card["spec"]["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dup", "dup-2"]);
    let run = check(repo.path(), ".agents");
    let json = run.json();
    let rules: std::collections::BTreeSet<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules
            .iter()
            .all(|r| ["AG007", "AG020", "AG023", "AG024", "AG040"].contains(r)),
        "{rules:?}"
    );
}
