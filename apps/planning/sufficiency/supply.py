"""Sufficiency: the supply. The scope's register as arrays, the places expected free in 12
months, and each row's figures: the able places, those near the children's homes and the
children who could have one (each place once)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, fields

import numpy as np
from django.db.models import Count
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind
from apps.providers.choices import CareType, HouseholdStatus
from apps.providers.models import Household, HouseholdSkill
from apps.referrals.matching.distance import miles_from
from apps.referrals.models import Placement
from apps.reporting.build.facts import Facts
from apps.reporting.build.measures import WITHIN_MILES
from apps.reporting.build.tables import pct

from .demand import RccDemand, annual
from .rules import SPECIAL_NEEDS, Key, band_ages

# Households approved only for these give no home of their own to a child who needs one.
NOT_A_HOME = int(CareType.SHORT_BREAKS | CareType.STAYING_PUT)

SCALE = 100  # the maximum flow counts in hundredths of a child


@dataclass
class Register:
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


def read_register(facts: Facts) -> Register:
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
        la: ended.get(la, 0) * annual(facts) / places for la, places in places_of_la.items()
    }
    la = np.array([r[1] for r in rows], dtype=np.int64)
    places = np.array([r[2] for r in rows], dtype=float)
    vacant = np.array([min(vacancies[r[0]], r[2]) for r in rows], dtype=float)
    rate = np.array([turnover.get(r[1], 0.0) for r in rows], dtype=float)
    points = np.radians(np.array(site_points, dtype=float).reshape(-1, 2))
    return Register(
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


def rcc_figures(wanted: RccDemand, register: Register, rcc_id: int) -> dict[Key, Figures]:
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
