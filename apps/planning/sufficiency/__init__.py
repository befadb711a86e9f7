"""Planning: sufficiency. The children expected to need a fostering home in the next 12 months
against the homes on the register that could take them near where they live, and what to do
about each gap: recruit carers, commission, decommission, or nothing (issue 14, capability 2).

Demand: the referrals sent to the hub in the reference window (two years to today), annualised
and scaled by the demand forecast's growth per age band (`forecast.projected_growth`), counted
in children (the child and the siblings on the referral) by need domain × level, age band and
group size, at the children's home postcode districts. The needs are the referrals' own
assessments; where fewer than `MIN_ASSESSED_REFERRALS` carry one, the needs mix of the RCC's
looked-after children in foster care today is used instead (each table note says which).

Supply: the register as it stands: active households approved to give a home (not short breaks
or staying put alone) in the scope's LAs, with their places, age range, largest sibling group
and needs skills. The places expected to be free in 12 months: the open vacancies now, and the
occupied places turning over at the LA's rate (placements in its households ended in the
window, per approved place, a year).

Near home: a place counts for a child when its household is within `WITHIN_MILES` of the
child's home postcode district, each place once across the row's children (a maximum flow from
the children's districts to the households' districts), so two children cannot share one place.

England: the RCCs added up, each RCC's children against its own register, with every RCC side
by side; nothing in a table names or identifies a child.

The modules: `rules` (rows, thresholds, verdicts and lots), `demand`, `supply` (the register,
distances and the flow); the tables here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.reporting.build.facts import Facts
from apps.reporting.build.measures import WITHIN_MILES
from apps.reporting.build.tables import PERCENT, TEXT, Col, Table, pct

from .. import forecast
from .demand import COHORT_SOURCE, FEW_SOURCE, REFERRALS_SOURCE, Source, demand_rows, read_demand
from .rules import (
    ALL_NEEDS,
    BAND_STARTS,
    COMMISSION,
    DECOMMISSION,
    DECOMMISSION_MIN_SPARE,
    DECOMMISSION_RATIO,
    DECOMMISSION_VACANCY_RATE,
    GROUPS,
    MIN_ASSESSED_REFERRALS,
    RECRUIT,
    SHORTFALL_CHILDREN,
    SPECIAL_NEEDS,
    SPECIALIST_GROUP,
    SPECIALIST_RANK,
    SUFFICIENT,
    VERDICTS,
    Key,
    Lots,
    band_of,
    verdict,
)
from .supply import Figures, Register, placeable, rcc_figures, read_register

__all__ = [
    "BAND_STARTS",
    "COMMISSION",
    "DECOMMISSION",
    "RECRUIT",
    "SUFFICIENT",
    "band_of",
    "placeable",
    "tables",
    "verdict",
]

SECTION = "Sufficiency"

LARGEST = 15  # rows in the table of the largest gaps

ROW_COLUMNS = [
    Col("need", "Need", TEXT),
    Col("level", "Level", TEXT),
    Col("age", "Age band", TEXT),
    Col("group", "Children together", TEXT),
    Col("demand", "Projected demand (children a year)"),
    Col("supply", "Approved places able to meet it"),
    Col("pct_near", "Of those, within 20 miles of home", PERCENT),
    Col("free_near", "Places expected free within 20 miles"),
    Col("short", "Gap: children short of a place near home"),
    Col("spare", "Spare places near home"),
    Col("pct_vacant", "Nearby able places vacant now", PERCENT),
    Col("verdict", "Verdict", TEXT),
    Col("lot", "Lot to commission or review", TEXT),
]


@dataclass
class _Built:
    """One build's sufficiency figures: each RCC's rows, and the scope's."""

    sources: dict[int, Source]
    per_rcc: dict[int, dict[Key, Figures]]
    scope: dict[Key, Figures]
    register: Register
    lots: Lots


def _compute(facts: Facts) -> _Built:
    demands, sources, mixes = read_demand(facts)
    rows = demand_rows(demands, mixes)
    register = read_register(facts)
    per_rcc = {rcc: rcc_figures(rows[rcc], register, rcc) for rcc in facts.rccs if rcc in rows}
    scope: dict[Key, Figures] = defaultdict(Figures)
    for figures in per_rcc.values():
        for key, f in figures.items():
            scope[key].add(f)
    return _Built(sources, per_rcc, dict(scope), register, Lots(facts))


def _labels(facts: Facts, key: Key) -> list[str]:
    code, rank, band, group = key
    levels = dict(facts.levels)
    need, level = SPECIAL_NEEDS.get(code) or (
        dict(facts.domains).get(code, code),
        levels.get(rank, str(rank)),
    )
    return [need, level, forecast.AGE_BANDS[band], GROUPS[group]]


def _ordered(facts: Facts, keys: Iterable[Key]) -> list[Key]:
    order = {code: i for i, (code, _n) in enumerate(facts.domains)}
    return sorted(
        keys, key=lambda k: (k[0] in SPECIAL_NEEDS, order.get(k[0], 0), k[0], k[1], k[2], k[3])
    )


def _cells(facts: Facts, built: _Built, key: Key, f: Figures) -> dict[str, Any]:
    """A row's cells by column key."""
    decided, kinds = verdict(f, key[0], key[1], key[3])
    return dict(
        zip(("need", "level", "age", "group"), _labels(facts, key), strict=True),
        demand=round(f.demand, 1),
        supply=round(f.places),
        pct_near=pct(f.near_places, f.places),
        free_near=round(f.free_near, 1),
        short=round(f.shortfall, 1),
        spare=round(f.spare, 1),
        pct_vacant=f.vacancy_rate,
        verdict=decided,
        lot=built.lots.text(kinds, key[2], facts.rcc_id) if kinds else "",
    )


def _add(table: Table, cells: dict[str, Any]) -> None:
    table.add(*[cells[c.key] for c in table.columns])


def _source_note(facts: Facts, built: _Built) -> str:
    used = [built.sources[rcc] for rcc in facts.rccs if rcc in built.sources]
    if facts.rcc_id is None:
        kinds = Counter(s.kind for s in used)
        return (
            f"Needs: the referrals' own assessments in {kinds[REFERRALS_SOURCE]} RCCs; the mix "
            f"of the looked-after children in foster care today in {kinds[COHORT_SOURCE]} "
            f"(fewer than {MIN_ASSESSED_REFERRALS} assessed referrals); too few assessments "
            f"of either in {kinds[FEW_SOURCE]}."
        )
    if not used:
        return "No referrals in the window."
    s = used[0]
    if s.kind == COHORT_SOURCE:
        return (
            f"Needs: the mix of the {s.cohort_children:,} looked-after children in foster care "
            "in the RCC's LAs today, by age band (their latest needs assessments), since only "
            f"{_referrals(s.assessed_referrals)} in the window had an assessment (fewer than "
            f"{MIN_ASSESSED_REFERRALS})."
        )
    if s.kind == REFERRALS_SOURCE:
        return (
            f"Needs: the referrals' own assessments ({_referrals(s.assessed_referrals)}); a "
            "referral without one takes the mix of those in its age band."
        )
    unassessed = s.referrals - s.assessed_referrals
    return f"Needs: the referrals' own assessments ({_referrals(s.assessed_referrals)})" + (
        f"; {_referrals(unassessed)} without one counted as needs not assessed (fewer than "
        f"{MIN_ASSESSED_REFERRALS} referrals had one, and no child in foster care in the RCC's "
        "LAs has one)."
        if unassessed
        else "."
    )


def _rule(facts: Facts) -> str:
    """The gap table's rules in plain English, from the constants."""
    high = dict(facts.levels).get(SPECIALIST_RANK, f"rank {SPECIALIST_RANK}")
    return (
        "Each row: the children expected to need a home in the next 12 months with this need "
        "at this level (referrals in the last two years, annualised, grown by the forecast for "
        "their age band) against the approved places of households in the RCC's LAs approved "
        "for the ages, the group size and this need at this level or above. Places expected "
        "free: open vacancies now plus occupied places turning over at the LA's rate. A place "
        f"counts only within {WITHIN_MILES} miles of a child's home postcode district, and once "
        f"across the row's children. Short: at least {SHORTFALL_CHILDREN:g} children a year "
        f"without one. Recruit carers: a shortfall where the need is general (below {high}, "
        f"fewer than {SPECIALIST_GROUP} children together). Commission: a shortfall for a need "
        f"at {high} or above or {SPECIALIST_GROUP} or more children together (from the lot "
        "named), or a general shortfall that IFA homes further away in the RCC could fill "
        "(standard lot). Decommission: places expected free near home at least "
        f"{DECOMMISSION_RATIO:g} times the demand and {DECOMMISSION_MIN_SPARE:g} or more to "
        f"spare, with {DECOMMISSION_VACANCY_RATE:g}% or more of them vacant now. Otherwise "
        "sufficient. A child counts in the row of every need it has, and a household in every "
        "row it can meet."
    )


def _referrals(n: int) -> str:
    return f"{n:,} referral{'' if n == 1 else 's'}"


def tables(facts: Facts) -> list[Table]:
    built = _compute(facts)
    national = facts.rcc_id is None
    england = " England adds up the RCCs: each RCC's children against its own register." * national
    need_keys = _ordered(facts, [k for k in built.scope if k[0] != ALL_NEEDS])
    all_keys = _ordered(facts, [k for k in built.scope if k[0] == ALL_NEEDS])

    gap = Table(
        "suff_gap",
        "Sufficiency gap by need, level, age and group size",
        SECTION,
        ROW_COLUMNS,
        note=f"{_rule(facts)} {_source_note(facts, built)}{england}",
    )
    decided: dict[Key, str] = {}
    for key in need_keys:
        cells = _cells(facts, built, key, built.scope[key])
        decided[key] = cells["verdict"]
        _add(gap, cells)

    largest = Table(
        "suff_gap_largest",
        f"The {LARGEST} largest gaps",
        SECTION,
        [c for c in ROW_COLUMNS if c.key not in ("supply", "pct_near", "pct_vacant", "lot")],
        note="The rows of the gap table with the most children short of a place near home "
        "(then those with the fewest spare places).",
        chart={
            "type": "bar",
            "label": ["need", "level", "age", "group"],
            "values": ["demand", "free_near"],
        },
    )
    by_gap = sorted(need_keys, key=lambda k: (-built.scope[k].shortfall, built.scope[k].spare))
    for key in by_gap[:LARGEST]:
        _add(largest, _cells(facts, built, key, built.scope[key]))

    ages = Table(
        "suff_age_group",
        "Sufficiency by age band and group size (all needs)",
        SECTION,
        [c for c in ROW_COLUMNS if c.key not in ("need", "level")],
        note="Every child once, whatever their needs, against the places approved for their "
        f"age and group size. The same rules as the gap table.{england}",
        chart={"type": "bar", "label": ["age", "group"], "values": ["demand", "free_near"]},
    )
    for key in all_keys:
        _add(ages, _cells(facts, built, key, built.scope[key]))

    summary_table = Table(
        "suff_verdicts",
        "Rows of the gap table by verdict",
        SECTION,
        [
            Col("verdict", "Verdict", TEXT),
            Col("rows", "Rows"),
            Col("demand", "Projected demand in them (children a year)"),
            Col("short", "Children short of a place near home"),
        ],
        note="A child with several needs counts in several rows.",
        chart={"type": "bar", "label": "verdict", "values": ["rows"]},
    )
    for name in VERDICTS:
        keys = [k for k in need_keys if decided[k] == name]
        figures = [built.scope[k] for k in keys]
        summary_table.add(
            name,
            len(keys),
            round(sum(f.demand for f in figures), 1),
            round(sum(f.shortfall for f in figures), 1),
        )

    out = [gap, largest, ages, summary_table, _supply_by_la(facts, built)]
    if national:
        out.append(_side_by_side(facts, built))
    _headline(facts, built, decided, all_keys)
    return out


def _supply_by_la(facts: Facts, built: _Built) -> Table:
    national = facts.rcc_id is None
    reg = built.register
    table = Table(
        "suff_supply_la",
        "The register by local authority",
        SECTION,
        [
            *([Col("rcc", "RCC", TEXT)] if national else []),
            Col("la", "Local authority", TEXT),
            Col("households", "Households"),
            Col("places", "Approved places"),
            Col("vacancies", "Open vacancies"),
            Col("pct_vacant", "Vacancy rate", PERCENT),
            Col("ended", "Placements ended in the window"),
            Col("pct_turnover", "Places turning over a year", PERCENT),
            Col("free", "Places expected free in 12 months"),
        ],
        note="Active households approved to give a home (not short breaks or staying put "
        "alone), in the LA they live in. Vacancy rate: open vacancies over approved places. "
        "Places turning over: placements in the LA's households that ended in the two-year "
        "window, a year, as a share of approved places. Places expected free: open vacancies "
        "now plus occupied places turning over at that rate.",
    )
    rows = []
    for la in facts.la_ids:
        rcc = facts.rcc_of_la.get(la)
        if rcc is None or rcc not in facts.rccs:
            continue
        mask = reg.la == la
        places, vacancies = float(reg.places[mask].sum()), float(reg.vacancies[mask].sum())
        name = facts.las.get(la, ("Unknown",))[0]
        rows.append(
            [
                *([facts.rccs[rcc]] if national else []),
                name,
                int(mask.sum()),
                round(places),
                round(vacancies),
                pct(vacancies, places),
                reg.ended.get(la, 0),
                round(100 * reg.turnover.get(la, 0.0), 1),
                round(float(reg.free[mask].sum()), 1),
            ]
        )
    for row in sorted(rows, key=lambda r: r[: 2 if national else 1]):
        table.add(*row)
    return table


def _top_shortfall(facts: Facts, figures: dict[Key, Figures]) -> str:
    short = [(f.shortfall, k) for k, f in figures.items() if k[0] != ALL_NEEDS]
    worst = max(short, default=(0.0, None), key=lambda s: s[0])
    if worst[1] is None or worst[0] < SHORTFALL_CHILDREN:
        return "None"
    need, level, age, group = _labels(facts, worst[1])
    return f"{need} ({level}), {age}, {group} together: {worst[0]:.1f} children short"


def _side_by_side(facts: Facts, built: _Built) -> Table:
    table = Table(
        "suff_rccs",
        "Every RCC side by side",
        SECTION,
        [
            Col("rcc", "RCC", TEXT),
            Col("demand", "Projected demand (children a year)"),
            Col("places", "Approved places"),
            Col("vacancies", "Open vacancies"),
            Col("free", "Places expected free in 12 months"),
            Col("short", "Children short of a place near home"),
            Col("rows_short", "Need rows short"),
            Col("top", "Largest shortfall", TEXT),
        ],
        note="Each RCC's children against its own register. Children short: by age band and "
        "group size, all needs together. Need rows short: rows of the gap table with a "
        "shortfall.",
        chart={"type": "bar", "label": "rcc", "values": ["demand", "free", "short"]},
    )
    reg = built.register

    def add(name: str, figures: dict[Key, Figures], mask: np.ndarray) -> None:
        overall = [f for k, f in figures.items() if k[0] == ALL_NEEDS]
        rows_short = sum(
            1 for k, f in figures.items() if k[0] != ALL_NEEDS and f.shortfall >= SHORTFALL_CHILDREN
        )
        table.add(
            name,
            round(sum(f.demand for f in overall), 1),
            round(float(reg.places[mask].sum())),
            round(float(reg.vacancies[mask].sum())),
            round(float(reg.free[mask].sum()), 1),
            round(sum(f.shortfall for f in overall), 1),
            rows_short,
            _top_shortfall(facts, figures),
        )

    for rcc, name in facts.rccs.items():
        add(name, built.per_rcc.get(rcc, {}), reg.rcc == rcc)
    add("England", built.scope, np.ones(len(reg.rcc), dtype=bool))
    return table


def _headline(facts: Facts, built: _Built, decided: dict[Key, str], all_keys: list[Key]) -> None:
    reg = built.register
    overall = [built.scope[k] for k in all_keys]
    counts = Counter(decided.values())
    places = float(reg.places.sum())
    from ..build import memo  # build imports this package

    summary: dict[str, Any] = memo(facts, "summary", dict)
    summary.update(
        suff_projected_demand=round(sum(f.demand for f in overall), 1),
        suff_places=round(places),
        suff_open_vacancies=round(float(reg.vacancies.sum())),
        suff_pct_vacancy_rate=pct(float(reg.vacancies.sum()), places),
        suff_expected_free=round(float(reg.free.sum()), 1),
        suff_children_short=round(sum(f.shortfall for f in overall), 1),
        suff_rows_recruit=counts[RECRUIT],
        suff_rows_commission=counts[COMMISSION],
        suff_rows_decommission=counts[DECOMMISSION],
        suff_rows_sufficient=counts[SUFFICIENT],
        suff_needs_source=sorted({s.kind for s in built.sources.values()}),
    )
