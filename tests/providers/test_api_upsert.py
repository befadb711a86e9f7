"""The register API: PUT by reference, uploads, confirm; scoping, errors, audit, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.roles import Role
from apps.accounts.services import api_token_create
from apps.providers.models import Household, RegisterUpload
from tests.factories import MembershipFactory, user_with_role
from tests.providers.factories import (
    CarerFactory,
    HouseholdFactory,
    HouseholdSkillFactory,
    VacancyFactory,
)
from tests.providers.register_helpers import (
    csv_file,
    household_data,
    make_register,
    register_counts,
    row,
)

LIST = reverse("api:household-list")
UPLOADS = reverse("api:register-upload-list")
CONFIRM = reverse("api:register-confirm")


def detail(reference: str) -> str:
    return reverse("api:household-detail", kwargs={"reference": reference})


def body(reference: str = "HH-1", **overrides):
    data = household_data(reference, **overrides)
    data.pop("reference")
    for vacancy in data["vacancies"]:
        if isinstance(vacancy.get("available_from"), dt.date):
            vacancy["available_from"] = vacancy["available_from"].isoformat()
    return data


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_register(world)


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_put_creates_then_updates_then_identical_put_changes_nothing(reg):
    client = api(reg.staff)
    created = client.put(detail("HH-1"), body(), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["reference"] == "HH-1" and data["provider"] == reg.provider.pk
    assert data["postcode_district"] == "OL11" and data["la"] == reg.world.la.pk
    assert data["care_types"] == ["short_term", "long_term"]
    assert [c["sex"] for c in data["carers"]] == ["F", "M"]
    assert {"domain": "behaviour", "level": 2} in data["skills"]
    assert (
        data["vacancies"][0]["reference"] == "HH-1-A"
        and data["vacancies"][0]["available_from"] == "2026-06-01"
    )
    assert data["is_stale"] is False

    updated = client.put(detail("HH-1"), body(age_max=11, vacancies=[]), format="json")
    assert updated.status_code == 200
    assert updated.json()["age_max"] == 11 and updated.json()["vacancies"] == []
    household = Household.objects.get(reference="HH-1")
    assert household.vacancies.count() == 0

    old = timezone.now() - dt.timedelta(days=20)
    Household.objects.filter(pk=household.pk).update(last_confirmed_at=old)
    entries, counts = LogEntry.objects.count(), register_counts()
    same = client.put(detail("HH-1"), body(age_max=11, vacancies=[]), format="json")
    assert same.status_code == 200
    assert same.json()["updated_at"] == updated.json()["updated_at"]
    assert LogEntry.objects.count() == entries and register_counts() == counts
    assert not Household.objects.get(pk=household.pk).is_stale, "an identical PUT still confirms"


def test_get_list_and_detail(reg):
    HouseholdFactory(provider=reg.provider, reference="MINE")
    HouseholdFactory(provider=reg.other, reference="THEIRS")
    client = api(reg.staff)
    assert [h["reference"] for h in client.get(LIST).json()["results"]] == ["MINE"]
    assert client.get(detail("MINE")).json()["reference"] == "MINE"
    assert client.get(detail("THEIRS")).status_code == 404


def test_field_level_errors(reg):
    client = api(reg.staff)
    response = client.put(
        detail("HH-1"),
        body(
            postcode_district="ZZ99",
            age_min=15,
            age_max=4,
            vacancies=[{"reference": "A", "available_from": "2026-06-01", "status": "on_hold"}],
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert response.json()["detail"]
    assert set(errors) == {"postcode_district", "age_max", "vacancies.0.hold_reason"}
    assert errors["vacancies.0.hold_reason"] == ["A vacancy on hold needs a reason."]

    shape = client.put(
        detail("HH-1"),
        body(
            places="two",
            carers=[{"age_band": "45-54", "sex": "X", "ethnicity": "WBRI"}],
            care_types=["x"],
        ),
        format="json",
    )
    assert shape.status_code == 400
    assert {"places", "carers.0.sex", "care_types.0"} <= set(shape.json()["errors"])
    assert not Household.objects.exists()


def test_provider_a_cannot_see_or_put_provider_b(reg):
    theirs = HouseholdFactory(provider=reg.other, reference="B-1", pets="Cat")
    client = api(reg.staff)
    assert client.get(detail("B-1")).status_code == 404
    assert client.get(detail("B-1"), {"provider": reg.other.pk}).status_code == 404
    response = client.put(detail("B-1") + f"?provider={reg.other.pk}", body("B-1"), format="json")
    assert response.status_code == 404
    assert Household.objects.get(pk=theirs.pk).pets == "Cat"
    # Without ?provider the reference is the caller's own: a new household of provider A.
    assert client.put(detail("B-1"), body("B-1"), format="json").status_code == 201
    assert Household.objects.get(pk=theirs.pk).pets == "Cat"


def test_hub_reads_but_may_not_write(reg):
    HouseholdFactory(provider=reg.other, reference="B-1")
    client = api(reg.hub)
    assert client.get(detail("B-1")).status_code == 200
    assert client.get(LIST).json()["count"] == 1
    for response in (
        client.put(detail("B-1"), body("B-1"), format="json"),
        client.post(UPLOADS, {"file": csv_file([row()])}, format="multipart"),
        client.post(CONFIRM, {}, format="json"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"]


def test_rcc_administrator_may_not_write(reg):
    client = api(reg.world.users[Role.ADMINISTRATOR])
    assert client.put(detail("X"), body("X"), format="json").status_code == 403
    assert client.post(CONFIRM, {}, format="json").status_code == 403


def test_anonymous_gets_401(reg):
    client = api()
    for response in (
        client.get(LIST),
        client.get(detail("X")),
        client.put(detail("X"), body("X"), format="json"),
        client.get(UPLOADS),
        client.post(CONFIRM),
    ):
        assert response.status_code == 401
        assert response.json()["detail"]


def test_staff_of_several_providers_must_name_one(reg):
    both = user_with_role(Role.PROVIDER_DATA, reg.world.ifa)
    MembershipFactory(user=both, organisation=reg.world.other_ifa, role=Role.PROVIDER_DATA)
    client = api(both)
    response = client.put(detail("HH-1"), body(), format="json")
    assert response.status_code == 400 and "provider" in response.json()["errors"]
    assert (
        client.put(detail("HH-1") + f"?provider={reg.other.pk}", body(), format="json").status_code
        == 201
    )
    assert Household.objects.get().provider == reg.other


def test_same_reference_at_two_providers_needs_provider_to_read(reg):
    HouseholdFactory(provider=reg.provider, reference="SAME")
    HouseholdFactory(provider=reg.other, reference="SAME")
    client = api(reg.hub)
    assert client.get(detail("SAME")).status_code == 400
    response = client.get(detail("SAME"), {"provider": reg.other.pk})
    assert response.status_code == 200 and response.json()["provider"] == reg.other.pk


def test_token_put_records_the_actor(reg):
    _, secret = api_token_create(user=reg.staff, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert client.put(detail("HH-1"), body(), format="json").status_code == 201
    client.put(detail("HH-1"), body(pets="Fish"), format="json")
    entry = LogEntry.objects.get_for_object(Household.objects.get()).latest("pk")
    assert entry.actor == reg.staff
    assert "pets" in entry.changes_dict


def test_upload_through_the_api(reg):
    client = api(reg.staff)
    bad = client.post(
        UPLOADS, {"file": csv_file([row(age_min="9", age_max="2")])}, format="multipart"
    )
    assert bad.status_code == 400
    data = bad.json()
    assert data["errors"]["file"][0].startswith("row 2, age_max: The age range is reversed")
    assert (
        data["upload"]["outcome"] == "rejected"
        and data["upload"]["errors"][0]["column"] == "age_max"
    )
    assert not Household.objects.exists()

    good = client.post(UPLOADS, {"file": csv_file([row()])}, format="multipart")
    assert good.status_code == 201
    assert good.json()["summary"]["created"] == 1
    assert good.json()["original_url"].endswith(
        reverse("providers:upload_original", args=[good.json()["id"]])
    )
    listed = client.get(UPLOADS).json()["results"]
    assert [u["outcome"] for u in listed] == ["accepted", "rejected"]
    assert api(reg.other_staff).get(UPLOADS).json()["count"] == 0
    upload_id = RegisterUpload.objects.filter(outcome="accepted").get().pk
    assert (
        api(reg.other_staff)
        .get(reverse("api:register-upload-detail", args=[upload_id]))
        .status_code
        == 404
    )
    assert client.post(UPLOADS, {}, format="multipart").json()["errors"]["file"]


def test_confirm_through_the_api(reg):
    old = timezone.now() - dt.timedelta(days=30)
    household = HouseholdFactory(provider=reg.provider, last_confirmed_at=old)
    VacancyFactory(household=household, last_confirmed_at=old)
    response = api(reg.staff).post(CONFIRM, {}, format="json")
    assert response.status_code == 200
    assert (response.json()["households"], response.json()["vacancies"]) == (1, 1)
    assert not Household.objects.get().is_stale


def test_api_list_query_count_is_constant(reg):
    client = api(reg.staff)

    def add():
        household = HouseholdFactory(provider=reg.provider)
        CarerFactory(household=household)
        HouseholdSkillFactory(household=household)
        VacancyFactory(household=household)

    add()
    client.get(LIST)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(LIST).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(12):
        add()
    assert count() == few
    assert client.get(LIST).json()["count"] == 13
