"""Each role's home page shows the work waiting for it: counts that equal the rows of the list
each link opens, scoped to the person's own organisations, in queries that do not grow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.monitoring.choices import ReturnStatus
from apps.referrals.choices import OfferStatus
from apps.referrals.models import Placement
from apps.referrals.services.choosing import referral_propose
from apps.referrals.services.placements import placement_agree
from tests.factories import MembershipFactory, user_with_role
from tests.monitoring.factories import QUARTER, due_return
from tests.referrals.factories import ChildFactory, ReferralFactory, ReferralReviewFactory
from tests.referrals.placing_factories import SentReferralFactory, journey, offer_on

pytestmark = pytest.mark.django_db


def _work(client: Any, user: Any) -> dict[str, tuple[int, str]]:
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    return {
        item.label: (item.count, item.href)
        for queue in page.context["work"]
        for item in queue["items"]
    }


def _rows(client: Any, href: str) -> int:
    page = client.get(href)
    assert page.status_code == 200, href
    return page.context["page_obj"].paginator.count


def _check_links(client: Any, work: dict[str, tuple[int, str]]) -> None:
    for label, (count, href) in work.items():
        assert _rows(client, href) == count, label


def _scene(world: Any) -> dict[str, Any]:
    """In the world's RCC: a referral sent to three providers with one live offer, one not yet
    sent to any, a draft with a review asked of the IRO, an emergency placed before scrutiny
    and overdue, a proposed match; the IFA's monitoring return queried. In the other RCC the
    same kinds of work, which nobody here may count."""
    sw, iro = world.users[Role.SOCIAL_WORKER], world.users[Role.IRO]
    j = journey(world)
    offer_on(j.ifa)  # live offer; in-house and other-LA targets still awaited
    SentReferralFactory(child=ChildFactory(la=world.la))  # to search
    draft = ReferralFactory(child=ChildFactory(la=world.la), created_by=sw)
    ReferralReviewFactory(referral=draft, reviewer=iro, requested_by=sw)
    emergency = journey(world, urgency="emergency")
    referral_propose(
        referral=emergency.referral,
        offer=offer_on(emergency.ifa),
        by=sw,
        reason="best_meets_needs",
    )
    placement = placement_agree(referral=emergency.referral, by=emergency.placement_officer)
    Placement.objects.filter(pk=placement.pk).update(
        emergency_scrutiny_due=timezone.now() - dt.timedelta(hours=2)
    )
    proposed = journey(world)
    referral_propose(
        referral=proposed.referral, offer=offer_on(proposed.ifa), by=sw, reason="best_meets_needs"
    )
    ret = due_return(world.ifa)
    ret.status = ReturnStatus.QUERIED
    ret.first_submitted_at = timezone.now()
    ret.save()
    due_return(world.ifa, QUARTER.next())  # due
    # The other RCC: work of the same kinds, never counted here.
    ReferralFactory(child=ChildFactory(la=world.other_la))
    SentReferralFactory(child=ChildFactory(la=world.other_la))
    due_return(world.other_ifa)
    return {"journey": j, "proposed": proposed}


def test_social_worker_sees_offers_drafts_and_reviews(client, world):
    _scene(world)
    work = _work(client, world.users[Role.SOCIAL_WORKER])
    assert work["Referrals with offers to consider"][0] == 1
    assert work["Referrals to complete and send"][0] == 1
    assert work["Reviews asked of you"][0] == 0
    _check_links(client, work)


def test_iro_sees_reviews_asked(client, world):
    _scene(world)
    work = _work(client, world.users[Role.IRO])
    assert work == {"Reviews asked of you": (1, "/referrals/reviews/?waiting=true")}
    _check_links(client, work)


def test_placement_officer_sees_searches_replies_offers_and_overdue_scrutiny(client, world):
    _scene(world)
    work = _work(client, world.users[Role.PLACEMENT_OFFICER])
    assert work["Referrals to search"][0] == 1
    assert work["Referrals awaiting providers' replies"][0] == 1
    assert work["Referrals with offers to compare"][0] == 1
    assert work["Emergency placements with scrutiny overdue"][0] == 1
    _check_links(client, work)
    page = client.get("/")
    assert 'govuk-tag--red">Overdue' in page.content.decode()


def test_scrutineer_sees_proposed_and_overdue(client, world):
    _scene(world)
    work = _work(client, world.users[Role.SCRUTINEER])
    assert work["Proposed matches to scrutinise"][0] == 1
    assert work["Emergency placements to scrutinise"][0] == 1
    assert work["Emergency scrutiny overdue"][0] == 1
    _check_links(client, work)


def test_provider_referrals_officer_sees_replies_owed_and_shortlisted_offers(client, world):
    scene = _scene(world)
    offer = scene["journey"].ifa.offer
    offer.status = OfferStatus.SHORTLISTED
    offer.save()
    officer = world.users[Role.PROVIDER_REFERRALS]
    work = _work(client, officer)
    # The IFA was sent three referrals; it offered on all three (one shortlisted).
    assert work["Referrals awaiting your reply"][0] == 0
    assert work["Your offers on the shortlist"][0] == 1
    _check_links(client, work)
    in_house = user_with_role(Role.PROVIDER_REFERRALS, world.la_service)
    work = _work(client, in_house)
    # Three referrals were sent to it; the one placed elsewhere closed its request.
    assert work["Referrals awaiting your reply"][0] == 2
    _check_links(client, work)


def test_provider_data_officer_sees_returns_due_and_queried(client, world):
    _scene(world)
    work = _work(client, world.users[Role.PROVIDER_DATA])
    assert work["Returns queried by the RCC"][0] == 1
    assert work["Returns due"][0] == 1
    _check_links(client, work)


def test_two_roles_in_two_organisations_each_count_only_their_own(client, world):
    """A social worker of this LA who is also a placement officer of the other RCC's hub sees
    this LA's referrals as a social worker and only the other hub's as a placement officer."""
    _scene(world)
    person = world.users[Role.SOCIAL_WORKER]
    MembershipFactory(user=person, organisation=world.other_hub, role=Role.PLACEMENT_OFFICER)
    work = _work(client, person)
    assert work["Referrals with offers to consider"][0] == 1
    assert work["Referrals to search"][0] == 1  # the other RCC's only sent referral
    assert work["Referrals awaiting providers' replies"][0] == 0
    # The placements list shows this LA's placements to its social worker too: the count is the
    # list's, so the LA's overdue emergency placement is counted (and listed) once.
    assert work["Emergency placements with scrutiny overdue"][0] == 1
    _check_links(client, work)


def test_nothing_for_roles_without_queues(client, world):
    assert _work(client, world.users[Role.NCC_ANALYST]) == {}


@pytest.mark.parametrize(
    "role",
    [
        Role.SOCIAL_WORKER,
        Role.PLACEMENT_OFFICER,
        Role.SCRUTINEER,
        Role.PROVIDER_REFERRALS,
        Role.PROVIDER_DATA,
    ],
)
def test_home_page_queries_do_not_grow_with_the_work(
    client, world, role, django_assert_max_num_queries
):
    user = world.users[role]
    client.force_login(user)
    _scene(world)
    client.get("/")
    with django_assert_max_num_queries(40) as first:
        client.get("/")
    baseline = len(first.captured_queries)
    for _ in range(3):
        _scene_more(world)
    with django_assert_max_num_queries(baseline):
        client.get("/")


def _scene_more(world: Any) -> None:
    sw = world.users[Role.SOCIAL_WORKER]
    j = journey(world)
    offer_on(j.ifa)
    draft = ReferralFactory(child=ChildFactory(la=world.la), created_by=sw)
    ReferralReviewFactory(referral=draft, reviewer=world.users[Role.IRO], requested_by=sw)
    proposed = journey(world)
    referral_propose(
        referral=proposed.referral, offer=offer_on(proposed.ifa), by=sw, reason="best_meets_needs"
    )
