"""Template filters for the register's pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import timezone

from ..models import Household, household_label

register = template.Library()


@register.filter
def days_since(value: dt.datetime | None) -> int | str:
    """Whole days between `value` and now ("" for no value)."""
    if value is None:
        return ""
    return max(0, (timezone.now() - value).days)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, key)


@register.filter
def household_name(value: Any) -> str:
    """The label "Provider — reference" for a household, or for a row that names one (a
    matching result with `provider_name` or `provider`, and `reference`). Household instances
    have it as `display_name`; this is the same label for rows that are not instances."""
    if value is None or value == "":
        return ""
    if isinstance(value, Household):
        return value.display_name
    get = value.get if isinstance(value, Mapping) else lambda key: getattr(value, key, None)
    provider = get("provider_name") or get("provider") or ""
    if isinstance(provider, Mapping):
        provider = provider.get("name", "")
    return household_label(str(provider), str(get("reference") or ""))
