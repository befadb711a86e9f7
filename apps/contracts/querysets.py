"""Scoping of commissioning records: every read goes through `visible_to(user)`.

- NCC staff and superusers see everything.
- RCC staff (commissioners, scrutineers, administrators) and the RCC's hub staff see what their
  RCC owns: frameworks, lots, enrolments, price schedules, soft blocks, disputes, meetings,
  alerts and the budgets pooled at it; also the NCC's national frameworks.
- Providers (IFAs and LA services) see their own enrolments, price schedules, soft blocks,
  disputes and meetings, the frameworks they are on and any live DPS they may apply to.
  They never see another provider's fees.
- LA staff see their own LA's budget lines.
- LA in-house full costs are public-sector benchmarks, visible to all RCC, NCC and provider staff.
- National terms and specialist services are visible to every signed-in user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.organisations.kinds import OrganisationKind


@dataclass(frozen=True)
class ContractsScope:
    national: bool = False
    rcc_ids: frozenset[int] = frozenset()
    provider_ids: frozenset[int] = frozenset()
    la_ids: frozenset[int] = frozenset()
    signed_in: bool = True

    @property
    def sees_rcc_records(self) -> bool:
        return self.national or bool(self.rcc_ids)


NOBODY = ContractsScope(signed_in=False)


def contracts_scope(user: Any) -> ContractsScope:
    """Which RCCs, providers and LAs the user's memberships reach (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return NOBODY
    cached = getattr(user, "_contracts_scope", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    if user.is_superuser:
        scope = ContractsScope(national=True)
    else:
        rcc_ids: set[int] = set()
        provider_ids: set[int] = set()
        la_ids: set[int] = set()
        national = False
        for m in user.membership_list:
            org = m.organisation
            if org.kind == OrganisationKind.NCC:
                national = True
            elif org.kind == OrganisationKind.RCC:
                rcc_ids.add(org.pk)
            elif org.kind == OrganisationKind.HUB and org.rcc_id:
                rcc_ids.add(org.rcc_id)
            elif org.kind in (OrganisationKind.IFA, OrganisationKind.LA_SERVICE):
                provider_ids.add(org.pk)
            elif org.kind == OrganisationKind.LOCAL_AUTHORITY:
                la_ids.add(org.pk)
        scope = ContractsScope(
            national=national,
            rcc_ids=frozenset(rcc_ids),
            provider_ids=frozenset(provider_ids),
            la_ids=frozenset(la_ids),
        )
    user._contracts_scope = scope
    return scope


def _rcc_or_provider(scope: ContractsScope, rcc_field: str, provider_field: str) -> Q:
    return Q(**{f"{rcc_field}__in": scope.rcc_ids}) | Q(
        **{f"{provider_field}__in": scope.provider_ids}
    )


class TermsVersionQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> TermsVersionQuerySet:
        return self if contracts_scope(user).signed_in else self.none()

    def current(self, on: Any = None) -> Any:
        day = on or timezone.localdate()
        return self.filter(effective_from__lte=day).order_by("-version").first()


class FrameworkQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> FrameworkQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        if not scope.signed_in:
            return self.none()
        q = Q(pk__in=[])
        if scope.rcc_ids:
            q |= Q(owner_id__in=scope.rcc_ids) | Q(owner__kind=OrganisationKind.NCC)
        if scope.provider_ids:
            enrolled = Q(lots__enrolments__provider_id__in=scope.provider_ids)
            live_dps = Q(kind="dps", end_date__gte=timezone.localdate())
            return self.filter(q | Q(pk__in=self.filter(enrolled | live_dps).values("pk")))
        return self.filter(q)

    def managed_by(self, user: Any) -> FrameworkQuerySet:
        """Frameworks the user may change: their RCC's (the NCC's for NCC staff)."""
        scope = contracts_scope(user)
        if user.is_superuser:
            return self.all()
        owners = set(scope.rcc_ids)
        if scope.national:
            owners |= set(
                user.memberships.filter(organisation__kind=OrganisationKind.NCC).values_list(
                    "organisation_id", flat=True
                )
            )
        return self.filter(owner_id__in=owners)


class LotQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> LotQuerySet:
        from .models import Framework

        return self.filter(framework__in=Framework.objects.visible_to(user))


class EnrolmentQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> EnrolmentQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(_rcc_or_provider(scope, "lot__framework__owner_id", "provider_id"))


class PriceScheduleQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PriceScheduleQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(_rcc_or_provider(scope, "lot__framework__owner_id", "provider_id"))

    def current(self, on: Any = None) -> PriceScheduleQuerySet:
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class SoftBlockQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SoftBlockQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(_rcc_or_provider(scope, "rcc_id", "provider_id"))

    def live(self, on: Any = None) -> SoftBlockQuerySet:
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day, end_date__gte=day)


class AccountManagerQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> AccountManagerQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(
            Q(pk__in=self.filter(rccs__in=scope.rcc_ids).values("pk"))
            | Q(provider_id__in=scope.provider_ids)
            | Q(manager_id=getattr(user, "pk", None))
        )


class DisputeQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> DisputeQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(_rcc_or_provider(scope, "rcc_id", "provider_id"))


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> MeetingQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(_rcc_or_provider(scope, "rcc_id", "provider_id"))


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> AlertQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(owner_id__in=scope.rcc_ids)

    def open(self) -> AlertQuerySet:
        return self.filter(dismissed_at__isnull=True)


class BudgetQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> BudgetQuerySet:
        scope = contracts_scope(user)
        if scope.national:
            return self.all()
        return self.filter(Q(rcc_id__in=scope.rcc_ids) | Q(la_id__in=scope.la_ids))


class InHouseCostQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> InHouseCostQuerySet:
        """LA in-house full costs are public-sector benchmarks: every RCC, NCC and provider
        member sees them (beside IFA fees); LA staff see their own LA's services'."""
        scope = contracts_scope(user)
        if scope.national or scope.rcc_ids or scope.provider_ids:
            return self.all()
        return self.filter(service__organisation__owning_la_id__in=scope.la_ids)


class SpecialistServiceQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> SpecialistServiceQuerySet:
        return self if contracts_scope(user).signed_in else self.none()

    def active(self) -> SpecialistServiceQuerySet:
        return self.filter(is_active=True)
