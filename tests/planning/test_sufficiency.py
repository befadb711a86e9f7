"""Planning: sufficiency on constructed registers and referrals. Each case is built so that one
rule decides it: a shortfall far from home, a surplus with low utilisation (and one without),
a specialist need, a sibling group, the 20-mile line, each place counted once, growth from the
forecast, the needs mix of the looked-after cohort, an RCC's scope and England side by side."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from scipy.optimize import linprog

from apps.accounts.roles import Role
from apps.contracts.choices import LotService
from apps.needs.models import NeedDomain, NeedLevel
from apps.organisations.models import Organisation
from apps.planning import forecast, sufficiency
from apps.providers.choices import CareType
from apps.providers.models import Household
from apps.referrals.choices import ReferralStatus
from apps.referrals.models import CareEpisode, Referral
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table
from apps.reporting.choices import ReportKind
from apps.reporting.models import ReportSnapshot
from apps.reporting.periods import planning_window
from apps.reporting.services import report_run_build_now
from tests.contracts.factories import FrameworkFactory, LotFactory
from tests.factories import PostcodeDistrictFactory
from tests.monitoring.factories import placement as platform_placement
from tests.providers.factories import (
    HouseholdFactory,
    HouseholdSkillFactory,
    ProviderFactory,
    VacancyFactory,
)
from tests.referrals.factories import ChildFactory, NeedsAssessmentFactory, load_taxonomy
from tests.referrals.placing_factories import SentReferralFactory
from tests.reporting.factories import aware

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WINDOW = planning_window(TODAY)
A_YEAR = 365.25 / WINDOW.days  # one referral in the two-year window, as children a year
HOME = (53.48, -2.24)
MILE = 360 / (2 * np.pi * 3958.8)  # degrees of latitude in a mile
_codes = itertools.count(1)


@pytest.fixture(autouse=True)
def taxonomy(db: Any) -> None:
    load_taxonomy()


@pytest.fixture(autouse=True)
def no_growth(monkeypatch: Any) -> None:
    """The forecast projects no change (a test of growth says otherwise): the cases here are
    about the register, not the forecast's own figures for their few episodes."""
    monkeypatch.setattr(forecast, "projected_growth", lambda facts: {})


def district(miles_north: float = 0.0, la: Organisation | None = None) -> Any:
    return PostcodeDistrictFactory(
        code=f"Q{next(_codes)}", latitude=HOME[0] + miles_north * MILE, longitude=HOME[1], la=la
    )


def home(
    provider: Organisation,
    where: Any,
    la: Organisation,
    *,
    places: int = 2,
    vacancies: int = 0,
    skills: dict[str, int] | None = None,
    group: int = 1,
    ages: tuple[int, int] = (0, 17),
    **fields: Any,
) -> Household:
    """An approved household of `provider` at `where`, in `la`, with open vacancies."""
    household = HouseholdFactory(
        **fields,
        provider=ProviderFactory(organisation=provider),
        postcode_district=where,
        la=la,
        places=places,
        max_sibling_group=group,
        age_min=ages[0],
        age_max=ages[1],
    )
    for code, rank in (skills or {}).items():
        HouseholdSkillFactory(
            household=household,
            domain=NeedDomain.objects.get(code=code),
            level=NeedLevel.objects.get(rank=rank),
        )
    for _ in range(vacancies):
        VacancyFactory(household=household)
    return household


def referral(
    la: Organisation,
    where: Any,
    *,
    needs: dict[str, int] | None = None,
    age: int = 9,
    siblings: int = 0,
    days_ago: int = 100,
) -> Referral:
    """A referral sent `days_ago` for a child living at `where`; `needs` None: no assessment."""
    sent = TODAY - dt.timedelta(days=days_ago)
    child = ChildFactory(
        la=la,
        home_postcode_district=where,
        date_of_birth=sent - dt.timedelta(days=int(365.25 * age) + 30),
    )
    assessment = None
    if needs is not None:
        assessment = NeedsAssessmentFactory(
            child=child,
            items=[
                (NeedDomain.objects.get(code=c), NeedLevel.objects.get(rank=r))
                for c, r in needs.items()
            ],
        )
    made = SentReferralFactory(
        child=child, needs_assessment=assessment, status=ReferralStatus.SENT, sent_at=aware(sent)
    )
    for _ in range(siblings):
        made.siblings.add(ChildFactory(la=la))
    return made


def built(rcc: Organisation | None) -> dict[str, Table]:
    facts = Facts(period=WINDOW, rcc_id=rcc.pk if rcc else None, today=TODAY)
    return {t.key: t for t in sufficiency.tables(facts)}


def rows(table: Table) -> list[dict[str, Any]]:
    keys = [c.key for c in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in table.rows]


def row(table: Table, **match: Any) -> dict[str, Any]:
    found = [r for r in rows(table) if all(r[k] == v for k, v in match.items())]
    assert len(found) == 1, (match, rows(table))
    return found[0]


def live_lot(rcc: Organisation, kind: str, name: str, number: int) -> Any:
    framework = FrameworkFactory(
        owner=rcc,
        reference=f"FW-{rcc.pk}-{number}",
        start_date=TODAY - dt.timedelta(days=365),
        end_date=TODAY + dt.timedelta(days=365),
        extension_decision_date=None,
    )
    return LotFactory(framework=framework, service_type=kind, name=name, number=number)


# --- Verdicts --------------------------------------------------------------------------------


def test_a_general_shortfall_far_from_home_is_recruit_carers(world):
    """Four children at home in A; the only able homes are an LA service's, 70 miles away."""
    a, far = district(), district(70)
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    home(world.la_service, far, world.la, places=2, vacancies=2, skills={"behaviour": 2})

    gap = row(built(world.rcc)["suff_gap"], need="Behaviour", level="Low")
    assert gap["age"] == "5 to 10" and gap["group"] == "1"
    assert gap["demand"] == round(4 * A_YEAR, 1) == 2.0
    assert gap["supply"] == 2
    assert gap["pct_near"] == 0.0
    assert gap["free_near"] == 0
    assert gap["short"] == 2.0
    assert gap["verdict"] == sufficiency.RECRUIT
    assert gap["lot"] == ""


def test_a_general_shortfall_that_ifas_further_away_could_fill_is_commissioned(world):
    a, far = district(), district(70)
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    home(world.ifa, far, world.la, places=3, vacancies=3, skills={"behaviour": 1})
    live_lot(world.rcc, LotService.STANDARD, "Standard foster care", 1)

    gap = row(built(world.rcc)["suff_gap"], need="Behaviour", level="Low")
    assert gap["short"] == 2.0
    assert gap["verdict"] == sufficiency.COMMISSION
    assert gap["lot"].endswith("lot 1: Standard foster care")


def test_a_specialist_need_short_of_skilled_homes_is_commissioned_from_its_lot(world):
    """Complex behaviour: homes nearby are only trained to Medium. Complex disability: no live
    lot for it, and the table says so."""
    a = district()
    for _ in range(2):
        referral(world.la, a, needs={"behaviour": 4, "disability": 4})
    home(world.ifa, a, world.la, places=4, vacancies=4, skills={"behaviour": 2, "disability": 2})
    live_lot(world.rcc, LotService.ENHANCED, "Enhanced and therapeutic foster care", 2)

    table = built(world.rcc)["suff_gap"]
    behaviour = row(table, need="Behaviour", level="Complex")
    assert behaviour["demand"] == 1.0 and behaviour["supply"] == 0 and behaviour["short"] == 1.0
    assert behaviour["verdict"] == sufficiency.COMMISSION
    assert behaviour["lot"].endswith("lot 2: Enhanced and therapeutic foster care")
    disability = row(table, need="Disability", level="Complex")
    assert disability["verdict"] == sufficiency.COMMISSION
    assert disability["lot"] == "No live lot for disability"


def test_a_sibling_group_needs_a_home_approved_for_the_whole_group(world):
    a = district()
    referral(world.la, a, needs={}, siblings=2)
    referral(world.la, a, needs={}, siblings=3)
    home(world.la_service, a, world.la, places=4, vacancies=4, group=2)
    live_lot(world.rcc, LotService.SIBLING_GROUPS, "Sibling groups", 4)

    tables = built(world.rcc)
    gap = row(tables["suff_gap"], need="No identified need", group="3 or more")
    assert gap["demand"] == round(7 * A_YEAR, 1)  # 3 + 4 children
    assert gap["supply"] == 0 and gap["verdict"] == sufficiency.COMMISSION
    assert gap["lot"].endswith("lot 4: Sibling groups")
    ages = row(tables["suff_age_group"], age="5 to 10", group="3 or more")
    assert ages["short"] == round(7 * A_YEAR, 1)


def test_a_surplus_with_low_utilisation_is_decommission_and_with_high_is_sufficient(world):
    """Two children a year; eight nearby homes with a vacancy each. Half their places vacant:
    decommission. A fifth vacant (under the 25% line): sufficient."""
    a, b = district(), district(2)
    for _ in range(2):
        referral(world.la, a, needs={"behaviour": 1})
        referral(world.other_la, b, needs={"behaviour": 1})
    for _ in range(8):
        home(world.ifa, a, world.la, places=2, vacancies=1, skills={"behaviour": 2})
        home(world.other_ifa, b, world.other_la, places=5, vacancies=1, skills={"behaviour": 2})

    low = row(built(world.rcc)["suff_gap"], need="Behaviour", level="Low")
    assert low["demand"] == 1.0 and low["free_near"] == 8 and low["short"] == 0
    assert low["spare"] == 7.0 and low["pct_vacant"] == 50.0
    assert low["verdict"] == sufficiency.DECOMMISSION
    assert low["lot"].startswith("No live lot for standard")

    busy = row(built(world.other_rcc)["suff_gap"], need="Behaviour", level="Low")
    assert busy["spare"] == 7.0 and busy["pct_vacant"] == 20.0
    assert busy["verdict"] == sufficiency.SUFFICIENT


# --- Distance --------------------------------------------------------------------------------


def test_a_place_counts_only_within_20_miles_of_the_childs_home(world):
    a = district()
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    home(world.la_service, district(19), world.la, places=1, vacancies=1, skills={"behaviour": 1})
    home(world.la_service, district(21), world.la, places=1, vacancies=1, skills={"behaviour": 1})

    gap = row(built(world.rcc)["suff_gap"], need="Behaviour", level="Low")
    assert gap["supply"] == 2 and gap["pct_near"] == 50.0
    assert gap["free_near"] == 1 and gap["short"] == 1.0
    assert gap["verdict"] == sufficiency.RECRUIT


def test_places_near_other_children_do_not_count_for_a_child_with_none_near(world):
    """Two children a year at A with no home near; one at F, 60 miles away, with five vacant
    places: F's spare places are not A's."""
    a, f = district(), district(60)
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    for _ in range(2):
        referral(world.la, f, needs={"behaviour": 1})
    home(world.la_service, f, world.la, places=5, vacancies=5, skills={"behaviour": 1})

    gap = row(built(world.rcc)["suff_gap"], need="Behaviour", level="Low")
    assert gap["demand"] == 3.0 and gap["free_near"] == 5
    assert gap["short"] == 2.0 and gap["spare"] == 4.0
    assert gap["verdict"] == sufficiency.RECRUIT


def _max_flow_lp(demand: np.ndarray, supply: np.ndarray, near: np.ndarray) -> float:
    edges = list(zip(*np.nonzero(near), strict=True))
    if not edges:
        return 0.0
    a_ub = np.zeros((len(demand) + len(supply), len(edges)))
    for e, (k, j) in enumerate(edges):
        a_ub[k, e] = a_ub[len(demand) + j, e] = 1
    result = linprog(-np.ones(len(edges)), A_ub=a_ub, b_ub=np.concatenate([demand, supply]))
    return float(-result.fun)


def test_each_place_is_counted_once_across_the_childrens_homes():
    """The bounds and the maximum flow agree with a linear programme on random cases, including
    places two homes both reach."""
    rnd = random.Random(14)
    for _ in range(200):
        k, n = rnd.randint(1, 6), rnd.randint(1, 6)
        demand = np.array([rnd.randint(0, 400) / 100 for _ in range(k)])
        supply = np.array([rnd.randint(0, 400) / 100 for _ in range(n)])
        near = np.array([[rnd.random() < 0.4 for _ in range(n)] for _ in range(k)])
        got = sufficiency.placeable(demand, supply, near)
        assert got == pytest.approx(_max_flow_lp(demand, supply, near), abs=0.011)
    # Two homes of one child each, one place both reach: one child placed, not two.
    shared = sufficiency.placeable(np.array([1.0, 1.0]), np.array([1.0]), np.ones((2, 1), bool))
    assert shared == 1.0


# --- Demand ----------------------------------------------------------------------------------


def test_demand_grows_by_the_forecast_for_its_age_band(world, monkeypatch):
    a = district()
    for age in (9, 9, 12, 12):
        referral(world.la, a, needs={"education": 2}, age=age)
    home(world.la_service, a, world.la, places=4, skills={"education": 2})
    monkeypatch.setattr(forecast, "projected_growth", lambda facts: {"5 to 10": 1.5})

    table = built(world.rcc)["suff_gap"]
    assert row(table, need="Education", age="5 to 10")["demand"] == round(2 * A_YEAR * 1.5, 1)
    assert row(table, need="Education", age="10 to 16")["demand"] == round(2 * A_YEAR, 1)


def test_unassessed_referrals_take_the_needs_mix_of_the_children_in_foster_care(world):
    """Fewer than 30 assessed referrals: the mix of the RCC's looked-after children in foster
    care today (an open U4 episode), by age band."""
    a = district()
    for _ in range(4):
        referral(world.la, a, needs=None)
    fostered = [ChildFactory(la=world.la) for _ in range(2)]  # aged 9 today
    left = ChildFactory(la=world.la)  # their foster placement ended: not in the mix
    for child, end in ((fostered[0], None), (fostered[1], None), (left, TODAY - dt.timedelta(1))):
        CareEpisode.objects.create(
            child=child,
            start_date=TODAY - dt.timedelta(days=400),
            end_date=end,
            new_episode_reason="S",
            legal_status="C2",
            placement_type="U4",
            source="imported",
        )
    for child, needs in ((fostered[0], {"risk-to-child": 3}), (fostered[1], {}), (left, {})):
        NeedsAssessmentFactory(
            child=child,
            items=[
                (NeedDomain.objects.get(code=c), NeedLevel.objects.get(rank=r))
                for c, r in needs.items()
            ],
        )
    home(world.la_service, a, world.la, places=2, vacancies=2, skills={"risk-to-child": 3})

    gap = built(world.rcc)["suff_gap"]
    assert row(gap, need="Risks to the child", level="High")["demand"] == 1.0  # half of 2.0
    assert row(gap, need="No identified need")["demand"] == 1.0
    assert "2 looked-after children in foster care" in gap.note
    assert not [r for r in rows(gap) if r["need"] == "Needs not assessed"]


def test_without_assessments_anywhere_the_children_are_counted_as_not_assessed(world):
    a = district()
    referral(world.la, a, needs={"health": 2})
    referral(world.la, a, needs=None)
    home(world.la_service, a, world.la, places=2, vacancies=2)

    gap = built(world.rcc)["suff_gap"]
    assert row(gap, need="Physical health", level="Medium")["demand"] == round(A_YEAR, 1)
    assert row(gap, need="Needs not assessed")["demand"] == round(A_YEAR, 1)
    assert "own assessments (1 referral); 1 referral without one counted as" in gap.note


# --- Supply ----------------------------------------------------------------------------------


def test_supply_by_la_counts_places_vacancies_and_turnover(world):
    a = district()
    home(world.la_service, a, world.la, places=3, vacancies=1)
    home(world.ifa, a, world.la, places=2, vacancies=2)
    home(world.ifa, a, world.la, places=2, care_types=int(CareType.SHORT_BREAKS))
    ended = platform_placement(
        world.ifa,
        world.la,
        start=TODAY - dt.timedelta(days=300),
        end=TODAY - dt.timedelta(days=9),
        reason="CARPL",
    )
    Household.objects.filter(pk=ended.household_id).update(la=world.la, places=3)
    Referral.objects.filter(pk=ended.referral_id).update(sent_at=aware(TODAY - dt.timedelta(800)))
    home(world.other_ifa, a, world.other_la, places=4, vacancies=4)  # another RCC's

    supply = row(built(world.rcc)["suff_supply_la"], la=world.la.name)
    assert supply["households"] == 3  # the respite-only household gives no home
    assert supply["places"] == 8 and supply["vacancies"] == 3
    assert supply["pct_vacant"] == 37.5
    assert supply["ended"] == 1
    assert supply["pct_turnover"] == round(100 * A_YEAR / 8, 1)
    assert supply["free"] == round(3 + 5 * A_YEAR / 8, 1)


# --- Scope -----------------------------------------------------------------------------------


def test_another_rccs_households_and_referrals_never_count(world):
    """Homes of the other RCC's LA next door to the child are not the RCC's supply; the other
    RCC's referrals are not its demand."""
    a = district()
    for _ in range(2):
        referral(world.la, a, needs={"behaviour": 1})
    referral(world.other_la, a, needs={"behaviour": 1})
    home(world.other_ifa, a, world.other_la, places=4, vacancies=4, skills={"behaviour": 2})

    tables = built(world.rcc)
    gap = row(tables["suff_gap"], need="Behaviour", level="Low")
    assert gap["demand"] == 1.0 and gap["supply"] == 0 and gap["short"] == 1.0
    assert [r["la"] for r in rows(tables["suff_supply_la"])] == [world.la.name]
    assert "suff_rccs" not in tables


def test_england_adds_up_the_rccs_side_by_side(world):
    a, far = district(), district(70)
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    referral(world.other_la, a, needs={"behaviour": 1}, siblings=1)
    home(world.la_service, far, world.la, places=2, vacancies=2, skills={"behaviour": 1})
    home(
        world.other_ifa, a, world.other_la, places=4, vacancies=3, skills={"behaviour": 1}, group=2
    )

    tables = built(None)
    side = tables["suff_rccs"]
    mine = row(side, rcc=world.rcc.name)
    theirs = row(side, rcc=world.other_rcc.name)
    england = row(side, rcc="England")
    assert mine["demand"] == 2.0 and mine["places"] == 2 and mine["short"] == 2.0
    assert mine["top"] == "Behaviour (Low), 5 to 10, 1 together: 2.0 children short"
    assert theirs["demand"] == 1.0 and theirs["vacancies"] == 3 and theirs["short"] == 0
    assert theirs["top"] == "None"
    assert england["demand"] == 3.0 and england["places"] == 6 and england["short"] == 2.0

    one = row(tables["suff_gap"], need="Behaviour", level="Low", group="1")
    assert one["demand"] == 2.0 and one["short"] == 2.0  # the other RCC's homes are not theirs
    two = row(tables["suff_gap"], need="Behaviour", level="Low", group="2")
    assert two["demand"] == 1.0 and two["short"] == 0
    assert "England adds up the RCCs" in tables["suff_gap"].note
    assert {r["rcc"] for r in rows(tables["suff_supply_la"])} == {
        world.rcc.name,
        world.other_rcc.name,
    }


def test_no_query_per_referral_or_household(world):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            built(world.rcc)
            built(None)
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            where = district(i * 7)
            referral(world.la, where, needs={"behaviour": 1 + i % 4}, siblings=i % 3)
            home(world.ifa, where, world.la, vacancies=1, skills={"behaviour": 1 + i % 4})

    add(2)
    few = count()
    add(8)
    assert count() == few


# --- The build -------------------------------------------------------------------------------


def test_the_planning_build_stores_the_tables_and_headline_figures(world, client):
    a = district()
    for _ in range(4):
        referral(world.la, a, needs={"behaviour": 1})
    home(world.la_service, a, world.la, places=2, vacancies=1, skills={"behaviour": 1})

    run = report_run_build_now(kind=ReportKind.PLANNING, rcc=world.rcc)
    assert run.status == "done", run.error
    snapshot = ReportSnapshot.objects.get(run=run)
    keys = {k for k, t in snapshot.tables.items() if t["section"] == "Sufficiency"}
    assert keys == {
        "suff_gap",
        "suff_gap_largest",
        "suff_age_group",
        "suff_verdicts",
        "suff_supply_la",
    }
    assert snapshot.summary["suff_projected_demand"] == 2.0
    assert snapshot.summary["suff_places"] == 2
    assert snapshot.summary["suff_children_short"] == 1.0
    assert snapshot.summary["suff_rows_recruit"] == 1

    client.force_login(world.users[Role.COMMISSIONER])
    page = client.get(reverse("planning:rcc_section", args=[world.rcc.pk, "sufficiency"]))
    assert page.status_code == 200
    assert "Sufficiency gap by need, level, age and group size" in page.content.decode()


def test_ages_fall_in_the_forecasts_age_bands():
    named = {age: forecast.AGE_BANDS[sufficiency.band_of(age)] for age in (0, 1, 4, 5, 9, 10, 15)}
    assert named == {
        0: "Birth to 1",
        1: "1 to 5",
        4: "1 to 5",
        5: "5 to 10",
        9: "5 to 10",
        10: "10 to 16",
        15: "10 to 16",
    }
    assert forecast.AGE_BANDS[sufficiency.band_of(17)] == "16 to 18+"
    assert len(sufficiency.BAND_STARTS) == len(forecast.AGE_BANDS)
