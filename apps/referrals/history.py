"""The child's care history: one timeline of earlier episodes (imported from the LA's SSDA903
or recorded by its social worker) and the platform's placements, with the figures matching and
the child's page show (placements, moves in the last 12 months, current placement length).

Plain rows, so that pages, the API, matching and exports read the same thing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import Q
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


class CareRow(NamedTuple):
    """One episode or platform placement of the child's history. A named tuple, not a
    dataclass: a timeline is built for every looked-after child in England at a time, and the
    labels are looked up only when shown."""

    start_date: dt.date
    end_date: dt.date | None
    placement_type: str
    placement_provider: str
    provider_name: str  # the platform's provider; blank for earlier episodes
    new_episode_reason: str  # RNE; for platform placements: S, or T after another placement
    reason_ended: str  # why the placement ended (ReasonEnded / REASON_PLACE_CHANGE)
    left_care_reason: str  # E-code when the child left care at the end
    legal_status: str
    source: str  # CareHistorySource
    episode_id: int | None  # a CareEpisode's id (recorded or imported)
    placement_id: int | None  # a platform Placement's id

    @property
    def placement_type_label(self) -> str:
        return PLACEMENT_TYPES.get(self.placement_type, self.placement_type)

    @property
    def reason_ended_label(self) -> str:
        return _label(_REASON_LABELS, self.reason_ended)

    @property
    def left_care_label(self) -> str:
        return _label(_LEFT_CARE_LABELS, self.left_care_reason)

    @property
    def source_label(self) -> str:
        return _label(_SOURCE_LABELS, self.source)

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


# Labels read once: a timeline is built for every looked-after child in England at a time.
_REASON_LABELS = {code: str(label) for code, label in ReasonEnded.choices}
_LEFT_CARE_LABELS = {code: str(label) for code, label in LeftCare.choices}
_SOURCE_LABELS = {code: str(label) for code, label in CareHistorySource.choices}

# What is read of each care episode and platform placement (the child's id first).
EPISODE_COLUMNS = (
    "child_id",
    "pk",
    "start_date",
    "end_date",
    "new_episode_reason",
    "reason_ended",
    "reason_place_change",
    "placement_type",
    "placement_provider",
    "legal_status",
    "source",
)
PLACEMENT_COLUMNS = (
    "child_id",
    "pk",
    "start_date",
    "end_date",
    "placement_type",
    "placement_provider",
    "provider__organisation__name",
    "reason_ended",
    "left_care_reason",
)
CHUNK = 5000  # children a query reads at a time, when they are named by id


def _label(labels: dict[str, str], value: str) -> str:
    return labels.get(value, value) if value else ""


def _placement_row(
    rne: str,
    pk: int,
    start: dt.date,
    end: dt.date | None,
    place: str,
    provider: str,
    provider_name: str,
    reason: str,
    left: str,
) -> CareRow:
    return CareRow(
        start, end, place, provider, provider_name or "", rne, reason, left, "",
        CareHistorySource.PLATFORM, None, pk,
    )  # fmt: skip


def _timeline(episodes: list[CareRow], placements: list[tuple[Any, ...]]) -> list[CareRow]:
    """One child's rows, newest first: its care episodes as recorded, and its platform
    placements (PLACEMENT_COLUMNS without the child) with their RNE: T when the placement
    starts the day the previous one ended (a move), else S (the child started to be looked
    after)."""
    if not placements:
        return sorted(episodes, key=lambda r: r.start_date, reverse=True)
    rows: list[CareRow] = sorted(episodes, key=lambda r: r.start_date)
    for p in sorted(placements, key=lambda p: (p[1], p[0])):
        start = p[1]
        previous_end = max(
            (r.end_date for r in rows if r.start_date < start and r.end_date is not None),
            default=None,
        )
        rne = NewEpisodeReason.T if previous_end == start else NewEpisodeReason.S
        rows.append(_placement_row(rne, *p))
        rows.sort(key=lambda r: r.start_date)
    return sorted(rows, key=lambda r: (r.start_date, r.placement_id or 0), reverse=True)


def care_timelines(
    *, child_ids: Collection[int] | None = None, la_ids: Collection[int] | None = None
) -> dict[int, list[CareRow]]:
    """`care_timeline` of many children at once: the children named (`child_ids`, two queries
    for every CHUNK of them) or every child of the LAs named (`la_ids`, two queries). A child
    with no episode and no placement is left out."""
    if (child_ids is None) == (la_ids is None):
        raise ValueError("care_timelines needs either child_ids or la_ids")
    if la_ids is not None:
        filters = [Q(child__la_id__in=list(la_ids))]
    else:
        ids = sorted(set(child_ids or ()))
        filters = [Q(child_id__in=ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK)]
    episodes: dict[int, list[CareRow]] = defaultdict(list)
    placements: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    left_care = _LEFT_CARE_LABELS
    for where in filters:
        rows = CareEpisode.objects.filter(where).order_by().values_list(*EPISODE_COLUMNS)
        for child_id, pk, start, end, rne, rec, change, place, provider, status, source in rows:
            # _episode_row, written out: this runs for every episode in England.
            left = rec if rec in left_care else ""
            episodes[child_id].append(
                CareRow(
                    start, end, place, provider, "", rne, change, left, status, source, pk, None
                )
            )
        for child_id, *fields in (
            Placement.objects.filter(where).order_by().values_list(*PLACEMENT_COLUMNS)
        ):
            placements[child_id].append(tuple(fields))
    return {
        child_id: _timeline(episodes.get(child_id, []), placements.get(child_id, []))
        for child_id in episodes.keys() | placements.keys()
    }


def care_timeline(child: Child) -> list[CareRow]:
    """Every episode and platform placement of the child, newest first (two queries).

    A platform placement's RNE is T when it starts the day the previous one ended (a move),
    else S (the child started to be looked after)."""
    return care_timelines(child_ids=[child.pk]).get(child.pk, [])


class _Placement:
    """One placement of the child: its rows, joined across changes of legal status only (RNE L:
    the same placement goes on)."""

    __slots__ = ("current", "first", "last")

    def __init__(self, row: CareRow, current: bool) -> None:
        self.first = self.last = row
        self.current = current  # a row of it runs on the day


def _walk(rows: list[CareRow], today: dt.date) -> tuple[list[_Placement], int | None, int]:
    """The rules every figure here reads, in one pass over the timeline (newest first): the
    child's placements oldest first, the index of the one the child is in on `today` (the
    latest, should two overlap; None when not looked after), and the moves (RNE P, B, T, U)
    in the 12 months to `today`."""
    year_ago = today - dt.timedelta(days=365)
    placements: list[_Placement] = []
    current = None
    moves = 0
    for row in reversed(rows):
        start, end, rne = row.start_date, row.end_date, row.new_episode_reason
        if rne in MOVE and year_ago < start <= today:
            moves += 1
        runs = start <= today and (end is None or end > today)
        if placements and rne == NewEpisodeReason.L:
            placement = placements[-1]
            placement.last = row
            placement.current = placement.current or runs
        else:
            placements.append(_Placement(row, runs))
        if runs:
            current = len(placements) - 1
    return placements, current, moves


def moves_summary(
    child: Child, rows: list[CareRow] | None = None, today: dt.date | None = None
) -> MovesSummary:
    """How many placements the child has had, the moves in the last 12 months and how long the
    current placement has lasted (from its first episode: a change of legal status only does
    not start a new placement)."""
    rows = care_timeline(child) if rows is None else rows
    today = today or timezone.localdate()
    placements, current, moves = _walk(rows, today)
    current_since = placements[current].first.start_date if current is not None else None
    return MovesSummary(
        placements=sum(1 for r in rows if r.starts_placement),
        moves_last_12_months=moves,
        current_since=current_since,
        current_days=(today - current_since).days if current_since else None,
    )


#: SSDA903 placements for adoption: for long-term stability an adoptive placement counts
#: together with the placement before it (the DfE's measure).
ADOPTION_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})


class StabilitySummary(NamedTuple):
    """What the stability measures read of one child's care history on a day (`today`)."""

    looked_after: bool  # in a placement on the day
    care_since: dt.date | None  # looked after continuously since (the episode with RNE S)
    placement_since: dt.date | None  # the current placement's start (an adoptive placement:
    # the start of the placement before it, when it follows straight on)
    moves_last_12_months: int
    placements_last_12_months: int  # placements open at any time in the 12 months (DfE)
    endings_last_12_months: tuple[str, ...]  # why each placement that ended in them ended
    current_placement_id: int | None  # the platform placement the child is in, if any


def stability_summary(rows: list[CareRow], today: dt.date) -> StabilitySummary:
    """The child's stability on `today` from its timeline (`care_timeline`, newest first): the
    same placements, moves and current placement as `moves_summary`, and the 12 months to
    `today` as the DfE counts them."""
    placements, current, moves = _walk(rows, today)
    year_ago = today - dt.timedelta(days=365)
    during = 0
    endings: list[str] = []
    for placement in placements:
        end = placement.last.end_date
        if placement.first.start_date <= today and (end is None or end > year_ago):
            during += 1
        if end is not None and year_ago < end <= today:
            endings.append(placement.last.reason_ended)
    if current is None:
        return StabilitySummary(False, None, None, moves, during, tuple(endings), None)
    first = placements[current].first
    placement_since = first.start_date
    if first.placement_type in ADOPTION_PLACEMENTS and current > 0:
        before = placements[current - 1]
        if before.last.end_date == first.start_date:
            placement_since = before.first.start_date
    # Looked after since: back to the placement the child came into care with (RNE S). A
    # change of legal status (L) is never S, so only each placement's first row can be.
    i = current
    while i > 0 and placements[i].first.new_episode_reason != NewEpisodeReason.S:
        i -= 1
    return StabilitySummary(
        looked_after=True,
        care_since=placements[i].first.start_date,
        placement_since=placement_since,
        moves_last_12_months=moves,
        placements_last_12_months=during,
        endings_last_12_months=tuple(endings),
        # A platform placement is never a change of legal status only: it starts its placement.
        current_placement_id=first.placement_id,
    )
