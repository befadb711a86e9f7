"""Helpers shared by the django-filter filtersets of every app."""

from collections.abc import Sequence
from typing import Any

import django_filters
from django_filters import FilterSet

from .forms import GovukDateField


def set_choices(filterset: FilterSet, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    """Give one filter of this filterset its choices for this request.

    A filter builds its form field once and caches it. `FilterSet.filters` is a deep copy of the
    class's filters, so a field built earlier on the class (the OpenAPI schema generator builds
    them) would keep stale choices: drop the cached field so that it is built with these.
    """
    flt = filterset.filters[name]
    flt.extra["choices"] = list(choices)
    flt.__dict__.pop("_field", None)


class DateFilter(django_filters.DateFilter):
    """A date filter typed as day / month / year (GOV.UK); the API's `?name=YYYY-MM-DD` works
    too (apps/core/forms.py)."""

    field_class = GovukDateField
