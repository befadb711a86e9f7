"""The looked-after episodes the demand forecast is estimated from, as numpy arrays.

Read in bulk from the platform (its placements and the care episodes LAs imported or
recorded, merged as the SSDA903 export merges them: `apps.reporting.ssda903.episodes`), or from
a pair of SSDA903 Header and Episodes files (the check against cs-demand-model). Dates are day
numbers (`datetime.date.toordinal()`); an episode still open ends at `OPEN`.

Children whose history is all care episodes (the imported cohort) need no merging: their
episodes are the SSDA903 episodes as they stand. Only children with a platform placement go
through `merge_history` and `child_episodes`, one child at a time; they are the few.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Q

from apps.referrals.models import CareEpisode, Child, LegalStatusChange, Placement
from apps.reporting.ssda903.episodes import Stay, child_episodes, merge_history

OPEN = np.iinfo(np.int32).max  # the end of an episode that is still open
CHUNK = 5000


@dataclass(frozen=True)
class Episodes:
    """One row per episode: parallel arrays of the same length."""

    child: np.ndarray  # int64: the child's key (the platform's id, or a number per CHILD)
    dob: np.ndarray  # int64 day numbers
    start: np.ndarray  # int64 day numbers (DECOM)
    end: np.ndarray  # int64 day numbers (DEC), OPEN while open
    place: np.ndarray  # str: the SSDA903 PLACE code
    la: np.ndarray  # int64: the child's LA (its id; 0 when read from files)

    def __len__(self) -> int:
        return int(self.child.size)

    def take(self, index: np.ndarray) -> Episodes:
        """The rows picked by a boolean mask or an index array."""
        return Episodes(
            self.child[index],
            self.dob[index],
            self.start[index],
            self.end[index],
            self.place[index],
            self.la[index],
        )

    def of_las(self, la_ids: Iterable[int]) -> Episodes:
        return self.take(np.isin(self.la, np.fromiter(la_ids, dtype=np.int64)))

    @classmethod
    def build(
        cls,
        rows: Sequence[tuple[int, dt.date, dt.date, dt.date | None, str, int]],
    ) -> Episodes:
        """From (child, DOB, start, end or None, PLACE, LA) tuples."""
        n = len(rows)
        child = np.fromiter((r[0] for r in rows), dtype=np.int64, count=n)
        dob = np.fromiter((r[1].toordinal() for r in rows), dtype=np.int64, count=n)
        start = np.fromiter((r[2].toordinal() for r in rows), dtype=np.int64, count=n)
        end = np.fromiter(
            (r[3].toordinal() if r[3] else OPEN for r in rows), dtype=np.int64, count=n
        )
        place = np.array([r[4] for r in rows], dtype="<U3") if n else np.array([], dtype="<U3")
        la = np.fromiter((r[5] for r in rows), dtype=np.int64, count=n)
        return cls(child, dob, start, end, place, la)


def load_episodes(la_ids: Iterable[int], *, since: dt.date, today: dt.date) -> Episodes:
    """The episodes of the children of these LAs (the child's own LA) that were open at any
    time from `since` to `today`, with the episode just before each (the forecast asks whether
    a child entered care or moved). A handful of queries, whatever the number of children.

    Platform placements that started by today are authoritative for the dates they cover;
    each child with one has its whole history merged as in its SSDA903 return (placements
    split where the legal status changed; care episodes they cover left out or cut)."""
    las = sorted(set(la_ids))
    if not las:
        return Episodes.build([])
    # A day before `since`: an episode that ended then is the one before an episode starting on
    # `since` (a move, not an entry into care).
    edge = since - dt.timedelta(days=1)
    placed: dict[int, list[Stay]] = defaultdict(list)
    for pk, child_id, start, end, place, household in (
        Placement.objects.filter(child__la_id__in=las, start_date__lte=today)
        .order_by()
        .values_list("pk", "child_id", "start_date", "end_date", "placement_type", "household_id")
    ):
        placed[child_id].append(
            Stay(start, end, place, "", f"placement {pk}", carers=f"household {household}")
        )
    # Every other child: its recent care episodes are its SSDA903 episodes, read as columns.
    child: list[int] = []
    dob: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    places: list[str] = []
    la_of: list[int] = []
    recent = (
        CareEpisode.objects.filter(child__la_id__in=las, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=edge))
        .order_by()
        .values_list(
            "child_id",
            "child__date_of_birth",
            "child__la_id",
            "start_date",
            "end_date",
            "placement_type",
        )
    )
    for child_id, born, la, start, end, place in recent:
        if child_id in placed:
            continue
        child.append(child_id)
        dob.append(born.toordinal())
        la_of.append(la)
        starts.append(start.toordinal())
        ends.append(end.toordinal() if end else OPEN)
        places.append(place)
    # A child with a platform placement: its whole care history, merged as the return does.
    ids = sorted(placed)
    people: dict[int, tuple[dt.date, int, str]] = {}
    history: dict[int, list[Stay]] = defaultdict(list)
    statuses: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        for pk, born, la, status in Child.objects.filter(pk__in=chunk).values_list(
            "pk", "date_of_birth", "la_id", "legal_status"
        ):
            people[pk] = (born, la, status)
        for pk, child_id, start, end, place, status in (
            CareEpisode.objects.filter(child_id__in=chunk, start_date__lte=today)
            .order_by()
            .values_list(
                "pk", "child_id", "start_date", "end_date", "placement_type", "legal_status"
            )
        ):
            history[child_id].append(
                Stay(start, end, place, "", f"care episode {pk}", legal_status=status)
            )
        for child_id, day, status in (
            LegalStatusChange.objects.filter(child_id__in=chunk)
            .order_by()
            .values_list("child_id", "start_date", "legal_status")
        ):
            statuses[child_id].append((day, status))
    for child_id in ids:
        born, la, current = people[child_id]
        for episode in child_episodes(
            merge_history(placed[child_id], history.get(child_id, [])),
            legal_statuses=statuses.get(child_id, []),
            current_status=current,
            today=today,
        ):
            if episode.end is not None and episode.end < edge:
                continue
            child.append(child_id)
            dob.append(born.toordinal())
            la_of.append(la)
            starts.append(episode.start.toordinal())
            ends.append(episode.end.toordinal() if episode.end else OPEN)
            places.append(episode.stay.place)
    return Episodes(
        np.array(child, dtype=np.int64),
        np.array(dob, dtype=np.int64),
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(places, dtype="<U3"),
        np.array(la_of, dtype=np.int64),
    )


def _dmy(text: str, where: str) -> dt.date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a date (DD/MM/YYYY)") from None


def from_903(
    header: Iterable[Mapping[str, str]], episodes: Iterable[Mapping[str, str]], *, la: int = 0
) -> Episodes:
    """From the rows of SSDA903 Header and Episodes files (CHILD, DOB; CHILD, DECOM, DEC,
    PLACE; dates DD/MM/YYYY). As cs-demand-model reads them: episodes of a child the Header
    does not list are left out; a child listed twice keeps its first DOB."""
    born: dict[str, dt.date] = {}
    for number, row in enumerate(header, start=2):
        day = _dmy(row["DOB"], f"Header line {number}, DOB")
        if day is None:
            raise ValueError(f"Header line {number}, DOB: child {row['CHILD']!r} has none")
        born.setdefault(row["CHILD"], day)
    keys = {child: number for number, child in enumerate(born, start=1)}
    rows = []
    for number, row in enumerate(episodes, start=2):
        child = row["CHILD"]
        if child not in born:
            continue
        start = _dmy(row["DECOM"], f"Episodes line {number}, DECOM")
        if start is None:
            raise ValueError(f"Episodes line {number}, DECOM: blank for child {child!r}")
        end = _dmy(row.get("DEC", ""), f"Episodes line {number}, DEC")
        rows.append((keys[child], born[child], start, end, row["PLACE"], la))
    return Episodes.build(rows)
