"""The register file: templates from one column definition; every bad input refused with
its row and column, nothing written and the original kept; a re-upload changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import time

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from apps.providers import importer
from apps.providers.models import Household, RegisterUpload
from apps.providers.services import register_columns, register_upload_process
from tests.providers.register_helpers import (
    csv_file,
    header,
    make_register,
    register_counts,
    row,
    xlsx_file,
)


@pytest.fixture
def reg(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_register(world)


def upload(reg, file):
    return register_upload_process(provider=reg.provider, by=reg.staff, uploaded_file=file)


def assert_rejected(reg, file, *, before):
    content = file.read()
    file.seek(0)
    result = upload(reg, file)
    assert result.outcome == RegisterUpload.Outcome.REJECTED
    assert register_counts() == before, "nothing written"
    assert result.uploaded_by == reg.staff
    with result.original.open("rb") as kept:
        assert kept.read() == content, "the original is kept"
    assert result.sha256 and result.size == len(content)
    return result


def only_error(result):
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


# --- Templates ---------------------------------------------------------------------------


def test_csv_template_header_is_the_column_definition(reg):
    columns = register_columns()
    text = importer.template_csv(columns).decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text))) == [c.name for c in columns]
    names = [c.name for c in columns]
    assert (
        "skill_behaviour" in names
        and "carer_2_languages" in names
        and "vacancy_4_hold_reason" in names
    )
    assert len(names) == len(set(names))


def test_xlsx_template_has_the_same_header_and_a_dictionary(reg):
    columns = register_columns()
    wb = load_workbook(io.BytesIO(importer.template_xlsx(columns, [])))
    assert [c.value for c in wb[importer.SHEET_NAME][1]] == [c.name for c in columns]
    assert "Data dictionary" in wb.sheetnames


def test_example_file_is_accepted(reg):
    content = importer.template_csv(register_columns(), example=True)
    result = upload(reg, SimpleUploadedFile("example.csv", content))
    assert result.outcome == "accepted", result.errors
    assert result.summary["created"] == 2
    on_hold = Household.objects.get(reference="EXAMPLE-2").vacancies.get()
    assert on_hold.status == "on_hold" and on_hold.hold_reason


def test_empty_template_is_refused_with_a_clear_message(reg):
    result = upload(reg, SimpleUploadedFile("t.csv", importer.template_csv(register_columns())))
    assert "no households" in only_error(result)["message"]


def test_docs_describe_every_column(settings):
    doc = (settings.BASE_DIR / "docs" / "register-template.md").read_text(encoding="utf-8")
    for d in (*importer.HOUSEHOLD_COLUMNS, *importer.CARER_COLUMNS, *importer.VACANCY_COLUMNS):
        assert f"`{d.name.replace('{n}', 'N')}`" in doc, d.name
    assert "skill_<domain code>" in doc


# --- A good file, twice ------------------------------------------------------------------


def test_upload_writes_every_row_then_reupload_changes_nothing(reg):
    rows = [
        row("HH-1"),
        row(
            "HH-2",
            carer_2_age_band="35-44",
            carer_2_sex="M",
            carer_2_ethnicity="BAFR",
            vacancy_1_status="",
        ),
        row(
            "HH-3",
            vacancy_1_reference="",
            vacancy_1_available_from="",
            vacancy_1_status="",
            skill_behaviour="",
        ),
    ]
    first = upload(reg, csv_file(rows))
    assert first.outcome == "accepted", first.errors
    assert (first.summary["created"], first.summary["updated"], first.summary["unchanged"]) == (
        3,
        0,
        0,
    )
    assert Household.objects.filter(provider=reg.provider).count() == 3
    assert Household.objects.get(reference="HH-2").carers.count() == 2
    assert Household.objects.get(reference="HH-3").vacancies.count() == 0

    counts, entries = register_counts(), LogEntry.objects.count()
    second = upload(reg, csv_file(rows))
    assert second.outcome == "accepted"
    assert (second.summary["created"], second.summary["updated"], second.summary["unchanged"]) == (
        0,
        0,
        3,
    )
    assert register_counts() == counts
    assert LogEntry.objects.count() == entries, "an identical re-upload writes no audit entries"
    assert second.sha256 == first.sha256


def test_households_created_by_upload_are_audited_with_the_uploader(reg):
    result = upload(reg, csv_file([row("HH-1")]))
    household = Household.objects.get(reference="HH-1")
    entry = LogEntry.objects.get_for_object(household).get()
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, reg.staff)
    assert entry.changes_dict["reference"] == ["None", "HH-1"]
    vacancy = household.vacancies.get()
    assert LogEntry.objects.get_for_object(vacancy).get().actor == reg.staff
    assert result.summary["created"] == 1


def test_reupload_with_one_change_updates_one(reg):
    upload(reg, csv_file([row("HH-1"), row("HH-2")]))
    result = upload(reg, csv_file([row("HH-1"), row("HH-2", vacancy_1_status="filled")]))
    assert (result.summary["created"], result.summary["updated"], result.summary["unchanged"]) == (
        0,
        1,
        1,
    )


def test_xlsx_with_typed_cells_is_accepted(reg):
    values = row("HH-X")
    values.update(
        age_min=0, age_max=17, places=2, max_sibling_group=2, bedrooms=2, skill_behaviour=2
    )
    values["vacancy_1_available_from"] = dt.datetime(2026, 6, 1)
    values["reference"] = 1001  # a number typed into the reference column
    result = upload(reg, xlsx_file([values]))
    assert result.outcome == "accepted", result.errors
    assert Household.objects.get(reference="1001").vacancies.get().available_from == dt.date(
        2026, 6, 1
    )


def test_windows_csv_and_blank_rows_are_read(reg):
    columns = header()
    lines = [",".join(columns)]
    values = row("HH-1", preferences="Café trips")
    lines.append(",".join(values.get(c, "") for c in columns))
    lines.append("," * (len(columns) - 1))
    result = upload(
        reg, SimpleUploadedFile("r.csv", ("\r\n".join(lines) + "\r\n").encode("cp1252"))
    )
    assert result.outcome == "accepted", result.errors
    assert Household.objects.get(reference="HH-1").preferences == "Café trips"


def test_dates_in_uk_format_are_read(reg):
    result = upload(reg, csv_file([row(vacancy_1_available_from="01/06/2026")]))
    assert result.outcome == "accepted", result.errors


# --- Every bad input ---------------------------------------------------------------------


def test_wrong_header_is_one_message_naming_missing_and_unknown_columns(reg):
    columns = [c for c in header() if c != "places"] + ["postcode"]
    columns[columns.index("postcode_district")] = "postcode_distrct"
    result = assert_rejected(reg, csv_file([row()], columns=columns), before=register_counts())
    error = only_error(result)
    assert error["row"] is None
    assert "missing column(s): postcode_district, places" in error["message"]
    assert "postcode_distrct (did you mean postcode_district?)" in error["message"]
    assert "postcode" in error["message"]


def test_bad_date_names_row_and_column(reg):
    before = register_counts()
    result = assert_rejected(
        reg,
        csv_file([row("HH-1"), row("HH-2", vacancy_1_available_from="31/02/2026")]),
        before=before,
    )
    error = only_error(result)
    assert (error["row"], error["column"]) == (3, "vacancy_1_available_from")
    assert "'31/02/2026' is not a date" in error["message"]
    assert "YYYY-MM-DD" in error["hint"]


def test_unknown_postcode_district(reg):
    result = assert_rejected(
        reg, csv_file([row(postcode_district="ZZ9")]), before=register_counts()
    )
    error = only_error(result)
    assert (error["row"], error["column"], error["value"]) == (2, "postcode_district", "ZZ9")
    assert "'ZZ9' is not known" in error["message"]


def test_reversed_age_range(reg):
    result = assert_rejected(
        reg, csv_file([row(age_min="15", age_max="4")]), before=register_counts()
    )
    error = only_error(result)
    assert (error["row"], error["column"]) == (2, "age_max")
    assert "reversed" in error["message"]


def test_negative_places(reg):
    result = assert_rejected(
        reg,
        csv_file(
            [
                row(
                    places="-1",
                    max_sibling_group="1",
                    vacancy_1_reference="",
                    vacancy_1_available_from="",
                    vacancy_1_status="",
                )
            ]
        ),
        before=register_counts(),
    )
    error = only_error(result)
    assert (error["row"], error["column"]) == (2, "places")
    assert "-1" in error["message"]


def test_not_a_number(reg):
    result = assert_rejected(reg, csv_file([row(places="two")]), before=register_counts())
    error = only_error(result)
    assert (error["column"], error["message"]) == (
        "places",
        "places must be a whole number, not 'two'.",
    )


def test_duplicate_references_name_both_rows(reg):
    result = assert_rejected(
        reg, csv_file([row("HH-1"), row("HH-2"), row("HH-1")]), before=register_counts()
    )
    error = only_error(result)
    assert error["row"] == 4
    assert "rows 2 and 4" in error["message"]


def test_every_problem_of_every_row_is_reported(reg):
    rows = [
        row("HH-1", postcode_district="ZZ9"),
        row("HH-2"),
        row("HH-3", age_min="x", vacancy_1_status="on_hold"),
    ]
    result = assert_rejected(reg, csv_file(rows), before=register_counts())
    found = {(e["row"], e["column"]) for e in result.errors}
    assert found == {(2, "postcode_district"), (4, "age_min"), (4, "vacancy_1_hold_reason")}
    assert result.summary["error_count"] == 3


def test_a_half_good_file_writes_nothing_even_for_existing_households(reg):
    upload(reg, csv_file([row("HH-1")]))
    before = register_counts()
    assert_rejected(
        reg, csv_file([row("HH-1", pets="Cat"), row("HH-2", age_min="30")]), before=before
    )
    assert Household.objects.get(reference="HH-1").pets == ""


def test_file_over_10_mb_is_refused_fast_and_recorded(reg):
    before = register_counts()
    big = SimpleUploadedFile("big.csv", b"x" * (50 * 1024 * 1024), content_type="text/csv")
    started = time.perf_counter()
    result = upload(reg, big)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, elapsed
    assert result.outcome == "rejected"
    assert result.size == 50 * 1024 * 1024
    assert not result.original, "the bytes of an oversized file are not kept"
    assert "50.0 MB" in only_error(result)["message"] and "10 MB" in result.errors[0]["message"]
    assert register_counts() == before


def test_xlsx_formula_is_refused_with_the_cell(reg):
    values = row()
    values["places"] = "=1+1"
    result = assert_rejected(reg, xlsx_file([values]), before=register_counts())
    error = only_error(result)
    column_letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header().index("places")]
    assert (error["row"], error["column"], error["cell"]) == (2, "places", f"{column_letter}2")
    assert f"cell {column_letter}2 holds a formula" in error["message"]
    assert "values only" in error["hint"]


def test_corrupt_xlsx(reg):
    good = xlsx_file([row()]).read()
    broken = good[: len(good) // 2]
    result = assert_rejected(reg, SimpleUploadedFile("r.xlsx", broken), before=register_counts())
    assert "not a readable XLSX workbook" in only_error(result)["message"]


def test_text_renamed_xlsx(reg):
    result = assert_rejected(
        reg, SimpleUploadedFile("r.xlsx", b"reference,status\n"), before=register_counts()
    )
    assert "not a readable XLSX" in only_error(result)["message"]


def test_other_file_types(reg):
    result = assert_rejected(
        reg, SimpleUploadedFile("r.xls", b"\xd0\xcf\x11\xe0 old excel"), before=register_counts()
    )
    assert "cannot be read" in only_error(result)["message"]
    assert ".xlsx" in result.errors[0]["hint"]


def test_empty_file(reg):
    result = assert_rejected(reg, SimpleUploadedFile("r.csv", b""), before=register_counts())
    assert "empty" in only_error(result)["message"]
