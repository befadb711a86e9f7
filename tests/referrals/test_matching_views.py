"""The hub's pages and API: work queue, search with every factor shown, the in-house-only filter
refused, constant queries on the search page, and the RCC's matching weights."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import MatchingWeights
from apps.referrals.services.distribution import targets_send
from tests.referrals.matching_support import home, referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def po_client(client, world):
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    return client


def test_search_page_shows_options_breakdown_and_exclusions(po_client, world):
    ref = referral(world, age=9)
    good = home(world.ifa, "M14", skills={"behaviour": 2})
    home(world.other_ifa, age_max=4)
    response = po_client.get(reverse("referrals:hub_search", args=[ref.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert good.reference in html
    assert "How the score of" in html
    assert "Needs met by the home&#x27;s skills" in html
    assert "1 home excluded because their approval does not cover the child&#x27;s age" in html
    assert f'name="households" type="checkbox" value="{good.pk}"' in html
    assert "send to all" not in html.lower().replace('"send to all"', "")


def test_search_defaults_to_all_three_kinds_and_refuses_in_house_only(po_client, world):
    ref = referral(world)
    in_house = home(world.la_service)
    ifa = home(world.ifa)
    url = reverse("referrals:hub_search", args=[ref.pk])
    default = po_client.get(url)
    assert set(default.context["form"].values()["provider_types"]) == {
        "in_house",
        "other_la",
        "ifa",
    }
    assert {o.household_id for o in default.context["options"]} == {in_house.pk, ifa.pk}
    refused = po_client.get(url, {"provider_type": "in_house"})
    assert refused.context["form"].errors["provider_type"]
    assert {o.household_id for o in refused.context["options"]} == {in_house.pk, ifa.pk}
    only_ifas = po_client.get(url, {"provider_type": "ifa"})
    assert [o.household_id for o in only_ifas.context["options"]] == [ifa.pk]


def test_search_page_queries_do_not_grow_with_homes(po_client, world):
    ref = referral(world, needs={"behaviour": 2, "education": 1})
    url = reverse("referrals:hub_search", args=[ref.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert po_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    home(world.ifa, skills={"behaviour": 2})
    count()  # the first search creates the RCC's default weights
    few = count()
    for org in (world.ifa, world.other_ifa, world.la_service, world.other_la_service) * 3:
        home(org, skills={"behaviour": 1, "education": 2}, carers=[{}, {"languages": ["pl"]}])
    sent = home(world.ifa)
    targets_send(referral=ref, households=[sent.pk], by=world.users[Role.PLACEMENT_OFFICER])
    assert count() == few


def test_api_options_have_every_contribution(client, world):
    ref = referral(world)
    good = home(world.ifa, "M14")
    home(world.ifa, pets="Dog")
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    body = client.get(reverse("api:referral-options", args=[ref.pk])).json()
    assert body["options_total"] == 2
    first = body["results"][0]
    assert {"household", "score", "contributions", "provider_type", "ofsted_grade"} <= set(first)
    assert sum(c["points"] for c in first["contributions"]) == pytest.approx(
        first["score"], abs=0.05
    )
    assert good.pk in [r["household"] for r in body["results"]]
    bad = client.get(reverse("api:referral-options", args=[ref.pk]), {"provider_type": "in_house"})
    assert bad.status_code == 400
    assert "provider_type" in bad.json()["errors"]


def test_queue_lists_waiting_referrals_with_counts_and_exports(po_client, world):
    waiting = referral(world)
    referral(world, status="draft")
    other_rcc = referral(world, la=world.other_la)
    chosen = home(world.ifa)
    targets_send(referral=waiting, households=[chosen.pk], by=world.users[Role.PLACEMENT_OFFICER])
    response = po_client.get(reverse("referrals:hub_queue"))
    rows = list(response.context["object_list"])
    assert [r.pk for r in rows] == [waiting.pk]
    assert rows[0].targets_sent == 1 and rows[0].offers_received == 0
    assert other_rcc.pk not in [r.pk for r in rows]
    csv = po_client.get(reverse("referrals:hub_queue"), {"export": "csv"}).content.decode()
    assert waiting.child.local_identifier in csv
    assert "Providers asked" in csv.splitlines()[0]
    api = po_client.get(reverse("api:hub-queue")).json()
    assert [r["id"] for r in api["results"]] == [waiting.pk]


def test_queue_filters_and_sorts(po_client, world):
    young = referral(world, age=3)
    old = referral(world, age=15)
    url = reverse("referrals:hub_queue")
    by_age = [r.pk for r in po_client.get(url, {"sort": "age"}).context["object_list"]]
    assert by_age == [young.pk, old.pk]
    by_age_desc = [r.pk for r in po_client.get(url, {"sort": "-age"}).context["object_list"]]
    assert by_age_desc == [old.pk, young.pk]
    found = po_client.get(url, {"q": old.child.local_identifier}).context["object_list"]
    assert [r.pk for r in found] == [old.pk]
    unsent = po_client.get(url, {"not_yet_sent": "true"}).context["object_list"]
    assert len(unsent) == 2


def test_referral_page_shows_the_hub_panel(po_client, world):
    ref = referral(world)
    chosen = home(world.ifa)
    targets_send(referral=ref, households=[chosen.pk], by=world.users[Role.PLACEMENT_OFFICER])
    html = po_client.get(reverse("referrals:referral_detail", args=[ref.pk])).content.decode()
    assert "Search and providers asked" in html
    assert chosen.reference in html
    assert reverse("referrals:hub_search", args=[ref.pk]) in html


def test_matching_weights_page_validates_and_shows_shares(client, world):
    commissioner = world.users[Role.COMMISSIONER]
    client.force_login(commissioner)
    home_url = client.get(reverse("referrals:matching_weights_home"))
    url = reverse("referrals:matching_weights", args=[world.rcc.pk])
    assert home_url["Location"] == url
    page = client.get(url)
    assert "36.4%" in page.content.decode()  # needs: 40 of 110
    zeros = dict.fromkeys(
        [
            "needs",
            "distance_family",
            "distance_school",
            "identity",
            "stability",
            "ofsted",
            "preferences",
            "stated_needs",
        ],
        0,
    )
    refused = client.post(url, {**zeros, "search_radius_miles": 60})
    assert refused.status_code == 200
    assert "At least one weight must be above zero" in refused.content.decode()
    assert MatchingWeights.objects.get(rcc=world.rcc).needs == 40
    saved = client.post(
        url, {**zeros, "needs": 50, "distance_family": 50, "search_radius_miles": 30}
    )
    assert saved.status_code == 302
    weights = MatchingWeights.objects.get(rcc=world.rcc)
    assert (weights.needs, weights.distance_family, weights.search_radius_miles) == (50, 50, 30)
    assert "50.0%" in client.get(url).content.decode()


def test_matching_weights_api(client, world):
    url = reverse("api:rcc-matching-weights", args=[world.rcc.pk])
    client.force_login(world.users[Role.COMMISSIONER])
    body = client.get(url).json()
    assert body["needs"] == 40
    assert {s["factor"] for s in body["shares"]} >= {"needs", "ofsted"}
    response = client.patch(url, {"ofsted": 15}, content_type="application/json")
    assert response.status_code == 200 and response.json()["ofsted"] == 15
    response = client.patch(url, {"ofsted": 500}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["ofsted"]
    other = reverse("api:rcc-matching-weights", args=[world.other_rcc.pk])
    assert client.get(other).status_code == 404
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    assert client.patch(url, {"ofsted": 1}, content_type="application/json").status_code == 403
