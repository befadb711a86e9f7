"""The social worker's referral list: live work first, the latest activity first, and a status
line that says what is happening now (offers waiting, replies awaited, the placement's dates)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import ReferralEvent
from apps.referrals.services.choosing import referral_propose
from apps.referrals.services.placements import placement_agree
from tests.referrals.factories import ChildFactory, ReferralFactory
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _touch(referral, days_ago):
    event = ReferralEvent.objects.create(referral=referral, verb="updated", detail={})
    ReferralEvent.objects.filter(pk=event.pk).update(
        at=timezone.now() - dt.timedelta(days=days_ago)
    )


def test_live_first_with_true_status_and_dates(client, world):
    sw = world.users[Role.SOCIAL_WORKER]
    withdrawn = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.WITHDRAWN)
    _touch(withdrawn, 0)  # the newest activity, but closed: after the live ones
    with_offer = journey(world)
    offer_on(with_offer.ifa)
    _touch(with_offer.referral, 3)
    awaiting = journey(world)
    _touch(awaiting.referral, 1)
    draft = ReferralFactory(child=ChildFactory(la=world.la))
    _touch(draft, 5)
    placed = journey(world, urgency="emergency")
    referral_propose(
        referral=placed.referral, offer=offer_on(placed.ifa), by=sw, reason="best_meets_needs"
    )
    placement = placement_agree(
        referral=placed.referral, by=placed.placement_officer, start_date=timezone.localdate()
    )
    client.force_login(sw)
    page = client.get(reverse("referrals:referral_list"))
    assert page.status_code == 200
    rows = page.context["rows"]
    order = [r.pk for r, _, _ in rows]
    assert order[:3] == [awaiting.referral.pk, with_offer.referral.pk, draft.pk]
    assert set(order[3:]) == {withdrawn.pk, placed.referral.pk}
    states = {r.pk: state[0] for r, _, state in rows}
    assert states[with_offer.referral.pk] == "1 offer to consider"
    assert states[awaiting.referral.pk] == "Sent to 3 providers: awaiting replies"
    assert states[draft.pk] == "Draft: not sent"
    assert states[placed.referral.pk] == (f"Placed since {placement.start_date:%-d %b %Y}")
    assert states[withdrawn.pk] == "Withdrawn"
    body = page.content.decode()
    assert "Placed or withdrawn" in body
    assert "Last activity" in body
    assert reverse("referrals:options", args=[with_offer.referral.pk]) in body
    # Sorting by a column replaces the default order (and drops the group heading).
    by_child = client.get(reverse("referrals:referral_list"), {"sort": "child"})
    assert "Placed or withdrawn" not in by_child.content.decode()
    export = client.get(reverse("referrals:referral_list"), {"export": "csv"})
    assert "1 offer to consider" in export.content.decode()


def test_offers_filter_matches_the_home_page(client, world):
    j = journey(world)
    offer_on(j.ifa)
    journey(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.get(reverse("referrals:referral_list"), {"work": "offers"})
    assert [r.pk for r, _, _ in page.context["rows"]] == [j.referral.pk]
