"""Agreeing a placement books the place and writes the IPA; ending one records the 903 reason.

Booking is safe under concurrency twice over: the Vacancy row is locked (SELECT … FOR UPDATE)
and moved open → booked, and the database's partial unique constraint allows one current
placement per vacancy. The loser of a race gets a clear DomainError and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.organisations.geo import miles_between
from apps.organisations.models import Postcode
from apps.organisations.services import normalise_ofsted_urn, normalise_postcode
from apps.providers.choices import VacancyStatus
from apps.providers.models import Vacancy
from apps.referrals.choices import (
    UNPLANNED_ENDINGS,
    AccessChannel,
    LeftCare,
    OfferStatus,
    PlacementType,
    ReasonEnded,
    ReferralStatus,
    TargetStatus,
    Urgency,
)
from apps.referrals.models import Offer, Placement, PlacementAgreement, Referral
from apps.referrals.notifications import enqueue_email, provider_recipients
from apps.referrals.options import placement_provider_code
from apps.referrals.querysets import org_ids_by_kind
from apps.referrals.services.events import record_access, record_event

EMERGENCY_SCRUTINY_WINDOW = dt.timedelta(hours=72)
METRES_PER_MILE = 1609.34
NO_PLACEMENT_POSTCODE = (
    "No carers' postcode was recorded: the DfE return (SSDA903 PL_POST) needs it, and the "
    "distance from home is then an estimate between postcode districts."
)
FOSTER_PLACEMENT_TYPES = (PlacementType.U4, PlacementType.U5, PlacementType.U6)
ALREADY_BOOKED = (
    "This place has just been booked for another child, or is no longer open. Nothing has been "
    "saved: ask the provider about another place or choose another option."
)


def _check_hub(referral: Referral, by: Any) -> None:
    if by.is_superuser:
        return
    hub_ids = referral.rcc.hubs.values_list("pk", flat=True)
    if not by.memberships.filter(organisation_id__in=hub_ids, role=Role.PLACEMENT_OFFICER).exists():
        raise DomainError("Only a placement officer of the RCC's hub can agree the placement.")


def _due_from(start_date: dt.date) -> dt.datetime:
    now = timezone.now()
    if start_date <= timezone.localdate():
        return now + EMERGENCY_SCRUTINY_WINDOW
    start = timezone.make_aware(dt.datetime.combine(start_date, dt.time.min))
    return start + EMERGENCY_SCRUTINY_WINDOW


@transaction.atomic
def placement_agree(
    *,
    referral: Referral,
    by: Any,
    start_date: dt.date | None = None,
    placement_type: str = PlacementType.U6,
    siblings_split: bool = False,
    provider_urn: str = "",
    placement_postcode: str = "",
    also_offers: list[Offer] | None = None,
    split_reason: str = "",
    other_placement_postcodes: dict[int, str] | None = None,
) -> Placement:
    """Book the proposed offer's place, create the placement and its IPA.

    After scrutiny has approved the match; or, for an emergency, before scrutiny (the
    scrutiny is then due within 72 hours of the start and flagged until recorded).

    What the DfE return needs is kept as at booking: the provider's Ofsted URN (the one given,
    else the provider's), the child's home postcode and the carers' full postcode (optional,
    but its district must be the household's).

    A sibling group: every child gets a place, a placement and an IPA, all booked under one lock
    or none. The proposed offer's places come first; `also_offers` place the children it does
    not (siblings placed apart: `split_reason` is then required, unless the social worker gave
    one on proposing). `other_placement_postcodes` maps those offers to their carers' postcodes.
    Returns the referred child's placement.
    """
    referral = (
        Referral.objects.select_for_update().select_related("rcc", "child").get(pk=referral.pk)
    )
    _check_hub(referral, by)
    if referral.status == ReferralStatus.WITHDRAWN:
        raise DomainError("This referral has been withdrawn, so no placement can be agreed.")
    if referral.status == ReferralStatus.PLACED:
        raise DomainError("A placement has already been agreed for this referral.")
    emergency_first = (
        referral.status == ReferralStatus.PROPOSED and referral.urgency == Urgency.EMERGENCY
    )
    if referral.status != ReferralStatus.APPROVED and not emergency_first:
        raise DomainError(
            "The match must be approved by an independent scrutineer before the placement is "
            "agreed (only an emergency may be placed first)."
        )
    if placement_type not in FOSTER_PLACEMENT_TYPES:
        raise DomainError(
            "Choose the placement type: U4 long-term, U5 FFA/concurrent or U6 other.",
            field="placement_type",
        )
    offer = Offer.objects.select_related(
        "household__postcode_district", "household__provider__organisation"
    ).get(pk=referral.proposed_offer_id or 0)
    booking = _group_booking(referral, offer, also_offers or [])
    offers = list(dict.fromkeys(o for o, _, _ in booking))
    # Placed apart: in more than one household, or the hub says so (a sibling placed elsewhere).
    split = len({o.household_id for o in offers}) > 1 or siblings_split
    reason = (split_reason or "").strip()
    if split and not (reason or referral.siblings_split_reason):
        raise DomainError(
            "The siblings would be placed apart: say why, and that it has been agreed.",
            field="split_reason",
        )
    latest = max(offers, key=lambda o: o.available_from)
    latest_free = latest.available_from
    start = start_date or max(timezone.localdate(), latest_free)
    if start < latest_free:
        raise DomainError(
            (
                f"The place is available only from {latest_free:%-d %B %Y}."
                if len(booking) == 1
                else f"{latest.household.display_name} is free only from "
                f"{latest_free:%-d %B %Y}: start the placements on that date or later."
            ),
            field="start_date",
        )
    urns: dict[int, str] = {}
    postcodes: dict[int, str] = {}
    given_urn = _ofsted_urn(provider_urn)
    for o in offers:
        urns[o.pk] = (
            given_urn
            if o.pk == offer.pk and given_urn
            else o.household.provider.organisation.ofsted_urn
        )
        given = (
            placement_postcode
            if o.pk == offer.pk
            else (other_placement_postcodes or {}).get(o.pk, "")
        )
        postcodes[o.pk] = _placement_postcode(given, o.household.postcode_district_id)

    # Every place of the group under the same lock, in a fixed order (by id) so that two
    # groups racing for overlapping places cannot deadlock; all are booked, or none.
    locked = {
        v.pk: v
        for v in Vacancy.objects.select_for_update()
        .filter(pk__in=[v.pk for _, _, v in booking])
        .order_by("pk")
    }
    if len(locked) != len(booking) or any(v.status != VacancyStatus.OPEN for v in locked.values()):
        raise DomainError(ALREADY_BOOKED, field="vacancy")
    Vacancy.objects.filter(pk__in=list(locked)).update(
        status=VacancyStatus.BOOKED, updated_at=timezone.now()
    )
    if split:
        referral.siblings_split_reason = reason or referral.siblings_split_reason
        if reason or referral.siblings_split_by_id is None:
            referral.siblings_split_by = by
            referral.siblings_split_at = timezone.now()

    placements: list[Placement] = []
    try:
        with transaction.atomic():
            for o, child, place in booking:
                household = o.household
                provider = household.provider
                placement = Placement.objects.create(
                    referral=referral,
                    child=child,
                    offer=o,
                    vacancy=locked[place.pk],
                    household=household,
                    provider=provider,
                    la=referral.la,
                    rcc=referral.rcc,
                    placement_type=placement_type,
                    placement_provider=placement_provider_code(
                        child_la_id=child.la_id, organisation=provider.organisation
                    ),
                    start_date=start,
                    provider_urn=urns[o.pk],
                    home_postcode=child.home_postcode,
                    placement_postcode=postcodes[o.pk],
                    distance_from_home_miles=distance_from_home(
                        child=child, household=household, placement_postcode=postcodes[o.pk]
                    ),
                    emergency_scrutiny_due=_due_from(start) if emergency_first else None,
                    booked_by=by,
                )
                placements.append(placement)
    except IntegrityError:
        raise DomainError(ALREADY_BOOKED, field="vacancy") from None
    PlacementAgreement.objects.bulk_create(
        PlacementAgreement(
            placement=p,
            agreed_weekly_fee=p.offer.weekly_fee,
            support_package=p.offer.support_package,
            support_weekly_cost=p.offer.support_weekly_cost,
            # What is paid each week: the agreed cost at booking, until a change is recorded.
            actual_weekly_cost=_weekly_cost(p.offer.weekly_fee + p.offer.support_weekly_cost),
            provider_urn=p.provider_urn,
            siblings_split=split,
        )
        for p in placements
    )

    booked_ids = [o.pk for o in offers]
    Offer.objects.filter(pk__in=booked_ids).update(status=OfferStatus.ACCEPTED)
    offer.status = OfferStatus.ACCEPTED
    referral.status = ReferralStatus.PLACED
    referral.save(
        update_fields=[
            "status",
            "siblings_split_reason",
            "siblings_split_by",
            "siblings_split_at",
            "updated_at",
        ]
    )
    others = list(
        referral.offers.exclude(pk__in=booked_ids)
        .filter(status__in=[OfferStatus.MADE, OfferStatus.SHORTLISTED, OfferStatus.PROPOSED])
        .select_related("household__provider__organisation")
    )
    referral.offers.filter(pk__in=[o.pk for o in others]).update(status=OfferStatus.NOT_CHOSEN)
    unanswered = list(
        referral.targets.filter(status=TargetStatus.SENT).select_related("provider__organisation")
    )
    referral.targets.filter(pk__in=[t.pk for t in unanswered]).update(status=TargetStatus.WITHDRAWN)

    main = next((p for p in placements if p.child_id == referral.child_id), placements[0])
    household = offer.household
    provider = household.provider
    record_event(
        referral=referral,
        actor=by,
        verb="placement_agreed",
        placement=main.pk,
        placements=[p.pk for p in placements],
        offer=offer.pk,
        offers=booked_ids,
        vacancy=main.vacancy_id,
        vacancies=[p.vacancy_id for p in placements],
        children=len(placements),
        siblings_split=split,
        split_reason=referral.siblings_split_reason if split else "",
        placement_type=placement_type,
        placement_provider=main.placement_provider,
        provider_urn=main.provider_urn,
        placement_postcode_recorded=all(postcodes.values()),
        before_scrutiny=emergency_first,
        not_chosen=[o.pk for o in others],
        targets_withdrawn=[t.pk for t in unanswered],
        summary=(
            "; ".join(
                f"{o.household.display_name}"
                + (
                    f" ({sum(1 for b in booking if b[0].pk == o.pk)} children)"
                    if len(booking) > 1
                    else ""
                )
                for o in offers
            )
            + f" from {start:%-d %B %Y}; {placement_type}, {main.placement_provider}; "
            f"£{offer.full_weekly_cost:,.2f} a week"
            + (" for each child" if len(booking) > 1 else "")
            + (f"; siblings placed apart: {referral.siblings_split_reason}" if split else "")
            + (" (before scrutiny: emergency)" if emergency_first else "")
        ),
    )
    notified: set[int] = set()
    for o in offers:
        if o.household.provider_id in notified:
            continue
        booked = next(p for p in placements if p.offer_id == o.pk)
        enqueue_email(
            recipients=provider_recipients(o.household.provider),
            template="placement_agreed",
            context={"referral": referral, "placement": booked, "offer": o},
            link=reverse("referrals:placement_detail", args=[booked.pk]),
        )
        notified.add(o.household.provider_id)
    for other in others:
        other_provider = other.household.provider
        enqueue_email(
            recipients=provider_recipients(other_provider),
            template="offer_not_chosen",
            context={"referral": referral, "offer": other},
            link=reverse("referrals:provider_target", args=[other.target_id]),
        )
        notified.add(other_provider.pk)
    for target in unanswered:
        if target.provider_id not in notified:
            enqueue_email(
                recipients=provider_recipients(target.provider),
                template="target_closed",
                context={"referral": referral},
                link=reverse("referrals:provider_target", args=[target.pk]),
            )
            notified.add(target.provider_id)
    return main


def _group_booking(
    referral: Referral, offer: Offer, also_offers: list[Offer]
) -> list[tuple[Offer, Any, Vacancy]]:
    """(offer, child, place) for every child of the group: the proposed offer's places first,
    then the other offers chosen to place the children it does not (siblings placed apart).
    Every child must have exactly one place."""
    from apps.referrals.services.offers import offer_places

    group = referral.group
    booking: list[tuple[Offer, Any, Vacancy]] = []
    placed: set[int] = set()
    extra = (
        Offer.objects.select_related(
            "household__postcode_district", "household__provider__organisation"
        )
        .filter(pk__in=[o.pk for o in also_offers])
        .order_by("pk")
    )
    for o in [offer, *extra]:
        if o.pk != offer.pk:
            if o.referral_id != referral.pk:
                raise DomainError("That offer was not made for this referral.", field="also_offers")
            if o.status not in (OfferStatus.MADE, OfferStatus.SHORTLISTED, OfferStatus.PROPOSED):
                raise DomainError(
                    f"The offer of {o.household.display_name} is {o.get_status_display().lower()}.",
                    field="also_offers",
                )
        used = False
        for child, place in offer_places(o):
            if child.pk in placed:
                continue
            placed.add(child.pk)
            booking.append((o, child, place))
            used = True
        if not used:
            raise DomainError(
                f"The offer of {o.household.display_name} places no child the other chosen "
                "offers do not: leave it out.",
                field="also_offers",
            )
    missing = [c.local_identifier for c in group if c.pk not in placed]
    if missing:
        raise DomainError(
            "Every child of the group needs a place: no chosen offer places "
            f"{', '.join(missing)}. Choose another offer that does as well (the siblings are "
            "then placed apart), or ask the provider for a place for each child.",
            field="also_offers",
        )
    return booking


def _ofsted_urn(value: str) -> str:
    urn = normalise_ofsted_urn(value)
    if urn is None:
        raise DomainError(
            "Enter the provider's Ofsted URN as on its Ofsted report, such as SC123456 or "
            "1234567, or leave it blank to use the provider's.",
            field="provider_urn",
        )
    return urn


def _placement_postcode(value: str, household_district: str | None) -> str:
    """The carers' full postcode, normalised; its district must be the household's."""
    if not (value or "").strip():
        return ""
    postcode = normalise_postcode(value)
    if postcode is None:
        raise DomainError(
            "Enter the carers' full postcode, such as M14 5AB.", field="placement_postcode"
        )
    district = postcode.split(" ")[0]
    if household_district and district != household_district:
        raise DomainError(
            f"The carers' postcode {postcode} is not in the household's postcode district "
            f"({household_district}): check the postcode, or ask the provider to correct the "
            "household's district in the register.",
            field="placement_postcode",
        )
    return postcode


def postcode_miles(home: str, placement: str) -> Decimal | None:
    """The DfE's distance between two full postcodes: the straight line between their grid
    points, in miles to 1 decimal place; None unless both postcodes are known."""
    if not home or not placement:
        return None
    points = {
        p.code: (p.easting, p.northing) for p in Postcode.objects.filter(code__in={home, placement})
    }
    if home not in points or placement not in points:
        return None
    (e1, n1), (e2, n2) = points[home], points[placement]
    miles = math.hypot(e1 - e2, n1 - n2) / METRES_PER_MILE
    return Decimal(f"{miles:.1f}")


def distance_from_home(*, child: Any, household: Any, placement_postcode: str) -> Decimal | None:
    """From the child's home to the placement: between the two full postcodes when both are
    known (as the DfE computes it); else from the centre of the child's home postcode district
    to the household's point."""
    exact = postcode_miles(child.home_postcode, placement_postcode)
    if exact is not None:
        return exact
    home = child.home_postcode_district
    if home is None:
        return None
    miles = miles_between(
        (home.latitude, home.longitude), (household.latitude, household.longitude)
    )
    return Decimal(f"{miles:.1f}")


MAX_WEEKLY_COST = Decimal("1000000")


def _weekly_cost(amount: Decimal, field: str = "weekly_fee") -> Decimal:
    if amount >= MAX_WEEKLY_COST:
        raise DomainError(
            "The weekly cost (fee and support) must be less than £1,000,000.", field=field
        )
    return amount


@transaction.atomic
def placement_weekly_cost_change(
    *,
    placement: Placement,
    weekly_fee: Any,
    support_weekly_cost: Any,
    reason: str,
    by: Any,
) -> PlacementAgreement:
    """Record a change to what is paid each week for a placement (the fee or the support
    package changed after the IPA was agreed): the IPA's actual weekly cost becomes the new fee
    plus support; the agreed cost stays as agreed. On the referral's timeline with the reason."""
    from apps.referrals.services.offers import _money

    placement = Placement.objects.select_related("referral__rcc").get(pk=placement.pk)
    _check_hub(placement.referral, by)
    agreement = PlacementAgreement.objects.select_for_update().get(placement=placement)
    if placement.end_date is not None:
        raise DomainError(
            f"This placement ended on {placement.end_date:%-d %B %Y}: "
            "its cost can no longer change."
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Say why the weekly cost changed.", field="reason")
    fee = _money(weekly_fee, "weekly_fee", "the weekly fee")
    support = _money(support_weekly_cost, "support_weekly_cost", "the weekly cost of support")
    before = agreement.weekly_cost
    agreement.actual_weekly_cost = _weekly_cost(fee + support)
    agreement.save(update_fields=["actual_weekly_cost"])
    record_event(
        referral=placement.referral,
        actor=by,
        verb="weekly_cost_changed",
        placement=placement.pk,
        before=str(before),
        after=str(agreement.actual_weekly_cost),
        reason=reason,
        summary=f"Weekly cost £{before:,} → £{agreement.actual_weekly_cost:,}: {reason}",
    )
    return agreement


def _check_can_end(placement: Placement, by: Any) -> None:
    if by.is_superuser:
        return
    memberships = by.memberships.all()
    hub_ids = set(placement.rcc.hubs.values_list("pk", flat=True))
    if any(
        (m.organisation_id == placement.la_id and m.role == Role.SOCIAL_WORKER)
        or (m.organisation_id in hub_ids and m.role == Role.PLACEMENT_OFFICER)
        for m in memberships
    ):
        return
    raise DomainError("Only the child's social worker or the RCC's hub can end this placement.")


@transaction.atomic
def placement_end(
    *,
    placement: Placement,
    end_date: dt.date,
    reason_ended: str,
    by: Any,
    left_care: bool = False,
    left_care_reason: str = "",
) -> Placement:
    """End a placement with its SSDA903 reason; unplanned endings feed the provider's stability.

    When the child stopped being looked after as the placement ended, the reason they left care
    (an E-code, SSDA903 REC) is required and stored; otherwise the child moves on and the next
    placement should start the same day, so that the DfE return shows a move (X1).
    The place goes on hold (not straight back to open): the provider confirms when it is free.
    """
    placement = (
        Placement.objects.select_for_update().select_related("rcc", "vacancy").get(pk=placement.pk)
    )
    _check_can_end(placement, by)
    if placement.end_date is not None:
        raise DomainError(f"This placement already ended on {placement.end_date:%-d %B %Y}.")
    if reason_ended not in ReasonEnded.values:
        raise DomainError(
            "Choose the reason the placement ended (SSDA903 code).", field="reason_ended"
        )
    left_care_reason = (left_care_reason or "").strip().upper()
    if left_care and left_care_reason not in LeftCare.values:
        raise DomainError(
            "Choose the reason the child stopped being looked after (SSDA903 E-code).",
            field="left_care_reason",
        )
    if not left_care and left_care_reason:
        raise DomainError(
            "Give a reason the child left care only if the child stopped being looked after.",
            field="left_care_reason",
        )
    if end_date < placement.start_date:
        raise DomainError(
            f"The end date cannot be before the start ({placement.start_date:%-d %B %Y}).",
            field="end_date",
        )
    if end_date > timezone.localdate():
        raise DomainError("The end date cannot be in the future.", field="end_date")
    placement.end_date = end_date
    placement.reason_ended = reason_ended
    placement.left_care_reason = left_care_reason if left_care else ""
    placement.save(update_fields=["end_date", "reason_ended", "left_care_reason"])
    vacancy = Vacancy.objects.select_for_update().get(pk=placement.vacancy_id)
    if vacancy.status == VacancyStatus.BOOKED:
        vacancy.status = VacancyStatus.ON_HOLD
        vacancy.hold_reason = (
            f"Placement ended on {end_date:%-d %B %Y}: confirm when the place is free again."
        )
        vacancy.save(update_fields=["status", "hold_reason", "updated_at"])
    record_event(
        referral=placement.referral,
        actor=by,
        verb="placement_ended",
        placement=placement.pk,
        reason_ended=reason_ended,
        left_care_reason=placement.left_care_reason,
        unplanned=reason_ended in UNPLANNED_ENDINGS,
        end_date=end_date.isoformat(),
        summary=f"{ReasonEnded(reason_ended).label}, {end_date:%-d %B %Y}"
        + (
            f"; left care: {LeftCare(placement.left_care_reason).label}"
            if placement.left_care_reason
            else ""
        ),
    )
    enqueue_email(
        recipients=provider_recipients(placement.provider),
        template="placement_ended",
        context={"placement": placement},
        link=reverse("referrals:placement_detail", args=[placement.pk]),
    )
    return placement


def placement_view(*, placement: Placement, by: Any, channel: str = AccessChannel.WEB) -> None:
    """Log a read of a placement page (it shows the child's local identifier): the provider's
    staff as the provider, the LA's and hub's staff through their own membership."""
    is_provider = placement.provider_id in org_ids_by_kind(by)["provider"]
    record_access(
        referral=placement.referral,
        user=by,
        organisation=placement.provider.organisation if is_provider else None,
        action="provider_view_placement" if is_provider else "view_placement",
        channel=channel,
    )
