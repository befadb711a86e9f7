"""The LA side over the API: children, needs versions, referrals, reviews; JSON errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.referrals.choices import RISK_TO_CHILD_FIELDS, RISK_TO_OTHERS_FIELDS, ReferralStatus
from apps.referrals.models import NeedsAssessment, Referral
from tests.factories import PostcodeDistrictFactory
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import (
    ChildFactory,
    NeedsAssessmentFactory,
    ReferralFactory,
    ReferralReviewFactory,
    load_taxonomy,
)

pytestmark = pytest.mark.django_db

RISK_FIELDS = [name for name, _ in (*RISK_TO_CHILD_FIELDS, *RISK_TO_OTHERS_FIELDS)]


def api(user):  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def sw(world):  # type: ignore[no-untyped-def]
    return api(world.users[Role.SOCIAL_WORKER])


def test_children_create_and_read(sw, world):
    PostcodeDistrictFactory(code="M14")
    body = {
        "local_identifier": "API-C-1",
        "case_system_id": "API-CASE",
        "date_of_birth": "2014-02-03",
        "sex": "M",
        "ethnicity": "BCRB",
        "legal_status": "C2",
        "languages": ["en"],
        "home_postcode_district": "M14",
    }
    response = sw.post("/api/v1/children/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["case_system_id"] == "API-CASE" and data["la"] == world.la.pk
    again = sw.post("/api/v1/children/", body, format="json")
    assert again.status_code == 400
    assert "local_identifier" in again.json()["errors"]
    bad = sw.post("/api/v1/children/", {**body, "local_identifier": "X", "sex": "Q"}, format="json")
    assert bad.status_code == 400 and "sex" in bad.json()["errors"]
    patched = sw.patch(f"/api/v1/children/{data['id']}/", {"legal_status": "C1"}, format="json")
    assert patched.status_code == 200 and patched.json()["legal_status"] == "C1"


def test_hub_staff_cannot_list_children(world):
    assert api(world.users[Role.PLACEMENT_OFFICER]).get("/api/v1/children/").status_code == 403


def test_needs_versions_over_the_api_with_unknown_codes_refused(sw, world):
    load_taxonomy()
    child = ChildFactory(la=world.la)
    url = f"/api/v1/children/{child.pk}/assessments/"
    bad = sw.post(url, {"items": [{"domain": "behaviour", "level": "sky-high"}]}, format="json")
    assert bad.status_code == 400
    assert "Unknown need level code(s): sky-high" in bad.json()["errors"]["items"][0]
    assert not NeedsAssessment.objects.exists()
    first = sw.post(
        url, {"items": {"behaviour": "medium"}, "assessed_on": "2025-09-01"}, format="json"
    )
    second = sw.post(
        url,
        {"items": [{"domain": "behaviour", "level": "high", "notes": "More incidents"}]},
        format="json",
    )
    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json()["version"] == 2
    history = sw.get(url).json()
    assert [h["version"] for h in history] == [2, 1]
    assert history[0]["changes"] == [
        {"domain": "behaviour", "before": "medium", "after": "high", "direction": "up"}
    ]


def test_a_referral_from_draft_to_sent(sw, world):
    load_taxonomy()
    HouseholdFactory(places=2, max_sibling_group=2)
    PostcodeDistrictFactory(code="M14")
    child = ChildFactory(la=world.la)
    NeedsAssessmentFactory(child=child)
    created = sw.post(
        "/api/v1/referrals/", {"child": child.pk, "urgency": "emergency"}, format="json"
    )
    assert created.status_code == 201, created.json()
    referral = created.json()
    assert referral["status"] == "draft" and referral["urgency"] == "emergency"
    assert referral["completeness"]["can_send"] is False
    assert referral["completeness"]["missing"]
    url = f"/api/v1/referrals/{referral['id']}/"

    past = sw.patch(
        url,
        {"latest_start_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert past.status_code == 400
    assert "in the past" in past.json()["errors"]["latest_start_date"][0]

    siblings = ChildFactory.create_batch(2, la=world.la)
    too_many = sw.patch(url, {"siblings": [s.pk for s in siblings]}, format="json")
    assert too_many.status_code == 400
    assert (
        "largest sibling group any household is approved for is 2"
        in too_many.json()["errors"]["siblings"][0]
    )

    not_ready = sw.post(url + "send/")
    assert not_ready.status_code == 400
    assert "complete" in not_ready.json()["errors"]["completeness"][0]

    fields = dict.fromkeys(RISK_FIELDS, "none")
    fields.update(
        preferred_area="South Manchester",
        cultural_religious_needs="None identified",
        live_alongside="solo",
        pets_ok="no",
        suitability_foster="preferred",
        min_adults=2,
        childs_views="Wants a dog-free home near school.",
        about_the_child="Kind and quiet.",
    )
    fields.update(
        latest_start_date=(timezone.localdate() + dt.timedelta(days=10)).isoformat(),
        family_postcode_district="M14",
        school_postcode_district="M14",
        siblings=[siblings[0].pk],
    )
    patched = sw.patch(url, fields, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["completeness"]["percent"] == 100
    sent = sw.post(url + "send/")
    assert sent.status_code == 200, sent.json()
    assert sent.json()["status"] == "sent" and sent.json()["sent_at"]
    assert [e["verb"] for e in sent.json()["timeline"]][-1] == "sent"
    assert sw.patch(url, {"childs_views": "late change"}, format="json").status_code == 400


def test_hub_staff_never_see_the_case_id(world):
    referral = ReferralFactory(child=ChildFactory(la=world.la, case_system_id="HIDE-ME-123"))
    for role in (Role.PLACEMENT_OFFICER, Role.SCRUTINEER, Role.COMMISSIONER):
        client = api(world.users[role])
        detail = client.get(f"/api/v1/referrals/{referral.pk}/")
        assert detail.status_code == 200
        assert "case_system_id" not in detail.json()["child"]
        assert "HIDE-ME-123" not in detail.content.decode()
        assert "HIDE-ME-123" not in client.get("/api/v1/referrals/").content.decode()
    la_view = api(world.users[Role.SOCIAL_WORKER]).get(f"/api/v1/referrals/{referral.pk}/")
    assert la_view.json()["child"]["case_system_id"] == "HIDE-ME-123"


def test_providers_cannot_use_the_la_referral_api(world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    client = api(world.users[Role.PROVIDER_REFERRALS])
    assert client.get("/api/v1/referrals/").status_code == 403
    assert client.get(f"/api/v1/referrals/{referral.pk}/").status_code == 403


def test_co_design_over_the_api(sw, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), moving_from_placement=True)
    url = f"/api/v1/referrals/{referral.pk}/"
    blocked = sw.post(url + "send/")
    assert blocked.status_code == 400 and "current carer" in blocked.json()["errors"]["reviews"][0]
    carer_officer = world.users[Role.PROVIDER_REFERRALS]
    invited = sw.post(
        url + "invite-reviewer/",
        {"email": carer_officer.email, "contributor_role": "current_carer"},
        format="json",
    )
    assert invited.status_code == 201, invited.json()
    carer = api(carer_officer)
    requests = carer.get("/api/v1/referral-reviews/").json()["results"]
    assert [r["referral"] for r in requests] == [referral.pk]
    one = carer.get(f"/api/v1/referral-reviews/{requests[0]['id']}/").json()
    assert one["referral_detail"]["id"] == referral.pk
    assert "case_system_id" not in one["referral_detail"]["child"]
    answer = carer.post(
        f"/api/v1/referral-reviews/{requests[0]['id']}/respond/",
        {"status": "changes"},
        format="json",
    )
    assert answer.status_code == 400 and "comments" in answer.json()["errors"]
    answer = carer.post(
        f"/api/v1/referral-reviews/{requests[0]['id']}/respond/",
        {"status": "agreed", "comments": "Accurate."},
        format="json",
    )
    assert answer.status_code == 200
    assert sw.post(url + "send/").status_code == 200


def test_skip_and_withdraw_over_the_api(sw, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), moving_from_placement=True)
    url = f"/api/v1/referrals/{referral.pk}/"
    assert sw.post(url + "skip-carer-review/", {"reason": ""}, format="json").status_code == 400
    skipped = sw.post(
        url + "skip-carer-review/", {"reason": "Carer in hospital this month."}, format="json"
    )
    assert skipped.status_code == 200 and skipped.json()["carer_review_skipped_reason"]
    assert sw.post(url + "send/").status_code == 200
    withdrawn = sw.post(url + "withdraw/", {"reason": "Family arrangement found."}, format="json")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == ReferralStatus.WITHDRAWN
    assert sw.post(url + "withdraw/", {"reason": "Again"}, format="json").status_code == 400


def test_review_respond_on_the_referral_needs_a_request_for_you(world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    iro = world.users[Role.IRO]
    assert (
        api(iro)
        .post(f"/api/v1/referrals/{referral.pk}/review-respond/", {"status": "agreed"})
        .status_code
        == 404
    )
    ReferralReviewFactory(referral=referral, reviewer=iro, contributor_role="iro")
    response = api(iro).post(
        f"/api/v1/referrals/{referral.pk}/review-respond/", {"status": "agreed"}
    )
    assert response.status_code == 200 and response.json()["status"] == "agreed"


@pytest.mark.parametrize(("url", "extra"), [("/api/v1/referrals/", 0), ("/api/v1/children/", 0)])
def test_api_lists_do_not_grow_queries_with_rows(world, url, extra, django_assert_max_num_queries):
    client = api(world.users[Role.SOCIAL_WORKER])
    ReferralFactory(child=ChildFactory(la=world.la))
    client.get(url)
    with django_assert_max_num_queries(10) as one:
        assert client.get(url).status_code == 200
    for _ in range(6):
        ReferralFactory(child=ChildFactory(la=world.la))
    with django_assert_max_num_queries(10) as many:
        assert len(client.get(url).json()["results"]) >= 7
    assert len(many.captured_queries) == len(one.captured_queries) + extra


def test_filters_and_sort_on_the_referral_api(sw, world):
    a = ReferralFactory(child=ChildFactory(la=world.la, local_identifier="ZED-1"))
    b = ReferralFactory(
        child=ChildFactory(la=world.la, local_identifier="ABE-2"), status=ReferralStatus.SENT
    )
    ids = lambda r: [x["id"] for x in r.json()["results"]]  # noqa: E731
    assert ids(sw.get("/api/v1/referrals/?status=sent")) == [b.pk]
    assert ids(sw.get("/api/v1/referrals/?sort=child")) == [b.pk, a.pk]
    assert ids(sw.get("/api/v1/referrals/?q=zed")) == [a.pk]
    assert Referral.objects.count() == 2


def test_the_api_names_every_field_at_fault(sw, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    response = sw.patch(
        f"/api/v1/referrals/{referral.pk}/",
        {"latest_start_date": "2020-01-01", "pets_ok": "maybe"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "in the past" in body["detail"]
    assert set(body["errors"]) == {"latest_start_date", "pets_ok"}
