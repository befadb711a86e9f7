"""Factories for reporting tests (synthetic data only): placements and referrals with the
fields the reports count, and built snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.organisations.models import Organisation
from apps.referrals.choices import ReferralStatus, Urgency
from apps.referrals.models import Placement, Referral
from apps.reporting.choices import ReportKind
from apps.reporting.models import ReportRun, ReportSnapshot
from apps.reporting.periods import Period
from apps.reporting.services import report_run_build_now
from tests.monitoring.factories import placement as monitoring_placement
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import SentReferralFactory

PERIOD = Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # 2025-26 Q4
IN_PERIOD = dt.date(2026, 2, 10)


def aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def placed(
    provider_org: Organisation,
    la: Organisation,
    *,
    code: str = "PR4",
    start: dt.date = IN_PERIOD,
    referred: dt.date | None = None,
    end: dt.date | None = None,
    reason: str = "",
    miles: float | None = None,
    urgency: str = Urgency.PLANNED,
) -> Placement:
    """A placement that started on `start`, referred `referred` (default 14 days before)."""
    p = monitoring_placement(provider_org, la, start=start, end=end, reason=reason)
    sent = aware(referred or start - dt.timedelta(days=14))
    Referral.objects.filter(pk=p.referral_id).update(sent_at=sent, urgency=urgency)
    p.placement_provider = code
    p.distance_from_home_miles = Decimal(str(miles)) if miles is not None else None
    p.save(update_fields=["placement_provider", "distance_from_home_miles"])
    return p


def referred(
    la: Organisation,
    *,
    on: dt.date = IN_PERIOD,
    urgency: str = Urgency.PLANNED,
    age: int = 9,
    **fields: Any,
) -> Referral:
    child = ChildFactory(la=la, date_of_birth=on - dt.timedelta(days=int(365.25 * age) + 30))
    return SentReferralFactory(
        child=child, status=ReferralStatus.SENT, sent_at=aware(on), urgency=urgency, **fields
    )


def built(
    kind: str = ReportKind.NCC_QUARTERLY, rcc: Organisation | None = None, period: Period = PERIOD
) -> ReportSnapshot:
    run = report_run_build_now(kind=kind, rcc=rcc, period=period)
    assert run.status == "done", run.error
    return ReportSnapshot.objects.get(run=run)


def table(snapshot: ReportSnapshot, key: str) -> dict[str, list[Any]]:
    """A snapshot table as {first cell: row}."""
    return {row[0]: row for row in snapshot.tables[key]["rows"]}


def column(snapshot: ReportSnapshot, key: str, col: str) -> int:
    return [c["key"] for c in snapshot.tables[key]["columns"]].index(col)


def run_of(snapshot: ReportSnapshot) -> ReportRun:
    assert snapshot.run is not None
    return snapshot.run
