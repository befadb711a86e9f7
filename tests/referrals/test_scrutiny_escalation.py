"""The beat job escalates an emergency placement whose 72-hour scrutiny is overdue to the RCC's
scrutineers and the hub manager (else the hub's placement officers), once per placement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Membership, Notification, NotificationKind
from apps.accounts.roles import Role
from apps.referrals.models import Placement
from apps.referrals.services.choosing import referral_propose
from apps.referrals.services.placements import placement_agree
from apps.referrals.services.scrutiny import scrutiny_decide
from apps.referrals.tasks import escalate_overdue_scrutiny
from tests.factories import user_with_role
from tests.referrals.placing_factories import journey, offer_on

pytestmark = pytest.mark.django_db


def _emergency(world, hours_overdue=2):
    j = journey(world, urgency="emergency")
    referral_propose(
        referral=j.referral, offer=offer_on(j.ifa), by=j.social_worker, reason="best_meets_needs"
    )
    placement = placement_agree(referral=j.referral, by=j.placement_officer)
    Placement.objects.filter(pk=placement.pk).update(
        emergency_scrutiny_due=timezone.now() - dt.timedelta(hours=hours_overdue)
    )
    return j, placement


def _escalations():
    return Notification.objects.filter(kind=NotificationKind.SCRUTINY_OVERDUE)


def _run(capture):
    with capture(execute=True):
        return escalate_overdue_scrutiny()


def test_overdue_is_escalated_once_to_scrutineers_and_the_hub_manager(
    world, django_capture_on_commit_callbacks
):
    j, placement = _emergency(world)
    manager = user_with_role(Role.PLACEMENT_OFFICER, world.hub)
    Membership.objects.filter(user=manager).update(manager=True)
    scrutineer = world.users[Role.SCRUTINEER]
    mail.outbox.clear()
    assert _run(django_capture_on_commit_callbacks) == 1
    sent = sorted(tuple(m.to) for m in mail.outbox)
    assert sent == sorted([(scrutineer.email,), (manager.email,)])
    assert "emergency scrutiny overdue" in mail.outbox[0].subject
    # The other placement officer is not the manager: not told.
    assert not _escalations().filter(user=j.placement_officer).exists()
    to_scrutineer = _escalations().get(user=scrutineer)
    assert to_scrutineer.kind == NotificationKind.SCRUTINY_OVERDUE
    assert to_scrutineer.link == reverse("referrals:scrutiny_decide", args=[j.referral.pk])
    assert _escalations().get(user=manager).link == reverse(
        "referrals:placement_detail", args=[placement.pk]
    )
    assert j.referral.events.filter(verb="scrutiny_escalated").count() == 1
    # Idempotent: a second run tells no one again.
    mail.outbox.clear()
    assert _run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    assert _escalations().count() == 2


def test_without_a_manager_the_hubs_placement_officers_are_told(
    world, django_capture_on_commit_callbacks
):
    _emergency(world)
    hub_officer = world.users[Role.PLACEMENT_OFFICER]
    user_with_role(Role.PLACEMENT_OFFICER, world.other_hub)  # another RCC's hub: never told
    assert _run(django_capture_on_commit_callbacks) == 1
    told = set(_escalations().values_list("user__email", flat=True))
    assert told == {world.users[Role.SCRUTINEER].email, hub_officer.email}


def test_not_yet_due_or_already_scrutinised_is_not_escalated(
    world, django_capture_on_commit_callbacks
):
    _emergency(world, hours_overdue=-5)  # due in five hours
    j, placement = _emergency(world)
    scrutiny_decide(
        referral=j.referral,
        by=world.users[Role.SCRUTINEER],
        decision="approved",
        reasons="Right call in the circumstances",
    )
    mail.outbox.clear()
    assert _run(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    placement.refresh_from_db()
    assert placement.scrutiny_escalated_at is None


def test_the_job_is_on_the_beat_schedule():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "apps.referrals.tasks.escalate_overdue_scrutiny" in tasks


def test_a_scrutineer_who_turned_email_off_is_still_told_in_the_app(
    world, django_capture_on_commit_callbacks
):
    from apps.accounts.models import EmailPreference

    scrutineer = world.users[Role.SCRUTINEER]
    EmailPreference.objects.create(
        user=scrutineer, kind=NotificationKind.SCRUTINY_OVERDUE, email=False
    )
    _emergency(world)
    mail.outbox.clear()
    _run(django_capture_on_commit_callbacks)
    assert all(scrutineer.email not in m.to for m in mail.outbox)
    assert _escalations().filter(user=scrutineer).exists()
