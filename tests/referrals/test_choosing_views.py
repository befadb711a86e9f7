"""The options page, the social worker's notes, the proposal and the shared page's panel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import ReferralEvent
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def j(world):
    return journey(world)


@pytest.fixture
def sw_client(client, j):
    client.force_login(j.social_worker)
    return client


def test_options_side_by_side(sw_client, j):
    offer_on(j.in_house)
    offer_on(j.ifa)
    response = sw_client.get(reverse("referrals:options", args=[j.referral.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "In-house",
        "IFA",
        "Full weekly cost",
        "Provider's stability",
        "Needs met by the home",
    ):
        assert text in body
    assert "record the child's views on each" in body
    assert response.context["can_choose"] is True


def test_hub_and_scrutineer_read_without_forms(client, j, world):
    offer_on(j.ifa)
    for role in (Role.PLACEMENT_OFFICER, Role.SCRUTINEER):
        client.force_login(world.users[role])
        response = client.get(reverse("referrals:options", args=[j.referral.pk]))
        assert response.status_code == 200
        assert response.context["can_choose"] is False
        assert b"Propose this match" not in response.content


def test_notes_on_an_option(sw_client, j):
    offer = offer_on(j.ifa)
    prefix = f"offer-{offer.pk}"
    response = sw_client.post(
        reverse("referrals:option_update", args=[j.referral.pk, offer.pk]),
        {
            f"{prefix}-shortlisted": "on",
            f"{prefix}-equally_meets_needs": "on",
            f"{prefix}-childs_view": "Likes the dog",
        },
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == "shortlisted"
    assert offer.equally_meets_needs
    assert offer.childs_view == "Likes the dog"


def test_propose_needs_the_childs_views_then_succeeds(sw_client, j):
    first, second = offer_on(j.ifa), offer_on(j.in_house)
    url = reverse("referrals:propose", args=[j.referral.pk])
    response = sw_client.post(url, {"offer": first.pk, "reason": "best_meets_needs"})
    assert response.status_code == 200
    assert "record the child" in str(response.context["error_form"].non_field_errors())
    j.referral.refresh_from_db()
    assert j.referral.status == ReferralStatus.SENT
    for offer in (first, second):
        p = f"offer-{offer.pk}"
        sw_client.post(
            reverse("referrals:option_update", args=[j.referral.pk, offer.pk]),
            {f"{p}-childs_view": "It seemed nice"},
        )
    response = sw_client.post(url, {"offer": first.pk, "reason": "childs_views"})
    assert response.status_code == 302
    j.referral.refresh_from_db()
    assert j.referral.status == ReferralStatus.PROPOSED
    # The timeline says who did what, in words.
    page = sw_client.get(
        reverse("referrals:referral_detail", args=[j.referral.pk])
    ).content.decode()
    assert "Match proposed for scrutiny" in page
    assert "The child&#x27;s views, among options that meet the needs" in page
    assert "The child&#x27;s view recorded" in page


def test_tie_break_refused_on_the_page(sw_client, j):
    in_house, ifa = offer_on(j.in_house, childs_view="Yes"), offer_on(j.ifa, childs_view="Maybe")
    response = sw_client.post(
        reverse("referrals:propose", args=[j.referral.pk]),
        {"offer": in_house.pk, "reason": "in_house_tie_break"},
    )
    assert response.status_code == 200
    assert "only break a tie" in response.context["error_form"].errors["reason"][0]
    assert not ReferralEvent.objects.filter(verb="match_proposed").exists()
    assert ifa.pk  # the other option is still there


def test_panel_on_the_shared_referral_page(sw_client, j):
    offer_on(j.ifa)
    response = sw_client.get(reverse("referrals:referral_detail", args=[j.referral.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Offers, choice and placement" in body
    assert reverse("referrals:options", args=[j.referral.pk]) in body


def test_other_la_referral_is_404(client, world):
    other = journey(world)
    other.referral.la = world.other_la
    other.referral.rcc = world.other_rcc
    other.referral.save()
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert client.get(reverse("referrals:options", args=[other.referral.pk])).status_code == 404
