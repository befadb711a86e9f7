"""The return's XLSX rows, read by the one safe streaming reader (`apps.core.uploads`).

That reader reads the sheet's XML with ElementTree's incremental parser (a 10,000-row return
in about a second, where openpyxl takes several), with caps on the package, rows, columns,
cells and text. It reports formulas as `Formula` so that the validator can refuse them.
Writing stays with openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterator

from apps.core.uploads import DamagedWorkbook, Formula, Limits, Row, xlsx_rows

from .format import MAX_ROWS

__all__ = ["LIMITS", "DamagedWorkbook", "Formula", "read_rows"]

MAX_COLUMNS = 64  # the template has 14; values further right are refused as a whole file
LIMITS = Limits(
    max_rows=MAX_ROWS + 2,  # a backstop: the reader counts its records and says so first
    max_columns=MAX_COLUMNS,
    max_cells=(MAX_ROWS + 2) * 24,
    max_text=2_000,  # the longest value a return needs is a short reason
    max_member_bytes=128 * 1024 * 1024,
    max_total_bytes=192 * 1024 * 1024,
)


def read_rows(content: bytes, sheet_name: str, limits: Limits = LIMITS) -> Iterator[Row]:
    """(row number, values, cell references) for each row of the named sheet (else the first)."""
    return xlsx_rows(content, sheet_name=sheet_name, limits=limits)
