"""Codes shown with their labels: the national return's code lists (by the return's format
version) and the SSDA903 reasons a placement ended."""

from __future__ import annotations

from typing import Any

from django import template

from apps.referrals.choices import ReasonEnded

register = template.Library()


def with_label(code: str, label: str) -> str:
    """ "RETIRE – Retirement"; a label that already starts with its code is kept as it is."""
    return label if label.startswith(code) or label == code else f"{code} – {label}"


@register.simple_tag
def return_code(fmt: Any, list_name: str, code: Any) -> str:
    """A code of one of the return's code lists, with its label ("–" when blank)."""
    if code in (None, ""):
        return "–"
    return with_label(str(code), fmt.code_label(list_name, str(code)))


@register.filter
def code_options(fmt: Any, list_name: str) -> dict[str, str]:
    """{code: "CODE – label"} of one code list, in the list's order, for a select."""
    return {code: with_label(code, label) for code, label in fmt.code_lists[list_name]}


@register.filter
def reason_ended_label(code: Any) -> str:
    try:
        return str(ReasonEnded(code).label)
    except ValueError:
        return str(code)
