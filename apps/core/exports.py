"""Export any list the user can see as CSV or XLSX (tablib)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import tablib
from django.http import HttpResponse
from django.utils import timezone

Column = tuple[str, str | Callable[[Any], Any]]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
    data = tablib.Dataset(headers=[label for label, _ in columns])
    for obj in rows:
        data.append([_value(obj, accessor) for _, accessor in columns])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(data.export(fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.{fmt}"'
    return response
