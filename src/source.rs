//! A file's text with the index that turns the parser's character offsets into what people and
//! tools need: 1-based line and column (in characters, as editors count them) and byte offsets.

use std::path::PathBuf;
use std::sync::Arc;

/// A position in a source file: a character offset plus its 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// A half-open range of characters in a source file.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug)]
pub struct SourceFile {
    /// The path as found on disk.
    pub path: PathBuf,
    /// The path shown to users: relative to the working directory, `/`-separated.
    pub display: String,
    pub text: Arc<str>,
    /// For each line: (character offset, byte offset) of its first character.
    line_starts: Vec<(usize, usize)>,
    /// The byte offset of every [`CHECKPOINT`]th character, so that turning a character offset
    /// into a byte offset walks at most that many characters, however long its line is (one
    /// line of a megabyte must not make every lookup on it cost a megabyte).
    checkpoints: Vec<usize>,
    /// ASCII text (most manifests): a character offset is its byte offset, no walk needed.
    ascii: bool,
}

/// Characters between two entries of [`SourceFile`]'s byte-offset index.
const CHECKPOINT: usize = 64;

impl SourceFile {
    pub fn new(path: PathBuf, display: String, text: impl Into<Arc<str>>) -> Self {
        let text: Arc<str> = text.into();
        let mut line_starts = vec![(0, 0)];
        let ascii = text.is_ascii();
        let mut checkpoints = Vec::new();
        if ascii {
            line_starts.extend(
                text.bytes()
                    .enumerate()
                    .filter(|(_, b)| *b == b'\n')
                    .map(|(byte, _)| (byte + 1, byte + 1)),
            );
        } else {
            checkpoints.reserve(text.len() / CHECKPOINT + 1);
            let mut chars = 0;
            for (byte, ch) in text.char_indices() {
                if chars % CHECKPOINT == 0 {
                    checkpoints.push(byte);
                }
                chars += 1;
                if ch == '\n' {
                    line_starts.push((chars, byte + 1));
                }
            }
        }
        SourceFile {
            path,
            display,
            text,
            line_starts,
            checkpoints,
            ascii,
        }
    }

    fn line_of(&self, char_offset: usize) -> usize {
        self.line_starts
            .partition_point(|(start, _)| *start <= char_offset)
            .saturating_sub(1)
    }

    /// Line and column of a character offset; a `\r` before `\n` is not a column of its own.
    pub fn pos(&self, char_offset: usize) -> Pos {
        let line = self.line_of(char_offset);
        let (line_char, _) = self.line_starts[line];
        Pos {
            offset: char_offset,
            line: line + 1,
            column: char_offset - line_char + 1,
        }
    }

    /// Byte offset of a character offset, clamped to the end of the text.
    pub fn byte_offset(&self, char_offset: usize) -> usize {
        if self.ascii {
            return char_offset.min(self.text.len());
        }
        let Some(&from) = self.checkpoints.get(char_offset / CHECKPOINT) else {
            return self.text.len();
        };
        self.text[from..]
            .char_indices()
            .nth(char_offset % CHECKPOINT)
            .map_or(self.text.len(), |(b, _)| from + b)
    }

    /// Byte range of a character span, for renderers that count bytes.
    pub fn byte_range(&self, span: Span) -> std::ops::Range<usize> {
        let start = self.byte_offset(span.start);
        let end = self.byte_offset(span.end.max(span.start)).max(start);
        start..end
    }

    /// The character offset of the `-` that introduces a block sequence item starting at
    /// `item_start`, if there is one: findings on a missing field of an item point there.
    pub fn dash_before(&self, item_start: usize) -> Option<usize> {
        let byte = self.byte_offset(item_start);
        let before = self.text.get(..byte)?;
        let trimmed = before.trim_end_matches([' ', '\t', '\r', '\n']);
        if !trimmed.ends_with('-') {
            return None;
        }
        let dash_byte = trimmed.len() - 1;
        let preceding = &self.text[..dash_byte];
        let at_line_start = preceding
            .chars()
            .rev()
            .take_while(|c| *c != '\n')
            .all(|c| c == ' ' || c == '-' || c == '\t');
        // Count back from the item rather than forward from the top of the file.
        at_line_start.then(|| item_start - self.text[dash_byte..byte].chars().count())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_ignore_carriage_returns() {
        let src = SourceFile::new("f".into(), "f".into(), "a: Zoë\r\nb: x\r\n");
        // "b" is the 9th character: a, :, space, Z, o, ë, \r, \n, b
        assert_eq!(src.pos(8).line, 2);
        assert_eq!(src.pos(8).column, 1);
        assert_eq!(src.pos(5).column, 6);
        assert_eq!(src.byte_offset(6), 7);
        assert_eq!(src.byte_offset(8), 9);
        assert_eq!(src.byte_offset(14), src.text.len());
        assert_eq!(src.byte_offset(1000), src.text.len());
    }

    #[test]
    fn byte_offsets_on_a_long_line_of_wide_characters() {
        let text = format!("k: {}\n", "é✓".repeat(300));
        let src = SourceFile::new("f".into(), "f".into(), text.as_str());
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(src.byte_offset(chars), byte, "character {chars}");
        }
        assert_eq!(src.byte_offset(text.chars().count()), text.len());
    }

    #[test]
    fn finds_the_dash_of_a_block_item_only() {
        let src = SourceFile::new("f".into(), "f".into(), "l:\n  - a: 1\n  - [x]\nm: [b, c]\n");
        assert_eq!(src.dash_before(7), Some(5));
        assert_eq!(src.dash_before(27), None);
    }
}
