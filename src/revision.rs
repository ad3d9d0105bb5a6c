//! `--at REV`: the repository as it was at a commit, written from git objects (through git2)
//! into a private temporary folder, so that `inventory` and `report` read a past commit without
//! a checkout: the working tree and the index are never touched.

use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

/// A commit's files in a temporary folder, removed when dropped.
#[derive(Debug)]
pub struct PastTree {
    dir: PathBuf,
    /// The folder in the past tree that corresponds to the caller's current folder.
    pub cwd: PathBuf,
    /// The full commit id that `rev` named.
    pub commit: String,
}

impl Drop for PastTree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Writes every regular file of the commit that `rev` names (symbolic links and submodules are
/// left out; so are files over `max_bytes`, which the checker would refuse anyway).
pub fn at(cwd: &Path, rev: &str, max_bytes: u64) -> Result<PastTree, String> {
    let repo = Repository::discover(cwd).map_err(|_| {
        format!(
            "--at needs a git repository, and {} is not inside one",
            cwd.display()
        )
    })?;
    let commit = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            format!(
                "--at {rev}: not a commit in this repository ({})",
                e.message()
            )
        })?;
    let tree = commit.tree().map_err(|e| e.message().to_string())?;
    let workdir = repo
        .workdir()
        .ok_or("--at needs a repository with a working tree")?
        .canonicalize()
        .map_err(|e| e.to_string())?;
    let here = cwd.canonicalize().map_err(|e| e.to_string())?;
    let prefix = here
        .strip_prefix(&workdir)
        .unwrap_or(Path::new(""))
        .to_path_buf();

    let dir = std::env::temp_dir().join(format!(
        "agentgate-at-{}-{}",
        std::process::id(),
        &commit.id().to_string()[..12]
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let past_tree = PastTree {
        cwd: dir.join(&prefix),
        dir,
        commit: commit.id().to_string(),
    };
    let mut failure = None;
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
            return TreeWalkResult::Ok;
        }
        let Ok(blob) = repo.find_blob(entry.id()) else {
            return TreeWalkResult::Ok;
        };
        if blob.size() as u64 > max_bytes {
            return TreeWalkResult::Ok;
        }
        let path = past_tree
            .dir
            .join(parent)
            .join(entry.name().unwrap_or_default());
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, blob.content()));
        match written {
            Ok(()) => TreeWalkResult::Ok,
            Err(e) => {
                failure = Some(format!("{}: {e}", path.display()));
                TreeWalkResult::Abort
            }
        }
    })
    .map_err(|e| e.message().to_string())?;
    if let Some(message) = failure {
        return Err(message);
    }
    std::fs::create_dir_all(&past_tree.cwd).map_err(|e| e.to_string())?;
    // The past_tree's root is the repository's root: agentgate must not look above it.
    std::fs::create_dir_all(past_tree.dir.join(".git")).map_err(|e| e.to_string())?;
    Ok(past_tree)
}
