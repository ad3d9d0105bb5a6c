//! `cargo bench --bench drift`: the JSON Lines reader of `agentgate drift` on a generated log
//! of 1 GB (`AGENTGATE_DRIFT_BENCH_MB` to change the size), alone and in a whole `drift` run of
//! the release binary. Prints throughput and peak memory; asserts nothing about time (the
//! target, ≥ 200 MB/s for the reader on one core, is in docs/speed.md).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

fn peak_rss_kib(who: i32) -> i64 {
    // SAFETY: getrusage only writes into the struct we pass.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(who, &mut usage);
        usage.ru_maxrss
    }
}

/// A log of about `bytes` bytes: 20 agents (one undeclared), each with a few resources and
/// actions, some denied, over the 30 days before 2026-11-23.
fn generate(path: &Path, bytes: u64) -> u64 {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path).expect("create"));
    let actions = ["read", "write", "list", "delete"];
    let mut written = 0u64;
    let mut i = 0u64;
    let start = 1_792_800_000i64; // 2026-10-24T00:00:00Z
    while written < bytes {
        let agent = i % 20;
        let second = start + (i % (29 * 86_400)) as i64;
        let day = second / 86_400;
        let rest = second % 86_400;
        let line = format!(
            "{{\"time\":\"{}T{:02}:{:02}:{:02}Z\",\"agent\":\"agent-{agent}\",\"resource\":\"db://prod/table-{}\",\"action\":\"{}\",\"outcome\":\"{}\",\"requestId\":\"{i:016x}\"}}\n",
            agentgate::units::format_date(day),
            rest / 3600,
            rest / 60 % 60,
            rest % 60,
            i % 7,
            actions[(i % 4) as usize],
            if i % 13 == 0 { "denied" } else { "allowed" },
        );
        out.write_all(line.as_bytes()).expect("write");
        written += line.len() as u64;
        i += 1;
    }
    out.flush().expect("flush");
    written
}

fn manifest(n: u64) -> String {
    format!(
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {{name: agent-{n}, description: bench}}\nspec:\n  purpose: bench\n  owner: {{name: A, email: a@example.com}}\n  lifecycle: {{status: active, expires: 2027-06-01}}\n  identity: {{type: workload, id: spiffe://example.org/agent-{n}}}\n  permissions:\n    - {{resource: db://prod, actions: [read, list], justification: x}}\n  credentials: []\n  baseline: {{maxActionsPerHour: 100000, systems: [db://prod]}}\n"
    )
}

fn main() {
    if std::env::args().any(|a| a == "--list" || a == "--test") {
        return;
    }
    let megabytes: u64 = std::env::var("AGENTGATE_DRIFT_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("audit.jsonl");
    let bytes = generate(&log, megabytes * 1024 * 1024);

    // The reader alone, in this process, on one thread.
    let start = Instant::now();
    let mut events = 0u64;
    agentgate::drift::logs::read(&log, "audit.jsonl", &mut |_, _| events += 1)
        .expect("the generated log reads");
    let elapsed = start.elapsed().as_secs_f64();
    println!(
        "JSON Lines reader: {:.0} MB in {elapsed:.2} s = {:.0} MB/s, {events} events, peak RSS of this process {} MiB",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / elapsed,
        peak_rss_kib(libc::RUSAGE_SELF) / 1024
    );

    // A whole `agentgate drift` run of the binary on the same log: 19 declared agents, one not.
    let repo = dir.path().join("repo");
    for n in 0..19 {
        let path = repo.join(format!("agents/agent-{n}.agent.yaml"));
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
        std::fs::write(path, manifest(n)).expect("write manifest");
    }
    std::fs::write(repo.join(".agentgate.yaml"), "version: 1\n").expect("config");
    let start = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args([
            "drift",
            "--today",
            "2026-11-23",
            "--format",
            "json",
            "--logs",
        ])
        .arg(&log)
        .current_dir(&repo)
        .output()
        .expect("agentgate runs");
    let elapsed = start.elapsed().as_secs_f64();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    println!(
        "agentgate drift: {:.0} MB in {elapsed:.2} s = {:.0} MB/s, exit {}, {} findings, {} problems, peak RSS {} MiB",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / elapsed,
        output.status.code().unwrap_or(-1),
        report["findings"].as_array().map_or(0, Vec::len),
        report["errors"].as_array().map_or(0, Vec::len),
        peak_rss_kib(libc::RUSAGE_CHILDREN) / 1024
    );
}
