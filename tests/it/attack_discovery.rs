//! A pull request's author hiding an agent or leaking a secret past discovery: a token in an
//! MCP server's command string, non-UTF-8 agent code, import forms the detectors missed, a
//! client configuration the reader refuses. Each runs the real binary on a real git repository.

use std::path::Path;

use crate::common::*;

/// A GitHub token of the real shape (never a placeholder).
const TOKEN: &str = "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789";

fn repo(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let full = tmp.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
    git_commit_all(tmp.path(), "files");
    tmp
}

fn rules(dir: &Path) -> Vec<(String, String, String)> {
    let run = agentgate(dir, &["discover", "--no-fail", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    findings(&run.json())
}

#[test]
fn a_token_in_an_mcp_command_string_is_flagged_and_never_printed() {
    let config = format!(
        "{{\"mcpServers\": {{\"gh\": {{\"command\": \"GITHUB_PERSONAL_ACCESS_TOKEN={TOKEN} npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"]}}}}}}\n"
    );
    let dir = repo(&[(".mcp.json", config.as_bytes())]);
    let found = rules(dir.path());
    assert!(
        found
            .iter()
            .any(|(rule, file, _)| rule == "AG101" && file == ".mcp.json"),
        "{found:?}"
    );
    for format in ["human", "json", "sarif", "junit", "github", "markdown"] {
        let run = agentgate(dir.path(), &["discover", "--no-fail", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert!(!run.stdout.contains(TOKEN), "{format}: {}", run.stdout);
        assert!(!run.stderr.contains(TOKEN), "{format}: {}", run.stderr);
    }
    let init = agentgate(dir.path(), &["init", "--from", ".mcp.json", "--stdout"]);
    assert!(!init.stdout.contains(TOKEN), "{}", init.stdout);
    assert!(!init.stderr.contains(TOKEN), "{}", init.stderr);
    assert!(
        init.stdout.contains("npx"),
        "{}{}",
        init.stdout,
        init.stderr
    );
}
