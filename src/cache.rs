//! The result cache of `check` (as ruff has one): per manifest, what the rule packs found,
//! keyed by everything that evaluation read, so that a manifest whose inputs did not change is
//! not evaluated again.
//!
//! The key is a SHA-256 over: the cache format, the code agentgate was built from
//! ([`crate::parse_cache::CODE_IDENTITY`]), the engine, the digests
//! of the loaded packs, `data.agentgate.settings` (which holds `--today`, the durations, the
//! people directory), the manifest (named by its text's parse-cache key and its document index:
//! its value is a function of them), its whole `facts` entry but the review digest (review
//! verdict, the base-derived verdicts, durations, delegation cycle; the digest is a function of
//! the manifest, which the key holds whole, so it is computed only for the manifests evaluated)
//! and, for every name it delegates to, that
//! manifest's text key and index (or its absence) and whether the name is duplicated. That is the whole
//! read set of the built-in pack; a custom pack may read anything (`data.agentgate.inventory`
//! of any agent), so a run with a custom pack is cached only when every custom pack declares
//! `custom.reads` and [`crate::reads`] verified, at load, that its modules read nothing but
//! settings, the judged agent's own facts (`data.agentgate.facts[input.metadata.name]`) and
//! packages that read nothing else, all inside this key. On any doubt, the manifest is
//! evaluated: a manifest whose name is duplicated is not cached.
//!
//! Entries live in 256 shard files under `<cache root>/results/v1/` (the shard is the key's
//! first byte), each entry sealed by a SHA-256 over its key and findings: an entry whose seal
//! does not match, or a shard that does not parse, is ignored (the manifest is evaluated) and
//! rewritten. A shard is written to a temporary file then renamed over the old one, so a
//! concurrent run sees the old shard or the new one, never a torn one (one run's new entries
//! may be lost to the other's rename: they are evaluated again next time). A shard keeps at most
//! [`SHARD_LIMIT`] entries. The cache is as trustworthy as the file system it is on: in CI, the
//! Action keys it by commit and restores only caches of its own branch or the default branch.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::PathBuf;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::evaluate::RawFinding;

/// Bumped whenever what an entry holds, or what its key covers, changes.
const FORMAT: &str = "agentgate-results-v3";

/// Entries per shard at most (the same bound as the parse cache's).
pub use crate::parse_cache::SHARD_LIMIT;

#[derive(Serialize, Deserialize, Default)]
struct Shard {
    entries: BTreeMap<String, Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    findings: Vec<RawFinding>,
    seal: String,
}

/// An entry's seal: a SHA-256 over its key and findings, which a torn or altered entry does not
/// match (a check against corruption, not a signature: whoever can write the cache can seal).
pub fn seal(key: &str, findings: &[RawFinding]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(key.as_bytes());
    hasher.update([0]);
    // Serializing plain strings and booleans cannot fail.
    let _ = serde_json::to_writer(&mut hasher, findings);
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where a manifest was read from: the parse cache's key of its file's text
/// ([`crate::parse_cache::text_key`]) and the document's index in that text.
pub type Source = (crate::parse_cache::TextKey, usize);

/// The result cache under a cache root (`$AGENTGATE_CACHE`, else `$XDG_CACHE_HOME/agentgate`).
#[derive(Debug, Clone)]
pub struct ResultCache {
    dir: PathBuf,
    parsed: crate::parse_cache::ParseCache,
    programs: crate::program_cache::ProgramCache,
    signatures: crate::signature_cache::SignatureCache,
}

/// What a manifest's key is made of, besides the manifest itself.
pub struct Run<'a> {
    pub engine: &'a str,
    pub packs: &'a [String],
    pub settings: &'a Value,
}

impl ResultCache {
    /// The cache in the usual cache root ([`crate::pack_source::cache_dir`]), when agentgate
    /// may trust it; otherwise why not (the run then goes without a cache).
    pub fn default_location() -> Result<ResultCache, String> {
        let root = crate::pack_source::cache_dir();
        own_root(&root)?;
        Ok(ResultCache::at(root))
    }

    pub fn at(root: PathBuf) -> ResultCache {
        ResultCache {
            dir: root.join("results").join("v1"),
            parsed: crate::parse_cache::ParseCache::at(&root),
            programs: crate::program_cache::ProgramCache::at(&root),
            signatures: crate::signature_cache::SignatureCache::at(&root),
        }
    }

    /// The parse cache under the same root (used wherever the result cache is).
    pub fn parsed(&self) -> crate::parse_cache::ParseCache {
        self.parsed.clone()
    }

    /// The signature cache under the same root.
    pub fn signatures(&self) -> crate::signature_cache::SignatureCache {
        self.signatures.clone()
    }

    /// The program cache under the same root.
    pub fn programs(&self) -> crate::program_cache::ProgramCache {
        self.programs.clone()
    }

    /// A manifest's key: see the module documentation. A manifest is named by the text it was
    /// read from and its place among that text's documents ([`Source`]): its value is a
    /// function of them, and hashing 32 bytes is cheaper than serialising the value. `delegates`
    /// holds, for each name the manifest delegates to, that manifest's source (`None`: no
    /// manifest of the inventory has it) and whether the name is duplicated.
    pub fn key(
        run: &Run<'_>,
        manifest: Source,
        facts: &Value,
        delegates: &[(&str, Option<Source>, bool)],
    ) -> String {
        let mut hasher = Sha256::new();
        // serde_json writes objects in key order (no `preserve_order`): the text is canonical
        // enough for a key, and writing into the hash cannot fail.
        // A tuple is written as a JSON array, with nothing copied.
        let _ = serde_json::to_writer(
            &mut hasher,
            &(
                FORMAT,
                crate::parse_cache::CODE_IDENTITY,
                run.engine,
                run.packs,
                run.settings,
                manifest,
                facts,
                delegates,
            ),
        );
        hex(&hasher.finalize())
    }

    fn shard_path(&self, key: &str) -> PathBuf {
        self.dir
            .join(format!("{}.json", key.get(..2).unwrap_or("00")))
    }

    fn read_shard(&self, prefix_path: &std::path::Path) -> Shard {
        crate::parse_cache::read_regular(prefix_path)
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// The cached findings of each key that has a sound entry.
    pub fn lookup<'k>(
        &self,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> BTreeMap<String, Vec<RawFinding>> {
        let mut by_shard: BTreeMap<PathBuf, Vec<&str>> = BTreeMap::new();
        for key in keys {
            by_shard.entry(self.shard_path(key)).or_default().push(key);
        }
        // Shard by shard in parallel: reading and decoding them was a serial tenth of a warm run.
        by_shard
            .into_par_iter()
            .flat_map_iter(|(path, keys)| {
                let mut shard = self.read_shard(&path);
                keys.into_iter().filter_map(move |key| {
                    let entry = shard.entries.remove(key)?;
                    (entry.seal == seal(key, &entry.findings))
                        .then(|| (key.to_string(), entry.findings))
                })
            })
            .collect()
    }

    /// Adds `entries` to the cache; a failure to write leaves the cache as it was (the run's
    /// results do not depend on it).
    pub fn store(&self, entries: BTreeMap<String, Vec<RawFinding>>) {
        if entries.is_empty() || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let mut by_shard: BTreeMap<PathBuf, Vec<(String, Vec<RawFinding>)>> = BTreeMap::new();
        for (key, findings) in entries {
            by_shard
                .entry(self.shard_path(&key))
                .or_default()
                .push((key, findings));
        }
        for (path, new) in by_shard {
            // Read again just before writing: the entries a concurrent run added stay.
            let mut shard = self.read_shard(&path);
            shard
                .entries
                .retain(|key, entry| entry.seal == seal(key, &entry.findings));
            let fresh: BTreeSet<String> = new.iter().map(|(k, _)| k.clone()).collect();
            for (key, findings) in new {
                let seal = seal(&key, &findings);
                shard.entries.insert(key, Entry { findings, seal });
            }
            if shard.entries.len() > SHARD_LIMIT {
                // Bounded: what this run did not write goes first.
                let surplus = shard.entries.len() - SHARD_LIMIT;
                let old: Vec<String> = shard
                    .entries
                    .keys()
                    .filter(|k| !fresh.contains(*k))
                    .take(surplus)
                    .cloned()
                    .collect();
                for key in old {
                    shard.entries.remove(&key);
                }
                // This run alone wrote more than a shard keeps: the surplus is not kept.
                while shard.entries.len() > SHARD_LIMIT {
                    shard.entries.pop_last();
                }
            }
            let _ = write_atomically(&path, &shard);
        }
    }
}

/// Whether the cache root is the user's own: another user who can write it could plant sealed
/// entries (a seal is a checksum, not a signature). A root that does not exist is made for this
/// user alone; one of theirs that others may write is made theirs alone; one that belongs to
/// another user (a shared fallback under the temporary folder that someone created first) is
/// refused.
#[cfg(unix)]
fn own_root(root: &std::path::Path) -> Result<(), String> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let shown = root.display();
    if !root.exists() {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(root);
    }
    let meta = std::fs::metadata(root).map_err(|e| format!("{shown}: {e}"))?;
    if !meta.is_dir() {
        return Err(format!("{shown} is not a folder"));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if meta.uid() != me {
        return Err(format!(
            "{shown} belongs to another user (uid {}), who could plant results in it",
            meta.uid()
        ));
    }
    if meta.mode() & 0o022 != 0 {
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
            format!("{shown} is writable by other users and could not be made private: {e}")
        })?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn own_root(_root: &std::path::Path) -> Result<(), String> {
    Ok(())
}

/// Writes `shard` to a temporary file beside `path`, then renames it over `path`.
fn write_atomically(path: &PathBuf, shard: &Shard) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(path);
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    // Serialised in memory, written at once: serde_json writing into the file itself makes a
    // system call per string (a fifth of a cold run's time at 10,000 manifests).
    file.write_all(&serde_json::to_vec(shard)?)?;
    file.flush()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The names a manifest delegates to as the built-in rules read them
/// (`input.spec.delegation.delegatesTo[_]`, strings only); `None` when the field has a shape
/// the key does not cover.
pub fn delegate_names(manifest: &Value) -> Option<Vec<&str>> {
    match manifest.pointer("/spec/delegation/delegatesTo") {
        None => Some(Vec::new()),
        Some(Value::Array(items)) => Some(items.iter().filter_map(Value::as_str).collect()),
        Some(Value::Object(fields)) => Some(fields.values().filter_map(Value::as_str).collect()),
        Some(Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null) => {
            Some(Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn finding(message: &str) -> RawFinding {
        RawFinding {
            package: "agentgate.rules.t".into(),
            message: message.into(),
            path: "/a".into(),
            redact: false,
            place: None,
        }
    }

    #[test]
    fn entries_round_trip_and_a_corrupt_one_is_ignored_then_rewritten() {
        let root = tempfile::tempdir().unwrap();
        let cache = ResultCache::at(root.path().to_path_buf());
        let key = "ab".repeat(32);
        cache.store(BTreeMap::from([(key.clone(), vec![finding("m")])]));
        assert_eq!(cache.lookup([key.as_str()])[&key], vec![finding("m")]);
        // A changed finding no longer matches its seal: ignored.
        let path = cache.shard_path(&key);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("\"m\"", "\"n\"")).unwrap();
        assert!(cache.lookup([key.as_str()]).is_empty());
        // A shard that does not parse: ignored, and rewritten by the next store.
        std::fs::write(&path, "{not json").unwrap();
        assert!(cache.lookup([key.as_str()]).is_empty());
        cache.store(BTreeMap::from([(key.clone(), vec![finding("m")])]));
        assert_eq!(cache.lookup([key.as_str()])[&key], vec![finding("m")]);
    }

    #[test]
    fn a_shard_is_bounded() {
        let root = tempfile::tempdir().unwrap();
        let cache = ResultCache::at(root.path().to_path_buf());
        let keys: Vec<String> = (0..SHARD_LIMIT + 10)
            .map(|i| format!("00{i:062}"))
            .collect();
        cache.store(keys.iter().map(|k| (k.clone(), Vec::new())).collect());
        let shard = cache.read_shard(&cache.shard_path(&keys[0]));
        assert_eq!(shard.entries.len(), SHARD_LIMIT);
    }

    #[test]
    fn every_key_input_changes_the_key() {
        let settings = json!({"today": "2026-11-23"});
        let packs = vec!["sha256:1".to_string()];
        let run = Run {
            engine: "rvm",
            packs: &packs,
            settings: &settings,
        };
        let (m, f, d) = (([1; 32], 0), json!({"f": 1}), ([2; 32], 0));
        let base = ResultCache::key(&run, m, &f, &[("d", Some(d), false)]);
        let other_settings = json!({"today": "2026-11-24"});
        let other_packs = vec!["sha256:2".to_string()];
        let variants = [
            ResultCache::key(
                &Run {
                    engine: "interpreter",
                    ..run
                },
                m,
                &f,
                &[("d", Some(d), false)],
            ),
            ResultCache::key(
                &Run {
                    packs: &other_packs,
                    ..run
                },
                m,
                &f,
                &[("d", Some(d), false)],
            ),
            ResultCache::key(
                &Run {
                    settings: &other_settings,
                    ..run
                },
                m,
                &f,
                &[("d", Some(d), false)],
            ),
            ResultCache::key(&run, ([3; 32], 0), &f, &[("d", Some(d), false)]),
            ResultCache::key(&run, ([1; 32], 1), &f, &[("d", Some(d), false)]),
            ResultCache::key(&run, m, &json!({"f": 2}), &[("d", Some(d), false)]),
            ResultCache::key(&run, m, &f, &[("d", Some(([4; 32], 0)), false)]),
            ResultCache::key(&run, m, &f, &[("d", Some(([2; 32], 1)), false)]),
            ResultCache::key(&run, m, &f, &[("d", None, false)]),
            ResultCache::key(&run, m, &f, &[("d", None, true)]),
            ResultCache::key(&run, m, &f, &[("e", Some(d), false)]),
            ResultCache::key(&run, m, &f, &[]),
        ];
        for (i, variant) in variants.iter().enumerate() {
            assert_ne!(*variant, base, "variant {i}");
        }
    }
}
