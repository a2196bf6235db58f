#!/usr/bin/env bash
# Builds a relocatable tenken and proves it runs without the Swift toolchain.
#   scripts/release.sh [OUTDIR]          (default dist/; the binary is OUTDIR/tenken)
#
# The Swift runtime and Foundation are linked in statically (--static-swift-stdlib), so the
# binary needs only libraries every Debian or Ubuntu system has or gets from its package
# manager: libc, libstdc++, libm, and libxml2 (with zlib, liblzma and ICU). The checks:
#   1. no Swift library among its dynamic dependencies, no run path into the toolchain, and
#      every dependency resolved from the system;
#   2. copied to an empty folder, it runs with an empty environment (PATH=/usr/bin:/bin, no
#      LD_LIBRARY_PATH) — and, when this script runs as root, with the toolchain folder
#      hidden under an empty mount (unshare), so nothing could be loaded from it — and checks
#      a fixture to the same JSON report as the debug build.
# Slow (minutes: a whole-program release build on 2 cores), so not part of .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")   # e.g. /opt/swift/usr
fail() { echo "release: FAIL: $*" >&2; exit 1; }

start=$(date +%s)
swift build -c release --static-swift-stdlib --product tenken
built=$(swift build -c release --static-swift-stdlib --show-bin-path)/tenken
seconds=$(( $(date +%s) - start ))
mkdir -p "$out"
cp "$built" "$out/tenken.part"
strip "$out/tenken.part"
mv "$out/tenken.part" "$out/tenken"
bin=$out/tenken

# 1. What it links against.
deps=$(ldd "$bin")
if grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|_FoundationICU' <<<"$deps"; then
  echo "$deps" >&2; fail "the binary still loads a Swift runtime library"
fi
if grep -q 'not found' <<<"$deps"; then echo "$deps" >&2; fail "a dependency is missing"; fi
if grep -q "$toolchain" <<<"$deps"; then echo "$deps" >&2; fail "a dependency comes from the toolchain ($toolchain)"; fi
if readelf -d "$bin" | grep -E 'R(UN)?PATH' | grep -q "$toolchain"; then fail "the binary's run path points into the toolchain"; fi

# 2. Run it where the toolchain cannot help.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$bin" "$tmp/tenken"
cp -r Fixtures/clinic-sakura "$tmp/facility"
rm -rf "$tmp/facility/expected"
run() { (cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp" LD_LIBRARY_PATH= "$@"); }
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
  hidden="with $toolchain hidden"
  run() { (cd "$tmp" && env -i PATH=/usr/bin:/bin HOME="$tmp" LD_LIBRARY_PATH= unshare -m sh -c "mount -t tmpfs none '$toolchain' && \"\$@\"" sh "$@"); }
  # The hiding works: a debug build, which loads the toolchain's libraries, cannot start.
  if [ -x .build/debug/tenken ]; then
    cp .build/debug/tenken "$tmp/tenken-debug"
    if run ./tenken-debug --version >/dev/null 2>&1; then fail "the debug build ran with the toolchain hidden: the check proves nothing"; fi
    rm "$tmp/tenken-debug"
    hidden="$hidden (a debug build, for contrast, cannot start there)"
  fi
else
  hidden="(not root: the toolchain folder could not be hidden; the ldd check stands)"
fi
version=$(run ./tenken --version)
run ./tenken check facility --as-of 2026-11-01 --format json --output report.json 2>/dev/null || fail "check did not run"
cmp -s "$tmp/report.json" Fixtures/clinic-sakura/expected/report.json \
  || sed 's#"facility/#"Fixtures/clinic-sakura/#g' "$tmp/report.json" | cmp -s - Fixtures/clinic-sakura/expected/report.json \
  || fail "the report differs from the golden report"

size=$(stat -c %s "$bin")
echo "release: $bin ($version), $(( size / 1024 / 1024 )) MiB stripped, built in ${seconds} s"
echo "release: links only: $(awk '{print $1}' <<<"$deps" | grep -v vdso | tr '\n' ' ')"
echo "release: ran from an empty folder with an empty environment $hidden; its report matches the golden file"
