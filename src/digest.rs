//! The review digest of a manifest document (manifest-v1, "The review digest"): `sha256:` and the
//! lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of the document as read by
//! [`crate::yaml`], with `spec.review.digest` and `spec.review.signature` removed. The
//! reviewer and the review date stay in, so they are signed too.

use serde_json::Value;
use sha2::{Digest, Sha256};

/// What every digest starts with.
pub const PREFIX: &str = "sha256:";

/// The fields of `spec.review` that the digest leaves out: they hold the digest and its
/// signature themselves.
pub const UNSIGNED_FIELDS: [&str; 2] = ["digest", "signature"];

/// The document as it is hashed: `spec.review.digest` and `spec.review.signature` removed.
pub fn signed_view(document: &Value) -> Value {
    let mut view = document.clone();
    if let Some(review) = view
        .pointer_mut("/spec/review")
        .and_then(Value::as_object_mut)
    {
        for field in UNSIGNED_FIELDS {
            review.remove(field);
        }
    }
    view
}

/// The RFC 8785 canonical JSON of what is hashed.
pub fn canonical_json(document: &Value) -> String {
    // A serde_json::Value always serializes: its keys are strings and its numbers are finite
    // (the YAML reader refuses .inf and .nan).
    serde_json_canonicalizer::to_string(&signed_view(document))
        .expect("a JSON value always canonicalizes")
}

/// The digest of one manifest document: `sha256:` and 64 lowercase hex digits. The canonical
/// JSON is streamed into the hash, from a view of the document that leaves the unsigned fields
/// out: neither the document nor its JSON text is copied.
pub fn digest(document: &Value) -> String {
    let mut hasher = Sha256::new();
    // As in `canonical_json`: a serde_json::Value always serializes, and hashing cannot fail.
    serde_json_canonicalizer::to_writer(&SignedView::root(document), &mut hasher)
        .expect("a JSON value always canonicalizes");
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{PREFIX}{hex}")
}

/// [`signed_view`] without the copy: the document, serialized without `spec.review`'s
/// [`UNSIGNED_FIELDS`].
struct SignedView<'a> {
    value: &'a Value,
    /// 0 at the root, 1 in `spec`, 2 in `spec.review`, 3 anywhere else.
    depth: u8,
}

impl<'a> SignedView<'a> {
    fn root(value: &'a Value) -> Self {
        SignedView { value, depth: 0 }
    }
}

impl serde::Serialize for SignedView<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.value {
            Value::Object(fields) => {
                let kept = |key: &str| self.depth != 2 || !UNSIGNED_FIELDS.contains(&key);
                let mut map =
                    serializer.serialize_map(Some(fields.keys().filter(|k| kept(k)).count()))?;
                for (key, value) in fields.iter().filter(|(k, _)| kept(k)) {
                    let depth = match (self.depth, key.as_str()) {
                        (0, "spec") => 1,
                        (1, "review") => 2,
                        _ => 3,
                    };
                    map.serialize_entry(key, &SignedView { value, depth })?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&SignedView { value, depth: 3 })?;
                }
                seq.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `sha256:` and [`sha256_hex`]: how agentgate writes every digest.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("{PREFIX}{}", sha256_hex(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_review_digest_and_signature_are_left_out_and_nothing_else() {
        let signed = json!({"spec": {"review": {"reviewer": "a@example.com", "date": "2026-11-02",
            "digest": "sha256:00", "signature": "sig"}}});
        let unsigned =
            json!({"spec": {"review": {"date": "2026-11-02", "reviewer": "a@example.com"}}});
        assert_eq!(digest(&signed), digest(&unsigned));
        let other_reviewer =
            json!({"spec": {"review": {"date": "2026-11-02", "reviewer": "b@example.com"}}});
        assert_ne!(digest(&unsigned), digest(&other_reviewer));
        assert_eq!(
            canonical_json(&signed),
            r#"{"spec":{"review":{"date":"2026-11-02","reviewer":"a@example.com"}}}"#
        );
    }

    #[test]
    fn the_streamed_digest_is_the_digest_of_the_canonical_json() {
        let document = json!({"spec": {"review": {"digest": "sha256:00", "signature": "s",
            "date": "2026-11-02", "nested": {"digest": "kept"}}, "digest": "kept too"},
            "review": {"digest": "kept"}, "list": [{"spec": {"review": {"digest": "kept"}}}]});
        assert_eq!(
            digest(&document),
            sha256_digest(canonical_json(&document).as_bytes())
        );
        assert!(canonical_json(&document).contains("kept too"));
    }

    #[test]
    fn numbers_and_keys_follow_jcs() {
        // JCS sorts keys by UTF-16 code units and writes numbers as ECMAScript does.
        let value = json!({"b": 1.5, "a": 10, "\u{e9}": true, "\u{1f600}": null, "A": [1e21]});
        assert_eq!(
            canonical_json(&value),
            "{\"A\":[1e+21],\"a\":10,\"b\":1.5,\"\u{e9}\":true,\"\u{1f600}\":null}"
        );
    }

    #[test]
    fn a_review_that_is_not_a_mapping_is_hashed_as_it_is() {
        let value = json!({"spec": {"review": "pending"}});
        assert_eq!(canonical_json(&value), r#"{"spec":{"review":"pending"}}"#);
        assert!(digest(&value).starts_with("sha256:"));
        assert_eq!(digest(&value).len(), 71);
    }
}
