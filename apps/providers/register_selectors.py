"""Reads for the register's own pages and API (households, uploads); the vacancy search has
its own selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from .choices import VacancyStatus
from .models import Carer, Household, HouseholdSkill, RegisterUpload, Vacancy


def household_list(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households for a list page: one query, with the count of open vacancies."""
    return queryset.select_related("provider__organisation").annotate(
        open_vacancies=Count("vacancies", filter=Q(vacancies__status=VacancyStatus.OPEN))
    )


def household_with_rows(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households with their carers, skills and vacancies (a fixed number of queries)."""
    return queryset.select_related(
        "provider__organisation", "postcode_district", "la"
    ).prefetch_related(
        Prefetch("carers", queryset=Carer.objects.order_by("id")),
        Prefetch("skills", queryset=HouseholdSkill.objects.select_related("domain", "level")),
        Prefetch("vacancies", queryset=Vacancy.objects.order_by("available_from", "id")),
    )


def household_export(queryset: QuerySet[Household]) -> QuerySet[Household]:
    """Households with every row the register file holds (a fixed number of queries)."""
    return queryset.select_related("provider__organisation").prefetch_related(
        Prefetch("carers", queryset=Carer.objects.order_by("id")),
        Prefetch("skills", queryset=HouseholdSkill.objects.select_related("domain", "level")),
        Prefetch("vacancies", queryset=Vacancy.objects.order_by("id")),
    )


def upload_list(queryset: QuerySet[RegisterUpload]) -> QuerySet[RegisterUpload]:
    return queryset.select_related("provider__organisation", "uploaded_by").defer("errors")


def recent_uploads(queryset: QuerySet[RegisterUpload], *, limit: int = 5) -> list[Any]:
    return list(upload_list(queryset).order_by("-created_at")[:limit])


def household_exists(*, provider_id: int, reference: str) -> bool:
    return Household.objects.filter(provider_id=provider_id, reference=reference.strip()).exists()
