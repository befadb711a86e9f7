"""Bad input: every problem is reported with its row, column and a fix; nothing is accepted
until every row passes; the original is always kept; nothing is half-written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.roles import Role
from apps.monitoring.choices import Channel, ReturnStatus, SubmissionOutcome
from apps.monitoring.models import ReturnPlacement, ReturnVersion
from apps.monitoring.services import return_accept, return_submit_file, return_submit_records
from tests.monitoring.factories import (
    QUARTER,
    complete_records,
    csv_file,
    due_return,
    placement,
    xlsx_file,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ret(world):
    placement(world.ifa, world.la, start=dt.date(2025, 6, 2))
    return due_return(world.ifa)


@pytest.fixture
def officer(world):
    return world.users[Role.PROVIDER_DATA]


def submit(ret, officer, records, *, as_file=True):
    if as_file:
        return return_submit_file(
            monitoring_return=ret, by=officer, uploaded_file=csv_file(records)
        )
    return return_submit_records(
        monitoring_return=ret, by=officer, records=records, channel=Channel.API
    )


def rejected(submission):
    """The submission was refused with nothing written, and its original kept."""
    assert submission.outcome == SubmissionOutcome.REJECTED
    assert submission.error_count == len(submission.errors) > 0
    assert submission.original and submission.original.read()
    ret = submission.monitoring_return
    ret.refresh_from_db()
    assert ret.current_version is None and ret.status == ReturnStatus.DUE
    assert not ReturnVersion.objects.filter(monitoring_return=ret).exists()
    assert not ReturnPlacement.objects.exists()
    return submission.errors


def placement_row(**values):
    row = {
        "record": "PLACEMENT",
        "child_ref": "IFA-0001",
        "la_code": "",
        "placement_type": "U6",
        "start_date": "2025-08-01",
    }
    row.update(values)
    return row


def test_wrong_template_version(ret, officer):
    records = complete_records(ret)
    for r in records:
        if r.get("item") == "format_version":
            r["value"] = "NQR-2025.1"
    errors = rejected(submit(ret, officer, records))
    assert len(errors) == 1 and errors[0]["row"] is None
    assert "NQR-2025.1" in errors[0]["message"] and "NQR-2026.1" in errors[0]["message"]
    assert "template" in errors[0]["hint"]
    # The same through the API's JSON: the figure row is named.
    errors = rejected(submit(ret, officer, records, as_file=False))
    assert errors[0]["column"] == "value" and errors[0]["row"] == 1


def test_missing_columns(ret, officer):
    content = csv_file(complete_records(ret)).read().decode("utf-8-sig")
    lines = [
        ",".join(line.split(",")[:-2]) for line in content.splitlines()
    ]  # drop reason_ended, end_date
    upload = SimpleUploadedFile("short.csv", "\n".join(lines).encode())
    errors = rejected(return_submit_file(monitoring_return=ret, by=officer, uploaded_file=upload))
    assert errors[0]["column"] == "(header)"
    assert "missing column(s): end_date, reason_ended" in errors[0]["message"]


def test_unknown_reason_codes(ret, officer, world):
    records = complete_records(ret)
    records.append(
        placement_row(la_code=world.la.dfe_la_code, end_date="2025-11-02", reason_ended="CAPRL")
    )
    records.append(
        {
            "record": "CARER",
            "household_ref": "HH-1",
            "change": "RESIGNED",
            "change_date": "2025-11-02",
            "change_reason": "BORED",
        }
    )
    errors = rejected(submit(ret, officer, records))
    by_column = {e["column"]: e for e in errors}
    assert "CAPRL" in by_column["reason_ended"]["message"]
    assert "Did you mean CARPL?" in by_column["reason_ended"]["hint"]
    assert by_column["reason_ended"]["row"] == len(records)  # the file's row: header is row 1
    assert "BORED" in by_column["change_reason"]["message"]
    assert "RETIRE" in by_column["change_reason"]["hint"]


def test_end_before_start(ret, officer, world):
    records = complete_records(ret)
    records.append(
        placement_row(
            la_code=world.la.dfe_la_code,
            start_date="2025-11-20",
            end_date="2025-11-02",
            reason_ended="PLACE",
        )
    )
    errors = rejected(submit(ret, officer, records))
    [error] = [e for e in errors if e["column"] == "end_date"]
    assert "before start_date" in error["message"] and error["row"] == len(records) + 1
    assert error["value"] == "2025-11-02"


def test_a_placement_that_belongs_to_another_provider(ret, officer, world):
    theirs = placement(world.other_ifa, world.la, start=dt.date(2025, 7, 1))
    records = complete_records(ret)
    records.append(placement_row(placement_ref=f"PL-{theirs.pk}", la_code=world.la.dfe_la_code))
    errors = rejected(submit(ret, officer, records))
    [error] = [e for e in errors if e["column"] == "placement_ref"]
    assert error["message"] == f"Placement PL-{theirs.pk} belongs to another provider, not yours."
    assert world.other_ifa.name not in error["message"] + error["hint"]


def test_duplicated_rows(ret, officer, world):
    records = complete_records(ret)
    own = next(r for r in records if r["record"] == "PLACEMENT")
    records.append(dict(own))
    records.append(placement_row(la_code=world.la.dfe_la_code))
    records.append(placement_row(la_code=world.la.dfe_la_code))
    records.append({"record": "FIGURE", "item": "complaints", "value": "2"})
    errors = rejected(submit(ret, officer, records))
    messages = [e["message"] for e in errors]
    assert any(f"{own['placement_ref']} is in the return twice" in m for m in messages)
    assert any("IFA-0001 from 01/08/2025 is in the return twice" in m for m in messages)
    assert any("The figure complaints is given twice" in m for m in messages)


def test_a_quarter_already_accepted(ret, officer, world):
    records = complete_records(ret)
    assert submit(ret, officer, records).outcome == SubmissionOutcome.ACCEPTED
    return_accept(monitoring_return=ret, by=world.users[Role.COMMISSIONER])
    again = submit(ret, officer, complete_records(ret, complaints="9"))
    assert again.outcome == SubmissionOutcome.REJECTED and again.original
    [error] = again.errors
    assert f"The {QUARTER.short} return was accepted on" in error["message"]
    assert "cannot be resubmitted" in error["message"]
    ret.refresh_from_db()
    assert ret.current_version.number == 1 and ret.current_version.figures["complaints"] == 1


def test_a_corrupt_xlsx(ret, officer):
    good = xlsx_file(complete_records(ret)).read()
    damaged = SimpleUploadedFile("return.xlsx", good[: len(good) // 2])
    errors = rejected(return_submit_file(monitoring_return=ret, by=officer, uploaded_file=damaged))
    assert (
        "not a readable XLSX workbook" in errors[0]["message"] or "damaged" in errors[0]["message"]
    )
    renamed = SimpleUploadedFile("return.xlsx", b"record,item,value\n")
    errors = rejected(return_submit_file(monitoring_return=ret, by=officer, uploaded_file=renamed))
    assert "renamed .xlsx" in errors[0]["message"]


def test_every_error_of_the_file_is_reported_with_its_row(ret, officer, world):
    records = complete_records(ret)
    for i in range(40):
        records.append(placement_row(child_ref=f"IFA-{i:04d}", la_code="999", placement_type="X9"))
    errors = rejected(submit(ret, officer, records))
    rows = {e["row"] for e in errors if e["column"] == "la_code"}
    assert (
        len(rows) == 40 and len({e["row"] for e in errors if e["column"] == "placement_type"}) == 40
    )
    assert all(e["hint"] for e in errors)


def test_figures_that_do_not_add_up_and_a_platform_placement_left_out(ret, officer):
    records = [r for r in complete_records(ret, households_end="99") if r["record"] != "PLACEMENT"]
    errors = rejected(submit(ret, officer, records))
    messages = " ".join(e["message"] for e in errors)
    assert "households_end is 99" in messages
    assert "was with you during 2025-26 Q3 but is not in the return" in messages


def test_formulas_names_and_blank_required_values(ret, officer, world):
    from openpyxl import load_workbook

    records = complete_records(ret)
    records.append(placement_row(child_ref="Jane Smith", la_code=world.la.dfe_la_code))
    wb = load_workbook(io.BytesIO(xlsx_file(records).read()))
    ws = wb["Return"]
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "complaints":
            row[2].value = "=1+1"
    buf = io.BytesIO()
    wb.save(buf)
    errors = rejected(
        return_submit_file(
            monitoring_return=ret,
            by=officer,
            uploaded_file=SimpleUploadedFile("r.xlsx", buf.getvalue()),
        )
    )
    formula = next(e for e in errors if "formula" in e["message"])
    assert formula["cell"].startswith("C")
    name = next(e for e in errors if e["column"] == "child_ref")
    assert "not a pseudonymous reference" in name["message"] and "Never a name" in name["hint"]
