"""The rules of the sufficiency verdicts: the rows (need, level, age band, group size), the
thresholds, the verdict on a row and the lots it concerns."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import TYPE_CHECKING

from apps.contracts.choices import LotService
from apps.contracts.models import Lot
from apps.reporting.build.facts import Facts

if TYPE_CHECKING:
    from .supply import Figures

MIN_ASSESSED_REFERRALS = 30
"""Fewer referrals than this with a needs assessment in an RCC's window, and the needs mix comes
from its looked-after children in foster care today (when they have assessments)."""

SHORTFALL_CHILDREN = 0.5
"""A row is short when at least this many children a year (one child every two years) could not
have a place expected free within 20 miles of home."""

SPECIALIST_RANK = 3
"""Needs at this level rank or above (High, Complex) are specialist: a shortfall is commissioned
from a lot, not met by recruiting general carers."""

SPECIALIST_GROUP = 3
"""Groups of this many children or more are specialist (a sibling groups lot)."""

DECOMMISSION_RATIO = 2.0
"""Decommission: places expected free within 20 miles at least this many times the demand, with
at least `DECOMMISSION_MIN_SPARE` to spare and `DECOMMISSION_VACANCY_RATE` vacant now."""

DECOMMISSION_MIN_SPARE = 5.0
"""Decommission: at least this many places expected free near home beyond the demand."""

DECOMMISSION_VACANCY_RATE = 25.0
"""Decommission: at least this per cent of the nearby able places vacant now (that is, fewer than
75% of them used)."""

RECRUIT, COMMISSION, DECOMMISSION, SUFFICIENT = (
    "Recruit carers",
    "Commission",
    "Decommission",
    "Sufficient",
)
VERDICTS = (RECRUIT, COMMISSION, DECOMMISSION, SUFFICIENT)

# Lots that buy for a specialist need in a domain (any other specialist need: enhanced).
SPECIALIST_DOMAIN_LOTS = {"disability": LotService.DISABILITY}

# The forecast's age bands (forecast.AGE_BANDS) as ages: the first age of each band.
BAND_STARTS = (0, 1, 5, 10, 16)
BAND_LAST_AGE = 25  # the oldest age a household may be approved for
GROUPS = {1: "1", 2: "2", 3: "3 or more"}  # children together: the referral's child and siblings

NO_NEED, NOT_ASSESSED, ALL_NEEDS = "", "?", "*"
# Rows that are not one need at one level: (need, level) as the tables say them.
SPECIAL_NEEDS = {
    NO_NEED: ("No identified need", "None"),
    NOT_ASSESSED: ("Needs not assessed", "Not known"),
    ALL_NEEDS: ("All needs", "All levels"),
}

Key = tuple[str, int, int, int]  # need code, level rank, age band index, group size
Mix = list[tuple[str, int, float]]  # (need code, level rank, share of children)


def band_of(age: int) -> int:
    """The index in forecast.AGE_BANDS of the band `age` falls in."""
    return max(0, bisect_right(BAND_STARTS, age) - 1)


def band_ages(band: int) -> tuple[int, int]:
    """The first and last ages of a band (the last band runs to the oldest age approved)."""
    last = BAND_STARTS[band + 1] - 1 if band + 1 < len(BAND_STARTS) else BAND_LAST_AGE
    return BAND_STARTS[band], last


def lot_kinds(code: str, rank: int, group: int) -> list[str]:
    """The kinds of lot that buy for a row: sibling groups for 3 or more together, the domain's
    specialist lot (or enhanced) for a specialist level, else standard foster care."""
    kinds = []
    if group >= SPECIALIST_GROUP:
        kinds.append(LotService.SIBLING_GROUPS.value)
    if rank >= SPECIALIST_RANK:
        kinds.append(SPECIALIST_DOMAIN_LOTS.get(code, LotService.ENHANCED).value)
    return kinds or [LotService.STANDARD.value]


def verdict(figures: Figures, code: str, rank: int, group: int) -> tuple[str, list[str]]:
    """The verdict on a row and the kinds of lot it concerns (see the gap table's note)."""
    specialist = rank >= SPECIALIST_RANK or group >= SPECIALIST_GROUP
    if figures.shortfall >= SHORTFALL_CHILDREN:
        if specialist:
            return COMMISSION, lot_kinds(code, rank, group)
        if figures.ifa_free_beyond >= figures.shortfall:
            return COMMISSION, [LotService.STANDARD.value]
        return RECRUIT, []
    spare = figures.free_near - figures.demand
    rate = figures.vacancy_rate
    if (
        figures.free_near >= DECOMMISSION_RATIO * figures.demand
        and spare >= DECOMMISSION_MIN_SPARE
        and rate is not None
        and rate >= DECOMMISSION_VACANCY_RATE
    ):
        return DECOMMISSION, lot_kinds(code, rank, group)
    return SUFFICIENT, []


class Lots:
    """The live lots of each RCC's frameworks today, by kind."""

    def __init__(self, facts: Facts) -> None:
        self.count = len(facts.rccs)
        self.of: dict[tuple[int, str], list[tuple[str, int, int]]] = defaultdict(list)
        rows = Lot.objects.filter(
            framework__owner_id__in=list(facts.rccs),
            framework__start_date__lte=facts.today,
            framework__end_date__gte=facts.today,
        ).values_list(
            "framework__owner_id",
            "framework__reference",
            "number",
            "name",
            "service_type",
            "age_min",
            "age_max",
        )
        for owner, reference, number, name, kind, lo, hi in rows.order_by(
            "framework__reference", "number"
        ):
            self.of[(owner, kind)].append((f"{reference} lot {number}: {name}", lo, hi))

    def text(self, kinds: list[str], band: int, rcc_id: int | None) -> str:
        lo, hi = band_ages(band)
        parts = []
        for kind in kinds:
            label = LotService(kind).label
            if rcc_id is None:
                with_lot = sum(
                    1
                    for (owner, k), lots in self.of.items()
                    if k == kind and any(a <= hi and b >= lo for _n, a, b in lots)
                )
                parts.append(f"{label}: a live lot in {with_lot} of {self.count} RCCs")
                continue
            names = [n for n, a, b in self.of.get((rcc_id, kind), []) if a <= hi and b >= lo]
            parts.append("; ".join(names) if names else f"No live lot for {label.lower()}")
        return "; ".join(parts)
