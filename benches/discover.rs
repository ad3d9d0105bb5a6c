//! `cargo bench --bench discover`: `agentgate discover` (the release binary) on a generated
//! repository of 100,000 files, most of them ordinary code and data, a few hundred agent
//! footprints among them (MCP configurations of several clients, agent cards, agent code,
//! `.env` files). Prints figures; asserts nothing about time (the target, under 2 s on the
//! project's 2-core machine, is in docs/speed.md).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const FILES: usize = 100_000;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, text).expect("write file");
}

/// 100,000 files in 1,000 service folders of 100 files each; every 10th service holds agent
/// footprints.
fn generate(root: &Path) {
    let mut written = 0;
    for service in 0..FILES / 100 {
        let base = format!("services/s{service}");
        write(
            root,
            &format!("{base}/package.json"),
            "{\"name\": \"s\", \"version\": \"1.0.0\"}\n",
        );
        written += 1;
        let agent = service % 10 == 0;
        if agent {
            write(root, &format!("{base}/.cursor/mcp.json"), "{\"mcpServers\": {\"gh\": {\"command\": \"npx\", \"args\": [\"-y\", \"@modelcontextprotocol/server-github\"], \"env\": {\"GITHUB_TOKEN\": \"${GITHUB_TOKEN}\"}}}}\n");
            write(
                root,
                &format!("{base}/.codex/config.toml"),
                "[mcp_servers.docs]\nurl = \"https://docs.example.com/mcp\"\n",
            );
            write(root, &format!("{base}/.well-known/agent-card.json"), "{\"name\": \"a\", \"url\": \"https://a.example.com\", \"capabilities\": {}, \"skills\": []}\n");
            write(root, &format!("{base}/src/agent.py"), "import os, openai\nfrom langchain.agents import AgentExecutor\n\nclient = openai.OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])\n");
            write(
                root,
                &format!("{base}/.env.example"),
                "OPENAI_API_KEY=YOUR_KEY_HERE\nMAX_NEW_TOKENS=512\n",
            );
            written += 5;
        }
        let mut i = 0;
        while written < (service + 1) * 100 {
            let rel = match i % 5 {
                0 => format!("{base}/src/m{i}.ts"),
                1 => format!("{base}/src/m{i}.py"),
                2 => format!("{base}/data/d{i}.json"),
                3 => format!("{base}/config/c{i}.yaml"),
                _ => format!("{base}/docs/p{i}.md"),
            };
            let text = match i % 5 {
                0 => {
                    "import React from 'react';\nimport axios from 'axios';\nexport const x = 1;\n"
                        .to_string()
                }
                1 => "import os, json\n\ndef handler(event):\n    return json.dumps(event)\n"
                    .to_string(),
                2 => format!("{{\"id\": {i}, \"name\": \"item\", \"tags\": [\"a\", \"b\"]}}\n"),
                3 => {
                    "server:\n  port: 8080\n  host: 0.0.0.0\nlogging:\n  level: info\n".to_string()
                }
                _ => "# Notes\n\nNothing to see.\n".to_string(),
            };
            write(root, &rel, &text);
            written += 1;
            i += 1;
        }
    }
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .expect("git runs");
        assert!(status.status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.email=bench@example.com",
        "-c",
        "user.name=bench",
        "commit",
        "-qm",
        "generated",
    ]);
}

fn time(dir: &Path, args: &[&str]) -> (Duration, String) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("agentgate runs");
    (
        start.elapsed(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    // For profiling: write the generated repository somewhere and stop.
    if let Some(dir) = std::env::var_os("AGENTGATE_BENCH_GENERATE") {
        generate(Path::new(&dir));
        return;
    }
    let repo = tempfile::tempdir().expect("tempdir");
    generate(repo.path());
    let args = ["discover", "--format", "json", "--no-fail"];
    let _ = time(repo.path(), &args); // warm the page cache
    let mut runs: Vec<Duration> = (0..5).map(|_| time(repo.path(), &args).0).collect();
    runs.sort();
    let (_, stdout) = time(repo.path(), &args);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    let findings = json["findings"].as_array().map_or(0, Vec::len);
    println!(
        "discover, {FILES} files (100 agent services): median {:.0} ms wall (best {:.0} ms, worst {:.0} ms), {findings} findings",
        runs[2].as_secs_f64() * 1000.0,
        runs[0].as_secs_f64() * 1000.0,
        runs[4].as_secs_f64() * 1000.0,
    );
}
