"""Synthetic demo children and referrals: in Greater Manchester (Manchester City Council) and
in the second RCC (Lancashire); in-house homes of Manchester's fostering service that suit the
sent referrals, which the hub sends them (so the in-house login has referrals to answer); and
review requests for the demo IRO and the current carer.

Idempotent: a child is found by its local identifier, a referral by its child, a review by its
reviewer, a home by its reference, a target by its household; nothing is created twice. Dates
are relative to today so that the demo works on any day. Writes go through the services (so the
audit log and the referral timeline are filled in), except the "sent" state and the review
request, which are set directly, and sending to the homes, which asks for no email: seeding
sends no email.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, Postcode
from apps.providers.models import Household, Provider
from apps.providers.services import household_upsert
from apps.referrals.choices import ContributorRole, ReferralStatus
from apps.referrals.matching import assess_households
from apps.referrals.models import Child, LegalStatusChange, Referral, ReferralReview, ReferralTarget
from apps.referrals.services.children import child_create, needs_assessment_record
from apps.referrals.services.distribution import targets_send
from apps.referrals.services.events import record_event
from apps.referrals.services.referrals import referral_create, referral_update

DEMO_DOMAIN = "demo.rcc.example"
MANCHESTER_DFE_CODE = "352"
LANCASHIRE_DFE_CODE = "888"  # in the second RCC (apps/accounts/seeding.py)


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
    review_role: str = ContributorRole.CURRENT_CARER
    la_code: str = MANCHESTER_DFE_CODE
    social_worker: str = "social.worker"  # local part of the demo social worker's email


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
        review_by="iro", review_role=ContributorRole.IRO,
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
    # The second RCC: Lancashire's children, for its own social worker and hub.
    DemoChild(
        "LAN-C-0001", 10 * YEAR + 150, "M", "WBRI", "none", ["en"], "C2", "PR1",
        [(45, {"behaviour": "medium", "education": "low", "family-relationships": "medium"})],
        referral=_complete(
            latest_start_date=30, preferred_area="Preston", family_postcode_district="PR1",
            school_postcode_district="PR1", places_to_avoid=[],
            places_to_reach=[
                {"district": "PR2", "what": "his dad's home", "frequency": "weekly"}
            ],
            childs_views="Wants to stay at his school in Preston and keep seeing his dad.",
            about_the_child="Loves rugby league and his dog; quiet until he knows you.",
        ),
        state="sent", la_code=LANCASHIRE_DFE_CODE, social_worker="nw.social.worker",
    ),
    DemoChild(
        "LAN-C-0002", 4 * YEAR + 20, "F", "WBRI", "none", ["en"], "C1", "PR2",
        [(12, {"health": "medium", "emotional-wellbeing": "low"})],
        referral={"urgency": "planned", "latest_start_date": 60, "family_postcode_district": "PR2",
                  "preferred_area": "Preston or Chorley"},
        state="draft", la_code=LANCASHIRE_DFE_CODE, social_worker="nw.social.worker",
        review_by="nw.iro", review_role=ContributorRole.IRO,
    ),
]  # fmt: skip

# Two homes of Manchester's own fostering service (in-house for Manchester's children) made
# to suit the sent demo referrals: MCR-C-0003 (6, emergency, Muslim, speaks Urdu, from M8) and
# the brother and sister MCR-C-0004 and MCR-C-0005 (11 and 7, from M22).
IN_HOUSE_HOMES: list[tuple[dict[str, Any], list[str]]] = [
    (
        {
            "reference": "MCR-INH-0001", "status": "active", "postcode_district": "M8",
            "age_min": 0, "age_max": 11, "places": 1, "max_sibling_group": 1,
            "care_types": ["emergency", "short_term", "long_term"], "bedrooms": 3, "pets": "",
            "other_children_ages": [], "preferences": "Younger children; a halal kitchen.",
            "carers": [
                {"age_band": "35-44", "sex": "F", "ethnicity": "APKN", "religion": "muslim",
                 "languages": ["en", "ur"]},
                {"age_band": "45-54", "sex": "M", "ethnicity": "APKN", "religion": "muslim",
                 "languages": ["en", "ur", "pa"]},
            ],
            "skills": [{"domain": "identity-culture", "level": 3},
                       {"domain": "emotional-wellbeing", "level": 2},
                       {"domain": "health", "level": 1}],
            "vacancies": [{"reference": "MCR-INH-0001-A", "available_from": 0, "status": "open"}],
        },
        ["MCR-C-0003"],
    ),
    (
        {
            "reference": "MCR-INH-0002", "status": "active", "postcode_district": "M22",
            "age_min": 5, "age_max": 14, "places": 2, "max_sibling_group": 2,
            "care_types": ["short_term", "long_term"], "bedrooms": 3, "pets": "A cat",
            "other_children_ages": [], "preferences": "Brothers and sisters kept together.",
            "carers": [
                {"age_band": "45-54", "sex": "F", "ethnicity": "WBRI", "religion": "none",
                 "languages": ["en"]},
                {"age_band": "45-54", "sex": "F", "ethnicity": "WIRI", "religion": "christian",
                 "languages": ["en"]},
            ],
            "skills": [{"domain": "behaviour", "level": 2},
                       {"domain": "family-relationships", "level": 3},
                       {"domain": "education", "level": 2},
                       {"domain": "emotional-wellbeing", "level": 2}],
            "vacancies": [
                {"reference": "MCR-INH-0002-A", "available_from": 0, "status": "open"},
                {"reference": "MCR-INH-0002-B", "available_from": 0, "status": "open"},
            ],
        },
        ["MCR-C-0004"],
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


def _demo_user(local_part: str) -> User | None:
    return User.objects.filter(email=f"{local_part}@{DEMO_DOMAIN}").first()


@transaction.atomic
def seed_demo_referrals() -> dict[str, int]:
    """A few children with needs histories and referrals in draft and sent, in each demo RCC;
    review requests; in-house homes for the sent referrals, which are sent to them. Safe to
    re-run: returns what it added."""
    today = timezone.localdate()
    made = {"children": 0, "referrals": 0, "reviews": 0, "homes": 0, "targets": 0}
    las = {
        la.dfe_la_code: la
        for la in Organisation.objects.local_authorities().filter(
            dfe_la_code__in={spec.la_code for spec in DEMO_CHILDREN}
        )
    }
    children: dict[str, Child] = {}
    workers: dict[str, User] = {}
    for spec in DEMO_CHILDREN:
        la = las.get(spec.la_code)
        social_worker = _demo_user(spec.social_worker)
        if la is None or social_worker is None:
            continue  # that RCC's people are not seeded (another scale, or a unit test)
        workers[spec.local_identifier] = social_worker
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

    # The homes before the referrals: a referral checks its sibling group against the register.
    homes, made["homes"] = _in_house_homes(today)
    referrals: dict[str, Referral] = {}
    for spec in DEMO_CHILDREN:
        child = children.get(spec.local_identifier)
        if child is None or spec.referral is None:
            continue
        social_worker = workers[spec.local_identifier]
        existing = Referral.objects.filter(child=child).first()
        if existing is not None:
            referrals[spec.local_identifier] = existing
        else:
            referrals[spec.local_identifier] = _new_referral(spec, child, social_worker, children)
            made["referrals"] += 1
        if spec.review_by:
            made["reviews"] += _review_requested(
                referrals[spec.local_identifier], spec, social_worker
            )
    made["targets"] = _sent_to_in_house_homes(referrals, homes)
    return made


def _new_referral(
    spec: DemoChild, child: Child, social_worker: User, children: dict[str, Child]
) -> Referral:
    values = _referral_values(spec.referral or {}, timezone.localdate())
    if spec.siblings:
        values["siblings"] = [children[s].pk for s in spec.siblings if s in children]
    referral = referral_create(by=social_worker, child=child)
    referral_update(by=social_worker, referral=referral, section="seed", **values)
    if spec.state == "sent":
        now = timezone.now()
        Referral.objects.filter(pk=referral.pk).update(
            status=ReferralStatus.SENT,
            sent_at=now,
            completed_by=social_worker,
            completed_at=now,
        )
        record_event(referral=referral, actor=social_worker, verb="sent", completeness=100)
        referral.refresh_from_db()
    return referral


def _review_requested(referral: Referral, spec: DemoChild, social_worker: User) -> int:
    """The review asked of the demo reviewer (current carer, IRO), once."""
    reviewer = _demo_user(spec.review_by)
    if (
        reviewer is None
        or ReferralReview.objects.filter(referral=referral, reviewer=reviewer).exists()
    ):
        return 0
    review = ReferralReview.objects.create(
        referral=referral,
        reviewer=reviewer,
        contributor_role=spec.review_role,
        requested_by=social_worker,
    )
    record_event(
        referral=referral,
        actor=social_worker,
        verb="review_requested",
        review=review.pk,
        reviewer=reviewer.get_full_name() or reviewer.email,
        contributor_role=spec.review_role,
    )
    return 1


def _in_house_homes(today: dt.date) -> tuple[dict[str, Household], int]:
    """Manchester's in-house homes made for the sent demo referrals, by the child each is for,
    and how many were added now (none without Manchester's service on the register)."""
    la = Organisation.objects.filter(dfe_la_code=MANCHESTER_DFE_CODE).first()
    provider = (
        Provider.objects.filter(
            organisation__kind=OrganisationKind.LA_SERVICE, organisation__owning_la=la
        ).first()
        if la
        else None
    )
    officer = _demo_user("inhouse.referrals")
    if provider is None or officer is None:
        return {}, 0
    homes: dict[str, Household] = {}
    added = 0
    for data, for_children in IN_HOUSE_HOMES:
        household = Household.objects.filter(provider=provider, reference=data["reference"]).first()
        if household is None:  # made once; never reset (the demo may have booked its places)
            values = dict(data)
            values["vacancies"] = [
                {**v, "available_from": today + dt.timedelta(days=v["available_from"])}
                for v in data["vacancies"]
            ]
            household, _ = household_upsert(provider=provider, by=officer, data=values)
            added += 1
        homes.update(dict.fromkeys(for_children, household))
    return homes, added


def _sent_to_in_house_homes(referrals: dict[str, Referral], homes: dict[str, Household]) -> int:
    """The hub sends each sent demo referral to the in-house home made for it, while the home
    is still a candidate and the referral still with the hub. Returns the targets added."""
    hub = _demo_user("placement.officer")
    if hub is None:
        return 0
    targets = 0
    for identifier, household in homes.items():
        referral = referrals.get(identifier)
        if (
            referral is None
            or referral.status != ReferralStatus.SENT
            or ReferralTarget.objects.filter(referral=referral, household=household).exists()
        ):
            continue
        if assess_households(referral, [household.pk])[household.pk].option is None:
            continue
        targets += len(
            targets_send(referral=referral, households=[household.pk], by=hub, notify=False)
        )
    return targets
