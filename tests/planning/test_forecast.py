"""The demand forecast (apps/planning/demand.py, forecast.py): the model on hand-built episodes
with known stock, rates and projections; the cleaning; the bootstrap; our side of the check
against cs-demand-model on frozen files; the loader (placements and care history merged, no
query per child); and the tables of an RCC and England."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.planning import demand, forecast
from apps.planning.build import build_planning
from apps.planning.demand import (
    EXIT,
    LEFT,
    NC,
    NS,
    Estimate,
    clean,
    prepare,
    project,
    state_label,
    step_matrix,
)
from apps.planning.episodes import OPEN, Episodes, from_903, load_episodes
from apps.referrals.models import CareEpisode, LegalStatusChange
from apps.reporting.build.facts import Facts
from apps.reporting.periods import planning_window
from tests.contracts.factories import PriceScheduleFactory, make_placement, provider_for
from tests.monitoring.factories import placement as platform_placement
from tests.referrals.factories import ChildFactory

D = dt.date
DATA = Path(__file__).parent / "data" / "demand"
W0 = D(2026, 1, 1)  # the reference window of the hand-built sets: 100 days
W1 = W0 + dt.timedelta(days=99)


def state(band: str, category: str) -> int:
    return demand.AGE_BANDS.index(band) * NC + demand.CATEGORIES.index(category)


def episodes(rows: list[tuple[int, D, D, D | None, str]], la: int = 1) -> Episodes:
    """(child, DOB, start, end, PLACE) rows."""
    return Episodes.build([(c, dob, s, e, p, la) for c, dob, s, e, p in rows])


def born_for(age_years: float, on: D) -> D:
    return on - dt.timedelta(days=round(age_years * 365.24))


# --- The model on hand-built episodes ------------------------------------------------------


def supported_16s() -> tuple[list[tuple[int, D, D, D | None, str]], dict[str, float]]:
    """One state, 16 to 18+ in supported accommodation: 50 children there all along, 10 who
    enter it during the window (days 9, 19 … 99) and stay, and 5 of the 50 who leave care on
    day 49. The known answer: entries 10 ÷ 99 a day; leaving 5 ÷ 54 (the stock the day
    before) ÷ 100 days; ageing out of the oldest band 1 ÷ 5110 a day."""
    rows: list[tuple[int, D, D, D | None, str]] = []
    before = W0 - dt.timedelta(days=30)
    for child in range(50):
        end = W0 + dt.timedelta(days=49) if child < 5 else None
        rows.append((child, born_for(16.5, before), before, end, "H5"))
    for i in range(10):
        day = W0 + dt.timedelta(days=9 + 10 * i)
        rows.append((100 + i, born_for(16.5, day), day, None, "P2"))
    known = {"entries": 10 / 99, "leaving": 5 / 54 / 100, "ageing": 1 / 5110, "stock": 55.0}
    return rows, known


def test_stock_rates_and_entries_are_those_worked_out_by_hand():
    rows, known = supported_16s()
    p = project(episodes(rows), W0, W1, 365)
    s = state("16 to 18+", "Supported")
    assert p.stock(0)[s] == known["stock"] and p.stock(0).sum() == known["stock"]
    assert p.entries[0, s] == pytest.approx(known["entries"], rel=1e-12)
    assert p.entries[0].sum() == pytest.approx(known["entries"], rel=1e-12)
    assert p.rates[0, s, EXIT] == pytest.approx(known["leaving"], rel=1e-12)
    assert np.count_nonzero(p.rates[0]) == 1  # no other transition was seen


def test_the_projection_follows_the_closed_form_of_one_state_with_constant_entries():
    """P(t) = P* + (P0 − P*)(1 − r)^t, P* = e ÷ r: the steady state the stock tends to."""
    rows, known = supported_16s()
    s = state("16 to 18+", "Supported")
    r = known["leaving"] + known["ageing"]
    steady = known["entries"] / r
    p = project(episodes(rows), W0, W1, 5 * 365, at_days=(365, 730))
    for day in (365, 730, 5 * 365):
        expected = steady + (known["stock"] - steady) * (1 - r) ** day
        assert p.stock(day)[s] == pytest.approx(expected, rel=1e-9)
        assert p.stock(day).sum() == pytest.approx(expected, rel=1e-9)
    # Children leave at r a day: the cumulative count is what the stock lost plus what came.
    left = p.at(365)[0, LEFT]
    assert left == pytest.approx(known["stock"] + known["entries"] * 365 - p.stock(365)[s])
    # After 60 years, the steady state.
    assert project(episodes(rows), W0, W1, 60 * 365).stock(60 * 365)[s] == pytest.approx(
        steady, rel=1e-6
    )


def test_ageing_moves_children_to_the_next_band_at_one_over_its_length_a_day():
    start = W0 - dt.timedelta(days=10)
    rows = [(c, born_for(7, start), start, None, "U4") for c in range(100)]
    p = project(episodes(rows), W0, W1, 365)
    young, old = state("5 to 10", "Fostering"), state("10 to 16", "Fostering")
    stay = (1 - 1 / 1825) ** 365
    assert p.stock(365)[young] == pytest.approx(100 * stay, rel=1e-9)
    # The older band loses 1 ÷ 2190 a day of what it gains.
    a, b = 1 / 1825, 1 / 2190
    moved = 100 * a * ((1 - b) ** 365 - (1 - a) ** 365) / (a - b)
    assert p.stock(365)[old] == pytest.approx(moved, rel=1e-9)


def test_a_move_is_a_transition_between_states_not_an_exit_and_an_entry():
    dob = born_for(12, W0)
    rows = [
        (1, dob, W0 - dt.timedelta(days=5), W0 + dt.timedelta(days=20), "U6"),
        (1, dob, W0 + dt.timedelta(days=20), None, "K2"),
        (2, dob, W0 - dt.timedelta(days=5), None, "U6"),
    ]
    p = project(episodes(rows), W0, W1, 30)
    foster, resi = state("10 to 16", "Fostering"), state("10 to 16", "Residential")
    assert p.rates[0, foster, resi] == pytest.approx(1 / 2 / 100)
    assert p.rates[0, foster, EXIT] == 0 and p.entries[0].sum() == 0
    assert p.stock(0)[foster] == 1 and p.stock(0)[resi] == 1


def test_a_state_whose_rates_add_up_to_more_than_one_a_day_loses_its_stock_and_no_more():
    est = Estimate(np.zeros((1, NS, NS + 1)), np.zeros((1, NS)), np.zeros(NS))
    est.rates[0, 0, EXIT] = 3.0
    est.rates[0, 0, 1] = 1.0
    g = step_matrix(est)
    vector = np.zeros(g.shape[1])
    vector[0] = 8.0
    after = vector @ g[0]
    assert after[0] == 0.0  # all of it left
    assert after[1] == pytest.approx(8 * 1 / (4 + 1 / 365))  # shared in proportion to rates
    assert after[LEFT] == pytest.approx(8 * 3 / (4 + 1 / 365))


# --- Cleaning, as cs-demand-model cleans ------------------------------------------------------


def test_cleaning_keeps_the_later_end_the_earlier_start_and_cuts_overlaps():
    dob = D(2015, 1, 1)
    e = episodes(
        [
            (1, dob, D(2025, 1, 1), D(2025, 2, 1), "U4"),
            (1, dob, D(2025, 1, 1), D(2025, 3, 1), "U6"),  # same start: this one (ends later)
            (1, dob, D(2025, 3, 1), D(2025, 5, 1), "K2"),
            (1, dob, D(2025, 4, 1), D(2025, 5, 1), "R1"),  # same end: the earlier start stays
            (1, dob, D(2025, 5, 1), D(2025, 8, 1), "U4"),  # runs past the next one's start
            (1, dob, D(2025, 7, 1), None, "U4"),
            (2, dob, D(2025, 1, 1), None, "U4"),  # open, then another: cut at its start
            (2, dob, D(2025, 6, 1), D(2025, 9, 1), "P1"),
            (4, dob, D(2025, 1, 1), None, "U4"),  # two open: the earlier stays
            (4, dob, D(2025, 6, 1), None, "P1"),
            (3, dob, D(2025, 1, 1), None, "U4"),  # open, and an open one the same day
            (3, dob, D(2025, 1, 1), D(2025, 2, 1), "U6"),
        ]
    )
    got = clean(e)
    rows = [
        (
            int(c),
            D.fromordinal(int(s)),
            None if x == OPEN else D.fromordinal(int(x)),
            str(p),
        )
        for c, s, x, p in zip(got.child, got.start, got.end, got.place, strict=True)
    ]
    assert rows == [
        (1, D(2025, 1, 1), D(2025, 3, 1), "U6"),
        (1, D(2025, 3, 1), D(2025, 5, 1), "K2"),
        (1, D(2025, 5, 1), D(2025, 7, 1), "U4"),
        (1, D(2025, 7, 1), None, "U4"),
        (2, D(2025, 1, 1), D(2025, 6, 1), "U4"),
        (2, D(2025, 6, 1), D(2025, 9, 1), "P1"),
        (3, D(2025, 1, 1), D(2025, 2, 1), "U6"),
        (4, D(2025, 1, 1), None, "U4"),
    ]


def test_an_age_outside_every_band_is_left_out():
    rows = [
        (1, D(1990, 1, 1), W0 - dt.timedelta(days=5), None, "U4"),  # 36: no band
        (2, born_for(3, W0), W0 - dt.timedelta(days=5), None, "U4"),
    ]
    prep = prepare(episodes(rows))
    assert prep.children == 1 and [state_label(int(s)) for s in prep.state] == [
        ("1 to 5", "Fostering")
    ]


def test_a_window_that_ends_before_it_starts_is_refused_with_the_field_named():
    rows, _ = supported_16s()
    with pytest.raises(ValueError, match="reference_end"):
        project(episodes(rows), W1, W0, 365)
    with pytest.raises(ValueError, match="horizon_days"):
        project(episodes(rows), W0, W1, 0)


# --- The bootstrap ----------------------------------------------------------------------------


def frozen() -> tuple[Episodes, dict]:
    with (
        (DATA / "header.csv").open(encoding="utf-8") as h,
        (DATA / "episodes.csv").open(encoding="utf-8") as e,
    ):
        found = from_903(list(csv.DictReader(h)), list(csv.DictReader(e)))
    return found, json.loads((DATA / "expected.json").read_text(encoding="utf-8"))


def test_the_bootstrap_is_reproducible_for_a_seed_and_brackets_the_estimate():
    found, expected = frozen()
    start, end = (
        D.fromisoformat(expected["reference_start"]),
        D.fromisoformat(expected["reference_end"]),
    )
    a = project(found, start, end, 365, draws=40, seed=7)
    b = project(found, start, end, 365, draws=40, seed=7)
    c = project(found, start, end, 365, draws=40, seed=8)
    assert a.values.shape == (41, 2, demand.WIDTH)
    assert np.array_equal(a.values, b.values)
    assert not np.array_equal(a.values[1:], c.values[1:])
    assert np.array_equal(a.values[0], c.values[0])  # the point estimate is the data's own
    totals = a.values[:, 1, :NS].sum(axis=1)
    low, high = np.percentile(totals[1:], [5, 95])
    assert low < totals[0] < high and high - low > 1  # a real spread, around the estimate
    # Every draw starts from today's stock: what is uncertain is the rates, not today.
    assert np.allclose(a.values[:, 0, :NS], a.values[0, 0, :NS])


@pytest.mark.parametrize("draws", [0, 30])
def test_the_stock_from_its_changes_in_order_or_from_every_days_grid_agree(monkeypatch, draws):
    found, expected = frozen()
    start, end = (
        D.fromisoformat(expected["reference_start"]),
        D.fromisoformat(expected["reference_end"]),
    )
    monkeypatch.setattr(demand, "COMPACT_STOCK", 0)  # always the changes in order
    compact = project(found, start, end, 730, at_days=(365,), draws=draws, seed=3)
    monkeypatch.setattr(demand, "COMPACT_STOCK", 10**9)  # always the grid
    grid = project(found, start, end, 730, at_days=(365,), draws=draws, seed=3)
    assert np.allclose(compact.values, grid.values, rtol=1e-12, atol=1e-9)
    assert np.allclose(compact.rates, grid.rates, rtol=1e-12, atol=1e-15)
    assert np.allclose(compact.entries, grid.entries, rtol=1e-12, atol=1e-15)


# --- Our side of the check against cs-demand-model (make validate-demand runs both) -------


def test_the_forecast_gives_cs_demand_models_projection_on_frozen_files():
    found, expected = frozen()
    start, end = (
        D.fromisoformat(expected["reference_start"]),
        D.fromisoformat(expected["reference_end"]),
    )
    p = project(found, start, end, expected["days"])
    labels = {state_label(s): s for s in range(NS)}
    assert len(expected["cells"]) == NS
    for band, category, today, later in expected["cells"]:
        s = labels[(band, category)]
        assert p.stock(0)[s] == pytest.approx(today, abs=1e-9), (band, category)
        assert p.stock(expected["days"])[s] == pytest.approx(later, rel=1e-6, abs=1e-9), (
            band,
            category,
        )


def test_files_read_as_the_reference_reads_them():
    header = [{"CHILD": "A1", "DOB": "01/02/2015"}, {"CHILD": "A1", "DOB": "05/05/2016"}]
    rows = [
        {"CHILD": "A1", "DECOM": "01/03/2025", "DEC": "", "PLACE": "U4"},
        {"CHILD": "ZZ", "DECOM": "01/03/2025", "DEC": "", "PLACE": "U4"},  # not in the Header
    ]
    e = from_903(header, rows)
    assert len(e) == 1 and e.dob[0] == D(2015, 2, 1).toordinal() and e.end[0] == OPEN
    with pytest.raises(ValueError, match="Episodes line 2, DECOM"):
        from_903(header, [{"CHILD": "A1", "DECOM": "", "DEC": "", "PLACE": "U4"}])
    with pytest.raises(ValueError, match="Episodes line 2, DEC: '2025-03-01' is not a date"):
        from_903(
            header, [{"CHILD": "A1", "DECOM": "01/03/2025", "DEC": "2025-03-01", "PLACE": "U4"}]
        )
    with pytest.raises(ValueError, match="Header line 2, DOB"):
        from_903([{"CHILD": "A1", "DOB": ""}], rows)


# --- The loader: platform placements and care history -------------------------------------


def care(child, start, end, place="U4", **kw):
    return CareEpisode.objects.create(
        child=child,
        start_date=start,
        end_date=end,
        new_episode_reason=kw.pop("rne", "S"),
        legal_status=kw.pop("ls", "C2"),
        placement_type=place,
        **kw,
    )


def loaded(e: Episodes) -> list[tuple[int, D, D | None, str, int]]:
    return sorted(
        (
            int(c),
            D.fromordinal(int(s)),
            None if x == OPEN else D.fromordinal(int(x)),
            str(p),
            int(la),
        )
        for c, s, x, p, la in zip(e.child, e.start, e.end, e.place, e.la, strict=True)
    )


@pytest.mark.django_db
def test_the_loader_merges_placements_and_care_history_without_double_counting(world):
    placed = platform_placement(world.ifa, world.la, start=D(2025, 6, 1))
    child = placed.child
    care(child, D(2024, 1, 1), D(2025, 3, 1), "K2")  # before the placement
    care(child, D(2025, 3, 1), D(2025, 9, 1), "U4")  # runs into it: cut at its start
    care(child, D(2025, 7, 1), D(2025, 8, 1), "U6")  # inside it: the placement is the record
    LegalStatusChange.objects.create(child=child, legal_status="C1", start_date=D(2025, 1, 1))
    LegalStatusChange.objects.create(child=child, legal_status="C2", start_date=D(2025, 10, 1))
    only_care = ChildFactory(la=world.la)
    care(only_care, D(2023, 1, 1), D(2023, 6, 1), "U4")  # ended long before the window
    care(only_care, D(2025, 2, 1), None, "H5")
    elsewhere = ChildFactory(la=world.other_la)
    care(elsewhere, D(2025, 2, 1), None, "U4")
    got = loaded(load_episodes([world.la.pk], since=D(2024, 12, 5), today=D(2026, 12, 4)))
    la = world.la.pk
    assert got == sorted(
        [
            (child.pk, D(2024, 1, 1), D(2025, 3, 1), "K2", la),
            (child.pk, D(2025, 3, 1), D(2025, 6, 1), "U4", la),
            # The placement, split where the legal status changed (as in the 903 return).
            (child.pk, D(2025, 6, 1), D(2025, 10, 1), "U6", la),
            (child.pk, D(2025, 10, 1), None, "U6", la),
            (only_care.pk, D(2025, 2, 1), None, "H5", la),
        ]
    )
    both = load_episodes(
        [world.la.pk, world.other_la.pk], since=D(2024, 12, 5), today=D(2026, 12, 4)
    )
    assert len(both.of_las([world.other_la.pk])) == 1 and len(both) == 6


@pytest.mark.django_db
def test_the_loader_makes_the_same_queries_for_one_child_as_for_many(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            load_episodes([world.la.pk], since=D(2024, 12, 5), today=D(2026, 12, 4))
        return len(ctx.captured_queries)

    for _ in range(2):
        platform_placement(world.ifa, world.la, start=D(2025, 6, 1))
        care(ChildFactory(la=world.la), D(2025, 2, 1), None, "U4")
    few = count()
    for _ in range(8):
        p = platform_placement(world.ifa, world.la, start=D(2025, 6, 1))
        care(p.child, D(2025, 1, 1), D(2025, 6, 1), "U4")
        LegalStatusChange.objects.create(child=p.child, legal_status="C1", start_date=D(2025, 1, 1))
        care(ChildFactory(la=world.la), D(2025, 2, 1), None, "U4")
    assert count() == few <= 5


# --- The tables of an RCC and of England ------------------------------------------------------

TODAY = D(2026, 12, 4)


def cohort(la, n: int, *, place: str = "U4", age: float = 8.0) -> list:
    """`n` children of `la` in care since a year before the window, and as many entering in
    it, some moving and some leaving."""
    start = TODAY - dt.timedelta(days=1000)
    made = []
    for i in range(n):
        child = ChildFactory(la=la, date_of_birth=born_for(age, start))
        end = TODAY - dt.timedelta(days=100 + 7 * i) if i % 3 == 0 else None
        care(child, start, end, place)
        entered = ChildFactory(la=la, date_of_birth=born_for(age + 2, TODAY))
        day = TODAY - dt.timedelta(days=30 + 11 * i)
        care(entered, day, day + dt.timedelta(days=40), place)
        care(entered, day + dt.timedelta(days=40), None, "K2", rne="T")
        made += [child, entered]
    return made


def built(rcc_id):
    return build_planning(rcc_id=rcc_id, period=planning_window(TODAY), today=TODAY)


@pytest.mark.django_db
def test_an_rccs_forecast_tables_give_its_las_and_never_a_childs_identity(world):
    children = cohort(world.la, 12)
    cohort(world.other_la, 5)
    report = built(world.rcc.pk)
    keys = [k for k, t in report.tables.items() if t["section"] == "Demand forecast"]
    assert keys == [
        "forecast_cells",
        "forecast_cells_interval",
        "forecast_trajectory",
        "forecast_total",
        "forecast_flows",
        "forecast_spend",
        "forecast_costs",
        "forecast_las",
    ]
    cells = report.tables["forecast_cells"]
    total = next(r for r in cells["rows"] if r[:2] == ["All ages", "All placements"])
    assert total[2] == 12 - 4 + 12  # the RCC's own children in care today: not the other's
    (la_row,) = report.tables["forecast_las"]["rows"]
    assert la_row[0] == world.la.name and la_row[1] == total[2]
    assert report.summary["forecast_children_today"] == total[2]
    low, point, high = (
        report.summary["forecast_children_12m_low"],
        report.summary["forecast_children_12m"],
        report.summary["forecast_children_12m_high"],
    )
    assert low <= point <= high
    text = json.dumps(report.tables)
    for child in children:
        assert child.local_identifier not in text and child.case_system_id not in text
    trajectory = report.tables["forecast_trajectory"]
    assert trajectory["chart"]["series"] == "category" and len(trajectory["rows"]) == 21 * 4
    assert report.tables["forecast_spend"]["rows"][0][0] == "Year 1: to Dec 2027"
    (interval,) = [
        r for r in report.tables["forecast_cells_interval"]["rows"] if r[1] == "All placements"
    ]
    assert 0 < interval[2] <= interval[3]  # 12 months: low, high


@pytest.mark.django_db
def test_englands_forecast_gives_every_rcc_side_by_side_and_adds_up(world):
    cohort(world.la, 9)
    cohort(world.other_la, 6, place="K2", age=12)
    report = built(None)
    rows = {r[0]: r for r in report.tables["forecast_rccs"]["rows"]}
    assert set(rows) == {world.rcc.name, world.other_rcc.name, "England"}
    assert rows["England"][1] == rows[world.rcc.name][1] + rows[world.other_rcc.name][1]
    assert rows[world.rcc.name][1] == 9 - 3 + 9 and rows[world.other_rcc.name][1] == 6 - 2 + 6
    assert "forecast_las" not in report.tables


@pytest.mark.django_db
def test_a_scope_with_nobody_in_care_gets_zeros_not_an_error(world):
    report = built(world.rcc.pk)
    assert report.summary["forecast_children_today"] == 0
    assert report.summary["forecast_children_12m"] == 0
    assert report.tables["forecast_las"]["rows"][0][1] == 0
    facts = Facts(period=planning_window(TODAY), rcc_id=world.rcc.pk, today=TODAY)
    assert forecast.projected_growth(facts) == {}


@pytest.mark.django_db
def test_projected_growth_is_the_fostering_stock_at_12_months_over_today(world):
    cohort(world.la, 10, age=3)
    facts = Facts(period=planning_window(TODAY), rcc_id=world.rcc.pk, today=TODAY)
    growth = forecast.projected_growth(facts)
    outlook = forecast.outlooks(facts)["scope"]
    s = state("1 to 5", "Fostering")
    expected = outlook.projection.stock(outlook.months[12])[s] / outlook.projection.stock(0)[s]
    assert growth == {"1 to 5": pytest.approx(expected)}
    assert "Birth to 1" not in growth  # no fostering there today


@pytest.mark.django_db
def test_fostering_costs_come_from_ipas_then_price_schedules_then_the_stated_default(world):
    window = planning_window(TODAY)

    def fostering(rcc):
        facts = Facts(period=window, rcc_id=rcc.pk, today=TODAY)
        return forecast.weekly_costs(facts)[0]

    first = fostering(world.rcc)
    assert first.weekly == pytest.approx(7 * (100 + 150 + 250) / 3)
    assert "cs-demand-model" in first.source
    PriceScheduleFactory(lot__framework__owner=world.rcc)
    PriceScheduleFactory()  # another RCC's framework: not this RCC's prices
    second = fostering(world.rcc)
    assert second.weekly == pytest.approx((780 + 820 + 880 + 910) / 4)
    assert "price schedules" in second.source
    provider = provider_for(world.ifa)
    for i in range(forecast.MIN_AGREEMENTS):
        make_placement(
            provider=provider,
            rcc=world.rcc,
            la=world.la,
            start=TODAY - dt.timedelta(days=50 + i),
            weekly_fee=Decimal(900 + 10 * i),
        )
    third = fostering(world.rcc)
    assert third.weekly == pytest.approx(900 + 10 * (forecast.MIN_AGREEMENTS - 1) / 2)
    assert f"{forecast.MIN_AGREEMENTS:,} individual placement agreements" in third.source
    others = {
        c.category: c.weekly
        for c in forecast.weekly_costs(Facts(period=window, rcc_id=world.rcc.pk, today=TODAY))[1:]
    }
    assert others == {1: 7000.0, 2: 7000.0, 3: 7000.0}


@pytest.mark.django_db
def test_spend_is_the_projected_child_days_times_the_weekly_cost(world):
    cohort(world.la, 6)
    facts = Facts(period=planning_window(TODAY), rcc_id=world.rcc.pk, today=TODAY)
    tables = {t.key: t for t in forecast.tables(facts)}
    outlook = forecast.outlooks(facts)["scope"]
    costs = {c.category: c.weekly for c in forecast.weekly_costs(facts)}
    p = outlook.projection
    i = p.days.index(outlook.months[12])
    child_days = p.values[0, i, demand.CHILD_DAYS : demand.CHILD_DAYS + NC]
    expected = sum(child_days[c] * costs[c] / 7 for c in range(NC))
    year1 = tables["forecast_spend"].rows[0]
    assert year1[5] == round(expected)
    # Child-days in the first year: about the area under the quarterly totals.
    totals = p.values[0, : i + 1, :NS].sum(axis=1)
    area = np.trapezoid(totals, np.array(p.days[: i + 1], dtype=float))
    assert child_days.sum() == pytest.approx(area, rel=0.02)
