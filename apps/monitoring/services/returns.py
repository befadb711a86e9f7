"""Writes of the return cycle: open the quarter's returns, submit (web form, file or API, one
validator), query, answer, accept, and the reminders and overdue flags of the beat task."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.uploads import MAX_STORED_ERRORS, stored_errors
from apps.providers.models import Provider

from .. import notify
from ..choices import Channel, QueryStatus, ReminderKind, ReturnStatus, SubmissionOutcome
from ..format import MAX_UPLOAD_BYTES, format_for
from ..models import (
    MonitoringReturn,
    ReturnPlacement,
    ReturnQuery,
    ReturnQueryMessage,
    ReturnReminder,
    ReturnSubmission,
    ReturnVersion,
)
from ..permissions import require_accept, require_review, works_for_provider
from ..quarters import Quarter
from ..querysets import monitoring_scope
from ..reader import FileRejected, Record, RowError, read_return_file
from ..selectors import return_owner_id, validation_context
from ..validation import CleanReturn, validate_return

logger = logging.getLogger(__name__)
DIFF_ROWS_KEPT = 500


# --- Opening the quarter -------------------------------------------------------------------


def return_open(*, provider: Provider, quarter: Quarter) -> MonitoringReturn:
    """The provider's return for the quarter, created (due) if it does not exist yet."""
    ret, _ = MonitoringReturn.objects.get_or_create(
        provider=provider, quarter_start=quarter.start, defaults={"due_on": quarter.due_on}
    )
    return ret


def returns_open_for_quarter(*, quarter: Quarter) -> int:
    """A due return for every active provider for the quarter. Idempotent; returns how many new."""
    have = set(
        MonitoringReturn.objects.filter(quarter_start=quarter.start).values_list(
            "provider_id", flat=True
        )
    )
    missing = [
        MonitoringReturn(provider_id=pk, quarter_start=quarter.start, due_on=quarter.due_on)
        for pk in Provider.objects.filter(organisation__is_active=True).values_list("pk", flat=True)
        if pk not in have
    ]
    MonitoringReturn.objects.bulk_create(missing, batch_size=1000, ignore_conflicts=True)
    return len(missing)


# --- Submitting ----------------------------------------------------------------------------


def return_submit_file(
    *,
    monitoring_return: MonitoringReturn,
    by: User,
    uploaded_file: Any,
    channel: str = Channel.FILE,
) -> ReturnSubmission:
    """Check a CSV or XLSX return and, only if every row passes, store it as a new version.

    The attempt is always recorded with the original file and every problem found."""
    name = os.path.basename(getattr(uploaded_file, "name", "") or "return")[:255]
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        return _too_big(monitoring_return, by, channel, name, size)
    content = uploaded_file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _too_big(monitoring_return, by, channel, name, len(content))

    def read(ret: MonitoringReturn) -> list[Record]:
        return read_return_file(name, content, format_for(ret.quarter)).records

    return _submit(
        monitoring_return=monitoring_return,
        by=by,
        channel=channel,
        name=name,
        content=content,
        read=read,
    )


def return_submit_records(
    *,
    monitoring_return: MonitoringReturn,
    by: User,
    records: list[dict[str, Any]],
    channel: str,
    labels: list[str] | None = None,
) -> ReturnSubmission:
    """The web form and the API's JSON: the same rows as a file, through the same validator.
    What was sent is kept as a JSON original."""
    content = json.dumps({"records": records}, default=str, indent=1).encode("utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"{'web-form' if channel == Channel.WEB else 'api'}-{stamp}.json"

    def read(ret: MonitoringReturn) -> list[Record]:
        out = []
        for i, values in enumerate(records, start=1):
            if not isinstance(values, dict):
                raise FileRejected(
                    f"Record {i} is not an object of column names and values.",
                    'Send {"records": [{"record": "FIGURE", ...}, ...]}.',
                )
            label = labels[i - 1] if labels and i <= len(labels) else ""
            out.append(
                Record(number=i, values={str(k).lower(): v for k, v in values.items()}, label=label)
            )
        if not out:
            raise FileRejected("The return has no records.", "Send at least the FIGURE records.")
        fmt = format_for(ret.quarter)
        unknown = sorted({k for r in out for k in r.values if k not in fmt.column_names})
        if unknown:
            raise FileRejected(
                f"Unknown field(s): {', '.join(unknown)}.",
                f"Use the {fmt.version} column names (GET /api/v1/monitoring/format/).",
            )
        for r in out:
            for column in fmt.column_names:
                r.values.setdefault(column, None)
        return out

    return _submit(
        monitoring_return=monitoring_return,
        by=by,
        channel=channel,
        name=name,
        content=content,
        read=read,
    )


def _too_big(
    ret: MonitoringReturn, by: User, channel: str, name: str, size: int
) -> ReturnSubmission:
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)
    error = RowError(
        None,
        "",
        f"The file is {size / (1024 * 1024):.1f} MB; the largest accepted is {limit} MB.",
        "Remove other sheets and formatting, save as CSV, or send it through the API.",
    )
    return ReturnSubmission.objects.create(
        monitoring_return=ret,
        channel=channel,
        original_name=name,
        size=size,
        submitted_by=by,
        outcome=SubmissionOutcome.REJECTED,
        error_count=1,
        errors=[error.as_dict()],
    )


@transaction.atomic
def _submit(
    *,
    monitoring_return: MonitoringReturn,
    by: User,
    channel: str,
    name: str,
    content: bytes,
    read: Callable[[MonitoringReturn], list[Record]],
) -> ReturnSubmission:
    ret = (
        MonitoringReturn.objects.select_for_update(of=("self",))
        .select_related("current_version")
        .get(pk=monitoring_return.pk)
    )
    quarter = ret.quarter
    fmt = format_for(quarter)
    submission = ReturnSubmission(
        monitoring_return=ret,
        channel=channel,
        original_name=name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        submitted_by=by,
        format_version=fmt.version,
    )
    ext = os.path.splitext(name)[1].lower()[:6] or ".bin"
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    submission.original.save(
        f"{ret.provider_id}-{quarter.code}-{stamp}{ext}", ContentFile(content), save=False
    )

    if ret.status == ReturnStatus.ACCEPTED:
        when = (
            timezone.localtime(ret.accepted_at).strftime("%d %B %Y")
            if ret.accepted_at
            else "already"
        )
        return _reject(
            submission,
            [
                RowError(
                    None,
                    "(return)",
                    f"The {quarter.short} return was accepted on {when}; an accepted quarter "
                    "cannot be resubmitted.",
                    "Nothing was changed; your file is kept. If an accepted figure is wrong, "
                    "tell the RCC commissioner and correct it in next quarter's return.",
                )
            ],
        )
    try:
        records = read(ret)
    except FileRejected as rejected:
        return _reject(submission, [rejected.error])
    submission.rows = len(records)
    clean, errors = validate_return(records, validation_context(ret, fmt))
    if errors or clean is None:
        return _reject(submission, errors)

    submission.content_hash = clean.content_hash()
    current = ret.current_version
    if current is not None and current.content_hash == submission.content_hash:
        submission.outcome = SubmissionOutcome.UNCHANGED
        submission.version = current
        submission.save()
        return submission
    try:
        with transaction.atomic():
            version = _write_version(ret, clean, by, current, submission.content_hash)
    except IntegrityError:
        logger.exception("return %s: version write failed", ret.pk)
        return _reject(
            submission,
            [
                RowError(
                    None, "", "The return changed while it was being saved.", "Submit it again."
                )
            ],
        )
    now = timezone.now()
    ret.current_version = version
    ret.status = ReturnStatus.SUBMITTED
    ret.first_submitted_at = ret.first_submitted_at or now
    ret.last_submitted_at = now
    ret.save(
        update_fields=[
            "current_version",
            "status",
            "first_submitted_at",
            "last_submitted_at",
            "updated_at",
        ]
    )
    submission.outcome = SubmissionOutcome.ACCEPTED
    submission.version = version
    submission.save()
    _refresh_later(ret)
    return submission


def _reject(submission: ReturnSubmission, errors: list[RowError]) -> ReturnSubmission:
    submission.outcome = SubmissionOutcome.REJECTED
    submission.error_count = len(errors)
    # The first errors, each text clipped, and a line saying how many more were found.
    kept = stored_errors([e.as_dict() for e in errors[:MAX_STORED_ERRORS]])
    if len(errors) > MAX_STORED_ERRORS:
        more = RowError(
            None,
            "",
            f"And {len(errors) - MAX_STORED_ERRORS:,} more problems not listed here "
            f"({len(errors):,} in all).",
            "Fix the problems listed (the same mistake is often repeated down a column), "
            "then submit the file again to see the rest.",
        )
        kept.append(more.as_dict())
    submission.errors = kept
    submission.save()
    return submission


def _write_version(
    ret: MonitoringReturn, clean: CleanReturn, by: User, previous: Any, content_hash: str
) -> ReturnVersion:
    number = (ret.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ReturnVersion.objects.create(
        monitoring_return=ret,
        number=number,
        format_version=clean.format_version,
        content_hash=content_hash,
        figures=clean.figures,
        carer_changes=clean.carer_changes,
        placement_count=len(clean.placements),
        diff=_diff(previous, clean) if previous is not None else {},
        submitted_by=by,
    )
    _insert_placements(version, clean.placements)
    return version


COPY_COLUMNS = (
    "version_id", "row", "child_ref", "placement_id", "la_id", "rcc_id", "placement_type",
    "start_date", "end_date", "reason_ended", "household_ref",
)  # fmt: skip


def _insert_placements(version: ReturnVersion, placements: list[Any]) -> None:
    """The version's placement rows: PostgreSQL's COPY (a 10,000-row return in a fraction of a
    second), or bulk inserts elsewhere (the SQLite demo)."""
    rows = [
        (version.pk, p.row, p.child_ref, p.placement_id, p.la_id, p.rcc_id, p.placement_type,
         p.start_date, p.end_date, p.reason_ended, p.household_ref)
        for p in placements
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        sql = f"COPY {ReturnPlacement._meta.db_table} ({', '.join(COPY_COLUMNS)}) FROM STDIN"
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    ReturnPlacement.objects.bulk_create(
        [ReturnPlacement(**dict(zip(COPY_COLUMNS, row, strict=True))) for row in rows],
        batch_size=2000,
    )


PLACEMENT_FIELDS = (
    "placement_ref",
    "la_code",
    "placement_type",
    "end_date",
    "reason_ended",
    "household_ref",
)


def _diff(previous: ReturnVersion, clean: CleanReturn) -> dict[str, Any]:
    """What changed from the version before: figures, carer rows and placement rows."""
    figures = [
        {"item": item, "before": previous.figures.get(item), "after": clean.figures.get(item)}
        for item in dict.fromkeys([*previous.figures, *clean.figures])
        if previous.figures.get(item) != clean.figures.get(item)
    ]

    def change_key(c: dict[str, Any]) -> tuple[str, str, str, str]:
        return (c["household_ref"], c["change"], c["change_date"], c.get("change_reason", ""))

    before_changes = {change_key(c) for c in previous.carer_changes}
    after_changes = {change_key(c) for c in clean.carer_changes}
    rows = previous.placements.values_list(
        "child_ref",
        "start_date",
        "placement_id",
        "la__dfe_la_code",
        "placement_type",
        "end_date",
        "reason_ended",
        "household_ref",
    )
    before: dict[str, dict[str, str]] = {}
    for child_ref, start, pid, la_code, ptype, end, reason, household in rows:
        before[f"{child_ref}|{start.isoformat()}"] = {
            "placement_ref": f"PL-{pid}" if pid else "",
            "la_code": la_code,
            "placement_type": ptype,
            "end_date": end.isoformat() if end else "",
            "reason_ended": reason,
            "household_ref": household,
        }
    after = {p.key(): p.canonical() for p in clean.placements}
    listed: list[dict[str, Any]] = []
    counts = {"added": 0, "removed": 0, "changed": 0}
    for key in sorted(set(before) | set(after)):
        child_ref, started = key.split("|")
        if key not in before:
            counts["added"] += 1
            entry = {"change": "added", "child_ref": child_ref, "start_date": started, "fields": {}}
        elif key not in after:
            counts["removed"] += 1
            entry = {
                "change": "removed",
                "child_ref": child_ref,
                "start_date": started,
                "fields": {},
            }
        else:
            fields = {
                f: [before[key][f], after[key][f]]
                for f in PLACEMENT_FIELDS
                if before[key][f] != after[key][f]
            }
            if not fields:
                continue
            counts["changed"] += 1
            entry = {
                "change": "changed",
                "child_ref": child_ref,
                "start_date": started,
                "fields": fields,
            }
        if len(listed) < DIFF_ROWS_KEPT:
            listed.append(entry)
    return {
        "from_version": previous.number,
        "figures": figures,
        "carer_changes": {
            "added": [list(k) for k in sorted(after_changes - before_changes)],
            "removed": [list(k) for k in sorted(before_changes - after_changes)],
        },
        "placements": {**counts, "rows": listed},
    }


def _refresh_later(ret: MonitoringReturn) -> None:
    from ..tasks import refresh_scorecards

    provider_id, code = ret.provider_id, ret.quarter.code
    transaction.on_commit(
        lambda: refresh_scorecards.delay(provider_ids=[provider_id], quarters=[code])
    )


# --- Review: query, answer, accept ---------------------------------------------------------


@transaction.atomic
def return_query_raise(
    *, monitoring_return: MonitoringReturn, by: User, subject: str, body: str
) -> ReturnQuery:
    """A commissioner asks about one figure or row; the return is shown as queried."""
    org = require_review(by, monitoring_return)
    ret = MonitoringReturn.objects.select_for_update().get(pk=monitoring_return.pk)
    if ret.status == ReturnStatus.ACCEPTED:
        raise DomainError("This return has been accepted; it can no longer be queried.")
    if ret.status == ReturnStatus.DUE:
        raise DomainError("Nothing has been submitted yet: there is nothing to query.")
    subject, body = subject.strip(), body.strip()
    if not subject:
        raise DomainError("Say which figure or row you are asking about.", field="subject")
    if not body:
        raise DomainError("Write your question.", field="body")
    query = ReturnQuery.objects.create(
        monitoring_return=ret,
        version_id=ret.current_version_id,
        subject=subject[:120],
        raised_by=by,
        raised_for=org,
    )
    ReturnQueryMessage.objects.create(query=query, author=by, from_provider=False, body=body)
    ret.status = ReturnStatus.QUERIED
    ret.save(update_fields=["status", "updated_at"])
    recipients = notify.provider_data_officers(ret.provider_id)
    context = {
        "provider": str(ret.provider),
        "quarter": ret.quarter,
        "subject": query.subject,
        "body": body,
        "raised_for": org.name,
        "url": notify.return_url(ret.pk),
    }
    transaction.on_commit(
        lambda: notify.send(
            "query_raised",
            f"Question about your {ret.quarter.short} monitoring return",
            recipients,
            **context,
        )
    )
    return query


@transaction.atomic
def return_query_reply(*, query: ReturnQuery, by: User, body: str) -> ReturnQueryMessage:
    """A message in the thread: the provider's answer, or the commissioner's follow-up."""
    query = (
        ReturnQuery.objects.select_for_update(of=("self",))
        .select_related("monitoring_return__provider__organisation", "raised_by")
        .get(pk=query.pk)
    )
    ret = query.monitoring_return
    if query.status == QueryStatus.CLOSED:
        raise DomainError("This query is closed.")
    body = body.strip()
    if not body:
        raise DomainError("Write your message.", field="body")
    from_provider = works_for_provider(by, ret.provider_id) and not by.is_superuser
    if not from_provider:
        require_review(by, ret)
        scope = monitoring_scope(by)
        if not scope.national and query.raised_for_id not in scope.rcc_ids:
            # An RCC writes only in its own threads (about its own children's rows).
            raise PermissionDenied("Only the RCC that raised this query writes in it.")
    message = ReturnQueryMessage.objects.create(
        query=query, author=by, from_provider=from_provider, body=body
    )
    query.status = QueryStatus.ANSWERED if from_provider else QueryStatus.OPEN
    query.save(update_fields=["status"])
    recipients = (
        [query.raised_by.email] if from_provider else notify.provider_data_officers(ret.provider_id)
    )
    context = {
        "provider": str(ret.provider),
        "quarter": ret.quarter,
        "subject": query.subject,
        "body": body,
        "url": notify.return_url(ret.pk),
    }
    transaction.on_commit(
        lambda: notify.send(
            "query_reply",
            f"Monitoring return {ret.quarter.short}: new message",
            recipients,
            **context,
        )
    )
    return message


@transaction.atomic
def return_accept(*, monitoring_return: MonitoringReturn, by: User) -> MonitoringReturn:
    """The owner RCC's commissioner (or the NCC's) accepts the current version; open queries
    close; no more resubmissions. The owner is the RCC whose LAs' children make up the most
    rows of the current version (`selectors.return_owner_id`); any other RCC may query it but
    not accept it (PermissionDenied, nothing changed)."""
    require_review(by, monitoring_return)
    ret = (
        MonitoringReturn.objects.select_for_update(of=("self",))
        .select_related("provider__organisation", "current_version")
        .get(pk=monitoring_return.pk)
    )
    if ret.status == ReturnStatus.ACCEPTED:
        raise DomainError("This return has already been accepted.")
    if ret.current_version_id is None:
        raise DomainError("Nothing has been submitted yet: there is nothing to accept.")
    org = require_accept(by, return_owner_id(ret))
    now = timezone.now()
    ret.status = ReturnStatus.ACCEPTED
    ret.accepted_at, ret.accepted_by, ret.accepted_for = now, by, org
    ret.save(update_fields=["status", "accepted_at", "accepted_by", "accepted_for", "updated_at"])
    ret.queries.exclude(status=QueryStatus.CLOSED).update(status=QueryStatus.CLOSED, closed_at=now)
    recipients = notify.provider_data_officers(ret.provider_id)
    context = {
        "provider": str(ret.provider),
        "quarter": ret.quarter,
        "version": ret.current_version.number,  # type: ignore[union-attr]
        "accepted_for": org.name,
        "accepted_at": now,
        "url": notify.return_url(ret.pk),
    }
    transaction.on_commit(
        lambda: notify.send(
            "return_accepted",
            f"Monitoring return {ret.quarter.short} accepted",
            recipients,
            **context,
        )
    )
    _refresh_later(ret)
    return ret


# --- The beat task: open, remind, flag overdue ---------------------------------------------

REMIND_DAYS_BEFORE = 7


def returns_remind(*, today: dt.date) -> dict[str, int]:
    """Open the last ended quarter's returns; remind once when due within a week; flag and notify
    once when overdue. Safe to run any number of times a day."""
    opened = returns_open_for_quarter(quarter=Quarter.last_ended(today))
    due = MonitoringReturn.objects.filter(status=ReturnStatus.DUE)
    flagged = due.filter(due_on__lt=today, overdue_since__isnull=True)
    flagged_count = 0
    for ret in flagged.only("pk", "due_on"):
        flagged_count += MonitoringReturn.objects.filter(
            pk=ret.pk, overdue_since__isnull=True
        ).update(overdue_since=ret.due_on + dt.timedelta(days=1))
    soon = _remind(
        due.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE)),
        ReminderKind.DUE_SOON,
        today,
        "reminder_due_soon",
        "Your monitoring return for {q} is due on {d}",
    )
    late = _remind(
        due.filter(due_on__lt=today),
        ReminderKind.OVERDUE,
        today,
        "reminder_overdue",
        "Your monitoring return for {q} is overdue",
    )
    return {
        "opened": opened,
        "overdue_flagged": flagged_count,
        "reminded": soon,
        "overdue_notices": late,
    }


def _remind(qs: Any, kind: str, today: dt.date, template: str, subject: str) -> int:
    sent = 0
    for ret in qs.exclude(reminders__kind=kind).select_related("provider__organisation"):
        recipients = notify.provider_data_officers(ret.provider_id)
        with transaction.atomic():
            _, created = ReturnReminder.objects.get_or_create(
                monitoring_return=ret,
                kind=kind,
                defaults={"sent_on": today, "recipients": recipients},
            )
            if not created:
                continue
            context = {
                "provider": str(ret.provider),
                "quarter": ret.quarter,
                "due_on": ret.due_on,
                "url": notify.return_url(ret.pk),
            }
            text = subject.format(q=ret.quarter.short, d=ret.due_on.strftime("%d %B %Y"))
            transaction.on_commit(partial(notify.send, template, text, recipients, **context))
            sent += 1
    return sent
