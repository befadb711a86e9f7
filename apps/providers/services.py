"""Writes to the register. The web forms, the API, the file upload and the Celery task all
call these functions; none of them writes a household any other way.

Keeping the register current must not add work or noise: a household whose values are the
same as those stored is not saved again (no audit entry), but confirming it (by upload, by
the API or in one click) refreshes `last_confirmed_at` with one bulk update.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_value, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import smart_str

from apps.accounts.models import NotificationKind, User
from apps.accounts.notifications import notify
from apps.core.errors import DomainError
from apps.core.uploads import stored_errors

from . import importer
from .choices import VacancyStatus
from .models import (
    Carer,
    Household,
    HouseholdSkill,
    Provider,
    RegisterConfirmation,
    RegisterUpload,
    StaleRegisterNotice,
    Vacancy,
)
from .permissions import PROVIDER_ROLES
from .querysets import stale_before
from .validation import (
    CARER_FIELDS,
    HOUSEHOLD_FIELDS,
    LIVE_HOUSEHOLD_STATUSES,
    LIVE_VACANCY_STATUSES,
    VACANCY_FIELDS,
    CleanHousehold,
    Problem,
    RegisterLookups,
    household_validate,
)

if TYPE_CHECKING:
    import datetime as dt

logger = logging.getLogger(__name__)

MAX_STORED_ERRORS = 500
STALE_LIST_LIMIT = 50
CHUNK = 1000


# --- Who did it -------------------------------------------------------------------------


@contextlib.contextmanager
def _acting_as(user: User) -> Iterator[None]:
    """Record `user` as the actor of every audit entry written inside the block.

    The audit middleware knows the user of a signed-in web request, but not of an API call
    authenticated by token (DRF authenticates after the middleware ran), nor of a task. Set
    the actor here, then give the request's own audit context back.
    """
    previous = auditlog_value.get(None)
    remote = previous or {}
    try:
        with set_actor(
            user, remote_addr=remote.get("remote_addr"), remote_port=remote.get("remote_port")
        ):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


# --- One household ----------------------------------------------------------------------


def _problems_error(problems: Sequence[Problem]) -> DomainError:
    errors: dict[str, list[str]] = {}
    for p in problems:
        errors.setdefault(p.path, []).append(p.message)
    first = problems[0]
    message = (
        first.message if len(problems) == 1 else f"{len(problems)} problems: {first.message} …"
    )
    return DomainError(message, field=first.path, errors=errors)


def _lock(provider: Provider) -> None:
    """One writer per provider's register at a time (uploads, API calls, forms)."""
    Provider.objects.select_for_update().filter(pk=provider.pk).values_list("pk", flat=True).get()


def _existing(provider: Provider, references: Sequence[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    for start in range(0, len(references), CHUNK):
        qs = Household.objects.filter(
            provider=provider, reference__in=references[start : start + CHUNK]
        )
        qs = qs.select_related("provider__organisation").prefetch_related(
            Prefetch("carers", queryset=Carer.objects.order_by("id")),
            Prefetch("skills", queryset=HouseholdSkill.objects.order_by("id")),
            Prefetch("vacancies", queryset=Vacancy.objects.order_by("id")),
        )
        found.update((h.reference, h) for h in qs)
    return found


def _changed(obj: Any, values: Mapping[str, Any], fields: Sequence[str]) -> list[str]:
    return [f for f in fields if getattr(obj, f) != values[f]]


def _save(obj: Any, changed: list[str]) -> None:
    obj.save(update_fields=[*changed, "updated_at"] if hasattr(obj, "updated_at") else changed)


def _settle_history(clean: CleanHousehold, existing: Household | None, today: dt.date) -> None:
    """An approval date left blank keeps the stored one (today for a new household)."""
    fields = clean.fields
    if fields["approved_on"] is None:
        fields["approved_on"] = existing.approved_on if existing is not None else today
    ended_on = fields["approval_ended_on"]
    if ended_on is not None and ended_on < fields["approved_on"]:
        raise DomainError(
            f"Household {clean.reference}: approval_ended_on {ended_on:%d/%m/%Y} is before it "
            f"was approved ({fields['approved_on']:%d/%m/%Y}).",
            field="approval_ended_on",
        )


def _write(
    *, provider: Provider, clean: CleanHousehold, existing: Household | None, now: dt.datetime
) -> tuple[Household, str]:
    """Create or update one household and its rows; save only what differs.

    Returns the household and "created", "updated" or "unchanged".
    """
    _settle_history(clean, existing, timezone.localdate(now))
    if existing is None:
        household = Household.objects.create(
            provider=provider, reference=clean.reference, last_confirmed_at=now, **clean.fields
        )
        for carer in clean.carers:
            Carer.objects.create(household=household, **carer)
        for domain, level in clean.skills.values():
            HouseholdSkill.objects.create(household=household, domain=domain, level=level)
        for vacancy in clean.vacancies:
            Vacancy.objects.create(household=household, last_confirmed_at=now, **vacancy)
        return household, "created"

    household = existing
    touched = False
    changed = _changed(household, clean.fields, HOUSEHOLD_FIELDS)
    if changed:
        for f in changed:
            setattr(household, f, clean.fields[f])
        _save(household, changed)
        touched = True

    carers = list(household.carers.all())
    for i, values in enumerate(clean.carers):
        if i < len(carers):
            carer_changed = _changed(carers[i], values, CARER_FIELDS)
            if carer_changed:
                for f in carer_changed:
                    setattr(carers[i], f, values[f])
                _save(carers[i], carer_changed)
                touched = True
        else:
            Carer.objects.create(household=household, **values)
            touched = True
    for surplus in carers[len(clean.carers) :]:
        surplus.delete()
        touched = True

    skills = {s.domain_id: s for s in household.skills.all()}
    for domain_id, (domain, level) in clean.skills.items():
        skill = skills.pop(domain_id, None)
        if skill is None:
            HouseholdSkill.objects.create(household=household, domain=domain, level=level)
            touched = True
        elif skill.level_id != level.pk:
            skill.level = level
            skill.save(update_fields=["level"])
            touched = True
    for skill in skills.values():
        skill.delete()
        touched = True

    vacancies: dict[str, Vacancy] = {v.reference: v for v in household.vacancies.all()}
    for values in clean.vacancies:
        stored = vacancies.pop(values["reference"], None)
        if stored is None:
            Vacancy.objects.create(household=household, last_confirmed_at=now, **values)
            touched = True
            continue
        vacancy_changed = _changed(stored, values, VACANCY_FIELDS)
        if vacancy_changed:
            for f in vacancy_changed:
                setattr(stored, f, values[f])
            _save(stored, vacancy_changed)
            touched = True
    for gone in vacancies.values():
        gone.delete()
        touched = True
    return household, "updated" if touched else "unchanged"


def _create_many(
    *, provider: Provider, cleans: Sequence[CleanHousehold], now: dt.datetime, by: User
) -> list[Household]:
    """Create new households and their rows in bulk (a first upload of a whole register),
    with the same audit entries as saving them one by one would write."""
    for clean in cleans:
        _settle_history(clean, None, timezone.localdate(now))
    households = Household.objects.bulk_create(
        [
            Household(provider=provider, reference=c.reference, last_confirmed_at=now, **c.fields)
            for c in cleans
        ],
        batch_size=CHUNK,
    )
    pairs = list(zip(households, cleans, strict=True))
    carers = [Carer(household=h, **values) for h, c in pairs for values in c.carers]
    skills = [
        HouseholdSkill(household=h, domain=domain, level=level)
        for h, c in pairs
        for domain, level in c.skills.values()
    ]
    vacancies = [
        Vacancy(household=h, last_confirmed_at=now, **values)
        for h, c in pairs
        for values in c.vacancies
    ]
    Carer.objects.bulk_create(carers, batch_size=CHUNK)
    HouseholdSkill.objects.bulk_create(skills, batch_size=CHUNK)
    Vacancy.objects.bulk_create(vacancies, batch_size=CHUNK)
    _audit_created([*households, *carers, *skills, *vacancies], by)
    return households


def _audit_created(objects: Sequence[Any], by: User) -> None:
    """The audit entries django-auditlog writes on create, for rows made with bulk_create."""
    context = auditlog_value.get(None) or {}
    cid = get_cid()
    json_changes = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    entries = []
    for obj in objects:
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(obj),
                object_pk=str(obj.pk),
                object_id=obj.pk,
                object_repr=smart_str(obj),
                action=LogEntry.Action.CREATE,
                changes=model_instance_diff(None, obj, use_json_for_changes=json_changes),
                actor=by,
                actor_email=by.email,
                remote_addr=context.get("remote_addr"),
                remote_port=context.get("remote_port"),
                cid=cid,
            )
        )
    LogEntry.objects.bulk_create(entries, batch_size=CHUNK)


def _confirm(household_ids: Sequence[int], now: dt.datetime) -> tuple[int, int]:
    """Mark households and all their vacancies as confirmed now (a bulk update: no audit noise)."""
    households = vacancies = 0
    for start in range(0, len(household_ids), CHUNK):
        ids = household_ids[start : start + CHUNK]
        households += Household.objects.filter(pk__in=ids).update(last_confirmed_at=now)
        vacancies += Vacancy.objects.filter(household_id__in=ids).update(last_confirmed_at=now)
    return households, vacancies


def household_upsert(
    *, provider: Provider, by: User, data: Mapping[str, Any], must_be_new: bool = False
) -> tuple[Household, bool]:
    """Create or update one household (matched by its reference) with its carers, skills and
    vacancies, which are replaced by those given. Confirms it as current.

    Returns the household and whether anything changed. Raises DomainError naming every
    field at fault (``age_max``, ``carers.0.sex``, ``vacancies.1.hold_reason`` …).
    """
    lookups = RegisterLookups()
    clean, problems = household_validate(data=data, lookups=lookups)
    if problems or clean is None:
        raise _problems_error(problems)
    now = timezone.now()
    with transaction.atomic(), _acting_as(by):
        _lock(provider)
        existing = _existing(provider, [clean.reference]).get(clean.reference)
        if existing is not None and must_be_new:
            raise DomainError(
                f"You already have a household with the reference {clean.reference!r}.",
                field="reference",
            )
        household, outcome = _write(provider=provider, clean=clean, existing=existing, now=now)
        _confirm([household.pk], now)
    household.last_confirmed_at = now
    return household, outcome != "unchanged"


@transaction.atomic
def vacancy_set_status(
    *, vacancy: Vacancy, by: User, status: str, hold_reason: str = ""
) -> Vacancy:
    """Change one vacancy's status (which also confirms it as current)."""
    if status not in VacancyStatus.values:
        raise DomainError(f"{status!r} is not a vacancy status.", field="status")
    hold_reason = (hold_reason or "").strip()
    if status == VacancyStatus.ON_HOLD and not hold_reason:
        raise DomainError("A vacancy on hold needs a reason.", field="hold_reason")
    if len(hold_reason) > 200:
        raise DomainError("The reason is longer than 200 characters.", field="hold_reason")
    household = vacancy.household
    with _acting_as(by):
        _lock(household.provider)
        vacancy = Vacancy.objects.select_related("household").get(pk=vacancy.pk)
        if status in LIVE_VACANCY_STATUSES and vacancy.status not in LIVE_VACANCY_STATUSES:
            live = household.vacancies.filter(status__in=LIVE_VACANCY_STATUSES).count()
            if live + 1 > household.places:
                raise DomainError(
                    f"The household has {household.places} approved place(s) "
                    f"and {live} already open or on hold.",
                    field="status",
                )
        vacancy.status = status
        vacancy.hold_reason = hold_reason if status == VacancyStatus.ON_HOLD else ""
        vacancy.last_confirmed_at = timezone.now()
        vacancy.save(update_fields=["status", "hold_reason", "last_confirmed_at", "updated_at"])
    return vacancy


@transaction.atomic
def register_confirm_all(*, provider: Provider, by: User) -> RegisterConfirmation:
    """ "Everything is current": confirm every live household and its open or on-hold vacancies."""
    now = timezone.now()
    _lock(provider)
    live = Household.objects.filter(provider=provider, status__in=LIVE_HOUSEHOLD_STATUSES)
    households = live.update(last_confirmed_at=now)
    vacancies = Vacancy.objects.filter(
        household__in=live.values("pk"), status__in=LIVE_VACANCY_STATUSES
    ).update(last_confirmed_at=now)
    return RegisterConfirmation.objects.create(
        provider=provider, confirmed_by=by, households=households, vacancies=vacancies
    )


# --- The upload -------------------------------------------------------------------------


@dataclass
class UploadOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[importer.RowError] = field(default_factory=list)


def register_columns(*, vacancies: int = importer.TEMPLATE_VACANCIES) -> list[importer.Column]:
    """The register file's columns: the template's, with more vacancy slots when needed."""
    lookups = RegisterLookups()
    return importer.template_columns(list(lookups.domains), vacancies=vacancies)


def register_upload_process(*, provider: Provider, by: User, uploaded_file: Any) -> RegisterUpload:
    """Check a whole register file and, only if every row is right, write it in one transaction.

    The file is always recorded with who uploaded it and the outcome; the original is kept
    (except a file over the size limit, which is recorded as rejected without its bytes).
    Every problem is reported with its row, column and a hint; nothing is written if any.
    """
    name = os.path.basename(getattr(uploaded_file, "name", "") or "upload")[:255]
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > importer.MAX_UPLOAD_BYTES:
        return _record(provider, by, name, size, None, _too_big(size))
    content = uploaded_file.read(importer.MAX_UPLOAD_BYTES + 1)
    if len(content) > importer.MAX_UPLOAD_BYTES:
        return _record(provider, by, name, len(content), None, _too_big(len(content)))

    lookups = RegisterLookups()
    columns = importer.upload_columns(list(lookups.domains))
    try:
        parsed = importer.read_register_file(name, content, columns)
    except importer.FileRejected as rejected:
        return _record(provider, by, name, len(content), content, [rejected.error])

    errors = list(parsed.errors)
    lookups.load_districts(r.data.get("postcode_district", "") for r in parsed.rows)
    cleaned: list[CleanHousehold] = []
    for row in parsed.rows:
        clean, problems = household_validate(data=row.data, lookups=lookups)
        for problem in problems:
            error = row.error_for(problem)
            if error.column not in row.failed:
                errors.append(error)
        if clean is not None:
            cleaned.append(clean)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        return _record(
            provider,
            by,
            name,
            len(content),
            content,
            errors,
            summary={"rows": len(parsed.rows), "format": parsed.format},
        )

    now = timezone.now()
    outcome = UploadOutcome()
    try:
        with transaction.atomic(), _acting_as(by):
            _lock(provider)
            existing = _existing(provider, [c.reference for c in cleaned])
            ids = []
            for clean in cleaned:
                if clean.reference not in existing:
                    continue
                household, result = _write(
                    provider=provider, clean=clean, existing=existing[clean.reference], now=now
                )
                ids.append(household.pk)
                setattr(outcome, result, getattr(outcome, result) + 1)
            _confirm(ids, now)
            new = [c for c in cleaned if c.reference not in existing]
            created = _create_many(provider=provider, cleans=new, now=now, by=by)
            outcome.created = len(created)
            ids += [h.pk for h in created]
            not_in_file = (
                Household.objects.filter(provider=provider, status__in=LIVE_HOUSEHOLD_STATUSES)
                .exclude(pk__in=ids)
                .count()
            )
            summary = {
                "rows": len(parsed.rows),
                "format": parsed.format,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "not_in_file": not_in_file,
            }
            return _record(provider, by, name, len(content), content, [], summary=summary)
    except DomainError as err:
        error = importer.RowError(None, err.field or "", str(err), "Correct it and upload again.")
        return _record(provider, by, name, len(content), content, [error])
    except IntegrityError:
        logger.exception("register upload %s for provider %s failed to write", name, provider.pk)
        error = importer.RowError(
            None,
            "",
            "The file could not be written because the register changed while it was read.",
            "Upload it again.",
        )
        return _record(provider, by, name, len(content), content, [error])


def _too_big(size: int) -> list[importer.RowError]:
    limit = importer.MAX_UPLOAD_BYTES // (1024 * 1024)
    return [
        importer.RowError(
            None,
            "",
            f"The file is {size / (1024 * 1024):.1f} MB; the largest file accepted is {limit} MB.",
            "Remove anything other than the households sheet, "
            "or split the register into several files.",
        )
    ]


def _record(
    provider: Provider,
    by: User,
    name: str,
    size: int,
    content: bytes | None,
    errors: Sequence[importer.RowError],
    summary: dict[str, Any] | None = None,
) -> RegisterUpload:
    summary = dict(summary or {})
    summary["error_count"] = len(errors)
    upload = RegisterUpload(
        provider=provider,
        uploaded_by=by,
        original_name=name,
        sha256=hashlib.sha256(content).hexdigest() if content is not None else "",
        size=size,
        outcome=RegisterUpload.Outcome.REJECTED if errors else RegisterUpload.Outcome.ACCEPTED,
        summary=summary,
        # The first errors, each text clipped: the page says how many more there are.
        errors=stored_errors([e.as_dict() for e in errors[:MAX_STORED_ERRORS]]),
    )
    if content is not None:
        upload.original.save(name, ContentFile(content), save=False)
    upload.save()
    return upload


# --- Stale records ----------------------------------------------------------------------


def stale_register_notify(*, today: dt.date | None = None) -> dict[str, int]:
    """Email each provider the households and vacancies it has not confirmed for 14 days.

    At most one email a day per provider (a `StaleRegisterNotice` row records it), so the
    task is safe to run again or to retry.
    """
    today = today or timezone.localdate()
    cutoff = stale_before()
    stale_households = Household.objects.filter(
        status__in=LIVE_HOUSEHOLD_STATUSES, last_confirmed_at__lt=cutoff
    )
    stale_vacancies = Vacancy.objects.filter(
        status__in=LIVE_VACANCY_STATUSES,
        household__status__in=LIVE_HOUSEHOLD_STATUSES,
        last_confirmed_at__lt=cutoff,
    )
    per_provider: dict[int, list[int]] = {}
    for provider_id, n in stale_households.values_list("provider_id").annotate(n=Count("id")):
        per_provider.setdefault(provider_id, [0, 0])[0] = n
    for provider_id, n in stale_vacancies.values_list("household__provider_id").annotate(
        n=Count("id")
    ):
        per_provider.setdefault(provider_id, [0, 0])[1] = n
    done = set(
        StaleRegisterNotice.objects.filter(sent_on=today, provider_id__in=per_provider).values_list(
            "provider_id", flat=True
        )
    )
    counts = {"providers": 0, "emails": 0, "already_notified": len(done), "no_recipients": 0}
    link = settings.SITE_URL.rstrip("/") + reverse("providers:household_list") + "?stale=yes"
    providers = Provider.objects.select_related("organisation").in_bulk(
        [pk for pk in per_provider if pk not in done]
    )
    for pk, provider in sorted(providers.items()):
        n_households, n_vacancies = per_provider[pk]
        recipients = _stale_recipients(provider)
        try:
            with transaction.atomic():
                StaleRegisterNotice.objects.create(
                    provider=provider,
                    sent_on=today,
                    households=n_households,
                    vacancies=n_vacancies,
                    recipients=recipients,
                )
                counts["providers"] += 1
                if not recipients:
                    counts["no_recipients"] += 1
                    continue
                context = {
                    "provider": provider,
                    "households": stale_households.filter(provider=provider).order_by(
                        "last_confirmed_at"
                    )[:STALE_LIST_LIMIT],
                    "vacancies": stale_vacancies.filter(household__provider=provider)
                    .select_related("household")
                    .order_by("last_confirmed_at")[:STALE_LIST_LIMIT],
                    "n_households": n_households,
                    "n_vacancies": n_vacancies,
                    "limit": STALE_LIST_LIMIT,
                    "link": link,
                    "days": (timezone.now() - cutoff).days,
                }
                subject = render_to_string(
                    "providers/email/stale_register_subject.txt", context
                ).strip()
                to = notify(
                    recipients=recipients,
                    kind=NotificationKind.REGISTER_STALE,
                    text=subject,
                    link=reverse("providers:household_list") + "?stale=yes",
                )
                if to:
                    send_mail(
                        subject=subject,
                        message=render_to_string("providers/email/stale_register.txt", context),
                        from_email=None,
                        recipient_list=to,
                    )
                    counts["emails"] += 1
        except IntegrityError:
            # Another run notified this provider today.
            counts["already_notified"] += 1
    return counts


def _stale_recipients(provider: Provider) -> list[str]:
    if provider.contact_email:
        return [provider.contact_email]
    return sorted(
        set(
            User.objects.filter(
                is_active=True,
                memberships__organisation_id=provider.pk,
                memberships__role__in=PROVIDER_ROLES,
            ).values_list("email", flat=True)
        )
    )
