"""The scrutiny queue and decision page: independence shown clearly, emergencies flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.referrals.models import Placement, Scrutiny
from apps.referrals.services.choosing import referral_propose
from apps.referrals.services.placements import placement_agree
from tests.factories import MembershipFactory
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _proposed(world, **fields):
    j = journey(world, **fields)
    offer = offer_on(j.ifa)
    referral_propose(
        referral=j.referral, offer=offer, by=j.social_worker, reason="best_meets_needs"
    )
    return j


@pytest.fixture
def scrutineer_client(client, world):
    client.force_login(world.users[Role.SCRUTINEER])
    return client


def test_queue_and_decision(scrutineer_client, world):
    j = _proposed(world)
    queue = scrutineer_client.get(reverse("referrals:scrutiny_queue"))
    assert queue.status_code == 200
    assert list(queue.context["object_list"]) == [j.referral]
    url = reverse("referrals:scrutiny_decide", args=[j.referral.pk])
    page = scrutineer_client.get(url)
    assert page.status_code == 200
    assert b"Record the decision" in page.content
    response = scrutineer_client.post(url, {"decision": "returned", "reasons": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reasons"]
    response = scrutineer_client.post(url, {"decision": "returned", "reasons": "Ask about school"})
    assert response.status_code == 302
    j.referral.refresh_from_db()
    assert j.referral.status == "returned"
    export = scrutineer_client.get(reverse("referrals:scrutiny_queue"), {"export": "csv"})
    assert export.status_code == 200


def test_placing_team_member_sees_the_reason_and_no_form(scrutineer_client, world):
    j = _proposed(world)
    MembershipFactory(
        user=world.users[Role.SCRUTINEER], organisation=world.hub, role=Role.ADMINISTRATOR
    )
    url = reverse("referrals:scrutiny_decide", args=[j.referral.pk])
    page = scrutineer_client.get(url)
    body = page.content.decode()
    assert "you work in the RCC&#x27;s placement hub" in body
    assert "Record the decision" not in body
    response = scrutineer_client.post(url, {"decision": "approved", "reasons": "Fine"})
    assert response.status_code == 200
    assert "must be independent" in str(response.context["form"].non_field_errors())
    assert not Scrutiny.objects.exists()


def test_emergency_placed_first_is_flagged_and_overdue_in_red(scrutineer_client, world):
    j = _proposed(world, urgency="emergency")
    placement = placement_agree(referral=j.referral, by=j.placement_officer)
    page = scrutineer_client.get(reverse("referrals:scrutiny_queue"))
    assert "Placed: due" in page.content.decode()
    Placement.objects.filter(pk=placement.pk).update(
        emergency_scrutiny_due=timezone.now() - dt.timedelta(hours=1)
    )
    page = scrutineer_client.get(reverse("referrals:scrutiny_queue"))
    assert 'govuk-tag--red">Overdue' in page.content.decode()
    detail = scrutineer_client.get(reverse("referrals:placement_detail", args=[placement.pk]))
    assert "Overdue" in detail.content.decode()
    scrutineer_client.post(
        reverse("referrals:scrutiny_decide", args=[j.referral.pk]),
        {"decision": "approved", "reasons": "Right call in the circumstances"},
    )
    assert Scrutiny.objects.get().after_placement
    page = scrutineer_client.get(reverse("referrals:scrutiny_queue"))
    assert page.context["page_obj"].paginator.count == 0


def test_queue_query_count_does_not_grow(scrutineer_client, world, django_assert_max_num_queries):
    _proposed(world)
    url = reverse("referrals:scrutiny_queue")
    scrutineer_client.get(url)
    with django_assert_max_num_queries(12) as few:
        scrutineer_client.get(url)
    for _ in range(4):
        _proposed(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = scrutineer_client.get(url)
    assert response.context["page_obj"].paginator.count == 5
    api = scrutineer_client.get(reverse("api:scrutiny-queue"))
    assert api.json()["count"] == 5
