"""`manage.py seed`: deterministic, re-runnable, and shaped like DOMAIN.md's numbers.

The full national dataset (42,000 households) is built by bench/register_search.py, not here:
these tests run the national generator at a reduced size (`--households`)."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import User
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.organisations.seeding import DEMO_IFAS, GREATER_MANCHESTER, LaPoint, plan_rccs
from apps.providers.choices import VacancyStatus
from apps.providers.models import Carer, Household, HouseholdSkill, Provider, Vacancy
from apps.providers.seeding import NATIONAL_IFA_GROUPS, HouseholdMaker, plan_ifas
from apps.providers.seeding import District as SeedDistrict


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed", *args, "-v", "0", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "memberships": RccMembership.objects.count(),
        "providers": Provider.objects.count(),
        "areas": Provider.areas_served.through.objects.count(),
        "households": Household.objects.count(),
        "carers": Carer.objects.count(),
        "skills": HouseholdSkill.objects.count(),
        "vacancies": Vacancy.objects.count(),
        "users": User.objects.count(),
    }


@pytest.mark.django_db
def test_demo_twice_gives_the_same_rows_and_keeps_the_demo_logins() -> None:
    output = seed("--scale", "demo")
    first = counts()
    seed("--scale", "demo")

    assert counts() == first
    assert 400 <= first["households"] <= 1000  # under a thousand: fast
    assert first["vacancies"] > 0
    assert "placement.officer@demo.rcc.example" in output
    assert "demo-Foster-2026" in output
    for name, urn, _ in DEMO_IFAS:
        ifa = Organisation.objects.get(kind=OrganisationKind.IFA, name=name)
        assert ifa.ofsted_urn == urn
        assert Household.objects.filter(provider_id=ifa.pk).exists()
    # The North West's two RCCs, so that the national dashboards have two to compare.
    rccs = {
        rcc.name: sorted(rcc.la_memberships.values_list("la__dfe_la_code", flat=True))
        for rcc in Organisation.objects.filter(kind=OrganisationKind.RCC)
    }
    assert set(rccs) == {
        "Greater Manchester Regional Care Cooperative",
        "North West Regional Care Cooperative",
    }
    assert rccs["Greater Manchester Regional Care Cooperative"] == sorted(GREATER_MANCHESTER)
    assert len(rccs["North West Regional Care Cooperative"]) == 14
    assert Organisation.objects.filter(kind=OrganisationKind.HUB).count() == 2
    # Every provider organisation has its register profile.
    assert not Organisation.objects.providers().filter(provider__isnull=True).exists()
    # The demo hub sees all three kinds of provider near Manchester.
    kinds = set(Household.objects.values_list("provider__organisation__kind", flat=True))
    assert kinds == {OrganisationKind.IFA, OrganisationKind.LA_SERVICE}
    outside = Household.objects.filter(
        provider__organisation__kind=OrganisationKind.LA_SERVICE
    ).exclude(provider__organisation__owning_la__dfe_la_code__in=GREATER_MANCHESTER)
    assert outside.exists()


@pytest.mark.django_db
def test_national_generator_at_a_reduced_size() -> None:
    seed("--scale", "national", "--households", "400")
    first = counts()

    las = Organisation.objects.local_authorities()
    assert las.count() == 153
    # Every LA in exactly one RCC; each RCC has a hub; Greater Manchester's ten together.
    memberships = Counter(RccMembership.objects.values_list("la_id", flat=True))
    assert set(memberships) == set(las.values_list("pk", flat=True))
    assert set(memberships.values()) == {1}
    rccs = Organisation.objects.rccs()
    assert rccs.count() == 13
    assert all(
        Organisation.objects.filter(kind=OrganisationKind.HUB, rcc=rcc).exists() for rcc in rccs
    )
    sizes = {rcc.name: rcc.la_memberships.count() for rcc in rccs}
    assert all(8 <= size <= 15 for size in sizes.values()), sizes
    assert sum(1 for name in sizes if "London" in name) == 3
    assert Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE).count() == 147
    assert Organisation.objects.filter(kind=OrganisationKind.IFA).count() == 318
    assert Provider.objects.count() == 147 + 318
    everywhere = Provider.objects.annotate(areas=Count("areas_served")).filter(areas=153)
    assert everywhere.count() == NATIONAL_IFA_GROUPS
    assert 300 <= first["households"] <= 500

    seed("--scale", "national", "--households", "400")
    assert counts() == first


@pytest.mark.django_db
def test_region_builds_only_that_regions_rccs() -> None:
    seed("--scale", "region", "--region", "North East", "--households", "2000")
    names = set(Organisation.objects.rccs().values_list("name", flat=True))
    # The demo organisations are always there; the region adds its own RCC.
    assert "North East Regional Care Cooperative" in names
    assert not any("London" in name for name in names)
    regions = set(Household.objects.values_list("la__region", flat=True))
    assert regions == {"North East"}


def _las(n: int = 60) -> list[LaPoint]:
    rng = random.Random(1)
    regions = ["North East", "London", "South West"]
    las = [
        LaPoint(
            i,
            f"{350 + i:03d}",
            f"LA {i}",
            regions[i % 3],
            51 + rng.random() * 3,
            -3 + rng.random() * 3,
            100_000,
        )
        for i in range(n)
    ]
    return las


def test_rcc_plan_is_coherent_and_complete() -> None:
    las = _las()
    plans = plan_rccs(las)
    codes = [code for plan in plans for code in plan.la_codes]
    assert sorted(codes) == sorted({la.code for la in las} | set(GREATER_MANCHESTER))
    assert len(codes) == len(set(codes))
    by_code = {la.code: la for la in las}
    for plan in plans[1:]:
        assert len({by_code[c].region for c in plan.la_codes}) == 1
        assert len(plan.la_codes) <= 15


def test_ifa_plan_is_deterministic_and_regional() -> None:
    las = _las()
    first, again, other = (
        plan_ifas(las, seed=7, count=50),
        plan_ifas(las, seed=7, count=50),
        plan_ifas(las, seed=8, count=50),
    )
    assert first == again
    assert first != other
    assert len({p.name for p in first}) == len({p.urn for p in first}) == 50
    footprints = sorted(len(p.footprint) for p in first)
    assert footprints[-1] == len(las)  # the national groups serve every LA
    assert footprints[len(footprints) // 2] < len(las)  # most are regional


def test_households_look_like_the_national_figures() -> None:
    now = timezone.now()
    maker = HouseholdMaker(now=now, domains=list(range(1, 10)), levels={1: 1, 2: 2, 3: 3, 4: 4})
    rng = random.Random(3)
    la = LaPoint(1, "352", "Manchester", "North West", 53.48, -2.24, 555_741)
    district = SeedDistrict("M14", 53.45, -2.22, 1)
    drafts = [
        maker.make(
            rng, provider_key="x", reference=f"H{i}", district=district, la=la, is_ifa=i % 2 == 0
        )
        for i in range(6000)
    ]
    places = sum(d.household.places for d in drafts)
    vacancies: list[Any] = [v for d in drafts for v in d.vacancies]
    open_places = [v for v in vacancies if v.status == VacancyStatus.OPEN]
    assert 1.55 <= places / len(drafts) <= 1.8  # 69,825 places / 42,190 households ≈ 1.65
    assert 0.14 <= len(open_places) / places <= 0.18  # ~16% vacant and available
    stale = sum(1 for v in open_places if v.last_confirmed_at < now - dt.timedelta(days=14))
    assert 0.07 <= stale / len(open_places) <= 0.13  # ~10% stale
    assert {len(d.carers) for d in drafts} == {1, 2}
    assert any(v.status == VacancyStatus.ON_HOLD and v.hold_reason for v in vacancies)
    assert any(v.available_from > timezone.localdate(now) for v in open_places)
    for d in drafts:
        h = d.household
        assert h.age_min <= h.age_max <= 25
        assert 1 <= h.max_sibling_group <= h.places
        assert h.care_types
