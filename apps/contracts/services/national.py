"""National specialist services, commissioned by the NCC for rare needs."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from apps.core.errors import DomainError
from apps.needs.models import NeedDomain, NeedLevel
from apps.providers.models import Provider

from ..models import Framework, SpecialistService, SpecialistServiceNeed
from ._common import require_owner


@transaction.atomic
def specialist_service_save(
    *,
    by: Any,
    name: str,
    summary: str,
    how_to_access: str,
    needs: list[tuple[NeedDomain, NeedLevel]],
    service: SpecialistService | None = None,
    provider: Provider | None = None,
    framework: Framework | None = None,
    contact_email: str = "",
    contact_phone: str = "",
    places: int | None = None,
    is_active: bool = True,
) -> SpecialistService:
    """Create or change a national specialist service and the needs it meets."""
    if framework is not None:
        require_owner(by, framework.owner_id)
        if framework.owner.kind != "ncc":
            raise DomainError("Choose one of the NCC's national frameworks.", field="framework")
    name = (name or "").strip()
    if not name:
        raise DomainError("Give the service a name.", field="name")
    clash = SpecialistService.objects.filter(name__iexact=name)
    if service is not None:
        clash = clash.exclude(pk=service.pk)
    if clash.exists():
        raise DomainError(
            f"There is already a national specialist service called {name}.", field="name"
        )
    if not (how_to_access or "").strip():
        raise DomainError("Tell hubs how to access the service.", field="how_to_access")
    if not needs:
        raise DomainError("Choose at least one need the service meets.", field="needs")
    domains = [domain.pk for domain, _level in needs]
    if len(domains) != len(set(domains)):
        raise DomainError("Give each need domain once.", field="needs")
    fields = {
        "name": name,
        "summary": (summary or "").strip(),
        "how_to_access": how_to_access.strip(),
        "provider": provider,
        "framework": framework,
        "contact_email": contact_email or "",
        "contact_phone": contact_phone or "",
        "places": places,
        "is_active": is_active,
    }
    if service is None:
        service = SpecialistService.objects.create(created_by=by, **fields)
    else:
        for key, value in fields.items():
            setattr(service, key, value)
        service.save()
        service.needs.all().delete()
    SpecialistServiceNeed.objects.bulk_create(
        [
            SpecialistServiceNeed(service=service, domain=domain, min_level=level)
            for domain, level in needs
        ]
    )
    return service
