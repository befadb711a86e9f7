"""Permission matrix rows for commissioning, web and API (see tests/permission_rows.py).

`contracts_of(world)` builds, once per world, a set of records in the world's RCC (with the
world's IFA and LA service on its lots) and a matching set in the other RCC (with the other
IFA), so each row can name an object the caller may see and one outside their scope.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from apps.accounts.roles import Role
from apps.contracts.choices import AlertKind, ArrangementKind, EnrolmentStatus, LotService
from apps.contracts.models import (
    AccountManager,
    ContractAlert,
    Dispute,
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
    TermsVersion,
)
from apps.providers.models import Provider
from tests.factories import RccFactory
from tests.permission_rows import Row
from tests.providers.factories import (
    HouseholdFactory,
    NeedDomainFactory,
    NeedLevelFactory,
    ProviderFactory,
)

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World

COMMISSIONER = frozenset({Role.COMMISSIONER})
NCC = frozenset({Role.NCC_ANALYST})
COMMISSIONING = frozenset({Role.COMMISSIONER, Role.NCC_ANALYST})
PROVIDER_STAFF = frozenset({Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA})
RCC_READERS = COMMISSIONING | frozenset({Role.PLACEMENT_OFFICER, Role.SCRUTINEER})
FRAMEWORK_READERS = RCC_READERS | PROVIDER_STAFF
MANAGEMENT_READERS = COMMISSIONING | PROVIDER_STAFF
BUDGET_READERS = COMMISSIONING | frozenset({Role.ADMINISTRATOR})
IN_HOUSE_READERS = COMMISSIONING | PROVIDER_STAFF
APPLY = COMMISSIONER | PROVIDER_STAFF

_counter = itertools.count(1)


@dataclass
class Side:
    framework: Framework
    lot: Lot
    enrolment: Enrolment
    schedule: PriceSchedule
    soft_block: SoftBlock
    dispute: Dispute
    meeting: PartnershipMeeting
    alert: ContractAlert
    budget: PlacementBudget
    in_house: InHouseCost
    account: AccountManager


@dataclass
class Contracts:
    terms: TermsVersion
    ifa: Provider
    la_service: Provider
    other_ifa: Provider
    specialist: SpecialistService
    mine: Side
    other: Side


def _side(
    world: World,
    rcc: Any,
    la: Any,
    provider: Provider,
    service: Provider,
    terms: TermsVersion,
    extra_rcc: Any,
) -> Side:
    lead = world.users[Role.COMMISSIONER]
    deputy = world.users[Role.SCRUTINEER]  # any user: the rows bypass the service checks
    framework = Framework.objects.create(
        owner=rcc,
        kind=ArrangementKind.FRAMEWORK,
        reference=f"FW-{rcc.pk}",
        title="Foster care framework",
        specification_summary="Mainstream foster care.",
        terms_version=terms,
        start_date=dt.date(2025, 4, 1),
        end_date=timezone.localdate() + dt.timedelta(days=400),
        extension_options=2,
        extension_decision_date=timezone.localdate() + dt.timedelta(days=200),
        application_opens=dt.date(2025, 1, 1),
        application_closes=dt.date(2025, 3, 1),
        lead_manager=lead,
        deputy_manager=deputy,
        created_by=lead,
    )
    lot = Lot.objects.create(
        framework=framework, number=1, name="Standard", service_type=LotService.STANDARD
    )
    enrolment = Enrolment.objects.create(
        lot=lot,
        provider=provider,
        status=EnrolmentStatus.ACCEPTED,
        applied_on=dt.date(2025, 2, 1),
        accepted_on=dt.date(2025, 2, 20),
        created_by=lead,
    )
    Enrolment.objects.create(
        lot=lot,
        provider=service,
        status=EnrolmentStatus.APPLIED,
        applied_on=dt.date(2025, 2, 1),
        created_by=lead,
    )
    schedule = PriceSchedule.objects.create(
        provider=provider,
        lot=lot,
        valid_from=dt.date(2025, 4, 1),
        fee_5_10=Decimal("820.00"),
        created_by=lead,
    )
    block = SoftBlock.objects.create(
        rcc=rcc,
        provider=provider,
        reference=f"SB-{rcc.pk}",
        places=1,
        weekly_fee=Decimal("700"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
        terms_version=terms,
        created_by=lead,
    )
    dispute = Dispute.objects.create(
        rcc=rcc,
        provider=provider,
        title="Fee uplift",
        issue="An uplift was invoiced.",
        raised_on=timezone.localdate() - dt.timedelta(days=10),
        raised_by=lead,
    )
    meeting = PartnershipMeeting.objects.create(
        rcc=rcc,
        provider=provider,
        held_on=timezone.localdate() - dt.timedelta(days=5),
        notes="Quarterly review.",
        created_by=lead,
    )
    alert = ContractAlert.objects.create(
        owner=rcc,
        kind=AlertKind.CONTRACT_ENDS,
        key=f"test:{rcc.pk}",
        framework=framework,
        event_date=framework.end_date,
        message="Ends soon.",
    )
    budget = PlacementBudget.objects.create(
        rcc=rcc, la=la, financial_year=2026, amount=Decimal("1000000"), updated_by=lead
    )
    in_house = InHouseCost.objects.create(
        service=service,
        financial_year=2026,
        allowance=Decimal("250"),
        carer_fees=Decimal("200"),
        support=Decimal("180"),
        overheads=Decimal("120"),
        entered_by=lead,
    )
    manager = lead if rcc == world.rcc else world.users[Role.NCC_ANALYST]
    account = AccountManager.objects.create(
        provider=provider, manager=manager, since=dt.date(2026, 1, 1)
    )
    account.rccs.set([rcc, extra_rcc])
    return Side(
        framework,
        lot,
        enrolment,
        schedule,
        block,
        dispute,
        meeting,
        alert,
        budget,
        in_house,
        account,
    )


def contracts_of(world: World) -> Contracts:
    cached = getattr(world, "_contracts", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    terms, _ = TermsVersion.objects.get_or_create(
        version=1,
        defaults={
            "title": "National terms",
            "effective_from": dt.date(2025, 4, 1),
            "text": "Terms.",
            "published_by": world.users[Role.NCC_ANALYST],
        },
    )
    ifa = ProviderFactory(organisation=world.ifa)
    la_service = ProviderFactory(organisation=world.la_service)
    other_ifa = ProviderFactory(organisation=world.other_ifa)
    other_service = ProviderFactory(organisation=world.other_la_service)
    for provider in (ifa, other_ifa):
        HouseholdFactory(provider=provider, places=4, max_sibling_group=1)
    third = RccFactory()
    mine = _side(world, world.rcc, world.la, ifa, la_service, terms, third)
    other = _side(world, world.other_rcc, world.other_la, other_ifa, other_service, terms, third)
    specialist = SpecialistService.objects.create(
        name="Deaf children's fostering",
        summary="BSL carers.",
        how_to_access="Email the team.",
        created_by=world.users[Role.NCC_ANALYST],
    )
    SpecialistServiceNeed.objects.create(
        service=specialist,
        domain=NeedDomainFactory(code="disability"),
        min_level=NeedLevelFactory(rank=3, code="high"),
    )
    world._contracts = Contracts(terms, ifa, la_service, other_ifa, specialist, mine, other)  # type: ignore[attr-defined]
    return world._contracts  # type: ignore[attr-defined]


def _pk(getter: Any) -> Any:
    def kwargs(world: World, user: User) -> dict[str, Any]:
        return {"pk": getter(contracts_of(world).mine).pk}

    return kwargs


def _hidden(getter: Any) -> Any:
    """The other RCC's record: outside everyone's scope but the NCC's (None for NCC staff)."""

    def hidden(world: World, user: User) -> dict[str, Any] | None:
        c = contracts_of(world)
        obj = getter(c.other)
        if type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists():
            return None
        return {"pk": obj.pk}

    return hidden


def _specialist(world: World, user: User) -> dict[str, Any]:
    return {"pk": contracts_of(world).specialist.pk}


def _terms(world: World, user: User) -> dict[str, Any]:
    return {"pk": contracts_of(world).terms.pk}


def _new_dps_lot(world: World, user: User) -> dict[str, Any]:
    """A fresh lot on a live DPS of the world's RCC, so every caller can apply once."""
    c = contracts_of(world)
    n = next(_counter)
    dps = Framework.objects.create(
        owner=world.rcc,
        kind=ArrangementKind.DPS,
        reference=f"DPS-{n}",
        title="DPS",
        specification_summary="DPS.",
        terms_version=c.terms,
        start_date=dt.date(2025, 4, 1),
        end_date=timezone.localdate() + dt.timedelta(days=900),
        lead_manager=world.users[Role.COMMISSIONER],
        deputy_manager=world.users[Role.SCRUTINEER],
        created_by=world.users[Role.COMMISSIONER],
        application_opens=dt.date(2025, 4, 1),
    )
    lot = Lot.objects.create(
        framework=dps, number=1, name="Disability", service_type=LotService.DISABILITY
    )
    return {"pk": lot.pk}


def _enrol_data(world: World, user: User) -> dict[str, Any]:
    return {"provider": contracts_of(world).ifa.pk}


def _fresh_applied_enrolment(world: World, user: User) -> dict[str, Any]:
    c = contracts_of(world)
    provider = ProviderFactory()
    return {
        "pk": Enrolment.objects.create(
            lot=c.mine.lot, provider=provider, applied_on=dt.date(2025, 2, 1), created_by=user
        ).pk
    }


def _framework_data(world: World, user: User) -> dict[str, Any]:
    return {
        "owner": world.rcc.pk,
        "kind": "dps",
        "reference": f"NEW-{next(_counter)}",
        "title": "New DPS",
        "specification_summary": "Specialist care.",
        "terms_version": contracts_of(world).terms.pk,
        "start_date": "2026-04-01",
        "end_date": "2029-03-31",
        "lead_manager": world.users[Role.COMMISSIONER].pk,
        "deputy_manager": _deputy(world).pk,
    }


def _deputy(world: World) -> Any:
    from tests.factories import user_with_role

    cached = getattr(world, "_deputy", None)
    if cached is None:
        cached = world._deputy = user_with_role(Role.COMMISSIONER, world.rcc)  # type: ignore[attr-defined]
    return cached


def _new_lot_data(world: World, user: User) -> dict[str, Any]:
    return {
        "name": f"Lot {next(_counter)}",
        "service_type": "standard",
        "age_min": 0,
        "age_max": 17,
    }


def _price_data(world: World, user: User) -> dict[str, Any]:
    c = contracts_of(world)
    lot = Lot.objects.create(
        framework=c.mine.framework,
        number=100 + next(_counter),
        name="Extra",
        service_type="standard",
    )
    Enrolment.objects.create(
        lot=lot,
        provider=c.ifa,
        status="accepted",
        applied_on=dt.date(2025, 2, 1),
        accepted_on=dt.date(2025, 2, 2),
        created_by=user,
    )
    return {
        "provider": c.ifa.pk,
        "lot": lot.pk,
        "valid_from": "2026-04-01",
        "fee_5_10": "830.00",
        "support_therapy": "150.00",
    }


def _soft_block_data(world: World, user: User) -> dict[str, Any]:
    c = contracts_of(world)
    return {
        "rcc": world.rcc.pk,
        "provider": c.ifa.pk,
        "reference": f"SBN-{next(_counter)}",
        "places": 2,
        "weekly_fee": "700.00",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "terms_version": c.terms.pk,
    }


def _account_data(world: World, user: User) -> dict[str, Any]:
    return {
        "provider": ProviderFactory().pk,
        "manager": world.users[Role.COMMISSIONER].pk,
        "rccs": [world.rcc.pk, world.other_rcc.pk],
        "since": "2026-01-01",
    }


def _dispute_data(world: World, user: User) -> dict[str, Any]:
    return {
        "rcc": world.rcc.pk,
        "provider": contracts_of(world).ifa.pk,
        "title": "Late invoices",
        "issue": "Invoices arrive late.",
        "raised_on": timezone.localdate().isoformat(),
    }


def _step_data(world: World, user: User) -> dict[str, Any]:
    return {
        "kind": "contract_managers",
        "on": timezone.localdate().isoformat(),
        "notes": "Met to discuss.",
    }


def _open_dispute(world: World, user: User) -> dict[str, Any]:
    c = contracts_of(world)
    dispute = Dispute.objects.create(
        rcc=world.rcc,
        provider=c.ifa,
        title="Another",
        issue="Issue.",
        raised_on=timezone.localdate(),
        raised_by=user,
    )
    return {"pk": dispute.pk}


def _close_data(world: World, user: User) -> dict[str, Any]:
    return {
        "status": "resolved",
        "outcome": "Agreed to pay.",
        "closed_on": timezone.localdate().isoformat(),
    }


def _meeting_data(world: World, user: User) -> dict[str, Any]:
    return {
        "rcc": world.rcc.pk,
        "provider": contracts_of(world).ifa.pk,
        "held_on": "2026-05-01",
        "notes": "Review.",
    }


def _open_action(world: World, user: User) -> dict[str, Any]:
    meeting = contracts_of(world).mine.meeting
    return {
        "action": MeetingAction.objects.create(
            meeting=meeting, description="Send figures", owner="RCC"
        ).pk
    }


def _fresh_alert(world: World, user: User) -> dict[str, Any]:
    alert = ContractAlert.objects.create(
        owner=world.rcc,
        kind=AlertKind.CONTRACT_ENDS,
        key=f"fresh:{next(_counter)}",
        event_date=timezone.localdate(),
        message="Ends.",
    )
    return {"pk": alert.pk}


def _budget_data(world: World, user: User) -> dict[str, Any]:
    return {"la": world.la.pk, "financial_year": 2027, "amount": "2500000"}


def _in_house_data(world: World, user: User) -> dict[str, Any]:
    return {
        "service": contracts_of(world).la_service.pk,
        "financial_year": 2027,
        "allowance": "250",
        "carer_fees": "200",
        "support": "180",
        "overheads": "120",
    }


def _terms_data(world: World, user: User) -> dict[str, Any]:
    contracts_of(world)
    return {
        "title": "National terms",
        "effective_from": "2027-04-01",
        "text": "New terms.",
        "change_summary": "Clause 5.",
    }


def _specialist_data(world: World, user: User) -> dict[str, Any]:
    contracts_of(world)
    return {
        "name": f"Service {next(_counter)}",
        "summary": "Rare needs.",
        "how_to_access": "Email us.",
        "needs": ["disability:high"],
    }


def _scheduled_fee_query(world: World, user: User) -> dict[str, Any]:
    return {"provider": contracts_of(world).ifa.pk, "age": 7, "on": "2026-06-01"}


def _matching_query(world: World, user: User) -> dict[str, Any]:
    contracts_of(world)
    return {"needs": "disability:4"}


def _with_contracts(world: World, user: User) -> dict[str, Any]:
    contracts_of(world)
    return {}


ROWS = [
    # --- Web pages -----------------------------------------------------------------------------
    Row("contracts:index", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row("contracts:terms", kwargs=_with_contracts),
    Row("contracts:terms_create", roles=NCC),
    Row("contracts:terms_version", kwargs=_terms),
    Row("contracts:frameworks", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row("contracts:framework_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:framework",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "contracts:lot_create",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "contracts:framework_extend",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "contracts:framework_terms",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "contracts:lot_enrol",
        roles=APPLY,
        kwargs=_pk(lambda s: s.lot),
        hidden=_hidden(lambda s: s.lot),
    ),
    Row("contracts:enrolments", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "contracts:enrolment_status",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.enrolment),
        hidden=_hidden(lambda s: s.enrolment),
    ),
    Row("contracts:prices", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row("contracts:price_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:price",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.schedule),
        hidden=_hidden(lambda s: s.schedule),
    ),
    Row(
        "contracts:price_end",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.schedule),
        hidden=_hidden(lambda s: s.schedule),
    ),
    Row("contracts:fees", roles=COMMISSIONING, kwargs=_with_contracts),
    Row("contracts:above_schedule", roles=COMMISSIONING, kwargs=_with_contracts),
    Row("contracts:soft_blocks", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row("contracts:soft_block_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:soft_block",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.soft_block),
        hidden=_hidden(lambda s: s.soft_block),
    ),
    Row(
        "contracts:soft_block_terms",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.soft_block),
        hidden=_hidden(lambda s: s.soft_block),
    ),
    Row("contracts:disputes", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row("contracts:dispute_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:dispute",
        roles=MANAGEMENT_READERS,
        kwargs=_pk(lambda s: s.dispute),
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row(
        "contracts:dispute_step",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.dispute),
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row(
        "contracts:dispute_close",
        roles=COMMISSIONER,
        kwargs=_pk(lambda s: s.dispute),
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row("contracts:meetings", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row("contracts:meeting_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:meeting",
        roles=MANAGEMENT_READERS,
        kwargs=_pk(lambda s: s.meeting),
        hidden=_hidden(lambda s: s.meeting),
    ),
    Row(
        "contracts:meeting_action_done",
        roles=COMMISSIONER,
        method="post",
        data=_open_action,
        ok=302,
        kwargs=_pk(lambda s: s.meeting),
        hidden=_hidden(lambda s: s.meeting),
    ),
    Row("contracts:account_managers", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row("contracts:account_manager_create", roles=COMMISSIONING, kwargs=_with_contracts),
    Row("contracts:alerts", roles=COMMISSIONING, kwargs=_with_contracts),
    Row(
        "contracts:alert_dismiss",
        roles=COMMISSIONER,
        method="post",
        ok=302,
        kwargs=_fresh_alert,
        hidden=_hidden(lambda s: s.alert),
    ),
    Row("contracts:budgets", roles=BUDGET_READERS, kwargs=_with_contracts),
    Row("contracts:budget_create", roles=COMMISSIONER, kwargs=_with_contracts),
    Row(
        "contracts:budget",
        roles=BUDGET_READERS,
        kwargs=_pk(lambda s: s.budget),
        hidden=_hidden(lambda s: s.budget),
    ),
    Row("contracts:in_house_costs", roles=IN_HOUSE_READERS, kwargs=_with_contracts),
    Row(
        "contracts:in_house_cost_create",
        roles=frozenset({Role.COMMISSIONER, Role.PROVIDER_DATA}),
        kwargs=_with_contracts,
    ),
    Row("contracts:specialist_services", kwargs=_with_contracts),
    Row("contracts:specialist_service_create", roles=NCC, kwargs=_with_contracts),
    Row("contracts:specialist_service", kwargs=_specialist),
    Row("contracts:specialist_service_edit", roles=NCC, kwargs=_specialist),
    # --- API: reads ----------------------------------------------------------------------------
    Row("api:contracts-terms-list", kwargs=_with_contracts),
    Row("api:contracts-terms-detail", kwargs=_terms),
    Row("api:contracts-framework-list", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-framework-detail",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row("api:contracts-lot-list", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-lot-detail",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.lot),
        hidden=_hidden(lambda s: s.lot),
    ),
    Row("api:contracts-enrolment-list", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-enrolment-detail",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.enrolment),
        hidden=_hidden(lambda s: s.enrolment),
    ),
    Row("api:contracts-price-schedule-list", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-price-schedule-detail",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.schedule),
        hidden=_hidden(lambda s: s.schedule),
    ),
    Row("api:contracts-fee-comparison-list", roles=COMMISSIONING, kwargs=_with_contracts),
    Row("api:contracts-scheduled-fee", roles=FRAMEWORK_READERS, data=_scheduled_fee_query),
    Row("api:contracts-soft-block-list", roles=FRAMEWORK_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-soft-block-detail",
        roles=FRAMEWORK_READERS,
        kwargs=_pk(lambda s: s.soft_block),
        hidden=_hidden(lambda s: s.soft_block),
    ),
    Row("api:contracts-account-manager-list", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-account-manager-detail",
        roles=MANAGEMENT_READERS,
        kwargs=_pk(lambda s: s.account),
        hidden=_hidden(lambda s: s.account),
    ),
    Row("api:contracts-dispute-list", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-dispute-detail",
        roles=MANAGEMENT_READERS,
        kwargs=_pk(lambda s: s.dispute),
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row("api:contracts-meeting-list", roles=MANAGEMENT_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-meeting-detail",
        roles=MANAGEMENT_READERS,
        kwargs=_pk(lambda s: s.meeting),
        hidden=_hidden(lambda s: s.meeting),
    ),
    Row("api:contracts-alert-list", roles=COMMISSIONING, kwargs=_with_contracts),
    Row(
        "api:contracts-alert-detail",
        roles=COMMISSIONING,
        kwargs=_pk(lambda s: s.alert),
        hidden=_hidden(lambda s: s.alert),
    ),
    Row("api:contracts-budget-list", roles=BUDGET_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-budget-detail",
        roles=BUDGET_READERS,
        kwargs=_pk(lambda s: s.budget),
        hidden=_hidden(lambda s: s.budget),
    ),
    Row("api:contracts-in-house-cost-list", roles=IN_HOUSE_READERS, kwargs=_with_contracts),
    Row(
        "api:contracts-in-house-cost-detail",
        roles=IN_HOUSE_READERS,
        kwargs=_pk(lambda s: s.in_house),
    ),
    Row("api:contracts-specialist-service-list", kwargs=_with_contracts),
    Row("api:contracts-specialist-service-detail", kwargs=_specialist),
    Row("api:contracts-specialist-service-matching", data=_matching_query),
    # --- API: writes (each allowed caller succeeds; everyone else gets 403) ---------------------
    Row("api:contracts-terms-list", roles=NCC, method="post", data=_terms_data, ok=201),
    Row(
        "api:contracts-framework-list",
        roles=COMMISSIONER,
        method="post",
        data=_framework_data,
        ok=201,
    ),
    Row(
        "api:contracts-framework-add-lot",
        roles=COMMISSIONER,
        method="post",
        data=_new_lot_data,
        ok=201,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "api:contracts-framework-extend",
        roles=COMMISSIONER,
        method="post",
        ok=200,
        kwargs=_pk(lambda s: s.framework),
        hidden=_hidden(lambda s: s.framework),
    ),
    Row(
        "api:contracts-lot-enrol",
        roles=APPLY,
        method="post",
        data=_enrol_data,
        ok=201,
        kwargs=_new_dps_lot,
        hidden=_hidden(lambda s: s.lot),
    ),
    Row(
        "api:contracts-enrolment-set-status",
        roles=COMMISSIONER,
        method="post",
        data=lambda w, u: {"status": "accepted"},
        ok=200,
        kwargs=_fresh_applied_enrolment,
        hidden=_hidden(lambda s: s.enrolment),
    ),
    Row(
        "api:contracts-price-schedule-list",
        roles=COMMISSIONER,
        method="post",
        data=_price_data,
        ok=201,
    ),
    Row(
        "api:contracts-price-schedule-end",
        roles=COMMISSIONER,
        method="post",
        data=lambda w, u: {"valid_to": "2030-03-31"},
        ok=200,
        kwargs=_pk(lambda s: s.schedule),
        hidden=_hidden(lambda s: s.schedule),
    ),
    Row(
        "api:contracts-soft-block-list",
        roles=COMMISSIONER,
        method="post",
        data=_soft_block_data,
        ok=201,
    ),
    Row(
        "api:contracts-account-manager-list",
        roles=COMMISSIONING,
        method="post",
        data=_account_data,
        ok=201,
    ),
    Row(
        "api:contracts-dispute-list", roles=COMMISSIONER, method="post", data=_dispute_data, ok=201
    ),
    Row(
        "api:contracts-dispute-add-step",
        roles=COMMISSIONER,
        method="post",
        data=_step_data,
        ok=201,
        kwargs=_pk(lambda s: s.dispute),
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row(
        "api:contracts-dispute-close",
        roles=COMMISSIONER,
        method="post",
        data=_close_data,
        ok=200,
        kwargs=_open_dispute,
        hidden=_hidden(lambda s: s.dispute),
    ),
    Row(
        "api:contracts-meeting-list", roles=COMMISSIONER, method="post", data=_meeting_data, ok=201
    ),
    Row(
        "api:contracts-meeting-action-done",
        roles=COMMISSIONER,
        method="post",
        data=_open_action,
        ok=200,
        kwargs=_pk(lambda s: s.meeting),
        hidden=_hidden(lambda s: s.meeting),
    ),
    Row(
        "api:contracts-alert-dismiss",
        roles=COMMISSIONER,
        method="post",
        ok=200,
        kwargs=_fresh_alert,
        hidden=_hidden(lambda s: s.alert),
    ),
    Row("api:contracts-budget-list", roles=COMMISSIONER, method="post", data=_budget_data, ok=201),
    # Provider data officers pass the rule but may enter costs only for their own LA service:
    # the world's is an IFA's, so the service refuses them (403) as it does every other role.
    Row(
        "api:contracts-in-house-cost-list",
        roles=COMMISSIONER,
        method="post",
        data=_in_house_data,
        ok=201,
    ),
    Row(
        "api:contracts-specialist-service-list",
        roles=NCC,
        method="post",
        data=_specialist_data,
        ok=201,
    ),
]
