"""The provider's view of a referral: minimised (DOMAIN.md "Privacy: children's data").

A provider reads a referral before it knows who the child is, so this view never holds:
the child's local identifier or case-system id, the exact date of birth (age in years
instead), a name, an address or postcode (postcode districts only), the siblings' identities
(their ages instead), who wrote the referral, or the reviews. Free text that providers need
(about the child, the child's views, provision and the detail of "other" risks) is shown: the
form warns the social worker that it must not identify the child.

Built from an explicit list of what is allowed (never "all fields but..."), so a field added
to the model later stays private until someone adds it here on purpose.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from .choices import (
    RISK_TO_CHILD_FIELDS,
    RISK_TO_OTHERS_FIELDS,
    Communication,
    LiveAlongside,
    PetsOk,
    RiskLevel,
    Suitability,
    SupportKind,
)
from .models import Referral

# Every key the minimised referral may hold (the test checks against this list).
MINIMISED_KEYS = frozenset(
    {
        "referral_id",
        "status",
        "placing_la",
        "rcc",
        "urgency",
        "latest_start_date",
        "sent_at",
        "age_years",
        "sex",
        "ethnicity",
        "religion",
        "languages",
        "legal_status",
        "home_district",
        "sibling_group_size",
        "sibling_ages",
        "needs",
        "needs_assessed_on",
        "locations",
        "provision",
        "recommendations",
        "risks_to_child",
        "risks_to_others",
        "support_needed",
        "childs_views",
        "about_the_child",
        "care_history",
    }
)


def age_in_years(date_of_birth: dt.date, on: dt.date | None = None) -> int:
    on = on or timezone.localdate()
    return (
        on.year
        - date_of_birth.year
        - ((on.month, on.day) < (date_of_birth.month, date_of_birth.day))
    )


def _code(district: Any) -> str | None:
    return district.code if district is not None else None


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _risks(
    referral: Referral, fields: tuple[tuple[str, str], ...], detail: str
) -> list[dict[str, str]]:
    out = []
    for name, label in fields:
        level = getattr(referral, name)
        row = {
            "risk": label,
            "level": level,
            "level_label": _label(RiskLevel, level) if level else "",
        }
        if name.endswith("_other") and level and level != RiskLevel.NONE_KNOWN:
            row["detail"] = getattr(referral, detail)
        out.append(row)
    return out


def _care_counts(child: Any) -> dict[str, int]:
    """How many placements the child has had and their moves in the last 12 months: counts
    only, never dates, places or postcodes."""
    from .history import moves_summary

    summary = moves_summary(child)
    return {
        "placements": summary.placements,
        "moves_last_12_months": summary.moves_last_12_months,
    }


def minimised_referral(referral: Referral, *, on: dt.date | None = None) -> dict[str, Any]:
    """The referral as a provider may read it: a plain, JSON-ready dict (see MINIMISED_KEYS)."""
    on = on or timezone.localdate()
    child = referral.child
    siblings = sorted(
        (age_in_years(s.date_of_birth, on) for s in referral.siblings.all()), reverse=True
    )
    needs: list[dict[str, Any]] = []
    assessed_on = None
    if referral.needs_assessment_id:
        assessment = referral.needs_assessment
        assessed_on = assessment.assessed_on.isoformat()  # type: ignore[union-attr]
        needs = [
            {
                "domain": item.domain.code,
                "domain_name": item.domain.name,
                "level": item.level.code,
                "level_name": item.level.name,
                "level_rank": item.level.rank,
            }
            for item in assessment.items.select_related("domain", "level").order_by(  # type: ignore[union-attr]
                "domain__sort_order", "domain__name"
            )
        ]
    data: dict[str, Any] = {
        "referral_id": referral.pk,
        "status": referral.status,
        "placing_la": referral.la.name,
        "rcc": referral.rcc.name,
        "urgency": referral.urgency,
        "latest_start_date": referral.latest_start_date.isoformat()
        if referral.latest_start_date
        else None,
        "sent_at": referral.sent_at.isoformat() if referral.sent_at else None,
        "age_years": age_in_years(child.date_of_birth, on),
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "religion": child.religion,
        "languages": list(child.languages),
        "legal_status": child.legal_status,
        "home_district": _code(child.home_postcode_district),
        "sibling_group_size": 1 + len(siblings),
        "sibling_ages": siblings,
        "needs": needs,
        "needs_assessed_on": assessed_on,
        "locations": {
            "preferred_area": referral.preferred_area,
            "family_district": _code(referral.family_postcode_district),
            "stay_close_to_family": referral.stay_close_to_family,
            "school_district": _code(referral.school_postcode_district),
            "keep_school": referral.keep_school,
            "places_to_reach": [
                {
                    "district": p.get("district", ""),
                    "what": p.get("what", ""),
                    "frequency": p.get("frequency", ""),
                }
                for p in referral.places_to_reach or []
            ],
            "places_to_avoid": list(referral.places_to_avoid or []),
        },
        "provision": {
            "communication_needs": [
                {"code": c, "label": _label(Communication, c)}
                for c in referral.communication_needs or []
            ],
            "adaptations": referral.adaptations,
            "cultural_religious_needs": referral.cultural_religious_needs,
        },
        "recommendations": {
            "live_alongside": referral.live_alongside,
            "live_alongside_label": _label(LiveAlongside, referral.live_alongside)
            if referral.live_alongside
            else "",
            "pets_ok": referral.pets_ok,
            "pets_ok_label": _label(PetsOk, referral.pets_ok),
            "suitability_foster": referral.suitability_foster,
            "suitability_residential": referral.suitability_residential,
            "suitability_supported": referral.suitability_supported,
            "suitability_labels": {
                kind: _label(Suitability, value) if value else ""
                for kind, value in (
                    ("foster", referral.suitability_foster),
                    ("residential", referral.suitability_residential),
                    ("supported", referral.suitability_supported),
                )
            },
            "min_adults": referral.min_adults,
            "siblings_may_share_bedroom": referral.siblings_may_share_bedroom,
        },
        "risks_to_child": _risks(referral, RISK_TO_CHILD_FIELDS, "risk_other_detail"),
        "risks_to_others": _risks(referral, RISK_TO_OTHERS_FIELDS, "harm_other_detail"),
        "support_needed": [
            {"code": s, "label": _label(SupportKind, s)} for s in referral.support_needed or []
        ],
        "childs_views": referral.childs_views,
        "about_the_child": referral.about_the_child,
        "care_history": _care_counts(child),
    }
    assert set(data) == MINIMISED_KEYS, "keep MINIMISED_KEYS in step with minimised_referral"
    return data


# The name the provider-side services import.
minimise_referral = minimised_referral
