//! The result cache with a custom rule pack (`custom.reads`, src/reads.rs): a pack whose declared
//! read set is verified is cached like the built-in one, and a change to any key input evaluates
//! again; a pack that reads beyond what the key covers (the inventory, another agent's facts, an
//! undeclared path, `data[x]`, through an import alias) is never cached and says why. As in
//! tests/it/cache.rs, a result served from the cache is recognised by "poisoning" it: every
//! entry's findings are replaced, with a valid seal, by one `FROM-CACHE` finding.

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::*;

const MARK: &str = "FROM-CACHE";
const A: &str = "agents/a.agent.yaml";
const B: &str = "agents/b.agent.yaml";

/// The pack-level block: what the probe rule reads.
const READS: &str = "# METADATA\n# scope: subpackages\n# custom:\n#   reads:\n#     - data.agentgate.settings\n#     - data.agentgate.facts[input.metadata.name]\n#     - data.agentgate.lib\n";

/// A rule of pack `ACME901` whose body is `body` (it fires with message `msg`).
fn rule(body: &str) -> String {
    format!(
        "# METADATA\n# custom:\n#   id: ACME901\n#   slug: probe\n#   severity: error\n#   summary: S\n#   fix: F\npackage agentgate.rules.acme.probe\n\nimport rego.v1\nimport data.agentgate.lib\n\n{body}"
    )
}

/// Reads what `READS` declares: the judged agent's own facts (through the built-in helper and
/// directly) and a setting.
const CACHEABLE: &str = "deny contains {\"msg\": \"probed\", \"path\": \"\"} if {\n\tinput.metadata.name == \"b\"\n\tlib.facts.review.signature == \"valid\"\n\tdata.agentgate.facts[input.metadata.name].file != \"\"\n\tdata.agentgate.settings.maxTtl > 0\n}\n";

struct Repo {
    dir: tempfile::TempDir,
    cache: tempfile::TempDir,
}

/// `a` and `b`, compliant and signed; a pack folder `pack/` with `pack.rego` (the read set) and
/// `probe.rego` (the rule).
fn repo(reads: &str, body: &str) -> Repo {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), A, compliant_manifest("a", today()));
    write(dir.path(), B, compliant_manifest("b", today()));
    write(
        dir.path(),
        "pack/pack.rego",
        format!("{reads}package acme.pack\n"),
    );
    write(dir.path(), "pack/probe.rego", rule(body));
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

    fn run(&self, extra: &[&str]) -> Run {
        let mut args = vec!["check", "--pack", "pack"];
        if !extra.contains(&"--today") {
            args.extend(["--today", TODAY]);
        }
        args.extend_from_slice(extra);
        agentgate_with_env(
            self.path(),
            &args,
            &[("AGENTGATE_CACHE", self.cache.path())],
        )
    }

    fn check(&self, extra: &[&str]) -> Run {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        self.run(&args)
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

fn messages(run: &Run) -> Vec<(String, String)> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn both() -> BTreeSet<String> {
    [A, B].into_iter().map(String::from).collect()
}

#[test]
fn a_pack_with_a_verified_read_set_is_cached() {
    let repo = repo(READS, CACHEABLE);
    let first = repo.check(&[]);
    assert_eq!(first.code, 1, "{}{}", first.stdout, first.stderr);
    assert_eq!(
        messages(&first),
        vec![(B.to_string(), "probed".to_string())],
        "the pack's rule ran"
    );
    assert_eq!(repo.entries(), 2, "one entry per manifest");
    let second = repo.check(&[]);
    assert_eq!(second.stdout, first.stdout);
    repo.poison();
    assert_eq!(served(&repo.check(&[])), both());
    // A cached pack says nothing about caching.
    let human = repo.run(&[]);
    assert!(!human.stdout.contains("not cached"), "{}", human.stdout);
}

/// Each key input a custom pack reads, changed alone, evaluates the manifests again.
#[test]
fn a_cached_pack_is_evaluated_again_when_what_it_reads_changes() {
    type Change = fn(&Repo) -> Vec<String>;
    let cases: Vec<(&str, Change, BTreeSet<String>)> = vec![
        (
            "the pack's own source",
            |r| {
                write(
                    r.path(),
                    "pack/probe.rego",
                    rule(&CACHEABLE.replace("probed", "probed again")),
                );
                vec![]
            },
            BTreeSet::new(),
        ),
        (
            "the pack's read-set file alone",
            |r| {
                let text = format!("{READS}package acme.pack\n\nx := 1\n");
                write(r.path(), "pack/pack.rego", text);
                vec![]
            },
            BTreeSet::new(),
        ),
        (
            "the judged agent's own facts (its review verdict)",
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
        (
            "the manifest itself",
            |r| {
                let text = compliant_manifest("a", today()).replace("every night", "nightly");
                write(r.path(), A, text);
                vec![]
            },
            [B.to_string()].into(),
        ),
    ];
    for (what, change, still_served) in cases {
        let repo = repo(READS, CACHEABLE);
        assert_eq!(repo.check(&[]).code, 1);
        repo.poison();
        let args = change(&repo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = repo.check(&args);
        assert_eq!(
            served(&run),
            still_served,
            "{what}:\n{}{}",
            run.stdout,
            run.stderr
        );
    }
}

/// A pack that declares `custom.reads` but reads beyond what the cache key covers is never
/// cached (nothing written, nothing read), and the run says which reference stopped it.
#[test]
fn a_pack_reading_beyond_the_key_is_never_cached_and_says_why() {
    let fires = |condition: &str| {
        format!("deny contains {{\"msg\": \"probed\", \"path\": \"\"}} if {{\n\tinput.metadata.name == \"b\"\n\t{condition}\n}}\n")
    };
    let cases: Vec<(&str, String, String)> = vec![
        (
            "the inventory",
            fires("count(data.agentgate.inventory) > 1"),
            "pack/probe.rego:15: reads data.agentgate.inventory, which holds every agent and which custom.reads cannot declare".into(),
        ),
        (
            "an undeclared path",
            fires("not data.acme.extra.on"),
            "pack/probe.rego:15: reads data.acme.extra.on, which no loaded pack defines".into(),
        ),
        (
            "a dynamic data[x]",
            fires("some k\n\tdata[k]"),
            "pack/probe.rego:16: reads data[k], a dynamic reference, which the scan cannot follow".into(),
        ),
        (
            "an import alias of the inventory",
            format!("import data.agentgate.inventory as everyone\n\n{}", fires("count(everyone) > 1")),
            "pack/probe.rego:13: reads data.agentgate.inventory".into(),
        ),
        (
            "another agent's facts, by rebinding input",
            format!(
                "of(input) := data.agentgate.facts[input.metadata.name]\n\n{}",
                fires("of({\"metadata\": {\"name\": \"a\"}}).file")
            ),
            "pack/probe.rego:13: reads data.agentgate.facts[input.metadata.name], where `input` may be rebound".into(),
        ),
        (
            "a setting the pack did not declare",
            fires("data.agentgate.settings.maxTtl > 0"),
            "pack/probe.rego:15: reads data.agentgate.settings.maxTtl, not declared in custom.reads".into(),
        ),
    ];
    let narrow = READS.replace("#     - data.agentgate.settings\n", "");
    for (what, body, why) in cases {
        let repo = repo(&narrow, &body);
        let first = repo.check(&[]);
        assert_eq!(first.code, 1, "{what}: {}{}", first.stdout, first.stderr);
        assert_eq!(repo.entries(), 0, "{what}: nothing written");
        let human = repo.run(&[]);
        assert!(
            human
                .stdout
                .contains(&format!("note: pack pack: not cached: {why}")),
            "{what}:\n{}{}",
            human.stdout,
            human.stderr
        );
        // Nor read: entries of a built-in-only run, poisoned, are not served to the pack's run.
        let plain = agentgate_with_env(
            repo.path(),
            &["check", "--format", "json", "--today", TODAY],
            &[("AGENTGATE_CACHE", repo.cache.path())],
        );
        assert_eq!(plain.code, 0, "{what}: {}", plain.stdout);
        repo.poison();
        let run = repo.check(&[]);
        assert!(served(&run).is_empty(), "{what}: {}", run.stdout);
        assert_eq!(run.stdout, first.stdout, "{what}");
    }
}

/// The attack the verification stops: a rule that judges `a` by another agent's manifest. Were
/// it cached, the author of that other manifest could change the verdict on `a` while `a`'s key
/// stays the same, and the cache would keep serving the old verdict.
#[test]
fn a_verdict_on_one_agent_that_depends_on_another_is_never_stale() {
    // Fires on `a` while some other agent shares its owner (an owner may run one agent).
    let body = "deny contains {\"msg\": \"owner runs another agent\", \"path\": \"/spec/owner\"} if {\n\tinput.metadata.name == \"a\"\n\tsome name, other in data.agentgate.inventory\n\tname != input.metadata.name\n\tother.spec.owner.email == input.spec.owner.email\n}\n";
    let repo = repo(READS, body);
    let first = repo.check(&[]);
    assert_eq!(
        messages(&first),
        vec![(A.to_string(), "owner runs another agent".to_string())],
        "{}",
        first.stderr
    );
    // `b`'s author hands `b` to another owner: the verdict on `a`, untouched, must follow.
    let handed = unsigned_compliant_manifest("b", today())
        .replace("jane.doe@example.com", "kim.lee@example.com")
        .replace("name: Jane Doe", "name: Kim Lee");
    write(repo.path(), B, signed(&handed));
    let second = repo.check(&[]);
    assert!(messages(&second).is_empty(), "{}", second.stdout);
    assert_eq!(repo.entries(), 0);
}
