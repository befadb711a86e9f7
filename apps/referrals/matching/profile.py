"""The child's side of matching: what the search needs to know about a referral, read once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.core.errors import DomainError
from apps.needs.models import NeedLevel
from apps.organisations.models import PostcodeDistrict

from ..choices import Communication, PetsOk, RiskLevel, Suitability, SupportKind, Urgency
from ..models import MatchingWeights, NeedsAssessmentItem, Referral
from .register import adaptations_text, snapshot_seconds


@dataclass(frozen=True)
class Need:
    domain_id: int
    domain: str
    rank: int
    level: str


@dataclass(frozen=True)
class Place:
    """A place the child must reach (contact, school, club), located by postcode district."""

    district: str
    what: str
    frequency: str
    point: tuple[float, float] | None

    @property
    def label(self) -> str:
        return f"{self.what or 'place'} in {self.district}" + (
            f" ({self.frequency})" if self.frequency else ""
        )


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
    # Stated needs beyond the assessment (ADR 0050, "Every stated need")
    min_adults: int = 0
    communication: frozenset[str] = frozenset()
    support: tuple[str, ...] = ()
    adaptations: str = ""
    reach: tuple[Place, ...] = ()
    unsuitable_for_foster: bool = False
    share_bedrooms: bool = False

    @property
    def bedrooms_needed(self) -> int:
        """A spare bedroom for each child of a sibling group, or one for every two when the
        referral says they may share (a single child: no rule)."""
        if self.group_size < 2:
            return 0
        return (self.group_size + 1) // 2 if self.share_bedrooms else self.group_size

    @property
    def states_more(self) -> bool:
        """Does the referral state a need the "stated needs" factor scores?"""
        return bool(self.communication or self.support or self.adaptations or self.reach)

    @property
    def warnings(self) -> list[str]:
        """What the hub must weigh that no rule or score settles."""
        out = []
        if self.unsuitable_for_foster:
            out.append(
                "The referral says foster care is unsuitable for this child. Check with the "
                "social worker before sending to fostering households."
            )
        return out

    @property
    def group_size(self) -> int:
        return len(self.ages)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# What the search reads with the referral (views select it up front to save a query). Postcode
# districts' points come from `district_points`; the LA (the centre to search from when there
# is no postcode district) is read only when needed.
PROFILE_SELECT = ("child",)
_PROFILE_RELATIONS = (Referral.child.field,)


def weights_for(rcc_id: int) -> MatchingWeights:
    """The RCC's weights; the defaults are created the first time they are needed."""
    weights, _ = MatchingWeights.objects.get_or_create(rcc_id=rcc_id)
    return weights


_WEIGHTS: dict[int, tuple[float, MatchingWeights]] = {}


def weights_of(referral: Referral) -> MatchingWeights:
    """The weights of the referral's RCC for ranking. Kept by the process with the register
    snapshot for MATCHING_REGISTER_CACHE_SECONDS (read every time when that is 0); the process
    that changes them forgets its copy at once (`forget_weights`)."""
    keep = snapshot_seconds()
    cached = _WEIGHTS.get(referral.rcc_id)
    if cached is not None and time.monotonic() - cached[0] < keep:
        return cached[1]
    weights = weights_for(referral.rcc_id)
    if keep > 0:
        _WEIGHTS[referral.rcc_id] = (time.monotonic(), weights)
    return weights


def forget_weights(rcc_id: int) -> None:
    _WEIGHTS.pop(rcc_id, None)


def forget_kept() -> None:
    """Forget the weights, level names and postcode districts this process keeps."""
    _WEIGHTS.clear()
    _LEVELS.update(names=None, read_at=0.0)
    _DISTRICTS.update(points={}, read_at=0.0)


def profile_for(referral: Referral, *, today: dt.date | None = None) -> Profile:
    """Read what the search needs about the referral: the referral with its child (unless the
    caller selected them), the siblings' dates of birth and the needs; the levels and postcode
    districts come from what the process keeps when the snapshot is on."""
    today = today or timezone.localdate()
    if not all(f.is_cached(referral) for f in _PROFILE_RELATIONS):
        referral = Referral.objects.select_related(*PROFILE_SELECT).get(pk=referral.pk)
    born = list(referral.siblings.values_list("date_of_birth", flat=True))
    points = district_points(_district_codes(referral))
    return _profile(referral, born, _needs(referral), points, today)


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
    points = district_points(code for r in rows for code in _district_codes(r))
    out = []
    for referral in rows:
        needs: tuple[Need, ...] = ()
        if referral.needs_assessment_id:
            items = referral.needs_assessment.items.all()  # type: ignore[union-attr]
            needs = _needs_from(
                ((i.domain_id, i.domain.name, ranks.get(i.level_id, 0)) for i in items), levels
            )
        try:
            born = [s.date_of_birth for s in referral.siblings.all()]
            out.append(_profile(referral, born, (needs, levels), points, today))
        except DomainError:
            continue
    return out


_LEVELS: dict[str, Any] = {"names": None, "read_at": 0.0}
_DISTRICTS: dict[str, Any] = {"points": {}, "read_at": 0.0}


def _district_codes(referral: Referral) -> tuple[str, ...]:
    """The postcode districts a profile needs (family, the child's home, school)."""
    codes = (
        referral.family_postcode_district_id,
        referral.child.home_postcode_district_id,
        referral.school_postcode_district_id,
        *(_district(place) for place in _places_to_reach(referral)),
    )
    return tuple(c for c in codes if c)


def _places_to_reach(referral: Referral) -> list[dict[str, Any]]:
    places = referral.places_to_reach
    return [p for p in places if isinstance(p, dict)] if isinstance(places, list) else []


def _district(place: dict[str, Any]) -> str:
    return str(place.get("district") or "").strip().upper()


def district_points(codes: Iterable[str]) -> dict[str, tuple[float, float]]:
    """code -> (latitude, longitude). Postcode districts are reference data: with the register
    snapshot on, the process keeps all of them (~3,000) for MATCHING_REGISTER_CACHE_SECONDS;
    otherwise only the ones asked for are read."""
    wanted = set(codes)
    if not wanted:
        return {}
    keep = snapshot_seconds()
    if keep > 0:
        points: dict[str, tuple[float, float]] = _DISTRICTS["points"]
        if time.monotonic() - _DISTRICTS["read_at"] >= keep or not wanted <= points.keys():
            rows = PostcodeDistrict.objects.values_list("code", "latitude", "longitude")
            points = {code: (lat, lng) for code, lat, lng in rows}
            _DISTRICTS.update(points=points, read_at=time.monotonic())
        return {c: points[c] for c in wanted if c in points}
    rows = PostcodeDistrict.objects.filter(code__in=wanted).values_list(
        "code", "latitude", "longitude"
    )
    return {code: (lat, lng) for code, lat, lng in rows}


def _level_names() -> dict[int, tuple[int, str]]:
    """rank -> (level id, name). The taxonomy's few levels are kept with the register snapshot
    for MATCHING_REGISTER_CACHE_SECONDS (read every time when that is 0)."""
    keep = snapshot_seconds()
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
    siblings_born: list[dt.date],
    needs_levels: tuple[tuple[Need, ...], dict[int, tuple[int, str]]],
    points: dict[str, tuple[float, float]],
    today: dt.date,
) -> Profile:
    child = referral.child
    district = referral.family_postcode_district_id or child.home_postcode_district_id
    if district and district in points:
        centre, label = points[district], district
    elif referral.la.latitude is not None and referral.la.longitude is not None:
        centre, label = (referral.la.latitude, referral.la.longitude), f"{referral.la} (centre)"
    else:
        raise DomainError(
            "The referral has no family postcode district and the child no home district, "
            "so there is nowhere to search from.",
            field="family_postcode_district",
        )
    school = referral.school_postcode_district_id
    school_point = points.get(school) if school else None
    age = age_on(child.date_of_birth, today)
    needs, levels = needs_levels
    high = RiskLevel.HIGH
    return Profile(
        referral_id=referral.pk,
        rcc_id=referral.rcc_id,
        la_id=referral.la_id,
        age=age,
        ages=(age, *sorted(age_on(born, today) for born in siblings_born)),
        start_by=max(referral.latest_start_date or today, today),
        centre=centre,
        centre_label=label,
        school=school_point,
        school_label=school if school and school_point else "",
        keep_school=bool(referral.keep_school and school_point),
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
        min_adults=int(referral.min_adults or 0),
        communication=frozenset(
            c for c in referral.communication_needs or () if c in Communication.values
        ),
        support=tuple(s for s in SupportKind.values if s in (referral.support_needed or ())),
        adaptations=adaptations_text(referral.adaptations),
        reach=tuple(
            Place(
                _district(place),
                str(place.get("what") or "").strip(),
                str(place.get("frequency") or "").strip(),
                points.get(_district(place)),
            )
            for place in _places_to_reach(referral)
            if _district(place)
        ),
        unsuitable_for_foster=referral.suitability_foster == Suitability.UNSUITABLE,
        share_bedrooms=referral.siblings_may_share_bedroom,
    )
