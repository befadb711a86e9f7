"""Building a report: read the facts once, then compute each section's tables in turn,
reporting progress after each step. Pure reads: the caller stores the result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..choices import ReportKind
from ..periods import Period, trend_quarters
from . import measures, national
from .facts import Facts
from .tables import Table

Progress = Callable[[int, str], None]
Step = tuple[str, Callable[[Facts], list[Table]]]

RCC_STEPS: list[Step] = [
    ("Demand: referrals by need, age and urgency", measures.demand),
    ("Supply: households, places and vacancies", measures.supply),
    ("Placements: time to place, providers, distance and stability", measures.placements),
    ("Money: budgets, soft blocks and fees", measures.money_section),
    ("Quality: provider scorecards and monitoring returns", measures.quality),
]
NATIONAL_STEPS: list[Step] = [
    *RCC_STEPS,
    ("Every RCC side by side", national.side_by_side),
    ("Sufficiency gap and unmet needs", national.sufficiency),
    ("Trends by quarter", national.trends),
    ("Tables for publication", national.publication),
]


@dataclass(frozen=True)
class BuiltReport:
    tables: dict[str, dict[str, Any]]
    summary: dict[str, Any]
    is_empty: bool


def build_report(
    *,
    rcc_id: int | None,
    period: Period,
    today: dt.date,
    progress: Progress | None = None,
    kind: str = "",
) -> BuiltReport:
    """The tables of an RCC's report (`rcc_id`) or the national one (None) for `period`.
    Planning (`kind` "planning") is built by apps.planning from its own steps."""
    if kind == ReportKind.PLANNING:
        from apps.planning.build import build_planning

        return build_planning(rcc_id=rcc_id, period=period, today=today, progress=progress)
    window = None
    if rcc_id is None:
        first = trend_quarters(period.end)[0].start
        window = Period(min(first, period.start), period.end)
    facts = Facts(period=period, rcc_id=rcc_id, today=today, window=window)
    steps = RCC_STEPS if rcc_id is not None else NATIONAL_STEPS
    tables: dict[str, dict[str, Any]] = {}
    for number, (label, step) in enumerate(steps):
        if progress:
            progress(int(100 * number / (len(steps) + 1)), label)
        for table in step(facts):
            tables[table.key] = {**table.as_dict(), "position": len(tables)}
    if progress:
        progress(int(100 * len(steps) / (len(steps) + 1)), "Saving the snapshot")
    return BuiltReport(
        tables=tables,
        summary=measures.headline(facts),
        is_empty=not measures.period_has_activity(facts, period),
    )
