//! The signature cache: which review signatures were found to verify over what they sign, so
//! that a run does not repeat the public-key operation for a review an earlier run verified.
//! Verifying was a third of a warm `check` of 10,000 signed manifests.
//!
//! Only the cryptographic check is remembered: that the signature's own key made it over its
//! message in its namespace, a function of the signature text and the message alone (and of
//! the code that checked it, which the key holds). Everything the trust store decides is
//! decided again on every run: whether the key is listed for the reviewer, for this namespace,
//! at the review's date. A failed verification is not remembered.
//!
//! One file, `<cache root>/signatures/v1/verified.bin`: the keys (SHA-256 each) and, after
//! them, a SHA-256 over them; a file whose checksum does not hold is ignored and rewritten. It
//! is written to a temporary file then renamed, merging what a concurrent run added, and keeps
//! the newest [`LIMIT`] keys.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// A signature's key: see [`key`].
pub type SignatureKey = [u8; 32];

/// Keys kept at most (3 MiB).
pub const LIMIT: usize = 100_000;

/// The key of `signature` (as written in the review) over `message`: a SHA-256 over the format,
/// the code agentgate was built from, the signature's length and text, and the message.
pub fn key(signature: &str, message: &str) -> SignatureKey {
    let mut hasher = Sha256::new();
    hasher.update(b"agentgate-signature-v1\0");
    hasher.update(crate::parse_cache::CODE_IDENTITY.as_bytes());
    hasher.update([0]);
    hasher.update((signature.len() as u64).to_le_bytes());
    hasher.update(signature.as_bytes());
    hasher.update(message.as_bytes());
    hasher.finalize().into()
}

/// The signature cache under a cache root.
#[derive(Debug, Clone)]
pub struct SignatureCache {
    file: PathBuf,
}

impl SignatureCache {
    pub fn at(root: &Path) -> SignatureCache {
        SignatureCache {
            file: root.join("signatures").join("v1").join("verified.bin"),
        }
    }

    /// The keys of signatures known to verify, in the order they were learnt; none when the
    /// file is missing, not a regular file, or fails its checksum.
    fn read(&self) -> Vec<SignatureKey> {
        let Some(bytes) = crate::parse_cache::read_regular(&self.file) else {
            return Vec::new();
        };
        let Some((keys, sum)) = bytes.split_last_chunk::<32>() else {
            return Vec::new();
        };
        if keys.len() % 32 != 0 || Sha256::digest(keys).as_slice() != sum {
            return Vec::new();
        }
        keys.chunks_exact(32)
            .filter_map(|chunk| chunk.try_into().ok())
            .collect()
    }

    pub fn load(&self) -> HashSet<SignatureKey> {
        self.read().into_iter().collect()
    }

    /// Adds `learnt` (a failure to write leaves the cache as it was: nothing depends on it).
    pub fn store(&self, learnt: &[SignatureKey]) {
        if learnt.is_empty() {
            return;
        }
        // Read again just before writing: what a concurrent run learnt stays.
        let mut keys = self.read();
        let known: HashSet<SignatureKey> = keys.iter().copied().collect();
        keys.extend(learnt.iter().filter(|k| !known.contains(*k)));
        if keys.len() > LIMIT {
            keys.drain(..keys.len() - LIMIT);
        }
        let _ = self.write(&keys);
    }

    fn write(&self, keys: &[SignatureKey]) -> std::io::Result<()> {
        let dir = self.file.parent().unwrap_or(&self.file);
        std::fs::create_dir_all(dir)?;
        let bytes: Vec<u8> = keys.concat();
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(&bytes)?;
        file.write_all(&Sha256::digest(&bytes))?;
        file.flush()?;
        file.persist(&self.file).map_err(|e| e.error)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_differ_by_signature_and_message_and_round_trip() {
        assert_ne!(key("sig", "m"), key("sig", "n"));
        assert_ne!(key("sig", "m"), key("sigm", ""));
        let root = tempfile::tempdir().unwrap();
        let cache = SignatureCache::at(root.path());
        assert!(cache.load().is_empty());
        cache.store(&[key("a", "1"), key("b", "2")]);
        cache.store(&[key("b", "2"), key("c", "3")]);
        let known = cache.load();
        assert_eq!(known.len(), 3);
        assert!(known.contains(&key("c", "3")));
    }

    #[test]
    fn an_altered_file_is_ignored_then_rewritten_and_the_file_is_bounded() {
        let root = tempfile::tempdir().unwrap();
        let cache = SignatureCache::at(root.path());
        cache.store(&[key("a", "1")]);
        let mut bytes = std::fs::read(&cache.file).unwrap();
        bytes[0] ^= 1;
        std::fs::write(&cache.file, &bytes).unwrap();
        assert!(cache.load().is_empty(), "a key that fails the checksum");
        std::fs::write(&cache.file, b"short").unwrap();
        assert!(cache.load().is_empty());
        cache.store(&[key("a", "1")]);
        assert_eq!(cache.load().len(), 1);
        let many: Vec<SignatureKey> = (0..LIMIT + 5).map(|i| key("k", &i.to_string())).collect();
        cache.store(&many);
        let known = cache.load();
        assert_eq!(known.len(), LIMIT);
        assert!(known.contains(&many[LIMIT + 4]), "the newest are kept");
        assert!(!known.contains(&key("a", "1")), "the oldest go first");
    }
}
