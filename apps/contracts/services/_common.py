"""Checks every commissioning service shares: who may change which owner's records, money."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind

MAX_WEEKLY = Decimal("100000")


def managed_owner_ids(user: Any) -> set[int] | None:
    """Organisations whose contracts the user may change: RCCs where they are a commissioner,
    the NCC where they are a commissioner or analyst. None means all (superusers)."""
    if user.is_superuser:
        return None
    ids: set[int] = set()
    for m in user.membership_list:
        kind = m.organisation.kind
        if (kind == OrganisationKind.RCC and m.role == Role.COMMISSIONER) or (
            kind == OrganisationKind.NCC and m.role in (Role.COMMISSIONER, Role.NCC_ANALYST)
        ):
            ids.add(m.organisation_id)
    return ids


def require_owner(user: Any, owner_id: int) -> None:
    ids = managed_owner_ids(user)
    if ids is not None and owner_id not in ids:
        raise PermissionDenied("You can change only your own RCC's contracts.")


def provider_staff_of(user: Any, provider_id: int) -> bool:
    return (
        bool(user.is_superuser)
        or user.memberships.filter(
            organisation_id=provider_id, role__in=(Role.PROVIDER_REFERRALS, Role.PROVIDER_DATA)
        ).exists()
    )


def money(
    value: Any, *, field: str, label: str, required: bool = True, maximum: Decimal = MAX_WEEKLY
) -> Decimal | None:
    """An amount in pounds (weekly unless `maximum` says otherwise): not negative, two decimal
    places, below `maximum`. Blank → None unless required."""
    if value in (None, ""):
        if required:
            raise DomainError(f"Enter {label}.", field=field)
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            f"Enter {label} as an amount in pounds, like 820.00.", field=field
        ) from None
    if not amount.is_finite():
        raise DomainError(f"Enter {label} as an amount in pounds, like 820.00.", field=field)
    if amount < 0:
        raise DomainError(f"{label[0].upper()}{label[1:]} cannot be negative.", field=field)
    if amount >= maximum:
        limit = "£100,000 a week" if maximum == MAX_WEEKLY else f"£{maximum:,.0f}"
        raise DomainError(f"{label[0].upper()}{label[1:]} must be less than {limit}.", field=field)
    return amount


def money_required(value: Any, *, field: str, label: str, maximum: Decimal = MAX_WEEKLY) -> Decimal:
    amount = money(value, field=field, label=label, maximum=maximum)
    if amount is None:  # pragma: no cover - money() raises for a blank required amount
        raise DomainError(f"Enter {label}.", field=field)
    return amount


def date_order(start: dt.date, end: dt.date | None, *, field: str, what: str) -> None:
    if end is not None and end < start:
        raise DomainError(f"The {what} end date must be on or after its start date.", field=field)


def day(value: dt.date) -> str:
    return f"{value.day} {value:%B %Y}"
