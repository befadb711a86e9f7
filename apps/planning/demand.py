"""The demand model behind the planning forecast: a stock-and-flow model of the looked-after
population by age band × placement category, estimated over a reference window of episodes and
projected day by day (docs/adr/0140-planning.md).

The model is Social Finance's demand model (cs-demand-model 0.5.1, the one both RCC pathfinders
use), written again with numpy so that a whole bootstrap runs at once; `make validate-demand`
checks it against the reference on the same episodes (within 5% per cell at 12 months):

- Episodes are cleaned as the reference cleans them: of a child's episodes starting the same
  day, the one ending last is kept; of those ending the same day (or both open), the one
  starting first; an episode running past the start of the next is cut to end that day.
- Each episode's state is its age band on its first day (age in days ÷ 365.24) and the
  category of its PLACE. A child counts in a state from DECOM to the day before DEC.
- Transition rates: for each day of the window, the episodes of a state ending that day
  (moving to the state of the episode starting the same day, or leaving care) ÷ that state's
  stock the day before (the window's first day: its own stock), averaged over the window.
- Entries: episodes starting in the window that do not continue one ending the same day,
  per state, ÷ the window's length in days.
- Ageing: 1 ÷ (the band's length in days) a day moves to the next band, same category (the
  oldest band leaves care).
- Each day, each state loses stock × its total rate (never more than its stock), shared among
  the destinations in proportion to their rates, and gains the daily entries.

Every step is linear, so a day is one (26 × 26) matrix — the 20 states, children leaving care,
child-days per category (for spend) and a constant for entries — and a year is its 365th power.
Intervals: the children are resampled with replacement, the rates re-estimated and the
projection run again (`DRAWS` draws, fixed seed); the 5th and 95th percentiles are reported.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .episodes import OPEN, Episodes

# The age bands of the demand model (cs-demand-model's standard configuration): label, lowest
# age, highest age (not included), length in days (ageing out at 1 ÷ length a day).
BANDS = (
    ("Birth to 1", -1.0, 1.0, 365),
    ("1 to 5", 1.0, 5.0, 4 * 365),
    ("5 to 10", 5.0, 10.0, 5 * 365),
    ("10 to 16", 10.0, 16.0, 6 * 365),
    ("16 to 18+", 16.0, 30.0, 14 * 365),
)
AGE_BANDS = tuple(band[0] for band in BANDS)
YEAR_IN_DAYS = 365.24
# The placement categories and the SSDA903 PLACE codes in each (any other code: "Other").
CATEGORIES = ("Fostering", "Residential", "Supported", "Other")
PLACE_CATEGORY = {
    **dict.fromkeys(("U1", "U2", "U3", "U4", "U5", "U6"), 0),
    "K2": 1,
    "R1": 1,
    "H5": 2,
    "P2": 2,
}
OTHER = 3
# The categories each band allows in the reference's configuration (tables show the others
# only where there are children in them).
ALLOWED = (
    (0, OTHER),
    (0, OTHER),
    (0, 1, OTHER),
    (0, 1, OTHER),
    (0, 1, 2, OTHER),
)
NB, NC = len(BANDS), len(CATEGORIES)
NS = NB * NC  # the states: band × category
EXIT = NS  # leaving care, as a destination
# The columns of the projection's vector: the states, children who left care (cumulative),
# child-days per category (cumulative) and the constant that carries the entries.
LEFT = NS
CHILD_DAYS = NS + 1
ONE = NS + 1 + NC
WIDTH = ONE + 1

DRAWS = 100
SEED = 2026
CHUNK_CELLS = 4_000_000  # children × draws counted at once in a bootstrap
# A fit sums the stock's changes in order when there are fewer than 1 ÷ this of the daily stock
# grid's cells (an LA), and keeps the whole grid otherwise (an RCC, England).
COMPACT_STOCK = 2


def state_label(state: int) -> tuple[str, str]:
    return AGE_BANDS[state // NC], CATEGORIES[state % NC]


@dataclass(frozen=True)
class Prepared:
    """Cleaned episodes with their states, as the model reads them."""

    child: np.ndarray  # 0 … children − 1
    children: int
    start: np.ndarray
    end: np.ndarray
    state: np.ndarray
    entry: np.ndarray  # bool: the child was not in care the day before (no episode ends then)
    after: np.ndarray  # the state of the episode starting the day this one ends, or EXIT
    la: np.ndarray

    def of_las(self, la_ids: list[int]) -> Prepared:
        """The episodes of these LAs' children (a child's episodes are all its LA's)."""
        keep = np.isin(self.la, np.array(la_ids, dtype=np.int64))
        _, child = np.unique(self.child[keep], return_inverse=True)
        return Prepared(
            child=child.astype(np.int64),
            children=int(child.max()) + 1 if child.size else 0,
            start=self.start[keep],
            end=self.end[keep],
            state=self.state[keep],
            entry=self.entry[keep],
            after=self.after[keep],
            la=self.la[keep],
        )


def clean(episodes: Episodes) -> Episodes:
    """cs-demand-model's cleaning: same-day duplicates and overlaps (see the module's note)."""
    if not len(episodes):
        return episodes
    open_first = np.where(episodes.end == OPEN, -1, episodes.end)
    e = episodes.take(np.lexsort((open_first, episodes.start, episodes.child)))
    # Same start: keep the last (the latest end; open ones sort first).
    keep = np.ones(len(e), dtype=bool)
    keep[:-1] = ~((e.child[1:] == e.child[:-1]) & (e.start[1:] == e.start[:-1]))
    e = e.take(keep)
    # Same end (or both open): keep the first in date order.
    order = np.lexsort((np.arange(len(e)), e.end, e.child))
    child, end = e.child[order], e.end[order]
    repeat = np.zeros(len(e), dtype=bool)
    repeat[order[1:]] = (child[1:] == child[:-1]) & (end[1:] == end[:-1])
    e = e.take(~repeat)
    # An episode open, or running past the next one's start, ends when the next one starts.
    end = e.end.copy()
    follows = e.child[1:] == e.child[:-1]
    cut = follows & ((end[:-1] == OPEN) | (end[:-1] > e.start[1:]))
    end[:-1][cut] = e.start[1:][cut]
    return Episodes(e.child, e.dob, e.start, end, e.place, e.la)


def categories_of(places: np.ndarray) -> np.ndarray:
    codes, inverse = np.unique(places, return_inverse=True)
    lookup = np.array([PLACE_CATEGORY.get(str(c), OTHER) for c in codes], dtype=np.int64)
    return lookup[inverse] if codes.size else np.zeros(0, dtype=np.int64)


def bands_of(dob: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The band index of the age on `day`, −1 outside every band."""
    age = (day - dob) / YEAR_IN_DAYS
    band = np.full(age.shape, -1, dtype=np.int64)
    for index, (_label, low, high, _days) in enumerate(BANDS):
        band[(band < 0) & (age >= low) & (age < high)] = index
    return band


def prepare(episodes: Episodes) -> Prepared:
    e = clean(episodes)
    category = categories_of(e.place)
    band = bands_of(e.dob, e.start)
    same_child_before = np.zeros(len(e), dtype=bool)
    same_child_before[1:] = e.child[1:] == e.child[:-1]
    entry = np.ones(len(e), dtype=bool)
    entry[1:] = ~(same_child_before[1:] & (e.end[:-1] == e.start[1:]))
    after = np.full(len(e), EXIT, dtype=np.int64)
    moves = (e.child[1:] == e.child[:-1]) & (e.end[:-1] == e.start[1:])
    after[:-1] = np.where(moves, band[:-1] * NC + category[1:], EXIT)
    # An age outside every band (a start before birth, or 30 and over) cannot be placed in a
    # state: cs-demand-model fails on it; the forecast leaves the episode out.
    known = band >= 0
    _, child = np.unique(e.child[known], return_inverse=True)
    return Prepared(
        child=child.astype(np.int64),
        children=int(child.max()) + 1 if child.size else 0,
        start=e.start[known],
        end=e.end[known],
        state=(band * NC + category)[known],
        entry=entry[known],
        after=after[known],
        la=e.la[known],
    )


@dataclass(frozen=True)
class Estimate:
    """Rates per draw (draw 0: the episodes as they are)."""

    rates: np.ndarray  # (draws, NS, NS + 1): daily rate from a state to a state or EXIT
    entries: np.ndarray  # (draws, NS): children entering care a day, per state
    stock: np.ndarray  # (NS,): children in each state on the window's last day


def _matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    """A matrix of ones at (rows, cols), repeats added up."""
    return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=shape)


def _draws(tally: sparse.csr_matrix, pool: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """(1 + draws, rows of `tally`): `tally` (rows × children) times how often each child is
    counted: all once (row 0), then for each draw the children of `pool` (those with an episode
    in the window) drawn with replacement, as many as there are."""
    rng = np.random.default_rng(seed)
    children = tally.shape[1]
    out = np.empty((1 + draws, tally.shape[0]))
    out[0] = tally @ np.ones(children)
    if not pool.size:  # nobody to draw: every draw is empty
        out[1:] = 0.0
        return out
    step = max(1, CHUNK_CELLS // children)  # draws at a time, to bound the memory
    for lo in range(1, 1 + draws, step):
        hi = min(lo + step, 1 + draws)
        picked = pool[rng.integers(0, pool.size, size=(hi - lo, pool.size), dtype=np.int32)]
        picked += np.arange(hi - lo, dtype=np.int32)[:, None] * children
        counts = np.bincount(picked.ravel(), minlength=(hi - lo) * children)
        counts_by_child = np.ascontiguousarray(counts.reshape(hi - lo, children).T, dtype=float)
        out[lo:hi] = (tally @ counts_by_child).T
    return out


def estimate(
    prep: Prepared, reference_start: dt.date, reference_end: dt.date, *, draws: int, seed: int
) -> Estimate:
    first, last = reference_start.toordinal(), reference_end.toordinal()
    if last <= first:
        raise ValueError("reference_end: the reference window must end after it starts.")
    days = last - first + 1
    base = first - 1  # stock index 0 is the day before the window
    n = max(prep.children, 1)
    cells = (days + 2) * NS
    # An episode counts in its state's stock from index k_from to k_to − 1.
    k_from = np.maximum(prep.start - base, 0)
    k_to = np.minimum(prep.end - base, days + 1)
    live = k_from < k_to
    # Transitions on each day of the window, against the stock of the state the day before
    # (the first day: its own stock, as the reference), grouped by (day, state, destination).
    ends = (prep.end >= first) & (prep.end <= last)
    t_day = prep.end[ends] - first  # 0 … days − 1
    t_cell = np.where(t_day == 0, 1, t_day) * NS + prep.state[ends]
    keys, group = np.unique(t_cell * (NS + 1) + prep.after[ends], return_inverse=True)
    g_cell, g_to = keys // (NS + 1), keys % (NS + 1)
    by_group = _matrix(group, prep.child[ends], (keys.size, n))
    came = prep.entry & (prep.start >= first) & (prep.start <= last)
    arrivals = _matrix(prep.state[came], prep.child[came], (NS, n))

    in_window = np.zeros(n, dtype=bool)
    in_window[prep.child[live | ends | came]] = True
    pool = np.flatnonzero(in_window)
    # The stock is needed on the day before each group's day, and on the window's last day.
    q_day = np.concatenate([g_cell // NS, np.full(NS, days)])
    q_state = np.concatenate([g_cell % NS, np.arange(NS)])
    changes = int(live.sum()) + int((live & (k_to <= days)).sum())
    if changes * COMPACT_STOCK < cells:
        # A small scope (an LA): the stock's changes in (state, day) order, summed up to each
        # day asked for, rather than every day's stock.
        ending = live & (k_to <= days)
        key = np.concatenate(
            [
                prep.state[live] * (days + 2) + k_from[live],
                prep.state[ending] * (days + 2) + k_to[ending],
            ]
        )
        sign = np.concatenate([np.ones(int(live.sum())), -np.ones(int(ending.sum()))])
        who = np.concatenate([prep.child[live], prep.child[ending]])
        order = np.argsort(key, kind="stable")
        key, sign, who = key[order], sign[order], who[order]
        changes_matrix = sparse.csr_matrix((sign, (np.arange(key.size), who)), shape=(key.size, n))
        tally = sparse.vstack([changes_matrix, by_group, arrivals], format="csr")
        counted = _draws(tally, pool, draws, seed)
        running = np.zeros((1 + draws, key.size + 1))
        np.cumsum(counted[:, : key.size], axis=1, out=running[:, 1:])
        upto = np.searchsorted(key, q_state * (days + 2) + q_day, side="right")
        before_state = np.searchsorted(key, q_state * (days + 2), side="left")
        queried = running[:, upto] - running[:, before_state]
        offset = key.size
    else:
        # A large one: every day's stock, +1 from k_from and −1 from k_to, summed over days.
        stock_deltas = _matrix(
            k_from[live] * NS + prep.state[live], prep.child[live], (cells, n)
        ) - _matrix(k_to[live] * NS + prep.state[live], prep.child[live], (cells, n))
        tally = sparse.vstack([stock_deltas, by_group, arrivals], format="csr")
        counted = _draws(tally, pool, draws, seed)
        stock = np.cumsum(counted[:, :cells].reshape(1 + draws, days + 2, NS), axis=1)
        queried = stock[:, q_day, q_state]
        offset = cells
    rates = np.zeros((1 + draws, NS, NS + 1))
    if keys.size:
        moved = counted[:, offset : offset + keys.size]
        before = queried[:, : keys.size]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(before > 0, moved / before, 0.0)
        to_pair = _matrix(
            (g_cell % NS) * (NS + 1) + g_to, np.arange(keys.size), (NS * (NS + 1), keys.size)
        )
        rates = (to_pair @ share.T).T.reshape(-1, NS, NS + 1) / days
    entries = counted[:, offset + keys.size :] / (last - first)
    return Estimate(rates, entries, queried[0, keys.size :].copy())


def step_matrix(est: Estimate) -> np.ndarray:
    """(draws, WIDTH, WIDTH): one day of the model, acting on a row vector."""
    rates = est.rates.copy()
    for b, (_label, _lo, _hi, length) in enumerate(BANDS):
        for c in range(NC):
            to = (b + 1) * NC + c if b + 1 < NB else EXIT
            rates[:, b * NC + c, to] += 1.0 / length
    total = rates.sum(axis=2)
    flows = rates / np.maximum(total, 1.0)[:, :, None]  # never more than the stock leaves
    draws = rates.shape[0]
    g = np.zeros((draws, WIDTH, WIDTH))
    states = np.arange(NS)
    g[:, :NS, :NS] = flows[:, :, :NS]
    g[:, states, states] += 1.0 - flows.sum(axis=2)
    g[:, :NS, LEFT] = flows[:, :, EXIT]
    g[:, LEFT, LEFT] = 1.0
    g[:, states, CHILD_DAYS + states % NC] = 1.0
    g[:, CHILD_DAYS + np.arange(NC), CHILD_DAYS + np.arange(NC)] = 1.0
    g[:, ONE, :NS] = est.entries
    g[:, ONE, ONE] = 1.0
    return g


@dataclass(frozen=True)
class Projection:
    """The model's vector on each day asked for, per draw (draw 0: the point estimate)."""

    reference_start: dt.date
    reference_end: dt.date
    days: tuple[int, ...]  # days after reference_end (0 first)
    values: np.ndarray  # (1 + draws, len(days), WIDTH)
    entries: np.ndarray  # (1 + draws, NS): entries a day
    rates: np.ndarray  # (1 + draws, NS, NS + 1): estimated daily rates (without ageing)

    def at(self, day: int) -> np.ndarray:
        """(1 + draws, WIDTH) on `day` days after the window's end."""
        return self.values[:, self.days.index(day), :]

    def stock(self, day: int = 0) -> np.ndarray:
        """(NS,) the point estimate of each state `day` days on."""
        return self.at(day)[0, :NS]


def project(
    episodes: Episodes,
    reference_start: dt.date,
    reference_end: dt.date,
    horizon_days: int,
    *,
    at_days: tuple[int, ...] = (),
    draws: int = 0,
    seed: int = SEED,
) -> Projection:
    """Estimate the model over the reference window and project from its last day for
    `horizon_days` (and any of `at_days` on the way), with `draws` bootstrap draws."""
    return project_prepared(
        prepare(episodes),
        reference_start,
        reference_end,
        horizon_days,
        at_days=at_days,
        draws=draws,
        seed=seed,
    )


def project_prepared(
    prep: Prepared,
    reference_start: dt.date,
    reference_end: dt.date,
    horizon_days: int,
    *,
    at_days: tuple[int, ...] = (),
    draws: int = 0,
    seed: int = SEED,
) -> Projection:
    """As `project`, from episodes already prepared."""
    if horizon_days < 1:
        raise ValueError("horizon_days: project at least one day ahead.")
    est = estimate(prep, reference_start, reference_end, draws=draws, seed=seed)
    g = step_matrix(est)
    days = tuple(sorted({0, horizon_days, *(d for d in at_days if 0 < d <= horizon_days)}))
    vector = np.zeros((g.shape[0], 1, WIDTH))
    vector[:, 0, :NS] = est.stock
    vector[:, 0, ONE] = 1.0
    # g to the powers of two; a step of n days applies those of n's binary digits.
    powers = [g]
    while 2 ** len(powers) <= max(b - a for a, b in itertools.pairwise(days)):
        powers.append(powers[-1] @ powers[-1])
    values = np.empty((g.shape[0], len(days), WIDTH))
    values[:, 0, :] = vector[:, 0, :]
    for i in range(1, len(days)):
        step = days[i] - days[i - 1]
        for bit, power in enumerate(powers):
            if step >> bit & 1:
                vector = vector @ power
        values[:, i, :] = vector[:, 0, :]
    return Projection(reference_start, reference_end, days, values, est.entries, est.rates)
