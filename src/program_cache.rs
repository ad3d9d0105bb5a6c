//! The program cache: a rule pack compiled for regorus's bytecode VM, keyed by a SHA-256 of
//! everything the compilation reads (the code agentgate was built from, vendored regorus
//! included, the entry point, and every module's path and text), so that a run whose packs did not change
//! does not compile them again. Compiling was what a one-file check waited for.
//!
//! One file per program under `<cache root>/programs/v1/`, written to a temporary file then
//! renamed; its first 32 bytes are a SHA-256 over the key and the program, and a file whose
//! seal does not match is ignored (the pack is compiled) and rewritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

const FORMAT: &[u8] = b"agentgate-program-v1";

#[derive(Debug, Clone)]
pub struct ProgramCache {
    dir: PathBuf,
}

/// The key of a compilation: its entry point and modules (path, text), in the order added.
pub fn key<'a>(entry: &str, modules: impl IntoIterator<Item = (&'a str, &'a str)>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let code = crate::parse_cache::CODE_IDENTITY.as_bytes();
    for part in [FORMAT, code, entry.as_bytes()] {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    for (path, text) in modules {
        for part in [path, text] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher.finalize().into()
}

fn seal(key: &[u8; 32], program: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(key);
    hasher.update(program);
    hasher.finalize().into()
}

impl ProgramCache {
    pub fn at(root: &Path) -> ProgramCache {
        ProgramCache {
            dir: root.join("programs").join("v1"),
        }
    }

    fn path(&self, key: &[u8; 32]) -> PathBuf {
        let name: String = key.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{name}.bin"))
    }

    /// The program stored under `key`, when its seal matches.
    pub fn get(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
        let mut bytes = crate::parse_cache::read_regular(&self.path(key))?;
        if bytes.len() < 32 {
            return None;
        }
        let program = bytes.split_off(32);
        (bytes[..] == seal(key, &program)[..]).then_some(program)
    }

    /// Stores `program` under `key`; a failure to write leaves the cache as it was.
    pub fn put(&self, key: &[u8; 32], program: &[u8]) {
        let _ = (|| -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            file.write_all(&seal(key, program))?;
            file.write_all(program)?;
            file.flush()?;
            file.persist(self.path(key)).map_err(|e| e.error)?;
            Ok(())
        })();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_round_trips_and_an_altered_one_is_ignored() {
        let root = tempfile::tempdir().unwrap();
        let cache = ProgramCache::at(root.path());
        let key = key("data.x", [("a.rego", "package a")]);
        assert_eq!(cache.get(&key), None);
        cache.put(&key, b"program");
        assert_eq!(cache.get(&key).as_deref(), Some(&b"program"[..]));
        let path = cache.path(&key);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(cache.get(&key), None);
        std::fs::write(&path, b"short").unwrap();
        assert_eq!(cache.get(&key), None);
    }

    #[test]
    fn every_input_changes_the_key() {
        let base = key("data.x", [("a.rego", "package a")]);
        for other in [
            key("data.y", [("a.rego", "package a")]),
            key("data.x", [("b.rego", "package a")]),
            key("data.x", [("a.rego", "package b")]),
            key("data.x", [("a.rego", "package a"), ("b.rego", "")]),
            // Boundaries between parts count: moving text from a path into its module is
            // another key.
            key("data.x", [("a.regop", "ackage a")]),
        ] {
            assert_ne!(other, base);
        }
    }
}
