"""A sibling group referral and its households, for the sibling-group tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import Household, Vacancy
from apps.referrals.choices import ReferralStatus, TargetStatus
from apps.referrals.models import Child, Offer, Referral, ReferralTarget
from apps.referrals.services.offers import offer_make
from tests.factories import user_with_role
from tests.providers.factories import VacancyFactory
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import (
    ReferralTargetFactory,
    SentReferralFactory,
    household_with_place,
)


def born_years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=30)


@dataclass
class Group:
    referral: Referral
    children: list[Child]


def sibling_group(world: Any, ages: tuple[int, ...] = (9, 7)) -> Group:
    sw = world.users[Role.SOCIAL_WORKER]
    children = [
        ChildFactory(la=world.la, created_by=sw, date_of_birth=born_years_ago(a)) for a in ages
    ]
    referral = SentReferralFactory(child=children[0])
    referral.siblings.set(children[1:])
    return Group(referral=referral, children=children)


def household_for(
    world: Any, org: Any = None, *, places: int = 2, **fields: Any
) -> tuple[Household, list[Vacancy]]:
    fields.setdefault("max_sibling_group", places)
    household, first = household_with_place(org or world.ifa, places=places, **fields)
    return household, [first, *(VacancyFactory(household=household) for _ in range(places - 1))]


def target_for(world: Any, referral: Referral, household: Household) -> ReferralTarget:
    return ReferralTargetFactory(
        referral=referral,
        household=household,
        sent_by=world.users[Role.PLACEMENT_OFFICER],
        status=TargetStatus.SENT,
    )


def provider_user(world: Any, org: Any = None) -> Any:
    if org is None:
        return world.users[Role.PROVIDER_REFERRALS]
    return user_with_role(Role.PROVIDER_REFERRALS, org)


def group_offer(
    world: Any, group: Group, household: Household, places: dict[Child, Vacancy], by: Any = None
) -> Offer:
    target = target_for(world, group.referral, household)
    return offer_make(
        target=target,
        by=by or provider_user(world),
        household=household,
        weekly_fee="900.00",
        available_from=timezone.localdate(),
        places={c.pk: v for c, v in places.items()},
    )


def approve(referral: Referral, offer: Offer) -> Referral:
    Offer.objects.filter(pk=offer.pk).update(status="proposed")
    referral.status = ReferralStatus.APPROVED
    referral.proposed_offer = offer
    referral.save(update_fields=["status", "proposed_offer"])
    return referral
