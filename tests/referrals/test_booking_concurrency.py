"""Two hubs can never book the same place: real threads against PostgreSQL.

16 threads each make 50 attempts to agree a placement on a random one of K open places (each
attempt with that thread's own approved referral for that place, prepared beforehand). Exactly
K placements result, one per place, and every other attempt gets a clear message.
"""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.db import connection

from apps.accounts.roles import Role
from apps.core.errors import DomainError
from apps.providers.models import Vacancy
from apps.referrals.choices import OfferStatus, ReferralStatus
from apps.referrals.models import Placement, Referral
from apps.referrals.services.placements import ALREADY_BOOKED, placement_agree
from tests.providers.factories import VacancyFactory
from tests.referrals.factories import ChildFactory
from tests.referrals.placing_factories import (
    OfferFactory,
    ReferralTargetFactory,
    SentReferralFactory,
    household_with_place,
)

THREADS = 16
ATTEMPTS = 50
PLACES = 5
ALREADY_PLACED = "A placement has already been agreed for this referral."


def _approved_referral(world, vacancy: Vacancy) -> Referral:
    po = world.users[Role.PLACEMENT_OFFICER]
    child = ChildFactory(la=world.la, created_by=world.users[Role.SOCIAL_WORKER])
    referral = SentReferralFactory(child=child)
    target = ReferralTargetFactory(referral=referral, household=vacancy.household, sent_by=po)
    offer = OfferFactory(target=target, vacancy=vacancy, status=OfferStatus.PROPOSED)
    referral.status = ReferralStatus.APPROVED
    referral.proposed_offer = offer
    referral.save(update_fields=["status", "proposed_offer"])
    return referral


@pytest.mark.django_db(transaction=True)
def test_sixteen_threads_book_exactly_k_places(world):
    household, first = household_with_place(world.ifa, places=PLACES, max_sibling_group=1)
    places = [first, *(VacancyFactory(household=household) for _ in range(PLACES - 1))]
    # referrals[t][v]: thread t's own approved referral whose offer is on place v.
    referrals = [[_approved_referral(world, v) for v in places] for _ in range(THREADS)]
    officer = world.users[Role.PLACEMENT_OFFICER]

    barrier = threading.Barrier(THREADS)
    lock = threading.Lock()
    outcomes: Counter[str] = Counter()
    booked: list[tuple[int, int]] = []
    unexpected: list[BaseException] = []

    def worker(index: int) -> None:
        rng = random.Random(index)
        try:
            barrier.wait()
            for _ in range(ATTEMPTS):
                v = rng.randrange(PLACES)
                try:
                    placement = placement_agree(referral=referrals[index][v], by=officer)
                except DomainError as err:
                    with lock:
                        outcomes[err.message] += 1
                else:
                    with lock:
                        outcomes["ok"] += 1
                        booked.append((index, placement.vacancy_id))
        except BaseException as err:  # surfaced by the assertion below
            unexpected.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert not unexpected, unexpected
    assert not any(t.is_alive() for t in threads)
    assert sum(outcomes.values()) == THREADS * ATTEMPTS
    assert outcomes["ok"] == PLACES, outcomes
    # Every other attempt was told why: the place was taken, or (retrying a place this thread
    # itself won) the referral is already placed.
    assert set(outcomes) <= {"ok", ALREADY_BOOKED, ALREADY_PLACED}, outcomes
    assert outcomes[ALREADY_BOOKED] > 0
    assert Placement.objects.count() == PLACES
    assert sorted(v for _, v in booked) == sorted(p.pk for p in places)
    assert set(
        Vacancy.objects.filter(pk__in=[p.pk for p in places]).values_list("status", flat=True)
    ) == {"booked"}
    assert Referral.objects.filter(status=ReferralStatus.PLACED).count() == PLACES
