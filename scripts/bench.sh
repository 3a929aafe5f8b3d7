#!/usr/bin/env bash
# A CSV dry run of stbulk against Miller, back to back on the same file.
#
#   scripts/bench.sh                              # 5 runs of each, 1,000,000 rows
#   RUNS=9 ROWS=200000 scripts/bench.sh
#   MLR=/opt/miller/bin/mlr scripts/bench.sh      # another Miller
#   STBULK=/tmp/stbulk-old scripts/bench.sh       # another stbulk binary
#
# It builds stbulk (unless STBULK names one) and writes the customers CSV of
# scripts/benchcsv (10 columns, 165 MB (157 MiB) at 1,000,000 rows) unless the
# cache folder (BENCH_DIR, default ~/.cache/stbulk-bench) has it, then runs
# each RUNS times, interleaved, alternating which goes first:
#
#   stbulk import scripts/benchcsv/customers.yaml --dry-run --input FILE --out DIR -q
#   mlr --icsv --ojsonl cat FILE > DIR/mlr.jsonl
#
# Both write their output to files in BENCH_DIR. It prints each run's wall
# time, CPU time (user + system) and peak RSS, and the ratio of stbulk's
# rows/s to Miller's (Miller's wall time ÷ stbulk's: above 1, stbulk is
# faster); then the medians, and the ratio both as the median of the runs'
# and as the ratio of the medians. Peak RSS needs GNU time (apt-get install
# -y time). Without Miller (apt-get install -y miller) it measures stbulk
# alone, says so, and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
rows=${ROWS:-1000000}
dir=${BENCH_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stbulk-bench}
mkdir -p "$dir"
# The file's name says which generator wrote it: a changed one writes anew.
gen=$(cksum <scripts/benchcsv/main.go | cut -d' ' -f1)
csv="$dir/customers-$rows-$gen.csv"
mapping=scripts/benchcsv/customers.yaml

# STBULK names a stbulk binary to measure instead of building this tree's.
stbulk=${STBULK:-}
if [ -z "$stbulk" ]; then
  stbulk="$dir/stbulk"
  go build -o "$stbulk" .
fi
if [ ! -s "$csv" ]; then
  echo "writing $csv ($rows rows)"
  go run ./scripts/benchcsv -rows "$rows" -o "$csv.tmp"
  mv "$csv.tmp" "$csv"
fi

mlr=${MLR:-mlr}
have_mlr=1
command -v "$mlr" >/dev/null || have_mlr=0
gnu_time=0
if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
  gnu_time=1
fi

# measure CMD...: runs CMD (its output to $dir/cmd.out and cmd.err) and
# prints "wall cpu rssKB" (rss "n/a" without GNU time). Exit status 1 is
# stbulk's "some rows were not sent": the generated file has rows the email
# check rejects.
measure() {
  local t="$dir/time.txt" rc=0
  if [ "$gnu_time" = 1 ]; then
    /usr/bin/time -f '%e %U %S %M' -o "$t" "$@" >"$dir/cmd.out" 2>"$dir/cmd.err" || rc=$?
  else
    local TIMEFORMAT='%R %U %S n/a'
    { time "$@" >"$dir/cmd.out" 2>"$dir/cmd.err"; } 2>"$t" || rc=$?
  fi
  if [ "$rc" -gt 1 ]; then
    echo "$* failed ($rc):" >&2
    cat "$dir/cmd.err" >&2
    exit 1
  fi
  # GNU time starts with "Command exited with non-zero status 1" then.
  tail -n 1 "$t" | awk '{ printf "%.2f %.2f %s\n", $1, $2 + $3, $4 }'
}

run_stbulk() {
  rm -rf "$dir/run"
  measure "$stbulk" import "$mapping" --dry-run --input "$csv" --out "$dir/run" -q
  # Every row must have been read.
  if ! grep -q "\"read\": $rows," "$dir/run/summary.json"; then
    echo "stbulk did not read $rows rows: see $dir/run/summary.json" >&2
    exit 1
  fi
}

run_mlr() {
  measure sh -c 'exec "$1" --icsv --ojsonl cat "$2" >"$3"' sh "$mlr" "$csv" "$dir/mlr.jsonl"
}

echo "$rows rows, $(du -m "$csv" | cut -f1) MiB, $runs runs, $(nproc) CPUs"
if [ "$have_mlr" = 0 ]; then
  echo "$mlr (Miller) is not installed: stbulk runs alone"
fi
printf '%-4s %26s %26s %8s\n' run "stbulk wall/CPU s, RSS MiB" "Miller wall/CPU s, RSS MiB" ratio
results="$dir/results.txt"
: >"$results"
for i in $(seq "$runs"); do
  m="- - -"
  if [ "$have_mlr" = 1 ] && [ $((i % 2)) = 0 ]; then
    m=$(run_mlr)
    s=$(run_stbulk)
  else
    s=$(run_stbulk)
    [ "$have_mlr" = 1 ] && m=$(run_mlr)
  fi
  echo "$i $s $m" >>"$results"
  awk '
  function mb(kb) { return kb ~ /^[0-9]+$/ ? sprintf("%.0f", kb / 1024) : kb }
  { ratio = ($5 ~ /^[0-9.]+$/ && $2 > 0) ? sprintf("%.2f", $5 / $2) : "-"
    printf "%-4s %12s %5s %6s  %12s %5s %6s %8s\n", $1, $2, $3, mb($4), $5, $6, mb($7), ratio }' <<<"$i $s $m"
done

awk -v rows="$rows" -v have_mlr="$have_mlr" '
function median(a, n,   i, j, t) {
  for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ n++; sw[n] = $2; sc[n] = $3; sr[n] = $4; mw[n] = $5; mc[n] = $6; mr[n] = $7; if (have_mlr) r[n] = $5 / $2 }
END {
  w = median(sw, n); c = median(sc, n)
  printf "stbulk: median %.2f s wall (%.0f rows/s), %.2f CPU-s (%.2f µs/row), peak RSS %s MiB\n", w, rows / w, c, c / rows * 1e6, sr[1] ~ /^[0-9]+$/ ? sprintf("%.0f", median(sr, n) / 1024) : "n/a"
  if (!have_mlr) exit
  mwm = median(mw, n); mcm = median(mc, n)
  printf "Miller: median %.2f s wall (%.0f rows/s), %.2f CPU-s (%.2f µs/row), peak RSS %s MiB\n", mwm, rows / mwm, mcm, mcm / rows * 1e6, mr[1] ~ /^[0-9]+$/ ? sprintf("%.0f", median(mr, n) / 1024) : "n/a"
  printf "stbulk rows/s ÷ Miller rows/s: median of the runs %.2f, of the medians %.2f\n", median(r, n), mwm / w
}' "$results"
if [ "$have_mlr" = 0 ]; then
  echo "note: $mlr (Miller) is not installed, so stbulk ran alone: apt-get install -y miller to compare"
fi
if [ "$gnu_time" = 0 ]; then
  echo "note: GNU time is not installed, so peak RSS is not measured: apt-get install -y time"
fi
