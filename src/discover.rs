//! Stage 1, discover: which files are manifests. Tracked files always; untracked ones unless
//! `.gitignore` ignores them; never what `exclude` removes (see [`listing`]).

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use git2::Repository;
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

/// Whether a path (relative to the repository root) is in a place where manifests live. Names
/// match in any case (`x.Agent.yaml`, `.agents/x.YAML`, `AGENT.yml`), as they do on the
/// case-insensitive file systems of macOS and Windows checkouts.
pub fn is_manifest_place(relative: &Path) -> bool {
    let Some(name) = relative.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.to_ascii_lowercase();
    let named = matches!(name.as_str(), "agent.yaml" | "agent.yml")
        || name.ends_with(".agent.yaml")
        || name.ends_with(".agent.yml");
    let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
    let under_agents = relative.parent().is_some_and(|p| {
        p.components().any(|c| {
            c.as_os_str()
                .to_str()
                .is_some_and(|s| s.eq_ignore_ascii_case(".agents"))
        })
    });
    named || (yaml && under_agents)
}

/// Whether files below a folder (relative to the repository root) are in a manifest place
/// whatever their name ends with: the folder is, or lies under, `.agents`.
fn is_manifest_folder(relative: &Path) -> bool {
    is_manifest_place(&relative.join("x.yaml"))
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
    listing(root, exclude).manifests()
}

/// Every file under `root`, one path per file, sorted by path (see [`listing`]).
pub fn all_files(root: &Path, exclude: &GlobSet) -> Vec<PathBuf> {
    listing(root, exclude).files
}

/// The files of a repository as agentgate reads them.
#[derive(Debug, Default)]
pub struct Listing {
    root: PathBuf,
    /// Every file, one path per file (a file reached through several symlinks is listed once),
    /// sorted by path.
    pub files: Vec<PathBuf>,
    /// Every path a file is reached by (its own, and each symlink to it or to a folder above
    /// it), sorted: discovery reads a file under each, since a symlink named `.mcp.json` is an
    /// MCP configuration whatever its target is called.
    pub paths: Vec<PathBuf>,
    /// Each real file (symlinks resolved) and the one path it is listed under.
    listed_as: HashMap<PathBuf, PathBuf>,
    /// Symlinks that agentgate does not follow: out of the repository, or into a folder that
    /// holds them (a loop).
    pub refused: Vec<RefusedLink>,
    /// What the listing could not read, each a problem (exit 2) naming the path and the fix:
    /// a path that is not UTF-8, a submodule that is not checked out.
    pub unread: Vec<Unread>,
}

/// A path the listing found and could not read: the run fails closed on it.
#[derive(Debug, Clone)]
pub struct Unread {
    /// Absolute (the root joined with the path found).
    pub path: PathBuf,
    pub message: String,
}

/// A symlink that agentgate does not follow.
#[derive(Debug, Clone)]
pub struct RefusedLink {
    pub link: PathBuf,
    pub target: PathBuf,
    /// The link leads to a folder.
    pub dir: bool,
    /// It leads out of the repository (else: into a folder that contains it).
    pub outside: bool,
}

impl RefusedLink {
    /// Whether refusing this link hides a manifest: the link is in a manifest place, or leads
    /// out of the repository to a folder (any folder can hold manifest places).
    pub fn hides_manifests(&self, root: &Path) -> bool {
        let relative = self.link.strip_prefix(root).unwrap_or(&self.link);
        is_manifest_place(relative) || (self.dir && (self.outside || is_manifest_folder(relative)))
    }

    /// Why the link is refused, for an error naming the link.
    pub fn message(&self) -> String {
        if self.outside {
            format!(
                "a symbolic link to {}, outside the repository: agentgate reads only files inside the repository, so this link would hide what it leads to; commit the file itself, or point the link inside the repository",
                self.target.display()
            )
        } else {
            format!(
                "a symbolic link to {}, a folder that contains the link itself (a loop): agentgate does not follow it, so what it leads to would be hidden; remove the link",
                self.target.display()
            )
        }
    }
}

impl Listing {
    /// The files in manifest places, sorted by path.
    pub fn manifests(&self) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter(|path| is_manifest_place(path.strip_prefix(&self.root).unwrap_or(path)))
            .cloned()
            .collect()
    }

    /// The path under which the file at `path` (a symlink, say) is listed, if it is.
    pub fn listed_as(&self, path: &Path) -> Option<&PathBuf> {
        self.listed_as.get(&path.canonicalize().ok()?)
    }
}

/// The order of `Path`'s `Ord` (component by component, a folder's files before a sibling whose
/// name extends the folder's) for the clean paths a listing holds, without splitting them into
/// components: the bytes compared with `/` counting as the lowest byte. Sorting 100,000 paths
/// by components was a quarter of `discover`'s time.
fn path_order(a: &Path, b: &Path) -> Ordering {
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Paths in a listing share long prefixes: skip the common part eight bytes at a time.
    let n = a.len().min(b.len());
    let mut same = a[..n]
        .chunks_exact(8)
        .zip(b[..n].chunks_exact(8))
        .take_while(|(x, y)| x == y)
        .count()
        * 8;
    while same < n && a[same] == b[same] {
        same += 1;
    }
    let key = |byte: u8| if byte == b'/' { 0 } else { byte };
    match (a.get(same), b.get(same)) {
        (Some(&x), Some(&y)) => key(x).cmp(&key(y)),
        _ => a.len().cmp(&b.len()),
    }
}

/// How deep symlinked folders are followed within symlinked folders.
const MAX_LINK_DEPTH: usize = 16;

/// The files under `root` that agentgate reads: every file git tracks (the index, including
/// the files of submodules), whatever an ignore file says, and the untracked files that
/// `.gitignore` and git's exclude files do not ignore (also outside git); `.git` skipped,
/// `exclude` left out. `.ignore`, `.rgignore` and other tools' ignore files count for nothing.
///
/// Symlinks are followed when they lead to a file or folder inside the repository (the files
/// of a linked folder are listed under the link); one that leads outside it, or to a folder that
/// contains it, is refused. A file reached by several paths is listed once: under its own path
/// when that is a manifest place or no manifest place reaches it; otherwise under the first path
/// in order that is a manifest place.
pub fn listing(root: &Path, exclude: &GlobSet) -> Listing {
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let mut tracked = Vec::new();
    let mut unread = Vec::new();
    tracked_files(root, &real_root, &mut tracked, &mut unread);
    // Each entry with whether the folder read already says it is a regular file (no `stat`
    // needed then; a tracked file the walk did not see is looked at in `Walk::visit`).
    let mut entries: Vec<(PathBuf, bool)> = tracked.into_iter().map(|p| (p, false)).collect();
    // A submodule `exclude` removes (its path, or what lies below it: `vendor/**`) is no loss.
    unread.retain(|u: &Unread| {
        let relative = u.path.strip_prefix(root).unwrap_or(&u.path);
        !exclude.is_match(relative) && !exclude.is_match(relative.join("x"))
    });
    for entry in ignore::WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .ignore(false)
        .filter_entry(|entry| entry.file_name() != ".git")
        .build()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| !t.is_dir()))
    {
        if let Ok(relative) = entry.path().strip_prefix(root) {
            let file = entry.file_type().is_some_and(|t| t.is_file());
            entries.push((relative.to_path_buf(), file));
        }
    }
    entries.sort_unstable_by(|a, b| path_order(&a.0, &b.0).then(b.1.cmp(&a.1)));
    entries.dedup_by(|next, kept| next.0 == kept.0);
    // Names are compared as text (manifest places, `exclude`, `spec.sources`, `--changed-since`),
    // so a path that is not UTF-8 could be nothing of the kind: it is refused, never skipped.
    for (relative, _) in &entries {
        if relative.to_str().is_none() && !exclude.is_match(relative) {
            unread.push(Unread {
                path: root.join(relative),
                message: "a path that is not UTF-8: agentgate matches manifest places, discovery and `exclude` on UTF-8 names, so it cannot tell whether this file is a manifest or an agent configuration, and refuses it rather than skip it; rename it to UTF-8, or add it to `exclude` in .agentgate.yaml".to_string(),
            });
        }
    }
    let mut walk = Walk {
        root,
        real_root: &real_root,
        exclude,
        entries: &entries,
        found: Vec::new(),
        refused: Vec::new(),
    };
    for (relative, file) in &entries {
        walk.visit(relative, relative, *file, &mut Vec::new());
    }
    let Walk { found, refused, .. } = walk;
    // One path per real file: its own when it is a manifest place or when no manifest place
    // reaches it, else the first linked path that is one.
    let mut paths: Vec<PathBuf> = found.iter().map(|(path, _, _)| path.clone()).collect();
    paths.sort_unstable_by(|a, b| path_order(a, b));
    paths.dedup();
    let mut listed_as: HashMap<PathBuf, (bool, bool, PathBuf)> = HashMap::new();
    for (path, real, linked) in &found {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let key = (!is_manifest_place(relative), *linked, path.clone());
        match listed_as.get(real) {
            Some(best) if *best <= key => {}
            _ => {
                listed_as.insert(real.clone(), key);
            }
        }
    }
    let listed_as: HashMap<PathBuf, PathBuf> = listed_as
        .into_iter()
        .map(|(real, (_, _, path))| (real, path))
        .collect();
    // In the order found (the entries' order, so nearly sorted: cheap to sort).
    let mut files: Vec<PathBuf> = found
        .iter()
        .filter(|(path, real, _)| listed_as.get(real) == Some(path))
        .map(|(path, _, _)| path.clone())
        .collect();
    files.sort_unstable_by(|a, b| path_order(a, b));
    files.dedup();
    Listing {
        root: root.to_path_buf(),
        files,
        paths,
        listed_as,
        refused,
        unread,
    }
}

struct Walk<'a> {
    root: &'a Path,
    real_root: &'a Path,
    exclude: &'a GlobSet,
    /// Every entry found (files and symlinks), relative to the root, not through symlinks.
    entries: &'a [(PathBuf, bool)],
    /// (path as listed, real path, reached through a symlink)
    found: Vec<(PathBuf, PathBuf, bool)>,
    refused: Vec<RefusedLink>,
}

impl Walk<'_> {
    /// `shown` is where the entry appears (below a symlinked folder, maybe); `entry` is the
    /// entry itself; `folders` the real folders of the symlinks followed to get here.
    /// `file`: the folder read already found `entry` to be a regular file.
    fn visit(&mut self, shown: &Path, entry: &Path, file: bool, folders: &mut Vec<PathBuf>) {
        if self.exclude.is_match(shown) {
            return;
        }
        let path = self.root.join(shown);
        let linked = shown != entry;
        if file {
            self.found.push((path, self.real_root.join(entry), linked));
            return;
        }
        let Ok(metadata) = std::fs::symlink_metadata(self.root.join(entry)) else {
            return; // tracked, but deleted from the working tree
        };
        if metadata.is_file() {
            self.found.push((path, self.real_root.join(entry), linked));
            return;
        }
        if !metadata.file_type().is_symlink() {
            return;
        }
        let Ok(target) = path.canonicalize() else {
            // A dangling link is listed as it is: in a manifest place, reading it fails the run.
            self.found.push((path.clone(), path, true));
            return;
        };
        let dir = target.is_dir();
        if !target.starts_with(self.real_root) {
            self.refused.push(RefusedLink {
                link: path,
                target,
                dir,
                outside: true,
            });
            return;
        }
        if !dir {
            self.found.push((path, target, true));
            return;
        }
        let Ok(inside) = target.strip_prefix(self.real_root) else {
            return;
        };
        let real_here = self.real_root.join(shown);
        let looped = real_here.starts_with(&target)
            || folders.contains(&target)
            || folders.len() >= MAX_LINK_DEPTH;
        if looped {
            self.refused.push(RefusedLink {
                link: path,
                target,
                dir,
                outside: false,
            });
            return;
        }
        let inside = inside.to_path_buf();
        let below: Vec<(PathBuf, bool)> = self
            .entries
            .iter()
            .filter(|(e, _)| e.starts_with(&inside) && *e != inside)
            .cloned()
            .collect();
        folders.push(target);
        for (inner, file) in below {
            let suffix = inner.strip_prefix(&inside).unwrap_or(&inner);
            self.visit(&shown.join(suffix), &inner, file, folders);
        }
        folders.pop();
    }
}

/// The files git tracks under `root` (relative to it): the index, and the index of each
/// checked-out submodule, so that an ignore file cannot hide a committed manifest.
fn tracked_files(root: &Path, real_root: &Path, out: &mut Vec<PathBuf>, unread: &mut Vec<Unread>) {
    let Ok(repo) = Repository::discover(root) else {
        return;
    };
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return;
    };
    let Ok(prefix) = real_root.strip_prefix(&workdir) else {
        return;
    };
    let mut walk = IndexWalk { root, out, unread };
    walk.files(&repo, &workdir, prefix, Path::new(""), 0);
}

/// Git's mode for a submodule's commit in its superproject's index.
const GITLINK: u32 = 0o160000;

struct IndexWalk<'a> {
    root: &'a Path,
    out: &'a mut Vec<PathBuf>,
    unread: &'a mut Vec<Unread>,
}

impl IndexWalk<'_> {
    fn files(
        &mut self,
        repo: &Repository,
        workdir: &Path,
        prefix: &Path,
        base: &Path,
        depth: usize,
    ) {
        let Ok(index) = repo.index() else {
            return;
        };
        for entry in index.iter() {
            let path = index_path(&entry.path);
            let Ok(relative) = path.strip_prefix(prefix) else {
                continue;
            };
            let relative = base.join(relative);
            if entry.mode & 0o170000 != GITLINK {
                self.out.push(relative);
                continue;
            }
            // A submodule that is not checked out (actions/checkout and `git clone` leave them
            // empty by default) holds files that were never read: fail closed, never skip.
            let sub_workdir = workdir.join(&path);
            match Repository::open(&sub_workdir) {
                Ok(submodule) if depth < MAX_LINK_DEPTH => {
                    self.files(&submodule, &sub_workdir, Path::new(""), &relative, depth + 1);
                }
                Ok(_) => self.unread.push(Unread {
                    path: self.root.join(&relative),
                    message: format!(
                        "a submodule nested more than {MAX_LINK_DEPTH} deep: agentgate does not read it, so the agents it holds cannot be checked; add it to `exclude` in .agentgate.yaml if it holds none"
                    ),
                }),
                Err(_) => self.unread.push(Unread {
                    path: self.root.join(&relative),
                    message: "a submodule (a gitlink in the index) that is not checked out: the manifests and agent code it holds cannot be read, so the run fails rather than pass them; check out submodules (`git submodule update --init --recursive`, or `submodules: recursive` for actions/checkout), or add its path to `exclude` in .agentgate.yaml".to_string(),
                }),
            }
        }
    }
}

#[cfg(unix)]
fn index_path(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn index_path(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
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

    /// The fast order sorts a listing exactly as `Path`'s own order does.
    #[test]
    fn path_order_is_paths_order() {
        let names = [
            "a",
            "a/b",
            "a-b",
            "a.b",
            "a/b/c",
            "a/b-c",
            "a/bc",
            "ab",
            "a0",
            "A",
            "_x",
            ".agents",
            ".agents/x.yaml",
            ".agents-old/y.yaml",
            "z/\u{e9}",
            "z/e",
            "z/e/f",
            "/root/a",
            "/root/a/b",
            "/root/a-b",
            "/root/ab/c",
        ];
        let mut by_path: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut by_bytes = by_path.clone();
        by_path.sort();
        by_bytes.sort_by(|a, b| path_order(a, b));
        assert_eq!(by_path, by_bytes);
        for a in &by_path {
            for b in &by_path {
                assert_eq!(a.cmp(b), path_order(a, b), "{a:?} {b:?}");
            }
        }
    }

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
            ("a/x.Agent.yaml", true),
            ("AGENT.yml", true),
            (".agents/x.YAML", true),
            (".Agents/deep/x.yml", true),
            ("a/x.agent.JSON", false),
        ] {
            assert_eq!(is_manifest_place(Path::new(path)), expected, "{path}");
        }
    }
}
