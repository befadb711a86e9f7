"""Writes of reporting: asking for a run, building it, the sweeper, and bulletins.

Runs (docs/adr/0080-reporting.md):
- `report_run_request` records a run and hands it to the "reports" queue once the transaction
  commits. A second request for the same report (kind, scope, period) while one is queued or
  running returns that one: a partial unique constraint makes a duplicate impossible, even
  for two requests at the same instant.
- If the broker cannot be reached the run stays queued with the reason in `enqueue_error`;
  nothing is lost: the sweeper re-sends it every few minutes.
- `report_run_execute` (the Celery task's body) claims the run, builds the tables with
  progress, and swaps the new snapshot in for the old in one transaction. A failure at any
  step leaves the old snapshot current. Transient database errors are retried with backoff;
  other errors fail the run at once with the reason.
- `report_runs_sweep` fails runs whose worker stopped (no progress for a while) and re-sends
  runs the queue never took.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.utils import timezone
from django.utils.text import slugify

from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation

from .build import build_report
from .choices import (
    NATIONAL_KINDS,
    RCC_KINDS,
    BulletinStatus,
    ReportKind,
    Rounding,
    RunStatus,
)
from .disclosure import publish_headline, publish_table
from .models import Bulletin, ReportRun, ReportSnapshot
from .periods import Period, default_period
from .permissions import require_run

logger = logging.getLogger(__name__)

QUEUE = "reports"
# Errors worth another attempt: the database or the network went away for a moment.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
)
MAX_ATTEMPTS = 4  # the first try and three retries


def _broker_errors() -> tuple[type[BaseException], ...]:
    from kombu.exceptions import OperationalError as KombuOperationalError

    errors: list[type[BaseException]] = [KombuOperationalError, OSError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    return tuple(errors)


def run_timeout() -> dt.timedelta:
    """A running run with no progress for this long is taken to have lost its worker."""
    return dt.timedelta(seconds=getattr(settings, "REPORTS_RUN_TIMEOUT_SECONDS", 15 * 60))


def requeue_after() -> dt.timedelta:
    """A queued run not started for this long is handed to the queue again."""
    return dt.timedelta(seconds=getattr(settings, "REPORTS_REQUEUE_AFTER_SECONDS", 30 * 60))


# --- Asking for a run ----------------------------------------------------------------------


def _validate(kind: str, rcc: Organisation | None, period: Period, today: dt.date) -> None:
    if kind not in ReportKind.values:
        raise DomainError(f"{kind!r} is not a kind of report.", field="kind")
    if rcc is None and kind not in NATIONAL_KINDS:
        raise DomainError("Choose the RCC this report is for.", field="rcc")
    if rcc is not None:
        if kind not in RCC_KINDS:
            raise DomainError(
                "The NCC quarterly report is national: leave the RCC blank.", field="rcc"
            )
        if rcc.kind != OrganisationKind.RCC:
            raise DomainError("Reports are built for an RCC or for England.", field="rcc")
    if period.start > today:
        raise DomainError("The period has not started yet.", field="period_start")
    if period.days > 366 * 2:
        raise DomainError("A report covers at most two years.", field="period_end")


@transaction.atomic
def report_run_request(
    *,
    kind: str,
    rcc: Organisation | None,
    by: Any = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    today: dt.date | None = None,
) -> tuple[ReportRun, bool]:
    """Ask for a report; returns (run, created). The run already queued or running for the
    same kind, scope and period is returned instead of a second one. `by` None: the schedule.
    """
    today = today or timezone.localdate()
    if period_start is None or period_end is None:
        period = default_period(kind, today)
    else:
        try:
            period = Period(period_start, period_end)
        except ValueError as err:
            raise DomainError(str(err), field="period_end") from err
    _validate(kind, rcc, period, today)
    if by is not None:
        require_run(by, rcc_id=rcc.pk if rcc else None)
    key = {
        "kind": kind,
        "rcc": rcc,
        "period_start": period.start,
        "period_end": period.end,
    }
    existing = ReportRun.objects.select_for_update().active().filter(**key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(**key, requested_by=by)
    except IntegrityError:
        # Someone asked for the same report at the same instant: theirs is the one.
        return ReportRun.objects.active().get(**key), False
    run_id = run.pk
    transaction.on_commit(lambda: report_run_enqueue(run_id=run_id))
    return run, True


def report_run_enqueue(*, run_id: int) -> bool:
    """Hand a queued run to the "reports" queue. If the broker is down the run stays queued,
    with the reason, for the sweeper to send again: nothing is lost."""
    from celery.exceptions import Retry

    from .tasks import build_report_task

    sent = timezone.now()
    ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(enqueued_at=sent)
    ReportRun.objects.filter(pk=run_id).exclude(enqueue_error="").update(enqueue_error="")
    if build_report_task.app.conf.task_always_eager:
        # No broker (the demo without Redis, tests): build it here, retrying as the worker
        # would (without the waits between attempts).
        for attempt in range(MAX_ATTEMPTS):
            try:
                build_report_task.apply(args=(run_id,), retries=attempt, throw=True)
                break
            except Retry:
                continue
        return True
    try:
        build_report_task.apply_async(args=(run_id,), queue=QUEUE, retry=False)
    except _broker_errors() as exc:
        logger.warning("report run %s could not be queued: %s", run_id, exc)
        ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            enqueued_at=None,
            enqueue_error=(
                "The report queue could not be reached. The request is saved and will be "
                f"sent again automatically. ({type(exc).__name__})"
            ),
        )
        return False
    return True


# --- Building a run -------------------------------------------------------------------------


def _is_stale(run: ReportRun, now: dt.datetime) -> bool:
    beat = run.heartbeat_at or run.started_at or run.created_at
    return beat < now - run_timeout()


def _fail(run_id: int, message: str) -> None:
    ReportRun.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def report_run_execute(*, run_id: int, task_id: str = "", final: bool = True) -> str:
    """Build the run's report and make it the current snapshot. Returns what happened:
    "done", "failed", "skipped" (already finished: a duplicate delivery), "busy" (another
    worker has it), "missing" or "abandoned" (given up by the sweeper while building).

    Transient errors are re-raised for the task to retry unless `final`; any other error
    fails the run. Either way the previous snapshot stays current."""
    now = timezone.now()
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None:
            return "missing"
        if run.status in (RunStatus.DONE, RunStatus.FAILED):
            return "skipped"
        if run.status == RunStatus.RUNNING and not _is_stale(run, now) and run.task_id != task_id:
            return "busy"
        run.status = RunStatus.RUNNING
        run.started_at = run.heartbeat_at = now
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

    def progress(percent: int, step: str) -> None:
        ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            progress=max(0, min(99, percent)), step=step[:120], heartbeat_at=timezone.now()
        )

    try:
        built = build_report(
            kind=run.kind,
            rcc_id=run.rcc_id,
            period=Period(run.period_start, run.period_end),
            today=timezone.localdate(),
            progress=progress,
        )
        return _swap_in(run_id, built)
    except TRANSIENT_ERRORS as exc:
        if final or run.attempts >= MAX_ATTEMPTS:
            _fail(run_id, f"The report could not be built after {run.attempts} attempts: {exc}")
            return "failed"
        ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
            status=RunStatus.QUEUED,
            step="Waiting to try again",
            error=f"Attempt {run.attempts} failed ({exc}); trying again shortly.",
            heartbeat_at=timezone.now(),
        )
        raise
    except Exception as exc:
        logger.exception("report run %s failed", run_id)
        _fail(run_id, f"The report could not be built: {exc}")
        return "failed"


@transaction.atomic
def _swap_in(run_id: int, built: Any) -> str:
    run = ReportRun.objects.select_for_update().get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return "abandoned"
    now = timezone.now()
    key = {
        "kind": run.kind,
        "rcc_id": run.rcc_id,
        "period_start": run.period_start,
        "period_end": run.period_end,
    }
    ReportSnapshot.objects.select_for_update().filter(**key, is_current=True).update(
        is_current=False, superseded_at=now
    )
    ReportSnapshot.objects.create(
        **key,
        run=run,
        is_current=True,
        is_empty=built.is_empty,
        summary=built.summary,
        tables=built.tables,
        built_at=now,
    )
    run.status = RunStatus.DONE
    run.progress = 100
    run.step = "No activity in this period: the tables are empty" if built.is_empty else "Done"
    run.finished_at = run.heartbeat_at = now
    run.save(update_fields=["status", "progress", "step", "finished_at", "heartbeat_at"])
    return "done"


def report_run_build_now(
    *, kind: str, rcc: Organisation | None, period: Period | None = None, by: Any = None
) -> ReportRun:
    """Request and build a report in this process (seeding, benchmarks, management command)."""
    today = timezone.localdate()
    period = period or default_period(kind, today)
    with transaction.atomic():
        run, _created = _request_quietly(kind, rcc, period, by, today)
    report_run_execute(run_id=run.pk, task_id=f"inline-{run.pk}")
    run.refresh_from_db()
    return run


def _request_quietly(
    kind: str, rcc: Organisation | None, period: Period, by: Any, today: dt.date
) -> tuple[ReportRun, bool]:
    """As `report_run_request`, without handing the run to the queue."""
    _validate(kind, rcc, period, today)
    key = {"kind": kind, "rcc": rcc, "period_start": period.start, "period_end": period.end}
    existing = ReportRun.objects.select_for_update().active().filter(**key).first()
    if existing is not None:
        return existing, False
    return ReportRun.objects.create(**key, requested_by=by), True


# --- Schedules and the sweeper ---------------------------------------------------------------


def _rccs() -> Iterable[Organisation]:
    return Organisation.objects.rccs().filter(is_active=True).order_by("name")


def reports_schedule(*, kind: str, today: dt.date | None = None) -> list[int]:
    """Beat: ask for every report of a kind due today (monthly: each RCC's last month;
    quarterly: the national report of the last quarter; nightly: every RCC's and the national
    dashboards for the 12 months to today). Returns the ids of the runs."""
    today = today or timezone.localdate()
    period = default_period(kind, today)
    scopes: list[Organisation | None] = []
    if kind in RCC_KINDS:
        scopes.extend(_rccs())
    if kind in NATIONAL_KINDS:
        scopes.append(None)
    ids = []
    for rcc in scopes:
        run, _created = report_run_request(
            kind=kind, rcc=rcc, period_start=period.start, period_end=period.end, today=today
        )
        ids.append(run.pk)
    return ids


def dashboards_rebuild_now(
    *, today: dt.date | None = None, kind: str = ReportKind.DASHBOARD_REFRESH
) -> list[ReportRun]:
    """Build every RCC's and the national dashboard (or planning, `kind`) in this process, one
    after another."""
    today = today or timezone.localdate()
    period = default_period(kind, today)
    runs = [report_run_build_now(kind=kind, rcc=rcc, period=period) for rcc in _rccs()]
    runs.append(report_run_build_now(kind=kind, rcc=None, period=period))
    return runs


def report_runs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Fail runs whose worker stopped; send again runs the queue never took; drop superseded
    snapshots no bulletin cites after 30 days."""
    now = now or timezone.now()
    stale_before = now - run_timeout()
    failed = 0
    for run in ReportRun.objects.filter(status=RunStatus.RUNNING):
        beat = run.heartbeat_at or run.started_at or run.created_at
        if beat < stale_before:
            minutes = int(run_timeout().total_seconds() // 60)
            failed += ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.FAILED,
                finished_at=now,
                error=(
                    f"The worker building this report stopped: no progress for {minutes} "
                    "minutes. The previous report is still shown; start it again to rebuild it."
                ),
            )
    waiting = ReportRun.objects.filter(status=RunStatus.QUEUED).filter(
        enqueued_at__isnull=True
    ) | ReportRun.objects.filter(status=RunStatus.QUEUED, enqueued_at__lt=now - requeue_after())
    resent = sum(1 for pk in waiting.values_list("pk", flat=True) if report_run_enqueue(run_id=pk))
    pruned, _ = (
        ReportSnapshot.objects.filter(
            is_current=False, superseded_at__lt=now - dt.timedelta(days=30), bulletins__isnull=True
        )
        .exclude(run__status__in=[RunStatus.QUEUED, RunStatus.RUNNING])
        .delete()
    )
    return {"failed": failed, "resent": resent, "pruned": pruned}


# --- Bulletins -------------------------------------------------------------------------------


def _check_snapshot(snapshot: ReportSnapshot, table_keys: list[str]) -> None:
    if not snapshot.is_national:
        raise DomainError("A bulletin cites a national report.", field="snapshot")
    unknown = [k for k in table_keys if not snapshot.tables.get(k, {}).get("publishable")]
    if unknown:
        raise DomainError(
            "These tables cannot be published from that report: " + ", ".join(unknown),
            field="table_keys",
        )


def _unique_slug(title: str, exclude: int | None = None) -> str:
    base = slugify(title)[:70] or "bulletin"
    slug, n = base, 1
    qs = Bulletin.objects.exclude(pk=exclude) if exclude else Bulletin.objects.all()
    while qs.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _require_manager(by: Any) -> None:
    from .permissions import MANAGE_BULLETINS

    if not MANAGE_BULLETINS.allows(by):
        raise PermissionDenied("Only NCC analysts write bulletins.")


@transaction.atomic
def bulletin_create(
    *,
    by: Any,
    title: str,
    summary: str,
    body: str,
    snapshot: ReportSnapshot,
    table_keys: list[str],
    rounding: int = Rounding.NONE,
) -> Bulletin:
    _require_manager(by)
    _check_snapshot(snapshot, table_keys)
    return Bulletin.objects.create(
        title=title,
        slug=_unique_slug(title),
        summary=summary,
        body=body,
        snapshot=snapshot,
        table_keys=list(table_keys),
        rounding=rounding,
        created_by=by,
    )


@transaction.atomic
def bulletin_update(*, bulletin: Bulletin, by: Any, **fields: Any) -> Bulletin:
    _require_manager(by)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.DRAFT:
        raise DomainError(
            "A published bulletin cannot be changed: withdraw it and write a new one."
        )
    allowed = {"title", "summary", "body", "snapshot", "table_keys", "rounding"}
    for name, value in fields.items():
        if name not in allowed:
            raise DomainError(f"{name} cannot be changed here.")
        setattr(bulletin, name, value)
    _check_snapshot(bulletin.snapshot, bulletin.table_keys)
    bulletin.save()
    return bulletin


@transaction.atomic
def bulletin_publish(*, bulletin: Bulletin, by: Any) -> Bulletin:
    """Publish: disclosure control is applied now, to the cited snapshot's tables, and the
    result is frozen on the bulletin: the public site shows only these published figures."""
    _require_manager(by)
    bulletin = Bulletin.objects.select_for_update().select_related("snapshot").get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.DRAFT:
        raise DomainError("Only a draft bulletin can be published.")
    if not bulletin.table_keys:
        raise DomainError("Choose at least one table to publish.", field="table_keys")
    snapshot = bulletin.snapshot
    _check_snapshot(snapshot, bulletin.table_keys)
    bulletin.published_tables = [
        publish_table(snapshot.tables[key], rounding=bulletin.rounding)
        for key in bulletin.table_keys
    ]
    bulletin.headline = publish_headline(snapshot.summary, rounding=bulletin.rounding)
    bulletin.status = BulletinStatus.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.published_by = by
    bulletin.save()
    return bulletin


@transaction.atomic
def bulletin_withdraw(*, bulletin: Bulletin, by: Any) -> Bulletin:
    _require_manager(by)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.PUBLISHED:
        raise DomainError("Only a published bulletin can be withdrawn.")
    bulletin.status = BulletinStatus.WITHDRAWN
    bulletin.save(update_fields=["status", "updated_at"])
    return bulletin


SSDA903_PARTS = ("header", "episodes", "zip")


def ssda903_download(
    *, la: Any, year: int, part: str, by: Any, channel: str = "export"
) -> tuple[bytes | str, str, str]:
    """An LA's SSDA903 file (`part`: header, episodes or zip of both) as `by` may see it (the
    children `Child.visible_to(by)`), with one read logged against each child in it: the files
    hold full postcodes. Returns (content, content type, file name)."""
    from apps.referrals.models import Child, ReferralAccessLog
    from apps.referrals.services.events import reading_membership

    from .ssda903.files import return_build

    if part not in SSDA903_PARTS:
        raise ValueError(f"part must be one of {', '.join(SSDA903_PARTS)}")
    built = return_build(
        la=la, year=year, children=Child.objects.visible_to(by), today=timezone.localdate()
    )
    rcc_id = la.rcc_memberships.order_by("-start_date").values_list("rcc_id", flat=True).first()
    membership = reading_membership(user=by, la_id=la.pk, rcc_id=rcc_id)
    ReferralAccessLog.objects.bulk_create(
        [
            ReferralAccessLog(
                child_id=pk,
                user=by,
                organisation=membership.organisation if membership else None,
                role=membership.role if membership else "",
                action=f"ssda903_{part}",
                channel=channel,
            )
            for pk in built.child_ids
        ],
        batch_size=1000,
    )
    if part == "zip":
        return built.zip_bytes(), "application/zip", built.filename("zip")
    content = built.header_csv() if part == "header" else built.episodes_csv()
    return content, "text/csv; charset=utf-8", built.filename(part)
