"""The organisation lists run a fixed number of queries, however many rows they show."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import HubFactory, IfaFactory, LaServiceFactory, RccMembershipFactory

pytestmark = pytest.mark.django_db


def add_organisations(world, n: int) -> None:
    """n of each kind with a foreign key the list shows (owning LA, RCC), in the world's RCC."""
    for _ in range(n):
        membership = RccMembershipFactory(rcc=world.rcc)
        LaServiceFactory(owning_la=membership.la)
        HubFactory(rcc=world.rcc)
        IfaFactory()


def queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.NCC_ANALYST, Role.COMMISSIONER])
def test_organisation_list_page_query_count_does_not_grow(
    client, world, django_assert_num_queries, role
):
    client.force_login(world.users[role])
    url = reverse("organisations:list")
    add_organisations(world, 2)
    baseline = queries(client, url)
    assert baseline <= 12, f"{baseline} queries for the organisation list"
    add_organisations(world, 4)  # ~3x the rows, still on the first page
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["object_list"]) >= 20


def test_organisation_list_export_query_count_does_not_grow(
    client, world, django_assert_num_queries
):
    client.force_login(world.users[Role.NCC_ANALYST])
    url = reverse("organisations:list")
    add_organisations(world, 5)
    baseline = queries(client, url, export="csv")
    add_organisations(world, 15)
    with django_assert_num_queries(baseline):
        response = client.get(url, {"export": "csv"})
    assert response.content.decode().count("\n") > 60


@pytest.mark.parametrize("role", [Role.NCC_ANALYST, Role.PLACEMENT_OFFICER])
def test_api_organisation_list_query_count_does_not_grow(
    client, world, django_assert_num_queries, role
):
    client.force_login(world.users[role])
    url = reverse("api:organisation-list")
    add_organisations(world, 3)
    baseline = queries(client, url)
    assert baseline <= 10, f"{baseline} queries for the API organisation list"
    add_organisations(world, 9)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.json()["results"]) >= 36
