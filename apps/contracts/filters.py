"""One filterset per list, shared by the web pages and the API."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core.filters import DateFilter
from apps.needs.models import NeedDomain
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.referrals.models import Offer

from .choices import (
    FEE_BANDS,
    AlertKind,
    ArrangementKind,
    DisputeStatus,
    EnrolmentStatus,
    LotService,
)
from .models import (
    AccountManager,
    ContractAlert,
    Dispute,
    Enrolment,
    Framework,
    InHouseCost,
    Lot,
    PartnershipMeeting,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    SpecialistService,
    TermsVersion,
)

PROVIDER_KINDS = [
    (OrganisationKind.IFA.value, "Independent agency"),
    (OrganisationKind.LA_SERVICE.value, "LA service"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]
BAND_CHOICES = [(f"fee_{suffix}", f"Age {label}") for suffix, _lo, _hi, label in FEE_BANDS]


def _owners(request: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        kind__in=[OrganisationKind.RCC, OrganisationKind.NCC]
    ).order_by("name")


def _rccs(request: Any) -> QuerySet[Organisation]:
    return Organisation.objects.rccs().order_by("name")


def _search(fields: tuple[str, ...]) -> Any:
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        q = Q()
        for f in fields:
            q |= Q(**{f"{f}__icontains": value})
        return queryset.filter(q)

    return method


class TermsVersionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("title", "change_summary")), label="Title or change"
    )
    sort = django_filters.OrderingFilter(
        fields=(("version", "version"), ("effective_from", "effective")),
        field_labels={"version": "Version", "effective_from": "Takes effect"},
        label="Sort by",
    )

    class Meta:
        model = TermsVersion
        fields: list[str] = []


class FrameworkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("reference", "title", "specification_summary")), label="Reference or title"
    )
    kind = django_filters.ChoiceFilter(choices=ArrangementKind.choices, label="Kind")
    owner = django_filters.ModelChoiceFilter(queryset=_owners, label="Owner")
    running = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_running", label="Still running", empty_label="Any"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("end_date", "end"),
            ("owner__name", "owner"),
            ("start_date", "start"),
        ),
        field_labels={
            "reference": "Reference",
            "end_date": "Ends",
            "owner__name": "Owner",
            "start_date": "Starts",
        },
        label="Sort by",
    )

    class Meta:
        model = Framework
        fields = ["kind", "owner"]

    def filter_running(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        today = timezone.localdate()
        return (
            queryset.filter(end_date__gte=today) if value else queryset.filter(end_date__lt=today)
        )


class LotFilter(django_filters.FilterSet):
    framework = django_filters.NumberFilter(field_name="framework_id", label="Framework id")
    service_type = django_filters.ChoiceFilter(choices=LotService.choices, label="Service type")
    sort = django_filters.OrderingFilter(
        fields=(("number", "number"), ("name", "name")), label="Sort by"
    )

    class Meta:
        model = Lot
        fields = ["service_type"]


class EnrolmentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("provider__organisation__name", "lot__framework__reference")),
        label="Provider or framework",
    )
    status = django_filters.ChoiceFilter(choices=EnrolmentStatus.choices, label="Status")
    provider_kind = django_filters.ChoiceFilter(
        field_name="provider__organisation__kind", choices=PROVIDER_KINDS, label="Provider kind"
    )
    service_type = django_filters.ChoiceFilter(
        field_name="lot__service_type", choices=LotService.choices, label="Lot type"
    )
    framework = django_filters.NumberFilter(field_name="lot__framework_id", label="Framework id")
    sort = django_filters.OrderingFilter(
        fields=(
            ("provider__organisation__name", "provider"),
            ("lot__framework__reference", "framework"),
            ("status", "status"),
            ("applied_on", "applied"),
        ),
        field_labels={
            "provider__organisation__name": "Provider",
            "lot__framework__reference": "Framework",
            "status": "Status",
            "applied_on": "Applied",
        },
        label="Sort by",
    )

    class Meta:
        model = Enrolment
        fields = ["status"]


class PriceScheduleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("provider__organisation__name", "lot__name", "lot__framework__reference")),
        label="Provider, lot or framework",
    )
    service_type = django_filters.ChoiceFilter(
        field_name="lot__service_type", choices=LotService.choices, label="Lot type"
    )
    provider_kind = django_filters.ChoiceFilter(
        field_name="provider__organisation__kind", choices=PROVIDER_KINDS, label="Provider kind"
    )
    owner = django_filters.ModelChoiceFilter(
        field_name="lot__framework__owner", queryset=_owners, label="RCC (or NCC)"
    )
    current = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_current", label="Applies today", empty_label="Any"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("provider__organisation__name", "provider"),
            ("lot__framework__owner__name", "owner"),
            ("valid_from", "from"),
            ("fee_0_4", "fee_0_4"),
            ("fee_5_10", "fee_5_10"),
            ("fee_11_15", "fee_11_15"),
            ("fee_16_17", "fee_16_17"),
            ("fee_18_plus", "fee_18_plus"),
        ),
        field_labels={
            "provider__organisation__name": "Provider",
            "lot__framework__owner__name": "RCC",
            "valid_from": "From",
            "fee_0_4": "Fee 0-4",
            "fee_5_10": "Fee 5-10",
            "fee_11_15": "Fee 11-15",
            "fee_16_17": "Fee 16-17",
            "fee_18_plus": "Fee 18+",
        },
        label="Sort by",
    )

    class Meta:
        model = PriceSchedule
        fields: list[str] = []

    def filter_current(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        current = PriceSchedule.objects.current().values("pk")
        if value == "yes":
            return queryset.filter(pk__in=current)
        return queryset.exclude(pk__in=current) if value == "no" else queryset


class FeeComparisonFilter(django_filters.FilterSet):
    """The fee comparison (schedules applying today): one band's fee across providers and RCCs."""

    q = django_filters.CharFilter(
        method=_search(("provider__organisation__name", "lot__name", "lot__framework__reference")),
        label="Provider, lot or framework",
    )
    service_type = django_filters.ChoiceFilter(
        field_name="lot__service_type",
        choices=LotService.choices,
        label="Lot type",
        empty_label="Any",
    )
    band = django_filters.ChoiceFilter(
        choices=BAND_CHOICES, method="filter_band", label="Age band", empty_label=None
    )
    provider_kind = django_filters.ChoiceFilter(
        field_name="provider__organisation__kind",
        choices=PROVIDER_KINDS,
        label="Provider kind",
        empty_label="Any",
    )
    owner = django_filters.ModelChoiceFilter(
        field_name="lot__framework__owner", queryset=_owners, label="RCC (or NCC)"
    )
    sort = PriceScheduleFilter.base_filters["sort"]

    class Meta:
        model = PriceSchedule
        fields: list[str] = []

    def filter_band(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"{value}__isnull": False}) if value else queryset


class SoftBlockFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("reference", "provider__organisation__name")), label="Reference or provider"
    )
    rcc = django_filters.ModelChoiceFilter(queryset=_rccs, label="RCC")
    live = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_live", label="Running today", empty_label="Any"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("reference", "reference"),
            ("provider__organisation__name", "provider"),
            ("end_date", "end"),
            ("places", "places"),
            ("weekly_fee", "fee"),
        ),
        field_labels={
            "reference": "Reference",
            "provider__organisation__name": "Provider",
            "end_date": "Ends",
            "places": "Places",
            "weekly_fee": "Weekly fee",
        },
        label="Sort by",
    )

    class Meta:
        model = SoftBlock
        fields = ["rcc"]

    def filter_live(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        live = SoftBlock.objects.live().values("pk")
        if value == "yes":
            return queryset.filter(pk__in=live)
        return queryset.exclude(pk__in=live) if value == "no" else queryset


class AccountManagerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("provider__organisation__name", "manager__email", "manager__last_name")),
        label="Provider or manager",
    )
    sort = django_filters.OrderingFilter(
        fields=(("provider__organisation__name", "provider"), ("since", "since")),
        field_labels={"provider__organisation__name": "Provider", "since": "Since"},
        label="Sort by",
    )

    class Meta:
        model = AccountManager
        fields: list[str] = []


class DisputeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("title", "issue", "provider__organisation__name")),
        label="Title, issue or provider",
    )
    status = django_filters.ChoiceFilter(choices=DisputeStatus.choices, label="Status")
    rcc = django_filters.ModelChoiceFilter(queryset=_owners, label="RCC")
    sort = django_filters.OrderingFilter(
        fields=(
            ("raised_on", "raised"),
            ("status", "status"),
            ("provider__organisation__name", "provider"),
        ),
        field_labels={
            "raised_on": "Raised",
            "status": "Status",
            "provider__organisation__name": "Provider",
        },
        label="Sort by",
    )

    class Meta:
        model = Dispute
        fields = ["status", "rcc"]


class MeetingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method=_search(("notes", "provider__organisation__name")), label="Notes or provider"
    )
    rcc = django_filters.ModelChoiceFilter(queryset=_owners, label="RCC")
    held_after = DateFilter(field_name="held_on", lookup_expr="gte", label="Held on or after")
    sort = django_filters.OrderingFilter(
        fields=(("held_on", "held"), ("provider__organisation__name", "provider")),
        field_labels={"held_on": "Held", "provider__organisation__name": "Provider"},
        label="Sort by",
    )

    class Meta:
        model = PartnershipMeeting
        fields = ["rcc"]


class AlertFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=AlertKind.choices, label="Kind")
    open = django_filters.BooleanFilter(
        field_name="dismissed_at", lookup_expr="isnull", label="Not dismissed"
    )
    sort = django_filters.OrderingFilter(
        fields=(("event_date", "date"), ("kind", "kind"), ("raised_at", "raised")),
        field_labels={"event_date": "Date", "kind": "Kind", "raised_at": "Raised"},
        label="Sort by",
    )

    class Meta:
        model = ContractAlert
        fields = ["kind"]

    def filter_open(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "yes":
            return queryset.filter(dismissed_at__isnull=True)
        return queryset.filter(dismissed_at__isnull=False) if value == "no" else queryset


class BudgetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="la__name", lookup_expr="icontains", label="Local authority"
    )
    financial_year = django_filters.NumberFilter(label="Financial year (start year)")
    rcc = django_filters.ModelChoiceFilter(queryset=_rccs, label="RCC")
    sort = django_filters.OrderingFilter(
        fields=(("la__name", "la"), ("financial_year", "year"), ("amount", "amount")),
        field_labels={"la__name": "Local authority", "financial_year": "Year", "amount": "Budget"},
        label="Sort by",
    )

    class Meta:
        model = PlacementBudget
        fields = ["financial_year", "rcc"]


class InHouseCostFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="service__organisation__name", lookup_expr="icontains", label="Service"
    )
    financial_year = django_filters.NumberFilter(label="Financial year (start year)")
    sort = django_filters.OrderingFilter(
        fields=(("service__organisation__name", "service"), ("financial_year", "year")),
        field_labels={"service__organisation__name": "Service", "financial_year": "Year"},
        label="Sort by",
    )

    class Meta:
        model = InHouseCost
        fields = ["financial_year"]


class SpecialistServiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method=_search(("name", "summary")), label="Name or summary")
    need = django_filters.ModelChoiceFilter(
        field_name="needs__domain",
        queryset=NeedDomain.objects.filter(is_active=True),
        label="Need met",
        distinct=True,
    )
    active = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_active", label="Open to referrals", empty_label="Any"
    )
    sort = django_filters.OrderingFilter(
        fields=(("name", "name"),), field_labels={"name": "Name"}, label="Sort by"
    )

    class Meta:
        model = SpecialistService
        fields: list[str] = []

    def filter_active(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value in ("yes", "no"):
            return queryset.filter(is_active=value == "yes")
        return queryset


class AboveScheduleFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        field_name="household__provider__organisation__name",
        lookup_expr="icontains",
        label="Provider",
    )
    rcc = django_filters.ModelChoiceFilter(field_name="referral__rcc", queryset=_rccs, label="RCC")
    made_after = DateFilter(field_name="made_at", lookup_expr="date__gte", label="Made on or after")
    sort = django_filters.OrderingFilter(
        fields=(
            ("made_at", "made"),
            ("weekly_fee", "fee"),
            ("household__provider__organisation__name", "provider"),
        ),
        field_labels={
            "made_at": "Made",
            "weekly_fee": "Weekly fee",
            "household__provider__organisation__name": "Provider",
        },
        label="Sort by",
    )

    class Meta:
        model = Offer
        fields: list[str] = []
