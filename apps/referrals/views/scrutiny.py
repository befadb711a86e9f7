"""Independent scrutiny: the queue of proposed matches (and emergencies placed first, flagged
until scrutinised) and the decision page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedListView
from apps.referrals import selectors
from apps.referrals.filters import ScrutinyQueueFilter
from apps.referrals.models import Placement, Referral
from apps.referrals.permissions import SCRUTINISE
from apps.referrals.placing_forms import ScrutinyForm
from apps.referrals.services.scrutiny import placing_team_reason, scrutiny_decide

from .choosing import options_context
from .la import attach_error


class ScrutinyQueueView(ScopedListView):
    rule = SCRUTINISE
    model = Referral
    filterset_class = ScrutinyQueueFilter
    template_name = "referrals/scrutiny_queue.html"
    export_filename = "scrutiny-queue"
    export_columns = [
        ("Referral", "pk"),
        ("Local authority", "la__name"),
        ("Urgency", "get_urgency_display"),
        ("Status", "get_status_display"),
        (
            "Proposed",
            lambda r: timezone.localtime(r.proposed_at).isoformat() if r.proposed_at else "",
        ),
        ("Household", "proposed_offer__household__reference"),
        ("Provider", "proposed_offer__household__provider__organisation__name"),
        (
            "Emergency scrutiny due",
            lambda r: r.scrutiny_due.isoformat() if r.emergency_outstanding else "",
        ),
    ]

    def get_queryset(self) -> QuerySet[Referral]:
        return selectors.scrutiny_queue(self.request.user)  # type: ignore[arg-type]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["now"] = timezone.now()
        return ctx


class ScrutinyDecideView(RuleRequiredMixin, View):
    rule = SCRUTINISE
    template_name = "referrals/scrutiny_decide.html"

    def _referral(self, request: HttpRequest, pk: int) -> Referral:
        qs = Referral.objects.visible_to(request.user).select_related(  # type: ignore[arg-type]
            "child",
            "la",
            "rcc",
            "proposed_by",
            "proposed_offer__household__provider__organisation",
            "family_postcode_district",
            "school_postcode_district",
        )
        return get_object_or_404(qs, pk=pk)

    def _render(self, request: HttpRequest, referral: Referral, form: ScrutinyForm) -> HttpResponse:
        ctx = options_context(request, referral)
        placement = Placement.objects.filter(referral=referral).first()
        ctx.update(
            form=form,
            conflict=placing_team_reason(referral, request.user),
            placement=placement,
            previous=referral.scrutinies.select_related("scrutineer").order_by("decided_at"),
            now=timezone.now(),
            awaiting=referral.status == "proposed"
            or (
                placement is not None
                and placement.emergency_scrutiny_due is not None
                and not referral.scrutinies.filter(after_placement=True).exists()
            ),
        )
        return render(request, self.template_name, ctx)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._render(request, self._referral(request, pk), ScrutinyForm())

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        referral = self._referral(request, pk)
        form = ScrutinyForm(request.POST)
        if form.is_valid():
            try:
                scrutiny = scrutiny_decide(referral=referral, by=request.user, **form.cleaned_data)
            except DomainError as err:
                attach_error(form, err)
            else:
                messages.success(
                    request,
                    f"You {scrutiny.get_decision_display().lower()} the match for referral "
                    f"{referral.pk}. The social worker and the hub have been told.",
                )
                return redirect("referrals:scrutiny_queue")
        return self._render(request, referral, form)
