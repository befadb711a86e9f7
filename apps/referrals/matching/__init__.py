"""Matching: which homes can take this child, and how well each meets the child's needs.

One search covers every kind of provider at once: the child's own LA's service (in-house),
other LAs' services and independent fostering agencies (DOMAIN.md §4). Two steps, both shown:

1. **Hard constraints** (`rules`) exclude homes that cannot take the child: age and sibling
   group approval, enough places free by the latest start date, "solo" and "only older/younger",
   high risk to younger children or to animals, places to avoid, emergency approval. Each
   excluded home's reasons are counted, so the hub sees "N homes excluded because ...".
2. A **transparent weighted score** (`score`) orders the rest with the RCC's weights; every
   factor's weight, raw value, points and a sentence explaining it are shown, and the points add
   up to the score. No opaque model: the score orders options for the people who decide.

Homes come from the register (`register`) in a constant number of queries: a bounding box on
the (latitude, longitude) index, then exact great-circle distances.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils import timezone

from apps.providers.choices import HouseholdStatus
from apps.providers.querysets import stale_before

from ..models import MatchingWeights, Referral
from .distance import miles, miles_from
from .profile import (
    PROFILE_SELECT,
    Need,
    Profile,
    age_on,
    profile_for,
    profiles_for,
    weights_for,
    weights_of,
)
from .register import Area, Home, area_for, forget_snapshot, load_named
from .rules import PROVIDER_TYPE_CHOICES, Exclusion, ProviderType, exclusion_masks
from .score import (
    FACTOR_CODES,
    FACTORS,
    Contribution,
    Option,
    OptionList,
    Scored,
    Scorer,
    best_first,
    read_preferences,
    total_score,
)
from .stability import STABILITY_MIN_ENDINGS, STABILITY_WINDOW_DAYS, Stability, stability_for

__all__ = [
    "FACTORS",
    "FACTOR_CODES",
    "PROFILE_SELECT",
    "PROVIDER_TYPE_CHOICES",
    "STABILITY_MIN_ENDINGS",
    "STABILITY_WINDOW_DAYS",
    "Area",
    "Assessment",
    "Contribution",
    "Exclusion",
    "Home",
    "Need",
    "Option",
    "OptionList",
    "Profile",
    "ProviderType",
    "Ranking",
    "Scored",
    "Scorer",
    "Stability",
    "age_on",
    "area_for",
    "assess_households",
    "best_first",
    "exclusion_masks",
    "forget_snapshot",
    "miles",
    "miles_from",
    "profile_for",
    "profiles_for",
    "rank_options",
    "rank_referral",
    "read_preferences",
    "screen",
    "stability_for",
    "total_score",
    "weights_for",
    "weights_of",
]


@dataclass
class Screened:
    """Homes within the radius with enough places: the indexes (in the area) of those that
    pass the hard constraints, and the exclusions counted by reason."""

    idx: np.ndarray
    distances: np.ndarray
    free: np.ndarray
    excluded: Counter[str]
    excluded_homes: int
    considered: int


def screen(profile: Profile, area: Area, radius: float) -> Screened:
    idx, distances, free = area.near(profile, radius)
    masks = exclusion_masks(profile, area, idx)
    excluded_any = np.zeros(len(idx), dtype=bool)
    excluded: Counter[str] = Counter()
    for reason, mask in masks.items():
        count = int(mask.sum())
        if count:
            excluded[reason] = count
            excluded_any |= mask
    keep = ~excluded_any
    return Screened(
        idx[keep], distances[keep], free[keep], excluded, int(excluded_any.sum()), len(idx)
    )


def rank_options(
    profile: Profile, weights: MatchingWeights, area: Area, today: dt.date
) -> tuple[OptionList, Screened]:
    """The options of one referral in an area, best first, and what was excluded."""
    radius = float(weights.search_radius_miles)
    screened = screen(profile, area, radius)
    area.complete(screened.idx, (n.domain_id for n in profile.needs), today)
    scorer = Scorer(profile, weights, area.stability or {}, radius)
    return OptionList(scorer.score(area, screened.idx, screened.distances, screened.free)), screened


@dataclass
class Ranking:
    profile: Profile
    weights: MatchingWeights
    radius: float
    considered: int  # homes within the radius with enough places by the date
    options: OptionList
    excluded: Counter[str]
    excluded_homes: int

    @property
    def exclusion_summary(self) -> list[dict[str, Any]]:
        return [
            {"reason": reason, "homes": n, "text": Exclusion.TEXT[reason]}
            for reason, n in self.excluded.most_common()
        ]

    def filtered(
        self,
        *,
        provider_types: Iterable[str] | None = None,
        max_distance: float | None = None,
        sort: str = "score",
    ) -> OptionList:
        scored = self.options.scored
        keep = np.isin(scored.provider_types, list(provider_types or ProviderType.ALL))
        if max_distance is not None:
            keep &= scored.distances <= max_distance
        shown = self.options.where(keep)
        if sort == "distance":
            ids = scored.household_ids[shown.positions]
            by = np.lexsort(
                (ids, -scored.scores[shown.positions], scored.distances[shown.positions])
            )
            shown = OptionList(scored, shown.positions[by])
        return shown

    def type_counts(self) -> dict[str, int]:
        types = self.options.scored.provider_types
        return {t: int((types == t).sum()) for t in ProviderType.ALL}


def rank_referral(
    referral: Referral,
    *,
    weights: MatchingWeights | None = None,
    today: dt.date | None = None,
) -> Ranking:
    """Every home that can take the child, best first, with the exclusions explained."""
    today = today or timezone.localdate()
    profile = profile_for(referral, today=today)
    weights = weights or weights_of(referral)
    radius = float(weights.search_radius_miles)
    options, screened = rank_options(profile, weights, area_for([profile], radius), today)
    return Ranking(
        profile=profile,
        weights=weights,
        radius=radius,
        considered=screened.considered,
        options=options,
        excluded=screened.excluded,
        excluded_homes=screened.excluded_homes,
    )


@dataclass
class Assessment:
    """One named home checked against a referral: an option, or the reasons it is not one."""

    household_id: int
    option: Option | None
    reasons: list[str]

    @property
    def text(self) -> str:
        return "; ".join(Exclusion.TEXT[r] for r in self.reasons)


def assess_households(
    referral: Referral,
    household_ids: Iterable[int],
    *,
    weights: MatchingWeights | None = None,
    today: dt.date | None = None,
) -> dict[int, Assessment]:
    """Is each named household still a candidate, on the live register? (Before sending.)"""
    today = today or timezone.localdate()
    profile = profile_for(referral, today=today)
    weights = weights or weights_for(profile.rcc_id)
    radius = float(weights.search_radius_miles)
    area = Area(load_named(household_ids), None, detailed=False)
    everyone = np.arange(len(area.homes))
    area.complete(everyone, (n.domain_id for n in profile.needs), today)
    distances = miles_from(profile.centre, area.lat, area.lng)
    day = profile.start_by.toordinal()
    free = np.bincount(area.place_home[area.place_day <= day], minlength=len(area.homes))
    masks = exclusion_masks(profile, area, everyone)
    scorer = Scorer(profile, weights, area.stability or {}, radius)
    stale = stale_before()
    out: dict[int, Assessment] = {}
    for i, home in enumerate(area.homes):
        reasons = []
        if home.status != HouseholdStatus.ACTIVE:
            reasons.append(Exclusion.INACTIVE)
        if home.last_confirmed_at < stale:
            reasons.append(Exclusion.STALE)
        if free[i] < profile.group_size:
            reasons.append(Exclusion.PLACES)
        if distances[i] > radius:
            reasons.append(Exclusion.DISTANCE)
        reasons += [reason for reason, mask in masks.items() if mask[i]]
        option = None
        if not reasons:
            one = np.array([i])
            option = scorer.score(area, one, distances[one], free[one]).option(0)
        out[home.id] = Assessment(home.id, option, reasons)
    return out
