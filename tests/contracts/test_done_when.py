"""The issue's "Done when", tried as a new user would, through the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts import services
from apps.contracts.models import Enrolment, Framework, PriceSchedule, SoftBlock
from apps.contracts.selectors import scheduled_fee_for
from apps.contracts.tasks import raise_contract_alerts
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _lot_fields(lots):
    data = {}
    for i in range(1, 5):
        name, service = lots[i - 1] if i <= len(lots) else ("", "standard")
        data.update(
            {
                f"lot_{i}_name": name,
                f"lot_{i}_service_type": service,
                f"lot_{i}_age_min": "0",
                f"lot_{i}_age_max": "17",
            }
        )
    return data


def test_commissioner_sets_up_a_framework_and_sees_it_on_the_home_page(client, setup):
    world, today = setup.world, timezone.localdate()
    client.force_login(setup.commissioner)

    # 1. A framework with two lots, a lead and a deputy.
    response = client.post(
        reverse("contracts:framework_create"),
        {
            "owner": world.rcc.pk,
            "kind": "framework",
            "reference": "GM-FC-NEW",
            "title": "Foster care framework",
            "specification_summary": "Mainstream and enhanced foster care near school.",
            "terms_version": setup.terms.pk,
            "start_date": (today - dt.timedelta(days=30)).isoformat(),
            "end_date": (today + dt.timedelta(days=900)).isoformat(),
            "extension_options": "2",
            "extension_months": "12",
            "extension_decision_date": (
                today + dt.timedelta(days=215)
            ).isoformat(),  # window opens in ~a month
            "consultation_months": "6",
            "application_opens": (today - dt.timedelta(days=10)).isoformat(),
            "application_closes": (today + dt.timedelta(days=20)).isoformat(),
            "lead_manager": setup.commissioner.pk,
            "deputy_manager": setup.deputy.pk,
            **_lot_fields([("Standard", "standard"), ("Enhanced and therapeutic", "enhanced")]),
        },
    )
    framework = Framework.objects.get(reference="GM-FC-NEW")
    assert response.status_code == 302 and response["Location"] == reverse(
        "contracts:framework", args=[framework.pk]
    )
    standard, enhanced = framework.lots.order_by("number")
    assert (standard.service_type, enhanced.service_type) == ("standard", "enhanced")

    # 2. An IFA and an LA service enrolled (and accepted) on the standard lot.
    for provider in (setup.ifa, setup.la_service):
        response = client.post(
            reverse("contracts:lot_enrol", args=[standard.pk]),
            {"provider": provider.pk, "accept": "on"},
        )
        assert response.status_code == 302
    assert set(
        Enrolment.objects.filter(lot=standard, status="accepted").values_list(
            "provider_id", flat=True
        )
    ) == {setup.ifa.pk, setup.la_service.pk}

    # 3. Their price schedules.
    for provider, fee in ((setup.ifa, "820.00"), (setup.la_service, "640.00")):
        response = client.post(
            reverse("contracts:price_create"),
            {
                "lot": standard.pk,
                "provider": provider.pk,
                "valid_from": (today - dt.timedelta(days=30)).isoformat(),
                "fee_0_4": "",
                "fee_5_10": fee,
                "fee_11_15": "",
                "fee_16_17": "",
                "fee_18_plus": "",
                "support_therapy": "150",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    assert PriceSchedule.objects.filter(lot=standard).count() == 2

    # 4. A soft block with the IFA.
    response = client.post(
        reverse("contracts:soft_block_create"),
        {
            "rcc": world.rcc.pk,
            "provider": setup.ifa.pk,
            "lot": standard.pk,
            "reference": "GM-SB-1",
            "places": "2",
            "weekly_fee": "760",
            "start_date": (today - dt.timedelta(days=20)).isoformat(),
            "end_date": (today + dt.timedelta(days=345)).isoformat(),
            "terms_version": setup.terms.pk,
            "utilisation_threshold": "80",
            "consultation_months": "3",
        },
    )
    assert response.status_code == 302
    block = SoftBlock.objects.get(reference="GM-SB-1")

    # 5. An offer takes its fee from the schedule.
    assert scheduled_fee_for(provider=setup.ifa, child_age=8, on=today) == Decimal("820.00")
    assert scheduled_fee_for(
        provider=setup.la_service, child_age=8, on=today, rcc=world.rcc
    ) == Decimal("640.00")

    # 6. The beat job runs; the home page shows the coming consultation and the utilisation.
    raise_contract_alerts.delay()
    home = client.get("/").content.decode()
    assert "Coming contract dates" in home
    assert "Consultation window opens" in home and "GM-FC-NEW" in home
    assert "Soft-block utilisation" in home and block.reference in home and "0.0%" in home

    # 7. The NCC sees fees for one lot type across all RCCs.
    other_lead = user_with_role(Role.COMMISSIONER, world.other_rcc)
    other_deputy = user_with_role(Role.COMMISSIONER, world.other_rcc)
    other = services.framework_create(
        by=other_lead,
        owner=world.other_rcc,
        kind="dps",
        reference="OTHER-DPS",
        title="DPS",
        specification_summary="Other spec.",
        terms_version=setup.terms,
        start_date=today - dt.timedelta(days=60),
        end_date=today + dt.timedelta(days=700),
        lead_manager=other_lead,
        deputy_manager=other_deputy,
        lots=[{"name": "Standard", "service_type": "standard"}],
    )
    other_lot = other.lots.get()
    services.enrolment_apply(by=other_lead, lot=other_lot, provider=setup.other_ifa, accept=True)
    services.price_schedule_create(
        by=other_lead,
        provider=setup.other_ifa,
        lot=other_lot,
        valid_from=today - dt.timedelta(days=60),
        fees={"fee_5_10": "795"},
    )
    client.force_login(world.users[Role.NCC_ANALYST])
    page = client.get(
        reverse("contracts:fees"), {"service_type": "standard", "band": "fee_5_10"}
    ).content.decode()
    for text in (
        world.rcc.name,
        world.other_rcc.name,
        "£820.00",
        "£640.00",
        "£795.00",
        "Other spec.",
        "National terms v1",
    ):
        assert text in page, text
    api = client.get(
        "/api/v1/contracts/fee-comparison/", {"service_type": "standard", "band": "fee_5_10"}
    ).json()
    assert {r["owner_name"] for r in api["results"]} == {world.rcc.name, world.other_rcc.name}
    assert sorted(r["fee_5_10"] for r in api["results"]) == ["640.00", "795.00", "820.00"]

    # Nobody else sees other providers' fees: the IFA's staff see only their own schedule.
    client.force_login(world.users[Role.PROVIDER_REFERRALS])
    own = client.get("/api/v1/contracts/price-schedules/").json()["results"]
    assert [r["provider"] for r in own] == [setup.ifa.pk]
    assert client.get(reverse("contracts:fees")).status_code == 403
