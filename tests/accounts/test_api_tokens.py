"""API tokens: hashed at rest, named, expiring, listed and revocable, read-only scope, revoked
with the password or the membership, and the two-factor rule (issue 11, item 2)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.roles import Role
from tests.accounts.test_auth import current_code, sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = "accounts:profile"
ME = "api:me"


def mint(client, name: str = "Case system", read_only: bool = False) -> str:
    """Mint a token on the profile page; return the secret it shows once."""
    data = {"action": "new-token", "name": name}
    if read_only:
        data["read_only"] = "on"
    response = client.post(reverse(PROFILE), data, follow=True)
    assert response.status_code == 200
    match = re.search(r'data-token-secret="([^"]+)"', response.content.decode()) or re.search(
        r"Your new API token is ([0-9a-f]+)", response.content.decode()
    )
    assert match, "the page shows the new secret"
    return match.group(1)


def call(path_name: str, secret: str, method: str = "get", **kwargs):
    api = Client()
    return getattr(api, method)(reverse(path_name), HTTP_AUTHORIZATION=f"Token {secret}", **kwargs)


def all_token_columns() -> str:
    """Every value of every column of every token table, as one string."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND (table_name LIKE '%%token%%')"
        )
        text = []
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
            text.extend(str(value) for row in cursor.fetchall() for value in row)
    return " ".join(text)


def test_the_secret_is_not_stored(client, world):
    client.force_login(world.users[Role.COMMISSIONER])
    secret = mint(client)
    assert call(ME, secret).status_code == 200
    assert secret not in all_token_columns()


def test_tokens_expire_after_the_configured_days(client, world, settings):
    from apps.accounts.models import ApiToken

    settings.RCC_API_TOKEN_TTL_DAYS = 30
    user = world.users[Role.COMMISSIONER]
    client.force_login(user)
    secret = mint(client)
    token = ApiToken.objects.get(user=user)
    assert abs(token.expiry - token.created - timedelta(days=30)) < timedelta(seconds=5)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert call(ME, secret).status_code == 401


def test_tokens_are_named_listed_and_revoked_one_by_one(client, world):
    from apps.accounts.models import ApiToken

    user = world.users[Role.COMMISSIONER]
    client.force_login(user)
    first = mint(client, name="Case system")
    second = mint(client, name="Spreadsheet", read_only=True)
    page = client.get(reverse(PROFILE)).content.decode()
    assert "Case system" in page and "Spreadsheet" in page
    assert "Read only" in page
    assert first not in page and second not in page, "a secret is shown once only"
    assert call(ME, first).status_code == 200

    token = ApiToken.objects.get(user=user, name="Case system")
    client.post(reverse(PROFILE), {"action": "revoke-token", "token": token.pk})
    assert call(ME, first).status_code == 401
    assert call(ME, second).status_code == 200
    token = ApiToken.objects.get(user=user, name="Spreadsheet")
    assert token.last_used_at is not None


def test_a_token_can_only_be_revoked_by_its_owner(client, world):
    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_create

    _, secret = api_token_create(user=world.users[Role.IRO], name="theirs")
    client.force_login(world.users[Role.COMMISSIONER])
    token = ApiToken.objects.get(name="theirs")
    response = client.post(reverse(PROFILE), {"action": "revoke-token", "token": token.pk})
    assert response.status_code == 404
    assert call(ME, secret).status_code == 200


def test_a_name_is_needed(client, world):
    from apps.accounts.models import ApiToken

    client.force_login(world.users[Role.COMMISSIONER])
    response = client.post(reverse(PROFILE), {"action": "new-token", "name": " "})
    assert response.status_code == 200
    assert "Enter a name for the token" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_read_only_token_reads_but_may_not_write(world):
    from apps.accounts.services import api_token_create

    _, secret = api_token_create(user=world.users[Role.COMMISSIONER], name="ro", read_only=True)
    assert call(ME, secret).status_code == 200
    response = call(
        "api:organisation-list", secret, method="post", data={}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]


def test_changing_the_password_revokes_every_token(client, world):
    user = world.users[Role.COMMISSIONER]
    client.force_login(user)
    secret = mint(client)
    strong = "Another-long-passphrase-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    assert call(ME, secret).status_code == 401


def test_resetting_the_password_revokes_every_token(client, world):
    user = world.users[Role.COMMISSIONER]
    client.force_login(user)
    secret = mint(client)
    client.post(reverse("accounts:logout"))
    client.post(reverse("accounts:password_reset"), {"email": user.email})
    link = re.search(r"(/accounts/password/reset/[^/]+/[^/]+/)", mail.outbox[-1].body).group(1)
    response = client.get(link, follow=True)
    strong = "Another-long-passphrase-42"
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302
    assert call(ME, secret).status_code == 401


def test_ending_a_membership_revokes_the_tokens_it_needed(world):
    from apps.accounts.services import api_token_create, membership_revoke

    user = world.users[Role.COMMISSIONER]
    _, secret = api_token_create(user=user, name="sync")
    membership = user.memberships.get()
    membership_revoke(by=world.users[Role.ADMINISTRATOR], membership=membership)
    assert call(ME, secret).status_code == 401


# --- the two-factor rule ----------------------------------------------------------------------


@pytest.fixture
def two_factor_required(settings):
    settings.RCC_REQUIRE_2FA = True


def test_tokens_are_minted_only_after_two_factor_where_it_is_required(
    client, world, two_factor_required
):
    from apps.accounts.models import ApiToken
    from apps.accounts.services import api_token_create
    from apps.core.errors import DomainError

    user = world.users[Role.NCC_ANALYST]
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    with pytest.raises(DomainError):
        api_token_create(user=user, name="unverified", verified=False)
    sign_in(client, user.email)
    response = client.post(reverse(PROFILE), {"action": "new-token", "name": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not ApiToken.objects.filter(user=user).exists()

    client.post(reverse("accounts:two_factor_verify"), {"token": current_code(device)})
    secret = mint(client)
    assert ApiToken.objects.get(user=user).two_factor_verified
    assert call(ME, secret).status_code == 200


def test_a_token_minted_without_two_factor_is_refused_once_it_is_required(world, settings):
    from apps.accounts.services import api_token_create

    _, secret = api_token_create(user=world.users[Role.SOCIAL_WORKER], name="old", verified=False)
    assert call(ME, secret).status_code == 200
    settings.RCC_REQUIRE_2FA = True
    response = call(ME, secret)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"].lower()
