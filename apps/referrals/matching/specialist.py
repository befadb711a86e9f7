"""National specialist services (commissioned by the NCC for rare needs) that the child's
assessed needs call for: shown beside the hub's search so the hub knows they exist and how to
use them. A service meets a need domain from a level upwards; it is called for when the child's
level in that domain is at or above it (as `contracts.selectors.specialist_services_for`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.urls import reverse

if TYPE_CHECKING:
    from .profile import Profile


@dataclass
class SpecialistOption:
    pk: int
    name: str
    provider: str
    summary: str
    how_to_access: str
    contact_email: str
    contact_phone: str
    places: int | None
    because: list[str] = field(default_factory=list)  # "Disability: severe" …

    @property
    def url(self) -> str:
        return reverse("contracts:specialist_service", args=[self.pk])

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "name": self.name,
            "provider": self.provider,
            "summary": self.summary,
            "how_to_access": self.how_to_access,
            "contact_email": self.contact_email,
            "contact_phone": self.contact_phone,
            "places": self.places,
            "because": self.because,
            "url": self.url,
        }


def specialist_services_for_profile(profile: Profile) -> list[SpecialistOption]:
    """Active national specialist services meeting any of the child's assessed needs, with the
    needs that call for each. One query, none when the child has no assessed needs."""
    from apps.contracts.models import SpecialistServiceNeed  # contracts sit above referrals

    if not profile.needs:
        return []
    match = Q()
    for need in profile.needs:
        match |= Q(domain_id=need.domain_id, min_level__rank__lte=need.rank)
    rows = (
        SpecialistServiceNeed.objects.filter(match, service__is_active=True)
        .order_by("service__name", "domain__sort_order")
        .values_list(
            "service_id",
            "service__name",
            "service__provider__organisation__name",
            "service__summary",
            "service__how_to_access",
            "service__contact_email",
            "service__contact_phone",
            "service__places",
            "domain_id",
        )
    )
    needs = {n.domain_id: n for n in profile.needs}
    found: dict[int, SpecialistOption] = {}
    for pk, name, provider, summary, how, email, phone, places, domain_id in rows:
        option = found.get(pk) or found.setdefault(
            pk, SpecialistOption(pk, name, provider or "", summary, how, email, phone, places)
        )
        need = needs[domain_id]
        option.because.append(f"{need.domain}: {need.level.lower()}")
    return list(found.values())
