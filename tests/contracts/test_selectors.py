"""Reads: the scheduled fee, soft-block utilisation, budget figures, the fee comparison and
national specialist services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.contracts.choices import LotService
from apps.contracts.models import PriceSchedule, SpecialistService, SpecialistServiceNeed
from apps.contracts.selectors import (
    _occupied_days,
    budget_figures,
    fee_comparison,
    fee_summary,
    scheduled_fee_for,
    soft_block_utilisation,
    specialist_services_for,
)
from apps.providers.choices import CareType
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PlacementBudgetFactory,
    PriceScheduleFactory,
    SoftBlockFactory,
    make_placement,
)
from tests.providers.factories import NeedDomainFactory, NeedLevelFactory

pytestmark = pytest.mark.django_db
D = Decimal


# --- scheduled_fee_for ------------------------------------------------------------------------


@pytest.fixture
def priced(setup):
    """The IFA on a standard lot and an enhanced lot of the world's RCC framework."""
    framework = FrameworkFactory(
        owner=setup.world.rcc, start_date=dt.date(2025, 4, 1), end_date=dt.date(2028, 3, 31)
    )
    standard = LotFactory(framework=framework, service_type=LotService.STANDARD)
    enhanced = LotFactory(framework=framework, service_type=LotService.ENHANCED)
    for lot in (standard, enhanced):
        EnrolmentFactory(lot=lot, provider=setup.ifa)
    PriceScheduleFactory(
        provider=setup.ifa,
        lot=standard,
        valid_from=dt.date(2025, 4, 1),
        valid_to=dt.date(2026, 3, 31),
        fee_5_10=D("800.00"),
    )
    PriceScheduleFactory(
        provider=setup.ifa,
        lot=standard,
        valid_from=dt.date(2026, 4, 1),
        fee_5_10=D("820.00"),
        fee_11_15=None,
        fee_16_17=D("910.00"),
    )
    PriceScheduleFactory(
        provider=setup.ifa, lot=enhanced, valid_from=dt.date(2025, 4, 1), fee_5_10=D("1100.00")
    )
    return standard, enhanced


def test_scheduled_fee_is_the_band_fee_of_the_schedule_that_applies_that_day(setup, priced):
    on = dt.date(2026, 6, 1)
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, on=on) == D("820.00")
    assert scheduled_fee_for(provider=setup.ifa, child_age=16, on=on) == D("910.00")
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, on=dt.date(2025, 9, 1)) == D("800.00")
    assert scheduled_fee_for(provider=setup.ifa.pk, child_age=7, on=on) == D(
        "820.00"
    )  # a pk works too


def test_no_schedule_means_none(setup, priced):
    assert scheduled_fee_for(provider=setup.other_ifa, child_age=7, on=dt.date(2026, 6, 1)) is None
    assert (
        scheduled_fee_for(provider=setup.ifa, child_age=7, on=dt.date(2025, 1, 1)) is None
    )  # before any period
    assert (
        scheduled_fee_for(provider=setup.ifa, child_age=7, on=dt.date(2028, 4, 1)) is None
    )  # framework ended
    assert (
        scheduled_fee_for(provider=setup.ifa, child_age=12, on=dt.date(2026, 6, 1)) is None
    )  # band not priced


def test_a_need_lot_applies_only_to_that_care_type_and_then_wins(setup, priced):
    on = dt.date(2026, 6, 1)
    therapeutic = int(CareType.THERAPEUTIC | CareType.LONG_TERM)
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, care_types=therapeutic, on=on) == D(
        "1100.00"
    )
    assert scheduled_fee_for(
        provider=setup.ifa, child_age=7, care_types=["therapeutic"], on=on
    ) == D("1100.00")
    assert scheduled_fee_for(
        provider=setup.ifa, child_age=7, care_types=int(CareType.LONG_TERM), on=on
    ) == D("820.00")


def test_a_suspended_enrolment_has_no_scheduled_fee(setup, priced):
    standard, _ = priced
    standard.enrolments.update(status="suspended")
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, on=dt.date(2026, 6, 1)) is None


def test_the_rcc_given_wins_over_a_cheaper_fee_elsewhere(setup, priced):
    other = LotFactory(framework=FrameworkFactory(owner=setup.world.other_rcc))
    EnrolmentFactory(lot=other, provider=setup.ifa)
    PriceScheduleFactory(
        provider=setup.ifa, lot=other, valid_from=dt.date(2025, 4, 1), fee_5_10=D("700.00")
    )
    on = dt.date(2026, 6, 1)
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, on=on) == D("700.00")
    assert scheduled_fee_for(provider=setup.ifa, child_age=7, on=on, rcc=setup.world.rcc) == D(
        "820.00"
    )


def test_the_offer_in_the_referral_journey_picks_up_the_scheduled_fee(setup, priced):
    offers = pytest.importorskip("apps.referrals.services.offers")
    from tests.providers.factories import HouseholdFactory
    from tests.referrals.factories import ChildFactory, ReferralFactory

    on = dt.date(2026, 6, 1)
    child = ChildFactory(la=setup.world.la, date_of_birth=dt.date(2018, 9, 1))  # 7 on 1 June 2026
    referral = ReferralFactory(child=child, la=setup.world.la, rcc=setup.world.rcc)
    household = HouseholdFactory(provider=setup.ifa)
    target = type("T", (), {"referral": referral})()
    assert offers.scheduled_fee(target=target, household=household, on=on) == D("820.00")


# --- Soft-block utilisation -------------------------------------------------------------------


def test_occupied_days_caps_each_day_at_the_places_reserved():
    start, last = dt.date(2026, 4, 1), dt.date(2026, 4, 10)  # 10 days
    spans = [
        (dt.date(2026, 3, 1), None),  # all 10 days
        (dt.date(2026, 4, 3), dt.date(2026, 4, 6)),  # 3, 4, 5 April (leaves on the 6th)
        (dt.date(2026, 4, 4), dt.date(2026, 4, 5)),  # 4 April
    ]
    assert _occupied_days(spans, start, last, cap=5) == 10 + 3 + 1
    assert (
        _occupied_days(spans, start, last, cap=2) == 10 + 3
    )  # on 4 April three children, two places
    assert _occupied_days([], start, last, cap=2) == 0


def test_utilisation_uses_the_rccs_placements_with_that_provider(setup):
    world = setup.world
    block = SoftBlockFactory(
        rcc=world.rcc,
        provider=setup.ifa,
        places=2,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
    )
    on = dt.date(2026, 4, 30)  # 30 days in: 60 reserved days
    make_placement(
        provider=setup.ifa, rcc=world.rcc, la=world.la, start=dt.date(2026, 2, 1)
    )  # 30 days
    make_placement(
        provider=setup.ifa,
        rcc=world.rcc,
        la=world.la,
        start=dt.date(2026, 4, 11),
        end=dt.date(2026, 4, 21),
    )  # 10
    make_placement(
        provider=setup.ifa, rcc=world.other_rcc, la=world.other_la, start=dt.date(2026, 4, 1)
    )  # another RCC's
    make_placement(
        provider=setup.other_ifa, rcc=world.rcc, la=world.la, start=dt.date(2026, 4, 1)
    )  # another provider
    use = soft_block_utilisation([block], on=on)[block.pk]
    assert (use.days_used, use.days_reserved) == (40, 60)
    assert use.percent == D("66.7")
    assert use.below_threshold  # alert level 80%
    later = soft_block_utilisation([block], on=dt.date(2026, 4, 15))[block.pk]
    assert (later.days_used, later.days_reserved) == (15 + 5, 30)  # 11 to 15 April: 5 days


def test_utilisation_of_a_block_not_started_is_none(setup):
    block = SoftBlockFactory(
        rcc=setup.world.rcc,
        provider=setup.ifa,
        start_date=dt.date(2027, 4, 1),
        end_date=dt.date(2028, 3, 31),
    )
    use = soft_block_utilisation([block], on=dt.date(2026, 6, 1))[block.pk]
    assert use.days_reserved == 0 and use.percent is None and not use.below_threshold


# --- Budgets ----------------------------------------------------------------------------------


def test_budget_actual_committed_and_forecast(setup):
    world = setup.world
    budget = PlacementBudgetFactory(
        rcc=world.rcc, la=world.la, financial_year=2026, amount=D("100000.00")
    )
    on = dt.date(2026, 6, 30)  # 91 nights elapsed since 1 April (1 April … 30 June), 274 to come
    # Ongoing since before the year: £700 + £70 support a week.
    make_placement(
        provider=setup.ifa,
        rcc=world.rcc,
        la=world.la,
        start=dt.date(2025, 11, 1),
        weekly_fee=D("700"),
        support=D("70"),
    )
    # With another LA's service (PR2), from 1 June to 1 September: 30 nights so far, 62 to come.
    make_placement(
        provider=setup.other_ifa,
        rcc=world.rcc,
        la=world.la,
        start=dt.date(2026, 6, 1),
        end=dt.date(2026, 9, 1),
        weekly_fee=D("560"),
        code="PR2",
    )
    # Ended before the year: not counted. Another LA's child: not counted.
    make_placement(
        provider=setup.ifa,
        rcc=world.rcc,
        la=world.la,
        start=dt.date(2025, 4, 1),
        end=dt.date(2026, 3, 1),
    )
    make_placement(
        provider=setup.ifa, rcc=world.other_rcc, la=world.other_la, start=dt.date(2026, 4, 1)
    )
    figures = budget_figures([budget], on=on)[budget.pk]

    def cost(weekly: str, nights: int) -> Decimal:
        return (D(weekly) / 7 * nights).quantize(D("0.01"))

    assert figures.placements == 2
    assert figures.actual == cost("770", 91) + cost("560", 30)
    assert figures.committed == cost("770", 274) + cost("560", 62)
    assert figures.forecast == figures.actual + figures.committed
    assert figures.remaining == D("100000.00") - figures.forecast
    assert figures.by_route["other_la"] == cost("560", 30) + cost("560", 62)
    assert figures.by_route["ifa"] == cost("770", 91) + cost("770", 274)


def test_budget_uses_the_offer_when_there_is_no_ipa_yet(setup):
    world = setup.world
    budget = PlacementBudgetFactory(rcc=world.rcc, la=world.la, financial_year=2026)
    make_placement(
        provider=setup.ifa,
        rcc=world.rcc,
        la=world.la,
        start=dt.date(2026, 4, 1),
        weekly_fee=D("700"),
        with_agreement=False,
    )
    figures = budget_figures([budget], on=dt.date(2026, 4, 7))[budget.pk]
    assert figures.actual == D("700.00")  # 7 nights, 1 to 7 April


# --- Fee transparency -------------------------------------------------------------------------


def test_commissioners_and_the_ncc_compare_fees_across_rccs_providers_see_none(setup):
    world = setup.world
    mine = PriceScheduleFactory(
        provider=setup.ifa,
        lot=LotFactory(framework=FrameworkFactory(owner=world.rcc)),
        fee_5_10=D("820"),
    )
    theirs = PriceScheduleFactory(
        provider=setup.other_ifa,
        lot=LotFactory(framework=FrameworkFactory(owner=world.other_rcc)),
        fee_5_10=D("780"),
    )
    for role in (Role.COMMISSIONER, Role.NCC_ANALYST):
        assert set(fee_comparison(world.users[role])) == {mine, theirs}
    # The commissioner's own list of schedules is their RCC's; a provider sees only its own.
    assert set(PriceSchedule.objects.visible_to(world.users[Role.COMMISSIONER])) == {mine}
    assert set(PriceSchedule.objects.visible_to(world.users[Role.PROVIDER_REFERRALS])) == {mine}
    for role in (Role.PROVIDER_REFERRALS, Role.PLACEMENT_OFFICER, Role.SOCIAL_WORKER):
        assert not fee_comparison(world.users[role]).exists()
    summary = fee_summary(fee_comparison(world.users[Role.NCC_ANALYST]), "fee_5_10")
    assert [(s.owner, s.lowest) for s in summary] == sorted(
        [(world.rcc.name, D("820")), (world.other_rcc.name, D("780"))]
    )


# --- National specialist services -------------------------------------------------------------


def test_specialist_services_for_matches_domain_and_level(setup):
    disability = NeedDomainFactory(code="disability")
    health = NeedDomainFactory(code="health")
    high, complex_ = NeedLevelFactory(rank=3, code="high"), NeedLevelFactory(rank=4, code="complex")
    deaf = SpecialistService.objects.create(
        name="Deaf", summary="BSL", how_to_access="Email", created_by=setup.ncc
    )
    SpecialistServiceNeed.objects.create(service=deaf, domain=disability, min_level=high)
    nursing = SpecialistService.objects.create(
        name="Nursing", summary="Health", how_to_access="Call", created_by=setup.ncc
    )
    SpecialistServiceNeed.objects.create(service=nursing, domain=health, min_level=complex_)
    closed = SpecialistService.objects.create(
        name="Closed", summary="-", how_to_access="-", is_active=False, created_by=setup.ncc
    )
    SpecialistServiceNeed.objects.create(service=closed, domain=disability, min_level=high)

    assert list(specialist_services_for(needs={"disability": 3})) == [deaf]
    assert list(specialist_services_for(needs={"disability": 4, "health": 4})) == [deaf, nursing]
    assert list(specialist_services_for(needs={"disability": 2, "health": 3})) == []
    assert list(specialist_services_for(needs={})) == []


def test_offers_above_the_schedule_are_flagged_to_their_rccs_commissioners(setup):
    from decimal import Decimal as D2

    from apps.contracts.selectors import offers_above_schedule
    from apps.referrals.models import Offer

    world = setup.world
    above = make_placement(
        provider=setup.ifa, rcc=world.rcc, la=world.la, start=dt.date(2026, 4, 1)
    ).offer
    Offer.objects.filter(pk=above.pk).update(
        weekly_fee=D2("900"),
        scheduled_fee=D2("820"),
        fee_above_schedule_reason="Extra night support",
    )
    at = make_placement(
        provider=setup.ifa, rcc=world.rcc, la=world.la, start=dt.date(2026, 4, 1)
    ).offer
    Offer.objects.filter(pk=at.pk).update(weekly_fee=D2("820"), scheduled_fee=D2("820"))
    elsewhere = make_placement(
        provider=setup.ifa, rcc=world.other_rcc, la=world.other_la, start=dt.date(2026, 4, 1)
    ).offer
    Offer.objects.filter(pk=elsewhere.pk).update(weekly_fee=D2("990"), scheduled_fee=D2("800"))

    assert list(offers_above_schedule(world.users[Role.COMMISSIONER])) == [above]
    assert set(offers_above_schedule(world.users[Role.NCC_ANALYST])) == {above, elsewhere}
    assert not offers_above_schedule(world.users[Role.PROVIDER_REFERRALS]).exists()
