"""Choosing among offers: shortlist, equal marks, the child's views, the in-house tie-break."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import ChoiceReason, OfferStatus, ReferralStatus
from apps.referrals.models import ReferralEvent
from apps.referrals.options import referral_options
from apps.referrals.services.choosing import (
    offer_mark_equal,
    offer_record_childs_view,
    offer_shortlist,
    referral_propose,
)
from tests.factories import user_with_role
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def j(world):
    return journey(world)


def _views(sw, *offers):
    for offer in offers:
        offer_record_childs_view(offer=offer, by=sw, childs_view="I liked the dog.")


def _unchanged(referral):
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.proposed_offer is None
    assert not ReferralEvent.objects.filter(referral=referral, verb="match_proposed").exists()


def test_options_side_by_side(j, world):
    in_house = offer_on(j.in_house, weekly_fee=Decimal("400"), support_weekly_cost=Decimal("0"))
    ifa = offer_on(j.ifa)
    options = {o.offer.pk: o for o in referral_options(j.referral)}
    assert options[in_house.pk].kind == "in_house"
    assert options[in_house.pk].provider_code == "PR1"
    assert options[ifa.pk].kind == "ifa"
    assert options[ifa.pk].provider_code == "PR4"
    assert options[ifa.pk].full_weekly_cost == Decimal("970.00")
    assert options[ifa.pk].breakdown[0]["factor"] == "Needs met by the home's skills"
    assert options[ifa.pk].breakdown[0]["points"] == 32.0
    assert options[ifa.pk].miles_to_family is not None
    assert options[ifa.pk].stability.ended == 0


def test_shortlist_and_undo(j):
    offer = offer_on(j.ifa)
    offer = offer_shortlist(offer=offer, by=j.social_worker)
    assert offer.status == OfferStatus.SHORTLISTED
    assert offer.shortlisted_at is not None
    offer = offer_shortlist(offer=offer, by=j.social_worker, shortlisted=False)
    assert offer.status == OfferStatus.MADE
    assert offer.shortlisted_at is None
    verbs = list(ReferralEvent.objects.values_list("verb", flat=True))
    assert verbs == ["offer_shortlisted", "offer_unshortlisted"]


def test_only_the_childs_la_social_worker_chooses(j, world):
    offer = offer_on(j.ifa)
    for outsider in (
        world.users[Role.PLACEMENT_OFFICER],
        world.users[Role.IRO],
        user_with_role(Role.SOCIAL_WORKER, world.other_la),
    ):
        with pytest.raises(DomainError, match="social worker of the child"):
            offer_shortlist(offer=offer, by=outsider)
        with pytest.raises(DomainError, match="social worker of the child"):
            referral_propose(
                referral=j.referral, offer=offer, by=outsider, reason=ChoiceReason.BEST_MEETS_NEEDS
            )
    _unchanged(j.referral)


def test_single_offer_needs_no_childs_view(j):
    offer = offer_on(j.ifa)
    referral = referral_propose(
        referral=j.referral, offer=offer, by=j.social_worker, reason=ChoiceReason.BEST_MEETS_NEEDS
    )
    assert referral.status == ReferralStatus.PROPOSED
    assert referral.proposed_offer == offer
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PROPOSED


def test_childs_views_required_when_more_than_one_option(j):
    ifa, other = offer_on(j.ifa), offer_on(j.other_la)
    offer_record_childs_view(offer=ifa, by=j.social_worker, childs_view="Likes the garden")
    with pytest.raises(DomainError) as err:
        referral_propose(
            referral=j.referral, offer=ifa, by=j.social_worker, reason=ChoiceReason.BEST_MEETS_NEEDS
        )
    assert err.value.field == "childs_view"
    assert other.household.reference in err.value.message
    _unchanged(j.referral)
    _views(j.social_worker, other)
    referral = referral_propose(
        referral=j.referral, offer=ifa, by=j.social_worker, reason=ChoiceReason.CHILDS_VIEWS
    )
    assert referral.choice_reason == ChoiceReason.CHILDS_VIEWS


def test_empty_childs_view_is_refused(j):
    offer = offer_on(j.ifa)
    with pytest.raises(DomainError) as err:
        offer_record_childs_view(offer=offer, by=j.social_worker, childs_view="  ")
    assert err.value.field == "childs_view"


def test_in_house_tie_break_allowed_with_an_equal_option(j):
    in_house, ifa = offer_on(j.in_house), offer_on(j.ifa)
    _views(j.social_worker, in_house, ifa)
    offer_mark_equal(offer=ifa, by=j.social_worker, equally_meets_needs=True)
    referral = referral_propose(
        referral=j.referral,
        offer=in_house,
        by=j.social_worker,
        reason=ChoiceReason.IN_HOUSE_TIE_BREAK,
    )
    assert referral.choice_reason == ChoiceReason.IN_HOUSE_TIE_BREAK
    event = ReferralEvent.objects.get(referral=referral, verb="match_proposed")
    assert event.detail["in_house_tie_break"] is True
    assert event.detail["tied_with"] == [ifa.pk]


def test_in_house_tie_break_refused_without_an_equal_option(j):
    in_house, ifa = offer_on(j.in_house), offer_on(j.ifa)
    _views(j.social_worker, in_house, ifa)
    with pytest.raises(DomainError) as err:
        referral_propose(
            referral=j.referral,
            offer=in_house,
            by=j.social_worker,
            reason=ChoiceReason.IN_HOUSE_TIE_BREAK,
        )
    assert err.value.field == "reason"
    assert "only break a tie" in err.value.message
    _unchanged(j.referral)


def test_in_house_tie_break_refused_for_an_option_not_in_house(j):
    in_house, other_la, ifa = offer_on(j.in_house), offer_on(j.other_la), offer_on(j.ifa)
    _views(j.social_worker, in_house, other_la, ifa)
    offer_mark_equal(offer=in_house, by=j.social_worker, equally_meets_needs=True)
    offer_mark_equal(offer=ifa, by=j.social_worker, equally_meets_needs=True)
    for chosen in (ifa, other_la):  # an IFA, and another LA's service (PR2), are not in-house
        with pytest.raises(DomainError) as err:
            referral_propose(
                referral=j.referral,
                offer=chosen,
                by=j.social_worker,
                reason=ChoiceReason.IN_HOUSE_TIE_BREAK,
            )
        assert err.value.field == "reason"
        assert "own local authority" in err.value.message
    _unchanged(j.referral)


def test_offer_of_another_referral_or_closed_place_is_refused(j, world):
    offer = offer_on(j.ifa)
    elsewhere = offer_on(journey(world).ifa)
    with pytest.raises(DomainError) as err:
        referral_propose(
            referral=j.referral, offer=elsewhere, by=j.social_worker, reason="best_meets_needs"
        )
    assert err.value.field == "offer"
    offer.vacancy.status = "booked"
    offer.vacancy.save()
    with pytest.raises(DomainError, match="no longer open"):
        referral_propose(
            referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
        )
    _unchanged(j.referral)


def test_no_changes_while_with_the_scrutineer(j):
    offer = offer_on(j.ifa)
    referral_propose(
        referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
    )
    with pytest.raises(DomainError, match="scrutineer"):
        offer_mark_equal(offer=offer, by=j.social_worker, equally_meets_needs=True)


def test_withdrawn_referral_cannot_be_proposed(j):
    offer = offer_on(j.ifa)
    j.referral.status = ReferralStatus.WITHDRAWN
    j.referral.save()
    with pytest.raises(DomainError, match="withdrawn"):
        referral_propose(
            referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
        )
