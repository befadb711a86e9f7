"""The synthetic register: providers, households, carers, skills and vacancies (DOMAIN.md numbers).

Deterministic: every random choice comes from a `random.Random` seeded with `--seed` and the
thing being generated (an LA's code, the IFA plan), so a scale's data does not depend on which
other scale ran before, and the demo's North West is the national one's, thinned.

Re-runnable: organisations are found by natural key before they are created; households are keyed
by (provider, reference) and only missing ones are written, with their carers, skills and
vacancies. Rows are written with `bulk_create` in batches: no query per household.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.geo import miles_between
from apps.organisations.kinds import IfaSector, OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.organisations.seeding import (
    DEMO_IFAS,
    GREATER_MANCHESTER,
    LaPoint,
    RccPlan,
    ensure_la_services,
    ensure_rccs,
    la_points,
    la_service_owner,
    plan_rccs,
)

from .choices import (
    END_REASONS_FOR_STATUS,
    ENDED_HOUSEHOLD_STATUSES,
    AgeBand,
    CareType,
    Ethnicity,
    HouseholdStatus,
    OfstedGrade,
    Religion,
    VacancyStatus,
)
from .models import Carer, Household, HouseholdSkill, Provider, Vacancy

T = TypeVar("T")

# DOMAIN.md "Numbers for realistic synthetic data (England, 2024-25)".
NATIONAL_HOUSEHOLDS = 42_190
NATIONAL_IFAS = 318
NATIONAL_IFA_GROUPS = 8  # large agencies that serve every LA
IN_HOUSE_SHARE = 0.55  # of households, approved by the LA's own service
DEMO_FACTOR = 0.12  # the demo keeps this share of its area's households: under a thousand
DEMO_NEIGHBOUR_MILES = 20.0  # LAs this close to Greater Manchester are in the demo too
STALE_SHARE = 0.10  # households (and their vacancies) last confirmed more than 14 days ago
SCALES = ("demo", "region", "national")
BATCH = 1000


def weighted(rng: random.Random, options: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


# --- What households look like ---------------------------------------------------------------
# fmt: off
AGE_RANGES = (  # (youngest, oldest, weight)
    (0, 17, 38), (0, 11, 14), (0, 4, 6), (5, 17, 12), (11, 17, 16), (8, 17, 6), (16, 21, 5),
    (2, 12, 3),
)
PLACES = ((1, 50), (2, 35), (3, 12), (4, 3))
HOUSEHOLD_STATUS = (
    (HouseholdStatus.ACTIVE, 93), (HouseholdStatus.ON_HOLD, 4), (HouseholdStatus.RESIGNED, 2),
    (HouseholdStatus.DEREGISTERED, 1),
)
AGE_BANDS = (
    (AgeBand.A18_24, 1), (AgeBand.A25_34, 7), (AgeBand.A35_44, 19), (AgeBand.A45_54, 34),
    (AgeBand.A55_64, 29), (AgeBand.A65, 10),
)
# Roughly England's mix (Census 2021), and London's, where it differs most.
ETHNICITY_ENGLAND = (
    ("WBRI", 73.5), ("WIRI", 0.9), ("WIRT", 0.1), ("WROM", 0.2), ("WOTH", 6.3),
    ("MWBC", 0.9), ("MWBA", 0.5), ("MWAS", 0.8), ("MOTH", 0.8),
    ("AIND", 3.3), ("APKN", 2.8), ("ABAN", 1.1), ("CHNE", 0.8), ("AOTH", 1.6),
    ("BCRB", 1.1), ("BAFR", 2.6), ("BOTH", 0.5), ("OOTH", 2.2), ("REFU", 0.1),
)
ETHNICITY_LONDON = (
    ("WBRI", 37.0), ("WIRI", 1.8), ("WIRT", 0.1), ("WROM", 0.4), ("WOTH", 14.7),
    ("MWBC", 1.5), ("MWBA", 0.9), ("MWAS", 1.5), ("MOTH", 1.8),
    ("AIND", 7.5), ("APKN", 3.3), ("ABAN", 3.7), ("CHNE", 1.7), ("AOTH", 4.6),
    ("BCRB", 3.9), ("BAFR", 7.9), ("BOTH", 2.3), ("OOTH", 5.4), ("REFU", 0.1),
)
_R = Religion
RELIGION_BY_ETHNICITY: dict[str, tuple[tuple[str, float], ...]] = {
    "APKN": ((_R.MUSLIM, 90), (_R.NONE, 3), (_R.NOT_STATED, 7)),
    "ABAN": ((_R.MUSLIM, 90), (_R.NONE, 3), (_R.NOT_STATED, 7)),
    "AIND": ((_R.HINDU, 44), (_R.SIKH, 22), (_R.MUSLIM, 14), (_R.CHRISTIAN, 8), (_R.NONE, 6),
             (_R.NOT_STATED, 6)),
    "BAFR": ((_R.CHRISTIAN, 68), (_R.MUSLIM, 22), (_R.NONE, 4), (_R.NOT_STATED, 6)),
    "BCRB": ((_R.CHRISTIAN, 62), (_R.NONE, 25), (_R.NOT_STATED, 13)),
    "CHNE": ((_R.NONE, 62), (_R.CHRISTIAN, 20), (_R.BUDDHIST, 12), (_R.NOT_STATED, 6)),
    "OOTH": ((_R.MUSLIM, 50), (_R.CHRISTIAN, 20), (_R.NONE, 15), (_R.OTHER, 5),
             (_R.NOT_STATED, 10)),
}
RELIGION_DEFAULT = (
    (_R.CHRISTIAN, 47), (_R.NONE, 40), (_R.JEWISH, 0.6), (_R.BUDDHIST, 0.4), (_R.OTHER, 0.8),
    (_R.NOT_STATED, 6),
)
SECOND_LANGUAGES: dict[str, tuple[str, ...]] = {
    "APKN": ("ur", "pa"), "ABAN": ("bn",), "AIND": ("gu", "pa"), "CHNE": ("zh",),
    "WOTH": ("pl", "ro", "pt", "it", "es", "fr"), "BAFR": ("so", "ti", "fr", "ar"),
    "OOTH": ("ar", "ku", "fa", "ps", "tr"), "AOTH": ("ar", "fa"),
}
PETS = (
    "dog", "cat", "2 cats", "dog and cat", "2 dogs", "rabbits", "guinea pigs", "tortoise", "fish",
)
PREFERENCES = (
    "Prefers children under 10.",
    "Happy to take sibling groups.",
    "Experienced with teenagers; would like another.",
    "Keen to support contact with birth families.",
    "Can take children to their current school within 10 miles.",
    "Prefers short-term placements while their own children are young.",
    "Open to a child with a disability; ground-floor bedroom.",
    "Would consider a parent and child arrangement.",
    "Prefers a child younger than their own children.",
    "Welsh and English spoken at home.",
    "Non-smoking household; no contact with dogs advised for allergies.",
    "Trained in therapeutic parenting (PACE).",
)
HOLD_REASONS = (
    "Carers on holiday",
    "Supervising social worker review due",
    "Settling a child who arrived last week",
    "Carer recovering from an operation",
    "Awaiting panel review of approval",
    "Bedroom being redecorated",
)
CARE_TYPE_ODDS = {CareType.SHORT_BREAKS: 0.12, CareType.EMERGENCY: 0.22, CareType.DISABILITY: 0.07}
# How many households in a hundred can meet each level of a domain, by rank (1 to 4).
SKILL_LEVELS = ((1, 35), (2, 38), (3, 20), (4, 7))
SKILL_ODDS = 0.55
# Ofcom's numbers reserved for drama: never a real line.
PHONE_PREFIX = {
    "North West": "0161 496 0", "North East": "0191 498 0", "East Midlands": "0115 496 0",
    "Yorkshire and The Humber": "0113 496 0", "West Midlands": "0121 496 0",
    "London": "020 7946 0", "South West": "0117 496 0",
}
FIRST_NAMES = (
    "Alex", "Bernadette", "Chris", "Deepa", "Eleanor", "Farah", "Gareth", "Helen", "Ifeoma",
    "James", "Kate", "Leon", "Maria", "Naveed", "Olivia", "Paul", "Rachel", "Sunita", "Tom",
    "Yvonne",
)
LAST_NAMES = (
    "Adeyemi", "Barker", "Clarke", "Desai", "Evans", "Fletcher", "Green", "Hussain", "Iqbal",
    "Jones", "Kaur", "Lewis", "Murphy", "Nowak", "O'Brien", "Patel", "Roberts", "Smith", "Taylor",
    "Wright",
)
IFA_WORDS = (
    "Acorn", "Anchor", "Beacon", "Birch", "Bluebell", "Bridgeway", "Brook", "Cedar", "Chestnut",
    "Clover", "Compass", "Dove", "Elm", "Evergreen", "Fern", "Foxglove", "Harbour", "Haven",
    "Hazel", "Hearth", "Heather", "Hillside", "Holly", "Horizon", "Ivy", "Juniper", "Kestrel",
    "Keystone", "Lantern", "Larch", "Lighthouse", "Linden", "Maple", "Marigold", "Meadow",
    "Milestone", "Nightingale", "North Star", "Oak", "Oakleaf", "Orchard", "Pathway", "Poppy",
    "Primrose", "Riverside", "Robin", "Rowan", "Skylark", "Springfield", "Stepping Stones",
    "Sunrise", "Swallow", "Sycamore", "Tapestry", "Thistle", "Unity", "Valley", "Waypoint",
    "Willow", "Woodland", "Wren", "Yew",
)
IFA_SUFFIXES = (
    "Fostering", "Foster Care", "Family Placements", "Fostering Services", "Fostering Agency",
    "Families", "Foster Families",
)
REGION_WORDS = {
    "North East": "Northumbria", "North West": "Northern", "Yorkshire and The Humber": "Yorkshire",
    "East Midlands": "Midlands", "West Midlands": "Heart of England", "East of England": "Anglia",
    "London": "London", "South East": "Southern", "South West": "Wessex",
}
# fmt: on


# --- Plans: which providers exist and where ---------------------------------------------------


@dataclass(frozen=True)
class IfaPlan:
    name: str
    urn: str
    sector: str
    home: str  # DfE code of the LA it is based in
    footprint: tuple[str, ...]  # DfE codes of the LAs it serves
    weight: float  # its relative size where it operates


def _within(las: Sequence[LaPoint], home: LaPoint, miles: float) -> tuple[str, ...]:
    centre = (home.latitude, home.longitude)
    return tuple(
        sorted(
            la.code
            for la in las
            if la.code == home.code or miles_between(centre, (la.latitude, la.longitude)) <= miles
        )
    )


def plan_ifas(las: Sequence[LaPoint], *, seed: int, count: int = NATIONAL_IFAS) -> list[IfaPlan]:
    """~318 agencies: the three demo ones around Manchester, a few national groups and the rest
    regional, based in an LA chosen by population and serving the LAs within 12 to 70 miles."""
    rng = random.Random(f"{seed}:ifas")  # noqa: S311 - synthetic data, not security
    by_code = {la.code: la for la in las}
    plans: list[IfaPlan] = []
    names = {name for name, _, _ in DEMO_IFAS}
    for (name, urn, sector), base in zip(DEMO_IFAS, ("352", "355", "356"), strict=True):
        if base in by_code:
            plans.append(IfaPlan(name, urn, sector, base, _within(las, by_code[base], 30), 30.0))
    all_codes = tuple(sorted(by_code))
    populations = [(la, float(la.population or 1)) for la in las]
    number = 100
    while len(plans) < count:
        national = len(plans) < len(DEMO_IFAS) + NATIONAL_IFA_GROUPS
        home = weighted(rng, populations)
        name = ""
        while not name or name in names:
            word, suffix = rng.choice(IFA_WORDS), rng.choice(IFA_SUFFIXES)
            prefix = "National " if national and rng.random() < 0.5 else ""
            if not prefix and rng.random() < 0.25:
                prefix = REGION_WORDS.get(home.region, "") + " "
            name = f"{prefix}{word} {suffix}".strip()
        names.add(name)
        sector = (
            IfaSector.PRIVATE if rng.random() < (0.9 if national else 0.75) else IfaSector.VOLUNTARY
        )
        if national:
            footprint, weight = all_codes, rng.uniform(2.5, 5.0)
        else:
            footprint = _within(las, home, rng.choice((12, 20, 30, 45, 70)))
            weight = 0.3 + 2 * rng.lognormvariate(0, 0.9)
        plans.append(
            IfaPlan(name, f"SC9{number:05d}", sector, home.code, footprint, round(weight, 3))
        )
        number += 1
    return plans


@dataclass
class Scope:
    """The LAs a scale covers, the RCCs it creates and the share of households it keeps."""

    scale: str
    la_codes: set[str]
    rccs: list[RccPlan]
    factor: float


def scope_for(
    scale: str, las: Sequence[LaPoint], rccs: list[RccPlan], *, region: str = "North West"
) -> Scope:
    if scale == "national":
        return Scope(scale, {la.code for la in las}, rccs, 1.0)
    if scale == "region":
        codes = {la.code for la in las if la.region == region}
        if not codes:
            raise ValueError(f"No LAs in region {region!r}")
        return Scope(scale, codes, [p for p in rccs if set(p.la_codes) & codes], 1.0)
    if scale == "demo":
        # Greater Manchester's RCC and the other RCC of its region (so that the national
        # dashboards have two RCCs to compare), and the LAs just over the regional border.
        gm = [la for la in las if la.code in GREATER_MANCHESTER]
        centre = (sum(la.latitude for la in gm) / len(gm), sum(la.longitude for la in gm) / len(gm))
        home_region = {la.region for la in gm}
        region_codes = {la.code for la in las if la.region in home_region}
        demo_rccs = [p for p in rccs if set(p.la_codes) <= region_codes]
        codes = {code for p in demo_rccs for code in p.la_codes} | {
            la.code
            for la in las
            if miles_between(centre, (la.latitude, la.longitude)) <= DEMO_NEIGHBOUR_MILES
        }
        return Scope(scale, codes, demo_rccs, DEMO_FACTOR)
    raise ValueError(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}")


# --- Drafts: the rows of one household before it has a primary key ---------------------------


@dataclass
class HouseholdDraft:
    provider_key: str
    household: Household
    carers: list[Carer] = field(default_factory=list)
    skills: list[tuple[int, int]] = field(default_factory=list)  # (domain id, level id)
    vacancies: list[Vacancy] = field(default_factory=list)


@dataclass(frozen=True)
class District:
    code: str
    latitude: float
    longitude: float
    la_id: int | None


class HouseholdMaker:
    """Draws one household at a time for an LA; everything random comes from `rng`."""

    def __init__(self, *, now: dt.datetime, domains: list[int], levels: dict[int, int]):
        self.now = now
        self.today = timezone.localdate(now)
        self.domains = domains
        self.levels = levels  # rank → NeedLevel id

    def make(
        self,
        rng: random.Random,
        *,
        provider_key: str,
        reference: str,
        district: District,
        la: LaPoint,
        is_ifa: bool,
    ) -> HouseholdDraft:
        age_min, age_max, _ = weighted(rng, [(r, r[2]) for r in AGE_RANGES])
        places = weighted(rng, PLACES)
        if places == 1:
            siblings = 1
        else:
            siblings = weighted(rng, ((places, 55), (min(2, places), 30), (1, 15)))
        care = self._care_types(rng, age_min, age_max, is_ifa)
        stale = rng.random() < STALE_SHARE
        confirmed = self.now - dt.timedelta(
            days=rng.uniform(15, 90) if stale else rng.uniform(0, 13.5)
        )
        status = weighted(rng, HOUSEHOLD_STATUS)
        household = Household(
            reference=reference,
            status=status,
            postcode_district_id=district.code,
            latitude=district.latitude,
            longitude=district.longitude,
            la_id=district.la_id or la.pk,
            age_min=age_min,
            age_max=age_max,
            places=places,
            max_sibling_group=siblings,
            care_types=int(care),
            bedrooms=places + (1 if rng.random() < 0.3 else 0),
            pets=rng.choice(PETS) if rng.random() < 0.38 else "",
            other_children_ages=sorted(rng.randint(0, 25) for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.42
            else [],
            preferences=rng.choice(PREFERENCES) if rng.random() < 0.45 else "",
            last_confirmed_at=confirmed,
            **self._approval(provider_key, reference, status),
        )
        draft = HouseholdDraft(provider_key, household)
        draft.carers = self._carers(rng, la)
        draft.skills = self._skills(rng, care)
        if status == HouseholdStatus.ACTIVE:
            draft.vacancies = self._vacancies(rng, reference, places, siblings, confirmed)
        return draft

    def _approval(self, provider_key: str, reference: str, status: str) -> dict[str, Any]:
        """Approved on a day over the last twelve years (about one in ten within the last year);
        a household that has left left on a day since, mostly within the last two years. Drawn
        from the household's own generator so that the other draws stay as they were."""
        rng = random.Random(f"approval:{provider_key}:{reference}")  # noqa: S311
        days_ago = rng.randint(7, 365) if rng.random() < 0.1 else rng.randint(366, 12 * 365)
        approved_on = self.today - dt.timedelta(days=days_ago)
        if status not in ENDED_HOUSEHOLD_STATUSES:
            return {"approved_on": approved_on}
        since = (self.today - approved_on).days
        ended_on = self.today - dt.timedelta(days=rng.randint(0, min(since, 730)))
        return {
            "approved_on": approved_on,
            "approval_ended_on": ended_on,
            "approval_end_reason": rng.choice(END_REASONS_FOR_STATUS[status]),
        }

    @staticmethod
    def _care_types(rng: random.Random, age_min: int, age_max: int, is_ifa: bool) -> CareType:
        care = CareType(0)
        if rng.random() < 0.78:
            care |= CareType.SHORT_TERM
        if rng.random() < 0.62 and age_max <= 18:
            care |= CareType.LONG_TERM
        if not care:
            care = CareType.SHORT_TERM
        for flag, odds in CARE_TYPE_ODDS.items():
            if rng.random() < odds:
                care |= flag
        if age_min == 0 and rng.random() < 0.05:
            care |= CareType.PARENT_AND_CHILD
        if age_max >= 12 and rng.random() < 0.03:
            care |= CareType.REMAND
        if age_max >= 18 and rng.random() < 0.7:
            care |= CareType.STAYING_PUT
        if rng.random() < (0.16 if is_ifa else 0.06):
            care |= CareType.THERAPEUTIC
        if age_max >= 15 and rng.random() < 0.07:
            care |= CareType.UASC
        return care

    @staticmethod
    def _carers(rng: random.Random, la: LaPoint) -> list[Carer]:
        couple = rng.random() < 0.68
        sexes: tuple[str, ...]
        if couple:
            sexes = weighted(rng, ((("F", "M"), 91), (("F", "F"), 5), (("M", "M"), 4)))
        else:
            sexes = (weighted(rng, (("F", 88), ("M", 12))),)
        mix = ETHNICITY_LONDON if la.region == "London" else ETHNICITY_ENGLAND
        bands = [band for band, _ in AGE_BANDS]
        first_band = weighted(rng, AGE_BANDS)
        first_ethnicity = weighted(rng, mix)
        carers = []
        for i, sex in enumerate(sexes):
            if i == 0:
                band, ethnicity = first_band, first_ethnicity
            else:
                step = weighted(rng, ((0, 60), (-1, 20), (1, 20)))
                band = bands[max(0, min(len(bands) - 1, bands.index(first_band) + step))]
                ethnicity = first_ethnicity if rng.random() < 0.82 else weighted(rng, mix)
            religion = weighted(rng, RELIGION_BY_ETHNICITY.get(ethnicity, RELIGION_DEFAULT))
            languages = ["en"]
            if ethnicity in SECOND_LANGUAGES and rng.random() < 0.55:
                languages.append(rng.choice(SECOND_LANGUAGES[ethnicity]))
            elif rng.random() < 0.02:
                languages.append("bsl")
            carers.append(
                Carer(
                    age_band=band,
                    sex=sex,
                    ethnicity=Ethnicity(ethnicity),
                    religion=religion,
                    languages=languages,
                )
            )
        return carers

    def _skills(self, rng: random.Random, care: CareType) -> list[tuple[int, int]]:
        boost = 1 if care & CareType.THERAPEUTIC else 0
        skills = []
        for index, domain_id in enumerate(self.domains):
            if rng.random() >= SKILL_ODDS + 0.2 * boost:
                continue
            rank = min(4, weighted(rng, SKILL_LEVELS) + boost)
            # The default taxonomy lists disability fourth; approved disability carers meet medium+.
            if index == 3 and care & CareType.DISABILITY:
                rank = max(rank, 2)
            if rank in self.levels:
                skills.append((domain_id, self.levels[rank]))
        return skills

    def _vacancies(
        self, rng: random.Random, reference: str, places: int, siblings: int, confirmed: dt.datetime
    ) -> list[Vacancy]:
        """About 16% of approved places free (open), a few on hold, booked or just filled."""
        statuses: list[str | None] = []
        for _ in range(places):
            r = rng.random()
            statuses.append(
                VacancyStatus.OPEN
                if r < 0.143
                else VacancyStatus.ON_HOLD
                if r < 0.163
                else VacancyStatus.BOOKED
                if r < 0.173
                else VacancyStatus.FILLED
                if r < 0.183
                else None
            )
        # A household approved for a sibling group is often free for the whole group at once.
        if siblings > 1 and VacancyStatus.OPEN in statuses and rng.random() < 0.3:
            statuses = [VacancyStatus.OPEN] * places
        future = rng.random() < 0.35
        start = self.today + dt.timedelta(
            days=rng.randint(1, 90) if future else -rng.randint(0, 60)
        )
        vacancies = []
        for k, status in enumerate(statuses, start=1):
            if status is None:
                continue
            vacancies.append(
                Vacancy(
                    reference=f"{reference}-P{k}",
                    available_from=start,
                    status=status,
                    hold_reason=rng.choice(HOLD_REASONS) if status == VacancyStatus.ON_HOLD else "",
                    last_confirmed_at=confirmed,
                )
            )
        return vacancies


# --- Writing -----------------------------------------------------------------------------------


@dataclass
class SeedSummary:
    scale: str
    rccs: int = 0
    la_services: int = 0
    ifas: int = 0
    households_created: int = 0
    households: int = 0
    places: int = 0
    open_vacancies: int = 0
    stale_vacancies: int = 0
    carers: int = 0
    skills: int = 0

    def lines(self) -> list[str]:
        vacant = f"{self.open_vacancies / self.places:.1%}" if self.places else "-"
        stale = f"{self.stale_vacancies / self.open_vacancies:.1%}" if self.open_vacancies else "-"
        return [
            f"RCCs: {self.rccs}; LA fostering services: {self.la_services}; IFAs: {self.ifas}",
            f"Households: {self.households} ({self.households_created} new); "
            f"approved places: {self.places}",
            f"Open vacancies: {self.open_vacancies} ({vacant} of places; {stale} stale)",
            f"Carers: {self.carers}; skills: {self.skills}",
        ]


def _districts_by_la(las: Sequence[LaPoint]) -> dict[str, list[tuple[District, float]]]:
    """Each LA's postcode districts with a weight that clusters households near its centre."""
    districts = [
        District(d.code, d.latitude, d.longitude, d.la_id)
        for d in PostcodeDistrict.objects.order_by("code")
    ]
    by_la_id: dict[int, list[District]] = {}
    for d in districts:
        if d.la_id is not None:
            by_la_id.setdefault(d.la_id, []).append(d)
    out: dict[str, list[tuple[District, float]]] = {}
    for la in las:
        centre = (la.latitude, la.longitude)
        own = (
            by_la_id.get(la.pk)
            or sorted(districts, key=lambda d: miles_between(centre, (d.latitude, d.longitude)))[:3]
        )
        out[la.code] = [
            (d, math.exp(-miles_between(centre, (d.latitude, d.longitude)) / 12)) for d in own
        ]
    return out


def _progress(iterable: Iterable[T], *, total: int, desc: str, show: bool) -> Iterable[T]:
    return tqdm(iterable, total=total, desc=desc, unit=" rows", disable=not show, leave=True)


def _bulk(model: Any, rows: list[Any], *, desc: str, show: bool, batch: int = BATCH) -> None:
    bar = tqdm(total=len(rows), desc=desc, unit=" rows", disable=not show, leave=True)
    for start in range(0, len(rows), batch):
        chunk = rows[start : start + batch]
        model.objects.bulk_create(chunk, batch_size=batch)
        bar.update(len(chunk))
    bar.close()


def _provider_rows(
    orgs: list[Organisation], *, seed: int, region_of: Callable[[Organisation], str], today: dt.date
) -> list[Provider]:
    rows = []
    for org in orgs:
        rng = random.Random(f"{seed}:provider:{org.name}")  # noqa: S311
        is_ifa = org.kind == OrganisationKind.IFA
        grade = weighted(
            rng,
            (
                (OfstedGrade.OUTSTANDING, 22),
                (OfstedGrade.GOOD, 66),
                (OfstedGrade.REQUIRES_IMPROVEMENT, 10),
                (OfstedGrade.INADEQUATE, 2),
            )
            if is_ifa
            else (
                (OfstedGrade.OUTSTANDING, 14),
                (OfstedGrade.GOOD, 58),
                (OfstedGrade.REQUIRES_IMPROVEMENT, 24),
                (OfstedGrade.INADEQUATE, 4),
            ),
        )
        slug = slugify(org.name)[:40].strip("-")
        rows.append(
            Provider(
                organisation=org,
                ofsted_grade=grade,
                inspection_date=today - dt.timedelta(days=rng.randint(60, 1400)),
                contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                contact_email=f"placements@{slug}.example",
                contact_phone=PHONE_PREFIX.get(region_of(org), "01632 960")
                + f"{rng.randint(0, 999):03d}",
            )
        )
    return rows


def _ensure_ifas(plans: list[IfaPlan]) -> dict[str, Organisation]:
    existing = {
        org.ofsted_urn: org
        for org in Organisation.objects.filter(
            kind=OrganisationKind.IFA, ofsted_urn__in=[p.urn for p in plans]
        )
    }
    missing = [
        Organisation(kind=OrganisationKind.IFA, name=p.name, ofsted_urn=p.urn, sector=p.sector)
        for p in plans
        if p.urn not in existing
    ]
    for org in Organisation.objects.bulk_create(missing, batch_size=500):
        existing[org.ofsted_urn] = org
    return {p.urn: existing[p.urn] for p in plans}


@transaction.atomic
def register_seed(
    *,
    scale: str,
    seed: int = 2026,
    households: int = NATIONAL_HOUSEHOLDS,
    region: str = "North West",
    progress: bool = False,
) -> SeedSummary:
    """Create the RCCs, providers and register rows of a scale. Safe to re-run."""
    now = timezone.now()
    las = la_points()
    if not las:
        raise ValueError("Load the reference data first (manage.py load_reference).")
    by_code = {la.code: la for la in las}
    scope = scope_for(scale, las, plan_rccs(las), region=region)
    summary = SeedSummary(scale=scale)

    # Organisations: RCCs with hubs, LA services, IFAs.
    summary.rccs = len(ensure_rccs(scope.rccs))
    services = ensure_la_services(scope.la_codes)  # by owning LA code
    ifa_plans = plan_ifas(las, seed=seed)
    serving: dict[str, list[tuple[IfaPlan, float]]] = {code: [] for code in scope.la_codes}
    for plan in ifa_plans:
        for code in plan.footprint:
            if code in serving:
                serving[code].append((plan, plan.weight))

    # Households, drawn LA by LA (each LA from its own seeded generator).
    domains = list(NeedDomain.objects.active().order_by("sort_order").values_list("pk", flat=True))
    levels = dict(NeedLevel.objects.filter(rank__gte=1).values_list("rank", "pk"))
    maker = HouseholdMaker(now=now, domains=domains, levels=levels)
    districts = _districts_by_la(las)
    total_population = sum(la.population for la in las)
    drafts: list[HouseholdDraft] = []
    counters: dict[tuple[str, str], int] = {}
    codes = sorted(scope.la_codes)
    for code in _progress(codes, total=len(codes), desc="Drawing households by LA", show=progress):
        la = by_code[code]
        rng = random.Random(f"{seed}:la:{code}")  # noqa: S311
        count = round(households * la.population / total_population * scope.factor)
        in_house_share = min(0.75, max(0.35, rng.gauss(IN_HOUSE_SHARE, 0.08)))
        for _ in range(count):
            if rng.random() < in_house_share or not serving[code]:
                key, is_ifa = f"la:{la_service_owner(code)}", False
            else:
                key, is_ifa = f"ifa:{weighted(rng, serving[code]).urn}", True
            n = counters[(key, code)] = counters.get((key, code), 0) + 1
            district = weighted(rng, districts[code])
            drafts.append(
                maker.make(
                    rng,
                    provider_key=key,
                    reference=f"HH-{code}-{n:04d}",
                    district=district,
                    la=la,
                    is_ifa=is_ifa,
                )
            )

    # Which IFAs exist at this scale: every one serving the area, or (demo) those with households.
    used = {d.provider_key for d in drafts}
    demo_urns = {urn for _, urn, _ in DEMO_IFAS}
    in_scope = [
        p
        for p in ifa_plans
        if (scale != "demo" and serving_any(p, scope.la_codes))
        or f"ifa:{p.urn}" in used
        or p.urn in demo_urns
    ]
    ifas = _ensure_ifas(in_scope)
    summary.ifas, summary.la_services = len(ifas), len(set(services.values()))
    org_by_key = {f"la:{code}": org for code, org in services.items()}
    org_by_key.update({f"ifa:{urn}": org for urn, org in ifas.items()})

    # Provider rows, with grades, contacts and the LAs each serves.
    orgs = sorted({org.pk: org for org in org_by_key.values()}.values(), key=lambda o: o.name)
    have = set(
        Provider.objects.filter(organisation__in=orgs).values_list("organisation_id", flat=True)
    )
    home_region = {
        org.pk: by_code[code].region for code, org in services.items() if code in by_code
    }
    home_region.update({ifas[p.urn].pk: by_code[p.home].region for p in in_scope})
    Provider.objects.bulk_create(
        _provider_rows(
            [o for o in orgs if o.pk not in have],
            seed=seed,
            region_of=lambda o: home_region.get(o.pk, ""),
            today=timezone.localdate(now),
        ),
        batch_size=500,
    )
    la_ids = {la.code: la.pk for la in las}
    through = Provider.areas_served.through
    links = [
        through(provider_id=services[la_service_owner(code)].pk, organisation_id=la_ids[code])
        for code in sorted(scope.la_codes)
    ]
    for plan in in_scope:
        links.extend(
            through(provider_id=ifas[plan.urn].pk, organisation_id=la_ids[c])
            for c in plan.footprint
        )
    through.objects.bulk_create(links, batch_size=2000, ignore_conflicts=True)

    # Skip households that exist already (keyed by provider and reference).
    provider_ids = [org.pk for org in orgs]
    existing = set(
        Household.objects.filter(provider_id__in=provider_ids).values_list(
            "provider_id", "reference"
        )
    )
    new = []
    for draft in drafts:
        draft.household.provider_id = org_by_key[draft.provider_key].pk
        if (draft.household.provider_id, draft.household.reference) not in existing:
            new.append(draft)
    _bulk(Household, [d.household for d in new], desc="Writing households", show=progress)
    carers: list[Carer] = []
    skills: list[HouseholdSkill] = []
    vacancies: list[Vacancy] = []
    for draft in new:
        hid = draft.household.pk
        for carer in draft.carers:
            carer.household_id = hid
            carers.append(carer)
        skills.extend(
            HouseholdSkill(household_id=hid, domain_id=d, level_id=lv) for d, lv in draft.skills
        )
        for vacancy in draft.vacancies:
            vacancy.household_id = hid
            vacancies.append(vacancy)
    _bulk(Carer, carers, desc="Writing carers", show=progress)
    _bulk(HouseholdSkill, skills, desc="Writing skills", show=progress, batch=5000)
    _bulk(Vacancy, vacancies, desc="Writing vacancies", show=progress)

    summary.households_created = len(new)
    summary.households = len(drafts)
    summary.places = sum(d.household.places for d in drafts)
    summary.carers = sum(len(d.carers) for d in drafts)
    summary.skills = sum(len(d.skills) for d in drafts)
    cutoff = now - dt.timedelta(days=14)
    open_vacancies = [v for d in drafts for v in d.vacancies if v.status == VacancyStatus.OPEN]
    summary.open_vacancies = len(open_vacancies)
    summary.stale_vacancies = sum(1 for v in open_vacancies if v.last_confirmed_at < cutoff)
    return summary


def serving_any(plan: IfaPlan, codes: set[str]) -> bool:
    return any(code in codes for code in plan.footprint)
