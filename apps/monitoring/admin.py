"""Read-only admin views of monitoring (staff only); every change goes through the services."""

from django.contrib import admin

from .models import MonitoringReturn, ReturnSubmission, ScorecardSnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(MonitoringReturn)
class MonitoringReturnAdmin(ReadOnlyAdmin):
    list_display = ("provider", "quarter_start", "status", "due_on", "overdue_since", "accepted_at")
    list_filter = ("status", "quarter_start")
    search_fields = ("provider__organisation__name",)
    list_select_related = ("provider__organisation",)


@admin.register(ReturnSubmission)
class ReturnSubmissionAdmin(ReadOnlyAdmin):
    list_display = ("monitoring_return", "channel", "outcome", "error_count", "created_at")
    list_filter = ("outcome", "channel")
    exclude = ("errors",)
    list_select_related = ("monitoring_return__provider__organisation",)


@admin.register(ScorecardSnapshot)
class ScorecardSnapshotAdmin(ReadOnlyAdmin):
    list_display = (
        "provider",
        "quarter_start",
        "rcc",
        "placements",
        "stability_rate",
        "feedback_count",
    )
    list_filter = ("quarter_start",)
    list_select_related = ("provider__organisation", "rcc")
