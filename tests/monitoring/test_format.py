"""One definition of the return makes the page, the templates, the dictionary, the published
files and the header check: they cannot drift apart."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from apps.accounts.roles import Role
from apps.monitoring import format as fmt_module
from apps.monitoring.quarters import Quarter

FMT = fmt_module.CURRENT


def test_the_published_files_match_the_definition():
    call_command("monitoring_format", "--check")


def test_the_dictionary_covers_every_column_figure_and_code():
    rows = fmt_module.dictionary_rows(FMT)
    names = {(r["section"], r["name"]) for r in rows}
    assert {("Column", c) for c in FMT.column_names} <= names
    assert all(
        any(r["name"] == f.item and r["section"].startswith("Figure") for r in rows)
        for f in FMT.figures
    )
    assert ("Code list: reason_ended", "CARPL") in names and (
        "Code list: placement_type",
        "U4",
    ) in names
    assert all(r["description"] for r in rows)


def test_the_versions_code_lists_are_the_ssda903_ones():
    from apps.referrals.choices import PlacementType, ReasonEnded

    assert FMT.codes("placement_type") == PlacementType.values
    assert FMT.codes("reason_ended") == ReasonEnded.values
    assert fmt_module.format_for(Quarter(2025, 3)) is FMT


@pytest.mark.django_db
def test_the_templates_download(world, client):
    client.force_login(world.users[Role.SCRUTINEER])
    response = client.get(reverse("monitoring:format_download", args=[FMT.version, "template.csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == FMT.column_names and [r[1] for r in rows[1:]] == [f.item for f in FMT.figures]
    response = client.get(
        reverse("monitoring:format_download", args=[FMT.version, "template.xlsx"])
    )
    wb = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["Return"][1]] == FMT.column_names
    assert wb["Data dictionary"].max_row == len(fmt_module.dictionary_rows(FMT)) + 1
    assert (
        client.get(
            reverse("monitoring:format_download", args=["NQR-1999.1", "template.csv"])
        ).status_code
        == 404
    )
    page = client.get(reverse("monitoring:format")).content.decode()
    for column in FMT.column_names:
        assert f"<code>{column}</code>" in page
