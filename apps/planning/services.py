"""Writes of planning: asking for a simulated year of matching, running it, and the sweeper.

As reporting's runs (docs/adr/0080-reporting.md): `simulation_run_request` records a run and
hands it to the "reports" queue once the transaction commits (in this process when there is
no broker); a second request for the same policy, seed and scope while one is queued or
running returns that one. `simulation_run_execute` (the Celery task's body) claims the run,
loads the register and the cohort, simulates each policy with progress, and stores the
results. The simulation itself reads a copy and never writes to the register.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.reporting.choices import RunStatus
from apps.reporting.services import MAX_ATTEMPTS, QUEUE, TRANSIENT_ERRORS

from .choices import SimulationPolicy
from .models import SimulationRun
from .permissions import VIEW_PLANNING
from .querysets import planning_scope
from .simulation import Progress, simulate_year
from .simulation_input import SimulationInput
from .simulation_load import load_input

logger = logging.getLogger(__name__)

MAX_SEED = 2**31 - 1


def run_timeout() -> dt.timedelta:
    """A running simulation with no progress for this long has lost its worker."""
    return dt.timedelta(seconds=getattr(settings, "REPORTS_RUN_TIMEOUT_SECONDS", 15 * 60))


def may_simulate(user: Any, *, rcc_id: int | None) -> bool:
    """England's simulation: NCC analysts; an RCC's: its commissioners and NCC analysts."""
    if not VIEW_PLANNING.allows(user):
        return False
    scope = planning_scope(user)
    return scope.national or (rcc_id is not None and rcc_id in scope.rcc_ids)


def _validate(policy: Any, seed: Any, rcc: Organisation | None) -> int:
    if policy not in SimulationPolicy.values:
        choices = ", ".join(SimulationPolicy.values)
        raise DomainError(f"Choose a policy: {choices}.", field="policy")
    try:
        seed = int(seed)
    except (TypeError, ValueError):
        raise DomainError("Enter the seed as a whole number, like 1.", field="seed") from None
    if not 0 <= seed <= MAX_SEED:
        raise DomainError(f"The seed must be from 0 to {MAX_SEED}.", field="seed")
    if rcc is not None and rcc.kind != OrganisationKind.RCC:
        raise DomainError("A simulation is for an RCC or for England.", field="rcc")
    return seed


def _key(policy: str, seed: int, rcc: Organisation | None) -> dict[str, Any]:
    return {"policy": policy, "seed": seed, "rcc": rcc}


@transaction.atomic
def simulation_run_request(
    *, policy: str, seed: Any, rcc: Organisation | None, by: Any
) -> tuple[SimulationRun, bool]:
    """Ask for a simulated year; returns (run, created). The run already queued or running
    for the same policy, seed and scope is returned instead of a second one."""
    seed = _validate(policy, seed, rcc)
    if not may_simulate(by, rcc_id=rcc.pk if rcc else None):
        raise PermissionDenied(
            "Only NCC analysts simulate England's year."
            if rcc is None
            else "You can simulate only your own RCC's year."
        )
    key = _key(policy, seed, rcc)
    existing = SimulationRun.objects.select_for_update().active().filter(**key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            run = SimulationRun.objects.create(**key, requested_by=by)
    except IntegrityError:  # the same request at the same instant: theirs is the one
        return SimulationRun.objects.active().get(**key), False
    run_id = run.pk
    transaction.on_commit(lambda: simulation_run_enqueue(run_id=run_id))
    return run, True


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError

    return (KombuOperationalError, OSError)


def simulation_run_enqueue(*, run_id: int) -> bool:
    """Hand a queued run to the "reports" queue; with no broker (the demo, tests) run it here.
    If the broker cannot be reached the run stays queued with the reason, for the sweeper."""
    from celery.exceptions import Retry

    from .tasks import simulate_year_task

    SimulationRun.objects.filter(pk=run_id).exclude(enqueue_error="").update(enqueue_error="")
    if simulate_year_task.app.conf.task_always_eager:
        for attempt in range(MAX_ATTEMPTS):
            try:
                simulate_year_task.apply(args=(run_id,), retries=attempt, throw=True)
                break
            except Retry:
                continue
        return True
    try:
        simulate_year_task.apply_async(args=(run_id,), queue=QUEUE, retry=False)
    except _broker_errors() as exc:
        logger.warning("simulation run %s could not be queued: %s", run_id, exc)
        SimulationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            enqueue_error=(
                "The report queue could not be reached. The request is saved and will be "
                f"sent again automatically. ({type(exc).__name__})"
            )
        )
        return False
    return True


def _fail(run_id: int, message: str) -> None:
    SimulationRun.objects.filter(
        pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]
    ).update(status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now())


def _claim(run_id: int, task_id: str) -> SimulationRun | str:
    now = timezone.now()
    with transaction.atomic():
        run = SimulationRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "missing"
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return "skipped"
        beat = run.heartbeat_at or run.started_at or run.created_at
        fresh = beat >= now - run_timeout()
        if run.status == RunStatus.RUNNING and fresh and run.task_id != task_id:
            return "busy"
        run.status, run.started_at, run.heartbeat_at = RunStatus.RUNNING, now, now
        run.progress, run.step, run.error = 0, "Starting", ""
        run.attempts += 1
        run.task_id = task_id
        run.save(
            update_fields=[
                "status",
                "started_at",
                "heartbeat_at",
                "progress",
                "step",
                "error",
                "attempts",
                "task_id",
            ]
        )
    return run


def simulation_run_execute(
    *,
    run_id: int,
    task_id: str = "",
    final: bool = True,
    data: SimulationInput | None = None,
    report: Progress | None = None,
) -> str:
    """Run a simulated year and store its results. Returns what happened: "done", "failed",
    "skipped" (already finished), "busy" (another worker has it), "missing" or "abandoned"
    (given up by the sweeper meanwhile). Transient database errors are re-raised for the task
    to retry unless `final`; any other error fails the run with the reason. `data`: what was
    loaded already (the benchmark loads the register once for several seeds); `report`: also
    told the progress (the command's progress bar)."""
    claimed = _claim(run_id, task_id)
    if isinstance(claimed, str):
        return claimed
    run = claimed

    def progress(fraction: float, step: str) -> None:
        if report:
            report(fraction, step)
        SimulationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            progress=max(0, min(99, int(fraction * 100))),
            step=step[:120],
            heartbeat_at=timezone.now(),
        )

    try:
        if data is None or data.rcc_id != run.rcc_id:
            data = load_input(rcc_id=run.rcc_id, step=lambda text: progress(0.02, text))
        results = simulate_year(
            data, run.policies, run.seed, lambda f, text: progress(0.1 + 0.9 * f, text)
        )
    except TRANSIENT_ERRORS as exc:
        if final or run.attempts >= MAX_ATTEMPTS:
            _fail(run_id, f"The simulation could not run after {run.attempts} attempts: {exc}")
            return "failed"
        SimulationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.QUEUED,
            step="Waiting to try again",
            error=f"Attempt {run.attempts} failed ({exc}); trying again shortly.",
            heartbeat_at=timezone.now(),
        )
        raise
    except DomainError as exc:
        _fail(run_id, exc.message)
        return "failed"
    except Exception as exc:
        logger.exception("simulation run %s failed", run_id)
        _fail(run_id, f"The simulation stopped with an error: {exc}")
        return "failed"
    inputs = {**data.describe(), "seed": run.seed, "policies": run.policies}
    return _store(run_id, inputs, results)


@transaction.atomic
def _store(run_id: int, inputs: dict[str, Any], results: dict[str, Any]) -> str:
    run = SimulationRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return "abandoned"
    now = timezone.now()
    run.inputs, run.results = inputs, results
    run.status, run.progress, run.step = RunStatus.DONE, 100, "Done"
    run.finished_at = run.heartbeat_at = now
    run.save(
        update_fields=[
            "inputs",
            "results",
            "status",
            "progress",
            "step",
            "finished_at",
            "heartbeat_at",
        ]
    )
    return "done"


def simulation_run_now(
    *,
    policy: str,
    seed: Any,
    rcc: Organisation | None,
    by: Any = None,
    data: SimulationInput | None = None,
    report: Progress | None = None,
) -> SimulationRun:
    """Record a run and run it in this process (the management command, the benchmark)."""
    seed = _validate(policy, seed, rcc)
    run = SimulationRun.objects.create(**_key(policy, seed, rcc), requested_by=by)
    simulation_run_execute(run_id=run.pk, task_id=f"inline-{run.pk}", data=data, report=report)
    run.refresh_from_db()
    return run


def simulation_runs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Fail runs whose worker stopped (no progress for a while); send again runs that the
    queue never took."""
    now = now or timezone.now()
    stale = now - run_timeout()
    minutes = int(run_timeout().total_seconds() // 60)
    failed = 0
    for pk, beat, started, created in SimulationRun.objects.filter(
        status=RunStatus.RUNNING
    ).values_list("pk", "heartbeat_at", "started_at", "created_at"):
        if (beat or started or created) < stale:
            failed += SimulationRun.objects.filter(pk=pk, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED,
                finished_at=now,
                error=(
                    f"The worker running this simulation stopped: no progress for {minutes} "
                    "minutes. Start it again."
                ),
            )
    waiting = SimulationRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=stale)
    resent = sum(
        1 for pk in waiting.values_list("pk", flat=True) if simulation_run_enqueue(run_id=pk)
    )
    return {"failed": failed, "resent": resent}
