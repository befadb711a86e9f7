"""Tiny registers built in memory for the simulation's tests: homes, children and the input the
engine reads, with real coordinates so that the distances are known (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from django.utils import timezone

from apps.organisations.kinds import OrganisationKind
from apps.planning.simulation_input import (
    Assumptions,
    Person,
    Pricing,
    SimulationInput,
    Statement,
)
from apps.providers.choices import CareType
from apps.referrals.matching import Area, Home, Need
from apps.referrals.models import CareEpisode
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory
from tests.referrals.matching_support import district, domain, levels, years_ago
from tests.referrals.matching_support import home as db_home

# Approximate centres; straight-line miles from M1.
POINTS = {
    "M1": (53.4794, -2.2353),  # 0
    "M14": (53.4470, -2.2240),  # ~2.3
    "OL1": (53.5444, -2.1169),  # ~6.1
    "WA1": (53.3900, -2.5900),  # ~16
    "LS1": (53.7970, -1.5480),  # ~35
    "B1": (52.4800, -1.9030),  # ~70
}
START = dt.date(2026, 4, 1)
LA, OTHER_LA, RCC = 1, 2, 100
IN_HOUSE_SERVICE, OTHER_LA_SERVICE, IFA, OTHER_IFA = 11, 12, 21, 22
KIND = {
    IN_HOUSE_SERVICE: (OrganisationKind.LA_SERVICE, LA),
    OTHER_LA_SERVICE: (OrganisationKind.LA_SERVICE, OTHER_LA),
    IFA: (OrganisationKind.IFA, None),
    OTHER_IFA: (OrganisationKind.IFA, None),
}
DOMAIN = 7  # one need domain: "Behaviour"
USUAL_CARE = int(CareType.SHORT_TERM | CareType.LONG_TERM)


def home(
    pk: int,
    provider: int,
    at: str,
    *,
    ages: tuple[int, int] = (0, 17),
    open_places: int = 1,
    skill: int = 0,
    care_types: int = USUAL_CARE,
    free_from: dt.date = START,
) -> Home:
    kind, owning_la = KIND[provider]
    lat, lng = POINTS[at]
    row: tuple[Any, ...] = (
        pk,
        f"HH{pk}",
        provider,
        f"Provider {provider}",
        kind,
        owning_la,
        "good",
        at,
        lat,
        lng,
        ages[0],
        ages[1],
        1,
        care_types,
        "",
        [],
        "",
        "active",
        None,
        1,
        "",
        2,
    )
    made = Home(row)
    made.dates = [free_from] * open_places
    if skill:
        made.skills[DOMAIN] = skill
    made.add_carer("WBRI", "none", ["en"])
    return made


def child(
    key: str, *, day: int = 0, age: int = 9, at: str = "M1", need: int = 0, la: int = LA
) -> Person:
    entered = START + dt.timedelta(days=day)
    born = entered.replace(year=entered.year - age) - dt.timedelta(days=30)
    needs = (Need(DOMAIN, "Behaviour", need, "Medium"),) if need else ()
    return Person(
        key=key,
        la_id=la,
        rcc_id=RCC,
        born=born,
        entered=entered,
        centre=POINTS[at],
        centre_label=at,
        needs=needs,
        ethnicity="WBRI",
        religion="none",
        languages=frozenset({"en"}),
    )


def simulation_input(
    homes: list[Home],
    people: list[Person],
    *,
    lengths: list[int] | None = None,
    occupied: dict[int, int] | None = None,
    statements: list[Statement] | None = None,
    pricing: Pricing | None = None,
    assumptions: Assumptions | None = None,
) -> SimulationInput:
    """The engine's input: `occupied` gives a home's (by index) places filled at the start."""
    occupied = occupied or {}
    places = np.array([len(h.dates) + occupied.get(i, 0) for i, h in enumerate(homes)])
    return SimulationInput(
        start=START,
        area=Area(homes, {}, detailed=True),
        places=places,
        held=np.zeros(len(homes), dtype=np.int64),
        weights={},
        pricing=pricing or Pricing(),
        people=people,
        entries=True,
        lengths=np.array(lengths or [1000]),
        lengths_source="test",
        statements=statements or [],
        rcc_names={RCC: "Test RCC"},
        level_names={1: "Low", 2: "Medium", 3: "High"},
        assumptions=assumptions or Assumptions(),
        entries_from=START,
    )


# --- A cohort in the database (tests with `world`) ---------------------------------------------


def episode(
    kid: Any, start: dt.date, *, end: dt.date | None = None, rne: str = "S", place: str = "U6"
) -> Any:
    return CareEpisode.objects.create(
        child=kid,
        start_date=start,
        end_date=end,
        new_episode_reason=rne,
        legal_status="C2",
        placement_type=place,
        source="imported",
    )


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def make_cohort(world: Any) -> list[Any]:
    """Three homes; four children of the world's LA, three of whom came into foster care in
    the last year; one child of the other RCC; ended episodes to draw lengths from."""
    lv = levels()
    behaviour = domain("behaviour")
    db_home(world.la_service, "LS1")
    db_home(world.ifa, "M14", skills={"behaviour": 2})
    db_home(world.other_ifa, "OL1", places=2)
    kids = []
    for n, at in enumerate(["M1", "M14", "OL1", "WA1"]):
        kid = ChildFactory(
            la=world.la, date_of_birth=years_ago(8 + n), home_postcode_district=district(at)
        )
        NeedsAssessmentFactory(child=kid, items=[(behaviour, lv[1])])
        NeedsAssessmentFactory(child=kid, items=[(behaviour, lv[3])])  # the latest: high
        kids.append(kid)
    episode(kids[0], days_ago(40))
    episode(kids[1], days_ago(100), place="U4")
    episode(kids[2], days_ago(200), end=days_ago(20), place="U5")
    episode(kids[3], days_ago(500), end=days_ago(400))  # entered over a year ago
    episode(kids[3], days_ago(300), place="U1")  # with relatives: no register home
    elsewhere = ChildFactory(la=world.other_la, home_postcode_district=district("B1"))
    episode(elsewhere, days_ago(10))
    return kids
