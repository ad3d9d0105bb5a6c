//! The documentation's examples pass: every YAML block marked `<!-- agentgate-test: compliant -->`
//! in README.md and docs/ is a manifest that `agentgate check` passes, once its review is signed
//! with the test-only key and trusted by the `allowed_signers` line the README shows (marked
//! `<!-- agentgate-test: allowed_signers -->`). And `review sign` prints that line itself when
//! the key is not trusted yet.

use std::path::{Path, PathBuf};

use crate::common::{agentgate, crate_dir, signed, write, TODAY};

const COMPLIANT: &str = "<!-- agentgate-test: compliant -->";
const ALLOWED_SIGNERS: &str = "<!-- agentgate-test: allowed_signers -->";

/// The fenced blocks that directly follow `marker` in `text` (the marker line, then the fence).
fn marked_blocks(text: &str, marker: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut blocks = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != marker {
            continue;
        }
        let fence = lines
            .get(i + 1)
            .filter(|l| l.trim_start().starts_with("```"))
            .unwrap_or_else(|| panic!("{marker} must be followed by a fenced block"));
        let indent = fence.len() - fence.trim_start().len();
        let body: Vec<String> = lines[i + 2..]
            .iter()
            .take_while(|l| !l.trim_start().starts_with("```"))
            .map(|l| l.get(indent..).unwrap_or("").to_string())
            .collect();
        blocks.push(body.join("\n") + "\n");
    }
    blocks
}

/// README.md and every Markdown page under docs/.
fn documents() -> Vec<PathBuf> {
    let mut found = vec![crate_dir().join("README.md")];
    let mut stack = vec![crate_dir().join("docs")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)
            .expect("docs/ is readable")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The one `allowed_signers` line the README shows.
fn readme_allowed_signers() -> String {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README.md");
    let blocks = marked_blocks(&readme, ALLOWED_SIGNERS);
    assert_eq!(
        blocks.len(),
        1,
        "the README shows one allowed_signers block"
    );
    blocks[0].clone()
}

/// `agentgate check` in a fresh repository holding `manifest` (its review signed with the
/// test-only key) and trusting `signers`.
fn check_signed(manifest: &str, signers: &str, sign: bool) -> crate::common::Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = if sign {
        signed(manifest)
    } else {
        manifest.to_string()
    };
    write(dir.path(), ".agents/example.yaml", text);
    write(dir.path(), "allowed_signers", signers);
    write(
        dir.path(),
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    agentgate(dir.path(), &["check", "--today", TODAY])
}

#[test]
fn every_compliant_example_in_the_docs_passes_check() {
    let signers = readme_allowed_signers();
    let mut checked = Vec::new();
    for path in documents() {
        let text = std::fs::read_to_string(&path).expect("read the page");
        let shown = path
            .strip_prefix(crate_dir())
            .unwrap_or(&path)
            .display()
            .to_string();
        for (i, block) in marked_blocks(&text, COMPLIANT).iter().enumerate() {
            let run = check_signed(block, &signers, true);
            assert_eq!(
                (run.code, run.stdout.lines().last()),
                (0, Some("0 errors, 0 warnings in 0 of 1 agent")),
                "{shown}, compliant block {}:\n{block}\n{}{}",
                i + 1,
                run.stdout,
                run.stderr
            );
            // The harness is honest: the same block without its signature fails (AG041), so
            // the pass above is the signature verified against the README's line.
            let unsigned = check_signed(block, &signers, false);
            assert_eq!(unsigned.code, 1, "{shown}: {}", unsigned.stdout);
            assert!(unsigned.stdout.contains("AG041"), "{}", unsigned.stdout);
            checked.push(shown.clone());
        }
    }
    for must in ["README.md", "docs/manifests.md"] {
        assert!(
            checked.iter().any(|c| c == must),
            "{must} has no block marked {COMPLIANT}: {checked:?}"
        );
    }
}

/// The README's line is the test key's, for the reviewer of the examples, in the review
/// namespace only: exactly what `review sign` prints for it.
#[test]
fn the_readme_shows_the_line_review_sign_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = private_test_key(dir.path());
    let manifest = first_readme_example();
    write(dir.path(), ".agents/example.yaml", &manifest);
    crate::common::git(dir.path(), &["init", "-q"]);
    let run = agentgate(
        dir.path(),
        &[
            "review",
            "sign",
            ".agents/example.yaml",
            "--reviewer",
            "sec-review@example.com",
            "--key",
            key.to_str().expect("utf-8"),
            "--today",
            "2026-11-02",
        ],
    );
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let line = readme_allowed_signers();
    assert!(
        run.stdout.contains(
            "no allowed_signers file is configured (settings.allowedSigners in .agentgate.yaml)"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(&format!("\n  {}", line.trim_end())),
        "review sign prints the README's line:\n{}",
        run.stdout
    );
}

/// The whole first review, as a new user meets it: sign with a key the repository does not
/// trust, get the line, add it, and `check` passes; signing again prints no line.
#[test]
fn review_sign_prints_the_allowed_signers_line_until_the_key_is_trusted() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = private_test_key(dir.path());
    write(dir.path(), ".agents/example.yaml", first_readme_example());
    write(dir.path(), "allowed_signers", "# nobody yet\n");
    write(
        dir.path(),
        ".agentgate.yaml",
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    );
    crate::common::git(dir.path(), &["init", "-q"]);
    let sign = |dir: &Path| {
        agentgate(
            dir,
            &[
                "review",
                "sign",
                ".agents/example.yaml",
                "--reviewer",
                "sec-review@example.com",
                "--key",
                key.to_str().expect("utf-8"),
                "--today",
                "2026-11-02",
            ],
        )
    };
    let run = sign(dir.path());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("note: allowed_signers does not trust this key for sec-review@example.com"),
        "{}",
        run.stdout
    );
    let printed = run
        .stdout
        .lines()
        .find(|l| l.starts_with("  sec-review@example.com namespaces="))
        .expect("the line to add")
        .trim()
        .to_string();
    // Until the line is added, the gate fails the review.
    let check = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert_eq!(check.code, 1, "{}", check.stdout);
    assert!(check.stdout.contains("AG041"), "{}", check.stdout);
    write(dir.path(), "allowed_signers", format!("{printed}\n"));
    let check = agentgate(dir.path(), &["check", "--today", TODAY]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // Trusted now: no note.
    let run = sign(dir.path());
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("note:"), "{}", run.stdout);
}

fn first_readme_example() -> String {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README.md");
    marked_blocks(&readme, COMPLIANT)
        .into_iter()
        .next()
        .expect("a compliant example in the README")
}

/// A copy of the test-only private key that ssh-keygen accepts (owner-only permissions).
fn private_test_key(dir: &Path) -> PathBuf {
    let key = dir.join("test-reviewer");
    std::fs::copy(crate_dir().join("testdata/keys/test-reviewer"), &key).expect("copy the key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    }
    key
}
