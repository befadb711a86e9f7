"""Code lists of reporting: kinds of report, the states of a run, bulletins."""

from __future__ import annotations

from django.db import models


class ReportKind(models.TextChoices):
    RCC_MONTHLY = "rcc_monthly", "RCC monthly report"
    NCC_QUARTERLY = "ncc_quarterly", "NCC quarterly national report"
    DASHBOARD_REFRESH = "dashboard_refresh", "Dashboard refresh (12 months to date)"
    PLANNING = "planning", "Planning: forecast, sufficiency, sourcing and stability"


# Which scope each kind is built for: an RCC's report or the national one.
RCC_KINDS = frozenset({ReportKind.RCC_MONTHLY, ReportKind.DASHBOARD_REFRESH, ReportKind.PLANNING})
NATIONAL_KINDS = frozenset(
    {ReportKind.NCC_QUARTERLY, ReportKind.DASHBOARD_REFRESH, ReportKind.PLANNING}
)
# Kinds the reports pages and dashboards show; planning has pages of its own (apps/planning).
REPORT_KINDS = frozenset(set(ReportKind) - {ReportKind.PLANNING})


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


ACTIVE_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class BulletinStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Rounding(models.IntegerChoices):
    NONE = 1, "No rounding"
    FIVE = 5, "To the nearest 5"
    TEN = 10, "To the nearest 10"
