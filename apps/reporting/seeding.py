"""The demo's reports: every RCC's and the national dashboard, each RCC's report for last
month, the national report for the last quarter, and one published bulletin, so that a new
user sees dashboards already built from the demo data. Safe to re-run: a rerun rebuilds each
report (replacing its snapshot) and leaves the bulletin as it is."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.organisations.models import Organisation

from .choices import ReportKind, RunStatus
from .models import Bulletin
from .services import (
    bulletin_create,
    bulletin_publish,
    dashboards_rebuild_now,
    report_run_build_now,
)

DEMO_BULLETIN = "Finding foster homes in England: quarterly statistics"


@dataclass
class ReportSeedSummary:
    built: int = 0
    failed: list[str] = field(default_factory=list)
    bulletin: str = ""

    def lines(self) -> list[str]:
        out = [f"Reports: {self.built} snapshots built (dashboards, last month, last quarter)"]
        if self.failed:
            out.append("Reports that failed: " + "; ".join(self.failed))
        if self.bulletin:
            out.append(f"Bulletin: {self.bulletin}")
        return out


def seed_reports() -> ReportSeedSummary:
    summary = ReportSeedSummary()
    runs = list(dashboards_rebuild_now())
    for rcc in Organisation.objects.rccs().filter(is_active=True).order_by("name"):
        runs.append(report_run_build_now(kind=ReportKind.RCC_MONTHLY, rcc=rcc))
    quarterly = report_run_build_now(kind=ReportKind.NCC_QUARTERLY, rcc=None)
    runs.append(quarterly)
    for run in runs:
        if run.status == RunStatus.DONE:
            summary.built += 1
        else:
            summary.failed.append(f"{run}: {run.error}")
    analyst = User.objects.filter(memberships__role=Role.NCC_ANALYST).order_by("pk").first()
    snapshot = getattr(quarterly, "snapshot", None) if quarterly.status == RunStatus.DONE else None
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
