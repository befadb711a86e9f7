"""One filterset per list, shared by the web page and the API. Each helper keeps its own
filtersets under its own heading."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from .choices import LegalStatus, ReferralStatus, ReviewStatus, Urgency
from .models import CareHistoryImport, Child, Referral, ReferralReview
from .querysets import has_live_offers, has_replies_awaited, not_sent_to_providers

# --- Children, referrals and reviews (LA side) -------------------------------------------------


class ChildFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Local identifier")
    legal_status = django_filters.ChoiceFilter(choices=LegalStatus.choices, label="Legal status")
    has_open_referral = django_filters.ChoiceFilter(
        choices=[("yes", "Yes"), ("no", "No")],
        method="with_open_referral",
        label="Has an open referral",
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("local_identifier", "identifier"),
            ("date_of_birth", "born"),
            ("latest_assessed_on", "assessed"),
            ("created_at", "created"),
        ),
        field_labels={
            "local_identifier": "Local identifier",
            "date_of_birth": "Date of birth",
            "latest_assessed_on": "Latest assessment",
            "created_at": "Added",
        },
        label="Sort by",
    )

    class Meta:
        model = Child
        fields = ["legal_status"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(local_identifier__icontains=value.strip())

    def with_open_referral(self, queryset, name, value):  # type: ignore[no-untyped-def]
        open_ids = Referral.objects.exclude(
            status__in=[ReferralStatus.PLACED, ReferralStatus.WITHDRAWN]
        ).values("child_id")
        return (
            queryset.filter(pk__in=open_ids)
            if value == "yes"
            else queryset.exclude(pk__in=open_ids)
        )


class ReferralFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Child's local identifier or referral number"
    )
    status = django_filters.ChoiceFilter(choices=ReferralStatus.choices, label="Status")
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="Urgency")
    work = django_filters.ChoiceFilter(
        method="by_work",
        label="Waiting for you",
        choices=[("offers", "Offers to consider")],
        empty_label="Any",
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("created_at", "created"),
            ("latest_start_date", "start"),
            ("sent_at", "sent"),
            ("child__local_identifier", "child"),
            ("status", "status"),
            ("last_activity", "activity"),
        ),
        field_labels={
            "created_at": "Created",
            "latest_start_date": "Latest start date",
            "sent_at": "Sent",
            "child__local_identifier": "Child",
            "status": "Status",
            "last_activity": "Last activity",
        },
        label="Sort by",
    )

    class Meta:
        model = Referral
        fields = ["status", "urgency"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()
        cond = Q(child__local_identifier__icontains=value)
        if value.isdigit():
            cond |= Q(pk=int(value))
        return queryset.filter(cond)

    def by_work(self, queryset, name, value):  # type: ignore[no-untyped-def]
        return queryset.filter(has_live_offers()) if value == "offers" else queryset


class ReviewFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices, label="Status")
    waiting = django_filters.BooleanFilter(
        method="by_waiting",
        label="Waiting for your answer",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    sort = django_filters.OrderingFilter(
        fields=(("requested_at", "requested"), ("status", "status")),
        field_labels={"requested_at": "Requested", "status": "Status"},
        label="Sort by",
    )

    class Meta:
        model = ReferralReview
        fields = ["status"]

    def by_waiting(self, queryset, name, value):  # type: ignore[no-untyped-def]
        """Requested and the referral still a draft (it can still change): as the home page
        and the "Reviews" link count them."""
        if value is None:
            return queryset
        cond = Q(status=ReviewStatus.REQUESTED, referral__status=ReferralStatus.DRAFT)
        return queryset.filter(cond) if value else queryset.exclude(cond)


# --- The hub's work queue (helper MA) ----------------------------------------------------------


class _QueueOrdering(django_filters.OrderingFilter):
    """Sorting by age or days waiting goes the way people read them: youngest, fewest first."""

    FLIPPED = frozenset({"child__date_of_birth", "sent_at"})

    def get_ordering_value(self, param):  # type: ignore[no-untyped-def]
        value = super().get_ordering_value(param)
        name = value.lstrip("-")
        if name in self.FLIPPED:
            return name if value.startswith("-") else f"-{name}"
        return value


def _rcc_las(request):  # type: ignore[no-untyped-def]
    from apps.organisations.models import Organisation

    return Organisation.objects.local_authorities()


class HubQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label="Child's local identifier or referral number"
    )
    status = django_filters.ChoiceFilter(
        choices=[
            (ReferralStatus.SENT, ReferralStatus.SENT.label),
            (ReferralStatus.RETURNED, ReferralStatus.RETURNED.label),
        ],
        label="Status",
    )
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="Urgency")
    la = django_filters.ModelChoiceFilter(queryset=_rcc_las, label="Local authority")
    not_yet_sent = django_filters.BooleanFilter(
        method="no_targets",
        label="Not yet sent to any provider",
        widget=forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")]),
    )
    waiting_for = django_filters.ChoiceFilter(
        method="by_waiting_for",
        label="Waiting for",
        choices=[
            ("search", "A search: not yet sent to any provider"),
            ("replies", "Providers' replies"),
            ("offers", "Offers to compare"),
        ],
        empty_label="Any",
    )
    sort = _QueueOrdering(
        fields=(
            ("latest_start_date", "start"),
            ("sent_at", "waiting"),
            ("urgency", "urgency"),
            ("child__date_of_birth", "age"),
            ("targets_sent", "targets"),
            ("offers_received", "offers"),
        ),
        field_labels={
            "latest_start_date": "Latest start date",
            "sent_at": "Days waiting",
            "urgency": "Urgency",
            "child__date_of_birth": "Age",
            "targets_sent": "Providers asked",
            "offers_received": "Offers received",
        },
        label="Sort by",
    )

    class Meta:
        model = Referral
        fields = ["status", "urgency", "la"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()
        cond = Q(child__local_identifier__icontains=value)
        if value.isdigit():
            cond |= Q(pk=int(value))
        return queryset.filter(cond)

    def no_targets(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        return queryset.filter(targets_sent=0) if value else queryset.filter(targets_sent__gt=0)

    def by_waiting_for(self, queryset, name, value):  # type: ignore[no-untyped-def]
        cond = {
            "search": not_sent_to_providers,
            "replies": has_replies_awaited,
            "offers": has_live_offers,
        }.get(value)
        return queryset.filter(cond()) if cond else queryset


# --- Offers, scrutiny and placements (helper OP) ----------------------------------------------
from django import forms  # noqa: E402

from .choices import (  # noqa: E402
    OfferStatus,
    PlacementProvider,
    PlacementType,
    ReasonEnded,
    TargetStatus,
)
from .models import Placement, ReferralTarget  # noqa: E402

YES_NO = [("", "Any"), ("true", "Yes"), ("false", "No")]


class TargetFilter(django_filters.FilterSet):
    """The provider's "Referrals sent to you": nothing here can identify the child."""

    status = django_filters.ChoiceFilter(choices=TargetStatus.choices, label="Status")
    offer = django_filters.ChoiceFilter(
        field_name="offer__status", choices=OfferStatus.choices, label="Your offer"
    )
    urgency = django_filters.ChoiceFilter(
        field_name="referral__urgency", choices=Urgency.choices, label="Urgency"
    )
    sort = _QueueOrdering(
        fields=(
            ("sent_at", "waiting"),
            ("referral__latest_start_date", "start"),
            ("referral__urgency", "urgency"),
            ("referral__child__date_of_birth", "age"),
            ("status", "status"),
        ),
        field_labels={
            "sent_at": "Days since sent",
            "referral__latest_start_date": "Latest start date",
            "referral__urgency": "Urgency",
            "referral__child__date_of_birth": "Age",
            "status": "Status",
        },
        label="Sort by",
    )

    class Meta:
        model = ReferralTarget
        fields = ["status", "urgency"]


class ScrutinyQueueFilter(django_filters.FilterSet):
    waiting = django_filters.ChoiceFilter(
        method="by_waiting",
        label="Waiting",
        choices=[
            ("proposed", "Proposed matches"),
            ("emergency", "Emergency placements to scrutinise"),
            ("overdue", "Emergency scrutiny overdue"),
        ],
        empty_label="Any",
    )
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label="Urgency")
    sort = django_filters.OrderingFilter(
        fields=(
            ("proposed_at", "proposed"),
            ("latest_start_date", "start"),
            ("urgency", "urgency"),
        ),
        field_labels={
            "proposed_at": "Proposed",
            "latest_start_date": "Latest start date",
            "urgency": "Urgency",
        },
        label="Sort by",
    )

    class Meta:
        model = Referral
        fields = ["urgency"]

    def by_waiting(self, queryset, name, value):  # type: ignore[no-untyped-def]
        """On `selectors.scrutiny_queue` (its annotations)."""
        if value == "proposed":
            return queryset.filter(status=ReferralStatus.PROPOSED)
        if value == "emergency":
            return queryset.filter(emergency_outstanding=True)
        if value == "overdue":
            return queryset.filter(emergency_outstanding=True, scrutiny_due__lt=timezone.now())
        return queryset


class PlacementFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Child's local identifier or household")
    current = django_filters.ChoiceFilter(
        method="by_status",
        label="Current, starting later or ended",
        choices=[("true", "Current"), ("starting", "Starting later"), ("false", "Ended")],
        empty_label="Any",
    )
    placement_provider = django_filters.ChoiceFilter(
        choices=PlacementProvider.choices, label="Placement provider (903)"
    )
    placement_type = django_filters.ChoiceFilter(
        choices=PlacementType.choices, label="Placement type (903)"
    )
    reason_ended = django_filters.ChoiceFilter(choices=ReasonEnded.choices, label="Reason ended")
    scrutiny_outstanding = django_filters.BooleanFilter(
        label="Emergency scrutiny outstanding", widget=forms.Select(choices=YES_NO)
    )
    scrutiny_overdue = django_filters.BooleanFilter(
        method="by_overdue",
        label="Emergency scrutiny overdue",
        widget=forms.Select(choices=YES_NO),
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("start_date", "start"),
            ("end_date", "end"),
            ("provider__organisation__name", "provider"),
            ("distance_from_home_miles", "distance"),
            ("emergency_scrutiny_due", "due"),
        ),
        field_labels={
            "start_date": "Start date",
            "end_date": "End date",
            "provider__organisation__name": "Provider",
            "distance_from_home_miles": "Distance from home",
            "emergency_scrutiny_due": "Scrutiny due",
        },
        label="Sort by",
    )

    class Meta:
        model = Placement
        fields = ["placement_provider", "placement_type", "reason_ended"]

    def search(self, queryset, name, value):  # type: ignore[no-untyped-def]
        value = value.strip()
        return queryset.filter(
            Q(child__local_identifier__icontains=value) | Q(household__reference__icontains=value)
        )

    def by_overdue(self, queryset, name, value):  # type: ignore[no-untyped-def]
        if value is None:
            return queryset
        overdue = Placement.objects.scrutiny_overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)

    def by_status(self, queryset, name, value):  # type: ignore[no-untyped-def]
        """Current: started and not ended (a booked start in the future is "starting")."""
        if value == "true":
            return queryset.current()
        if value == "starting":
            return queryset.filter(end_date__isnull=True, start_date__gt=timezone.localdate())
        return queryset.filter(end_date__isnull=False)


# --- SSDA903 imports (helper import903) --------------------------------------------------------


class CareImportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=[
            (CareHistoryImport.Status.ACCEPTED, "Imported"),
            (CareHistoryImport.Status.REJECTED, "Rejected"),
        ],
        label="Outcome",
    )
    sort = django_filters.OrderingFilter(
        fields=(("uploaded_at", "uploaded"), ("status", "status")),
        field_labels={"uploaded_at": "Uploaded", "status": "Outcome"},
        label="Sort by",
    )

    class Meta:
        model = CareHistoryImport
        fields = ["status"]
