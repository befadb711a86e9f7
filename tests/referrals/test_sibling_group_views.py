"""Sibling groups in the browser and the API: the provider's offer names a place for each
child (only places whose approval fits), the options show whom each offer places, the hub books
a group together or apart (with the reason), and every page shows the split. Scoped by role,
including a user with two roles in two organisations."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.referrals.models import Offer, Placement
from tests.factories import MembershipFactory
from tests.referrals.sibling_support import (
    approve,
    group_offer,
    household_for,
    provider_user,
    sibling_group,
    target_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    group = sibling_group(world, ages=(12, 6))
    household, (a, b) = household_for(world, age_min=5, age_max=17)
    teens, _ = household_for(world, places=1, age_min=11, age_max=17)
    target = target_for(world, group.referral, household)
    return group, household, target, a, b, teens


def _offer_post(a, b, **extra):
    return {
        "vacancy": a.pk if a else "",
        "place_1": b.pk if b else "",
        "weekly_fee": "900.00",
        "available_from": timezone.localdate().isoformat(),
        **extra,
    }


def test_offer_form_names_a_place_per_child_and_lists_only_fitting_places(client, world, setup):
    group, _household, target, a, b, teens = setup
    client.force_login(provider_user(world))
    url = reverse("referrals:provider_offer", args=[target.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.is_group and form.place_fields == ["vacancy", "place_1"]
    html = page.content.decode()
    assert "Place for the referred child (age 12)" in html
    assert "Place for the sibling aged 6" in html
    # The household approved for 11 to 17 fits the elder child only.
    teen_place = teens.vacancies.get().pk
    assert teen_place in {v.pk for v in form.fields["vacancy"].queryset}
    assert teen_place not in {v.pk for v in form.fields["place_1"].queryset}
    # Both places of the hub's household are picked to start with, one for each child.
    assert {form.initial["vacancy"], form.initial["place_1"]} == {a.pk, b.pk}
    # The provider never learns who the children are.
    for child in group.children:
        assert child.local_identifier not in html

    response = client.post(url, _offer_post(a, b))
    assert response.status_code == 302
    offer = Offer.objects.get(target=target)
    assert {(p.child_id, p.vacancy_id) for p in offer.places.all()} == {
        (group.children[0].pk, a.pk),
        (group.children[1].pk, b.pk),
    }


def test_offer_form_errors_say_what_to_fix(client, world, setup):
    _, _, target, a, b, teens = setup
    client.force_login(provider_user(world))
    url = reverse("referrals:provider_offer", args=[target.pk])

    response = client.post(url, _offer_post(None, None))
    assert "Choose a place for at least one child" in response.context["form"].errors["vacancy"][0]

    # A place of a household not approved for a six-year-old is not a choice for the sibling.
    response = client.post(url, _offer_post(a, teens.vacancies.get()))
    assert "not approved for this child" in response.context["form"].errors["place_1"][0]

    response = client.post(url, _offer_post(a, a))
    assert "named for two children" in response.context["form"].errors["place_1"][0]

    response = client.post(url, _offer_post(a, b, weekly_fee="lots"))
    assert response.context["form"].errors["weekly_fee"] == [
        "Enter the weekly fee as an amount in pounds, like 850.00."
    ]
    assert not Offer.objects.exists()


def test_api_offer_with_places(client, world, setup):
    _group, household, target, a, b, _ = setup
    client.force_login(provider_user(world))
    url = reverse("api:provider-target-offer", args=[target.pk])
    body = {
        "household": household.pk,
        "weekly_fee": "900.00",
        "available_from": timezone.localdate().isoformat(),
    }
    bad = client.post(
        url, {**body, "places": [{"child": 5, "vacancy": a.pk}]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "children are 0 to 1" in str(bad.json())
    ok = client.post(
        url,
        {**body, "places": [{"child": 0, "vacancy": a.pk}, {"child": 1, "vacancy": b.pk}]},
        content_type="application/json",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["offer"]["places"] == [
        {"child": 0, "vacancy": a.reference},
        {"child": 1, "vacancy": b.reference},
    ]
    assert Offer.objects.get(target=target).places.count() == 2


def _split_offers(world):
    group = sibling_group(world)
    h1, (a, _) = household_for(world)
    h2, (c, _) = household_for(world, world.other_ifa)
    offer1 = group_offer(world, group, h1, {group.children[0]: a})
    offer2 = group_offer(
        world, group, h2, {group.children[1]: c}, by=provider_user(world, world.other_ifa)
    )
    return group, offer1, offer2


def test_options_show_whom_each_offer_places(client, world):
    group, offer1, offer2 = _split_offers(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.get(reverse("referrals:options", args=[group.referral.pk]))
    assert page.status_code == 200
    assert "1 of 2: siblings apart" in page.content.decode()
    data = client.get(reverse("api:referral-choice", args=[group.referral.pk])).json()
    by_offer = {o["id"]: o for o in data["options"]}
    assert by_offer[offer1.pk]["children"] == [group.children[0].local_identifier]
    assert by_offer[offer2.pk]["places_every_child"] is False


def test_agree_page_books_a_group_apart_with_the_reason(client, world):
    group, offer1, offer2 = _split_offers(world)
    approve(group.referral, offer1)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    url = reverse("referrals:placement_agree", args=[group.referral.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not in this offer" in html
    assert offer2.household.display_name in html  # offered as the rest of the group

    post = {"start_date": timezone.localdate().isoformat(), "placement_type": "U6"}
    response = client.post(url, post)
    assert (
        "Every child of the group needs a place"
        in response.context["form"].errors["also_offers"][0]
    )
    response = client.post(url, {**post, "also_offers": [offer2.pk]})
    assert "say why" in response.context["form"].errors["split_reason"][0]
    assert not Placement.objects.exists()

    response = client.post(
        url, {**post, "also_offers": [offer2.pk], "split_reason": "Agreed at the LAC review."}
    )
    assert response.status_code == 302
    assert Placement.objects.filter(referral=group.referral).count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "Agreed at the LAC review." in detail
    assert "Placed apart" in detail
    referral_page = client.get(reverse("referrals:referral_detail", args=[group.referral.pk]))
    assert "Agreed at the LAC review." in referral_page.content.decode()


def test_api_books_a_group_apart_and_scopes_the_group(client, world):
    group, offer1, offer2 = _split_offers(world)
    approve(group.referral, offer1)
    # One person, two roles in two organisations: the hub's placement officer, and the referrals
    # officer of the second IFA.
    both = world.users[Role.PLACEMENT_OFFICER]
    MembershipFactory(user=both, organisation=world.other_ifa, role=Role.PROVIDER_REFERRALS)
    client.force_login(both)
    url = reverse("api:placement-list")
    body = {"referral": group.referral.pk, "placement_type": "U6", "also_offers": [offer2.pk]}
    missing = client.post(url, body, content_type="application/json")
    assert missing.status_code == 400 and "split_reason" in str(missing.json())
    stranger = client.post(url, {**body, "also_offers": [999999]}, content_type="application/json")
    assert stranger.status_code == 400
    created = client.post(
        url, {**body, "split_reason": "Agreed by the IRO."}, content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    data = created.json()
    assert len(data["group"]) == 2
    assert data["siblings_split"]["reason"] == "Agreed by the IRO."
    assert data["agreement"]["siblings_split"] is True

    # The hub sees both children's placements; the first IFA's staff only their own child's.
    assert client.get(url).json()["count"] == 2
    client.force_login(provider_user(world))
    rows = client.get(url).json()["results"]
    assert len(rows) == 1
    assert [g["child"] for g in rows[0]["group"]] == [group.children[0].local_identifier]
    own = Placement.objects.get(child=group.children[0])
    other = Placement.objects.get(child=group.children[1])
    assert client.get(reverse("referrals:placement_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("referrals:placement_detail", args=[other.pk])).status_code == 404


def test_the_providers_list_follows_the_booking(client, world):
    group = sibling_group(world)
    h1, (a, b) = household_for(world)
    h2, (c, d) = household_for(world, world.other_ifa)
    chosen = group_offer(world, group, h1, {group.children[0]: a, group.children[1]: b})
    group_offer(
        world,
        group,
        h2,
        {group.children[0]: c, group.children[1]: d},
        by=provider_user(world, world.other_ifa),
    )
    approve(group.referral, chosen)
    from apps.referrals.services.placements import placement_agree

    placement_agree(referral=group.referral, by=world.users[Role.PLACEMENT_OFFICER])

    client.force_login(provider_user(world))
    page = client.get(reverse("referrals:provider_targets")).content.decode()
    assert "Offer accepted: place booked" in page
    api = client.get(reverse("api:provider-target-list")).json()["results"]
    assert [t["offer_status"] for t in api] == ["accepted"]

    client.force_login(provider_user(world, world.other_ifa))
    page = client.get(reverse("referrals:provider_targets")).content.decode()
    assert "Offer not chosen: closed" in page
    assert "Offer accepted" not in page
