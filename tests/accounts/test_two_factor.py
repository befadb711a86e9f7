"""Two-factor sign-in: who needs it (derived from the rules), setting up a device, and an
administrator's reset (issue 11, item 1)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import Membership
from apps.accounts.roles import Role
from tests.accounts.test_auth import current_code, sign_in
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

SET_UP = "accounts:two_factor_setup"
VERIFY = "accounts:two_factor_verify"


@pytest.fixture
def two_factor_required(settings):
    settings.RCC_REQUIRE_2FA = True


def verify(client, device: TOTPDevice) -> None:
    response = client.post(reverse(VERIFY), {"token": current_code(device), "next": "/"})
    assert response.status_code == 302, response.content.decode()


# --- setting up a device ----------------------------------------------------------------------


def test_a_password_alone_cannot_set_up_a_new_device_over_a_confirmed_one(
    client, world, two_factor_required
):
    """The bypass: with a confirmed device, password-only sign-in then set-up gave full access."""
    user = world.users[Role.SOCIAL_WORKER]
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user.email)

    response = client.get(reverse(SET_UP) + "?next=/")
    assert response.status_code == 302
    assert response["Location"] == reverse(VERIFY) + "?next=%2F"
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists(), "no fresh secret"

    # Nor can a code for a device made some other way be confirmed through the set-up page.
    rogue = TOTPDevice.objects.create(user=user, name="attacker", confirmed=False)
    response = client.post(reverse(SET_UP), {"token": current_code(rogue), "next": "/"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(VERIFY))
    rogue.refresh_from_db()
    assert not rogue.confirmed
    assert client.get(reverse("home")).status_code == 302, "still not signed in fully"
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_a_verified_session_may_add_a_further_device(client, world, two_factor_required):
    user = world.users[Role.SOCIAL_WORKER]
    phone = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user.email)
    verify(client, phone)

    page = client.get(reverse(SET_UP))
    assert page.status_code == 200
    assert "another device" in page.content.decode()
    new = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse(SET_UP), {"token": current_code(new), "next": "/"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert new.confirmed
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2


def test_the_first_device_is_set_up_after_the_password(client, world, two_factor_required):
    user = world.users[Role.NCC_ANALYST]
    sign_in(client, user.email)
    assert client.get(reverse(SET_UP)).status_code == 200


# --- who needs two-factor ---------------------------------------------------------------------


def test_the_ncc_analyst_needs_two_factor(client, world, two_factor_required):
    """NCC analysts download the DfE export, return prefills and submission originals."""
    client.force_login(world.users[Role.NCC_ANALYST])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(SET_UP))
    assert client.get(reverse("api:me")).status_code == 403


def test_every_role_that_reaches_a_child_data_rule_needs_two_factor(world):
    from apps.core.permissions import child_data_roles
    from apps.monitoring.permissions import VIEW_RETURNS
    from apps.referrals.permissions import VIEW_CHILDREN
    from apps.reporting.permissions import DFE_EXPORT

    roles = child_data_roles()
    for rule in (DFE_EXPORT, VIEW_RETURNS, VIEW_CHILDREN):
        assert rule.child_data
        assert rule.roles is not None and rule.roles <= roles
    assert Role.NCC_ANALYST in roles


def test_a_role_that_reaches_no_child_data_rule_does_not_need_two_factor(
    client, world, two_factor_required, monkeypatch
):
    from apps.core import permissions

    monkeypatch.setattr(permissions, "_RULES", list(permissions._RULES))
    permissions.Rule("test.rota", frozenset({"rota_clerk"}))  # reaches nothing sensitive
    assert "rota_clerk" not in permissions.child_data_roles()

    clerk = UserFactory()
    Membership.objects.create(user=clerk, organisation=world.rcc, role="rota_clerk")
    client.force_login(clerk)
    assert client.get(reverse("api:me")).status_code == 200

    permissions.Rule("test.rota.children", frozenset({"rota_clerk"}), child_data=True)
    assert "rota_clerk" in permissions.child_data_roles()
    assert client.get(reverse("api:me")).status_code == 403


def test_a_rule_for_everyone_cannot_be_marked_as_child_data():
    from apps.core.permissions import Rule

    with pytest.raises(ValueError, match="name the roles"):
        Rule("test.everyone.children", None, child_data=True)


# --- an administrator's reset -----------------------------------------------------------------


def test_an_administrator_resets_two_factor_audited_and_tokens_revoked(client, world):
    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_create

    admin = world.users[Role.ADMINISTRATOR]
    person = world.users[Role.COMMISSIONER]  # in the RCC the administrator administers
    device = TOTPDevice.objects.create(user=person, name="lost phone", confirmed=True)
    api_token_create(user=person, name="sync")
    client.force_login(admin)

    people = client.get(reverse("accounts:people")).content.decode()
    url = reverse("accounts:two_factor_reset", args=[person.pk])
    assert url in people
    page = client.get(url)
    assert page.status_code == 200
    assert person.email in page.content.decode()

    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not ApiToken.objects.filter(user=person).exists()
    (deleted,) = LogEntry.objects.filter(
        content_type__model="totpdevice", object_pk=str(device.pk), action=LogEntry.Action.DELETE
    )
    assert deleted.actor == admin


def test_a_reset_is_only_for_people_the_administrator_administers(client, world):
    from apps.accounts.services import two_factor_reset
    from apps.core.errors import DomainError

    admin = world.users[Role.ADMINISTRATOR]
    outsider = user_with_role(Role.COMMISSIONER, world.other_rcc)
    device = TOTPDevice.objects.create(user=outsider, name="phone", confirmed=True)
    client.force_login(admin)
    url = reverse("accounts:two_factor_reset", args=[outsider.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    with pytest.raises(DomainError):
        two_factor_reset(by=admin, user=outsider)
    with pytest.raises(DomainError, match="another administrator"):
        two_factor_reset(by=admin, user=admin)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    client.force_login(world.users[Role.COMMISSIONER])
    assert client.post(url).status_code == 403
