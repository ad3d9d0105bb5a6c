//! `cargo bench`: end-to-end speed of `agentgate check` (the release binary) on generated
//! repositories. Prints figures; asserts nothing about time (targets live in the README).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TODAY: &str = "2026-11-23";

fn manifest(i: usize, total: usize) -> String {
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

fn generate(dir: &Path, count: usize) {
    for i in 0..count {
        let folder = dir.join(format!("services/s{}", i / 100));
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join(format!("a{i}.agent.yaml")), manifest(i, count)).expect("write");
    }
}

fn peak_child_rss_kib() -> i64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage.ru_maxrss
    }
}

fn time_check(dir: &Path, args: &[&str]) -> (Duration, i32, String) {
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("agentgate runs");
    let elapsed = start.elapsed();
    let code = output.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (elapsed, code, stdout)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    // For profiling: write the generated repository somewhere and stop.
    if let Some(dir) = std::env::var_os("AGENTGATE_BENCH_GENERATE") {
        generate(Path::new(&dir), 10_000);
        return;
    }
    let big = tempfile::tempdir().expect("tempdir");
    generate(big.path(), 10_000);
    let args = ["check", "--format", "json", "--today", TODAY, "--no-fail"];
    let _ = time_check(big.path(), &args); // warm the page cache
    let runs: Vec<Duration> = (0..5).map(|_| time_check(big.path(), &args).0).collect();
    let (_, code, stdout) = time_check(big.path(), &args);
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    let best = median(runs);
    println!(
        "10,000 manifests: median {:.0} ms wall, {:.0} manifests/s, exit {code}, {} findings, {} problems, peak RSS {} MiB",
        best.as_secs_f64() * 1000.0,
        10_000.0 / best.as_secs_f64(),
        json["findings"].as_array().map_or(0, Vec::len),
        json["summary"]["problems"],
        peak_child_rss_kib() / 1024,
    );

    let small = tempfile::tempdir().expect("tempdir");
    generate(small.path(), 100);
    let one = "services/s0/a42.agent.yaml";
    let single = ["check", one, "--today", TODAY, "--no-fail"];
    let _ = time_check(small.path(), &single);
    let runs: Vec<Duration> = (0..21)
        .map(|_| time_check(small.path(), &single).0)
        .collect();
    println!(
        "single-file check in a repository of 100 manifests (pre-commit): median {:.1} ms including start-up",
        median(runs).as_secs_f64() * 1000.0
    );
}
