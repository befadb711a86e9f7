"""Contract management: account managers, disputes and mediation, partnership meetings, and
the planning alerts the beat task raises."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.kinds import OrganisationKind
from apps.organisations.models import Organisation
from apps.providers.models import Provider

from ..choices import AlertKind, DisputeStatus, DisputeStepKind
from ..models import (
    AccountManager,
    ContractAlert,
    Dispute,
    DisputeStep,
    Framework,
    MeetingAction,
    PartnershipMeeting,
    SoftBlock,
)
from ._common import day, managed_owner_ids, require_owner


@transaction.atomic
def account_manager_set(
    *,
    by: Any,
    provider: Provider,
    manager: Any,
    rccs: list[Organisation],
    since: dt.date,
    notes: str = "",
) -> AccountManager:
    """Name a large provider's national account manager: one contact across consortia."""
    if manager is None:
        raise DomainError("Name the account manager.", field="manager")
    if len(rccs) < 2:
        raise DomainError(
            "A national account manager covers the provider across consortia: choose at least two "
            "RCCs.",
            field="rccs",
        )
    if any(r.kind != OrganisationKind.RCC for r in rccs):
        raise DomainError("Choose RCCs only.", field="rccs")
    owners = managed_owner_ids(by)
    if owners is not None:
        ncc = Organisation.objects.filter(pk__in=owners, kind=OrganisationKind.NCC).exists()
        if not ncc and not owners & {r.pk for r in rccs}:
            raise PermissionDenied("Include your own RCC among those the account manager covers.")
    if not manager.memberships.filter(
        role__in=(Role.COMMISSIONER, Role.NCC_ANALYST),
        organisation__kind__in=(OrganisationKind.RCC, OrganisationKind.NCC),
    ).exists():
        raise DomainError(
            "The account manager must be a commissioner at an RCC or the NCC.", field="manager"
        )
    account, _ = AccountManager.objects.update_or_create(
        provider=provider,
        defaults={"manager": manager, "since": since, "notes": (notes or "").strip()},
    )
    account.rccs.set(rccs)
    return account


@transaction.atomic
def dispute_raise(
    *,
    by: Any,
    rcc: Organisation,
    provider: Provider,
    title: str,
    issue: str,
    raised_on: dt.date,
    framework: Framework | None = None,
    soft_block: SoftBlock | None = None,
    other_parties: str = "",
) -> Dispute:
    require_owner(by, rcc.pk)
    if not (title or "").strip():
        raise DomainError("Give the dispute a short title.", field="title")
    if not (issue or "").strip():
        raise DomainError("Describe the issue in dispute.", field="issue")
    if raised_on > timezone.localdate():
        raise DomainError("The date raised cannot be in the future.", field="raised_on")
    if framework is not None and framework.owner_id != rcc.pk:
        raise DomainError("Choose one of your RCC's frameworks.", field="framework")
    if soft_block is not None and (
        soft_block.rcc_id != rcc.pk or soft_block.provider_id != provider.pk
    ):
        raise DomainError(
            "Choose one of your RCC's soft blocks with this provider.", field="soft_block"
        )
    return Dispute.objects.create(
        rcc=rcc,
        provider=provider,
        framework=framework,
        soft_block=soft_block,
        title=title.strip(),
        issue=issue.strip(),
        other_parties=(other_parties or "").strip(),
        raised_on=raised_on,
        raised_by=by,
    )


def _open_dispute(by: Any, dispute: Dispute) -> Dispute:
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    require_owner(by, dispute.rcc_id)
    if dispute.status not in (DisputeStatus.OPEN, DisputeStatus.MEDIATION):
        raise DomainError(
            f"This dispute is {dispute.get_status_display().lower()}; it cannot change now."
        )
    return dispute


@transaction.atomic
def dispute_add_step(
    *, by: Any, dispute: Dispute, kind: str, on: dt.date, notes: str
) -> DisputeStep:
    """Record a step of the resolution ladder; independent mediation moves it into mediation."""
    dispute = _open_dispute(by, dispute)
    if kind not in DisputeStepKind.values:
        raise DomainError("Choose the kind of step.", field="kind")
    if on < dispute.raised_on:
        raise DomainError(
            f"The step cannot be before the dispute was raised ({day(dispute.raised_on)}).",
            field="on",
        )
    if on > timezone.localdate():
        raise DomainError(
            "Record steps that have happened: the date cannot be in the future.", field="on"
        )
    if not (notes or "").strip():
        raise DomainError("Say what happened at this step.", field="notes")
    step = DisputeStep.objects.create(
        dispute=dispute, kind=kind, on=on, notes=notes.strip(), recorded_by=by
    )
    if (
        kind in (DisputeStepKind.MEDIATION, DisputeStepKind.ADJUDICATION)
        and dispute.status == DisputeStatus.OPEN
    ):
        dispute.status = DisputeStatus.MEDIATION
        dispute.save(update_fields=["status"])
    return step


@transaction.atomic
def dispute_close(
    *, by: Any, dispute: Dispute, status: str, outcome: str, closed_on: dt.date
) -> Dispute:
    dispute = _open_dispute(by, dispute)
    if status not in (DisputeStatus.RESOLVED, DisputeStatus.WITHDRAWN):
        raise DomainError("A dispute closes as resolved or withdrawn.", field="status")
    if not (outcome or "").strip():
        raise DomainError("Record the outcome.", field="outcome")
    if closed_on < dispute.raised_on:
        raise DomainError("The dispute cannot close before it was raised.", field="closed_on")
    dispute.status, dispute.outcome, dispute.closed_on = status, outcome.strip(), closed_on
    dispute.save(update_fields=["status", "outcome", "closed_on"])
    return dispute


@transaction.atomic
def meeting_record(
    *,
    by: Any,
    rcc: Organisation,
    provider: Provider,
    held_on: dt.date,
    notes: str,
    attendees: str = "",
    framework: Framework | None = None,
    actions: list[dict[str, Any]] | None = None,
) -> PartnershipMeeting:
    """Record a partnership meeting with a provider, its notes and its actions."""
    require_owner(by, rcc.pk)
    if not (notes or "").strip():
        raise DomainError("Write the meeting's notes.", field="notes")
    if framework is not None and framework.owner_id != rcc.pk:
        raise DomainError("Choose one of your RCC's frameworks.", field="framework")
    clean: list[MeetingAction] = []
    for i, row in enumerate(actions or [], start=1):
        description = (row.get("description") or "").strip()
        owner = (row.get("owner") or "").strip()
        if not description:
            continue
        if not owner:
            raise DomainError(f"Action {i}: say who will do it.", field="actions")
        clean.append(
            MeetingAction(
                description=description[:300], owner=owner[:120], due_on=row.get("due_on")
            )
        )
    meeting = PartnershipMeeting.objects.create(
        rcc=rcc,
        provider=provider,
        framework=framework,
        held_on=held_on,
        attendees=(attendees or "").strip(),
        notes=notes.strip(),
        created_by=by,
    )
    for action in clean:
        action.meeting = meeting
    MeetingAction.objects.bulk_create(clean)
    return meeting


@transaction.atomic
def meeting_action_done(
    *, by: Any, action: MeetingAction, done_on: dt.date | None = None
) -> MeetingAction:
    action = MeetingAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    require_owner(by, action.meeting.rcc_id)
    if action.done_on:
        raise DomainError("This action is already done.")
    action.done_on = done_on or timezone.localdate()
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def alert_dismiss(*, by: Any, alert: ContractAlert) -> ContractAlert:
    alert = ContractAlert.objects.select_for_update().get(pk=alert.pk)
    require_owner(by, alert.owner_id)
    if alert.dismissed_at is None:
        alert.dismissed_at = timezone.now()
        alert.dismissed_by = by
        alert.save(update_fields=["dismissed_at", "dismissed_by"])
    return alert


def _lead_days() -> int:
    return int(getattr(settings, "CONTRACTS_ALERT_LEAD_DAYS", 90))


def contract_alerts_raise(*, on: dt.date | None = None) -> int:
    """Raise one alert per coming planning event (idempotent: `key` is unique per event).

    For each running framework/DPS and soft block: the consultation window opening, the
    extension decision and the end, once `CONTRACTS_ALERT_LEAD_DAYS` ahead; and once a month
    for a live soft block used below its alert level. Returns the number of new alerts."""
    from ..selectors import soft_block_utilisation, utilisation_message

    today = on or timezone.localdate()
    lead = dt.timedelta(days=_lead_days())
    drafts: list[ContractAlert] = []

    def due(kind: str, when: dt.date, message: str, *, owner_id: int, **target: Any) -> None:
        if today <= when <= today + lead:
            subject = "framework" if "framework" in target else "softblock"
            pk = next(iter(target.values())).pk
            drafts.append(
                ContractAlert(
                    owner_id=owner_id,
                    kind=kind,
                    key=f"{subject}:{pk}:{kind}:{when.isoformat()}",
                    event_date=when,
                    message=message[:300],
                    **target,
                )
            )

    for f in Framework.objects.filter(end_date__gte=today):
        kind_label = "DPS" if f.is_dps else "framework"
        decision = day(f.decision_date)
        due(
            AlertKind.CONSULTATION_OPENS,
            f.consultation_opens_on,
            f"Consultation on extending or ending the {kind_label} {f.reference} opens on "
            f"{day(f.consultation_opens_on)} ({f.consultation_months} months before the decision "
            f"on {decision}).",
            owner_id=f.owner_id,
            framework=f,
        )
        if f.extension_decision_date:
            plural = "s" if f.extension_options != 1 else ""
            options = f"{f.extension_options} extension option{plural} left"
            due(
                AlertKind.EXTENSION_DECISION,
                f.extension_decision_date,
                f"Decide by {decision} whether to extend {f.reference} ({options}).",
                owner_id=f.owner_id,
                framework=f,
            )
        due(
            AlertKind.CONTRACT_ENDS,
            f.end_date,
            f"The {kind_label} {f.reference} ends on {day(f.end_date)}.",
            owner_id=f.owner_id,
            framework=f,
        )
    live_blocks = list(
        SoftBlock.objects.filter(end_date__gte=today).select_related("provider__organisation")
    )
    for b in live_blocks:
        due(
            AlertKind.CONSULTATION_OPENS,
            b.consultation_opens_on,
            f"Consultation on renewing or ending soft block {b.reference} with {b.provider} opens "
            "on "
            f"{day(b.consultation_opens_on)}.",
            owner_id=b.rcc_id,
            soft_block=b,
        )
        due(
            AlertKind.CONTRACT_ENDS,
            b.end_date,
            f"Soft block {b.reference} with {b.provider} ends on {day(b.end_date)}.",
            owner_id=b.rcc_id,
            soft_block=b,
        )
    running = [b for b in live_blocks if b.start_date <= today]
    figures = soft_block_utilisation(running, on=today)
    for b in running:
        use = figures[b.pk]
        if use.below_threshold:
            month = today.replace(day=1)
            drafts.append(
                ContractAlert(
                    owner_id=b.rcc_id,
                    kind=AlertKind.LOW_UTILISATION,
                    key=f"softblock:{b.pk}:{AlertKind.LOW_UTILISATION}:{month.isoformat()}",
                    event_date=today,
                    soft_block=b,
                    message=utilisation_message(b, use, on=today)[:300],
                )
            )
    if not drafts:
        return 0
    keys = [d.key for d in drafts]
    before = set(ContractAlert.objects.filter(key__in=keys).values_list("key", flat=True))
    ContractAlert.objects.bulk_create(
        [d for d in drafts if d.key not in before], ignore_conflicts=True
    )
    return len(set(keys) - before)
