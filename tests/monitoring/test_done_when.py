"""The issue's "Done when", tried as a new user would, through the pages:

a provider downloads the template, uploads a return with errors, sees every error with its
row, fixes it, submits; the commissioner queries one figure, the provider answers and
resubmits; the commissioner accepts; a social worker's feedback appears, anonymised, in the
provider's scorecard."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.accounts.roles import Role
from apps.monitoring.models import MonitoringReturn
from tests.monitoring.factories import QUARTER, due_return, placement
from tests.monitoring.test_scorecards import give_feedback

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def as_file(rows: list[dict[str, str]], name: str = "our-return.csv") -> SimpleUploadedFile:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return SimpleUploadedFile(name, out.getvalue().encode("utf-8"))


def fill(rows: list[dict[str, str]], **figures: str) -> None:
    for row in rows:
        if row["record"] == "FIGURE" and row["item"] in figures:
            row["value"] = figures[row["item"]]


def test_done_when(world, django_capture_on_commit_callbacks):
    ours = placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    ret = due_return(world.ifa)
    provider = client_for(world.users[Role.PROVIDER_DATA])
    commissioner = client_for(world.users[Role.COMMISSIONER])

    # The provider reads the format and downloads the template.
    page = provider.get(reverse("monitoring:format"))
    assert page.status_code == 200 and "NQR-2026.1" in page.content.decode()
    template = provider.get(
        reverse("monitoring:format_download", args=["NQR-2026.1", "template.csv"])
    )
    assert rows_of(template)[0] == {
        **dict.fromkeys(rows_of(template)[0], ""),
        "record": "FIGURE",
        "item": "format_version",
        "value": "NQR-2026.1",
    }

    # ... then their own return, pre-filled: the platform's placement is already in it.
    detail = provider.get(reverse("monitoring:return_detail", args=[ret.pk]))
    assert "Check and submit online" in detail.content.decode()
    rows = rows_of(provider.get(reverse("monitoring:return_prefilled", args=[ret.pk, "csv"])))
    assert any(r["placement_ref"] == f"PL-{ours.pk}" for r in rows)

    # A return with errors: a word for a number, an ending before its start, an unknown code.
    fill(
        rows,
        allegations="two",
        complaints="1",
        notifications="0",
        carers_trained="3",
        training_hours="20",
        supervision_visits="9",
        respite_nights="0",
        ofsted_date="2024-03-12",
    )
    blank = dict.fromkeys(rows[0], "")
    rows.append(
        {
            **blank,
            "record": "PLACEMENT",
            "child_ref": "IFA-0007",
            "la_code": world.la.dfe_la_code,
            "placement_type": "U6",
            "start_date": "2025-11-20",
            "end_date": "2025-11-02",
            "reason_ended": "PLCE",
        }
    )
    response = provider.post(
        reverse("monitoring:return_upload", args=[ret.pk]), {"file": as_file(rows)}, follow=True
    )
    page = response.content.decode()
    assert "The return was not accepted: nothing has been changed" in page
    assert "allegations must be a whole number" in page
    assert "end_date 02/11/2025 is before start_date 20/11/2025" in page
    assert "reason_ended &#x27;PLCE&#x27; is not a code" in page and "Did you mean PLACE?" in page
    submission = response.context["submission"]
    assert {e["row"] for e in submission.errors} == {
        next(i for i, r in enumerate(rows, 2) if r["item"] == "allegations"),
        len(rows) + 1,
    }
    ret.refresh_from_db()
    assert ret.current_version is None

    # Fixed and submitted.
    fill(rows, allegations="2")
    rows[-1].update(end_date="2025-12-02", reason_ended="PLACE")
    response = provider.post(
        reverse("monitoring:return_upload", args=[ret.pk]), {"file": as_file(rows)}, follow=True
    )
    assert "Return submitted: version 1 is with the RCC for review." in response.content.decode()

    # The commissioner sees it, and queries one figure.
    assert ret.provider.name in commissioner.get(reverse("monitoring:return_list")).content.decode()
    commissioner.post(
        reverse("monitoring:return_query", args=[ret.pk]),
        {"subject": "complaints", "body": "Only one complaint all quarter?"},
    )
    ret.refresh_from_db()
    assert ret.status == "queried"
    page = provider.get(reverse("monitoring:return_detail", args=[ret.pk])).content.decode()
    assert "Only one complaint all quarter?" in page and "Queried" in page

    # The provider answers and resubmits with the corrected figure.
    query = ret.queries.get()
    provider.post(
        reverse("monitoring:query_reply", args=[query.pk]),
        {"body": "Three: two were logged late. Corrected."},
    )
    fill(rows, complaints="3")
    provider.post(
        reverse("monitoring:return_upload", args=[ret.pk]),
        {"file": as_file(rows, "our-return-v2.csv")},
    )
    ret.refresh_from_db()
    assert ret.status == "submitted" and ret.current_version.number == 2
    page = commissioner.get(reverse("monitoring:return_detail", args=[ret.pk])).content.decode()
    assert "Three: two were logged late." in page
    assert "Changes from version 1: 1 figure" in page

    # The commissioner accepts; the provider cannot resubmit the quarter.
    commissioner.post(reverse("monitoring:return_accept", args=[ret.pk]))
    ret.refresh_from_db()
    assert ret.status == "accepted"
    response = provider.post(
        reverse("monitoring:return_upload", args=[ret.pk]),
        {"file": as_file(rows, "late.csv")},
        follow=True,
    )
    assert "an accepted quarter cannot be resubmitted" in response.content.decode()
    assert MonitoringReturn.objects.get(pk=ret.pk).current_version.number == 2

    # A social worker gives feedback at the child's review; with four others it is shown,
    # anonymised, in the provider's scorecard.
    give_feedback(ours, 4)
    social_worker = world.users[Role.SOCIAL_WORKER]
    sw = client_for(social_worker)
    assert (
        ours.child.local_identifier
        in sw.get(reverse("monitoring:feedback_placements")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = sw.post(
            reverse("monitoring:feedback_create", args=[ours.pk]),
            {
                "author_role": "social_worker",
                "review_date": "2025-12-15",
                "childs_progress": "5",
                "carer_support": "5",
                "communication": "4",
                "concerns": "",
                "comments": "Settled; school going well.",
            },
        )
    assert response.status_code == 302
    scorecard = provider.get(
        reverse("monitoring:scorecard_detail", args=[world.ifa.pk])
        + f"?scope=national&quarter={QUARTER.code}"
    )
    page = scorecard.content.decode()
    assert "from 5 reviews" in page
    for secret in (
        social_worker.email,
        social_worker.last_name,
        "Settled; school going well.",
        ours.child.local_identifier,
    ):
        assert secret not in page
