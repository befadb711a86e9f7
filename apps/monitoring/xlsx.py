"""A fast, read-only XLSX row reader: one worksheet's rows as plain values, streamed.

openpyxl builds an object per cell and reads a 10,000-row return in several seconds; this
reads the same sheet's XML with ElementTree's incremental parser in about one. It handles
what a return can hold: shared and inline strings, numbers, booleans, error values, dates
(by the cell's number format, 1900 and 1904 date systems) and formulas, which it reports as
`Formula` so that the validator can refuse them. Writing stays with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree as ET

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")
QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class Formula(str):
    """A cell holding a formula: refused, as its value depends on the program that opens it."""


class DamagedWorkbook(Exception):
    pass


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


LETTERS = [column_letters(i) for i in range(128)]


def read_rows(content: bytes, sheet_name: str) -> Iterator[tuple[int, list[Any], list[str]]]:
    """(row number, values, cell references) for each row of the named sheet (else the first)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        path, date1904 = _sheet_path(zf, sheet_name)
        shared = _shared_strings(zf)
        dates = _date_styles(zf)
        handle = zf.open(path)
    except (
        zipfile.BadZipFile,
        KeyError,
        ET.ParseError,
        ValueError,
        IndexError,
        OSError,
        EOFError,
    ) as err:
        raise DamagedWorkbook(str(err)) from err
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    try:
        row_number = 0
        values: dict[int, Any] = {}
        position = 0
        for _event, el in ET.iterparse(handle, events=("end",)):  # noqa: S314
            tag = el.tag
            if tag == NS + "c":
                ref = el.get("r")
                if ref and (match := CELL_REF.match(ref)):
                    position = column_index(match[1])
                values[position] = _value(el, shared, dates, epoch, date1904)
                position += 1
            elif tag == NS + "row":
                r = el.get("r")
                row_number = int(r) if r else row_number + 1
                width = max(values) + 1 if values else 0
                suffix = str(row_number)
                cells = [
                    (LETTERS[i] if i < len(LETTERS) else column_letters(i)) + suffix
                    for i in range(width)
                ]
                yield row_number, [values.get(i) for i in range(width)], cells
                values, position = {}, 0
                el.clear()
            elif tag == NS + "sheetData":
                break
    except (
        ET.ParseError,
        zipfile.BadZipFile,
        ValueError,
        IndexError,
        KeyError,
        OSError,
        EOFError,
    ) as err:
        raise DamagedWorkbook(str(err)) from err
    finally:
        handle.close()


def _value(
    el: ET.Element, shared: list[str], dates: set[int], epoch: dt.datetime, date1904: bool
) -> Any:
    formula = el.find(NS + "f")
    if formula is not None:
        return Formula(formula.text or "")
    kind = el.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in el.iter(NS + "t"))
    v = el.find(NS + "v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    number = float(text)
    if int(el.get("s", "0")) in dates:
        if not date1904 and number < 61:  # Excel's 1900 leap-year bug: serials 1 to 60
            number += 1
        moment = epoch + dt.timedelta(days=number)
        return moment.date() if number.is_integer() else moment
    return int(number) if number.is_integer() else number


def _sheet_path(zf: zipfile.ZipFile, sheet_name: str) -> tuple[str, bool]:
    workbook = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314
    pr = workbook.find(NS + "workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    sheets = [(s.get("name"), s.get(DOC_REL)) for s in workbook.iter(NS + "sheet")]
    if not sheets:
        raise ValueError("The workbook has no sheets.")
    rid = next((r for name, r in sheets if name == sheet_name), sheets[0][1])
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    target = next(rel.get("Target", "") for rel in rels.iter(PKG_REL) if rel.get("Id") == rid)
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return path.replace("xl/../", ""), date1904


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    try:
        handle = zf.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out = []
    with handle:
        for _event, el in ET.iterparse(handle, events=("end",)):  # noqa: S314
            if el.tag == NS + "si":
                # Rich text runs are joined; phonetic guides (rPh) are left out.
                parts = [t.text or "" for t in el.iter(NS + "t")]
                phonetic = [t.text or "" for rph in el.iter(NS + "rPh") for t in rph.iter(NS + "t")]
                out.append("".join(parts[: len(parts) - len(phonetic)] if phonetic else parts))
                el.clear()
    return out


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell formats that show dates."""
    try:
        styles = ET.fromstring(zf.read("xl/styles.xml"))  # noqa: S314
    except KeyError:
        return set()
    custom = {}
    for fmt in styles.iter(NS + "numFmt"):
        code = QUOTED.sub("", fmt.get("formatCode", "")).lower()
        custom[int(fmt.get("numFmtId", "0"))] = (
            any(ch in code for ch in "dmyhs") and "general" not in code
        )
    xfs = styles.find(NS + "cellXfs")
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in BUILTIN_DATE_FORMATS or custom.get(fmt_id):
            out.add(i)
    return out
