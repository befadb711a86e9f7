"""Export any list the user can see as CSV or XLSX (tablib), and the one rule every file the
platform generates for download follows: no cell may reach a spreadsheet as a formula.

A value typed into a return, a register upload or a form (`=HYPERLINK("http://x","y")`, or an
upload's file name) would otherwise come back as a live formula when the export is opened in
Excel or LibreOffice (CSV injection; OWASP). `safe_cell` neutralises such text the OWASP way,
with a leading apostrophe; numbers, dates and booleans are left as they are, so sums still work.
Every CSV/XLSX writer in apps/ passes its cells (headers included) through `safe_cell`, and
every download's file name through `attachment_disposition`."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

Column = tuple[str, str | Callable[[Any], Any]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text that is only a signed number ("-5", "+2.50") is read as that number, never a formula.
_SIGNED_NUMBER = re.compile(r"[+-]\d+(\.\d+)?")
_KEPT_TYPES = (bool, int, float, Decimal, dt.date, dt.time, dt.timedelta)


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet may safely receive it: text that a spreadsheet would read as
    a formula gets a leading apostrophe. Numbers, dates, booleans and None are returned
    unchanged; anything else (a model instance, a lazy label) is written as its text."""
    if value is None or isinstance(value, _KEPT_TYPES):
        return value
    text = value if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_TRIGGERS) and not _SIGNED_NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_row(values: Iterable[Any], fmt: str = "csv") -> list[Any]:
    if fmt == "xlsx":
        return [_excel_time(safe_cell(v)) for v in values]
    return [safe_cell(v) for v in values]


def _excel_time(value: Any) -> Any:
    """Excel has no time zones: an aware date-time is written as local time."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def safe_filename(name: str, default: str = "download") -> str:
    """A file name fit for a Content-Disposition header: no path, no control characters, no
    quotes or separators, and no leading character a spreadsheet would take for a formula."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["*:<>?|;]', "_", name).strip(" .")
    name = name.lstrip("".join(FORMULA_TRIGGERS)).strip(" .")
    return name[:150] or default


def attachment_disposition(filename: str) -> str:
    """The Content-Disposition header value for downloading `filename` (sanitised)."""
    return content_disposition_header(True, safe_filename(filename))  # type: ignore[return-value]


def attachment(content: Any, content_type: str, filename: str) -> HttpResponse:
    """A generated file as a download."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_disposition(filename)
    return response


def dataset_export(data: tablib.Dataset, fmt: str) -> Any:
    """A tablib dataset in `fmt`, every header and cell passed through `safe_cell`."""
    safe = tablib.Dataset(
        headers=safe_row(data.headers) if data.headers else None, title=data.title
    )
    for row in data:
        safe.append(safe_row(row, fmt))
    return safe.export(fmt)


def _value(obj: Any, accessor: str | Callable[[Any], Any]) -> Any:
    if callable(accessor):
        return accessor(obj)
    value: Any = obj
    for part in accessor.split("__"):
        value = getattr(value, part, None)
        if callable(value):
            value = value()
        if value is None:
            return ""
    return value


def export_rows(
    rows: Iterable[Any], columns: Sequence[Column], fmt: str, filename: str
) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {fmt!r}")
    data = tablib.Dataset(headers=safe_row(label for label, _ in columns))
    for obj in rows:
        data.append(safe_row((_value(obj, accessor) for _, accessor in columns), fmt))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment(data.export(fmt), CONTENT_TYPES[fmt], f"{filename}-{stamp}.{fmt}")
