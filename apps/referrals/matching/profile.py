"""The child's side of matching: what the search needs to know about a referral, read once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.core.errors import DomainError
from apps.needs.models import NeedLevel

from ..choices import PetsOk, RiskLevel, Urgency
from ..models import Child, MatchingWeights, NeedsAssessmentItem, Referral


@dataclass(frozen=True)
class Need:
    domain_id: int
    domain: str
    rank: int
    level: str


@dataclass
class Profile:
    referral_id: int
    rcc_id: int
    la_id: int
    age: int
    ages: tuple[int, ...]  # the child, then each sibling to be placed with them
    start_by: dt.date
    centre: tuple[float, float]
    centre_label: str
    school: tuple[float, float] | None
    school_label: str
    keep_school: bool
    stay_close: bool
    needs: tuple[Need, ...]
    level_names: dict[int, str]
    languages: frozenset[str]
    religion: str
    ethnicity: str
    live_alongside: str
    risk_to_younger: bool
    harm_animals: bool
    no_pets: bool
    emergency: bool
    avoid: frozenset[str]

    @property
    def group_size(self) -> int:
        return len(self.ages)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# What the search reads with the referral (views select it up front to save queries). The LA
# (the centre to search from when there is no postcode district) is read only when needed.
PROFILE_SELECT = (
    "child__home_postcode_district",
    "family_postcode_district",
    "school_postcode_district",
)
_PROFILE_RELATIONS = (
    Referral.child.field,
    Referral.family_postcode_district.field,
    Referral.school_postcode_district.field,
)


def weights_for(rcc_id: int) -> MatchingWeights:
    """The RCC's weights; the defaults are created the first time they are needed."""
    weights, _ = MatchingWeights.objects.get_or_create(rcc_id=rcc_id)
    return weights


_WEIGHTS: dict[int, tuple[float, MatchingWeights]] = {}


def weights_of(referral: Referral) -> MatchingWeights:
    """The weights of the referral's RCC for ranking. Kept by the process with the register
    snapshot for MATCHING_REGISTER_CACHE_SECONDS (read every time when that is 0); the process
    that changes them forgets its copy at once (`forget_weights`)."""
    keep = _cache_seconds()
    cached = _WEIGHTS.get(referral.rcc_id)
    if cached is not None and time.monotonic() - cached[0] < keep:
        return cached[1]
    weights = weights_for(referral.rcc_id)
    if keep > 0:
        _WEIGHTS[referral.rcc_id] = (time.monotonic(), weights)
    return weights


def forget_weights(rcc_id: int) -> None:
    _WEIGHTS.pop(rcc_id, None)


def _cache_seconds() -> int:
    return int(getattr(settings, "MATCHING_REGISTER_CACHE_SECONDS", 0) or 0)


def profile_for(referral: Referral, *, today: dt.date | None = None) -> Profile:
    """Read what the search needs about the referral (three small queries)."""
    today = today or timezone.localdate()
    loaded = all(f.is_cached(referral) for f in _PROFILE_RELATIONS)
    if not (loaded and Child.home_postcode_district.field.is_cached(referral.child)):
        referral = Referral.objects.select_related(*PROFILE_SELECT).get(pk=referral.pk)
    return _profile(referral, list(referral.siblings.all()), _needs(referral), today)


def profiles_for(referrals: Sequence[Referral], *, today: dt.date | None = None) -> list[Profile]:
    """Profiles for many referrals in a constant number of queries (batch matching). A
    referral with nowhere to search from is left out."""
    today = today or timezone.localdate()
    rows = list(
        Referral.objects.filter(pk__in=[r.pk for r in referrals])
        .select_related(*PROFILE_SELECT, "la")  # the LA's centre when there is no district
        .prefetch_related("siblings", "needs_assessment__items__domain")
    )
    levels = _level_names()
    ranks = {pk: rank for rank, (pk, _) in levels.items()}
    out = []
    for referral in rows:
        needs: tuple[Need, ...] = ()
        if referral.needs_assessment_id:
            items = referral.needs_assessment.items.all()  # type: ignore[union-attr]
            needs = _needs_from(
                ((i.domain_id, i.domain.name, ranks.get(i.level_id, 0)) for i in items), levels
            )
        try:
            out.append(_profile(referral, list(referral.siblings.all()), (needs, levels), today))
        except DomainError:
            continue
    return out


_LEVELS: dict[str, Any] = {"names": None, "read_at": 0.0}


def _level_names() -> dict[int, tuple[int, str]]:
    """rank -> (level id, name). The taxonomy's few levels are kept with the register snapshot
    for MATCHING_REGISTER_CACHE_SECONDS (read every time when that is 0)."""
    keep = _cache_seconds()
    names = _LEVELS["names"]
    if names is not None and time.monotonic() - _LEVELS["read_at"] < keep:
        return names  # type: ignore[no-any-return]
    rows = NeedLevel.objects.values_list("pk", "rank", "name")
    names = {rank: (pk, name) for pk, rank, name in rows}
    _LEVELS.update(names=names, read_at=time.monotonic())
    return names


def _needs_from(
    triples: Iterable[tuple[int, str, int]], levels: dict[int, tuple[int, str]]
) -> tuple[Need, ...]:
    needs = (
        Need(domain_id, name, rank, levels.get(rank, (0, str(rank)))[1])
        for domain_id, name, rank in triples
        if rank > 0
    )
    return tuple(sorted(needs, key=lambda n: (-n.rank, n.domain)))


def _needs(referral: Referral) -> tuple[tuple[Need, ...], dict[int, tuple[int, str]]]:
    levels = _level_names()
    if not referral.needs_assessment_id:
        return (), levels
    triples = NeedsAssessmentItem.objects.filter(
        assessment_id=referral.needs_assessment_id
    ).values_list("domain_id", "domain__name", "level__rank")
    return _needs_from(triples, levels), levels


def _profile(
    referral: Referral,
    siblings: list[Any],
    needs_levels: tuple[tuple[Need, ...], dict[int, tuple[int, str]]],
    today: dt.date,
) -> Profile:
    child = referral.child
    district = referral.family_postcode_district or child.home_postcode_district
    if district is not None:
        centre, label = (district.latitude, district.longitude), district.code
    elif referral.la.latitude is not None and referral.la.longitude is not None:
        centre, label = (referral.la.latitude, referral.la.longitude), f"{referral.la} (centre)"
    else:
        raise DomainError(
            "The referral has no family postcode district and the child no home district, "
            "so there is nowhere to search from.",
            field="family_postcode_district",
        )
    school = referral.school_postcode_district
    age = age_on(child.date_of_birth, today)
    needs, levels = needs_levels
    high = RiskLevel.HIGH
    return Profile(
        referral_id=referral.pk,
        rcc_id=referral.rcc_id,
        la_id=referral.la_id,
        age=age,
        ages=(age, *sorted(age_on(s.date_of_birth, today) for s in siblings)),
        start_by=max(referral.latest_start_date or today, today),
        centre=centre,
        centre_label=label,
        school=(school.latitude, school.longitude) if school else None,
        school_label=school.code if school else "",
        keep_school=bool(referral.keep_school and school),
        stay_close=referral.stay_close_to_family,
        needs=needs,
        level_names={rank: name for rank, (_, name) in levels.items()},
        languages=frozenset(child.languages or ()),
        religion=child.religion,
        ethnicity=child.ethnicity,
        live_alongside=referral.live_alongside,
        risk_to_younger=high in (referral.harm_physical, referral.harm_sexual),
        harm_animals=referral.harm_animals == high,
        no_pets=referral.pets_ok == PetsOk.NO,
        emergency=referral.urgency == Urgency.EMERGENCY,
        avoid=frozenset(str(d).strip().upper() for d in referral.places_to_avoid or () if d),
    )
