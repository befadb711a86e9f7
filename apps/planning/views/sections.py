"""The planning pages of an RCC and of England: one page per section of the planning snapshot
(demand forecast, sufficiency, sourcing, stability), each read from one stored snapshot (a
fixed number of queries, whatever the data) with its charts, tables and CSV/XLSX exports."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import TemplateView

from apps.core.views import RuleRequiredMixin
from apps.reporting.choices import ReportKind
from apps.reporting.models import ReportRun, ReportSnapshot
from apps.reporting.permissions import may_run
from apps.reporting.selectors import active_run_for, visible_rccs
from apps.reporting.views.dashboards import decorate

from ..build import SECTIONS
from ..permissions import VIEW_NATIONAL_PLANNING, VIEW_PLANNING
from ..selectors import planning_choices, planning_snapshot, section_tables

SECTION_NAMES = dict(SECTIONS)


def _snapshot_id(request: Any) -> int | None:
    try:
        return int(request.GET["snapshot"])
    except (KeyError, ValueError):
        return None


class _SectionView(RuleRequiredMixin, TemplateView):
    template_name = "planning/section.html"

    def scope(self) -> tuple[int | None, str]:  # pragma: no cover - each view says
        raise NotImplementedError

    def section_url(self, slug: str) -> str:  # pragma: no cover - each view says
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        slug = kwargs["section"]
        if slug not in SECTION_NAMES:
            raise Http404("No such planning page.")
        rcc_id, scope_name = self.scope()
        user = self.request.user
        snapshots = ReportSnapshot.objects.visible_to(user)
        snapshot = planning_snapshot(
            snapshots, rcc_id=rcc_id, snapshot_id=_snapshot_id(self.request)
        )
        if snapshot is None and "snapshot" in self.request.GET:
            raise Http404("No such planning build for this scope.")
        query = f"snapshot={snapshot.pk}" if snapshot and "snapshot" in self.request.GET else ""
        ctx.update(
            scope_name=scope_name,
            section=slug,
            section_name=SECTION_NAMES[slug],
            tabs=[
                {
                    "slug": s,
                    "name": name,
                    "url": self.section_url(s) + (f"?{query}" if query else ""),
                    "current": s == slug,
                }
                for s, name in SECTIONS
            ],
            snapshot=snapshot,
            choices=planning_choices(snapshots, rcc_id=rcc_id),
            active_run=active_run_for(
                ReportRun.objects.visible_to(user), rcc_id=rcc_id, kinds=[ReportKind.PLANNING]
            ),
            can_run=may_run(user, rcc_id=rcc_id),
            refresh_kind=ReportKind.PLANNING,
            refresh_rcc=rcc_id,
            refresh_label="Rebuild planning now",
            tables=[decorate(snapshot, t) for t in section_tables(snapshot, SECTION_NAMES[slug])]
            if snapshot
            else [],
        )
        return ctx


class RccSectionView(_SectionView):
    """A section of an RCC's planning."""

    rule = VIEW_PLANNING

    def scope(self) -> tuple[int | None, str]:
        self.rcc = get_object_or_404(visible_rccs(self.request.user), pk=self.kwargs["pk"])
        return self.rcc.pk, self.rcc.name

    def section_url(self, slug: str) -> str:
        return reverse("planning:rcc_section", args=[self.kwargs["pk"], slug])


class NationalSectionView(_SectionView):
    """A section of England's planning: every RCC's figures side by side, and England's."""

    rule = VIEW_NATIONAL_PLANNING

    def scope(self) -> tuple[int | None, str]:
        return None, "England"

    def section_url(self, slug: str) -> str:
        return reverse("planning:national_section", args=[slug])


class PlanningHomeView(RuleRequiredMixin, TemplateView):
    """Where planning starts: each RCC the user reads (and England for NCC analysts), with
    links to each page."""

    rule = VIEW_PLANNING
    template_name = "planning/index.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["rccs"] = list(visible_rccs(user))
        ctx["national"] = VIEW_NATIONAL_PLANNING.allows(user)
        ctx["sections"] = SECTIONS
        return ctx
