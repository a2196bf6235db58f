#!/usr/bin/env python3
"""Makes the two facility fixtures kept as workbooks, each saved by a program other than tenken:

  Fixtures/clinic-momiji/momiji.xlsx  Japanese sheet names (施設, 職員, …), the facility of
      messy-tsubaki under another id, written by `tenken convert --to xlsx`, then given a
      person's own sheet (メモ, coloured, with a formula) and a coloured header cell by
      openpyxl, then opened and saved again by LibreOffice Calc, as a person's copy would be.
  Fixtures/pharmacy-kiri/kiri.xlsx    English sheet names (facility, staff, …), the facility of
      pharmacy-midori under another id, built cell by cell with openpyxl from its English CSV
      tables: dates typed as dates, whole numbers as numbers, yes/no as TRUE/FALSE booleans.

    python3 scripts/workbook-facility-fixtures.py [path/to/tenken [--invalid-only]]

It also writes Fixtures/invalid/facility-workbooks/*.xlsx, facility workbooks with a person's mistakes.

Needs openpyxl and LibreOffice (soffice). The files are committed; the tests need neither tool.
Each keeps the verdicts of the facility it came from (Tests/TenkenCLITests/WorkbookFacilityTests).
"""
import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl
from openpyxl.styles import PatternFill

root = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
tenken = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, ".build", "debug", "tenken"))
tmp = tempfile.mkdtemp(prefix="tenken-wbfix-")


def run(*args):
    subprocess.run(args, check=True)


def renamed_json(fixture, new_id, new_name):
    """The fixture as one JSON snapshot (devices included) under another id and name."""
    out = os.path.join(tmp, fixture + ".json")
    run(tenken, "convert", os.path.join(root, "Fixtures", fixture), "--to", "json", out, "--force")
    with open(out, encoding="utf-8") as f:
        doc = json.load(f)
    doc["facility"]["id"] = new_id
    doc["facility"]["name"] = new_name
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=2)
    return out


def momiji():
    snap = renamed_json("messy-tsubaki", "F-CL-0031", "もみじ内科")
    written = os.path.join(tmp, "momiji-tenken.xlsx")
    run(tenken, "convert", snap, "--to", "xlsx", written, "--force")
    wb = openpyxl.load_workbook(written)
    memo = wb.create_sheet("メモ")
    memo.append(["確認すること", "件数"])
    memo.append(["退職者のアカウント", 2])
    memo.append(["合計", "=SUM(B2:B2)"])
    memo["A1"].fill = PatternFill("solid", fgColor="FFCC00")
    wb["職員"]["A1"].fill = PatternFill("solid", fgColor="FF9999")
    edited = os.path.join(tmp, "momiji.xlsx")
    wb.save(edited)
    outdir = os.path.join(tmp, "lo")
    os.makedirs(outdir, exist_ok=True)
    run("soffice", "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outdir, edited)
    dest = os.path.join(root, "Fixtures", "clinic-momiji")
    os.makedirs(dest, exist_ok=True)
    shutil.copy(os.path.join(outdir, "momiji.xlsx"), os.path.join(dest, "momiji.xlsx"))


def kiri():
    snap = renamed_json("pharmacy-midori", "F-PH-0012", "きり薬局")
    tables = os.path.join(tmp, "kiri-tables")
    run(tenken, "convert", snap, "--to", "csv", tables, "--lang", "en", "--force")
    order = ["facility", "roles", "staff", "accounts", "devices", "networks", "patients", "groups", "group_members",
             "invitations", "consents", "consent_refusals", "documents", "incidents", "monitoring", "attestations"]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name in order:
        path = os.path.join(tables, name + ".csv")
        if not os.path.exists(path):
            continue
        ws = wb.create_sheet(name)
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        for i, row in enumerate(rows):
            out = []
            for cell in row:
                v = cell
                if i > 0:
                    if cell in ("true", "false"):
                        v = cell == "true"
                    elif len(cell) == 10 and cell[4] == "-" and cell[7] == "-" and cell[:4].isdigit():
                        v = datetime.date(int(cell[:4]), int(cell[5:7]), int(cell[8:]))
                        ws.cell(row=i + 1, column=len(out) + 1).number_format = "yyyy/m/d"
                    elif cell.isdigit() and not cell.startswith("0"):
                        v = int(cell)
                    elif cell.startswith("'"):
                        v = cell[1:]
                out.append(v)
            ws.append(out)
            if i > 0:
                for c, v in enumerate(out):
                    if isinstance(v, datetime.date):
                        ws.cell(row=i + 1, column=c + 1).number_format = "yyyy/m/d"
    dest = os.path.join(root, "Fixtures", "pharmacy-kiri")
    os.makedirs(dest, exist_ok=True)
    wb.save(os.path.join(dest, "kiri.xlsx"))




def invalid():
    """Facility workbooks a person gets wrong, for Fixtures/invalid/cases.tsv."""
    inv = os.path.join(root, "Fixtures", "invalid", "facility-workbooks")
    os.makedirs(inv, exist_ok=True)
    wb = openpyxl.Workbook()
    wb.active.title = "職員一覧"
    wb.active.append(["職員ID", "職種"])
    wb.active.append(["S-1", "医師"])
    wb.save(os.path.join(inv, "workbook-no-facility-sheet.xlsx"))
    wb = openpyxl.Workbook()
    wb.active.title = "施設"
    wb.active.append(["項目", "値"])
    wb.active.append(["facility.id", "F-1"])
    for name in ["職員", "staff"]:
        ws = wb.create_sheet(name)
        ws.append(["職員ID", "職種"])
    wb.save(os.path.join(inv, "workbook-two-staff-sheets.xlsx"))
    wb = openpyxl.Workbook()
    wb.active.title = "施設"
    wb.active.append(["項目", "値"])
    wb.active.append(["facility.id", "F-1"])
    ws = wb.create_sheet("職員")
    ws.append(["職員ID", "職種", "入職日"])
    ws.append(["S-1", "医師", "=NA()"])
    ws.append(["S-2", "看護師", "2024/13/1"])
    wb.save(os.path.join(inv, "workbook-bad-cells.xlsx"))
    # openpyxl saves no formula results: LibreOffice computes and saves them (=NA() → #N/A).
    outdir = os.path.join(tmp, "inv")
    os.makedirs(outdir, exist_ok=True)
    run("soffice", "--headless", "--calc", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", outdir, os.path.join(inv, "workbook-bad-cells.xlsx"))
    shutil.copy(os.path.join(outdir, "workbook-bad-cells.xlsx"), os.path.join(inv, "workbook-bad-cells.xlsx"))


if len(sys.argv) > 2 and sys.argv[2] == "--invalid-only":
    invalid()
    shutil.rmtree(tmp)
    sys.exit(0)


momiji()
kiri()
invalid()
shutil.rmtree(tmp)
print("wrote Fixtures/clinic-momiji/momiji.xlsx, Fixtures/pharmacy-kiri/kiri.xlsx and Fixtures/invalid/facility-workbooks/")
