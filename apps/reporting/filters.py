"""One filterset per list, shared by the web pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet

from apps.core.filters import set_choices
from apps.organisations.models import Organisation

from .choices import BulletinStatus, ReportKind, RunStatus
from .models import Bulletin, ReportRun, ReportSnapshot
from .querysets import reporting_scope

NATIONAL = "national"


def _rcc_choices(request: Any) -> list[tuple[str, str]]:
    user = getattr(request, "user", None)
    scope = reporting_scope(user)
    rccs = Organisation.objects.rccs().order_by("name")
    if not scope.national:
        rccs = rccs.filter(pk__in=scope.rcc_ids)
    choices = [(str(pk), name) for pk, name in rccs.values_list("pk", "name")]
    return [(NATIONAL, "England (national)"), *choices] if scope.national else choices


class ScopeFilter(django_filters.ChoiceFilter):
    """An RCC by id, or "national"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("method", self.by_scope)
        super().__init__(*args, **kwargs)

    @staticmethod
    def by_scope(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == NATIONAL:
            return queryset.filter(rcc__isnull=True)
        try:
            return queryset.filter(rcc_id=int(value))
        except ValueError:
            return queryset.none()


class ReportRunFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label="Report")
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label="Status")
    scope = ScopeFilter(label="For", choices=[])
    sort = django_filters.OrderingFilter(
        fields=(("created_at", "asked"), ("period_end", "period"), ("status", "status")),
        field_labels={"created_at": "Asked for", "period_end": "Period", "status": "Status"},
        label="Sort by",
    )

    class Meta:
        model = ReportRun
        fields = ["kind", "status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scope", _rcc_choices(self.request))


class ReportSnapshotFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReportKind.choices, label="Report")
    scope = ScopeFilter(label="For", choices=[])
    current = django_filters.BooleanFilter(field_name="is_current", label="Current only")
    sort = django_filters.OrderingFilter(
        fields=(("period_end", "period"), ("built_at", "built")),
        field_labels={"period_end": "Period", "built_at": "Built"},
        label="Sort by",
    )

    class Meta:
        model = ReportSnapshot
        fields = ["kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "scope", _rcc_choices(self.request))


class BulletinFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=BulletinStatus.choices, label="Status")
    sort = django_filters.OrderingFilter(
        fields=(("title", "title"), ("published_at", "published"), ("updated_at", "updated")),
        field_labels={"title": "Title", "published_at": "Published", "updated_at": "Updated"},
        label="Sort by",
    )

    class Meta:
        model = Bulletin
        fields = ["status"]
