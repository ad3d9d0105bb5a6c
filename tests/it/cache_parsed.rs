//! The parse cache and the program cache (src/parse_cache.rs, src/program_cache.rs): an
//! unchanged manifest file is not parsed again, and an unchanged pack not compiled again; a
//! changed byte of either is read afresh; a corrupt entry is ignored and rewritten.
//!
//! To see whether documents came from the parse cache, a test forges an entry (sealed, as a
//! run would write it) holding the file's real documents plus a schema violation whose message
//! is `FROM-PARSE-CACHE`: a run that reports it was served from the cache.

use std::path::{Path, PathBuf};

use agentgate::parse_cache::{entry, text_key, ParseCache, Parsed};
use agentgate::source::SourceFile;
use agentgate::validate::Violation;
use agentgate::yaml::{parse, Limits, SpanTree};

use crate::common::*;

const MARK: &str = "FROM-PARSE-CACHE";
const A: &str = "agents/a.agent.yaml";

struct Repo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

fn repo() -> Repo {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), A, compliant_manifest("a", today()));
    trust_test_key(dir.path());
    Repo {
        dir,
        cache: tempfile::tempdir().expect("tempdir"),
    }
}

impl Repo {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", "--format", "json", "--today", TODAY];
        args.extend_from_slice(extra);
        agentgate_with_env(
            self.path(),
            &args,
            &[("AGENTGATE_CACHE", self.cache.path())],
        )
    }

    fn files(&self, folder: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.cache.path().join(folder))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// The parse cache's entry for `A`'s text replaced by its real documents plus a violation
    /// marked `FROM-PARSE-CACHE`; the result cache emptied, so that the run evaluates what the
    /// parse cache gives it.
    fn forge(&self) {
        let text = std::fs::read_to_string(self.path().join(A)).expect("the manifest");
        let source = SourceFile::new(A.into(), A.into(), text.as_str());
        let parsed: Vec<Parsed> = parse(&source, Limits::default())
            .expect("it parses")
            .into_iter()
            .map(|document| Parsed {
                value: document.value,
                root: SpanTree::built(document.root),
                // Not placed: the run finds its place in the span tree it decodes from the entry.
                violations: Some(vec![Violation {
                    pointer: "/spec/purpose".into(),
                    message: MARK.into(),
                    secret: false,
                    place: None,
                }]),
            })
            .collect();
        let cache = ParseCache::at(self.cache.path());
        cache.store(entry(text_key(&text), &text, &parsed).into_iter().collect());
        std::fs::remove_dir_all(self.cache.path().join("results")).expect("results");
    }
}

fn marked(run: &Run) -> bool {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["message"] == MARK)
}

#[test]
fn an_unchanged_file_is_not_parsed_again_and_a_changed_one_is() {
    let repo = repo();
    let first = repo.check(&[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert!(
        !repo.files("parsed/v2").is_empty(),
        "the run wrote its parse"
    );
    repo.forge();
    let served = repo.check(&[]);
    assert!(
        marked(&served),
        "served from the parse cache: {}",
        served.stdout
    );
    assert_eq!(served.code, 1);
    // Its place comes from the span tree decoded from the entry when the finding asked for it.
    let text = std::fs::read_to_string(repo.path().join(A)).unwrap();
    let purpose = text
        .lines()
        .position(|l| l.trim_start().starts_with("purpose:"))
        .expect("the fixture has a purpose")
        + 1;
    let line = served.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["message"] == MARK)
        .map(|f| f["line"].clone());
    assert_eq!(line, Some(serde_json::json!(purpose)), "{}", served.stdout);
    // One byte more (a comment: the value, and so the review digest, are unchanged) is another
    // text: parsed afresh, and the forged entry is not used.
    write(repo.path(), A, format!("{text}# edited\n"));
    let edited = repo.check(&[]);
    assert!(!marked(&edited), "{}", edited.stdout);
    assert_eq!(edited.code, 0, "{}{}", edited.stdout, edited.stderr);
    // `--no-cache` neither reads nor writes it.
    write(repo.path(), A, &text);
    let bypass = repo.check(&["--no-cache"]);
    assert!(!marked(&bypass), "{}", bypass.stdout);
    assert_eq!(bypass.stdout, first.stdout);
}

#[test]
fn a_corrupt_parse_entry_or_shard_is_ignored_and_rewritten() {
    let repo = repo();
    let first = repo.check(&[]);
    repo.forge();
    // An entry changed without its seal: ignored.
    for path in repo.files("parsed/v2") {
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
    }
    let run = repo.check(&[]);
    assert!(!marked(&run), "{}", run.stdout);
    assert_eq!(run.stdout, first.stdout);
    // A shard that does not decode: ignored, then written whole again.
    for path in repo.files("parsed/v2") {
        std::fs::write(&path, [0xff, 0xff, 0xff, 0xff]).unwrap();
    }
    std::fs::remove_dir_all(repo.cache.path().join("results")).unwrap();
    let run = repo.check(&[]);
    assert_eq!(run.stdout, first.stdout);
    repo.forge();
    let run = repo.check(&[]);
    assert!(
        marked(&run),
        "the rewritten shard is read again: {}",
        run.stdout
    );
}

#[test]
fn a_cached_program_serves_only_the_pack_it_was_compiled_from() {
    let repo = repo();
    let rule = |message: &str| {
        format!("# METADATA\n# custom:\n#   id: ACME902\n#   slug: probe\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.acme.probe\n\nimport rego.v1\n\ndeny contains {{\"msg\": \"{message}\", \"path\": \"\"}} if input.metadata.name == \"a\"\n")
    };
    let messages = |run: &Run| -> Vec<String> {
        run.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule"] == "ACME902")
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    write(repo.path(), "pack/probe.rego", rule("first"));
    let first = repo.check(&["--pack", "pack"]);
    assert_eq!(
        messages(&first),
        ["first"],
        "{}{}",
        first.stdout,
        first.stderr
    );
    assert_eq!(repo.files("programs/v1").len(), 1);
    // The same pack again: served (nothing new written), the same verdict.
    let again = repo.check(&["--pack", "pack"]);
    assert_eq!(again.stdout, first.stdout);
    assert_eq!(repo.files("programs/v1").len(), 1);
    // The pack's text changed: compiled afresh, never the stale program.
    write(repo.path(), "pack/probe.rego", rule("second"));
    let changed = repo.check(&["--pack", "pack"]);
    assert_eq!(messages(&changed), ["second"], "{}", changed.stdout);
    assert_eq!(repo.files("programs/v1").len(), 2);
    // A program file altered on disk: ignored (compiled again), the verdict unchanged.
    for path in repo.files("programs/v1") {
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::write(&path, bytes).unwrap();
    }
    let altered = repo.check(&["--pack", "pack"]);
    assert_eq!(altered.stdout, changed.stdout, "{}", altered.stderr);
    assert_eq!(altered.code, changed.code);
}

/// A custom pack that passes its `custom.reads` verification (so it is cached), with `body`
/// as its one rule's condition, in a copy of the examples.
fn examples_with_pack(body: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&crate_dir().join("examples"), dir.path());
    write(
        dir.path(),
        "pack/pack.rego",
        "# METADATA\n# scope: subpackages\n# custom:\n#   reads:\n#     - data.agentgate.settings\n#     - data.agentgate.facts[input.metadata.name]\npackage acme.pack\n",
    );
    write(
        dir.path(),
        "pack/probe.rego",
        format!("# METADATA\n# custom:\n#   id: ACME903\n#   slug: probe\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.acme.probe\n\nimport rego.v1\n\ndeny contains {{\"msg\": \"probed\", \"path\": \"\"}} if {{\n{body}\n}}\n"),
    );
    dir
}

fn run_examples(dir: &Path, cache: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        "--config",
        ".agentgate.yaml",
        ".",
        "--today",
        TODAY,
        "--pack",
        "pack",
    ];
    args.extend_from_slice(extra);
    agentgate_with_env(dir, &args, &[("AGENTGATE_CACHE", cache)])
}

/// Found by an adversarial review: when the one manifest the cache did not cover made a rule
/// fail, it was the run's trial input, and the run reported a pack error and dropped every
/// cached finding; the verdict must not depend on which manifest is evaluated first.
#[test]
fn a_rule_failing_on_the_only_uncached_manifest_is_that_manifests_problem() {
    let dir = examples_with_pack(
        "\tinput.metadata.name == \"support-bot\"\n\tx := to_number(\"not a number\")\n\tx > 0",
    );
    let cache = tempfile::tempdir().expect("tempdir");
    let reference = run_examples(dir.path(), cache.path(), &["--no-cache"]);
    assert_eq!(
        reference.code, 2,
        "{}{}",
        reference.stdout, reference.stderr
    );
    // Human output: problems and notes are printed with the findings.
    assert!(
        reference
            .stdout
            .contains("support-bot.agent.yaml: policy error"),
        "{}",
        reference.stdout
    );
    for run in ["cold", "warm"] {
        let cached = run_examples(dir.path(), cache.path(), &[]);
        assert_eq!(cached.stdout, reference.stdout, "{run}: {}", cached.stderr);
        assert_eq!(cached.stderr, reference.stderr, "{run}");
        assert_eq!(cached.code, 2, "{run}");
    }
}

/// Found by an adversarial review: a run served wholly from the cache did not say that a
/// custom pack is evaluated by the interpreter (the rvm cannot compile `print`).
#[test]
fn a_run_served_from_the_cache_still_says_which_engine_evaluated_a_pack() {
    let dir = examples_with_pack("\tinput.metadata.name == \"support-bot\"\n\tprint(\"x\")");
    let cache = tempfile::tempdir().expect("tempdir");
    let reference = run_examples(dir.path(), cache.path(), &["--no-cache"]);
    assert!(
        reference
            .stdout
            .contains("evaluated by regorus's interpreter"),
        "{}",
        reference.stdout
    );
    run_examples(dir.path(), cache.path(), &[]);
    let warm = run_examples(dir.path(), cache.path(), &[]);
    assert_eq!(warm.stdout, reference.stdout);
}

/// Found by an adversarial review: without HOME the cache root was a shared folder under the
/// temporary folder, which another local user could create first and fill with sealed
/// results. A root that belongs to another user is not used; one of ours that others may
/// write is made ours alone.
#[cfg(unix)]
#[test]
fn a_cache_root_another_user_owns_is_not_used() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let repo = repo();
    let first = repo.check(&["--no-cache"]);
    let root = tempfile::tempdir().expect("tempdir");
    let foreign = root.path().join("foreign");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o777)).unwrap();
    // Only root can give a folder away: elsewhere the first half of the test is skipped.
    let given = std::process::Command::new("chown")
        .args(["65534", &foreign.display().to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if given {
        let run = agentgate_with_env(
            repo.path(),
            &["check", "--format", "json", "--today", TODAY],
            &[("AGENTGATE_CACHE", &foreign)],
        );
        assert!(
            run.stderr.contains("not using the cache") && run.stderr.contains("another user"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, first.stdout);
        assert_eq!(
            std::fs::read_dir(&foreign).unwrap().count(),
            0,
            "nothing written into it"
        );
    } else {
        skip("chown to another user needs root");
    }
    let mine = root.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o777)).unwrap();
    let run = agentgate_with_env(
        repo.path(),
        &["check", "--format", "json", "--today", TODAY],
        &[("AGENTGATE_CACHE", &mine)],
    );
    assert_eq!(run.stdout, first.stdout, "{}", run.stderr);
    assert_eq!(std::fs::metadata(&mine).unwrap().mode() & 0o777, 0o700);
}
