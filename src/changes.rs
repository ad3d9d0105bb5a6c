//! Which files changed, read through git2: against a revision (`--changed-since`, from the
//! merge base, so a branch is compared with where it forked) or in the index (`--staged`, as a
//! pre-commit hook sees the commit being made). Part of discovery: it only narrows which
//! manifests are reported; the inventory stays the whole repository.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use git2::{Delta, Diff, DiffFindOptions, DiffOptions, Repository, Tree};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeFilter {
    Since(String),
    Staged,
}

#[derive(Debug, Default)]
pub struct Changes {
    /// Files added, modified or renamed into place (absolute paths in the working tree).
    pub present: BTreeSet<PathBuf>,
    /// Files deleted or renamed away, with their old content: a removed delegate still
    /// matters to the agents that delegated to it.
    pub removed: Vec<(PathBuf, String)>,
    /// YAML files modified in place (or renamed here), with their content at the base revision:
    /// with `removed`,
    /// the base version of every agent the change touches (a review the change adds, alters or
    /// rolls back is judged against the base's review of the same agent).
    pub modified: Vec<(PathBuf, String)>,
}

pub fn changed_files(start: &Path, filter: &ChangeFilter) -> Result<Changes, String> {
    let repo = Repository::discover(start).map_err(|_| {
        format!(
            "{} needs a git repository, and {} is not inside one",
            flag(filter),
            start.display()
        )
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| {
            format!(
                "{} needs a working tree; this repository is bare",
                flag(filter)
            )
        })?
        .to_path_buf();
    let base = match filter {
        ChangeFilter::Since(rev) => Some(merge_base_tree(&repo, rev)?),
        ChangeFilter::Staged => head_tree(&repo)?,
    };
    let mut options = DiffOptions::new();
    options.include_untracked(true).recurse_untracked_dirs(true);
    let mut diff = match filter {
        ChangeFilter::Since(_) => {
            repo.diff_tree_to_workdir_with_index(base.as_ref(), Some(&mut options))
        }
        ChangeFilter::Staged => repo.diff_tree_to_index(base.as_ref(), None, Some(&mut options)),
    }
    .map_err(|e| format!("cannot compute the changes: {}", e.message()))?;
    diff.find_similar(Some(DiffFindOptions::new().renames(true)))
        .map_err(|e| format!("cannot follow renames: {}", e.message()))?;
    Ok(collect(&repo, base.as_ref(), &diff, &workdir))
}

fn flag(filter: &ChangeFilter) -> &'static str {
    match filter {
        ChangeFilter::Since(_) => "--changed-since",
        ChangeFilter::Staged => "--staged",
    }
}

fn merge_base_tree<'r>(repo: &'r Repository, rev: &str) -> Result<Tree<'r>, String> {
    let target = repo
        .revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|e| {
            format!(
                "--changed-since {rev}: not a commit in this repository ({})",
                e.message()
            )
        })?;
    let base = match repo.head().and_then(|h| h.peel_to_commit()) {
        Ok(head) => repo
            .merge_base(head.id(), target.id())
            .and_then(|id| repo.find_commit(id))
            .unwrap_or(target),
        Err(_) => target,
    };
    base.tree()
        .map_err(|e| format!("--changed-since {rev}: {}", e.message()))
}

fn head_tree(repo: &Repository) -> Result<Option<Tree<'_>>, String> {
    match repo.head() {
        // No commit yet: everything staged is new.
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => Ok(None),
        Err(e) => Err(format!("cannot read HEAD: {}", e.message())),
        Ok(head) => head
            .peel_to_tree()
            .map(Some)
            .map_err(|e| format!("cannot read HEAD: {}", e.message())),
    }
}

fn collect(repo: &Repository, base: Option<&Tree<'_>>, diff: &Diff<'_>, workdir: &Path) -> Changes {
    let mut changes = Changes::default();
    for delta in diff.deltas() {
        // The base content of a symlink is the file it led to, as `check` read it then.
        let old_text = || base_text(repo, base, &delta.old_file());
        let new_path = delta.new_file().path().map(|p| workdir.join(p));
        let old_path = delta.old_file().path().map(|p| workdir.join(p));
        match delta.status() {
            Delta::Deleted => {
                if let Some(path) = old_path {
                    changes.removed.push((path, old_text()));
                }
            }
            Delta::Renamed => {
                let text = old_text();
                // The renamed file's base version, under its new name too: a manifest renamed
                // and stripped of its header is still judged against what it was.
                if let Some(path) = new_path.as_ref().filter(|p| is_yaml(p)) {
                    changes.modified.push((path.clone(), text.clone()));
                }
                if let Some(path) = old_path {
                    changes.removed.push((path, text));
                }
                changes.present.extend(new_path);
            }
            Delta::Unmodified | Delta::Ignored => {}
            Delta::Modified | Delta::Typechange if new_path.as_deref().is_some_and(is_yaml) => {
                if let Some(path) = new_path {
                    changes.modified.push((path.clone(), old_text()));
                    changes.present.insert(path);
                }
            }
            _ => changes.present.extend(new_path),
        }
    }
    changes
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// The content of a file at the base revision: for a symlink, the content of the file it leads
/// to inside the base tree (following chains of links, as `check` follows them in the working
/// tree); the link's own text when its target is not a file of that tree.
fn base_text(repo: &Repository, base: Option<&Tree<'_>>, file: &git2::DiffFile<'_>) -> String {
    const MAX_LINKS: usize = 16;
    let id = file.id();
    let (Some(tree), Some(mut path)) = (base, file.path().map(Path::to_path_buf)) else {
        return blob_text(repo, id);
    };
    if file.mode() != git2::FileMode::Link {
        return blob_text(repo, id);
    }
    let mut text = blob_text(repo, id);
    for _ in 0..MAX_LINKS {
        let Some(target) = resolve(&path, &text) else {
            break;
        };
        let Ok(entry) = tree.get_path(&target) else {
            break;
        };
        let content = blob_text(repo, entry.id());
        if entry.filemode() != i32::from(git2::FileMode::Link) {
            return content;
        }
        (path, text) = (target, content);
    }
    text
}

/// Where a link at `link` (relative to the repository root) with text `target` leads, relative
/// to the root; `None` when it leaves the repository or is absolute.
fn resolve(link: &Path, target: &str) -> Option<PathBuf> {
    let target = Path::new(target.trim_end_matches('\n'));
    if target.is_absolute() {
        return None;
    }
    let mut out = PathBuf::new();
    for part in link
        .parent()
        .unwrap_or(Path::new(""))
        .join(target)
        .components()
    {
        match part {
            std::path::Component::Normal(p) => out.push(p),
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

fn blob_text(repo: &Repository, id: git2::Oid) -> String {
    repo.find_blob(id)
        .map(|b| String::from_utf8_lossy(b.content()).into_owned())
        .unwrap_or_default()
}
