#!/usr/bin/env bash
# Checks scripts/release.sh: its archives exist under the expected names,
# checksums.txt verifies (sha256sum -c), each archive holds the binary,
# README.md and docs/, and the linux/amd64 binary from its archive is
# static and prints the version, commit and date injected, with
# `stbulk --version` and `stbulk version`, then runs the README's quick
# start from the extracted archive.
#
#   scripts/release-check.sh            # linux/amd64 and windows/arm64 (CI)
#   RELEASE_TARGETS=all scripts/release-check.sh   # the six targets
#
# CI builds two targets, not six: on a 2-core machine each target is a cold
# build of its own (1.5 to 3 minutes each here), and two cover both archive
# formats (tar.gz, zip) and a cross-compilation.
set -euo pipefail
cd "$(dirname "$0")/.."

all="linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"
targets=${RELEASE_TARGETS:-"linux/amd64 windows/arm64"}
[ "$targets" = all ] && targets=$all
case " $targets " in
  *" linux/amd64 "*) ;;
  *) echo "release-check: the targets must include linux/amd64, whose binary is run" >&2; exit 2 ;;
esac

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export SOURCE_DATE_EPOCH=1764700000 # 2025-12-02T18:26:40Z
RELEASE_TARGETS=$targets scripts/release.sh --snapshot "$out/dist"

fail() { echo "release-check: $*" >&2; exit 1; }
commit=$(git rev-parse HEAD)
date=2025-12-02T18:26:40Z
tag=$(git describe --tags --abbrev=0 2>/dev/null || echo v0.0.0)
version="${tag#v}-SNAPSHOT-$(git rev-parse --short HEAD)"

cd "$out/dist"
n=0
for target in $targets; do
  name="stbulk_${version}_${target%/*}_${target#*/}"
  case "$target" in
    windows/*) archive=$name.zip; list=$(unzip -Z1 "$archive"); bin=stbulk.exe ;;
    *) archive=$name.tar.gz; list=$(tar -tzf "$archive"); bin=stbulk ;;
  esac
  [ -f "$archive" ] || fail "no $archive"
  for want in "$bin" README.md docs/install.md docs/credentials.md mappings/customers.yaml samples/customers.csv; do
    grep -qx "$want" <<<"$list" || fail "$archive holds no $want"
  done
  grep -q "  $archive\$" checksums.txt || fail "checksums.txt does not list $archive"
  n=$((n + 1))
done
[ "$(wc -l <checksums.txt)" -eq "$n" ] || fail "checksums.txt lists $(wc -l <checksums.txt) files, want $n"
sha256sum -c --strict checksums.txt

mkdir linux && tar -C linux -xzf "stbulk_${version}_linux_amd64.tar.gz"
bin=linux/stbulk
if command -v file >/dev/null; then
  file "$bin" | grep -q "statically linked" || fail "not static: $(file "$bin")"
fi
line=$("$bin" --version)
want="stbulk $version (commit ${commit:0:12}, built $date)"
[ "$line" = "$want" ] || fail "stbulk --version: $line, want $want"
full=$("$bin" version)
for want in "  version:  $version" "  commit:   $commit" "  built:    $date" "  platform: linux/amd64"; do
  grep -qxF -- "$want" <<<"$full" || fail "stbulk version has no line \"$want\":
$full"
done
# The README's quick start, with the binary from the archive and the
# examples beside it, in an environment without Go (no go on PATH, no
# GOROOT or module cache): the sample's three bad rows make it exit 1.
set +e
quick=$(cd linux && env -i PATH=/usr/bin:/bin HOME="$out" ./stbulk import mappings/customers.yaml --sandbox 2>&1)
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "the quick start exited $rc, want 1:
$quick"
grep -q "sent 21, filtered 0, rejected 3" <<<"$quick" || fail "the quick start did not send the sample:
$quick"
echo "release-check: the quick start ran from the archive: $(grep -m1 '^read ' <<<"$quick")"
echo "release-check: $n archive(s) and checksums.txt verified; $line"
