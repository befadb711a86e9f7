"""Scoping of children, referrals, offers and placements.

- The child's LA (social workers, IROs, administrators): everything about its children.
- The RCC and its hubs (placement officers, commissioners, scrutineers): referrals of the RCC.
- A provider's staff: only referrals sent to their provider (shown minimised), their own
  targets, offers and placements.
- A person asked to review a referral (co-design) sees that referral.
- NCC staff see none of these rows; they read aggregates in reporting.

Each membership counts only through the roles that do that work (SCOPING_ROLES_BY_KIND).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from apps.accounts.roles import Role
from apps.organisations.kinds import OrganisationKind

if TYPE_CHECKING:
    from apps.accounts.models import User


# Which roles, held in which kind of organisation, make that membership see children, referrals,
# offers and placements (docs/adr/0006): a membership counts only for the work its role does, so
# an LA administrator or a provider's data officer sees none of them however else the person
# is placed, and the base views' `acting_as` narrows further to the action's roles.
SCOPING_ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.LOCAL_AUTHORITY: frozenset({Role.SOCIAL_WORKER, Role.IRO}),
    OrganisationKind.RCC: frozenset({Role.COMMISSIONER, Role.SCRUTINEER}),
    OrganisationKind.HUB: frozenset({Role.PLACEMENT_OFFICER}),
    OrganisationKind.IFA: frozenset({Role.PROVIDER_REFERRALS}),
    OrganisationKind.LA_SERVICE: frozenset({Role.PROVIDER_REFERRALS}),
}


def org_ids_by_kind(user: User) -> dict[str, set[int]]:
    """The organisations in which the user holds a role of the referral journey
    (SCOPING_ROLES_BY_KIND), grouped by kind; a hub counts for its RCC too (key 'rcc')."""
    cached = getattr(user, "_org_ids_by_kind", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    out: dict[str, set[int]] = {kind: set() for kind in OrganisationKind.values}
    if user.is_authenticated:
        for m in user.membership_list:
            org = m.organisation
            if m.role not in SCOPING_ROLES_BY_KIND.get(org.kind, ()):
                continue
            out[org.kind].add(org.pk)
            if org.kind == OrganisationKind.HUB and org.rcc_id:
                out[OrganisationKind.RCC].add(org.rcc_id)
    out["provider"] = out[OrganisationKind.IFA] | out[OrganisationKind.LA_SERVICE]
    user._org_ids_by_kind = out  # type: ignore[attr-defined]
    return out


class ChildQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ChildQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        ids = org_ids_by_kind(user)
        return self.filter(
            Q(la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
            | Q(referrals__rcc_id__in=ids[OrganisationKind.RCC])
        ).distinct()


class CareHistoryImportQuerySet(models.QuerySet):
    """An LA's SSDA903 imports (and their originals) are seen by that LA's staff only."""

    def visible_to(self, user: User) -> CareHistoryImportQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(la_id__in=org_ids_by_kind(user)[OrganisationKind.LOCAL_AUTHORITY])


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ReferralQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        from .models import ReferralReview

        ids = org_ids_by_kind(user)
        # Subqueries rather than joins: no duplicate rows, so no DISTINCT over every column;
        # and only the conditions the user's organisations call for (a shorter query to build).
        scope = Q(pk__in=ReferralReview.objects.filter(reviewer=user).values("referral_id"))
        if ids[OrganisationKind.LOCAL_AUTHORITY]:
            scope |= Q(la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
        if ids[OrganisationKind.RCC]:
            scope |= Q(rcc_id__in=ids[OrganisationKind.RCC])
        if ids["provider"]:
            scope |= Q(pk__in=ReferralTargetQuerySet.provider_referral_ids(ids["provider"]))
        return self.filter(scope)

    def waiting(self) -> ReferralQuerySet:
        return self.filter(status__in=["sent", "returned"])


# What each home-page count and its list both filter on (one definition for both).
def waiting_with_hub() -> Q:
    """With the hub: sent, or returned by scrutiny to search again."""
    return Q(status__in=["sent", "returned"])


def has_live_offers() -> Q:
    """Offers made or shortlisted, so far neither proposed nor turned down: options to weigh."""
    from .models import Offer

    live = Offer.objects.filter(referral=OuterRef("pk"), status__in=["made", "shortlisted"])
    return waiting_with_hub() & Q(Exists(live))


def has_replies_awaited() -> Q:
    """Sent to providers at least one of which has not answered yet."""
    from .models import ReferralTarget

    awaited = ReferralTarget.objects.filter(referral=OuterRef("pk"), status="sent")
    return waiting_with_hub() & Q(Exists(awaited))


def not_sent_to_providers() -> Q:
    """Waiting with the hub and not yet sent to any provider: to search."""
    from .models import ReferralTarget

    return waiting_with_hub() & ~Q(Exists(ReferralTarget.objects.filter(referral=OuterRef("pk"))))


class ReferralReviewQuerySet(models.QuerySet):
    """A review request is seen by the person asked, and by the referral's LA and RCC staff."""

    def visible_to(self, user: User) -> ReferralReviewQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        ids = org_ids_by_kind(user)
        return self.filter(
            Q(reviewer=user)
            | Q(referral__la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
            | Q(referral__rcc_id__in=ids[OrganisationKind.RCC])
        )

    def requested_of(self, user: User) -> ReferralReviewQuerySet:
        return self.filter(reviewer=user)


class ReferralTargetQuerySet(models.QuerySet):
    @staticmethod
    def provider_referral_ids(provider_ids: set[int]):  # type: ignore[no-untyped-def]
        from .models import ReferralTarget

        return ReferralTarget.objects.filter(provider_id__in=provider_ids).values("referral_id")

    def visible_to(self, user: User) -> ReferralTargetQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        ids = org_ids_by_kind(user)
        return self.filter(
            Q(referral__la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
            | Q(referral__rcc_id__in=ids[OrganisationKind.RCC])
            | Q(provider_id__in=ids["provider"])
        )


class OfferQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> OfferQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        ids = org_ids_by_kind(user)
        return self.filter(
            Q(referral__la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
            | Q(referral__rcc_id__in=ids[OrganisationKind.RCC])
            | Q(household__provider_id__in=ids["provider"])
        )


class PlacementQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> PlacementQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        ids = org_ids_by_kind(user)
        return self.filter(
            Q(la_id__in=ids[OrganisationKind.LOCAL_AUTHORITY])
            | Q(rcc_id__in=ids[OrganisationKind.RCC])
            | Q(provider_id__in=ids["provider"])
        )

    def current(self) -> PlacementQuerySet:
        return self.filter(end_date__isnull=True, start_date__lte=timezone.localdate())

    def scrutiny_overdue(self) -> PlacementQuerySet:
        """Emergency placements made before scrutiny whose 72 hours have passed unscrutinised."""
        from .models import Scrutiny

        done = Scrutiny.objects.filter(referral=OuterRef("referral_id"), after_placement=True)
        return self.filter(emergency_scrutiny_due__lt=timezone.now()).exclude(Exists(done))


def sees_full_postcodes(user: User, *, la_id: int | None, rcc_ids: set[int]) -> bool:
    """Whether the user may see a child's full postcodes (home and placement, SSDA903 HOME_POST
    and PL_POST): the child's LA (social workers, IROs) and the placing hub (placement officers
    of a hub of an RCC the child's referral is with). Everyone else sees the district only."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for m in user.membership_list:
        org = m.organisation
        if m.role not in SCOPING_ROLES_BY_KIND.get(org.kind, ()):
            continue
        if org.kind == OrganisationKind.LOCAL_AUTHORITY and org.pk == la_id:
            return True
        if org.kind == OrganisationKind.HUB and org.rcc_id in rcc_ids:
            return True
    return False
