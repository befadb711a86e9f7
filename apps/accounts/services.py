"""Writes to people and memberships. Every change is audited by django-auditlog."""

from __future__ import annotations

import secrets

from django.db import transaction

from apps.core.errors import DomainError
from apps.organisations.kinds import ROLES_BY_KIND
from apps.organisations.models import Organisation

from .forms import InvitationForm
from .models import Membership, User
from .querysets import administered_organisation_ids
from .roles import Role


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
