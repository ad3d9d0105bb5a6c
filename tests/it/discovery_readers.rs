//! Issue 16: every MCP client's configuration read as its client reads it, agent code in the
//! frameworks people use, secrets as they are committed; the false-positive guards
//! (placeholders, mocks in tests, a local `agents` package, an ordinary web app) and the ways a
//! pull request's author could hide an agent (comments, a byte-order mark, unusual casing, a
//! disabled server, an agent in a test folder that is really used). Each test runs the real
//! binary on a real git repository, and checks the JSON and the human output.

use std::path::Path;

use crate::common::*;

/// A GitHub token of the real shape (never a placeholder).
const TOKEN: &str = "ghp_R8x2Kq9LmZ4vT7nB3wY6pD1sF5hJ0cA8eG2u";

fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        write(tmp.path(), path, text);
    }
    git_commit_all(tmp.path(), "files");
    tmp
}

/// `(rule, file, pointer)` of every finding, sorted, and the human output.
fn discover(dir: &Path) -> (Vec<(String, String, String)>, String, serde_json::Value) {
    let run = agentgate(dir, &["discover", "--no-fail", "--format", "json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    let mut found = findings(&json);
    found.sort();
    let human = agentgate(dir, &["discover", "--no-fail"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    (found, human.stdout, json)
}

fn f(rule: &str, file: &str, pointer: &str) -> (String, String, String) {
    (rule.into(), file.into(), pointer.into())
}

fn messages(json: &serde_json::Value) -> Vec<String> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_client_configuration_is_read_where_its_client_reads_it() {
    let dir = repo(&[
        (
            ".codex/config.toml",
            "# Codex\n[mcp_servers.github]\ncommand = \"npx\"\nargs = [\"-y\", \"@modelcontextprotocol/server-github\"]\n\n[mcp_servers.github.env]\nGITHUB_TOKEN = \"ghp_R8x2Kq9LmZ4vT7nB3wY6pD1sF5hJ0cA8eG2u\"\n",
        ),
        (
            "opencode.jsonc",
            "{\n  // opencode\n  \"mcp\": {\n    \"docs\": {\"type\": \"remote\", \"url\": \"https://docs.example.com/mcp\"},\n    \"off\": {\"type\": \"local\", \"command\": [\"npx\", \"-y\", \"srv\"], \"enabled\": false,},\n  },\n}\n",
        ),
        (
            ".zed/settings.json",
            "{\"context_servers\": {\"db\": {\"command\": {\"path\": \"db-mcp\", \"args\": [], \"env\": {}}}}, \"theme\": \"One\"}",
        ),
        (
            ".continue/mcpServers/tools.yaml",
            "name: tools\nversion: 0.0.1\nschema: v1\nmcpServers:\n  - name: memory\n    command: npx\n    args: [-y, \"@modelcontextprotocol/server-memory\"]\n",
        ),
        (
            ".config/goose/config.yaml",
            "extensions:\n  fetch:\n    name: fetch\n    type: stdio\n    cmd: uvx\n    args: [mcp-server-fetch]\n    enabled: true\n  developer:\n    type: builtin\n    name: developer\n    enabled: true\n",
        ),
        (
            "librechat.yaml",
            "version: 1.2.1\ninterface:\n  mcpServers:\n    use: true\nmcpServers:\n  tickets:\n    type: streamable-http\n    url: https://tickets.example.com/mcp\n",
        ),
        (
            ".roo/mcp.json",
            "{\"mcpServers\": {\"search\": {\"command\": \"npx\", \"args\": [\"search-mcp\"], \"disabled\": true}}}",
        ),
        (
            ".vscode/settings.json",
            "{\n  // VS Code user settings\n  \"editor.tabSize\": 2,\n  \"mcp\": {\"servers\": {\"fs\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"x\"]}}}\n}\n",
        ),
        (
            ".gemini/settings.json",
            "{\"mcpServers\": {\"coder\": {\"command\": \"node\", \"args\": [\"coder.js\"]}}}",
        ),
        (
            "tools/cline_mcp_settings.json",
            "{\"mcpServers\": {\"ssh\": {\"command\": \"python3\", \"args\": [\"ssh.py\"]}}}",
        ),
        (
            ".codeium/windsurf/mcp_config.json",
            "{\"mcpServers\": {\"web\": {\"serverUrl\": \"https://web.example.com/mcp\"}}}",
        ),
    ]);
    let (found, human, json) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f(
                "AG100",
                ".codeium/windsurf/mcp_config.json",
                "/mcpServers/web"
            ),
            f("AG100", ".codex/config.toml", "/mcp_servers/github"),
            f(
                "AG100",
                ".config/goose/config.yaml",
                "/extensions/developer"
            ),
            f("AG100", ".config/goose/config.yaml", "/extensions/fetch"),
            f("AG100", ".continue/mcpServers/tools.yaml", "/mcpServers/0"),
            f("AG100", ".gemini/settings.json", "/mcpServers/coder"),
            f("AG100", ".roo/mcp.json", "/mcpServers/search"),
            f("AG100", ".vscode/settings.json", "/mcp/servers/fs"),
            f("AG100", ".zed/settings.json", "/context_servers/db"),
            f("AG100", "librechat.yaml", "/mcpServers/tickets"),
            f("AG100", "opencode.jsonc", "/mcp/docs"),
            f("AG100", "opencode.jsonc", "/mcp/off"),
            f("AG100", "tools/cline_mcp_settings.json", "/mcpServers/ssh"),
            f(
                "AG101",
                ".codex/config.toml",
                "/mcp_servers/github/env/GITHUB_TOKEN"
            ),
        ]
    );
    let text = messages(&json).join("\n");
    for client in [
        "(Codex, command: npx -y @modelcontextprotocol/server-github)",
        "(opencode, url: https://docs.example.com/mcp)",
        "(Zed, command: db-mcp)",
        "(Continue, command: npx -y @modelcontextprotocol/server-memory)",
        "(Goose, command: uvx mcp-server-fetch)",
        "(Goose, built in)",
        "(LibreChat, url: https://tickets.example.com/mcp)",
        "(VS Code, command: npx x)",
        "(Gemini CLI, command: node coder.js)",
        "(Cline, command: python3 ssh.py)",
        "(Windsurf, url: https://web.example.com/mcp)",
    ] {
        assert!(text.contains(client), "{client} in\n{text}");
    }
    // Disabled servers are reported as disabled, not left out.
    for server in ["\"off\" (opencode", "\"search\" (Roo Code"] {
        let message = messages(&json)
            .into_iter()
            .find(|m| m.contains(server))
            .unwrap();
        assert!(message.contains("disabled in the file"), "{message}");
    }
    // Human output: the Codex server points at its TOML table, the secret at its line, masked.
    assert!(human.contains("[.codex/config.toml:2:1]"), "{human}");
    assert!(human.contains("[.codex/config.toml:7:1]"), "{human}");
    assert!(!human.contains(TOKEN) && !json.to_string().contains(TOKEN));
    assert!(human.contains("disabled in the file"), "{human}");
}

/// Generic file names count only in the client's folder or with the client's key: another
/// tool's `config.yaml`, `settings.json` or `config.json` is left alone, whatever it holds;
/// an unreadable shape in the client's place is AG105 (a warning), not silence.
#[test]
fn generic_names_are_other_tools_files_and_unreadable_shapes_are_ag105() {
    let dir = repo(&[
        (
            "config.yaml",
            "extensions:\n  - markdown\nservers: [a, b]\n",
        ),
        (
            "app/settings.json",
            "{\"context_servers\": \"none\", \"mcp\": 3}",
        ),
        (
            "app/config.json",
            "{\"servers\": {\"api\": {\"url\": \"https://api.example.com\"}}}",
        ),
        ("broken/settings.json", "{ this is not json"),
        (
            ".cursor/mcp.json",
            "{\"mcpServers\": [{\"command\": \"npx\"}]}",
        ),
        ("goose/config.yaml", "extensions: fetch\n"),
        (
            ".vscode/settings.json",
            "{\"mcp\": {\"servers\": \"later\"}}",
        ),
    ]);
    let (found, human, _) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f("AG105", ".cursor/mcp.json", "/mcpServers"),
            f("AG105", ".vscode/settings.json", "/mcp/servers"),
            f("AG105", "goose/config.yaml", "/extensions"),
        ]
    );
    assert!(human.contains("0 errors, 3 warnings"), "{human}");
    assert!(human.contains("whose mcpServers is a list"), "{human}");
    // A warning does not fail the gate by default.
    let run = agentgate(dir.path(), &["discover"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

/// The attack: an author hides a server from review. Comments in JSONC, a byte-order mark,
/// unusual casing of the client's folder and file (macOS and Windows clients read them), and
/// a server switched off in the file are all still reported.
#[test]
fn a_server_cannot_hide_behind_comments_a_bom_casing_or_a_disabled_flag() {
    let bom = format!(
        "\u{feff}{{\"mcpServers\": {{\"bom\": {{\"command\": \"npx\", \"args\": [\"bom-mcp\"], \"env\": {{\"GITHUB_TOKEN\": \"{TOKEN}\"}}}}}}}}"
    );
    let dir = repo(&[
        (
            ".vscode/mcp.json",
            "{\n  /* \"servers\": {} */\n  \"servers\": {\n    // the real one\n    \"hidden\": {\"command\": \"npx\", \"args\": [\"evil-mcp\"],},\n  },\n}\n",
        ),
        (".mcp.json", &bom),
        (".Cursor/MCP.json", "{\"mcpServers\": {\"upper\": {\"command\": \"npx\"}}}"),
        (
            "opencode.json",
            "{\"mcp\": {\"sleeper\": {\"type\": \"local\", \"command\": [\"npx\", \"sleeper-mcp\"], \"enabled\": false}}}",
        ),
        (
            ".codex/config.toml",
            "\u{feff}[mcp_servers.\"quoted name\"]\ncommand = \"npx\"\nenabled = false\n",
        ),
    ]);
    let (found, human, json) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f("AG100", ".Cursor/MCP.json", "/mcpServers/upper"),
            f("AG100", ".codex/config.toml", "/mcp_servers/quoted name"),
            f("AG100", ".mcp.json", "/mcpServers/bom"),
            f("AG100", ".vscode/mcp.json", "/servers/hidden"),
            f("AG100", "opencode.json", "/mcp/sleeper"),
            f("AG101", ".mcp.json", "/mcpServers/bom/env/GITHUB_TOKEN"),
        ]
    );
    assert!(human.contains("[.vscode/mcp.json:5:"), "{human}");
    assert!(!json.to_string().contains(TOKEN));
    let disabled = messages(&json)
        .into_iter()
        .filter(|m| m.contains("disabled in the file"))
        .count();
    assert_eq!(disabled, 2, "{human}");
}

/// `init --from` reads every file `discover` reports, as discover reads it: JSONC, TOML,
/// opencode's command arrays, a BOM; placeholders never become credentials.
#[test]
fn init_from_reads_what_discover_reads() {
    let dir = repo(&[
        (
            ".vscode/mcp.json",
            "{\n  // comment\n  \"servers\": {\"gh\": {\"command\": \"npx\", \"args\": [\"gh-mcp\"], \"env\": {\"GITHUB_TOKEN\": \"${input:gh-token}\", \"MAX_NEW_TOKENS\": \"512\"},},},\n}\n",
        ),
        (
            ".codex/config.toml",
            "[mcp_servers.db]\ncommand = \"db-mcp\"\n[mcp_servers.db.env]\nDB_PASSWORD = \"YOUR_PASSWORD_HERE\"\n",
        ),
        (
            "opencode.json",
            "\u{feff}{\"mcp\": {\"tickets\": {\"type\": \"local\", \"command\": [\"npx\", \"tickets-mcp\"], \"environment\": {\"API_KEY\": \"changeme\"}}}}",
        ),
    ]);
    for file in [".vscode/mcp.json", ".codex/config.toml", "opencode.json"] {
        let run = agentgate(
            dir.path(),
            &[
                "init",
                "--from",
                file,
                "--stdout",
                "--no-input",
                "--today",
                TODAY,
            ],
        );
        assert_eq!(run.code, 0, "{file}: {}", run.stderr);
        assert!(run.stdout.contains("kind: Agent"), "{file}: {}", run.stdout);
        assert!(!run.stdout.contains("changeme") && !run.stdout.contains("YOUR_PASSWORD"));
        assert!(
            !run.stdout.contains("holds a literal secret"),
            "{file}: {}",
            run.stdout
        );
        assert!(
            !run.stdout.contains("max-new-tokens"),
            "{file}: {}",
            run.stdout
        );
    }
    let run = agentgate(
        dir.path(),
        &[
            "init",
            "--from",
            "opencode.json",
            "--stdout",
            "--no-input",
            "--today",
            TODAY,
        ],
    );
    assert!(
        run.stdout.contains("opencode.json#tickets"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("npx tickets-mcp"), "{}", run.stdout);
}

/// A2A cards wherever they are, 0.x and 1.0; a 1.0 card's interface URL reaches the draft.
#[test]
fn agent_cards_of_both_versions_anywhere() {
    let v1 = r#"{"name": "Currency Agent", "description": "Converts currencies.",
  "supportedInterfaces": [{"url": "https://fx.example.com/a2a", "protocolBinding": "JSONRPC", "protocolVersion": "1.0"}],
  "capabilities": {"streaming": true}, "skills": [{"id": "fx", "name": "Convert"}], "version": "1.0.0"}"#;
    let v0 = r#"{"name": "Tickets", "url": "https://t.example.com/", "version": "1",
  "capabilities": {}, "skills": [{"id": "t", "name": "Book"}], "protocolVersion": "0.3.0"}"#;
    let dir = repo(&[
        ("svc/fx/agent_card.json", v1),
        ("svc/tickets/agent-card.json", v0),
        ("web/.well-known/agent.json", "{\"name\": \"Site\"}"),
        (
            "web/public/manifest.json",
            "{\"name\": \"My PWA\", \"icons\": []}",
        ),
    ]);
    let (found, human, _) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f("AG100", "svc/fx/agent_card.json", ""),
            f("AG100", "svc/tickets/agent-card.json", ""),
            f("AG100", "web/.well-known/agent.json", ""),
        ]
    );
    assert!(
        human.contains("A2A agent card \"Currency Agent\""),
        "{human}"
    );
    let run = agentgate(
        dir.path(),
        &[
            "init",
            "--from",
            "svc/fx/agent_card.json",
            "--stdout",
            "--no-input",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("the card serves https://fx.example.com/a2a"),
        "{}",
        run.stdout
    );
}

/// Agent code in the frameworks people use, in Python (comma imports too), TS/JS, Go and
/// notebooks; one footprint per service folder, and per top-level folder when the project
/// file is the root's.
#[test]
fn agent_code_in_every_language_one_footprint_per_unit() {
    let notebook = r#"{"cells": [{"cell_type": "markdown", "source": ["import openai is prose here"]},
  {"cell_type": "code", "source": ["import os, sys\n", "from crewai import Agent, Crew\n"]}],
  "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    let dir = repo(&[
        ("pyproject.toml", "[project]\nname = \"examples\"\n"),
        (
            "basic/hello.py",
            "import os, anthropic\n\nclient = anthropic.Anthropic()\n",
        ),
        (
            "basic/more/tools.py",
            "from agents import Agent, function_tool\n",
        ),
        ("adk/agent.py", "from google.adk.agents import Agent\n"),
        ("notebooks/crew.ipynb", notebook),
        ("web/package.json", "{\"name\": \"web\"}"),
        (
            "web/src/chat.ts",
            "import { generateText } from \"ai\";\nimport { openai } from \"@ai-sdk/openai\";\n",
        ),
        ("web/src/flow.ts", "import { genkit } from 'genkit';\n"),
        ("gosvc/go.mod", "module x\n"),
        (
            "gosvc/main.go",
            "package main\n\nimport (\n\t\"fmt\"\n\t\"google.golang.org/genai\"\n)\n",
        ),
        (
            "foundry/run.py",
            "from azure.ai.agents import AgentsClient\n",
        ),
    ]);
    let (found, human, json) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f("AG100", "adk/agent.py", ""),
            f("AG100", "basic/hello.py", ""),
            f("AG100", "foundry/run.py", ""),
            f("AG100", "gosvc/main.go", ""),
            f("AG100", "notebooks/crew.ipynb", ""),
            f("AG100", "web/src/chat.ts", ""),
        ]
    );
    let text = messages(&json).join("\n");
    for expected in [
        "agent code in basic that no manifest governs: imports agents (OpenAI Agents SDK), anthropic in 2 files",
        "agent code in adk that no manifest governs: imports google.adk",
        "agent code in notebooks that no manifest governs: imports crewai",
        "agent code in web that no manifest governs: imports @ai-sdk/openai, ai, genkit in 2 files",
        "agent code in gosvc that no manifest governs: imports google.golang.org/genai",
        "agent code in foundry that no manifest governs: imports azure.ai.agents",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    // The notebook's evidence is the import in the notebook file itself.
    assert!(human.contains("[notebooks/crew.ipynb:2:"), "{human}");
}

/// The false-positive guards: placeholders are not secrets, mocks in tests are not agents,
/// a local `agents` package is not the OpenAI Agents SDK, an ordinary web app has no agent.
#[test]
fn placeholders_mocks_local_agents_and_web_apps_are_not_findings() {
    let dir = repo(&[
        (
            ".env",
            "OPENAI_API_KEY=YOUR_OPENAI_API_KEY\nANTHROPIC_API_KEY=<your-key>\nAPI_TOKEN=your_token_here\nSECRET_KEY=changethis\nDB_PASSWORD=changeme\nGROQ_API_KEY=xxxxxxxxxxxxxxxxxxxx\nKEY=sk-xxxxxxxxxxxxxxxxxxxxxxxx\nMAX_NEW_TOKENS=512\nMAX_TOKENS=4096\nTOKENIZER=bert-base-uncased\nPASSWORD=[REDACTED]\nGITHUB_TOKEN=${GITHUB_TOKEN}\nEMPTY_SECRET=\nDATABASE_URL=postgresql://postgres:postgres@localhost:5432/app\nREDIS_URL=redis://localhost:6379\n",
        ),
        (
            ".mcp.json",
            "{\"mcpServers\": {\"gh\": {\"command\": \"npx\", \"args\": [\"gh\", \"--api-key\", \"YOUR_API_KEY\"], \"env\": {\"GITHUB_TOKEN\": \"<token>\", \"MAX_NEW_TOKENS\": \"256\"}, \"url\": \"https://x.example.com/mcp?api_key=${KEY}\"}}}",
        ),
        // Mocks of an LLM client in tests: no agent.
        ("billing/pyproject.toml", "[project]\nname = \"billing\"\n"),
        ("billing/app.py", "import requests\n"),
        (
            "billing/tests/test_llm.py",
            "from unittest.mock import patch\nimport openai\n\ndef test_x():\n    with patch('openai.OpenAI'):\n        pass\n",
        ),
        // The project's own `agents` package (travel agents, not the SDK).
        ("crm/pyproject.toml", "[project]\nname = \"crm\"\n"),
        ("crm/agents/__init__.py", "class Agent: ...\n"),
        ("crm/main.py", "from agents import Agent\n"),
        // An ordinary web app.
        (
            "site/package.json",
            "{\"name\": \"site\", \"dependencies\": {\"react\": \"18\", \"axios\": \"1\"}}",
        ),
        ("site/src/app.tsx", "import React from 'react';\nimport axios from 'axios';\nconst apiKey = process.env.API_KEY;\n"),
        ("site/src/settings.json", "{\"theme\": \"dark\", \"password\": \"\", \"token\": \"${TOKEN}\"}"),
    ]);
    // The MCP server is an agent; nothing else is a finding: no secret, no agent code.
    let (found, human, _) = discover(dir.path());
    assert_eq!(
        found,
        vec![f("AG100", ".mcp.json", "/mcpServers/gh")],
        "{human}"
    );
}

/// The attack: agent code placed in a test folder that the service really uses is found.
#[test]
fn an_agent_in_a_test_folder_that_is_really_used_is_found() {
    let dir = repo(&[
        ("svc/pyproject.toml", "[project]\nname = \"svc\"\n"),
        (
            "svc/main.py",
            "from tests.helpers import run_agent\nrun_agent()\n",
        ),
        (
            "svc/tests/helpers.py",
            "import openai\n\ndef run_agent():\n    return openai.OpenAI()\n",
        ),
    ]);
    let (found, human, _) = discover(dir.path());
    assert_eq!(
        found,
        vec![f("AG100", "svc/tests/helpers.py", "")],
        "{human}"
    );
}

/// Secrets as they are committed (AG101, widened): command arguments, URL user information
/// and query strings, connection strings, `.env` values, configuration files beside agent
/// code, string literals in agent source. No output holds any of them.
#[test]
fn secrets_as_they_are_committed_are_found_and_never_printed() {
    let secrets = [
        "sk-proj-Zq8Lm2Xv9Rt4Kw7Nb3Hy6Pd1Sf5Jg0Ca8Eu2Qo",
        "3f9c1e7a-55b2-4d0e-9a61-2c8b7d4e1f03",
        "Qm9vZ2xlQXBpS2V5MTIz",
        "Tr0ub4dor-3xyz",
        "Rd5s-Pw-9931",
        "N7g-Db-Pw-4415",
        "ghp_R8x2Kq9LmZ4vT7nB3wY6pD1sF5hJ0cA8eG2u",
        "Cf9-Yaml-Pw-7781",
        "Ak-Src-8831-Zz",
    ];
    let dir = repo(&[
        (
            ".mcp.json",
            &format!(
                "{{\"mcpServers\": {{\"a\": {{\"command\": \"npx\", \"args\": [\"srv\", \"--api-key\", \"{}\", \"--key\", \"{}\"]}}, \"b\": {{\"url\": \"https://mcp.example.com/sse?api_key={}\"}}, \"c\": {{\"url\": \"https://bot:{}@mcp.example.com/mcp\"}}}}}}",
                secrets[0], secrets[1], secrets[2], secrets[3]
            ),
        ),
        (
            "svc/.env",
            &format!(
                "REDIS_URL=redis://:{}@cache:6379/0\nDATABASE_URL=postgresql://app:{}@db.internal:5432/app\nGITHUB_TOKEN={}\n",
                secrets[4], secrets[5], secrets[6]
            ),
        ),
        ("svc/pyproject.toml", "[project]\nname = \"svc\"\n"),
        ("svc/bot.py", &format!("import openai\n\nclient = openai.OpenAI(api_key=\"{}\")\n", secrets[8])),
        ("svc/settings.yaml", &format!("llm:\n  model: gpt-4o\ndb:\n  password: {}\n", secrets[7])),
    ]);
    let (found, human, json) = discover(dir.path());
    let ag101: Vec<_> = found
        .iter()
        .filter(|(r, _, _)| r == "AG101")
        .cloned()
        .collect();
    assert_eq!(
        ag101,
        vec![
            f("AG101", ".mcp.json", "/mcpServers/a/args/2"),
            f("AG101", ".mcp.json", "/mcpServers/a/args/4"),
            f("AG101", ".mcp.json", "/mcpServers/b/url"),
            f("AG101", ".mcp.json", "/mcpServers/c/url"),
            f("AG101", "svc/.env", "/DATABASE_URL"),
            f("AG101", "svc/.env", "/GITHUB_TOKEN"),
            f("AG101", "svc/.env", "/REDIS_URL"),
            f("AG101", "svc/bot.py", "/api_key"),
            f("AG101", "svc/settings.yaml", "/db/password"),
        ],
        "{human}"
    );
    let everything = format!("{human}{json}");
    for secret in secrets {
        assert!(
            !everything.contains(secret),
            "{secret} printed:\n{everything}"
        );
    }
    assert!(
        human.contains("postgresql://[redacted]@db.internal:5432/app"),
        "{human}"
    );
}

/// The command in AG100's help (the finding's own help, beside the rule's) is one that works:
/// `init --from FILE` for a configuration, `init NAME --source PATH` for agent code, which
/// drafts the sources, the LLM provider's key as a credential TODO and each tool as a
/// permission TODO. Help from a subfolder names paths from there.
#[test]
fn ag100_help_gives_a_command_that_drafts_the_manifest() {
    let dir = repo(&[
        (
            ".cursor/mcp.json",
            "{\"mcpServers\": {\"github\": {\"command\": \"npx\", \"args\": [\"gh-mcp\"]}}}",
        ),
        (
            ".vscode/mcp.json",
            "{\"servers\": {\"github\": {\"type\": \"stdio\", \"command\": \"npx\", \"args\": [\"gh-mcp\"]}}}",
        ),
        ("services/support bot/pyproject.toml", "[project]\nname = \"bot\"\n"),
        (
            "services/support bot/bot.py",
            "import os, openai\nfrom agents import function_tool\n\n@function_tool\ndef search_tickets(q: str) -> str:\n    return q\n",
        ),
    ]);
    let run = agentgate(dir.path(), &["discover", "--no-fail", "--format", "json"]);
    let json = run.json();
    let helps: Vec<(String, String)> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["help"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let help_of = |file: &str| -> String {
        helps
            .iter()
            .find(|(f, _)| f == file)
            .map(|(_, h)| h.clone())
            .unwrap()
    };
    let command = |help: &str| -> Vec<String> {
        let start = help.find("`agentgate ").unwrap() + 11;
        let end = start + help[start..].find('`').unwrap();
        // The help quotes a path with a space as one shell word.
        let mut words = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        for c in help[start..end].chars() {
            match c {
                '\'' => quoted = !quoted,
                ' ' if !quoted => words.push(std::mem::take(&mut word)),
                _ => word.push(c),
            }
        }
        words.push(word);
        words
    };
    let cursor = help_of(".cursor/mcp.json");
    assert!(cursor.starts_with("Run `agentgate init --from .cursor/mcp.json` to draft its manifest. Register the agent"), "{cursor}");
    let code = help_of("services/support bot/bot.py");
    assert!(
        code.contains("`agentgate init support-bot --source 'services/support bot'`"),
        "{code}"
    );
    // Each command works as given, one after the other: two configurations that both name a
    // server `github` get two manifests, not a --force dead end.
    for file in [
        ".cursor/mcp.json",
        ".vscode/mcp.json",
        "services/support bot/bot.py",
    ] {
        let mut args = command(&help_of(file));
        args.extend([
            "--no-input".to_string(),
            "--today".to_string(),
            TODAY.to_string(),
        ]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = agentgate(dir.path(), &args);
        assert_eq!(run.code, 0, "{args:?}: {}{}", run.stdout, run.stderr);
    }
    let github = read_yaml(&dir.path().join(".agents/github.yaml"));
    let github2 = read_yaml(&dir.path().join(".agents/github-2.yaml"));
    assert_eq!(github["spec"]["sources"][0], ".cursor/mcp.json#github");
    assert_eq!(github2["spec"]["sources"][0], ".vscode/mcp.json#github");
    assert_eq!(github2["metadata"]["name"], "github-2");
    // Re-running the first command stops at the existing draft (same origin).
    let again = agentgate(
        dir.path(),
        &[
            "init",
            "--from",
            ".cursor/mcp.json",
            "--no-input",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(again.code, 2, "{}", again.stdout);
    let bot = read_yaml(&dir.path().join(".agents/support-bot.yaml"));
    assert_eq!(bot["spec"]["sources"][0], "services/support bot/**");
    assert_eq!(bot["spec"]["credentials"][0]["name"], "openai-api-key");
    assert_eq!(
        bot["spec"]["permissions"][0]["resource"],
        "TODO the system the tool search_tickets reaches"
    );
    // From a subfolder, the help names the paths from there.
    let sub = dir.path().join("services");
    let run = agentgate(&sub, &["discover", "--no-fail", "--format", "json"]);
    let text = run.stdout;
    assert!(text.contains("--source 'support bot'"), "{text}");
}

/// `FILE#NAME` names one server of any client's configuration, TOML and list forms included:
/// a reviewed manifest governs exactly that server (no AG100 for it, no AG103 for the entry),
/// and the file's other servers stay unregistered.
#[test]
fn sources_name_servers_of_every_client() {
    let dir = repo(&[
        (
            ".codex/config.toml",
            "[mcp_servers.github]\ncommand = \"npx\"\n\n[mcp_servers.docs]\nurl = \"https://docs.example.com/mcp\"\n",
        ),
        (
            ".continue/mcpServers/tools.yaml",
            "mcpServers:\n  - name: memory\n    command: npx\n  - name: git\n    command: uvx\n",
        ),
    ]);
    let manifest = unsigned_compliant_manifest("gh", today()).replace(
        "  review:",
        "  sources: [\".codex/config.toml#github\", \".continue/mcpServers/tools.yaml#memory\"]\n  review:",
    );
    write(dir.path(), ".agents/gh.yaml", signed(&manifest));
    trust_test_key(dir.path());
    git_commit_all(dir.path(), "manifest");
    let (found, human, _) = discover(dir.path());
    assert_eq!(
        found,
        vec![
            f("AG100", ".codex/config.toml", "/mcp_servers/docs"),
            f("AG100", ".continue/mcpServers/tools.yaml", "/mcpServers/1"),
        ],
        "{human}"
    );
}

/// Measured on public repositories the corpus had not seen (1a23b/personal-assistant,
/// 8000tank/deepseek-quickstart, AltoresMonaco/SovereingChat, Berkay2002/deep-agents,
/// 19Alma98/cv_agent, 0xpolarzero/hellm): what discovery missed or wrongly reported there, each
/// as the smallest file that shows it (the real keys are not copied).
#[test]
fn what_real_repositories_showed_discovery_missing() {
    let key = "sk-proj-Q7mZr2Lp9Rt4Kv8Nw3Bz6Hc1JsXa5Ye0PdQ7mZr2Lp9Rt4Kv8Nw3Bz6Hc1JsXa5Ye0Pd";
    let dir = repo(&[
        // A model provider's key in a client's own configuration, with or without MCP servers.
        (
            ".codex/config.toml",
            &format!("model_provider = \"relay\"\n\n[model_providers.relay]\nname = \"relay\"\nbase_url = \"https://relay.example.com/v1\"\nexperimental_bearer_token = \"{key}\"\n\n[model_providers.azure]\nenv_key = \"AZURE_OPENAI_API_KEY\"\n"),
        ),
        (
            "opencode.json",
            &format!("{{\"provider\": {{\"openrouter\": {{\"options\": {{\"apiKey\": \"{key}\"}}}}, \"local\": {{\"options\": {{\"apiKey\": \"{{env:LOCAL_KEY}}\"}}}}}}}}\n"),
        ),
        (
            ".continue/config.yaml",
            &format!("name: team\nversion: 1.0.0\nmodels:\n  - name: gpt\n    provider: openai\n    apiKey: {key}\n  - name: other\n    provider: openai\n    apiKey: ${{{{ secrets.OPENAI_API_KEY }}}}\n"),
        ),
        (
            "librechat.yaml",
            &format!("version: 1.2.8\nendpoints:\n  custom:\n    - name: OpenRouter\n      apiKey: \"{key}\"\n    - name: Groq\n      apiKey: user_provided\n"),
        ),
        // LibreChat's placeholder in its `.env.example`: no secret.
        (
            "chat/.env.example",
            "ANTHROPIC_API_KEY=user_provided\nOPENAI_API_KEY=user_provided\n",
        ),
        // A type-only import loads nothing: a shared types package is no agent.
        ("types/package.json", "{\"name\": \"types\"}\n"),
        (
            "types/src/web.ts",
            "import type { RunnableConfig } from '@langchain/core/runnables';\nimport type {\n  BaseMessage,\n} from '@langchain/core/messages';\nexport type Options = { config?: RunnableConfig };\n",
        ),
        // After a type alias, a real import spread over lines still counts.
        ("web/package.json", "{\"name\": \"web\"}\n"),
        (
            "web/src/chat.ts",
            "export type Options = {\n  a: string\n}\nimport {\n  ChatOpenAI,\n} from '@langchain/openai';\n",
        ),
        // Frameworks seen there.
        ("maf/pyproject.toml", "[project]\nname = \"maf\"\n"),
        (
            "maf/agent.py",
            "from agent_framework import ChatAgent\n\nagent = ChatAgent(instructions=\"hi\")\n",
        ),
        ("zhipu/requirements.txt", "zhipuai\n"),
        ("zhipu/chat.py", "from zhipuai import ZhipuAI\n"),
        ("pi/package.json", "{\"name\": \"pi\"}\n"),
        ("pi/agent.ts", "import { Agent } from '@mariozechner/pi-agent-core';\n"),
        // A bearer token written into an authorization header in agent code.
        ("bot/requirements.txt", "anthropic\n"),
        (
            "bot/app.py",
            "import anthropic\nHEADERS = {\"Authorization\": \"Bearer Zq8rT2mLp9Rt4Kv8Nw3Bz6Hc1JsQ\"}\nTEMPLATE = {\"Authorization\": f\"Bearer {token}\"}\n",
        ),
        // Kiro's place (found before by the generic rule, without the client's name).
        (
            ".kiro/settings/mcp.json",
            "{\"mcpServers\": {\"docs\": {\"command\": \"uvx\", \"args\": [\"docs-mcp\"]}}}\n",
        ),
        // Windows paths as JSON writes them.
        (
            ".kilocode/mcp.json",
            "{\"mcpServers\": {\"home\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"C:/Users/berka/\"]}, \"drive\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"D:/\"]}, \"project\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"C:/Users/berka/Project/app\"]}}}\n",
        ),
    ]);
    let (found, human, json) = discover(dir.path());
    for expected in [
        f(
            "AG101",
            ".codex/config.toml",
            "/model_providers/relay/experimental_bearer_token",
        ),
        f(
            "AG101",
            "opencode.json",
            "/provider/openrouter/options/apiKey",
        ),
        f("AG101", ".continue/config.yaml", "/models/0/apiKey"),
        f("AG101", "librechat.yaml", "/endpoints/custom/0/apiKey"),
        f("AG100", "web/src/chat.ts", ""),
        f("AG100", "maf/agent.py", ""),
        f("AG100", "zhipu/chat.py", ""),
        f("AG100", "pi/agent.ts", ""),
        f("AG101", "bot/app.py", "/Authorization"),
        f("AG102", ".kilocode/mcp.json", "/mcpServers/home/args/2"),
        f("AG102", ".kilocode/mcp.json", "/mcpServers/drive/args/2"),
        f("AG100", ".kiro/settings/mcp.json", "/mcpServers/docs"),
    ] {
        assert!(
            found.contains(&expected),
            "{expected:?} missing from {found:?}"
        );
    }
    let secrets: Vec<&(String, String, String)> = found
        .iter()
        .filter(|(rule, _, _)| rule == "AG101")
        .collect();
    assert_eq!(
        secrets.len(),
        5,
        "placeholders, env_key names, templates: {secrets:?}"
    );
    for (rule, file, pointer) in &found {
        assert!(
            !file.starts_with("types/"),
            "a type-only import: {rule} {file}"
        );
        assert!(!file.starts_with("chat/"), "user_provided: {rule} {file}");
        assert!(
            !pointer.starts_with("/mcpServers/project/args"),
            "a project folder is not broad: {rule} {pointer}"
        );
    }
    for shown in messages(&json).iter().chain([&human]) {
        assert!(!shown.contains("Q7mZr2Lp9Rt4Kv8Nw3"), "{shown}");
        assert!(!shown.contains("Zq8rT2mLp9Rt4Kv8"), "{shown}");
    }
    assert!(
        messages(&json)
            .iter()
            .any(|m| m.contains("in an AI client's configuration file")),
        "{json}"
    );
    assert!(
        messages(&json)
            .iter()
            .any(|m| m.contains("(Kiro, command: uvx")),
        "{json}"
    );
}

/// Pydantic AI's tool decorators (eriksf/pydantic-ai-agents-tutorial defines its tools this
/// way): `@agent.tool_plain` and the bare `@agent.tool` are tools, named in `init --source`.
#[test]
fn pydantic_ai_tool_decorators_are_tools() {
    let dir = repo(&[(
        "agent.py",
        "from pydantic_ai import Agent, RunContext\n\nagent = Agent(\"openai:gpt-4o\")\n\n@agent.tool_plain\ndef read_file(path: str) -> str:\n    return open(path).read()\n\n@agent.tool\ndef delete_file(ctx: RunContext[None], path: str) -> None:\n    pass\n",
    )]);
    let (found, human, json) = discover(dir.path());
    assert_eq!(found, vec![f("AG100", "agent.py", "")], "{human}");
    assert!(
        messages(&json)
            .iter()
            .any(|m| m.contains("with 2 tool definitions")),
        "{json}"
    );
    let draft = agentgate(dir.path(), &["init", "bot", "--source", ".", "--stdout"]);
    assert!(
        draft.stdout.contains("read_file"),
        "{}{}",
        draft.stdout,
        draft.stderr
    );
    assert!(draft.stdout.contains("delete_file"), "{}", draft.stdout);
}
