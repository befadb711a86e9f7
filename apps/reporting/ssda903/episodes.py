"""A child's SSDA903 episodes from its care history: the rules, with no database.

A child's history is made of *stays*: its platform placements (started on or before today) and
its care episodes (imported from the LA's own SSDA903 files or recorded by its social worker).

1. Platform placements are authoritative for the dates they cover. A care episode that starts
   while a platform placement runs is left out (the placement is the record of that period); one
   that starts before a platform placement and runs past its start is cut to end that day, and
   then continues into it (REC X1).
2. A legal status change during a platform placement starts a new episode that day (RNE L):
   each episode's LS is the status in force on its first day, read from the legal status
   history (the child's current status when there is no history). Care episodes keep the LS the
   LA recorded.
3. RNE: "S" where the child starts to be looked after (no episode ends that day). Where the
   previous episode ends the same day: "L" (same placement, new legal status); otherwise a
   change of placement: "P" (same carers, the same household) or "T" (other carers), "B" / "U"
   the same with a change of legal status. A care episode that continues one keeps the RNE the
   LA recorded, as does the child's earliest care episode (its predecessor is not held here).
4. REC: "X1" only where the next episode starts the same day (with REASON_PLACE_CHANGE the reason
   the placement ended, for a change of placement: not before a care episode the LA recorded as
   a change of legal status alone, RNE L). An episode that ended with the child leaving
   care records the E-code asked when the placement ended (REASON_PLACE_CHANGE blank). An
   episode that ended with neither is written with DEC and a blank REC (never X1: that would say
   the child stayed looked after) and listed as needing attention: the LA adds the next
   placement or the reason the child left care.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from apps.referrals.choices import EPISODE_CONTINUES

# Places for which the DfE asks no URN (rule 218) and where a URN must not be given (rule 222).
NO_URN_PLACES = frozenset(
    {"P1", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"}
)
# An RNE that continues an episode ending the same day.
CONTINUING = frozenset({"P", "T", "B", "U", "L"})


@dataclass(frozen=True)
class Stay:
    """One placement in the child's history, from the platform or the care history."""

    start: dt.date
    end: dt.date | None
    place: str
    provider: str
    ref: str  # how the notes name it: "placement 12" or "care episode 5"
    carers: str | None = None  # the household; None when not known (care history)
    home_post: str = ""
    pl_post: str = ""
    urn: str = ""
    cin: str = ""
    legal_status: str = ""  # care history: the LS the LA recorded; blank: read the history
    rne: str = ""  # care history: the RNE the LA recorded
    left_care: str = ""  # the E-code when the child left care as it ended
    change_reason: str = ""  # why the placement ended (REASON_PLACE_CHANGE)
    rec: str = ""  # care history: the REC the LA recorded

    @property
    def platform(self) -> bool:
        return self.ref.startswith("placement")


@dataclass
class Episode:
    stay: Stay
    start: dt.date
    end: dt.date | None
    legal_status: str
    rne: str = ""
    rec: str = ""
    reason_place_change: str = ""
    notes: list[str] = field(default_factory=list)


def merge_history(placements: Iterable[Stay], care: Iterable[Stay]) -> list[Stay]:
    """Platform placements with the care episodes they do not cover, in date order (rule 1)."""
    platform = sorted(placements, key=lambda s: (s.start, s.ref))
    kept: list[Stay] = []
    for stay in sorted(care, key=lambda s: (s.start, s.ref)):
        if any(_covers(p, stay.start) for p in platform):
            continue
        cut = min(
            (p.start for p in platform if p.start > stay.start and _runs_past(stay, p.start)),
            default=None,
        )
        if cut is not None:
            stay = replace(stay, end=cut, rec=EPISODE_CONTINUES, left_care="")
        kept.append(stay)
    return sorted([*platform, *kept], key=lambda s: (s.start, s.end or dt.date.max, s.ref))


def _covers(placement: Stay, day: dt.date) -> bool:
    return placement.start <= day and (placement.end is None or day < placement.end)


def _runs_past(stay: Stay, day: dt.date) -> bool:
    return stay.end is None or stay.end > day


def legal_status_on(day: dt.date, history: Sequence[tuple[dt.date, str]], fallback: str) -> str:
    """The LS in force on `day`: the latest change on or before it; before the first change,
    the first; with no history, `fallback` (the child's current status)."""
    current = history[0][1] if history else fallback
    for start, status in history:
        if start > day:
            break
        current = status
    return current


def child_episodes(
    stays: Sequence[Stay],
    *,
    legal_statuses: Sequence[tuple[dt.date, str]],
    current_status: str,
    today: dt.date,
) -> list[Episode]:
    """Every episode of one child, oldest first, with RNE, LS, REC and REASON_PLACE_CHANGE."""
    history = sorted(legal_statuses)
    episodes: list[Episode] = []
    for stay in stays:
        if not stay.platform:
            status = stay.legal_status or legal_status_on(stay.start, history, current_status)
            episodes.append(Episode(stay, stay.start, stay.end, status))
            continue
        start = stay.start
        status = legal_status_on(start, history, current_status)
        for changed_on, new_status in history:
            if changed_on <= start or changed_on > today:
                continue
            if stay.end is not None and changed_on >= stay.end:
                break
            if new_status == status:
                continue
            episodes.append(Episode(stay, start, changed_on, status))
            start, status = changed_on, new_status
        episodes.append(Episode(stay, start, stay.end, status))
    for i, episode in enumerate(episodes):
        before = episodes[i - 1] if i else None
        after = episodes[i + 1] if i + 1 < len(episodes) else None
        episode.rne = _new_episode_reason(before, episode)
        _ending(episode, after)
    return episodes


def _new_episode_reason(before: Episode | None, episode: Episode) -> str:
    if before is None and not episode.stay.platform and episode.stay.rne in CONTINUING:
        # The LA's own record continues an episode the platform does not hold (one that ended
        # before the LA's file began): keep what the LA recorded.
        return episode.stay.rne
    if before is None or before.end is None or before.end != episode.start:
        return "S"
    if before.stay is episode.stay:
        return "L"
    if not episode.stay.platform and episode.stay.rne in CONTINUING:
        return episode.stay.rne
    same_carers = episode.stay.carers is not None and episode.stay.carers == before.stay.carers
    if before.legal_status != episode.legal_status:
        return "B" if same_carers else "U"
    return "P" if same_carers else "T"


def _ending(episode: Episode, after: Episode | None) -> None:
    stay = episode.stay
    if episode.end is None:
        return
    if after is not None and after.start == episode.end:
        episode.rec = EPISODE_CONTINUES
        if after.stay is episode.stay or (not after.stay.platform and after.stay.rne == "L"):
            return  # a new legal status (on the platform or as the LA recorded it): same placement
        episode.reason_place_change = stay.change_reason
        if not stay.change_reason and after.stay.place[:1] != "T" and stay.place[:1] != "T":
            episode.notes.append("no reason recorded for the change of placement")
        if stay.left_care:
            episode.notes.append(
                f"recorded as leaving care ({stay.left_care}) but the next placement starts "
                "the same day: written as a change of placement (X1)"
            )
        return
    if stay.left_care:
        episode.rec = stay.left_care
    elif stay.rec and stay.rec != EPISODE_CONTINUES:
        episode.rec = stay.rec
    else:
        episode.notes.append(
            "ended with no next placement on the same day and no reason the child left care: "
            "add the next placement or the reason the child left care"
        )


def clip_to_year(
    episodes: Iterable[Episode], *, year_start: dt.date, year_end: dt.date
) -> list[Episode]:
    """The episodes open at any time from `year_start` to `year_end` (31 March, or today for a
    year not yet over). One that ends after `year_end` is written as still open: DEC, REC and
    REASON_PLACE_CHANGE blank."""
    out = []
    for episode in episodes:
        if episode.start > year_end or (episode.end is not None and episode.end < year_start):
            continue
        if episode.end is not None and episode.end > year_end:
            episode = replace(
                episode,
                end=None,
                rec="",
                reason_place_change="",
                notes=[],  # what it needs is about how it ended: not in this year's file
            )
        out.append(episode)
    return out
