"""Ending a placement asks whether the child stopped being looked after: if so the SSDA903
E-code (REC) is required and stored; if not, the child moves on (the next placement should
start the same day). Service, page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.models import Placement, ReferralEvent
from apps.referrals.services.placements import placement_agree, placement_end
from tests.factories import UserFactory
from tests.referrals.placing_factories import days_ago, journey, offer_on

pytestmark = pytest.mark.django_db


def _placed(world):
    j = journey(world)
    offer = offer_on(j.ifa, status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    placement = placement_agree(referral=j.referral, by=UserFactory(is_superuser=True))
    Placement.objects.filter(pk=placement.pk).update(start_date=days_ago(40))
    placement.refresh_from_db()
    return placement


def test_left_care_stores_the_e_code(world):
    placement = _placed(world)
    placement_end(
        placement=placement,
        end_date=days_ago(2),
        reason_ended="PLACE",
        left_care=True,
        left_care_reason="E4A",
        by=world.users[Role.SOCIAL_WORKER],
    )
    placement.refresh_from_db()
    assert (placement.reason_ended, placement.left_care_reason) == ("PLACE", "E4A")
    event = ReferralEvent.objects.get(verb="placement_ended")
    assert event.detail["left_care_reason"] == "E4A"
    assert "Returned home to parent(s) as part of the care plan" in event.detail["summary"]


def test_moving_on_stores_no_e_code(world):
    placement = _placed(world)
    placement_end(
        placement=placement,
        end_date=days_ago(2),
        reason_ended="CARPL",
        left_care=False,
        by=world.users[Role.SOCIAL_WORKER],
    )
    placement.refresh_from_db()
    assert (placement.reason_ended, placement.left_care_reason) == ("CARPL", "")


@pytest.mark.parametrize(
    ("left_care", "code", "message"),
    [
        (True, "", "Choose the reason the child stopped being looked after"),
        (True, "E99", "Choose the reason the child stopped being looked after"),
        (True, "X1", "Choose the reason the child stopped being looked after"),
        (False, "E4A", "only if the child stopped being looked after"),
    ],
)
def test_bad_left_care_reason_is_a_field_error_and_nothing_is_written(
    world, left_care, code, message
):
    placement = _placed(world)
    with pytest.raises(DomainError, match=message) as err:
        placement_end(
            placement=placement,
            end_date=days_ago(2),
            reason_ended="PLACE",
            left_care=left_care,
            left_care_reason=code,
            by=world.users[Role.SOCIAL_WORKER],
        )
    assert err.value.field == "left_care_reason"
    placement.refresh_from_db()
    assert placement.end_date is None
    assert placement.left_care_reason == ""


def test_end_page_asks_both_branches(client, world):
    placement = _placed(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:placement_end", args=[placement.pk])
    page = client.get(url)
    assert b"Did the child stop being looked after?" in page.content
    assert b"should start on the same day" in page.content
    today = timezone.localdate().isoformat()
    # Not answered: the question's own message, and what was typed is kept.
    response = client.post(url, {"end_date": today, "reason_ended": "PLACE"})
    assert response.status_code == 200
    assert b"Say whether the child stopped being looked after." in response.content
    assert b'value="PLACE" selected' in response.content
    # Yes without a code: the field error, nothing written.
    response = client.post(url, {"end_date": today, "reason_ended": "PLACE", "left_care": "yes"})
    assert response.status_code == 200
    assert b"Choose the reason the child stopped being looked after" in response.content
    placement.refresh_from_db()
    assert placement.end_date is None
    response = client.post(
        url,
        {"end_date": today, "reason_ended": "PLACE", "left_care": "yes", "left_care_reason": "E13"},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.left_care_reason == "E13"
    detail = client.get(response["Location"])
    assert b"E13 \xe2\x80\x93 Left care to live with parent(s)" in detail.content


def test_end_page_no_branch_says_the_next_placement_starts_the_same_day(client, world):
    placement = _placed(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:placement_end", args=[placement.pk])
    # A code chosen before the answer changed to "No" is dropped, not refused.
    response = client.post(
        url,
        {
            "end_date": days_ago(1).isoformat(),
            "reason_ended": "CREQB",
            "left_care": "no",
            "left_care_reason": "E4A",
        },
        follow=True,
    )
    assert b"next placement should start on" in response.content
    placement.refresh_from_db()
    assert (placement.reason_ended, placement.left_care_reason) == ("CREQB", "")
    assert b"still looked after" in response.content


def test_api_end_with_and_without_leaving_care(client, world):
    placement = _placed(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("api:placement-end", args=[placement.pk])
    today = timezone.localdate().isoformat()
    response = client.post(
        url, {"end_date": today, "reason_ended": "PLACE", "left_care": True}, "application/json"
    )
    assert response.status_code == 400
    assert "left_care_reason" in response.json()["errors"]
    response = client.post(
        url,
        {"end_date": today, "reason_ended": "PLACE", "left_care_reason": "E4A"},
        "application/json",
    )
    assert response.status_code == 400
    assert "left_care" in response.json()["errors"]
    response = client.post(
        url,
        {"end_date": today, "reason_ended": "PLACE", "left_care": True, "left_care_reason": "E5"},
        "application/json",
    )
    assert response.status_code == 200
    assert response.json()["left_care_reason"] == "E5"
    detail = client.get(reverse("api:placement-detail", args=[placement.pk]))
    assert detail.json()["left_care_reason"] == "E5"
