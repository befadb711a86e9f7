"""Permission matrix rows for reporting, web and API (see tests/permission_rows.py).

`reporting_of(world)` makes, once per world, a done run and a snapshot for each RCC and a
national one, and a draft bulletin. RCC staff see their RCC's reports (the other RCC's are a
404); NCC analysts see every report, the national dashboard and the bulletins.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from apps.accounts.roles import Role
from apps.organisations.models import Organisation
from apps.reporting.build.tables import COUNT, TEXT, Col, Table
from apps.reporting.choices import ReportKind, RunStatus
from apps.reporting.models import Bulletin, ReportRun, ReportSnapshot
from apps.reporting.permissions import (
    DFE_EXPORT,
    MANAGE_BULLETINS,
    RUN_REPORTS,
    SSDA903_RETURN,
    VIEW_NATIONAL,
    VIEW_REPORTS,
)
from apps.reporting.services import bulletin_create, bulletin_publish
from tests.permission_rows import Row, no_kwargs
from tests.reporting.factories import PERIOD

if TYPE_CHECKING:
    from apps.accounts.models import User
    from tests.conftest import World


@dataclass
class Setup:
    run: ReportRun
    other_run: ReportRun
    snapshot: ReportSnapshot
    other_snapshot: ReportSnapshot
    national: ReportSnapshot
    bulletin: Bulletin


def _snapshot(rcc: Organisation | None) -> ReportSnapshot:
    run = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY if rcc else ReportKind.NCC_QUARTERLY,
        rcc=rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    counts = Table(
        "pub_endings",
        "Endings",
        "For publication",
        [Col("rcc", "RCC", TEXT), Col("planned", "Planned", COUNT)],
        publishable=True,
    )
    counts.add("An RCC", 12)
    return ReportSnapshot.objects.create(
        kind=run.kind,
        rcc=rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        run=run,
        summary={"referrals": 12},
        tables={"pub_endings": counts.as_dict()},
        built_at=timezone.now(),
    )


def reporting_of(world: World) -> Setup:
    cached = getattr(world, "_reporting", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    snapshot, other, national = _snapshot(world.rcc), _snapshot(world.other_rcc), _snapshot(None)
    setup = Setup(
        run=snapshot.run,  # type: ignore[arg-type]
        other_run=other.run,  # type: ignore[arg-type]
        snapshot=snapshot,
        other_snapshot=other,
        national=national,
        bulletin=_draft(world, national),
    )
    world._reporting = setup  # type: ignore[attr-defined]
    return setup


def _draft(world: World, national: ReportSnapshot) -> Bulletin:
    return bulletin_create(
        by=world.users[Role.NCC_ANALYST],
        title="Quarterly statistics",
        summary="Summary.",
        body="Body.",
        snapshot=national,
        table_keys=["pub_endings"],
    )


def _national(user: User) -> bool:
    return user.has_role(Role.NCC_ANALYST)


def run(world: World, user: User) -> dict[str, Any]:
    return {"pk": reporting_of(world).run.pk}


def hidden_run(world: World, user: User) -> dict[str, Any] | None:
    return None if _national(user) else {"pk": reporting_of(world).other_run.pk}


def rcc(world: World, user: User) -> dict[str, Any]:
    reporting_of(world)
    return {"pk": world.rcc.pk}


def hidden_rcc(world: World, user: User) -> dict[str, Any] | None:
    return None if _national(user) else {"pk": world.other_rcc.pk}


def table(world: World, user: User) -> dict[str, Any]:
    return {"pk": reporting_of(world).snapshot.pk, "key": "pub_endings"}


def hidden_table(world: World, user: User) -> dict[str, Any] | None:
    return (
        None
        if _national(user)
        else {"pk": reporting_of(world).other_snapshot.pk, "key": "pub_endings"}
    )


def snapshot(world: World, user: User) -> dict[str, Any]:
    return {"pk": reporting_of(world).snapshot.pk}


def hidden_snapshot(world: World, user: User) -> dict[str, Any] | None:
    return None if _national(user) else {"pk": reporting_of(world).other_snapshot.pk}


def bulletin(world: World, user: User) -> dict[str, Any]:
    return {"pk": reporting_of(world).bulletin.pk}


def fresh_draft(world: World, user: User) -> dict[str, Any]:
    return {"pk": _draft(world, reporting_of(world).national).pk}


def fresh_published(world: World, user: User) -> dict[str, Any]:
    draft = _draft(world, reporting_of(world).national)
    return {"pk": bulletin_publish(bulletin=draft, by=world.users[Role.NCC_ANALYST]).pk}


def run_request(world: World, user: User) -> dict[str, Any]:
    """A report of its own for each caller (a second ask for the same one answers 200)."""
    start = dt.date(2025, 1, 1) + dt.timedelta(days=user.pk % 300)
    return {
        "kind": ReportKind.RCC_MONTHLY,
        "rcc": world.rcc.pk,
        "period_start": start.isoformat(),
        "period_end": (start + dt.timedelta(days=27)).isoformat(),
    }


def ssda903(world: World, user: User) -> dict[str, Any]:
    """The LA's return: the LA's social worker's own LA, the hub's RCC's LA."""
    return {"la": world.la.pk, "year": 2025}


def hidden_ssda903(world: World, user: User) -> dict[str, Any]:
    return {"la": world.other_la.pk, "year": 2025}


def ssda903_file(world: World, user: User) -> dict[str, Any]:
    return {**ssda903(world, user), "part": "episodes"}


def hidden_ssda903_file(world: World, user: User) -> dict[str, Any]:
    return {**hidden_ssda903(world, user), "part": "episodes"}


NATIONAL_ONLY = VIEW_NATIONAL.roles

ROWS: list[Row] = [
    # Web
    Row("reporting:index", VIEW_REPORTS.roles),
    Row("reporting:run_create", RUN_REPORTS.roles),
    Row("reporting:run_create", RUN_REPORTS.roles, method="post", data=run_request, ok=302),
    Row("reporting:run_detail", VIEW_REPORTS.roles, kwargs=run, hidden=hidden_run),
    Row("reporting:run_progress", VIEW_REPORTS.roles, kwargs=run, hidden=hidden_run),
    Row("reporting:rcc_dashboard", VIEW_REPORTS.roles, kwargs=rcc, hidden=hidden_rcc),
    Row("reporting:dfe_export", DFE_EXPORT.roles, kwargs=rcc, hidden=hidden_rcc),
    Row("reporting:national", NATIONAL_ONLY),
    Row("reporting:ssda903", SSDA903_RETURN.roles, kwargs=no_kwargs),
    Row(
        "reporting:ssda903_file",
        SSDA903_RETURN.roles,
        kwargs=ssda903_file,
        hidden=hidden_ssda903_file,
    ),
    Row("reporting:table_export", VIEW_REPORTS.roles, kwargs=table, hidden=hidden_table),
    Row("reporting:snapshot_pdf", VIEW_REPORTS.roles, kwargs=snapshot, hidden=hidden_snapshot),
    Row("reporting:bulletin_list", MANAGE_BULLETINS.roles),
    Row("reporting:bulletin_create", MANAGE_BULLETINS.roles),
    Row("reporting:bulletin_detail", MANAGE_BULLETINS.roles, kwargs=bulletin),
    Row("reporting:bulletin_edit", MANAGE_BULLETINS.roles, kwargs=bulletin),
    Row(
        "reporting:bulletin_publish",
        MANAGE_BULLETINS.roles,
        kwargs=fresh_draft,
        method="post",
        ok=302,
    ),
    Row(
        "reporting:bulletin_withdraw",
        MANAGE_BULLETINS.roles,
        kwargs=fresh_published,
        method="post",
        ok=302,
    ),
    # API
    Row("api:report-run-list", VIEW_REPORTS.roles),
    Row("api:report-run-list", RUN_REPORTS.roles, method="post", data=run_request, ok=201),
    Row("api:report-run-detail", VIEW_REPORTS.roles, kwargs=run, hidden=hidden_run),
    Row("api:report-snapshot-list", VIEW_REPORTS.roles),
    Row("api:report-snapshot-detail", VIEW_REPORTS.roles, kwargs=snapshot, hidden=hidden_snapshot),
    Row("api:report-bulletin-list", MANAGE_BULLETINS.roles),
    Row("api:report-bulletin-detail", MANAGE_BULLETINS.roles, kwargs=bulletin),
    Row("api:ssda903-list", SSDA903_RETURN.roles),
    Row("api:ssda903-return", SSDA903_RETURN.roles, kwargs=ssda903, hidden=hidden_ssda903),
    Row("api:ssda903-file", SSDA903_RETURN.roles, kwargs=ssda903_file, hidden=hidden_ssda903_file),
]

PUBLIC: dict[str, str] = {
    "public:index": "The public site: published bulletins and headline statistics, no sign-in.",
    "public:bulletin": "A published bulletin (disclosure control applied at publication).",
    "public:bulletin_table": "A published bulletin's table as CSV, as published.",
}
