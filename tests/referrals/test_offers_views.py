"""The provider's pages and API: minimised reads, each logged; offers and declines; errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.referrals.models import Offer, ReferralAccessLog
from apps.referrals.services.choosing import offer_shortlist
from tests.referrals.placing_factories import (
    ReferralTargetFactory,
    household_with_place,
    journey,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def j(world):
    return journey(world)


@pytest.fixture
def officer(world):
    return world.users[Role.PROVIDER_REFERRALS]


@pytest.fixture
def ifa_client(client, officer):
    client.force_login(officer)
    return client


def _identity(j):
    child = j.referral.child
    return [child.local_identifier, child.case_system_id, child.date_of_birth.isoformat()]


def test_list_shows_own_targets_only_without_identity(ifa_client, j, world):
    other = journey(world)  # another referral; its IFA target is ours too
    ReferralTargetFactory(household=household_with_place(world.other_ifa)[0])  # not ours
    response = ifa_client.get(reverse("referrals:provider_targets"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f"Referral {j.referral.pk}" in body
    assert f"Referral {other.referral.pk}" in body
    assert response.context["page_obj"].paginator.count == 2
    for text in _identity(j):
        assert text not in body
    # Reading the list is not reading a referral: nothing is logged.
    assert not ReferralAccessLog.objects.exists()


def test_list_filters_sorts_and_exports_without_identity(ifa_client, j, world):
    journey(world, urgency="emergency")
    url = reverse("referrals:provider_targets")
    assert ifa_client.get(url, {"urgency": "emergency"}).context["page_obj"].paginator.count == 1
    assert ifa_client.get(url, {"sort": "-age"}).status_code == 200
    export = ifa_client.get(url, {"export": "csv"})
    assert export.status_code == 200
    text = export.content.decode()
    assert text.splitlines()[0].startswith("Referral,Status,Urgency")
    for item in _identity(j):
        assert item not in text


def test_list_query_count_does_not_grow(ifa_client, world, django_assert_max_num_queries):
    journey(world)
    url = reverse("referrals:provider_targets")
    ifa_client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        ifa_client.get(url)
    for _ in range(5):
        journey(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        ifa_client.get(url)


def test_api_list_query_count_does_not_grow(ifa_client, world, django_assert_max_num_queries):
    journey(world)
    url = reverse("api:provider-target-list")
    ifa_client.get(url)
    with django_assert_max_num_queries(10) as few:
        ifa_client.get(url)
    for _ in range(5):
        journey(world)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = ifa_client.get(url)
    assert response.json()["count"] == 6
    assert "local_identifier" not in response.content.decode()


def test_detail_is_minimised_and_every_read_logged(ifa_client, j, officer):
    url = reverse("referrals:provider_target", args=[j.ifa.pk])
    for _ in range(2):
        response = ifa_client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        for text in _identity(j):
            assert text not in body
        assert j.referral.about_the_child in body
    logs = ReferralAccessLog.objects.filter(
        referral=j.referral, user=officer, action="provider_view"
    )
    assert logs.count() == 2


def test_api_detail_is_minimised_and_logged(ifa_client, j, officer):
    response = ifa_client.get(reverse("api:provider-target-detail", args=[j.ifa.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["local_identifier"] is None
    assert data["referral"]["age_years"] == 9
    for text in _identity(j):
        assert text not in response.content.decode()
    assert ReferralAccessLog.objects.filter(user=officer).count() == 1


def test_identity_shown_after_shortlisting_and_logged(ifa_client, j, officer):
    offer = Offer.objects.create(
        target=j.ifa,
        referral=j.referral,
        household=j.ifa.household,
        vacancy=j.ifa.household.vacancies.get(),
        weekly_fee=800,
        available_from=timezone.localdate(),
        made_by=officer,
    )
    offer_shortlist(offer=offer, by=j.social_worker)
    response = ifa_client.get(reverse("referrals:provider_target", args=[j.ifa.pk]))
    body = response.content.decode()
    assert j.referral.child.local_identifier in body
    assert j.referral.child.case_system_id not in body
    assert ReferralAccessLog.objects.filter(action="provider_view_identity").count() == 1


def test_another_providers_target_is_404(ifa_client, j):
    assert (
        ifa_client.get(reverse("referrals:provider_target", args=[j.other_la.pk])).status_code
        == 404
    )
    assert (
        ifa_client.get(reverse("api:provider-target-detail", args=[j.in_house.pk])).status_code
        == 404
    )
    assert not ReferralAccessLog.objects.exists()


def test_offer_form_prefills_the_hubs_household_and_sends(ifa_client, j):
    url = reverse("referrals:provider_offer", args=[j.ifa.pk])
    page = ifa_client.get(url)
    assert page.status_code == 200
    vacancy = j.ifa.household.vacancies.get()
    assert page.context["form"].initial["vacancy"] == vacancy.pk
    response = ifa_client.post(
        url,
        {
            "vacancy": vacancy.pk,
            "weekly_fee": "810.00",
            "available_from": timezone.localdate().isoformat(),
            "support_therapy": "95.00",
            "support_therapy_note": "Weekly",
        },
    )
    assert response.status_code == 302
    offer = Offer.objects.get(target=j.ifa)
    assert offer.support_package == [{"kind": "therapy", "weekly_cost": "95.00", "note": "Weekly"}]
    assert str(offer.full_weekly_cost) == "905.00"


def test_offer_form_shows_errors_on_their_fields(ifa_client, j):
    url = reverse("referrals:provider_offer", args=[j.ifa.pk])
    vacancy = j.ifa.household.vacancies.get()
    response = ifa_client.post(
        url,
        {
            "vacancy": vacancy.pk,
            "weekly_fee": "-10",
            "available_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200
    assert "cannot be negative" in response.context["form"].errors["weekly_fee"][0]
    vacancy.status = "booked"
    vacancy.save()
    response = ifa_client.post(
        url,
        {
            "vacancy": vacancy.pk,
            "weekly_fee": "800",
            "available_from": timezone.localdate().isoformat(),
        },
    )
    assert "vacancy" in response.context["form"].errors  # no longer in the choices
    assert not Offer.objects.exists()


def test_api_offer_of_a_household_not_owned(ifa_client, j, world):
    others, place = household_with_place(world.other_ifa)
    response = ifa_client.post(
        reverse("api:provider-target-offer", args=[j.ifa.pk]),
        {
            "household": others.pk,
            "vacancy": place.pk,
            "weekly_fee": "800",
            "available_from": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "not one of yours" in body["errors"]["household"][0]
    assert not Offer.objects.exists()


def test_api_offer_with_support_package(ifa_client, j):
    vacancy = j.ifa.household.vacancies.get()
    response = ifa_client.post(
        reverse("api:provider-target-offer", args=[j.ifa.pk]),
        {
            "household": j.ifa.household_id,
            "vacancy": vacancy.pk,
            "weekly_fee": "800",
            "available_from": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "support_package": [
                {"kind": "respite", "weekly_cost": "60"},
                {"kind": "education", "weekly_cost": "40", "note": "Tutor"},
            ],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["offer"]["full_weekly_cost"] == "900.00"


def test_api_offer_on_withdrawn_referral(ifa_client, j):
    j.referral.status = "withdrawn"
    j.referral.save()
    response = ifa_client.post(
        reverse("api:provider-target-decline", args=[j.ifa.pk]),
        {"reason": "NOVAC"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "withdrawn" in response.json()["detail"]


def test_decline_page(ifa_client, j):
    url = reverse("referrals:provider_decline", args=[j.ifa.pk])
    response = ifa_client.post(url, {"reason": "OTHER", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    response = ifa_client.post(url, {"reason": "CARER"})
    assert response.status_code == 302
    j.ifa.refresh_from_db()
    assert j.ifa.decline_reason == "CARER"
    # Answered: the form is no longer offered.
    page = ifa_client.get(url)
    assert page.status_code == 302
