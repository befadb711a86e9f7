"""Reading uploaded spreadsheets safely: XLSX and CSV rows, with bounded time and memory.

Every importer (the register, the monitoring return, later SSDA903) reads its files here, so
that a small hostile file cannot cost seconds or gigabytes:

- XLSX: the zip's central directory is checked before anything is unpacked (number of parts,
  each part's and the total unpacked size, the compression ratio, no encrypted or nested
  archives, no zip64); the parts are unpacked through a reader that stops at the limit
  whatever the directory declares; XML with a DOCTYPE is refused (no entity expansion); the
  sheet is read as a stream, with caps on rows, columns (from each cell's own reference:
  the sheet's declared `<dimension>` is ignored), cells, shared strings and each value's length.
- CSV: decoded as a stream, with caps on the line length, rows, columns and each value's length.

Limits are refused with `UploadRejected`, whose message names the row, cell or part and the
limit. `stored_errors` caps the error lists kept with an upload (count and length).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree as ET

MB = 1024 * 1024
EXCEL_MAX_COLUMNS = 16_384  # XFD
EXCEL_MAX_TEXT = 32_767  # the most characters Excel holds in a cell
RESAVE_HINT = (
    "Open it in your spreadsheet program and save it again as Excel Workbook (.xlsx), or as CSV."
)


@dataclass(frozen=True)
class Limits:
    """What one kind of upload may hold. Rows count only rows with a value (the header too)."""

    max_rows: int
    max_columns: int
    max_cells: int  # XLSX: every <c> element read, empty or not; CSV: every field
    max_text: int = EXCEL_MAX_TEXT
    max_strings: int = 1_000_000  # XLSX shared strings
    max_members: int = 200
    max_member_bytes: int = 256 * MB  # unpacked, any one part
    max_total_bytes: int = 384 * MB  # unpacked, all parts
    max_ratio: int = 100  # unpacked / packed, for parts over RATIO_FLOOR
    max_line: int = 1 * MB  # CSV: characters in one physical line


RATIO_FLOOR = 1 * MB  # small parts (styles, the workbook) may compress well; they are cheap


def size_text(size: int) -> str:
    """A size for people: 21 MB, 20.5 MB, 12 KB, 300 bytes."""
    if size >= MB:
        return f"{size / MB:,.1f} MB".replace(".0 MB", " MB")
    return f"{size / 1024:,.0f} KB" if size >= 1024 else f"{size:,} bytes"


class UploadRejected(Exception):
    """The file as a whole cannot be read: `message` says why (row, cell or part, the limit)."""

    def __init__(self, message: str, hint: str = RESAVE_HINT):
        super().__init__(message)
        self.message = message
        self.hint = hint


class DamagedWorkbook(UploadRejected):
    def __init__(self, detail: str = ""):
        super().__init__(
            "The file is not a readable XLSX workbook: it may be damaged or not a workbook."
        )
        self.detail = detail


class Formula(str):
    """A cell holding a formula: refused, as its value depends on the program that opens it."""


# --- Cell references --------------------------------------------------------------------

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DOC_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
CELL_REF = re.compile(r"^([A-Z]{1,7})(\d{1,9})$")
QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".jar", ".gz", ".7z")


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def column_letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


LETTERS = [column_letters(i) for i in range(702)]  # A to ZZ


class CellRefs(Sequence[str]):
    """The references of one row's cells ("A7", "B7", …), made only when asked for."""

    __slots__ = ("number", "width")

    def __init__(self, number: int, width: int):
        self.number = number
        self.width = width

    def __len__(self) -> int:
        return self.width

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.width))]
        if i < 0:
            i += self.width
        if not 0 <= i < self.width:
            raise IndexError(i)
        return (LETTERS[i] if i < len(LETTERS) else column_letters(i)) + str(self.number)


Row = tuple[int, list[Any], Sequence[str]]


# --- The zip ----------------------------------------------------------------------------

EOCD = b"PK\x05\x06"
EOCD_SIZE = 22


def open_zip(content: bytes, limits: Limits) -> zipfile.ZipFile:
    """The package, once its central directory shows nothing that is costly to unpack."""
    _check_directory_size(content, limits)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as err:
        raise DamagedWorkbook(str(err)) from err
    if len(infos) > limits.max_members:
        raise _too_many_parts(limits)
    total = 0
    for info in infos:
        name = info.filename
        if info.flag_bits & 0x1:
            raise UploadRejected(
                "The workbook is password-protected (encrypted), so it cannot be read.",
                "Remove the password (File > Info > Protect Workbook) and save it again, "
                "or save it as CSV.",
            )
        if name.lower().endswith(ARCHIVE_SUFFIXES):
            raise UploadRejected(
                f"The workbook holds another archive ({name[:100]}): embedded files are not "
                "accepted.",
                "Remove embedded objects from the workbook, or save the sheet as CSV.",
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise DamagedWorkbook(f"{name}: compression method {info.compress_type}")
        if info.file_size > limits.max_member_bytes:
            raise UploadRejected(
                f"The workbook cannot be read: its part {name[:100]} unpacks to "
                f"{size_text(info.file_size)}; the largest part accepted is "
                f"{size_text(limits.max_member_bytes)}."
            )
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UploadRejected(
                f"The workbook cannot be read: its part {name[:100]} unpacks to "
                f"{size_text(info.file_size)} from {size_text(info.compress_size)}, more "
                f"than {limits.max_ratio} times its packed size, which spreadsheets never need."
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise UploadRejected(
            f"The workbook cannot be read: it unpacks to {size_text(total)}; the most accepted "
            f"is {size_text(limits.max_total_bytes)}."
        )
    return zf


def _check_directory_size(content: bytes, limits: Limits) -> None:
    """Count the parts from the end-of-directory record, before zipfile reads the directory."""
    at = content.rfind(EOCD, max(0, len(content) - EOCD_SIZE - 65_535))
    if at < 0 or len(content) < at + EOCD_SIZE:
        raise DamagedWorkbook("no end of central directory")
    entries, directory_size = struct.unpack("<xxxxxxxxxxHI", content[at : at + 16])
    # zipfile reads the whole directory (by its size, whatever the count says) into objects:
    # a directory of 200,000 parts takes ~9 s, so both are checked first.
    if entries > limits.max_members or directory_size > limits.max_members * 1024:
        raise _too_many_parts(limits)
    if directory_size == 0xFFFFFFFF:
        raise DamagedWorkbook("zip64")  # workbooks of the sizes accepted never need it


def _too_many_parts(limits: Limits) -> UploadRejected:
    return UploadRejected(
        f"The workbook cannot be read: it has more than {limits.max_members:,} parts "
        "(a workbook has a few dozen)."
    )


class _CappedMember(io.RawIOBase):
    """A zip part's unpacked bytes, refused past `cap` whatever its header declares; refuses
    a DOCTYPE (and so any entity declaration) before the first element."""

    PROLOG_BYTES = 64 * 1024

    def __init__(self, handle: IO[bytes], name: str, cap: int):
        self.handle = handle
        self.name = name
        self.cap = cap
        self.read_so_far = 0
        self.checked = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        want = self.PROLOG_BYTES if not self.checked else (size if size and size > 0 else 65_536)
        data = self.handle.read(want)
        self.read_so_far += len(data)
        if self.read_so_far > self.cap:
            raise UploadRejected(
                f"The workbook cannot be read: its part {self.name[:100]} unpacks to more than "
                f"{size_text(self.cap)}."
            )
        if not self.checked:
            self.checked = True
            _check_prolog(data, self.name)
        return data

    def close(self) -> None:
        self.handle.close()
        super().close()


def _check_prolog(data: bytes, name: str) -> None:
    root = re.search(rb"<[A-Za-z_]", data)
    prolog = data[: root.start()] if root else data
    if b"\x00" in prolog:
        raise DamagedWorkbook(f"{name}: not UTF-8 XML")  # what spreadsheet programs write
    if b"<!DOCTYPE" in prolog or b"<!ENTITY" in prolog:
        raise UploadRejected(
            f"The workbook cannot be read: its part {name[:100]} declares a document type "
            "(DOCTYPE), which spreadsheets never do."
        )
    if root is None and len(data) >= _CappedMember.PROLOG_BYTES:
        raise DamagedWorkbook(f"{name}: no element in the first 64 KB")


def _member(zf: zipfile.ZipFile, name: str, limits: Limits) -> _CappedMember:
    return _CappedMember(zf.open(name), name, limits.max_member_bytes)


def _read_small(zf: zipfile.ZipFile, name: str, limits: Limits) -> ET.Element:
    with _member(zf, name, limits) as handle:
        chunks = []
        while chunk := handle.read():
            chunks.append(chunk)
    return ET.fromstring(b"".join(chunks))  # noqa: S314 - no DOCTYPE (checked), capped size


# --- XLSX -------------------------------------------------------------------------------

_READ_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    ET.ParseError,
    ValueError,
    IndexError,
    OSError,
    EOFError,
    RuntimeError,  # zipfile: an encrypted part without a password
    StopIteration,
)


def xlsx_rows(content: bytes, *, sheet_name: str, limits: Limits) -> Iterator[Row]:
    """(row number, values, cell references) for each row of the named sheet (else the first).

    Values are str, int, float, bool, date/datetime, None, or `Formula`. Rows with no cell are
    not yielded; a row's values stop at its last cell with a value.
    """
    try:
        zf = open_zip(content, limits)
        path, date1904 = _sheet_path(zf, sheet_name, limits)
        shared = _shared_strings(zf, limits)
        dates = _date_styles(zf, limits)
        handle = _member(zf, path, limits)
    except UploadRejected:
        raise
    except _READ_ERRORS as err:
        raise DamagedWorkbook(str(err)) from err
    epoch = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
    c_tag, row_tag, sheet_data_tag = NS + "c", NS + "row", NS + "sheetData"
    max_columns, max_text = limits.max_columns, limits.max_text
    try:
        row_number = 0
        rows_with_values = 0
        cells_read = 0
        values: dict[int, Any] = {}
        position = 0
        parent: ET.Element | None = None
        for event, el in ET.iterparse(handle, events=("start", "end")):  # noqa: S314
            if event == "start":
                if el.tag == sheet_data_tag:
                    parent = el
                continue
            tag = el.tag
            if tag in (c_tag, row_tag):
                cells_read += 1  # rows count too: an empty row costs as much as a cell
                if cells_read > limits.max_cells:
                    raise UploadRejected(
                        f"Row {row_number + 1:,}: the sheet is larger than a file of this kind "
                        f"can be (more than {limits.max_cells:,} cells)."
                    )
            if tag == c_tag:
                ref = el.get("r")
                if ref:
                    match = CELL_REF.match(ref)
                    if not match:
                        raise DamagedWorkbook(f"cell reference {ref[:20]!r}")
                    position = column_index(match[1])
                value = _value(el, shared, dates, epoch, date1904)
                el.clear()
                if value is not None:
                    if position >= max_columns:
                        where = ref or f"{column_letters(position)}{row_number + 1}"
                        raise UploadRejected(
                            f"Cell {where[:20]}: there is a value in column "
                            f"{column_letters(min(position, 10**7))}, beyond the "
                            f"{max_columns:,} columns this file can have.",
                            "Delete the columns to the right of the template's columns "
                            "and upload the file again.",
                        )
                    if isinstance(value, str) and len(value) > max_text:
                        raise _too_long(ref or f"row {row_number + 1}", len(value), max_text)
                    values[position] = value
                elif position > EXCEL_MAX_COLUMNS:
                    raise DamagedWorkbook(f"cell reference {ref!r}")
                position += 1
            elif tag == row_tag:
                r = el.get("r")
                row_number = int(r) if r and r.isdigit() and len(r) < 10 else row_number + 1
                if values:
                    rows_with_values += 1
                    if rows_with_values > limits.max_rows:
                        raise _too_many_rows(row_number, limits.max_rows)
                    width = max(values) + 1
                    yield (
                        row_number,
                        [values.get(i) for i in range(width)],
                        CellRefs(row_number, width),
                    )
                values, position = {}, 0
                el.clear()
                if parent is not None:
                    parent.clear()  # drop the rows read so far (keeps memory flat)
            elif tag == sheet_data_tag:
                break
    except UploadRejected:
        raise
    except _READ_ERRORS as err:
        raise DamagedWorkbook(str(err)) from err
    finally:
        handle.close()


def _too_long(where: str, length: int, limit: int) -> UploadRejected:
    return UploadRejected(
        f"Cell {where}: the value is {length:,} characters long; the longest accepted is "
        f"{limit:,}.",
        "Shorten the value, or check that the right file was uploaded.",
    )


def _too_many_rows(number: int, limit: int) -> UploadRejected:
    return UploadRejected(
        f"Row {number:,}: the file has more than {limit:,} rows.",
        "Split it into several files, or use the API.",
    )


def _value(
    el: ET.Element, shared: list[str], dates: set[int], epoch: dt.datetime, date1904: bool
) -> Any:
    formula = el.find(NS + "f")
    if formula is not None:
        return Formula(formula.text or "")
    kind = el.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in el.iter(NS + "t"))
    v = el.find(NS + "v")
    if v is None or v.text is None:
        return None
    text = v.text
    if kind == "s":
        return shared[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    if len(text) > 40:
        raise ValueError("number too long")
    number = float(text)
    if int(el.get("s", "0")) in dates:
        if not date1904 and number < 61:  # Excel's 1900 leap-year bug: serials 1 to 60
            number += 1
        moment = epoch + dt.timedelta(days=number)
        return moment.date() if number.is_integer() else moment
    return int(number) if number.is_integer() else number


def _sheet_path(zf: zipfile.ZipFile, sheet_name: str, limits: Limits) -> tuple[str, bool]:
    workbook = _read_small(zf, "xl/workbook.xml", limits)
    pr = workbook.find(NS + "workbookPr")
    date1904 = pr is not None and pr.get("date1904", "").lower() in ("1", "true")
    sheets = [(s.get("name"), s.get(DOC_REL)) for s in workbook.iter(NS + "sheet")]
    if not sheets:
        raise ValueError("The workbook has no sheets.")
    rid = next((r for name, r in sheets if name == sheet_name), sheets[0][1])
    rels = _read_small(zf, "xl/_rels/workbook.xml.rels", limits)
    target = next(rel.get("Target", "") for rel in rels.iter(PKG_REL) if rel.get("Id") == rid)
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return path.replace("xl/../", ""), date1904


def _shared_strings(zf: zipfile.ZipFile, limits: Limits) -> list[str]:
    try:
        handle = _member(zf, "xl/sharedStrings.xml", limits)
    except KeyError:
        return []
    out: list[str] = []
    si_tag, t_tag, rph_tag = NS + "si", NS + "t", NS + "rPh"
    root: ET.Element | None = None
    with handle:
        for event, el in ET.iterparse(handle, events=("start", "end")):  # noqa: S314
            if event == "start":
                if root is None:
                    root = el
                continue
            if el.tag == si_tag:
                # Rich text runs are joined; phonetic guides (rPh) are left out.
                parts = [t.text or "" for t in el.iter(t_tag)]
                phonetic = [t.text or "" for rph in el.iter(rph_tag) for t in rph.iter(t_tag)]
                text = "".join(parts[: len(parts) - len(phonetic)] if phonetic else parts)
                if len(text) > limits.max_text:
                    raise _too_long(
                        f"text {len(out) + 1:,} of the workbook", len(text), limits.max_text
                    )
                out.append(text)
                if len(out) > limits.max_strings:
                    raise UploadRejected(
                        f"The workbook cannot be read: it holds more than {limits.max_strings:,} "
                        "different texts."
                    )
                el.clear()
                if root is not None:
                    root.clear()
    return out


def _date_styles(zf: zipfile.ZipFile, limits: Limits) -> set[int]:
    """The indexes of the cell formats that show dates."""
    try:
        styles = _read_small(zf, "xl/styles.xml", limits)
    except KeyError:
        return set()
    custom = {}
    for fmt in styles.iter(NS + "numFmt"):
        code = QUOTED.sub("", fmt.get("formatCode", "")).lower()
        custom[int(fmt.get("numFmtId", "0"))] = (
            any(ch in code for ch in "dmyhs") and "general" not in code
        )
    xfs = styles.find(NS + "cellXfs")
    out = set()
    for i, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id in BUILTIN_DATE_FORMATS or custom.get(fmt_id):
            out.add(i)
    return out


# --- CSV --------------------------------------------------------------------------------


class NotText(UploadRejected):
    def __init__(self) -> None:
        super().__init__(
            "The file is not a text CSV file.", "Save it as CSV (comma delimited) or .xlsx."
        )


def csv_encoding(content: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), else Windows-1252 (what Excel on Windows
    saves as "CSV (comma delimited)"). Checked in pieces: no copy of the whole file."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 * MB
    try:
        for start in range(0, len(content), step):
            decoder.decode(content[start : start + step], final=start + step >= len(content))
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def csv_rows(content: bytes, *, limits: Limits) -> Iterator[Row]:
    """(row number, values, no cell references) for each row of a CSV file, streamed.

    Raises UploadRejected for a binary file, a line, a value or a row past the limits."""
    if b"\x00" in content:
        raise NotText()
    text = io.TextIOWrapper(
        io.BytesIO(content), encoding=csv_encoding(content), errors="replace", newline=""
    )
    lines = _capped_lines(text, limits.max_line)
    fields_read = 0
    rows_with_values = 0
    try:
        for number, values in enumerate(csv.reader(lines), start=1):
            fields_read += len(values)
            if fields_read > limits.max_cells:
                raise UploadRejected(
                    f"Row {number:,}: the file has more than {limits.max_cells:,} values."
                )
            width = len(values)
            while width and not values[width - 1]:
                width -= 1
            if width > limits.max_columns:
                raise UploadRejected(
                    f"Row {number:,}: there is a value in column {width:,}, beyond the "
                    f"{limits.max_columns:,} columns this file can have.",
                    "Delete the columns to the right of the template's columns "
                    "and upload the file again.",
                )
            if len(values) > limits.max_columns:
                del values[limits.max_columns :]  # blank beyond the last column: dropped
            for i, value in enumerate(values):
                if len(value) > limits.max_text:
                    raise _too_long(
                        f"row {number:,}, column {i + 1:,}", len(value), limits.max_text
                    )
            if width:
                rows_with_values += 1
                if rows_with_values > limits.max_rows:
                    raise _too_many_rows(number, limits.max_rows)
            yield number, values, ()
    except csv.Error as err:
        raise UploadRejected(
            f"The CSV file cannot be read: {err}.", "Save it again as CSV (comma delimited)."
        ) from err


def _capped_lines(text: io.TextIOWrapper, cap: int) -> Iterator[str]:
    number = 0
    while line := text.readline(cap + 1):
        number += 1
        if len(line) > cap:
            raise UploadRejected(
                f"Line {number:,}: the line is longer than {cap:,} characters.",
                "Check that the file is a CSV export of the template, one row per line.",
            )
        yield line


# --- Errors kept with an upload ---------------------------------------------------------

MAX_STORED_ERRORS = 1_000
MAX_STORED_TEXT = 500


def clip(text: str, length: int = MAX_STORED_TEXT) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def stored_errors(
    errors: Sequence[Mapping[str, Any]],
    *,
    limit: int = MAX_STORED_ERRORS,
    length: int = MAX_STORED_TEXT,
) -> list[dict[str, Any]]:
    """The first `limit` errors to keep with an upload, each text clipped to `length` ("…")."""
    return [
        {k: clip(v, length) if isinstance(v, str) else v for k, v in e.items()}
        for e in errors[:limit]
    ]


def cell_text(value: Any) -> str:
    """A cell's value as text: whole floats without ".0", dates as ISO, and text as typed, less
    the apostrophe that the platform's exports put before text a spreadsheet would take for a
    formula (apps.core.exports.safe_cell), so a downloaded file uploads back unchanged."""
    from apps.core.exports import FORMULA_TRIGGERS

    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS):
        text = text[1:]
    return text.strip()
