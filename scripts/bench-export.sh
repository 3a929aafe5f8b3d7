#!/usr/bin/env bash
# Peak RSS of `stbulk export` against the job count: jobs with filled
# reports (sheets Jobs, Report and Parts) exported to an XLSX workbook, at
# each count of JOBS (default "10000 100000"), then PHOTO_JOBS jobs (default
# 1000; 0 for none) with 5 photos of 256 KB and a PDF each. The API is
# scripts/benchexport, a separate process that builds each answer when
# asked and holds no jobs: the peak RSS printed (GNU time) is the export's
# alone. The client has no rate limit (--rate 1000000), so jobs/s is the
# client's own speed; a real account allows 5 requests/s by default.
#
#   scripts/bench-export.sh
#   JOBS="10000 50000 100000" PHOTO_JOBS=0 scripts/bench-export.sh
#   STBULK=/tmp/stbulk-old scripts/bench-export.sh    # another stbulk binary
#
# Each run ends with a `--since last` run on the same folder when SINCE=1
# (the search then finds one job in ten). Needs GNU time (apt-get install
# -y time). BENCH_DIR (default /tmp/stbulk-bench-export) holds the builds
# and the output folders, removed after each run.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BENCH_DIR:-/tmp/stbulk-bench-export}
jobs_list=${JOBS:-10000 100000}
photo_jobs=${PHOTO_JOBS:-1000}
mkdir -p "$dir"
stbulk=${STBULK:-}
if [ -z "$stbulk" ]; then
  stbulk="$dir/stbulk"
  go build -o "$stbulk" .
fi
go build -o "$dir/benchexport" ./scripts/benchexport
if ! /usr/bin/time -f %M true >/dev/null 2>&1; then
  echo "GNU time is needed for the peak RSS: apt-get install -y time" >&2
  exit 1
fi
cat >"$dir/jobs.yaml" <<'YAML'
version: 1
export: jobs
spreadsheet: jobs.xlsx
YAML
cat >"$dir/photos.yaml" <<'YAML'
version: 1
export: jobs
spreadsheet: jobs.xlsx
photos: "photos/{num}/{fileName}"
pdf: "pdf/{num}.pdf"
YAML

server_pid=
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
trap stop_server EXIT

# start_server ARGS...: starts benchexport and sets $url.
start_server() {
  rm -f "$dir/server.out"
  "$dir/benchexport" -addr 127.0.0.1:0 "$@" >"$dir/server.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    if url=$(sed -n 's/^listening on //p' "$dir/server.out") && [ -n "$url" ]; then
      return
    fi
    sleep 0.1
  done
  echo "benchexport did not start:" >&2
  cat "$dir/server.out" >&2
  exit 1
}

# export_run LABEL JOBS MAPPING [ARGS...]: one export, measured.
export_run() {
  local label=$1 n=$2 mapping=$3
  shift 3
  local rc=0
  SYNCHROTEAM_URL=$url SYNCHROTEAM_DOMAIN=bench SYNCHROTEAM_API_KEY=bench \
    /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" \
    "$stbulk" export "$mapping" --out "$dir/out" --rate 1000000 -q "$@" >"$dir/export.out" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    echo "stbulk export failed ($rc):" >&2
    cat "$dir/export.out" >&2
    exit 1
  fi
  local exported
  exported=$(sed -n 's/^ *"exported": \([0-9]*\),$/\1/p' "$dir/out/summary.json")
  tail -n 1 "$dir/time.txt" | awk -v l="$label" -v n="$n" -v e="$exported" '{
    printf "%-22s %8d %9d %8.1f %9.0f %8.1f %10.2f %8.0f\n", l, n, e, $1, e / $1, $2 + $3, ($2 + $3) / e * 1000, $4 / 1024 }'
}

printf '%-22s %8s %9s %8s %9s %8s %10s %8s\n' run jobs exported wall-s jobs/s cpu-s "cpu-ms/job" "rss-MiB"
for n in $jobs_list; do
  start_server -jobs "$n"
  rm -rf "$dir/out"
  export_run "report" "$n" "$dir/jobs.yaml"
  if [ "${SINCE:-0}" = 1 ]; then
    export_run "report --since last" "$n" "$dir/jobs.yaml" --since last
  fi
  rm -rf "$dir/out"
  stop_server
done
if [ "$photo_jobs" -gt 0 ]; then
  start_server -jobs "$photo_jobs" -photos
  rm -rf "$dir/out"
  export_run "photos (5 × 256 KB)" "$photo_jobs" "$dir/photos.yaml"
  rm -rf "$dir/out"
  stop_server
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs"
