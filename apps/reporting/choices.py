"""Code lists of reporting: kinds of report, the states of a run, bulletins."""

from __future__ import annotations

from django.db import models


class ReportKind(models.TextChoices):
    RCC_MONTHLY = "rcc_monthly", "RCC monthly report"
    NCC_QUARTERLY = "ncc_quarterly", "NCC quarterly national report"
    DASHBOARD_REFRESH = "dashboard_refresh", "Dashboard refresh (12 months to date)"


# Which scope each kind is built for: an RCC's report or the national one.
RCC_KINDS = frozenset({ReportKind.RCC_MONTHLY, ReportKind.DASHBOARD_REFRESH})
NATIONAL_KINDS = frozenset({ReportKind.NCC_QUARTERLY, ReportKind.DASHBOARD_REFRESH})


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
