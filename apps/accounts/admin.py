"""Admin of roles: an administrator marks a hub's manager (docs/adr/0130). Roles themselves are
given and removed on the People pages, which keep the audit trail."""

from __future__ import annotations

from django.contrib import admin

from .models import Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "manager", "created_at"]
    list_filter = ["role", "manager", "organisation__kind"]
    list_editable = ["manager"]
    search_fields = ["user__email", "organisation__name"]
    fields = ["user", "organisation", "role", "manager"]
    readonly_fields = ["user", "organisation", "role"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def, override]
        return False  # roles are given on the People pages

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("user", "organisation")
