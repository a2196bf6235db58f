#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer (with LeakSanitizer) and, for the parallel batch,
# under ThreadSanitizer. Each uses its own build folder.
#   scripts/sanitize.sh [address|thread|all]
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
export SWIFT_BACKTRACE=enable=no
if [ "$which" = address ] || [ "$which" = all ]; then
  LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp swift test --sanitize=address --scratch-path .build-asan
fi
if [ "$which" = thread ] || [ "$which" = all ]; then
  # The batch, the report writers, the output folder locks and the signal handling are the
  # parallel code; the rest is single-threaded.
  swift test --sanitize=thread --scratch-path .build-tsan --filter 'BatchTests|BatchSafetyTests|AttestSafetyTests|ConvertSafetyTests|OutputSafetyTests|StreamedReportTests|RobustnessTests|GoldenReportTests|JUnitTests'
fi
