"""The simulated year on tiny registers built in memory, where the answer is known: what each
policy chooses, the days it costs, places filling and freeing, the weekly batch beating first
come first served, costs, and the same result for the same seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from apps.planning.simulation import (
    BATCH,
    NEEDS_FIRST,
    POLICIES,
    SEQUENTIAL,
    prepare,
    run_policy,
    simulate_year,
)
from apps.planning.simulation_input import (
    IN_HOUSE_COST,
    OFFERED,
    SCHEDULE,
    UNPRICED,
    Assumptions,
    Pricing,
    Statement,
)
from apps.providers.choices import CareType
from apps.referrals.matching import ProviderType
from tests.planning.simulation_support import (
    IFA,
    IN_HOUSE_SERVICE,
    LA,
    OTHER_IFA,
    OTHER_LA_SERVICE,
    START,
    USUAL_CARE,
    child,
    home,
    simulation_input,
)


def outcomes(data, policy, seed=1):
    found, _searches = run_policy(prepare(data, seed), policy)
    return found


def test_sequential_keeps_the_child_in_its_las_far_home_while_needs_first_finds_a_nearer_ifa():
    far_in_house = home(1, IN_HOUSE_SERVICE, "LS1", skill=0)  # ~35 miles, meets no need
    near_ifa = home(2, IFA, "M14", skill=2)  # ~2 miles, meets the need
    data = simulation_input([far_in_house, near_ifa], [child("a", need=2)])

    [seq] = outcomes(data, SEQUENTIAL)
    [first] = outcomes(data, NEEDS_FIRST)

    assert seq.home == 0 and seq.provider_type == ProviderType.IN_HOUSE
    assert seq.miles == pytest.approx(35, abs=2)
    assert (seq.needs, seq.met) == (1, 0)
    assert first.home == 1 and first.provider_type == ProviderType.IFA
    assert first.miles == pytest.approx(2.3, abs=0.3)
    assert (first.needs, first.met) == (1, 1)
    assert seq.days == first.days == 0  # an in-house home could take the child at once


def test_sequential_goes_wider_a_round_later_when_no_in_house_home_can_take_the_child():
    too_young_only = home(1, IN_HOUSE_SERVICE, "M14", ages=(0, 4))
    other_la = home(2, OTHER_LA_SERVICE, "OL1")
    data = simulation_input([too_young_only, other_la], [child("a", age=12)])

    [seq] = outcomes(data, SEQUENTIAL)
    [first] = outcomes(data, NEEDS_FIRST)

    assert seq.home == 1 and seq.provider_type == ProviderType.OTHER_LA
    assert seq.days == Assumptions().round_days  # the in-house round costs a week
    assert first.home == 1 and first.days == 0


def test_in_house_is_the_childs_own_las_service_not_every_la_service():
    data = simulation_input([home(1, OTHER_LA_SERVICE, "M14")], [child("a", la=LA)])
    [seq] = outcomes(data, SEQUENTIAL)
    assert seq.provider_type == ProviderType.OTHER_LA
    assert seq.days == 7


def test_batch_beats_first_come_first_served_on_a_conflict():
    # The first child (8) can live in either home and slightly prefers the near one; the
    # second (15) only in the near one. Placements last longer than the year.
    near = home(1, IFA, "M14", ages=(0, 17))
    further = home(2, OTHER_IFA, "WA1", ages=(0, 10))
    people = [child("a", day=0, age=8), child("b", day=1, age=15)]
    data = simulation_input([near, further], people)

    greedy = outcomes(data, NEEDS_FIRST)
    batch = outcomes(data, BATCH)

    assert greedy[0].home == 0 and greedy[1].placed is None  # the second child has nothing
    assert [o.home for o in batch] == [1, 0]  # both placed: the first in the further home
    assert [o.placed for o in batch] == [6, 6]  # on the week's batch day
    assert [o.days for o in batch] == [6, 5]
    summary = simulate_year(data, POLICIES, seed=1)
    assert summary[BATCH]["summary"]["placed"] == 2
    assert summary[NEEDS_FIRST]["summary"]["placed"] == 1
    assert summary[NEEDS_FIRST]["summary"]["not_placed"] == 1


def test_places_free_when_placements_end_and_waiting_children_are_searched_for_weekly():
    only = home(1, IFA, "M14")
    people = [child("a", day=0), child("b", day=1)]
    data = simulation_input([only], people, lengths=[3])  # every placement lasts 3 days

    a, b = outcomes(data, NEEDS_FIRST)
    assert (a.placed, b.placed) == (0, 8)  # the place frees on day 3; b is searched on day 8
    assert b.days == 7

    a, b = outcomes(data, SEQUENTIAL)
    # No in-house home: both go wider a week later, where a takes the place until day 10
    assert (a.placed, b.placed) == (7, 15)

    a, b = outcomes(data, BATCH)
    assert (a.placed, b.placed) == (6, 13)  # a on the first batch day; b when it is free again


def test_a_child_no_home_can_take_is_not_placed_once_the_wait_runs_out():
    data = simulation_input([home(1, IFA, "B1")], [child("a")])  # 70 miles: outside the radius
    for policy in POLICIES:
        [out] = outcomes(data, policy)
        assert out.placed is None
    summary = simulate_year(data, POLICIES, seed=1)
    assert all(r["summary"]["not_placed_percent"] == 100.0 for r in summary.values())


def test_a_place_filled_today_frees_within_a_stay_drawn_from_the_lengths():
    full = home(1, IFA, "M14", open_places=0)
    data = simulation_input([full], [child("a", day=30)], lengths=[10], occupied={0: 1})
    prepared = prepare(data, seed=3)
    assert prepared.free0.sum() + len(prepared.frees) == 1
    assert all(0 < day < 10 for day, _ in prepared.frees)
    [out] = outcomes(data, NEEDS_FIRST, seed=3)
    assert out.placed == 30  # free by the time the child arrives


def test_an_open_place_dated_later_frees_on_its_date():
    later = home(1, IFA, "M14", free_from=START + dt.timedelta(days=20))
    data = simulation_input([later], [child("a", day=0)])
    [out] = outcomes(data, NEEDS_FIRST)
    assert out.placed == 21  # searched weekly: days 0, 7, 14, 21


def test_an_emergency_is_matched_on_the_day_under_batch_and_only_with_emergency_approval():
    plain = home(1, IFA, "M14")
    emergency = home(2, OTHER_IFA, "OL1", care_types=USUAL_CARE | int(CareType.EMERGENCY))
    data = simulation_input(
        [plain, emergency], [child("a", day=2)], statements=[Statement(emergency=True)]
    )
    [out] = outcomes(data, BATCH)
    assert out.placed == 2 and out.home == 1


def test_the_children_placed_count_as_other_children_for_the_rules():
    one_home = home(1, IFA, "M14", open_places=2)
    people = [child("a", day=0, age=5), child("b", day=1, age=9)]
    solo = [Statement(live_alongside="solo")]
    data = simulation_input([one_home], people, statements=solo)
    a, b = outcomes(data, NEEDS_FIRST)
    assert a.placed == 0
    assert b.placed is None  # the home now has another child, and b must be the only one
    assert data.area.oldest_other[0] == -1  # the register's copy is as it was


def test_weekly_costs_follow_the_platform_in_house_then_schedule_then_offered():
    class Book:
        def fee(self, *, provider, child_age, care_types, on, rcc):
            return Decimal("850.00") if provider in (IFA, IN_HOUSE_SERVICE) else None

    pricing = Pricing(
        book=Book(),
        in_house={IN_HOUSE_SERVICE: {2025: 500.0, 2026: 520.0}, OTHER_LA_SERVICE: {2026: 600.0}},
        offered={OTHER_IFA: 900.0},
    )
    own, other_la = home(1, IN_HOUSE_SERVICE, "M1"), home(2, OTHER_LA_SERVICE, "M1")
    ifa, spot = home(3, IFA, "M1"), home(4, OTHER_IFA, "M1")
    on = dt.date(2026, 6, 1)  # financial year 2026
    fee = pricing.weekly
    assert fee(own, age=9, on=on, rcc_id=1, la_id=LA) == (520.0, IN_HOUSE_COST)
    assert fee(other_la, age=9, on=on, rcc_id=1, la_id=LA) == (600.0, IN_HOUSE_COST)
    assert fee(ifa, age=9, on=on, rcc_id=1, la_id=LA) == (850.0, SCHEDULE)
    assert fee(spot, age=9, on=on, rcc_id=1, la_id=LA) == (900.0, OFFERED)
    assert Pricing().weekly(spot, age=9, on=on, rcc_id=1, la_id=LA) == (None, UNPRICED)
    # the in-house service seen from another LA is paid its scheduled fee
    assert fee(own, age=9, on=on, rcc_id=1, la_id=99) == (850.0, SCHEDULE)
    # a later year without a figure takes the latest before it
    assert fee(own, age=9, on=dt.date(2028, 6, 1), rcc_id=1, la_id=LA) == (520.0, IN_HOUSE_COST)


def _random_world(seed: int):
    rng = np.random.default_rng(seed)
    points = ["M1", "M14", "OL1", "WA1", "LS1"]
    providers = [IN_HOUSE_SERVICE, OTHER_LA_SERVICE, IFA, OTHER_IFA]
    homes = [
        home(
            i + 1,
            providers[int(rng.integers(4))],
            points[int(rng.integers(5))],
            ages=(0, int(rng.integers(8, 18))),
            open_places=int(rng.integers(0, 2)),
            skill=int(rng.integers(0, 4)),
        )
        for i in range(40)
    ]
    people = [
        child(
            f"c{n:03d}",
            day=int(rng.integers(0, 365)),
            age=int(rng.integers(0, 17)),
            at=points[int(rng.integers(5))],
            need=int(rng.integers(0, 4)),
        )
        for n in range(120)
    ]
    occupied = {i: int(rng.integers(0, 3)) for i in range(len(homes))}
    lengths = rng.integers(20, 400, size=50).tolist()
    statements = [Statement(), Statement(no_pets=True), Statement(emergency=True)]
    return homes, people, occupied, lengths, statements


def test_the_same_seed_gives_the_same_year_whatever_the_order_of_the_children():
    homes, people, occupied, lengths, statements = _random_world(7)
    data = simulation_input(
        homes, people, occupied=occupied, lengths=lengths, statements=statements
    )
    first = simulate_year(data, POLICIES, seed=5)
    again = simulate_year(data, POLICIES, seed=5)
    shuffled = simulation_input(
        homes, list(reversed(people)), occupied=occupied, lengths=lengths, statements=statements
    )
    third = simulate_year(shuffled, POLICIES, seed=5)
    other = simulate_year(data, POLICIES, seed=6)

    def strip(results):
        return {p: {k: v for k, v in r.items() if k != "seconds"} for p, r in results.items()}

    assert strip(first) == strip(again) == strip(third)
    assert strip(first) != strip(other)
    assert first[NEEDS_FIRST]["summary"]["placed"] > 0


def test_each_rccs_children_are_summarised_beside_the_scope():
    homes, people, occupied, lengths, _statements = _random_world(8)
    people = [dataclasses.replace(p, rcc_id=100 + i % 2) for i, p in enumerate(people)]
    data = simulation_input(homes, people, occupied=occupied, lengths=lengths)
    data.rcc_names = {100: "North", 101: "South"}
    result = simulate_year(data, [NEEDS_FIRST], seed=1)[NEEDS_FIRST]
    by_rcc = {row["rcc"]: row for row in result["by_rcc"]}
    assert set(by_rcc) == {"North", "South"}
    assert by_rcc["North"]["children"] + by_rcc["South"]["children"] == len(people)
    assert by_rcc["North"]["placed"] + by_rcc["South"]["placed"] == result["summary"]["placed"]


def test_an_unknown_policy_is_refused():
    data = simulation_input([home(1, IFA, "M14")], [child("a")])
    with pytest.raises(ValueError, match="Unknown policy"):
        run_policy(prepare(data, 1), "in-house-only")


def test_the_search_ranks_homes_exactly_as_the_hub_sees_them():
    """`Scorer.scores` with `best_first` (the simulation) and `Scorer.score` (the options the
    hub sees) give the same homes, scores and order."""
    from apps.referrals.matching import Scorer, best_first, miles_from
    from apps.referrals.models import MatchingWeights

    homes, people, _occupied, _lengths, statements = _random_world(9)
    data = simulation_input(homes, people, statements=statements)
    prepared = prepare(data, seed=4)
    weights = MatchingWeights()
    for arrival in prepared.children[:40]:
        area, profile = data.area, arrival.profile
        idx = np.arange(len(homes))
        distances = miles_from(profile.centre, area.lat, area.lng)
        scorer = Scorer(profile, weights, {}, 60.0)
        shown = scorer.score(area, idx, distances, np.ones(len(homes)))
        scores = scorer.scores(area, idx, distances)
        order = best_first(scores, distances, data.ids)
        assert data.ids[order].tolist() == shown.household_ids.tolist()
        assert scores[order].tolist() == shown.scores.tolist()
