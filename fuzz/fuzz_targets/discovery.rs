//! Discovery's readers (src/footprints/): the input is written, in a temporary repository, as
//! every kind of file `agentgate discover` reads — `.mcp.json`, `.vscode/mcp.json` (JSONC),
//! `claude_desktop_config.json`, an agent card (`.well-known/agent-card.json`), a YAML MCP
//! configuration, a `.env` file and Python/TypeScript/Go code — and read through the public
//! `footprints::footprints`. Invariants: no panic; every finding points inside its file; the
//! message of a finding on a secret does not quote it, nor any other text that looks like a
//! secret.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use agentgate::footprints::{self, detect, Context};
use agentgate::registry::Registry;
use libfuzzer_sys::fuzz_target;

const FILES: &[&str] = &[
    ".mcp.json",
    ".vscode/mcp.json",
    "claude_desktop_config.json",
    ".well-known/agent-card.json",
    "config/servers.yaml",
    ".env",
    "services/bot/agent.py",
    "services/web/index.ts",
    "services/go/main.go",
];

struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    files: Vec<PathBuf>,
    registry: Registry,
}

fn repo() -> &'static Repo {
    static REPO: OnceLock<Repo> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path().canonicalize().expect("a real path");
        let files: Vec<PathBuf> = FILES.iter().map(|f| root.join(f)).collect();
        for file in &files {
            std::fs::create_dir_all(file.parent().expect("a folder")).expect("folders");
        }
        let registry = Registry::builtin().expect("the built-in pack loads");
        Repo {
            _dir: dir,
            root,
            files,
            registry,
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let repo = repo();
    for file in &repo.files {
        std::fs::write(file, data).expect("the file is written");
    }
    let selected = [repo.root.clone()];
    let other_tools = std::collections::BTreeSet::new();
    let ctx = Context {
        root: &repo.root,
        cwd: &repo.root,
        files: &repo.files,
        governors: &[],
        registry: &repo.registry,
        max_file_size: 1024 * 1024,
        selected: &selected,
        other_tools: &other_tools,
    };
    let (findings, problems) = footprints::footprints(&ctx);
    for finding in &findings {
        let chars = finding.place.source.text.chars().count();
        let label = finding.place.label;
        assert!(
            finding.place.at <= chars && label.start <= label.end && label.end <= chars,
            "{} {:?} placed at {}, {label:?}, outside its {chars} characters",
            finding.rule,
            finding.message,
            finding.place.at
        );
        if finding.redact {
            // The secret itself (what the finding underlines) is never quoted.
            let secret: String = finding
                .place
                .source
                .text
                .chars()
                .skip(label.start)
                .take(label.end - label.start)
                .collect();
            let secret = secret.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
            assert!(
                secret.chars().count() < 8 || !finding.message.contains(secret),
                "{} quotes the secret {secret:?}: {:?}",
                finding.rule,
                finding.message
            );
            // Nor any other text that looks like a secret (a `.env` line such as
            // `token sk-… OPENAI_API_KEY=sk-…` once had its "variable" quoted, key and all).
            assert_eq!(
                detect(&finding.message),
                None,
                "{} shows a secret: {:?}",
                finding.rule,
                finding.message
            );
        }
    }
    for problem in &problems {
        if let Some(place) = &problem.place {
            let chars = place.source.text.chars().count();
            assert!(
                place.at <= chars,
                "problem placed outside the text: {problem:?}"
            );
        }
    }
});
