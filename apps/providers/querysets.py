"""Scoping of the register.

- Hub, RCC and NCC staff (and superusers) see every provider's households and vacancies:
  the register is national so that every kind of provider is searched at once.
- A provider's own staff see only their provider's households, vacancies and uploads.
- Anyone else sees none. Provider profiles (names, grades, contacts) are visible to all
  signed-in users.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone

from apps.organisations.kinds import OrganisationKind

if TYPE_CHECKING:
    from apps.accounts.models import User

STALE_DAYS = 14
NATIONAL_VIEW_KINDS = (OrganisationKind.HUB, OrganisationKind.RCC, OrganisationKind.NCC)


def register_scope(user: User) -> set[int] | None:
    """Provider organisation ids whose register the user may read; None means all."""
    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    cached: set[int] | bool | None = getattr(user, "_register_scope", False)
    if cached is not False:
        return cached  # type: ignore[return-value]
    memberships = user.membership_list
    scope: set[int] | None
    if any(m.organisation.kind in NATIONAL_VIEW_KINDS for m in memberships):
        scope = None
    else:
        scope = {
            m.organisation_id
            for m in memberships
            if m.organisation.kind in (OrganisationKind.IFA, OrganisationKind.LA_SERVICE)
        }
    user._register_scope = scope  # type: ignore[attr-defined]
    return scope


def stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=STALE_DAYS)


class ProviderQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ProviderQuerySet:
        return self if user.is_authenticated else self.none()

    def own(self, user: User) -> ProviderQuerySet:
        """The providers the user works for (whose register they may change)."""
        if user.is_superuser:
            return self
        return self.filter(organisation__memberships__user=user).distinct()


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> HouseholdQuerySet:
        scope = register_scope(user)
        return self if scope is None else self.filter(provider_id__in=scope)

    def stale(self) -> HouseholdQuerySet:
        return self.filter(last_confirmed_at__lt=stale_before())

    def current(self) -> HouseholdQuerySet:
        return self.filter(last_confirmed_at__gte=stale_before())


class VacancyQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> VacancyQuerySet:
        scope = register_scope(user)
        return self if scope is None else self.filter(household__provider_id__in=scope)

    def open(self) -> VacancyQuerySet:
        return self.filter(status="open")

    def stale(self) -> VacancyQuerySet:
        return self.filter(last_confirmed_at__lt=stale_before())

    def current(self) -> VacancyQuerySet:
        return self.filter(last_confirmed_at__gte=stale_before())


class RegisterUploadQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RegisterUploadQuerySet:
        scope = register_scope(user)
        return self if scope is None else self.filter(provider_id__in=scope)
