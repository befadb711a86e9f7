"""Issue 11, item 3: a permission comes from one membership (docs/adr/0006).

The reported case: an IRO at one LA who is also a referrals officer at a fostering service saw,
on the LA's referral pages, every referral sent to that service from other LAs, with the
child's identity. The IRO's role must not combine with the provider membership's visibility,
and the provider's view of those referrals stays minimised.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from tests.factories import MembershipFactory, user_with_role
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import (
    ReferralTargetFactory,
    SentReferralFactory,
    household_with_place,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world):
    """IRO at world.la + provider referrals officer at world.ifa; the IFA holds a referral
    from the other LA (other RCC) and one from the IRO's own LA."""
    person = user_with_role(Role.IRO, world.la)
    MembershipFactory(user=person, organisation=world.ifa, role=Role.PROVIDER_REFERRALS)
    elsewhere = SentReferralFactory(child=ChildFactory(la=world.other_la))
    own = SentReferralFactory(child=ChildFactory(la=world.la))
    household, _ = household_with_place(world.ifa)
    target = ReferralTargetFactory(referral=elsewhere, household=household)
    ReferralTargetFactory(referral=own, household=household_with_place(world.ifa)[0])
    return person, elsewhere, own, target


def _identity(referral):
    child = referral.child
    return [child.local_identifier, child.case_system_id, child.date_of_birth.isoformat()]


def test_la_referral_pages_do_not_show_referrals_seen_only_as_a_provider(client, case):
    person, elsewhere, own, _target = case
    client.force_login(person)

    listing = client.get(reverse("referrals:referral_list"))
    assert listing.status_code == 200
    shown = {r.pk for r in listing.context["page_obj"].object_list}
    assert shown == {own.pk}

    export = client.get(reverse("referrals:referral_list"), {"export": "csv"})
    text = export.content.decode()
    for item in _identity(elsewhere):
        assert item not in text
    assert own.child.local_identifier in text

    detail = client.get(reverse("referrals:referral_detail", kwargs={"pk": elsewhere.pk}))
    assert detail.status_code == 404
    child = client.get(reverse("referrals:child_detail", kwargs={"pk": elsewhere.child_id}))
    assert child.status_code == 404


def test_referral_api_does_not_show_referrals_seen_only_as_a_provider(client, case):
    person, elsewhere, own, _target = case
    client.force_login(person)

    listing = client.get(reverse("api:referral-list"), HTTP_ACCEPT="application/json")
    assert listing.status_code == 200
    body = listing.json()
    ids = {item["id"] for item in body.get("results", body)}
    assert ids == {own.pk}
    assert elsewhere.child.local_identifier not in listing.content.decode()

    detail = client.get(
        reverse("api:referral-detail", kwargs={"pk": elsewhere.pk}), HTTP_ACCEPT="application/json"
    )
    assert detail.status_code == 404


def test_provider_view_of_the_referral_stays_minimised(client, case):
    person, elsewhere, _own, target = case
    client.force_login(person)

    page = client.get(reverse("referrals:provider_target", kwargs={"pk": target.pk}))
    assert page.status_code == 200
    body = page.content.decode()
    for item in _identity(elsewhere):
        assert item not in body

    api = client.get(
        reverse("api:provider-target-detail", kwargs={"pk": target.pk}),
        HTTP_ACCEPT="application/json",
    )
    assert api.status_code == 200
    for item in _identity(elsewhere):
        assert item not in api.content.decode()


def test_provider_pages_do_not_act_through_the_la_membership(client, case, world):
    """The other way round: the IRO membership adds nothing to the provider's pages."""
    person, _elsewhere, own, _target = case
    not_ours = SentReferralFactory(child=ChildFactory(la=world.la))  # the IRO's LA, not targeted
    client.force_login(person)
    listing = client.get(reverse("referrals:provider_targets"))
    assert listing.status_code == 200
    shown = {t.referral_id for t in listing.context["page_obj"].object_list}
    assert not_ours.pk not in shown
    assert own.pk in shown
    # The referral of the IRO's own LA, sent to the IFA: the provider list shows it minimised.
    for item in _identity(own):
        assert item not in listing.content.decode()


def test_acting_as_keeps_only_the_memberships_holding_the_roles(case):
    person, *_ = case
    acting = person.acting_as({Role.IRO})
    assert acting.role_set == {Role.IRO}
    assert {m.role for m in acting.membership_list} == {Role.IRO}
    assert acting.signed_in_user is person
    assert person.role_set == {Role.IRO, Role.PROVIDER_REFERRALS}  # the person is unchanged
    assert acting.pk == person.pk
    assert person.acting_as(None) is person
    assert person.acting_as({Role.IRO, Role.PROVIDER_REFERRALS}) is person
    assert person.acting_as({Role.COMMISSIONER}).membership_list == []


@pytest.mark.parametrize(
    ("role", "place"),
    [(Role.ADMINISTRATOR, "la"), (Role.PROVIDER_DATA, "ifa"), (Role.ADMINISTRATOR, "ifa")],
)
def test_a_membership_sees_referrals_only_through_a_journey_role(case, world, role, place):
    """Belt and braces under `acting_as`: called with the whole person (a service, a task), the
    querysets still let a membership count only through a role of the referral journey."""
    from apps.referrals.models import Child, Placement, Referral, ReferralTarget

    person = user_with_role(role, getattr(world, place))
    assert not Referral.objects.visible_to(person).exists()
    assert not Child.objects.visible_to(person).exists()
    assert not ReferralTarget.objects.visible_to(person).exists()
    assert not Placement.objects.visible_to(person).exists()
