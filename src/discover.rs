//! Stage 1, discover: which files are manifests, honouring `.gitignore` and `exclude`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::fs::normalize;

/// The repository a command run from `start` belongs to: its git top level, or `start` itself
/// outside git. A folder holding a `.agentgate.yaml` is no root of its own: whoever writes a
/// pull request can add one anywhere.
pub fn find_root(start: &Path) -> PathBuf {
    git_top_level(start).unwrap_or_else(|| start.to_path_buf())
}

/// The nearest folder, from `start` upwards, holding a `.git` (a folder, or a file in a
/// worktree).
pub fn git_top_level(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The files named `name` that git tracks under `root` (nothing outside git).
pub fn tracked_files_named(root: &Path, name: &str) -> Vec<PathBuf> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Vec::new();
    };
    let (Some(workdir), Ok(index)) = (repo.workdir().map(Path::to_path_buf), repo.index()) else {
        return Vec::new();
    };
    let workdir = workdir.canonicalize().unwrap_or(workdir);
    let base = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    index
        .iter()
        .filter_map(|entry| {
            let path = String::from_utf8(entry.path).ok()?;
            let file = workdir.join(&path);
            let below = file.strip_prefix(&base).ok()?.to_path_buf();
            (path == name || path.ends_with(&format!("/{name}"))).then(|| root.join(below))
        })
        .collect()
}

/// The repository a run belongs to: with `--config FILE`, that file's folder; otherwise the git
/// top level of the first path (or of the working directory), and outside git the working
/// directory. Never a folder that merely holds a `.agentgate.yaml`: the pull request's author
/// controls those (see `context::nested_configurations`).
pub fn repository_root(cwd: &Path, paths: &[PathBuf], config: Option<&Path>) -> PathBuf {
    if let Some(config) = config {
        let file = normalize(&cwd.join(config));
        return file
            .parent()
            .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
    }
    let start = paths
        .first()
        .map_or_else(|| cwd.to_path_buf(), |p| normalize(&cwd.join(p)));
    let start = if start.is_file() {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        start
    };
    git_top_level(&start).unwrap_or_else(|| cwd.to_path_buf())
}

/// Whether a path (relative to the repository root) is in a place where manifests live.
pub fn is_manifest_place(relative: &Path) -> bool {
    let Some(name) = relative.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let named = matches!(name, "agent.yaml" | "agent.yml")
        || name.ends_with(".agent.yaml")
        || name.ends_with(".agent.yml");
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let under_agents = relative
        .parent()
        .is_some_and(|p| p.components().any(|c| c.as_os_str() == ".agents"));
    named || (yaml && under_agents)
}

pub fn exclude_set(globs: &[String]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        builder.add(Glob::new(glob).map_err(|e| format!("exclude glob {glob:?}: {e}"))?);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Every manifest file under `root`, sorted by path.
pub fn walk(root: &Path, exclude: &GlobSet) -> Vec<PathBuf> {
    all_files(root, exclude)
        .into_iter()
        .filter(|path| is_manifest_place(path.strip_prefix(root).unwrap_or(path)))
        .collect()
}

/// Every file under `root` (`.gitignore` honoured, also outside git; `.git` skipped; `exclude`
/// left out), sorted by path.
pub fn all_files(root: &Path, exclude: &GlobSet) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .map(ignore::DirEntry::into_path)
        .filter(|path| !exclude.is_match(path.strip_prefix(root).unwrap_or(path)))
        .collect();
    files.sort();
    files
}

/// What the command line selected: the manifests to report on, and the arguments that
/// matched no manifest (an error: a gate must not pass because it looked at nothing).
#[derive(Debug, Default)]
pub struct Selection {
    pub files: BTreeSet<PathBuf>,
    pub unmatched: Vec<String>,
}

/// Files named on the command line are checked whatever their name; folders select the
/// repository's manifests beneath them.
pub fn select(arguments: &[PathBuf], inventory: &[PathBuf]) -> Selection {
    let mut selection = Selection::default();
    for argument in arguments {
        let argument = normalize(argument);
        let before = selection.files.len();
        if argument.is_file() {
            selection.files.insert(argument.clone());
        } else {
            selection.files.extend(
                inventory
                    .iter()
                    .filter(|f| f.starts_with(&argument))
                    .cloned(),
            );
        }
        if selection.files.len() == before && !inventory.iter().any(|f| f.starts_with(&argument)) {
            selection.unmatched.push(argument.display().to_string());
        }
    }
    selection
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_places() {
        for (path, expected) in [
            ("agent.yaml", true),
            ("svc/agent.yml", true),
            ("a/billing.agent.yaml", true),
            ("a/billing.agent.yml", true),
            (".agents/billing.yaml", true),
            ("x/.agents/deep/billing.yml", true),
            (".agents/notes.md", false),
            ("agents/billing.yaml", false),
            ("myagent.yaml", false),
            (".agents", false),
        ] {
            assert_eq!(is_manifest_place(Path::new(path)), expected, "{path}");
        }
    }
}
