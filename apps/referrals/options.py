"""The options a social worker chooses between: each offer side by side with what explains it
(score breakdown, distances, the provider's stability record, full weekly cost, Ofsted grade)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.organisations.geo import miles_between
from apps.organisations.kinds import IfaSector, OrganisationKind
from apps.organisations.models import Organisation

from .choices import OfferStatus, PlacementProvider
from .models import Offer, Referral

# Offers still in the running (the child's views are required when more than one is).
LIVE_OFFER_STATUSES = (OfferStatus.MADE, OfferStatus.SHORTLISTED, OfferStatus.PROPOSED)

KIND_LABELS = {"in_house": "In-house", "other_la": "Other LA's service", "ifa": "IFA"}


def placement_provider_code(*, child_la_id: int, organisation: Organisation) -> str:
    """SSDA903 placement provider: PR1 own LA, PR2 other LA, PR4 private, PR5 voluntary."""
    if organisation.kind == OrganisationKind.LA_SERVICE:
        return (
            PlacementProvider.PR1
            if organisation.owning_la_id == child_la_id
            else PlacementProvider.PR2
        )
    return (
        PlacementProvider.PR5
        if organisation.sector == IfaSector.VOLUNTARY
        else PlacementProvider.PR4
    )


def provider_kind(code: str) -> str:
    return {"PR1": "in_house", "PR2": "other_la"}.get(code, "ifa")


def is_in_house(offer: Offer) -> bool:
    org = offer.household.provider.organisation
    return placement_provider_code(child_la_id=offer.referral.la_id, organisation=org) == "PR1"


@dataclass(frozen=True)
class StabilityRecord:
    """Placements of a provider that ended in matching's window, and how many ended unplanned."""

    ended: int
    unplanned: int

    @property
    def unplanned_share(self) -> float | None:
        return None if not self.ended else self.unplanned / self.ended

    @property
    def label(self) -> str:
        share = self.unplanned_share
        if share is None:
            from .matching import STABILITY_WINDOW_DAYS

            return f"No placements ended in the last {STABILITY_WINDOW_DAYS // 365} years"
        plural = "s" if self.ended != 1 else ""
        return f"{share:.0%} of {self.ended} ending{plural} unplanned"


def stability_records(provider_ids: list[int]) -> dict[int, StabilityRecord]:
    """The same figures the match score uses (apps.referrals.matching.stability_for)."""
    from .matching import stability_for

    found = stability_for(provider_ids, timezone.localdate())
    return {
        pid: StabilityRecord(found[pid].endings, found[pid].unplanned)
        if pid in found
        else StabilityRecord(0, 0)
        for pid in provider_ids
    }


def _miles(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    return round(miles_between((a.latitude, a.longitude), (b.latitude, b.longitude)), 1)


@dataclass
class Option:
    offer: Offer
    provider_code: str
    kind: str
    score: Decimal | None
    breakdown: list[dict[str, Any]]
    miles_to_family: float | None
    miles_to_school: float | None
    stability: StabilityRecord
    full_weekly_cost: Decimal
    children: list[str] = field(default_factory=list)  # whom the offer places (identifiers)
    group_size: int = 1

    @property
    def places_every_child(self) -> bool:
        return len(self.children) >= self.group_size

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def is_live(self) -> bool:
        return self.offer.status in LIVE_OFFER_STATUSES


def breakdown_rows(snapshot: Any) -> list[dict[str, Any]]:
    """The target's score snapshot (matching's `Option.snapshot()`) as rows to show."""
    items = snapshot.get("contributions", []) if isinstance(snapshot, dict) else []
    return [
        {
            "factor": item.get("label")
            or str(item.get("factor", "")).replace("_", " ").capitalize(),
            "points": item.get("points"),
            "detail": item.get("explanation", ""),
            "applies": item.get("raw") is not None,
        }
        for item in items
        if isinstance(item, dict)
    ]


def referral_options(referral: Referral) -> list[Option]:
    """Every offer made for the referral, live ones first, best score first."""
    offers = list(
        Offer.objects.filter(referral=referral)
        .select_related(
            "target",
            "vacancy",
            "household__postcode_district",
            "household__provider__organisation",
        )
        .prefetch_related("places__child")
        .order_by("made_at")
    )
    group = referral.group
    order = {c.pk: i for i, c in enumerate(group)}
    stability = stability_records([o.household.provider_id for o in offers])
    family = referral.family_postcode_district
    school = referral.school_postcode_district
    options = []
    for offer in offers:
        code = placement_provider_code(
            child_la_id=referral.la_id, organisation=offer.household.provider.organisation
        )
        district = offer.household.postcode_district
        options.append(
            Option(
                offer=offer,
                provider_code=code,
                kind=provider_kind(code),
                score=offer.target.score,
                breakdown=breakdown_rows(offer.target.score_breakdown),
                miles_to_family=_miles(family, district),
                miles_to_school=_miles(school, district),
                stability=stability[offer.household.provider_id],
                full_weekly_cost=offer.full_weekly_cost,
                children=[
                    p.child.local_identifier
                    for p in sorted(offer.places.all(), key=lambda p: order.get(p.child_id, 99))
                ]
                or [referral.child.local_identifier],
                group_size=len(group),
            )
        )
    options.sort(key=lambda o: (not o.is_live, -(o.score or 0)))
    return options
