//! The result cache of `check` (src/cache.rs): a manifest whose evaluation inputs did not change
//! is served from the cache; any change to one of them evaluates it again; a corrupt entry is
//! ignored and rewritten; concurrent runs leave no torn shard; a custom pack is never cached.
//!
//! To see whether a result came from the cache, the tests "poison" it: every entry's findings
//! are replaced (with a valid seal) by one finding whose message is `FROM-CACHE`. A manifest
//! reported with that message was served from the cache; one reported without it was evaluated.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::*;

const MARK: &str = "FROM-CACHE";

struct Repo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

/// `a` delegates to `b`; both compliant, signed by the test key, which the repository trusts.
fn repo() -> Repo {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "agents/a.agent.yaml", manifest_a(""));
    write(
        dir.path(),
        "agents/b.agent.yaml",
        compliant_manifest("b", today()),
    );
    trust_test_key(dir.path());
    Repo {
        dir,
        cache: tempfile::tempdir().expect("tempdir"),
    }
}

fn manifest_a(extra_description: &str) -> String {
    signed(
        &unsigned_compliant_manifest("a", today())
            .replace(
                "  review: {",
                "  delegation: {delegatesTo: [b, nobody]}\n  review: {",
            )
            .replace(
                "every night\n",
                &format!("every night{extra_description}\n"),
            ),
    )
}

impl Repo {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn check(&self, extra: &[&str], env: &[(&str, &Path)]) -> Run {
        let mut args = vec!["check", "--format", "json"];
        if !extra.contains(&"--today") {
            args.extend(["--today", TODAY]);
        }
        args.extend_from_slice(extra);
        let mut env = env.to_vec();
        env.push(("AGENTGATE_CACHE", self.cache.path()));
        agentgate_with_env(self.path(), &args, &env)
    }

    fn shards(&self) -> Vec<PathBuf> {
        results::shards(self.cache.path())
    }

    fn entries(&self) -> usize {
        results::entries(self.cache.path())
    }

    /// Every entry's findings replaced by the one `FROM-CACHE` finding, sealed.
    fn poison(&self) {
        results::poison(self.cache.path(), MARK);
    }
}

/// The files whose findings came from the (poisoned) cache.
fn served(run: &Run) -> BTreeSet<String> {
    results::served(run, MARK)
}

const A: &str = "agents/a.agent.yaml";
const B: &str = "agents/b.agent.yaml";

fn both() -> BTreeSet<String> {
    [A, B].into_iter().map(String::from).collect()
}

#[test]
fn an_unchanged_repository_is_served_from_the_cache() {
    let repo = repo();
    let first = repo.check(&[], &[]);
    // 1: `a` delegates to `nobody` (AG070), which the cache must keep reporting.
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert_eq!(repo.entries(), 2, "one entry per manifest");
    // Unpoisoned, a cached run reports exactly what an evaluated one does.
    let second = repo.check(&[], &[]);
    assert_eq!(second.stdout, first.stdout);
    repo.poison();
    assert_eq!(served(&repo.check(&[], &[])), both());
    // `--no-cache` neither reads nor writes it.
    let bypass = repo.check(&["--no-cache"], &[]);
    assert_eq!(bypass.stdout, first.stdout);
    assert_eq!(served(&repo.check(&[], &[])), both(), "still poisoned");
}

/// Each input of the key, changed alone, makes the manifests that read it evaluated again.
#[test]
fn changing_any_one_key_input_evaluates_again() {
    type Change = fn(&Repo) -> Vec<String>;
    let cases: Vec<(&str, Change, BTreeSet<String>)> = vec![
        (
            "the manifest itself",
            |r| {
                write(r.path(), A, manifest_a(" and more"));
                vec![]
            },
            [B.to_string()].into(),
        ),
        (
            "the content of a delegate",
            |r| {
                let text = compliant_manifest("b", today()).replace("jira://FIN", "jira://FIN2");
                write(r.path(), B, signed(&text));
                vec![]
            },
            // `a` reads `b` (AG071), `b` reads itself.
            BTreeSet::new(),
        ),
        (
            "a delegate that comes into existence",
            |r| {
                write(
                    r.path(),
                    "agents/nobody.agent.yaml",
                    compliant_manifest("nobody", today()),
                );
                vec![]
            },
            [B.to_string()].into(),
        ),
        (
            "the facts: the review verdict, with nothing else changed",
            |r| {
                let signers = r.path().join("allowed_signers");
                let text = std::fs::read_to_string(&signers).unwrap();
                std::fs::write(&signers, text.replace("*@example.com", "*@example.org"))
                    .expect("trust the key for other reviewers only");
                vec![]
            },
            BTreeSet::new(),
        ),
        (
            "--today",
            |_| vec!["--today".into(), "2026-11-24".into()],
            BTreeSet::new(),
        ),
        (
            "the settings",
            |r| {
                let config = std::fs::read_to_string(r.path().join(".agentgate.yaml")).unwrap();
                write(
                    r.path(),
                    ".agentgate.yaml",
                    config.replace("settings:\n", "settings:\n  maxTtl: 2h\n"),
                );
                vec![]
            },
            BTreeSet::new(),
        ),
        ("the engine", |_| vec!["ENGINE".into()], BTreeSet::new()),
    ];
    for (what, change, still_served) in cases {
        let repo = repo();
        assert_eq!(repo.check(&[], &[]).code, 1);
        repo.poison();
        let mut args = change(&repo);
        let mut env: Vec<(&str, &Path)> = Vec::new();
        if args == ["ENGINE"] {
            args.clear();
            env.push(("AGENTGATE_ENGINE", Path::new("interpreter")));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = repo.check(&args, &env);
        assert_eq!(
            served(&run),
            still_served,
            "{what}:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn a_custom_pack_without_a_declared_read_set_is_never_cached() {
    let repo = repo();
    write(
        repo.path(),
        "pack/probe.rego",
        "# METADATA\n# custom:\n#   id: ACME901\n#   slug: probe\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.acme.probe\n\nimport rego.v1\n\ndeny contains {\"msg\": \"probed\", \"path\": \"\"} if input.metadata.name == \"b\"\n",
    );
    let first = repo.check(&["--pack", "pack"], &[]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert_eq!(repo.entries(), 0, "nothing written");
    // Nor read: entries written by a built-in-only run are not used by a run with the pack.
    assert_eq!(repo.check(&[], &[]).code, 1);
    repo.poison();
    let run = repo.check(&["--pack", "pack"], &[]);
    assert!(served(&run).is_empty(), "{}", run.stdout);
    assert_eq!(run.stdout, first.stdout);
}

#[test]
fn a_corrupt_entry_or_shard_is_ignored_and_rewritten() {
    let repo = repo();
    let first = repo.check(&[], &[]);
    // An entry whose findings were changed without its seal: ignored.
    for path in repo.shards() {
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replacen("\"findings\":[]", "\"findings\":[{\"package\":\"agentgate.rules.ag011_wildcard_grant\",\"message\":\"FROM-CACHE\",\"path\":\"\",\"redact\":false}]", 1),
        )
        .unwrap();
    }
    let run = repo.check(&[], &[]);
    assert!(served(&run).is_empty(), "{}", run.stdout);
    assert_eq!(run.stdout, first.stdout);
    // A shard that does not parse (torn, truncated): ignored, then written whole again.
    for path in repo.shards() {
        std::fs::write(&path, "{\"entries\": {\"ab").unwrap();
    }
    let run = repo.check(&[], &[]);
    assert_eq!(run.stdout, first.stdout);
    assert_eq!(repo.entries(), 2, "rewritten");
}

#[test]
fn concurrent_runs_leave_no_torn_shard() {
    let repos: Vec<Repo> = (0..6).map(|_| repo()).collect();
    // Each repository's own manifests, all sharing one cache.
    for (i, r) in repos.iter().enumerate() {
        write(
            r.path(),
            "agents/c.agent.yaml",
            compliant_manifest(&format!("c{i}"), today()),
        );
    }
    let shared = tempfile::tempdir().unwrap();
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = repos
            .iter()
            .map(|r| {
                let cache = shared.path();
                scope.spawn(move || {
                    let args = ["check", "--format", "json", "--today", TODAY];
                    let env = [("AGENTGATE_CACHE", cache)];
                    // Three runs each, so that reads and writes of the shards interleave.
                    agentgate_with_env(r.path(), &args, &env);
                    agentgate_with_env(r.path(), &args, &env);
                    agentgate_with_env(r.path(), &args, &env)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for run in &runs {
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    }
    let dir = shared.path().join("results/v1");
    let mut entries = 0;
    for file in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = file.path();
        assert!(
            path.extension().is_some_and(|e| e == "json"),
            "no temporary file left: {}",
            path.display()
        );
        let shard = results::shard(&path);
        for (key, entry) in shard["entries"].as_object().unwrap() {
            let findings: Vec<agentgate::evaluate::RawFinding> =
                serde_json::from_value(entry["findings"].clone()).unwrap();
            assert_eq!(
                entry["seal"],
                agentgate::cache::seal(key, &findings).as_str()
            );
            entries += 1;
        }
    }
    assert!(entries > 0);
}

/// The Action keeps the result cache between runs: keyed by version, OS and commit (a key is
/// immutable once saved), restored from the newest cache of the same version and OS.
#[test]
fn the_action_caches_results_per_commit() {
    let action = read_yaml(&crate_dir().join("action.yml"));
    let steps = action["runs"]["steps"].as_array().expect("steps");
    let step = |id: &str| {
        steps
            .iter()
            .find(|s| s["id"] == id)
            .unwrap_or_else(|| panic!("a step {id}"))
    };
    let results = step("results");
    assert!(results["uses"]
        .as_str()
        .is_some_and(|u| u.starts_with("actions/cache@")));
    assert_eq!(
        results["with"]["key"],
        "agentgate-${{ steps.prepare.outputs.version }}-${{ runner.os }}-${{ github.sha }}"
    );
    assert_eq!(
        results["with"]["restore-keys"].as_str().map(str::trim),
        Some("agentgate-${{ steps.prepare.outputs.version }}-${{ runner.os }}-")
    );
    assert_eq!(
        step("check")["env"]["AGENTGATE_CACHE"],
        results["with"]["path"],
        "agentgate writes where the cache is saved from"
    );
    let order = |id: &str| steps.iter().position(|s| s["id"] == id);
    assert!(order("results") < order("check"));
}
