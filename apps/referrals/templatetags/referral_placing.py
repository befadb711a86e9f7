"""Template helpers for the provider's pages, the options, scrutiny and placements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from apps.providers.choices import LANGUAGES, Ethnicity, OfstedGrade, Religion, Sex
from apps.referrals.choices import (
    LeftCare,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    ReasonEnded,
    ReferralStatus,
    Urgency,
)

register = template.Library()

CHOICES: dict[str, Any] = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "religion": Religion,
    "legal_status": LegalStatus,
    "urgency": Urgency,
    "status": ReferralStatus,
    "ofsted": OfstedGrade,
    "placement_type": PlacementType,
    "placement_provider": PlacementProvider,
    "reason_ended": ReasonEnded,
    "left_care": LeftCare,
}


@register.filter
def iso_date(value: Any) -> dt.date | None:
    """A date from an ISO string (the minimised referral is JSON-ready)."""
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@register.filter
def label_of(value: Any, kind: str) -> str:
    """The label of a code from one of the code lists above."""
    if value in (None, ""):
        return ""
    try:
        return str(CHOICES[kind](value).label)
    except (KeyError, ValueError):
        return str(value)


@register.filter
def language_names(codes: Any) -> str:
    return ", ".join(LANGUAGES.get(c, c) for c in codes or [])


@register.filter
def money(value: Any) -> str:
    if value in (None, ""):
        return ""
    return f"£{Decimal(str(value)):,.2f}"


@register.filter
def support_label(kind: str) -> str:
    from apps.referrals.choices import SupportKind

    try:
        return str(SupportKind(kind).label)
    except ValueError:
        return kind


@register.simple_tag(takes_context=True)
def options_summary(context: Any, referral: Any) -> dict[str, Any]:
    """What the shared referral page shows about offers, scrutiny and the placement."""
    from apps.referrals.permissions import (
        AGREE_PLACEMENT,
        SCRUTINISE,
        VIEW_OPTIONS,
        VIEW_PLACEMENTS,
    )
    from apps.referrals.selectors import options_summary as summarise

    user = context["request"].user
    if not VIEW_OPTIONS.allows(user) and not VIEW_PLACEMENTS.allows(user):
        return {"show": False}
    summary = summarise(referral)
    summary.update(
        show=True,
        can_view_options=VIEW_OPTIONS.allows(user),
        can_scrutinise=SCRUTINISE.allows(user),
        can_agree=AGREE_PLACEMENT.allows(user),
    )
    return summary
