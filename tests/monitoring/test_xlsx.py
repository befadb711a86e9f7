"""The fast XLSX reader reads what spreadsheet programs write: shared and inline strings,
numbers, dates by their format (1900 and 1904 systems), booleans, formulas, gaps."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from apps.monitoring.xlsx import DamagedWorkbook, Formula, read_rows


def test_a_workbook_written_by_openpyxl():
    wb = Workbook()
    ws = wb.active
    ws.title = "Return"
    ws.append(["record", "start_date", "value", "flag", "sum"])
    ws.append(["PLACEMENT", dt.date(2025, 11, 14), 12, True, "=1+1"])
    ws["C3"] = 2.5
    ws["E4"] = "late"
    other = wb.create_sheet("Other", 0)  # the Return sheet is found by name, not position
    other.append(["not this one"])
    buf = io.BytesIO()
    wb.save(buf)
    rows = list(read_rows(buf.getvalue(), "Return"))
    assert rows[0][1] == ["record", "start_date", "value", "flag", "sum"]
    number, values, cells = rows[1]
    assert number == 2 and values[:4] == ["PLACEMENT", dt.date(2025, 11, 14), 12, True]
    assert isinstance(values[4], Formula) and cells[4] == "E2"
    assert rows[2][1] == [None, None, 2.5]
    assert rows[3][0] == 4 and rows[3][1][4] == "late" and rows[3][2][4] == "E4"


def _package(
    sheet: str, shared: str | None = None, date1904: bool = False, styles: str | None = None
) -> bytes:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        pr = '<workbookPr date1904="1"/>' if date1904 else ""
        z.writestr(
            "xl/workbook.xml",
            f"<workbook {ns} {rel}>{pr}"
            '<sheets><sheet name="Return" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
        )
        z.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{sheet}</sheetData></worksheet>",
        )
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f"<sst {ns}>{shared}</sst>")
        if styles is not None:
            z.writestr("xl/styles.xml", f"<styleSheet {ns}>{styles}</styleSheet>")
    return buf.getvalue()


def test_shared_strings_dates_and_the_1904_system():
    styles = (
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
        '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/></cellXfs>'
    )
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" s="1"><v>45975</v></c><c r="B2" s="2"><v>45975</v></c>'
        '<c r="C2"><v>45975</v></c></row>'
    )
    shared = "<si><t>record</t></si><si><r><t>rich </t></r><r><t>text</t></r></si>"
    rows = list(read_rows(_package(sheet, shared, styles=styles), "Return"))
    assert rows[0][1] == ["record", None, "rich text"]
    assert rows[1][1] == [dt.date(2025, 11, 14), dt.date(2025, 11, 14), 45975]
    in_1904 = list(read_rows(_package(sheet, shared, date1904=True, styles=styles), "Return"))
    assert in_1904[1][1][0] == dt.date(2025, 11, 14) + dt.timedelta(days=1462)


@pytest.mark.parametrize("content", [b"PK\x03\x04not a zip", _package("<row><c>")[:-40]])
def test_damaged_workbooks(content):
    with pytest.raises(DamagedWorkbook):
        list(read_rows(content, "Return"))
