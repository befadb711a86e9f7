"""National terms, frameworks and DPS, lots and enrolments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.providers.models import Provider

from ..choices import ENROLMENT_TRANSITIONS, ArrangementKind, EnrolmentStatus, LotService
from ..dates import add_months
from ..models import Enrolment, Framework, Lot, SoftBlock, TermsVersion
from ._common import date_order, day, provider_staff_of, require_owner

MAX_CONSULTATION_MONTHS = 36


@transaction.atomic
def terms_version_publish(
    *,
    by: Any,
    title: str,
    effective_from: dt.date,
    change_summary: str,
    text: str = "",
    document: Any = None,
) -> TermsVersion:
    """The NCC publishes the next version of the national terms and conditions."""
    if (
        not by.is_superuser
        and not by.memberships.filter(
            organisation__kind=OrganisationKind.NCC, role=Role.NCC_ANALYST
        ).exists()
    ):
        raise PermissionDenied("Only the NCC keeps the national terms.")
    if not (text or "").strip() and not document:
        raise DomainError("Give the text of the terms or attach the document.", field="text")
    latest = TermsVersion.objects.select_for_update().order_by("-version").first()
    if latest and effective_from < latest.effective_from:
        raise DomainError(
            f"Version {latest.version} takes effect on {day(latest.effective_from)}; "
            "a new version cannot take effect before it.",
            field="effective_from",
        )
    if latest and not (change_summary or "").strip():
        raise DomainError("Say what changed since the last version.", field="change_summary")
    return TermsVersion.objects.create(
        title=title.strip(),
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        change_summary=(change_summary or "").strip(),
        text=(text or "").strip(),
        document=document or "",
        published_by=by,
    )


def _check_manager(user: Any, owner: Organisation, *, field: str, role_label: str) -> None:
    if user is None:
        if field == "deputy_manager":
            raise DomainError(
                "Name a deputy contract manager: every framework and DPS needs a lead and a "
                "deputy.",
                field=field,
            )
        raise DomainError("Name the lead contract manager.", field=field)
    roles = {Role.COMMISSIONER} | (
        {Role.NCC_ANALYST} if owner.kind == OrganisationKind.NCC else set()
    )
    if not user.memberships.filter(organisation=owner, role__in=roles).exists():
        raise DomainError(f"The {role_label} must be a commissioner at {owner}.", field=field)


def _lot_values(lot: dict[str, Any], index: int) -> dict[str, Any]:
    name = (lot.get("name") or "").strip()
    service_type = lot.get("service_type") or LotService.STANDARD
    age_min, age_max = lot.get("age_min", 0), lot.get("age_max", 17)
    if not name:
        raise DomainError(f"Lot {index}: give the lot a name.", field="lots")
    if service_type not in LotService.values:
        raise DomainError(f"Lot {index}: choose a service type.", field="lots")
    if age_min is None or age_max is None or not (0 <= int(age_min) <= int(age_max) <= 25):
        raise DomainError(f"Lot {index}: ages must run from 0 to 25, youngest first.", field="lots")
    return {
        "name": name,
        "service_type": service_type,
        "age_min": int(age_min),
        "age_max": int(age_max),
        "description": (lot.get("description") or "").strip(),
    }


@transaction.atomic
def framework_create(
    *,
    by: Any,
    owner: Organisation,
    kind: str,
    reference: str,
    title: str,
    specification_summary: str,
    terms_version: TermsVersion,
    start_date: dt.date,
    end_date: dt.date,
    lead_manager: Any,
    deputy_manager: Any,
    extension_options: int = 0,
    extension_months: int = 12,
    extension_decision_date: dt.date | None = None,
    consultation_months: int = 6,
    application_opens: dt.date | None = None,
    application_closes: dt.date | None = None,
    lots: list[dict[str, Any]] | None = None,
) -> Framework:
    """Create a framework or DPS with its lots, a lead contract manager and a deputy."""
    require_owner(by, owner.pk)
    if owner.kind not in (OrganisationKind.RCC, OrganisationKind.NCC):
        raise DomainError("A framework is owned by an RCC or by the NCC.", field="owner")
    if kind not in ArrangementKind.values:
        raise DomainError("Choose framework or DPS.", field="kind")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("Give the framework a reference.", field="reference")
    if Framework.objects.filter(owner=owner, reference__iexact=reference).exists():
        raise DomainError(
            f"{owner} already has a contract with the reference {reference}.", field="reference"
        )
    if not (specification_summary or "").strip():
        raise DomainError(
            "Summarise the specification: it is shown beside every fee.",
            field="specification_summary",
        )
    _check_manager(lead_manager, owner, field="lead_manager", role_label="lead contract manager")
    _check_manager(
        deputy_manager, owner, field="deputy_manager", role_label="deputy contract manager"
    )
    if lead_manager.pk == deputy_manager.pk:
        raise DomainError(
            "The deputy must be someone other than the lead contract manager.",
            field="deputy_manager",
        )
    date_order(start_date, end_date, field="end_date", what="term's")
    if extension_options < 0 or extension_options > 5:
        raise DomainError("Extension options must be between 0 and 5.", field="extension_options")
    if extension_options and not 1 <= extension_months <= 60:
        raise DomainError(
            "Each extension must be between 1 and 60 months.", field="extension_months"
        )
    if extension_decision_date and not start_date <= extension_decision_date <= end_date:
        raise DomainError(
            "The extension decision date must fall within the term.",
            field="extension_decision_date",
        )
    if not 1 <= consultation_months <= MAX_CONSULTATION_MONTHS:
        raise DomainError(
            f"The consultation window must open 1 to {MAX_CONSULTATION_MONTHS} months before the "
            "decision.",
            field="consultation_months",
        )
    if kind == ArrangementKind.FRAMEWORK:
        if not application_opens or not application_closes:
            raise DomainError(
                "A framework takes applications only in its window: give the dates it opens and "
                "closes.",
                field="application_opens",
            )
        date_order(
            application_opens,
            application_closes,
            field="application_closes",
            what="application window's",
        )
    else:
        application_opens = application_opens or start_date
        application_closes = None
    lot_rows = [_lot_values(lot, i) for i, lot in enumerate(lots or [], start=1)]
    framework = Framework.objects.create(
        owner=owner,
        kind=kind,
        reference=reference,
        title=title.strip(),
        specification_summary=specification_summary.strip(),
        terms_version=terms_version,
        start_date=start_date,
        end_date=end_date,
        extension_options=extension_options,
        extension_months=extension_months,
        extension_decision_date=extension_decision_date,
        consultation_months=consultation_months,
        application_opens=application_opens,
        application_closes=application_closes,
        lead_manager=lead_manager,
        deputy_manager=deputy_manager,
        created_by=by,
    )
    Lot.objects.bulk_create(
        [Lot(framework=framework, number=i, **row) for i, row in enumerate(lot_rows, start=1)]
    )
    return framework


@transaction.atomic
def lot_add(
    *,
    by: Any,
    framework: Framework,
    name: str,
    service_type: str,
    age_min: int,
    age_max: int,
    description: str = "",
) -> Lot:
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_owner(by, framework.owner_id)
    row = _lot_values(
        {
            "name": name,
            "service_type": service_type,
            "age_min": age_min,
            "age_max": age_max,
            "description": description,
        },
        framework.lots.count() + 1,
    )
    number = (framework.lots.aggregate(n=Max("number"))["n"] or 0) + 1
    return Lot.objects.create(framework=framework, number=number, **row)


@transaction.atomic
def framework_extend(
    *, by: Any, framework: Framework, decision_date: dt.date | None = None
) -> Framework:
    """Take one extension option: the term runs on by the extension's months."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    require_owner(by, framework.owner_id)
    if framework.extension_options < 1:
        raise DomainError("This contract has no extension option left; plan its re-procurement.")
    new_end = add_months(framework.end_date, framework.extension_months)
    if (
        decision_date is None
        and framework.extension_options > 1
        and framework.extension_decision_date
    ):
        decision_date = add_months(framework.extension_decision_date, framework.extension_months)
    if decision_date and not framework.end_date <= decision_date <= new_end:
        raise DomainError(
            "The next decision date must fall within the extended term.", field="decision_date"
        )
    framework.end_date = new_end
    framework.extension_options -= 1
    framework.extension_decision_date = decision_date
    framework.save(
        update_fields=["end_date", "extension_options", "extension_decision_date", "updated_at"]
    )
    return framework


@transaction.atomic
def contract_adopt_terms(
    *, by: Any, contract: Framework | SoftBlock, terms_version: TermsVersion
) -> None:
    """Move a framework or soft block onto another version of the national terms."""
    owner_id = contract.owner_id if isinstance(contract, Framework) else contract.rcc_id
    require_owner(by, owner_id)
    if terms_version.version < contract.terms_version.version:
        raise DomainError(
            "A contract cannot move back to an older version of the national terms.",
            field="terms_version",
        )
    contract.terms_version = terms_version
    contract.save(update_fields=["terms_version"])


def _application_open(framework: Framework, on: dt.date) -> None:
    if on > framework.end_date:
        raise DomainError(
            f"{framework.reference} ended on {day(framework.end_date)}; it no longer accepts "
            "applications.",
            field="lot",
        )
    if framework.kind == ArrangementKind.DPS:
        return
    opens, closes = framework.application_opens, framework.application_closes
    if opens is None or closes is None or not opens <= on <= closes:
        window = (
            f"from {day(opens)} to {day(closes)}"
            if opens and closes
            else "in its application window"
        )
        raise DomainError(
            f"{framework.reference} is a framework: it accepts applications only {window}. "
            "A DPS accepts them at any time while it is live.",
            field="lot",
        )


@transaction.atomic
def enrolment_apply(
    *,
    by: Any,
    lot: Lot,
    provider: Provider,
    on: dt.date | None = None,
    accept: bool = False,
    notes: str = "",
) -> Enrolment:
    """A provider applies to a lot (or a commissioner enrols it; `accept` also accepts it).

    A DPS accepts applications at any time while live; a framework only in its window.
    """
    framework = Framework.objects.select_for_update().get(pk=lot.framework_id)
    is_commissioner = True
    try:
        require_owner(by, framework.owner_id)
    except PermissionDenied:
        is_commissioner = False
        if not provider_staff_of(by, provider.pk):
            raise PermissionDenied("You can apply only for your own provider.") from None
    if accept and not is_commissioner:
        raise PermissionDenied("Only the framework's commissioners can accept an application.")
    today = on or timezone.localdate()
    _application_open(framework, today)
    existing = Enrolment.objects.select_for_update().filter(lot=lot, provider=provider).first()
    if existing and existing.status != EnrolmentStatus.LEFT:
        raise DomainError(
            f"{provider} is already on {lot} ({existing.get_status_display().lower()}).",
            field="provider",
        )
    enrolment = existing or Enrolment(lot=lot, provider=provider, created_by=by)
    enrolment.status = EnrolmentStatus.ACCEPTED if accept else EnrolmentStatus.APPLIED
    enrolment.applied_on = today
    enrolment.accepted_on = today if accept else None
    enrolment.suspended_on = enrolment.left_on = None
    enrolment.notes = (notes or "").strip()
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        raise DomainError(f"{provider} is already on {lot}.", field="provider") from None
    return enrolment


@transaction.atomic
def enrolment_set_status(
    *, by: Any, enrolment: Enrolment, status: str, on: dt.date | None = None, notes: str = ""
) -> Enrolment:
    """Accept, suspend, reinstate or end a provider's place on a lot."""
    enrolment = (
        Enrolment.objects.select_for_update().select_related("lot__framework").get(pk=enrolment.pk)
    )
    require_owner(by, enrolment.lot.framework.owner_id)
    if status not in ENROLMENT_TRANSITIONS.get(enrolment.status, frozenset()):
        wanted = EnrolmentStatus(status).label if status in EnrolmentStatus.values else status
        raise DomainError(
            f"An enrolment that is {enrolment.get_status_display().lower()} cannot become "
            f"{wanted.lower()}.",
            field="status",
        )
    today = on or timezone.localdate()
    if status == EnrolmentStatus.ACCEPTED:
        enrolment.accepted_on = enrolment.accepted_on or today
        enrolment.suspended_on = None
    elif status == EnrolmentStatus.SUSPENDED:
        enrolment.suspended_on = today
    elif status == EnrolmentStatus.LEFT:
        enrolment.left_on = today
    enrolment.status = status
    if notes:
        enrolment.notes = f"{enrolment.notes}\n{today.isoformat()}: {notes.strip()}".strip()
    enrolment.save()
    return enrolment
