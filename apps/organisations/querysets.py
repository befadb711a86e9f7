"""Scoping of organisations: who may see which. Every read goes through `visible_to`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .kinds import OrganisationKind

if TYPE_CHECKING:
    from apps.accounts.models import User


_SCOPE_CACHE = "_scope_organisation_ids"


def scope_organisation_ids(user: User) -> set[int] | None:
    """The ids of the organisations a user's memberships reach; None means every organisation.

    - NCC staff and superusers see every organisation.
    - Anyone sees the organisations they belong to.
    - An RCC or hub member sees the RCC, its hubs, its current member LAs and their services.
    - An LA member sees the LA, its fostering services and the RCC (and hubs) it belongs to.
    - An LA fostering service member sees the service and the LA that owns it.
    """
    from .models import Organisation, RccMembership

    if not user.is_authenticated:
        return set()
    if user.is_superuser:
        return None
    if hasattr(user, _SCOPE_CACHE):  # worked out once per user object (one request)
        cached: set[int] | None = getattr(user, _SCOPE_CACHE)
        return cached
    memberships = user.membership_list
    if any(m.organisation.kind == OrganisationKind.NCC for m in memberships):
        setattr(user, _SCOPE_CACHE, None)
        return None
    ids: set[int] = set()
    rcc_ids: set[int] = set()
    la_ids: set[int] = set()
    for m in memberships:
        org = m.organisation
        ids.add(org.pk)
        if org.kind == OrganisationKind.RCC:
            rcc_ids.add(org.pk)
        elif org.kind == OrganisationKind.HUB and org.rcc_id:
            rcc_ids.add(org.rcc_id)
        elif org.kind == OrganisationKind.LOCAL_AUTHORITY:
            la_ids.add(org.pk)
        elif org.kind == OrganisationKind.LA_SERVICE and org.owning_la_id:
            ids.add(org.owning_la_id)
    today = timezone.localdate()
    current = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    if la_ids:
        rcc_ids.update(
            RccMembership.objects.filter(current, la_id__in=la_ids).values_list("rcc_id", flat=True)
        )
    if rcc_ids:
        member_las = set(
            RccMembership.objects.filter(current, rcc_id__in=rcc_ids).values_list(
                "la_id", flat=True
            )
        )
        ids |= rcc_ids | member_las
        ids.update(
            Organisation.objects.filter(
                Q(kind=OrganisationKind.HUB, rcc_id__in=rcc_ids)
                | Q(kind=OrganisationKind.LA_SERVICE, owning_la_id__in=member_las)
            ).values_list("pk", flat=True)
        )
    if la_ids:
        ids.update(
            Organisation.objects.filter(
                kind=OrganisationKind.LA_SERVICE, owning_la_id__in=la_ids
            ).values_list("pk", flat=True)
        )
    setattr(user, _SCOPE_CACHE, ids)
    return ids


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OrganisationQuerySet:
        ids = scope_organisation_ids(user)
        if ids is None:
            return self.all()
        return self.filter(pk__in=ids)

    def local_authorities(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.LOCAL_AUTHORITY)

    def rccs(self) -> OrganisationQuerySet:
        return self.filter(kind=OrganisationKind.RCC)

    def providers(self) -> OrganisationQuerySet:
        return self.filter(kind__in=[OrganisationKind.IFA, OrganisationKind.LA_SERVICE])


class RccMembershipQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> RccMembershipQuerySet:
        ids = scope_organisation_ids(user)
        if ids is None:
            return self.all()
        return self.filter(rcc_id__in=ids)

    def current(self, on=None) -> RccMembershipQuerySet:
        day = on or timezone.localdate()
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day)
        )
