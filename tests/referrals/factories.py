"""Factories for the referral journey (synthetic data only).

`ReferralFactory` builds a complete referral that can be sent to the hub as it stands: the
child's LA belongs to an RCC, the latest start date is in the future, every completeness item
is filled in and the child is not moving from a placement (so no carer review is required).
"""

from __future__ import annotations

import datetime as dt

import factory
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.organisations.models import Organisation, RccMembership
from apps.referrals.choices import (
    ContributorRole,
    LegalStatus,
    LiveAlongside,
    PetsOk,
    ReviewStatus,
    RiskLevel,
    Suitability,
    Urgency,
)
from apps.referrals.models import (
    Child,
    NeedsAssessment,
    NeedsAssessmentItem,
    Referral,
    ReferralReview,
)
from tests.factories import (
    LocalAuthorityFactory,
    PostcodeDistrictFactory,
    RccFactory,
    RccMembershipFactory,
    UserFactory,
)
from tests.providers.factories import NeedDomainFactory, NeedLevelFactory


def rcc_of(la: Organisation) -> Organisation:
    """The RCC the LA belongs to; one is created (with the membership) if it has none."""
    membership = RccMembership.objects.filter(la=la).select_related("rcc").first()
    if membership is None:
        membership = RccMembershipFactory(la=la, rcc=RccFactory())
    return membership.rcc


class ChildFactory(DjangoModelFactory):
    class Meta:
        model = Child

    la = factory.SubFactory(LocalAuthorityFactory)
    local_identifier = factory.Sequence(lambda n: f"TST-C-{n:04d}")
    case_system_id = factory.Sequence(lambda n: f"CS{n:07d}")
    date_of_birth = factory.LazyFunction(
        lambda: timezone.localdate() - dt.timedelta(days=int(365.25 * 9))
    )
    sex = "F"
    ethnicity = "WBRI"
    religion = "none"
    languages = factory.LazyFunction(lambda: ["en"])
    legal_status = LegalStatus.C2
    home_postcode_district = factory.SubFactory(PostcodeDistrictFactory)
    created_by = factory.SubFactory(UserFactory)


def _next_version(child: Child) -> int:
    return (child.assessments.aggregate(v=Max("version"))["v"] or 0) + 1


class NeedsAssessmentFactory(DjangoModelFactory):
    """A version of a child's needs. Pass `items=[(domain, level), ...]` to choose the levels;
    by default one item (a factory domain at rank 2) is recorded."""

    class Meta:
        model = NeedsAssessment
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    version = factory.LazyAttribute(lambda o: _next_version(o.child))
    assessed_on = factory.LazyFunction(timezone.localdate)
    assessed_by = factory.LazyAttribute(lambda o: o.child.created_by)
    summary = "Synthetic assessment for tests."

    @factory.post_generation
    def items(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if not create:
            return
        pairs = extracted if extracted is not None else [(NeedDomainFactory(), NeedLevelFactory())]
        for domain, level in pairs:
            NeedsAssessmentItem.objects.create(assessment=obj, domain=domain, level=level)


class ReferralFactory(DjangoModelFactory):
    """A complete referral in DRAFT that `referral_send` accepts as it stands."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    child = factory.SubFactory(ChildFactory)
    la = factory.LazyAttribute(lambda o: o.child.la)
    rcc = factory.LazyAttribute(lambda o: rcc_of(o.la))
    needs_assessment = factory.SubFactory(
        NeedsAssessmentFactory, child=factory.SelfAttribute("..child")
    )
    urgency = Urgency.PLANNED
    latest_start_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=28))
    preferred_area = "Within 10 miles of school"
    family_postcode_district = factory.SubFactory(PostcodeDistrictFactory)
    stay_close_to_family = True
    school_postcode_district = factory.SubFactory(PostcodeDistrictFactory)
    keep_school = True
    places_to_reach = factory.LazyFunction(list)
    places_to_avoid = factory.LazyFunction(list)
    communication_needs = factory.LazyFunction(list)
    adaptations = "None needed"
    cultural_religious_needs = "None identified"
    live_alongside = LiveAlongside.WITH_OTHERS
    pets_ok = PetsOk.YES
    suitability_foster = Suitability.PREFERRED
    suitability_residential = Suitability.UNSUITABLE
    suitability_supported = Suitability.UNSUITABLE
    min_adults = 1
    risk_self_harm = RiskLevel.NONE_KNOWN
    risk_sexual_exploitation = RiskLevel.NONE_KNOWN
    risk_criminal_exploitation = RiskLevel.NONE_KNOWN
    risk_substances = RiskLevel.NONE_KNOWN
    risk_eating_disorder = RiskLevel.NONE_KNOWN
    risk_missing = RiskLevel.LOW
    risk_other = RiskLevel.NONE_KNOWN
    harm_physical = RiskLevel.NONE_KNOWN
    harm_sexual = RiskLevel.NONE_KNOWN
    harm_fire_setting = RiskLevel.NONE_KNOWN
    harm_animals = RiskLevel.NONE_KNOWN
    harm_criminal_exploitation = RiskLevel.NONE_KNOWN
    harm_other = RiskLevel.NONE_KNOWN
    support_needed = factory.LazyFunction(lambda: ["education"])
    childs_views = "Would like to stay at the same school and keep seeing their friends."
    about_the_child = "Enjoys football and drawing; settles well with a calm routine."
    moving_from_placement = False
    created_by = factory.LazyAttribute(lambda o: o.child.created_by)


class ReferralReviewFactory(DjangoModelFactory):
    class Meta:
        model = ReferralReview

    referral = factory.SubFactory(ReferralFactory)
    contributor_role = ContributorRole.CURRENT_CARER
    reviewer = factory.SubFactory(UserFactory)
    requested_by = factory.LazyAttribute(lambda o: o.referral.created_by)
    status = ReviewStatus.REQUESTED


TAXONOMY_PATH = "data/taxonomy/needs_default.json"


def load_taxonomy() -> None:
    """The shared needs taxonomy (9 domains, levels none…complex), as `load_reference` loads it."""
    from pathlib import Path

    from django.conf import settings

    from apps.needs.services import taxonomy_load

    taxonomy_load(path=Path(settings.BASE_DIR) / TAXONOMY_PATH)


def items_of(**levels: str) -> list[dict[str, str]]:
    """Needs items: items_of(behaviour="high") → [{"domain": "behaviour", "level": "high"}]."""
    return [{"domain": d.replace("_", "-"), "level": lv} for d, lv in levels.items()]
