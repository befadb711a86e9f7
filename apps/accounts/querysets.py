from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from .models import User


def administered_organisation_ids(user: User) -> set[int] | None:
    """Organisations whose people this user administers; None means all of them."""
    from apps.organisations.kinds import OrganisationKind

    from .roles import Role

    if user.is_superuser:
        return None
    admin_memberships = [m for m in user.membership_list if m.role == Role.ADMINISTRATOR]
    if any(m.organisation.kind == OrganisationKind.NCC for m in admin_memberships):
        return None
    return {m.organisation_id for m in admin_memberships}


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> UserQuerySet:
        """People a user may see: themselves, and those in organisations they administer."""
        if not user.is_authenticated:
            return self.none()
        ids = administered_organisation_ids(user)
        if ids is None:
            return self.all()
        return self.filter(
            models.Q(pk=user.pk) | models.Q(memberships__organisation_id__in=ids)
        ).distinct()


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MembershipQuerySet:
        if not user.is_authenticated:
            return self.none()
        ids = administered_organisation_ids(user)
        if ids is None:
            return self.all()
        return self.filter(models.Q(user=user) | models.Q(organisation_id__in=ids))


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ApiTokenQuerySet:
        """A person's own API tokens; nobody sees another's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unexpired(self) -> ApiTokenQuerySet:
        return self.filter(models.Q(expiry__isnull=True) | models.Q(expiry__gt=timezone.now()))


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """A person's notifications are theirs alone (superusers too: they are not shared)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user_id=user.pk)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)
