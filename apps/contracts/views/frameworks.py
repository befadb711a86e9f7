"""Frameworks and DPS, their lots and enrolments."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from apps.core.views import ScopedDetailView, ScopedListView
from apps.providers.models import Provider

from .. import services
from ..choices import EnrolmentStatus
from ..filters import EnrolmentFilter, FrameworkFilter
from ..forms import (
    AdoptTermsForm,
    EnrolForm,
    EnrolmentStatusForm,
    FrameworkExtendForm,
    FrameworkForm,
    LotForm,
)
from ..models import Enrolment, Framework, Lot, PriceSchedule, SoftBlock, TermsVersion
from ..permissions import APPLY_TO_LOT, MANAGE_FRAMEWORKS, VIEW_FRAMEWORKS
from ..querysets import contracts_scope
from ..services._common import managed_owner_ids
from ._base import ServiceFormView


class FrameworkListView(ScopedListView):
    rule = VIEW_FRAMEWORKS
    model = Framework
    filterset_class = FrameworkFilter
    select_related = ("owner", "terms_version", "lead_manager", "deputy_manager")
    template_name = "contracts/framework_list.html"
    export_filename = "frameworks"
    export_columns = [
        ("Reference", "reference"),
        ("Title", "title"),
        ("Kind", "get_kind_display"),
        ("Owner", "owner__name"),
        ("Starts", "start_date"),
        ("Ends", "end_date"),
        ("Extension options left", "extension_options"),
        ("Extension decision", "extension_decision_date"),
        ("Consultation opens", "consultation_opens_on"),
        ("National terms", lambda f: f"v{f.terms_version.version}"),
        ("Lead contract manager", lambda f: f.lead_manager.get_full_name() or f.lead_manager.email),
        ("Deputy", lambda f: f.deputy_manager.get_full_name() or f.deputy_manager.email),
        ("Lots", "lot_count"),
        ("Providers accepted", "accepted_count"),
    ]

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .annotate(
                lot_count=Count("lots", distinct=True),
                accepted_count=Count(
                    "lots__enrolments__provider",
                    filter=Q(lots__enrolments__status=EnrolmentStatus.ACCEPTED),
                    distinct=True,
                ),
            )
            .order_by("end_date", "reference")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_FRAMEWORKS.allows(self.request.user)
        ctx["current_terms"] = TermsVersion.objects.current()
        return ctx


class FrameworkDetailView(ScopedDetailView):
    rule = VIEW_FRAMEWORKS
    model = Framework
    select_related = ("owner", "terms_version", "lead_manager", "deputy_manager")
    template_name = "contracts/framework_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        framework = self.object
        enrolments = Enrolment.objects.visible_to(user).select_related("provider__organisation")
        schedules = (
            PriceSchedule.objects.visible_to(user)
            .current()
            .select_related("provider__organisation")
            .prefetch_related("support_prices")
        )
        ctx["lots"] = framework.lots.prefetch_related(
            Prefetch("enrolments", queryset=enrolments, to_attr="visible_enrolments"),
            Prefetch("price_schedules", queryset=schedules, to_attr="current_schedules"),
        )
        owners = managed_owner_ids(user)
        ctx["can_manage"] = MANAGE_FRAMEWORKS.allows(user) and (
            owners is None or framework.owner_id in owners
        )
        ctx["can_apply"] = APPLY_TO_LOT.allows(user) and bool(contracts_scope(user).provider_ids)
        current = TermsVersion.objects.current()
        ctx["current_terms"] = current
        ctx["on_old_terms"] = (
            current is not None and framework.terms_version.version < current.version
        )
        ctx["extend_form"] = FrameworkExtendForm()
        ctx["terms_form"] = AdoptTermsForm(
            initial={"terms_version": current.pk if current else None}
        )
        ctx["status_choices"] = EnrolmentStatus.choices
        return ctx


class FrameworkCreateView(ServiceFormView):
    rule = MANAGE_FRAMEWORKS
    form_class = FrameworkForm
    template_name = "contracts/framework_form.html"
    title = "Create a framework or DPS"
    success_message = "{obj.reference} has been created."

    def perform(self, form: FrameworkForm) -> Framework:
        return services.framework_create(by=self.request.user, **form.service_kwargs())

    def success_url_for(self, obj: Framework) -> str:
        return reverse("contracts:framework", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:frameworks")


class _FrameworkChildView(ServiceFormView):
    rule = MANAGE_FRAMEWORKS
    parent_model = Framework
    parent_select_related = ("owner", "terms_version")

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:framework", args=[self.parent.pk])

    def back_url(self) -> str:
        return reverse("contracts:framework", args=[self.parent.pk])


class LotCreateView(_FrameworkChildView):
    form_class = LotForm
    needs_user = False
    submit_label = "Add the lot"
    success_message = "Lot {obj.number} has been added."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Add a lot to {self.parent.reference}"

    def perform(self, form: LotForm) -> Lot:
        return services.lot_add(by=self.request.user, framework=self.parent, **form.cleaned_data)


class FrameworkExtendView(_FrameworkChildView):
    form_class = FrameworkExtendForm
    needs_user = False
    submit_label = "Take the extension"
    success_message = "{obj.reference} now ends on {obj.end_date:%d %B %Y}."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Extend {self.parent.reference} by {self.parent.extension_months} months"

    def perform(self, form: FrameworkExtendForm) -> Framework:
        return services.framework_extend(
            by=self.request.user, framework=self.parent, **form.cleaned_data
        )


class FrameworkTermsView(_FrameworkChildView):
    form_class = AdoptTermsForm
    needs_user = False
    submit_label = "Move to this version"
    success_message = "The contract now uses the national terms version you chose."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"National terms for {self.parent.reference}"

    def perform(self, form: AdoptTermsForm) -> Framework:
        services.contract_adopt_terms(
            by=self.request.user, contract=self.parent, **form.cleaned_data
        )
        return self.parent


class SoftBlockTermsView(ServiceFormView):
    rule = MANAGE_FRAMEWORKS
    parent_model = SoftBlock
    parent_select_related = ("terms_version",)
    form_class = AdoptTermsForm
    needs_user = False
    submit_label = "Move to this version"
    success_message = "The soft block now uses the national terms version you chose."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"National terms for soft block {self.parent.reference}"

    def perform(self, form: AdoptTermsForm) -> SoftBlock:
        services.contract_adopt_terms(
            by=self.request.user, contract=self.parent, **form.cleaned_data
        )
        return self.parent

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:soft_block", args=[self.parent.pk])

    def back_url(self) -> str:
        return self.success_url_for(None)


class LotEnrolView(ServiceFormView):
    """A commissioner enrols a provider on a lot; a provider's staff apply for their own."""

    rule = APPLY_TO_LOT
    parent_model = Lot
    parent_select_related = ("framework",)
    form_class = EnrolForm
    needs_user = False
    submit_label = "Enrol"

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.parent.framework.reference} - {self.parent}: enrol a provider"

    def _is_commissioner(self) -> bool:
        owners = managed_owner_ids(self.request.user)
        return owners is None or self.parent.framework.owner_id in owners

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        providers = Provider.objects.select_related("organisation").order_by("organisation__name")
        if not self._is_commissioner():
            providers = providers.filter(pk__in=contracts_scope(self.request.user).provider_ids)
        kwargs.update(providers=providers, can_accept=self._is_commissioner())
        return kwargs

    def perform(self, form: EnrolForm) -> Enrolment:
        return services.enrolment_apply(by=self.request.user, lot=self.parent, **form.cleaned_data)

    def message_for(self, obj: Enrolment) -> str:
        return f"{obj.provider}: {obj.get_status_display().lower()} on {obj.lot}."

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:framework", args=[self.parent.framework_id])

    def back_url(self) -> str:
        return self.success_url_for(None)


class EnrolmentListView(ScopedListView):
    rule = VIEW_FRAMEWORKS
    model = Enrolment
    filterset_class = EnrolmentFilter
    select_related = ("provider__organisation", "lot__framework__owner")
    template_name = "contracts/enrolment_list.html"
    export_filename = "enrolments"
    export_columns = [
        ("Provider", "provider__organisation__name"),
        ("Provider kind", "provider__organisation__get_kind_display"),
        ("Framework", "lot__framework__reference"),
        ("Owner", "lot__framework__owner__name"),
        ("Lot", lambda e: str(e.lot)),
        ("Status", "get_status_display"),
        ("Applied", "applied_on"),
        ("Accepted", "accepted_on"),
        ("Suspended", "suspended_on"),
        ("Left", "left_on"),
    ]


class EnrolmentStatusView(ServiceFormView):
    rule = MANAGE_FRAMEWORKS
    parent_model = Enrolment
    parent_select_related = ("lot__framework", "provider__organisation")
    form_class = EnrolmentStatusForm
    needs_user = False
    submit_label = "Change the status"

    def message_for(self, obj: Enrolment) -> str:
        return f"{obj.provider} is now {obj.get_status_display().lower()} on {obj.lot}."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.parent.provider} on {self.parent.lot.framework.reference} {self.parent.lot}"

    def perform(self, form: EnrolmentStatusForm) -> Enrolment:
        return services.enrolment_set_status(
            by=self.request.user, enrolment=self.parent, **form.cleaned_data
        )

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:framework", args=[self.parent.lot.framework_id])

    def back_url(self) -> str:
        return self.success_url_for(None)
