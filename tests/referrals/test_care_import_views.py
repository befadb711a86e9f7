"""The SSDA903 import page and API: upload, result, rejected files' problems, originals, scope."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.accounts.roles import Role
from apps.referrals.models import CareEpisode, CareHistoryImport, Child
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.referrals.ssda903_synthetic import rows_csv
from tests.factories import MembershipFactory, UserFactory
from tests.referrals.test_care_import import story

pytestmark = pytest.mark.django_db


def files(bad: bool = False) -> dict[str, SimpleUploadedFile]:
    head, eps = story()
    if bad:
        eps[1]["PLACE"] = "Q9"
    return {
        "header": SimpleUploadedFile("header.csv", rows_csv(head, HEADER_COLUMNS)),
        "episodes": SimpleUploadedFile("episodes.csv", rows_csv(eps, EPISODE_COLUMNS)),
    }


def test_the_children_list_links_to_the_import(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.get(reverse("referrals:child_list")).content.decode()
    assert reverse("referrals:care_import") in page


def test_a_social_worker_imports_and_sees_the_counts_and_originals(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.post(reverse("referrals:care_import"), files())
    record = CareHistoryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:care_import_detail", args=[record.pk])
    page = client.get(response["Location"]).content.decode()
    assert "2 added, 0 updated, 0 unchanged" in page and "5 added" in page
    assert Child.objects.filter(la=world.la).count() == 2
    original = client.get(reverse("referrals:care_import_original", args=[record.pk, "header"]))
    assert original.status_code == 200
    assert b"".join(original.streaming_content).startswith(b"CHILD,SEX,DOB")
    listing = client.get(reverse("referrals:care_import_list")).content.decode()
    assert reverse("referrals:care_import_detail", args=[record.pk]) in listing
    export = client.get(reverse("referrals:care_import_list") + "?export=csv")
    content = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"Episodes added" in content


def test_rejected_files_show_every_problem_and_keep_the_la_chosen(client, world):
    user = UserFactory()
    MembershipFactory(user=user, organisation=world.la, role=Role.SOCIAL_WORKER)
    MembershipFactory(user=user, organisation=world.other_la, role=Role.SOCIAL_WORKER)
    client.force_login(user)
    response = client.post(
        reverse("referrals:care_import"), {"la": str(world.other_la.pk), **files(bad=True)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The files were not imported: nothing has been changed" in page
    assert "Episodes, row 3, PLACE: Q9 is not an SSDA903 PLACE code" in page
    assert f'<option value="{world.other_la.pk}" selected>' in page
    assert CareEpisode.objects.count() == 0
    record = CareHistoryImport.objects.get()
    assert record.la == world.other_la and record.status == "rejected"


def test_the_form_asks_for_both_files(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    page = client.post(reverse("referrals:care_import"), {}).content.decode()
    assert "Choose the Header file." in page and "Choose the Episodes file." in page
    assert CareHistoryImport.objects.count() == 0


def test_an_iro_sees_the_imports_but_cannot_import(client, world):
    client.force_login(world.users[Role.IRO])
    assert client.get(reverse("referrals:care_import_list")).status_code == 200
    assert client.post(reverse("referrals:care_import"), files()).status_code == 403


# --- API ---------------------------------------------------------------------------------------


def test_api_import_201_then_400_with_row_level_errors(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    url = reverse("api:care-import-list")
    created = client.post(url, files())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["children_created"], body["episodes_created"]) == (
        "accepted", 2, 5,
    )  # fmt: skip

    again = client.post(url, files()).json()
    assert (again["episodes_created"], again["episodes_unchanged"]) == (0, 5)

    rejected = client.post(url, files(bad=True))
    assert rejected.status_code == 400
    body = rejected.json()
    assert body["care_import"]["status"] == "rejected"
    assert body["care_import"]["errors"][0] == {
        "file": "Episodes", "row": 3, "column": "PLACE", "value": "Q9",
        "message": body["care_import"]["errors"][0]["message"],
    }  # fmt: skip
    assert any("row 3, PLACE" in m for m in body["errors"]["files"])

    listing = client.get(url).json()
    assert [r["status"] for r in listing["results"]] == ["rejected", "accepted", "accepted"]
    detail = client.get(reverse("api:care-import-detail", args=[body["care_import"]["id"]]))
    assert detail.json()["error_count"] == 1


@pytest.mark.parametrize("who", [Role.PLACEMENT_OFFICER, Role.PROVIDER_REFERRALS, Role.IRO])
def test_api_import_is_403_for_other_roles(client, world, who):
    client.force_login(world.users[who])
    assert client.post(reverse("api:care-import-list"), files()).status_code == 403
    assert CareHistoryImport.objects.count() == 0


def test_api_import_for_another_la_is_refused_and_its_imports_are_404(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    response = client.post(reverse("api:care-import-list"), {"la": world.other_la.pk, **files()})
    assert response.status_code == 400
    assert "la" in response.json()["errors"]
    assert CareHistoryImport.objects.count() == 0
    from tests.referrals.permission_rows import _care_import

    theirs = _care_import(world.other_la)
    assert client.get(reverse("api:care-import-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("api:care-import-list")).json()["count"] == 0


def test_api_schema_documents_the_multipart_import(client, world):
    client.force_login(world.users[Role.SOCIAL_WORKER])
    schema = client.get(reverse("api:schema") + "?format=json")
    paths = schema.json()["paths"]
    post = paths["/api/v1/care-imports/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "400"} <= set(post["responses"])
