"""Building the planning snapshot of an RCC (or England): read the facts once, then compute
each measure's tables in turn, reporting progress after each step. Pure reads: reporting's
run machinery stores the result as a `ReportSnapshot` of kind "planning" (docs/adr/0140).

Each step is `(facts) -> list[Table]`. A step that needs what another computed (sufficiency
reads the forecast) asks for it through `memo`, so it is computed once per build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

from apps.reporting.build import BuiltReport, Progress
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table
from apps.reporting.periods import Period

from . import forecast, sourcing, stability, sufficiency

T = TypeVar("T")

STEPS: list[tuple[str, Callable[[Facts], list[Table]]]] = [
    ("Demand forecast", forecast.tables),
    ("Sufficiency: demand against the register", sufficiency.tables),
    ("Sourcing", sourcing.tables),
    ("Stability", stability.tables),
]

# The sections of a planning snapshot, in the order of the pages: (slug, section name).
SECTIONS = (
    ("forecast", "Demand forecast"),
    ("sufficiency", "Sufficiency"),
    ("sourcing", "Sourcing"),
    ("stability", "Stability"),
)


def memo(facts: Facts, key: str, compute: Callable[[], T]) -> T:
    """`compute()` once per build, kept on the build's facts under `key`."""
    store: dict[str, Any] = facts.__dict__.setdefault("_planning_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]  # type: ignore[no-any-return]


def build_planning(
    *, rcc_id: int | None, period: Period, today: dt.date, progress: Progress | None = None
) -> BuiltReport:
    """The planning tables of an RCC (`rcc_id`) or England (None); `period` is the reference
    window the measures are estimated over."""
    facts = Facts(period=period, rcc_id=rcc_id, today=today)
    tables: dict[str, dict[str, Any]] = {}
    for number, (label, step) in enumerate(STEPS):
        if progress:
            progress(int(100 * number / (len(STEPS) + 1)), label)
        for table in step(facts):
            tables[table.key] = {**table.as_dict(), "position": len(tables)}
    if progress:
        progress(int(100 * len(STEPS) / (len(STEPS) + 1)), "Saving the snapshot")
    summary: dict[str, Any] = memo(facts, "summary", dict)
    return BuiltReport(tables=tables, summary=summary, is_empty=not tables)
