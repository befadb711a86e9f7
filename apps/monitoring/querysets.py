"""Scoping of monitoring records: every read goes through `visible_to(user)` (404 outside it).

- NCC staff and superusers see every provider's returns and scorecards (national).
- A provider's staff see their own provider's returns, submissions and scorecards (with
  anonymised feedback summaries), never a feedback row.
- RCC commissioners see the returns and scorecards of the providers *linked* to their RCC: a
  contract (an enrolment on one of its frameworks, a soft block) or a placement of a child of
  its LAs (on the platform, or in a return: the per-RCC scorecard rows count them). Sending a
  referral links nothing. Within a return they read only their own children's rows and their
  own query threads (`child_rows_for`, `ReturnQueryQuerySet`); only the RCC that owns the
  quarter's return accepts it (`permissions.accepting_organisation`). Their scorecard figures
  are those of the RCC's own placements, beside the provider's national figures
  (docs/adr/0071-monitoring-scoping.md).
- Social workers and IROs see the feedback they wrote, and nothing else here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Q

from apps.accounts.roles import Role
from apps.organisations.kinds import OrganisationKind

if TYPE_CHECKING:
    from apps.accounts.models import User


@dataclass(frozen=True)
class MonitoringScope:
    national: bool = False
    provider_ids: frozenset[int] = frozenset()
    rcc_ids: frozenset[int] = frozenset()
    la_ids: frozenset[int] = frozenset()


NOBODY = MonitoringScope()

# Only an RCC's commissioners (contract managers) review its providers' returns: a hub's
# placement officers, scrutineers and administrators get no monitoring scope from the RCC.
RCC_MONITORING_ROLES = frozenset({Role.COMMISSIONER})


def monitoring_scope(user: Any) -> MonitoringScope:
    """The organisations whose monitoring records the user's memberships reach: read from
    `user.membership_list` only, and cached for that list (a copy of the user whose list holds
    fewer memberships, as a view narrowed to its rule's roles gets, is worked out afresh)."""
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    memberships = user.membership_list
    cached = getattr(user, "_monitoring_scope", None)
    if cached is not None and cached[0] is memberships:
        return cached[1]  # type: ignore[no-any-return]
    if user.is_superuser:
        scope = MonitoringScope(national=True)
    else:
        national = False
        providers: set[int] = set()
        rccs: set[int] = set()
        las: set[int] = set()
        for m in memberships:
            org = m.organisation
            if org.kind == OrganisationKind.NCC:
                national = True
            elif org.kind in (OrganisationKind.IFA, OrganisationKind.LA_SERVICE):
                providers.add(org.pk)
            elif org.kind == OrganisationKind.RCC and m.role in RCC_MONITORING_ROLES:
                rccs.add(org.pk)
            elif org.kind == OrganisationKind.LOCAL_AUTHORITY:
                las.add(org.pk)
        scope = MonitoringScope(national, frozenset(providers), frozenset(rccs), frozenset(las))
    user._monitoring_scope = (memberships, scope)
    return scope


def linked_provider_ids(rcc_ids: frozenset[int] | set[int], field: str = "provider_id") -> Q:
    """A filter on `field` for the providers linked to these RCCs (subqueries, no rows read).

    Linked means a contract (an enrolment on one of the RCC's frameworks or DPS, a soft block)
    or a placement of a child of the RCC's LAs: on the platform (`Placement.rcc` is the LA's
    RCC), or in a return, which the per-RCC scorecard rows record as `placements` (their
    referral and offer counts do not link: a hub sending a referral creates no link)."""
    from apps.contracts.models import Enrolment, SoftBlock
    from apps.referrals.models import Placement

    from .models import ScorecardSnapshot

    ids = list(rcc_ids)
    return (
        Q(**{f"{field}__in": Placement.objects.filter(rcc_id__in=ids).values("provider_id")})
        | Q(
            **{
                f"{field}__in": Enrolment.objects.filter(lot__framework__owner_id__in=ids).values(
                    "provider_id"
                )
            }
        )
        | Q(**{f"{field}__in": SoftBlock.objects.filter(rcc_id__in=ids).values("provider_id")})
        | Q(
            **{
                f"{field}__in": ScorecardSnapshot.objects.filter(
                    rcc_id__in=ids, placements__gt=0
                ).values("provider_id")
            }
        )
    )


def child_rows_for(user: Any, provider_id: int) -> frozenset[int] | None:
    """Whose child-level rows of this provider's returns the user reads: None for every row
    (the provider's own staff, the NCC), otherwise the RCCs whose LAs' children's rows they are
    (an RCC commissioner's own). Placement rows, their diffs and query threads follow it."""
    scope = monitoring_scope(user)
    if scope.national or provider_id in scope.provider_ids:
        return None
    return scope.rcc_ids


def visible_providers(user: Any) -> Any:
    """The providers whose returns and scorecards the user may see (a Provider queryset)."""
    from apps.providers.models import Provider

    scope = monitoring_scope(user)
    if scope is NOBODY:
        return Provider.objects.none()
    if scope.national:
        return Provider.objects.all()
    q = Q(pk__in=list(scope.provider_ids))
    if scope.rcc_ids:
        q |= linked_provider_ids(scope.rcc_ids, "pk")
    return Provider.objects.filter(q)


def _provider_filter(scope: MonitoringScope, prefix: str = "") -> Q | None:
    """None: every provider; otherwise a filter on `<prefix>provider_id`."""
    if scope.national:
        return None
    q = Q(**{f"{prefix}provider_id__in": list(scope.provider_ids)})
    if scope.rcc_ids:
        q |= linked_provider_ids(scope.rcc_ids, f"{prefix}provider_id")
    return q


class ReturnQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReturnQuerySet:
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        q = _provider_filter(scope)
        return self if q is None else self.filter(q)


class VersionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> VersionQuerySet:
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        q = _provider_filter(scope, "monitoring_return__")
        return self if q is None else self.filter(q)


class SubmissionQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> SubmissionQuerySet:
        """The provider's own staff and the NCC: a submission's original and its row errors
        hold every child's rows, so no RCC reads them (RCCs review the versions)."""
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        if scope.national:
            return self
        return self.filter(monitoring_return__provider_id__in=list(scope.provider_ids))


class ReturnQueryQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReturnQueryQuerySet:
        """The provider and the NCC read every thread about a return; an RCC only the threads
        it raised (about its own children's rows), on a return it may see."""
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        if scope.national:
            return self
        q = Q(monitoring_return__provider_id__in=list(scope.provider_ids))
        if scope.rcc_ids:
            q |= Q(raised_for_id__in=list(scope.rcc_ids)) & linked_provider_ids(
                scope.rcc_ids, "monitoring_return__provider_id"
            )
        return self.filter(q)


class FeedbackQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> FeedbackQuerySet:
        """Only the feedback a person wrote: providers and RCCs read anonymised summaries."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(author=user)


class ScorecardQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ScorecardQuerySet:
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        if scope.national:
            return self
        q = Q(provider_id__in=list(scope.provider_ids))
        if scope.rcc_ids:
            q |= (Q(rcc_id__in=list(scope.rcc_ids)) | Q(rcc__isnull=True)) & linked_provider_ids(
                scope.rcc_ids
            )
        return self.filter(q)


class MeetingLinkQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> MeetingLinkQuerySet:
        scope = monitoring_scope(user)
        if scope is NOBODY:
            return self.none()
        if scope.national:
            return self
        return self.filter(
            Q(provider_id__in=list(scope.provider_ids)) | Q(meeting__rcc_id__in=list(scope.rcc_ids))
        )
