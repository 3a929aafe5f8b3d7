#!/usr/bin/env bash
# Runs the fault suite (pipeline/fault_test.go, TestFaultSuite) at full size:
# STBULK_FAULT_ROWS customers (default 5000) imported into a sandbox that
# answers 10 % of requests 500/503, 5 % 429 and drops 2 % after applying
# them, then prints the figures. The whole output is kept in a temporary
# file, shown when the test fails.
#
#   scripts/faultrun.sh
#   STBULK_FAULT_ROWS=20000 scripts/faultrun.sh
set -euo pipefail

cd "$(dirname "$0")/.."
rows="${STBULK_FAULT_ROWS:-5000}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
STBULK_FAULT_ROWS="$rows" go test -run 'TestFaultSuite' -count=1 -timeout 30m -v ./pipeline/ >"$log" 2>&1 || status=$?

grep -o 'fault suite: .*' "$log" || true
if [ "$status" -ne 0 ]; then
	echo "faultrun: TestFaultSuite failed (exit $status):" >&2
	cat "$log" >&2
	exit "$status"
fi
grep -E '^(--- PASS|ok )' "$log"
