"""Synthetic demo children and referrals in Greater Manchester (Manchester City Council).

Idempotent: a child is found by its local identifier, a referral by its child; nothing is
created twice. Dates are relative to today so that the demo works on any day. Writes go
through the services (so the audit log and the referral timeline are filled in), except the
"sent" state and the review request, which are set directly so that seeding sends no email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.models import Organisation, Postcode
from apps.referrals.choices import ContributorRole, ReferralStatus
from apps.referrals.models import Child, LegalStatusChange, Referral, ReferralReview
from apps.referrals.services.children import child_create, needs_assessment_record
from apps.referrals.services.events import record_event
from apps.referrals.services.referrals import referral_create, referral_update

DEMO_DOMAIN = "demo.rcc.example"
MANCHESTER_DFE_CODE = "352"


@dataclass(frozen=True)
class DemoChild:
    local_identifier: str
    age_days: int
    sex: str
    ethnicity: str
    religion: str
    languages: list[str]
    legal_status: str
    home: str
    # Needs assessments, oldest first: (days ago, {domain: level})
    assessments: list[tuple[int, dict[str, str]]]
    referral: dict[str, Any] | None = None
    state: str = "none"  # none | draft | sent
    siblings: list[str] = field(default_factory=list)
    review_by: str = ""  # local part of the demo reviewer's email


def _complete(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "urgency": "planned",
        "latest_start_date": 28,
        "preferred_area": "South Manchester or Trafford",
        "family_postcode_district": "M14",
        "stay_close_to_family": True,
        "school_postcode_district": "M20",
        "keep_school": True,
        "places_to_reach": [
            {"district": "M13", "what": "family contact centre", "frequency": "weekly"}
        ],
        "places_to_avoid": ["M8"],
        "communication_needs": [],
        "adaptations": "None needed.",
        "cultural_religious_needs": "None identified.",
        "live_alongside": "with_others",
        "pets_ok": "yes",
        "suitability_foster": "preferred",
        "suitability_residential": "unsuitable",
        "suitability_supported": "unsuitable",
        "min_adults": 1,
        "risk_self_harm": "none",
        "risk_sexual_exploitation": "none",
        "risk_criminal_exploitation": "none",
        "risk_substances": "none",
        "risk_eating_disorder": "none",
        "risk_missing": "low",
        "risk_other": "none",
        "harm_physical": "none",
        "harm_sexual": "none",
        "harm_fire_setting": "none",
        "harm_animals": "none",
        "harm_criminal_exploitation": "none",
        "harm_other": "none",
        "support_needed": ["education"],
        "childs_views": "Wants to keep going to the same school and to see their nan every week.",
        "about_the_child": "Loves football and drawing; settles with a calm, predictable routine.",
    }
    values.update(over)
    return values


YEAR = 365
DEMO_CHILDREN = [
    DemoChild(
        "MCR-C-0001", 9 * YEAR + 40, "F", "WBRI", "none", ["en"], "C2", "M14",
        [(200, {"emotional-wellbeing": "medium", "education": "low",
                "family-relationships": "medium"}),
         (20, {"emotional-wellbeing": "high", "education": "low", "family-relationships": "medium",
               "behaviour": "low"})],
        referral={"urgency": "planned", "latest_start_date": 35, "family_postcode_district": "M14",
                  "preferred_area": "Near her school in Withington",
                  "live_alongside": "with_others"},
        state="draft",
    ),
    DemoChild(
        "MCR-C-0002", 13 * YEAR + 100, "M", "BAFR", "christian", ["en", "fr"], "C2", "M13",
        [(60, {"behaviour": "high", "education": "medium", "risk-to-child": "medium",
               "identity-culture": "medium"})],
        referral=_complete(
            latest_start_date=21, family_postcode_district="M13", school_postcode_district="M13",
            risk_missing="high",
            cultural_religious_needs="Attends a French-speaking church on Sundays.",
            support_needed=["supervision", "education"],
            childs_views="Wants a home where he can keep going to church and his football club.",
            about_the_child="Funny and sporty; finds change hard and needs clear boundaries.",
            moving_from_placement=True,
        ),
        state="draft",
        review_by="ifa.referrals",
    ),
    DemoChild(
        "MCR-C-0003", 6 * YEAR + 200, "F", "APKN", "muslim", ["en", "ur"], "C1", "M8",
        [(10, {"emotional-wellbeing": "medium", "health": "low", "identity-culture": "high"})],
        referral=_complete(
            urgency="emergency", latest_start_date=3, family_postcode_district="M8",
            school_postcode_district="M8", places_to_avoid=[],
            cultural_religious_needs=(
                "A Muslim household, or carers who support her faith; halal food; Urdu at home."
            ),
            childs_views="Wants to live with someone who speaks Urdu like her grandmother.",
            about_the_child="Curious and chatty; loves reading and baking.",
        ),
        state="sent",
    ),
    DemoChild(
        "MCR-C-0004", 11 * YEAR + 10, "M", "WBRI", "none", ["en"], "C2", "M22",
        [(300, {"behaviour": "medium", "family-relationships": "high"}),
         (90, {"behaviour": "medium", "family-relationships": "medium", "education": "medium"})],
        referral=_complete(
            latest_start_date=42, family_postcode_district="M22", school_postcode_district="M22",
            childs_views="Wants to stay with his little sister whatever happens.",
            about_the_child="Protective of his sister; loves Lego and video games.",
        ),
        state="sent",
        siblings=["MCR-C-0005"],
    ),
    DemoChild(
        "MCR-C-0005", 7 * YEAR + 300, "F", "WBRI", "none", ["en"], "C2", "M22",
        [(90, {"emotional-wellbeing": "medium", "family-relationships": "medium"})],
    ),
    DemoChild(
        "MCR-C-0006", 15 * YEAR + 20, "M", "WOTH", "not_stated", ["en", "pl"], "V2", "M11",
        [(5, {"emotional-wellbeing": "high", "risk-to-child": "high", "risk-to-others": "medium",
              "education": "high"})],
    ),
]  # fmt: skip


def _referral_values(spec: dict[str, Any], today: dt.date) -> dict[str, Any]:
    values = dict(spec)
    if isinstance(values.get("latest_start_date"), int):
        values["latest_start_date"] = today + dt.timedelta(days=values["latest_start_date"])
    return values


def _home_and_legal_status(child: Child, today: dt.date) -> None:
    """The child's full home postcode (the first real one of its district in the reference
    sample) and its legal status history, where they are missing."""
    if not child.home_postcode and child.home_postcode_district_id:
        code = (
            Postcode.objects.filter(district_id=child.home_postcode_district_id)
            .order_by("code")
            .values_list("code", flat=True)
            .first()
        )
        if code:
            Child.objects.filter(pk=child.pk).update(home_postcode=code)
    if not LegalStatusChange.objects.filter(child=child).exists():
        LegalStatusChange.objects.create(
            child=child, legal_status=child.legal_status, start_date=today
        )


@transaction.atomic
def seed_demo_referrals() -> dict[str, int]:
    """A few children with needs histories and referrals in draft and sent; safe to re-run."""
    la = Organisation.objects.filter(dfe_la_code=MANCHESTER_DFE_CODE).first()
    social_worker = User.objects.filter(email=f"social.worker@{DEMO_DOMAIN}").first()
    if la is None or social_worker is None:
        return {"children": 0, "referrals": 0}
    today = timezone.localdate()
    made = {"children": 0, "referrals": 0}
    children: dict[str, Child] = {}
    for spec in DEMO_CHILDREN:
        child = Child.objects.filter(la=la, local_identifier=spec.local_identifier).first()
        if child is None:
            child = child_create(
                by=social_worker,
                la=la,
                local_identifier=spec.local_identifier,
                case_system_id=f"LCS{spec.local_identifier[-4:]}{spec.age_days % 97:02d}",
                date_of_birth=today - dt.timedelta(days=spec.age_days),
                sex=spec.sex,
                ethnicity=spec.ethnicity,
                religion=spec.religion,
                languages=spec.languages,
                legal_status=spec.legal_status,
                home_postcode_district=spec.home,
            )
            for days_ago, levels in spec.assessments:
                needs_assessment_record(
                    by=social_worker,
                    child=child,
                    items=levels,
                    assessed_on=today - dt.timedelta(days=days_ago),
                    summary="Synthetic demo assessment.",
                )
            made["children"] += 1
        _home_and_legal_status(child, today)
        children[spec.local_identifier] = child

    for spec in DEMO_CHILDREN:
        child = children[spec.local_identifier]
        if spec.referral is None or Referral.objects.filter(child=child).exists():
            continue
        values = _referral_values(spec.referral, today)
        if spec.siblings:
            values["siblings"] = [children[s].pk for s in spec.siblings]
        referral = referral_create(by=social_worker, child=child)
        referral_update(by=social_worker, referral=referral, section="seed", **values)
        made["referrals"] += 1
        if spec.review_by:
            reviewer = User.objects.filter(email=f"{spec.review_by}@{DEMO_DOMAIN}").first()
            if reviewer is not None:
                review = ReferralReview.objects.create(
                    referral=referral,
                    reviewer=reviewer,
                    contributor_role=ContributorRole.CURRENT_CARER,
                    requested_by=social_worker,
                )
                record_event(
                    referral=referral,
                    actor=social_worker,
                    verb="review_requested",
                    review=review.pk,
                    reviewer=reviewer.get_full_name() or reviewer.email,
                    contributor_role=ContributorRole.CURRENT_CARER,
                )
        if spec.state == "sent":
            now = timezone.now()
            Referral.objects.filter(pk=referral.pk).update(
                status=ReferralStatus.SENT,
                sent_at=now,
                completed_by=social_worker,
                completed_at=now,
            )
            record_event(referral=referral, actor=social_worker, verb="sent", completeness=100)
    return made
