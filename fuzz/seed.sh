#!/usr/bin/env bash
# Builds the seed corpus, fuzz/seeds/<target>/, from the repository's test data and examples
# plus the hand-written seeds committed in fuzz/seeds-extra/<target>/. fuzz/seeds/ is generated
# (gitignored), not committed: it would duplicate ~700 KB of testdata/, and generating it keeps
# the seeds in step with the test data. fuzz/run-ci.sh calls this before every run.
#
# Each seed is named by its SHA-1 (duplicates collapse; no seed is named like a manifest) and
# files over 32 KiB are left out. libFuzzer reads fuzz/seeds/<target>/ and writes what it
# finds to fuzz/corpus/<target>/ (gitignored as well); see docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_BYTES=32768

# seed TARGET FILE...: copy each file into fuzz/seeds/TARGET under its content hash.
seed() {
  local target=$1
  shift
  mkdir -p "fuzz/seeds/$target"
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    [ "$(wc -c <"$file")" -le "$MAX_BYTES" ] || continue
    cp "$file" "fuzz/seeds/$target/$(sha1sum "$file" | cut -c1-40)"
  done
}

# files EXPRESSION: the matching files under testdata/ and examples/, sorted (test data names
# have no newlines).
files() { find testdata examples -type f "$@" | LC_ALL=C sort; }

rm -rf fuzz/seeds
mapfile -t manifests < <(files \( -name '*.agent.yaml' -o -name '*.agent.yml' -o -name 'agent.yaml' -o -name 'agent.yml' -o -path '*/.agents/*.yaml' \))
mapfile -t structured < <(files \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) -not -path 'testdata/schemas/*')
mapfile -t configs < <(files -name '.agentgate.yaml')
mapfile -t signers < <(files -name 'allowed_signers')
mapfile -t footprints < <(files \( -path 'testdata/discover/*' -o -path 'testdata/rules/AG10*' -o -path 'examples/services/*' \) \( -name '*.json' -o -name '*.yaml' -o -name '*.yml' -o -name '.env*' -o -name '*.py' -o -name '*.ts' -o -name '*.js' -o -name '*.go' \) -not -name '*.agent.yaml' -not -name '.agentgate.yaml')

seed yaml "${structured[@]}"
seed check "${manifests[@]}"
seed config "${configs[@]}"
seed signers "${signers[@]}"
seed discovery "${footprints[@]}"
for extra in fuzz/seeds-extra/*/; do
  target=$(basename "$extra")
  seed "$target" "$extra"*
done

for dir in fuzz/seeds/*/; do
  printf '%-10s %4d seeds %6d bytes\n' "$(basename "$dir")" "$(find "$dir" -type f | wc -l)" "$(cat "$dir"* | wc -c)"
done
