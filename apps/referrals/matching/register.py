"""The register's side of matching: the homes that may be options, read in a constant number
of queries, with their places' dates, skills, carers and their providers' stability record.

Two sources give the same `Area` of homes:

- per search (the default): homes in a bounding box around the family's postcode district
  (the (latitude, longitude) index) with an open place by the latest start date; skills and
  carers are then read only for the homes that pass the hard constraints;
- a per-process snapshot of every matchable home in England, refreshed in the background
  every `MATCHING_REGISTER_CACHE_SECONDS` (0 turns it off). A search then reads nothing from
  the register; sending to a household always re-checks it against the live register
  (docs/adr/0050-matching-and-batch-assignment.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.db import connections
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.organisations.geo import bounding_box
from apps.organisations.kinds import OrganisationKind
from apps.providers.choices import CareType, HouseholdStatus
from apps.providers.models import Carer, Household, HouseholdSkill, Vacancy
from apps.providers.querysets import stale_before

from .distance import miles_from
from .rules import ProviderType
from .score import NEUTRAL, OFSTED_VALUE, band_mask, read_preferences
from .stability import Stability, stability_for

if TYPE_CHECKING:
    from .profile import Profile

logger = logging.getLogger(__name__)

ADULT_AGE = 18
NO_PETS_WORDS = frozenset({"", "none", "no", "no pets", "n/a"})
# "None needed" and the like state no adaptation (the referral's and the register's text alike).
NO_ADAPTATION_WORDS = frozenset(
    {"", "none", "no", "n/a", "na", "none needed", "not needed", "none identified", "nil"}
)


def adaptations_text(text: str | None) -> str:
    """The adaptations stated, or "" when the text says there are none."""
    text = (text or "").strip()
    return "" if text.lower().rstrip(".") in NO_ADAPTATION_WORDS else text


HOME_FIELDS = (
    "id",
    "reference",
    "provider_id",
    "provider__organisation__name",
    "provider__organisation__kind",
    "provider__organisation__owning_la_id",
    "provider__ofsted_grade",
    "postcode_district_id",
    "latitude",
    "longitude",
    "age_min",
    "age_max",
    "max_sibling_group",
    "care_types",
    "pets",
    "other_children_ages",
    "preferences",
    "status",
    "last_confirmed_at",
    "bedrooms",
    "adaptations",
    "adults",  # annotated: the carers recorded (`_with_adults`)
)


class Home:
    """One household as the matcher sees it: plain values, shared read-only between searches."""

    __slots__ = (
        "adaptations",
        "adults",
        "age_max",
        "age_min",
        "bedrooms",
        "care_types",
        "dates",
        "district",
        "eth_groups",
        "ethnicities",
        "has_carers",
        "has_pets",
        "id",
        "last_confirmed_at",
        "lat",
        "lng",
        "max_sibling_group",
        "ofsted_grade",
        "other_ages",
        "owning_la_id",
        "pets",
        "preferences",
        "prefs",
        "provider_id",
        "provider_kind",
        "provider_name",
        "reference",
        "religions",
        "skills",
        "spoken",
        "status",
    )

    def __init__(self, row: Sequence[Any]) -> None:
        (
            self.id,
            self.reference,
            self.provider_id,
            self.provider_name,
            self.provider_kind,
            self.owning_la_id,
            self.ofsted_grade,
            self.district,
            self.lat,
            self.lng,
            self.age_min,
            self.age_max,
            self.max_sibling_group,
            self.care_types,
            self.pets,
            other,
            self.preferences,
            self.status,
            self.last_confirmed_at,
            self.bedrooms,
            self.adaptations,
            self.adults,
        ) = row
        # Other children at home; grown-up sons and daughters (18+) are not counted.
        self.other_ages: tuple[int, ...] = tuple(int(a) for a in other or () if int(a) < ADULT_AGE)
        self.has_pets = (self.pets or "").strip().lower() not in NO_PETS_WORDS
        self.prefs = read_preferences(self.preferences or "")
        self.dates: list[dt.date] = []  # open places: the date each is free from, sorted
        self.skills: dict[int, int] = {}  # need domain id -> level rank
        self.has_carers = False
        self.spoken: frozenset[str] = frozenset()
        self.religions: frozenset[str] = frozenset()
        self.ethnicities: frozenset[str] = frozenset()
        self.eth_groups: frozenset[str] = frozenset()

    def add_carer(self, ethnicity: str, religion: str, languages: Iterable[str]) -> None:
        self.has_carers = True
        self.spoken |= frozenset(languages or ())
        self.religions |= {religion}
        self.ethnicities |= {ethnicity}
        self.eth_groups |= {ethnicity[:1]}

    def free_by(self, day: dt.date) -> int:
        return bisect_right(self.dates, day)

    def provider_type(self, la_id: int) -> str:
        if self.provider_kind == OrganisationKind.LA_SERVICE:
            return ProviderType.IN_HOUSE if self.owning_la_id == la_id else ProviderType.OTHER_LA
        return ProviderType.IFA


class Area:
    """Homes that may be options, as arrays the search works on all at once, with the places'
    dates and the providers' stability record."""

    def __init__(
        self, homes: list[Home], stability: dict[int, Stability] | None, *, detailed: bool
    ) -> None:
        self.homes = homes
        self.stability = stability
        self.detailed = detailed  # skills and carers already read for every home

        def column(values: Iterable[Any], dtype: Any) -> np.ndarray:
            return np.fromiter(values, dtype=dtype, count=len(homes))

        self.lat = np.radians(column((h.lat for h in homes), float))
        self.lng = np.radians(column((h.lng for h in homes), float))
        self.age_min = column((h.age_min for h in homes), np.int16)
        self.age_max = column((h.age_max for h in homes), np.int16)
        self.max_siblings = column((h.max_sibling_group for h in homes), np.int16)
        self.emergency = column((bool(h.care_types & CareType.EMERGENCY) for h in homes), bool)
        self.therapeutic = column((bool(h.care_types & CareType.THERAPEUTIC) for h in homes), bool)
        self.adults = column((h.adults for h in homes), np.int16)
        self.bedrooms = column((h.bedrooms for h in homes), np.int16)
        self.adapted = column((bool(adaptations_text(h.adaptations)) for h in homes), bool)
        self.pets = column((h.has_pets for h in homes), bool)
        self.youngest_other = column((min(h.other_ages, default=99) for h in homes), np.int16)
        self.oldest_other = column((max(h.other_ages, default=-1) for h in homes), np.int16)
        self.district = np.array([h.district.upper() for h in homes], dtype=object)
        self.ofsted = column((OFSTED_VALUE.get(h.ofsted_grade, NEUTRAL) for h in homes), float)
        self.wanted = column((band_mask(h.prefs[0]) for h in homes), np.int64)
        self.unwanted = column((band_mask(h.prefs[1]) for h in homes), np.int64)
        self.welcomes_siblings = column((h.prefs[2] for h in homes), bool)
        # One entry per open place: whose it is and the day it is free from.
        places = [(i, d.toordinal()) for i, h in enumerate(homes) for d in h.dates]
        self.place_home = np.fromiter((i for i, _ in places), dtype=np.int32, count=len(places))
        self.place_day = np.fromiter((d for _, d in places), dtype=np.int32, count=len(places))
        self.la_service = column(
            (h.provider_kind == OrganisationKind.LA_SERVICE for h in homes), bool
        )
        self.owning_la = column((h.owning_la_id or 0 for h in homes), np.int64)
        self._columns: dict[tuple[str, Any], np.ndarray] = {}

    def near(self, profile: Profile, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(home indexes, miles to the family, places free by the date) of the homes within the
        radius with enough places free by the latest start date."""
        if not self.homes:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.astype(float), empty
        distances = miles_from(profile.centre, self.lat, self.lng)
        free = np.bincount(
            self.place_home[self.place_day <= profile.start_by.toordinal()],
            minlength=len(self.homes),
        )
        idx = np.nonzero((distances <= radius) & (free >= profile.group_size))[0]
        return idx, distances[idx], free[idx]

    def complete(self, idx: np.ndarray, domain_ids: Iterable[int], today: dt.date) -> None:
        """Read skills, carers and stability for these homes when the source has not."""
        if not self.detailed:
            homes = [self.homes[i] for i in idx.tolist()]
            attach_details(homes, domain_ids)
            self.stability = stability_for({h.provider_id for h in homes}, today)
            self.detailed = True
            self._columns.clear()

    def column(self, key: tuple[str, Any]) -> np.ndarray:
        """A value of the details for every home (skills, carers, stability), worked out once
        per area: a snapshot keeps them between searches."""
        found = self._columns.get(key)
        if found is None:
            kind, value = key
            homes, n = self.homes, len(self.homes)
            if kind == "skill":
                found = np.fromiter((h.skills.get(value, 0) for h in homes), float, n)
            elif kind == "speaks":
                found = np.fromiter((value in h.spoken for h in homes), float, n)
            elif kind == "religion":
                found = np.fromiter((value in h.religions for h in homes), bool, n)
            elif kind == "ethnicity":
                found = np.fromiter((value in h.ethnicities for h in homes), bool, n)
            elif kind == "group":
                found = np.fromiter((value in h.eth_groups for h in homes), bool, n)
            elif kind == "carers":
                found = np.fromiter((h.has_carers for h in homes), bool, n)
            elif kind == "stability":
                values = {p: r.value for p, r in (self.stability or {}).items()}
                found = np.fromiter((values.get(h.provider_id, NEUTRAL) for h in homes), float, n)
            else:
                raise KeyError(kind)
            self._columns[key] = found
        return found

    def provider_types(self, idx: np.ndarray, la_id: int) -> np.ndarray:
        in_house = np.where(
            self.owning_la[idx] == la_id, ProviderType.IN_HOUSE, ProviderType.OTHER_LA
        )
        return np.where(self.la_service[idx], in_house, ProviderType.IFA).astype(object)


def _with_adults(households: QuerySet[Household]) -> QuerySet[Household]:
    """The number of carers (adults) recorded for each household, as `adults`: the hard rule
    on the referral's minimum adults is checked before the carers' details are read."""
    count = (
        Carer.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return households.annotate(adults=Coalesce(Subquery(count), 0))


def _homes_with_places(day: dt.date | None, **where: Any) -> list[Home]:
    """Active, confirmed households (matching `where`) with an open place free by `day` (any
    day when None), each with the dates of those places. Two queries, no long id lists."""
    places = Vacancy.objects.filter(status="open")
    if day is not None:
        places = places.filter(available_from__lte=day)
    households = Household.objects.filter(
        status=HouseholdStatus.ACTIVE, last_confirmed_at__gte=stale_before(), **where
    ).filter(Exists(places.filter(household=OuterRef("pk"))))
    dates: dict[int, list[dt.date]] = {}
    rows = places.filter(household__in=households.values("pk"))
    for household_id, available_from in rows.values_list("household_id", "available_from"):
        dates.setdefault(household_id, []).append(available_from)
    homes = []
    for row in _with_adults(households).values_list(*HOME_FIELDS):
        if row[0] in dates:
            home = Home(row)
            home.dates = sorted(dates[home.id])
            homes.append(home)
    return homes


def load_register(**where: Any) -> list[Home]:
    """Every active household (matching `where`), whether or not a place is open, each with
    its open places' dates, ordered by provider and reference: the whole register as the
    matcher sees it, for a caller that fills and frees places itself (the planning simulation
    works on this copy and never writes to the register). Two queries."""
    households = Household.objects.filter(status=HouseholdStatus.ACTIVE, **where)
    dates: dict[int, list[dt.date]] = {}
    places = Vacancy.objects.filter(status="open", household__in=households.values("pk"))
    for household_id, available_from in places.values_list("household_id", "available_from"):
        dates.setdefault(household_id, []).append(available_from)
    rows = _with_adults(households).order_by("provider__organisation__name", "reference", "pk")
    homes = []
    for row in rows.values_list(*HOME_FIELDS):
        home = Home(row)
        home.dates = sorted(dates.get(home.id, []))
        homes.append(home)
    return homes


def attach_details(homes: Sequence[Home], domain_ids: Iterable[int] | None) -> None:
    """Skills (only in the domains asked about, or all when None) and carers: two queries."""
    by_id = {h.id: h for h in homes}
    if not by_id:
        return
    skills = HouseholdSkill.objects.filter(household_id__in=list(by_id))
    if domain_ids is not None:
        skills = skills.filter(domain_id__in=list(set(domain_ids)))
    for household_id, domain_id, rank in skills.values_list(
        "household_id", "domain_id", "level__rank"
    ):
        by_id[household_id].skills[domain_id] = rank
    carers = Carer.objects.filter(household_id__in=list(by_id)).values_list(
        "household_id", "ethnicity", "religion", "languages"
    )
    for household_id, ethnicity, religion, languages in carers:
        by_id[household_id].add_carer(ethnicity, religion, languages)


def area_around(centres: Sequence[tuple[float, float]], radius: float, last_day: dt.date) -> Area:
    """Active, confirmed homes with an open place by `last_day` in one box around the centres."""
    boxes = [bounding_box(c, radius) for c in centres]
    homes = _homes_with_places(
        last_day,
        latitude__range=(min(b[0] for b in boxes), max(b[1] for b in boxes)),
        longitude__range=(min(b[2] for b in boxes), max(b[3] for b in boxes)),
    )
    return Area(homes, None, detailed=False)


def load_named(household_ids: Iterable[int]) -> list[Home]:
    """Named households whatever their state, with their open places' dates."""
    ids = list(household_ids)
    dates: dict[int, list[dt.date]] = {}
    places = Vacancy.objects.filter(household_id__in=ids, status="open")
    for household_id, available_from in places.values_list("household_id", "available_from"):
        dates.setdefault(household_id, []).append(available_from)
    named = _with_adults(Household.objects.filter(pk__in=ids))
    homes = [Home(row) for row in named.values_list(*HOME_FIELDS)]
    for home in homes:
        home.dates = sorted(dates.get(home.id, []))
    return homes


# --- The per-process snapshot ------------------------------------------------------------------


class _Snapshot:
    lock = threading.Lock()
    area: Area | None = None
    loaded_at = 0.0
    refreshing = False


def load_national() -> Area:
    """Every active, confirmed home in England with an open place, with all its details."""
    started = time.perf_counter()
    homes = _homes_with_places(None)
    attach_details(homes, None)
    area = Area(homes, stability_for(None, timezone.localdate()), detailed=True)
    logger.info("matching snapshot: %d homes in %.2f s", len(homes), time.perf_counter() - started)
    return area


def _refresh() -> None:
    try:
        area = load_national()
        with _Snapshot.lock:
            _Snapshot.area, _Snapshot.loaded_at = area, time.monotonic()
    except Exception:  # keep serving the last snapshot; try again next time
        logger.exception("matching snapshot refresh failed")
    finally:
        _Snapshot.refreshing = False
        connections.close_all()


def snapshot_seconds() -> int:
    return int(getattr(settings, "MATCHING_REGISTER_CACHE_SECONDS", 0) or 0)


def national_area() -> Area:
    """The snapshot, loaded now if there is none; refreshed in the background when older than
    MATCHING_REGISTER_CACHE_SECONDS (searches meanwhile use the one they have)."""
    with _Snapshot.lock:
        area, age = _Snapshot.area, time.monotonic() - _Snapshot.loaded_at
        start_refresh = area is not None and age > snapshot_seconds() and not _Snapshot.refreshing
        if start_refresh:
            _Snapshot.refreshing = True
    if area is None:
        area = load_national()
        with _Snapshot.lock:
            _Snapshot.area, _Snapshot.loaded_at = area, time.monotonic()
        return area
    if start_refresh:
        threading.Thread(target=_refresh, name="matching-snapshot", daemon=True).start()
    return area


def forget_snapshot() -> None:
    """Drop what this process keeps for matching: the register snapshot, and the weights,
    taxonomy levels and postcode districts kept with it."""
    from .profile import forget_kept

    with _Snapshot.lock:
        _Snapshot.area, _Snapshot.loaded_at = None, 0.0
    forget_kept()


def area_for(profiles: Sequence[Profile], radius: float) -> Area:
    """Where the search reads homes from: the snapshot when it is on, else the database."""
    if snapshot_seconds() > 0:
        return national_area()
    return area_around([p.centre for p in profiles], radius, max(p.start_by for p in profiles))
