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
    # The fuzzer can report "context deadline exceeded" when -fuzztime ends
    # while it is still shrinking a new interesting input: no input failed,
    # so that target is run again (twice at most). A real failure writes
    # its input under testdata/fuzz and fails the script.
    for try in 1 2 3; do
      if out=$(go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
        echo "$out"
        break
      fi
      echo "$out"
      if [ "$try" = 3 ] || grep -q 'Failing input written to' <<<"$out" || ! grep -q 'context deadline exceeded' <<<"$out"; then
        exit 1
      fi
      echo "(the time ran out while shrinking an input, not a failure: running $target again)"
    done
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
