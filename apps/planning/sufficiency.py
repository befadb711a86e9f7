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
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from functools import partial
from typing import Any

import numpy as np
from django.db.models import Count, Q
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from apps.contracts.choices import LotService
from apps.contracts.models import Lot
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind
from apps.providers.choices import CareType, HouseholdStatus
from apps.providers.models import Household, HouseholdSkill
from apps.referrals.choices import PlacementType, Suitability
from apps.referrals.matching.distance import miles_from
from apps.referrals.models import (
    CareEpisode,
    Child,
    NeedsAssessment,
    NeedsAssessmentItem,
    Placement,
    Referral,
)
from apps.reporting.build.facts import CHUNK, Facts, ReferralFact
from apps.reporting.build.measures import WITHIN_MILES
from apps.reporting.build.tables import PERCENT, RATE, TEXT, Col, Table, pct

from . import forecast

SECTION = "Sufficiency"

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
"""Places expected free within 20 miles at least this many times the demand is a surplus..."""

DECOMMISSION_MIN_SPARE = 5.0
"""...of at least this many places..."""

DECOMMISSION_VACANCY_RATE = 25.0
"""...and with at least this per cent of the nearby able places vacant now (utilisation under
75%), the row's places are candidates to decommission."""

HORIZON_DAYS = 365.25
SCALE = 100  # the maximum flow counts in hundredths of a child

RECRUIT, COMMISSION, DECOMMISSION, SUFFICIENT = (
    "Recruit carers",
    "Commission",
    "Decommission",
    "Sufficient",
)
VERDICTS = (RECRUIT, COMMISSION, DECOMMISSION, SUFFICIENT)

# Households approved only for these give no home of their own to a child who needs one.
NOT_A_HOME = int(CareType.SHORT_BREAKS | CareType.STAYING_PUT)

# Lots that buy for a specialist need in a domain (any other specialist need: enhanced).
SPECIALIST_DOMAIN_LOTS = {"disability": LotService.DISABILITY}

# The forecast's age bands (forecast.AGE_BANDS) as ages: the first age of each band.
BAND_STARTS = (0, 1, 5, 10, 16)
BAND_LAST_AGE = 25  # the oldest age a household may be approved for
GROUPS = {1: "1", 2: "2", 3: "3 or more"}

NO_NEED, NOT_ASSESSED, ALL_NEEDS = "", "?", "*"
# Rows that are not one need at one level: (need, level) as the tables say them.
SPECIAL_NEEDS = {
    NO_NEED: ("No identified need", "None"),
    NOT_ASSESSED: ("Needs not assessed", "Not known"),
    ALL_NEEDS: ("All needs", "All levels"),
}
REFERRALS_SOURCE, COHORT_SOURCE, FEW_SOURCE = "referrals", "cohort", "few"

Key = tuple[str, int, int, int]  # need code, level rank, age band index, group size
Mix = list[tuple[str, int, float]]  # (need code, level rank, share of children)


def band_of(age: int) -> int:
    """The index in forecast.AGE_BANDS of the band `age` falls in."""
    return max(i for i, start in enumerate(BAND_STARTS) if age >= start or i == 0)


def band_ages(band: int) -> tuple[int, int]:
    last = BAND_STARTS[band + 1] - 1 if band + 1 < len(BAND_STARTS) else BAND_LAST_AGE
    return BAND_STARTS[band], last


# --- What is read --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Home:
    """Where a referral's children live: their home postcode district (else their LA's centre)."""

    key: str
    lat: float
    lng: float


@dataclass(frozen=True)
class _Demand:
    rcc_id: int
    band: int
    group: int
    home: _Home
    children: float  # a year, projected
    needs: dict[str, int] | None  # the referral's own assessment, when it is the source


@dataclass
class _Register:
    """The scope's home-giving active households as arrays (one entry per household)."""

    rcc: np.ndarray
    la: np.ndarray
    places: np.ndarray
    vacancies: np.ndarray
    free: np.ndarray  # places expected free in 12 months
    age_min: np.ndarray
    age_max: np.ndarray
    max_group: np.ndarray
    ifa: np.ndarray
    site: np.ndarray  # index into site_lat / site_lng
    site_lat: np.ndarray  # radians
    site_lng: np.ndarray
    codes: list[str]  # the need domains, in the order of `skills`' columns
    skills: np.ndarray  # households × need domains: the highest level rank met (0: none)
    ended: dict[int, int]  # LA → placements in its households ended in the window
    turnover: dict[int, float]  # LA → places turning over a year, per approved place


def _annual(facts: Facts) -> float:
    return HORIZON_DAYS / facts.period.days


def _referral_homes(facts: Facts, referrals: list[ReferralFact]) -> dict[int, tuple[int, _Home]]:
    """Referral id → (children on it, their home), for the referrals that want a fostering home."""
    out: dict[int, tuple[int, _Home]] = {}
    ids = [r.pk for r in referrals]
    for i in range(0, len(ids), CHUNK):
        rows = (
            Referral.objects.filter(pk__in=ids[i : i + CHUNK])
            .exclude(suitability_foster=Suitability.UNSUITABLE)
            .annotate(siblings_count=Count("siblings"))
            .values_list(
                "pk",
                "siblings_count",
                "child__home_postcode_district_id",
                "child__home_postcode_district__latitude",
                "child__home_postcode_district__longitude",
                "la_id",
                "la__latitude",
                "la__longitude",
            )
        )
        for pk, siblings, district, lat, lng, la_id, la_lat, la_lng in rows:
            if district is not None:
                home = _Home(district, lat, lng)
            else:  # no home district recorded: the LA's centre, or nowhere near anything
                home = _Home(f"LA {la_id}", la_lat or math.nan, la_lng or math.nan)
            out[pk] = (1 + siblings, home)
    return out


def _cohort_mix(facts: Facts, la_ids: list[int]) -> dict[int, tuple[int, dict[int, Mix]]]:
    """RCC → (children assessed, age band → needs mix) of the looked-after children in foster
    care today (an open care episode in a fostering placement, or a platform placement) in the
    RCC's LAs, from each child's latest needs assessment."""
    today = facts.today
    running = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    fostered = CareEpisode.objects.filter(running, placement_type__in=PlacementType.values)
    placed = Placement.objects.filter(running)
    children = Child.objects.filter(la_id__in=la_ids).filter(
        Q(pk__in=fostered.values("child_id")) | Q(pk__in=placed.values("child_id"))
    )
    latest: dict[int, tuple[int, int]] = {}  # child → (version, assessment)
    for pk, child_id, version in NeedsAssessment.objects.filter(
        child__in=children.values("pk")
    ).values_list("pk", "child_id", "version"):
        if child_id not in latest or version > latest[child_id][0]:
            latest[child_id] = (version, pk)
    if not latest:
        return {}
    wanted = {pk for _version, pk in latest.values()}
    needs: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, code, rank in NeedsAssessmentItem.objects.filter(
        assessment__child__in=children.values("pk"), level__rank__gt=0
    ).values_list("assessment_id", "domain__code", "level__rank"):
        if assessment_id in wanted:
            needs[assessment_id][code] = rank
    per_rcc: dict[int, list[tuple[int, dict[str, int]]]] = defaultdict(list)
    for child_id, la_id, born in children.filter(pk__in=list(latest)).values_list(
        "pk", "la_id", "date_of_birth"
    ):
        rcc_id = facts.rcc_of_la.get(la_id)
        if rcc_id is not None:
            age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
            per_rcc[rcc_id].append((band_of(age), needs.get(latest[child_id][1], {})))
    return {rcc_id: (len(rows), _mix(rows)) for rcc_id, rows in per_rcc.items()}


def _mix(rows: list[tuple[int, dict[str, int]]]) -> dict[int, Mix]:
    """Age band (and -1: every age) → the share of children with each need at each level, and
    with none."""
    counts: dict[int, Counter[tuple[str, int]]] = defaultdict(Counter)
    totals: Counter[int] = Counter()
    for band, needs in rows:
        for b in (band, -1):
            totals[b] += 1
            for code, rank in needs.items() or [(NO_NEED, 0)]:
                counts[b][(code, rank)] += 1
    return {
        b: [(code, rank, n / totals[b]) for (code, rank), n in sorted(counts[b].items())]
        for b in totals
    }


def _register(facts: Facts) -> _Register:
    la_ids = [la for la in facts.la_ids if la in facts.rcc_of_la]
    rows = list(
        Household.objects.filter(status=HouseholdStatus.ACTIVE, la_id__in=la_ids)
        .exclude(care_types=0)
        .values_list(
            "pk",
            "la_id",
            "places",
            "care_types",
            "age_min",
            "age_max",
            "max_sibling_group",
            "postcode_district_id",
            "latitude",
            "longitude",
            "provider__organisation__kind",
        )
    )
    rows = [r for r in rows if r[3] & ~NOT_A_HOME]
    index = {r[0]: i for i, r in enumerate(rows)}
    codes = [code for code, _name in facts.domains]
    column = {code: i for i, code in enumerate(codes)}
    skills = np.zeros((len(rows), len(codes)), dtype=np.int8)
    domain_column = {
        pk: column[code]
        for pk, code in NeedDomain.objects.values_list("pk", "code")
        if code in column
    }
    rank_of = dict(NeedLevel.objects.values_list("pk", "rank"))
    for hh, domain, level in HouseholdSkill.objects.filter(
        household__status=HouseholdStatus.ACTIVE, household__la_id__in=la_ids
    ).values_list("household_id", "domain_id", "level_id"):  # no joins: 200k rows nationally
        if hh in index and domain in domain_column:
            skills[index[hh], domain_column[domain]] = rank_of[level]
    vacancies = Counter(v.household_id for v in facts.vacancies)
    sites: dict[str, int] = {}
    site_points: list[tuple[float, float]] = []
    for r in rows:
        if r[7] not in sites:
            sites[r[7]] = len(site_points)
            site_points.append((r[8], r[9]))
    ended = dict(
        Placement.objects.filter(
            end_date__gte=facts.period.start,
            end_date__lte=facts.period.end,
            household__status=HouseholdStatus.ACTIVE,
            household__la_id__in=la_ids,
        )
        .values_list("household__la_id")
        .annotate(n=Count("pk"))
        .values_list("household__la_id", "n")
    )
    places_of_la: Counter[int] = Counter()
    for r in rows:
        places_of_la[r[1]] += r[2]
    turnover = {
        la: ended.get(la, 0) * _annual(facts) / places for la, places in places_of_la.items()
    }
    la = np.array([r[1] for r in rows], dtype=np.int64)
    places = np.array([r[2] for r in rows], dtype=float)
    vacant = np.array([min(vacancies[r[0]], r[2]) for r in rows], dtype=float)
    rate = np.array([turnover.get(r[1], 0.0) for r in rows], dtype=float)
    points = np.radians(np.array(site_points, dtype=float).reshape(-1, 2))
    return _Register(
        rcc=np.array([facts.rcc_of_la[r[1]] for r in rows], dtype=np.int64),
        la=la,
        places=places,
        vacancies=vacant,
        free=vacant + (places - vacant) * rate,
        age_min=np.array([r[4] for r in rows], dtype=np.int64),
        age_max=np.array([r[5] for r in rows], dtype=np.int64),
        max_group=np.array([r[6] for r in rows], dtype=np.int64),
        ifa=np.array([r[10] == OrganisationKind.IFA for r in rows], dtype=bool),
        site=np.array([sites[r[7]] for r in rows], dtype=np.int64),
        site_lat=points[:, 0],
        site_lng=points[:, 1],
        codes=codes,
        skills=skills,
        ended=ended,
        turnover=turnover,
    )


# --- Working out each row -------------------------------------------------------------------


@dataclass
class Figures:
    """One row's figures; rows of several RCCs add up (England)."""

    demand: float = 0.0  # children a year, projected
    places: float = 0.0  # approved places in households able to meet the row
    near_places: float = 0.0  # of those, within 20 miles of the children's homes
    near_vacancies: float = 0.0  # open vacancies now in those nearby households
    free_near: float = 0.0  # places expected free in 12 months in those nearby households
    met: float = 0.0  # children who could have one of those places (each place once)
    ifa_free_beyond: float = 0.0  # places expected free with IFAs further away in the RCC

    def add(self, other: Figures) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def shortfall(self) -> float:
        return max(0.0, self.demand - self.met)

    @property
    def spare(self) -> float:
        """Places expected free near the children's homes beyond those they could take."""
        return max(0.0, self.free_near - self.met)

    @property
    def vacancy_rate(self) -> float | None:
        return pct(self.near_vacancies, self.near_places)


def placeable(demand: np.ndarray, supply: np.ndarray, near: np.ndarray) -> float:
    """The most children (`demand` per home district) that could have a place (`supply` per
    household district) within reach (`near`: home districts × household districts), each place
    used once: a maximum flow from the homes through the reachable districts.

    Most rows have places to spare, so bounds settle them first: each home sharing its demand
    over its reachable places in proportion (clipped where a district is over-asked) is a
    feasible flow; no home can have more than it reaches, nor a district give more than its
    places or its homes ask. Where the two meet, that is the answer."""
    d = np.rint(demand * SCALE)
    s = np.rint(supply * SCALE)
    ks, js = d > 0, s > 0
    d, s = d[ks], s[js]
    reach = near[np.ix_(ks, js)].astype(float)
    reachable = reach @ s  # places within reach of each home
    asked = reach.T @ d  # children within reach of each district
    upper = min(float(np.minimum(d, reachable).sum()), float(np.minimum(s, asked).sum()))
    if upper <= 0:
        return 0.0
    share = np.divide(d, reachable, out=np.zeros_like(d), where=reachable > 0)
    load = s * (reach.T @ share)
    lower = float(np.minimum(s, load).sum())
    if upper - lower < 1:  # the flow is whole (hundredths) and the upper bound is whole
        return upper / SCALE
    k, n = reach.shape
    hk, hs = np.nonzero(reach)
    sink = k + n + 1
    rows = np.concatenate([np.zeros(k, dtype=np.int32), 1 + hk, 1 + k + np.arange(n)])
    cols = np.concatenate([1 + np.arange(k), 1 + k + hs, np.full(n, sink)])
    caps = np.concatenate([d, np.full(len(hk), min(d.sum(), s.sum())), s]).astype(np.int32)
    graph = csr_matrix((caps, (rows, cols)), shape=(sink + 1, sink + 1))
    return float(maximum_flow(graph, 0, sink).flow_value) / SCALE


def _rcc_figures(wanted: _RccDemand, register: _Register, rcc_id: int) -> dict[Key, Figures]:
    """Each row's figures for one RCC: its children against its own register."""
    mine = np.nonzero(register.rcc == rcc_id)[0]
    sites, site = np.unique(register.site[mine], return_inverse=True)
    lat, lng = register.site_lat[sites], register.site_lng[sites]
    homes = wanted.homes
    near = np.zeros((len(homes), len(sites)), dtype=bool)
    for i, h in enumerate(homes):
        if len(sites) and not math.isnan(h.lat):
            near[i] = miles_from((h.lat, h.lng), lat, lng) <= WITHIN_MILES
    places, vacancies, free = (
        register.places[mine],
        register.vacancies[mine],
        register.free[mine],
    )
    ifa = register.ifa[mine]
    fits: dict[tuple[int, int], np.ndarray] = {}
    skilled: dict[tuple[str, int], np.ndarray] = {}
    column = {code: i for i, code in enumerate(register.codes)}
    out: dict[Key, Figures] = {}
    for key, demand in wanted.rows.items():
        code, rank, band, group = key
        if (band, group) not in fits:
            lo, hi = band_ages(band)
            fits[(band, group)] = (
                (register.age_min[mine] <= hi)
                & (register.age_max[mine] >= lo)
                & (register.max_group[mine] >= group)
            )
        able = fits[(band, group)]
        if code not in SPECIAL_NEEDS:
            if (code, rank) not in skilled:
                skilled[(code, rank)] = register.skills[mine, column[code]] >= rank
            able = able & skilled[(code, rank)]
        per_site = np.bincount(site[able], weights=free[able], minlength=len(sites))
        reach: np.ndarray = np.asarray(near[demand > 0].any(axis=0))
        near_able = able & reach[site]
        beyond = able & ~reach[site] & ifa
        out[key] = Figures(
            demand=float(demand.sum()),
            places=float(places[able].sum()),
            near_places=float(places[near_able].sum()),
            near_vacancies=float(vacancies[near_able].sum()),
            free_near=float(free[near_able].sum()),
            met=placeable(demand, per_site, near),
            ifa_free_beyond=float(free[beyond].sum()),
        )
    return out


# --- Demand --------------------------------------------------------------------------------


@dataclass
class _Source:
    kind: str  # REFERRALS_SOURCE, COHORT_SOURCE or FEW_SOURCE
    assessed_referrals: int
    cohort_children: int


def _demand(facts: Facts) -> tuple[list[_Demand], dict[int, _Source], dict[int, dict[int, Mix]]]:
    """The referrals' children a year, projected, with the needs mix each RCC's figures use."""
    referrals = facts.referrals_in(facts.period)
    homes = _referral_homes(facts, referrals)
    referrals = [r for r in referrals if r.pk in homes]
    growth = forecast.projected_growth(facts)
    bands = forecast.AGE_BANDS
    annual = _annual(facts)
    assessed: dict[int, list[tuple[int, dict[str, int]]]] = defaultdict(list)
    for r in referrals:
        if r.assessed:
            assessed[r.rcc_id].append((band_of(r.age), r.needs))
    few = [rcc for rcc in facts.rccs if len(assessed[rcc]) < MIN_ASSESSED_REFERRALS]
    cohort = _cohort_mix(facts, facts.la_ids) if few else {}
    sources: dict[int, _Source] = {}
    mixes: dict[int, dict[int, Mix]] = {}
    for rcc in facts.rccs:
        count, mix = cohort.get(rcc, (0, {}))
        if rcc in few and count:
            sources[rcc] = _Source(COHORT_SOURCE, len(assessed[rcc]), count)
            mixes[rcc] = mix
        elif rcc in few:  # the few assessments count for their own children only
            sources[rcc] = _Source(FEW_SOURCE, len(assessed[rcc]), 0)
            mixes[rcc] = {}
        else:
            sources[rcc] = _Source(REFERRALS_SOURCE, len(assessed[rcc]), 0)
            mixes[rcc] = _mix(assessed[rcc])
    out = []
    for r in referrals:
        children, home = homes[r.pk]
        band = band_of(r.age)
        own = r.needs if r.assessed and sources[r.rcc_id].kind != COHORT_SOURCE else None
        out.append(
            _Demand(
                r.rcc_id,
                band,
                min(children, max(GROUPS)),
                home,
                children * annual * growth.get(bands[band], 1.0),
                own,
            )
        )
    return out, sources, mixes


@dataclass
class _RccDemand:
    """One RCC's children a year by row, as vectors over the districts they live in."""

    homes: list[_Home]
    rows: dict[Key, np.ndarray]


def _rows(demands: list[_Demand], mixes: dict[int, dict[int, Mix]]) -> dict[int, _RccDemand]:
    """RCC → row → children a year at each home district. A child counts in the row of each
    need it has (or its share of each need in the mix), and once in its age band and group
    size's row of all needs."""
    mine: dict[int, list[_Demand]] = defaultdict(list)
    for d in demands:
        mine[d.rcc_id].append(d)
    out = {}
    for rcc_id, items in mine.items():
        homes = sorted({d.home for d in items}, key=lambda h: h.key)
        where = {h: i for i, h in enumerate(homes)}
        zeros = partial(np.zeros, len(homes))
        rows: dict[Key, np.ndarray] = defaultdict(zeros)
        for d in items:  # every child in its age band and group size; its own needs
            rows[(ALL_NEEDS, 0, d.band, d.group)][where[d.home]] += d.children
            if d.needs is not None:
                for code, rank in d.needs.items() or [(NO_NEED, 0)]:
                    rows[(code, rank, d.band, d.group)][where[d.home]] += d.children
        mixed: dict[tuple[int, int], np.ndarray] = defaultdict(zeros)
        for d in items:
            if d.needs is None:
                mixed[(d.band, d.group)][where[d.home]] += d.children
        mix = mixes.get(rcc_id, {})
        for (band, group), children in mixed.items():  # the others in shares of the mix
            for code, rank, share in mix.get(band) or mix.get(-1) or [(NOT_ASSESSED, 0, 1.0)]:
                rows[(code, rank, band, group)] += children * share
        out[rcc_id] = _RccDemand(homes, dict(rows))
    return out


# --- Verdicts and lots -----------------------------------------------------------------------


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


class _Lots:
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


# --- Tables --------------------------------------------------------------------------------

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

    sources: dict[int, _Source]
    per_rcc: dict[int, dict[Key, Figures]]
    scope: dict[Key, Figures]
    register: _Register
    lots: _Lots


def _compute(facts: Facts) -> _Built:
    demands, sources, mixes = _demand(facts)
    rows = _rows(demands, mixes)
    register = _register(facts)
    per_rcc = {rcc: _rcc_figures(rows[rcc], register, rcc) for rcc in facts.rccs if rcc in rows}
    scope: dict[Key, Figures] = defaultdict(Figures)
    for figures in per_rcc.values():
        for key, f in figures.items():
            scope[key].add(f)
    return _Built(sources, per_rcc, dict(scope), register, _Lots(facts))


def _labels(facts: Facts, key: Key) -> list[str]:
    code, rank, band, group = key
    levels = dict(facts.levels)
    need, level = SPECIAL_NEEDS.get(code) or (
        dict(facts.domains).get(code, code),
        levels.get(rank, str(rank)),
    )
    return [need, level, forecast.AGE_BANDS[band], GROUPS[group]]


def _ordered(facts: Facts, keys: Any) -> list[Key]:
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
            f"{s.assessed_referrals} referrals in the window had an assessment (fewer than "
            f"{MIN_ASSESSED_REFERRALS})."
        )
    if s.kind == REFERRALS_SOURCE:
        return (
            f"Needs: the referrals' own assessments ({s.assessed_referrals:,} referrals); a "
            "referral without one takes the mix of those in its age band."
        )
    return (
        f"Needs: the {s.assessed_referrals} referrals with an assessment; the others are "
        "counted as needs not assessed (no child in foster care in the RCC's LAs has one)."
    )


RULE = (
    "Each row: the children expected to need a home in the next 12 months with this need at "
    "this level (referrals in the last two years, annualised, grown by the forecast for their "
    "age band) against the approved places of households in the RCC's LAs approved for the "
    "ages, the group size and this need at this level or above. Places expected free: open "
    "vacancies now plus occupied places turning over at the LA's rate. A place counts only "
    "within 20 miles of a child's home postcode district, and once across the row's children. "
    f"Short means at least {SHORTFALL_CHILDREN:g} children a year without one. Recruit carers: "
    "a shortfall where the need is general (below High, one or two children). Commission: a "
    f"shortfall for a High or Complex need or {SPECIALIST_GROUP} or more children together (from "
    "the lot named), or a general shortfall that IFA homes further away in the RCC could fill "
    "(standard lot). Decommission: places expected free within 20 miles at least "
    f"{DECOMMISSION_RATIO:g} times the demand and {DECOMMISSION_MIN_SPARE:g} or more spare, with "
    f"{DECOMMISSION_VACANCY_RATE:g}% or more of them vacant now. Otherwise sufficient. A child "
    "counts in the row of every need it has, and a household in every row it can meet."
)


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
        note=f"{RULE} {_source_note(facts, built)}{england}",
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
            Col("turnover", "Places turning over a year, per place", RATE),
            Col("free", "Places expected free in 12 months"),
        ],
        note="Active households approved to give a home (not short breaks or staying put "
        "alone), in the LA they live in. Vacancy rate: open vacancies over approved places. "
        "Turnover: placements in the LA's households that ended in the two-year window, a "
        "year, per approved place. Places expected free: open vacancies now plus occupied "
        "places at that turnover.",
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
                round(reg.turnover.get(la, 0.0), 2),
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
    from .build import memo  # build imports this module

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
