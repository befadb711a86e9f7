"""The shape of a report table as stored in a snapshot (JSON) and read by pages and exports.

{"key", "title", "section", "note",
 "columns": [{"key", "label", "type"}],  # text, count, percent, days, money, miles, rate
 "rows": [[cell, ...], ...],
 "chart": {"type": "bar" | "line" | "doughnut", "label": column key, "values": [column keys],
           "series": column key (line charts: one line per value of this column)} | None,
 "publishable": true when it is a table of counts that a bulletin may publish}
"""

from __future__ import annotations

import decimal
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

TEXT, COUNT, PERCENT, DAYS, MONEY, MILES, RATE = (
    "text",
    "count",
    "percent",
    "days",
    "money",
    "miles",
    "rate",
)
NUMERIC = frozenset({COUNT, PERCENT, DAYS, MONEY, MILES, RATE})


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    type: str = COUNT

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label, "type": self.type}


@dataclass
class Table:
    key: str
    title: str
    section: str
    columns: Sequence[Col]
    rows: list[list[Any]] = field(default_factory=list)
    note: str = ""
    chart: dict[str, Any] | None = None
    publishable: bool = False

    def add(self, *cells: Any) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"{self.key}: {len(cells)} cells for {len(self.columns)} columns")
        self.rows.append([_json(c) for c in cells])

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "section": self.section,
            "note": self.note,
            "columns": [c.as_dict() for c in self.columns],
            "rows": self.rows,
            "chart": self.chart,
            "publishable": self.publishable,
        }


def _json(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def pct(part: float, whole: float) -> float | None:
    """`part` as a per cent of `whole`, to one decimal place; None when `whole` is 0."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def median(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(float(statistics.median(values)), 1) if values else None


def money(value: Any) -> float:
    return round(float(value or 0), 2)
