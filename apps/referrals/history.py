"""The child's care history: one timeline of earlier episodes (imported from the LA's SSDA903
or recorded by its social worker) and the platform's placements, with the figures matching and
the child's page show (placements, moves in the last 12 months, current placement length).

Plain rows, so that pages, the API, matching and exports read the same thing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .choices import (
    CareHistorySource,
    LeftCare,
    NewEpisodeReason,
    PlacementType,
    ReasonEnded,
)
from .models import CareEpisode, Child, Placement

#: Settings other than foster care a social worker may record by hand (SSDA903 PLACE).
OTHER_SETTINGS = {
    "K2": "K2 – Children's home",
    "R1": "R1 – Residential care home",
    "H5": "H5 – Semi-independent living accommodation",
    "P1": "P1 – Placed with own parent(s) or other person(s) with parental responsibility",
    "P2": "P2 – Independent living (e.g. in a flat or lodgings)",
    "S1": "S1 – Residential school",
    "K1": "K1 – Secure children's home",
    "R2": "R2 – NHS or health trust establishment",
    "R5": "R5 – Young offender institution or prison",
    "Z1": "Z1 – Other placement",
}
PLACEMENT_TYPES = {**dict(PlacementType.choices), **OTHER_SETTINGS}
#: RNE codes that start a new placement (L is a change of legal status only).
NEW_PLACEMENT = frozenset({"S", "P", "B", "T", "U"})
MOVE = frozenset({"P", "B", "T", "U"})


@dataclass(frozen=True)
class CareRow:
    start_date: dt.date
    end_date: dt.date | None
    placement_type: str
    placement_type_label: str
    placement_provider: str
    provider_name: str  # the platform's provider; blank for earlier episodes
    new_episode_reason: str  # RNE; for platform placements: S, or T after another placement
    reason_ended: str  # why the placement ended (ReasonEnded / REASON_PLACE_CHANGE)
    reason_ended_label: str
    left_care_reason: str  # E-code when the child left care at the end
    left_care_label: str
    legal_status: str
    source: str  # CareHistorySource
    source_label: str
    episode_id: int | None  # a CareEpisode's id (recorded or imported)
    placement_id: int | None  # a platform Placement's id

    @property
    def is_move(self) -> bool:
        return self.new_episode_reason in MOVE

    @property
    def starts_placement(self) -> bool:
        return self.new_episode_reason in NEW_PLACEMENT

    @property
    def editable(self) -> bool:
        return self.source == CareHistorySource.RECORDED

    def as_dict(self) -> dict[str, Any]:
        return {
            "start_date": self.start_date,
            "end_date": self.end_date,
            "placement_type": self.placement_type,
            "placement_provider": self.placement_provider,
            "provider_name": self.provider_name,
            "new_episode_reason": self.new_episode_reason,
            "reason_ended": self.reason_ended,
            "left_care_reason": self.left_care_reason,
            "legal_status": self.legal_status,
            "source": self.source,
            "episode_id": self.episode_id,
            "placement_id": self.placement_id,
        }


@dataclass(frozen=True)
class MovesSummary:
    placements: int
    moves_last_12_months: int
    current_since: dt.date | None
    current_days: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "placements": self.placements,
            "moves_last_12_months": self.moves_last_12_months,
            "current_since": self.current_since,
            "current_days": self.current_days,
        }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label) if value else ""
    except ValueError:
        return value


def _episode_row(e: CareEpisode) -> CareRow:
    rec = e.reason_ended
    left = rec if rec in LeftCare.values else ""
    return CareRow(
        start_date=e.start_date,
        end_date=e.end_date,
        placement_type=e.placement_type,
        placement_type_label=PLACEMENT_TYPES.get(e.placement_type, e.placement_type),
        placement_provider=e.placement_provider,
        provider_name="",
        new_episode_reason=e.new_episode_reason,
        reason_ended=e.reason_place_change,
        reason_ended_label=_label(ReasonEnded, e.reason_place_change),
        left_care_reason=left,
        left_care_label=_label(LeftCare, left),
        legal_status=e.legal_status,
        source=e.source,
        source_label=_label(CareHistorySource, e.source),
        episode_id=e.pk,
        placement_id=None,
    )


def _placement_row(p: Placement, rne: str) -> CareRow:
    return CareRow(
        start_date=p.start_date,
        end_date=p.end_date,
        placement_type=p.placement_type,
        placement_type_label=PLACEMENT_TYPES.get(p.placement_type, p.placement_type),
        placement_provider=p.placement_provider,
        provider_name=p.provider.name,
        new_episode_reason=rne,
        reason_ended=p.reason_ended,
        reason_ended_label=_label(ReasonEnded, p.reason_ended),
        left_care_reason=p.left_care_reason,
        left_care_label=_label(LeftCare, p.left_care_reason),
        legal_status="",
        source=CareHistorySource.PLATFORM,
        source_label=str(CareHistorySource.PLATFORM.label),
        episode_id=None,
        placement_id=p.pk,
    )


def care_timeline(child: Child) -> list[CareRow]:
    """Every episode and platform placement of the child, newest first (two queries).

    A platform placement's RNE is T when it starts the day the previous one ended (a move),
    else S (the child started to be looked after)."""
    episodes = [_episode_row(e) for e in CareEpisode.objects.filter(child=child)]
    placements = list(
        Placement.objects.filter(child=child)
        .select_related("provider__organisation")
        .order_by("start_date")
    )
    rows: list[CareRow] = sorted(episodes, key=lambda r: r.start_date)
    for p in placements:
        previous_end = max(
            (r.end_date for r in rows if r.start_date < p.start_date and r.end_date is not None),
            default=None,
        )
        rne = NewEpisodeReason.T if previous_end == p.start_date else NewEpisodeReason.S
        rows.append(_placement_row(p, rne))
        rows.sort(key=lambda r: r.start_date)
    return sorted(rows, key=lambda r: (r.start_date, r.placement_id or 0), reverse=True)


def moves_summary(
    child: Child, rows: list[CareRow] | None = None, today: dt.date | None = None
) -> MovesSummary:
    """How many placements the child has had, the moves in the last 12 months and how long the
    current placement has lasted (from its first episode: a change of legal status only does
    not start a new placement)."""
    rows = care_timeline(child) if rows is None else rows
    today = today or timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    placements = sum(1 for r in rows if r.starts_placement)
    moves = sum(1 for r in rows if r.is_move and year_ago < r.start_date <= today)
    current_since = None
    oldest_first = list(reversed(rows))
    for i, row in enumerate(oldest_first):
        if row.start_date <= today and (row.end_date is None or row.end_date > today):
            start = i
            while start > 0 and oldest_first[start].new_episode_reason == NewEpisodeReason.L:
                start -= 1
            current_since = oldest_first[start].start_date
    return MovesSummary(
        placements=placements,
        moves_last_12_months=moves,
        current_since=current_since,
        current_days=(today - current_since).days if current_since else None,
    )
