"""Every change to organisations, memberships and users is in the audit log, with who and when."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.accounts.services import membership_grant, membership_revoke
from apps.organisations.models import Organisation
from tests.factories import IfaFactory

pytestmark = pytest.mark.django_db


def entries_for(obj, action: int) -> list[LogEntry]:
    return list(LogEntry.objects.get_for_object(obj).filter(action=action))


def test_organisation_create_and_change_are_logged_with_the_actor(world):
    actor = world.users[Role.ADMINISTRATOR]
    with set_actor(actor):
        ifa = IfaFactory(name="Audited Fostering")
        ifa.name = "Audited Fostering Ltd"
        ifa.save()
    (created,) = entries_for(ifa, LogEntry.Action.CREATE)
    (changed,) = entries_for(ifa, LogEntry.Action.UPDATE)
    assert created.actor == changed.actor == actor
    assert changed.changes_dict["name"] == ["Audited Fostering", "Audited Fostering Ltd"]
    assert changed.timestamp is not None


def test_changes_outside_a_request_are_logged_without_an_actor(world):
    Organisation.objects.filter(pk=world.ifa.pk).get().save()
    ifa = IfaFactory()
    (created,) = entries_for(ifa, LogEntry.Action.CREATE)
    assert created.actor is None


def test_the_add_person_page_logs_the_new_user_and_membership_with_the_administrator(client, world):
    admin = world.users[Role.ADMINISTRATOR]
    client.force_login(admin)
    response = client.post(
        reverse("accounts:membership_grant"),
        {
            "email": "audited@test.rcc.example",
            "organisation": world.rcc.pk,
            "role": Role.SCRUTINEER,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="audited@test.rcc.example")
    membership = Membership.objects.get(user=user)
    (user_entry,) = entries_for(user, LogEntry.Action.CREATE)
    (membership_entry,) = entries_for(membership, LogEntry.Action.CREATE)
    assert user_entry.actor == admin
    assert membership_entry.actor == admin
    assert membership_entry.remote_addr == "127.0.0.1"
    assert "password" not in user_entry.changes_dict, "password hashes stay out of the log"


def test_removing_a_role_on_the_page_logs_the_deletion_with_the_administrator(client, world):
    admin = world.users[Role.ADMINISTRATOR]
    membership = world.users[Role.SCRUTINEER].memberships.get()
    pk = membership.pk
    client.force_login(admin)
    client.post(reverse("accounts:membership_revoke", kwargs={"pk": pk}))
    assert not Membership.objects.filter(pk=pk).exists()
    entry = LogEntry.objects.get(
        content_type__model="membership", object_pk=str(pk), action=LogEntry.Action.DELETE
    )
    assert entry.actor == admin


def test_services_log_grants_and_revocations(world):
    admin = world.users[Role.ADMINISTRATOR]
    with set_actor(admin):
        membership = membership_grant(
            by=admin, email="svc@test.rcc.example", organisation=world.rcc, role=Role.COMMISSIONER
        )
        pk = membership.pk
        membership_revoke(by=admin, membership=membership)
    actions = list(
        LogEntry.objects.filter(content_type__model="membership", object_pk=str(pk))
        .order_by("timestamp")
        .values_list("action", "actor")
    )
    assert actions == [(LogEntry.Action.CREATE, admin.pk), (LogEntry.Action.DELETE, admin.pk)]


def test_user_changes_are_logged_but_not_sign_ins(client, world):
    user = world.users[Role.IRO]
    user.job_title = "Senior IRO"
    user.save()
    (changed,) = entries_for(user, LogEntry.Action.UPDATE)
    assert changed.changes_dict["job_title"] == ["", "Senior IRO"]
    before = LogEntry.objects.get_for_object(user).count()
    client.post(
        reverse("accounts:login"), {"username": user.email, "password": "a-Long-test-password-1"}
    )
    assert LogEntry.objects.get_for_object(user).count() == before, "last_login is excluded"


def test_api_token_callers_are_named_in_the_audit_log(world, rf):
    """AuditlogMiddleware runs before DRF reads the token; the token class names the actor."""
    from auditlog.context import set_extra_data

    from apps.accounts.services import api_token_create
    from apps.core.api.authentication import TokenAuthentication

    user = world.users[Role.PROVIDER_REFERRALS]
    token, secret = api_token_create(user=user, name="test")
    request = rf.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")
    with set_extra_data(context_data={"actor": None}):  # what the middleware sets for a token call
        assert TokenAuthentication().authenticate(request) == (user, token)
        ifa = IfaFactory()
    (created,) = entries_for(ifa, LogEntry.Action.CREATE)
    assert created.actor == user


def test_the_api_uses_the_auditing_token_class(settings):
    classes = settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    assert classes[0] == "apps.core.api.authentication.TokenAuthentication"
