"""Factories for the foundation: organisations, users and memberships (synthetic data only)."""

from __future__ import annotations

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.organisations.kinds import IfaSector, OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict, RccMembership

PASSWORD = "a-Long-test-password-1"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.IFA
    name = factory.Sequence(lambda n: f"Organisation {n}")
    sector = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == OrganisationKind.IFA), IfaSector.PRIVATE, ""
    )
    ofsted_urn = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == OrganisationKind.IFA),
        factory.Sequence(lambda n: f"SC8{n:05d}"),
        "",
    )


class LocalAuthorityFactory(OrganisationFactory):
    kind = OrganisationKind.LOCAL_AUTHORITY
    name = factory.Sequence(lambda n: f"Test LA {n}")
    dfe_la_code = factory.Sequence(lambda n: f"{(n % 900) + 100:03d}")
    region = "North West"
    latitude = 53.48
    longitude = -2.24


class RccFactory(OrganisationFactory):
    kind = OrganisationKind.RCC
    name = factory.Sequence(lambda n: f"Test RCC {n}")


class HubFactory(OrganisationFactory):
    kind = OrganisationKind.HUB
    name = factory.Sequence(lambda n: f"Test hub {n}")
    rcc = factory.SubFactory(RccFactory)


class NccFactory(OrganisationFactory):
    kind = OrganisationKind.NCC
    name = factory.Sequence(lambda n: f"NCC {n}")


class IfaFactory(OrganisationFactory):
    kind = OrganisationKind.IFA
    name = factory.Sequence(lambda n: f"Test IFA {n}")


class LaServiceFactory(OrganisationFactory):
    kind = OrganisationKind.LA_SERVICE
    name = factory.Sequence(lambda n: f"Test LA fostering service {n}")
    owning_la = factory.SubFactory(LocalAuthorityFactory)


class RccMembershipFactory(DjangoModelFactory):
    class Meta:
        model = RccMembership

    rcc = factory.SubFactory(RccFactory)
    la = factory.SubFactory(LocalAuthorityFactory)
    start_date = dt.date(2025, 4, 1)


class PostcodeDistrictFactory(DjangoModelFactory):
    class Meta:
        model = PostcodeDistrict
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ZZ{n % 100}")
    latitude = 53.48
    longitude = -2.24


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@test.rcc.example")
    username = factory.LazyAttribute(lambda u: u.email)
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.ADMINISTRATOR


def user_with_role(role: str, organisation: Organisation, **user_fields: object) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user
