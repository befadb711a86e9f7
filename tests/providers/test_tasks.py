"""The daily stale-register email: who gets it, what it lists, and once a day only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from apps.accounts.roles import Role
from apps.providers.models import StaleRegisterNotice
from apps.providers.services import stale_register_notify
from apps.providers.tasks import notify_stale_register
from tests.factories import user_with_role
from tests.providers.factories import HouseholdFactory, VacancyFactory
from tests.providers.register_helpers import make_register


@pytest.fixture
def reg(world):
    return make_register(world)


def old(days: int = 20) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_stale_records_are_emailed_to_the_provider_contact(reg):
    reg.provider.contact_email = "register@ifa.example"
    reg.provider.save()
    stale = HouseholdFactory(provider=reg.provider, reference="OLD-1", last_confirmed_at=old())
    VacancyFactory(household=stale, reference="OLD-1-A", last_confirmed_at=old())
    fresh = HouseholdFactory(provider=reg.provider, reference="NEW-1")
    VacancyFactory(household=fresh, reference="NEW-1-A")
    HouseholdFactory(
        provider=reg.provider, reference="GONE-1", status="resigned", last_confirmed_at=old()
    )
    VacancyFactory(household=fresh, reference="FILLED", status="filled", last_confirmed_at=old())

    counts = stale_register_notify()

    assert counts == {"providers": 1, "emails": 1, "already_notified": 0, "no_recipients": 0}
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["register@ifa.example"]
    assert "1 household and 1 vacancy need confirming" in email.subject
    assert "OLD-1 (last confirmed" in email.body
    assert "OLD-1 / OLD-1-A" in email.body
    for absent in ("NEW-1", "GONE-1", "FILLED"):
        assert absent not in email.body
    assert f"{settings.SITE_URL}/register/households/?stale=yes" in email.body
    notice = StaleRegisterNotice.objects.get()
    assert (notice.households, notice.vacancies, notice.recipients) == (
        1,
        1,
        ["register@ifa.example"],
    )


def test_without_a_contact_the_provider_staff_are_emailed(reg):
    HouseholdFactory(provider=reg.other, last_confirmed_at=old())
    data_officer = user_with_role(Role.PROVIDER_DATA, reg.world.other_ifa)
    stale_register_notify()
    assert sorted(mail.outbox[0].to) == sorted([reg.other_staff.email, data_officer.email])


def test_once_a_day_per_provider(reg):
    HouseholdFactory(provider=reg.provider, last_confirmed_at=old())
    today = timezone.localdate()
    assert stale_register_notify(today=today)["emails"] == 1
    again = stale_register_notify(today=today)
    assert again["emails"] == 0 and again["already_notified"] == 1
    assert len(mail.outbox) == 1
    assert stale_register_notify(today=today + dt.timedelta(days=1))["emails"] == 1
    assert len(mail.outbox) == 2


def test_nothing_stale_nothing_sent(reg):
    HouseholdFactory(provider=reg.provider, last_confirmed_at=old(13))
    assert stale_register_notify()["providers"] == 0
    assert mail.outbox == []


def test_provider_without_anyone_to_tell_is_recorded(reg):
    HouseholdFactory(provider=reg.provider, last_confirmed_at=old())
    reg.staff.memberships.all().delete()
    for user in reg.world.users.values():
        user.memberships.filter(organisation=reg.world.ifa).delete()
    counts = stale_register_notify()
    assert counts["no_recipients"] == 1 and mail.outbox == []
    assert StaleRegisterNotice.objects.get().recipients == []


def test_task_calls_the_service_and_is_scheduled_daily(reg):
    HouseholdFactory(provider=reg.provider, last_confirmed_at=old())
    result = notify_stale_register.delay().get()
    assert result["emails"] == 1
    entry = settings.CELERY_BEAT_SCHEDULE["register-stale-notify"]
    assert (
        entry["task"] == notify_stale_register.name == "apps.providers.tasks.notify_stale_register"
    )
    assert entry["schedule"].hour == {7}
