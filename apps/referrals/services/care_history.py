"""Recording the child's earlier placements by hand (CareEpisode, source "recorded"): the
LA's social worker adds, changes or deletes them; imported episodes are read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.referrals.choices import (
    EPISODE_CONTINUES,
    CareHistorySource,
    LeftCare,
    LegalStatus,
    NewEpisodeReason,
    PlacementProvider,
    ReasonEnded,
)
from apps.referrals.history import PLACEMENT_TYPES
from apps.referrals.models import CareEpisode, Child, Placement
from apps.referrals.services.children import acting_as, require_social_worker

IMPORTED_READ_ONLY = (
    "This episode was imported from the local authority's SSDA903 files: change it in the case "
    "system and import again."
)


def _validate(
    *,
    child: Child,
    start_date: Any,
    end_date: Any,
    placement_type: str,
    placement_provider: str,
    reason_ended: str,
    left_care_reason: str,
    legal_status: str,
    exclude: int | None = None,
) -> dict[str, Any]:
    today = timezone.localdate()
    if not isinstance(start_date, dt.date):
        raise DomainError("Enter the date the placement started.", field="start_date")
    if start_date > today:
        raise DomainError("The start date cannot be in the future.", field="start_date")
    if start_date < child.date_of_birth:
        raise DomainError(
            "The start date cannot be before the child's date of birth "
            f"({child.date_of_birth:%-d %B %Y}).",
            field="start_date",
        )
    if end_date is not None:
        if end_date < start_date:
            raise DomainError("The end date cannot be before the start date.", field="end_date")
        if end_date > today:
            raise DomainError("The end date cannot be in the future.", field="end_date")
    if placement_type not in PLACEMENT_TYPES:
        raise DomainError("Choose the placement type (SSDA903 code).", field="placement_type")
    if placement_provider not in PlacementProvider.values:
        raise DomainError(
            "Choose who provided the placement (SSDA903 PR0–PR5).", field="placement_provider"
        )
    if legal_status not in LegalStatus.values:
        raise DomainError("Choose the child's legal status then.", field="legal_status")
    reason_ended = reason_ended or ""
    left_care_reason = left_care_reason or ""
    if end_date is None and (reason_ended or left_care_reason):
        raise DomainError(
            "Give the reason the placement ended only with its end date.", field="end_date"
        )
    if end_date is not None and reason_ended not in ReasonEnded.values:
        raise DomainError(
            "Choose the reason the placement ended (SSDA903 code).", field="reason_ended"
        )
    if left_care_reason and left_care_reason not in LeftCare.values:
        raise DomainError(
            "Choose the reason the child left care (SSDA903 E-code).", field="left_care_reason"
        )
    _check_overlap(child, start_date, end_date, exclude)
    return {
        "start_date": start_date,
        "end_date": end_date,
        "placement_type": placement_type,
        "placement_provider": placement_provider,
        "reason_place_change": reason_ended,
        # REC: the E-code when the child left care, else the care continued (X1).
        "reason_ended": (left_care_reason or EPISODE_CONTINUES) if end_date else "",
        "legal_status": legal_status,
    }


def _overlaps(start: dt.date, end: dt.date | None) -> Q:
    """Periods sharing more than a day's edge with [start, end] (open end: still going)."""
    q = Q(end_date__isnull=True) | Q(end_date__gt=start)
    if end is not None:
        q &= Q(start_date__lt=end)
    return q


def _check_overlap(child: Child, start: dt.date, end: dt.date | None, exclude: int | None) -> None:
    episodes = CareEpisode.objects.filter(child=child)
    if exclude is not None:
        episodes = episodes.exclude(pk=exclude)
    clash = (
        episodes.filter(_overlaps(start, end) | Q(start_date=start)).order_by("start_date").first()
    )
    if clash is not None:
        until = f" to {clash.end_date:%-d %B %Y}" if clash.end_date else " (no end date)"
        raise DomainError(
            "These dates overlap another placement in the child's history: "
            f"{clash.placement_type} from {clash.start_date:%-d %B %Y}{until}.",
            field="start_date",
        )
    placement = (
        Placement.objects.filter(child=child)
        .filter(_overlaps(start, end) | Q(start_date=start))
        .select_related("provider")
        .first()
    )
    if placement is not None:
        raise DomainError(
            "These dates overlap the placement booked on the platform with "
            f"{placement.provider.name} from {placement.start_date:%-d %B %Y}.",
            field="start_date",
        )


def _new_episode_reason(child: Child, start: dt.date, exclude: int | None) -> str:
    """T when the care continues from a placement that ended that day, else S."""
    episodes = CareEpisode.objects.filter(child=child, end_date=start)
    if exclude is not None:
        episodes = episodes.exclude(pk=exclude)
    continues = episodes.exists() or Placement.objects.filter(child=child, end_date=start).exists()
    return NewEpisodeReason.T if continues else NewEpisodeReason.S


@transaction.atomic
def care_episode_record(*, by: User, child: Child, **fields: Any) -> CareEpisode:
    """Record one of the child's earlier placements by hand."""
    require_social_worker(by, child.la_id)
    Child.objects.select_for_update().filter(pk=child.pk).first()
    values = _validate(child=child, **_fields(fields))
    with acting_as(by):
        try:
            with transaction.atomic():
                return CareEpisode.objects.create(
                    child=child,
                    new_episode_reason=_new_episode_reason(child, values["start_date"], None),
                    home_postcode=child.home_postcode,
                    source=CareHistorySource.RECORDED,
                    recorded_by=by,
                    **values,
                )
        except IntegrityError as err:
            raise DomainError(
                "The child's history already has a placement starting that day.",
                field="start_date",
            ) from err


@transaction.atomic
def care_episode_update(*, by: User, episode: CareEpisode, **fields: Any) -> CareEpisode:
    episode = CareEpisode.objects.select_for_update().select_related("child").get(pk=episode.pk)
    require_social_worker(by, episode.child.la_id)
    if episode.source != CareHistorySource.RECORDED:
        raise DomainError(IMPORTED_READ_ONLY)
    current = {
        "start_date": episode.start_date,
        "end_date": episode.end_date,
        "placement_type": episode.placement_type,
        "placement_provider": episode.placement_provider,
        "reason_ended": episode.reason_place_change,
        "left_care_reason": episode.reason_ended if episode.reason_ended in LeftCare.values else "",
        "legal_status": episode.legal_status,
    }
    changes = _fields(fields, defaults=False)
    values = _validate(child=episode.child, exclude=episode.pk, **{**current, **changes})
    for name, value in values.items():
        setattr(episode, name, value)
    episode.new_episode_reason = _new_episode_reason(episode.child, episode.start_date, episode.pk)
    episode.recorded_by = by
    with acting_as(by):
        episode.save()
    return episode


@transaction.atomic
def care_episode_delete(*, by: User, episode: CareEpisode) -> None:
    require_social_worker(by, episode.child.la_id)
    if episode.source != CareHistorySource.RECORDED:
        raise DomainError(IMPORTED_READ_ONLY)
    with acting_as(by):
        episode.delete()


FIELDS = (
    "start_date",
    "end_date",
    "placement_type",
    "placement_provider",
    "reason_ended",
    "left_care_reason",
    "legal_status",
)


def _fields(fields: dict[str, Any], *, defaults: bool = True) -> dict[str, Any]:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    out = dict(fields)
    for name in ("placement_type", "placement_provider", "reason_ended", "left_care_reason"):
        if name in out:
            out[name] = (out[name] or "").strip().upper()
    if defaults:
        out.setdefault("end_date", None)
        out.setdefault("reason_ended", "")
        out.setdefault("left_care_reason", "")
    return out
