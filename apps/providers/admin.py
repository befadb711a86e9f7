"""Admin for the register. Providers' profiles may be edited here; households, vacancies and
uploads are read-only, as every change to them goes through the services (rules, audit)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import (
    Carer,
    Household,
    HouseholdSkill,
    Provider,
    RegisterConfirmation,
    RegisterUpload,
    StaleRegisterNotice,
    Vacancy,
)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "ofsted_grade", "inspection_date", "contact_email"]
    list_filter = ["ofsted_grade", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__ofsted_urn"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    filter_horizontal = ["areas_served"]


class CarerInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Carer
    extra = 0


class SkillInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HouseholdSkill
    extra = 0


class VacancyInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Vacancy
    extra = 0


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "provider",
        "status",
        "postcode_district",
        "places",
        "last_confirmed_at",
    ]
    list_filter = ["status"]
    search_fields = ["reference", "provider__organisation__name"]
    list_select_related = ["provider__organisation"]
    inlines = [CarerInline, SkillInline, VacancyInline]


@admin.register(RegisterUpload)
class RegisterUploadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["original_name", "provider", "uploaded_by", "outcome", "created_at"]
    list_filter = ["outcome"]
    list_select_related = ["provider__organisation", "uploaded_by"]
    search_fields = ["original_name", "provider__organisation__name"]


@admin.register(RegisterConfirmation)
class RegisterConfirmationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["provider", "confirmed_by", "households", "vacancies", "created_at"]
    list_select_related = ["provider__organisation", "confirmed_by"]


@admin.register(StaleRegisterNotice)
class StaleRegisterNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["provider", "sent_on", "households", "vacancies"]
    list_select_related = ["provider__organisation"]
