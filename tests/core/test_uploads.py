"""The one safe reader of uploaded spreadsheets, the stored-error caps and the request-size
limit (issue 11, item 5). The importers' own tests are in tests/providers and
tests/monitoring (test_hostile_files.py)."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from apps.accounts.roles import Role
from apps.core import uploads
from apps.core.middleware import RequestTooLarge
from apps.providers.models import RegisterUpload
from tests.core import hostile

LIMITS = uploads.Limits(max_rows=5, max_columns=4, max_cells=100)


def rows(content, limits=LIMITS):
    return [
        (n, values)
        for n, values, _refs in uploads.xlsx_rows(content, sheet_name="Sheet1", limits=limits)
    ]


def refusal(content, limits=LIMITS, *, csv=False):
    with pytest.raises(uploads.UploadRejected) as caught:
        if csv:
            list(uploads.csv_rows(content, limits=limits))
        else:
            rows(content, limits)
    return caught.value.message


# --- XLSX -------------------------------------------------------------------------------


def test_the_declared_dimension_is_ignored():
    assert rows(hostile.declared_dimension(["a", "b"])) == [(1, ["a", "b"])]


def test_empty_cells_beyond_the_columns_are_ignored_values_are_refused():
    styled = '<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="XFD1" s="1"/></row>'
    assert rows(hostile.workbook(styled)) == [(1, ["a"])]
    far = '<row r="3"><c r="E3"><v>1</v></c></row>'
    assert refusal(hostile.workbook(far)) == (
        "Cell E3: there is a value in column E, beyond the 4 columns this file can have."
    )


def test_cell_references_are_made_on_demand():
    [(_n, values, refs)] = list(
        uploads.xlsx_rows(
            hostile.workbook(hostile.header_row(["a", "b", "c"], 7)), sheet_name="x", limits=LIMITS
        )
    )
    assert values == ["a", "b", "c"] and list(refs) == ["A7", "B7", "C7"] and refs[-1] == "C7"
    assert refs[1:] == ["B7", "C7"]
    with pytest.raises(IndexError):
        refs[3]


def test_rows_and_cells_are_capped():
    sheet = "".join(hostile.header_row(["a"], n) for n in range(1, 8))
    assert refusal(hostile.workbook(sheet)) == "Row 6: the file has more than 5 rows."
    empty = '<row r="1">' + '<c r="A1"/>' * 101 + "</row>"
    message = "the sheet is larger than a file of this kind can be (more than 100 cells)."
    assert refusal(hostile.workbook(empty)) == f"Row 1: {message}"
    empty_rows = "".join(f'<row r="{n}"/>' for n in range(1, 102))
    assert refusal(hostile.workbook(empty_rows)) == f"Row 101: {message}"


def test_blank_rows_are_not_counted_as_rows():
    sheet = '<row r="1"/>' * 50 + hostile.header_row(["a"], 51)
    assert rows(hostile.workbook(sheet)) == [(51, ["a"])]


def test_long_texts_and_too_many_shared_strings_are_refused():
    limits = uploads.Limits(max_rows=5, max_columns=4, max_cells=100, max_text=10, max_strings=3)
    long_inline = hostile.workbook(hostile.header_row(["a" * 11]))
    assert refusal(long_inline, limits) == (
        "Cell A1: the value is 11 characters long; the longest accepted is 10."
    )
    shared = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    long_shared = hostile.workbook(shared, shared="<si><t>" + "b" * 11 + "</t></si>")
    assert refusal(long_shared, limits).startswith("Cell text 1 of the workbook: the value is 11")
    many = hostile.workbook(shared, shared="<si><t>b</t></si>" * 4)
    assert refusal(many, limits) == (
        "The workbook cannot be read: it holds more than 3 different texts."
    )


def test_a_part_over_the_limit_is_refused_before_it_is_unpacked():
    limits = uploads.Limits(max_rows=5, max_columns=4, max_cells=100, max_member_bytes=20_000)
    sheet = hostile.header_row(["a"]) * 1_000  # ~60 KB of XML in one part
    assert refusal(hostile.workbook(sheet), limits) == (
        "The workbook cannot be read: its part xl/worksheets/sheet1.xml unpacks to 61 KB; "
        "the largest part accepted is 20 KB."
    )


def test_a_lying_directory_is_still_cut_off():
    """The central directory says the sheet is small; the reader stops at the cap anyway."""
    content = hostile.workbook(hostile.header_row(["a"]) * 500)
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        size = z.getinfo("xl/worksheets/sheet1.xml").file_size
    limits = uploads.Limits(
        max_rows=1000, max_columns=4, max_cells=10_000, max_member_bytes=size - 1
    )
    handle = uploads._CappedMember(io.BytesIO(b"<a>" + b" " * size + b"</a>"), "p", size - 1)
    with pytest.raises(uploads.UploadRejected, match="unpacks to more than"):
        while handle.read(4096):
            pass
    assert "unpacks to" in refusal(content, limits)


def test_damaged_and_oddly_packed_workbooks():
    with pytest.raises(uploads.DamagedWorkbook):
        rows(b"PK\x03\x04 not a zip")
    with pytest.raises(uploads.DamagedWorkbook):
        rows(hostile.workbook('<row r="1"><c r="A1" t="s"><v>7</v></c></row>'))  # no string 7
    bad_ref = '<row r="1"><c r="1A"><v>1</v></c></row>'
    with pytest.raises(uploads.DamagedWorkbook):
        rows(hostile.workbook(bad_ref))


# --- CSV --------------------------------------------------------------------------------


def test_csv_rows_are_streamed_with_caps():
    assert [(n, v) for n, v, _ in uploads.csv_rows(b"a,b\r\n1,2\r\n", limits=LIMITS)] == [
        (1, ["a", "b"]),
        (2, ["1", "2"]),
    ]
    assert refusal(b"a\n" * 6, csv=True) == "Row 6: the file has more than 5 rows."
    assert refusal(b"a,,,,b\n", csv=True) == (
        "Row 1: there is a value in column 5, beyond the 4 columns this file can have."
    )
    trailing = list(uploads.csv_rows(b"a,b,,,,,,\n", limits=LIMITS))
    assert trailing[0][1] == ["a", "b", "", ""]  # blank past the last column: dropped
    limits = uploads.Limits(max_rows=5, max_columns=4, max_cells=100, max_line=10)
    assert refusal(b"a\n" + b"b" * 11 + b"\n", limits, csv=True) == (
        "Line 2: the line is longer than 10 characters."
    )
    with pytest.raises(uploads.NotText):
        list(uploads.csv_rows(b"a\x00b\n", limits=LIMITS))


def test_csv_in_windows_1252_and_utf8_with_a_bom():
    assert uploads.csv_encoding("Zoë".encode("cp1252")) == "cp1252"
    assert uploads.csv_encoding("\ufeffZoë".encode()) == "utf-8-sig"
    [(_n, values, _)] = uploads.csv_rows("Zoë\n".encode("cp1252"), limits=LIMITS)
    assert values == ["Zoë"]


# --- Stored errors ----------------------------------------------------------------------


def test_stored_errors_are_capped_and_clipped():
    errors = [{"row": i, "message": "x" * 600, "hint": "short"} for i in range(5)]
    kept = uploads.stored_errors(errors, limit=3, length=10)
    assert kept == [{"row": i, "message": "x" * 9 + "…", "hint": "short"} for i in range(3)]


# --- Request size -----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_before_it_is_read(client, world, settings):
    settings.RCC_MAX_UPLOAD_BYTES = 10_000
    client.force_login(world.users[Role.PROVIDER_DATA])
    big = SimpleUploadedFile("r.csv", b"x" * 20_000)
    response = client.post(reverse("providers:upload"), {"file": big})
    assert response.status_code == 413
    assert "The request is 20 KB; the largest accepted is 10 KB." in response.content.decode()
    big.seek(0)
    api = client.post("/api/v1/register/uploads/", {"file": big}, HTTP_ACCEPT="application/json")
    assert api.status_code == 413 and api.json()["detail"].startswith("The request is")
    assert api.json()["errors"]["file"] == [api.json()["detail"]]
    assert not RegisterUpload.objects.exists()
    # A declared length is enough: the body is not read at all.
    response = client.post(
        "/api/v1/register/uploads/", b"", content_type="text/csv", CONTENT_LENGTH="30000000"
    )
    assert response.status_code == 413 and "28.6 MB" in response.json()["detail"]


def test_a_multipart_body_longer_than_declared_is_stopped_while_read(settings):
    settings.RCC_MAX_UPLOAD_BYTES = 10_000
    request = RequestFactory().post(
        "/upload/", {"file": SimpleUploadedFile("r.csv", b"x" * 20_000)}
    )
    with pytest.raises(RequestTooLarge):
        request.FILES  # noqa: B018
