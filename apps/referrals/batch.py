"""Batch matching: every waiting child of an RCC against every vacancy at once.

Matching one referral at a time lets the first child take the home that was a later child's
only option. Here the hub sees, beside each child's own ranking, the assignment of children to
places that maximises the total match score under the same hard constraints
(`apps.referrals.matching`), solved with `scipy.optimize.linear_sum_assignment`:

- rows are the waiting referrals (a sibling group is one row, worth its score once per child);
- columns are the open places (one `Vacancy` each) of every home that is an option for at least
  one child; a row may take a place of a home that is one of its options and is free by its
  latest start date;
- the value of a pair is (children in the row) x (score); infeasible pairs cost 0, so the solver
  returns a maximum-weight matching and pairs at cost 0 are dropped (the child is unassigned);
- a sibling group needs N places in one home but the solver gives it one column: after each
  solve, a home asked for more places than it has (by the dates) loses its lowest-value rows,
  which are barred from that home, and the problem is solved again (docs/adr/0050).

A first-come-first-served greedy assignment is computed too, so the page can show what the
optimisation gains. This is a suggestion for people to weigh, never an automatic decision.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from django.utils import timezone
from scipy.optimize import linear_sum_assignment

from .choices import ReferralStatus, Urgency
from .matching import (
    Home,
    Option,
    OptionList,
    Profile,
    area_for,
    profiles_for,
    rank_options,
    weights_for,
)
from .models import Referral

MAX_REPAIR_ROUNDS = 50


class Candidate(Protocol):
    """What the assignment reads of a row: the latest start date (on its profile), the number
    of children, and the value of each home that is one of its options (household id ->
    value). A `Row` here; the planning simulation's waiting children too."""

    @property
    def profile(self) -> Profile: ...

    @property
    def size(self) -> int: ...

    @property
    def values(self) -> dict[int, float]: ...


class PlacesOf(Protocol):
    """What the assignment reads of a home: the day each of its open places is free from."""

    @property
    def dates(self) -> list[dt.date]: ...


@dataclass
class Row:
    """One waiting referral (a sibling group counts once, worth its score per child)."""

    referral: Referral
    profile: Profile
    options: OptionList  # best first
    values: dict[int, float] = field(default_factory=dict)  # household -> size x score

    def __post_init__(self) -> None:
        scored = self.options.scored
        size = self.size
        self.values = {
            h: score * size
            for h, score in zip(scored.household_ids.tolist(), scored.scores.tolist(), strict=True)
            if score > 0
        }

    @property
    def size(self) -> int:
        return self.profile.group_size

    @property
    def best(self) -> Option | None:
        return self.options[0] if len(self.options) else None

    def option_at(self, household_id: int) -> Option | None:
        return self.options.for_household(household_id)


@dataclass
class Suggestion:
    row: Row
    suggested: Option | None
    best_taken_by: list[Row]
    greedy: Option | None

    @property
    def gain(self) -> float | None:
        """Suggested score minus the child's own best score (negative: what they give up)."""
        if self.suggested is None or self.row.best is None:
            return None
        return round(self.suggested.score - self.row.best.score, 1)

    def as_dict(self) -> dict[str, Any]:
        def brief(option: Option | None) -> dict[str, Any] | None:
            if option is None:
                return None
            return {
                "household": option.household_id,
                "reference": option.home.reference,
                "provider": option.home.provider_name,
                "provider_type": option.provider_type,
                "score": option.score,
                "distance_to_family_miles": option.distance_family,
            }

        referral = self.row.referral
        return {
            "referral": referral.pk,
            "child": referral.child.local_identifier,
            "children_in_group": self.row.size,
            "urgency": referral.urgency,
            "latest_start_date": self.row.profile.start_by.isoformat(),
            "options": len(self.row.options),
            "own_best": brief(self.row.best),
            "suggested": brief(self.suggested),
            "gain": self.gain,
            "best_taken_by": [r.referral.pk for r in self.best_taken_by],
            "first_come_first_served": brief(self.greedy),
        }


@dataclass
class BatchResult:
    rcc_id: int
    computed_at: dt.datetime
    seconds: float
    suggestions: list[Suggestion]
    places: int
    homes: int
    total: float
    placed: int
    greedy_total: float
    greedy_placed: int
    rounds: int

    @property
    def children(self) -> int:
        return sum(s.row.size for s in self.suggestions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rcc": self.rcc_id,
            "computed_at": self.computed_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "waiting_referrals": len(self.suggestions),
            "children": self.children,
            "places_considered": self.places,
            "homes_considered": self.homes,
            "optimised": {"children_placed": self.placed, "total_score": round(self.total, 1)},
            "first_come_first_served": {
                "children_placed": self.greedy_placed,
                "total_score": round(self.greedy_total, 1),
            },
            "solver_rounds": self.rounds,
            "suggestions": [s.as_dict() for s in self.suggestions],
        }


def waiting_referrals(rcc_id: int) -> list[Referral]:
    """The RCC's referrals with the hub, oldest and most urgent first (the queue's order)."""
    return list(
        Referral.objects.filter(
            rcc_id=rcc_id, status__in=[ReferralStatus.SENT, ReferralStatus.RETURNED]
        )
        .select_related("child")
        .order_by("sent_at", "pk")
    )


def _queue_key(row: Row) -> tuple[int, dt.datetime, int]:
    referral = row.referral
    sent = referral.sent_at or referral.created_at
    return (0 if referral.urgency == Urgency.EMERGENCY else 1, sent, referral.pk)


def _fits(rows: Sequence[Candidate], home: PlacesOf) -> bool:
    """Can these rows all have their places in this home by their own dates?"""
    free = list(home.dates)
    for row in sorted(rows, key=lambda r: r.profile.start_by):
        usable = [i for i, day in enumerate(free) if day <= row.profile.start_by]
        if len(usable) < row.size:
            return False
        for i in reversed(usable[: row.size]):
            free.pop(i)
    return True


class _Problem:
    """The value matrix, built once: rows x open places (one column per place)."""

    def __init__(self, rows: Sequence[Candidate], homes: Mapping[int, PlacesOf]) -> None:
        last_day = max(row.profile.start_by for row in rows)
        households: list[int] = []
        days: list[int] = []
        for household_id in sorted({h for row in rows for h in row.values}):
            for day in homes[household_id].dates:
                if day <= last_day:
                    households.append(household_id)
                    days.append(day.toordinal())
        self.household = np.array(households, dtype=np.int64)
        ordinals = np.array(days, dtype=np.int64)
        order = np.arange(len(households))
        self.index = {h: order[self.household == h] for h in set(households)}
        self.cost = np.zeros((len(rows), len(households)))
        for r, row in enumerate(rows):
            start_by = row.profile.start_by.toordinal()
            for household_id, value in row.values.items():
                cols = self.index.get(household_id)
                if cols is not None:
                    self.cost[r, cols[ordinals[cols] <= start_by]] = -value

    def solve(self, barred: set[tuple[int, int]]) -> dict[int, int]:
        """Row index -> household id, maximising the total value."""
        if not self.cost.size:
            return {}
        cost = self.cost
        if barred:
            cost = cost.copy()
            for r, household_id in barred:
                cost[r, self.index[household_id]] = 0.0
        row_ind, col_ind = linear_sum_assignment(cost)
        return {
            int(r): int(self.household[c])
            for r, c in zip(row_ind, col_ind, strict=True)
            if cost[r, c] < 0
        }


def assign_places(
    rows: Sequence[Candidate], homes: Mapping[int, PlacesOf]
) -> tuple[dict[int, int], int]:
    """The assignment of rows (by index) to homes (household ids) that maximises the total
    value, and the solver's rounds: solve, then repair homes asked for more places than they
    have (sibling groups)."""
    if not rows:
        return {}, 0
    problem = _Problem(rows, homes)
    barred: set[tuple[int, int]] = set()
    rounds = 0
    while True:
        rounds += 1
        assignment = problem.solve(barred)
        by_home: dict[int, list[int]] = defaultdict(list)
        for r, household_id in assignment.items():
            by_home[household_id].append(r)
        conflict = False
        for household_id, members in by_home.items():
            home = homes[household_id]
            kept = sorted(members, key=lambda r: -rows[r].values[household_id])
            while not _fits([rows[r] for r in kept], home):
                conflict = True
                barred.add((kept.pop(), household_id))
        if not conflict or rounds >= MAX_REPAIR_ROUNDS:
            if conflict:  # give up on repairs: keep only what fits
                for household_id, members in by_home.items():
                    kept = [r for r in members if (r, household_id) not in barred]
                    for r in members:
                        if r not in kept:
                            assignment.pop(r, None)
            return assignment, rounds


def _greedy(rows: list[Row], homes: dict[int, Home]) -> dict[int, int]:
    """First come, first served: each child in queue order takes their best option that fits."""
    taken: dict[int, list[Row]] = defaultdict(list)
    out: dict[int, int] = {}
    for r in sorted(range(len(rows)), key=lambda i: _queue_key(rows[i])):
        row = rows[r]
        for option in row.options:
            household_id = option.household_id
            if _fits([*taken[household_id], row], homes[household_id]):
                taken[household_id].append(row)
                out[r] = household_id
                break
    return out


def batch_match(rcc_id: int, *, today: dt.date | None = None) -> BatchResult:
    """The suggested assignment of the RCC's waiting children to places, with the comparison."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    weights = weights_for(rcc_id)
    radius = float(weights.search_radius_miles)
    referrals = waiting_referrals(rcc_id)
    profiles = {p.referral_id: p for p in profiles_for(referrals, today=today)}
    homes: dict[int, Home] = {}
    rows: list[Row] = []
    if profiles:
        area = area_for(list(profiles.values()), radius)
        domains = {n.domain_id for p in profiles.values() for n in p.needs}
        area.complete(np.arange(len(area.homes)), domains, today)
        homes = {h.id: h for h in area.homes}
        for referral in referrals:
            profile = profiles.get(referral.pk)
            if profile is None:
                continue
            options, _ = rank_options(profile, weights, area, today)
            rows.append(Row(referral, profile, options))

    assignment, rounds = assign_places(rows, homes)
    greedy = _greedy(rows, homes)
    holders: dict[int, list[Row]] = defaultdict(list)
    for r, household_id in assignment.items():
        holders[household_id].append(rows[r])

    suggestions = []
    for r, row in enumerate(rows):
        suggested = row.option_at(assignment[r]) if r in assignment else None
        best = row.best
        taken_by: list[Row] = []
        if best is not None and (suggested is None or suggested.household_id != best.household_id):
            taken_by = [o for o in holders.get(best.household_id, []) if o is not row]
        greedy_option = row.option_at(greedy[r]) if r in greedy else None
        suggestions.append(Suggestion(row, suggested, taken_by, greedy_option))

    def total(choice: dict[int, int]) -> tuple[float, int]:
        value = sum(rows[r].values.get(h, 0.0) for r, h in choice.items())
        return value, sum(rows[r].size for r in choice)

    opt_total, opt_placed = total(assignment)
    greedy_total, greedy_placed = total(greedy)
    columns = {h for row in rows for h in row.values}
    last_day = max((row.profile.start_by for row in rows), default=today)
    return BatchResult(
        rcc_id=rcc_id,
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
        suggestions=suggestions,
        places=sum(homes[h].free_by(last_day) for h in columns),
        homes=len(columns),
        total=opt_total,
        placed=opt_placed,
        greedy_total=greedy_total,
        greedy_placed=greedy_placed,
        rounds=rounds,
    )
