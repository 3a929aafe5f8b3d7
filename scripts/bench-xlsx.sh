#!/usr/bin/env bash
# Measures an XLSX import end to end: a customers workbook of ROWS rows
# (default 1,000,000) × 10 columns, text in the shared-strings table as
# Excel saves it, read by `stbulk import --dry-run` (read, map, check,
# payloads.jsonl). Prints rows/s, the CPU time and the peak RSS of the
# process (/usr/bin/time).
#
#   ROWS=1000000 scripts/bench-xlsx.sh
#
# The workbook is kept in BENCH_DIR (default /tmp/stbulk-bench-xlsx) and
# reused by the next run with the same ROWS.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
dir=${BENCH_DIR:-/tmp/stbulk-bench-xlsx}
mkdir -p "$dir"
book="$dir/customers-$rows.xlsx"
if [ ! -s "$book" ]; then
  go run ./scripts/genxlsx -rows "$rows" -o "$book.part"
  mv "$book.part" "$book"
fi
go build -o "$dir/stbulk" .
rm -rf "$dir/run"
ls -l "$book"
/usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" "$dir/stbulk" import scripts/genxlsx/customers.yaml --input "$book" --dry-run --quiet --out "$dir/run" >"$dir/out.txt" 2>&1 || { cat "$dir/out.txt"; exit 1; }
tail -n 3 "$dir/out.txt"
read -r wall user sys rss <"$dir/time.txt"
awk -v r="$rows" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" 'BEGIN {
  printf "%d rows in %.1f s: %.0f rows/s; CPU %.1f s user, %.1f s system; peak RSS %.0f MiB\n", r, w, r / w, u, s, m / 1024 }'
rm -rf "$dir/run"
