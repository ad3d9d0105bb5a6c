//! The YAML reader (`agentgate::yaml::parse`). Invariants, on every document of the stream:
//! no panic; every node's span (and key span, and `-`) lies inside the text; the position tree
//! and the JSON value agree (same keys, same lengths: no key silently dropped); every JSON
//! pointer of the value `locate`s to a place inside the text.
#![no_main]

use agentgate::source::SourceFile;
use agentgate::yaml::{self, locate, Children, Limits, Node, NodeKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// Pointers located per document: aliases can expand a small file into many values.
const MAX_POINTERS: usize = 20_000;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let source = SourceFile::new("fuzz.yaml".into(), "fuzz.yaml".into(), text);
    let chars = text.chars().count();
    let Ok(documents) = yaml::parse(&source, Limits::default()) else {
        return;
    };
    for document in &documents {
        check_node(&document.root, chars);
        agree(&document.value, &document.root, "");
        let mut pointers = Vec::new();
        collect_pointers(&document.value, String::new(), &mut pointers);
        for pointer in &pointers {
            let (at, span) = locate(&document.root, pointer);
            assert!(
                at <= chars && span.start <= span.end && span.end <= chars,
                "locate({pointer:?}) = {at}, {span:?} outside the text of {chars} characters"
            );
        }
    }
});

fn check_node(node: &Node, chars: usize) {
    assert!(
        node.span.start <= node.span.end && node.span.end <= chars,
        "node span {:?} outside the text of {chars} characters",
        node.span
    );
    if let Some(key) = node.key {
        assert!(
            key.start <= key.end && key.end <= chars,
            "key span {key:?} outside the text of {chars} characters"
        );
    }
    if let Some(dash) = node.dash {
        assert!(
            dash < chars,
            "dash at {dash} outside the text of {chars} characters"
        );
    }
    match &node.children {
        Children::Map(entries) => entries.iter().for_each(|(_, n)| check_node(n, chars)),
        Children::Seq(items) => items.iter().for_each(|n| check_node(n, chars)),
        Children::None => {}
    }
}

/// The tree mirrors the value: a mapping has exactly the value's keys, a sequence its length.
/// An alias node stands for its (expanded) anchor and has no children of its own.
fn agree(value: &Value, node: &Node, pointer: &str) {
    if node.kind == NodeKind::Alias {
        return;
    }
    match (value, &node.children) {
        (Value::Object(map), Children::Map(entries)) => {
            assert_eq!(
                map.len(),
                entries.len(),
                "at {pointer:?}: the value has {} keys, the tree {}",
                map.len(),
                entries.len()
            );
            for (key, child) in entries {
                let Some(v) = map.get(key) else {
                    panic!("at {pointer:?}: key {key:?} in the tree but not in the value");
                };
                agree(v, child, &format!("{pointer}/{}", escape(key)));
            }
        }
        (Value::Array(items), Children::Seq(nodes)) => {
            assert_eq!(
                items.len(),
                nodes.len(),
                "at {pointer:?}: the value has {} items, the tree {}",
                items.len(),
                nodes.len()
            );
            for (i, (v, child)) in items.iter().zip(nodes).enumerate() {
                agree(v, child, &format!("{pointer}/{i}"));
            }
        }
        (Value::Object(_) | Value::Array(_), _) => {
            panic!("at {pointer:?}: a collection in the value, a leaf in the tree")
        }
        (_, Children::None) => {}
        (_, _) => panic!("at {pointer:?}: a scalar in the value, a collection in the tree"),
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn collect_pointers(value: &Value, pointer: String, out: &mut Vec<String>) {
    if out.len() >= MAX_POINTERS {
        return;
    }
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                collect_pointers(v, format!("{pointer}/{}", escape(key)), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_pointers(v, format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(pointer);
}
