"""Targeted distribution: only to the providers of chosen households that are still candidates;
never a broadcast; looking in-house first is recorded and blocks nothing."""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import ReferralEvent, ReferralTarget
from apps.referrals.services.distribution import (
    referral_looking_in_house_first_set,
    targets_send,
)
from tests.factories import user_with_role
from tests.referrals.matching_support import home, referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def po(world):
    return world.users[Role.PLACEMENT_OFFICER]


def test_sends_only_to_the_chosen_households_with_a_score_snapshot(
    world, po, mailoutbox, django_capture_on_commit_callbacks
):
    officer = user_with_role(Role.PROVIDER_REFERRALS, world.ifa)
    ref = referral(world)
    chosen = home(world.ifa, "M14")
    also_chosen = home(world.la_service, "M14")
    not_chosen = home(world.other_ifa, "M14")
    with django_capture_on_commit_callbacks(execute=True):
        targets = targets_send(referral=ref, households=[chosen, also_chosen.pk], by=po)
    assert {t.household_id for t in targets} == {chosen.pk, also_chosen.pk}
    assert not ReferralTarget.objects.filter(household=not_chosen).exists()
    target = ReferralTarget.objects.get(household=chosen)
    assert target.provider_id == world.ifa.pk
    assert target.sent_by == po
    assert float(target.score) == target.score_breakdown["score"]
    assert len(target.score_breakdown["contributions"]) == 8
    assert target.distance_miles is not None
    event = ReferralEvent.objects.get(referral=ref, verb="targets_sent")
    assert event.actor == po
    assert sorted(event.detail["households"]) == sorted([chosen.reference, also_chosen.reference])
    # One email per provider, to its referrals officers; it does not name the child.
    ifa_mail = [m for m in mailoutbox if officer.email in m.to]
    assert len(ifa_mail) == 1
    assert chosen.reference in ifa_mail[0].body
    assert ref.child.local_identifier not in ifa_mail[0].body + ifa_mail[0].subject


def test_an_empty_choice_is_refused(world, po):
    ref = referral(world)
    home(world.ifa)
    with pytest.raises(DomainError, match="Choose at least one household") as err:
        targets_send(referral=ref, households=[], by=po)
    assert err.value.field == "households"
    assert not ReferralTarget.objects.exists()


def test_a_household_that_is_not_a_candidate_is_refused_and_nothing_is_sent(world, po):
    ref = referral(world, age=9)
    good = home(world.ifa)
    too_young = home(world.other_ifa, age_min=0, age_max=4)
    with pytest.raises(DomainError, match="no longer candidates") as err:
        targets_send(referral=ref, households=[good.pk, too_young.pk], by=po)
    assert too_young.reference in err.value.message
    assert "approval does not cover the child's age" in err.value.message
    assert not ReferralTarget.objects.exists()


def test_a_household_with_no_place_left_is_refused(world, po):
    ref = referral(world)
    full = home(world.ifa)
    full.vacancies.update(status="filled")
    with pytest.raises(DomainError, match="enough places free"):
        targets_send(referral=ref, households=[full.pk], by=po)


def test_an_unknown_household_is_refused(world, po):
    ref = referral(world)
    with pytest.raises(DomainError, match="No household has the id 999999"):
        targets_send(referral=ref, households=[999999], by=po)
    with pytest.raises(DomainError, match="not a household id"):
        targets_send(referral=ref, households=["all"], by=po)


def test_the_same_household_is_not_sent_twice(world, po):
    ref = referral(world)
    chosen = home(world.ifa)
    targets_send(referral=ref, households=[chosen.pk], by=po)
    with pytest.raises(DomainError, match="already been sent"):
        targets_send(referral=ref, households=[chosen.pk], by=po)
    assert ReferralTarget.objects.count() == 1


@pytest.mark.parametrize("status", [ReferralStatus.DRAFT, ReferralStatus.WITHDRAWN])
def test_only_a_referral_with_the_hub_can_be_sent(world, po, status):
    ref = referral(world, status=status)
    chosen = home(world.ifa)
    with pytest.raises(DomainError, match="Only a referral with the hub"):
        targets_send(referral=ref, households=[chosen.pk], by=po)


def test_a_returned_referral_can_be_sent_again(world, po):
    ref = referral(world, status=ReferralStatus.RETURNED)
    chosen = home(world.ifa)
    assert len(targets_send(referral=ref, households=[chosen.pk], by=po)) == 1


def test_looking_in_house_first_is_recorded_and_never_blocks_external_providers(world, po):
    ref = referral(world)
    in_house = home(world.la_service)
    ifa = home(world.ifa)
    other_la = home(world.other_la_service)
    referral_looking_in_house_first_set(referral=ref, by=po, looking=True)
    ref.refresh_from_db()
    assert ref.looking_in_house_first is True
    assert ReferralEvent.objects.filter(referral=ref, verb="looking_in_house_first").exists()
    # in parallel: in-house and external providers in one send
    sent = targets_send(referral=ref, households=[in_house.pk, ifa.pk, other_la.pk], by=po)
    assert {t.provider_id for t in sent} == {
        world.la_service.pk,
        world.ifa.pk,
        world.other_la_service.pk,
    }
    event = ReferralEvent.objects.get(referral=ref, verb="targets_sent")
    assert event.detail["looking_in_house_first"] is True
    assert set(event.detail["provider_types"]) == {"in_house", "other_la", "ifa"}


def test_no_send_to_all_route_exists():
    """There is no broadcast: every route that sends names its households."""
    routes = [str(p.pattern) for p in get_resolver().url_patterns]

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, route)
            else:
                yield route, p.name or ""

    everything = list(walk(get_resolver().url_patterns))
    assert routes
    for route, name in everything:
        text = f"{route} {name}".lower()
        assert "send-all" not in text and "send_all" not in text and "broadcast" not in text
        assert "send-to-all" not in text and "send_to_all" not in text


# --- Web and API -----------------------------------------------------------------------------


def test_web_send_sends_the_ticked_households(client, world, po):
    ref = referral(world)
    chosen = home(world.ifa)
    home(world.other_ifa)
    client.force_login(po)
    response = client.post(
        reverse("referrals:hub_targets_send", args=[ref.pk]), {"households": [chosen.pk]}
    )
    assert response.status_code == 302
    assert list(ReferralTarget.objects.values_list("household_id", flat=True)) == [chosen.pk]


def test_web_send_with_nothing_ticked_explains(client, world, po):
    ref = referral(world)
    home(world.ifa)
    client.force_login(po)
    response = client.post(reverse("referrals:hub_targets_send", args=[ref.pk]), {}, follow=True)
    assert "Choose at least one household" in response.content.decode()
    assert not ReferralTarget.objects.exists()


def test_api_send_and_list_targets(client, world, po):
    ref = referral(world)
    chosen = home(world.ifa)
    client.force_login(po)
    url = reverse("api:referral-targets", args=[ref.pk])
    response = client.post(url, {"households": [chosen.pk]}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [t["household"] for t in body] == [chosen.pk]
    assert body[0]["score_breakdown"]["contributions"]
    listed = client.get(url).json()
    assert listed["count"] == 1


def test_api_send_errors_are_json_with_the_field(client, world, po):
    ref = referral(world)
    client.force_login(po)
    url = reverse("api:referral-targets", args=[ref.pk])
    response = client.post(url, {"households": []}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["households"][0].startswith("Choose at least one household")
    response = client.post(url, {"households": [424242]}, content_type="application/json")
    assert response.status_code == 400
    assert "424242" in response.json()["errors"]["households"][0]


def test_api_in_house_first(client, world, po):
    ref = referral(world)
    client.force_login(po)
    url = reverse("api:referral-in-house-first", args=[ref.pk])
    response = client.post(url, {"looking": True}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"looking": True}
    ref.refresh_from_db()
    assert ref.looking_in_house_first


def test_another_rccs_hub_cannot_send(client, world):
    ref = referral(world)
    chosen = home(world.ifa)
    stranger = user_with_role(Role.PLACEMENT_OFFICER, world.other_hub)
    client.force_login(stranger)
    response = client.post(
        reverse("api:referral-targets", args=[ref.pk]),
        {"households": [chosen.pk]},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not ReferralTarget.objects.exists()
