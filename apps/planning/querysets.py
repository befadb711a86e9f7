"""Scoping of planning's own records: every read goes through `visible_to(user)` (404 outside).

A simulated year is read by whoever may start one for its scope: NCC analysts every run (and
only they the national ones); an RCC's commissioners their RCC's runs. Only memberships that
hold one of those roles count (docs/adr/0006), so a person who is a commissioner in one RCC and
a placement officer in another sees the first RCC's runs only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from apps.accounts.roles import Role
from apps.organisations.kinds import OrganisationKind


@dataclass(frozen=True)
class PlanningScope:
    national: bool = False
    rcc_ids: frozenset[int] = frozenset()


def planning_scope(user: Any) -> PlanningScope:
    """National for NCC analysts (and superusers); else the RCCs the user is a commissioner
    of. Kept on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return PlanningScope()
    cached = getattr(user, "_planning_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if user.is_superuser:
        scope = PlanningScope(national=True)
    else:
        national, rccs = False, set()
        for m in user.membership_list:
            kind = m.organisation.kind
            if kind == OrganisationKind.NCC and m.role == Role.NCC_ANALYST:
                national = True
            elif kind == OrganisationKind.RCC and m.role == Role.COMMISSIONER:
                rccs.add(m.organisation_id)
        scope = PlanningScope(national, frozenset(rccs))
    user._planning_scope = scope
    return scope


class SimulationRunQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SimulationRunQuerySet:
        scope = planning_scope(user)
        if scope.national:
            return self.all()
        if not scope.rcc_ids:
            return self.none()
        return self.filter(rcc_id__in=scope.rcc_ids)

    def active(self) -> SimulationRunQuerySet:
        from apps.reporting.choices import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)
