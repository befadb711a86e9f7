"""The child's care history: one timeline of earlier episodes and platform placements with its
figures; earlier placements recorded by hand (validated, editable, imported ones read-only);
page and API, scoped to the child's LA."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.history import care_timeline, moves_summary
from apps.referrals.models import CareEpisode, Placement
from apps.referrals.services.care_history import (
    care_episode_delete,
    care_episode_record,
    care_episode_update,
)
from apps.referrals.services.placements import placement_agree, placement_end
from tests.factories import UserFactory, user_with_role
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import days_ago, journey, offer_on

pytestmark = pytest.mark.django_db


def _episode(**over):
    values = {
        "start_date": days_ago(900),
        "end_date": days_ago(500),
        "placement_type": "U6",
        "placement_provider": "PR1",
        "legal_status": "C2",
        "reason_ended": "CARPL",
    }
    values.update(over)
    return values


@pytest.fixture
def child(world):
    return ChildFactory(
        la=world.la,
        created_by=world.users[Role.SOCIAL_WORKER],
        date_of_birth=timezone.localdate() - dt.timedelta(days=365 * 12),
    )


def _placed(world, start):
    j = journey(world)
    offer = offer_on(j.ifa, status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    placement = placement_agree(referral=j.referral, by=UserFactory(is_superuser=True))
    Placement.objects.filter(pk=placement.pk).update(start_date=start)
    placement.refresh_from_db()
    return j.referral.child, placement


def test_timeline_and_figures_across_sources(world):
    sw = world.users[Role.SOCIAL_WORKER]
    child, placement = _placed(world, days_ago(100))
    # Imported: started care 900 days ago; a legal status change only; then a move.
    CareEpisode.objects.create(
        child=child,
        start_date=days_ago(900),
        end_date=days_ago(800),
        new_episode_reason="S",
        legal_status="V2",
        placement_type="U6",
        placement_provider="PR1",
        reason_ended="X1",
        source="imported",
    )
    CareEpisode.objects.create(
        child=child,
        start_date=days_ago(800),
        end_date=days_ago(300),
        new_episode_reason="L",
        legal_status="C2",
        placement_type="U6",
        placement_provider="PR1",
        reason_ended="X1",
        source="imported",
    )
    # Recorded by hand: a move 300 days ago (same day as the end before: T).
    recorded = care_episode_record(
        by=sw, child=child, **_episode(start_date=days_ago(300), end_date=days_ago(100))
    )
    assert recorded.new_episode_reason == "T"
    assert recorded.reason_ended == "X1" and recorded.reason_place_change == "CARPL"
    rows = care_timeline(child)
    assert [(r.source, r.new_episode_reason) for r in rows] == [
        ("platform", "T"),
        ("recorded", "T"),
        ("imported", "L"),
        ("imported", "S"),
    ]
    summary = moves_summary(child, rows)
    assert summary.placements == 3  # the L episode is the same placement
    assert summary.moves_last_12_months == 2
    assert summary.current_since == days_ago(100)
    assert summary.current_days == 100
    # Leaving care ends the current placement: no current placement.
    placement_end(
        placement=placement,
        end_date=days_ago(0),
        reason_ended="PLACE",
        left_care=True,
        left_care_reason="E4A",
        by=sw,
    )
    rows = care_timeline(child)
    assert rows[0].left_care_reason == "E4A"
    assert moves_summary(child, rows).current_since is None


def test_current_placement_length_counts_back_over_legal_status_changes(child):
    CareEpisode.objects.create(
        child=child,
        start_date=days_ago(400),
        end_date=days_ago(50),
        new_episode_reason="S",
        legal_status="V2",
        placement_type="U4",
        placement_provider="PR4",
        reason_ended="X1",
    )
    CareEpisode.objects.create(
        child=child,
        start_date=days_ago(50),
        new_episode_reason="L",
        legal_status="C2",
        placement_type="U4",
        placement_provider="PR4",
    )
    summary = moves_summary(child)
    assert (summary.placements, summary.moves_last_12_months) == (1, 0)
    assert summary.current_since == days_ago(400)


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"end_date": days_ago(1000)}, "end_date", "before the start"),
        (
            {"start_date": days_ago(-1), "end_date": None, "reason_ended": ""},
            "start_date",
            "future",
        ),
        ({"end_date": days_ago(-3)}, "end_date", "future"),
        ({"placement_type": "XX"}, "placement_type", "placement type"),
        ({"placement_provider": "PR9"}, "placement_provider", "PR0"),
        ({"legal_status": "Q9"}, "legal_status", "legal status"),
        ({"reason_ended": ""}, "reason_ended", "reason the placement ended"),
        ({"left_care_reason": "E99"}, "left_care_reason", "E-code"),
        ({"start_date": days_ago(365 * 13)}, "start_date", "date of birth"),
    ],
)
def test_recorded_episode_validation(world, child, over, field, message):
    with pytest.raises(DomainError, match=message) as err:
        care_episode_record(by=world.users[Role.SOCIAL_WORKER], child=child, **_episode(**over))
    assert err.value.field == field
    assert not CareEpisode.objects.exists()


def test_no_overlap_with_episodes_or_platform_placements(world):
    sw = world.users[Role.SOCIAL_WORKER]
    child, _ = _placed(world, days_ago(100))
    care_episode_record(by=sw, child=child, **_episode())
    with pytest.raises(DomainError, match="overlap another placement") as err:
        care_episode_record(
            by=sw, child=child, **_episode(start_date=days_ago(600), end_date=days_ago(400))
        )
    assert err.value.field == "start_date"
    with pytest.raises(DomainError, match="overlap the placement booked on the platform"):
        care_episode_record(
            by=sw, child=child, **_episode(start_date=days_ago(200), end_date=days_ago(50))
        )
    # Touching on the day is a move, not an overlap.
    episode = care_episode_record(
        by=sw, child=child, **_episode(start_date=days_ago(500), end_date=days_ago(100))
    )
    assert episode.new_episode_reason == "T"


def test_only_recorded_episodes_change_and_only_by_the_childs_social_worker(world, child):
    sw = world.users[Role.SOCIAL_WORKER]
    episode = care_episode_record(by=sw, child=child, **_episode())
    care_episode_update(by=sw, episode=episode, end_date=days_ago(450), left_care_reason="E4A")
    episode.refresh_from_db()
    assert (episode.end_date, episode.reason_ended) == (days_ago(450), "E4A")
    other_sw = user_with_role(Role.SOCIAL_WORKER, world.other_la)
    with pytest.raises(DomainError, match="social worker of the child's local authority"):
        care_episode_update(by=other_sw, episode=episode, placement_type="U4")
    imported = CareEpisode.objects.create(
        child=child,
        start_date=days_ago(300),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U6",
        placement_provider="PR1",
        source="imported",
    )
    with pytest.raises(DomainError, match="imported"):
        care_episode_update(by=sw, episode=imported, placement_type="U4")
    with pytest.raises(DomainError, match="imported"):
        care_episode_delete(by=sw, episode=imported)
    care_episode_delete(by=sw, episode=episode)
    assert list(CareEpisode.objects.values_list("source", flat=True)) == ["imported"]


def test_pages_record_change_and_delete(client, world, child):
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    add = reverse("referrals:care_episode_create", args=[child.pk])
    post = {
        "start_date": days_ago(900).isoformat(),
        "end_date": days_ago(1000).isoformat(),
        "placement_type": "K2",
        "placement_provider": "PR4",
        "legal_status": "C2",
        "reason_ended": "CARPL",
    }
    response = client.post(add, post)
    assert response.status_code == 200
    assert b"The end date cannot be before the start date." in response.content
    assert b'value="K2" selected' in response.content
    response = client.post(add, {**post, "end_date": days_ago(500).isoformat()})
    assert response.status_code == 302
    episode = CareEpisode.objects.get()
    page = client.get(reverse("referrals:child_detail", args=[child.pk])).content.decode()
    assert "Care history" in page and "K2 – Children&#x27;s home" in page
    assert "Recorded by the LA" in page
    edit = reverse("referrals:care_episode_edit", args=[child.pk, episode.pk])
    assert client.post(edit, {**post, "end_date": days_ago(400).isoformat()}).status_code == 302
    episode.refresh_from_db()
    assert episode.end_date == days_ago(400)
    delete = reverse("referrals:care_episode_delete", args=[child.pk, episode.pk])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not CareEpisode.objects.exists()


def test_imported_episodes_have_no_edit_page_and_others_children_are_404(client, world, child):
    imported = CareEpisode.objects.create(
        child=child,
        start_date=days_ago(300),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="U6",
        placement_provider="PR1",
        source="imported",
    )
    client.force_login(world.users[Role.SOCIAL_WORKER])
    edit = reverse("referrals:care_episode_edit", args=[child.pk, imported.pk])
    assert client.get(edit).status_code == 404
    # Two hats: a provider officer here and a social worker of another LA.
    two_hats = user_with_role(Role.PROVIDER_REFERRALS, world.ifa)
    two_hats.memberships.create(organisation=world.other_la, role=Role.SOCIAL_WORKER)
    client.force_login(two_hats)
    assert client.get(reverse("referrals:care_episode_create", args=[child.pk])).status_code == 404
    assert client.get(reverse("api:child-care-history", args=[child.pk])).status_code == 404
    response = client.post(
        reverse("api:child-care-history", args=[child.pk]),
        {**_episode(), "start_date": days_ago(900).isoformat(), "end_date": None},
        "application/json",
    )
    assert response.status_code == 404
    assert CareEpisode.objects.count() == 1


def test_api_list_create_update_delete(client, world, child):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("api:child-care-history", args=[child.pk])
    body = {
        "start_date": days_ago(900).isoformat(),
        "end_date": days_ago(500).isoformat(),
        "placement_type": "U6",
        "placement_provider": "PR1",
        "legal_status": "C2",
        "reason_ended": "",
    }
    response = client.post(url, body, "application/json")
    assert response.status_code == 400
    assert "reason_ended" in response.json()["errors"]
    response = client.post(url, {**body, "reason_ended": "CARPL"}, "application/json")
    assert response.status_code == 201, response.json()
    episode_id = response.json()["id"]
    listed = client.get(url).json()
    assert listed["summary"]["placements"] == 1
    assert listed["rows"][0]["source"] == "recorded"
    detail = reverse("api:child-care-episode", args=[child.pk, episode_id])
    response = client.patch(detail, {"left_care_reason": "E13"}, "application/json")
    assert response.status_code == 200
    assert response.json()["rows"][0]["left_care_reason"] == "E13"
    iro = world.users[Role.IRO]
    client.force_login(iro)
    assert client.get(url).status_code == 200
    assert client.delete(detail).status_code == 403
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert client.delete(detail).status_code == 204
    assert not CareEpisode.objects.exists()


def test_the_hubs_referral_page_shows_the_care_history(client, world):
    child, _ = _placed(world, days_ago(10))
    CareEpisode.objects.create(
        child=child,
        start_date=days_ago(500),
        end_date=days_ago(10),
        new_episode_reason="S",
        legal_status="C2",
        placement_type="K2",
        placement_provider="PR4",
        reason_ended="X1",
        reason_place_change="CARPL",
        source="imported",
    )
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    referral = child.referrals.get()
    page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "Care history" in page
    assert "Imported from the LA&#x27;s SSDA903" in page
    assert "Moves in the last 12 months" in page


def test_the_timeline_reads_in_two_queries_however_many_placements(
    world, django_assert_num_queries
):
    """One query for the care episodes, one for the placements with their providers' names:
    no query per placement."""
    child, placement = _placed(world, days_ago(100))
    for n in range(3):
        CareEpisode.objects.create(
            child=child,
            new_episode_reason="S",
            **_episode(
                start_date=days_ago(900 - 100 * n),
                end_date=days_ago(850 - 100 * n),
                reason_ended="E13",
            ),
        )
    name = placement.provider.name
    with django_assert_num_queries(2):
        rows = care_timeline(child)
        assert [r.provider_name for r in rows if r.placement_id] == [name]
