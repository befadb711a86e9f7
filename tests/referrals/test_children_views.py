"""Children and needs pages (LA side): forms keep what was typed, export, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import Child, NeedsAssessment
from tests.factories import MembershipFactory, PostcodeDistrictFactory
from tests.referrals.factories import (
    ChildFactory,
    NeedsAssessmentFactory,
    ReferralFactory,
    load_taxonomy,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw_client(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.users[Role.SOCIAL_WORKER])
    return client


CHILD_POST = {
    "local_identifier": "WEB-C-0001",
    "case_system_id": "LCS-77",
    "date_of_birth": "2015-03-02",
    "sex": "F",
    "ethnicity": "WBRI",
    "religion": "none",
    "languages": ["en"],
    "legal_status": "C2",
    "home_postcode_district": "M14",
}


def test_adding_a_child_then_their_needs(sw_client, world):
    PostcodeDistrictFactory(code="M14")
    load_taxonomy()
    response = sw_client.post(reverse("referrals:child_create"), CHILD_POST)
    child = Child.objects.get(local_identifier="WEB-C-0001")
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:needs_assessment_create", args=[child.pk])
    response = sw_client.post(
        response["Location"],
        {
            "assessed_on": "2026-01-10",
            "level_behaviour": "high",
            "notes_behaviour": "Restless at night",
            "level_health": "low",
        },
    )
    assert response.status_code == 302
    assessment = NeedsAssessment.objects.get(child=child)
    assert assessment.version == 1 and assessment.items.count() == 2
    page = sw_client.get(reverse("referrals:child_detail", args=[child.pk])).content.decode()
    assert "Version 1" in page and "Restless at night" in page and "LCS-77" in page


def test_an_error_keeps_what_the_user_typed(sw_client, world):
    ChildFactory(la=world.la, local_identifier="WEB-C-0001")
    PostcodeDistrictFactory(code="M14")
    response = sw_client.post(
        reverse("referrals:child_create"), {**CHILD_POST, "case_system_id": "TYPED-123"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already has a child with the local identifier WEB-C-0001" in page
    assert 'value="TYPED-123"' in page
    # The date of birth is shown back in its day / month / year boxes.
    for part, typed in (("day", "2"), ("month", "3"), ("year", "2015")):
        assert (
            f'name="date_of_birth_{part}" type="text" inputmode="numeric" value="{typed}"' in page
        )
    assert Child.objects.count() == 1


def test_an_unknown_district_is_shown_on_its_field(sw_client):
    response = sw_client.post(
        reverse("referrals:child_create"), {**CHILD_POST, "home_postcode_district": "QQ1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["home_postcode_district"] == [
        "QQ1 is not a postcode district we know."
    ]


def test_the_needs_form_needs_one_level_and_prefills_the_last_version(sw_client, world):
    load_taxonomy()
    child = ChildFactory(la=world.la)
    from apps.needs.models import NeedDomain, NeedLevel

    NeedsAssessmentFactory(
        child=child,
        items=[(NeedDomain.objects.get(code="education"), NeedLevel.objects.get(code="complex"))],
    )
    url = reverse("referrals:needs_assessment_create", args=[child.pk])
    form = sw_client.get(url).context["form"]
    assert form["level_education"].initial == "complex"
    response = sw_client.post(url, {"assessed_on": "2026-01-10"})
    assert response.status_code == 200
    assert "at least one area of need" in response.content.decode()
    assert child.assessments.count() == 1


def test_needs_history_shows_what_changed(sw_client, world):
    load_taxonomy()
    from apps.needs.models import NeedDomain, NeedLevel

    d = {x.code: x for x in NeedDomain.objects.all()}
    lv = {x.code: x for x in NeedLevel.objects.all()}
    child = ChildFactory(la=world.la)
    NeedsAssessmentFactory(
        child=child, items=[(d["behaviour"], lv["medium"]), (d["health"], lv["low"])]
    )
    NeedsAssessmentFactory(
        child=child, items=[(d["behaviour"], lv["high"]), (d["education"], lv["low"])]
    )
    history = sw_client.get(reverse("referrals:child_detail", args=[child.pk])).context["history"]
    assert [h["assessment"].version for h in history] == [2, 1]
    changes = {(c["domain"].code, c["direction"]) for c in history[0]["changes"]}
    assert changes == {("behaviour", "up"), ("education", "new"), ("health", "removed")}
    assert history[1]["changes"] == []


def test_an_iro_reads_but_does_not_change(client, world):
    child = ChildFactory(la=world.la)
    client.force_login(world.users[Role.IRO])
    page = client.get(reverse("referrals:child_detail", args=[child.pk])).content.decode()
    assert "Record a new needs assessment" not in page and "Start a referral" not in page
    assert client.get(reverse("referrals:child_edit", args=[child.pk])).status_code == 403


def test_the_export_holds_the_case_id_only_for_the_childs_own_la(client, world):
    own = ChildFactory(la=world.la, case_system_id="OWN-CASE-1")
    # A social worker who is also a placement officer in the hub: the LA's child list acts
    # through the social worker's membership only (docs/adr/0006), so the other LA's child,
    # which the hub sees through the RCC's referral, is not on it at all.
    other_la_child = ChildFactory(la=world.other_la, case_system_id="OTHER-CASE-2")
    ReferralFactory(child=other_la_child, rcc=world.rcc)
    user = world.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=user, organisation=world.hub, role=Role.PLACEMENT_OFFICER)
    client.force_login(user)
    response = client.get(reverse("referrals:child_list") + "?export=csv")
    rows = {
        r["Local identifier"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert rows[own.local_identifier]["Case-system id"] == "OWN-CASE-1"
    assert other_la_child.local_identifier not in rows
    assert "OTHER-CASE-2" not in response.content.decode()


def test_the_list_filters_and_sorts(sw_client, world):
    a = ChildFactory(la=world.la, local_identifier="AAA-1", legal_status="C1")
    b = ChildFactory(la=world.la, local_identifier="BBB-2", legal_status="C2")
    ReferralFactory(child=b)
    ChildFactory(la=world.other_la, local_identifier="AAA-OTHER")
    url = reverse("referrals:child_list")
    assert list(sw_client.get(url).context["object_list"]) == [a, b]
    assert list(sw_client.get(url + "?sort=-identifier").context["object_list"]) == [b, a]
    assert list(sw_client.get(url + "?legal_status=C1").context["object_list"]) == [a]
    assert list(sw_client.get(url + "?has_open_referral=yes").context["object_list"]) == [b]
    assert list(sw_client.get(url + "?has_open_referral=no").context["object_list"]) == [a]
    assert list(sw_client.get(url + "?q=aaa").context["object_list"]) == [a]


def test_the_children_list_query_count_does_not_grow_with_rows(
    sw_client, world, django_assert_max_num_queries
):
    ChildFactory(la=world.la)
    url = reverse("referrals:child_list")
    sw_client.get(url)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(12) as one:
        sw_client.get(url)
    for _ in range(8):
        ReferralFactory(child=NeedsAssessmentFactory(child=ChildFactory(la=world.la)).child)
    with django_assert_max_num_queries(12) as many:
        sw_client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_cohort_view_counts_children_by_domain_and_level(sw_client, world):
    load_taxonomy()
    from apps.needs.models import NeedDomain, NeedLevel

    beh, high, low = (
        NeedDomain.objects.get(code="behaviour"),
        NeedLevel.objects.get(code="high"),
        NeedLevel.objects.get(code="low"),
    )
    for _ in range(2):
        NeedsAssessmentFactory(child=ChildFactory(la=world.la), items=[(beh, high)])
    page = sw_client.get(reverse("referrals:cohort_needs"))
    row = next(r for r in page.context["table"]["rows"] if r["domain"].code == "behaviour")
    assert row["total"] == 2 and row["cells"][high.rank] == 2 and row["cells"][low.rank] == 0
