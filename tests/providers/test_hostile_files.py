"""Hostile register files are refused fast, with a clear message and nothing written; the
errors kept with an upload are capped in number and length (issue 11, item 5)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.providers import importer
from apps.providers.models import RegisterUpload
from apps.providers.services import register_upload_process
from tests.core import hostile
from tests.providers.register_helpers import csv_file, header, make_register, register_counts, row

pytestmark = pytest.mark.django_db
SHEET = importer.SHEET_NAME


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_register(world)


def refused(reg, name, content):
    """The file was refused as a whole: nothing written, the original kept; its one error."""
    before = register_counts()
    result = register_upload_process(
        provider=reg.provider, by=reg.staff, uploaded_file=SimpleUploadedFile(name, content)
    )
    assert result.outcome == RegisterUpload.Outcome.REJECTED
    assert register_counts() == before, "nothing written"
    with result.original.open("rb") as kept:
        assert kept.read() == content, "the original is kept"
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_a_declared_huge_dimension_is_ignored():
    """openpyxl padded every row to the declared A1:XFD2000 (16,384 cells a row, 11 s)."""
    content = hostile.declared_dimension(["reference", "status"], sheet_name=SHEET)
    rows = list(importer._xlsx_rows(content))
    assert [(n, values) for n, values, _cells in rows] == [(1, ["reference", "status"])]


def test_a_declared_huge_dimension_is_refused_for_its_header(reg):
    error = refused(reg, "r.xlsx", hostile.declared_dimension(header()[:3], sheet_name=SHEET))
    assert error["message"].startswith("The header row does not match the template: missing")


def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked(reg):
    error = refused(reg, "r.xlsx", hostile.shared_strings_bomb(300_000, sheet_name=SHEET))
    assert "xl/sharedStrings.xml unpacks to 4.9 MB" in error["message"]
    assert "more than 100 times its packed size" in error["message"]
    assert error["row"] is None and ".xlsx" in error["hint"]


def test_a_value_in_a_far_column_is_refused_naming_the_cell(reg):
    error = refused(reg, "r.xlsx", hostile.far_column(header(), "ZZZZ2", sheet_name=SHEET))
    assert error["message"] == (
        "Cell ZZZZ2: there is a value in column ZZZZ, beyond the 300 columns this file can have."
    )


def test_a_csv_value_in_a_far_column_is_refused_naming_the_row(reg):
    error = refused(reg, "r.csv", hostile.csv_far_column(header(), 5_000))
    assert error["message"] == (
        "Row 2: there is a value in column 5,000, beyond the 300 columns this file can have."
    )


def test_a_csv_line_of_millions_of_fields_is_refused(reg):
    error = refused(reg, "r.csv", hostile.csv_long_line(header(), 2 * 1024 * 1024))
    assert error["message"] == "Line 2: the line is longer than 1,048,576 characters."


def test_a_huge_header_cell_is_refused_short(reg):
    """The 21 MB header cell was stored whole in the upload's errors."""
    error = refused(reg, "r.xlsx", hostile.huge_header_cell(header(), sheet_name=SHEET))
    assert "unpacks to 21 MB" in error["message"] and len(error["message"]) < 300


def test_a_long_csv_header_cell_is_refused_with_a_short_message(reg):
    error = refused(reg, "r.csv", hostile.csv_long_header_cell(header(), 100_000))
    assert error["message"] == (
        f"Cell row 1, column {len(header()) + 1}: the value is 100,000 characters long; "
        "the longest accepted is 32,767."
    )


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (hostile.many_members, "it has more than 200 parts (a workbook has a few dozen)."),
        (lambda: hostile.high_ratio_member(50 * 1024 * 1024), "unpacks to 50 MB from"),
        (lambda: hostile.nested_archive(header()), "holds another archive"),
        (lambda: hostile.encrypted_member(header()), "password-protected"),
        (lambda: hostile.doctype_sheet(header()), "declares a document type (DOCTYPE)"),
    ],
    ids=["many-members", "high-ratio", "nested", "encrypted", "doctype"],
)
def test_hostile_packages_are_refused_with_a_clear_message(reg, build, expected):
    error = refused(reg, "r.xlsx", build())
    assert expected in error["message"]


def test_stored_errors_are_clipped(reg):
    """An error quoting a 20,000-character value was kept whole, 500 times over."""
    long = "9" * 20_000 + "x"
    rows = [row(f"HH-{i}", age_min=long) for i in range(3)]
    result = register_upload_process(
        provider=reg.provider, by=reg.staff, uploaded_file=csv_file(rows)
    )
    assert result.outcome == RegisterUpload.Outcome.REJECTED
    messages = [e["message"] for e in result.errors if e["column"] == "age_min"]
    assert len(messages) == 3
    assert all(len(m) == 500 and m.endswith("…") for m in messages)
    assert messages[0].startswith("age_min must be a whole number, not '999")
    assert all(len(v) <= 500 for e in result.errors for v in e.values() if isinstance(v, str))
