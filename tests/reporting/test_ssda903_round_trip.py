"""Round trip: an LA's SSDA903 files imported as care history come out of the export as they
went in, for each collection year (episodes open in the year; one that ends after 31 March
written as still open)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from apps.accounts.roles import Role
from apps.referrals.models import CareEpisode, Child
from apps.referrals.services.care_import import import_ssda903
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.referrals.ssda903_synthetic import generate, rows_csv, year_file
from apps.reporting.ssda903.files import return_build

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 4)


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


@pytest.mark.parametrize("seed", [903, 2026])
def test_imported_files_export_as_they_were_imported(world, seed, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    files = generate(children=40, episodes=160, seed=seed, until=TODAY, postcodes=["M14 5AB"])
    result = import_ssda903(
        by=world.users[Role.SOCIAL_WORKER],
        la=world.la,
        header_upload=SimpleUploadedFile("header.csv", rows_csv(files.header, HEADER_COLUMNS)),
        episodes_upload=SimpleUploadedFile(
            "episodes.csv", rows_csv(files.episodes, EPISODE_COLUMNS)
        ),
    )
    assert result.status == "accepted", result.errors[:3]
    seen = 0
    for year in (2024, 2025, 2026):
        built = return_build(la=world.la, year=year, children=Child.objects.all(), today=TODAY)
        want = year_file(files, year, TODAY)
        got = sorted(built.episodes, key=lambda r: (r["CHILD"], _day(r["DECOM"])))
        assert got == want.episodes, year
        assert sorted(built.header, key=lambda r: r["CHILD"]) == want.header
        seen += len(got)
    assert seen > 40


def test_round_trip_command_writes_both_sides_and_leaves_nothing(world, tmp_path, monkeypatch):
    """`make validate-903`'s round trip: the LA's year file in, the platform's export out, the
    same rows; the database is rolled back."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)
    la = world.la
    call_command(
        "ssda903_round_trip",
        "--out",
        str(tmp_path),
        "--la",
        la.dfe_la_code,
        "--children",
        "30",
        "--episodes",
        "120",
        verbosity=0,
    )
    info = json.loads((tmp_path / "info.json").read_text())
    assert info["year"] == 2025 and info["gss_code"] == la.gss_code
    assert info["imported_episodes"] == info["exported_episodes"] > 0
    for name in ("header.csv", "episodes.csv"):
        went_in = (tmp_path / "input" / name).read_text().splitlines()
        came_out = (tmp_path / "output" / name).read_text().splitlines()
        assert sorted(came_out) == sorted(went_in), name
    assert not Child.objects.filter(la=la).exists()
    assert not CareEpisode.objects.exists()


def test_round_trip_command_refuses_an_la_with_children(world, tmp_path):
    Child.objects.create(
        la=world.la,
        local_identifier="X1",
        date_of_birth=dt.date(2015, 1, 1),
        sex="F",
        ethnicity="WBRI",
        legal_status="C2",
        created_by=world.users[Role.SOCIAL_WORKER],
    )
    with pytest.raises(CommandError, match="has children already"):
        call_command("ssda903_round_trip", "--out", str(tmp_path), "--la", world.la.dfe_la_code)
