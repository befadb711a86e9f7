"""Reads for commissioning: scheduled fees, utilisation, planning dates, budgets, fee comparison
and national specialist services."""

from __future__ import annotations

import datetime
import decimal
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from apps.providers.choices import CARE_TYPE_CODES

from .choices import (
    FEE_BANDS,
    LOT_CARE_TYPE,
    AlertKind,
    EnrolmentStatus,
    LotService,
    fee_field_for_age,
)
from .dates import financial_year_bounds
from .models import (
    ContractAlert,
    Framework,
    InHouseCost,
    PlacementBudget,
    PriceSchedule,
    SoftBlock,
    SpecialistService,
    SpecialistServiceNeed,
    TermsVersion,
)
from .querysets import PriceScheduleQuerySet


def scheduled_fee_for(
    *,
    provider: Any,
    child_age: int,
    care_types: int | Iterable[str] | None = None,
    on: datetime.date,
    rcc: Any = None,
) -> decimal.Decimal | None:
    """The weekly fee the price schedule sets for this provider, child's age and date; or None.

    A schedule applies when all hold on `on`: its period covers the date, its lot's framework
    (or DPS) is in its term, the provider's enrolment on the lot is accepted, the lot's age
    range covers `child_age`, and the schedule has a fee for the child's age band (0-4, 5-10,
    11-15, 16-17, 18+).

    `care_types` is a `CareType` bit mask, or a list of CareType codes such as
    `household.care_type_codes` (the household's approval or the care the child needs).
    Lots for a particular need (enhanced/therapeutic, parent and child, disability, UASC,
    staying put) apply only when the mask has that care type, and then win over a standard lot;
    standard lots apply to everyone. Sibling-group and specialist lots are priced case by case
    and are never picked here.

    `provider` is a `apps.providers.models.Provider` or its pk (the organisation id).
    `rcc` (optional, an Organisation or its pk): prefer the schedules on that RCC's frameworks,
    then the NCC's; without it (or with no such schedule) the lowest applicable fee is returned.
    """
    provider_id = getattr(provider, "pk", provider)
    rcc_id = getattr(rcc, "pk", rcc)
    band = fee_field_for_age(child_age)
    if band is None:
        return None
    rows = (
        PriceSchedule.objects.filter(
            provider_id=provider_id,
            valid_from__lte=on,
            lot__age_min__lte=child_age,
            lot__age_max__gte=child_age,
            lot__framework__start_date__lte=on,
            lot__framework__end_date__gte=on,
            lot__enrolments__provider_id=provider_id,
            lot__enrolments__status=EnrolmentStatus.ACCEPTED,
            **{f"{band}__isnull": False},
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .exclude(lot__service_type__in=[LotService.SIBLING_GROUPS, LotService.SPECIALIST])
        .values_list(
            band, "lot__service_type", "lot__framework__owner_id", "lot__framework__owner__kind"
        )
    )
    return pick_scheduled_fee(rows, care_types=care_types, rcc_id=rcc_id)


def pick_scheduled_fee(
    rows: Iterable[tuple[Any, str, int, str]],
    *,
    care_types: int | Iterable[str] | None,
    rcc_id: int | None,
) -> decimal.Decimal | None:
    """Of the schedules that apply, (fee, lot service type, framework owner id, owner kind),
    the fee that sets the price: a lot for the household's particular care type wins over a
    standard lot; then the RCC's own frameworks, then the NCC's; then the lowest fee."""
    mask = _care_mask(care_types)
    best: tuple[Any, ...] | None = None
    best_fee: decimal.Decimal | None = None
    for fee, service_type, owner_id, owner_kind in rows:
        care_code = LOT_CARE_TYPE.get(service_type)
        if care_code and not mask & CARE_TYPE_CODES[care_code]:
            continue
        specific = 0 if care_code else 1
        if rcc_id is not None:
            place = 0 if owner_id == rcc_id else 1 if owner_kind == "ncc" else 2
        else:
            place = 0
        key = (specific, place, fee)
        if best is None or key < best:
            best, best_fee = key, fee
    return best_fee


class PriceBook:
    """Every price schedule that can set a fee, read in one query, answering as
    `scheduled_fee_for` does for any provider, age, care types, day and RCC without going back
    to the database: for callers that price many placements at once (the planning
    simulation). The conditions below are `scheduled_fee_for`'s, checked in memory."""

    def __init__(self) -> None:
        bands = [f"fee_{suffix}" for suffix, *_ in FEE_BANDS]
        rows = (
            PriceSchedule.objects.filter(
                lot__enrolments__provider_id=F("provider_id"),
                lot__enrolments__status=EnrolmentStatus.ACCEPTED,
            )
            .exclude(lot__service_type__in=[LotService.SIBLING_GROUPS, LotService.SPECIALIST])
            .order_by("provider_id", "pk")
            .values_list(
                "provider_id",
                "valid_from",
                "valid_to",
                "lot__age_min",
                "lot__age_max",
                "lot__framework__start_date",
                "lot__framework__end_date",
                "lot__service_type",
                "lot__framework__owner_id",
                "lot__framework__owner__kind",
                *bands,
            )
        )
        self._band_index = {band: i for i, band in enumerate(bands)}
        self._schedules: dict[int, list[tuple[Any, ...]]] = {}
        for provider_id, *rest in rows:
            self._schedules.setdefault(provider_id, []).append(tuple(rest))

    def fee(
        self,
        *,
        provider: Any,
        child_age: int,
        care_types: int | Iterable[str] | None = None,
        on: datetime.date,
        rcc: Any = None,
    ) -> decimal.Decimal | None:
        band = fee_field_for_age(child_age)
        if band is None:
            return None
        i = 9 + self._band_index[band]
        applying = (
            (row[i], row[6], row[7], row[8])
            for row in self._schedules.get(getattr(provider, "pk", provider), ())
            if row[0] <= on
            and (row[1] is None or row[1] >= on)
            and row[2] <= child_age <= row[3]
            and row[4] <= on <= row[5]
            and row[i] is not None
        )
        return pick_scheduled_fee(applying, care_types=care_types, rcc_id=getattr(rcc, "pk", rcc))


def _care_mask(care_types: int | Iterable[str] | None) -> int:
    if care_types is None:
        return 0
    if isinstance(care_types, int):
        return care_types
    mask = 0
    for code in care_types:
        mask |= CARE_TYPE_CODES.get(code, 0)
    return mask


# ---------------------------------------------------------------------------------------------
# Soft block utilisation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Utilisation:
    """Days used / days reserved, from the start of the block to `on` (or its end)."""

    days_used: int
    days_reserved: int
    threshold: int

    @property
    def percent(self) -> decimal.Decimal | None:
        if not self.days_reserved:
            return None
        return (decimal.Decimal(100) * self.days_used / self.days_reserved).quantize(
            decimal.Decimal("0.1")
        )

    @property
    def below_threshold(self) -> bool:
        percent = self.percent
        return percent is not None and percent < self.threshold


def _occupied_days(
    spans: list[tuple[datetime.date, datetime.date | None]],
    start: datetime.date,
    last: datetime.date,
    cap: int,
) -> int:
    """Child-days in [start, last] counted at most `cap` a day. A placement occupies its start
    date up to the day before its end date (the nights of care)."""
    if last < start:
        return 0
    changes: dict[datetime.date, int] = {}
    stop = last + datetime.timedelta(days=1)
    for begin, end in spans:
        lo = max(begin, start)
        hi = min(end or stop, stop)
        if end is not None and end == begin:
            hi = min(
                begin + datetime.timedelta(days=1), stop
            )  # a same-day placement counts one day
        if lo >= hi:
            continue
        changes[lo] = changes.get(lo, 0) + 1
        changes[hi] = changes.get(hi, 0) - 1
    used = count = 0
    previous = start
    for when in sorted(changes):
        used += min(count, cap) * (when - previous).days
        count += changes[when]
        previous = when
    return used


def soft_block_utilisation(
    blocks: Iterable[SoftBlock], *, on: datetime.date | None = None
) -> dict[int, Utilisation]:
    """Utilisation of each block to date, from the RCC's placements with the provider: one query.

    A day counts once per placed child up to the number of places reserved."""
    from apps.referrals.models import Placement

    today = on or timezone.localdate()
    blocks = list(blocks)
    started = [b for b in blocks if b.start_date <= today]
    spans: dict[tuple[int, int], list[tuple[datetime.date, datetime.date | None]]] = {}
    if started:
        lo = min(b.start_date for b in started)
        hi = max(min(b.end_date, today) for b in started)
        rows = (
            Placement.objects.filter(
                provider_id__in={b.provider_id for b in started},
                rcc_id__in={b.rcc_id for b in started},
                start_date__lte=hi,
            )
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=lo))
            .values_list("provider_id", "rcc_id", "start_date", "end_date")
        )
        for provider_id, rcc_id, start, end in rows:
            spans.setdefault((provider_id, rcc_id), []).append((start, end))
    out: dict[int, Utilisation] = {}
    for b in blocks:
        last = min(b.end_date, today)
        reserved = b.places * max(0, (last - b.start_date).days + 1)
        used = _occupied_days(
            spans.get((b.provider_id, b.rcc_id), []), b.start_date, last, b.places
        )
        out[b.pk] = Utilisation(
            days_used=used, days_reserved=reserved, threshold=b.utilisation_threshold
        )
    return out


def utilisation_message(block: SoftBlock, use: Utilisation, *, on: datetime.date) -> str:
    """The soft block's utilisation in words: the figures the table and the block's page show
    (`soft_block_utilisation`), for the low-utilisation alert."""
    percent = "no" if use.percent is None else f"{use.percent}%"
    level = (
        f"the alert level is {block.utilisation_threshold}%"
        if use.below_threshold
        else f"back at or above the alert level of {block.utilisation_threshold}%"
    )
    return (
        f"Soft block {block.reference} with {block.provider} is {percent} used to "
        f"{on.day} {on:%B %Y} ({use.days_used} of {use.days_reserved} days); {level}."
    )


def alerts_with_figures(
    alerts: Iterable[ContractAlert], *, on: datetime.date | None = None
) -> list[ContractAlert]:
    """The alerts, each with `text` to show: a low-utilisation alert reads the block's figures
    today (one query for all of them), as the table and the block's page do, not the figure
    stored when it was raised; every other alert its message."""
    today = on or timezone.localdate()
    alerts = list(alerts)
    blocks: dict[int, SoftBlock] = {
        a.soft_block.pk: a.soft_block
        for a in alerts
        if a.kind == AlertKind.LOW_UTILISATION and a.soft_block is not None
    }
    figures = soft_block_utilisation(blocks.values(), on=today) if blocks else {}
    for a in alerts:
        block = blocks.get(a.soft_block_id or 0) if a.kind == AlertKind.LOW_UTILISATION else None
        use = figures.get(block.pk) if block is not None else None
        a.text = (  # type: ignore[attr-defined]
            utilisation_message(block, use, on=today) if block and use else a.message
        )
    return alerts


# ---------------------------------------------------------------------------------------------
# Budgets: committed and actual spend, forecast to the end of the financial year
# ---------------------------------------------------------------------------------------------

ROUTES = {"PR1": "own", "PR2": "other_la"}
ROUTE_LABELS = {
    "own": "Own in-house service",
    "other_la": "Other LAs' services",
    "ifa": "Independent agencies",
}
PENNY = decimal.Decimal("0.01")


@dataclass
class BudgetFigures:
    amount: decimal.Decimal
    actual: decimal.Decimal = decimal.Decimal(0)
    committed: decimal.Decimal = decimal.Decimal(0)
    placements: int = 0
    by_route: dict[str, decimal.Decimal] = field(
        default_factory=lambda: dict.fromkeys(ROUTE_LABELS, decimal.Decimal(0))
    )

    @property
    def forecast(self) -> decimal.Decimal:
        return self.actual + self.committed

    @property
    def remaining(self) -> decimal.Decimal:
        return self.amount - self.forecast

    @property
    def forecast_percent(self) -> decimal.Decimal | None:
        if not self.amount:
            return None
        return (100 * self.forecast / self.amount).quantize(decimal.Decimal("0.1"))

    @property
    def routes(self) -> list[tuple[str, decimal.Decimal]]:
        return [(ROUTE_LABELS[key], value) for key, value in self.by_route.items()]


def _nights(
    start: datetime.date, end: datetime.date | None, lo: datetime.date, hi_exclusive: datetime.date
) -> int:
    a, b = max(start, lo), min(end or hi_exclusive, hi_exclusive)
    return max(0, (b - a).days)


def budget_figures(
    budgets: Iterable[PlacementBudget], *, on: datetime.date | None = None
) -> dict[int, BudgetFigures]:
    """Spend against each LA's budget for its financial year, as of `on` (one query per year).

    Actual: nights of care from 1 April to `on` x the IPA's weekly cost / 7: its actual weekly
    cost where recorded (booking, then any change of fee or support), else the agreed fee + support.
    Committed: nights from the day after `on` to 31 March (or the placement's end) for
    placements running then. Every placement of the LA's children counts, including those with
    another LA's service (PR2), which the RCC pays at the agreed fee."""
    from apps.referrals.models import Placement

    today = on or timezone.localdate()
    budgets = list(budgets)
    out = {b.pk: BudgetFigures(amount=b.amount) for b in budgets}
    by_year: dict[int, dict[int, PlacementBudget]] = {}
    for b in budgets:
        by_year.setdefault(b.financial_year, {})[b.la_id] = b
    for year, by_la in by_year.items():
        start, end = financial_year_bounds(year)
        stop = end + datetime.timedelta(days=1)
        cut = min(max(today + datetime.timedelta(days=1), start), stop)
        rows = (
            Placement.objects.filter(la_id__in=by_la, start_date__lte=end)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
            .values_list(
                "la_id",
                "start_date",
                "end_date",
                "placement_provider",
                "agreement__actual_weekly_cost",
                "agreement__agreed_weekly_fee",
                "agreement__support_weekly_cost",
                "offer__weekly_fee",
                "offer__support_weekly_cost",
            )
        )
        for la_id, p_start, p_end, code, paid, ipa_fee, ipa_support, fee, support in rows:
            # The IPA's actual weekly cost where recorded, else its agreed cost, else the offer's.
            if paid is not None:
                weekly = paid
            elif ipa_fee is not None:
                weekly = ipa_fee + ipa_support
            else:
                weekly = fee + support
            daily = decimal.Decimal(weekly) / 7
            actual = (daily * _nights(p_start, p_end, start, cut)).quantize(PENNY)
            committed = (daily * _nights(p_start, p_end, cut, stop)).quantize(PENNY)
            figures = out[by_la[la_id].pk]
            figures.actual += actual
            figures.committed += committed
            figures.placements += 1
            figures.by_route[ROUTES.get(code, "ifa")] += actual + committed
    return out


# ---------------------------------------------------------------------------------------------
# Fee transparency
# ---------------------------------------------------------------------------------------------


def fee_comparison(user: Any) -> PriceScheduleQuerySet:
    """Every price schedule in England for commissioners and the NCC (fees are open between
    commissioners, DOMAIN.md §7), with what explains each figure; nothing for anyone else."""
    from .permissions import COMPARE_FEES

    schedules: PriceScheduleQuerySet = PriceSchedule.objects.all()  # type: ignore[assignment]
    if not COMPARE_FEES.allows(user):
        return schedules.none()
    return schedules.select_related(
        "provider__organisation", "lot__framework__owner", "lot__framework__terms_version"
    ).prefetch_related("support_prices")


@dataclass(frozen=True)
class FeeSummary:
    owner: str
    count: int
    lowest: decimal.Decimal
    median: decimal.Decimal
    highest: decimal.Decimal


def fee_summary(schedules: QuerySet[PriceSchedule], band_field: str) -> list[FeeSummary]:
    """Lowest, median and highest fee in one band, per owning RCC (or the NCC): one query."""
    by_owner: dict[str, list[decimal.Decimal]] = {}
    rows = schedules.order_by().values_list(band_field, "lot__framework__owner__name")
    for fee, owner in rows:
        if fee is not None:
            by_owner.setdefault(owner, []).append(fee)
    return [
        FeeSummary(
            owner,
            len(fees),
            min(fees),
            decimal.Decimal(statistics.median(fees)).quantize(PENNY),
            max(fees),
        )
        for owner, fees in sorted(by_owner.items())
    ]


def in_house_costs_beside(user: Any, *, year: int) -> QuerySet[InHouseCost]:
    return (
        InHouseCost.objects.visible_to(user)
        .filter(financial_year=year)
        .select_related("service__organisation__owning_la")
        .order_by("service__organisation__name")
    )


# ---------------------------------------------------------------------------------------------
# National terms in use, planning dates, specialist services
# ---------------------------------------------------------------------------------------------


def contracts_on_old_terms(user: Any) -> dict[str, Any]:
    """Running frameworks and soft blocks on an older version of the national terms."""
    current = TermsVersion.objects.current()
    if current is None:
        return {"current": None, "frameworks": [], "soft_blocks": []}
    today = timezone.localdate()
    frameworks = (
        Framework.objects.visible_to(user)
        .filter(end_date__gte=today, terms_version__version__lt=current.version)
        .select_related("owner", "terms_version")
    )
    blocks = (
        SoftBlock.objects.visible_to(user)
        .filter(end_date__gte=today, terms_version__version__lt=current.version)
        .select_related("rcc", "provider__organisation", "terms_version")
    )
    return {"current": current, "frameworks": list(frameworks), "soft_blocks": list(blocks)}


@dataclass(frozen=True)
class PlanningDate:
    when: datetime.date
    what: str
    contract: Framework | SoftBlock

    @property
    def is_framework(self) -> bool:
        return isinstance(self.contract, Framework)


def planning_dates(
    user: Any, *, on: datetime.date | None = None, months: int = 24
) -> list[PlanningDate]:
    """The coming consultation openings, extension decisions and ends, soonest first."""
    from .dates import add_months

    today = on or timezone.localdate()
    horizon = add_months(today, months)
    out: list[PlanningDate] = []
    for f in Framework.objects.visible_to(user).filter(end_date__gte=today).select_related("owner"):
        if today <= f.consultation_opens_on <= horizon:
            out.append(PlanningDate(f.consultation_opens_on, "Consultation window opens", f))
        if f.extension_decision_date and today <= f.extension_decision_date <= horizon:
            out.append(PlanningDate(f.extension_decision_date, "Extension decision due", f))
        if f.end_date <= horizon:
            out.append(PlanningDate(f.end_date, "Term ends", f))
    blocks = (
        SoftBlock.objects.visible_to(user)
        .filter(end_date__gte=today)
        .select_related("rcc", "provider__organisation")
    )
    for b in blocks:
        if today <= b.consultation_opens_on <= horizon:
            out.append(PlanningDate(b.consultation_opens_on, "Consultation window opens", b))
        if b.end_date <= horizon:
            out.append(PlanningDate(b.end_date, "Soft block ends", b))
    return sorted(out, key=lambda p: (p.when, p.what))


def specialist_services_for(*, needs: dict[str, int]) -> QuerySet[SpecialistService]:
    """Active national specialist services that meet any of a child's needs.

    `needs` maps a need domain code to the child's level rank in it (NeedLevel.rank). A service
    matches when it serves a domain at a level rank no higher than the child's: a service for
    "disability" from level 3 matches a child at level 3 or 4 in disability."""
    match = Q(pk__in=[])
    for code, rank in needs.items():
        match |= Q(domain__code=code, min_level__rank__lte=rank)
    ids = SpecialistServiceNeed.objects.filter(match).values("service_id")
    return (
        SpecialistService.objects.active()
        .filter(pk__in=ids)
        .select_related("provider__organisation")
        .prefetch_related("needs__domain", "needs__min_level")
        .order_by("name")
    )


def offers_above_schedule(user: Any) -> QuerySet[Any]:
    """Offers whose weekly fee is above the scheduled fee (each carries its reason), flagged to
    the commissioners of the referral's RCC and to the NCC. No child's details are read."""
    from apps.referrals.models import Offer

    from .permissions import COMPARE_FEES
    from .querysets import contracts_scope

    offers = Offer.objects.filter(scheduled_fee__isnull=False, weekly_fee__gt=F("scheduled_fee"))
    if not COMPARE_FEES.allows(user):
        return offers.none()
    scope = contracts_scope(user)
    if not scope.national:
        offers = offers.filter(referral__rcc_id__in=scope.rcc_ids)
    return offers.select_related("household__provider__organisation", "referral__rcc").order_by(
        "-made_at"
    )
