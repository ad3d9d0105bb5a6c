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
use agentgate::yaml::{parse, Limits};

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
                document,
                violations: Some(vec![Violation {
                    pointer: "/spec/purpose".into(),
                    message: MARK.into(),
                    secret: false,
                }]),
            })
            .collect();
        let cache = ParseCache::at(self.cache.path());
        cache.store(entry(text_key(&text), &parsed).into_iter().collect());
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
        !repo.files("parsed/v1").is_empty(),
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
    // One byte more (a comment: the value, and so the review digest, are unchanged) is another
    // text: parsed afresh, and the forged entry is not used.
    let text = std::fs::read_to_string(repo.path().join(A)).unwrap();
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
    for path in repo.files("parsed/v1") {
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x20;
        std::fs::write(&path, bytes).unwrap();
    }
    let run = repo.check(&[]);
    assert!(!marked(&run), "{}", run.stdout);
    assert_eq!(run.stdout, first.stdout);
    // A shard that does not decode: ignored, then written whole again.
    for path in repo.files("parsed/v1") {
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
