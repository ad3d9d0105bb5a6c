//! `cargo bench`: end-to-end speed of `agentgate check` (the release binary) on generated
//! repositories, cold (empty result cache) and warm, against the interpreter in the same run.
//! Prints figures; asserts nothing about time (targets live in docs/speed.md).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod corpus;

use corpus::{generate, generate_signed, TODAY};

struct Timed {
    wall: Duration,
    code: i32,
    stdout: String,
    /// This run's peak resident set size.
    rss_mib: i64,
}

/// One run of the binary in `dir`, with the result cache at `cache`.
// The child is reaped by `wait` (wait4, for its own peak RSS), which clippy does not see.
#[allow(clippy::zombie_processes)]
fn time_check(dir: &Path, args: &[&str], cache: &Path, env: &[(&str, &str)]) -> Timed {
    let out = tempfile::tempfile().expect("a temporary file");
    let start = Instant::now();
    // Reaped by `wait` below with wait4(2), which also gives the child's own peak RSS.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_agentgate"))
        .args(args)
        .current_dir(dir)
        .env("AGENTGATE_CACHE", cache)
        .envs(env.iter().copied())
        .stdout(Stdio::from(out.try_clone().expect("a file handle")))
        .stderr(Stdio::null())
        .spawn()
        .expect("agentgate runs");
    let (code, rss_kib) = wait(child.id());
    let wall = start.elapsed();
    let mut stdout = String::new();
    let mut out = out;
    std::io::Seek::rewind(&mut out).expect("rewind");
    std::io::Read::read_to_string(&mut out, &mut stdout).expect("the output");
    Timed {
        wall,
        code,
        stdout,
        rss_mib: rss_kib / 1024,
    }
}

/// Waits for `pid`: its exit code and its own peak RSS in KiB.
fn wait(pid: u32) -> (i32, i64) {
    let mut status = 0;
    // SAFETY: wait4 only writes into the status and the rusage struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::wait4(pid as libc::pid_t, &mut status, 0, &mut usage);
        usage
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median wall time of `runs` runs, each cold (a new, empty cache) or warm (the cache a first
/// run filled); with the last run's output and the largest peak RSS.
fn measure(
    dir: &Path,
    args: &[&str],
    runs: usize,
    warm: bool,
    env: &[(&str, &str)],
) -> (Duration, Timed, i64) {
    let shared = tempfile::tempdir().expect("a cache folder");
    if warm {
        time_check(dir, args, shared.path(), env);
    }
    let mut times = Vec::new();
    let mut last = None;
    let mut rss = 0;
    for _ in 0..runs {
        let fresh = tempfile::tempdir().expect("a cache folder");
        let cache = if warm { shared.path() } else { fresh.path() };
        let run = time_check(dir, args, cache, env);
        times.push(run.wall);
        rss = rss.max(run.rss_mib);
        last = Some(run);
    }
    (median(times), last.expect("a run"), rss)
}

fn summary(run: &Timed) -> String {
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON output");
    format!(
        "exit {}, {} findings, {} problems",
        run.code,
        json["findings"].as_array().map_or(0, Vec::len),
        json["summary"]["problems"]
    )
}

fn corpus_report(name: &str, dir: &Path) {
    let args = ["check", "--format", "json", "--today", TODAY, "--no-fail"];
    let _ = time_check(dir, &args, tempfile::tempdir().unwrap().path(), &[]); // page cache
    let (cold, run, rss) = measure(dir, &args, 5, false, &[]);
    println!(
        "{name}, cold (empty cache): median {:.0} ms wall, {:.0} manifests/s, peak RSS {rss} MiB, {}",
        ms(cold),
        10_000.0 / cold.as_secs_f64(),
        summary(&run)
    );
    let cold_output = run.stdout;
    let (warm, run, rss) = measure(dir, &args, 5, true, &[]);
    println!(
        "{name}, warm (cache filled by a previous run): median {:.0} ms wall, peak RSS {rss} MiB, {}{}",
        ms(warm),
        summary(&run),
        if run.stdout == cold_output { ", output identical to cold" } else { ", OUTPUT DIFFERS FROM COLD" }
    );
    let interpreter = [("AGENTGATE_ENGINE", "interpreter")];
    let (reference, run, rss) = measure(dir, &args, 3, false, &interpreter);
    println!(
        "{name}, interpreter (AGENTGATE_ENGINE=interpreter), cold: median {:.0} ms wall, peak RSS {rss} MiB, {}; the rvm's cold run is {:.1}× faster{}",
        ms(reference),
        summary(&run),
        reference.as_secs_f64() / cold.as_secs_f64(),
        if run.stdout == cold_output { ", output identical" } else { ", OUTPUT DIFFERS" }
    );
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
    if let Some(dir) = std::env::var_os("AGENTGATE_BENCH_GENERATE_SIGNED") {
        generate_signed(Path::new(&dir), 10_000);
        return;
    }
    let big = tempfile::tempdir().expect("tempdir");
    generate(big.path(), 10_000);
    corpus_report("10,000 generated manifests", big.path());
    drop(big);
    let signed = tempfile::tempdir().expect("tempdir");
    generate_signed(signed.path(), 10_000);
    corpus_report(
        "10,000 signed manifests (every review verified)",
        signed.path(),
    );
    drop(signed);

    let small = tempfile::tempdir().expect("tempdir");
    generate(small.path(), 100);
    let one = "services/s0/a42.agent.yaml";
    let single = ["check", one, "--today", TODAY, "--no-fail"];
    let _ = time_check(
        small.path(),
        &single,
        tempfile::tempdir().unwrap().path(),
        &[],
    );
    let (cold, _, _) = measure(small.path(), &single, 21, false, &[]);
    let (warm, _, _) = measure(small.path(), &single, 21, true, &[]);
    let interpreter = [("AGENTGATE_ENGINE", "interpreter")];
    let (reference, _, _) = measure(small.path(), &single, 21, false, &interpreter);
    println!(
        "single-file check in a repository of 100 manifests (pre-commit), including start-up: median {:.1} ms cold, {:.1} ms warm; {:.1} ms on the interpreter",
        ms(cold),
        ms(warm),
        ms(reference)
    );
}
