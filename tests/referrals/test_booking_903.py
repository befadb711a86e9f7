"""Booking keeps what the DfE return needs: the provider's Ofsted URN (given, else the
provider's), the child's home postcode and the carers' full postcode (its district the
household's), and the distance from home as the DfE computes it when both postcodes are known.
The full postcodes are seen only by the child's LA and the placing hub."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.admin import OrganisationAdminForm
from apps.organisations.models import Organisation, Postcode
from apps.providers.models import Vacancy
from apps.referrals.models import Placement, PlacementAgreement
from apps.referrals.services.placements import NO_PLACEMENT_POSTCODE, placement_agree
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _approved(world, target="ifa"):
    j = journey(world)
    offer = offer_on(getattr(j, target), status="proposed")
    j.referral.status = "approved"
    j.referral.proposed_offer = offer
    j.referral.save()
    return j, offer


def _places(j, offer, *, home="M14 5AB", carers_district="OL1"):
    """The child lives at `home` (M14); the household is in `carers_district`."""
    m14 = PostcodeDistrictFactory(code="M14", latitude=53.45, longitude=-2.22)
    ol1 = PostcodeDistrictFactory(code=carers_district, latitude=53.54, longitude=-2.11)
    Postcode.objects.create(code="M14 5AB", district=m14, easting=384000, northing=394000)
    Postcode.objects.create(code="OL1 1AA", district=ol1, easting=392000, northing=405000)
    child = j.referral.child
    child.home_postcode, child.home_postcode_district = home, m14
    child.save()
    household = offer.household
    household.postcode_district = ol1
    household.latitude, household.longitude = ol1.latitude, ol1.longitude
    household.save()


def test_booking_carries_urn_and_postcodes_and_the_dfe_distance(world):
    j, offer = _approved(world)
    _places(j, offer)
    placement = placement_agree(
        referral=j.referral, by=j.placement_officer, placement_postcode="ol1 1aa"
    )
    assert placement.provider_urn == world.ifa.ofsted_urn != ""
    assert PlacementAgreement.objects.get(placement=placement).provider_urn == world.ifa.ofsted_urn
    assert placement.home_postcode == "M14 5AB"
    assert placement.placement_postcode == "OL1 1AA"
    # hypot(8000, 11000) m / 1609.34 = 8.45… miles
    assert placement.distance_from_home_miles == Decimal("8.5")


def test_given_urn_wins_and_unknown_postcodes_keep_the_district_method(world):
    j, offer = _approved(world)
    _places(j, offer, home="M14 9ZZ")  # shaped right, not in the directory
    placement = placement_agree(
        referral=j.referral,
        by=j.placement_officer,
        provider_urn="sc 123456",
        placement_postcode="OL1 1AA",
    )
    assert placement.provider_urn == "SC123456"
    assert placement.agreement.provider_urn == "SC123456"
    # District centres (53.45, -2.22) → the household's point (53.54, -2.11): 7.7 miles.
    assert placement.distance_from_home_miles == Decimal("7.7")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"provider_urn": "URN-1"}, "provider_urn", "Ofsted URN"),
        ({"placement_postcode": "not a postcode"}, "placement_postcode", "full postcode"),
        ({"placement_postcode": "M14 5AB"}, "placement_postcode", "household's postcode district"),
    ],
)
def test_bad_urn_or_postcode_is_a_field_error_and_nothing_is_booked(world, values, field, message):
    j, offer = _approved(world)
    _places(j, offer)
    with pytest.raises(DomainError, match=message) as err:
        placement_agree(referral=j.referral, by=j.placement_officer, **values)
    assert err.value.field == field
    assert not Placement.objects.exists()
    assert Vacancy.objects.get(pk=offer.vacancy_id).status == "open"


def test_agree_page_warns_without_a_postcode_and_keeps_what_was_typed(client, world):
    j, offer = _approved(world)
    _places(j, offer)
    client.force_login(j.placement_officer)
    url = reverse("referrals:placement_agree", args=[j.referral.pk])
    page = client.get(url)
    assert b"Ask the provider for the carers' full postcode" in page.content
    data = {"start_date": timezone.localdate().isoformat(), "placement_type": "U6"}
    response = client.post(url, {**data, "placement_postcode": "M14 5AB"})
    assert response.status_code == 200
    assert b"is not in the household&#x27;s postcode district (OL1)" in response.content
    assert b'value="M14 5AB"' in response.content
    response = client.post(url, data, follow=True)
    assert b"No carers&#x27; postcode was recorded" in response.content
    assert Placement.objects.get().placement_postcode == ""


def test_api_agree_returns_the_warning_and_the_restricted_postcodes(client, world):
    j, offer = _approved(world)
    _places(j, offer)
    client.force_login(j.placement_officer)
    response = client.post(
        reverse("api:placement-list"),
        {"referral": j.referral.pk, "placement_postcode": "OL1 1AA", "provider_urn": "1234567"},
        "application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["warnings"] == []
    assert body["provider_urn"] == "1234567"
    assert (body["home_postcode"], body["placement_postcode"]) == ("M14 5AB", "OL1 1AA")


def test_api_agree_without_postcode_warns(client, world):
    j, _ = _approved(world)
    client.force_login(j.placement_officer)
    response = client.post(
        reverse("api:placement-list"), {"referral": j.referral.pk}, "application/json"
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [NO_PLACEMENT_POSTCODE]


def test_full_postcodes_only_for_the_childs_la_and_the_placing_hub(client, world):
    j, offer = _approved(world)
    _places(j, offer)
    placement = placement_agree(
        referral=j.referral, by=j.placement_officer, placement_postcode="OL1 1AA"
    )
    # One person: the placed IFA's referrals officer and a social worker of another LA.
    two_hats = user_with_role(Role.PROVIDER_REFERRALS, world.ifa)
    two_hats.memberships.create(organisation=world.other_la, role=Role.SOCIAL_WORKER)
    detail_api = reverse("api:placement-detail", args=[placement.pk])
    detail_page = reverse("referrals:placement_detail", args=[placement.pk])
    for user, sees in [
        (world.users[Role.SOCIAL_WORKER], True),
        (j.placement_officer, True),
        (world.users[Role.COMMISSIONER], False),
        (two_hats, False),
    ]:
        client.force_login(user)
        body = client.get(detail_api).json()
        assert ("home_postcode" in body) is sees, user
        assert ("placement_postcode" in body) is sees, user
        listed = client.get(reverse("api:placement-list")).json()["results"]
        assert any("M14 5AB" in str(row) for row in listed) is sees, user
        page = client.get(detail_page).content.decode()
        assert ("M14 5AB" in page) is sees, user
        assert ("OL1 1AA" in page) is sees, user
        assert placement.provider_urn in page


@pytest.mark.parametrize(
    ("kind_of", "urn", "ok"),
    [("la_service", "sc654321", True), ("ifa", "1234567", True), ("la", "SC111111", False)],
)
def test_admin_form_takes_an_ofsted_urn_for_la_services_and_ifas(world, kind_of, urn, ok):
    org = {"la_service": world.la_service, "ifa": world.ifa, "la": world.la}[kind_of]
    assert site.is_registered(Organisation)
    data = {
        field: getattr(org, field)
        for field in ("kind", "name", "short_name", "dfe_la_code", "region", "sector")
    }
    data.update(
        owning_la=org.owning_la_id or "", rcc=org.rcc_id or "", is_active=True, ofsted_urn=urn
    )
    form = OrganisationAdminForm(data, instance=org)
    assert form.is_valid() is ok, form.errors
    if ok:
        form.save()
        org.refresh_from_db()
        assert org.ofsted_urn == urn.upper()
    else:
        assert "Only an IFA or an LA fostering service" in form.errors["ofsted_urn"][0]


def test_admin_form_refuses_a_malformed_urn(world):
    org = world.la_service
    form = OrganisationAdminForm(
        {"kind": org.kind, "name": org.name, "owning_la": org.owning_la_id, "ofsted_urn": "12"},
        instance=org,
    )
    assert not form.is_valid()
    assert "such as SC123456" in form.errors["ofsted_urn"][0]
