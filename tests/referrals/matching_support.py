"""Helpers for the matching, distribution and batch tests: places with real coordinates, homes
with open places, and referrals sent to the world's RCC (synthetic data only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.accounts.roles import Role
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.providers.models import Household
from apps.referrals.models import Referral
from tests.providers.factories import (
    CarerFactory,
    HouseholdFactory,
    HouseholdSkillFactory,
    ProviderFactory,
    VacancyFactory,
)
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory
from tests.referrals.placing_factories import SentReferralFactory

# Real outward codes with approximate centres; distances from M1 in miles (straight line).
PLACES = {
    "M1": (53.4794, -2.2353),  # 0
    "M14": (53.4470, -2.2240),  # ~2.3
    "OL1": (53.5444, -2.1169),  # ~6.1
    "WA1": (53.3900, -2.5900),  # ~16
    "L1": (53.4031, -2.9800),  # ~31
    "LS1": (53.7970, -1.5480),  # ~35
    "B1": (52.4800, -1.9030),  # ~70: outside the default 60-mile radius
}


def district(code: str) -> PostcodeDistrict:
    lat, lng = PLACES[code]
    found, _ = PostcodeDistrict.objects.get_or_create(
        code=code, defaults={"latitude": lat, "longitude": lng}
    )
    return found


def years_ago(years: int, days: int = 30) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


def levels() -> dict[int, NeedLevel]:
    names = {0: "None", 1: "Low", 2: "Medium", 3: "High", 4: "Complex"}
    return {
        rank: NeedLevel.objects.get_or_create(
            rank=rank, defaults={"code": f"lvl-{rank}", "name": names[rank]}
        )[0]
        for rank in names
    }


def domain(code: str) -> NeedDomain:
    return NeedDomain.objects.get_or_create(code=code, defaults={"name": code.title()})[0]


def home(
    organisation: Organisation,
    at: str = "M1",
    *,
    places: int = 1,
    free_from: dt.date | None = None,
    skills: dict[str, int] | None = None,
    carers: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Household:
    """A household of `organisation`'s provider in district `at`, with `places` open places."""
    fields.setdefault("places", max(places, fields.get("max_sibling_group", 1)))
    fields.setdefault("max_sibling_group", 1)
    fields.setdefault("bedrooms", fields["places"])
    household = HouseholdFactory(
        provider=ProviderFactory(organisation=organisation),
        postcode_district=district(at),
        **fields,
    )
    for _ in range(places):
        VacancyFactory(household=household, available_from=free_from or timezone.localdate())
    lv = levels()
    for code, rank in (skills or {}).items():
        HouseholdSkillFactory(household=household, domain=domain(code), level=lv[rank])
    for carer in carers or [{}]:
        CarerFactory(household=household, **carer)
    return household


def referral(
    world: Any,
    *,
    age: int = 9,
    needs: dict[str, int] | None = None,
    at: str = "M1",
    school: str | None = "M14",
    siblings: list[int] | None = None,
    child: dict[str, Any] | None = None,
    la: Organisation | None = None,
    **fields: Any,
) -> Referral:
    """A referral sent to the hub of the world's RCC (or `la`'s RCC)."""
    la = la or world.la
    sw = world.users[Role.SOCIAL_WORKER]
    kid = ChildFactory(
        la=la,
        created_by=sw,
        date_of_birth=years_ago(age),
        home_postcode_district=district(at),
        **(child or {}),
    )
    lv = levels()
    assessment = NeedsAssessmentFactory(
        child=kid,
        items=[(domain(code), lv[rank]) for code, rank in (needs or {"behaviour": 2}).items()],
    )
    fields.setdefault("keep_school", school is not None)
    fields.setdefault("stay_close_to_family", False)
    made = SentReferralFactory(
        child=kid,
        created_by=sw,
        needs_assessment=assessment,
        family_postcode_district=district(at),
        school_postcode_district=district(school) if school else None,
        **fields,
    )
    for sibling_age in siblings or []:
        made.siblings.add(ChildFactory(la=la, created_by=sw, date_of_birth=years_ago(sibling_age)))
    return made
