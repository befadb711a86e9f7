"""Uploading the register in the browser: the results page, the history, the original file."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.roles import Role
from apps.providers.models import Household, RegisterUpload
from tests.factories import MembershipFactory, user_with_role
from tests.providers.register_helpers import (
    csv_file,
    make_register,
    register_counts,
    row,
    xlsx_file,
)

UPLOAD = reverse("providers:upload")


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_register(world)


def login(client, user):
    client.force_login(user)
    return client


def test_upload_with_errors_then_fix_then_same_file_again(client, reg):
    client = login(client, reg.staff)
    page = client.get(UPLOAD)
    assert page.status_code == 200 and "Upload and check" in page.content.decode()

    bad = [
        row("HH-1"),
        row("HH-2", age_min="12", age_max="3"),
        row("HH-3", vacancy_1_available_from="next week"),
    ]
    before = register_counts()
    response = client.post(UPLOAD, {"file": csv_file(bad)})
    assert response.status_code == 302
    upload = RegisterUpload.objects.get()
    assert response["Location"] == reverse("providers:upload_detail", args=[upload.pk])
    results = client.get(response["Location"]).content.decode()
    assert "The file was not accepted: nothing has been changed" in results
    assert "2 problems found in a file of 3 households" in results
    for text in (
        "age_max",
        "The age range is reversed",
        "vacancy_1_available_from",
        "&#x27;next week&#x27; is not a date",
        "YYYY-MM-DD",
    ):
        assert text in results, text
    assert register_counts() == before

    good = [row("HH-1"), row("HH-2"), row("HH-3")]
    response = client.post(UPLOAD, {"file": csv_file(good)}, follow=True)
    assert "register.csv accepted: 3 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Household.objects.filter(provider=reg.provider).count() == 3

    response = client.post(UPLOAD, {"file": csv_file(good)}, follow=True)
    assert "0 created, 0 updated, 3 unchanged" in response.content.decode()

    listing = client.get(reverse("providers:household_list")).content.decode()
    assert all(ref in listing for ref in ("HH-1", "HH-2", "HH-3"))
    history = client.get(reverse("providers:upload_list"))
    assert [u.outcome for u in history.context["object_list"]] == [
        "accepted",
        "accepted",
        "rejected",
    ]
    rejected = client.get(reverse("providers:upload_list"), {"outcome": "rejected"}).context[
        "object_list"
    ]
    assert len(rejected) == 1


def test_original_is_served_only_to_those_who_see_the_upload(client, reg):
    file = xlsx_file([row("HH-1", places="=2")])
    content = file.read()
    file.seek(0)
    login(client, reg.staff).post(UPLOAD, {"file": file})
    upload = RegisterUpload.objects.get()
    assert upload.outcome == "rejected"
    original = reverse("providers:upload_original", args=[upload.pk])
    detail = reverse("providers:upload_detail", args=[upload.pk])

    response = client.get(original)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert 'filename="register.xlsx"' in response["Content-Disposition"]
    assert "holds a formula" in client.get(detail).content.decode()

    other = login(client, reg.other_staff)
    assert other.get(original).status_code == 404
    assert other.get(detail).status_code == 404
    assert upload not in other.get(reverse("providers:upload_list")).context["object_list"]

    hub = login(client, reg.hub)
    assert hub.get(original).status_code == 200
    assert hub.get(UPLOAD).status_code == 403


def test_15_mb_upload_is_refused_fast_and_recorded(client, reg):
    client = login(client, reg.staff)
    before = register_counts()
    big = SimpleUploadedFile(
        "huge.csv", b"a,b\n" * (15 * 1024 * 1024 // 4), content_type="text/csv"
    )
    started = time.perf_counter()
    response = client.post(UPLOAD, {"file": big}, follow=True)
    elapsed = time.perf_counter() - started
    body = response.content.decode()
    assert "The file is 15.0 MB; the largest file accepted is 10 MB." in body
    assert "Not kept (over the size limit)" in body
    upload = RegisterUpload.objects.get()
    assert (upload.outcome, upload.size, upload.uploaded_by) == (
        "rejected",
        15 * 1024 * 1024,
        reg.staff,
    )
    assert register_counts() == before
    assert elapsed < 5, elapsed


def test_50_mb_upload_is_refused_before_it_is_read(client, reg):
    """A body over RCC_MAX_UPLOAD_BYTES (21 MB) is refused (413) before Django spools it."""
    client = login(client, reg.staff)
    big = SimpleUploadedFile(
        "huge.csv", b"a,b\n" * (50 * 1024 * 1024 // 4), content_type="text/csv"
    )
    response = client.post(UPLOAD, {"file": big})
    assert response.status_code == 413
    assert "The request is 50 MB; the largest accepted is 21 MB." in response.content.decode()
    assert not RegisterUpload.objects.exists()


def test_no_file_is_a_form_error(client, reg):
    response = login(client, reg.staff).post(UPLOAD, {})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not RegisterUpload.objects.exists()


def test_staff_of_two_providers_choose_the_provider(client, reg):
    both = user_with_role(Role.PROVIDER_REFERRALS, reg.world.ifa)
    MembershipFactory(user=both, organisation=reg.world.other_ifa, role=Role.PROVIDER_REFERRALS)
    client = login(client, both)
    response = client.post(UPLOAD, {"file": csv_file([row()])})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    client.post(UPLOAD, {"file": csv_file([row()]), "provider": reg.other.pk})
    assert Household.objects.get().provider == reg.other
    response = client.post(UPLOAD, {"file": csv_file([row()]), "provider": 999999})
    assert response.status_code == 200 and Household.objects.count() == 1


def test_provider_staff_at_an_organisation_without_a_register_get_403(client, reg):
    lone = user_with_role(Role.PROVIDER_DATA, reg.world.la_service)  # no Provider row
    assert login(client, lone).get(UPLOAD).status_code == 403
