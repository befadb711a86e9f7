"""Synthetic demo organisations: one RCC (Greater Manchester), its hub, the NCC and providers.

Idempotent: every object is found by its natural key before it is created.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .kinds import IfaSector, OrganisationKind
from .models import Organisation, RccMembership

RCC_START = dt.date(2025, 4, 1)
GREATER_MANCHESTER = ("350", "351", "352", "353", "354", "355", "356", "357", "358", "359")
# Synthetic agencies: names and URNs are made up (URNs start SC9 to avoid real ones).
DEMO_IFAS = (
    ("Pennine Foster Care", "SC900001", IfaSector.PRIVATE),
    ("Irwell Family Placements", "SC900002", IfaSector.VOLUNTARY),
    ("Mersey Valley Fostering", "SC900003", IfaSector.PRIVATE),
)
DEMO_LA_SERVICES = ("352", "356", "355")


@dataclass
class DemoOrganisations:
    ncc: Organisation
    rcc: Organisation
    hub: Organisation
    las: list[Organisation]
    ifas: list[Organisation]
    la_services: list[Organisation]


def _get_or_create(kind: str, name: str, **fields: object) -> Organisation:
    org, _ = Organisation.objects.get_or_create(kind=kind, name=name, defaults=fields)
    return org


def ensure_rcc(
    *, name: str, la_codes: tuple[str, ...] | list[str], start: dt.date = RCC_START
) -> Organisation:
    rcc = _get_or_create(
        OrganisationKind.RCC, name, short_name=name.replace(" Regional Care Cooperative", " RCC")
    )
    for la in Organisation.objects.local_authorities().filter(dfe_la_code__in=la_codes):
        RccMembership.objects.get_or_create(rcc=rcc, la=la, start_date=start)
    _get_or_create(OrganisationKind.HUB, f"{rcc.short_name or rcc.name} hub", rcc=rcc)
    return rcc


def la_service_urn(owning_code: str) -> str:
    """A synthetic Ofsted URN for the LA's fostering service (SC8 + DfE code: none is real)."""
    return f"SC8{owning_code}00"


def ensure_la_service(la: Organisation) -> Organisation:
    service = _get_or_create(
        OrganisationKind.LA_SERVICE,
        f"{la.name} Fostering Service",
        owning_la=la,
        ofsted_urn=la_service_urn(la.dfe_la_code),
    )
    if not service.ofsted_urn:  # made before services had URNs in the demo
        service.ofsted_urn = la_service_urn(la.dfe_la_code)
        service.save(update_fields=["ofsted_urn"])
    return service


def seed_demo_organisations() -> DemoOrganisations:
    ncc = _get_or_create(OrganisationKind.NCC, "National Care Cooperative", short_name="NCC")
    rcc = ensure_rcc(
        name="Greater Manchester Regional Care Cooperative", la_codes=GREATER_MANCHESTER
    )
    hub = Organisation.objects.get(kind=OrganisationKind.HUB, rcc=rcc)
    las = list(Organisation.objects.local_authorities().filter(dfe_la_code__in=GREATER_MANCHESTER))
    ifas = [
        _get_or_create(OrganisationKind.IFA, name, ofsted_urn=urn, sector=sector)
        for name, urn, sector in DEMO_IFAS
    ]
    by_code = {la.dfe_la_code: la for la in las}
    services = [ensure_la_service(by_code[code]) for code in DEMO_LA_SERVICES if code in by_code]
    return DemoOrganisations(ncc=ncc, rcc=rcc, hub=hub, las=las, ifas=ifas, la_services=services)


# ---------------------------------------------------------------------------------------------
# The national structure: every LA in an RCC, one hub per RCC, LA fostering services.
# ---------------------------------------------------------------------------------------------

GREATER_MANCHESTER_RCC = "Greater Manchester Regional Care Cooperative"
# LAs per RCC: regions are split into RCCs of about this many LAs (never more than MAX_RCC_SIZE).
TARGET_RCC_SIZE = 11
MAX_RCC_SIZE = 15
# 147 LA fostering services for 153 LAs: these six have none of their own. Synthetic but
# plausible: the LA on the right runs the service that approves carers for both (or, for the
# City of London and the Isles of Scilly, places with a neighbour).
SHARED_LA_SERVICES = {
    "201": "204",  # City of London → Hackney
    "420": "908",  # Isles of Scilly → Cornwall
    "318": "314",  # Richmond upon Thames → Kingston upon Thames
    "868": "314",  # Windsor and Maidenhead → Kingston upon Thames
    "857": "855",  # Rutland → Leicestershire
    "213": "207",  # Westminster → Kensington and Chelsea
}


@dataclass(frozen=True)
class LaPoint:
    """What the national plans need to know of an LA (read once from the database)."""

    pk: int
    code: str
    name: str
    region: str
    latitude: float
    longitude: float
    population: int


@dataclass(frozen=True)
class RccPlan:
    name: str
    la_codes: tuple[str, ...]

    @property
    def short_name(self) -> str:
        return self.name.replace(" Regional Care Cooperative", " RCC")


def la_points() -> list[LaPoint]:
    return [
        LaPoint(
            pk=la.pk,
            code=la.dfe_la_code,
            name=la.name,
            region=la.region,
            latitude=la.latitude or 0.0,
            longitude=la.longitude or 0.0,
            population=la.population or 0,
        )
        for la in Organisation.objects.local_authorities().order_by("dfe_la_code")
    ]


def _direction_names(count: int, along_longitude: bool) -> list[str]:
    if along_longitude:
        return {1: [""], 2: ["West", "East"], 3: ["West", "Central", "East"]}.get(
            count, [f"Part {i + 1}" for i in range(count)]
        )
    return {1: [""], 2: ["South", "North"], 3: ["South", "Central", "North"]}.get(
        count, [f"Part {i + 1}" for i in range(count)]
    )


def _rcc_name(region: str, direction: str) -> str:
    if not direction:
        return f"{region} Regional Care Cooperative"
    if any(word in region for word in ("North", "South", "East", "West")):
        return f"{region} ({direction.lower()}) Regional Care Cooperative"
    return f"{direction} {region} Regional Care Cooperative"


def plan_rccs(las: list[LaPoint]) -> list[RccPlan]:
    """Every LA in one RCC: Greater Manchester's ten as one; each region's other LAs split into
    RCCs of about TARGET_RCC_SIZE LAs, cut along the region's longer axis so each is one area."""
    plans = [RccPlan(GREATER_MANCHESTER_RCC, GREATER_MANCHESTER)]
    by_region: dict[str, list[LaPoint]] = {}
    for la in las:
        if la.code not in GREATER_MANCHESTER:
            by_region.setdefault(la.region, []).append(la)
    for region in sorted(by_region):
        members = by_region[region]
        count = max(1, round(len(members) / TARGET_RCC_SIZE), -(-len(members) // MAX_RCC_SIZE))
        mean_lat = sum(la.latitude for la in members) / len(members)
        lat_spread = max(la.latitude for la in members) - min(la.latitude for la in members)
        lng_spread = (max(la.longitude for la in members) - min(la.longitude for la in members)) * (
            math.cos(math.radians(mean_lat))
        )
        along_longitude = lng_spread >= lat_spread
        members.sort(key=lambda la: (la.longitude if along_longitude else la.latitude, la.code))
        names = _direction_names(count, along_longitude)
        for i in range(count):
            chunk = members[i * len(members) // count : (i + 1) * len(members) // count]
            plans.append(
                RccPlan(_rcc_name(region, names[i]), tuple(sorted(la.code for la in chunk)))
            )
    return plans


def ensure_rccs(plans: list[RccPlan]) -> list[Organisation]:
    """Create (or find) each planned RCC with its hub and memberships. Safe to re-run."""
    return [ensure_rcc(name=plan.name, la_codes=plan.la_codes) for plan in plans]


def la_service_owner(code: str) -> str:
    """The DfE code of the LA whose fostering service approves carers for LA `code`."""
    return SHARED_LA_SERVICES.get(code, code)


def ensure_la_services(la_codes: list[str] | set[str]) -> dict[str, Organisation]:
    """The fostering service of each LA that runs one (by owning LA code), created in bulk."""
    owners = {la_service_owner(code) for code in la_codes}
    las = {
        la.dfe_la_code: la
        for la in Organisation.objects.local_authorities().filter(dfe_la_code__in=owners)
    }
    names = {code: f"{la.name} Fostering Service" for code, la in las.items()}
    existing = {
        org.name: org
        for org in Organisation.objects.filter(
            kind=OrganisationKind.LA_SERVICE, name__in=names.values()
        )
    }
    missing = [
        Organisation(
            kind=OrganisationKind.LA_SERVICE,
            name=name,
            owning_la=las[code],
            ofsted_urn=la_service_urn(code),
        )
        for code, name in sorted(names.items())
        if name not in existing
    ]
    for org in Organisation.objects.bulk_create(missing, batch_size=500):
        existing[org.name] = org
    no_urn = []
    for code, name in names.items():
        if not existing[name].ofsted_urn:  # made before services had URNs in the demo
            existing[name].ofsted_urn = la_service_urn(code)
            no_urn.append(existing[name])
    Organisation.objects.bulk_update(no_urn, ["ofsted_urn"], batch_size=500)
    return {code: existing[name] for code, name in names.items()}
