"""Reading the simulated year's input from the database: the cohort's entries into foster care
(or the cohort itself), the latest needs, the register as it stands, prices as the platform
sets them; a fixed number of queries, and never a write to the register."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.contracts.choices import LotService
from apps.contracts.selectors import PriceBook, scheduled_fee_for
from apps.core.errors import DomainError
from apps.planning.simulation import POLICIES, simulate_year
from apps.planning.simulation_load import load_input, stay_lengths
from apps.providers.choices import CareType
from apps.providers.models import Household, Vacancy
from apps.referrals.models import CareEpisode
from tests.contracts.factories import (
    EnrolmentFactory,
    FrameworkFactory,
    LotFactory,
    PriceScheduleFactory,
    provider_for,
)
from tests.planning.simulation_support import days_ago, episode, make_cohort
from tests.referrals.factories import ChildFactory
from tests.referrals.matching_support import district, home

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(world):
    return make_cohort(world)


def test_the_arrivals_are_the_cohorts_entries_into_foster_care_in_the_latest_year(world, cohort):
    data = load_input(rcc_id=world.rcc.pk)
    assert data.entries is True
    assert sorted(p.entered for p in data.people) == [days_ago(200), days_ago(100), days_ago(40)]
    assert {p.rcc_id for p in data.people} == {world.rcc.pk}
    assert data.entries_from == days_ago(10) - dt.timedelta(days=364)
    first = min(data.people, key=lambda p: p.entered or dt.date.max)
    assert first.centre_label == "OL1"
    assert [(n.domain, n.rank) for n in first.needs] == [("Behaviour", 3)]  # the latest
    facts = data.describe()
    assert facts["children"] == 3 and facts["children_with_needs"] == 3
    # every active household in England, whichever children are simulated
    assert facts["homes"] == Household.objects.filter(status="active").count() == 3
    assert facts["places"] == 4 and facts["places_open"] == 4
    # the lengths come from the ended fostering episodes (U4 to U6)
    assert sorted(data.lengths.tolist()) == [100, 180]
    national = load_input(rcc_id=None)
    assert len(national.people) == 4


def test_without_entries_each_child_of_the_cohort_arrives_once(world, cohort):
    CareEpisode.objects.filter(new_episode_reason="S").update(new_episode_reason="P")
    data = load_input(rcc_id=world.rcc.pk)
    assert data.entries is False
    assert len(data.people) == 4 and all(p.entered is None for p in data.people)
    prepared = simulate_year(data, ["needs-first"], seed=2)
    assert prepared["needs-first"]["summary"]["children"] == 4


def test_with_nothing_to_draw_lengths_from_the_error_says_what_to_do(world, cohort):
    CareEpisode.objects.update(end_date=None)
    with pytest.raises(DomainError, match="care history"):
        load_input(rcc_id=world.rcc.pk)


def test_the_simulation_reads_in_a_fixed_number_of_queries_and_writes_nothing(world, cohort):
    before = list(Vacancy.objects.order_by("pk").values_list("pk", "status", "updated_at"))
    with CaptureQueriesContext(connection) as small:
        results = simulate_year(load_input(rcc_id=world.rcc.pk), POLICIES, seed=1)
    assert results["needs-first"]["summary"]["placed"] == 3
    statements = [q["sql"].lstrip().split(None, 1)[0].upper() for q in small.captured_queries]
    assert set(statements) == {"SELECT"}

    for n in range(3):  # more homes and more children: no more queries
        home(world.ifa, "WA1")
        kid = ChildFactory(la=world.la, home_postcode_district=district("M14"))
        episode(kid, days_ago(50 + n))
    with CaptureQueriesContext(connection) as large:
        simulate_year(load_input(rcc_id=world.rcc.pk), POLICIES, seed=1)
    assert len(large.captured_queries) == len(small.captured_queries)
    after = list(Vacancy.objects.order_by("pk").values_list("pk", "status", "updated_at"))
    assert after[: len(before)] == before


def test_the_price_book_answers_as_scheduled_fee_for(world):
    ifa = provider_for(world.ifa)
    framework = FrameworkFactory(
        owner=world.rcc, start_date=dt.date(2025, 4, 1), end_date=dt.date(2028, 3, 31)
    )
    standard = LotFactory(framework=framework, service_type=LotService.STANDARD)
    enhanced = LotFactory(framework=framework, service_type=LotService.ENHANCED, age_min=5)
    elsewhere = LotFactory(framework=FrameworkFactory(owner=world.other_rcc))
    for lot in (standard, enhanced, elsewhere):
        EnrolmentFactory(lot=lot, provider=ifa)
    PriceScheduleFactory(
        provider=ifa, lot=standard, valid_to=dt.date(2026, 3, 31), fee_5_10=Decimal("800")
    )
    PriceScheduleFactory(provider=ifa, lot=standard, valid_from=dt.date(2026, 4, 1), fee_11_15=None)
    PriceScheduleFactory(provider=ifa, lot=enhanced, fee_5_10=Decimal("1100"))
    PriceScheduleFactory(provider=ifa, lot=elsewhere, fee_5_10=Decimal("700"))
    suspended = LotFactory(framework=framework)
    EnrolmentFactory(lot=suspended, provider=ifa, status="suspended")
    PriceScheduleFactory(provider=ifa, lot=suspended, fee_5_10=Decimal("10"))

    book = PriceBook()
    therapeutic = int(CareType.THERAPEUTIC)
    cases = [
        (age, care, on, rcc)
        for age in (2, 7, 12, 16, 19, 30)
        for care in (0, therapeutic)
        for on in (dt.date(2025, 9, 1), dt.date(2026, 6, 1), dt.date(2028, 6, 1))
        for rcc in (None, world.rcc.pk, world.other_rcc.pk)
    ]
    for age, care, on, rcc in cases:
        expected = scheduled_fee_for(provider=ifa, child_age=age, care_types=care, on=on, rcc=rcc)
        got = book.fee(provider=ifa.pk, child_age=age, care_types=care, on=on, rcc=rcc)
        assert got == expected, (age, care, on, rcc)
    assert book.fee(provider=ifa.pk, child_age=7, on=dt.date(2026, 6, 1), rcc=world.rcc.pk) == (
        Decimal("820.00")
    )


def test_a_stay_with_the_same_carers_runs_across_changes_of_legal_status_and_placement():
    d = dt.date(2024, 1, 1)

    def on(n: int) -> dt.date:
        return d + dt.timedelta(days=n)

    episodes = [
        (1, on(0), on(10), "S", "U6"),
        (1, on(10), on(40), "L", "U6"),  # legal status only: the same stay
        (1, on(40), on(50), "B", "U4"),  # a new placement with the same carers
        (1, on(50), on(60), "T", "U6"),  # new carers: a new stay
        (1, on(70), on(75), "L", "U6"),  # after a gap: a stay of its own
        (2, on(0), on(30), "S", "U1"),  # with relatives: not a register home
        (2, on(30), None, "U", "U5"),  # not ended
        (3, on(5), on(5), "S", "U6"),  # no days
    ]
    assert stay_lengths(episodes) == [5, 10, 50]
