"""Agreeing a placement (booking, 903 codes, IPA) and ending it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.kinds import IfaSector
from apps.providers.models import Vacancy
from apps.referrals.choices import (
    OfferStatus,
    ReferralStatus,
    ScrutinyDecision,
    TargetStatus,
)
from apps.referrals.models import Placement, PlacementAgreement, ReferralEvent
from apps.referrals.options import stability_records
from apps.referrals.services.choosing import offer_record_childs_view, referral_propose
from apps.referrals.services.placements import ALREADY_BOOKED, placement_agree, placement_end
from apps.referrals.services.scrutiny import scrutiny_decide
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.referrals.placing_factories import days_ago, journey, offer_on

pytestmark = pytest.mark.django_db


def approved(world, pick="ifa", **referral_fields):
    j = journey(world, **referral_fields)
    chosen = offer_on(getattr(j, pick))
    second = next(t for t in (j.in_house, j.other_la, j.ifa) if t != getattr(j, pick))
    others = [offer_on(second)]
    for offer in (chosen, *others):
        offer_record_childs_view(offer=offer, by=j.social_worker, childs_view="Seems kind")
    referral_propose(
        referral=j.referral, offer=chosen, by=j.social_worker, reason="best_meets_needs"
    )
    scrutiny_decide(
        referral=j.referral,
        by=world.users[Role.SCRUTINEER],
        decision=ScrutinyDecision.APPROVED,
        reasons="Meets the needs",
    )
    j.referral.refresh_from_db()
    return j, chosen, others


def test_agree_books_the_place_and_writes_the_ipa(world, django_capture_on_commit_callbacks):
    home = PostcodeDistrictFactory(code="M14", latitude=53.45, longitude=-2.22)
    for service in (world.la_service, world.other_la_service):
        user_with_role(Role.PROVIDER_REFERRALS, service)
    j, chosen, others = approved(world)
    j.referral.child.home_postcode_district = home
    j.referral.child.save()
    far = PostcodeDistrictFactory(code="OL1", latitude=53.54, longitude=-2.11)
    chosen.household.postcode_district = far
    chosen.household.latitude, chosen.household.longitude = far.latitude, far.longitude
    chosen.household.save()
    with django_capture_on_commit_callbacks(execute=True):
        placement = placement_agree(
            referral=j.referral, by=j.placement_officer, placement_type="U4"
        )
    assert placement.placement_type == "U4"
    assert placement.placement_provider == "PR4"
    assert placement.start_date == timezone.localdate()
    assert placement.distance_from_home_miles == Decimal("7.7")
    assert placement.emergency_scrutiny_due is None
    vacancy = Vacancy.objects.get(pk=chosen.vacancy_id)
    assert vacancy.status == "booked"
    ipa = PlacementAgreement.objects.get(placement=placement)
    assert ipa.agreed_weekly_fee == chosen.weekly_fee
    assert ipa.support_package == chosen.support_package
    assert ipa.agreed_weekly_cost == chosen.full_weekly_cost
    assert ipa.provider_urn == world.ifa.ofsted_urn
    j.referral.refresh_from_db()
    assert j.referral.status == ReferralStatus.PLACED
    chosen.refresh_from_db()
    assert chosen.status == OfferStatus.ACCEPTED
    for other in others:
        other.refresh_from_db()
        assert other.status == OfferStatus.NOT_CHOSEN
    # The third provider never answered: its request is withdrawn and it is told.
    unanswered = j.referral.targets.exclude(
        pk__in=[chosen.target_id, *[o.target_id for o in others]]
    )
    assert [t.status for t in unanswered] == [TargetStatus.WITHDRAWN]
    subjects = sorted(m.subject for m in mail.outbox)
    assert any("not chosen" in s for s in subjects)
    assert any("placement agreed" in s for s in subjects)
    assert any("is closed" in s for s in subjects)
    for message in mail.outbox:
        assert j.referral.child.local_identifier not in message.body
    assert ReferralEvent.objects.filter(referral=j.referral, verb="placement_agreed").count() == 1


@pytest.mark.parametrize(
    ("pick", "sector", "code"),
    [("in_house", "", "PR1"), ("other_la", "", "PR2"), ("ifa", IfaSector.VOLUNTARY, "PR5")],
)
def test_placement_provider_codes(world, pick, sector, code):
    if sector:
        world.ifa.sector = sector
        world.ifa.save()
    j, _, _ = approved(world, pick=pick)
    placement = placement_agree(referral=j.referral, by=j.placement_officer)
    assert placement.placement_provider == code


def test_a_place_booked_meanwhile_is_refused_and_nothing_is_written(world):
    j, chosen, _ = approved(world)
    Vacancy.objects.filter(pk=chosen.vacancy_id).update(status="booked")
    with pytest.raises(DomainError) as err:
        placement_agree(referral=j.referral, by=j.placement_officer)
    assert err.value.message == ALREADY_BOOKED
    assert not Placement.objects.exists()
    j.referral.refresh_from_db()
    assert j.referral.status == ReferralStatus.APPROVED


def test_the_constraint_refuses_a_second_current_placement(world):
    """Even if the vacancy row said open, the partial unique constraint holds."""
    j, chosen, _ = approved(world)
    placement_agree(referral=j.referral, by=j.placement_officer)
    Vacancy.objects.filter(pk=chosen.vacancy_id).update(status="open")  # a stale register row
    k, second, _ = approved(world)
    second.vacancy = chosen.vacancy
    second.save()
    with pytest.raises(DomainError) as err:
        placement_agree(referral=k.referral, by=k.placement_officer)
    assert err.value.message == ALREADY_BOOKED
    assert Placement.objects.count() == 1
    assert Vacancy.objects.get(pk=chosen.vacancy_id).status == "open"
    k.referral.refresh_from_db()
    assert k.referral.status == ReferralStatus.APPROVED


def test_only_a_hub_placement_officer_agrees(world):
    j, _, _ = approved(world)
    for role in (Role.SOCIAL_WORKER, Role.SCRUTINEER, Role.PROVIDER_REFERRALS):
        with pytest.raises(DomainError, match="placement officer"):
            placement_agree(referral=j.referral, by=world.users[role])
    assert not Placement.objects.exists()


def test_withdrawn_or_unapproved_referral_cannot_be_placed(world):
    j = journey(world)
    with pytest.raises(DomainError, match="approved by an independent scrutineer"):
        placement_agree(referral=j.referral, by=j.placement_officer)
    j.referral.status = ReferralStatus.WITHDRAWN
    j.referral.save()
    with pytest.raises(DomainError, match="withdrawn"):
        placement_agree(referral=j.referral, by=j.placement_officer)


def test_bad_placement_type_and_start_before_the_place_is_free(world):
    j, chosen, _ = approved(world)
    with pytest.raises(DomainError) as err:
        placement_agree(referral=j.referral, by=j.placement_officer, placement_type="U1")
    assert err.value.field == "placement_type"
    with pytest.raises(DomainError) as err:
        placement_agree(
            referral=j.referral,
            by=j.placement_officer,
            start_date=chosen.available_from - dt.timedelta(days=1),
        )
    assert err.value.field == "start_date"
    assert not Placement.objects.exists()


def test_end_records_the_903_reason_and_feeds_stability(world):
    j, chosen, _ = approved(world)
    placement = placement_agree(
        referral=j.referral, by=j.placement_officer, start_date=timezone.localdate()
    )
    Placement.objects.filter(pk=placement.pk).update(start_date=days_ago(30))
    placement_end(
        placement=placement, end_date=days_ago(1), reason_ended="ALLEG", by=j.social_worker
    )
    placement.refresh_from_db()
    assert placement.end_date == days_ago(1)
    assert placement.reason_ended == "ALLEG"
    vacancy = Vacancy.objects.get(pk=chosen.vacancy_id)
    assert vacancy.status == "on_hold"
    assert "confirm" in vacancy.hold_reason
    record = stability_records([placement.provider_id])[placement.provider_id]
    assert (record.ended, record.unplanned) == (1, 1)
    event = ReferralEvent.objects.get(verb="placement_ended")
    assert event.detail["unplanned"] is True


def test_end_bad_inputs(world):
    j, _, _ = approved(world)
    placement = placement_agree(referral=j.referral, by=j.placement_officer)
    with pytest.raises(DomainError) as err:
        placement_end(
            placement=placement, end_date=days_ago(-2), reason_ended="PLACE", by=j.social_worker
        )
    assert err.value.field == "end_date"
    with pytest.raises(DomainError) as err:
        placement_end(
            placement=placement, end_date=days_ago(5), reason_ended="PLACE", by=j.social_worker
        )
    assert err.value.field == "end_date"  # before the start
    with pytest.raises(DomainError) as err:
        placement_end(
            placement=placement,
            end_date=timezone.localdate(),
            reason_ended="XX",
            by=j.social_worker,
        )
    assert err.value.field == "reason_ended"
    with pytest.raises(DomainError, match="social worker or the RCC's hub"):
        placement_end(
            placement=placement,
            end_date=timezone.localdate(),
            reason_ended="PLACE",
            by=world.users[Role.PROVIDER_REFERRALS],
        )
    placement.refresh_from_db()
    assert placement.end_date is None
    placement_end(
        placement=placement,
        end_date=timezone.localdate(),
        reason_ended="PLACE",
        by=j.placement_officer,
    )
    with pytest.raises(DomainError, match="already ended"):
        placement_end(
            placement=placement,
            end_date=timezone.localdate(),
            reason_ended="PLACE",
            by=j.social_worker,
        )
