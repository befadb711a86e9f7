"""Who may search, and what each searcher sees (the matrix row is in permission_rows.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from tests.conftest import World
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.providers.factories import HouseholdFactory, ProviderFactory, VacancyFactory

SEARCH_URL = reverse("register_search:search")
API_URL = reverse("api:register-search")
SEARCHERS = (Role.PLACEMENT_OFFICER, Role.COMMISSIONER, Role.NCC_ANALYST, Role.ADMINISTRATOR)
NOT_ALLOWED = (Role.SOCIAL_WORKER, Role.IRO, Role.SCRUTINEER)


@pytest.fixture
def homes(world: World) -> dict[str, str]:
    """One household with an open place for each provider in the world: reference by provider."""
    district = PostcodeDistrictFactory(code="ZX1", latitude=53.4, longitude=-2.2)
    out = {}
    for key, org in (
        ("in_house", world.la_service),
        ("other_la", world.other_la_service),
        ("ifa", world.ifa),
        ("other_ifa", world.other_ifa),
    ):
        household = HouseholdFactory(
            provider=ProviderFactory(organisation=org),
            reference=f"P-{key}",
            postcode_district=district,
        )
        VacancyFactory(household=household)
        out[key] = household.reference
    return out


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_sign_in_or_refused(db: Any) -> None:
    page = Client().get(SEARCH_URL)
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:login"))
    api = Client().get(API_URL)
    assert api.status_code == 401
    assert "detail" in api.json()


@pytest.mark.parametrize("role", NOT_ALLOWED)
def test_roles_without_the_rule_get_403(world: World, homes: dict[str, str], role: str) -> None:
    client = signed_in(world.users[role])
    assert client.get(SEARCH_URL).status_code == 403
    assert client.get(API_URL).status_code == 403


@pytest.mark.parametrize("role", SEARCHERS)
def test_hub_rcc_and_ncc_staff_see_every_provider(
    world: World, homes: dict[str, str], role: str
) -> None:
    client = signed_in(world.users[role])
    page = client.get(SEARCH_URL)
    assert page.status_code == 200
    assert {h.reference for h in page.context["object_list"]} == set(homes.values())
    api = client.get(API_URL)
    assert {r["reference"] for r in api.json()["results"]} == set(homes.values())


@pytest.mark.parametrize("role", (Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA))
def test_a_provider_sees_only_its_own_households(
    world: World, homes: dict[str, str], role: str
) -> None:
    client = signed_in(world.users[role])  # works for world.ifa
    page = client.get(SEARCH_URL)
    assert page.status_code == 200
    assert [h.reference for h in page.context["object_list"]] == [homes["ifa"]]
    assert [r["reference"] for r in client.get(API_URL).json()["results"]] == [homes["ifa"]]
    export = client.get(SEARCH_URL, {"export": "csv"}).content.decode()
    assert homes["ifa"] in export
    assert homes["other_ifa"] not in export


def test_an_la_service_sees_only_its_own_households(world: World, homes: dict[str, str]) -> None:
    client = signed_in(user_with_role(Role.PROVIDER_REFERRALS, world.la_service))
    assert [r["reference"] for r in client.get(API_URL).json()["results"]] == [homes["in_house"]]


def test_search_is_in_the_navigation_for_searchers_only(world: World) -> None:
    hub = signed_in(world.users[Role.PLACEMENT_OFFICER]).get("/").content.decode()
    social_worker = signed_in(world.users[Role.SOCIAL_WORKER]).get("/").content.decode()
    assert SEARCH_URL in hub
    assert SEARCH_URL not in social_worker
