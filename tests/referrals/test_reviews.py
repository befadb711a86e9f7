"""Co-design: invite contributors, their answers, and the current carer's review before sending."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import ReferralStatus, ReviewStatus
from apps.referrals.models import ReferralReview
from apps.referrals.selectors import pending_review_count, reviews_requested_of
from apps.referrals.services.referrals import (
    referral_carer_review_skip,
    referral_review_invite,
    referral_review_respond,
    referral_send,
)
from tests.referrals.factories import ChildFactory, ReferralFactory, ReferralReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(world):  # type: ignore[no-untyped-def]
    return world.users[Role.SOCIAL_WORKER]


@pytest.fixture
def moving(world):  # type: ignore[no-untyped-def]
    return ReferralFactory(child=ChildFactory(la=world.la), moving_from_placement=True)


def test_inviting_a_platform_user_emails_them_and_shows_on_the_timeline(
    world, sw, moving, django_capture_on_commit_callbacks
):
    carer_officer = world.users[Role.PROVIDER_REFERRALS]
    with django_capture_on_commit_callbacks(execute=True):
        review = referral_review_invite(
            by=sw,
            referral=moving,
            email=carer_officer.email.upper(),
            contributor_role="current_carer",
        )
    assert review.reviewer == carer_officer and review.status == ReviewStatus.REQUESTED
    assert [m.to for m in mail.outbox] == [[carer_officer.email]]
    assert moving.events.get(verb="review_requested").detail["contributor_role"] == "current_carer"
    assert list(reviews_requested_of(carer_officer)) == [review]
    assert pending_review_count(carer_officer) == 1


@pytest.mark.parametrize(
    ("email", "role", "field", "text"),
    [
        ("nobody@nowhere.example", "current_carer", "email", "No one with the email address"),
        ("", "iro", "email", "Enter the email"),
        (None, "neighbour", "contributor_role", "Choose who"),
    ],
)
def test_bad_invitations_are_refused(world, sw, moving, email, role, field, text):
    email = world.users[Role.IRO].email if email is None else email
    with pytest.raises(DomainError) as err:
        referral_review_invite(by=sw, referral=moving, email=email, contributor_role=role)
    assert err.value.field == field and text in err.value.message
    assert not ReferralReview.objects.exists()


def test_the_same_person_is_asked_once_and_never_yourself(world, sw, moving):
    iro = world.users[Role.IRO]
    referral_review_invite(by=sw, referral=moving, email=iro.email, contributor_role="iro")
    with pytest.raises(DomainError) as err:
        referral_review_invite(by=sw, referral=moving, email=iro.email, contributor_role="other")
    assert "already been asked" in err.value.message
    with pytest.raises(DomainError):
        referral_review_invite(by=sw, referral=moving, email=sw.email, contributor_role="other")
    assert ReferralReview.objects.count() == 1


def test_only_the_person_asked_answers_and_changes_need_comments(
    world, sw, moving, django_capture_on_commit_callbacks
):
    reviewer = world.users[Role.PROVIDER_REFERRALS]
    review = ReferralReviewFactory(referral=moving, reviewer=reviewer, requested_by=sw)
    with pytest.raises(DomainError):
        referral_review_respond(by=world.users[Role.IRO], review=review, status="agreed")
    with pytest.raises(DomainError) as err:
        referral_review_respond(by=reviewer, review=review, status="changes", comments=" ")
    assert err.value.field == "comments"
    with django_capture_on_commit_callbacks(execute=True):
        referral_review_respond(
            by=reviewer, review=review, status="changes", comments="Add the weekly swimming club."
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.CHANGES and review.responded_at
    assert [m.to for m in mail.outbox] == [[sw.email]]
    event = moving.events.get(verb="review_answered")
    assert event.actor == reviewer and event.detail["comments"] == "Add the weekly swimming club."


def test_moving_from_a_placement_needs_the_current_carers_review_before_sending(world, sw, moving):
    with pytest.raises(DomainError) as err:
        referral_send(by=sw, referral=moving)
    assert err.value.field == "reviews" and "current carer" in err.value.message
    # An IRO's agreement is not the carer's review.
    iro_review = ReferralReviewFactory(
        referral=moving, reviewer=world.users[Role.IRO], contributor_role="iro"
    )
    referral_review_respond(by=world.users[Role.IRO], review=iro_review, status="agreed")
    with pytest.raises(DomainError):
        referral_send(by=sw, referral=moving)
    # A carer who declined to review does not count either.
    carer = world.users[Role.PROVIDER_REFERRALS]
    review = ReferralReviewFactory(
        referral=moving, reviewer=carer, contributor_role="current_carer"
    )
    referral_review_respond(by=carer, review=review, status="declined")
    with pytest.raises(DomainError):
        referral_send(by=sw, referral=moving)
    referral_review_respond(
        by=carer, review=review, status="changes", comments="Mention the dog allergy."
    )
    referral_send(by=sw, referral=moving)
    moving.refresh_from_db()
    assert moving.status == ReferralStatus.SENT


def test_the_carer_review_can_be_skipped_only_with_a_reason_on_the_timeline(world, sw, moving):
    with pytest.raises(DomainError) as err:
        referral_carer_review_skip(by=sw, referral=moving, reason="no")
    assert err.value.field == "reason"
    referral_carer_review_skip(
        by=sw, referral=moving, reason="The placement ended suddenly; carer unreachable."
    )
    referral_send(by=sw, referral=moving)
    moving.refresh_from_db()
    assert moving.status == ReferralStatus.SENT
    verbs = list(moving.events.order_by("at", "pk").values_list("verb", flat=True))
    assert verbs == ["carer_review_skipped", "sent"]
    assert moving.events.get(verb="sent").detail["carer_review_skipped"] is True


def test_skipping_is_only_for_a_child_moving_from_a_placement(world, sw):
    referral = ReferralFactory(child=ChildFactory(la=world.la))
    with pytest.raises(DomainError):
        referral_carer_review_skip(by=sw, referral=referral, reason="Not relevant at all here.")


def test_a_sent_referral_can_no_longer_be_reviewed(world, sw, moving):
    reviewer = world.users[Role.IRO]
    review = ReferralReviewFactory(referral=moving, reviewer=reviewer, contributor_role="iro")
    moving.status = ReferralStatus.SENT
    moving.save()
    with pytest.raises(DomainError):
        referral_review_respond(by=reviewer, review=review, status="agreed")
    with pytest.raises(DomainError):
        referral_review_invite(
            by=sw,
            referral=moving,
            email=world.users[Role.SCRUTINEER].email,
            contributor_role="other",
        )
