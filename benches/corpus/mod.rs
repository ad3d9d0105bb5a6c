//! The generated corpus both benchmarks use: varied manifests, 100 to a service folder.

use std::path::Path;

pub const TODAY: &str = "2026-11-23";

pub fn manifest(i: usize, total: usize) -> String {
    let verbs = [
        "read", "list", "write", "query", "send", "delete", "deploy", "describe",
    ];
    let types = [
        "federated",
        "short_lived_token",
        "oauth_client_credentials",
        "api_key",
    ];
    let mut permissions = String::new();
    for p in 0..(1 + i % 4) {
        let verb = verbs[(i + p) % verbs.len()];
        let approval = if (i + p) % 3 == 0 {
            "\n      approval: human"
        } else {
            ""
        };
        permissions.push_str(&format!(
            "    - resource: postgres://db{}/schema.table{p}\n      actions: [{verb}, read]\n      justification: Needed for job {p}\n      dataClasses: [internal]{approval}\n",
            i % 50
        ));
    }
    let kind = types[i % types.len()];
    let rotation = if kind == "api_key" {
        "30d"
    } else {
        "automatic"
    };
    let delegate = if i % 7 == 0 && i + 1 < total {
        format!("\n  delegation:\n    delegatesTo: [agent-{}]", i + 1)
    } else {
        String::new()
    };
    let status = if i % 11 == 0 { "proposed" } else { "active" };
    format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata:\n  name: agent-{i}\n  description: Generated agent number {i}\n  labels: {{team: team-{}}}\nspec:\n  purpose: Does generated work item {i} for the benchmark.\n  owner: {{name: Owner {i}, email: owner{}@example.com}}\n  backupOwner: {{name: Backup, email: backup{}@example.com}}\n  lifecycle: {{status: {status}, expires: 2027-0{}-15}}\n  identity: {{type: workload, id: \"spiffe://example.org/agent-{i}\"}}\n  permissions:\n{permissions}  credentials:\n    - {{name: cred-{i}, type: {kind}, ttl: {}h, rotation: {rotation}, shared: {}}}\n  blastRadius: {{worstCase: Reads internal tables, dataClasses: [internal], reversible: true, externalReach: false}}\n  audit: {{logSink: \"siem://splunk/agents\"}}\n  baseline: {{maxActionsPerHour: 100}}\n  review: {{reviewer: sec-review@example.com, date: 2026-10-0{}}}{delegate}\n",
        i % 20,
        i % 300,
        i % 301,
        1 + i % 9,
        1 + i % 48,
        i % 13 == 0,
        1 + i % 9,
    )
}

// The `rules` bench evaluates manifests in memory and writes none.
#[allow(dead_code)]
pub fn generate(dir: &Path, count: usize) {
    for i in 0..count {
        let folder = dir.join(format!("services/s{}", i / 100));
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join(format!("a{i}.agent.yaml")), manifest(i, count)).expect("write");
    }
}

/// [`generate`] with every review signed by the test-only key of `testdata/keys`, and a
/// configuration that trusts it: every review is verified, as in a real repository.
#[allow(dead_code)]
pub fn generate_signed(dir: &Path, count: usize) {
    use agentgate::review::edit::{write_review, ReviewBlock};
    use serde_json::Value;
    let keys = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/keys");
    let key = ssh_key::PrivateKey::from_openssh(
        std::fs::read_to_string(keys.join("test-reviewer")).expect("the test key"),
    )
    .expect("the test key reads");
    std::fs::copy(keys.join("allowed_signers"), dir.join("allowed_signers"))
        .expect("allowed_signers");
    std::fs::write(
        dir.join(".agentgate.yaml"),
        "version: 1\nsettings:\n  allowedSigners: allowed_signers\n",
    )
    .expect("configuration");
    for i in 0..count {
        let text = manifest(i, count);
        let source = agentgate::source::SourceFile::new("m".into(), "m".into(), text.as_str());
        let mut document = agentgate::yaml::parse(&source, Default::default())
            .expect("the corpus parses")
            .remove(0)
            .value;
        let field = |name: &str| {
            document
                .pointer(&format!("/spec/review/{name}"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let mut block = ReviewBlock {
            reviewer: field("reviewer"),
            date: field("date"),
            digest: String::new(),
            signature: String::new(),
            extra: Vec::new(),
        };
        document["spec"]["review"] = block.value();
        block.digest = agentgate::digest::digest(&document);
        block.signature = key
            .sign(
                agentgate::review::NAMESPACE,
                ssh_key::HashAlg::Sha512,
                block.digest.as_bytes(),
            )
            .and_then(|sig| sig.to_pem(ssh_key::LineEnding::LF))
            .expect("the test key signs");
        let signed = write_review(&source, 0, &block).expect("the review block is written");
        let folder = dir.join(format!("services/s{}", i / 100));
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join(format!("a{i}.agent.yaml")), signed).expect("write");
    }
}
