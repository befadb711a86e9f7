"""What a simulated year reads, as plain values: the named assumptions about time, the
children of the cohort, what their referrals state, the pricing of placements, and the whole
input (`SimulationInput`) that `simulation_load.load_input` reads once from the database and
tests build by hand. Nothing here touches the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import numpy as np

from apps.contracts.dates import financial_year_of
from apps.organisations.geo import bounding_box
from apps.referrals.matching import Area, Home, Need, ProviderType, miles_from
from apps.referrals.models import MatchingWeights

# How a placement's weekly cost was found (docs/planning-simulation.md, assumption 13).
SCHEDULE, IN_HOUSE_COST, OFFERED, UNPRICED = "schedule", "in_house_cost", "offered", "unpriced"


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
