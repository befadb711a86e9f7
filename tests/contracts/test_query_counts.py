"""Commissioning lists run a fixed number of queries, however many rows they show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PlacementBudgetFactory,
    PriceScheduleFactory,
    SoftBlockFactory,
    make_placement,
)
from tests.contracts.permission_rows import contracts_of
from tests.factories import LocalAuthorityFactory, RccMembershipFactory
from tests.providers.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def add_rows(world, n: int) -> None:
    """n more of every listed record in the world's RCC."""
    for _ in range(n):
        provider = ProviderFactory()
        framework = FrameworkFactory(owner=world.rcc)
        lot = LotFactory(framework=framework)
        EnrolmentFactory(lot=lot, provider=provider)
        schedule = PriceScheduleFactory(provider=provider, lot=lot)
        schedule.support_prices.create(kind="therapy", weekly_cost=150)
        block = SoftBlockFactory(
            rcc=world.rcc,
            provider=provider,
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2027, 12, 31),
        )
        la = LocalAuthorityFactory()
        RccMembershipFactory(rcc=world.rcc, la=la)
        PlacementBudgetFactory(rcc=world.rcc, la=la, financial_year=2026)
        make_placement(provider=provider, rcc=world.rcc, la=la, start=dt.date(2026, 2, 1))
        del block


def count(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


LISTS = [
    ("contracts:frameworks", {}),
    ("contracts:enrolments", {}),
    ("contracts:prices", {}),
    ("contracts:fees", {"band": "fee_5_10"}),
    ("contracts:above_schedule", {}),
    ("contracts:soft_blocks", {}),
    ("contracts:budgets", {}),
    ("contracts:disputes", {}),
    ("contracts:meetings", {}),
    ("contracts:alerts", {}),
    ("contracts:in_house_costs", {}),
    ("contracts:account_managers", {}),
    ("contracts:specialist_services", {}),
    ("contracts:terms", {}),
    ("contracts:index", {}),
    ("home", {}),
]


@pytest.mark.parametrize(("name", "params"), LISTS, ids=[n for n, _ in LISTS])
def test_list_query_count_does_not_grow(client, world, django_assert_num_queries, name, params):
    contracts_of(world)
    client.force_login(world.users[Role.COMMISSIONER])
    url = reverse(name)
    add_rows(world, 2)
    baseline = count(client, url, **params)
    assert baseline <= 25, f"{baseline} queries for {name}"
    add_rows(world, 3)
    with django_assert_num_queries(baseline):
        client.get(url, params)


@pytest.mark.parametrize(
    "name", ["contracts:soft_blocks", "contracts:budgets", "contracts:fees", "contracts:prices"]
)
def test_csv_export_query_count_does_not_grow(client, world, django_assert_num_queries, name):
    client.force_login(world.users[Role.NCC_ANALYST])
    url = reverse(name)
    add_rows(world, 2)
    baseline = count(client, url, export="csv")
    add_rows(world, 3)
    with django_assert_num_queries(baseline):
        client.get(url, {"export": "csv"})


@pytest.mark.parametrize(
    "name",
    [
        "contracts-framework-list",
        "contracts-price-schedule-list",
        "contracts-soft-block-list",
        "contracts-budget-list",
        "contracts-fee-comparison-list",
    ],
)
def test_api_list_query_count_does_not_grow(client, world, django_assert_num_queries, name):
    client.force_login(world.users[Role.NCC_ANALYST])
    url = reverse(f"api:{name}")
    add_rows(world, 2)
    baseline = count(client, url)
    add_rows(world, 3)
    with django_assert_num_queries(baseline):
        client.get(url)
