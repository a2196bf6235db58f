#!/usr/bin/env bash
# Checks that workbooks tenken writes open in other spreadsheet programs:
#   1. LibreOffice Calc converts each sheet to CSV (`soffice --headless --convert-to csv`, every
#      sheet, values as shown) and gets the cells tenken's reader reads;
#   2. openpyxl reads back every drop-down list and input message (data validations), the
#      frozen header, the date format of date cells and the hidden list sheet;
#   3. after two rows are appended to one sheet (attest's path), LibreOffice still shows every
#      sheet as tenken reads it.
# Needs LibreOffice (apt-get install libreoffice-calc) and openpyxl (pip install openpyxl), so it
# is not part of `swift test`; its last result is recorded in docs/workbook.md.
#   scripts/workbook-interop.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
command -v soffice >/dev/null || { echo "soffice not found: apt-get install libreoffice-calc"; exit 2; }
python3 -c "import openpyxl" 2>/dev/null || { echo "openpyxl not found: pip install openpyxl"; exit 2; }

TENKEN_INTEROP_OUT="$work" swift test --filter WorkbookInteropExport >"$work/swift-test.log" 2>&1 ||
  { cat "$work/swift-test.log"; exit 1; }
[ -f "$work/sample.xlsx" ] || { echo "the export test wrote no workbook"; exit 1; }

# LibreOffice: one CSV per sheet (the 12th token, -1, exports every sheet; the 9th, true,
# writes values as shown), UTF-8, comma, double quote.
rm -rf "$work/lo" && mkdir -p "$work/lo"
timeout 300 soffice --headless -env:UserInstallation=file://"$work/lo-profile" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
  --outdir "$work/lo" "$work/sample.xlsx" "$work/appended.xlsx" >"$work/lo.log" 2>&1
echo "LibreOffice: $(soffice --version | head -1)"
fail=0
compare() {  # BOOK EXPECTED_DIR WHAT
  for expected in "$2"/*.csv; do
    sheet=$(basename "$expected" .csv)
    got="$work/lo/$1-$sheet.csv"
    if [ ! -f "$got" ]; then echo "FAIL  $3[$sheet] LibreOffice wrote no CSV"; fail=1; continue; fi
    if diff <(tr -d '\r' <"$got") "$expected" >"$work/diff-$1-$sheet.txt"; then
      echo "ok    $3[$sheet] LibreOffice shows the cells tenken reads ($(wc -l <"$expected") rows)"
    else
      echo "FAIL  $3[$sheet] LibreOffice differs:"; cat "$work/diff-$1-$sheet.txt"; fail=1
    fi
  done
}
compare sample "$work/expected" ""
compare appended "$work/expected-appended" "after appending to 職員: "

python3 - "$work" <<'PY' || fail=1
import csv, sys, openpyxl
work = sys.argv[1]
wb = openpyxl.load_workbook(f"{work}/sample.xlsx")
print(f"openpyxl: {openpyxl.__version__}")
ok = True
def check(cond, what):
    global ok
    print(("ok    " if cond else "FAIL  ") + what)
    ok = ok and cond

def choices(formula):
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, rng = formula.rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[rng.replace("$", "")] for c in row]

for row in csv.reader(open(f"{work}/validations.tsv", encoding="utf-8"), delimiter="\t"):
    sheet, sqref, kind, listed, title = row
    dvs = [dv for dv in wb[sheet].data_validations.dataValidation if str(dv.sqref) == sqref]
    if not dvs:
        check(False, f"[{sheet}] {sqref}: no data validation"); continue
    dv = dvs[0]
    if kind == "list":
        got = choices(dv.formula1)
        check(dv.type == "list" and got == listed.split("|"), f"[{sheet}] {sqref}: drop-down of {len(got)} choices ({got[0]} …)")
    if title:
        check(bool(dv.showInputMessage) and dv.promptTitle == title and bool(dv.prompt), f"[{sheet}] {sqref}: input message \"{title}\"")

for name in ["職員", "端末", "施設"]:
    check(wb[name].freeze_panes == "A2", f"[{name}] header row frozen (pane at {wb[name].freeze_panes})")
staff = wb["職員"]
check(staff["C2"].is_date and staff["C2"].number_format == "yyyy-mm-dd" and str(staff["C2"].value)[:10] == "2020-04-01", "[職員] C2 is a date 2020-04-01 formatted yyyy-mm-dd")
check(staff["A1"].font.b, "[職員] header bold")
check(staff.column_dimensions["C"].width >= 10, f"[職員] date column wide enough ({staff.column_dimensions['C'].width})")
check(wb["選択肢"].sheet_state == "hidden", "[選択肢] long lists on a hidden sheet")
check(wb.sheetnames[0] == "説明", "説明 is the first sheet")
sys.exit(0 if ok else 1)
PY

# 4. The facility workbook `tenken init clinic.xlsx` writes: every sheet LibreOffice shows holds
#    the cells of the CSV tables `tenken convert` writes from it (dates as LibreOffice shows
#    them, yyyy-mm-dd); openpyxl finds a drop-down on every choice column; after
#    `tenken attest clinic.xlsx`, LibreOffice opens it and shows the new row on 確認.
swift build --product tenken >/dev/null
tenken=.build/debug/tenken
rm -rf "$work/init" && mkdir -p "$work/init"
"$tenken" init "$work/init/clinic.xlsx" --kind clinic >/dev/null
"$tenken" convert "$work/init/clinic.xlsx" --to csv "$work/init/tables" >/dev/null 2>&1
printf 'item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\n' >"$work/init/answers.csv"
cp "$work/init/clinic.xlsx" "$work/init/attested.xlsx"
"$tenken" attest "$work/init/attested.xlsx" --answers "$work/init/answers.csv" --as-of 2026-11-01 >/dev/null
rm -rf "$work/lo-init" && mkdir -p "$work/lo-init"
timeout 300 soffice --headless -env:UserInstallation=file://"$work/lo-profile" \
  --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1' \
  --outdir "$work/lo-init" "$work/init/clinic.xlsx" "$work/init/attested.xlsx" >"$work/lo-init.log" 2>&1
python3 - "$work" <<'PY' || fail=1
import csv, glob, os, sys, openpyxl
work = sys.argv[1]
ok = True
def check(cond, what):
    global ok
    print(("ok    " if cond else "FAIL  ") + what)
    ok = ok and cond
def rows(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [r for r in csv.reader(f) if any(c.strip() for c in r)]
tables = sorted(glob.glob(f"{work}/init/tables/*.csv"))
check(len(tables) == 16, f"init: tenken convert wrote {len(tables)} tables from the workbook")
ja = {"facility": "施設", "roles": "役割", "staff": "職員", "accounts": "アカウント", "devices": "端末", "networks": "ネットワーク",
      "patients": "患者", "groups": "グループ", "group_members": "グループメンバー", "invitations": "招待", "consents": "同意",
      "consent_refusals": "一部不同意", "documents": "文書", "incidents": "インシデント", "monitoring": "モニタリング", "attestations": "確認"}
for t in tables:
    name = ja[os.path.basename(t)[:-4]]
    got = f"{work}/lo-init/clinic-{name}.csv"
    if not os.path.exists(got):
        check(False, f"init [{name}]: LibreOffice wrote no CSV"); continue
    want = rows(t)
    shown = rows(got)
    width = len(want[0])
    shown = [(r + [""] * width)[:width] for r in shown]
    check(shown == want, f"init [{name}]: LibreOffice shows the CSV writer's cells ({len(want)} rows)")
wb = openpyxl.load_workbook(f"{work}/init/clinic.xlsx")
check(wb.sheetnames[0] == "説明", "init: 説明 is the first sheet")
staff = wb["職員"]
lists = {str(dv.sqref).split(":")[0].rstrip("0123456789") for dv in staff.data_validations.dataValidation if dv.type == "list"}
check({"B", "E"} <= lists, f"init [職員]: drop-downs on 職種 and MCS利用 (columns {sorted(lists)})")
check(staff.freeze_panes == "A2", "init [職員]: header row frozen")
attested = rows(f"{work}/lo-init/attested-確認.csv")
check(attested[-1][:2] == ["no-written-credentials", "はい"] and attested[-1][4] == "2026-11-01", f"attest: LibreOffice shows the new row on 確認 ({attested[-1][:5]})")
sys.exit(0 if ok else 1)
PY

if [ $fail -eq 0 ]; then echo "interop: all checks passed"; else echo "interop: FAILED"; exit 1; fi
