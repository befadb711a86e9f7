"""Sibling groups racing for overlapping places never get a partial booking: real threads
against PostgreSQL.

Places P0..P3 in one household. Each round, group A (places P0, P1, P2) and group B (places
P2, P3, P0: the reverse of A's order where they overlap) try to book at the same moment; every
place is locked in id order, so they cannot deadlock, exactly one wins, and the loser books
nothing. Then the places are freed for the next round.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import F

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.providers.models import Vacancy
from apps.referrals.models import Placement, PlacementAgreement
from apps.referrals.services.placements import ALREADY_BOOKED, placement_agree
from tests.referrals.sibling_support import approve, group_offer, household_for, sibling_group

ROUNDS = 6


@pytest.mark.django_db(transaction=True)
def test_two_groups_racing_for_overlapping_places_never_book_part_of_a_group(world):
    household, places = household_for(world, places=4, max_sibling_group=3)
    po = world.users[Role.PLACEMENT_OFFICER]
    overlap = {places[0].pk, places[2].pk}
    rounds = []
    for _ in range(ROUNDS):
        a, b = sibling_group(world, ages=(10, 8, 6)), sibling_group(world, ages=(11, 9, 7))
        offer_a = group_offer(world, a, household, dict(zip(a.children, places[:3], strict=True)))
        offer_b = group_offer(
            world,
            b,
            household,
            dict(zip(b.children, [places[2], places[3], places[0]], strict=True)),
        )
        rounds.append((approve(a.referral, offer_a), approve(b.referral, offer_b)))

    unexpected: list[BaseException] = []
    for index, pair in enumerate(rounds):
        barrier = threading.Barrier(2)
        outcomes: list[str] = []
        lock = threading.Lock()

        def worker(referral, barrier=barrier, outcomes=outcomes, lock=lock):  # type: ignore[no-untyped-def]
            try:
                barrier.wait()
                try:
                    placement_agree(referral=referral, by=po)
                except DomainError as err:
                    with lock:
                        outcomes.append(err.message)
                else:
                    with lock:
                        outcomes.append("ok")
            except BaseException as err:  # surfaced by the assertion below
                unexpected.append(err)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker, args=(r,)) for r in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not unexpected, unexpected
        assert sorted(outcomes) == sorted(["ok", ALREADY_BOOKED]), (index, outcomes)

        # The winner has all three of its places; the loser none.
        per_referral = {r.pk: Placement.objects.filter(referral=r).count() for r in pair}
        assert sorted(per_referral.values()) == [0, 3], per_referral
        winner = next(r for r in pair if per_referral[r.pk] == 3)
        booked = set(Vacancy.objects.filter(status="booked").values_list("pk", flat=True))
        assert booked == set(
            Placement.objects.filter(referral=winner).values_list("vacancy_id", flat=True)
        )
        assert overlap <= booked
        # Free the places for the next round (the placements end, the places reopen).
        Placement.objects.filter(referral=winner).update(
            end_date=F("start_date"), reason_ended="E11"
        )
        Vacancy.objects.filter(pk__in=[v.pk for v in places]).update(status="open")

    assert Placement.objects.count() == 3 * ROUNDS
    assert PlacementAgreement.objects.count() == 3 * ROUNDS
