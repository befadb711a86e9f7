"""Factories for the register (synthetic data only)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.needs.models import NeedDomain, NeedLevel
from apps.providers.choices import ENDED_HOUSEHOLD_STATUSES, CareType, Ethnicity, Religion
from apps.providers.models import Carer, Household, HouseholdSkill, Provider, Vacancy
from tests.factories import IfaFactory, PostcodeDistrictFactory


class ProviderFactory(DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("organisation",)

    organisation = factory.SubFactory(IfaFactory)
    ofsted_grade = "good"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    provider = factory.SubFactory(ProviderFactory)
    reference = factory.Sequence(lambda n: f"HH{n:05d}")
    status = "active"
    postcode_district = factory.SubFactory(PostcodeDistrictFactory)
    latitude = factory.LazyAttribute(lambda h: h.postcode_district.latitude)
    longitude = factory.LazyAttribute(lambda h: h.postcode_district.longitude)
    la = factory.LazyAttribute(lambda h: h.postcode_district.la)
    age_min = 0
    age_max = 17
    places = 2
    max_sibling_group = 2
    care_types = int(CareType.SHORT_TERM | CareType.LONG_TERM | CareType.EMERGENCY)
    bedrooms = 2
    approved_on = dt.date(2020, 4, 1)
    approval_ended_on = factory.LazyAttribute(
        lambda h: timezone.localdate() if h.status in ENDED_HOUSEHOLD_STATUSES else None
    )
    approval_end_reason = factory.LazyAttribute(
        lambda h: "OTHER" if h.status in ENDED_HOUSEHOLD_STATUSES else ""
    )
    last_confirmed_at = factory.LazyFunction(timezone.now)


class CarerFactory(DjangoModelFactory):
    class Meta:
        model = Carer

    household = factory.SubFactory(HouseholdFactory)
    age_band = "45-54"
    sex = "F"
    ethnicity = Ethnicity.WBRI
    religion = Religion.NONE
    languages = factory.LazyFunction(lambda: ["en"])


class NeedDomainFactory(DjangoModelFactory):
    class Meta:
        model = NeedDomain
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.Sequence(lambda n: f"Domain {n}")


class NeedLevelFactory(DjangoModelFactory):
    class Meta:
        model = NeedLevel
        django_get_or_create = ("rank",)

    rank = 2
    code = factory.LazyAttribute(lambda o: f"level-{o.rank}")
    name = factory.LazyAttribute(lambda o: f"Level {o.rank}")


class HouseholdSkillFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdSkill

    household = factory.SubFactory(HouseholdFactory)
    domain = factory.SubFactory(NeedDomainFactory)
    level = factory.SubFactory(NeedLevelFactory)


class VacancyFactory(DjangoModelFactory):
    class Meta:
        model = Vacancy

    household = factory.SubFactory(HouseholdFactory)
    reference = factory.Sequence(lambda n: f"V{n}")
    available_from = factory.LazyFunction(timezone.localdate)
    status = "open"
    last_confirmed_at = factory.LazyFunction(timezone.now)
