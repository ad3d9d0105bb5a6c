//! `cargo bench`: end-to-end speed of `agentgate check` (the release binary) on generated
//! repositories. Prints figures; asserts nothing about time (targets live in docs/speed.md).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

mod corpus;

use corpus::{generate, TODAY};

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
