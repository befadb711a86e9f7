"""The return's cycle: submit, identical again, resubmit with a diff, query, answer, accept,
and the beat task's reminders and overdue flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.monitoring.choices import Channel, QueryStatus, ReturnStatus, SubmissionOutcome
from apps.monitoring.models import MonitoringReturn, ReturnReminder, ReturnVersion
from apps.monitoring.quarters import Quarter
from apps.monitoring.services import (
    return_accept,
    return_query_raise,
    return_query_reply,
    return_submit_file,
    return_submit_records,
    returns_open_for_quarter,
    returns_remind,
)
from tests.monitoring.factories import (
    QUARTER,
    complete_records,
    csv_file,
    due_return,
    placement,
    xlsx_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ret(world):
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    placement(
        world.ifa, world.la, start=dt.date(2025, 9, 1), end=dt.date(2025, 11, 20), reason="CARPL"
    )
    return due_return(world.ifa)


def test_quarter_arithmetic():
    q = Quarter.parse("2025-26 Q3")
    assert (q.start, q.end, q.due_on) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 31),
    )
    assert Quarter.of(dt.date(2026, 2, 3)) == Quarter(2025, 4)
    assert Quarter(2025, 4).due_on == dt.date(2026, 4, 30)
    assert Quarter(2025, 1).previous() == Quarter(2024, 4)
    assert Quarter.parse(q.code) == q
    with pytest.raises(ValueError):
        Quarter.parse("2025-27 Q1")


def test_submission_makes_a_version_and_the_identical_file_again_does_not(world, ret):
    data_officer = world.users[Role.PROVIDER_DATA]
    records = complete_records(ret)
    first = return_submit_file(
        monitoring_return=ret, by=data_officer, uploaded_file=csv_file(records)
    )
    assert first.outcome == SubmissionOutcome.ACCEPTED, first.errors
    assert first.version.number == 1 and first.version.placement_count == 2
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and ret.first_submitted_at

    again = return_submit_file(
        monitoring_return=ret, by=data_officer, uploaded_file=csv_file(records)
    )
    assert again.outcome == SubmissionOutcome.UNCHANGED and again.version == first.version
    # The same content in another file type, rows reordered, is no new version either.
    reordered = list(reversed(records))
    as_xlsx = return_submit_file(
        monitoring_return=ret, by=data_officer, uploaded_file=xlsx_file(reordered)
    )
    assert as_xlsx.outcome == SubmissionOutcome.UNCHANGED
    assert ReturnVersion.objects.filter(monitoring_return=ret).count() == 1
    assert ret.submissions.count() == 3
    assert all(s.original for s in ret.submissions.all())


def test_resubmission_is_a_new_version_with_a_diff(world, ret):
    data_officer = world.users[Role.PROVIDER_DATA]
    records = complete_records(ret)
    return_submit_records(
        monitoring_return=ret, by=data_officer, records=records, channel=Channel.WEB
    )
    changed = complete_records(ret, complaints="4")
    for r in changed:
        if r["record"] == "PLACEMENT" and r["end_date"]:
            r["reason_ended"] = "CREQB"
    second = return_submit_records(
        monitoring_return=ret, by=data_officer, records=changed, channel=Channel.API
    )
    assert second.outcome == SubmissionOutcome.ACCEPTED, second.errors
    diff = second.version.diff
    assert second.version.number == 2 and diff["from_version"] == 1
    assert {"item": "complaints", "before": 1, "after": 4} in diff["figures"]
    assert diff["placements"]["changed"] == 1
    assert diff["placements"]["rows"][0]["fields"] == {"reason_ended": ["CARPL", "CREQB"]}


def test_query_answer_resubmit_accept(world, ret, django_capture_on_commit_callbacks):
    data_officer = world.users[Role.PROVIDER_DATA]
    commissioner = world.users[Role.COMMISSIONER]
    return_submit_records(
        monitoring_return=ret, by=data_officer, records=complete_records(ret), channel=Channel.WEB
    )
    with django_capture_on_commit_callbacks(execute=True):
        query = return_query_raise(
            monitoring_return=ret, by=commissioner, subject="complaints", body="Only 1 complaint?"
        )
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.QUERIED and query.raised_for == world.rcc
    assert mail.outbox and data_officer.email in mail.outbox[-1].to

    answer = return_query_reply(query=query, by=data_officer, body="There were 3: corrected.")
    assert answer.from_provider
    query.refresh_from_db()
    assert query.status == QueryStatus.ANSWERED
    return_submit_records(
        monitoring_return=ret,
        by=data_officer,
        records=complete_records(ret, complaints="3"),
        channel=Channel.WEB,
    )
    ret.refresh_from_db()
    assert ret.status == ReturnStatus.SUBMITTED and ret.current_version.number == 2

    return_accept(monitoring_return=ret, by=commissioner)
    ret.refresh_from_db()
    query.refresh_from_db()
    assert ret.status == ReturnStatus.ACCEPTED and ret.accepted_for == world.rcc
    assert query.status == QueryStatus.CLOSED
    with pytest.raises(DomainError, match="already been accepted"):
        return_accept(monitoring_return=ret, by=commissioner)
    with pytest.raises(DomainError, match="accepted"):
        return_query_raise(monitoring_return=ret, by=commissioner, subject="complaints", body="?")


def test_nothing_to_accept_or_query_before_a_submission(world, ret):
    commissioner = world.users[Role.COMMISSIONER]
    with pytest.raises(DomainError, match="Nothing has been submitted"):
        return_accept(monitoring_return=ret, by=commissioner)
    with pytest.raises(DomainError, match="Nothing has been submitted"):
        return_query_raise(monitoring_return=ret, by=commissioner, subject="complaints", body="?")


def test_returns_open_once_per_provider_and_quarter(world):
    from tests.monitoring.factories import provider_of

    provider_of(world.ifa), provider_of(world.other_ifa), provider_of(world.la_service)
    assert returns_open_for_quarter(quarter=QUARTER) == 3
    assert returns_open_for_quarter(quarter=QUARTER) == 0
    assert MonitoringReturn.objects.filter(quarter_start=QUARTER.start).count() == 3


def test_reminders_and_overdue_flags_are_idempotent(world, django_capture_on_commit_callbacks):
    ret = due_return(world.ifa)
    data_officer = world.users[Role.PROVIDER_DATA]
    week_before = QUARTER.due_on - dt.timedelta(days=5)
    with django_capture_on_commit_callbacks(execute=True):
        first = returns_remind(today=week_before)
    assert first["reminded"] == 1 and first["overdue_flagged"] == 0
    assert [data_officer.email] == mail.outbox[-1].to
    assert returns_remind(today=week_before)["reminded"] == 0

    late = QUARTER.due_on + dt.timedelta(days=3)
    result = returns_remind(today=late)
    assert result["overdue_flagged"] == 1 and result["overdue_notices"] == 1
    ret.refresh_from_db()
    assert ret.is_overdue and ret.overdue_since == QUARTER.due_on + dt.timedelta(days=1)
    again = returns_remind(today=late + dt.timedelta(days=1))
    assert again["overdue_flagged"] == 0 and again["overdue_notices"] == 0
    assert ReturnReminder.objects.filter(monitoring_return=ret).count() == 2
    # The beat task also opened the last ended quarter's returns for every provider.
    assert MonitoringReturn.objects.filter(quarter_start=Quarter.last_ended(late).start).exists()


def test_the_beat_schedule_runs_the_cycle_and_the_nightly_refresh(world, settings):
    from config.celery_app import app

    scheduled = {
        v["task"] for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("monitoring-")
    }
    assert scheduled == {
        "apps.monitoring.tasks.returns_cycle",
        "apps.monitoring.tasks.refresh_scorecards",
    }
    app.loader.import_default_modules()  # autodiscovery, as a worker does on start
    assert scheduled <= set(app.tasks)
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    assert app.tasks["apps.monitoring.tasks.returns_cycle"].delay().get()["opened"] >= 1
    assert (
        app.tasks["apps.monitoring.tasks.refresh_scorecards"].delay(quarters=[QUARTER.code]).get()
        >= 1
    )
