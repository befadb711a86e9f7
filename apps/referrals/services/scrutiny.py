"""Independent scrutiny of a proposed match, before the placement is agreed (or, for an
emergency placed first, within 72 hours after: flagged until done).

The scrutineer must hold the scrutineer role in the referral's RCC and must not be in the
placing team: not the referral's author or proposer, not anyone who sent it to providers, not a
member of the child's LA nor of any of the RCC's hubs.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.referrals.choices import OfferStatus, ReferralStatus, ScrutinyDecision
from apps.referrals.models import Placement, Referral, Scrutiny
from apps.referrals.notifications import (
    enqueue_email,
    hub_manager_recipients,
    hub_recipients,
    scrutineer_recipients,
)
from apps.referrals.services.events import record_event


def placing_team_reason(referral: Referral, user: Any) -> str | None:
    """Why `user` is part of the team placing this child, or None when they are independent."""
    if referral.created_by_id == user.pk:
        return "you wrote the referral"
    if referral.proposed_by_id == user.pk:
        return "you proposed the match"
    if referral.targets.filter(sent_by=user).exists():
        return "you sent the referral to providers"
    org_ids = set(user.memberships.values_list("organisation_id", flat=True))
    if referral.la_id in org_ids:
        return "you work for the child's local authority"
    if referral.rcc.hubs.filter(pk__in=org_ids).exists():
        return "you work in the RCC's placement hub"
    return None


def check_scrutineer(referral: Referral, by: Any) -> None:
    if not by.memberships.filter(organisation_id=referral.rcc_id, role=Role.SCRUTINEER).exists():
        raise DomainError("Only a scrutineer of this referral's RCC can scrutinise the match.")
    reason = placing_team_reason(referral, by)
    if reason:
        raise DomainError(
            f"You cannot scrutinise this match because {reason}: scrutiny must be independent of "
            "the team placing the child. Ask another scrutineer."
        )


def emergency_scrutiny_outstanding(placement: Placement) -> bool:
    return (
        placement.emergency_scrutiny_due is not None
        and not placement.referral.scrutinies.filter(after_placement=True).exists()
    )


@transaction.atomic
def scrutiny_decide(*, referral: Referral, by: Any, decision: str, reasons: str) -> Scrutiny:
    """Approve or return the proposed match, with reasons.

    For an emergency placed before scrutiny, this is the scrutiny after the start
    (after_placement=True), which clears the flag whatever the decision.
    """
    referral = Referral.objects.select_for_update().select_related("rcc").get(pk=referral.pk)
    check_scrutineer(referral, by)
    if decision not in ScrutinyDecision.values:
        raise DomainError("Choose whether to approve the match or return it.", field="decision")
    reasons = (reasons or "").strip()
    if not reasons:
        raise DomainError("Give the reasons for your decision.", field="reasons")

    placement = Placement.objects.filter(referral=referral).first()
    after_placement = placement is not None
    if referral.status == ReferralStatus.WITHDRAWN:
        raise DomainError("This referral has been withdrawn; there is nothing to scrutinise.")
    if after_placement:
        assert placement is not None
        if not emergency_scrutiny_outstanding(placement):
            raise DomainError("This placement has already been scrutinised.")
    elif referral.status != ReferralStatus.PROPOSED:
        raise DomainError(
            f"There is no proposed match to scrutinise (the referral is "
            f"{referral.get_status_display().lower()})."
        )
    offer = referral.proposed_offer
    assert offer is not None
    scrutiny = Scrutiny.objects.create(
        referral=referral,
        offer=offer,
        scrutineer=by,
        decision=decision,
        reasons=reasons,
        after_placement=after_placement,
    )
    if not after_placement:
        if decision == ScrutinyDecision.APPROVED:
            referral.status = ReferralStatus.APPROVED
        else:
            referral.status = ReferralStatus.RETURNED
            offer.status = OfferStatus.SHORTLISTED
            offer.save(update_fields=["status"])
        referral.save(update_fields=["status", "updated_at"])
    record_event(
        referral=referral,
        actor=by,
        verb="match_approved" if decision == ScrutinyDecision.APPROVED else "match_returned",
        scrutiny=scrutiny.pk,
        offer=offer.pk,
        after_placement=after_placement,
        summary=("After the emergency placement: " if after_placement else "") + reasons,
    )
    enqueue_email(
        recipients=[
            referral.created_by.email,
            getattr(referral.proposed_by, "email", ""),
            *hub_recipients(referral.rcc),
        ],
        template="scrutiny_decided",
        context={"referral": referral, "scrutiny": scrutiny},
        link=reverse("referrals:options", args=[referral.pk]),
    )
    return scrutiny


def emergency_scrutiny_escalate() -> int:
    """Tell the RCC's scrutineers and the hub manager about each emergency placement whose
    72-hour scrutiny is overdue: once per placement, however often it runs (the mark is set with
    a conditional update, so two runs at once cannot both send). How many were escalated."""
    escalated = 0
    overdue = (
        Placement.objects.scrutiny_overdue()
        .filter(scrutiny_escalated_at__isnull=True)
        .select_related("referral__rcc", "rcc")
        .order_by("emergency_scrutiny_due", "pk")
    )
    for placement in overdue:
        with transaction.atomic():
            now = timezone.now()
            marked = Placement.objects.filter(
                pk=placement.pk, scrutiny_escalated_at__isnull=True
            ).update(scrutiny_escalated_at=now)
            if not marked:
                continue
            referral = placement.referral
            hours = int((now - placement.emergency_scrutiny_due).total_seconds() // 3600)
            record_event(
                referral=referral,
                actor=None,
                verb="scrutiny_escalated",
                placement=placement.pk,
                summary=(
                    f"Emergency scrutiny overdue by {hours} hour{'s' if hours != 1 else ''}: "
                    "escalated to the RCC's scrutineers and the hub manager"
                ),
            )
            context = {"referral": referral, "placement": placement, "hours": hours}
            enqueue_email(
                recipients=scrutineer_recipients(placement.rcc),
                template="scrutiny_overdue",
                context=context,
                link=reverse("referrals:scrutiny_decide", args=[referral.pk]),
            )
            enqueue_email(
                recipients=hub_manager_recipients(placement.rcc),
                template="scrutiny_overdue",
                context=context,
                link=reverse("referrals:placement_detail", args=[placement.pk]),
            )
            escalated += 1
    return escalated
