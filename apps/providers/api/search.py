"""GET /api/v1/register/search/: the vacancy search, with the page's filterset and scoping."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from apps.core.api.pagination import StandardPagination
from apps.core.api.views import ScopedViewSetMixin
from apps.providers.filters import VacancySearchFilter
from apps.providers.models import Household
from apps.providers.search_views import SEARCH_VACANCIES, SearchPaginator


class VacancySearchPagination(StandardPagination):
    django_paginator_class = SearchPaginator


class VacancySearchProviderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="organisation_id")
    name = serializers.CharField(source="organisation.name")
    ofsted_urn = serializers.CharField(source="organisation.ofsted_urn")
    ofsted_grade = serializers.CharField()
    contact_email = serializers.CharField(help_text="An email address, or blank if none.")
    contact_phone = serializers.CharField()


class VacancySearchResultSerializer(serializers.ModelSerializer):
    """One household with open places that match the search."""

    distance_miles = serializers.SerializerMethodField(
        help_text="Straight-line miles from the postcode district searched; null without one."
    )
    open_places = serializers.IntegerField(
        help_text="Open vacancies that match (available by, confirmed)."
    )
    earliest_available = serializers.DateField()
    last_confirmed = serializers.DateTimeField(source="oldest_confirmation")
    is_stale = serializers.BooleanField(
        source="stale", help_text="Not confirmed in the last 14 days."
    )
    provider_type = serializers.CharField(
        help_text="in_house (the child's own LA's service: give child_la), other_la or ifa."
    )
    provider = VacancySearchProviderSerializer()
    la = serializers.CharField(source="la.name", allow_null=True, default=None)
    care_types = serializers.ListField(source="care_type_codes", child=serializers.CharField())

    class Meta:
        model = Household
        fields = [
            "id",
            "reference",
            "distance_miles",
            "open_places",
            "earliest_available",
            "last_confirmed",
            "is_stale",
            "provider_type",
            "provider",
            "postcode_district",
            "la",
            "age_min",
            "age_max",
            "places",
            "max_sibling_group",
            "care_types",
        ]

    def get_distance_miles(self, obj: Any) -> float | None:
        return None if obj.distance is None else round(obj.distance, 2)


@extend_schema(summary="Search open vacancies, one result per household, nearest first")
class VacancySearchAPIView(ScopedViewSetMixin, generics.ListAPIView):
    """Every provider's households with open places that match (your own only, for a provider).

    The same filters as the search page; `sort` is distance, available, provider or ofsted
    (prefix `-` to reverse). Searching in-house services only is refused (400)."""

    model = Household
    rule = SEARCH_VACANCIES
    serializer_class = VacancySearchResultSerializer
    filterset_class = VacancySearchFilter
    pagination_class = VacancySearchPagination
    throttle_scope = "search"
