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

Everything here is pure and in memory: `SimulationInput` (loaded once, in bulk, by
`simulation_load.load_input`) and a seed give the same result every time. Nothing is read from
or written to the database. The method and every assumption are in docs/planning-simulation.md.
"""

from __future__ import annotations

import datetime as dt
import heapq
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from apps.contracts.dates import financial_year_of
from apps.organisations.geo import bounding_box
from apps.referrals.batch import assign_places
from apps.referrals.matching import (
    Area,
    Home,
    Need,
    Profile,
    ProviderType,
    Scorer,
    age_on,
    best_first,
    exclusion_masks,
    miles,
    miles_from,
)
from apps.referrals.models import MatchingWeights

SEQUENTIAL, NEEDS_FIRST, BATCH = "sequential", "needs-first", "batch"
POLICIES = (SEQUENTIAL, NEEDS_FIRST, BATCH)
POLICY_LABELS = {
    SEQUENTIAL: "Sequential (in-house first)",
    NEEDS_FIRST: "Needs-first (every provider at once)",
    BATCH: "Needs-first with weekly batch assignment",
}

# How a placement's weekly cost was found (docs/planning-simulation.md, "Costs").
SCHEDULE, IN_HOUSE_COST, OFFERED, UNPRICED = "schedule", "in_house_cost", "offered", "unpriced"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Assumptions:
    """The simulation's named assumptions about time (docs/planning-simulation.md)."""

    year_days: int = 365  # arrivals are replayed over one year
    round_days: int = 7  # a round of sourcing costs a week: sequential's wider round comes a
    # week after the in-house one, and a child no home can take is searched for again weekly
    batch_days: int = 7  # the batch policy assigns the waiting children once a week
    max_wait_days: int = 84  # a child still without a foster home after 12 weeks is not placed
    near_miles: float = 20.0  # "placed within 20 miles"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Statement:
    """What a referral states that the cohort does not hold (who the child can live alongside,
    risks to others, pets, minimum adults, urgency, staying close to family): each arriving
    child takes the statements of one of the platform's referrals, drawn for the seed."""

    live_alongside: str = ""
    risk_to_younger: bool = False
    harm_animals: bool = False
    no_pets: bool = False
    min_adults: int = 0
    emergency: bool = False
    stay_close: bool = False


@dataclass(frozen=True)
class Person:
    """A child of the looked-after cohort as the simulation sees them: no name or identifier,
    only a key that orders them the same way in every database."""

    key: str
    la_id: int
    rcc_id: int
    born: dt.date
    entered: dt.date | None  # the entry into care replayed; None: a day of the year is drawn
    centre: tuple[float, float]  # the home postcode district (or the LA's centre)
    centre_label: str
    needs: tuple[Need, ...]
    languages: frozenset[str] = frozenset()
    religion: str = ""
    ethnicity: str = ""


class FeeBook(Protocol):
    """`apps.contracts.selectors.PriceBook`: the scheduled fee, in memory."""

    def fee(
        self, *, provider: Any, child_age: int, care_types: Any, on: dt.date, rcc: Any
    ) -> Decimal | None: ...


@dataclass
class Pricing:
    """The weekly cost of a placement, as the platform costs offers: the price schedule that
    applies; an LA service's full weekly cost (in-house, `InHouseCost`); else the median fee
    the provider has offered on the platform."""

    book: FeeBook | None = None
    in_house: dict[int, dict[int, float]] = field(default_factory=dict)  # service -> year -> £
    offered: dict[int, float] = field(default_factory=dict)  # provider -> median offered fee

    def weekly(
        self, home: Home, *, age: int, on: dt.date, rcc_id: int, la_id: int
    ) -> tuple[float | None, str]:
        scheduled = None
        if self.book is not None:
            scheduled = self.book.fee(
                provider=home.provider_id,
                child_age=age,
                care_types=home.care_types,
                on=on,
                rcc=rcc_id,
            )
        own = self._in_house(home.provider_id, on)
        in_house = home.provider_type(la_id) == ProviderType.IN_HOUSE
        # The child's own LA pays its own service's full cost; another LA's service and an IFA
        # are paid the scheduled fee.
        if in_house and own is not None:
            return own, IN_HOUSE_COST
        if scheduled is not None:
            return float(scheduled), SCHEDULE
        if own is not None:
            return own, IN_HOUSE_COST
        if home.provider_id in self.offered:
            return self.offered[home.provider_id], OFFERED
        return None, UNPRICED

    def _in_house(self, provider_id: int, on: dt.date) -> float | None:
        years = self.in_house.get(provider_id)
        if not years:
            return None
        year = financial_year_of(on)
        earlier = [y for y in years if y <= year]
        return years[max(earlier)] if earlier else years[min(years)]


@dataclass
class SimulationInput:
    """Everything a simulation reads, loaded once: the register as it stands (homes with their
    skills, carers and providers' stability; approved places and places on hold), the weights
    of each RCC, prices, and the cohort the arrivals come from."""

    start: dt.date  # day 0 of the simulated year: the register is as it stands on this day
    area: Area
    places: np.ndarray  # approved places of each home
    held: np.ndarray  # places on hold (not available during the year)
    weights: dict[int, MatchingWeights]
    pricing: Pricing
    people: list[Person]
    entries: bool  # True: the people are the cohort's entries into care in a year
    lengths: np.ndarray  # placement lengths to draw from, in days
    lengths_source: str
    statements: list[Statement]
    rcc_names: dict[int, str]
    level_names: dict[int, str]
    rcc_id: int | None = None  # the scope: an RCC's children, or England's
    entries_from: dt.date | None = None  # the first day of the year the entries are from
    assumptions: Assumptions = field(default_factory=Assumptions)

    def __post_init__(self) -> None:
        area = self.area
        self.index = {h.id: i for i, h in enumerate(area.homes)}
        self.ids = np.fromiter((h.id for h in area.homes), np.int64, len(area.homes))
        self._youngest = area.youngest_other.copy()
        self._oldest = area.oldest_other.copy()
        open_now = np.fromiter((len(h.dates) for h in area.homes), np.int64, len(area.homes))
        self.occupied = np.maximum(0, self.places.astype(np.int64) - open_now - self.held)
        self._in_house: dict[int, np.ndarray] = {}
        self._near: dict[tuple[tuple[float, float], float], tuple[np.ndarray, np.ndarray]] = {}

    def describe(self) -> dict[str, Any]:
        """What the simulation reads, in figures (kept with a run, shown on its page)."""
        homes = self.area.homes
        return {
            "homes": len(homes),
            "places": int(self.places.sum()),
            "places_open": sum(len(h.dates) for h in homes),
            "places_occupied": int(self.occupied.sum()),
            "places_on_hold": int(self.held.sum()),
            "children": len(self.people),
            "arrivals": "entries" if self.entries else "draws",
            "year_from": (
                self.entries_from.isoformat() if self.entries and self.entries_from else None
            ),
            "children_with_needs": sum(1 for p in self.people if p.needs),
            "lengths": len(self.lengths),
            "lengths_source": self.lengths_source,
            "median_length_days": float(np.median(self.lengths)) if len(self.lengths) else None,
            "statements": len(self.statements),
            "start": self.start.isoformat(),
            "assumptions": self.assumptions.as_dict(),
        }

    def weights_of(self, rcc_id: int) -> MatchingWeights:
        found = self.weights.get(rcc_id)
        if found is None:
            found = self.weights[rcc_id] = MatchingWeights()  # the defaults, never saved
        return found

    def in_house(self, la_id: int) -> np.ndarray:
        """Which homes are the LA's own service's (SSDA903 PR1)."""
        mask = self._in_house.get(la_id)
        if mask is None:
            mask = self._in_house[la_id] = self.area.la_service & (self.area.owning_la == la_id)
        return mask

    def near(self, centre: tuple[float, float], radius: float) -> tuple[np.ndarray, np.ndarray]:
        """The homes within `radius` miles of a point and their distances, worked out once per
        point (children from the same postcode district share it)."""
        key = (centre, radius)
        found = self._near.get(key)
        if found is None:
            area = self.area
            lat_lo, lat_hi, lng_lo, lng_hi = np.radians(bounding_box(centre, radius))
            box = (area.lat >= lat_lo) & (area.lat <= lat_hi)
            box &= (area.lng >= lng_lo) & (area.lng <= lng_hi)
            idx = np.flatnonzero(box)
            distances = miles_from(centre, area.lat[idx], area.lng[idx])
            within = distances <= radius
            found = self._near[key] = (idx[within], distances[within])
        return found

    def reset_other_children(self) -> None:
        self.area.youngest_other = self._youngest.copy()
        self.area.oldest_other = self._oldest.copy()


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
