"""Matching shows the child's stability so far: the hub's search page and options API carry the
care history's figures and recent placements; the provider's minimised referral carries counts
only (no dates, places or postcodes)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import CareEpisode
from tests.referrals.matching_support import home, referral
from tests.referrals.placing_factories import days_ago, journey

pytestmark = pytest.mark.django_db


def _history(child):
    """Three placements: started care 700 days ago, moved 200 and 60 days ago."""
    child.home_postcode = "M14 5AB"
    child.save()
    for start, end, rne, kind in [
        (700, 200, "S", "K2"),
        (200, 60, "T", "U6"),
        (60, None, "T", "U4"),
    ]:
        CareEpisode.objects.create(
            child=child,
            start_date=days_ago(start),
            end_date=days_ago(end) if end is not None else None,
            new_episode_reason=rne,
            legal_status="C2",
            placement_type=kind,
            placement_provider="PR4",
            reason_place_change="CARPL" if end is not None else "",
            reason_ended="X1" if end is not None else "",
            placement_postcode="OL1 1AA",
            source="imported",
        )


def test_search_page_and_options_api_show_the_childs_moves(client, world):
    ref = referral(world, age=9)
    home(world.ifa, "M14")
    _history(ref.child)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    html = client.get(reverse("referrals:hub_search", args=[ref.pk])).content.decode()
    assert "Stability so far" in html
    assert "3 placements; 2 moves in the last 12 months" in html
    assert "Several recent moves" in html
    assert "The child's previous placements" in html
    assert "K2 – Children&#x27;s home" in html
    body = client.get(reverse("api:referral-options", args=[ref.pk])).json()
    history = body["child_care_history"]
    assert history["summary"]["placements"] == 3
    assert history["summary"]["moves_last_12_months"] == 2
    assert [r["placement_type"] for r in history["recent"]] == ["U4", "U6", "K2"]


def test_provider_sees_only_counts(client, world):
    j = journey(world)
    _history(j.referral.child)
    client.force_login(world.users[Role.PROVIDER_REFERRALS])
    page = client.get(reverse("referrals:provider_target", args=[j.ifa.pk])).content.decode()
    assert "Placements so far" in page
    assert "3, with 2 moves in the last 12 months" in page
    response = client.get(reverse("api:provider-target-detail", args=[j.ifa.pk]))
    minimised = response.json()["referral"]
    assert minimised["care_history"] == {"placements": 3, "moves_last_12_months": 2}
    text = response.content.decode() + page
    for secret in ("M14 5AB", "OL1 1AA", "K2", days_ago(200).isoformat()):
        assert secret not in text
