"""The households download is the register file: the upload template's columns, so that a
downloaded register uploaded back unchanged is accepted and changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.providers.services import household_upsert, register_upload_process
from tests.providers.register_helpers import header, household_data, make_register

pytestmark = pytest.mark.django_db

LIST = reverse("providers:household_list")


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reg = make_register(world)
    household_upsert(
        provider=reg.provider,
        by=reg.staff,
        data=household_data(
            "HH-1", approved_on=dt.date(2018, 9, 3), preferences="-outdoors; =SUM(A1)"
        ),
    )
    household_upsert(
        provider=reg.provider,
        by=reg.staff,
        data=household_data(
            "HH-2",
            status="resigned",
            approved_on=dt.date(2016, 1, 4),
            approval_ended_on=dt.date(2025, 11, 10),
            approval_end_reason="RETIRE",
            vacancies=[],
        ),
    )
    household_upsert(
        provider=reg.provider,
        by=reg.staff,
        data=household_data(
            "HH-3",
            status="on_hold",
            places=3,
            carers=household_data()["carers"][:1],
            skills=[],
            vacancies=[
                {"reference": "HH-3-A", "available_from": dt.date(2026, 1, 5), "status": "open"},
                {
                    "reference": "HH-3-B",
                    "available_from": dt.date(2026, 2, 1),
                    "status": "on_hold",
                    "hold_reason": "Carer on leave",
                },
            ],
        ),
    )
    household_upsert(provider=reg.other, by=reg.other_staff, data=household_data("THEIRS-1"))
    return reg


def download(client, user, fmt: str = "csv") -> bytes:
    client.force_login(user)
    response = client.get(LIST, {"export": fmt})
    assert response.status_code == 200
    return response.content


def test_the_download_has_the_template_columns(client, reg):
    content = download(client, reg.staff)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == header()
    assert [r[0] for r in rows[1:]] == ["HH-1", "HH-2", "HH-3"]  # only their own register
    hh2 = dict(zip(rows[0], rows[2], strict=True))
    assert (hh2["status"], hh2["approved_on"], hh2["approval_ended_on"]) == (
        "resigned",
        "2016-01-04",
        "2025-11-10",
    )
    assert hh2["approval_end_reason"] == "RETIRE"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_downloaded_register_uploads_back_unchanged(client, reg, fmt):
    content = download(client, reg.staff, fmt)
    audit_before = LogEntry.objects.count()
    upload = register_upload_process(
        provider=reg.provider,
        by=reg.staff,
        uploaded_file=SimpleUploadedFile(f"households.{fmt}", content),
    )
    assert upload.errors == []
    assert upload.outcome == "accepted"
    assert (upload.summary["created"], upload.summary["updated"]) == (0, 0)
    assert upload.summary["unchanged"] == 3
    assert LogEntry.objects.count() == audit_before  # nothing was saved again


def test_readers_of_every_register_also_see_the_provider(client, reg):
    content = download(client, reg.hub)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert next(iter(rows[0])) == "provider"
    assert {(r["provider"], r["reference"]) for r in rows} >= {
        (reg.provider.name, "HH-1"),
        (reg.other.name, "THEIRS-1"),
    }


def test_the_template_download_and_the_register_download_have_the_same_columns(client, reg):
    client.force_login(reg.staff)
    template = client.get(reverse("providers:template_download", args=["csv"])).content
    register = download(client, reg.staff)
    first_row = [next(csv.reader(io.StringIO(c.decode("utf-8-sig")))) for c in (template, register)]
    assert first_row[0] == first_row[1] == header()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_household_with_more_places_than_the_template_round_trips(client, reg, fmt):
    """Six vacancies (booked and filled ones stay on the register): the download grows
    vacancy_5_… and vacancy_6_… columns, and the upload reads them back, changing nothing."""
    vacancies = [
        {
            "reference": f"BIG-{n}",
            "available_from": dt.date(2026, 1, n),
            "status": "filled" if n < 3 else "open",
        }
        for n in range(1, 7)
    ]
    household_upsert(
        provider=reg.provider,
        by=reg.staff,
        data=household_data("BIG", places=6, vacancies=vacancies),
    )
    content = download(client, reg.staff, fmt)
    if fmt == "csv":
        names = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
        assert names[: len(header())] == header()
        assert names[len(header()) :] == [
            f"vacancy_{n}_{part}"
            for n in (5, 6)
            for part in ("reference", "available_from", "status", "hold_reason")
        ]
    upload = register_upload_process(
        provider=reg.provider,
        by=reg.staff,
        uploaded_file=SimpleUploadedFile(f"households.{fmt}", content),
    )
    assert upload.errors == []
    assert upload.summary["unchanged"] == 4
    assert sorted(
        reg.provider.households.get(reference="BIG").vacancies.values_list("reference", flat=True)
    ) == [f"BIG-{n}" for n in range(1, 7)]


def test_vacancy_columns_beyond_the_limit_are_named_in_the_error(reg):
    names = [*header(), "vacancy_31_reference"]
    row = dict.fromkeys(names, "")
    content = io.StringIO()
    writer = csv.DictWriter(content, fieldnames=names)
    writer.writeheader()
    writer.writerow(row)
    upload = register_upload_process(
        provider=reg.provider,
        by=reg.staff,
        uploaded_file=SimpleUploadedFile("households.csv", content.getvalue().encode()),
    )
    assert upload.outcome == "rejected"
    assert "unknown column(s): vacancy_31_reference" in upload.errors[0]["message"]
