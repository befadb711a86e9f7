"""Price schedules (weekly fee by age band and priced support packages) and soft blocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum

from apps.core.errors import DomainError
from apps.organisations.models import Organisation
from apps.providers.choices import HouseholdStatus
from apps.providers.models import Household, Provider
from apps.referrals.choices import SupportKind

from ..choices import FEE_BANDS, EnrolmentStatus
from ..models import Enrolment, Lot, PriceSchedule, SoftBlock, SupportPrice, TermsVersion
from ._common import date_order, day, money, money_required, require_owner

OVERLAP_CONSTRAINT = "priceschedule_no_overlap"


def _period(schedule: PriceSchedule) -> str:
    end = day(schedule.valid_to) if schedule.valid_to else "open-ended"
    return (
        f"{day(schedule.valid_from)} to {end}"
        if schedule.valid_to
        else f"{day(schedule.valid_from)} ({end})"
    )


def _check_no_overlap(
    *,
    provider: Provider,
    lot: Lot,
    valid_from: dt.date,
    valid_to: dt.date | None,
    exclude: int | None = None,
) -> None:
    clash = PriceSchedule.objects.filter(provider=provider, lot=lot).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)
    )
    if valid_to is not None:
        clash = clash.filter(valid_from__lte=valid_to)
    if exclude:
        clash = clash.exclude(pk=exclude)
    other = clash.order_by("valid_from").first()
    if other is not None:
        raise DomainError(
            f"These dates overlap {provider}'s schedule for {lot} from {_period(other)}. "
            "One provider has one price on a lot at a time: end that schedule first, or start "
            "this one after it.",
            field="valid_from",
        )


def _clean_fees(lot: Lot, fees: dict[str, Any]) -> dict[str, Decimal | None]:
    clean: dict[str, Decimal | None] = {}
    for suffix, youngest, oldest, label in FEE_BANDS:
        field = f"fee_{suffix}"
        amount = money(
            fees.get(field), field=field, label=f"the weekly fee for age {label}", required=False
        )
        if amount is not None and (oldest < lot.age_min or youngest > lot.age_max):
            raise DomainError(
                f"{lot} covers ages {lot.age_min} to {lot.age_max}: leave the fee for age {label} "
                "blank.",
                field=field,
            )
        clean[field] = amount
    if all(value is None for value in clean.values()):
        raise DomainError("Enter the weekly fee for at least one age band.", field="fee_0_4")
    return clean


def _clean_support(support: dict[str, Any] | None) -> dict[str, Decimal]:
    clean: dict[str, Decimal] = {}
    for kind, value in (support or {}).items():
        if kind not in SupportKind.values:
            raise DomainError(
                f"{kind} is not a support package; use one of {', '.join(SupportKind.values)}.",
                field="support",
            )
        amount = money(
            value,
            field=f"support_{kind}",
            label=f"the weekly cost of {SupportKind(kind).label.lower()}",
            required=False,
        )
        if amount is not None:
            clean[kind] = amount
    return clean


@transaction.atomic
def price_schedule_create(
    *,
    by: Any,
    provider: Provider,
    lot: Lot,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    fees: dict[str, Any],
    support: dict[str, Any] | None = None,
    notes: str = "",
) -> PriceSchedule:
    """Agree a provider's weekly fees on a lot for a period, with priced support packages.

    Periods of one provider on one lot never overlap: the provider's enrolment row is locked
    (SELECT … FOR UPDATE) so two schedules cannot pass the check together, and on PostgreSQL an
    exclusion constraint refuses an overlap whatever writes it.
    """
    lot = Lot.objects.select_related("framework").get(pk=lot.pk)
    require_owner(by, lot.framework.owner_id)
    enrolment = Enrolment.objects.select_for_update().filter(lot=lot, provider=provider).first()
    if enrolment is None or enrolment.status in (EnrolmentStatus.LEFT,):
        raise DomainError(
            f"{provider} is not on {lot}: enrol them before agreeing their prices.",
            field="provider",
        )
    date_order(valid_from, valid_to, field="valid_to", what="schedule's")
    clean_fees = _clean_fees(lot, fees)
    clean_support = _clean_support(support)
    _check_no_overlap(provider=provider, lot=lot, valid_from=valid_from, valid_to=valid_to)
    try:
        with transaction.atomic():
            schedule = PriceSchedule.objects.create(
                provider=provider,
                lot=lot,
                valid_from=valid_from,
                valid_to=valid_to,
                notes=(notes or "").strip(),
                created_by=by,
                **clean_fees,
            )
    except IntegrityError as err:
        if OVERLAP_CONSTRAINT in str(err):
            raise DomainError(
                f"These dates overlap another of {provider}'s schedules for {lot}.",
                field="valid_from",
            ) from None
        raise
    SupportPrice.objects.bulk_create(
        [
            SupportPrice(schedule=schedule, kind=kind, weekly_cost=cost)
            for kind, cost in clean_support.items()
        ]
    )
    return schedule


@transaction.atomic
def price_schedule_end(*, by: Any, schedule: PriceSchedule, valid_to: dt.date) -> PriceSchedule:
    """Set (or move) the last day a schedule applies."""
    schedule = PriceSchedule.objects.select_related("lot__framework", "provider").get(
        pk=schedule.pk
    )
    require_owner(by, schedule.lot.framework.owner_id)
    Enrolment.objects.select_for_update().filter(
        lot=schedule.lot, provider=schedule.provider
    ).first()
    date_order(schedule.valid_from, valid_to, field="valid_to", what="schedule's")
    _check_no_overlap(
        provider=schedule.provider,
        lot=schedule.lot,
        valid_from=schedule.valid_from,
        valid_to=valid_to,
        exclude=schedule.pk,
    )
    schedule.valid_to = valid_to
    schedule.save(update_fields=["valid_to"])
    return schedule


def approved_places(provider: Provider) -> int:
    """The places in the provider's active households (what it is approved to offer)."""
    return (
        Household.objects.filter(provider=provider, status=HouseholdStatus.ACTIVE).aggregate(
            n=Sum("places")
        )["n"]
        or 0
    )


@transaction.atomic
def soft_block_create(
    *,
    by: Any,
    rcc: Organisation,
    provider: Provider,
    reference: str,
    places: int,
    weekly_fee: Any,
    start_date: dt.date,
    end_date: dt.date,
    terms_version: TermsVersion,
    lot: Lot | None = None,
    utilisation_threshold: int = 80,
    consultation_months: int = 3,
    notes: str = "",
) -> SoftBlock:
    """Reserve places with a provider at an agreed weekly fee, paid whether used or not."""
    require_owner(by, rcc.pk)
    reference = (reference or "").strip()
    if not reference:
        raise DomainError("Give the soft block a reference.", field="reference")
    if SoftBlock.objects.filter(rcc=rcc, reference__iexact=reference).exists():
        raise DomainError(
            f"{rcc} already has a soft block with the reference {reference}.", field="reference"
        )
    if places is None or places < 1:
        raise DomainError("Reserve at least one place.", field="places")
    fee = money_required(weekly_fee, field="weekly_fee", label="the agreed weekly fee")
    date_order(start_date, end_date, field="end_date", what="soft block's")
    if lot is not None and lot.framework.owner_id != rcc.pk:
        raise DomainError("Choose a lot of one of your RCC's frameworks.", field="lot")
    if not 0 <= utilisation_threshold <= 100:
        raise DomainError(
            "The alert level is a percentage from 0 to 100.", field="utilisation_threshold"
        )
    if not 1 <= consultation_months <= 24:
        raise DomainError(
            "The consultation window must open 1 to 24 months before the end.",
            field="consultation_months",
        )
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    approved = approved_places(provider)
    if places > approved:
        raise DomainError(
            f"{provider} has {approved} approved place{'s' if approved != 1 else ''} in active "
            "households; "
            f"a soft block cannot reserve {places}.",
            field="places",
        )
    return SoftBlock.objects.create(
        rcc=rcc,
        provider=provider,
        lot=lot,
        reference=reference,
        places=places,
        weekly_fee=fee,
        start_date=start_date,
        end_date=end_date,
        terms_version=terms_version,
        utilisation_threshold=utilisation_threshold,
        consultation_months=consultation_months,
        notes=(notes or "").strip(),
        created_by=by,
    )
