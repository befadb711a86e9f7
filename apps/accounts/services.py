"""Writes to people, memberships, API tokens and two-factor devices. Every change is audited
by django-auditlog."""

from __future__ import annotations

import secrets
from datetime import timedelta

from auditlog.context import auditlog_value, set_actor
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.core.errors import DomainError
from apps.organisations.kinds import ROLES_BY_KIND
from apps.organisations.models import Organisation

from .forms import InvitationForm
from .models import ApiToken, Membership, User
from .querysets import administered_organisation_ids
from .roles import Role
from .two_factor import requires_two_factor


@transaction.atomic
def membership_grant(
    *,
    by: User,
    email: str,
    organisation: Organisation,
    role: str,
    first_name: str = "",
    last_name: str = "",
    request=None,  # type: ignore[no-untyped-def]
) -> Membership:
    """Give a person (new or existing, by email) a role in an organisation `by` administers."""
    administered = administered_organisation_ids(by)
    if administered is not None and organisation.pk not in administered:
        raise DomainError("You do not administer that organisation.", field="organisation")
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise DomainError(
            f"The role {Role(role).label} cannot be held in a {organisation.get_kind_display()}.",
            field="role",
        )
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        # A random password nobody knows: the person sets their own from the emailed link, and
        # "Forgotten your password?" works for them too (it skips unusable passwords).
        user = User.objects.create_user(
            email=email,
            password=secrets.token_urlsafe(32),
            first_name=first_name,
            last_name=last_name,
        )
    membership, made = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if not made:
        raise DomainError(f"{email} already holds that role there.", field="role")
    if created and request is not None:
        form = InvitationForm({"email": email})
        if form.is_valid():
            transaction.on_commit(
                lambda: form.save(
                    request=request,
                    use_https=request.is_secure(),
                    subject_template_name="accounts/email/welcome_subject.txt",
                    email_template_name="accounts/email/welcome.txt",
                    extra_email_context={
                        "invited_by": str(by),
                        "organisation": str(organisation),
                        "role": Role(role).label,
                    },
                )
            )
    return membership


@transaction.atomic
def membership_revoke(*, by: User, membership: Membership) -> None:
    if not Membership.objects.visible_to(by).filter(pk=membership.pk).exists():
        raise DomainError("You do not administer that membership.")
    if membership.user_id == by.pk and membership.role == Role.ADMINISTRATOR:
        raise DomainError("You cannot remove your own administrator role.")
    membership.delete()
    # The user's tokens carried the rights this membership gave: they end with it.
    api_tokens_revoke_all(user=membership.user)


# --- API tokens ---------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(
    *, user: User, name: str, read_only: bool = False, verified: bool = True
) -> tuple[ApiToken, str]:
    """Mint a named API token for `user`; returns it and its secret (shown once, never stored).

    `verified`: the session minting it was verified with two-factor sign-in. Where the user must
    use two-factor, only a verified session may mint one."""
    name = name.strip()
    if not name:
        raise DomainError(
            "Enter a name for the token, such as the system that will use it.", field="name"
        )
    if requires_two_factor(user) and not verified:
        raise DomainError("Sign in with two-factor before creating an API token.")
    return ApiToken.objects.create(  # type: ignore[no-any-return]
        user,
        expiry=timedelta(days=settings.RCC_API_TOKEN_TTL_DAYS),
        name=name[:100],
        read_only=read_only,
        two_factor_verified=verified,
    )


@transaction.atomic
def api_token_revoke(*, by: User, token: ApiToken) -> None:
    if token.user_id != by.pk:
        raise DomainError("You can revoke only your own API tokens.")
    token.delete()


@transaction.atomic
def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of `user` (password changed or reset, membership ended, two-factor
    reset); returns how many there were."""
    count, _ = ApiToken.objects.filter(user=user).delete()
    return count


# --- two-factor sign-in -------------------------------------------------------------------------


@transaction.atomic
def two_factor_reset(*, by: User, user: User) -> int:
    """An administrator removes a person's two-factor devices (a lost phone): at their next
    sign-in they set up a new one. Their API tokens are revoked too. Audited with `by` as the
    actor; only for people in the organisations `by` administers, never oneself."""
    if user.pk == by.pk:
        raise DomainError("Ask another administrator to reset your own two-factor sign-in.")
    if not by.is_superuser and (
        user.is_superuser or not User.objects.visible_to(by).filter(pk=user.pk).exists()
    ):
        raise DomainError("You do not administer that person.")
    previous = auditlog_value.get(None)
    try:
        with set_actor(by):
            count = 0
            for device in TOTPDevice.objects.filter(user=user):
                device.delete()
                count += 1
            api_tokens_revoke_all(user=user)
    finally:
        if previous is not None:
            auditlog_value.set(previous)
    return count
