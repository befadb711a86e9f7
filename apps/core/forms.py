"""Dates as the GOV.UK Design System asks for them: three boxes, day / month / year, with
errors that say which part is wrong ("Date of birth must include a month") and that keep what
was typed. One field and one widget for every form and filter of the site.

A client that posts one value under the field's own name (`start_date=2026-12-01`, as the API
and older links do) is understood too: ISO (YYYY-MM-DD) or DD/MM/YYYY."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name

PARTS = ("day", "month", "year")
_ONE_VALUE = (
    re.compile(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$"),
    re.compile(r"^(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})$"),
)


def _parts_of(value: Any) -> list[str]:
    """[day, month, year] as text: from a date, a list of parts, or one typed value."""
    if isinstance(value, dt.date):
        return [str(value.day), str(value.month), str(value.year)]
    if isinstance(value, list | tuple):
        return [("" if v is None else str(v)).strip() for v in [*value, "", "", ""][:3]]
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for pattern in _ONE_VALUE:
            found = pattern.match(text)
            if found:
                return [str(int(found[p])) for p in PARTS]
        return [text, "", ""]  # unreadable: shown back in the day box, reported as not a date
    return ["", "", ""]


class GovukDateInput(forms.MultiWidget):
    """Three text boxes named `<name>_day`, `<name>_month`, `<name>_year` (widget_type
    "govukdate": includes/form_field.html draws the GOV.UK date input)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        box = {"inputmode": "numeric"}
        super().__init__(
            {part: forms.TextInput(attrs=box) for part in PARTS},
            attrs,
        )

    def decompress(self, value: Any) -> list[str]:
        return _parts_of(value)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if any(f"{name}_{part}" in data for part in PARTS):
            return [data.get(f"{name}_{part}", "") for part in PARTS]
        return data.get(name)  # one value (the API's filters, older links), or nothing

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and all(f"{name}_{part}" not in data for part in PARTS)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        parts = _parts_of(value)
        context = super().get_context(name, parts, attrs)
        # Boxes left empty while others were filled are the ones in error.
        missing = {p for p, v in zip(PARTS, parts, strict=True) if not v} if any(parts) else set()
        for part, sub, typed in zip(PARTS, context["widget"]["subwidgets"], parts, strict=True):
            sub["part"] = part
            sub["value"] = typed
            sub["missing"] = part in missing
        context["widget"]["some_missing"] = bool(missing)
        return context


class GovukDateField(forms.Field):
    """A date typed as day, month and year. Errors name the field and the part:
    "Enter start date", "Start date must include a month", "Start date must be a real date",
    "Start date: the year must include 4 numbers". What was typed is shown back."""

    widget = GovukDateInput

    def __init__(self, *, min_year: int = 1900, max_year: int = 2100, **kwargs: Any) -> None:
        self.min_year, self.max_year = min_year, max_year
        self._name_label = ""
        super().__init__(**kwargs)

    def get_bound_field(self, form: Any, field_name: str) -> Any:
        self._name_label = str(self.label or pretty_name(field_name))
        return super().get_bound_field(form, field_name)

    @property
    def what(self) -> str:
        return self._name_label or str(self.label or "The date")

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        parts = _parts_of(value)
        if not any(parts):
            return None
        what = self.what
        missing = [p for p, v in zip(PARTS, parts, strict=True) if not v]
        if missing:
            raise ValidationError(
                f"{what} must include a {' and '.join(missing)}", code="incomplete"
            )
        day, month, year = parts
        if not all(v.isdigit() for v in parts):
            raise ValidationError(f"{what} must be a real date, in numbers", code="invalid")
        if len(year) != 4:
            raise ValidationError(f"{what}: the year must include 4 numbers", code="invalid")
        try:
            date = dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{what} must be a real date", code="invalid") from None
        if not self.min_year <= date.year <= self.max_year:
            raise ValidationError(
                f"{what} must be between {self.min_year} and {self.max_year}", code="invalid"
            )
        return date

    def validate(self, value: Any) -> None:
        if value in self.empty_values and self.required:
            message = self.error_messages["required"]
            if message == forms.Field.default_error_messages["required"]:
                message = f"Enter {self.what[:1].lower()}{self.what[1:]}"
            raise ValidationError(message, code="required")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != self.to_python(initial)
        except ValidationError:
            return True


def date_field(
    label: str, *, required: bool = True, help_text: str = "", **kwargs: Any
) -> GovukDateField:
    """The site's date field (label, required, help text)."""
    return GovukDateField(label=label, required=required, help_text=help_text, **kwargs)
