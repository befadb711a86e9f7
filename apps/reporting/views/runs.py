"""Report runs: the list with the form to start one, a run's page, and the progress partial
that the page polls (htmx, every 2 seconds while the run is queued or running)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from apps.core.errors import DomainError
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView

from ..filters import ReportRunFilter
from ..forms import RunRequestForm
from ..models import ReportRun
from ..permissions import RUN_REPORTS, VIEW_NATIONAL, VIEW_REPORTS
from ..selectors import runs_for_list, visible_rccs
from ..services import report_run_request


class ReportsHomeView(ScopedListView):
    rule = VIEW_REPORTS
    model = ReportRun
    filterset_class = ReportRunFilter
    template_name = "reporting/index.html"
    export_filename = "report-runs"
    export_columns = [
        ("Report", lambda r: r.get_kind_display()),
        ("For", "scope_label"),
        ("From", "period_start"),
        ("To", "period_end"),
        ("Status", lambda r: r.get_status_display()),
        ("Progress %", "progress"),
        ("Step", "step"),
        ("Asked for", "created_at"),
        ("Asked by", lambda r: str(r.requested_by) if r.requested_by_id else "Schedule"),
        ("Finished", "finished_at"),
        ("Error", "error"),
    ]

    def get_queryset(self) -> Any:
        return runs_for_list(super().get_queryset()).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["rccs"] = list(visible_rccs(user))
        ctx["national"] = VIEW_NATIONAL.allows(user)
        ctx["run_form"] = RunRequestForm(user=user) if RUN_REPORTS.allows(user) else None
        return ctx


class RunCreateView(RuleRequiredMixin, FormView):
    rule = RUN_REPORTS
    form_class = RunRequestForm
    template_name = "reporting/run_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {k: v for k, v in self.request.GET.items() if k in ("kind", "rcc")}

    def form_valid(self, form: RunRequestForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            run, created = report_run_request(
                kind=data["kind"],
                rcc=data.get("rcc"),
                period_start=data.get("period_start"),
                period_end=data.get("period_end"),
                by=self.request.user,
            )
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            return self.form_invalid(form)
        run.refresh_from_db()
        if not created:
            messages.info(
                self.request,
                "This report is already being built: here is its progress. "
                "No second run was started.",
            )
        elif run.enqueue_error:
            messages.warning(
                self.request,
                "The report queue cannot be reached just now. Your request is saved and will "
                "start automatically when the queue is back; you do not need to ask again.",
            )
        else:
            messages.success(self.request, "Report started. This page shows its progress.")
        return HttpResponseRedirect(reverse("reporting:run_detail", args=[run.pk]))


class RunDetailView(ScopedDetailView):
    rule = VIEW_REPORTS
    model = ReportRun
    select_related = ("rcc", "requested_by")
    template_name = "reporting/run_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["can_run"] = RUN_REPORTS.allows(self.request.user)
        return ctx


class RunProgressView(ScopedDetailView):
    """The progress panel alone: polled while the run is active, then it stops polling."""

    rule = VIEW_REPORTS
    model = ReportRun
    select_related = ("rcc",)
    template_name = "reporting/_run_progress.html"
    context_object_name = "run"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response
