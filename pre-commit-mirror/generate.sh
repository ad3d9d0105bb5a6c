#!/usr/bin/env bash
# Generates the pre-commit mirror repository for one agentgate version, as ruff-pre-commit is
# for ruff: the hook definitions and a package that depends on `agentgate-cli==VERSION`,
# committed and tagged vVERSION in OUT (a new git repository).
#
#   pre-commit-mirror/generate.sh OUT [VERSION]   # VERSION defaults to Cargo.toml's
#
# The release pushes OUT to the mirror repository; the tests generate it into a temporary
# folder and point pip at the built wheel (PIP_FIND_LINKS).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out=${1:?usage: generate.sh OUT [VERSION]}
version=${2:-$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' "$here/../Cargo.toml" | head -n 1)}
case "$version" in
  '' | *[!0-9A-Za-z.+-]*) echo "generate.sh: bad version: $version" >&2; exit 2 ;;
esac
mkdir -p "$out"
cp "$here/.pre-commit-hooks.yaml" "$out/.pre-commit-hooks.yaml"
sed "s/@VERSION@/$version/g" "$here/pyproject.toml" > "$out/pyproject.toml"
sed "s/@VERSION@/$version/g" "$here/README.md" > "$out/README.md"
cd "$out"
git init -q
git add .pre-commit-hooks.yaml pyproject.toml README.md
git -c user.name=agentgate -c user.email=agentgate@invalid commit -q -m "agentgate $version"
git tag "v$version"
