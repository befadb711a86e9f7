"""Hostile return files are refused fast, with a clear message and nothing written; the errors
kept with a submission are capped in number and length (issue 11, item 5)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from apps.core.uploads import MAX_STORED_ERRORS
from apps.monitoring.choices import ReturnStatus, SubmissionOutcome
from apps.monitoring.format import CURRENT, SHEET_NAME
from apps.monitoring.models import ReturnPlacement, ReturnVersion
from apps.monitoring.services import return_submit_file
from tests.core import hostile
from tests.monitoring.factories import complete_records, csv_file, due_return

pytestmark = pytest.mark.django_db
HEADER = CURRENT.column_names


@pytest.fixture
def ret(world):
    return due_return(world.ifa)


@pytest.fixture
def officer(world):
    return world.users[Role.PROVIDER_DATA]


def submitted(ret, officer, upload):
    """The submission was refused with nothing written and its original kept."""
    content = upload.read()
    upload.seek(0)
    submission = return_submit_file(monitoring_return=ret, by=officer, uploaded_file=upload)
    assert submission.outcome == SubmissionOutcome.REJECTED
    with submission.original.open("rb") as kept:
        assert kept.read() == content
    ret.refresh_from_db()
    assert ret.current_version is None and ret.status == ReturnStatus.DUE
    assert not ReturnVersion.objects.exists() and not ReturnPlacement.objects.exists()
    return submission


def refused(ret, officer, name, content):
    submission = submitted(ret, officer, SimpleUploadedFile(name, content))
    assert submission.error_count == len(submission.errors) == 1, submission.errors
    return submission.errors[0]


def test_a_value_in_a_far_column_is_refused_naming_the_cell(ret, officer):
    """The reader made a list (and a cell name) for every column up to ZZZZ: 680 MB."""
    error = refused(ret, officer, "r.xlsx", hostile.far_column(HEADER, sheet_name=SHEET_NAME))
    assert error["row"] is None and error["message"] == (
        "Cell ZZZZ2: there is a value in column ZZZZ, beyond the 64 columns this file can have."
    )
    assert "Delete the columns to the right" in error["hint"]


def test_a_shared_strings_bomb_is_refused_before_it_is_unpacked(ret, officer):
    error = refused(
        ret, officer, "r.xlsx", hostile.shared_strings_bomb(300_000, sheet_name=SHEET_NAME)
    )
    assert "its part xl/sharedStrings.xml unpacks to 4.9 MB" in error["message"]


def test_a_huge_header_cell_is_refused_with_a_short_message(ret, officer):
    error = refused(ret, officer, "r.xlsx", hostile.huge_header_cell(HEADER))
    assert "unpacks to 21 MB" in error["message"] and len(error["message"]) < 300


def test_a_long_csv_value_is_refused_naming_its_row_and_column(ret, officer):
    content = hostile.csv_long_header_cell(HEADER, 30_000)
    error = refused(ret, officer, "r.csv", content)
    assert error["message"] == (
        f"Cell row 1, column {len(HEADER) + 1}: the value is 30,000 characters long; "
        "the longest accepted is 2,000."
    )


def test_many_parts_are_refused_before_the_directory_is_read(ret, officer):
    error = refused(ret, officer, "r.xlsx", hostile.many_members(100_000))
    assert error["message"] == (
        "The workbook cannot be read: it has more than 200 parts (a workbook has a few dozen)."
    )


def test_stored_errors_are_capped_with_a_count_of_the_rest(ret, officer):
    """Every error was stored and shown: a file of 60,000 bad rows kept 60,000."""
    records = complete_records(ret)
    bad = [
        {"record": "PLACEMENT", "child_ref": f"C-{i}", "placement_type": "Q" * 1_500}
        for i in range(MAX_STORED_ERRORS + 200)
    ]
    submission = submitted(ret, officer, csv_file(records + bad))
    assert submission.error_count > MAX_STORED_ERRORS + 200
    assert len(submission.errors) == MAX_STORED_ERRORS + 1
    last = submission.errors[-1]
    left_out = submission.error_count - MAX_STORED_ERRORS
    assert last["row"] is None and last["message"] == (
        f"And {left_out:,} more problems not listed here ({submission.error_count:,} in all)."
    )
    texts = [v for e in submission.errors for v in e.values() if isinstance(v, str)]
    assert max(len(t) for t in texts) == 500
