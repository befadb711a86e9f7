"""Placement figures that must agree: a placement booked to start next month is "Starting on
<date>", not "Current", wherever status shows (list, page, export, API, filters, the soft
block's page); and the IPA's actual weekly cost is written (the agreed cost at booking, then any
recorded change of fee or support), shown on the IPA page and used by the budgets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts.dates import financial_year_of
from apps.contracts.selectors import budget_figures
from apps.core.errors import DomainError
from apps.referrals.models import Placement, PlacementAgreement, ReferralEvent
from apps.referrals.services.placements import placement_agree, placement_weekly_cost_change
from tests.contracts.factories import PlacementBudgetFactory, SoftBlockFactory
from tests.factories import UserFactory
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _placed(world, *, start: dt.date | None = None) -> Placement:
    j = journey(world)
    offer = offer_on(j.ifa, status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    return placement_agree(referral=j.referral, by=UserFactory(is_superuser=True), start_date=start)


def _next_month() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=35)


# --- "Current" ---------------------------------------------------------------------------------


def test_a_placement_starting_next_month_is_not_current(world):
    later = _placed(world, start=_next_month())
    now = _placed(world, start=timezone.localdate())
    assert (later.status, now.status) == ("starting", "current")
    assert later.status_label == f"Starting on {_next_month().day} {_next_month():%B %Y}"
    assert list(Placement.objects.current()) == [now]


def test_pages_export_and_filters_say_starting_not_current(client, world):
    later = _placed(world, start=_next_month())
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    label = later.status_label

    detail = client.get(reverse("referrals:placement_detail", args=[later.pk])).content.decode()
    assert label in detail and 'govuk-tag--green">Current<' not in detail

    listing = client.get(reverse("referrals:placement_list")).content.decode()
    assert label in listing and 'govuk-tag--green">Current<' not in listing

    export = client.get(reverse("referrals:placement_list"), {"export": "csv"}).content.decode()
    assert label in export

    url = reverse("referrals:placement_list")
    assert client.get(url, {"current": "true"}).context["page_obj"].paginator.count == 0
    assert client.get(url, {"current": "starting"}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"current": "false"}).context["page_obj"].paginator.count == 0

    api = client.get(reverse("api:placement-detail", args=[later.pk])).json()
    assert api["status"] == "starting"
    listed = client.get(reverse("api:placement-list"), {"current": "true"}).json()
    assert listed["count"] == 0


def test_the_soft_blocks_page_says_starting_not_current(client, world):
    later = _placed(world, start=_next_month())
    block = SoftBlockFactory(
        rcc=world.rcc,
        provider=later.provider,
        start_date=timezone.localdate() - dt.timedelta(days=30),
        end_date=timezone.localdate() + dt.timedelta(days=300),
    )
    client.force_login(world.users[Role.COMMISSIONER])
    page = client.get(reverse("contracts:soft_block", args=[block.pk])).content.decode()
    assert f"Starting on {_next_month().day} {_next_month():%B %Y}" in page
    assert "Current" not in page.split("Placements", 1)[-1]


# --- actual_weekly_cost --------------------------------------------------------------------------


def test_booking_writes_the_actual_weekly_cost_as_agreed(world):
    placement = _placed(world)
    ipa = PlacementAgreement.objects.get(placement=placement)
    assert ipa.actual_weekly_cost == ipa.agreed_weekly_cost == Decimal("970.00")  # 850 + 120


def test_a_recorded_change_updates_the_actual_cost_and_the_ipa_page(client, world):
    placement = _placed(world)
    po = world.users[Role.PLACEMENT_OFFICER]
    placement_weekly_cost_change(
        placement=placement,
        weekly_fee="900.00",
        support_weekly_cost="0",
        reason="Therapy ended; fee uplift agreed in review",
        by=po,
    )
    ipa = PlacementAgreement.objects.get(placement=placement)
    assert ipa.actual_weekly_cost == Decimal("900.00")
    assert ipa.agreed_weekly_cost == Decimal("970.00")  # the IPA as agreed is kept
    event = ReferralEvent.objects.get(verb="weekly_cost_changed")
    assert (event.detail["before"], event.detail["after"]) == ("970.00", "900.00")

    client.force_login(po)
    page = client.get(reverse("referrals:placement_detail", args=[placement.pk])).content.decode()
    assert "Actual weekly cost" in page and "900.00" in page and "changed since" in page
    api = client.get(reverse("api:placement-detail", args=[placement.pk])).json()
    assert api["agreement"]["actual_weekly_cost"] == "900.00"


def test_a_change_needs_the_hub_a_reason_and_sound_amounts(world):
    placement = _placed(world)
    po = world.users[Role.PLACEMENT_OFFICER]
    with pytest.raises(DomainError):
        placement_weekly_cost_change(
            placement=placement,
            weekly_fee="900",
            support_weekly_cost="0",
            reason="x",
            by=world.users[Role.PROVIDER_REFERRALS],
        )
    for fee, reason, field in (("-5", "uplift", "weekly_fee"), ("900", " ", "reason")):
        with pytest.raises(DomainError) as err:
            placement_weekly_cost_change(
                placement=placement, weekly_fee=fee, support_weekly_cost="0", reason=reason, by=po
            )
        assert err.value.field == field
    assert PlacementAgreement.objects.get(placement=placement).actual_weekly_cost == Decimal(
        "970.00"
    )
    assert not ReferralEvent.objects.filter(verb="weekly_cost_changed").exists()


def test_budgets_use_the_actual_weekly_cost(world):
    placement = _placed(world, start=timezone.localdate())
    budget = PlacementBudgetFactory(
        rcc=world.rcc, la=world.la, financial_year=financial_year_of(timezone.localdate())
    )
    before = budget_figures([budget])[budget.pk].forecast
    placement_weekly_cost_change(
        placement=placement,
        weekly_fee="485.00",
        support_weekly_cost="0",
        reason="Half the cost",
        by=world.users[Role.PLACEMENT_OFFICER],
    )
    after = budget_figures([budget])[budget.pk].forecast
    assert before > 0
    assert abs(after - before / 2) <= Decimal("0.02")


def test_the_feedback_page_says_starting_not_current(client, world):
    later = _placed(world, start=_next_month())
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.get(reverse("monitoring:feedback_placements")).content.decode()
    assert later.status_label in page
    assert ">Current<" not in page
