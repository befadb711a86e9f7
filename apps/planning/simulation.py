"""A simulated year of matching under three sourcing policies (issue 14, capability 5).

A year of children arriving is replayed over an in-memory copy of the register: places are
filled as placements start and freed as they end, and every child is matched by the platform's
own rules and score (`apps.referrals.matching`: `exclusion_masks`, `Scorer`) under one of:

- **sequential** ("in-house first"): the child's own LA's homes are searched first; the
  referral goes to every other provider only when none of them can take the child, a round
  later (`Assumptions.round_days`);
- **needs-first**: every provider type at once, the best-scoring home;
- **batch**: needs-first, with the children waiting in each RCC assigned together once a week
  by the platform's batch assignment (`apps.referrals.batch.assign_places`).

Everything here is pure and in memory: a `SimulationInput` (`simulation_input`; loaded once, in
bulk, by `simulation_load.load_input`) and a seed give the same result every time. Nothing is
read from or written to the database. The method and every assumption are in
docs/planning-simulation.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from apps.referrals.batch import assign_places
from apps.referrals.matching import (
    Profile,
    ProviderType,
    Scorer,
    age_on,
    best_first,
    exclusion_masks,
    miles,
)

from .simulation_input import (
    IN_HOUSE_COST,
    OFFERED,
    SCHEDULE,
    UNPRICED,
    Assumptions,
    Person,
    SimulationInput,
    Statement,
)

SEQUENTIAL, NEEDS_FIRST, BATCH = "sequential", "needs-first", "batch"
POLICIES = (SEQUENTIAL, NEEDS_FIRST, BATCH)
POLICY_LABELS = {
    SEQUENTIAL: "Sequential (in-house first)",
    NEEDS_FIRST: "Needs-first (every provider at once)",
    BATCH: "Needs-first with weekly batch assignment",
}

Progress = Callable[[float, str], None]


@dataclass
class Child:
    """One arrival: a person of the cohort on a day, with what was drawn for them."""

    n: int
    day: int
    person: Person
    age: int
    profile: Profile
    length: int  # days the placement lasts once made
    emergency: bool


@dataclass
class Prepared:
    """The draws of a seed, shared by every policy so that they meet the same year."""

    input: SimulationInput
    seed: int
    children: list[Child]
    free0: np.ndarray  # places free on day 0, per home
    frees: list[tuple[int, int]]  # (day, home) a place frees later in the year


def prepare(data: SimulationInput, seed: int) -> Prepared:
    """Draw, for a seed: arrival days (when the cohort gives no entries), each child's
    referral statements and placement length, and when each place occupied today frees."""
    rng = np.random.default_rng(seed)
    a = data.assumptions
    people = sorted(data.people, key=lambda p: p.key)
    if data.entries:
        # Each entry on its day of the year it is from: day 0 is that year's first day.
        first = data.entries_from or min(
            (p.entered for p in people if p.entered), default=data.start
        )
        days = [min(a.year_days - 1, max(0, ((p.entered or first) - first).days)) for p in people]
    else:
        days = rng.integers(0, a.year_days, size=len(people)).tolist()
    statements = data.statements or [Statement()]
    said = rng.integers(0, len(statements), size=len(people)).tolist()
    if not len(data.lengths):
        raise ValueError("No placement lengths to draw from.")
    lengths = data.lengths[rng.integers(0, len(data.lengths), size=len(people))].tolist()

    children = []
    order = sorted(range(len(people)), key=lambda i: (days[i], people[i].key))
    for n, i in enumerate(order):
        person, day = people[i], int(days[i])
        on = data.start + dt.timedelta(days=day)
        age = age_on(person.born, person.entered or on)
        statement = statements[said[i]]
        profile = _profile(n, person, age, on, statement, data.level_names)
        children.append(
            Child(n, day, person, age, profile, max(1, int(lengths[i])), statement.emergency)
        )

    free0, frees = _places(data, rng)
    return Prepared(data, seed, children, free0, frees)


def _profile(
    n: int,
    person: Person,
    age: int,
    on: dt.date,
    statement: Statement,
    level_names: dict[int, str],
) -> Profile:
    return Profile(
        referral_id=n,
        rcc_id=person.rcc_id,
        la_id=person.la_id,
        age=age,
        ages=(age,),
        start_by=on,
        centre=person.centre,
        centre_label=person.centre_label,
        school=None,
        school_label="",
        keep_school=False,
        stay_close=statement.stay_close,
        needs=person.needs,
        level_names=level_names,
        languages=person.languages,
        religion=person.religion,
        ethnicity=person.ethnicity,
        live_alongside=statement.live_alongside,
        risk_to_younger=statement.risk_to_younger,
        harm_animals=statement.harm_animals,
        no_pets=statement.no_pets,
        emergency=statement.emergency,
        avoid=frozenset(),
        min_adults=statement.min_adults,
    )


def _places(data: SimulationInput, rng: np.random.Generator) -> tuple[np.ndarray, list]:
    """Places free on day 0, and the day each other place frees: an open place on the date it
    is free from; an occupied place when its child's stay ends, the rest of a stay drawn as a
    renewal process in equilibrium would have it (a length drawn in proportion to its length,
    then a uniform point in it: the residual time of the stays running today)."""
    start = data.start
    free0 = np.zeros(len(data.area.homes), dtype=np.int64)
    frees: list[tuple[int, int]] = []
    for i, home in enumerate(data.area.homes):
        for day in home.dates:
            offset = (day - start).days
            if offset <= 0:
                free0[i] += 1
            else:
                frees.append((offset, i))
    occupied = data.occupied
    total = int(occupied.sum())
    if total:
        lengths = data.lengths.astype(float)
        pick = rng.choice(len(lengths), size=total, p=lengths / lengths.sum())
        left = np.floor(rng.random(total) * lengths[pick]).astype(np.int64)
        homes = np.repeat(np.arange(len(occupied)), occupied)
        for day, i in zip(left.tolist(), homes.tolist(), strict=True):
            if day <= 0:
                free0[i] += 1
            else:
                frees.append((day, i))
    return free0, frees


@dataclass
class Outcome:
    """What happened to one child under one policy."""

    n: int
    rcc_id: int
    arrived: int
    placed: int | None = None  # the day placed
    home: int | None = None
    miles: float | None = None
    provider_type: str = ""
    fee: float | None = None
    fee_source: str = ""
    needs: int = 0  # needs stated at a level above none
    met: int = 0  # of them, met at their level by the home's skills

    @property
    def days(self) -> int | None:
        return None if self.placed is None else self.placed - self.arrived


@dataclass(frozen=True)
class Found:
    """The homes (indexes in the area) that can take a child, best first, and their scores."""

    idx: np.ndarray
    scores: np.ndarray


@dataclass
class _Row:
    """A waiting child in a weekly batch, as `assign_places` reads it."""

    child: Child
    values: dict[int, float]

    @property
    def profile(self) -> Profile:
        return self.child.profile

    @property
    def size(self) -> int:
        return 1


@dataclass
class _Places:
    dates: list[dt.date]


class Year:
    """One policy over the prepared year: places fill and free day by day."""

    def __init__(self, prepared: Prepared, policy: str, progress: Progress | None = None) -> None:
        if policy not in POLICIES:
            raise ValueError(f"Unknown policy {policy!r}: choose one of {', '.join(POLICIES)}.")
        self.p, self.policy, self.progress = prepared, policy, progress
        self.data = data = prepared.input
        self.a = data.assumptions
        self.area = data.area
        self.free = prepared.free0.copy()
        self.frees: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
        for day, i in prepared.frees:
            self.frees[day].append((i, None))
        self.living: dict[int, list[int]] = defaultdict(list)  # home -> ages placed this year
        self.outcomes = [Outcome(c.n, c.person.rcc_id, c.day) for c in prepared.children]
        self.due: list[tuple[int, int, str]] = []  # (day, child, stage) searches to come
        self.queue: dict[int, list[Child]] = defaultdict(list)  # batch: waiting, per RCC
        self.searches = 0

    # --- The year, day by day ------------------------------------------------------------------

    def run(self) -> list[Outcome]:
        a = self.a
        arrivals: dict[int, list[Child]] = defaultdict(list)
        for child in self.p.children:
            arrivals[child.day].append(child)
        horizon = a.year_days + a.max_wait_days + max(a.round_days, a.batch_days)
        self.data.reset_other_children()
        try:
            for day in range(horizon):
                self._release(day)
                while self.due and self.due[0][0] <= day:
                    _, n, stage = heapq.heappop(self.due)
                    self._attempt(self.p.children[n], day, stage)
                for child in arrivals.get(day, ()):
                    self._arrive(child, day)
                if self.policy == BATCH and (day + 1) % a.batch_days == 0:
                    self._batch(day)
                if self.progress and day % 30 == 29:
                    self.progress(day / horizon, f"day {day + 1} of {horizon}")
        finally:
            self.data.reset_other_children()
        return self.outcomes

    def _release(self, day: int) -> None:
        for i, age in self.frees.pop(day, ()):
            self.free[i] += 1
            if age is not None:
                self.living[i].remove(age)
                self._others_changed(i)

    def _arrive(self, child: Child, day: int) -> None:
        if self.policy == SEQUENTIAL:
            self._attempt(child, day, "in_house")
        elif self.policy == NEEDS_FIRST or child.emergency:
            # An emergency cannot wait for the week's batch: it is matched at once.
            self._attempt(child, day, "all")
        else:
            self.queue[child.person.rcc_id].append(child)

    def _attempt(self, child: Child, day: int, stage: str) -> None:
        found = self.search(child, day, in_house_only=stage == "in_house")
        if found is not None:
            self._place(child, day, int(found.idx[0]))
            return
        if self.policy == BATCH:
            self.queue[child.person.rcc_id].append(child)
            return
        # In-house first: the wider round comes a round later; a child no home can take now is
        # searched for again after another round, until the wait runs out.
        again = day + self.a.round_days
        if again <= child.day + self.a.max_wait_days:
            heapq.heappush(self.due, (again, child.n, "all"))

    def _batch(self, day: int) -> None:
        """Each RCC's waiting children assigned together (RCCs in the order of their names)."""
        names = self.data.rcc_names
        for rcc_id in sorted(self.queue, key=lambda r: (names.get(r, ""), r)):
            waiting = [c for c in self.queue[rcc_id] if day - c.day <= self.a.max_wait_days]
            rows: list[_Row] = []
            for child in waiting:
                # A child's best options, as many as there are children: an optimal assignment
                # never needs a child's option below that (one of them is always left free).
                found = self.search(child, day, top=len(waiting))
                if found is None:
                    continue
                ids = self.data.ids[found.idx].tolist()
                scores = found.scores.tolist()
                rows.append(_Row(child, {h: s for h, s in zip(ids, scores, strict=True) if s > 0}))
            on = self.data.start + dt.timedelta(days=day)
            homes = {
                h: _Places([on] * int(self.free[self.data.index[h]]))
                for row in rows
                for h in row.values
            }
            assignment, _rounds = assign_places(rows, homes)
            placed = set()
            for r, household_id in sorted(assignment.items()):
                self._place(rows[r].child, day, self.data.index[household_id])
                placed.add(rows[r].child.n)
            self.queue[rcc_id] = [c for c in waiting if c.n not in placed]

    # --- Matching, with the platform's rules and score ---------------------------------------

    def search(
        self, child: Child, day: int, *, in_house_only: bool = False, top: int = 1
    ) -> Found | None:
        """The `top` homes that can take the child today, best first, with their scores: the
        platform's hard constraints and transparent score on the in-memory register (the
        options the hub would see, in the same order, without making their sentences)."""
        self.searches += 1
        data, area, profile = self.data, self.area, child.profile
        profile.start_by = data.start + dt.timedelta(days=day)
        weights = data.weights_of(profile.rcc_id)
        radius = float(weights.search_radius_miles)
        idx, distances = data.near(profile.centre, radius)
        ok = self.free[idx] > 0
        if in_house_only:
            ok &= data.in_house(profile.la_id)[idx]
        idx, distances = idx[ok], distances[ok]
        if not idx.size:
            return None
        masks = list(exclusion_masks(profile, area, idx).values())
        if masks:
            keep = ~np.logical_or.reduce(masks)
            idx, distances = idx[keep], distances[keep]
        if not idx.size:
            return None
        scores = Scorer(profile, weights, area.stability or {}, radius).scores(area, idx, distances)
        if top < len(scores):  # only the best are needed: those at or above the top-th score
            cut = np.partition(scores, len(scores) - top)[len(scores) - top]
            best = np.flatnonzero(scores >= cut)
            idx, scores, distances = idx[best], scores[best], distances[best]
        order = best_first(scores, distances, data.ids[idx])[:top]
        return Found(idx[order], scores[order])

    def _place(self, child: Child, day: int, i: int) -> None:
        home = self.area.homes[i]
        self.free[i] -= 1
        self.frees[day + child.length].append((i, child.age))
        self.living[i].append(child.age)
        self._others_changed(i)
        person = child.person
        on = self.data.start + dt.timedelta(days=day)
        fee, source = self.data.pricing.weekly(
            home, age=child.age, on=on, rcc_id=person.rcc_id, la_id=person.la_id
        )
        out = self.outcomes[child.n]
        out.placed, out.home, out.fee, out.fee_source = day, i, fee, source
        out.miles = miles(person.centre, home.lat, home.lng)
        out.provider_type = home.provider_type(person.la_id)
        out.needs = len(person.needs)
        out.met = sum(1 for need in person.needs if home.skills.get(need.domain_id, 0) >= need.rank)

    def _others_changed(self, i: int) -> None:
        """The children placed this year count as other children at home for the rules."""
        ages = (*self.area.homes[i].other_ages, *self.living[i])
        self.area.youngest_other[i] = min(ages, default=99)
        self.area.oldest_other[i] = max(ages, default=-1)


# --- What a policy achieved ---------------------------------------------------------------------


def _pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _q(values: np.ndarray, q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if values.size else None


def summarise(outcomes: Iterable[Outcome], assumptions: Assumptions) -> dict[str, Any]:
    """The measures of issue 14 for a set of children (docs/planning-simulation.md)."""
    outcomes = list(outcomes)
    placed = [o for o in outcomes if o.placed is not None]
    needs = sum(o.needs for o in placed)
    met = sum(o.met for o in placed)
    distance = np.array([o.miles for o in placed if o.miles is not None], dtype=float)
    days = np.array([o.days for o in placed], dtype=float)
    fees = np.array([o.fee for o in placed if o.fee is not None], dtype=float)
    types = Counter(o.provider_type for o in placed)
    sources = Counter(o.fee_source for o in placed)
    return {
        "children": len(outcomes),
        "placed": len(placed),
        "not_placed": len(outcomes) - len(placed),
        "not_placed_percent": _pct(len(outcomes) - len(placed), len(outcomes)),
        "needs_stated": needs,
        "needs_met": met,
        "needs_met_percent": _pct(met, needs),
        "median_miles": _q(distance, 50),
        "p90_miles": _q(distance, 90),
        "within_near_percent": _pct(int((distance <= assumptions.near_miles).sum()), len(placed)),
        "weekly_cost_mean": round(float(fees.mean()), 2) if fees.size else None,
        "weekly_cost_total": round(float(fees.sum()), 2) if fees.size else None,
        "unpriced": sources.get(UNPRICED, 0),
        "price_sources": {k: sources.get(k, 0) for k in (SCHEDULE, IN_HOUSE_COST, OFFERED)},
        "days_mean": round(float(days.mean()), 1) if days.size else None,
        "days_median": _q(days, 50),
        "days_p90": _q(days, 90),
        "placed_on_the_day_percent": _pct(int((days == 0).sum()), len(placed)),
        "provider_types": {t: types.get(t, 0) for t in ProviderType.ALL},
        "in_house_percent": _pct(types.get(ProviderType.IN_HOUSE, 0), len(placed)),
        "ifa_percent": _pct(types.get(ProviderType.IFA, 0), len(placed)),
    }


def run_policy(
    prepared: Prepared, policy: str, progress: Progress | None = None
) -> tuple[list[Outcome], int]:
    """The outcomes of every child under a policy, and the searches it took."""
    year = Year(prepared, policy, progress)
    return year.run(), year.searches


def results_of(prepared: Prepared, policy: str, outcomes: list[Outcome]) -> dict[str, Any]:
    """A policy's measures for the scope and, side by side, for each RCC."""
    a = prepared.input.assumptions
    names = prepared.input.rcc_names
    by_rcc: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_rcc[o.rcc_id].append(o)
    return {
        "policy": policy,
        "label": POLICY_LABELS[policy],
        "summary": summarise(outcomes, a),
        "by_rcc": [
            {"rcc": names.get(r, str(r)), **summarise(by_rcc[r], a)}
            for r in sorted(by_rcc, key=lambda r: (names.get(r, ""), r))
        ],
    }


def simulate_year(
    data: SimulationInput,
    policies: Iterable[str],
    seed: int,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    """Each policy over the same year drawn for the seed: its measures, the searches it took
    and the seconds it ran."""
    policies = list(policies)
    prepared = prepare(data, seed)
    out: dict[str, dict[str, Any]] = {}
    for k, policy in enumerate(policies):
        started = time.perf_counter()

        def step(fraction: float, text: str, k: int = k, policy: str = policy) -> None:
            if progress:
                progress((k + fraction) / len(policies), f"{POLICY_LABELS[policy]}: {text}")

        step(0.0, "starting")
        outcomes, searches = run_policy(prepared, policy, step)
        out[policy] = {
            **results_of(prepared, policy, outcomes),
            "searches": searches,
            "seconds": round(time.perf_counter() - started, 1),
        }
    return out
