"""Simulated years of matching: the list of runs with the form to start one, a run's page
(progress while it runs, then the comparison with its chart), the progress panel the page
polls, and the downloads. Commissioners see their RCC's runs; NCC analysts every run and
England's (docs/planning-simulation.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.text import slugify
from django.views import View
from django.views.generic import FormView

from apps.core.errors import DomainError
from apps.core.exports import CONTENT_TYPES, attachment, dataset_export
from apps.core.views import RuleRequiredMixin, ScopedDetailView, ScopedListView
from apps.reporting.choices import RunStatus
from apps.reporting.selectors import chart_data
from apps.reporting.templatetags.reporting_tags import cell_text

from ..filters import SimulationRunFilter
from ..forms import SimulationForm
from ..models import SimulationRun
from ..permissions import VIEW_PLANNING
from ..selectors import simulation_runs_for_list, simulation_tables
from ..services import simulation_run_request
from ..simulation import POLICY_LABELS
from ..simulation_tables import table_dataset


class SimulationListView(ScopedListView):
    rule = VIEW_PLANNING
    model = SimulationRun
    filterset_class = SimulationRunFilter
    template_name = "planning/simulation_list.html"
    export_filename = "simulated-years"
    export_columns = [
        ("Policy", lambda r: r.get_policy_display()),
        ("Seed", "seed"),
        ("Children of", "scope_label"),
        ("Status", lambda r: r.get_status_display()),
        ("Progress %", "progress"),
        ("Asked for", "created_at"),
        ("Asked by", lambda r: str(r.requested_by) if r.requested_by_id else "Command line"),
        ("Finished", "finished_at"),
        ("Error", "error"),
    ]

    def get_queryset(self) -> Any:
        return simulation_runs_for_list(super().get_queryset()).order_by("-created_at", "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        ctx["form"] = SimulationForm(user=self.request.user)
        return ctx


class SimulationCreateView(RuleRequiredMixin, FormView):
    rule = VIEW_PLANNING
    form_class = SimulationForm
    template_name = "planning/simulation_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: SimulationForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            run, created = simulation_run_request(
                policy=data["policy"], seed=data["seed"], rcc=data.get("rcc"), by=self.request.user
            )
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            return self.form_invalid(form)
        except PermissionDenied as err:
            form.add_error("rcc", str(err))
            return self.form_invalid(form)
        run.refresh_from_db()
        if not created:
            messages.info(
                self.request,
                "This simulation is already running: here is its progress. No second run was "
                "started.",
            )
        elif run.enqueue_error:
            messages.warning(
                self.request,
                "The queue cannot be reached just now. Your request is saved and will start "
                "automatically when the queue is back; you do not need to ask again.",
            )
        else:
            messages.success(self.request, "Simulation started. This page shows its progress.")
        return HttpResponseRedirect(reverse("planning:simulation_detail", args=[run.pk]))


def _decorated(run: SimulationRun) -> list[dict[str, Any]]:
    """The run's tables as the page shows them: cells as text, chart data, download links.
    The comparison is read a measure a row and a policy a column (its chart and downloads are
    a policy a row)."""
    url = reverse("planning:simulation_export", args=[run.pk])
    out = []
    for key, table in simulation_tables(run).items():
        if key == "sim_results":
            continue  # every figure together: the CSV of the page
        t = table.as_dict()
        kinds = [c["type"] for c in t["columns"]]
        columns = t["columns"]
        body = [
            [(cell_text(v, k), k != "text") for v, k in zip(row, kinds, strict=False)]
            for row in t["rows"]
        ]
        if key == "sim_comparison":
            columns = [{"key": "measure", "label": "Measure", "type": "text"}] + [
                {"key": f"policy_{i}", "label": row[0], "type": "count"}
                for i, row in enumerate(t["rows"])
            ]
            body = [
                [(c["label"], False), *[(cell_text(row[i], c["type"]), True) for row in t["rows"]]]
                for i, c in enumerate(t["columns"])
                if i > 0
            ]
        out.append(
            {
                **t,
                "columns": columns,
                "body": body,
                "chart_data": chart_data(t),
                "chart_id": f"chart-{key}",
                "csv_url": f"{url}?table={key}&export=csv",
                "xlsx_url": f"{url}?table={key}&export=xlsx",
            }
        )
    return out


class SimulationDetailView(ScopedDetailView):
    rule = VIEW_PLANNING
    model = SimulationRun
    select_related = ("rcc", "requested_by")
    template_name = "planning/simulation_detail.html"
    context_object_name = "run"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        run: SimulationRun = self.object
        done = run.status == RunStatus.DONE and bool(run.results)
        ctx["tables"] = _decorated(run) if done else []
        ctx["results"] = [
            {
                "label": POLICY_LABELS[p],
                "seconds": run.results[p].get("seconds"),
                "searches": run.results[p].get("searches"),
                "prices": run.results[p]["summary"].get("price_sources", {}),
                "unpriced": run.results[p]["summary"].get("unpriced", 0),
            }
            for p in run.policies
            if done and p in run.results
        ]
        ctx["csv_url"] = reverse("planning:simulation_export", args=[run.pk]) + "?export=csv"
        ctx["form"] = SimulationForm(
            user=self.request.user,
            initial={"policy": run.policy, "seed": run.seed, "rcc": run.rcc_id},
        )
        return ctx


class SimulationProgressView(ScopedDetailView):
    """The progress panel alone: polled while the run is active, then it stops polling."""

    rule = VIEW_PLANNING
    model = SimulationRun
    select_related = ("rcc",)
    template_name = "planning/_simulation_progress.html"
    context_object_name = "run"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class SimulationExportView(RuleRequiredMixin, View):
    """A done run's figures as CSV or XLSX: every figure (`?table=sim_results`, the default),
    or one table of the page."""

    rule = VIEW_PLANNING

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(
            SimulationRun.objects.visible_to(request.user).select_related("rcc"), pk=pk
        )
        fmt = request.GET.get("export", "csv")
        if fmt not in CONTENT_TYPES:
            return HttpResponse("export must be csv or xlsx.", status=400)
        if run.status != RunStatus.DONE or not run.results:
            raise Http404("This simulation has no results yet.")
        key = request.GET.get("table", "sim_results")
        table = simulation_tables(run).get(key)
        if table is None:
            raise Http404("No such table in this simulation.")
        name = f"simulated-year-{slugify(run.scope_label)}-seed-{run.seed}-{key}.{fmt}"
        return attachment(
            dataset_export(table_dataset(table.as_dict()), fmt), CONTENT_TYPES[fmt], name
        )
