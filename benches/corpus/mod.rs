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
