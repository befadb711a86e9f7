"""One LA's synthetic looked-after children, planned in memory (no database): five years of
SSDA903 history ending today, as the LA's case system would hold it. `seeding.py` writes it.

The model is a stock and flow (see docs/adr/0141-planning-cohort.md for the figures it aims at):

- **Entries**: children start to be looked after as a Poisson process (a daily Poisson count),
  with ages drawn from the DfE's profile of children starting to be looked after (about one in
  five under 1, a third aged 10 to 15). The process runs from 18 years before the window, so
  the children already looked after when the window opens are a steady-state stock with a
  realistic age mix. The entry rate is set so that the stock today is the LA's target.
- **A period of care** follows one of four paths chosen by the age at entry: a short stay and a
  return home; adoption (under 5s: a placement order, an adoption placement, then E11/E12); a
  special guardianship order (E45–E47); or a long stay that ends, at the latest, on the 18th
  birthday (E17 staying put, E5/E6 independent living, E7, E8). Some children who went home
  come back into care later (a new period: RNE S).
- **Placements** within a period: the first is often an emergency one; each later placement
  is more likely to be a stable one (years) than one that breaks down (months), less so for
  teenagers, so that about one child in ten has three or more placements in a year and most
  under-16s in care 2.5 years have been in the same placement 2 years or more. Short-term
  foster carers sometimes become the child's long-term carers (the same carers: RNE P).
- **Settings by age** from the 903 groups the demand model uses: foster care U1–U6 (about
  70%: kinship U1/U3, most with other carers U4/U6, foster for adoption U5), children's homes
  K2 (older children) and residential care homes R1, supported accommodation K3 (16 and over:
  the code that replaced H5 and P2 from 2024–25, the only one the DfE's validator now accepts),
  placed with parents P1 (under a care order only), other Z11; adoption A5/A6 at the end of
  the adoption path.
- **Legal status**: section 20 (V2) or an interim care order (C1) at entry; some section 20
  children come under care proceedings (C1); interim orders become full care orders (C2) or,
  on the adoption path, placement orders (E1). A change of legal status alone starts an
  episode (RNE L); with a change of placement the same day, B or U.

Every episode is a valid SSDA903 episode: no overlaps, DEC after DECOM (never the same day),
X1 only where the next episode starts that day (with a reason for the change of placement),
an E-code where care ends, LS and CIN as the DfE's validator checks them (P1 never under V2,
K3 only from 16, an 18th birthday ends care), URNs where the DfE asks for one and never where
it does not. One rule shapes the data: the validator asks that nobody still looked after turns
18 before the end of the collection year (rule 359), so a young person whose 18th birthday
falls between today and 31 March has left care already (at 17, to independent living or home).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Generic, TypeVar

from apps.providers.seeding import RELIGION_BY_ETHNICITY, RELIGION_DEFAULT, SECOND_LANGUAGES

T = TypeVar("T")

YEAR = 365.25
EIGHTEEN_YEARS = 6576  # days: at least 18 years
WINDOW_YEARS = 5
BURN_IN_YEARS = 18  # entries before the window: the stock it opens with
IDENTIFIER_PREFIX = "LAC"  # "LAC" and 7 digits: the DfE's 10 characters at most


class Weights(Generic[T]):
    """Values drawn at random by weight (as `random.choices`, the cumulative weights summed
    once)."""

    __slots__ = ("cumulative", "values")

    def __init__(self, options: Sequence[tuple[T, float]]):
        self.values = tuple(v for v, w in options if w > 0)
        self.cumulative = list(itertools.accumulate(w for _, w in options if w > 0))

    def draw(self, rng: random.Random) -> T:
        i = bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(i, len(self.values) - 1)]


W = Weights

# --- Who starts to be looked after, and how their care ends ---------------------------------
# ((youngest, oldest), weight): the DfE's ages of children starting to be looked after.
ENTRY_AGES = W((((0, 1), 21), ((1, 5), 12), ((5, 10), 13), ((10, 16), 31), ((16, 18), 23)))
# The path a period of care takes, by age at entry: under 1, 1 to 4, 5 to 9, 10 to 15, 16+.
PATHS = (
    W((("home", 0.20), ("adoption", 0.36), ("guardianship", 0.20), ("long", 0.24))),
    W((("home", 0.34), ("adoption", 0.16), ("guardianship", 0.26), ("long", 0.24))),
    W((("home", 0.36), ("guardianship", 0.14), ("long", 0.50))),
    W((("home", 0.38), ("long", 0.62))),
    W((("home", 0.22), ("long", 0.78))),
)
SHORT_STAY = (80, 1.1)  # days: lognormal median and sigma
ADOPTION_STAY = (560, 0.3)
GUARDIANSHIP_STAY = (430, 0.4)
LONG_STAY_YEARS = 14  # mean years to leave before 18 on the long path (often never)
RETURN_TO_CARE = 0.22  # of children who went home: looked after again later
RETURN_GAP = (250, 0.8)
MAX_PERIODS = 3

MALE = 0.56
UASC = 0.25  # of boys aged 14 to 17 starting to be looked after
UASC_LONDON = 0.4
CATEGORY_OF_NEED = W(
    (("N1", 63), ("N2", 3.5), ("N3", 3), ("N4", 8), ("N5", 15), ("N6", 2), ("N7", 0.3),
     ("N8", 5))
)  # fmt: skip
# Children looked after are not England's mix: more of mixed heritage and Black children.
ETHNICITY = W(
    (("WBRI", 64), ("WIRI", 0.5), ("WIRT", 0.3), ("WROM", 0.6), ("WOTH", 6.5), ("MWBC", 3.5),
     ("MWBA", 1.3), ("MWAS", 1.5), ("MOTH", 4.0), ("AIND", 0.7), ("APKN", 1.5), ("ABAN", 0.7),
     ("CHNE", 0.1), ("AOTH", 1.9), ("BCRB", 1.3), ("BAFR", 3.3), ("BOTH", 2.0), ("OOTH", 4.5),
     ("REFU", 0.1), ("NOBT", 0.9))
)  # fmt: skip
ETHNICITY_LONDON = W(
    (("WBRI", 25), ("WIRI", 0.5), ("WIRT", 0.2), ("WROM", 1.0), ("WOTH", 12), ("MWBC", 6),
     ("MWBA", 2.5), ("MWAS", 2), ("MOTH", 7), ("AIND", 1), ("APKN", 1.5), ("ABAN", 2.5),
     ("CHNE", 0.3), ("AOTH", 4), ("BCRB", 5), ("BAFR", 10), ("BOTH", 6), ("OOTH", 12),
     ("REFU", 0.3), ("NOBT", 1))
)  # fmt: skip
ETHNICITY_UASC = W((("OOTH", 30), ("AOTH", 30), ("BAFR", 25), ("BOTH", 10), ("WOTH", 5)))
RELIGION_UASC = W((("muslim", 60), ("christian", 30), ("not_stated", 10)))
RELIGIONS = {e: W(options) for e, options in RELIGION_BY_ETHNICITY.items()}
RELIGION_OTHERWISE = W(RELIGION_DEFAULT)
LANGUAGES_UASC = ("ps", "fa", "ar", "ti", "ku", "so")

# How care ended (REC), by the way it ended.
LEFT_HOME = W((("E4A", 40), ("E13", 32), ("E4B", 12), ("E41", 10), ("E8", 6)))
LEFT_LATE = W((("E4A", 30), ("E13", 25), ("E41", 10), ("E8", 10), ("SGO", 25)))
LEFT_AT_16_17 = W((("E5", 45), ("E13", 30), ("E8", 15), ("E6", 10)))
LEFT_AT_18 = {
    "foster": W((("E17", 35), ("E5", 40), ("E8", 15), ("E6", 10))),
    "K3": W((("E5", 70), ("E6", 10), ("E8", 20))),
    "home": W((("E5", 40), ("E7", 15), ("E8", 45))),
    "P1": W((("E8", 100),)),
}
LEFT_BEFORE_18 = W((("E5", 50), ("E13", 30), ("E8", 20)))  # rule 359: see the docstring
# Special guardianship: to the child's foster carers, relatives (E45) or not (E46), or others.
GUARDIANS = {"U1": "E45", "U2": "E45", "U3": "E45", "U4": "E46", "U5": "E46", "U6": "E46"}

# --- Legal status ---------------------------------------------------------------------------
SECTION_20_TO_PROCEEDINGS = 0.5  # of section 20 periods on the long path
PROCEEDINGS_START = (60, 0.6)
INTERIM_TO_FULL = 0.95
INTERIM_LENGTH = (150, 0.35)
STATUS_WITH_MOVE = 0.3  # of changes of legal status a month or less before a move

# --- Placements -----------------------------------------------------------------------------
EMERGENCY_FIRST = 0.55  # of first placements: an emergency placement of weeks
EMERGENCY_LENGTH = (45, 0.8)
UNSTABLE_LENGTH = (140, 0.9)
STABLE_YEARS = 8  # mean years a stable placement lasts
STABLE = (0.55, 0.55, 0.48, 0.33, 0.4)  # chance a later placement is stable, by age band
STABLE_STEP = 0.12  # more likely with each placement
TO_LONG_TERM = 0.3  # of stable short-term foster placements: the carers become long-term
TO_SUPPORTED = 0.3  # of young people looked after at 16: a planned move to supported accommodation
KINSHIP = 0.22  # of foster placements: with relatives or friends
IN_HOUSE = 0.55  # of foster placements with other carers: the LA's own service
NEARBY = 0.2  # of placements: outside the LA, in a neighbouring one
ADOPTION_PLACEMENT = (200, 0.4)  # days placed for adoption before the order
FOSTER_FOR_ADOPTION = 0.25  # of babies on the adoption path
# Why a placement ended when the child moved (REASON_PLACE_CHANGE): one that broke down, one
# that ran its course.
ENDED_UNSTABLE = W(
    (("CARPL", 30), ("CREQB", 12), ("CREQO", 8), ("ALLEG", 4), ("STAND", 3), ("APPRR", 2),
     ("LAREQ", 15), ("CHILD", 10), ("PLACE", 12), ("OTHER", 4))
)  # fmt: skip
ENDED_PLANNED = W(
    (("PLACE", 45), ("LAREQ", 18), ("CARPL", 14), ("CHILD", 10), ("CREQO", 5), ("CREQB", 3),
     ("CLOSE", 2), ("OTHER", 3))
)  # fmt: skip

# --- Needs (the taxonomy's domain codes; one the taxonomy does not have is skipped) ---------
NEEDS_BY_AGE: tuple[dict[str, float], ...] = (
    {"health": 3, "family-relationships": 4, "emotional-wellbeing": 3, "disability": 1,
     "identity-culture": 1},
    {"emotional-wellbeing": 4, "behaviour": 3, "education": 3, "family-relationships": 3,
     "health": 1, "disability": 1, "identity-culture": 1},
    {"emotional-wellbeing": 4, "behaviour": 4, "education": 3, "family-relationships": 3,
     "risk-to-child": 3, "risk-to-others": 2, "health": 1, "identity-culture": 1,
     "disability": 1},
)  # fmt: skip
NEEDS_COUNT = (
    W(((1, 55), (2, 35), (3, 10))),
    W(((1, 30), (2, 40), (3, 25), (4, 5))),
    W(((1, 15), (2, 35), (3, 35), (4, 15))),
)
NEED_LEVELS = W(((1, 35), (2, 40), (3, 20), (4, 5)))  # low, medium, high, complex


def _age_band(age: float) -> int:
    """0: under 1, 1: 1 to 4, 2: 5 to 9, 3: 10 to 15, 4: 16 and over."""
    return 0 if age < 1 else 1 if age < 5 else 2 if age < 10 else 3 if age < 16 else 4


def _lognormal(rng: random.Random, median_sigma: tuple[float, float]) -> float:
    median, sigma = median_sigma
    return rng.lognormvariate(math.log(median), sigma)


def birthday(dob: dt.date, years: int) -> dt.date:
    """The date `years` after `dob` (a 29 February birthday falls on 28 February)."""
    try:
        return dob.replace(year=dob.year + years)
    except ValueError:
        return dob.replace(year=dob.year + years, day=28)


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def collection_year_end(today: dt.date) -> dt.date:
    """The 31 March that ends the SSDA903 collection year `today` is in."""
    return dt.date(today.year + (today.month > 3), 3, 31)


# --- What the plan reads and makes ----------------------------------------------------------


@dataclass(frozen=True)
class Home:
    """A children's home, supported accommodation or adoption agency: one URN, one postcode."""

    urn: str
    provider: str  # PLACE_PROVIDER
    postcode: str


@dataclass(frozen=True)
class Area:
    """What one LA's plan needs, read from the database by `seeding.py`."""

    code: str  # DfE LA code: the generator's seed
    stock: int  # children looked after today: the target
    london: bool
    home_postcodes: Sequence[str]  # real postcodes in the LA (or nearest it)
    nearby_postcodes: Sequence[str]  # in the neighbouring LAs
    in_house: tuple[str, str]  # (PR1, or PR2 where a neighbour's service approves its carers; URN)
    ifas: Sequence[tuple[str, str]]  # (PR4 or PR5, URN) of the IFAs serving the LA
    childrens_homes: Sequence[Home]  # PR4 or PR5 (rule 1015: an own LA's home must be in it)
    supported: Sequence[Home]
    adoption: Home


@dataclass(slots=True)
class Episode:
    start: dt.date
    end: dt.date | None
    rne: str
    ls: str
    cin: str
    place: str
    provider: str
    rec: str
    change: str  # REASON_PLACE_CHANGE
    home_post: str
    pl_post: str
    urn: str


@dataclass
class PlannedChild:
    identifier: str
    dob: dt.date
    sex: str
    ethnicity: str
    religion: str
    languages: list[str]
    home_postcode: str
    episodes: list[Episode]
    needs: dict[str, int]  # need domain code → level rank (1 low … 4 complex)
    assessed_on: dt.date

    @property
    def legal_statuses(self) -> list[tuple[dt.date, str]]:
        """(date, LS) where the legal status changes or a period of care starts, as an import
        of the episodes records them."""
        steps: list[tuple[dt.date, str]] = []
        previous = None
        for e in self.episodes:
            if e.ls != previous or e.rne == "S":
                steps.append((e.start, e.ls))
            previous = e.ls
        return steps


# --- The plan, in days (ordinals) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Setting:
    place: str
    provider: str
    urn: str
    postcode: str
    carers: str  # who looks after the child: the same carers make a change of placement P/B

    @property
    def group(self) -> str:
        if self.place[0] == "U":
            return "foster"
        return self.place if self.place in ("K3", "P1") else "home"


@dataclass(slots=True)
class _Placement:
    start: int
    setting: _Setting
    ended_because: str = ""  # REASON_PLACE_CHANGE when it ended with a move


@dataclass(slots=True)
class _Period:
    start: int
    end: int  # the day care ended; after today: still looked after
    path: str  # home, adoption, guardianship, long; eighteen, left_before_18
    rec: str = ""
    placements: list[_Placement] = field(default_factory=list)
    statuses: list[tuple[int, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Child:
    dob: int
    sixteen: int
    eighteen: int
    boy: bool
    uasc: bool
    periods: list[_Period]
    cin: str = ""
    home: str = ""


def _periods(
    rng: random.Random, entry: int, dob: int, eighteen: int, young_person: bool
) -> list[tuple[int, int, str]]:
    """(start, end, path) of each period of care of a child first looked after on `entry`."""
    out = []
    start = entry
    for _ in range(MAX_PERIODS):
        path = "long" if young_person else PATHS[_age_band((start - dob) / YEAR)].draw(rng)
        if path == "home":
            days = _lognormal(rng, SHORT_STAY)
        elif path == "adoption":
            days = _lognormal(rng, ADOPTION_STAY)
        elif path == "guardianship":
            days = _lognormal(rng, GUARDIANSHIP_STAY)
        else:
            days = rng.expovariate(1 / (LONG_STAY_YEARS * YEAR))
        end = min(start + max(2, int(days)), eighteen)
        out.append((start, end, path if end < eighteen else "eighteen"))
        if path != "home" or end >= eighteen or rng.random() >= RETURN_TO_CARE:
            break
        start = end + max(7, int(_lognormal(rng, RETURN_GAP)))
        if start >= eighteen - 30:
            break
    return out


def _entry_age(rng: random.Random) -> int:
    """Age in days at entry, from the DfE's profile (babies mostly in their first weeks)."""
    youngest, oldest = ENTRY_AGES.draw(rng)
    u = rng.random()
    if youngest == 0:
        u = u**1.4
    return int((youngest + (oldest - youngest) * u) * YEAR)


@cache
def days_in_care(before_eighteen: int = 0) -> tuple[float, float]:
    """(days a child spends looked after over all its periods, days of those in the last
    `before_eighteen` days before the 18th birthday), on average: Monte Carlo with a fixed
    generator. The stock is the entry rate times their difference (Little's law): young people
    whose 18th birthday falls before the collection year ends are not looked after today."""
    rng = random.Random("cohort-calibration")  # noqa: S311 - synthetic data
    total = last = 0
    n = 40_000
    for _ in range(n):
        age = _entry_age(rng)
        eighteen = int(18 * YEAR) - age
        for s, e, _path in _periods(rng, 0, -age, eighteen, False):
            total += e - s
            last += max(0, e - max(s, eighteen - before_eighteen))
    return total / n, last / n


# --- Settings -------------------------------------------------------------------------------

# (foster, K2, K3, P1, R1, Z11) weights by age band; P1 only under a care order and R1 for
# disabled children, the weights added for them.
SETTING_WEIGHTS = (
    (88, 0, 0, 16, 0, 0),
    (88, 0, 0, 16, 0, 0),
    (88, 2, 0, 16, 0, 0),  # 8 and 9: a few in children's homes (K2 from 8, see _kinds)
    (66, 22, 0, 14, 1, 1),
    (45, 15, 32, 10, 0, 2),
)
DISABLED_R1 = (0, 0, 3, 6, 0)
KINDS = ("foster", "K2", "K3", "P1", "R1", "Z11")


@cache
def _kinds(band: int, parents: bool, disabled: bool, young: bool) -> Weights[str]:
    weights = list(SETTING_WEIGHTS[band])
    if young:  # under 8: no children's homes
        weights[1] = 0
    weights[3] *= parents
    weights[4] += DISABLED_R1[band] * disabled
    return Weights(list(zip(KINDS, weights, strict=True)))


class _Settings:
    """Draws the places the children of one LA live in."""

    def __init__(self, area: Area, rng: random.Random):
        self.area, self.rng = area, rng
        self.carers = 0

    def postcode(self, avoid: tuple[str, ...]) -> str:
        """A real postcode in the LA, or now and then in a neighbouring LA, not one of `avoid`
        (the child's home, the last placement's)."""
        rng, area = self.rng, self.area
        pool = area.nearby_postcodes if area.nearby_postcodes and rng.random() < NEARBY else ()
        pool = pool or area.home_postcodes
        for _ in range(8):
            code = rng.choice(pool)
            if code not in avoid:
                return code
        left = [c for c in (*area.home_postcodes, *area.nearby_postcodes) if c not in avoid]
        return rng.choice(left) if left else pool[0]

    def new_carers(self, urn: str) -> str:
        self.carers += 1
        return f"{urn}:{self.carers}"

    def foster(self, *, long_term: bool, avoid: tuple[str, ...], place: str = "") -> _Setting:
        rng, area = self.rng, self.area
        if place:  # foster for adoption (U5): the LA's own carers
            provider, urn = area.in_house
        elif rng.random() < KINSHIP:
            provider, urn = area.in_house
            place = "U1" if long_term else "U3"
        else:
            if area.ifas and rng.random() >= IN_HOUSE:
                provider, urn = rng.choice(area.ifas)
            else:
                provider, urn = area.in_house
            place = "U4" if long_term else "U6"
        return _Setting(place, provider, urn, self.postcode(avoid), self.new_carers(urn))

    def home(
        self, homes: Sequence[Home], place: str, previous: _Setting | None, child_home: str
    ) -> _Setting | None:
        """One of `homes` other than the last placement's and not at the child's home
        postcode (SSDA903 rule 392d); None if there is none."""
        choices = [
            h
            for h in homes
            if h.postcode != child_home and (previous is None or h.urn != previous.urn)
        ]
        if not choices:
            return None
        h = self.rng.choice(choices)
        return _Setting(place, h.provider, h.urn, h.postcode, h.urn)

    def draw(
        self,
        *,
        age: float,
        ls: str,
        long_term: bool,
        previous: _Setting | None,
        child: _Child,
        path: str,
    ) -> _Setting:
        rng, area, home = self.rng, self.area, child.home
        parents = ls in ("C1", "C2") and path in ("home", "long")
        if previous is not None and previous.place == "P1":
            parents = False
        kind = _kinds(_age_band(age), parents, child.cin == "N2", age < 8).draw(rng)
        avoid = (home, previous.postcode) if previous is not None else (home,)
        setting: _Setting | None = None
        if kind == "K2":
            setting = self.home(area.childrens_homes, "K2", previous, home)
        elif kind == "K3":
            setting = self.home(area.supported, "K3", previous, home)
        elif kind == "P1":
            setting = _Setting("P1", "PR0", "", home, "parents")
        elif kind == "R1":
            provider = "PR4" if rng.random() < 0.8 else "PR5"
            setting = _Setting("R1", provider, "", self.postcode(avoid), self.new_carers("R1"))
        elif kind == "Z11":
            setting = _Setting("Z11", "", "", self.postcode(avoid), self.new_carers("Z11"))
        return setting or self.foster(long_term=long_term, avoid=avoid)


# --- One LA ---------------------------------------------------------------------------------


def plan_cohort(
    area: Area, *, seed: int, today: dt.date, domains: Sequence[str]
) -> list[PlannedChild]:
    """The LA's children looked after at any time in the five years to `today`, with their
    episodes in those years (see the module's docstring). Deterministic for `seed`, the LA's
    DfE code and `today`."""
    if not area.home_postcodes:
        raise ValueError(f"LA {area.code} has no postcodes in or near it: load the reference data.")
    children: list[PlannedChild] = []
    end_of_year = collection_year_end(today)
    total, last = days_in_care((end_of_year - today).days)
    rate = area.stock / (total - last)  # entries a day
    if rate <= 0:
        return children
    rng = random.Random(f"{seed}:cohort:{area.code}")  # noqa: S311 - synthetic data
    settings = _Settings(area, rng)
    today_o, year_end = today.toordinal(), end_of_year.toordinal()
    window = years_before(today, WINDOW_YEARS).toordinal()
    needs = _NeedsDrawer(domains)
    t = float(years_before(today, WINDOW_YEARS + BURN_IN_YEARS).toordinal())
    while True:
        t += rng.expovariate(rate)
        entry = int(t)
        if entry > today_o:
            break
        child = _child(rng, entry, window, today_o, year_end, UASC_LONDON if area.london else UASC)
        if child is None or child.periods[-1].end < window:
            continue
        child.cin = "N8" if child.uasc else CATEGORY_OF_NEED.draw(rng)
        child.home = rng.choice(area.home_postcodes)
        for period in child.periods:
            _plan_period(rng, settings, child, period)
        episodes = _episodes(child, window, today_o)
        if episodes:
            number = len(children) + 1
            children.append(_planned(rng, area, child, episodes, needs, number, today_o))
    return children


def _child(
    rng: random.Random, entry: int, window: int, today: int, year_end: int, uasc_rate: float
) -> _Child | None:
    """A child first looked after on `entry`, with the dates and paths of its periods of care
    to today; None if it cannot be (18 already)."""
    age = _entry_age(rng)
    if entry - age + EIGHTEEN_YEARS < window:
        return None  # 18 before the window opens: not in the LA's files
    born = dt.date.fromordinal(entry - age)
    if (born.month, born.day) == (2, 29):
        born -= dt.timedelta(days=1)
    dob = born.toordinal()
    eighteen = birthday(born, 18).toordinal()
    if eighteen - entry < 2:
        return None
    boy = rng.random() < MALE
    uasc = boy and age >= 14 * YEAR and rng.random() < uasc_rate
    periods = []
    for start, end, path in _periods(rng, entry, dob, eighteen, uasc):
        if start > today:
            break
        if end > today and eighteen <= year_end:
            # Rule 359: nobody still looked after turns 18 before the collection year ends.
            end = max(start + 1, today - rng.randrange(150))
            if end > today:
                break
            path = "left_before_18"
        periods.append(_Period(start, end, path))
    if not periods:
        return None
    return _Child(dob, birthday(born, 16).toordinal(), eighteen, boy, uasc, periods)


def _statuses(rng: random.Random, child: _Child, period: _Period, adoption_day: int) -> None:
    """The period's legal statuses, (first day, LS) from its start: section 20 or an interim
    care order; care proceedings for some section 20 children; then a full care order or, on
    the adoption path, a placement order."""
    s, path = period.start, period.path
    age = (s - child.dob) / YEAR
    if child.uasc or age >= 16:
        first = "V2" if rng.random() < 0.85 else "C1"
    elif path in ("adoption", "guardianship"):
        first = "C1" if rng.random() < 0.85 else "V2"
    elif path == "home":
        first = "V2" if rng.random() < 0.65 else "C1"
    else:
        first = "V2" if rng.random() < 0.35 else "C1"
    statuses = [(s, first)]
    day, ls = s, first
    if ls == "V2" and (
        path in ("adoption", "guardianship")
        or (path != "home" and not child.uasc and rng.random() < SECTION_20_TO_PROCEEDINGS)
    ):
        day += max(1, int(_lognormal(rng, PROCEEDINGS_START)))
        if path == "adoption":
            day = min(day, s + (adoption_day - s) // 3)
        ls = "C1"
        statuses.append((day, ls))
    if path == "adoption":
        # The final hearing: a placement order a month or more before the adoption placement.
        order = max(day + 1, adoption_day - rng.randint(30, 150))
        if order < adoption_day:
            statuses.append((order, "E1"))
    elif ls == "C1" and rng.random() < INTERIM_TO_FULL:
        statuses.append((day + max(1, int(_lognormal(rng, INTERIM_LENGTH))), "C2"))
    period.statuses = [(d, status) for d, status in statuses if d < period.end]


def _plan_period(rng: random.Random, settings: _Settings, child: _Child, period: _Period) -> None:
    """The period's legal statuses, placements and how it ended."""
    start, end = period.start, period.end
    adoption_day = end
    if period.path == "adoption":
        adoption_day = end - max(30, int(_lognormal(rng, ADOPTION_PLACEMENT)))
        if adoption_day - start < 60:
            period.path = "guardianship"  # too short to be placed for adoption first
            adoption_day = end
    _statuses(rng, child, period, adoption_day)
    statuses, placements = period.statuses, period.placements
    day, k = start, 0
    previous: _Setting | None = None
    while day < adoption_day:
        age = (day - child.dob) / YEAR
        ls = next(status for d, status in reversed(statuses) if d <= day)
        if k == 0 and rng.random() < EMERGENCY_FIRST:
            stable, length = False, _lognormal(rng, EMERGENCY_LENGTH)
        else:
            stable = rng.random() < STABLE[_age_band(age)] + STABLE_STEP * k
            length = (
                rng.expovariate(1 / (STABLE_YEARS * YEAR))
                if stable
                else _lognormal(rng, UNSTABLE_LENGTH)
            )
        if period.path == "adoption" and k == 0 and age < 1 and rng.random() < FOSTER_FOR_ADOPTION:
            setting = settings.foster(long_term=False, avoid=(child.home,), place="U5")
        else:
            setting = settings.draw(
                age=age,
                ls=ls,
                long_term=stable and k > 0,
                previous=previous,
                child=child,
                path=period.path,
            )
        placements.append(_Placement(day, setting))
        ends = day + max(1, int(length))
        if stable and setting.place in ("U6", "U3") and rng.random() < TO_LONG_TERM:
            # The short-term carers become the child's long-term carers.
            change = day + rng.randint(120, 300)
            if change < min(ends, adoption_day):
                placements[-1].ended_because = "PLACE"
                place = "U4" if setting.place == "U6" else "U1"
                setting = _Setting(
                    place, setting.provider, setting.urn, setting.postcode, setting.carers
                )
                placements.append(_Placement(change, setting))
        if ends >= adoption_day:
            break
        placements[-1].ended_because = (ENDED_PLANNED if stable else ENDED_UNSTABLE).draw(rng)
        previous, day, k = setting, ends, k + 1
    last = placements[-1]
    if (
        period.path in ("long", "eighteen")
        and last.start < child.sixteen
        and rng.random() < TO_SUPPORTED
    ):
        # A planned move to supported accommodation at 16 or 17.
        move = child.sixteen + rng.randrange(540)
        supported = settings.home(settings.area.supported, "K3", last.setting, child.home)
        if move < end - 30 and supported is not None:
            last.ended_because = "PLACE"
            placements.append(_Placement(move, supported))
    if period.path == "adoption":
        _placed_for_adoption(settings, child, period, adoption_day)
    _with_moves(rng, period)
    period.rec = _left_care(rng, child, period)


def _placed_for_adoption(
    settings: _Settings, child: _Child, period: _Period, adoption_day: int
) -> None:
    last = period.placements[-1]
    last.ended_because = "PLACE"
    agency = settings.area.adoption
    if last.setting.place == "U5":
        # Foster for adoption: the foster carers become the child's prospective adopters (A5).
        # The DfE counts them as new carers: RNE T or U, never P or B (rule 217).
        postcode, place = last.setting.postcode, "A5"
    else:
        postcode, place = settings.postcode((child.home, last.setting.postcode)), "A6"
    carers = settings.new_carers(agency.urn)
    adopters = _Setting(place, agency.provider, agency.urn, postcode, carers)
    period.placements.append(_Placement(adoption_day, adopters))


def _with_moves(rng: random.Random, period: _Period) -> None:
    """Some changes of legal status fall on the day the child moves (RNE B or U): a change
    followed by a move within a month is moved to that day, now and then."""
    moves = [p.start for p in period.placements[1:]]
    statuses = period.statuses
    for i in range(1, len(statuses)):
        day, status = statuses[i]
        move = next((m for m in moves if day < m <= day + 30), None)
        later = statuses[i + 1][0] if i + 1 < len(statuses) else period.end
        if move is not None and move < later and rng.random() < STATUS_WITH_MOVE:
            statuses[i] = (move, status)


def _left_care(rng: random.Random, child: _Child, period: _Period) -> str:
    """REC of the period's last episode: how the child stopped being looked after."""
    last = period.placements[-1].setting
    path = period.path
    if path == "adoption":
        return "E11" if rng.random() < 0.6 else "E12"
    if path == "eighteen":
        return LEFT_AT_18[last.group].draw(rng)
    if path == "left_before_18":
        return LEFT_BEFORE_18.draw(rng)
    if path == "home":
        return LEFT_HOME.draw(rng)
    if path == "long" and period.end >= child.sixteen:
        return LEFT_AT_16_17.draw(rng)
    code = "SGO" if path == "guardianship" else LEFT_LATE.draw(rng)
    return GUARDIANS.get(last.place, "E47") if code == "SGO" else code


# --- Episodes, the child's details and needs --------------------------------------------------


def _episodes(child: _Child, window: int, today: int) -> list[Episode]:
    """The child's SSDA903 episodes open at any time from `window` to `today` (one that runs
    past today is still open)."""
    out: list[Episode] = []
    for period in child.periods:
        starts = {p.start: p for p in period.placements}
        changes = dict(period.statuses)
        placement, ls = starts[period.start], changes[period.start]
        rows: list[tuple[int, str, str, _Placement]] = []  # (start, RNE, LS, placement)
        for day in sorted(starts.keys() | changes.keys()):
            if day > today:
                break
            rne = "S"
            if day != period.start:
                moved = day in starts
                new_ls = changes.get(day, ls)
                same_carers = moved and starts[day].setting.carers == placement.setting.carers
                if moved:
                    rne = (
                        ("B" if same_carers else "U")
                        if new_ls != ls
                        else "P"
                        if same_carers
                        else "T"
                    )
                else:
                    rne = "L"
                placement, ls = starts.get(day, placement), new_ls
            rows.append((day, rne, ls, placement))
        for i, (day, rne, ls, placement) in enumerate(rows):
            after = rows[i + 1] if i + 1 < len(rows) else None
            end = after[0] if after else period.end
            if end < window:
                continue
            rec = change = ""
            if after is not None:
                rec = "X1"
                if after[1] != "L":
                    change = placement.ended_because
            elif end <= today:
                rec = period.rec
            setting = placement.setting
            out.append(
                Episode(
                    start=dt.date.fromordinal(day),
                    end=dt.date.fromordinal(end) if end <= today else None,
                    rne=rne,
                    ls=ls,
                    cin=child.cin,
                    place=setting.place,
                    provider=setting.provider,
                    rec=rec,
                    change=change,
                    home_post=child.home,
                    pl_post=setting.postcode,
                    urn=setting.urn,
                )
            )
    return out


def _planned(
    rng: random.Random,
    area: Area,
    child: _Child,
    episodes: list[Episode],
    needs: _NeedsDrawer,
    number: int,
    today: int,
) -> PlannedChild:
    if child.uasc:
        ethnicity = ETHNICITY_UASC.draw(rng)
        religion = RELIGION_UASC.draw(rng)
        languages = [rng.choice(LANGUAGES_UASC), "en"]
    else:
        ethnicity = (ETHNICITY_LONDON if area.london else ETHNICITY).draw(rng)
        religion = RELIGIONS.get(ethnicity, RELIGION_OTHERWISE).draw(rng)
        languages = ["en"]
        if ethnicity in SECOND_LANGUAGES and rng.random() < 0.3:
            languages.append(rng.choice(SECOND_LANGUAGES[ethnicity]))
    latest = child.periods[-1]
    assessed = min(latest.start + rng.randint(14, 90), latest.end, today)
    placements = sum(1 for e in episodes if e.rne in ("S", "T", "U"))
    residential = any(e.place == "K2" for e in episodes)
    return PlannedChild(
        identifier=f"{IDENTIFIER_PREFIX}{number:07d}",
        dob=dt.date.fromordinal(child.dob),
        sex="M" if child.boy else "F",
        ethnicity=ethnicity,
        religion=religion,
        languages=languages,
        home_postcode=child.home,
        episodes=episodes,
        needs=needs.draw(rng, child, (assessed - child.dob) / YEAR, placements, residential),
        assessed_on=dt.date.fromordinal(assessed),
    )


class _NeedsDrawer:
    """A child's needs: 1 to 4 domains at levels 1 (low) to 4 (complex), more and higher for
    older children, children who have moved often and children in children's homes."""

    def __init__(self, domains: Sequence[str]):
        self.domains = list(domains)
        self.weights = [
            [(d, w) for d, w in by_age.items() if d in self.domains] or [(d, 1.0) for d in domains]
            for by_age in NEEDS_BY_AGE
        ]

    def draw(
        self, rng: random.Random, child: _Child, age: float, placements: int, residential: bool
    ) -> dict[str, int]:
        if not self.domains:
            return {}
        band = 0 if age < 5 else 1 if age < 10 else 2
        unsettled = placements >= 3
        count = min(4, NEEDS_COUNT[band].draw(rng) + unsettled)
        chosen = []
        if child.cin == "N2" and "disability" in self.domains:
            chosen.append("disability")
        if child.uasc:
            chosen += [d for d in ("identity-culture", "emotional-wellbeing") if d in self.domains]
        # A weighted sample without replacement: the largest keys u ** (1 / weight).
        keyed = sorted(self.weights[band], key=lambda dw: -(rng.random() ** (1 / dw[1])))
        chosen += [d for d, _ in keyed if d not in chosen][: max(0, count - len(chosen))]
        needs = {}
        for domain in chosen[:4]:
            level = NEED_LEVELS.draw(rng)
            level += (age >= 10 and rng.random() < 0.3) + (unsettled and rng.random() < 0.4)
            level += residential and rng.random() < 0.5
            if domain == "disability" and child.cin == "N2":
                level = max(level, 3)
            needs[domain] = min(4, level)
        return needs
