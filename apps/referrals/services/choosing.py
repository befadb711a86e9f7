"""Choosing among the offers (the child's LA): shortlist, mark the options that equally meet
the child's needs, record the child's views on each, and propose one with the reason.

An in-house preference may only break a tie: IN_HOUSE_TIE_BREAK is accepted only when the
chosen offer is the child's own LA's service (PR1) and at least one other live offer is marked
as equally meeting the needs; the proposal records which offers tied.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.providers.choices import VacancyStatus
from apps.referrals.choices import ChoiceReason, OfferStatus, ReferralStatus
from apps.referrals.models import Offer, Referral
from apps.referrals.notifications import enqueue_email, scrutineer_recipients
from apps.referrals.options import LIVE_OFFER_STATUSES, is_in_house
from apps.referrals.services.events import record_event

CHOOSING = (ReferralStatus.SENT, ReferralStatus.RETURNED)


def check_chooser(referral: Referral, by: Any) -> None:
    """Only a social worker of the child's LA chooses."""
    if by.is_superuser:
        return
    if not by.memberships.filter(organisation_id=referral.la_id, role=Role.SOCIAL_WORKER).exists():
        raise DomainError(
            "Only a social worker of the child's local authority can choose the home."
        )


def _check_choosing(referral: Referral) -> None:
    if referral.status == ReferralStatus.WITHDRAWN:
        raise DomainError("This referral has been withdrawn.")
    if referral.status == ReferralStatus.PROPOSED:
        raise DomainError(
            "A match is with the scrutineer; wait for the decision before changing the choice."
        )
    if referral.status not in CHOOSING:
        raise DomainError(
            f"The choice is closed: the referral is {referral.get_status_display().lower()}."
        )


def _locked_offer(offer: Offer, by: Any) -> Offer:
    offer = (
        Offer.objects.select_for_update().select_related("referral", "household").get(pk=offer.pk)
    )
    check_chooser(offer.referral, by)
    _check_choosing(offer.referral)
    if offer.status not in LIVE_OFFER_STATUSES:
        raise DomainError(f"This offer is {offer.get_status_display().lower()}.")
    return offer


@transaction.atomic
def offer_shortlist(*, offer: Offer, by: Any, shortlisted: bool = True) -> Offer:
    """Shortlist an offer (its provider may then see the child's local identifier) or undo it."""
    offer = _locked_offer(offer, by)
    if shortlisted and offer.status == OfferStatus.MADE:
        offer.status = OfferStatus.SHORTLISTED
        offer.shortlisted_at = timezone.now()
    elif not shortlisted and offer.status == OfferStatus.SHORTLISTED:
        offer.status = OfferStatus.MADE
        offer.shortlisted_at = None
    else:
        return offer
    offer.save(update_fields=["status", "shortlisted_at"])
    record_event(
        referral=offer.referral,
        actor=by,
        verb="offer_shortlisted" if shortlisted else "offer_unshortlisted",
        offer=offer.pk,
        summary=offer.household.display_name,
    )
    return offer


@transaction.atomic
def offer_mark_equal(*, offer: Offer, by: Any, equally_meets_needs: bool) -> Offer:
    """Mark whether this option is as able as the best to meet the child's needs."""
    offer = _locked_offer(offer, by)
    if offer.equally_meets_needs != equally_meets_needs:
        offer.equally_meets_needs = equally_meets_needs
        offer.save(update_fields=["equally_meets_needs"])
        record_event(
            referral=offer.referral,
            actor=by,
            verb="offer_marked_equal" if equally_meets_needs else "offer_unmarked_equal",
            offer=offer.pk,
            summary=offer.household.display_name,
        )
    return offer


@transaction.atomic
def offer_record_childs_view(*, offer: Offer, by: Any, childs_view: str) -> Offer:
    """Record what the child thinks of this option, in the child's words where possible."""
    offer = _locked_offer(offer, by)
    text = (childs_view or "").strip()
    if not text:
        raise DomainError("Write down the child's view of this option.", field="childs_view")
    if text != offer.childs_view:
        offer.childs_view = text
        offer.save(update_fields=["childs_view"])
        record_event(
            referral=offer.referral,
            actor=by,
            verb="childs_view_recorded",
            offer=offer.pk,
            summary=offer.household.display_name,
        )
    return offer


@transaction.atomic
def referral_propose(
    *, referral: Referral, offer: Offer, by: Any, reason: str, notes: str = ""
) -> Referral:
    """Propose one offer for scrutiny, with the reason for the choice."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    check_chooser(referral, by)
    _check_choosing(referral)
    offer = (
        Offer.objects.select_for_update()
        .select_related("vacancy", "household__provider__organisation", "referral")
        .get(pk=offer.pk)
    )
    if offer.referral_id != referral.pk:
        raise DomainError("That offer was not made for this referral.", field="offer")
    if offer.status not in LIVE_OFFER_STATUSES:
        raise DomainError(f"That offer is {offer.get_status_display().lower()}.", field="offer")
    if offer.vacancy.status != VacancyStatus.OPEN:
        raise DomainError(
            f"The place offered ({offer.household.display_name}) is no longer open; choose another "
            "option.",
            field="offer",
        )
    if reason not in ChoiceReason.values:
        raise DomainError("Choose the reason for this choice.", field="reason")

    live = list(
        referral.offers.filter(status__in=LIVE_OFFER_STATUSES).select_related(
            "household__provider__organisation"
        )
    )
    if len(live) > 1:
        missing = [o.household.display_name for o in live if not o.childs_view.strip()]
        if missing:
            raise DomainError(
                "More than one option can meet the child's needs, so record the child's views on "
                f"each before proposing one (missing for {', '.join(missing)}).",
                field="childs_view",
            )
    tied_with = [o.pk for o in live if o.pk != offer.pk and o.equally_meets_needs]
    if reason == ChoiceReason.IN_HOUSE_TIE_BREAK:
        if not is_in_house(offer):
            raise DomainError(
                "The in-house preference can only be used for an option from the child's own "
                "local authority's fostering service.",
                field="reason",
            )
        if not tied_with:
            raise DomainError(
                "The in-house preference can only break a tie: mark at least one other option as "
                "equally meeting the child's needs first, or give another reason.",
                field="reason",
            )

    previous = referral.proposed_offer_id
    if previous and previous != offer.pk:
        Offer.objects.filter(pk=previous, status=OfferStatus.PROPOSED).update(
            status=OfferStatus.SHORTLISTED
        )
    offer.status = OfferStatus.PROPOSED
    if offer.shortlisted_at is None:
        offer.shortlisted_at = timezone.now()
    offer.save(update_fields=["status", "shortlisted_at"])
    referral.status = ReferralStatus.PROPOSED
    referral.proposed_offer = offer
    referral.proposed_by = by
    referral.proposed_at = timezone.now()
    referral.choice_reason = reason
    referral.choice_notes = notes.strip()
    referral.save(
        update_fields=[
            "status",
            "proposed_offer",
            "proposed_by",
            "proposed_at",
            "choice_reason",
            "choice_notes",
            "updated_at",
        ]
    )
    record_event(
        referral=referral,
        actor=by,
        verb="match_proposed",
        offer=offer.pk,
        reason=reason,
        in_house_tie_break=reason == ChoiceReason.IN_HOUSE_TIE_BREAK,
        tied_with=tied_with if reason == ChoiceReason.IN_HOUSE_TIE_BREAK else [],
        live_options=len(live),
        summary=(
            f"{offer.household.display_name}: "
            f"{ChoiceReason(reason).label}"
            + (
                f", tied with {len(tied_with)} other option{'s' if len(tied_with) != 1 else ''} "
                "marked as meeting the needs as well"
                if reason == ChoiceReason.IN_HOUSE_TIE_BREAK
                else ""
            )
        ),
    )
    enqueue_email(
        recipients=scrutineer_recipients(referral.rcc),
        template="match_proposed",
        context={"referral": referral},
        link=reverse("referrals:scrutiny_decide", args=[referral.pk]),
    )
    return referral
