"""Reading and checking an LA's SSDA903 Header and Episodes files (CSV or XLSX).

The files are read through the one safe upload reader (`apps.core.uploads`: size, bomb and
huge-sheet defences; formula cells reported), in any column order with header names in any
case, extra columns ignored. Every row is checked against the DfE's code lists
(`apps.referrals.ssda903`), dates (DD/MM/YYYY or YYYY-MM-DD), the link between the files, and
each child's episodes (no two on one day, none overlapping). Each problem names its file, row
and column. Writing is `services.care_import.import_ssda903`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from apps.core import uploads
from apps.organisations.services import normalise_postcode

from . import ssda903 as codes

MAX_ROWS = 100_000
LIMITS = uploads.Limits(
    max_rows=MAX_ROWS + 1,
    max_columns=64,
    max_cells=(MAX_ROWS + 1) * 40,
    max_text=2_000,
    max_member_bytes=128 * 1024 * 1024,
    max_total_bytes=192 * 1024 * 1024,
)
HEADER, EPISODES = "Header", "Episodes"
EPISODE_FIELDS = (
    "end_date", "new_episode_reason", "legal_status", "category_of_need", "placement_type",
    "placement_provider", "reason_ended", "reason_place_change", "home_postcode",
    "placement_postcode", "urn",
)  # fmt: skip


@dataclass(frozen=True)
class RowError:
    """One problem: the file (Header or Episodes), its row (None: the whole file), the column."""

    file: str
    row: int | None
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


class FileRejected(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


@dataclass
class HeaderRow:
    row: int
    child: str
    sex: str
    dob: dt.date | None  # None only on a row with errors
    ethnicity: str


@dataclass
class EpisodeRow:
    row: int
    child: str
    start: dt.date
    end: dt.date | None
    values: dict[str, Any]  # CareEpisode field → value (EPISODE_FIELDS)


# --- Reading -----------------------------------------------------------------------------------


def _file_kind(file: str, name: str, content: bytes) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    is_zip = content[:4] == b"PK\x03\x04"
    if ext == "xlsx" or (ext != "csv" and is_zip):
        if not is_zip:
            raise FileRejected(
                RowError(file, None, "", "The file is not a readable XLSX workbook.")
            )
        return "xlsx"
    if ext == "csv" or ext == "txt":
        if is_zip:
            raise FileRejected(
                RowError(
                    file,
                    None,
                    "",
                    "The file is a spreadsheet workbook with a .csv name: save it as CSV, or "
                    "rename it .xlsx.",
                )
            )
        return "csv"
    raise FileRejected(
        RowError(
            file, None, "", f"Files of type .{ext or '(none)'} cannot be read: use .csv or .xlsx."
        )
    )


def _rows(file: str, name: str, content: bytes) -> Iterator[uploads.Row]:
    kind = _file_kind(file, name, content)
    try:
        if kind == "xlsx":
            yield from uploads.xlsx_rows(content, sheet_name=file, limits=LIMITS)
        else:
            yield from uploads.csv_rows(content, limits=LIMITS)
    except uploads.UploadRejected as err:
        raise FileRejected(RowError(file, None, "", f"{err.message} {err.hint}".strip())) from err


def read_table(
    file: str, name: str, content: bytes, *, required: Sequence[str], optional: Sequence[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """The file's rows as (row number, {COLUMN: text}) for the columns the platform reads.

    Refused as a whole (FileRejected) when empty, without its header or required columns, or
    past a limit. A formula cell is a row-level error (its value depends on the program)."""
    if not content.strip():
        raise FileRejected(RowError(file, None, "", "The file is empty."))
    rows = _rows(file, name, content)
    first = next(rows, None)
    if first is None:
        raise FileRejected(RowError(file, None, "", "The file has no header row."))
    header = [uploads.cell_text(v).upper() for v in first[1]]
    wanted = (*required, *optional)
    index: dict[str, int] = {}
    for i, column in enumerate(header):
        if column in wanted and column not in index:
            index[column] = i
    missing = [c for c in required if c not in index]
    if missing:
        other = EPISODES if file == HEADER else HEADER
        looks_other = (
            {"DECOM", "PLACE"} <= set(header)
            if file == HEADER
            else ("ETHNIC" in header and "DECOM" not in header)
        )
        hint = f" It looks like the {other} file." if looks_other else ""
        raise FileRejected(
            RowError(
                file,
                first[0],
                "(header)",
                f"The header row has no column {', '.join(missing)}: the {file} file needs "
                f"{', '.join(required)} (any order).{hint}",
            )
        )
    out: list[tuple[int, dict[str, str]]] = []
    errors: list[RowError] = []
    columns = list(index.items())
    text = uploads.cell_text
    for number, values, _cells in rows:
        width = len(values)
        record: dict[str, str] = {}
        blank = True
        for column, i in columns:
            value = values[i] if i < width else None
            if isinstance(value, uploads.Formula):
                errors.append(
                    RowError(
                        file,
                        number,
                        column,
                        "The cell holds a formula: type the value itself.",
                        uploads.clip(str(value), 60),
                    )
                )
                value = None
            cell = text(value)
            if cell:
                blank = False
            record[column] = cell
        if blank:
            continue
        if len(out) >= MAX_ROWS:
            raise FileRejected(
                RowError(file, number, "", f"The file has more than {MAX_ROWS:,} rows.")
            )
        for column in optional:
            record.setdefault(column, "")
        out.append((number, record))
    return out, errors


# --- Checking ----------------------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """DD/MM/YYYY (the 903's own form) or YYYY-MM-DD (with a time after it, as XLSX dates
    read); None if neither."""
    try:
        if "/" in text:
            day, month, year = text.split("/")
            if len(year) != 4:
                return None
            return dt.date(int(year), int(month), int(day))
        if len(text) > 10 and text[10] in " T":
            text = text[:10]
        if len(text) == 10 and text[4] == "-":
            return dt.date.fromisoformat(text)
    except ValueError:
        return None
    return None


class _Checker:
    def __init__(self, file: str, today: dt.date):
        self.file = file
        self.today = today
        self.errors: list[RowError] = []

    def error(self, row: int, column: str, message: str, value: str = "") -> None:
        self.errors.append(RowError(self.file, row, column, message, uploads.clip(value, 60)))

    def code(
        self, row: int, values: dict[str, str], column: str, allowed: frozenset[str], *, req: bool
    ) -> str:
        value = values[column].upper()
        if not value:
            if req:
                self.error(row, column, f"{column} is blank: it is needed on every row.")
            return ""
        if value not in allowed:
            self.error(
                row, column, f"{value} is not an SSDA903 {column} code ({_listed(allowed)}).", value
            )
            return ""
        return value

    def date(self, row: int, values: dict[str, str], column: str, *, req: bool) -> dt.date | None:
        value = values[column]
        if not value:
            if req:
                self.error(row, column, f"{column} is blank: it is needed on every row.")
            return None
        parsed = parse_date(value)
        if parsed is None:
            self.error(row, column, f"{value} is not a date: write it as DD/MM/YYYY.", value)
        elif parsed > self.today:
            self.error(row, column, f"{column} {value} is in the future.", value)
            return None
        return parsed

    def child(self, row: int, values: dict[str, str]) -> str:
        child = values["CHILD"]
        if not child:
            self.error(row, "CHILD", "CHILD is blank: give the child's identifier.")
        elif len(child) > codes.CHILD_MAX_LENGTH:
            self.error(
                row,
                "CHILD",
                f"CHILD is {len(child)} characters long; the DfE's limit is "
                f"{codes.CHILD_MAX_LENGTH}.",
                child,
            )
            return ""
        return child


def _listed(allowed: frozenset[str]) -> str:
    ordered = sorted(allowed)
    return ", ".join(ordered) if len(ordered) <= 8 else ", ".join(ordered[:8]) + " …"


SEX_LEGACY = {"1": "M", "2": "F"}  # the code before 2024-25


def check_header(
    rows: list[tuple[int, dict[str, str]]], today: dt.date
) -> tuple[dict[str, HeaderRow], list[RowError]]:
    check = _Checker(HEADER, today)
    out: dict[str, HeaderRow] = {}
    for number, values in rows:
        before = len(check.errors)
        child = check.child(number, values)
        sex_text = SEX_LEGACY.get(values["SEX"], values["SEX"])
        sex = check.code(number, {"SEX": sex_text}, "SEX", codes.SEX_CODES, req=True)
        dob = check.date(number, values, "DOB", req=True)
        ethnic = check.code(number, values, "ETHNIC", codes.ETHNIC_CODES, req=True)
        if child and child in out:
            check.error(
                number,
                "CHILD",
                f"CHILD {child} is in the Header twice (rows {out[child].row} and {number}).",
                child,
            )
            continue
        if len(check.errors) == before and child and dob:
            out[child] = HeaderRow(number, child, sex, dob, ethnic)
        elif child:
            out.setdefault(child, HeaderRow(number, child, sex, None, ethnic))
    return out, check.errors


def check_episodes(
    rows: list[tuple[int, dict[str, str]]], header: dict[str, HeaderRow], today: dt.date
) -> tuple[dict[str, list[EpisodeRow]], list[RowError]]:
    check = _Checker(EPISODES, today)
    by_child: dict[str, list[EpisodeRow]] = defaultdict(list)
    for number, v in rows:
        child = check.child(number, v)
        if child and child not in header:
            check.error(
                number, "CHILD", f"CHILD {child} is not in the Header file: add the child there.",
                child,
            )  # fmt: skip
        start = check.date(number, v, "DECOM", req=True)
        end = check.date(number, v, "DEC", req=False)
        rne = check.code(number, v, "RNE", codes.RNE_CODES, req=True)
        ls = check.code(number, v, "LS", codes.LS_CODES, req=True)
        cin = check.code(number, v, "CIN", codes.CIN_CODES, req=False)
        place = check.code(number, v, "PLACE", codes.PLACE_CODES, req=True)
        provider = check.code(number, v, "PLACE_PROVIDER", codes.PLACE_PROVIDER_CODES, req=False)
        rec = check.code(number, v, "REC", codes.REC_CODES, req=False)
        change = check.code(
            number, v, "REASON_PLACE_CHANGE", codes.REASON_PLACE_CHANGE_CODES, req=False
        )
        if v["DEC"] and not v["REC"]:
            check.error(
                number, "REC", "REC is blank: an episode that ended (DEC) needs its reason."
            )
        if v["REC"] and not v["DEC"]:
            check.error(
                number,
                "DEC",
                f"DEC is blank but REC is {v['REC']}: give the date the episode ended, or "
                "leave REC blank while it continues.",
            )
        if start and end and end < start:
            check.error(
                number,
                "DEC",
                f"DEC {v['DEC']} is before DECOM {v['DECOM']}: an episode cannot end before it "
                "starts.",
                v["DEC"],
            )
            end = None
        known = header.get(child)
        if start and known and known.dob and start < known.dob:
            check.error(
                number,
                "DECOM",
                f"DECOM {v['DECOM']} is before the child's date of birth in the Header.",
                v["DECOM"],
            )
        posts = {}
        for column in ("HOME_POST", "PL_POST"):
            raw = v[column]
            post = normalise_postcode(raw) if raw else ""
            if post is None:
                check.error(number, column, f"{raw} is not a UK postcode.", raw)
                post = ""
            posts[column] = post
        urn = v["URN"].strip()
        if len(urn) > 10:
            check.error(number, "URN", "URN is longer than 10 characters.", urn)
        if child and start:
            by_child[child].append(
                EpisodeRow(
                    row=number,
                    child=child,
                    start=start,
                    end=end,
                    values={
                        "end_date": end,
                        "new_episode_reason": rne,
                        "legal_status": ls,
                        "category_of_need": cin,
                        "placement_type": place,
                        "placement_provider": provider,
                        "reason_ended": rec,
                        "reason_place_change": change,
                        "home_postcode": posts["HOME_POST"],
                        "placement_postcode": posts["PL_POST"],
                        "urn": urn,
                    },
                )
            )
    for child, episodes in by_child.items():
        episodes.sort(key=lambda e: (e.start, e.row))
        for before, after in itertools.pairwise(episodes):
            if before.start == after.start:
                check.error(
                    after.row,
                    "DECOM",
                    f"CHILD {child} has two episodes starting {_dmy(after.start)} (rows "
                    f"{before.row} and {after.row}): an episode is keyed by CHILD and DECOM.",
                    _dmy(after.start),
                )
            elif before.end is None or before.end > after.start:
                ended = "has no DEC" if before.end is None else f"ends {_dmy(before.end)}"
                check.error(
                    after.row,
                    "DECOM",
                    f"CHILD {child}'s episode starting {_dmy(after.start)} overlaps the one "
                    f"starting {_dmy(before.start)} (row {before.row}), which {ended}.",
                    _dmy(after.start),
                )
    return by_child, check.errors


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
