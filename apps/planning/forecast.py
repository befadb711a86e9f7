"""Planning: the demand forecast section of the planning snapshot — children looked after by
age band × placement category today and projected 1 to 5 years on with intervals, entries and
exits, and spend — for an RCC (and each of its LAs) or England (and each RCC), from the demand
model in `demand.py` (cs-demand-model's, checked against it by `make validate-demand`) run over
the episodes `episodes.py` loads. Sufficiency reads `projected_growth`. docs/adr/0140-planning.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models import Q

from apps.contracts.dates import add_months
from apps.contracts.models import PriceSchedule
from apps.referrals.models import PlacementAgreement
from apps.reporting.build.facts import Facts
from apps.reporting.build.national import NATIONAL
from apps.reporting.build.tables import MONEY, PERCENT, TEXT, Col, Table, pct

from .demand import (
    AGE_BANDS,
    ALLOWED,
    CATEGORIES,
    CHILD_DAYS,
    DRAWS,
    LEFT,
    NB,
    NC,
    NS,
    OTHER,
    SEED,
    Prepared,
    Projection,
    prepare,
    project,
    project_prepared,
    state_label,
)
from .episodes import load_episodes

__all__ = ["AGE_BANDS", "project", "projected_growth", "tables"]


# --- The planning snapshot's "Demand forecast" section ------------------------------------

SECTION = "Demand forecast"
HORIZON_MONTHS = (12, 24, 36, 48, 60)
CHART_MONTHS = tuple(range(0, 61, 3))
# Fostering's weekly cost is the mean agreed fee of the scope's IPAs when there are at least
# this many; else the mean fee of its price schedules.
MIN_AGREEMENTS = 10
# cs-demand-model 0.5.1's standard configuration (fixtures/config/standard-v1.yaml): default
# cost a day per cost item, £. Fostering: friend or relative 100, in-house 150, IFA 250;
# residential (in-house and external), supported accommodation and other: 1,000 each.
REFERENCE_DAILY_COST = {0: (100 + 150 + 250) / 3, 1: 1000.0, 2: 1000.0, 3: 1000.0}
REFERENCE_COST_SOURCE = (
    "cs-demand-model 0.5.1's standard configuration: its default of £{daily:,.0f} a day "
    "(an assumption each LA is expected to replace with its own costs)"
)
REFERENCE_FOSTERING_SOURCE = (
    "cs-demand-model 0.5.1's standard configuration: the mean of its default fostering costs "
    "(friend or relative £100, in-house £150, IFA £250 a day), an assumption each LA is "
    "expected to replace with its own costs"
)


@dataclass(frozen=True)
class WeeklyCost:
    category: int
    weekly: float
    source: str


@dataclass(frozen=True)
class Outlook:
    """One scope's forecast (an RCC, an LA or England)."""

    name: str
    projection: Projection
    months: dict[int, int]  # months on → days on


def _months(start: dt.date) -> dict[int, int]:
    return {m: (add_months(start, m) - start).days for m in {*HORIZON_MONTHS, *CHART_MONTHS}}


def _interval(samples: np.ndarray) -> tuple[float, float, float]:
    """(point, 5th percentile, 95th percentile) of samples[0] and the draws after it."""
    point = float(samples[0])
    if samples.shape[0] < 2:
        return point, point, point
    low, high = np.percentile(samples[1:], [5, 95])
    return point, float(low), float(high)


def _r(value: float) -> float:
    return round(value, 1)


def _outlook(name: str, prep: Prepared, window_start: dt.date, end: dt.date) -> Outlook:
    months = _months(end)
    projection = project_prepared(
        prep,
        window_start,
        end,
        max(months.values()),
        at_days=tuple(months.values()),
        draws=DRAWS,
        seed=SEED,
    )
    return Outlook(name, projection, months)


def outlooks(facts: Facts) -> dict[str, Any]:
    """The scope's forecast, and each RCC's (England) or each LA's (an RCC), once per build."""
    from .build import memo

    def compute() -> dict[str, Any]:
        window = facts.period
        prep = prepare(load_episodes(facts.la_ids, since=window.start, today=window.end))
        scope = _outlook(
            facts.rccs.get(facts.rcc_id, "") if facts.rcc_id else NATIONAL,
            prep,
            window.start,
            window.end,
        )
        parts: list[Outlook] = []
        if facts.rcc_id is None:
            members: dict[int, list[int]] = {}
            for la, rcc in facts.rcc_of_la.items():
                members.setdefault(rcc, []).append(la)
            for rcc_id, name in facts.rccs.items():
                parts.append(
                    _outlook(
                        name,
                        prep.of_las(members.get(rcc_id, [])),
                        window.start,
                        window.end,
                    )
                )
        else:
            for la in facts.la_ids:
                parts.append(
                    _outlook(facts.las[la][0], prep.of_las([la]), window.start, window.end)
                )
        return {"scope": scope, "parts": parts, "children": prep.children}

    return memo(facts, "forecast", compute)


def weekly_costs(facts: Facts) -> list[WeeklyCost]:
    """The weekly cost of a placement in each category (see the module's constants)."""
    from .build import memo

    def compute() -> list[WeeklyCost]:
        window = facts.period
        running = Q(placement__start_date__lte=window.end) & (
            Q(placement__end_date__isnull=True) | Q(placement__end_date__gte=window.start)
        )
        fees = [
            float(fee)
            for fee in PlacementAgreement.objects.filter(
                running, placement__child__la_id__in=facts.la_ids
            ).values_list("agreed_weekly_fee", flat=True)
        ]
        out = []
        if len(fees) >= MIN_AGREEMENTS:
            out.append(
                WeeklyCost(
                    0,
                    sum(fees) / len(fees),
                    f"the mean agreed weekly fee of the {len(fees):,} individual placement "
                    "agreements for placements running in the reference window",
                )
            )
        else:
            schedules = PriceSchedule.objects.filter(valid_from__lte=window.end).filter(
                Q(valid_to__isnull=True) | Q(valid_to__gte=window.start)
            )
            if facts.rcc_id is not None:
                schedules = schedules.filter(lot__framework__owner_id=facts.rcc_id)
            bands = [f"fee_{suffix}" for suffix in ("0_4", "5_10", "11_15", "16_17")]
            scheduled = [
                float(fee)
                for row in schedules.values_list(*bands)
                for fee in row
                if fee is not None
            ]
            if scheduled:
                out.append(
                    WeeklyCost(
                        0,
                        sum(scheduled) / len(scheduled),
                        f"the mean weekly fee (ages 0 to 17) of the {schedules.count():,} "
                        "price schedules in force in the reference window, as there were "
                        f"fewer than {MIN_AGREEMENTS} placement agreements",
                    )
                )
            else:
                daily = REFERENCE_DAILY_COST[0]
                out.append(
                    WeeklyCost(
                        0,
                        7 * daily,
                        "no placement agreements or price schedules in the reference window: "
                        + REFERENCE_FOSTERING_SOURCE,
                    )
                )
        for category in (1, 2, OTHER):
            daily = REFERENCE_DAILY_COST[category]
            out.append(WeeklyCost(category, 7 * daily, REFERENCE_COST_SOURCE.format(daily=daily)))
        return out

    return memo(facts, "forecast_costs", compute)


def projected_growth(facts: Facts) -> dict[str, float]:
    """Per age band: the projected fostering population 12 months on over the population
    today (1.0 = no change). Bands without data are left out (read them as 1.0)."""
    outlook: Outlook = outlooks(facts)["scope"]
    now = outlook.projection.stock(0)
    later = outlook.projection.stock(outlook.months[12])
    out = {}
    for b, label in enumerate(AGE_BANDS):
        if now[b * NC] > 0:
            out[label] = float(later[b * NC] / now[b * NC])
    return out


def _by_category(values: np.ndarray) -> np.ndarray:
    """(…, NS) → (…, NC): children per category."""
    return values[..., :NS].reshape(*values.shape[:-1], NB, NC).sum(axis=-2)


def _spend(values: np.ndarray, costs: list[WeeklyCost]) -> np.ndarray:
    """(…, WIDTH) cumulative → (…, NC) cumulative spend per category."""
    weekly = np.zeros(NC)
    for cost in costs:
        weekly[cost.category] = cost.weekly
    return values[..., CHILD_DAYS : CHILD_DAYS + NC] * weekly / 7.0


def _label(day: dt.date) -> str:
    return f"{day:%b %Y}"


def tables(facts: Facts) -> list[Table]:
    found = outlooks(facts)
    scope: Outlook = found["scope"]
    costs = weekly_costs(facts)
    start = facts.period.end
    window = f"{facts.period.start:%-d %B %Y} to {facts.period.end:%-d %B %Y}"
    basis = (
        f"Estimated over the episodes of {found['children']:,} children looked after in the "
        f"reference window ({window}): platform placements and the care history LAs "
        "imported, merged as in the SSDA903 return. Intervals: 5th to 95th percentile of "
        f"{DRAWS} bootstrap draws (children resampled)."
    )
    out = [
        *_cells_tables(scope, basis),
        *_trajectory_tables(scope, start),
        _flows_table(scope, start),
        _spend_table(scope, costs, start),
        _costs_table(costs),
    ]
    if facts.rcc_id is None:
        out.append(_parts_table("forecast_rccs", "By RCC", "RCC", [*found["parts"], scope], costs))
    else:
        out.append(_parts_table("forecast_las", "By local authority", "LA", found["parts"], costs))
    _summary(facts, scope, costs)
    return out


def _cells_tables(outlook: Outlook, basis: str) -> list[Table]:
    """The projection by age band × placement (every band's own categories, and any other
    with children in it), and its intervals."""
    projected = Table(
        "forecast_cells",
        "Children looked after by age band and placement: today and projected",
        SECTION,
        [
            Col("band", "Age band", TEXT),
            Col("category", "Placement", TEXT),
            Col("today", "Today"),
            *[Col(f"m{m}", f"{m} months") for m in HORIZON_MONTHS],
        ],
        note=basis + " Age band: the child's age when the placement began, as the model "
        "counts it. Placement: fostering U1 to U6, residential K2 and R1, supported H5 and "
        "P2, other every other PLACE code.",
    )
    intervals = Table(
        "forecast_cells_interval",
        "Children looked after by age band and placement: the intervals",
        SECTION,
        [
            Col("band", "Age band", TEXT),
            Col("category", "Placement", TEXT),
            *[
                col
                for m in HORIZON_MONTHS
                for col in (Col(f"m{m}_low", f"{m} months: low"), Col(f"m{m}_high", "high"))
            ],
        ],
        note=f"5th to 95th percentile of {DRAWS} bootstrap draws at each horizon: the range "
        "the projection in the table above falls in, nine times out of ten, given how much "
        "the rates vary between samples of the same children.",
    )
    values = outlook.projection.values
    at = [outlook.projection.days.index(outlook.months[m]) for m in HORIZON_MONTHS]
    rows: list[tuple[str, str, np.ndarray]] = []
    for s in range(NS):
        band, category = state_label(s)
        series = values[:, :, s]
        if s % NC in ALLOWED[s // NC] or series[0].max() >= 0.05:
            rows.append((band, category, series))
    for c, name in enumerate(CATEGORIES):
        rows.append(("All ages", name, _by_category(values)[:, :, c]))
    rows.append(("All ages", "All placements", values[:, :, :NS].sum(axis=2)))
    for band, category, series in rows:
        projected.add(band, category, *[_r(float(series[0, i])) for i in [0, *at]])
        bounds: list[float] = []
        for i in at:
            bounds += [_r(v) for v in _interval(series[:, i])[1:]]
        intervals.add(band, category, *bounds)
    return [projected, intervals]


def _trajectory_tables(outlook: Outlook, start: dt.date) -> list[Table]:
    by_category = Table(
        "forecast_trajectory",
        "Projected children looked after by placement, every three months",
        SECTION,
        [
            Col("month", "Month", TEXT),
            Col("category", "Placement", TEXT),
            Col("projected", "Children"),
            Col("low", "Low (5th percentile)"),
            Col("high", "High (95th percentile)"),
        ],
        note="Each line is one placement category; the table gives the interval around it.",
        chart={"type": "line", "label": "month", "values": ["projected"], "series": "category"},
    )
    total = Table(
        "forecast_total",
        "Projected children looked after, with the interval",
        SECTION,
        [
            Col("month", "Month", TEXT),
            Col("projected", "Children"),
            Col("low", "Low (5th percentile)"),
            Col("high", "High (95th percentile)"),
        ],
        note="All placements: the projection and its 5th to 95th percentile interval.",
        chart={"type": "line", "label": "month", "values": ["projected", "low", "high"]},
    )
    projection = outlook.projection
    for m in CHART_MONTHS:
        i = projection.days.index(outlook.months[m])
        label = _label(add_months(start, m))
        per_category = _by_category(projection.values[:, i, :])
        for c, name in enumerate(CATEGORIES):
            by_category.add(label, name, *[_r(v) for v in _interval(per_category[:, c])])
        total.add(label, *[_r(v) for v in _interval(per_category.sum(axis=1))])
    return [by_category, total]


def _years(outlook: Outlook, start: dt.date) -> list[tuple[str, int, int]]:
    """(label, index of the year's first day, index of its last) in the projection."""
    days = outlook.projection.days
    out = []
    previous = 0
    for year, m in enumerate(HORIZON_MONTHS, start=1):
        until = add_months(start, m)
        label = f"Year {year}: to {until:%b %Y}"
        out.append((label, days.index(outlook.months[previous]), days.index(outlook.months[m])))
        previous = m
    return out


def _flows_table(outlook: Outlook, start: dt.date) -> Table:
    table = Table(
        "forecast_flows",
        "Projected entries into care and children leaving care, per year",
        SECTION,
        [
            Col("year", "Year", TEXT),
            Col("entries", "Entering care"),
            Col("entries_low", "Entering: low"),
            Col("entries_high", "Entering: high"),
            Col("leaving", "Leaving care"),
            Col("leaving_low", "Leaving: low"),
            Col("leaving_high", "Leaving: high"),
            Col("net", "Change in children looked after"),
        ],
        note="Entries at the daily rate of the reference window; leaving care includes "
        "children the model ages out of the oldest band. Moves between placements are not "
        "counted here.",
        chart={"type": "bar", "label": "year", "values": ["entries", "leaving"]},
    )
    projection = outlook.projection
    per_day = projection.entries.sum(axis=1)
    for label, first, last in _years(outlook, start):
        length = projection.days[last] - projection.days[first]
        left = projection.values[:, last, LEFT] - projection.values[:, first, LEFT]
        total = projection.values[:, :, :NS].sum(axis=2)
        table.add(
            label,
            *[_r(v) for v in _interval(per_day * length)],
            *[_r(v) for v in _interval(left)],
            _r(float(total[0, last] - total[0, first])),
        )
    return table


def _spend_table(outlook: Outlook, costs: list[WeeklyCost], start: dt.date) -> Table:
    table = Table(
        "forecast_spend",
        "Projected spend on placements, per year",
        SECTION,
        [
            Col("year", "Year", TEXT),
            *[Col(f"spend_{c}", name, MONEY) for c, name in enumerate(CATEGORIES)],
            Col("total", "All placements", MONEY),
            Col("total_low", "All: low", MONEY),
            Col("total_high", "All: high", MONEY),
        ],
        note="The projected child-days in each placement category times its weekly cost "
        "(the table below) ÷ 7, at today's prices, to the nearest pound.",
        chart={"type": "bar", "label": "year", "values": ["total"]},
    )
    spend = _spend(outlook.projection.values, costs)
    for label, first, last in _years(outlook, start):
        year = spend[:, last, :] - spend[:, first, :]
        point, low, high = _interval(year.sum(axis=1))
        table.add(
            label,
            *[round(float(v)) for v in year[0]],
            *[round(v) for v in (point, low, high)],
        )
    return table


def _costs_table(costs: list[WeeklyCost]) -> Table:
    table = Table(
        "forecast_costs",
        "Weekly cost of a placement used for the spend",
        SECTION,
        [
            Col("category", "Placement", TEXT),
            Col("weekly", "Weekly cost", MONEY),
            Col("source", "Where it comes from", TEXT),
        ],
        note="Fostering from what the scope's placements cost; the other categories from a "
        "stated assumption until the platform holds their prices.",
    )
    for cost in costs:
        table.add(CATEGORIES[cost.category], round(cost.weekly, 2), cost.source)
    return table


def _parts_table(
    key: str, title: str, what: str, parts: list[Outlook], costs: list[WeeklyCost]
) -> Table:
    table = Table(
        key,
        f"{title}: children looked after today and projected",
        SECTION,
        [
            Col("name", what, TEXT),
            Col("today", "Today"),
            Col("m12", "12 months"),
            Col("m12_low", "12 months: low"),
            Col("m12_high", "12 months: high"),
            Col("change", "Change at 12 months", PERCENT),
            Col("m60", "60 months"),
            Col("m60_low", "60 months: low"),
            Col("m60_high", "60 months: high"),
            Col("spend", "Spend in year 1", MONEY),
        ],
        note=f"Each {what}'s own model, estimated over its own children's episodes "
        "(the child's LA; an RCC's LAs as they are today), with its own interval. Spend at "
        "the weekly costs above.",
        chart={"type": "bar", "label": "name", "values": ["today", "m12", "m60"]},
    )
    for part in parts:
        projection = part.projection
        total = projection.values[:, :, :NS].sum(axis=2)
        i12 = projection.days.index(part.months[12])
        i60 = projection.days.index(part.months[60])
        today = float(total[0, 0])
        m12 = _interval(total[:, i12])
        spend = _spend(projection.values[:, i12, :], costs)[0].sum()
        table.add(
            part.name,
            _r(today),
            *[_r(v) for v in m12],
            pct(m12[0] - today, today),
            *[_r(v) for v in _interval(total[:, i60])],
            round(float(spend)),
        )
    return table


def _summary(facts: Facts, outlook: Outlook, costs: list[WeeklyCost]) -> None:
    from .build import memo

    projection = outlook.projection
    total = projection.values[:, :, :NS].sum(axis=2)
    i12 = projection.days.index(outlook.months[12])
    i60 = projection.days.index(outlook.months[60])
    m12 = _interval(total[:, i12])
    summary: dict[str, Any] = memo(facts, "summary", dict)
    summary.update(
        forecast_children_today=_r(float(total[0, 0])),
        forecast_children_12m=_r(m12[0]),
        forecast_children_12m_low=_r(m12[1]),
        forecast_children_12m_high=_r(m12[2]),
        forecast_children_60m=_r(float(total[0, i60])),
        forecast_spend_year1=round(float(_spend(projection.values[0, i12, :], costs).sum())),
        forecast_reference_start=facts.period.start.isoformat(),
        forecast_reference_end=facts.period.end.isoformat(),
    )
