"""Money and date formatting for commissioning pages."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any, places: int = 2) -> str:
    """£1,234.56 (or "-" when there is no figure); `places=0` for whole pounds."""
    if value in (None, ""):
        return "\u2013"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.{int(places)}f}"


@register.filter
def percent(value: Any) -> str:
    return "\u2013" if value is None else f"{value}%"


@register.filter
def longdate(value: Any) -> str:
    return "" if not value else f"{value.day} {value:%B %Y}"


@register.filter
def whole(value: Any) -> str:
    """A whole number of pounds with thousands separators and no £ sign (for dense tables)."""
    if value in (None, ""):
        return "\u2013"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "\u2212" if amount < 0 else ""
    return f"{sign}{abs(amount):,.0f}"
