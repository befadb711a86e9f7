"""Signing in and out, lockout, passwords, API tokens and two-factor sign-in."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import ApiToken
from apps.accounts.roles import Role
from apps.accounts.services import api_token_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "accounts:login"


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, **extra)


# --- sign in and out --------------------------------------------------------------------------


def test_sign_in_with_email_and_password_then_sign_out(client, world):
    user = world.users[Role.COMMISSIONER]
    assert client.get(reverse(LOGIN)).status_code == 200
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert int(client.session[SESSION_KEY]) == user.pk
    assert client.get(reverse("home")).status_code == 200

    assert client.get(reverse("accounts:logout")).status_code == 405, "signing out is a POST"
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN)
    assert SESSION_KEY not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_sign_in_follows_a_safe_next_only(client, world):
    user = world.users[Role.COMMISSIONER]
    response = client.post(
        reverse(LOGIN) + "?next=/organisations/",
        {"username": user.email, "password": PASSWORD, "next": "/organisations/"},
    )
    assert response["Location"] == "/organisations/"
    client.post(reverse("accounts:logout"))
    response = client.post(
        reverse(LOGIN),
        {"username": user.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_a_wrong_password_shows_an_error(client, world):
    response = sign_in(client, world.users[Role.COMMISSIONER].email, "wrong-password-123")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_axes_locks_out_after_the_failure_limit(client, world):
    user = world.users[Role.COMMISSIONER]
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in(client, user.email, "wrong-password-123").status_code == 200
    locked = sign_in(client, user.email, "wrong-password-123")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password is refused now.
    again = sign_in(client, user.email)
    assert again.status_code == 429
    assert SESSION_KEY not in client.session
    # Another account from the same address is not locked.
    other = world.users[Role.SCRUTINEER]
    assert sign_in(client, other.email).status_code == 302


def test_a_successful_sign_in_resets_the_failure_count(client, world):
    user = world.users[Role.COMMISSIONER]
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, user.email, "wrong-password-123")
    assert sign_in(client, user.email).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.email, "wrong-password-123").status_code == 200


# --- passwords --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("Short1!", "too short"),
        ("password1234", "too common"),
        ("480193756204", "entirely numeric"),
    ],
)
def test_password_change_rejects_weak_passwords(client, world, new_password, message):
    user = world.users[Role.IRO]
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_rejects_a_password_like_the_email(client, world):
    user = world.users[Role.IRO]
    client.force_login(user)
    weak = user.email
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert "too similar" in " ".join(response.context["form"].errors["new_password2"])


def test_password_change_accepts_a_strong_password(client, world):
    user = world.users[Role.IRO]
    client.force_login(user)
    strong = "Kestrel-orbit-Lantern-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user.refresh_from_db()
    assert user.check_password(strong)
    assert client.get(reverse("home")).status_code == 200, "still signed in after the change"


# --- API authentication ----------------------------------------------------------------------


def test_api_token_authentication(client, world):
    user = world.users[Role.PLACEMENT_OFFICER]
    _, secret = api_token_create(user=user, name="test")
    response = client.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user.email
    assert body["roles"] == [Role.PLACEMENT_OFFICER]
    assert body["memberships"][0]["organisation"] == world.hub.pk


def test_api_refuses_a_wrong_token_and_anonymous_callers_with_401_json(client, world):
    for headers in ({}, {"HTTP_AUTHORIZATION": "Token not-a-real-token"}):
        response = client.get(reverse("api:organisation-list"), **headers)
        assert response.status_code == 401
        assert response["Content-Type"] == "application/json"
        assert response["WWW-Authenticate"] == "Token"
        body = response.json()
        assert set(body) == {"detail", "errors"}
        assert body["detail"]


def test_profile_issues_and_revokes_an_api_token(client, world):
    user = world.users[Role.COMMISSIONER]
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"action": "new-token", "name": "sync"})
    token = ApiToken.objects.get(user=user)
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    api = client.__class__()
    assert api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}").status_code == 200
    client.post(reverse("accounts:profile"), {"action": "revoke-token", "token": token.pk})
    assert not ApiToken.objects.filter(user=user).exists()
    assert api.get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {secret}").status_code == 401


# --- two-factor sign-in -----------------------------------------------------------------------


def current_code(device: TOTPDevice) -> str:
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{code:0{device.digits}d}"


@pytest.fixture
def two_factor_required(settings):
    settings.RCC_REQUIRE_2FA = True


def test_two_factor_set_up_then_home(client, world, two_factor_required):
    user = world.users[Role.SOCIAL_WORKER]
    assert sign_in(client, user.email).status_code == 302

    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor_setup") + "?next=/"

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert page.context["secret"] in page.content.decode()

    wrong = client.post(reverse("accounts:two_factor_setup"), {"token": "000000", "next": "/"})
    if current_code(device) != "000000":
        assert wrong.status_code == 200
        assert "That code is not right" in wrong.content.decode()
        device.refresh_from_db()
        assert not device.confirmed
        device.throttling_failure_count = 0  # the wrong code delayed the next try; reset it
        device.throttling_failure_timestamp = None
        device.save()

    response = client.post(
        reverse("accounts:two_factor_setup"), {"token": current_code(device), "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


def test_two_factor_verify_on_the_next_sign_in(client, world, two_factor_required):
    user = world.users[Role.PLACEMENT_OFFICER]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, user.email)
    response = client.get(reverse("organisations:list"))
    assert response["Location"] == reverse("accounts:two_factor_verify") + "?next=/organisations/"
    assert client.get(response["Location"]).status_code == 200
    response = client.post(
        reverse("accounts:two_factor_verify"),
        {"token": current_code(device), "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/", "an outside `next` is ignored"
    assert client.get(reverse("organisations:list")).status_code == 200


def test_people_without_a_role_are_not_forced_to_use_two_factor(client, world, two_factor_required):
    """Which roles need two-factor is derived from the rules: tests/accounts/test_two_factor.py."""
    client.force_login(UserFactory())
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200


def test_two_factor_is_off_unless_required(client, world):
    assert settings.RCC_REQUIRE_2FA is False
    client.force_login(world.users[Role.SOCIAL_WORKER])
    assert client.get(reverse("home")).status_code == 200


def test_unverified_api_session_is_refused_with_403_json(client, world, two_factor_required):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.get(reverse("api:organisation-list"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Two-factor verification is required for this account.",
        "errors": {},
    }


def test_signing_out_needs_no_second_factor(client, world, two_factor_required):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN)
