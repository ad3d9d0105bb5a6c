//! The parse cache: what reading a manifest file's text gave (its YAML documents: each value and
//! span tree), keyed by a SHA-256 of the text, so that a run does not parse a file it parsed
//! before. Parsing was about 40 % of a warm `check` (the result cache had spared the
//! evaluation, not the reading).
//!
//! Sound because a file's documents are a function of its text alone (and of the code agentgate
//! was built from, which the key holds): the key is a hash of exactly what the parser would read, and
//! only texts that parsed without error are stored, so a file that failed to parse is parsed
//! (and reported) again. Values are stored losslessly (integers as integers, floats as their 64
//! bits): a number that came back one ulp off would change the review digest.
//!
//! Entries live in 16 shard files under `<cache root>/parsed/v2/` (the shard is the key's first
//! four bits), each entry sealed by a SHA-256 over its key and bytes: an entry whose seal does not
//! match, or a shard that does not decode, is ignored (the file is parsed) and rewritten. A
//! shard is written to a temporary file then renamed, as the result cache's are, and keeps at
//! most [`PARSED_PER_SHARD`] entries.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

use crate::source::Span;
use crate::validate::Violation;
use crate::yaml::{Node, SpanTree};

/// Bumped whenever what an entry holds, or how the parser reads a text, changes.
const FORMAT: &[u8] = b"agentgate-parsed-v2";

/// Entries per shard at most, in this cache and the result cache: 256 shards of 2,048 entries
/// are half a million files.
pub const SHARD_LIMIT: usize = 2048;

/// Entries per parse cache shard at most. This cache has 16 shards (the key's first four bits),
/// not 256: a first run writes every shard it touches, and on a slow file system 78 shard files
/// for a repository of 100 manifests were a third of a one-file check's first run. 16 shards of
/// 16,384 entries are a quarter of a million files.
const PARSED_PER_SHARD: usize = 16_384;

include!(concat!(env!("OUT_DIR"), "/code_identity.rs"));

/// The key of a text: a SHA-256 over the format, the code agentgate was built from
/// ([`CODE_IDENTITY`]: a hash of its sources, computed by `build.rs`, which changes whenever
/// the parser could) and the text.
pub type TextKey = [u8; 32];

pub fn text_key(text: &str) -> TextKey {
    let mut hasher = Sha256::new();
    hasher.update(FORMAT);
    hasher.update([0]);
    hasher.update(CODE_IDENTITY.as_bytes());
    hasher.update([0]);
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

fn seal(key: &TextKey, bytes: &[u8]) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(key);
    hasher.update(bytes);
    hasher.finalize().into()
}

/// A JSON value as postcard can carry it (serde_json's `Value` needs a self-describing format);
/// read back as [`Decoded`].
#[derive(Serialize)]
enum Stored {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    String(String),
    Array(Vec<Stored>),
    Object(Vec<(String, Stored)>),
}

impl Stored {
    fn of(value: &Value) -> Stored {
        match value {
            Value::Null => Stored::Null,
            Value::Bool(b) => Stored::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Stored::Int(i),
                (None, Some(u), _) => Stored::Uint(u),
                (None, None, Some(f)) => Stored::Float(f),
                // Not reachable without arbitrary precision; kept total all the same.
                (None, None, None) => Stored::Null,
            },
            Value::String(s) => Stored::String(s.clone()),
            Value::Array(items) => Stored::Array(items.iter().map(Stored::of).collect()),
            Value::Object(fields) => Stored::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), Stored::of(v)))
                    .collect(),
            ),
        }
    }
}

/// A [`Stored`] value decoded straight into a JSON value, without building the `Stored` tree
/// first (that tree was a fifth of decoding a warm run's parses). The layout is `Stored`'s: the
/// variant's index, then its content.
struct Decoded(Value);

impl<'de> Deserialize<'de> for Decoded {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        const VARIANTS: &[&str] = &[
            "Null", "Bool", "Int", "Uint", "Float", "String", "Array", "Object",
        ];
        deserializer.deserialize_enum("Stored", VARIANTS, DecodedVisitor)
    }
}

struct DecodedVisitor;

impl<'de> serde::de::Visitor<'de> for DecodedVisitor {
    type Value = Decoded;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a stored JSON value")
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Decoded, A::Error> {
        use serde::de::{Error, VariantAccess};
        let (kind, content): (u32, _) = data.variant()?;
        Ok(Decoded(match kind {
            0 => {
                content.unit_variant()?;
                Value::Null
            }
            1 => Value::Bool(content.newtype_variant()?),
            2 => Value::Number(content.newtype_variant::<i64>()?.into()),
            3 => Value::Number(content.newtype_variant::<u64>()?.into()),
            // A float that is no JSON number is never stored; refused all the same.
            4 => Value::Number(
                Number::from_f64(content.newtype_variant()?)
                    .ok_or_else(|| A::Error::custom("a stored float is no JSON number"))?,
            ),
            5 => Value::String(content.newtype_variant()?),
            6 => Value::Array(
                content
                    .newtype_variant::<Vec<Decoded>>()?
                    .into_iter()
                    .map(|d| d.0)
                    .collect(),
            ),
            7 => Value::Object(
                content
                    .newtype_variant::<Vec<(String, Decoded)>>()?
                    .into_iter()
                    .map(|(k, v)| (k, v.0))
                    .collect::<Map<String, Value>>(),
            ),
            _ => return Err(A::Error::custom("an unknown kind of stored value")),
        }))
    }
}

/// A document as stored (`V` is [`Stored`]) and as read back (`V` is [`Decoded`]).
#[derive(Serialize, Deserialize)]
struct StoredDocument<V> {
    value: V,
    /// The span tree, encoded on its own: decoded only when a place in the document is asked
    /// for ([`SpanTree`]).
    #[serde(with = "serde_bytes")]
    root: Vec<u8>,
    /// A manifest's schema violations (a function of its value), `None` for other documents.
    violations: Option<Vec<StoredViolation>>,
}

#[derive(Serialize, Deserialize)]
struct StoredViolation {
    pointer: String,
    message: String,
    secret: bool,
    /// Where the finding on it points (found with the span tree when the entry was made).
    place: Option<(usize, Span)>,
}

/// A document read from a text, with its schema violations when it is a manifest.
pub struct Parsed {
    pub value: Value,
    pub root: SpanTree,
    pub violations: Option<Vec<Violation>>,
}

/// A shard's entries, each a postcard-encoded `Vec<StoredDocument>`.
#[derive(Serialize, Deserialize, Default)]
struct Shard {
    entries: Vec<ShardEntry>,
}

#[derive(Serialize, Deserialize)]
struct ShardEntry {
    key: TextKey,
    /// A SHA-256 over the key and the bytes.
    seal: [u8; 32],
    #[serde(with = "serde_bytes")]
    bytes: Vec<u8>,
}

/// The parse cache under a cache root.
#[derive(Debug, Clone)]
pub struct ParseCache {
    dir: PathBuf,
}

impl ParseCache {
    pub fn at(root: &Path) -> ParseCache {
        ParseCache {
            dir: root.join("parsed").join("v2"),
        }
    }

    fn shard_path(&self, key: &TextKey) -> PathBuf {
        self.dir.join(format!("{:x}.bin", key[0] >> 4))
    }

    fn read_shard(path: &Path) -> Shard {
        read_regular(path)
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .unwrap_or_default()
    }

    /// The documents of each key that has a sound entry (read and decoded in parallel, shard
    /// by shard).
    pub fn lookup(&self, keys: &[TextKey]) -> HashMap<TextKey, Vec<Parsed>> {
        let mut by_shard: BTreeMap<PathBuf, BTreeSet<TextKey>> = BTreeMap::new();
        for key in keys {
            by_shard
                .entry(self.shard_path(key))
                .or_default()
                .insert(*key);
        }
        by_shard
            .into_par_iter()
            .flat_map_iter(|(path, wanted)| {
                Self::read_shard(&path)
                    .entries
                    .into_iter()
                    .filter(move |e| wanted.contains(&e.key))
                    .filter(|e| seal(&e.key, &e.bytes) == e.seal)
                    .filter_map(|e| Some((e.key, decode(&e.bytes)?)))
            })
            .collect()
    }

    /// Adds the entries of texts parsed in this run (see [`entry`]); a failure to write leaves
    /// the cache as it was (the run's results do not depend on it).
    pub fn store(&self, entries: Vec<Entry>) {
        if entries.is_empty() || std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let mut by_shard: BTreeMap<PathBuf, Vec<Entry>> = BTreeMap::new();
        for entry in entries {
            by_shard
                .entry(self.shard_path(&entry.key))
                .or_default()
                .push(entry);
        }
        // Writing a shard is mostly waiting for the file system (a read, a temporary file, a
        // rename): a few threads of its own, not the evaluation's workers.
        let shards: Vec<(PathBuf, Vec<Entry>)> = by_shard.into_iter().collect();
        let per_thread = shards.len().div_ceil(WRITERS).max(1);
        let mut shards = shards;
        std::thread::scope(|scope| {
            while !shards.is_empty() {
                let chunk: Vec<_> = shards.drain(..per_thread.min(shards.len())).collect();
                scope.spawn(move || {
                    for (path, new) in chunk {
                        write_shard(&path, new);
                    }
                });
            }
        });
    }
}

/// Threads writing shards at once.
const WRITERS: usize = 8;

fn write_shard(path: &Path, new: Vec<Entry>) {
    // Read again just before writing: the entries a concurrent run added stay.
    let mut shard = ParseCache::read_shard(path);
    let fresh: BTreeSet<TextKey> = new.iter().map(|e| e.key).collect();
    shard.entries.retain(|e| !fresh.contains(&e.key));
    // Bounded: what this run did not write goes first (the oldest first).
    let room = PARSED_PER_SHARD.saturating_sub(new.len());
    if shard.entries.len() > room {
        let surplus = shard.entries.len() - room;
        shard.entries.drain(..surplus);
    }
    for Entry { key, bytes } in new.into_iter().take(PARSED_PER_SHARD) {
        shard.entries.push(ShardEntry {
            key,
            seal: seal(&key, &bytes),
            bytes,
        });
    }
    let _ = write_atomically(path, &shard);
}

/// A text's documents encoded for the cache (in the parsing thread, so that storing is only
/// writing).
pub struct Entry {
    key: TextKey,
    bytes: Vec<u8>,
}

/// The cache entry of what was read from `text` (whose key is `key`): its documents, each with
/// the violations of a manifest when it is one. `None` for a text not worth keeping: one whose
/// aliases expand it far beyond its size (a pull request could otherwise fill the cache with a
/// small file), or one holding anything a secret detector recognises (the cache would keep the
/// secret after the file is mended).
pub fn entry(key: TextKey, text: &str, parsed: &[Parsed]) -> Option<Entry> {
    if crate::secret_patterns::find(text, crate::secret_patterns::Set::Committed).is_some() {
        return None;
    }
    let bytes = encode(parsed)?;
    (bytes.len() <= MAX_EXPANSION * text.len() + 4096).then_some(Entry { key, bytes })
}

/// How much larger than its text an entry may be (a span tree and a value are about four times
/// the text of an ordinary manifest).
const MAX_EXPANSION: usize = 16;

/// The bytes of a cache file, when it is a regular file (a FIFO or a device in its place is
/// ignored, never waited on).
pub fn read_regular(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless it is non-blocking.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let mut file = options.open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

fn encode(parsed: &[Parsed]) -> Option<Vec<u8>> {
    let stored: Vec<StoredDocument<Stored>> = parsed
        .iter()
        .map(|p| StoredDocument {
            value: Stored::of(&p.value),
            root: postcard::to_allocvec(&*p.root).unwrap_or_default(),
            violations: p.violations.as_ref().map(|found| {
                found
                    .iter()
                    .map(|v| StoredViolation {
                        pointer: v.pointer.clone(),
                        message: v.message.clone(),
                        secret: v.secret,
                        place: v.place,
                    })
                    .collect()
            }),
        })
        .collect();
    postcard::to_allocvec(&stored).ok()
}

fn decode(bytes: &[u8]) -> Option<Vec<Parsed>> {
    let stored: Vec<StoredDocument<Decoded>> = postcard::from_bytes(bytes).ok()?;
    let parsed = stored
        .into_iter()
        .map(|d| {
            let tree = d.root;
            Parsed {
                value: d.value.0,
                // The entry's seal held, and the same code wrote it: a tree that does not
                // decode is out of reach short of forging the cache, which is the user's own
                // (src/cache.rs refuses a root owned by anyone else). Its places would then
                // all be the start of the file; nothing a finding says depends on them.
                root: SpanTree::deferred(move || {
                    postcard::from_bytes(&tree).unwrap_or_else(|_| Node::empty())
                }),
                violations: d.violations.map(|found| {
                    found
                        .into_iter()
                        .map(|v| Violation {
                            pointer: v.pointer,
                            message: v.message,
                            secret: v.secret,
                            place: v.place,
                        })
                        .collect()
                }),
            }
        })
        .collect();
    Some(parsed)
}

fn write_atomically(path: &Path, shard: &Shard) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(path);
    let bytes = postcard::to_allocvec(shard).map_err(std::io::Error::other)?;
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(&bytes)?;
    file.flush()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{parse, Document, Limits};

    fn documents(text: &str) -> Vec<Document> {
        let source = SourceFile::new("m.yaml".into(), "m.yaml".into(), text);
        parse(&source, Limits::default()).unwrap()
    }

    /// What a document is, compared whole (value and every span of the tree).
    fn shown(documents: &[Document]) -> String {
        format!("{documents:?}")
    }

    fn found(parsed: &[Parsed]) -> String {
        let documents: Vec<Document> = parsed
            .iter()
            .map(|p| Document {
                value: p.value.clone(),
                root: (*p.root).clone(),
            })
            .collect();
        shown(&documents)
    }

    fn plain(documents: &[Document]) -> Vec<Parsed> {
        documents
            .iter()
            .map(|d| Parsed {
                value: d.value.clone(),
                root: SpanTree::built(d.root.clone()),
                violations: None,
            })
            .collect()
    }

    #[test]
    fn documents_round_trip_losslessly() {
        let text = "a: 1\nb: -2\nc: 0.1\nd: 9007199254740991\ne: [x, {f: null, g: true}]\n---\n- 1.0000000000000002\n- 'q'\n";
        let parsed = documents(text);
        let root = tempfile::tempdir().unwrap();
        let cache = ParseCache::at(root.path());
        let key = text_key(text);
        cache.store(entry(key, text, &plain(&parsed)).into_iter().collect());
        let hit = cache.lookup(&[key]);
        assert_eq!(found(&hit[&key]), shown(&parsed));
        assert_eq!(hit[&key][0].value, parsed[0].value);
        assert_eq!(hit[&key][1].value, parsed[1].value);
    }

    #[test]
    fn a_corrupt_entry_or_shard_is_ignored_then_rewritten() {
        let text = "a: 1\n";
        let parsed = documents(text);
        let root = tempfile::tempdir().unwrap();
        let cache = ParseCache::at(root.path());
        let key = text_key(text);
        cache.store(entry(key, text, &plain(&parsed)).into_iter().collect());
        let path = cache.shard_path(&key);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(
            cache.lookup(&[key]).is_empty(),
            "an altered entry is not used"
        );
        std::fs::write(&path, b"\xff\xff\xff").unwrap();
        assert!(
            cache.lookup(&[key]).is_empty(),
            "a shard that does not decode"
        );
        cache.store(entry(key, text, &plain(&parsed)).into_iter().collect());
        assert_eq!(found(&cache.lookup(&[key])[&key]), shown(&parsed));
    }

    #[test]
    fn a_text_holding_a_secret_or_expanding_far_beyond_its_size_is_not_kept() {
        let secret = "token: ghp_0123456789abcdefghijABCDEFGHIJ012345\n";
        assert!(entry(text_key(secret), secret, &plain(&documents(secret))).is_none());
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        assert!(entry(text_key(bomb), bomb, &plain(&documents(bomb))).is_none());
        let plain_text = "a: [x, y]\n";
        assert!(entry(
            text_key(plain_text),
            plain_text,
            &plain(&documents(plain_text))
        )
        .is_some());
    }

    #[test]
    fn a_fifo_in_place_of_a_shard_is_ignored_not_waited_on() {
        let root = tempfile::tempdir().unwrap();
        let path = root.path().join("00.bin");
        let status = std::process::Command::new("mkfifo").arg(&path).status();
        if !status.is_ok_and(|s| s.success()) {
            return; // no mkfifo here: nothing to test
        }
        assert!(read_regular(&path).is_none());
        assert!(read_regular(Path::new("/dev/zero")).is_none());
    }

    #[test]
    fn another_text_is_another_key_and_a_shard_is_bounded() {
        assert_ne!(text_key("a: 1\n"), text_key("a: 1 \n"));
        let parsed = documents("a: 1\n");
        let root = tempfile::tempdir().unwrap();
        let cache = ParseCache::at(root.path());
        let keys: Vec<TextKey> = (0..PARSED_PER_SHARD + 10)
            .map(|i| {
                let mut key = [0u8; 32];
                key[1..9].copy_from_slice(&(i as u64).to_be_bytes());
                key
            })
            .collect();
        cache.store(
            keys.iter()
                .filter_map(|k| entry(*k, "a: 1\n", &plain(&parsed)))
                .collect(),
        );
        let shard = ParseCache::read_shard(&cache.shard_path(&keys[0]));
        assert_eq!(shard.entries.len(), PARSED_PER_SHARD);
    }
}
