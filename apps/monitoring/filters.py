"""One filterset per list, shared by the web pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

from apps.core.filters import set_choices
from apps.providers.choices import OfstedGrade
from apps.referrals.models import Placement

from .choices import FeedbackRole, ReturnStatus, SubmissionOutcome
from .models import MonitoringReturn, PlacementFeedback, ReturnSubmission, ScorecardSnapshot
from .quarters import Quarter


def _quarter_choices(qs: QuerySet[Any], field: str = "quarter_start") -> list[tuple[str, str]]:
    starts = qs.order_by(f"-{field}").values_list(field, flat=True).distinct()[:24]
    return [(Quarter.of(s).code, Quarter.of(s).short) for s in starts]


class QuarterFilter(django_filters.ChoiceFilter):
    """A quarter chosen by its code (2025-26-Q3)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("method", self.by_quarter)
        super().__init__(*args, **kwargs)

    @staticmethod
    def by_quarter(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        try:
            return queryset.filter(quarter_start=Quarter.parse(value).start)
        except ValueError:
            return queryset.none()


class ReturnFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Provider")
    quarter = QuarterFilter(label="Quarter", choices=[])
    status = django_filters.ChoiceFilter(choices=ReturnStatus.choices, label="Status")
    overdue = django_filters.BooleanFilter(
        method="is_overdue", label="Overdue only", widget=django_filters.widgets.BooleanWidget()
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("provider__organisation__name", "provider"),
            ("quarter_start", "quarter"),
            ("due_on", "due"),
            ("status", "status"),
        ),
        field_labels={
            "provider__organisation__name": "Provider",
            "quarter_start": "Quarter",
            "due_on": "Due",
            "status": "Status",
        },
        label="Sort by",
    )

    class Meta:
        model = MonitoringReturn
        fields = ["status"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "quarter", _quarter_choices(MonitoringReturn.objects.all()))

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(
            Q(provider__organisation__name__icontains=value)
            | Q(provider__organisation__ofsted_urn=value)
        )

    def is_overdue(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value:
            return queryset.filter(status=ReturnStatus.DUE, overdue_since__isnull=False)
        return queryset


class SubmissionFilter(django_filters.FilterSet):
    outcome = django_filters.ChoiceFilter(choices=SubmissionOutcome.choices, label="Outcome")
    monitoring_return = django_filters.NumberFilter(label="Return")
    sort = django_filters.OrderingFilter(fields=(("created_at", "submitted"),), label="Sort by")

    class Meta:
        model = ReturnSubmission
        fields = ["outcome", "monitoring_return"]


SCOPE_NATIONAL = "national"
NATIONAL_LABEL = "England (all placements)"


def scorecard_scope_choices(user: Any) -> list[tuple[str, str]]:
    """National, and the RCCs whose placements' figures the user may choose (theirs; all for
    the NCC)."""
    from apps.organisations.models import Organisation

    from .querysets import monitoring_scope

    scope = monitoring_scope(user)
    rccs = Organisation.objects.rccs().order_by("name")
    if not scope.national:
        rccs = rccs.filter(pk__in=list(scope.rcc_ids))
    mine = [(str(pk), f"{name}'s placements") for pk, name in rccs.values_list("pk", "name")]
    return (
        [*mine, (SCOPE_NATIONAL, NATIONAL_LABEL)]
        if scope.rcc_ids
        else [(SCOPE_NATIONAL, NATIONAL_LABEL), *mine]
    )


class ScorecardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Provider")
    quarter = QuarterFilter(label="Quarter", choices=[])
    scope = django_filters.ChoiceFilter(
        method="in_scope", label="Figures for", choices=[], empty_label=None
    )
    ofsted_grade = django_filters.ChoiceFilter(choices=OfstedGrade.choices, label="Ofsted grade")
    sort = django_filters.OrderingFilter(
        fields=(
            ("provider__organisation__name", "provider"),
            ("stability_rate", "stability"),
            ("response_hours_median", "response"),
            ("offers_made", "offers"),
            ("feedback_count", "feedback"),
            ("fee_vs_median_pct", "fee"),
            ("return_days_late", "timeliness"),
        ),
        label="Sort by",
    )

    class Meta:
        model = ScorecardSnapshot
        fields = ["ofsted_grade"]

    def __init__(
        self, *args: Any, scope_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "quarter", _quarter_choices(ScorecardSnapshot.objects.all()))
        if scope_choices is None:
            user = getattr(self.request, "user", None)
            scope_choices = scorecard_scope_choices(user) if user is not None else []
        set_choices(self, "scope", scope_choices or [(SCOPE_NATIONAL, NATIONAL_LABEL)])

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(provider__organisation__name__icontains=value)

    def in_scope(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == SCOPE_NATIONAL:
            return queryset.filter(rcc__isnull=True)
        if value.isdigit():
            return queryset.filter(rcc_id=int(value))
        return queryset.none()


class FeedbackFilter(django_filters.FilterSet):
    author_role = django_filters.ChoiceFilter(choices=FeedbackRole.choices, label="Given as")
    concerns = django_filters.BooleanFilter(
        label="Raised concerns", widget=django_filters.widgets.BooleanWidget()
    )
    sort = django_filters.OrderingFilter(fields=(("review_date", "review_date"),), label="Sort by")

    class Meta:
        model = PlacementFeedback
        fields = ["author_role", "concerns"]


class FeedbackPlacementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Child's identifier or provider")
    current = django_filters.BooleanFilter(
        method="is_current",
        label="Current placements only",
        widget=django_filters.widgets.BooleanWidget(),
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("start_date", "start"),
            ("child__local_identifier", "child"),
            ("provider__organisation__name", "provider"),
        ),
        label="Sort by",
    )

    class Meta:
        model = Placement
        fields: list[str] = []

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(
            Q(child__local_identifier__icontains=value)
            | Q(provider__organisation__name__icontains=value)
        )

    def is_current(self, queryset: QuerySet[Any], name: str, value: bool | None) -> QuerySet[Any]:
        if value:
            return queryset.filter(end_date__isnull=True)
        return queryset
