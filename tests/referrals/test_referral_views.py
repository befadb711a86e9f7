"""Referral pages: sections keep what was typed on errors, sending, the shared detail page,
reviews requested of you, navigation, and list query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.navigation import navigation_for
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import Referral
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import (
    ChildFactory,
    NeedsAssessmentFactory,
    ReferralFactory,
    ReferralReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw_client(client, world):  # type: ignore[no-untyped-def]
    client.force_login(world.users[Role.SOCIAL_WORKER])
    return client


def test_starting_a_referral_from_the_child(sw_client, world):
    child = NeedsAssessmentFactory(child=ChildFactory(la=world.la)).child
    response = sw_client.post(reverse("referrals:referral_create", args=[child.pk]))
    referral = Referral.objects.get(child=child)
    assert response["Location"] == reverse(
        "referrals:referral_edit", args=[referral.pk, "timescale"]
    )
    assert referral.created_by == world.users[Role.SOCIAL_WORKER]


def test_a_past_latest_start_date_is_shown_and_the_typed_values_kept(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    past = timezone.localdate() - dt.timedelta(days=3)
    typed = {"day": f"{past.day:02d}", "month": str(past.month), "year": str(past.year)}
    url = reverse("referrals:referral_edit", args=[referral.pk, "timescale"])
    response = sw_client.post(
        url,
        {
            "urgency": "emergency",
            **{f"latest_start_date_{part}": value for part, value in typed.items()},
            "moving_from_placement": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The latest start date is in the past" in page
    for part, value in typed.items():  # the day / month / year boxes keep what was typed
        assert (
            f'name="latest_start_date_{part}" type="text" inputmode="numeric" value="{value}"'
            in page
        )
    assert 'value="emergency" checked' in page
    referral.refresh_from_db()
    assert referral.urgency == "planned" and not referral.moving_from_placement


def test_a_sibling_group_too_large_names_the_limit_on_the_page(sw_client, world):
    HouseholdFactory(places=2, max_sibling_group=2)
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    sibs = ChildFactory.create_batch(2, la=world.la)
    ChildFactory(la=world.other_la)
    url = reverse("referrals:referral_edit", args=[referral.pk, "timescale"])
    form = sw_client.get(url).context["form"]
    assert set(form.fields["siblings"].queryset) == set(sibs)  # only the same LA, never the child
    assert form["urgency"].value() == "planned"
    assert form["latest_start_date"].value() == referral.latest_start_date
    response = sw_client.post(url, {"urgency": "planned", "siblings": [s.pk for s in sibs]})
    assert response.status_code == 200
    assert "largest sibling group any household is approved for is 2" in response.content.decode()


def test_saving_a_section_continues_to_the_next(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), childs_views="")
    url = reverse("referrals:referral_edit", args=[referral.pk, "support"])
    response = sw_client.post(url, {"support_needed": ["therapy", "respite"], "continue": "1"})
    assert response["Location"] == reverse("referrals:referral_edit", args=[referral.pk, "views"])
    response = sw_client.post(
        response["Location"], {"childs_views": "I want a cat.", "return": "1"}
    )
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])
    referral.refresh_from_db()
    assert (
        referral.support_needed == ["therapy", "respite"]
        and referral.childs_views == "I want a cat."
    )


def test_locations_lines_are_parsed_and_bad_lines_explained(sw_client, world):
    from tests.factories import PostcodeDistrictFactory

    PostcodeDistrictFactory(code="M13")
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    url = reverse("referrals:referral_edit", args=[referral.pk, "locations"])
    bad = sw_client.post(url, {"places_to_reach": "M13 contact centre"})
    assert "Line 1" in bad.content.decode()
    ok = sw_client.post(
        url, {"places_to_reach": "M13, contact centre, weekly", "places_to_avoid": "m13"}
    )
    assert ok.status_code == 302
    referral.refresh_from_db()
    assert referral.places_to_reach == [
        {"district": "M13", "what": "contact centre", "frequency": "weekly"}
    ]
    assert referral.places_to_avoid == ["M13"]
    initial = sw_client.get(url).context["form"]["places_to_reach"].value()
    assert initial == "M13, contact centre, weekly"


def test_an_unknown_section_is_404(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    assert (
        sw_client.get(reverse("referrals:referral_edit", args=[referral.pk, "nope"])).status_code
        == 404
    )


def test_a_sent_referral_cannot_be_edited(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.SENT)
    response = sw_client.get(reverse("referrals:referral_edit", args=[referral.pk, "views"]))
    assert response["Location"] == reverse("referrals:referral_detail", args=[referral.pk])


def test_the_send_page_shows_why_it_cannot_be_sent(sw_client, world):
    referral = ReferralFactory(
        child=ChildFactory(la=world.la), childs_views="", about_the_child="", live_alongside=""
    )
    url = reverse("referrals:referral_send", args=[referral.pk])
    page = sw_client.get(url).content.decode()
    assert "76% complete" in page and "at least 80%" in page
    assert reverse("referrals:referral_edit", args=[referral.pk, "views"]) in page
    response = sw_client.post(url)
    assert response.status_code == 200 and "76% complete" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


def test_sending_from_the_page(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    response = sw_client.post(reverse("referrals:referral_send", args=[referral.pk]))
    assert response.status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_the_shared_page_hides_the_case_id_from_the_hub(client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la, case_system_id="CASE-HIDDEN-9"))
    client.force_login(world.users[Role.SOCIAL_WORKER])
    la_page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
    assert "CASE-HIDDEN-9" in la_page and "Check and send" in la_page
    for role in (Role.PLACEMENT_OFFICER, Role.SCRUTINEER, Role.COMMISSIONER):
        client.force_login(world.users[role])
        page = client.get(reverse("referrals:referral_detail", args=[referral.pk])).content.decode()
        assert "CASE-HIDDEN-9" not in page
        assert "Check and send" not in page and "Withdraw this referral" not in page
        assert "Timeline" in page


def test_the_carer_skip_is_shown_on_the_timeline(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), moving_from_placement=True)
    detail = reverse("referrals:referral_detail", args=[referral.pk])
    assert "Send without the carer" in sw_client.get(detail).content.decode()
    response = sw_client.post(
        reverse("referrals:carer_review_skip", args=[referral.pk]),
        {"reason": "Carer is abroad until May."},
    )
    assert response.status_code == 302
    page = sw_client.get(detail).content.decode()
    assert (
        "Sent without the current carer&#x27;s review" in page
        and "Carer is abroad until May." in page
    )


def test_inviting_and_answering_through_the_pages(client, world):
    referral = ReferralFactory(
        child=ChildFactory(la=world.la, case_system_id="CASE-X1"), moving_from_placement=True
    )
    carer = world.users[Role.PROVIDER_REFERRALS]
    client.force_login(world.users[Role.SOCIAL_WORKER])
    bad = client.post(
        reverse("referrals:review_invite", args=[referral.pk]),
        {"email": "no@one.example", "contributor_role": "iro"},
    )
    assert bad.status_code == 200 and 'value="no@one.example"' in bad.content.decode()
    ok = client.post(
        reverse("referrals:review_invite", args=[referral.pk]),
        {"email": carer.email, "contributor_role": "current_carer"},
    )
    assert ok.status_code == 302

    client.force_login(carer)
    assert any(item["label"] == "Reviews" for item in navigation_for(carer, "/"))
    listing = client.get(reverse("referrals:review_list"))
    review = listing.context["object_list"][0]
    page = client.get(reverse("referrals:review_detail", args=[review.pk])).content.decode()
    assert referral.child.local_identifier in page and "CASE-X1" not in page
    no_comments = client.post(
        reverse("referrals:review_detail", args=[review.pk]), {"status": "changes"}
    )
    assert "Say what should change" in no_comments.content.decode()
    done = client.post(
        reverse("referrals:review_detail", args=[review.pk]),
        {"status": "agreed", "comments": "All correct."},
    )
    assert done.status_code == 302
    carer.__dict__.pop("_pending_review_count", None)  # the count is cached per request
    assert not any(item["label"] == "Reviews" for item in navigation_for(carer, "/"))


def test_the_reviews_nav_item_is_only_for_people_with_a_pending_request(world):
    iro = world.users[Role.IRO]
    assert not any(item["label"] == "Reviews" for item in navigation_for(iro, "/"))
    other = world.users[Role.SCRUTINEER]
    ReferralReviewFactory(reviewer=other, contributor_role="other")
    assert any(item["label"] == "Reviews" for item in navigation_for(other, "/"))


def test_withdrawing_from_the_page(sw_client, world):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.SENT)
    url = reverse("referrals:referral_withdraw", args=[referral.pk])
    assert "Why is the referral withdrawn" in sw_client.post(url, {"reason": ""}).content.decode()
    assert sw_client.post(url, {"reason": "Adopted by family."}).status_code == 302
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN


@pytest.mark.parametrize("name", ["referrals:referral_list", "referrals:review_list"])
def test_list_pages_do_not_grow_queries_with_rows(
    client, world, name, django_assert_max_num_queries
):
    user = world.users[Role.SOCIAL_WORKER]
    client.force_login(user)

    def add() -> None:
        r = ReferralFactory(child=ChildFactory(la=world.la))
        ReferralReviewFactory(referral=r, reviewer=user, contributor_role="other")

    add()
    url = reverse(name)
    client.get(url)
    with django_assert_max_num_queries(14) as one:
        assert client.get(url).status_code == 200
    for _ in range(6):
        add()
    with django_assert_max_num_queries(14) as many:
        client.get(url)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_detail_page_query_count_is_bounded(sw_client, world, django_assert_max_num_queries):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    for _ in range(3):
        ReferralReviewFactory(referral=referral, contributor_role="other")
    url = reverse("referrals:referral_detail", args=[referral.pk])
    sw_client.get(url)
    with django_assert_max_num_queries(30):
        assert sw_client.get(url).status_code == 200
