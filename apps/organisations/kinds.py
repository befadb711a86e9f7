from django.db import models

from apps.accounts.roles import Role


class OrganisationKind(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority"
    RCC = "rcc", "Regional Care Cooperative"
    HUB = "hub", "RCC hub"
    NCC = "ncc", "National Care Cooperative"
    IFA = "ifa", "Independent fostering agency"
    LA_SERVICE = "la_service", "LA fostering service"


PROVIDER_KINDS = (OrganisationKind.IFA, OrganisationKind.LA_SERVICE)


class IfaSector(models.TextChoices):
    PRIVATE = "private", "Private"
    VOLUNTARY = "voluntary", "Voluntary"


class Region(models.TextChoices):
    NORTH_EAST = "North East", "North East"
    NORTH_WEST = "North West", "North West"
    YORKSHIRE = "Yorkshire and The Humber", "Yorkshire and The Humber"
    EAST_MIDLANDS = "East Midlands", "East Midlands"
    WEST_MIDLANDS = "West Midlands", "West Midlands"
    EAST = "East of England", "East of England"
    LONDON = "London", "London"
    SOUTH_EAST = "South East", "South East"
    SOUTH_WEST = "South West", "South West"


# Which roles may be held in which kind of organisation.

ROLES_BY_KIND: dict[str, frozenset[str]] = {
    OrganisationKind.LOCAL_AUTHORITY: frozenset({Role.SOCIAL_WORKER, Role.IRO, Role.ADMINISTRATOR}),
    OrganisationKind.RCC: frozenset({Role.COMMISSIONER, Role.SCRUTINEER, Role.ADMINISTRATOR}),
    OrganisationKind.HUB: frozenset({Role.PLACEMENT_OFFICER, Role.ADMINISTRATOR}),
    OrganisationKind.NCC: frozenset({Role.NCC_ANALYST, Role.COMMISSIONER, Role.ADMINISTRATOR}),
    OrganisationKind.IFA: frozenset(
        {Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA, Role.ADMINISTRATOR}
    ),
    OrganisationKind.LA_SERVICE: frozenset(
        {Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA, Role.ADMINISTRATOR}
    ),
}
