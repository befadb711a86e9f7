"""Batch matching: the assignment that maximises the total score beats first come, first
served when one child's best option is another child's only one; sibling groups get all their
places in one home; no home is given more places than it has."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.roles import Role
from apps.referrals.batch import batch_match
from apps.referrals.choices import Urgency
from tests.referrals.matching_support import home, referral

pytestmark = pytest.mark.django_db


def sent(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def by_referral(result):
    return {s.row.referral.pk: s for s in result.suggestions}


def test_the_optimum_does_not_let_one_child_take_anothers_only_option(world):
    first = referral(world, age=8, sent_at=sent(10))  # has two options
    second = referral(world, age=15, sent_at=sent(2))  # has only one
    near = home(world.ifa, "M1", age_min=0, age_max=17)
    further = home(world.other_ifa, "WA1", age_min=0, age_max=10)

    result = batch_match(world.rcc.pk)
    s = by_referral(result)

    # first come, first served: the first child takes the near home; the second has nothing
    assert s[first.pk].greedy.household_id == near.pk
    assert s[second.pk].greedy is None
    assert result.greedy_placed == 1
    # the optimum places both
    assert s[first.pk].suggested.household_id == further.pk
    assert s[second.pk].suggested.household_id == near.pk
    assert result.placed == 2
    assert result.total > result.greedy_total
    # and explains what the first child gives up, and to whom
    assert s[first.pk].row.best.household_id == near.pk
    assert s[first.pk].gain < 0
    assert s[first.pk].gain == pytest.approx(
        s[first.pk].suggested.score - s[first.pk].row.best.score, abs=0.05
    )
    assert [r.referral.pk for r in s[first.pk].best_taken_by] == [second.pk]
    assert s[second.pk].gain == 0


def test_a_sibling_group_gets_all_its_places_in_one_home(world):
    group = referral(world, age=9, siblings=[7], sent_at=sent(5))
    single = referral(world, age=10, sent_at=sent(6))
    big = home(world.ifa, "M1", places=2, max_sibling_group=2)
    small = home(world.other_ifa, "WA1", places=1)

    result = batch_match(world.rcc.pk)
    s = by_referral(result)
    assert s[group.pk].suggested.household_id == big.pk
    assert s[single.pk].suggested.household_id == small.pk
    assert result.placed == 3  # two siblings and one child
    # the single child would have preferred the big home: it is told who took it
    assert s[single.pk].row.best.household_id == big.pk
    assert [r.referral.pk for r in s[single.pk].best_taken_by] == [group.pk]


def test_no_home_is_given_more_places_than_it_has(world):
    homes = [home(world.ifa, "M1", places=1), home(world.other_ifa, "M14", places=2)]
    for i in range(5):
        referral(world, age=6 + i, sent_at=sent(i))
    result = batch_match(world.rcc.pk)
    used = Counter(s.suggested.household_id for s in result.suggestions if s.suggested is not None)
    assert used[homes[0].pk] <= 1 and used[homes[1].pk] <= 2
    assert result.placed == 3


def test_a_group_is_never_suggested_a_home_without_room_for_all(world):
    group = referral(world, siblings=[6, 8])
    home(world.ifa, places=2, max_sibling_group=2)
    result = batch_match(world.rcc.pk)
    assert by_referral(result)[group.pk].suggested is None
    assert len(by_referral(result)[group.pk].row.options) == 0


def test_first_come_first_served_puts_emergencies_first(world):
    planned = referral(world, sent_at=sent(20))
    emergency = referral(
        world, urgency=Urgency.EMERGENCY, latest_start_date=timezone.localdate(), sent_at=sent(1)
    )
    only = home(world.ifa)
    s = by_referral(batch_match(world.rcc.pk))
    assert s[emergency.pk].greedy.household_id == only.pk
    assert s[planned.pk].greedy is None


def test_only_the_rccs_waiting_referrals_are_matched(world):
    mine = referral(world)
    referral(world, status="draft")
    referral(world, la=world.other_la)
    home(world.ifa)
    result = batch_match(world.rcc.pk)
    assert [s.row.referral.pk for s in result.suggestions] == [mine.pk]


def test_batch_page_and_api(client, world):
    ref = referral(world)
    chosen = home(world.ifa)
    client.force_login(world.users[Role.PLACEMENT_OFFICER])
    page = client.get(reverse("referrals:hub_batch", args=[world.rcc.pk]))
    assert page.status_code == 200
    assert chosen.reference in page.content.decode()
    api = client.get(reverse("api:rcc-batch-matching", args=[world.rcc.pk]) + "?refresh=1")
    body = api.json()
    assert body["suggestions"][0]["referral"] == ref.pk
    assert body["suggestions"][0]["suggested"]["household"] == chosen.pk
    assert body["optimised"]["children_placed"] == 1
    other = client.get(reverse("api:rcc-batch-matching", args=[world.other_rcc.pk]))
    assert other.status_code == 404


def test_the_celery_task_stores_the_result(world):
    from django.core.cache import cache

    from apps.referrals.tasks import batch_cache_key, batch_match_rcc

    referral(world)
    home(world.ifa)
    summary = batch_match_rcc.delay(world.rcc.pk).get()
    assert summary["waiting_referrals"] == 1
    assert cache.get(batch_cache_key(world.rcc.pk))["optimised"]["children_placed"] == 1
