"""Filtersets of the register's own lists (households, uploads), shared by pages and the API.

(The vacancy search has its own filterset.)
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from .choices import HouseholdStatus
from .models import Household, RegisterUpload
from .querysets import stale_before

YES_NO = (("yes", "Yes"), ("no", "No"))


class HouseholdFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Reference")
    status = django_filters.ChoiceFilter(choices=HouseholdStatus.choices, label="Status")
    stale = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_stale", label="Not confirmed for 14 days"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("status", "status"),
            ("postcode_district", "district"),
            ("places", "places"),
            ("last_confirmed_at", "confirmed"),
        ),
        field_labels={
            "reference": "Reference",
            "status": "Status",
            "postcode_district": "Postcode district",
            "places": "Places",
            "last_confirmed_at": "Last confirmed",
        },
        label="Sort by",
    )

    class Meta:
        model = Household
        fields = ["q", "status", "stale"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        return queryset.filter(Q(reference__icontains=value)) if value else queryset

    def filter_stale(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.filter(last_confirmed_at__lt=stale_before())
        if value == "no":
            return queryset.filter(last_confirmed_at__gte=stale_before())
        return queryset


class RegisterUploadFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=RegisterUpload.Outcome.choices, label="Outcome")
    sort = django_filters.OrderingFilter(
        fields=(("created_at", "uploaded"), ("original_name", "name")),
        field_labels={"created_at": "Uploaded", "original_name": "File name"},
        label="Sort by",
    )

    class Meta:
        model = RegisterUpload
        fields = ["outcome"]
