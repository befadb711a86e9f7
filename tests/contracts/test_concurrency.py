"""Two commissioners entering overlapping schedules at the same moment: exactly one is saved."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.contracts import services
from apps.contracts.models import PriceSchedule
from apps.core.errors import DomainError
from tests.contracts.factories import EnrolmentFactory, FrameworkFactory, LotFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_schedules_one_wins(setup):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    lot = LotFactory(framework=FrameworkFactory(owner=setup.world.rcc))
    EnrolmentFactory(lot=lot, provider=setup.ifa)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def enter(start: dt.date) -> None:
        try:
            barrier.wait()
            services.price_schedule_create(
                by=setup.commissioner,
                provider=setup.ifa,
                lot=lot,
                valid_from=start,
                fees={"fee_5_10": "800"},
            )
            outcomes.append("saved")
        except DomainError as err:
            outcomes.append(err.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=enter, args=(day,))
        for day in (dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o == "saved" for o in outcomes) == [False, True], outcomes
    assert "overlap" in next(o for o in outcomes if o != "saved")
    assert PriceSchedule.objects.filter(lot=lot).count() == 1
