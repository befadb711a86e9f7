"""Template filters for the register's pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

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
