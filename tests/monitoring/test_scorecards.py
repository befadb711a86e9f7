"""Scorecard figures: stability per 100 placement-years by SSDA903 reason, response times,
offer and acceptance rates, anonymised feedback, fees against the lot median, timeliness;
per RCC and nationally; and the page's fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.roles import Role
from apps.monitoring.choices import Channel
from apps.monitoring.models import PlacementFeedback, ScorecardSnapshot
from apps.monitoring.services import return_submit_records, scorecard_refresh
from apps.referrals.models import ReferralTarget
from tests.contracts.factories import LotFactory, PriceScheduleFactory
from tests.monitoring.factories import QUARTER, complete_records, due_return, placement, provider_of
from tests.providers.factories import ProviderFactory
from tests.referrals.placing_factories import OfferFactory, ReferralTargetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def placements(world):
    return [
        placement(world.ifa, world.la, start=dt.date(2025, 6, 2)),  # 92 days in the quarter
        placement(
            world.ifa,
            world.la,
            start=dt.date(2025, 9, 1),
            end=dt.date(2025, 11, 20),
            reason="CARPL",
        ),  # 51
        placement(
            world.ifa,
            world.other_la,
            start=dt.date(2025, 10, 10),
            end=dt.date(2025, 12, 10),
            reason="PLACE",
        ),  # 62
    ]


def snapshot(provider_org, rcc=None):
    return ScorecardSnapshot.objects.get(
        provider_id=provider_org.pk, quarter_start=QUARTER.start, rcc=rcc
    )


def test_stability_per_100_placement_years_nationally_and_per_rcc(world, placements):
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    national = snapshot(world.ifa)
    assert (national.placements, national.placement_days, national.unplanned_endings) == (3, 205, 1)
    assert national.stability_rate == Decimal("178.2")  # 1 * 100 * 365.25 / 205
    assert national.unplanned_by_reason == {"CARPL": 1} and national.stability_source == "platform"
    mine = snapshot(world.ifa, world.rcc)
    assert (mine.placement_days, mine.stability_rate) == (143, Decimal("255.4"))
    other = snapshot(world.ifa, world.other_rcc)
    assert (other.placement_days, other.unplanned_endings, other.stability_rate) == (
        62,
        0,
        Decimal("0.0"),
    )


def test_a_return_replaces_the_platform_as_the_source(world, placements):
    ret = due_return(world.ifa)
    records = complete_records(ret)
    records.append(
        {
            "record": "PLACEMENT",
            "child_ref": "IFA-0100",
            "la_code": world.la.dfe_la_code,
            "placement_type": "U6",
            "start_date": "2025-10-01",
            "end_date": "2025-10-31",
            "reason_ended": "ALLEG",
        }
    )
    sub = return_submit_records(
        monitoring_return=ret,
        by=world.users[Role.PROVIDER_DATA],
        records=records,
        channel=Channel.WEB,
    )
    assert sub.outcome == "accepted", sub.errors
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    national = snapshot(world.ifa)
    assert national.stability_source == "return"
    assert (national.placements, national.placement_days) == (4, 205 + 31)
    assert national.unplanned_by_reason == {"CARPL": 1, "ALLEG": 1}
    assert national.return_status == "submitted"
    assert (
        national.return_days_late == (sub.created_at.date() - QUARTER.due_on).days
    )  # submitted long after


def test_referral_response_offer_and_acceptance(world):
    provider = provider_of(world.ifa)
    targets = [ReferralTargetFactory(household__provider=provider) for _ in range(4)]
    sent = dt.datetime(2025, 11, 3, 9, 0, tzinfo=dt.UTC)
    for target, hours in zip(targets, (10, 30, None, 2), strict=True):
        ReferralTarget.objects.filter(pk=target.pk).update(
            sent_at=sent, responded_at=sent + dt.timedelta(hours=hours) if hours else None
        )
    offers = [OfferFactory(target=targets[0]), OfferFactory(target=targets[1], status="accepted")]
    from apps.referrals.models import Offer

    Offer.objects.filter(pk__in=[o.pk for o in offers]).update(made_at=sent + dt.timedelta(days=1))
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    s = snapshot(world.ifa)
    assert (s.referrals_received, s.referrals_answered, s.response_hours_median) == (
        4,
        3,
        Decimal("10.0"),
    )
    assert (s.offers_made, s.offers_accepted) == (2, 1)


def give_feedback(placement_, n, *, concerns=0):
    from tests.factories import user_with_role

    for i in range(n):
        PlacementFeedback.objects.create(
            placement=placement_,
            author=user_with_role(Role.SOCIAL_WORKER, placement_.la),
            author_role="social_worker",
            review_date=dt.date(2025, 11, 1) + dt.timedelta(days=i),
            childs_progress=4,
            carer_support=3 + i % 2,
            communication=5,
            concerns=i < concerns,
            concerns_detail="Synthetic concern" if i < concerns else "",
        )


def test_feedback_is_anonymised_and_suppressed_under_five(world, placements, client):
    give_feedback(placements[0], 4, concerns=1)
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    client.force_login(world.users[Role.PROVIDER_DATA])
    url = (
        reverse("monitoring:scorecard_detail", args=[world.ifa.pk])
        + f"?quarter={QUARTER.code}&scope=national"
    )
    page = client.get(url).content.decode()
    assert "fewer than 5 reviews gave feedback" in page
    api = client.get(
        reverse("api:monitoring-scorecard-list"), {"quarter": QUARTER.code, "scope": "national"}
    ).json()
    assert api["results"][0]["feedback"] == {"reviews": None, "suppressed": True}

    give_feedback(placements[1], 2)
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    s = snapshot(world.ifa)
    assert (
        s.feedback_count == 6
        and s.feedback_progress == Decimal("4.00")
        and s.feedback_concerns == 1
    )
    page = client.get(url).content.decode()
    assert "average feedback (1 very poor to 5 very good) from 6 reviews" in page
    api = client.get(
        reverse("api:monitoring-scorecard-list"), {"quarter": QUARTER.code, "scope": "national"}
    ).json()
    feedback = api["results"][0]["feedback"]
    assert (
        feedback["reviews"] == 6 and feedback["reviews_with_concerns"] == "c"
    )  # 1 concern: suppressed
    for author in PlacementFeedback.objects.values_list("author__email", flat=True):
        assert author not in page


def test_fee_against_the_lot_median(world):
    lot = LotFactory(framework__owner=world.rcc)
    mine = PriceScheduleFactory(
        lot=lot,
        provider=provider_of(world.ifa),
        fee_5_10=Decimal("1000.00"),
        fee_0_4=None,
        fee_11_15=None,
        fee_16_17=None,
    )
    for fee in ("700.00", "800.00"):
        PriceScheduleFactory(
            lot=lot,
            provider=ProviderFactory(),
            fee_5_10=Decimal(fee),
            fee_0_4=None,
            fee_11_15=None,
            fee_16_17=None,
        )
    scorecard_refresh(quarters=[QUARTER], provider_ids=[mine.provider_id])
    assert snapshot(world.ifa).fee_vs_median_pct == Decimal("25.0")  # 1000 against a median of 800
    assert snapshot(world.ifa, world.rcc).fee_lots == 1


def test_refresh_is_idempotent(world, placements):
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    first = list(
        ScorecardSnapshot.objects.order_by("rcc_id").values_list("rcc_id", "placement_days")
    )
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    assert (
        list(ScorecardSnapshot.objects.order_by("rcc_id").values_list("rcc_id", "placement_days"))
        == first
    )


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.PROVIDER_DATA, Role.NCC_ANALYST])
def test_scorecard_page_query_count_does_not_grow(world, client, django_assert_num_queries, role):
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    client.force_login(world.users[role])
    url = reverse("monitoring:scorecard_detail", args=[world.ifa.pk]) + f"?quarter={QUARTER.code}"
    baseline = queries(client, url)
    assert baseline <= 14, f"{baseline} queries for a scorecard"
    for start in (dt.date(2024, 1, 15), dt.date(2025, 2, 1), dt.date(2025, 8, 1)):
        p = placement(world.ifa, world.la, start=start, end=dt.date(2025, 12, 1), reason="STAND")
        give_feedback(p, 3)
    scorecard_refresh(quarters=QUARTER.back(8), provider_ids=[world.ifa.pk])
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["rows"]) == 8


def test_scorecard_list_query_count_does_not_grow(world, client, django_assert_num_queries):
    for org in (world.ifa, world.other_ifa):
        placement(org, world.la, start=dt.date(2025, 6, 2))
    scorecard_refresh(quarters=[QUARTER])
    client.force_login(world.users[Role.COMMISSIONER])
    url = reverse("monitoring:scorecard_list") + f"?quarter={QUARTER.code}"
    baseline = queries(client, url)
    for _ in range(6):
        placement(ProviderFactory().organisation, world.la, start=dt.date(2025, 6, 2))
    scorecard_refresh(quarters=[QUARTER])
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["rows"]) == 8


def test_a_partnership_meeting_links_to_the_scorecard_it_discussed(world, client):
    from apps.contracts.models import PartnershipMeeting
    from apps.monitoring.models import MeetingScorecardLink

    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    scorecard_refresh(quarters=[QUARTER], provider_ids=[world.ifa.pk])
    commissioner = world.users[Role.COMMISSIONER]
    meeting = PartnershipMeeting.objects.create(
        rcc=world.rcc,
        provider=provider_of(world.ifa),
        held_on=dt.date(2026, 1, 20),
        notes="Quarterly review.",
        created_by=commissioner,
    )
    client.force_login(commissioner)
    url = reverse("monitoring:scorecard_meeting_link", args=[world.ifa.pk])
    response = client.post(url, {"meeting": meeting.pk, "quarter": QUARTER.code})
    assert response.status_code == 302
    link = MeetingScorecardLink.objects.get()
    assert (link.meeting, link.quarter_start, link.linked_by) == (
        meeting,
        QUARTER.start,
        commissioner,
    )
    client.post(url, {"meeting": meeting.pk, "quarter": QUARTER.code})
    assert MeetingScorecardLink.objects.count() == 1
    too_early = client.post(url, {"meeting": meeting.pk, "quarter": "2026-27-Q1"}, follow=True)
    assert "was before 2026-27 Q1 began" in too_early.content.decode()

    client.force_login(world.users[Role.PROVIDER_DATA])
    page = client.get(
        reverse("monitoring:scorecard_detail", args=[world.ifa.pk]) + f"?quarter={QUARTER.code}"
    )
    assert "20 January 2026" in page.content.decode() and world.rcc.name in page.content.decode()
