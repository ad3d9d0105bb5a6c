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

/// How a path is shown: relative to the working directory, `/`-separated, no leading `./`. A
/// path outside the working directory is shown with `..` (`../.agentgate.yaml` from a subfolder
/// of the repository) when the two share a folder below the filesystem root, else in full.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let join = |parts: Vec<String>| parts.join("/");
    let names = |p: &Path| -> Vec<String> {
        p.components()
            .filter(|c| matches!(c, std::path::Component::Normal(_)))
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect()
    };
    if let Ok(shown) = path.strip_prefix(cwd) {
        return join(names(shown));
    }
    if !path.is_absolute() {
        return join(names(path));
    }
    let (inner, outer) = (names(path), names(cwd));
    let common = inner.iter().zip(&outer).take_while(|(a, b)| a == b).count();
    if common == 0 || !cwd.is_absolute() {
        return format!("/{}", join(inner));
    }
    let mut parts = vec!["..".to_string(); outer.len() - common];
    parts.extend(inner[common..].iter().cloned());
    join(parts)
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

/// A file's bytes, or `None` when it holds more than `max_bytes` (read no further than one byte
/// past the limit). The buffer is sized from the file's length: grown from empty, a 3 KiB
/// manifest took seven `read` calls, a third of a warm run's system time at 10,000 files.
fn read_bounded(path: &Path, max_bytes: u64) -> Result<Option<Vec<u8>>, ReadError> {
    let io = |e: std::io::Error| ReadError::whole(e.to_string());
    let file = std::fs::File::open(path).map_err(io)?;
    // The length is a hint (the file may change while it is read): the buffer starts at most
    // at 64 MiB and grows as read_to_end needs.
    let expected = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(max_bytes)
        .min(64 << 20) as usize;
    // One byte more than the file holds: reading it finds the end without a second buffer.
    let mut bytes = Vec::with_capacity(expected + 1);
    // One byte past the limit tells a file over it (`u64::MAX + 1` was a limit of zero bytes:
    // every manifest read as empty, and the run passed).
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    Ok((bytes.len() as u64 <= max_bytes).then_some(bytes))
}

/// A file's text as an interpreter reads source that is not UTF-8 (Python and Node decode it
/// with replacement characters or Latin-1): invalid bytes become U+FFFD, so what is ASCII in
/// it (an import, a key) is still seen. Only the size limit and I/O errors fail.
pub fn read_text_lossy(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, max_bytes)?.ok_or_else(|| {
        ReadError::whole(format!(
            "the file is larger than {max_bytes} bytes; agentgate refuses to read it"
        ))
    })?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Reads a file as UTF-8 text, refusing files over `max_bytes` without reading past the limit.
pub fn read_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let bytes = read_bounded(path, max_bytes)?.ok_or_else(|| {
        ReadError::whole(format!(
            "the file is larger than {max_bytes} bytes; agentgate refuses to read it (raise --max-file-size if it is really a manifest)"
        ))
    })?;
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
