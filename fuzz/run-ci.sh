#!/usr/bin/env bash
# CI's fuzz stage (called by .ci/run after the tests; runs alone too): builds every target once,
# then runs each for FUZZ_SECONDS (60) on its seeds, printing libFuzzer's final counters and the
# stage timings. Fails when a target crashes (the reproducer is left in fuzz/artifacts/<target>/).
#
#   FUZZ_SECONDS=300 fuzz/run-ci.sh            # longer runs
#   FUZZ_TARGETS="yaml config" fuzz/run-ci.sh   # some targets only
#
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}

# cargo-fuzz from crates.io when missing.
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
# libFuzzer's instrumentation needs unstable flags: the nightly toolchain when the machine has
# one, else the stable one allowed them (no toolchain can be downloaded here).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi
# Safe Rust: what fuzzing finds here are panics, failed invariants, overflows (debug assertions
# are on) and hangs; AddressSanitizer would double the build and halve the executions for
# little, so CI builds without it (a longer campaign may add it: docs/fuzzing.md).
build_flags=(--sanitizer none --debug-assertions)
# Every target, unless FUZZ_TARGETS names some.
read -r -a targets <<<"${FUZZ_TARGETS:-$("${fuzz[@]}" list | tr '\n' ' ')}"

fuzz/seed.sh

start=$SECONDS
"${fuzz[@]}" build "${build_flags[@]}"
build_time=$((SECONDS - start))
echo "fuzz: built ${#targets[@]} targets in ${build_time}s"

mkdir -p fuzz/logs
failed=()
summary=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/seeds/$target" "fuzz/artifacts/$target"
  log="fuzz/logs/$target.log"
  start=$SECONDS
  status=0
  # The first folder is the one libFuzzer adds to (gitignored); the seeds are only read.
  "${fuzz[@]}" run "${build_flags[@]}" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="fuzz/artifacts/$target/" >"$log" 2>&1 || status=$?
  run_time=$((SECONDS - start))
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  seeds=$(find "fuzz/seeds/$target" -type f | wc -l)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  echo "fuzz: $target: ${run_time}s, exit $status, $seeds seeds, corpus now $corpus"
  echo "  ${done_line:-(no DONE line; see below)}"
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" | sed 's/^/  /' || true
  summary+=("$(printf '%-10s %4ss  exit %-3s %s' "$target" "$run_time" "$status" "${done_line:-no DONE line}")")
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    echo "---- $target failed; the end of its log ($log):"
    tail -n 60 "$log"
    ls -l "fuzz/artifacts/$target/" || true
  fi
done

echo "fuzz: build ${build_time}s; runs of ${seconds}s:"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (reproducers in fuzz/artifacts/; replay with" \
    "\`${fuzz[*]} run ${build_flags[*]} TARGET fuzz/artifacts/TARGET/FILE\`)" >&2
  exit 1
fi
