"""Factories for commissioning (synthetic data only), and a helper that makes a placement with
its IPA for utilisation and budget tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.roles import Role
from apps.contracts.choices import ArrangementKind, EnrolmentStatus, LotService
from apps.contracts.models import (
    Enrolment,
    Framework,
    Lot,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    TermsVersion,
)
from apps.organisations.models import Organisation
from apps.providers.models import Provider, Vacancy
from apps.referrals.models import Offer, Placement, PlacementAgreement, ReferralTarget
from tests.factories import RccFactory, UserFactory, user_with_role
from tests.providers.factories import HouseholdFactory, ProviderFactory
from tests.referrals.factories import ChildFactory, ReferralFactory

TODAY = dt.date(2026, 6, 15)


class TermsVersionFactory(DjangoModelFactory):
    class Meta:
        model = TermsVersion
        django_get_or_create = ("version",)

    title = "National terms and conditions"
    version = 1
    effective_from = dt.date(2025, 4, 1)
    text = "Synthetic terms for tests."
    published_by = factory.SubFactory(UserFactory)


def commissioner_at(owner: Organisation) -> Any:
    return user_with_role(Role.COMMISSIONER, owner)


class FrameworkFactory(DjangoModelFactory):
    class Meta:
        model = Framework

    owner = factory.SubFactory(RccFactory)
    kind = ArrangementKind.FRAMEWORK
    reference = factory.Sequence(lambda n: f"FW-{n:03d}")
    title = "Foster care framework"
    specification_summary = "Mainstream foster care; monthly supervision; 24-hour support."
    terms_version = factory.SubFactory(TermsVersionFactory)
    start_date = dt.date(2025, 4, 1)
    end_date = dt.date(2028, 3, 31)
    extension_options = 2
    extension_months = 12
    extension_decision_date = dt.date(2027, 9, 30)
    consultation_months = 6
    application_opens = dt.date(2025, 1, 1)
    application_closes = dt.date(2025, 3, 1)
    lead_manager = factory.LazyAttribute(lambda o: commissioner_at(o.owner))
    deputy_manager = factory.LazyAttribute(lambda o: commissioner_at(o.owner))
    created_by = factory.LazyAttribute(lambda o: o.lead_manager)


class LotFactory(DjangoModelFactory):
    class Meta:
        model = Lot

    framework = factory.SubFactory(FrameworkFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = "Standard"
    service_type = LotService.STANDARD
    age_min = 0
    age_max = 17


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    lot = factory.SubFactory(LotFactory)
    provider = factory.SubFactory(ProviderFactory)
    status = EnrolmentStatus.ACCEPTED
    applied_on = dt.date(2025, 2, 1)
    accepted_on = dt.date(2025, 3, 1)
    created_by = factory.LazyAttribute(lambda o: o.lot.framework.lead_manager)


class PriceScheduleFactory(DjangoModelFactory):
    class Meta:
        model = PriceSchedule

    provider = factory.SubFactory(ProviderFactory)
    lot = factory.SubFactory(LotFactory)
    valid_from = dt.date(2025, 4, 1)
    valid_to = None
    fee_0_4 = Decimal("780.00")
    fee_5_10 = Decimal("820.00")
    fee_11_15 = Decimal("880.00")
    fee_16_17 = Decimal("910.00")
    created_by = factory.LazyAttribute(lambda o: o.lot.framework.lead_manager)


class SoftBlockFactory(DjangoModelFactory):
    class Meta:
        model = SoftBlock

    rcc = factory.SubFactory(RccFactory)
    provider = factory.SubFactory(ProviderFactory)
    reference = factory.Sequence(lambda n: f"SB-{n:03d}")
    places = 2
    weekly_fee = Decimal("750.00")
    start_date = dt.date(2026, 4, 1)
    end_date = dt.date(2027, 3, 31)
    terms_version = factory.SubFactory(TermsVersionFactory)
    utilisation_threshold = 80
    created_by = factory.SubFactory(UserFactory)


class PlacementBudgetFactory(DjangoModelFactory):
    class Meta:
        model = PlacementBudget

    rcc = factory.SubFactory(RccFactory)
    la = factory.SubFactory("tests.factories.LocalAuthorityFactory")
    financial_year = 2026
    amount = Decimal("1000000.00")
    updated_by = factory.SubFactory(UserFactory)


def provider_for(org: Organisation, *, places: int = 0) -> Provider:
    """The Provider row of an IFA or LA service organisation, with `places` approved places."""
    provider = ProviderFactory(organisation=org)
    if places:
        HouseholdFactory(provider=provider, places=places, max_sibling_group=1)
    return provider


def make_placement(
    *,
    provider: Provider,
    rcc: Organisation,
    la: Organisation,
    start: dt.date,
    end: dt.date | None = None,
    weekly_fee: Decimal = Decimal("700.00"),
    support: Decimal = Decimal("0.00"),
    code: str = "PR4",
    with_agreement: bool = True,
) -> Placement:
    """A booked placement (and its IPA) of a child of `la` with `provider`, found by `rcc`'s hub."""
    user = UserFactory()
    referral = ReferralFactory(
        child=ChildFactory(la=la), la=la, rcc=rcc, status="placed", created_by=user
    )
    household = HouseholdFactory(provider=provider, places=1, max_sibling_group=1)
    vacancy = Vacancy.objects.create(
        household=household, reference="V1", available_from=start, status="filled"
    )
    target = ReferralTarget.objects.create(
        referral=referral,
        household=household,
        provider=provider,
        score=Decimal("50"),
        sent_by=user,
        status="offered",
    )
    offer = Offer.objects.create(
        target=target,
        referral=referral,
        household=household,
        vacancy=vacancy,
        weekly_fee=weekly_fee,
        support_weekly_cost=support,
        available_from=start,
        made_by=user,
        status="accepted",
    )
    placement = Placement.objects.create(
        referral=referral,
        child=referral.child,
        offer=offer,
        vacancy=vacancy,
        household=household,
        provider=provider,
        la=la,
        rcc=rcc,
        placement_type="U6",
        placement_provider=code,
        start_date=start,
        end_date=end,
        reason_ended="PLACE" if end else "",
        booked_by=user,
    )
    if with_agreement:
        PlacementAgreement.objects.create(
            placement=placement, agreed_weekly_fee=weekly_fee, support_weekly_cost=support
        )
    return placement


def today() -> dt.date:
    return timezone.localdate()
