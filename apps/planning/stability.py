"""Planning: stability, from each child's care history (platform placements and the care
episodes its LA imported or recorded, read by apps.referrals.history as the child's page reads
them), per LA and RCC (England: every RCC side by side). Counts and rates only: no child.

- Children looked after: in a placement on the day the snapshot is built.
- Moves: changes of placement (SSDA903 RNE P, B, T, U) in the 12 months to that day.
- Three or more placements (the DfE's short-term measure): children looked after on the day
  with three or more placements open at any time in the 12 months.
- Long-term stability (the DfE's measure): children under 16 looked after continuously for
  2.5 years or more; of those, the children in the same placement for 2 years or more (an
  adoptive placement counts together with the placement before it).
- Unplanned endings: placements that ended in the 12 months for a reason in UNPLANNED_ENDINGS.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.contracts.dates import add_months
from apps.referrals.choices import UNPLANNED_ENDINGS, ReasonEnded
from apps.referrals.history import care_timelines, stability_summary
from apps.referrals.models import Child
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import PERCENT, RATE, TEXT, Col, Table, pct

SECTION = "Stability"
ENGLAND = "England"
LONG_TERM_AGE = 16  # under 16 on the day
LONG_TERM_CARE_MONTHS = 30  # looked after continuously for 2.5 years or more
LONG_TERM_PLACEMENT_MONTHS = 24  # in the same placement for 2 years or more
MOVE_BANDS = (("No moves", 0), ("1 move", 1), ("2 moves", 2), ("3 or more moves", 3))
UNPLANNED_NOTE = (
    "Unplanned: the placement ended for a reason (SSDA903 REASON_PLACE_CHANGE, the platform's "
    "reason ended) that is a breakdown or the provider's or carer's request: "
    + ", ".join(label for code, label in ReasonEnded.choices if code in sorted(UNPLANNED_ENDINGS))
    + "."
)
HISTORY_NOTE = (
    "From each child's care history: placements made on the platform and the care episodes "
    "the LA imported from its SSDA903 files or recorded by hand. Children are counted by their "
    "LA."
)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Figures:
    """The stability counts of one LA (or a sum of LAs)."""

    looked_after: int = 0
    moves: int = 0
    moves_band: Counter[int] = field(default_factory=Counter)
    three_plus: int = 0
    long_term: int = 0  # under 16, looked after 2.5 years or more
    long_term_stable: int = 0  # of those, in the same placement 2 years or more
    ended: int = 0
    unplanned: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def add(self, other: Figures) -> None:
        self.looked_after += other.looked_after
        self.moves += other.moves
        self.moves_band.update(other.moves_band)
        self.three_plus += other.three_plus
        self.long_term += other.long_term
        self.long_term_stable += other.long_term_stable
        self.ended += other.ended
        self.unplanned += other.unplanned
        self.reasons.update(other.reasons)

    def cells(self) -> list[float | int | None]:
        return [
            self.looked_after,
            self.moves,
            round(100 * self.moves / self.looked_after, 1) if self.looked_after else None,
            self.three_plus,
            pct(self.three_plus, self.looked_after),
            self.long_term,
            self.long_term_stable,
            pct(self.long_term_stable, self.long_term),
            self.ended,
            self.unplanned,
            pct(self.unplanned, self.ended),
        ]


COLUMNS = [
    Col("looked_after", "Children looked after"),
    Col("moves", "Moves in the last 12 months"),
    Col("moves_rate", "Moves per 100 children", RATE),
    Col("three_plus", "3 or more placements in 12 months"),
    Col("pct_three_plus", "Share with 3 or more", PERCENT),
    Col("long_term", "Under 16, looked after 2.5 years or more"),
    Col("long_term_stable", "Of those, same placement 2 years or more"),
    Col("pct_long_term_stable", "Long-term stability", PERCENT),
    Col("ended", "Placements ended in 12 months"),
    Col("unplanned", "Ended unplanned"),
    Col("pct_unplanned", "Unplanned share", PERCENT),
]


def figures_by_la(facts: Facts) -> dict[int, Figures]:
    """Each LA's stability figures on `facts.today`, from every child of the LAs in scope: two
    queries for the care histories, one for the children."""
    today = facts.today
    care_cutoff = add_months(today, -LONG_TERM_CARE_MONTHS)
    placement_cutoff = add_months(today, -LONG_TERM_PLACEMENT_MONTHS)
    timelines = care_timelines(la_ids=facts.la_ids)
    children = Child.objects.filter(la_id__in=facts.la_ids).values_list(
        "pk", "la_id", "date_of_birth"
    )
    out: dict[int, Figures] = defaultdict(Figures)
    for child_id, la_id, born in children:
        rows = timelines.get(child_id)
        if not rows:
            continue
        s = stability_summary(rows, today)
        f = out[la_id]
        for reason in s.endings_last_12_months:
            f.ended += 1
            f.reasons[reason] += 1
            f.unplanned += reason in UNPLANNED_ENDINGS
        if not s.looked_after:
            continue
        f.looked_after += 1
        f.moves += s.moves_last_12_months
        f.moves_band[min(s.moves_last_12_months, 3)] += 1
        f.three_plus += s.placements_last_12_months >= 3
        if age_on(born, today) < LONG_TERM_AGE and s.care_since and s.care_since <= care_cutoff:
            f.long_term += 1
            f.long_term_stable += bool(s.placement_since and s.placement_since <= placement_cutoff)
    return out


def _la_name(facts: Facts, la_id: int) -> str:
    return facts.las.get(la_id, ("Unknown",))[0]


def _sum(figures: dict[int, Figures], keep: Callable[[int], bool]) -> Figures:
    total = Figures()
    for la_id, f in figures.items():
        if keep(la_id):
            total.add(f)
    return total


def tables(facts: Facts) -> list[Table]:
    from .build import memo  # build imports this module

    figures = memo(facts, "stability_by_la", lambda: figures_by_la(facts))
    national = facts.rcc_id is None
    scope_name = ENGLAND if national else next(iter(facts.rccs.values()), "This RCC")
    la_ids = sorted(set(facts.la_ids) | set(figures), key=lambda la: _la_name(facts, la))
    total = _sum(figures, lambda la: True)
    out = []

    if national:
        by_rcc = Table(
            "stab_rcc",
            "Stability, every RCC side by side",
            SECTION,
            [Col("rcc", "RCC", TEXT), *COLUMNS],
            note=f"{HISTORY_NOTE} RCCs as they stand on {facts.today:%-d %B %Y}.",
            chart={
                "type": "bar",
                "label": "rcc",
                "values": ["pct_three_plus", "pct_long_term_stable", "pct_unplanned"],
            },
        )
        for rcc_id, name in facts.rccs.items():
            f = _sum(figures, lambda la, rcc=rcc_id: facts.rcc_of_la.get(la) == rcc)  # type: ignore[misc]
            by_rcc.add(name, *f.cells())
        by_rcc.add(ENGLAND, *total.cells())
        out.append(by_rcc)

    by_la = Table(
        "stab_la",
        "Stability by local authority",
        SECTION,
        [
            Col("la", "Local authority", TEXT),
            *([Col("rcc", "RCC", TEXT)] if national else []),
            *COLUMNS,
        ],
        note=f"On {facts.today:%-d %B %Y}, and the 12 months to it. {HISTORY_NOTE} "
        "Long-term stability is the DfE's measure: children under 16 looked after for 2.5 "
        "years or more, and of them those in the same placement for 2 years or more (an "
        "adoptive placement counts with the placement before it). " + UNPLANNED_NOTE,
        chart=None
        if national
        else {"type": "bar", "label": "la", "values": ["pct_three_plus", "pct_long_term_stable"]},
    )
    for la_id in la_ids:
        f = figures.get(la_id, Figures())
        rcc = [facts.rccs.get(facts.rcc_of_la.get(la_id, 0), "")] if national else []
        by_la.add(_la_name(facts, la_id), *rcc, *f.cells())
    by_la.add(scope_name, *([""] if national else []), *total.cells())
    out.append(by_la)

    moves = Table(
        "stab_moves",
        "Children looked after, by moves in the last 12 months",
        SECTION,
        [Col("moves", "Moves", TEXT), Col("children", "Children"), Col("share", "Share", PERCENT)],
        note=f"Children looked after on {facts.today:%-d %B %Y}: changes of placement (SSDA903 "
        "RNE P, B, T or U) in the 12 months to that day.",
        chart={"type": "bar", "label": "moves", "values": ["children"]},
    )
    for label, band in MOVE_BANDS:
        moves.add(label, total.moves_band[band], pct(total.moves_band[band], total.looked_after))
    out.append(moves)

    endings = Table(
        "stab_endings",
        "Placements ended in the last 12 months, by reason",
        SECTION,
        [
            Col("reason", "Reason ended (SSDA903)", TEXT),
            Col("kind", "Planned or unplanned", TEXT),
            Col("endings", "Placements ended"),
            Col("share", "Share", PERCENT),
        ],
        note=UNPLANNED_NOTE + ' "No reason recorded": the child left care, or the LA recorded no '
        "reason.",
        chart={"type": "bar", "label": "reason", "values": ["endings"]},
    )
    for code, label in ReasonEnded.choices:
        if total.reasons[code]:
            endings.add(
                label,
                "Unplanned" if code in UNPLANNED_ENDINGS else "Planned",
                total.reasons[code],
                pct(total.reasons[code], total.ended),
            )
    known = set(ReasonEnded.values)
    other = sum(n for code, n in total.reasons.items() if code not in known)
    if other:
        endings.add("No reason recorded", "", other, pct(other, total.ended))
    out.append(endings)

    summary: dict[str, Any] = memo(facts, "summary", dict)
    summary.update(
        stab_looked_after=total.looked_after,
        stab_pct_three_plus=pct(total.three_plus, total.looked_after),
        stab_pct_long_term_stable=pct(total.long_term_stable, total.long_term),
        stab_pct_unplanned=pct(total.unplanned, total.ended),
    )
    return out
