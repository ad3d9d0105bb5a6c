//! Stage 1, discover: which files are manifests, honouring `.gitignore` and `exclude`.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::FILE_NAME;

/// The repository a run belongs to: the nearest folder, from `start` upwards, holding a
/// `.agentgate.yaml` or a `.git`; `start` itself when there is none.
pub fn find_root(start: &Path) -> PathBuf {
    start
        .ancestors()
        .find(|dir| dir.join(FILE_NAME).is_file() || dir.join(".git").exists())
        .unwrap_or(start)
        .to_path_buf()
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

/// An absolute, lexically normalized path (no `.` or `..`), so paths compare reliably.
pub fn normalize(path: &Path) -> PathBuf {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How a path is shown: relative to the working directory, `/`-separated, no leading `./`.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let shown = path.strip_prefix(cwd).unwrap_or(path);
    let text = shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if path.is_absolute() && !path.starts_with(cwd) {
        format!("/{}", text.trim_start_matches('/'))
    } else {
        text
    }
}

/// Why a file could not be read as text, and where (1-based) when that is known.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl ReadError {
    fn whole(message: String) -> Self {
        ReadError {
            message,
            line: 1,
            column: 1,
        }
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a file as UTF-8 text, refusing files over `max_bytes` before reading them whole.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let file = std::fs::File::open(path).map_err(|e| ReadError::whole(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::whole(e.to_string()))?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::whole(format!(
            "the file is larger than {max_bytes} bytes; agentgate refuses to read it (raise --max-file-size if it is really a manifest)"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ReadError {
            message: format!("the file is not valid UTF-8 (line {line}, column {column}); manifests are UTF-8 text"),
            line,
            column,
        }
    })
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
