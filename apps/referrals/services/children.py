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
from apps.providers.choices import LANGUAGES
from apps.referrals.models import Child, NeedsAssessment, NeedsAssessmentItem

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
)


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
    unknown_fields = set(out) - set(CHILD_FIELDS)
    if unknown_fields:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown_fields))}.")
    return out


@transaction.atomic
def child_create(*, by: User, la: Organisation, **fields: Any) -> Child:
    require_social_worker(by, la)
    values = _clean_child(fields)
    if Child.objects.filter(la=la, local_identifier=values["local_identifier"]).exists():
        raise DomainError(
            f"{la.name} already has a child with the local identifier "
            f"{values['local_identifier']}.",
            field="local_identifier",
        )
    with acting_as(by):
        try:
            with transaction.atomic():
                return Child.objects.create(la=la, created_by=by, **values)
        except IntegrityError as err:  # a concurrent create with the same identifier
            raise DomainError(
                "That local identifier is already in use.", field="local_identifier"
            ) from err


@transaction.atomic
def child_update(*, by: User, child: Child, **fields: Any) -> Child:
    require_social_worker(by, child.la_id)
    values = _clean_child(fields)
    new_id = values.get("local_identifier")
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
    return child


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
