"""Requests that used to be answered with a 500: now a 400 naming the field, a 404 or a 405."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.accounts.roles import Role
from apps.referrals.models import NeedsAssessment
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client: Client) -> Client:
    """A client that answers a server error with a 500 response instead of raising it."""
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("kind", ["alerts", "enrolments", "lots"])
def test_contracts_lists_without_a_create_refuse_a_post(api, world, kind):
    api.force_login(world.users[Role.COMMISSIONER])
    response = api.post(f"/api/v1/contracts/{kind}/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["detail"] == 'Method "POST" not allowed.'


@pytest.mark.parametrize("items", [5, "high", True, [5], ["behaviour"]])
def test_an_assessment_with_items_of_the_wrong_shape_is_a_400_naming_items(api, world, items):
    child = ChildFactory(la=world.la)
    api.force_login(world.users[Role.SOCIAL_WORKER])
    path = f"/api/v1/children/{child.pk}/assessments/"
    response = api.post(path, {"items": items}, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items"]
    assert not NeedsAssessment.objects.filter(child=child).exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/provider/targets/abc/"),
        ("post", "/api/v1/provider/targets/abc/offer/"),
        ("post", "/api/v1/provider/targets/abc/decline/"),
        ("post", "/api/v1/offers/abc/shortlist/"),
        ("post", "/api/v1/monitoring/returns/1/queries/abc/reply/"),
        ("post", "/api/v1/monitoring/returns/1/queries/a%0Ab/reply/"),
        ("get", "/api/v1/rccs/-1/batch-matching/"),
    ],
)
def test_a_non_numeric_id_in_the_path_is_a_404(api, world, method, path):
    role = Role.PROVIDER_DATA if "monitoring" in path else Role.PROVIDER_REFERRALS
    if "offers" in path:
        role = Role.SOCIAL_WORKER
    if "rccs" in path:
        role = Role.PLACEMENT_OFFICER
    api.force_login(world.users[role])
    response = getattr(api, method)(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": {}}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("family_postcode_district", True),
        ("school_postcode_district", 5),
        ("about_the_child", ["text"]),
        ("places_to_reach", 5),
        ("communication_needs", {"a": 1}),
        ("latest_start_date", 20261231),
    ],
)
def test_a_referral_patch_of_the_wrong_shape_is_a_400_naming_the_field(api, world, field, value):
    from tests.referrals.factories import ReferralFactory

    referral = ReferralFactory(child__la=world.la)
    api.force_login(world.users[Role.SOCIAL_WORKER])
    response = api.patch(
        f"/api/v1/referrals/{referral.pk}/", {field: value}, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
