"""Writes to a child's record and needs (LA side).

A child record holds only what the search needs: a local identifier instead of a name, the
case-system id (kept LA-side), date of birth, sex, ethnicity, religion, languages, legal
status and home postcode district. Each needs assessment is a new version; versions are
never edited. Every change is audited by django-auditlog with the acting user.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from auditlog.context import auditlog_value, set_actor
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation, PostcodeDistrict
from apps.organisations.services import normalise_postcode
from apps.providers.choices import LANGUAGES
from apps.referrals.choices import CareHistorySource, LegalStatus
from apps.referrals.models import Child, LegalStatusChange, NeedsAssessment, NeedsAssessmentItem

CHILD_FIELDS = (
    "local_identifier",
    "case_system_id",
    "date_of_birth",
    "sex",
    "ethnicity",
    "religion",
    "languages",
    "legal_status",
    "home_postcode_district",
    "home_postcode",
)
#: The DfE's limit for CHILD in the SSDA903 return: the LA's identifier is what it sends.
LOCAL_IDENTIFIER_MAX = 10


@contextlib.contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Record `user` as the actor of the audit log entries written inside the block.

    Works inside a request (where AuditlogMiddleware set the actor already) and outside one
    (API token calls, tasks, commands); the outer context is restored afterwards.
    """
    previous = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


def social_worker_las(user: User) -> list[Organisation]:
    """The LAs in which the user is a social worker."""
    return [
        m.organisation
        for m in user.memberships.select_related("organisation").filter(
            role=Role.SOCIAL_WORKER, organisation__kind=OrganisationKind.LOCAL_AUTHORITY
        )
    ]


def require_social_worker(user: User, la: Organisation | int) -> None:
    la_id = la if isinstance(la, int) else la.pk
    if user.is_superuser:
        return
    if not any(org.pk == la_id for org in social_worker_las(user)):
        raise DomainError("Only a social worker of the child's local authority can do this.")


def district(code: str | PostcodeDistrict | None, *, field: str) -> PostcodeDistrict | None:
    """A postcode district by its code (e.g. "M14"); blank → None; unknown → error on `field`."""
    if code is None or isinstance(code, PostcodeDistrict):
        return code
    code = code.strip().upper()
    if not code:
        return None
    if " " in code or len(code) > 4:
        raise DomainError(
            "Enter a postcode district only (the first part of a postcode, such as M14), "
            "not a full postcode.",
            field=field,
        )
    found = PostcodeDistrict.objects.filter(code=code).first()
    if found is None:
        raise DomainError(f"{code} is not a postcode district we know.", field=field)
    return found


def _check_identifier_length(identifier: str) -> None:
    if len(identifier) > LOCAL_IDENTIFIER_MAX:
        raise DomainError(
            f"The local identifier can be at most {LOCAL_IDENTIFIER_MAX} characters (the DfE's "
            f"limit for CHILD in the SSDA903 return); {identifier} has {len(identifier)}.",
            field="local_identifier",
        )


def _clean_home_postcode(out: dict[str, Any]) -> None:
    """The full home postcode, normalised; the district is derived from it, and one given as
    well must be the same."""
    raw = (out.get("home_postcode") or "").strip()
    if not raw:
        out["home_postcode"] = ""
        return
    postcode = normalise_postcode(raw)
    if postcode is None:
        raise DomainError(
            "Enter the child's full home postcode, such as M14 5AB.", field="home_postcode"
        )
    derived = district(postcode.split(" ")[0], field="home_postcode")
    given = out.get("home_postcode_district")
    if given is not None and derived is not None and given.pk != derived.pk:
        raise DomainError(
            f"The home postcode district must be the full postcode's ({derived.code}), or leave "
            "it blank.",
            field="home_postcode_district",
        )
    out["home_postcode"], out["home_postcode_district"] = postcode, derived


def _clean_child(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    if "local_identifier" in out:
        out["local_identifier"] = (out["local_identifier"] or "").strip()
        if not out["local_identifier"]:
            raise DomainError("Enter the child's local identifier.", field="local_identifier")
    if "date_of_birth" in out:
        dob = out["date_of_birth"]
        today = timezone.localdate()
        if not isinstance(dob, dt.date):
            raise DomainError("Enter the date of birth.", field="date_of_birth")
        if dob > today:
            raise DomainError("The date of birth cannot be in the future.", field="date_of_birth")
        if (today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))) >= 18:
            raise DomainError(
                "The child must be under 18 to need a foster home.", field="date_of_birth"
            )
    if "languages" in out:
        languages = [
            str(code).strip().lower() for code in out["languages"] or [] if str(code).strip()
        ]
        unknown = [code for code in languages if code not in LANGUAGES]
        if unknown:
            raise DomainError(
                f"Unknown language code(s): {', '.join(unknown)}. "
                "Use ISO 639-1 codes such as en, pl, ur.",
                field="languages",
            )
        out["languages"] = list(dict.fromkeys(languages))
    if "home_postcode_district" in out:
        out["home_postcode_district"] = district(
            out["home_postcode_district"], field="home_postcode_district"
        )
    if "home_postcode" in out:
        _clean_home_postcode(out)
    if "legal_status" in out and out["legal_status"] not in LegalStatus.values:
        raise DomainError("Choose the child's legal status.", field="legal_status")
    unknown_fields = set(out) - set(CHILD_FIELDS)
    if unknown_fields:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown_fields))}.")
    return out


@transaction.atomic
def child_create(
    *, by: User, la: Organisation, legal_status_from: dt.date | None = None, **fields: Any
) -> Child:
    """Create the child's record; its legal status is recorded as the first row of the history,
    from `legal_status_from` (default: today, the day the record is made)."""
    require_social_worker(by, la)
    values = _clean_child(fields)
    _check_identifier_length(values.get("local_identifier", ""))
    _check_status_date(legal_status_from, values.get("date_of_birth"))
    if Child.objects.filter(la=la, local_identifier=values["local_identifier"]).exists():
        raise DomainError(
            f"{la.name} already has a child with the local identifier "
            f"{values['local_identifier']}.",
            field="local_identifier",
        )
    with acting_as(by):
        try:
            with transaction.atomic():
                child = Child.objects.create(la=la, created_by=by, **values)
        except IntegrityError as err:  # a concurrent create with the same identifier
            raise DomainError(
                "That local identifier is already in use.", field="local_identifier"
            ) from err
        legal_status_record(
            child=child,
            legal_status=child.legal_status,
            start_date=legal_status_from or timezone.localdate(),
            by=by,
        )
    return child


@transaction.atomic
def child_update(
    *, by: User, child: Child, legal_status_from: dt.date | None = None, **fields: Any
) -> Child:
    """Change the child's record. A change of legal status is recorded in its history from
    `legal_status_from` (default today); the child's legal status is the latest there."""
    require_social_worker(by, child.la_id)
    values = _clean_child(fields)
    new_id = values.get("local_identifier")
    if new_id and new_id != child.local_identifier:
        _check_identifier_length(new_id)
    if (
        "home_postcode_district" in values
        and "home_postcode" not in values
        and child.home_postcode
        and values["home_postcode_district"] is not None
        and values["home_postcode_district"].pk != child.home_postcode.split(" ")[0]
    ):
        raise DomainError(
            f"The child's full home postcode is {child.home_postcode}: change it (or clear it) "
            "to change the district.",
            field="home_postcode_district",
        )
    new_status = values.pop("legal_status", None)
    status_changes = new_status is not None and (
        new_status != child.legal_status or legal_status_from is not None
    )
    if status_changes:
        _check_status_date(legal_status_from, values.get("date_of_birth", child.date_of_birth))
    if (
        new_id
        and new_id != child.local_identifier
        and Child.objects.filter(la_id=child.la_id, local_identifier=new_id).exists()
    ):
        raise DomainError(
            f"Another child already has the local identifier {new_id}.", field="local_identifier"
        )
    for name, value in values.items():
        setattr(child, name, value)
    with acting_as(by):
        child.save()
        if status_changes:
            legal_status_record(
                child=child,
                legal_status=str(new_status),
                start_date=legal_status_from or timezone.localdate(),
                by=by,
            )
    return child


def _check_status_date(start_date: dt.date | None, date_of_birth: Any) -> None:
    if start_date is None:
        return
    if start_date > timezone.localdate():
        raise DomainError(
            "The date the legal status started cannot be in the future.",
            field="legal_status_from",
        )
    if isinstance(date_of_birth, dt.date) and start_date < date_of_birth:
        raise DomainError(
            "The date the legal status started cannot be before the child's date of birth "
            f"({date_of_birth:%-d %B %Y}).",
            field="legal_status_from",
        )


@transaction.atomic
def legal_status_record(
    *,
    child: Child,
    legal_status: str,
    start_date: dt.date,
    by: User | None,
    source: str = CareHistorySource.RECORDED,
) -> LegalStatusChange:
    """Record the child's legal status from a date (SSDA903 LS); a status already recorded for
    that day is replaced. The child's legal status becomes the latest in the history."""
    if legal_status not in LegalStatus.values:
        raise DomainError("Choose the child's legal status.", field="legal_status")
    _check_status_date(start_date, child.date_of_birth)
    change, _ = LegalStatusChange.objects.update_or_create(
        child=child,
        start_date=start_date,
        defaults={"legal_status": legal_status, "source": source, "recorded_by": by},
    )
    latest = (
        LegalStatusChange.objects.filter(child=child)
        .order_by("-start_date")
        .values_list("legal_status", flat=True)
        .first()
    )
    if latest and latest != child.legal_status:
        child.legal_status = latest
        child.save(update_fields=["legal_status", "updated_at"])
    return change


def _parse_items(
    items: Mapping[str, Any] | Sequence[Mapping[str, Any]],
) -> list[tuple[str, str, str]]:
    """(domain code, level code, notes) from {domain: level} or [{domain, level, notes}]."""
    if isinstance(items, Mapping):
        return [(str(d), str(level), "") for d, level in items.items()]
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, Mapping) or "domain" not in item or "level" not in item:
            raise DomainError(f"Item {i + 1} needs a domain and a level.", field="items")
        out.append((str(item["domain"]), str(item["level"]), str(item.get("notes") or "")))
    return out


@transaction.atomic
def needs_assessment_record(
    *,
    by: User,
    child: Child,
    items: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    assessed_on: dt.date | None = None,
    summary: str = "",
) -> NeedsAssessment:
    """Record a new version of the child's needs. Earlier versions are kept unchanged."""
    require_social_worker(by, child.la_id)
    assessed_on = assessed_on or timezone.localdate()
    if assessed_on > timezone.localdate():
        raise DomainError("The assessment date cannot be in the future.", field="assessed_on")
    parsed = _parse_items(items)
    if not parsed:
        raise DomainError("Record a level for at least one area of need.", field="items")
    domain_codes = [d for d, _, _ in parsed]
    duplicates = sorted({d for d in domain_codes if domain_codes.count(d) > 1})
    if duplicates:
        raise DomainError(
            f"Each area of need once only: {', '.join(duplicates)} appears more than once.",
            field="items",
        )
    domains = {d.code: d for d in NeedDomain.objects.active().filter(code__in=domain_codes)}
    levels = {lv.code: lv for lv in NeedLevel.objects.filter(code__in=[lv for _, lv, _ in parsed])}
    unknown_domains = [d for d in domain_codes if d not in domains]
    unknown_levels = sorted({lv for _, lv, _ in parsed if lv not in levels})
    errors = []
    if unknown_domains:
        known = ", ".join(NeedDomain.objects.active().values_list("code", flat=True))
        errors.append(
            f"Unknown needs domain code(s): {', '.join(unknown_domains)}. Known domains: {known}."
        )
    if unknown_levels:
        known = ", ".join(NeedLevel.objects.values_list("code", flat=True))
        errors.append(
            f"Unknown need level code(s): {', '.join(unknown_levels)}. Known levels: {known}."
        )
    if errors:
        raise DomainError(" ".join(errors), field="items")

    # Lock the child row so that two assessments recorded at once get versions n and n+1.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    version = (child.assessments.aggregate(v=Max("version"))["v"] or 0) + 1
    with acting_as(by):
        assessment = NeedsAssessment.objects.create(
            child=child, version=version, assessed_on=assessed_on, assessed_by=by, summary=summary
        )
        NeedsAssessmentItem.objects.bulk_create(
            NeedsAssessmentItem(
                assessment=assessment, domain=domains[d], level=levels[lv], notes=notes
            )
            for d, lv, notes in parsed
        )
    from apps.referrals.services.referrals import refresh_draft_needs

    refresh_draft_needs(child=child, assessment=assessment, by=by)
    return assessment
