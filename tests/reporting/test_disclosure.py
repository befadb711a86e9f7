"""Disclosure control at publication: primary suppression of 1-5, secondary suppression so that
no suppressed cell can be worked out from the totals, rounding. Proven against two attackers:
one who solves every line with a single unknown (repeatedly), and one who solves the whole
system of line equations."""

from __future__ import annotations

import random
from itertools import product

import numpy as np
import pytest

from apps.reporting.disclosure import (
    SUPPRESSED,
    _lines,
    derivable,
    protect,
    publish_headline,
    publish_table,
    round_to,
)


def line_attack(shown: list[list[int | str]]) -> dict[tuple[int, int], int]:
    """Fill in every suppressed entry that is the only unknown of a row or column (cells plus
    total), again and again until nothing more can be filled. Returns what was recovered."""
    grid = [list(r) for r in shown]
    n_rows, n_cols = len(grid) - 1, len(grid[0]) - 1
    recovered: dict[tuple[int, int], int] = {}
    changed = True
    while changed:
        changed = False
        for cells, total in _lines(n_rows, n_cols):
            unknown = [e for e in [*cells, total] if grid[e[0]][e[1]] == SUPPRESSED]
            if len(unknown) != 1:
                continue
            (i, j) = unknown[0]
            known_cells = sum(int(grid[a][b]) for a, b in cells if (a, b) != (i, j))
            value = known_cells if (i, j) == total else int(grid[total[0]][total[1]]) - known_cells
            grid[i][j] = value
            recovered[(i, j)] = value
            changed = True
    return recovered


def linear_attack(shown: list[list[int | str]]) -> set[tuple[int, int]]:
    """The suppressed entries fixed by the line equations (least squares on the exact system)."""
    hidden = {(i, j) for i, r in enumerate(shown) for j, v in enumerate(r) if v == SUPPRESSED}
    return derivable(hidden, _lines(len(shown) - 1, len(shown[0]) - 1))


def assert_safe(cells: list[list[int]]) -> None:
    result = protect(cells)
    shown = result.shown
    for i, row in enumerate(result.values):
        for j, value in enumerate(row):
            if 1 <= value <= 5:
                assert shown[i][j] == SUPPRESSED, (i, j, value)
    assert line_attack(shown) == {}, "a suppressed cell was worked out from a row or column"
    assert linear_attack(shown) == set(), "a suppressed cell follows from the totals"


def test_counts_from_1_to_5_are_shown_as_c_and_zeros_and_large_counts_are_shown():
    result = protect([[0, 10, 3], [20, 30, 40]])
    assert result.shown[0][0] == 0
    assert result.shown[0][2] == SUPPRESSED
    assert result.shown[1][1] == 30 or result.shown[1][1] == SUPPRESSED
    assert result.shown[-1][-1] == 103  # the grand total, from the unrounded counts


def test_a_row_with_one_small_cell_gets_a_second_cell_hidden_so_the_total_does_not_give_it_away():
    # Row 0 is 3 + 50 + 60 = 113: hiding only the 3 would let anyone compute 113 - 50 - 60.
    cells = [[3, 50, 60], [40, 45, 70], [30, 35, 80]]
    result = protect(cells)
    row = result.shown[0]
    assert row[0] == SUPPRESSED
    assert sum(1 for v in row if v == SUPPRESSED) >= 2
    # The next smallest cell of the row is the one hidden.
    assert row[1] == SUPPRESSED and row[2] == 60
    assert_safe(cells)


def test_the_derivation_attack_fails_on_the_published_table():
    """The attack the secondary suppression exists for: row and column totals published, one
    small count hidden. Without secondary suppression it is recovered exactly."""
    cells = [[4, 25, 31], [18, 22, 27], [35, 19, 40]]
    naive = [[SUPPRESSED if 1 <= v <= 5 else v for v in row] for row in protect(cells).values]
    assert line_attack(naive) == {(0, 0): 4}  # the attack works on primary suppression alone
    assert_safe(cells)


def test_a_total_from_1_to_5_is_suppressed_and_protected_too():
    cells = [[1, 2, 0], [30, 40, 50], [60, 70, 80]]
    result = protect(cells)
    assert result.shown[0][-1] == SUPPRESSED  # row total 3
    assert result.shown[0][0] == SUPPRESSED and result.shown[0][1] == SUPPRESSED
    assert_safe(cells)


def test_a_line_of_zeros_and_one_small_count_hides_the_total_rather_than_inventing_a_count():
    cells = [[0, 0, 2], [30, 40, 50]]
    result = protect(cells)
    assert result.shown[0][:2] == [0, 0]
    assert result.shown[0][2] == SUPPRESSED and result.shown[0][3] == SUPPRESSED
    assert_safe(cells)


def test_chains_of_lines_are_closed_by_the_linear_check():
    # Two blocks of small counts joined through one row: simple "two per line" is not enough.
    cells = [
        [2, 3, 40, 50, 60],
        [4, 5, 45, 55, 65],
        [30, 35, 2, 41, 70],
        [33, 36, 47, 3, 75],
        [80, 81, 82, 83, 84],
    ]
    assert_safe(cells)


def test_a_one_column_table():
    assert_safe([[3], [40], [50], [0]])
    result = protect([[3], [40], [50], [0]])
    assert result.shown[0] == [SUPPRESSED, SUPPRESSED]


@pytest.mark.parametrize("seed", range(60))
def test_random_tables_never_leak(seed):
    rng = random.Random(seed)
    rows, cols = rng.randint(1, 7), rng.randint(1, 6)
    cells = [
        [rng.choice([0, 0, 1, 2, 3, 4, 5, rng.randint(6, 200)]) for _ in range(cols)]
        for _ in range(rows)
    ]
    assert_safe(cells)


def test_secondary_suppression_hides_no_more_than_it_needs_on_a_simple_table():
    cells = [[3, 50, 60], [40, 45, 70], [30, 35, 80]]
    result = protect(cells)
    # The 3, the 50 beside it, and a pair in another row for the two columns: four cells.
    assert len(result.hidden) == 4


def test_rounding_to_5_after_suppression_with_totals_from_unrounded_counts():
    result = protect([[12, 18, 7], [21, 33, 9]], rounding=5)
    shown = result.shown
    assert shown[0][0] == 10 and shown[0][1] == 20 and shown[1][1] == 35
    assert shown[-1][-1] == round_to(12 + 18 + 7 + 21 + 33 + 9, 5) == 100
    for row in shown:
        for v in row:
            assert v == SUPPRESSED or v % 5 == 0


def test_round_to_rounds_halves_up():
    assert [round_to(v, 5) for v in (0, 2, 3, 7, 8, 12, 13)] == [0, 0, 5, 5, 10, 10, 15]
    assert round_to(17, 1) == 17


def test_counts_cannot_be_negative_or_ragged():
    with pytest.raises(ValueError):
        protect([[1, -2]])
    with pytest.raises(ValueError):
        protect([[1, 2], [3]])


def test_publish_table_adds_totals_and_labels():
    table = {
        "key": "t",
        "title": "A table",
        "columns": [
            {"key": "rcc", "label": "RCC"},
            {"key": "a", "label": "A"},
            {"key": "b", "label": "B"},
        ],
        "rows": [["North", 3, 40], ["South", 22, 31]],
    }
    published = publish_table(table)
    assert published["columns"] == ["RCC", "A", "B", "Total"]
    assert published["rows"][0][:2] == ["North", SUPPRESSED]
    assert published["totals"][0] == "Total" and published["totals"][-1] == 96
    assert published["suppressed"] == 4  # the 3, the 40 beside it, and the two below them


def test_headline_counts_and_rates_on_small_numbers_are_suppressed():
    summary = {
        "referrals": 4,
        "placements_started": 8,
        "median_days_to_place": 12.0,
        "pct_own_la": 25.0,
        "pct_ifa": 50.0,
        "with_distance": 30,
        "pct_within_20_miles": 70.0,
        "placements_ended": 0,
        "pct_unplanned": None,
        "open_vacancies": 120,
    }
    shown = {f["key"]: f["value"] for f in publish_headline(summary, rounding=5)}
    assert shown["referrals"] == SUPPRESSED
    assert shown["placements_started"] == 10
    assert shown["pct_own_la"] == SUPPRESSED  # out of 8 placements: fewer than 10
    assert shown["pct_within_20_miles"] == 70.0
    assert shown["pct_unplanned"] is None
    assert shown["open_vacancies"] == 120


def test_exhaustive_small_tables_are_safe():
    """Every 2 x 2 table of counts drawn from {0, 2, 7} (81 tables)."""
    for a, b, c, d in product([0, 2, 7], repeat=4):
        assert_safe([[a, b], [c, d]])


def test_the_linear_attacker_finds_what_primary_suppression_alone_leaves_open():
    cells = [[4, 25], [18, 22]]
    values = protect(cells).values
    naive = [[SUPPRESSED if 1 <= v <= 5 else v for v in row] for row in values]
    assert linear_attack(naive) == {(0, 0)}
    assert np.isclose(values[0][0], 4)
