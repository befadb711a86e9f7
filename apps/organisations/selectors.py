"""Reads of organisations for pages and the API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Organisation, RccMembership


def organisation_detail(*, organisation: Organisation, user: Any) -> dict[str, Any]:
    """What the organisation page shows, each part scoped to the viewer."""
    visible = Organisation.objects.visible_to(user)
    members: QuerySet[RccMembership] = RccMembership.objects.none()
    if organisation.kind == "rcc":
        members = (
            organisation.la_memberships.filter(la__in=visible)
            .select_related("la")
            .order_by("la__name")
        )
    rccs = RccMembership.objects.filter(la=organisation, rcc__in=visible).select_related("rcc")
    return {
        "members": members,
        "rccs": rccs,
        "hubs": visible.filter(rcc=organisation),
        "services": visible.filter(owning_la=organisation),
    }
