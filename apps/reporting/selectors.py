"""Reads of reporting for pages, exports and the API. Dashboards read one stored snapshot:
nothing here computes a figure from the live data (the DfE export aside, which lists rows)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from .choices import REPORT_KINDS, ReportKind, RunStatus
from .models import Bulletin, ReportRun, ReportSnapshot

# The dashboards show the nightly snapshot by default; the others are chosen from a list.
SNAPSHOT_CHOICES = 24


def runs_for_list(qs: QuerySet[ReportRun]) -> QuerySet[ReportRun]:
    return qs.select_related("rcc", "requested_by", "snapshot")


def run_for_progress(qs: QuerySet[ReportRun], pk: int) -> ReportRun | None:
    return qs.select_related("rcc", "snapshot").filter(pk=pk).first()


def _scope(qs: QuerySet[Any], rcc_id: int | None) -> QuerySet[Any]:
    return qs.filter(rcc_id=rcc_id) if rcc_id is not None else qs.filter(rcc__isnull=True)


def dashboard_snapshot(
    qs: QuerySet[ReportSnapshot], *, rcc_id: int | None, snapshot_id: int | None = None
) -> ReportSnapshot | None:
    """The snapshot a dashboard shows: the one asked for (of this scope), else the latest
    current nightly one, else the latest current report of any kind."""
    scoped = _scope(qs, rcc_id).filter(kind__in=REPORT_KINDS).select_related("rcc", "run")
    if snapshot_id is not None:
        return scoped.filter(pk=snapshot_id).first()
    current = scoped.filter(is_current=True).order_by("-period_end", "-built_at")
    return current.filter(kind=ReportKind.DASHBOARD_REFRESH).first() or current.first()


def snapshot_choices(qs: QuerySet[ReportSnapshot], *, rcc_id: int | None) -> list[tuple[int, str]]:
    """The current reports of this scope to choose between, newest first."""
    labels = dict(ReportKind.choices)
    rows = (
        _scope(qs, rcc_id)
        .filter(is_current=True, kind__in=REPORT_KINDS)
        .order_by("-period_end", "kind")
        .values_list("pk", "kind", "period_start", "period_end")[:SNAPSHOT_CHOICES]
    )
    return [
        (pk, f"{labels.get(kind, kind)}: {start:%-d %b %Y} to {end:%-d %b %Y}")
        for pk, kind, start, end in rows
    ]


def active_run_for(
    qs: QuerySet[ReportRun], *, rcc_id: int | None, kinds: Iterable[str] = REPORT_KINDS
) -> ReportRun | None:
    return (
        _scope(qs, rcc_id)
        .filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], kind__in=list(kinds))
        .order_by("-created_at")
        .first()
    )


# --- Tables from a snapshot --------------------------------------------------------------


def ordered_tables(snapshot: ReportSnapshot) -> list[dict[str, Any]]:
    """The snapshot's tables in build order. PostgreSQL's jsonb keeps an object's keys in its
    own order (shortest first), so each table carries its `position` in the build; snapshots
    built before it was stored keep the order they come in."""
    tables = list(snapshot.tables.values())
    return sorted(tables, key=lambda t: t.get("position", len(tables)))


def sections(snapshot: ReportSnapshot, keys: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """The snapshot's tables grouped by section, in build order: [{"name", "slug", "tables"}]."""
    wanted = set(keys) if keys is not None else None
    out: list[dict[str, Any]] = []
    for table in ordered_tables(snapshot):
        key = table["key"]
        if wanted is not None and key not in wanted:
            continue
        if not out or out[-1]["name"] != table["section"]:
            out.append(
                {
                    "name": table["section"],
                    "slug": table["section"].lower().replace(" ", "-"),
                    "tables": [],
                }
            )
        out[-1]["tables"].append(table)
    return out


def filter_rows(table: dict[str, Any], filters: dict[str, Any]) -> dict[str, Any]:
    """The table with only the rows the dashboard's filters keep (by column key → values)."""
    index = {c["key"]: i for i, c in enumerate(table["columns"])}
    rows = table["rows"]
    for key, allowed in filters.items():
        if key in index and allowed:
            values = set(allowed)
            rows = [r for r in rows if r[index[key]] in values]
    return {**table, "rows": rows}


def chart_data(table: dict[str, Any]) -> dict[str, Any] | None:
    """What the page's script needs to draw a table's chart (Chart.js datasets)."""
    chart = table.get("chart")
    if not chart or not table["rows"]:
        return None
    index = {c["key"]: i for i, c in enumerate(table["columns"])}
    labels_of = {c["key"]: c["label"] for c in table["columns"]}
    label_keys = chart["label"] if isinstance(chart["label"], list) else [chart["label"]]
    label_i = index[label_keys[0]]
    if chart.get("series"):
        series_i = index[chart["series"]]
        value_i = index[chart["values"][0]]
        labels = list(dict.fromkeys(r[label_i] for r in table["rows"]))
        names = list(dict.fromkeys(r[series_i] for r in table["rows"]))
        cell = {(r[label_i], r[series_i]): r[value_i] for r in table["rows"]}
        datasets = [{"label": n, "data": [cell.get((lb, n)) for lb in labels]} for n in names]
        axis = labels_of[chart["values"][0]]
    else:
        labels = [" · ".join(str(r[index[k]]) for k in label_keys) for r in table["rows"]]
        datasets = [
            {"label": labels_of[k], "data": [r[index[k]] for r in table["rows"]]}
            for k in chart["values"]
        ]
        axis = ""
    return {
        "type": chart["type"],
        "labels": labels,
        "datasets": datasets,
        "stacked": bool(chart.get("stacked")),
        "axis": axis,
    }


def compare(table: dict[str, Any], a: str, b: str) -> dict[str, Any] | None:
    """Two rows of the side-by-side table as columns, with the difference where numeric."""
    rows = {r[0]: r for r in table["rows"]}
    if a not in rows or b not in rows:
        return None
    out = []
    for i, col in enumerate(table["columns"][1:], start=1):
        x, y = rows[a][i], rows[b][i]
        diff = (
            round(x - y, 1) if isinstance(x, int | float) and isinstance(y, int | float) else None
        )
        out.append({"label": col["label"], "type": col["type"], "a": x, "b": y, "diff": diff})
    return {"a": a, "b": b, "rows": out}


def bulletins_for_list(qs: QuerySet[Bulletin]) -> QuerySet[Bulletin]:
    return qs.select_related("snapshot", "created_by", "published_by")


def published_bulletins() -> QuerySet[Bulletin]:
    return Bulletin.objects.published().order_by("-published_at")  # type: ignore[attr-defined]


def visible_rccs(user: Any) -> QuerySet[Any]:
    """The RCCs whose reports the user may read (every RCC for NCC staff)."""
    from apps.organisations.models import Organisation

    from .querysets import reporting_scope

    scope = reporting_scope(user)
    rccs = Organisation.objects.rccs().order_by("name")
    return rccs if scope.national else rccs.filter(pk__in=scope.rcc_ids)


def ssda903_las(user: Any) -> QuerySet[Any]:
    """The LAs whose SSDA903 return the user may download: the LAs they work in, and each LA of
    an RCC whose hub they work in (every LA in an RCC for a superuser)."""
    from apps.organisations.kinds import OrganisationKind
    from apps.organisations.models import Organisation
    from apps.referrals.querysets import org_ids_by_kind

    las = Organisation.objects.local_authorities().order_by("name")
    if user.is_superuser:
        return las.filter(rcc_memberships__isnull=False).distinct()
    ids = org_ids_by_kind(user)
    hub_rccs = set(
        Organisation.objects.filter(
            pk__in=ids[OrganisationKind.HUB], rcc__isnull=False
        ).values_list("rcc_id", flat=True)
    )
    return las.filter(
        Q(pk__in=ids[OrganisationKind.LOCAL_AUTHORITY]) | Q(rcc_memberships__rcc_id__in=hub_rccs)
    ).distinct()
