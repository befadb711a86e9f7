"""The national report's own tables: every RCC side by side, the sufficiency gap by region and
need, the needs no open vacancy can meet, trends by quarter, and the count tables a bulletin
may publish (with disclosure control applied at publication, not here)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np

from apps.organisations.kinds import Region
from apps.referrals.choices import UNPLANNED_ENDINGS, Urgency

from ..periods import Period, trend_quarters
from .facts import Facts, ReferralFact
from .measures import (
    AGE_BANDS,
    ROUTES,
    age_band,
    budget_table,
    placement_figures,
    referral_figures,
    route,
    soft_block_table,
    supply_figures,
)
from .tables import COUNT, DAYS, PERCENT, TEXT, Col, Table, pct

NATIONAL = "England"
SIDE_BY_SIDE, SUFFICIENCY, TRENDS, PUBLICATION = (
    "RCCs side by side",
    "Sufficiency",
    "Trends",
    "For publication",
)

SIDE_COLUMNS = [
    Col("rcc", "RCC", TEXT),
    Col("referrals", "Referrals"),
    Col("pct_emergency", "Emergency share", PERCENT),
    Col("placements_started", "Placements started"),
    Col("median_days_to_place", "Median days to place", DAYS),
    Col("pct_own_la", "Own LA (PR1)", PERCENT),
    Col("pct_other_la", "Other LA (PR2)", PERCENT),
    Col("pct_ifa", "IFA (PR4, PR5)", PERCENT),
    Col("pct_within_20_miles", "Within 20 miles", PERCENT),
    Col("placements_ended", "Placements ended"),
    Col("pct_unplanned", "Unplanned endings", PERCENT),
    Col("households", "Households"),
    Col("places", "Approved places"),
    Col("open_vacancies", "Open vacancies"),
    Col("pct_vacancies_stale", "Stale vacancies", PERCENT),
    Col("pct_budget", "Budget forecast", PERCENT),
    Col("pct_soft_block", "Soft-block utilisation", PERCENT),
]


def side_by_side(facts: Facts) -> list[Table]:
    period = facts.period
    table = Table(
        "rcc_side_by_side",
        "Every RCC side by side",
        SIDE_BY_SIDE,
        SIDE_COLUMNS,
        note="Activity in the period by the RCC on each record; the register as it stands, by "
        "the RCC of the LA each household lives in; budgets for the financial year the period "
        "ends in.",
        chart={"type": "bar", "label": "rcc", "values": ["pct_own_la", "pct_other_la", "pct_ifa"]},
    )
    referrals, started, ended = (
        facts.referrals_in(period),
        facts.started_in(period),
        facts.ended_in(period),
    )
    _budget, budgets = budget_table(facts)
    _blocks, blocks = soft_block_table(facts)
    las_of: dict[int, set[int]] = defaultdict(set)
    for la, rcc in facts.rcc_of_la.items():
        las_of[rcc].add(la)
    keys = [c.key for c in SIDE_COLUMNS[1:]]

    def row(name: str, rcc_id: int | None) -> None:
        def mine(items: list[Any]) -> list[Any]:
            return [x for x in items if rcc_id is None or x.rcc_id == rcc_id]

        figures = {
            **referral_figures(mine(referrals)),
            **placement_figures(mine(started), mine(ended)),
            **supply_figures(facts, None if rcc_id is None else las_of.get(rcc_id, set())),
        }
        money = [budgets[rcc_id]] if rcc_id is not None and rcc_id in budgets else []
        if rcc_id is None:
            money = list(budgets.values())
        figures["pct_budget"] = pct(
            sum(m["forecast"] for m in money), sum(m["budget"] for m in money)
        )
        use = [blocks[rcc_id]] if rcc_id is not None and rcc_id in blocks else []
        if rcc_id is None:
            use = list(blocks.values())
        figures["pct_soft_block"] = pct(sum(u[0] for u in use), sum(u[1] for u in use))
        table.add(name, *[figures[k] for k in keys])

    for rcc_id, name in facts.rccs.items():
        row(name, rcc_id)
    row(NATIONAL, None)
    return [table]


def _meets(needs: np.ndarray, skills: np.ndarray) -> np.ndarray:
    """For each need profile (row of `needs`), whether any skill profile meets every need."""
    out = np.zeros(len(needs), dtype=bool)
    if not len(skills):
        return out
    for i in range(0, len(needs), 256):
        chunk = needs[i : i + 256]
        out[i : i + 256] = np.any(np.all(skills[None, :, :] >= chunk[:, None, :], axis=2), axis=1)
    return out


def sufficiency(facts: Facts) -> list[Table]:
    """Demand (referrals in the period with a need at a level) against the open vacancies whose
    household meets that need at that level or above, by region and need."""
    referrals = facts.referrals_in(facts.period)
    region_of_la = {la: info[1] for la, info in facts.las.items()}

    demand: Counter[tuple[str, str, int]] = Counter()
    for r in referrals:
        region = region_of_la.get(r.la_id, "Unknown")
        for code, rank in r.needs.items():
            demand[(region, code, rank)] += 1
    # Open vacancies by region and the household's highest level in each domain.
    supply: Counter[tuple[str, str, int]] = Counter()
    for v in facts.vacancies:
        region = region_of_la.get(v.la_id, "Unknown") if v.la_id else "Unknown"
        for code, rank in facts.skills.get(v.household_id, {}).items():
            supply[(region, code, rank)] += 1

    def able(region: str | None, code: str, rank: int) -> int:
        return sum(
            n
            for (reg, c, r), n in supply.items()
            if c == code and r >= rank and (region is None or reg == region)
        )

    gap = Table(
        "sufficiency_gap",
        "Sufficiency gap by region and need",
        SUFFICIENCY,
        [
            Col("region", "Region", TEXT),
            Col("need", "Need", TEXT),
            Col("level", "Level", TEXT),
            Col("demand", "Referrals with this need"),
            Col("supply", "Open vacancies able to meet it"),
            Col("gap", "Gap (referrals less vacancies)"),
        ],
        note="Demand: referrals in the period whose child has the need at this level. Supply: "
        "open vacancies now in the region whose household meets the need at this level or "
        "above. A positive gap is a shortfall.",
        chart={"type": "bar", "label": ["region", "need", "level"], "values": ["demand", "supply"]},
    )
    regions = [r for r in Region.values if any(k[0] == r for k in demand)]
    for region in regions + (["Unknown"] if any(k[0] == "Unknown" for k in demand) else []):
        for code, name in facts.domains:
            for rank, level in facts.levels:
                wanted = demand[(region, code, rank)]
                if not wanted:
                    continue
                meets = able(region, code, rank)
                gap.add(region, name, level, wanted, meets, wanted - meets)

    unmet = Table(
        "unmet_needs",
        "Needs no open vacancy can meet",
        SUFFICIENCY,
        [
            Col("need", "Need", TEXT),
            Col("level", "Level", TEXT),
            Col("referrals", "Referrals with this need"),
            Col("vacancies", "Open vacancies in England able to meet it"),
        ],
        note="Needs of children referred in the period that no household with an open vacancy "
        "anywhere in England is trained and supported to meet (at that level or above).",
    )
    national: Counter[tuple[str, int]] = Counter()
    for (_region, code, rank), n in demand.items():
        national[(code, rank)] += n
    for code, name in facts.domains:
        for rank, level in facts.levels:
            if national[(code, rank)] and not able(None, code, rank):
                unmet.add(name, level, national[(code, rank)], 0)

    profiles = Table(
        "unmet_profiles",
        "Children whose needs together no single vacancy meets",
        SUFFICIENCY,
        [
            Col("rcc", "RCC", TEXT),
            Col("assessed", "Referrals with needs assessed"),
            Col("unmet", "No open vacancy meets every need"),
            Col("share", "Share", PERCENT),
        ],
        note="Each referral's needs against every household with an open vacancy in England: "
        "counted when no one household meets all of them.",
    )
    codes = [code for code, _ in facts.domains]
    assessed = [r for r in referrals if r.assessed]
    profiles_of_vacancies = sorted(
        {
            tuple(facts.skills.get(v.household_id, {}).get(c, 0) for c in codes)
            for v in facts.vacancies
        }
    )
    if codes and assessed:
        needs = np.array([[r.needs.get(c, 0) for c in codes] for r in assessed], dtype=np.int16)
        skills = np.array(profiles_of_vacancies, dtype=np.int16).reshape(-1, len(codes))
        met = _meets(needs, skills)
    else:  # no taxonomy or no assessed referral: nothing to test
        met = np.ones(len(assessed), dtype=bool)
    unmet_of: dict[int, list[bool]] = defaultdict(list)
    for r, ok in zip(assessed, met, strict=True):
        unmet_of[r.rcc_id].append(not ok)
    for rcc_id, name in [*facts.rccs.items(), (None, NATIONAL)]:
        flags = [f for k, v in unmet_of.items() if rcc_id is None or k == rcc_id for f in v]
        profiles.add(name, len(flags), sum(flags), pct(sum(flags), len(flags)))
    return [gap, unmet, profiles]


TREND_COLUMNS = [
    Col("quarter", "Quarter", TEXT),
    Col("scope", "RCC", TEXT),
    Col("referrals", "Referrals"),
    Col("placements_started", "Placements started"),
    Col("median_days_to_place", "Median days to place", DAYS),
    Col("pct_ifa", "IFA share", PERCENT),
    Col("pct_within_20_miles", "Within 20 miles", PERCENT),
    Col("unplanned_endings", "Unplanned endings"),
    Col("pct_unplanned", "Unplanned share of endings", PERCENT),
]


def trends(facts: Facts) -> list[Table]:
    table = Table(
        "trends",
        "Trends by quarter",
        TRENDS,
        TREND_COLUMNS,
        note="Financial-year quarters to the end of the period (the last may be part of one).",
        chart={
            "type": "line",
            "label": "quarter",
            "values": ["placements_started"],
            "series": "scope",
        },
    )
    for q in trend_quarters(facts.period.end):
        period = Period(q.start, min(q.end, facts.period.end))
        referrals, started, ended = (
            facts.referrals_in(period),
            facts.started_in(period),
            facts.ended_in(period),
        )
        for rcc_id, name in [*facts.rccs.items(), (None, NATIONAL)]:

            def mine(items: list[Any], rcc_id: int | None = rcc_id) -> list[Any]:
                return [x for x in items if rcc_id is None or x.rcc_id == rcc_id]

            f = {
                **referral_figures(mine(referrals)),
                **placement_figures(mine(started), mine(ended)),
            }
            table.add(q.short, name, *[f[c.key] for c in TREND_COLUMNS[2:]])
    return [table]


def publication(facts: Facts) -> list[Table]:
    """Count tables without totals: disclosure control adds the totals and suppresses at
    publication (apps.reporting.disclosure)."""
    period = facts.period
    started, ended = facts.started_in(period), facts.ended_in(period)
    referrals: list[ReferralFact] = facts.referrals_in(period)
    out = []

    by_route = Table(
        "pub_placements_route",
        "Placements started by RCC and provider",
        PUBLICATION,
        [Col("rcc", "RCC", TEXT), *[Col(k, label, COUNT) for k, label in ROUTES[:3]]],
        publishable=True,
        chart={
            "type": "bar",
            "label": "rcc",
            "values": [k for k, _ in ROUTES[:3]],
            "stacked": True,
        },
    )
    counts = Counter((p.rcc_id, route(p.code)) for p in started)
    for rcc_id, name in facts.rccs.items():
        by_route.add(name, *[counts[(rcc_id, k)] for k, _ in ROUTES[:3]])
    out.append(by_route)

    endings = Table(
        "pub_endings",
        "Placements ended by RCC, planned and unplanned",
        PUBLICATION,
        [Col("rcc", "RCC", TEXT), Col("planned", "Planned"), Col("unplanned", "Unplanned")],
        publishable=True,
        chart={"type": "bar", "label": "rcc", "values": ["planned", "unplanned"], "stacked": True},
    )
    ends = Counter((p.rcc_id, p.reason_ended in UNPLANNED_ENDINGS) for p in ended)
    for rcc_id, name in facts.rccs.items():
        endings.add(name, ends[(rcc_id, False)], ends[(rcc_id, True)])
    out.append(endings)

    region_of_la = {la: info[1] for la, info in facts.las.items()}
    by_region = Table(
        "pub_referrals_region",
        "Referrals by region and urgency",
        PUBLICATION,
        [Col("region", "Region", TEXT), Col("planned", "Planned"), Col("emergency", "Emergency")],
        publishable=True,
    )
    per_region = Counter((region_of_la.get(r.la_id, "Unknown"), r.urgency) for r in referrals)
    for region in Region.values:
        by_region.add(
            region, per_region[(region, Urgency.PLANNED)], per_region[(region, Urgency.EMERGENCY)]
        )
    out.append(by_region)

    by_age = Table(
        "pub_referrals_age",
        "Referrals by age and urgency",
        PUBLICATION,
        [Col("age", "Child's age", TEXT), Col("planned", "Planned"), Col("emergency", "Emergency")],
        publishable=True,
    )
    ages = Counter((age_band(r.age), r.urgency) for r in referrals)
    for label, _lo, _hi in AGE_BANDS:
        by_age.add(label, ages[(label, Urgency.PLANNED)], ages[(label, Urgency.EMERGENCY)])
    out.append(by_age)
    return out
