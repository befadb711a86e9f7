"""Factories for the second half of the journey: targets, offers, scrutiny, placements
(synthetic data only). Built on tests/referrals/factories.py."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.organisations.models import Organisation
from apps.providers.models import Household, Provider, Vacancy
from apps.referrals.choices import OfferStatus, ReferralStatus, TargetStatus
from apps.referrals.models import Offer, Referral, ReferralTarget
from tests.factories import UserFactory
from tests.providers.factories import HouseholdFactory, ProviderFactory, VacancyFactory
from tests.referrals.factories import ChildFactory, ReferralFactory

BREAKDOWN = {
    "score": 72.5,
    "computed_at": "2026-01-05T10:00:00+00:00",
    "contributions": [
        {
            "factor": "needs",
            "label": "Needs met by the home's skills",
            "weight": 40,
            "share_percent": 40.0,
            "raw": 0.8,
            "points": 32.0,
            "explanation": "Meets 4 of 5 needs",
        },
        {
            "factor": "distance_family",
            "label": "Distance to family",
            "weight": 15,
            "share_percent": 15.0,
            "raw": 0.8,
            "points": 12.0,
            "explanation": "3.1 miles",
        },
        {
            "factor": "stability",
            "label": "Provider's stability record",
            "weight": 10,
            "share_percent": 10.0,
            "raw": 0.85,
            "points": 8.5,
            "explanation": "Few unplanned",
        },
    ],
}


class SentReferralFactory(ReferralFactory):
    status = ReferralStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)


class ReferralTargetFactory(DjangoModelFactory):
    class Meta:
        model = ReferralTarget

    referral = factory.SubFactory(SentReferralFactory)
    household = factory.SubFactory(HouseholdFactory)
    provider = factory.LazyAttribute(lambda o: o.household.provider)
    score = Decimal("72.5")
    score_breakdown = factory.LazyFunction(lambda: copy.deepcopy(BREAKDOWN))
    distance_miles = Decimal("4.2")
    sent_by = factory.SubFactory(UserFactory)
    status = TargetStatus.SENT


class OfferFactory(DjangoModelFactory):
    class Meta:
        model = Offer

    target = factory.SubFactory(ReferralTargetFactory, status=TargetStatus.OFFERED)
    referral = factory.LazyAttribute(lambda o: o.target.referral)
    household = factory.LazyAttribute(lambda o: o.target.household)
    vacancy = factory.SubFactory(VacancyFactory, household=factory.SelfAttribute("..household"))
    weekly_fee = Decimal("850.00")
    support_package = factory.LazyFunction(
        lambda: [{"kind": "therapy", "weekly_cost": "120.00", "note": ""}]
    )
    support_weekly_cost = Decimal("120.00")
    available_from = factory.LazyFunction(timezone.localdate)
    made_by = factory.SubFactory(UserFactory)
    status = OfferStatus.MADE


def provider_for(organisation: Organisation) -> Provider:
    return ProviderFactory(organisation=organisation)


def household_with_place(organisation: Organisation, **fields: Any) -> tuple[Household, Vacancy]:
    household = HouseholdFactory(provider=provider_for(organisation), **fields)
    return household, VacancyFactory(household=household)


@dataclass
class Journey:
    """A sent referral in the world's RCC with targets to three kinds of provider."""

    referral: Referral
    social_worker: User
    placement_officer: User
    in_house: ReferralTarget  # the child's own LA's service (PR1)
    other_la: ReferralTarget  # another LA's service (PR2)
    ifa: ReferralTarget  # the world's IFA (PR4)


def journey(world: Any, **referral_fields: Any) -> Journey:
    sw = world.users[Role.SOCIAL_WORKER]
    po = world.users[Role.PLACEMENT_OFFICER]
    child = ChildFactory(la=world.la, created_by=sw)
    referral = SentReferralFactory(child=child, **referral_fields)
    assert referral.rcc == world.rcc

    def target(org: Organisation) -> ReferralTarget:
        household, _ = household_with_place(org)
        return ReferralTargetFactory(referral=referral, household=household, sent_by=po)

    return Journey(
        referral=referral,
        social_worker=sw,
        placement_officer=po,
        in_house=target(world.la_service),
        other_la=target(world.other_la_service),
        ifa=target(world.ifa),
    )


def offer_on(target: ReferralTarget, **fields: Any) -> Offer:
    """An offer of the target's household, on its open place."""
    vacancy = target.household.vacancies.filter(status="open").first() or VacancyFactory(
        household=target.household
    )
    target.status = TargetStatus.OFFERED
    target.save(update_fields=["status"])
    return OfferFactory(target=target, vacancy=vacancy, **fields)


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)
