#!/usr/bin/env bash
# Builds the release archives of stbulk with the Go toolchain alone, as
# .goreleaser.yaml describes them, for a machine or CI without GoReleaser:
#
#   scripts/release.sh --snapshot            # any commit: version X.Y.Z-SNAPSHOT-<commit>, into dist/
#   scripts/release.sh                       # a tagged, clean checkout: version of the tag
#   scripts/release.sh --snapshot /tmp/out   # another folder (its earlier archives removed first)
#   RELEASE_TARGETS="linux/amd64 windows/arm64" scripts/release.sh --snapshot /tmp/out
#
# For each target (default: linux, darwin and windows, each amd64 and
# arm64) it cross-compiles with CGO_ENABLED=0, -trimpath and
#   -ldflags "-s -w -X main.version=V -X main.commit=C -X main.date=D"
# and archives the binary with README.md, LICENSE* (if any), docs/, and the
# example mappings/ and samples/ the quick start runs, as
#   stbulk_<version>_<os>_<arch>.tar.gz    (.zip for windows)
# the names of GoReleaser's default name_template; then writes checksums.txt
# (sha256sum format: sha256sum -c checksums.txt verifies them).
#
# The version is the tag without its v (GoReleaser's {{.Version}}); with
# --snapshot, the latest tag (v0.0.0 when none) followed by
# -SNAPSHOT-<short commit>, as GoReleaser's default snapshot template. The
# date is the build's time in UTC (RFC 3339), or SOURCE_DATE_EPOCH's.
set -euo pipefail
cd "$(dirname "$0")/.."

snapshot=false
out=dist
for arg in "$@"; do
  case "$arg" in
    --snapshot) snapshot=true ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    -*) echo "release.sh: unknown flag $arg" >&2; exit 2 ;;
    *) out=$arg ;;
  esac
done
targets=${RELEASE_TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}

for tool in git go tar zip sha256sum; do
  command -v "$tool" >/dev/null || { echo "release.sh: $tool is needed" >&2; exit 2; }
done

commit=$(git rev-parse HEAD)
short=$(git rev-parse --short HEAD)
if $snapshot; then
  tag=$(git describe --tags --abbrev=0 2>/dev/null || echo v0.0.0)
  version="${tag#v}-SNAPSHOT-$short"
else
  if ! tag=$(git describe --tags --exact-match 2>/dev/null); then
    echo "release.sh: HEAD is not a tag: tag it (git tag v1.2.3) or pass --snapshot" >&2
    exit 2
  fi
  if [ -n "$(git status --porcelain)" ]; then
    echo "release.sh: the work tree has changes not committed: commit them or pass --snapshot" >&2
    exit 2
  fi
  version=${tag#v}
fi
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
else
  date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
fi
# The files' times in the archives: the commit's, so that two builds of one
# commit archive the same bytes.
mtime=$(git log -1 --format=%ct HEAD)

ldflags="-s -w -X main.version=$version -X main.commit=$commit -X main.date=$date"
extra=(README.md docs mappings samples)
for f in LICENSE*; do [ -e "$f" ] && extra+=("$f"); done

mkdir -p "$out"
out=$(cd "$out" && pwd)
# Only what an earlier run wrote there is removed: OUTDIR may hold more.
rm -f "$out"/stbulk_*.tar.gz "$out"/stbulk_*.zip "$out"/checksums.txt
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

echo "stbulk $version (commit $commit, built $date) into $out"
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  name="stbulk_${version}_${goos}_${goarch}"
  bin=stbulk
  [ "$goos" = windows ] && bin=stbulk.exe
  dir="$stage/$name"
  mkdir -p "$dir"
  start=$(date +%s)
  CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$dir/$bin" .
  cp -R "${extra[@]}" "$dir/"
  find "$dir" -exec touch -h -d "@$mtime" {} +
  if [ "$goos" = windows ]; then
    (cd "$dir" && find . -mindepth 1 | LC_ALL=C sort | sed 's|^\./||' | zip -q -X -@ "$out/$name.zip")
    archive=$name.zip
  else
    (cd "$dir" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -czf "$out/$name.tar.gz" -- *)
    archive=$name.tar.gz
  fi
  echo "  $archive  $(du -k "$out/$archive" | cut -f1) KiB, built in $(($(date +%s) - start)) s"
done
shopt -s nullglob
(cd "$out" && archives=(stbulk_*.tar.gz stbulk_*.zip) && [ ${#archives[@]} -gt 0 ] && sha256sum -- "${archives[@]}" | LC_ALL=C sort -k2 > checksums.txt)
echo "  checksums.txt"
