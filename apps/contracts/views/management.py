"""Contract management: disputes, partnership meetings, account managers and planning alerts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView

from .. import selectors, services
from ..choices import DisputeStatus
from ..filters import AccountManagerFilter, AlertFilter, DisputeFilter, MeetingFilter
from ..forms import AccountManagerForm, DisputeCloseForm, DisputeForm, DisputeStepForm, MeetingForm
from ..models import AccountManager, ContractAlert, Dispute, PartnershipMeeting
from ..permissions import (
    DISMISS_ALERTS,
    MANAGE_ACCOUNT_MANAGERS,
    MANAGE_CONTRACT_MANAGEMENT,
    VIEW_ALERTS,
    VIEW_CONTRACT_MANAGEMENT,
)
from ..services._common import managed_owner_ids
from ._base import FiguresListView, ServiceFormView, scoped_or_404


def _manages(user: Any, owner_id: int) -> bool:
    owners = managed_owner_ids(user)
    return MANAGE_CONTRACT_MANAGEMENT.allows(user) and (owners is None or owner_id in owners)


class DisputeListView(ScopedListView):
    rule = VIEW_CONTRACT_MANAGEMENT
    model = Dispute
    filterset_class = DisputeFilter
    select_related = ("rcc", "provider__organisation", "framework")
    template_name = "contracts/dispute_list.html"
    export_filename = "disputes"
    export_columns = [
        ("Title", "title"),
        ("RCC", "rcc__name"),
        ("Provider", "provider__organisation__name"),
        ("Framework", "framework__reference"),
        ("Status", "get_status_display"),
        ("Raised", "raised_on"),
        ("Steps", "step_count"),
        ("Closed", "closed_on"),
        ("Outcome", "outcome"),
    ]

    def get_queryset(self) -> Any:
        return (
            super().get_queryset().annotate(step_count=Count("steps")).order_by("-raised_on", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_CONTRACT_MANAGEMENT.allows(self.request.user)
        return ctx


class DisputeDetailView(ScopedDetailView):
    rule = VIEW_CONTRACT_MANAGEMENT
    model = Dispute
    select_related = ("rcc", "provider__organisation", "framework", "soft_block", "raised_by")
    template_name = "contracts/dispute_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        dispute = self.object
        timeline: list[dict[str, Any]] = [
            {
                "on": dispute.raised_on,
                "what": "Dispute raised",
                "notes": dispute.issue,
                "by": dispute.raised_by,
            }
        ]
        for step in dispute.steps.select_related("recorded_by"):
            timeline.append(
                {
                    "on": step.on,
                    "what": step.get_kind_display(),
                    "notes": step.notes,
                    "by": step.recorded_by,
                }
            )
        if dispute.closed_on:
            timeline.append(
                {
                    "on": dispute.closed_on,
                    "what": dispute.get_status_display(),
                    "notes": dispute.outcome,
                    "by": None,
                }
            )
        ctx["timeline"] = timeline
        is_open = dispute.status in (DisputeStatus.OPEN, DisputeStatus.MEDIATION)
        ctx["can_manage"] = is_open and _manages(self.request.user, dispute.rcc_id)
        ctx["step_form"] = DisputeStepForm(prefix="step")
        ctx["close_form"] = DisputeCloseForm(prefix="close")
        return ctx


class DisputeCreateView(ServiceFormView):
    rule = MANAGE_CONTRACT_MANAGEMENT
    form_class = DisputeForm
    title = "Record a dispute"
    intro = "A disagreement with a provider about a contract, and the steps taken to resolve it."
    success_message = "The dispute has been recorded."

    def perform(self, form: DisputeForm) -> Dispute:
        return services.dispute_raise(by=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj: Dispute) -> str:
        return reverse("contracts:dispute", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:disputes")


class _DisputeChildView(ServiceFormView):
    rule = MANAGE_CONTRACT_MANAGEMENT
    parent_model = Dispute
    parent_select_related = ("provider__organisation",)
    needs_user = False

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:dispute", args=[self.parent.pk])

    def back_url(self) -> str:
        return self.success_url_for(None)


class DisputeStepView(_DisputeChildView):
    form_class = DisputeStepForm
    prefix = "step"
    submit_label = "Add to the timeline"
    success_message = "The step has been added to the timeline."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Add a step: {self.parent.title}"

    def perform(self, form: DisputeStepForm) -> Any:
        return services.dispute_add_step(
            by=self.request.user, dispute=self.parent, **form.cleaned_data
        )


class DisputeCloseView(_DisputeChildView):
    form_class = DisputeCloseForm
    prefix = "close"
    submit_label = "Close the dispute"
    success_message = "The dispute is closed."

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Close: {self.parent.title}"

    def perform(self, form: DisputeCloseForm) -> Any:
        return services.dispute_close(
            by=self.request.user, dispute=self.parent, **form.cleaned_data
        )


class MeetingListView(ScopedListView):
    rule = VIEW_CONTRACT_MANAGEMENT
    model = PartnershipMeeting
    filterset_class = MeetingFilter
    select_related = ("rcc", "provider__organisation", "framework")
    template_name = "contracts/meeting_list.html"
    export_filename = "partnership-meetings"
    export_columns = [
        ("Held", "held_on"),
        ("RCC", "rcc__name"),
        ("Provider", "provider__organisation__name"),
        ("Framework", "framework__reference"),
        ("Actions", "action_count"),
        ("Actions open", "open_actions"),
        ("Notes", "notes"),
    ]

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .annotate(
                action_count=Count("actions"),
                open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)),
            )
            .order_by("-held_on", "-id")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_CONTRACT_MANAGEMENT.allows(self.request.user)
        return ctx


class MeetingDetailView(ScopedDetailView):
    rule = VIEW_CONTRACT_MANAGEMENT
    model = PartnershipMeeting
    select_related = ("rcc", "provider__organisation", "framework", "created_by")
    template_name = "contracts/meeting_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = self.object.actions.all()
        ctx["can_manage"] = _manages(self.request.user, self.object.rcc_id)
        return ctx


class MeetingCreateView(ServiceFormView):
    rule = MANAGE_CONTRACT_MANAGEMENT
    form_class = MeetingForm
    template_name = "contracts/meeting_form.html"
    title = "Record a partnership meeting"
    success_message = "The meeting has been recorded."

    def perform(self, form: MeetingForm) -> PartnershipMeeting:
        return services.meeting_record(by=self.request.user, **form.service_kwargs())

    def success_url_for(self, obj: PartnershipMeeting) -> str:
        return reverse("contracts:meeting", args=[obj.pk])

    def back_url(self) -> str:
        return reverse("contracts:meetings")


class _PostActionView(RuleRequiredMixin, View):
    """A one-button POST on a scoped object: the service runs, a message says what happened."""

    model: Any = None
    select_related: tuple[str, ...] = ()

    def act(self, obj: Any) -> str:
        raise NotImplementedError

    def redirect_to(self, obj: Any) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = scoped_or_404(self.model, request.user, pk, *self.select_related)
        try:
            messages.success(request, self.act(obj))
        except DomainError as err:
            messages.error(request, err.message)
        return redirect(self.redirect_to(obj))


class MeetingActionDoneView(RuleRequiredMixin, View):
    rule = MANAGE_CONTRACT_MANAGEMENT

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = scoped_or_404(PartnershipMeeting, request.user, pk)
        action = meeting.actions.filter(pk=request.POST.get("action")).first()
        if action is None:
            messages.error(request, "Choose an action of this meeting.")
        else:
            try:
                services.meeting_action_done(by=request.user, action=action)
                messages.success(request, f"Marked done: {action.description}")
            except DomainError as err:
                messages.error(request, err.message)
        return redirect("contracts:meeting", pk=meeting.pk)


class AccountManagerListView(ScopedListView):
    rule = VIEW_CONTRACT_MANAGEMENT
    model = AccountManager
    filterset_class = AccountManagerFilter
    select_related = ("provider__organisation", "manager")
    template_name = "contracts/account_manager_list.html"
    export_filename = "account-managers"
    export_columns = [
        ("Provider", "provider__organisation__name"),
        ("Account manager", lambda a: a.manager.get_full_name() or a.manager.email),
        ("Email", "manager__email"),
        ("RCCs covered", lambda a: "; ".join(r.name for r in a.rccs.all())),
        ("Since", "since"),
    ]

    def get_queryset(self) -> Any:
        return super().get_queryset().prefetch_related("rccs")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = MANAGE_ACCOUNT_MANAGERS.allows(self.request.user)
        return ctx


class AccountManagerCreateView(ServiceFormView):
    rule = MANAGE_ACCOUNT_MANAGERS
    form_class = AccountManagerForm
    needs_user = False
    title = "Name a national account manager"
    intro = "One contact for a large provider across the consortia it works with."
    success_message = "{obj.manager} is the account manager for {obj.provider}."

    def perform(self, form: AccountManagerForm) -> AccountManager:
        data = dict(form.cleaned_data)
        data["rccs"] = list(data["rccs"])
        return services.account_manager_set(by=self.request.user, **data)

    def success_url_for(self, obj: Any) -> str:
        return reverse("contracts:account_managers")

    def back_url(self) -> str:
        return reverse("contracts:account_managers")


class AlertListView(FiguresListView):
    rule = VIEW_ALERTS
    model = ContractAlert
    filterset_class = AlertFilter
    select_related = ("framework", "soft_block__provider__organisation", "owner", "dismissed_by")
    template_name = "contracts/alert_list.html"
    export_filename = "contract-alerts"
    export_columns = [
        ("Date", "event_date"),
        ("Kind", "get_kind_display"),
        ("Owner", "owner__name"),
        ("Message", "text"),
        ("Raised", lambda a: a.raised_at.date()),
        ("Dismissed", lambda a: a.dismissed_at.date() if a.dismissed_at else ""),
    ]

    def decorate(self, rows: list[ContractAlert]) -> list[ContractAlert]:
        return selectors.alerts_with_figures(rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_dismiss"] = DISMISS_ALERTS.allows(self.request.user)
        return ctx


class AlertDismissView(_PostActionView):
    rule = DISMISS_ALERTS
    model = ContractAlert

    def act(self, obj: ContractAlert) -> str:
        services.alert_dismiss(by=self.request.user, alert=obj)
        return "The alert has been dismissed."

    def redirect_to(self, obj: ContractAlert) -> str:
        target = self.request.POST.get("next", "")
        return (
            target if target in ("/", reverse("contracts:index")) else reverse("contracts:alerts")
        )
