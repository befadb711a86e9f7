"""The API: the same validator, services and scoping as the pages; errors as JSON per row and
field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.monitoring import format as fmt_module
from apps.monitoring.models import ReturnVersion
from tests.monitoring.factories import complete_records, csv_file, due_return, placement

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def ret(world):
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    return due_return(world.ifa)


def test_prefill_then_submit_records(world, ret):
    client = api(world.users[Role.PROVIDER_DATA])
    prefill = client.get(reverse("api:monitoring-return-prefill", args=[ret.pk])).json()
    assert prefill["format_version"] == "NQR-2026.1" and prefill["quarter"] == "2025-26-Q3"
    assert next(r for r in prefill["records"] if r["record"] == "PLACEMENT")[
        "child_ref"
    ].startswith("C-")

    url = reverse("api:monitoring-return-submit", args=[ret.pk])
    records = complete_records(ret)
    first = client.post(url, {"records": records}, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["outcome"] == "accepted" and first.json()["version"] == 1
    again = client.post(url, {"records": records}, format="json")
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    as_file = client.post(url, {"file": csv_file(records)}, format="multipart")
    assert as_file.status_code == 200 and as_file.json()["outcome"] == "unchanged"
    assert ReturnVersion.objects.filter(monitoring_return=ret).count() == 1
    detail = client.get(reverse("api:monitoring-return-detail", args=[ret.pk])).json()
    assert detail["status"] == "submitted" and detail["versions"][0]["figures"]["complaints"] == 1


def test_errors_are_json_per_row_and_field(world, ret):
    client = api(world.users[Role.PROVIDER_DATA])
    records = complete_records(ret)
    records.append(
        {
            "record": "PLACEMENT",
            "child_ref": "IFA-0001",
            "la_code": world.la.dfe_la_code,
            "placement_type": "U6",
            "start_date": "2025-11-20",
            "end_date": "2025-11-02",
            "reason_ended": "PLACE",
        }
    )
    response = client.post(
        reverse("api:monitoring-return-submit", args=[ret.pk]), {"records": records}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "1 problem(s): nothing was accepted."
    key = f"row {len(records)}.end_date"
    assert body["errors"][key][0].startswith("end_date 02/11/2025 is before start_date 20/11/2025.")
    assert body["submission"]["errors"][0]["hint"]

    response = client.post(
        reverse("api:monitoring-return-submit", args=[ret.pk]),
        {"records": [{"record": "FIGURE", "colour": "red"}]},
        format="json",
    )
    assert (
        response.status_code == 400
        and "Unknown field(s): colour" in response.json()["errors"]["return"][0]
    )
    response = client.post(
        reverse("api:monitoring-return-submit", args=[ret.pk]), {}, format="json"
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_review_through_the_api(world, ret):
    officer, commissioner = (
        api(world.users[Role.PROVIDER_DATA]),
        api(world.users[Role.COMMISSIONER]),
    )
    officer.post(
        reverse("api:monitoring-return-submit", args=[ret.pk]),
        {"records": complete_records(ret)},
        format="json",
    )
    query = commissioner.post(
        reverse("api:monitoring-return-query", args=[ret.pk]),
        {"subject": "allegations", "body": "None?"},
        format="json",
    )
    assert query.status_code == 201
    reply = officer.post(
        reverse("api:monitoring-return-reply", args=[ret.pk, query.json()["id"]]),
        {"body": "None."},
        format="json",
    )
    assert reply.status_code == 201 and reply.json()["status"] == "answered"
    assert [m["from_provider"] for m in reply.json()["messages"]] == [False, True]
    accepted = commissioner.post(reverse("api:monitoring-return-accept", args=[ret.pk]))
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = commissioner.post(reverse("api:monitoring-return-accept", args=[ret.pk]))
    assert (
        again.status_code == 400
        and again.json()["detail"] == "This return has already been accepted."
    )


def test_feedback_through_the_api(world):
    ours = placement(world.la_service, world.la, start=dt.date(2025, 6, 2))
    theirs = placement(world.other_la_service, world.other_la, start=dt.date(2025, 6, 2))
    client = api(world.users[Role.IRO])
    body = {
        "placement": ours.pk,
        "author_role": "iro",
        "review_date": "2025-11-03",
        "childs_progress": 4,
        "carer_support": 5,
        "communication": 3,
    }
    assert (
        client.post(reverse("api:monitoring-feedback-list"), body, format="json").status_code == 201
    )
    duplicate = client.post(reverse("api:monitoring-feedback-list"), body, format="json")
    assert (
        duplicate.status_code == 400
        and "already given feedback" in duplicate.json()["errors"]["review_date"][0]
    )
    other = client.post(
        reverse("api:monitoring-feedback-list"), {**body, "placement": theirs.pk}, format="json"
    )
    assert other.status_code == 400 and "placement" in other.json()["errors"]
    wrong_role = client.post(
        reverse("api:monitoring-feedback-list"),
        {**body, "author_role": "social_worker", "review_date": "2025-11-04"},
        format="json",
    )
    assert wrong_role.status_code == 400 and "author_role" in wrong_role.json()["errors"]
    assert [
        f["placement"]
        for f in client.get(reverse("api:monitoring-feedback-list")).json()["results"]
    ] == [ours.pk]
    assert (
        api(world.users[Role.SOCIAL_WORKER])
        .get(reverse("api:monitoring-feedback-list"))
        .json()["results"]
        == []
    )


def test_the_format_endpoint_is_the_one_definition(world):
    body = api(world.users[Role.SCRUTINEER]).get(reverse("api:monitoring-format")).json()
    assert [c["name"] for c in body["columns"]] == fmt_module.CURRENT.column_names
    assert [f["item"] for f in body["figures"]] == [f.item for f in fmt_module.CURRENT.figures]
    assert {c["code"] for c in body["code_lists"]["reason_ended"]} >= {
        "CARPL",
        "ALLEG",
        "STAND",
        "APPRR",
        "CREQB",
        "CREQO",
    }


def test_api_return_list_query_count_does_not_grow(world, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.monitoring.quarters import Quarter
    from tests.monitoring.factories import provider_of

    client = api(world.users[Role.NCC_ANALYST])
    provider_of(world.ifa)
    due_return(world.ifa)
    url = reverse("api:monitoring-return-list")
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    baseline = len(ctx.captured_queries)
    for q in Quarter(2024, 1).back(6):
        due_return(world.ifa, q)
        due_return(world.other_ifa, q)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.json()["count"] == 13
