"""Every bad input the issue names gets a clear message and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.contracts import services
from apps.contracts.choices import ArrangementKind, EnrolmentStatus
from apps.contracts.models import Enrolment, Framework, Lot, PriceSchedule, SoftBlock, SupportPrice
from apps.core.errors import DomainError
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PriceScheduleFactory,
)

pytestmark = pytest.mark.django_db

LOTS = [
    {"name": "Standard", "service_type": "standard", "age_min": 0, "age_max": 17},
    {"name": "Enhanced", "service_type": "enhanced", "age_min": 0, "age_max": 17},
]


def framework_kwargs(setup, **overrides):
    kwargs = {
        "by": setup.commissioner,
        "owner": setup.world.rcc,
        "kind": ArrangementKind.FRAMEWORK,
        "reference": "GM-FC-2026",
        "title": "Foster care framework",
        "specification_summary": "Mainstream and enhanced foster care.",
        "terms_version": setup.terms,
        "start_date": dt.date(2026, 4, 1),
        "end_date": dt.date(2029, 3, 31),
        "lead_manager": setup.commissioner,
        "deputy_manager": setup.deputy,
        "extension_options": 2,
        "extension_decision_date": dt.date(2028, 9, 30),
        "application_opens": dt.date(2026, 1, 5),
        "application_closes": dt.date(2026, 2, 27),
        "lots": LOTS,
    }
    kwargs.update(overrides)
    return kwargs


# --- A framework without a deputy -------------------------------------------------------------


def test_framework_without_deputy_is_refused_and_nothing_is_written(setup):
    with pytest.raises(DomainError) as err:
        services.framework_create(**framework_kwargs(setup, deputy_manager=None))
    assert err.value.field == "deputy_manager"
    assert "deputy contract manager" in err.value.message
    assert Framework.objects.count() == 0
    assert Lot.objects.count() == 0


def test_deputy_must_differ_from_the_lead_and_be_a_commissioner_there(setup):
    with pytest.raises(DomainError, match="someone other than the lead"):
        services.framework_create(**framework_kwargs(setup, deputy_manager=setup.commissioner))
    with pytest.raises(DomainError, match="must be a commissioner at"):
        services.framework_create(**framework_kwargs(setup, deputy_manager=setup.ncc))
    assert Framework.objects.count() == 0


def test_framework_form_without_deputy_shows_the_message(client, setup):
    client.force_login(setup.commissioner)
    data = {
        "owner": setup.world.rcc.pk,
        "kind": "framework",
        "reference": "GM-FC-2026",
        "title": "Foster care framework",
        "specification_summary": "Mainstream foster care.",
        "terms_version": setup.terms.pk,
        "start_date": "2026-04-01",
        "end_date": "2029-03-31",
        "extension_options": "2",
        "extension_months": "12",
        "consultation_months": "6",
        "application_opens": "2026-01-05",
        "application_closes": "2026-02-27",
        "lead_manager": setup.commissioner.pk,
        "deputy_manager": "",
        "lot_1_name": "Standard",
        "lot_1_service_type": "standard",
        "lot_1_age_min": "0",
        "lot_1_age_max": "17",
    }
    for i in (2, 3, 4):
        data.update(
            {
                f"lot_{i}_name": "",
                f"lot_{i}_service_type": "standard",
                f"lot_{i}_age_min": "0",
                f"lot_{i}_age_max": "17",
            }
        )
    response = client.post(reverse("contracts:framework_create"), data)
    assert response.status_code == 200
    assert "Name a deputy contract manager" in response.content.decode()
    assert Framework.objects.count() == 0


def test_commissioner_cannot_create_for_another_rcc(setup):
    with pytest.raises(PermissionDenied):
        services.framework_create(**framework_kwargs(setup, owner=setup.world.other_rcc))


# --- Enrolment outside a framework's window ----------------------------------------------------


def test_enrolment_outside_a_frameworks_window_is_refused(setup):
    framework = services.framework_create(**framework_kwargs(setup))
    lot = framework.lots.first()
    with pytest.raises(DomainError) as err:
        services.enrolment_apply(
            by=setup.commissioner, lot=lot, provider=setup.ifa, on=dt.date(2026, 3, 2)
        )
    assert "accepts applications only from 5 January 2026 to 27 February 2026" in err.value.message
    assert Enrolment.objects.count() == 0
    # Inside the window it is accepted.
    enrolment = services.enrolment_apply(
        by=setup.commissioner, lot=lot, provider=setup.ifa, on=dt.date(2026, 2, 1)
    )
    assert enrolment.status == EnrolmentStatus.APPLIED


def test_a_dps_accepts_applications_at_any_time_while_live_but_not_after_it_ends(setup):
    dps = services.framework_create(
        **framework_kwargs(
            setup,
            kind=ArrangementKind.DPS,
            reference="GM-DPS",
            application_opens=None,
            application_closes=None,
        )
    )
    lot = dps.lots.first()
    late = services.enrolment_apply(
        by=setup.commissioner, lot=lot, provider=setup.ifa, on=dt.date(2028, 11, 3)
    )
    assert late.status == EnrolmentStatus.APPLIED
    with pytest.raises(DomainError, match="no longer accepts applications"):
        services.enrolment_apply(
            by=setup.commissioner, lot=lot, provider=setup.la_service, on=dt.date(2029, 4, 1)
        )
    assert Enrolment.objects.count() == 1


def test_provider_applies_only_for_itself_and_cannot_accept(setup):
    from apps.accounts.roles import Role

    dps = services.framework_create(
        **framework_kwargs(setup, kind=ArrangementKind.DPS, reference="D1")
    )
    lot = dps.lots.first()
    officer = setup.world.users[Role.PROVIDER_REFERRALS]
    with pytest.raises(PermissionDenied):
        services.enrolment_apply(
            by=officer, lot=lot, provider=setup.other_ifa, on=dt.date(2026, 6, 1)
        )
    with pytest.raises(PermissionDenied):
        services.enrolment_apply(
            by=officer, lot=lot, provider=setup.ifa, on=dt.date(2026, 6, 1), accept=True
        )
    applied = services.enrolment_apply(
        by=officer, lot=lot, provider=setup.ifa, on=dt.date(2026, 6, 1)
    )
    assert applied.status == EnrolmentStatus.APPLIED


def test_enrolment_status_changes_follow_the_rules(setup):
    enrolment = EnrolmentFactory(
        lot=LotFactory(framework=FrameworkFactory(owner=setup.world.rcc)),
        provider=setup.ifa,
        status="applied",
        accepted_on=None,
    )
    services.enrolment_set_status(
        by=setup.commissioner, enrolment=enrolment, status=EnrolmentStatus.LEFT
    )
    with pytest.raises(DomainError, match="cannot become accepted"):
        services.enrolment_set_status(
            by=setup.commissioner, enrolment=enrolment, status=EnrolmentStatus.ACCEPTED
        )


# --- Overlapping price periods and negative fees ----------------------------------------------


@pytest.fixture
def enrolled(setup):
    lot = LotFactory(
        framework=FrameworkFactory(
            owner=setup.world.rcc, lead_manager=setup.commissioner, deputy_manager=setup.deputy
        )
    )
    EnrolmentFactory(lot=lot, provider=setup.ifa)
    return lot


def test_overlapping_price_periods_are_refused_and_nothing_is_written(setup, enrolled):
    services.price_schedule_create(
        by=setup.commissioner,
        provider=setup.ifa,
        lot=enrolled,
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2027, 3, 31),
        fees={"fee_5_10": "820"},
    )
    with pytest.raises(DomainError) as err:
        services.price_schedule_create(
            by=setup.commissioner,
            provider=setup.ifa,
            lot=enrolled,
            valid_from=dt.date(2027, 1, 1),
            fees={"fee_5_10": "850"},
            support={"therapy": "150"},
        )
    assert err.value.field == "valid_from"
    assert "overlap" in err.value.message and "1 April 2026 to 31 March 2027" in err.value.message
    assert PriceSchedule.objects.count() == 1
    assert SupportPrice.objects.count() == 0
    # An open-ended schedule overlaps anything after it; the day after the end does not.
    services.price_schedule_create(
        by=setup.commissioner,
        provider=setup.ifa,
        lot=enrolled,
        valid_from=dt.date(2027, 4, 1),
        fees={"fee_5_10": "850"},
    )
    with pytest.raises(DomainError, match="overlap"):
        services.price_schedule_create(
            by=setup.commissioner,
            provider=setup.ifa,
            lot=enrolled,
            valid_from=dt.date(2030, 4, 1),
            fees={"fee_5_10": "900"},
        )
    assert PriceSchedule.objects.count() == 2


def test_the_same_dates_for_another_provider_or_lot_are_fine(setup, enrolled):
    EnrolmentFactory(lot=enrolled, provider=setup.la_service)
    for provider in (setup.ifa, setup.la_service):
        services.price_schedule_create(
            by=setup.commissioner,
            provider=provider,
            lot=enrolled,
            valid_from=dt.date(2026, 4, 1),
            fees={"fee_5_10": "800"},
        )
    assert PriceSchedule.objects.count() == 2


@pytest.mark.parametrize(
    ("fees", "support", "field"),
    [
        ({"fee_5_10": "-1.00"}, {}, "fee_5_10"),
        ({"fee_11_15": "-820"}, {}, "fee_11_15"),
        ({"fee_5_10": "820"}, {"therapy": "-5"}, "support_therapy"),
    ],
)
def test_negative_fees_are_refused_and_nothing_is_written(setup, enrolled, fees, support, field):
    with pytest.raises(DomainError) as err:
        services.price_schedule_create(
            by=setup.commissioner,
            provider=setup.ifa,
            lot=enrolled,
            valid_from=dt.date(2026, 4, 1),
            fees=fees,
            support=support,
        )
    assert err.value.field == field
    assert "cannot be negative" in err.value.message
    assert PriceSchedule.objects.count() == 0


def test_negative_fee_through_the_api_names_the_field(client, setup, enrolled):
    client.force_login(setup.commissioner)
    response = client.post(
        "/api/v1/contracts/price-schedules/",
        {
            "provider": setup.ifa.pk,
            "lot": enrolled.pk,
            "valid_from": "2026-04-01",
            "fee_5_10": "-10",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["fee_5_10"] == ["The weekly fee for age 5 to 10 cannot be negative."]
    assert PriceSchedule.objects.count() == 0


def test_negative_fee_on_the_web_form_shows_the_message(client, setup, enrolled):
    client.force_login(setup.commissioner)
    response = client.post(
        reverse("contracts:price_create"),
        {
            "lot": enrolled.pk,
            "provider": setup.ifa.pk,
            "valid_from": "2026-04-01",
            "fee_5_10": "-10",
        },
    )
    assert response.status_code == 200
    assert "The weekly fee for age 5 to 10 cannot be negative." in response.content.decode()
    assert PriceSchedule.objects.count() == 0


def test_a_fee_for_a_band_the_lot_does_not_cover_is_refused(setup):
    lot = LotFactory(framework=FrameworkFactory(owner=setup.world.rcc), age_min=11, age_max=17)
    EnrolmentFactory(lot=lot, provider=setup.ifa)
    with pytest.raises(DomainError, match="leave the fee for age 0 to 4 blank"):
        services.price_schedule_create(
            by=setup.commissioner,
            provider=setup.ifa,
            lot=lot,
            valid_from=dt.date(2026, 4, 1),
            fees={"fee_0_4": "700"},
        )


def test_a_provider_not_on_the_lot_cannot_be_priced(setup, enrolled):
    with pytest.raises(DomainError, match="enrol them"):
        services.price_schedule_create(
            by=setup.commissioner,
            provider=setup.other_ifa,
            lot=enrolled,
            valid_from=dt.date(2026, 4, 1),
            fees={"fee_5_10": "1"},
        )


def test_the_database_refuses_an_overlap_that_skips_the_service(setup, enrolled):
    """PostgreSQL's exclusion constraint (migration 0002) holds whatever writes the row."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL only")
    PriceScheduleFactory(
        provider=setup.ifa, lot=enrolled, valid_from=dt.date(2026, 4, 1), valid_to=None
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PriceScheduleFactory(
            provider=setup.ifa,
            lot=enrolled,
            valid_from=dt.date(2027, 4, 1),
            valid_to=dt.date(2028, 3, 31),
        )


# --- A soft block larger than the provider's approved places ----------------------------------


def test_soft_block_larger_than_approved_places_is_refused(setup):
    kwargs = {
        "by": setup.commissioner,
        "rcc": setup.world.rcc,
        "provider": setup.ifa,
        "reference": "SB-1",
        "weekly_fee": "750",
        "start_date": dt.date(2026, 4, 1),
        "end_date": dt.date(2027, 3, 31),
        "terms_version": setup.terms,
    }
    with pytest.raises(DomainError) as err:
        services.soft_block_create(places=7, **kwargs)
    assert err.value.field == "places"
    assert (
        "has 6 approved places in active households; a soft block cannot reserve 7"
        in err.value.message
    )
    assert SoftBlock.objects.count() == 0
    assert services.soft_block_create(places=6, **kwargs).places == 6


def test_soft_block_counts_only_active_households(setup):
    setup.ifa.households.update(status="on_hold")
    with pytest.raises(DomainError, match="has 0 approved places"):
        services.soft_block_create(
            by=setup.commissioner,
            rcc=setup.world.rcc,
            provider=setup.ifa,
            reference="SB-2",
            places=1,
            weekly_fee="700",
            start_date=dt.date(2026, 4, 1),
            end_date=dt.date(2027, 3, 31),
            terms_version=setup.terms,
        )


def test_soft_block_with_a_negative_fee_is_refused(setup):
    with pytest.raises(DomainError, match="agreed weekly fee cannot be negative"):
        services.soft_block_create(
            by=setup.commissioner,
            rcc=setup.world.rcc,
            provider=setup.ifa,
            reference="SB-3",
            places=1,
            weekly_fee="-1",
            start_date=dt.date(2026, 4, 1),
            end_date=dt.date(2027, 3, 31),
            terms_version=setup.terms,
        )
    assert SoftBlock.objects.count() == 0


def test_soft_block_form_shows_the_places_message(client, setup):
    client.force_login(setup.commissioner)
    response = client.post(
        reverse("contracts:soft_block_create"),
        {
            "rcc": setup.world.rcc.pk,
            "provider": setup.ifa.pk,
            "reference": "SB-9",
            "places": "9",
            "weekly_fee": "700",
            "start_date": "2026-04-01",
            "end_date": "2027-03-31",
            "terms_version": setup.terms.pk,
            "utilisation_threshold": "80",
            "consultation_months": "3",
        },
    )
    assert response.status_code == 200
    assert "a soft block cannot reserve 9" in response.content.decode()
    assert SoftBlock.objects.count() == 0


def test_negative_budget_and_in_house_cost_are_refused(setup):
    with pytest.raises(DomainError, match="budget cannot be negative"):
        services.budget_set(
            by=setup.commissioner, la=setup.world.la, financial_year=2026, amount="-1"
        )
    from apps.contracts.models import InHouseCost, PlacementBudget

    assert PlacementBudget.objects.count() == 0
    with pytest.raises(DomainError, match="overheads cannot be negative"):
        services.in_house_cost_set(
            by=setup.commissioner,
            service=setup.la_service,
            financial_year=2026,
            allowance="250",
            carer_fees="200",
            support="150",
            overheads="-3",
        )
    assert InHouseCost.objects.count() == 0
