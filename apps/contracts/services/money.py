"""Budgets pooled at the RCC, and LA in-house costs on a full-cost basis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q

from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, RccMembership
from apps.providers.models import Provider

from ..dates import financial_year_bounds, financial_year_label
from ..models import InHouseCost, PlacementBudget
from ._common import managed_owner_ids, money, money_required, provider_staff_of, require_owner

MAX_BUDGET = Decimal(10**10)


def rcc_of(la: Organisation, *, year: int) -> Organisation | None:
    """The RCC the LA belongs to on the first day of the financial year (or its last day)."""
    start, end = financial_year_bounds(year)
    membership = (
        RccMembership.objects.filter(la=la, start_date__lte=end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
        .select_related("rcc")
        .order_by("-start_date")
        .first()
    )
    return membership.rcc if membership else None


def _check_year(year: int) -> None:
    if not 2020 <= year <= 2100:
        raise DomainError(
            "Give the year the financial year starts, like 2025 for 2025-26.",
            field="financial_year",
        )


@transaction.atomic
def budget_set(
    *, by: Any, la: Organisation, financial_year: int, amount: Any, notes: str = ""
) -> PlacementBudget:
    """Set an LA's placement budget for a financial year; it is pooled at the LA's RCC."""
    if la.kind != OrganisationKind.LOCAL_AUTHORITY:
        raise DomainError("Choose a local authority.", field="la")
    _check_year(financial_year)
    rcc = rcc_of(la, year=financial_year)
    if rcc is None:
        raise DomainError(
            f"{la} is not in an RCC in {financial_year_label(financial_year)}, so its budget "
            "cannot be pooled.",
            field="la",
        )
    require_owner(by, rcc.pk)
    value = money_required(amount, field="amount", label="the budget", maximum=MAX_BUDGET)
    budget, _ = PlacementBudget.objects.update_or_create(
        la=la,
        financial_year=financial_year,
        defaults={"rcc": rcc, "amount": value, "notes": (notes or "").strip(), "updated_by": by},
    )
    return budget


def _may_enter_cost(by: Any, service: Provider) -> bool:
    if provider_staff_of(by, service.pk):
        return True
    owners = managed_owner_ids(by)
    if owners is None:
        return True
    owning_la = service.organisation.owning_la
    if owning_la is None:
        return False
    return RccMembership.objects.current().filter(la=owning_la, rcc_id__in=owners).exists()


@transaction.atomic
def in_house_cost_set(
    *,
    by: Any,
    service: Provider,
    financial_year: int,
    allowance: Any,
    carer_fees: Any,
    support: Any,
    overheads: Any,
    notes: str = "",
) -> InHouseCost:
    """Enter an LA fostering service's full weekly cost per placement for a financial year."""
    if service.organisation.kind != OrganisationKind.LA_SERVICE:
        raise DomainError("In-house costs are entered for LA fostering services.", field="service")
    _check_year(financial_year)
    if not _may_enter_cost(by, service):
        raise PermissionDenied(
            "You can enter costs only for your own service or your RCC's LAs' services."
        )
    values = {
        "allowance": money(allowance, field="allowance", label="the carer allowance"),
        "carer_fees": money(carer_fees, field="carer_fees", label="the fees to carers"),
        "support": money(support, field="support", label="the support cost"),
        "overheads": money(overheads, field="overheads", label="the overheads"),
    }
    cost, _ = InHouseCost.objects.update_or_create(
        service=service,
        financial_year=financial_year,
        defaults={**values, "notes": (notes or "").strip(), "entered_by": by},
    )
    return cost
