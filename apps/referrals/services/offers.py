"""The provider's answer to a referral sent to it: read it (minimised, logged), then offer a named
household with an open place, or decline with a reason code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import DomainError
from apps.providers.choices import HouseholdStatus, VacancyStatus
from apps.providers.models import Household, Vacancy
from apps.referrals.choices import (
    AccessChannel,
    DeclineReason,
    OfferStatus,
    ReferralStatus,
    SupportKind,
    TargetStatus,
)
from apps.referrals.models import Child, Offer, OfferPlace, Referral, ReferralTarget
from apps.referrals.notifications import enqueue_email, hub_recipients
from apps.referrals.querysets import org_ids_by_kind
from apps.referrals.services.events import record_access, record_event

# A referral is open to answers while the hub is searching, a match is proposed, or returned.
ANSWERABLE = (ReferralStatus.SENT, ReferralStatus.PROPOSED, ReferralStatus.RETURNED)
# Offers whose provider may see the child's local identifier (the LA shortlisted it).
IDENTITY_REVEALED = (OfferStatus.SHORTLISTED, OfferStatus.PROPOSED, OfferStatus.ACCEPTED)


def age_on(child: Child, on: dt.date) -> int:
    born = child.date_of_birth
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_works_for_provider(target: ReferralTarget, by: Any) -> None:
    if by.is_superuser:
        return
    if target.provider_id not in org_ids_by_kind(by)["provider"]:
        raise DomainError("You do not work for the provider this referral was sent to.")


def _check_referral_open(referral: Referral) -> None:
    if referral.status == ReferralStatus.WITHDRAWN:
        raise DomainError(
            "This referral has been withdrawn by the local authority, so it can no longer be "
            "answered."
        )
    if referral.status in (ReferralStatus.APPROVED, ReferralStatus.PLACED):
        raise DomainError("A home has already been agreed for this child; this referral is closed.")
    if referral.status not in ANSWERABLE:
        raise DomainError("This referral is not open for answers.")


def _check_target_awaiting(target: ReferralTarget) -> None:
    if target.status == TargetStatus.WITHDRAWN:
        raise DomainError("The hub has withdrawn this request, so it can no longer be answered.")
    if target.status != TargetStatus.SENT:
        raise DomainError(
            f"You have already answered this referral ({target.get_status_display().lower()})."
        )


def check_answerable(target: ReferralTarget) -> None:
    """Raise the reason a provider can no longer answer this target, if there is one."""
    _check_referral_open(target.referral)
    _check_target_awaiting(target)


def identity_revealed(target: ReferralTarget) -> bool:
    """After the LA shortlists this provider's offer, it may see the child's local identifier."""
    offer = getattr(target, "offer", None)
    return bool(offer and offer.shortlisted_at and offer.status in IDENTITY_REVEALED)


def target_view(
    *, target: ReferralTarget, by: Any, channel: str = AccessChannel.WEB
) -> dict[str, Any]:
    """The provider's read of a referral: minimised, logged every time, first view stamped once.

    Returns {"referral": <minimised referral>, "local_identifier": str | None}: the local
    identifier only once the LA has shortlisted this provider's offer (that read is logged too).
    Never the case-system id, a name or an address.
    """
    from apps.referrals.minimise import minimise_referral

    _check_works_for_provider(target, by)
    referral = target.referral
    organisation = target.provider.organisation
    record_access(
        referral=referral,
        user=by,
        organisation=organisation,
        action="provider_view",
        channel=channel,
    )
    if target.first_viewed_at is None:
        now = timezone.now()
        ReferralTarget.objects.filter(pk=target.pk, first_viewed_at__isnull=True).update(
            first_viewed_at=now
        )
        target.first_viewed_at = now
    local_identifier = None
    if identity_revealed(target):
        record_access(
            referral=referral,
            user=by,
            organisation=organisation,
            action="provider_view_identity",
            channel=channel,
        )
        local_identifier = referral.child.local_identifier
    return {"referral": minimise_referral(referral), "local_identifier": local_identifier}


def approval_misfit(household: Household, children: list[Child], on: dt.date) -> str:
    """Why the household's approval does not fit these children on that day ("" when it does):
    each child's age within the approved range, and the group no larger than the largest sibling
    group it is approved for."""
    for child in children:
        age = age_on(child, on)
        if not household.age_min <= age <= household.age_max:
            return (
                f"Household {household.reference} is approved for ages {household.age_min} to "
                f"{household.age_max}, not for a child of {age}."
            )
    if len(children) > 1 and len(children) > household.max_sibling_group:
        return (
            f"Household {household.reference} is approved for sibling groups of up to "
            f"{household.max_sibling_group}; this offer would place {len(children)} children."
        )
    return ""


def fitting_places(target: ReferralTarget, on: dt.date) -> list[Vacancy]:
    """The provider's open places whose household is active and approved for at least one
    child of the group (each child's age; a group of two or more: its size)."""
    referral = target.referral
    group = referral.group
    places = (
        Vacancy.objects.filter(
            household__provider_id=target.provider_id,
            household__status=HouseholdStatus.ACTIVE,
            status=VacancyStatus.OPEN,
        )
        .select_related("household")
        .order_by("household__reference", "available_from", "reference")
    )
    return [v for v in places if any(not approval_misfit(v.household, [c], on) for c in group)]


def scheduled_fee(*, target: ReferralTarget, household: Household, on: dt.date) -> Decimal | None:
    """The weekly fee from the price schedule that applies, or None when none does."""
    try:
        from apps.contracts.selectors import scheduled_fee_for
    except ImportError:
        return None
    fee = scheduled_fee_for(
        provider=household.provider,
        child_age=age_on(target.referral.child, on),
        care_types=household.care_type_codes,
        on=on,
        rcc=target.referral.rcc_id,
    )
    return None if fee is None else Decimal(fee)


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            f"Enter {label} as an amount in pounds, like 120.00.", field=field
        ) from None
    if not amount.is_finite():
        raise DomainError(f"Enter {label} as an amount in pounds, like 120.00.", field=field)
    if amount < 0:
        raise DomainError(f"{label.capitalize()} cannot be negative.", field=field)
    if amount >= Decimal("1000000"):
        raise DomainError(f"{label.capitalize()} must be less than £1,000,000.", field=field)
    return amount


def clean_support_package(
    lines: list[dict[str, Any]] | None,
) -> tuple[list[dict[str, str]], Decimal]:
    """Validate support lines ({"kind", "weekly_cost", "note"}) and total their weekly cost."""
    package: list[dict[str, str]] = []
    total = Decimal("0.00")
    seen: set[str] = set()
    for index, line in enumerate(lines or []):
        if not isinstance(line, dict):
            raise DomainError(
                "Each support line needs a kind and a weekly cost.", field="support_package"
            )
        kind = str(line.get("kind", ""))
        if kind not in SupportKind.values:
            choices = ", ".join(SupportKind.values)
            raise DomainError(
                f"Support line {index + 1}: kind must be one of {choices}.", field="support_package"
            )
        if kind in seen:
            raise DomainError(
                f"{SupportKind(kind).label} is listed twice; give it once with its weekly cost.",
                field="support_package",
            )
        seen.add(kind)
        cost = _money(
            line.get("weekly_cost"),
            "support_package",
            f"the weekly cost of {SupportKind(kind).label.lower()}",
        )
        total += cost
        package.append(
            {"kind": kind, "weekly_cost": str(cost), "note": str(line.get("note", ""))[:500]}
        )
    return package, total


@transaction.atomic
def offer_make(
    *,
    target: ReferralTarget,
    by: Any,
    household: Household,
    vacancy: Vacancy | None = None,
    weekly_fee: Any,
    available_from: dt.date,
    support_package: list[dict[str, Any]] | None = None,
    fee_above_schedule_reason: str = "",
    notes: str = "",
    places: dict[int, Vacancy | None] | None = None,
) -> Offer:
    """Offer a named household the provider owns, with a place still open, for this child.

    A sibling group: `places` names the place for each child the household can take (child id →
    vacancy; None or absent: not in this offer). An offer for only some of the group means the
    siblings would be placed apart. The weekly fee and support are for each child. Without
    `places`, `vacancy` is the referred child's place."""
    target = ReferralTarget.objects.select_for_update().select_related("referral").get(pk=target.pk)
    _check_works_for_provider(target, by)
    referral = target.referral
    _check_referral_open(referral)
    _check_target_awaiting(target)

    if household.provider_id != target.provider_id:
        raise DomainError(
            "That household is not one of yours: offer a household your service has approved.",
            field="household",
        )
    if household.status != HouseholdStatus.ACTIVE:
        raise DomainError(
            f"Household {household.reference} is {household.get_status_display().lower()} on the "
            "register, so it cannot be offered.",
            field="household",
        )
    chosen = _chosen_places(referral, vacancy, places)
    # Locked in a fixed order (by id), as booking does: no deadlock between two offers.
    locked = {
        v.pk: v
        for v in Vacancy.objects.select_for_update()
        .filter(pk__in=[v.pk for _, v in chosen])
        .order_by("pk")
    }
    chosen = [(child, locked[v.pk]) for child, v in chosen]
    for child, place in chosen:
        field = _place_field(referral, child)
        if place.household_id != household.pk:
            raise DomainError(
                f"Place {place.reference} is not in household {household.reference}: name places "
                "in the household you offer.",
                field=field,
            )
        if place.status != VacancyStatus.OPEN:
            raise DomainError(
                f"Place {place.reference} is no longer open "
                f"({place.get_status_display().lower()}); choose an open place or decline.",
                field=field,
            )
        misfit = approval_misfit(household, [child], available_from)
        if misfit:
            raise DomainError(f"{misfit} Choose a household approved for this child.", field=field)
        if available_from < place.available_from:
            raise DomainError(
                f"Place {place.reference} is free only from {place.available_from:%-d %B %Y}: "
                "give that date or later.",
                field="available_from",
            )
    misfit = approval_misfit(household, [c for c, _ in chosen], available_from)
    if misfit:
        raise DomainError(
            f"{misfit} Offer places for fewer children, or choose another household.",
            field=_place_field(referral, chosen[-1][0]),
        )
    vacancy = chosen[0][1]
    if (
        Offer.objects.filter(referral=referral, household=household)
        .exclude(status__in=[OfferStatus.WITHDRAWN, OfferStatus.NOT_CHOSEN])
        .exists()
    ):
        raise DomainError(
            f"Household {household.reference} has already been offered for this child.",
            field="household",
        )
    fee = _money(weekly_fee, "weekly_fee", "the weekly fee")
    package, support_cost = clean_support_package(support_package)
    schedule = scheduled_fee(target=target, household=household, on=available_from)
    reason = fee_above_schedule_reason.strip()
    if schedule is not None and fee > schedule and not reason:
        raise DomainError(
            f"£{fee:,.2f} is above the scheduled fee of £{schedule:,.2f}: say why, or offer the "
            "scheduled fee.",
            field="fee_above_schedule_reason",
        )
    offer = Offer.objects.create(
        target=target,
        referral=referral,
        household=household,
        vacancy=vacancy,
        weekly_fee=fee,
        scheduled_fee=schedule,
        fee_above_schedule_reason=reason if schedule is not None and fee > schedule else "",
        support_package=package,
        support_weekly_cost=support_cost,
        available_from=available_from,
        notes=notes.strip(),
        made_by=by,
    )
    OfferPlace.objects.bulk_create(
        OfferPlace(offer=offer, child=child, vacancy=place) for child, place in chosen
    )
    target.status = TargetStatus.OFFERED
    target.responded_at = timezone.now()
    target.responded_by = by
    target.save(update_fields=["status", "responded_at", "responded_by"])
    record_event(
        referral=referral,
        actor=by,
        verb="offer_made",
        target=target.pk,
        offer=offer.pk,
        provider=target.provider_id,
        household=household.reference,
        places={str(child.pk): place.reference for child, place in chosen},
        weekly_fee=str(fee),
        support_weekly_cost=str(support_cost),
        scheduled_fee=None if schedule is None else str(schedule),
        above_schedule=bool(schedule is not None and fee > schedule),
        summary=(
            f"{household.reference} ({household.provider.name}): £{fee:,.2f} a week plus "
            f"£{support_cost:,.2f} support"
            + (" (above the price schedule)" if schedule is not None and fee > schedule else "")
            + (
                f"; places for {len(chosen)} of the {len(referral.group)} children"
                if len(referral.group) > 1
                else ""
            )
        ),
    )
    enqueue_email(
        recipients=[referral.created_by.email, *hub_recipients(referral.rcc)],
        template="offer_made",
        context={"referral": referral, "offer": offer, "provider": household.provider},
        link=reverse("referrals:options", args=[referral.pk]),
    )
    return offer


def place_field(index: int) -> str:
    """The field that names the place of the group's child at `index`: `vacancy` for the
    referred child (0), `place_1`, `place_2`… for the siblings, eldest first (as the minimised
    referral lists their ages). Never the child's id: the provider does not know who they are."""
    return "vacancy" if index == 0 else f"place_{index}"


def _place_field(referral: Referral, child: Child) -> str:
    ids = [c.pk for c in referral.group]
    return place_field(ids.index(child.pk) if child.pk in ids else 0)


def _chosen_places(
    referral: Referral, vacancy: Vacancy | None, places: dict[int, Vacancy | None] | None
) -> list[tuple[Child, Vacancy]]:
    """(child, place) for each child the offer places, in the group's order; checked: every
    child is one of the group, and no place is named twice."""
    group = referral.group
    if places is None:
        if vacancy is None:
            raise DomainError("Choose the place you offer.", field="vacancy")
        places = {referral.child_id: vacancy}
    by_id = {c.pk: c for c in group}
    for child_id in places:
        if child_id not in by_id:
            raise DomainError("Name places only for the children of this referral.", field="places")
    chosen = [(c, places[c.pk]) for c in group if places.get(c.pk) is not None]
    if not chosen:
        raise DomainError(
            "Choose a place for at least one child" + (" of the group." if len(group) > 1 else "."),
            field="vacancy",
        )
    seen: dict[int, Child] = {}
    for child, place in chosen:
        assert place is not None
        if place.pk in seen:
            raise DomainError(
                f"Place {place.reference} is named for two children: give each child their own "
                "place.",
                field=_place_field(referral, child),
            )
        seen[place.pk] = child
    return [(c, p) for c, p in chosen if p is not None]


def offer_places(offer: Offer) -> list[tuple[Child, Any]]:
    """(child, vacancy) for each child the offer places; an offer recorded without named
    places is the referred child's, in the offer's own place."""
    rows = [(p.child, p.vacancy) for p in offer.places.select_related("child", "vacancy")]
    return rows or [(offer.referral.child, offer.vacancy)]


@transaction.atomic
def target_decline(
    *, target: ReferralTarget, by: Any, reason: str, note: str = ""
) -> ReferralTarget:
    """Decline a referral with a reason code (and a note, required for "Other")."""
    target = ReferralTarget.objects.select_for_update().select_related("referral").get(pk=target.pk)
    _check_works_for_provider(target, by)
    _check_referral_open(target.referral)
    _check_target_awaiting(target)
    if reason not in DeclineReason.values:
        raise DomainError("Choose the reason you cannot offer a home.", field="reason")
    note = note.strip()
    if reason == DeclineReason.OTHER and not note:
        raise DomainError("Say why you cannot offer a home.", field="note")
    target.status = TargetStatus.DECLINED
    target.decline_reason = reason
    target.decline_note = note
    target.responded_at = timezone.now()
    target.responded_by = by
    target.save(
        update_fields=["status", "decline_reason", "decline_note", "responded_at", "responded_by"]
    )
    record_event(
        referral=target.referral,
        actor=by,
        verb="target_declined",
        target=target.pk,
        provider=target.provider_id,
        reason=reason,
        summary=f"{target.provider.name}: {DeclineReason(reason).label}"
        + (f". {note}" if note else ""),
    )
    return target
