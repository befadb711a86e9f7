"""The vacancy search's filterset, shared by the search page and the API.

The filterset parses and validates what the hub asks for; `apps.providers.selectors.vacancy_search`
builds the query. Parameters (all optional):

    postcode_district=M14  radius=25  rcc=<id>  la=<id>  available_by=2026-12-01
    child_age=9  sibling_group=2  care_types=short_term&care_types=emergency
    needs=behaviour:medium&needs=health:low  provider_types=in_house&provider_types=ifa
    min_ofsted=good  include_stale=true  sort=distance|-available|provider|ofsted
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.http import QueryDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.core.errors import DomainError
from apps.core.filters import DateFilter, set_choices
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import Organisation

from .choices import CARE_TYPE_CHOICES, CARE_TYPE_CODES, OfstedGrade
from .models import Household
from .selectors import (
    ALL_PROVIDER_TYPES,
    IN_HOUSE_ONLY_MESSAGE,
    ProviderType,
    VacancySearch,
    postcode_district_find,
    vacancy_search,
)

MAX_RADIUS_MILES = 300
SORTS = (
    ("distance", "distance"),
    ("earliest_available", "available"),
    ("provider__organisation__name", "provider"),
    ("ofsted_rank", "ofsted"),
)


def need_choices() -> tuple[list[tuple[str, list[tuple[str, str]]]], dict[str, int]]:
    """One group per active need domain; each choice is "<domain>:<level>" meaning "can meet
    this level or higher". Also returns each level's rank by code."""
    levels = list(NeedLevel.objects.filter(rank__gte=1).order_by("rank"))
    groups = [
        (
            domain.name,
            [(f"{domain.code}:{level.code}", f"{level.name} or higher") for level in levels],
        )
        for domain in NeedDomain.objects.active().order_by("sort_order", "name")
    ]
    return groups, {level.code: level.rank for level in levels}


class NeedsField(forms.MultipleChoiceField):
    """Several "<domain>:<level>" values; blanks (a domain left at "any") are dropped."""

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v]

    def validate(self, value: Any) -> None:
        seen = set()
        for item in value:
            domain = item.split(":", 1)[0]
            if domain in seen:
                raise forms.ValidationError("Choose one level for each need.", code="duplicate")
            seen.add(domain)
        super().validate(value)


@extend_schema_field(OpenApiTypes.STR)
class NeedsFilter(django_filters.MultipleChoiceFilter):
    """`needs=<domain>:<level>`, repeatable, e.g. `needs=behaviour:medium`."""

    field_class = NeedsField


@extend_schema_field({"type": "string", "enum": list(CARE_TYPE_CODES)})
class CareTypesFilter(django_filters.MultipleChoiceFilter):
    """Repeatable care type codes (households store them as a bit mask)."""


@extend_schema_field({"type": "string", "enum": list(ProviderType.values)})
class ProviderTypesFilter(django_filters.MultipleChoiceFilter):
    """Repeatable provider types, seen from the searcher's RCC."""


@extend_schema_field(OpenApiTypes.INT)
class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number (an age, a number of children)."""


@extend_schema_field(OpenApiTypes.INT)
class OrganisationFilter(django_filters.ModelChoiceFilter):
    """An organisation by id."""


class VacancySearchForm(forms.Form):
    def clean_postcode_district(self) -> Any:
        code = (self.cleaned_data.get("postcode_district") or "").strip()
        if not code:
            return None
        district = postcode_district_find(code)
        if district is None:
            raise forms.ValidationError(
                "Enter a postcode district we know, like M14 or SK4 (or a full postcode).",
                code="unknown",
            )
        return district

    def clean_provider_types(self) -> frozenset[str]:
        chosen = frozenset(self.cleaned_data.get("provider_types") or ALL_PROVIDER_TYPES)
        if not (chosen - {ProviderType.IN_HOUSE}):
            raise forms.ValidationError(IN_HOUSE_ONLY_MESSAGE, code="in_house_only")
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("radius")
            and not data.get("postcode_district")
            and "postcode_district" not in self.errors
        ):
            self.add_error(
                "postcode_district", "Enter the postcode district to measure the radius from."
            )
        return data


class VacancySearchFilter(django_filters.FilterSet):
    postcode_district = django_filters.CharFilter(
        label="Near postcode district",
        help_text="The child's home postcode district, for example M14. Results are nearest first.",
        max_length=10,
    )
    radius = django_filters.NumberFilter(
        label="Within (miles)", min_value=1, max_value=MAX_RADIUS_MILES
    )
    # Only what the choices show: 153 LAs as full rows would cost more than the search.
    rcc = OrganisationFilter(
        queryset=Organisation.objects.rccs().only("pk", "name"), label="In the RCC"
    )
    la = OrganisationFilter(
        queryset=Organisation.objects.local_authorities().only("pk", "name"),
        label="In the local authority",
    )
    child_la = OrganisationFilter(
        queryset=Organisation.objects.local_authorities().only("pk", "name"),
        label="The child's local authority",
        help_text="Its own fostering service is in-house for this child; other LAs' services "
        "are not. Without it, every LA's service shows as another LA's.",
    )
    available_by = DateFilter(
        label="Available by",
        help_text="A place free on or before this date.",
    )
    child_age = WholeNumberFilter(label="Child's age", min_value=0, max_value=25)
    sibling_group = WholeNumberFilter(
        label="Sibling group size",
        help_text="Brothers and sisters to place together, including the child.",
        min_value=1,
        max_value=8,
    )
    care_types = CareTypesFilter(
        choices=CARE_TYPE_CHOICES, label="Type of care", widget=forms.CheckboxSelectMultiple
    )
    needs = NeedsFilter(choices=[], label="Skills for the child's needs")
    provider_types = ProviderTypesFilter(
        choices=ProviderType.choices,
        label="Providers",
        help_text="Every kind of provider is searched at once. You cannot search in-house only.",
        widget=forms.CheckboxSelectMultiple,
    )
    min_ofsted = django_filters.ChoiceFilter(
        choices=[
            (g.value, f"{g.label} or better") for g in OfstedGrade if g != OfstedGrade.INADEQUATE
        ],
        label="Ofsted grade",
    )
    include_stale = django_filters.BooleanFilter(
        label="Include vacancies not confirmed in the last 14 days", widget=forms.CheckboxInput
    )
    sort = django_filters.OrderingFilter(
        fields=SORTS,
        field_labels={
            "distance": "Distance",
            "earliest_available": "Available from",
            "provider__organisation__name": "Provider",
            "ofsted_rank": "Ofsted grade",
        },
        label="Sort by",
    )

    class Meta:
        model = Household
        fields: list[str] = []
        form = VacancySearchForm

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        # An empty search is still a search (every open vacancy), not an unfiltered list.
        super().__init__(QueryDict() if data is None else data, *args, **kwargs)
        # The taxonomy is data: read it once per search (two queries), not at import.
        choices, self.level_ranks = need_choices()
        set_choices(self, "needs", choices)

    def criteria(self) -> VacancySearch:
        data = self.form.cleaned_data
        needs = []
        for item in data.get("needs") or []:
            domain, level = item.split(":", 1)
            needs.append((domain, self.level_ranks[level]))
        sort_filter = self.filters["sort"]
        return VacancySearch(
            origin=data.get("postcode_district"),
            radius_miles=float(data["radius"]) if data.get("radius") else None,
            rcc=data.get("rcc"),
            la=data.get("la"),
            child_la=data.get("child_la"),
            available_by=data.get("available_by"),
            child_age=int(data["child_age"]) if data.get("child_age") is not None else None,
            sibling_group=int(data["sibling_group"]) if data.get("sibling_group") else None,
            care_types=tuple(data.get("care_types") or ()),
            needs=tuple(needs),
            provider_types=data.get("provider_types") or ALL_PROVIDER_TYPES,
            min_ofsted=data.get("min_ofsted") or "",
            include_stale=bool(data.get("include_stale")),
            sort=tuple(sort_filter.get_ordering_value(p) for p in data.get("sort") or ()),
        )

    def filter_queryset(self, queryset: Any) -> Any:
        try:
            return vacancy_search(
                user=self.request.user, criteria=self.criteria(), queryset=queryset
            )
        except DomainError:
            return queryset.none()
