"""The SSDA903 episode rules on hand-built histories (no database): same-day moves, gaps,
leaving care, legal status changes, care history beside platform placements, and clipping to
the collection year."""

from __future__ import annotations

import datetime as dt

from apps.reporting.ssda903.episodes import (
    Stay,
    child_episodes,
    clip_to_year,
    legal_status_on,
    merge_history,
)

D = dt.date
TODAY = D(2026, 12, 4)
YEAR = {"year_start": D(2025, 4, 1), "year_end": D(2026, 3, 31)}


def placement(n: int, start: dt.date, end: dt.date | None = None, **kw) -> Stay:
    kw.setdefault("carers", f"household {n}")
    return Stay(start=start, end=end, place="U6", provider="PR4", ref=f"placement {n}", **kw)


def care(n: int, start: dt.date, end: dt.date | None = None, **kw) -> Stay:
    kw.setdefault("legal_status", "C2")
    kw.setdefault("rne", "S")
    return Stay(start=start, end=end, place="U4", provider="PR1", ref=f"care episode {n}", **kw)


def build(stays, statuses=(), current="C2"):
    return child_episodes(
        merge_history([s for s in stays if s.platform], [s for s in stays if not s.platform]),
        legal_statuses=list(statuses),
        current_status=current,
        today=TODAY,
    )


def codes(episodes):
    return [(e.rne, e.legal_status, e.rec, e.reason_place_change) for e in episodes]


def test_a_same_day_move_to_other_carers_is_x1_then_t_with_the_reason_for_the_change():
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="CARPL"),
            placement(2, D(2025, 8, 1)),
        ]
    )
    assert codes(eps) == [("S", "C2", "X1", "CARPL"), ("T", "C2", "", "")]
    assert not any(e.notes for e in eps)


def test_a_same_day_move_with_the_same_carers_is_p():
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="PLACE", carers="h"),
            placement(2, D(2025, 8, 1), carers="h"),
        ]
    )
    assert [e.rne for e in eps] == ["S", "P"]


def test_leaving_care_records_the_e_code_and_no_reason_for_a_placement_change():
    eps = build(
        [placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="PLACE", left_care="E4A")]
    )
    assert codes(eps) == [("S", "C2", "E4A", "")]


def test_a_gap_is_an_e_code_then_a_new_start():
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 8, 1), left_care="E4B"),
            placement(2, D(2025, 10, 1)),
        ]
    )
    assert codes(eps) == [("S", "C2", "E4B", ""), ("S", "C2", "", "")]


def test_an_ending_with_neither_a_next_placement_nor_a_reason_is_never_x1_and_is_flagged():
    (ep,) = build([placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="CARPL")])
    assert ep.end == D(2025, 8, 1) and ep.rec == "" and ep.reason_place_change == ""
    assert "reason the child left care" in ep.notes[0]


def test_a_legal_status_change_during_a_placement_starts_an_episode_l():
    eps = build(
        [placement(1, D(2025, 5, 1))],
        statuses=[(D(2025, 5, 1), "C1"), (D(2025, 7, 15), "C2")],
    )
    assert [(e.start, e.end) for e in eps] == [
        (D(2025, 5, 1), D(2025, 7, 15)),
        (D(2025, 7, 15), None),
    ]
    assert codes(eps) == [("S", "C1", "X1", ""), ("L", "C2", "", "")]


def test_ls_is_read_from_the_history_on_each_date_not_todays_value():
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 6, 1), left_care="E13"),
            placement(2, D(2025, 9, 1)),
        ],
        statuses=[(D(2025, 5, 1), "V2"), (D(2025, 8, 1), "C1"), (D(2026, 1, 1), "C2")],
        current="C2",
    )
    assert [e.legal_status for e in eps] == ["V2", "C1", "C2"]
    assert [e.rne for e in eps] == ["S", "S", "L"]
    # no history: the child's current status
    assert legal_status_on(D(2020, 1, 1), [], "E1") == "E1"
    # a change after today has not happened
    (only,) = build(
        [placement(1, D(2025, 5, 1))], statuses=[(D(2027, 1, 1), "C2"), (D(2025, 1, 1), "C1")]
    )
    assert only.legal_status == "C1" and only.end is None


def test_a_move_on_the_day_the_legal_status_changes_is_u_or_b():
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="PLACE"),
            placement(2, D(2025, 8, 1)),
        ],
        statuses=[(D(2025, 5, 1), "C1"), (D(2025, 8, 1), "C2")],
    )
    assert [e.rne for e in eps] == ["S", "U"]
    eps = build(
        [
            placement(1, D(2025, 5, 1), D(2025, 8, 1), change_reason="PLACE", carers="h"),
            placement(2, D(2025, 8, 1), carers="h"),
        ],
        statuses=[(D(2025, 5, 1), "C1"), (D(2025, 8, 1), "C2")],
    )
    assert [e.rne for e in eps] == ["S", "B"]


def test_rne_reads_care_history_not_the_first_placement_on_the_platform():
    eps = build(
        [
            care(1, D(2024, 1, 10), D(2025, 5, 1), rec="X1", change_reason="CARPL"),
            placement(1, D(2025, 5, 1)),
        ]
    )
    assert codes(eps) == [("S", "C2", "X1", "CARPL"), ("T", "C2", "", "")]


def test_platform_placements_are_authoritative_for_the_dates_they_cover():
    eps = build(
        [
            # runs on past the platform placement's start: cut to end that day, X1
            care(1, D(2024, 1, 10), D(2025, 9, 1), rec="E13"),
            # the LA's own record of the platform placement: left out
            care(2, D(2025, 6, 1), D(2025, 8, 1), rec="X1"),
            placement(1, D(2025, 5, 1), D(2025, 10, 1), left_care="E4A"),
        ]
    )
    assert [(e.stay.ref, e.start, e.end) for e in eps] == [
        ("care episode 1", D(2024, 1, 10), D(2025, 5, 1)),
        ("placement 1", D(2025, 5, 1), D(2025, 10, 1)),
    ]
    assert codes(eps) == [("S", "C2", "X1", ""), ("T", "C2", "E4A", "")]


def test_a_continuing_care_episode_keeps_the_rne_the_la_recorded():
    eps = build(
        [
            care(1, D(2024, 1, 10), D(2024, 6, 1), rec="X1", change_reason="PLACE"),
            care(2, D(2024, 6, 1), rne="P"),
        ]
    )
    assert [e.rne for e in eps] == ["S", "P"]


def test_a_care_episode_the_la_recorded_as_a_change_of_legal_status_asks_no_reason():
    """Care history keeps each episode as the LA recorded it: before an RNE L episode the
    placement goes on, so no reason for a change of placement is asked for (rule 225 asks only
    before P, B, T and U)."""
    eps = build(
        [
            care(1, D(2024, 1, 10), D(2024, 6, 1), legal_status="C1", rec="X1"),
            care(2, D(2024, 6, 1), D(2024, 9, 1), rne="L", rec="X1", change_reason="CARPL"),
            care(3, D(2024, 9, 1), rne="T"),
        ]
    )
    assert codes(eps) == [("S", "C1", "X1", ""), ("L", "C2", "X1", "CARPL"), ("T", "C2", "", "")]
    assert not any(e.notes for e in eps)


def test_clipping_to_the_collection_year():
    eps = build(
        [
            placement(1, D(2024, 9, 1), D(2025, 2, 1), change_reason="PLACE"),
            placement(2, D(2025, 2, 1), D(2026, 5, 1), change_reason="CARPL"),
            placement(3, D(2026, 5, 1)),
        ]
    )
    clipped = clip_to_year(eps, **YEAR)
    # ended before 1 April: not in the file, but the next episode still continues it (T)
    assert [e.stay.ref for e in clipped] == ["placement 2"]
    (ep,) = clipped
    assert ep.rne == "T"
    # ends after 31 March: written as open (DEC, REC, REASON_PLACE_CHANGE blank)
    assert (ep.end, ep.rec, ep.reason_place_change) == (None, "", "")
    # the year after: the move is in it
    nxt = clip_to_year(eps, year_start=D(2026, 4, 1), year_end=TODAY)
    assert codes(nxt) == [("T", "C2", "X1", "CARPL"), ("T", "C2", "", "")]


def test_an_episode_starting_after_the_year_or_today_is_not_in_the_file():
    eps = build([placement(1, D(2026, 4, 1))])
    assert clip_to_year(eps, **YEAR) == []
    assert clip_to_year(eps, year_start=D(2026, 4, 1), year_end=D(2026, 3, 31)) == []


def test_the_earliest_care_episode_keeps_the_las_rne_when_its_predecessor_is_not_held():
    """An LA's year file starts mid-way through a child's care: its first episode continues one
    that ended before the file began (RNE T). The platform keeps T; a platform placement with
    nothing before it is still S."""
    eps = build(
        [care(1, D(2025, 2, 1), D(2025, 6, 1), rne="T", rec="X1"), placement(2, D(2025, 6, 1))]
    )
    assert [e.rne for e in eps] == ["T", "T"]
    assert [e.rne for e in build([placement(1, D(2025, 2, 1))])] == ["S"]
