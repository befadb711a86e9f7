"""The RCC report and the national dashboards: read one stored snapshot (a fixed number of
queries, whatever the data), draw each table with its chart, filter and compare its rows."""

from __future__ import annotations

from typing import Any

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from apps.contracts.dates import financial_year_label, financial_year_of
from apps.core.views import RuleRequiredMixin

from ..build.measures import HEADLINE_LABELS
from ..choices import ReportKind
from ..forms import NationalFilterForm
from ..models import ReportRun, ReportSnapshot
from ..permissions import DFE_EXPORT, SSDA903_RETURN, VIEW_NATIONAL, VIEW_REPORTS, may_run
from ..selectors import (
    active_run_for,
    chart_data,
    compare,
    dashboard_snapshot,
    filter_rows,
    sections,
    snapshot_choices,
    visible_rccs,
)
from ..templatetags.reporting_tags import cell_text


def _snapshot_id(request: Any) -> int | None:
    try:
        return int(request.GET["snapshot"])
    except (KeyError, ValueError):
        return None


def decorate(snapshot: ReportSnapshot, table: dict[str, Any], query: str = "") -> dict[str, Any]:
    """A table as the page shows it: its chart's data and its export links."""
    url = reverse("reporting:table_export", args=[snapshot.pk, table["key"]])
    suffix = f"&{query}" if query else ""
    kinds = [c["type"] for c in table["columns"]]
    return {
        **table,
        # Cells as text, worked out here once: rendering thousands through filters is slow.
        "body": [
            [(cell_text(v, k), k != "text") for v, k in zip(row, kinds, strict=False)]
            for row in table["rows"]
        ],
        "chart_data": chart_data(table),
        "chart_id": f"chart-{table['key']}",
        "csv_url": f"{url}?export=csv{suffix}",
        "xlsx_url": f"{url}?export=xlsx{suffix}",
    }


def headline(snapshot: ReportSnapshot) -> list[dict[str, Any]]:
    return [
        {"label": label, "value": snapshot.summary.get(key), "type": kind}
        for key, label, kind in HEADLINE_LABELS
    ]


class _DashboardMixin(RuleRequiredMixin, TemplateView):
    rcc_id: int | None = None

    def dashboard_context(self, snapshot: ReportSnapshot | None) -> dict[str, Any]:
        user = self.request.user
        runs = ReportRun.objects.visible_to(user)
        snapshots = ReportSnapshot.objects.visible_to(user)
        return {
            "snapshot": snapshot,
            "headline": headline(snapshot) if snapshot else [],
            "choices": snapshot_choices(snapshots, rcc_id=self.rcc_id),
            "active_run": active_run_for(runs, rcc_id=self.rcc_id),
            "can_run": may_run(user, rcc_id=self.rcc_id),
            "refresh_kind": ReportKind.DASHBOARD_REFRESH,
        }


class RccDashboardView(_DashboardMixin):
    """An RCC's report: demand, supply, placements, money, quality and monitoring."""

    rule = VIEW_REPORTS
    template_name = "reporting/rcc_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        rcc = get_object_or_404(visible_rccs(user), pk=kwargs["pk"])
        self.rcc_id = rcc.pk
        snapshot = dashboard_snapshot(
            ReportSnapshot.objects.visible_to(user),
            rcc_id=rcc.pk,
            snapshot_id=_snapshot_id(self.request),
        )
        if snapshot is None and "snapshot" in self.request.GET:
            raise Http404("No such report for this RCC.")
        ctx.update(self.dashboard_context(snapshot), rcc=rcc)
        if snapshot:
            ctx["sections"] = [
                {**s, "tables": [decorate(snapshot, t) for t in s["tables"]]}
                for s in sections(snapshot)
            ]
        ctx["can_ssda903"] = SSDA903_RETURN.allows(
            getattr(self.request.user, "signed_in_user", self.request.user)
        )
        if DFE_EXPORT.allows(user):
            this_year = financial_year_of(timezone.localdate())
            ctx["dfe_years"] = [
                (y, financial_year_label(y)) for y in range(this_year, this_year - 4, -1)
            ]
        return ctx


class NationalDashboardView(_DashboardMixin):
    """Every RCC side by side, sufficiency and unmet needs, fees, trends, and England's own
    figures, with filters (region, need), a comparison of two RCCs, and exports."""

    rule = VIEW_NATIONAL
    template_name = "reporting/national_dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        snapshot = dashboard_snapshot(
            ReportSnapshot.objects.visible_to(user),
            rcc_id=None,
            snapshot_id=_snapshot_id(self.request),
        )
        if snapshot is None and "snapshot" in self.request.GET:
            raise Http404("No such national report.")
        ctx.update(self.dashboard_context(snapshot))
        if snapshot is None:
            return ctx
        tables = snapshot.tables
        side = tables.get("rcc_side_by_side", {"rows": [], "columns": []})
        rcc_names = [r[0] for r in side["rows"][:-1]]
        needs = list(dict.fromkeys(r[0] for r in tables.get("demand_need", {"rows": []})["rows"]))
        form = NationalFilterForm(self.request.GET or None, rccs=rcc_names, needs=needs)
        chosen: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
        row_filters: dict[str, dict[str, Any]] = {
            "sufficiency_gap": {"region": chosen.get("region"), "need": chosen.get("need")},
            "trends": {"scope": [chosen["trend"], "England"]} if chosen.get("trend") else {},
        }
        query = _filter_query(self.request.GET)
        decorated = {
            key: decorate(snapshot, filter_rows(t, row_filters.get(key, {})), query)
            for key, t in tables.items()
        }
        ctx.update(
            form=form,
            filtered=bool(query),
            comparison=compare(side, chosen["a"], chosen["b"])
            if chosen.get("a") and chosen.get("b")
            else None,
            sections=[
                {**s, "tables": [decorated[t["key"]] for t in s["tables"]]}
                for s in _national_order(sections(snapshot))
            ],
        )
        return ctx


NATIONAL_ORDER = ("RCCs side by side", "Sufficiency", "Trends", "Money")


def _national_order(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The national comparisons first, then England's own figures."""
    rank = {name: i for i, name in enumerate(NATIONAL_ORDER)}
    return sorted(groups, key=lambda g: rank.get(g["name"], len(rank)))


def _filter_query(params: QueryDict) -> str:
    keep = QueryDict(mutable=True)
    for key in ("region", "need", "trend"):
        for value in params.getlist(key):
            if value:
                keep.appendlist(key, value)
    return keep.urlencode()
