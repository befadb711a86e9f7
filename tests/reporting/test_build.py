"""The reports' figures on crafted data: each measure counted as defined, scoped to the RCC,
side by side nationally, and empty periods reported as empty."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.referrals.choices import Urgency
from apps.reporting.choices import ReportKind
from apps.reporting.periods import Period
from tests.providers.factories import (
    HouseholdFactory,
    HouseholdSkillFactory,
    NeedDomainFactory,
    NeedLevelFactory,
    ProviderFactory,
    VacancyFactory,
)
from tests.referrals.factories import NeedsAssessmentFactory
from tests.reporting.factories import IN_PERIOD, PERIOD, built, column, placed, referred, table

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(world):
    """In the world's RCC: 2 placements in-house (PR1), 1 with another LA (PR2), 3 with an IFA
    (PR4); two endings (one unplanned). In the other RCC: one IFA placement."""
    la, rcc = world.la, world.rcc
    placed(world.la_service, la, code="PR1", miles=5)
    placed(world.la_service, la, code="PR1", miles=15, referred=IN_PERIOD - dt.timedelta(days=30))
    placed(world.other_la_service, la, code="PR2", miles=25)
    placed(world.ifa, la, code="PR4", miles=40, urgency=Urgency.EMERGENCY, referred=IN_PERIOD)
    placed(
        world.ifa,
        la,
        code="PR4",
        start=dt.date(2025, 10, 1),
        end=dt.date(2026, 2, 1),
        reason="CARPL",
    )
    placed(
        world.ifa,
        la,
        code="PR4",
        start=dt.date(2025, 9, 1),
        end=dt.date(2026, 3, 1),
        reason="PLACE",
    )
    placed(world.other_ifa, world.other_la, code="PR4", miles=3)
    return rcc


def test_rcc_report_counts_placements_by_provider_time_to_place_distance_and_stability(
    world, activity
):
    snap = built(ReportKind.RCC_MONTHLY, world.rcc)
    routes = table(snap, "placed_by_provider")
    assert routes["Own LA's in-house service (PR1)"][1:] == [2, 50.0]
    assert routes["Another LA's service (PR2)"][1:] == [1, 25.0]
    assert routes["Independent fostering agency (PR4, PR5)"][1:] == [1, 25.0]

    timing = table(snap, "time_to_place")
    assert timing["All"][1:3] == [4, 14.0]  # days: 14, 30, 14, 0 → median 14
    assert timing["Emergency"][1:3] == [1, 0.0]

    distance = table(snap, "distance")
    assert distance["All providers"][1:] == [4, 2, 50.0, 20.0]  # 5, 15 of 5, 15, 25, 40

    stability = table(snap, "stability")
    assert stability["All providers"][1:] == [2, 1, 50.0]
    assert snap.summary["placements_started"] == 4  # the other RCC's placement is not here
    assert snap.summary["pct_within_20_miles"] == 50.0
    assert snap.is_empty is False


def test_demand_by_age_urgency_and_need(world):
    referred(world.la, age=3, urgency=Urgency.EMERGENCY)
    referred(world.la, age=12)
    referred(world.la, age=12, on=dt.date(2025, 12, 31))  # before the period
    referred(world.other_la, age=12)  # the other RCC
    snap = built(ReportKind.RCC_MONTHLY, world.rcc)
    ages = table(snap, "demand_age_urgency")
    assert ages["0 to 4"][1:] == [0, 1, 1]
    assert ages["11 to 15"][1:] == [1, 0, 1]
    assert snap.summary["referrals"] == 2
    needs = snap.tables["demand_need"]
    assert sum(row[-1] for row in needs["rows"]) == 2  # each referral has one need


def test_national_report_puts_every_rcc_side_by_side_with_england(world, activity):
    snap = built(ReportKind.NCC_QUARTERLY, None)
    side = table(snap, "rcc_side_by_side")
    started = column(snap, "rcc_side_by_side", "placements_started")
    own = column(snap, "rcc_side_by_side", "pct_own_la")
    assert side[world.rcc.name][started] == 4
    assert side[world.other_rcc.name][started] == 1
    assert side["England"][started] == 5
    assert side[world.other_rcc.name][own] == 0.0
    assert side["England"][own] == 40.0
    published = table(snap, "pub_placements_route")
    assert published[world.rcc.name][1:] == [2, 1, 1]
    trends = snap.tables["trends"]["rows"]
    assert ["2025-26 Q4", "England"] in [row[:2] for row in trends]


def test_rcc_report_holds_no_other_rccs_rows(world, activity):
    snap = built(ReportKind.RCC_MONTHLY, world.rcc)
    assert "rcc_side_by_side" not in snap.tables
    assert snap.rcc_id == world.rcc.pk


def test_a_period_with_no_data_completes_with_empty_tables_and_says_so(world, activity):
    empty = Period(dt.date(2001, 1, 1), dt.date(2001, 1, 31))
    snap = built(ReportKind.RCC_MONTHLY, world.rcc, period=empty)
    assert snap.is_empty is True
    assert snap.run.step.startswith("No activity in this period")
    assert snap.summary["referrals"] == 0 and snap.summary["placements_started"] == 0
    assert all(row[1] == 0 for row in snap.tables["placed_by_provider"]["rows"])
    assert snap.tables["endings_reason"]["rows"] == []


def test_sufficiency_gap_and_needs_no_vacancy_can_meet(world):
    domain = NeedDomainFactory(code="disability", name="Disability")
    medium, complex_ = (
        NeedLevelFactory(rank=2, name="Medium"),
        NeedLevelFactory(rank=4, name="Complex"),
    )
    for level in (medium, complex_):
        r = referred(world.la)
        r.needs_assessment = NeedsAssessmentFactory(child=r.child, items=[(domain, level)])
        r.save(update_fields=["needs_assessment"])
    household = HouseholdFactory(provider=ProviderFactory(organisation=world.ifa), la=world.la)
    HouseholdSkillFactory(
        household=household, domain=domain, level=NeedLevelFactory(rank=3, name="High")
    )
    VacancyFactory(household=household)

    snap = built(ReportKind.NCC_QUARTERLY, None, period=Period(PERIOD.start, dt.date.today()))
    gap = {(r[0], r[1], r[2]): r[3:] for r in snap.tables["sufficiency_gap"]["rows"]}
    assert gap[("North West", "Disability", "Medium")] == [1, 1, 0]
    assert gap[("North West", "Disability", "Complex")] == [1, 0, 1]
    unmet = snap.tables["unmet_needs"]["rows"]
    assert unmet == [["Disability", "Complex", 1, 0]]
    profiles = table(snap, "unmet_profiles")
    assert profiles["England"][1:] == [2, 1, 50.0]
