//! Text made safe for a terminal and for a CI log: what a repository's file names and values
//! may contain must not move the cursor, start a new log line or run a workflow command. Used by
//! every command that prints something taken from the repository.

/// `text` with every control character shown as its Unicode control picture (ESC as `␛`, a
/// line feed as `␊`), one character for one, so that a file name, a message or a snippet cannot
/// move the cursor, recolour the terminal or start a new line of a CI log. `keep_lines` keeps
/// line feeds, tabs and the CR of a CRLF (a snippet's own lines).
pub fn visible_controls(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        let kept =
            keep_lines && (ch == '\n' || ch == '\t' || (ch == '\r' && chars.peek() == Some(&'\n')));
        out.push(match ch {
            _ if kept => ch,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + ch as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            '\u{80}'..='\u{9f}' => '\u{fffd}',
            _ => ch,
        });
    }
    out
}

/// The zero-width space that [`without_workflow_commands`] puts into what a CI runner would
/// take as a command.
const BREAK: char = '\u{200b}';

/// `text` (whole lines of human output) with nothing a CI runner would take as a workflow
/// command: a line that starts with `::` after its indentation (GitHub Actions) gets a
/// zero-width space before it, and every `##[` (GitHub's legacy commands) and `##vso[` (Azure
/// Pipelines) one between its two `#`. Always applied: the human output never needs a command,
/// and a log is parsed by whatever CI system runs it.
pub fn without_workflow_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let rest = line.trim_start();
        let indent = &line[..line.len() - rest.len()];
        out.push_str(indent);
        if rest.starts_with("::") {
            out.push(BREAK);
        }
        out.push_str(
            &rest
                .replace("##[", &format!("#{BREAK}#["))
                .replace("##vso[", &format!("#{BREAK}#vso[")),
        );
    }
    out
}
