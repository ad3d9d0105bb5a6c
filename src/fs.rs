//! Files as every stage reads them: text under a size cap, paths normalised for comparison and
//! shown relative to the working directory.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

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
