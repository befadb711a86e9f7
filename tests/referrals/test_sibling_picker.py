"""The sibling picker on the referral form searches: it never lists every child of the LA, only
the siblings ticked and the children a search finds (of the referral's own LA), and searching
keeps what was typed elsewhere on the form without saving."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import MembershipFactory
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import ChildFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client, world):
    HouseholdFactory(places=2, max_sibling_group=2)  # a group of two can be placed
    referral = ReferralFactory(child=ChildFactory(la=world.la, local_identifier="MCR-1000"))
    wanted = ChildFactory(la=world.la, local_identifier="MCR-2001", case_system_id="CS-77")
    others = [ChildFactory(la=world.la, local_identifier=f"MCR-30{i:02d}") for i in range(25)]
    elsewhere = ChildFactory(la=world.other_la, local_identifier="MCR-2002")
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("referrals:referral_edit", args=[referral.pk, "timescale"])
    return referral, url, wanted, others, elsewhere


def test_the_form_lists_no_children_until_a_search(client, setup):
    referral, url, wanted, others, _ = setup
    page = client.get(url).content.decode()
    assert "Find a brother or sister" in page
    assert wanted.local_identifier not in page
    assert not any(o.local_identifier in page for o in others)
    referral.siblings.add(wanted)
    page = client.get(url).content.decode()
    assert wanted.local_identifier in page  # the one already chosen, ticked
    assert "checked" in page
    assert not any(o.local_identifier in page for o in others)


def test_a_search_finds_only_the_las_children_and_keeps_what_was_typed(client, setup):
    referral, url, wanted, _, elsewhere = setup
    response = client.post(
        url,
        {"urgency": "emergency", "sibling_search": "2001", "search_siblings": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert wanted.local_identifier in page
    assert elsewhere.local_identifier not in page  # another LA's child
    assert referral.child.local_identifier + " (born" not in page  # never the child itself
    assert 'value="emergency" checked' in page  # kept, not saved
    assert "1 child matching" in page
    referral.refresh_from_db()
    assert referral.urgency == "planned"

    # By the case-system id, exactly.
    page = client.post(url, {"sibling_search": "cs-77", "search_siblings": "1"}).content.decode()
    assert wanted.local_identifier in page

    # Then tick and save.
    response = client.post(url, {"urgency": "planned", "siblings": [wanted.pk]})
    assert response.status_code == 302
    assert list(referral.siblings.all()) == [wanted]


def test_a_broad_search_is_capped_and_says_so(client, setup):
    _, url, _, others, _ = setup
    page = client.post(url, {"sibling_search": "MCR-30", "search_siblings": "1"}).content.decode()
    assert "The first 20 children matching" in page
    assert sum(o.local_identifier in page for o in others) == 20
    short = client.post(url, {"sibling_search": "M", "search_siblings": "1"}).content.decode()
    assert "Type at least 2 characters" in short


def test_another_las_child_cannot_be_posted_as_a_sibling(client, setup):
    referral, url, _, _, elsewhere = setup
    response = client.post(url, {"urgency": "planned", "siblings": [elsewhere.pk]})
    assert response.status_code == 200
    assert "That child is not one of your LA" in response.content.decode()
    assert not referral.siblings.exists()


def test_a_social_worker_of_two_las_searches_only_the_referrals_la(client, world, setup):
    _, url, _, _, elsewhere = setup
    MembershipFactory(
        user=world.users[Role.SOCIAL_WORKER], organisation=world.other_la, role=Role.SOCIAL_WORKER
    )
    page = client.post(url, {"sibling_search": "MCR-2", "search_siblings": "1"}).content.decode()
    assert elsewhere.local_identifier not in page
