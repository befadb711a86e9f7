"""Independent scrutiny: approve or return with reasons; never by the placing team."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import OfferStatus, ReferralStatus, ScrutinyDecision, Urgency
from apps.referrals.models import Scrutiny
from apps.referrals.selectors import scrutiny_queue
from apps.referrals.services.choosing import referral_propose
from apps.referrals.services.placements import placement_agree
from apps.referrals.services.scrutiny import scrutiny_decide
from tests.factories import MembershipFactory, user_with_role
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(world):
    j = journey(world)
    offer = offer_on(j.ifa)
    referral_propose(
        referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
    )
    j.referral.refresh_from_db()
    return j


@pytest.fixture
def scrutineer(world):
    return world.users[Role.SCRUTINEER]


def test_approve(proposed, scrutineer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scrutiny = scrutiny_decide(
            referral=proposed.referral, by=scrutineer, decision="approved", reasons="Meets needs"
        )
    proposed.referral.refresh_from_db()
    assert proposed.referral.status == ReferralStatus.APPROVED
    assert scrutiny.after_placement is False
    assert scrutiny.offer == proposed.referral.proposed_offer
    assert any(proposed.social_worker.email in m.to for m in mail.outbox)


def test_return_lets_the_social_worker_propose_again(proposed, scrutineer):
    scrutiny_decide(
        referral=proposed.referral,
        by=scrutineer,
        decision=ScrutinyDecision.RETURNED,
        reasons="Ask the child about the long journey to school",
    )
    referral = proposed.referral
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RETURNED
    offer = referral.proposed_offer
    assert offer.status == OfferStatus.SHORTLISTED
    referral_propose(
        referral=referral, offer=offer, by=proposed.social_worker, reason="best_meets_needs"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROPOSED
    assert list(scrutiny_queue(scrutineer)) == [referral]


def test_reasons_and_decision_are_required(proposed, scrutineer):
    with pytest.raises(DomainError) as err:
        scrutiny_decide(referral=proposed.referral, by=scrutineer, decision="approved", reasons=" ")
    assert err.value.field == "reasons"
    with pytest.raises(DomainError) as err:
        scrutiny_decide(referral=proposed.referral, by=scrutineer, decision="maybe", reasons="x")
    assert err.value.field == "decision"
    assert not Scrutiny.objects.exists()


@pytest.mark.parametrize(
    "how",
    ["created", "proposed", "sent_targets", "child_la", "hub"],
)
def test_a_scrutineer_in_the_placing_team_is_refused(proposed, world, how):
    person = world.users[Role.SCRUTINEER]
    referral = proposed.referral
    if how == "created":
        referral.created_by = person
        expected = "you wrote the referral"
    elif how == "proposed":
        referral.proposed_by = person
        expected = "you proposed the match"
    elif how == "sent_targets":
        proposed.ifa.sent_by = person
        proposed.ifa.save()
        expected = "you sent the referral to providers"
    elif how == "child_la":
        MembershipFactory(user=person, organisation=world.la, role=Role.IRO)
        expected = "the child's local authority"
    else:
        MembershipFactory(user=person, organisation=world.hub, role=Role.ADMINISTRATOR)
        expected = "placement hub"
    referral.save()
    with pytest.raises(DomainError) as err:
        scrutiny_decide(referral=referral, by=person, decision="approved", reasons="Fine")
    assert expected in err.value.message
    assert "independent" in err.value.message
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PROPOSED
    assert not Scrutiny.objects.exists()


def test_scrutineer_of_another_rcc_is_refused(proposed, world):
    outsider = user_with_role(Role.SCRUTINEER, world.other_rcc)
    with pytest.raises(DomainError, match="scrutineer of this referral's RCC"):
        scrutiny_decide(referral=proposed.referral, by=outsider, decision="approved", reasons="Ok")


def test_nothing_to_scrutinise_before_a_proposal(world, scrutineer):
    j = journey(world)
    with pytest.raises(DomainError, match="no proposed match"):
        scrutiny_decide(referral=j.referral, by=scrutineer, decision="approved", reasons="Ok")


def test_emergency_placed_first_is_flagged_until_scrutinised(world, scrutineer):
    j = journey(world, urgency=Urgency.EMERGENCY)
    offer = offer_on(j.in_house)
    referral_propose(
        referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
    )
    placement = placement_agree(referral=j.referral, by=j.placement_officer)
    due = placement.emergency_scrutiny_due
    assert due is not None
    assert dt.timedelta(hours=71) < due - timezone.now() <= dt.timedelta(hours=72)
    queue = list(scrutiny_queue(scrutineer))
    assert queue == [j.referral]
    assert queue[0].emergency_outstanding
    scrutiny = scrutiny_decide(
        referral=j.referral, by=scrutineer, decision="approved", reasons="Ok"
    )
    assert scrutiny.after_placement is True
    assert list(scrutiny_queue(scrutineer)) == []
    j.referral.refresh_from_db()
    assert j.referral.status == ReferralStatus.PLACED
    with pytest.raises(DomainError, match="already been scrutinised"):
        scrutiny_decide(referral=j.referral, by=scrutineer, decision="approved", reasons="Again")


def test_planned_referral_cannot_be_placed_before_scrutiny(proposed):
    with pytest.raises(DomainError, match="approved by an independent scrutineer"):
        placement_agree(referral=proposed.referral, by=proposed.placement_officer)
