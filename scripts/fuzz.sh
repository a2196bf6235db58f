#!/usr/bin/env bash
# Builds the libFuzzer targets with coverage and AddressSanitizer, then runs one.
#   scripts/fuzz.sh TARGET SECONDS [RUNS [LIBFUZZER-OPTIONS…]]
#   TARGET: parser, json, csv, snapshot, workbook, sheet, rules or pipeline
# Seeds come from the rule files and fixtures; crashes land in fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh parser|schema|json|csv|snapshot|workbook|sheet|rules|pipeline SECONDS [RUNS]}
seconds=${2:-60}
runs=${3:--1}
clang_lib=$(dirname "$(dirname "$(command -v swiftc)")")/lib/clang
rt=$(ls "$clang_lib"/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
swift build -c release --product tenken-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=address \
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp \
  -Xlinker --undefined=LLVMFuzzerRunDriver -Xlinker "$rt" -Xlinker -lstdc++ -Xlinker --export-dynamic >/dev/null
corpus=.build-fuzz/corpus/$target
mkdir -p "$corpus" fuzz-artifacts
seed() { for f in "$@"; do [ -f "$f" ] && cp "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')"; done; return 0; }
case $target in
  parser) seed Rules/mcs/pack.tenken Rules/mcs/rules/*.tenken ;;
  schema) seed Rules/mcs/schema.tenken ;;
  rules) seed Rules/mcs/rules/*.tenken ;;
  pipeline) seed Fixtures/*/snapshot.json Fixtures/invalid/*.json ;;
  json|snapshot) seed Fixtures/*/snapshot.json Rules/mcs/provider.json Fixtures/invalid/*.json ;;
  csv) seed Fixtures/*/devices.csv Fixtures/invalid/*.csv ;;
  workbook) seed Tests/TenkenWorkbookTests/Fixtures/*.xlsx Fixtures/invalid/workbooks/*.xlsx Fixtures/invalid/workbooks/*.xls ;;
  sheet)
    # Each part of the fixture workbooks, behind the byte that picks its place (see Fuzz/main.swift).
    for f in Tests/TenkenWorkbookTests/Fixtures/*.xlsx; do
      b=$(basename "$f" .xlsx)
      for p in 0:xl/worksheets/sheet1.xml 1:xl/sharedStrings.xml 2:xl/styles.xml 3:xl/workbook.xml 4:xl/_rels/workbook.xml.rels; do
        out="$corpus/seed-$b-${p%%:*}"
        if unzip -p "$f" "${p#*:}" > "$out.body" 2>/dev/null && [ -s "$out.body" ]; then
          { printf "\\$(printf %03o "${p%%:*}")"; cat "$out.body"; } > "$out"
        fi
        rm -f "$out.body"
      done
    done ;;
esac
# Inputs larger than a few kilobytes add time per run, not coverage.
case $target in
  csv|rules) max_len=4096 ;;
  snapshot|workbook|sheet|pipeline) max_len=16384 ;;
  *) max_len=65536 ;;
esac
# A crash must not hand over to swift-backtrace, which can hang the run.
export SWIFT_BACKTRACE=enable=no
# One-time Swift global initialisers live until exit; see scripts/lsan.supp.
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp
# Every target holds the checked pack for the whole run (Fuzz/main.swift builds it at the top
# level, before the target is picked); LeakSanitizer does not follow the pointers Swift keeps
# in its enums' spare bits and reports that pack as leaked at exit (a `parser` or `schema` run
# ended with the report too). The check at exit is off; libFuzzer's check after each input that
# allocated more than it freed stays on.
export ASAN_OPTIONS=leak_check_at_exit=0
.build-fuzz/release/tenken-fuzz "$target" "$corpus" -max_total_time="$seconds" -runs="$runs" \
  -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -artifact_prefix=fuzz-artifacts/"$target"- -print_final_stats=1 "${@:4}"
