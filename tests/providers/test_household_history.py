"""The register records when each household was approved and when (and why) its approval
ended: the file, the API and the services take it, and the rules hold it together."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import DomainError
from apps.providers.models import Household
from apps.providers.services import household_upsert, register_upload_process
from tests.providers.factories import HouseholdFactory
from tests.providers.register_helpers import csv_file, household_data, make_register, row
from tests.providers.test_api_upsert import api, body, detail

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_register(world)


def test_the_file_takes_the_approval_history(reg):
    upload = register_upload_process(
        provider=reg.provider,
        by=reg.staff,
        uploaded_file=csv_file(
            [
                row("HH-1", approved_on="14/03/2019"),
                row(
                    "HH-2",
                    status="deregistered",
                    approved_on="2017-05-02",
                    approval_ended_on="2025-12-01",
                    approval_end_reason="stand",
                    vacancy_1_reference="",
                    vacancy_1_available_from="",
                    vacancy_1_status="",
                ),
            ]
        ),
    )
    assert upload.errors == [] and upload.outcome == "accepted"
    one, two = Household.objects.filter(provider=reg.provider).order_by("reference")
    assert (one.approved_on, one.approval_ended_on, one.approval_end_reason) == (
        dt.date(2019, 3, 14),
        None,
        "",
    )
    assert (two.approved_on, two.approval_ended_on, two.approval_end_reason) == (
        dt.date(2017, 5, 2),
        dt.date(2025, 12, 1),
        "STAND",
    )


def test_the_history_must_hold_together(reg):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    upload = register_upload_process(
        provider=reg.provider,
        by=reg.staff,
        uploaded_file=csv_file(
            [
                row("GONE-1", status="resigned"),  # no date, no reason
                row("LIVE-1", approval_ended_on="2025-01-01"),  # still approved
                row(
                    "BACK-1",
                    status="resigned",
                    approved_on="2025-06-01",
                    approval_ended_on="2025-05-01",
                    approval_end_reason="RETIRE",
                ),
                row("SOON-1", approved_on=tomorrow),
                row(
                    "WHY-1",
                    status="resigned",
                    approval_ended_on="2025-05-01",
                    approval_end_reason="ALLEG",  # a reason for deregistering
                ),
            ]
        ),
    )
    assert upload.outcome == "rejected"
    found = {(e["row"], e["column"]) for e in upload.errors}
    assert {
        (2, "approval_ended_on"),
        (2, "approval_end_reason"),
        (3, "approval_ended_on"),
        (4, "approval_ended_on"),
        (5, "approved_on"),
        (6, "approval_end_reason"),
    } <= found
    assert not Household.objects.exists()


def test_a_blank_approval_date_keeps_the_stored_one(reg):
    household_upsert(
        provider=reg.provider, by=reg.staff, data=household_data(approved_on=dt.date(2015, 7, 1))
    )
    again, changed = household_upsert(provider=reg.provider, by=reg.staff, data=household_data())
    assert not changed
    assert again.approved_on == dt.date(2015, 7, 1)
    new, _ = household_upsert(provider=reg.provider, by=reg.staff, data=household_data("HH-2"))
    assert new.approved_on == timezone.localdate()


def test_an_end_before_the_stored_approval_is_refused(reg):
    household_upsert(
        provider=reg.provider, by=reg.staff, data=household_data(approved_on=dt.date(2024, 7, 1))
    )
    with pytest.raises(DomainError) as err:
        household_upsert(
            provider=reg.provider,
            by=reg.staff,
            data=household_data(
                status="resigned",
                approval_ended_on=dt.date(2023, 1, 1),
                approval_end_reason="HEALTH",
                vacancies=[],
            ),
        )
    assert err.value.field == "approval_ended_on"


def test_the_api_takes_and_shows_the_history(reg):
    client = api(reg.staff)
    response = client.put(
        detail("HH-1"),
        body(
            status="resigned",
            approved_on="2018-02-01",
            approval_ended_on="2025-10-15",
            approval_end_reason="MOVEPROV",
            vacancies=[],
        ),
        format="json",
    )
    assert response.status_code in (200, 201), response.json()
    data = client.get(detail("HH-1")).json()
    assert (data["approved_on"], data["approval_ended_on"], data["approval_end_reason"]) == (
        "2018-02-01",
        "2025-10-15",
        "MOVEPROV",
    )


def test_the_database_refuses_a_household_gone_without_a_date(reg):
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(provider=reg.provider, status="deregistered", approval_ended_on=None)
