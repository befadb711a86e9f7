"""Hostile upload files, made in code for the tests and for bench/uploads.py.

Each is small on the wire and expensive to read naively: a sheet that declares a huge range,
a shared-strings bomb, a cell in a far column, a header with a huge cell, a zip member with a
high compression ratio, a zip of very many members, an encrypted or nested member.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from collections.abc import Sequence

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

SHARED_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SHARED_REL = (
    b'<Relationship Id="rIdShared" Target="sharedStrings.xml" Type="http://schemas.'
    b'openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
)


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _letters(index: int) -> str:
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


def header_row(names: Sequence[str], number: int = 1) -> str:
    """A sheet row of inline strings, one per name, from column A."""
    cells = "".join(_inline(f"{_letters(i)}{number}", n) for i, n in enumerate(names))
    return f'<row r="{number}">{cells}</row>'


def workbook(
    sheet_data: str,
    *,
    sheet_name: str = "Sheet1",
    shared: str | None = None,
    dimension: str = "",
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A workbook saved by openpyxl (so that any reader opens it) whose sheet is `sheet_data`
    (the rows' XML) and, if given, whose shared strings are `shared` (the <si> elements)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name
    saved = io.BytesIO()
    wb.save(saved)
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f"<worksheet {NS}>{dim}<sheetData>{sheet_data}</sheetData></worksheet>"
    buf = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(buf, "w", compression) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = sheet.encode()
            elif info.filename == "[Content_Types].xml" and shared is not None:
                data = data.replace(b"</Types>", SHARED_TYPE + b"</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels" and shared is not None:
                data = data.replace(b"</Relationships>", SHARED_REL + b"</Relationships>")
            z.writestr(info.filename, data)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", f"<sst {NS}>{shared}</sst>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def declared_dimension(header: Sequence[str], *, sheet_name: str = "Sheet1") -> bytes:
    """A ~1 KB workbook whose sheet declares A1:XFD2000 (32 million cells) and holds a header."""
    return workbook(header_row(header), sheet_name=sheet_name, dimension="A1:XFD2000")


def shared_strings_bomb(strings: int = 2_000_000, *, sheet_name: str = "Sheet1") -> bytes:
    """A few tens of KB: a shared-strings part of `strings` one-letter strings (34 MB of XML)."""
    sheet = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return workbook(sheet, sheet_name=sheet_name, shared="<si><t>x</t></si>" * strings)


def far_column(header: Sequence[str], ref: str = "ZZZZ2", *, sheet_name: str = "Sheet1") -> bytes:
    """A header, then one value in a far column (ZZZZ is column 475,254)."""
    number = "".join(ch for ch in ref if ch.isdigit())
    return workbook(
        header_row(header) + f'<row r="{number}"><c r="{ref}"><v>1</v></c></row>',
        sheet_name=sheet_name,
    )


def huge_header_cell(
    header: Sequence[str], size: int = 21 * 1024 * 1024, *, sheet_name: str = "Sheet1"
) -> bytes:
    """The header with one more column whose name is `size` letters (compresses to ~20 KB)."""
    return workbook(header_row([*header, "A" * size]), sheet_name=sheet_name)


def long_random_cell(
    header: Sequence[str], size: int = 8 * 1024 * 1024, *, sheet_name: str = "Sheet1"
) -> bytes:
    """A header cell of `size` random letters: it does not compress, so no ratio check sees it."""
    letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    text = bytes(letters[b % len(letters)] for b in os.urandom(size)).decode()
    return workbook(header_row([*header, text]), sheet_name=sheet_name, compression=0)


def high_ratio_member(size: int = 50 * 1024 * 1024, *, sheet_name: str = "Sheet1") -> bytes:
    """A sheet padded with `size` bytes of spaces (compresses about 1,000 to 1)."""
    buf = io.BytesIO()
    content = workbook("", sheet_name=sheet_name)
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * size)
            out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def many_members(count: int = 100_000, *, sheet_name: str = "Sheet1") -> bytes:
    """A workbook with `count` more empty parts (~9 MB; zipfile takes ~4 s to list them)."""
    base = workbook(header_row(["a"]), sheet_name=sheet_name)
    with zipfile.ZipFile(io.BytesIO(base)) as z:
        infos = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    # Written by hand: zipfile takes a minute to write 100,000 parts.
    local = bytearray()
    central = bytearray()
    members = [(name.encode(), data) for name, data in infos]
    members += [(f"m/{i}".encode(), b"") for i in range(count)]
    for name, data in members:
        crc = zlib.crc32(data)
        offset = len(local)
        local += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0
        )
        local += name + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += name
    entries = min(len(members), 0xFFFF)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(central), len(local), 0)
    return bytes(local + central + end)


def nested_archive(header: Sequence[str]) -> bytes:
    """A workbook that carries another zip inside it."""
    inner = workbook(header_row(header))
    return workbook(header_row(header), extra={"xl/embeddings/inner.zip": inner})


def encrypted_member(header: Sequence[str]) -> bytes:
    """A workbook whose sheet member has the 'encrypted' flag set."""
    content = bytearray(workbook(header_row(header), compression=zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(content))) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
    # The flag is bit 0 of the local header (offset 6) and of the central directory entry
    # (offset 8); the member's name last appears in its central directory entry.
    content[info.header_offset + 6] |= 1
    entry = content.rfind(b"PK\x01\x02", 0, content.rfind(info.filename.encode()))
    content[entry + 8] |= 1
    return bytes(content)


def doctype_sheet(header: Sequence[str]) -> bytes:
    """A sheet with a DOCTYPE declaring entities (the 'billion laughs' shape, kept tiny)."""
    buf = io.BytesIO()
    content = workbook(header_row(header))
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaa">]>' + data
            out.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def csv_long_line(header: Sequence[str], size: int = 4 * 1024 * 1024) -> bytes:
    """A CSV header then one line of `size` commas (millions of empty fields)."""
    return (",".join(header) + "\r\n" + "," * size + "x\r\n").encode()


def csv_far_column(header: Sequence[str], column: int = 5_000) -> bytes:
    """A CSV header then a row with a value in column `column`."""
    return (",".join(header) + "\r\n" + "," * (column - 1) + "x\r\n").encode()


def csv_long_header_cell(header: Sequence[str], size: int = 100_000) -> bytes:
    """A CSV header with one more column whose name is `size` letters."""
    return (",".join([*header, "B" * size]) + "\r\n").encode()
