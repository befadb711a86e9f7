"""Sourcing measures from the referral journey's records: the first send (LA services only,
in-house only), the time until LA services and IFAs had both been asked, offers per referral,
in-house tie-breaks (recorded by the choosing service), time to placement; per LA, RCC and
England side by side; queries that do not grow with the referrals."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from apps.organisations.models import Organisation
from apps.planning.sourcing import referral_sourcing, tables
from apps.referrals.choices import ChoiceReason, Urgency
from apps.referrals.models import Placement, Referral, ReferralEvent, ReferralTarget
from apps.referrals.services.choosing import referral_propose
from apps.reporting.build.facts import Facts
from apps.reporting.build.tables import Table
from apps.reporting.periods import planning_window
from tests.monitoring.factories import placement
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import (
    ReferralTargetFactory,
    SentReferralFactory,
    household_with_place,
    journey,
    offer_on,
)

pytestmark = pytest.mark.django_db


def facts(rcc_id: int | None) -> Facts:
    today = timezone.localdate()
    return Facts(period=planning_window(today), rcc_id=rcc_id, today=today)


def row(table: Table, first: str) -> dict[str, Any]:
    keys = [c.key for c in table.columns]
    found = [r for r in table.rows if r[0] == first]
    assert len(found) == 1, (first, [r[0] for r in table.rows])
    return dict(zip(keys, found[0], strict=True))


def sent(la: Organisation, at: dt.datetime, **fields: Any) -> Referral:
    referral = SentReferralFactory(child=ChildFactory(la=la), **fields)
    Referral.objects.filter(pk=referral.pk).update(sent_at=at)
    referral.refresh_from_db()
    return referral


def target(referral: Referral, org: Organisation, at: dt.datetime) -> ReferralTarget:
    household, _ = household_with_place(org)
    t = ReferralTargetFactory(referral=referral, household=household)
    ReferralTarget.objects.filter(pk=t.pk).update(sent_at=at)
    t.refresh_from_db()
    return t


@pytest.fixture
def scene(world):
    """Four referrals in the world's RCC, sent ten days ago (T0):
    R1 first to the in-house and another LA's service (30 s apart: one send), an IFA 2 days
       after the first send; two offers; chosen by in-house tie-break.
    R2 to the in-house service only; no offer.
    R3 to an IFA and the in-house service together, 6 hours after T0; one offer; chosen as
       best meeting the needs.
    R4 not yet sent to any provider.
    In the other RCC, one referral sent first to an LA service only."""
    t0 = timezone.now() - dt.timedelta(days=10)
    minutes = dt.timedelta(minutes=1)
    r1 = sent(world.la, t0, choice_reason=ChoiceReason.IN_HOUSE_TIE_BREAK)
    first = t0 + 10 * minutes
    offer_on(target(r1, world.la_service, first))
    target(r1, world.other_la_service, first + dt.timedelta(seconds=30))
    offer_on(target(r1, world.ifa, first + dt.timedelta(days=2)))
    r2 = sent(world.la, t0)
    target(r2, world.la_service, t0 + 60 * minutes)
    r3 = sent(world.la, t0, choice_reason=ChoiceReason.BEST_MEETS_NEEDS)
    six_hours = t0 + dt.timedelta(hours=6)
    offer_on(target(r3, world.ifa, six_hours))
    target(r3, world.la_service, six_hours)
    sent(world.la, t0)
    far = sent(world.other_la, t0)
    target(far, world.other_la_service, t0 + minutes)
    return {"r1": r1, "r2": r2, "r3": r3}


def test_first_sends_and_both_kinds_asked(world, scene):
    # Every referral of the RCC, none of the other RCC's.
    assert len(referral_sourcing(facts(world.rcc.pk))) == 4
    built = {t.key: t for t in tables(facts(world.rcc.pk))}
    la = row(built["src_search_la"], world.la.name)
    assert la == {
        "la": world.la.name,
        "referrals": 4,
        "sent": 3,
        "first_la_only": 2,  # R1 (in-house and another LA's), R2 (in-house)
        "pct_first_la_only": 66.7,
        "first_in_house_only": 1,  # R2
        "both": 2,  # R1 after 2 days (from the first send's 10 minutes), R3 after 6 hours
        "pct_both": 66.7,
        "median_days_both": 1.1,  # (2.01 + 0.25) / 2
        "p90_days_both": 1.8,
    }
    assert row(built["src_search_la"], world.rcc.name)["referrals"] == 4


def test_offers_and_tie_breaks(world, scene):
    built = {t.key: t for t in tables(facts(world.rcc.pk))}
    la = row(built["src_choice_la"], world.la.name)
    assert (la["offers"], la["median_offers"], la["p90_offers"], la["pct_no_offer"]) == (
        3,
        0.5,
        1.7,
        50.0,
    )
    assert (la["choices"], la["tie_breaks"], la["pct_tie_breaks"]) == (2, 1, 50.0)
    offers = {r[0]: r[1] for r in built["src_offers"].rows}
    assert offers == {"No offers": 2, "1": 1, "2": 1, "3": 0, "4": 0, "5 or more": 0}


def test_a_later_send_is_not_the_first(world):
    t0 = timezone.now() - dt.timedelta(days=3)
    referral = sent(world.la, t0)
    target(referral, world.la_service, t0 + dt.timedelta(seconds=5))
    target(referral, world.ifa, t0 + dt.timedelta(seconds=70))  # over a minute after the first
    (found,) = referral_sourcing(facts(world.rcc.pk))
    assert found.first_la_only and found.first_in_house_only
    assert found.days_to_both == 0.0
    target(referral, world.other_la_service, t0 + dt.timedelta(seconds=30))
    (found,) = referral_sourcing(facts(world.rcc.pk))
    assert found.first_la_only and not found.first_in_house_only


def test_an_in_house_tie_break_is_recorded_and_counted(world):
    """The choosing service records the tie-break on the referral and in its timeline; the
    sourcing measure counts it."""
    j = journey(world)
    in_house = offer_on(j.in_house, childs_view="Likes it: near school.")
    offer_on(j.ifa, childs_view="Likes the dog.", equally_meets_needs=True)
    referral_propose(
        referral=j.referral,
        offer=in_house,
        by=j.social_worker,
        reason=ChoiceReason.IN_HOUSE_TIE_BREAK,
    )
    event = ReferralEvent.objects.get(referral=j.referral, verb="match_proposed")
    assert event.detail["in_house_tie_break"] is True
    assert event.detail["tied_with"] == [j.ifa.offer.pk]
    built = {t.key: t for t in tables(facts(world.rcc.pk))}
    la = row(built["src_choice_la"], world.la.name)
    assert (la["choices"], la["tie_breaks"]) == (1, 1)
    # The journey's three targets went in one send, so both kinds were asked at once.
    search = row(built["src_search_la"], world.la.name)
    assert (search["first_la_only"], search["both"], search["median_days_both"]) == (0, 1, 0.0)


def test_time_to_placement(world):
    today = timezone.localdate()
    for days, urgency in ((4, Urgency.PLANNED), (20, Urgency.PLANNED), (1, Urgency.EMERGENCY)):
        p = placement(world.ifa, world.la, start=today - dt.timedelta(days=30))
        Referral.objects.filter(pk=p.referral_id).update(
            urgency=urgency, sent_at=timezone.now() - dt.timedelta(days=30 + days)
        )
    old = placement(world.ifa, world.la, start=today - dt.timedelta(days=500))
    Referral.objects.filter(pk=old.referral_id).update(
        sent_at=timezone.now() - dt.timedelta(days=600)
    )
    assert Placement.objects.count() == 4
    built = {t.key: t for t in tables(facts(world.rcc.pk))}
    timing = {r[0]: r[1:] for r in built["src_time_to_place"].rows}
    assert timing["Planned"] == [2, 12.0, 18.4, 100.0]
    assert timing["Emergency"] == [1, 1.0, 1.0, 100.0]
    assert timing["All"] == [3, 4.0, 16.8, 100.0]  # the older placement is not in the 12 months
    la = row(built["src_choice_la"], world.la.name)
    assert (la["placements"], la["median_days_place"], la["p90_days_place"]) == (3, 4.0, 16.8)


def test_england_has_every_rcc_side_by_side(world, scene):
    built = {t.key: t for t in tables(facts(None))}
    assert {"src_search_rcc", "src_choice_rcc", "src_search_la", "src_choice_la"} <= set(built)
    assert row(built["src_search_rcc"], world.rcc.name)["referrals"] == 4
    other = row(built["src_search_rcc"], world.other_rcc.name)
    assert (other["referrals"], other["first_la_only"], other["first_in_house_only"]) == (1, 1, 1)
    assert row(built["src_search_rcc"], "England")["first_la_only"] == 3
    assert row(built["src_search_la"], world.other_la.name)["rcc"] == world.other_rcc.name
    quarters = built["src_trend"].rows
    assert sum(r[1] for r in quarters) == 5


def test_queries_do_not_grow_with_referrals(world, scene, django_assert_max_num_queries):
    first = facts(None)
    first.las, first.rccs, first.la_ids  # noqa: B018 - reference data, read once per build
    with django_assert_max_num_queries(20) as baseline:
        tables(first)
    t0 = timezone.now() - dt.timedelta(days=5)
    for _ in range(4):
        r = sent(world.la, t0)
        offer_on(target(r, world.ifa, t0 + dt.timedelta(hours=1)))
        target(r, world.la_service, t0 + dt.timedelta(hours=2))
    again = facts(None)
    again.las, again.rccs, again.la_ids  # noqa: B018
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        built = {t.key: t for t in tables(again)}
    assert row(built["src_search_rcc"], "England")["referrals"] == 9
