"""Referrals (LA side): create, edit with validation, send to the hub, withdraw."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import ReferralStatus, TargetStatus
from apps.referrals.models import Referral, ReferralTarget
from apps.referrals.services.referrals import (
    referral_create,
    referral_send,
    referral_update,
    referral_withdraw,
)
from tests.factories import PostcodeDistrictFactory
from tests.providers.factories import HouseholdFactory
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(world):  # type: ignore[no-untyped-def]
    return world.users[Role.SOCIAL_WORKER]


def test_a_referral_starts_as_a_draft_with_the_latest_assessment(world, sw):
    child = ChildFactory(la=world.la)
    NeedsAssessmentFactory(child=child)
    latest = NeedsAssessmentFactory(child=child)
    referral = referral_create(by=sw, child=child)
    assert referral.status == ReferralStatus.DRAFT
    assert referral.needs_assessment == latest
    assert referral.rcc == world.rcc and referral.la == world.la
    assert list(referral.events.values_list("verb", flat=True)) == ["created"]


def test_a_referral_needs_an_la_in_an_rcc(world, sw):
    from apps.organisations.models import RccMembership

    RccMembership.objects.filter(la=world.la).delete()
    with pytest.raises(DomainError) as err:
        referral_create(by=sw, child=ChildFactory(la=world.la))
    assert "Regional Care Cooperative" in err.value.message
    assert not Referral.objects.exists()


def test_latest_start_date_in_the_past_is_refused(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    before = referral.latest_start_date
    with pytest.raises(DomainError) as err:
        referral_update(
            by=sw,
            referral=referral,
            latest_start_date=timezone.localdate() - dt.timedelta(days=1),
            urgency="emergency",
        )
    assert err.value.field == "latest_start_date"
    assert "in the past" in err.value.message
    referral.refresh_from_db()
    assert (
        referral.latest_start_date == before and referral.urgency == "planned"
    )  # nothing half-written


def test_today_is_a_valid_latest_start_date(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    referral_update(by=sw, referral=referral, latest_start_date=timezone.localdate().isoformat())
    referral.refresh_from_db()
    assert referral.latest_start_date == timezone.localdate()


def test_a_sibling_group_larger_than_any_approval_is_refused_naming_the_limit(world, sw):
    HouseholdFactory(places=3, max_sibling_group=3)
    HouseholdFactory(places=4, max_sibling_group=4, status="resigned")  # not active: does not count
    child = ChildFactory(la=world.la)
    referral = ReferralFactory(child=child)
    siblings = ChildFactory.create_batch(3, la=world.la)
    with pytest.raises(DomainError) as err:
        referral_update(by=sw, referral=referral, siblings=[s.pk for s in siblings])
    assert err.value.field == "siblings"
    assert "sibling group of 4" in err.value.message
    assert "largest sibling group any household is approved for is 3" in err.value.message
    assert not referral.siblings.exists()
    referral_update(by=sw, referral=referral, siblings=[s.pk for s in siblings[:2]])
    assert referral.siblings.count() == 2


def test_siblings_must_be_children_of_the_same_la(world, sw):
    HouseholdFactory(places=3, max_sibling_group=3)
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    other = ChildFactory(la=world.other_la)
    with pytest.raises(DomainError) as err:
        referral_update(by=sw, referral=referral, siblings=[other.pk])
    assert err.value.field == "siblings"
    assert "same local authority" in err.value.message
    with pytest.raises(DomainError):
        referral_update(by=sw, referral=referral, siblings=[referral.child_id])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"family_postcode_district": "QQ99"}, "family_postcode_district"),
        ({"places_to_avoid": ["M1 1AA"]}, "places_to_avoid"),
        (
            {"places_to_reach": [{"district": "ZZ1", "what": "", "frequency": "weekly"}]},
            "places_to_reach",
        ),
        (
            {"places_to_reach": [{"district": "ZZ1", "what": "school", "frequency": "hourly"}]},
            "places_to_reach",
        ),
        ({"communication_needs": ["semaphore"]}, "communication_needs"),
        ({"support_needed": ["butler"]}, "support_needed"),
        ({"risk_self_harm": "extreme"}, "risk_self_harm"),
        ({"min_adults": 9}, "min_adults"),
    ],
)
def test_bad_referral_values_name_their_field(world, sw, fields, field):
    PostcodeDistrictFactory(code="ZZ1")
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    with pytest.raises(DomainError) as err:
        referral_update(by=sw, referral=referral, **fields)
    assert err.value.field == field


def test_unknown_or_read_only_fields_are_refused(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    with pytest.raises(DomainError) as err:
        referral_update(by=sw, referral=referral, status="placed")
    assert "status" in err.value.message


def test_an_update_records_what_changed(world, sw):
    PostcodeDistrictFactory(code="M14")
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    referral_update(
        by=sw,
        referral=referral,
        section="locations",
        family_postcode_district="m14",
        places_to_reach=[{"district": "M14", "what": "contact centre", "frequency": "Weekly"}],
        places_to_avoid="m14, M14",
    )
    referral.refresh_from_db()
    assert referral.family_postcode_district_id == "M14"
    assert referral.places_to_reach == [
        {"district": "M14", "what": "contact centre", "frequency": "weekly"}
    ]
    assert referral.places_to_avoid == ["M14"]
    event = referral.events.get(verb="updated")
    assert event.actor == sw
    assert event.detail["section"] == "locations"
    assert set(event.detail["fields"]) == {
        "family_postcode_district",
        "places_to_reach",
        "places_to_avoid",
    }


def test_only_drafts_can_be_changed(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.SENT)
    with pytest.raises(DomainError) as err:
        referral_update(by=sw, referral=referral, childs_views="Changed")
    assert "draft" in err.value.message


def test_sending_moves_the_referral_to_the_hub_and_emails_its_placement_officers(
    world, sw, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    with django_capture_on_commit_callbacks(execute=True):
        referral_send(by=sw, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_at is not None and referral.completed_by == sw
    assert referral.events.filter(verb="sent", actor=sw).exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [world.users[Role.PLACEMENT_OFFICER].email]
    assert referral.child.local_identifier not in mail.outbox[0].body


def test_an_incomplete_referral_cannot_be_sent_and_says_why(
    world, sw, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(
        child=ChildFactory(la=world.la),
        childs_views="",
        about_the_child="",
        risk_self_harm="",
        live_alongside="",
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError) as err:
        referral_send(by=sw, referral=referral)
    assert err.value.field == "completeness"
    assert "64% complete" in err.value.message and "at least 80%" in err.value.message
    assert "the child's views" in err.value.message
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT and referral.sent_at is None
    assert not mail.outbox


def test_a_past_latest_start_date_blocks_sending(world, sw):
    referral = ReferralFactory(
        child=ChildFactory(la=world.la),
        latest_start_date=timezone.localdate() - dt.timedelta(days=2),
    )
    with pytest.raises(DomainError) as err:
        referral_send(by=sw, referral=referral)
    assert err.value.field == "latest_start_date"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


def test_several_blockers_are_all_reported(world, sw):
    referral = ReferralFactory(
        child=ChildFactory(la=world.la),
        latest_start_date=timezone.localdate() - dt.timedelta(days=2),
        moving_from_placement=True,
    )
    with pytest.raises(DomainError) as err:
        referral_send(by=sw, referral=referral)
    assert set(err.value.errors) == {"latest_start_date", "reviews"}


def test_only_a_social_worker_of_the_childs_la_sends(world):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    for role in (Role.IRO, Role.PLACEMENT_OFFICER):
        with pytest.raises(DomainError):
            referral_send(by=world.users[role], referral=referral)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


def test_a_sent_referral_cannot_be_sent_again(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.SENT)
    with pytest.raises(DomainError):
        referral_send(by=sw, referral=referral)


def test_withdrawing_needs_a_reason_and_closes_open_requests(
    world, sw, django_capture_on_commit_callbacks
):
    from tests.providers.factories import HouseholdFactory

    referral = ReferralFactory(child=ChildFactory(la=world.la), status=ReferralStatus.SENT)
    household = HouseholdFactory()
    target = ReferralTarget.objects.create(
        referral=referral, household=household, provider=household.provider, score=80, sent_by=sw
    )
    with pytest.raises(DomainError) as err:
        referral_withdraw(by=sw, referral=referral, reason="  ")
    assert err.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        referral_withdraw(by=sw, referral=referral, reason="Returning home to family.")
    referral.refresh_from_db()
    target.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.withdrawn_reason == "Returning home to family."
    assert target.status == TargetStatus.WITHDRAWN
    event = referral.events.get(verb="withdrawn")
    assert event.detail["was"] == "sent" and event.detail["targets_closed"] == 1
    assert [m.to for m in mail.outbox] == [[world.users[Role.PLACEMENT_OFFICER].email]]


@pytest.mark.parametrize("status", [ReferralStatus.PLACED, ReferralStatus.WITHDRAWN])
def test_a_final_referral_cannot_be_withdrawn(world, sw, status):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=status)
    with pytest.raises(DomainError):
        referral_withdraw(by=sw, referral=referral, reason="Because")


@pytest.mark.parametrize("status", ["draft", "sent", "proposed", "returned", "approved"])
def test_any_other_state_can_be_withdrawn(world, sw, status):
    referral = ReferralFactory(child=ChildFactory(la=world.la), status=status)
    referral_withdraw(by=sw, referral=referral, reason="Plan changed.")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.WITHDRAWN


def test_a_child_has_one_open_referral_at_a_time(world, sw):
    child = ChildFactory(la=world.la)
    first = referral_create(by=sw, child=child)
    with pytest.raises(DomainError) as err:
        referral_create(by=sw, child=child)
    assert f"referral {first.pk}" in err.value.message
    referral_withdraw(by=sw, referral=first, reason="Started again with new information.")
    assert referral_create(by=sw, child=child).pk != first.pk


def test_every_field_at_fault_is_reported_at_once(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    with pytest.raises(DomainError) as err:
        referral_update(
            by=sw,
            referral=referral,
            latest_start_date=timezone.localdate() - dt.timedelta(days=1),
            siblings=[ChildFactory(la=world.other_la).pk],
            risk_missing="sometimes",
        )
    assert set(err.value.errors) == {"latest_start_date", "siblings", "risk_missing"}
    assert err.value.field == "latest_start_date"
