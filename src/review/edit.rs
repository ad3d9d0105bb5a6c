//! Writing a `spec.review` block into a manifest file while leaving every other byte alone:
//! comments, quoting, key order, blank lines and CRLF line endings outside the block stay as
//! they are. The block's place comes from the spans [`crate::yaml::parse`] records.

use serde_json::{Map, Value};

use crate::source::SourceFile;
use crate::yaml::{self, Children, Limits, NodeKind};

/// What `review sign` writes.
#[derive(Debug, Clone)]
pub struct ReviewBlock {
    pub reviewer: String,
    pub date: String,
    pub digest: String,
    /// The armored SSH signature (`-----BEGIN SSH SIGNATURE-----` …).
    pub signature: String,
    /// Other fields of the existing review (`x-…` extensions), kept in order.
    pub extra: Vec<(String, Value)>,
}

impl ReviewBlock {
    /// The review as JSON, as the rewritten file reads.
    pub fn value(&self) -> Value {
        let mut map = Map::new();
        map.insert("reviewer".into(), Value::String(self.reviewer.clone()));
        map.insert("date".into(), Value::String(self.date.clone()));
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        map.insert("digest".into(), Value::String(self.digest.clone()));
        let mut signature = self.signature.trim_end().to_string();
        signature.push('\n');
        map.insert("signature".into(), Value::String(signature));
        Value::Object(map)
    }
}

/// Returns `text` with the review block of document `index` (0-based) written or replaced.
pub fn write_review(
    source: &SourceFile,
    index: usize,
    block: &ReviewBlock,
) -> Result<String, String> {
    let documents = yaml::parse(source, Limits::default()).map_err(|e| e.message)?;
    let document = documents.get(index).ok_or_else(|| {
        format!(
            "the file has {} document(s), not {}",
            documents.len(),
            index + 1
        )
    })?;
    let text: &str = &source.text;
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let spec = document
        .root
        .child("spec")
        .ok_or("the manifest has no `spec` mapping to hold a review")?;
    let Children::Map(entries) = &spec.children else {
        return Err("`spec` is not a mapping".into());
    };
    if spec.kind != NodeKind::BlockCollection {
        return Err("`spec` is written in flow style ({…}); write it as a block mapping so that the signature can be a literal block".into());
    }
    let (start, end, key_indent, child_indent) = match entries.iter().find(|(k, _)| k == "review") {
        Some((_, review)) => {
            let key = review.key.ok_or("the review has no key span")?;
            let start = source.byte_offset(key.start);
            let key_indent = column(text, start);
            let child_indent = match &review.children {
                Children::Map(children) if review.kind == NodeKind::BlockCollection => children
                    .first()
                    .and_then(|(_, n)| n.key)
                    .map(|k| column(text, source.byte_offset(k.start)))
                    .filter(|c| *c > key_indent)
                    .unwrap_or(key_indent + 2),
                _ => key_indent + 2,
            };
            (
                start,
                entry_end(text, start, key_indent),
                key_indent,
                child_indent,
            )
        }
        None => {
            let (_, last) = entries.last().ok_or("`spec` is empty")?;
            let first_key = entries
                .first()
                .and_then(|(_, n)| n.key)
                .ok_or("`spec` has no keys")?;
            let key_indent = column(text, source.byte_offset(first_key.start));
            let last_key = last.key.ok_or("`spec` has no keys")?;
            let last_start = source.byte_offset(last_key.start);
            let at = entry_end(text, last_start, column(text, last_start));
            (at, at, key_indent, key_indent + 2)
        }
    };
    let mut rendered = render(block, key_indent, child_indent, eol);
    if entries.iter().all(|(k, _)| k != "review") {
        rendered = format!("{eol}{}{rendered}", " ".repeat(key_indent));
    }
    let mut out = String::with_capacity(text.len() + rendered.len());
    out.push_str(&text[..start]);
    out.push_str(&rendered);
    out.push_str(&text[end..]);
    let replacing = entries.iter().any(|(k, _)| k == "review");
    if replacing
        && !text[..start]
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .all(|c| c == ' ')
    {
        return Err("the review key does not start its line; write spec as a block mapping".into());
    }
    let mut expected: Vec<Value> = documents.iter().map(|d| d.value.clone()).collect();
    if let Some(spec) = expected[index]
        .get_mut("spec")
        .and_then(Value::as_object_mut)
    {
        spec.insert("review".into(), block.value());
    }
    check(&out, source, &expected)?;
    Ok(out)
}

/// The rewritten file must read as the same documents, with only the review changed.
fn check(out: &str, source: &SourceFile, expected: &[Value]) -> Result<(), String> {
    let reread = SourceFile::new(source.path.clone(), source.display.clone(), out);
    let documents = yaml::parse(&reread, Limits::default()).map_err(|e| {
        format!(
            "the rewritten file would not parse ({}); it was left unchanged",
            e.message
        )
    })?;
    let values: Vec<&Value> = documents.iter().map(|d| &d.value).collect();
    if values != expected.iter().collect::<Vec<_>>() {
        return Err("the rewritten review block would not read back as written (anchors or aliases around the review?); the file was left unchanged".into());
    }
    Ok(())
}

fn render(block: &ReviewBlock, key_indent: usize, child_indent: usize, eol: &str) -> String {
    let pad = " ".repeat(child_indent);
    let mut lines = vec!["review:".to_string()];
    lines.push(format!("{pad}reviewer: {}", scalar(&block.reviewer)));
    lines.push(format!("{pad}date: {}", scalar(&block.date)));
    for (k, v) in &block.extra {
        lines.push(format!("{pad}{}: {v}", scalar(k)));
    }
    lines.push(format!("{pad}digest: {}", block.digest));
    lines.push(format!("{pad}signature: |"));
    let body = " ".repeat(child_indent.max(key_indent) + 2);
    for line in block.signature.trim_end().lines() {
        lines.push(format!("{body}{}", line.trim_end()));
    }
    lines.join(eol)
}

/// A string as a YAML scalar that reads back as that string: plain when that is safe,
/// otherwise double-quoted (JSON escapes are valid YAML).
fn scalar(text: &str) -> String {
    let plain_safe = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._%+@-/".contains(c))
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    let probe = format!("k: {text}\n");
    let reads_as_string = plain_safe
        && yaml::parse(
            &SourceFile::new("probe".into(), "probe".into(), probe),
            Limits::default(),
        )
        .ok()
        .and_then(|d| d.into_iter().next())
        .is_some_and(|d| d.value.get("k") == Some(&Value::String(text.to_string())));
    if reads_as_string {
        text.to_string()
    } else {
        Value::String(text.to_string()).to_string()
    }
}

/// Where the block mapping entry whose key starts at byte `key_start` (in column `column`) ends:
/// the end of its last line, before the line break, where the entry's lines are the key's line
/// and the following lines that are blank or indented deeper than the key (YAML's block
/// structure). Blank lines after the entry are not part of it.
fn entry_end(text: &str, key_start: usize, column: usize) -> usize {
    let mut end = line_end(text, key_start);
    let mut at = end;
    while let Some(newline) = text[at..].find('\n') {
        let line_start = at + newline + 1;
        let line_stop = line_end(text, line_start);
        let line = &text[line_start..line_stop];
        let content = line.trim_start_matches(' ');
        at = line_stop;
        if content.trim().is_empty() {
            continue;
        }
        if line.len() - content.len() <= column {
            break;
        }
        end = line_stop;
    }
    end
}

/// The byte offset of the end of the line holding `at` (before its `\r\n` or `\n`).
fn line_end(text: &str, at: usize) -> usize {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > at && text.as_bytes()[end - 1] == b'\r' {
        end - 1
    } else {
        end
    }
}

/// Column (0-based, in characters) of a byte offset.
fn column(text: &str, at: usize) -> usize {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNATURE: &str =
        "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n";

    fn block() -> ReviewBlock {
        ReviewBlock {
            reviewer: "sec-review@example.com".into(),
            date: "2026-11-02".into(),
            digest: format!("sha256:{}", "ab".repeat(32)),
            signature: SIGNATURE.into(),
            extra: Vec::new(),
        }
    }

    fn write(text: &str) -> String {
        let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), text);
        write_review(&source, 0, &block()).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    const REVIEWED: &str = "  review:\n    reviewer: sec-review@example.com\n    date: 2026-11-02\n    digest: sha256:abababababababababababababababababababababababababababababababab\n    signature: |\n      -----BEGIN SSH SIGNATURE-----\n      U1NIU0lH\n      -----END SSH SIGNATURE-----\n";

    #[test]
    fn adds_a_review_at_the_end_of_spec() {
        let text = "# top\nkind: Agent\nspec:\n  purpose: x   # why\n  owner: {email: a@b.c}\n\n# after spec\nmetadata: {name: n}\n";
        let out = write(text);
        assert_eq!(
            out,
            format!("# top\nkind: Agent\nspec:\n  purpose: x   # why\n  owner: {{email: a@b.c}}\n{REVIEWED}\n# after spec\nmetadata: {{name: n}}\n")
        );
    }

    #[test]
    fn replaces_a_flow_review_with_the_comments_inside_it() {
        let text = "spec:\n  review: {reviewer: old@example.com,\n     date: 2026-01-01}  # first review\n   # more\n  # audit\n  audit: {logSink: x}\n";
        let out = write(text);
        assert_eq!(
            out,
            format!("spec:\n{REVIEWED}  # audit\n  audit: {{logSink: x}}\n")
        );
    }

    #[test]
    fn replaces_a_signed_block_review_with_four_space_indent_and_crlf() {
        let text = "spec:\r\n    review:\r\n        reviewer: old@example.com\r\n        date: 2026-01-01\r\n        signature: |\r\n            -----BEGIN SSH SIGNATURE-----\r\n            old\r\n            -----END SSH SIGNATURE-----\r\n\r\n    # the audit sink\r\n    audit: {logSink: x}\r\n";
        let out = write(text);
        let expected = "spec:\r\n    review:\r\n        reviewer: sec-review@example.com\r\n        date: 2026-11-02\r\n        digest: sha256:abababababababababababababababababababababababababababababababab\r\n        signature: |\r\n          -----BEGIN SSH SIGNATURE-----\r\n          U1NIU0lH\r\n          -----END SSH SIGNATURE-----\r\n\r\n    # the audit sink\r\n    audit: {logSink: x}\r\n";
        assert_eq!(out, expected);
    }

    #[test]
    fn keeps_extension_fields() {
        let text = "spec:\n  review:\n    reviewer: old@example.com\n    x-ticket: SEC-12\n    date: 2026-01-01\n";
        let source = SourceFile::new("t.yaml".into(), "t.yaml".into(), text);
        let mut b = block();
        b.extra = vec![("x-ticket".into(), Value::String("SEC-12".into()))];
        let out = write_review(&source, 0, &b).unwrap();
        assert!(
            out.contains("    x-ticket: \"SEC-12\"\n    digest:"),
            "{out}"
        );
    }

    #[test]
    fn refuses_flow_spec_and_reused_anchors() {
        let source = SourceFile::new("t".into(), "t".into(), "spec: {purpose: x}\n");
        assert!(write_review(&source, 0, &block())
            .unwrap_err()
            .contains("flow style"));
        let source = SourceFile::new(
            "t".into(),
            "t".into(),
            "spec:\n  review: &r {reviewer: a@b.c, date: 2026-01-01}\n  x-copy: *r\n",
        );
        assert!(write_review(&source, 0, &block()).is_err());
    }

    #[test]
    fn second_document() {
        let text = "spec:\n  purpose: a\n---\nspec:\n  purpose: b\n...\n";
        let source = SourceFile::new("t".into(), "t".into(), text);
        let out = write_review(&source, 1, &block()).unwrap();
        assert_eq!(
            out,
            format!(
                "spec:\n  purpose: a\n---\nspec:\n  purpose: b\n{}...\n",
                REVIEWED
            )
        );
    }

    #[test]
    fn scalars_that_need_quotes() {
        assert_eq!(scalar("a@example.com"), "a@example.com");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("1234"), "\"1234\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("#x"), "\"#x\"");
    }
}
