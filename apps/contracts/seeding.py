"""Synthetic commissioning data for every RCC in the database: national terms v1 and v2, a
framework and a DPS with lots, enrolments, price schedules, soft blocks, budgets per LA,
in-house costs, a dispute, a partnership meeting, account managers and the NCC's national
specialist services. Idempotent (a framework found by its reference is left alone) and bulk.

Dates are set relative to the day it runs, so the demo always has a consultation window about
to open, contracts on an old version of the terms and a soft block under its alert level.
Random draws are keyed by names, not database keys, so every database gets the same data.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from apps.accounts.models import Membership, User
from apps.accounts.roles import Role
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.choices import HouseholdStatus
from apps.providers.models import Household, Provider
from apps.referrals.choices import SupportKind

from .choices import (
    FEE_BANDS,
    ArrangementKind,
    DisputeStatus,
    DisputeStepKind,
    EnrolmentStatus,
    LotService,
)
from .dates import add_months, financial_year_bounds, financial_year_of
from .models import (
    AccountManager,
    Dispute,
    DisputeStep,
    Enrolment,
    Framework,
    InHouseCost,
    Lot,
    MeetingAction,
    PartnershipMeeting,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    SpecialistService,
    SpecialistServiceNeed,
    SupportPrice,
    TermsVersion,
)
from .services import contract_alerts_raise

DEMO_DOMAIN = "demo.rcc.example"
IFAS_PER_RCC = {"demo": 10, "region": 14, "national": 14}
BUDGET_PER_HEAD = 40  # £ a year of placement budget per resident (synthetic, ~£2.2bn for England)

FRAMEWORK_LOTS = (
    ("Standard foster care", LotService.STANDARD, 0, 17, Decimal("1.00")),
    ("Enhanced and therapeutic foster care", LotService.ENHANCED, 0, 17, Decimal("1.35")),
    ("Parent and child", LotService.PARENT_AND_CHILD, 0, 4, Decimal("1.70")),
    ("Sibling groups", LotService.SIBLING_GROUPS, 0, 17, Decimal("1.10")),
)
DPS_LOTS = (
    ("Children with disabilities", LotService.DISABILITY, 0, 17, Decimal("1.45")),
    ("Unaccompanied asylum-seeking children", LotService.UASC, 14, 17, Decimal("0.95")),
    ("Staying put", LotService.STAYING_PUT, 18, 21, Decimal("0.55")),
)
# Age bands relative to the 5-10 fee (older children cost more to place).
BAND_FACTOR = {
    "0_4": Decimal("0.94"),
    "5_10": Decimal("1.00"),
    "11_15": Decimal("1.08"),
    "16_17": Decimal("1.12"),
    "18_plus": Decimal("1.00"),
}
SUPPORT_RANGES = {
    SupportKind.SUPERVISION: (60, 120),
    SupportKind.THERAPY: (120, 260),
    SupportKind.RESPITE: (50, 110),
    SupportKind.EDUCATION: (40, 95),
    SupportKind.TRANSPORT: (30, 85),
}
SPECIALIST_SERVICES = (
    (
        "Deaf children's fostering service",
        "Carers fluent in British Sign Language, with specialist support from a national team of "
        "deaf professionals.",
        "Email the service with the referral and the child's communication assessment; the "
        "national team replies within two working days.",
        [("disability", "high"), ("identity-culture", "medium")],
    ),
    (
        "Complex health needs fostering",
        "Foster homes with nurse-trained carers for children with complex health needs, including "
        "long-term ventilation and palliative care.",
        "Call the national duty line; a nurse assessor joins the hub's matching meeting within "
        "five working days.",
        [("health", "complex"), ("disability", "complex")],
    ),
    (
        "Therapeutic fostering for children at risk of exploitation",
        "Specialist carers, trained in trauma-informed care, with a dedicated therapist and "
        "out-of-area homes for children at high risk of sexual or criminal exploitation.",
        "Send the referral through the hub; the service convenes a safety planning meeting with "
        "the LA within 48 hours.",
        [("risk-to-child", "complex"), ("emotional-wellbeing", "complex")],
    ),
    (
        "Parent and child assessment for young parents with learning disabilities",
        "Residential-style parent and child foster placements with adapted assessment for parents "
        "with learning disabilities.",
        "Email the referral with the court timetable; placements start within 10 working days.",
        [("family-relationships", "complex"), ("disability", "high")],
    ),
)


@dataclass
class ContractsSummary:
    frameworks: int = 0
    lots: int = 0
    enrolments: int = 0
    price_schedules: int = 0
    soft_blocks: int = 0
    budgets: int = 0
    in_house_costs: int = 0
    specialist_services: int = 0
    alerts: int = 0
    skipped_rccs: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Contracts: {self.frameworks:,} frameworks and DPS, {self.lots:,} lots, "
            f"{self.enrolments:,} enrolments, {self.price_schedules:,} price schedules",
            f"           {self.soft_blocks:,} soft blocks, {self.budgets:,} LA budgets, "
            f"{self.in_house_costs:,} in-house costs, {self.specialist_services} specialist "
            "services, "
            f"{self.alerts} alerts",
        ]


def _short(org: Organisation) -> str:
    words = (
        (org.short_name or org.name).replace(" RCC", "").replace("(", "").replace(")", "").split()
    )
    return "".join(w[0] for w in words if w[0].isalnum()).upper()[:6] or f"R{org.pk}"


def _users_for(owner: Organisation, *, slug: str) -> tuple[User, User]:
    """The owner's lead contract manager and deputy: existing commissioners, else synthetic ones."""
    roles = [Role.COMMISSIONER] + ([Role.NCC_ANALYST] if owner.kind == OrganisationKind.NCC else [])
    people = list(
        User.objects.filter(memberships__organisation=owner, memberships__role__in=roles)
        .distinct()
        .order_by("pk")[:2]
    )
    for label in ("lead", "deputy")[len(people) :]:
        email = f"{label}.commissioner.{slug}@{DEMO_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(
                email=email,
                username=email,
                first_name=label.capitalize(),
                last_name=f"Commissioner {slug.upper()}",
            )
            user.set_unusable_password()
            user.save()
        Membership.objects.get_or_create(user=user, organisation=owner, role=Role.COMMISSIONER)
        people.append(user)
    return people[0], people[1]


def _ensure_terms(publisher: User, today: dt.date) -> tuple[TermsVersion, TermsVersion]:
    v1 = TermsVersion.objects.filter(version=1).first() or TermsVersion.objects.create(
        version=1,
        title="National terms and conditions for fostering placements",
        effective_from=dt.date(2025, 4, 1),
        text=(
            "1. These terms apply to every placement made by an RCC with an independent fostering "
            "agency "
            "or an LA fostering service.\n2. Fees are set by the price schedule of the framework "
            "or DPS lot "
            "and are not negotiated case by case.\n3. Disputes are resolved first between "
            "contract managers, "
            "then senior officers, then by independent mediation."
        ),
        change_summary="",
        published_by=publisher,
    )
    v2 = TermsVersion.objects.filter(version=2).first() or TermsVersion.objects.create(
        version=2,
        title="National terms and conditions for fostering placements",
        effective_from=max(dt.date(2026, 4, 1), add_months(today, -2)),
        text=v1.text
        + "\n4. Providers submit the national quarterly monitoring return within 30 days of "
        "each quarter.",
        change_summary=(
            "Adds the quarterly monitoring return (clause 4); clarifies support packages are "
            "priced up front."
        ),
        published_by=publisher,
    )
    return v1, v2


def _providers_for(
    rcc: Organisation, *, per_rcc: int, rng: random.Random
) -> tuple[list[Provider], list[Provider]]:
    member_las = RccMembership.objects.current().filter(rcc=rcc).values("la_id")
    ifas = list(
        Provider.objects.filter(
            organisation__kind=OrganisationKind.IFA, areas_served__in=member_las
        )
        .annotate(n=Count("areas_served", distinct=True))
        .select_related("organisation")
        .order_by("-n", "organisation__name")[: per_rcc * 2]
    )
    rng.shuffle(ifas)
    services = list(
        Provider.objects.filter(
            organisation__kind=OrganisationKind.LA_SERVICE, organisation__owning_la__in=member_las
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return sorted(ifas[:per_rcc], key=lambda p: p.organisation.name), services


def _money(value: float) -> Decimal:
    return Decimal(str(round(value / 5) * 5)).quantize(Decimal("0.01"))


def _schedule(
    provider: Provider, lot: Lot, *, base: float, factor: Decimal, start: dt.date, by: User
) -> PriceSchedule:
    fees: dict[str, Any] = {}
    for suffix, youngest, oldest, _label in FEE_BANDS:
        covered = not (oldest < lot.age_min or youngest > lot.age_max)
        fees[f"fee_{suffix}"] = (
            _money(base * float(factor * BAND_FACTOR[suffix])) if covered else None
        )
    return PriceSchedule(
        provider=provider, lot=lot, valid_from=start, valid_to=None, created_by=by, **fees
    )


@transaction.atomic
def seed_contracts(
    *, scale: str = "demo", seed: int = 2026, today: dt.date | None = None
) -> ContractsSummary:
    """Seed commissioning for every RCC in the database (see the module docstring)."""
    today = today or timezone.localdate()
    summary = ContractsSummary()
    ncc = Organisation.objects.filter(kind=OrganisationKind.NCC).order_by("pk").first()
    if ncc is None:
        return summary
    ncc_lead, ncc_deputy = _users_for(ncc, slug="ncc")
    v1, v2 = _ensure_terms(ncc_lead, today)
    year = financial_year_of(today)
    year_start, _year_end = financial_year_bounds(year)
    start = financial_year_bounds(year - 1)[0]
    per_rcc = IFAS_PER_RCC.get(scale, 10)

    frameworks: list[Framework] = []
    enrolments: list[Enrolment] = []
    schedules: list[PriceSchedule] = []
    blocks: list[SoftBlock] = []
    rccs = list(Organisation.objects.rccs().order_by("name"))
    existing_refs = set(Framework.objects.values_list("owner_id", "reference"))
    plans: list[dict[str, Any]] = []
    for index, rcc in enumerate(rccs):
        short = _short(rcc)
        if (rcc.pk, f"{short}-FC-{start.year}") in existing_refs:
            summary.skipped_rccs.append(rcc.name)
            continue
        rng = random.Random(f"{seed}:contracts:{rcc.name}")  # noqa: S311
        lead, deputy = _users_for(rcc, slug=f"{short.lower()}{rcc.pk}")
        # The consultation window of the first RCC's framework opens in about six weeks.
        opens = today + dt.timedelta(days=45 + 20 * index)
        decision = add_months(opens, 6)
        fw = Framework(
            owner=rcc,
            kind=ArrangementKind.FRAMEWORK,
            reference=f"{short}-FC-{start.year}",
            title="Foster care framework",
            specification_summary=(
                "Mainstream and enhanced foster care for children looked after by the RCC's LAs; "
                "carers within "
                "20 miles of the child's school where possible; supervising social worker visits "
                "every 4 weeks; "
                "24-hour support line; fees include carer allowance, supervision and training."
            ),
            terms_version=v1 if index % 2 == 0 else v2,
            start_date=start,
            end_date=add_months(decision, 6),
            extension_options=2,
            extension_months=12,
            extension_decision_date=decision,
            consultation_months=6,
            application_opens=add_months(start, -3),
            application_closes=add_months(start, -1),
            lead_manager=lead,
            deputy_manager=deputy,
            created_by=lead,
        )
        dps = Framework(
            owner=rcc,
            kind=ArrangementKind.DPS,
            reference=f"{short}-DPS-{start.year}",
            title="Specialist fostering dynamic purchasing system",
            specification_summary=(
                "Foster care for disabled children, unaccompanied asylum-seeking children and "
                "young people staying "
                "put; providers may join at any time; call-off by mini-competition on the RCC's "
                "referral."
            ),
            terms_version=v2,
            start_date=start,
            end_date=add_months(start, 60),
            extension_options=0,
            extension_months=12,
            consultation_months=9,
            application_opens=start,
            lead_manager=lead,
            deputy_manager=deputy,
            created_by=lead,
        )
        frameworks += [fw, dps]
        plans.append(
            {"rcc": rcc, "rng": rng, "framework": fw, "dps": dps, "lead": lead, "short": short}
        )
    Framework.objects.bulk_create(frameworks)
    summary.frameworks = len(frameworks)

    lots: list[Lot] = []
    for plan in plans:
        for container, rows in ((plan["framework"], FRAMEWORK_LOTS), (plan["dps"], DPS_LOTS)):
            for number, (name, service, lo, hi, _factor) in enumerate(rows, start=1):
                lots.append(
                    Lot(
                        framework=container,
                        number=number,
                        name=name,
                        service_type=service,
                        age_min=lo,
                        age_max=hi,
                    )
                )
    Lot.objects.bulk_create(lots)
    summary.lots = len(lots)
    factors = {name: factor for name, _s, _lo, _hi, factor in FRAMEWORK_LOTS + DPS_LOTS}

    places = dict(
        Household.objects.filter(status=HouseholdStatus.ACTIVE)
        .values("provider_id")
        .annotate(n=Sum("places"))
        .values_list("provider_id", "n")
    )
    for plan in plans:
        rcc, rng, lead = plan["rcc"], plan["rng"], plan["lead"]
        ifas, services = _providers_for(rcc, per_rcc=per_rcc, rng=rng)
        fw_lots = [
            lot for lot in lots if lot.framework_id in (plan["framework"].pk, plan["dps"].pk)
        ]
        base_of = {p.pk: rng.gauss(820, 70) for p in ifas}
        base_of.update({p.pk: rng.gauss(640, 50) for p in services})
        for lot in fw_lots:
            is_dps = lot.framework_id == plan["dps"].pk
            chosen = [p for p in ifas if rng.random() < (0.55 if is_dps else 0.8)]
            chosen += [p for p in services if rng.random() < (0.35 if is_dps else 0.6)]
            for provider in chosen:
                status = EnrolmentStatus.ACCEPTED if rng.random() < 0.9 else EnrolmentStatus.APPLIED
                applied = (
                    plan["framework"].application_opens
                    if not is_dps
                    else start + dt.timedelta(days=rng.randint(0, 300))
                )
                enrolments.append(
                    Enrolment(
                        lot=lot,
                        provider=provider,
                        status=status,
                        applied_on=applied,
                        accepted_on=applied + dt.timedelta(days=21)
                        if status == EnrolmentStatus.ACCEPTED
                        else None,
                        created_by=lead,
                    )
                )
                if status == EnrolmentStatus.ACCEPTED:
                    schedules.append(
                        _schedule(
                            provider,
                            lot,
                            base=base_of[provider.pk],
                            factor=factors[lot.name],
                            start=start,
                            by=lead,
                        )
                    )
        # Two soft blocks with the IFAs that have the most approved places.
        roomy = sorted(ifas, key=lambda p: -places.get(p.pk, 0))[:2]
        for n, provider in enumerate(roomy, start=1):
            approved = places.get(provider.pk, 0)
            if approved < 2:
                continue
            blocks.append(
                SoftBlock(
                    rcc=rcc,
                    provider=provider,
                    lot=next(lot for lot in fw_lots if lot.framework_id == plan["framework"].pk),
                    reference=f"{plan['short']}-SB-{n}",
                    places=max(1, min(6, approved // 4)),
                    weekly_fee=_money(base_of[provider.pk] * 0.92),
                    start_date=year_start,
                    end_date=add_months(year_start, 12 + 6 * n) - dt.timedelta(days=1),
                    terms_version=v1 if n == 1 else v2,
                    utilisation_threshold=80,
                    consultation_months=3,
                    created_by=lead,
                )
            )
    Enrolment.objects.bulk_create(enrolments, batch_size=1000)
    PriceSchedule.objects.bulk_create(schedules, batch_size=1000)
    support_rng = random.Random(f"{seed}:support")  # noqa: S311
    SupportPrice.objects.bulk_create(
        [
            SupportPrice(schedule=s, kind=kind, weekly_cost=_money(support_rng.uniform(*bounds)))
            for s in schedules
            for kind, bounds in SUPPORT_RANGES.items()
            if support_rng.random() < 0.7
        ],
        batch_size=2000,
    )
    SoftBlock.objects.bulk_create(blocks)
    summary.enrolments, summary.price_schedules, summary.soft_blocks = (
        len(enrolments),
        len(schedules),
        len(blocks),
    )

    _seed_management(plans, today=today)
    summary.budgets = _seed_budgets(year=year, by=ncc_lead)
    summary.in_house_costs = _seed_in_house_costs(year=year, seed=seed, by=ncc_lead)
    summary.specialist_services = _seed_specialist(ncc, ncc_lead, ncc_deputy, v2, start=start)
    _seed_account_managers(today=today)
    summary.alerts = contract_alerts_raise(on=today)
    return summary


def _seed_management(plans: list[dict[str, Any]], *, today: dt.date) -> None:
    disputes, steps, meetings, actions = [], [], [], []
    for plan in plans:
        enrolled = (
            Enrolment.objects.filter(
                lot__framework=plan["framework"], provider__organisation__kind=OrganisationKind.IFA
            )
            .select_related("provider")
            .order_by("provider__organisation__name")
            .first()
        )
        if enrolled is None:
            continue
        provider, lead = enrolled.provider, plan["lead"]
        raised = today - dt.timedelta(days=75)
        dispute = Dispute(
            rcc=plan["rcc"],
            provider=provider,
            framework=plan["framework"],
            title="Fee uplift applied without agreement",
            issue=(
                "The provider invoiced a 6% uplift on the standard lot from April, which the "
                "price schedule does not allow."
            ),
            status=DisputeStatus.MEDIATION,
            raised_on=raised,
            raised_by=lead,
        )
        disputes.append(dispute)
        steps.append(
            (
                dispute,
                DisputeStepKind.CONTRACT_MANAGERS,
                raised + dt.timedelta(days=10),
                "Contract managers met; no agreement on the uplift.",
                lead,
            )
        )
        steps.append(
            (
                dispute,
                DisputeStepKind.MEDIATION,
                raised + dt.timedelta(days=40),
                "Referred to independent mediation under clause 3 of the national terms.",
                lead,
            )
        )
        meeting = PartnershipMeeting(
            rcc=plan["rcc"],
            provider=provider,
            framework=plan["framework"],
            held_on=today - dt.timedelta(days=30),
            attendees="RCC lead contract manager; provider's registered manager and finance lead",
            notes=(
                "Reviewed the quarter's referrals and offers, two unplanned endings and the "
                "carers' training plan."
            ),
            created_by=lead,
        )
        meetings.append(meeting)
        actions.append(
            (
                meeting,
                "Share the recruitment plan for carers of teenagers",
                "Provider",
                today + dt.timedelta(days=14),
            )
        )
        actions.append(
            (
                meeting,
                "Send the utilisation figures of the soft block",
                "RCC contract manager",
                today + dt.timedelta(days=7),
            )
        )
    Dispute.objects.bulk_create(disputes)
    DisputeStep.objects.bulk_create(
        [
            DisputeStep(dispute=d, kind=k, on=on, notes=n, recorded_by=by)
            for d, k, on, n, by in steps
        ]
    )
    PartnershipMeeting.objects.bulk_create(meetings)
    MeetingAction.objects.bulk_create(
        [MeetingAction(meeting=m, description=d, owner=o, due_on=due) for m, d, o, due in actions]
    )


def _seed_budgets(*, year: int, by: User) -> int:
    have = set(PlacementBudget.objects.filter(financial_year=year).values_list("la_id", flat=True))
    rows = [
        PlacementBudget(
            rcc_id=m.rcc_id,
            la_id=m.la_id,
            financial_year=year,
            amount=Decimal(round((m.la.population or 250_000) * BUDGET_PER_HEAD, -3)),
            updated_by=by,
        )
        for m in RccMembership.objects.current().select_related("la").order_by("la_id")
        if m.la_id not in have
    ]
    PlacementBudget.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _seed_in_house_costs(*, year: int, seed: int, by: User) -> int:
    have = set(InHouseCost.objects.filter(financial_year=year).values_list("service_id", flat=True))
    rows = []
    for service in Provider.objects.filter(organisation__kind=OrganisationKind.LA_SERVICE).order_by(
        "pk"
    ):
        if service.pk in have:
            continue
        rng = random.Random(f"{seed}:inhouse:{service.name}")  # noqa: S311
        rows.append(
            InHouseCost(
                service=service,
                financial_year=year,
                allowance=_money(rng.uniform(190, 300)),
                carer_fees=_money(rng.uniform(120, 320)),
                support=_money(rng.uniform(140, 260)),
                overheads=_money(rng.uniform(90, 190)),
                entered_by=by,
            )
        )
    InHouseCost.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _seed_specialist(
    ncc: Organisation, lead: User, deputy: User, terms: TermsVersion, *, start: dt.date
) -> int:
    framework, _ = Framework.objects.get_or_create(
        owner=ncc,
        reference=f"NCC-SPEC-{start.year}",
        defaults={
            "kind": ArrangementKind.DPS,
            "title": "National specialist fostering services",
            "specification_summary": (
                "Rare needs commissioned nationally by the NCC and open to every RCC's hub."
            ),
            "terms_version": terms,
            "start_date": start,
            "end_date": add_months(start, 48),
            "consultation_months": 12,
            "application_opens": start,
            "lead_manager": lead,
            "deputy_manager": deputy,
            "created_by": lead,
        },
    )
    Lot.objects.get_or_create(
        framework=framework,
        number=1,
        defaults={
            "name": "Specialist needs",
            "service_type": LotService.SPECIALIST,
            "age_min": 0,
            "age_max": 17,
        },
    )
    domains = {d.code: d for d in NeedDomain.objects.all()}
    levels = {lv.code: lv for lv in NeedLevel.objects.all()}
    providers = list(
        Provider.objects.filter(organisation__kind=OrganisationKind.IFA).order_by(
            "organisation__name"
        )[:4]
    )
    created = 0
    for i, (name, summary, access, needs) in enumerate(SPECIALIST_SERVICES):
        rows = [(domains[d], levels[lv]) for d, lv in needs if d in domains and lv in levels]
        if not rows or SpecialistService.objects.filter(name=name).exists():
            continue
        service = SpecialistService.objects.create(
            name=name,
            summary=summary,
            how_to_access=access,
            provider=providers[i] if i < len(providers) else None,
            framework=framework,
            contact_email=f"specialist{i + 1}@ncc.{DEMO_DOMAIN}",
            places=8 + 4 * i,
            created_by=lead,
        )
        SpecialistServiceNeed.objects.bulk_create(
            [SpecialistServiceNeed(service=service, domain=d, min_level=lv) for d, lv in rows]
        )
        created += 1
    return created


def _seed_account_managers(*, today: dt.date) -> None:
    """Large providers on three or more RCCs' frameworks get a national account manager: the
    lead contract manager of the first RCC they are enrolled with."""
    spread = (
        Enrolment.objects.filter(lot__framework__owner__kind=OrganisationKind.RCC)
        .values("provider_id")
        .annotate(n=Count("lot__framework__owner", distinct=True))
        .filter(n__gte=3)
        .order_by("-n", "provider_id")[:10]
    )
    have = set(AccountManager.objects.values_list("provider_id", flat=True))
    for row in spread:
        if row["provider_id"] in have:
            continue
        owners = list(
            Organisation.objects.filter(
                Q(frameworks__lots__enrolments__provider_id=row["provider_id"]),
                kind=OrganisationKind.RCC,
            )
            .distinct()
            .order_by("name")
        )
        manager = (
            Framework.objects.filter(owner=owners[0]).values_list("lead_manager", flat=True).first()
        )
        if manager is None:
            continue
        account = AccountManager.objects.create(
            provider_id=row["provider_id"], manager_id=manager, since=today - dt.timedelta(days=120)
        )
        account.rccs.set(owners)
