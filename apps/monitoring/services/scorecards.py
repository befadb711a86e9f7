"""The scorecard's figures, precomputed per provider, quarter and scope (national, or one RCC's
placements) into `ScorecardSnapshot`, so that a scorecard page reads a handful of rows.

Run by the Celery task `refresh_scorecards`: after every new return version, acceptance and
feedback (for that provider and quarter) and nightly for every provider's recent quarters.
A few aggregate reads per quarter for all providers at once; written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.providers.models import Provider
from apps.referrals.choices import UNPLANNED_ENDINGS, OfferStatus
from apps.referrals.models import Offer, Placement, ReferralTarget

from ..choices import ReturnStatus
from ..models import MonitoringReturn, PlacementFeedback, ReturnPlacement, ScorecardSnapshot
from ..quarters import Quarter

YEAR_DAYS = Decimal("365.25")
FEE_BANDS = ("fee_0_4", "fee_5_10", "fee_11_15", "fee_16_17", "fee_18_plus")
MIN_PROVIDERS_FOR_MEDIAN = 2

Key = tuple[int, int | None]  # (provider, RCC or None for national)


@dataclass
class _Figures:
    placements: int = 0
    placement_days: int = 0
    started: int = 0
    ended: int = 0
    unplanned: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    source: str = ""
    received: int = 0
    answered: int = 0
    hours: list[float] = field(default_factory=list)
    offers: int = 0
    accepted: int = 0
    feedback: list[tuple[int, int, int, bool]] = field(default_factory=list)
    fee_pct: Decimal | None = None
    fee_lots: int = 0


def scorecard_refresh(
    *, quarters: Sequence[Quarter], provider_ids: Iterable[int] | None = None
) -> int:
    """Recompute the snapshots of these quarters (for these providers, or all); returns the
    number of rows written."""
    ids = (
        list(provider_ids)
        if provider_ids is not None
        else list(Provider.objects.values_list("pk", flat=True))
    )
    if not ids:
        return 0
    written = 0
    for quarter in quarters:
        written += _refresh_quarter(quarter, ids)
    return written


def _refresh_quarter(quarter: Quarter, provider_ids: list[int]) -> int:
    figures: dict[Key, _Figures] = defaultdict(_Figures)
    for pk in provider_ids:
        figures[(pk, None)]  # every provider has a national row, even an empty one
    in_quarter = MonitoringReturn.objects.filter(
        quarter_start=quarter.start, provider_id__in=provider_ids
    )
    returns = {
        pk: (version_id, status, submitted, due, version_figures)
        for pk, version_id, status, submitted, due, version_figures in in_quarter.values_list(
            "provider_id",
            "current_version_id",
            "status",
            "first_submitted_at",
            "due_on",
            "current_version__figures",
        )
    }
    _stability(quarter, provider_ids, returns, figures)
    _referrals(quarter, provider_ids, figures)
    _feedback(quarter, provider_ids, figures)
    _fees(quarter, provider_ids, figures)

    ofsted = {
        pk: (grade, date)
        for pk, grade, date in Provider.objects.filter(pk__in=provider_ids).values_list(
            "pk", "ofsted_grade", "inspection_date"
        )
    }
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    for (provider_id, rcc_id), f in figures.items():
        ret = returns.get(provider_id)
        grade, date = ofsted.get(provider_id, ("", None))
        if ret and ret[4]:
            grade = ret[4].get("ofsted_grade") or grade
            date = _date(ret[4].get("ofsted_date")) or date
        rows.append(
            ScorecardSnapshot(
                provider_id=provider_id,
                quarter_start=quarter.start,
                rcc_id=rcc_id,
                placements=f.placements,
                placement_days=f.placement_days,
                placements_started=f.started,
                placements_ended=f.ended,
                unplanned_endings=f.unplanned,
                unplanned_by_reason=f.by_reason,
                stability_rate=_rate(f.unplanned, f.placement_days),
                stability_source=f.source,
                referrals_received=f.received,
                referrals_answered=f.answered,
                response_hours_median=_dec(statistics.median(f.hours)) if f.hours else None,
                offers_made=f.offers,
                offers_accepted=f.accepted,
                feedback_count=len(f.feedback),
                feedback_progress=_mean([x[0] for x in f.feedback]),
                feedback_support=_mean([x[1] for x in f.feedback]),
                feedback_communication=_mean([x[2] for x in f.feedback]),
                feedback_concerns=sum(1 for x in f.feedback if x[3]),
                ofsted_grade=grade or "",
                ofsted_date=date,
                fee_vs_median_pct=f.fee_pct,
                fee_lots=f.fee_lots,
                return_status=ret[1] if ret else "",
                return_days_late=_days_late(ret, today),
                computed_at=now,
            )
        )
    with transaction.atomic():
        ScorecardSnapshot.objects.filter(
            quarter_start=quarter.start, provider_id__in=provider_ids
        ).delete()
        ScorecardSnapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _rate(unplanned: int, days: int) -> Decimal | None:
    if days <= 0:
        return None
    return (Decimal(unplanned) * 100 * YEAR_DAYS / Decimal(days)).quantize(Decimal("0.1"))


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _mean(values: list[int]) -> Decimal | None:
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.01"))


def _days_late(ret: tuple[Any, ...] | None, today: dt.date) -> int | None:
    if not ret:
        return None
    _version, status, submitted, due, _figures = ret
    if submitted:
        return (timezone.localdate(submitted) - due).days
    if status == ReturnStatus.DUE and today > due:
        return (today - due).days
    return None


def _keys(provider_id: int, rcc_id: int | None) -> list[Key]:
    return [(provider_id, None), (provider_id, rcc_id)] if rcc_id else [(provider_id, None)]


def _stability(
    quarter: Quarter,
    provider_ids: list[int],
    returns: dict[int, tuple[Any, ...]],
    figures: dict[Key, _Figures],
) -> None:
    """From the current version's placement rows; from the platform's placements without one."""
    version_owner = {r[0]: pk for pk, r in returns.items() if r[0]}
    rows: list[tuple[int, int | None, dt.date, dt.date | None, str]] = [
        (version_owner[v], rcc, start, end, reason)
        for v, rcc, start, end, reason in ReturnPlacement.objects.filter(
            version_id__in=list(version_owner)
        ).values_list("version_id", "rcc_id", "start_date", "end_date", "reason_ended")
    ]
    without = [pk for pk in provider_ids if pk not in version_owner.values()]
    platform = list(
        Placement.objects.filter(provider_id__in=without, start_date__lte=quarter.end)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=quarter.start))
        .values_list("provider_id", "rcc_id", "start_date", "end_date", "reason_ended")
    )
    for source, items in (("return", rows), ("platform", platform)):
        for provider_id, rcc_id, start, end, reason in items:
            first = max(start, quarter.start)
            last = min(end, quarter.end) if end else quarter.end
            if last < first:
                continue
            days = (last - first).days + 1
            ended = end is not None and quarter.contains(end)
            for key in _keys(provider_id, rcc_id):
                f = figures[key]
                f.source = source
                f.placements += 1
                f.placement_days += days
                f.started += 1 if start >= quarter.start else 0
                if ended:
                    f.ended += 1
                    if reason in UNPLANNED_ENDINGS:
                        f.unplanned += 1
                        f.by_reason[reason] = f.by_reason.get(reason, 0) + 1


def _between(quarter: Quarter, field_name: str) -> Q:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(quarter.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(quarter.next().start, dt.time.min, tzinfo=tz)
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def _referrals(quarter: Quarter, provider_ids: list[int], figures: dict[Key, _Figures]) -> None:
    targets = ReferralTarget.objects.filter(
        _between(quarter, "sent_at"), provider_id__in=provider_ids
    ).values_list("provider_id", "referral__rcc_id", "sent_at", "responded_at")
    for provider_id, rcc_id, sent, responded in targets:
        for key in _keys(provider_id, rcc_id):
            f = figures[key]
            f.received += 1
            if responded:
                f.answered += 1
                f.hours.append((responded - sent).total_seconds() / 3600)
    offers = Offer.objects.filter(
        _between(quarter, "made_at"), household__provider_id__in=provider_ids
    ).values_list("household__provider_id", "referral__rcc_id", "status")
    for provider_id, rcc_id, status in offers:
        for key in _keys(provider_id, rcc_id):
            figures[key].offers += 1
            figures[key].accepted += 1 if status == OfferStatus.ACCEPTED else 0


def _feedback(quarter: Quarter, provider_ids: list[int], figures: dict[Key, _Figures]) -> None:
    rows = PlacementFeedback.objects.filter(
        review_date__gte=quarter.start,
        review_date__lte=quarter.end,
        placement__provider_id__in=provider_ids,
    ).values_list(
        "placement__provider_id",
        "placement__rcc_id",
        "childs_progress",
        "carer_support",
        "communication",
        "concerns",
    )
    for provider_id, rcc_id, progress, support, communication, concerns in rows:
        for key in _keys(provider_id, rcc_id):
            figures[key].feedback.append((progress, support, communication, concerns))


def _fees(quarter: Quarter, provider_ids: list[int], figures: dict[Key, _Figures]) -> None:
    """Each weekly fee on a price schedule in force in the quarter against the median of every
    provider's fee on the same lot and age band; the provider's figure is the mean difference
    in per cent. National: every lot; per RCC: the lots of that RCC's frameworks."""
    try:
        from apps.contracts.models import PriceSchedule
    except ImportError:  # commissioning not installed: no fee figures
        return
    schedules = (
        PriceSchedule.objects.filter(valid_from__lte=quarter.end)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=quarter.start))
        .order_by("valid_from")
        .values_list(
            "provider_id",
            "lot_id",
            "lot__framework__owner_id",
            "lot__framework__owner__kind",
            *FEE_BANDS,
        )
    )
    latest: dict[tuple[int, int], tuple[int | None, tuple[Any, ...]]] = {}
    for provider_id, lot_id, owner_id, owner_kind, *fees in schedules:
        # The latest schedule in the quarter wins; the NCC's national lots count nationally only.
        latest[(provider_id, lot_id)] = (owner_id if owner_kind == "rcc" else None, tuple(fees))
    by_cell: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for (_provider_id, lot_id), (_owner, fees) in latest.items():
        for band, fee in enumerate(fees):
            if fee is not None:
                by_cell[(lot_id, band)].append(Decimal(fee))
    medians = {
        cell: Decimal(statistics.median(values))
        for cell, values in by_cell.items()
        if len(values) >= MIN_PROVIDERS_FOR_MEDIAN
    }
    wanted = set(provider_ids)
    diffs: dict[Key, list[Decimal]] = defaultdict(list)
    lots: dict[Key, set[int]] = defaultdict(set)
    for (provider_id, lot_id), (owner_id, fees) in latest.items():
        if provider_id not in wanted:
            continue
        for band, fee in enumerate(fees):
            median = medians.get((lot_id, band))
            if fee is None or not median:
                continue
            diff = (Decimal(fee) - median) * 100 / median
            for key in _keys(provider_id, owner_id):
                diffs[key].append(diff)
                lots[key].add(lot_id)
    for key, values in diffs.items():
        f = figures[key]
        f.fee_pct = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"))
        f.fee_lots = len(lots[key])
