//! The YAML reading that feeds the review digest: each vector's document must read as exactly
//! its canonical JSON (minus the review's digest and signature).

use agentgate::source::SourceFile;
use agentgate::yaml::{parse, Limits};

#[test]
fn digest_vectors_read_as_their_canonical_json() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/digest-vectors");
    for name in ["01-block", "02-flow-reordered", "03-yaml12"] {
        let yaml = std::fs::read_to_string(dir.join(format!("{name}.agent.yaml"))).unwrap();
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let source = SourceFile::new(name.into(), name.into(), yaml);
        let mut value = parse(&source, Limits::default()).unwrap().remove(0).value;
        if let Some(review) = value
            .pointer_mut("/spec/review")
            .and_then(|r| r.as_object_mut())
        {
            review.remove("digest");
            review.remove("signature");
        }
        assert_eq!(value, expected, "{name}");
    }
}
