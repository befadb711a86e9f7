"""Price schedules, the fee comparison and soft blocks."""

from __future__ import annotations

import statistics
from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from apps.core.views import ScopedDetailView, ScopedListView
from apps.organisations.models import RccMembership
from apps.referrals.choices import SupportKind
from apps.referrals.models import Offer

from .. import selectors, services
from ..choices import FEE_BANDS
from ..dates import financial_year_label, financial_year_of
from ..filters import (
    BAND_CHOICES,
    AboveScheduleFilter,
    FeeComparisonFilter,
    PriceScheduleFilter,
    SoftBlockFilter,
)
from ..forms import PriceScheduleEndForm, PriceScheduleForm, SoftBlockForm
from ..models import PriceSchedule, SoftBlock
from ..permissions import (
    COMPARE_FEES,
    MANAGE_PRICES,
    MANAGE_SOFT_BLOCKS,
    VIEW_PRICES,
    VIEW_SOFT_BLOCKS,
)
from ..services._common import managed_owner_ids
from ._base import FiguresListView, ServiceFormView

FEE_COLUMNS = [(f"Fee age {label}", f"fee_{suffix}") for suffix, _lo, _hi, label in FEE_BANDS]


def _support(kind: str) -> Any:
    def cost(schedule: PriceSchedule) -> Any:
        for price in schedule.support_prices.all():
            if price.kind == kind:
                return price.weekly_cost
        return ""

    return cost


SUPPORT_COLUMNS = [(f"{label} a week", _support(kind)) for kind, label in SupportKind.choices]
SCHEDULE_COLUMNS = [
    ("Provider", "provider__organisation__name"),
    ("Provider kind", "provider__organisation__get_kind_display"),
    ("RCC", "lot__framework__owner__name"),
    ("Framework", "lot__framework__reference"),
    ("Kind", "lot__framework__get_kind_display"),
    ("Lot", lambda s: str(s.lot)),
    ("Lot type", "lot__get_service_type_display"),
    ("Ages", lambda s: f"{s.lot.age_min}-{s.lot.age_max}"),
    ("From", "valid_from"),
    ("Until", "valid_to"),
    *FEE_COLUMNS,
    *SUPPORT_COLUMNS,
    ("Specification", "lot__framework__specification_summary"),
    ("National terms", lambda s: f"v{s.lot.framework.terms_version.version}"),
]


class PriceScheduleListView(ScopedListView):
    rule = VIEW_PRICES
    model = PriceSchedule
    filterset_class = PriceScheduleFilter
    template_name = "contracts/price_list.html"
    export_filename = "price-schedules"
    export_columns = SCHEDULE_COLUMNS

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related(
                "provider__organisation", "lot__framework__owner", "lot__framework__terms_version"
            )
            .prefetch_related("support_prices")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["bands"] = [label for _s, _lo, _hi, label in FEE_BANDS]
        ctx["can_create"] = MANAGE_PRICES.allows(self.request.user)
        ctx["can_compare"] = COMPARE_FEES.allows(self.request.user)
        return ctx


class PriceScheduleDetailView(ScopedDetailView):
    rule = VIEW_PRICES
    model = PriceSchedule
    select_related = (
        "provider__organisation",
        "lot__framework__owner",
        "lot__framework__terms_version",
        "created_by",
    )
    template_name = "contracts/price_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        owners = managed_owner_ids(self.request.user)
        framework = self.object.lot.framework
        ctx["can_manage"] = MANAGE_PRICES.allows(self.request.user) and (
            owners is None or framework.owner_id in owners
        )
        ctx["end_form"] = PriceScheduleEndForm(initial={"valid_to": self.object.valid_to})
        return ctx


class PriceScheduleCreateView(ServiceFormView):
    rule = MANAGE_PRICES
    form_class = PriceScheduleForm
    template_name = "contracts/price_form.html"
    title = "Agree a price schedule"
    intro = (
        "The weekly fee for each age band the lot covers, and the support packages priced up "
        "front, "
        "for one provider on one lot. One provider has one schedule on a lot at a time."
    )
    success_message = "The price schedule for {obj.provider} has been saved."

    def get_initial(self) -> dict[str, Any]:
        return {
            key: self.request.GET.get(key)
            for key in ("lot", "provider")
            if self.request.GET.get(key)
        }

    def perform(self, form: PriceScheduleForm) -> PriceSchedule:
        return services.price_schedule_create(by=self.request.user, **form.service_kwargs())

    def success_url_for(self, obj: PriceSchedule) -> str:
        return reverse("contracts:price", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:prices")


class PriceScheduleEndView(ServiceFormView):
    rule = MANAGE_PRICES
    parent_model = PriceSchedule
    parent_select_related = ("provider__organisation", "lot__framework")
    form_class = PriceScheduleEndForm
    needs_user = False
    submit_label = "Set the end date"
    success_message = "The schedule now ends on {obj.valid_to:%d %B %Y}."

    @property
    def title(self) -> str:  # type: ignore[override]
        lot = self.parent.lot
        return f"End {self.parent.provider}'s schedule on {lot.framework.reference} {lot}"

    def perform(self, form: PriceScheduleEndForm) -> PriceSchedule:
        return services.price_schedule_end(
            by=self.request.user, schedule=self.parent, **form.cleaned_data
        )

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:price", args=[self.parent.pk])

    def back_url(self) -> str:
        return self.success_url_for(None)


class FeeComparisonView(ScopedListView):
    """Weekly fees by lot across providers and RCCs, each with its specification and terms;
    LA in-house full costs beside them."""

    rule = COMPARE_FEES
    model = PriceSchedule
    filterset_class = FeeComparisonFilter
    template_name = "contracts/fee_comparison.html"
    export_filename = "fee-comparison"
    export_columns = SCHEDULE_COLUMNS
    paginate_by = 50

    def get_queryset(self) -> Any:
        return selectors.fee_comparison(self.request.user).current()

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        data = (kwargs.get("data") or QueryDict()).copy()
        if not data.get("band"):
            data["band"] = BAND_CHOICES[1][0]
        kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        band = self.filterset.form.cleaned_data.get("band") if self.filterset.is_valid() else None
        band = band or BAND_CHOICES[1][0]
        ctx["band_field"] = band
        ctx["band_label"] = dict(BAND_CHOICES)[band]
        for schedule in ctx["object_list"]:
            schedule.band_fee = getattr(schedule, band)
        ctx["summary"] = selectors.fee_summary(self.filterset.qs, band)
        year = financial_year_of(timezone.localdate())
        costs = list(selectors.in_house_costs_beside(self.request.user, year=year))
        rcc_of_la = dict(RccMembership.objects.current().values_list("la_id", "rcc__name"))
        by_rcc: dict[str, list[Any]] = {}
        for cost in costs:
            by_rcc.setdefault(
                rcc_of_la.get(cost.service.organisation.owning_la_id, "LA not in an RCC yet"), []
            ).append(cost.full_weekly_cost)
        ctx["in_house_year"] = financial_year_label(year)
        ctx["in_house"] = [
            {
                "rcc": rcc,
                "count": len(v),
                "lowest": min(v),
                "median": statistics.median(v),
                "highest": max(v),
            }
            for rcc, v in sorted(by_rcc.items())
        ]
        return ctx


class SoftBlockListView(FiguresListView):
    rule = VIEW_SOFT_BLOCKS
    model = SoftBlock
    filterset_class = SoftBlockFilter
    select_related = ("rcc", "provider__organisation", "lot__framework", "terms_version")
    template_name = "contracts/soft_block_list.html"
    export_filename = "soft-blocks"
    export_columns = [
        ("Reference", "reference"),
        ("RCC", "rcc__name"),
        ("Provider", "provider__organisation__name"),
        ("Lot", lambda b: f"{b.lot.framework.reference} {b.lot}" if b.lot else ""),
        ("Places", "places"),
        ("Weekly fee per place", "weekly_fee"),
        ("Starts", "start_date"),
        ("Ends", "end_date"),
        ("Days used", lambda b: b.utilisation.days_used),
        ("Days reserved", lambda b: b.utilisation.days_reserved),
        ("Utilisation %", lambda b: b.utilisation.percent),
        ("Alert below %", "utilisation_threshold"),
        ("National terms", lambda b: f"v{b.terms_version.version}"),
    ]

    def decorate(self, rows: list[SoftBlock]) -> list[SoftBlock]:
        figures = selectors.soft_block_utilisation(rows)
        for block in rows:
            block.utilisation = figures[block.pk]  # type: ignore[attr-defined]
        return rows

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_SOFT_BLOCKS.allows(self.request.user)
        return ctx


class SoftBlockDetailView(ScopedDetailView):
    rule = VIEW_SOFT_BLOCKS
    model = SoftBlock
    select_related = (
        "rcc",
        "provider__organisation",
        "lot__framework",
        "terms_version",
        "created_by",
    )
    template_name = "contracts/soft_block_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from apps.referrals.models import Placement

        ctx = super().get_context_data(**kwargs)
        block = self.object
        ctx["utilisation"] = selectors.soft_block_utilisation([block])[block.pk]
        ctx["today"] = timezone.localdate()
        ctx["approved_places"] = services.approved_places(block.provider)
        ctx["placements"] = (
            Placement.objects.filter(
                provider_id=block.provider_id, rcc_id=block.rcc_id, start_date__lte=block.end_date
            )
            .exclude(end_date__lt=block.start_date)
            .order_by("start_date")
            .values("pk", "start_date", "end_date", "placement_type")[:100]
        )
        owners = managed_owner_ids(self.request.user)
        ctx["can_manage"] = MANAGE_SOFT_BLOCKS.allows(self.request.user) and (
            owners is None or block.rcc_id in owners
        )
        return ctx


class SoftBlockCreateView(ServiceFormView):
    rule = MANAGE_SOFT_BLOCKS
    form_class = SoftBlockForm
    title = "Reserve places: a soft block"
    intro = (
        "Places reserved with a provider at an agreed weekly fee, paid whether used or not. "
        "A soft block cannot reserve more places than the provider's active households are "
        "approved for."
    )
    success_message = "Soft block {obj.reference} has been created."

    def perform(self, form: SoftBlockForm) -> SoftBlock:
        return services.soft_block_create(by=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj: SoftBlock) -> str:
        return reverse("contracts:soft_block", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:soft_blocks")


class AboveScheduleListView(ScopedListView):
    """Offers above the scheduled fee, with the provider's reason: flagged to commissioners."""

    rule = COMPARE_FEES
    model = Offer
    filterset_class = AboveScheduleFilter
    template_name = "contracts/above_schedule_list.html"
    export_filename = "fees-above-schedule"
    export_columns = [
        ("Made", lambda o: o.made_at.date()),
        ("RCC", "referral__rcc__name"),
        ("Provider", "household__provider__organisation__name"),
        ("Household", "household__reference"),
        ("Scheduled weekly fee", "scheduled_fee"),
        ("Offered weekly fee", "weekly_fee"),
        ("Above the schedule by", lambda o: o.weekly_fee - o.scheduled_fee),
        ("Reason", "fee_above_schedule_reason"),
        ("Status", "get_status_display"),
    ]

    def get_queryset(self) -> Any:
        return selectors.offers_above_schedule(self.request.user)
