"""The demo's reports: every RCC's and the national dashboard, each RCC's report for last
month, the national report for the last quarter, and one published bulletin, so that a new
user sees dashboards already built from the demo data. Safe to re-run: a report already built
for its period (done, its snapshot current) is left as it is, and so is the bulletin; a rerun on
a later day builds only the reports whose period has moved on."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.organisations.models import Organisation

from .choices import ReportKind, RunStatus
from .models import Bulletin, ReportRun, ReportSnapshot
from .periods import Period, default_period, rolling_year
from .services import bulletin_create, bulletin_publish, report_run_build_now

DEMO_BULLETIN = "Finding foster homes in England: quarterly statistics"


@dataclass
class ReportSeedSummary:
    built: int = 0
    present: int = 0
    failed: list[str] = field(default_factory=list)
    bulletin: str = ""

    def lines(self) -> list[str]:
        out = [
            f"Reports: {self.built} snapshots built "
            "(dashboards, planning, last month, last quarter)"
            + (f"; already present: {self.present}" if self.present else "")
        ]
        if self.failed:
            out.append("Reports that failed: " + "; ".join(self.failed))
        if self.bulletin:
            out.append(f"Bulletin: {self.bulletin}")
        return out


def _already_built(kind: str, rcc: Organisation | None, period: Period) -> ReportRun | None:
    """The run that built this report for this period, if its snapshot is still current."""
    return (
        ReportRun.objects.filter(
            kind=kind,
            rcc=rcc,
            period_start=period.start,
            period_end=period.end,
            status=RunStatus.DONE,
            snapshot__is_current=True,
        )
        .order_by("-pk")
        .first()
    )


def _build_once(
    summary: ReportSeedSummary, *, kind: str, rcc: Organisation | None, period: Period
) -> ReportRun:
    run = _already_built(kind, rcc, period)
    if run is not None:
        summary.present += 1
        return run
    run = report_run_build_now(kind=kind, rcc=rcc, period=period)
    if run.status == RunStatus.DONE:
        summary.built += 1
    else:
        summary.failed.append(f"{run}: {run.error}")
    return run


def seed_reports() -> ReportSeedSummary:
    summary = ReportSeedSummary()
    today = timezone.localdate()
    rccs = list(Organisation.objects.rccs().filter(is_active=True).order_by("name"))
    dashboards = rolling_year(today)
    for scope in [*rccs, None]:
        _build_once(summary, kind=ReportKind.DASHBOARD_REFRESH, rcc=scope, period=dashboards)
    for rcc in rccs:
        _build_once(
            summary,
            kind=ReportKind.RCC_MONTHLY,
            rcc=rcc,
            period=default_period(ReportKind.RCC_MONTHLY, today),
        )
    planning = default_period(ReportKind.PLANNING, today)
    for scope in [*rccs, None]:
        _build_once(summary, kind=ReportKind.PLANNING, rcc=scope, period=planning)
    quarterly = _build_once(
        summary,
        kind=ReportKind.NCC_QUARTERLY,
        rcc=None,
        period=default_period(ReportKind.NCC_QUARTERLY, today),
    )
    analyst = User.objects.filter(memberships__role=Role.NCC_ANALYST).order_by("pk").first()
    snapshot: ReportSnapshot | None = (
        getattr(quarterly, "snapshot", None) if quarterly.status == RunStatus.DONE else None
    )
    if analyst and snapshot and not Bulletin.objects.filter(title=DEMO_BULLETIN).exists():
        bulletin = bulletin_create(
            by=analyst,
            title=DEMO_BULLETIN,
            summary=(
                f"Referrals, placements and endings in {snapshot.period_label}, by Regional "
                "Care Cooperative, with small numbers suppressed."
            ),
            body=(
                "This bulletin reports the referrals Regional Care Cooperatives' hubs received "
                "and the foster placements they made in the quarter, by the kind of provider, "
                "and how placements ended.\n\n"
                "All figures are synthetic demonstration data."
            ),
            snapshot=snapshot,
            table_keys=["pub_placements_route", "pub_endings", "pub_referrals_age"],
        )
        bulletin_publish(bulletin=bulletin, by=analyst)
        summary.bulletin = f"“{DEMO_BULLETIN}” published {timezone.localdate():%-d %B %Y}"
    return summary
