"""Celery tasks of reporting, on the "reports" queue: thin, idempotent, JSON arguments.

`build_report_task` builds one run; rerunning it (a duplicate delivery, a retry) does nothing
once the run is done or failed. Transient errors are retried with exponential backoff.
The schedules (settings.CELERY_BEAT_SCHEDULE) ask for the monthly RCC reports, the quarterly
national report, the nightly dashboards and planning, and sweep stuck runs.
"""

from __future__ import annotations

import logging

from celery import shared_task

from .choices import ReportKind
from .services import (
    MAX_ATTEMPTS,
    TRANSIENT_ERRORS,
    report_run_execute,
    report_runs_sweep,
    reports_schedule,
)

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="apps.reporting.tasks.build_report",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
    acks_late=True,
    reject_on_worker_lost=True,
)
def build_report_task(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Build one report run (see services.report_run_execute)."""
    outcome = report_run_execute(
        run_id=run_id,
        task_id=str(self.request.id or ""),
        final=self.request.retries >= self.max_retries,
    )
    logger.info("report run %s: %s", run_id, outcome)
    return outcome


def _schedule(kind: str) -> list[int]:
    ids = reports_schedule(kind=kind)
    logger.info("scheduled %s report runs", kind, extra={"runs": ids})
    return ids


@shared_task(
    name="apps.reporting.tasks.schedule_rcc_monthly",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def schedule_rcc_monthly() -> list[int]:
    """1st of the month: every RCC's report for the month just ended."""
    return _schedule(ReportKind.RCC_MONTHLY)


@shared_task(
    name="apps.reporting.tasks.schedule_ncc_quarterly",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def schedule_ncc_quarterly() -> list[int]:
    """After each quarter: the national report for the quarter just ended."""
    return _schedule(ReportKind.NCC_QUARTERLY)


@shared_task(
    name="apps.reporting.tasks.refresh_dashboards",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def refresh_dashboards() -> list[int]:
    """Nightly: every RCC's dashboard and the national one, for the 12 months to today."""
    return _schedule(ReportKind.DASHBOARD_REFRESH)


@shared_task(
    name="apps.reporting.tasks.refresh_planning",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def refresh_planning() -> list[int]:
    """Nightly, after the dashboards: every RCC's and England's planning measures (demand
    forecast, sufficiency, sourcing and stability) over the two years to today."""
    return _schedule(ReportKind.PLANNING)


@shared_task(
    name="apps.reporting.tasks.sweep_report_runs",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def sweep_report_runs() -> dict[str, int]:
    """Every five minutes: fail stuck runs, re-send runs the queue never took."""
    return report_runs_sweep()
