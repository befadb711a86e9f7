"""Scoping of reports: every read goes through `visible_to(user)` (404 outside it).

- NCC staff and superusers see every run and snapshot, national and per RCC, and bulletins.
- RCC staff (and hub staff, for their RCC) see their RCC's runs and snapshots, never the
  national ones nor another RCC's.
- Nobody else sees any. Published bulletins are public: `published()` needs no user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from apps.organisations.kinds import OrganisationKind


@dataclass(frozen=True)
class ReportingScope:
    national: bool = False
    rcc_ids: frozenset[int] = frozenset()


NOBODY = ReportingScope()


def reporting_scope(user: Any) -> ReportingScope:
    """The RCCs whose reports the user's memberships reach, or national (cached per user)."""
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, "_reporting_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if user.is_superuser:
        scope = ReportingScope(national=True)
    else:
        national = False
        rccs: set[int] = set()
        for m in user.membership_list:
            org = m.organisation
            if org.kind == OrganisationKind.NCC:
                national = True
            elif org.kind == OrganisationKind.RCC:
                rccs.add(org.pk)
            elif org.kind == OrganisationKind.HUB and org.rcc_id:
                rccs.add(org.rcc_id)
        scope = ReportingScope(national, frozenset(rccs))
    user._reporting_scope = scope
    return scope


class _ScopedByRcc(models.QuerySet):
    def visible_to(self, user: Any) -> Any:
        scope = reporting_scope(user)
        if scope.national:
            return self.all()
        if not scope.rcc_ids:
            return self.none()
        return self.filter(rcc_id__in=scope.rcc_ids)

    def national(self) -> Any:
        return self.filter(rcc__isnull=True)


class ReportRunQuerySet(_ScopedByRcc):
    def active(self) -> ReportRunQuerySet:
        from .choices import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)


class ReportSnapshotQuerySet(_ScopedByRcc):
    def current(self) -> ReportSnapshotQuerySet:
        return self.filter(is_current=True)


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> BulletinQuerySet:
        return self.all() if reporting_scope(user).national else self.none()

    def published(self) -> BulletinQuerySet:
        from .choices import BulletinStatus

        return self.filter(status=BulletinStatus.PUBLISHED)
