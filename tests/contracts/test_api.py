"""The API calls the same services as the pages: flows, error shapes and the scheduled fee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.contracts.models import Framework, PriceSchedule, SoftBlock
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PriceScheduleFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/contracts"


def test_framework_create_with_lots_then_enrol_price_and_soft_block(client, setup):
    client.force_login(setup.commissioner)
    response = client.post(
        f"{API}/frameworks/",
        {
            "owner": setup.world.rcc.pk,
            "kind": "dps",
            "reference": "API-DPS",
            "title": "DPS",
            "specification_summary": "Spec.",
            "terms_version": setup.terms.pk,
            "start_date": "2026-04-01",
            "end_date": "2030-03-31",
            "lead_manager": setup.commissioner.pk,
            "deputy_manager": setup.deputy.pk,
            "lots": [
                {"name": "Disability", "service_type": "disability"},
                {"name": "UASC", "service_type": "uasc", "age_min": 14},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [lot["service_type"] for lot in body["lots"]] == ["disability", "uasc"]
    assert body["deputy_manager"]["email"] == setup.deputy.email
    lot = body["lots"][0]["id"]
    enrol = client.post(
        f"{API}/lots/{lot}/enrol/",
        {"provider": setup.ifa.pk, "accept": True},
        content_type="application/json",
    )
    assert enrol.status_code == 201 and enrol.json()["status"] == "accepted"
    price = client.post(
        f"{API}/price-schedules/",
        {
            "provider": setup.ifa.pk,
            "lot": lot,
            "valid_from": "2026-04-01",
            "fee_5_10": "1150.00",
            "support_respite": "90",
        },
        content_type="application/json",
    )
    assert price.status_code == 201, price.json()
    assert price.json()["support_prices"] == [
        {"kind": "respite", "weekly_cost": "90.00", "description": ""}
    ]
    fee = client.get(
        f"{API}/scheduled-fee/",
        {"provider": setup.ifa.pk, "age": 6, "on": "2026-05-01", "care_types": "disability"},
    )
    assert fee.json() == {"weekly_fee": "1150.00"}
    block = client.post(
        f"{API}/soft-blocks/",
        {
            "rcc": setup.world.rcc.pk,
            "provider": setup.ifa.pk,
            "reference": "API-SB",
            "places": 3,
            "weekly_fee": "990",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "terms_version": setup.terms.pk,
        },
        content_type="application/json",
    )
    assert block.status_code == 201 and block.json()["utilisation"]["days_reserved"] >= 0


def test_framework_without_deputy_through_the_api(client, setup):
    client.force_login(setup.commissioner)
    response = client.post(
        f"{API}/frameworks/",
        {
            "owner": setup.world.rcc.pk,
            "kind": "dps",
            "reference": "X",
            "title": "X",
            "specification_summary": "S",
            "terms_version": setup.terms.pk,
            "start_date": "2026-04-01",
            "end_date": "2030-03-31",
            "lead_manager": setup.commissioner.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "deputy contract manager" in response.json()["errors"]["deputy_manager"][0]
    assert not Framework.objects.filter(reference="X").exists()


def test_overlap_and_soft_block_size_through_the_api(client, setup):
    client.force_login(setup.commissioner)
    lot = LotFactory(framework=FrameworkFactory(owner=setup.world.rcc))
    EnrolmentFactory(lot=lot, provider=setup.ifa)
    PriceScheduleFactory(provider=setup.ifa, lot=lot, valid_from=dt.date(2026, 4, 1), valid_to=None)
    overlap = client.post(
        f"{API}/price-schedules/",
        {"provider": setup.ifa.pk, "lot": lot.pk, "valid_from": "2027-04-01", "fee_5_10": "900"},
        content_type="application/json",
    )
    assert overlap.status_code == 400 and "overlap" in overlap.json()["errors"]["valid_from"][0]
    assert PriceSchedule.objects.count() == 1
    too_big = client.post(
        f"{API}/soft-blocks/",
        {
            "rcc": setup.world.rcc.pk,
            "provider": setup.ifa.pk,
            "reference": "BIG",
            "places": 50,
            "weekly_fee": "700",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "terms_version": setup.terms.pk,
        },
        content_type="application/json",
    )
    assert (
        too_big.status_code == 400 and "cannot reserve 50" in too_big.json()["errors"]["places"][0]
    )
    assert not SoftBlock.objects.exists()


def test_a_provider_cannot_ask_the_scheduled_fee_of_another_provider(client, setup):
    client.force_login(setup.world.users[Role.PROVIDER_REFERRALS])
    mine = client.get(
        f"{API}/scheduled-fee/", {"provider": setup.ifa.pk, "age": 6, "on": "2026-05-01"}
    )
    theirs = client.get(
        f"{API}/scheduled-fee/", {"provider": setup.other_ifa.pk, "age": 6, "on": "2026-05-01"}
    )
    assert mine.status_code == 200 and theirs.status_code == 404


def test_a_lot_of_another_rcc_is_unknown_to_the_price_schedule_api(client, setup):
    client.force_login(setup.commissioner)
    lot = LotFactory(framework=FrameworkFactory(owner=setup.world.other_rcc))
    response = client.post(
        f"{API}/price-schedules/",
        {"provider": setup.ifa.pk, "lot": lot.pk, "valid_from": "2026-04-01", "fee_5_10": "900"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "lot" in response.json()["errors"]


def test_budget_list_carries_the_figures(client, setup):
    client.force_login(setup.commissioner)
    created = client.post(
        f"{API}/budgets/",
        {"la": setup.world.la.pk, "financial_year": 2026, "amount": "1500000"},
        content_type="application/json",
    )
    assert created.status_code == 201
    row = client.get(f"{API}/budgets/").json()["results"][0]
    assert row["amount"] == "1500000.00" and row["year_label"] == "2026-27"
    assert Decimal(row["figures"]["forecast"]) == 0  # no placements yet


def test_specialist_matching(client, setup):
    from tests.contracts.permission_rows import contracts_of

    contracts_of(setup.world)
    client.force_login(setup.world.users[Role.PLACEMENT_OFFICER])
    found = client.get(
        f"{API}/specialist-services/matching/", {"needs": "disability:4,health:1"}
    ).json()
    assert [s["name"] for s in found] == ["Deaf children's fostering"]
    assert (
        client.get(f"{API}/specialist-services/matching/", {"needs": "disability:2"}).json() == []
    )
    bad = client.get(f"{API}/specialist-services/matching/", {"needs": "disability"})
    assert bad.status_code == 400
