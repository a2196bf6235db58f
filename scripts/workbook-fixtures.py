#!/usr/bin/env python3
"""Makes the foreign workbook fixtures of Tests/TenkenWorkbookTests/Fixtures with other writers,
and the files of Fixtures/invalid/workbooks that only another program can make (an Excel 97-2003
.xls, a password-protected .xlsx, an OpenDocument .ods).

    python3 scripts/workbook-fixtures.py [OUT_DIR]

Needs openpyxl (`pip install openpyxl`), msoffcrypto-tool (`pip install msoffcrypto-tool`, for
the encrypted workbook) and LibreOffice (`apt-get install libreoffice-calc`).
The files it makes are committed; the tests read them and need neither tool. Run it again only
to add a fixture; the expected cells are written in the tests by hand, from what the other
program shows, not from tenken's reader.
"""
import datetime
import os
import shutil
import subprocess
import sys
import tempfile

import openpyxl
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.datavalidation import DataValidation

out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "Tests", "TenkenWorkbookTests", "Fixtures"))
os.makedirs(out, exist_ok=True)


def openpyxl_clinic():
    """Japanese sheet names, dates typed as dates, a formula (openpyxl saves no result), an
    error cell, a boolean, rich text, a styled blank trailing row, a drop-down."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "職員"
    ws.append(["職員ID", "職種", "入職日", "MCS利用", "研修時間", "備考"])
    ws.append(["S-001", "医師", datetime.date(2020, 4, 1), True, 1.5, CellRichText(["太字", TextBlock(InlineFont(b=True), "混在")])])
    ws.append(["S-002", "看護師", datetime.datetime(2021, 10, 15, 0, 0), False, "=1+2", "#N/A"])
    ws.append(["001", "事務職員", datetime.datetime(2022, 1, 5, 9, 30), None, 0.1, None])
    ws["A8"].fill = PatternFill("solid", fgColor="FFFF00")
    dv = DataValidation(type="list", formula1='"医師,看護師,事務職員"', allow_blank=True)
    ws.add_data_validation(dv)
    dv.add("B2:B1048576")
    other = wb.create_sheet("端末")
    other.append(["端末ID", "端末種別"])
    other.append(["PC-01", "パソコン"])
    wb.save(os.path.join(out, "openpyxl-clinic.xlsx"))


def openpyxl_1904():
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "dates"
    ws.append(["when", "serial"])
    ws.append([datetime.date(2025, 4, 1), 1])
    ws.append([datetime.date(1904, 1, 1), 2])
    wb.save(os.path.join(out, "openpyxl-1904.xlsx"))


FODS_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <number:date-style style:name="N1"><number:year number:style="long"/><number:text>-</number:text><number:month number:style="long"/><number:text>-</number:text><number:day number:style="long"/></number:date-style>
 <number:date-style style:name="N2" number:language="ja" number:country="JP"><number:year number:style="long"/><number:text>年</number:text><number:month/><number:text>月</number:text><number:day/><number:text>日</number:text></number:date-style>
 <style:style style:name="ce1" style:family="table-cell" style:data-style-name="N1"/>
 <style:style style:name="ce2" style:family="table-cell" style:data-style-name="N2"/>
 <style:style style:name="ce3" style:family="table-cell"><style:table-cell-properties fo:background-color="#ffff00"/></style:style>
</office:automatic-styles>
<office:body><office:spreadsheet>
"""


def s(t):
    return f'<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>'


def d(iso, style="ce1"):
    return f'<table:table-cell table:style-name="{style}" office:value-type="date" office:date-value="{iso}"><text:p>{iso}</text:p></table:table-cell>'


def n(v):
    return f'<table:table-cell office:value-type="float" office:value="{v}"><text:p>{v}</text:p></table:table-cell>'


def row(*cells):
    return "<table:table-row>" + "".join(cells) + "</table:table-row>"


def libreoffice(name, body, null_date=None, to="xlsx:Calc MS Excel 2007 XML", ext="xlsx", dest=None):
    tmp = tempfile.mkdtemp()
    settings = ""
    if null_date:
        settings = f'<table:calculation-settings><table:null-date table:date-value="{null_date}"/></table:calculation-settings>'
    path = os.path.join(tmp, name + ".fods")
    with open(path, "w", encoding="utf-8") as f:
        f.write(FODS_HEAD + settings + body + "</office:spreadsheet></office:body></office:document>")
    subprocess.run(["soffice", "--headless", "--convert-to", to, "--outdir", tmp, path],
                   check=True, stdout=subprocess.DEVNULL, timeout=180)
    shutil.copy(os.path.join(tmp, name + "." + ext), os.path.join(dest or out, name + "." + ext))
    shutil.rmtree(tmp)


def libreoffice_clinic():
    staff = ('<table:table table:name="職員">'
             + row(s("職員ID"), s("職種"), s("入職日"), s("誓約書署名日"), s("計算"), s("エラー"), s("MCS利用"))
             + row(s("S-001"), s("医師"), d("2020-04-01"), d("2023-05-10", "ce2"),
                   '<table:table-cell table:formula="of:=1+2" office:value-type="float" office:value="3"><text:p>3</text:p></table:table-cell>',
                   '<table:table-cell table:formula="of:=NA()" office:value-type="string" office:string-value=""><text:p>#N/A</text:p></table:table-cell>',
                   '<table:table-cell office:value-type="boolean" office:boolean-value="true"><text:p>TRUE</text:p></table:table-cell>')
             + row(s("S-002"), s("看護師"), d("2021-10-15"), s("2024/4/1"), n("2.5"), s(""), '<table:table-cell office:value-type="boolean" office:boolean-value="false"><text:p>FALSE</text:p></table:table-cell>')
             + row('<table:table-cell table:style-name="ce3"/>')
             + '</table:table>')
    devices = ('<table:table table:name="端末">' + row(s("端末ID"), s("返却日")) + row(s("PC-01"), d("2025-03-31")) + '</table:table>')
    libreoffice("libreoffice-clinic", staff + devices)


def libreoffice_1904():
    body = '<table:table table:name="日付">' + row(s("when")) + row(d("2025-04-01")) + row(d("1904-01-01")) + '</table:table>'
    libreoffice("libreoffice-1904", body, null_date="1904-01-01")


def libreoffice_from_csv():
    """The path a person takes: a CSV opened and saved as a workbook; 2025/4/1 is typed as a date."""
    tmp = tempfile.mkdtemp()
    path = os.path.join(tmp, "devices.csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("端末ID,端末種別,OS更新日,画面ロック(分)\nPC-01,パソコン,2025/4/1,5\nSP-02,スマートフォン,2025/10/31,1\n")
    subprocess.run(["soffice", "--headless", "--infilter=CSV:44,34,76,1,,1041", "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, path],
                   check=True, stdout=subprocess.DEVNULL, timeout=180)
    shutil.copy(os.path.join(tmp, "devices.xlsx"), os.path.join(out, "libreoffice-from-csv.xlsx"))
    shutil.rmtree(tmp)


def hostile():
    """Files that are not .xlsx workbooks tenken can read, made by the programs that make them."""
    dest = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Fixtures", "invalid", "workbooks")
    os.makedirs(dest, exist_ok=True)
    body = '<table:table table:name="職員">' + row(s("職員ID")) + row(s("S-001")) + '</table:table>'
    libreoffice("legacy", body, to="xls:MS Excel 97", ext="xls", dest=dest)
    libreoffice("opendocument", body, to="ods", ext="ods", dest=dest)
    os.replace(os.path.join(dest, "opendocument.ods"), os.path.join(dest, "opendocument-named.xlsx"))
    import msoffcrypto
    from msoffcrypto.format.ooxml import OOXMLFile
    with open(os.path.join(out, "openpyxl-1904.xlsx"), "rb") as plain, open(os.path.join(dest, "password.xlsx"), "wb") as locked:
        OOXMLFile(plain).encrypt("tenken", locked)


openpyxl_clinic()
openpyxl_1904()
hostile()
libreoffice_clinic()
libreoffice_1904()
libreoffice_from_csv()
print("fixtures written to", out)
