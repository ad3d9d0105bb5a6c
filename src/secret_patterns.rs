//! The one table of secret shapes: every detector agentgate knows, with the rules that use it.
//! AG025 (a secret in a manifest, judged in Rego) uses its subset through the Rego library
//! `policies/lib/secret_patterns.rego`, which is generated from this table ([`rego_library`];
//! a test fails when the file differs); AG101 (a secret committed beside an agent, judged in
//! Rust) uses every detector. Each detector is a literal marker followed by at least `min`
//! characters of a class (the cheap test, done first) and a regular expression whose first
//! group is the secret; Rust and Rego run the same expression. A leaf module: it uses no other.

use std::sync::OnceLock;

/// The characters a detector's marker must be followed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Nothing required (`min` is 0).
    Any,
    Alnum,
    /// Letters, digits, `_` and `-`.
    Token,
    UpperDigit,
    /// Letters, digits and `_`.
    Word,
    /// Letters, digits and `-`.
    Dashed,
}

impl Class {
    pub fn contains(self, c: char) -> bool {
        match self {
            Class::Any => true,
            Class::Alnum => c.is_ascii_alphanumeric(),
            Class::Token => c.is_ascii_alphanumeric() || c == '_' || c == '-',
            Class::UpperDigit => c.is_ascii_uppercase() || c.is_ascii_digit(),
            Class::Word => c.is_ascii_alphanumeric() || c == '_',
            Class::Dashed => c.is_ascii_alphanumeric() || c == '-',
        }
    }

    /// The class spelled out, as the Rego library's cheap test (`trim_left`) takes it.
    fn spelled(self) -> String {
        (' '..='~')
            .filter(|&c| self != Class::Any && self.contains(c))
            .collect()
    }
}

/// One shape of secret.
#[derive(Debug, Clone, Copy)]
pub struct Detector {
    pub kind: &'static str,
    pub markers: &'static [&'static str],
    pub min: usize,
    pub class: Class,
    /// The regular expression; its first group is the secret.
    pub pattern: &'static str,
    /// In AG025's set (a manifest's values); every detector is in AG101's.
    pub manifest: bool,
}

/// In order: the first detector that finds something names the kind of secret. A key whose
/// shape could run on from a word starts at the start of the text, after a character that is
/// no letter or digit, or after a percent-encoded byte (`…%3Dsk-…`: a URL-encoded `=`, which
/// ends in a letter or digit but is a boundary to whoever decodes the URL).
pub const DETECTORS: &[Detector] = &[
    Detector {
        kind: "private key",
        markers: &["PRIVATE KEY-----"],
        min: 0,
        class: Class::Any,
        pattern: r"(?s)(-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----)?)",
        manifest: true,
    },
    Detector {
        kind: "AWS access key id",
        markers: &["AKIA", "ASIA"],
        min: 16,
        class: Class::UpperDigit,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})((?:AKIA|ASIA)[A-Z0-9]{16})(?:[^A-Za-z0-9]|$)",
        manifest: true,
    },
    Detector {
        kind: "GitHub token",
        markers: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        min: 20,
        class: Class::Alnum,
        pattern: r"((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,})",
        manifest: true,
    },
    Detector {
        kind: "GitHub token",
        markers: &["github_pat_"],
        min: 20,
        class: Class::Word,
        pattern: r"(github_pat_[A-Za-z0-9_]{20,})",
        manifest: true,
    },
    Detector {
        kind: "GitLab token",
        markers: &["glpat-"],
        min: 20,
        class: Class::Token,
        pattern: r"(glpat-[A-Za-z0-9_-]{20,})",
        manifest: true,
    },
    Detector {
        kind: "Slack token",
        markers: &["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"],
        min: 10,
        class: Class::Dashed,
        pattern: r"(xox[abprs]-[A-Za-z0-9-]{10,})",
        manifest: true,
    },
    Detector {
        kind: "API key",
        markers: &["sk-"],
        min: 20,
        class: Class::Token,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(sk-[A-Za-z0-9_-]{20,})",
        manifest: true,
    },
    Detector {
        kind: "JWT",
        markers: &["eyJ"],
        min: 10,
        class: Class::Token,
        pattern: r"(eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)",
        manifest: true,
    },
    Detector {
        kind: "Google API key",
        markers: &["AIza"],
        min: 35,
        class: Class::Token,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(AIza[A-Za-z0-9_-]{35,})",
        manifest: false,
    },
    Detector {
        kind: "Hugging Face token",
        markers: &["hf_"],
        min: 30,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(hf_[A-Za-z0-9]{30,})",
        manifest: false,
    },
    Detector {
        kind: "Groq API key",
        markers: &["gsk_"],
        min: 40,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(gsk_[A-Za-z0-9]{40,})",
        manifest: false,
    },
    Detector {
        kind: "Stripe key",
        markers: &["sk_live_", "rk_live_"],
        min: 20,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})((?:sk|rk)_live_[A-Za-z0-9]{20,})",
        manifest: false,
    },
    Detector {
        kind: "npm token",
        markers: &["npm_"],
        min: 36,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(npm_[A-Za-z0-9]{36,})",
        manifest: false,
    },
    Detector {
        kind: "Replicate token",
        markers: &["r8_"],
        min: 37,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(r8_[A-Za-z0-9]{37,})",
        manifest: false,
    },
    Detector {
        kind: "Perplexity API key",
        markers: &["pplx-"],
        min: 40,
        class: Class::Alnum,
        pattern: r"(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(pplx-[A-Za-z0-9]{40,})",
        manifest: false,
    },
];

/// Which rule's set of detectors to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Set {
    /// AG025: secrets in a manifest (the Rego library's detectors).
    Manifest,
    /// AG101: secrets committed beside an agent (every detector).
    Committed,
}

impl Detector {
    fn in_set(&self, set: Set) -> bool {
        set == Set::Committed || self.manifest
    }

    /// The cheap test: a marker followed by at least `min` characters of the class.
    fn candidate(&self, text: &str) -> bool {
        self.markers.iter().any(|marker| {
            text.match_indices(marker).any(|(at, _)| {
                let run = text[at + marker.len()..].chars().take(self.min);
                run.clone().count() == self.min && run.into_iter().all(|c| self.class.contains(c))
            })
        })
    }
}

fn compiled() -> &'static [Option<regex::Regex>] {
    static COMPILED: OnceLock<Vec<Option<regex::Regex>>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        DETECTORS
            .iter()
            .map(|d| regex::Regex::new(d.pattern).ok())
            .collect()
    })
}

/// Whether `text` holds any detector's marker at all: one search for every marker (the regex
/// crate matches a set of literals with SIMD), before each detector looks for its own. Most
/// text scanned (messages, lines of code) holds none.
fn any_marker(text: &str) -> bool {
    static MARKERS: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let markers = MARKERS.get_or_init(|| {
        let alternatives: Vec<String> = DETECTORS
            .iter()
            .flat_map(|d| d.markers.iter().map(|m| regex::escape(m)))
            .collect();
        regex::Regex::new(&alternatives.join("|")).ok()
    });
    // Without the combined search, every detector looks for itself.
    markers.as_ref().is_none_or(|re| re.is_match(text))
}

/// The first secret in `text` of the set's detectors: its kind and the secret itself.
pub fn find(text: &str, set: Set) -> Option<(&'static str, &str)> {
    if !any_marker(text) {
        return None;
    }
    DETECTORS
        .iter()
        .zip(compiled())
        .filter(|(d, _)| d.in_set(set) && d.candidate(text))
        .find_map(|(d, re)| {
            let secret = re.as_ref()?.captures(text)?.get(1)?.as_str();
            Some((d.kind, secret))
        })
}

/// Every secret in `text` of the set's detectors, in the order of the table.
pub fn find_all(text: &str, set: Set) -> Vec<(&'static str, &str)> {
    if !any_marker(text) {
        return Vec::new();
    }
    DETECTORS
        .iter()
        .zip(compiled())
        .filter(|(d, _)| d.in_set(set) && d.candidate(text))
        .flat_map(|(d, re)| {
            re.iter().flat_map(move |re| {
                re.captures_iter(text)
                    .filter_map(|c| c.get(1))
                    .map(move |m| (d.kind, m.as_str()))
            })
        })
        .collect()
}

/// The Rego library with AG025's detectors, as `policies/lib/secret_patterns.rego` holds it.
pub fn rego_library() -> String {
    let mut out = String::from(
        "# GENERATED from src/secret_patterns.rs (the one table of secret shapes); do not edit.\n\
         # Regenerate: AGENTGATE_REGENERATE=1 cargo test --lib secret_patterns\n\
         # AG025's detectors, in order: the first that finds something names the kind of secret.\n\
         package agentgate.lib.secret_patterns\n\nimport rego.v1\n\ndetectors := [\n",
    );
    let manifest: Vec<&Detector> = DETECTORS.iter().filter(|d| d.manifest).collect();
    for d in &manifest {
        let markers: Vec<String> = d.markers.iter().map(|m| format!("{m:?}")).collect();
        out.push_str(&format!(
            "\t{{\n\t\t\"kind\": {:?},\n\t\t\"markers\": [{}],\n\t\t\"min\": {},\n\t\t\"class\": {:?},\n\t\t\"pattern\": `{}`,\n\t}},\n",
            d.kind,
            markers.join(", "),
            d.min,
            d.class.spelled(),
            d.pattern
        ));
    }
    out.push_str("]\n\n# Every marker of every detector.\nmarkers := [\n");
    for d in &manifest {
        let markers: Vec<String> = d.markers.iter().map(|m| format!("{m:?}")).collect();
        out.push_str(&format!("\t{},\n", markers.join(", ")));
    }
    out.push_str("]\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const GENERATED: &str = "policies/lib/secret_patterns.rego";

    #[test]
    fn the_rego_library_is_generated_from_the_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(GENERATED);
        let expected = rego_library();
        if std::env::var_os("AGENTGATE_REGENERATE").is_some() {
            std::fs::write(&path, &expected).unwrap();
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{GENERATED} is out of date: AGENTGATE_REGENERATE=1 cargo test --lib secret_patterns"
        );
    }

    #[test]
    fn every_pattern_compiles() {
        assert!(compiled().iter().all(Option::is_some));
    }

    /// Rust and Rego name the same secret of the same kind on the shared (AG025) subset.
    #[test]
    fn rust_and_rego_agree_on_the_manifest_detectors() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut engine = regorus::Engine::new();
        for file in [GENERATED, "policies/lib/secrets.rego"] {
            engine
                .add_policy(
                    file.into(),
                    std::fs::read_to_string(root.join(file)).unwrap(),
                )
                .unwrap();
        }
        let join = |parts: &[&str]| parts.concat();
        let samples = [
            join(&[
                "-----BEGIN RSA ",
                "PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----",
            ]),
            join(&["key AK", "IAABCDEFGHIJKLMNOP end"]),
            join(&["xAK", "IAABCDEFGHIJKLMNOP"]),
            join(&["gh", "p_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9"]),
            join(&["github", "_pat_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9"]),
            join(&["gl", "pat-aB3dE5fG7hJ9kL1mN3pQ5"]),
            join(&["xo", "xb-1234567890-abc"]),
            join(&["Bearer s", "k-proj-aB3dE5fG7hJ9kL1mN3pQ5"]),
            join(&["task-s", "k-aB3dE5fG7hJ9kL1mN3pQ5"]),
            join(&["ey", "JhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"]),
            join(&["AI", "zaSyA1234567890abcdefghijklmnopqrstuv"]),
            "a risk-assessment task-runner".into(),
            "plain".into(),
            String::new(),
        ];
        for sample in &samples {
            engine
                .set_input_json(&serde_json::json!({ "text": sample }).to_string())
                .unwrap();
            let rego = engine
                .eval_query(
                    "x := data.agentgate.lib.secrets.detect(input.text)".into(),
                    false,
                )
                .unwrap();
            let rego: Option<(String, String)> = rego.result.first().and_then(|r| {
                let pair = r.bindings.as_object().ok()?.values().next()?.clone();
                let pair = pair.as_array().ok()?.clone();
                Some((
                    pair.first()?.as_string().ok()?.to_string(),
                    pair.get(1)?.as_string().ok()?.to_string(),
                ))
            });
            let rust = find(sample, Set::Manifest).map(|(k, s)| (k.to_string(), s.to_string()));
            assert_eq!(rust, rego, "{sample:?}");
        }
        // AG101's wider set knows more shapes than AG025's.
        assert_eq!(find(&samples[10], Set::Manifest), None);
        assert_eq!(
            find(&samples[10], Set::Committed).map(|f| f.0),
            Some("Google API key")
        );
    }
}
