//! Stage 2, parse: YAML 1.2 (core schema) into JSON values plus a mirror tree of source spans.
//!
//! The reading is the one manifest-v1 pins for the review digest: plain `yes`/`on` and dates
//! are strings, `0755` is 755, aliases are expanded, `<<` is an ordinary key. Whatever could
//! make two readers disagree, or make a hostile file expensive, is refused: tags outside the
//! core schema, non-string keys, `.inf`/`.nan`, integers beyond ±2^53, duplicate keys, raw
//! NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR (line breaks to YAML 1.1 readers, not to YAML
//! 1.2 ones), a `%YAML` directive other than 1.2, nesting past a depth cap, alias expansion past
//! a value budget or a byte budget, and a read that takes longer than a time budget.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};
use serde_json::{Map, Number, Value};

use crate::source::{SourceFile, Span};

/// What a single file may cost to read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    /// Values built per file, counting every expansion of an alias.
    pub max_nodes: usize,
    /// Bytes of text (scalars and keys) built per file, counting every expansion of an alias,
    /// as a multiple of the file's own size...
    pub max_expansion: usize,
    /// ... and at most this many in any case: one anchored string of half a megabyte aliased a
    /// hundred thousand times stays under the value budget but not under this one.
    pub max_bytes: usize,
    /// Wall-clock time one file may take to read; past it the file is a parse error.
    pub max_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_nodes: 500_000,
            max_expansion: 64,
            max_bytes: 64 << 20,
            max_time: Duration::from_secs(10),
        }
    }
}

impl Limits {
    /// The byte budget for a text of `len` bytes.
    fn byte_budget(&self, len: usize) -> usize {
        len.saturating_mul(self.max_expansion).min(self.max_bytes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NodeKind {
    Scalar,
    BlockCollection,
    FlowCollection,
    Alias,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub enum Children {
    #[default]
    None,
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
}

/// Where one value sits in the source, and the same for its children.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// The key's span when this node is a mapping value.
    pub key: Option<Span>,
    /// The `-` introducing this node when it is a block sequence item.
    pub dash: Option<usize>,
    pub children: Children,
}

impl Node {
    /// A tree that places every pointer at the start of the text: what a span tree that can no
    /// longer be built is taken to be.
    pub fn empty() -> Node {
        Node {
            kind: NodeKind::Scalar,
            span: Span::default(),
            key: None,
            dash: None,
            children: Children::None,
        }
    }

    pub fn child(&self, segment: &str) -> Option<&Node> {
        match &self.children {
            Children::Map(entries) => entries.iter().find(|(k, _)| k == segment).map(|(_, n)| n),
            Children::Seq(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            Children::None => None,
        }
    }
}

/// A span tree that is built only when something asks where a value sits. A manifest whose
/// findings come from the result cache with their places (or which has none) never needs its
/// tree: decoding every tree from the parse cache was a third of a warm run.
pub struct SpanTree {
    node: std::sync::OnceLock<Node>,
    build: Box<dyn Fn() -> Node + Send + Sync>,
}

impl SpanTree {
    /// A tree at hand (the text was just parsed).
    pub fn built(node: Node) -> SpanTree {
        SpanTree {
            node: std::sync::OnceLock::from(node),
            build: Box::new(Node::empty),
        }
    }

    /// A tree `build` makes on first use.
    pub fn deferred(build: impl Fn() -> Node + Send + Sync + 'static) -> SpanTree {
        SpanTree {
            node: std::sync::OnceLock::new(),
            build: Box::new(build),
        }
    }
}

impl std::ops::Deref for SpanTree {
    type Target = Node;

    fn deref(&self) -> &Node {
        self.node.get_or_init(&self.build)
    }
}

impl std::fmt::Debug for SpanTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.node.get() {
            Some(node) => node.fmt(f),
            None => f.write_str("SpanTree(not built yet)"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Document {
    pub value: Value,
    pub root: Node,
}

/// Splits an RFC 6901 JSON pointer into its unescaped segments.
pub fn pointer_segments(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
}

/// Where a finding on `pointer` points: the value when it is a scalar; otherwise the key (or
/// the `-` of an array item) of the deepest node that exists, so a missing field is reported
/// at its nearest existing ancestor and a collection at its key rather than its whole block.
pub fn locate(root: &Node, pointer: &str) -> (usize, Span) {
    let mut node = root;
    let mut complete = true;
    for segment in pointer_segments(pointer) {
        match node.child(&segment) {
            Some(child) => node = child,
            None => {
                complete = false;
                break;
            }
        }
    }
    if complete && matches!(node.kind, NodeKind::Scalar | NodeKind::Alias) {
        return (node.span.start, node.span);
    }
    if let Some(key) = node.key {
        return (key.start, key);
    }
    if let Some(dash) = node.dash {
        return (
            dash,
            Span {
                start: dash,
                end: dash + 1,
            },
        );
    }
    (
        node.span.start,
        Span {
            start: node.span.start,
            end: node.span.start + 1,
        },
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub message: String,
    /// Character offset of the place at fault.
    pub offset: usize,
    /// What a snippet underlines.
    pub span: Span,
}

impl YamlError {
    fn at(offset: usize, message: impl Into<String>) -> Self {
        let span = Span {
            start: offset,
            end: offset + 1,
        };
        YamlError {
            message: message.into(),
            offset,
            span,
        }
    }

    fn spanning(span: Span, message: impl Into<String>) -> Self {
        YamlError {
            message: message.into(),
            offset: span.start,
            span,
        }
    }
}

const MAX_SAFE_INTEGER: i128 = 9_007_199_254_740_992;

/// Reads every document of a YAML stream.
pub fn parse(source: &SourceFile, limits: Limits) -> Result<Vec<Document>, YamlError> {
    refuse_yaml_1_1_readings(&source.text)?;
    let mut builder = Builder {
        source,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        nodes: 0,
        bytes: 0,
        max_bytes: limits.byte_budget(source.text.len()),
        documents: Vec::new(),
    };
    let started = Instant::now();
    for (i, event) in Parser::new_from_str(&source.text).enumerate() {
        let (event, span) =
            event.map_err(|e| YamlError::at(e.marker().index(), syntax_message(e.info())))?;
        if i % 1024 == 1023 && started.elapsed() > limits.max_time {
            return Err(YamlError::at(
                span.start.index(),
                format!(
                    "reading this file took longer than {} seconds; refusing to read further",
                    limits.max_time.as_secs()
                ),
            ));
        }
        let span = Span {
            start: span.start.index(),
            end: span.end.index(),
        };
        builder.on_event(event, span)?;
    }
    Ok(builder.documents)
}

/// The characters YAML 1.1 readers (PyYAML, libyaml, go-yaml) take as line breaks and YAML 1.2
/// readers do not: NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR.
const YAML_1_1_BREAKS: [(char, &str); 3] = [
    ('\u{85}', "NEL (U+0085)"),
    ('\u{2028}', "LINE SEPARATOR (U+2028)"),
    ('\u{2029}', "PARAGRAPH SEPARATOR (U+2029)"),
];

/// Refuses what a YAML 1.1 reader reads differently from this one: a raw NEL, LS or PS anywhere
/// (in a comment or a quoted string too: where a 1.1 reader sees a line break, a key can hide
/// from this reader), a `%YAML` directive other than 1.2 (which asks for 1.1 rules), and any
/// reserved directive (neither `%YAML` nor `%TAG`).
fn refuse_yaml_1_1_readings(text: &str) -> Result<(), YamlError> {
    if let Some(byte) = text.find(|c| YAML_1_1_BREAKS.iter().any(|(b, _)| *b == c)) {
        let offset = text[..byte].chars().count();
        let c = text[byte..].chars().next().unwrap_or_default();
        let name = YAML_1_1_BREAKS
            .iter()
            .find(|(b, _)| *b == c)
            .map_or("", |(_, n)| *n);
        let escape = match c {
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            _ => "\\P",
        };
        return Err(YamlError::at(
            offset,
            format!(
                "a raw {name} is a line break to YAML 1.1 readers (PyYAML, libyaml, go-yaml) but not to this one, so other tools could read a different manifest; remove it, or write it as the escape \"{escape}\" in a double-quoted string"
            ),
        ));
    }
    for (line_start, line) in lines_with_starts(text) {
        let reserved = line.starts_with('%')
            && !line.starts_with("%YAML")
            && !line.starts_with("%TAG ")
            && !line.starts_with("%TAG\t");
        if reserved {
            // A reserved directive means nothing to YAML 1.2 readers, and the parser miscounts
            // positions after one that holds a non-ASCII character (found by fuzzing): refused,
            // like every other input two readers could take differently.
            let offset = text[..line_start].chars().count();
            let name: String = line
                .chars()
                .take_while(|c| !c.is_whitespace())
                .take(32)
                .collect();
            return Err(YamlError::spanning(
                Span {
                    start: offset,
                    end: offset + line.trim_end().chars().count(),
                },
                format!(
                    "the directive {name} is not one agentgate reads (only %YAML 1.2 and %TAG); remove it"
                ),
            ));
        }
        if let Some(rest) = line.strip_prefix("%YAML") {
            let version = rest.split('#').next().unwrap_or_default().trim();
            if rest.starts_with([' ', '\t']) && version != "1.2" {
                let offset = text[..line_start].chars().count();
                return Err(YamlError::spanning(
                    Span {
                        start: offset,
                        end: offset + line.trim_end().chars().count(),
                    },
                    format!(
                        "the directive %YAML {version} asks for other reading rules than YAML 1.2, which agentgate reads; remove it"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The lines of `text` as YAML breaks them (at LF, CRLF or a lone CR: a directive can follow a
/// lone CR, found by fuzzing), each with the byte offset where it starts.
fn lines_with_starts(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let rest = &text[start..];
        let (line, skip) = match rest.find(['\n', '\r']) {
            Some(end) if rest[end..].starts_with("\r\n") => (&rest[..end], end + 2),
            Some(end) => (&rest[..end], end + 1),
            None => (rest, rest.len()),
        };
        let here = start;
        start += skip;
        Some((here, line))
    })
}

fn syntax_message(info: &str) -> String {
    if info.contains("recursion limit") {
        return "nesting too deep; refusing to read further".to_string();
    }
    format!("YAML syntax error: {info}")
}

struct Pending {
    kind: NodeKind,
    span: Span,
    anchor: usize,
    /// The node budget spent before this collection opened: what it costs to copy is the difference.
    nodes_before: usize,
    /// The byte budget spent before this collection opened.
    bytes_before: usize,
    body: PendingBody,
}

enum PendingBody {
    Map {
        json: Map<String, Value>,
        entries: Vec<(String, Node)>,
        key: Option<(String, Span)>,
    },
    Seq {
        json: Vec<Value>,
        items: Vec<Node>,
    },
}

struct Builder<'a> {
    source: &'a SourceFile,
    limits: Limits,
    stack: Vec<Pending>,
    /// Anchor id → (value, number of values it contains, bytes of text it contains).
    anchors: HashMap<usize, (Value, usize, usize)>,
    nodes: usize,
    /// Bytes of text built so far (scalars and keys, aliases expanded).
    bytes: usize,
    max_bytes: usize,
    documents: Vec<Document>,
}

impl Builder<'_> {
    fn on_event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                self.count(span.start, 1, text.len())?;
                let value = resolve_scalar(&text, style, tag.as_deref(), span.start)?;
                self.remember(anchor, &value, 1, text.len());
                self.complete(value, leaf(NodeKind::Scalar, span))
            }
            Event::Alias(id) => {
                let (size, bytes) = self
                    .anchors
                    .get(&id)
                    .map(|(_, size, bytes)| (*size, *bytes))
                    .ok_or_else(|| YamlError::at(span.start, "alias to an unknown anchor"))?;
                // Counted before the copy is made: the budget is what keeps the copy small.
                self.count(span.start, size, bytes)?;
                let value = self.anchors[&id].0.clone();
                self.complete(value, leaf(NodeKind::Alias, span))
            }
            Event::MappingStart(anchor, tag) => self.open(true, anchor, tag.as_deref(), span),
            Event::SequenceStart(anchor, tag) => self.open(false, anchor, tag.as_deref(), span),
            Event::MappingEnd | Event::SequenceEnd => self.close(span),
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart(_)
            | Event::DocumentEnd
            | Event::Nothing => Ok(()),
        }
    }

    fn count(&mut self, offset: usize, n: usize, bytes: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        self.bytes = self.bytes.saturating_add(bytes);
        if self.nodes > self.limits.max_nodes {
            return Err(YamlError::at(
                offset,
                format!(
                    "the file expands to more than {} values (an alias bomb?); refusing to read further",
                    self.limits.max_nodes
                ),
            ));
        }
        if self.bytes > self.max_bytes {
            return Err(YamlError::at(
                offset,
                format!(
                    "the file expands to more than {} bytes of text (an alias bomb?); refusing to read further",
                    self.max_bytes
                ),
            ));
        }
        Ok(())
    }

    fn remember(&mut self, anchor: usize, value: &Value, size: usize, bytes: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, (value.clone(), size, bytes));
        }
    }

    fn open(
        &mut self,
        is_map: bool,
        anchor: usize,
        tag: Option<&Tag>,
        span: Span,
    ) -> Result<(), YamlError> {
        if let Some(tag) = tag {
            let expected = if is_map { "map" } else { "seq" };
            let allowed = (tag.is_yaml_core_schema() && tag.suffix == expected)
                || (tag.handle == "!" && tag.suffix.is_empty());
            if !allowed {
                return Err(refused_tag(tag, span.start));
            }
        }
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError::at(
                span.start,
                format!(
                    "nesting deeper than {} levels; refusing to read further",
                    self.limits.max_depth
                ),
            ));
        }
        let (nodes_before, bytes_before) = (self.nodes, self.bytes);
        self.count(span.start, 1, 0)?;
        let flow = matches!(self.source_char(span.start), Some('[' | '{'));
        let body = if is_map {
            PendingBody::Map {
                json: Map::new(),
                entries: Vec::new(),
                key: None,
            }
        } else {
            PendingBody::Seq {
                json: Vec::new(),
                items: Vec::new(),
            }
        };
        let kind = if flow {
            NodeKind::FlowCollection
        } else {
            NodeKind::BlockCollection
        };
        self.stack.push(Pending {
            kind,
            span,
            anchor,
            nodes_before,
            bytes_before,
            body,
        });
        Ok(())
    }

    fn close(&mut self, end: Span) -> Result<(), YamlError> {
        let Some(pending) = self.stack.pop() else {
            return Ok(());
        };
        let span = Span {
            start: pending.span.start,
            end: end.end.max(pending.span.end),
        };
        let (value, children) = match pending.body {
            PendingBody::Map { json, entries, .. } => (Value::Object(json), Children::Map(entries)),
            PendingBody::Seq { json, items } => (Value::Array(json), Children::Seq(items)),
        };
        if pending.anchor != 0 {
            let size = self.nodes - pending.nodes_before;
            let bytes = self.bytes - pending.bytes_before;
            self.remember(pending.anchor, &value, size, bytes);
        }
        let node = Node {
            kind: pending.kind,
            span,
            key: None,
            dash: None,
            children,
        };
        self.complete(value, node)
    }

    /// Hands a finished value to its parent collection, or ends the document.
    fn complete(&mut self, value: Value, mut node: Node) -> Result<(), YamlError> {
        let Some(parent) = self.stack.last_mut() else {
            self.documents.push(Document { value, root: node });
            return Ok(());
        };
        let parent_is_block = parent.kind == NodeKind::BlockCollection;
        match &mut parent.body {
            PendingBody::Seq { json, items } => {
                if parent_is_block {
                    node.dash = self.source.dash_before(node.span.start);
                }
                json.push(value);
                items.push(node);
            }
            PendingBody::Map { json, entries, key } => match key.take() {
                None => {
                    let Value::String(name) = value else {
                        return Err(YamlError::spanning(
                            node.span,
                            "mapping keys must be strings; quote this key",
                        ));
                    };
                    if let Some((_, first)) = entries.iter().find(|(k, _)| *k == name) {
                        let first_line = first.key.map_or(0, |k| self.source.pos(k.start).line);
                        return Err(YamlError::spanning(
                            node.span,
                            format!(
                                "duplicate key {name:?}: first defined on line {first_line}; a repeated key can hide a grant from a reviewer, so merge the two"
                            ),
                        ));
                    }
                    *key = Some((name, node.span));
                }
                Some((name, key_span)) => {
                    node.key = Some(key_span);
                    json.insert(name.clone(), value);
                    entries.push((name, node));
                }
            },
        }
        Ok(())
    }

    fn source_char(&self, offset: usize) -> Option<char> {
        let byte = self.source.byte_offset(offset);
        self.source.text.get(byte..)?.chars().next()
    }
}

fn leaf(kind: NodeKind, span: Span) -> Node {
    Node {
        kind,
        span,
        key: None,
        dash: None,
        children: Children::None,
    }
}

fn resolve_scalar(
    text: &str,
    style: ScalarStyle,
    tag: Option<&Tag>,
    offset: usize,
) -> Result<Value, YamlError> {
    let plain = style == ScalarStyle::Plain;
    match tag {
        None if plain => resolve_plain(text, offset),
        None => Ok(Value::String(text.to_string())),
        Some(tag) if tag.handle == "!" && tag.suffix.is_empty() => {
            Ok(Value::String(text.to_string()))
        }
        Some(tag)
            if tag.is_yaml_core_schema()
                && matches!(
                    tag.suffix.as_str(),
                    "str" | "null" | "bool" | "int" | "float"
                ) =>
        {
            let resolved = match tag.suffix.as_str() {
                "str" => return Ok(Value::String(text.to_string())),
                _ => resolve_plain(text, offset)?,
            };
            let fits = matches!(
                (tag.suffix.as_str(), &resolved),
                ("null", Value::Null)
                    | ("bool", Value::Bool(_))
                    | ("int", Value::Number(_))
                    | ("float", Value::Number(_))
            );
            if fits {
                Ok(resolved)
            } else {
                Err(YamlError::at(
                    offset,
                    format!("the value {text:?} does not fit its tag !!{}", tag.suffix),
                ))
            }
        }
        Some(tag) => Err(refused_tag(tag, offset)),
    }
}

fn refused_tag(tag: &Tag, offset: usize) -> YamlError {
    let written = if tag.is_yaml_core_schema() {
        format!("!!{}", tag.suffix)
    } else {
        tag.to_string()
    };
    YamlError::at(
        offset,
        format!("the tag {written} is outside the YAML 1.2 core schema; remove it"),
    )
}

fn resolve_plain(text: &str, offset: usize) -> Result<Value, YamlError> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => {
            return Err(YamlError::at(
                offset,
                format!("{text} has no JSON form; quote it if it is meant as text"),
            ))
        }
        _ => {}
    }
    if let Some(n) = parse_core_int(text) {
        return integer(n, text, offset);
    }
    if is_core_float(text) {
        return float(text, offset);
    }
    Ok(Value::String(text.to_string()))
}

fn digits(s: &str, radix: u32) -> Option<&str> {
    (!s.is_empty() && s.chars().all(|c| c.is_digit(radix))).then_some(s)
}

fn parse_core_int(text: &str) -> Option<i128> {
    if let Some(hex) = text.strip_prefix("0x") {
        return Some(i128::from_str_radix(digits(hex, 16)?, 16).unwrap_or(i128::MAX));
    }
    if let Some(oct) = text.strip_prefix("0o") {
        return Some(i128::from_str_radix(digits(oct, 8)?, 8).unwrap_or(i128::MAX));
    }
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let magnitude = digits(body, 10)?.parse::<i128>().unwrap_or(i128::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

fn integer(n: i128, text: &str, offset: usize) -> Result<Value, YamlError> {
    if n.abs() > MAX_SAFE_INTEGER {
        return Err(YamlError::at(
            offset,
            format!("the integer {text} is beyond ±2^53 and cannot be read exactly; quote it"),
        ));
    }
    // The bound above keeps the value well inside i64.
    Ok(Value::Number(Number::from(n as i64)))
}

fn is_core_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match frac_part {
        Some(f) => all_digits(int_part) && all_digits(f) && !(int_part.is_empty() && f.is_empty()),
        None => !int_part.is_empty() && all_digits(int_part),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

fn float(text: &str, offset: usize) -> Result<Value, YamlError> {
    let f: f64 = text
        .parse()
        .map_err(|_| YamlError::at(offset, format!("{text} is not a number")))?;
    if !f.is_finite() {
        return Err(YamlError::at(
            offset,
            format!("{text} is too large to be a JSON number"),
        ));
    }
    // JCS writes 1.0 as 1: read it as the integer so every consumer sees one value.
    if f.fract() == 0.0 && f.abs() <= MAX_SAFE_INTEGER as f64 {
        return Ok(Value::Number(Number::from(f as i64)));
    }
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| YamlError::at(offset, format!("{text} is not a JSON number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Vec<Document>, YamlError> {
        parse(
            &SourceFile::new("t".into(), "t".into(), text),
            Limits::default(),
        )
    }

    fn json(text: &str) -> Value {
        read(text).expect("parses").remove(0).value
    }

    #[test]
    fn core_schema_scalars() {
        let v = json(
            "a: yes\nb: on\nc: 0755\nd: 2026-11-02\ne: 1.0\nf: 0x1F\ng: ~\nh: '1'\ni: 1.5\n<<: x\n",
        );
        assert_eq!(
            v,
            serde_json::json!({"a": "yes", "b": "on", "c": 755, "d": "2026-11-02", "e": 1,
                                "f": 31, "g": null, "h": "1", "i": 1.5, "<<": "x"})
        );
    }

    #[test]
    fn refuses_what_readers_could_disagree_on() {
        for (text, needle) in [
            ("a: .inf\n", "no JSON form"),
            ("a: .nan\n", "no JSON form"),
            ("a: 9007199254740993\n", "beyond ±2^53"),
            (
                "a: !!binary aGk=\n",
                "the tag !!binary is outside the YAML 1.2 core schema",
            ),
            ("a: !custom x\n", "outside the YAML 1.2 core schema"),
            ("1: a\n", "keys must be strings"),
            ("a: 1\nb: 2\na: 3\n", "first defined on line 1"),
            // Found by fuzzing: positions after a reserved directive with a non-ASCII
            // character ran past the end of the text.
            (
                "%\u{f1}\r---",
                "the directive %\u{f1} is not one agentgate reads",
            ),
            ("%FOO bar\n--- x\n", "the directive %FOO is not one"),
            // A lone CR is a line break too: the directive after it counts.
            ("\r%\u{e9}\n---", "the directive %\u{e9} is not one"),
            ("a: 1\r%YAML 1.1\r--- x", "asks for other reading rules"),
        ] {
            let err = read(text).expect_err(text);
            assert!(err.message.contains(needle), "{text}: {}", err.message);
        }
    }

    #[test]
    fn duplicate_key_points_at_the_second_occurrence() {
        let err = read("spec:\n  permissions: []\n  owner: x\n  permissions: [a]\n").unwrap_err();
        let src = SourceFile::new(
            "t".into(),
            "t".into(),
            "spec:\n  permissions: []\n  owner: x\n  permissions: [a]\n",
        );
        assert_eq!(src.pos(err.offset).line, 4);
        assert!(err.message.contains("line 2"));
    }

    #[test]
    fn alias_bomb_hits_the_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let err = read(&text).unwrap_err();
        assert!(err.message.contains("alias bomb"), "{}", err.message);
    }

    #[test]
    fn depth_is_capped() {
        let text = "[".repeat(10_000);
        let err = read(&text).unwrap_err();
        assert!(err.message.contains("nesting"), "{}", err.message);
    }

    #[test]
    fn spans_follow_keys_values_and_dashes() {
        let text = "spec:\n  permissions:\n    - resource: r\n      actions: [read, '*']\n";
        let doc = read(text).unwrap().remove(0);
        let item = doc
            .root
            .child("spec")
            .and_then(|n| n.child("permissions"))
            .and_then(|n| n.child("0"))
            .unwrap();
        let src = SourceFile::new("t".into(), "t".into(), text);
        assert_eq!(src.pos(item.dash.unwrap()).line, 3);
        assert_eq!(src.pos(item.dash.unwrap()).column, 5);
        let star = item.child("actions").and_then(|n| n.child("1")).unwrap();
        let p = src.pos(star.span.start);
        assert_eq!((p.line, p.column), (4, 23));
        assert_eq!(
            item.child("actions").unwrap().kind,
            NodeKind::FlowCollection
        );
    }

    #[test]
    fn multiple_documents() {
        let docs = read("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 2);
    }
}
