//! Where rule packs beside the built-in one come from: a local folder, or a git repository
//! pinned to a full commit id. Git packs are fetched with the git command line (so the user's
//! credential helpers, SSH agent and config apply, and agentgate links no TLS or SSH stack),
//! cached by commit under the user's cache directory, and read straight from git objects with
//! git2, with hash verification on, on every use. Once cached, a pack works offline.

use std::path::{Path, PathBuf};
use std::process::Command;

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

use crate::digest::{sha256_digest, sha256_hex};
use crate::fs::read_text;

/// The largest policy file a pack may hold.
const MAX_POLICY_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    Dir(PathBuf),
    Git {
        url: String,
        rev: String,
        subdir: Option<String>,
    },
}

impl PackSource {
    pub fn describe(&self) -> String {
        match self {
            PackSource::Dir(path) => path.display().to_string(),
            PackSource::Git { url, rev, subdir } => match subdir {
                Some(subdir) => format!("{url}@{rev}:{subdir}"),
                None => format!("{url}@{rev}"),
            },
        }
    }
}

/// A full commit id; a branch or tag could change under the gate, so nothing else is accepted.
pub fn is_full_commit_id(rev: &str) -> bool {
    rev.len() == 40
        && rev
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
}

/// One `.rego` file of a pack.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PackFile {
    /// How diagnostics name the file: its path, or `URL@REV12:PATH` for a git pack.
    pub shown: String,
    /// Its path inside the pack (below the folder, or below `subdir` of the commit), with `/`:
    /// what the pack digest covers, so the digest does not depend on where the pack was read.
    pub relative: String,
    pub source: String,
}

/// The `.rego` files of a pack, sorted by shown path.
pub fn load_files(source: &PackSource) -> Result<Vec<PackFile>, String> {
    let mut files = match source {
        PackSource::Dir(dir) => read_dir(dir)?,
        PackSource::Git { url, rev, subdir } => read_git(url, rev, subdir.as_deref())?,
    };
    files.sort();
    if files.is_empty() {
        return Err(format!(
            "rule pack {} holds no .rego file",
            source.describe()
        ));
    }
    Ok(files)
}

/// The digest of a pack: `sha256:` and the SHA-256 of the listing GNU `sha256sum` prints for
/// its `.rego` files in byte order of their paths inside the pack (`HEX  PATH` lines; a path
/// holding a backslash, CR or LF has them escaped and its line starts with a backslash). So an
/// auditor reproduces it with stock tools from the pack's folder, `find . -name '*.rego' -type f
/// -printf '%P\0' | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum`, and it changes with any
/// byte or any file name of the pack, wherever the pack was read from.
pub fn digest<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut files: Vec<(&str, &str)> = files.into_iter().collect();
    files.sort_unstable();
    let mut listing = String::new();
    for (path, source) in files {
        let escaped = path
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        if escaped != path {
            listing.push('\\');
        }
        listing.push_str(&sha256_hex(source.as_bytes()));
        listing.push_str("  ");
        listing.push_str(&escaped);
        listing.push('\n');
    }
    sha256_digest(listing.as_bytes())
}

fn read_dir(dir: &Path) -> Result<Vec<PackFile>, String> {
    if !dir.is_dir() {
        return Err(format!("rule pack {}: no such folder", dir.display()));
    }
    let mut files = Vec::new();
    for entry in walk_rego(dir) {
        let text =
            read_text(&entry, MAX_POLICY_BYTES).map_err(|e| format!("{}: {e}", entry.display()))?;
        let relative = entry
            .strip_prefix(dir)
            .unwrap_or(&entry)
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        files.push(PackFile {
            shown: entry.display().to_string(),
            relative,
            source: text,
        });
    }
    Ok(files)
}

fn walk_rego(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk_rego(&path));
        } else if path.extension().is_some_and(|e| e == "rego") {
            out.push(path);
        }
    }
    out
}

/// `$AGENTGATE_CACHE`, else `$XDG_CACHE_HOME/agentgate`, else `~/.cache/agentgate`.
pub fn cache_dir() -> PathBuf {
    let var = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    var("AGENTGATE_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("agentgate")))
        .or_else(|| var("HOME").map(|d| d.join(".cache/agentgate")))
        .unwrap_or_else(|| std::env::temp_dir().join("agentgate-cache"))
}

/// One bare repository per pack URL, named by a digest of the URL.
fn cache_repo(url: &str) -> PathBuf {
    // FNV-1a: a stable name, not a security boundary (objects are verified by their ids).
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    cache_dir().join("git").join(format!("{hash:016x}"))
}

fn read_git(url: &str, rev: &str, subdir: Option<&str>) -> Result<Vec<PackFile>, String> {
    if !is_full_commit_id(rev) {
        return Err(format!(
            "rule pack {url}: rev {rev:?} is not a full 40-character commit id; branches and tags can move, so a gate pins commits"
        ));
    }
    // Every object read below is re-hashed and compared with its id.
    git2::opts::strict_hash_verification(true);
    let path = cache_repo(url);
    let repo = match Repository::open_bare(&path) {
        Ok(repo) => repo,
        Err(_) => {
            std::fs::create_dir_all(&path)
                .map_err(|e| format!("cannot create the pack cache {}: {e}", path.display()))?;
            Repository::init_bare(&path).map_err(|e| {
                format!(
                    "cannot create the pack cache {}: {}",
                    path.display(),
                    e.message()
                )
            })?
        }
    };
    let oid = Oid::from_str(rev).map_err(|e| e.message().to_string())?;
    if repo.find_commit(oid).is_err() {
        fetch(&path, url, rev)?;
    }
    let commit = repo.find_commit(oid).map_err(|_| {
        format!("rule pack {url}: commit {rev} is not in the repository after fetching it")
    })?;
    if commit.id() != oid {
        return Err(format!(
            "rule pack {url}: the cached commit does not match {rev}"
        ));
    }
    let tree = commit.tree().map_err(|e| e.message().to_string())?;
    // Bound to a name so the borrows of `repo` end before it is dropped.
    #[allow(clippy::let_and_return)]
    let files = files_at(&repo, &tree, url, rev, subdir);
    files
}

fn fetch(cache: &Path, url: &str, rev: &str) -> Result<(), String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(cache)
        .args(["fetch", "--quiet", "--no-tags", "--depth", "1", "--", url, rev])
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| format!("rule pack {url}: cannot run git to fetch it ({e}); install git, or vendor the pack as a folder"))?;
    if output.status.success() {
        return Ok(());
    }
    Err(format!(
        "rule pack {url}: fetching commit {rev} failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    ))
}

fn files_at(
    repo: &Repository,
    tree: &git2::Tree<'_>,
    url: &str,
    rev: &str,
    subdir: Option<&str>,
) -> Result<Vec<PackFile>, String> {
    let prefix = subdir
        .map(|s| s.trim_matches('/'))
        .filter(|s| !s.is_empty());
    let mut files = Vec::new();
    let mut failure = None;
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let path = format!("{dir}{}", entry.name().unwrap_or_default());
        let inside = prefix.is_none_or(|p| path.starts_with(&format!("{p}/")));
        if entry.kind() != Some(ObjectType::Blob) || !inside || !path.ends_with(".rego") {
            return TreeWalkResult::Ok;
        }
        match repo.find_blob(entry.id()) {
            Ok(blob) => match std::str::from_utf8(blob.content()) {
                Ok(text) => files.push(PackFile {
                    shown: format!("{url}@{}:{path}", &rev[..12]),
                    relative: prefix
                        .and_then(|p| path.strip_prefix(&format!("{p}/")))
                        .unwrap_or(&path)
                        .to_string(),
                    source: text.to_string(),
                }),
                Err(_) => failure = Some(format!("{path} is not UTF-8")),
            },
            Err(e) => failure = Some(format!("{path}: {}", e.message())),
        }
        TreeWalkResult::Ok
    })
    .map_err(|e| e.message().to_string())?;
    if let Some(message) = failure {
        return Err(format!("rule pack {url}@{rev}: {message}"));
    }
    if let Some(prefix) = prefix {
        if files.is_empty() && tree.get_path(Path::new(prefix)).is_err() {
            return Err(format!(
                "rule pack {url}@{rev}: no folder {prefix:?} at that commit"
            ));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_the_sha256sum_listing_in_path_order() {
        let (a, b) = (sha256_hex(b"a"), sha256_hex(b"b"));
        let listing = format!("{a}  a.rego\n{b}  b/c.rego\n");
        let expected = sha256_digest(listing.as_bytes());
        // The order files were found in does not matter; their paths do.
        assert_eq!(digest([("b/c.rego", "b"), ("a.rego", "a")]), expected);
        assert_ne!(digest([("b/d.rego", "b"), ("a.rego", "a")]), expected);
    }

    #[test]
    fn odd_file_names_are_escaped_as_sha256sum_does() {
        // `sha256sum` prints `\HEX  n\nl.rego` for a name holding a newline, so a name cannot
        // forge a second line of the listing.
        let listing = format!("\\{}  n\\nl.rego\n", sha256_hex(b"x"));
        assert_eq!(
            digest([("n\nl.rego", "x")]),
            sha256_digest(listing.as_bytes())
        );
        assert_ne!(digest([("n\nl.rego", "x")]), digest([("n\\nl.rego", "x")]));
    }
}
