"""Stability measures from children's care histories: constructed histories with known moves,
the DfE's 3+ placements and long-term stability (edges: exactly 2.5 years, 2 years, the 16th
birthday, an adoptive placement), unplanned endings; the bulk timelines agree with the child's
page; tables per LA, RCC and England with no child in them; queries that do not grow."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.planning.stability import figures_by_la, tables
from apps.referrals.history import (
    care_timeline,
    care_timelines,
    moves_summary,
    stability_summary,
)
from apps.referrals.models import CareEpisode, Child
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table
from apps.reporting.models import ReportSnapshot
from apps.reporting.periods import planning_window
from apps.reporting.services import report_run_build_now
from tests.monitoring.factories import placement
from tests.referrals.factories import ChildFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 31)  # the DfE's day: 31 March
YEAR_AGO = TODAY - dt.timedelta(days=365)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def episode(
    child: Child,
    start: str,
    end: str | None = None,
    *,
    rne: str = "T",
    why: str = "",
    place: str = "U4",
    rec: str = "",
) -> CareEpisode:
    """One imported episode: `why` the reason the placement ended (REASON_PLACE_CHANGE)."""
    return CareEpisode.objects.create(
        child=child,
        start_date=d(start),
        end_date=d(end) if end else None,
        new_episode_reason=rne,
        legal_status="C2",
        placement_type=place,
        placement_provider="PR1",
        reason_ended=rec or ("X1" if end else ""),
        reason_place_change=why,
        source="imported",
    )


def child_in(la: Any, born: str = "2015-06-01") -> Child:
    return ChildFactory(la=la, date_of_birth=d(born))


def summary(child: Child) -> Any:
    return stability_summary(care_timeline(child), TODAY)


def facts(rcc_id: int | None, today: dt.date = TODAY) -> Facts:
    return Facts(period=planning_window(today), rcc_id=rcc_id, today=today)


def row(table: Table, first: str) -> dict[str, Any]:
    keys = [c.key for c in table.columns]
    found = [r for r in table.rows if r[0] == first]
    assert len(found) == 1, (first, [r[0] for r in table.rows])
    return dict(zip(keys, found[0], strict=True))


# --- One child's history ---------------------------------------------------------------------


def test_moves_and_placements_in_the_12_months(world):
    child = child_in(world.la)
    episode(child, "2024-06-01", "2025-05-01", rne="S", why="CARPL")
    episode(child, "2025-05-01", "2025-09-01", why="PLACE")
    episode(child, "2025-09-01", "2026-01-10", why="CREQB")
    episode(child, "2026-01-10")
    s = summary(child)
    assert s.looked_after
    assert s.moves_last_12_months == 3
    # The placement open when the 12 months began counts, and each one after it.
    assert s.placements_last_12_months == 4
    assert s.endings_last_12_months == ("CARPL", "PLACE", "CREQB")
    assert s.care_since == d("2024-06-01")
    assert s.placement_since == d("2026-01-10")


def test_a_move_on_the_day_12_months_ago_is_outside_them(world):
    child = child_in(world.la)
    episode(child, "2024-01-01", YEAR_AGO.isoformat(), rne="S", why="PLACE")
    episode(child, YEAR_AGO.isoformat())
    s = summary(child)
    assert s.moves_last_12_months == 0
    assert s.placements_last_12_months == 1  # the first ended on the first day: not open in them
    assert s.endings_last_12_months == ()


def test_a_change_of_legal_status_is_not_a_move(world):
    child = child_in(world.la)
    episode(child, "2023-01-01", "2025-10-01", rne="S")
    episode(child, "2025-10-01", rne="L")
    s = summary(child)
    assert (s.moves_last_12_months, s.placements_last_12_months) == (0, 1)
    assert s.placement_since == d("2023-01-01")
    assert s.endings_last_12_months == ()


def test_a_child_who_left_care_is_not_looked_after(world):
    child = child_in(world.la)
    episode(child, "2024-01-01", "2025-06-01", rne="S", why="PLACE")
    episode(child, "2025-06-01", "2025-12-01", rec="E4A")
    s = summary(child)
    assert not s.looked_after
    assert s.care_since is None and s.placement_since is None
    assert s.endings_last_12_months == ("PLACE", "")


def test_platform_placement_after_imported_history(world):
    """A platform placement that starts the day the imported episode ended is a move (T)."""
    p = placement(world.la_service, world.la, start=d("2025-11-01"))
    episode(p.child, "2022-02-01", "2025-11-01", rne="S", why="CARPL")
    s = summary(p.child)
    assert s.moves_last_12_months == 1
    assert s.current_placement_id == p.pk
    assert s.care_since == d("2022-02-01")
    assert s.endings_last_12_months == ("CARPL",)


def test_bulk_timelines_are_the_childs_timeline(world, django_assert_num_queries):
    p = placement(
        world.la_service, world.la, start=d("2025-11-01"), end=d("2026-02-01"), reason="PLACE"
    )
    child = p.child
    episode(child, "2022-02-01", "2024-01-01", rne="S", why="CARPL")
    episode(child, "2024-01-01", "2025-11-01", rne="L")
    other = child_in(world.la)
    episode(other, "2025-01-01", rne="S")
    child_in(world.la)  # no history: left out
    with django_assert_num_queries(2):
        by_id = care_timelines(child_ids=[child.pk, other.pk])
    with django_assert_num_queries(2):
        by_la = care_timelines(la_ids=[world.la.pk])
    assert by_id == by_la
    assert set(by_id) == {child.pk, other.pk}
    assert by_id[child.pk] == care_timeline(child)
    assert by_id[other.pk] == care_timeline(other)
    assert moves_summary(child, by_id[child.pk], TODAY) == moves_summary(child, today=TODAY)
    with pytest.raises(ValueError, match="either"):
        care_timelines()


# --- Long-term stability (under 16, looked after 2.5 years, same placement 2 years) -----------


@pytest.mark.parametrize(
    ("born", "care_since", "placement_since", "counted", "stable"),
    [
        # Looked after exactly 2.5 years (30 months to the day), same placement exactly 2 years.
        ("2012-01-01", "2023-09-30", "2024-03-31", True, True),
        # A day short of 2.5 years in care: not in the measure.
        ("2012-01-01", "2023-10-01", "2024-03-31", False, False),
        # A day short of 2 years in the placement: in the measure, not stable.
        ("2012-01-01", "2023-01-01", "2024-04-01", True, False),
        # 16 today (the 16th birthday): not under 16.
        ("2010-03-31", "2020-01-01", "2020-01-01", False, False),
        # 16 tomorrow: still 15.
        ("2010-04-01", "2020-01-01", "2020-01-01", True, True),
    ],
)
def test_long_term_stability_edges(world, born, care_since, placement_since, counted, stable):
    child = child_in(world.la, born=born)
    if care_since == placement_since:
        episode(child, care_since, rne="S")
    else:
        episode(child, care_since, placement_since, rne="S", why="PLACE")
        episode(child, placement_since)
    f = figures_by_la(facts(world.rcc.pk))[world.la.pk]
    assert (f.looked_after, f.long_term, f.long_term_stable) == (1, int(counted), int(stable))


def test_an_adoptive_placement_counts_with_the_one_before(world):
    child = child_in(world.la, born="2016-01-01")
    episode(child, "2023-01-01", "2025-06-01", rne="S", why="PLACE")
    episode(child, "2025-06-01", place="A4")
    assert summary(child).placement_since == d("2023-01-01")
    f = figures_by_la(facts(world.rcc.pk))[world.la.pk]
    assert (f.long_term, f.long_term_stable) == (1, 1)


def test_a_foster_placement_after_a_gap_starts_the_count_again(world):
    child = child_in(world.la, born="2016-01-01")
    episode(child, "2020-01-01", "2022-01-01", rne="S", rec="E4A")
    episode(child, "2022-06-01", rne="S")  # back in care after five months at home
    s = summary(child)
    assert s.care_since == d("2022-06-01")
    f = figures_by_la(facts(world.rcc.pk))[world.la.pk]
    assert (f.long_term, f.long_term_stable) == (1, 1)


# --- Tables ----------------------------------------------------------------------------------


def _scene(world):
    """In the world's LA: four children looked after (moves 0, 1, 3 and 0), one who left care;
    endings: CARPL, ALLEG (platform), PLACE, CREQB, and one before the 12 months. In the other
    RCC's LA: one child with three moves."""
    settled = child_in(world.la, born="2014-01-01")
    episode(settled, "2021-01-01", rne="S")
    one = child_in(world.la, born="2019-01-01")
    episode(one, "2024-01-01", "2025-08-01", rne="S", why="PLACE")
    episode(one, "2025-08-01")
    three = child_in(world.la, born="2012-05-05")
    episode(three, "2024-06-01", "2025-05-01", rne="S", why="CARPL")
    episode(three, "2025-05-01", "2025-09-01", why="CREQB")
    episode(three, "2025-09-01", "2026-01-10", why="PLACE")
    episode(three, "2026-01-10")
    platform = placement(
        world.la_service, world.la, start=d("2025-04-01"), end=d("2025-10-01"), reason="ALLEG"
    )
    Child.objects.filter(pk=platform.child_id).update(date_of_birth=d("2013-01-01"))
    episode(platform.child, "2022-01-01", "2025-04-01", rne="S", why="")
    episode(platform.child, "2025-10-01")
    left = child_in(world.la)
    episode(left, "2023-01-01", "2024-06-01", rne="S", why="CARPL")  # before the 12 months
    episode(left, "2024-06-01", "2025-07-01", rec="E4A")
    far = child_in(world.other_la)
    episode(far, "2025-04-10", "2025-06-01", rne="S", why="CARPL")
    episode(far, "2025-06-01", "2025-08-01", why="CARPL")
    episode(far, "2025-08-01", "2025-12-01", why="ALLEG")
    episode(far, "2025-12-01")
    return {"three": three}


def test_rcc_tables_per_la(world):
    _scene(world)
    built = {t.key: t for t in tables(facts(world.rcc.pk))}
    assert set(built) == {"stab_la", "stab_moves", "stab_endings"}
    la = row(built["stab_la"], world.la.name)
    assert la["looked_after"] == 4
    assert la["moves"] == 0 + 1 + 3 + 2  # the platform child: into it and out of it
    assert la["moves_rate"] == 150.0
    assert (la["three_plus"], la["pct_three_plus"]) == (2, 50.0)
    # Under 16 and in care 2.5 years: settled (5 years, same home) and the platform child
    # (since 2022, moved in October): one of two stable.
    assert (la["long_term"], la["long_term_stable"], la["pct_long_term_stable"]) == (2, 1, 50.0)
    # Endings in the 12 months: one's PLACE, three's CARPL, CREQB and PLACE, the platform
    # child's two (the episode's, no reason; the placement's, ALLEG), the child who left care
    # (E4A: no reason of placement change).
    assert (la["ended"], la["unplanned"]) == (7, 3)
    total = row(built["stab_la"], world.rcc.name)
    assert total["looked_after"] == 4  # the other RCC's LA is not in this RCC
    moves = {r[0]: r[1] for r in built["stab_moves"].rows}
    assert moves == {"No moves": 1, "1 move": 1, "2 moves": 1, "3 or more moves": 1}
    endings = {r[0]: r[2] for r in built["stab_endings"].rows}
    assert endings["CARPL – Carer ended the placement"] == 1
    assert endings["ALLEG – Allegation"] == 1
    assert endings["No reason recorded"] == 2


def test_england_has_every_rcc_side_by_side(world):
    _scene(world)
    built = {t.key: t for t in tables(facts(None))}
    assert set(built) == {"stab_rcc", "stab_la", "stab_moves", "stab_endings"}
    mine, other = (
        row(built["stab_rcc"], world.rcc.name),
        row(built["stab_rcc"], world.other_rcc.name),
    )
    england = row(built["stab_rcc"], "England")
    assert (mine["looked_after"], other["looked_after"], england["looked_after"]) == (4, 1, 5)
    assert (other["three_plus"], england["three_plus"]) == (1, 3)
    assert (other["ended"], other["unplanned"]) == (3, 3)
    la = row(built["stab_la"], world.other_la.name)
    assert la["rcc"] == world.other_rcc.name


def test_no_child_is_identified_in_the_snapshot(world):
    scene = _scene(world)
    text = json.dumps([t.as_dict() for t in tables(facts(None))])
    for child in Child.objects.all():
        assert child.local_identifier not in text
        assert child.case_system_id not in text
    assert scene["three"].date_of_birth.isoformat() not in text


def test_queries_do_not_grow_with_children(world, django_assert_max_num_queries):
    _scene(world)
    first = facts(None)
    first.las, first.rccs, first.la_ids  # noqa: B018 - reference data, read once per build
    with django_assert_max_num_queries(3) as baseline:
        figures_by_la(first)
    for n in range(5):
        kid = child_in(world.la)
        episode(kid, "2024-01-01", "2025-06-01", rne="S", why="CARPL")
        episode(kid, "2025-06-01", "2025-11-01", why="ALLEG")
        episode(kid, f"2025-11-{n + 1:02d}")
    again = facts(None)
    again.las, again.rccs, again.la_ids  # noqa: B018
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        figures = figures_by_la(again)
    assert figures[world.la.pk].looked_after == 9


def test_the_pages_show_the_built_tables_with_charts_and_exports(client, world):
    """Built by reporting's run machinery into the planning snapshot, read by the RCC's
    commissioner on the Stability and Sourcing pages, and exported."""
    child = child_in(world.la)
    episode(child, "2020-01-01", "2026-01-01", rne="S", why="CARPL")
    episode(child, "2026-01-01")
    run = report_run_build_now(kind="planning", rcc=world.rcc)
    assert run.status == "done", run.error
    snapshot = ReportSnapshot.objects.get(run=run)
    assert {"stab_la", "stab_moves", "stab_endings", "src_search_la", "src_trend"} <= set(
        snapshot.tables
    )
    client.force_login(world.users[Role.COMMISSIONER])
    for section, title in (
        ("stability", "Stability by local authority"),
        ("sourcing", "Searching every kind of provider, by local authority"),
    ):
        page = client.get(reverse("planning:rcc_section", args=[world.rcc.pk, section]))
        assert page.status_code == 200
        text = page.content.decode()
        assert title in text
        assert "chart-" in text
    export = client.get(
        reverse("reporting:table_export", args=[snapshot.pk, "stab_la"]), {"export": "csv"}
    )
    assert export.status_code == 200
    assert world.la.name in export.content.decode()
    assert child.local_identifier not in export.content.decode()
