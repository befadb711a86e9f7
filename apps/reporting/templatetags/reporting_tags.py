"""Showing report cells: numbers by their column's type, blanks as a dash."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

NONE = "\u2013"  # an en dash


def cell_text(value: Any, kind: str) -> str:
    if value is None or value == "":
        return NONE
    if isinstance(value, str):
        return value
    if kind == "percent":
        return f"{value:.1f}%"
    if kind == "money":
        return f"£{intcomma(f'{value:.2f}') if value >= 1000 else f'{value:.2f}'}"
    if kind in ("days", "miles", "rate"):
        return f"{value:.1f}" if isinstance(value, float) else str(value)
    if isinstance(value, int | float):
        return intcomma(int(value)) if float(value).is_integer() else f"{value:.1f}"
    return str(value)


@register.filter
def cell(value: Any, kind: str = "count") -> str:
    return cell_text(value, kind)


@register.filter
def numeric(kind: str) -> bool:
    return kind != "text"


@register.filter
def zip_columns(row: list[Any], columns: list[dict[str, Any]]) -> list[tuple[Any, dict[str, Any]]]:
    return list(zip(row, columns, strict=False))


@register.filter
def run_snapshot(run: Any) -> Any:
    """The snapshot a done run built, or None."""
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return run.snapshot
    except ObjectDoesNotExist:
        return None


@register.simple_tag
def snapshot_url(snapshot: Any) -> str:
    from django.urls import reverse

    if snapshot.rcc_id:
        return (
            f"{reverse('reporting:rcc_dashboard', args=[snapshot.rcc_id])}?snapshot={snapshot.pk}"
        )
    return f"{reverse('reporting:national')}?snapshot={snapshot.pk}"


STATUS_TAGS = {
    "queued": "govuk-tag--grey",
    "running": "govuk-tag--blue",
    "done": "govuk-tag--green",
    "failed": "govuk-tag--red",
    "draft": "govuk-tag--grey",
    "published": "govuk-tag--green",
    "withdrawn": "govuk-tag--orange",
}


@register.filter
def status_tag(status: str) -> str:
    return STATUS_TAGS.get(status, "govuk-tag--grey")
