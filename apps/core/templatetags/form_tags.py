"""Template helpers for the GOV.UK form markup in templates/includes/form_field.html."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

DJANGO_EMPTY_LABEL = "---------"


@register.simple_tag
def select_options(field: Any, empty_label: str = "") -> SafeString:
    """The <option>s of a select or multiple select, made in Python: the template loop over
    `field.subwidgets` cost ~10 ms for a list of 153 local authorities."""
    if not hasattr(field.field, "choices"):  # e.g. a yes/no select: the widget's own options
        return mark_safe(  # noqa: S308 - every part is escaped by _option
            "".join(
                _option(
                    sw.data["value"],
                    sw.choice_label,
                    {str(sw.data["value"])} if sw.data["selected"] else set(),
                    empty_label,
                )
                for sw in field.subwidgets
            )
        )
    widget = field.field.widget
    selected = {str(v) for v in widget.format_value(field.value())}
    parts: list[str] = []
    for value, label in field.field.choices:
        if isinstance(label, list | tuple):  # an <optgroup>
            inner = "".join(_option(v, text, selected, empty_label) for v, text in label)
            parts.append(format_html('<optgroup label="{}">{}</optgroup>', value, mark_safe(inner)))  # noqa: S308
        else:
            parts.append(_option(value, label, selected, empty_label))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped by format_html


def _option(value: Any, label: Any, selected: set[str], empty_label: str) -> str:
    value_text = "" if value is None else str(value)
    text = (empty_label or "Choose one") if str(label) == DJANGO_EMPTY_LABEL else label
    return format_html(
        '<option value="{}"{}>{}</option>',
        value_text,
        mark_safe(" selected") if value_text in selected else "",
        text,
    )
