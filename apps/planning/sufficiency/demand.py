"""Sufficiency: the demand. The children of the referrals sent in the reference window, a year,
grown by the forecast for their age band, by row and home district; the needs from the
referrals' assessments or the looked-after cohort's mix."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial

import numpy as np
from django.db.models import Count, Q

from apps.referrals.choices import PlacementType, Suitability
from apps.referrals.models import (
    CareEpisode,
    Child,
    NeedsAssessment,
    NeedsAssessmentItem,
    Placement,
    Referral,
)
from apps.reporting.build.facts import CHUNK, Facts, ReferralFact

from .. import forecast
from .rules import (
    ALL_NEEDS,
    GROUPS,
    MIN_ASSESSED_REFERRALS,
    NO_NEED,
    NOT_ASSESSED,
    Key,
    Mix,
    band_of,
)

HORIZON_DAYS = 365.25

REFERRALS_SOURCE, COHORT_SOURCE, FEW_SOURCE = "referrals", "cohort", "few"


@dataclass(frozen=True)
class Home:
    """Where a referral's children live: their home postcode district (else their LA's centre)."""

    key: str
    lat: float
    lng: float


@dataclass(frozen=True)
class Demand:
    rcc_id: int
    band: int
    group: int
    home: Home
    children: float  # a year, projected
    needs: dict[str, int] | None  # the referral's own assessment, when it is the source


def annual(facts: Facts) -> float:
    return HORIZON_DAYS / facts.period.days


def _referral_homes(facts: Facts, referrals: list[ReferralFact]) -> dict[int, tuple[int, Home]]:
    """Referral id → (children on it, their home), for the referrals that want a fostering home."""
    out: dict[int, tuple[int, Home]] = {}
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
                home = Home(district, lat, lng)
            else:  # no home district recorded: the LA's centre, or nowhere near anything
                home = Home(f"LA {la_id}", la_lat or math.nan, la_lng or math.nan)
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


@dataclass
class Source:
    """Where an RCC's needs mix comes from."""

    kind: str  # REFERRALS_SOURCE, COHORT_SOURCE or FEW_SOURCE
    referrals: int
    assessed_referrals: int
    cohort_children: int


def read_demand(facts: Facts) -> tuple[list[Demand], dict[int, Source], dict[int, dict[int, Mix]]]:
    """The referrals' children a year, projected, with the needs mix each RCC's figures use."""
    referrals = facts.referrals_in(facts.period)
    homes = _referral_homes(facts, referrals)
    referrals = [r for r in referrals if r.pk in homes]
    growth = forecast.projected_growth(facts)
    bands = forecast.AGE_BANDS
    a_year = annual(facts)
    assessed: dict[int, list[tuple[int, dict[str, int]]]] = defaultdict(list)
    counts = Counter(r.rcc_id for r in referrals)
    for r in referrals:
        if r.assessed:
            assessed[r.rcc_id].append((band_of(r.age), r.needs))
    few = [rcc for rcc in facts.rccs if len(assessed[rcc]) < MIN_ASSESSED_REFERRALS]
    cohort = _cohort_mix(facts, facts.la_ids) if few else {}
    sources: dict[int, Source] = {}
    mixes: dict[int, dict[int, Mix]] = {}
    for rcc in facts.rccs:
        count, mix = cohort.get(rcc, (0, {}))
        if rcc in few and count:
            sources[rcc] = Source(COHORT_SOURCE, counts[rcc], len(assessed[rcc]), count)
            mixes[rcc] = mix
        elif rcc in few:  # the few assessments count for their own children only
            sources[rcc] = Source(FEW_SOURCE, counts[rcc], len(assessed[rcc]), 0)
            mixes[rcc] = {}
        else:
            sources[rcc] = Source(REFERRALS_SOURCE, counts[rcc], len(assessed[rcc]), 0)
            mixes[rcc] = _mix(assessed[rcc])
    out = []
    for r in referrals:
        children, home = homes[r.pk]
        band = band_of(r.age)
        own = r.needs if r.assessed and sources[r.rcc_id].kind != COHORT_SOURCE else None
        out.append(
            Demand(
                r.rcc_id,
                band,
                min(children, max(GROUPS)),
                home,
                children * a_year * growth.get(bands[band], 1.0),
                own,
            )
        )
    return out, sources, mixes


@dataclass
class RccDemand:
    """One RCC's children a year by row, as vectors over the districts they live in."""

    homes: list[Home]
    rows: dict[Key, np.ndarray]


def demand_rows(demands: list[Demand], mixes: dict[int, dict[int, Mix]]) -> dict[int, RccDemand]:
    """RCC → row → children a year at each home district. A child counts in the row of each
    need it has (or its share of each need in the mix), and once in its age band and group
    size's row of all needs."""
    mine: dict[int, list[Demand]] = defaultdict(list)
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
        out[rcc_id] = RccDemand(homes, dict(rows))
    return out
