"""Placement pages: agreeing (books the place), the list (scoped, filtered, exported) and the
placement with its IPA; ending it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import Vacancy
from apps.referrals.models import Placement, ReferralAccessLog
from apps.referrals.services.placements import placement_agree
from tests.factories import UserFactory
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _approved(world, target="ifa"):
    j = journey(world)
    offer = offer_on(getattr(j, target), status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    return j, offer


def _placed(world):
    j, _ = _approved(world)
    return placement_agree(referral=j.referral, by=UserFactory(is_superuser=True))


def test_agree_page_books_the_place(client, world):
    j, offer = _approved(world)
    client.force_login(j.placement_officer)
    url = reverse("referrals:placement_agree", args=[j.referral.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"Individual placement agreement" in page.content
    response = client.post(
        url, {"start_date": timezone.localdate().isoformat(), "placement_type": "U4"}
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert response["Location"] == reverse("referrals:placement_detail", args=[placement.pk])
    assert Vacancy.objects.get(pk=offer.vacancy_id).status == "booked"
    detail = client.get(response["Location"])
    assert b"U4" in detail.content
    assert b"Agreed weekly cost" in detail.content


def test_agree_page_shows_the_booking_race_message(client, world):
    j, offer = _approved(world)
    Vacancy.objects.filter(pk=offer.vacancy_id).update(status="booked")
    client.force_login(j.placement_officer)
    response = client.post(
        reverse("referrals:placement_agree", args=[j.referral.pk]),
        {"start_date": timezone.localdate().isoformat(), "placement_type": "U6"},
    )
    assert response.status_code == 200
    assert "has just been booked" in str(response.context["form"].non_field_errors())
    assert not Placement.objects.exists()


def test_list_scoping_filters_and_export(client, world):
    mine = _placed(world)
    client.force_login(world.users[Role.PROVIDER_REFERRALS])
    response = client.get(reverse("referrals:placement_list"))
    assert list(response.context["object_list"]) == [mine]
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:placement_list")
    assert client.get(url, {"current": "true"}).context["page_obj"].paginator.count == 1
    assert client.get(url, {"current": "false"}).context["page_obj"].paginator.count == 0
    assert client.get(url, {"placement_provider": "PR1"}).context["page_obj"].paginator.count == 0
    export = client.get(url, {"export": "csv"})
    header = export.content.decode().splitlines()[0]
    assert header.startswith("CHILD,LA,DECOM,DEC,REC,REASON_PLACE_CHANGE,PLACE,PLACE_PROVIDER,URN")
    assert mine.child.case_system_id not in export.content.decode()


def test_list_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    _placed(world)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    url = reverse("referrals:placement_list")
    client.get(url)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(4):
        _placed(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_provider_read_of_a_placement_is_logged(client, world):
    placement = _placed(world)
    officer = world.users[Role.PROVIDER_REFERRALS]
    client.force_login(officer)
    assert client.get(reverse("referrals:placement_detail", args=[placement.pk])).status_code == 200
    assert client.get(reverse("api:placement-detail", args=[placement.pk])).status_code == 200
    assert (
        ReferralAccessLog.objects.filter(user=officer, action="provider_view_placement").count()
        == 2
    )


def test_end_page(client, world):
    placement = _placed(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:placement_end", args=[placement.pk])
    response = client.post(url, {"end_date": timezone.localdate().isoformat(), "reason_ended": ""})
    assert response.status_code == 200
    response = client.post(
        url,
        {"end_date": timezone.localdate().isoformat(), "reason_ended": "CARPL", "left_care": "no"},
    )
    assert response.status_code == 302
    placement.refresh_from_db()
    assert placement.reason_ended == "CARPL"


def test_api_lists_query_counts_do_not_grow(client, world, django_assert_max_num_queries):
    _placed(world)
    client.force_login(world.users[Role.SOCIAL_WORKER])
    urls = [reverse("api:placement-list"), reverse("api:offer-list")]
    baseline = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(15) as few:
            client.get(url)
        baseline[url] = len(few.captured_queries)
    for _ in range(4):
        _placed(world)
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            response = client.get(url)
        assert response.json()["count"] == 5
