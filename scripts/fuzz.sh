#!/usr/bin/env bash
# Runs every fuzz target of the module for a short, bounded time each
# (FUZZTIME, default 3s). Inputs that fail are written by Go under the
# package's testdata/fuzz/<target>/: commit them, they become regression
# tests run by `go test`. With KEEP=1, the inputs the fuzzer found
# interesting (kept in Go's cache) are copied there too, to be committed:
# the corpus grows from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-3s}
n=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "== $pkg $target ($fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
    if [ "${KEEP:-}" = 1 ]; then
      found="$(go env GOCACHE)/fuzz/$pkg/$target"
      if [ -d "$found" ]; then
        mkdir -p "$dir/testdata/fuzz/$target"
        cp -n "$found"/* "$dir/testdata/fuzz/$target/" 2>/dev/null || true
      fi
    fi
    n=$((n + 1))
  done
done
echo "fuzzed $n targets, $fuzztime each"
