"""Celery tasks of planning, on the "reports" queue beside reporting's: thin, idempotent, JSON
arguments. Rerunning `simulate_year_task` (a duplicate delivery, a retry) does nothing once the
run is done or failed; transient errors are retried with exponential backoff."""

from __future__ import annotations

import logging

from celery import shared_task

from apps.reporting.services import MAX_ATTEMPTS, TRANSIENT_ERRORS

from .services import simulation_run_execute, simulation_runs_sweep

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    name="apps.planning.tasks.simulate_year",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
    acks_late=True,
    reject_on_worker_lost=True,
)
def simulate_year_task(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    """Run one simulated year (see services.simulation_run_execute)."""
    outcome = simulation_run_execute(
        run_id=run_id,
        task_id=str(self.request.id or ""),
        final=self.request.retries >= self.max_retries,
    )
    logger.info("simulation run %s: %s", run_id, outcome)
    return outcome


@shared_task(
    name="apps.planning.tasks.sweep_simulation_runs",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def sweep_simulation_runs() -> dict[str, int]:
    """Every five minutes: fail stuck simulations, re-send those the queue never took."""
    return simulation_runs_sweep()
