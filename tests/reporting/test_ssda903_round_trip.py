"""Round trip: an LA's SSDA903 files imported as care history come out of the export as they
went in, for each collection year (episodes open in the year; one that ends after 31 March
written as still open)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from apps.referrals.models import Child
from apps.referrals.services.care_import import import_ssda903
from apps.referrals.ssda903 import EPISODE_COLUMNS, HEADER_COLUMNS
from apps.referrals.ssda903_synthetic import generate, rows_csv
from apps.reporting.ssda903.files import return_build

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 4)


def _day(text: str) -> dt.date | None:
    return dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None


def expected(episodes: list[dict[str, str]], year: int) -> list[dict[str, str]]:
    start, end = dt.date(year, 4, 1), min(dt.date(year + 1, 3, 31), TODAY)
    out = []
    for row in episodes:
        decom, dec = _day(row["DECOM"]), _day(row["DEC"])
        assert decom is not None
        if decom > end or (dec is not None and dec < start):
            continue
        if dec is not None and dec > end:
            row = {**row, "DEC": "", "REC": "", "REASON_PLACE_CHANGE": ""}
        out.append(row)
    return sorted(out, key=lambda r: (r["CHILD"], _day(r["DECOM"])))


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
        got = sorted(built.episodes, key=lambda r: (r["CHILD"], _day(r["DECOM"])))
        assert got == expected(files.episodes, year), year
        in_file = {r["CHILD"] for r in got}
        assert sorted(built.header, key=lambda r: r["CHILD"]) == [
            h for h in sorted(files.header, key=lambda r: r["CHILD"]) if h["CHILD"] in in_file
        ]
        seen += len(got)
    assert seen > 40
