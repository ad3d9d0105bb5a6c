//! The result cache's shards as the cache tests read and poison them (`results/v1/` under an
//! `AGENTGATE_CACHE` folder).

use std::path::{Path, PathBuf};

use agentgate::evaluate::RawFinding;

/// The shard files under the cache folder `cache`, sorted.
pub fn shards(cache: &Path) -> Vec<PathBuf> {
    let mut shards: Vec<PathBuf> = std::fs::read_dir(cache.join("results/v1"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    shards.sort();
    shards
}

/// A shard, which must parse (a torn one fails the test, naming it).
pub fn shard(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("a shard");
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is torn ({e}): {text}", path.display()))
}

/// How many entries the cache holds.
pub fn entries(cache: &Path) -> usize {
    shards(cache)
        .iter()
        .map(|s| shard(s)["entries"].as_object().map_or(0, |e| e.len()))
        .sum()
}

/// Every entry's findings replaced by one finding whose message is `mark`, sealed as a run
/// would seal it: a manifest reported with that message was served from the cache.
pub fn poison(cache: &Path, mark: &str) {
    let finding = RawFinding {
        package: "agentgate.rules.ag011_wildcard_grant".into(),
        message: mark.into(),
        path: String::new(),
        redact: false,
        place: None,
    };
    for path in shards(cache) {
        let mut shard = shard(&path);
        let entries = shard["entries"].as_object_mut().expect("entries");
        for (key, entry) in entries.iter_mut() {
            entry["findings"] = serde_json::json!([finding]);
            entry["seal"] =
                serde_json::json!(agentgate::cache::seal(key, std::slice::from_ref(&finding)));
        }
        std::fs::write(&path, shard.to_string()).expect("write the shard");
    }
}

/// The files with a finding whose message is `mark`: those served from a poisoned cache.
pub fn served(run: &crate::common::Run, mark: &str) -> std::collections::BTreeSet<String> {
    run.json()["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["message"] == mark)
        .map(|f| f["file"].as_str().unwrap_or_default().to_string())
        .collect()
}
