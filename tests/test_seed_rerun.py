"""Re-running the demo seed adds nothing and says what is already there: no new report runs or
snapshots on a second `manage.py seed --scale demo`, and its summary reports the database's
counts rather than the zero rows it added ("0 frameworks … 0 referrals")."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from apps.contracts.models import Framework, SoftBlock
from apps.referrals.models import Child, Referral
from apps.reporting.models import Bulletin, ReportRun, ReportSnapshot

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = io.StringIO()
    call_command("seed", "--scale", "demo", "-v", "0", stdout=out)
    return out.getvalue()


def test_a_second_demo_seed_adds_no_reports_and_reports_what_is_present() -> None:
    first = seed()
    runs, snapshots = ReportRun.objects.count(), ReportSnapshot.objects.count()
    assert runs >= 6 and snapshots == runs  # dashboards, last month's and last quarter's reports
    assert "snapshots built" in first and "already present" not in first

    again = seed()

    assert ReportRun.objects.count() == runs
    assert ReportSnapshot.objects.count() == snapshots
    assert ReportSnapshot.objects.filter(is_current=True).count() == snapshots
    assert Bulletin.objects.count() == 1
    assert "Reports: 0 snapshots built" in again and f"already present: {runs}" in again
    # The summary reports what is in the database, not "0 frameworks ... 0 referrals".
    frameworks, blocks = Framework.objects.count(), SoftBlock.objects.count()
    children, referrals = Child.objects.count(), Referral.objects.count()
    assert frameworks and blocks and children and referrals
    assert f"Contracts: already present: {frameworks:,} frameworks and DPS" in again
    assert f"{blocks:,} soft blocks" in again
    assert f"already present: {children:,} children and {referrals:,} referrals" in again
    assert "Monitoring: already present:" in again
    assert " 0 frameworks" not in again
    assert "0 children and 0 referrals" not in again
