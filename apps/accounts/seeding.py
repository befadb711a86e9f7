"""One synthetic demo login per role. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from apps.organisations.models import Organisation
from apps.organisations.seeding import DemoOrganisations

from .models import Membership, User
from .roles import Role

DEMO_PASSWORD = "demo-Foster-2026"  # noqa: S105 - synthetic demo data only, printed by `seed`
DEMO_DOMAIN = "demo.rcc.example"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    organisation: str


def _user(local_part: str, first: str, last: str, *, superuser: bool = False) -> User:
    email = f"{local_part}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
        )
    if superuser and not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


def seed_demo_users(orgs: DemoOrganisations) -> list[DemoLogin]:
    manchester = next(la for la in orgs.las if la.dfe_la_code == "352")
    in_house = next(s for s in orgs.la_services if s.owning_la_id == manchester.pk)
    plan: list[tuple[str, str, str, str, Organisation, bool]] = [
        ("social.worker", "Sam", "Okafor", Role.SOCIAL_WORKER, manchester, False),
        ("iro", "Indira", "Shah", Role.IRO, manchester, False),
        ("placement.officer", "Priya", "Hughes", Role.PLACEMENT_OFFICER, orgs.hub, False),
        ("commissioner", "Colin", "Walsh", Role.COMMISSIONER, orgs.rcc, False),
        ("scrutineer", "Stella", "Nwosu", Role.SCRUTINEER, orgs.rcc, False),
        ("ifa.referrals", "Rhys", "Evans", Role.PROVIDER_REFERRALS, orgs.ifas[0], False),
        ("ifa.data", "Dana", "Kowalski", Role.PROVIDER_DATA, orgs.ifas[0], False),
        ("inhouse.referrals", "Imran", "Ali", Role.PROVIDER_REFERRALS, in_house, False),
        ("ncc.analyst", "Nadia", "Brown", Role.NCC_ANALYST, orgs.ncc, False),
        ("admin", "Ada", "Morgan", Role.ADMINISTRATOR, orgs.ncc, True),
    ]
    logins = []
    for local_part, first, last, role, org, superuser in plan:
        user = _user(local_part, first, last, superuser=superuser)
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        logins.append(DemoLogin(email=user.email, role=Role(role).label, organisation=org.name))
    return logins


# The second RCC's people: an LA in it (Lancashire), its hub and the RCC itself, so that the
# demo shows one RCC's work kept from the other's.
SECOND_RCC_LA_CODE = "888"  # Lancashire


def seed_second_rcc_users() -> list[DemoLogin]:
    """Logins for the RCC that Lancashire belongs to (made by the register seed): a social
    worker and an IRO of Lancashire, the RCC hub's placement officer, the RCC's commissioner and
    scrutineer, and Lancashire Fostering Service's referrals officer. None when the RCC or its
    hub does not exist (a scale without the North West)."""
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import RccMembership

    la = Organisation.objects.local_authorities().filter(dfe_la_code=SECOND_RCC_LA_CODE).first()
    membership = (
        RccMembership.objects.current().filter(la=la).select_related("rcc").first() if la else None
    )
    if la is None or membership is None:
        return []
    rcc = membership.rcc
    hub = Organisation.objects.filter(kind=OrganisationKind.HUB, rcc=rcc).order_by("pk").first()
    service = Organisation.objects.filter(kind=OrganisationKind.LA_SERVICE, owning_la=la).first()
    plan: list[tuple[str, str, str, str, Organisation | None]] = [
        ("nw.social.worker", "Lowri", "Pennington", Role.SOCIAL_WORKER, la),
        ("nw.iro", "Ian", "Rigby", Role.IRO, la),
        ("nw.placement.officer", "Nia", "Hartley", Role.PLACEMENT_OFFICER, hub),
        ("nw.commissioner", "Carl", "Ashworth", Role.COMMISSIONER, rcc),
        ("nw.scrutineer", "Sofia", "Marsden", Role.SCRUTINEER, rcc),
        ("nw.inhouse.referrals", "Owen", "Tattersall", Role.PROVIDER_REFERRALS, service),
    ]
    logins = []
    for local_part, first, last, role, org in plan:
        if org is None:
            continue
        user = _user(local_part, first, last)
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        logins.append(DemoLogin(email=user.email, role=Role(role).label, organisation=org.name))
    return logins
