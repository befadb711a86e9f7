"""Reading planning snapshots: the current one of a scope, or one asked for, and its choices."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.reporting.build.tables import Table
from apps.reporting.choices import ReportKind
from apps.reporting.models import ReportSnapshot
from apps.reporting.selectors import ordered_tables

from .models import SimulationRun
from .simulation_tables import run_tables

CHOICES = 12


def _scoped(qs: QuerySet[ReportSnapshot], rcc_id: int | None) -> QuerySet[ReportSnapshot]:
    qs = qs.filter(kind=ReportKind.PLANNING)
    return qs.filter(rcc_id=rcc_id) if rcc_id is not None else qs.filter(rcc__isnull=True)


def planning_snapshot(
    qs: QuerySet[ReportSnapshot], *, rcc_id: int | None, snapshot_id: int | None = None
) -> ReportSnapshot | None:
    """The planning snapshot a page shows: the one asked for (of this scope), else the latest
    current one."""
    scoped = _scoped(qs, rcc_id).select_related("rcc", "run")
    if snapshot_id is not None:
        return scoped.filter(pk=snapshot_id).first()
    return scoped.filter(is_current=True).order_by("-built_at").first()


def planning_choices(qs: QuerySet[ReportSnapshot], *, rcc_id: int | None) -> list[tuple[int, str]]:
    """The builds of this scope to choose between (the current one and those kept), newest
    first."""
    rows = _scoped(qs, rcc_id).order_by("-built_at").values_list("pk", "built_at")[:CHOICES]
    return [(pk, f"Built {timezone.localtime(built):%-d %b %Y %H:%M}") for pk, built in rows]


def section_tables(snapshot: ReportSnapshot, section: str) -> list[dict[str, Any]]:
    """The snapshot's tables of one section, in build order."""
    return [t for t in ordered_tables(snapshot) if t.get("section") == section]


# --- Simulated years ---------------------------------------------------------------------------


def simulation_runs_for_list(qs: QuerySet[SimulationRun]) -> QuerySet[SimulationRun]:
    """Runs for a list: without their results (read on the run's own page)."""
    return qs.select_related("rcc", "requested_by").defer("results", "inputs")


def simulation_tables(run: SimulationRun) -> dict[str, Table]:
    """A done run's tables, from its stored results."""
    return run_tables(
        run.results, run.policies, run.inputs, scope=run.scope_label, national=run.rcc_id is None
    )
