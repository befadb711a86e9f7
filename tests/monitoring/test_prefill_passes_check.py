"""The pre-filled return passes the platform's own check: its household figures and CARER rows
come from one register history (approval and end dates), so they agree as the check requires.

In the demo the pre-fill said households_start 15, households_end 17 and had no approval rows,
so a provider who returned it unchanged was told their own figures did not agree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.accounts.roles import Role
from apps.providers.history import register_history
from apps.providers.models import Household
from tests.monitoring.factories import QUARTER, due_return, provider_of
from tests.monitoring.test_done_when import as_file, client_for, fill, rows_of
from tests.providers.factories import HouseholdFactory

pytestmark = pytest.mark.django_db

PROVIDERS_OWN = {
    "allegations": "1",
    "complaints": "0",
    "notifications": "0",
    "carers_trained": "3",
    "training_hours": "24",
    "supervision_visits": "10",
    "respite_nights": "2",
}


def _household(provider, reference, *, approved, ended=None, status="active", reason=""):
    """A household whose history the register holds; `created_at` and `updated_at` say when
    the platform heard of it (as they would had the provider kept it current)."""
    household = HouseholdFactory(
        provider=provider,
        reference=reference,
        status=status,
        approved_on=approved,
        approval_ended_on=ended,
        approval_end_reason=reason,
    )
    heard = dt.datetime.combine(approved, dt.time(12), tzinfo=dt.UTC)
    changed = dt.datetime.combine(ended or approved, dt.time(12), tzinfo=dt.UTC)
    Household.objects.filter(pk=household.pk).update(created_at=heard, updated_at=changed)
    return household


@pytest.fixture
def register(world):
    """QUARTER is October to December 2025."""
    provider = provider_of(world.ifa)
    _household(provider, "A", approved=dt.date(2019, 5, 1))
    _household(
        provider,
        "B",
        approved=dt.date(2024, 2, 1),
        status="resigned",
        ended=dt.date(2025, 11, 10),
        reason="RETIRE",
    )
    _household(provider, "C", approved=dt.date(2025, 10, 20))
    _household(
        provider,
        "D",
        approved=dt.date(2025, 11, 1),
        status="deregistered",
        ended=dt.date(2025, 12, 15),
        reason="STAND",
    )
    _household(provider, "E", approved=dt.date(2026, 1, 10))  # after the quarter
    _household(
        provider,
        "F",
        approved=dt.date(2020, 3, 1),
        status="resigned",
        ended=dt.date(2025, 8, 1),  # before the quarter
        reason="HEALTH",
    )
    _household(provider, "G", approved=dt.date(2025, 10, 1))  # on the quarter's first day
    _household(
        provider,
        "H",
        approved=dt.date(2021, 1, 1),
        status="resigned",
        ended=dt.date(2025, 12, 31),  # on its last day
        reason="FAMILY",
    )
    # Another provider's homes, with the same references: none of them counts.
    other = provider_of(world.other_ifa)
    for ref in "ABC":
        _household(other, ref, approved=dt.date(2025, 11, 2))
    return provider


def test_history_counts_households_and_changes(register):
    history = register_history(provider_id=register.pk, start=QUARTER.start, end=QUARTER.end)
    assert history.households_start == 3  # A, B, H
    assert history.households_end == 3  # A, C, G
    assert [(c.reference, c.change, c.on.isoformat(), c.reason) for c in history.changes] == [
        ("G", "APPROVED", "2025-10-01", ""),
        ("C", "APPROVED", "2025-10-20", ""),
        ("D", "APPROVED", "2025-11-01", ""),
        ("B", "RESIGNED", "2025-11-10", "RETIRE"),
        ("D", "DEREGISTERED", "2025-12-15", "STAND"),
        ("H", "RESIGNED", "2025-12-31", "FAMILY"),
    ]
    assert history.households_end == history.households_start + 3 - 3
    assert history.places_end == 3 * 2  # the factory's two places each


def test_prefill_downloaded_and_returned_unchanged_passes_the_check(world, register):
    ret = due_return(world.ifa)
    provider = client_for(world.users[Role.PROVIDER_DATA])
    rows = rows_of(provider.get(reverse("monitoring:return_prefilled", args=[ret.pk, "csv"])))
    figures = {r["item"]: r["value"] for r in rows if r["record"] == "FIGURE"}
    assert (figures["households_start"], figures["households_end"]) == ("3", "3")
    carers = sorted(
        (r["household_ref"], r["change"], r["change_date"], r["change_reason"])
        for r in rows
        if r["record"] == "CARER"
    )
    assert carers == [
        ("B", "RESIGNED", "2025-11-10", "RETIRE"),
        ("C", "APPROVED", "2025-10-20", ""),
        ("D", "APPROVED", "2025-11-01", ""),
        ("D", "DEREGISTERED", "2025-12-15", "STAND"),
        ("G", "APPROVED", "2025-10-01", ""),
        ("H", "RESIGNED", "2025-12-31", "FAMILY"),
    ]

    fill(rows, **PROVIDERS_OWN)  # what only the provider knows; nothing else is touched
    response = provider.post(
        reverse("monitoring:return_upload", args=[ret.pk]), {"file": as_file(rows)}, follow=True
    )
    page = response.content.decode()
    assert "Return submitted: version 1" in page, response.context["submission"].errors
    ret.refresh_from_db()
    version = ret.current_version
    assert version.figures["households_start"] == 3 and version.figures["households_end"] == 3
    assert len(version.carer_changes) == 6
