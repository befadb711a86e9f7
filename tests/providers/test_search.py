"""The vacancy search: every filter, ordering, export, the API, and constant query counts.

Households are placed at known offsets from an origin district; expected distances come from
`miles_between` (the Python haversine), never from the query under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.geo import EARTH_RADIUS_MILES, miles_between
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.providers.choices import CareType
from apps.providers.models import Household, Provider
from apps.providers.selectors import ProviderType, VacancySearch, vacancy_search
from tests.conftest import World
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.providers.factories import (
    HouseholdFactory,
    HouseholdSkillFactory,
    NeedDomainFactory,
    NeedLevelFactory,
    ProviderFactory,
    VacancyFactory,
)

ORIGIN = (53.48, -2.24)
DEGREES_PER_MILE = 180 / (math.pi * EARTH_RADIUS_MILES)
SEARCH_URL = reverse("register_search:search")
API_URL = reverse("api:register-search")


def point(north: float, east: float = 0.0) -> tuple[float, float]:
    """The point `north` miles north and `east` miles east of ORIGIN (east along the parallel)."""
    lat = ORIGIN[0] + north * DEGREES_PER_MILE
    return lat, ORIGIN[1] + east * DEGREES_PER_MILE / math.cos(math.radians(lat))


@dataclass
class Register:
    world: World
    origin: PostcodeDistrict
    in_house: Provider
    other_la: Provider
    ifa: Provider
    other_ifa: Provider
    count: int = 0

    def home(
        self,
        provider: Provider,
        north: float,
        east: float = 0.0,
        *,
        vacancies: int = 1,
        available_from: dt.date | None = None,
        confirmed_days_ago: float = 1,
        la: Organisation | None = None,
        **fields: Any,
    ) -> Household:
        """A household at that offset with `vacancies` open places."""
        self.count += 1
        lat, lng = point(north, east)
        district = PostcodeDistrictFactory(
            code=f"ZY{self.count}", latitude=lat, longitude=lng, la=la
        )
        confirmed = timezone.now() - dt.timedelta(days=confirmed_days_ago)
        household = HouseholdFactory(
            provider=provider,
            reference=f"H{self.count:03d}",
            postcode_district=district,
            la=la or self.world.la,
            last_confirmed_at=confirmed,
            **fields,
        )
        for _ in range(vacancies):
            VacancyFactory(
                household=household,
                available_from=available_from or timezone.localdate(),
                last_confirmed_at=confirmed,
            )
        return household


@pytest.fixture
def register(world: World) -> Register:
    origin = PostcodeDistrictFactory(
        code="ZY0", latitude=ORIGIN[0], longitude=ORIGIN[1], la=world.la
    )
    return Register(
        world=world,
        origin=origin,
        in_house=ProviderFactory(
            organisation=world.la_service, ofsted_grade="requires_improvement"
        ),
        other_la=ProviderFactory(organisation=world.other_la_service, ofsted_grade="good"),
        ifa=ProviderFactory(organisation=world.ifa, ofsted_grade="outstanding"),
        other_ifa=ProviderFactory(organisation=world.other_ifa, ofsted_grade="inadequate"),
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def hub(register: Register) -> Any:
    return register.world.users[Role.PLACEMENT_OFFICER]


def api_search(register: Register, user: Any = None, **params: Any) -> list[dict[str, Any]]:
    response = client_for(user or hub(register)).get(API_URL, params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def refs(results: list[dict[str, Any]]) -> list[str]:
    return [r["reference"] for r in results]


# --- Area ---------------------------------------------------------------------------------


def test_radius_keeps_households_inside_the_circle_only(register: Register) -> None:
    near = register.home(register.ifa, 10)
    # In the bounding box of a 25-mile circle but outside the circle (about 28 miles away).
    corner = register.home(register.ifa, 20, 20)
    far = register.home(register.ifa, 40)
    assert miles_between(ORIGIN, point(20, 20)) > 25

    results = api_search(register, postcode_district="ZY0", radius=25)

    assert refs(results) == [near.reference]
    assert {corner.reference, far.reference}.isdisjoint(refs(results))


def test_results_are_nearest_first_with_the_distance(register: Register) -> None:
    offsets = {"far": (18, -3), "near": (2, 1), "middle": (0, 9)}
    homes = {name: register.home(register.ifa, *offset) for name, offset in offsets.items()}

    results = api_search(register, postcode_district="ZY0", radius=25)

    expected = sorted(homes, key=lambda name: miles_between(ORIGIN, point(*offsets[name])))
    assert refs(results) == [homes[name].reference for name in expected]
    for result in results:
        name = next(n for n, h in homes.items() if h.reference == result["reference"])
        assert result["distance_miles"] == pytest.approx(
            miles_between(ORIGIN, point(*offsets[name])), abs=0.01
        )


def test_a_full_postcode_is_cut_to_its_district(register: Register) -> None:
    home = register.home(register.ifa, 3)
    assert refs(api_search(register, postcode_district="zy0 1ab", radius=5)) == [home.reference]


def test_unknown_district_and_radius_without_district_are_errors(register: Register) -> None:
    client = client_for(hub(register))
    unknown = client.get(API_URL, {"postcode_district": "QQ9"})
    assert unknown.status_code == 400
    assert "postcode_district" in unknown.json()["errors"]
    radius_only = client.get(API_URL, {"radius": 10})
    assert radius_only.status_code == 400
    assert "postcode_district" in radius_only.json()["errors"]


def test_rcc_and_la_areas(register: Register) -> None:
    ours = register.home(register.ifa, 1, la=register.world.la)
    theirs = register.home(register.ifa, 2, la=register.world.other_la)

    assert refs(api_search(register, rcc=register.world.rcc.pk)) == [ours.reference]
    assert refs(api_search(register, rcc=register.world.other_rcc.pk)) == [theirs.reference]
    assert refs(api_search(register, la=register.world.other_la.pk)) == [theirs.reference]


# --- When, the child, the care --------------------------------------------------------------


def test_stale_vacancies_are_left_out_unless_asked_for(register: Register) -> None:
    fresh = register.home(register.ifa, 1, confirmed_days_ago=13)
    stale = register.home(register.ifa, 2, confirmed_days_ago=15)

    assert refs(api_search(register, postcode_district="ZY0")) == [fresh.reference]
    both = api_search(register, postcode_district="ZY0", include_stale="true")
    assert refs(both) == [fresh.reference, stale.reference]
    assert [r["is_stale"] for r in both] == [False, True]


def test_available_by_date(register: Register) -> None:
    today = timezone.localdate()
    now = register.home(register.ifa, 1, available_from=today)
    later = register.home(register.ifa, 2, available_from=today + dt.timedelta(days=30))

    by_next_week = api_search(register, available_by=(today + dt.timedelta(days=7)).isoformat())
    assert refs(by_next_week) == [now.reference]
    everything = api_search(register, postcode_district="ZY0")
    assert refs(everything) == [now.reference, later.reference]
    assert everything[1]["earliest_available"] == (today + dt.timedelta(days=30)).isoformat()


def test_childs_age_is_within_the_approved_range(register: Register) -> None:
    young = register.home(register.ifa, 1, age_min=0, age_max=4)
    teens = register.home(register.ifa, 2, age_min=11, age_max=17)

    assert refs(api_search(register, child_age=4)) == [young.reference]
    assert refs(api_search(register, child_age=11)) == [teens.reference]
    assert refs(api_search(register, child_age=8)) == []


def test_sibling_group_needs_the_approval_and_enough_open_places(register: Register) -> None:
    fits = register.home(register.ifa, 1, places=3, max_sibling_group=2, vacancies=2)
    one_place_free = register.home(register.ifa, 2, places=2, max_sibling_group=2, vacancies=1)
    not_approved = register.home(register.ifa, 3, places=2, max_sibling_group=1, vacancies=2)

    results = api_search(register, postcode_district="ZY0", sibling_group=2)

    assert refs(results) == [fits.reference]
    assert results[0]["open_places"] == 2
    assert {one_place_free.reference, not_approved.reference}.isdisjoint(refs(results))


def test_care_types_must_all_be_approved(register: Register) -> None:
    short = register.home(register.ifa, 1, care_types=int(CareType.SHORT_TERM))
    both = register.home(register.ifa, 2, care_types=int(CareType.SHORT_TERM | CareType.REMAND))

    assert refs(api_search(register, postcode_district="ZY0", care_types="short_term")) == [
        short.reference,
        both.reference,
    ]
    assert refs(api_search(register, care_types=["short_term", "remand"])) == [both.reference]
    assert refs(api_search(register, care_types="uasc")) == []


def test_skills_meet_each_need_at_its_level_or_higher(register: Register) -> None:
    behaviour = NeedDomainFactory(code="behaviour", name="Behaviour")
    health = NeedDomainFactory(code="health", name="Physical health")
    low, medium, high = (
        NeedLevelFactory(rank=r, code=c) for r, c in ((1, "low"), (2, "medium"), (3, "high"))
    )
    skilled = register.home(register.ifa, 1)
    HouseholdSkillFactory(household=skilled, domain=behaviour, level=high)
    HouseholdSkillFactory(household=skilled, domain=health, level=low)
    some = register.home(register.ifa, 2)
    HouseholdSkillFactory(household=some, domain=behaviour, level=medium)
    register.home(register.ifa, 3)  # no recorded skills

    assert refs(api_search(register, postcode_district="ZY0", needs="behaviour:medium")) == [
        skilled.reference,
        some.reference,
    ]
    assert refs(api_search(register, needs="behaviour:high")) == [skilled.reference]
    assert refs(api_search(register, needs=["behaviour:medium", "health:low"])) == [
        skilled.reference
    ]
    assert refs(api_search(register, needs=["behaviour:medium", "health:medium"])) == []


# --- Providers --------------------------------------------------------------------------------


def test_all_three_provider_types_by_default_in_house_being_the_childs_own_la(
    register: Register,
) -> None:
    in_house = register.home(register.in_house, 1)
    other_la = register.home(register.other_la, 2)
    ifa = register.home(register.ifa, 3)
    world = register.world

    results = api_search(register, postcode_district="ZY0", child_la=world.la.pk)

    assert refs(results) == [in_house.reference, other_la.reference, ifa.reference]
    assert [r["provider_type"] for r in results] == ["in_house", "other_la", "ifa"]
    # For a child of the other LA, the two LA services swap places, whoever searches.
    theirs = api_search(register, postcode_district="ZY0", child_la=world.other_la.pk)
    assert [r["provider_type"] for r in theirs] == ["other_la", "in_house", "ifa"]
    other_hub = user_with_role(Role.PLACEMENT_OFFICER, world.other_hub)
    assert [
        r["provider_type"]
        for r in api_search(register, other_hub, postcode_district="ZY0", child_la=world.la.pk)
    ] == ["in_house", "other_la", "ifa"]
    # No child's LA: no service is in-house (not the searcher's RCC's services).
    unnamed = api_search(register, postcode_district="ZY0")
    assert [r["provider_type"] for r in unnamed] == ["other_la", "other_la", "ifa"]


def test_excluding_a_provider_type(register: Register) -> None:
    in_house = register.home(register.in_house, 1)
    other_la = register.home(register.other_la, 2)
    ifa = register.home(register.ifa, 3)

    no_ifas = api_search(
        register,
        postcode_district="ZY0",
        provider_types=["in_house", "other_la"],
        child_la=register.world.la.pk,
    )
    assert refs(no_ifas) == [in_house.reference, other_la.reference]
    ifas_only = api_search(register, postcode_district="ZY0", provider_types="ifa")
    assert refs(ifas_only) == [ifa.reference]


def test_in_house_only_is_refused_everywhere(register: Register) -> None:
    register.home(register.in_house, 1)
    client = client_for(hub(register))

    api = client.get(API_URL, {"provider_types": "in_house"})
    assert api.status_code == 400
    assert "provider_types" in api.json()["errors"]

    page = client.get(SEARCH_URL, {"provider_types": "in_house"})
    assert page.status_code == 200
    assert page.context["object_list"].count() == 0
    assert "provider_types" in page.context["filter"].errors
    assert "Search other LAs" in page.content.decode()

    with pytest.raises(DomainError):
        vacancy_search(
            user=hub(register),
            criteria=VacancySearch(provider_types=frozenset({ProviderType.IN_HOUSE})),
        )


def test_minimum_ofsted_grade(register: Register) -> None:
    outstanding = register.home(register.ifa, 1)
    good = register.home(register.other_la, 2)
    register.home(register.in_house, 3)  # requires improvement
    register.home(register.other_ifa, 4)  # inadequate

    assert refs(api_search(register, postcode_district="ZY0", min_ofsted="good")) == [
        outstanding.reference,
        good.reference,
    ]
    assert refs(api_search(register, min_ofsted="outstanding")) == [outstanding.reference]


def test_only_open_vacancies_of_active_households_count(register: Register) -> None:
    open_home = register.home(register.ifa, 1, vacancies=1)
    VacancyFactory(household=open_home, status="on_hold", hold_reason="Carers on holiday")
    VacancyFactory(household=open_home, status="booked")
    register.home(register.ifa, 2, status="on_hold")
    booked_only = register.home(register.ifa, 3, vacancies=0)
    VacancyFactory(household=booked_only, status="booked")

    results = api_search(register, postcode_district="ZY0")

    assert refs(results) == [open_home.reference]
    assert results[0]["open_places"] == 1


# --- Sorting, the page, the export ---------------------------------------------------------------


def test_sorting_by_provider_grade_and_date(register: Register) -> None:
    today = timezone.localdate()
    a = register.home(register.in_house, 1, available_from=today + dt.timedelta(days=3))  # RI
    b = register.home(register.ifa, 2, available_from=today + dt.timedelta(days=1))  # outstanding
    c = register.home(register.other_la, 3, available_from=today + dt.timedelta(days=2))  # good
    names = {h.reference: h.provider.organisation.name for h in (a, b, c)}

    by_provider = refs(api_search(register, postcode_district="ZY0", sort="provider"))
    assert by_provider == sorted(names, key=lambda ref: names[ref])
    assert refs(api_search(register, postcode_district="ZY0", sort="ofsted")) == [
        b.reference,
        c.reference,
        a.reference,
    ]
    assert refs(api_search(register, postcode_district="ZY0", sort="available")) == [
        b.reference,
        c.reference,
        a.reference,
    ]
    assert refs(api_search(register, postcode_district="ZY0", sort="-distance")) == [
        c.reference,
        b.reference,
        a.reference,
    ]


def test_page_shows_results_with_distance_and_stale_badge(register: Register) -> None:
    home = register.home(register.ifa, 5, confirmed_days_ago=20)
    response = client_for(hub(register)).get(
        SEARCH_URL, {"postcode_district": "ZY0", "radius": 25, "include_stale": "on"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert home.reference in html
    assert f"{miles_between(ORIGIN, point(5)):.1f}" in html
    assert "Not confirmed in 14 days" in html
    assert "1 household with open places" in html


def test_page_and_api_return_the_same_households_in_the_same_order(register: Register) -> None:
    for i in range(30):
        register.home(
            [register.in_house, register.other_la, register.ifa][i % 3], i % 20, (i * 7) % 11
        )
    params = {"postcode_district": "ZY0", "radius": 15, "sort": "distance"}
    client = client_for(hub(register))

    page_refs = []
    for number in (1, 2):
        page = client.get(SEARCH_URL, {**params, "page": number})
        if page.status_code == 404:
            break
        page_refs += [h.reference for h in page.context["object_list"]]
    api = client.get(API_URL, {**params, "page_size": 100}).json()

    assert api["count"] == len(page_refs) > 0
    assert [r["reference"] for r in api["results"]] == page_refs


def test_csv_export_has_every_matching_household(register: Register) -> None:
    homes = [register.home(register.ifa, i) for i in range(1, 4)]
    register.home(register.ifa, 40)  # outside the radius

    response = client_for(hub(register)).get(
        SEARCH_URL, {"postcode_district": "ZY0", "radius": 25, "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["Household"] for r in rows] == [h.reference for h in homes]
    assert [float(r["Distance (miles)"]) for r in rows] == [
        round(miles_between(ORIGIN, point(i)), 1) for i in range(1, 4)
    ]
    assert {r["Provider type"] for r in rows} == {"IFA"}


# --- Constant number of queries ------------------------------------------------------------------


def _queries(client: Client, url: str, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", [SEARCH_URL, API_URL])
def test_query_count_does_not_grow_with_results(
    register: Register, django_assert_num_queries: Any, url: str
) -> None:
    NeedDomainFactory(code="behaviour")
    NeedLevelFactory(rank=1, code="low")
    params = {
        "postcode_district": "ZY0",
        "radius": 30,
        "child_age": 5,
        "care_types": "short_term",
        "needs": "behaviour:low",
    }
    client = client_for(hub(register))

    def add(n: int) -> None:
        for i in range(n):
            home = register.home(
                [register.in_house, register.other_la, register.ifa][i % 3], i % 25, vacancies=2
            )
            HouseholdSkillFactory(household=home, domain__code="behaviour", level__rank=1)

    add(3)
    baseline = _queries(client, url, params)
    add(40)
    with django_assert_num_queries(baseline):
        response = client.get(url, params)
    rows = response.context["object_list"] if url == SEARCH_URL else response.json()["results"]
    expected = 25 if url == SEARCH_URL else 43  # a page of the 43 households that match
    assert len(rows) == expected


def test_pages_carry_the_total_and_a_page_past_the_end_is_not_found(register: Register) -> None:
    for i in range(27):
        register.home(register.ifa, i % 10)
    client = client_for(hub(register))

    first = client.get(SEARCH_URL, {"postcode_district": "ZY0"})
    second = client.get(SEARCH_URL, {"postcode_district": "ZY0", "page": 2})

    assert first.context["paginator"].count == second.context["paginator"].count == 27
    assert len(second.context["object_list"]) == 2
    assert client.get(SEARCH_URL, {"postcode_district": "ZY0", "page": 3}).status_code == 404
    assert client.get(SEARCH_URL, {"postcode_district": "ZY0", "page": "x"}).status_code == 404
    assert client.get(SEARCH_URL, {"postcode_district": "ZY0", "page": 0}).status_code == 404
    api = client.get(API_URL, {"postcode_district": "ZY0", "page_size": 10, "page": 3}).json()
    assert api["count"] == 27
    assert len(api["results"]) == 7


def test_the_search_page_says_what_in_house_means(register: Register) -> None:
    register.home(register.in_house, 1)
    page = client_for(hub(register)).get(SEARCH_URL, {"child_la": register.world.la.pk})
    html = page.content.decode()
    assert "The child&#x27;s local authority" in html or "The child's local authority" in html
    assert "which homes are in-house for the child (that LA's own fostering service)" in html
    assert [h.provider_type for h in page.context["object_list"]] == ["in_house"]
