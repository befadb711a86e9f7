"""Reading a return file (CSV or XLSX) into records, before the one validator checks them.

The whole file is refused (`FileRejected`, one message for the file) only when it cannot be
read as a return at all: wrong type, damaged workbook, no header, a template version other
than the quarter's, or columns that do not match that version. Everything else is a row-level
problem that the validator reports with the row, column and a fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from apps.core.uploads import Row, UploadRejected, cell_text, csv_rows

from .format import FIGURE, FORMATS, MAX_ROWS, SHEET_NAME, ReturnFormat
from .xlsx import LIMITS, DamagedWorkbook, read_rows

BLANK_ROWS_TO_STOP = 1_000


@dataclass(frozen=True)
class RowError:
    """A problem to show: the row (None for the whole file), the column, what is wrong, the fix."""

    row: int | None
    column: str
    message: str
    hint: str = ""
    value: str = ""
    cell: str = ""
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "label": self.label,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Record:
    """One row as read: values by column name, the spreadsheet cell of each (XLSX)."""

    number: int
    values: dict[str, Any]
    cells: dict[str, str] = field(default_factory=dict)
    label: str = ""


class FileRejected(Exception):
    def __init__(self, message: str, hint: str = "", column: str = "", value: str = ""):
        super().__init__(message)
        self.error = RowError(None, column, message, hint, value)


@dataclass
class ReadFile:
    format: str  # csv | xlsx
    version: str
    records: list[Record]


def file_kind(name: str, content: bytes) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if ext == "xlsx":
        if not is_zip:
            raise FileRejected(
                "The file is not a readable XLSX workbook: it may be damaged, or another kind of "
                "file renamed .xlsx.",
                "Open it in your spreadsheet program and save it again as Excel Workbook (.xlsx), "
                "or as CSV.",
            )
        return "xlsx"
    if ext == "csv":
        if is_zip:
            raise FileRejected(
                "The file is a spreadsheet workbook with a .csv name.",
                "Save it as CSV (comma delimited), or rename it to .xlsx.",
            )
        return "csv"
    raise FileRejected(
        f"Files of type .{ext or '(none)'} cannot be read.",
        "Upload the return as .csv or .xlsx (save .xls and .ods files as .xlsx first).",
    )


def read_return_file(name: str, content: bytes, expected: ReturnFormat) -> ReadFile:
    """Read every row; refuse the file only when it cannot be read as a return of `expected`.

    The rows are read as a stream (`apps.core.uploads`), so a file past a limit is refused as
    soon as the limit is reached."""
    kind = file_kind(name, content)
    if not content.strip():
        raise FileRejected(
            "The file is empty.",
            "Download your pre-filled return or the template, fill it in and upload it.",
        )
    rows = _xlsx_rows(content) if kind == "xlsx" else _csv_rows(content)
    first = next(rows, None)
    if first is None:
        raise FileRejected(
            "The file has no header row.", "Start from the template: keep its first row."
        )
    _number, header_values, _ = first
    header = [_text(v).lower() for v in header_values]
    while header and not header[-1]:
        header.pop()
    find_version = _version_finder(header)
    version = ""
    records: list[Record] = []
    blank_streak = 0
    for number, values, cells in rows:
        version = version or find_version(values)
        if all(_text(v) == "" for v in values):
            blank_streak += 1
            if blank_streak >= BLANK_ROWS_TO_STOP:
                break
            continue
        blank_streak = 0
        if len(records) >= MAX_ROWS:
            raise FileRejected(
                f"The file has more than {MAX_ROWS:,} rows.",
                "A return this large must come through the API, or ask the NCC to raise the limit.",
            )
        record = Record(number=number, values={})
        for i, name_ in enumerate(header):
            value = values[i] if i < len(values) else None
            record.values[name_] = value
            if i < len(cells):
                record.cells[name_] = cells[i]
        extra = [v for v in values[len(header) :] if _text(v)]
        if extra:
            record.values["__extra__"] = extra
        records.append(record)
    _check_version(version, expected)
    _check_header(header, expected)
    if not records:
        raise FileRejected(
            "The file has a header but no rows.",
            "Add the FIGURE rows (the template has them) and your other rows.",
        )
    return ReadFile(format=kind, version=version, records=records)


def _version_finder(header: list[str]) -> Callable[[Sequence[Any]], str]:
    """A function that gives the template version a row states (FIGURE format_version), or ""."""
    try:
        ri, ii, vi = header.index("record"), header.index("item"), header.index("value")
    except ValueError:
        return lambda values: ""

    def version_in(values: Sequence[Any]) -> str:
        cells = [_text(values[i]) if i < len(values) else "" for i in (ri, ii, vi)]
        if cells[0].upper() == FIGURE and cells[1].lower() == "format_version":
            return cells[2]
        return ""

    return version_in


def _check_version(version: str, expected: ReturnFormat) -> None:
    if not version:
        raise FileRejected(
            "The file does not say which template version it follows: there is no FIGURE row with "
            "item format_version.",
            "Start from the template, or add a row: record FIGURE, item format_version, value "
            f"{expected.version}.",
            column="item",
        )
    if version == expected.version:
        return
    if version in FORMATS:
        message = (
            f"The file follows template version {version}, but returns for this quarter use "
            f"{expected.version}."
        )
    else:
        message = (
            f"The file says it follows template version {version!r}, which is not a version of "
            f"the national return. This quarter's is {expected.version}."
        )
    raise FileRejected(
        message,
        f"Download the {expected.version} template (or your pre-filled return) and copy your rows "
        "into it.",
        column="value",
        value=version,
    )


def _check_header(header: list[str], fmt: ReturnFormat) -> None:
    expected = fmt.column_names
    seen: set[str] = set()
    duplicated = sorted({h for h in header if h and (h in seen or seen.add(h))})  # type: ignore[func-returns-value]
    missing = [c for c in expected if c not in seen]
    unknown = [h for h in dict.fromkeys(header) if h and h not in expected]
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if not (missing or unknown or duplicated or blank):
        return
    parts = []
    if missing:
        parts.append("missing column(s): " + ", ".join(missing))
    if unknown:
        named = []
        for h in unknown:
            close = difflib.get_close_matches(h, expected, n=1)
            named.append(f"{h} (did you mean {close[0]}?)" if close else h)
        parts.append("unknown column(s): " + ", ".join(named))
    if duplicated:
        parts.append("column(s) given twice: " + ", ".join(duplicated))
    if blank:
        parts.append("column(s) with no name: " + ", ".join(f"number {i}" for i in blank))
    raise FileRejected(
        f"The header row does not match the {fmt.version} template: " + "; ".join(parts) + ".",
        "Copy the first row of the template (column order does not matter).",
        column="(header)",
    )


def _csv_rows(content: bytes) -> Iterator[Row]:
    try:
        yield from csv_rows(content, limits=LIMITS)
    except UploadRejected as err:
        raise FileRejected(err.message, err.hint) from err


def _xlsx_rows(content: bytes) -> Iterator[Row]:
    try:
        yield from read_rows(content, SHEET_NAME)
    except DamagedWorkbook as err:
        raise FileRejected(
            "The file is not a readable XLSX workbook: it may be damaged or not a workbook.",
            "Open it in your spreadsheet program and save it again as Excel Workbook (.xlsx), or "
            "as CSV.",
        ) from err
    except UploadRejected as err:
        raise FileRejected(err.message, err.hint) from err


_text = cell_text


text_of = _text
