"""Report runs: queued, built with progress, idempotent, retried, swept; and the faults the
issue names: a second run while one is running, a worker killed mid-run, the broker down."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.reporting import build as build_module
from apps.reporting.choices import ReportKind, RunStatus
from apps.reporting.models import ReportRun, ReportSnapshot
from apps.reporting.services import (
    MAX_ATTEMPTS,
    report_run_execute,
    report_run_request,
    report_runs_sweep,
    reports_schedule,
)
from apps.reporting.tasks import build_report_task
from config.celery_app import app as celery_app
from tests.reporting.factories import PERIOD, built, placed

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"


def ask(world, kind=ReportKind.RCC_MONTHLY, rcc="world", by=None):
    rcc_org = world.rcc if rcc == "world" else rcc
    return report_run_request(
        kind=kind, rcc=rcc_org, period_start=PERIOD.start, period_end=PERIOD.end, by=by
    )


def failing_step(error: BaseException, times: int | None = None):
    """A build step that raises `error` (the first `times` calls, or always)."""
    calls = {"n": 0}

    def step(facts):
        calls["n"] += 1
        if times is None or calls["n"] <= times:
            raise error
        return []

    return step, calls


def test_a_run_is_queued_then_built_by_the_worker_and_its_snapshot_is_current(
    world, django_capture_on_commit_callbacks
):
    placed(world.ifa, world.la)
    with django_capture_on_commit_callbacks(execute=True):
        run, created = ask(world, by=world.users[Role.COMMISSIONER])
    run.refresh_from_db()
    assert created
    assert run.status == RunStatus.DONE and run.progress == 100 and run.attempts == 1
    assert run.started_at and run.finished_at and run.requested_by == world.users[Role.COMMISSIONER]
    snapshot = ReportSnapshot.objects.get(run=run)
    assert snapshot.is_current and snapshot.summary["placements_started"] == 1


def test_a_second_request_while_one_is_running_reuses_it(world):
    running = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY,
        rcc=world.rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),
    )
    run, created = ask(world)
    assert (run.pk, created) == (running.pk, False)
    assert ReportRun.objects.count() == 1


def test_the_database_refuses_a_second_active_run_of_the_same_report(world):
    key = {
        "kind": ReportKind.NCC_QUARTERLY,
        "rcc": None,
        "period_start": PERIOD.start,
        "period_end": PERIOD.end,
    }
    ReportRun.objects.create(**key, status=RunStatus.QUEUED)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(**key, status=RunStatus.RUNNING)
    ReportRun.objects.create(
        **key, status=RunStatus.DONE, finished_at=timezone.now()
    )  # history is fine


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_instant_make_one_run(world):
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            barrier.wait()
            run, _ = ask(world)
            results.append(run.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch("apps.reporting.services.report_run_enqueue"):
        threads = [threading.Thread(target=request) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert len(set(results)) == 1
    assert ReportRun.objects.count() == 1


def test_a_rerun_replaces_the_snapshot_in_one_swap_and_keeps_the_old_one_superseded(world):
    first = built(ReportKind.RCC_MONTHLY, world.rcc)
    placed(world.ifa, world.la)
    second = built(ReportKind.RCC_MONTHLY, world.rcc)
    first.refresh_from_db()
    assert not first.is_current and first.superseded_at is not None
    assert second.is_current and second.summary["placements_started"] == 1
    assert ReportSnapshot.objects.filter(rcc=world.rcc, is_current=True).count() == 1


def test_an_error_mid_build_fails_the_run_and_keeps_the_previous_snapshot(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    old = built(ReportKind.RCC_MONTHLY, world.rcc)
    step, _ = failing_step(RuntimeError("the fees table could not be read"))
    steps = list(build_module.RCC_STEPS)
    steps[3] = ("Money", step)
    monkeypatch.setattr(build_module, "RCC_STEPS", steps)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = ask(world)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "the fees table could not be read" in run.error
    assert run.progress < 100 and run.step.startswith("Money")
    old.refresh_from_db()
    assert old.is_current
    assert ReportSnapshot.objects.filter(rcc=world.rcc).count() == 1


def test_a_transient_database_error_is_retried_with_backoff_and_then_succeeds(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    step, calls = failing_step(OperationalError("server closed the connection"), times=1)
    steps = list(build_module.RCC_STEPS)
    steps[0] = ("Demand", step)
    monkeypatch.setattr(build_module, "RCC_STEPS", steps)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = ask(world)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    assert run.attempts == 2 and calls["n"] == 2
    assert build_report_task.retry_backoff is True
    assert OperationalError in build_report_task.autoretry_for


def test_a_transient_error_on_every_attempt_fails_the_run_after_the_last_retry(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    step, calls = failing_step(OperationalError("database is down"))
    steps = list(build_module.RCC_STEPS)
    steps[0] = ("Demand", step)
    monkeypatch.setattr(build_module, "RCC_STEPS", steps)
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = ask(world)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.attempts == MAX_ATTEMPTS == calls["n"]
    assert "database is down" in run.error


def test_a_worker_killed_mid_run_is_marked_failed_by_the_sweeper_and_the_old_snapshot_stays(world):
    old = built(ReportKind.RCC_MONTHLY, world.rcc)
    stuck = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY,
        rcc=world.rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        progress=40,
        step="Placements",
        task_id="dead-worker",
        started_at=timezone.now() - dt.timedelta(minutes=40),
        heartbeat_at=timezone.now() - dt.timedelta(minutes=20),
    )
    fresh = ReportRun.objects.create(
        kind=ReportKind.NCC_QUARTERLY,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        heartbeat_at=timezone.now(),
        task_id="alive",
    )
    outcome = report_runs_sweep()
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert outcome["failed"] == 1
    assert stuck.status == RunStatus.FAILED and "stopped" in stuck.error
    assert fresh.status == RunStatus.RUNNING
    old.refresh_from_db()
    assert old.is_current
    run, created = ask(world)  # the report can be asked for again
    assert created and run.pk != stuck.pk


def test_a_redelivered_task_takes_over_its_own_stale_run_but_not_a_live_one(world):
    stale = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY,
        rcc=world.rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        task_id="t-1",
        heartbeat_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert report_run_execute(run_id=stale.pk, task_id="t-2") == "done"
    live = ReportRun.objects.create(
        kind=ReportKind.RCC_MONTHLY,
        rcc=world.other_rcc,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        status=RunStatus.RUNNING,
        task_id="t-3",
        heartbeat_at=timezone.now(),
    )
    assert report_run_execute(run_id=live.pk, task_id="t-4") == "busy"
    assert report_run_execute(run_id=live.pk, task_id="t-3") == "done"  # its own redelivery
    assert report_run_execute(run_id=live.pk, task_id="t-3") == "skipped"  # a duplicate


@pytest.fixture
def broker_down():
    """Tasks really go to a broker, and the broker is not there."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = DEAD_BROKER
    _forget_connections()
    yield
    conf.task_always_eager, conf.broker_url = saved
    _forget_connections()


def _forget_connections():
    """Drop the connection and producer pools an earlier test may have opened to a live broker."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)  # the request commits, as in production
def test_broker_down_the_request_is_kept_with_a_clear_message_and_sent_when_it_is_back(
    world, client, broker_down
):
    client.force_login(world.users[Role.NCC_ANALYST])
    response = client.post(
        reverse("reporting:run_create"), {"kind": ReportKind.NCC_QUARTERLY, "rcc": ""}, follow=True
    )
    assert response.status_code == 200
    assert "The report queue cannot be reached just now" in response.content.decode()
    run = ReportRun.objects.get()
    assert run.status == RunStatus.QUEUED and run.enqueued_at is None
    assert "could not be reached" in run.enqueue_error

    celery_app.conf.task_always_eager = True  # the broker is back
    outcome = report_runs_sweep()
    run.refresh_from_db()
    assert outcome["resent"] == 1
    assert run.status == RunStatus.DONE and run.enqueue_error == ""


def test_the_beat_schedules_ask_for_every_rccs_report_and_the_national_one(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        monthly = reports_schedule(kind=ReportKind.RCC_MONTHLY)
        quarterly = reports_schedule(kind=ReportKind.NCC_QUARTERLY)
        nightly = reports_schedule(kind=ReportKind.DASHBOARD_REFRESH)
    assert len(monthly) == 2 and len(quarterly) == 1 and len(nightly) == 3
    runs = ReportRun.objects.filter(pk__in=[*monthly, *quarterly, *nightly])
    assert {r.rcc_id for r in runs.filter(kind=ReportKind.RCC_MONTHLY)} == {
        world.rcc.pk,
        world.other_rcc.pk,
    }
    assert runs.get(kind=ReportKind.NCC_QUARTERLY).rcc_id is None
    assert all(r.status == RunStatus.DONE for r in runs)
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "apps.reporting.tasks.schedule_rcc_monthly",
        "apps.reporting.tasks.schedule_ncc_quarterly",
        "apps.reporting.tasks.refresh_dashboards",
        "apps.reporting.tasks.sweep_report_runs",
    } <= tasks


def test_report_tasks_are_routed_to_the_reports_queue():
    route = celery_app.amqp.router.route({}, "apps.reporting.tasks.build_report", (1,), {})
    assert route["queue"].name == "reports"


def test_who_may_ask_for_which_report(world):
    commissioner = world.users[Role.COMMISSIONER]
    with pytest.raises(PermissionDenied):
        ask(world, rcc=world.other_rcc, by=commissioner)
    with pytest.raises(PermissionDenied):
        ask(world, kind=ReportKind.NCC_QUARTERLY, rcc=None, by=commissioner)
    with pytest.raises(DomainError):
        ask(world, kind=ReportKind.NCC_QUARTERLY, rcc=world.rcc, by=world.users[Role.NCC_ANALYST])
    with pytest.raises(DomainError):
        report_run_request(
            kind=ReportKind.RCC_MONTHLY,
            rcc=world.rcc,
            by=commissioner,
            period_start=timezone.localdate() + dt.timedelta(days=3),
            period_end=timezone.localdate() + dt.timedelta(days=30),
        )
    assert ReportRun.objects.count() == 0
