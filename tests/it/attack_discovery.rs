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

#[test]
fn non_utf8_agent_code_and_env_files_are_still_scanned() {
    let dir = repo(&[
        (
            "agent.py",
            b"# caf\xe9\nimport openai\nclient = openai.OpenAI()\n",
        ),
        (
            "web/bot.mjs",
            b"// caf\xe9\nimport OpenAI from \"openai\";\nconst c = new OpenAI();\n",
        ),
        (
            ".env",
            b"# caf\xe9\nOPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF\n",
        ),
    ]);
    let found = rules(dir.path());
    for file in ["agent.py", "web/bot.mjs"] {
        assert!(
            found
                .iter()
                .any(|(rule, f, _)| rule == "AG100" && f == file),
            "{file}: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|(rule, f, _)| rule == "AG101" && f == ".env"),
        "{found:?}"
    );
}

#[test]
fn a_non_utf8_json_file_naming_a_client_key_fails_closed() {
    let dir = repo(&[(
        "tools/mcp.json",
        format!("{{\"note\": \"caf\u{fffd}\", \"mcpServers\": {{\"gh\": {{\"command\": \"npx\", \"env\": {{\"GITHUB_TOKEN\": \"{TOKEN}\"}}}}}}}}\n")
            .replace('\u{fffd}', "\u{1}")
            .into_bytes()
            .into_iter()
            .map(|b| if b == 1 { 0xe9 } else { b })
            .collect::<Vec<u8>>()
            .as_slice(),
    )]);
    let run = agentgate(dir.path(), &["discover", "--format", "json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let out = format!("{}{}", run.stdout, run.stderr);
    assert!(
        out.contains("tools/mcp.json") && out.contains("not valid UTF-8"),
        "{out}"
    );
}

#[test]
fn valid_import_forms_the_detectors_missed_are_found() {
    let files: &[(&str, &[u8])] = &[
        ("py_tab/agent.py", b"import\topenai\n"),
        ("py_semi/agent.py", b"import os; import anthropic\n"),
        ("py_spaces/agent.py", b"from  openai import OpenAI\n"),
        (
            "js_nospace/bot.mjs",
            b"import OpenAI from\"openai\";\nnew OpenAI();\n",
        ),
        (
            "js_split/bot.mjs",
            b"import OpenAI from\n  \"openai\";\nnew OpenAI();\n",
        ),
        (
            "js_comment/bot.ts",
            b"/* x */ import OpenAI from \"openai\";\n",
        ),
        (
            "js_semi/bot.js",
            b"const a = 1; const OpenAI = require (\"openai\");\n",
        ),
        (
            "go_paren/main.go",
            b"package main\n\nimport(\n\t\"fmt\"\n\t\"github.com/sashabaranov/go-openai\"\n)\n",
        ),
        (
            "go_raw/main.go",
            b"package main\n\nimport oa `github.com/sashabaranov/go-openai`\n",
        ),
    ];
    let dir = repo(files);
    let found = rules(dir.path());
    for (file, _) in files {
        assert!(
            found
                .iter()
                .any(|(rule, f, _)| rule == "AG100" && f == file),
            "{file}: {found:?}"
        );
    }
}

#[test]
fn strings_and_comments_mentioning_imports_still_do_not_count() {
    let dir = repo(&[
        (
            "py/app.py",
            b"x = \"a; import openai\"\n# import openai\nprint('from openai import x')\n",
        ),
        (
            "js/app.js",
            b"const s = \"x; import OpenAI from 'openai'\";\n// import OpenAI from \"openai\";\n",
        ),
        (
            "go/main.go",
            b"package main\n\n// import `github.com/sashabaranov/go-openai`\n",
        ),
    ]);
    let found = rules(dir.path());
    assert!(
        !found.iter().any(|(rule, _, _)| rule == "AG100"),
        "{found:?}"
    );
}

/// A client reads JSON with JSON.parse (the last duplicate key wins, big integers are fine):
/// a file naming a client key that agentgate's stricter reader refuses fails closed, naming
/// the file, whether its name is a client's (in any case) or not.
#[test]
fn a_client_configuration_the_reader_refuses_fails_closed() {
    let server = format!(
        "\"mcpServers\": {{\"gh\": {{\"command\": \"npx\", \"env\": {{\"GITHUB_TOKEN\": \"{TOKEN}\"}}}}}}"
    );
    let cases = [
        (
            ".gemini/settings.json",
            format!("{{\"theme\": \"a\", \"theme\": \"b\", {server}}}\n"),
        ),
        (
            ".roo/mcp.json",
            format!("{{\"n\": 123456789012345678901234567890, {server}}}\n"),
        ),
        (".MCP.json", format!("{{\"a\": 1, \"a\": 2, {server}}}\n")),
        (
            "tools/agent-config.json",
            format!("{{\"a\": 1, \"a\": 2, {server}}}\n"),
        ),
    ];
    for (file, text) in cases {
        let dir = repo(&[(file, text.as_bytes())]);
        let run = agentgate(dir.path(), &["discover", "--format", "json"]);
        let out = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{file}: {out}");
        assert!(out.contains(file), "{file}: {out}");
        assert!(!out.contains(TOKEN), "{file}: {out}");
    }
    // A case-changed client folder is still the client's.
    let dir = repo(&[(
        ".VSCode/mcp.json",
        format!("{{\"servers\": {{\"gh\": {{\"command\": \"npx\", \"env\": {{\"GITHUB_TOKEN\": \"{TOKEN}\"}}}}}}}}\n").as_bytes(),
    )]);
    let found = rules(dir.path());
    assert!(
        found
            .iter()
            .any(|(rule, f, _)| rule == "AG101" && f == ".VSCode/mcp.json"),
        "{found:?}"
    );
}

#[test]
fn a_key_in_an_mcp_url_host_is_not_written_into_an_init_draft() {
    let key = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx";
    let config = format!(
        "{{\"mcpServers\": {{\"h\": {{\"type\": \"http\", \"url\": \"https://{key}.mcp.example.com/mcp\"}}}}}}\n"
    );
    let dir = repo(&[(".mcp.json", config.as_bytes())]);
    let init = agentgate(dir.path(), &["init", "--from", ".mcp.json", "--stdout"]);
    assert!(!init.stdout.contains(key), "{}", init.stdout);
    assert!(!init.stderr.contains(key), "{}", init.stderr);
    assert!(
        init.stdout.contains("mcp.example.com"),
        "{}{}",
        init.stdout,
        init.stderr
    );
}

/// Found by CI's `discovery` fuzz run: a `.env` value that is a key, NUL bytes, then a `#` and
/// something with `://` was quoted up to the `#` (the URL cleaner saw a URL whose `://` sat in
/// its fragment, and gave back everything before it).
#[test]
fn a_key_before_a_fragment_that_holds_a_scheme_is_never_printed() {
    let env = b"DEBUG=false\nANTHROPIC_API_KEY=sk-ant-api04-Xy7Qm2Lp9Rt4Kv8\0\0\0\0\0\0\0#1Js://localhost/aPp\n";
    let dir = repo(&[(".env", env)]);
    let found = rules(dir.path());
    assert!(
        found
            .iter()
            .any(|(rule, file, _)| rule == "AG101" && file == ".env"),
        "{found:?}"
    );
    for format in [
        "human", "json", "sarif", "junit", "github", "markdown", "concise",
    ] {
        let run = agentgate(dir.path(), &["discover", "--no-fail", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        for shown in [&run.stdout, &run.stderr] {
            assert!(!shown.contains("Xy7Qm2Lp9Rt4Kv8"), "{format}: {shown}");
        }
    }
}

/// Type-only imports load nothing, so they make no agent; a default import whose binding is
/// named `type` (`import type from "openai"`) loads the SDK and must not pass for one.
#[test]
fn a_binding_named_type_is_not_a_type_only_import() {
    let dir = repo(&[
        ("svc/package.json", b"{\"name\": \"svc\"}\n"),
        (
            "svc/index.ts",
            b"import type from \"openai\";\nconst client = new type();\n",
        ),
        ("lib/package.json", b"{\"name\": \"lib\"}\n"),
        (
            "lib/types.ts",
            b"import type OpenAI from \"openai\";\nexport type Client = OpenAI;\n",
        ),
    ]);
    let found = rules(dir.path());
    assert!(
        found
            .iter()
            .any(|(rule, file, _)| rule == "AG100" && file == "svc/index.ts"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(_, file, _)| file.starts_with("lib/")),
        "{found:?}"
    );
}

/// An adversary's review of the type-only rule: each file loads `openai` at run time behind an
/// earlier type-only statement or a comment, and must be found.
#[test]
fn runtime_imports_behind_type_only_statements_are_found() {
    let cases: [(&str, &[u8]); 6] = [
        (
            "a/a.ts",
            b"export type { Foo };\nconst {\n  OpenAI\n} = require(\"openai\");\nnew OpenAI()\n",
        ),
        (
            "b/b.ts",
            b"import type { A,\n  B } from \"zod\";\nif (process.env.X) {\n} else { const { OpenAI } = require(\"openai\"); new OpenAI() }\n",
        ),
        (
            "c/c.ts",
            b"type Foo = string;\nexport type { Foo };\nlet client;\ntry {\n  client = 1\n} catch (e) {\n} finally { client = new (require(\"openai\").OpenAI)() }\n",
        ),
        ("d/d.ts", b"import type /* c */ from \"openai\";\nconsole.log(type)\n"),
        ("e/e.ts", b"import type //x\n  from \"openai\";\nconsole.log(type)\n"),
        ("f/f.js", b"import type //x\n  from \"openai\";\nconsole.log(type)\n"),
    ];
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for (path, text) in cases {
        let folder = path.split('/').next().unwrap();
        files.push((
            format!("{folder}/package.json"),
            b"{\"name\": \"x\"}\n".to_vec(),
        ));
        files.push((path.to_string(), text.to_vec()));
    }
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_slice()))
        .collect();
    let dir = repo(&borrowed);
    let found = rules(dir.path());
    for (path, _) in cases {
        assert!(
            found
                .iter()
                .any(|(rule, file, _)| rule == "AG100" && file == path),
            "{path}: {found:?}"
        );
    }
}

/// An adversary's review of the client-configuration scan: a key behind a percent-encoded
/// byte, in an agent card, in a client's settings that agentgate cannot parse, or as a name.
#[test]
fn keys_hidden_from_the_client_configuration_scan_are_found_and_never_printed() {
    let key = "sk-proj-Q7mZr2Lp9Rt4Kv8Nw3Bz6Hc1JsXa5Ye0PdQ7mZr2Lp9Rt4Kv8Nw3Bz6Hc1JsXa5Ye0Pd";
    let mcp = format!(
        "{{\"mcpServers\": {{\"s\": {{\"url\": \"https://mcp.example.com/sse%3Fk%3D{key}\"}}, \"{key}\": {{\"command\": \"npx\", \"args\": [\"x-mcp\"]}}}}}}\n"
    );
    let card = format!(
        "{{\"name\": \"a\", \"description\": \"d\", \"url\": \"https://a.example.com\", \"version\": \"1\", \"skills\": [], \"capabilities\": {{}}, \"x-note\": {{\"apiKey\": \"{key}\"}}}}\n"
    );
    let settings = format!(
        "{{\n  \"some.ext.apiKey\": \"{key}\",\n  \"editor.tabSize\": 2,\n  \"editor.tabSize\": 4\n}}\n"
    );
    let dir = repo(&[
        (".mcp.json", mcp.as_bytes()),
        (".well-known/agent-card.json", card.as_bytes()),
        (".vscode/settings.json", settings.as_bytes()),
    ]);
    let found = rules(dir.path());
    for (file, pointer) in [
        (".mcp.json", "/mcpServers/s/url"),
        (".well-known/agent-card.json", "/x-note/apiKey"),
        (".vscode/settings.json", "/line 2"),
    ] {
        assert!(
            found
                .iter()
                .any(|(rule, f, p)| rule == "AG101" && f == file && p == pointer),
            "{file} {pointer}: {found:?}"
        );
    }
    // The server named by the key: reported, its name never printed, not even in a path.
    assert!(
        found
            .iter()
            .filter(|(rule, f, _)| rule == "AG101" && f == ".mcp.json")
            .count()
            >= 2,
        "{found:?}"
    );
    for format in [
        "human", "json", "sarif", "junit", "github", "markdown", "concise",
    ] {
        let run = agentgate(dir.path(), &["discover", "--no-fail", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        for shown in [&run.stdout, &run.stderr] {
            assert!(!shown.contains("Q7mZr2Lp9Rt4Kv8"), "{format}: {shown}");
        }
    }
}

/// A token inside the name of an `env` key or of a server (found by the fuzzer): the message
/// quoted the name, and its lowercased, hyphenated form in the suggested `${input:…}` showed
/// most of the token in a shape the output's scrubber does not know.
#[test]
fn a_token_in_an_env_key_or_server_name_is_never_printed_in_any_form() {
    let config = format!(
        "{{\"mcpServers\": {{\"gh {TOKEN}\": {{\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"], \"env\": {{\"GITHUB_TOKEN\\n  TICKETS_TOKEN: {TOKEN}\": \"u{TOKEN}\"}}}}}}}}\n"
    );
    let dir = repo(&[(".mcp.json", config.as_bytes())]);
    let found = rules(dir.path());
    assert!(
        found.iter().any(|(rule, _, _)| rule == "AG101"),
        "{found:?}"
    );
    let hidden = TOKEN.to_ascii_lowercase().replace('_', "-");
    // The formats that carry messages and no source snippet (the human format's snippet of
    // this line still shows the key: see docs/threat-model.md, "Known gaps").
    for format in ["json", "sarif", "github", "concise"] {
        let run = agentgate(dir.path(), &["discover", "--no-fail", "--format", format]);
        let lower = run.stdout.to_ascii_lowercase().replace('_', "-");
        assert!(!lower.contains(&hidden[4..]), "{format}: {}", run.stdout);
    }
}
