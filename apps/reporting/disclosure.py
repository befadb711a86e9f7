"""Disclosure control for published tables: small counts hidden, and nothing hidden derivable.

Applied when a bulletin is published, to count tables (rows x columns of non-negative counts).

1. Totals. Row totals, column totals and the grand total are computed from the unrounded
   counts and published with the table. The table with its totals is an (R+1) x (C+1) grid
   in which every row and every column is a *line*: its cells add up to its total.
2. Primary suppression. Every count from 1 to 5 (cells and totals alike) is shown as "c".
   Zeros are shown.
3. Secondary suppression, to a fixed point. A line with exactly one suppressed entry would give
   it away (total less the others), so in every such line one more entry is suppressed: the
   smallest non-zero cell of the line; failing that, the line's total; failing that, a zero
   cell. Repeat until no line has exactly one suppressed entry.
4. Linear check. Lines can combine (a row and a column through the same cell), so each
   suppressed entry is tested against the whole system of line equations: it is derivable
   when its unit vector lies in the row space of the equations over the suppressed entries
   (numpy rank test). For a derivable one, one more entry of a line through it is suppressed
   as in step 3, and steps 3-4 repeat. Each round hides at least one more entry, so it ends.
5. Rounding (optional, chosen by the NCC): every shown count, totals included, is rounded to
   the nearest multiple of the base (halves up). Totals are rounded from the unrounded totals,
   so rounded cells need not add up to the rounded total.

Tests: tests/reporting/test_disclosure.py, including an attacker who solves every line with a
single unknown, repeatedly, and one who solves the whole linear system.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

SUPPRESSED = "c"
SMALLEST, LARGEST = 1, 5
Entry = tuple[int, int]


@dataclass(frozen=True)
class Protected:
    """The grid with totals: `values[i][j]` unrounded, `hidden` the suppressed entries,
    `shown[i][j]` what is published (an int, or "c"). Row R and column C are the totals."""

    values: list[list[int]]
    hidden: frozenset[Entry]
    shown: list[list[int | str]]

    @property
    def rows(self) -> int:
        return len(self.values) - 1

    @property
    def cols(self) -> int:
        return len(self.values[0]) - 1 if self.values else 0


def _grid(cells: Sequence[Sequence[int]]) -> list[list[int]]:
    rows = [list(map(int, r)) for r in cells]
    if any(v < 0 for r in rows for v in r):
        raise ValueError("Counts cannot be negative.")
    width = len(rows[0]) if rows else 0
    if any(len(r) != width for r in rows):
        raise ValueError("Every row needs the same number of cells.")
    grid = [[*r, sum(r)] for r in rows]
    grid.append([sum(r[j] for r in rows) for j in range(width)] + [sum(sum(r) for r in rows)])
    return grid


def _lines(n_rows: int, n_cols: int) -> list[tuple[list[Entry], Entry]]:
    """Every line of the grid: (its cells, its total). Grid size (n_rows+1) x (n_cols+1)."""
    lines = []
    for i in range(n_rows + 1):
        lines.append(([(i, j) for j in range(n_cols)], (i, n_cols)))
    for j in range(n_cols + 1):
        lines.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    return lines


def _pick(
    grid: list[list[int]], hidden: set[Entry], cells: list[Entry], total: Entry
) -> Entry | None:
    """The entry to hide next in a line: its smallest non-zero cell, else its total, else a
    zero cell (ties: the first)."""
    free = [e for e in cells if e not in hidden]
    positive = [e for e in free if grid[e[0]][e[1]] > 0]
    if positive:
        return min(positive, key=lambda e: grid[e[0]][e[1]])
    if total not in hidden:
        return total
    return free[0] if free else None


def _secondary(
    grid: list[list[int]], hidden: set[Entry], lines: list[tuple[list[Entry], Entry]]
) -> None:
    changed = True
    while changed:
        changed = False
        for cells, total in lines:
            entries = [*cells, total]
            if sum(1 for e in entries if e in hidden) == 1:
                extra = _pick(grid, hidden, cells, total)
                if extra is not None:
                    hidden.add(extra)
                    changed = True


def derivable(
    hidden: set[Entry] | frozenset[Entry], lines: list[tuple[list[Entry], Entry]]
) -> set[Entry]:
    """The hidden entries whose value follows from the published ones by the line equations."""
    unknowns = sorted(hidden)
    if not unknowns:
        return set()
    index = {e: k for k, e in enumerate(unknowns)}
    equations = []
    for cells, total in lines:
        row = np.zeros(len(unknowns))
        for e in cells:
            if e in index:
                row[index[e]] += 1
        if total in index:
            row[index[total]] -= 1
        if row.any():
            equations.append(row)
    if not equations:
        return set()
    system = np.array(equations)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for e, k in index.items():
        unit = np.zeros(len(unknowns))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(e)
    return found


def round_to(value: int, base: int) -> int:
    if base <= 1:
        return value
    return math.floor(value / base + 0.5) * base


def protect(cells: Sequence[Sequence[int]], *, rounding: int = 1) -> Protected:
    """Totals, primary and secondary suppression and rounding of a table of counts."""
    grid = _grid(cells)
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    lines = _lines(n_rows, n_cols)
    hidden = {
        (i, j) for i, row in enumerate(grid) for j, v in enumerate(row) if SMALLEST <= v <= LARGEST
    }
    while True:
        _secondary(grid, hidden, lines)
        exposed = derivable(hidden, lines)
        if not exposed:
            break
        target = min(exposed)
        progressed = False
        for line_cells, total in lines:
            if target in line_cells or target == total:
                extra = _pick(grid, hidden, line_cells, total)
                if extra is not None:
                    hidden.add(extra)
                    progressed = True
                    break
        if not progressed:  # every entry of its lines is hidden already
            break
    shown: list[list[int | str]] = [
        [SUPPRESSED if (i, j) in hidden else round_to(v, rounding) for j, v in enumerate(row)]
        for i, row in enumerate(grid)
    ]
    return Protected(values=grid, hidden=frozenset(hidden), shown=shown)


def publish_table(table: dict[str, Any], *, rounding: int = 1) -> dict[str, Any]:
    """A snapshot's count table as published: totals added, suppressed, rounded."""
    columns = table["columns"]
    rows = table["rows"]
    result = protect([[int(v or 0) for v in row[1:]] for row in rows], rounding=rounding)
    shown = result.shown
    return {
        "key": table["key"],
        "title": table["title"],
        "columns": [c["label"] for c in columns] + ["Total"],
        "rows": [[row[0], *shown[i]] for i, row in enumerate(rows)],
        "totals": ["Total", *shown[-1]],
        "suppressed": len(result.hidden),
        "chart": table.get("chart"),
    }


# Headline figures: counts as above; a rate only when the count it is out of is 10 or more.
RATE_MINIMUM = 10
HEADLINE = (
    ("referrals", "Referrals to RCC hubs", "count", None),
    ("placements_started", "Placements started", "count", None),
    (
        "median_days_to_place",
        "Median days from referral to placement",
        "days",
        "placements_started",
    ),
    ("pct_own_la", "Placed with the child's own LA", "percent", "placements_started"),
    ("pct_ifa", "Placed with an independent agency", "percent", "placements_started"),
    ("pct_within_20_miles", "Placed within 20 miles of home", "percent", "with_distance"),
    ("pct_unplanned", "Placement endings that were unplanned", "percent", "placements_ended"),
    ("open_vacancies", "Open foster care vacancies", "count", None),
)


def publish_headline(summary: dict[str, Any], *, rounding: int = 1) -> list[dict[str, Any]]:
    out = []
    for key, label, kind, out_of in HEADLINE:
        value = summary.get(key)
        if value is None:
            shown: int | float | str | None = None
        elif kind == "count":
            shown = (
                SUPPRESSED if SMALLEST <= int(value) <= LARGEST else round_to(int(value), rounding)
            )
        elif out_of and int(summary.get(out_of) or 0) < RATE_MINIMUM:
            shown = SUPPRESSED
        else:
            shown = value
        out.append({"key": key, "label": label, "kind": kind, "value": shown})
    return out
