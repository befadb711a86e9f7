"""The child's record for the DfE return: the full home postcode (district derived; seen only
by the child's LA and the placing hub), the local identifier within the DfE's 10 characters,
and the legal status history (Child.legal_status is the latest)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.models import Child, LegalStatusChange
from apps.referrals.services.children import child_create, child_update, legal_status_record
from tests.factories import PostcodeDistrictFactory, user_with_role
from tests.referrals.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today


def _fields(**over):
    fields = {
        "local_identifier": "TST-C-9001",
        "date_of_birth": timezone.localdate() - dt.timedelta(days=365 * 10),
        "sex": "M",
        "ethnicity": "WBRI",
        "legal_status": "C2",
    }
    fields.update(over)
    return fields


@pytest.fixture
def districts(db):
    PostcodeDistrictFactory(code="M14")
    PostcodeDistrictFactory(code="OL1")


def test_full_postcode_is_normalised_and_gives_the_district(world, districts):
    sw = world.users[Role.SOCIAL_WORKER]
    child = child_create(by=sw, la=world.la, **_fields(home_postcode=" m145ab "))
    assert (child.home_postcode, child.home_postcode_district_id) == ("M14 5AB", "M14")
    child_update(by=sw, child=child, home_postcode="", home_postcode_district="OL1")
    child.refresh_from_db()
    assert (child.home_postcode, child.home_postcode_district_id) == ("", "OL1")


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"home_postcode": "M14"}, "home_postcode", "full home postcode"),
        ({"home_postcode": "ZZ9 9ZZ"}, "home_postcode", "not a postcode district we know"),
        (
            {"home_postcode": "M14 5AB", "home_postcode_district": "OL1"},
            "home_postcode_district",
            r"must be the full postcode's \(M14\)",
        ),
        ({"local_identifier": "MCR-C-00042"}, "local_identifier", "at most 10 characters"),
    ],
)
def test_bad_child_fields_are_field_errors(world, districts, over, field, message):
    with pytest.raises(DomainError, match=message) as err:
        child_create(by=world.users[Role.SOCIAL_WORKER], la=world.la, **_fields(**over))
    assert err.value.field == field
    assert not Child.objects.exists()


def test_the_district_cannot_contradict_a_known_full_postcode(world, districts):
    sw = world.users[Role.SOCIAL_WORKER]
    child = child_create(by=sw, la=world.la, **_fields(home_postcode="M14 5AB"))
    with pytest.raises(DomainError, match="full home postcode is M14 5AB") as err:
        child_update(by=sw, child=child, home_postcode_district="OL1")
    assert err.value.field == "home_postcode_district"


def test_an_existing_long_identifier_may_stay_but_not_be_newly_given(world):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(la=world.la, created_by=sw, local_identifier="OLD-LONG-ID-1")
    child_update(by=sw, child=child, local_identifier="OLD-LONG-ID-1", sex="F")
    with pytest.raises(DomainError, match="at most 10") as err:
        child_update(by=sw, child=child, local_identifier="NEW-LONG-ID-2")
    assert err.value.field == "local_identifier"


def test_legal_status_history(world):
    sw = world.users[Role.SOCIAL_WORKER]
    dob = timezone.localdate() - dt.timedelta(days=365 * 10)
    start = timezone.localdate() - dt.timedelta(days=400)
    child = child_create(by=sw, la=world.la, legal_status_from=start, **_fields(date_of_birth=dob))
    assert list(child.legal_statuses.values_list("legal_status", "start_date")) == [("C2", start)]
    # A change from a date: recorded; the child's status is the latest.
    changed_on = timezone.localdate() - dt.timedelta(days=30)
    child_update(by=sw, child=child, legal_status="C1", legal_status_from=changed_on)
    child.refresh_from_db()
    assert child.legal_status == "C1"
    # A status for an earlier date is history, not the current status.
    legal_status_record(
        child=child, legal_status="V2", start_date=start - dt.timedelta(days=10), by=sw
    )
    child.refresh_from_db()
    assert child.legal_status == "C1"
    # The same day again replaces that day's row.
    legal_status_record(child=child, legal_status="E1", start_date=changed_on, by=sw)
    child.refresh_from_db()
    assert child.legal_status == "E1"
    assert LegalStatusChange.objects.filter(child=child).count() == 3
    # Unchanged status and no date: nothing recorded.
    child_update(by=sw, child=child, legal_status="E1")
    assert LegalStatusChange.objects.filter(child=child).count() == 3
    # Default date: today.
    child_update(by=sw, child=child, legal_status="C2")
    assert child.legal_statuses.get(start_date=timezone.localdate()).legal_status == "C2"


@pytest.mark.parametrize(
    ("days_after_birth", "message"),
    [(-1, "before the child's date of birth"), (None, "cannot be in the future")],
)
def test_legal_status_date_bounds(world, days_after_birth, message):
    sw = world.users[Role.SOCIAL_WORKER]
    child = child_create(by=sw, la=world.la, **_fields())
    when = (
        child.date_of_birth + dt.timedelta(days=days_after_birth)
        if days_after_birth is not None
        else timezone.localdate() + dt.timedelta(days=1)
    )
    with pytest.raises(DomainError, match=message) as err:
        child_update(by=sw, child=child, legal_status="C1", legal_status_from=when)
    assert err.value.field == "legal_status_from"
    child.refresh_from_db()
    assert child.legal_status == "C2"
    assert child.legal_statuses.count() == 1


def test_child_form_postcode_identifier_and_status_history(client, world, districts):
    sw = world.users[Role.SOCIAL_WORKER]
    client.force_login(sw)
    post = {
        "local_identifier": "WEB-C-00001",
        "date_of_birth": "2015-03-02",
        "sex": "F",
        "ethnicity": "WBRI",
        "religion": "none",
        "legal_status": "C2",
        "legal_status_from": "2024-05-01",
        "home_postcode": "m14 5ab",
    }
    response = client.post(reverse("referrals:child_create"), post)
    assert response.status_code == 200
    assert b"at most 10 characters" in response.content
    assert b'value="m14 5ab"' in response.content
    response = client.post(
        reverse("referrals:child_create"), {**post, "local_identifier": "WEB-C-01"}
    )
    assert response.status_code == 302
    child = Child.objects.get()
    assert (child.home_postcode, child.home_postcode_district_id) == ("M14 5AB", "M14")
    edit = reverse("referrals:child_edit", args=[child.pk])
    data = {**post, "local_identifier": "WEB-C-01", "legal_status": "C1", "legal_status_from": ""}
    response = client.post(edit, {**data, "legal_status_from": "2000-01-01"})
    assert b"before the child&#x27;s date of birth" in response.content
    assert client.post(edit, data).status_code == 302
    page = client.get(reverse("referrals:child_detail", args=[child.pk])).content.decode()
    assert "Legal status over time" in page
    assert page.index("1 May 2024") > page.index(f"{timezone.localdate():%-d %b %Y}")
    assert "M14 5AB" in page


def test_full_postcode_only_for_the_childs_la_and_the_placing_hub(client, world, districts):
    sw = world.users[Role.SOCIAL_WORKER]
    child = ChildFactory(
        la=world.la, created_by=sw, home_postcode="M14 5AB", home_postcode_district_id="M14"
    )
    referral = ReferralFactory(child=child, status="sent")
    # Two hats: a provider officer here, and a social worker of another LA.
    two_hats = user_with_role(Role.PROVIDER_REFERRALS, world.ifa)
    two_hats.memberships.create(organisation=world.other_la, role=Role.SOCIAL_WORKER)
    other_hub = user_with_role(Role.PLACEMENT_OFFICER, world.other_hub)
    client.force_login(sw)
    body = client.get(reverse("api:child-detail", args=[child.pk])).json()
    assert (body["home_postcode"], body["home_postcode_district"]) == ("M14 5AB", "M14")
    assert "M14 5AB" in str(client.get(reverse("api:child-list")).json()["results"])
    assert (
        "M14 5AB" in client.get(reverse("referrals:child_detail", args=[child.pk])).content.decode()
    )
    # The hub's view of the child is the referral's (page and API).
    for user, sees in [
        (sw, True),
        (world.users[Role.PLACEMENT_OFFICER], True),
        (world.users[Role.SCRUTINEER], False),
        (world.users[Role.COMMISSIONER], False),
    ]:
        client.force_login(user)
        body = client.get(reverse("api:referral-detail", args=[referral.pk])).json()
        assert (body["child"].get("home_postcode") == "M14 5AB") is sees, user
        assert body["child"]["home_postcode_district"] == "M14"
        page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
        assert ("M14 5AB" in page) is sees, user
    for user in (two_hats, other_hub):
        client.force_login(user)
        for name, pk in (("child", child.pk), ("referral", referral.pk)):
            assert client.get(reverse(f"api:{name}-detail", args=[pk])).status_code in (403, 404)
        assert "M14 5AB" not in str(client.get(reverse("api:child-list")).content)
        assert client.get(reverse("referrals:child_detail", args=[child.pk])).status_code in (
            403,
            404,
        )


def test_api_create_and_change_with_history(client, world, districts):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    body = {
        "local_identifier": "API-C-0001X",
        "date_of_birth": "2016-01-01",
        "sex": "M",
        "ethnicity": "WBRI",
        "legal_status": "V2",
        "legal_status_from": "2025-02-01",
        "home_postcode": "OL1 1AA",
    }
    response = client.post(reverse("api:child-list"), body, "application/json")
    assert response.status_code == 400
    assert "10 characters" in response.json()["errors"]["local_identifier"][0]
    response = client.post(
        reverse("api:child-list"), {**body, "local_identifier": "API-C-01"}, "application/json"
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["home_postcode"], created["home_postcode_district"]) == ("OL1 1AA", "OL1")
    url = reverse("api:child-detail", args=[created["id"]])
    response = client.patch(
        url, {"legal_status": "C2", "legal_status_from": "2025-06-01"}, "application/json"
    )
    assert response.status_code == 200
    assert response.json()["legal_status"] == "C2"
    assert [
        (r["legal_status"], r["start_date"]) for r in response.json()["legal_status_history"]
    ] == [
        ("C2", "2025-06-01"),
        ("V2", "2025-02-01"),
    ]
    response = client.patch(
        url, {"legal_status": "C1", "legal_status_from": "2015-01-01"}, "application/json"
    )
    assert response.status_code == 400
    assert "legal_status_from" in response.json()["errors"]
